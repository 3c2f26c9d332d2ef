/* SPDX-License-Identifier: BSD-3-Clause */
/* Address text forms: MAC, IPv4, IPv6 and prefixes. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sl_net.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sl_ether_addr_parse(const char *s, struct sl_ether_addr *a)
{
	uint8_t out[SL_ETHER_ADDR_LEN];
	char sep;
	int i;

	if (s == NULL || a == NULL)
		return -EINVAL;
	sep = s[0] != '\0' && s[1] != '\0' ? s[2] : '\0';
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < SL_ETHER_ADDR_LEN; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
		if (i < SL_ETHER_ADDR_LEN - 1 && s[2] != sep)
			return -EINVAL;
		s += i < SL_ETHER_ADDR_LEN - 1 ? 3 : 2;
	}
	if (*s != '\0')
		return -EINVAL;
	memcpy(a->bytes, out, sizeof(out));
	return 0;
}

/* snprintf wrapper with the format functions' return convention. */
static int finish(char *buf, size_t len, int n)
{
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

int sl_ether_addr_format(char *buf, size_t len, const struct sl_ether_addr *a)
{
	const uint8_t *b = a->bytes;

	return finish(buf, len,
		      snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
			       b[4], b[5]));
}

/* Parses a dotted quad from s up to end (exclusive) into a network-order address. */
static int ipv4_parse_span(const char *s, const char *end, uint32_t *addr)
{
	uint32_t host = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		while (s < end && *s >= '0' && *s <= '9') {
			if (digits == 1 && v == 0)
				return -EINVAL; /* leading zero */
			v = v * 10 + (unsigned)(*s - '0');
			if (v > 255)
				return -EINVAL;
			digits++;
			s++;
		}
		if (digits == 0)
			return -EINVAL;
		host = host << 8 | v;
		if (part < 3) {
			if (s >= end || *s != '.')
				return -EINVAL;
			s++;
		}
	}
	if (s != end)
		return -EINVAL;
	*addr = sl_htonl(host);
	return 0;
}

int sl_ipv4_addr_parse(const char *s, uint32_t *addr)
{
	if (s == NULL || addr == NULL)
		return -EINVAL;
	return ipv4_parse_span(s, s + strlen(s), addr);
}

int sl_ipv4_addr_format(char *buf, size_t len, uint32_t addr)
{
	uint32_t h = sl_ntohl(addr);

	return finish(buf, len,
		      snprintf(buf, len, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff,
			       h & 0xff));
}

int sl_ipv6_addr_parse(const char *s, uint8_t addr[SL_IPV6_ADDR_LEN])
{
	uint8_t out[SL_IPV6_ADDR_LEN];

	if (s == NULL || addr == NULL)
		return -EINVAL;
	/* inet_pton implements RFC 4291 section 2.2 exactly, including the dotted tail. */
	if (inet_pton(AF_INET6, s, out) != 1)
		return -EINVAL;
	memcpy(addr, out, sizeof(out));
	return 0;
}

int sl_ipv6_addr_format(char *buf, size_t len, const uint8_t addr[SL_IPV6_ADDR_LEN])
{
	char tmp[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, addr, tmp, sizeof(tmp)) == NULL)
		return finish(buf, len, -1);
	return finish(buf, len, snprintf(buf, len, "%s", tmp));
}

/* Splits "addr/len": copies the address part into a (size n) and parses the depth. */
static int split_prefix(const char *s, char *a, size_t n, unsigned max, uint8_t *depth)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned d = max;

	if (alen >= n)
		return -EINVAL;
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (slash) {
		const char *p = slash + 1;
		unsigned digits = 0;

		d = 0;
		while (*p >= '0' && *p <= '9') {
			if (digits == 1 && d == 0)
				return -EINVAL;
			d = d * 10 + (unsigned)(*p - '0');
			if (d > max)
				return -EINVAL;
			digits++;
			p++;
		}
		if (digits == 0 || *p != '\0')
			return -EINVAL;
	}
	*depth = (uint8_t)d;
	return 0;
}

int sl_ipv4_prefix_parse(const char *s, uint32_t *addr, uint8_t *depth)
{
	char a[SL_IPV4_ADDR_FMT_SIZE];
	uint32_t v, mask;
	uint8_t d;

	if (s == NULL || addr == NULL || depth == NULL)
		return -EINVAL;
	if (split_prefix(s, a, sizeof(a), 32, &d) < 0 || sl_ipv4_addr_parse(a, &v) < 0)
		return -EINVAL;
	mask = d == 0 ? 0 : ~0u << (32 - d);
	if (sl_ntohl(v) & ~mask)
		return -EINVAL;
	*addr = v;
	*depth = d;
	return 0;
}

int sl_ipv6_prefix_parse(const char *s, uint8_t addr[SL_IPV6_ADDR_LEN], uint8_t *depth)
{
	char a[SL_IPV6_ADDR_FMT_SIZE];
	uint8_t v[SL_IPV6_ADDR_LEN];
	uint8_t d;
	unsigned i;

	if (s == NULL || addr == NULL || depth == NULL)
		return -EINVAL;
	if (split_prefix(s, a, sizeof(a), 128, &d) < 0 || sl_ipv6_addr_parse(a, v) < 0)
		return -EINVAL;
	for (i = 0; i < SL_IPV6_ADDR_LEN; i++) {
		unsigned first = i * 8; /* first bit of this byte */
		uint8_t host_bits;

		if (first + 8 <= d)
			continue;
		host_bits = first >= d ? 0xff : (uint8_t)(0xff >> (d - first));
		if (v[i] & host_bits)
			return -EINVAL;
	}
	memcpy(addr, v, sizeof(v));
	*depth = d;
	return 0;
}

int sl_ipv4_prefix_format(char *buf, size_t len, uint32_t addr, uint8_t depth)
{
	char a[SL_IPV4_ADDR_FMT_SIZE];

	sl_ipv4_addr_format(a, sizeof(a), addr);
	return finish(buf, len, snprintf(buf, len, "%s/%u", a, depth));
}

int sl_ipv6_prefix_format(char *buf, size_t len, const uint8_t addr[SL_IPV6_ADDR_LEN],
			  uint8_t depth)
{
	char a[SL_IPV6_ADDR_FMT_SIZE];

	if (sl_ipv6_addr_format(a, sizeof(a), addr) < 0)
		return finish(buf, len, -1);
	return finish(buf, len, snprintf(buf, len, "%s/%u", a, depth));
}
