/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum (RFC 1071) for IPv4 headers and UDP/TCP over IPv4 and IPv6, on
 * contiguous data and on multi-segment packet buffers, and incremental update (RFC 1624).
 *
 * Byte order: the one's-complement sum does not depend on byte order (RFC 1071 section
 * 2(B)), so sums here are computed on 16-bit words as they sit in memory.  A checksum
 * returned by these functions is stored into its header field as is (no sl_htons), and the
 * values passed to sl_cksum_update16/32 are header fields as read from memory.
 *
 * Sums: sl_cksum_raw() returns a partial 32-bit sum that may be chained; sl_cksum_fold()
 * folds it to 16 bits; the checksum to store is the complement of the folded sum.
 *
 * Verify functions return 0 when the checksum is right, -EBADMSG when it is wrong.
 * Thread-safety: pure functions; the packet is only read.
 */
#ifndef SL_CKSUM_H
#define SL_CKSUM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sl_net.h"

struct sl_pktbuf;

/* Adds the 16-bit words of buf (an odd last byte is padded with zero) to sum. */
uint32_t sl_cksum_raw(const void *buf, size_t len, uint32_t sum);

/* Folds a partial sum to 16 bits with end-around carry (not complemented). */
static inline uint16_t sl_cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Checksum of buf: the complement of its folded sum. */
static inline uint16_t sl_cksum(const void *buf, size_t len)
{
	return (uint16_t)~sl_cksum_fold(sl_cksum_raw(buf, len, 0));
}

/*
 * IPv4 header checksum over IHL * 4 bytes (options included; an IHL under 5 counts as 5),
 * computed as if hdr_checksum were zero, so the current value does not matter.  The caller
 * guarantees the IHL * 4 bytes are readable.
 */
uint16_t sl_ipv4_cksum(const struct sl_ipv4_hdr *ip);
/* 0 if the header checksum is right, -EBADMSG if not, -EINVAL if IHL < 5. */
int sl_ipv4_cksum_verify(const struct sl_ipv4_hdr *ip);

/* Whether the checksum of a 20-byte IPv4 header (no options) is right: five 32-bit adds
 * inline, for forwarding paths (sl_ipv4_cksum_verify() handles any IHL). */
static inline int sl_ipv4_cksum_ok20(const struct sl_ipv4_hdr *ip)
{
	uint32_t w[5];
	uint64_t s;

	memcpy(w, ip, sizeof(w));
	s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return sl_cksum_fold((uint32_t)s) == 0xffff;
}

/*
 * Folded (not complemented) pseudo-header sums: what a NIC doing L4 checksum offload
 * expects in the L4 checksum field.  IPv4 uses total_length - IHL * 4 as the L4 length;
 * sl_ipv6_phdr_cksum uses payload_len and proto (no extension headers), the _ext form
 * takes the upper-layer length and protocol explicitly.
 */
uint16_t sl_ipv4_phdr_cksum(const struct sl_ipv4_hdr *ip);
uint16_t sl_ipv6_phdr_cksum(const struct sl_ipv6_hdr *ip6);
uint16_t sl_ipv6_phdr_cksum_ext(const struct sl_ipv6_hdr *ip6, uint32_t l4_len, uint8_t proto);

/*
 * UDP/TCP checksum (also ICMPv6 for IPv6) of contiguous data: l4 points at the L4 header,
 * whose length is taken from the IP header (IPv4: total_length - IHL * 4; IPv6:
 * payload_len, so l4 must directly follow a header without extension headers).  The current
 * checksum field is ignored.  A UDP result of 0 is returned as 0xFFFF (RFC 768: 0 means
 * "no checksum").  The caller guarantees the bytes are readable.
 */
uint16_t sl_ipv4_udptcp_cksum(const struct sl_ipv4_hdr *ip, const void *l4);
uint16_t sl_ipv6_udptcp_cksum(const struct sl_ipv6_hdr *ip6, const void *l4);
/* 0 when right (or, over IPv4, a UDP checksum of 0: none), -EBADMSG when wrong. */
int sl_ipv4_udptcp_cksum_verify(const struct sl_ipv4_hdr *ip, const void *l4);
int sl_ipv6_udptcp_cksum_verify(const struct sl_ipv6_hdr *ip6, const void *l4);

/*
 * UDP/TCP (ICMPv6) checksum of a packet buffer of any number of segments: the IP header is
 * at l3_off (IPv4 or IPv6 by its version nibble), the L4 header at l4_off (IPv4: l3_off +
 * IHL * 4; IPv6: after any extension headers, which are walked to find the protocol).
 * Returns the checksum (0..0xFFFF, UDP 0 given as 0xFFFF), or -EINVAL when the offsets or
 * lengths do not describe the packet (IHL < 5, lengths past pkt_len, a bad version, an
 * extension chain that does not end at l4_off).
 */
int sl_udptcp_cksum_pkt(const struct sl_pktbuf *p, uint32_t l3_off, uint32_t l4_off);
/* Computes that checksum and stores it in the UDP/TCP (ICMPv6) header: 0, or -EINVAL as
 * above (also for a protocol without a checksum field). */
int sl_udptcp_cksum_pkt_set(struct sl_pktbuf *p, uint32_t l3_off, uint32_t l4_off);
/* 0 when right (IPv4 UDP with checksum 0 included), -EBADMSG when wrong, -EINVAL as above. */
int sl_udptcp_cksum_pkt_verify(const struct sl_pktbuf *p, uint32_t l3_off, uint32_t l4_off);

/*
 * Incremental update (RFC 1624 equation 3: HC' = ~(~HC + ~m + m')): the new checksum after
 * a 16-bit (32-bit) field changed from old_val to new_val.  Gives exactly what a full
 * recomputation gives.  For UDP, keep a checksum of 0 as is (none) and pass the result
 * through sl_udp_cksum_fixup().
 */
static inline uint16_t sl_cksum_update16(uint16_t old_cksum, uint16_t old_val, uint16_t new_val)
{
	uint32_t s = (uint32_t)(uint16_t)~old_cksum + (uint16_t)~old_val + new_val;

	return (uint16_t)~sl_cksum_fold(s);
}

static inline uint16_t sl_cksum_update32(uint16_t old_cksum, uint32_t old_val, uint32_t new_val)
{
	uint32_t s = (uint32_t)(uint16_t)~old_cksum + (uint16_t)~(old_val & 0xffff) +
		     (uint16_t)~(old_val >> 16) + (new_val & 0xffff) + (new_val >> 16);

	return (uint16_t)~sl_cksum_fold(s);
}

/* A UDP checksum that computes to 0 is sent as 0xFFFF (RFC 768). */
static inline uint16_t sl_udp_cksum_fixup(uint16_t c)
{
	return c == 0 ? 0xffff : c;
}

/*
 * Decrements the TTL and updates the header checksum incrementally (RFC 1624 section 4).
 * Returns 0, or -ETIMEDOUT with the header unchanged when the TTL is 0 or 1 (RFC 1812
 * section 5.3.1: the router must not forward it).
 */
static inline int sl_ipv4_ttl_dec(struct sl_ipv4_hdr *ip)
{
	uint16_t old_w, new_w;

	if (ip->time_to_live <= 1)
		return -ETIMEDOUT;
	memcpy(&old_w, &ip->time_to_live, 2);
	ip->time_to_live--;
	memcpy(&new_w, &ip->time_to_live, 2);
	ip->hdr_checksum = sl_cksum_update16(ip->hdr_checksum, old_w, new_w);
	return 0;
}

#endif
