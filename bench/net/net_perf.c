/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Toeplitz RSS hash in TSC cycles per hash (bench_common.h: NI inputs cycled, median of
 * REPS repetitions), with the default 40-byte key:
 *   from key       sl_rss_toeplitz(): straight from the key bytes, no setup
 *   prepared key   sl_rss_hash(): one lookup per input byte in tables built once per key
 * for IPv4/TCP (12-byte tuple) and IPv6/TCP (36-byte tuple).  dpdk_thash.c times DPDK's
 * rte_softrss() / rte_softrss_be() on the same inputs under the same labels, and
 * bench/net/compare.sh prints them side by side.  The "check" lines print the hash of
 * input 0 so the two programs can be seen to compute the same function.
 */
#include <stdio.h>

#include "bench_common.h"
#include "sl_rss.h"

int main(void)
{
	struct sl_rss_key *k;
	volatile uint32_t sink;
	uint32_t acc = 0;

	bench_inputs();
	k = sl_rss_key_init(sl_rss_key_default, SL_RSS_KEY_LEN);
	if (k == NULL) {
		fprintf(stderr, "net_perf: sl_rss_key_init failed\n");
		return 1;
	}
	printf("check ipv4/tcp: %08x\n", sl_rss_toeplitz(tup4[0], 12, sl_rss_key_default, 40));
	printf("check ipv6/tcp: %08x\n", sl_rss_toeplitz(tup6[0], 36, sl_rss_key_default, 40));
	if (sl_rss_hash(k, tup4[0], 12) != sl_rss_toeplitz(tup4[0], 12, sl_rss_key_default, 40) ||
	    sl_rss_hash(k, tup6[0], 36) != sl_rss_toeplitz(tup6[0], 36, sl_rss_key_default, 40)) {
		fprintf(stderr, "net_perf: sl_rss_hash and sl_rss_toeplitz disagree\n");
		return 1;
	}
	BENCH("ipv4/tcp 12B, from key", 1,
	      acc ^= sl_rss_toeplitz(tup4[i & (NI - 1)], 12, sl_rss_key_default, SL_RSS_KEY_LEN));
	BENCH("ipv4/tcp 12B, prepared key", 1, acc ^= sl_rss_hash(k, tup4[i & (NI - 1)], 12));
	BENCH("ipv6/tcp 36B, from key", 1,
	      acc ^= sl_rss_toeplitz(tup6[i & (NI - 1)], 36, sl_rss_key_default, SL_RSS_KEY_LEN));
	BENCH("ipv6/tcp 36B, prepared key", 1, acc ^= sl_rss_hash(k, tup6[i & (NI - 1)], 36));
	sink = acc;
	(void)sink;
	sl_rss_key_free(k);
	return 0;
}
