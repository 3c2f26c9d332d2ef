/* SPDX-License-Identifier: BSD-3-Clause */
/* Route sets read from a file; see routefile.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "routefile.h"

static int push(void **arr, size_t *n, size_t *cap, size_t size, const void *item)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		void *p = realloc(*arr, nc * size);

		if (p == NULL)
			return -1;
		*arr = p;
		*cap = nc;
	}
	memcpy((char *)*arr + *n * size, item, size);
	(*n)++;
	return 0;
}

/* One line: 1 = IPv4 route, 2 = IPv6 route, 0 = skipped (blank/comment), -1 = bad. */
static int parse_line(char *line, struct route4 *r4, struct route6 *r6)
{
	char *slash, *end;
	long depth;
	size_t len;

	while (*line == ' ' || *line == '\t')
		line++;
	len = strcspn(line, " \t\r\n#");
	if (len == 0)
		return line[0] == '\0' || line[0] == '\n' || line[0] == '\r' || line[0] == '#' ? 0
											       : -1;
	line[len] = '\0';
	slash = strchr(line, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	depth = strtol(slash + 1, &end, 10);
	if (*end != '\0' || end == slash + 1)
		return -1;
	if (strchr(line, ':') == NULL) {
		struct in_addr a;
		uint32_t ip, mask;

		if (depth < 0 || depth > 32 || inet_pton(AF_INET, line, &a) != 1)
			return -1;
		ip = ntohl(a.s_addr);
		mask = depth == 0 ? 0 : ~0u << (32 - depth);
		*r4 = (struct route4){ip & mask, (uint8_t)depth};
		return 1;
	}
	if (depth < 0 || depth > 128 || inet_pton(AF_INET6, line, r6->ip) != 1)
		return -1;
	for (unsigned i = 0; i < 16; i++) {
		long bits = depth - 8 * (long)i;

		r6->ip[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff00u >> bits);
	}
	r6->depth = (uint8_t)depth;
	return 2;
}

static int cmp4(const void *a, const void *b)
{
	const struct route4 *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return (int)x->depth - (int)y->depth;
}

static int cmp6(const void *a, const void *b)
{
	const struct route6 *x = a, *y = b;
	int c = memcmp(x->ip, y->ip, 16);

	return c ? c : (int)x->depth - (int)y->depth;
}

static size_t dups(const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	void *copy = malloc(n * size + 1);
	size_t d = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, base, n * size);
	qsort(copy, n, size, cmp);
	for (size_t i = 1; i < n; i++)
		d += cmp((char *)copy + (i - 1) * size, (char *)copy + i * size) == 0;
	free(copy);
	return d;
}

int routefile_read(const char *path, struct routefile *rf)
{
	size_t cap4 = 0, cap6 = 0;
	char line[512];
	int rc = 0;
#ifdef HAVE_ZLIB
	gzFile f = gzopen(path, "rb");
#else
	FILE *f = fopen(path, "r");
	size_t plen = strlen(path);

	if (plen > 3 && strcmp(path + plen - 3, ".gz") == 0) {
		fprintf(stderr, "routefile: %s: built without zlib: gunzip it first\n", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
#endif
	memset(rf, 0, sizeof(*rf));
	if (f == NULL) {
		perror(path);
		return -1;
	}
#ifdef HAVE_ZLIB
	while (gzgets(f, line, sizeof(line)) != NULL) {
#else
	while (fgets(line, sizeof(line), f) != NULL) {
#endif
		struct route4 r4;
		struct route6 r6;
		int t = parse_line(line, &r4, &r6);

		if (t == 1)
			rc = push((void **)&rf->r4, &rf->n4, &cap4, sizeof(r4), &r4);
		else if (t == 2)
			rc = push((void **)&rf->r6, &rf->n6, &cap6, sizeof(r6), &r6);
		else if (t < 0)
			rf->bad++;
		if (rc < 0) {
			fprintf(stderr, "routefile: %s: out of memory\n", path);
			break;
		}
	}
#ifdef HAVE_ZLIB
	{
		int err = 0;
		const char *msg = gzerror(f, &err);

		if (err != Z_OK && err != Z_STREAM_END && rc == 0) {
			fprintf(stderr, "routefile: %s: %s\n", path, msg);
			rc = -1;
		}
	}
	gzclose(f);
#else
	fclose(f);
#endif
	if (rc < 0) {
		routefile_free(rf);
		return -1;
	}
	rf->dup4 = dups(rf->r4, rf->n4, sizeof(*rf->r4), cmp4);
	rf->dup6 = dups(rf->r6, rf->n6, sizeof(*rf->r6), cmp6);
	return 0;
}

void routefile_free(struct routefile *rf)
{
	free(rf->r4);
	free(rf->r6);
	memset(rf, 0, sizeof(*rf));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t routefile_groups4(const struct route4 *r, size_t n)
{
	uint32_t *k = malloc(n * sizeof(*k) + 1), groups = 0;
	size_t m = 0;

	if (k == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].depth > 24)
			k[m++] = r[i].ip >> 8;
	qsort(k, m, sizeof(*k), cmp_u32);
	for (size_t i = 0; i < m; i++)
		groups += i == 0 || k[i] != k[i - 1];
	free(k);
	return groups;
}

/* A prefix of `bits` bits (24, 32, ..., 120) as a sortable key: the length, then the bytes. */
struct key6 {
	uint8_t b[17];
};

static int cmp_key6(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct key6));
}

uint32_t routefile_groups6(const struct route6 *r, size_t n)
{
	struct key6 *k;
	size_t m = 0, cap = 0;
	uint32_t groups = 0;

	for (size_t i = 0; i < n; i++)
		cap += r[i].depth > 24 ? (r[i].depth - 24 + 7) / 8 : 0;
	k = malloc(cap * sizeof(*k) + 1);
	if (k == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		for (unsigned bits = 24; bits < r[i].depth; bits += 8) {
			memset(&k[m], 0, sizeof(k[m]));
			k[m].b[0] = (uint8_t)bits;
			memcpy(&k[m].b[1], r[i].ip, bits / 8);
			m++;
		}
	qsort(k, m, sizeof(*k), cmp_key6);
	for (size_t i = 0; i < m; i++)
		groups += i == 0 || cmp_key6(&k[i], &k[i - 1]) != 0;
	free(k);
	return groups;
}
