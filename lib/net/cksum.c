/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksums (RFC 1071, RFC 1624) and the multi-segment reader. */
#include <errno.h>
#include <string.h>

#include "net_priv.h"
#include "sl_cksum.h"

const void *net_read_slow(const struct sl_pktbuf *p, uint32_t off, uint32_t len, void *buf)
{
	const struct sl_pktbuf *s = p;
	unsigned left = p->nb_segs ? p->nb_segs : 1; /* segments we may still visit */
	uint8_t *out = buf;

	if ((uint64_t)off + len > p->pkt_len)
		return NULL;
	while (off >= s->data_len) {
		off -= s->data_len;
		s = s->next;
		if (s == NULL || --left == 0)
			return NULL;
	}
	if (len <= (uint32_t)s->data_len - off)
		return sl_pktbuf_mtod_offset(s, const char *, off);
	while (len > 0) {
		uint32_t n = SL_MIN(len, (uint32_t)s->data_len - off);

		memcpy(out, sl_pktbuf_mtod_offset(s, const char *, off), n);
		out += n;
		len -= n;
		off = 0;
		if (len == 0)
			break;
		s = s->next;
		if (s == NULL || --left == 0)
			return NULL;
	}
	return buf;
}

/*
 * 32-bit words into a 64-bit accumulator: no carry handling in the loop, and GCC turns it
 * into SSE2 widening adds (16 bytes per step) even at the x86-64 baseline.  An add-with-carry
 * loop over 64-bit words measured slower (bench/net: see docs/net.md).
 */
uint32_t sl_cksum_raw(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *b = buf;
	uint64_t s = sum;
	size_t i, n = len / 4;

	for (i = 0; i < n; i++) {
		uint32_t w;

		memcpy(&w, b + 4 * i, 4);
		s += w;
	}
	b += 4 * n;
	if (len & 2) {
		uint16_t w;

		memcpy(&w, b, 2);
		s += w;
		b += 2;
	}
	if (len & 1) {
		uint16_t w = 0;

		memcpy(&w, b, 1); /* the pad byte follows in memory order */
		s += w;
	}
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

/* One's-complement addition of two partial sums (end-around carry). */
static inline uint32_t add32(uint32_t a, uint32_t b)
{
	uint64_t t = (uint64_t)a + b;

	return (uint32_t)((t & 0xffffffff) + (t >> 32));
}

static inline uint16_t load16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static unsigned ipv4_ihl_bytes(const struct sl_ipv4_hdr *ip)
{
	unsigned n = sl_ipv4_hdr_len(ip);

	return n < SL_IPV4_HDR_LEN ? SL_IPV4_HDR_LEN : n;
}

uint16_t sl_ipv4_cksum(const struct sl_ipv4_hdr *ip)
{
	uint32_t s = sl_cksum_raw(ip, ipv4_ihl_bytes(ip), 0);

	/* Take the current field out: adding ~x subtracts x in one's complement. */
	s += (uint16_t)~ip->hdr_checksum;
	return (uint16_t)~sl_cksum_fold(s);
}

int sl_ipv4_cksum_verify(const struct sl_ipv4_hdr *ip)
{
	if (sl_ipv4_hdr_len(ip) < SL_IPV4_HDR_LEN)
		return -EINVAL;
	return sl_cksum_fold(sl_cksum_raw(ip, sl_ipv4_hdr_len(ip), 0)) == 0xffff ? 0 : -EBADMSG;
}

/* Pseudo-header sums (RFC 768, RFC 9293 section 3.1, RFC 8200 section 8.1), unfolded. */
static uint32_t phdr4(const struct sl_ipv4_hdr *ip, uint32_t l4_len)
{
	uint64_t s = (uint64_t)ip->src_addr + ip->dst_addr + sl_htons(ip->next_proto_id) +
		     sl_htons((uint16_t)l4_len);

	s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

static uint32_t phdr6(const struct sl_ipv6_hdr *ip6, uint32_t l4_len, uint8_t proto)
{
	uint32_t s = sl_cksum_raw(ip6->src_addr, 32, 0);
	uint64_t t = (uint64_t)s + sl_htonl(l4_len) + sl_htonl((uint32_t)proto);

	t = (t & 0xffffffff) + (t >> 32);
	return (uint32_t)t;
}

static uint32_t ipv4_l4_len(const struct sl_ipv4_hdr *ip)
{
	uint32_t tot = sl_ntohs(ip->total_length), ihl = ipv4_ihl_bytes(ip);

	return tot > ihl ? tot - ihl : 0;
}

uint16_t sl_ipv4_phdr_cksum(const struct sl_ipv4_hdr *ip)
{
	return sl_cksum_fold(phdr4(ip, ipv4_l4_len(ip)));
}

uint16_t sl_ipv6_phdr_cksum(const struct sl_ipv6_hdr *ip6)
{
	return sl_cksum_fold(phdr6(ip6, sl_ntohs(ip6->payload_len), ip6->proto));
}

uint16_t sl_ipv6_phdr_cksum_ext(const struct sl_ipv6_hdr *ip6, uint32_t l4_len, uint8_t proto)
{
	return sl_cksum_fold(phdr6(ip6, l4_len, proto));
}

/* Offset of the checksum field in the L4 header, or -1 if the protocol has none we know. */
static int cksum_field(uint8_t proto)
{
	switch (proto) {
	case SL_IPPROTO_TCP:
		return 16;
	case SL_IPPROTO_UDP:
		return 6;
	case SL_IPPROTO_ICMPV6:
		return 2;
	default:
		return -1;
	}
}

/* Complement of the folded sum minus the current checksum field; UDP 0 becomes 0xFFFF. */
static uint16_t finish_l4(uint32_t s, uint8_t proto, int field_off, uint32_t l4_len,
			  uint16_t field)
{
	uint16_t c;

	if (field_off >= 0 && (uint32_t)field_off + 2 <= l4_len)
		s = add32(s, (uint16_t)~field);
	c = (uint16_t)~sl_cksum_fold(s);
	return proto == SL_IPPROTO_UDP ? sl_udp_cksum_fixup(c) : c;
}

static uint16_t field_of(const void *l4, int off, uint32_t l4_len)
{
	return off >= 0 && (uint32_t)off + 2 <= l4_len ? load16((const uint8_t *)l4 + off) : 0;
}

uint16_t sl_ipv4_udptcp_cksum(const struct sl_ipv4_hdr *ip, const void *l4)
{
	uint32_t len = ipv4_l4_len(ip);
	int off = cksum_field(ip->next_proto_id);
	uint32_t s = sl_cksum_raw(l4, len, phdr4(ip, len));

	return finish_l4(s, ip->next_proto_id, off, len, field_of(l4, off, len));
}

uint16_t sl_ipv6_udptcp_cksum(const struct sl_ipv6_hdr *ip6, const void *l4)
{
	uint32_t len = sl_ntohs(ip6->payload_len);
	int off = cksum_field(ip6->proto);
	uint32_t s = sl_cksum_raw(l4, len, phdr6(ip6, len, ip6->proto));

	return finish_l4(s, ip6->proto, off, len, field_of(l4, off, len));
}

int sl_ipv4_udptcp_cksum_verify(const struct sl_ipv4_hdr *ip, const void *l4)
{
	uint32_t len = ipv4_l4_len(ip);

	if (ip->next_proto_id == SL_IPPROTO_UDP && len >= 8 && field_of(l4, 6, len) == 0)
		return 0; /* sender computed no checksum */
	return sl_cksum_fold(sl_cksum_raw(l4, len, phdr4(ip, len))) == 0xffff ? 0 : -EBADMSG;
}

int sl_ipv6_udptcp_cksum_verify(const struct sl_ipv6_hdr *ip6, const void *l4)
{
	uint32_t len = sl_ntohs(ip6->payload_len);
	uint32_t s = sl_cksum_raw(l4, len, phdr6(ip6, len, ip6->proto));

	/* A zero UDP checksum is not allowed over IPv6 (RFC 8200 section 8.1) and fails here. */
	return sl_cksum_fold(s) == 0xffff ? 0 : -EBADMSG;
}

/* Sum of bytes [off, off + len) of a chain, as if they were contiguous. */
static int pkt_sum(const struct sl_pktbuf *p, uint32_t off, uint32_t len, uint32_t *sum)
{
	const struct sl_pktbuf *s = p;
	unsigned left = p->nb_segs ? p->nb_segs : 1;
	uint64_t acc = 0;
	uint32_t done = 0;

	if ((uint64_t)off + len > p->pkt_len)
		return -EINVAL;
	while (off >= s->data_len && len > 0) {
		off -= s->data_len;
		s = s->next;
		if (s == NULL || --left == 0)
			return -EINVAL;
	}
	while (len > 0) {
		uint32_t n = SL_MIN(len, (uint32_t)s->data_len - off);
		uint16_t part = sl_cksum_fold(
			sl_cksum_raw(sl_pktbuf_mtod_offset(s, const char *, off), n, 0));

		/* A chunk starting at an odd position has its bytes in the other lane. */
		acc += (done & 1) ? __builtin_bswap16(part) : part;
		done += n;
		len -= n;
		off = 0;
		if (len == 0)
			break;
		s = s->next;
		if (s == NULL || --left == 0)
			return -EINVAL;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	*sum = (uint32_t)acc;
	return 0;
}

struct l4_desc {
	uint32_t phdr; /* pseudo-header sum */
	uint32_t len;  /* L4 bytes */
	uint8_t proto;
};

/* Finds the L4 protocol, length and pseudo-header sum for sl_udptcp_cksum_pkt*(). */
static int describe_l4(const struct sl_pktbuf *p, uint32_t l3_off, uint32_t l4_off,
		       struct l4_desc *d)
{
	union {
		struct sl_ipv4_hdr ip;
		struct sl_ipv6_hdr ip6;
		uint8_t raw[SL_IPV6_HDR_LEN];
	} tmp;
	const uint8_t *v = net_read(p, l3_off, 1, &tmp);

	if (v == NULL)
		return -EINVAL;
	if ((*v >> 4) == 4) {
		const struct sl_ipv4_hdr *ip = net_read(p, l3_off, sizeof(*ip), &tmp);
		uint32_t ihl, tot;

		if (ip == NULL)
			return -EINVAL;
		ihl = sl_ipv4_hdr_len(ip);
		tot = sl_ntohs(ip->total_length);
		if (ihl < SL_IPV4_HDR_LEN || tot < ihl || l4_off != l3_off + ihl)
			return -EINVAL;
		d->len = tot - ihl;
		d->proto = ip->next_proto_id;
		d->phdr = phdr4(ip, d->len);
	} else if ((*v >> 4) == 6) {
		struct sl_ipv6_hdr ip6;
		const struct sl_ipv6_hdr *h = net_read(p, l3_off, sizeof(ip6), &tmp);
		uint32_t off, payload;
		uint8_t nh;
		unsigned i;

		if (h == NULL)
			return -EINVAL;
		ip6 = *h;
		payload = sl_ntohs(ip6.payload_len);
		off = l3_off + SL_IPV6_HDR_LEN;
		nh = ip6.proto;
		/* Walk extension headers up to l4_off (bounded like the parser). */
		for (i = 0; off < l4_off && i < 16; i++) {
			uint8_t eh[2];
			const uint8_t *e;
			uint32_t elen;

			if (nh != SL_IPPROTO_HOPOPTS && nh != SL_IPPROTO_ROUTING &&
			    nh != SL_IPPROTO_DSTOPTS && nh != SL_IPPROTO_FRAGMENT &&
			    nh != SL_IPPROTO_AH)
				return -EINVAL;
			e = net_read(p, off, 2, eh);
			if (e == NULL)
				return -EINVAL;
			if (nh == SL_IPPROTO_FRAGMENT)
				elen = 8;
			else if (nh == SL_IPPROTO_AH)
				elen = ((uint32_t)e[1] + 2) * 4;
			else
				elen = ((uint32_t)e[1] + 1) * 8;
			nh = e[0];
			off += elen;
		}
		if (off != l4_off || l4_off - l3_off - SL_IPV6_HDR_LEN > payload)
			return -EINVAL;
		d->len = payload - (l4_off - l3_off - SL_IPV6_HDR_LEN);
		d->proto = nh;
		d->phdr = phdr6(&ip6, d->len, nh);
	} else {
		return -EINVAL;
	}
	if ((uint64_t)l4_off + d->len > p->pkt_len)
		return -EINVAL;
	return 0;
}

int sl_udptcp_cksum_pkt(const struct sl_pktbuf *p, uint32_t l3_off, uint32_t l4_off)
{
	struct l4_desc d;
	uint32_t s;
	uint16_t field = 0, fbuf;
	int off, rc;

	rc = describe_l4(p, l3_off, l4_off, &d);
	if (rc < 0)
		return rc;
	if (pkt_sum(p, l4_off, d.len, &s) < 0)
		return -EINVAL;
	off = cksum_field(d.proto);
	if (off >= 0 && (uint32_t)off + 2 <= d.len) {
		const void *f = net_read(p, l4_off + (uint32_t)off, 2, &fbuf);

		if (f == NULL)
			return -EINVAL;
		field = load16(f);
	}
	return finish_l4(add32(s, d.phdr), d.proto, off, d.len, field);
}

/* Writes len bytes at off of a chain (lib/net stands without pktbuf.c: the fuzzers link
 * it alone); -EINVAL past the end. */
static int put_bytes(struct sl_pktbuf *p, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *b = src;

	for (uint32_t i = 0; i < len; i++) {
		struct sl_pktbuf *seg = p;
		uint32_t o = off + i;

		while (seg != NULL && o >= seg->data_len) {
			o -= seg->data_len;
			seg = seg->next;
		}
		if (seg == NULL)
			return -EINVAL;
		sl_pktbuf_mtod(seg, uint8_t *)[o] = b[i];
	}
	return 0;
}

int sl_udptcp_cksum_pkt_set(struct sl_pktbuf *p, uint32_t l3_off, uint32_t l4_off)
{
	struct l4_desc d;
	int c = sl_udptcp_cksum_pkt(p, l3_off, l4_off);
	int off;
	uint16_t v;

	if (c < 0)
		return c;
	describe_l4(p, l3_off, l4_off, &d); /* succeeded just above */
	off = cksum_field(d.proto);
	if (off < 0 || (uint32_t)off + 2 > d.len)
		return -EINVAL;
	v = (uint16_t)c;
	return put_bytes(p, l4_off + (uint32_t)off, &v, 2);
}

int sl_udptcp_cksum_pkt_verify(const struct sl_pktbuf *p, uint32_t l3_off, uint32_t l4_off)
{
	struct l4_desc d;
	uint32_t s;
	uint16_t fbuf;
	int rc;

	rc = describe_l4(p, l3_off, l4_off, &d);
	if (rc < 0)
		return rc;
	if (d.proto == SL_IPPROTO_UDP && d.len >= 8) {
		const uint8_t *v = net_read(p, l3_off, 1, &fbuf);
		const void *f = net_read(p, l4_off + 6, 2, &fbuf);

		if (v != NULL && (*v >> 4) == 4 && f != NULL && load16(f) == 0)
			return 0;
	}
	if (pkt_sum(p, l4_off, d.len, &s) < 0)
		return -EINVAL;
	return sl_cksum_fold(add32(s, d.phdr)) == 0xffff ? 0 : -EBADMSG;
}
