/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Single-thread semantics of the cuckoo hash: CRC32C (instruction vs table, a known
 * vector), argument errors and their log lines, a differential test against a reference
 * map over 2.8 M random operations, a full table, colliding hashes, bulk lookups,
 * the key compare against memcmp for 22 key lengths, bulk == single lookup on every key
 * of nearly full tables, iteration, reset and the documented memory sizes.
 */
#include <errno.h>
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
#include "sl_hash.h"
#include "sl_memory.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Distinct-looking first key words for consecutive i (splitmix64 finaliser). */
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

static void rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

static struct sl_hash *make(const char *name, uint32_t entries, uint32_t key_len,
			    sl_hash_func_t f)
{
	struct sl_hash_params p = {.name = name,
				   .entries = entries,
				   .key_len = key_len,
				   .hash_func = f,
				   .node = SL_NODE_ANY};
	struct sl_hash *h = sl_hash_create(&p);

	if (h == NULL)
		fail_msg("sl_hash_create(%s, %u, %u): %s", name, entries, key_len,
			 strerror(errno));
	return h;
}

/* ---- CRC32C ---- */

static void test_crc32c(void **state)
{
	uint8_t buf[200];

	(void)state;
	/* The CRC-32C check value (RFC 3720 B.4 conventions: init ~0, final inversion). */
	assert_int_equal(~sl_hash_crc32c("123456789", 9, ~0u), 0xe3069283u);
	assert_int_equal(~sl_hash_crc32c_portable("123456789", 9, ~0u), 0xe3069283u);
	/* 32 zero bytes, RFC 3720 B.4: 0x8a9136aa. */
	memset(buf, 0, 32);
	assert_int_equal(~sl_hash_crc32c(buf, 32, ~0u), 0x8a9136aau);
	for (unsigned len = 0; len < sizeof(buf); len++) {
		rnd_bytes(buf, sizeof(buf));
		for (unsigned off = 0; off < 3; off++)
			assert_int_equal(
				sl_hash_crc32c(buf + off, len - (len ? off % len : 0), len),
				sl_hash_crc32c_portable(buf + off, len - (len ? off % len : 0),
							len));
	}
	printf("crc32c uses %s\n", sl_hash_crc32c_hw() ? "the SSE4.2 instruction" : "tables");
}

/* ---- argument errors ---- */

static void expect_create_error(const struct sl_hash_params *p, int err, const char *a,
				const char *b)
{
	struct log_capture cap;

	log_capture_start(&cap);
	errno = 0;
	assert_null(sl_hash_create(p));
	log_capture_stop();
	assert_int_equal(errno, err);
	if (!log_capture_has(&cap, a, b))
		fail_msg("expected a log line with '%s' and '%s', got: %s", a, b ? b : "",
			 cap.text);
}

static void test_bad_params(void **state)
{
	struct sl_hash_params p = {.name = "t_bad", .entries = 1024, .key_len = 16,
				   .node = SL_NODE_ANY};
	struct sl_hash *h;

	(void)state;
	expect_create_error(NULL, EINVAL, "params are NULL", NULL);
	p.key_len = 0;
	expect_create_error(&p, EINVAL, "key_len 0", "use 1 to 256");
	p.key_len = 257;
	expect_create_error(&p, EINVAL, "key_len 257", "use 1 to 256");
	p.key_len = 16;
	p.entries = 0;
	expect_create_error(&p, EINVAL, "entries 0", "use 1 to");
	p.entries = SL_HASH_ENTRIES_MAX + 1;
	expect_create_error(&p, EINVAL, "entries 1073741825", NULL);
	p.entries = 1024;
	p.name = NULL;
	expect_create_error(&p, EINVAL, "name is NULL", NULL);
	p.name = "";
	expect_create_error(&p, EINVAL, "name is empty", NULL);
	p.name = "a_name_that_is_far_too_long_for_a_zone";
	expect_create_error(&p, ENAMETOOLONG, "characters long", "use at most 28");
	p.name = "t_bad";
	p.flags = 4;
	expect_create_error(&p, EINVAL, "flags 0x4", "pass 0");
	p.flags = 0;

	h = sl_hash_create(&p);
	assert_non_null(h);
	expect_create_error(&p, EEXIST, "'t_bad' is already in use", NULL);
	assert_ptr_equal(sl_hash_find("t_bad"), h);
	sl_hash_free(h);
	{
		struct log_capture cap;

		log_capture_start(&cap);
		errno = 0;
		assert_null(sl_hash_find("t_bad"));
		assert_int_equal(errno, ENOENT);
		errno = 0;
		assert_null(sl_hash_find("a_name_that_is_far_too_long_for_a_zone"));
		assert_int_equal(errno, ENOENT);
		assert_int_equal(cap.lines, 0); /* a miss is an answer, not logged */
		/* A NULL or empty name is a caller's mistake: EINVAL and one line. */
		errno = 0;
		assert_null(sl_hash_find(NULL));
		assert_int_equal(errno, EINVAL);
		assert_int_equal(cap.lines, 1);
		assert_true(log_capture_has(&cap, "hash find: name is NULL", "pass the name"));
		errno = 0;
		assert_null(sl_hash_find(""));
		assert_int_equal(errno, EINVAL);
		assert_int_equal(cap.lines, 2);
		assert_true(log_capture_has(&cap, "hash find: name is empty", "pass the name"));
		log_capture_stop();
	}

	/* NULL arguments on the data path. */
	h = make("t_bad2", 64, 8, NULL);
	assert_int_equal(sl_hash_add(h, NULL, 1), -EINVAL);
	assert_int_equal(sl_hash_add(NULL, "12345678", 1), -EINVAL);
	assert_int_equal(sl_hash_lookup(h, NULL, NULL), -EINVAL);
	assert_int_equal(sl_hash_delete(h, NULL), -EINVAL);
	sl_hash_free(h);
}

/* ---- basic semantics ---- */

static uint32_t calls;
static uint32_t seen_len, seen_init;

static uint32_t counting_hash(const void *key, uint32_t len, uint32_t init)
{
	calls++;
	seen_len = len;
	seen_init = init;
	return sl_hash_crc32c(key, len, init);
}

static void test_basic(void **state)
{
	struct sl_hash_params p = {.name = "t_basic", .entries = 100, .key_len = 13,
				   .hash_func = counting_hash, .init_val = 77,
				   .node = SL_NODE_ANY};
	uint8_t k1[13] = "flow-one-abc", k2[13] = "flow-two-abc";
	struct sl_hash *h = sl_hash_create(&p);
	uint64_t v = 0;
	int32_t pos1, pos2;

	(void)state;
	assert_non_null(h);
	assert_int_equal(sl_hash_capacity(h), 100);
	assert_int_equal(sl_hash_lookup(h, k1, &v), -ENOENT);
	assert_int_equal(seen_len, 13);
	assert_int_equal(seen_init, 77);
	assert_int_equal(sl_hash_hash(h, k1), sl_hash_crc32c(k1, 13, 77));

	pos1 = sl_hash_add(h, k1, 1111);
	pos2 = sl_hash_add(h, k2, 2222);
	assert_true(pos1 >= 0 && pos1 < 100);
	assert_true(pos2 >= 0 && pos2 < 100 && pos2 != pos1);
	assert_int_equal(sl_hash_count(h), 2);
	assert_int_equal(sl_hash_lookup(h, k1, &v), pos1);
	assert_int_equal(v, 1111);
	assert_int_equal(sl_hash_lookup(h, k2, NULL), pos2);
	/* Update in place: same position, new value, same count. */
	assert_int_equal(sl_hash_add(h, k1, 3333), pos1);
	assert_int_equal(sl_hash_count(h), 2);
	assert_int_equal(sl_hash_lookup(h, k1, &v), pos1);
	assert_int_equal(v, 3333);
	/* Pointers as values. */
	assert_int_equal(sl_hash_add(h, k2, (uintptr_t)&p), pos2);
	assert_int_equal(sl_hash_lookup_with_hash(h, k2, sl_hash_hash(h, k2), &v), pos2);
	assert_ptr_equal((void *)(uintptr_t)v, &p);

	calls = 0;
	assert_int_equal(sl_hash_delete_with_hash(h, k1, sl_hash_hash(h, k1)), pos1);
	assert_int_equal(calls, 1); /* only the explicit sl_hash_hash() above */
	assert_int_equal(sl_hash_delete(h, k1), -ENOENT);
	assert_int_equal(sl_hash_lookup(h, k1, &v), -ENOENT);
	assert_int_equal(sl_hash_count(h), 1);
	/* A freed position is reused. */
	assert_int_equal(sl_hash_add_with_hash(h, k1, sl_hash_hash(h, k1), 5), pos1);
	sl_hash_free(h);
}

/* ---- differential test against a reference map ---- */

/*
 * Keys come from a pool of POOL random keys; the reference is indexed by pool id, so it
 * is a trivially correct map.  Each operation picks a random pool key (a quarter of the
 * pool is never added, for misses) and does add (40 %), delete (30 %) or lookup (30 %).
 */
#define POOL 60000u
#define NEVER (POOL / 4) /* keys [0, NEVER) are never added */
/* Two sizes: 32 K slots (about 80 % full, so adds displace), and 24 000 key slots in
 * 32 K bucket slots (the key store fills up: -ENOSPC). */
#define DIFF_ENTRIES (1u << 15)
#if defined(__SANITIZE_THREAD__)
#define DIFF_OPS 150000u /* ThreadSanitizer is ~10x slower: keep the test under 20 s */
#else
#define DIFF_OPS 400000u
#endif

struct ref {
	uint8_t present;
	int32_t pos;
	uint64_t value;
};

static void diff_one(uint32_t key_len, uint32_t entries, const char *name)
{
	uint8_t *pool = malloc((size_t)POOL * key_len);
	struct ref *ref = calloc(POOL, sizeof(*ref));
	uint8_t *pos_used = calloc(DIFF_ENTRIES, 1);
	struct sl_hash *h = make(name, entries, key_len, NULL);
	uint32_t live = 0, nospc = 0, hits = 0;
	uint32_t next = 0;
	const void *k;
	uint64_t v;
	int32_t pos;

	assert_non_null(pool);
	assert_non_null(ref);
	assert_non_null(pos_used);
	/* Distinct keys: a random body with the pool id in the first bytes. */
	for (uint32_t i = 0; i < POOL; i++) {
		uint8_t *kp = pool + (size_t)i * key_len;

		rnd_bytes(kp, key_len);
		for (uint32_t b = 0; b < 4 && b < key_len; b++)
			kp[b] = (uint8_t)(i >> (8 * b));
		if (key_len < 4 && i >= (1u << (8 * key_len)))
			fail_msg("pool too large for %u-byte keys", key_len);
	}
	for (uint32_t op = 0; op < DIFF_OPS; op++) {
		uint32_t r = (uint32_t)(rnd() % 100), id = (uint32_t)(rnd() % POOL);
		const uint8_t *key = pool + (size_t)id * key_len;

		if (r < 40 && id >= NEVER) {
			uint64_t val = rnd();

			pos = sl_hash_add(h, key, val);
			if (pos == -ENOSPC) {
				/* Only a nearly full table may refuse, and it must not change. */
				assert_false(ref[id].present);
				assert_true(live >= entries * 9 / 10);
				nospc++;
				continue;
			}
			assert_true(pos >= 0 && pos < (int32_t)entries);
			if (ref[id].present) {
				assert_int_equal(pos, ref[id].pos);
			} else {
				assert_int_equal(pos_used[pos], 0);
				pos_used[pos] = 1;
				ref[id].present = 1;
				ref[id].pos = pos;
				live++;
			}
			ref[id].value = val;
		} else if (r < 70) {
			pos = sl_hash_delete(h, key);
			if (ref[id].present) {
				assert_int_equal(pos, ref[id].pos);
				pos_used[pos] = 0;
				ref[id].present = 0;
				live--;
			} else {
				assert_int_equal(pos, -ENOENT);
			}
		} else {
			v = 0;
			pos = sl_hash_lookup(h, key, &v);
			if (ref[id].present) {
				assert_int_equal(pos, ref[id].pos);
				assert_int_equal(v, ref[id].value);
				hits++;
			} else {
				assert_int_equal(pos, -ENOENT);
			}
		}
		if (op % 50000 == 0)
			assert_int_equal(sl_hash_count(h), live);
	}
	assert_int_equal(sl_hash_count(h), live);
	/* Every live key once through the iterator, with its value. */
	uint32_t visited = 0;
	memset(pos_used, 0, DIFF_ENTRIES);
	while ((pos = sl_hash_iterate(h, &next, &k, &v)) >= 0) {
		uint32_t id = 0;

		for (uint32_t b = 0; b < 4 && b < key_len; b++)
			id |= (uint32_t)((const uint8_t *)k)[b] << (8 * b);
		assert_true(id < POOL);
		assert_memory_equal(k, pool + (size_t)id * key_len, key_len);
		assert_true(ref[id].present);
		assert_int_equal(ref[id].pos, pos);
		assert_int_equal(ref[id].value, v);
		assert_int_equal(pos_used[pos], 0);
		pos_used[pos] = 1;
		visited++;
	}
	assert_int_equal(pos, -ENOENT);
	assert_int_equal(visited, live);
	assert_true(hits > DIFF_OPS / 20);
	printf("key_len %3u, %5u entries: %u ops, %u live at the end, %u lookup hits, "
	       "%u -ENOSPC\n",
	       key_len, entries, DIFF_OPS, live, hits, nospc);
	if (entries < DIFF_ENTRIES && DIFF_OPS >= 400000u) /* long enough to fill up */
		assert_true(nospc > 0);
	sl_hash_free(h);
	free(pos_used);
	free(ref);
	free(pool);
}

static void test_differential(void **state)
{
	static const uint32_t lens[] = {4, 13, 16, 32, 48, 64, 100};
	char name[24];

	(void)state;
	for (unsigned i = 0; i < SL_ARRAY_SIZE(lens); i++) {
		snprintf(name, sizeof(name), "t_diff%u", lens[i]);
		diff_one(lens[i], i % 2 ? 24000 : DIFF_ENTRIES, name);
	}
}

/* ---- full table ---- */

static void fill(uint32_t entries, uint32_t key_len, double min_load)
{
	struct sl_hash *h = make("t_full", entries, key_len, NULL);
	uint8_t *keys = malloc((size_t)entries * key_len);
	uint32_t n = 0, slots, limit;
	uint64_t v;
	int32_t pos;

	assert_non_null(keys);
	for (;;) {
		assert_true(n < entries + 1);
		if (n == entries) {
			uint8_t extra[64];

			rnd_bytes(extra, key_len);
			assert_int_equal(sl_hash_add(h, extra, 1), -ENOSPC);
			break;
		}
		rnd_bytes(keys + (size_t)n * key_len, key_len);
		pos = sl_hash_add(h, keys + (size_t)n * key_len, n);
		if (pos == -ENOSPC) {
			/* The refused key is not in the table, the count did not move. */
			assert_int_equal(sl_hash_lookup(h, keys + (size_t)n * key_len, NULL),
					 -ENOENT);
			break;
		}
		assert_true(pos >= 0);
		n++;
	}
	assert_int_equal(sl_hash_count(h), n);
	for (uint32_t i = 0; i < n; i++) {
		assert_true(sl_hash_lookup(h, keys + (size_t)i * key_len, &v) >= 0);
		assert_int_equal(v, i);
	}
	/* A refused add leaves room for nothing; a delete makes room for one. */
	assert_true(sl_hash_delete(h, keys) >= 0);
	assert_true(sl_hash_add(h, keys, 0) >= 0);
	assert_int_equal(sl_hash_count(h), n);

	slots = SL_MIN((uint32_t)(sl_pow2_ceil((entries + 7) / 8) * 8), entries);
	limit = (uint32_t)(min_load * slots);
	printf("entries %u key_len %u: %u keys before -ENOSPC = %.1f%% of %u usable slots\n",
	       entries, key_len, n, 100.0 * n / slots, slots);
	assert_true(n >= limit);
	sl_hash_free(h);
	free(keys);
}

static void test_full_table(void **state)
{
	(void)state;
	fill(1u << 16, 16, 0.90); /* slots == entries: the cuckoo search is the limit */
	fill(1u << 14, 13, 0.90);
	fill(1000, 32, 0.90); /* 1024 slots, 1000 key slots */
}

/* ---- colliding hashes ---- */

static uint32_t const_hash(const void *key, uint32_t len, uint32_t init)
{
	(void)key;
	(void)len;
	(void)init;
	return 0x12345678u;
}

/* Four hash values 0..3, all with signature 0: buckets 0..3 paired (0,1) and (2,3). */
static uint32_t four_hash(const void *key, uint32_t len, uint32_t init)
{
	(void)len;
	(void)init;
	return ((const uint8_t *)key)[0] & 3u;
}

static void collide(sl_hash_func_t f, const char *name, uint32_t expect_cap)
{
	struct sl_hash *h = make(name, 4096, 16, f);
	uint8_t keys[80][16];
	uint64_t v, hit;
	const void *kp[64];
	uint32_t n;

	for (n = 0; n < 80; n++) {
		rnd_bytes(keys[n], 16);
		keys[n][0] = (uint8_t)n; /* spread over the four values of four_hash */
		keys[n][1] = 0xa5;
		int32_t pos = sl_hash_add(h, keys[n], 1000 + n);

		if (pos == -ENOSPC)
			break;
		assert_true(pos >= 0);
	}
	assert_int_equal(n, expect_cap);
	assert_int_equal(sl_hash_count(h), expect_cap);
	for (uint32_t i = 0; i < n; i++) {
		assert_true(sl_hash_lookup(h, keys[i], &v) >= 0);
		assert_int_equal(v, 1000 + i);
	}
	/* Same hash, same signature, different key: not found. */
	keys[n][1] = 0x5a;
	assert_int_equal(sl_hash_lookup(h, keys[n], NULL), -ENOENT);
	for (uint32_t i = 0; i < n && i < 64; i++)
		kp[i] = keys[i];
	assert_int_equal(sl_hash_lookup_bulk(h, kp, SL_MIN(n, 64u), &hit, NULL, NULL),
			 (int)SL_MIN(n, 64u));
	/* Room for one after deleting a key of the same hash (key byte 0 mod 4). */
	assert_true(sl_hash_delete(h, keys[n % 4]) >= 0);
	assert_true(sl_hash_add(h, keys[n], 7) >= 0);
	assert_int_equal(sl_hash_add(h, keys[n % 4], 7), -ENOSPC);
	printf("%s: %u keys fit\n", name, n);
	sl_hash_free(h);
}

static void test_collisions(void **state)
{
	(void)state;
	collide(const_hash, "t_const", 2 * SL_HASH_BUCKET_ENTRIES);
	collide(four_hash, "t_four", 4 * SL_HASH_BUCKET_ENTRIES);
}

/* ---- bulk lookup ---- */

static void test_bulk(void **state)
{
	enum { N = 20000, KL = 32 };
	struct sl_hash *h = make("t_bulk", 32768, KL, NULL);
	static uint8_t keys[2 * N][KL];
	const void *kp[SL_HASH_BULK_MAX];
	uint32_t hashes[SL_HASH_BULK_MAX];
	uint64_t values[SL_HASH_BULK_MAX], hit;
	int32_t pos[SL_HASH_BULK_MAX];
	unsigned total_hits = 0;

	(void)state;
	for (unsigned i = 0; i < 2 * N; i++)
		rnd_bytes(keys[i], KL);
	for (unsigned i = 0; i < N; i++) /* keys [N, 2N) stay absent */
		assert_true(sl_hash_add(h, keys[i], (uint64_t)i * 3) >= 0);
	for (unsigned round = 0; round < 5000; round++) {
		unsigned n = 1 + (unsigned)(rnd() % SL_HASH_BULK_MAX);
		uint64_t want = 0;
		int r;

		for (unsigned i = 0; i < n; i++) {
			kp[i] = keys[rnd() % (2 * N)];
			hashes[i] = sl_hash_hash(h, kp[i]);
		}
		memset(values, 0xee, sizeof(values));
		r = (round & 1) ? sl_hash_lookup_bulk(h, kp, n, &hit, values, pos)
				: sl_hash_lookup_bulk_with_hash(h, kp, hashes, n, &hit, values,
								pos);
		for (unsigned i = 0; i < n; i++) {
			uint64_t v;
			int32_t p = sl_hash_lookup(h, kp[i], &v);

			assert_int_equal(pos[i], p);
			if (p >= 0) {
				want |= 1ull << i;
				assert_int_equal(values[i], v);
			} else {
				assert_int_equal(values[i], 0xeeeeeeeeeeeeeeeeull);
			}
		}
		assert_int_equal(hit, want);
		assert_int_equal(r, __builtin_popcountll(want));
		total_hits += (unsigned)r;
	}
	assert_true(total_hits > 5000 * 16 / 2);
	/* Optional outputs may be NULL. */
	kp[0] = keys[0];
	assert_int_equal(sl_hash_lookup_bulk(h, kp, 1, &hit, NULL, NULL), 1);
	assert_int_equal(hit, 1);
	assert_int_equal(sl_hash_lookup_bulk(h, kp, 0, &hit, NULL, NULL), -EINVAL);
	assert_int_equal(sl_hash_lookup_bulk(h, kp, 65, &hit, NULL, NULL), -EINVAL);
	assert_int_equal(sl_hash_lookup_bulk(h, kp, 1, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(sl_hash_lookup_bulk_with_hash(h, kp, NULL, 1, &hit, NULL, NULL),
			 -EINVAL);
	sl_hash_free(h);
}

/*
 * Key compare vs memcmp: with one hash value for every key, all 16 keys share both
 * buckets and every signature, so the key compare alone decides.  For each key length
 * (the straight-line 16/32/48/64 cases, the loop, padded tails), probes are stored keys
 * with zero, one or two random bytes changed; a probe must be found exactly when memcmp
 * says it equals a stored key, with that key's value.
 */
static void test_key_compare(void **state)
{
	static const uint32_t lens[] = {1, 4, 7, 8, 9, 13, 15, 16, 17, 24, 31, 32, 33, 40,
					47, 48, 49, 63, 64, 65, 100, 256};
	enum { NK = 2 * SL_HASH_BUCKET_ENTRIES };
	unsigned found = 0, missed = 0;

	(void)state;
	for (unsigned li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		const uint32_t len = lens[li];
		struct sl_hash *h = make("t_keycmp", 64, len, const_hash);
		uint8_t keys[NK][SL_HASH_KEY_MAX], probe[SL_HASH_KEY_MAX];

		for (unsigned k = 0; k < NK; k++) {
			rnd_bytes(keys[k], len);
			keys[k][0] = (uint8_t)k; /* distinct */
			assert_int_equal(sl_hash_add(h, keys[k], 500 + k), (int32_t)k);
		}
		for (unsigned t = 0; t < 4000; t++) {
			const unsigned k = (unsigned)(rnd() % NK), changes = (unsigned)(rnd() % 3);
			int want = -1;
			uint64_t v = 0;
			int32_t r;

			memcpy(probe, keys[k], len);
			for (unsigned c = 0; c < changes; c++)
				probe[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
			for (unsigned j = 0; j < NK; j++)
				if (memcmp(probe, keys[j], len) == 0)
					want = (int)j;
			r = sl_hash_lookup(h, probe, &v);
			if (want >= 0) {
				assert_int_equal(r, want);
				assert_int_equal(v, 500 + (unsigned)want);
				found++;
			} else {
				assert_int_equal(r, -ENOENT);
				missed++;
			}
		}
		sl_hash_free(h);
	}
	assert_true(found > 1000 && missed > 1000);
}

/*
 * Bulk lookups agree with single lookups on every key of nearly full tables (so many
 * keys sit in their secondary bucket) for key lengths with 32-byte slots, 48-byte slots
 * that straddle cache lines, and padded ones: each present key in a burst of every size
 * 1..64, with and without precomputed hashes, plus as many absent keys.
 */
static void test_bulk_equals_single(void **state)
{
	static const uint32_t lens[] = {4, 16, 32, 13, 40};
	enum { ENTRIES = 4096, N = ENTRIES / 100 * 95 };

	(void)state;
	for (unsigned li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		const uint32_t len = lens[li];
		struct sl_hash *h = make("t_bulk1", ENTRIES, len, NULL);
		static uint8_t keys[2 * N][64];
		const void *kp[SL_HASH_BULK_MAX];
		uint32_t hashes[SL_HASH_BULK_MAX];
		uint64_t values[SL_HASH_BULK_MAX], hit;
		int32_t pos[SL_HASH_BULK_MAX];
		unsigned n = 1, i = 0, present = 0;

		for (unsigned k = 0; k < 2 * N; k++) {
			rnd_bytes(keys[k], len);
			memcpy(keys[k], &k, 4); /* distinct */
			if (k < N)
				assert_true(sl_hash_add(h, keys[k], 7u * k + 1) >= 0);
		}
		assert_int_equal(sl_hash_count(h), N);
		/* Every key of [0, 2N), in bursts of 1, 2, ..., 64, 1, ... */
		while (i < 2 * N) {
			unsigned m = SL_MIN(n, 2 * N - i);
			uint64_t want = 0;
			int r;

			for (unsigned j = 0; j < m; j++) {
				kp[j] = keys[i + j];
				hashes[j] = sl_hash_hash(h, kp[j]);
			}
			r = (n & 1) ? sl_hash_lookup_bulk(h, kp, m, &hit, values, pos)
				    : sl_hash_lookup_bulk_with_hash(h, kp, hashes, m, &hit, values,
								    pos);
			for (unsigned j = 0; j < m; j++) {
				uint64_t v;
				int32_t p = sl_hash_lookup_with_hash(h, kp[j], hashes[j], &v);

				assert_int_equal(pos[j], p);
				assert_int_equal(p >= 0, i + j < N);
				if (p >= 0) {
					want |= 1ull << j;
					assert_int_equal(values[j], v);
					assert_int_equal(v, 7u * (i + j) + 1);
				}
			}
			assert_int_equal(hit, want);
			assert_int_equal(r, __builtin_popcountll(want));
			present += (unsigned)r;
			i += m;
			n = n % SL_HASH_BULK_MAX + 1;
		}
		assert_int_equal(present, N);
		sl_hash_free(h);
	}
}

/* ---- iteration and reset ---- */

static void test_iterate_reset(void **state)
{
	enum { N = 3000 };
	struct sl_hash *h = make("t_iter", 4096, 8, NULL);
	static uint8_t seen[N];
	uint32_t next = 0, visited = 0;
	const void *k;
	uint64_t v, key;
	int32_t pos;

	(void)state;
	assert_int_equal(sl_hash_iterate(h, &next, &k, &v), -ENOENT);
	for (uint64_t i = 0; i < N; i++) {
		key = i * 0x9e3779b97f4a7c15ull;
		assert_true(sl_hash_add(h, &key, i) >= 0);
	}
	next = 0;
	while ((pos = sl_hash_iterate(h, &next, &k, &v)) >= 0) {
		memcpy(&key, k, 8);
		assert_true(v < N);
		assert_int_equal(key, v * 0x9e3779b97f4a7c15ull);
		assert_int_equal(seen[v], 0);
		seen[v] = 1;
		visited++;
	}
	assert_int_equal(visited, N);
	/* Finished iterators stay finished. */
	assert_int_equal(sl_hash_iterate(h, &next, NULL, NULL), -ENOENT);

	sl_hash_reset(h);
	assert_int_equal(sl_hash_count(h), 0);
	key = 0;
	assert_int_equal(sl_hash_lookup(h, &key, NULL), -ENOENT);
	next = 0;
	assert_int_equal(sl_hash_iterate(h, &next, NULL, NULL), -ENOENT);
	/* Full capacity again after a reset. */
	for (uint64_t i = 0; i < N; i++) {
		key = i + 1;
		assert_true(sl_hash_add(h, &key, i) >= 0);
	}
	assert_int_equal(sl_hash_count(h), N);
	sl_hash_dump(stdout, h);
	sl_hash_free(h);
}

/* ---- sizing ---- */

static void test_memsize(void **state)
{
	struct sl_hash_params p = {.name = "t_size", .entries = 100000000, .key_len = 16,
				   .node = SL_NODE_ANY};
	size_t sz, buckets = (size_t)(1u << 24) * 64, keys = (size_t)100000000 * 32;

	(void)state;
	/* 100 M entries: 2^24 buckets of 64 bytes + 100 M key slots of 16 + 16 bytes. */
	sz = sl_hash_memsize(&p);
	assert_true(sz >= buckets + keys && sz < buckets + keys + 64 * 1024);
	printf("100M x 16-byte keys: %zu MiB (%.1f bytes per entry)\n", sz >> 20,
	       (double)sz / p.entries);
	p.key_len = 13; /* padded to 16 */
	assert_int_equal(sl_hash_memsize(&p), sz);
	p.entries = 1u << 20;
	p.key_len = 32;
	sz = sl_hash_memsize(&p);
	assert_true(sz >= (1u << 20) * (8 + 48) && sz < (1u << 20) * (8 + 48) + 64 * 1024);
	p.key_len = 0;
	assert_int_equal(sl_hash_memsize(&p), 0);
}

/*
 * The capacity the issue asks for, for real (big suite, release build): 100 M entries of
 * 16-byte keys in one table, every add succeeds, every key is found with its value (bulk
 * lookups of 64), absent keys are not, and the table is the size sl_hash_memsize() says.
 */
static void test_100m(void **state)
{
	const uint32_t n = 100000000, absent = 1000000;
	struct sl_hash_params p = {.name = "t_100m", .entries = n, .key_len = 16,
				   .node = SL_NODE_ANY};
	uint64_t keys[64][2], values[64], hit_mask, t0, t1, t2;
	const void *kp[64];
	struct sl_hash *h;
	uint64_t found = 0, bad = 0;

	(void)state;
	h = sl_hash_create(&p);
	assert_non_null(h);
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		uint64_t key[2] = {splitmix(i), i};

		if (sl_hash_add(h, key, (uint64_t)i + 1) < 0)
			fail_msg("add %u of %u failed", i, n);
	}
	t1 = now_ns();
	assert_int_equal(sl_hash_count(h), n);
	for (unsigned k = 0; k < 64; k++)
		kp[k] = keys[k];
	for (uint32_t i = 0; i < n; i += 64) {
		unsigned m = n - i < 64 ? n - i : 64;

		for (unsigned k = 0; k < m; k++) {
			keys[k][0] = splitmix(i + k);
			keys[k][1] = i + k;
		}
		found += (uint64_t)sl_hash_lookup_bulk(h, kp, m, &hit_mask, values, NULL);
		for (unsigned k = 0; k < m; k++)
			bad += !(hit_mask >> k & 1) || values[k] != (uint64_t)(i + k) + 1;
	}
	t2 = now_ns();
	assert_int_equal(found, n);
	assert_int_equal(bad, 0);
	for (uint32_t i = 0; i < absent; i++) {
		uint64_t key[2] = {splitmix(i), (uint64_t)n + i}; /* second word never added */

		found += sl_hash_lookup(h, key, NULL) >= 0;
	}
	assert_int_equal(found, n);
	printf("100M x 16-byte keys: %zu MiB (%.1f bytes per entry), adds %.1f s, bulk lookups of "
	       "all %.1f s\n",
	       sl_hash_memsize(&p) >> 20, (double)sl_hash_memsize(&p) / n, (t1 - t0) / 1e9,
	       (t2 - t1) / 1e9);
	sl_hash_free(h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_key_compare),
		cmocka_unit_test(test_bulk_equals_single),
		cmocka_unit_test(test_iterate_reset),
		cmocka_unit_test(test_memsize),
	};
	const struct CMUnitTest big[] = {
		cmocka_unit_test(test_100m),
	};

	if (argc > 1 && strcmp(argv[1], "--big") == 0)
		return cmocka_run_group_tests_name("hash_100m", big, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
