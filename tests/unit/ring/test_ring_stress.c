/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-thread stress: producers tag every object with (producer id, sequence number);
 * consumers check that each producer's sequence numbers arrive in increasing order and
 * mark them in a shared bitmap (a second mark is a duplicate); at the end every bit must
 * be set exactly once.  Threads back off with sl_pause() and then sched_yield(), so the
 * test also passes on 2 cores with 4 threads.
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

#include <cmocka.h>

#include "sl_memory.h"
#include "sl_ring.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

/* Objects per producer: 2 producers move 2M objects (200k under ThreadSanitizer). */
#ifdef UNDER_TSAN
#define PER_PRODUCER 100000u
#else
#define PER_PRODUCER 1000000u
#endif

#define MAX_THREADS 4
#define MAX_BURST 32

/* API_PTR_MPMC: explicit mp/mc calls on a ring created single-producer/consumer. */
enum api { API_PTR, API_PTR_MPMC, API_ELEM16 };

struct stress {
	struct sl_ring *r;
	enum api api;
	unsigned nb_prod, nb_cons;
	uint32_t per_prod;
	uint64_t *seen[MAX_THREADS]; /* bitmap per producer, set by consumers */
	uint64_t consumed;	     /* objects dequeued so far, all consumers */
	uint64_t errors;	     /* order, duplicate or integrity failures */
	uint64_t consumed_by[MAX_THREADS]; /* each consumer writes its own, at exit */
	char first_error[160];
};

struct worker {
	struct stress *s;
	unsigned id;
};

/* An object: pointer rings carry id << 32 | seq; 16-byte rings add a checksum word. */
struct obj16 {
	uint64_t tag;
	uint64_t check;
};

#define CHECK_OF(tag) ((tag)*0x9e3779b97f4a7c15ull ^ 0x5555aaaa5555aaaaull)

/* Counts an error; the first one's text is kept for the failure message. */
__attribute__((format(printf, 2, 3))) static void report(struct stress *s, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(s->first_error, sizeof(s->first_error), fmt, ap);
	va_end(ap);
}

static void backoff(unsigned *spins)
{
	if (++*spins < 64) {
		sl_pause();
	} else {
		*spins = 0;
		sched_yield();
	}
}

/* Cheap per-thread pseudo-random burst sizes (1..MAX_BURST). */
static unsigned next_size(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return 1 + *x % MAX_BURST;
}

static void *producer(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	void *ptrs[MAX_BURST];
	struct obj16 objs[MAX_BURST];
	uint32_t seq = 0, rnd = 0x12345u + w->id;
	unsigned spins = 0;

	while (seq < s->per_prod) {
		unsigned want = next_size(&rnd), m; /* SL_MIN evaluates twice */
		unsigned n = SL_MIN(want, s->per_prod - seq);
		bool bulk = rnd & 64;

		for (unsigned i = 0; i < n; i++) {
			uint64_t tag = (uint64_t)w->id << 32 | (seq + i);
			ptrs[i] = (void *)(uintptr_t)tag;
			objs[i].tag = tag;
			objs[i].check = CHECK_OF(tag);
		}
		if (s->api == API_PTR)
			m = bulk ? sl_ring_enqueue_bulk(s->r, ptrs, n, NULL)
				 : sl_ring_enqueue_burst(s->r, ptrs, n, NULL);
		else if (s->api == API_PTR_MPMC)
			m = bulk ? sl_ring_mp_enqueue_bulk(s->r, ptrs, n, NULL)
				 : sl_ring_mp_enqueue_burst(s->r, ptrs, n, NULL);
		else
			m = bulk ? sl_ring_enqueue_bulk_elem(s->r, objs, 16, n, NULL)
				 : sl_ring_enqueue_burst_elem(s->r, objs, 16, n, NULL);
		if (bulk && m != 0 && m != n)
			report(s, "bulk enqueue of %u moved %u", n, m);
		seq += m;
		if (m == 0)
			backoff(&spins);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	const uint64_t total = (uint64_t)s->nb_prod * s->per_prod;
	int64_t last[MAX_THREADS];
	void *ptrs[MAX_BURST];
	struct obj16 objs[MAX_BURST];
	uint32_t rnd = 0x9876u + w->id;
	unsigned spins = 0;
	uint64_t mine = 0;

	for (unsigned p = 0; p < MAX_THREADS; p++)
		last[p] = -1;
	while (__atomic_load_n(&s->consumed, __ATOMIC_RELAXED) < total) {
		unsigned n = next_size(&rnd), m;
		bool bulk = rnd & 64;

		if (s->api == API_PTR)
			m = bulk ? sl_ring_dequeue_bulk(s->r, ptrs, n, NULL)
				 : sl_ring_dequeue_burst(s->r, ptrs, n, NULL);
		else if (s->api == API_PTR_MPMC)
			m = bulk ? sl_ring_mc_dequeue_bulk(s->r, ptrs, n, NULL)
				 : sl_ring_mc_dequeue_burst(s->r, ptrs, n, NULL);
		else
			m = bulk ? sl_ring_dequeue_bulk_elem(s->r, objs, 16, n, NULL)
				 : sl_ring_dequeue_burst_elem(s->r, objs, 16, n, NULL);
		if (bulk && m != 0 && m != n)
			report(s, "bulk dequeue of %u moved %u", n, m);
		if (m == 0) {
			backoff(&spins);
			continue;
		}
		for (unsigned i = 0; i < m; i++) {
			uint64_t tag =
			    s->api != API_ELEM16 ? (uint64_t)(uintptr_t)ptrs[i] : objs[i].tag;
			unsigned p = tag >> 32;
			uint32_t seq = (uint32_t)tag;

			if (s->api == API_ELEM16 && objs[i].check != CHECK_OF(tag)) {
				report(s, "torn 16-byte object tag %llx check %llx",
				       (unsigned long long)tag, (unsigned long long)objs[i].check);
				continue;
			}
			if (p >= s->nb_prod || seq >= s->per_prod) {
				report(s, "garbage object producer %u seq %u", p, seq);
				continue;
			}
			if ((int64_t)seq <= last[p])
				report(s, "producer %u: seq %u arrived out of order", p, seq);
			last[p] = seq;
			uint64_t bit = 1ull << (seq % 64);
			if (__atomic_fetch_or(&s->seen[p][seq / 64], bit, __ATOMIC_RELAXED) & bit)
				report(s, "producer %u: seq %u arrived twice", p, seq);
		}
		mine += m;
		__atomic_fetch_add(&s->consumed, m, __ATOMIC_RELAXED);
	}
	s->consumed_by[w->id] = mine;
	return NULL;
}

static void run(const char *name, enum api api, unsigned count, unsigned flags, unsigned nb_prod,
		unsigned nb_cons)
{
	struct stress s = {
		.api = api,
		.nb_prod = nb_prod,
		.nb_cons = nb_cons,
		.per_prod = PER_PRODUCER,
	};
	struct worker wp[MAX_THREADS], wc[MAX_THREADS];
	pthread_t tp[MAX_THREADS], tc[MAX_THREADS];
	const size_t words = (PER_PRODUCER + 63) / 64;
	uint64_t sum = 0;

	if (api != API_ELEM16)
		s.r = sl_ring_create(name, count, SL_NODE_ANY, flags);
	else
		s.r = sl_ring_create_elem(name, 16, count, SL_NODE_ANY, flags);
	assert_non_null(s.r);
	for (unsigned p = 0; p < nb_prod; p++) {
		s.seen[p] = calloc(words, sizeof(uint64_t));
		assert_non_null(s.seen[p]);
	}
	for (unsigned c = 0; c < nb_cons; c++) {
		wc[c] = (struct worker){.s = &s, .id = c};
		assert_int_equal(pthread_create(&tc[c], NULL, consumer, &wc[c]), 0);
	}
	for (unsigned p = 0; p < nb_prod; p++) {
		wp[p] = (struct worker){.s = &s, .id = p};
		assert_int_equal(pthread_create(&tp[p], NULL, producer, &wp[p]), 0);
	}
	for (unsigned p = 0; p < nb_prod; p++)
		pthread_join(tp[p], NULL);
	for (unsigned c = 0; c < nb_cons; c++)
		pthread_join(tc[c], NULL);

	if (s.errors)
		fail_msg("%s: %llu errors, first: %s", name, (unsigned long long)s.errors,
			 s.first_error);
	/* Exactly once: every bit set (no loss) and no duplicate reported above. */
	for (unsigned p = 0; p < nb_prod; p++) {
		for (size_t i = 0; i < words; i++) {
			uint64_t want = i + 1 < words || PER_PRODUCER % 64 == 0
					    ? UINT64_MAX
					    : (1ull << (PER_PRODUCER % 64)) - 1;
			if (s.seen[p][i] != want)
				fail_msg("%s: producer %u lost objects in word %zu", name, p, i);
		}
		free(s.seen[p]);
	}
	for (unsigned c = 0; c < nb_cons; c++)
		sum += s.consumed_by[c];
	assert_int_equal(sum, (uint64_t)nb_prod * PER_PRODUCER);
	assert_true(sl_ring_empty(s.r));
	sl_ring_free(s.r);
}

static void test_mpmc_ptr(void **state)
{
	(void)state;
	run("st_mpmc", API_PTR, 1024, 0, 2, 2);
}

/* Small ring: full and empty often, so producers and consumers collide more. */
static void test_mpmc_ptr_explicit(void **state)
{
	(void)state;
	run("st_mpmc_x", API_PTR_MPMC, 64, SL_RING_SP_ENQ | SL_RING_SC_DEQ, 2, 2);
}

static void test_spsc_ptr(void **state)
{
	(void)state;
	run("st_spsc", API_PTR, 256, SL_RING_SP_ENQ | SL_RING_SC_DEQ, 1, 1);
}

static void test_mpmc_elem16(void **state)
{
	(void)state;
	run("st_mpmc16", API_ELEM16, 512, 0, 2, 2);
}

static void test_spsc_elem16(void **state)
{
	(void)state;
	run("st_spsc16", API_ELEM16, 64, SL_RING_SP_ENQ | SL_RING_SC_DEQ, 1, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpmc_ptr),
		cmocka_unit_test(test_mpmc_ptr_explicit),
		cmocka_unit_test(test_spsc_ptr),
		cmocka_unit_test(test_mpmc_elem16),
		cmocka_unit_test(test_spsc_elem16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
