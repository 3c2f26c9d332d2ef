/* SPDX-License-Identifier: BSD-3-Clause */
/* net_pcap: files written by tx and read back by rx, looping, damaged and missing files,
 * bad arguments.  Live interfaces are covered by tests/integ/pcap_live_veth.sh. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "port_test.h"
#include "sl_cycles.h"
#include "sl_port.h"

#define REC_HDR 16  /* pcap record header */
#define FILE_HDR 24 /* pcap file header */
#define MAX_PKT 6000

static struct log_capture cap;
static struct sl_pool *pool;
static char dir[64];

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("pcap_test", 1024, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	strcpy(dir, "/tmp/sl_pcap_test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static const char *const file_names[] = {"a.pcap", "b.pcap", "cut.pcap", "cut2.pcap",
					 "text.pcap", "empty.pcap"};

static int teardown(void **state)
{
	char path[128];
	unsigned in_use, ports;
	int rc;

	(void)state;
	/* Clean up everything first so one failed test does not fail the next ones. */
	sl_port_close_all();
	ports = sl_port_count();
	in_use = sl_pool_in_use(pool);
	sl_pool_free(pool);
	log_capture_stop();
	for (unsigned i = 0; i < SL_ARRAY_SIZE(file_names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, file_names[i]);
		unlink(path);
	}
	rc = rmdir(dir);
	assert_int_equal(ports, 0);
	assert_int_equal(in_use, 0); /* every buffer came back */
	assert_int_equal(rc, 0);     /* no file left behind that we did not expect */
	return 0;
}

static const char *path_of(const char *name)
{
	static char buf[4][128];
	static unsigned next;
	char *p = buf[next++ % 4];

	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

/* Byte j of test packet i. */
static uint8_t pattern(unsigned i, unsigned j)
{
	return (uint8_t)(i * 7u + j * 13u + (j >> 8) + 1u);
}

/* Packet i of len bytes, as a chain of segments of at most seg bytes each. */
static struct sl_pktbuf *make_pkt(unsigned i, uint32_t len, uint16_t seg)
{
	struct sl_pktbuf *head = NULL;
	uint32_t off = 0;

	do {
		struct sl_pktbuf *p = sl_pktbuf_alloc(pool);
		uint16_t chunk = (uint16_t)SL_MIN((uint32_t)seg, len - off);
		uint8_t *d;

		assert_non_null(p);
		d = (uint8_t *)sl_pktbuf_append(p, chunk);
		assert_non_null(d);
		for (uint16_t j = 0; j < chunk; j++)
			d[j] = pattern(i, off + j);
		off += chunk;
		if (head == NULL)
			head = p;
		else
			assert_int_equal(sl_pktbuf_chain(head, p), 0);
	} while (off < len);
	return head;
}

static void check_pkt(struct sl_pktbuf *p, unsigned i, uint32_t len)
{
	static uint8_t buf[MAX_PKT];
	const uint8_t *d;

	assert_int_equal(p->pkt_len, len);
	d = sl_pktbuf_read(p, 0, len, buf);
	assert_non_null(d);
	for (uint32_t j = 0; j < len; j++)
		if (d[j] != pattern(i, j))
			fail_msg("packet %u byte %u: 0x%02x, expected 0x%02x", i, j, d[j],
				 pattern(i, j));
	assert_int_equal(sl_pktbuf_check(p, NULL), 0);
}

static int start_port(const char *devstr)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	int id = sl_port_create(devstr);

	if (id < 0)
		fail_msg("cannot create %s: %d; log:\n%s", devstr, id, cap.text);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return id;
}

static unsigned count_in_log(const char *what)
{
	unsigned n = 0;

	for (const char *s = strstr(cap.text, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define TS0 1700000000123456789ull

/*
 * Writes n packets of the given lengths to file through a tx_pcap port, in bursts of up to
 * 32.  With stamps, packet i carries timestamp TS0 + gap_ns * i.
 */
static void write_file(const char *file, unsigned n, const uint32_t *lens, bool stamps,
		       uint64_t gap_ns)
{
	struct sl_pktbuf *pkts[32];
	char dev[200];
	struct sl_port_stats st;
	uint64_t bytes = 0;
	int id;

	snprintf(dev, sizeof(dev), "net_pcap9,tx_pcap=%s", file);
	id = start_port(dev);
	for (unsigned i = 0; i < n;) {
		uint16_t k = 0;

		for (; k < 32 && i + k < n; k++) {
			pkts[k] = make_pkt(i + k, lens[i + k], 1500);
			if (stamps) {
				pkts[k]->ol_flags |= SL_PKT_RX_TIMESTAMP;
				pkts[k]->timestamp = TS0 + gap_ns * (i + k);
			}
			bytes += lens[i + k];
		}
		assert_int_equal(sl_port_tx_burst((uint16_t)id, 0, pkts, k), k);
		i += k;
	}
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.opackets, n);
	assert_int_equal(st.obytes, bytes);
	assert_int_equal(st.oerrors, 0);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
}

/* tx to a file, rx it back: same count, bytes, lengths and timestamps. */
static void test_round_trip(void **state)
{
	enum { N = 150 };
	uint32_t lens[N];
	uint64_t bytes = 0, t_before, t_after, last_ts = 0;
	struct sl_pktbuf *pkts[N + 1], *burst[32];
	struct sl_port_stats st;
	struct sl_pktbuf *p;
	char dev[200];
	unsigned got = 0, chains = 0;
	uint8_t magic[4];
	FILE *f;
	int id;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		/* 14 .. 5000 bytes: runts, MTU-size, and chains longer than one 2 KiB buffer. */
		lens[i] = (i % 5 == 4) ? 2049 + i * 19 : 14 + (i * 97) % 1500;
		bytes += lens[i];
	}

	/* Packets without a timestamp get the wall clock of their burst. */
	snprintf(dev, sizeof(dev), "net_pcap0,tx_pcap=%s", path_of("a.pcap"));
	id = start_port(dev);
	t_before = realtime_ns();
	for (unsigned i = 0; i < N;) {
		uint16_t k = 0;

		for (; k < 32 && i + k < N; k++)
			burst[k] = make_pkt(i + k, lens[i + k], 1000);
		assert_int_equal(sl_port_tx_burst((uint16_t)id, 0, burst, k), k);
		i += k;
	}
	t_after = realtime_ns();
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.opackets, N);
	assert_int_equal(st.obytes, bytes);
	/* Stopping flushes: the file is complete even before close. */
	assert_int_equal(sl_port_stop((uint16_t)id), 0);
	struct stat sb;

	assert_int_equal(stat(path_of("a.pcap"), &sb), 0);
	assert_int_equal(sb.st_size, FILE_HDR + N * REC_HDR + bytes);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);

	/* Nanosecond pcap, little-endian on this host. */
	f = fopen(path_of("a.pcap"), "rb");
	assert_non_null(f);
	assert_int_equal(fread(magic, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(magic, ((uint8_t[]){0x4d, 0x3c, 0xb2, 0xa1}), 4);

	snprintf(dev, sizeof(dev), "net_pcap1,rx_pcap=%s", path_of("a.pcap"));
	id = start_port(dev);
	while (got < N) {
		uint16_t k = sl_port_rx_burst((uint16_t)id, 0, pkts + got, 7);

		assert_true(k > 0);
		got += k;
	}
	/* The end of the file: nothing more, ever, and the xstat says so. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts + N, 1), 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_file_eof"), 1);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_read_errors"), 0);
	for (unsigned i = 0; i < N; i++) {
		p = pkts[i];
		check_pkt(p, i, lens[i]);
		assert_int_equal(p->port, id);
		assert_true(p->ol_flags & SL_PKT_RX_TIMESTAMP);
		assert_true(p->timestamp >= t_before && p->timestamp <= t_after);
		assert_true(p->timestamp >= last_ts);
		last_ts = p->timestamp;
		/* 2 KiB of data per buffer: longer packets come as chains. */
		assert_int_equal(p->nb_segs, (lens[i] + 2047) / 2048);
		chains += p->nb_segs > 1;
	}
	assert_int_equal(chains, N / 5);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.ipackets, N);
	assert_int_equal(st.ibytes, bytes);
	assert_int_equal(st.ierrors, 0);
	assert_int_equal(st.rx_nombuf, 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_packets"), N);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_bytes"), bytes);
	assert_xstat_names_unique((uint16_t)id);
	sl_pktbuf_free_bulk(pkts, N);
	assert_int_equal(sl_port_stats_reset((uint16_t)id), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.ipackets, 0);
	assert_int_equal(st.ibytes, 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_packets"), 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_file_eof"), 1); /* a state, not reset */

	/* Timestamps given by the sender are kept to the nanosecond. */
	write_file(path_of("b.pcap"), 40, lens, true, 1234567);
	snprintf(dev, sizeof(dev), "net_pcap2,rx_pcap=%s", path_of("b.pcap"));
	id = start_port(dev);
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 64), 40);
	for (unsigned i = 0; i < 40; i++) {
		check_pkt(pkts[i], i, lens[i]);
		assert_int_equal(pkts[i]->timestamp, TS0 + 1234567ull * i);
	}
	sl_pktbuf_free_bulk(pkts, 40);
}

static void test_infinite_rx(void **state)
{
	const uint32_t lens[3] = {60, 3000, 1514};
	struct sl_pktbuf *pkts[4];
	uint64_t last_ts = 0;
	unsigned got = 0;
	char dev[200];
	int id;

	(void)state;
	write_file(path_of("a.pcap"), 3, lens, true, 1000000);
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s,infinite_rx=1", path_of("a.pcap"));
	id = start_port(dev);
	/* 25 bursts of 4: the file loops; every burst is full and the order repeats. */
	for (int b = 0; b < 25; b++) {
		assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 4), 4);
		for (int k = 0; k < 4; k++, got++) {
			check_pkt(pkts[k], got % 3, lens[got % 3]);
			/* Looped timestamps keep going up: a loop lasts span + mean gap. */
			assert_int_equal(pkts[k]->timestamp,
					 TS0 + 1000000ull * (got % 3) + 3000000ull * (got / 3));
			assert_true(pkts[k]->timestamp > last_ts);
			last_ts = pkts[k]->timestamp;
		}
		sl_pktbuf_free_bulk(pkts, 4);
	}
	assert_int_equal(xstat((uint16_t)id, "rx_q0_file_loops"), 33); /* packet 100 is #1 of loop 34 */
	assert_int_equal(xstat((uint16_t)id, "rx_q0_file_eof"), 0);
	assert_int_equal(sl_port_stats_reset((uint16_t)id), 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_file_loops"), 0);
	/* The end of loop 34 and the start of loop 35. */
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 3), 3);
	sl_pktbuf_free_bulk(pkts, 3);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_file_loops"), 1);
	/* Setting the queue up again starts from the first packet. */
	assert_int_equal(sl_port_stop((uint16_t)id), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 1), 1);
	check_pkt(pkts[0], 0, lens[0]);
	assert_int_equal(pkts[0]->timestamp, TS0);
	sl_pktbuf_free(pkts[0]);
}

/* Copies the first len bytes of src into dst. */
static void cut_file(const char *src, const char *dst, long len)
{
	static uint8_t buf[8192];
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");

	assert_non_null(in);
	assert_non_null(out);
	assert_true(len <= (long)sizeof(buf));
	assert_int_equal(fread(buf, 1, (size_t)len, in), (size_t)len);
	assert_int_equal(fwrite(buf, 1, (size_t)len, out), (size_t)len);
	fclose(in);
	fclose(out);
}

/* A file cut short gives exactly its complete packets, one logged error, and no crash. */
static void test_truncated(void **state)
{
	const uint32_t lens[5] = {100, 100, 100, 100, 100};
	struct sl_pktbuf *pkts[8];
	struct sl_port_stats st;
	char dev[200];
	int id;

	(void)state;
	write_file(path_of("a.pcap"), 5, lens, true, 1000);
	/* Cut in the middle of packet 3's data, and in the middle of its record header. */
	cut_file(path_of("a.pcap"), path_of("cut.pcap"), FILE_HDR + 3 * (REC_HDR + 100) + REC_HDR + 50);
	cut_file(path_of("a.pcap"), path_of("cut2.pcap"), FILE_HDR + 3 * (REC_HDR + 100) + 8);

	for (int which = 0; which < 2; which++) {
		const char *file = path_of(which ? "cut2.pcap" : "cut.pcap");

		snprintf(dev, sizeof(dev), "net_pcap%d,rx_pcap=%s", which, file);
		id = start_port(dev);
		log_capture_clear(&cap);
		assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 8), 3);
		for (unsigned i = 0; i < 3; i++)
			check_pkt(pkts[i], i, 100);
		sl_pktbuf_free_bulk(pkts, 3);
		for (int k = 0; k < 10; k++)
			assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 8), 0);
		assert_true(log_capture_has(&cap, file, "damaged after 3 good packets"));
		assert_true(log_capture_has(&cap, "truncated", "rx stops here"));
		assert_int_equal(count_in_log("damaged"), 1); /* logged once */
		assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
		assert_int_equal(st.ipackets, 3);
		assert_int_equal(st.ierrors, 1);
		assert_int_equal(xstat((uint16_t)id, "rx_q0_file_eof"), 1);
		assert_int_equal(xstat((uint16_t)id, "rx_q0_read_errors"), 1);
		assert_int_equal(xstat((uint16_t)id, "rx_q0_errors"), 1);
		/* A reset zeroes the counters, the shared and the driver's, not the state. */
		assert_int_equal(sl_port_stats_reset((uint16_t)id), 0);
		assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
		assert_int_equal(st.ipackets + st.ierrors, 0);
		assert_int_equal(xstat((uint16_t)id, "rx_q0_read_errors"), 0);
		assert_int_equal(xstat((uint16_t)id, "rx_q0_errors"), 0);
		assert_int_equal(xstat((uint16_t)id, "rx_q0_file_eof"), 1);
	}

	/* infinite_rx loops over the good packets. */
	snprintf(dev, sizeof(dev), "net_pcap5,rx_pcap=%s,infinite_rx=1", path_of("cut.pcap"));
	id = start_port(dev);
	assert_true(log_capture_has(&cap, "infinite_rx loops over those", NULL));
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 7), 7);
	for (unsigned i = 0; i < 7; i++)
		check_pkt(pkts[i], i % 3, 100);
	sl_pktbuf_free_bulk(pkts, 7);
}

static void write_text(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_bad_files(void **state)
{
	char dev[300];

	(void)state;
	assert_int_equal(sl_port_create("net_pcap0,rx_pcap=/nonexistent/in.pcap"), -ENOENT);
	assert_true(log_capture_has(&cap, "rx_pcap=/nonexistent/in.pcap", "No such file"));
	assert_int_equal(sl_port_create("net_pcap0,tx_pcap=/nonexistent/dir/out.pcap"), -ENOENT);
	assert_true(log_capture_has(&cap, "tx_pcap=/nonexistent/dir/out.pcap", "directory exist"));
	assert_int_equal(sl_port_create("net_pcap0,rx_pcap=/nonexistent/in.pcap,infinite_rx=1"),
			 -ENOENT);

	write_text(path_of("text.pcap"), "this is not a capture file, just some text\n");
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s", path_of("text.pcap"));
	assert_int_equal(sl_port_create(dev), -EINVAL);
	assert_true(log_capture_has(&cap, "text.pcap is not a readable pcap", NULL));
	write_text(path_of("empty.pcap"), "");
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s", path_of("empty.pcap"));
	assert_int_equal(sl_port_create(dev), -EINVAL);
	assert_true(log_capture_has(&cap, "empty.pcap is not a readable pcap", NULL));

	/* A valid file with no packets: rx ends at once; infinite_rx has nothing to loop. */
	write_file(path_of("a.pcap"), 0, NULL, false, 0);
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s,infinite_rx=1", path_of("a.pcap"));
	assert_int_equal(sl_port_create(dev), -EINVAL);
	assert_true(log_capture_has(&cap, "has no packets to loop over", NULL));
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s", path_of("a.pcap"));
	int id = start_port(dev);
	struct sl_pktbuf *p;

	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, &p, 1), 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_file_eof"), 1);
	assert_int_equal(sl_port_count(), 1);
}

static void test_bad_args(void **state)
{
	(void)state;
	assert_int_equal(sl_port_create("net_pcap0"), -EINVAL);
	assert_true(log_capture_has(&cap, "nothing to read or write", "rx_pcap=FILE"));
	assert_int_equal(sl_port_create("net_pcap0,rx_pcap="), -EINVAL);
	assert_true(log_capture_has(&cap, "rx_pcap= needs a value", NULL));
	assert_int_equal(sl_port_create("net_pcap0,rx_pcap=a,rx_iface=lo"), -EINVAL);
	assert_true(log_capture_has(&cap, "give rx_pcap= or rx_iface=, not both", NULL));
	assert_int_equal(sl_port_create("net_pcap0,tx_pcap=a,tx_iface=lo"), -EINVAL);
	assert_true(log_capture_has(&cap, "give tx_pcap= or tx_iface=, not both", NULL));
	assert_int_equal(sl_port_create("net_pcap0,iface=lo,tx_pcap=a"), -EINVAL);
	assert_true(log_capture_has(&cap, "iface= sets both rx and tx", NULL));
	assert_int_equal(sl_port_create("net_pcap0,rx_pcap=a,tx_pcap=a"), -EINVAL);
	assert_true(log_capture_has(&cap, "name the same file a; tx would overwrite", NULL));
	assert_int_equal(sl_port_create("net_pcap0,tx_pcap=a,infinite_rx=1"), -EINVAL);
	assert_true(log_capture_has(&cap, "infinite_rx=1 replays a file; it needs rx_pcap", NULL));
	assert_int_equal(sl_port_create("net_pcap0,tx_pcap=a,timing=1"), -EINVAL);
	assert_true(log_capture_has(&cap, "timing=1 replays a file", NULL));
	assert_int_equal(sl_port_create("net_pcap0,rx_pcap=a,timing=often"), -EINVAL);
	assert_true(log_capture_has(&cap, "timing=often is not a boolean", NULL));
	assert_int_equal(sl_port_create("net_pcap0,rx_iface=averyveryverylongname"), -EINVAL);
	assert_true(log_capture_has(&cap, "rx_iface= needs a value of 1 to 15 characters", NULL));
	assert_int_equal(sl_port_create("net_pcap0,rx_file=a"), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown argument 'rx_file'", "rx_pcap=FILE"));
	/* A missing interface: -ENODEV as root (without root, permission is checked first). */
	int rc = sl_port_create("net_pcap0,iface=sl_no_such0");

	if (geteuid() == 0) {
		assert_int_equal(rc, -ENODEV);
		assert_true(log_capture_has(&cap, "iface=sl_no_such0: no such interface", NULL));
	} else {
		assert_true(rc == -ENODEV || rc == -EPERM);
	}
	assert_int_equal(sl_port_count(), 0);
	/* Nothing was created on disk by the failed probes. */
	assert_int_equal(access("a", F_OK), -1);
}

/* A pool too small for a burst: the packet that found no buffer waits for the next burst. */
static void test_pool_exhausted(void **state)
{
	enum { N = 20 };
	uint32_t lens[N];
	struct sl_pktbuf *pkts[N];
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_pool *small, *tiny;
	struct sl_port_stats st;
	char dev[200];
	unsigned got = 0;
	int id;

	(void)state;
	for (unsigned i = 0; i < N; i++)
		lens[i] = 64 + i;
	write_file(path_of("a.pcap"), N, lens, true, 10);
	small = sl_pktbuf_pool_create("pcap_small", 8, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	tiny = sl_pktbuf_pool_create("pcap_tiny", 8, 0, 0, SL_PKTBUF_HEADROOM + 16, 0);
	assert_non_null(small);
	assert_non_null(tiny);
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s", path_of("a.pcap"));
	id = sl_port_create(dev);
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, tiny), -EINVAL);
	assert_true(log_capture_has(&cap, "144-byte buffers leave under 64 bytes", NULL));
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, small), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	while (got < N) {
		uint16_t k = sl_port_rx_burst((uint16_t)id, 0, pkts, N);

		assert_true(k == SL_MIN(8u, N - got));
		for (uint16_t i = 0; i < k; i++)
			check_pkt(pkts[i], got + i, lens[got + i]);
		sl_pktbuf_free_bulk(pkts, k);
		got += k;
	}
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, N), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.ipackets, N);
	assert_int_equal(st.rx_nombuf, 2); /* bursts 1 and 2 ran out at their 9th packet */
	assert_int_equal(xstat((uint16_t)id, "rx_q0_nombuf"), 2);
	assert_int_equal(sl_port_stats_reset((uint16_t)id), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.rx_nombuf + st.ipackets, 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_nombuf"), 0);
	sl_port_close_all();
	sl_pool_free(small);
	sl_pool_free(tiny);
}

/* timing=1 spaces packets as the file does (30 ms here). */
static void test_timing(void **state)
{
	const uint32_t lens[3] = {100, 200, 300};
	struct sl_pktbuf *pkts[4];
	unsigned got = 0;
	uint64_t t0, t_last = 0;
	char dev[200];
	int id;

	(void)state;
	write_file(path_of("a.pcap"), 3, lens, true, 30000000);
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s,timing=1", path_of("a.pcap"));
	id = start_port(dev);
	t0 = sl_time_ns();
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 4), 1);
	check_pkt(pkts[0], 0, 100);
	sl_pktbuf_free(pkts[0]);
	got = 1;
	/* Not due yet. */
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, pkts, 4), 0);
	while (got < 3 && sl_time_ns() - t0 < 2000000000u) {
		uint16_t k = sl_port_rx_burst((uint16_t)id, 0, pkts, 4);

		for (uint16_t i = 0; i < k; i++, got++) {
			check_pkt(pkts[i], got, lens[got]);
			t_last = sl_time_ns() - t0;
			/* never early */
			assert_true(t_last >= 30000000ull * got);
		}
		sl_pktbuf_free_bulk(pkts, k);
	}
	assert_int_equal(got, 3);
	assert_true(t_last < 1000000000u);
}

/* tx on a port with nowhere to send: taken, freed and counted as errors with a reason. */
static void test_no_sink(void **state)
{
	const uint32_t lens[2] = {64, 64};
	struct sl_pktbuf *pkts[2];
	struct sl_port_stats st;
	char dev[200];
	int id;

	(void)state;
	write_file(path_of("a.pcap"), 2, lens, false, 0);
	snprintf(dev, sizeof(dev), "net_pcap0,rx_pcap=%s", path_of("a.pcap"));
	id = start_port(dev);
	pkts[0] = make_pkt(0, 64, 64);
	pkts[1] = make_pkt(1, 64, 64);
	assert_int_equal(sl_port_tx_burst((uint16_t)id, 0, pkts, 2), 2);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.opackets, 0);
	assert_int_equal(st.oerrors, 2);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_no_sink_drops"), 2);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_errors"), 2);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_send_errors"), 0);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_send_busy"), 0);
	assert_xstat_names_unique((uint16_t)id);
	/* A reset zeroes the driver's own counters and the shared ones. */
	assert_int_equal(sl_port_stats_reset((uint16_t)id), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.oerrors, 0);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_no_sink_drops"), 0);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_errors"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_infinite_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sink, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
