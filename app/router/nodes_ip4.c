/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 nodes: ip4_input (header checks), ip4_lookup (LPM, next-hop kind), ip4_rewrite
 * (TTL, MTU, neighbour, Ethernet header), ip4_local (echo replies, port unreachable) and
 * ip4_icmp_error (time exceeded, unreachable, fragmentation needed; RFC 792, RFC 1812).
 */
#include <string.h>

#include "router.h"
#include "sl_cksum.h"

/* --- ip4_input --- */
enum {
	I4_LOOKUP,
	I4_TRUNC,
	I4_VERSION,
	I4_HLEN,
	I4_CKSUM,
	I4_LEN,
	I4_MARTIAN_SRC,
	I4_MARTIAN_DST,
	I4_MCAST,
	I4_L2_BCAST
};

static inline bool martian_src(uint32_t s)
{
	/* 0/8, 127/8, 224/4 and above (multicast, reserved, broadcast) */
	return (s >> 24) == 0 || (s >> 24) == 127 || s >= 0xe0000000u;
}

static inline uint16_t ip4_check(struct sl_pktbuf *p)
{
	const struct sl_ipv4_hdr *ip = sl_pktbuf_mtod(p, const struct sl_ipv4_hdr *);
	unsigned hlen, tlen;

	if (sl_unlikely(p->data_len < SL_IPV4_HDR_LEN))
		return I4_TRUNC;
	if (sl_unlikely((ip->version_ihl >> 4) != 4))
		return I4_VERSION;
	hlen = sl_ipv4_hdr_len(ip);
	if (sl_unlikely(hlen < SL_IPV4_HDR_LEN))
		return I4_HLEN;
	if (sl_unlikely(hlen > p->data_len))
		return I4_TRUNC;
	if (!(p->ol_flags & SL_PKT_RX_IP_CKSUM_GOOD)) {
		if (sl_unlikely(p->ol_flags & SL_PKT_RX_IP_CKSUM_BAD))
			return I4_CKSUM;
		if (sl_likely(hlen == SL_IPV4_HDR_LEN) ? !sl_ipv4_cksum_ok20(ip)
						       : sl_cksum(ip, hlen) != 0)
			return I4_CKSUM;
	}
	tlen = sl_ntohs(ip->total_length);
	if (sl_unlikely(tlen < hlen || tlen > p->pkt_len))
		return I4_LEN;
	if (sl_unlikely(tlen < p->pkt_len)) /* Ethernet padding */
		sl_pktbuf_trim(p, (uint16_t)(p->pkt_len - tlen));

	uint32_t src = sl_ntohl(ip->src_addr), dst = sl_ntohl(ip->dst_addr);

	if (sl_unlikely(martian_src(src)))
		return I4_MARTIAN_SRC;
	if (sl_unlikely(dst >= 0xe0000000u))
		return I4_MCAST;
	/* RFC 1812 5.3.7: never forward to 0/8 or 127/8 */
	if (sl_unlikely((dst >> 24) == 0 || (dst >> 24) == 127))
		return I4_MARTIAN_DST;
	/* RFC 1812 5.3.4: not forwarded when it came as a link-layer broadcast */
	if (sl_unlikely(rt_meta(p)->flags & RT_M_L2_GROUP))
		return I4_L2_BCAST;
	return I4_LOOKUP;
}

static uint16_t ip4_input_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++)
		edges[i] = ip4_check(pkts[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_graph_node_type ip4_input = {
	.name = "ip4_input",
	.process = ip4_input_process,
	.help = "checks version, header length, checksum and total length",
	.nb_next = 10,
	.next = {"ip4_lookup", "drop_ip4_truncated", "drop_ip4_bad_version", "drop_ip4_bad_hdr_len",
		 "drop_ip4_bad_checksum", "drop_ip4_bad_length", "drop_ip4_martian_src",
		 "drop_ip4_martian_dst", "drop_ip4_multicast", "drop_ip4_l2_broadcast"},
};
SL_GRAPH_NODE_REGISTER(ip4_input)
SL_GRAPH_DROP_NODE(drop_ip4_truncated, "drop_ip4_truncated", "shorter than its IPv4 header")
SL_GRAPH_DROP_NODE(drop_ip4_bad_version, "drop_ip4_bad_version", "IPv4 ether type, version not 4")
SL_GRAPH_DROP_NODE(drop_ip4_bad_hdr_len, "drop_ip4_bad_hdr_len", "IHL below 5")
SL_GRAPH_DROP_NODE(drop_ip4_bad_checksum, "drop_ip4_bad_checksum", "IPv4 header checksum wrong")
SL_GRAPH_DROP_NODE(drop_ip4_bad_length, "drop_ip4_bad_length",
		   "total length below the header or beyond the frame")
SL_GRAPH_DROP_NODE(drop_ip4_martian_src, "drop_ip4_martian_src",
		   "source 0/8, 127/8, multicast or broadcast")
SL_GRAPH_DROP_NODE(drop_ip4_martian_dst, "drop_ip4_martian_dst",
		   "destination 0/8 or 127/8 (RFC 1812 5.3.7)")
SL_GRAPH_DROP_NODE(drop_ip4_multicast, "drop_ip4_multicast",
		   "multicast or broadcast destination (no multicast routing)")
SL_GRAPH_DROP_NODE(drop_ip4_l2_broadcast, "drop_ip4_l2_broadcast",
		   "unicast IPv4 in a link-layer broadcast (RFC 1812 5.3.4)")

/* --- ip4_lookup --- */
enum { L4_REWRITE, L4_LOCAL, L4_BLACKHOLE, L4_ERROR };

uint32_t rt_flow_hash4(const struct sl_pktbuf *p, const struct sl_ipv4_hdr *ip)
{
	uint32_t h, ports = 0;

	if (p->ol_flags & SL_PKT_RX_RSS_HASH)
		return p->rss_hash;
	if ((ip->next_proto_id == SL_IPPROTO_TCP || ip->next_proto_id == SL_IPPROTO_UDP) &&
	    !sl_ipv4_is_fragment(ip) && p->data_len >= sl_ipv4_hdr_len(ip) + 4)
		memcpy(&ports, (const uint8_t *)ip + sl_ipv4_hdr_len(ip), 4);
	h = ip->src_addr * 0x9e3779b1u ^ ip->dst_addr * 0x85ebca6bu ^ ports * 0xc2b2ae35u ^
	    ip->next_proto_id;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	return h ^ (h >> 12);
}

static inline uint16_t lookup_edge(struct sl_pktbuf *p, const struct sl_ipv4_hdr *ip, uint32_t id)
{
	struct rt_meta *m = rt_meta(p);
	const struct rt_nh *nh = &rt.nh[id];

	if (sl_unlikely(nh->type == RT_NH_GROUP)) {
		id = rt_nh_member(nh, id, rt_flow_hash4(p, ip));
		nh = &rt.nh[id];
	}
	m->nh = id;
	switch (nh->type) {
	case RT_NH_NEIGH:
	case RT_NH_CONNECTED:
		/* a subnet's host is resolved by ip4_rewrite's punt, after its TTL and MTU
		 * checks (a CONNECTED next hop's state is never reachable) */
		return L4_REWRITE;
	case RT_NH_LOCAL:
		return L4_LOCAL;
	case RT_NH_BLACKHOLE:
		return L4_BLACKHOLE;
	case RT_NH_REJECT:
		m->why = RT_ICMP_HOST_UNREACH;
		return L4_ERROR;
	default: /* RT_NH_ID_NONE: no route */
		m->why = RT_ICMP_NET_UNREACH;
		return L4_ERROR;
	}
}

static uint16_t ip4_lookup_process(struct sl_graph *g, struct sl_graph_node *node,
				   struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];
	uint32_t ips[SL_GRAPH_VEC_SIZE], ids[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++)
		ips[i] = sl_ntohl(sl_pktbuf_mtod(pkts[i], const struct sl_ipv4_hdr *)->dst_addr);
	sl_lpm_lookup_bulk(rt.rt4, ips, ids, n, RT_NH_ID_NONE);
	for (uint16_t i = 0; i < n; i++)
		edges[i] = lookup_edge(pkts[i], sl_pktbuf_mtod(pkts[i], const struct sl_ipv4_hdr *),
				       ids[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

/* Both lookups' trace text: the next hop chosen and its kind. */
int rt_lookup_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
		    size_t len)
{
	const struct rt_meta *m = (const struct rt_meta *)&p->udata64;

	(void)node;
	return snprintf(buf, len, "nh %u (%s)%s", m->nh,
			m->nh ? rt_nh_kind(rt.nh[m->nh].type) : "no route",
			m->flags & RT_M_LOCAL_ORIGIN ? " local origin" : "");
}

static struct sl_graph_node_type ip4_lookup = {
	.name = "ip4_lookup",
	.process = ip4_lookup_process,
	.trace = rt_lookup_trace,
	.help = "longest-prefix match on the destination, then what kind of next hop",
	.nb_next = 4,
	.next = {"ip4_rewrite", "ip4_local", "drop_ip4_blackhole", "ip4_icmp_error"},
};
SL_GRAPH_NODE_REGISTER(ip4_lookup)
SL_GRAPH_DROP_NODE(drop_ip4_blackhole, "drop_ip4_blackhole", "route to a blackhole")

/* --- ip4_rewrite --- */
enum { W4_TX, W4_PUNT, W4_ERROR, W4_DOWN, W4_FRAG, W4_HEADROOM };

/* What rewrite reads of a next hop, kept across a vector: its packets mostly share one. */
struct rw_cache {
	uint32_t id;
	const struct rt_nh *nh;
	const struct rt_iface *ifc;
	uint64_t link;
};

static inline uint16_t rewrite(struct sl_pktbuf *p, struct rw_cache *c)
{
	struct rt_meta *m = rt_meta(p);
	struct sl_ipv4_hdr *ip = sl_pktbuf_mtod(p, struct sl_ipv4_hdr *);

	if (sl_unlikely(m->nh != c->id)) {
		c->id = m->nh;
		c->nh = &rt.nh[m->nh];
		c->ifc = rt_iface(c->nh->port);
		c->link = __atomic_load_n(&c->nh->link, __ATOMIC_ACQUIRE);
	}

	const struct rt_nh *nh = c->nh;
	const struct rt_iface *ifc = c->ifc;
	uint64_t link = c->link;
	unsigned st;

	if (sl_unlikely(!ifc || !ifc->up))
		return W4_DOWN;
	if (sl_unlikely(ip->time_to_live <= 1) && !(m->flags & RT_M_LOCAL_ORIGIN)) {
		m->why = RT_ICMP_TTL;
		return W4_ERROR;
	}
	if (sl_unlikely(p->pkt_len > ifc->mtu)) {
		if (!(ip->fragment_offset & sl_htons(SL_IPV4_HDR_DF_FLAG)))
			return W4_FRAG;
		m->why = RT_ICMP_FRAG_NEEDED;
		return W4_ERROR;
	}
	st = rt_link_state(link);
	if (sl_unlikely(st != RT_NS_REACHABLE && st != RT_NS_STATIC)) {
		if (st == RT_NS_FAILED) {
			m->why = RT_ICMP_HOST_UNREACH;
			return W4_ERROR;
		}
		m->why = RT_PUNT_RESOLVE4;
		return W4_PUNT;
	}
	if (!(m->flags & RT_M_LOCAL_ORIGIN))
		sl_ipv4_ttl_dec(ip);

	struct sl_ether_hdr *eth = (struct sl_ether_hdr *)sl_pktbuf_prepend(p, SL_ETHER_HDR_LEN);

	if (sl_unlikely(!eth))
		return W4_HEADROOM;
	/* one 8-byte store: the MAC in bytes 0-5 (state and a zero after it are overwritten
	 * by the source MAC right away) */
	memcpy(eth, &link, sizeof(link));
	eth->src = ifc->mac;
	eth->ether_type = sl_htons(SL_ETHER_TYPE_IPV4);
	p->port = nh->port;
	return W4_TX;
}

static uint16_t ip4_rewrite_process(struct sl_graph *g, struct sl_graph_node *node,
				    struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];
	struct rw_cache c = {.id = UINT32_MAX};

	for (uint16_t i = 0; i < n; i++)
		edges[i] = rewrite(pkts[i], &c);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static int rewrite_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
			 size_t len)
{
	const struct rt_meta *m = (const struct rt_meta *)&p->udata64;
	const struct rt_nh *nh = &rt.nh[m->nh];
	char a[48] = "";

	(void)node;
	if (nh->family == 4)
		sl_ipv4_addr_format(a, sizeof(a), sl_htonl(nh->ip4));
	else
		sl_ipv6_addr_format(a, sizeof(a), nh->ip6);
	return snprintf(buf, len, "nh %u via %s port %u state %u", m->nh, a, nh->port,
			rt_link_state(nh->link));
}

static struct sl_graph_node_type ip4_rewrite = {
	.name = "ip4_rewrite",
	.process = ip4_rewrite_process,
	.trace = rewrite_trace,
	.help = "TTL and MTU checks, TTL decrement, Ethernet header for the next hop",
	.nb_next = 6,
	.next = {SL_GRAPH_PORT_TX, "punt", "ip4_icmp_error", "drop_ip4_egress_down",
		 "drop_ip4_frag_unsupported", "drop_no_headroom"},
};
SL_GRAPH_NODE_REGISTER(ip4_rewrite)
SL_GRAPH_DROP_NODE(drop_ip4_egress_down, "drop_ip4_egress_down", "the next hop's interface is down")
SL_GRAPH_DROP_NODE(drop_ip4_frag_unsupported, "drop_ip4_frag_unsupported",
		   "bigger than the egress MTU without DF (fragmentation is not implemented)")
SL_GRAPH_DROP_NODE(drop_no_headroom, "drop_no_headroom", "no headroom for the Ethernet header")

/* --- ip4_local: packets for one of the router's own addresses --- */
enum { LC_LOOKUP, LC_ERROR, LC_ICMP_OTHER, LC_ICMP_BAD, LC_PROTO, LC_FRAG };

static inline uint16_t local4(struct sl_pktbuf *p)
{
	struct sl_ipv4_hdr *ip = sl_pktbuf_mtod(p, struct sl_ipv4_hdr *);
	unsigned hlen = sl_ipv4_hdr_len(ip), l4len = p->pkt_len - hlen;
	struct rt_meta *m = rt_meta(p);

	if (sl_unlikely(sl_ipv4_is_fragment(ip)))
		return LC_FRAG;
	if (ip->next_proto_id == SL_IPPROTO_UDP) {
		m->why = RT_ICMP_PORT_UNREACH;
		return LC_ERROR;
	}
	if (ip->next_proto_id != SL_IPPROTO_ICMP)
		return LC_PROTO;

	struct sl_icmp_hdr *icmp = (struct sl_icmp_hdr *)((uint8_t *)ip + hlen);

	if (l4len < sizeof(*icmp) || p->data_len < p->pkt_len || sl_cksum(icmp, l4len) != 0)
		return LC_ICMP_BAD;
	if (icmp->icmp_type != SL_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return LC_ICMP_OTHER;

	uint32_t src = ip->src_addr;
	uint16_t old = *(uint16_t *)icmp, neww;

	icmp->icmp_type = SL_ICMP_ECHO_REPLY;
	memcpy(&neww, icmp, 2);
	icmp->icmp_cksum = sl_cksum_update16(icmp->icmp_cksum, old, neww);
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = src;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = sl_ipv4_cksum(ip);
	m->flags |= RT_M_LOCAL_ORIGIN;
	return LC_LOOKUP;
}

static uint16_t ip4_local_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];

	for (uint16_t i = 0; i < n; i++)
		edges[i] = local4(pkts[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_graph_node_type ip4_local = {
	.name = "ip4_local",
	.process = ip4_local_process,
	.help = "answers echo requests to own addresses; UDP gets port unreachable",
	.nb_next = 6,
	.next = {"ip4_lookup", "ip4_icmp_error", "drop_ip4_local_icmp", "drop_icmp_bad",
		 "drop_ip4_local_proto", "drop_ip4_local_fragment"},
};
SL_GRAPH_NODE_REGISTER(ip4_local)
SL_GRAPH_DROP_NODE(drop_ip4_local_icmp, "drop_ip4_local_icmp",
		   "ICMP to the router other than echo request (consumed)")
SL_GRAPH_DROP_NODE(drop_icmp_bad, "drop_icmp_bad", "ICMP too short, chained or checksum wrong")
SL_GRAPH_DROP_NODE(drop_ip4_local_proto, "drop_ip4_local_proto",
		   "TCP or another protocol to the router (no local stack)")
SL_GRAPH_DROP_NODE(drop_ip4_local_fragment, "drop_ip4_local_fragment",
		   "fragment addressed to the router (no reassembly)")

/* --- ip4_icmp_error --- */
enum { E4_LOOKUP, E4_NOT_SENT, E4_RATE };

bool rt_icmp_allow(struct rt_icmp_bucket *b)
{
	uint64_t now = sl_rdtsc(), dt;

	if (!rt.icmp_rate)
		return true;
	if (!b->hz) {
		b->hz = sl_tsc_hz();
		b->tokens = b->hz * rt.icmp_rate; /* start full */
		b->last = now;
	}
	dt = SL_MIN(now - b->last, b->hz); /* a second refills the whole bucket */
	b->tokens = SL_MIN(b->hz * rt.icmp_rate, b->tokens + dt * rt.icmp_rate);
	b->last = now;
	if (b->tokens < b->hz)
		return false;
	b->tokens -= b->hz;
	return true;
}

static uint32_t source_addr4(uint16_t iface)
{
	const struct rt_iface *ifc = rt_iface(iface);
	uint16_t port;

	if (ifc && ifc->nb_addr4)
		return ifc->addr4[0].ip;
	for (port = 0; port < SL_PORT_MAX; port++)
		if ((ifc = rt_iface(port)) && ifc->nb_addr4)
			return ifc->addr4[0].ip;
	return 0;
}

static inline bool is_icmp_error(const struct sl_ipv4_hdr *ip, unsigned len)
{
	const uint8_t *t = (const uint8_t *)ip + sl_ipv4_hdr_len(ip);

	if (ip->next_proto_id != SL_IPPROTO_ICMP || len < sl_ipv4_hdr_len(ip) + 1)
		return false;
	return *t == 3 || *t == 4 || *t == 5 || *t == 11 || *t == 12;
}

static uint16_t icmp4_error(struct rt_icmp_bucket *b, struct sl_pktbuf *p)
{
	struct rt_meta *m = rt_meta(p);
	struct sl_ipv4_hdr *orig = sl_pktbuf_mtod(p, struct sl_ipv4_hdr *);
	uint32_t osrc = sl_ntohl(orig->src_addr), src;
	static const uint8_t type_code[][2] = {
		[RT_ICMP_TTL] = {SL_ICMP_TIME_EXCEEDED, 0},
		[RT_ICMP_NET_UNREACH] = {SL_ICMP_DEST_UNREACH, 0},
		[RT_ICMP_HOST_UNREACH] = {SL_ICMP_DEST_UNREACH, 1},
		[RT_ICMP_PORT_UNREACH] = {SL_ICMP_DEST_UNREACH, 3},
		[RT_ICMP_FRAG_NEEDED] = {SL_ICMP_DEST_UNREACH, 4},
	};
	uint16_t mtu = 0;

	if (m->flags & RT_M_HOST_UNREACH)
		m->why = RT_ICMP_HOST_UNREACH;
	/* RFC 1812 4.3.2.7: never about an ICMP error, a non-first fragment, or a packet from
	 * an address that is not one host; and not twice for the router's own error */
	if ((m->flags & (RT_M_ERROR | RT_M_LOCAL_ORIGIN)) || m->why == 0 ||
	    m->why > RT_ICMP_FRAG_NEEDED || martian_src(osrc) ||
	    (orig->fragment_offset & sl_htons(SL_IPV4_HDR_OFFSET_MASK)) ||
	    is_icmp_error(orig, p->pkt_len))
		return E4_NOT_SENT;
	/* about a packet for the router itself (port unreachable): from the address it was
	 * sent to, as the sender expects (RFC 1812 4.3.2.4); else the input interface's */
	src = m->why == RT_ICMP_PORT_UNREACH ? sl_ntohl(orig->dst_addr) : source_addr4(m->iface);
	if (!src)
		return E4_NOT_SENT;
	if (!rt_icmp_allow(b))
		return E4_RATE;
	if (m->why == RT_ICMP_FRAG_NEEDED) {
		const struct rt_iface *ifc = rt_iface(rt.nh[m->nh].port);

		mtu = ifc ? ifc->mtu : 0;
	}
	/* RFC 1812 4.3.2.3: as much of the original as fits in 576 bytes */
	if (p->pkt_len > 576 - 28)
		sl_pktbuf_trim(p, (uint16_t)(p->pkt_len - (576 - 28)));

	struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)sl_pktbuf_prepend(p, 28);

	if (!ip)
		return E4_NOT_SENT;

	struct sl_icmp_hdr *icmp = (struct sl_icmp_hdr *)(ip + 1);

	icmp->icmp_type = type_code[m->why][0];
	icmp->icmp_code = type_code[m->why][1];
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = sl_htons(mtu);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = sl_cksum(icmp, p->pkt_len - 20);
	ip->version_ihl = SL_IPV4_VERSION_IHL;
	ip->type_of_service = 0xc0; /* internetwork control */
	ip->total_length = sl_htons((uint16_t)p->pkt_len);
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = SL_IPPROTO_ICMP;
	ip->src_addr = sl_htonl(src);
	ip->dst_addr = sl_htonl(osrc);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = sl_ipv4_cksum(ip);
	m->flags = RT_M_LOCAL_ORIGIN | RT_M_ERROR;
	return E4_LOOKUP;
}

static uint16_t ip4_icmp_error_process(struct sl_graph *g, struct sl_graph_node *node,
				       struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];
	struct rt_icmp_bucket *b = sl_graph_node_ctx(node);

	for (uint16_t i = 0; i < n; i++)
		edges[i] = icmp4_error(b, pkts[i]);
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static int icmp_error_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
			    size_t len)
{
	static const char *const why[] = {"?",
					  "ttl exceeded",
					  "net unreachable",
					  "host unreachable",
					  "port unreachable",
					  "frag needed"};
	const struct rt_meta *m = (const struct rt_meta *)&p->udata64;

	(void)node;
	return snprintf(buf, len, "%s", why[m->why <= RT_ICMP_FRAG_NEEDED ? m->why : 0]);
}

static struct sl_graph_node_type ip4_icmp_error = {
	.name = "ip4_icmp_error",
	.process = ip4_icmp_error_process,
	.trace = icmp_error_trace,
	.help = "turns the packet into an ICMP error to its source (rate limited)",
	.nb_next = 3,
	.next = {"ip4_lookup", "drop_icmp_not_sent", "drop_icmp_rate_limit"},
};
SL_GRAPH_NODE_REGISTER(ip4_icmp_error)
SL_GRAPH_DROP_NODE(drop_icmp_not_sent, "drop_icmp_not_sent",
		   "an ICMP error was due but not allowed (about an error, a fragment, a "
		   "non-host source, or no source address)")
SL_GRAPH_DROP_NODE(drop_icmp_rate_limit, "drop_icmp_rate_limit",
		   "an ICMP error was due but over the rate limit")
