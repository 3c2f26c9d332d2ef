/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames for the router tests: building what the router receives (Ethernet, IPv4, IPv6,
 * UDP, ICMP, ICMPv6, ARP, neighbour discovery, all with valid checksums unless a test
 * breaks one) and checking what it sent (headers, checksums, ICMP errors and what they
 * quote).  Include after rt_harness.h.
 */
#ifndef RT_FRAMES_H
#define RT_FRAMES_H

#include "rt_harness.h"

/* --- building frames (what the router receives) --- */

/* A frame of len bytes received on port from its peer, for the router's MAC. */
static inline struct sl_pktbuf *mk_frame(uint16_t port, uint16_t type, unsigned len)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(rt.pool);
	struct sl_ether_hdr *e;

	assert_non_null(p);
	assert_non_null(sl_pktbuf_append(p, (uint16_t)len));
	e = sl_pktbuf_mtod(p, struct sl_ether_hdr *);
	memset(e, 0, len);
	e->dst = port < H_PORTS ? port_mac[port] : hmac(9, 9);
	e->src = peer_mac(port);
	e->ether_type = sl_htons(type);
	p->port = port;
	p->udata64 = 0;
	return p;
}

static inline struct sl_ether_hdr *ETH(struct sl_pktbuf *p)
{
	return sl_pktbuf_mtod(p, struct sl_ether_hdr *);
}

static inline struct sl_ipv4_hdr *IPH(struct sl_pktbuf *p)
{
	return sl_pktbuf_mtod_offset(p, struct sl_ipv4_hdr *, SL_ETHER_HDR_LEN);
}

static inline struct sl_ipv6_hdr *IP6H(struct sl_pktbuf *p)
{
	return sl_pktbuf_mtod_offset(p, struct sl_ipv6_hdr *, SL_ETHER_HDR_LEN);
}

/* The L4 header after a frame's IPv4 (options included) or IPv6 header. */
static inline void *L4(struct sl_pktbuf *p)
{
	return (uint8_t *)IPH(p) + sl_ipv4_hdr_len(IPH(p));
}

static inline void *L46(struct sl_pktbuf *p)
{
	return IP6H(p) + 1;
}

/* Recomputes the IPv4 header checksum after a test changed the header. */
static inline void fix4(struct sl_pktbuf *p)
{
	IPH(p)->hdr_checksum = 0;
	IPH(p)->hdr_checksum = sl_ipv4_cksum(IPH(p));
}

/* IPv4 packet src -> dst (host order) with l4len bytes of a pattern after the header. */
static inline struct sl_pktbuf *mk_ip4(uint16_t port, uint32_t src, uint32_t dst, uint8_t proto,
				       uint8_t ttl, unsigned l4len)
{
	struct sl_pktbuf *p = mk_frame(port, SL_ETHER_TYPE_IPV4, SL_ETHER_HDR_LEN + 20 + l4len);
	struct sl_ipv4_hdr *ip = IPH(p);
	uint8_t *l4 = (uint8_t *)(ip + 1);

	ip->version_ihl = SL_IPV4_VERSION_IHL;
	ip->total_length = sl_htons((uint16_t)(20 + l4len));
	ip->packet_id = sl_htons(0x1234);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->src_addr = sl_htonl(src);
	ip->dst_addr = sl_htonl(dst);
	for (unsigned i = 0; i < l4len; i++)
		l4[i] = (uint8_t)(i * 7 + 1);
	fix4(p);
	return p;
}

static inline struct sl_pktbuf *mk_udp4(uint16_t port, uint32_t src, uint32_t dst, uint16_t sport,
					uint16_t dport, uint8_t ttl, unsigned dlen)
{
	struct sl_pktbuf *p = mk_ip4(port, src, dst, SL_IPPROTO_UDP, ttl, 8 + dlen);
	struct sl_udp_hdr *u = L4(p);

	u->src_port = sl_htons(sport);
	u->dst_port = sl_htons(dport);
	u->dgram_len = sl_htons((uint16_t)(8 + dlen));
	u->dgram_cksum = 0;
	u->dgram_cksum = sl_ipv4_udptcp_cksum(IPH(p), u);
	return p;
}

static inline struct sl_pktbuf *mk_echo4(uint16_t port, uint32_t src, uint32_t dst, uint8_t ttl,
					 unsigned dlen)
{
	struct sl_pktbuf *p = mk_ip4(port, src, dst, SL_IPPROTO_ICMP, ttl, 8 + dlen);
	struct sl_icmp_hdr *ic = L4(p);

	ic->icmp_type = SL_ICMP_ECHO_REQUEST;
	ic->icmp_code = 0;
	ic->icmp_ident = sl_htons(0x4242);
	ic->icmp_seq_nb = sl_htons(7);
	ic->icmp_cksum = 0;
	ic->icmp_cksum = sl_cksum(ic, 8 + dlen);
	return p;
}

/* ARP (60-byte frame) received on port. */
static inline struct sl_pktbuf *mk_arp(uint16_t port, uint16_t op, struct sl_ether_addr eth_dst,
				       struct sl_ether_addr sha, uint32_t sip, uint32_t tip)
{
	struct sl_pktbuf *p = mk_frame(port, SL_ETHER_TYPE_ARP, SL_ETHER_MIN_LEN);
	struct sl_arp_hdr *a = (struct sl_arp_hdr *)(ETH(p) + 1);

	ETH(p)->dst = eth_dst;
	ETH(p)->src = sha;
	a->hrd = sl_htons(SL_ARP_HRD_ETHER);
	a->pro = sl_htons(SL_ETHER_TYPE_IPV4);
	a->hln = 6;
	a->pln = 4;
	a->op = sl_htons(op);
	a->data.sha = sha;
	a->data.sip = sl_htonl(sip);
	if (op == SL_ARP_OP_REPLY)
		a->data.tha = port_mac[port];
	a->data.tip = sl_htonl(tip);
	return p;
}

/* IPv6 packet with l4len bytes of a pattern after the header. */
static inline struct sl_pktbuf *mk_ip6(uint16_t port, struct in6 src, struct in6 dst, uint8_t proto,
				       uint8_t hlim, unsigned l4len)
{
	struct sl_pktbuf *p = mk_frame(port, SL_ETHER_TYPE_IPV6, SL_ETHER_HDR_LEN + 40 + l4len);
	struct sl_ipv6_hdr *ip6 = IP6H(p);
	uint8_t *l4 = (uint8_t *)(ip6 + 1);

	ip6->vtc_flow = sl_htonl(6u << 28 | 0x12345);
	ip6->payload_len = sl_htons((uint16_t)l4len);
	ip6->proto = proto;
	ip6->hop_limits = hlim;
	memcpy(ip6->src_addr, src.b, 16);
	memcpy(ip6->dst_addr, dst.b, 16);
	for (unsigned i = 0; i < l4len; i++)
		l4[i] = (uint8_t)(i * 5 + 3);
	return p;
}

static inline struct sl_pktbuf *mk_udp6(uint16_t port, struct in6 src, struct in6 dst,
					uint16_t sport, uint16_t dport, uint8_t hlim, unsigned dlen)
{
	struct sl_pktbuf *p = mk_ip6(port, src, dst, SL_IPPROTO_UDP, hlim, 8 + dlen);
	struct sl_udp_hdr *u = L46(p);

	u->src_port = sl_htons(sport);
	u->dst_port = sl_htons(dport);
	u->dgram_len = sl_htons((uint16_t)(8 + dlen));
	u->dgram_cksum = 0;
	u->dgram_cksum = sl_ipv6_udptcp_cksum(IP6H(p), u);
	return p;
}

/* ICMPv6 of type/code with a 4-byte word and dlen bytes of data, checksum set. */
static inline struct sl_pktbuf *mk_icmp6(uint16_t port, struct in6 src, struct in6 dst,
					 uint8_t hlim, uint8_t type, uint8_t code, unsigned dlen)
{
	struct sl_pktbuf *p = mk_ip6(port, src, dst, SL_IPPROTO_ICMPV6, hlim, 8 + dlen);
	uint8_t *ic = L46(p);

	ic[0] = type;
	ic[1] = code;
	ic[2] = ic[3] = 0;
	ic[4] = 0x42, ic[5] = 0x42, ic[6] = 0, ic[7] = 9; /* echo: ident, sequence */
	((struct sl_icmp6_hdr *)ic)->cksum = sl_ipv6_udptcp_cksum(IP6H(p), ic);
	return p;
}

static inline void fix_icmp6(struct sl_pktbuf *p)
{
	struct sl_icmp6_hdr *ic = L46(p);

	ic->cksum = 0;
	ic->cksum = sl_ipv6_udptcp_cksum(IP6H(p), ic);
}

static inline struct sl_pktbuf *mk_echo6(uint16_t port, struct in6 src, struct in6 dst,
					 uint8_t hlim, unsigned dlen)
{
	return mk_icmp6(port, src, dst, hlim, SL_ICMP6_ECHO_REQUEST, 0, dlen);
}

/* The solicited-node group of ip and its MAC. */
static inline struct in6 sol_node(struct in6 ip, struct sl_ether_addr *mac)
{
	struct in6 gr = A6("ff02::1:ff00:0");

	memcpy(gr.b + 13, ip.b + 13, 3);
	if (mac)
		*mac = (struct sl_ether_addr){{0x33, 0x33, 0xff, ip.b[13], ip.b[14], ip.b[15]}};
	return gr;
}

/* Neighbour solicitation (type 135) or advertisement (136, flags R/S/O in the first byte)
 * for target, with a link-layer address option of lladdr when it is not NULL. */
static inline struct sl_pktbuf *mk_nd(uint16_t port, uint8_t type, uint8_t flags, struct in6 src,
				      struct in6 dst, struct sl_ether_addr eth_dst,
				      struct in6 target, const struct sl_ether_addr *lladdr)
{
	unsigned len = 24 + (lladdr ? 8 : 0);
	struct sl_pktbuf *p = mk_ip6(port, src, dst, SL_IPPROTO_ICMPV6, 255, len);
	uint8_t *nd = L46(p);

	memset(nd, 0, len);
	ETH(p)->dst = eth_dst;
	nd[0] = type;
	nd[4] = flags;
	memcpy(nd + 8, target.b, 16);
	if (lladdr) {
		nd[24] = type == SL_ICMP6_NEIGH_SOLICIT ? 1 : 2;
		nd[25] = 1;
		memcpy(nd + 26, lladdr->bytes, 6);
	}
	fix_icmp6(p);
	return p;
}

/* --- checking frames (what the router sent) --- */

static inline void check_eth(struct sl_pktbuf *p, struct sl_ether_addr dst, uint16_t port,
			     uint16_t type)
{
	assert_true(p->data_len >= SL_ETHER_HDR_LEN);
	assert_memory_equal(ETH(p)->dst.bytes, dst.bytes, 6);
	assert_memory_equal(ETH(p)->src.bytes, port_mac[port].bytes, 6);
	assert_int_equal(sl_ntohs(ETH(p)->ether_type), type);
}

/* An IPv4 frame from the router with a valid header: version, IHL, total length = the
 * frame, checksum. */
static inline struct sl_ipv4_hdr *check_ip4(struct sl_pktbuf *p, struct sl_ether_addr dst,
					    uint16_t port, uint32_t src_ip, uint32_t dst_ip,
					    uint8_t proto)
{
	struct sl_ipv4_hdr *ip = IPH(p);

	check_eth(p, dst, port, SL_ETHER_TYPE_IPV4);
	assert_int_equal(p->nb_segs, 1);
	assert_int_equal(ip->version_ihl >> 4, 4);
	assert_true(sl_ipv4_hdr_len(ip) >= 20);
	assert_int_equal(sl_ntohs(ip->total_length), p->pkt_len - SL_ETHER_HDR_LEN);
	assert_int_equal(sl_ipv4_cksum_verify(ip), 0);
	assert_int_equal(sl_ntohl(ip->src_addr), src_ip);
	assert_int_equal(sl_ntohl(ip->dst_addr), dst_ip);
	assert_int_equal(ip->next_proto_id, proto);
	return ip;
}

static inline struct sl_ipv6_hdr *check_ip6(struct sl_pktbuf *p, struct sl_ether_addr dst,
					    uint16_t port, struct in6 src_ip, struct in6 dst_ip,
					    uint8_t proto)
{
	struct sl_ipv6_hdr *ip6 = IP6H(p);

	check_eth(p, dst, port, SL_ETHER_TYPE_IPV6);
	assert_int_equal(p->nb_segs, 1);
	assert_int_equal(sl_ntohl(ip6->vtc_flow) >> 28, 6);
	assert_int_equal(sl_ntohs(ip6->payload_len), p->pkt_len - SL_ETHER_HDR_LEN - 40);
	assert_memory_equal(ip6->src_addr, src_ip.b, 16);
	assert_memory_equal(ip6->dst_addr, dst_ip.b, 16);
	assert_int_equal(ip6->proto, proto);
	if (proto == SL_IPPROTO_ICMPV6 || proto == SL_IPPROTO_UDP)
		assert_int_equal(sl_ipv6_udptcp_cksum_verify(ip6, ip6 + 1), 0);
	return ip6;
}

/* A copy of a frame's IP packet (before the router changes it in place). */
struct snap {
	uint8_t b[2048];
	unsigned len;
};

static inline struct snap snap_ip(struct sl_pktbuf *p)
{
	struct snap s;

	s.len = p->pkt_len - SL_ETHER_HDR_LEN;
	assert_true(s.len <= sizeof(s.b));
	memcpy(s.b, sl_pktbuf_mtod_offset(p, uint8_t *, SL_ETHER_HDR_LEN), s.len);
	return s;
}

/* An ICMP error from the router: from src_ip to dst_ip through port to MAC dst, of type and
 * code, with the 16-bit "next-hop MTU" field (RFC 1191) and the original quoted as RFC 1812
 * 4.3.2.3 says: as much as fits in 576 bytes, byte for byte as it arrived. */
static inline void check_icmp4_error(struct sl_pktbuf *p, struct sl_ether_addr dst, uint16_t port,
				     uint32_t src_ip, uint32_t dst_ip, uint8_t type, uint8_t code,
				     uint16_t mtu, const struct snap *orig)
{
	struct sl_ipv4_hdr *ip = check_ip4(p, dst, port, src_ip, dst_ip, SL_IPPROTO_ICMP);
	struct sl_icmp_hdr *ic = (struct sl_icmp_hdr *)(ip + 1);
	unsigned quoted = SL_MIN(orig->len, 576u - 28);

	assert_int_equal(sl_ipv4_hdr_len(ip), 20);
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(ip->fragment_offset, 0);
	assert_int_equal(p->pkt_len, SL_ETHER_HDR_LEN + 28 + quoted);
	assert_int_equal(ic->icmp_type, type);
	assert_int_equal(ic->icmp_code, code);
	assert_int_equal(sl_cksum(ic, p->pkt_len - SL_ETHER_HDR_LEN - 20), 0);
	assert_int_equal(ic->icmp_ident, 0);
	assert_int_equal(sl_ntohs(ic->icmp_seq_nb), mtu);
	assert_memory_equal(ic + 1, orig->b, quoted);
}

/* An ICMPv6 error (RFC 4443): the 32-bit word after the checksum, and the original quoted
 * as fits the minimum MTU of 1280 bytes. */
static inline void check_icmp6_error(struct sl_pktbuf *p, struct sl_ether_addr dst, uint16_t port,
				     struct in6 src_ip, struct in6 dst_ip, uint8_t type,
				     uint8_t code, uint32_t word, const struct snap *orig)
{
	struct sl_ipv6_hdr *ip6 = check_ip6(p, dst, port, src_ip, dst_ip, SL_IPPROTO_ICMPV6);
	uint8_t *ic = (uint8_t *)(ip6 + 1);
	unsigned quoted = SL_MIN(orig->len, 1280u - 48);
	uint32_t w;

	assert_int_equal(ip6->hop_limits, 64);
	assert_int_equal(p->pkt_len, SL_ETHER_HDR_LEN + 48 + quoted);
	assert_int_equal(ic[0], type);
	assert_int_equal(ic[1], code);
	memcpy(&w, ic + 4, 4);
	assert_int_equal(sl_ntohl(w), word);
	assert_memory_equal(ic + 8, orig->b, quoted);
}

#endif
