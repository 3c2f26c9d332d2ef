/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 half (test_router6): ip6 nodes, NDP, traces and random frames; test_router.c has
 * Ethernet, ARP, IPv4 and the regressions.
 *
 * sluice-router, node by node: crafted frames through the real nodes (nodes_eth.c,
 * nodes_ip4.c, nodes_ip6.c) and the real control plane (ARP, NDP, neighbours, routes), on
 * net_ring loopback ports (rt_harness.h, rt_frames.h).  Every drop node is driven by the
 * packets meant for it and checked to count exactly those; forwarded frames, answers and
 * ICMP errors are parsed and checked field by field (addresses, TTL / hop limit,
 * checksums, type and code, MTU, the quoted original); after every test the graph's
 * accounting balances and every packet buffer is back in the pool.  Then 4000 random
 * frames (for ASan: nothing crashes, nothing leaks).
 *
 * Topology (set up by h_setup):
 *   port 0  10.0.0.1/24 2001:db8::1/64 + link-local   10.0.0.2, 2001:db8::2 static
 *   port 1  10.1.0.1/24 2001:db8:1::1/64 + link-local 10.1.0.2, 2001:db8:1::2 static
 *   port 2  10.2.0.1/24 2001:db8:2::1/64 + link-local 10.2.0.2, 2001:db8:2::2 static
 *   port 3  10.3.0.1/24, no IPv6 address, a ring of 16  10.3.0.2 static
 *   192.0.2.0/24 via 10.1.0.2, 198.51.100.0/24 via 10.1.0.2 and 10.2.0.2 (ECMP),
 *   100.64.0.0/16 blackhole, 100.65.0.0/16 reject, 100.66.0.0/16 via 10.2.0.3 (resolved
 *   on demand), 203.0.113.0/24 via 10.3.0.2; 2001:db8:100::/48 via 2001:db8:1::2,
 *   2001:db8:200::/48 via 2001:db8:1::2 and 2001:db8:2::2, 2001:db8:dead::/48 blackhole,
 *   2001:db8:beef::/48 reject.  No default routes.
 *
 * Tests named regress_* are bugs these tests found, kept as regression tests.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_harness.h"
#include "rt_frames.h"

static const struct sl_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct sl_ether_addr peer0 = {{0x02, 0, 0, 0, 0, 0xee}}; /* peer_mac(0) */

/* --- IPv6 --- */

static void test_ip6_input_drops(void **state)
{
	struct in6 c = A6("2001:db8::2"), far = A6("2001:db8:100::10");
	struct sl_pktbuf *p;

	(void)state;
	h_begin();
	p = mk_frame(0, SL_ETHER_TYPE_IPV6, SL_ETHER_HDR_LEN + 39);
	sl_pktbuf_mtod_offset(p, uint8_t *, SL_ETHER_HDR_LEN)[0] = 0x60;
	h_send(p);
	h_expect_drop("drop_ip6_truncated", 1);
	p = mk_udp6(0, c, far, 1, 2, 64, 8);
	IP6H(p)->vtc_flow = sl_htonl(4u << 28);
	h_send(p);
	h_expect_drop("drop_ip6_bad_version", 1);
	p = mk_udp6(0, c, far, 1, 2, 64, 8);
	IP6H(p)->payload_len = sl_htons(17);
	h_send(p);
	h_expect_drop("drop_ip6_bad_length", 1);
	/* sources: multicast, loopback, unspecified (not to an NDP group) */
	h_send(mk_udp6(0, A6("ff02::1"), far, 1, 2, 64, 8));
	h_send(mk_udp6(0, A6("::1"), far, 1, 2, 64, 8));
	h_send(mk_udp6(0, A6("::"), far, 1, 2, 64, 8));
	h_expect_drop("drop_ip6_martian_src", 3);
	h_send(mk_udp6(0, c, A6("::"), 1, 2, 64, 8));
	h_send(mk_udp6(0, c, A6("::1"), 1, 2, 64, 8));
	h_expect_drop("drop_ip6_martian_dst", 2);
	/* multicast: UDP to all-nodes, ICMPv6 to a global group and to ff02::3 */
	h_send(mk_udp6(0, c, A6("ff02::1"), 1, 2, 64, 8));
	h_send(mk_echo6(0, c, A6("ff0e::1"), 64, 8));
	h_send(mk_echo6(0, c, A6("ff02::3"), 64, 8));
	h_expect_drop("drop_ip6_multicast", 3);
	/* link-local destinations not ours on the input interface */
	h_send(mk_echo6(0, A6("fe80::2"), A6("fe80::99"), 64, 8));
	h_send(mk_echo6(0, A6("fe80::2"), port_ll[1], 64, 8));
	h_expect_drop("drop_ip6_link_local", 2);
	/* unicast in a multicast or broadcast frame */
	p = mk_udp6(0, c, far, 1, 2, 64, 8);
	ETH(p)->dst = (struct sl_ether_addr){{0x33, 0x33, 0, 0, 0, 1}};
	h_send(p);
	p = mk_udp6(0, c, far, 1, 2, 64, 8);
	ETH(p)->dst = bcast;
	h_send(p);
	h_expect_drop("drop_ip6_l2_multicast", 2);
	h_run();
	assert_int_equal(npkts("ip6_lookup"), 0);
	assert_int_equal(npkts("ip6_local"), 0);

	/* Ethernet padding trimmed: the reply is as long as the request's IPv6 */
	p = mk_echo6(0, c, A6("2001:db8::1"), 64, 0);
	memset(sl_pktbuf_append(p, 10), 0xaa, 10);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_ip6(p, hmac(0, 2), 0, A6("2001:db8::1"), c, SL_IPPROTO_ICMPV6);
	assert_int_equal(p->pkt_len, SL_ETHER_HDR_LEN + 48);
	h_free(p);
	h_end();
}

static void check_forwarded6(struct sl_pktbuf *p, const struct snap *orig)
{
	const uint8_t *ip = (const uint8_t *)IP6H(p);

	assert_int_equal(p->pkt_len - SL_ETHER_HDR_LEN, orig->len);
	assert_memory_equal(ip, orig->b, 7);
	assert_int_equal(ip[7], orig->b[7] - 1);
	assert_memory_equal(ip + 8, orig->b + 8, orig->len - 8);
}

static void test_ip6_forward(void **state)
{
	struct in6 c = A6("2001:db8::2"), far = A6("2001:db8:100::10"), e = A6("2001:db8:200::7");
	struct sl_pktbuf *p, *out[80];
	struct snap o;
	unsigned n1, n2;

	(void)state;
	h_begin();
	p = mk_udp6(0, c, far, 1000, 53, 64, 100);
	o = snap_ip(p);
	h_send(p);
	p = mk_udp6(0, c, far, 1000, 53, 2, 100);
	h_send(p);
	h_run();
	assert_int_equal(h_rx(1, out, 4), 2);
	check_ip6(out[0], hmac(1, 2), 1, c, far, SL_IPPROTO_UDP);
	check_forwarded6(out[0], &o);
	assert_int_equal(IP6H(out[0])->hop_limits, 63);
	check_ip6(out[1], hmac(1, 2), 1, c, far, SL_IPPROTO_UDP);
	assert_int_equal(IP6H(out[1])->hop_limits, 1);
	h_free_n(out, 2);
	/* exactly the MTU passes */
	p = mk_udp6(0, c, far, 1000, 53, 64, 1500 - 48);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(1);
	check_forwarded6(p, &o);
	h_free(p);

	/* ECMP */
	for (unsigned i = 0; i < 64; i++)
		h_send(mk_udp6(0, c, e, (uint16_t)(10000 + i), 80, 64, 20));
	h_run();
	n1 = h_rx(1, out, 80);
	for (unsigned i = 0; i < n1; i++)
		check_ip6(out[i], hmac(1, 2), 1, c, e, SL_IPPROTO_UDP);
	h_free_n(out, n1);
	n2 = h_rx(2, out, 80);
	for (unsigned i = 0; i < n2; i++)
		check_ip6(out[i], hmac(2, 2), 2, c, e, SL_IPPROTO_UDP);
	h_free_n(out, n2);
	assert_int_equal(n1 + n2, 64);
	assert_true(n1 >= 8 && n2 >= 8);

	/* a link-local source is not forwarded */
	h_send(mk_udp6(0, A6("fe80::2"), far, 1, 2, 64, 8));
	h_run();
	h_expect_drop("drop_ip6_link_local_src", 1);
	h_end();
}

static void test_ip6_errors(void **state)
{
	struct in6 c = A6("2001:db8::2"), r = A6("2001:db8::1");
	struct sl_pktbuf *p;
	struct snap o;

	(void)state;
	h_begin();
	h_send(mk_udp6(0, c, A6("2001:db8:dead::1"), 1, 2, 64, 8));
	h_send(mk_udp6(0, c, A6("2001:db8:dead::2"), 1, 2, 64, 8));
	h_run();
	h_expect_drop("drop_ip6_blackhole", 2);
	/* reject: address unreachable (1/3); no route (1/0); hop limit (3/0) */
	static const struct {
		const char *dst;
		uint8_t hlim, type, code;
	} cases[] = {{"2001:db8:beef::1", 64, 1, 3},
		     {"2001:db8:ffff::1", 64, 1, 0},
		     {"2001:db8:100::1", 1, 3, 0},
		     {"2001:db8:100::1", 0, 3, 0}};

	for (unsigned i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		p = mk_udp6(0, c, A6(cases[i].dst), 1, 2, cases[i].hlim, 30);
		o = snap_ip(p);
		h_send(p);
		h_run();
		p = h_rx_one(0);
		check_icmp6_error(p, hmac(0, 2), 0, r, c, cases[i].type, cases[i].code, 0, &o);
		h_free(p);
	}
	/* one byte over the MTU: packet too big with the MTU, quoted up to 1280 in all */
	p = mk_udp6(0, c, A6("2001:db8:100::1"), 1, 2, 64, 1501 - 48);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp6_error(p, hmac(0, 2), 0, r, c, 2, 0, 1500, &o);
	assert_int_equal(p->pkt_len - SL_ETHER_HDR_LEN, 1280);
	h_free(p);
	iface_set(1, true, 1280);
	p = mk_udp6(0, c, A6("2001:db8:100::1"), 1, 2, 64, 1281 - 48);
	o = snap_ip(p);
	h_send(p);
	h_run();
	iface_set(1, true, 1500);
	p = h_rx_one(0);
	check_icmp6_error(p, hmac(0, 2), 0, r, c, 2, 0, 1280, &o);
	h_free(p);

	/* egress down */
	iface_set(1, false, 1500);
	h_send(mk_udp6(0, c, A6("2001:db8:100::1"), 1, 2, 64, 8));
	h_run();
	iface_set(1, true, 1500);
	h_expect_drop("drop_ip6_egress_down", 1);
	h_end();
}

static void test_ip6_local(void **state)
{
	struct in6 c = A6("2001:db8::2"), r = A6("2001:db8::1"), ll = A6("fe80::2");
	struct sl_pktbuf *p;
	struct snap o;
	uint8_t *ic;

	(void)state;
	h_begin();
	/* echo request to a global address */
	p = mk_echo6(0, c, r, 7, 56);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_ip6(p, hmac(0, 2), 0, r, c, SL_IPPROTO_ICMPV6);
	ic = L46(p);
	assert_int_equal(IP6H(p)->hop_limits, 64);
	assert_int_equal(ic[0], SL_ICMP6_ECHO_REPLY);
	assert_int_equal(ic[1], 0);
	assert_memory_equal(ic + 4, o.b + 44, o.len - 44);
	h_free(p);

	/* link-local on either side: straight back to the sender's MAC, same interface */
	struct in6 dsts[3] = {port_ll[0], r, A6("ff02::1")};
	struct in6 srcs[3] = {port_ll[0], r, port_ll[0]}; /* all-nodes: from our link-local */

	for (int i = 0; i < 3; i++) {
		h_send(mk_echo6(0, ll, dsts[i], 64, 16));
		h_run();
		p = h_rx_one(0);
		check_ip6(p, peer_mac(0), 0, srcs[i], ll, SL_IPPROTO_ICMPV6);
		assert_int_equal(((uint8_t *)L46(p))[0], SL_ICMP6_ECHO_REPLY);
		h_free(p);
	}
	/* a global asker of all-nodes: answered from our global address */
	h_send(mk_echo6(0, c, A6("ff02::1"), 64, 16));
	h_run();
	p = h_rx_one(0);
	check_ip6(p, hmac(0, 2), 0, r, c, SL_IPPROTO_ICMPV6);
	h_free(p);

	/* UDP: port unreachable (global, and link-local reflected) */
	p = mk_udp6(0, c, r, 5000, 33434, 64, 12);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp6_error(p, hmac(0, 2), 0, r, c, 1, 4, 0, &o);
	h_free(p);
	p = mk_udp6(0, ll, port_ll[0], 5000, 33434, 64, 12);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp6_error(p, peer_mac(0), 0, port_ll[0], ll, 1, 4, 0, &o);
	h_free(p);

	/* TCP; an extension header; ICMPv6 checksum; an echo reply to us */
	h_send(mk_ip6(0, c, r, SL_IPPROTO_TCP, 64, 20));
	h_expect_drop("drop_ip6_local_proto", 1);
	h_send(mk_ip6(0, c, r, SL_IPPROTO_HOPOPTS, 64, 16));
	h_send(mk_ip6(0, c, r, SL_IPPROTO_FRAGMENT, 64, 16));
	h_expect_drop("drop_ip6_local_ext", 2);
	p = mk_echo6(0, c, r, 64, 8);
	((struct sl_icmp6_hdr *)L46(p))->cksum ^= 1;
	h_send(p);
	h_send(mk_ip6(0, c, r, SL_IPPROTO_ICMPV6, 64, 2));
	h_expect_drop("drop_ip6_icmp_bad", 2);
	h_send(mk_icmp6(0, c, r, 64, SL_ICMP6_ECHO_REPLY, 0, 8));
	h_send(mk_icmp6(0, c, r, 64, SL_ICMP6_ECHO_REQUEST, 1, 8));
	h_expect_drop("drop_ip6_local_icmp", 2);
	/* neighbour discovery with a hop limit below 255 */
	p = mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, c, r, port_mac[0], r, &peer0);
	IP6H(p)->hop_limits = 254;
	fix_icmp6(p);
	h_send(p);
	h_expect_drop("drop_ip6_ndp_hop_limit", 1);
	/* echo to all-nodes on an interface with no IPv6 address */
	h_send(mk_echo6(3, ll, A6("ff02::1"), 64, 8));
	h_expect_drop("drop_ip6_echo_no_src", 1);
	h_run();
	/* a link-local answer bigger than the interface's MTU */
	iface_set(0, true, 1280);
	h_send(mk_echo6(0, ll, port_ll[0], 64, 1300 - 48));
	h_run();
	iface_set(0, true, 1500);
	h_expect_drop("drop_ip6_egress_down", 1);
	h_end();
}

static struct sl_pktbuf *mk_inject6(struct in6 src, struct in6 dst, uint16_t iface, uint8_t flags)
{
	struct sl_pktbuf *p = mk_udp6(iface, src, dst, 1, 2, 64, 20);

	sl_pktbuf_adj(p, SL_ETHER_HDR_LEN);
	*rt_meta(p) = (struct rt_meta){.iface = iface, .flags = flags};
	return p;
}

static void test_ip6_icmp_error_not_sent(void **state)
{
	struct in6 c = A6("2001:db8::2"), r = A6("2001:db8::1");
	struct sl_pktbuf *p, *out[32];
	struct snap o;
	unsigned n;

	(void)state;
	h_begin();
	/* about an ICMPv6 error (hop limit 1): none; about an echo request: sent */
	h_send(mk_icmp6(0, c, A6("2001:db8:100::1"), 1, 1, 0, 48));
	p = mk_echo6(0, c, A6("2001:db8:100::1"), 1, 48);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp6_error(p, hmac(0, 2), 0, r, c, 3, 0, 0, &o);
	h_free(p);
	h_expect_drop("drop_ip6_icmp_not_sent", 1);
	/* the router's echo reply to a source it cannot reach */
	h_send(mk_echo6(0, A6("2001:db8:ffff::5"), r, 64, 8));
	h_run();
	h_expect_drop("drop_ip6_icmp_not_sent", 1);
	/* held packets sent back from sources that are not one host */
	assert_int_equal(
		rt_inject(mk_inject6(A6("::1"), A6("2001:db8:2::40"), 0, RT_M_HOST_UNREACH),
			  RT_INJ_IP6_ERROR),
		0);
	assert_int_equal(rt_inject(mk_inject6(A6("::"), A6("2001:db8:2::40"), 0, RT_M_HOST_UNREACH),
				   RT_INJ_IP6_ERROR),
			 0);
	assert_int_equal(
		rt_inject(mk_inject6(A6("ff05::2"), A6("2001:db8:2::40"), 0, RT_M_HOST_UNREACH),
			  RT_INJ_IP6_ERROR),
		0);
	h_run();
	h_expect_drop("drop_ip6_icmp_not_sent", 3);

	/* rate limit: 5 a second, 20 due */
	usleep(10000);
	rt.icmp_rate = 5;
	for (unsigned i = 0; i < 20; i++)
		h_send(mk_udp6(0, c, A6("2001:db8:ffff::1"), (uint16_t)i, 2, 64, 8));
	h_run();
	rt.icmp_rate = 1000;
	n = h_rx(0, out, 32);
	assert_int_equal(n, 5);
	for (unsigned i = 0; i < n; i++)
		check_ip6(out[i], hmac(0, 2), 0, r, c, SL_IPPROTO_ICMPV6);
	h_free_n(out, n);
	h_expect_drop("drop_ip6_icmp_ratelimit", 15);
	h_end();
	usleep(20000);
}

/* --- NDP --- */

/* A neighbour advertisement or solicitation from the router. */
static void check_nd(struct sl_pktbuf *p, struct sl_ether_addr eth_dst, uint16_t port,
		     struct in6 src, struct in6 dst, uint8_t type, uint8_t flags, struct in6 target)
{
	uint8_t *nd;

	check_ip6(p, eth_dst, port, src, dst, SL_IPPROTO_ICMPV6);
	nd = L46(p);
	assert_int_equal(IP6H(p)->hop_limits, 255);
	assert_int_equal(sl_ntohs(IP6H(p)->payload_len), 32);
	assert_int_equal(nd[0], type);
	assert_int_equal(nd[1], 0);
	assert_int_equal(nd[4], flags);
	assert_memory_equal(nd + 8, target.b, 16);
	assert_int_equal(nd[24], type == SL_ICMP6_NEIGH_SOLICIT ? 1 : 2);
	assert_int_equal(nd[25], 1);
	assert_memory_equal(nd + 26, port_mac[port].bytes, 6);
}

static void test_ndp_ns_answered(void **state)
{
	struct in6 r = A6("2001:db8::1"), asker = A6("2001:db8::3"), ll = A6("fe80::3");
	struct sl_ether_addr m, mac;
	struct sl_pktbuf *p;
	uint32_t id;

	(void)state;
	h_begin();
	/* NS for our global address (multicast, with the asker's MAC): an NA, R|S|O */
	h_send(mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, asker, sol_node(r, &m), m, r,
		     &(struct sl_ether_addr){{0x02, 0, 0, 0, 0, 3}}));
	h_run();
	p = h_rx_one(0);
	check_nd(p, hmac(0, 3), 0, r, asker, SL_ICMP6_NEIGH_ADVERT, 0xe0, r);
	h_free(p);
	assert_int_equal(cdelta("ndp_rx_ns"), 1);
	assert_int_equal(cdelta("ndp_tx_na"), 1);
	/* the asker is learned: traffic to it goes straight out */
	id = neigh6_id("2001:db8::3", 0);
	assert_true(id != 0);
	assert_int_equal(nh_state(id), RT_NS_REACHABLE);
	rt_link_mac(rt.nh[id].link, mac.bytes);
	assert_memory_equal(mac.bytes, hmac(0, 3).bytes, 6);
	h_send(mk_udp6(1, A6("2001:db8:1::2"), asker, 1, 2, 64, 8));
	h_run();
	p = h_rx_one(0);
	check_ip6(p, hmac(0, 3), 0, A6("2001:db8:1::2"), asker, SL_IPPROTO_UDP);
	h_free(p);

	/* NS for our link-local address, unicast, without a source option: the NA goes to
	 * the frame's sender, from the link-local address */
	h_send(mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, ll, port_ll[0], port_mac[0], port_ll[0], NULL));
	/* duplicate address detection for our address: defended to all nodes, not solicited */
	h_send(mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, A6("::"), sol_node(r, &m), m, r, NULL));
	h_run();
	struct sl_pktbuf *out[4];

	assert_int_equal(h_rx(0, out, 4), 2);
	check_nd(out[0], peer_mac(0), 0, port_ll[0], ll, SL_ICMP6_NEIGH_ADVERT, 0xe0, port_ll[0]);
	check_nd(out[1], (struct sl_ether_addr){{0x33, 0x33, 0, 0, 0, 1}}, 0, r, A6("ff02::1"),
		 SL_ICMP6_NEIGH_ADVERT, 0xa0, r);
	h_free_n(out, 2);

	/* NS for an address that is not ours (nor on that port); malformed: ignored */
	h_send(mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, asker, sol_node(port_ll[1], &m), m, port_ll[1],
		     &peer0));
	p = mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, asker, r, port_mac[0], r, &peer0);
	((uint8_t *)L46(p))[25] = 0; /* an option of length 0 */
	fix_icmp6(p);
	h_send(p);
	h_run();
	assert_int_equal(cdelta("ndp_ns_not_ours"), 1);
	assert_int_equal(cdelta("ndp_bad"), 1);
	assert_int_equal(cdelta("ndp_tx_na"), 3);
	h_end();
}

static void test_ndp_resolution(void **state)
{
	struct in6 c = A6("2001:db8::2"), h = A6("2001:db8:2::5");
	struct sl_ether_addr m, hm = hmac(2, 5);
	struct sl_pktbuf *p;
	struct snap o;
	uint32_t id;

	(void)state;
	h_begin();
	p = mk_udp6(0, c, h, 1000, 53, 64, 40);
	o = snap_ip(p);
	h_send(p);
	h_run();
	/* the solicitation: to the solicited-node group, from our link-local address */
	struct in6 grp = sol_node(h, &m);

	p = h_rx_one(2);
	check_nd(p, m, 2, port_ll[2], grp, SL_ICMP6_NEIGH_SOLICIT, 0, h);
	h_free(p);
	id = neigh6_id("2001:db8:2::5", 2);
	assert_true(id != 0);
	assert_int_equal(nh_state(id), RT_NS_INCOMPLETE);
	assert_int_equal(cdelta("ndp_tx_ns"), 1);
	/* a solicited advertisement (to the link-local the NS came from) releases it */
	h_send(mk_nd(2, SL_ICMP6_NEIGH_ADVERT, 0x60, h, port_ll[2], port_mac[2], h, &hm));
	h_run();
	assert_int_equal(nh_state(id), RT_NS_REACHABLE);
	p = h_rx_one(2);
	check_ip6(p, hm, 2, c, h, SL_IPPROTO_UDP);
	check_forwarded6(p, &o);
	h_free(p);

	/* a solicited advertisement nobody asked for: counted, not learned */
	h_send(mk_nd(2, SL_ICMP6_NEIGH_ADVERT, 0x60, A6("2001:db8:2::66"), port_ll[2], port_mac[2],
		     A6("2001:db8:2::66"), &hm));
	h_run();
	assert_int_equal(cdelta("neigh_unsolicited"), 1);
	assert_int_equal(neigh6_id("2001:db8:2::66", 2), 0);
	h_end();
}

/* --- tracing: every node's trace text on a mix of packets --- */

static void test_trace(void **state)
{
	struct in6 c6 = A6("2001:db8::2"), r6 = A6("2001:db8::1");
	struct sl_ether_addr m;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	h_begin();
	assert_int_equal(sl_graph_trace_start(g, 64, NULL, NULL), 0);
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1000, 53, 64, 20));
	h_send(mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8));
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(8, 8, 8, 8), 1, 2, 64, 20));
	h_send(mk_udp6(0, c6, A6("2001:db8:100::1"), 1, 2, 64, 20));
	h_send(mk_udp6(0, c6, A6("2001:db8:beef::1"), 1, 2, 64, 20));
	h_send(mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, c6, sol_node(r6, &m), m, r6, &peer0));
	h_send(mk_frame(0, SL_ETHER_TYPE_IPV6, SL_ETHER_HDR_LEN + 20));
	h_run();
	sl_graph_trace_stop(g);
	h_expect_drop("drop_ip6_truncated", 1);
	assert_int_equal(h_drain_ports(), 6); /* forwarded x2, echo reply, 2 errors, NA */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	sl_graph_trace_dump(f, g);
	fclose(f);
	assert_non_null(strstr(text, "via 10.1.0.2 port 1 state 4"));
	assert_non_null(strstr(text, "(local)"));
	assert_non_null(strstr(text, "net unreachable"));
	assert_non_null(strstr(text, "via 2001:db8:1::2 port 1 state 4"));
	assert_non_null(strstr(text, "2001:db8::2 > 2001:db8:beef::1 nh 17"));
	assert_non_null(strstr(text, "address unreachable"));
	assert_non_null(strstr(text, "punt"));
	assert_non_null(strstr(text, "truncated"));
	free(text);
	h_end();
}

/* --- random frames: nothing crashes (run it under ASan), nothing leaks --- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

/* An address the router cares about: its own, a neighbour's, a connected or routed one,
 * or anything. */
static uint32_t rnd_ip4(void)
{
	static const uint32_t pick[] = {
		IP4(10, 0, 0, 1),   IP4(10, 0, 0, 2),	  IP4(10, 2, 0, 1),   IP4(10, 2, 0, 100),
		IP4(192, 0, 2, 1),  IP4(198, 51, 100, 1), IP4(100, 64, 0, 1), IP4(100, 65, 0, 1),
		IP4(8, 8, 8, 8),    IP4(127, 0, 0, 1),	  IP4(224, 0, 0, 1),  IP4(10, 0, 0, 255),
		IP4(203, 0, 113, 1)};

	return rnd() % 4 ? pick[rnd() % SL_ARRAY_SIZE(pick)] : rnd();
}

static struct in6 rnd_ip6(void)
{
	static const char *const pick[] = {"2001:db8::1",
					   "2001:db8::2",
					   "2001:db8:2::77",
					   "2001:db8:100::1",
					   "2001:db8:200::1",
					   "2001:db8:dead::1",
					   "2001:db8:beef::1",
					   "2001:db8:ffff::1",
					   "ff02::1",
					   "ff02::1:ff00:1",
					   "::",
					   "::1",
					   "fe80::2"};
	struct in6 a;

	if (rnd() % 4)
		return A6(pick[rnd() % SL_ARRAY_SIZE(pick)]);
	for (int i = 0; i < 16; i++)
		a.b[i] = (uint8_t)rnd();
	return a;
}

static struct sl_pktbuf *rnd_frame(void)
{
	static const uint8_t protos[] = {
		SL_IPPROTO_UDP,	    SL_IPPROTO_TCP,	SL_IPPROTO_ICMP,
		SL_IPPROTO_ICMPV6,  SL_IPPROTO_HOPOPTS, SL_IPPROTO_FRAGMENT,
		SL_IPPROTO_ROUTING, SL_IPPROTO_DSTOPTS, SL_IPPROTO_AH};
	uint16_t port = (uint16_t)(rnd() % H_PORTS);
	unsigned len = rnd() % 3 ? 14 + rnd() % 200 : 14 + rnd() % 1600, kind = rnd() % 4;
	struct sl_pktbuf *p;
	uint8_t *b;

	if (kind == 0) { /* ARP, often well formed */
		p = mk_arp(port, (uint16_t)(1 + rnd() % 2), rnd() % 2 ? bcast : port_mac[port],
			   hmac(port, rnd() % 256), rnd_ip4(), rnd_ip4());
		b = sl_pktbuf_mtod(p, uint8_t *);
		for (unsigned k = rnd() % 4; k; k--)
			b[14 + rnd() % 28] = (uint8_t)rnd();
		if (rnd() % 8 == 0)
			sl_pktbuf_trim(p, (uint16_t)(rnd() % 46));
		return p;
	}
	p = mk_frame(port,
		     kind == 1	 ? SL_ETHER_TYPE_IPV4
		     : kind == 2 ? SL_ETHER_TYPE_IPV6
				 : (uint16_t)rnd(),
		     len);
	b = sl_pktbuf_mtod(p, uint8_t *);
	for (unsigned i = 14; i < len; i++)
		b[i] = (uint8_t)rnd();
	if (rnd() % 8 == 0)
		ETH(p)->dst =
			rnd() % 2 ? bcast : (struct sl_ether_addr){{0x33, 0x33, 0xff, 0, 0, 1}};
	if (kind == 1 && len >= 14 + 20) {
		struct sl_ipv4_hdr *ip = IPH(p);

		ip->version_ihl = rnd() % 4 ? 0x45 : (uint8_t)(0x40 | (rnd() % 16));
		if (rnd() % 4)
			ip->total_length =
				sl_htons((uint16_t)(len - 14 - (rnd() % 3 ? 0 : rnd() % 8)));
		ip->next_proto_id = protos[rnd() % SL_ARRAY_SIZE(protos)];
		ip->time_to_live = (uint8_t)(rnd() % 3 ? 64 : rnd() % 3);
		ip->fragment_offset = rnd() % 4 ? 0 : (uint16_t)rnd();
		ip->src_addr = sl_htonl(rnd_ip4());
		ip->dst_addr = sl_htonl(rnd_ip4());
		if (rnd() % 8 && sl_ipv4_hdr_len(ip) <= len - 14)
			fix4(p);
		if (ip->next_proto_id == SL_IPPROTO_ICMP && len >= 14 + 28 && rnd() % 2) {
			((uint8_t *)L4(p))[0] = (uint8_t)(rnd() % 2 ? 8 : rnd() % 20);
			((uint8_t *)L4(p))[1] = 0;
		}
	} else if (kind == 2 && len >= 14 + 40) {
		struct sl_ipv6_hdr *ip6 = IP6H(p);
		struct in6 s6 = rnd_ip6(), d6 = rnd_ip6();

		ip6->vtc_flow = sl_htonl(rnd() % 8 ? 6u << 28 : rnd());
		if (rnd() % 4)
			ip6->payload_len =
				sl_htons((uint16_t)(len - 54 - (rnd() % 3 ? 0 : rnd() % 8)));
		ip6->proto = protos[rnd() % SL_ARRAY_SIZE(protos)];
		ip6->hop_limits = (uint8_t)(rnd() % 2 ? 255 : rnd() % 3);
		memcpy(ip6->src_addr, s6.b, 16);
		memcpy(ip6->dst_addr, d6.b, 16);
		if (ip6->proto == SL_IPPROTO_ICMPV6 && len >= 14 + 48) {
			uint8_t *ic = L46(p);

			ic[0] = (uint8_t)(rnd() % 2 ? 128 + rnd() % 10 : rnd());
			ic[1] = (uint8_t)(rnd() % 4 ? 0 : rnd());
			if (rnd() % 4 && sl_ntohs(ip6->payload_len) + 54u <= len)
				fix_icmp6(p);
		}
	}
	return p;
}

static void test_random_frames(void **state)
{
	(void)state;
	h_begin();
	h_expect_any_drops();
	for (unsigned round = 0; round < 40; round++) {
		for (unsigned i = 0; i < 100; i++)
			h_send(rnd_frame());
		h_run();
		h_drain_ports();
	}
	assert_int_equal(npkts("h_src-0"), 4000);
	rt_neigh_flush(); /* what waits for neighbours that will never answer */
	h_end();
	usleep(20000); /* the ICMP buckets ran dry: refill them for the next tests */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip6_input_drops),
		cmocka_unit_test(test_ip6_forward),
		cmocka_unit_test(test_ip6_errors),
		cmocka_unit_test(test_ip6_local),
		cmocka_unit_test(test_ip6_icmp_error_not_sent),
		cmocka_unit_test(test_ndp_ns_answered),
		cmocka_unit_test(test_ndp_resolution),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_random_frames),
	};

	return cmocka_run_group_tests(tests, h_setup, h_teardown);
}
