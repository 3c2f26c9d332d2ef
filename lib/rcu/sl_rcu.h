/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quiescent-state-based reclamation (QSBR), the RCU flavour of DPDK's rte_rcu_qsbr and
 * liburcu-qsbr.  Readers (lcores polling in a loop) take no lock and write nothing per
 * lookup; once per loop each declares "I hold nothing I read before this point" with
 * sl_rcu_quiescent().  A writer that has unlinked an object (replaced the pointer to it,
 * cleared the table entry) takes a token with sl_rcu_start() and frees the object once
 * sl_rcu_check(token) is true: every registered online reader has passed a quiescent
 * point since, so none can still hold it.  sl_rcu_synchronize() waits for that;
 * sl_rcu_defer() queues the free instead and sl_rcu_reclaim() runs what is due.
 *
 * State.  A 64-bit token numbers grace periods: 1 at creation, +1 per start, never wraps.
 * Reader thread `tid` (0 .. max_threads - 1, e.g. its lcore id) has a slot on its own
 * cache line holding cnt, the token it read at its last quiescent point, or 0 while it is
 * offline (idle, blocked: writers do not wait for it).  Grace period t has passed when
 * every registered thread's cnt is 0 or >= t.  A bitmap of registered tids lets check()
 * read only those slots.  Readers write only their own slot; the token has its own line,
 * written once per grace period.
 *
 * Memory ordering.  W replaces pointer P to object O by N, then frees O; reader R follows P.
 *   W: store P = N;  t = start(): token += 1 (seq_cst), full barrier;
 *      check(t): for each registered tid, load cnt (acquire); free(O) when all pass.
 *   R: p = load P; use *p; ... quiescent(): c = load token (acquire); store cnt = c (release)
 * (1) R's uses of O before a quiescent point happen before W's free: W frees only after an
 *     acquire load of cnt >= t, which reads R's release store.
 * (2) R does not pick O up again after reporting t: cnt >= t means R's token load read t
 *     (or later), and acquire on it against W's release makes R's next loads of P see N.
 *     That is why the load is acquire, not relaxed: a relaxed load lets the compiler (or an
 *     ARM CPU) hoist the next loop's load of P above it, so R could read P = O, then token
 *     t, report t and keep using O after the free.  On x86 an acquire load is the same mov
 *     as a relaxed one: quiescent() is one load and one store, no fence, no locked
 *     instruction.
 * (3) The classic QSBR race: a thread coming online (or registering) stores cnt = token,
 *     then loads P.  A CPU may complete that load before the store leaves its store buffer
 *     (x86 does), so W could read cnt = 0, skip R and free O while R has just read P = O.
 *     online() and register() therefore put a seq_cst fence between the store of cnt and
 *     the thread's later loads, and start() a full barrier between W's token store (after
 *     its unlink store) and check()'s loads of cnt (a seq_cst fence; on x86 the locked add
 *     itself).  Of two such barriers one comes first: either W sees R's cnt (and waits for
 *     it, whatever token R read) or R's load sees P = N.
 *     quiescent() needs no fence: while online, cnt is never 0 and only grows, so W reading
 *     a stale cnt only makes it wait longer.
 * (4) offline() stores cnt = 0 with release: R's uses before it happen before W sees 0.
 *
 * Who calls what:
 *   - quiescent, online, offline for `tid`: only the thread that reports for tid (one
 *     writer per slot).  quiescent() only while online: it would bring an offline thread
 *     online without the fence of (3); call sl_rcu_thread_online() for that.
 *   - register, unregister: any thread, several at once for different tids; a control
 *     thread may register its workers' tids before launching them.
 *   - start, check, synchronize: any thread (the token advances with an atomic add), so
 *     tables with different writer threads may share a domain.  defer, reclaim, pending:
 *     one writer thread at a time (the caller serialises writers, as for the tables).
 *   - A reader that also writes: a thread that calls check() or synchronize() counts as
 *     quiescent for the tids it claimed by calling sl_rcu_thread_online() (once is
 *     enough, e.g. right after registering): being in the writer API it holds nothing
 *     read under the domain (calling it from inside a read-side section is a bug with
 *     every RCU), so it never waits for itself; check() updates its cnt on its behalf.
 *     Registering does not claim a tid, since the registering thread may not be the
 *     reporter.  A wait that lasts 100 ms for a tid the waiting thread registered but did
 *     not claim (probably itself) logs a line saying so; any wait that lasts 1 s logs one.
 * docs/rcu.md has the usage, an example and the measured costs.
 * Names beginning with sl_rcu__ are internal.
 */
#ifndef SL_RCU_H
#define SL_RCU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_common.h"

/* Most reader threads one domain tracks (tids 0 .. max_threads - 1). */
#define SL_RCU_MAX_THREADS 1024u
/* Longest domain name + 1. */
#define SL_RCU_NAME_SIZE SL_NAME_SIZE

/* A reader thread's slot: one cache line, so readers never write a line another reads. */
struct sl_rcu_thread {
	uint64_t cnt; /* (reader) token at its last quiescent point, 0 while offline */
	uint64_t unused[7];
} SL_CACHE_ALIGNED;

/* One QSBR domain.  Public only for the inline reader calls; the rest is in rcu.c. */
struct sl_rcu {
	/* Line 0: read by every quiescent() and online(). */
	uint64_t token; /* (writer) newest grace period: 1 at creation, atomic add per start */
	uint64_t unused0[7];
	/* Line 1: set by create, read-only afterwards. */
	uint32_t max_threads;
	uint32_t unused1;
	struct sl_rcu_ctl *ctl; /* registrations (control) and deferred callbacks (writer) */
	char name[SL_RCU_NAME_SIZE];
	uint64_t unused2[2];
	/* Lines 2 .. 2 + max_threads - 1. */
	struct sl_rcu_thread threads[];
};

_Static_assert(sizeof(struct sl_rcu_thread) == SL_CACHE_LINE, "a thread slot is one line");
_Static_assert(offsetof(struct sl_rcu, token) == 0, "the token starts line 0");
_Static_assert(offsetof(struct sl_rcu, max_threads) == SL_CACHE_LINE,
	       "read-only fields start line 1, away from the token");
_Static_assert(offsetof(struct sl_rcu, threads) == 2 * SL_CACHE_LINE &&
		       sizeof(struct sl_rcu) == 2 * SL_CACHE_LINE,
	       "thread slots start line 2");

/*
 * Creates a domain for reader tids 0 .. max_threads - 1 (1 .. SL_RCU_MAX_THREADS), no
 * thread registered.  Returns it, or NULL with errno EINVAL (NULL or empty name,
 * max_threads out of range), ENAMETOOLONG (name of SL_RCU_NAME_SIZE characters or more)
 * or ENOMEM, each logged.  Names need not be unique (they label log lines).  Thread-safe.
 */
struct sl_rcu *sl_rcu_create(const char *name, unsigned max_threads);

/*
 * Frees the domain; NULL is ignored.  Runs the callbacks still pending first (call it once
 * no reader uses the domain any more: their grace period has then passed).  Threads still
 * registered are reported with a warning.  Nobody else may use the domain meanwhile.
 */
void sl_rcu_free(struct sl_rcu *rcu);

/*
 * Registers reader `tid` and brings it online (cnt = the current token, then a seq_cst
 * fence: register from the reader itself, or before the reader starts).  Any thread may
 * register a tid; it does not claim it (see sl_rcu_thread_online()).  Returns 0, -EINVAL
 * (NULL domain, tid >= max_threads) or -EEXIST (tid already registered), each logged.
 * Thread-safe.
 */
int sl_rcu_thread_register(struct sl_rcu *rcu, unsigned tid);

/*
 * Unregisters `tid`: writers stop waiting for it.  Returns 0, -EINVAL (NULL domain, tid
 * out of range) or -ENOENT (tid not registered), each logged.  Thread-safe.
 */
int sl_rcu_thread_unregister(struct sl_rcu *rcu, unsigned tid);

void sl_rcu__bad_tid(const struct sl_rcu *rcu, unsigned tid, const char *what);
void sl_rcu__claim(struct sl_rcu *rcu, unsigned tid);

/* A seq_cst fence.  ThreadSanitizer does not model fences (GCC warns: -Wtsan); under it a
 * seq_cst read-modify-write of *p, a word only this thread writes or an atomic counter,
 * stands in (TSan checks happens-before, which the fences do not provide anyway). */
#if defined(__SANITIZE_THREAD__)
#define SL_RCU__FENCE(p) ((void)__atomic_fetch_add((p), 0, __ATOMIC_SEQ_CST))
#else
#define SL_RCU__FENCE(p) __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#ifdef SL_DEBUG
/* -Ddebug_checks=true: the inline calls check tid (one log line, then nothing happens). */
#define SL_RCU__CHECK(rcu, tid, what)                                                              \
	do {                                                                                       \
		if ((tid) >= (rcu)->max_threads) {                                                 \
			sl_rcu__bad_tid(rcu, tid, what);                                           \
			return;                                                                    \
		}                                                                                  \
	} while (0)
#else
#define SL_RCU__CHECK(rcu, tid, what) ((void)0)
#endif

/*
 * Reader `tid` (online) passed a quiescent point: it holds no reference it read under
 * this domain before the call.  Call it once per poll loop.  One acquire load of the
 * token (a plain load on x86) and one release store into the thread's own line; see (2)
 * above for why the load is acquire.  The thread that reports for tid only.
 */
static inline void sl_rcu_quiescent(struct sl_rcu *rcu, unsigned tid)
{
	SL_RCU__CHECK(rcu, tid, "quiescent");
	uint64_t t = __atomic_load_n(&rcu->token, __ATOMIC_ACQUIRE);

	__atomic_store_n(&rcu->threads[tid].cnt, t, __ATOMIC_RELEASE);
}

/*
 * Reader `tid` goes offline (about to block or sleep): writers stop waiting for it.  It
 * holds no reference from then on, until sl_rcu_thread_online().  The thread that
 * reports for tid only.
 */
static inline void sl_rcu_thread_offline(struct sl_rcu *rcu, unsigned tid)
{
	SL_RCU__CHECK(rcu, tid, "thread_offline");
	__atomic_store_n(&rcu->threads[tid].cnt, 0, __ATOMIC_RELEASE);
}

/*
 * Reader `tid` comes (back) online; call it before reading shared data again.  The
 * seq_cst fence (an mfence on x86, ~30 cycles) orders the store of cnt before the
 * thread's later loads: see (3) above.  It also claims tid for the calling thread: its own
 * sl_rcu_check() and sl_rcu_synchronize() calls then count it as quiescent for tid (a
 * registered reader that also writes calls it once, e.g. right after registering).  The
 * thread that reports for tid only.
 */
static inline void sl_rcu_thread_online(struct sl_rcu *rcu, unsigned tid)
{
	SL_RCU__CHECK(rcu, tid, "thread_online");
	uint64_t t = __atomic_load_n(&rcu->token, __ATOMIC_RELAXED);

	__atomic_store_n(&rcu->threads[tid].cnt, t, __ATOMIC_RELAXED);
	SL_RCU__FENCE(&rcu->threads[tid].cnt);
	sl_rcu__claim(rcu, tid);
}

/*
 * Writer: begins a grace period, after the stores that unlinked what it will free.
 * Returns its token (> 0) for sl_rcu_check().  An atomic add and a full barrier (the
 * locked add alone on x86: 5-6 cycles).  Any thread.
 */
uint64_t sl_rcu_start(struct sl_rcu *rcu);

/*
 * Writer: true when grace period `token` has passed, i.e. every registered thread online
 * at the call has passed a quiescent point since sl_rcu_start() returned token (offline
 * threads do not count; the calling thread counts as quiescent for the tids it claimed).
 * With wait = false it reads each registered slot once; with wait = true it spins until
 * true: 64 rescans with a pause in between, then a sched_yield() before each rescan.
 * Token 0 is always true; a token start() never returned yet is logged and false.  Once
 * true for a token, true at once for it and every earlier one.  Any thread, after the
 * start() of token (its own, or handed over with synchronisation).
 */
bool sl_rcu_check(struct sl_rcu *rcu, uint64_t token, bool wait);

/* Writer: sl_rcu_check(rcu, sl_rcu_start(rcu), true).  Any thread. */
void sl_rcu_synchronize(struct sl_rcu *rcu);

/*
 * Writer: runs fn(arg) once a grace period started by this call has passed (so call it
 * after unlinking what fn frees), from a later sl_rcu_reclaim() (or sl_rcu_free()).  The
 * queue is a FIFO that doubles when full and never blocks.  Returns 0, -EINVAL (NULL
 * domain or fn) or -ENOMEM (the FIFO could not grow; nothing queued), each logged.
 * The writer thread.
 */
int sl_rcu_defer(struct sl_rcu *rcu, void (*fn)(void *arg), void *arg);

/*
 * Writer: runs, oldest first, the deferred callbacks whose grace period has passed, and
 * returns how many ran.  Never blocks (one read of each registered slot per call).  A
 * callback may call sl_rcu_defer().  The writer thread.
 */
unsigned sl_rcu_reclaim(struct sl_rcu *rcu);

/* Deferred callbacks not run yet (0 for NULL).  The writer thread. */
unsigned sl_rcu_pending(const struct sl_rcu *rcu);

#endif
