/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet nodes: port rx (a source per port), inject (packets from the control thread),
 * eth_input (own MAC, broadcast, multicast; dispatch by ether type), arp_input (checks,
 * then the control plane), punt (the hand-off to the control thread).
 */
#include <stddef.h>
#include <string.h>

#include "router.h"

static struct sl_graph_node_type port_rx = {
	.name = "port_rx",
	.process = sl_graph_port_rx_process,
	.flags = SL_GRAPH_SOURCE,
	.help = "receives a burst from one port queue",
	.nb_next = 1,
	.next = {"eth_input"},
};
SL_GRAPH_NODE_REGISTER(port_rx)

/* --- inject: the control thread's packets, each entering where meta.why says --- */
enum { INJ_TX, INJ_IP4_REWRITE, INJ_IP6_REWRITE, INJ_IP4_ERROR, INJ_IP6_ERROR, INJ_BAD };

static uint16_t inject_process(struct sl_graph *g, struct sl_graph_node *node,
			       struct sl_pktbuf **pkts, uint16_t n)
{
	struct rt_worker *w = &rt.workers[g->worker];
	uint16_t edges[SL_GRAPH_BURST];

	(void)n;
	n = (uint16_t)sl_ring_sc_dequeue_burst(w->inject, (void **)pkts, SL_GRAPH_BURST, NULL);
	if (!n)
		return 0;
	sl_graph_source_rx(g, node, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		switch (rt_meta(pkts[i])->why) {
		case RT_INJ_TX:
			edges[i] = INJ_TX;
			break;
		case RT_INJ_IP4_OUTPUT:
			edges[i] = INJ_IP4_REWRITE;
			break;
		case RT_INJ_IP6_OUTPUT:
			edges[i] = INJ_IP6_REWRITE;
			break;
		case RT_INJ_IP4_ERROR:
			edges[i] = INJ_IP4_ERROR;
			break;
		case RT_INJ_IP6_ERROR:
			edges[i] = INJ_IP6_ERROR;
			break;
		default:
			edges[i] = INJ_BAD;
		}
	}
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_graph_node_type inject = {
	.name = "inject",
	.process = inject_process,
	.flags = SL_GRAPH_SOURCE,
	.help = "packets the control thread sends: ARP/NDP, released hold queues",
	.nb_next = 5 + 1,
	.next = {SL_GRAPH_PORT_TX, "ip4_rewrite", "ip6_rewrite", "ip4_icmp_error", "ip6_icmp_error",
		 "drop_inject_bad"},
};
SL_GRAPH_NODE_REGISTER(inject)
SL_GRAPH_DROP_NODE(drop_inject_bad, "drop_inject_bad", "control sent a packet with no entry")

/* --- eth_input --- */
enum {
	ETH_IP4,
	ETH_IP6,
	ETH_ARP,
	ETH_TRUNC,
	ETH_DOWN,
	ETH_OTHER_HOST,
	ETH_TYPE,
	ETH_VLAN,
	ETH_CHAINED
};

static inline uint16_t eth_classify(struct sl_pktbuf *p, const struct rt_iface *ifc)
{
	struct rt_meta *m = rt_meta(p);
	const struct sl_ether_hdr *eth;
	uint16_t type;

	if (sl_unlikely(!ifc || !ifc->up))
		return ETH_DOWN;
	if (sl_unlikely(p->data_len < SL_ETHER_HDR_LEN))
		return ETH_TRUNC;
	if (sl_unlikely(p->nb_segs != 1))
		return ETH_CHAINED;
	/* a tag the driver took out of the frame (af_packet: the kernel always does) */
	if (sl_unlikely(p->ol_flags & (SL_PKT_RX_VLAN | SL_PKT_RX_VLAN_STRIPPED)))
		return ETH_VLAN;
	eth = sl_pktbuf_mtod(p, const struct sl_ether_hdr *);
	/* own MAC: compare 4 + 2 bytes; group addresses (bit 0) pass: broadcast, multicast */
	if (sl_unlikely(memcmp(&eth->dst, &ifc->mac, 6) != 0) && !(eth->dst.bytes[0] & 1))
		return ETH_OTHER_HOST;
	type = eth->ether_type;
	/* one 8-byte store: nh 0, the input port, flags (a group destination), no reason */
	p->udata64 = (uint64_t)p->port << 32 |
		     (uint64_t)((eth->dst.bytes[0] & 1) ? RT_M_L2_GROUP : 0) << 48;
	_Static_assert(offsetof(struct rt_meta, iface) == 4 && offsetof(struct rt_meta, flags) == 6,
		       "the store above builds struct rt_meta");
	(void)m;
	if (sl_likely(type == sl_htons(SL_ETHER_TYPE_IPV4))) {
		sl_pktbuf_adj(p, SL_ETHER_HDR_LEN);
		return ETH_IP4;
	}
	if (type == sl_htons(SL_ETHER_TYPE_IPV6)) {
		sl_pktbuf_adj(p, SL_ETHER_HDR_LEN);
		return ETH_IP6;
	}
	if (type == sl_htons(SL_ETHER_TYPE_ARP))
		return ETH_ARP; /* the control plane wants the whole frame */
	if (type == sl_htons(SL_ETHER_TYPE_VLAN) || type == sl_htons(SL_ETHER_TYPE_QINQ))
		return ETH_VLAN;
	return ETH_TYPE;
}

static uint16_t eth_input_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];
	uint16_t port = UINT16_MAX;
	const struct rt_iface *ifc = NULL;

	for (uint16_t i = 0; i < n; i++) {
		if (i + 4 < n)
			sl_prefetch0(sl_pktbuf_mtod(pkts[i + 4], void *));
		if (sl_unlikely(pkts[i]->port != port)) { /* a vector mostly comes from one port */
			port = pkts[i]->port;
			ifc = rt_iface(port);
		}
		edges[i] = eth_classify(pkts[i], ifc);
	}
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_graph_node_type eth_input = {
	.name = "eth_input",
	.process = eth_input_process,
	.help = "accepts frames for this interface's MAC, broadcast and multicast",
	.nb_next = 9,
	.next = {"ip4_input", "ip6_input", "arp_input", "drop_eth_truncated", "drop_iface_down",
		 "drop_eth_other_host", "drop_eth_unknown_type", "drop_eth_vlan",
		 "drop_eth_chained"},
};
SL_GRAPH_NODE_REGISTER(eth_input)
SL_GRAPH_DROP_NODE(drop_eth_truncated, "drop_eth_truncated",
		   "frame shorter than an Ethernet header")
SL_GRAPH_DROP_NODE(drop_eth_chained, "drop_eth_chained",
		   "a frame in several segments: bigger than a buffer (GSO/GRO on the sending "
		   "interface? ethtool -K IF gso off gro off)")
SL_GRAPH_DROP_NODE(drop_iface_down, "drop_iface_down", "received on an interface that is down")
SL_GRAPH_DROP_NODE(drop_eth_other_host, "drop_eth_other_host",
		   "unicast frame for another MAC address")
SL_GRAPH_DROP_NODE(drop_eth_unknown_type, "drop_eth_unknown_type",
		   "ether type the router does not handle")
SL_GRAPH_DROP_NODE(drop_eth_vlan, "drop_eth_vlan", "VLAN-tagged frame (router ports are untagged)")

/* --- arp_input: well-formed Ethernet/IPv4 ARP goes to the control plane --- */
enum { ARP_PUNT, ARP_BAD };

static uint16_t arp_input_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];
		const struct sl_arp_hdr *a =
			sl_pktbuf_mtod_offset(p, const struct sl_arp_hdr *, SL_ETHER_HDR_LEN);

		edges[i] = ARP_BAD;
		if (p->data_len < SL_ETHER_HDR_LEN + sizeof(*a))
			continue;
		if (a->hrd != sl_htons(SL_ARP_HRD_ETHER) ||
		    a->pro != sl_htons(SL_ETHER_TYPE_IPV4) || a->hln != 6 || a->pln != 4 ||
		    (a->op != sl_htons(SL_ARP_OP_REQUEST) && a->op != sl_htons(SL_ARP_OP_REPLY)))
			continue;
		rt_meta(p)->why = RT_PUNT_ARP;
		edges[i] = ARP_PUNT;
	}
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_graph_node_type arp_input = {
	.name = "arp_input",
	.process = arp_input_process,
	.help = "checks ARP (Ethernet, IPv4, request or reply) and hands it to the control plane",
	.nb_next = 2,
	.next = {"punt", "drop_arp_malformed"},
};
SL_GRAPH_NODE_REGISTER(arp_input)
SL_GRAPH_DROP_NODE(drop_arp_malformed, "drop_arp_malformed",
		   "ARP that is short, not Ethernet/IPv4, or neither request nor reply")

/* --- punt: hand-off to the control thread (a sink; the control plane counts the rest) --- */
static uint16_t punt_process(struct sl_graph *g, struct sl_graph_node *node,
			     struct sl_pktbuf **pkts, uint16_t n)
{
	unsigned done = sl_ring_mp_enqueue_burst(rt.punt, (void *const *)pkts, n, NULL);

	if (sl_unlikely(done < n))
		sl_graph_enqueue_n(g, node, 0, pkts + done, (uint16_t)(n - done));
	return n;
}

static struct sl_graph_node_type punt = {
	.name = "punt",
	.process = punt_process,
	.flags = SL_GRAPH_SINK,
	.help = "hands packets to the control thread (ARP, NDP, next hops resolving)",
	.nb_next = 1,
	.next = {"drop_punt_full"},
};
SL_GRAPH_NODE_REGISTER(punt)
SL_GRAPH_DROP_NODE(drop_punt_full, "drop_punt_full",
		   "the control thread's queue was full (an ARP/NDP flood, or it is busy)")
