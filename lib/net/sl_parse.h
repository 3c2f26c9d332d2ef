/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser: finds the packet type and header lengths of a packet buffer.
 *
 * Handles Ethernet with up to SL_PARSE_MAX_VLANS stacked 802.1Q/802.1ad tags, ARP, IPv4
 * (options, fragments), IPv6 with up to SL_PARSE_MAX_IPV6_EXT extension headers, ICMP,
 * ICMPv6, UDP, TCP, SCTP, and one level of tunnel: VXLAN (UDP 4789), GENEVE (UDP 6081) and
 * GRE (RFC 2784/2890, version 0) carrying Ethernet, IPv4 or IPv6.
 *
 * Robustness: every header is bounds-checked before it is read; reads never go past
 * pkt_len, past a segment's data_len, past the IP total/payload length or the UDP length of
 * the layer that carries them; every loop is bounded.  A header that cannot be what it
 * claims (truncated, bad length fields, too many tags or extension headers) stops the parse:
 * the result keeps the layers found before it, adds SL_PTYPE_MALFORMED and names the reason.
 * Unknown protocols are not malformed: parsing stops there (L4 is SL_PTYPE_L4_OTHER for an
 * unknown IP protocol).  Fragments (IPv4 or IPv6, first or not) are SL_PTYPE_L4_FRAG and
 * their L4 header is not parsed.
 *
 * Thread-safety: no shared state; the packet is only read, except for the fields below.
 */
#ifndef SL_PARSE_H
#define SL_PARSE_H

#include <stdint.h>

struct sl_pktbuf;

/* Most VLAN tags accepted in one Ethernet header (more: SL_PARSE_ERR_VLAN_DEPTH). */
#define SL_PARSE_MAX_VLANS 8
/* Most IPv6 extension headers in one chain (more: SL_PARSE_ERR_IPV6_EXT_DEPTH). */
#define SL_PARSE_MAX_IPV6_EXT 8

/* Why a parse stopped at a malformed header (r->reason; 0 when not malformed). */
enum sl_parse_reason {
	SL_PARSE_OK = 0,
	SL_PARSE_ERR_L2_TRUNC,       /* shorter than an Ethernet header or a VLAN tag */
	SL_PARSE_ERR_VLAN_DEPTH,     /* more than SL_PARSE_MAX_VLANS tags */
	SL_PARSE_ERR_ARP_TRUNC,      /* ARP header or its addresses past the end */
	SL_PARSE_ERR_IPV4_TRUNC,     /* IPv4 header (with options) past the end */
	SL_PARSE_ERR_IPV4_VERSION,   /* ether type IPv4 but version is not 4 */
	SL_PARSE_ERR_IPV4_IHL,       /* IHL < 5 */
	SL_PARSE_ERR_IPV4_LEN,       /* total_length < IHL * 4 or past the end */
	SL_PARSE_ERR_IPV6_TRUNC,     /* IPv6 header past the end */
	SL_PARSE_ERR_IPV6_VERSION,   /* ether type IPv6 but version is not 6 */
	SL_PARSE_ERR_IPV6_LEN,       /* payload_len past the end */
	SL_PARSE_ERR_IPV6_EXT_LEN,   /* an extension header overruns the payload */
	SL_PARSE_ERR_IPV6_EXT_DEPTH, /* more than SL_PARSE_MAX_IPV6_EXT extension headers */
	SL_PARSE_ERR_L4_TRUNC,       /* TCP/UDP/ICMP/SCTP header past the end */
	SL_PARSE_ERR_TCP_DOFF,       /* TCP data offset < 5 or past the end */
	SL_PARSE_ERR_UDP_LEN,        /* UDP length < 8 or past the IP payload */
	SL_PARSE_ERR_TUNNEL_TRUNC,   /* VXLAN/GENEVE/GRE header past the end */
	SL_PARSE_ERR_GENEVE_OPT_LEN, /* GENEVE options past the end */
	SL_PARSE_REASON_MAX,
};

/*
 * What sl_net_parse() found.  Offsets and lengths are bytes from the start of the packet.
 * Without a tunnel the inner_* fields are 0.  With a tunnel, ptype holds the outer layers
 * plus SL_PTYPE_TUNNEL_*, and inner_ptype the inner ones (same SL_PTYPE_L2/L3/L4 values;
 * no inner L2 when GRE or GENEVE carries IP directly).
 */
struct sl_parse_result {
	uint32_t ptype;        /* outer SL_PTYPE_L2/L3/L4 | SL_PTYPE_TUNNEL_* | MALFORMED */
	uint32_t inner_ptype;  /* inner SL_PTYPE_L2/L3/L4 */
	uint16_t l2_len;       /* outer Ethernet header + VLAN tags */
	uint16_t l3_len;       /* outer IP header (options, extension headers) */
	uint16_t l4_len;       /* outer L4 header (TCP options included), 0 if none */
	uint16_t l3_off;       /* = l2_len */
	uint16_t l4_off;       /* = l2_len + l3_len */
	uint8_t l4_proto;      /* outer IP protocol of the L4 (after extension headers) */
	uint8_t inner_l4_proto;
	uint16_t tunnel_off;   /* tunnel header (VXLAN, GENEVE, GRE) */
	uint16_t tunnel_len;   /* its length (GENEVE options, GRE optional words included) */
	uint16_t inner_off;    /* first inner header (Ethernet, or IP) = tunnel_off + len */
	uint16_t inner_l2_len;
	uint16_t inner_l3_len;
	uint16_t inner_l4_len;
	uint16_t inner_l3_off;
	uint16_t inner_l4_off;
	uint16_t reason;       /* enum sl_parse_reason */
};

/*
 * Parses p and fills r (all of it; r may be uninitialized).  Also sets p->packet_type to
 * r->ptype and the pktbuf's offload lengths: without a tunnel l2_len/l3_len/l4_len, with
 * one (DPDK's tx-offload convention) outer_l2_len/outer_l3_len for the outer headers,
 * l2_len = outer L4 + tunnel header + inner L2 (GRE: tunnel header + inner L2), l3_len and
 * l4_len for the inner headers.  A length too big for its bit-field (l2_len 127, l3_len
 * 511, l4_len 255, outer_l2_len 127, outer_l3_len 511) is left 0 there; r has it exactly.
 * Returns r->ptype.
 */
uint32_t sl_net_parse(struct sl_pktbuf *p, struct sl_parse_result *r);

/* Short name of a reason ("ipv4-ihl"), "?" when out of range. */
const char *sl_parse_reason_name(unsigned reason);

#endif
