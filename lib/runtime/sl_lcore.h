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
 * packets; the lcore's total and busy cycles are what telemetry, Prometheus and `sluice top`
 * show.  Rounds are measured exactly (a TSC read each) after the kind of round changes
 * (busy <-> idle), until SL_LCORE_EXACT_ROUNDS rounds in a row were of one kind; then the
 * loop runs lazily, the TSC read only every SL_LCORE_ROUNDS_PER_READ rounds or when the
 * kind changes, so a saturated (or idle) loop pays a compare and an increment per round.
 * The interval that ends a lazy run holds rounds of both kinds: its idle rounds are charged
 * at the cost of an idle round as measured exactly (a floor-seeking average, so a round
 * the thread was preempted in does not inflate it), the rest is busy.  A loop that has just
 * read the TSC calls sl_lcore_round_at(tsc, busy) instead: every round measured exactly.
 * A function run with sl_lcore_launch() has its last rounds counted when it returns; a loop
 * on the main lcore calls sl_lcore_load_flush() when it stops.  Written only by the lcore
 * itself; read by telemetry with relaxed loads (published at each TSC read, so they trail
 * by at most SL_LCORE_ROUNDS_PER_READ rounds).  A thread that is not an lcore counts
 * nothing.
 */
#define SL_LCORE_ROUNDS_PER_READ 64
#define SL_LCORE_EXACT_ROUNDS 64

struct sl_lcore_load {
	uint64_t busy_cycles;  /* (lcore) published */
	uint64_t total_cycles; /* (lcore) published */
	uint64_t rounds;       /* (lcore) published */
	uint64_t last_tsc;     /* (lcore) TSC of the last read, 0 before the first */
	uint32_t pending;      /* (lcore) rounds since then, all of kind pending_busy */
	uint32_t idle_round;   /* (lcore) cycles of an idle round, 0 until measured */
	uint16_t exact_left;   /* (lcore) rounds still to measure exactly */
	bool pending_busy;     /* (lcore) kind of the last round */
} SL_CACHE_ALIGNED;

extern struct sl_lcore_load sl_lcore_loads[SL_MAX_LCORE];

/* Brings the counters up to now, counting this round (internal). */
void sl_lcore__measure(struct sl_lcore_load *l, bool busy, uint64_t now);

static inline void sl_lcore_round(bool busy)
{
	uint32_t self = sl_lcore_self;
	struct sl_lcore_load *l;

	if (sl_unlikely(self >= SL_MAX_LCORE))
		return;
	l = &sl_lcore_loads[self];
	if (sl_likely(busy == l->pending_busy && l->exact_left == 0 && l->last_tsc != 0 &&
		      l->pending + 1 < SL_LCORE_ROUNDS_PER_READ)) {
		l->pending++;
		return;
	}
	sl_lcore__measure(l, busy, sl_rdtsc());
}

static inline void sl_lcore_round_at(uint64_t now, bool busy)
{
	uint32_t self = sl_lcore_self;

	if (sl_likely(self < SL_MAX_LCORE))
		sl_lcore__measure(&sl_lcore_loads[self], busy, now);
}

/* Counts the rounds not yet counted; the next round starts the clock again (a poll loop
 * that stops). */
void sl_lcore_load_flush(void);

/* A consistent-enough copy of an lcore's load (each word read once). */
void sl_lcore_load_get(uint32_t lcore, struct sl_lcore_load *out);

#endif
