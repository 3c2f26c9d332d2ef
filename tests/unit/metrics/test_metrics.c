/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/metrics: the page (format, families, labels, escaping, values equal to what the ports
 * counted) and the HTTP server on a loopback port, spoken to with plain sockets: 200, 404,
 * 405, HEAD, a malformed request, a client that sends nothing, the connection limit, bad
 * specs and an address in use.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_metrics.h"
#include "sl_pktbuf.h"
#include "sl_port.h"
#include "sl_telemetry.h"

static struct log_capture cap;
static struct sl_pool *pool;

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("metrics_test", 1024, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_metrics_stop();
	sl_port_close_all();
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

/* ---- a checker of the text format (promtool does the full check in tests/integ) ---- */

struct fam {
	char name[128];
	char type[16];
};

/* Checks page against the 0.0.4 text format as we write it: # HELP then # TYPE for each
 * family, then its samples only (a family appears once), counters named _total, label
 * values with only \\ \" \n escapes, values that parse.  Returns the number of samples. */
static unsigned check_format(const char *page)
{
	static struct fam seen[256];
	unsigned nseen = 0, samples = 0;
	char cur[128] = "", line[4096];
	const char *p = page;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n;

		assert_non_null(nl); /* every line ends with \n */
		n = (size_t)(nl - p);
		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			char *sp = strchr(line + 7, ' ');

			assert_non_null(sp);
			*sp = '\0';
			for (unsigned i = 0; i < nseen; i++)
				if (strcmp(seen[i].name, line + 7) == 0)
					fail_msg("family %s appears twice", line + 7);
			assert_true(nseen < 256);
			snprintf(seen[nseen].name, sizeof(seen[0].name), "%.127s", line + 7);
			snprintf(cur, sizeof(cur), "%.127s", line + 7);
			/* the next line is its # TYPE */
			nl = strchr(p, '\n');
			assert_non_null(nl);
			n = (size_t)(nl - p);
			memcpy(line, p, n);
			line[n] = '\0';
			p = nl + 1;
			assert_true(strncmp(line, "# TYPE ", 7) == 0);
			assert_true(strncmp(line + 7, cur, strlen(cur)) == 0);
			snprintf(seen[nseen].type, sizeof(seen[0].type), "%.15s",
				 line + 7 + strlen(cur) + 1);
			assert_true(strcmp(seen[nseen].type, "counter") == 0 ||
				    strcmp(seen[nseen].type, "gauge") == 0);
			if (strcmp(seen[nseen].type, "counter") == 0)
				assert_true(strlen(cur) > 6 &&
					    strcmp(cur + strlen(cur) - 6, "_total") == 0);
			nseen++;
			continue;
		}
		assert_true(line[0] != '#');
		/* name{l="v",...} value */
		{
			size_t nlen = strcspn(line, "{ ");
			char *q = line + nlen, *end;

			if (strlen(cur) != nlen || strncmp(line, cur, nlen) != 0)
				fail_msg("sample '%s' is not in family %s", line, cur);
			if (*q == '{') {
				q++;
				while (*q != '}') {
					size_t ln = strspn(q, "abcdefghijklmnopqrstuvwxyz_");

					assert_true(ln > 0);
					q += ln;
					assert_true(q[0] == '=' && q[1] == '"');
					q += 2;
					while (*q != '"') {
						assert_true(*q != '\0' && *q != '\n');
						if (*q == '\\') {
							assert_non_null(strchr("\\\"n", q[1]));
							q++;
						}
						q++;
					}
					q++;
					if (*q == ',')
						q++;
				}
				q++;
			}
			assert_true(*q == ' ');
			strtod(q + 1, &end);
			if (*end != '\0' || end == q + 1)
				fail_msg("sample value in '%s' is not a number", line);
		}
		samples++;
	}
	return samples;
}

/* The value of the sample line that starts with `prefix` ("name{labels}"), or -1. */
static long long sample(const char *page, const char *prefix)
{
	const char *p = page;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == page || p[-1] == '\n') && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p += n;
	}
	return -1;
}

/* ---- the page ---- */

static void test_spec(void **state)
{
	char host[64];
	uint16_t port;

	(void)state;
	assert_int_equal(sl_metrics__parse_spec("9100", host, sizeof(host), &port), 0);
	assert_string_equal(host, "");
	assert_int_equal(port, 9100);
	assert_int_equal(sl_metrics__parse_spec("127.0.0.1:9101", host, sizeof(host), &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9101);
	assert_int_equal(sl_metrics__parse_spec("[::1]:0", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	assert_int_equal(sl_metrics__parse_spec("localhost:80", host, sizeof(host), &port), 0);
	assert_string_equal(host, "localhost");

	assert_int_equal(sl_metrics__parse_spec("", host, sizeof(host), &port), -EINVAL);
	assert_true(log_capture_has(&cap, "--metrics needs [ADDR:]PORT", "127.0.0.1:9100"));
	assert_int_equal(sl_metrics__parse_spec("65536", host, sizeof(host), &port), -EINVAL);
	assert_true(log_capture_has(&cap, "port '65536' is not a number in [0, 65535]", NULL));
	assert_int_equal(sl_metrics__parse_spec("1.2.3.4:", host, sizeof(host), &port), -EINVAL);
	assert_true(log_capture_has(&cap, "port '' is not a number", NULL));
	assert_int_equal(sl_metrics__parse_spec("::1:9100", host, sizeof(host), &port), -EINVAL);
	assert_true(log_capture_has(&cap, "put an IPv6 address in brackets", "[::1]:9100"));
	assert_int_equal(sl_metrics__parse_spec("[::1]9100", host, sizeof(host), &port), -EINVAL);
	assert_true(log_capture_has(&cap, "written [ADDR]:PORT", NULL));
	assert_int_equal(sl_metrics__parse_spec(":9100", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(sl_metrics__parse_spec("x:-1", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(sl_metrics_start("nonsense"), -EINVAL);
	assert_null(sl_metrics_address());
}

static void drops_odd(json_t *obj, void *arg)
{
	(void)arg;
	json_object_set_new(obj, "a\"b\\c\nd", json_integer(7));
	json_object_set_new(obj, "plain", json_integer(0));
	json_object_set_new(obj, "not_a_number", json_string("x"));
}

static void test_escaping_and_format(void **state)
{
	const char *src = "odd \"source\" \\ with\nnewline";
	size_t len;
	char *page;

	(void)state;
	assert_int_equal(sl_telemetry_drops_register(src, drops_odd, NULL), 0);
	page = sl_metrics__render(&len);
	assert_non_null(page);
	assert_int_equal(strlen(page), len);
	assert_true(check_format(page) > 0);
	assert_true(sample(page,
			   "sluice_drops_total{source=\"odd \\\"source\\\" \\\\ with\\nnewline\","
			   "reason=\"a\\\"b\\\\c\\nd\"}") == 7);
	assert_true(sample(page,
			   "sluice_drops_total{source=\"odd \\\"source\\\" \\\\ with\\nnewline\","
			   "reason=\"plain\"}") == 0);
	assert_null(strstr(page, "not_a_number")); /* not a number: no sample */
	assert_non_null(strstr(page, "# TYPE sluice_drops_total counter\n"));
	assert_non_null(strstr(page, "\nsluice_info{version=\""));
	free(page);
	sl_telemetry_drops_unregister(src);
}

/* Starts a looped ring port (what it sends, it receives) with nq queues. */
static uint16_t ring_port(const char *devstr, uint16_t nq)
{
	struct sl_port_conf conf = {.nb_rxq = nq, .nb_txq = nq};
	int id = sl_port_create(devstr);

	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, pool), 0);
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	}
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return (uint16_t)id;
}

/* Sends n packets of len bytes on (port, q) and receives them back; returns the count. */
static unsigned loop_packets(uint16_t port, uint16_t q, unsigned n, uint16_t len)
{
	struct sl_pktbuf *pkts[32];
	unsigned done = 0;

	while (done < n) {
		unsigned b = n - done < 32 ? n - done : 32, got = 0, sent;

		for (unsigned i = 0; i < b; i++) {
			pkts[i] = sl_pktbuf_alloc(pool);
			assert_non_null(pkts[i]);
			memset(sl_pktbuf_append(pkts[i], len), 0xab, len);
		}
		sent = sl_port_tx_burst(port, q, pkts, (uint16_t)b);
		assert_int_equal(sent, b);
		while (got < b) {
			uint16_t r = sl_port_rx_burst(port, q, pkts, 32);

			assert_true(r > 0);
			sl_pktbuf_free_bulk(pkts, r);
			got += r;
		}
		done += b;
	}
	return done;
}

static void test_ports_counted(void **state)
{
	struct sl_port_stats st;
	uint16_t a, b;
	char key[256];
	size_t len;
	char *page;

	(void)state;
	a = ring_port("net_ring0,size=1024", 2);
	b = ring_port("net_ring1,size=1024", 1);
	loop_packets(a, 0, 1000, 64);
	loop_packets(a, 1, 300, 100);
	loop_packets(b, 0, 77, 1500);
	assert_int_equal(sl_port_rxq_lcore_set(a, 1, 3), 0);
	page = sl_metrics__render(&len);
	assert_non_null(page);
	check_format(page);

	assert_int_equal(sl_port_stats(a, &st), 0);
	assert_int_equal(st.ipackets, 1300); /* the port agrees with what we did */
#define PORT_A "{port=\"net_ring0\",port_id=\"%u\"}"
	snprintf(key, sizeof(key), "sluice_port_rx_packets_total" PORT_A, a);
	assert_int_equal(sample(page, key), 1300);
	snprintf(key, sizeof(key), "sluice_port_tx_packets_total" PORT_A, a);
	assert_int_equal(sample(page, key), 1300);
	snprintf(key, sizeof(key), "sluice_port_rx_bytes_total" PORT_A, a);
	assert_int_equal(sample(page, key), (long long)st.ibytes);
	assert_int_equal(st.ibytes, 1000 * 64 + 300 * 100);
	snprintf(key, sizeof(key), "sluice_port_tx_bytes_total" PORT_A, a);
	assert_int_equal(sample(page, key), 1000 * 64 + 300 * 100);
	snprintf(key, sizeof(key), "sluice_port_rx_missed_total" PORT_A, a);
	assert_int_equal(sample(page, key), 0);
	snprintf(key, sizeof(key), "sluice_port_rx_nombuf_total" PORT_A, a);
	assert_int_equal(sample(page, key), 0);
	snprintf(key, sizeof(key), "sluice_port_link_up" PORT_A, a);
	assert_int_equal(sample(page, key), 1);
	snprintf(key, sizeof(key), "sluice_port_rx_queues" PORT_A, a);
	assert_int_equal(sample(page, key), 2);
	/* per queue, by direction */
	snprintf(key, sizeof(key),
		 "sluice_port_queue_packets_total{port=\"net_ring0\",port_id=\"%u\",queue=\"1\","
		 "direction=\"rx\"}",
		 a);
	assert_int_equal(sample(page, key), 300);
	snprintf(key, sizeof(key),
		 "sluice_port_queue_bytes_total{port=\"net_ring0\",port_id=\"%u\",queue=\"0\","
		 "direction=\"tx\"}",
		 a);
	assert_int_equal(sample(page, key), 64000);
	snprintf(key, sizeof(key),
		 "sluice_port_queue_rx_lcore{port=\"net_ring0\",port_id=\"%u\",queue=\"1\","
		 "direction=\"rx\"}",
		 a);
	assert_int_equal(sample(page, key), 3);
	snprintf(key, sizeof(key),
		 "sluice_port_rx_packets_total{port=\"net_ring1\",port_id=\"%u\"}", b);
	assert_int_equal(sample(page, key), 77);
	/* driver xstats as one family, the xstat name a label */
	assert_non_null(strstr(page, "# TYPE sluice_port_xstats_total counter\n"));
	snprintf(key, sizeof(key),
		 "sluice_port_xstats_total{port=\"net_ring1\",port_id=\"%u\",name=", b);
	assert_non_null(strstr(page, key));
	/* the pool, with packets back in it */
	assert_int_equal(sample(page, "sluice_pool_size{pool=\"metrics_test\"}"), 1024);
	assert_true(sample(page, "sluice_pool_in_use{pool=\"metrics_test\"}") >= 0);
	assert_non_null(strstr(page, "sluice_port_info{port=\"net_ring0\""));
	free(page);
#undef PORT_A
}

/* ---- HTTP ---- */

static int connect_to(const char *addr)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = 10};
	const char *colon = strrchr(addr, ':');
	char ip[64];
	int fd;

	assert_non_null(colon);
	snprintf(ip, sizeof(ip), "%.*s", (int)(colon - addr), addr);
	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Sends req raw and reads the whole answer (the server closes: Connection: close). */
static char *http_raw(const char *req)
{
	size_t size = 1 << 20, len = 0;
	char *out = malloc(size);
	int fd = connect_to(sl_metrics_address());
	ssize_t n;

	assert_non_null(out);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((n = read(fd, out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	assert_true(n == 0); /* closed by the server, not timed out */
	out[len] = '\0';
	close(fd);
	return out;
}

static char *http_get(const char *method, const char *path)
{
	char req[256];

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
		 method, path);
	return http_raw(req);
}

static void assert_status(const char *resp, const char *status)
{
	if (strncmp(resp, status, strlen(status)) != 0)
		fail_msg("expected '%s', got '%.80s'", status, resp);
}

static void test_http(void **state)
{
	struct sl_metrics_stats st0, st1;
	uint16_t a;
	char *r, key[128];

	(void)state;
	a = ring_port("net_ring0", 1);
	loop_packets(a, 0, 42, 60);
	sl_metrics_stats(&st0);
	assert_int_equal(sl_metrics_start("127.0.0.1:0"), 0);
	assert_non_null(sl_metrics_address());
	assert_true(strncmp(sl_metrics_address(), "127.0.0.1:", 10) == 0);
	assert_true(atoi(sl_metrics_address() + 10) > 0);
	assert_int_equal(sl_metrics_start("127.0.0.1:0"), -EALREADY);
	assert_true(log_capture_has(&cap, "already serving on 127.0.0.1:", NULL));

	r = http_get("GET", "/metrics");
	assert_status(r, "HTTP/1.1 200");
	assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	snprintf(key, sizeof(key),
		 "sluice_port_rx_packets_total{port=\"net_ring0\",port_id=\"%u\"}", a);
	assert_int_equal(sample(strstr(r, "\r\n\r\n") + 4, key), 42);
	check_format(strstr(r, "\r\n\r\n") + 4);
	free(r);

	r = http_get("HEAD", "/metrics");
	assert_status(r, "HTTP/1.1 200");
	assert_null(strstr(r, "# HELP")); /* no body */
	free(r);

	r = http_get("GET", "/");
	assert_status(r, "HTTP/1.1 404");
	assert_non_null(strstr(r, "\r\n\r\nnot found: the page is /metrics\n"));
	free(r);

	r = http_get("POST", "/metrics");
	assert_status(r, "HTTP/1.1 405");
	assert_non_null(strstr(r, "Allow: GET, HEAD\r\n"));
	assert_non_null(strstr(r, "method not allowed: use GET /metrics\n"));
	free(r);

	/* Malformed: a 400, or closed without an answer (libmicrohttpd's choice). */
	r = http_raw("GARBAGE\r\n\r\n");
	if (r[0])
		assert_status(r, "HTTP/1.1 400");
	free(r);
	r = http_raw("GET /metrics HTTP/1.1\r\nNo colon here\r\n\r\n");
	if (r[0])
		assert_status(r, "HTTP/1.1 400");
	free(r);
	r = http_raw("GET /metrics HTTP/9.9\r\n\r\n");
	assert_status(r, "HTTP/1.1 505");
	free(r);
	r = http_raw("\x01\x02\xff\xfe binary\r\n\r\n");
	assert_null(strstr(r, "# HELP"));
	free(r);

	/* Still serving; the counters saw it all. */
	r = http_get("GET", "/metrics?x=1");
	assert_status(r, "HTTP/1.1 200");
	assert_true(sample(strstr(r, "\r\n\r\n") + 4, "sluice_metrics_scrapes_total") >=
		    (long long)st0.scrapes + 2);
	free(r);
	sl_metrics_stats(&st1);
	assert_int_equal(st1.scrapes - st0.scrapes, 3); /* GET, HEAD, GET?x=1 */
	assert_int_equal(st1.not_found - st0.not_found, 1);
	assert_int_equal(st1.bad_method - st0.bad_method, 1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A client that connects and sends nothing, then one that sends half a request: others are
 * served meanwhile, and both are closed after the timeout. */
static void test_slow_clients(void **state)
{
	struct pollfd pfd[2];
	double t0, t1;
	char c, *r;

	(void)state;
	assert_int_equal(sl_metrics_start("127.0.0.1:0"), 0);
	pfd[0].fd = connect_to(sl_metrics_address());
	pfd[1].fd = connect_to(sl_metrics_address());
	assert_int_equal(write(pfd[1].fd, "GET /metr", 9), 9);
	t0 = now_s();
	r = http_get("GET", "/metrics");
	assert_status(r, "HTTP/1.1 200");
	free(r);
	assert_true(now_s() - t0 < 2.0);
	for (int i = 0; i < 2; i++) {
		pfd[i].events = POLLIN;
		assert_int_equal(poll(&pfd[i], 1, (SL_METRICS_TIMEOUT_S + 5) * 1000), 1);
		/* closed (EOF, maybe after a 408), not answered */
		while (read(pfd[i].fd, &c, 1) == 1)
			;
		close(pfd[i].fd);
	}
	t1 = now_s();
	assert_true(t1 - t0 >= SL_METRICS_TIMEOUT_S - 1);
	r = http_get("GET", "/metrics");
	assert_status(r, "HTTP/1.1 200");
	free(r);
}

/* As many idle clients as the limit: a scrape beyond it waits in the listen backlog (the
 * limit holds) and is answered once the idle ones time out. */
static void test_connection_limit(void **state)
{
	int fds[SL_METRICS_MAX_CLIENTS];
	const char *req = "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	struct pollfd pfd;
	char buf[16];
	double t0;

	(void)state;
	assert_int_equal(sl_metrics_start("127.0.0.1:0"), 0);
	for (int i = 0; i < SL_METRICS_MAX_CLIENTS; i++)
		fds[i] = connect_to(sl_metrics_address());
	usleep(300 * 1000); /* let the server accept them */
	t0 = now_s();
	pfd.fd = connect_to(sl_metrics_address());
	pfd.events = POLLIN;
	assert_int_equal(write(pfd.fd, req, strlen(req)), (ssize_t)strlen(req));
	assert_int_equal(poll(&pfd, 1, 1000), 0); /* not served while the slots are taken */
	assert_int_equal(poll(&pfd, 1, (SL_METRICS_TIMEOUT_S + 5) * 1000), 1);
	assert_int_equal(read(pfd.fd, buf, 12), 12);
	assert_memory_equal(buf, "HTTP/1.1 200", 12);
	assert_true(now_s() - t0 >= SL_METRICS_TIMEOUT_S - 1.5);
	close(pfd.fd);
	for (int i = 0; i < SL_METRICS_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_address_in_use(void **state)
{
	char spec[64];

	(void)state;
	assert_int_equal(sl_metrics_start("127.0.0.1:0"), 0);
	snprintf(spec, sizeof(spec), "%s", sl_metrics_address());
	sl_metrics_stop();
	assert_null(sl_metrics_address());
	/* Stopped: the port is free again, and a restart on it works. */
	assert_int_equal(sl_metrics_start(spec), 0);
	assert_string_equal(sl_metrics_address(), spec);
	{
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

		assert_true(fd >= 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(listen(fd, 1), 0);
		{
			socklen_t sl = sizeof(sa);
			char other[64];

			assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
			snprintf(other, sizeof(other), "127.0.0.1:%u", ntohs(sa.sin_port));
			sl_metrics_stop();
			assert_int_equal(sl_metrics_start(other), -EADDRINUSE);
			assert_true(log_capture_has(&cap, other, "pick another one"));
		}
		close(fd);
	}
	assert_null(sl_metrics_address());
	/* IPv6 loopback, when the host has it. */
	if (sl_metrics_start("[::1]:0") == 0) {
		assert_true(strncmp(sl_metrics_address(), "[::1]:", 6) == 0);
		sl_metrics_stop();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping_and_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_in_use, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
