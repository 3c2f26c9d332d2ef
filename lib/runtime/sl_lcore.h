/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logical cores ("lcores"): one thread pinned to each core of the core list.  The lcore id
 * is the CPU number, so "-l 2,3" gives lcores 2 and 3.  The thread that called sl_init()
 * runs on the main lcore; the others are workers that wait for a function to run.
 *
 * Launch and wait are control-path calls (they take a mutex); call them from the main
 * lcore.  sl_lcore_id() is a thread-local read, fine on the fast path.
 */
#ifndef SL_LCORE_H
#define SL_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_common.h"
#include "sl_cycles.h"

#define SL_MAX_LCORE 128
/* sl_lcore_id() of a thread that is not an lcore (e.g. an application's own thread). */
#define SL_LCORE_ANY UINT32_MAX

typedef int (*sl_lcore_fn)(void *arg);

extern __thread uint32_t sl_lcore_self;

/* This thread's lcore id, or SL_LCORE_ANY for threads Sluice did not start. */
static inline uint32_t sl_lcore_id(void)
{
	return sl_lcore_self;
}

uint32_t sl_lcore_main(void);
/* Number of enabled lcores, the main one included. */
unsigned sl_lcore_count(void);
bool sl_lcore_is_enabled(uint32_t lcore);
/* NUMA node of the core, or 0 when unknown. */
int sl_lcore_node(uint32_t lcore);

/*
 * Next enabled lcore after `prev` (pass SL_LCORE_ANY to start), skipping the main lcore
 * when skip_main is true; returns SL_LCORE_ANY after the last.
 */
uint32_t sl_lcore_next(uint32_t prev, bool skip_main);

#define SL_LCORE_FOREACH_WORKER(i)                                                        \
	for ((i) = sl_lcore_next(SL_LCORE_ANY, true); (i) != SL_LCORE_ANY;                 \
	     (i) = sl_lcore_next((i), true))
#define SL_LCORE_FOREACH(i)                                                               \
	for ((i) = sl_lcore_next(SL_LCORE_ANY, false); (i) != SL_LCORE_ANY;                \
	     (i) = sl_lcore_next((i), false))

/*
 * Runs fn(arg) on worker `lcore`.  Returns 0, -EINVAL if lcore is not a worker, or
 * -EBUSY if it is still running an earlier function (wait for it first).
 */
int sl_lcore_launch(uint32_t lcore, sl_lcore_fn fn, void *arg);

/*
 * Runs fn(arg) on every worker, and on the main lcore too when call_main is true (then it
 * returns after the main lcore's call finishes; workers may still run).  Returns 0 or the
 * first launch error; on error no worker was launched.
 */
int sl_lcore_launch_all(sl_lcore_fn fn, void *arg, bool call_main);

/* Waits for the worker's function to return and gives its return value (0 if idle). */
int sl_lcore_wait(uint32_t lcore);

/* Waits for every worker; returns 0 or the first non-zero return value. */
int sl_lcore_wait_all(void);

/*
 * Load: a poll loop calls sl_lcore_round(busy) once per round, busy when the round moved
 * packets (sl_lcore_round_at(tsc, busy) when it has just read the TSC anyway).  The time
 * since the previous round (one TSC read per round) goes to total, and to busy when the
 * round was.  Written only by the lcore itself; read by telemetry with
 * relaxed loads.  A thread that is not an lcore counts nothing.
 */
struct sl_lcore_load {
	uint64_t busy_cycles;  /* (lcore) */
	uint64_t total_cycles; /* (lcore) */
	uint64_t last_tsc;     /* (lcore) TSC at the end of the previous round, 0 before one */
	uint64_t rounds;       /* (lcore) */
} SL_CACHE_ALIGNED;

extern struct sl_lcore_load sl_lcore_loads[SL_MAX_LCORE];

static inline void sl_lcore_round_at(uint64_t now, bool busy)
{
	uint32_t self = sl_lcore_self;
	struct sl_lcore_load *l;
	uint64_t d;

	if (sl_unlikely(self >= SL_MAX_LCORE))
		return;
	l = &sl_lcore_loads[self];
	d = l->last_tsc ? now - l->last_tsc : 0;
	__atomic_store_n(&l->last_tsc, now, __ATOMIC_RELAXED);
	__atomic_store_n(&l->total_cycles, l->total_cycles + d, __ATOMIC_RELAXED);
	__atomic_store_n(&l->rounds, l->rounds + 1, __ATOMIC_RELAXED);
	if (busy)
		__atomic_store_n(&l->busy_cycles, l->busy_cycles + d, __ATOMIC_RELAXED);
}

static inline void sl_lcore_round(bool busy)
{
	sl_lcore_round_at(sl_rdtsc(), busy);
}

/* A consistent-enough copy of an lcore's load (each word read once). */
void sl_lcore_load_get(uint32_t lcore, struct sl_lcore_load *out);

#endif
