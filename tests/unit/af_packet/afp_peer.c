/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Sluice end of tests/integ/af_packet_veth.sh: a net_af_packet port on one interface
 * that either receives frames and prints them, or sends frames it reads.
 *
 *   afp_peer rx IFACE COUNT TIMEOUT_MS READY_FILE
 *       creates READY_FILE once the port runs, receives until COUNT frames came (then
 *       300 ms more, to catch extras) or TIMEOUT_MS passed, and prints one line of hex
 *       per frame on stdout; a summary with the port's counters goes to stderr.
 *   afp_peer tx IFACE < frames.hex
 *       sends one frame per line of hex on stdin; exits 1 unless the port took them all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_port.h"

#define MAX_FRAME 2048

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int port_open(const char *iface, struct sl_pool *pool)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	char devstr[64];
	int id;

	snprintf(devstr, sizeof(devstr), "net_af_packet0,iface=%s", iface);
	id = sl_port_create(devstr);
	if (id < 0)
		return id;
	if (sl_port_configure((uint16_t)id, &conf) < 0 ||
	    sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool) < 0 ||
	    sl_port_txq_setup((uint16_t)id, 0, 0, 0) < 0 || sl_port_start((uint16_t)id) < 0)
		return -EIO;
	return id;
}

static void summary(uint16_t id, const char *what, unsigned n)
{
	struct sl_port_stats st;

	sl_port_stats(id, &st);
	fprintf(stderr,
		"afp_peer: %s %u frames; ipackets=%" PRIu64 " ibytes=%" PRIu64 " imissed=%" PRIu64
		" opackets=%" PRIu64 " obytes=%" PRIu64 " oerrors=%" PRIu64 "\n",
		what, n, st.ipackets, st.ibytes, st.imissed, st.opackets, st.obytes, st.oerrors);
}

static int do_rx(uint16_t id, unsigned count, unsigned timeout_ms, const char *ready)
{
	uint64_t end = now_ms() + timeout_ms, extra_end = 0;
	unsigned got = 0;
	FILE *f = fopen(ready, "w");

	if (f == NULL) {
		perror(ready);
		return 1;
	}
	fclose(f);
	for (;;) {
		struct sl_pktbuf *pkts[32];
		uint8_t buf[MAX_FRAME];
		uint64_t t = now_ms();
		uint16_t nb;

		if (got >= count && extra_end == 0)
			extra_end = t + 300;
		if (t >= (extra_end ? extra_end : end))
			break;
		nb = sl_port_rx_burst(id, 0, pkts, 32);
		for (uint16_t i = 0; i < nb; i++) {
			uint32_t len = SL_MIN(pkts[i]->pkt_len, (uint32_t)MAX_FRAME);
			const uint8_t *d = sl_pktbuf_read(pkts[i], 0, len, buf);

			for (uint32_t k = 0; k < len; k++)
				printf("%02x", d[k]);
			printf("\n");
			got++;
		}
		sl_pktbuf_free_bulk(pkts, nb);
		if (nb == 0)
			usleep(100);
	}
	fflush(stdout);
	summary(id, "received", got);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int do_tx(uint16_t id, struct sl_pool *pool)
{
	static char line[2 * MAX_FRAME + 4];
	unsigned lineno = 0, sent = 0;

	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strcspn(line, "\r\n");
		struct sl_pktbuf *p;
		uint8_t *d;
		uint64_t end;

		lineno++;
		if (n == 0)
			continue;
		if (n % 2 || n / 2 > MAX_FRAME) {
			fprintf(stderr, "afp_peer: line %u: not an even number of hex digits up to %d bytes\n",
				lineno, MAX_FRAME);
			return 1;
		}
		p = sl_pktbuf_alloc(pool);
		if (p == NULL || (d = (uint8_t *)sl_pktbuf_append(p, (uint16_t)(n / 2))) == NULL) {
			fprintf(stderr, "afp_peer: line %u: no buffer for %zu bytes\n", lineno, n / 2);
			sl_pktbuf_free(p);
			return 1;
		}
		for (size_t k = 0; k < n / 2; k++) {
			int hi = hexval(line[2 * k]), lo = hexval(line[2 * k + 1]);

			if (hi < 0 || lo < 0) {
				fprintf(stderr, "afp_peer: line %u: bad hex digit\n", lineno);
				sl_pktbuf_free(p);
				return 1;
			}
			d[k] = (uint8_t)(hi << 4 | lo);
		}
		/* The ring may be busy for a moment: retry for up to a second. */
		for (end = now_ms() + 1000; now_ms() < end;)
			if (sl_port_tx_burst(id, 0, &p, 1) == 1) {
				p = NULL;
				sent++;
				break;
			}
		if (p) {
			fprintf(stderr, "afp_peer: line %u: the tx ring stayed full\n", lineno);
			sl_pktbuf_free(p);
			return 1;
		}
	}
	/* Let the kernel finish with the last frames before the ring goes away. */
	usleep(200 * 1000);
	summary(id, "sent", sent);
	return 0;
}

int main(int argc, char **argv)
{
	struct sl_pool *pool;
	int id, rc;

	if (argc == 6 && strcmp(argv[1], "rx") == 0) {
	} else if (argc == 3 && strcmp(argv[1], "tx") == 0) {
	} else {
		fprintf(stderr, "usage: %s rx IFACE COUNT TIMEOUT_MS READY_FILE\n"
				"       %s tx IFACE < frames.hex\n", argv[0], argv[0]);
		return 2;
	}
	pool = sl_pktbuf_pool_create("afp_peer", 4096, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL) {
		fprintf(stderr, "afp_peer: cannot create the packet pool\n");
		return 1;
	}
	id = port_open(argv[2], pool);
	if (id < 0) {
		fprintf(stderr, "afp_peer: cannot open a port on %s: %s\n", argv[2], strerror(-id));
		return 1;
	}
	if (argv[1][0] == 'r')
		rc = do_rx((uint16_t)id, (unsigned)strtoul(argv[3], NULL, 10),
			   (unsigned)strtoul(argv[4], NULL, 10), argv[5]);
	else
		rc = do_tx((uint16_t)id, pool);
	sl_port_close_all();
	sl_pool_free(pool);
	return rc;
}
