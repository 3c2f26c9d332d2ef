/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the object pool.  Lcores are emulated by setting this thread's
 * sl_lcore_self (the runtime is not started), which is all the pool looks at.
 * Run with argument "stress" to run only the threaded tests (the 'slow' suite).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log_capture.h"
#include "sl_lcore.h"
#include "sl_memory.h"
#include "sl_pool.h"

static const char *const backends[] = {"ring_mp_mc", "ring_sp_sc", "ring_mp_sc", "ring_sp_mc",
				       "stack"};

static struct sl_pool *mk(const char *name, unsigned n, unsigned elt, unsigned cache,
			  unsigned flags, const char *backend)
{
	struct sl_pool_params prm = {
		.name = name, .n = n, .elt_size = elt, .cache_size = cache,
		.node = SL_NODE_ANY, .flags = flags, .backend = backend,
	};
	struct sl_pool *p = sl_pool_create_params(&prm);

	assert_non_null(p);
	return p;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Every pointer is an object of p and no two are equal. */
static void assert_distinct_objects(const struct sl_pool *p, void **objs, unsigned n)
{
	void **copy = malloc(n * sizeof(*copy));
	unsigned i;

	assert_non_null(copy);
	memcpy(copy, objs, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), cmp_ptr);
	for (i = 0; i < n; i++) {
		assert_true(sl_pool_contains(p, copy[i]));
		if (i > 0)
			assert_ptr_not_equal(copy[i - 1], copy[i]);
	}
	free(copy);
}

static int teardown_lcore(void **state)
{
	(void)state;
	sl_lcore_self = SL_LCORE_ANY;
	log_capture_stop();
	return 0;
}

/* ---- basics ---- */

static void test_get_put_bulk(void **state)
{
	struct sl_pool *p = mk("basic", 64, 100, 0, 0, NULL);
	void *objs[64];
	unsigned i;

	(void)state;
	assert_string_equal(sl_pool_backend(p), "ring_mp_mc");
	assert_int_equal(sl_pool_size(p), 64);
	assert_int_equal(sl_pool_elt_size(p), 100);
	assert_int_equal(sl_pool_in_use(p), 0);
	assert_int_equal(sl_pool_avail(p), 64);
	assert_int_equal(sl_pool_get_bulk(p, objs, 10), 0);
	assert_int_equal(sl_pool_in_use(p), 10);
	assert_int_equal(sl_pool_get(p, &objs[10]), 0);
	assert_int_equal(sl_pool_in_use(p), 11);
	assert_distinct_objects(p, objs, 11);
	for (i = 0; i < 11; i++) {
		assert_int_equal((uintptr_t)objs[i] % SL_CACHE_LINE, 0);
		memset(objs[i], 0xa5, 100); /* the whole object is usable */
	}
	sl_pool_put_bulk(p, objs, 10);
	assert_int_equal(sl_pool_in_use(p), 1);
	sl_pool_put(p, objs[10]);
	assert_int_equal(sl_pool_in_use(p), 0);
	assert_int_equal(sl_pool_debug_errors(p), 0);
	sl_pool_free(p);
}

static void test_exhaustion(void **state)
{
	struct sl_pool *p = mk("exhaust", 16, 8, 0, 0, NULL);
	void *objs[17], *one = NULL;

	(void)state;
	assert_int_equal(sl_pool_get_bulk(p, objs, 17), -ENOENT);
	assert_int_equal(sl_pool_in_use(p), 0); /* nothing taken */
	assert_int_equal(sl_pool_get_bulk(p, objs, 16), 0);
	assert_distinct_objects(p, objs, 16);
	assert_int_equal(sl_pool_get(p, &one), -ENOENT);
	assert_null(one);
	assert_int_equal(sl_pool_in_use(p), 16);
	sl_pool_put_bulk(p, objs, 16);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);
}

/* With a cache: a request bigger than the cache takes the backend's part plus the cache,
 * and a failing request takes nothing. */
static void test_exhaustion_cached(void **state)
{
	struct sl_pool *p = mk("exhaust_c", 64, 8, 16, 0, NULL);
	void *objs[65];

	(void)state;
	sl_lcore_self = 0;
	assert_int_equal(sl_pool_get_bulk(p, objs, 10), 0);
	assert_int_equal(sl_pool_cache_count(p, 0), 16);       /* refilled to cache_size */
	assert_int_equal(sl_pool_get_bulk(p, &objs[10], 55), -ENOENT);
	assert_int_equal(sl_pool_in_use(p), 10);
	assert_int_equal(sl_pool_cache_count(p, 0), 16);
	assert_int_equal(sl_pool_get_bulk(p, &objs[10], 54), 0); /* 38 backend + 16 cache */
	assert_int_equal(sl_pool_cache_count(p, 0), 0);
	assert_int_equal(sl_pool_in_use(p), 64);
	assert_distinct_objects(p, objs, 64);
	assert_int_equal(sl_pool_get(p, &objs[64]), -ENOENT);
	sl_pool_put_bulk(p, objs, 64);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);
}

/* ---- caches ---- */

static void test_cache_in_use_lcores(void **state)
{
	struct sl_pool *p = mk("lcores", 256, 32, 8, 0, NULL);
	void *a[5], *b[3], *c[2];

	(void)state;
	sl_lcore_self = 1;
	assert_int_equal(sl_pool_get_bulk(p, a, 5), 0);
	assert_int_equal(sl_pool_cache_count(p, 1), 8);
	sl_lcore_self = 2;
	assert_int_equal(sl_pool_get_bulk(p, b, 3), 0);
	assert_int_equal(sl_pool_cache_count(p, 2), 8);
	sl_lcore_self = 127;
	assert_int_equal(sl_pool_get_bulk(p, c, 2), 0);
	assert_int_equal(sl_pool_in_use(p), 10);        /* caches count as in the pool */
	assert_int_equal(sl_pool_avail(p), 246);
	/* Objects move between lcores: lcore 127 puts what lcore 1 took. */
	sl_pool_put_bulk(p, a, 5);                      /* 13 > 12: flushed down to 8 */
	assert_int_equal(sl_pool_cache_count(p, 127), 8);
	assert_int_equal(sl_pool_in_use(p), 5);
	sl_lcore_self = SL_LCORE_ANY;                  /* non-lcore: straight to the backend */
	sl_pool_put_bulk(p, b, 3);
	assert_int_equal(sl_pool_cache_count(p, 2), 8);
	assert_int_equal(sl_pool_in_use(p), 2);
	sl_pool_put_bulk(p, c, 2);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_cache_flush(p, 1);
	sl_pool_cache_flush(p, 2);
	sl_pool_cache_flush(p, 127);
	sl_pool_cache_flush(p, SL_LCORE_ANY);           /* ignored */
	assert_int_equal(sl_pool_cache_count(p, 1) + sl_pool_cache_count(p, 2) +
			 sl_pool_cache_count(p, 127), 0);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);
}

/* A non-lcore thread never touches any cache. */
static void test_cache_bypass_non_lcore(void **state)
{
	struct sl_pool *p = mk("bypass", 128, 32, 8, 0, NULL);
	void *objs[8];
	unsigned l;

	(void)state;
	sl_lcore_self = SL_LCORE_ANY;
	assert_int_equal(sl_pool_get_bulk(p, objs, 4), 0);
	sl_pool_put_bulk(p, objs, 4);
	for (l = 0; l < SL_MAX_LCORE; l++)
		assert_int_equal(sl_pool_cache_count(p, l), 0);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);
}

/* A held cache (sl_pool_lcore_cache) behaves as the per-call lookup: same refills and
 * flushes, same counts; NULL (not an lcore, no cache, debug) goes around it. */
static void test_held_cache(void **state)
{
	struct sl_pool *p = mk("held", 64, 8, 16, 0, NULL);
	struct sl_pool *nc = mk("held_nc", 16, 8, 0, 0, NULL);
	struct sl_pool *dbg = mk("held_dbg", 64, 8, 16, SL_POOL_DEBUG, NULL);
	struct sl_pool_cache *c;
	struct log_capture cap;
	void *objs[65];

	(void)state;
	sl_lcore_self = SL_LCORE_ANY;
	assert_null(sl_pool_lcore_cache(p));
	sl_lcore_self = 1;
	c = sl_pool_lcore_cache(p);
	assert_non_null(c);
	assert_null(sl_pool_lcore_cache(nc));
	assert_null(sl_pool_lcore_cache(dbg)); /* debug mode checks every call */
	assert_int_equal(sl_pool_get_bulk_cache(p, c, objs, 10), 0);
	assert_int_equal(sl_pool_cache_count(p, 1), 16); /* refilled to cache_size */
	assert_int_equal(sl_pool_get_bulk_cache(p, c, &objs[10], 55), -ENOENT);
	assert_int_equal(sl_pool_in_use(p), 10);
	assert_int_equal(sl_pool_get_bulk_cache(p, c, &objs[10], 54), 0);
	assert_int_equal(sl_pool_in_use(p), 64);
	assert_distinct_objects(p, objs, 64);
	sl_pool_put_bulk_cache(p, c, objs, 20); /* under the threshold: kept */
	assert_int_equal(sl_pool_cache_count(p, 1), 20);
	sl_pool_put_bulk_cache(p, c, &objs[20], 10); /* 30 > 24: down to 16 */
	assert_int_equal(sl_pool_cache_count(p, 1), 16);
	sl_pool_put_bulk_cache(p, c, &objs[30], 34);
	assert_int_equal(sl_pool_in_use(p), 0);
	/* NULL: the calls of a pool without cache, and debug mode's checks. */
	assert_int_equal(sl_pool_get_bulk_cache(nc, NULL, objs, 16), 0);
	assert_int_equal(sl_pool_get_bulk_cache(nc, NULL, &objs[16], 1), -ENOENT);
	sl_pool_put_bulk_cache(nc, NULL, objs, 16);
	assert_int_equal(sl_pool_in_use(nc), 0);
	log_capture_start(&cap);
	assert_int_equal(sl_pool_get_bulk_cache(dbg, NULL, objs, 2), 0);
	sl_pool_put_bulk_cache(dbg, NULL, objs, 2);
	sl_pool_put_bulk_cache(dbg, NULL, objs, 1);
	log_capture_stop();
	assert_int_equal(sl_pool_debug_errors(dbg), 1); /* the double put is caught */
	assert_true(log_capture_has(&cap, "double put", NULL));
	sl_pool_free(p);
	sl_pool_free(nc);
	sl_pool_free(dbg);
}

static void test_flush_thresholds(void **state)
{
	struct sl_pool_params prm = {
		.name = "thresh", .n = 256, .elt_size = 16, .cache_size = 8,
		.cache_flushthresh = 12, .node = SL_NODE_ANY,
	};
	struct sl_pool *p;
	void *objs[64];

	(void)state;
	p = sl_pool_create_params(&prm);
	assert_non_null(p);
	/* Take 20 as a non-lcore thread (the cache stays empty), then put them as lcore 3. */
	assert_int_equal(sl_pool_get_bulk(p, objs, 20), 0);
	sl_lcore_self = 3;
	assert_int_equal(sl_pool_cache_count(p, 3), 0);
	sl_pool_put_bulk(p, objs, 5);
	sl_pool_put_bulk(p, &objs[5], 7);                   /* exactly the threshold: kept */
	assert_int_equal(sl_pool_cache_count(p, 3), 12);
	sl_pool_put_bulk(p, &objs[12], 1);                  /* 13 > 12: flush down to 8 */
	assert_int_equal(sl_pool_cache_count(p, 3), 8);
	sl_pool_put_bulk(p, &objs[13], 7);                  /* 15 > 12: down to 8 again */
	assert_int_equal(sl_pool_cache_count(p, 3), 8);
	assert_int_equal(sl_pool_in_use(p), 0);
	assert_int_equal(sl_pool_get_bulk(p, objs, 3), 0);  /* served by the cache */
	assert_int_equal(sl_pool_cache_count(p, 3), 5);
	assert_int_equal(sl_pool_get_bulk(p, &objs[3], 9), 0); /* > cache_size: backend */
	assert_int_equal(sl_pool_cache_count(p, 3), 5);
	assert_int_equal(sl_pool_get_bulk(p, &objs[12], 6), 0); /* refill: 8 remain */
	assert_int_equal(sl_pool_cache_count(p, 3), 8);
	assert_int_equal(sl_pool_in_use(p), 18);
	assert_distinct_objects(p, objs, 18);
	sl_pool_put_bulk(p, objs, 18);                      /* > cache_size: backend */
	assert_int_equal(sl_pool_cache_count(p, 3), 8);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);

	/* Default threshold: 1.5 x cache_size. */
	p = mk("thresh2", 256, 16, 8, 0, NULL);
	assert_int_equal(sl_pool_get_bulk(p, objs, 20), 0);
	sl_pool_put_bulk(p, objs, 12);
	assert_int_equal(sl_pool_cache_count(p, 3), 12);
	sl_pool_put_bulk(p, &objs[12], 1);
	assert_int_equal(sl_pool_cache_count(p, 3), 8);
	sl_pool_put_bulk(p, &objs[13], 7);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);
}

/* ---- backends ---- */

static void test_backends(void **state)
{
	unsigned b, cached;
	void *objs[100], *x;

	(void)state;
	for (b = 0; b < SL_ARRAY_SIZE(backends); b++) {
		for (cached = 0; cached < 2; cached++) {
			struct sl_pool *p;
			unsigned i;

			sl_lcore_self = cached ? 5 : SL_LCORE_ANY;
			p = mk("backend", 100, 24, cached ? 10 : 0, 0, backends[b]);
			assert_string_equal(sl_pool_backend(p), backends[b]);
			for (i = 0; i < 100; i += 20)
				assert_int_equal(sl_pool_get_bulk(p, &objs[i], 20), 0);
			assert_distinct_objects(p, objs, 100);
			assert_int_equal(sl_pool_in_use(p), 100);
			assert_int_equal(sl_pool_get(p, &x), -ENOENT);
			sl_pool_put_bulk(p, objs, 50);
			sl_pool_put_bulk(p, &objs[50], 50);
			assert_int_equal(sl_pool_in_use(p), 0);
			assert_int_equal(sl_pool_get_bulk(p, objs, 100), 0);
			assert_distinct_objects(p, objs, 100);
			sl_pool_put_bulk(p, objs, 100);
			assert_int_equal(sl_pool_avail(p), 100);
			sl_pool_free(p);
		}
	}
	sl_lcore_self = SL_LCORE_ANY;
}

/* The stack hands back the most recently freed object first; the ring the oldest. */
static void test_stack_lifo(void **state)
{
	struct sl_pool *p = mk("lifo", 32, 8, 0, 0, "stack");
	struct sl_pool *q = mk("fifo", 32, 8, 0, 0, "ring_mp_mc");
	void *a[3], *x;

	(void)state;
	assert_int_equal(sl_pool_get_bulk(p, a, 3), 0);
	sl_pool_put(p, a[1]);
	sl_pool_put(p, a[2]);
	assert_int_equal(sl_pool_get(p, &x), 0);
	assert_ptr_equal(x, a[2]);
	assert_int_equal(sl_pool_get(p, &x), 0);
	assert_ptr_equal(x, a[1]);
	sl_pool_put_bulk(p, a, 3);
	assert_int_equal(sl_pool_get_bulk(q, a, 1), 0);
	sl_pool_put(q, a[0]);
	assert_int_equal(sl_pool_get(q, &x), 0);
	assert_ptr_not_equal(x, a[0]);
	sl_pool_put(q, x);
	sl_pool_free(p);
	sl_pool_free(q);
}

/* Flags choose the ring variant when no backend is named. */
static void test_default_backend_flags(void **state)
{
	struct sl_pool *p;

	(void)state;
	p = mk("flags1", 8, 8, 0, SL_POOL_SP_PUT | SL_POOL_SC_GET, NULL);
	assert_string_equal(sl_pool_backend(p), "ring_sp_sc");
	sl_pool_free(p);
	p = mk("flags2", 8, 8, 0, SL_POOL_SC_GET, NULL);
	assert_string_equal(sl_pool_backend(p), "ring_mp_sc");
	sl_pool_free(p);
	p = mk("flags3", 8, 8, 0, SL_POOL_SP_PUT, NULL);
	assert_string_equal(sl_pool_backend(p), "ring_sp_mc");
	sl_pool_free(p);
}

/* ---- iteration, init callback, private area, contains ---- */

struct iter_state {
	unsigned visits[300];
	unsigned calls;
	bool bad;
};

static void count_visit(struct sl_pool *p, void *obj, unsigned idx, void *arg)
{
	struct iter_state *st = arg;

	if (idx >= 300 || sl_pool_obj(p, idx) != obj || !sl_pool_contains(p, obj) ||
	    sl_pool_obj_index(p, obj) != (int)idx)
		st->bad = true;
	else
		st->visits[idx]++;
	st->calls++;
}

static void test_obj_iter(void **state)
{
	struct sl_pool *p = mk("iter", 300, 40, 16, 0, NULL);
	struct iter_state *st = calloc(1, sizeof(*st));
	void *objs[100];
	unsigned i;

	(void)state;
	assert_non_null(st);
	sl_lcore_self = 0;
	/* Objects out, in a cache and in the backend are all visited. */
	assert_int_equal(sl_pool_get_bulk(p, objs, 100), 0);
	sl_pool_put_bulk(p, objs, 10);
	assert_int_equal(sl_pool_obj_iter(p, count_visit, st), 300);
	assert_false(st->bad);
	assert_int_equal(st->calls, 300);
	for (i = 0; i < 300; i++)
		assert_int_equal(st->visits[i], 1);
	assert_null(sl_pool_obj(p, 300));
	sl_pool_put_bulk(p, &objs[10], 90);
	free(st);
	sl_pool_free(p);
}

static void init_obj(struct sl_pool *p, void *obj, unsigned idx, void *arg)
{
	unsigned *calls = arg;

	(void)p;
	memset(obj, 0, 64);
	*(uint32_t *)obj = idx + 1000;
	calls[idx]++;
}

static void test_obj_init_and_priv(void **state)
{
	static unsigned calls[50];
	struct sl_pool_params prm = {
		.name = "init", .n = 50, .elt_size = 64, .cache_size = 4, .node = SL_NODE_ANY,
		.obj_init = init_obj, .obj_init_arg = calls, .priv_size = 100,
	};
	struct sl_pool *p = sl_pool_create_params(&prm);
	void *objs[50];
	unsigned char *priv;
	unsigned i;

	(void)state;
	assert_non_null(p);
	for (i = 0; i < 50; i++)
		assert_int_equal(calls[i], 1);
	assert_int_equal(sl_pool_get_bulk(p, objs, 50), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(*(uint32_t *)objs[i], sl_pool_obj_index(p, objs[i]) + 1000);
	sl_pool_put_bulk(p, objs, 50);
	priv = sl_pool_priv(p);
	assert_non_null(priv);
	assert_int_equal((uintptr_t)priv % SL_CACHE_LINE, 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(priv[i], 0);
	memset(priv, 0xff, 100);                /* must not overlap anything */
	assert_int_equal(sl_pool_in_use(p), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(*(uint32_t *)sl_pool_obj(p, i), i + 1000);
	sl_pool_free(p);

	p = mk("nopriv", 8, 8, 0, 0, NULL);
	assert_null(sl_pool_priv(p));
	sl_pool_free(p);
}

static void test_contains_and_stride(void **state)
{
	struct sl_pool *p = mk("contains", 10, 2048, 0, 0, NULL);
	struct sl_pool *q = mk("contains2", 10, 2048, 0, SL_POOL_NO_SPREAD, NULL);
	char *first = sl_pool_obj(p, 0), *second = sl_pool_obj(p, 1), *last = sl_pool_obj(p, 9);
	size_t stride = (size_t)(second - first);
	int local;

	(void)state;
	assert_int_equal(stride, 2048 + SL_CACHE_LINE);       /* 33 lines: odd */
	assert_int_equal((char *)sl_pool_obj(q, 1) - (char *)sl_pool_obj(q, 0), 2048);
	assert_true(sl_pool_contains(p, first));
	assert_true(sl_pool_contains(p, last));
	assert_false(sl_pool_contains(p, first + 1));
	assert_false(sl_pool_contains(p, first - stride));
	assert_false(sl_pool_contains(p, last + stride));
	assert_false(sl_pool_contains(p, &local));
	assert_false(sl_pool_contains(p, sl_pool_obj(q, 0)));
	assert_int_equal(sl_pool_obj_index(p, last), 9);
	assert_int_equal(sl_pool_obj_index(p, first + 8), -1);
	sl_pool_free(p);
	sl_pool_free(q);
}

/* ---- debug mode ---- */

static void test_debug_double_put(void **state)
{
	unsigned cached;

	(void)state;
	for (cached = 0; cached < 2; cached++) {
		struct sl_pool *p;
		struct log_capture cap;
		void *objs[16], *x;
		char addr[32];

		sl_lcore_self = cached ? 7 : SL_LCORE_ANY;
		p = mk("dbl", 16, 48, cached ? 4 : 0, SL_POOL_DEBUG, NULL);
		assert_int_equal(sl_pool_get(p, &x), 0);
		sl_pool_put(p, x);
		assert_int_equal(sl_pool_debug_errors(p), 0);
		log_capture_start(&cap);
		sl_pool_put(p, x);                    /* double put */
		log_capture_stop();
		snprintf(addr, sizeof(addr), "%p", x);
		assert_int_equal(sl_pool_debug_errors(p), 1);
		assert_int_equal(cap.lines, 1);
		assert_true(log_capture_has(&cap, "double put", addr));
		assert_true(log_capture_has(&cap, "pool dbl", NULL));
		/* The pool was not corrupted: 16 objects, each once. */
		assert_int_equal(sl_pool_in_use(p), 0);
		assert_int_equal(sl_pool_get_bulk(p, objs, 16), 0);
		assert_distinct_objects(p, objs, 16);
		assert_int_equal(sl_pool_get(p, &x), -ENOENT);
		/* A double put inside one bulk call is caught too. */
		sl_pool_put_bulk(p, objs, 16);
		log_capture_start(&cap);
		sl_pool_put_bulk(p, objs, 2);
		log_capture_stop();
		assert_int_equal(sl_pool_debug_errors(p), 3);
		assert_int_equal(cap.lines, 2);
		assert_int_equal(sl_pool_avail(p), 16);
		/* Never-taken objects (fresh from create) are in the pool too. */
		sl_pool_free(p);
		p = mk("dbl", 16, 48, 0, SL_POOL_DEBUG, NULL);
		log_capture_start(&cap);
		sl_pool_put(p, sl_pool_obj(p, 3));
		log_capture_stop();
		assert_int_equal(sl_pool_debug_errors(p), 1);
		assert_int_equal(sl_pool_avail(p), 16);
		sl_pool_free(p);
	}
	sl_lcore_self = SL_LCORE_ANY;
}

static void test_debug_foreign_put(void **state)
{
	struct sl_pool *p = mk("foreign", 8, 64, 0, SL_POOL_DEBUG, NULL);
	struct sl_pool *q = mk("other", 8, 64, 0, SL_POOL_DEBUG, NULL);
	struct log_capture cap;
	void *x, *y;
	char addr[32];

	(void)state;
	assert_int_equal(sl_pool_get(p, &x), 0);
	assert_int_equal(sl_pool_get(q, &y), 0);
	log_capture_start(&cap);
	sl_pool_put(p, (char *)x + 8);            /* inside an object, not its start */
	sl_pool_put(p, y);                        /* another pool's object */
	sl_pool_put(p, &cap);                     /* not pool memory at all */
	log_capture_stop();
	assert_int_equal(sl_pool_debug_errors(p), 3);
	snprintf(addr, sizeof(addr), "%p", y);
	assert_true(log_capture_has(&cap, "not an object of this pool", addr));
	assert_int_equal(sl_pool_in_use(p), 1);
	assert_int_equal(sl_pool_avail(p), 7);
	sl_pool_put(p, x);
	sl_pool_put(q, y);
	assert_int_equal(sl_pool_debug_errors(p), 3);
	assert_int_equal(sl_pool_debug_errors(q), 0);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);
	sl_pool_free(q);
}

static void test_debug_write_after_free(void **state)
{
	struct sl_pool *p = mk("uaf", 8, 100, 0, SL_POOL_DEBUG, "stack");
	struct log_capture cap;
	void *x, *y, *all[8];
	char addr[32];

	(void)state;
	assert_int_equal(sl_pool_get(p, &x), 0);
	memset(x, 0x11, 100);
	sl_pool_put(p, x);
	assert_int_equal(((unsigned char *)x)[50], 0x6b); /* poisoned */
	((unsigned char *)x)[50] = 0;                      /* write after free */
	log_capture_start(&cap);
	assert_int_equal(sl_pool_get(p, &y), 0);          /* LIFO: the same object */
	log_capture_stop();
	assert_ptr_equal(x, y);
	snprintf(addr, sizeof(addr), "%p", x);
	assert_int_equal(sl_pool_debug_errors(p), 1);
	assert_true(log_capture_has(&cap, "written after it was put", addr));
	assert_true(log_capture_has(&cap, "byte 50", "pool uaf"));
	/* Untouched objects raise nothing. */
	sl_pool_put(p, y);
	assert_int_equal(sl_pool_get_bulk(p, all, 8), 0);
	sl_pool_put_bulk(p, all, 8);
	assert_int_equal(sl_pool_get_bulk(p, all, 8), 0);
	assert_int_equal(sl_pool_debug_errors(p), 1);
	sl_pool_put_bulk(p, all, 8);
	assert_int_equal(sl_pool_in_use(p), 0);
	sl_pool_free(p);
}

/* Cookie-only debug keeps contents (for objects that carry state, like packet buffers). */
static void test_debug_nopoison(void **state)
{
	static unsigned calls[8];
	struct sl_pool_params prm = {
		.name = "nopoison", .n = 8, .elt_size = 64, .node = SL_NODE_ANY,
		.flags = SL_POOL_DEBUG_NOPOISON, .obj_init = init_obj, .obj_init_arg = calls,
		.backend = "stack",
	};
	struct sl_pool *p = sl_pool_create_params(&prm);
	struct log_capture cap;
	void *x;

	(void)state;
	assert_non_null(p);
	assert_int_equal(sl_pool_get(p, &x), 0);
	sl_pool_put(p, x);
	assert_int_equal(sl_pool_get(p, &x), 0);
	assert_int_equal(*(uint32_t *)x, sl_pool_obj_index(p, x) + 1000);
	sl_pool_put(p, x);
	log_capture_start(&cap);
	sl_pool_put(p, x);
	log_capture_stop();
	assert_int_equal(sl_pool_debug_errors(p), 1);
	assert_true(log_capture_has(&cap, "double put", NULL));
	assert_int_equal(sl_pool_avail(p), 8);
	sl_pool_free(p);
}

/* ---- errors ---- */

struct bad_case {
	struct sl_pool_params prm;
	int err;
	const char *frag1, *frag2;
};

static void test_bad_args(void **state)
{
	static const struct bad_case cases[] = {
		{{.name = "b", .n = 0, .elt_size = 8}, EINVAL, "n = 0", "at least 1"},
		{{.name = "b", .n = 8, .elt_size = 0}, EINVAL, "elt_size = 0", "at least 1 byte"},
		{{.name = "b", .n = 8, .elt_size = (1u << 30) + 1}, EINVAL, "elt_size = 1073741825",
		 "at most"},
		{{.name = "b", .n = 4096, .elt_size = 8, .cache_size = 513}, EINVAL,
		 "cache_size 513", "use at most 512"},
		{{.name = "b", .n = 100, .elt_size = 8, .cache_size = 51}, EINVAL,
		 "cache_size 51", "use at most 50"},
		{{.name = "b", .n = 100, .elt_size = 8, .cache_size = 10, .cache_flushthresh = 21},
		 EINVAL, "cache_flushthresh 21", "[10, 20]"},
		{{.name = "b", .n = 100, .elt_size = 8, .cache_size = 10, .cache_flushthresh = 9},
		 EINVAL, "cache_flushthresh 9", "[10, 20]"},
		{{.name = "b", .n = 8, .elt_size = 8, .backend = "bogus"}, EINVAL,
		 "unknown backend \"bogus\"", "stack"},
		{{.name = "b", .n = 8, .elt_size = 8, .flags = 0x100}, EINVAL, "unknown flags 0x100",
		 NULL},
		{{.name = "0123456789012345678901234567890123", .n = 8, .elt_size = 8},
		 ENAMETOOLONG, "34 characters", "at most 31"},
		{{.name = NULL, .n = 8, .elt_size = 8}, EINVAL, "NULL", NULL},
		{{.name = "b", .n = 0x80000001u, .elt_size = 8}, EINVAL, "n = 2147483649",
		 "at most"},
		{{.name = "huge", .n = 1u << 30, .elt_size = 1u << 30}, ENOMEM, "pool huge",
		 "cannot allocate"},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		struct sl_pool_params prm = cases[i].prm;
		struct log_capture cap;
		struct sl_pool *p;

		prm.node = SL_NODE_ANY;
		log_capture_start(&cap);
		errno = 0;
		p = sl_pool_create_params(&prm);
		log_capture_stop();
		if (p != NULL || errno != cases[i].err ||
		    !log_capture_has(&cap, cases[i].frag1, cases[i].frag2))
			fail_msg("case %u: p=%p errno=%d (want %d), log: %s", i, (void *)p, errno,
				 cases[i].err, cap.text);
	}
	log_capture_stop();
	errno = 0;
	assert_null(sl_pool_create_params(NULL));
	assert_int_equal(errno, EINVAL);
}

static void test_lookup_eexist(void **state)
{
	struct sl_pool *p = mk("named", 16, 8, 0, 0, NULL);
	struct log_capture cap;

	(void)state;
	assert_ptr_equal(sl_pool_lookup("named"), p);
	assert_string_equal(sl_pool_name(p), "named");
	log_capture_start(&cap);
	errno = 0;
	assert_null(sl_pool_create("named", 16, 8, 0, SL_NODE_ANY, 0));
	log_capture_stop();
	assert_int_equal(errno, EEXIST);
	assert_true(log_capture_has(&cap, "pool named", "name is taken"));
	log_capture_start(&cap);
	errno = 0;
	assert_null(sl_pool_lookup("nosuch"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(cap.lines, 0); /* a miss is an answer, not logged */
	/* A NULL or empty name is a caller's mistake: EINVAL and one line. */
	errno = 0;
	assert_null(sl_pool_lookup(NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cap.lines, 1);
	assert_true(log_capture_has(&cap, "pool lookup: name is NULL", "pass the name"));
	errno = 0;
	assert_null(sl_pool_lookup(""));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cap.lines, 2);
	assert_true(log_capture_has(&cap, "pool lookup: name is empty", "pass the name"));
	log_capture_stop();
	sl_pool_free(p);
	assert_null(sl_pool_lookup("named"));
	p = mk("named", 16, 8, 0, 0, NULL);           /* the name is free again */
	sl_pool_free(p);
	sl_pool_free(NULL);
}

static void test_dump(void **state)
{
	struct sl_pool *p = mk("dumped", 16, 8, 4, SL_POOL_DEBUG, NULL);
	char buf[2048] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	assert_non_null(f);
	sl_pool_dump(f, p);
	fclose(f);
	assert_non_null(strstr(buf, "dumped"));
	assert_non_null(strstr(buf, "backend=ring_mp_mc"));
	assert_non_null(strstr(buf, "in_use=0"));
	assert_non_null(strstr(buf, "debug_errors=0"));
	sl_pool_free(p);
}

/* ---- concurrency ---- */

struct worker {
	struct sl_pool *p;
	uint32_t lcore;         /* emulated lcore, or SL_LCORE_ANY */
	unsigned id;
	unsigned long rounds;
	unsigned long moved;
	unsigned long failures; /* gets that found the pool empty */
	unsigned long clashes;  /* an object seen held by two threads at once */
	pthread_t tid;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	void *held[64];
	unsigned long r;
	uint32_t seed = w->id * 7919u + 1;

	sl_lcore_self = w->lcore;
	for (r = 0; r < w->rounds; r++) {
		unsigned n, i;

		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 48;
		if (sl_pool_get_bulk(w->p, held, n) != 0) {
			w->failures++;
			continue;
		}
		/* Stamp each object; if another thread holds it too, the stamp changes. */
		for (i = 0; i < n; i++)
			*(volatile unsigned *)held[i] = w->id;
		for (i = 0; i < n; i++)
			if (*(volatile unsigned *)held[i] != w->id)
				w->clashes++;
		sl_pool_put_bulk(w->p, held, n);
		w->moved += n;
	}
	sl_lcore_self = SL_LCORE_ANY;
	return NULL;
}

static unsigned long stress_rounds(void)
{
	const char *s = getenv("SL_POOL_STRESS_ROUNDS");

	return s ? strtoul(s, NULL, 0) : 60000;
}

static void stress_one(const char *backend, unsigned cache, unsigned flags, bool mixed)
{
	/* Small enough that the threads run it dry now and then (failure path too). */
	struct sl_pool *p = mk("stress", 160, 64, cache, flags, backend);
	struct worker w[3];
	void **all;
	unsigned i, nw = mixed ? 3 : 2;
	unsigned long moved = 0;

	for (i = 0; i < nw; i++) {
		w[i] = (struct worker){.p = p, .id = i + 1, .rounds = stress_rounds(),
				       .lcore = (mixed && i == 2) ? SL_LCORE_ANY : i * 3};
		assert_int_equal(pthread_create(&w[i].tid, NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < nw; i++) {
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
		assert_int_equal(w[i].clashes, 0);
		moved += w[i].moved;
	}
	assert_true(moved > stress_rounds()); /* work was done */
	assert_int_equal(sl_pool_in_use(p), 0);
	assert_int_equal(sl_pool_debug_errors(p), 0);
	for (i = 0; i < SL_MAX_LCORE; i++)
		sl_pool_cache_flush(p, i);
	all = calloc(160, sizeof(*all));
	assert_non_null(all);
	assert_int_equal(sl_pool_get_bulk(p, all, 160), 0);   /* every object is back */
	assert_distinct_objects(p, all, 160);
	sl_pool_put_bulk(p, all, 160);
	free(all);
	sl_pool_free(p);
}

static void test_stress_ring_cache(void **state)
{
	(void)state;
	stress_one("ring_mp_mc", 16, 0, true);
}

static void test_stress_ring_nocache(void **state)
{
	(void)state;
	stress_one("ring_mp_mc", 0, 0, false);
}

static void test_stress_stack(void **state)
{
	(void)state;
	stress_one("stack", 0, 0, false);
	stress_one("stack", 16, 0, true);
}

static void test_stress_debug(void **state)
{
	(void)state;
	stress_one("ring_mp_mc", 16, SL_POOL_DEBUG_NOPOISON, true);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest fast[] = {
		cmocka_unit_test_teardown(test_get_put_bulk, teardown_lcore),
		cmocka_unit_test_teardown(test_exhaustion, teardown_lcore),
		cmocka_unit_test_teardown(test_exhaustion_cached, teardown_lcore),
		cmocka_unit_test_teardown(test_cache_in_use_lcores, teardown_lcore),
		cmocka_unit_test_teardown(test_cache_bypass_non_lcore, teardown_lcore),
		cmocka_unit_test_teardown(test_held_cache, teardown_lcore),
		cmocka_unit_test_teardown(test_flush_thresholds, teardown_lcore),
		cmocka_unit_test_teardown(test_backends, teardown_lcore),
		cmocka_unit_test_teardown(test_stack_lifo, teardown_lcore),
		cmocka_unit_test_teardown(test_default_backend_flags, teardown_lcore),
		cmocka_unit_test_teardown(test_obj_iter, teardown_lcore),
		cmocka_unit_test_teardown(test_obj_init_and_priv, teardown_lcore),
		cmocka_unit_test_teardown(test_contains_and_stride, teardown_lcore),
		cmocka_unit_test_teardown(test_debug_double_put, teardown_lcore),
		cmocka_unit_test_teardown(test_debug_foreign_put, teardown_lcore),
		cmocka_unit_test_teardown(test_debug_write_after_free, teardown_lcore),
		cmocka_unit_test_teardown(test_debug_nopoison, teardown_lcore),
		cmocka_unit_test_teardown(test_bad_args, teardown_lcore),
		cmocka_unit_test_teardown(test_lookup_eexist, teardown_lcore),
		cmocka_unit_test_teardown(test_dump, teardown_lcore),
	};
	const struct CMUnitTest slow[] = {
		cmocka_unit_test(test_stress_ring_cache),
		cmocka_unit_test(test_stress_ring_nocache),
		cmocka_unit_test(test_stress_stack),
		cmocka_unit_test(test_stress_debug),
	};

	if (argc > 1 && strcmp(argv[1], "stress") == 0)
		return cmocka_run_group_tests_name("pool_stress", slow, NULL, NULL);
	return cmocka_run_group_tests_name("pool", fast, NULL, NULL);
}
