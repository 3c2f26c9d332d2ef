/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour discovery (RFC 4861), the control thread's side: neighbour solicitations for
 * our addresses are answered (and their source learned), advertisements update the
 * neighbour table, and rt_ndp_solicit() resolves a next hop.  Router solicitations,
 * router advertisements and redirects are counted and ignored: the router is configured,
 * it neither advertises prefixes nor follows redirects.
 *
 * Every message is validated as RFC 4861 6.1, 7.1 and 8.1 ask (hop limit 255, code 0,
 * checksum, lengths, well-formed options) by rt_ndp__parse(), which reads nothing but
 * the frame so a fuzzer can call it without a router.  Control thread only; nothing here
 * runs per forwarded packet.
 */
#include <errno.h>
#include <string.h>

#include "ip6_addr.h"
#include "router.h"
#include "sl_cksum.h"

/* Neighbour solicitation and advertisement (RFC 4861 4.3, 4.4), with the one link-layer
 * address option the router sends. */
struct nd_ns_na {
	struct sl_icmp6_hdr icmp;
	uint32_t flags; /* NA: RT_NDP_NA_* << 24, network order; NS: reserved, 0 */
	uint8_t target[16];
	uint8_t opt_type; /* ND_OPT_*_LLADDR */
	uint8_t opt_len;  /* 1: eight bytes */
	struct sl_ether_addr lladdr;
} __attribute__((packed));
_Static_assert(sizeof(struct nd_ns_na) == 32, "NS/NA with one link-layer option");

#define ND_FRAME_LEN (SL_ETHER_HDR_LEN + SL_IPV6_HDR_LEN + sizeof(struct nd_ns_na))

/* --- counters --- */
enum {
	C_RX_NS,
	C_RX_NA,
	C_IGNORED,
	C_BAD,
	C_NS_NOT_OURS,
	C_NA_OWN,
	C_TX_NA,
	C_TX_NS,
	C_TX_FAIL,
	C_MAX
};

static struct rt_cstat stats[C_MAX] = {
	[C_RX_NS] = {"ndp_rx_ns", "neighbour solicitations received (valid)", false, 0},
	[C_RX_NA] = {"ndp_rx_na", "neighbour advertisements received (valid)", false, 0},
	[C_IGNORED] = {"ndp_ignored",
		       "router solicitations, advertisements and redirects "
		       "(valid, ignored: the router is configured statically)",
		       false, 0},
	[C_BAD] = {"ndp_bad",
		   "malformed NDP: hop limit not 255, code, checksum, length, "
		   "options, addresses",
		   true, 0},
	[C_NS_NOT_OURS] = {"ndp_ns_not_ours",
			   "solicitations for an address that is not ours on that port", false, 0},
	[C_NA_OWN] = {"ndp_na_own",
		      "advertisements for one of our own addresses (an address "
		      "conflict on the link; ignored)",
		      false, 0},
	[C_TX_NA] = {"ndp_tx_na", "neighbour advertisements sent", false, 0},
	[C_TX_NS] = {"ndp_tx_ns", "neighbour solicitations sent", false, 0},
	[C_TX_FAIL] = {"ndp_tx_fail",
		       "NDP messages not sent (no buffer, no interface or address, inject full)",
		       false, 0},
};

__attribute__((constructor)) static void ndp_stats_register(void)
{
	rt_cstat_register(stats, C_MAX);
}

/* --- helpers --- */
/* The solicited-node group of ip, and its Ethernet group 33:33:ff:xx:xx:xx (RFC 2464 7). */
static void solicited_node(const uint8_t ip[16], uint8_t group[16], struct sl_ether_addr *mac)
{
	static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	memcpy(group, pfx, 13);
	memcpy(group + 13, ip + 13, 3);
	mac->bytes[0] = 0x33;
	mac->bytes[1] = 0x33;
	memcpy(mac->bytes + 2, group + 12, 4);
}

/* --- sending --- */

/*
 * Builds an NS or NA with one link-layer address option (the port's MAC) and injects it
 * for transmission on port.  Returns 0 or -errno (nothing sent; counted by the caller).
 */
static int nd_send(uint16_t port, const struct sl_ether_addr *eth_dst, const uint8_t src[16],
		   const uint8_t dst[16], uint8_t type, uint8_t na_flags, const uint8_t target[16])
{
	const struct rt_iface *ifc = rt_iface(port);
	struct sl_pktbuf *p;
	uint8_t *frame;

	if (!ifc)
		return -ENODEV;
	p = rt_pkt_alloc();
	if (!p)
		return -ENOBUFS;
	frame = (uint8_t *)sl_pktbuf_append(p, ND_FRAME_LEN);
	if (!frame) {
		sl_pktbuf_free(p);
		return -ENOBUFS;
	}

	struct sl_ether_hdr *eth = (struct sl_ether_hdr *)frame;
	struct sl_ipv6_hdr *ip6 = (struct sl_ipv6_hdr *)(eth + 1);
	struct nd_ns_na *nd = (struct nd_ns_na *)(ip6 + 1);

	eth->dst = *eth_dst;
	eth->src = ifc->mac;
	eth->ether_type = sl_htons(SL_ETHER_TYPE_IPV6);
	ip6->vtc_flow = sl_htonl(6u << 28);
	ip6->payload_len = sl_htons(sizeof(*nd));
	ip6->proto = SL_IPPROTO_ICMPV6;
	ip6->hop_limits = ND_HOP_LIMIT;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
	nd->icmp.type = type;
	nd->icmp.code = 0;
	nd->flags = sl_htonl((uint32_t)na_flags << 24);
	memcpy(nd->target, target, 16);
	nd->opt_type = type == SL_ICMP6_NEIGH_SOLICIT ? ND_OPT_SRC_LLADDR : ND_OPT_TGT_LLADDR;
	nd->opt_len = 1;
	nd->lladdr = ifc->mac;
	nd->icmp.cksum = 0;
	nd->icmp.cksum = sl_ipv6_udptcp_cksum(ip6, nd); /* with the pseudo-header */

	p->port = port;
	*rt_meta(p) = (struct rt_meta){.iface = port, .why = RT_INJ_TX};
	return rt_inject(p, RT_INJ_TX); /* frees p on failure */
}

/* RFC 4861 7.2.4: a solicitation for one of our addresses on port gets an advertisement. */
static void ns_input(const struct rt_ndp_msg *m, uint16_t port)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const struct sl_ether_addr all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 0x01}};
	bool dad = rt_ip6_is_unspec(m->src);
	uint8_t flags = RT_NDP_NA_ROUTER | RT_NDP_NA_OVERRIDE;
	const struct sl_ether_addr *to;

	stats[C_RX_NS].value++;
	if (!rt_own6(port, m->target)) {
		stats[C_NS_NOT_OURS].value++;
		return;
	}
	if (dad) {
		/* someone wants our address: defend it to all nodes, unsolicited */
		to = &all_nodes_mac;
	} else {
		if (m->has_lladdr)
			rt_neigh_learn(6, m->src, port, &m->lladdr, false);
		flags |= RT_NDP_NA_SOLICITED;
		to = m->has_lladdr ? &m->lladdr : &m->eth_src;
	}
	if (nd_send(port, to, m->target, dad ? all_nodes : m->src, SL_ICMP6_NEIGH_ADVERT, flags,
		    m->target) == 0)
		stats[C_TX_NA].value++;
	else
		stats[C_TX_FAIL].value++;
}

/* RFC 4861 7.2.5: an advertisement updates (solicited: may complete) a neighbour. */
static void na_input(const struct rt_ndp_msg *m, uint16_t port)
{
	stats[C_RX_NA].value++;
	if (rt_own6(port, m->target)) {
		stats[C_NA_OWN].value++;
		return;
	}
	/* without a target option the frame's sender is the target (RFC 4861 4.4: it may be
	 * left out of answers to unicast solicitations) */
	rt_neigh_learn(6, m->target, port, m->has_lladdr ? &m->lladdr : &m->eth_src,
		       (m->na_flags & RT_NDP_NA_SOLICITED) != 0);
}

void rt_ndp_input(struct sl_pktbuf *p)
{
	uint16_t port = rt_meta(p)->iface;
	struct rt_ndp_msg m;

	if (p->nb_segs != 1 ||
	    rt_ndp__parse(sl_pktbuf_mtod(p, const uint8_t *), p->data_len, &m) < 0) {
		stats[C_BAD].value++;
		goto free;
	}
	switch (m.type) {
	case SL_ICMP6_NEIGH_SOLICIT:
		ns_input(&m, port);
		break;
	case SL_ICMP6_NEIGH_ADVERT:
		na_input(&m, port);
		break;
	default: /* RS, RA, redirect */
		stats[C_IGNORED].value++;
	}
free:
	sl_pktbuf_free(p);
}

/* RFC 4861 7.2.2: a multicast solicitation to the target's solicited-node group, from our
 * link-local address, with our MAC. */
void rt_ndp_solicit(uint32_t id)
{
	const struct rt_nh *nh = id < RT_NH_MAX ? &rt.nh[id] : NULL;
	const struct rt_iface *ifc;
	struct sl_ether_addr mac;
	uint8_t src[16], group[16];

	if (!nh || nh->family != 6 || !(ifc = rt_iface(nh->port)))
		goto fail;
	if (ifc->nb_addr6 > 0)
		memcpy(src, ifc->addr6[0].ip, 16); /* the link-local one */
	else if (!rt_src6(nh->port, src))
		goto fail;
	solicited_node(nh->ip6, group, &mac);
	if (nd_send(nh->port, &mac, src, group, SL_ICMP6_NEIGH_SOLICIT, 0, nh->ip6) < 0)
		goto fail;
	stats[C_TX_NS].value++;
	return;
fail:
	stats[C_TX_FAIL].value++;
}
