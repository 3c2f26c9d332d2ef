/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protocol headers, constants and address helpers.
 *
 * Every multi-byte header field is in network byte order, exactly as on the wire: compare
 * with sl_htons(SL_ETHER_TYPE_IPV4), never with the bare constant.  Structs are packed so
 * they can be laid over packet data at any offset; sizes are pinned with static_assert.
 * Constants (SL_ETHER_TYPE_*, ports) are in host order.
 *
 * Thread-safety: everything here is a pure function of its arguments.
 */
#ifndef SL_NET_H
#define SL_NET_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* --- byte order (constant-foldable) --- */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define sl_htons(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define sl_htonl(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#else
#define sl_htons(x) ((uint16_t)(x))
#define sl_htonl(x) ((uint32_t)(x))
#endif
#define sl_ntohs(x) sl_htons(x)
#define sl_ntohl(x) sl_htonl(x)

/* --- Ethernet (IEEE 802.3) and VLAN (IEEE 802.1Q / 802.1ad) --- */
#define SL_ETHER_ADDR_LEN 6
#define SL_ETHER_HDR_LEN 14
#define SL_ETHER_MIN_LEN 60           /* without FCS */
#define SL_ETHER_TYPE_MIN 0x0600      /* below: an 802.3 length field, not a type */
#define SL_ETHER_TYPE_IPV4 0x0800
#define SL_ETHER_TYPE_ARP 0x0806
#define SL_ETHER_TYPE_VLAN 0x8100     /* 802.1Q C-tag */
#define SL_ETHER_TYPE_IPV6 0x86DD
#define SL_ETHER_TYPE_QINQ 0x88A8     /* 802.1ad S-tag */
#define SL_ETHER_TYPE_QINQ_OLD 0x9100 /* pre-standard S-tag, still seen */
#define SL_ETHER_TYPE_TEB 0x6558      /* transparent Ethernet bridging (GRE, GENEVE) */

struct sl_ether_addr {
	uint8_t bytes[SL_ETHER_ADDR_LEN];
} __attribute__((packed));

struct sl_ether_hdr {
	struct sl_ether_addr dst;
	struct sl_ether_addr src;
	uint16_t ether_type; /* or the first VLAN tag's TPID */
} __attribute__((packed));

struct sl_vlan_hdr {
	uint16_t vlan_tci;  /* PCP (3) | DEI (1) | VID (12) */
	uint16_t eth_proto; /* type of what follows the tag */
} __attribute__((packed));

#define SL_VLAN_VID_MASK 0x0fff

/* --- ARP (RFC 826) --- */
#define SL_ARP_HRD_ETHER 1
#define SL_ARP_OP_REQUEST 1
#define SL_ARP_OP_REPLY 2

/* ARP payload for Ethernet hardware and IPv4 protocol addresses. */
struct sl_arp_ipv4 {
	struct sl_ether_addr sha; /* sender hardware address */
	uint32_t sip;             /* sender IPv4 address */
	struct sl_ether_addr tha; /* target hardware address */
	uint32_t tip;             /* target IPv4 address */
} __attribute__((packed));

struct sl_arp_hdr {
	uint16_t hrd; /* hardware type (SL_ARP_HRD_ETHER) */
	uint16_t pro; /* protocol type (SL_ETHER_TYPE_IPV4) */
	uint8_t hln;  /* hardware address length (6) */
	uint8_t pln;  /* protocol address length (4) */
	uint16_t op;  /* SL_ARP_OP_* */
	struct sl_arp_ipv4 data;
} __attribute__((packed));

/* --- IP protocol numbers (IANA) --- */
#define SL_IPPROTO_HOPOPTS 0
#define SL_IPPROTO_ICMP 1
#define SL_IPPROTO_IPIP 4
#define SL_IPPROTO_TCP 6
#define SL_IPPROTO_UDP 17
#define SL_IPPROTO_IPV6 41
#define SL_IPPROTO_ROUTING 43
#define SL_IPPROTO_FRAGMENT 44
#define SL_IPPROTO_GRE 47
#define SL_IPPROTO_ESP 50
#define SL_IPPROTO_AH 51
#define SL_IPPROTO_ICMPV6 58
#define SL_IPPROTO_NONE 59
#define SL_IPPROTO_DSTOPTS 60
#define SL_IPPROTO_SCTP 132

/* --- IPv4 (RFC 791) --- */
struct sl_ipv4_hdr {
	uint8_t version_ihl;      /* version (4) << 4 | header length in 32-bit words */
	uint8_t type_of_service;  /* DSCP << 2 | ECN */
	uint16_t total_length;    /* header + payload bytes */
	uint16_t packet_id;
	uint16_t fragment_offset; /* flags (3) | offset in 8-byte units (13) */
	uint8_t time_to_live;
	uint8_t next_proto_id;
	uint16_t hdr_checksum;
	uint32_t src_addr;
	uint32_t dst_addr;
} __attribute__((packed));

#define SL_IPV4_HDR_LEN 20
#define SL_IPV4_HDR_MAX_LEN 60
#define SL_IPV4_IHL_MASK 0x0f
#define SL_IPV4_VERSION_IHL 0x45  /* version 4, no options */
#define SL_IPV4_HDR_DF_FLAG 0x4000 /* fragment_offset bits, host order */
#define SL_IPV4_HDR_MF_FLAG 0x2000
#define SL_IPV4_HDR_OFFSET_MASK 0x1fff

/* Header length in bytes from the IHL field (no validity check). */
static inline unsigned sl_ipv4_hdr_len(const struct sl_ipv4_hdr *ip)
{
	return (unsigned)(ip->version_ihl & SL_IPV4_IHL_MASK) * 4;
}

/* Non-zero if the packet is a fragment (more-fragments set or a non-zero offset). */
static inline int sl_ipv4_is_fragment(const struct sl_ipv4_hdr *ip)
{
	return (ip->fragment_offset & sl_htons(SL_IPV4_HDR_MF_FLAG | SL_IPV4_HDR_OFFSET_MASK)) != 0;
}

/* --- IPv6 (RFC 8200) --- */
struct sl_ipv6_hdr {
	uint32_t vtc_flow;    /* version (6) << 28 | traffic class << 20 | flow label */
	uint16_t payload_len; /* bytes after this header, extension headers included */
	uint8_t proto;        /* next header */
	uint8_t hop_limits;
	uint8_t src_addr[16];
	uint8_t dst_addr[16];
} __attribute__((packed));

#define SL_IPV6_HDR_LEN 40
#define SL_IPV6_ADDR_LEN 16

/* Generic extension header (hop-by-hop, routing, destination options): the first two
 * bytes; the header is (len + 1) * 8 bytes long. */
struct sl_ipv6_ext_hdr {
	uint8_t next_hdr;
	uint8_t len; /* in 8-byte units, not counting the first 8 bytes */
} __attribute__((packed));

/* Routing header (RFC 8200 section 4.4). */
struct sl_ipv6_rt_hdr {
	uint8_t next_hdr;
	uint8_t len;
	uint8_t type;
	uint8_t segments_left;
	uint32_t data; /* type-specific, followed by (len * 8 - 4) more bytes */
} __attribute__((packed));

/* Fragment header (RFC 8200 section 4.5): always 8 bytes. */
struct sl_ipv6_frag_hdr {
	uint8_t next_hdr;
	uint8_t reserved;
	uint16_t frag_data; /* offset in 8-byte units << 3 | 2 reserved bits | M */
	uint32_t id;
} __attribute__((packed));

#define SL_IPV6_FRAG_OFFSET_MASK 0xfff8 /* frag_data bits, host order */
#define SL_IPV6_FRAG_MF 0x0001

/* --- ICMP (RFC 792) and ICMPv6 (RFC 4443) --- */
struct sl_icmp_hdr {
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_cksum;
	uint16_t icmp_ident; /* echo request/reply; other types use these 4 bytes otherwise */
	uint16_t icmp_seq_nb;
} __attribute__((packed));

#define SL_ICMP_ECHO_REPLY 0
#define SL_ICMP_DEST_UNREACH 3
#define SL_ICMP_ECHO_REQUEST 8
#define SL_ICMP_TIME_EXCEEDED 11

struct sl_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
} __attribute__((packed));

#define SL_ICMP6_ECHO_REQUEST 128
#define SL_ICMP6_ECHO_REPLY 129
#define SL_ICMP6_NEIGH_SOLICIT 135
#define SL_ICMP6_NEIGH_ADVERT 136

/* --- UDP (RFC 768), TCP (RFC 9293), SCTP (RFC 9260) --- */
struct sl_udp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t dgram_len;   /* header + payload bytes */
	uint16_t dgram_cksum; /* 0: none (IPv4 only) */
} __attribute__((packed));

struct sl_tcp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t sent_seq;
	uint32_t recv_ack;
	uint8_t data_off;  /* header length in 32-bit words << 4 | reserved */
	uint8_t tcp_flags; /* SL_TCP_*_FLAG */
	uint16_t rx_win;
	uint16_t cksum;
	uint16_t tcp_urp;
} __attribute__((packed));

#define SL_TCP_FIN_FLAG 0x01
#define SL_TCP_SYN_FLAG 0x02
#define SL_TCP_RST_FLAG 0x04
#define SL_TCP_PSH_FLAG 0x08
#define SL_TCP_ACK_FLAG 0x10
#define SL_TCP_URG_FLAG 0x20
#define SL_TCP_ECE_FLAG 0x40
#define SL_TCP_CWR_FLAG 0x80

/* TCP header length in bytes from data_off (no validity check). */
static inline unsigned sl_tcp_hdr_len(const struct sl_tcp_hdr *tcp)
{
	return (unsigned)(tcp->data_off >> 4) * 4;
}

struct sl_sctp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t tag;
	uint32_t cksum; /* CRC32C, not the Internet checksum */
} __attribute__((packed));

/* --- tunnels: VXLAN (RFC 7348), GENEVE (RFC 8926), GRE (RFC 2784, RFC 2890) --- */
#define SL_VXLAN_PORT 4789
#define SL_GENEVE_PORT 6081

struct sl_vxlan_hdr {
	uint32_t vx_flags; /* 0x08000000: the VNI is valid */
	uint32_t vx_vni;   /* VNI << 8 | reserved */
} __attribute__((packed));

#define SL_VXLAN_FLAG_VNI 0x08000000 /* vx_flags bit, host order */

struct sl_geneve_hdr {
	uint8_t ver_opt_len; /* version (2) << 6 | option length in 32-bit words (6) */
	uint8_t flags;       /* O (0x80): control packet, C (0x40): critical options */
	uint16_t proto;      /* ether type of the payload (SL_ETHER_TYPE_TEB for Ethernet) */
	uint8_t vni[3];
	uint8_t reserved;
} __attribute__((packed));

#define SL_GENEVE_OPT_LEN_MASK 0x3f

/* Options length in bytes (0..252). */
static inline unsigned sl_geneve_opt_len(const struct sl_geneve_hdr *g)
{
	return (unsigned)(g->ver_opt_len & SL_GENEVE_OPT_LEN_MASK) * 4;
}

/* Base GRE header; checksum (+ reserved), key and sequence words follow when their flag
 * is set, in that order. */
struct sl_gre_hdr {
	uint16_t flags_ver; /* C R K S s Recur(3) | flags(5) | version(3) */
	uint16_t proto;     /* ether type of the payload */
} __attribute__((packed));

#define SL_GRE_CSUM_FLAG 0x8000 /* flags_ver bits, host order */
#define SL_GRE_ROUTING_FLAG 0x4000
#define SL_GRE_KEY_FLAG 0x2000
#define SL_GRE_SEQ_FLAG 0x1000
#define SL_GRE_VERSION_MASK 0x0007

static_assert(sizeof(struct sl_ether_addr) == 6, "ether addr");
static_assert(sizeof(struct sl_ether_hdr) == 14, "ether hdr");
static_assert(sizeof(struct sl_vlan_hdr) == 4, "vlan hdr");
static_assert(sizeof(struct sl_arp_hdr) == 28, "arp hdr");
static_assert(sizeof(struct sl_ipv4_hdr) == 20, "ipv4 hdr");
static_assert(sizeof(struct sl_ipv6_hdr) == 40, "ipv6 hdr");
static_assert(sizeof(struct sl_ipv6_ext_hdr) == 2, "ipv6 ext hdr");
static_assert(sizeof(struct sl_ipv6_rt_hdr) == 8, "ipv6 routing hdr");
static_assert(sizeof(struct sl_ipv6_frag_hdr) == 8, "ipv6 frag hdr");
static_assert(sizeof(struct sl_icmp_hdr) == 8, "icmp hdr");
static_assert(sizeof(struct sl_icmp6_hdr) == 4, "icmp6 hdr");
static_assert(sizeof(struct sl_udp_hdr) == 8, "udp hdr");
static_assert(sizeof(struct sl_tcp_hdr) == 20, "tcp hdr");
static_assert(sizeof(struct sl_sctp_hdr) == 12, "sctp hdr");
static_assert(sizeof(struct sl_vxlan_hdr) == 8, "vxlan hdr");
static_assert(sizeof(struct sl_geneve_hdr) == 8, "geneve hdr");
static_assert(sizeof(struct sl_gre_hdr) == 4, "gre hdr");
static_assert(offsetof(struct sl_ipv4_hdr, time_to_live) == 8, "ttl offset");
static_assert(offsetof(struct sl_tcp_hdr, cksum) == 16, "tcp cksum offset");

/* --- address helpers ---
 * Parse functions take a NUL-terminated string, accept nothing but the address (no
 * surrounding spaces), return 0 or -EINVAL and leave the output untouched on error.
 * Format functions write a NUL-terminated string and return its length, or -ENOSPC if
 * buf is too small (buf then holds an empty string when len > 0).  They do not log. */

/* "00:11:22:aa:BB:cc" or "00-11-22-aa-bb-cc": six groups of exactly two hex digits. */
int sl_ether_addr_parse(const char *s, struct sl_ether_addr *a);
#define SL_ETHER_ADDR_FMT_SIZE 18
/* Lower-case "00:11:22:aa:bb:cc". */
int sl_ether_addr_format(char *buf, size_t len, const struct sl_ether_addr *a);

/* Dotted quad "10.0.0.1": four decimal numbers 0-255 without leading zeros (so "010" is
 * never mistaken for octal).  *addr is in NETWORK byte order, like the header fields. */
int sl_ipv4_addr_parse(const char *s, uint32_t *addr);
#define SL_IPV4_ADDR_FMT_SIZE 16
int sl_ipv4_addr_format(char *buf, size_t len, uint32_t addr);

/* RFC 4291 text forms ("2001:db8::1", "::ffff:10.0.0.1"); formatting follows RFC 5952
 * (lower case, longest zero run compressed). */
int sl_ipv6_addr_parse(const char *s, uint8_t addr[SL_IPV6_ADDR_LEN]);
#define SL_IPV6_ADDR_FMT_SIZE 46
int sl_ipv6_addr_format(char *buf, size_t len, const uint8_t addr[SL_IPV6_ADDR_LEN]);

/* "10.0.0.0/8" (network order address, depth 0-32) and "2001:db8::/32" (depth 0-128).
 * An address without "/len" is a host route (/32, /128).  Bits set after the prefix
 * ("10.1.0.0/8") are rejected with -EINVAL: they are almost always a typo. */
int sl_ipv4_prefix_parse(const char *s, uint32_t *addr, uint8_t *depth);
int sl_ipv6_prefix_parse(const char *s, uint8_t addr[SL_IPV6_ADDR_LEN], uint8_t *depth);
#define SL_IPV4_PREFIX_FMT_SIZE 19
#define SL_IPV6_PREFIX_FMT_SIZE 50
int sl_ipv4_prefix_format(char *buf, size_t len, uint32_t addr, uint8_t depth);
int sl_ipv6_prefix_format(char *buf, size_t len, const uint8_t addr[SL_IPV6_ADDR_LEN],
			  uint8_t depth);

#endif
