/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QSBR costs: Sluice's lib/rcu and, when built with libdpdk, DPDK 22.11's librte_rcu
 * (rte_rcu_qsbr) side by side in one process.  Cases:
 *   quiescent            n quiescent() calls in a loop on one thread, no writer: cycles
 *                        per call (the token and the thread's slot stay in its cache);
 *   quiescent + writer   the same while a second thread runs synchronize() back to back:
 *                        every grace period moves the token line to the writer and the
 *                        slot line to its scan, and back;
 *   start                n start() calls, no reader: the writer's cost to open a grace
 *                        period;
 *   synchronize, 1 reader  a second thread calls quiescent() in a loop; the main thread
 *                        times m synchronize() calls: cycles (and ns) per call.
 * Each of the REPS repetitions runs every case on both libraries in turn, the first one
 * alternating, each on a fresh domain; the table gives the medians and their ratio.  The
 * two threads are pinned to the first two CPUs the process may use (when it has two).
 *
 * Usage: rcu_perf [-r REPS] [-n CALLS] [-m SYNCS]    (defaults 11, 10000000, 20000)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rcu_impl.h"
#include "sl_cycles.h"
#include "sl_rcu.h"

#define MAX_REPS 101

/* ---- Sluice behind the ops ---- */

static void *sl_create(unsigned max_threads)
{
	return sl_rcu_create("bench", max_threads);
}

static void sl_destroy(void *d)
{
	sl_rcu_free(d);
}

static int sl_thread_start(void *d, unsigned tid)
{
	return sl_rcu_thread_register(d, tid);
}

static void sl_thread_stop(void *d, unsigned tid)
{
	sl_rcu_thread_offline(d, tid);
	sl_rcu_thread_unregister(d, tid);
}

static uint64_t sl_quiescent_loop(void *d, unsigned tid, uint64_t n)
{
	struct sl_rcu *rcu = d;
	uint64_t t0 = sl_rdtsc_ordered();

	for (uint64_t i = 0; i < n; i++)
		sl_rcu_quiescent(rcu, tid);
	return sl_rdtsc_ordered() - t0;
}

static uint64_t sl_quiescent_until(void *d, unsigned tid, const int *stop)
{
	struct sl_rcu *rcu = d;
	uint64_t n = 0;

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		sl_rcu_quiescent(rcu, tid);
		n++;
	}
	return n;
}

static uint64_t sl_start_loop(void *d, uint64_t n)
{
	uint64_t t0 = sl_rdtsc_ordered(), sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += sl_rcu_start(d);
	__asm__ volatile("" : : "r"(sum));
	return sl_rdtsc_ordered() - t0;
}

static void sl_synchronize(void *d)
{
	sl_rcu_synchronize(d);
}

static const struct rcu_impl sluice = {
	.name = "Sluice",
	.create = sl_create,
	.destroy = sl_destroy,
	.thread_start = sl_thread_start,
	.thread_stop = sl_thread_stop,
	.quiescent_loop = sl_quiescent_loop,
	.quiescent_until = sl_quiescent_until,
	.start_loop = sl_start_loop,
	.synchronize = sl_synchronize,
};

/* ---- the cases ---- */

enum { C_QS, C_QS_WRITER, C_START, C_SYNC, NB_CASES };

static const char *const case_names[NB_CASES] = {
	"quiescent(), no writer (cycles/call)",
	"quiescent(), writer synchronizing on the other CPU (cycles/call)",
	"start(), no reader (cycles/call)",
	"synchronize(), 1 reader polling on the other CPU (cycles/call)",
};

static int cpus[2] = {-1, -1};

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The second thread: a writer that synchronizes, or a reader that reports. */
struct helper {
	const struct rcu_impl *impl;
	void *d;
	int reader;
	int ready; /* atomic */
	int stop;  /* atomic */
	uint64_t count;
};

static void *helper_main(void *arg)
{
	struct helper *h = arg;

	pin(cpus[1]);
	if (h->reader) {
		if (h->impl->thread_start(h->d, 0) != 0) {
			fprintf(stderr, "rcu_perf: %s reader cannot register\n", h->impl->name);
			exit(1);
		}
		__atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
		h->count = h->impl->quiescent_until(h->d, 0, &h->stop);
		h->impl->thread_stop(h->d, 0);
		return NULL;
	}
	__atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		h->impl->synchronize(h->d);
		h->count++;
	}
	return NULL;
}

static void helper_start(struct helper *h, pthread_t *th)
{
	if (pthread_create(th, NULL, helper_main, h) != 0) {
		fprintf(stderr, "rcu_perf: cannot start a thread\n");
		exit(1);
	}
	while (!__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* One case on one library: cycles per call; *gps = grace periods the helper completed. */
static double run_case(const struct rcu_impl *impl, int c, uint64_t n, uint64_t m, double *gps)
{
	void *d = impl->create(4);
	struct helper h = {.impl = impl, .d = d};
	pthread_t th;
	uint64_t cycles = 0, calls = n;

	if (d == NULL) {
		fprintf(stderr, "rcu_perf: %s: cannot create a domain\n", impl->name);
		exit(1);
	}
	switch (c) {
	case C_QS:
		impl->thread_start(d, 1);
		cycles = impl->quiescent_loop(d, 1, n);
		impl->thread_stop(d, 1);
		break;
	case C_QS_WRITER:
		impl->thread_start(d, 1);
		helper_start(&h, &th);
		cycles = impl->quiescent_loop(d, 1, n);
		__atomic_store_n(&h.stop, 1, __ATOMIC_RELAXED);
		impl->thread_stop(d, 1); /* the writer may be waiting for us */
		pthread_join(th, NULL);
		*gps = (double)h.count;
		break;
	case C_START:
		cycles = impl->start_loop(d, n);
		break;
	case C_SYNC: {
		uint64_t t0;

		h.reader = 1;
		helper_start(&h, &th);
		t0 = sl_rdtsc_ordered();
		for (uint64_t i = 0; i < m; i++)
			impl->synchronize(d);
		cycles = sl_rdtsc_ordered() - t0;
		calls = m;
		__atomic_store_n(&h.stop, 1, __ATOMIC_RELAXED);
		pthread_join(th, NULL);
		break;
	}
	default:
		break;
	}
	impl->destroy(d);
	return (double)cycles / (double)calls;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void pick_cpus(void)
{
	cpu_set_t set;
	int k = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE && k < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[k++] = cpu;
	if (k < 2)
		cpus[0] = cpus[1] = -1;
}

int main(int argc, char **argv)
{
	static double res[2][NB_CASES][MAX_REPS], gps[2][MAX_REPS];
	const struct rcu_impl *impls[2] = {&sluice, rcu_dpdk_impl()};
	const unsigned nb_impls = impls[1] != NULL ? 2 : 1;
	unsigned reps = 11;
	uint64_t n = 10000000, m = 20000;
	double hz;
	int opt;

	while ((opt = getopt(argc, argv, "r:n:m:")) != -1) {
		switch (opt) {
		case 'r':
			reps = (unsigned)atoi(optarg);
			break;
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			m = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-r REPS (1-%d)] [-n CALLS] [-m SYNCS]\n",
				argv[0], MAX_REPS);
			return 2;
		}
	}
	if (reps == 0 || reps > MAX_REPS || n == 0 || m == 0) {
		fprintf(stderr, "rcu_perf: -r must be 1 to %d, -n and -m at least 1\n", MAX_REPS);
		return 2;
	}
	pick_cpus();
	pin(cpus[0]);
	hz = (double)sl_tsc_hz();
	printf("rcu_perf: %u repetitions, %llu calls, %llu synchronize; CPUs %d and %d; TSC "
	       "%.2f GHz%s\n",
	       reps, (unsigned long long)n, (unsigned long long)m, cpus[0], cpus[1], hz / 1e9,
	       nb_impls == 1 ? "; DPDK column absent (built without libdpdk)" : "");
	for (unsigned r = 0; r < reps; r++)
		for (int c = 0; c < NB_CASES; c++)
			for (unsigned k = 0; k < nb_impls; k++) {
				unsigned i = (r + k) % nb_impls; /* alternate who goes first */

				res[i][c][r] = run_case(impls[i], c, n, m, &gps[i][r]);
			}
	printf("\n| case | Sluice | DPDK | Sluice/DPDK |\n|---|---:|---:|---:|\n");
	for (int c = 0; c < NB_CASES; c++) {
		double s = median(res[0][c], reps);

		if (nb_impls == 2) {
			double d = median(res[1][c], reps);

			printf("| %s | %.2f | %.2f | %.2f |\n", case_names[c], s, d, s / d);
		} else {
			printf("| %s | %.2f | - | - |\n", case_names[c], s);
		}
	}
	printf("\n");
	for (unsigned i = 0; i < nb_impls; i++) {
		/* The fastest repetition: the one the rest of the machine disturbed least. */
		double best = res[i][C_SYNC][0];

		for (unsigned r = 1; r < reps; r++)
			best = res[i][C_SYNC][r] < best ? res[i][C_SYNC][r] : best;
		printf("%s: synchronize() with 1 reader %.2f us per call (median), %.2f us (best); "
		       "a grace period costs the polling reader %.0f cycles (median extra cycles of "
		       "the writer case over the no-writer case, per grace period)\n",
		       impls[i]->name, median(res[i][C_SYNC], reps) / hz * 1e6, best / hz * 1e6,
		       (median(res[i][C_QS_WRITER], reps) - median(res[i][C_QS], reps)) *
			       (double)n / median(gps[i], reps));
	}
	return 0;
}
