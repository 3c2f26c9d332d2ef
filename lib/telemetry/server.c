/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket: a listening thread and one thread per client, as DPDK's telemetry does.
 * Every thread waits in poll() on its socket and on the stop eventfd, so stop never waits
 * on a client.  A client that does not read its replies is dropped after SEND_TIMEOUT_S.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "telemetry_priv.h"

#define SEND_TIMEOUT_S 5
#define MAX_CLOSE_FNS 4
#define MAX_SUFFIX 32

struct tel_client {
	int fd;
	pthread_t thread;
	bool used;     /* (lock) slot taken */
	bool finished; /* (lock) thread returned, join it */
	void *data;    /* sl_telemetry_conn_data() */
	unsigned nb_close;
	struct {
		void (*fn)(void *arg);
		void *arg;
	} close_fns[MAX_CLOSE_FNS];
};

static struct {
	pthread_mutex_t lock;
	bool running;
	int listen_fd, stop_fd;
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char dir[PATH_MAX];
	struct tel_client clients[SL_TELEMETRY_MAX_CLIENTS];
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER, .listen_fd = -1, .stop_fd = -1};

json_t *tel_greeting(void)
{
	return json_pack("{sssisi}", "version", "Sluice " SL_TELEMETRY_VERSION, "pid",
			 (int)getpid(), "max_output_len", SL_TELEMETRY_MAX_OUTPUT);
}

int tel_clients_now(void)
{
	int n = 0;

	pthread_mutex_lock(&srv.lock);
	for (unsigned i = 0; i < SL_TELEMETRY_MAX_CLIENTS; i++)
		n += srv.clients[i].used && !srv.clients[i].finished;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

int tel_client_on_close(struct tel_client *c, void (*fn)(void *arg), void *arg)
{
	if (c->nb_close == MAX_CLOSE_FNS)
		return -ENOSPC;
	c->close_fns[c->nb_close].fn = fn;
	c->close_fns[c->nb_close].arg = arg;
	c->nb_close++;
	return 0;
}

void **tel_client_data(struct tel_client *c)
{
	return &c->data;
}

int sl_telemetry_dir(const char *file_prefix, char *buf, size_t len)
{
	const char *base = getenv("RUNTIME_DIRECTORY");

	if (base == NULL || base[0] == '\0') {
		if (geteuid() == 0)
			base = "/var/run";
		else if ((base = getenv("XDG_RUNTIME_DIR")) == NULL || base[0] == '\0')
			base = "/tmp";
	}
	if ((size_t)snprintf(buf, len, "%s/dpdk/%s", base, file_prefix) >= len)
		return -ENAMETOOLONG;
	return 0;
}

const char *sl_telemetry_path(void)
{
	return srv.running ? srv.path : NULL;
}

/* Sends one datagram, with fd when fd >= 0. */
static int send_dgram(int sock, const char *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *cm;

		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int send_json(int sock, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	int rc = s ? send_dgram(sock, s, strlen(s), -1) : -ENOMEM;

	free(s);
	json_decref(v);
	return rc;
}

/* Serves one request datagram; returns < 0 when the client must be closed. */
static int serve(struct tel_client *c, char *buf, size_t len)
{
	struct sl_telemetry_req req = {.fd_out = -1, .client = c};
	size_t out_len;
	bool truncated;
	char *out;
	int rc;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	tel_handle(&req, buf, len);
	out = sl_telemetry__reply(req.cmd[0] ? req.cmd : "error", req.value,
				  req.failed ? req.error : NULL, SL_TELEMETRY_MAX_OUTPUT, &out_len,
				  &truncated);
	json_decref(req.value);
	if (truncated)
		SL_LOG(telemetry, INFO, "reply to %s cut to %d bytes", req.cmd,
		       SL_TELEMETRY_MAX_OUTPUT);
	if (req.failed && req.fd_out >= 0) { /* an error reply carries no fd */
		close(req.fd_out);
		req.fd_out = -1;
	}
	rc = out ? send_dgram(c->fd, out, out_len, req.fd_out) : -ENOMEM;
	free(out);
	if (req.fd_out >= 0)
		close(req.fd_out);
	if (rc < 0)
		SL_LOG(telemetry, INFO,
		       "telemetry client dropped: %s (a client that does not read its replies is closed after %d s)",
		       strerror(-rc), SEND_TIMEOUT_S);
	return rc;
}

static void *client_main(void *arg)
{
	struct tel_client *c = arg;
	char buf[SL_TELEMETRY_MAX_REQUEST + 1];

	if (send_json(c->fd, tel_greeting()) == 0) {
		for (;;) {
			struct pollfd pfd[2] = {{.fd = c->fd, .events = POLLIN},
						{.fd = srv.stop_fd, .events = POLLIN}};
			ssize_t n;

			if (poll(pfd, 2, -1) < 0 && errno != EINTR)
				break;
			if (pfd[1].revents)
				break;
			if (!pfd[0].revents)
				continue;
			/* A datagram longer than the buffer is cut (MSG_TRUNC tells): refuse it. */
			n = recv(c->fd, buf, SL_TELEMETRY_MAX_REQUEST, MSG_TRUNC);
			if (n <= 0)
				break;
			if (n >= SL_TELEMETRY_MAX_REQUEST) {
				char msg[128];

				snprintf(
					msg, sizeof(msg),
					"{\"error\":\"request of %zd bytes is over the limit of %d\"}",
					n, SL_TELEMETRY_MAX_REQUEST - 1);
				__atomic_fetch_add(&tel_counters.requests, 1, __ATOMIC_RELAXED);
				__atomic_fetch_add(&tel_counters.errors, 1, __ATOMIC_RELAXED);
				if (send_dgram(c->fd, msg, strlen(msg), -1) < 0)
					break;
				continue;
			}
			buf[n] = '\0';
			if (serve(c, buf, (size_t)n) < 0)
				break;
		}
	}
	for (unsigned i = 0; i < c->nb_close; i++)
		c->close_fns[i].fn(c->close_fns[i].arg);
	c->nb_close = 0;
	c->data = NULL;
	close(c->fd);
	pthread_mutex_lock(&srv.lock);
	c->finished = true;
	pthread_mutex_unlock(&srv.lock);
	return NULL;
}

/* Joins clients whose threads returned; with all, waits for every one. */
static void reap(bool all)
{
	for (unsigned i = 0; i < SL_TELEMETRY_MAX_CLIENTS; i++) {
		struct tel_client *c = &srv.clients[i];
		bool join;

		pthread_mutex_lock(&srv.lock);
		join = c->used && (c->finished || all);
		pthread_mutex_unlock(&srv.lock);
		if (!join)
			continue;
		pthread_join(c->thread, NULL);
		pthread_mutex_lock(&srv.lock);
		c->used = c->finished = false;
		pthread_mutex_unlock(&srv.lock);
	}
}

static void refuse(int fd)
{
	json_t *v = json_pack("{ss}", "error",
			      "too many telemetry clients (" SL_TELEMETRY_STR(
				      SL_TELEMETRY_MAX_CLIENTS) " connected); close one and retry");

	__atomic_fetch_add(&tel_counters.refused, 1, __ATOMIC_RELAXED);
	send_json(fd, v);
	close(fd);
}

static void *listen_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = srv.listen_fd, .events = POLLIN},
					{.fd = srv.stop_fd, .events = POLLIN}};
		struct tel_client *c = NULL;
		struct timeval tv = {.tv_sec = SEND_TIMEOUT_S};
		int fd;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		reap(false);
		if (!pfd[0].revents)
			continue;
		fd = accept4(srv.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&srv.lock);
		for (unsigned i = 0; i < SL_TELEMETRY_MAX_CLIENTS && c == NULL; i++)
			if (!srv.clients[i].used)
				c = &srv.clients[i];
		if (c) {
			c->used = true;
			c->finished = false;
			c->fd = fd;
			c->nb_close = 0;
			c->data = NULL;
		}
		pthread_mutex_unlock(&srv.lock);
		if (c == NULL) {
			refuse(fd);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		__atomic_fetch_add(&tel_counters.accepted, 1, __ATOMIC_RELAXED);
		if (pthread_create(&c->thread, NULL, client_main, c) != 0) {
			close(fd);
			pthread_mutex_lock(&srv.lock);
			c->used = false;
			pthread_mutex_unlock(&srv.lock);
		}
	}
	return NULL;
}

static int mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Binds the first free path of dir/dpdk_telemetry.v2, :1, :2...; a stale socket (nobody
 * answers) is replaced. */
static int bind_socket(int fd)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	for (unsigned i = 0; i < MAX_SUFFIX; i++) {
		int probe;

		if (i == 0)
			snprintf(srv.path, sizeof(srv.path), "%s/" SL_TELEMETRY_SOCKET, srv.dir);
		else
			snprintf(srv.path, sizeof(srv.path), "%s/" SL_TELEMETRY_SOCKET ":%u",
				 srv.dir, i);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", srv.path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
		    errno == ECONNREFUSED) {
			close(probe);
			unlink(srv.path);
			if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
				return 0;
			return -errno;
		}
		if (probe >= 0)
			close(probe);
	}
	return -EADDRINUSE;
}

int sl_telemetry_start(const char *file_prefix)
{
	int fd, rc;

	if (srv.running)
		return -EALREADY;
	rc = sl_telemetry_dir(file_prefix, srv.dir, sizeof(srv.dir));
	if (rc == 0 && strlen(srv.dir) + sizeof(SL_TELEMETRY_SOCKET ":99") + 1 > sizeof(srv.path))
		rc = -ENAMETOOLONG;
	if (rc < 0) {
		SL_LOG(telemetry, ERR,
		       "telemetry: directory for prefix '%s' is too long for a socket path; use a shorter --file-prefix or RUNTIME_DIRECTORY",
		       file_prefix);
		return rc;
	}
	rc = mkdirs(srv.dir);
	if (rc < 0) {
		SL_LOG(telemetry, ERR,
		       "telemetry: cannot create %s: %s; set RUNTIME_DIRECTORY to a writable directory or pass --no-telemetry",
		       srv.dir, strerror(-rc));
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = bind_socket(fd);
	if (rc == 0 && listen(fd, 1) < 0)
		rc = -errno;
	if (rc < 0) {
		SL_LOG(telemetry, ERR,
		       "telemetry: cannot serve %s: %s; pass --no-telemetry to run without it",
		       srv.path, strerror(-rc));
		close(fd);
		return rc;
	}
	srv.listen_fd = fd;
	srv.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (srv.stop_fd < 0 || pthread_create(&srv.thread, NULL, listen_main, NULL) != 0) {
		rc = srv.stop_fd < 0 ? -errno : -EAGAIN;
		if (srv.stop_fd >= 0)
			close(srv.stop_fd);
		close(fd);
		unlink(srv.path);
		srv.listen_fd = srv.stop_fd = -1;
		SL_LOG(telemetry, ERR, "telemetry: cannot start its thread: %s", strerror(-rc));
		return rc;
	}
	srv.running = true;
	SL_LOG(telemetry, INFO, "telemetry on %s (dpdk-telemetry.py -f %s)", srv.path, file_prefix);
	return 0;
}

void sl_telemetry_stop(void)
{
	uint64_t one = 1;

	if (!srv.running)
		return;
	if (write(srv.stop_fd, &one, sizeof(one)) < 0)
		SL_LOG(telemetry, ERR, "telemetry stop: %s", strerror(errno));
	pthread_join(srv.thread, NULL);
	reap(true);
	close(srv.listen_fd);
	close(srv.stop_fd);
	unlink(srv.path);
	rmdir(srv.dir); /* only when empty: a DPDK process may share the prefix */
	srv.listen_fd = srv.stop_fd = -1;
	srv.running = false;
}
