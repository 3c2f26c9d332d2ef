/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 nodes: ip6_input (header and address checks, RFC 8200, RFC 4291), ip6_lookup
 * (LPM, next-hop kind), ip6_rewrite (hop limit, MTU, neighbour, Ethernet header),
 * ip6_local (echo replies, neighbour discovery to the control plane, port unreachable)
 * and ip6_icmp_error (RFC 4443: time exceeded, unreachable, packet too big).
 *
 * Link-local scope (RFC 4291 2.5.6): a packet with a link-local source or destination
 * never leaves its link.  Link-local destinations are checked against the input
 * interface's own addresses in ip6_input (the LPM cannot tell one link's fe80::/10 from
 * another's); forwarding a link-local source is dropped in ip6_lookup; and what the
 * router answers with a link-local address on either side (echo replies, errors) goes
 * straight back to the sender's MAC on the interface it came from, without a lookup.
 */
#include <errno.h>
#include <string.h>

#include "ip6_addr.h"
#include "router.h"
#include "sl_cksum.h"

/* ICMPv6 types (RFC 4443, RFC 4861); lib/net defines only echo and NS/NA. */
#define ICMP6_DEST_UNREACH 1
#define ICMP6_PKT_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_ERROR_MAX 127 /* types 0-127 are errors (RFC 4443 2.1) */
#define ICMP6_ROUTER_SOLICIT 133
#define ICMP6_REDIRECT 137

#define ICMP6_ERR_HDR_LEN 8    /* type, code, checksum, 32-bit MTU / unused */
#define ICMP6_ERR_MAX_PKT 1280 /* an error fits the IPv6 minimum MTU (RFC 4443 2.4(c)) */
#define ECHO_HOP_LIMIT 64
#define ERROR_HOP_LIMIT 64
#define NDP_HOP_LIMIT 255

/* Whether a is one of ifc's IPv6 addresses (the worker's rt_own6 on a loaded iface). */
static inline bool iface_owns6(const struct rt_iface *ifc, const uint8_t *a)
{
	for (unsigned i = 0; i < ifc->nb_addr6 && i < RT_MAX_ADDRS; i++)
		if (memcmp(ifc->addr6[i].ip, a, 16) == 0)
			return true;
	return false;
}

/* An address of ifc to send from: its first link-local one when link_local, else its
 * first global one (RFC 6724 rule 2: the scope of the destination). */
static bool iface_src6(const struct rt_iface *ifc, bool link_local, uint8_t out[16])
{
	if (!ifc)
		return false;
	for (unsigned i = 0; i < ifc->nb_addr6 && i < RT_MAX_ADDRS; i++) {
		if (rt_ip6_is_link_local(ifc->addr6[i].ip) == link_local) {
			memcpy(out, ifc->addr6[i].ip, 16);
			return true;
		}
	}
	return false;
}

/*
 * Sends an answer (IPv6 at data) to sender_mac on the interface the question came in on,
 * without a lookup: for answers with a link-local address on either side, which the LPM
 * cannot route (RFC 4291 2.5.6).  Returns 0, or -ENOBUFS (no headroom) or -ENETDOWN (the
 * interface is gone, down, or its MTU is smaller than the answer).
 */
static int reflect_l2(struct sl_pktbuf *p, uint16_t iface, const uint8_t sender_mac[6])
{
	const struct rt_iface *ifc = rt_iface(iface);
	struct sl_ether_hdr *eth;

	if (sl_unlikely(!ifc || !ifc->up || p->pkt_len > ifc->mtu))
		return -ENETDOWN;
	eth = (struct sl_ether_hdr *)sl_pktbuf_prepend(p, SL_ETHER_HDR_LEN);
	if (sl_unlikely(!eth))
		return -ENOBUFS;
	memcpy(eth->dst.bytes, sender_mac, 6);
	eth->src = ifc->mac;
	eth->ether_type = sl_htons(SL_ETHER_TYPE_IPV6);
	p->port = iface;
	return 0;
}

/* The Ethernet source of a received frame whose data is at its IPv6 header, or NULL. */
static inline const uint8_t *l2_sender(const struct sl_pktbuf *p)
{
	if (sl_unlikely(p->data_off < SL_ETHER_HDR_LEN))
		return NULL;
	return sl_pktbuf_mtod_offset(p, const uint8_t *, -SL_ETHER_HDR_LEN + 6);
}

/* --- ip6_input --- */
enum {
	I6_LOOKUP,
	I6_LOCAL,
	I6_TRUNC,
	I6_VERSION,
	I6_LEN,
	I6_MARTIAN_SRC,
	I6_MARTIAN_DST,
	I6_MCAST,
	I6_LINK_LOCAL,
	I6_L2_MCAST,
};

static inline uint16_t ip6_check(struct sl_pktbuf *p)
{
	const struct sl_ipv6_hdr *ip6 = sl_pktbuf_mtod(p, const struct sl_ipv6_hdr *);
	unsigned tlen;

	if (sl_unlikely(p->data_len < SL_IPV6_HDR_LEN))
		return I6_TRUNC;
	if (sl_unlikely((*(const uint8_t *)ip6 >> 4) != 6))
		return I6_VERSION;
	/* (payload_len 0 is a header-only packet: jumbograms, RFC 2675, need a link MTU
	 * above 64 KiB, which Ethernet never has) */
	tlen = SL_IPV6_HDR_LEN + sl_ntohs(ip6->payload_len);
	if (sl_unlikely(tlen > p->pkt_len))
		return I6_LEN;
	if (sl_unlikely(tlen < p->pkt_len)) /* Ethernet padding */
		sl_pktbuf_trim(p, (uint16_t)(p->pkt_len - tlen));

	/* RFC 4291 2.7: never from a multicast address; 2.5.3: ::1 never leaves a host */
	if (sl_unlikely(rt_ip6_is_mcast(ip6->src_addr) || rt_ip6_is_loopback(ip6->src_addr)))
		return I6_MARTIAN_SRC;
	if (sl_unlikely(rt_ip6_is_mcast(ip6->dst_addr))) {
		/* no multicast routing: only what neighbour discovery (and ping) needs */
		if (ip6->proto == SL_IPPROTO_ICMPV6 && rt_ip6_is_ndp_group(ip6->dst_addr))
			return I6_LOCAL;
		return I6_MCAST;
	}
	/* RFC 4291 2.5.2: :: only as the source of duplicate address detection (to a
	 * solicited-node group, above), never forwarded; ::1 and :: are no destination */
	if (sl_unlikely(rt_ip6_is_unspec(ip6->src_addr)))
		return I6_MARTIAN_SRC;
	if (sl_unlikely(rt_ip6_is_unspec(ip6->dst_addr) || rt_ip6_is_loopback(ip6->dst_addr)))
		return I6_MARTIAN_DST;
	/* like RFC 1812 5.3.4 for IPv4 (and Linux's ip6_forward): unicast IPv6 in a
	 * link-layer multicast or broadcast frame is not ours to take */
	if (sl_unlikely(p->data_off >= SL_ETHER_HDR_LEN &&
			(sl_pktbuf_mtod_offset(p, const uint8_t *, -SL_ETHER_HDR_LEN)[0] & 1)))
		return I6_L2_MCAST;
	if (sl_unlikely(rt_ip6_is_link_local(ip6->dst_addr))) {
		const struct rt_iface *ifc = rt_iface(rt_meta(p)->iface);

		/* RFC 4291 2.5.6: never forwarded; ours only on the link it arrived on */
		if (ifc && iface_owns6(ifc, ip6->dst_addr))
			return I6_LOCAL;
		return I6_LINK_LOCAL;
	}
	return I6_LOOKUP;
}

static uint16_t ip6_input_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++)
		edges[i] = ip6_check(pkts[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static int ip6_input_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
			   size_t len)
{
	const struct sl_ipv6_hdr *ip6 = sl_pktbuf_mtod(p, const struct sl_ipv6_hdr *);
	char s[SL_IPV6_ADDR_FMT_SIZE] = "?", d[SL_IPV6_ADDR_FMT_SIZE] = "?";

	(void)node;
	if (p->data_len < SL_IPV6_HDR_LEN)
		return snprintf(buf, len, "truncated");
	sl_ipv6_addr_format(s, sizeof(s), ip6->src_addr);
	sl_ipv6_addr_format(d, sizeof(d), ip6->dst_addr);
	return snprintf(buf, len, "%s > %s nh %u hl %u", s, d, ip6->proto, ip6->hop_limits);
}

static struct sl_graph_node_type ip6_input = {
	.name = "ip6_input",
	.process = ip6_input_process,
	.trace = ip6_input_trace,
	.help = "checks version, payload length and address scopes; local NDP, then lookup",
	.nb_next = 10,
	.next = {"ip6_lookup", "ip6_local", "drop_ip6_truncated", "drop_ip6_bad_version",
		 "drop_ip6_bad_length", "drop_ip6_martian_src", "drop_ip6_martian_dst",
		 "drop_ip6_multicast", "drop_ip6_link_local", "drop_ip6_l2_multicast"},
};
SL_GRAPH_NODE_REGISTER(ip6_input)
SL_GRAPH_DROP_NODE(drop_ip6_truncated, "drop_ip6_truncated", "shorter than an IPv6 header")
SL_GRAPH_DROP_NODE(drop_ip6_bad_version, "drop_ip6_bad_version", "IPv6 ether type, version not 6")
SL_GRAPH_DROP_NODE(drop_ip6_bad_length, "drop_ip6_bad_length", "payload length beyond the frame")
SL_GRAPH_DROP_NODE(drop_ip6_martian_src, "drop_ip6_martian_src",
		   "source multicast, ::1, or :: other than to a neighbour discovery group")
SL_GRAPH_DROP_NODE(drop_ip6_martian_dst, "drop_ip6_martian_dst", "destination :: or ::1")
SL_GRAPH_DROP_NODE(drop_ip6_multicast, "drop_ip6_multicast",
		   "multicast other than ICMPv6 to all-nodes, all-routers or solicited-node "
		   "(no multicast routing)")
SL_GRAPH_DROP_NODE(drop_ip6_link_local, "drop_ip6_link_local",
		   "link-local destination not the input interface's own (never forwarded)")
SL_GRAPH_DROP_NODE(drop_ip6_l2_multicast, "drop_ip6_l2_multicast",
		   "unicast IPv6 in a link-layer multicast or broadcast frame")

/* --- ip6_lookup --- */
enum { L6_REWRITE, L6_LOCAL, L6_BLACKHOLE, L6_ERROR, L6_LL_SRC };

uint32_t rt_flow_hash6(const struct sl_pktbuf *p, const struct sl_ipv6_hdr *ip6)
{
	uint32_t w[8], h, ports = 0, flow = sl_ntohl(ip6->vtc_flow) & 0xfffff;

	if (p->ol_flags & SL_PKT_RX_RSS_HASH)
		return p->rss_hash;
	/* ports only when TCP/UDP follows the header directly: a flow keeps its extension
	 * headers, so the hash stays the same for every packet of it either way */
	if ((ip6->proto == SL_IPPROTO_TCP || ip6->proto == SL_IPPROTO_UDP) &&
	    p->data_len >= SL_IPV6_HDR_LEN + 4)
		memcpy(&ports, ip6 + 1, 4);
	memcpy(w, ip6->src_addr, 32);
	h = (w[0] ^ w[1] ^ w[2] ^ w[3]) * 0x9e3779b1u ^ (w[4] ^ w[5] ^ w[6] ^ w[7]) * 0x85ebca6bu ^
	    ports * 0xc2b2ae35u ^ flow * 0x27d4eb2fu ^ ip6->proto;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	return h ^ (h >> 12);
}

static inline uint16_t lookup6_edge(struct sl_pktbuf *p, const struct sl_ipv6_hdr *ip6, uint32_t id)
{
	struct rt_meta *m = rt_meta(p);
	const struct rt_nh *nh = &rt.nh[id];

	if (sl_unlikely(nh->type == RT_NH_GROUP)) {
		id = rt_nh_member(nh, id, rt_flow_hash6(p, ip6));
		nh = &rt.nh[id];
	}
	m->nh = id;
	switch (nh->type) {
	case RT_NH_NEIGH:
	case RT_NH_CONNECTED:
		/* RFC 4291 2.5.6: a link-local source stays on its link */
		if (sl_unlikely(rt_ip6_is_link_local(ip6->src_addr)) &&
		    !(m->flags & RT_M_LOCAL_ORIGIN))
			return L6_LL_SRC;
		/* a subnet's host is resolved by ip6_rewrite's punt, after its hop-limit and
		 * MTU checks (a CONNECTED next hop's state is never reachable) */
		return L6_REWRITE;
	case RT_NH_LOCAL:
		return L6_LOCAL;
	case RT_NH_BLACKHOLE:
		return L6_BLACKHOLE;
	case RT_NH_REJECT:
		m->why = RT_ICMP_HOST_UNREACH; /* address unreachable (1/3) */
		return L6_ERROR;
	default: /* RT_NH_ID_NONE: no route */
		m->why = RT_ICMP_NET_UNREACH;
		return L6_ERROR;
	}
}

static uint16_t ip6_lookup_process(struct sl_graph *g, struct sl_graph_node *node,
				   struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];
	uint8_t ips[SL_GRAPH_VEC_SIZE][16];
	uint32_t ids[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++)
		memcpy(ips[i], sl_pktbuf_mtod(pkts[i], const struct sl_ipv6_hdr *)->dst_addr, 16);
	sl_lpm6_lookup_bulk(rt.rt6, (const uint8_t(*)[16])ips, ids, n, RT_NH_ID_NONE);
	for (uint16_t i = 0; i < n; i++)
		edges[i] = lookup6_edge(
			pkts[i], sl_pktbuf_mtod(pkts[i], const struct sl_ipv6_hdr *), ids[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_graph_node_type ip6_lookup = {
	.name = "ip6_lookup",
	.process = ip6_lookup_process,
	.trace = rt_lookup_trace,
	.help = "longest-prefix match on the IPv6 destination, then what kind of next hop",
	.nb_next = 5,
	.next = {"ip6_rewrite", "ip6_local", "drop_ip6_blackhole", "ip6_icmp_error",
		 "drop_ip6_link_local_src"},
};
SL_GRAPH_NODE_REGISTER(ip6_lookup)
SL_GRAPH_DROP_NODE(drop_ip6_blackhole, "drop_ip6_blackhole", "IPv6 route to a blackhole")
SL_GRAPH_DROP_NODE(drop_ip6_link_local_src, "drop_ip6_link_local_src",
		   "link-local source to be forwarded off its link (RFC 4291 2.5.6)")

/* --- ip6_rewrite --- */
enum { W6_TX, W6_PUNT, W6_ERROR, W6_DOWN, W6_HEADROOM };

static inline uint16_t rewrite6(struct sl_pktbuf *p)
{
	struct rt_meta *m = rt_meta(p);
	const struct rt_nh *nh = &rt.nh[m->nh];
	struct sl_ipv6_hdr *ip6 = sl_pktbuf_mtod(p, struct sl_ipv6_hdr *);
	const struct rt_iface *ifc = rt_iface(nh->port);
	uint64_t link;
	unsigned st;

	if (sl_unlikely(!ifc || !ifc->up))
		return W6_DOWN;
	if (sl_unlikely(ip6->hop_limits <= 1) && !(m->flags & RT_M_LOCAL_ORIGIN)) {
		m->why = RT_ICMP_TTL;
		return W6_ERROR;
	}
	/* RFC 8200 5: routers never fragment; RFC 4443 3.2: packet too big */
	if (sl_unlikely(p->pkt_len > ifc->mtu)) {
		m->why = RT_ICMP_FRAG_NEEDED;
		return W6_ERROR;
	}
	link = __atomic_load_n(&nh->link, __ATOMIC_ACQUIRE);
	st = rt_link_state(link);
	if (sl_unlikely(st != RT_NS_REACHABLE && st != RT_NS_STATIC)) {
		if (st == RT_NS_FAILED) {
			m->why = RT_ICMP_HOST_UNREACH;
			return W6_ERROR;
		}
		m->why = RT_PUNT_RESOLVE6;
		return W6_PUNT;
	}
	if (!(m->flags & RT_M_LOCAL_ORIGIN))
		ip6->hop_limits--; /* no header checksum in IPv6 */

	struct sl_ether_hdr *eth = (struct sl_ether_hdr *)sl_pktbuf_prepend(p, SL_ETHER_HDR_LEN);

	if (sl_unlikely(!eth))
		return W6_HEADROOM;
	rt_link_mac(link, eth->dst.bytes);
	eth->src = ifc->mac;
	eth->ether_type = sl_htons(SL_ETHER_TYPE_IPV6);
	p->port = nh->port;
	return W6_TX;
}

static uint16_t ip6_rewrite_process(struct sl_graph *g, struct sl_graph_node *node,
				    struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++)
		edges[i] = rewrite6(pkts[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static int rewrite6_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
			  size_t len)
{
	const struct rt_meta *m = (const struct rt_meta *)&p->udata64;
	const struct rt_nh *nh = &rt.nh[m->nh];
	char a[SL_IPV6_ADDR_FMT_SIZE] = "";

	(void)node;
	sl_ipv6_addr_format(a, sizeof(a), nh->ip6);
	return snprintf(buf, len, "nh %u via %s port %u state %u", m->nh, a, nh->port,
			rt_link_state(__atomic_load_n(&nh->link, __ATOMIC_RELAXED)));
}

static struct sl_graph_node_type ip6_rewrite = {
	.name = "ip6_rewrite",
	.process = ip6_rewrite_process,
	.trace = rewrite6_trace,
	.help = "hop limit and MTU checks, hop limit decrement, Ethernet header for the next hop",
	.nb_next = 5,
	.next = {SL_GRAPH_PORT_TX, "punt", "ip6_icmp_error", "drop_ip6_egress_down",
		 "drop_no_headroom"},
};
SL_GRAPH_NODE_REGISTER(ip6_rewrite)
/* drop_no_headroom is nodes_ip4.c's: one reason for both families */
SL_GRAPH_DROP_NODE(drop_ip6_egress_down, "drop_ip6_egress_down",
		   "the IPv6 next hop's interface is down")

/* --- ip6_local: packets for one of the router's own addresses or its NDP groups --- */
enum {
	LC6_LOOKUP,
	LC6_TX,
	LC6_PUNT,
	LC6_ERROR,
	LC6_ICMP_OTHER,
	LC6_ICMP_BAD,
	LC6_PROTO,
	LC6_EXT,
	LC6_NDP_HOPS,
	LC6_NO_SRC,
	LC6_HEADROOM,
	LC6_DOWN,
};

static inline bool is_ext_hdr(uint8_t proto)
{
	return proto == SL_IPPROTO_HOPOPTS || proto == SL_IPPROTO_ROUTING ||
	       proto == SL_IPPROTO_FRAGMENT || proto == SL_IPPROTO_DSTOPTS ||
	       proto == SL_IPPROTO_AH;
}

/* Echo request -> echo reply in place (RFC 4443 4.2). */
static uint16_t echo6(struct sl_pktbuf *p, struct sl_ipv6_hdr *ip6, struct sl_icmp6_hdr *icmp)
{
	struct rt_meta *m = rt_meta(p);
	uint8_t src[16];

	if (sl_unlikely(rt_ip6_is_unspec(ip6->src_addr)))
		return LC6_ICMP_OTHER; /* nowhere to answer */
	if (rt_ip6_is_mcast(ip6->dst_addr)) {
		/* answer from our own address on that link, of the asker's scope */
		const struct rt_iface *ifc = rt_iface(m->iface);
		bool ll = rt_ip6_is_link_local(ip6->src_addr);

		if (!iface_src6(ifc, ll, src) && !iface_src6(ifc, !ll, src))
			return LC6_NO_SRC;
	} else {
		memcpy(src, ip6->dst_addr, 16);
	}
	memcpy(ip6->dst_addr, ip6->src_addr, 16);
	memcpy(ip6->src_addr, src, 16);
	ip6->hop_limits = ECHO_HOP_LIMIT;
	icmp->type = SL_ICMP6_ECHO_REPLY;
	icmp->cksum = sl_ipv6_udptcp_cksum(ip6, icmp); /* the pseudo-header changed too */
	m->flags |= RT_M_LOCAL_ORIGIN;
	if (!rt_ip6_is_link_local(ip6->src_addr) && !rt_ip6_is_link_local(ip6->dst_addr))
		return LC6_LOOKUP;

	/* a link-local answer goes back the way the request came */
	const uint8_t *mac = l2_sender(p);
	uint8_t dmac[6];

	if (!mac)
		return LC6_HEADROOM;
	memcpy(dmac, mac, 6);
	switch (reflect_l2(p, m->iface, dmac)) {
	case 0:
		return LC6_TX;
	case -ENOBUFS:
		return LC6_HEADROOM;
	default:
		return LC6_DOWN;
	}
}

static inline uint16_t local6(struct sl_pktbuf *p)
{
	struct sl_ipv6_hdr *ip6 = sl_pktbuf_mtod(p, struct sl_ipv6_hdr *);
	unsigned l4len = sl_ntohs(ip6->payload_len);
	struct rt_meta *m = rt_meta(p);

	if (sl_unlikely(is_ext_hdr(ip6->proto)))
		return LC6_EXT;
	if (ip6->proto == SL_IPPROTO_UDP) {
		m->why = RT_ICMP_PORT_UNREACH;
		return LC6_ERROR;
	}
	if (ip6->proto != SL_IPPROTO_ICMPV6)
		return LC6_PROTO;

	struct sl_icmp6_hdr *icmp = (struct sl_icmp6_hdr *)(ip6 + 1);

	if (l4len < sizeof(*icmp) || p->data_len < p->pkt_len ||
	    sl_ipv6_udptcp_cksum_verify(ip6, icmp) != 0)
		return LC6_ICMP_BAD;
	if (icmp->type >= ICMP6_ROUTER_SOLICIT && icmp->type <= ICMP6_REDIRECT) {
		/* RFC 4861 6.1, 7.1, 8.1: hop limit 255 proves it was not forwarded; dropping
		 * the others here keeps off-link floods off the control thread */
		if (ip6->hop_limits != NDP_HOP_LIMIT)
			return LC6_NDP_HOPS;
		/* the control plane wants the frame: the Ethernet header is still in front */
		if (!sl_pktbuf_prepend(p, SL_ETHER_HDR_LEN))
			return LC6_HEADROOM;
		m->why = RT_PUNT_NDP;
		return LC6_PUNT;
	}
	if (icmp->type == SL_ICMP6_ECHO_REQUEST && icmp->code == 0 && l4len >= 8)
		return echo6(p, ip6, icmp);
	return LC6_ICMP_OTHER;
}

static uint16_t ip6_local_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++)
		edges[i] = local6(pkts[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_graph_node_type ip6_local = {
	.name = "ip6_local",
	.process = ip6_local_process,
	.help = "answers echo requests, hands neighbour discovery to the control plane, "
		"UDP gets port unreachable",
	.nb_next = 12,
	.next = {"ip6_lookup", SL_GRAPH_PORT_TX, "punt", "ip6_icmp_error", "drop_ip6_local_icmp",
		 "drop_ip6_icmp_bad", "drop_ip6_local_proto", "drop_ip6_local_ext",
		 "drop_ip6_ndp_hop_limit", "drop_ip6_echo_no_src", "drop_no_headroom",
		 "drop_ip6_egress_down"},
};
SL_GRAPH_NODE_REGISTER(ip6_local)
SL_GRAPH_DROP_NODE(drop_ip6_local_icmp, "drop_ip6_local_icmp",
		   "ICMPv6 to the router other than echo request and neighbour discovery "
		   "(consumed)")
SL_GRAPH_DROP_NODE(drop_ip6_icmp_bad, "drop_ip6_icmp_bad",
		   "ICMPv6 to the router too short, chained or checksum wrong")
SL_GRAPH_DROP_NODE(drop_ip6_local_proto, "drop_ip6_local_proto",
		   "TCP or another protocol to the router (no local stack)")
SL_GRAPH_DROP_NODE(drop_ip6_local_ext, "drop_ip6_local_ext",
		   "to the router with extension headers (not parsed for local delivery)")
SL_GRAPH_DROP_NODE(drop_ip6_ndp_hop_limit, "drop_ip6_ndp_hop_limit",
		   "neighbour discovery with a hop limit below 255: from off link "
		   "(RFC 4861 7.1)")
SL_GRAPH_DROP_NODE(drop_ip6_echo_no_src, "drop_ip6_echo_no_src",
		   "echo request to a multicast group on an interface with no IPv6 address")

/* --- ip6_icmp_error --- */
enum { E6_LOOKUP, E6_TX, E6_NOT_SENT, E6_RATE };

/*
 * Whether the packet is itself an ICMPv6 error (RFC 4443 2.4(e.1)): walks the extension
 * headers as far as the data goes (at most 8, like lib/net's parser).  A chain it cannot
 * follow, or a non-first fragment, is taken as not an error (as Linux does).
 */
static bool is_icmp6_error(const struct sl_pktbuf *p)
{
	const uint8_t *b = sl_pktbuf_mtod(p, const uint8_t *);
	unsigned off = SL_IPV6_HDR_LEN, len = p->data_len;
	uint8_t proto = ((const struct sl_ipv6_hdr *)b)->proto;

	for (int i = 0; i < 8 && is_ext_hdr(proto); i++) {
		const uint8_t *e = b + off;
		unsigned elen;

		if (off + 8 > len)
			return false;
		if (proto == SL_IPPROTO_FRAGMENT) {
			const struct sl_ipv6_frag_hdr *f = (const struct sl_ipv6_frag_hdr *)e;

			if (f->frag_data & sl_htons(SL_IPV6_FRAG_OFFSET_MASK))
				return false; /* its upper-layer header is in the first one */
			elen = 8;
		} else if (proto == SL_IPPROTO_AH) {
			elen = ((unsigned)e[1] + 2) * 4; /* RFC 4302 2.2: in 32-bit words */
		} else {
			elen = ((unsigned)e[1] + 1) * 8;
		}
		proto = e[0];
		off += elen;
	}
	/* an ICMPv6 header whose type is cut off counts as an error (not answered) */
	return proto == SL_IPPROTO_ICMPV6 && (off >= len || b[off] <= ICMP6_ERROR_MAX);
}

static uint16_t icmp6_error(struct rt_icmp_bucket *b, struct sl_pktbuf *p)
{
	static const uint8_t type_code[][2] = {
		[RT_ICMP_TTL] = {ICMP6_TIME_EXCEEDED, 0},	  /* hop limit exceeded */
		[RT_ICMP_NET_UNREACH] = {ICMP6_DEST_UNREACH, 0},  /* no route */
		[RT_ICMP_HOST_UNREACH] = {ICMP6_DEST_UNREACH, 3}, /* address unreachable */
		[RT_ICMP_PORT_UNREACH] = {ICMP6_DEST_UNREACH, 4},
		[RT_ICMP_FRAG_NEEDED] = {ICMP6_PKT_TOO_BIG, 0},
	};
	struct rt_meta *m = rt_meta(p);
	const struct sl_ipv6_hdr *orig = sl_pktbuf_mtod(p, const struct sl_ipv6_hdr *);
	uint8_t osrc[16], src[16], dmac[6];
	bool ll;
	uint32_t mtu = 0;

	if (m->flags & RT_M_HOST_UNREACH)
		m->why = RT_ICMP_HOST_UNREACH;
	/* RFC 4443 2.4(e): never about an error, a multicast destination (but packet too
	 * big), nor to a source that is not one host; nor about the router's own packets
	 * (errors and replies: it would answer itself) */
	if ((m->flags & (RT_M_ERROR | RT_M_LOCAL_ORIGIN)) || m->why == 0 ||
	    m->why > RT_ICMP_FRAG_NEEDED || p->nb_segs != 1 || p->data_len < SL_IPV6_HDR_LEN)
		return E6_NOT_SENT;
	if (rt_ip6_is_mcast(orig->src_addr) || rt_ip6_is_unspec(orig->src_addr) ||
	    rt_ip6_is_loopback(orig->src_addr) ||
	    (rt_ip6_is_mcast(orig->dst_addr) && m->why != RT_ICMP_FRAG_NEEDED) || is_icmp6_error(p))
		return E6_NOT_SENT;
	memcpy(osrc, orig->src_addr, 16);
	ll = rt_ip6_is_link_local(osrc);
	/* about a packet for the router itself (port unreachable): from the address it was
	 * sent to (RFC 4443 2.2 (a)); else a source of the asker's scope on the input
	 * interface, else (global) any other */
	if (m->why == RT_ICMP_PORT_UNREACH && !rt_ip6_is_mcast(orig->dst_addr))
		memcpy(src, orig->dst_addr, 16);
	else if (!iface_src6(rt_iface(m->iface), ll, src)) {
		uint16_t port;

		if (ll)
			return E6_NOT_SENT;
		for (port = 0; port < SL_PORT_MAX; port++)
			if (iface_src6(rt_iface(port), false, src))
				break;
		if (port == SL_PORT_MAX)
			return E6_NOT_SENT;
	}
	if (ll) {
		/* sent back on its link without a lookup: keep the asker's MAC before the
		 * new headers overwrite the old Ethernet header */
		const uint8_t *mac = l2_sender(p);

		if (!mac)
			return E6_NOT_SENT;
		memcpy(dmac, mac, 6);
	}
	if (!rt_icmp_allow(b))
		return E6_RATE;
	if (m->why == RT_ICMP_FRAG_NEEDED) {
		const struct rt_iface *ifc = rt_iface(rt.nh[m->nh].port);

		mtu = ifc ? ifc->mtu : 0;
	}
	/* RFC 4443 2.4(c): as much of the invoking packet as fits the minimum MTU */
	if (p->pkt_len > ICMP6_ERR_MAX_PKT - SL_IPV6_HDR_LEN - ICMP6_ERR_HDR_LEN)
		sl_pktbuf_trim(p, (uint16_t)(p->pkt_len - (ICMP6_ERR_MAX_PKT - SL_IPV6_HDR_LEN -
							   ICMP6_ERR_HDR_LEN)));

	struct sl_ipv6_hdr *ip6 =
		(struct sl_ipv6_hdr *)sl_pktbuf_prepend(p, SL_IPV6_HDR_LEN + ICMP6_ERR_HDR_LEN);

	if (!ip6)
		return E6_NOT_SENT;

	struct sl_icmp6_hdr *icmp = (struct sl_icmp6_hdr *)(ip6 + 1);
	uint32_t word = sl_htonl(mtu); /* packet too big: the MTU; others: unused, zero */

	ip6->vtc_flow = sl_htonl(6u << 28);
	ip6->payload_len = sl_htons((uint16_t)(p->pkt_len - SL_IPV6_HDR_LEN));
	ip6->proto = SL_IPPROTO_ICMPV6;
	ip6->hop_limits = ERROR_HOP_LIMIT;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, osrc, 16);
	icmp->type = type_code[m->why][0];
	icmp->code = type_code[m->why][1];
	memcpy(icmp + 1, &word, 4);
	icmp->cksum = 0;
	icmp->cksum = sl_ipv6_udptcp_cksum(ip6, icmp);
	m->flags = RT_M_LOCAL_ORIGIN | RT_M_ERROR;
	if (!ll)
		return E6_LOOKUP;
	return reflect_l2(p, m->iface, dmac) == 0 ? E6_TX : E6_NOT_SENT;
}

static uint16_t ip6_icmp_error_process(struct sl_graph *g, struct sl_graph_node *node,
				       struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];
	struct rt_icmp_bucket *b = sl_graph_node_ctx(node);

	for (uint16_t i = 0; i < n; i++)
		edges[i] = icmp6_error(b, pkts[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static int icmp6_error_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
			     size_t len)
{
	static const char *const why[] = {"?",
					  "hop limit exceeded",
					  "no route",
					  "address unreachable",
					  "port unreachable",
					  "packet too big"};
	const struct rt_meta *m = (const struct rt_meta *)&p->udata64;
	unsigned w = (m->flags & RT_M_HOST_UNREACH) ? RT_ICMP_HOST_UNREACH : m->why;

	(void)node;
	return snprintf(buf, len, "%s", why[w <= RT_ICMP_FRAG_NEEDED ? w : 0]);
}

static struct sl_graph_node_type ip6_icmp_error = {
	.name = "ip6_icmp_error",
	.process = ip6_icmp_error_process,
	.trace = icmp6_error_trace,
	.help = "turns the packet into an ICMPv6 error to its source (RFC 4443, rate limited)",
	.nb_next = 4,
	.next = {"ip6_lookup", SL_GRAPH_PORT_TX, "drop_ip6_icmp_not_sent",
		 "drop_ip6_icmp_ratelimit"},
};
SL_GRAPH_NODE_REGISTER(ip6_icmp_error)
SL_GRAPH_DROP_NODE(drop_ip6_icmp_not_sent, "drop_ip6_icmp_not_sent",
		   "an ICMPv6 error was due but not allowed (about an error or the router's own "
		   "packet, to or from multicast, from ::, or no source address)")
SL_GRAPH_DROP_NODE(drop_ip6_icmp_ratelimit, "drop_ip6_icmp_ratelimit",
		   "an ICMPv6 error was due but over the rate limit")
