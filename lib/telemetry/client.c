/* SPDX-License-Identifier: BSD-3-Clause */
/* The client side: connect to a process by file prefix or path, send requests. */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "telemetry_priv.h"

#define GREETING_TIMEOUT_MS 5000

/* "a, b, c": the prefixes that have a telemetry socket. */
static void prefixes_found(char *buf, size_t len)
{
	char dir[PATH_MAX], pat[PATH_MAX + 32];
	glob_t g;
	size_t off = 0;

	buf[0] = '\0';
	if (sl_telemetry_dir("*", dir, sizeof(dir)) < 0)
		return;
	snprintf(pat, sizeof(pat), "%s/" SL_TELEMETRY_SOCKET, dir);
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc && off + 1 < len; i++) {
		char *end = strrchr(g.gl_pathv[i], '/'), *start;

		*end = '\0';
		start = strrchr(g.gl_pathv[i], '/');
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					start ? start + 1 : g.gl_pathv[i]);
	}
	globfree(&g);
}

/* Receives one datagram into buf (NUL-terminated), and an fd when one came with it. */
static int recv_dgram(int fd, char *buf, size_t len, int timeout_ms, int *passed_fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int rc;

	if (passed_fd)
		*passed_fd = -1;
	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return -ETIMEDOUT;
	if (rc < 0)
		return -errno;
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	buf[n] = '\0';
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(cm), sizeof(int));
			if (passed_fd && *passed_fd < 0)
				*passed_fd = got;
			else
				close(got);
		}
	return (int)n;
}

int sl_telemetry_connect(const char *target, json_t **greeting, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char path[PATH_MAX], found[512];
	char buf[SL_TELEMETRY_MAX_OUTPUT + 1];
	json_t *g;
	int fd, rc;

	if (greeting)
		*greeting = NULL;
	if (target == NULL || target[0] == '\0')
		target = "sluice";
	if (strchr(target, '/')) {
		snprintf(path, sizeof(path), "%s", target);
	} else {
		if (sl_telemetry_dir(target, path, sizeof(path) - sizeof(SL_TELEMETRY_SOCKET) - 1) <
		    0) {
			snprintf(err, errlen, "file prefix '%.64s' is too long", target);
			return -ENAMETOOLONG;
		}
		strcat(path, "/" SL_TELEMETRY_SOCKET);
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path %.200s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return rc;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		prefixes_found(found, sizeof(found));
		snprintf(err, errlen, "no Sluice or DPDK process answers on %.200s (%s); %s%s",
			 path, strerror(errno),
			 found[0] ? "processes with telemetry have the file prefixes: "
				  : "no process with telemetry is running",
			 found);
		close(fd);
		return rc;
	}
	rc = recv_dgram(fd, buf, sizeof(buf), GREETING_TIMEOUT_MS, NULL);
	g = rc > 0 ? json_loads(buf, 0, NULL) : NULL;
	if (g == NULL || json_object_get(g, "max_output_len") == NULL) {
		json_t *e = g ? json_object_get(g, "error") : NULL;

		snprintf(err, errlen, "%.200s: %s", path,
			 json_is_string(e) ? json_string_value(e)
			 : rc < 0	   ? strerror(-rc)
					   : "the first message is not a telemetry greeting");
		json_decref(g);
		close(fd);
		return rc < 0 ? rc : -EPROTO;
	}
	if (greeting)
		*greeting = g;
	else
		json_decref(g);
	return fd;
}

int sl_telemetry_request(int fd, const char *request, int timeout_ms, json_t **value,
			 int *passed_fd, char *err, size_t errlen)
{
	char buf[SL_TELEMETRY_MAX_OUTPUT + 1], cmd[SL_TELEMETRY_MAX_CMD];
	size_t len = strlen(request), clen = strcspn(request, ",");
	json_t *reply, *e;
	int rc;

	*value = NULL;
	if (passed_fd)
		*passed_fd = -1;
	if (clen >= sizeof(cmd) || len >= SL_TELEMETRY_MAX_REQUEST) {
		snprintf(err, errlen, "request '%.60s...' is too long", request);
		return -ENAMETOOLONG;
	}
	memcpy(cmd, request, clen);
	cmd[clen] = '\0';
	if (send(fd, request, len, MSG_NOSIGNAL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "send: %s", strerror(errno));
		return rc;
	}
	rc = recv_dgram(fd, buf, sizeof(buf), timeout_ms, passed_fd);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", cmd,
			 rc == -ECONNRESET ? "the process closed the connection" : strerror(-rc));
		return rc;
	}
	reply = json_loads(buf, 0, NULL);
	if (!json_is_object(reply)) {
		snprintf(err, errlen, "%s: the reply is not a JSON object", cmd);
		json_decref(reply);
		return -EPROTO;
	}
	e = json_object_get(reply, "error");
	if (e) {
		snprintf(err, errlen, "%s", json_is_string(e) ? json_string_value(e) : "error");
		json_decref(reply);
		if (passed_fd && *passed_fd >= 0) {
			close(*passed_fd);
			*passed_fd = -1;
		}
		return -EREMOTEIO;
	}
	*value = json_incref(json_object_get(reply, cmd));
	if (*value && json_is_null(*value)) {
		json_decref(*value);
		*value = NULL;
	}
	json_decref(reply);
	return 0;
}
