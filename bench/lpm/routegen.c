/* SPDX-License-Identifier: BSD-3-Clause */
/* Route sets for the LPM benchmarks; see routegen.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "routegen.h"

/*
 * Prefixes per depth (1-32) in each class of the router dump DPDK's lpm_perf_autotest is
 * based on; classes A, B and C have 1, 2 and 3 fixed leading bits.
 */
static const uint32_t class_counts[3][32] = {
	{0,     0,     1,     0,     2,    1,     3,     185,  26,   16,   39,
	 144,   233,   528,   866,   3856, 3268,  5662,  17301, 22226, 11147, 16746,
	 17120, 77578, 401,   656,  1107, 1121,  2316,  717,  10,    66},
	{0,    0,    0,    0,    1,     1,    1,    3,     3,   30,  25,
	 168,  305,  569,  1129, 50800, 1645, 1820, 3506,  3258, 3424, 4971,
	 6885, 39771, 424, 170,  433,  92,   366,  377,   2,   200},
	{0,     0,     0,     0,     0,     0,      0,    12,   8,    9,     33,
	 69,    237,   1007,  1717,  14663, 8070,   16185, 48261, 36870, 33960, 50638,
	 61422, 466549, 1829, 4824, 4927, 5914, 10254, 4905, 1,     716},
};

/* Appends `count` prefixes of `depth` in a class, evenly spaced from a random start. */
static size_t add_class_prefixes(struct route4 *out, size_t n, unsigned cls, unsigned depth,
				 uint32_t count)
{
	const unsigned lead = cls + 1; /* fixed leading bits */
	const uint32_t head = cls == 0 ? 0 : cls == 1 ? 0x80000000u : 0xc0000000u;
	uint32_t span, stride, v;

	if (count == 0)
		return n;
	span = 1u << (depth - lead); /* prefixes of this depth in the class */
	stride = span <= count ? 1 : (uint32_t)round((double)span / count);
	v = (uint32_t)lrand48() & (span - 1);
	for (uint32_t k = 0; k < count; k++) {
		out[n].ip = head | v << (32 - depth);
		out[n].depth = (uint8_t)depth;
		n++;
		v = (v + stride) & (span - 1);
	}
	return n;
}

/* Puts ip/depth at a random position and moves the route there to the end. */
static size_t place_randomly(struct route4 *out, size_t n, uint32_t ip, uint8_t depth)
{
	size_t pos = 0;

	for (int tries = 0; tries < 10; tries++) {
		pos = (size_t)lrand48();
		if (pos <= n)
			break;
	}
	if (pos > n)
		pos = n / 2;
	out[n++] = out[pos];
	out[pos] = (struct route4){ip, depth};
	return n;
}

size_t routegen_dpdk4(struct route4 *out)
{
	size_t n = 0;

	for (unsigned cls = 0; cls < 3; cls++)
		for (unsigned d = 1; d <= 32; d++)
			n = add_class_prefixes(out, n, cls, d, class_counts[cls][d - 1]);
	n = place_randomly(out, n, 0x00000000, 8);	  /* 0.0.0.0/8 */
	n = place_randomly(out, n, 0x0a0217 << 8 | 147, 32); /* 10.2.23.147/32 */
	n = place_randomly(out, n, 0xc0a8640a, 24);	  /* 192.168.100.10/24 */
	n = place_randomly(out, n, 0xc0a81964, 24);	  /* 192.168.25.100/24 */
	n = place_randomly(out, n, 0xc0a8817c, 32);	  /* 192.168.129.124/32 */
	return n;
}

uint64_t routegen_rnd(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Depth drawn from a per-mille table of {lowest depth, highest depth, share}. */
static unsigned pick_depth(const unsigned (*mix)[3], size_t nmix, uint64_t *s)
{
	unsigned x = (unsigned)(routegen_rnd(s) % 1000), acc = 0;

	for (size_t i = 0; i < nmix; i++) {
		acc += mix[i][2];
		if (x < acc)
			return mix[i][0] +
			       (unsigned)(routegen_rnd(s) % (mix[i][1] - mix[i][0] + 1));
	}
	return mix[0][0];
}

static int cmp4(const void *a, const void *b)
{
	const struct route4 *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return (int)x->depth - (int)y->depth;
}

static uint32_t mask4(unsigned d)
{
	return d == 0 ? 0 : ~0u << (32 - d);
}

/* Fisher-Yates, so adds do not come in sorted order. */
static void shuffle(void *base, size_t n, size_t size, uint64_t *s)
{
	unsigned char tmp[32], *p = base;

	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(routegen_rnd(s) % i);

		memcpy(tmp, p + (i - 1) * size, size);
		memcpy(p + (i - 1) * size, p + j * size, size);
		memcpy(p + j * size, tmp, size);
	}
}

void routegen_inet4(struct route4 *out, size_t n, uint64_t *s)
{
	static const unsigned mix[][3] = {
		{24, 24, 550}, {22, 22, 60}, {23, 23, 45}, {21, 21, 40}, {20, 20, 35},
		{19, 19, 30},  {18, 18, 20}, {17, 17, 15}, {16, 16, 60}, {8, 15, 20},
		{25, 32, 15},  {16, 24, 110},
	};
	size_t m = 0;

	while (m < n) {
		for (size_t i = m; i < n; i++) {
			unsigned d = pick_depth(mix, sizeof(mix) / sizeof(mix[0]), s);
			uint32_t ip = (uint32_t)routegen_rnd(s);

			/* Unicast space 1.0.0.0 - 223.255.255.255. */
			ip = 0x01000000u + ip % (0xe0000000u - 0x01000000u);
			out[i] = (struct route4){ip & mask4(d), (uint8_t)d};
		}
		qsort(out, n, sizeof(*out), cmp4);
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (m == 0 || cmp4(&out[m - 1], &out[i]) != 0)
				out[m++] = out[i];
	}
	shuffle(out, n, sizeof(*out), s);
}

static void mask6(uint8_t out[16], const uint8_t in[16], unsigned depth)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = depth >= 8 * (i + 1) ? 8 : depth > 8 * i ? depth - 8 * i : 0;

		out[i] = bits == 0 ? 0 : (uint8_t)(in[i] & (0xff00u >> bits));
	}
}

static void rnd6(uint8_t ip[16], uint64_t *s)
{
	uint64_t a = routegen_rnd(s), b = routegen_rnd(s);

	memcpy(ip, &a, 8);
	memcpy(ip + 8, &b, 8);
}

/* out = the first d bits of p, the rest from h. */
static void splice6(uint8_t out[16], const uint8_t p[16], unsigned d, const uint8_t h[16])
{
	for (unsigned k = 0; k < 16; k++) {
		int bits = (int)d - 8 * (int)k;
		uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff00u >> bits);

		out[k] = (uint8_t)((p[k] & m) | (h[k] & ~m));
	}
}

static int cmp6(const void *a, const void *b)
{
	const struct route6 *x = a, *y = b;
	int c = memcmp(x->ip, y->ip, 16);

	return c ? c : (int)x->depth - (int)y->depth;
}

void routegen_inet6(struct route6 *out, size_t n, uint64_t *s)
{
	static const unsigned mix[][3] = {
		{48, 48, 450}, {32, 32, 120}, {44, 44, 100}, {40, 40, 80}, {56, 56, 60},
		{64, 64, 50},  {36, 36, 30},  {29, 29, 30},  {128, 128, 10}, {33, 47, 70},
	};
	const size_t nparents = n / 50 + 1;
	uint8_t (*parents)[16] = malloc(nparents * 16);
	size_t m = 0;

	if (parents == NULL)
		abort();
	for (size_t i = 0; i < nparents; i++) {
		rnd6(parents[i], s);
		parents[i][0] = (uint8_t)(0x20 | (parents[i][0] & 0x1f));
	}
	while (m < n) {
		for (size_t i = m; i < n; i++) {
			unsigned d = pick_depth(mix, sizeof(mix) / sizeof(mix[0]), s);
			uint8_t ip[16];

			rnd6(ip, s);
			if (d > 32)
				splice6(ip, parents[routegen_rnd(s) % nparents], 32, ip);
			else
				ip[0] = (uint8_t)(0x20 | (ip[0] & 0x1f));
			mask6(out[i].ip, ip, d);
			out[i].depth = (uint8_t)d;
		}
		qsort(out, n, sizeof(*out), cmp6);
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (m == 0 || cmp6(&out[m - 1], &out[i]) != 0)
				out[m++] = out[i];
	}
	free(parents);
	shuffle(out, n, sizeof(*out), s);
}

uint32_t routegen_inside4(const struct route4 *r, uint64_t *s)
{
	return r->ip | ((uint32_t)routegen_rnd(s) & ~mask4(r->depth));
}

void routegen_inside6(uint8_t out[16], const struct route6 *r, uint64_t *s)
{
	uint8_t h[16];

	rnd6(h, s);
	splice6(out, r->ip, r->depth, h);
}
