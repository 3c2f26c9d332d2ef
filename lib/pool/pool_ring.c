/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring backends: a lock-free ring of object pointers (lib/ring).  Four variants pick the
 * producer and consumer modes; the ring lives in its own cache-aligned block on the
 * pool's node and is sized to the next power of two >= the object count, so an enqueue
 * of objects that came from the pool always fits.
 */
#include <errno.h>
#include <string.h>

#include "pool_priv.h"
#include "sl_memory.h"
#include "sl_ring.h"

static int ring_alloc(struct sl_pool *p, unsigned ring_flags)
{
	unsigned count = sl_pow2_ceil(p->size);
	char name[SL_RING_NAME_SIZE];
	ssize_t sz = sl_ring_memsize(sizeof(void *), count);
	struct sl_ring *r;
	int ret;

	if (sz < 0)
		return (int)sz;
	r = sl_malloc((size_t)sz, SL_RING_ALIGN, p->node);
	if (r == NULL)
		return -ENOMEM;
	/* The ring is private to the pool and never looked up; a truncated name will do. */
	memcpy(name, p->name, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ret = sl_ring_init(r, name, sizeof(void *), count, ring_flags);
	if (ret < 0) {
		sl_free(r);
		return ret;
	}
	p->pool_data = r;
	return 0;
}

static void ring_free(struct sl_pool *p)
{
	sl_free(p->pool_data);
	p->pool_data = NULL;
}

static unsigned ring_count(const struct sl_pool *p)
{
	return sl_ring_count(p->pool_data);
}

#define RING_BACKEND(suffix, rflags, enq, deq)                                           \
	static int ring_alloc_##suffix(struct sl_pool *p)                                 \
	{                                                                                 \
		return ring_alloc(p, rflags);                                             \
	}                                                                                 \
	static void ring_enqueue_##suffix(struct sl_pool *p, void *const *objs, unsigned n) \
	{                                                                                 \
		enq(p->pool_data, objs, n, NULL);                                         \
	}                                                                                 \
	static int ring_dequeue_##suffix(struct sl_pool *p, void **objs, unsigned n)      \
	{                                                                                 \
		return deq(p->pool_data, objs, n, NULL) == n ? 0 : -ENOENT;               \
	}                                                                                 \
	const struct sl_pool_ops sl_pool_ops_ring_##suffix = {                            \
		.name = "ring_" #suffix,                                                  \
		.alloc = ring_alloc_##suffix,                                             \
		.free = ring_free,                                                        \
		.enqueue = ring_enqueue_##suffix,                                         \
		.dequeue = ring_dequeue_##suffix,                                         \
		.count = ring_count,                                                      \
	};

RING_BACKEND(mp_mc, 0, sl_ring_mp_enqueue_bulk, sl_ring_mc_dequeue_bulk)
RING_BACKEND(sp_sc, SL_RING_SP_ENQ | SL_RING_SC_DEQ, sl_ring_sp_enqueue_bulk,
	     sl_ring_sc_dequeue_bulk)
RING_BACKEND(mp_sc, SL_RING_SC_DEQ, sl_ring_mp_enqueue_bulk, sl_ring_sc_dequeue_bulk)
RING_BACKEND(sp_mc, SL_RING_SP_ENQ, sl_ring_sp_enqueue_bulk, sl_ring_mc_dequeue_bulk)
