/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper: opens a net_af_xdp port and holds it until killed, so that a test can kill
 * a process that has a port open (test_af_xdp.c: test_sigkill_leaves_program).
 *
 *   xdp_hold DEVSTR      prints "ready" once the port runs, then sleeps
 */
#include <stdio.h>
#include <unistd.h>

#include "sl_port.h"

int main(int argc, char **argv)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_pool *pool;
	int id;

	if (argc != 2) {
		fprintf(stderr, "usage: xdp_hold DEVSTR\n");
		return 2;
	}
	pool = sl_pktbuf_pool_create("hold", 2048, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	id = sl_port_create(argv[1]);
	if (pool == NULL || id < 0 || sl_port_configure((uint16_t)id, &conf) < 0 ||
	    sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool) < 0 ||
	    sl_port_txq_setup((uint16_t)id, 0, 0, 0) < 0 || sl_port_start((uint16_t)id) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
