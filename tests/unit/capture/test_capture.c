/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/capture: the pcapng writer field by field, the rings (full-ring drops, wrap-around,
 * segments, filters), the reader's checks on corrupt memory, the start parameters, and
 * captures started in-process and over a telemetry socket on ring ports.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_capture.h"
#include "sl_pcapng.h"
#include "sl_port.h"
#include "sl_telemetry.h"

static struct log_capture logs;

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Finds option code in a block's options (from off to the block's end); returns its value's
 * offset and sets *len, or 0.  Checks the list ends with opt_endofopt. */
static size_t find_opt(const uint8_t *b, size_t off, uint16_t code, uint16_t *len)
{
	uint32_t total = rd32(b + 4);
	size_t found = 0;

	while (off + 4 <= total - 4) {
		uint16_t c = rd16(b + off), l = rd16(b + off + 2);

		if (c == 0) {
			assert_int_equal(l, 0);
			assert_int_equal(off + 4, total - 4); /* endofopt is last */
			return found;
		}
		if (c == code && !found) {
			found = off + 4;
			*len = l;
		}
		off += 4 + ((l + 3u) & ~3u);
	}
	fail_msg("options of block type %u do not end with opt_endofopt", rd32(b));
	return 0;
}

static void test_pcapng_fields(void **state)
{
	char *buf = NULL;
	size_t size = 0, off, o;
	FILE *f = open_memstream(&buf, &size);
	const uint8_t mac[6] = {2, 0, 0, 0, 0, 7}, pkt[61] = {1, 2, 3};
	struct sl_pcapng_if ifc = {"net_ring0",	   "ring port 0", mac,
				   10000000000ull, "udp port 9",  128};
	struct sl_pcapng *w;
	const uint8_t *b;
	uint16_t l;

	(void)state;
	w = sl_pcapng_open(f, "sluice capture", "Linux 6.1", "x86_64");
	assert_non_null(w);
	assert_int_equal(sl_pcapng_add_interface(w, &ifc), 0);
	assert_int_equal(sl_pcapng_write_packet(w, 0, 0x123456789abcdefull, pkt, 61, 1500,
						SL_PCAPNG_DIR_OUT, 3),
			 0);
	assert_int_equal(sl_pcapng_write_packet(w, 1, 0, pkt, 1, 1, 0, -1), -EINVAL); /* no if 1 */
	assert_int_equal(sl_pcapng_write_stats(w, 0, 5000, 1000, 5000, 10, 2, 8), 0);
	uint64_t bytes = sl_pcapng_bytes(w);

	assert_int_equal(sl_pcapng_close(w), 0);
	fclose(f);
	assert_int_equal(size, bytes);
	b = (const uint8_t *)buf;

	/* SHB */
	assert_int_equal(rd32(b), 0x0A0D0D0A);
	assert_int_equal(rd32(b + 8), 0x1A2B3C4D);
	assert_int_equal(rd16(b + 12), 1);
	assert_int_equal(rd16(b + 14), 0);
	assert_int_equal((int64_t)rd64(b + 16), -1);
	assert_int_equal(rd32(b + 4) % 4, 0);
	assert_int_equal(rd32(b + rd32(b + 4) - 4), rd32(b + 4));
	o = find_opt(b, 24, 4, &l);
	assert_int_equal(l, 14);
	assert_memory_equal(b + o, "sluice capture", 14);
	o = find_opt(b, 24, 3, &l);
	assert_memory_equal(b + o, "Linux 6.1", l);
	o = find_opt(b, 24, 2, &l);
	assert_memory_equal(b + o, "x86_64", l);
	off = rd32(b + 4);

	/* IDB */
	b = (const uint8_t *)buf + off;
	assert_int_equal(rd32(b), 1);
	assert_int_equal(rd16(b + 8), 1); /* Ethernet */
	assert_int_equal(rd32(b + 12), 128);
	assert_int_equal(rd32(b + rd32(b + 4) - 4), rd32(b + 4));
	o = find_opt(b, 16, 2, &l);
	assert_int_equal(l, 9);
	assert_memory_equal(b + o, "net_ring0", 9);
	o = find_opt(b, 16, 3, &l);
	assert_memory_equal(b + o, "ring port 0", l);
	o = find_opt(b, 16, 6, &l);
	assert_int_equal(l, 6);
	assert_memory_equal(b + o, mac, 6);
	o = find_opt(b, 16, 8, &l);
	assert_int_equal(l, 8);
	assert_int_equal(rd64(b + o), 10000000000ull);
	o = find_opt(b, 16, 9, &l);
	assert_int_equal(l, 1);
	assert_int_equal(b[o], 9);
	o = find_opt(b, 16, 11, &l);
	assert_int_equal(l, 11);
	assert_int_equal(b[o], 0); /* libpcap filter string */
	assert_memory_equal(b + o + 1, "udp port 9", 10);
	off += rd32(b + 4);

	/* EPB */
	b = (const uint8_t *)buf + off;
	assert_int_equal(rd32(b), 6);
	assert_int_equal(rd32(b + 8), 0);
	assert_int_equal(rd32(b + 12), 0x01234567);
	assert_int_equal(rd32(b + 16), 0x89abcdef);
	assert_int_equal(rd32(b + 20), 61);
	assert_int_equal(rd32(b + 24), 1500);
	assert_memory_equal(b + 28, pkt, 61);
	assert_int_equal(b[28 + 61], 0); /* padding */
	o = find_opt(b, 28 + 64, 2, &l);
	assert_int_equal(l, 4);
	assert_int_equal(rd32(b + o), 2); /* outbound */
	o = find_opt(b, 28 + 64, 6, &l);
	assert_int_equal(rd32(b + o), 3);
	assert_int_equal(rd32(b + 4) % 4, 0);
	off += rd32(b + 4);

	/* ISB */
	b = (const uint8_t *)buf + off;
	assert_int_equal(rd32(b), 5);
	assert_int_equal(rd32(b + 8), 0);
	assert_int_equal(rd32(b + 16), 5000);
	o = find_opt(b, 20, 2, &l);
	assert_int_equal(rd32(b + o + 4), 1000); /* starttime low word */
	o = find_opt(b, 20, 3, &l);
	assert_int_equal(rd32(b + o + 4), 5000);
	o = find_opt(b, 20, 4, &l);
	assert_int_equal(rd64(b + o), 10);
	o = find_opt(b, 20, 5, &l);
	assert_int_equal(rd64(b + o), 2);
	o = find_opt(b, 20, 6, &l);
	assert_int_equal(rd64(b + o), 8);
	off += rd32(b + 4);
	assert_int_equal(off, size);
	free(buf);
}

/* --- rings --- */

struct mem {
	void *base;
	uint64_t size;
};

static struct mem mem_new(unsigned rings, uint64_t ring_bytes, uint32_t snaplen)
{
	struct mem m = {NULL, sl_capture__shm_size(rings, ring_bytes)};

	m.base = aligned_alloc(64, m.size);
	assert_non_null(m.base);
	memset(m.base, 0, m.size);
	assert_int_equal(sl_capture__shm_init(m.base, m.size, rings, ring_bytes, snaplen), 0);
	return m;
}

/* A packet buffer over static bytes (the writer reads only data, lengths and next). */
static void fake(struct sl_pktbuf *p, uint8_t *data, uint16_t len, struct sl_pktbuf *next)
{
	memset(p, 0, sizeof(*p));
	p->buf_addr = data;
	p->data_len = len;
	p->pkt_len = len + (next ? next->pkt_len : 0);
	p->next = next;
	p->nb_segs = next ? 2 : 1;
}

static void test_ring_full_drop_and_wrap(void **state)
{
	struct mem m = mem_new(1, 4096, 256);
	struct sl_capture_tap *t = sl_capture__tap_new(m.base, 0, NULL, 256);
	struct sl_capture_reader *rd;
	struct sl_capture_rec rec;
	const uint8_t *data;
	uint64_t seen, matched, dropped;
	uint8_t bytes[200];
	struct sl_pktbuf p;
	struct sl_pktbuf *pp = &p;
	char err[256];
	unsigned got = 0;

	(void)state;
	assert_non_null(t);
	rd = sl_capture_reader_open(m.base, m.size, err, sizeof(err));
	assert_non_null(rd);
	/* 200-byte packets make 232-byte records: 17 fit in 4096 bytes, the rest drop. */
	for (unsigned i = 0; i < 20; i++) {
		memset(bytes, (int)i, sizeof(bytes));
		fake(&p, bytes, sizeof(bytes), NULL);
		sl_capture_tap_write(t, &pp, 1, 3, 1, SL_CAPTURE_TX);
	}
	sl_capture_reader_counts(rd, 0, &seen, &matched, &dropped);
	assert_int_equal(seen, 20);
	assert_int_equal(matched, 20);
	assert_int_equal(dropped, 20 - 4096 / 232);
	while (sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)) == 1) {
		assert_int_equal(rec.cap_len, 200);
		assert_int_equal(rec.orig_len, 200);
		assert_int_equal(rec.port, 3);
		assert_int_equal(rec.queue, 1);
		assert_int_equal(rec.dir, SL_CAPTURE_TX);
		assert_int_equal(data[0], got);
		assert_int_equal(data[199], got);
		sl_capture_reader_consume(rd, 0);
		got++;
	}
	assert_int_equal(got, 4096 / 232);
	/* Now wrap: the next records pad to the end and start again at 0. */
	for (unsigned round = 0; round < 50; round++) {
		memset(bytes, 0xa0 + (int)(round % 16), sizeof(bytes));
		fake(&p, bytes, sizeof(bytes), NULL);
		assert_int_equal(sl_capture_tap_write(t, &pp, 1, 3, 1, SL_CAPTURE_TX), 1);
		assert_int_equal(sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)), 1);
		assert_int_equal(data[100], 0xa0 + (round % 16));
		sl_capture_reader_consume(rd, 0);
	}
	assert_int_equal(sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)), 0);
	sl_capture_reader_counts(rd, 0, &seen, &matched, &dropped);
	assert_int_equal(dropped, 20 - 4096 / 232); /* no new drops once read */
	sl_capture_reader_close(rd);
	sl_capture__tap_free(t);
	free(m.base);
}

static void test_segments_snaplen_and_filter(void **state)
{
	struct mem m = mem_new(1, 8192, 100);
	struct bpf_program prog;
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 100);
	struct sl_capture_tap *t;
	struct sl_capture_reader *rd;
	struct sl_capture_rec rec;
	const uint8_t *data;
	uint8_t a[60] = {0}, b2[90], udp[60] = {0};
	struct sl_pktbuf s1, s2, u, *pkts[2];
	char err[256];

	(void)state;
	/* An IPv4/UDP frame to port 5000 and the 150-byte chain (not UDP). */
	udp[12] = 0x08;
	udp[14] = 0x45;
	udp[23] = 17;
	udp[36] = 5000 >> 8;
	udp[37] = 5000 & 0xff;
	memset(b2, 0x55, sizeof(b2));
	fake(&s2, b2, sizeof(b2), NULL);
	fake(&s1, a, sizeof(a), &s2);
	fake(&u, udp, sizeof(udp), NULL);

	/* No filter: the chain is copied across segments, cut at the snap length. */
	t = sl_capture__tap_new(m.base, 0, NULL, 100);
	rd = sl_capture_reader_open(m.base, m.size, err, sizeof(err));
	pkts[0] = &s1;
	assert_int_equal(sl_capture_tap_write(t, pkts, 1, 0, 0, SL_CAPTURE_RX), 1);
	assert_int_equal(sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)), 1);
	assert_int_equal(rec.orig_len, 150);
	assert_int_equal(rec.cap_len, 100);
	assert_int_equal(data[59], 0);
	assert_int_equal(data[60], 0x55);
	assert_int_equal(data[99], 0x55);
	sl_capture_reader_consume(rd, 0);
	sl_capture__tap_free(t);

	/* Filter 'udp port 5000': the UDP frame passes, the chain does not. */
	assert_int_equal(pcap_compile(pc, &prog, "udp port 5000", 1, PCAP_NETMASK_UNKNOWN), 0);
	t = sl_capture__tap_new(m.base, 0, prog.bf_insns, 100);
	pkts[0] = &s1;
	pkts[1] = &u;
	/* a new tap writes from head 0: give it fresh memory */
	sl_capture_reader_close(rd);
	free(m.base);
	m = mem_new(1, 8192, 100);
	sl_capture__tap_free(t);
	t = sl_capture__tap_new(m.base, 0, prog.bf_insns, 100);
	rd = sl_capture_reader_open(m.base, m.size, err, sizeof(err));
	assert_int_equal(sl_capture_tap_write(t, pkts, 2, 0, 0, SL_CAPTURE_RX), 1);
	assert_int_equal(sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)), 1);
	assert_int_equal(rec.orig_len, 60);
	assert_int_equal(data[37], 5000 & 0xff);
	sl_capture_reader_consume(rd, 0);
	assert_int_equal(sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)), 0);
	sl_capture_reader_close(rd);
	sl_capture__tap_free(t);
	pcap_freecode(&prog);
	pcap_close(pc);
	free(m.base);
}

/* --- the reader refuses corrupt memory --- */

static void expect_open_fails(struct mem *m, size_t size, const char *needle)
{
	char err[512] = "";

	assert_null(sl_capture_reader_open(m->base, size, err, sizeof(err)));
	assert_int_equal(errno, EPROTO);
	if (strstr(err, needle) == NULL)
		fail_msg("error '%s' does not say '%s'", err, needle);
}

static void test_reader_rejects_bad_headers(void **state)
{
	struct mem m = mem_new(2, 4096, 128);
	struct sl_capture_shm *h = m.base, good = *h;

	(void)state;
	expect_open_fails(&m, 10, "less than its");
	h->magic = 1;
	expect_open_fails(&m, m.size, "magic");
	*h = good;
	h->version = 9;
	expect_open_fails(&m, m.size, "version 9");
	*h = good;
	h->ring_bytes = 5000;
	expect_open_fails(&m, m.size, "inconsistent");
	*h = good;
	h->nb_rings = 100000;
	expect_open_fails(&m, m.size, "inconsistent");
	*h = good;
	h->snaplen = 4000; /* records of over half the ring */
	expect_open_fails(&m, m.size, "inconsistent");
	*h = good;
	expect_open_fails(&m, m.size - 1, "does not fit"); /* mapped less than the header says */
	h->rings_offset += 64;
	expect_open_fails(&m, m.size, "does not fit");
	*h = good;
	h->ring_stride = 64;
	expect_open_fails(&m, m.size, "does not fit");
	*h = good;
	free(m.base);
}

static struct sl_capture_ring *ring_of(struct mem *m, unsigned i)
{
	struct sl_capture_shm *h = m->base;

	return (struct sl_capture_ring *)((uint8_t *)m->base + h->rings_offset +
					  i * h->ring_stride);
}

static void expect_corrupt(struct mem *m, const char *needle)
{
	char err[512] = "";
	struct sl_capture_reader *rd = sl_capture_reader_open(m->base, m->size, err, sizeof(err));
	struct sl_capture_rec rec;
	const uint8_t *data = NULL;

	assert_non_null(rd);
	assert_int_equal(sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)), -EPROTO);
	if (strstr(err, needle) == NULL)
		fail_msg("error '%s' does not say '%s'", err, needle);
	/* dead from then on */
	assert_int_equal(sl_capture_reader_peek(rd, 0, &rec, &data, err, sizeof(err)), -EPROTO);
	sl_capture_reader_close(rd);
}

static void test_reader_rejects_bad_records(void **state)
{
	struct mem m = mem_new(1, 4096, 128);
	struct sl_capture_ring *r = ring_of(&m, 0);
	struct sl_capture_rec *rec = (struct sl_capture_rec *)(r + 1);

	(void)state;
	/* a good record, then break one field at a time */
	*rec = (struct sl_capture_rec){.len = 32 + 64,
				       .type = SL_CAPTURE_REC_PKT,
				       .dir = SL_CAPTURE_RX,
				       .orig_len = 64,
				       .cap_len = 64};
	r->head = 96;
	r->head = 4097;
	expect_corrupt(&m, "head is not within one ring");
	r->head = 100; /* not a multiple of 8 */
	expect_corrupt(&m, "head is not within one ring");
	r->head = 96;
	rec->len = 95;
	expect_corrupt(&m, "record length out of bounds");
	rec->len = 8192;
	expect_corrupt(&m, "record length out of bounds");
	rec->len = 104; /* longer than what was published */
	expect_corrupt(&m, "record length out of bounds");
	rec->len = 96;
	rec->type = 7;
	expect_corrupt(&m, "unknown record type");
	rec->type = SL_CAPTURE_REC_PKT;
	rec->cap_len = 65; /* over orig_len */
	expect_corrupt(&m, "captured length");
	rec->orig_len = 1000;
	rec->cap_len = 200; /* over snaplen and the record */
	expect_corrupt(&m, "captured length");
	rec->cap_len = 40; /* does not fill the record */
	expect_corrupt(&m, "captured length");
	rec->cap_len = 64;
	rec->dir = 3;
	expect_corrupt(&m, "unknown direction");
	rec->dir = SL_CAPTURE_RX;
	rec->type = SL_CAPTURE_REC_PAD; /* padding that does not reach the end */
	expect_corrupt(&m, "padding");
	rec->type = SL_CAPTURE_REC_PKT;
	rec->len = 16; /* shorter than a header */
	r->head = 16;
	expect_corrupt(&m, "shorter than its header");
	free(m.base);
}

/* --- parameters --- */

static void expect_bad_params(const char *json, const char *needle)
{
	struct sl_capture_params p;
	char err[512] = "";

	assert_int_equal(sl_capture__parse_params(json, &p, err, sizeof(err)), -EINVAL);
	if (strstr(err, needle) == NULL)
		fail_msg("params %s: error '%s' does not say '%s'", json, err, needle);
}

static void test_params(void **state)
{
	struct sl_capture_params p;
	char err[512];

	(void)state;
	assert_int_equal(sl_capture__parse_params(NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nb_ports, 0);
	assert_int_equal(p.queue, -1);
	assert_int_equal(p.dirs, SL_CAPTURE_RX | SL_CAPTURE_TX);
	assert_int_equal(p.snaplen, SL_CAPTURE_DEFAULT_SNAPLEN);
	assert_int_equal(sl_capture__parse_params("{\"ports\":[1,\"net_ring0\"],\"queue\":2,"
						  "\"direction\":\"tx\",\"filter\":\"udp\","
						  "\"snaplen\":96,\"ring_kb\":64}",
						  &p, err, sizeof(err)),
			 0);
	assert_int_equal(p.nb_ports, 2);
	assert_string_equal(p.ports[0], "1");
	assert_string_equal(p.ports[1], "net_ring0");
	assert_int_equal(p.queue, 2);
	assert_int_equal(p.dirs, SL_CAPTURE_TX);
	assert_string_equal(p.filter, "udp");
	assert_int_equal(p.snaplen, 96);
	assert_int_equal(p.ring_kb, 64);
	assert_int_equal(sl_capture__parse_params("{\"ports\":\"all\"}", &p, err, sizeof(err)), 0);
	assert_int_equal(p.nb_ports, 0);
	expect_bad_params("[1]", "not a JSON object");
	expect_bad_params("{\"ports\":", "not JSON");
	expect_bad_params("{\"port\":[0]}", "unknown capture parameter \"port\"");
	expect_bad_params("{\"ports\":[]}", "\"ports\" must be");
	expect_bad_params("{\"ports\":[-1]}", "ports[0]");
	expect_bad_params("{\"ports\":[0, true]}", "ports[1]");
	expect_bad_params("{\"queue\":16}", "\"queue\" must be -1");
	expect_bad_params("{\"direction\":\"in\"}", "'in' is not rx, tx or both");
	expect_bad_params("{\"snaplen\":0}", "\"snaplen\" 0");
	expect_bad_params("{\"ring_kb\":100}", "\"ring_kb\" 100");
	expect_bad_params("{\"ring_kb\":64}", "too small for snaplen 262144");
	expect_bad_params("{\"queue\":1,\"queue\":2}", "not JSON");
	expect_bad_params("{\"filter\":\"a\\u0000b\"}", "not JSON");
	expect_bad_params("{\"filter\":7}", "\"filter\" must be");
}

/* --- captures on ring ports --- */

static struct sl_pool *pool;

static int ports_setup(void **state)
{
	(void)state;
	log_capture_start(&logs);
	pool = sl_pktbuf_pool_create("capture_test", 2048, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int ports_teardown(void **state)
{
	(void)state;
	sl_port_close_all();
	assert_int_equal(sl_pool_in_use(pool), 0);
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

static uint16_t start_port(const char *devstr)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	int id = sl_port_create(devstr);

	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return (uint16_t)id;
}

/* Sends n UDP frames from a to b, every third to port 5000 (the rest to 6000), receives
 * them on b and frees them.  Returns how many went to 5000. */
static unsigned traffic(uint16_t a, uint16_t b, unsigned n)
{
	struct sl_pktbuf *pkts[32];
	unsigned hits = 0, sent = 0, recvd = 0;

	while (sent < n) {
		unsigned k = n - sent < 32 ? n - sent : 32;

		for (unsigned i = 0; i < k; i++) {
			uint8_t *d;
			uint16_t dport = (sent + i) % 3 == 0 ? 5000 : 6000;

			pkts[i] = sl_pktbuf_alloc(pool);
			assert_non_null(pkts[i]);
			d = (uint8_t *)sl_pktbuf_append(pkts[i], 64);
			memset(d, 0, 64);
			d[12] = 0x08;
			d[14] = 0x45;
			d[23] = 17;
			d[36] = (uint8_t)(dport >> 8);
			d[37] = (uint8_t)dport;
			d[42] = (uint8_t)(sent + i);
			hits += dport == 5000;
		}
		assert_int_equal(sl_port_tx_burst(a, 0, pkts, (uint16_t)k), k);
		sent += k;
		unsigned r;

		while ((r = sl_port_rx_burst(b, 0, pkts, 32)) > 0) {
			recvd += r;
			sl_pktbuf_free_bulk(pkts, r);
		}
	}
	assert_int_equal(recvd, n);
	return hits;
}

/* Reads every record of the capture's rings; counts per direction. */
static void read_all(void *base, size_t size, unsigned *rx, unsigned *tx)
{
	char err[512];
	struct sl_capture_reader *rd = sl_capture_reader_open(base, size, err, sizeof(err));
	struct sl_capture_rec rec;
	const uint8_t *data;

	assert_non_null(rd);
	*rx = *tx = 0;
	for (unsigned i = 0; i < sl_capture_reader_rings(rd); i++) {
		int rc;

		while ((rc = sl_capture_reader_peek(rd, i, &rec, &data, err, sizeof(err))) == 1) {
			assert_int_equal(rec.cap_len, 64);
			assert_int_equal(data[37], 5000 & 0xff);
			if (rec.dir == SL_CAPTURE_RX)
				(*rx)++;
			else
				(*tx)++;
			sl_capture_reader_consume(rd, i);
		}
		assert_int_equal(rc, 0);
	}
	sl_capture_reader_close(rd);
}

static void test_capture_in_process(void **state)
{
	uint16_t a = start_port("net_ring0,rx=ba,tx=ab"), b = start_port("net_ring1,rx=ab,tx=ba");
	struct sl_capture_params p;
	struct sl_capture_session *s;
	char err[768];
	json_t *reply = NULL, *st;
	int fd = -1;
	unsigned hits, rx, tx, hooks;
	struct {
		size_t size;
	} sz;
	void *base;

	(void)state;
	assert_int_equal(sl_capture__parse_params("{\"ports\":[\"net_ring0\",1],"
						  "\"filter\":\"udp port 5000\",\"ring_kb\":1024}",
						  &p, err, sizeof(err)),
			 0);
	s = sl_capture_start(&p, &reply, &fd, err, sizeof(err));
	if (s == NULL)
		fail_msg("start: %s", err);
	assert_int_equal(sl_capture_running(&hooks), 1);
	assert_int_equal(hooks, 4); /* rx and tx of one queue on two ports */
	assert_non_null(sl_port_fps[a].rxq[0].cb);
	assert_non_null(sl_port_fps[b].txq[0].cb);
	assert_int_equal(json_array_size(json_object_get(reply, "interfaces")), 2);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(reply, "interfaces"), 0), "name")),
		"net_ring0");
	sz.size = (size_t)json_integer_value(json_object_get(reply, "shm_size"));
	base = mmap(NULL, sz.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(base != MAP_FAILED);
	hits = traffic(a, b, 300);
	read_all(base, sz.size, &rx, &tx);
	assert_int_equal(hits, 100);
	assert_int_equal(tx, hits); /* sent on a */
	assert_int_equal(rx, hits); /* received on b */
	st = sl_capture_stats(s);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(st, 0), "received")),
			 300);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(st, 0), "matched")),
			 100);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(st, 1), "dropped")), 0);
	json_decref(st);
	sl_capture_stop(s);
	/* hooks gone: the queues have no callback, the traffic goes on */
	assert_int_equal(sl_capture_running(&hooks), 0);
	assert_int_equal(hooks, 0);
	assert_null(sl_port_fps[a].rxq[0].cb);
	assert_null(sl_port_fps[a].txq[0].cb);
	assert_null(sl_port_fps[b].rxq[0].cb);
	assert_null(sl_port_fps[b].txq[0].cb);
	assert_int_equal(traffic(a, b, 30), 10);
	munmap(base, sz.size);
	close(fd);
	json_decref(reply);

	/* captures run side by side, each with its own hooks and rings; one more is refused */
	{
		struct sl_capture_session *ss[SL_CAPTURE_MAX_SESSIONS];
		json_t *rr[SL_CAPTURE_MAX_SESSIONS];
		void *bb[SL_CAPTURE_MAX_SESSIONS];
		size_t zz[SL_CAPTURE_MAX_SESSIONS];
		int ff[SL_CAPTURE_MAX_SESSIONS];

		sl_capture__parse_params("{\"ports\":[1],\"direction\":\"rx\",\"ring_kb\":1024,"
					 "\"filter\":\"udp port 5000\"}",
					 &p, err, sizeof(err));
		for (int i = 0; i < SL_CAPTURE_MAX_SESSIONS; i++) {
			ss[i] = sl_capture_start(&p, &rr[i], &ff[i], err, sizeof(err));
			assert_non_null(ss[i]);
			zz[i] = (size_t)json_integer_value(json_object_get(rr[i], "shm_size"));
			bb[i] = mmap(NULL, zz[i], PROT_READ | PROT_WRITE, MAP_SHARED, ff[i], 0);
			assert_true(bb[i] != MAP_FAILED);
		}
		assert_null(sl_capture_start(&p, &reply, &fd, err, sizeof(err)));
		assert_int_equal(errno, EBUSY);
		assert_non_null(strstr(err, "captures are running in this process already"));
		assert_int_equal(traffic(a, b, 60), 20);
		for (int i = 0; i < SL_CAPTURE_MAX_SESSIONS; i++) {
			read_all(bb[i], zz[i], &rx, &tx);
			assert_int_equal(rx, 20);
			assert_int_equal(tx, 0);
			sl_capture_stop(ss[i]);
			munmap(bb[i], zz[i]);
			close(ff[i]);
			json_decref(rr[i]);
		}
		assert_int_equal(sl_capture_running(NULL), 0);
		assert_null(sl_port_fps[b].rxq[0].cb);
	}

	/* errors name the value and the fix */
	sl_capture__parse_params("{\"ports\":[\"net_foo\"]}", &p, err, sizeof(err));
	assert_null(sl_capture_start(&p, &reply, &fd, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "unknown port \"net_foo\"; the ports are net_ring0 (0), "
				    "net_ring1 (1)"));
	sl_capture__parse_params("{\"filter\":\"udp port banana\"}", &p, err, sizeof(err));
	assert_null(sl_capture_start(&p, &reply, &fd, err, sizeof(err)));
	assert_non_null(strstr(err, "filter \"udp port banana\" does not compile"));
	sl_capture__parse_params("{\"queue\":3}", &p, err, sizeof(err));
	assert_null(sl_capture_start(&p, &reply, &fd, err, sizeof(err)));
	assert_non_null(strstr(err, "no queue 3"));
	assert_int_equal(sl_capture_running(NULL), 0);
}

static void test_capture_over_telemetry(void **state)
{
	uint16_t a = start_port("net_ring0,rx=ba,tx=ab"), b = start_port("net_ring1,rx=ab,tx=ba");
	char err[1024], prefix[64];
	json_t *v = NULL;
	int sock, fd = -1, rc;
	unsigned rx, tx, hooks;
	size_t size;
	void *base;

	(void)state;
	snprintf(prefix, sizeof(prefix), "capture-test-%d", (int)getpid());
	if (sl_telemetry_start(prefix) < 0)
		skip();
	sock = sl_telemetry_connect(prefix, NULL, err, sizeof(err));
	if (sock < 0)
		fail_msg("connect: %s", err);
	rc = sl_telemetry_request(sock,
				  "/sluice/capture/start,{\"ports\":[0],\"direction\":\"tx\","
				  "\"filter\":\"udp port 5000\",\"ring_kb\":1024}",
				  5000, &v, &fd, err, sizeof(err));
	if (rc < 0)
		fail_msg("start: %s", err);
	assert_true(fd >= 0);
	size = (size_t)json_integer_value(json_object_get(v, "shm_size"));
	assert_int_equal(json_integer_value(json_object_get(v, "rings")), 1);
	json_decref(v);
	/* a second capture on the same connection is refused */
	rc = sl_telemetry_request(sock, "/sluice/capture/start", 5000, &v, NULL, err, sizeof(err));
	assert_int_equal(rc, -EREMOTEIO);
	assert_non_null(strstr(err, "runs capture"));
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(base != MAP_FAILED);
	assert_int_equal(traffic(a, b, 90), 30);
	read_all(base, size, &rx, &tx);
	assert_int_equal(tx, 30);
	assert_int_equal(rx, 0);
	rc = sl_telemetry_request(sock, "/sluice/capture/stats", 5000, &v, NULL, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(v, 0), "matched")), 30);
	json_decref(v);
	assert_int_equal(sl_capture_running(&hooks), 1);
	close(sock); /* the session ends with the connection */
	for (int i = 0; i < 200 && sl_capture_running(NULL); i++)
		usleep(10000);
	assert_int_equal(sl_capture_running(&hooks), 0);
	assert_null(sl_port_fps[a].txq[0].cb);
	munmap(base, size);
	close(fd);
	sl_telemetry_stop();
	if (sl_telemetry_dir(prefix, err, sizeof(err)) == 0)
		rmdir(err); /* the runtime directory the server made for the prefix */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcapng_fields),
		cmocka_unit_test(test_ring_full_drop_and_wrap),
		cmocka_unit_test(test_segments_snaplen_and_filter),
		cmocka_unit_test(test_reader_rejects_bad_headers),
		cmocka_unit_test(test_reader_rejects_bad_records),
		cmocka_unit_test(test_params),
		cmocka_unit_test_setup_teardown(test_capture_in_process, ports_setup,
						ports_teardown),
		cmocka_unit_test_setup_teardown(test_capture_over_telemetry, ports_setup,
						ports_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
