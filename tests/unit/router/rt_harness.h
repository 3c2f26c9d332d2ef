/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router test harness (include after <cmocka.h>, in one file): a router as main.c
 * builds it, without the runtime and its workers, walked by the test's own thread.
 *
 *   rt.rcu, rt.rt4/rt6 (small), rt_control_init(), rt_route_init(), a packet pool, four
 *   net_ring loopback ports (port 3 with a ring of 16 slots, to fill), one rt_iface per
 *   port published as main.c's setup_ports does, and one graph: the "h_src" source (the
 *   frames a test queues with h_send(), as if port p had received them) and "inject".
 *   No port_rx source: what the router transmits on port p stays in p's loopback ring
 *   for h_rx() to read back.
 *
 * A test runs between h_begin() (node statistics reset, control counters snapshot,
 * nothing left anywhere) and h_end(), which checks that every drop node counted exactly
 * what the test announced with h_expect_drop(), that the graph's accounting balances as
 * `stats` computes it (source packets = sent + dropped + to control + overflow), that no
 * frame is left unread on a port, and that every packet buffer is back in the pool.
 * rt_frames.h builds the frames a test sends and checks the ones the router sent.
 */
#ifndef RT_HARNESS_H
#define RT_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "router.h"
#include "router_ctl.h"
#include "sl_cksum.h"
#include "sl_port.h"

#define H_PORTS 4
#define H_POOL 8192
#define H_QMAX 8192
#define H_MAX_NODES 256

/* IPv4 address in host order. */
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct in6 {
	uint8_t b[16];
};

static struct sl_graph *g;
static struct sl_ether_addr port_mac[H_PORTS];
static struct in6 port_ll[H_PORTS]; /* link-local addresses (ports 0-2) */

/* --- the test source --- */
static struct sl_pktbuf *h_q[H_QMAX];
static unsigned h_qhead, h_qtail;

static inline uint16_t h_src_process(struct sl_graph *gr, struct sl_graph_node *node,
				     struct sl_pktbuf **pkts, uint16_t n)
{
	(void)n;
	n = 0;
	while (n < SL_GRAPH_BURST && h_qhead != h_qtail)
		pkts[n++] = h_q[h_qhead++ % H_QMAX];
	if (!n)
		return 0;
	sl_graph_source_rx(gr, node, pkts, n);
	sl_graph_move(gr, node, 0, pkts, n);
	return n;
}

static struct sl_graph_node_type h_src = {
	.name = "h_src",
	.process = h_src_process,
	.flags = SL_GRAPH_SOURCE,
	.help = "frames the test queued, as if received",
	.nb_next = 1,
	.next = {"eth_input"},
};
SL_GRAPH_NODE_REGISTER(h_src)

/* Queues a frame for the test source (p->port is the port it is received on). */
static inline void h_send(struct sl_pktbuf *p)
{
	assert_true(h_qtail - h_qhead < H_QMAX);
	h_q[h_qtail++ % H_QMAX] = p;
}

/* --- addresses --- */
static inline uint32_t A4(const char *s)
{
	uint32_t a;

	assert_int_equal(sl_ipv4_addr_parse(s, &a), 0);
	return sl_ntohl(a);
}

static inline struct in6 A6(const char *s) {
	struct in6 a;

	assert_int_equal(sl_ipv6_addr_parse(s, a.b), 0);
	return a;
}

/* A host's MAC: 02:00:00:00:port:n. */
static struct sl_ether_addr
hmac(unsigned port, unsigned n)
{
	return (struct sl_ether_addr){{0x02, 0, 0, 0, (uint8_t)port, (uint8_t)n}};
}

/* The Ethernet source of the frames a test sends on port. */
static inline struct sl_ether_addr peer_mac(unsigned port)
{
	return hmac(port, 0xee);
}

static inline void link_local(const struct sl_ether_addr *mac, uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[0] = 0xfe;
	ip[1] = 0x80;
	ip[8] = mac->bytes[0] ^ 0x02;
	ip[9] = mac->bytes[1];
	ip[10] = mac->bytes[2];
	ip[11] = 0xff;
	ip[12] = 0xfe;
	ip[13] = mac->bytes[3];
	ip[14] = mac->bytes[4];
	ip[15] = mac->bytes[5];
}

static inline void addr4_add(uint16_t port, const char *ip, uint8_t len)
{
	char err[256];
	uint32_t a = A4(ip);

	assert_int_equal(rt_addr_add(port, 4, (const uint8_t *)&a, len, err, sizeof(err)), 0);
}

static inline void addr6_add(uint16_t port, const uint8_t ip[16], uint8_t len)
{
	char err[256];

	if (rt_addr_add(port, 6, ip, len, err, sizeof(err)) < 0)
		fail_msg("address: %s", err);
}

static inline void neigh4_static(const char *ip, uint16_t port, struct sl_ether_addr mac)
{
	uint32_t a = A4(ip);

	assert_int_equal(rt_neigh_static(4, &a, port, &mac), 0);
}

static inline void neigh6_static(const char *ip, uint16_t port, struct sl_ether_addr mac)
{
	struct in6 a = A6(ip);

	assert_int_equal(rt_neigh_static(6, a.b, port, &mac), 0);
}

/* A route to a blackhole, reject (id) or via gateways (family 4 or 6, up to 4). */
static inline void route_id(int family, const char *prefix, uint32_t id)
{
	char err[256];
	uint8_t ip[16] = {0}, depth;

	if (family == 4) {
		uint32_t a;

		assert_int_equal(sl_ipv4_prefix_parse(prefix, &a, &depth), 0);
		a = sl_ntohl(a);
		memcpy(ip, &a, 4);
	} else {
		assert_int_equal(sl_ipv6_prefix_parse(prefix, ip, &depth), 0);
	}
	if (rt_route_set(family, ip, depth, id, err, sizeof(err)) < 0)
		fail_msg("route %s: %s", prefix, err);
}

static inline void route_via(int family, const char *prefix, const char *gw1, const char *gw2)
{
	uint8_t gws[2][16] = {{0}};
	unsigned n = gw2 ? 2 : 1;
	char err[256];
	uint32_t id;

	for (unsigned i = 0; i < n; i++) {
		const char *s = i ? gw2 : gw1;

		if (family == 4) {
			uint32_t a = A4(s);

			memcpy(gws[i], &a, 4);
		} else {
			struct in6 a = A6(s);

			memcpy(gws[i], a.b, 16);
		}
	}
	id = rt_route_gateways(family, (const uint8_t(*)[16])gws, n, -1, err, sizeof(err));
	if (!id)
		fail_msg("route %s: %s", prefix, err);
	route_id(family, prefix, id);
}

/* The neighbour next hop of ip on port (0: none). */
static inline uint32_t neigh4_id(const char *ip, uint16_t port)
{
	uint32_t a = A4(ip);

	return rt_neigh_get(4, &a, port, false);
}

static inline uint32_t neigh6_id(const char *ip, uint16_t port)
{
	struct in6 a = A6(ip);

	return rt_neigh_get(6, a.b, port, false);
}

static inline unsigned nh_state(uint32_t id)
{
	return rt_link_state(__atomic_load_n(&rt.nh[id].link, __ATOMIC_RELAXED));
}

/* Interface changes, as `interface P up|down|mtu N` makes them. */
static inline void iface_set(uint16_t port, bool up, uint16_t mtu)
{
	struct rt_iface *ifc = rt_iface_edit(port);

	assert_non_null(ifc);
	ifc->up = up;
	ifc->mtu = mtu;
	rt_iface_publish(port, ifc);
	if (!up)
		rt_neigh_port_down(port);
}

/* --- set-up --- */
static inline int h_setup(void **state)
{
	struct sl_lpm_config c4 = {.max_rules = 1024, .groups = 256};
	struct sl_lpm6_config c6 = {.max_rules = 1024, .groups = 2048};

	(void)state;
	rt.icmp_rate = 1000; /* main.c's default */
	rt.rcu = sl_rcu_create("router", RT_MAX_WORKERS);
	rt.rt4 = sl_lpm_create("rt4", SL_NODE_ANY, &c4);
	rt.rt6 = sl_lpm6_create("rt6", SL_NODE_ANY, &c6);
	assert_non_null(rt.rcu);
	assert_non_null(rt.rt4);
	assert_non_null(rt.rt6);
	assert_int_equal(rt_control_init(), 0);
	assert_int_equal(rt_route_init(c4.max_rules, c6.max_rules), 0);
	assert_int_equal(sl_lpm_rcu_set(rt.rt4, rt.rcu), 0);
	assert_int_equal(sl_lpm6_rcu_set(rt.rt6, rt.rcu), 0);
	rt.pool = sl_pktbuf_pool_create("rt_pkts", H_POOL, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE,
					SL_NODE_ANY);
	assert_non_null(rt.pool);
	rt.nb_workers = 1;
	rt.workers[0] = (struct rt_worker){.lcore = 0, .index = 0};

	/* ports, as setup_ports(): MAC, MTU, up, and a link-local address (not port 3) */
	static const char *const devs[H_PORTS] = {"net_ring0", "net_ring1", "net_ring2",
						  "net_ring3,size=16"};

	for (uint16_t p = 0; p < H_PORTS; p++) {
		struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
		struct rt_iface *ifc = calloc(1, sizeof(*ifc));
		uint16_t mtu = 1500;

		assert_int_equal(sl_port_create(devs[p]), p);
		assert_int_equal(sl_port_configure(p, &conf), 0);
		assert_int_equal(sl_port_rxq_setup(p, 0, 0, SL_NODE_ANY, rt.pool), 0);
		assert_int_equal(sl_port_txq_setup(p, 0, 0, SL_NODE_ANY), 0);
		assert_int_equal(sl_port_start(p), 0);
		assert_non_null(ifc);
		sl_port_mtu(p, &mtu);
		assert_int_equal(sl_port_mac(p, ifc->mac.bytes), 0);
		port_mac[p] = ifc->mac;
		ifc->port = p;
		ifc->mtu = mtu ? mtu : 1500;
		ifc->up = true;
		rt_iface_publish(p, ifc);
		link_local(&ifc->mac, port_ll[p].b);
		if (p < 3)
			addr6_add(p, port_ll[p].b, 128);
	}

	/* the graph, as build_graphs(), with the test source instead of port rx */
	struct sl_graph_source src[2];

	memset(src, 0, sizeof(src));
	src[0].type = "h_src";
	src[1].type = "inject";
	rt.workers[0].inject =
		sl_ring_create("rt_inject0", 1024, SL_NODE_ANY, SL_RING_SP_ENQ | SL_RING_SC_DEQ);
	assert_non_null(rt.workers[0].inject);

	struct sl_graph_config cfg = {.name = "worker0",
				      .node = SL_NODE_ANY,
				      .worker = 0,
				      .app = &rt,
				      .sources = src,
				      .nb_sources = 2};

	g = sl_graph_create(&cfg);
	assert_non_null(g);
	rt.workers[0].graph = g;
	assert_int_equal(sl_rcu_thread_register(rt.rcu, 0), 0);

	/* what a start-up file would say */
	addr4_add(0, "10.0.0.1", 24);
	addr4_add(1, "10.1.0.1", 24);
	addr4_add(2, "10.2.0.1", 24);
	addr4_add(3, "10.3.0.1", 24);
	for (uint16_t p = 0; p < 3; p++) {
		char s[64];

		snprintf(s, sizeof(s), "2001:db8:%u::1", p);
		addr6_add(p, A6(s).b, 64);
	}
	neigh4_static("10.0.0.2", 0, hmac(0, 2));
	neigh4_static("10.1.0.2", 1, hmac(1, 2));
	neigh4_static("10.2.0.2", 2, hmac(2, 2));
	neigh4_static("10.3.0.2", 3, hmac(3, 2));
	neigh6_static("2001:db8::2", 0, hmac(0, 2));
	neigh6_static("2001:db8:1::2", 1, hmac(1, 2));
	neigh6_static("2001:db8:2::2", 2, hmac(2, 2));
	route_via(4, "192.0.2.0/24", "10.1.0.2", NULL);
	route_via(4, "198.51.100.0/24", "10.1.0.2", "10.2.0.2");
	route_id(4, "100.64.0.0/16", RT_NH_ID_BLACKHOLE);
	route_id(4, "100.65.0.0/16", RT_NH_ID_REJECT);
	route_via(4, "100.66.0.0/16", "10.2.0.3", NULL); /* a gateway nobody resolved yet */
	route_via(4, "203.0.113.0/24", "10.3.0.2", NULL);
	route_via(6, "2001:db8:100::/48", "2001:db8:1::2", NULL);
	route_via(6, "2001:db8:200::/48", "2001:db8:1::2", "2001:db8:2::2");
	route_id(6, "2001:db8:dead::/48", RT_NH_ID_BLACKHOLE);
	route_id(6, "2001:db8:beef::/48", RT_NH_ID_REJECT);
	return 0;
}

static inline int h_teardown(void **state)
{
	(void)state;
	sl_graph_free(g);
	sl_port_close_all();
	return 0;
}

/* --- running --- */

/* Walks the graph (and, with control, polls the control plane) until nothing moves. */
static inline void h_walk(bool control)
{
	for (unsigned i = 0; i < 100000; i++) {
		unsigned n = sl_graph_walk(g);
		bool punted = !sl_ring_empty(rt.punt);

		sl_rcu_quiescent(rt.rcu, 0);
		if (control)
			rt_control_poll();
		if (!n && (!punted || !control) && sl_ring_empty(rt.workers[0].inject) &&
		    h_qhead == h_qtail)
			return;
	}
	fail_msg("the router never settled");
}

static inline void h_run(void)
{
	h_walk(true);
}

/* Reads up to max frames port p sent. */
static inline unsigned h_rx(uint16_t p, struct sl_pktbuf **pkts, unsigned max)
{
	unsigned got = 0;
	uint16_t k;

	while (got < max &&
	       (k = sl_port_rx_burst(p, 0, pkts + got, (uint16_t)SL_MIN(32u, max - got))))
		got += k;
	return got;
}

/* The one frame port p sent (fails if it sent none or more). */
static inline struct sl_pktbuf *h_rx_one(uint16_t p)
{
	struct sl_pktbuf *pkts[2];
	unsigned n = h_rx(p, pkts, 2);

	if (n != 1) {
		sl_pktbuf_free_bulk(pkts, n);
		fail_msg("port %u sent %u frames, expected 1", p, n);
	}
	return pkts[0];
}

static inline void h_free(struct sl_pktbuf *p)
{
	sl_pktbuf_free(p);
}

static inline void h_free_n(struct sl_pktbuf **pkts, unsigned n)
{
	sl_pktbuf_free_bulk(pkts, n);
}

/* --- statistics --- */
static struct {
	const char *name;
	uint64_t n;
} h_expected[64];
static unsigned h_nexpected;
static bool h_any_drops; /* h_expect_any_drops(): drop counters not checked */

static struct {
	const char *name;
	uint64_t value;
} h_csnap[128];
static unsigned h_ncsnap;

static inline void cs_snap(const struct rt_cstat *c, void *arg)
{
	(void)arg;
	if (h_ncsnap < 128)
		h_csnap[h_ncsnap++] = (typeof(h_csnap[0])){c->name, c->value};
}

struct cs_find {
	const char *name;
	uint64_t value;
	bool found;
};

static inline void cs_find_fn(const struct rt_cstat *c, void *arg)
{
	struct cs_find *f = arg;

	if (strcmp(c->name, f->name) == 0) {
		f->value = c->value;
		f->found = true;
	}
}

/* How much control-plane counter `name` grew since h_begin(). */
static inline uint64_t cdelta(const char *name)
{
	struct cs_find f = {name, 0, false};

	rt_cstat_foreach(cs_find_fn, &f);
	if (!f.found)
		fail_msg("no control counter %s", name);
	for (unsigned i = 0; i < h_ncsnap; i++)
		if (strcmp(h_csnap[i].name, name) == 0)
			return f.value - h_csnap[i].value;
	return f.value;
}

/* Packets node `name` processed since h_begin(). */
static inline uint64_t npkts(const char *name)
{
	struct sl_graph_node *node = sl_graph_node_by_name(g, name);
	struct sl_graph_node_stats st;

	if (!node)
		fail_msg("no node %s in the graph", name);
	sl_graph_node_stats(g, node->id, &st);
	return st.packets;
}

/* The test expects n packets in drop node `name` (every other drop node: none). */
static inline void h_expect_drop(const char *name, uint64_t n)
{
	assert_non_null(sl_graph_node_by_name(g, name));
	for (unsigned i = 0; i < h_nexpected; i++)
		if (strcmp(h_expected[i].name, name) == 0) {
			h_expected[i].n += n;
			return;
		}
	assert_true(h_nexpected < 64);
	h_expected[h_nexpected++] = (typeof(h_expected[0])){name, n};
}

/* The test cannot tell which drop nodes count what (random input): h_end() checks only the
 * accounting and leaks. */
static inline void h_expect_any_drops(void)
{
	h_any_drops = true;
}

/* Drops every frame waiting on a port; returns how many there were. */
static inline unsigned h_drain_ports(void)
{
	struct sl_pktbuf *pkts[64];
	unsigned total = 0, n;

	for (uint16_t p = 0; p < H_PORTS; p++)
		while ((n = h_rx(p, pkts, 64)) > 0) {
			h_free_n(pkts, n);
			total += n;
		}
	return total;
}

static inline void h_begin(void)
{
	/* whatever a failed test left behind */
	while (h_qhead != h_qtail)
		sl_pktbuf_free(h_q[h_qhead++ % H_QMAX]);
	h_run();
	h_drain_ports();
	sl_graph_stats_reset(g);
	h_nexpected = 0;
	h_any_drops = false;
	h_ncsnap = 0;
	rt_cstat_foreach(cs_snap, NULL);
}

/* Checks the drop counters, the accounting and that nothing leaked (the messages name
 * the test's line). */
#define h_end() h_end_at(__FILE__, __LINE__)
static inline void h_end_at(const char *file, int line)
{
	uint64_t in = 0, drops = 0, sent, punted;
	struct sl_graph_stats gs;
	bool bad = false;
	unsigned left;

	h_run();
	for (unsigned i = 0; i < sl_graph_node_count(g); i++) {
		struct sl_graph_node *node = sl_graph_node_get(g, i);
		struct sl_graph_node_stats st;
		uint64_t want = 0;

		sl_graph_node_stats(g, i, &st);
		if (node->type->flags & SL_GRAPH_SOURCE)
			in += st.packets;
		if (!(node->type->flags & SL_GRAPH_DROP))
			continue;
		drops += st.packets;
		for (unsigned k = 0; k < h_nexpected; k++)
			if (strcmp(h_expected[k].name, node->type->name) == 0)
				want = h_expected[k].n;
		if (st.packets != want && !h_any_drops) {
			print_error("%s: %llu packets, expected %llu\n", node->type->name,
				    (unsigned long long)st.packets, (unsigned long long)want);
			bad = true;
		}
	}
	if (bad)
		fail_msg("%s:%d: drop counters differ from what the test sent for them", file,
			 line);

	char why[256];

	if (sl_graph_check_books(g, why, sizeof(why)) < 0)
		fail_msg("%s:%d: node by node: %s", file, line, why);
	sl_graph_stats(g, &gs);
	sent = npkts(SL_GRAPH_PORT_TX) - npkts("drop_tx_full");
	punted = npkts("punt") - npkts("drop_punt_full");
	if (in != sent + drops + punted + gs.overflow)
		fail_msg("%s:%d: accounting: in %llu != sent %llu + dropped %llu + to control "
			 "%llu + overflow %llu",
			 file, line, (unsigned long long)in, (unsigned long long)sent,
			 (unsigned long long)drops, (unsigned long long)punted,
			 (unsigned long long)gs.overflow);
	left = h_drain_ports();
	if (left)
		fail_msg("%s:%d: %u frames sent that the test did not read", file, line, left);
	if (sl_pool_in_use(rt.pool) != 0)
		fail_msg("%s:%d: %u packet buffers not back in the pool", file, line,
			 sl_pool_in_use(rt.pool));
}

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
