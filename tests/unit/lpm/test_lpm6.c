/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 LPM: argument errors (with their log lines), default and /128 host routes,
 * replace, delete restoring the covering route, group exhaustion (-ENOSPC, table
 * unchanged), and differential checks against a naive reference (a per-depth hash of
 * prefixes probed from /128 down to /0) over random and Internet-like route sets, with
 * at least 1M lookups per check through the single and bulk calls (bursts of every
 * length; small tables take the bulk call's serial walk, large ones its level-by-level
 * walk, and each test asserts which).
 * With --big (slow suite): 1M routes added, checked, deleted, checked empty.
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
#include "sl_lpm6.h"
#include "sl_memory.h"

static void rnd_ip(uint8_t ip[16])
{
	uint64_t a = rnd(), b = rnd();

	memcpy(ip, &a, 8);
	memcpy(ip + 8, &b, 8);
}

static void mask(uint8_t out[16], const uint8_t in[16], unsigned depth)
{
	for (unsigned i = 0; i < 16; i++) {
		if (depth >= 8) {
			out[i] = in[i];
			depth -= 8;
		} else {
			out[i] = (uint8_t)(in[i] & (0xff00u >> depth));
			depth = 0;
		}
	}
}

/* out = prefix bits of p (depth d), host bits of h. */
static void inside(uint8_t out[16], const uint8_t p[16], unsigned d, const uint8_t h[16])
{
	uint8_t m[16], all[16];

	memset(all, 0xff, 16);
	mask(m, all, d);
	for (unsigned i = 0; i < 16; i++)
		out[i] = (uint8_t)((p[i] & m[i]) | (h[i] & ~m[i]));
}

/* ---- the reference: routes plus one open-addressing hash of (prefix, depth) ---- */

struct route {
	uint8_t ip[16];
	uint8_t depth;
	bool alive;
	uint32_t nh;
};

/* A reference entry: the prefix as two host-order halves. */
struct ref_slot {
	uint64_t hi, lo;
	uint32_t depth; /* depth + 1; 0 = empty */
	uint32_t nh;
};

struct ref {
	struct route *r;
	size_t n;
	/* built by ref_build() */
	struct ref_slot *slots;
	size_t mask;
	size_t count[129];
};

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static size_t ref_hash(uint64_t hi, uint64_t lo, unsigned depth)
{
	return (size_t)mix(hi * 31 + mix(lo + depth));
}

/* Prefix halves of (hi, lo) for a depth. */
static void ref_mask(uint64_t *hi, uint64_t *lo, unsigned d)
{
	if (d <= 64) {
		*hi = d == 0 ? 0 : *hi & (~0ull << (64 - d));
		*lo = 0;
	} else {
		*lo &= ~0ull << (128 - d);
	}
}

static void ref_build(struct ref *f)
{
	size_t size = 16;

	free(f->slots);
	memset(f->count, 0, sizeof(f->count));
	while (size < 2 * f->n + 2)
		size <<= 1;
	f->slots = calloc(size, sizeof(*f->slots));
	assert_non_null(f->slots);
	f->mask = size - 1;
	for (size_t i = 0; i < f->n; i++) {
		const struct route *r = &f->r[i];
		uint64_t hi = be64(r->ip), lo = be64(r->ip + 8);
		size_t s;

		if (!r->alive)
			continue;
		for (s = ref_hash(hi, lo, r->depth) & f->mask; f->slots[s].depth;
		     s = (s + 1) & f->mask)
			;
		f->slots[s] = (struct ref_slot){hi, lo, r->depth + 1u, r->nh};
		f->count[r->depth]++;
	}
}

/* Longest match: probe every depth in use from 128 down to 0. */
static uint32_t ref_lookup(const struct ref *f, const uint8_t ip[16])
{
	const uint64_t ahi = be64(ip), alo = be64(ip + 8);

	for (int d = 128; d >= 0; d--) {
		uint64_t hi = ahi, lo = alo;

		if (f->count[d] == 0)
			continue;
		ref_mask(&hi, &lo, (unsigned)d);
		for (size_t s = ref_hash(hi, lo, (unsigned)d) & f->mask; f->slots[s].depth;
		     s = (s + 1) & f->mask)
			if (f->slots[s].depth == (unsigned)d + 1 && f->slots[s].hi == hi &&
			    f->slots[s].lo == lo)
				return f->slots[s].nh;
	}
	return MISS;
}

static void ref_free(struct ref *f)
{
	free(f->slots);
	free(f->r);
	memset(f, 0, sizeof(*f));
}

static int cmp_route(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	int c = memcmp(x->ip, y->ip, 16);

	return c ? c : (int)x->depth - (int)y->depth;
}

static void shuffle(struct route *r, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		struct route t = r[i - 1];
		r[i - 1] = r[j];
		r[j] = t;
	}
}

/* Depth for an Internet-like IPv6 table (per mille). */
static unsigned realistic_depth(void)
{
	static const unsigned mix[][2] = {
		{48, 480}, {32, 110}, {40, 70}, {44, 100}, {56, 60}, {64, 50}, {36, 30},
		{29, 40},  {128, 10}, {0, 50} /* any of 20-63 */,
	};
	unsigned x = (unsigned)(rnd() % 1000), acc = 0;

	for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
		acc += mix[i][1];
		if (x < acc)
			return mix[i][0] ? mix[i][0] : 20 + (unsigned)(rnd() % 44);
	}
	return 48;
}

/*
 * n unique routes.  realistic: under 2000::/3, clustered below n / 50 allocation /32s
 * the way provider blocks hold many customer /48s; else uniform depths 0-128.
 */
static void gen_routes(struct ref *f, size_t n, bool realistic)
{
	const size_t nparents = n / 50 + 1;
	uint8_t (*parents)[16] = malloc(nparents * 16);
	size_t m = 0;

	assert_non_null(parents);
	for (size_t i = 0; i < nparents; i++) {
		rnd_ip(parents[i]);
		parents[i][0] = (uint8_t)(0x20 | (parents[i][0] & 0x1f));
	}
	f->r = calloc(n, sizeof(*f->r));
	assert_non_null(f->r);
	while (m < n) {
		for (size_t i = m; i < n; i++) {
			unsigned d = realistic ? realistic_depth() : (unsigned)(rnd() % 129);
			uint8_t ip[16];

			rnd_ip(ip);
			if (realistic && d > 32)
				inside(ip, parents[rnd() % nparents], 32, ip);
			else if (realistic)
				ip[0] = (uint8_t)(0x20 | (ip[0] & 0x1f));
			mask(f->r[i].ip, ip, d);
			f->r[i].depth = (uint8_t)d;
			f->r[i].nh = (uint32_t)rnd() & 0xffffff;
			f->r[i].alive = true;
		}
		qsort(f->r, n, sizeof(*f->r), cmp_route);
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (m == 0 || cmp_route(&f->r[m - 1], &f->r[i]) != 0)
				f->r[m++] = f->r[i];
	}
	free(parents);
	f->n = n;
	shuffle(f->r, n);
}

/* count addresses, half uniform and half inside random routes: single and bulk calls. */
static void check_lookups(const struct sl_lpm6 *lpm, const struct ref *f, size_t count)
{
	enum { BATCH = 256 };
	uint8_t ips[BATCH][16];
	uint32_t want[BATCH], bulk[BATCH];
	size_t bad = 0;

	for (size_t done = 0; done < count; done += BATCH) {
		unsigned want_hits = 0, hits;

		for (unsigned i = 0; i < BATCH; i++) {
			rnd_ip(ips[i]);
			if ((i & 1) && f->n > 0) {
				const struct route *r = &f->r[rnd() % f->n];
				inside(ips[i], r->ip, r->depth, ips[i]);
			}
			want[i] = ref_lookup(f, ips[i]);
			want_hits += want[i] != MISS;
		}
		hits = sl_lpm6_lookup_bulk(lpm, (const uint8_t(*)[16])ips, bulk, BATCH, MISS);
		for (unsigned i = 0; i < BATCH; i++) {
			uint32_t nh = 0;
			int rc = sl_lpm6_lookup(lpm, ips[i], &nh);
			uint32_t one = rc == 0 ? nh : MISS;

			if ((one != want[i] || bulk[i] != want[i]) && bad++ < 5)
				print_message(
					"addr %02x%02x:%02x%02x:%02x%02x:%02x%02x..: want 0x%x, "
					"lookup 0x%x, bulk 0x%x\n",
					ips[i][0], ips[i][1], ips[i][2], ips[i][3], ips[i][4],
					ips[i][5], ips[i][6], ips[i][7], want[i], one, bulk[i]);
		}
		assert_int_equal(hits, want_hits);
		/* Bursts of any length from any start: whole 64-address chunks plus a partial
		 * one, through whichever walk the table size selects. */
		{
			unsigned first = (unsigned)(rnd() % 8),
				 m = (unsigned)(rnd() % (BATCH - first));
			unsigned part_hits = 0;

			bulk[first + m] = 0x5a5a5a5au; /* must survive: one past the burst */
			hits = sl_lpm6_lookup_bulk(lpm, (const uint8_t(*)[16])ips + first,
						   bulk + first, m, MISS);
			for (unsigned i = first; i < first + m; i++) {
				part_hits += want[i] != MISS;
				bad += bulk[i] != want[i];
			}
			assert_int_equal(hits, part_hits);
			if (first + m < BATCH)
				assert_int_equal(bulk[first + m], 0x5a5a5a5au);
		}
	}
	assert_int_equal(sl_lpm6_lookup_bulk(lpm, (const uint8_t(*)[16])ips, bulk, 0, MISS), 0);
	assert_int_equal(bad, 0);
}

static struct sl_lpm6 *make(const char *name, uint32_t max_rules, uint32_t groups)
{
	struct sl_lpm6_config cfg = {.max_rules = max_rules, .groups = groups};
	struct sl_lpm6 *lpm = sl_lpm6_create(name, SL_NODE_ANY, &cfg);

	assert_non_null(lpm);
	return lpm;
}

static void parse(uint8_t ip[16], const char *s)
{
	/* Test addresses are written in full as 8 hex groups. */
	unsigned g[8];

	assert_int_equal(sscanf(s, "%x:%x:%x:%x:%x:%x:%x:%x", &g[0], &g[1], &g[2], &g[3], &g[4],
				&g[5], &g[6], &g[7]),
			 8);
	for (int i = 0; i < 8; i++) {
		ip[2 * i] = (uint8_t)(g[i] >> 8);
		ip[2 * i + 1] = (uint8_t)g[i];
	}
}

static uint32_t get(const struct sl_lpm6 *lpm, const char *s)
{
	uint8_t ip[16];
	uint32_t nh;

	parse(ip, s);
	return sl_lpm6_lookup(lpm, ip, &nh) == 0 ? nh : MISS;
}

static int add(struct sl_lpm6 *lpm, const char *s, unsigned depth, uint32_t nh)
{
	uint8_t ip[16];

	parse(ip, s);
	return sl_lpm6_add(lpm, ip, (uint8_t)depth, nh);
}

static int del(struct sl_lpm6 *lpm, const char *s, unsigned depth)
{
	uint8_t ip[16];

	parse(ip, s);
	return sl_lpm6_delete(lpm, ip, (uint8_t)depth);
}

/* ---- tests ---- */

static void test_bad_args(void **state)
{
	struct sl_lpm6_config cfg = {.max_rules = 4, .groups = 20};
	struct sl_lpm6 *lpm;
	uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8};

	(void)state;
	errno = 0;
	assert_null(sl_lpm6_create("", SL_NODE_ANY, &cfg));
	assert_int_equal(errno, EINVAL);
	expect_log("name is empty", NULL);
	errno = 0;
	assert_null(sl_lpm6_create("a_name_that_is_far_too_long_for_a_zone", SL_NODE_ANY, &cfg));
	assert_int_equal(errno, ENAMETOOLONG);
	expect_log("lpm6 name 'a_name_that_is_far_too_long_for_a_zone' is 38 characters long",
		   "use at most 27");
	cfg.groups = 1u << 25;
	assert_null(sl_lpm6_create("t6", SL_NODE_ANY, &cfg));
	expect_log("groups 33554432", "use 1 to 16777216");
	cfg.groups = 20;
	lpm = sl_lpm6_create("t6", SL_NODE_ANY, &cfg);
	assert_non_null(lpm);
	assert_null(sl_lpm6_create("t6", SL_NODE_ANY, &cfg));
	assert_int_equal(errno, EEXIST);
	expect_log("already in use", NULL);

	assert_int_equal(sl_lpm6_add(lpm, ip, 129, 1), -EINVAL);
	expect_log("depth 129", "use 0 to 128");
	assert_int_equal(sl_lpm6_delete(lpm, ip, 200), -EINVAL);
	expect_log("depth 200", NULL);
	assert_int_equal(sl_lpm6_add(lpm, NULL, 32, 1), -EINVAL);
	expect_log("address is NULL", NULL);
	assert_int_equal(sl_lpm6_add(NULL, ip, 32, 1), -EINVAL);
	expect_log("table is NULL", NULL);
	assert_int_equal(sl_lpm6_add(lpm, ip, 32, 1u << 24), -EINVAL);
	expect_log("next hop 16777216", "24 bits");
	assert_int_equal(sl_lpm6_delete(lpm, ip, 32), -ENOENT);

	/* 20 groups: a /128 under nothing needs 13; a second one under another /24 too. */
	assert_int_equal(add(lpm, "2001:db8:0:0:0:0:0:1", 128, 1), 0);
	assert_int_equal(add(lpm, "2400:cb00:0:0:0:0:0:1", 128, 2), -ENOSPC);
	expect_log("needs 13 tbl8 groups but 7 of 20 are free", "2400:cb00:0:0:0:0:0:1/128");
	assert_int_equal(get(lpm, "2400:cb00:0:0:0:0:0:1"), MISS);
	/* Sharing the first 120 bits needs no group at all. */
	assert_int_equal(add(lpm, "2001:db8:0:0:0:0:0:2", 128, 3), 0);
	assert_int_equal(get(lpm, "2001:db8:0:0:0:0:0:2"), 3);
	assert_int_equal(get(lpm, "2001:db8:0:0:0:0:0:1"), 1);
	/* max_rules 4. */
	assert_int_equal(add(lpm, "3000:0:0:0:0:0:0:0", 8, 4), 0);
	assert_int_equal(add(lpm, "4000:0:0:0:0:0:0:0", 8, 5), 0);
	assert_int_equal(add(lpm, "5000:0:0:0:0:0:0:0", 8, 6), -ENOSPC);
	expect_log("max_rules 4", "raise max_rules");
	sl_lpm6_free(lpm);
	sl_lpm6_free(NULL);
}

static void test_basic(void **state)
{
	struct sl_lpm6 *lpm = make("t6basic", 64, 64);
	struct sl_lpm6_stats st;

	(void)state;
	assert_int_equal(add(lpm, "ffff:0:0:0:0:0:0:0", 0, 7), 0); /* default route */
	assert_int_equal(get(lpm, "0:0:0:0:0:0:0:0"), 7);
	assert_int_equal(get(lpm, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 7);
	assert_int_equal(add(lpm, "2001:db8:0:0:0:0:0:0", 32, 32), 0);
	assert_int_equal(add(lpm, "2001:db8:1:0:0:0:0:0", 48, 48), 0);
	assert_int_equal(add(lpm, "2001:db8:1:2:0:0:0:0", 64, 64), 0);
	assert_int_equal(add(lpm, "2001:db8:1:2:0:0:0:5", 128, 128), 0);
	assert_int_equal(add(lpm, "2001:db8:1:2:0:0:0:0", 125, 125), 0);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), 128);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:4"), 125);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:8"), 64);
	assert_int_equal(get(lpm, "2001:db8:1:3:0:0:0:8"), 48);
	assert_int_equal(get(lpm, "2001:db8:2:3:0:0:0:8"), 32);
	assert_int_equal(get(lpm, "2001:db9:2:3:0:0:0:8"), 7);
	/* Replace. */
	assert_int_equal(add(lpm, "2001:db8:1:ffff:0:0:0:0", 48, 480), 0);
	assert_int_equal(get(lpm, "2001:db8:1:3:0:0:0:8"), 480);
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.rules, 6);
	/* Deletes fall back. */
	assert_int_equal(del(lpm, "2001:db8:1:2:0:0:0:5", 128), 0);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), 125);
	assert_int_equal(del(lpm, "2001:db8:1:2:0:0:0:0", 64), 0);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), 125);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:9"), 480);
	assert_int_equal(del(lpm, "2001:db8:1:2:0:0:0:0", 125), 0);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), 480);
	assert_int_equal(del(lpm, "2001:db8:1:0:0:0:0:0", 48), 0);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), 32);
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.groups_used, 1); /* the /32's level-1 group (bits 24-31) */
	assert_int_equal(del(lpm, "2001:db8:0:0:0:0:0:0", 32), 0);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), 7);
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.groups_used, 0);
	assert_int_equal(del(lpm, "0:0:0:0:0:0:0:0", 0), 0);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), MISS);
	assert_int_equal(add(lpm, "2001:db8:1:2:0:0:0:5", 128, 9), 0);
	sl_lpm6_delete_all(lpm);
	assert_int_equal(get(lpm, "2001:db8:1:2:0:0:0:5"), MISS);
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	sl_lpm6_free(lpm);
}

/* Which bulk walk the filled table must select (see SL_LPM6__SERIAL_GROUPS). */
enum walk { SERIAL, INTERLEAVED };

static void differential(const char *name, size_t nroutes, bool realistic, uint32_t groups,
			 uint64_t seed, enum walk walk)
{
	struct ref f = {0};
	struct sl_lpm6 *lpm = make(name, (uint32_t)nroutes, groups);
	struct sl_lpm6_stats st;

	rng_state = seed;
	gen_routes(&f, nroutes, realistic);
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(sl_lpm6_add(lpm, f.r[i].ip, f.r[i].depth, f.r[i].nh), 0);
	ref_build(&f);
	sl_lpm6_stats(lpm, &st);
	print_message("%s: %zu routes, %u of %u groups used, %zu bytes (%.1f MiB)\n", name,
		      nroutes, st.groups_used, st.groups, st.bytes, st.bytes / 1048576.0);
	assert_int_equal(st.rules, nroutes);
	if (walk == SERIAL)
		assert_true(st.groups_used <= SL_LPM6__SERIAL_GROUPS);
	else
		assert_true(st.groups_used > SL_LPM6__SERIAL_GROUPS);
	check_lookups(lpm, &f, CHECK_LOOKUPS);

	shuffle(f.r, f.n);
	for (size_t i = 0; i < f.n / 2; i++) {
		assert_int_equal(sl_lpm6_delete(lpm, f.r[i].ip, f.r[i].depth), 0);
		f.r[i].alive = false;
	}
	for (size_t i = 0; i < f.n / 2; i++)
		assert_int_equal(sl_lpm6_delete(lpm, f.r[i].ip, f.r[i].depth), -ENOENT);
	memmove(f.r, f.r + f.n / 2, (f.n - f.n / 2) * sizeof(*f.r));
	f.n -= f.n / 2;
	ref_build(&f);
	check_lookups(lpm, &f, CHECK_LOOKUPS);

	for (size_t i = 0; i < f.n / 4; i++) {
		f.r[i].nh = (uint32_t)rnd() & 0xffffff;
		assert_int_equal(sl_lpm6_add(lpm, f.r[i].ip, f.r[i].depth, f.r[i].nh), 0);
	}
	ref_build(&f);
	check_lookups(lpm, &f, CHECK_LOOKUPS);

	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(sl_lpm6_delete(lpm, f.r[i].ip, f.r[i].depth), 0);
	f.n = 0;
	ref_build(&f);
	check_lookups(lpm, &f, 1u << 16);
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	ref_free(&f);
	sl_lpm6_free(lpm);
}

static void test_diff_random(void **state)
{
	(void)state;
	differential("t6rand", 5000, false, 1u << 16, 0x6666, INTERLEAVED);
}

/* A small Internet-like table: bulk lookups take the serial walk (the two larger tables
 * take the level-by-level walk until their deletes shrink them below the threshold). */
static void test_diff_small(void **state)
{
	(void)state;
	differential("t6small", 1000, true, 4096, 0x8888, SERIAL);
}

static void test_diff_realistic(void **state)
{
	(void)state;
	differential("t6real", 50000, true, 1u << 17, 0x7777, INTERLEAVED);
}

static void test_million(void **state)
{
	const size_t n = 1000000;
	struct ref f = {0};
	struct sl_lpm6 *lpm = make("t6big", (uint32_t)n, 1400000);
	struct sl_lpm6_stats st;

	(void)state;
	rng_state = 0x6eed;
	gen_routes(&f, n, true);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sl_lpm6_add(lpm, f.r[i].ip, f.r[i].depth, f.r[i].nh), 0);
	ref_build(&f);
	sl_lpm6_stats(lpm, &st);
	print_message("1M IPv6 routes: %u of %u groups used, %zu bytes (%.1f MiB)\n",
		      st.groups_used, st.groups, st.bytes, st.bytes / 1048576.0);
	assert_int_equal(st.rules, n);
	check_lookups(lpm, &f, CHECK_LOOKUPS);
	shuffle(f.r, f.n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sl_lpm6_delete(lpm, f.r[i].ip, f.r[i].depth), 0);
		f.r[i].alive = false;
	}
	sl_lpm6_stats(lpm, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	ref_build(&f);
	check_lookups(lpm, &f, CHECK_LOOKUPS);
	ref_free(&f);
	sl_lpm6_free(lpm);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest fast[] = {
		cmocka_unit_test_setup_teardown(test_bad_args, setup_logs, teardown_logs),
		cmocka_unit_test_setup_teardown(test_basic, setup_logs, teardown_logs),
		cmocka_unit_test(test_diff_random),
		cmocka_unit_test(test_diff_small),
		cmocka_unit_test(test_diff_realistic),
	};
	const struct CMUnitTest big[] = {
		cmocka_unit_test(test_million),
	};

	if (argc > 1 && strcmp(argv[1], "--big") == 0)
		return cmocka_run_group_tests_name("lpm6_1m", big, NULL, NULL);
	return cmocka_run_group_tests_name("lpm6", fast, NULL, NULL);
}
