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

#include "router.h"
#include "sl_cksum.h"

#define ND_ROUTER_SOLICIT 133
#define ND_ROUTER_ADVERT 134
#define ND_REDIRECT 137
#define ND_HOP_LIMIT 255

/* Options (RFC 4861 4.6): type, length in 8-byte units (never 0), data. */
#define ND_OPT_SRC_LLADDR 1
#define ND_OPT_TGT_LLADDR 2

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

#define ND_NS_NA_MIN 24 /* without options */
#define ND_FRAME_LEN (SL_ETHER_HDR_LEN + SL_IPV6_HDR_LEN + sizeof(struct nd_ns_na))

/* --- the parser's interface ---
 * Proposed for the end of router.h's IPv6 part, so tests and fuzzers can call the
 * parser; kept here until then, and skipped once router.h has it. */

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
static bool is_mcast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static bool is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static bool is_unspec(const uint8_t *a)
{
	static const uint8_t any[16];

	return memcmp(a, any, 16) == 0;
}

/* ff02::1:ff00:0/104 (RFC 4291 2.7.1). */
static bool is_solicited_node(const uint8_t *a)
{
	static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	return memcmp(a, pfx, 13) == 0;
}

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

/* A MAC a neighbour may have: not a group address, not all zeros. */
static bool is_unicast_mac(const struct sl_ether_addr *m)
{
	static const struct sl_ether_addr zero;

	return !(m->bytes[0] & 1) && memcmp(m, &zero, sizeof(zero)) != 0;
}

/* --- parsing --- */
int rt_ndp__parse(const uint8_t *frame, unsigned len, struct rt_ndp_msg *out)
{
	const struct sl_ether_hdr *eth = (const struct sl_ether_hdr *)frame;
	const struct sl_ipv6_hdr *ip6 = (const struct sl_ipv6_hdr *)(frame + SL_ETHER_HDR_LEN);
	const uint8_t *icmp = frame + SL_ETHER_HDR_LEN + SL_IPV6_HDR_LEN;
	unsigned plen, min, off;
	uint8_t want_opt;

	if (len < SL_ETHER_HDR_LEN + SL_IPV6_HDR_LEN + sizeof(struct sl_icmp6_hdr) ||
	    eth->ether_type != sl_htons(SL_ETHER_TYPE_IPV6) || (frame[SL_ETHER_HDR_LEN] >> 4) != 6)
		return -EBADMSG;
	plen = sl_ntohs(ip6->payload_len);
	/* no extension headers: RFC 4861 messages carry none the router would accept */
	if (plen < sizeof(struct sl_icmp6_hdr) || SL_ETHER_HDR_LEN + SL_IPV6_HDR_LEN + plen > len ||
	    ip6->proto != SL_IPPROTO_ICMPV6)
		return -EBADMSG;
	/* RFC 4861 6.1.1, 6.1.2, 7.1.1, 7.1.2, 8.1: hop limit 255 (not forwarded), code 0,
	 * checksum; a multicast source is never valid */
	if (ip6->hop_limits != ND_HOP_LIMIT || icmp[1] != 0 || is_mcast(ip6->src_addr) ||
	    sl_ipv6_udptcp_cksum_verify(ip6, icmp) != 0)
		return -EBADMSG;
	/* an Ethernet source is never a group address */
	if (eth->src.bytes[0] & 1)
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	out->type = icmp[0];
	memcpy(out->src, ip6->src_addr, 16);
	memcpy(out->dst, ip6->dst_addr, 16);
	out->eth_src = eth->src;
	out->eth_dst = eth->dst;
	switch (out->type) {
	case ND_ROUTER_SOLICIT:
		min = 8, want_opt = ND_OPT_SRC_LLADDR;
		break;
	case ND_ROUTER_ADVERT:
		min = 16, want_opt = ND_OPT_SRC_LLADDR;
		break;
	case SL_ICMP6_NEIGH_SOLICIT:
		min = ND_NS_NA_MIN, want_opt = ND_OPT_SRC_LLADDR;
		break;
	case SL_ICMP6_NEIGH_ADVERT:
		min = ND_NS_NA_MIN, want_opt = ND_OPT_TGT_LLADDR;
		break;
	case ND_REDIRECT:
		min = 40, want_opt = ND_OPT_TGT_LLADDR;
		break;
	default:
		return -EBADMSG; /* not neighbour discovery */
	}
	if (plen < min)
		return -EBADMSG;
	if (out->type == SL_ICMP6_NEIGH_SOLICIT || out->type == SL_ICMP6_NEIGH_ADVERT ||
	    out->type == ND_REDIRECT)
		memcpy(out->target, icmp + 8, 16);
	if (out->type == SL_ICMP6_NEIGH_ADVERT)
		out->na_flags =
			icmp[4] & (RT_NDP_NA_ROUTER | RT_NDP_NA_SOLICITED | RT_NDP_NA_OVERRIDE);

	/* RFC 4861 4.6: every option has a length of at least 1 and ends inside the message */
	for (off = min; off < plen;) {
		const uint8_t *opt = icmp + off;
		unsigned olen;

		if (plen - off < 2)
			return -EBADMSG;
		olen = (unsigned)opt[1] * 8;
		if (olen == 0 || olen > plen - off)
			return -EBADMSG;
		/* on Ethernet a link-layer address option is one unit (RFC 2464 8); the first
		 * of its kind counts */
		if (opt[0] == want_opt && olen == 8 && !out->has_lladdr) {
			memcpy(out->lladdr.bytes, opt + 2, 6);
			out->has_lladdr = true;
			if (!is_unicast_mac(&out->lladdr))
				return -EBADMSG;
		}
		off += olen;
	}

	switch (out->type) {
	case SL_ICMP6_NEIGH_SOLICIT:
		/* 7.1.1: the target is never multicast; duplicate address detection (source
		 * ::) goes to a solicited-node group and carries no source address option */
		if (is_mcast(out->target))
			return -EBADMSG;
		if (is_unspec(out->src) && (!is_solicited_node(out->dst) || out->has_lladdr))
			return -EBADMSG;
		break;
	case SL_ICMP6_NEIGH_ADVERT:
		/* 7.1.2: target not multicast; a multicast advertisement is not solicited;
		 * the source is a unicast address of the advertiser */
		if (is_mcast(out->target) || is_unspec(out->src) ||
		    (is_mcast(out->dst) && (out->na_flags & RT_NDP_NA_SOLICITED)))
			return -EBADMSG;
		break;
	case ND_ROUTER_SOLICIT:
		/* 6.1.1 */
		if (is_unspec(out->src) && out->has_lladdr)
			return -EBADMSG;
		break;
	default: /* RA (6.1.2), redirect (8.1): from a router's link-local address */
		if (!is_link_local(out->src))
			return -EBADMSG;
	}
	return 0;
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
	bool dad = is_unspec(m->src);
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
