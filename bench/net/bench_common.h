/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inputs and timing shared by net_perf.c (Sluice) and dpdk_thash.c (DPDK), so both time
 * the same bytes the same way: a deterministic PRNG, NI inputs cycled through in a loop of
 * ITERS operations, TSC cycles per operation, median of REPS repetitions.
 * Output lines are "label: cycles"; compare.sh pairs them by label.
 */
#ifndef SL_BENCH_NET_COMMON_H
#define SL_BENCH_NET_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NI 1024       /* distinct inputs per case (power of two) */
#define ITERS 400000u /* operations per repetition */
#define REPS 9

static uint64_t bench_seed = 0x2545f4914f6cdd1dull;

static inline uint64_t bench_rnd(void)
{
	bench_seed ^= bench_seed >> 12;
	bench_seed ^= bench_seed << 25;
	bench_seed ^= bench_seed >> 27;
	return bench_seed * 2685821657736338717ull;
}

static inline uint64_t bench_tsc(void)
{
	return __builtin_ia32_rdtsc();
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs stmt ITERS/div times per repetition (i is the loop index) and prints the median
 * cycles per operation. */
#define BENCH(label, div, stmt)                                                           \
	do {                                                                               \
		double v_[REPS];                                                           \
		uint32_t n_ = ITERS / (div);                                               \
		for (int r_ = 0; r_ < REPS; r_++) {                                        \
			uint64_t t0_ = bench_tsc();                                        \
			for (uint32_t i = 0; i < n_; i++) {                                \
				stmt;                                                      \
			}                                                                  \
			v_[r_] = (double)(bench_tsc() - t0_) / n_;                         \
		}                                                                          \
		qsort(v_, REPS, sizeof(v_[0]), bench_cmp);                                 \
		printf("%s: %.2f\n", label, v_[REPS / 2]);                                 \
		fflush(stdout);                                                            \
	} while (0)

/* Tuples: bytes in network order (source, destination, sport, dport). */
static uint8_t tup4[NI][12];
static uint8_t tup6[NI][36];

/* IPv4/UDP frames of 64 and 1500 bytes (Ethernet header included, no FCS). */
#define PKT_SMALL 64
#define PKT_LARGE 1500
#define NPKT 64
static uint8_t pkt_small[NPKT][PKT_SMALL];
static uint8_t pkt_large[NPKT][PKT_LARGE];

static void bench_frame(uint8_t *f, unsigned len)
{
	unsigned i, ip_len = len - 14;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)bench_rnd();
	f[12] = 0x08, f[13] = 0x00;             /* IPv4 */
	f[14] = 0x45, f[15] = 0;                /* version/IHL, TOS */
	f[16] = (uint8_t)(ip_len >> 8), f[17] = (uint8_t)ip_len;
	f[20] = 0x40, f[21] = 0;                /* DF */
	f[22] = 64, f[23] = 17;                 /* TTL, UDP */
	f[24] = f[25] = 0;                      /* header checksum */
	f[38] = (uint8_t)((ip_len - 20) >> 8), f[39] = (uint8_t)(ip_len - 20);
	f[40] = f[41] = 0;                      /* UDP checksum */
}

static void bench_inputs(void)
{
	unsigned i;

	for (i = 0; i < NI; i++) {
		unsigned j;

		for (j = 0; j < 12; j++)
			tup4[i][j] = (uint8_t)bench_rnd();
		for (j = 0; j < 36; j++)
			tup6[i][j] = (uint8_t)bench_rnd();
	}
	for (i = 0; i < NPKT; i++) {
		bench_frame(pkt_small[i], PKT_SMALL);
		bench_frame(pkt_large[i], PKT_LARGE);
	}
}

#endif
