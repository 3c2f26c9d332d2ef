/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/net tests: struct layouts and address helpers here; the other groups in their files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "net_test.h"
#include "sl_net.h"

static void test_struct_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct sl_ether_hdr), 14);
	assert_int_equal(sizeof(struct sl_vlan_hdr), 4);
	assert_int_equal(sizeof(struct sl_arp_hdr), 28);
	assert_int_equal(sizeof(struct sl_ipv4_hdr), 20);
	assert_int_equal(sizeof(struct sl_ipv6_hdr), 40);
	assert_int_equal(sizeof(struct sl_ipv6_frag_hdr), 8);
	assert_int_equal(sizeof(struct sl_icmp_hdr), 8);
	assert_int_equal(sizeof(struct sl_icmp6_hdr), 4);
	assert_int_equal(sizeof(struct sl_udp_hdr), 8);
	assert_int_equal(sizeof(struct sl_tcp_hdr), 20);
	assert_int_equal(sizeof(struct sl_sctp_hdr), 12);
	assert_int_equal(sizeof(struct sl_vxlan_hdr), 8);
	assert_int_equal(sizeof(struct sl_geneve_hdr), 8);
	assert_int_equal(sizeof(struct sl_gre_hdr), 4);
	assert_int_equal(offsetof(struct sl_ipv4_hdr, hdr_checksum), 10);
	assert_int_equal(offsetof(struct sl_ipv4_hdr, src_addr), 12);
	assert_int_equal(offsetof(struct sl_ipv6_hdr, src_addr), 8);
	assert_int_equal(offsetof(struct sl_ipv6_hdr, dst_addr), 24);
	assert_int_equal(offsetof(struct sl_udp_hdr, dgram_cksum), 6);
	assert_int_equal(offsetof(struct sl_tcp_hdr, data_off), 12);
	assert_int_equal(offsetof(struct sl_arp_hdr, data) + offsetof(struct sl_arp_ipv4, tip), 24);
	/* byte order macros fold to constants */
	static_assert(sl_htons(0x0800) ==
			      (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0x0008 : 0x0800),
		      "htons");
}

static void test_ether_addr(void **state)
{
	struct sl_ether_addr a, b;
	char buf[SL_ETHER_ADDR_FMT_SIZE];
	static const char *const bad[] = {
		"", "00:11:22:33:44", "00:11:22:33:44:55:66", "zz:11:22:33:44:55", "0:11:22:33:44:55",
		"00:11:22:33:44:5", "00:11-22:33:44:55", "00:11:22:33:44:55 ", " 00:11:22:33:44:55",
		"001122334455", "00::11:22:33:44", "00:11:22:33:44:555", "0g:11:22:33:44:55",
		"00:11:22:33:44:", ":",
	};
	unsigned i;

	(void)state;
	assert_int_equal(sl_ether_addr_parse("00:11:22:aa:BB:cc", &a), 0);
	assert_memory_equal(a.bytes, "\x00\x11\x22\xaa\xbb\xcc", 6);
	assert_int_equal(sl_ether_addr_format(buf, sizeof(buf), &a), 17);
	assert_string_equal(buf, "00:11:22:aa:bb:cc");
	assert_int_equal(sl_ether_addr_parse("00-11-22-aa-bb-cc", &b), 0);
	assert_memory_equal(a.bytes, b.bytes, 6);
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		memset(&b, 0x5a, sizeof(b));
		if (sl_ether_addr_parse(bad[i], &b) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_memory_equal(b.bytes, "\x5a\x5a\x5a\x5a\x5a\x5a", 6); /* untouched */
	}
	assert_int_equal(sl_ether_addr_parse(NULL, &b), -EINVAL);
	assert_int_equal(sl_ether_addr_format(buf, 17, &a), -ENOSPC);
	assert_string_equal(buf, "");
	/* random round trips */
	for (i = 0; i < 1000; i++) {
		uint64_t r = rnd();

		memcpy(a.bytes, &r, 6);
		assert_int_equal(sl_ether_addr_format(buf, sizeof(buf), &a), 17);
		assert_int_equal(sl_ether_addr_parse(buf, &b), 0);
		assert_memory_equal(a.bytes, b.bytes, 6);
	}
}

static void test_ipv4_addr(void **state)
{
	char buf[SL_IPV4_PREFIX_FMT_SIZE];
	uint32_t a;
	uint8_t d;
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "01.2.3.4", "1..2.3", "1.2.3.",
		".1.2.3", "1.2.3.4 ", "a.b.c.d", "1.2.3.-4", "1.2.3.4/", "4294967296.0.0.0", "1,2.3.4",
	};
	unsigned i;

	(void)state;
	assert_int_equal(sl_ipv4_addr_parse("10.0.0.1", &a), 0);
	assert_int_equal(a, sl_htonl(0x0a000001)); /* network order */
	assert_int_equal(sl_ipv4_addr_parse("255.255.255.255", &a), 0);
	assert_int_equal(a, 0xffffffffu);
	assert_int_equal(sl_ipv4_addr_parse("0.0.0.0", &a), 0);
	assert_int_equal(a, 0);
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		a = 0x5a5a5a5a;
		if (sl_ipv4_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(a, 0x5a5a5a5a);
	}
	assert_int_equal(sl_ipv4_addr_format(buf, sizeof(buf), sl_htonl(0xc0a80164)), 13);
	assert_string_equal(buf, "192.168.1.100");
	assert_int_equal(sl_ipv4_addr_format(buf, 5, sl_htonl(0xc0a80164)), -ENOSPC);
	for (i = 0; i < 1000; i++) {
		uint32_t v = (uint32_t)rnd(), w;

		assert_true(sl_ipv4_addr_format(buf, sizeof(buf), v) > 0);
		assert_int_equal(sl_ipv4_addr_parse(buf, &w), 0);
		assert_int_equal(v, w);
	}
	/* prefixes */
	assert_int_equal(sl_ipv4_prefix_parse("10.0.0.0/8", &a, &d), 0);
	assert_int_equal(a, sl_htonl(0x0a000000));
	assert_int_equal(d, 8);
	assert_int_equal(sl_ipv4_prefix_parse("0.0.0.0/0", &a, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(sl_ipv4_prefix_parse("1.2.3.4", &a, &d), 0);
	assert_int_equal(d, 32);
	assert_int_equal(sl_ipv4_prefix_parse("1.2.3.4/32", &a, &d), 0);
	assert_int_equal(sl_ipv4_prefix_parse("10.1.0.0/8", &a, &d), -EINVAL); /* host bits */
	assert_int_equal(sl_ipv4_prefix_parse("10.0.0.0/33", &a, &d), -EINVAL);
	assert_int_equal(sl_ipv4_prefix_parse("10.0.0.0/", &a, &d), -EINVAL);
	assert_int_equal(sl_ipv4_prefix_parse("10.0.0.0/08", &a, &d), -EINVAL);
	assert_int_equal(sl_ipv4_prefix_parse("10.0.0.0/8/8", &a, &d), -EINVAL);
	assert_int_equal(sl_ipv4_prefix_parse("10.0.0/8", &a, &d), -EINVAL);
	assert_int_equal(sl_ipv4_prefix_format(buf, sizeof(buf), sl_htonl(0x0a000000), 8), 10);
	assert_string_equal(buf, "10.0.0.0/8");
}

static void test_ipv6_addr(void **state)
{
	uint8_t a[16], b[16];
	char buf[SL_IPV6_PREFIX_FMT_SIZE];
	uint8_t d;
	static const char *const bad[] = {
		"", ":", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::",
		"::1 ", "1.2.3.4", "::ffff:1.2.3", "2001:db8::/", "[::1]",
	};
	unsigned i;

	(void)state;
	assert_int_equal(sl_ipv6_addr_parse("2001:db8::1", a), 0);
	assert_memory_equal(a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_int_equal(sl_ipv6_addr_format(buf, sizeof(buf), a), 11);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(sl_ipv6_addr_parse("::ffff:10.0.0.1", a), 0);
	assert_memory_equal(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\0\0\x01", 16);
	assert_int_equal(sl_ipv6_addr_parse("2001:DB8:0:0:1:0:0:1", a), 0);
	sl_ipv6_addr_format(buf, sizeof(buf), a);
	assert_string_equal(buf, "2001:db8::1:0:0:1"); /* RFC 5952: first longest run */
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++)
		if (sl_ipv6_addr_parse(bad[i], b) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(sl_ipv6_addr_format(buf, 4, a), -ENOSPC);
	for (i = 0; i < 1000; i++) {
		unsigned j;

		for (j = 0; j < 16; j++) /* many zero bytes, to exercise "::" */
			a[j] = rnd() % 3 ? 0 : (uint8_t)rnd();
		assert_true(sl_ipv6_addr_format(buf, sizeof(buf), a) > 0);
		assert_int_equal(sl_ipv6_addr_parse(buf, b), 0);
		assert_memory_equal(a, b, 16);
	}
	assert_int_equal(sl_ipv6_prefix_parse("2001:db8::/32", a, &d), 0);
	assert_int_equal(d, 32);
	assert_int_equal(sl_ipv6_prefix_parse("2001:db9::/31", a, &d), -EINVAL);
	assert_int_equal(sl_ipv6_prefix_parse("2001:db8::1/127", a, &d), -EINVAL);
	assert_int_equal(sl_ipv6_prefix_parse("2001:db8::1/128", a, &d), 0);
	assert_int_equal(sl_ipv6_prefix_parse("::/0", a, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(sl_ipv6_prefix_parse("fe80::", a, &d), 0);
	assert_int_equal(d, 128);
	assert_int_equal(sl_ipv6_prefix_parse("fe80::/129", a, &d), -EINVAL);
	assert_int_equal(sl_ipv6_prefix_parse("fe80::/10", a, &d), 0);
	assert_int_equal(sl_ipv6_prefix_parse("fee0::/10", a, &d), -EINVAL);
	assert_int_equal(sl_ipv6_prefix_parse("fe80::/10", a, &d), 0);
	assert_int_equal(sl_ipv6_prefix_format(buf, sizeof(buf), a, d), 9);
	assert_string_equal(buf, "fe80::/10");
}

int run_addr_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_struct_layout),
		cmocka_unit_test(test_ether_addr),
		cmocka_unit_test(test_ipv4_addr),
		cmocka_unit_test(test_ipv6_addr),
	};

	return cmocka_run_group_tests_name("net_addr", tests, NULL, NULL);
}

int main(void)
{
	int failed = 0;

	failed += run_addr_tests();
	failed += run_cksum_tests();
	failed += run_parse_tests();
	failed += run_rss_tests();
	return failed ? 1 : 0;
}
