/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Sluice end of tests/integ/memif_testpmd.sh: one net_memif port that receives and
 * checks testpmd's txonly packets, or sends an exact number of packets.
 *
 *   memif_peer rx DEVSTR SECONDS
 *       receives for SECONDS and checks every packet against testpmd's txonly template:
 *       Ethernet/IPv4/UDP 198.18.0.1:9 -> 198.18.0.2:9, consistent lengths, a valid IPv4
 *       checksum, and every packet byte-for-byte equal to the first (nothing varies in
 *       txonly without --txonly-multi-flow).  Prints "rx packets=N bad=B len=L".
 *   memif_peer tx DEVSTR COUNT SECONDS
 *       waits for the link (and 1.5 s more), sends exactly COUNT 64-byte UDP frames 198.18.1.1 ->
 *       198.18.1.2 (retrying when the ring is full).  Prints "tx sent=N" once sent, then stays connected until SECONDS have passed
 *       since the start (the peer reads its counters while the link is up).
 *   memif_peer rxseq DEVSTR COUNT SECONDS
 *       receives what "memif_peer tx" sends (another Sluice, through a switch): every
 *       frame must be tx's 64-byte template with the next sequence number.  Once COUNT
 *       have come it stays 3 s more (still connected, for the peer's counters; anything
 *       more is counted bad), or until SECONDS have passed.  Prints "rx packets=N bad=B
 *       bytes=Y"; exits 0 only with exactly COUNT, in order, none bad.
 * The tool is generic over device strings (memif, vhost, virtio_user...).
 * DEVSTR may carry zero-copy=yes (client): then the pool is shared with the peer.  After the
 * port closes every packet buffer must be back in the pool (else exit 1).
 * Exits 0 on success, 1 on a check failure, 2 on a usage or setup error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_port.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int open_port(const char *devstr, struct sl_pool *pool)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	int id = sl_port_create(devstr);

	if (id < 0)
		return id;
	if (sl_port_configure((uint16_t)id, &conf) < 0 ||
	    sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool) < 0 ||
	    sl_port_txq_setup((uint16_t)id, 0, 0, 0) < 0 || sl_port_start((uint16_t)id) < 0)
		return -EIO;
	return id;
}

/* Checks one testpmd txonly frame; returns NULL or what is wrong. */
static const char *check_txonly(const uint8_t *f, uint32_t len)
{
	uint32_t sum = 0;

	if (len < 42)
		return "shorter than Ethernet+IPv4+UDP";
	if (get16(f + 12) != 0x0800)
		return "ethertype is not IPv4";
	if (f[14] != 0x45 || f[23] != 17)
		return "not IPv4 (no options) carrying UDP";
	if (memcmp(f + 26, (uint8_t[]){198, 18, 0, 1, 198, 18, 0, 2}, 8))
		return "addresses are not 198.18.0.1 -> 198.18.0.2";
	if (get16(f + 16) != len - 14 || get16(f + 38) != len - 34)
		return "IPv4 or UDP length does not match the frame";
	if (get16(f + 34) != 9 || get16(f + 36) != 9)
		return "UDP ports are not 9 -> 9";
	for (int i = 14; i < 34; i += 2)
		sum += get16(f + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	if (sum != 0xffff)
		return "bad IPv4 header checksum";
	return NULL;
}

static int do_rx(uint16_t id, double secs)
{
	struct sl_pktbuf *pkts[32];
	uint8_t first[2048], buf[2048];
	uint32_t first_len = 0;
	uint64_t n = 0, bad = 0;
	double end = now_s() + secs;

	while (now_s() < end) {
		uint16_t nb = sl_port_rx_burst(id, 0, pkts, 32);

		for (uint16_t i = 0; i < nb; i++) {
			struct sl_pktbuf *p = pkts[i];
			uint32_t len = SL_MIN(p->pkt_len, (uint32_t)sizeof(buf));
			const uint8_t *f = sl_pktbuf_read(p, 0, len, buf);
			const char *why = check_txonly(f, len);

			if (why == NULL && n == 0) {
				memcpy(first, f, len);
				first_len = len;
			} else if (why == NULL && (len != first_len || memcmp(f, first, len)))
				why = "differs from the first packet";
			if (why) {
				if (bad++ < 5)
					fprintf(stderr, "memif_peer: packet %" PRIu64 " (%u bytes): %s\n",
						n, len, why);
			}
			n++;
			sl_pktbuf_free(p);
		}
		if (nb == 0)
			usleep(50);
	}
	printf("rx packets=%" PRIu64 " bad=%" PRIu64 " len=%u\n", n, bad, first_len);
	return bad == 0 && n > 0 ? 0 : 1;
}

/* The frame "tx" sends: this header, then a 64-bit sequence number and zeros. */
static const uint8_t tx_hdr[42] = {
	0x02, 0,    0,	  0,	0, 2,  0x02, 0, 0,  0,	0, 1, 0x08, 0x00, /* Ethernet */
	0x45, 0,    0,	  50,	0, 0,  0,    0, 64, 17, 0, 0, 198,  18,
	1,    1,    198,  18,	1, 2,		/* IPv4 */
	0x04, 0x00, 0x04, 0x00, 0, 30, 0,    0, /* UDP 1024 -> 1024 */
};

static int do_rxseq(uint16_t id, uint64_t count, double secs)
{
	struct sl_pktbuf *pkts[32];
	uint8_t buf[64];
	uint64_t n = 0, bad = 0, bytes = 0;
	double end = now_s() + secs;

	while (now_s() < end) {
		uint16_t nb = sl_port_rx_burst(id, 0, pkts, 32);

		if (n == count && end > now_s() + 3)
			end = now_s() + 3; /* linger: extras are bad */
		for (uint16_t i = 0; i < nb; i++) {
			struct sl_pktbuf *p = pkts[i];
			const uint8_t *f = sl_pktbuf_read(p, 0, 64, buf);
			uint64_t seq;
			const char *why = NULL;

			if (n >= count)
				why = "more than COUNT";
			else if (p->pkt_len != 64 || f == NULL)
				why = "not 64 bytes";
			else if (memcmp(f, tx_hdr, sizeof(tx_hdr)))
				why = "not memif_peer tx's frame";
			else if (memcpy(&seq, f + 42, sizeof(seq)), seq != n)
				why = "out of sequence";
			if (why && bad++ < 5)
				fprintf(stderr, "memif_peer: packet %" PRIu64 ": %s\n", n, why);
			n++;
			bytes += p->pkt_len;
			sl_pktbuf_free(p);
		}
		if (nb == 0)
			usleep(50);
	}
	printf("rx packets=%" PRIu64 " bad=%" PRIu64 " bytes=%" PRIu64 "\n", n, bad, bytes);
	return bad == 0 && n == count ? 0 : 1;
}

static int do_tx(uint16_t id, struct sl_pool *pool, uint64_t count, double secs)
{
	const uint8_t *hdr = tx_hdr;
	double end = now_s() + secs;
	struct sl_port_link link = {0};
	uint64_t sent = 0;

	while (!link.up && now_s() < end) {
		sl_port_link(id, &link);
		usleep(10000);
	}
	if (!link.up) {
		fprintf(stderr, "memif_peer: link did not come up in %.0f s\n", secs);
		return 1;
	}
	/* testpmd starts forwarding (and takes its counter snapshot) a moment after its link
	 * comes up: let it, or the first packets fall before the snapshot. */
	usleep(1500000);
	while (sent < count && now_s() < end) {
		struct sl_pktbuf *pkts[32];
		uint16_t n = (uint16_t)SL_MIN(count - sent, 32u), done = 0;

		if (sl_pktbuf_alloc_bulk(pool, pkts, n) < 0) {
			usleep(100);
			continue;
		}
		for (uint16_t i = 0; i < n; i++) {
			uint8_t *f = (uint8_t *)sl_pktbuf_append(pkts[i], 64);
			uint64_t seq = sent + i;

			memcpy(f, hdr, sizeof(tx_hdr));
			memset(f + 42, 0, 22);
			memcpy(f + 42, &seq, sizeof(seq));
		}
		while (done < n && now_s() < end) {
			done = (uint16_t)(done + sl_port_tx_burst(id, 0, pkts + done, n - done));
			if (done < n)
				usleep(20);
		}
		sl_pktbuf_free_bulk(pkts + done, n - done);
		sent += done;
	}
	printf("tx sent=%" PRIu64 "\n", sent);
	fflush(stdout);
	/* Stay connected until the deadline: the peer reads its counters while we are up. */
	while (now_s() < end)
		usleep(10000);
	return sent == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sl_pool *pool;
	int id, rc;

	if (argc < 4 ||
	    (strcmp(argv[1], "rx") && strcmp(argv[1], "tx") && strcmp(argv[1], "rxseq")) ||
	    (strcmp(argv[1], "rx") && argc < 5)) {
		fprintf(stderr, "usage: memif_peer rx DEVSTR SECONDS | tx DEVSTR COUNT SECONDS | "
				"rxseq DEVSTR COUNT SECONDS\n");
		return 2;
	}
	pool = sl_pktbuf_pool_create("memif_peer", 8191, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return 2;
	id = open_port(argv[2], pool);
	if (id < 0) {
		fprintf(stderr, "memif_peer: cannot open %s: %s\n", argv[2], strerror(-id));
		return 2;
	}
	if (!strcmp(argv[1], "rx"))
		rc = do_rx((uint16_t)id, atof(argv[3]));
	else if (!strcmp(argv[1], "rxseq"))
		rc = do_rxseq((uint16_t)id, strtoull(argv[3], NULL, 0), atof(argv[4]));
	else
		rc = do_tx((uint16_t)id, pool, strtoull(argv[3], NULL, 0), atof(argv[4]));
	{
		struct sl_port_xstat xs[64];
		int nx = sl_port_xstats((uint16_t)id, xs, 64);

		for (int i = 0; i < nx && i < 64; i++)
			if (xs[i].value)
				fprintf(stderr, "memif_peer: %s=%" PRIu64 "\n", xs[i].name, xs[i].value);
	}
	sl_port_close_all();
	if (sl_pool_in_use(pool) != 0) {
		fprintf(stderr, "memif_peer: %u packet buffers not back in the pool after close\n",
			sl_pool_in_use(pool));
		rc = 1;
	}
	sl_pool_free(pool);
	return rc;
}
