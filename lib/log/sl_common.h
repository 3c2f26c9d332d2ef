/* SPDX-License-Identifier: BSD-3-Clause */
/* Small definitions every Sluice library uses: cache-line size, branch hints, helpers. */
#ifndef SL_COMMON_H
#define SL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define SL_CACHE_LINE 64
#define SL_CACHE_ALIGNED __attribute__((aligned(SL_CACHE_LINE)))

#define sl_likely(x) __builtin_expect(!!(x), 1)
#define sl_unlikely(x) __builtin_expect(!!(x), 0)
#define sl_prefetch0(p) __builtin_prefetch((p), 0, 3)
#define sl_prefetchw(p) __builtin_prefetch((p), 1, 3)

#define SL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SL_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SL_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SL_ALIGN_UP(v, a) (((v) + (a) - 1) & ~((__typeof__(v))(a) - 1))
#define SL_IS_POW2(v) ((v) != 0 && ((v) & ((v) - 1)) == 0)

/* Most NUMA nodes Sluice tracks. */
#define SL_MAX_NUMA_NODES 8

/* Longest name of a named object (zone, ring, pool), including the terminating NUL. */
#define SL_NAME_SIZE 32

/* Adds v to a counter that one thread writes and others read.  A relaxed load and store
 * compile to a plain add on x86 while keeping reads from other threads race-free. */
static inline void sl_counter_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static inline uint64_t sl_counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Spin-wait hint for busy loops. */
static inline void sl_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

/* Smallest power of two >= v (v <= 2^31). */
static inline uint32_t sl_pow2_ceil(uint32_t v)
{
	return v <= 1 ? 1 : 1u << (32 - __builtin_clz(v - 1));
}

#endif
