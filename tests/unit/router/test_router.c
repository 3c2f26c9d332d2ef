/* SPDX-License-Identifier: BSD-3-Clause */
/*
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

/* --- eth_input --- */

static void test_eth_input(void **state)
{
	struct sl_pktbuf *p, *tail;

	(void)state;
	h_begin();
	/* shorter than an Ethernet header, and a chained frame */
	p = mk_frame(0, SL_ETHER_TYPE_IPV4, SL_ETHER_HDR_LEN);
	sl_pktbuf_trim(p, 4);
	h_send(p);
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8);
	tail = sl_pktbuf_alloc(rt.pool);
	assert_non_null(tail);
	memset(sl_pktbuf_append(tail, 20), 0, 20);
	assert_int_equal(sl_pktbuf_chain(p, tail), 0);
	h_send(p);
	h_expect_drop("drop_eth_truncated", 1);
	h_expect_drop("drop_eth_chained", 1);
	/* unicast for another MAC */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8);
	ETH(p)->dst = hmac(0, 0x99);
	h_send(p);
	h_expect_drop("drop_eth_other_host", 1);
	/* 802.1Q and 802.1ad tags */
	h_send(mk_frame(0, SL_ETHER_TYPE_VLAN, 64));
	h_send(mk_frame(0, SL_ETHER_TYPE_QINQ, 64));
	h_expect_drop("drop_eth_vlan", 2);
	/* LLDP to its group address, and an 802.3 length field */
	p = mk_frame(0, 0x88cc, 64);
	ETH(p)->dst = (struct sl_ether_addr){{0x01, 0x80, 0xc2, 0, 0, 0x0e}};
	h_send(p);
	h_send(mk_frame(0, 46, 60));
	h_expect_drop("drop_eth_unknown_type", 2);
	h_run();
	assert_int_equal(npkts("eth_input"), 7);

	/* an interface that is down, and a port with no interface */
	iface_set(0, false, 1500);
	h_send(mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8));
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8);
	p->port = 7;
	h_send(p);
	h_run();
	iface_set(0, true, 1500);
	h_expect_drop("drop_iface_down", 2);
	/* up again: answered */
	h_send(mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8));
	h_run();
	h_free(h_rx_one(0));
	h_end();
}

/* --- ARP --- */

static struct sl_arp_hdr *check_arp(struct sl_pktbuf *p, struct sl_ether_addr dst, uint16_t port,
				    uint16_t op, uint32_t sip, struct sl_ether_addr tha,
				    uint32_t tip)
{
	struct sl_arp_hdr *a = (struct sl_arp_hdr *)(ETH(p) + 1);

	check_eth(p, dst, port, SL_ETHER_TYPE_ARP);
	assert_int_equal(p->pkt_len, SL_ETHER_MIN_LEN);
	assert_int_equal(sl_ntohs(a->hrd), SL_ARP_HRD_ETHER);
	assert_int_equal(sl_ntohs(a->pro), SL_ETHER_TYPE_IPV4);
	assert_int_equal(a->hln, 6);
	assert_int_equal(a->pln, 4);
	assert_int_equal(sl_ntohs(a->op), op);
	assert_memory_equal(a->data.sha.bytes, port_mac[port].bytes, 6);
	assert_int_equal(sl_ntohl(a->data.sip), sip);
	assert_memory_equal(a->data.tha.bytes, tha.bytes, 6);
	assert_int_equal(sl_ntohl(a->data.tip), tip);
	return a;
}

static const struct sl_ether_addr zero_mac;

static void test_arp_malformed(void **state)
{
	struct sl_pktbuf *p;
	struct sl_arp_hdr *a;

	(void)state;
	h_begin();
	for (int i = 0; i < 6; i++) {
		p = mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 7), IP4(10, 0, 0, 7),
			   IP4(10, 0, 0, 1));
		a = (struct sl_arp_hdr *)(ETH(p) + 1);
		switch (i) {
		case 0: /* one byte short of an ARP header */
			sl_pktbuf_trim(p, (uint16_t)(p->pkt_len - (SL_ETHER_HDR_LEN + 27)));
			break;
		case 1:
			a->hrd = sl_htons(6); /* IEEE 802 */
			break;
		case 2:
			a->pro = sl_htons(SL_ETHER_TYPE_IPV6);
			break;
		case 3:
			a->hln = 8;
			break;
		case 4:
			a->pln = 16;
			break;
		case 5:
			a->op = sl_htons(3); /* RARP request */
			break;
		}
		h_send(p);
	}
	h_run();
	h_expect_drop("drop_arp_malformed", 6);
	assert_int_equal(npkts("punt"), 0);
	assert_int_equal(cdelta("arp_rx_request"), 0);
	assert_int_equal(neigh4_id("10.0.0.7", 0), 0);
	h_end();
}

static void test_arp_request_answered_and_learned(void **state)
{
	struct sl_ether_addr mac;
	struct sl_pktbuf *p;
	uint32_t id;

	(void)state;
	h_begin();
	/* a request for our address: answered from our MAC, the asker learned */
	h_send(mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 7), IP4(10, 0, 0, 7), IP4(10, 0, 0, 1)));
	h_run();
	p = h_rx_one(0);
	check_arp(p, hmac(0, 7), 0, SL_ARP_OP_REPLY, IP4(10, 0, 0, 1), hmac(0, 7),
		  IP4(10, 0, 0, 7));
	h_free(p);
	assert_int_equal(cdelta("arp_rx_request"), 1);
	assert_int_equal(cdelta("arp_tx_reply"), 1);
	id = neigh4_id("10.0.0.7", 0);
	assert_true(id != 0);
	assert_int_equal(nh_state(id), RT_NS_REACHABLE);
	rt_link_mac(rt.nh[id].link, mac.bytes);
	assert_memory_equal(mac.bytes, hmac(0, 7).bytes, 6);
	assert_int_equal(rt.nh[id].port, 0);

	/* traffic to it goes straight out, no request */
	h_send(mk_udp4(1, IP4(10, 1, 0, 2), IP4(10, 0, 0, 7), 1000, 2000, 64, 20));
	h_run();
	p = h_rx_one(0);
	check_ip4(p, hmac(0, 7), 0, IP4(10, 1, 0, 2), IP4(10, 0, 0, 7), SL_IPPROTO_UDP);
	assert_int_equal(IPH(p)->time_to_live, 63);
	h_free(p);
	assert_int_equal(cdelta("arp_tx_request"), 0);

	/* a request for an address that is not ours: no answer, nothing learned */
	h_send(mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 8), IP4(10, 0, 0, 8),
		      IP4(10, 0, 0, 99)));
	/* from a bad sender: our own address, a group MAC */
	h_send(mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 9), IP4(10, 0, 0, 1), IP4(10, 0, 0, 1)));
	p = mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 9), IP4(10, 0, 0, 9), IP4(10, 0, 0, 1));
	((struct sl_arp_hdr *)(ETH(p) + 1))->data.sha.bytes[0] = 0x01;
	h_send(p);
	h_run();
	assert_int_equal(cdelta("arp_not_ours"), 1);
	assert_int_equal(cdelta("arp_bad_sender"), 2);
	assert_int_equal(cdelta("arp_tx_reply"), 1);
	assert_int_equal(neigh4_id("10.0.0.8", 0), 0);
	assert_int_equal(neigh4_id("10.0.0.9", 0), 0);
	assert_int_equal(npkts("punt"), 4);
	h_end();
}

static void test_arp_resolution(void **state)
{
	struct sl_pktbuf *p;
	struct snap orig;
	uint32_t id;

	(void)state;
	h_begin();
	/* a host on a connected subnet nobody resolved: held, a request goes out */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 5), 1000, 53, 64, 40);
	orig = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(2);
	check_arp(p, bcast, 2, SL_ARP_OP_REQUEST, IP4(10, 2, 0, 1), zero_mac, IP4(10, 2, 0, 5));
	h_free(p);
	id = neigh4_id("10.2.0.5", 2);
	assert_true(id != 0);
	assert_int_equal(nh_state(id), RT_NS_INCOMPLETE);
	assert_int_equal(cdelta("arp_tx_request"), 1);

	/* the answer releases it, to the MAC it gave, TTL decremented once */
	h_send(mk_arp(2, SL_ARP_OP_REPLY, port_mac[2], hmac(2, 5), IP4(10, 2, 0, 5),
		      IP4(10, 2, 0, 1)));
	h_run();
	assert_int_equal(nh_state(id), RT_NS_REACHABLE);
	assert_int_equal(cdelta("neigh_resolved"), 1);
	p = h_rx_one(2);
	check_ip4(p, hmac(2, 5), 2, IP4(10, 0, 0, 2), IP4(10, 2, 0, 5), SL_IPPROTO_UDP);
	assert_int_equal(IPH(p)->time_to_live, 63);
	assert_int_equal(sl_ipv4_udptcp_cksum_verify(IPH(p), L4(p)), 0);
	assert_memory_equal(L4(p), orig.b + 20, orig.len - 20);
	h_free(p);

	/* the next packet finds the host route: no punt */
	uint64_t punts = npkts("punt");

	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 5), 1000, 53, 64, 40));
	h_run();
	assert_int_equal(npkts("punt"), punts);
	p = h_rx_one(2);
	check_ip4(p, hmac(2, 5), 2, IP4(10, 0, 0, 2), IP4(10, 2, 0, 5), SL_IPPROTO_UDP);
	h_free(p);

	/* a gateway nobody resolved yet (ip4_rewrite punts) */
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(100, 66, 1, 1), 1000, 53, 30, 40));
	h_run();
	p = h_rx_one(2);
	check_arp(p, bcast, 2, SL_ARP_OP_REQUEST, IP4(10, 2, 0, 1), zero_mac, IP4(10, 2, 0, 3));
	h_free(p);
	h_send(mk_arp(2, SL_ARP_OP_REPLY, port_mac[2], hmac(2, 3), IP4(10, 2, 0, 3),
		      IP4(10, 2, 0, 1)));
	h_run();
	p = h_rx_one(2);
	check_ip4(p, hmac(2, 3), 2, IP4(10, 0, 0, 2), IP4(100, 66, 1, 1), SL_IPPROTO_UDP);
	assert_int_equal(IPH(p)->time_to_live, 29);
	h_free(p);
	assert_int_equal(cdelta("arp_tx_request"), 2);
	h_end();
}

static void test_arp_unsolicited_and_hold_full(void **state)
{
	struct sl_pktbuf *out[32];
	unsigned n;

	(void)state;
	h_begin();
	/* a reply nobody asked for: counted, not learned */
	h_send(mk_arp(2, SL_ARP_OP_REPLY, port_mac[2], hmac(2, 0x66), IP4(10, 2, 0, 66),
		      IP4(10, 2, 0, 1)));
	h_run();
	assert_int_equal(cdelta("neigh_unsolicited"), 1);
	assert_int_equal(neigh4_id("10.2.0.66", 2), 0);
	assert_int_equal(cdelta("arp_rx_reply"), 1);

	/* 20 packets for a resolving host: RT_HOLD_MAX held, the others counted */
	for (unsigned i = 0; i < RT_HOLD_MAX + 4; i++)
		h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 6), (uint16_t)(2000 + i), 53, 64,
			       10));
	h_run();
	assert_int_equal(cdelta("neigh_hold_full"), 4);
	assert_int_equal(cdelta("arp_tx_request"), 1);
	h_free(h_rx_one(2)); /* the one request */
	h_send(mk_arp(2, SL_ARP_OP_REPLY, port_mac[2], hmac(2, 6), IP4(10, 2, 0, 6),
		      IP4(10, 2, 0, 1)));
	h_run();
	n = h_rx(2, out, 32);
	assert_int_equal(n, RT_HOLD_MAX);
	for (unsigned i = 0; i < n; i++) {
		check_ip4(out[i], hmac(2, 6), 2, IP4(10, 0, 0, 2), IP4(10, 2, 0, 6),
			  SL_IPPROTO_UDP);
		/* in the order they came */
		assert_int_equal(sl_ntohs(((struct sl_udp_hdr *)L4(out[i]))->src_port), 2000 + i);
	}
	h_free_n(out, n);
	h_end();
}

/* The neighbour table at its limit (--neigh-max): packets for hosts it cannot hold are
 * dropped and counted, the hosts it holds are resolved, forwarding goes on. */
static void test_neigh_table_full(void **state)
{
	unsigned saved = rt_neigh_max;
	struct sl_pktbuf *out[8];
	unsigned n;

	(void)state;
	h_begin();
	rt_neigh_max = rt_neigh_count() + 2;
	for (unsigned i = 0; i < 5; i++)
		h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, (uint8_t)(100 + i)), 1, 2, 64,
			       10));
	h_run();
	assert_int_equal(cdelta("neigh_table_full"), 3);
	assert_int_equal(cdelta("arp_tx_request"), 2);
	assert_int_equal(rt_neigh_count(), rt_neigh_max);
	n = h_rx(2, out, 8);
	assert_int_equal(n, 2); /* the two requests */
	h_free_n(out, n);
	/* the first two answer: their packets go out */
	for (unsigned i = 0; i < 2; i++)
		h_send(mk_arp(2, SL_ARP_OP_REPLY, port_mac[2], hmac(2, (uint8_t)(100 + i)),
			      IP4(10, 2, 0, (uint8_t)(100 + i)), IP4(10, 2, 0, 1)));
	h_run();
	n = h_rx(2, out, 8);
	assert_int_equal(n, 2);
	h_free_n(out, n);
	rt_neigh_flush();
	rt_neigh_max = saved;
	h_end();
}

/* No answer: RT_ARP_RETRIES requests a second apart, then the held packet comes back as
 * host unreachable; the same for NDP (neighbour solicitations, address unreachable). */
static void test_neigh_failure(void **state)
{
	struct sl_pktbuf *p, *err4 = NULL, *err6 = NULL, *out[8];
	struct in6 src6 = A6("2001:db8::2"), dst6 = A6("2001:db8:2::9");
	unsigned arps = 0, nss = 0;
	struct snap o4, o6;
	uint64_t t0, t;

	(void)state;
	h_begin();
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 9), 1000, 53, 64, 30);
	o4 = snap_ip(p);
	h_send(p);
	p = mk_udp6(0, src6, dst6, 1000, 53, 64, 30);
	o6 = snap_ip(p);
	h_send(p);
	t0 = now_ms();
	while ((!err4 || !err6) && now_ms() - t0 < 8000) {
		unsigned n;

		h_run();
		n = h_rx(2, out, 8);
		for (unsigned i = 0; i < n; i++) {
			if (sl_ntohs(ETH(out[i])->ether_type) == SL_ETHER_TYPE_ARP) {
				check_arp(out[i], bcast, 2, SL_ARP_OP_REQUEST, IP4(10, 2, 0, 1),
					  zero_mac, IP4(10, 2, 0, 9));
				arps++;
			} else {
				struct sl_ether_addr m;
				struct in6 grp = sol_node(dst6, &m);

				check_ip6(out[i], m, 2, port_ll[2], grp, SL_IPPROTO_ICMPV6);
				assert_int_equal(((uint8_t *)L46(out[i]))[0],
						 SL_ICMP6_NEIGH_SOLICIT);
				nss++;
			}
		}
		h_free_n(out, n);
		n = h_rx(0, out, 8);
		for (unsigned i = 0; i < n; i++) {
			uint16_t type = sl_ntohs(ETH(out[i])->ether_type);

			if (type == SL_ETHER_TYPE_IPV4 && !err4)
				err4 = out[i];
			else if (type == SL_ETHER_TYPE_IPV6 && !err6)
				err6 = out[i];
			else
				fail_msg("unexpected frame on port 0");
		}
		usleep(5000);
	}
	t = now_ms() - t0;
	assert_non_null(err4);
	assert_non_null(err6);
	/* three tries a second apart, then failed */
	assert_true(t >= RT_ARP_RETRIES * RT_ARP_RETRY_MS - 100);
	assert_true(t < RT_ARP_RETRIES * RT_ARP_RETRY_MS + 2500); /* a loaded machine */
	assert_int_equal(arps, RT_ARP_RETRIES);
	assert_int_equal(nss, RT_ARP_RETRIES);
	check_icmp4_error(err4, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 1, 0, &o4);
	check_icmp6_error(err6, hmac(0, 2), 0, A6("2001:db8::1"), src6, 1, 3, 0, &o6);
	h_free(err4);
	h_free(err6);
	assert_int_equal(cdelta("neigh_failed"), 2);
	assert_int_equal(nh_state(neigh4_id("10.2.0.9", 2)), RT_NS_FAILED);
	assert_int_equal(nh_state(neigh6_id("2001:db8:2::9", 2)), RT_NS_FAILED);

	/* while failed, more packets get the error at once, without a request */
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 9), 1000, 53, 64, 30));
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 1, 0, &o4);
	h_free(p);
	assert_int_equal(cdelta("arp_tx_request"), RT_ARP_RETRIES);
	h_end();
}

/* --- ip4_input --- */

static void test_ip4_input_drops(void **state)
{
	static const uint32_t martians[] = {IP4(127, 0, 0, 1), IP4(0, 0, 0, 5), IP4(224, 0, 0, 1),
					    IP4(240, 0, 0, 1), IP4(255, 255, 255, 255)};
	static const uint32_t groups[] = {IP4(224, 0, 0, 5), IP4(239, 1, 1, 1),
					  IP4(255, 255, 255, 255)};
	const uint32_t c = IP4(10, 0, 0, 2), far = IP4(192, 0, 2, 10);
	struct sl_pktbuf *p;

	(void)state;
	h_begin();
	/* truncated: 10 bytes of IPv4; an IHL of 6 in a 20-byte packet */
	p = mk_frame(0, SL_ETHER_TYPE_IPV4, SL_ETHER_HDR_LEN + 10);
	sl_pktbuf_mtod_offset(p, uint8_t *, SL_ETHER_HDR_LEN)[0] = 0x45;
	h_send(p);
	p = mk_ip4(0, c, far, SL_IPPROTO_UDP, 64, 0);
	IPH(p)->version_ihl = 0x46;
	fix4(p);
	h_send(p);
	h_expect_drop("drop_ip4_truncated", 2);
	/* version 6 in an IPv4 frame */
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	IPH(p)->version_ihl = 0x65;
	h_send(p);
	h_expect_drop("drop_ip4_bad_version", 1);
	/* IHL 4 */
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	IPH(p)->version_ihl = 0x44;
	fix4(p);
	h_send(p);
	h_expect_drop("drop_ip4_bad_hdr_len", 1);
	/* checksum */
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	IPH(p)->hdr_checksum ^= sl_htons(1);
	h_send(p);
	/* the port's verdict: bad is dropped even when the sum is right; good is trusted */
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	p->ol_flags |= SL_PKT_RX_IP_CKSUM_BAD;
	h_send(p);
	h_expect_drop("drop_ip4_bad_checksum", 2);
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	IPH(p)->hdr_checksum ^= sl_htons(1);
	p->ol_flags |= SL_PKT_RX_IP_CKSUM_GOOD;
	h_send(p);
	/* total length beyond the frame, and below the header */
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	IPH(p)->total_length = sl_htons(20 + 8 + 8 + 1);
	fix4(p);
	h_send(p);
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	IPH(p)->total_length = sl_htons(19);
	fix4(p);
	h_send(p);
	h_expect_drop("drop_ip4_bad_length", 2);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(martians); i++)
		h_send(mk_udp4(0, martians[i], far, 1, 2, 64, 8));
	h_expect_drop("drop_ip4_martian_src", SL_ARRAY_SIZE(martians));
	for (unsigned i = 0; i < SL_ARRAY_SIZE(groups); i++)
		h_send(mk_udp4(0, c, groups[i], 1, 2, 64, 8));
	h_expect_drop("drop_ip4_multicast", SL_ARRAY_SIZE(groups));
	/* unicast in a broadcast frame, and in a multicast frame */
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	ETH(p)->dst = bcast;
	h_send(p);
	p = mk_udp4(0, c, far, 1, 2, 64, 8);
	ETH(p)->dst = (struct sl_ether_addr){{0x01, 0x00, 0x5e, 0, 0, 1}};
	h_send(p);
	h_expect_drop("drop_ip4_l2_broadcast", 2);
	h_run();
	assert_int_equal(npkts("ip4_input"), 2 + 1 + 1 + 3 + 2 + 5 + 3 + 2);
	assert_int_equal(npkts("ip4_lookup"), 1); /* the one whose checksum the port vouched for */
	p = h_rx_one(1);
	check_eth(p, hmac(1, 2), 1, SL_ETHER_TYPE_IPV4);
	h_free(p);
	h_end();
}

static void test_ip4_padding_trimmed(void **state)
{
	struct sl_pktbuf *p;

	(void)state;
	h_begin();
	/* an echo request of 28 bytes in a 60-byte frame: the reply is 28 bytes of IPv4 */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 0);
	memset(sl_pktbuf_append(p, 18), 0xaa, 18);
	h_send(p);
	/* forwarded likewise */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 64, 0);
	memset(sl_pktbuf_append(p, 18), 0xaa, 18);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_ip4(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), SL_IPPROTO_ICMP);
	assert_int_equal(p->pkt_len, SL_ETHER_HDR_LEN + 28);
	assert_int_equal(sl_cksum(L4(p), 8), 0);
	h_free(p);
	p = h_rx_one(1);
	check_ip4(p, hmac(1, 2), 1, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), SL_IPPROTO_UDP);
	assert_int_equal(p->pkt_len, SL_ETHER_HDR_LEN + 28);
	h_free(p);
	h_end();
}

/* --- ip4_lookup, ip4_rewrite --- */

/* The forwarded copy of orig: the same bytes but TTL one less (checksum valid). */
static void check_forwarded4(struct sl_pktbuf *p, const struct snap *orig)
{
	const uint8_t *ip = (const uint8_t *)IPH(p);

	assert_int_equal(p->pkt_len - SL_ETHER_HDR_LEN, orig->len);
	assert_int_equal(ip[8], orig->b[8] - 1);
	assert_memory_equal(ip, orig->b, 8);
	assert_int_equal(ip[9], orig->b[9]);
	assert_memory_equal(ip + 12, orig->b + 12, orig->len - 12);
	assert_int_equal(sl_ipv4_cksum_verify(IPH(p)), 0);
}

static void test_ip4_forward(void **state)
{
	struct sl_pktbuf *p;
	struct snap orig;

	(void)state;
	h_begin();
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1000, 53, 64, 100);
	orig = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(1);
	check_ip4(p, hmac(1, 2), 1, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), SL_IPPROTO_UDP);
	check_forwarded4(p, &orig);
	assert_int_equal(IPH(p)->time_to_live, 63);
	assert_int_equal(sl_ipv4_udptcp_cksum_verify(IPH(p), L4(p)), 0);
	h_free(p);

	/* TTL 2 leaves with 1; the MTU exactly, with DF, passes */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1000, 53, 2, 100);
	orig = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(1);
	check_forwarded4(p, &orig);
	assert_int_equal(IPH(p)->time_to_live, 1);
	h_free(p);
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1000, 53, 64, 1500 - 28);
	IPH(p)->fragment_offset = sl_htons(SL_IPV4_HDR_DF_FLAG);
	fix4(p);
	orig = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(1);
	check_forwarded4(p, &orig);
	h_free(p);
	assert_int_equal(npkts("ip4_rewrite"), 3);
	assert_int_equal(npkts(SL_GRAPH_PORT_TX), 3);
	h_end();
}

static void test_ip4_ecmp(void **state)
{
	struct sl_pktbuf *out[80];
	unsigned n1, n2, first;

	(void)state;
	h_begin();
	/* 64 flows spread over both gateways */
	for (unsigned i = 0; i < 64; i++)
		h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(198, 51, 100, 7), (uint16_t)(10000 + i), 80,
			       64, 20));
	h_run();
	n1 = h_rx(1, out, 80);
	for (unsigned i = 0; i < n1; i++)
		check_ip4(out[i], hmac(1, 2), 1, IP4(10, 0, 0, 2), IP4(198, 51, 100, 7),
			  SL_IPPROTO_UDP);
	h_free_n(out, n1);
	n2 = h_rx(2, out, 80);
	for (unsigned i = 0; i < n2; i++)
		check_ip4(out[i], hmac(2, 2), 2, IP4(10, 0, 0, 2), IP4(198, 51, 100, 7),
			  SL_IPPROTO_UDP);
	h_free_n(out, n2);
	assert_int_equal(n1 + n2, 64);
	assert_true(n1 >= 8 && n2 >= 8);

	/* one flow keeps to one gateway */
	for (unsigned i = 0; i < 8; i++)
		h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(198, 51, 100, 7), 12345, 80, 64, 20));
	h_run();
	n1 = h_rx(1, out, 80);
	h_free_n(out, n1);
	n2 = h_rx(2, out, 80);
	h_free_n(out, n2);
	first = n1 ? n1 : n2;
	assert_int_equal(first, 8);
	assert_true(n1 == 0 || n2 == 0);
	h_end();
}

static void test_ip4_blackhole_reject_noroute(void **state)
{
	struct sl_pktbuf *p;
	struct snap o1, o2;

	(void)state;
	h_begin();
	for (int i = 0; i < 3; i++)
		h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(100, 64, 1, 1), 1, 2, 64, 20));
	h_run();
	h_expect_drop("drop_ip4_blackhole", 3);
	/* reject: host unreachable; no route: net unreachable */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(100, 65, 1, 1), 1, 2, 64, 20);
	o1 = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 1, 0, &o1);
	h_free(p);
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(8, 8, 8, 8), 1, 2, 64, 20);
	o2 = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 0, 0, &o2);
	h_free(p);
	/* the error's source is the address of the interface the packet came in on */
	p = mk_udp4(1, IP4(10, 1, 0, 2), IP4(8, 8, 8, 8), 1, 2, 64, 20);
	o2 = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(1);
	check_icmp4_error(p, hmac(1, 2), 1, IP4(10, 1, 0, 1), IP4(10, 1, 0, 2),
			  SL_ICMP_DEST_UNREACH, 0, 0, &o2);
	h_free(p);
	h_end();
}

static void test_ip4_ttl_exceeded(void **state)
{
	struct sl_pktbuf *p;
	struct snap o;

	(void)state;
	h_begin();
	for (uint8_t ttl = 0; ttl <= 1; ttl++) {
		p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 33434, 33435, ttl, 32);
		o = snap_ip(p);
		h_send(p);
		h_run();
		p = h_rx_one(0);
		/* the quoted header is the one that arrived: TTL and checksum untouched */
		check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
				  SL_ICMP_TIME_EXCEEDED, 0, 0, &o);
		assert_int_equal(((struct sl_ipv4_hdr *)((uint8_t *)L4(p) + 8))->time_to_live, ttl);
		h_free(p);
	}
	assert_int_equal(npkts(SL_GRAPH_PORT_TX), 2);
	assert_int_equal(npkts("ip4_icmp_error"), 2);
	h_end();
}

static void test_ip4_mtu(void **state)
{
	struct sl_pktbuf *p;
	struct snap o;

	(void)state;
	h_begin();
	/* DF and one byte over: fragmentation needed with the next-hop MTU, 576 bytes */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 64, 1501 - 28);
	IPH(p)->fragment_offset = sl_htons(SL_IPV4_HDR_DF_FLAG);
	fix4(p);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 4, 1500, &o);
	assert_int_equal(sl_ntohs(IPH(p)->total_length), 576);
	h_free(p);
	/* a smaller MTU on the egress */
	iface_set(1, true, 1400);
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 64, 1401 - 28);
	IPH(p)->fragment_offset = sl_htons(SL_IPV4_HDR_DF_FLAG);
	fix4(p);
	o = snap_ip(p);
	h_send(p);
	/* without DF: dropped, the router does not fragment */
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 64, 1401 - 28));
	h_run();
	iface_set(1, true, 1500);
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 4, 1400, &o);
	h_free(p);
	h_expect_drop("drop_ip4_frag_unsupported", 1);
	assert_int_equal(h_rx(1, &p, 1), 0);
	h_end();
}

static void test_ip4_egress_down(void **state)
{
	struct sl_pktbuf *p;

	(void)state;
	h_begin();
	iface_set(1, false, 1500);
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 64, 20));
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(198, 51, 100, 1), 1, 2, 64, 20));
	h_run();
	iface_set(1, true, 1500);
	h_expect_drop("drop_ip4_egress_down", 1);
	/* the ECMP flow either left by port 2 or hit port 1 down */
	if (h_rx(2, &p, 1) == 1)
		h_free(p);
	else
		h_expect_drop("drop_ip4_egress_down", 1);
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 64, 20));
	h_run();
	h_free(h_rx_one(1));
	h_end();
}

/* --- ip4_local --- */

static void test_ip4_local(void **state)
{
	struct sl_pktbuf *p;
	struct snap o;

	(void)state;
	h_begin();
	/* echo request: the reply from the address asked, TTL 64, checksums valid */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 5, 56);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_ip4(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), SL_IPPROTO_ICMP);
	assert_int_equal(IPH(p)->time_to_live, 64);
	assert_int_equal(p->pkt_len - SL_ETHER_HDR_LEN, o.len);
	assert_int_equal(((struct sl_icmp_hdr *)L4(p))->icmp_type, SL_ICMP_ECHO_REPLY);
	assert_int_equal(((struct sl_icmp_hdr *)L4(p))->icmp_code, 0);
	assert_int_equal(sl_cksum(L4(p), o.len - 20), 0);
	assert_memory_equal((uint8_t *)L4(p) + 4, o.b + 24, o.len - 24); /* id, seq, data */
	h_free(p);
	/* to another interface's address: answered from that one */
	h_send(mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 1), 64, 8));
	h_run();
	p = h_rx_one(0);
	check_ip4(p, hmac(0, 2), 0, IP4(10, 2, 0, 1), IP4(10, 0, 0, 2), SL_IPPROTO_ICMP);
	h_free(p);

	/* UDP: port unreachable */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 5000, 33434, 64, 12);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 3, 0, &o);
	h_free(p);

	/* TCP, another protocol */
	h_send(mk_ip4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), SL_IPPROTO_TCP, 64, 20));
	h_send(mk_ip4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), SL_IPPROTO_GRE, 64, 20));
	h_expect_drop("drop_ip4_local_proto", 2);
	/* fragments: first (MF) and later ones */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8);
	IPH(p)->fragment_offset = sl_htons(SL_IPV4_HDR_MF_FLAG);
	fix4(p);
	h_send(p);
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8);
	IPH(p)->fragment_offset = sl_htons(100);
	fix4(p);
	h_send(p);
	h_expect_drop("drop_ip4_local_fragment", 2);
	/* ICMP checksum wrong; ICMP shorter than its header */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 8);
	((struct sl_icmp_hdr *)L4(p))->icmp_cksum ^= 0x100;
	h_send(p);
	h_send(mk_ip4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), SL_IPPROTO_ICMP, 64, 4));
	h_expect_drop("drop_icmp_bad", 2);
	/* ICMP other than echo request: a timestamp request, an echo reply */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 12);
	((struct sl_icmp_hdr *)L4(p))->icmp_type = 13;
	((struct sl_icmp_hdr *)L4(p))->icmp_cksum = 0;
	((struct sl_icmp_hdr *)L4(p))->icmp_cksum = sl_cksum(L4(p), 20);
	h_send(p);
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), 64, 12);
	((struct sl_icmp_hdr *)L4(p))->icmp_type = SL_ICMP_ECHO_REPLY;
	((struct sl_icmp_hdr *)L4(p))->icmp_cksum = 0;
	((struct sl_icmp_hdr *)L4(p))->icmp_cksum = sl_cksum(L4(p), 20);
	h_send(p);
	h_expect_drop("drop_ip4_local_icmp", 2);
	h_run();
	assert_int_equal(npkts("ip4_local"), 3 + 8);
	h_end();
}

/* --- ip4_icmp_error --- */

/* An IPv4 packet (no Ethernet header) as the control thread injects it. */
static struct sl_pktbuf *mk_inject4(uint32_t src, uint32_t dst, uint16_t iface, uint8_t flags)
{
	struct sl_pktbuf *p = mk_udp4(iface, src, dst, 1, 2, 64, 20);

	sl_pktbuf_adj(p, SL_ETHER_HDR_LEN);
	*rt_meta(p) = (struct rt_meta){.iface = iface, .flags = flags};
	return p;
}

static void test_ip4_icmp_error_not_sent(void **state)
{
	struct sl_pktbuf *p;
	struct snap o;

	(void)state;
	h_begin();
	/* about an ICMP error (time exceeded in transit, TTL 1): none */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 28);
	((struct sl_icmp_hdr *)L4(p))->icmp_type = SL_ICMP_DEST_UNREACH;
	((struct sl_icmp_hdr *)L4(p))->icmp_cksum = 0;
	((struct sl_icmp_hdr *)L4(p))->icmp_cksum = sl_cksum(L4(p), 36);
	h_send(p);
	/* about an echo request (not an error): sent */
	p = mk_echo4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 28);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_TIME_EXCEEDED, 0, 0, &o);
	h_free(p);
	h_expect_drop("drop_icmp_not_sent", 1);

	/* about a non-first fragment: none; about a first fragment: sent */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 1, 40);
	IPH(p)->fragment_offset = sl_htons(185);
	fix4(p);
	h_send(p);
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 1, 40);
	IPH(p)->fragment_offset = sl_htons(SL_IPV4_HDR_MF_FLAG);
	fix4(p);
	o = snap_ip(p);
	h_send(p);
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_TIME_EXCEEDED, 0, 0, &o);
	h_free(p);
	h_expect_drop("drop_icmp_not_sent", 1);

	/* the router's own error that cannot be routed: not answered again */
	h_send(mk_udp4(0, IP4(172, 16, 0, 1), IP4(192, 0, 2, 10), 1, 2, 1, 20));
	h_run();
	assert_int_equal(npkts("ip4_icmp_error"), 6);
	h_expect_drop("drop_icmp_not_sent", 1);

	/* held packets the control thread sends back as host unreachable (the only way a
	 * martian source reaches ip4_icmp_error: ip4_input drops them) */
	assert_int_equal(
		rt_inject(mk_inject4(IP4(127, 0, 0, 1), IP4(10, 2, 0, 40), 0, RT_M_HOST_UNREACH),
			  RT_INJ_IP4_ERROR),
		0);
	assert_int_equal(
		rt_inject(mk_inject4(IP4(0, 0, 0, 0), IP4(10, 2, 0, 40), 0, RT_M_HOST_UNREACH),
			  RT_INJ_IP4_ERROR),
		0);
	assert_int_equal(
		rt_inject(mk_inject4(IP4(224, 1, 2, 3), IP4(10, 2, 0, 40), 0, RT_M_HOST_UNREACH),
			  RT_INJ_IP4_ERROR),
		0);
	h_expect_drop("drop_icmp_not_sent", 3);
	p = mk_inject4(IP4(10, 0, 0, 2), IP4(10, 2, 0, 40), 0, RT_M_HOST_UNREACH);
	o.len = p->pkt_len;
	memcpy(o.b, sl_pktbuf_mtod(p, uint8_t *), o.len);
	assert_int_equal(rt_inject(p, RT_INJ_IP4_ERROR), 0);
	h_run();
	p = h_rx_one(0);
	check_icmp4_error(p, hmac(0, 2), 0, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2),
			  SL_ICMP_DEST_UNREACH, 1, 0, &o);
	h_free(p);
	h_end();
}

static void test_ip4_icmp_rate_limit(void **state)
{
	struct sl_pktbuf *out[32];
	unsigned n;

	(void)state;
	usleep(10000); /* earlier tests' errors: the bucket refilled */
	h_begin();
	rt.icmp_rate = 5;
	for (unsigned i = 0; i < 20; i++)
		h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(8, 8, 8, 8), (uint16_t)i, 2, 64, 20));
	h_run();
	rt.icmp_rate = 1000;
	n = h_rx(0, out, 32);
	assert_int_equal(n, 5);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(((struct sl_icmp_hdr *)L4(out[i]))->icmp_type,
				 SL_ICMP_DEST_UNREACH);
	h_free_n(out, n);
	h_expect_drop("drop_icmp_rate_limit", 15);
	h_end();
	usleep(20000); /* refill for the next tests */
}

/* --- port_tx, inject, punt --- */

static void test_tx_full(void **state)
{
	struct sl_pktbuf *out[64];
	unsigned n;

	(void)state;
	h_begin();
	/* port 3's ring holds 16 frames */
	for (unsigned i = 0; i < 40; i++)
		h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(203, 0, 113, 5), (uint16_t)i, 2, 64, 20));
	h_run();
	n = h_rx(3, out, 64);
	assert_int_equal(n, 16);
	for (unsigned i = 0; i < n; i++)
		check_ip4(out[i], hmac(3, 2), 3, IP4(10, 0, 0, 2), IP4(203, 0, 113, 5),
			  SL_IPPROTO_UDP);
	h_free_n(out, n);
	h_expect_drop("drop_tx_full", 24);
	h_end();
}

static void test_inject_bad_and_no_headroom(void **state)
{
	struct sl_pktbuf *p;

	(void)state;
	h_begin();
	/* an entry the inject node does not know */
	p = mk_inject4(IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 0, 0);
	assert_int_equal(rt_inject(p, 77), 0);
	h_expect_drop("drop_inject_bad", 1);
	/* a packet for ip4_rewrite / ip6_rewrite with no room for an Ethernet header */
	p = mk_udp4(0, IP4(10, 0, 0, 2), IP4(192, 0, 2, 10), 1, 2, 64, 20);
	sl_pktbuf_adj(p, SL_ETHER_HDR_LEN);
	memmove(p->buf_addr, sl_pktbuf_mtod(p, void *), p->data_len);
	p->data_off = 0;
	*rt_meta(p) = (struct rt_meta){.nh = neigh4_id("10.1.0.2", 1), .iface = 0};
	assert_true(rt_meta(p)->nh != 0);
	assert_int_equal(rt_inject(p, RT_INJ_IP4_OUTPUT), 0);
	p = mk_udp6(0, A6("2001:db8::2"), A6("2001:db8:100::1"), 1, 2, 64, 20);
	sl_pktbuf_adj(p, SL_ETHER_HDR_LEN);
	memmove((uint8_t *)p->buf_addr + 8, sl_pktbuf_mtod(p, void *), p->data_len);
	p->data_off = 8;
	*rt_meta(p) = (struct rt_meta){.nh = neigh6_id("2001:db8:1::2", 1), .iface = 0};
	assert_true(rt_meta(p)->nh != 0);
	assert_int_equal(rt_inject(p, RT_INJ_IP6_OUTPUT), 0);
	h_run();
	h_expect_drop("drop_no_headroom", 2);
	h_end();
}

static void test_punt_full(void **state)
{
	struct sl_pktbuf *fill[4096];
	unsigned n = sl_ring_free_count(rt.punt), back;
	struct in6 c6 = A6("2001:db8::2"), r6 = A6("2001:db8::1");
	struct sl_ether_addr m;

	(void)state;
	h_begin();
	assert_true(n <= 4096);
	assert_int_equal(sl_pktbuf_alloc_bulk(rt.pool, fill, n), 0);
	assert_int_equal(sl_ring_mp_enqueue_burst(rt.punt, (void *const *)fill, n, NULL), n);
	/* ARP, NDP, a host to resolve (v4 and v6): all for the control thread */
	h_send(mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 0x30), IP4(10, 0, 0, 0x30),
		      IP4(10, 0, 0, 1)));
	h_send(mk_nd(0, SL_ICMP6_NEIGH_SOLICIT, 0, c6, sol_node(r6, &m), m, r6, &peer0));
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 0x30), 1, 2, 64, 20));
	h_send(mk_udp6(0, c6, A6("2001:db8:2::30"), 1, 2, 64, 20));
	h_walk(false);
	h_expect_drop("drop_punt_full", 4);
	assert_int_equal(npkts("punt"), 4);
	back = sl_ring_sc_dequeue_burst(rt.punt, (void **)fill, n, NULL);
	assert_int_equal(back, n);
	h_free_n(fill, n);
	/* nothing reached the control thread */
	assert_int_equal(neigh4_id("10.2.0.48", 2), 0);
	assert_int_equal(neigh6_id("2001:db8:2::30", 2), 0);
	h_end();
}

/* --- regressions: bugs these tests found --- */

/* arp.c rt_arp_input: an ARP reply for a neighbour being resolved on port 2 arrives on
 * port 0 (to port 0's address).  It must be ignored; the router learns it and sends the
 * held packet out port 2 to the MAC of the host on port 0. */
static void regress_arp_reply_other_port(void **state)
{
	struct sl_pktbuf *p;
	uint32_t id;

	(void)state;
	h_begin();
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 31), 1, 2, 64, 20));
	h_run();
	h_free(h_rx_one(2)); /* the request */
	id = neigh4_id("10.2.0.31", 2);
	h_send(mk_arp(0, SL_ARP_OP_REPLY, port_mac[0], hmac(0, 0x31), IP4(10, 2, 0, 31),
		      IP4(10, 0, 0, 1)));
	h_run();
	unsigned st = nh_state(id);
	struct sl_pktbuf *out[4];
	unsigned n = h_rx(2, out, 4);

	/* clean up before asserting: answer from the right port */
	h_send(mk_arp(2, SL_ARP_OP_REPLY, port_mac[2], hmac(2, 0x31), IP4(10, 2, 0, 31),
		      IP4(10, 2, 0, 1)));
	h_run();
	n += h_rx(2, out + n, (unsigned)(4 - n));
	p = out[0];
	print_message("held packet left port 2 for %02x:%02x:%02x:%02x:%02x:%02x, state %u\n",
		      ETH(p)->dst.bytes[0], ETH(p)->dst.bytes[1], ETH(p)->dst.bytes[2],
		      ETH(p)->dst.bytes[3], ETH(p)->dst.bytes[4], ETH(p)->dst.bytes[5], st);
	assert_int_equal(n, 1);
	assert_memory_equal(ETH(p)->dst.bytes, hmac(2, 0x31).bytes, 6);
	assert_int_equal(st, RT_NS_INCOMPLETE);
	check_ip4(p, hmac(2, 0x31), 2, IP4(10, 0, 0, 2), IP4(10, 2, 0, 31), SL_IPPROTO_UDP);
	h_free_n(out, n);
	h_end();
}

/* arp.c rt_arp_input: a duplicate-address probe (sender 0.0.0.0, RFC 5227) for the
 * router's own address gets no answer, so the prober takes the address. */
static void regress_arp_probe_not_defended(void **state)
{
	struct sl_pktbuf *out[2];
	unsigned n;

	(void)state;
	h_begin();
	h_send(mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 0x40), 0, IP4(10, 0, 0, 1)));
	h_run();
	n = h_rx(0, out, 2);
	h_free_n(out, n);
	assert_int_equal(n, 1);
	h_end();
}

/* nodes_ip4.c icmp4_error: an error about the router's own echo reply (to a source it has
 * no route to) is built and sent to the router itself, where ip4_local drops it as
 * drop_ip4_local_icmp; IPv6 does not build it (drop_ip6_icmp_not_sent). */
static void regress_ip4_error_about_own_reply(void **state)
{
	(void)state;
	h_begin();
	h_send(mk_echo4(0, IP4(172, 16, 0, 1), IP4(10, 0, 0, 1), 64, 8));
	h_run();
	h_expect_drop("drop_icmp_not_sent", 1);
	h_end();
}

/* nodes_ip4.c ip4_check: destinations in 0/8 and 127/8 (RFC 1812 4.2.2.11, 5.3.7: never
 * forwarded) are looked up like any other: with a default route they are forwarded. */
static void regress_ip4_martian_dst_forwarded(void **state)
{
	struct sl_pktbuf *out[4];
	uint8_t any[16] = {0};
	char err[128];
	unsigned n;

	(void)state;
	h_begin();
	route_via(4, "0.0.0.0/0", "10.1.0.2", NULL);
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(127, 0, 0, 1), 1, 2, 64, 20));
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(0, 1, 2, 3), 1, 2, 64, 20));
	h_run();
	h_expect_drop("drop_ip4_martian_dst", 2);
	assert_int_equal(rt_route_del(4, any, 0, err, sizeof(err)), 0);
	n = h_rx(1, out, 4);
	h_free_n(out, n);
	h_drain_ports();
	assert_int_equal(n, 0);
	h_end();
}

/* neigh.c rt_neigh_learn: an ARP request (an unconfirmed hint) from 10.2.0.35, a host on
 * port 2, received on port 0 rewrites its MAC: traffic for 10.2.0.35 then leaves port 2
 * for the MAC of a host on port 0.  (The same for NS/NA: ndp.c calls the same function.) */
static void regress_neigh_poisoned_from_other_port(void **state)
{
	struct sl_ether_addr mac;
	struct sl_pktbuf *p;
	uint32_t id;

	(void)state;
	h_begin();
	/* 10.2.0.35 asks for us on port 2: learned there */
	h_send(mk_arp(2, SL_ARP_OP_REQUEST, bcast, hmac(2, 35), IP4(10, 2, 0, 35),
		      IP4(10, 2, 0, 1)));
	h_run();
	h_free(h_rx_one(2));
	id = neigh4_id("10.2.0.35", 2);
	assert_true(id != 0);
	/* someone on port 0 claims 10.2.0.35 */
	h_send(mk_arp(0, SL_ARP_OP_REQUEST, bcast, hmac(0, 0x55), IP4(10, 2, 0, 35),
		      IP4(10, 0, 0, 1)));
	h_run();
	h_free(h_rx_one(0)); /* the reply */
	rt_link_mac(rt.nh[id].link, mac.bytes);
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 35), 1, 2, 64, 20));
	h_run();
	p = h_rx_one(2);
	print_message("10.2.0.35 (port 2) now has MAC %02x:%02x:%02x:%02x:%02x:%02x; the packet "
		      "for it left port 2 for %02x:..:%02x\n",
		      mac.bytes[0], mac.bytes[1], mac.bytes[2], mac.bytes[3], mac.bytes[4],
		      mac.bytes[5], ETH(p)->dst.bytes[0], ETH(p)->dst.bytes[5]);
	h_free(p);
	assert_memory_equal(mac.bytes, hmac(2, 35).bytes, 6);
	h_end();
}

/* route.c / neigh.c: a packet to the broadcast address of a connected subnet (10.2.0.255,
 * RFC 1812 5.3.5.2: directed broadcasts are not forwarded by default) is treated as a host
 * to resolve: the router ARPs for 10.2.0.255 three times, then answers host unreachable.
 * (Last: it flushes the neighbours to free what is held.) */
static void regress_ip4_directed_broadcast_resolved(void **state)
{
	struct sl_pktbuf *p;
	unsigned n;

	(void)state;
	h_begin();
	h_send(mk_udp4(0, IP4(10, 0, 0, 2), IP4(10, 2, 0, 255), 1, 2, 64, 20));
	h_run();
	h_expect_drop("drop_ip4_blackhole", 1);
	n = h_rx(2, &p, 1);
	if (n)
		print_message("port 2 sent %s for %08x\n",
			      ETH(p)->ether_type == sl_htons(SL_ETHER_TYPE_ARP) ? "ARP request"
										: "a frame",
			      sl_ntohl(((struct sl_arp_hdr *)(ETH(p) + 1))->data.tip));
	h_free_n(&p, n);
	n += h_drain_ports();
	rt_neigh_flush(); /* frees what is held */
	assert_int_equal(n, 0);
	h_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_input),
		cmocka_unit_test(test_arp_malformed),
		cmocka_unit_test(test_arp_request_answered_and_learned),
		cmocka_unit_test(test_arp_resolution),
		cmocka_unit_test(test_arp_unsolicited_and_hold_full),
		cmocka_unit_test(test_neigh_table_full),
		cmocka_unit_test(test_neigh_failure),
		cmocka_unit_test(test_ip4_input_drops),
		cmocka_unit_test(test_ip4_padding_trimmed),
		cmocka_unit_test(test_ip4_forward),
		cmocka_unit_test(test_ip4_ecmp),
		cmocka_unit_test(test_ip4_blackhole_reject_noroute),
		cmocka_unit_test(test_ip4_ttl_exceeded),
		cmocka_unit_test(test_ip4_mtu),
		cmocka_unit_test(test_ip4_egress_down),
		cmocka_unit_test(test_ip4_local),
		cmocka_unit_test(test_ip4_icmp_error_not_sent),
		cmocka_unit_test(test_ip4_icmp_rate_limit),
		cmocka_unit_test(test_tx_full),
		cmocka_unit_test(test_inject_bad_and_no_headroom),
		cmocka_unit_test(test_punt_full),
		cmocka_unit_test(regress_arp_reply_other_port),
		cmocka_unit_test(regress_arp_probe_not_defended),
		cmocka_unit_test(regress_ip4_error_about_own_reply),
		cmocka_unit_test(regress_ip4_martian_dst_forwarded),
		cmocka_unit_test(regress_neigh_poisoned_from_other_port),
		cmocka_unit_test(regress_ip4_directed_broadcast_resolved),
	};

	return cmocka_run_group_tests(tests, h_setup, h_teardown);
}
