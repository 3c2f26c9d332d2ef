/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PMD threads and rx queue placement (OVS-DPDK's pmd-rxq-assign, pmd-auto-lb and
 * pmd-rxq-show): which worker polls which (port, queue), measured load, rebalancing and
 * moves that lose nothing.  docs/pmd.md has the design.
 *
 * A set has nb_workers workers (the application's PMD threads, one per lcore) and rx
 * queues added with sl_pmd_rxq_add().  Each worker calls sl_pmd_poll(set, w, fn, arg) in
 * its loop: one round polls every queue the worker owns through fn (the application's
 * "receive a burst and process it") and measures it: the TSC around each fn call is busy
 * when fn returned packets, idle when the poll was empty; the worker's own time between
 * rounds counts as idle.  A busy poll counts at most SL_PMD_POLL_CAP_US: one that took
 * longer was preempted (a shared core), and the time the thread waited is not load.  The
 * control thread calls sl_pmd_tick() often (every few ms): it closes a measurement
 * interval every interval_ms and, with auto_lb, rebalances.
 *
 * Placement.  sl_pmd_assign() places every queue by the set's mode: SL_PMD_ASSIGN_CYCLES
 * gives queues, the most loaded first (the last interval's busy cycles), each to the
 * least loaded worker; SL_PMD_ASSIGN_ROUNDROBIN deals them in the order added.  A pinned
 * queue (sl_pmd_rxq_pin) always goes to its worker; a worker with a pinned queue is
 * isolated (takes no other) unless the set was made with no_isolate.  sl_pmd_rebalance()
 * computes the cycles placement from the last interval and applies it only when the
 * variance of the workers' loads improves by improve_pct or more (or when forced).
 *
 * Moves.  Each queue has a target worker (written by the control thread) and an owner
 * (the worker polling it, or none), changed only at a worker's round boundary:
 *   1. the control thread sets new targets and bumps the set's generation;
 *   2. a worker that sees the new generation stops polling each queue whose target is no
 *      longer itself: it stores owner = none (release) between two bursts;
 *   3. the target worker takes the queue with a compare-and-swap of owner none -> itself
 *      (acquire) at its next round boundary, and starts polling it;
 *   4. a worker acknowledges the generation (ack = gen) once every queue targeted at it is
 *      its own.  The set is settled when every queue's owner is its target.
 * A queue is never polled by two workers (only the owner polls, and ownership passes
 * through none); between 2 and 3 nobody polls it and packets wait in it (the gap, a few
 * rounds, is measured per queue).  No lock: a load per round when nothing moves, a scan
 * of the queues and the CAS only during a move.
 *
 * Threads: create, free, rxq_add, rxq_pin, assign, rebalance, tick and interval_end are
 * for one control thread; sl_pmd_poll(set, w) for the one thread that is worker w; the
 * stats and format calls for the control thread too (the interval's figures are its own;
 * the workers' counters are read with relaxed loads).  Functions return 0 or -errno (each
 * error logs one line naming the bad value); constructors return NULL and set errno.
 */
#ifndef SL_PMD_H
#define SL_PMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_PMD_MAX_WORKERS 64
#define SL_PMD_MAX_RXQ 512
/* A worker index meaning "none" (an unpinned queue, a queue nobody polls). */
#define SL_PMD_NONE (-1)

#define SL_PMD_DEFAULT_INTERVAL_MS 10000
#define SL_PMD_POLL_CAP_US 100
#define SL_PMD_DEFAULT_LOAD_PCT 95
#define SL_PMD_DEFAULT_IMPROVE_PCT 25

enum sl_pmd_assign {
	SL_PMD_ASSIGN_CYCLES,	  /* by measured load, largest first to the least loaded */
	SL_PMD_ASSIGN_ROUNDROBIN, /* in the order added, one per worker in turn */
};

struct sl_pmd_config {
	const char *name;	   /* in log lines ("switch") */
	unsigned nb_workers;	   /* 1 to SL_PMD_MAX_WORKERS */
	const uint32_t *lcores;	   /* each worker's lcore (shown only); NULL: none said */
	enum sl_pmd_assign assign; /* the mode of sl_pmd_assign() */
	bool no_isolate;	   /* workers with a pinned queue take unpinned ones too */
	bool auto_lb;		   /* sl_pmd_tick() rebalances by itself */
	uint32_t interval_ms;	   /* measurement interval, 0: SL_PMD_DEFAULT_INTERVAL_MS */
	uint8_t load_pct;	   /* auto-lb: a worker at least this busy, 0: the default 95 */
	uint8_t improve_pct;	   /* rebalance: variance improvement needed, 0: 25 */
};

struct sl_pmd;

/*
 * Receives one burst from (port, queue) and processes it: returns the number of packets
 * it received (0: the poll was empty, idle time).  Called by sl_pmd_poll() on the worker.
 */
typedef uint16_t (*sl_pmd_poll_fn)(uint16_t port, uint16_t queue, void *arg);

/* A set with no queues; NULL and errno EINVAL (bad config, logged) or ENOMEM. */
struct sl_pmd *sl_pmd_create(const struct sl_pmd_config *conf);
/* The set's configuration with the defaults filled in (name and lcores: NULL). */
void sl_pmd_config_get(const struct sl_pmd *set, struct sl_pmd_config *out);
/* Frees the set; no worker may be in sl_pmd_poll(). NULL is a no-op. */
void sl_pmd_free(struct sl_pmd *set);

/* Parses "cycles" or "roundrobin"; returns the mode or -EINVAL (logged with the choices). */
int sl_pmd_assign_parse(const char *word);
const char *sl_pmd_assign_name(enum sl_pmd_assign mode);

/*
 * Adds rx queue (port, queue), polled by nobody until the next sl_pmd_assign().  Returns
 * its index (0, 1... in the order added), or -EEXIST (added already), -ENOSPC
 * (SL_PMD_MAX_RXQ queues).  Workers may be running.
 */
int sl_pmd_rxq_add(struct sl_pmd *set, uint16_t port, uint16_t queue);
/* The index of (port, queue), or -ENOENT (not logged: it is how a queue is looked up). */
int sl_pmd_rxq_find(const struct sl_pmd *set, uint16_t port, uint16_t queue);

/*
 * Pins queue rxq to worker w (SL_PMD_NONE: unpins), from the next sl_pmd_assign().
 * Returns 0, -ENOENT (no such queue) or -EINVAL (no such worker).
 */
int sl_pmd_rxq_pin(struct sl_pmd *set, unsigned rxq, int w);

/*
 * Places every queue by the set's mode (cycles: on the last interval's loads; before the
 * first interval every load is 0 and queues are dealt evenly) and starts the moves.
 * Returns how many queues change worker, or -ENOSPC when the pins leave no worker for the
 * unpinned queues (every worker isolated; logged with the fix); the placement is then
 * unchanged.
 */
int sl_pmd_assign(struct sl_pmd *set);

/* What a rebalance found: the workers' loads (% of the interval) now and planned. */
struct sl_pmd_rebalance_info {
	double cur_var, new_var; /* variance of the unisolated workers' loads (%^2) */
	double improve_pct;	 /* (cur_var - new_var) / cur_var, in %; 0 when cur_var is 0 */
	unsigned moves;		 /* queues the plan moves */
	bool applied;		 /* the plan was applied */
	bool automatic;		 /* made by auto-lb */
};

/*
 * Computes the cycles placement from the last interval's loads and applies it when force
 * is set or the variance improves by improve_pct or more.  info (may be NULL) says what
 * was found.  Returns the queues moved (0: nothing applied), -ENODATA (no interval
 * measured yet: wait interval_ms or call sl_pmd_interval_end) or -EBUSY (a move is still
 * in flight).  Logged: the outcome at NOTICE level.
 */
int sl_pmd_rebalance(struct sl_pmd *set, bool force, struct sl_pmd_rebalance_info *info);

/*
 * The control thread's periodic call: ends the measurement interval when interval_ms
 * passed and then, with auto_lb, rebalances when a worker was at least load_pct busy over
 * the interval and the plan improves the variance enough.  Returns 1 when an interval
 * ended, 0 otherwise.
 */
int sl_pmd_tick(struct sl_pmd *set);
/* Ends the measurement interval now (tests, a rebalance on demand); no auto-lb. */
void sl_pmd_interval_end(struct sl_pmd *set);

/* Sets queue rxq's load in the last interval to pct % of a worker (tests and simulations:
 * the cycles and rebalance cases with known loads).  -ENOENT for no such queue. */
int sl_pmd_rxq_load_set(struct sl_pmd *set, unsigned rxq, double pct);

/* True when every queue is polled by its target (no move in flight). */
bool sl_pmd_settled(const struct sl_pmd *set);

/*
 * One round of worker w: takes up and gives up queues as the generation says (at this
 * burst boundary), then calls fn once per queue it owns.  Returns the packets received.
 * Only worker w's thread; no lock, no syscall.
 */
unsigned sl_pmd_poll(struct sl_pmd *set, unsigned w, sl_pmd_poll_fn fn, void *arg);

/* --- the view (pmd-rxq-show) --- */

struct sl_pmd_worker_stats {
	uint32_t lcore;	       /* as configured, or UINT32_MAX */
	bool isolated;	       /* has pinned queues and takes no other */
	unsigned nb_rxq;       /* queues it polls now */
	double busy_pct;       /* last interval: busy cycles / the cycles it ran */
	uint64_t busy_cycles;  /* last interval */
	uint64_t total_cycles; /* last interval */
	uint64_t ack, gen;     /* the generation it acknowledged, the set's */
	uint64_t packets;      /* since start */
	uint64_t rounds;       /* since start */
};

struct sl_pmd_rxq_stats {
	uint16_t port, queue;
	int target;		  /* the worker that should poll it, SL_PMD_NONE */
	int owner;		  /* the worker that polls it now, SL_PMD_NONE */
	int pin;		  /* the worker it is pinned to, SL_PMD_NONE */
	double load_pct;	  /* last interval: busy cycles / the interval's cycles */
	uint64_t busy_cycles;	  /* last interval */
	uint64_t packets;	  /* last interval */
	uint64_t total_packets;	  /* since start */
	uint64_t moves;		  /* times it changed owner (the first take included) */
	uint64_t last_gap_cycles; /* how long its last move left it unpolled */
};

unsigned sl_pmd_nb_workers(const struct sl_pmd *set);
unsigned sl_pmd_nb_rxq(const struct sl_pmd *set);
int sl_pmd_worker_stats(const struct sl_pmd *set, unsigned w, struct sl_pmd_worker_stats *out);
int sl_pmd_rxq_stats(const struct sl_pmd *set, unsigned rxq, struct sl_pmd_rxq_stats *out);
/* The last rebalance (or auto-lb check that computed a plan); -ENODATA before any. */
int sl_pmd_last_rebalance(const struct sl_pmd *set, struct sl_pmd_rebalance_info *out);
/* Rebalances applied (on demand and automatic) since start. */
uint64_t sl_pmd_rebalances(const struct sl_pmd *set);

/*
 * Formats the pmd-rxq-show text into buf: one line per worker ("pmd 0 lcore 1 busy 42.0%
 * isolated"), then one per queue it polls ("  port 0 queue 0 usage 40.1%" with "pinned",
 * "moving" marks).  Returns the length it needed (as snprintf).
 */
int sl_pmd_format(const struct sl_pmd *set, const char *const *port_names, char *buf, size_t size);

#endif
