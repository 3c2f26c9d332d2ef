/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One writer, two lock-free readers, and a 4 M entry table.
 *
 * Concurrency: the writer keeps a 32 K entry table about 93 % full by adding and deleting
 * "churn" keys, so nearly every add displaces entries and deleted key slots are recycled
 * at once.  Meanwhile two readers look up (single and bulk):
 *   - stable keys, added before the threads start and never deleted: must always be
 *     found, at the position add returned, with their value;
 *   - absent keys, never added: must never be found;
 *   - churn keys: may or may not be found, but a hit must carry that key's own value
 *     (a recycled slot must never hand out another key's value).
 * A second run swaps 8 churn keys in and out so lookups overlap key slot recycling.
 * Runs about 2.5 s in all (0.8 s under ThreadSanitizer, which CI also runs it under).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "hash_priv.h" /* white box: the change counter proves displacements happened */
#include "sl_hash.h"
#include "sl_memory.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

#ifdef UNDER_TSAN
#define RUN_NS 800000000ull
#define BIG_ENTRIES (1u << 19)
#else
#define RUN_NS 2500000000ull
#define BIG_ENTRIES (1u << 22)
#endif

#define ENTRIES (1u << 15)
#define KEY_LEN 16
#define STABLE 2048u
#define ABSENT 2048u
#define CHURN 40000u
#define TARGET (ENTRIES * 93 / 100)
#define NB_READERS 2

/* Key id -> key: distinct for distinct ids (the id is in the first word). */
static void make_key(uint8_t key[KEY_LEN], uint64_t id)
{
	uint64_t w0 = id, w1 = (id + 1) * 0x9e3779b97f4a7c15ull;

	memcpy(key, &w0, 8);
	memcpy(key + 8, &w1, 8);
}

/* Id ranges: stable [0, STABLE), absent [STABLE, +ABSENT), churn after. */
#define ABSENT0 STABLE
#define CHURN0 (STABLE + ABSENT)

static uint64_t value_of(uint64_t id)
{
	return id * 0xff51afd7ed558ccdull ^ 0x5555;
}

struct shared {
	struct sl_hash *h;
	uint32_t churn;	   /* churn keys in play */
	uint32_t target;   /* keys the writer keeps in the table */
	int32_t stable_pos[STABLE];
	uint32_t ready;	   /* set by the writer once the table is at target */
	uint32_t stop;	   /* set by the main thread */
	uint64_t errors;   /* any thread */
	uint64_t lookups;  /* summed by readers at exit */
	uint64_t churn_hits;
	uint64_t writes;
	char first_error[200];
};

static void report(struct shared *s, const char *what, uint64_t id, int32_t pos, uint64_t v)
{
	if (__atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED) == 0)
		snprintf(s->first_error, sizeof(s->first_error),
			 "%s: key id %llu pos %d value 0x%llx", what, (unsigned long long)id,
			 pos, (unsigned long long)v);
}

static uint64_t xs(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void check(struct shared *s, uint64_t id, int32_t pos, uint64_t v)
{
	if (id < STABLE) {
		if (pos != s->stable_pos[id] || v != value_of(id))
			report(s, "stable key lost or wrong", id, pos, v);
	} else if (id < CHURN0) {
		if (pos != -ENOENT)
			report(s, "absent key found", id, pos, v);
	} else if (pos >= 0 && (v != value_of(id) || pos >= (int32_t)ENTRIES)) {
		report(s, "churn key with a wrong value", id, pos, v);
	}
}

static void *reader(void *arg)
{
	struct shared *s = arg;
	uint64_t st = 0x1234567 + (uintptr_t)&st, n = 0, churn_hits = 0;
	uint8_t keys[32][KEY_LEN];
	const void *kp[32];
	uint64_t ids[32], vals[32], hit;
	int32_t pos[32];

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		for (unsigned i = 0; i < 32; i++) {
			uint64_t r = xs(&st);

			/* 1/3 stable, 1/6 absent, 1/2 churn */
			switch (r % 6) {
			case 0:
			case 1: ids[i] = (r >> 8) % STABLE; break;
			case 2: ids[i] = ABSENT0 + (r >> 8) % ABSENT; break;
			default: ids[i] = CHURN0 + (r >> 8) % s->churn; break;
			}
			make_key(keys[i], ids[i]);
			kp[i] = keys[i];
		}
		if (n % 2 == 0) {
			for (unsigned i = 0; i < 32; i++) {
				uint64_t v = 0;
				int32_t p = sl_hash_lookup(s->h, keys[i], &v);

				check(s, ids[i], p, v);
				churn_hits += ids[i] >= CHURN0 && p >= 0;
			}
		} else {
			int nb = sl_hash_lookup_bulk(s->h, kp, 32, &hit, vals, pos);

			if (nb != __builtin_popcountll(hit))
				report(s, "bulk count differs from the mask", 0, nb, hit);
			for (unsigned i = 0; i < 32; i++) {
				bool found = (hit >> i) & 1;

				if (found != (pos[i] >= 0))
					report(s, "bulk mask differs from positions", ids[i],
					       pos[i], hit);
				check(s, ids[i], pos[i], found ? vals[i] : 0);
				churn_hits += ids[i] >= CHURN0 && found;
			}
		}
		n += 32;
	}
	__atomic_fetch_add(&s->lookups, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->churn_hits, churn_hits, __ATOMIC_RELAXED);
	return NULL;
}

/* Keeps the table near TARGET keys: adds below it, deletes above it. */
static void *writer(void *arg)
{
	struct shared *s = arg;
	uint32_t *live = malloc(CHURN * sizeof(*live)), nb_live = 0;
	uint8_t *in = calloc(CHURN, 1);
	uint64_t st = 0xabcdef12345ull, writes = 0;
	uint8_t key[KEY_LEN];

	if (live == NULL || in == NULL) {
		report(s, "writer out of memory", 0, 0, 0);
		goto out;
	}
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		uint64_t r = xs(&st);

		if (STABLE + nb_live < s->target && (r & 7) != 0) {
			uint32_t c = (uint32_t)((r >> 8) % s->churn);
			int32_t p;

			if (in[c])
				continue;
			make_key(key, CHURN0 + c);
			p = sl_hash_add(s->h, key, value_of(CHURN0 + c));
			if (p == -ENOSPC)
				continue;
			if (p < 0) {
				report(s, "writer add failed", CHURN0 + c, p, 0);
				break;
			}
			in[c] = 1;
			live[nb_live++] = c;
		} else if (nb_live > 0) {
			uint32_t j = (uint32_t)((r >> 8) % nb_live), c = live[j];
			int32_t p;

			make_key(key, CHURN0 + c);
			p = sl_hash_delete(s->h, key);
			if (p < 0) {
				report(s, "writer delete failed", CHURN0 + c, p, 0);
				break;
			}
			in[c] = 0;
			live[j] = live[--nb_live];
		}
		writes++;
		if (!s->ready && STABLE + nb_live >= s->target)
			__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
		if (sl_hash_count(s->h) != STABLE + nb_live) {
			report(s, "count drifted", nb_live, (int32_t)sl_hash_count(s->h), 0);
			break;
		}
	}
out:
	__atomic_store_n(&s->writes, writes, __ATOMIC_RELAXED);
	free(live);
	free(in);
	return NULL;
}

static struct shared s;

static void run(uint32_t churn, uint32_t target, uint64_t run_ns)
{
	struct sl_hash_params p = {.name = "t_conc", .entries = ENTRIES, .key_len = KEY_LEN,
				   .node = SL_NODE_ANY};
	pthread_t w, r[NB_READERS];
	uint8_t key[KEY_LEN];
	uint64_t t0;

	/* A failed earlier run may have left its table behind. */
	sl_hash_free(sl_hash_find("t_conc"));
	memset(&s, 0, sizeof(s));
	s.churn = churn;
	s.target = target;
	s.h = sl_hash_create(&p);
	assert_non_null(s.h);
	for (uint64_t id = 0; id < STABLE; id++) {
		make_key(key, id);
		s.stable_pos[id] = sl_hash_add(s.h, key, value_of(id));
		assert_true(s.stable_pos[id] >= 0);
	}
	/* The writer fills the table up to the target first; then the readers start. */
	assert_int_equal(pthread_create(&w, NULL, writer, &s), 0);
	while (!__atomic_load_n(&s.ready, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&s.errors, __ATOMIC_RELAXED)) {
		struct timespec ts = {0, 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < NB_READERS; i++)
		assert_int_equal(pthread_create(&r[i], NULL, reader, &s), 0);
	t0 = now_ns();
	while (now_ns() - t0 < run_ns && __atomic_load_n(&s.errors, __ATOMIC_RELAXED) == 0) {
		struct timespec ts = {0, 20 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	pthread_join(w, NULL);
	for (int i = 0; i < NB_READERS; i++)
		pthread_join(r[i], NULL);

	printf("%llu writes, %llu lookups (%llu churn hits), %u displacement moves, %u keys\n",
	       (unsigned long long)s.writes, (unsigned long long)s.lookups,
	       (unsigned long long)s.churn_hits, __atomic_load_n(&s.h->change, __ATOMIC_RELAXED),
	       sl_hash_count(s.h));
	if (s.errors)
		fail_msg("%llu errors; first: %s", (unsigned long long)s.errors, s.first_error);
	/* The run must have exercised what it claims to test. */
	assert_true(s.writes > 10000);
	assert_true(s.lookups > 10000);
	assert_true(s.churn_hits > 100);
	if (target > ENTRIES / 2)
		assert_true(__atomic_load_n(&s.h->change, __ATOMIC_RELAXED) > 500);
	/* Quiescent now: every stable key still in place. */
	for (uint64_t id = 0; id < STABLE; id++) {
		uint64_t v;

		make_key(key, id);
		assert_int_equal(sl_hash_lookup(s.h, key, &v), s.stable_pos[id]);
		assert_int_equal(v, value_of(id));
	}
	sl_hash_free(s.h);
}

/* A table about 93 % full: most adds displace entries. */
static void test_one_writer_two_readers(void **state)
{
	(void)state;
	run(CHURN, TARGET, RUN_NS * 7 / 10);
}

/*
 * Eight churn keys swapped in and out as fast as possible: each add reuses the key slot
 * the previous delete freed, while the readers look those same keys up, so lookups
 * overlap slot recycling constantly (the per-slot version must reject the mixed reads).
 */
static void test_recycle(void **state)
{
	(void)state;
	run(8, STABLE + 4, RUN_NS * 3 / 10);
}

/* A 4 M entry table filled to 90 %: every key found, sizes as documented. */
static void test_big_table(void **state)
{
	struct sl_hash_params p = {.name = "t_big", .entries = BIG_ENTRIES, .key_len = KEY_LEN,
				   .node = SL_NODE_ANY};
	const uint32_t n = BIG_ENTRIES / 10 * 9;
	struct sl_hash *h;
	uint8_t key[KEY_LEN];
	uint64_t v, t0;
	size_t expect;

	(void)state;
	/* Buckets: entries / 8 * 64 bytes; key slots: 16 + 16 bytes each. */
	expect = (size_t)BIG_ENTRIES / 8 * 64 + (size_t)BIG_ENTRIES * 32;
	assert_true(sl_hash_memsize(&p) >= expect && sl_hash_memsize(&p) < expect + 65536);
	h = sl_hash_create(&p);
	assert_non_null(h);
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		make_key(key, i);
		if (sl_hash_add(h, key, value_of(i)) < 0)
			fail_msg("add %u of %u failed", i, n);
	}
	printf("%u adds in %.2f s\n", n, (now_ns() - t0) / 1e9);
	assert_int_equal(sl_hash_count(h), n);
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		make_key(key, i);
		if (sl_hash_lookup(h, key, &v) < 0 || v != value_of(i))
			fail_msg("key %u lost or wrong value", i);
	}
	for (uint32_t i = n; i < n + n / 4; i++) {
		make_key(key, i);
		assert_int_equal(sl_hash_lookup(h, key, NULL), -ENOENT);
	}
	printf("%u lookups in %.2f s, table of %zu MiB\n", n + n / 4, (now_ns() - t0) / 1e9,
	       sl_hash_memsize(&p) >> 20);
	sl_hash_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_writer_two_readers),
		cmocka_unit_test(test_recycle),
		cmocka_unit_test(test_big_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
