/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LPM with an rcu domain (sl_lpm_rcu_set, sl_lpm6_rcu_set): a tbl8 group freed by a
 * delete is not reused while a registered reader has not passed a quiescent point (an
 * add takes another free group, or waits when only such groups are free), and is reused
 * once it has.  The reader is a thread the test drives step by step (../rcu_reader.h);
 * adds that must wait run on a writer thread so the test can see them blocked.
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

#include "../log_capture.h"
#include "../rcu_reader.h"
#include "sl_lpm.h"
#include "sl_lpm6.h"
#include "sl_memory.h"
#include "sl_rcu.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
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

/* Fails unless a log line since the last call has both a and b (b may be NULL). */
static void expect_log(const char *a, const char *b)
{
	if (!log_capture_has(&logs, a, b))
		fail_msg("expected an lpm log line with '%s' and '%s'; got:\n%s", a, b ? b : "",
			 logs.text);
	log_capture_start(&logs);
}

/* ---- an add on a writer thread ---- */

struct bg_add {
	pthread_t thread;
	struct sl_lpm *lpm4;
	struct sl_lpm6 *lpm6;
	uint32_t ip4;
	uint8_t ip6[16];
	uint8_t depth;
	uint32_t nh;
	int rc;
	int done; /* atomic */
};

static void *bg_main(void *arg)
{
	struct bg_add *b = arg;

	b->rc = b->lpm4 ? sl_lpm_add(b->lpm4, b->ip4, b->depth, b->nh)
			: sl_lpm6_add(b->lpm6, b->ip6, b->depth, b->nh);
	__atomic_store_n(&b->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Starts the add, checks that it is still waiting BLOCKED_US later. */
static void bg_start_blocked(struct bg_add *b)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = BLOCKED_US * 1000L};

	b->done = 0;
	assert_int_equal(pthread_create(&b->thread, NULL, bg_main, b), 0);
	nanosleep(&ts, NULL);
	if (__atomic_load_n(&b->done, __ATOMIC_SEQ_CST))
		fail_msg("the add reused a group in its grace period (returned %d)", b->rc);
}

static int bg_join(struct bg_add *b)
{
	pthread_join(b->thread, NULL);
	return b->rc;
}

/* ---- IPv4 ---- */

static uint32_t group4(const struct sl_lpm *lpm, uint32_t ip)
{
	uint32_t e = lpm->tbl24[ip >> 8];

	if (!(e & SL_LPM__EXT))
		fail_msg("no tbl8 group under 0x%08x", ip);
	return e & SL_LPM__VALUE;
}

static struct sl_lpm *make4(const char *name, uint32_t groups)
{
	struct sl_lpm_config cfg = {.max_rules = 64, .groups = groups};
	struct sl_lpm *lpm = sl_lpm_create(name, SL_NODE_ANY, &cfg);

	assert_non_null(lpm);
	return lpm;
}

/* Without a domain a freed group is reused as soon as the FIFO comes back to it. */
static void test_v4_no_rcu(void **state)
{
	struct sl_lpm *lpm = make4("t4norcu", 2);
	uint32_t ga;

	(void)state;
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 0, 128), 25, 1), 0);
	ga = group4(lpm, IP4(10, 0, 0, 128));
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 0, 128), 25), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 1, 128), 25, 2), 0);
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 1, 128), 25), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 2, 128), 25, 3), 0);
	assert_int_equal(group4(lpm, IP4(10, 0, 2, 128)), ga);
	sl_lpm_free(lpm);
}

static void test_v4_rcu(void **state)
{
	struct sl_lpm *lpm = make4("t4rcu", 2);
	struct sl_rcu *rcu = sl_rcu_create("lpm4", 4), *other = sl_rcu_create("other", 4);
	struct bg_add b = {0};
	struct rcu_reader r;
	const size_t bytes0 = sl_lpm_memory(lpm);
	struct sl_lpm_stats st;
	uint32_t ga, gb, nh;

	(void)state;
	assert_non_null(rcu);
	assert_non_null(other);
	assert_int_equal(sl_lpm_rcu_set(NULL, rcu), -EINVAL);
	expect_log("lpm rcu_set: table is NULL", NULL);
	assert_int_equal(sl_lpm_rcu_set(lpm, rcu), 0);
	assert_int_equal(sl_lpm_memory(lpm), bytes0 + 2 * sizeof(uint64_t)); /* the tokens */
	assert_int_equal(sl_lpm_rcu_set(lpm, rcu), 0); /* the same domain again: no-op */
	assert_int_equal(sl_lpm_rcu_set(lpm, other), -EBUSY);
	expect_log("lpm 't4rcu': already uses rcu domain 'lpm4'", "sl_lpm_rcu_set(table, NULL)");
	assert_int_equal(rcu_reader_start(&r, rcu, 1), 0);

	/* A's group, freed while the reader has not passed a quiescent point, is skipped:
	 * B gets the other (never used) group.  A lies under a /24, which its group keeps. */
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 0, 0), 24, 9), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 0, 128), 25, 1), 0);
	ga = group4(lpm, IP4(10, 0, 0, 128));
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 0, 128), 25), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 1, 128), 25, 2), 0);
	gb = group4(lpm, IP4(10, 0, 1, 128));
	assert_int_not_equal(gb, ga);
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 1, 128), 25), 0);

	/* Only groups in their grace period are free: the add waits for the reader... */
	b.lpm4 = lpm;
	b.ip4 = IP4(10, 0, 2, 128);
	b.depth = 25;
	b.nh = 3;
	bg_start_blocked(&b);
	/* ...and A's old group still answers the /24 for a reader holding its link. */
	assert_int_equal(lpm->tbl8[(size_t)ga * 256 + 200] & SL_LPM__VALUE, 9);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(bg_join(&b), 0);
	assert_int_equal(group4(lpm, IP4(10, 0, 2, 128)), ga); /* reused, FIFO order */
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 0, 2, 200), &nh), 0);
	assert_int_equal(nh, 3);

	/* Reused after: once the reader passed a quiescent point, no wait. */
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 2, 128), 25), 0);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 3, 128), 25, 4), 0);
	assert_int_equal(group4(lpm, IP4(10, 0, 3, 128)), gb);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 4, 128), 25, 5), 0);
	assert_int_equal(group4(lpm, IP4(10, 0, 4, 128)), ga);
	/* No free group at all is still -ENOSPC at once, not a wait. */
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 5, 128), 25, 6), -ENOSPC);
	expect_log("all 2 tbl8 groups are in use", NULL);

	/* An offline reader is not waited for. */
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 3, 128), 25), 0);
	rcu_reader_do(&r, RR_OFFLINE);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 6, 128), 25, 7), 0);
	assert_int_equal(group4(lpm, IP4(10, 0, 6, 128)), gb);
	rcu_reader_do(&r, RR_ONLINE);

	/* delete_all puts every group behind one grace period. */
	sl_lpm_delete_all(lpm);
	b.ip4 = IP4(10, 0, 7, 128);
	bg_start_blocked(&b);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(bg_join(&b), 0);

	/* Detach waits for pending grace periods, then groups are reused at once again. */
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 7, 128), 25), 0);
	rcu_reader_post(&r, RR_QUIESCENT, 20000);
	assert_int_equal(sl_lpm_rcu_set(lpm, NULL), 0);
	assert_int_equal(__atomic_load_n(&r.armed, __ATOMIC_SEQ_CST), 1);
	rcu_reader_join(&r);
	assert_int_equal(sl_lpm_rcu_set(lpm, other), 0);
	assert_int_equal(sl_lpm_rcu_set(lpm, NULL), 0);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.groups_used, 0);
	assert_int_equal(st.bytes, bytes0);

	rcu_reader_stop(&r, true);
	sl_lpm_free(lpm);
	sl_rcu_free(rcu);
	sl_rcu_free(other);
}

/* ---- IPv6 ---- */

static uint32_t top24(const uint8_t ip[16])
{
	return (uint32_t)ip[0] << 16 | (uint32_t)ip[1] << 8 | ip[2];
}

static void test_v6_rcu(void **state)
{
	struct sl_lpm6_config cfg = {.max_rules = 64, .groups = 4};
	struct sl_lpm6 *lpm = sl_lpm6_create("t6rcu", SL_NODE_ANY, &cfg);
	struct sl_rcu *rcu = sl_rcu_create("lpm6", 4);
	/* 2001:db8:1::/48 needs 3 groups (bits 24-31, 32-39, 40-47); a /32 needs 1. */
	const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01};
	const uint8_t c[16] = {0x20, 0x02, 0x0d, 0xb8};
	const uint8_t d[16] = {0x20, 0x03, 0x0d, 0xb8};
	struct bg_add b = {0};
	struct rcu_reader r;
	struct sl_lpm6_stats st;
	uint32_t ga, nh;

	(void)state;
	assert_non_null(lpm);
	assert_non_null(rcu);
	assert_int_equal(sl_lpm6_rcu_set(NULL, rcu), -EINVAL);
	expect_log("lpm6 rcu_set: table is NULL", NULL);
	assert_int_equal(sl_lpm6_rcu_set(lpm, rcu), 0);
	assert_int_equal(rcu_reader_start(&r, rcu, 3), 0);

	assert_int_equal(sl_lpm6_add(lpm, a, 48, 1), 0);
	ga = lpm->tbl24[top24(a)] & SL_LPM6__VALUE; /* the first of its 3 groups */
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.groups_used, 3);
	assert_int_equal(sl_lpm6_delete(lpm, a, 48), 0); /* frees 3 groups, one grace period */
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.groups_used, 0);

	/* The never-used group serves a /32 at once; the next /32 must wait. */
	assert_int_equal(sl_lpm6_add(lpm, c, 32, 2), 0);
	assert_int_not_equal(lpm->tbl24[top24(c)] & SL_LPM6__VALUE, ga);
	b.lpm6 = lpm;
	memcpy(b.ip6, d, 16);
	b.depth = 32;
	b.nh = 3;
	bg_start_blocked(&b);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(bg_join(&b), 0);
	assert_int_equal(sl_lpm6_lookup(lpm, d, &nh), 0);
	assert_int_equal(nh, 3);

	/* After the quiescent point the other two freed groups are reused without a wait. */
	assert_int_equal(sl_lpm6_delete(lpm, c, 32), 0);
	rcu_reader_do(&r, RR_QUIESCENT);
	assert_int_equal(sl_lpm6_add(lpm, a, 48, 4), 0); /* needs 3 of the 3 free ones */
	assert_int_equal(sl_lpm6_lookup(lpm, a, &nh), 0);
	assert_int_equal(nh, 4);
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.groups_used, 4);

	rcu_reader_stop(&r, true);
	assert_int_equal(sl_lpm6_rcu_set(lpm, NULL), 0);
	sl_lpm6_free(lpm);
	sl_rcu_free(rcu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_no_rcu),
		cmocka_unit_test_setup_teardown(test_v4_rcu, setup_logs, teardown_logs),
		cmocka_unit_test_setup_teardown(test_v6_rcu, setup_logs, teardown_logs),
	};

	return cmocka_run_group_tests_name("lpm_rcu", tests, NULL, NULL);
}
