/* SPDX-License-Identifier: BSD-3-Clause */
/* Toeplitz RSS hash tests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "net_test.h"
#include "sl_rss.h"

/*
 * Test vectors from Microsoft, "Verifying the RSS Hash Calculation" (Windows Driver Kit
 * documentation, network/verifying-the-rss-hash-calculation): key sl_rss_key_default,
 * input = source address, destination address[, source port, destination port].
 */
static const struct {
	const char *dst, *src;
	uint16_t dport, sport;
	uint32_t hash_ip, hash_l4;
} ms_v4[] = {
	{"161.142.100.80", "66.9.149.187", 1766, 2794, 0x323e8fc2, 0x51ccc178},
	{"65.69.140.83", "199.92.111.2", 4739, 14230, 0xd718262a, 0xc626b0ea},
	{"12.22.207.184", "24.19.198.95", 38024, 12898, 0xd2d0a5de, 0x5c2b394a},
	{"209.142.163.6", "38.27.205.30", 2217, 48228, 0x82989176, 0xafc7327f},
	{"202.188.127.2", "153.39.163.191", 1303, 44251, 0x5d1809c5, 0x10e828a2},
}, ms_v6[] = {
	{"3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794, 0x2cc18cd5, 0x40207d3d},
	{"ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230, 0x0f0c461c, 0xdde51bbf},
	{"fe80::200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 38024, 44251,
	 0x4b61e985, 0x02d1feef},
};

static void test_ms_vectors(void **state)
{
	struct sl_rss_key *k = sl_rss_key_init(sl_rss_key_default, SL_RSS_KEY_LEN);
	uint8_t t[SL_RSS_IPV6_L4_LEN];
	unsigned i;
	size_t n;

	(void)state;
	assert_non_null(k);
	for (i = 0; i < SL_ARRAY_SIZE(ms_v4); i++) {
		uint32_t s, d;

		assert_int_equal(sl_ipv4_addr_parse(ms_v4[i].src, &s), 0);
		assert_int_equal(sl_ipv4_addr_parse(ms_v4[i].dst, &d), 0);
		n = sl_rss_tuple_ipv4(t, s, d);
		assert_int_equal(n, 8);
		assert_int_equal(sl_rss_toeplitz(t, n, sl_rss_key_default, SL_RSS_KEY_LEN),
				 ms_v4[i].hash_ip);
		assert_int_equal(sl_rss_hash(k, t, n), ms_v4[i].hash_ip);
		n = sl_rss_tuple_ipv4_l4(t, s, d, sl_htons(ms_v4[i].sport),
					 sl_htons(ms_v4[i].dport));
		assert_int_equal(n, 12);
		assert_int_equal(sl_rss_toeplitz(t, n, sl_rss_key_default, SL_RSS_KEY_LEN),
				 ms_v4[i].hash_l4);
		assert_int_equal(sl_rss_hash(k, t, n), ms_v4[i].hash_l4);
	}
	for (i = 0; i < SL_ARRAY_SIZE(ms_v6); i++) {
		uint8_t s[16], d[16];

		assert_int_equal(sl_ipv6_addr_parse(ms_v6[i].src, s), 0);
		assert_int_equal(sl_ipv6_addr_parse(ms_v6[i].dst, d), 0);
		n = sl_rss_tuple_ipv6(t, s, d);
		assert_int_equal(n, 32);
		assert_int_equal(sl_rss_toeplitz(t, n, sl_rss_key_default, SL_RSS_KEY_LEN),
				 ms_v6[i].hash_ip);
		assert_int_equal(sl_rss_hash(k, t, n), ms_v6[i].hash_ip);
		n = sl_rss_tuple_ipv6_l4(t, s, d, sl_htons(ms_v6[i].sport),
					 sl_htons(ms_v6[i].dport));
		assert_int_equal(n, 36);
		assert_int_equal(sl_rss_toeplitz(t, n, sl_rss_key_default, SL_RSS_KEY_LEN),
				 ms_v6[i].hash_l4);
		assert_int_equal(sl_rss_hash(k, t, n), ms_v6[i].hash_l4);
	}
	sl_rss_key_free(k);
}

/* Bit-at-a-time definition, straight from the spec, for cross-checking. */
static uint32_t ref_toeplitz(const uint8_t *in, size_t len, const uint8_t *key, size_t key_len)
{
	uint32_t h = 0;
	size_t b;

	for (b = 0; b < len * 8; b++) {
		uint32_t w = 0;
		size_t j;

		if (!(in[b / 8] & (0x80 >> (b % 8))))
			continue;
		for (j = 0; j < 32; j++) {
			size_t kb = b + j;
			unsigned bit = kb / 8 < key_len ? (key[kb / 8] >> (7 - kb % 8)) & 1 : 0;

			w = w << 1 | bit;
		}
		h ^= w;
	}
	return h;
}

static void test_table_equals_plain(void **state)
{
	uint8_t key[SL_RSS_KEY_MAX_LEN], in[300];
	unsigned iter;

	(void)state;
	for (iter = 0; iter < 300; iter++) {
		size_t key_len = 1 + rnd() % 80, len = rnd() % 100, i;
		struct sl_rss_key *k;

		for (i = 0; i < key_len; i++)
			key[i] = (uint8_t)rnd();
		for (i = 0; i < len; i++)
			in[i] = (uint8_t)rnd();
		k = sl_rss_key_init(key, key_len);
		assert_non_null(k);
		/* short keys (key_len < len + 4) included: missing key bits count as zero */
		assert_int_equal(sl_rss_toeplitz(in, len, key, key_len),
				 ref_toeplitz(in, len, key, key_len));
		assert_int_equal(sl_rss_hash(k, in, len), ref_toeplitz(in, len, key, key_len));
		sl_rss_key_free(k);
	}
}

static void test_symmetric(void **state)
{
	struct sl_rss_key *k = sl_rss_key_init(sl_rss_key_symmetric, SL_RSS_KEY_LEN);
	uint8_t a[40], b[40];
	unsigned i;

	(void)state;
	assert_non_null(k);
	for (i = 0; i < 2000; i++) {
		uint32_t s = (uint32_t)rnd(), d = (uint32_t)rnd();
		uint16_t sp = (uint16_t)rnd(), dp = (uint16_t)rnd();
		uint8_t s6[16], d6[16];
		unsigned j;

		for (j = 0; j < 16; j++) {
			s6[j] = (uint8_t)rnd();
			d6[j] = (uint8_t)rnd();
		}
		if (i % 10 == 0)
			d = s; /* equal addresses: ports decide the order */
		/* the symmetric key, plain tuples */
		sl_rss_tuple_ipv4_l4(a, s, d, sp, dp);
		sl_rss_tuple_ipv4_l4(b, d, s, dp, sp);
		assert_int_equal(sl_rss_hash(k, a, 12), sl_rss_hash(k, b, 12));
		sl_rss_tuple_ipv6_l4(a, s6, d6, sp, dp);
		sl_rss_tuple_ipv6_l4(b, d6, s6, dp, sp);
		assert_int_equal(sl_rss_hash(k, a, 36), sl_rss_hash(k, b, 36));
		assert_int_equal(sl_rss_hash(k, a, 32), sl_rss_hash(k, b, 32));
		sl_rss_tuple_ipv4(a, s, d);
		sl_rss_tuple_ipv4(b, d, s);
		assert_int_equal(sl_rss_toeplitz(a, 8, sl_rss_key_symmetric, 40),
				 sl_rss_toeplitz(b, 8, sl_rss_key_symmetric, 40));
		/* the default key, sorted tuples */
		sl_rss_tuple_ipv4_l4_sym(a, s, d, sp, dp);
		sl_rss_tuple_ipv4_l4_sym(b, d, s, dp, sp);
		assert_memory_equal(a, b, 12);
		sl_rss_tuple_ipv4_sym(a, s, d);
		sl_rss_tuple_ipv4_sym(b, d, s);
		assert_memory_equal(a, b, 8);
		sl_rss_tuple_ipv6_l4_sym(a, s6, d6, sp, dp);
		sl_rss_tuple_ipv6_l4_sym(b, d6, s6, dp, sp);
		assert_memory_equal(a, b, 36);
		sl_rss_tuple_ipv6_sym(a, s6, d6);
		sl_rss_tuple_ipv6_sym(b, d6, s6);
		assert_memory_equal(a, b, 32);
	}
	/* The default key is not symmetric (sanity: the first MS vector reversed differs). */
	sl_rss_tuple_ipv4(a, sl_htonl(0x420995bb), sl_htonl(0xa18e6450));
	sl_rss_tuple_ipv4(b, sl_htonl(0xa18e6450), sl_htonl(0x420995bb));
	assert_int_not_equal(sl_rss_toeplitz(a, 8, sl_rss_key_default, 40),
			     sl_rss_toeplitz(b, 8, sl_rss_key_default, 40));
	sl_rss_key_free(k);
}

static void test_key_errors(void **state)
{
	uint8_t key[SL_RSS_KEY_MAX_LEN + 1] = {0};

	(void)state;
	errno = 0;
	assert_null(sl_rss_key_init(NULL, 40));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(sl_rss_key_init(key, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(sl_rss_key_init(key, SL_RSS_KEY_MAX_LEN + 1));
	assert_int_equal(errno, EINVAL);
	sl_rss_key_free(NULL);
	/* inputs longer than the key: the extra bytes add nothing */
	struct sl_rss_key *k = sl_rss_key_init(sl_rss_key_default, 8);
	uint8_t in[64];

	assert_non_null(k);
	memset(in, 0xff, sizeof(in));
	assert_int_equal(sl_rss_hash(k, in, 64), sl_rss_toeplitz(in, 64, sl_rss_key_default, 8));
	assert_int_equal(sl_rss_hash(k, in, 64), sl_rss_hash(k, in, 8));
	sl_rss_key_free(k);
}

int run_rss_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ms_vectors),
		cmocka_unit_test(test_table_equals_plain),
		cmocka_unit_test(test_symmetric),
		cmocka_unit_test(test_key_errors),
	};

	return cmocka_run_group_tests_name("net_rss", tests, NULL, NULL);
}
