/* SPDX-License-Identifier: BSD-3-Clause */
/* Checksum tests against a straightforward big-endian reference implementation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "net_test.h"
#include "sl_cksum.h"

/* RFC 1071 the slow way: 16-bit big-endian words, end-around carry. */
static uint32_t ref_add(const uint8_t *b, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* Reference UDP/TCP checksum (host order) of L4 bytes l4[0..len) with the field zeroed. */
static uint16_t ref_l4(int v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		       const uint8_t *l4, uint32_t len)
{
	uint8_t ph[40], tmp[4096];
	uint32_t s, alen = v6 ? 16 : 4, fo = proto == SL_IPPROTO_TCP ? 16 : 6;
	uint16_t c;

	memcpy(ph, src, alen);
	memcpy(ph + alen, dst, alen);
	memcpy(tmp, l4, len);
	if (fo + 2 <= len)
		tmp[fo] = tmp[fo + 1] = 0;
	s = ref_add(ph, 2 * alen, 0);
	s += proto;
	s += len >> 16;
	s += len & 0xffff;
	s = ref_add(tmp, len, s);
	c = (uint16_t)~s;
	return proto == SL_IPPROTO_UDP && c == 0 ? 0xffff : c;
}

static void test_ipv4_known(void **state)
{
	/* A classic example header; its checksum is 0xb861. */
	uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)h;

	(void)state;
	assert_int_equal(sl_ntohs(sl_ipv4_cksum(ip)), 0xb861);
	assert_int_equal(sl_ipv4_cksum_verify(ip), 0);
	ip->hdr_checksum = 0x1234; /* the current value does not matter */
	assert_int_equal(sl_ntohs(sl_ipv4_cksum(ip)), 0xb861);
	assert_int_equal(sl_ipv4_cksum_verify(ip), -EBADMSG);
	ip->version_ihl = 0x44;
	assert_int_equal(sl_ipv4_cksum_verify(ip), -EINVAL);
}

static void test_ipv4_options(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		uint8_t h[60];
		struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)h;
		unsigned words = 5 + (unsigned)(rnd() % 11), j;

		for (j = 0; j < sizeof(h); j++)
			h[j] = (uint8_t)rnd();
		ip->version_ihl = (uint8_t)(0x40 | words);
		ip->hdr_checksum = 0;
		assert_int_equal(sl_ntohs(sl_ipv4_cksum(ip)), (uint16_t)~ref_add(h, words * 4, 0));
		ip->hdr_checksum = sl_ipv4_cksum(ip);
		assert_int_equal(sl_ipv4_cksum_verify(ip), 0);
		h[1 + rnd() % (words * 4 - 1)] ^= (uint8_t)(1 + rnd() % 255); /* not the IHL */
		assert_int_equal(sl_ipv4_cksum_verify(ip), -EBADMSG);
	}
}

static void test_raw_vs_ref(void **state)
{
	uint8_t buf[400];
	unsigned len, off, j;

	(void)state;
	for (j = 0; j < sizeof(buf); j++)
		buf[j] = (uint8_t)rnd();
	for (len = 0; len <= 300; len++)
		for (off = 0; off < 8; off++) {
			uint16_t lib = sl_cksum_fold(sl_cksum_raw(buf + off, len, 0));

			assert_int_equal(sl_ntohs(lib), ref_add(buf + off, len, 0));
		}
	/* all 0xff: the largest sums, carries everywhere */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(sl_cksum_fold(sl_cksum_raw(buf, sizeof(buf), 0xffffffff)), 0xffff);
	/* chaining: the sum of two halves (even split) equals the sum of the whole */
	for (j = 0; j < sizeof(buf); j++)
		buf[j] = (uint8_t)rnd();
	assert_int_equal(sl_cksum_fold(sl_cksum_raw(buf + 100, 300, sl_cksum_raw(buf, 100, 0))),
			 sl_cksum_fold(sl_cksum_raw(buf, 400, 0)));
}

/* Builds a random UDP or TCP packet over IPv4 or IPv6 (IPv6 maybe with extension headers);
 * returns the L3 and L4 offsets and the reference checksum. */
static void build_l4(struct pb *pb, int v6, uint8_t proto, uint32_t payload, int ext,
		     uint32_t *l3, uint32_t *l4)
{
	memset(pb, 0, sizeof(*pb));
	pb_eth(pb, v6 ? SL_ETHER_TYPE_IPV6 : SL_ETHER_TYPE_IPV4);
	*l3 = pb->len;
	if (v6) {
		if (ext) {
			pb_ipv6(pb, SL_IPPROTO_HOPOPTS);
			pb_ext(pb, SL_IPPROTO_DSTOPTS, 0);
			pb_ext(pb, proto, 2);
		} else {
			pb_ipv6(pb, proto);
		}
	} else {
		pb_ipv4(pb, proto, (unsigned)(rnd() % 3));
	}
	*l4 = pb->len;
	if (proto == SL_IPPROTO_UDP)
		pb_udp(pb, (uint16_t)rnd(), (uint16_t)rnd());
	else
		pb_tcp(pb, 5 + (unsigned)(rnd() % 11));
	pb_bytes(pb, payload);
	pb_finish(pb);
	/* random garbage in the checksum field: the functions must ignore it */
	pb->b[*l4 + (proto == SL_IPPROTO_UDP ? 6 : 16)] = (uint8_t)rnd();
}

static uint16_t ref_of(struct pb *pb, int v6, uint8_t proto, uint32_t l3, uint32_t l4)
{
	const uint8_t *h = pb->b + l3;

	return ref_l4(v6, v6 ? h + 8 : h + 12, v6 ? h + 24 : h + 16, proto, pb->b + l4,
		      pb->len - l4);
}

static void test_udptcp_random(void **state)
{
	unsigned iter;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		struct pb pb;
		int v6 = (int)(rnd() & 1), ext = v6 && (rnd() & 1);
		uint8_t proto = (rnd() & 1) ? SL_IPPROTO_UDP : SL_IPPROTO_TCP;
		uint32_t l3, l4, pay = (uint32_t)(rnd() % 1500),
				 fo = proto == SL_IPPROTO_UDP ? 6 : 16;
		uint16_t ref, c;
		struct sl_pktbuf *p;
		int rc;

		build_l4(&pb, v6, proto, pay, ext, &l3, &l4);
		ref = ref_of(&pb, v6, proto, l3, l4);
		if (!ext) {
			c = v6 ? sl_ipv6_udptcp_cksum((void *)(pb.b + l3), pb.b + l4)
			       : sl_ipv4_udptcp_cksum((void *)(pb.b + l3), pb.b + l4);
			assert_int_equal(sl_ntohs(c), ref);
		}
		/* one segment, then random splits */
		p = pkt_make1(pb.b, pb.len);
		rc = sl_udptcp_cksum_pkt(p, l3, l4);
		pkt_free(p);
		assert_int_equal(rc, sl_htons(ref));
		p = pkt_make_random(pb.b, pb.len, 1 + iter % 20);
		rc = sl_udptcp_cksum_pkt(p, l3, l4);
		assert_int_equal(rc, sl_htons(ref));
		pkt_free(p);
		/* store it: verify passes; flip a byte of L4 (not the UDP checksum): it fails */
		c = sl_htons(ref);
		memcpy(pb.b + l4 + fo, &c, 2);
		if (!ext) {
			assert_int_equal(
				v6 ? sl_ipv6_udptcp_cksum_verify((void *)(pb.b + l3), pb.b + l4)
				   : sl_ipv4_udptcp_cksum_verify((void *)(pb.b + l3), pb.b + l4),
				0);
		}
		p = pkt_make_random(pb.b, pb.len, 8);
		assert_int_equal(sl_udptcp_cksum_pkt_verify(p, l3, l4), 0);
		pkt_free(p);
		{
			uint32_t at;

			do
				at = l4 + (uint32_t)(rnd() % (pb.len - l4));
			while (at == l4 + fo || at == l4 + fo + 1);
			pb.b[at] ^= (uint8_t)(1 + rnd() % 255);
		}
		p = pkt_make_random(pb.b, pb.len, 8);
		assert_int_equal(sl_udptcp_cksum_pkt_verify(p, l3, l4), -EBADMSG);
		/* set: stores the right checksum in place, across segments */
		assert_int_equal(sl_udptcp_cksum_pkt_set(p, l3, l4), 0);
		assert_int_equal(sl_udptcp_cksum_pkt_verify(p, l3, l4), 0);
		pkt_free(p);
		if (!ext) {
			assert_int_equal(
				v6 ? sl_ipv6_udptcp_cksum_verify((void *)(pb.b + l3), pb.b + l4)
				   : sl_ipv4_udptcp_cksum_verify((void *)(pb.b + l3), pb.b + l4),
				-EBADMSG);
		}
	}
}

/* A packet whose sum is exactly 0xFFFF: TCP sends 0, UDP sends 0xFFFF. */
static void test_zero_result(void **state)
{
	int v6, tcp;

	(void)state;
	for (v6 = 0; v6 < 2; v6++)
		for (tcp = 0; tcp < 2; tcp++) {
			struct pb pb;
			uint8_t proto = tcp ? SL_IPPROTO_TCP : SL_IPPROTO_UDP;
			uint32_t l3, l4;
			uint16_t ref, x, c;
			struct sl_pktbuf *p;

			build_l4(&pb, v6, proto, 20, 0, &l3, &l4);
			pb.b[pb.len - 2] = pb.b[pb.len - 1] = 0;
			ref = ref_of(&pb, v6, proto, l3, l4);
			/* ref = ~S (or 0xFFFF for UDP when S = 0xFFFF); add X = 0xFFFF - S */
			x = (uint16_t)(0xffff - (uint16_t)~ref);
			pb.b[pb.len - 2] = (uint8_t)(x >> 8);
			pb.b[pb.len - 1] = (uint8_t)x;
			c = v6 ? sl_ipv6_udptcp_cksum((void *)(pb.b + l3), pb.b + l4)
			       : sl_ipv4_udptcp_cksum((void *)(pb.b + l3), pb.b + l4);
			assert_int_equal(c, tcp ? 0 : 0xffff);
			p = pkt_make1(pb.b, pb.len);
			assert_int_equal(sl_udptcp_cksum_pkt(p, l3, l4), tcp ? 0 : 0xffff);
			memcpy(pb.b + l4 + (tcp ? 16 : 6), &c, 2);
			pkt_free(p);
			p = pkt_make1(pb.b, pb.len);
			assert_int_equal(sl_udptcp_cksum_pkt_verify(p, l3, l4), 0);
			pkt_free(p);
		}
}

static void test_udp_no_cksum(void **state)
{
	struct pb pb;
	uint32_t l3, l4;
	struct sl_pktbuf *p;

	(void)state;
	build_l4(&pb, 0, SL_IPPROTO_UDP, 33, 0, &l3, &l4);
	pb.b[l4 + 6] = pb.b[l4 + 7] = 0;
	assert_int_equal(sl_ipv4_udptcp_cksum_verify((void *)(pb.b + l3), pb.b + l4), 0);
	p = pkt_make(pb.b, pb.len, (uint32_t[]){l4 + 7}, 1); /* field split over segments */
	assert_int_equal(sl_udptcp_cksum_pkt_verify(p, l3, l4), 0);
	pkt_free(p);
	/* over IPv6 a zero UDP checksum is invalid */
	build_l4(&pb, 1, SL_IPPROTO_UDP, 33, 0, &l3, &l4);
	pb.b[l4 + 6] = pb.b[l4 + 7] = 0;
	assert_int_equal(sl_ipv6_udptcp_cksum_verify((void *)(pb.b + l3), pb.b + l4), -EBADMSG);
	p = pkt_make1(pb.b, pb.len);
	assert_int_equal(sl_udptcp_cksum_pkt_verify(p, l3, l4), -EBADMSG);
	pkt_free(p);
}

static void test_pkt_bad_args(void **state)
{
	struct pb pb;
	uint32_t l3, l4;
	struct sl_pktbuf *p;

	(void)state;
	build_l4(&pb, 0, SL_IPPROTO_TCP, 10, 0, &l3, &l4);
	p = pkt_make1(pb.b, pb.len);
	assert_int_equal(sl_udptcp_cksum_pkt(p, l3, l4 + 4), -EINVAL); /* not after the IHL */
	assert_int_equal(sl_udptcp_cksum_pkt_set(p, l3, l4 + 4), -EINVAL);
	assert_int_equal(sl_udptcp_cksum_pkt(p, l3 + 1, l4), -EINVAL);
	assert_int_equal(sl_udptcp_cksum_pkt(p, pb.len, pb.len), -EINVAL);
	assert_int_equal(sl_udptcp_cksum_pkt(p, 100000, 100020), -EINVAL);
	pkt_free(p);
	/* total_length past the packet */
	p = pkt_make1(pb.b, pb.len - 1);
	assert_int_equal(sl_udptcp_cksum_pkt(p, l3, l4), -EINVAL);
	pkt_free(p);
	pb.b[l3] = 0x44; /* IHL 4 */
	p = pkt_make1(pb.b, pb.len);
	assert_int_equal(sl_udptcp_cksum_pkt(p, l3, l3 + 16), -EINVAL);
	pkt_free(p);
	/* IPv6: l4_off inside the extension chain */
	build_l4(&pb, 1, SL_IPPROTO_UDP, 10, 1, &l3, &l4);
	p = pkt_make1(pb.b, pb.len);
	assert_int_equal(sl_udptcp_cksum_pkt(p, l3, l4 - 8), -EINVAL);
	assert_true(sl_udptcp_cksum_pkt(p, l3, l4) >= 0);
	pkt_free(p);
	/* a chain shorter than pkt_len says */
	build_l4(&pb, 0, SL_IPPROTO_UDP, 100, 0, &l3, &l4);
	p = pkt_make(pb.b, pb.len, (uint32_t[]){60}, 1);
	pkt_free(p->next);
	p->next = NULL;
	assert_int_equal(sl_udptcp_cksum_pkt(p, l3, l4), -EINVAL);
	assert_int_equal(sl_udptcp_cksum_pkt_verify(p, l3, l4), -EINVAL);
	pkt_free(p);
}

static void test_phdr(void **state)
{
	struct pb pb;
	uint32_t l3, l4;
	const uint8_t *h;
	uint8_t ph[40];
	uint32_t s, len;

	(void)state;
	build_l4(&pb, 0, SL_IPPROTO_UDP, 77, 0, &l3, &l4);
	h = pb.b + l3;
	len = pb.len - l4;
	s = ref_add(h + 12, 8, 0) + SL_IPPROTO_UDP + len;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	assert_int_equal(sl_ntohs(sl_ipv4_phdr_cksum((const void *)h)), s);
	build_l4(&pb, 1, SL_IPPROTO_TCP, 77, 0, &l3, &l4);
	h = pb.b + l3;
	len = pb.len - l4;
	memcpy(ph, h + 8, 32);
	s = ref_add(ph, 32, 0) + SL_IPPROTO_TCP + len;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	assert_int_equal(sl_ntohs(sl_ipv6_phdr_cksum((const void *)h)), s);
	assert_int_equal(sl_ipv6_phdr_cksum_ext((const void *)h, len, SL_IPPROTO_TCP),
			 sl_ipv6_phdr_cksum((const void *)h));
}

/* RFC 1624 updates equal full recomputation for TTL, address and port rewrites. */
static void test_incremental(void **state)
{
	unsigned iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		struct pb pb;
		uint8_t proto = (iter & 1) ? SL_IPPROTO_UDP : SL_IPPROTO_TCP;
		uint32_t l3, l4, na;
		struct sl_ipv4_hdr *ip;
		uint16_t *l4c, np, *port, old;
		int rc;

		build_l4(&pb, 0, proto, (uint32_t)(rnd() % 200), 0, &l3, &l4);
		ip = (struct sl_ipv4_hdr *)(pb.b + l3);
		l4c = (uint16_t *)(pb.b + l4 + (proto == SL_IPPROTO_UDP ? 6 : 16));
		ip->time_to_live = (uint8_t)rnd();
		ip->src_addr = (uint32_t)rnd();
		ip->hdr_checksum = sl_ipv4_cksum(ip);
		*l4c = sl_ipv4_udptcp_cksum(ip, pb.b + l4);

		/* TTL */
		rc = sl_ipv4_ttl_dec(ip);
		if (rc < 0) {
			assert_int_equal(rc, -ETIMEDOUT);
			assert_true(ip->time_to_live <= 1);
			assert_int_equal(sl_ipv4_cksum_verify(ip), 0);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(ip->hdr_checksum, sl_ipv4_cksum(ip));
		assert_int_equal(sl_ipv4_cksum_verify(ip), 0);

		/* SNAT: source address, IP and L4 checksums */
		na = (uint32_t)rnd();
		if (iter % 7 == 0)
			na = ip->src_addr; /* no change */
		ip->hdr_checksum = sl_cksum_update32(ip->hdr_checksum, ip->src_addr, na);
		old = *l4c;
		*l4c = sl_cksum_update32(*l4c, ip->src_addr, na);
		if (proto == SL_IPPROTO_UDP)
			*l4c = sl_udp_cksum_fixup(*l4c);
		ip->src_addr = na;
		assert_int_equal(ip->hdr_checksum, sl_ipv4_cksum(ip));
		assert_int_equal(*l4c, sl_ipv4_udptcp_cksum(ip, pb.b + l4));
		(void)old;

		/* PAT: destination port */
		port = (uint16_t *)(pb.b + l4 + 2);
		np = (uint16_t)rnd();
		*l4c = sl_cksum_update16(*l4c, *port, np);
		if (proto == SL_IPPROTO_UDP)
			*l4c = sl_udp_cksum_fixup(*l4c);
		*port = np;
		assert_int_equal(*l4c, sl_ipv4_udptcp_cksum(ip, pb.b + l4));
		assert_int_equal(sl_ipv4_udptcp_cksum_verify(ip, pb.b + l4), 0);
	}
}

static void test_ttl_expired(void **state)
{
	struct sl_ipv4_hdr ip;

	(void)state;
	memset(&ip, 0, sizeof(ip));
	ip.version_ihl = 0x45;
	ip.time_to_live = 1;
	ip.hdr_checksum = sl_ipv4_cksum(&ip);
	assert_int_equal(sl_ipv4_ttl_dec(&ip), -ETIMEDOUT);
	assert_int_equal(ip.time_to_live, 1);
	ip.time_to_live = 0;
	assert_int_equal(sl_ipv4_ttl_dec(&ip), -ETIMEDOUT);
	ip.time_to_live = 2;
	ip.hdr_checksum = sl_ipv4_cksum(&ip);
	assert_int_equal(sl_ipv4_ttl_dec(&ip), 0);
	assert_int_equal(ip.time_to_live, 1);
	assert_int_equal(sl_ipv4_cksum_verify(&ip), 0);
}

int run_cksum_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_known),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_raw_vs_ref),
		cmocka_unit_test(test_udptcp_random),
		cmocka_unit_test(test_zero_result),
		cmocka_unit_test(test_udp_no_cksum),
		cmocka_unit_test(test_pkt_bad_args),
		cmocka_unit_test(test_phdr),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_ttl_expired),
	};

	return cmocka_run_group_tests_name("net_cksum", tests, NULL, NULL);
}
