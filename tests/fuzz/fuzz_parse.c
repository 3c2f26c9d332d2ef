/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the packet parser and the checksum of what it parsed.
 *
 * Input: byte 0 chooses the segmentation (low 3 bits: 1-8 segments; the rest seeds where
 * the cuts go), the remaining bytes are the packet.  Each segment lives in its own malloc()
 * of exactly its length, so AddressSanitizer sees any read past a segment.
 *
 * Besides "no crash, no over-read", it checks properties and traps when one fails:
 *  - the result is the same for the segmented packet and a one-segment copy;
 *  - offsets and lengths stay inside the packet;
 *  - a packet the parser accepted with TCP/UDP has a computable L4 checksum, the same from
 *    the segmented chain and from contiguous memory, and an IPv4 header checksum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sl_cksum.h"
#include "sl_parse.h"
#include "sl_pktbuf.h"

#define CHECK(c)                                                                          \
	do {                                                                               \
		if (!(c))                                                                  \
			__builtin_trap();                                                  \
	} while (0)

static struct sl_pktbuf *make(const uint8_t *data, uint32_t len, unsigned nsegs, uint32_t seed)
{
	struct sl_pktbuf *head = NULL, *prev = NULL;
	uint32_t start = 0;
	unsigned i;

	for (i = 0; i < nsegs; i++) {
		uint32_t end;
		struct sl_pktbuf *s = aligned_alloc(SL_CACHE_LINE, sizeof(*s));

		seed = seed * 1103515245u + 12345u;
		end = i + 1 == nsegs ? len
				     : start + (len - start ? (seed >> 8) % (len - start + 1) : 0);
		memset(s, 0, sizeof(*s));
		s->buf_addr = malloc(end - start ? end - start : 1);
		memcpy(s->buf_addr, data + start, end - start);
		s->data_len = (uint16_t)(end - start);
		s->buf_len = s->data_len;
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
	head->nb_segs = (uint16_t)nsegs;
	return head;
}

static void drop(struct sl_pktbuf *p)
{
	while (p) {
		struct sl_pktbuf *n = p->next;

		free(p->buf_addr);
		free(p);
		p = n;
	}
}

/* L4 checksum checks for one level (outer or inner) of an accepted packet. */
static void check_l4(const struct sl_pktbuf *seg, const uint8_t *flat, uint32_t ptype,
		     uint32_t l3_off, uint32_t l3_len, uint32_t l4_off)
{
	uint32_t l4 = ptype & SL_PTYPE_L4_MASK, l3 = ptype & SL_PTYPE_L3_MASK;
	int a, b;

	if (l4 != SL_PTYPE_L4_TCP && l4 != SL_PTYPE_L4_UDP)
		return;
	a = sl_udptcp_cksum_pkt(seg, l3_off, l4_off);
	CHECK(a >= 0);
	(void)sl_udptcp_cksum_pkt_verify(seg, l3_off, l4_off);
	if (l3 == SL_PTYPE_L3_IPV4 || l3 == SL_PTYPE_L3_IPV4_EXT) {
		const struct sl_ipv4_hdr *ip = (const void *)(flat + l3_off);

		b = sl_ipv4_udptcp_cksum(ip, flat + l4_off);
		CHECK(a == b);
		CHECK(sl_ipv4_cksum_verify(ip) != -EINVAL);
		(void)sl_ipv4_cksum(ip);
	} else if (l3 == SL_PTYPE_L3_IPV6 && l3_len == SL_IPV6_HDR_LEN) {
		b = sl_ipv6_udptcp_cksum((const void *)(flat + l3_off), flat + l4_off);
		CHECK(a == b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_parse_result r1, rn;
	struct sl_pktbuf *one, *seg;
	uint32_t len;
	uint8_t *flat;

	if (size < 1 || size > 65536)
		return 0;
	len = (uint32_t)size - 1;
	one = make(data + 1, len, 1, 0);
	seg = make(data + 1, len, 1 + (data[0] & 7), data[0] >> 3);
	sl_net_parse(one, &r1);
	sl_net_parse(seg, &rn);
	CHECK(memcmp(&r1, &rn, sizeof(r1)) == 0);
	CHECK(one->packet_type == r1.ptype && seg->packet_type == r1.ptype);
	CHECK(r1.l3_off == r1.l2_len && r1.l4_off == r1.l2_len + r1.l3_len);
	CHECK(r1.reason < SL_PARSE_REASON_MAX);
	CHECK((r1.reason != 0) == ((r1.ptype & SL_PTYPE_MALFORMED) != 0));
	if (!(r1.ptype & SL_PTYPE_MALFORMED)) {
		flat = one->buf_addr;
		CHECK((uint32_t)r1.l4_off + r1.l4_len <= len);
		check_l4(seg, flat, r1.ptype, r1.l3_off, r1.l3_len, r1.l4_off);
		if (r1.ptype & SL_PTYPE_TUNNEL_MASK) {
			CHECK(r1.inner_off == r1.tunnel_off + r1.tunnel_len);
			CHECK((uint32_t)r1.inner_l4_off + r1.inner_l4_len <= len);
			check_l4(seg, flat, r1.inner_ptype, r1.inner_l3_off, r1.inner_l3_len,
				 r1.inner_l4_off);
		}
	}
	drop(one);
	drop(seg);
	return 0;
}
