/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_packet on a veth pair in a network namespace of its own: the process unshares
 * its network namespace, so the interfaces vanish with it.  Needs root (exit 77 if not).
 *
 *   afpa (02:00:00:00:00:0a)  <-- veth -->  afpb (02:00:00:00:00:0b)
 *
 * IPv6 is off on both ends and the test frames go to a MAC neither end owns, so the
 * kernel itself never sends or answers anything: every frame seen is one the test sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "port_test.h"
#include "sl_port.h"

#define ETHERTYPE_TEST 0x88b5 /* IEEE local experimental: no kernel protocol takes it */
#define MAX_PKTS 512

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_NOBODY[6] = {0x02, 0, 0, 0, 0, 0xee};

static struct log_capture cap;
static struct sl_pool *pool;

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (f == NULL)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) == 0 ? rc : -1;
}

/* Returns 0, or a reason to skip. */
static const char *netns_setup(void)
{
	if (geteuid() != 0)
		return "not root";
	if (unshare(CLONE_NEWNET) < 0)
		return "cannot unshare the network namespace";
	if (sh("ip link add afpa type veth peer name afpb") != 0)
		return "cannot create a veth pair";
	/* IPv6 off before the links come up, so no router solicitation or MLD ever leaves. */
	write_file("/proc/sys/net/ipv6/conf/afpa/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/afpb/disable_ipv6", "1");
	if (sh("ip link set afpa address 02:00:00:00:00:0a && ip link set afpb address 02:00:00:00:00:0b"
	       " && ip link set afpa up && ip link set afpb up && ip link set lo up") != 0)
		return "cannot configure the veth pair";
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("afp_test", 2048, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	unsigned in_use;

	(void)state;
	sl_port_close_all();
	/* Free first, assert after: a failed test must not break the next one's setup. */
	in_use = sl_pool_in_use(pool);
	sl_pool_free(pool);
	sl_pool_free(sl_pool_lookup("afp_small"));
	sl_pool_free(sl_pool_lookup("afp_tiny"));
	log_capture_stop();
	assert_int_equal(sl_port_count(), 0);
	assert_int_equal(in_use, 0); /* every buffer came back */
	return 0;
}

static int open_port(const char *devstr, uint16_t nrxq, uint16_t ntxq, struct sl_pool *rxpool)
{
	struct sl_port_conf conf = {.nb_rxq = nrxq, .nb_txq = ntxq};
	int id = sl_port_create(devstr);

	if (id < 0)
		fprintf(stderr, "%s", cap.text);
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nrxq; q++)
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, rxpool), 0);
	for (uint16_t q = 0; q < ntxq; q++)
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return id;
}

/* The expected bytes of test frame seq: len bytes, Ethernet header then a pattern. */
static void frame_bytes(uint8_t *f, uint32_t seq, uint32_t len)
{
	memcpy(f, MAC_NOBODY, 6);
	memcpy(f + 6, MAC_A, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	memcpy(f + 14, &seq, 4);
	for (uint32_t i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

static uint32_t frame_len(uint32_t seq)
{
	return 60 + (seq * 37) % 1455; /* 60..1514 */
}

/* A packet holding f[0..len), in `segs` segments. */
static struct sl_pktbuf *make_pkt(const uint8_t *f, uint32_t len, unsigned segs)
{
	struct sl_pktbuf *head = NULL;
	uint32_t off = 0;

	for (unsigned s = 0; s < segs; s++) {
		struct sl_pktbuf *p = sl_pktbuf_alloc(pool);
		uint32_t part = s + 1 == segs ? len - off : len / segs;

		assert_non_null(p);
		memcpy(sl_pktbuf_append(p, (uint16_t)part), f + off, part);
		off += part;
		if (head == NULL)
			head = p;
		else
			assert_int_equal(sl_pktbuf_chain(head, p), 0);
	}
	return head;
}

static struct sl_pktbuf *make_test_pkt(uint32_t seq, unsigned segs)
{
	uint8_t f[2048];

	frame_bytes(f, seq, frame_len(seq));
	return make_pkt(f, frame_len(seq), segs);
}

/* Sends all n packets, retrying while the ring is busy, within a second. */
static void send_all(uint16_t port, uint16_t q, struct sl_pktbuf **pkts, unsigned n)
{
	uint64_t end = now_ms() + 1000;
	unsigned done = 0;

	while (done < n && now_ms() < end) {
		uint16_t burst = (uint16_t)SL_MIN(n - done, 32u);

		done += sl_port_tx_burst(port, q, pkts + done, burst);
	}
	assert_int_equal(done, n);
}

static void assert_pkt_is(const struct sl_pktbuf *p, const uint8_t *f, uint32_t len)
{
	uint8_t buf[2048];
	const void *data;

	assert_int_equal(p->pkt_len, len);
	data = sl_pktbuf_read(p, 0, len, buf);
	assert_non_null(data);
	assert_memory_equal(data, f, len);
}

/* The kernel's count of promiscuity or allmulti users of an interface: memberships taken
 * by packet sockets show there, not in the SIOCGIFFLAGS flags. */
static int iface_count(const char *name, const char *key)
{
	char cmd[128], out[4096] = "";
	const char *at;
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ip -d link show dev %s", name);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	snprintf(cmd, sizeof(cmd), " %s ", key);
	at = strstr(out, cmd);
	assert_non_null(at);
	return atoi(at + strlen(cmd));
}

static int iface_mtu(const char *name)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	strcpy(ifr.ifr_name, name);
	assert_int_equal(ioctl(fd, SIOCGIFMTU, &ifr), 0);
	close(fd);
	return ifr.ifr_mtu;
}

/* --- tests --- */

static void test_bad_args(void **state)
{
	(void)state;
	assert_int_equal(sl_port_create("net_af_packet0"), -EINVAL);
	assert_true(log_capture_has(&cap, "iface=NAME is required", NULL));
	assert_int_equal(sl_port_create("net_af_packet0,iface=nosuch42"), -ENODEV);
	assert_true(log_capture_has(&cap, "interface 'nosuch42' not found", "ip link"));
	assert_true(log_capture_has(&cap, "nosuch42", "network namespace"));
	assert_int_equal(sl_port_create("net_af_packet0,iface=abcdefghijklmnopq"), -EINVAL);
	assert_true(log_capture_has(&cap, "iface=abcdefghijklmnopq is longer than", "15"));
	assert_int_equal(sl_port_create("net_af_packet0,iface=afpa,qpairs=17"), -EINVAL);
	assert_true(log_capture_has(&cap, "qpairs=17 is not a number in [1, 16]", NULL));
	assert_int_equal(sl_port_create("net_af_packet0,iface=afpa,blocksz=5000"), -EINVAL);
	assert_true(log_capture_has(&cap, "blocksz=5000 must be a power of two", "use 8192"));
	assert_int_equal(sl_port_create("net_af_packet0,iface=afpa,framesz=1000"), -EINVAL);
	assert_true(log_capture_has(&cap, "framesz=1000 must be a multiple of 16", "try 1024"));
	assert_int_equal(sl_port_create("net_af_packet0,iface=afpa,framecnt=100"), -EINVAL);
	assert_true(log_capture_has(&cap, "framecnt=100 must be a multiple of 32", "use 128"));
	assert_int_equal(sl_port_create("net_af_packet0,iface=afpa,qdisc_bypass=maybe"), -EINVAL);
	assert_true(log_capture_has(&cap, "qdisc_bypass=maybe is not a boolean", NULL));
	assert_int_equal(sl_port_create("net_af_packet0,iface=afpa,colour=red"), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown argument 'colour'", "iface=IFNAME"));
	assert_int_equal(sl_port_count(), 0);
}

static void test_info_link_mtu_promisc(void **state)
{
	struct sl_port_info info;
	struct sl_port_link link;
	bool down_seen;
	uint8_t mac[6];
	uint16_t mtu;
	int id;

	(void)state;
	id = open_port("net_af_packet0,iface=afpa,qpairs=3", 1, 1, pool);
	assert_int_equal(sl_port_mac((uint16_t)id, mac), 0);
	assert_memory_equal(mac, MAC_A, 6);
	assert_int_equal(sl_port_info((uint16_t)id, &info), 0);
	assert_string_equal(info.driver, "net_af_packet");
	assert_string_equal(info.if_name, "afpa");
	assert_int_equal(info.max_rxq, 3);
	assert_int_equal(info.max_txq, 3);
	assert_int_equal(info.max_mtu, 2048 - 32 - 14);
	assert_true(info.tx_offloads & SL_PKT_TX_VLAN);

	assert_int_equal(sl_port_link((uint16_t)id, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.speed_mbps, 10000); /* what veth reports */
	assert_true(link.full_duplex);
	/* The carrier goes with the peer.  Bring it back before asserting anything, so that a
	 * failure here does not break the tests that follow. */
	assert_int_equal(sh("ip link set afpb down"), 0);
	assert_int_equal(sl_port_link((uint16_t)id, &link), 0);
	down_seen = !link.up;
	assert_int_equal(sh("ip link set afpb up"), 0);
	assert_true(down_seen);
	/* The kernel turns the carrier on from a deferred work item (linkwatch): a loaded
	 * machine may take a moment. */
	for (uint64_t end = now_ms() + 2000;; usleep(1000)) {
		assert_int_equal(sl_port_link((uint16_t)id, &link), 0);
		if (link.up || now_ms() >= end)
			break;
	}
	assert_true(link.up);

	assert_int_equal(sl_port_mtu((uint16_t)id, &mtu), 0);
	assert_int_equal(mtu, 1500);
	assert_int_equal(sl_port_mtu_set((uint16_t)id, 1400), 0);
	assert_int_equal(iface_mtu("afpa"), 1400);
	assert_int_equal(sl_port_mtu_set((uint16_t)id, 1500), 0);
	assert_int_equal(iface_mtu("afpa"), 1500);
	assert_int_equal(sl_port_mtu_set((uint16_t)id, 3000), -EINVAL); /* over max_mtu */

	assert_int_equal(iface_count("afpa", "promiscuity"), 0);
	assert_int_equal(sl_port_promisc((uint16_t)id, true), 0);
	assert_int_equal(iface_count("afpa", "promiscuity"), 1);
	assert_int_equal(sl_port_promisc((uint16_t)id, true), 0); /* idempotent */
	assert_int_equal(iface_count("afpa", "promiscuity"), 1);
	assert_int_equal(sl_port_promisc((uint16_t)id, false), 0);
	assert_int_equal(iface_count("afpa", "promiscuity"), 0);
	assert_int_equal(iface_count("afpa", "allmulti"), 0);
	assert_int_equal(sl_port_allmulti((uint16_t)id, true), 0);
	assert_int_equal(iface_count("afpa", "allmulti"), 1);
	/* Closing the port drops what it turned on. */
	assert_int_equal(sl_port_promisc((uint16_t)id, true), 0);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_int_equal(iface_count("afpa", "promiscuity"), 0);
	assert_int_equal(iface_count("afpa", "allmulti"), 0);
}

/* N packets of many sizes (some in 2 or 3 segments) from a to b arrive exactly, in order. */
static void test_tx_rx_exact(void **state)
{
	enum { N = 300 };
	struct sl_pktbuf *tx[N], *rx[MAX_PKTS];
	struct sl_port_stats st;
	uint64_t bytes = 0;
	uint8_t f[2048], mac[6];
	unsigned got;
	int a, b;

	(void)state;
	a = open_port("net_af_packet0,iface=afpa", 1, 1, pool);
	b = open_port("net_af_packet1,iface=afpb", 1, 1, pool);
	assert_int_equal(sl_port_mac((uint16_t)b, mac), 0);
	assert_memory_equal(mac, MAC_B, 6);
	for (uint32_t i = 0; i < N; i++) {
		tx[i] = make_test_pkt(i, i % 5 == 0 ? 2 : i % 7 == 0 ? 3 : 1);
		bytes += frame_len(i);
	}
	send_all((uint16_t)a, 0, tx, N);
	got = recv_all((uint16_t)b, 1, rx, NULL, MAX_PKTS, N, 3000);
	assert_int_equal(got, N);
	for (uint32_t i = 0; i < N; i++) {
		frame_bytes(f, i, frame_len(i));
		assert_pkt_is(rx[i], f, frame_len(i));
		assert_int_equal(rx[i]->port, b);
		assert_int_equal(rx[i]->nb_segs, 1);
		assert_false(rx[i]->ol_flags & SL_PKT_RX_VLAN);
	}
	sl_pktbuf_free_bulk(rx, N);

	assert_int_equal(sl_port_stats((uint16_t)a, &st), 0);
	assert_int_equal(st.opackets, N);
	assert_int_equal(st.obytes, bytes);
	assert_int_equal(st.q_opackets[0], N);
	assert_int_equal(st.oerrors, 0);
	assert_int_equal(st.ipackets, 0); /* a's rx does not see its own tx */
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_int_equal(st.ipackets, N);
	assert_int_equal(st.ibytes, bytes);
	assert_int_equal(st.q_ipackets[0], N);
	assert_int_equal(st.q_ibytes[0], bytes);
	assert_int_equal(st.imissed, 0);
	assert_int_equal(st.ierrors, 0);
	assert_int_equal(st.rx_nombuf, 0);
	assert_int_equal(st.opackets, 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_kernel_drops"), 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_packets"), N);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_bytes"), bytes);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_truncated_drops"), 0);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_ring_full"), 0);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_packets"), N);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_kick_errors"), 0);
	assert_xstat_names_unique((uint16_t)a);
	assert_xstat_names_unique((uint16_t)b);

	/* And back: b sends, a receives, b's own rx stays empty. */
	for (uint32_t i = 0; i < 10; i++)
		tx[i] = make_test_pkt(1000 + i, 1);
	send_all((uint16_t)b, 0, tx, 10);
	got = recv_all((uint16_t)a, 1, rx, NULL, MAX_PKTS, 10, 2000);
	assert_int_equal(got, 10);
	for (uint32_t i = 0; i < 10; i++) {
		frame_bytes(f, 1000 + i, frame_len(1000 + i));
		assert_pkt_is(rx[i], f, frame_len(1000 + i));
	}
	sl_pktbuf_free_bulk(rx, 10);
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_int_equal(st.ipackets, N);
	assert_int_equal(st.opackets, 10);

	assert_int_equal(sl_port_stats_reset((uint16_t)b), 0);
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_int_equal(st.ipackets + st.ibytes + st.opackets + st.obytes + st.imissed, 0);
	assert_int_equal(st.q_ipackets[0], 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_packets") + xstat((uint16_t)b, "tx_q0_packets"),
			 0);
}

/* Frames bigger than a pool buffer arrive as chains. */
static void test_rx_chained(void **state)
{
	enum { N = 40 };
	struct sl_pool *small = sl_pktbuf_pool_create("afp_small", 512, 0, 0,
						      SL_PKTBUF_HEADROOM + 256, 0);
	struct sl_pktbuf *tx[N], *rx[MAX_PKTS];
	const char *why = NULL;
	uint8_t f[2048];
	unsigned got;
	int a, b;

	(void)state;
	assert_non_null(small);
	a = open_port("net_af_packet0,iface=afpa", 1, 1, pool);
	b = open_port("net_af_packet1,iface=afpb", 1, 1, small);
	for (uint32_t i = 0; i < N; i++)
		tx[i] = make_test_pkt(i, 1);
	send_all((uint16_t)a, 0, tx, N);
	got = recv_all((uint16_t)b, 1, rx, NULL, MAX_PKTS, N, 3000);
	assert_int_equal(got, N);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t len = frame_len(i);

		frame_bytes(f, i, len);
		assert_pkt_is(rx[i], f, len);
		/* The first segment keeps the headroom, the others use their whole buffer. */
		assert_int_equal(rx[i]->nb_segs, len <= 256 ? 1 : 1 + (len - 256 + 383) / 384);
		assert_int_equal(sl_pktbuf_check(rx[i], &why), 0);
	}
	sl_pktbuf_free_bulk(rx, N);
	sl_port_close_all();
	assert_int_equal(sl_pool_in_use(small), 0);
	sl_pool_free(small);
}

/* Two rx queues share the flows: every packet once, each flow on one queue. */
static void test_fanout_two_queues(void **state)
{
	enum { FLOWS = 64, PER_FLOW = 4, N = FLOWS * PER_FLOW };
	struct sl_pktbuf *tx[N], *rx[MAX_PKTS];
	uint16_t qs[MAX_PKTS], flow_q[FLOWS];
	uint32_t flow_hash[FLOWS] = {0};
	bool seen[N] = {false};
	unsigned got, per_q[2] = {0, 0};
	struct sl_port_stats st;
	int a, b;

	(void)state;
	a = open_port("net_af_packet0,iface=afpa", 1, 1, pool);
	b = open_port("net_af_packet1,iface=afpb,qpairs=2", 2, 2, pool);
	for (uint32_t i = 0; i < N; i++) {
		/* IPv4/UDP 10.0.0.1:(1000+flow) -> 10.0.0.2:2000; seq in the payload. */
		uint8_t f[64] = {0};
		uint16_t flow = (uint16_t)(i % FLOWS);

		memcpy(f, MAC_NOBODY, 6);
		memcpy(f + 6, MAC_A, 6);
		f[12] = 0x08;
		f[14] = 0x45;
		f[17] = 64 - 14;
		f[22] = 64;
		f[23] = 17;
		memcpy(f + 26, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
		f[34] = (uint8_t)((1000 + flow) >> 8);
		f[35] = (uint8_t)(1000 + flow);
		f[36] = 2000 >> 8;
		f[37] = 2000 & 0xff;
		f[39] = 64 - 34;
		memcpy(f + 42, &i, 4);
		tx[i] = make_pkt(f, sizeof(f), 1);
	}
	send_all((uint16_t)a, 0, tx, N);
	got = recv_all((uint16_t)b, 2, rx, qs, MAX_PKTS, N, 3000);
	assert_int_equal(got, N);
	for (unsigned k = 0; k < FLOWS; k++)
		flow_q[k] = UINT16_MAX;
	for (unsigned k = 0; k < got; k++) {
		uint32_t seq;
		uint16_t flow;

		assert_int_equal(rx[k]->pkt_len, 64);
		memcpy(&seq, sl_pktbuf_mtod_offset(rx[k], uint8_t *, 42), 4);
		assert_true(seq < N);
		assert_false(seen[seq]); /* never twice */
		seen[seq] = true;
		flow = (uint16_t)(seq % FLOWS);
		if (flow_q[flow] == UINT16_MAX) {
			flow_q[flow] = qs[k];
			flow_hash[flow] = rx[k]->rss_hash;
		}
		assert_int_equal(flow_q[flow], qs[k]); /* a flow stays on its queue */
		assert_true(rx[k]->ol_flags & SL_PKT_RX_RSS_HASH);
		assert_int_equal(rx[k]->rss_hash, flow_hash[flow]);
		per_q[qs[k]]++;
	}
	sl_pktbuf_free_bulk(rx, got);
	/* 64 flows all hashing to one queue would be a 2^-63 chance. */
	assert_true(per_q[0] > 0 && per_q[1] > 0);
	assert_int_equal(per_q[0] % PER_FLOW, 0);
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_int_equal(st.q_ipackets[0], per_q[0]);
	assert_int_equal(st.q_ipackets[1], per_q[1]);
	assert_int_equal(st.ipackets, N);
	assert_int_equal(st.ibytes, N * 64);
	assert_int_equal(st.imissed, 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q1_packets"), per_q[1]);
	assert_int_equal(xstat((uint16_t)b, "rx_q1_kernel_drops"), 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q1_truncated_drops"), 0);
	assert_int_equal(xstat((uint16_t)b, "tx_q1_ring_full"), 0);
	assert_xstat_names_unique((uint16_t)b);
}

/* A small tx ring takes what fits and leaves the rest; bad sizes are dropped and counted. */
static void test_tx_ring_full_and_bad_sizes(void **state)
{
	enum { N = 20 };
	struct sl_pktbuf *tx[N], *rx[MAX_PKTS], *bad;
	struct sl_port_stats st;
	uint8_t f[2100];
	unsigned got;
	uint16_t taken;
	int a, b;

	(void)state;
	a = open_port("net_af_packet0,iface=afpa,blocksz=4096,framesz=2048,framecnt=8", 1, 1, pool);
	b = open_port("net_af_packet1,iface=afpb", 1, 1, pool);
	for (uint32_t i = 0; i < N; i++)
		tx[i] = make_test_pkt(i, 1);
	taken = sl_port_tx_burst((uint16_t)a, 0, tx, N);
	assert_int_equal(taken, 8); /* the ring has 8 frames */
	assert_int_equal(xstat((uint16_t)a, "tx_q0_ring_full"), N - 8);
	sl_pktbuf_free_bulk(tx + taken, N - taken);
	got = recv_all((uint16_t)b, 1, rx, NULL, MAX_PKTS, 8, 2000);
	assert_int_equal(got, 8);
	for (uint32_t i = 0; i < 8; i++) {
		frame_bytes(f, i, frame_len(i));
		assert_pkt_is(rx[i], f, frame_len(i));
	}
	sl_pktbuf_free_bulk(rx, got);

	/* 2017 bytes: more than a 2048-byte frame carries (2048 - 32). */
	frame_bytes(f, 100, 2017);
	bad = make_pkt(f, 2017, 2);
	send_all((uint16_t)a, 0, &bad, 1);
	/* 1515 bytes: fits the frame, but not MTU 1500 + 14 untagged. */
	frame_bytes(f, 101, 1515);
	bad = make_pkt(f, 1515, 1);
	send_all((uint16_t)a, 0, &bad, 1);
	/* 10 bytes: not even an Ethernet header. */
	bad = make_pkt(f, 10, 1);
	send_all((uint16_t)a, 0, &bad, 1);
	/* 1518 bytes with an 802.1Q tag is fine. */
	frame_bytes(f, 102, 1518);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x00;
	f[15] = 0x07;
	f[16] = ETHERTYPE_TEST >> 8;
	f[17] = ETHERTYPE_TEST & 0xff;
	bad = make_pkt(f, 1518, 1);
	send_all((uint16_t)a, 0, &bad, 1);
	got = recv_all((uint16_t)b, 1, rx, NULL, MAX_PKTS, 1, 2000);
	assert_int_equal(got, 1);
	assert_int_equal(rx[0]->pkt_len, 1514); /* tag stripped by the kernel */
	assert_int_equal(rx[0]->vlan_tci, 7);
	sl_pktbuf_free(rx[0]);

	assert_int_equal(xstat((uint16_t)a, "tx_q0_oversize_drops"), 2);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_runt_drops"), 1);
	assert_int_equal(sl_port_stats((uint16_t)a, &st), 0);
	assert_int_equal(st.oerrors, 3);
	assert_int_equal(st.opackets, 9);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_errors"), 3);

	/* A reset zeroes the driver's own counters and the shared ones. */
	assert_int_equal(sl_port_stats_reset((uint16_t)a), 0);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_ring_full"), 0);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_oversize_drops"), 0);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_runt_drops"), 0);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_errors"), 0);
	assert_int_equal(sl_port_stats((uint16_t)a, &st), 0);
	assert_int_equal(st.oerrors + st.opackets + st.obytes, 0);
	/* And they count again from there. */
	bad = make_pkt(f, 10, 1);
	send_all((uint16_t)a, 0, &bad, 1);
	assert_int_equal(xstat((uint16_t)a, "tx_q0_runt_drops"), 1);
	assert_int_equal(sl_port_stats((uint16_t)a, &st), 0);
	assert_int_equal(st.oerrors, 1);
}

/* VLAN: the kernel strips tags on rx (flag + tci); SL_PKT_TX_VLAN inserts one on tx. */
static void test_vlan(void **state)
{
	struct sl_pktbuf *p, *rx[MAX_PKTS];
	uint8_t f[128];
	unsigned got;
	int a, b;

	(void)state;
	a = open_port("net_af_packet0,iface=afpa", 1, 1, pool);
	b = open_port("net_af_packet1,iface=afpb", 1, 1, pool);
	frame_bytes(f, 5, 100);
	p = make_pkt(f, 100, 2);
	p->ol_flags |= SL_PKT_TX_VLAN;
	p->vlan_tci = 0x2123; /* PCP 1, VID 0x123 */
	send_all((uint16_t)a, 0, &p, 1);
	got = recv_all((uint16_t)b, 1, rx, NULL, MAX_PKTS, 1, 2000);
	assert_int_equal(got, 1);
	assert_true(rx[0]->ol_flags & SL_PKT_RX_VLAN);
	assert_true(rx[0]->ol_flags & SL_PKT_RX_VLAN_STRIPPED);
	assert_int_equal(rx[0]->vlan_tci, 0x2123);
	assert_pkt_is(rx[0], f, 100);
	/* Sent back asking for the tag, it arrives tagged the same way. */
	rx[0]->ol_flags = SL_PKT_TX_VLAN;
	send_all((uint16_t)b, 0, rx, 1);
	got = recv_all((uint16_t)a, 1, rx, NULL, MAX_PKTS, 1, 2000);
	assert_int_equal(got, 1);
	assert_int_equal(rx[0]->vlan_tci, 0x2123);
	assert_pkt_is(rx[0], f, 100);
	sl_pktbuf_free(rx[0]);
}

/* An empty pool stops rx without losing anything: the frames wait in the ring. */
static void test_rx_nombuf_recovers(void **state)
{
	enum { N = 40 };
	struct sl_pool *tiny = sl_pktbuf_pool_create("afp_tiny", 16, 0, 0,
						     SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	struct sl_pktbuf *tx[N], *held[N], *rx[MAX_PKTS];
	struct sl_port_stats st;
	unsigned nheld = 0, got = 0;
	uint8_t f[2048];
	uint64_t end;
	int a, b;

	(void)state;
	assert_non_null(tiny);
	a = open_port("net_af_packet0,iface=afpa", 1, 1, pool);
	b = open_port("net_af_packet1,iface=afpb", 1, 1, tiny);
	for (uint32_t i = 0; i < N; i++)
		tx[i] = make_test_pkt(i, 1);
	send_all((uint16_t)a, 0, tx, N);
	/* Hold everything the pool has. */
	end = now_ms() + 2000;
	while (nheld < 16 && now_ms() < end)
		nheld += sl_port_rx_burst((uint16_t)b, 0, held + nheld, (uint16_t)(N - nheld));
	assert_int_equal(nheld, 16);
	/* Whatever is ready now finds no buffer: nothing comes, and that is counted. */
	for (end = now_ms() + 100; now_ms() < end; usleep(1000))
		assert_int_equal(sl_port_rx_burst((uint16_t)b, 0, rx, 32), 0);
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_true(st.rx_nombuf >= 1);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_nombuf"), st.rx_nombuf);
	assert_int_equal(st.ipackets, 16);
	/* Copy out and give the buffers back: the rest arrives, in order. */
	for (unsigned i = 0; i < nheld; i++) {
		frame_bytes(f, i, frame_len(i));
		assert_pkt_is(held[i], f, frame_len(i));
	}
	sl_pktbuf_free_bulk(held, nheld);
	end = now_ms() + 2000;
	while (got < N - 16 && now_ms() < end) {
		uint16_t nb = sl_port_rx_burst((uint16_t)b, 0, rx, 8);

		for (uint16_t i = 0; i < nb; i++, got++) {
			uint32_t seq = 16 + got;

			frame_bytes(f, seq, frame_len(seq));
			assert_pkt_is(rx[i], f, frame_len(seq));
		}
		sl_pktbuf_free_bulk(rx, nb);
	}
	assert_int_equal(got, N - 16);
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_int_equal(st.ipackets, N);
	assert_int_equal(st.imissed, 0);
	assert_int_equal(sl_port_stats_reset((uint16_t)b), 0);
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_int_equal(st.rx_nombuf, 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_nombuf"), 0);
	sl_port_close_all();
	assert_int_equal(sl_pool_in_use(tiny), 0);
	sl_pool_free(tiny);
}

/* A ring too small for the traffic: the kernel's drops show as imissed, and add up. */
static void test_kernel_drops_are_imissed(void **state)
{
	enum { N = 100 };
	struct sl_pktbuf *tx[N], *rx[MAX_PKTS];
	struct sl_port_stats st;
	uint8_t f[1000];
	unsigned got;
	int a, b;

	(void)state;
	a = open_port("net_af_packet0,iface=afpa", 1, 1, pool);
	/* Two 4 KiB blocks: room for six 1000-byte frames. */
	b = open_port("net_af_packet1,iface=afpb,blocksz=4096,framesz=2048,framecnt=4", 1, 1, pool);
	for (uint32_t i = 0; i < N; i++) {
		frame_bytes(f, i, sizeof(f));
		tx[i] = make_pkt(f, sizeof(f), 1);
	}
	send_all((uint16_t)a, 0, tx, N);
	usleep(50 * 1000);
	got = recv_all((uint16_t)b, 1, rx, NULL, MAX_PKTS, N, 300);
	sl_pktbuf_free_bulk(rx, SL_MIN(got, (unsigned)MAX_PKTS));
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_true(got > 0 && got < N);
	assert_int_equal(st.ipackets, got);
	assert_int_equal(st.imissed, N - got); /* every packet either received or counted */
	assert_int_equal(xstat((uint16_t)b, "rx_q0_kernel_drops"), N - got);
	assert_true(xstat((uint16_t)b, "rx_q0_freeze_count") >= 1);
	assert_int_equal(sl_port_stats_reset((uint16_t)b), 0);
	assert_int_equal(sl_port_stats((uint16_t)b, &st), 0);
	assert_int_equal(st.imissed, 0);
	assert_int_equal(st.ipackets, 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_kernel_drops"), 0);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_freeze_count"), 0);
}

/* Create and close many times: no socket, mapping or fanout group leaks. */
static void test_repeated_create_close(void **state)
{
	unsigned fds = open_fds();

	(void)state;
	for (int i = 0; i < 20; i++) {
		struct sl_pktbuf *p = make_test_pkt((uint32_t)i, 1), *rx[MAX_PKTS];
		int a = open_port("net_af_packet0,iface=afpa,qpairs=2", 2, 2, pool);
		int b = open_port("net_af_packet1,iface=afpb,qpairs=2", 2, 1, pool);

		send_all((uint16_t)a, (uint16_t)(i % 2), &p, 1);
		assert_int_equal(recv_all((uint16_t)b, 2, rx, NULL, MAX_PKTS, 1, 2000), 1);
		sl_pktbuf_free(rx[0]);
		assert_int_equal(sl_port_close((uint16_t)a), 0);
		assert_int_equal(sl_port_close((uint16_t)b), 0);
	}
	assert_int_equal(open_fds(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_link_mtu_promisc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_rx_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_chained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fanout_two_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_ring_full_and_bad_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_nombuf_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_drops_are_imissed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_create_close, setup, teardown),
	};
	const char *skip = netns_setup();

	if (skip) {
		printf("skipped: %s\n", skip);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
