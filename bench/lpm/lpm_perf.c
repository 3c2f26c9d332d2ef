/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LPM lookup cost in TSC cycles, measured the way DPDK 22.11's lpm_perf_autotest,
 * lpm6_perf_autotest and fib_perf_autotest measure it, and printed with the same labels
 * so bench/lpm/compare.sh can pair the lines.
 *
 * IPv4 route set.  DPDK builds it at run time: for each address class A (0/1), B (10/2)
 * and C (110/3) and each depth 1-32, a fixed number of prefixes (the per-class, per-depth
 * counts of a real router dump, 1,009,989 in all) spaced evenly from a start drawn with
 * lrand48(), plus five fixed routes put at random positions.  We regenerate that
 * distribution with our own code from the same counts and the same unseeded glibc
 * lrand48() stream, so the prefixes come out the same as DPDK's (compare "No. routes" and
 * "Unique added entries" in the two outputs).  Lookup addresses are uniformly random
 * 32-bit values, 4096 per batch, 1024 batches, new addresses per batch (not timed);
 * DPDK draws them from rte_rand() seeded with the TSC, so no two runs (of either
 * program) use the same addresses, only the same distribution.
 *
 * IPv6 route set.  DPDK compiles in a fixed table of 1000 routes and 100,000 addresses
 * (test_lpm6_data.h); we do not copy it.  We use the same counts and its shape: 1000
 * routes of depths spread evenly over 1-128, and 100,000 addresses each inside one of
 * the routes (DPDK reports 0% misses), looked up 1024 times.
 *
 * Extra lines (not in DPDK's output): the share of lookups that need the second level,
 * and the floor for one memory access per lookup (independent random 4-byte loads
 * across a 64 MiB array, i.e. tbl24's size).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_cycles.h"
#include "sl_log.h"
#include "sl_lpm.h"
#include "sl_lpm6.h"
#include "sl_memory.h"

#include "routegen.h"

#define ITERATIONS (1 << 10)
#define BATCH (1 << 12)
#define BULK 32

static struct route4 routes4[ROUTEGEN_DPDK4_MAX];
static unsigned nb_routes4;

/* xorshift64*: our stand-in for rte_rand(). */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void fill(uint32_t *ips, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ips[i] = (uint32_t)rnd();
}

/* Cycles per independent random 4-byte load over a 64 MiB array (tbl24's size). */
static double load_floor(void)
{
	const size_t n = 1u << 24;
	uint32_t *a = sl_malloc(n * sizeof(uint32_t), 0, SL_NODE_ANY);
	static uint32_t idx[BATCH];
	uint64_t total = 0, sum = 0;

	if (a == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		a[i] = (uint32_t)i;
	for (int it = 0; it < ITERATIONS; it++) {
		uint64_t t;

		for (int j = 0; j < BATCH; j++)
			idx[j] = (uint32_t)rnd() >> 8;
		t = sl_rdtsc();
		for (int j = 0; j < BATCH; j++)
			sum += __atomic_load_n(&a[idx[j]], __ATOMIC_RELAXED);
		total += sl_rdtsc() - t;
	}
	sl_free(a);
	if (sum == 42)
		puts("");
	return (double)total / ((double)ITERATIONS * BATCH);
}

static unsigned quiet_lines;

static void quiet(const struct sl_log_type *type, int level, const char *line, void *arg)
{
	(void)type, (void)level, (void)line, (void)arg;
	quiet_lines++;
}

static int bench4(void)
{
	struct sl_lpm_config cfg = {.max_rules = 2000000, .groups = 2048};
	struct sl_lpm *lpm = sl_lpm_create("lpm_perf", SL_NODE_ANY, &cfg);
	static uint32_t ips[BATCH];
	uint64_t t, total;
	unsigned added = 0;
	uint64_t fails, second = 0, used24 = 0;
	struct sl_lpm_stats st;

	if (lpm == NULL) {
		perror("sl_lpm_create");
		return 1;
	}
	nb_routes4 = (unsigned)routegen_dpdk4(routes4);
	printf("No. routes = %u\n", nb_routes4);
	/* Like DPDK's (2048 groups), the table runs out of groups: count, don't print. */
	sl_log_set_sink(quiet, NULL);
	t = sl_rdtsc();
	for (unsigned i = 0; i < nb_routes4; i++)
		added += sl_lpm_add(lpm, routes4[i].ip, routes4[i].depth, 0xaa) == 0;
	total = sl_rdtsc() - t;
	sl_log_set_sink(NULL, NULL);
	printf("Unique added entries = %u (%u adds failed: no free tbl8 group)\n", added,
	       quiet_lines);
	for (uint32_t i = 0; i < (1u << 24); i++)
		used24 += (lpm->tbl24[i] & (SL_LPM__VALID | SL_LPM__EXT)) != 0;
	sl_lpm_stats(lpm, &st);
	printf("Used table 24 entries = %llu (%g%%), tbl8 groups used = %u of %u\n",
	       (unsigned long long)used24, used24 * 100.0 / (1u << 24), st.groups_used,
	       st.groups);
	printf("Memory = %zu bytes (%.1f MiB)\n", st.bytes, st.bytes / 1048576.0);
	printf("Average LPM Add: %g cycles\n", (double)total / nb_routes4);

	/* Single lookups. */
	total = 0;
	fails = 0;
	for (int i = 0; i < ITERATIONS; i++) {
		fill(ips, BATCH);
		t = sl_rdtsc();
		for (int j = 0; j < BATCH; j++) {
			uint32_t nh;
			if (sl_lpm_lookup(lpm, ips[j], &nh) != 0)
				fails++;
		}
		total += sl_rdtsc() - t;
	}
	printf("Average LPM Lookup: %.1f cycles (fails = %.1f%%)\n",
	       (double)total / ((double)ITERATIONS * BATCH),
	       fails * 100.0 / ((double)ITERATIONS * BATCH));
	/* Not timed, on other addresses (reading tbl24 here would warm the cache). */
	for (int i = 0; i < ITERATIONS; i++) {
		fill(ips, BATCH);
		for (int j = 0; j < BATCH; j++)
			second += (lpm->tbl24[ips[j] >> 8] & SL_LPM__EXT) != 0;
	}
	printf("Second-level lookups: %.3f%% of random addresses\n",
	       second * 100.0 / ((double)ITERATIONS * BATCH));

	/* Bulk lookups of 32. */
	total = 0;
	fails = 0;
	for (int i = 0; i < ITERATIONS; i++) {
		uint32_t nhs[BULK];

		fill(ips, BATCH);
		t = sl_rdtsc();
		for (int j = 0; j < BATCH; j += BULK) {
			sl_lpm_lookup_bulk(lpm, &ips[j], nhs, BULK, UINT32_MAX);
			for (int k = 0; k < BULK; k++)
				if (sl_unlikely(nhs[k] == UINT32_MAX))
					fails++;
		}
		total += sl_rdtsc() - t;
	}
	printf("BULK LPM Lookup: %.1f cycles (fails = %.1f%%)\n",
	       (double)total / ((double)ITERATIONS * BATCH),
	       fails * 100.0 / ((double)ITERATIONS * BATCH));
	/* The same figure under the FIB label, for the fib_perf_autotest row. */
	printf("BULK FIB Lookup: %.1f cycles (fails = %.1f%%)\n",
	       (double)total / ((double)ITERATIONS * BATCH),
	       fails * 100.0 / ((double)ITERATIONS * BATCH));

	/* Four at a time. */
	total = 0;
	fails = 0;
	for (int i = 0; i < ITERATIONS; i++) {
		uint32_t nhs[4];

		fill(ips, BATCH);
		t = sl_rdtsc();
		for (int j = 0; j < BATCH; j += 4) {
			sl_lpm_lookup_x4(lpm, &ips[j], nhs, UINT32_MAX);
			for (int k = 0; k < 4; k++)
				if (sl_unlikely(nhs[k] == UINT32_MAX))
					fails++;
		}
		total += sl_rdtsc() - t;
	}
	printf("LPM LookupX4: %.1f cycles (fails = %.1f%%)\n",
	       (double)total / ((double)ITERATIONS * BATCH),
	       fails * 100.0 / ((double)ITERATIONS * BATCH));

	t = sl_rdtsc();
	for (unsigned i = 0; i < nb_routes4; i++)
		sl_lpm_delete(lpm, routes4[i].ip, routes4[i].depth);
	printf("Average LPM Delete: %g cycles\n", (double)(sl_rdtsc() - t) / nb_routes4);
	sl_lpm_free(lpm);
	return 0;
}

#define V6_ROUTES 1000
#define V6_IPS 100000

static int bench6(void)
{
	struct sl_lpm6_config cfg = {.max_rules = 1000000, .groups = 1 << 16};
	struct sl_lpm6 *lpm = sl_lpm6_create("lpm6_perf", SL_NODE_ANY, &cfg);
	static uint8_t rip[V6_ROUTES][16], ips[V6_IPS][16];
	static uint8_t rdepth[V6_ROUTES];
	static uint32_t nhs[V6_IPS];
	uint64_t t, total, fails, levels = 0;
	unsigned added = 0;
	struct sl_lpm6_stats st;

	if (lpm == NULL) {
		perror("sl_lpm6_create");
		return 1;
	}
	for (int i = 0; i < V6_ROUTES; i++) {
		uint64_t a = rnd(), b = rnd();

		rdepth[i] = (uint8_t)(1 + i % 128); /* depths spread evenly over 1-128 */
		memcpy(rip[i], &a, 8);
		memcpy(rip[i] + 8, &b, 8);
	}
	for (int i = 0; i < V6_IPS; i++) {
		int r = (int)(rnd() % V6_ROUTES);
		uint64_t a = rnd(), b = rnd();
		uint8_t host[16];

		memcpy(host, &a, 8);
		memcpy(host + 8, &b, 8);
		for (int k = 0; k < 16; k++) {
			int bits = rdepth[r] - 8 * k;
			uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff00u >> bits);
			ips[i][k] = (uint8_t)((rip[r][k] & m) | (host[k] & ~m));
		}
	}
	printf("No. routes = %u\n", V6_ROUTES);
	t = sl_rdtsc();
	for (int i = 0; i < V6_ROUTES; i++)
		added += sl_lpm6_add(lpm, rip[i], rdepth[i], 0xaa) == 0;
	total = sl_rdtsc() - t;
	printf("Unique added entries = %u\n", added);
	sl_lpm6_stats(lpm, &st);
	printf("Groups used = %u, memory = %zu bytes (%.1f MiB)\n", st.groups_used, st.bytes,
	       st.bytes / 1048576.0);
	printf("Average LPM Add: %g cycles\n", (double)total / V6_ROUTES);
	for (int i = 0; i < V6_IPS; i++) {
		uint32_t e = lpm->tbl24[ips[i][0] << 16 | ips[i][1] << 8 | ips[i][2]];
		unsigned k = 3;

		levels++;
		while (e & SL_LPM6__EXT) {
			e = lpm->tbl8[(size_t)(e & SL_LPM6__VALUE) * 256 + ips[i][k++]];
			levels++;
		}
	}

	total = 0;
	fails = 0;
	for (int i = 0; i < ITERATIONS; i++) {
		t = sl_rdtsc();
		for (int j = 0; j < V6_IPS; j++) {
			uint32_t nh;
			if (sl_lpm6_lookup(lpm, ips[j], &nh) != 0)
				fails++;
		}
		total += sl_rdtsc() - t;
	}
	printf("Average LPM Lookup: %.1f cycles (fails = %.1f%%)\n",
	       (double)total / ((double)ITERATIONS * V6_IPS),
	       fails * 100.0 / ((double)ITERATIONS * V6_IPS));
	printf("Table levels read per lookup: %.2f on average\n", (double)levels / V6_IPS);

	total = 0;
	fails = 0;
	for (int i = 0; i < ITERATIONS; i++) {
		t = sl_rdtsc();
		sl_lpm6_lookup_bulk(lpm, (const uint8_t(*)[16])ips, nhs, V6_IPS, UINT32_MAX);
		total += sl_rdtsc() - t;
		for (int j = 0; j < V6_IPS; j++)
			if (nhs[j] == UINT32_MAX)
				fails++;
	}
	printf("BULK LPM Lookup: %.1f cycles (fails = %.1f%%)\n",
	       (double)total / ((double)ITERATIONS * V6_IPS),
	       fails * 100.0 / ((double)ITERATIONS * V6_IPS));

	t = sl_rdtsc();
	for (int i = 0; i < V6_ROUTES; i++)
		sl_lpm6_delete(lpm, rip[i], rdepth[i]);
	printf("Average LPM Delete: %g cycles\n", (double)(sl_rdtsc() - t) / V6_ROUTES);
	sl_lpm6_free(lpm);
	return 0;
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	int rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(which, "all") == 0 || strcmp(which, "ipv4") == 0) {
		printf("### lpm_perf (IPv4) ###\n");
		rc |= bench4();
	}
	if (strcmp(which, "all") == 0 || strcmp(which, "ipv6") == 0) {
		printf("### lpm6_perf (IPv6) ###\n");
		rc |= bench6();
	}
	if (strcmp(which, "all") == 0 || strcmp(which, "floor") == 0)
		printf("Memory floor: %.1f cycles per independent random load from 64 MiB\n",
		       load_floor());
	return rc;
}
