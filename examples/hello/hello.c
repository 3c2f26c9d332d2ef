/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smallest Sluice application, built outside the tree against the installed library:
 *   cc hello.c $(pkg-config --cflags --libs libsluice) -o hello
 * It starts the runtime, runs a function on every worker core, and passes packet buffers
 * through a ring.
 */
#include <stdio.h>
#include <string.h>

#include <sl_pktbuf.h>
#include <sl_ring.h>
#include <sl_runtime.h>

static int hello(void *arg)
{
	(void)arg;
	printf("hello from lcore %u\n", sl_lcore_id());
	return 0;
}

int main(int argc, char **argv)
{
	struct sl_pktbuf *pkts[8], *back[8];
	struct sl_ring *ring;
	struct sl_pool *pool;
	int n = sl_init(argc, argv);

	if (n < 0)
		return n == -ECANCELED ? 0 : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sl_lcore_launch_all(hello, NULL, true);
	sl_lcore_wait_all();

	pool = sl_pktbuf_pool_create("hello_pkts", 1024, 32, 0, SL_PKTBUF_DEFAULT_BUF_SIZE,
				     SL_NODE_ANY);
	ring = sl_ring_create("hello_ring", 64, SL_NODE_ANY, 0);
	if (pool == NULL || ring == NULL || sl_pktbuf_alloc_bulk(pool, pkts, 8) < 0)
		return 1;
	for (int i = 0; i < 8; i++)
		snprintf(sl_pktbuf_append(pkts[i], 16), 16, "packet %d", i);
	sl_ring_enqueue_bulk(ring, (void **)pkts, 8, NULL);
	if (sl_ring_dequeue_bulk(ring, (void **)back, 8, NULL) != 8)
		return 1;
	printf("ring returned \"%s\" .. \"%s\"\n", sl_pktbuf_mtod(back[0], char *),
	       sl_pktbuf_mtod(back[7], char *));
	sl_pktbuf_free_bulk(back, 8);
	printf("buffers in use after free: %u\n", sl_pool_in_use(pool));
	sl_ring_free(ring);
	sl_pool_free(pool);
	sl_cleanup();
	return 0;
}
