/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small driver for the net_pcap integration tests: sends generated UDP packets through a
 * port, or receives from one and prints each packet in hex.
 *
 *   pcap_tool send DEVSTR COUNT SIZE
 *       COUNT Ethernet/IPv4/UDP frames of SIZE bytes, 198.18.0.1:1024 -> 198.18.0.2:1025,
 *       from the port's MAC to 02:00:00:00:00:02; the payload starts with a 32-bit big-endian
 *       sequence number.  Prints "sent COUNT" (packets the port took) and
 *       "tx ok N, errors M" from the port's counters.
 *   pcap_tool recv DEVSTR COUNT TIMEOUT_MS [SETTLE_MS]
 *       Prints "ready" on stderr once the port runs, then one hex line per packet received
 *       on stdout until COUNT arrived (then SETTLE_MS more, 300 by default, to catch
 *       extras) or TIMEOUT_MS passed.  Prints "received N" and the port's drop counters on
 *       stderr.
 * Exit status: 0, or 1 with a message on a port error or a bad argument.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_cycles.h"
#include "sl_port.h"

static int die(const char *what, int rc)
{
	fprintf(stderr, "pcap_tool: %s: %s\n", what, strerror(-rc));
	return 1;
}

static int start(const char *devstr, struct sl_pool *pool)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	int id = sl_port_create(devstr), rc;

	if (id < 0)
		return id;
	rc = sl_port_configure((uint16_t)id, &conf);
	if (rc == 0)
		rc = sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool);
	if (rc == 0)
		rc = sl_port_txq_setup((uint16_t)id, 0, 0, 0);
	if (rc == 0)
		rc = sl_port_start((uint16_t)id);
	return rc < 0 ? rc : id;
}

static void build_frame(uint8_t *f, unsigned size, const uint8_t src_mac[6], uint32_t seq)
{
	static const uint8_t dst_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
	unsigned ip_len = size - 14, udp_len = size - 34;
	uint32_t sum = 0;

	memset(f, 0, size);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[16] = (uint8_t)(ip_len >> 8);
	f[17] = (uint8_t)ip_len;
	f[22] = 64;   /* TTL */
	f[23] = 17;   /* UDP */
	memcpy(f + 26, (uint8_t[]){198, 18, 0, 1, 198, 18, 0, 2}, 8);
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8);
	f[25] = (uint8_t)~sum;
	f[34] = 1024 >> 8;
	f[35] = 1024 & 0xff;
	f[36] = 1025 >> 8;
	f[37] = 1025 & 0xff;
	f[38] = (uint8_t)(udp_len >> 8);
	f[39] = (uint8_t)udp_len;
	for (unsigned i = 0; i < 4 && 42 + i < size; i++)
		f[42 + i] = (uint8_t)(seq >> (24 - 8 * i));
	for (unsigned i = 46; i < size; i++)
		f[i] = (uint8_t)(seq + i);
}

static int do_send(const char *devstr, unsigned long count, unsigned long size,
		   struct sl_pool *pool)
{
	struct sl_port_stats st;
	uint8_t mac[6];
	uint64_t deadline = sl_time_ns() + 10000000000ull;
	unsigned long sent = 0;
	int id = start(devstr, pool);

	if (id < 0)
		return die(devstr, id);
	sl_port_mac((uint16_t)id, mac);
	while (sent < count && sl_time_ns() < deadline) {
		struct sl_pktbuf *pkts[32];
		uint16_t n = (uint16_t)SL_MIN(32ul, count - sent), k;

		if (sl_pktbuf_alloc_bulk(pool, pkts, n) < 0)
			return die("packet buffers", -ENOMEM);
		for (uint16_t i = 0; i < n; i++) {
			build_frame(sl_pktbuf_mtod(pkts[i], uint8_t *), (unsigned)size, mac,
				    (uint32_t)(sent + i));
			pkts[i]->data_len = (uint16_t)size;
			pkts[i]->pkt_len = (uint32_t)size;
		}
		k = sl_port_tx_burst((uint16_t)id, 0, pkts, n);
		sl_pktbuf_free_bulk(pkts + k, n - k); /* rebuilt on the next round */
		sent += k;
	}
	sl_port_stats((uint16_t)id, &st);
	sl_port_close((uint16_t)id);
	printf("sent %lu\n", sent);
	printf("tx ok %llu, errors %llu\n", (unsigned long long)st.opackets,
	       (unsigned long long)st.oerrors);
	return sent == count ? 0 : 1;
}

static int do_recv(const char *devstr, unsigned long count, unsigned long timeout_ms,
		   unsigned long settle_ms, struct sl_pool *pool)
{
	static uint8_t buf[262144];
	struct sl_port_stats st;
	uint64_t deadline = sl_time_ns() + timeout_ms * 1000000ull;
	unsigned long got = 0;
	int id = start(devstr, pool);

	if (id < 0)
		return die(devstr, id);
	fprintf(stderr, "ready\n");
	fflush(stderr);
	while (sl_time_ns() < deadline) {
		struct sl_pktbuf *pkts[32];
		uint16_t n = sl_port_rx_burst((uint16_t)id, 0, pkts, 32);

		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *d = sl_pktbuf_read(pkts[i], 0, pkts[i]->pkt_len, buf);

			for (uint32_t j = 0; j < pkts[i]->pkt_len; j++)
				printf("%02x", d[j]);
			printf("\n");
		}
		sl_pktbuf_free_bulk(pkts, n);
		if (got < count && got + n >= count) {
			uint64_t settle = sl_time_ns() + settle_ms * 1000000ull;

			deadline = SL_MIN(deadline, settle);
		}
		got += n;
		if (n == 0)
			sl_delay_us(100);
	}
	fflush(stdout);
	sl_port_stats((uint16_t)id, &st);
	fprintf(stderr, "received %lu\n", got);
	fprintf(stderr, "kernel drops %llu, no buffer %llu, errors %llu\n",
		(unsigned long long)st.imissed, (unsigned long long)st.rx_nombuf,
		(unsigned long long)st.ierrors);
	sl_port_close((uint16_t)id);
	return 0;
}

static int number(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || *end || end == s || *out < min || *out > max) {
		fprintf(stderr, "pcap_tool: '%s' is not a number in [%lu, %lu]\n", s, min, max);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count, size, timeout, settle = 300;
	struct sl_pool *pool;

	if (argc < 5 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv"))) {
		fprintf(stderr, "usage: pcap_tool send DEVSTR COUNT SIZE\n"
				"       pcap_tool recv DEVSTR COUNT TIMEOUT_MS [SETTLE_MS]\n");
		return 1;
	}
	pool = sl_pktbuf_pool_create("pcap_tool", 4096, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return die("packet pool", -errno);
	if (number(argv[3], 1, 1000000, &count) < 0)
		return 1;
	if (strcmp(argv[1], "send") == 0) {
		if (number(argv[4], 46, 2048, &size) < 0)
			return 1;
		return do_send(argv[2], count, size, pool);
	}
	if (number(argv[4], 1, 60000, &timeout) < 0 ||
	    (argc > 5 && number(argv[5], 0, 10000, &settle) < 0))
		return 1;
	return do_recv(argv[2], count, timeout, settle, pool);
}
