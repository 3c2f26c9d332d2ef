/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring performance in TSC cycles, measured the way DPDK 22.11's ring_perf_autotest
 * (app/test/test_ring_perf.c) measures it, and printed with the same section headers and
 * case labels so bench/ring/compare.sh can pair the lines.  What each figure is:
 *
 *   single enq/deq            cycles per (enqueue 1 + dequeue 1), 2^24 iterations
 *   burst / bulk enq/deq      cycles per (enqueue n + dequeue n), 2^23 iterations: NOT per
 *                             object; divide by n for cycles per object
 *   empty bulk deq            cycles per failed dequeue of 8 from an empty ring, 2^26 calls
 *   two physical cores        producer on core 0, consumer on core 1, 2^15 bulk calls each;
 *                             cycles per object on the producer + cycles per object on the
 *                             consumer (each side's elapsed time / (2^15 * n), summed)
 *
 * Like DPDK, the ring has 4096 slots and default (MP/MC) flags, the case is chosen by a
 * switch in an always-inline helper, the burst sizes are read through a volatile array
 * (so they are not compile-time constants) and rdtsc is not serialising.
 * Usage: ring_perf [-s] (-s: skip the two-core cases).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_cycles.h"
#include "sl_memory.h"
#include "sl_ring.h"

#define RING_NAME "RING_PERF"
#define RING_SIZE 4096
#define MAX_BURST 32

static const volatile unsigned bulk_sizes[] = {8, 32};

enum {
	API_SPSC = 2,
	API_MPMC = 4,
	API_SINGLE = 8,
	API_BULK = 16,
	API_BURST = 32,
};

static void print_case(unsigned api, int esize, unsigned n, double value)
{
	if (esize == -1)
		printf("legacy APIs");
	else
		printf("elem APIs: element size %dB", esize);
	printf(": %s: ", (api & API_SPSC) ? "SP/SC" : "MP/MC");
	if (api & API_SINGLE)
		printf("single: ");
	else
		printf("%s (size: %u): ", (api & API_BULK) ? "bulk" : "burst", n);
	printf("%.2f\n", value);
}

/* esize -1 means the pointer ("legacy") API. */
static inline __attribute__((always_inline)) unsigned enqueue(struct sl_ring *r, void **obj,
							      int esize, unsigned n, unsigned api)
{
	if (esize == -1)
		switch (api) {
		case API_SPSC | API_SINGLE: return sl_ring_sp_enqueue(r, *obj);
		case API_MPMC | API_SINGLE: return sl_ring_mp_enqueue(r, *obj);
		case API_SPSC | API_BULK: return sl_ring_sp_enqueue_bulk(r, obj, n, NULL);
		case API_MPMC | API_BULK: return sl_ring_mp_enqueue_bulk(r, obj, n, NULL);
		case API_SPSC | API_BURST: return sl_ring_sp_enqueue_burst(r, obj, n, NULL);
		case API_MPMC | API_BURST: return sl_ring_mp_enqueue_burst(r, obj, n, NULL);
		default: return 0;
		}
	switch (api) {
	case API_SPSC | API_SINGLE: return sl_ring_sp_enqueue_elem(r, obj, esize);
	case API_MPMC | API_SINGLE: return sl_ring_mp_enqueue_elem(r, obj, esize);
	case API_SPSC | API_BULK: return sl_ring_sp_enqueue_bulk_elem(r, obj, esize, n, NULL);
	case API_MPMC | API_BULK: return sl_ring_mp_enqueue_bulk_elem(r, obj, esize, n, NULL);
	case API_SPSC | API_BURST: return sl_ring_sp_enqueue_burst_elem(r, obj, esize, n, NULL);
	case API_MPMC | API_BURST: return sl_ring_mp_enqueue_burst_elem(r, obj, esize, n, NULL);
	default: return 0;
	}
}

static inline __attribute__((always_inline)) unsigned dequeue(struct sl_ring *r, void **obj,
							      int esize, unsigned n, unsigned api)
{
	if (esize == -1)
		switch (api) {
		case API_SPSC | API_SINGLE: return sl_ring_sc_dequeue(r, obj);
		case API_MPMC | API_SINGLE: return sl_ring_mc_dequeue(r, obj);
		case API_SPSC | API_BULK: return sl_ring_sc_dequeue_bulk(r, obj, n, NULL);
		case API_MPMC | API_BULK: return sl_ring_mc_dequeue_bulk(r, obj, n, NULL);
		case API_SPSC | API_BURST: return sl_ring_sc_dequeue_burst(r, obj, n, NULL);
		case API_MPMC | API_BURST: return sl_ring_mc_dequeue_burst(r, obj, n, NULL);
		default: return 0;
		}
	switch (api) {
	case API_SPSC | API_SINGLE: return sl_ring_sc_dequeue_elem(r, obj, esize);
	case API_MPMC | API_SINGLE: return sl_ring_mc_dequeue_elem(r, obj, esize);
	case API_SPSC | API_BULK: return sl_ring_sc_dequeue_bulk_elem(r, obj, esize, n, NULL);
	case API_MPMC | API_BULK: return sl_ring_mc_dequeue_bulk_elem(r, obj, esize, n, NULL);
	case API_SPSC | API_BURST: return sl_ring_sc_dequeue_burst_elem(r, obj, esize, n, NULL);
	case API_MPMC | API_BURST: return sl_ring_mc_dequeue_burst_elem(r, obj, esize, n, NULL);
	default: return 0;
	}
}

static void *zalloc(unsigned count, int esize)
{
	void *p = sl_malloc((size_t)count * (esize == -1 ? sizeof(void *) : (size_t)esize),
			    SL_CACHE_LINE, SL_NODE_ANY);

	if (p == NULL)
		fprintf(stderr, "ring_perf: cannot allocate a burst buffer: %s\n", strerror(errno));
	return p;
}

static int pin(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(t, sizeof(set), &set);
}

/* Starts fn(arg) on a thread already pinned to cpu (it never runs elsewhere). */
static int start_on(pthread_t *t, int cpu, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int rc;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (rc == 0)
		rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

static int test_single(struct sl_ring *r, int esize, unsigned api)
{
	const unsigned iterations = 1u << 24;
	void **burst = zalloc(1, esize);

	if (burst == NULL)
		return -1;
	const uint64_t start = sl_rdtsc();
	for (unsigned i = 0; i < iterations; i++) {
		enqueue(r, burst, esize, 1, api);
		dequeue(r, burst, esize, 1, api);
	}
	const uint64_t end = sl_rdtsc();
	print_case(api, esize, 1, (double)(end - start) / iterations);
	sl_free(burst);
	return 0;
}

static int test_burst_bulk(struct sl_ring *r, int esize, unsigned api)
{
	const unsigned iterations = 1u << 23;
	void **burst = zalloc(MAX_BURST, esize);

	if (burst == NULL)
		return -1;
	for (unsigned sz = 0; sz < SL_ARRAY_SIZE(bulk_sizes); sz++) {
		const uint64_t start = sl_rdtsc();
		for (unsigned i = 0; i < iterations; i++) {
			enqueue(r, burst, esize, bulk_sizes[sz], api);
			dequeue(r, burst, esize, bulk_sizes[sz], api);
		}
		const uint64_t end = sl_rdtsc();
		print_case(api, esize, bulk_sizes[sz], (double)(end - start) / iterations);
	}
	sl_free(burst);
	return 0;
}

static void test_empty(struct sl_ring *r, int esize, unsigned api)
{
	const unsigned iterations = 1u << 26;
	void *burst[MAX_BURST * 2]; /* room for 32 objects of 16 bytes */

	const uint64_t start = sl_rdtsc();
	for (unsigned i = 0; i < iterations; i++)
		dequeue(r, burst, esize, bulk_sizes[0], api);
	const uint64_t end = sl_rdtsc();
	print_case(api, esize, bulk_sizes[0], (double)(end - start) / iterations);
}

struct pair_params {
	struct sl_ring *r;
	int esize;
	unsigned size;
	int is_consumer;
	double spsc, mpmc; /* cycles per object on this side */
};

static unsigned pair_ready;

/* One side of the two-core case: 2^15 bulk calls SP (or SC), then 2^15 MP (or MC). */
static void *pair_side(void *arg)
{
	const unsigned iterations = 1u << 15;
	struct pair_params *p = arg;
	const unsigned n = p->size;
	void **burst = zalloc(MAX_BURST, p->esize);
	unsigned ret;

	if (__atomic_add_fetch(&pair_ready, 1, __ATOMIC_RELAXED) != 2)
		while (__atomic_load_n(&pair_ready, __ATOMIC_RELAXED) != 2)
			sl_pause();
	if (burst == NULL)
		return NULL;

	const uint64_t s_start = sl_rdtsc();
	for (unsigned i = 0; i < iterations; i++)
		do {
			if (!p->is_consumer)
				ret = enqueue(p->r, burst, p->esize, n, API_SPSC | API_BULK);
			else
				ret = dequeue(p->r, burst, p->esize, n, API_SPSC | API_BULK);
			if (ret == 0)
				sl_pause();
		} while (ret == 0);
	const uint64_t s_end = sl_rdtsc();

	const uint64_t m_start = sl_rdtsc();
	for (unsigned i = 0; i < iterations; i++)
		do {
			if (!p->is_consumer)
				ret = enqueue(p->r, burst, p->esize, n, API_MPMC | API_BULK);
			else
				ret = dequeue(p->r, burst, p->esize, n, API_MPMC | API_BULK);
			if (ret == 0)
				sl_pause();
		} while (ret == 0);
	const uint64_t m_end = sl_rdtsc();

	p->spsc = (double)(s_end - s_start) / ((double)iterations * n);
	p->mpmc = (double)(m_end - m_start) / ((double)iterations * n);
	sl_free(burst);
	return NULL;
}

static int run_on_core_pair(struct sl_ring *r, int esize)
{
	for (unsigned i = 0; i < SL_ARRAY_SIZE(bulk_sizes); i++) {
		struct pair_params prod = {.r = r, .esize = esize, .size = bulk_sizes[i]};
		struct pair_params cons = prod;
		pthread_t t;

		cons.is_consumer = 1;
		__atomic_store_n(&pair_ready, 0, __ATOMIC_RELAXED);
		if (start_on(&t, 1, pair_side, &cons) != 0) {
			fprintf(stderr, "ring_perf: cannot start the consumer on core 1\n");
			return -1;
		}
		pair_side(&prod);
		pthread_join(t, NULL);
		print_case(API_SPSC | API_BULK, esize, bulk_sizes[i], prod.spsc + cons.spsc);
		print_case(API_MPMC | API_BULK, esize, bulk_sizes[i], prod.mpmc + cons.mpmc);
	}
	return 0;
}

static int run_esize(int esize, int two_cores)
{
	struct sl_ring *r;
	int rc = -1;

	if (esize == -1)
		r = sl_ring_create(RING_NAME, RING_SIZE, SL_NODE_ANY, 0);
	else
		r = sl_ring_create_elem(RING_NAME, esize, RING_SIZE, SL_NODE_ANY, 0);
	if (r == NULL) {
		fprintf(stderr, "ring_perf: cannot create the ring: %s\n", strerror(errno));
		return -1;
	}

	printf("\n### Testing single element enq/deq ###\n");
	if (test_single(r, esize, API_SPSC | API_SINGLE) < 0 ||
	    test_single(r, esize, API_MPMC | API_SINGLE) < 0)
		goto free_ring;

	printf("\n### Testing burst enq/deq ###\n");
	if (test_burst_bulk(r, esize, API_SPSC | API_BURST) < 0 ||
	    test_burst_bulk(r, esize, API_MPMC | API_BURST) < 0)
		goto free_ring;

	printf("\n### Testing bulk enq/deq ###\n");
	if (test_burst_bulk(r, esize, API_SPSC | API_BULK) < 0 ||
	    test_burst_bulk(r, esize, API_MPMC | API_BULK) < 0)
		goto free_ring;

	printf("\n### Testing empty bulk deq ###\n");
	test_empty(r, esize, API_SPSC | API_BULK);
	test_empty(r, esize, API_MPMC | API_BULK);

	if (two_cores) {
		printf("\n### Testing using two physical cores ###\n");
		if (run_on_core_pair(r, esize) < 0)
			goto free_ring;
	}
	rc = 0;
free_ring:
	sl_ring_free(r);
	return rc;
}

int main(int argc, char **argv)
{
	int two_cores = sysconf(_SC_NPROCESSORS_ONLN) >= 2;

	if (argc > 1 && strcmp(argv[1], "-s") == 0)
		two_cores = 0;
	if (pin(pthread_self(), 0) != 0)
		fprintf(stderr, "ring_perf: cannot pin to core 0; figures may be noisy\n");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("Sluice ring_perf: TSC cycles, same cases and method as DPDK ring_perf_autotest\n");
	if (run_esize(-1, two_cores) < 0 || run_esize(16, two_cores) < 0)
		return 1;
	printf("Test OK\n");
	return 0;
}
