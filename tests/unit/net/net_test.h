/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the net tests: a small packet builder and packet buffers made without a pool,
 * each segment in its own malloc() of exactly its data length so that AddressSanitizer
 * catches any read past a segment.
 */
#ifndef SL_NET_TEST_H
#define SL_NET_TEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sl_net.h"
#include "sl_pktbuf.h"

/* Test groups, one per file; each returns cmocka's failure count. */
int run_addr_tests(void);
int run_cksum_tests(void);
int run_parse_tests(void);
int run_rss_tests(void);

/* Deterministic PRNG (xorshift64*), so failures reproduce. */
static inline uint64_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ull;

	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 2685821657736338717ull;
}

/* --- packet buffers without a pool --- */

/* A chain holding data split at the sorted offsets cuts[0..ncuts) (duplicates give empty
 * segments).  Free with pkt_free(). */
static inline struct sl_pktbuf *pkt_make(const void *data, uint32_t len, const uint32_t *cuts,
					 unsigned ncuts)
{
	struct sl_pktbuf *head = NULL, *prev = NULL;
	uint32_t start = 0;
	unsigned i;

	for (i = 0; i <= ncuts; i++) {
		uint32_t end = i < ncuts ? cuts[i] : len;
		struct sl_pktbuf *s = aligned_alloc(SL_CACHE_LINE, sizeof(*s));
		uint32_t n = end - start;

		memset(s, 0, sizeof(*s));
		s->buf_addr = malloc(n ? n : 1);
		memcpy(s->buf_addr, (const uint8_t *)data + start, n);
		s->data_off = 0;
		s->data_len = (uint16_t)n;
		s->buf_len = (uint16_t)n;
		s->refcnt = 1;
		s->nb_segs = 1;
		if (prev)
			prev->next = s;
		else
			head = s;
		prev = s;
		start = end;
	}
	head->pkt_len = len;
	head->nb_segs = (uint16_t)(ncuts + 1);
	return head;
}

static inline struct sl_pktbuf *pkt_make1(const void *data, uint32_t len)
{
	return pkt_make(data, len, NULL, 0);
}

/* Random split into up to max_segs segments. */
static inline struct sl_pktbuf *pkt_make_random(const void *data, uint32_t len, unsigned max_segs)
{
	uint32_t cuts[64];
	unsigned n = (unsigned)(rnd() % max_segs), i, j;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		cuts[i] = (uint32_t)(rnd() % (len + 1));
	for (i = 1; i < n; i++) /* insertion sort */
		for (j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
			uint32_t t = cuts[j];

			cuts[j] = cuts[j - 1];
			cuts[j - 1] = t;
		}
	return pkt_make(data, len, cuts, n);
}

static inline void pkt_free(struct sl_pktbuf *p)
{
	while (p) {
		struct sl_pktbuf *n = p->next;

		free(p->buf_addr);
		free(p);
		p = n;
	}
}

/* --- packet builder --- */

struct pb {
	uint8_t b[4096];
	uint32_t len;
	/* headers whose length field is fixed by pb_finish(): kind and offset */
	struct {
		int kind; /* 4: IPv4, 6: IPv6, 17: UDP */
		uint32_t off;
	} fix[8];
	unsigned nfix;
};

static inline void *pb_put(struct pb *pb, uint32_t n)
{
	void *p = pb->b + pb->len;

	memset(p, 0, n);
	pb->len += n;
	return p;
}

static inline void pb_eth(struct pb *pb, uint16_t type)
{
	struct sl_ether_hdr *e = pb_put(pb, sizeof(*e));

	memcpy(e->dst.bytes, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(e->src.bytes, "\x02\x00\x00\x00\x00\x02", 6);
	e->ether_type = sl_htons(type);
}

static inline void pb_vlan(struct pb *pb, uint16_t vid, uint16_t type)
{
	struct sl_vlan_hdr *v = pb_put(pb, sizeof(*v));

	v->vlan_tci = sl_htons(vid);
	v->eth_proto = sl_htons(type);
}

/* IPv4 header with opt_words 32-bit words of options (NOPs). */
static inline void pb_ipv4(struct pb *pb, uint8_t proto, unsigned opt_words)
{
	struct sl_ipv4_hdr *ip;

	pb->fix[pb->nfix].kind = 4;
	pb->fix[pb->nfix++].off = pb->len;
	ip = pb_put(pb, SL_IPV4_HDR_LEN + 4 * opt_words);
	ip->version_ihl = (uint8_t)(0x40 | (5 + opt_words));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->packet_id = sl_htons((uint16_t)rnd());
	ip->src_addr = sl_htonl(0x0a000001);
	ip->dst_addr = sl_htonl(0xc0a80102);
	memset(ip + 1, 1, 4 * opt_words);
}

static inline void pb_ipv6(struct pb *pb, uint8_t nh)
{
	struct sl_ipv6_hdr *ip6;
	unsigned i;

	pb->fix[pb->nfix].kind = 6;
	pb->fix[pb->nfix++].off = pb->len;
	ip6 = pb_put(pb, sizeof(*ip6));
	ip6->vtc_flow = sl_htonl(0x60000000);
	ip6->proto = nh;
	ip6->hop_limits = 64;
	for (i = 0; i < 16; i++) {
		ip6->src_addr[i] = (uint8_t)(0x20 + i);
		ip6->dst_addr[i] = (uint8_t)(0x40 + 3 * i);
	}
}

/* Generic extension header of (len8 + 1) * 8 bytes. */
static inline void pb_ext(struct pb *pb, uint8_t nh, uint8_t len8)
{
	uint8_t *e = pb_put(pb, (len8 + 1u) * 8);

	e[0] = nh;
	e[1] = len8;
}

static inline void pb_frag6(struct pb *pb, uint8_t nh, uint16_t off8, int more)
{
	struct sl_ipv6_frag_hdr *f = pb_put(pb, sizeof(*f));

	f->next_hdr = nh;
	f->frag_data = sl_htons((uint16_t)(off8 << 3 | (more ? 1 : 0)));
	f->id = sl_htonl(0x1234);
}

static inline void pb_udp(struct pb *pb, uint16_t sport, uint16_t dport)
{
	struct sl_udp_hdr *u;

	pb->fix[pb->nfix].kind = 17;
	pb->fix[pb->nfix++].off = pb->len;
	u = pb_put(pb, sizeof(*u));
	u->src_port = sl_htons(sport);
	u->dst_port = sl_htons(dport);
}

/* TCP header of doff 32-bit words (options are NOPs). */
static inline void pb_tcp(struct pb *pb, unsigned doff)
{
	struct sl_tcp_hdr *t = pb_put(pb, 4 * doff);

	t->src_port = sl_htons(1234);
	t->dst_port = sl_htons(80);
	t->data_off = (uint8_t)(doff << 4);
	t->tcp_flags = SL_TCP_ACK_FLAG;
	memset(t + 1, 1, 4 * doff > 20 ? 4 * doff - 20 : 0);
}

static inline void pb_bytes(struct pb *pb, uint32_t n)
{
	uint8_t *p = pb_put(pb, n);
	uint32_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* Sets the IPv4 total/IPv6 payload/UDP lengths to reach the end of the packet, then the
 * IPv4 header checksums (simple reference sum, not the library). */
static inline void pb_finish(struct pb *pb)
{
	unsigned i;

	for (i = 0; i < pb->nfix; i++) {
		uint8_t *h = pb->b + pb->fix[i].off;
		uint32_t rest = pb->len - pb->fix[i].off;

		if (pb->fix[i].kind == 4) {
			((struct sl_ipv4_hdr *)h)->total_length = sl_htons((uint16_t)rest);
		} else if (pb->fix[i].kind == 6) {
			((struct sl_ipv6_hdr *)h)->payload_len = sl_htons((uint16_t)(rest - 40));
		} else {
			((struct sl_udp_hdr *)h)->dgram_len = sl_htons((uint16_t)rest);
		}
	}
	for (i = 0; i < pb->nfix; i++) {
		struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)(pb->b + pb->fix[i].off);
		uint32_t s = 0, j, n;

		if (pb->fix[i].kind != 4)
			continue;
		n = sl_ipv4_hdr_len(ip);
		ip->hdr_checksum = 0;
		for (j = 0; j < n; j += 2)
			s += (uint32_t)((uint8_t *)ip)[j] << 8 | ((uint8_t *)ip)[j + 1];
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		ip->hdr_checksum = sl_htons((uint16_t)~s);
	}
}

#endif
