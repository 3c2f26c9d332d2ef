/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route sets shared by the LPM benchmarks (lpm_perf, lpm_vs_dpdk): generated with our own
 * code, so every program (and both libraries inside lpm_vs_dpdk) gets the same routes.
 */
#ifndef BENCH_LPM_ROUTEGEN_H
#define BENCH_LPM_ROUTEGEN_H

#include <stddef.h>
#include <stdint.h>

struct route4 {
	uint32_t ip; /* host order, bits beyond depth are zero */
	uint8_t depth;
};

struct route6 {
	uint8_t ip[16]; /* network order, bits beyond depth are zero */
	uint8_t depth;
};

/*
 * DPDK 22.11 lpm_perf_autotest's IPv4 set: per class (A, B, C) and depth, the prefix counts
 * of a real router dump spaced evenly from an lrand48() start, plus five fixed routes at
 * random positions.  Uses the unseeded glibc lrand48() stream (call it first, before
 * anything else draws from lrand48) so the prefixes match DPDK's.  `out` must hold
 * ROUTEGEN_DPDK4_MAX routes; returns the count (1,076,806, with duplicates, as DPDK).
 */
#define ROUTEGEN_DPDK4_MAX 1100000
size_t routegen_dpdk4(struct route4 *out);

/* Seedable xorshift64* generator: our stand-in for rte_rand(). */
uint64_t routegen_rnd(uint64_t *state);

/*
 * n unique IPv4 routes with an Internet-like depth mix (about 55% /24, 10% /22-/23,
 * 15% /17-/21, 6% /16, 2% /8-/15, 1.5% /25-/32), seeded by *state.
 */
void routegen_inet4(struct route4 *out, size_t n, uint64_t *state);

/*
 * n unique IPv6 routes with an Internet-like depth mix: under 2000::/3, clustered below
 * n / 50 + 1 provider /32s; mostly /32-/48 with peaks at /32, /40, /44 and /48, some /56
 * and /64 and a few /128.
 */
void routegen_inet6(struct route6 *out, size_t n, uint64_t *state);

/* An address inside ip/depth whose host bits are random (uniform random for depth 0). */
uint32_t routegen_inside4(const struct route4 *r, uint64_t *state);
void routegen_inside6(uint8_t out[16], const struct route6 *r, uint64_t *state);

#endif
