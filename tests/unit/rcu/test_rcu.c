/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QSBR domains: argument and registration errors (with their log lines), grace periods
 * against readers the test drives step by step (check false until every online reader
 * passed a quiescent point, offline and unregistered readers not waited for, a blocking
 * check released by a reader), a registered writer that synchronizes without waiting for
 * itself once it claimed its tid, a control thread that registered a worker's tid still
 * waiting for the worker, deferred callbacks (order, counts, growth, callbacks that
 * defer), and a two-thread stress test: a reader follows a published pointer while the
 * writer swaps it and frees the old object through sl_rcu_defer().  The objects come from
 * malloc, so an AddressSanitizer build (-Db_sanitize=address) reports any use after free;
 * the poison written before the free catches it in other builds while the memory is not
 * reused.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "log_capture.h"
#include "rcu_reader.h"
#include "sl_rcu.h"

static struct log_capture logs;

static int setup_logs(void **state)
{
	(void)state;
	log_capture_start(&logs);
	return 0;
}

static int teardown_logs(void **state)
{
	(void)state;
	log_capture_stop();
	return 0;
}

/* Fails unless a log line since the last call has both a and b (b may be NULL). */
static void expect_log(const char *a, const char *b)
{
	if (!log_capture_has(&logs, a, b))
		fail_msg("expected an rcu log line with '%s' and '%s'; got:\n%s", a, b ? b : "",
			 logs.text);
	log_capture_start(&logs);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct sl_rcu *make(const char *name, unsigned max_threads)
{
	struct sl_rcu *rcu = sl_rcu_create(name, max_threads);

	if (rcu == NULL)
		fail_msg("sl_rcu_create(%s, %u): %s", name, max_threads, strerror(errno));
	return rcu;
}

/* ---- errors ---- */

static void test_create_errors(void **state)
{
	(void)state;
	errno = 0;
	assert_null(sl_rcu_create(NULL, 4));
	assert_int_equal(errno, EINVAL);
	expect_log("rcu name is NULL", "1 to 31 characters");
	assert_null(sl_rcu_create("", 4));
	expect_log("rcu name is empty", NULL);
	errno = 0;
	assert_null(sl_rcu_create("a_name_that_is_far_too_long_for_rcu", 4));
	assert_int_equal(errno, ENAMETOOLONG);
	expect_log("is 35 characters long", "use at most 31");
	errno = 0;
	assert_null(sl_rcu_create("r", 0));
	assert_int_equal(errno, EINVAL);
	expect_log("max_threads 0 is out of range", "use 1 to 1024");
	assert_null(sl_rcu_create("r", SL_RCU_MAX_THREADS + 1));
	expect_log("max_threads 1025", "use 1 to 1024");
	sl_rcu_free(NULL);
}

static void test_register_errors(void **state)
{
	struct sl_rcu *rcu = make("reg", 70);

	(void)state;
	assert_int_equal(sl_rcu_thread_register(rcu, 70), -EINVAL);
	expect_log("rcu 'reg' thread_register: tid 70 is out of range", "use 0 to 69");
	assert_int_equal(sl_rcu_thread_unregister(rcu, 1000), -EINVAL);
	expect_log("tid 1000 is out of range", "thread_unregister");
	assert_int_equal(sl_rcu_thread_register(NULL, 0), -EINVAL);
	expect_log("domain is NULL", NULL);
	assert_int_equal(sl_rcu_thread_unregister(rcu, 3), -ENOENT);
	expect_log("tid 3 is not registered", NULL);

	assert_int_equal(sl_rcu_thread_register(rcu, 3), 0);
	assert_int_equal(sl_rcu_thread_register(rcu, 69), 0); /* second bitmap word */
	assert_int_equal(sl_rcu_thread_register(rcu, 3), -EEXIST);
	expect_log("tid 3 is already registered", "unregister it first");
	assert_int_equal(sl_rcu_thread_unregister(rcu, 3), 0);
	assert_int_equal(sl_rcu_thread_unregister(rcu, 3), -ENOENT);
	expect_log("tid 3 is not registered", NULL);
	assert_int_equal(sl_rcu_thread_register(rcu, 3), 0); /* again after unregister */
	assert_int_equal(sl_rcu_thread_unregister(rcu, 3), 0);
	assert_int_equal(sl_rcu_thread_unregister(rcu, 69), 0);

	/* Tokens: 0 has always passed; one never started is an error, not a wait. */
	assert_true(sl_rcu_check(rcu, 0, false));
	assert_false(sl_rcu_check(rcu, 1000, true));
	expect_log("token 1000 was never returned", "pass a token start() returned");
	assert_int_equal(sl_rcu_defer(rcu, NULL, NULL), -EINVAL);
	expect_log("callback is NULL", NULL);
	assert_int_equal(sl_rcu_pending(NULL), 0);
	assert_int_equal(sl_rcu_reclaim(NULL), 0);
	sl_rcu_free(rcu);
}

/* ---- grace periods ---- */

static void test_check(void **state)
{
	struct sl_rcu *rcu = make("check", 8);
	struct rcu_reader a, b;
	uint64_t t;

	(void)state;
	/* No reader: every grace period passes at once. */
	t = sl_rcu_start(rcu);
	assert_true(t > 1);
	assert_true(sl_rcu_check(rcu, t, false));

	assert_int_equal(rcu_reader_start(&a, rcu, 2), 0);
	assert_int_equal(rcu_reader_start(&b, rcu, 5), 0);
	t = sl_rcu_start(rcu);
	assert_false(sl_rcu_check(rcu, t, false));
	rcu_reader_do(&a, RR_QUIESCENT);
	assert_false(sl_rcu_check(rcu, t, false)); /* b has not passed one yet */
	rcu_reader_do(&b, RR_QUIESCENT);
	assert_true(sl_rcu_check(rcu, t, false));
	assert_true(sl_rcu_check(rcu, t, false)); /* stays true */
	assert_true(sl_rcu_check(rcu, t - 1, false));

	/* A quiescent point before start() does not count for it. */
	rcu_reader_do(&a, RR_QUIESCENT);
	rcu_reader_do(&b, RR_QUIESCENT);
	t = sl_rcu_start(rcu);
	assert_false(sl_rcu_check(rcu, t, false));

	/* Offline readers are not waited for; online ones are again. */
	rcu_reader_do(&a, RR_OFFLINE);
	assert_false(sl_rcu_check(rcu, t, false));
	rcu_reader_do(&b, RR_OFFLINE);
	assert_true(sl_rcu_check(rcu, t, false));
	rcu_reader_do(&a, RR_ONLINE);
	t = sl_rcu_start(rcu);
	assert_false(sl_rcu_check(rcu, t, false));
	rcu_reader_do(&a, RR_QUIESCENT);
	assert_true(sl_rcu_check(rcu, t, false)); /* b is still offline */

	/* An unregistered reader is not waited for either. */
	rcu_reader_do(&b, RR_ONLINE);
	t = sl_rcu_start(rcu);
	assert_false(sl_rcu_check(rcu, t, false));
	assert_int_equal(rcu_reader_do(&b, RR_UNREGISTER), 0);
	rcu_reader_do(&a, RR_QUIESCENT);
	assert_true(sl_rcu_check(rcu, t, false));

	/* check(wait) returns once the reader passes its quiescent point, not before. */
	t = sl_rcu_start(rcu);
	rcu_reader_post(&a, RR_QUIESCENT, 20000);
	assert_true(sl_rcu_check(rcu, t, true));
	assert_int_equal(__atomic_load_n(&a.armed, __ATOMIC_SEQ_CST), 1);
	rcu_reader_join(&a);
	/* synchronize() likewise. */
	rcu_reader_post(&a, RR_QUIESCENT, 20000);
	sl_rcu_synchronize(rcu);
	assert_int_equal(__atomic_load_n(&a.armed, __ATOMIC_SEQ_CST), 1);
	rcu_reader_join(&a);

	rcu_reader_stop(&a, true);
	rcu_reader_stop(&b, false);
	sl_rcu_free(rcu);
}

/* Unregisters a tid from another thread after a delay (what ends a wait for oneself). */
struct late_unregister {
	struct sl_rcu *rcu;
	unsigned tid;
	unsigned delay_ms;
};

static void *late_unregister_main(void *arg)
{
	const struct late_unregister *u = arg;
	struct timespec ts = {.tv_sec = u->delay_ms / 1000,
			      .tv_nsec = (long)(u->delay_ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
	sl_rcu_thread_unregister(u->rcu, u->tid);
	return NULL;
}

/*
 * A registered thread that also writes: once it claimed its tid (sl_rcu_thread_online()),
 * its own waits count it as quiescent (the documented choice) but still wait for the other
 * readers.  Registering alone claims nothing: a control thread that registered a worker's
 * tid waits for that worker; a thread that waits for a tid it registered but did not
 * claim (itself, probably) is told so in the log.
 */
static void test_self(void **state)
{
	struct sl_rcu *rcu = make("self", 4);
	struct late_unregister u = {.rcu = rcu, .tid = 0, .delay_ms = 250};
	struct rcu_reader r, w;
	pthread_t th;
	uint64_t t, t0;

	(void)state;
	/* Registered, not claimed: not counted as quiescent, and a wait says why it hangs. */
	assert_int_equal(sl_rcu_thread_register(rcu, 0), 0);
	t = sl_rcu_start(rcu);
	assert_false(sl_rcu_check(rcu, t, false));
	assert_int_equal(pthread_create(&th, NULL, late_unregister_main, &u), 0);
	assert_true(sl_rcu_check(rcu, t, true)); /* ends when tid 0 is unregistered */
	pthread_join(th, NULL);
	expect_log("rcu 'self': waiting 100 ms for tid 0, which this thread registered",
		   "call sl_rcu_thread_online(rcu, 0) from it once");

	/* Claimed: synchronize() does not wait for itself. */
	assert_int_equal(sl_rcu_thread_register(rcu, 0), 0);
	sl_rcu_thread_online(rcu, 0);
	t0 = now_ns();
	sl_rcu_synchronize(rcu);
	assert_true(now_ns() - t0 < 1000000000ull);
	t = sl_rcu_start(rcu);
	assert_true(sl_rcu_check(rcu, t, false));
	assert_int_equal(rcu->threads[0].cnt, t); /* marked quiescent on its behalf */

	/* ...but waits for another reader, which claimed its own tid. */
	assert_int_equal(rcu_reader_start(&r, rcu, 1), 0);
	rcu_reader_do(&r, RR_ONLINE);
	t = sl_rcu_start(rcu);
	assert_false(sl_rcu_check(rcu, t, false));
	rcu_reader_post(&r, RR_QUIESCENT, 20000);
	sl_rcu_synchronize(rcu);
	assert_int_equal(__atomic_load_n(&r.armed, __ATOMIC_SEQ_CST), 1);
	rcu_reader_join(&r);
	assert_true(sl_rcu_check(rcu, t, false));

	/* A control thread registers a worker's tid (this thread, tid 2) and still waits for
	 * the worker (r is offline meanwhile). */
	rcu_reader_do(&r, RR_OFFLINE);
	assert_int_equal(sl_rcu_thread_register(rcu, 2), 0);
	assert_int_equal(rcu_reader_spawn(&w, rcu, 2), 0);
	t = sl_rcu_start(rcu);
	assert_false(sl_rcu_check(rcu, t, false));
	rcu_reader_post(&w, RR_QUIESCENT, 20000);
	sl_rcu_synchronize(rcu);
	assert_int_equal(__atomic_load_n(&w.armed, __ATOMIC_SEQ_CST), 1);
	rcu_reader_join(&w);
	rcu_reader_stop(&w, true);

	/* Offline, the thread is not waited for either way. */
	sl_rcu_thread_offline(rcu, 0);
	assert_int_equal(rcu->threads[0].cnt, 0);
	sl_rcu_synchronize(rcu);
	assert_int_equal(rcu->threads[0].cnt, 0); /* an offline slot stays offline */
	sl_rcu_thread_online(rcu, 0);
	assert_int_equal(rcu->threads[0].cnt, rcu->token);
	assert_int_equal(sl_rcu_thread_unregister(rcu, 0), 0);
	rcu_reader_stop(&r, true);
	sl_rcu_free(rcu);
}

/* ---- deferred callbacks ---- */

struct order {
	unsigned n;
	unsigned seen[2048];
};

static struct order ord;

static void note(void *arg)
{
	if (ord.n < SL_ARRAY_SIZE(ord.seen))
		ord.seen[ord.n] = (unsigned)(uintptr_t)arg;
	ord.n++;
}

static struct sl_rcu *chain_rcu;

/* A callback that defers another one. */
static void note_and_defer(void *arg)
{
	note(arg);
	assert_int_equal(sl_rcu_defer(chain_rcu, note, (void *)(uintptr_t)999), 0);
}

static void test_defer(void **state)
{
	struct sl_rcu *rcu = make("defer", 4);
	struct rcu_reader r;

	(void)state;
	memset(&ord, 0, sizeof(ord));
	/* No reader: everything deferred runs at the next reclaim, oldest first. */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)i), 0);
	assert_int_equal(sl_rcu_pending(rcu), 3);
	assert_int_equal(sl_rcu_reclaim(rcu), 3);
	assert_int_equal(sl_rcu_pending(rcu), 0);
	assert_int_equal(ord.n, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(ord.seen[i], i);
	assert_int_equal(sl_rcu_reclaim(rcu), 0);

	/* With a reader: only what was deferred before its quiescent point runs. */
	memset(&ord, 0, sizeof(ord));
	assert_int_equal(rcu_reader_start(&r, rcu, 1), 0);
	assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)10), 0);
	assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)11), 0);
	assert_int_equal(sl_rcu_reclaim(rcu), 0);
	assert_int_equal(sl_rcu_pending(rcu), 2);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)12), 0);
	assert_int_equal(sl_rcu_reclaim(rcu), 2);
	assert_int_equal(sl_rcu_pending(rcu), 1);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_rcu_reclaim(rcu), 1);
	assert_int_equal(ord.n, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(ord.seen[i], 10 + i);

	/* Growth: 2000 entries (the FIFO starts at 64, doubles while wrapped), in order. */
	memset(&ord, 0, sizeof(ord));
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)i), 0);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_rcu_reclaim(rcu), 40); /* the head moves: later growth wraps */
	memset(&ord, 0, sizeof(ord));
	for (unsigned i = 0; i < 2000; i++)
		assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)i), 0);
	assert_int_equal(sl_rcu_pending(rcu), 2000);
	assert_int_equal(sl_rcu_reclaim(rcu), 0);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_rcu_reclaim(rcu), 2000);
	for (unsigned i = 0; i < 2000; i++)
		if (ord.seen[i] != i)
			fail_msg("callback %u ran as number %u", ord.seen[i], i);

	/* A callback that defers: the new one waits for a grace period of its own. */
	memset(&ord, 0, sizeof(ord));
	chain_rcu = rcu;
	assert_int_equal(sl_rcu_defer(rcu, note_and_defer, (void *)(uintptr_t)7), 0);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_rcu_reclaim(rcu), 1);
	assert_int_equal(sl_rcu_pending(rcu), 1);
	assert_int_equal(sl_rcu_reclaim(rcu), 0);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_rcu_reclaim(rcu), 1);
	assert_int_equal(ord.n, 2);
	assert_int_equal(ord.seen[1], 999);

	/* Freeing the domain runs what is pending (once readers are gone). */
	memset(&ord, 0, sizeof(ord));
	assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)5), 0);
	assert_int_equal(sl_rcu_defer(rcu, note, (void *)(uintptr_t)6), 0);
	rcu_reader_stop(&r, true);
	sl_rcu_free(rcu);
	assert_int_equal(ord.n, 2);
	assert_int_equal(ord.seen[0], 5);
	assert_int_equal(ord.seen[1], 6);
}

static void test_free_warns(void **state)
{
	struct sl_rcu *rcu = make("leak", 4);

	(void)state;
	assert_int_equal(sl_rcu_thread_register(rcu, 2), 0);
	sl_rcu_free(rcu);
	expect_log("rcu 'leak' freed with 1 threads registered", "unregister them first");
}

/* ---- stress: a reader follows a pointer the writer swaps and frees through defer ---- */

#define MAGIC 0x5eed5eed5eed5eedull
#define POISON 0xdeaddeaddeaddeadull
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STRESS_NS 300000000ull
#else
#define STRESS_NS 500000000ull
#endif

struct obj {
	uint64_t magic;
	uint64_t gen;
	uint64_t check; /* ~gen */
	uint64_t pad[5];
};

struct stress {
	struct sl_rcu *rcu;
	struct obj *shared; /* (writer) atomic: the published object */
	int stop;	    /* (writer) atomic */
	uint64_t reads;	    /* (reader) */
	uint64_t bad;	    /* (reader) objects seen freed or torn */
	uint64_t newest;    /* (reader) highest generation seen */
	uint64_t freed;	    /* (writer) objects freed by callbacks */
};

static struct stress st;

static void free_obj(void *arg)
{
	struct obj *o = arg;

	o->magic = POISON;
	o->check = POISON;
	st.freed++;
	free(o);
}

static void *stress_reader(void *arg)
{
	(void)arg;
	if (sl_rcu_thread_register(st.rcu, 0) != 0)
		return NULL;
	for (uint64_t loop = 1; !__atomic_load_n(&st.stop, __ATOMIC_RELAXED); loop++) {
		/* One poll loop: a burst of lookups, then the quiescent point. */
		for (unsigned k = 0; k < 32; k++) {
			const struct obj *o = __atomic_load_n(&st.shared, __ATOMIC_ACQUIRE);
			uint64_t g = o->gen;

			if (o->magic != MAGIC || o->check != ~g)
				st.bad++;
			if (g > st.newest)
				st.newest = g;
			st.reads++;
		}
		sl_rcu_quiescent(st.rcu, 0);
		/* Now and then idle: offline, yield, online (the path with the fence). */
		if (loop % 1024 == 0) {
			sl_rcu_thread_offline(st.rcu, 0);
			sched_yield();
			sl_rcu_thread_online(st.rcu, 0);
		}
	}
	sl_rcu_thread_unregister(st.rcu, 0);
	return NULL;
}

static struct obj *new_obj(uint64_t gen)
{
	struct obj *o = malloc(sizeof(*o));

	assert_non_null(o);
	*o = (struct obj){.magic = MAGIC, .gen = gen, .check = ~gen};
	return o;
}

static void test_stress(void **state)
{
	pthread_t th;
	uint64_t t0, swaps = 0, max_pending = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.rcu = make("stress", 2);
	st.shared = new_obj(0);
	assert_int_equal(pthread_create(&th, NULL, stress_reader, NULL), 0);
	t0 = now_ns();
	while (now_ns() - t0 < STRESS_NS) {
		struct obj *old =
			__atomic_exchange_n(&st.shared, new_obj(swaps + 1), __ATOMIC_ACQ_REL);

		assert_int_equal(sl_rcu_defer(st.rcu, free_obj, old), 0);
		swaps++;
		sl_rcu_reclaim(st.rcu);
		if (sl_rcu_pending(st.rcu) > max_pending)
			max_pending = sl_rcu_pending(st.rcu);
		/* Keep memory bounded when the reader is descheduled for long. */
		if (sl_rcu_pending(st.rcu) >= 4096)
			sl_rcu_synchronize(st.rcu);
	}
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	/* The reader is gone: everything pending can run now. */
	sl_rcu_reclaim(st.rcu);
	assert_int_equal(st.freed, swaps);
	assert_int_equal(sl_rcu_pending(st.rcu), 0);
	print_message("stress: %llu swaps, %llu reads (newest generation seen %llu), at most %llu "
		      "callbacks pending, %llu bad reads\n",
		      (unsigned long long)swaps, (unsigned long long)st.reads,
		      (unsigned long long)st.newest, (unsigned long long)max_pending,
		      (unsigned long long)st.bad);
	assert_int_equal(st.bad, 0);
	assert_true(swaps > 0 && st.reads > 0);
	free(st.shared);
	sl_rcu_free(st.rcu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_errors, setup_logs, teardown_logs),
		cmocka_unit_test_setup_teardown(test_register_errors, setup_logs, teardown_logs),
		cmocka_unit_test(test_check),
		cmocka_unit_test_setup_teardown(test_self, setup_logs, teardown_logs),
		cmocka_unit_test(test_defer),
		cmocka_unit_test_setup_teardown(test_free_warns, setup_logs, teardown_logs),
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests_name("rcu", tests, NULL, NULL);
}
