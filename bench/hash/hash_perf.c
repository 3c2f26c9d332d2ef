/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hash table performance in TSC cycles per operation.  Two parts:
 *
 * 1. "dpdk" cases, measured the way DPDK 22.11's hash_perf_autotest
 *    (app/test/test_hash_perf.c) measures its "ELEMENTS IN PRIMARY OR SECONDARY
 *    LOCATION" cases, and printed in the same layout so bench/hash/compare.sh can pair
 *    the lines: a table created for 2^19 entries, filled to 75 % (393 216 distinct keys)
 *    for each key size 4 8 16 32 48 64 9 13 37 40; then
 *      Add          cycles per add into the empty table (all the keys, in order)
 *      Lookup       5 passes over the keys after shuffling them; cycles per lookup
 *      Lookup_bulk  the same keys in bursts of 16; cycles per key
 *      Delete       every key; cycles per delete
 *    each without and with a precomputed hash (Lookup_bulk always hashes, like DPDK's),
 *    without and with the 8-byte value returned.  DPDK's test hashes with rte_jhash;
 *    Sluice's default is CRC32C (one crc32 instruction per 8 bytes), so the "without
 *    pre-computed hash" rows include different hash functions; the "with" rows do not.
 *
 * 2. "flow" cases: 16- and 32-byte keys in tables of 1 M and 16 M entries filled to
 *    90 %: add, lookup (single, then bursts of 32, up to 4 M keys in shuffled order) and
 *    delete, in cycles per operation.
 *
 * Usage: hash_perf [-q]   (-q: only part 1)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_cycles.h"
#include "sl_hash.h"
#include "sl_memory.h"

#define MAX_KEY 64

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fprintf(stderr, "hash_perf: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

static struct sl_hash *create(const char *name, uint32_t entries, uint32_t key_len)
{
	struct sl_hash_params p = {
		.name = name, .entries = entries, .key_len = key_len, .node = SL_NODE_ANY};
	struct sl_hash *h = sl_hash_create(&p);

	if (h == NULL) {
		fprintf(stderr, "hash_perf: cannot create %s: %s\n", name, strerror(errno));
		exit(1);
	}
	return h;
}

/*
 * n distinct random keys of key_len bytes (stride MAX_KEY) and their hashes: drawn at
 * random and checked against a scratch table, which is then freed.
 */
static void make_keys(uint8_t *keys, uint32_t *hashes, uint32_t n, uint32_t key_len,
		      uint32_t entries)
{
	struct sl_hash *scratch = create("perf_scratch", entries, key_len);

	for (uint32_t i = 0; i < n;) {
		uint8_t *k = keys + (size_t)i * MAX_KEY;

		for (uint32_t b = 0; b < key_len; b++)
			k[b] = (uint8_t)rnd();
		if (sl_hash_lookup(scratch, k, NULL) >= 0)
			continue; /* duplicate */
		if (sl_hash_add(scratch, k, 0) < 0) {
			fprintf(stderr, "hash_perf: scratch table full at %u keys\n", i);
			exit(1);
		}
		hashes[i] = sl_hash_hash(scratch, k);
		i++;
	}
	sl_hash_free(scratch);
}

static void shuffle(uint8_t *keys, uint32_t *hashes, uint32_t n)
{
	uint8_t tmp[MAX_KEY];

	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rnd() % (i + 1));
		uint32_t th = hashes[i];

		memcpy(tmp, keys + (size_t)i * MAX_KEY, MAX_KEY);
		memcpy(keys + (size_t)i * MAX_KEY, keys + (size_t)j * MAX_KEY, MAX_KEY);
		memcpy(keys + (size_t)j * MAX_KEY, tmp, MAX_KEY);
		hashes[i] = hashes[j];
		hashes[j] = th;
	}
}

static void fail(const char *what, uint32_t i)
{
	fprintf(stderr, "hash_perf: %s failed at key %u\n", what, i);
	exit(1);
}

/* ---- part 1: DPDK's cases ---- */

#define D_ENTRIES (1u << 19)
#define D_KEYS (D_ENTRIES / 4 * 3)
#define D_PASSES 5
#define D_BURST 16

enum { OP_ADD, OP_LOOKUP, OP_BULK, OP_DELETE, NB_OPS };

static const uint32_t d_lens[] = {4, 8, 16, 32, 48, 64, 9, 13, 37, 40};
#define NB_LENS (sizeof(d_lens) / sizeof(d_lens[0]))

static double d_cycles[NB_LENS][NB_OPS][2][2]; /* [len][op][with_hash][with_data] */

static void d_run(unsigned li, int with_hash, int with_data, uint8_t *keys, uint32_t *hashes)
{
	const uint32_t len = d_lens[li];
	struct sl_hash *h = create("perf_dpdk", D_ENTRIES, len);
	uint64_t t0, v, *vp = with_data ? &v : NULL, hit, vals[D_BURST];
	const void *kp[D_BURST];
	uint32_t i;

	t0 = sl_rdtsc();
	for (i = 0; i < D_KEYS; i++) {
		const uint8_t *k = keys + (size_t)i * MAX_KEY;
		int32_t r = with_hash ? sl_hash_add_with_hash(h, k, hashes[i], hashes[i])
				      : sl_hash_add(h, k, hashes[i]);
		if (r < 0)
			fail("add", i);
	}
	d_cycles[li][OP_ADD][with_hash][with_data] = (double)(sl_rdtsc() - t0) / D_KEYS;

	shuffle(keys, hashes, D_KEYS);

	t0 = sl_rdtsc();
	for (unsigned pass = 0; pass < D_PASSES; pass++)
		for (i = 0; i < D_KEYS; i++) {
			const uint8_t *k = keys + (size_t)i * MAX_KEY;
			int32_t r = with_hash ? sl_hash_lookup_with_hash(h, k, hashes[i], vp)
					      : sl_hash_lookup(h, k, vp);
			if (r < 0 || (with_data && v != hashes[i]))
				fail("lookup", i);
		}
	d_cycles[li][OP_LOOKUP][with_hash][with_data] =
		(double)(sl_rdtsc() - t0) / (D_KEYS * D_PASSES);

	t0 = sl_rdtsc();
	for (unsigned pass = 0; pass < D_PASSES; pass++)
		for (i = 0; i + D_BURST <= D_KEYS; i += D_BURST) {
			for (unsigned k = 0; k < D_BURST; k++)
				kp[k] = keys + (size_t)(i + k) * MAX_KEY;
			if (sl_hash_lookup_bulk(h, kp, D_BURST, &hit, with_data ? vals : NULL,
						NULL) != D_BURST)
				fail("bulk lookup", i);
			if (with_data)
				for (unsigned k = 0; k < D_BURST; k++)
					if (vals[k] != hashes[i + k])
						fail("bulk lookup value", i + k);
		}
	d_cycles[li][OP_BULK][with_hash][with_data] =
		(double)(sl_rdtsc() - t0) / (D_KEYS / D_BURST * D_BURST * D_PASSES);

	t0 = sl_rdtsc();
	for (i = 0; i < D_KEYS; i++) {
		const uint8_t *k = keys + (size_t)i * MAX_KEY;
		int32_t r = with_hash ? sl_hash_delete_with_hash(h, k, hashes[i])
				      : sl_hash_delete(h, k);
		if (r < 0)
			fail("delete", i);
	}
	d_cycles[li][OP_DELETE][with_hash][with_data] = (double)(sl_rdtsc() - t0) / D_KEYS;
	sl_hash_free(h);
}

static void dpdk_cases(void)
{
	uint8_t *keys = xmalloc((size_t)D_KEYS * MAX_KEY);
	uint32_t *hashes = xmalloc((size_t)D_KEYS * sizeof(*hashes));

	printf("\nELEMENTS IN PRIMARY OR SECONDARY LOCATION\n");
	printf("Measuring performance, please wait");
	fflush(stdout);
	for (int with_data = 0; with_data <= 1; with_data++)
		for (unsigned li = 0; li < NB_LENS; li++) {
			make_keys(keys, hashes, D_KEYS, d_lens[li], D_ENTRIES);
			for (int with_hash = 0; with_hash <= 1; with_hash++) {
				d_run(li, with_hash, with_data, keys, hashes);
				printf(".");
				fflush(stdout);
			}
		}
	printf("\nResults (in CPU cycles/operation)\n");
	printf("-----------------------------------\n");
	for (int with_data = 0; with_data <= 1; with_data++) {
		printf(with_data ? "\n Operations with 8-byte data\n"
				 : "\n Operations without data\n");
		for (int with_hash = 0; with_hash <= 1; with_hash++) {
			printf(with_hash ? "\nWith pre-computed hash values\n"
					 : "\nWithout pre-computed hash values\n");
			printf("\n%-18s%-18s%-18s%-18s%-18s\n", "Keysize", "Add", "Lookup",
			       "Lookup_bulk", "Delete");
			for (unsigned li = 0; li < NB_LENS; li++) {
				printf("%-18u", d_lens[li]);
				for (int op = 0; op < NB_OPS; op++)
					printf("%-18.0f", d_cycles[li][op][with_hash][with_data]);
				printf("\n");
			}
		}
	}
	free(keys);
	free(hashes);
}

/* ---- part 2: flow tables of 1 M and 16 M entries ---- */

#define F_BURST 32
#define F_MAX_LOOKUPS (4u << 20)

static void flow_case(uint32_t entries, uint32_t key_len)
{
	const uint32_t n = entries / 10 * 9, nl = n < F_MAX_LOOKUPS ? n : F_MAX_LOOKUPS;
	uint8_t *keys = xmalloc((size_t)n * MAX_KEY);
	uint32_t *hashes = xmalloc((size_t)n * sizeof(*hashes));
	uint64_t t0, v, hit, vals[F_BURST];
	double add, look, bulk, miss, del;
	const void *kp[F_BURST];
	struct sl_hash *h;
	uint32_t i;

	make_keys(keys, hashes, n, key_len, entries);
	h = create("perf_flow", entries, key_len);
	t0 = sl_rdtsc();
	for (i = 0; i < n; i++)
		if (sl_hash_add(h, keys + (size_t)i * MAX_KEY, i) < 0)
			fail("add", i);
	add = (double)(sl_rdtsc() - t0) / n;
	shuffle(keys, hashes, n);

	t0 = sl_rdtsc();
	for (i = 0; i < nl; i++)
		if (sl_hash_lookup(h, keys + (size_t)i * MAX_KEY, &v) < 0)
			fail("lookup", i);
	look = (double)(sl_rdtsc() - t0) / nl;

	t0 = sl_rdtsc();
	for (i = 0; i + F_BURST <= nl; i += F_BURST) {
		for (unsigned k = 0; k < F_BURST; k++)
			kp[k] = keys + (size_t)(i + k) * MAX_KEY;
		if (sl_hash_lookup_bulk(h, kp, F_BURST, &hit, vals, NULL) != F_BURST)
			fail("bulk lookup", i);
	}
	bulk = (double)(sl_rdtsc() - t0) / (nl / F_BURST * F_BURST);

	/* Misses: flip a byte of each key (a different, absent key with high probability). */
	t0 = sl_rdtsc();
	uint32_t misses = 0;
	for (i = 0; i < nl; i++) {
		uint8_t k[MAX_KEY];

		memcpy(k, keys + (size_t)i * MAX_KEY, key_len);
		k[0] ^= 0x80;
		misses += sl_hash_lookup(h, k, NULL) < 0;
	}
	miss = (double)(sl_rdtsc() - t0) / nl;

	t0 = sl_rdtsc();
	for (i = 0; i < n; i++)
		if (sl_hash_delete(h, keys + (size_t)i * MAX_KEY) < 0)
			fail("delete", i);
	del = (double)(sl_rdtsc() - t0) / n;
	printf("%-6u %-9u %-9u %-10.1f %-10.1f %-12.1f %-10.1f %-10.1f %zu\n", key_len, entries, n,
	       add, look, bulk, miss, del, sl_hash_memsize(&(struct sl_hash_params){
					.name = "x", .entries = entries, .key_len = key_len}) >> 20);
	(void)misses;
	sl_hash_free(h);
	free(keys);
	free(hashes);
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && strcmp(argv[1], "-q") == 0;

	printf("hash_perf: crc32c via %s; %s\n",
	       sl_hash_crc32c_hw() ? "SSE4.2 instruction" : "tables", sl_mem_mode());
	dpdk_cases();
	if (quick)
		return 0;
	printf("\nFlow tables, cycles per operation (lookups: %u keys at most, shuffled; "
	       "bulk bursts of %u; miss = absent key)\n",
	       F_MAX_LOOKUPS, F_BURST);
	printf("%-6s %-9s %-9s %-10s %-10s %-12s %-10s %-10s %s\n", "key", "entries", "keys",
	       "add", "lookup", "bulk", "miss", "delete", "MiB");
	flow_case(1u << 20, 16);
	flow_case(1u << 20, 32);
	flow_case(1u << 24, 16);
	flow_case(1u << 24, 32);
	return 0;
}
