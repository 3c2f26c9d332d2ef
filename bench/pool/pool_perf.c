/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Object pool throughput, measured the way DPDK 22.11's mempool_perf_autotest
 * (app/test/test_mempool_perf.c) measures it and printed in its line format, so that
 * bench/pool/compare.sh can pair the lines:
 *
 *   mempool_autotest cache=C cores=K n_get_bulk=G n_put_bulk=P n_keep=N constant_n=0|1
 *   rate_persec=R                                                        (one line)
 *
 * What a case does: each of K lcores (the main one plus K - 1 workers, started together)
 * repeats passes until the case's duration is over (checked between passes).  A pass is
 * 65536 / N rounds of: take N objects from the shared pool in bulks of G, then give them
 * back in bulks of P; so a pass moves 65536 objects out and back.  R is the sum over the
 * lcores of (objects taken and given back) / duration: one object got AND put counts
 * once.  As in DPDK, the count is divided by the nominal duration (5 s by default, TIME_S
 * there), not by the slightly longer time the last pass ends at.
 *
 * Cases, in DPDK's order: G in {1, 4, 8, 32} x P in {1, 4, 8, 32} x N in {32, 128, 512};
 * when G == P the case runs a second time with G and P compile-time constants
 * (constant_n=1).  Pool: lcores * (512 + 512) - 1 objects of 2048 bytes, each zeroed with
 * its index in its first 4 bytes, default (ring mp/mc) backend, per-lcore cache of 512
 * (flush threshold 768, the default) or none.
 *
 * Sections: by default only "with cache" on 1 and 2 cores (what compare.sh compares).
 * With -a, every section DPDK runs, on 1, 2 and all lcores, in DPDK's order: without
 * cache, the default backend without cache, with cache.  DPDK's fourth section
 * ("user-owned cache", a cache object the caller creates) has no Sluice counterpart:
 * sl_pool caches are per lcore and built into the pool; a fast path holds its lcore's
 * (sl_pool_lcore_cache()), as DPDK's test holds rte_mempool_default_cache().
 *
 * Usage: pool_perf [SLUICE_OPTIONS] [-- [-a] [-t MS]]
 *   SLUICE_OPTIONS  runtime options (sl_runtime.h); two lcores at least: -l 0-1 --no-huge
 *   -a              all sections (see above)
 *   -L              sl_pool_get_bulk/put_bulk (cache looked up per call) instead of the
 *                   _cache calls with the lcore's cache held (what DPDK's test does)
 *   -t MS           duration of each case in milliseconds (default 5000)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_pool.h"
#include "sl_runtime.h"

#define PASS_OBJS 65536          /* objects out and back per pass (N in DPDK) */
#define ELT_SIZE 2048            /* bytes per object */
#define MAX_KEEP 512             /* largest n_keep */
#define CACHE_SIZE SL_POOL_CACHE_MAX_SIZE
#define LINE_BURST (SL_CACHE_LINE / sizeof(void *)) /* pointers per cache line: 8 */

/* A case, shared by the lcores running it. */
struct bench {
	struct sl_pool *pool;
	unsigned get_bulk;
	unsigned put_bulk;
	unsigned keep;
	bool constant;            /* run the loop with compile-time bulk sizes */
	uint64_t duration;        /* TSC cycles */
	uint32_t go;              /* (main) set to 1 once the workers are launched */
	struct {
		uint64_t objs;    /* (that lcore) objects taken and given back */
	} SL_CACHE_ALIGNED done[SL_MAX_LCORE];
};

static void obj_init(struct sl_pool *p, void *obj, unsigned idx, void *arg)
{
	(void)arg;
	memset(obj, 0, sl_pool_elt_size(p));
	*(uint32_t *)obj = idx;
}

/* -L: look the lcore's cache up on every call (sl_pool_get_bulk), instead of holding it
 * (sl_pool_get_bulk_cache with sl_pool_lcore_cache() taken once per lcore, as DPDK's test
 * passes rte_mempool_default_cache() to rte_mempool_generic_get). */
static bool lookup_per_call;

/* One pass.  Always inlined so that constant bulk sizes reach the get/put calls. */
static inline __attribute__((always_inline)) int pass(struct sl_pool *p, struct sl_pool_cache *c,
						      unsigned keep, unsigned get_bulk,
						      unsigned put_bulk)
{
	void *objs[MAX_KEEP] SL_CACHE_ALIGNED;
	unsigned i, idx;

	if (lookup_per_call) {
		for (i = 0; sl_likely(i < PASS_OBJS / keep); i++) {
			for (idx = 0; idx < keep; idx += get_bulk)
				if (sl_unlikely(sl_pool_get_bulk(p, &objs[idx], get_bulk) < 0))
					return -1;
			for (idx = 0; idx < keep; idx += put_bulk)
				sl_pool_put_bulk(p, &objs[idx], put_bulk);
		}
		return 0;
	}
	for (i = 0; sl_likely(i < PASS_OBJS / keep); i++) {
		for (idx = 0; idx < keep; idx += get_bulk)
			if (sl_unlikely(sl_pool_get_bulk_cache(p, c, &objs[idx], get_bulk) < 0)) {
				fprintf(stderr, "pool_perf: get of %u failed with %u of %u objects "
					"out on this lcore\n", get_bulk, idx, keep);
				sl_pool_dump(stderr, p);
				return -1;
			}
		for (idx = 0; idx < keep; idx += put_bulk)
			sl_pool_put_bulk_cache(p, c, &objs[idx], put_bulk);
	}
	return 0;
}

static int run_lcore(void *arg)
{
	struct bench *b = arg;
	const uint32_t me = sl_lcore_id();
	struct sl_pool_cache *c = sl_pool_lcore_cache(b->pool);
	uint64_t start, objs = 0;
	int ret;

	if (me != sl_lcore_main())
		while (__atomic_load_n(&b->go, __ATOMIC_ACQUIRE) == 0)
			sl_pause();
	start = sl_rdtsc();
	do {
		if (!b->constant)
			ret = pass(b->pool, c, b->keep, b->get_bulk, b->put_bulk);
		else
			switch (b->get_bulk) {
			case 1:
				ret = pass(b->pool, c, b->keep, 1, 1);
				break;
			case 4:
				ret = pass(b->pool, c, b->keep, 4, 4);
				break;
			case LINE_BURST:
				ret = pass(b->pool, c, b->keep, LINE_BURST, LINE_BURST);
				break;
			case 32:
				ret = pass(b->pool, c, b->keep, 32, 32);
				break;
			default: ret = -1; break;
			}
		if (ret < 0)
			return ret;
		objs += PASS_OBJS;
	} while (sl_rdtsc() - start < b->duration);
	b->done[me].objs = objs;
	return 0;
}

/* Runs one case on `cores` lcores and prints its line; 0 or -1. */
static int run_case(struct bench *b, unsigned cores, unsigned ms)
{
	uint32_t lc, started[SL_MAX_LCORE];
	unsigned n = 0, i;
	uint64_t rate = 0;
	int ret = 0, rc;

	printf("mempool_autotest cache=%u cores=%u n_get_bulk=%u n_put_bulk=%u n_keep=%u "
	       "constant_n=%u ", b->pool->cache_size, cores,
	       b->get_bulk, b->put_bulk, b->keep, b->constant ? 1u : 0u);
	if (sl_pool_avail(b->pool) != sl_pool_size(b->pool)) {
		printf("mempool is not full\n");
		return -1;
	}
	memset(b->done, 0, sizeof(b->done));
	__atomic_store_n(&b->go, 0, __ATOMIC_RELAXED);
	SL_LCORE_FOREACH_WORKER(lc) {
		if (n + 1 >= cores)
			break;
		rc = sl_lcore_launch(lc, run_lcore, b);
		if (rc < 0) {
			fprintf(stderr, "pool_perf: cannot launch on lcore %u: %s\n", lc,
				strerror(-rc));
			ret = -1;
			break;
		}
		started[n++] = lc;
	}
	__atomic_store_n(&b->go, 1, __ATOMIC_RELEASE);
	if (ret == 0 && run_lcore(b) < 0)
		ret = -1;
	for (i = 0; i < n; i++)
		if (sl_lcore_wait(started[i]) < 0)
			ret = -1;
	if (ret < 0) {
		printf("per-lcore test returned -1\n");
		return -1;
	}
	for (i = 0; i < SL_MAX_LCORE; i++)
		rate += b->done[i].objs * 1000 / ms;
	printf("rate_persec=%" PRIu64 "\n", rate);
	return 0;
}

/* Every case of one section on `cores` lcores, in DPDK's order. */
static int run_cases(struct sl_pool *p, unsigned cores, unsigned ms)
{
	static const unsigned bulks[] = {1, 4, LINE_BURST, 32};
	static const unsigned keeps[] = {32, 128, MAX_KEEP};
	static struct bench b; /* done[] is 8 KiB: keep it off the stack */
	unsigned g, q, k;

	b.pool = p;
	b.duration = sl_tsc_hz() * ms / 1000;
	for (g = 0; g < SL_ARRAY_SIZE(bulks); g++)
		for (q = 0; q < SL_ARRAY_SIZE(bulks); q++)
			for (k = 0; k < SL_ARRAY_SIZE(keeps); k++) {
				b.get_bulk = bulks[g];
				b.put_bulk = bulks[q];
				b.keep = keeps[k];
				b.constant = false;
				if (run_case(&b, cores, ms) < 0)
					return -1;
				if (b.get_bulk != b.put_bulk)
					continue;
				b.constant = true;
				if (run_case(&b, cores, ms) < 0)
					return -1;
			}
	return 0;
}

static struct sl_pool *make_pool(const char *name, unsigned cache, const char *backend)
{
	struct sl_pool_params prm = {
		.name = name,
		.n = sl_lcore_count() * (MAX_KEEP + CACHE_SIZE) - 1,
		.elt_size = ELT_SIZE,
		.cache_size = cache,
		.node = SL_NODE_ANY,
		.backend = backend,
		.obj_init = obj_init,
	};
	struct sl_pool *p = sl_pool_create_params(&prm);

	if (p == NULL)
		fprintf(stderr, "pool_perf: cannot create pool %s: %s\n", name, strerror(errno));
	return p;
}

/* One section: header, then 1 core, 2 cores and (with all) every lcore. */
static int run_section(const char *header, const char *name, unsigned cache,
		       const char *backend, bool all, unsigned ms)
{
	struct sl_pool *p = make_pool(name, cache, backend);
	int ret = -1;

	if (p == NULL)
		return -1;
	printf("%s\n", header);
	if (run_cases(p, 1, ms) < 0)
		goto free_pool;
	if (run_cases(p, 2, ms) < 0)
		goto free_pool;
	if (all && run_cases(p, sl_lcore_count(), ms) < 0)
		goto free_pool;
	ret = 0;
free_pool:
	sl_pool_free(p);
	return ret;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: pool_perf [SLUICE_OPTIONS] [-- [-a] [-L] [-t MS]]\n"
		"  -a     every section DPDK's mempool_perf_autotest runs (default: with cache, "
		"1 and 2 cores)\n"
		"  -L     look the lcore's cache up on every call (default: held, as DPDK's test "
		"does)\n"
		"  -t MS  duration of each case in milliseconds, 1..600000 (default 5000)\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned ms = 5000;
	bool all = false;
	int n, opt, ret = 1;
	char *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = sl_init(argc, argv);
	if (n == -ECANCELED)
		return 0;
	if (n < 0) {
		fprintf(stderr, "pool_perf: runtime initialisation failed: %s\n", strerror(-n));
		return 1;
	}
	argc -= n; /* sl_init() moved argv[0] up to just before our options */
	argv += n;
	optind = 0; /* sl_init() used getopt too: glibc full reset */
	while ((opt = getopt(argc, argv, "aLt:")) != -1)
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 'L':
			lookup_per_call = true;
			break;
		case 't': {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v == 0 || v > 600000) {
				fprintf(stderr, "pool_perf: bad -t '%s': give a whole number of "
					"milliseconds from 1 to 600000\n", optarg);
				goto cleanup;
			}
			ms = (unsigned)v;
			break;
		}
		default:
			ret = usage();
			goto cleanup;
		}
	if (optind != argc) {
		fprintf(stderr, "pool_perf: unexpected argument '%s'\n", argv[optind]);
		ret = usage();
		goto cleanup;
	}

	/* DPDK sizes the pool lcores * 1024 - 1; on one lcore that is 1023, and an sl_pool
	 * cache may not exceed half the pool (DPDK allows up to 2/3). */
	if (sl_lcore_count() < 2) {
		fprintf(stderr, "pool_perf: needs two lcores (the pool is lcores * 1024 - 1 objects "
			"and must be at least twice the 512-object cache); give -l 0-1\n");
		goto cleanup;
	}
	printf("Sluice pool_perf: same cases, method and line format as DPDK "
	       "mempool_perf_autotest; %u ms per case, %u lcores\n", ms, sl_lcore_count());
	if (all && (run_section("start performance test (without cache)", "perf_test_nocache",
				0, NULL, all, ms) < 0 ||
		    run_section("start performance test for ring_mp_mc (without cache)",
				"default_pool", 0, "ring_mp_mc", all, ms) < 0))
		goto cleanup;
	if (run_section("start performance test (with cache)", "perf_test_cache", CACHE_SIZE,
			NULL, all, ms) < 0)
		goto cleanup;
	if (all)
		printf("user-owned cache section skipped: Sluice pools have no caller-owned "
		       "cache API\n");
	printf("Test OK\n");
	ret = 0;
cleanup:
	sl_cleanup();
	return ret;
}
