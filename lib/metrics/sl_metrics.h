/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus exporter: an HTTP server (libmicrohttpd, one internal thread) that answers
 * GET /metrics with the Prometheus text exposition format 0.0.4, rendered on each scrape
 * from the telemetry commands run in-process (sl_telemetry_exec()), so the page and the
 * telemetry socket always agree.  Families, labels and cost: docs/metrics.md.
 *
 * The runtime calls sl_metrics_start() from sl_init() for `--metrics SPEC` and
 * sl_metrics_stop() from sl_cleanup().  Thread-safety: start and stop from one thread (the
 * one that called sl_init()); sl_metrics_address() and sl_metrics__render() from any.
 * Names beginning with sl_metrics__ are internal (exported for tests and fuzzing).
 */
#ifndef SL_METRICS_H
#define SL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Loopback unless an address is given: the page shows the process's internals and has no
 * authentication, so serving it beyond the host is an explicit choice (0.0.0.0:9100). */
#define SL_METRICS_DEFAULT_ADDR "127.0.0.1"
#define SL_METRICS_MAX_CLIENTS 16 /* connections served at once; more are refused */
#define SL_METRICS_TIMEOUT_S 5	  /* a connection idle this long is closed */

/*
 * Serves /metrics on spec, "[ADDR:]PORT": "9100" (127.0.0.1), "127.0.0.1:9100",
 * "0.0.0.0:9100", "[::1]:9100", "[::]:9100", "localhost:9100".  PORT 0 picks a free port
 * (sl_metrics_address() says which).  Returns 0, -EINVAL (bad spec), -EALREADY (already
 * serving), -EADDRINUSE / -EACCES / -EADDRNOTAVAIL (cannot listen) or -ENOMEM; every error
 * is logged as one line naming the value and the fix.
 */
int sl_metrics_start(const char *spec);

/* Stops serving (waits for a scrape being answered) and closes the socket; no-op when not
 * serving. */
void sl_metrics_stop(void);

/* "127.0.0.1:9100" or "[::1]:9100" (the port actually bound), or NULL when not serving. */
const char *sl_metrics_address(void);

struct sl_metrics_stats {
	uint64_t scrapes;	 /* GET /metrics answered with 200 */
	uint64_t not_found;	 /* answered 404 (another path) */
	uint64_t bad_method;	 /* answered 405 (not GET or HEAD) */
	uint64_t command_errors; /* telemetry commands that failed while rendering */
};
/* Counters since the process started; safe from any thread. */
void sl_metrics_stats(struct sl_metrics_stats *st);

/* Internal: the page as served (malloc'd, NUL-terminated, *len without the NUL), or NULL
 * with errno ENOMEM. */
char *sl_metrics__render(size_t *len);

/* Internal: parses spec as sl_metrics_start() does (0 or -EINVAL, logged); host and port get
 * the parts ("" when there is no address). */
int sl_metrics__parse_spec(const char *spec, char *host, size_t hostlen, uint16_t *port);

#endif
