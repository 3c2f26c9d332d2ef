/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals shared by the pool core and its backends. */
#ifndef SL_POOL_PRIV_H
#define SL_POOL_PRIV_H

#include "sl_log.h"
#include "sl_pool.h"

SL_LOG_TYPE_DECLARE(pool);

/* Built-in backends (pool_ring.c, pool_stack.c). */
extern const struct sl_pool_ops sl_pool_ops_ring_mp_mc;
extern const struct sl_pool_ops sl_pool_ops_ring_sp_sc;
extern const struct sl_pool_ops sl_pool_ops_ring_mp_sc;
extern const struct sl_pool_ops sl_pool_ops_ring_sp_mc;
extern const struct sl_pool_ops sl_pool_ops_stack;

/* Object number idx: the address after its slot's header. */
static inline void *obj_at(const struct sl_pool *p, uint32_t idx)
{
	return p->area + (size_t)idx * p->stride + p->hdr_size;
}

/* Index of an object known to belong to p. */
static inline uint32_t obj_idx(const struct sl_pool *p, const void *obj)
{
	return (uint32_t)((size_t)((const char *)obj - p->area - p->hdr_size) / p->stride);
}

/* Calls fn for every pool with the registry locked (no pool is freed meanwhile). */
void pool_walk(void (*fn)(struct sl_pool *p, void *arg), void *arg);
/* Registers the /mempool commands (telemetry.c). */
void pool_telemetry(void);

#endif
