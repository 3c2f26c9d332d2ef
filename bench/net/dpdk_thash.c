/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK 22.11's software Toeplitz hash timed on net_perf.c's inputs, under its labels:
 *   from key       rte_softrss(): the key as given (byte-swapped on the fly)
 *   prepared key   rte_softrss_be(): a key converted once by rte_convert_rss_key()
 * Both take the tuple as 32-bit words in host order, so the network-order tuple bytes
 * are loaded big-endian first (once, outside the timed loop).  Sluice's key bytes are
 * used (linked from lib/net) and each function is checked against sl_rss_toeplitz()
 * before timing.  Neither needs the EAL, so no rte_eal_init().
 */
#include <arpa/inet.h>
#include <stdio.h>

#include <rte_thash.h>

#include "bench_common.h"
#include "sl_rss.h"

static uint32_t w4[NI][3], w6[NI][9];

static void to_words(uint32_t *w, const uint8_t *bytes, unsigned nwords)
{
	for (unsigned j = 0; j < nwords; j++) {
		uint32_t be;

		memcpy(&be, bytes + 4 * j, 4);
		w[j] = ntohl(be);
	}
}

int main(void)
{
	uint32_t key[SL_RSS_KEY_LEN / 4], conv[SL_RSS_KEY_LEN / 4];
	const uint8_t *kb = (const uint8_t *)key, *cb = (const uint8_t *)conv;
	volatile uint32_t sink;
	uint32_t acc = 0;

	bench_inputs();
	memcpy(key, sl_rss_key_default, SL_RSS_KEY_LEN);
	rte_convert_rss_key(key, conv, SL_RSS_KEY_LEN);
	for (unsigned i = 0; i < NI; i++) {
		to_words(w4[i], tup4[i], 3);
		to_words(w6[i], tup6[i], 9);
		if (rte_softrss(w4[i], 3, kb) != sl_rss_toeplitz(tup4[i], 12, kb, 40) ||
		    rte_softrss_be(w4[i], 3, cb) != sl_rss_toeplitz(tup4[i], 12, kb, 40) ||
		    rte_softrss(w6[i], 9, kb) != sl_rss_toeplitz(tup6[i], 36, kb, 40) ||
		    rte_softrss_be(w6[i], 9, cb) != sl_rss_toeplitz(tup6[i], 36, kb, 40)) {
			fprintf(stderr, "dpdk_thash: DPDK and Sluice disagree on input %u\n", i);
			return 1;
		}
	}
	printf("check ipv4/tcp: %08x\n", rte_softrss(w4[0], 3, kb));
	printf("check ipv6/tcp: %08x\n", rte_softrss(w6[0], 9, kb));
	BENCH("ipv4/tcp 12B, from key", 1, acc ^= rte_softrss(w4[i & (NI - 1)], 3, kb));
	BENCH("ipv4/tcp 12B, prepared key", 1, acc ^= rte_softrss_be(w4[i & (NI - 1)], 3, cb));
	BENCH("ipv6/tcp 36B, from key", 1, acc ^= rte_softrss(w6[i & (NI - 1)], 9, kb));
	BENCH("ipv6/tcp 36B, prepared key", 1, acc ^= rte_softrss_be(w6[i & (NI - 1)], 9, cb));
	sink = acc;
	(void)sink;
	return 0;
}
