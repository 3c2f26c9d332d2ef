/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP side of /metrics, on libmicrohttpd (a maintained server: request parsing,
 * limits and timeouts are its job, not ours).
 *
 * We create the listening socket ourselves so that a bind failure is reported with its
 * errno and the address, then hand it to one libmicrohttpd daemon with its own polling
 * thread: requests are answered one at a time in that thread, which is plenty for a
 * Prometheus scraping every few seconds and keeps the rendering single-threaded.  At most
 * SL_METRICS_MAX_CLIENTS connections are open at once (more are refused at accept) and a
 * connection idle for SL_METRICS_TIMEOUT_S seconds is closed, so a client that connects and
 * sends nothing costs a slot for a few seconds and never blocks the others.  Malformed
 * requests get libmicrohttpd's 400.  Only GET (and HEAD) /metrics is served: another path
 * is a 404, another method a 405, each with a one-line text body.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "metrics_priv.h"

SL_LOG_TYPE_DEFINE(metrics)

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define BACKLOG 16

struct sl_metrics_stats sl_metrics__ctr;

static struct {
	struct MHD_Daemon *daemon;
	int fd;
	char address[INET6_ADDRSTRLEN + 8]; /* "[addr]:port" */
} srv = {.fd = -1};

int sl_metrics__parse_spec(const char *spec, char *host, size_t hostlen, uint16_t *port)
{
	const char *p, *colon;
	size_t hl = 0;
	char *end;
	long v;

	if (spec == NULL || spec[0] == '\0') {
		SL_LOG(metrics, ERR,
		       "--metrics needs [ADDR:]PORT; write 9100, 127.0.0.1:9100 or "
		       "[::1]:9100");
		return -EINVAL;
	}
	p = spec;
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || rb[1] != ':') {
			SL_LOG(metrics, ERR,
			       "--metrics '%s': an IPv6 address is written [ADDR]:PORT, "
			       "as in [::1]:9100",
			       spec);
			return -EINVAL;
		}
		hl = (size_t)(rb - spec - 1);
		if (hl + 1 > hostlen)
			goto bad;
		memcpy(host, spec + 1, hl);
		p = rb + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if (strchr(spec, ':') != colon) {
			SL_LOG(metrics, ERR,
			       "--metrics '%s': put an IPv6 address in brackets, as in "
			       "[::1]:9100",
			       spec);
			return -EINVAL;
		}
		hl = (size_t)(colon - spec);
		if (hl + 1 > hostlen)
			goto bad;
		memcpy(host, spec, hl);
		p = colon + 1;
	}
	host[hl] = '\0';
	if (spec[0] != '[' && p != spec && hl == 0)
		goto bad; /* ":9100" */
	errno = 0;
	v = strtol(p, &end, 10);
	if (p[0] < '0' || p[0] > '9' || *end != '\0' || errno || v < 0 || v > 65535) {
		SL_LOG(metrics, ERR,
		       "--metrics '%s': port '%s' is not a number in [0, 65535]; "
		       "write [ADDR:]PORT such as 9100",
		       spec, p);
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
bad:
	SL_LOG(metrics, ERR,
	       "--metrics '%s' is not [ADDR:]PORT; write 9100, 127.0.0.1:9100 or "
	       "[::1]:9100",
	       spec);
	return -EINVAL;
}

/* Resolves host (numeric, or a name such as localhost) and opens a listening socket. */
static int listen_on(const char *spec, const char *host, uint16_t port, bool *v6)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV},
			*res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char ps[8], a[INET6_ADDRSTRLEN];
	int fd, one = 1, rc;

	snprintf(ps, sizeof(ps), "%u", port);
	rc = getaddrinfo(host[0] ? host : SL_METRICS_DEFAULT_ADDR, ps, &hints, &res);
	if (rc != 0) {
		SL_LOG(metrics, ERR,
		       "--metrics '%s': cannot resolve '%s': %s; give a numeric "
		       "address such as 127.0.0.1 or [::1]",
		       spec, host, gai_strerror(rc));
		return -EINVAL;
	}
	*v6 = res->ai_family == AF_INET6;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		SL_LOG(metrics, ERR, "--metrics '%s': cannot create a socket: %s", spec,
		       strerror(-rc));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, BACKLOG) < 0) {
		rc = -errno;
		SL_LOG(metrics, ERR, "--metrics '%s': cannot listen on it: %s; %s", spec,
		       strerror(-rc),
		       rc == -EADDRINUSE ? "another process has the port: pick another one"
		       : rc == -EACCES	 ? "ports below 1024 need root: pick one above"
					 : "give an address of this host (127.0.0.1 by default)");
		close(fd);
		goto out;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (*v6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			snprintf(srv.address, sizeof(srv.address), "[%s]:%u", a,
				 ntohs(s6->sin6_port));
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
			snprintf(srv.address, sizeof(srv.address), "%s:%u", a, ntohs(s4->sin_port));
		}
	}
	rc = fd;
out:
	freeaddrinfo(res);
	return rc;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text,
			     char *page, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (page)
		r = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(
			text ? strlen(text) : 0, (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				page ? CONTENT_TYPE : "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	char *page;
	size_t len;

	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		metrics_count(&sl_metrics__ctr.bad_method);
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			     "method not allowed: use GET /metrics\n", NULL, 0);
	}
	if (strcmp(url, "/metrics") != 0) {
		metrics_count(&sl_metrics__ctr.not_found);
		return reply(c, MHD_HTTP_NOT_FOUND, "not found: the page is /metrics\n", NULL, 0);
	}
	page = sl_metrics__render(&len);
	if (page == NULL)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory; retry later\n",
			     NULL, 0);
	metrics_count(&sl_metrics__ctr.scrapes);
	return reply(c, MHD_HTTP_OK, NULL, page, len);
}

/* libmicrohttpd's own complaints (a client that went away, a malformed request), at debug
 * level: a client's mistakes are the client's, and answered with a 400. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	sl_vlog(&sl_logtype_metrics, SL_LOG_DEBUG, fmt, ap);
}

int sl_metrics_start(const char *spec)
{
	char host[256];
	uint16_t port;
	bool v6 = false;
	int rc, fd;

	if (srv.daemon) {
		SL_LOG(metrics, ERR, "--metrics '%s': already serving on %s; give --metrics once",
		       spec ? spec : "(null)", srv.address);
		return -EALREADY;
	}
	rc = sl_metrics__parse_spec(spec, host, sizeof(host), &port);
	if (rc < 0)
		return rc;
	fd = listen_on(spec, host, port, &v6);
	if (fd < 0)
		return fd;
	srv.daemon =
		MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
					 MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0),
				 0, NULL, NULL, handle, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
				 NULL, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)SL_METRICS_MAX_CLIENTS,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SL_METRICS_TIMEOUT_S,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_END);
	if (srv.daemon == NULL) {
		rc = errno ? -errno : -ENOMEM;
		SL_LOG(metrics, ERR,
		       "--metrics '%s': cannot start the HTTP server: %s; check the "
		       "thread and memory limits (ulimit -u, ulimit -v)",
		       spec, strerror(-rc));
		if (fcntl(fd, F_GETFD) >= 0) /* not closed by libmicrohttpd on its way out */
			close(fd);
		srv.address[0] = '\0';
		return rc;
	}
	srv.fd = fd;
	SL_LOG(metrics, INFO, "serving http://%s/metrics", srv.address);
	return 0;
}

void sl_metrics_stop(void)
{
	if (srv.daemon == NULL)
		return;
	MHD_stop_daemon(srv.daemon); /* joins its thread and closes the listening socket */
	srv.daemon = NULL;
	srv.fd = -1;
	srv.address[0] = '\0';
}

const char *sl_metrics_address(void)
{
	return srv.daemon ? srv.address : NULL;
}

void sl_metrics_stats(struct sl_metrics_stats *st)
{
	st->scrapes = __atomic_load_n(&sl_metrics__ctr.scrapes, __ATOMIC_RELAXED);
	st->not_found = __atomic_load_n(&sl_metrics__ctr.not_found, __ATOMIC_RELAXED);
	st->bad_method = __atomic_load_n(&sl_metrics__ctr.bad_method, __ATOMIC_RELAXED);
	st->command_errors = __atomic_load_n(&sl_metrics__ctr.command_errors, __ATOMIC_RELAXED);
}
