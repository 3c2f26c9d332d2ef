/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the port and driver tests (cmocka): clocks and waits, shell commands,
 * open file descriptors, extended statistics by name and a polling receive.  Include
 * after <cmocka.h>.
 */
#ifndef SL_PORT_TEST_H
#define SL_PORT_TEST_H

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_port.h"

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits (polling each millisecond) until cond holds or ms milliseconds passed. */
#define WAIT_FOR(cond, ms)                                                                         \
	do {                                                                                       \
		uint64_t end_ = now_ms() + (ms);                                                   \
		while (!(cond) && now_ms() < end_)                                                 \
			usleep(1000);                                                              \
	} while (0)

/* File descriptors open in this process (a leak check: the same before and after). */
static inline unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Runs a printf-formatted shell command; returns system()'s status. */
static inline __attribute__((format(printf, 1, 2))) int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* The output of a shell command (at most size - 1 bytes). */
static inline __attribute__((format(printf, 3, 4))) void sh_out(char *out, size_t size,
								 const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	FILE *f;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	pclose(f);
}

/* The value of the port's extended statistic `name`; fails the test if there is none. */
static inline uint64_t xstat(uint16_t port, const char *name)
{
	struct sl_port_xstat xs[256];
	int n = sl_port_xstats(port, xs, 256);

	assert_true(n > 0 && n <= 256);
	for (int i = 0; i < n; i++)
		if (strcmp(xs[i].name, name) == 0)
			return xs[i].value;
	fail_msg("no xstat %s", name);
	return 0;
}

/* Every xstat name once: the driver's own names never repeat the port layer's. */
static inline void assert_xstat_names_unique(uint16_t port)
{
	struct sl_port_xstat xs[256];
	int n = sl_port_xstats(port, xs, 256);

	assert_true(n > 0 && n <= 256);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(xs[i].name, xs[j].name) == 0)
				fail_msg("xstat %s appears twice (%d and %d)", xs[i].name, i, j);
}

/* Polls rx queues [0, nq) until want packets came or timeout_ms passed, then 30 ms more
 * to catch extras.  Keeps the first max packets in out (and their queue in qs when not
 * NULL), frees the rest; returns how many came. */
static inline unsigned recv_all(uint16_t port, uint16_t nq, struct sl_pktbuf **out,
				uint16_t *qs, unsigned max, unsigned want, unsigned timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms, extra_end = 0;
	unsigned got = 0;

	for (;;) {
		uint64_t t = now_ms();

		if (got >= want && extra_end == 0)
			extra_end = t + 30;
		if ((extra_end && t >= extra_end) || (!extra_end && t >= end))
			break;
		for (uint16_t q = 0; q < nq; q++) {
			struct sl_pktbuf *pkts[32];
			uint16_t nb = sl_port_rx_burst(port, q, pkts, 32);

			for (uint16_t i = 0; i < nb; i++) {
				if (got < max) {
					if (qs)
						qs[got] = q;
					out[got] = pkts[i];
				} else {
					sl_pktbuf_free(pkts[i]);
				}
				got++;
			}
		}
		usleep(100);
	}
	return got;
}

#endif
