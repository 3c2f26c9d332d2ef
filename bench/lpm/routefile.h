/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route sets read from a file for lpm_vs_dpdk: one prefix a line in CIDR form
 * ("1.0.4.0/22", "2001:200::/32"), IPv4 and IPv6 mixed, as in the real Internet table
 * /work/shared/data/bgp-prefixes.txt.gz.  Blank lines and '#' comments are skipped.
 */
#ifndef BENCH_LPM_ROUTEFILE_H
#define BENCH_LPM_ROUTEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "routegen.h"

struct routefile {
	struct route4 *r4; /* in file order, host bits cleared */
	size_t n4;
	struct route6 *r6;
	size_t n6;
	size_t bad;	   /* lines that are not a prefix (skipped) */
	size_t dup4, dup6; /* prefixes that repeat an earlier one once host bits are cleared */
};

/*
 * Reads PATH (gzip-compressed or plain when built with zlib; plain only without it).
 * Returns 0, or -1 with a message on stderr.
 */
int routefile_read(const char *path, struct routefile *rf);
void routefile_free(struct routefile *rf);

/*
 * tbl8 groups a DIR-24-8 table (rte_lpm, sl_lpm) needs for these routes: one per /24 that
 * holds a route longer than /24.
 */
uint32_t routefile_groups4(const struct route4 *r, size_t n);

/*
 * Groups a 24-bit + 8-bit-stride IPv6 trie (rte_lpm6, sl_lpm6) needs: one per distinct
 * prefix of 24, 32, ..., 120 bits under which some route is longer than that prefix.
 */
uint32_t routefile_groups6(const struct route6 *r, size_t n);

#endif
