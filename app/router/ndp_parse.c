/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour discovery parser: checks a frame as RFC 4861 6.1, 7.1 and 8.1 ask (hop
 * limit 255, code 0, checksum, lengths, well-formed options, address rules) and says what
 * it holds.  It reads nothing but the frame, so tests/fuzz/fuzz_ndp.c runs it alone.
 */
#include <errno.h>
#include <string.h>

#include "ip6_addr.h"
#include "router.h"
#include "sl_cksum.h"

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
	if (ip6->hop_limits != ND_HOP_LIMIT || icmp[1] != 0 || rt_ip6_is_mcast(ip6->src_addr) ||
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
			if (!rt_mac_is_unicast(&out->lladdr))
				return -EBADMSG;
		}
		off += olen;
	}

	switch (out->type) {
	case SL_ICMP6_NEIGH_SOLICIT:
		/* 7.1.1: the target is never multicast; duplicate address detection (source
		 * ::) goes to a solicited-node group and carries no source address option */
		if (rt_ip6_is_mcast(out->target))
			return -EBADMSG;
		if (rt_ip6_is_unspec(out->src) &&
		    (!rt_ip6_is_solicited_node(out->dst) || out->has_lladdr))
			return -EBADMSG;
		break;
	case SL_ICMP6_NEIGH_ADVERT:
		/* 7.1.2: target not multicast; a multicast advertisement is not solicited;
		 * the source is a unicast address of the advertiser */
		if (rt_ip6_is_mcast(out->target) || rt_ip6_is_unspec(out->src) ||
		    (rt_ip6_is_mcast(out->dst) && (out->na_flags & RT_NDP_NA_SOLICITED)))
			return -EBADMSG;
		break;
	case ND_ROUTER_SOLICIT:
		/* 6.1.1 */
		if (rt_ip6_is_unspec(out->src) && out->has_lladdr)
			return -EBADMSG;
		break;
	default: /* RA (6.1.2), redirect (8.1): from a router's link-local address */
		if (!rt_ip6_is_link_local(out->src))
			return -EBADMSG;
	}
	return 0;
}
