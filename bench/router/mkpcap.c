/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/router helper (run.sh compiles it into its work dir; not part of the meson build):
 *
 *   mkpcap v4|v6 ROUTES N OUT.pcap [SEED]   N 64-byte UDP frames, each to an address inside
 *                                            a random route of ROUTES (random host bits)
 *   mkpcap tsc                               the TSC rate in Hz, measured over 200 ms
 *
 * ROUTES: one route a line, "PREFIX/LEN", optionally with l3fwd's leading 'R' and a port
 * after it ("R1.0.4.0/22 1"); lines of the other family, '#' comments and blank lines are
 * skipped.  Frames: Ethernet 02:00:00:00:00:02 -> 02:53:4c:00:02:00 (the MAC of Sluice's
 * net_pcap port 0, so a router that checks the destination takes them; DPDK's l3fwd and
 * l3fwd-graph do not look at it), IPv4 (valid header checksum, TTL 64, UDP checksum 0)
 * or IPv6 (hop limit 64, valid UDP checksum), UDP 1024 -> 1024 + i % 64, zero payload;
 * a classic microsecond pcap, link type Ethernet.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#define FRAME 64

struct route {
	uint8_t ip[16];
	unsigned depth;
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static int tsc(void)
{
	struct timespec a, b;
	uint64_t t0, t1;
	double ns;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = __rdtsc();
	do
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 2e8);
	t1 = __rdtsc();
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("%.0f\n", (double)(t1 - t0) * 1e9 / ns);
	return 0;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32le(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	fwrite(b, 1, 4, f);
}

/* An address inside r: the route's first depth bits, random bits after them. */
static void inside(uint8_t out[16], const struct route *r, unsigned bytes, uint64_t *s)
{
	for (unsigned i = 0; i < bytes; i++) {
		int bits = (int)r->depth - 8 * (int)i;
		uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff00u >> bits);

		out[i] = (uint8_t)((r->ip[i] & m) | ((uint8_t)rnd(s) & ~m));
	}
}

static size_t read_routes(const char *path, int v6, struct route **out)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t n = 0, cap = 0;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *slash;
		struct route r = {{0}, 0};

		if (*p == 'R')
			p++;
		p[strcspn(p, " \t\r\n#")] = '\0';
		slash = strchr(p, '/');
		if (slash == NULL || (strchr(p, ':') != NULL) != v6)
			continue;
		*slash = '\0';
		r.depth = (unsigned)atoi(slash + 1);
		if (inet_pton(v6 ? AF_INET6 : AF_INET, p, r.ip) != 1 || r.depth > (v6 ? 128u : 32u))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			*out = realloc(*out, cap * sizeof(**out));
			if (*out == NULL)
				exit(1);
		}
		(*out)[n++] = r;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	struct route *routes = NULL;
	uint8_t frame[FRAME];
	uint64_t seed = 0x5eed;
	size_t nr, npkts;
	int v6;
	FILE *f;

	if (argc == 2 && strcmp(argv[1], "tsc") == 0)
		return tsc();
	if (argc < 5 || (strcmp(argv[1], "v4") != 0 && strcmp(argv[1], "v6") != 0)) {
		fprintf(stderr, "usage: mkpcap v4|v6 ROUTES N OUT.pcap [SEED] | mkpcap tsc\n");
		return 1;
	}
	v6 = argv[1][1] == '6';
	npkts = strtoul(argv[3], NULL, 0);
	if (argc > 5)
		seed = strtoull(argv[5], NULL, 0) | 1;
	nr = read_routes(argv[2], v6, &routes);
	if (nr == 0) {
		fprintf(stderr, "mkpcap: %s: no IPv%d routes\n", argv[2], v6 ? 6 : 4);
		return 1;
	}
	f = fopen(argv[4], "wb");
	if (f == NULL) {
		perror(argv[4]);
		return 1;
	}
	put32le(f, 0xa1b2c3d4);
	put32le(f, 2 | 4u << 16); /* version 2.4 */
	put32le(f, 0);
	put32le(f, 0);
	put32le(f, 65535);
	put32le(f, 1); /* Ethernet */
	for (size_t i = 0; i < npkts; i++) {
		const struct route *r = &routes[rnd(&seed) % nr];
		uint8_t *l3 = frame + 14, *udp;

		memset(frame, 0, sizeof(frame));
		memcpy(frame, "\x02\x53\x4c\x00\x02\x00\x02\x00\x00\x00\x00\x02", 12);
		if (!v6) {
			put16(frame + 12, 0x0800);
			l3[0] = 0x45;
			put16(l3 + 2, FRAME - 14);
			put16(l3 + 4, (uint16_t)i);
			l3[8] = 64;
			l3[9] = 17;
			l3[12] = 198, l3[13] = 18, l3[14] = (uint8_t)(i >> 8), l3[15] = (uint8_t)i;
			inside(l3 + 16, r, 4, &seed);
			put16(l3 + 10, csum_fold(csum_add(0, l3, 20)));
			udp = l3 + 20;
		} else {
			put16(frame + 12, 0x86dd);
			l3[0] = 0x60;
			put16(l3 + 4, FRAME - 14 - 40);
			l3[6] = 17;
			l3[7] = 64;
			memcpy(l3 + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0", 14);
			l3[22] = (uint8_t)(i >> 8), l3[23] = (uint8_t)i;
			inside(l3 + 24, r, 16, &seed);
			udp = l3 + 40;
		}
		put16(udp, 1024);
		put16(udp + 2, (uint16_t)(1024 + i % 64));
		put16(udp + 4, (uint16_t)(frame + FRAME - udp));
		if (v6) {
			uint32_t sum = csum_add(0, l3 + 8, 32); /* pseudo-header: addresses */
			uint16_t c;

			sum += (uint32_t)(frame + FRAME - udp) + 17;
			c = csum_fold(csum_add(sum, udp, (size_t)(frame + FRAME - udp)));
			put16(udp + 6, c == 0 ? 0xffff : c);
		}
		put32le(f, (uint32_t)(1700000000 + i / 1000000));
		put32le(f, (uint32_t)(i % 1000000));
		put32le(f, FRAME);
		put32le(f, FRAME);
		fwrite(frame, 1, FRAME, f);
	}
	if (fclose(f) != 0) {
		perror(argv[4]);
		return 1;
	}
	free(routes);
	return 0;
}
