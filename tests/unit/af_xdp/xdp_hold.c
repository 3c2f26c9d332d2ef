/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper: opens a net_af_xdp port and holds it until killed, so that a test can kill
 * a process that has a port open (test_af_xdp.c: test_sigkill_*).
 *
 *   xdp_hold DEVSTR [NQ]   NQ rx and tx queues (1); prints "ready" once the port runs,
 *                          then sleeps
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sl_port.h"

int main(int argc, char **argv)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_pool *pool;
	int id;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: xdp_hold DEVSTR [NQ]\n");
		return 2;
	}
	if (argc == 3)
		conf.nb_rxq = conf.nb_txq = (uint16_t)atoi(argv[2]);
	pool = sl_pktbuf_pool_create("hold", 4096, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	id = sl_port_create(argv[1]);
	if (pool == NULL || id < 0 || sl_port_configure((uint16_t)id, &conf) < 0)
		return 1;
	for (uint16_t q = 0; q < conf.nb_rxq; q++)
		if (sl_port_rxq_setup((uint16_t)id, q, 0, 0, pool) < 0 ||
		    sl_port_txq_setup((uint16_t)id, q, 0, 0) < 0)
			return 1;
	if (sl_port_start((uint16_t)id) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
