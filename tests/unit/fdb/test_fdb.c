/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding database: learn and lookup (single and burst), VLANs as part of the key, MAC
 * moves, refused sources, a full bucket, ageing (with wrapping time stamps), flush by VLAN
 * and port, iteration, create errors and their log lines, and two learners racing a
 * control thread that ages and flushes for about a second (no duplicate key afterwards,
 * every port a lookup returned was one learned for that MAC, no slot leaked).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "log_capture.h"
#include "sl_fdb.h"
#include "sl_memory.h"

static struct log_capture logs;

/* A locally administered unicast MAC (02:...) numbered i. */
static void mac_of(uint32_t i, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x5c;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

static struct sl_fdb *make(const char *name, uint32_t capacity)
{
	struct sl_fdb_config cfg = {.name = name, .capacity = capacity, .node = SL_NODE_ANY};
	struct sl_fdb *fdb = sl_fdb_create(&cfg);

	if (fdb == NULL)
		fail_msg("sl_fdb_create(%s, %u): %s", name, capacity, strerror(errno));
	return fdb;
}

static uint16_t lookup(const struct sl_fdb *fdb, uint16_t vid, const uint8_t mac[6])
{
	uint16_t port = 0x1234;

	if (!sl_fdb_lookup(fdb, vid, mac, &port)) {
		assert_int_equal(port, 0x1234); /* untouched on a miss */
		return SL_FDB_PORT_NONE;
	}
	assert_int_not_equal(port, SL_FDB_PORT_NONE);
	return port;
}

static struct sl_fdb_stats stats_of(const struct sl_fdb *fdb)
{
	struct sl_fdb_stats st;

	assert_int_equal(sl_fdb_stats(fdb, &st), 0);
	return st;
}

/* Fails unless a log line since the last call has both a and b (b may be NULL). */
static void expect_log(const char *a, const char *b)
{
	if (!log_capture_has(&logs, a, b))
		fail_msg("expected an fdb log line with '%s' and '%s'; got:\n%s", a, b ? b : "",
			 logs.text);
	log_capture_clear(&logs);
}

static void test_learn_lookup(void **state)
{
	struct sl_fdb *fdb = make("t_learn", 0);
	uint8_t a[6], b[6];
	uint16_t port = 77;

	(void)state;
	mac_of(1, a);
	mac_of(2, b);
	assert_int_equal(sl_fdb_capacity(fdb), SL_FDB_CAPACITY_DEFAULT);
	assert_false(sl_fdb_lookup(fdb, 10, a, &port));
	assert_int_equal(port, 77); /* untouched on a miss */
	assert_int_equal(sl_fdb_learn(fdb, 10, a, 3, 100), SL_FDB_LEARNED);
	assert_true(sl_fdb_lookup(fdb, 10, a, &port));
	assert_int_equal(port, 3);
	assert_int_equal(sl_fdb_learn(fdb, 10, a, 3, 100), SL_FDB_KNOWN);
	assert_int_equal(sl_fdb_learn(fdb, 10, a, 3, 101), SL_FDB_KNOWN);
	assert_int_equal(lookup(fdb, 10, b), SL_FDB_PORT_NONE);
	assert_int_equal(lookup(fdb, 11, a), SL_FDB_PORT_NONE);
	assert_int_equal(lookup(fdb, SL_FDB_VID_MAX + 1, a), SL_FDB_PORT_NONE);
	assert_int_equal(sl_fdb_learn(fdb, 0, b, 0, 5), SL_FDB_LEARNED); /* vid 0, port 0 */
	assert_int_equal(lookup(fdb, 0, b), 0);
	assert_int_equal(sl_fdb_count(fdb), 2);
	assert_int_equal(stats_of(fdb).learned, 2);
	assert_int_equal(stats_of(fdb).moved, 0);
	sl_fdb_free(fdb);
	sl_fdb_free(NULL);
}

static void test_two_vlans(void **state)
{
	struct sl_fdb *fdb = make("t_vlans", 64);
	uint8_t a[6];

	(void)state;
	mac_of(7, a);
	assert_int_equal(sl_fdb_learn(fdb, 1, a, 1, 0), SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_learn(fdb, 2, a, 2, 0), SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_learn(fdb, SL_FDB_VID_MAX, a, 9, 0), SL_FDB_LEARNED);
	assert_int_equal(lookup(fdb, 1, a), 1);
	assert_int_equal(lookup(fdb, 2, a), 2);
	assert_int_equal(lookup(fdb, SL_FDB_VID_MAX, a), 9);
	assert_int_equal(sl_fdb_count(fdb), 3);
	assert_int_equal(stats_of(fdb).moved, 0);
	sl_fdb_free(fdb);
}

static void test_move(void **state)
{
	struct sl_fdb *fdb = make("t_move", 64);
	struct sl_fdb_entry e;
	uint32_t cursor = 0;
	uint8_t a[6];

	(void)state;
	mac_of(9, a);
	assert_int_equal(sl_fdb_learn(fdb, 5, a, 1, 10), SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_learn(fdb, 5, a, 4, 10), SL_FDB_MOVED);
	assert_int_equal(lookup(fdb, 5, a), 4);
	assert_int_equal(stats_of(fdb).moved, 1);
	assert_int_equal(sl_fdb_learn(fdb, 5, a, 4, 10), SL_FDB_KNOWN);
	assert_int_equal(stats_of(fdb).moved, 1);
	/* A move with an earlier time stamp (another core's clock) keeps the later seen. */
	assert_int_equal(sl_fdb_learn(fdb, 5, a, 2, 8), SL_FDB_MOVED);
	assert_int_equal(stats_of(fdb).moved, 2);
	assert_true(sl_fdb_iterate(fdb, &cursor, &e));
	assert_int_equal(e.port, 2);
	assert_int_equal(e.seen, 10);
	assert_int_equal(sl_fdb_count(fdb), 1); /* a move is no new entry */
	assert_int_equal(stats_of(fdb).learned, 1);
	sl_fdb_free(fdb);
}

static void test_refused(void **state)
{
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t odd[6] = {0x03, 0x11, 0x22, 0x33, 0x44, 0x55}; /* I/G set */
	struct sl_fdb *fdb = make("t_refused", 64);
	uint8_t a[6];

	(void)state;
	mac_of(3, a);
	assert_int_equal(sl_fdb_learn(fdb, 1, mcast, 1, 0), SL_FDB_INVALID);
	assert_int_equal(sl_fdb_learn(fdb, 1, bcast, 1, 0), SL_FDB_INVALID);
	assert_int_equal(sl_fdb_learn(fdb, 1, odd, 1, 0), SL_FDB_INVALID);
	assert_int_equal(sl_fdb_learn(fdb, SL_FDB_VID_MAX + 1, a, 1, 0), SL_FDB_INVALID);
	assert_int_equal(sl_fdb_learn(fdb, 1, a, SL_FDB_PORT_NONE, 0), SL_FDB_INVALID);
	assert_int_equal(lookup(fdb, 1, mcast), SL_FDB_PORT_NONE);
	assert_int_equal(lookup(fdb, 1, bcast), SL_FDB_PORT_NONE);
	assert_int_equal(lookup(fdb, 1, a), SL_FDB_PORT_NONE);
	assert_int_equal(sl_fdb_count(fdb), 0);
	assert_int_equal(stats_of(fdb).learned, 0);
	assert_int_equal(stats_of(fdb).full, 0);
	sl_fdb_free(fdb);
}

/* Finds n MACs (numbered from 1000 on) that land in one bucket of fdb on vid. */
static void same_bucket(const struct sl_fdb *fdb, uint16_t vid, unsigned n, uint8_t macs[][6])
{
	uint32_t target, found = 0;

	mac_of(1000, macs[0]);
	target = sl_fdb__bucket_of(fdb, vid, macs[0]);
	assert_true(target < sl_fdb_capacity(fdb) / SL_FDB_BUCKET_ENTRIES);
	found = 1;
	for (uint32_t i = 1001; found < n && i < 1000000; i++) {
		mac_of(i, macs[found]);
		if (sl_fdb__bucket_of(fdb, vid, macs[found]) == target)
			found++;
	}
	assert_int_equal(found, n);
}

static void test_full_bucket(void **state)
{
	struct sl_fdb *fdb = make("t_full", 64); /* 8 buckets */
	uint8_t macs[9][6];

	(void)state;
	assert_int_equal(sl_fdb_capacity(fdb), 64);
	same_bucket(fdb, 1, 9, macs);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(sl_fdb_learn(fdb, 1, macs[i], (uint16_t)(10 + i), 0),
				 SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_learn(fdb, 1, macs[8], 18, 0), SL_FDB_FULL);
	assert_int_equal(stats_of(fdb).full, 1);
	assert_int_equal(lookup(fdb, 1, macs[8]), SL_FDB_PORT_NONE);
	/* Known MACs of a full bucket still refresh and move. */
	assert_int_equal(sl_fdb_learn(fdb, 1, macs[3], 13, 1), SL_FDB_KNOWN);
	assert_int_equal(sl_fdb_learn(fdb, 1, macs[4], 40, 1), SL_FDB_MOVED);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(lookup(fdb, 1, macs[i]), i == 4 ? 40 : 10 + i);
	assert_int_equal(stats_of(fdb).full, 1);
	/* A freed slot takes the ninth MAC. */
	assert_int_equal(sl_fdb_flush(fdb, -1, 12), 1);
	assert_int_equal(sl_fdb_learn(fdb, 1, macs[8], 18, 2), SL_FDB_LEARNED);
	assert_int_equal(lookup(fdb, 1, macs[8]), 18);
	assert_int_equal(lookup(fdb, 1, macs[2]), SL_FDB_PORT_NONE);
	assert_int_equal(sl_fdb_count(fdb), 8);
	sl_fdb_free(fdb);
}

static void test_age(void **state)
{
	struct sl_fdb *fdb = make("t_age", 64);
	uint8_t a[6], b[6], c[6], w[6];

	(void)state;
	mac_of(1, a);
	mac_of(2, b);
	mac_of(3, c);
	mac_of(4, w);
	assert_int_equal(sl_fdb_learn(fdb, 1, a, 1, 100), SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_learn(fdb, 1, b, 2, 105), SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_learn(fdb, 1, c, 3, 110), SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_age(fdb, 112, 10), 1); /* a: 12 > 10 */
	assert_int_equal(lookup(fdb, 1, a), SL_FDB_PORT_NONE);
	assert_int_equal(lookup(fdb, 1, b), 2);
	assert_int_equal(lookup(fdb, 1, c), 3);
	/* A packet refreshes b; a learn with an earlier clock does not turn it back. */
	assert_int_equal(sl_fdb_learn(fdb, 1, b, 2, 111), SL_FDB_KNOWN);
	assert_int_equal(sl_fdb_learn(fdb, 1, b, 2, 104), SL_FDB_KNOWN);
	assert_int_equal(sl_fdb_age(fdb, 120, 10), 0); /* b: 9, c: 10, not more than 10 */
	assert_int_equal(sl_fdb_age(fdb, 121, 10), 1); /* c: 11 */
	assert_int_equal(lookup(fdb, 1, b), 2);
	assert_int_equal(lookup(fdb, 1, c), SL_FDB_PORT_NONE);
	/* An entry stamped "after" now (another core's clock ran ahead) is kept. */
	assert_int_equal(sl_fdb_age(fdb, 50, 10), 0);
	assert_int_equal(lookup(fdb, 1, b), 2);
	/* Time stamps wrap (serial-number arithmetic): seen 2^32 - 16, now 5 is 21 later. */
	assert_int_equal(sl_fdb_learn(fdb, 1, w, 4, 0xfffffff0u), SL_FDB_LEARNED);
	assert_int_equal(sl_fdb_flush(fdb, -1, 2), 1);
	assert_int_equal(sl_fdb_age(fdb, 5, 21), 0);
	assert_int_equal(sl_fdb_age(fdb, 5, 20), 1);
	assert_int_equal(lookup(fdb, 1, w), SL_FDB_PORT_NONE);
	assert_int_equal(stats_of(fdb).aged, 3);
	assert_int_equal(stats_of(fdb).flushed, 1);
	assert_int_equal(sl_fdb_count(fdb), 0);
	/* An aged MAC is learned again as new. */
	assert_int_equal(sl_fdb_learn(fdb, 1, a, 1, 200), SL_FDB_LEARNED);
	sl_fdb_free(fdb);
}

static void test_flush(void **state)
{
	/* (vid, port, how many MACs) */
	static const struct {
		uint16_t vid, port, n;
	} groups[] = {{1, 1, 3}, {1, 2, 2}, {2, 1, 4}, {2, 2, 1}, {3, 3, 5}};
	struct sl_fdb *fdb = make("t_flush", 1024);
	uint32_t id = 0;
	uint8_t mac[6];

	(void)state;
	log_capture_clear(&logs);
	for (unsigned g = 0; g < SL_ARRAY_SIZE(groups); g++)
		for (unsigned i = 0; i < groups[g].n; i++) {
			mac_of(id++, mac);
			assert_int_equal(sl_fdb_learn(fdb, groups[g].vid, mac, groups[g].port, 0),
					 SL_FDB_LEARNED);
		}
	assert_int_equal(sl_fdb_count(fdb), 15);
	assert_int_equal(sl_fdb_flush(fdb, 2, 2), 1);  /* vid 2 on port 2 */
	assert_int_equal(sl_fdb_flush(fdb, 1, -1), 5); /* all of vid 1 */
	assert_int_equal(sl_fdb_flush(fdb, 1, -1), 0);
	assert_int_equal(sl_fdb_flush(fdb, -1, 1), 4); /* port 1: what vid 2 had left */
	assert_int_equal(sl_fdb_count(fdb), 5);
	mac_of(10, mac); /* the first of group {3, 3, 5} */
	assert_int_equal(lookup(fdb, 3, mac), 3);
	mac_of(0, mac);
	assert_int_equal(lookup(fdb, 1, mac), SL_FDB_PORT_NONE);
	assert_int_equal(sl_fdb_flush(fdb, -1, -1), 5);
	assert_int_equal(sl_fdb_count(fdb), 0);
	assert_int_equal(stats_of(fdb).flushed, 15);
	assert_int_equal(sl_fdb_flush(fdb, 4096, -1), -EINVAL);
	expect_log("vid 4096 is out of range", "0 to 4095");
	assert_int_equal(sl_fdb_flush(fdb, -1, 0xffff), -EINVAL);
	expect_log("port 65535 is out of range", "0 to 65534");
	assert_int_equal(sl_fdb_flush(NULL, -1, -1), -EINVAL);
	expect_log("fdb flush: table is NULL", "sl_fdb_create()");
	sl_fdb_free(fdb);
}

/* Reference entry of test_iterate. */
struct ref {
	uint16_t vid, port;
	uint32_t seen;
	bool present, listed;
};

static void check_listing(const struct sl_fdb *fdb, struct ref *ref, uint32_t n)
{
	struct sl_fdb_entry e;
	uint32_t cursor = 0, listed = 0, present = 0;

	for (uint32_t i = 0; i < n; i++) {
		ref[i].listed = false;
		present += ref[i].present;
	}
	while (sl_fdb_iterate(fdb, &cursor, &e)) {
		uint32_t i = (uint32_t)e.mac[2] << 24 | (uint32_t)e.mac[3] << 16 |
			     (uint32_t)e.mac[4] << 8 | e.mac[5];

		assert_int_equal(e.mac[0], 0x02);
		assert_int_equal(e.mac[1], 0x5c);
		assert_true(i < n);
		assert_true(ref[i].present);
		assert_false(ref[i].listed); /* exactly once */
		assert_int_equal(e.vid, ref[i].vid);
		assert_int_equal(e.port, ref[i].port);
		assert_int_equal(e.seen, ref[i].seen);
		ref[i].listed = true;
		listed++;
	}
	assert_int_equal(cursor, sl_fdb_capacity(fdb));
	assert_false(sl_fdb_iterate(fdb, &cursor, &e)); /* stays at the end */
	assert_int_equal(listed, present);
	assert_int_equal(sl_fdb_count(fdb), present);
}

static void test_iterate(void **state)
{
	enum { N = 2000 };
	struct sl_fdb *fdb = make("t_iter", 4096);
	struct ref *ref = calloc(N, sizeof(*ref));
	struct sl_fdb_entry e;
	uint32_t cursor = 0;
	uint8_t mac[6];

	(void)state;
	assert_non_null(ref);
	assert_false(sl_fdb_iterate(fdb, &cursor, &e));
	for (uint32_t i = 0; i < N; i++) {
		int rc;

		mac_of(i, mac);
		ref[i].vid = (uint16_t)(i % 7);
		ref[i].port = (uint16_t)(i % 13);
		ref[i].seen = 1000 + i;
		rc = sl_fdb_learn(fdb, ref[i].vid, mac, ref[i].port, ref[i].seen);
		assert_true(rc == SL_FDB_LEARNED || rc == SL_FDB_FULL);
		ref[i].present = rc == SL_FDB_LEARNED;
	}
	check_listing(fdb, ref, N);
	/* Half of them age out (seen < 2000 at now 2010, max 10), port 5 is flushed. */
	assert_true(sl_fdb_age(fdb, 2010, 10) > 0);
	assert_true(sl_fdb_flush(fdb, -1, 5) > 0);
	for (uint32_t i = 0; i < N; i++)
		if (ref[i].seen < 2000 || ref[i].port == 5)
			ref[i].present = false;
	check_listing(fdb, ref, N);
	cursor = 0;
	assert_false(sl_fdb_iterate(NULL, &cursor, &e));
	expect_log("fdb iterate: table is NULL", NULL);
	assert_false(sl_fdb_iterate(fdb, NULL, &e));
	expect_log("iterate: cursor is NULL", NULL);
	free(ref);
	sl_fdb_free(fdb);
}

static void test_burst(void **state)
{
	enum { N = 70 }; /* more than one prefetched chunk */
	struct sl_fdb *fdb = make("t_burst", 1024);
	uint8_t mac[N][6];
	const uint8_t *macs[N];
	uint16_t vids[N], ports[N];
	unsigned want = 0;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		mac_of(i, mac[i]);
		macs[i] = mac[i];
		vids[i] = (uint16_t)(i % 3);
		if (i % 3 != 2) {
			assert_int_equal(sl_fdb_learn(fdb, vids[i], mac[i], (uint16_t)(100 + i), 0),
					 SL_FDB_LEARNED);
			want++;
		}
	}
	vids[4] = SL_FDB_VID_MAX + 1; /* learned on vid 1, looked up on a vid that cannot be */
	want--;
	memset(ports, 0, sizeof(ports));
	assert_int_equal(sl_fdb_lookup_burst(fdb, vids, macs, N, ports), want);
	for (unsigned i = 0; i < N; i++) {
		const bool hit = i % 3 != 2 && i != 4;

		assert_int_equal(ports[i], hit ? 100 + i : SL_FDB_PORT_NONE);
		assert_int_equal(ports[i], lookup(fdb, vids[i], mac[i]));
	}
	assert_int_equal(sl_fdb_lookup_burst(fdb, vids, macs, 0, ports), 0);
	sl_fdb_free(fdb);
}

static void test_create(void **state)
{
	/* Capacities round up to 8 times a power of two. */
	static const uint32_t asked[] = {1, 8, 9, 100, 8192, 8193};
	static const uint32_t got[] = {8, 8, 16, 128, 8192, 16384};
	struct sl_fdb_config cfg = {.name = "t_create", .capacity = 0x2000000, .node = SL_NODE_ANY};
	char longname[SL_FDB_NAME_SIZE + 1];
	struct sl_fdb *fdb;

	(void)state;
	log_capture_clear(&logs);
	errno = 0;
	assert_null(sl_fdb_create(&cfg));
	assert_int_equal(errno, EINVAL);
	expect_log("fdb 't_create': capacity 33554432 is out of range", "1 to 16777216");
	cfg.capacity = SL_FDB_CAPACITY_MAX + 1;
	assert_null(sl_fdb_create(&cfg));
	expect_log("capacity 16777217", NULL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cfg.name = longname;
	cfg.capacity = 8;
	errno = 0;
	assert_null(sl_fdb_create(&cfg));
	assert_int_equal(errno, ENAMETOOLONG);
	expect_log("characters long; use at most 31", NULL);
	cfg.name = "";
	assert_null(sl_fdb_create(&cfg));
	assert_int_equal(errno, EINVAL);
	expect_log("fdb name is empty", NULL);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(asked); i++) {
		fdb = make("t_cap", asked[i]);
		assert_int_equal(sl_fdb_capacity(fdb), got[i]);
		assert_int_equal(stats_of(fdb).capacity, got[i]);
		sl_fdb_free(fdb);
	}
	fdb = sl_fdb_create(NULL); /* every default */
	assert_non_null(fdb);
	assert_int_equal(sl_fdb_capacity(fdb), SL_FDB_CAPACITY_DEFAULT);
	sl_fdb_free(fdb);
	assert_int_equal(sl_fdb_count(NULL), 0);
	assert_int_equal(sl_fdb_capacity(NULL), 0);
	assert_int_equal(sl_fdb_age(NULL, 0, 0), -EINVAL);
	expect_log("fdb age: table is NULL", NULL);
}

/* ---- concurrency: two learners, one ager/flusher ---- */

/*
 * MACs 0..nb_macs-1: learner 0 owns [0, shared_from), learner 1 [shared_from, 2 *
 * shared_from) and both learn [2 * shared_from, nb_macs).  Learner t gives MAC i the
 * ports 4i + 2t and 4i + 2t + 1 in turn, so a port names its MAC and its learner: a
 * lookup of MAC i must return a port p with p / 4 == i, and p % 4 / 2 one of the
 * learners of i.  Two shapes:
 *   wide    900 MACs in 1024 slots (88 %): buckets stay full, so claims race, learns
 *           are refused and slots change hands as the control thread frees them;
 *   narrow  24 MACs, all shared, in 2 buckets; the control thread removes a VLAN or one
 *           random MAC almost without pause: both learners claim the same new MACs at
 *           once while slots free up under them in any order.  (The interleaving that
 *           would make a duplicate without the check after a claim, a lower slot freed
 *           between two learners' scans, is too narrow to hit here: with that check
 *           removed this ran 5 s without one.  TSan and the argument in sl_fdb.h cover it.)
 */
#define MAX_MACS 900

struct conc {
	struct sl_fdb *fdb;
	uint32_t nb_macs, shared_from, capacity;
	uint64_t run_ns;
	long pause_ns;	   /* control thread's sleep between passes */
	uint32_t now;	   /* the clock, advanced by the control thread (atomic) */
	int stop;	   /* atomic */
	uint64_t bad;	   /* lookups that returned a wrong port (atomic) */
	uint64_t hits;	   /* lookups that hit (atomic) */
	uint64_t learns;   /* learn calls (atomic) */
	uint64_t removals; /* entries age and flush removed */
	uint64_t dups;	   /* (vid, MAC) pairs listed twice in one pass */
	uint32_t passes;
	uint32_t listed_in[4][MAX_MACS]; /* pass + 1 of the last listing showing the pair */
	char first_bad[128];
	pthread_mutex_t lock; /* first_bad */
};

struct learner {
	struct conc *c;
	unsigned t;
	pthread_t thread;
};

static uint16_t vid_of(uint32_t i)
{
	return (uint16_t)(1 + i % 3);
}

static bool learner_has(const struct conc *c, unsigned t, uint32_t i)
{
	return i >= 2 * c->shared_from || (i >= c->shared_from) == (t == 1);
}

static void check_port(struct conc *c, uint32_t i, uint16_t p)
{
	if (p == SL_FDB_PORT_NONE)
		return;
	__atomic_fetch_add(&c->hits, 1, __ATOMIC_RELAXED);
	if (p / 4 == i && learner_has(c, p % 4 / 2, i))
		return;
	if (__atomic_fetch_add(&c->bad, 1, __ATOMIC_RELAXED) == 0) {
		pthread_mutex_lock(&c->lock);
		snprintf(c->first_bad, sizeof(c->first_bad), "MAC %u (vid %u) -> port %u", i,
			 vid_of(i), p);
		pthread_mutex_unlock(&c->lock);
	}
}

static void *learner_main(void *arg)
{
	struct learner *l = arg;
	struct conc *c = l->c;
	uint8_t mac[MAX_MACS][6];
	const uint8_t *macs[16];
	uint16_t vids[16], ports[16];
	uint64_t learns = 0;

	for (uint32_t i = 0; i < c->nb_macs; i++)
		mac_of(i, mac[i]);
	for (uint32_t round = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE); round++) {
		const uint32_t now = __atomic_load_n(&c->now, __ATOMIC_RELAXED);

		for (uint32_t i = 0; i < c->nb_macs; i++) {
			uint16_t port, got;

			if (!learner_has(c, l->t, i))
				continue;
			/* Ports change every few rounds: moves, between learners too. */
			port = (uint16_t)(4 * i + 2 * l->t + (round / 4 + i) % 2);
			sl_fdb_learn(c->fdb, vid_of(i), mac[i], port, now);
			learns++;
			/* Not lookup(): cmocka's asserts are for the main thread only. */
			if (sl_fdb_lookup(c->fdb, vid_of(i), mac[i], &got))
				check_port(c, i, got);
		}
		/* Every MAC, the other learner's too, by bursts. */
		for (uint32_t i = 0; i < c->nb_macs; i += 16) {
			const unsigned n = SL_MIN(16u, c->nb_macs - i);

			for (unsigned j = 0; j < n; j++) {
				macs[j] = mac[i + j];
				vids[j] = vid_of(i + j);
			}
			sl_fdb_lookup_burst(c->fdb, vids, macs, n, ports);
			for (unsigned j = 0; j < n; j++)
				check_port(c, i + j, ports[j]);
		}
	}
	__atomic_fetch_add(&c->learns, learns, __ATOMIC_RELAXED);
	return NULL;
}

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Lists the table, counting pairs listed twice.  Only this thread removes entries, and a
 * slot it lists is never given back (only fresh claims are, and those are not listed), so
 * a pair listed twice was in two slots at once. */
static void find_dups(struct conc *c, uint32_t pass)
{
	struct sl_fdb_entry e;
	uint32_t cursor = 0;

	while (sl_fdb_iterate(c->fdb, &cursor, &e)) {
		uint32_t i = (uint32_t)e.mac[4] << 8 | e.mac[5];

		if (i >= c->nb_macs || e.vid != vid_of(i)) {
			c->dups++; /* not a pair any thread learns: as bad */
			continue;
		}
		if (c->listed_in[e.vid][i] == pass + 1)
			c->dups++;
		c->listed_in[e.vid][i] = pass + 1;
	}
}

/* The control thread: the clock ticks every pass; entries unseen for 2 ticks age out,
 * every pass a VLAN or a port is flushed, then the table is
 * checked for duplicates. */
static void control_loop(struct conc *c)
{
	const uint64_t end = now_ns() + c->run_ns;
	const struct timespec pause = {0, c->pause_ns};
	const uint32_t n4 = 4 * c->nb_macs;
	uint32_t pass = 0;

	while (now_ns() < end) {
		const uint32_t now = __atomic_add_fetch(&c->now, 1, __ATOMIC_RELAXED);
		int n = sl_fdb_age(c->fdb, now, 2);

		assert_true(n >= 0);
		c->removals += (uint64_t)n;
		if (c->shared_from == 0 && pass % 2) /* narrow: a VLAN, or one random MAC */
			n = sl_fdb_flush(c->fdb, vid_of(pass / 2), -1);
		else if (c->shared_from == 0)
			n = sl_fdb_flush(c->fdb, -1, (int32_t)(splitmix(pass) % n4));
		else if (pass % 3 == 0)
			n = sl_fdb_flush(c->fdb, vid_of(pass), -1);
		else if (pass % 3 == 1)
			n = sl_fdb_flush(c->fdb, -1, (int32_t)(pass % n4));
		else
			n = sl_fdb_flush(c->fdb, vid_of(pass), (int32_t)((pass * 7) % n4));
		assert_true(n >= 0);
		c->removals += (uint64_t)n;
		find_dups(c, pass);
		pass++;
		nanosleep(&pause, NULL);
	}
	c->passes = pass;
}

/* After the run: no pair twice, the listing agrees with the counters, and no slot leaked
 * (a claim neither completed nor given back would leave a bucket fewer than 8 usable
 * slots: after a flush, every bucket must take exactly min(8, MACs that hash there)). */
static void check_after(struct conc *c)
{
	static bool listed_pair[4][MAX_MACS];
	static unsigned per_bucket[SL_FDB_CAPACITY_DEFAULT / SL_FDB_BUCKET_ENTRIES];
	const uint32_t nb_buckets = c->capacity / SL_FDB_BUCKET_ENTRIES;
	struct sl_fdb_entry e;
	struct sl_fdb_stats st;
	uint32_t cursor = 0, listed = 0;
	unsigned learned = 0, want = 0;
	uint8_t mac[6];

	assert_true(nb_buckets <= SL_ARRAY_SIZE(per_bucket));
	memset(listed_pair, 0, sizeof(listed_pair));
	while (sl_fdb_iterate(c->fdb, &cursor, &e)) {
		uint32_t i = (uint32_t)e.mac[4] << 8 | e.mac[5];

		assert_true(i < c->nb_macs);
		assert_int_equal(e.vid, vid_of(i));
		assert_false(listed_pair[e.vid][i]);
		listed_pair[e.vid][i] = true;
		assert_int_equal(e.port / 4, i);
		listed++;
	}
	assert_int_equal(sl_fdb_stats(c->fdb, &st), 0);
	assert_int_equal(listed, st.entries);
	assert_int_equal(st.learned - st.aged - st.flushed, listed);
	assert_int_equal(st.aged + st.flushed, c->removals);
	assert_true(st.moved > 0);

	assert_int_equal(sl_fdb_flush(c->fdb, -1, -1), (int)listed);
	memset(per_bucket, 0, sizeof(per_bucket));
	for (uint32_t i = 0; i < c->nb_macs; i++) {
		int rc;

		mac_of(i, mac);
		rc = sl_fdb_learn(c->fdb, vid_of(i), mac, (uint16_t)(4 * i), 0);
		assert_true(rc == SL_FDB_LEARNED || rc == SL_FDB_FULL);
		learned += rc == SL_FDB_LEARNED;
		per_bucket[sl_fdb__bucket_of(c->fdb, vid_of(i), mac)]++;
	}
	for (unsigned b = 0; b < nb_buckets; b++)
		want += SL_MIN(per_bucket[b], (unsigned)SL_FDB_BUCKET_ENTRIES);
	assert_int_equal(learned, want);
	print_message("fdb concurrent (%u MACs, %u slots): %u passes, %llu learns, %llu lookup "
		      "hits, %llu removals, %llu moves, %llu refused (full)\n",
		      c->nb_macs, c->capacity, c->passes, (unsigned long long)c->learns,
		      (unsigned long long)c->hits, (unsigned long long)c->removals,
		      (unsigned long long)st.moved, (unsigned long long)st.full);
}

static void run_concurrent(uint32_t nb_macs, uint32_t shared_from, uint32_t capacity,
			   uint64_t run_ns, long pause_ns)
{
	struct conc *c = calloc(1, sizeof(*c));
	struct learner l[2];

	assert_non_null(c);
	assert_true(nb_macs <= MAX_MACS && 2 * shared_from <= nb_macs);
	pthread_mutex_init(&c->lock, NULL);
	c->nb_macs = nb_macs;
	c->shared_from = shared_from;
	c->capacity = capacity;
	c->run_ns = run_ns;
	c->pause_ns = pause_ns;
	c->fdb = make("t_conc", capacity);
	assert_int_equal(sl_fdb_capacity(c->fdb), capacity);
	c->now = 1;
	for (unsigned t = 0; t < 2; t++) {
		l[t].c = c;
		l[t].t = t;
		assert_int_equal(pthread_create(&l[t].thread, NULL, learner_main, &l[t]), 0);
	}
	control_loop(c);
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	for (unsigned t = 0; t < 2; t++)
		assert_int_equal(pthread_join(l[t].thread, NULL), 0);

	if (c->bad)
		fail_msg("%llu of %llu lookup hits returned a port not learned for the MAC; "
			 "first: %s",
			 (unsigned long long)c->bad, (unsigned long long)c->hits, c->first_bad);
	assert_int_equal(c->dups, 0);
	assert_true(c->hits > 0);
	assert_true(c->removals > 0);
	check_after(c);
	sl_fdb_free(c->fdb);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void test_concurrent(void **state)
{
	(void)state;
	run_concurrent(900, 300, 1024, 700000000ull, 200000); /* wide, 0.7 s */
	run_concurrent(24, 0, 16, 300000000ull, 1000);	      /* narrow, 0.3 s */
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_lookup), cmocka_unit_test(test_two_vlans),
		cmocka_unit_test(test_move),	     cmocka_unit_test(test_refused),
		cmocka_unit_test(test_full_bucket),  cmocka_unit_test(test_age),
		cmocka_unit_test(test_flush),	     cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_burst),	     cmocka_unit_test(test_create),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests_name("fdb", tests, setup_logs, teardown_logs);
}
