/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-selfcheck: the README's main job until ports exist.  Initialises the runtime with
 * whatever options it is given (none needed), says what it found, and measures the ring,
 * pool and packet-buffer fast paths on this machine, checking what it moves.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_pktbuf.h"
#include "sl_ring.h"
#include "sl_runtime.h"

#define BURST 32
#define RUN_NS 200000000ull /* each measurement runs for 0.2 s */

struct result {
	double mops;
	double cycles_per_op;
};

static struct result measure(uint64_t ops, uint64_t t0_ns, uint64_t c0)
{
	uint64_t ns = sl_time_ns() - t0_ns, cycles = sl_rdtsc() - c0;

	return (struct result){
		.mops = (double)ops / (double)ns * 1e3,
		.cycles_per_op = (double)cycles / (double)ops,
	};
}

static int ring_one_core(struct sl_ring *r, struct result *res)
{
	void *objs[BURST], *back[BURST];
	uint64_t ops = 0, t0 = sl_time_ns(), c0 = sl_rdtsc();

	for (unsigned i = 0; i < BURST; i++)
		objs[i] = (void *)(uintptr_t)(i + 1);
	do {
		for (int k = 0; k < 1000; k++) {
			if (sl_ring_enqueue_burst(r, objs, BURST, NULL) != BURST ||
			    sl_ring_dequeue_burst(r, back, BURST, NULL) != BURST)
				return -EIO;
			ops += BURST;
		}
	} while (sl_time_ns() - t0 < RUN_NS);
	if (memcmp(objs, back, sizeof(objs)) != 0)
		return -EIO;
	*res = measure(ops, t0, c0);
	return 0;
}

struct two_core {
	struct sl_ring *ring;
	uint64_t sent; /* (producer) written before it returns; read after sl_lcore_wait() */
	int stop;      /* (consumer) atomic */
};

static int producer(void *arg)
{
	struct two_core *tc = arg;
	void *objs[BURST];
	uint64_t seq = 1;

	while (!__atomic_load_n(&tc->stop, __ATOMIC_RELAXED)) {
		for (unsigned i = 0; i < BURST; i++)
			objs[i] = (void *)(uintptr_t)(seq + i);
		unsigned n = sl_ring_enqueue_burst(tc->ring, objs, BURST, NULL);
		seq += n;
	}
	tc->sent = seq - 1;
	return 0;
}

/* Producer on a worker, consumer here: every value must arrive once and in order. */
static int ring_two_cores(struct sl_ring *r, uint32_t worker, struct result *res)
{
	struct two_core tc = {.ring = r};
	void *objs[BURST];
	uint64_t expect = 1, t0, c0;
	int rc = 0;

	if (sl_lcore_launch(worker, producer, &tc) < 0)
		return -EIO;
	t0 = sl_time_ns();
	c0 = sl_rdtsc();
	while (sl_time_ns() - t0 < RUN_NS) {
		unsigned n = sl_ring_dequeue_burst(r, objs, BURST, NULL);

		for (unsigned i = 0; i < n; i++)
			if ((uintptr_t)objs[i] != expect++)
				rc = -EIO;
	}
	*res = measure(expect - 1, t0, c0);
	__atomic_store_n(&tc.stop, 1, __ATOMIC_RELAXED);
	sl_lcore_wait(worker);
	for (unsigned n; (n = sl_ring_dequeue_burst(r, objs, BURST, NULL)) > 0;)
		for (unsigned i = 0; i < n; i++)
			if ((uintptr_t)objs[i] != expect++)
				rc = -EIO;
	if (expect - 1 != tc.sent)
		rc = -EIO;
	return rc;
}

static int pktbuf_churn(struct sl_pool *pool, struct result *res)
{
	struct sl_pktbuf *pkts[BURST];
	uint64_t ops = 0, t0 = sl_time_ns(), c0 = sl_rdtsc();

	do {
		for (int k = 0; k < 1000; k++) {
			if (sl_pktbuf_alloc_bulk(pool, pkts, BURST) < 0)
				return -ENOENT;
			sl_pktbuf_free_bulk(pkts, BURST);
			ops += BURST;
		}
	} while (sl_time_ns() - t0 < RUN_NS);
	*res = measure(ops, t0, c0);
	return 0;
}

static void report(const char *what, int rc, const struct result *r, const char *unit)
{
	if (rc < 0)
		printf("  %-42s FAILED\n", what);
	else
		printf("  %-42s %8.1f M%s/s  %6.1f cycles each\n", what, r->mops, unit,
		       r->cycles_per_op);
}

int main(int argc, char **argv)
{
	struct result res;
	struct sl_ring *ring;
	struct sl_pool *pool;
	uint32_t worker;
	int rc, failures = 0;

	setvbuf(stdout, NULL, _IOLBF, 0); /* keep report and log lines in order */
	rc = sl_init(argc, argv);
	if (rc == -ECANCELED)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "sluice-selfcheck: runtime initialisation failed: %s\n", strerror(-rc));
		return 1;
	}
	printf("Sluice self-check\n");
	sl_runtime_dump(stdout);
	printf("fast paths (burst of %d, %.1f s each):\n", BURST, RUN_NS / 1e9);

	ring = sl_ring_create("selfcheck_ring", 1024, SL_NODE_ANY, SL_RING_SP_ENQ | SL_RING_SC_DEQ);
	if (ring == NULL) {
		fprintf(stderr, "sluice-selfcheck: cannot create a ring: %s\n", strerror(errno));
		return 1;
	}
	rc = ring_one_core(ring, &res);
	report("ring SP/SC enqueue+dequeue, one core", rc, &res, "obj");
	failures += rc < 0;
	worker = sl_lcore_next(SL_LCORE_ANY, true);
	if (worker != SL_LCORE_ANY) {
		rc = ring_two_cores(ring, worker, &res);
		report("ring SP/SC, producer and consumer cores", rc, &res, "obj");
		failures += rc < 0;
	} else {
		printf("  %-42s skipped (one core; give -l with two)\n", "ring across two cores");
	}
	sl_ring_free(ring);

	pool = sl_pktbuf_pool_create("selfcheck_pkts", 8192, 256, 0, SL_PKTBUF_DEFAULT_BUF_SIZE,
				     SL_NODE_ANY);
	if (pool == NULL) {
		fprintf(stderr, "sluice-selfcheck: cannot create a packet pool: %s\n", strerror(errno));
		return 1;
	}
	rc = pktbuf_churn(pool, &res);
	report("packet buffers alloc+free (pool cache)", rc, &res, "buf");
	failures += rc < 0;
	sl_pool_cache_flush(pool, sl_lcore_id());
	if (sl_pool_in_use(pool) != 0) {
		printf("  %u packet buffers did not come back to their pool\n", sl_pool_in_use(pool));
		failures++;
	}
	sl_pool_free(pool);
	sl_cleanup();
	printf("%s\n", failures ? "self-check FAILED" : "self-check passed");
	return failures ? 1 : 0;
}
