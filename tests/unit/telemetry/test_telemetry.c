/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/telemetry unit tests, with the server on a socket under a temporary
 * RUNTIME_DIRECTORY:
 *  - request parsing: command and parameters, and each malformed form with its error;
 *  - registration: bad names, duplicates (across and within tables), unregister;
 *  - exec: built-ins (/, /info, /help), unknown commands, handler errors with and without a
 *    message, drop sources;
 *  - replies over max_output_len: trailing entries dropped, still JSON, the count said;
 *  - the socket: the path DPDK uses, the greeting, requests, an over-long datagram (error,
 *    the connection goes on), SL_TELEMETRY_MAX_CLIENTS + 1 clients (the extra told why),
 *    an fd passed with a reply, the close callback when the client goes, a stale socket
 *    replaced and a live one left alone (":1"), connect errors naming the prefixes found.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_common.h"
#include "sl_telemetry.h"

static struct log_capture cap;
static char tmpdir[64];

static int closed_calls;

static int cmd_echo(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	(void)cmd, (void)ctx;
	sl_telemetry_set(req, json_pack("{ss}", "params", p ? p : "(none)"));
	return 0;
}

static int cmd_fail_msg(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	(void)p, (void)ctx;
	return sl_telemetry_error(req, -EINVAL, "%s: port 7 is stopped; start it first", cmd);
}

static int cmd_fail_plain(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	(void)req, (void)cmd, (void)p, (void)ctx;
	return -EIO;
}

static int cmd_big(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *arr = json_array();

	(void)cmd, (void)p, (void)ctx;
	for (int i = 0; i < 5000; i++)
		json_array_append_new(arr, json_integer(1000000 + i));
	sl_telemetry_set(req, arr);
	return 0;
}

static void on_close(void *arg)
{
	__atomic_fetch_add((int *)arg, 1, __ATOMIC_RELAXED);
}

static int cmd_session(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	int fd = eventfd(41, EFD_CLOEXEC), rc;

	(void)cmd, (void)p, (void)ctx;
	if (fd < 0)
		return -errno;
	rc = sl_telemetry_pass_fd(req, fd);
	if (rc == 0)
		rc = sl_telemetry_on_close(req, on_close, &closed_calls);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	sl_telemetry_set(req, json_string("session"));
	return 0;
}

static int cmd_param(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	long v = sl_telemetry_param_uint(req, p, 10);

	(void)cmd, (void)ctx;
	if (v < 0)
		return (int)v;
	sl_telemetry_set(req, json_integer(v));
	return 0;
}

/* Counts this connection's requests in its connection word. */
static int cmd_conn(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	void **d = sl_telemetry_conn_data(req);

	(void)cmd, (void)p, (void)ctx;
	if (d == NULL)
		return sl_telemetry_error(req, -ENOTSUP, "no connection");
	*d = (void *)((uintptr_t)*d + 1);
	sl_telemetry_set(req, json_integer((json_int_t)(uintptr_t)*d));
	return 0;
}

/* Passes an fd, then fails: the error reply must carry no fd. */
static int cmd_fd_fail(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	(void)cmd, (void)p, (void)ctx;
	if (sl_telemetry_pass_fd(req, fd) < 0)
		close(fd);
	return sl_telemetry_error(req, -EIO, "failed after passing an fd");
}

static const struct sl_telemetry_cmd test_cmds[] = {
	{"/test/conn", cmd_conn, "counts this connection's requests"},
	{"/test/fd_fail", cmd_fd_fail, "passes an fd, then fails"},
	{"/test/echo", cmd_echo, "echoes its parameters"},
	{"/test/fail_msg", cmd_fail_msg, "fails with a message"},
	{"/test/fail_plain", cmd_fail_plain, "fails with -EIO"},
	{"/test/big", cmd_big, "5000 numbers"},
	{"/test/session", cmd_session, "passes an fd, asks for a close callback"},
	{"/test/param", cmd_param, "a number below 10"},
};

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_capture_stop();
	return 0;
}

static void test_parse(void **state)
{
	char cmd[SL_TELEMETRY_MAX_CMD], err[256], longc[80];
	const char *params;

	(void)state;
	assert_int_equal(sl_telemetry__parse("/ethdev/stats,3", 15, cmd, &params, err, sizeof(err)),
			 0);
	assert_string_equal(cmd, "/ethdev/stats");
	assert_string_equal(params, "3");
	assert_int_equal(sl_telemetry__parse("/", 1, cmd, &params, err, sizeof(err)), 0);
	assert_string_equal(cmd, "/");
	assert_null(params);
	assert_int_equal(sl_telemetry__parse("/a,b,c", 6, cmd, &params, err, sizeof(err)), 0);
	assert_string_equal(params, "b,c");
	assert_int_equal(sl_telemetry__parse("ethdev", 6, cmd, &params, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "starts with '/'"));
	assert_int_equal(sl_telemetry__parse(",x", 2, cmd, &params, err, sizeof(err)), -EINVAL);
	assert_int_equal(sl_telemetry__parse("/eth dev", 8, cmd, &params, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "'/eth dev'"));
	assert_int_equal(sl_telemetry__parse("/a\0b", 4, cmd, &params, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	memset(longc, 'a', sizeof(longc));
	longc[0] = '/';
	longc[sizeof(longc) - 1] = '\0';
	assert_int_equal(sl_telemetry__parse(longc, strlen(longc), cmd, &params, err, sizeof(err)),
			 -ENAMETOOLONG);
	assert_non_null(strstr(err, "79 characters"));
}

static void test_register(void **state)
{
	static const struct sl_telemetry_cmd bad_name[] = {{"ethdev", cmd_echo, "x"}};
	static const struct sl_telemetry_cmd bad_char[] = {{"/a-b", cmd_echo, "x"}};
	static const struct sl_telemetry_cmd no_fn[] = {{"/test/nofn", NULL, "x"}};
	static const struct sl_telemetry_cmd twice[] = {{"/test/t2", cmd_echo, "x"},
							{"/test/t2", cmd_echo, "y"}};
	static const struct sl_telemetry_cmd taken[] = {{"/test/new", cmd_echo, "x"},
							{"/info", cmd_echo, "y"}};
	json_t *v;

	(void)state;
	assert_int_equal(sl_telemetry_register(bad_name, 1), -EINVAL);
	assert_non_null(strstr(cap.text, "'ethdev'"));
	assert_int_equal(sl_telemetry_register(bad_char, 1), -EINVAL);
	assert_int_equal(sl_telemetry_register(no_fn, 1), -EINVAL);
	assert_non_null(strstr(cap.text, "no handler"));
	assert_int_equal(sl_telemetry_register(twice, 2), -EEXIST);
	assert_int_equal(sl_telemetry_register(taken, 2), -EEXIST);
	assert_non_null(strstr(cap.text, "/info is registered twice"));
	/* all or nothing: /test/new did not go in */
	assert_int_equal(sl_telemetry_exec("/test/new", &v, NULL, 0), -ENOENT);
	assert_int_equal(sl_telemetry_register(test_cmds, SL_ARRAY_SIZE(test_cmds)), 0);
	assert_int_equal(sl_telemetry_exec("/test/echo,x", &v, NULL, 0), 0);
	json_decref(v);
	sl_telemetry_unregister(test_cmds, SL_ARRAY_SIZE(test_cmds));
	assert_int_equal(sl_telemetry_exec("/test/echo,x", &v, NULL, 0), -ENOENT);
	assert_int_equal(sl_telemetry_register(test_cmds, SL_ARRAY_SIZE(test_cmds)), 0);
}

static void test_exec(void **state)
{
	char err[256];
	json_t *v;
	bool found = false, sorted = true;

	(void)state;
	assert_int_equal(sl_telemetry_exec("/", &v, err, sizeof(err)), 0);
	assert_true(json_is_array(v));
	for (size_t i = 0; i < json_array_size(v); i++) {
		const char *s = json_string_value(json_array_get(v, i));

		found |= strcmp(s, "/test/echo") == 0;
		if (i > 0 && strcmp(json_string_value(json_array_get(v, i - 1)), s) >= 0)
			sorted = false;
	}
	assert_true(found);
	assert_true(sorted);
	json_decref(v);

	assert_int_equal(sl_telemetry_exec("/info", &v, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(v, "pid")), getpid());
	assert_int_equal(json_integer_value(json_object_get(v, "max_output_len")),
			 SL_TELEMETRY_MAX_OUTPUT);
	json_decref(v);

	assert_int_equal(sl_telemetry_exec("/help,/test/echo", &v, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(v, "/test/echo")),
			    "echoes its parameters");
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/help,/nope", &v, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no command /nope"));

	assert_int_equal(sl_telemetry_exec("/test/echo,a,b", &v, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(v, "params")), "a,b");
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/test/echo", &v, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(v, "params")), "(none)");
	json_decref(v);

	assert_int_equal(sl_telemetry_exec("/nope", &v, err, sizeof(err)), -ENOENT);
	assert_null(v);
	assert_string_equal(err, "unknown command /nope; / lists the commands");
	assert_int_equal(sl_telemetry_exec("/test/fail_msg", &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/test/fail_msg: port 7 is stopped; start it first");
	assert_int_equal(sl_telemetry_exec("/test/fail_plain", &v, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "/test/fail_plain failed: Input/output error"));
	assert_int_equal(sl_telemetry_exec("/test/session", &v, err, sizeof(err)), -ENOTSUP);

	assert_int_equal(sl_telemetry_exec("/test/param,3", &v, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(v), 3);
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/test/param,x3", &v, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'x3' is not a number"));
	assert_int_equal(sl_telemetry_exec("/test/param,10", &v, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "out of range"));
	assert_int_equal(sl_telemetry_exec("/test/param", &v, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs a parameter"));
}

static void src_a(json_t *obj, void *arg)
{
	json_object_set_new(obj, "no_route", json_integer(*(int *)arg));
}

static void test_drops(void **state)
{
	static int n = 42;
	json_t *v;

	(void)state;
	assert_int_equal(sl_telemetry_drops_register("rtr", src_a, &n), 0);
	assert_int_equal(sl_telemetry_drops_register("rtr", src_a, &n), -EEXIST);
	assert_non_null(strstr(cap.text, "drop source rtr is registered already"));
	assert_int_equal(sl_telemetry_drops_register("", src_a, &n), -EINVAL);
	assert_int_equal(sl_telemetry_exec("/sluice/drops", &v, NULL, 0), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "rtr"), "no_route")),
			 42);
	json_decref(v);
	sl_telemetry_drops_unregister("rtr");
	assert_int_equal(sl_telemetry_exec("/sluice/drops", &v, NULL, 0), 0);
	assert_null(json_object_get(v, "rtr"));
	json_decref(v);
}

static void test_truncate(void **state)
{
	json_t *v, *reply, *arr;
	size_t len;
	bool truncated;
	char *s;

	(void)state;
	assert_int_equal(sl_telemetry_exec("/test/big", &v, NULL, 0), 0);
	s = sl_telemetry__reply("/test/big", v, NULL, SL_TELEMETRY_MAX_OUTPUT, &len, &truncated);
	assert_true(truncated);
	assert_true(len <= SL_TELEMETRY_MAX_OUTPUT);
	assert_int_equal(strlen(s), len);
	reply = json_loads(s, 0, NULL);
	assert_non_null(reply);
	arr = json_object_get(reply, "/test/big");
	assert_true(json_array_size(arr) > 1000 && json_array_size(arr) < 5000);
	assert_int_equal(json_integer_value(json_array_get(arr, 0)), 1000000);
	assert_int_equal(json_integer_value(json_object_get(reply, "truncated")),
			 5000 - (json_int_t)json_array_size(arr));
	/* the largest prefix that fits: one more entry would not */
	assert_true(len + 9 > SL_TELEMETRY_MAX_OUTPUT - 8);
	json_decref(reply);
	free(s);
	s = sl_telemetry__reply("/x", NULL, "why", 100, &len, &truncated);
	assert_false(truncated);
	assert_string_equal(s, "{\"/x\":null,\"error\":\"why\"}");
	free(s);
	json_decref(v);
}

/* --- the socket --- */

static void set_sun(struct sockaddr_un *sun, const char *path)
{
	assert_true(strlen(path) < sizeof(sun->sun_path));
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	set_sun(&sun, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static ssize_t raw_recv(int fd, char *buf, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (poll(&p, 1, 5000) != 1)
		return -1;
	n = recv(fd, buf, len - 1, 0);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void wait_for(int *counter, int want)
{
	for (int i = 0; i < 500 && __atomic_load_n(counter, __ATOMIC_RELAXED) < want; i++)
		usleep(10000);
}

static void test_server(void **state)
{
	char err[512], path[256], buf[SL_TELEMETRY_MAX_OUTPUT + 1], big[1500];
	json_t *g, *v;
	int fd, pfd, fds[SL_TELEMETRY_MAX_CLIENTS];
	uint64_t ev;
	struct sl_telemetry_stats st;

	(void)state;
	assert_int_equal(sl_telemetry_start("tp"), 0);
	snprintf(path, sizeof(path), "%s/dpdk/tp/dpdk_telemetry.v2", tmpdir);
	assert_string_equal(sl_telemetry_path(), path);

	fd = sl_telemetry_connect("tp", &g, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(json_integer_value(json_object_get(g, "pid")), getpid());
	assert_non_null(strstr(json_string_value(json_object_get(g, "version")), "Sluice"));
	json_decref(g);
	assert_int_equal(sl_telemetry_request(fd, "/test/echo,1", 5000, &v, NULL, err, sizeof(err)),
			 0);
	assert_string_equal(json_string_value(json_object_get(v, "params")), "1");
	json_decref(v);
	assert_int_equal(sl_telemetry_request(fd, "/nope", 5000, &v, NULL, err, sizeof(err)),
			 -EREMOTEIO);
	assert_string_equal(err, "unknown command /nope; / lists the commands");
	/* the raw reply, as DPDK's clients read it */
	assert_int_equal(send(fd, "/nope", 5, 0), 5);
	assert_true(raw_recv(fd, buf, sizeof(buf)) > 0);
	assert_string_equal(
		buf, "{\"/nope\":null,\"error\":\"unknown command /nope; / lists the commands\"}");
	assert_int_equal(send(fd, "/test/echo,2\n", 13, 0), 13); /* a trailing newline is cut */
	assert_true(raw_recv(fd, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{\"/test/echo\":{\"params\":\"2\"}}");
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	assert_int_equal(send(fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_true(raw_recv(fd, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "over the limit of 1023"));
	/* still served */
	assert_int_equal(sl_telemetry_request(fd, "/test/big", 5000, &v, NULL, err, sizeof(err)),
			 0);
	assert_true(json_array_size(v) > 1000);
	json_decref(v);

	/* a session: an fd comes with the reply; the close callback runs when the client goes */
	__atomic_store_n(&closed_calls, 0, __ATOMIC_RELAXED);
	assert_int_equal(
		sl_telemetry_request(fd, "/test/session", 5000, &v, &pfd, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(v), "session");
	json_decref(v);
	assert_true(pfd >= 0);
	assert_int_equal(read(pfd, &ev, sizeof(ev)), sizeof(ev));
	assert_int_equal(ev, 41);
	close(pfd);
	assert_int_equal(__atomic_load_n(&closed_calls, __ATOMIC_RELAXED), 0);
	close(fd);
	wait_for(&closed_calls, 1);
	assert_int_equal(__atomic_load_n(&closed_calls, __ATOMIC_RELAXED), 1);

	/* a connection's own word: kept across its requests, fresh on a new connection */
	fd = sl_telemetry_connect("tp", NULL, err, sizeof(err));
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(
			sl_telemetry_request(fd, "/test/conn", 5000, &v, NULL, err, sizeof(err)),
			0);
		assert_int_equal(json_integer_value(v), i);
		json_decref(v);
	}
	/* read raw (the client would close a stray fd): the error reply carries none */
	{
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf)};
		struct pollfd pl = {.fd = fd, .events = POLLIN};

		assert_int_equal(send(fd, "/test/fd_fail", 13, 0), 13);
		assert_int_equal(poll(&pl, 1, 5000), 1);
		assert_true(recvmsg(fd, &msg, 0) > 0);
		assert_int_equal(msg.msg_controllen, 0);
	}
	close(fd);
	fd = sl_telemetry_connect("tp", NULL, err, sizeof(err));
	assert_int_equal(sl_telemetry_request(fd, "/test/conn", 5000, &v, NULL, err, sizeof(err)),
			 0);
	assert_int_equal(json_integer_value(v), 1);
	json_decref(v);
	close(fd);
	assert_int_equal(sl_telemetry_exec("/test/conn", &v, err, sizeof(err)), -ENOTSUP);

	/* SL_TELEMETRY_MAX_CLIENTS at once are served; the next one is told why */
	for (int i = 0; i < SL_TELEMETRY_MAX_CLIENTS; i++) {
		fds[i] = raw_connect(path);
		assert_true(fds[i] >= 0);
		assert_true(raw_recv(fds[i], buf, sizeof(buf)) > 0);
		assert_non_null(strstr(buf, "max_output_len"));
	}
	fd = raw_connect(path);
	assert_true(fd >= 0);
	assert_true(raw_recv(fd, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "too many telemetry clients (10 connected)"));
	assert_int_equal(raw_recv(fd, buf, sizeof(buf)), 0); /* then closed */
	close(fd);
	close(fds[0]);
	for (int i = 0; i < 200; i++) { /* the slot frees once its thread has seen the close */
		fd = sl_telemetry_connect(path, NULL, err, sizeof(err));
		if (fd >= 0)
			break;
		usleep(10000);
	}
	assert_true(fd >= 0);
	close(fd);
	for (int i = 1; i < SL_TELEMETRY_MAX_CLIENTS; i++)
		close(fds[i]);
	sl_telemetry_stats(&st);
	assert_true(st.clients_refused >= 1);
	assert_true(st.truncated >= 1);

	/* a session open at stop gets its close callback */
	__atomic_store_n(&closed_calls, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < 200; i++) { /* the slots free once their threads see the closes */
		fd = sl_telemetry_connect("tp", NULL, err, sizeof(err));
		if (fd >= 0)
			break;
		usleep(10000);
	}
	assert_true(fd >= 0);
	assert_int_equal(
		sl_telemetry_request(fd, "/test/session", 5000, &v, &pfd, err, sizeof(err)), 0);
	json_decref(v);
	close(pfd);
	sl_telemetry_stop();
	assert_int_equal(__atomic_load_n(&closed_calls, __ATOMIC_RELAXED), 1);
	close(fd);
	assert_int_equal(access(path, F_OK), -1);
	assert_null(sl_telemetry_path());
}

static void test_socket_life(void **state)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char err[512], path[300], dir[200];
	int live, stale, fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/dpdk", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/dpdk/tq", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/dpdk_telemetry.v2", dir);
	/* a stale socket (bound, nobody listening): replaced */
	stale = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	set_sun(&sun, path);
	assert_int_equal(bind(stale, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(stale);
	assert_int_equal(sl_telemetry_start("tq"), 0);
	assert_string_equal(sl_telemetry_path(), path);
	sl_telemetry_stop();
	assert_int_equal(access(dir, F_OK), -1); /* an empty directory goes with the socket */
	mkdir(dir, 0700);
	/* a live one (another process's): left alone, this one takes ":1" */
	live = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(live, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(live, 1), 0);
	assert_int_equal(sl_telemetry_start("tq"), 0);
	assert_non_null(strstr(sl_telemetry_path(), "dpdk_telemetry.v2:1"));
	fd = sl_telemetry_connect(sl_telemetry_path(), NULL, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	/* connect errors name what is running */
	fd = sl_telemetry_connect("nosuch", NULL, err, sizeof(err));
	assert_int_equal(fd, -ENOENT);
	assert_non_null(strstr(err, "no Sluice or DPDK process answers"));
	assert_non_null(strstr(err, "tq"));
	sl_telemetry_stop();
	close(live);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_life, setup, teardown),
	};
	char cmd[128];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sl_tel_XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	setenv("RUNTIME_DIRECTORY", tmpdir, 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		rc |= 1;
	return rc;
}
