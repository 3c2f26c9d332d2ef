/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser.  Each layer checks that its whole header lies before `end` (the end of
 * what the enclosing layer carries) before reading it, reads only the bytes it needs
 * through net_read() (a pointer into the first segment, or a copy when the bytes span
 * segments), then narrows `end` to its own payload.
 */
#include <stdbool.h>
#include <string.h>

#include "net_priv.h"
#include "sl_net.h"
#include "sl_parse.h"

/* What one level (outer, or inside a tunnel) holds. */
struct level {
	uint32_t ptype;
	uint32_t l2_len, l3_len, l4_len;
	uint32_t l3_off, l4_off;
	uint32_t l4_end;  /* end of the L4 payload: the IP or UDP length */
	uint16_t dport;   /* UDP destination port, host order */
	uint8_t l4_proto;
	bool l4_parsed;   /* an L4 header (not a fragment) was found */
};

/* Result of the L2 stage: where L3 starts and what it is. */
static int parse_l2(const struct sl_pktbuf *p, uint32_t off, uint32_t end, struct level *lv,
		    uint16_t *type)
{
	uint8_t buf[SL_ETHER_HDR_LEN];
	const struct sl_ether_hdr *eth;
	uint32_t cur, tags;
	uint16_t t;

	if (end - off < SL_ETHER_HDR_LEN)
		return SL_PARSE_ERR_L2_TRUNC;
	eth = net_read(p, off, SL_ETHER_HDR_LEN, buf);
	if (eth == NULL)
		return SL_PARSE_ERR_L2_TRUNC;
	t = sl_ntohs(eth->ether_type);
	cur = off + SL_ETHER_HDR_LEN;
	lv->ptype = SL_PTYPE_L2_ETHER;
	for (tags = 0; t == SL_ETHER_TYPE_VLAN || t == SL_ETHER_TYPE_QINQ ||
		       t == SL_ETHER_TYPE_QINQ_OLD;
	     tags++) {
		struct sl_vlan_hdr vbuf;
		const struct sl_vlan_hdr *vh;

		if (tags == SL_PARSE_MAX_VLANS)
			return SL_PARSE_ERR_VLAN_DEPTH;
		if (end - cur < sizeof(*vh))
			return SL_PARSE_ERR_L2_TRUNC;
		vh = net_read(p, cur, sizeof(*vh), &vbuf);
		if (vh == NULL)
			return SL_PARSE_ERR_L2_TRUNC;
		t = sl_ntohs(vh->eth_proto);
		cur += sizeof(*vh);
		lv->ptype = tags == 0 ? SL_PTYPE_L2_ETHER_VLAN : SL_PTYPE_L2_ETHER_QINQ;
	}
	lv->l2_len = cur - off;
	lv->l3_off = lv->l4_off = cur;
	*type = t;
	return SL_PARSE_OK;
}

static int parse_arp(const struct sl_pktbuf *p, uint32_t off, uint32_t end, struct level *lv)
{
	uint8_t buf[8];
	const uint8_t *a;

	lv->ptype = (lv->ptype & ~SL_PTYPE_L2_MASK) | SL_PTYPE_L2_ETHER_ARP;
	if (end - off < 8)
		return SL_PARSE_ERR_ARP_TRUNC;
	a = net_read(p, off, 8, buf);
	/* Fixed part, then sender and target hardware and protocol addresses. */
	if (a == NULL || end - off - 8 < 2u * ((uint32_t)a[4] + a[5]))
		return SL_PARSE_ERR_ARP_TRUNC;
	return SL_PARSE_OK;
}

static int parse_ipv4(const struct sl_pktbuf *p, uint32_t off, uint32_t end, struct level *lv,
		      bool *frag)
{
	struct sl_ipv4_hdr buf;
	const struct sl_ipv4_hdr *ip;
	uint32_t ihl, tot;

	if (end - off < SL_IPV4_HDR_LEN)
		return SL_PARSE_ERR_IPV4_TRUNC;
	ip = net_read(p, off, sizeof(*ip), &buf);
	if (ip == NULL)
		return SL_PARSE_ERR_IPV4_TRUNC;
	if ((ip->version_ihl >> 4) != 4)
		return SL_PARSE_ERR_IPV4_VERSION;
	ihl = sl_ipv4_hdr_len(ip);
	if (ihl < SL_IPV4_HDR_LEN)
		return SL_PARSE_ERR_IPV4_IHL;
	if (ihl > end - off)
		return SL_PARSE_ERR_IPV4_TRUNC;
	tot = sl_ntohs(ip->total_length);
	if (tot < ihl || tot > end - off)
		return SL_PARSE_ERR_IPV4_LEN;
	lv->ptype |= ihl > SL_IPV4_HDR_LEN ? SL_PTYPE_L3_IPV4_EXT : SL_PTYPE_L3_IPV4;
	lv->l3_len = ihl;
	lv->l4_off = off + ihl;
	lv->l4_end = off + tot;
	lv->l4_proto = ip->next_proto_id;
	*frag = sl_ipv4_is_fragment(ip);
	return SL_PARSE_OK;
}

static bool ipv6_is_ext(uint8_t nh)
{
	return nh == SL_IPPROTO_HOPOPTS || nh == SL_IPPROTO_ROUTING || nh == SL_IPPROTO_DSTOPTS ||
	       nh == SL_IPPROTO_FRAGMENT || nh == SL_IPPROTO_AH;
}

static int parse_ipv6(const struct sl_pktbuf *p, uint32_t off, uint32_t end, struct level *lv,
		      bool *frag)
{
	struct sl_ipv6_hdr buf;
	const struct sl_ipv6_hdr *ip6;
	uint32_t cur, l4_end, n;
	uint8_t nh;

	if (end - off < SL_IPV6_HDR_LEN)
		return SL_PARSE_ERR_IPV6_TRUNC;
	ip6 = net_read(p, off, sizeof(*ip6), &buf);
	if (ip6 == NULL)
		return SL_PARSE_ERR_IPV6_TRUNC;
	if ((((const uint8_t *)ip6)[0] >> 4) != 6)
		return SL_PARSE_ERR_IPV6_VERSION;
	/* payload_len 0 with a jumbo option (RFC 2675) is not supported: it is then too short
	 * for whatever follows and reported below. */
	if (sl_ntohs(ip6->payload_len) > end - off - SL_IPV6_HDR_LEN)
		return SL_PARSE_ERR_IPV6_LEN;
	l4_end = off + SL_IPV6_HDR_LEN + sl_ntohs(ip6->payload_len);
	nh = ip6->proto;
	cur = off + SL_IPV6_HDR_LEN;
	*frag = false;
	for (n = 0; ipv6_is_ext(nh); n++) {
		uint8_t ebuf[8];
		const uint8_t *e;
		uint32_t elen;

		if (n == SL_PARSE_MAX_IPV6_EXT)
			return SL_PARSE_ERR_IPV6_EXT_DEPTH;
		if (l4_end - cur < 8) /* every extension header is at least 8 bytes */
			return SL_PARSE_ERR_IPV6_EXT_LEN;
		e = net_read(p, cur, 8, ebuf);
		if (e == NULL)
			return SL_PARSE_ERR_IPV6_EXT_LEN;
		if (nh == SL_IPPROTO_FRAGMENT)
			elen = 8;
		else if (nh == SL_IPPROTO_AH)
			elen = ((uint32_t)e[1] + 2) * 4; /* RFC 4302: in 4-byte units, minus 2 */
		else
			elen = ((uint32_t)e[1] + 1) * 8;
		if (elen > l4_end - cur)
			return SL_PARSE_ERR_IPV6_EXT_LEN;
		cur += elen;
		/* An atomic fragment (offset 0, M clear; RFC 6946) is a whole packet. */
		if (nh == SL_IPPROTO_FRAGMENT && ((e[2] << 8 | e[3]) & (SL_IPV6_FRAG_OFFSET_MASK |
								     SL_IPV6_FRAG_MF))) {
			*frag = true;
			nh = e[0];
			n++;
			break;
		}
		nh = e[0];
	}
	lv->ptype |= n > 0 ? SL_PTYPE_L3_IPV6_EXT : SL_PTYPE_L3_IPV6;
	lv->l3_len = cur - off;
	lv->l4_off = cur;
	lv->l4_end = l4_end;
	lv->l4_proto = nh;
	return SL_PARSE_OK;
}

static int parse_l4(const struct sl_pktbuf *p, struct level *lv, bool ipv6)
{
	uint32_t off = lv->l4_off, room = lv->l4_end - lv->l4_off;
	uint8_t buf[SL_ETHER_HDR_LEN];

	switch (lv->l4_proto) {
	case SL_IPPROTO_TCP: {
		const struct sl_tcp_hdr *tcp;
		uint32_t doff;

		lv->ptype |= SL_PTYPE_L4_TCP;
		if (room < sizeof(*tcp))
			return SL_PARSE_ERR_L4_TRUNC;
		tcp = net_read(p, off, 14, buf); /* up to data_off and flags */
		if (tcp == NULL)
			return SL_PARSE_ERR_L4_TRUNC;
		doff = sl_tcp_hdr_len(tcp);
		if (doff < 20 || doff > room)
			return SL_PARSE_ERR_TCP_DOFF;
		lv->l4_len = doff;
		break;
	}
	case SL_IPPROTO_UDP: {
		const struct sl_udp_hdr *udp;
		uint32_t dlen;

		lv->ptype |= SL_PTYPE_L4_UDP;
		if (room < sizeof(*udp))
			return SL_PARSE_ERR_L4_TRUNC;
		udp = net_read(p, off, sizeof(*udp), buf);
		if (udp == NULL)
			return SL_PARSE_ERR_L4_TRUNC;
		dlen = sl_ntohs(udp->dgram_len);
		if (dlen < sizeof(*udp) || dlen > room)
			return SL_PARSE_ERR_UDP_LEN;
		lv->l4_len = sizeof(*udp);
		lv->l4_end = off + dlen;
		lv->dport = sl_ntohs(udp->dst_port);
		break;
	}
	case SL_IPPROTO_ICMP:
	case SL_IPPROTO_ICMPV6: {
		uint32_t need = ipv6 ? sizeof(struct sl_icmp6_hdr) : sizeof(struct sl_icmp_hdr);

		lv->ptype |= SL_PTYPE_L4_ICMP;
		if (room < need)
			return SL_PARSE_ERR_L4_TRUNC;
		lv->l4_len = need;
		break;
	}
	case SL_IPPROTO_SCTP:
		lv->ptype |= SL_PTYPE_L4_SCTP;
		if (room < sizeof(struct sl_sctp_hdr))
			return SL_PARSE_ERR_L4_TRUNC;
		lv->l4_len = sizeof(struct sl_sctp_hdr);
		break;
	case SL_IPPROTO_NONE:
		return SL_PARSE_OK;
	default:
		lv->ptype |= SL_PTYPE_L4_OTHER;
		return SL_PARSE_OK;
	}
	lv->l4_parsed = true;
	return SL_PARSE_OK;
}

/*
 * Parses one level from off: an Ethernet header when type is 0, else an L3 of that ether
 * type (GRE or GENEVE carrying IP).  Tunnels are not followed here.
 */
static int parse_level(const struct sl_pktbuf *p, uint32_t off, uint32_t end, uint16_t type,
		       struct level *lv)
{
	bool frag = false;
	int rc;

	memset(lv, 0, sizeof(*lv));
	lv->l3_off = lv->l4_off = off;
	if (type == 0) {
		rc = parse_l2(p, off, end, lv, &type);
		if (rc != SL_PARSE_OK)
			return rc;
		off = lv->l3_off;
	}
	switch (type) {
	case SL_ETHER_TYPE_IPV4:
		rc = parse_ipv4(p, off, end, lv, &frag);
		break;
	case SL_ETHER_TYPE_IPV6:
		rc = parse_ipv6(p, off, end, lv, &frag);
		break;
	case SL_ETHER_TYPE_ARP:
		return parse_arp(p, off, end, lv);
	default:
		return SL_PARSE_OK; /* an L2 we do not look into */
	}
	if (rc != SL_PARSE_OK)
		return rc;
	if (frag) {
		lv->ptype |= SL_PTYPE_L4_FRAG;
		return SL_PARSE_OK;
	}
	return parse_l4(p, lv, type == SL_ETHER_TYPE_IPV6);
}

/* Ether type of the inner packet as the tunnel says it, 0 for Ethernet, -1 for unknown. */
static int inner_type(uint16_t proto)
{
	switch (proto) {
	case SL_ETHER_TYPE_TEB:
		return 0;
	case SL_ETHER_TYPE_IPV4:
	case SL_ETHER_TYPE_IPV6:
		return proto;
	default:
		return -1;
	}
}

/*
 * Recognizes a tunnel after the outer L4.  Returns a reason; *found tells whether there is
 * a tunnel, *tlen its header length and *itype what it carries (see inner_type()).
 */
static int parse_tunnel(const struct sl_pktbuf *p, struct level *o, uint32_t *toff,
			uint32_t *tlen, int *itype, uint32_t *tptype)
{
	uint8_t buf[8];

	*tptype = 0;
	if (o->l4_parsed && (o->ptype & SL_PTYPE_L4_MASK) == SL_PTYPE_L4_UDP &&
	    (o->dport == SL_VXLAN_PORT || o->dport == SL_GENEVE_PORT)) {
		uint32_t off = o->l4_off + o->l4_len, room = o->l4_end - off;

		if (room < 8)
			return SL_PARSE_ERR_TUNNEL_TRUNC;
		*toff = off;
		if (o->dport == SL_VXLAN_PORT) {
			*tptype = SL_PTYPE_TUNNEL_VXLAN;
			*tlen = sizeof(struct sl_vxlan_hdr);
			*itype = 0;
			return SL_PARSE_OK;
		}
		const struct sl_geneve_hdr *g = net_read(p, off, sizeof(*g), buf);

		if (g == NULL)
			return SL_PARSE_ERR_TUNNEL_TRUNC;
		if (g->ver_opt_len >> 6)
			return SL_PARSE_OK; /* unknown version: plain UDP (RFC 8926 3.4) */
		*tptype = SL_PTYPE_TUNNEL_GENEVE;
		*tlen = sizeof(*g) + sl_geneve_opt_len(g);
		if (*tlen > room)
			return SL_PARSE_ERR_GENEVE_OPT_LEN;
		*itype = inner_type(sl_ntohs(g->proto));
		return SL_PARSE_OK;
	}
	if (o->l4_proto == SL_IPPROTO_GRE && (o->ptype & SL_PTYPE_L4_MASK) == SL_PTYPE_L4_OTHER) {
		uint32_t off = o->l4_off, room = o->l4_end - off;
		const struct sl_gre_hdr *g;
		uint16_t fv;

		if (room < sizeof(*g))
			return SL_PARSE_ERR_TUNNEL_TRUNC;
		g = net_read(p, off, sizeof(*g), buf);
		if (g == NULL)
			return SL_PARSE_ERR_TUNNEL_TRUNC;
		fv = sl_ntohs(g->flags_ver);
		/* Version 1 (PPTP) and source routing (RFC 1701) are other formats: leave them. */
		if ((fv & SL_GRE_VERSION_MASK) || (fv & SL_GRE_ROUTING_FLAG))
			return SL_PARSE_OK;
		*tptype = SL_PTYPE_TUNNEL_GRE;
		o->ptype &= ~SL_PTYPE_L4_MASK; /* GRE is the tunnel, not an L4 */
		*toff = off;
		*tlen = sizeof(*g) + ((fv & SL_GRE_CSUM_FLAG) ? 4 : 0) +
			((fv & SL_GRE_KEY_FLAG) ? 4 : 0) + ((fv & SL_GRE_SEQ_FLAG) ? 4 : 0);
		if (*tlen > room)
			return SL_PARSE_ERR_TUNNEL_TRUNC;
		*itype = inner_type(sl_ntohs(g->proto));
		return SL_PARSE_OK;
	}
	return SL_PARSE_OK;
}

static inline unsigned fit(uint32_t v, uint32_t max)
{
	return v <= max ? v : 0;
}

const char *sl_parse_reason_name(unsigned reason)
{
	static const char *const names[] = {
		[SL_PARSE_OK] = "ok",
		[SL_PARSE_ERR_L2_TRUNC] = "l2-trunc",
		[SL_PARSE_ERR_VLAN_DEPTH] = "vlan-depth",
		[SL_PARSE_ERR_ARP_TRUNC] = "arp-trunc",
		[SL_PARSE_ERR_IPV4_TRUNC] = "ipv4-trunc",
		[SL_PARSE_ERR_IPV4_VERSION] = "ipv4-version",
		[SL_PARSE_ERR_IPV4_IHL] = "ipv4-ihl",
		[SL_PARSE_ERR_IPV4_LEN] = "ipv4-len",
		[SL_PARSE_ERR_IPV6_TRUNC] = "ipv6-trunc",
		[SL_PARSE_ERR_IPV6_VERSION] = "ipv6-version",
		[SL_PARSE_ERR_IPV6_LEN] = "ipv6-len",
		[SL_PARSE_ERR_IPV6_EXT_LEN] = "ipv6-ext-len",
		[SL_PARSE_ERR_IPV6_EXT_DEPTH] = "ipv6-ext-depth",
		[SL_PARSE_ERR_L4_TRUNC] = "l4-trunc",
		[SL_PARSE_ERR_TCP_DOFF] = "tcp-doff",
		[SL_PARSE_ERR_UDP_LEN] = "udp-len",
		[SL_PARSE_ERR_TUNNEL_TRUNC] = "tunnel-trunc",
		[SL_PARSE_ERR_GENEVE_OPT_LEN] = "geneve-opt-len",
	};

	static_assert(SL_ARRAY_SIZE(names) == SL_PARSE_REASON_MAX, "a reason has no name");
	return reason < SL_ARRAY_SIZE(names) ? names[reason] : "?";
}

uint32_t sl_net_parse(struct sl_pktbuf *p, struct sl_parse_result *r)
{
	struct level o, in;
	uint32_t toff = 0, tlen = 0, tptype = 0;
	int itype = -1, rc;

	memset(r, 0, sizeof(*r));
	rc = parse_level(p, 0, p->pkt_len, 0, &o);
	if (rc == SL_PARSE_OK)
		rc = parse_tunnel(p, &o, &toff, &tlen, &itype, &tptype);
	r->ptype = o.ptype | tptype;
	r->l2_len = (uint16_t)o.l2_len;
	r->l3_len = (uint16_t)o.l3_len;
	r->l4_len = (uint16_t)o.l4_len;
	r->l3_off = (uint16_t)o.l3_off;
	r->l4_off = (uint16_t)o.l4_off;
	r->l4_proto = o.l4_proto;
	if (rc == SL_PARSE_OK && tptype != 0) {
		r->tunnel_off = (uint16_t)toff;
		r->tunnel_len = (uint16_t)tlen;
		r->inner_off = (uint16_t)(toff + tlen);
		r->inner_l3_off = r->inner_l4_off = r->inner_off;
		if (itype >= 0) {
			rc = parse_level(p, toff + tlen, o.l4_end, (uint16_t)itype, &in);
			r->inner_ptype = in.ptype;
			r->inner_l2_len = (uint16_t)in.l2_len;
			r->inner_l3_len = (uint16_t)in.l3_len;
			r->inner_l4_len = (uint16_t)in.l4_len;
			r->inner_l3_off = (uint16_t)in.l3_off;
			r->inner_l4_off = (uint16_t)in.l4_off;
			r->inner_l4_proto = in.l4_proto;
		}
	}
	if (rc != SL_PARSE_OK) {
		r->ptype |= SL_PTYPE_MALFORMED;
		r->reason = (uint16_t)rc;
	}

	p->packet_type = r->ptype;
	if (tptype == 0) {
		p->l2_len = fit(r->l2_len, 127);
		p->l3_len = fit(r->l3_len, 511);
		p->l4_len = fit(r->l4_len, 255);
		p->outer_l2_len = 0;
		p->outer_l3_len = 0;
	} else {
		p->outer_l2_len = fit(r->l2_len, 127);
		p->outer_l3_len = fit(r->l3_len, 511);
		p->l2_len = fit((uint32_t)r->inner_l3_off - r->l4_off, 127);
		p->l3_len = fit(r->inner_l3_len, 511);
		p->l4_len = fit(r->inner_l4_len, 255);
	}
	return r->ptype;
}
