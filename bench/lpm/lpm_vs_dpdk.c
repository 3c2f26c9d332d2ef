/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sluice's lib/lpm and DPDK's librte_lpm side by side in one process: the same routes
 * added to both, the same addresses looked up in both, cycles per lookup (TSC) for
 * single, bulk (bursts of 32) and x4 lookups, medians of several repetitions with the
 * two libraries alternating which goes first.  Before timing, every address is looked up
 * in both libraries through every call and the next hops compared: the mismatch count must be 0.
 *
 *   lpm_vs_dpdk [-r REPS] [-n ADDRS] [-l LCORE] [-s SET[,SET...]] [-H HUGETLBFS_DIR]
 *               [-f|--routes FILE]
 *
 * Sets: v4dpdk (DPDK lpm_perf_autotest's 1,076,806 routes, 2048 groups: adding them to
 * DPDK takes minutes, its rule table is a linear array per depth), v4inet (200,000
 * Internet-like routes), v6inet1k and v6inet100k (Internet-like IPv6 routes, see
 * routegen.c).  Address sets: "random" (uniform over the whole space) and "inside"
 * (inside a uniformly chosen route, random host bits).
 *
 * --routes FILE reads a route table, one CIDR prefix a line, IPv4 and IPv6 mixed (.gz read
 * through zlib), e.g. the real Internet table /work/shared/data/bgp-prefixes.txt.gz, into
 * two more sets, bgp4 and bgp6 (the default sets then), added in file order, next hops
 * spread over 4 values.  Both libraries get the same configuration: max_rules = the
 * routes, tbl8 groups = what the routes need (counted from the prefixes: one group per
 * /24 holding a longer route for IPv4, per distinct 24/32/.../120-bit prefix holding a
 * longer route for IPv6).  For every set the program prints the time each library took
 * to add the routes and the memory each table holds: Sluice's sl_lpm_memory() /
 * sl_lpm6_memory(), DPDK's growth of its malloc heap (rte_malloc_get_socket_stats()
 * heap_allocsz_bytes, all sockets) across rte_lpm_create()/rte_lpm6_create() and the
 * adds, which covers tbl24, tbl8s, rule table (and for rte_lpm6 its rule hash, its tbl8
 * pool and headers).  For rte_lpm the figure from its configuration
 * (2^24 * 4 + max_rules * 8 + groups * 1024 bytes) is printed beside it as a check.
 *
 * Both tables use 4 KiB pages (DPDK runs with --no-huge, Sluice with hugepages off), or
 * with -H DIR both use 2 MiB hugepages (DPDK from the hugetlbfs mounted at DIR, Sluice
 * requires them); compare.sh HUGEPAGES=N sets that up.
 * "floor" is one independent 4-byte load per address from a 64 MiB array at the address's
 * tbl24 index: the cost of exactly one memory access per lookup with the same pattern.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

#include "sl_cycles.h"
#include "sl_log.h"
#include "sl_lpm.h"
#include "sl_lpm6.h"
#include "sl_memory.h"

#include "routefile.h"
#include "routegen.h"

#define BULK 32
#define MAX_REPS 64
#define MISS 0xffffffffu
#define NH_MASK 0x1fffffu /* 21 bits: fits both rte_lpm (24) and rte_lpm6 (21) */

static unsigned reps = 15;
static double tsc_hz;
static size_t naddr = 1u << 18;
static volatile uint64_t sink;

enum lib { SL, DP };

static double median(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The table is printed at the end, after the per-set notes. */
static char table[16384];
static size_t table_len;

static void __attribute__((format(printf, 1, 2))) table_add(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(table + table_len, sizeof(table) - table_len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(table) - table_len)
		table_len += (size_t)n;
}

/*
 * Medians of each library's samples and their ratio.  (Not the median of per-repetition
 * ratios: with the order alternating, those ratios are bimodal on a busy machine and
 * their median lands on either mode.)
 */
static void row(const char *set, const char *addrs, const char *mode, double *s, double *d)
{
	double ms = median(s, reps), md;

	if (d == NULL) {
		table_add("| %s | %s | %s | %.1f | - | - |\n", set, addrs, mode, ms);
		return;
	}
	md = median(d, reps);
	table_add("| %s | %s | %s | %.1f | %.1f | %.2f |\n", set, addrs, mode, ms, md, ms / md);
}

/* Load time and memory, one row per library and set, printed after the lookup table. */
static char loads[8192];
static size_t loads_len;

static void __attribute__((format(printf, 1, 2))) loads_add(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(loads + loads_len, sizeof(loads) - loads_len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(loads) - loads_len)
		loads_len += (size_t)n;
}

static void load_rows(const char *set, size_t nr, uint32_t max_rules, uint32_t groups,
		      size_t added_sl, size_t added_dp, uint64_t tsl, uint64_t tdp, size_t msl,
		      size_t mdp)
{
	loads_add("| %s | %zu | %u | %u | Sluice | %zu | %.1f | %.0f | %.1f |\n", set, nr,
		  max_rules, groups, added_sl, (double)tsl * 1e3 / tsc_hz, (double)tsl / (double)nr,
		  (double)msl / 1048576.0);
	loads_add("| %s | %zu | %u | %u | DPDK | %zu | %.1f | %.0f | %.1f |\n", set, nr, max_rules,
		  groups, added_dp, (double)tdp * 1e3 / tsc_hz, (double)tdp / (double)nr,
		  (double)mdp / 1048576.0);
}

/* Bytes allocated on DPDK's malloc heaps, all sockets. */
static size_t dp_heap_bytes(void)
{
	size_t total = 0;

	for (unsigned i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			total += st.heap_allocsz_bytes;
	}
	return total;
}

/* Next hop of route i: 21 random bits, or (nhops > 0) one of nhops values 0 .. nhops - 1. */
static uint32_t pick_nh(uint64_t *s, unsigned nhops)
{
	uint64_t x = routegen_rnd(s);

	return nhops ? (uint32_t)(x % nhops) : (uint32_t)x & NH_MASK;
}

static void quiet(const struct sl_log_type *type, int level, const char *line, void *arg)
{
	(void)type, (void)level, (void)line, (void)arg;
}

/* ---------------------------------------------------------------- IPv4 ---- */

struct v4 {
	const char *set;
	struct sl_lpm *sl;
	struct rte_lpm *dp;
	uint32_t *ips;
	const uint32_t *floor_tbl;
};

static double time4(const struct v4 *t, enum lib lib, const char *mode)
{
	const uint32_t *ips = t->ips;
	uint64_t acc = 0, t0;

	if (strcmp(mode, "single") == 0) {
		t0 = sl_rdtsc();
		if (lib == SL) {
			for (size_t i = 0; i < naddr; i++) {
				uint32_t nh = 0;
				acc += sl_lpm_lookup(t->sl, ips[i], &nh) == 0 ? nh : 1;
			}
		} else {
			for (size_t i = 0; i < naddr; i++) {
				uint32_t nh = 0;
				acc += rte_lpm_lookup(t->dp, ips[i], &nh) == 0 ? nh : 1;
			}
		}
	} else if (strcmp(mode, "bulk") == 0) {
		uint32_t nhs[BULK];

		t0 = sl_rdtsc();
		if (lib == SL) {
			for (size_t i = 0; i < naddr; i += BULK) {
				sl_lpm_lookup_bulk(t->sl, &ips[i], nhs, BULK, MISS);
				for (int k = 0; k < BULK; k++)
					acc += nhs[k] != MISS ? nhs[k] : 1;
			}
		} else {
			for (size_t i = 0; i < naddr; i += BULK) {
				rte_lpm_lookup_bulk(t->dp, &ips[i], nhs, BULK);
				for (int k = 0; k < BULK; k++)
					acc += (nhs[k] & RTE_LPM_LOOKUP_SUCCESS) ? nhs[k] & 0xffffff
										  : 1;
			}
		}
	} else if (strcmp(mode, "x4") == 0) {
		uint32_t nhs[4];

		t0 = sl_rdtsc();
		if (lib == SL) {
			for (size_t i = 0; i < naddr; i += 4) {
				sl_lpm_lookup_x4(t->sl, &ips[i], nhs, MISS);
				for (int k = 0; k < 4; k++)
					acc += nhs[k] != MISS ? nhs[k] : 1;
			}
		} else {
			for (size_t i = 0; i < naddr; i += 4) {
				rte_lpm_lookupx4(t->dp, _mm_loadu_si128((const void *)&ips[i]), nhs,
						 MISS);
				for (int k = 0; k < 4; k++)
					acc += nhs[k] != MISS ? nhs[k] : 1;
			}
		}
	} else { /* floor: one load per address at its tbl24 index */
		t0 = sl_rdtsc();
		for (size_t i = 0; i < naddr; i++)
			acc += __atomic_load_n(&t->floor_tbl[ips[i] >> 8], __ATOMIC_RELAXED);
	}
	t0 = sl_rdtsc() - t0;
	sink += acc;
	return (double)t0 / (double)naddr;
}

/* Every address through every call of both libraries: returns the mismatches. */
static uint64_t check4(const struct v4 *t, uint64_t *second)
{
	uint64_t bad = 0;

	*second = 0;
	for (size_t i = 0; i < naddr; i += BULK) {
		uint32_t sb[BULK], db[BULK], sx[4], dx[4];

		sl_lpm_lookup_bulk(t->sl, &t->ips[i], sb, BULK, MISS);
		rte_lpm_lookup_bulk(t->dp, &t->ips[i], db, BULK);
		for (int k = 0; k < BULK; k++) {
			uint32_t ip = t->ips[i + k], s = 0, d = 0;
			int rs = sl_lpm_lookup(t->sl, ip, &s), rd = rte_lpm_lookup(t->dp, ip, &d);
			uint32_t want = rd == 0 ? d : MISS;

			if (k % 4 == 0) {
				sl_lpm_lookup_x4(t->sl, &t->ips[i + k], sx, MISS);
				rte_lpm_lookupx4(t->dp,
						 _mm_loadu_si128((const void *)&t->ips[i + k]), dx,
						 MISS);
			}
			*second += (t->sl->tbl24[ip >> 8] & SL_LPM__EXT) != 0;
			bad += (rs == 0 ? s : MISS) != want;
			bad += sb[k] != want;
			bad += ((db[k] & RTE_LPM_LOOKUP_SUCCESS) ? db[k] & 0xffffff : MISS) != want;
			bad += sx[k % 4] != want || dx[k % 4] != want;
		}
	}
	return bad;
}

static int run4(const char *set, const struct route4 *r, size_t nr, uint32_t max_rules,
		uint32_t groups, unsigned nhops, uint64_t seed)
{
	static const char *const modes[] = {"single", "bulk", "x4", "floor"};
	struct sl_lpm_config scfg = {.max_rules = max_rules, .groups = groups};
	struct rte_lpm_config dcfg = {.max_rules = max_rules, .number_tbl8s = groups};
	struct v4 t = {.set = set};
	uint32_t *floor_tbl, *nh;
	uint64_t s = seed, tsl = 0, tdp = 0, t0, second;
	size_t added_sl = 0, added_dp = 0, heap0, mdp, msl;
	int rc = 1;

	t.sl = sl_lpm_create("vs4", SL_NODE_ANY, &scfg);
	heap0 = dp_heap_bytes();
	t.dp = rte_lpm_create("vs4", 0, &dcfg);
	t.ips = malloc(naddr * sizeof(*t.ips));
	nh = malloc(nr * sizeof(*nh));
	floor_tbl = sl_malloc(((size_t)1 << 24) * 4, 0, SL_NODE_ANY);
	if (t.sl == NULL || t.dp == NULL || t.ips == NULL || nh == NULL || floor_tbl == NULL) {
		fprintf(stderr, "lpm_vs_dpdk: %s: out of memory creating the tables\n", set);
		goto out;
	}
	for (size_t i = 0; i < ((size_t)1 << 24); i++)
		floor_tbl[i] = (uint32_t)i;
	t.floor_tbl = floor_tbl;
	for (size_t i = 0; i < nr; i++)
		nh[i] = pick_nh(&s, nhops);
	/* The DPDK-like set runs out of groups on purpose (as DPDK's test): mute those logs. */
	sl_log_set_sink(quiet, NULL);
	t0 = sl_rdtsc();
	for (size_t i = 0; i < nr; i++)
		added_sl += sl_lpm_add(t.sl, r[i].ip, r[i].depth, nh[i]) == 0;
	tsl = sl_rdtsc() - t0;
	sl_log_set_sink(NULL, NULL);
	t0 = sl_rdtsc();
	for (size_t i = 0; i < nr; i++)
		added_dp += rte_lpm_add(t.dp, r[i].ip, r[i].depth, nh[i]) == 0;
	tdp = sl_rdtsc() - t0;
	mdp = dp_heap_bytes() - heap0;
	msl = sl_lpm_memory(t.sl);
	printf("\n### %s: %zu routes (max_rules %u, %u tbl8 groups); added: Sluice %zu, DPDK %zu; "
	       "add cycles/route: Sluice %.0f, DPDK %.0f\n",
	       set, nr, max_rules, groups, added_sl, added_dp, (double)tsl / nr, (double)tdp / nr);
	printf("%s: load time: Sluice %.3f s, DPDK %.3f s; memory: Sluice %.1f MiB "
	       "(sl_lpm_memory), DPDK %.1f MiB (malloc heap growth; from its config: %.1f MiB)\n",
	       set, (double)tsl / tsc_hz, (double)tdp / tsc_hz, msl / 1048576.0, mdp / 1048576.0,
	       ((double)(1u << 24) * 4 + (double)max_rules * 8 + (double)groups * 1024) /
		       1048576.0);
	load_rows(set, nr, max_rules, groups, added_sl, added_dp, tsl, tdp, msl, mdp);

	for (int a = 0; a < 2; a++) {
		const char *addrs = a == 0 ? "random" : "inside";
		double v[4][2][MAX_REPS];
		uint64_t bad;

		for (size_t i = 0; i < naddr; i++)
			t.ips[i] = a == 0 ? (uint32_t)routegen_rnd(&s)
					  : routegen_inside4(&r[routegen_rnd(&s) % nr], &s);
		bad = check4(&t, &second);
		printf("%s/%s: mismatches = %llu of %zu addresses x 5 calls; second-level "
		       "lookups = %.3f%%\n",
		       set, addrs, (unsigned long long)bad, naddr, second * 100.0 / naddr);
		if (bad)
			rc = 2;
		for (unsigned k = 0; k < reps; k++)
			for (int m = 0; m < 4; m++)
				for (int o = 0; o < 2; o++) {
					enum lib lib = (enum lib)((k + o) % 2);

					if (m == 3 && lib == DP)
						continue;
					v[m][lib][k] = time4(&t, lib, modes[m]);
				}
		for (int m = 0; m < 4; m++)
			row(set, addrs, modes[m], v[m][SL], m == 3 ? NULL : v[m][DP]);
		table_add("| %s | %s | Sluice single / floor | %.2f | | |\n", set, addrs,
		       median(v[0][SL], reps) / median(v[3][SL], reps));
	}
	if (rc == 1)
		rc = 0;
out:
	sl_free(floor_tbl);
	free(nh);
	free(t.ips);
	rte_lpm_free(t.dp);
	sl_lpm_free(t.sl);
	return rc;
}

/* ---------------------------------------------------------------- IPv6 ---- */

struct v6 {
	struct sl_lpm6 *sl;
	struct rte_lpm6 *dp;
	uint8_t (*ips)[16];
};

static double time6(const struct v6 *t, enum lib lib, int bulk)
{
	uint64_t acc = 0, t0 = sl_rdtsc();

	if (!bulk && lib == SL) {
		for (size_t i = 0; i < naddr; i++) {
			uint32_t nh = 0;
			acc += sl_lpm6_lookup(t->sl, t->ips[i], &nh) == 0 ? nh : 1;
		}
	} else if (!bulk) {
		for (size_t i = 0; i < naddr; i++) {
			uint32_t nh = 0;
			acc += rte_lpm6_lookup(t->dp, t->ips[i], &nh) == 0 ? nh : 1;
		}
	} else if (lib == SL) {
		uint32_t nhs[BULK];

		for (size_t i = 0; i < naddr; i += BULK) {
			sl_lpm6_lookup_bulk(t->sl, (const uint8_t(*)[16]) & t->ips[i], nhs, BULK,
					    MISS);
			for (int k = 0; k < BULK; k++)
				acc += nhs[k] != MISS ? nhs[k] : 1;
		}
	} else {
		int32_t nhs[BULK];

		for (size_t i = 0; i < naddr; i += BULK) {
			rte_lpm6_lookup_bulk_func(t->dp, &t->ips[i], nhs, BULK);
			for (int k = 0; k < BULK; k++)
				acc += nhs[k] >= 0 ? (uint32_t)nhs[k] : 1;
		}
	}
	t0 = sl_rdtsc() - t0;
	sink += acc;
	return (double)t0 / (double)naddr;
}

static uint64_t check6(const struct v6 *t, double *levels)
{
	uint64_t bad = 0, lv = 0;

	for (size_t i = 0; i < naddr; i += BULK) {
		uint32_t sb[BULK];
		int32_t db[BULK];

		sl_lpm6_lookup_bulk(t->sl, (const uint8_t(*)[16])&t->ips[i], sb, BULK, MISS);
		rte_lpm6_lookup_bulk_func(t->dp, &t->ips[i], db, BULK);
		for (int k = 0; k < BULK; k++) {
			const uint8_t *ip = t->ips[i + k];
			uint32_t s = 0, d = 0, e;
			int rs = sl_lpm6_lookup(t->sl, ip, &s), rd = rte_lpm6_lookup(t->dp, ip, &d);
			uint32_t want = rd == 0 ? d : MISS;
			unsigned b = 3;

			bad += (rs == 0 ? s : MISS) != want;
			bad += sb[k] != want;
			bad += (db[k] >= 0 ? (uint32_t)db[k] : MISS) != want;
			e = t->sl->tbl24[(uint32_t)ip[0] << 16 | (uint32_t)ip[1] << 8 | ip[2]];
			lv++;
			while (e & SL_LPM6__EXT) {
				e = t->sl->tbl8[(size_t)(e & SL_LPM6__VALUE) * 256 + ip[b++]];
				lv++;
			}
		}
	}
	*levels = (double)lv / naddr;
	return bad;
}

/*
 * file_r: routes read from a file (added in that order), or NULL for nr Internet-like
 * routes from routegen_inet6(); groups 0 = nr * 2 + 4096.
 */
static int run6(const char *set, const struct route6 *file_r, size_t nr, uint32_t groups,
		unsigned nhops, uint64_t seed)
{
	struct sl_lpm6_config scfg = {.max_rules = (uint32_t)nr};
	struct rte_lpm6_config dcfg = {.max_rules = (uint32_t)nr};
	struct route6 *gen = file_r == NULL ? malloc(nr * sizeof(*gen)) : NULL;
	const struct route6 *r = file_r != NULL ? file_r : gen;
	uint32_t *nh = malloc(nr * sizeof(*nh));
	struct v6 t = {0};
	uint64_t s = seed, tsl, tdp, t0;
	size_t added_sl = 0, added_dp = 0, heap0, mdp, msl;
	struct sl_lpm6_stats st;
	int rc = 1;

	if (groups == 0)
		groups = (uint32_t)(nr * 2 + 4096);
	scfg.groups = dcfg.number_tbl8s = groups;
	t.sl = sl_lpm6_create("vs6", SL_NODE_ANY, &scfg);
	heap0 = dp_heap_bytes();
	t.dp = rte_lpm6_create("vs6", 0, &dcfg);
	t.ips = malloc(naddr * 16);
	if (r == NULL || nh == NULL || t.sl == NULL || t.dp == NULL || t.ips == NULL) {
		fprintf(stderr, "lpm_vs_dpdk: %s: out of memory creating the tables\n", set);
		goto out;
	}
	if (gen != NULL)
		routegen_inet6(gen, nr, &s);
	for (size_t i = 0; i < nr; i++)
		nh[i] = pick_nh(&s, nhops);
	t0 = sl_rdtsc();
	for (size_t i = 0; i < nr; i++)
		added_sl += sl_lpm6_add(t.sl, r[i].ip, r[i].depth, nh[i]) == 0;
	tsl = sl_rdtsc() - t0;
	t0 = sl_rdtsc();
	for (size_t i = 0; i < nr; i++)
		added_dp += rte_lpm6_add(t.dp, r[i].ip, r[i].depth, nh[i]) == 0;
	tdp = sl_rdtsc() - t0;
	mdp = dp_heap_bytes() - heap0;
	msl = sl_lpm6_memory(t.sl);
	sl_lpm6_stats(t.sl, &st);
	printf("\n### %s: %zu routes (%u tbl8 groups); added: Sluice %zu, DPDK %zu; add "
	       "cycles/route: Sluice %.0f, DPDK %.0f; Sluice groups used %u\n",
	       set, nr, groups, added_sl, added_dp, (double)tsl / nr, (double)tdp / nr,
	       st.groups_used);
	printf("%s: load time: Sluice %.3f s, DPDK %.3f s; memory: Sluice %.1f MiB "
	       "(sl_lpm6_memory), DPDK %.1f MiB (malloc heap growth)\n",
	       set, (double)tsl / tsc_hz, (double)tdp / tsc_hz, msl / 1048576.0, mdp / 1048576.0);
	load_rows(set, nr, (uint32_t)nr, groups, added_sl, added_dp, tsl, tdp, msl, mdp);

	for (int a = 0; a < 2; a++) {
		const char *addrs = a == 0 ? "random" : "inside";
		double v[2][2][MAX_REPS], levels;
		uint64_t bad;

		for (size_t i = 0; i < naddr; i++) {
			if (a == 0) {
				uint64_t x = routegen_rnd(&s), y = routegen_rnd(&s);

				memcpy(t.ips[i], &x, 8);
				memcpy(t.ips[i] + 8, &y, 8);
			} else {
				routegen_inside6(t.ips[i], &r[routegen_rnd(&s) % nr], &s);
			}
		}
		bad = check6(&t, &levels);
		printf("%s/%s: mismatches = %llu of %zu addresses x 3 calls; table levels read "
		       "per lookup = %.2f\n",
		       set, addrs, (unsigned long long)bad, naddr, levels);
		if (bad)
			rc = 2;
		for (unsigned k = 0; k < reps; k++)
			for (int m = 0; m < 2; m++)
				for (int o = 0; o < 2; o++) {
					enum lib lib = (enum lib)((k + o) % 2);

					v[m][lib][k] = time6(&t, lib, m);
				}
		row(set, addrs, "single", v[0][SL], v[0][DP]);
		row(set, addrs, "bulk", v[1][SL], v[1][DP]);
	}
	if (rc == 1)
		rc = 0;
out:
	free(t.ips);
	rte_lpm6_free(t.dp);
	sl_lpm6_free(t.sl);
	free(nh);
	free(gen);
	return rc;
}

/* ---------------------------------------------------------------- main ---- */

static int want(const char *sets, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = sets; (p = strstr(p, name)) != NULL; p += n)
		if ((p == sets || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct route4 r4[ROUTEGEN_DPDK4_MAX];
	static const struct option longopts[] = {
		{"routes", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *sets = NULL, *lcore = "1", *huge_dir = NULL, *routes = NULL;
	char prefix[64], hugedir_arg[512], *eal[16];
	struct routefile rf = {0};
	size_t n4;
	int opt, rc = 0, ne = 0;

	/* DPDK's set comes from the unseeded lrand48() stream: draw it before anything else. */
	n4 = routegen_dpdk4(r4);
	while ((opt = getopt_long(argc, argv, "r:n:l:s:H:f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			reps = (unsigned)atoi(optarg);
			break;
		case 'n':
			naddr = (size_t)atol(optarg);
			break;
		case 'l':
			lcore = optarg;
			break;
		case 's':
			sets = optarg;
			break;
		case 'H':
			huge_dir = optarg;
			break;
		case 'f':
			routes = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-r REPS (1-%d)] [-n ADDRS (multiple of %d)] [-l LCORE] "
				"[-s v4dpdk,v4inet,v6inet1k,v6inet100k,bgp4,bgp6] [-H HUGETLBFS_DIR] "
				"[-f|--routes FILE (CIDR a line, .gz ok): sets bgp4, bgp6]\n",
				argv[0], MAX_REPS, BULK);
			return opt == 'h' ? 0 : 1;
		}
	}
	if (reps < 1 || reps > MAX_REPS || naddr < BULK || naddr % BULK != 0) {
		fprintf(stderr, "lpm_vs_dpdk: -r must be 1-%d and -n a multiple of %d\n", MAX_REPS,
			BULK);
		return 1;
	}
	if (sets == NULL)
		sets = routes != NULL ? "bgp4,bgp6" : "v4dpdk,v4inet,v6inet1k,v6inet100k";
	if ((want(sets, "bgp4") || want(sets, "bgp6")) && routes == NULL) {
		fprintf(stderr, "lpm_vs_dpdk: sets bgp4/bgp6 need --routes FILE\n");
		return 1;
	}
	if (routes != NULL) {
		if (routefile_read(routes, &rf) < 0)
			return 1;
		fprintf(stderr,
			"lpm_vs_dpdk: %s: %zu IPv4 and %zu IPv6 prefixes (%zu and %zu "
			"repeat an earlier one), %zu lines skipped\n",
			routes, rf.n4, rf.n6, rf.dup4, rf.dup6, rf.bad);
		if ((want(sets, "bgp4") && rf.n4 == 0) || (want(sets, "bgp6") && rf.n6 == 0)) {
			fprintf(stderr, "lpm_vs_dpdk: %s: no routes for a family asked for\n",
				routes);
			return 1;
		}
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=lpmvs%d", (int)getpid());
	eal[ne++] = argv[0];
	/* The same kind of pages for both libraries, whatever the machine has reserved. */
	sl_mem_configure(huge_dir != NULL ? SL_MEM_HUGE_REQUIRE : SL_MEM_HUGE_OFF, NULL, 0, 0);
	if (huge_dir != NULL) {
		snprintf(hugedir_arg, sizeof(hugedir_arg), "--huge-dir=%s", huge_dir);
		eal[ne++] = hugedir_arg;
		eal[ne++] = (char *)"--in-memory";
	} else {
		eal[ne++] = (char *)"--no-huge";
	}
	eal[ne++] = (char *)"-m";
	eal[ne++] = (char *)"2048";
	eal[ne++] = (char *)"--no-pci";
	eal[ne++] = (char *)"--no-telemetry";
	eal[ne++] = (char *)"--log-level=error";
	eal[ne++] = (char *)"-l";
	eal[ne++] = (char *)lcore;
	eal[ne++] = prefix;
	eal[ne] = NULL;
	if (rte_eal_init(ne, eal) < 0) {
		fprintf(stderr, "lpm_vs_dpdk: rte_eal_init failed: %s\n", strerror(rte_errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	tsc_hz = (double)sl_tsc_hz();
	printf("lpm_vs_dpdk: %u repetitions (medians), %zu addresses per set, bursts of %d, "
	       "lcore %s, %s for both libraries; cycles per lookup\n\n",
	       reps, naddr, BULK, lcore, huge_dir != NULL ? "2 MiB hugepages" : "4 KiB pages");
	if (routes != NULL)
		printf("routes file %s: %zu IPv4, %zu IPv6 prefixes; TSC %.3f GHz\n", routes, rf.n4,
		       rf.n6, tsc_hz / 1e9);
	if (want(sets, "v4dpdk"))
		rc |= run4("v4dpdk", r4, n4, 2000000, 2048, 0, 0x4444);
	if (want(sets, "v4inet")) {
		routegen_inet4(r4, 200000, &(uint64_t){0x1234});
		rc |= run4("v4inet", r4, 200000, 2000000, 1u << 16, 0, 0x5555);
	}
	if (want(sets, "v6inet1k"))
		rc |= run6("v6inet1k", NULL, 1000, 0, 0, 0x6666);
	if (want(sets, "v6inet100k"))
		rc |= run6("v6inet100k", NULL, 100000, 0, 0, 0x7777);
	/* Both libraries refuse 0 groups: a table with no long route still gets one. */
	if (want(sets, "bgp4"))
		rc |= run4("bgp4", rf.r4, rf.n4, (uint32_t)rf.n4,
			   routefile_groups4(rf.r4, rf.n4) + 1, 4, 0x8888);
	if (want(sets, "bgp6"))
		rc |= run6("bgp6", rf.r6, rf.n6, routefile_groups6(rf.r6, rf.n6) + 1, 4, 0x9999);
	printf("\n");
	printf("| routes | addresses | call | Sluice | DPDK 22.11 | Sluice/DPDK |\n");
	printf("|---|---|---|---:|---:|---:|\n");
	fputs(table, stdout);
	printf("\nLoad (routes added in one loop, TSC) and memory held by each table: Sluice "
	       "sl_lpm_memory()/sl_lpm6_memory(), DPDK its malloc-heap growth across create + "
	       "adds.\n\n");
	printf("| routes | count | max_rules | tbl8 groups | library | added | load ms | "
	       "cycles/route | memory MiB |\n");
	printf("|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
	fputs(loads, stdout);
	routefile_free(&rf);
	if (rc & 2)
		printf("\nlpm_vs_dpdk: the two libraries returned different next hops (see the "
		       "mismatch lines)\n");
	rte_eal_cleanup();
	return rc;
}
