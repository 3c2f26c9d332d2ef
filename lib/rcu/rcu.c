/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QSBR domains: create/free, registration, grace periods and the deferred-callback FIFO.
 * sl_rcu.h has the state, the memory-ordering argument and who may call what.
 *
 * Memory: one cache-aligned block from the C heap (header, thread slots, then the
 * private part: bitmap and who registered and claimed each tid), and the FIFO, grown by
 * doubling.  The C heap rather
 * than sl_malloc(): nothing here is shared with another process or a device, and
 * AddressSanitizer then sees a use of a freed domain.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl_log.h"
#include "sl_rcu.h"

SL_LOG_TYPE_DEFINE(rcu)

/* A deferred callback: fn(arg) once grace period `token` has passed. */
struct defer_item {
	void (*fn)(void *arg);
	void *arg;
	uint64_t token;
};

/*
 * Who a tid belongs to.  `reporter` is the thread that claimed it with
 * sl_rcu_thread_online() (valid while `claimed`): check() counts that thread as quiescent
 * for it when it is the one waiting.  `registrar` only serves the log line of a wait that
 * looks like a thread waiting for itself.  (control) atomic accesses.
 */
struct tid_info {
	pthread_t registrar;
	pthread_t reporter;
	int claimed;
	int unused;
};

struct sl_rcu_ctl {
	/* (writer, relaxed atomics) every grace period <= done has passed: a cache that makes
	 * repeated checks of the same token one compare.  A racing writer may store an older
	 * value; every value stored is true, so that only costs a rescan. */
	uint64_t done;
	uint32_t words;	      /* 64-bit words of the bitmap */
	uint64_t *bitmap;     /* (control) bit tid set while tid is registered: atomic RMW */
	struct tid_info *who; /* (control) max_threads of them */
	/* The FIFO of deferred callbacks, a ring of q_size (a power of two or 0).  Writer. */
	struct defer_item *q;
	uint32_t q_head;
	uint32_t q_count;
	uint32_t q_size;
};

#define LD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LD_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ST_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ST_RLX(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

#define FIFO_MIN 64u
/* Scans check(wait) makes with a pause in between before it yields the CPU. */
#define SPIN_BEFORE_YIELD 64u
/* Waits after which check(wait) logs a line (once per call). */
#define LONG_WAIT_NS 1000000000ull
#define LONG_WAIT_SELF_NS 100000000ull

/* ---- create / free ---- */

struct sl_rcu *sl_rcu_create(const char *name, unsigned max_threads)
{
	size_t words, slots, ctl_off, bitmap_off, who_off, total;
	struct sl_rcu *rcu;
	struct sl_rcu_ctl *c;
	void *mem;
	int rc;

	if (name == NULL || name[0] == '\0') {
		SL_LOG(rcu, ERR, "rcu name is %s; give a name of 1 to %u characters",
		       name == NULL ? "NULL" : "empty", SL_RCU_NAME_SIZE - 1);
		errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, SL_RCU_NAME_SIZE) >= SL_RCU_NAME_SIZE) {
		SL_LOG(rcu, ERR, "rcu name '%s' is %zu characters long; use at most %u", name,
		       strlen(name), SL_RCU_NAME_SIZE - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (max_threads == 0 || max_threads > SL_RCU_MAX_THREADS) {
		SL_LOG(rcu, ERR, "rcu '%s': max_threads %u is out of range; use 1 to %u", name,
		       max_threads, SL_RCU_MAX_THREADS);
		errno = EINVAL;
		return NULL;
	}
	words = (max_threads + 63) / 64;
	slots = (size_t)max_threads * sizeof(struct sl_rcu_thread);
	ctl_off = sizeof(struct sl_rcu) + slots;
	bitmap_off = ctl_off + SL_ALIGN_UP(sizeof(struct sl_rcu_ctl), (size_t)8);
	who_off = SL_ALIGN_UP(bitmap_off + words * sizeof(uint64_t), (size_t)16);
	total = SL_ALIGN_UP(who_off + max_threads * sizeof(struct tid_info), (size_t)SL_CACHE_LINE);
	rc = posix_memalign(&mem, SL_CACHE_LINE, total);
	if (rc != 0) {
		SL_LOG(rcu, ERR, "rcu '%s': cannot allocate %zu bytes for %u threads: %s", name,
		       total, max_threads, strerror(rc));
		errno = rc;
		return NULL;
	}
	memset(mem, 0, total);
	rcu = mem;
	c = (struct sl_rcu_ctl *)(void *)((char *)mem + ctl_off);
	c->words = (uint32_t)words;
	c->bitmap = (uint64_t *)(void *)((char *)mem + bitmap_off);
	c->who = (struct tid_info *)(void *)((char *)mem + who_off);
	rcu->token = 1;
	rcu->max_threads = max_threads;
	rcu->ctl = c;
	snprintf(rcu->name, sizeof(rcu->name), "%s", name);
	return rcu;
}

static unsigned nb_registered(const struct sl_rcu *rcu)
{
	unsigned n = 0;

	for (uint32_t w = 0; w < rcu->ctl->words; w++)
		n += (unsigned)__builtin_popcountll(LD_ACQ(&rcu->ctl->bitmap[w]));
	return n;
}

void sl_rcu_free(struct sl_rcu *rcu)
{
	struct sl_rcu_ctl *c;
	unsigned n;

	if (rcu == NULL)
		return;
	c = rcu->ctl;
	n = nb_registered(rcu);
	if (n > 0)
		SL_LOG(rcu, WARNING,
		       "rcu '%s' freed with %u threads registered; unregister them first",
		       rcu->name, n);
	/* Nobody reads under the domain any more: every pending grace period has passed. */
	while (c->q_count > 0) {
		struct defer_item it = c->q[c->q_head];

		c->q_head = (c->q_head + 1) & (c->q_size - 1);
		c->q_count--;
		it.fn(it.arg);
	}
	free(c->q);
	free(rcu);
}

/* ---- registration ---- */

void sl_rcu__bad_tid(const struct sl_rcu *rcu, unsigned tid, const char *what)
{
	SL_LOG(rcu, ERR, "rcu '%s' %s: tid %u is out of range; use 0 to %u (max_threads %u)",
	       rcu->name, what, tid, rcu->max_threads - 1, rcu->max_threads);
}

static int check_tid(const struct sl_rcu *rcu, unsigned tid, const char *what)
{
	if (rcu == NULL) {
		SL_LOG(rcu, ERR, "rcu %s: domain is NULL; create it with sl_rcu_create()", what);
		return -EINVAL;
	}
	if (tid >= rcu->max_threads) {
		sl_rcu__bad_tid(rcu, tid, what);
		return -EINVAL;
	}
	return 0;
}

int sl_rcu_thread_register(struct sl_rcu *rcu, unsigned tid)
{
	struct sl_rcu_ctl *c;
	const uint64_t bit = 1ull << (tid % 64);
	int rc;

	if ((rc = check_tid(rcu, tid, "thread_register")) < 0)
		return rc;
	c = rcu->ctl;
	if (__atomic_fetch_or(&c->bitmap[tid / 64], bit, __ATOMIC_ACQ_REL) & bit) {
		SL_LOG(rcu, ERR,
		       "rcu '%s': tid %u is already registered; unregister it first or use "
		       "another tid",
		       rcu->name, tid);
		return -EEXIST;
	}
	/* Registered but offline (cnt 0) until the store below, which publishes these to a
	 * writer that reads cnt != 0 (acquire).  Registering does not claim the tid: a control
	 * thread may register its workers' tids. */
	__atomic_store_n(&c->who[tid].registrar, pthread_self(), __ATOMIC_RELAXED);
	ST_RLX(&c->who[tid].claimed, 0);
	ST_REL(&rcu->threads[tid].cnt, LD_RLX(&rcu->token));
	/* As in sl_rcu_thread_online(): cnt before this thread's later loads. */
	SL_RCU__FENCE(&rcu->threads[tid].cnt);
	return 0;
}

int sl_rcu_thread_unregister(struct sl_rcu *rcu, unsigned tid)
{
	struct sl_rcu_ctl *c;
	const uint64_t bit = 1ull << (tid % 64);
	int rc;

	if ((rc = check_tid(rcu, tid, "thread_unregister")) < 0)
		return rc;
	c = rcu->ctl;
	if (!(LD_ACQ(&c->bitmap[tid / 64]) & bit)) {
		SL_LOG(rcu, ERR,
		       "rcu '%s': tid %u is not registered; register it before "
		       "unregistering it",
		       rcu->name, tid);
		return -ENOENT;
	}
	/* Offline first (release: the thread's reads before happen before a writer sees 0). */
	ST_REL(&rcu->threads[tid].cnt, 0);
	ST_RLX(&c->who[tid].claimed, 0);
	__atomic_fetch_and(&c->bitmap[tid / 64], ~bit, __ATOMIC_RELEASE);
	return 0;
}

void sl_rcu__claim(struct sl_rcu *rcu, unsigned tid)
{
	struct tid_info *w = &rcu->ctl->who[tid];

	__atomic_store_n(&w->reporter, pthread_self(), __ATOMIC_RELAXED);
	ST_REL(&w->claimed, 1);
}

/* ---- grace periods ---- */

uint64_t sl_rcu_start(struct sl_rcu *rcu)
{
	uint64_t t = __atomic_add_fetch(&rcu->token, 1, __ATOMIC_SEQ_CST);

	/* The unlink and token stores before check()'s loads of cnt: (3) in sl_rcu.h.  On x86
	 * the locked add is that full barrier already (as Linux's smp_mb__after_atomic()):
	 * only the compiler must not hoist later loads above it.  An mfence on top cost ~15
	 * cycles per start (bench/rcu: 23 against DPDK's 6-10). */
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("" ::: "memory");
#else
	SL_RCU__FENCE(&rcu->token);
#endif
	return t;
}

/*
 * The newest grace period known to have passed: the oldest token an online registered
 * thread reported, capped by the token read at the start (grace periods started after
 * it are not covered by this scan).  The tids the caller claimed are first marked
 * quiescent at that token (see sl_rcu.h).  *blocker: the tid that reported the oldest.
 */
static uint64_t oldest_seen(struct sl_rcu *rcu, unsigned *blocker)
{
	const struct sl_rcu_ctl *c = rcu->ctl;
	const uint64_t now = LD_ACQ(&rcu->token);
	const pthread_t self = pthread_self();
	uint64_t low = now;

	for (uint32_t w = 0; w < c->words; w++) {
		for (uint64_t bits = LD_ACQ(&c->bitmap[w]); bits; bits &= bits - 1) {
			const unsigned tid = w * 64 + (unsigned)__builtin_ctzll(bits);
			const struct tid_info *who = &c->who[tid];
			uint64_t cnt = LD_ACQ(&rcu->threads[tid].cnt);

			if (cnt == 0)
				continue; /* offline */
			if (cnt < now && LD_ACQ(&who->claimed) &&
			    pthread_equal(__atomic_load_n(&who->reporter, __ATOMIC_RELAXED),
					  self)) {
				/* Our own slot: we are at a quiescent point. */
				ST_REL(&rcu->threads[tid].cnt, now);
				cnt = now;
			}
			if (cnt < low) {
				low = cnt;
				*blocker = tid;
			}
		}
	}
	return low;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One log line for a wait that has lasted long: a reader stuck online, or (after 100 ms
 * instead of 1 s) a tid this thread registered but did not claim, i.e. probably itself. */
static bool long_wait(struct sl_rcu *rcu, unsigned tid, uint64_t token, uint64_t waited_ns)
{
	const struct tid_info *who = &rcu->ctl->who[tid];
	const uint64_t cnt = LD_RLX(&rcu->threads[tid].cnt);
	const bool mine =
		!LD_RLX(&who->claimed) &&
		pthread_equal(__atomic_load_n(&who->registrar, __ATOMIC_RELAXED), pthread_self());

	if (mine && waited_ns >= LONG_WAIT_SELF_NS) {
		SL_LOG(rcu, WARNING,
		       "rcu '%s': waiting 100 ms for tid %u, which this thread registered (it "
		       "reported token %llu, the grace period is %llu); if this thread reports for "
		       "tid %u, call sl_rcu_thread_online(rcu, %u) from it once so that its own "
		       "waits count it as quiescent, or go offline before waiting",
		       rcu->name, tid, (unsigned long long)cnt, (unsigned long long)token, tid,
		       tid);
		return true;
	}
	if (waited_ns >= LONG_WAIT_NS) {
		SL_LOG(rcu, WARNING,
		       "rcu '%s': waiting 1 s for tid %u (it reported token %llu, the grace period "
		       "is %llu); a reader that blocks or sleeps must call sl_rcu_thread_offline() "
		       "first",
		       rcu->name, tid, (unsigned long long)cnt, (unsigned long long)token);
		return true;
	}
	return false;
}

bool sl_rcu_check(struct sl_rcu *rcu, uint64_t token, bool wait)
{
	struct sl_rcu_ctl *c;
	uint64_t since = 0;
	bool warned = false;

	if (sl_unlikely(rcu == NULL)) {
		SL_LOG(rcu, ERR, "rcu check: domain is NULL; create it with sl_rcu_create()");
		return false;
	}
	c = rcu->ctl;
	if (token <= LD_RLX(&c->done))
		return true;
	if (sl_unlikely(token > LD_RLX(&rcu->token))) {
		SL_LOG(rcu, ERR,
		       "rcu '%s' check: token %llu was never returned by sl_rcu_start() "
		       "(the newest is %llu); pass a token start() returned",
		       rcu->name, (unsigned long long)token,
		       (unsigned long long)LD_RLX(&rcu->token));
		return false;
	}
	for (unsigned spins = 0;; spins++) {
		unsigned blocker = 0;

		if (oldest_seen(rcu, &blocker) >= token)
			break;
		if (!wait)
			return false;
		/* A reader polling on another core reports within a loop: spin a little; then
		 * yield, so that a reader sharing this core (or descheduled) can run. */
		if (spins < SPIN_BEFORE_YIELD) {
			sl_pause();
			continue;
		}
		if (!warned) {
			if (since == 0)
				since = now_ns();
			else
				warned = long_wait(rcu, blocker, token, now_ns() - since);
		}
		sched_yield();
	}
	if (token > LD_RLX(&c->done))
		ST_RLX(&c->done, token);
	return true;
}

void sl_rcu_synchronize(struct sl_rcu *rcu)
{
	if (sl_unlikely(rcu == NULL)) {
		SL_LOG(rcu, ERR, "rcu synchronize: domain is NULL; create it with sl_rcu_create()");
		return;
	}
	sl_rcu_check(rcu, sl_rcu_start(rcu), true);
}

/* ---- deferred callbacks ---- */

/* Doubles the FIFO (FIFO_MIN entries at first), keeping the order.  0 or -ENOMEM. */
static int fifo_grow(struct sl_rcu *rcu)
{
	struct sl_rcu_ctl *c = rcu->ctl;
	uint32_t size = c->q_size ? c->q_size * 2 : FIFO_MIN;
	struct defer_item *q;

	if (size <= c->q_size || (q = malloc((size_t)size * sizeof(*q))) == NULL) {
		SL_LOG(rcu, ERR,
		       "rcu '%s' defer: cannot grow the callback FIFO from %u to %u entries (%zu "
		       "bytes); call sl_rcu_reclaim() more often or check that readers pass "
		       "quiescent points",
		       rcu->name, c->q_size, size, (size_t)size * sizeof(*q));
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < c->q_count; i++)
		q[i] = c->q[(c->q_head + i) & (c->q_size - 1)];
	free(c->q);
	c->q = q;
	c->q_head = 0;
	c->q_size = size;
	return 0;
}

int sl_rcu_defer(struct sl_rcu *rcu, void (*fn)(void *arg), void *arg)
{
	struct sl_rcu_ctl *c;
	int rc;

	if (rcu == NULL || fn == NULL) {
		SL_LOG(rcu, ERR, "rcu defer: %s is NULL; pass a domain and a callback",
		       rcu == NULL ? "domain" : "callback");
		return -EINVAL;
	}
	c = rcu->ctl;
	if (c->q_count == c->q_size && (rc = fifo_grow(rcu)) < 0)
		return rc;
	c->q[(c->q_head + c->q_count) & (c->q_size - 1)] =
		(struct defer_item){.fn = fn, .arg = arg, .token = sl_rcu_start(rcu)};
	c->q_count++;
	return 0;
}

unsigned sl_rcu_reclaim(struct sl_rcu *rcu)
{
	struct sl_rcu_ctl *c;
	uint64_t low;
	unsigned n = 0;

	if (rcu == NULL || rcu->ctl->q_count == 0)
		return 0;
	c = rcu->ctl;
	/* Every queued token was started before this scan, so token <= low means passed;
	 * callbacks deferred by callbacks get newer tokens and wait for the next call. */
	low = oldest_seen(rcu, &(unsigned){0});
	while (c->q_count > 0 && c->q[c->q_head].token <= low) {
		struct defer_item it = c->q[c->q_head];

		/* Dequeue first: the callback may defer more. */
		c->q_head = (c->q_head + 1) & (c->q_size - 1);
		c->q_count--;
		if (it.token > LD_RLX(&c->done))
			ST_RLX(&c->done, it.token);
		it.fn(it.arg);
		n++;
	}
	return n;
}

unsigned sl_rcu_pending(const struct sl_rcu *rcu)
{
	return rcu == NULL ? 0 : rcu->ctl->q_count;
}
