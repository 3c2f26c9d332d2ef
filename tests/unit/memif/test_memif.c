/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_memif unit tests: a Sluice server and a Sluice client in one process over a socket in
 * a temporary directory, plus a hostile peer written here with raw socket calls.
 *
 *  - traffic both ways on 2 queue pairs, byte for byte, including packets chained over
 *    several memif buffers (bsize=512) and over several packet buffers (9000 bytes);
 *  - the client closes and comes back; the server closes and comes back (client retries);
 *  - hostile control messages: wrong size, wrong version, bad secret, region index out of
 *    sequence, ring beyond its region, region larger than its file, garbage once
 *    connected: each gets DISCONNECT with the reason, a log line and a count, and the
 *    server then serves a good client;
 *  - hostile descriptors and ring indexes on both rings: counted, nothing out of bounds
 *    (run under ASan), the peer disconnected, the server serving again;
 *  - zero-copy client (zero-copy=yes) against the copy-mode server: exact counts byte for
 *    byte both ways, by-reference vs copied transmit counted, every buffer back in the
 *    pool after stop and after a disconnect in the middle of traffic; a hostile server
 *    (raw socket calls) writing a bad length, offset or tail into the zero-copy rings is
 *    disconnected with the reason and the buffers come back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "port_test.h"
#include "memif_proto.h"
#include "sl_port.h"

static struct log_capture cap;
static struct sl_pool *pool;
static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("memif_test", 8191, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	strcpy(dir, "/tmp/sluice-memif-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/memif.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_port_close_all();
	assert_int_equal(sl_port_count(), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);
	sl_pool_free(pool);
	assert_int_equal(access(path, F_OK), -1); /* the server removed its socket file */
	rmdir(dir);
	log_capture_stop();
	return 0;
}

static int open_port(const char *fmt, uint16_t nq, ...)
{
	struct sl_port_conf conf = {.nb_rxq = nq, .nb_txq = nq};
	char devstr[256];
	va_list ap;
	int id;

	va_start(ap, nq);
	vsnprintf(devstr, sizeof(devstr), fmt, ap);
	va_end(ap);
	id = sl_port_create(devstr);
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, pool), 0);
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	}
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return id;
}

static bool link_up(int id)
{
	struct sl_port_link l;

	assert_int_equal(sl_port_link((uint16_t)id, &l), 0);
	return l.up;
}

static uint8_t pattern(uint32_t seed, uint32_t i)
{
	return (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

/* A packet of len bytes spread over as many buffers as needed. */
static struct sl_pktbuf *make_pkt(uint32_t len, uint32_t seed)
{
	struct sl_pktbuf *head = NULL;
	uint32_t off = 0;

	do {
		struct sl_pktbuf *s = sl_pktbuf_alloc(pool);
		uint16_t c = (uint16_t)SL_MIN(len - off, (uint32_t)sl_pktbuf_tailroom(s));
		uint8_t *d;

		assert_non_null(s);
		d = (uint8_t *)sl_pktbuf_append(s, c);
		for (uint16_t i = 0; i < c; i++)
			d[i] = pattern(seed, off + i);
		off += c;
		if (head)
			assert_int_equal(sl_pktbuf_chain(head, s), 0);
		else
			head = s;
	} while (off < len);
	return head;
}

static void check_pkt(struct sl_pktbuf *p, uint32_t len, uint32_t seed)
{
	static uint8_t buf[16384];
	const uint8_t *d;

	assert_int_equal(p->pkt_len, len);
	d = sl_pktbuf_read(p, 0, len, buf);
	assert_non_null(d);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != pattern(seed, i))
			fail_msg("packet seed %u byte %u: 0x%02x, want 0x%02x", seed, i, d[i],
				 pattern(seed, i));
}

/* Sends n packets of lengths lens[i % nl] from (tx port, q) and checks they arrive in
 * order, byte for byte, on (rx port, q). */
static void exchange(int tx, int rx, uint16_t q, unsigned n, const uint32_t *lens, unsigned nl,
		     uint32_t seed0)
{
	unsigned sent = 0, got = 0;
	uint64_t end = now_ms() + 5000;

	while (got < n && now_ms() < end) {
		struct sl_pktbuf *pkts[32];
		uint16_t nb;

		if (sent < n) {
			struct sl_pktbuf *p = make_pkt(lens[sent % nl], seed0 + sent);
			uint16_t k = sl_port_tx_burst((uint16_t)tx, q, &p, 1);

			if (k == 1)
				sent++;
			else
				sl_pktbuf_free(p);
		}
		nb = sl_port_rx_burst((uint16_t)rx, q, pkts, 32);
		for (uint16_t i = 0; i < nb; i++) {
			check_pkt(pkts[i], lens[got % nl], seed0 + got);
			assert_int_equal(pkts[i]->port, rx);
			got++;
			sl_pktbuf_free(pkts[i]);
		}
	}
	assert_int_equal(sent, n);
	assert_int_equal(got, n);
}

static const uint32_t lens[] = {60, 64, 128, 511, 512, 513, 1000, 1514, 2048, 4000};

static void test_traffic_two_queues(void **state)
{
	struct sl_port_stats ss, cs;
	int srv, cli;

	(void)state;
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no,id=3", 2, path);
	assert_int_equal(access(path, F_OK), 0);
	assert_false(link_up(srv));
	cli = open_port("net_memif1,role=client,socket=%s,socket-abstract=no,id=3,bsize=512,rsize=8",
			2, path);
	WAIT_FOR(link_up(srv) && link_up(cli), 3000);
	assert_true(link_up(srv));
	assert_true(link_up(cli));
	assert_true(log_capture_has(&cap, "net_memif0: memif peer 'sluice' (net_memif1) connected",
				    "2 c2s + 2 s2c rings"));
	for (uint16_t q = 0; q < 2; q++) {
		exchange(cli, srv, q, 300, lens, SL_ARRAY_SIZE(lens), 1000u * q);
		exchange(srv, cli, q, 300, lens, SL_ARRAY_SIZE(lens), 5000u + 1000u * q);
	}
	/* Jumbo frames: 18 memif buffers of 512 bytes, 5 packet buffers each way. */
	exchange(cli, srv, 1, 20, (uint32_t[]){9000}, 1, 77);
	exchange(srv, cli, 0, 20, (uint32_t[]){9000}, 1, 88);
	assert_int_equal(sl_port_stats((uint16_t)srv, &ss), 0);
	assert_int_equal(sl_port_stats((uint16_t)cli, &cs), 0);
	assert_int_equal(ss.ipackets, 620);
	assert_int_equal(ss.opackets, 620);
	assert_int_equal(cs.ipackets, 620);
	assert_int_equal(cs.opackets, 620);
	assert_int_equal(ss.q_ipackets[0], 300);
	assert_int_equal(ss.q_ipackets[1], 320);
	assert_int_equal(ss.ibytes, cs.obytes);
	assert_int_equal(cs.ibytes, ss.obytes);
	assert_int_equal(ss.ierrors + ss.oerrors + cs.ierrors + cs.oerrors, 0);
	assert_int_equal(xstat(srv, "connects"), 1);
	assert_int_equal(xstat(cli, "connects"), 1);
	assert_int_equal(xstat(srv, "rx_q0_bad_desc"), 0);
	assert_int_equal(xstat(srv, "rx_q0_nombuf"), 0);

	/* The server finds the pool empty: the packets in the ring are dropped and counted
	 * as rx_nombuf (received = delivered + dropped). */
	{
		static struct sl_pktbuf *held[8192];
		unsigned nb_held = 0;
		struct sl_pktbuf *r[8];

		for (uint32_t i = 0; i < 3; i++) {
			struct sl_pktbuf *p = make_pkt(100, i);

			assert_int_equal(sl_port_tx_burst((uint16_t)cli, 0, &p, 1), 1);
		}
		while (nb_held < SL_ARRAY_SIZE(held) &&
		       (held[nb_held] = sl_pktbuf_alloc(pool)) != NULL)
			nb_held++;
		assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, r, 8), 0);
		sl_pktbuf_free_bulk(held, nb_held);
	}
	assert_int_equal(xstat(srv, "rx_q0_nombuf"), 3);
	assert_int_equal(xstat(srv, "rx_mbuf_allocation_errors"), 3);
	assert_int_equal(sl_port_stats((uint16_t)srv, &ss), 0);
	assert_int_equal(ss.rx_nombuf, 3);
	assert_int_equal(ss.ipackets, 620);
	assert_int_equal(ss.ierrors, 0);
	assert_int_equal(sl_port_stats((uint16_t)cli, &cs), 0);
	assert_int_equal(cs.opackets, 623);
}

static void test_reconnect(void **state)
{
	struct sl_pktbuf *p;
	int srv, cli;

	(void)state;
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no", 1, path);
	cli = open_port("net_memif1,role=client,socket=%s,socket-abstract=no", 1, path);
	WAIT_FOR(link_up(srv) && link_up(cli), 3000);
	exchange(cli, srv, 0, 10, lens, 3, 1);

	/* The client goes away: the server's link drops, it counts and keeps listening. */
	assert_int_equal(sl_port_close((uint16_t)cli), 0);
	WAIT_FOR(!link_up(srv), 2000);
	assert_false(link_up(srv));
	WAIT_FOR(xstat(srv, "disconnects") == 1, 1000);
	assert_int_equal(xstat(srv, "disconnects"), 1);
	p = make_pkt(60, 0);
	assert_int_equal(sl_port_tx_burst((uint16_t)srv, 0, &p, 1), 0);
	sl_pktbuf_free(p);
	assert_int_equal(xstat(srv, "tx_q0_link_down"), 1);
	assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, &p, 1), 0);

	/* A reset zeroes the port layer's queue counters, memif's own per-queue counters and
	 * the interface's. */
	{
		struct sl_port_stats st;

		assert_int_equal(sl_port_stats((uint16_t)srv, &st), 0);
		assert_int_equal(st.ipackets, 10);
		assert_int_equal(xstat(srv, "rx_q0_packets"), 10);
		assert_int_equal(xstat(srv, "connects"), 1);
		assert_int_equal(sl_port_stats_reset((uint16_t)srv), 0);
		assert_int_equal(sl_port_stats((uint16_t)srv, &st), 0);
		assert_int_equal(st.ipackets + st.ibytes + st.q_ipackets[0] + st.opackets, 0);
		assert_int_equal(xstat(srv, "rx_q0_packets"), 0);
		assert_int_equal(xstat(srv, "rx_q0_bytes"), 0);
		assert_int_equal(xstat(srv, "tx_q0_link_down"), 0);
		assert_int_equal(xstat(srv, "connects"), 0);
		assert_int_equal(xstat(srv, "disconnects"), 0);
		/* and counts again from zero */
		p = make_pkt(60, 0);
		assert_int_equal(sl_port_tx_burst((uint16_t)srv, 0, &p, 1), 0);
		sl_pktbuf_free(p);
		assert_int_equal(xstat(srv, "tx_q0_link_down"), 1);
	}

	cli = open_port("net_memif1,role=client,socket=%s,socket-abstract=no", 1, path);
	WAIT_FOR(link_up(srv) && link_up(cli), 3000);
	assert_true(link_up(srv));
	exchange(cli, srv, 0, 10, lens, 3, 2);
	exchange(srv, cli, 0, 10, lens, 3, 3);

	/* The server goes away: the client retries until a server is back. */
	assert_int_equal(sl_port_close((uint16_t)srv), 0);
	WAIT_FOR(!link_up(cli), 2000);
	assert_false(link_up(cli));
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no", 1, path);
	WAIT_FOR(link_up(srv) && link_up(cli), 4000);
	assert_true(link_up(cli));
	exchange(srv, cli, 0, 10, lens, 3, 4);
	assert_int_equal(xstat(cli, "connects"), 2); /* this client instance: before and after */
	assert_int_equal(xstat(cli, "disconnects"), 1);
}

/* --- a hostile client, raw socket calls --- */

struct raw {
	int fd;
	int memfd;
	uint8_t *mem;
	uint64_t size;
	struct memif_ring *c2s, *s2c;
	int efd[2];
};

#define RAW_LOG2 4
#define RAW_BSIZE 256

static int raw_send(int fd, const struct memif_msg *m, size_t len, int pass_fd)
{
	char ctrl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)m, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (pass_fd >= 0) {
		struct cmsghdr *cm;

		memset(ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl;
		mh.msg_controllen = sizeof(ctrl);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	return (int)sendmsg(fd, &mh, MSG_NOSIGNAL);
}

/* Receives one message (waiting up to 2 s); returns its type, or -1 on EOF/timeout. */
static int raw_recv(int fd, struct memif_msg *m)
{
	for (int i = 0; i < 2000; i++) {
		ssize_t n = recv(fd, m, sizeof(*m), MSG_DONTWAIT);

		if (n == (ssize_t)sizeof(*m))
			return m->type;
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return -1;
		usleep(1000);
	}
	return -1;
}

static void raw_connect(struct raw *r)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct memif_msg m;

	memset(r, 0, sizeof(*r));
	r->memfd = r->efd[0] = r->efd[1] = -1;
	strcpy(sa.sun_path, path);
	r->fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(raw_recv(r->fd, &m), MEMIF_MSG_HELLO);
	assert_int_equal(m.hello.min_version, MEMIF_VERSION);
	assert_true(m.hello.max_log2_ring_size >= RAW_LOG2);
}

static void raw_init_msg(struct memif_msg *m, uint16_t version, const char *secret)
{
	memset(m, 0, sizeof(*m));
	m->type = MEMIF_MSG_INIT;
	m->init.version = version;
	m->init.id = 0;
	memcpy(m->init.secret, secret, strlen(secret));
	memcpy(m->init.name, "hostile", 7);
}

/* Expects the server to answer DISCONNECT naming `reason`, then close. */
static void raw_expect_disconnect(struct raw *r, const char *reason)
{
	struct memif_msg m;

	assert_int_equal(raw_recv(r->fd, &m), MEMIF_MSG_DISCONNECT);
	m.disconnect.string[MEMIF_DISC_STRING_SIZE - 1] = 0;
	if (strstr((char *)m.disconnect.string, reason) == NULL)
		fail_msg("disconnect reason '%s', want '%s'", m.disconnect.string, reason);
	assert_int_equal(raw_recv(r->fd, &m), -1); /* then EOF */
}

static void raw_close(struct raw *r)
{
	close(r->fd);
	if (r->mem)
		munmap(r->mem, r->size);
	if (r->memfd >= 0)
		close(r->memfd);
	for (int i = 0; i < 2; i++)
		if (r->efd[i] >= 0)
			close(r->efd[i]);
}

static void raw_region(struct raw *r)
{
	uint64_t rb = memif_ring_bytes(RAW_LOG2);

	r->size = 2 * rb + (2u << RAW_LOG2) * RAW_BSIZE;
	r->memfd = memfd_create("raw", MFD_ALLOW_SEALING);
	assert_true(r->memfd >= 0);
	assert_int_equal(ftruncate(r->memfd, (off_t)r->size), 0);
	assert_int_equal(fcntl(r->memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	r->mem = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->memfd, 0);
	assert_true(r->mem != MAP_FAILED);
	r->c2s = (struct memif_ring *)r->mem;
	r->s2c = (struct memif_ring *)(r->mem + rb);
	for (int k = 0; k < 2; k++) {
		struct memif_ring *ring = k ? r->s2c : r->c2s;

		ring->cookie = MEMIF_COOKIE;
		for (unsigned j = 0; j < (1u << RAW_LOG2); j++) {
			ring->desc[j].offset =
				(uint32_t)(2 * rb + (((unsigned)k << RAW_LOG2) + j) * RAW_BSIZE);
			ring->desc[j].length = RAW_BSIZE;
		}
		r->efd[k] = eventfd(0, 0);
	}
}

static void raw_send_ok(struct raw *r, const struct memif_msg *m, int fd, int want)
{
	struct memif_msg ack;

	assert_int_equal(raw_send(r->fd, m, sizeof(*m), fd), sizeof(*m));
	assert_int_equal(raw_recv(r->fd, &ack), want);
}

static void raw_add_ring(struct memif_msg *m, bool c2s, uint32_t offset)
{
	memset(m, 0, sizeof(*m));
	m->type = MEMIF_MSG_ADD_RING;
	m->add_ring.flags = c2s ? MEMIF_RING_FLAG_C2S : 0;
	m->add_ring.index = 0;
	m->add_ring.region = 0;
	m->add_ring.offset = offset;
	m->add_ring.log2_ring_size = RAW_LOG2;
}

/* The whole handshake, as a well-behaved client (with the secret). */
static void raw_handshake(struct raw *r)
{
	struct memif_msg m;

	raw_connect(r);
	raw_region(r);
	raw_init_msg(&m, MEMIF_VERSION, "s3cret");
	raw_send_ok(r, &m, -1, MEMIF_MSG_ACK);
	memset(&m, 0, sizeof(m));
	m.type = MEMIF_MSG_ADD_REGION;
	m.add_region.size = r->size;
	raw_send_ok(r, &m, r->memfd, MEMIF_MSG_ACK);
	raw_add_ring(&m, true, 0);
	raw_send_ok(r, &m, r->efd[0], MEMIF_MSG_ACK);
	raw_add_ring(&m, false, (uint32_t)memif_ring_bytes(RAW_LOG2));
	raw_send_ok(r, &m, r->efd[1], MEMIF_MSG_ACK);
	memset(&m, 0, sizeof(m));
	m.type = MEMIF_MSG_CONNECT;
	raw_send_ok(r, &m, -1, MEMIF_MSG_CONNECTED);
}

static void good_client_traffic(int srv, uint32_t seed)
{
	int cli = open_port("net_memif1,role=client,socket=%s,socket-abstract=no,secret=s3cret",
			    1, path);

	WAIT_FOR(link_up(srv) && link_up(cli), 3000);
	assert_true(link_up(srv));
	exchange(cli, srv, 0, 20, lens, SL_ARRAY_SIZE(lens), seed);
	exchange(srv, cli, 0, 20, lens, SL_ARRAY_SIZE(lens), seed + 100);
	assert_int_equal(sl_port_close((uint16_t)cli), 0);
	WAIT_FOR(!link_up(srv), 2000);
}

static void test_hostile_control(void **state)
{
	struct memif_msg m;
	struct raw r;
	uint64_t rejected = 0;
	int srv;

	(void)state;
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no,secret=s3cret", 1,
			path);

	/* Wrong message size. */
	raw_connect(&r);
	raw_init_msg(&m, MEMIF_VERSION, "s3cret");
	assert_int_equal(raw_send(r.fd, &m, 64, -1), 64);
	raw_expect_disconnect(&r, "invalid message size 64 (want 128)");
	raw_close(&r);
	WAIT_FOR(xstat(srv, "ctl_rejected") == rejected + 1, 1000);
	assert_int_equal(xstat(srv, "ctl_rejected"), ++rejected);
	assert_true(log_capture_has(&cap, "rejected a connection: invalid message size 64", NULL));

	/* Wrong version. */
	raw_connect(&r);
	raw_init_msg(&m, 0x0100, "s3cret");
	assert_int_equal(raw_send(r.fd, &m, sizeof(m), -1), sizeof(m));
	raw_expect_disconnect(&r, "incompatible memif version 0x0100");
	raw_close(&r);

	/* Bad secret, then none. */
	raw_connect(&r);
	raw_init_msg(&m, MEMIF_VERSION, "guess");
	assert_int_equal(raw_send(r.fd, &m, sizeof(m), -1), sizeof(m));
	raw_expect_disconnect(&r, "incorrect secret");
	raw_close(&r);
	raw_connect(&r);
	raw_init_msg(&m, MEMIF_VERSION, "");
	assert_int_equal(raw_send(r.fd, &m, sizeof(m), -1), sizeof(m));
	raw_expect_disconnect(&r, "secret required");
	raw_close(&r);
	rejected += 3;
	WAIT_FOR(xstat(srv, "ctl_rejected") == rejected, 1000);
	assert_int_equal(xstat(srv, "ctl_rejected"), rejected);

	/* Region index out of sequence. */
	raw_connect(&r);
	raw_region(&r);
	raw_init_msg(&m, MEMIF_VERSION, "s3cret");
	raw_send_ok(&r, &m, -1, MEMIF_MSG_ACK);
	memset(&m, 0, sizeof(m));
	m.type = MEMIF_MSG_ADD_REGION;
	m.add_region.index = 1;
	m.add_region.size = r.size;
	assert_int_equal(raw_send(r.fd, &m, sizeof(m), r.memfd), sizeof(m));
	raw_expect_disconnect(&r, "region index 1 out of sequence (expected 0)");
	raw_close(&r);
	assert_true(log_capture_has(&cap, "net_memif0: disconnecting memif peer 'hostile'",
				    "region index 1 out of sequence"));

	/* Region larger than the file behind it. */
	raw_connect(&r);
	raw_region(&r);
	raw_init_msg(&m, MEMIF_VERSION, "s3cret");
	raw_send_ok(&r, &m, -1, MEMIF_MSG_ACK);
	memset(&m, 0, sizeof(m));
	m.type = MEMIF_MSG_ADD_REGION;
	m.add_region.size = r.size * 4;
	assert_int_equal(raw_send(r.fd, &m, sizeof(m), r.memfd), sizeof(m));
	raw_expect_disconnect(&r, "is larger than its file");
	raw_close(&r);

	/* Ring past the end of its region. */
	raw_connect(&r);
	raw_region(&r);
	raw_init_msg(&m, MEMIF_VERSION, "s3cret");
	raw_send_ok(&r, &m, -1, MEMIF_MSG_ACK);
	memset(&m, 0, sizeof(m));
	m.type = MEMIF_MSG_ADD_REGION;
	m.add_region.size = r.size;
	raw_send_ok(&r, &m, r.memfd, MEMIF_MSG_ACK);
	raw_add_ring(&m, true, (uint32_t)r.size - 128);
	assert_int_equal(raw_send(r.fd, &m, sizeof(m), r.efd[0]), sizeof(m));
	raw_expect_disconnect(&r, "is beyond region 0");
	raw_close(&r);

	/* Garbage once connected. */
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	assert_true(link_up(srv));
	memset(&m, 0xa5, sizeof(m));
	m.type = 77;
	assert_int_equal(raw_send(r.fd, &m, sizeof(m), -1), sizeof(m));
	raw_expect_disconnect(&r, "unknown message type 77");
	raw_close(&r);
	assert_false(link_up(srv));
	rejected += 4;
	WAIT_FOR(xstat(srv, "ctl_rejected") == rejected, 1000);
	assert_int_equal(xstat(srv, "ctl_rejected"), rejected);

	/* An empty message that carries an fd: the server ends the connection and closes the
	 * fd it was handed (it used to leak it: found by the control-channel fuzzer). */
	{
		unsigned before = open_fds();
		int memfd = memfd_create("memif-test-empty", MFD_CLOEXEC);

		assert_true(memfd >= 0);
		raw_connect(&r);
		assert_int_equal(raw_send(r.fd, &m, 0, memfd), 0);
		close(memfd);
		assert_int_equal(raw_recv(r.fd, &m), -1); /* closed by the server */
		raw_close(&r);
		WAIT_FOR(open_fds() == before, 1000);
		assert_int_equal(open_fds(), before);
	}

	/* And the server still serves a good client. */
	good_client_traffic(srv, 9);
}

static void test_hostile_descriptors(void **state)
{
	struct sl_pktbuf *pkts[8];
	uint32_t buf0 = (uint32_t)(2 * memif_ring_bytes(RAW_LOG2));
	struct raw r;
	int srv;

	(void)state;
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no,secret=s3cret", 1,
			path);

	/* One good packet, then a descriptor pointing past the region. */
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	assert_int_equal(r.c2s->flags, MEMIF_RING_FLAG_MASK_INT); /* the server polls */
	memset(r.mem + buf0, 0x42, 60);
	r.c2s->desc[0] = (struct memif_desc){.region = 0, .offset = buf0, .length = 60};
	r.c2s->desc[1] = (struct memif_desc){.region = 0, .offset = (uint32_t)r.size - 10,
					     .length = 60};
	__atomic_store_n(&r.c2s->head, 2, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, pkts, 8), 1);
	assert_int_equal(pkts[0]->pkt_len, 60);
	assert_int_equal(sl_pktbuf_mtod(pkts[0], uint8_t *)[59], 0x42);
	sl_pktbuf_free(pkts[0]);
	assert_int_equal(xstat(srv, "rx_q0_bad_desc"), 1);
	raw_expect_disconnect(&r, "bad descriptor on rx queue 0");
	raw_close(&r);
	assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, pkts, 8), 0);

	/* A region that does not exist, then a length that wraps offset + length. */
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	r.c2s->desc[0] = (struct memif_desc){.region = 7, .offset = buf0, .length = 60};
	__atomic_store_n(&r.c2s->head, 1, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, pkts, 8), 0);
	raw_expect_disconnect(&r, "bad descriptor");
	raw_close(&r);
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	r.c2s->desc[0] = (struct memif_desc){.region = 0, .offset = buf0, .length = 0xfffffff0u};
	__atomic_store_n(&r.c2s->head, 1, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, pkts, 8), 0);
	raw_expect_disconnect(&r, "bad descriptor");
	raw_close(&r);
	assert_int_equal(xstat(srv, "rx_q0_bad_desc"), 3);
	assert_int_equal(xstat(srv, "rx_q0_errors"), 3); /* ierrors: the bad descriptors */

	/* A chain that never ends (NEXT on every slot). */
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	for (unsigned j = 0; j < (1u << RAW_LOG2); j++)
		r.c2s->desc[j] = (struct memif_desc){.flags = MEMIF_DESC_FLAG_NEXT,
						     .offset = buf0 + j * RAW_BSIZE, .length = 8};
	__atomic_store_n(&r.c2s->head, 1u << RAW_LOG2, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, pkts, 8), 0);
	raw_expect_disconnect(&r, "bad descriptor chain");
	raw_close(&r);

	/* A head further ahead than the ring is long. */
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	__atomic_store_n(&r.c2s->head, 1000, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)srv, 0, pkts, 8), 0);
	raw_expect_disconnect(&r, "ring index out of range");
	raw_close(&r);
	assert_int_equal(xstat(srv, "rx_q0_bad_ring"), 1);

	/* The server's transmit side: a refilled buffer in a region that does not exist. */
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	r.s2c->desc[0] = (struct memif_desc){.region = 3, .offset = 0, .length = 2048};
	__atomic_store_n(&r.s2c->head, 1, __ATOMIC_RELEASE);
	pkts[0] = make_pkt(100, 5);
	assert_int_equal(sl_port_tx_burst((uint16_t)srv, 0, pkts, 1), 0);
	sl_pktbuf_free(pkts[0]);
	assert_int_equal(__atomic_load_n(&r.s2c->tail, __ATOMIC_ACQUIRE), 0);
	raw_expect_disconnect(&r, "bad descriptor on tx queue 0");
	raw_close(&r);
	assert_int_equal(xstat(srv, "tx_q0_bad_desc"), 1);
	assert_int_equal(xstat(srv, "tx_q0_errors"), 1); /* oerrors: bad_desc + too_big */

	/* A good refill works: the server writes into the client's buffer. */
	raw_handshake(&r);
	WAIT_FOR(link_up(srv), 1000);
	__atomic_store_n(&r.s2c->head, 1, __ATOMIC_RELEASE);
	pkts[0] = make_pkt(100, 6);
	assert_int_equal(sl_port_tx_burst((uint16_t)srv, 0, pkts, 1), 1);
	assert_int_equal(__atomic_load_n(&r.s2c->tail, __ATOMIC_ACQUIRE), 1);
	assert_int_equal(r.s2c->desc[0].length, 100);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(r.mem[r.s2c->desc[0].offset + i], pattern(6, i));
	raw_close(&r);
	WAIT_FOR(!link_up(srv), 2000);

	assert_int_equal(xstat(srv, "peer_faults"), 6);
	{
		struct sl_port_stats st;

		assert_int_equal(sl_port_stats((uint16_t)srv, &st), 0);
		assert_int_equal(st.ierrors, 4);     /* 3 bad descriptors + the endless chain */
		assert_int_equal(st.q_errors[0], 4); /* rx queue 0's ierrors */
		assert_int_equal(st.oerrors, 1);
		assert_int_equal(xstat(srv, "rx_q0_bad_desc"), 4);
		assert_int_equal(sl_port_stats_reset((uint16_t)srv), 0);
		assert_int_equal(sl_port_stats((uint16_t)srv, &st), 0);
		assert_int_equal(st.ierrors + st.oerrors + st.q_errors[0], 0);
		assert_int_equal(xstat(srv, "rx_q0_bad_desc"), 0);
		assert_int_equal(xstat(srv, "rx_q0_bad_ring"), 0);
		assert_int_equal(xstat(srv, "tx_q0_bad_desc"), 0);
		assert_int_equal(xstat(srv, "peer_faults"), 0);
	}
	good_client_traffic(srv, 11);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(sl_port_create("net_memif0,role=boss"), -EINVAL);
	assert_true(log_capture_has(&cap, "role=boss is not server or client", NULL));
	/* The driver's log type is net_memif. */
	assert_true(log_capture_has(&cap, "sluice: net_memif: error: net_memif0: role=boss", NULL));
	assert_int_equal(sl_port_create("net_memif0,rsize=15"), -EINVAL);
	assert_true(log_capture_has(&cap, "rsize=15 is not a number in [1, 14]", NULL));
	assert_int_equal(sl_port_create("net_memif0,secret=0123456789012345678901234"), -EINVAL);
	assert_true(log_capture_has(&cap, "secret= is 25 characters, at most 24", NULL));
	assert_int_equal(sl_port_create("net_memif0,zero-copy=yes"), -EINVAL);
	assert_true(log_capture_has(&cap, "net_memif0: zero-copy=yes needs role=client", NULL));
	assert_int_equal(sl_port_create("net_memif0,role=client,zero-copy=maybe"), -EINVAL);
	assert_int_equal(sl_port_create("net_memif0,mac=02:00:00"), -EINVAL);
	assert_int_equal(sl_port_create("net_memif0,socket=relative.sock,socket-abstract=no"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "must be an absolute path", NULL));
	assert_int_equal(
		sl_port_create("net_memif0,socket=/nonexistent-dir-sluice/x.sock,socket-abstract=no"),
		-ENOENT);
	assert_true(log_capture_has(&cap, "its directory does not exist", NULL));

	/* Two servers on one socket need two ids; a second server process is refused. */
	{
		char devstr[200];
		int a, b;
		uint8_t mac[6];

		snprintf(devstr, sizeof(devstr),
			 "net_memif0,socket=%s,socket-abstract=no,mac=02:11:22:33:44:55", path);
		/* "memif" in a level spec names the type net_memif too. */
		assert_int_equal(sl_log_set_levels("memif:info"), 0);
		a = sl_port_create(devstr);
		assert_int_equal(sl_log_set_levels("memif:notice"), 0);
		assert_true(a >= 0);
		assert_true(log_capture_has(
			&cap, "sluice: net_memif: info: net_memif0:", "memif server listening on"));
		assert_int_equal(sl_port_mac((uint16_t)a, mac), 0);
		assert_memory_equal(mac, ((uint8_t[]){2, 0x11, 0x22, 0x33, 0x44, 0x55}), 6);
		snprintf(devstr, sizeof(devstr), "net_memif1,socket=%s,socket-abstract=no", path);
		assert_int_equal(sl_port_create(devstr), -EEXIST);
		assert_true(log_capture_has(&cap, "already uses id=0", NULL));
		snprintf(devstr, sizeof(devstr), "net_memif1,socket=%s,socket-abstract=no,id=1", path);
		b = sl_port_create(devstr);
		assert_true(b >= 0);
	}
	/* Abstract sockets (DPDK's default) work too. */
	{
		char devstr[200];
		int srv, cli;

		snprintf(devstr, sizeof(devstr), "sluice-test-%d", (int)getpid());
		srv = open_port("net_memif2,role=server,socket=%s", 1, devstr);
		cli = open_port("net_memif3,role=client,socket=%s", 1, devstr);
		WAIT_FOR(link_up(srv) && link_up(cli), 3000);
		exchange(cli, srv, 0, 5, lens, 3, 50);
	}
}

/* --- zero-copy client --- */

static uint64_t pstat_opackets(int id)
{
	struct sl_port_stats st;

	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	return st.opackets;
}

static void test_zc_traffic(void **state)
{
	struct sl_port_stats ss, cs;
	struct sl_pktbuf *p, *c;
	int srv, cli;

	(void)state;
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no,id=4", 2, path);
	cli = open_port("net_memif1,role=client,socket=%s,socket-abstract=no,id=4,rsize=8,"
			"zero-copy=yes",
			2, path);
	WAIT_FOR(link_up(srv) && link_up(cli), 3000);
	assert_true(link_up(srv));
	assert_true(link_up(cli));
	assert_true(log_capture_has(&cap, "net_memif1: zero-copy: 1 pool(s) shared as 1 region(s)",
				    NULL));
	/* lens[]: 4000 bytes is a two-segment packet (copied), the rest go by reference; the
	 * server fills 2048-byte buffers, so 4000 comes back as a chain of two. */
	for (uint16_t q = 0; q < 2; q++) {
		exchange(cli, srv, q, 300, lens, SL_ARRAY_SIZE(lens), 100u * q);
		exchange(srv, cli, q, 300, lens, SL_ARRAY_SIZE(lens), 700u + 100u * q);
	}
	assert_int_equal(xstat(cli, "tx_q0_zc_copied"), 30);
	assert_int_equal(xstat(cli, "tx_q1_zc_copied"), 30);
	/* Jumbo frames: 5 memif descriptors each way. */
	exchange(cli, srv, 1, 20, (uint32_t[]){9000}, 1, 77);
	exchange(srv, cli, 0, 20, (uint32_t[]){9000}, 1, 88);
	assert_int_equal(xstat(cli, "tx_q1_zc_copied"), 50);

	/* A clone shares its data with the original: it must be copied, and the original
	 * must survive untouched. */
	p = make_pkt(200, 42);
	c = sl_pktbuf_clone(p, pool);
	assert_non_null(c);
	assert_int_equal(sl_port_tx_burst((uint16_t)cli, 0, &c, 1), 1);
	assert_int_equal(xstat(cli, "tx_q0_zc_copied"), 31);
	{
		struct sl_pktbuf *r[4];
		uint16_t nb = 0;

		WAIT_FOR((nb = sl_port_rx_burst((uint16_t)srv, 0, r, 4)) > 0, 1000);
		assert_int_equal(nb, 1);
		check_pkt(r[0], 200, 42);
		sl_pktbuf_free(r[0]);
	}
	check_pkt(p, 200, 42);
	assert_int_equal(sl_pktbuf_refcnt_read(p), 1);
	sl_pktbuf_free(p);

	assert_int_equal(sl_port_stats((uint16_t)srv, &ss), 0);
	assert_int_equal(sl_port_stats((uint16_t)cli, &cs), 0);
	assert_int_equal(ss.ipackets, 621);
	assert_int_equal(cs.opackets, 621);
	assert_int_equal(ss.opackets, 620);
	assert_int_equal(cs.ipackets, 620);
	assert_int_equal(ss.ibytes, cs.obytes);
	assert_int_equal(cs.ibytes, ss.obytes);
	assert_int_equal(ss.ierrors + ss.oerrors + cs.ierrors + cs.oerrors, 0);
	assert_int_equal(xstat(cli, "tx_q0_no_buf"), 0);
	assert_int_equal(xstat(cli, "rx_q0_nombuf"), 0);
	/* A reset zeroes the zero-copy counters too. */
	assert_int_equal(sl_port_stats_reset((uint16_t)cli), 0);
	assert_int_equal(xstat(cli, "tx_q0_zc_copied"), 0);
	assert_int_equal(xstat(cli, "tx_q1_zc_copied"), 0);
	assert_int_equal(xstat(cli, "tx_q0_packets"), 0);
	assert_int_equal(pstat_opackets(cli), 0);

	/* The client's rx rings hold stocked buffers; stop gives every one back. */
	assert_true(sl_pool_in_use(pool) > 0);
	assert_int_equal(sl_port_stop((uint16_t)cli), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);
	WAIT_FOR(!link_up(srv), 2000);
	/* And it works again after a restart. */
	assert_int_equal(sl_port_start((uint16_t)cli), 0);
	WAIT_FOR(link_up(srv) && link_up(cli), 3000);
	exchange(cli, srv, 0, 50, lens, 3, 900);
	exchange(srv, cli, 1, 50, lens, 3, 950);
	assert_int_equal(sl_port_close((uint16_t)cli), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);
}

static void test_zc_disconnect_mid_traffic(void **state)
{
	struct sl_pktbuf *pkts[32];
	unsigned in_ring = 0;
	int srv, cli;

	(void)state;
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no", 1, path);
	cli = open_port("net_memif1,role=client,socket=%s,socket-abstract=no,rsize=7,zero-copy=yes",
			1, path);
	WAIT_FOR(link_up(srv) && link_up(cli), 3000);
	assert_true(link_up(cli));
	/* With the pool empty the ring cannot be stocked: counted, nothing else happens. */
	{
		static struct sl_pktbuf *held[8192];
		unsigned nb_held = 0;

		while (nb_held < SL_ARRAY_SIZE(held) &&
		       (held[nb_held] = sl_pktbuf_alloc(pool)) != NULL)
			nb_held++;
		assert_int_equal(sl_pool_in_use(pool), nb_held);
		assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 32), 0);
		assert_int_equal(xstat(cli, "rx_q0_zc_restock_short"), 1);
		assert_int_equal(sl_pool_in_use(pool), nb_held);
		sl_pktbuf_free_bulk(held, nb_held);
	}
	/* Stock the client's rx ring, let the server fill part of it, and fill the client's
	 * tx ring without the server reading: buffers are in both rings. */
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 32), 0);
	assert_int_equal(xstat(cli, "rx_q0_zc_restock_short"), 1);
	for (unsigned i = 0; i < 40; i++) {
		struct sl_pktbuf *p = make_pkt(lens[i % 8], i);

		if (sl_port_tx_burst((uint16_t)srv, 0, &p, 1) != 1)
			sl_pktbuf_free(p);
		p = make_pkt(lens[i % 8], 1000 + i);
		if (sl_port_tx_burst((uint16_t)cli, 0, &p, 1) == 1)
			in_ring++;
		else
			sl_pktbuf_free(p);
	}
	assert_int_equal(in_ring, 40);
	assert_int_equal(xstat(cli, "tx_q0_zc_copied"), 0);
	assert_true(sl_pool_in_use(pool) >= 128 + 40); /* stocked ring + by-reference packets */

	/* The server goes away mid-traffic: every buffer of both rings comes back. */
	assert_int_equal(sl_port_close((uint16_t)srv), 0);
	/* The client's control thread takes the link down, then returns the rings' buffers. */
	WAIT_FOR(!link_up(cli) && sl_pool_in_use(pool) == 0, 2000);
	assert_false(link_up(cli));
	assert_int_equal(sl_pool_in_use(pool), 0);
	assert_int_equal(xstat(cli, "disconnects"), 1);

	/* The client reconnects to a new server and carries exact counts again. */
	srv = open_port("net_memif0,role=server,socket=%s,socket-abstract=no", 1, path);
	WAIT_FOR(link_up(srv) && link_up(cli), 4000);
	assert_true(link_up(cli));
	exchange(cli, srv, 0, 200, lens, SL_ARRAY_SIZE(lens), 3);
	exchange(srv, cli, 0, 200, lens, SL_ARRAY_SIZE(lens), 4);
	assert_int_equal(pstat_opackets(cli), 40 + 200);
	assert_int_equal(sl_port_close((uint16_t)cli), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);
}

/* --- a hostile server, raw socket calls --- */

struct raw_srv {
	int lfd, fd;
	uint8_t *region[3];
	uint64_t region_size[3];
	unsigned nb_regions;
	int fds[8];
	unsigned nb_fds;
	struct memif_ring *c2s, *s2c;
	unsigned ring_log2;
};

/* Receives one message and the fd it carries (or -1); returns the type or -1. */
static int raw_recv_fd(int fd, struct memif_msg *m, int *passed)
{
	char ctrl[CMSG_SPACE(sizeof(int))];

	*passed = -1;
	for (int i = 0; i < 2000; i++) {
		struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
				    .msg_controllen = sizeof(ctrl)};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n == (ssize_t)sizeof(*m)) {
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

			if (cm && cm->cmsg_type == SCM_RIGHTS)
				memcpy(passed, CMSG_DATA(cm), sizeof(int));
			return m->type;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return -1;
		usleep(1000);
	}
	return -1;
}

static void srv_send(struct raw_srv *s, uint16_t type)
{
	struct memif_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	if (type == MEMIF_MSG_HELLO) {
		memcpy(m.hello.name, "hostile-srv", 11);
		m.hello.min_version = m.hello.max_version = MEMIF_VERSION;
		m.hello.max_region = 15;
		m.hello.max_log2_ring_size = 14;
	}
	assert_int_equal(raw_send(s->fd, &m, sizeof(m), -1), sizeof(m));
}

/* Accepts the zero-copy client and runs the server's side of the handshake. */
static void srv_accept(struct raw_srv *s)
{
	struct memif_msg m;
	uint64_t rings_at[2] = {0, 0};
	int fd;

	for (int i = 0; i < 3000 && (s->fd = accept(s->lfd, NULL, NULL)) < 0; i++)
		usleep(1000);
	assert_true(s->fd >= 0);
	s->nb_regions = s->nb_fds = 0;
	srv_send(s, MEMIF_MSG_HELLO);
	assert_int_equal(raw_recv_fd(s->fd, &m, &fd), MEMIF_MSG_INIT);
	srv_send(s, MEMIF_MSG_ACK);
	for (;;) {
		int type = raw_recv_fd(s->fd, &m, &fd);

		if (fd >= 0)
			s->fds[s->nb_fds++] = fd;
		if (type == MEMIF_MSG_ADD_REGION) {
			assert_int_equal(m.add_region.index, s->nb_regions);
			s->region[s->nb_regions] = mmap(NULL, m.add_region.size,
							PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			assert_true(s->region[s->nb_regions] != MAP_FAILED);
			s->region_size[s->nb_regions++] = m.add_region.size;
		} else if (type == MEMIF_MSG_ADD_RING) {
			assert_int_equal(m.add_ring.region, 0);
			rings_at[m.add_ring.flags & MEMIF_RING_FLAG_C2S] = m.add_ring.offset;
			s->ring_log2 = m.add_ring.log2_ring_size;
		} else {
			assert_int_equal(type, MEMIF_MSG_CONNECT);
			break;
		}
		srv_send(s, MEMIF_MSG_ACK);
	}
	/* Region 0 rings only, region 1 the pool's memory file. */
	assert_int_equal(s->nb_regions, 2);
	assert_int_equal(s->region_size[0], 2 * memif_ring_bytes(s->ring_log2));
	s->c2s = (struct memif_ring *)(s->region[0] + rings_at[1]);
	s->s2c = (struct memif_ring *)(s->region[0] + rings_at[0]);
	srv_send(s, MEMIF_MSG_CONNECTED);
}

static void srv_drop(struct raw_srv *s)
{
	close(s->fd);
	for (unsigned r = 0; r < s->nb_regions; r++)
		munmap(s->region[r], s->region_size[r]);
	for (unsigned i = 0; i < s->nb_fds; i++)
		close(s->fds[i]);
	s->nb_regions = s->nb_fds = 0;
}

static void test_zc_hostile_server(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sl_pktbuf *pkts[8];
	struct memif_msg m;
	struct raw_srv s;
	uint32_t off0;
	int cli;

	(void)state;
	memset(&s, 0, sizeof(s));
	strcpy(sa.sun_path, path);
	s.lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
	assert_true(s.lfd >= 0);
	assert_int_equal(bind(s.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s.lfd, 4), 0);
	cli = open_port("net_memif1,role=client,socket=%s,socket-abstract=no,rsize=4,zero-copy=yes",
			1, path);

	/* A good packet first: the server writes straight into the client's packet buffer. */
	srv_accept(&s);
	WAIT_FOR(link_up(cli), 2000);
	assert_true(link_up(cli));
	assert_int_equal(s.s2c->flags, MEMIF_RING_FLAG_MASK_INT); /* the client polls */
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 8), 0); /* stocks the ring */
	assert_int_equal(__atomic_load_n(&s.s2c->head, __ATOMIC_ACQUIRE), 16);
	assert_int_equal(sl_pool_in_use(pool), 16);
	assert_int_equal(s.s2c->desc[0].region, 1);
	assert_int_equal(s.s2c->desc[0].length, 2048);
	off0 = s.s2c->desc[0].offset;
	assert_true(off0 + 2048ull <= s.region_size[1]);
	for (uint32_t i = 0; i < 100; i++)
		s.region[1][off0 + i] = pattern(5, i);
	s.s2c->desc[0].length = 100;
	__atomic_store_n(&s.s2c->tail, 1, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 8), 1);
	check_pkt(pkts[0], 100, 5);
	assert_int_equal(sl_pktbuf_headroom(pkts[0]), SL_PKTBUF_HEADROOM);
	/* Zero copy: the server's bytes are the packet buffer's bytes. */
	s.region[1][off0] ^= 0xff;
	assert_int_equal(sl_pktbuf_mtod(pkts[0], uint8_t *)[0], (uint8_t)(pattern(5, 0) ^ 0xff));
	sl_pktbuf_free(pkts[0]);

	/* A length beyond the buffer's room: disconnected, the ring's buffers come back. */
	s.s2c->desc[1].length = 2049;
	__atomic_store_n(&s.s2c->tail, 2, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 8), 0);
	assert_int_equal(xstat(cli, "rx_q0_bad_desc"), 1);
	assert_int_equal(raw_recv(s.fd, &m), MEMIF_MSG_DISCONNECT);
	assert_non_null(strstr((char *)m.disconnect.string, "bad descriptor on rx queue 0"));
	/* The control thread sends DISCONNECT, then logs and takes the link down. */
	WAIT_FOR(!link_up(cli) &&
		 log_capture_has(&cap, "net_memif1: disconnecting memif peer 'hostile-srv'",
				 "bad descriptor on rx queue 0"),
		 1000);
	assert_true(log_capture_has(&cap, "net_memif1: disconnecting memif peer 'hostile-srv'",
				    "bad descriptor on rx queue 0"));
	assert_false(link_up(cli));
	WAIT_FOR(sl_pool_in_use(pool) == 0, 1000); /* DISCONNECT goes out first */
	assert_int_equal(sl_pool_in_use(pool), 0);
	srv_drop(&s);

	/* An offset moved off the buffer given for that slot (still inside the region). */
	srv_accept(&s);
	WAIT_FOR(link_up(cli), 2000);
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 8), 0);
	s.s2c->desc[0].offset += 4096;
	s.s2c->desc[0].length = 60;
	__atomic_store_n(&s.s2c->tail, 1, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 8), 0);
	assert_int_equal(raw_recv(s.fd, &m), MEMIF_MSG_DISCONNECT);
	assert_non_null(strstr((char *)m.disconnect.string, "bad descriptor on rx queue 0"));
	assert_int_equal(xstat(cli, "rx_q0_bad_desc"), 2);
	WAIT_FOR(sl_pool_in_use(pool) == 0, 1000); /* DISCONNECT goes out first */
	assert_int_equal(sl_pool_in_use(pool), 0);
	srv_drop(&s);

	/* A tail filled beyond what was stocked, then on tx a tail moved past the head: both
	 * ring index faults; the packets sent by reference come back too. */
	srv_accept(&s);
	WAIT_FOR(link_up(cli), 2000);
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 8), 0);
	__atomic_store_n(&s.s2c->tail, 17, __ATOMIC_RELEASE);
	assert_int_equal(sl_port_rx_burst((uint16_t)cli, 0, pkts, 8), 0);
	assert_int_equal(raw_recv(s.fd, &m), MEMIF_MSG_DISCONNECT);
	assert_non_null(strstr((char *)m.disconnect.string, "ring index out of range on rx queue 0"));
	srv_drop(&s);
	srv_accept(&s);
	WAIT_FOR(link_up(cli), 2000);
	for (int i = 0; i < 4; i++)
		pkts[i] = make_pkt(64, (uint32_t)i);
	assert_int_equal(sl_port_tx_burst((uint16_t)cli, 0, pkts, 4), 4);
	assert_int_equal(__atomic_load_n(&s.c2s->head, __ATOMIC_ACQUIRE), 4);
	assert_int_equal(s.c2s->desc[3].region, 1);
	assert_int_equal(s.c2s->desc[3].length, 64);
	for (uint32_t i = 0; i < 64; i++) /* by reference: the packet's own buffer */
		assert_int_equal(s.region[1][s.c2s->desc[3].offset + i], pattern(3, i));
	assert_int_equal(sl_pool_in_use(pool), 4);
	__atomic_store_n(&s.c2s->tail, 9, __ATOMIC_RELEASE);
	pkts[0] = make_pkt(64, 9);
	assert_int_equal(sl_port_tx_burst((uint16_t)cli, 0, pkts, 1), 0);
	sl_pktbuf_free(pkts[0]);
	assert_int_equal(raw_recv(s.fd, &m), MEMIF_MSG_DISCONNECT);
	assert_non_null(strstr((char *)m.disconnect.string, "ring index out of range on tx queue 0"));
	assert_int_equal(xstat(cli, "peer_faults"), 4);
	WAIT_FOR(sl_pool_in_use(pool) == 0, 1000); /* DISCONNECT goes out first */
	assert_int_equal(sl_pool_in_use(pool), 0);
	srv_drop(&s);

	assert_int_equal(sl_port_close((uint16_t)cli), 0);
	close(s.lfd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_traffic_two_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zc_traffic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zc_disconnect_mid_traffic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zc_hostile_server, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
