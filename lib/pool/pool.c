/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Object pools: creation, the registry, the slow paths behind the inline get/put, and the
 * debug checks.  See sl_pool.h for the layout and the cache rules, docs/pool.md for why.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pool_priv.h"
#include "sl_telemetry.h"
#include "sl_log.h"
#include "sl_memory.h"

SL_LOG_TYPE_DEFINE(pool);

/* Debug cookies, the last word of each object's header.  NEW: in the pool and never put
 * (contents are whatever obj_init left); FREE: in the pool and poisoned (unless
 * SL_POOL_DEBUG_NOPOISON); USE: handed out. */
#define COOKIE_NEW 0x5e1ce0b1a2c3d4e5ull
#define COOKIE_FREE 0x5e1ce0f4ee0f4ee0ull
#define COOKIE_USE 0x5e1ce0a11ca7ed00ull
#define POISON_BYTE 0x6b

#define DEBUG_FLAGS (SL_POOL_DEBUG | SL_POOL_DEBUG_NOPOISON)
#define KNOWN_FLAGS (SL_POOL_SP_PUT | SL_POOL_SC_GET | DEBUG_FLAGS | SL_POOL_NO_SPREAD)

/* ---- backend table ---- */

#define MAX_OPS 16

static const struct sl_pool_ops *ops_table[MAX_OPS] = {
	&sl_pool_ops_ring_mp_mc, &sl_pool_ops_ring_sp_sc, &sl_pool_ops_ring_mp_sc,
	&sl_pool_ops_ring_sp_mc, &sl_pool_ops_stack,
};
static unsigned ops_count = 5;

/* ---- registry of pools, and of backends ---- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_pool *registry;

static const struct sl_pool_ops *ops_find(const char *name)
{
	unsigned i;

	for (i = 0; i < ops_count; i++)
		if (strcmp(ops_table[i]->name, name) == 0)
			return ops_table[i];
	return NULL;
}

int sl_pool_ops_register(const struct sl_pool_ops *ops)
{
	int ret = 0;

	if (ops == NULL || ops->name == NULL || ops->alloc == NULL || ops->free == NULL ||
	    ops->enqueue == NULL || ops->dequeue == NULL || ops->count == NULL) {
		SL_LOG(pool, ERR, "backend %s lacks a name or a callback; fill every field of "
		       "struct sl_pool_ops", ops && ops->name ? ops->name : "(null)");
		return -EINVAL;
	}
	pthread_mutex_lock(&registry_lock);
	if (ops_find(ops->name) != NULL) {
		SL_LOG(pool, ERR, "backend %s is already registered; choose another name",
		       ops->name);
		ret = -EEXIST;
	} else if (ops_count == MAX_OPS) {
		SL_LOG(pool, ERR, "backend %s: the table holds %u backends already; raise MAX_OPS",
		       ops->name, MAX_OPS);
		ret = -ENOSPC;
	} else {
		ops_table[ops_count++] = ops;
	}
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

SL_TELEMETRY_INIT(pool_telemetry)

void pool_walk(void (*fn)(struct sl_pool *p, void *arg), void *arg)
{
	pthread_mutex_lock(&registry_lock);
	for (struct sl_pool *p = registry; p != NULL; p = p->next)
		fn(p, arg);
	pthread_mutex_unlock(&registry_lock);
}

static struct sl_pool *lookup_locked(const char *name)
{
	struct sl_pool *p;

	for (p = registry; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct sl_pool *sl_pool_lookup(const char *name)
{
	struct sl_pool *p;

	if (name == NULL || name[0] == '\0') {
		SL_LOG(pool, ERR,
		       "pool lookup: name is %s; pass the name the pool was created with",
		       name == NULL ? "NULL" : "empty");
		errno = EINVAL;
		return NULL;
	}
	/* A miss is not logged: callers look a name up to learn whether the pool exists. */
	pthread_mutex_lock(&registry_lock);
	p = lookup_locked(name);
	pthread_mutex_unlock(&registry_lock);
	if (p == NULL)
		errno = ENOENT;
	return p;
}

/* ---- creation ---- */

static void backend_names(char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < ops_count && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 ops_table[i]->name);
}

static const struct sl_pool_ops *pick_backend(const struct sl_pool_params *prm)
{
	const struct sl_pool_ops *ops;
	char names[256];

	if (prm->backend == NULL) {
		unsigned f = prm->flags & (SL_POOL_SP_PUT | SL_POOL_SC_GET);

		if (f == (SL_POOL_SP_PUT | SL_POOL_SC_GET))
			return &sl_pool_ops_ring_sp_sc;
		if (f == SL_POOL_SP_PUT)
			return &sl_pool_ops_ring_sp_mc;
		if (f == SL_POOL_SC_GET)
			return &sl_pool_ops_ring_mp_sc;
		return &sl_pool_ops_ring_mp_mc;
	}
	pthread_mutex_lock(&registry_lock);
	ops = ops_find(prm->backend);
	if (ops == NULL)
		backend_names(names, sizeof(names));
	pthread_mutex_unlock(&registry_lock);
	if (ops == NULL)
		SL_LOG(pool, ERR, "pool %s: unknown backend \"%s\"; use one of %s", prm->name,
		       prm->backend, names);
	return ops;
}

static int check_params(const struct sl_pool_params *prm, unsigned *flushthresh)
{
	if (prm->name == NULL) {
		SL_LOG(pool, ERR, "pool name is NULL; give the pool a name");
		return -EINVAL;
	}
	if (prm->name[0] == '\0') {
		SL_LOG(pool, ERR, "pool name is empty; give the pool a name");
		return -EINVAL;
	}
	if (strlen(prm->name) >= SL_NAME_SIZE) {
		SL_LOG(pool, ERR, "pool name \"%s\" has %zu characters; use at most %u",
		       prm->name, strlen(prm->name), SL_NAME_SIZE - 1);
		return -ENAMETOOLONG;
	}
	if (prm->n == 0) {
		SL_LOG(pool, ERR, "pool %s: n = 0 objects; ask for at least 1", prm->name);
		return -EINVAL;
	}
	if (prm->n > SL_POOL_MAX_OBJS) {
		SL_LOG(pool, ERR, "pool %s: n = %u objects; use at most %u", prm->name, prm->n,
		       SL_POOL_MAX_OBJS);
		return -EINVAL;
	}
	if (prm->elt_size == 0) {
		SL_LOG(pool, ERR, "pool %s: elt_size = 0; objects need at least 1 byte",
		       prm->name);
		return -EINVAL;
	}
	if (prm->elt_size > SL_POOL_ELT_MAX_SIZE) {
		SL_LOG(pool, ERR, "pool %s: elt_size = %u; use at most %u (SL_POOL_ELT_MAX_SIZE)",
		       prm->name, prm->elt_size, SL_POOL_ELT_MAX_SIZE);
		return -EINVAL;
	}
	if (prm->flags & ~KNOWN_FLAGS) {
		SL_LOG(pool, ERR, "pool %s: unknown flags 0x%x; use SL_POOL_* flags only",
		       prm->name, prm->flags & ~KNOWN_FLAGS);
		return -EINVAL;
	}
	if (prm->cache_size > SL_POOL_CACHE_MAX_SIZE) {
		SL_LOG(pool, ERR, "pool %s: cache_size %u exceeds SL_POOL_CACHE_MAX_SIZE; use at "
		       "most %u", prm->name, prm->cache_size, SL_POOL_CACHE_MAX_SIZE);
		return -EINVAL;
	}
	if (prm->cache_size > prm->n / 2) {
		SL_LOG(pool, ERR, "pool %s: cache_size %u is more than half of n = %u; use at "
		       "most %u or make the pool bigger", prm->name, prm->cache_size, prm->n,
		       prm->n / 2);
		return -EINVAL;
	}
	*flushthresh = prm->cache_flushthresh;
	if (prm->cache_size == 0) {
		*flushthresh = 0;
	} else if (*flushthresh == 0) {
		*flushthresh = prm->cache_size + prm->cache_size / 2;
	} else if (*flushthresh < prm->cache_size || *flushthresh > 2 * prm->cache_size) {
		SL_LOG(pool, ERR, "pool %s: cache_flushthresh %u is outside [cache_size, 2 * "
		       "cache_size] = [%u, %u]; pick a value in that range or 0 for %u",
		       prm->name, *flushthresh, prm->cache_size, 2 * prm->cache_size,
		       prm->cache_size * 3 / 2);
		return -EINVAL;
	}
	return 0;
}

/* Slot size: header plus object, in cache lines; an odd number of lines so that the
 * objects of a pool start on different DRAM channels / banks (with power-of-two
 * interleaving an even stride keeps hitting the same ones). */
static uint32_t slot_stride(uint32_t hdr, uint32_t elt_size, unsigned flags)
{
	uint64_t lines = ((uint64_t)hdr + elt_size + SL_CACHE_LINE - 1) / SL_CACHE_LINE;

	if (!(flags & SL_POOL_NO_SPREAD) && lines > 1 && lines % 2 == 0)
		lines++;
	return (uint32_t)(lines * SL_CACHE_LINE);
}

static void set_cookie(void *obj, uint64_t v)
{
	__atomic_store_n((uint64_t *)obj - 1, v, __ATOMIC_RELAXED);
}

struct sl_pool *sl_pool_create_params(const struct sl_pool_params *prm)
{
	const struct sl_pool_ops *ops;
	unsigned flushthresh, i;
	size_t off_priv, off_caches, off_area, total;
	uint32_t hdr, stride, cache_stride = 0;
	struct sl_pool *p;
	void *mem;
	int ret;

	if (prm == NULL) {
		SL_LOG(pool, ERR, "pool parameters are NULL; pass a struct sl_pool_params");
		errno = EINVAL;
		return NULL;
	}
	ret = check_params(prm, &flushthresh);
	if (ret < 0) {
		errno = -ret;
		return NULL;
	}
	ops = pick_backend(prm);
	if (ops == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (sl_pool_lookup(prm->name) != NULL) {
		SL_LOG(pool, ERR, "pool %s: the name is taken; free that pool or pick another "
		       "name", prm->name);
		errno = EEXIST;
		return NULL;
	}

	hdr = (prm->flags & DEBUG_FLAGS) ? SL_CACHE_LINE : 0;
	stride = slot_stride(hdr, prm->elt_size, prm->flags);
	off_priv = SL_ALIGN_UP(sizeof(struct sl_pool), (size_t)SL_CACHE_LINE);
	off_caches = off_priv + SL_ALIGN_UP((size_t)prm->priv_size, (size_t)SL_CACHE_LINE);
	if (prm->cache_size > 0)
		cache_stride = SL_ALIGN_UP((uint32_t)(sizeof(struct sl_pool_cache) +
						      2 * prm->cache_size * sizeof(void *)),
					   (uint32_t)SL_CACHE_LINE);
	off_area = off_caches + (size_t)cache_stride * SL_MAX_LCORE;
	total = off_area + (size_t)prm->n * stride;

	mem = sl_malloc(total, SL_CACHE_LINE, prm->node);
	if (mem == NULL) {
		SL_LOG(pool, ERR, "pool %s: cannot allocate %zu bytes on node %d for %u objects "
		       "of %u bytes; free memory, reserve hugepages or ask for fewer/smaller "
		       "objects", prm->name, total, prm->node, prm->n, prm->elt_size);
		errno = ENOMEM;
		return NULL;
	}
	p = mem;
	p->flags = prm->flags;
	p->cache_size = prm->cache_size;
	p->flushthresh = flushthresh;
	p->cache_stride = cache_stride;
	p->cache_base = prm->cache_size ? (char *)mem + off_caches : NULL;
	p->caches = (prm->flags & DEBUG_FLAGS) ? NULL : p->cache_base;
	p->ops = ops;
	p->area = (char *)mem + off_area;
	p->size = prm->n;
	p->elt_size = prm->elt_size;
	p->stride = stride;
	p->hdr_size = hdr;
	snprintf(p->name, sizeof(p->name), "%s", prm->name);
	p->priv = prm->priv_size ? (char *)mem + off_priv : NULL;
	p->priv_size = prm->priv_size;
	p->node = prm->node;
	p->mem = mem;

	ret = ops->alloc(p);
	if (ret < 0) {
		SL_LOG(pool, ERR, "pool %s: backend %s could not set up (%s); free memory or "
		       "try another backend", p->name, ops->name, strerror(-ret));
		errno = -ret;
		goto free_mem;
	}

	/* Fill: objects in index order, each initialised once. */
	for (i = 0; i < p->size; i++) {
		void *obj = obj_at(p, i);

		if (hdr)
			set_cookie(obj, COOKIE_NEW);
		if (prm->obj_init)
			prm->obj_init(p, obj, i, prm->obj_init_arg);
	}
	for (i = 0; i < p->size;) {
		void *batch[64];
		unsigned k;

		for (k = 0; k < SL_ARRAY_SIZE(batch) && i < p->size; k++, i++)
			batch[k] = obj_at(p, i);
		ops->enqueue(p, batch, k);
	}

	pthread_mutex_lock(&registry_lock);
	if (lookup_locked(p->name) != NULL) {
		pthread_mutex_unlock(&registry_lock);
		SL_LOG(pool, ERR, "pool %s: the name was taken meanwhile; free that pool or "
		       "pick another name", p->name);
		errno = EEXIST;
		goto free_backend;
	}
	p->next = registry;
	registry = p;
	pthread_mutex_unlock(&registry_lock);
	SL_LOG(pool, DEBUG, "pool %s: %u objects of %u bytes (stride %u), cache %u, backend %s",
	       p->name, p->size, p->elt_size, p->stride, p->cache_size, ops->name);
	return p;

free_backend:
	ops->free(p);
free_mem:
	sl_free(mem);
	return NULL;
}

struct sl_pool *sl_pool_create(const char *name, unsigned n, unsigned elt_size,
			       unsigned cache_size, int node, unsigned flags)
{
	struct sl_pool_params prm = {
		.name = name,
		.n = n,
		.elt_size = elt_size,
		.cache_size = cache_size,
		.node = node,
		.flags = flags,
	};

	return sl_pool_create_params(&prm);
}

void sl_pool_free(struct sl_pool *p)
{
	struct sl_pool **pp;

	if (p == NULL)
		return;
	pthread_mutex_lock(&registry_lock);
	for (pp = &registry; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	p->ops->free(p);
	sl_free(p->mem);
}

/* ---- slow paths ---- */

static struct sl_pool_cache *cache_at(const struct sl_pool *p, uint32_t lcore)
{
	return (struct sl_pool_cache *)(void *)(p->cache_base + (size_t)lcore * p->cache_stride);
}

/* The calling lcore's cache, also in debug mode; NULL for none. */
static struct sl_pool_cache *own_cache(const struct sl_pool *p)
{
	uint32_t lcore = sl_lcore_id();

	return lcore >= SL_MAX_LCORE || p->cache_base == NULL ? NULL : cache_at(p, lcore);
}

/* Get through cache c (or around it when NULL), without debug checks. */
static int get_common(struct sl_pool *p, struct sl_pool_cache *c, void **objs, unsigned n)
{
	uint32_t len, i;

	if (c == NULL)
		return p->ops->dequeue(p, objs, n);
	len = c->len;
	if (n > len) {
		if (n <= p->cache_size) {
			/* Refill so that cache_size objects remain after this get; if the
			 * backend is short, take just what the request needs. */
			uint32_t req = p->cache_size + n - len;

			if (p->ops->dequeue(p, &c->objs[len], req) == 0)
				len += req;
			else if (p->ops->dequeue(p, &c->objs[len], n - len) == 0)
				len = n;
			else
				return -ENOENT;
		} else {
			/* Bigger than the cache: straight from the backend, or the backend's
			 * part plus the whole cache. */
			if (p->ops->dequeue(p, objs, n) == 0)
				return 0;
			if (len == 0 || p->ops->dequeue(p, objs, n - len) != 0)
				return -ENOENT;
			for (i = 0; i < len; i++)
				objs[n - len + i] = c->objs[i];
			__atomic_store_n(&c->len, 0, __ATOMIC_RELAXED);
			return 0;
		}
	}
	for (i = 0; i < n; i++)
		objs[i] = c->objs[len - 1 - i];
	__atomic_store_n(&c->len, len - n, __ATOMIC_RELAXED);
	return 0;
}

/* Put through cache c (or around it when NULL), without debug checks. */
static void put_common(struct sl_pool *p, struct sl_pool_cache *c, void *const *objs, unsigned n)
{
	uint32_t len, k, i;

	if (c == NULL) {
		p->ops->enqueue(p, objs, n);
		return;
	}
	len = c->len;
	if (len + n > p->flushthresh) {
		if (n > p->cache_size) {
			p->ops->enqueue(p, objs, n);
			return;
		}
		/* Flush down so that cache_size objects remain after this put
		 * (0 < k <= len since len + n > flushthresh >= cache_size >= n). */
		k = len + n - p->cache_size;
		p->ops->enqueue(p, &c->objs[len - k], k);
		len -= k;
	}
	for (i = 0; i < n; i++)
		c->objs[len + i] = objs[i];
	__atomic_store_n(&c->len, len + n, __ATOMIC_RELAXED);
}

/* ---- debug checks ---- */

static void debug_error(const struct sl_pool *p)
{
	__atomic_add_fetch(&((struct sl_pool *)(uintptr_t)p)->errors, 1, __ATOMIC_RELAXED);
}

static bool poisoning(const struct sl_pool *p)
{
	return (p->flags & SL_POOL_DEBUG) && !(p->flags & SL_POOL_DEBUG_NOPOISON);
}

/* Marks objs taken from the backend/cache as in use; checks poison and cookies. */
static void debug_check_get(struct sl_pool *p, void **objs, unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		void *obj = objs[i];
		uint64_t *ck = (uint64_t *)obj - 1;
		uint64_t was = __atomic_exchange_n(ck, COOKIE_USE, __ATOMIC_ACQ_REL);
		const unsigned char *b = obj;

		if (was != COOKIE_FREE && was != COOKIE_NEW) {
			debug_error(p);
			SL_LOG(pool, ERR, "pool %s: object %p leaves the pool with cookie 0x%016"
			       PRIx64 " instead of an in-pool cookie: its header was overwritten; "
			       "look for writes before the object's start", p->name, obj, was);
			continue;
		}
		if (was != COOKIE_FREE || !poisoning(p))
			continue;
		for (j = 0; j < p->elt_size; j++)
			if (b[j] != POISON_BYTE)
				break;
		if (j < p->elt_size) {
			debug_error(p);
			SL_LOG(pool, ERR, "pool %s: object %p was written after it was put (byte "
			       "%u is 0x%02x, poison is 0x%02x); look for a use after sl_pool_put",
			       p->name, obj, j, b[j], POISON_BYTE);
		}
	}
}

/* Returns true when obj may go back into the pool (and marks it free). */
static bool debug_check_put(struct sl_pool *p, void *obj)
{
	uint64_t want = COOKIE_USE;

	if (!sl_pool_contains(p, obj)) {
		debug_error(p);
		SL_LOG(pool, ERR, "pool %s: put of %p, which is not an object of this pool; put "
		       "objects back into the pool they came from", p->name, obj);
		return false;
	}
	if (!__atomic_compare_exchange_n((uint64_t *)obj - 1, &want, COOKIE_FREE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		debug_error(p);
		if (want == COOKIE_FREE || want == COOKIE_NEW)
			SL_LOG(pool, ERR, "pool %s: double put of object %p (it is already in the "
			       "pool); skipped, put each object once per get", p->name, obj);
		else
			SL_LOG(pool, ERR, "pool %s: put of object %p whose cookie is 0x%016" PRIx64
			       " (header overwritten); skipped, look for writes before the object",
			       p->name, obj, want);
		return false;
	}
	if (poisoning(p))
		memset(obj, POISON_BYTE, p->elt_size);
	return true;
}

static void put_debug(struct sl_pool *p, void *const *objs, unsigned n)
{
	void *ok[64];
	unsigned i, m = 0;

	for (i = 0; i < n; i++) {
		if (!debug_check_put(p, objs[i]))
			continue;
		ok[m++] = objs[i];
		if (m == SL_ARRAY_SIZE(ok)) {
			put_common(p, own_cache(p), ok, m);
			m = 0;
		}
	}
	if (m > 0)
		put_common(p, own_cache(p), ok, m);
}

int sl_pool_get_slow(struct sl_pool *p, void **objs, unsigned n)
{
	int ret = get_common(p, own_cache(p), objs, n);

	if (ret == 0 && p->hdr_size != 0)
		debug_check_get(p, objs, n);
	return ret;
}

void sl_pool_put_slow(struct sl_pool *p, void *const *objs, unsigned n)
{
	if (p->hdr_size != 0)
		put_debug(p, objs, n);
	else
		put_common(p, own_cache(p), objs, n);
}

/* A cache handed in comes from sl_pool_lcore_cache(): never in debug mode. */
int sl_pool_get_slow_cache(struct sl_pool *p, struct sl_pool_cache *c, void **objs, unsigned n)
{
	return get_common(p, c, objs, n);
}

void sl_pool_put_slow_cache(struct sl_pool *p, struct sl_pool_cache *c, void *const *objs,
			    unsigned n)
{
	put_common(p, c, objs, n);
}

/* ---- state ---- */

unsigned sl_pool_cache_count(const struct sl_pool *p, uint32_t lcore)
{
	if (p->cache_base == NULL || lcore >= SL_MAX_LCORE)
		return 0;
	return __atomic_load_n(&cache_at(p, lcore)->len, __ATOMIC_RELAXED);
}

static unsigned caches_total(const struct sl_pool *p)
{
	unsigned total = 0;
	uint32_t i;

	if (p->cache_base == NULL)
		return 0;
	for (i = 0; i < SL_MAX_LCORE; i++)
		total += sl_pool_cache_count(p, i);
	return total;
}

unsigned sl_pool_avail(const struct sl_pool *p)
{
	unsigned avail = p->ops->count(p) + caches_total(p);

	return avail > p->size ? p->size : avail;
}

unsigned sl_pool_in_use(const struct sl_pool *p)
{
	return p->size - sl_pool_avail(p);
}

void sl_pool_cache_flush(struct sl_pool *p, uint32_t lcore)
{
	struct sl_pool_cache *c;
	uint32_t len;

	if (p == NULL || p->cache_base == NULL || lcore >= SL_MAX_LCORE)
		return;
	c = cache_at(p, lcore);
	len = c->len;
	if (len > 0)
		p->ops->enqueue(p, c->objs, len);
	__atomic_store_n(&c->len, 0, __ATOMIC_RELAXED);
}

unsigned sl_pool_obj_iter(struct sl_pool *p,
			  void (*fn)(struct sl_pool *p, void *obj, unsigned idx, void *arg),
			  void *arg)
{
	unsigned i;

	for (i = 0; i < p->size; i++)
		fn(p, obj_at(p, i), i, arg);
	return p->size;
}

void *sl_pool_obj(const struct sl_pool *p, unsigned idx)
{
	return idx < p->size ? obj_at(p, idx) : NULL;
}

bool sl_pool_contains(const struct sl_pool *p, const void *obj)
{
	uintptr_t first = (uintptr_t)p->area + p->hdr_size;
	uintptr_t o = (uintptr_t)obj;

	if (o < first || o >= first + (uintptr_t)p->size * p->stride)
		return false;
	return (o - first) % p->stride == 0;
}

int sl_pool_obj_index(const struct sl_pool *p, const void *obj)
{
	return sl_pool_contains(p, obj) ? (int)obj_idx(p, obj) : -1;
}

void *sl_pool_priv(struct sl_pool *p)
{
	return p->priv;
}

unsigned sl_pool_elt_size(const struct sl_pool *p)
{
	return p->elt_size;
}

unsigned sl_pool_size(const struct sl_pool *p)
{
	return p->size;
}

const char *sl_pool_name(const struct sl_pool *p)
{
	return p->name;
}

const char *sl_pool_backend(const struct sl_pool *p)
{
	return p->ops->name;
}

uint64_t sl_pool_debug_errors(const struct sl_pool *p)
{
	return __atomic_load_n(&p->errors, __ATOMIC_RELAXED);
}

void sl_pool_dump(FILE *f, const struct sl_pool *p)
{
	uint32_t i;

	fprintf(f, "pool <%s>@%p\n", p->name, (const void *)p);
	fprintf(f, "  backend=%s flags=0x%x node=%d\n", p->ops->name, p->flags, p->node);
	fprintf(f, "  size=%u elt_size=%u header=%u stride=%u area=%p\n", p->size, p->elt_size,
		p->hdr_size, p->stride, (void *)p->area);
	fprintf(f, "  cache_size=%u flushthresh=%u\n", p->cache_size, p->flushthresh);
	fprintf(f, "  in_backend=%u in_caches=%u in_use=%u\n", p->ops->count(p),
		caches_total(p), sl_pool_in_use(p));
	if (p->cache_base != NULL)
		for (i = 0; i < SL_MAX_LCORE; i++)
			if (sl_pool_cache_count(p, i) > 0)
				fprintf(f, "    cache[%u]=%u\n", i, sl_pool_cache_count(p, i));
	if (p->hdr_size != 0)
		fprintf(f, "  debug_errors=%" PRIu64 "\n", sl_pool_debug_errors(p));
}
