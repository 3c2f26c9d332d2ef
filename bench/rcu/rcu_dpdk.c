/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK's rte_rcu_qsbr behind rcu_perf's ops (no EAL needed: the domain is plain memory). */
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "rcu_impl.h"
#include "sl_cycles.h"

static void *dp_create(unsigned max_threads)
{
	size_t sz = rte_rcu_qsbr_get_memsize(max_threads);
	void *v = NULL;

	if (posix_memalign(&v, RTE_CACHE_LINE_SIZE, sz) != 0)
		return NULL;
	memset(v, 0, sz);
	if (rte_rcu_qsbr_init(v, max_threads) != 0) {
		free(v);
		return NULL;
	}
	return v;
}

static void dp_destroy(void *d)
{
	free(d);
}

static int dp_thread_start(void *d, unsigned tid)
{
	int rc = rte_rcu_qsbr_thread_register(d, tid);

	if (rc == 0)
		rte_rcu_qsbr_thread_online(d, tid);
	return rc;
}

static void dp_thread_stop(void *d, unsigned tid)
{
	rte_rcu_qsbr_thread_offline(d, tid);
	rte_rcu_qsbr_thread_unregister(d, tid);
}

static uint64_t dp_quiescent_loop(void *d, unsigned tid, uint64_t n)
{
	struct rte_rcu_qsbr *v = d;
	uint64_t t0 = sl_rdtsc_ordered();

	for (uint64_t i = 0; i < n; i++)
		rte_rcu_qsbr_quiescent(v, tid);
	return sl_rdtsc_ordered() - t0;
}

static uint64_t dp_quiescent_until(void *d, unsigned tid, const int *stop)
{
	struct rte_rcu_qsbr *v = d;
	uint64_t n = 0;

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		rte_rcu_qsbr_quiescent(v, tid);
		n++;
	}
	return n;
}

static uint64_t dp_start_loop(void *d, uint64_t n)
{
	struct rte_rcu_qsbr *v = d;
	uint64_t t0 = sl_rdtsc_ordered(), sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += rte_rcu_qsbr_start(v);
	__asm__ volatile("" : : "r"(sum));
	return sl_rdtsc_ordered() - t0;
}

static void dp_synchronize(void *d)
{
	rte_rcu_qsbr_synchronize(d, RTE_QSBR_THRID_INVALID);
}

static const struct rcu_impl dpdk = {
	.name = "DPDK",
	.create = dp_create,
	.destroy = dp_destroy,
	.thread_start = dp_thread_start,
	.thread_stop = dp_thread_stop,
	.quiescent_loop = dp_quiescent_loop,
	.quiescent_until = dp_quiescent_until,
	.start_loop = dp_start_loop,
	.synchronize = dp_synchronize,
};

const struct rcu_impl *rcu_dpdk_impl(void)
{
	return &dpdk;
}
