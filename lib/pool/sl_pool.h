/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Object pools: a fixed number of fixed-size objects in pinned memory, handed out and taken
 * back in bulk, with a per-lcore cache in front of a pluggable backend.
 *
 * Layout (one sl_malloc() block per pool, see docs/pool.md):
 *   struct sl_pool | private area | SL_MAX_LCORE caches | objects
 * Each object slot is `stride` bytes, cache-line aligned; in debug mode a one-line header
 * holding a cookie precedes each object.  The stride is padded to an odd number of cache
 * lines so consecutive objects start on different memory channels (SL_POOL_NO_SPREAD
 * turns this off).
 *
 * Cache: each lcore owns one cache of up to 2 * cache_size pointers.  A get served by the
 * cache and a put that keeps the cache at or under the flush threshold are inline and call
 * nothing.  A get the cache cannot serve refills it from the backend so that cache_size
 * objects remain after the get; a put that would cross the flush threshold sends objects
 * back so that cache_size remain.  Threads that are not lcores (sl_lcore_id() ==
 * SL_LCORE_ANY) and requests larger than cache_size go to the backend directly.
 *
 * Thread-safety: get/put are safe from any number of threads for the multi-producer /
 * multi-consumer backends ("ring_mp_mc", "stack"); with SL_POOL_SP_PUT or SL_POOL_SC_GET
 * only one thread at a time may put (get) through the backend.  An lcore's cache must only
 * be used by that lcore.  Create, free, flush and lookup are control-path calls.
 */
#ifndef SL_POOL_H
#define SL_POOL_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sl_common.h"
#include "sl_lcore.h"

/* Flags of sl_pool_create() / sl_pool_params.flags. */
#define SL_POOL_SP_PUT 0x1u           /* one thread puts at a time (single-producer backend) */
#define SL_POOL_SC_GET 0x2u           /* one thread gets at a time (single-consumer backend) */
#define SL_POOL_DEBUG 0x4u            /* cookies + poisoning of freed objects, see below */
#define SL_POOL_DEBUG_NOPOISON 0x8u   /* cookies only: object contents survive put/get */
#define SL_POOL_NO_SPREAD 0x10u       /* do not pad the stride to an odd number of lines */

/* Largest per-lcore cache (objects).  A cache may also not exceed n / 2 (see create). */
#define SL_POOL_CACHE_MAX_SIZE 512
/* Most objects in a pool. */
#define SL_POOL_MAX_OBJS (1u << 31)
/* Largest object. */
#define SL_POOL_ELT_MAX_SIZE (1u << 30)

struct sl_pool;

/*
 * Backend: a store of free object pointers with all-or-nothing bulk operations.  Extend by
 * defining a const table and calling sl_pool_ops_register() before creating pools.
 */
struct sl_pool_ops {
	const char *name;
	/* Sets up p->pool_data to hold up to p->size pointers; 0 or -errno. */
	int (*alloc)(struct sl_pool *p);
	void (*free)(struct sl_pool *p);
	/* Stores n pointers; always succeeds (the backend holds p->size). */
	void (*enqueue)(struct sl_pool *p, void *const *objs, unsigned n);
	/* Takes exactly n pointers and returns 0, or takes none and returns -ENOENT. */
	int (*dequeue)(struct sl_pool *p, void **objs, unsigned n);
	/* Pointers stored now (exact when no operation is in flight). */
	unsigned (*count)(const struct sl_pool *p);
};

/* Per-lcore cache.  Written only by the owning lcore (`len` with relaxed atomics so that
 * sl_pool_in_use() may read it from elsewhere). */
struct sl_pool_cache {
	uint32_t len;   /* (lcore) pointers held in objs[] */
	uint32_t pad_;
	void *objs[];   /* (lcore) 2 * cache_size slots; objs[len - 1] is the hottest */
} SL_CACHE_ALIGNED;

/*
 * The pool.  Public only for the inline fast path; use the functions.  The first cache line
 * holds everything get/put read; nothing in it is written after creation except `errors`
 * which sits on its own line.
 */
struct sl_pool {
	/* --- read-only after create; hot --- */
	uint32_t flags;        /* SL_POOL_* */
	uint32_t cache_size;   /* objects a cache keeps after a refill or flush; 0 = no cache */
	uint32_t flushthresh;  /* a put that would take a cache above this flushes it */
	uint32_t cache_stride; /* bytes from one lcore's cache to the next */
	char *caches;          /* SL_MAX_LCORE caches for the inline path; NULL without cache
				  and in debug mode (then every call takes the slow path) */
	const struct sl_pool_ops *ops; /* backend */
	void *pool_data;       /* backend state */
	char *area;            /* first object slot (the header, in debug mode) */
	uint32_t size;         /* number of objects */
	uint32_t elt_size;     /* object size as requested */
	uint32_t stride;       /* bytes from one slot to the next (multiple of a cache line) */
	uint32_t hdr_size;     /* bytes before each object: 0, or a cache line in debug mode */
	/* --- cold --- */
	char name[SL_NAME_SIZE];
	void *priv;            /* private area of priv_size bytes, cache-line aligned */
	uint32_t priv_size;
	int node;              /* NUMA node of the memory */
	void *mem;             /* the sl_malloc() block holding everything */
	char *cache_base;      /* the caches, also in debug mode; NULL without cache */
	struct sl_pool *next;  /* registry link, under the registry lock */
	/* --- written by any thread in debug mode --- */
	uint64_t errors SL_CACHE_ALIGNED; /* (atomic) double puts / corruptions detected */
} SL_CACHE_ALIGNED;

static_assert(offsetof(struct sl_pool, area) + sizeof(char *) <= SL_CACHE_LINE,
	      "pointers get/put use share the first cache line");
static_assert(offsetof(struct sl_pool, hdr_size) < SL_CACHE_LINE, "hot fields in line 0");
static_assert(sizeof(struct sl_pool_cache) == SL_CACHE_LINE, "cache header is one line");
static_assert(offsetof(struct sl_pool_cache, objs) == 8, "objs follow len");

/* --- creation --- */

struct sl_pool_params {
	const char *name;      /* unique, shorter than SL_NAME_SIZE */
	unsigned n;            /* objects */
	unsigned elt_size;     /* bytes per object */
	unsigned cache_size;   /* per-lcore cache; 0 = no cache */
	unsigned cache_flushthresh; /* 0 = cache_size * 3 / 2, else in [cache_size,
				       2 * cache_size] */
	int node;              /* NUMA node or SL_NODE_ANY */
	unsigned flags;        /* SL_POOL_* */
	const char *backend;   /* NULL = ring (mp/mc, or sp/sc per flags); "ring_mp_mc",
				  "ring_sp_sc", "ring_mp_sc", "ring_sp_mc", "stack" */
	void (*obj_init)(struct sl_pool *p, void *obj, unsigned idx, void *arg);
	void *obj_init_arg;
	unsigned priv_size;    /* bytes of private area, see sl_pool_priv() */
};

/*
 * Creates a pool and fills it: every object is in the pool (obj_init, if given, was called
 * once per object in index order).  Returns the pool, or NULL with errno:
 *   EINVAL  NULL or empty name, n == 0 or above SL_POOL_MAX_OBJS, elt_size == 0 or above
 *           SL_POOL_ELT_MAX_SIZE, cache_size above SL_POOL_CACHE_MAX_SIZE or n / 2,
 *           flush threshold out of range, unknown backend, unknown flags
 *   ENAMETOOLONG  name of SL_NAME_SIZE characters or more
 *   EEXIST  a pool with that name exists
 *   ENOMEM  no memory
 * Each failure logs one line naming the bad value and the fix.  Not thread-safe with
 * sl_pool_free() of the same pool.
 */
struct sl_pool *sl_pool_create_params(const struct sl_pool_params *prm);

/* sl_pool_create_params() with the default backend, no init callback and no private area. */
struct sl_pool *sl_pool_create(const char *name, unsigned n, unsigned elt_size,
			       unsigned cache_size, int node, unsigned flags);

/* Frees the pool and its memory (objects still out become invalid).  NULL is ignored. */
void sl_pool_free(struct sl_pool *p);

/* Finds a pool by name.  NULL with errno ENOENT when there is none (not logged: a miss is
 * an answer) or EINVAL for a NULL or empty name (logged). */
struct sl_pool *sl_pool_lookup(const char *name);

/* Adds a backend; 0, -EINVAL (missing callback) or -EEXIST (name taken) or -ENOSPC. */
int sl_pool_ops_register(const struct sl_pool_ops *ops);

/* --- slow paths (used by the inline functions) --- */
int sl_pool_get_slow(struct sl_pool *p, void **objs, unsigned n);
void sl_pool_put_slow(struct sl_pool *p, void *const *objs, unsigned n);
int sl_pool_get_slow_cache(struct sl_pool *p, struct sl_pool_cache *c, void **objs, unsigned n);
void sl_pool_put_slow_cache(struct sl_pool *p, struct sl_pool_cache *c, void *const *objs,
			    unsigned n);

/* --- fast path --- */

/*
 * Copies of object pointers between a cache and the caller's array, for any n.  Two
 * pointers per 16-byte move; the get side reverses them (the hottest object first).  A
 * plain loop with a run-time n is vectorised by the compiler behind a long prologue and
 * epilogue that cost more than the copy for the bulks of 4 to 32 fast paths use
 * (bench/pool, rows with constant_n=0).
 */
static inline void sl_pool__copy(void **dst, void *const *src, unsigned n)
{
	unsigned i = 0;

#if defined(__SSE2__)
	for (; i + 4 <= n; i += 4) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 2));

		_mm_storeu_si128((__m128i *)(void *)(dst + i), a);
		_mm_storeu_si128((__m128i *)(void *)(dst + i + 2), b);
	}
#endif
	for (; i < n; i++)
		dst[i] = src[i];
}

/* dst[i] = top[-i] for i < n: the n pointers ending at top, last first. */
static inline void sl_pool__copy_rev(void **dst, void *const *top, unsigned n)
{
	unsigned i = 0;

#if defined(__SSE2__)
	for (; i + 4 <= n; i += 4) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(top - i - 1));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(top - i - 3));

		_mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_shuffle_epi32(a, 0x4e));
		_mm_storeu_si128((__m128i *)(void *)(dst + i + 2), _mm_shuffle_epi32(b, 0x4e));
	}
#endif
	for (; i < n; i++)
		dst[i] = top[-(int)i];
}

static inline struct sl_pool_cache *sl_pool_cache_of(const struct sl_pool *p, uint32_t lcore)
{
	return (struct sl_pool_cache *)(void *)(p->caches + (size_t)lcore * p->cache_stride);
}

/*
 * The calling lcore's cache of p, or NULL when it has none (not an lcore, a pool without
 * cache, debug mode).  A fast path that gets and puts many times on one lcore looks it up
 * once and passes it to sl_pool_get_bulk_cache() / sl_pool_put_bulk_cache(), which skip
 * the per-call lookup (thread-local id, range check, multiply).  Valid while the pool
 * lives, on that lcore only.
 */
static inline struct sl_pool_cache *sl_pool_lcore_cache(const struct sl_pool *p)
{
	uint32_t lcore = sl_lcore_id();

	return sl_likely(lcore < SL_MAX_LCORE && p->caches != NULL) ? sl_pool_cache_of(p, lcore)
								    : NULL;
}

/* sl_pool_get_bulk() through a cache from sl_pool_lcore_cache() (NULL: as without). */
static inline int sl_pool_get_bulk_cache(struct sl_pool *p, struct sl_pool_cache *c, void **objs,
					 unsigned n)
{
	if (sl_likely(c != NULL)) {
		uint32_t len = c->len;

		if (sl_likely(n <= len)) {
			sl_pool__copy_rev(objs, &c->objs[len - 1], n); /* hottest first (LIFO) */
			__atomic_store_n(&c->len, len - n, __ATOMIC_RELAXED);
			return 0;
		}
		return sl_pool_get_slow_cache(p, c, objs, n);
	}
	return sl_pool_get_slow(p, objs, n);
}

/* sl_pool_put_bulk() through a cache from sl_pool_lcore_cache() (NULL: as without). */
static inline void sl_pool_put_bulk_cache(struct sl_pool *p, struct sl_pool_cache *c,
					  void *const *objs, unsigned n)
{
	if (sl_likely(c != NULL)) {
		uint32_t len = c->len;

		if (sl_likely(len + n <= p->flushthresh)) {
			sl_pool__copy(&c->objs[len], objs, n);
			__atomic_store_n(&c->len, len + n, __ATOMIC_RELAXED);
			return;
		}
		sl_pool_put_slow_cache(p, c, objs, n);
		return;
	}
	sl_pool_put_slow(p, objs, n);
}

/*
 * Takes n objects into objs[].  Returns 0, or -ENOENT when fewer than n are available to
 * this thread (its own cache plus the backend; other lcores' caches are not raided), in
 * which case nothing was taken.  Thread-safety: see the file comment.
 */
static inline int sl_pool_get_bulk(struct sl_pool *p, void **objs, unsigned n)
{
	return sl_pool_get_bulk_cache(p, sl_pool_lcore_cache(p), objs, n);
}

/*
 * Returns n objects taken from this pool.  In debug mode, pointers that are not objects of
 * this pool or are already in it are counted, logged and skipped.  Never fails.
 */
static inline void sl_pool_put_bulk(struct sl_pool *p, void *const *objs, unsigned n)
{
	sl_pool_put_bulk_cache(p, sl_pool_lcore_cache(p), objs, n);
}

/* One object: 0 or -ENOENT (*obj untouched). */
static inline int sl_pool_get(struct sl_pool *p, void **obj)
{
	return sl_pool_get_bulk(p, obj, 1);
}

static inline void sl_pool_put(struct sl_pool *p, void *obj)
{
	sl_pool_put_bulk(p, &obj, 1);
}

/* --- state and control --- */

/* Objects out of the pool (objects in lcore caches count as in the pool).  Exact when no
 * get/put is in flight; a snapshot otherwise.  Any thread. */
unsigned sl_pool_in_use(const struct sl_pool *p);
/* Objects in the pool (backend plus caches): size - in_use. */
unsigned sl_pool_avail(const struct sl_pool *p);

/* Sends the objects of an lcore's cache back to the backend.  Call it from that lcore, or
 * when that lcore is not using the pool.  An lcore >= SL_MAX_LCORE is ignored. */
void sl_pool_cache_flush(struct sl_pool *p, uint32_t lcore);
/* Objects now held by an lcore's cache (0 for a pool without cache or a bad lcore). */
unsigned sl_pool_cache_count(const struct sl_pool *p, uint32_t lcore);

/* Calls fn for every object, whether in the pool or not, in index order; returns size. */
unsigned sl_pool_obj_iter(struct sl_pool *p,
			  void (*fn)(struct sl_pool *p, void *obj, unsigned idx, void *arg),
			  void *arg);

/* Object number idx (0 <= idx < size), or NULL. */
void *sl_pool_obj(const struct sl_pool *p, unsigned idx);
/* Index of an object of this pool, or -1 if sl_pool_contains() is false. */
int sl_pool_obj_index(const struct sl_pool *p, const void *obj);

/* Private area of priv_size bytes (zeroed at create; NULL when priv_size was 0). */
void *sl_pool_priv(struct sl_pool *p);
unsigned sl_pool_elt_size(const struct sl_pool *p);
unsigned sl_pool_size(const struct sl_pool *p);
const char *sl_pool_name(const struct sl_pool *p);
/* Backend name, e.g. "ring_mp_mc". */
const char *sl_pool_backend(const struct sl_pool *p);

/* True when obj is the start of one of this pool's objects. */
bool sl_pool_contains(const struct sl_pool *p, const void *obj);

/* Prints the pool's configuration and counts. */
void sl_pool_dump(FILE *f, const struct sl_pool *p);

/* Double puts, foreign puts and writes after free detected (debug mode); 0 otherwise. */
uint64_t sl_pool_debug_errors(const struct sl_pool *p);

#endif
