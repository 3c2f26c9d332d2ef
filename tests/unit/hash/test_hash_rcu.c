/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hash with an rcu domain (sl_hash_rcu_set): a deleted key slot keeps its key and value
 * and is not reused while a registered reader has not passed a quiescent point (an add
 * takes a never-used slot, or waits when only such retired slots are left), and is
 * reused once it has.  The reader is a thread the test drives step by step
 * (../rcu_reader.h); adds that must wait run on a writer thread.
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

#include "hash_priv.h" /* white box: a retired slot's key and version stay untouched */
#include "log_capture.h"
#include "rcu_reader.h"
#include "sl_hash.h"
#include "sl_memory.h"
#include "sl_rcu.h"

#define BLOCKED_US 50000 /* how long an add must stay blocked to count as waiting */

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

static void expect_log(const char *a, const char *b)
{
	if (!log_capture_has(&logs, a, b))
		fail_msg("expected a hash log line with '%s' and '%s'; got:\n%s", a, b ? b : "",
			 logs.text);
	log_capture_start(&logs);
}

/* ---- an add on a writer thread ---- */

struct bg_add {
	pthread_t thread;
	struct sl_hash *h;
	uint64_t key;
	int32_t rc;
	int done; /* atomic */
};

static void *bg_main(void *arg)
{
	struct bg_add *b = arg;

	b->rc = sl_hash_add(b->h, &b->key, b->key * 10);
	__atomic_store_n(&b->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void bg_start_blocked(struct bg_add *b)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = BLOCKED_US * 1000L};

	b->done = 0;
	assert_int_equal(pthread_create(&b->thread, NULL, bg_main, b), 0);
	nanosleep(&ts, NULL);
	if (__atomic_load_n(&b->done, __ATOMIC_SEQ_CST))
		fail_msg("the add reused a key slot in its grace period (returned %d)", b->rc);
}

static int32_t bg_join(struct bg_add *b)
{
	pthread_join(b->thread, NULL);
	return b->rc;
}

static int32_t add(struct sl_hash *h, uint64_t key)
{
	return sl_hash_add(h, &key, key * 10);
}

static int32_t del(struct sl_hash *h, uint64_t key)
{
	return sl_hash_delete(h, &key);
}

static int32_t find(struct sl_hash *h, uint64_t key)
{
	uint64_t v = 0;
	int32_t pos = sl_hash_lookup(h, &key, &v);

	if (pos >= 0 && v != key * 10)
		fail_msg("key %llu has value %llu", (unsigned long long)key, (unsigned long long)v);
	return pos;
}

static void test_reuse(void **state)
{
	struct sl_hash_params p = {
		.name = "t_rcu", .entries = 4, .key_len = 8, .node = SL_NODE_ANY};
	struct sl_hash *h = sl_hash_create(&p);
	struct sl_rcu *rcu = sl_rcu_create("hash", 4), *other = sl_rcu_create("other", 4);
	struct bg_add b = {0};
	struct rcu_reader r;
	const struct kslot *k;
	int32_t pos[4], p1, p2;
	uint32_t ver;

	(void)state;
	assert_non_null(h);
	assert_non_null(rcu);
	assert_non_null(other);
	assert_int_equal(sl_hash_rcu_set(NULL, rcu), -EINVAL);
	expect_log("hash rcu_set: table is NULL", NULL);
	assert_int_equal(sl_hash_rcu_set(h, rcu), 0);
	assert_int_equal(sl_hash_rcu_set(h, rcu), 0);
	assert_int_equal(sl_hash_rcu_set(h, other), -EBUSY);
	expect_log("hash 't_rcu': already uses rcu domain 'hash'", "sl_hash_rcu_set(h, NULL)");
	assert_int_equal(rcu_reader_start(&r, rcu, 2), 0);

	/* Deleting with unused slots left: the next add takes a never-used slot. */
	pos[0] = add(h, 100);
	pos[1] = add(h, 101);
	pos[2] = add(h, 102);
	assert_true(pos[0] >= 0 && pos[1] >= 0 && pos[2] >= 0);
	p1 = del(h, 101);
	assert_int_equal(p1, pos[1]);
	assert_int_equal(find(h, 101), -ENOENT);
	pos[3] = add(h, 103);
	assert_true(pos[3] >= 0 && pos[3] != p1);

	/* The key store is full but for the retired slot: the add waits for the reader, and
	 * meanwhile the slot still holds the deleted key, version unchanged. */
	k = kslot_at(h, (uint32_t)p1);
	ver = k->ver;
	assert_int_equal(k->key[0], 101);
	b.h = h;
	b.key = 104;
	bg_start_blocked(&b);
	assert_int_equal(k->key[0], 101);
	assert_int_equal(k->value, 1010);
	assert_int_equal(k->ver, ver);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(bg_join(&b), p1); /* reused once the grace period passed */
	assert_int_equal(find(h, 104), p1);
	assert_int_equal(sl_hash_count(h), 4);

	/* Reused after: a reader that passed a quiescent point since the delete costs no
	 * wait. */
	p2 = del(h, 102);
	assert_int_equal(p2, pos[2]);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(add(h, 105), p2);
	/* An offline reader is not waited for. */
	p2 = del(h, 105);
	rcu_reader_do(&r, RR_OFFLINE);
	assert_int_equal(add(h, 106), p2);
	rcu_reader_do(&r, RR_ONLINE);
	/* A full store with nothing retired is still -ENOSPC at once. */
	assert_int_equal(add(h, 107), -ENOSPC);

	/* Several deletes, then adds reuse their slots oldest first. */
	p1 = del(h, 100);
	p2 = del(h, 103);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(add(h, 108), p1);
	assert_int_equal(add(h, 109), p2);

	/* Detach waits for pending grace periods; then slots are reused at once again. */
	p1 = del(h, 108);
	rcu_reader_post(&r, RR_QUIESCENT, 20000);
	assert_int_equal(sl_hash_rcu_set(h, NULL), 0);
	assert_int_equal(__atomic_load_n(&r.armed, __ATOMIC_SEQ_CST), 1);
	rcu_reader_join(&r);
	p2 = del(h, 109);
	assert_int_equal(add(h, 110), p2); /* recycled at once, LIFO as without rcu */
	assert_int_equal(add(h, 111), p1);
	assert_int_equal(find(h, 104) >= 0 && find(h, 106) >= 0 && find(h, 110) >= 0 &&
				 find(h, 111) >= 0,
			 1);

	/* Reset forgets retired slots (nobody may use the table meanwhile). */
	assert_int_equal(sl_hash_rcu_set(h, rcu), 0);
	assert_true(del(h, 110) >= 0);
	sl_hash_reset(h);
	for (uint64_t key = 200; key < 204; key++)
		assert_true(add(h, key) >= 0);
	assert_int_equal(sl_hash_count(h), 4);

	rcu_reader_stop(&r, true);
	sl_hash_free(h);
	sl_rcu_free(rcu);
	sl_rcu_free(other);
}

/* More pending deletes than batches (64): the newest batch absorbs the rest and every
 * slot still waits for a grace period that began after its delete. */
static void test_many(void **state)
{
	struct sl_hash_params p = {
		.name = "t_rcu_many", .entries = 200, .key_len = 8, .node = SL_NODE_ANY};
	struct sl_hash *h = sl_hash_create(&p);
	struct sl_rcu *rcu = sl_rcu_create("hash_many", 4);
	struct bg_add b = {0};
	struct rcu_reader r;

	(void)state;
	assert_non_null(h);
	assert_non_null(rcu);
	assert_int_equal(sl_hash_rcu_set(h, rcu), 0);
	assert_int_equal(rcu_reader_start(&r, rcu, 0), 0);
	for (uint64_t key = 0; key < 200; key++)
		assert_true(add(h, key) >= 0);
	for (uint64_t key = 0; key < 150; key++)
		assert_true(del(h, key) >= 0);
	assert_int_equal(h->gp_count, HASH_GP_RING);
	b.h = h;
	b.key = 1000;
	bg_start_blocked(&b);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_true(bg_join(&b) >= 0);
	/* Every other retired slot's grace period has passed too: 149 adds, no wait. */
	for (uint64_t key = 1001; key < 1150; key++)
		assert_true(add(h, key) >= 0);
	assert_int_equal(add(h, 5000), -ENOSPC);
	assert_int_equal(h->gp_count, 0);
	rcu_reader_stop(&r, true);
	sl_hash_free(h);
	sl_rcu_free(rcu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reuse, setup_logs, teardown_logs),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests_name("hash_rcu", tests, NULL, NULL);
}
