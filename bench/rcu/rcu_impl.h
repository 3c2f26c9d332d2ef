/* SPDX-License-Identifier: BSD-3-Clause */
/* One QSBR implementation as rcu_perf drives it.  The loops live in the implementation's
 * file so that its inline reader calls are inlined into them. */
#ifndef BENCH_RCU_IMPL_H
#define BENCH_RCU_IMPL_H

#include <stdint.h>

struct rcu_impl {
	const char *name;
	void *(*create)(unsigned max_threads);
	void (*destroy)(void *d);
	int (*thread_start)(void *d, unsigned tid); /* register, online */
	void (*thread_stop)(void *d, unsigned tid); /* offline, unregister */
	/* n quiescent calls in a loop; returns the TSC cycles they took. */
	uint64_t (*quiescent_loop)(void *d, unsigned tid, uint64_t n);
	/* Quiescent calls until *stop is set; returns how many. */
	uint64_t (*quiescent_until)(void *d, unsigned tid, const int *stop);
	/* n start() calls in a loop (no reader); returns the TSC cycles they took. */
	uint64_t (*start_loop)(void *d, uint64_t n);
	void (*synchronize)(void *d);
};

/* DPDK's librte_rcu, or NULL when the bench was built without libdpdk. */
const struct rcu_impl *rcu_dpdk_impl(void);

#endif
