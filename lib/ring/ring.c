/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring control path: argument checks, creation in named memory zones, lookup, dump.
 * The fast path is entirely inline in sl_ring.h.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "sl_log.h"
#include "sl_memory.h"
#include "sl_ring.h"
#include "sl_telemetry.h"

SL_LOG_TYPE_DEFINE(ring)

#define ZONE_PREFIX "rg_"

_Static_assert(sizeof(ZONE_PREFIX) - 1 + SL_RING_NAME_SIZE == SL_NAME_SIZE,
	       "ring names leave room for the zone prefix");

/* The zone of ring `name` (checked to be shorter than SL_RING_NAME_SIZE) is "rg_<name>". */
static void zone_name(char zname[SL_NAME_SIZE], const char *name)
{
	snprintf(zname, SL_NAME_SIZE, ZONE_PREFIX "%.*s", SL_RING_NAME_SIZE - 1, name);
}

/* Serialises create/lookup/free so a lookup never sees a half-initialised ring. */
static pthread_mutex_t rings_lock = PTHREAD_MUTEX_INITIALIZER;

/* Checks esize and count; logs one line naming the bad value and returns -EINVAL. */
static int check_geometry(unsigned esize, unsigned count)
{
	if (esize == 0 || esize % 4 != 0) {
		SL_LOG(ring, ERR, "ring element size %u is not a positive multiple of 4; use %u",
		       esize, esize == 0 ? 4 : SL_ALIGN_UP(esize, 4u));
		return -EINVAL;
	}
	if (count == 0) {
		SL_LOG(ring, ERR, "ring size 0 is invalid; use a power of two from 1 to %u",
		       SL_RING_MAX_COUNT);
		return -EINVAL;
	}
	if (count > SL_RING_MAX_COUNT) {
		SL_LOG(ring, ERR, "ring size %u is too large; use at most %u", count,
		       SL_RING_MAX_COUNT);
		return -EINVAL;
	}
	if (!SL_IS_POW2(count)) {
		SL_LOG(ring, ERR, "ring size %u is not a power of two; use %u", count,
		       sl_pow2_ceil(count));
		return -EINVAL;
	}
	return 0;
}

static int check_name(const char *name)
{
	if (name == NULL || name[0] == '\0') {
		SL_LOG(ring, ERR, "ring name is %s; give a name of 1 to %d characters",
		       name == NULL ? "NULL" : "empty", SL_RING_NAME_SIZE - 1);
		return -EINVAL;
	}
	if (strnlen(name, SL_RING_NAME_SIZE) >= SL_RING_NAME_SIZE) {
		SL_LOG(ring, ERR, "ring name '%s' is %zu characters long; use at most %d", name,
		       strlen(name), SL_RING_NAME_SIZE - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

static int check_flags(unsigned flags)
{
	const unsigned known = SL_RING_SP_ENQ | SL_RING_SC_DEQ;

	if (flags & ~known) {
		SL_LOG(ring, ERR,
		       "ring flags 0x%x have unknown bits 0x%x; use SL_RING_SP_ENQ "
		       "and/or SL_RING_SC_DEQ",
		       flags, flags & ~known);
		return -EINVAL;
	}
	return 0;
}

static size_t memsize(unsigned esize, unsigned count)
{
	return SL_ALIGN_UP(sizeof(struct sl_ring) + (size_t)esize * count, (size_t)SL_CACHE_LINE);
}

ssize_t sl_ring_memsize(unsigned esize, unsigned count)
{
	int rc = check_geometry(esize, count);

	return rc < 0 ? rc : (ssize_t)memsize(esize, count);
}

/* Fills the header of checked arguments. */
static void setup(struct sl_ring *r, const char *name, unsigned esize, unsigned count,
		  unsigned flags, bool in_zone)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->size = count;
	r->mask = count - 1;
	r->capacity = count;
	r->esize = esize;
	r->flags = flags;
	r->in_zone = in_zone;
	r->magic = SL_RING__MAGIC;
}

int sl_ring_init(struct sl_ring *r, const char *name, unsigned esize, unsigned count,
		 unsigned flags)
{
	int rc;

	if (r == NULL || (uintptr_t)r % SL_RING_ALIGN != 0) {
		SL_LOG(ring, ERR,
		       "ring memory %p is not aligned to %d bytes; allocate it with "
		       "sl_malloc(size, SL_RING_ALIGN, node)",
		       (void *)r, SL_RING_ALIGN);
		return -EINVAL;
	}
	if ((rc = check_name(name)) < 0 || (rc = check_geometry(esize, count)) < 0 ||
	    (rc = check_flags(flags)) < 0)
		return rc;
	setup(r, name, esize, count, flags, false);
	return 0;
}

struct sl_ring *sl_ring_create_elem(const char *name, unsigned esize, unsigned count, int node,
				    unsigned flags)
{
	char zname[SL_NAME_SIZE];
	const struct sl_zone *z;
	struct sl_ring *r;
	int rc;

	if ((rc = check_name(name)) < 0 || (rc = check_geometry(esize, count)) < 0 ||
	    (rc = check_flags(flags)) < 0) {
		errno = -rc;
		return NULL;
	}
	zone_name(zname, name);

	pthread_mutex_lock(&rings_lock);
	if (sl_zone_lookup(zname) != NULL) {
		pthread_mutex_unlock(&rings_lock);
		SL_LOG(ring, ERR,
		       "ring name '%s' is already in use; pick another name or free "
		       "that ring first",
		       name);
		errno = EEXIST;
		return NULL;
	}
	z = sl_zone_reserve(zname, memsize(esize, count), node, SL_RING_ALIGN);
	if (z == NULL) {
		rc = errno;
		pthread_mutex_unlock(&rings_lock);
		SL_LOG(ring, ERR, "ring '%s': cannot reserve %zu bytes on node %d: %s", name,
		       memsize(esize, count), node, strerror(rc));
		errno = rc;
		return NULL;
	}
	r = z->addr;
	setup(r, name, esize, count, flags, true);
	pthread_mutex_unlock(&rings_lock);
	return r;
}

struct sl_ring *sl_ring_create(const char *name, unsigned count, int node, unsigned flags)
{
	return sl_ring_create_elem(name, sizeof(void *), count, node, flags);
}

/* The zone holding r, or NULL; call with rings_lock held. */
static const struct sl_zone *zone_of(const struct sl_ring *r)
{
	char zname[SL_NAME_SIZE];
	const struct sl_zone *z;

	zone_name(zname, r->name);
	z = sl_zone_lookup(zname);
	return z != NULL && z->addr == r ? z : NULL;
}

void sl_ring_free(struct sl_ring *r)
{
	const struct sl_zone *z;

	if (r == NULL)
		return;
	if (r->magic != SL_RING__MAGIC || !r->in_zone) {
		SL_LOG(ring, ERR,
		       "ring %p was not made by sl_ring_create(); free its memory "
		       "yourself",
		       (void *)r);
		return;
	}
	pthread_mutex_lock(&rings_lock);
	z = zone_of(r);
	if (z == NULL) {
		pthread_mutex_unlock(&rings_lock);
		SL_LOG(ring, ERR, "ring '%s' (%p) has no zone; was it freed already?", r->name,
		       (void *)r);
		return;
	}
	r->magic = 0;
	sl_zone_free(z);
	pthread_mutex_unlock(&rings_lock);
}

struct sl_ring *sl_ring_lookup(const char *name)
{
	char zname[SL_NAME_SIZE];
	const struct sl_zone *z;
	struct sl_ring *r = NULL;

	if (name == NULL || name[0] == '\0') {
		SL_LOG(ring, ERR,
		       "ring lookup: name is %s; pass the name the ring was created with",
		       name == NULL ? "NULL" : "empty");
		errno = EINVAL;
		return NULL;
	}
	/* A miss is not logged: callers look a name up to learn whether the ring exists.  A
	 * name too long for a ring names none. */
	if (strnlen(name, SL_RING_NAME_SIZE) >= SL_RING_NAME_SIZE) {
		errno = ENOENT;
		return NULL;
	}
	zone_name(zname, name);
	pthread_mutex_lock(&rings_lock);
	z = sl_zone_lookup(zname);
	if (z != NULL && ((struct sl_ring *)z->addr)->magic == SL_RING__MAGIC)
		r = z->addr;
	pthread_mutex_unlock(&rings_lock);
	if (r == NULL)
		errno = ENOENT;
	return r;
}

/*
 * An MP/MC call has spun SL_RING__SPINS times waiting for an earlier call to publish: that
 * thread is most likely preempted (more runnable threads than cores), and spinning on
 * would burn the rest of our time slice while it waits for a CPU.  Yield until it is done.
 */
void sl_ring__wait_yield(const uint32_t *tail, uint32_t old)
{
	while (__atomic_load_n(tail, __ATOMIC_ACQUIRE) != old)
		sched_yield();
}

bool sl_ring__check(const struct sl_ring *r, unsigned esize, unsigned *left)
{
	if (r == NULL || r->magic != SL_RING__MAGIC) {
		SL_LOG(ring, ERR, "ring %p is NULL or not initialised; create it first",
		       (const void *)r);
	} else if (esize != r->esize) {
		SL_LOG(ring, ERR, "ring '%s' holds %u-byte elements, not %u; use the matching "
		       "element size", r->name, r->esize, esize);
	} else {
		return true;
	}
	if (left != NULL)
		*left = 0;
	return false;
}

void sl_ring_reset(struct sl_ring *r)
{
	__atomic_store_n(&r->prod.head, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->prod.tail, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->cons.head, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->cons.tail, 0, __ATOMIC_RELAXED);
}

void sl_ring_dump(FILE *f, const struct sl_ring *r)
{
	if (r == NULL) {
		fprintf(f, "ring: NULL\n");
		return;
	}
	fprintf(f, "ring <%s>@%p\n", r->name, (const void *)r);
	fprintf(f, "  flags=0x%x (%s producer, %s consumer)\n", r->flags,
		r->flags & SL_RING_SP_ENQ ? "single" : "multi",
		r->flags & SL_RING_SC_DEQ ? "single" : "multi");
	fprintf(f, "  size=%u capacity=%u esize=%u memory=%zu\n", r->size, r->capacity, r->esize,
		memsize(r->esize, r->size));
	fprintf(f, "  prod.head=%u prod.tail=%u\n",
		__atomic_load_n(&r->prod.head, __ATOMIC_RELAXED),
		__atomic_load_n(&r->prod.tail, __ATOMIC_RELAXED));
	fprintf(f, "  cons.head=%u cons.tail=%u\n",
		__atomic_load_n(&r->cons.head, __ATOMIC_RELAXED),
		__atomic_load_n(&r->cons.tail, __ATOMIC_RELAXED));
	fprintf(f, "  used=%u free=%u\n", sl_ring_count(r), sl_ring_free_count(r));
}

/* --- telemetry: DPDK's /ring/list and /ring/info, read under the zone lock (a ring in a
 * zone is freed with its zone, so none goes away while it is read) --- */

struct ring_walk {
	const char *want; /* NULL: list */
	json_t *out;
};

static void ring_visit(const struct sl_zone *z, void *arg)
{
	struct ring_walk *w = arg;
	const struct sl_ring *r = z->addr;
	const char *name = z->name + sizeof(ZONE_PREFIX) - 1;

	if (strncmp(z->name, ZONE_PREFIX, sizeof(ZONE_PREFIX) - 1) != 0 ||
	    r->magic != SL_RING__MAGIC)
		return;
	if (w->want == NULL) {
		json_array_append_new(w->out, json_string(name));
	} else if (w->out == NULL && strcmp(name, w->want) == 0) {
		w->out = json_pack("{sssisisisisisisisssisI}", "name", r->name, "socket", z->node,
				   "flags", (int)r->flags, "size", (int)r->size, "mask",
				   (int)r->mask, "capacity", (int)r->capacity, "esize",
				   (int)r->esize, "used_count", (int)sl_ring_count(r), "mz_name",
				   z->name, "mz_socket_id", z->node, "mz_len", (json_int_t)z->len);
	}
}

static int cmd_ring_list(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct ring_walk w = {.out = json_array()};

	(void)cmd, (void)p, (void)ctx;
	sl_zone_walk(ring_visit, &w);
	sl_telemetry_set(req, w.out);
	return 0;
}

static int cmd_ring_info(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct ring_walk w = {.want = p};

	(void)ctx;
	if (p == NULL || p[0] == '\0')
		return sl_telemetry_error(req, -EINVAL,
					  "%s needs a ring name: %s,NAME (/ring/list lists them)",
					  cmd, cmd);
	sl_zone_walk(ring_visit, &w);
	if (w.out == NULL)
		return sl_telemetry_error(req, -ENOENT,
					  "%s: no ring '%.64s'; /ring/list lists them", cmd, p);
	sl_telemetry_set(req, w.out);
	return 0;
}

static const struct sl_telemetry_cmd ring_cmds[] = {
	{"/ring/list", cmd_ring_list, "Returns the names of the rings created in memory zones"},
	{"/ring/info", cmd_ring_info,
	 "Returns a ring's size, flags and objects held. Parameter: ring name"},
};

static void ring_telemetry(void)
{
	sl_telemetry_register(ring_cmds, SL_ARRAY_SIZE(ring_cmds));
}
SL_TELEMETRY_INIT(ring_telemetry)
