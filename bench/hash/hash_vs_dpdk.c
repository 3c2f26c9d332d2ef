/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sluice's lib/hash and DPDK's librte_hash side by side in one process, on the same keys.
 *
 * For each case (key length 16 or 32 bytes, table of 1 M or 16 M entries):
 *   - both tables are created for `entries` keys, CRC32C in both (rte_hash_crc, Sluice's
 *     default sl_hash_crc32c: the same function, checked on every key), init value 0,
 *     DPDK without extra flags (no extendable buckets, no locks);
 *   - n = 75 % of entries random keys are added to both, the value of key i being i + 1;
 *   - L = min(n, 2^20) of them, shuffled and copied to a contiguous array, are looked up
 *     one by one (hash computed by the table, then precomputed), in bursts of 32 and 64
 *     (hashed by the table, then precomputed), and L absent random keys one by one and in
 *     bursts of 32 (miss rate test);
 *   - every key is deleted.
 * One untimed warm-up pass touches all the memory of both tables first; each of the
 * REPS timed repetitions then resets both tables and runs every operation on one library
 * and then on the other, the first library alternating between repetitions.  Every lookup
 * result is checked: hits and the sum of returned values must match, absent keys must not
 * be found.  The program exits 1 on any mismatch.
 *
 * Output: a markdown table, TSC cycles per operation (per key for bursts), medians.
 *
 * Usage: hash_vs_dpdk [-r REPS] [-k KEYLEN] [-e ENTRIES] [-m DPDK_MIB] [-o sluice|dpdk]
 *                     [-H HUGETLBFS_DIR]
 *   -k / -e may be repeated to pick cases (default: 16 and 32 bytes x 1 M and 16 M);
 *   -H puts both tables on 2 MiB hugepages (DPDK's from the hugetlbfs mounted at the
 *      directory; Sluice requires them), else both use 4 KiB pages (DPDK --no-huge, Sluice
 *      with hugepages off) whatever the machine has reserved;
 *   -o times one library only (for profiling; the other column then reads 0).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_version.h>

#include "sl_cycles.h"
#include "sl_hash.h"
#include "sl_memory.h"

#define MAX_LOOKUPS (1u << 20)
#define MAX_REPS 31

enum op {
	OP_ADD,
	OP_LOOKUP,
	OP_LOOKUP_HASH,
	OP_BULK32,
	OP_BULK64,
	OP_BULK32_HASH,
	OP_BULK64_HASH,
	OP_MISS,
	OP_MISS_BULK32,
	OP_DELETE,
	NB_OPS
};

static const char *const op_names[NB_OPS] = {
	"add",
	"lookup",
	"lookup, precomputed hash",
	"bulk lookup (32)",
	"bulk lookup (64)",
	"bulk lookup (32), precomputed hash",
	"bulk lookup (64), precomputed hash",
	"miss (absent key)",
	"bulk miss (32, absent keys)",
	"delete",
};

enum lib { SL, DP, NB_LIBS };

/* One case's keys and tables. */
struct bench {
	uint32_t key_len, entries, n, nl;
	uint8_t *keys;	    /* n keys, in insertion order */
	uint8_t *look;	    /* nl of them, shuffled */
	uint8_t *absent;    /* nl keys never inserted */
	uint32_t *look_h;   /* their CRC32C */
	uint32_t *absent_h; /* idem */
	uint64_t *look_v;   /* expected value of look[i] */
	const void **look_p, **absent_p;
	struct sl_hash *sl;
	struct rte_hash *dp;
	unsigned errors;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

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
		fprintf(stderr, "hash_vs_dpdk: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

static void fill_random(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t r = rnd();

		memcpy(p + i, &r, len - i < 8 ? len - i : 8);
	}
}

static void check(struct bench *b, int ok, const char *lib, const char *what, uint64_t got,
		  uint64_t want)
{
	if (ok)
		return;
	fprintf(stderr, "hash_vs_dpdk: %s, %u-byte keys, %u entries: %s: %llu, expected %llu\n",
		lib, b->key_len, b->entries, what, (unsigned long long)got,
		(unsigned long long)want);
	b->errors++;
}

/* ---- the timed operations; each returns cycles per operation ---- */

static double sl_op(struct bench *b, enum op op)
{
	const uint32_t kl = b->key_len, nl = b->nl;
	uint64_t t0, t1, sum = 0, v, hit, vals[64];
	uint32_t found = 0, i, ops = nl;
	int32_t r;

	t0 = sl_rdtsc();
	switch (op) {
	case OP_ADD:
		for (i = 0; i < b->n; i++)
			found += sl_hash_add(b->sl, b->keys + (size_t)i * kl, i + 1) >= 0;
		ops = b->n;
		break;
	case OP_LOOKUP:
		for (i = 0; i < nl; i++) {
			r = sl_hash_lookup(b->sl, b->look + (size_t)i * kl, &v);
			found += r >= 0;
			sum += r >= 0 ? v : 0;
		}
		break;
	case OP_LOOKUP_HASH:
		for (i = 0; i < nl; i++) {
			r = sl_hash_lookup_with_hash(b->sl, b->look + (size_t)i * kl, b->look_h[i],
						     &v);
			found += r >= 0;
			sum += r >= 0 ? v : 0;
		}
		break;
	case OP_BULK32:
	case OP_BULK64:
	case OP_BULK32_HASH:
	case OP_BULK64_HASH: {
		const unsigned burst = op == OP_BULK32 || op == OP_BULK32_HASH ? 32 : 64;
		const int with_hash = op == OP_BULK32_HASH || op == OP_BULK64_HASH;

		ops = nl / burst * burst;
		for (i = 0; i < ops; i += burst) {
			int nb = with_hash ? sl_hash_lookup_bulk_with_hash(b->sl, b->look_p + i,
									  b->look_h + i, burst,
									  &hit, vals, NULL)
					   : sl_hash_lookup_bulk(b->sl, b->look_p + i, burst,
								 &hit, vals, NULL);
			found += (uint32_t)nb;
			for (; hit; hit &= hit - 1)
				sum += vals[__builtin_ctzll(hit)];
		}
		break;
	}
	case OP_MISS:
		for (i = 0; i < nl; i++)
			found += sl_hash_lookup(b->sl, b->absent + (size_t)i * kl, &v) >= 0;
		break;
	case OP_MISS_BULK32:
		ops = nl / 32 * 32;
		for (i = 0; i < ops; i += 32)
			found += (uint32_t)sl_hash_lookup_bulk(b->sl, b->absent_p + i, 32, &hit,
							       vals, NULL);
		break;
	case OP_DELETE:
		for (i = 0; i < b->n; i++)
			found += sl_hash_delete(b->sl, b->keys + (size_t)i * kl) >= 0;
		ops = b->n;
		break;
	default:
		abort();
	}
	t1 = sl_rdtsc();
	b->look_v[nl] = sum; /* scratch slot: the caller checks it */
	b->look_v[nl + 1] = found;
	b->look_v[nl + 2] = ops;
	return (double)(t1 - t0) / ops;
}

static double dp_op(struct bench *b, enum op op)
{
	const uint32_t kl = b->key_len, nl = b->nl;
	uint64_t t0, t1, sum = 0, hit;
	uint32_t found = 0, i, ops = nl;
	void *d, *data[64];
	int r;

	t0 = sl_rdtsc();
	switch (op) {
	case OP_ADD:
		for (i = 0; i < b->n; i++)
			found += rte_hash_add_key_data(b->dp, b->keys + (size_t)i * kl,
						       (void *)(uintptr_t)(i + 1)) == 0;
		ops = b->n;
		break;
	case OP_LOOKUP:
		for (i = 0; i < nl; i++) {
			r = rte_hash_lookup_data(b->dp, b->look + (size_t)i * kl, &d);
			found += r >= 0;
			sum += r >= 0 ? (uintptr_t)d : 0;
		}
		break;
	case OP_LOOKUP_HASH:
		for (i = 0; i < nl; i++) {
			r = rte_hash_lookup_with_hash_data(b->dp, b->look + (size_t)i * kl,
							   b->look_h[i], &d);
			found += r >= 0;
			sum += r >= 0 ? (uintptr_t)d : 0;
		}
		break;
	case OP_BULK32:
	case OP_BULK64:
	case OP_BULK32_HASH:
	case OP_BULK64_HASH: {
		const unsigned burst = op == OP_BULK32 || op == OP_BULK32_HASH ? 32 : 64;
		const int with_hash = op == OP_BULK32_HASH || op == OP_BULK64_HASH;

		ops = nl / burst * burst;
		for (i = 0; i < ops; i += burst) {
			int nb = with_hash ? rte_hash_lookup_with_hash_bulk_data(
						     b->dp, (const void **)b->look_p + i,
						     b->look_h + i, burst, &hit, data)
					   : rte_hash_lookup_bulk_data(
						     b->dp, (const void **)b->look_p + i, burst,
						     &hit, data);
			found += (uint32_t)nb;
			for (; hit; hit &= hit - 1)
				sum += (uintptr_t)data[__builtin_ctzll(hit)];
		}
		break;
	}
	case OP_MISS:
		for (i = 0; i < nl; i++)
			found += rte_hash_lookup_data(b->dp, b->absent + (size_t)i * kl, &d) >= 0;
		break;
	case OP_MISS_BULK32:
		ops = nl / 32 * 32;
		for (i = 0; i < ops; i += 32)
			found += (uint32_t)rte_hash_lookup_bulk_data(
				b->dp, (const void **)b->absent_p + i, 32, &hit, data);
		break;
	case OP_DELETE:
		for (i = 0; i < b->n; i++)
			found += rte_hash_del_key(b->dp, b->keys + (size_t)i * kl) >= 0;
		ops = b->n;
		break;
	default:
		abort();
	}
	t1 = sl_rdtsc();
	b->look_v[nl] = sum;
	b->look_v[nl + 1] = found;
	b->look_v[nl + 2] = ops;
	return (double)(t1 - t0) / ops;
}

/* Runs op on lib and checks the results it left in look_v[nl..nl+2]. */
static double run_op(struct bench *b, enum lib lib, enum op op)
{
	const char *name = lib == SL ? "sluice" : "dpdk";
	double c = lib == SL ? sl_op(b, op) : dp_op(b, op);
	uint64_t sum = b->look_v[b->nl], found = b->look_v[b->nl + 1], ops = b->look_v[b->nl + 2];
	uint64_t want = 0;

	switch (op) {
	case OP_ADD:
	case OP_DELETE:
		check(b, found == ops, name, op_names[op], found, ops);
		break;
	case OP_MISS:
	case OP_MISS_BULK32:
		check(b, found == 0, name, "absent keys found", found, 0);
		break;
	default:
		for (uint32_t i = 0; i < ops; i++)
			want += b->look_v[i];
		check(b, found == ops, name, "keys found", found, ops);
		check(b, sum == want, name, "sum of values", sum, want);
		break;
	}
	return c;
}

/* ---- setup ---- */

static void setup(struct bench *b, uint32_t key_len, uint32_t entries)
{
	const uint32_t kl = key_len;
	struct sl_hash_params sp = {.name = "vs_dpdk",
				    .entries = entries,
				    .key_len = key_len,
				    .node = SL_NODE_ANY};
	struct rte_hash_parameters dpp = {.name = "vs_dpdk",
					  .entries = entries,
					  .key_len = key_len,
					  .hash_func = rte_hash_crc,
					  .hash_func_init_val = 0,
					  .socket_id = 0};
	uint32_t *perm;

	memset(b, 0, sizeof(*b));
	b->key_len = key_len;
	b->entries = entries;
	b->n = entries / 4 * 3;
	b->nl = b->n < MAX_LOOKUPS ? b->n : MAX_LOOKUPS;
	b->keys = xmalloc((size_t)b->n * kl);
	b->look = xmalloc((size_t)b->nl * kl);
	b->absent = xmalloc((size_t)b->nl * kl);
	b->look_h = xmalloc((size_t)b->nl * sizeof(uint32_t));
	b->absent_h = xmalloc((size_t)b->nl * sizeof(uint32_t));
	b->look_v = xmalloc((size_t)(b->nl + 3) * sizeof(uint64_t));
	b->look_p = xmalloc((size_t)b->nl * sizeof(void *));
	b->absent_p = xmalloc((size_t)b->nl * sizeof(void *));

	b->sl = sl_hash_create(&sp);
	if (b->sl == NULL) {
		fprintf(stderr, "hash_vs_dpdk: sl_hash_create: %s\n", strerror(errno));
		exit(1);
	}
	b->dp = rte_hash_create(&dpp);
	if (b->dp == NULL) {
		fprintf(stderr,
			"hash_vs_dpdk: rte_hash_create (%u entries of %u bytes): %s; raise -m\n",
			entries, key_len, rte_strerror(rte_errno));
		exit(1);
	}
	/* Random keys; 128 and 256 random bits make a duplicate practically impossible, and
	 * the add check below (count == n) would catch one. */
	fill_random(b->keys, (size_t)b->n * kl);
	fill_random(b->absent, (size_t)b->nl * kl);
	perm = xmalloc((size_t)b->n * sizeof(uint32_t));
	for (uint32_t i = 0; i < b->n; i++)
		perm[i] = i;
	for (uint32_t i = b->n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rnd() % (i + 1)), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < b->nl; i++) {
		memcpy(b->look + (size_t)i * kl, b->keys + (size_t)perm[i] * kl, kl);
		b->look_v[i] = perm[i] + 1;
		b->look_p[i] = b->look + (size_t)i * kl;
		b->absent_p[i] = b->absent + (size_t)i * kl;
		b->look_h[i] = rte_hash_crc(b->look_p[i], kl, 0);
		b->absent_h[i] = rte_hash_crc(b->absent_p[i], kl, 0);
		if (b->look_h[i] != sl_hash_hash(b->sl, b->look_p[i]) ||
		    b->absent_h[i] != sl_hash_hash(b->sl, b->absent_p[i])) {
			fprintf(stderr, "hash_vs_dpdk: rte_hash_crc and sl_hash_hash differ\n");
			exit(1);
		}
	}
	free(perm);
}

static void teardown(struct bench *b)
{
	sl_hash_free(b->sl);
	rte_hash_free(b->dp);
	free(b->keys);
	free(b->look);
	free(b->absent);
	free(b->look_h);
	free(b->absent_h);
	free(b->look_v);
	free(b->look_p);
	free(b->absent_p);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* -o: the only library timed, or NB_LIBS for both. */
static enum lib only = NB_LIBS;

static unsigned run_case(uint32_t key_len, uint32_t entries, unsigned reps)
{
	static double cyc[NB_OPS][NB_LIBS][MAX_REPS];
	struct bench b;
	unsigned errors;
	char ent[16];

	setup(&b, key_len, entries);
	/* Warm-up: touch every page of both tables (DPDK's --no-huge memory is faulted in on
	 * first use) and check that both hold all n keys. */
	for (int l = 0; l < NB_LIBS; l++) {
		run_op(&b, (enum lib)l, OP_ADD);
		run_op(&b, (enum lib)l, OP_LOOKUP);
	}
	check(&b, sl_hash_count(b.sl) == b.n, "sluice", "count after add", sl_hash_count(b.sl),
	      b.n);
	check(&b, (uint32_t)rte_hash_count(b.dp) == b.n, "dpdk", "count after add",
	      (uint64_t)rte_hash_count(b.dp), b.n);
	for (unsigned r = 0; r < reps; r++) {
		sl_hash_reset(b.sl);
		rte_hash_reset(b.dp);
		for (int op = 0; op < NB_OPS; op++)
			for (int k = 0; k < NB_LIBS; k++) {
				/* Alternate which library goes first. */
				enum lib l = (enum lib)((k + r) % NB_LIBS);

				cyc[op][l][r] = only == NB_LIBS || only == l
							? run_op(&b, l, (enum op)op)
							: 0;
			}
		fprintf(stderr, ".");
	}
	fprintf(stderr, "\n");
	if (entries % (1u << 20) == 0)
		snprintf(ent, sizeof(ent), "%u M", entries >> 20);
	else
		snprintf(ent, sizeof(ent), "%u", entries);
	for (int op = 0; op < NB_OPS; op++) {
		double s = median(cyc[op][SL], reps), d = median(cyc[op][DP], reps);

		printf("| %u B | %s | %s | %.0f | %.0f | %.2f |\n", key_len, ent, op_names[op], s,
		       d, s / d);
	}
	fflush(stdout);
	errors = b.errors;
	teardown(&b);
	return errors;
}

int main(int argc, char **argv)
{
	uint32_t lens[4], nlens = 0, ents[4], nents = 0;
	unsigned reps = 5, errors = 0, mib = 3072;
	char mem[16], prefix[32], hugedir_arg[512];
	const char *huge_dir = NULL;
	cpu_set_t all;
	int c;

	while ((c = getopt(argc, argv, "r:k:e:m:o:H:")) != -1) {
		switch (c) {
		case 'o':
			only = strcmp(optarg, "sluice") == 0 ? SL : DP;
			break;
		case 'r':
			reps = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'k':
			if (nlens < 4)
				lens[nlens++] = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'e':
			if (nents < 4)
				ents[nents++] = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			mib = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'H':
			huge_dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-r REPS] [-k KEYLEN]... [-e ENTRIES]... "
					"[-m DPDK_MIB] [-o sluice|dpdk] [-H HUGETLBFS_DIR]\n",
				argv[0]);
			return 2;
		}
	}
	if (reps == 0 || reps > MAX_REPS) {
		fprintf(stderr, "hash_vs_dpdk: -r %u is out of range; use 1 to %d\n", reps,
			MAX_REPS);
		return 2;
	}
	if (nlens == 0) {
		lens[nlens++] = 16;
		lens[nlens++] = 32;
	}
	if (nents == 0) {
		ents[nents++] = 1u << 20;
		ents[nents++] = 1u << 24;
	}

	snprintf(mem, sizeof(mem), "%u", mib);
	snprintf(prefix, sizeof(prefix), "hashh%d", (int)getpid());
	snprintf(hugedir_arg, sizeof(hugedir_arg), "--huge-dir=%s", huge_dir ? huge_dir : "");
	char *eal_args[] = {argv[0],	     "--no-pci", "-m",	   mem,
			    "--no-telemetry", "--file-prefix", prefix, "--log-level=error",
			    "-l",	     "0",		huge_dir ? hugedir_arg : "--no-huge",
			    huge_dir ? "--in-memory" : NULL, NULL};
	/* The same kind of pages for both libraries, whatever the machine has reserved. */
	sl_mem_configure(huge_dir != NULL ? SL_MEM_HUGE_REQUIRE : SL_MEM_HUGE_OFF, NULL, 0, 0);
	int eal_argc = 0;

	while (eal_args[eal_argc] != NULL)
		eal_argc++;
	if (rte_eal_init(eal_argc, eal_args) < 0) {
		fprintf(stderr, "hash_vs_dpdk: rte_eal_init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	/* The EAL pinned this thread to lcore 0; let the scheduler place it as it places any
	 * program, for both libraries alike. */
	CPU_ZERO(&all);
	for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_setaffinity_np(pthread_self(), sizeof(all), &all);

	printf("Sluice lib/hash vs DPDK %s librte_hash: CRC32C in both, tables 75 %% full, "
	       "%u repetitions (medians), %s for both; DPDK: -m %u, no extra flags.\n"
	       "TSC cycles per operation (per key for bursts); ratio Sluice/DPDK (below 1: "
	       "Sluice is faster).\n\n",
	       rte_version() + 5, reps, huge_dir ? "2 MiB hugepages" : "4 KiB pages", mib);
	printf("| key | entries | operation | Sluice | DPDK | Sluice/DPDK |\n");
	printf("|---:|---:|---|---:|---:|---:|\n");
	fflush(stdout);
	for (uint32_t k = 0; k < nlens; k++)
		for (uint32_t e = 0; e < nents; e++)
			errors += run_case(lens[k], ents[e], reps);
	printf("\nchecks: %u mismatches (every existing key found by both with its value, no "
	       "absent key found)\n",
	       errors);
	rte_eal_cleanup();
	return errors ? 1 : 0;
}
