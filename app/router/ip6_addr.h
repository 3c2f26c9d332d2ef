/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 address predicates the router's nodes and NDP share (addresses as 16 bytes in
 * network order). */
#ifndef SL_ROUTER_IP6_ADDR_H
#define SL_ROUTER_IP6_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sl_net.h"

static inline bool rt_ip6_is_mcast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static inline bool rt_ip6_is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; /* fe80::/10 */
}

static inline bool rt_ip6_is_unspec(const uint8_t *a)
{
	static const uint8_t any[16];

	return memcmp(a, any, 16) == 0;
}

static inline bool rt_ip6_is_loopback(const uint8_t *a)
{
	static const uint8_t lo[16] = {[15] = 1};

	return memcmp(a, lo, 16) == 0;
}

/* ff02::1:ff00:0/104 (RFC 4291 2.7.1). */
static inline bool rt_ip6_is_solicited_node(const uint8_t *a)
{
	static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	return memcmp(a, pfx, 13) == 0;
}

/* ff02::1 (all nodes), ff02::2 (all routers), ff02::1:ffXX:XXXX (solicited node): the
 * groups a router must take neighbour discovery from (RFC 4861 2.3, RFC 4291 2.7.1). */
static inline bool rt_ip6_is_ndp_group(const uint8_t *a)
{
	static const uint8_t zero[9];

	if (a[0] != 0xff || a[1] != 0x02 || memcmp(a + 2, zero, 9) != 0)
		return false;
	if (a[11] == 0x01 && a[12] == 0xff)
		return true;
	return a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 && (a[15] == 1 || a[15] == 2);
}

/* A MAC a neighbour may have: not a group address, not all zeros. */
static inline bool rt_mac_is_unicast(const struct sl_ether_addr *m)
{
	static const struct sl_ether_addr zero;

	return !(m->bytes[0] & 1) && memcmp(m, &zero, sizeof(zero)) != 0;
}

#endif
