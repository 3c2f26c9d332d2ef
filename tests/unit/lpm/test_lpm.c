/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 LPM: argument errors (with their log lines), default and host routes, replace,
 * delete restoring the covering route, group exhaustion and reuse, and differential
 * checks against a naive reference (a hash of (prefix, depth) probed from /32 down) over random and
 * Internet-like route sets, with at least 1M lookups per check through the single, bulk
 * and x4 calls.  With --big (slow suite): 1M routes added, checked, deleted, checked empty.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lpm_test.h"
#include "sl_lpm.h"
#include "sl_memory.h"

static uint32_t rnd32(void)
{
	return (uint32_t)(rnd() >> 32);
}

/* ---- the reference: routes, and per-depth sorted prefix lists for lookups ---- */

struct route {
	uint32_t ip;
	uint8_t depth;
	uint32_t nh;
	bool alive;
};

struct ref {
	struct route *r;
	size_t n;
	/* built by ref_build(): an open-addressing hash of (prefix << 8 | depth) + 1 */
	uint64_t *keys;
	uint32_t *vals;
	size_t mask;
	size_t count[33];
};

static uint32_t mask_of(unsigned d)
{
	return d == 0 ? 0 : ~0u << (32 - d);
}

static size_t ref_hash(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key;
}

static void ref_build(struct ref *f)
{
	size_t size = 16;

	free(f->keys);
	free(f->vals);
	memset(f->count, 0, sizeof(f->count));
	while (size < 2 * f->n + 2)
		size <<= 1;
	f->keys = calloc(size, sizeof(*f->keys));
	f->vals = calloc(size, sizeof(*f->vals));
	assert_true(f->keys != NULL && f->vals != NULL);
	f->mask = size - 1;
	for (size_t i = 0; i < f->n; i++) {
		const struct route *r = &f->r[i];
		uint64_t key = ((uint64_t)r->ip << 8 | r->depth) + 1;
		size_t s;

		if (!r->alive)
			continue;
		for (s = ref_hash(key) & f->mask; f->keys[s]; s = (s + 1) & f->mask)
			;
		f->keys[s] = key;
		f->vals[s] = r->nh;
		f->count[r->depth]++;
	}
}

/* Longest match: probe every depth in use from 32 down to 0. */
static uint32_t ref_lookup(const struct ref *f, uint32_t ip)
{
	for (int d = 32; d >= 0; d--) {
		uint64_t key;

		if (f->count[d] == 0)
			continue;
		key = ((uint64_t)(ip & mask_of((unsigned)d)) << 8 | (unsigned)d) + 1;
		for (size_t s = ref_hash(key) & f->mask; f->keys[s]; s = (s + 1) & f->mask)
			if (f->keys[s] == key)
				return f->vals[s];
	}
	return MISS;
}

static void ref_free(struct ref *f)
{
	free(f->keys);
	free(f->vals);
	free(f->r);
	memset(f, 0, sizeof(*f));
}

/* Sorting routes by (ip, depth) to drop duplicates. */
static int cmp_route(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return (int)x->depth - (int)y->depth;
}

/* Shuffles routes (Fisher-Yates) so adds and deletes happen in random order. */
static void shuffle(struct route *r, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		struct route t = r[i - 1];
		r[i - 1] = r[j];
		r[j] = t;
	}
}

/* Depth for an Internet-like IPv4 table (shares in per mille). */
static unsigned realistic_depth(void)
{
	static const struct {
		unsigned depth, permille;
	} mix[] = {
		{24, 600}, {23, 80}, {22, 100}, {21, 40}, {20, 40}, {19, 30}, {18, 20},
		{17, 15}, {16, 30}, {0, 5} /* 8-15 */, {32, 10}, {30, 10}, {0, 20} /* 25-31 */,
	};
	unsigned x = (unsigned)(rnd() % 1000), acc = 0;

	for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
		acc += mix[i].permille;
		if (x < acc) {
			if (mix[i].depth)
				return mix[i].depth;
			return i == 9 ? 8 + (unsigned)(rnd() % 8) : 25 + (unsigned)(rnd() % 7);
		}
	}
	return 24;
}

/* n unique routes; realistic: Internet mix in 1.0.0.0-223.255.255.255, else depths 0-32. */
static void gen_routes(struct ref *f, size_t n, bool realistic)
{
	size_t m = 0;

	f->r = calloc(n, sizeof(*f->r));
	assert_non_null(f->r);
	while (m < n) {
		for (size_t i = m; i < n; i++) {
			unsigned d = realistic ? realistic_depth() : (unsigned)(rnd() % 33);
			uint32_t ip = rnd32();

			if (realistic)
				ip = (ip % (223u << 24)) + (1u << 24);
			f->r[i] = (struct route){ip & mask_of(d), (uint8_t)d, rnd32() & 0xffffff,
						 true};
		}
		qsort(f->r, n, sizeof(*f->r), cmp_route);
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (m == 0 || cmp_route(&f->r[m - 1], &f->r[i]) != 0)
				f->r[m++] = f->r[i];
	}
	f->n = n;
	shuffle(f->r, n);
}

/*
 * Checks `count` addresses: half uniform, half inside random routes (so deep routes are
 * exercised), through sl_lpm_lookup, sl_lpm_lookup_bulk and sl_lpm_lookup_x4.
 */
static void check_lookups(const struct sl_lpm *lpm, const struct ref *f, size_t count)
{
	enum { BATCH = 256 };
	uint32_t ips[BATCH], want[BATCH], bulk[BATCH], x4[BATCH];
	size_t bad = 0;

	for (size_t done = 0; done < count; done += BATCH) {
		unsigned want_hits = 0, hits;

		for (unsigned i = 0; i < BATCH; i++) {
			uint32_t ip = rnd32();

			if ((i & 1) && f->n > 0) {
				const struct route *r = &f->r[rnd() % f->n];
				ip = r->ip | (ip & ~mask_of(r->depth));
			}
			ips[i] = ip;
			want[i] = ref_lookup(f, ip);
			want_hits += want[i] != MISS;
		}
		hits = sl_lpm_lookup_bulk(lpm, ips, bulk, BATCH, MISS);
		for (unsigned i = 0; i < BATCH; i += 4)
			sl_lpm_lookup_x4(lpm, &ips[i], &x4[i], MISS);
		for (unsigned i = 0; i < BATCH; i++) {
			uint32_t nh = 0;
			int rc = sl_lpm_lookup(lpm, ips[i], &nh);
			uint32_t one = rc == 0 ? nh : MISS;

			if (one != want[i] || bulk[i] != want[i] || x4[i] != want[i]) {
				if (bad++ < 5)
					print_message("ip 0x%08x: want 0x%x, lookup 0x%x (rc %d), "
						      "bulk 0x%x, x4 0x%x\n",
						      ips[i], want[i], one, rc, bulk[i], x4[i]);
			}
		}
		assert_int_equal(hits, want_hits);
		/* A burst of any length from any start: the prefetch pass and the resolve pass
		 * must cover exactly the same addresses. */
		{
			unsigned first = (unsigned)(rnd() % 8),
				 m = (unsigned)(rnd() % (BATCH - first));
			unsigned part_hits = 0;

			bulk[first + m] = 0x5a5a5a5au; /* must survive: one past the burst */
			hits = sl_lpm_lookup_bulk(lpm, ips + first, bulk + first, m, MISS);
			for (unsigned i = first; i < first + m; i++) {
				part_hits += want[i] != MISS;
				bad += bulk[i] != want[i];
			}
			assert_int_equal(hits, part_hits);
			if (first + m < BATCH)
				assert_int_equal(bulk[first + m], 0x5a5a5a5au);
		}
	}
	assert_int_equal(sl_lpm_lookup_bulk(lpm, ips, bulk, 0, MISS), 0);
	assert_int_equal(bad, 0);
}

static struct sl_lpm *make(const char *name, uint32_t max_rules, uint32_t groups)
{
	struct sl_lpm_config cfg = {.max_rules = max_rules, .groups = groups};
	struct sl_lpm *lpm = sl_lpm_create(name, SL_NODE_ANY, &cfg);

	assert_non_null(lpm);
	return lpm;
}

static void add_all(struct sl_lpm *lpm, const struct ref *f)
{
	for (size_t i = 0; i < f->n; i++)
		assert_int_equal(sl_lpm_add(lpm, f->r[i].ip, f->r[i].depth, f->r[i].nh), 0);
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* ---- tests ---- */

static void test_bad_args(void **state)
{
	struct sl_lpm_config cfg = {.max_rules = 16, .groups = 4};
	struct sl_lpm *lpm;
	uint32_t nh;

	(void)state;
	errno = 0;
	assert_null(sl_lpm_create(NULL, SL_NODE_ANY, &cfg));
	assert_int_equal(errno, EINVAL);
	expect_log("name is NULL", NULL);
	errno = 0;
	assert_null(sl_lpm_create("a_name_that_is_far_too_long_for_a_zone", SL_NODE_ANY, &cfg));
	assert_int_equal(errno, ENAMETOOLONG); /* as rings, pools, hash tables and zones */
	expect_log("lpm name 'a_name_that_is_far_too_long_for_a_zone' is 38 characters long",
		   "use at most 27");
	assert_null(sl_lpm_create("t4", SL_NODE_ANY, NULL));
	expect_log("config is NULL", NULL);
	cfg.max_rules = 0;
	assert_null(sl_lpm_create("t4", SL_NODE_ANY, &cfg));
	expect_log("max_rules 0", "use 1 to");
	cfg.max_rules = 16;
	cfg.groups = 0;
	assert_null(sl_lpm_create("t4", SL_NODE_ANY, &cfg));
	expect_log("groups 0", "use 1 to");
	cfg.groups = 4;

	lpm = sl_lpm_create("t4", SL_NODE_ANY, &cfg);
	assert_non_null(lpm);
	errno = 0;
	assert_null(sl_lpm_create("t4", SL_NODE_ANY, &cfg));
	assert_int_equal(errno, EEXIST);
	expect_log("'t4' is already in use", NULL);

	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 0, 0), 33, 1), -EINVAL);
	expect_log("depth 33", "use 0 to 32");
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 0, 0), 40), -EINVAL);
	expect_log("depth 40", "delete");
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 0, 0), 8, 0x1000000), -EINVAL);
	expect_log("next hop 16777216", "24 bits");
	assert_int_equal(sl_lpm_add(NULL, IP4(10, 0, 0, 0), 8, 1), -EINVAL);
	expect_log("table is NULL", NULL);
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 0, 0, 0), 8), -ENOENT);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 0, 0, 1), &nh), -ENOENT);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 0, 0, 0), 8, SL_LPM_MAX_NEXT_HOP), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 9, 8, 7), &nh), 0);
	assert_int_equal(nh, SL_LPM_MAX_NEXT_HOP);
	sl_lpm_free(lpm);
	sl_lpm_free(NULL);
}

static void test_basic(void **state)
{
	struct sl_lpm *lpm = make("t4basic", 64, 16);
	struct sl_lpm_stats st;
	uint32_t nh, ips[4], out[4];

	(void)state;
	/* Default route: everything hits. */
	assert_int_equal(sl_lpm_add(lpm, 0x12345678, 0, 7), 0);
	assert_int_equal(sl_lpm_lookup(lpm, 0, &nh), 0);
	assert_int_equal(nh, 7);
	assert_int_equal(sl_lpm_lookup(lpm, 0xffffffff, &nh), 0);
	assert_int_equal(nh, 7);
	/* Nested /8, /16, /24, /28, /32; bits past the depth are ignored. */
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 1, 2, 3), 8, 8), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 1, 0, 0), 16, 16), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 1, 2, 0), 24, 24), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 1, 2, 16), 28, 28), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 1, 2, 17), 32, 32), 0);
	assert_int_equal(sl_lpm_rule_get(lpm, IP4(10, 0, 0, 0), 8, &nh), 0);
	assert_int_equal(nh, 8);
	ips[0] = IP4(10, 1, 2, 17);
	ips[1] = IP4(10, 1, 2, 18);
	ips[2] = IP4(10, 1, 2, 40);
	ips[3] = IP4(10, 1, 3, 1);
	sl_lpm_lookup_x4(lpm, ips, out, MISS);
	assert_int_equal(out[0], 32);
	assert_int_equal(out[1], 28);
	assert_int_equal(out[2], 24);
	assert_int_equal(out[3], 16);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.rules, 6);
	assert_int_equal(st.groups_used, 1);

	/* Replace: same prefix, new next hop, no new rule. */
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 1, 2, 16), 28, 280), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 2, 18), &nh), 0);
	assert_int_equal(nh, 280);
	assert_int_equal(sl_lpm_add(lpm, IP4(10, 1, 0, 0), 16, 160), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 3, 1), &nh), 0);
	assert_int_equal(nh, 160);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 2, 17), &nh), 0);
	assert_int_equal(nh, 32);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.rules, 6);

	/* Deletes fall back to the covering route. */
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 1, 2, 16), 28), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 2, 18), &nh), 0);
	assert_int_equal(nh, 24);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 2, 17), &nh), 0);
	assert_int_equal(nh, 32);
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 1, 2, 0), 24), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 2, 18), &nh), 0);
	assert_int_equal(nh, 160);
	assert_int_equal(sl_lpm_delete(lpm, IP4(10, 1, 2, 17), 32), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 2, 17), &nh), 0);
	assert_int_equal(nh, 160);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.groups_used, 0); /* the group collapsed back */
	assert_int_equal(sl_lpm_delete(lpm, 0, 0), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(11, 0, 0, 1), &nh), -ENOENT);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 200, 0, 1), &nh), 0);
	assert_int_equal(nh, 8);
	/* Host route under nothing else, then its delete empties the group. */
	assert_int_equal(sl_lpm_add(lpm, IP4(192, 0, 2, 1), 32, 99), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(192, 0, 2, 1), &nh), 0);
	assert_int_equal(nh, 99);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(192, 0, 2, 2), &nh), -ENOENT);
	assert_int_equal(sl_lpm_delete(lpm, IP4(192, 0, 2, 1), 32), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(192, 0, 2, 1), &nh), -ENOENT);
	sl_lpm_delete_all(lpm);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(10, 1, 1, 1), &nh), -ENOENT);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	sl_lpm_free(lpm);
}

static void test_full(void **state)
{
	struct sl_lpm *lpm = make("t4full", 8, 4);
	struct sl_lpm_stats st;
	uint32_t nh;

	(void)state;
	assert_int_equal(sl_lpm_add(lpm, IP4(20, 0, 0, 0), 8, 5), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(sl_lpm_add(lpm, IP4(20, 0, i, 128), 25, 100 + i), 0);
	/* A fifth /24 needing a group: -ENOSPC, logged, table unchanged. */
	assert_int_equal(sl_lpm_add(lpm, IP4(20, 0, 9, 128), 25, 109), -ENOSPC);
	expect_log("all 4 tbl8 groups are in use", "20.0.9.128/25");
	assert_int_equal(sl_lpm_lookup(lpm, IP4(20, 0, 9, 200), &nh), 0);
	assert_int_equal(nh, 5);
	assert_int_equal(sl_lpm_rule_get(lpm, IP4(20, 0, 9, 128), 25, &nh), -ENOENT);
	/* A second route in an existing group needs no new group. */
	assert_int_equal(sl_lpm_add(lpm, IP4(20, 0, 1, 0), 26, 201), 0);
	/* Free one group, then the add fits. */
	assert_int_equal(sl_lpm_delete(lpm, IP4(20, 0, 0, 128), 25), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(20, 0, 9, 128), 25, 109), 0);
	assert_int_equal(sl_lpm_lookup(lpm, IP4(20, 0, 9, 200), &nh), 0);
	assert_int_equal(nh, 109);
	/* max_rules = 8: 6 routes now, two more fit, then -ENOSPC. */
	assert_int_equal(sl_lpm_add(lpm, IP4(30, 0, 0, 0), 8, 6), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(40, 0, 0, 0), 8, 6), 0);
	assert_int_equal(sl_lpm_add(lpm, IP4(50, 0, 0, 0), 8, 6), -ENOSPC);
	expect_log("max_rules 8", "raise max_rules");
	/* Replacing an existing route still works when full. */
	assert_int_equal(sl_lpm_add(lpm, IP4(30, 0, 0, 0), 8, 66), 0);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.rules, 8);
	assert_int_equal(st.groups_used, 4);
	sl_lpm_free(lpm);
}

/* Adds, checks, deletes half in random order, checks, replaces, checks. */
static void differential(const char *name, size_t nroutes, bool realistic, uint64_t seed)
{
	struct ref f = {0};
	struct sl_lpm *lpm = make(name, (uint32_t)nroutes, 1u << 16);
	struct sl_lpm_stats st;

	rng_state = seed;
	gen_routes(&f, nroutes, realistic);
	add_all(lpm, &f);
	ref_build(&f);
	sl_lpm_stats(lpm, &st);
	print_message("%s: %zu routes, %u tbl8 groups used, %zu bytes (%.1f MiB)\n", name,
		      nroutes, st.groups_used, sl_lpm_memory(lpm), sl_lpm_memory(lpm) / 1048576.0);
	assert_int_equal(st.rules, nroutes);
	check_lookups(lpm, &f, CHECK_LOOKUPS);

	/* Delete half, in random order. */
	shuffle(f.r, f.n);
	for (size_t i = 0; i < f.n / 2; i++) {
		assert_int_equal(sl_lpm_delete(lpm, f.r[i].ip, f.r[i].depth), 0);
		f.r[i].alive = false;
	}
	for (size_t i = 0; i < f.n / 2; i++)
		assert_int_equal(sl_lpm_delete(lpm, f.r[i].ip, f.r[i].depth), -ENOENT);
	memmove(f.r, f.r + f.n / 2, (f.n - f.n / 2) * sizeof(*f.r));
	f.n -= f.n / 2;
	ref_build(&f);
	check_lookups(lpm, &f, CHECK_LOOKUPS);

	/* Replace a quarter of the rest with new next hops, re-add none twice. */
	for (size_t i = 0; i < f.n / 4; i++) {
		f.r[i].nh = rnd32() & 0xffffff;
		assert_int_equal(sl_lpm_add(lpm, f.r[i].ip, f.r[i].depth, f.r[i].nh), 0);
	}
	ref_build(&f);
	check_lookups(lpm, &f, CHECK_LOOKUPS);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.rules, f.n);

	/* Delete the rest: every lookup misses and no group is left. */
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(sl_lpm_delete(lpm, f.r[i].ip, f.r[i].depth), 0);
	f.n = 0;
	ref_build(&f);
	check_lookups(lpm, &f, 1u << 16);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	ref_free(&f);
	sl_lpm_free(lpm);
}

static void test_diff_random(void **state)
{
	(void)state;
	differential("t4rand", 20000, false, 0x1234567);
}

static void test_diff_realistic(void **state)
{
	(void)state;
	differential("t4real", 100000, true, 0xabcdef);
}

/* Slow suite: 1M routes in, sample checked, all deleted, table empty. */
static void test_million(void **state)
{
	const size_t n = 1000000;
	struct ref f = {0};
	struct sl_lpm *lpm = make("t4big", (uint32_t)n, 1u << 16);
	struct sl_lpm_stats st;

	(void)state;
	rng_state = 0x5eed;
	gen_routes(&f, n, true);
	add_all(lpm, &f);
	ref_build(&f);
	sl_lpm_stats(lpm, &st);
	print_message("1M IPv4 routes: %u tbl8 groups used, %zu bytes (%.1f MiB)\n",
		      st.groups_used, st.bytes, st.bytes / 1048576.0);
	assert_int_equal(st.rules, n);
	check_lookups(lpm, &f, CHECK_LOOKUPS);
	shuffle(f.r, f.n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sl_lpm_delete(lpm, f.r[i].ip, f.r[i].depth), 0);
	sl_lpm_stats(lpm, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	for (size_t i = 0; i < n; i++)
		f.r[i].alive = false;
	ref_build(&f); /* empty: every check expects a miss */
	check_lookups(lpm, &f, CHECK_LOOKUPS);
	ref_free(&f);
	sl_lpm_free(lpm);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest fast[] = {
		cmocka_unit_test_setup_teardown(test_bad_args, setup_logs, teardown_logs),
		cmocka_unit_test_setup_teardown(test_basic, setup_logs, teardown_logs),
		cmocka_unit_test_setup_teardown(test_full, setup_logs, teardown_logs),
		cmocka_unit_test(test_diff_random),
		cmocka_unit_test(test_diff_realistic),
	};
	const struct CMUnitTest big[] = {
		cmocka_unit_test(test_million),
	};

	if (argc > 1 && strcmp(argv[1], "--big") == 0)
		return cmocka_run_group_tests_name("lpm_1m", big, NULL, NULL);
	return cmocka_run_group_tests_name("lpm", fast, NULL, NULL);
}
