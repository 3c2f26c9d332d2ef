/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ctl unit tests: a server on a socket in a temporary directory, polled by a thread,
 * and clients in the test thread (sl_ctl_call(), raw socket calls for the hostile ones, and
 * the ctl_cli program for sl_ctl_client_main()).
 *
 *  - commands from two tables, longest-name dispatch, duplicate and bad names refused;
 *  - help, the unknown-command suggestion, incomplete commands, usage and handler errors;
 *  - every malformed request with its error text, on one connection that keeps serving;
 *  - a request line over the limit (whole, and arriving in two parts): error, closed;
 *  - max_clients + 1 clients at once: the extra refused with a reason, the others served;
 *  - a client that never reads its replies: disconnected, counted, another one served;
 *  - start-up files (an error at line 3 names FILE:3 after lines 1-2 ran), quoting;
 *  - sl_ctl_exec, the socket file's life (stale, live, not a socket), the CLI.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_common.h"
#include "sl_ctl.h"

static struct log_capture cap;
static char dir[64], path[128];
static const char *cli_prog; /* ctl_cli, from the command line */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Handlers.  ctx is a struct app; the server thread writes it, the test reads it after a
 * reply, which orders the two. */
struct app {
	int count;
	char words[8][64];
};

static int route_add(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)ctx;
	if (argc == 3 && strcmp(argv[1], "via") == 0) {
		sl_ctl_printf(req, "added %s via %s", argv[0], argv[2]);
		json_object_set_new(sl_ctl_data(req), "prefix", json_string(argv[0]));
		json_object_set_new(sl_ctl_data(req), "via", json_string(argv[2]));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "blackhole") == 0) {
		sl_ctl_printf(req, "added %s blackhole", argv[0]);
		return 0;
	}
	if (argc >= 2)
		return sl_ctl_usage_error(req, "'%s' is neither via nor blackhole", argv[1]);
	return sl_ctl_usage_error(req, NULL);
}

static int route_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *list = json_array();

	(void)argc;
	(void)argv;
	(void)ctx;
	json_array_append_new(list,
			      json_pack("{s:s, s:s}", "prefix", "10.0.0.0/8", "via", "192.0.2.1"));
	sl_ctl_set_data(req, list);
	sl_ctl_printf(req, "10.0.0.0/8 via 192.0.2.1\n");
	return 0;
}

static int route_sum(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)argv;
	(void)ctx;
	sl_ctl_printf(req, "route summary (%d more words)", argc);
	return 0;
}

static int nop(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)req;
	(void)argc;
	(void)argv;
	(void)ctx;
	return 0;
}

/* echo W...: the words joined with '|', and as a data array. */
static int echo(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *list = json_array();

	(void)ctx;
	for (int i = 0; i < argc; i++) {
		sl_ctl_printf(req, "%s%s", i ? "|" : "", argv[i]);
		json_array_append_new(list, json_string(argv[i]));
	}
	sl_ctl_set_data(req, list);
	if (sl_ctl_want_json(req))
		json_array_append_new(list, json_string("json"));
	return 0;
}

/* big [KIB]: KIB KiB of text (default 64). */
static int big(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	int kib = argc > 0 ? atoi(argv[0]) : 64;
	char line[1025];

	(void)ctx;
	memset(line, 'b', 1023);
	line[1023] = '\n';
	line[1024] = '\0';
	for (int i = 0; i < kib; i++)
		sl_ctl_printf(req, "%s", line);
	return 0;
}

static int failing(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)argc;
	(void)argv;
	(void)ctx;
	sl_ctl_printf(req, "dropped: an error reply has no text");
	return sl_ctl_error(req, -EEXIST, "route 10.0.0.0/8 exists; delete it first");
}

static int busy(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)req;
	(void)argc;
	(void)argv;
	(void)ctx;
	return -EBUSY;
}

/* count W...: counts calls and remembers the first word of each. */
static int count(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	struct app *a = ctx;

	if (a->count < 8 && argc > 0)
		snprintf(a->words[a->count], sizeof(a->words[0]), "%s", argv[0]);
	a->count++;
	sl_ctl_printf(req, "count %d", a->count);
	return 0;
}

static const struct sl_ctl_cmd route_cmds[] = {
	{"route add", "PREFIX via GW | PREFIX blackhole", "add a route", route_add},
	{"route del", "PREFIX", "delete a route", nop},
	{"route show", NULL, "list the routes", route_show},
	{"route", "[ANY...]", "route summary", route_sum},
};

static const struct sl_ctl_cmd misc_cmds[] = {
	{"neigh add", "IP MAC", "add a neighbour", nop},
	{"neigh del", "IP", "delete a neighbour", nop},
	{"echo", "WORDS...", "print the words back", echo},
	{"big", "[KIB]", "print KIB KiB of text", big},
	{"fail", NULL, "always fails", failing},
	{"busy", NULL, "returns -EBUSY without a message", busy},
	{"count", "WORD...", "count calls", count},
};

#define NCMDS (SL_ARRAY_SIZE(route_cmds) + SL_ARRAY_SIZE(misc_cmds) + 1) /* + help */

/* A server polled by its own thread. */
struct srv {
	struct sl_ctl *ctl;
	struct app app;
	pthread_t th;
	int stop;
};

static void *srv_loop(void *arg)
{
	struct srv *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		sl_ctl_poll(s->ctl, 10);
	return NULL;
}

static struct sl_ctl *make_ctl(struct app *app, unsigned max_clients, size_t max_output)
{
	struct sl_ctl_config cfg = {
		.path = path, .max_clients = max_clients, .max_output = max_output};
	struct sl_ctl *ctl = sl_ctl_create(&cfg, app);

	assert_non_null(ctl);
	assert_int_equal(sl_ctl_register(ctl, route_cmds, SL_ARRAY_SIZE(route_cmds)), 0);
	assert_int_equal(sl_ctl_register(ctl, misc_cmds, SL_ARRAY_SIZE(misc_cmds)), 0);
	return ctl;
}

static struct srv *srv_start(unsigned max_clients, size_t max_output)
{
	struct srv *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->ctl = make_ctl(&s->app, max_clients, max_output);
	assert_int_equal(pthread_create(&s->th, NULL, srv_loop, s), 0);
	return s;
}

static void srv_stop(struct srv *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->th, NULL);
	sl_ctl_free(s->ctl);
	assert_int_equal(access(path, F_OK), -1); /* the server removed its socket file */
	free(s);
}

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	strcpy(dir, "/tmp/sluice-ctl-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	log_capture_stop();
	return 0;
}

/* Raw clients. */

static int raw_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void raw_send(int fd, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, buf + done, len - done, MSG_NOSIGNAL);

		assert_true(n > 0);
		done += (size_t)n;
	}
}

/* Reads one line (without its '\n') into a malloc()ed string; NULL at EOF or reset.  The
 * unread rest of what arrived stays in a per-fd buffer, enough for these tests. */
static char *raw_line(int fd)
{
	static char pend[1 << 16];
	static size_t plen;
	static int pfd = -1;
	char *line = NULL;
	size_t len = 0;
	uint64_t end = now_ms() + 5000;

	if (pfd != fd)
		plen = 0;
	pfd = fd;
	for (;;) {
		char *nl = memchr(pend, '\n', plen);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (nl != NULL || plen > 0) {
			size_t take = nl ? (size_t)(nl - pend) : plen;

			line = realloc(line, len + take + 1);
			memcpy(line + len, pend, take);
			len += take;
			line[len] = '\0';
			take += nl ? 1 : 0;
			memmove(pend, pend + take, plen - take);
			plen -= take;
			if (nl)
				return line;
		}
		if (poll(&p, 1, (int)(end > now_ms() ? end - now_ms() : 0)) <= 0)
			fail_msg("no reply within 5 s");
		n = recv(fd, pend, sizeof(pend), 0);
		if (n <= 0) {
			free(line);
			return NULL;
		}
		plen = (size_t)n;
	}
}

/* Sends one request line and returns the parsed reply. */
static json_t *raw_req(int fd, const char *line)
{
	json_error_t e;
	json_t *r;
	char *l;

	raw_send(fd, line, strlen(line));
	raw_send(fd, "\n", 1);
	l = raw_line(fd);
	assert_non_null(l);
	r = json_loads(l, 0, &e);
	if (r == NULL)
		fail_msg("reply is not JSON: %s (%s)", l, e.text);
	free(l);
	return r;
}

static const char *error_of(const json_t *r)
{
	assert_true(json_is_false(json_object_get(r, "ok")));
	assert_true(json_is_string(json_object_get(r, "error")));
	return json_string_value(json_object_get(r, "error"));
}

static const char *text_of(const json_t *r)
{
	if (!json_is_true(json_object_get(r, "ok")))
		fail_msg("error reply: %s", json_string_value(json_object_get(r, "error")));
	return json_string_value(json_object_get(r, "text"));
}

static void expect_error(int fd, const char *req, const char *err)
{
	json_t *r = raw_req(fd, req);

	assert_string_equal(error_of(r), err);
	json_decref(r);
}

/* Runs words through sl_ctl_call() and returns the reply. */
static json_t *call(int *rc, bool json, ...)
{
	char *argv[16];
	int argc = 0;
	json_t *r = NULL;
	va_list ap;

	va_start(ap, json);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	*rc = sl_ctl_call(path, argc, argv, json, &r);
	assert_non_null(r);
	return r;
}

static void test_dispatch(void **state)
{
	struct srv *s = srv_start(0, 0);
	json_t *r;
	int rc;

	(void)state;
	r = call(&rc, false, "route", "add", "10.0.0.0/8", "via", "192.0.2.1", NULL);
	assert_int_equal(rc, 0);
	assert_string_equal(text_of(r), "added 10.0.0.0/8 via 192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "data"), "via")),
			    "192.0.2.1");
	json_decref(r);
	/* The longest name wins: "route show" over "route"; "route x" is "route". */
	r = call(&rc, true, "route", "show", NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(json_array_size(json_object_get(r, "data")), 1);
	json_decref(r);
	r = call(&rc, false, "route", "x", "y", NULL);
	assert_string_equal(text_of(r), "route summary (2 more words)");
	json_decref(r);
	/* A command without data has "data": null; the json flag reaches the handler. */
	r = call(&rc, false, "neigh", "add", "192.0.2.1", "02:00:00:00:00:01", NULL);
	assert_true(json_is_null(json_object_get(r, "data")));
	assert_string_equal(text_of(r), "");
	json_decref(r);
	r = call(&rc, true, "echo", "a", "b c", NULL);
	assert_string_equal(text_of(r), "a|b c");
	assert_int_equal(json_array_size(json_object_get(r, "data")), 3);
	json_decref(r);
	/* Errors from handlers. */
	r = call(&rc, false, "fail", NULL);
	assert_int_equal(rc, -EREMOTEIO);
	assert_string_equal(error_of(r), "route 10.0.0.0/8 exists; delete it first");
	assert_null(json_object_get(r, "text"));
	json_decref(r);
	r = call(&rc, false, "busy", NULL);
	assert_string_equal(error_of(r), "busy failed: Device or resource busy");
	json_decref(r);
	r = call(&rc, false, "route", "add", "10.0.0.0/8", NULL);
	assert_string_equal(error_of(r), "usage: route add PREFIX via GW | PREFIX blackhole");
	json_decref(r);
	r = call(&rc, false, "route", "add", "10.0.0.0/8", "over", "x", NULL);
	assert_string_equal(error_of(r), "'over' is neither via nor blackhole; usage: route add "
					 "PREFIX via GW | PREFIX blackhole");
	json_decref(r);
	srv_stop(s);
}

static void test_register(void **state)
{
	static const struct sl_ctl_cmd dup_across[] = {{"echo", NULL, "again", nop}};
	static const struct sl_ctl_cmd dup_within[] = {
		{"one", NULL, "", nop}, {"two", NULL, "", nop}, {"one", NULL, "", nop}};
	static const struct sl_ctl_cmd dup_help[] = {{"help", NULL, "", nop}};
	static const struct sl_ctl_cmd spaced[] = {{"  route   add ", NULL, "", nop}};
	static const struct sl_ctl_cmd bad[][1] = {
		{{"", NULL, "", nop}},		 {{NULL, NULL, "", nop}},
		{{"a b c d", NULL, "", nop}},	 {{"Route", NULL, "", nop}},
		{{"route\tadd", NULL, "", nop}}, {{"ok", NULL, "", NULL}},
	};
	struct app app = {0};
	struct sl_ctl *ctl = make_ctl(&app, 0, 0);
	char *one[] = {"one"};
	json_t *r;

	(void)state;
	assert_int_equal(sl_ctl_register(ctl, dup_across, 1), -EEXIST);
	assert_true(log_capture_has(&cap, "command 'echo' is registered twice", NULL));
	assert_int_equal(sl_ctl_register(ctl, dup_within, 3), -EEXIST);
	assert_true(log_capture_has(&cap, "command 'one' is registered twice in one table", NULL));
	assert_int_equal(sl_ctl_register(ctl, dup_help, 1), -EEXIST);
	assert_int_equal(sl_ctl_register(ctl, spaced, 1), -EEXIST); /* "route add" */
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++)
		assert_int_equal(sl_ctl_register(ctl, bad[i], 1), -EINVAL);
	assert_true(log_capture_has(&cap, "command name 'a b c d' has more than 3 words", NULL));
	assert_true(log_capture_has(&cap, "command name 'Route' has the character 'R'", NULL));
	assert_true(log_capture_has(&cap, "command 'ok' has no handler", NULL));
	assert_int_equal(sl_ctl_register(ctl, NULL, 1), -EINVAL);
	assert_int_equal(sl_ctl_register(ctl, dup_across, 0), 0);
	/* All or nothing: "one" of the refused table is not there. */
	assert_int_equal(sl_ctl_exec(ctl, 1, one, &r), -ENOENT);
	json_decref(r);
	sl_ctl_free(ctl);
}

static void test_help(void **state)
{
	struct app app = {0};
	struct sl_ctl *ctl = make_ctl(&app, 0, 0);
	char *help[] = {"help", "route", "add", "10.0.0.0/8"};
	char *help_ne[] = {"help", "ne"};
	char *help_no[] = {"help", "nothing"};
	char want[128];
	const char *text;
	json_t *r, *d;

	(void)state;
	assert_int_equal(sl_ctl_exec(ctl, 1, help, &r), 0);
	text = text_of(r);
	d = json_object_get(r, "data");
	assert_int_equal(json_array_size(d), NCMDS);
	/* Sorted by name, usage then help, aligned. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "name")),
			    "big");
	/* Help starts after the widest usage (16 columns here); a usage wider than 40
	 * columns puts its help on the next line. */
	assert_non_null(strstr(text, "route add PREFIX via GW | PREFIX blackhole\n"
				     "                  add a route\n"));
	snprintf(want, sizeof(want), "big [KIB]%*s  print KIB KiB of text\n", 16 - 9, "");
	assert_true(strncmp(text, want, strlen(want)) == 0);
	assert_non_null(strstr(text, "help [WORDS]"));
	assert_non_null(strstr(text, "route show "));
	assert_true(strstr(text, "big [KIB]") < strstr(text, "route show"));
	json_decref(r);
	/* help route: the four route commands. */
	assert_int_equal(sl_ctl_exec(ctl, 2, help, &r), 0);
	assert_int_equal(json_array_size(json_object_get(r, "data")), 4);
	assert_null(strstr(text_of(r), "neigh"));
	json_decref(r);
	assert_int_equal(sl_ctl_exec(ctl, 2, help_ne, &r), 0);
	assert_int_equal(json_array_size(json_object_get(r, "data")), 2);
	json_decref(r);
	/* help route add 10.0.0.0/8: the command those words run. */
	assert_int_equal(sl_ctl_exec(ctl, 4, help, &r), 0);
	d = json_object_get(r, "data");
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "args")),
			    "PREFIX via GW | PREFIX blackhole");
	json_decref(r);
	assert_int_equal(sl_ctl_exec(ctl, 2, help_no, &r), -ENOENT);
	assert_string_equal(error_of(r), "no command starts with 'nothing'; help lists them all");
	json_decref(r);
	sl_ctl_free(ctl);
}

static void expect_exec_error(struct sl_ctl *ctl, int rc, const char *err, int argc, ...)
{
	char *argv[8];
	va_list ap;
	json_t *r;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	assert_int_equal(sl_ctl_exec(ctl, argc, argv, &r), rc);
	assert_string_equal(error_of(r), err);
	json_decref(r);
}

static void test_unknown(void **state)
{
	struct app app = {0};
	struct sl_ctl *ctl = make_ctl(&app, 0, 0);
	char long_word[200];

	(void)state;
	expect_exec_error(ctl, -ENOENT,
			  "unknown command 'rout add'; did you mean 'route add'? (help lists them)",
			  4, "rout", "add", "10.0.0.0/8", "via");
	expect_exec_error(ctl, -ENOENT,
			  "unknown command 'neigh ad'; did you mean 'neigh add'? (help lists them)",
			  3, "neigh", "ad", "192.0.2.1");
	expect_exec_error(ctl, -ENOENT,
			  "unknown command 'hlep'; did you mean 'help'? (help lists them)", 1,
			  "hlep");
	expect_exec_error(ctl, -ENOENT,
			  "unknown command 'nigh'; did you mean 'neigh ...'? (help lists them)", 1,
			  "nigh");
	expect_exec_error(ctl, -ENOENT, "unknown command 'xyzzy'; help lists the commands", 2,
			  "xyzzy", "plugh");
	expect_exec_error(ctl, -EINVAL,
			  "incomplete command 'neigh'; it goes on with add, del (help neigh lists "
			  "them)",
			  1, "neigh");
	expect_exec_error(ctl, -EINVAL, "empty command; help lists the commands", 0);
	/* A long or odd word is quoted short and on one line. */
	memset(long_word, 'z', sizeof(long_word) - 1);
	long_word[sizeof(long_word) - 1] = '\0';
	long_word[3] = '\n';
	{
		char *argv[] = {long_word};
		json_t *r;
		const char *e;

		assert_int_equal(sl_ctl_exec(ctl, 1, argv, &r), -ENOENT);
		e = error_of(r);
		assert_non_null(strstr(e, "unknown command 'zzz?zzzz"));
		assert_non_null(strstr(e, "...'; help lists the commands"));
		assert_true(strlen(e) < 160);
		json_decref(r);
	}
	sl_ctl_free(ctl);
}

static void test_malformed(void **state)
{
	struct srv *s = srv_start(0, 0);
	struct sl_ctl_stats st;
	char *big_req, *p;
	const char *e;
	json_t *r;
	int fd = raw_connect();

	(void)state;
	r = raw_req(fd, "not json");
	e = error_of(r);
	assert_true(strncmp(e, "malformed JSON at byte ", 23) == 0);
	assert_non_null(strstr(e, "; send one JSON object per line: {\"argv\": [\"help\"]}"));
	json_decref(r);
	r = raw_req(fd, "{\"argv\": [\"help\"]} trailing");
	assert_true(strncmp(error_of(r), "malformed JSON at byte ", 23) == 0);
	json_decref(r);
	r = raw_req(fd, "{\"argv\": [\"a\"], \"argv\": [\"b\"]}");
	assert_non_null(strstr(error_of(r), "duplicate object key"));
	json_decref(r);
	r = raw_req(fd, "{\"argv\": [\"a\\u0000b\"]}");
	assert_true(strncmp(error_of(r), "malformed JSON at byte ", 23) == 0);
	json_decref(r);
	expect_error(fd, "",
		     "empty request line; send one JSON object per line: {\"argv\": "
		     "[\"help\"]}");
	expect_error(fd, "[\"help\"]",
		     "request is an array, not an object; send {\"argv\": "
		     "[\"WORD\", ...]}");
	expect_error(fd, "\"help\"",
		     "request is a string, not an object; send {\"argv\": "
		     "[\"WORD\", ...]}");
	expect_error(fd, "{}", "request has no \"argv\"; send {\"argv\": [\"WORD\", ...]}");
	expect_error(fd, "{\"argv\": \"help\"}",
		     "\"argv\" is a string, not an array of strings; "
		     "send {\"argv\": [\"WORD\", ...]}");
	expect_error(fd, "{\"argv\": []}",
		     "\"argv\" is empty; give a command ([\"help\"] lists them)");
	expect_error(fd, "{\"argv\": [\"route\", 5]}",
		     "argv[1] is a number, not a string; quote every word");
	expect_error(fd, "{\"argv\": [\"route\", null]}",
		     "argv[1] is null, not a string; quote every word");
	expect_error(fd, "{\"argv\": [\"help\"], \"json\": 1}",
		     "\"json\" is a number; use true or false");
	/* 257 words; then 256 are fine. */
	big_req = malloc(20000);
	p = big_req + sprintf(big_req, "{\"argv\": [\"echo\"");
	for (int i = 1; i < 257; i++)
		p += sprintf(p, ", \"w\"");
	strcpy(p, "]}");
	expect_error(fd, big_req, "\"argv\" has 257 words; the limit is 256");
	p = big_req + sprintf(big_req, "{\"argv\": [\"echo\"");
	for (int i = 1; i < 256; i++)
		p += sprintf(p, ", \"w\"");
	strcpy(p, "]}");
	r = raw_req(fd, big_req);
	assert_int_equal(strlen(text_of(r)), 255 * 2 - 1);
	json_decref(r);
	/* A word of 4097 bytes; then 4096 is fine. */
	p = big_req + sprintf(big_req, "{\"argv\": [\"");
	memset(p, 'x', 4097);
	strcpy(p + 4097, "\"]}");
	expect_error(fd, big_req, "argv[0] is 4097 bytes long; the limit is 4096");
	p = big_req + sprintf(big_req, "{\"argv\": [\"echo\", \"");
	memset(p, 'x', 4096);
	strcpy(p + 4096, "\"]}");
	r = raw_req(fd, big_req);
	assert_int_equal(strlen(text_of(r)), 4096);
	json_decref(r);
	free(big_req);
	/* The connection still serves; "json": true reaches the handler. */
	r = raw_req(fd, "{\"argv\": [\"echo\", \"still\"], \"json\": true}");
	assert_string_equal(text_of(r), "still");
	assert_int_equal(json_array_size(json_object_get(r, "data")), 2);
	json_decref(r);
	close(fd);
	sl_ctl_stats(s->ctl, &st);
	assert_int_equal(st.malformed, 15);
	assert_int_equal(st.errors, 15);
	assert_int_equal(st.requests, 18);
	assert_int_equal(st.too_long, 0);
	srv_stop(s);
}

static void test_pipelined(void **state)
{
	static const char reqs[] = "{\"argv\": [\"echo\", \"1\"]}\n"
				   "{\"argv\": [\"nope\"]}\n"
				   "{\"argv\": [\"echo\", \"3\"]}\n"
				   "{\"argv\": [\"echo\", \"last, no newline\"]}";
	struct srv *s = srv_start(0, 0);
	const char *want[] = {"1", NULL, "3", "last, no newline"};
	int fd = raw_connect();

	(void)state;
	raw_send(fd, reqs, sizeof(reqs) - 1);
	shutdown(fd, SHUT_WR); /* the last line, without its '\n', is served at end of input */
	for (int i = 0; i < 4; i++) {
		char *l = raw_line(fd);
		json_t *r = json_loads(l, 0, NULL);

		assert_non_null(r);
		if (want[i])
			assert_string_equal(text_of(r), want[i]);
		else
			assert_string_equal(error_of(r), "unknown command 'nope'; help lists the "
							 "commands");
		json_decref(r);
		free(l);
	}
	assert_null(raw_line(fd)); /* then closed */
	close(fd);
	srv_stop(s);
}

static void test_too_long(void **state)
{
	struct srv *s = srv_start(0, 0);
	struct sl_ctl_stats st;
	size_t n = 70000;
	char *buf = malloc(n + 1);
	json_t *r;
	char *l;
	int fd, rc;

	(void)state;
	memset(buf, 'x', n);
	buf[n] = '\n';
	fd = raw_connect();
	raw_send(fd, buf, n + 1);
	l = raw_line(fd);
	assert_non_null(l);
	r = json_loads(l, 0, NULL);
	assert_string_equal(error_of(r), "request too long (70000 bytes; the limit is 65536)");
	json_decref(r);
	free(l);
	assert_null(raw_line(fd)); /* closed */
	close(fd);
	/* In two parts: the length is still that of the whole line. */
	fd = raw_connect();
	raw_send(fd, buf, 40000);
	usleep(50000);
	raw_send(fd, buf, 30000);
	raw_send(fd, "\n", 1);
	r = json_loads(l = raw_line(fd), 0, NULL);
	assert_string_equal(error_of(r), "request too long (70000 bytes; the limit is 65536)");
	json_decref(r);
	free(l);
	close(fd);
	/* Exactly 65536 bytes is fine (blanks after the object). */
	fd = raw_connect();
	l = malloc(65536 + 1);
	memset(l, ' ', 65536);
	memcpy(l, "{\"argv\": [\"echo\", \"fits\"]}", 26);
	l[65536] = '\0';
	r = raw_req(fd, l);
	assert_string_equal(text_of(r), "fits");
	json_decref(r);
	free(l);
	close(fd);
	free(buf);
	/* The server goes on. */
	r = call(&rc, false, "echo", "after", NULL);
	assert_string_equal(text_of(r), "after");
	json_decref(r);
	sl_ctl_stats(s->ctl, &st);
	assert_int_equal(st.too_long, 2);
	assert_int_equal(st.errors, 2);
	srv_stop(s);
}

static void test_max_clients(void **state)
{
	struct srv *s = srv_start(4, 0);
	struct sl_ctl_stats st;
	char want[256];
	int fds[4], extra, rc, retries = 0;
	uint64_t end;
	json_t *r;
	char *l;

	(void)state;
	for (int i = 0; i < 4; i++) {
		fds[i] = raw_connect();
		r = raw_req(fds[i], "{\"argv\": [\"echo\", \"in\"]}"); /* accepted and served */
		assert_string_equal(text_of(r), "in");
		json_decref(r);
	}
	snprintf(want, sizeof(want),
		 "too many clients on %s (4 connected; the limit is 4); retry later or raise "
		 "max_clients",
		 path);
	extra = raw_connect();
	l = raw_line(extra); /* the reason comes unasked */
	assert_non_null(l);
	r = json_loads(l, 0, NULL);
	assert_string_equal(error_of(r), want);
	json_decref(r);
	free(l);
	assert_null(raw_line(extra));
	close(extra);
	/* sl_ctl_call reads the reason too, though the server may close before it writes. */
	r = call(&rc, false, "echo", "x", NULL);
	assert_int_equal(rc, -EREMOTEIO);
	assert_string_equal(error_of(r), want);
	json_decref(r);
	/* The four are still served. */
	for (int i = 0; i < 4; i++) {
		r = raw_req(fds[i], "{\"argv\": [\"echo\", \"still\"]}");
		assert_string_equal(text_of(r), "still");
		json_decref(r);
	}
	/* One leaves, a new one gets in. */
	close(fds[0]);
	for (end = now_ms() + 5000;; retries++) { /* until the server has seen it go */
		usleep(10000);
		r = call(&rc, false, "echo", "in", NULL);
		json_decref(r);
		if (rc != -EREMOTEIO || now_ms() > end)
			break;
	}
	assert_int_equal(rc, 0);
	for (int i = 1; i < 4; i++)
		close(fds[i]);
	sl_ctl_stats(s->ctl, &st);
	assert_int_equal(st.clients_refused, 2 + retries);
	assert_int_equal(st.clients_accepted, 5);
	assert_true(log_capture_has(&cap, "refused a control client", "the limit is 4"));
	srv_stop(s);
}

static void test_slow_client(void **state)
{
	struct srv *s = srv_start(0, 64 << 10);
	struct sl_ctl_stats st;
	uint64_t end;
	json_t *r;
	int slow = raw_connect(), rc, i;

	(void)state;
	/* 64 requests for 64 KiB each, and never a read: 4 MiB is far more than the socket
	 * buffers and the 64 KiB output limit hold. */
	for (i = 0; i < 64; i++)
		raw_send(slow, "{\"argv\": [\"big\"]}\n", 18);
	end = now_ms() + 5000;
	do {
		sl_ctl_stats(s->ctl, &st);
		if (st.slow_disconnects > 0)
			break;
		usleep(1000);
	} while (now_ms() < end);
	assert_int_equal(st.slow_disconnects, 1);
	assert_true(log_capture_has(&cap, "does not read its replies", "disconnected"));
	/* Another client is served meanwhile and after. */
	r = call(&rc, false, "echo", "fine", NULL);
	assert_int_equal(rc, 0);
	assert_string_equal(text_of(r), "fine");
	json_decref(r);
	/* The slow one gets what was sent, then the end of the connection. */
	{
		char buf[65536];
		ssize_t n;
		size_t total = 0;

		while ((n = recv(slow, buf, sizeof(buf), 0)) > 0)
			total += (size_t)n;
		assert_true(total < 64u * 65 * 1024);
	}
	close(slow);
	srv_stop(s);
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_run_file(void **state)
{
	struct app app = {0};
	struct sl_ctl *ctl = make_ctl(&app, 0, 0);
	char file[192], want[512];

	(void)state;
	snprintf(file, sizeof(file), "%s/startup.conf", dir);
	write_file(file, "count first\n"
			 "count \"second word\" x\n"
			 "rout add 10.0.0.0/8 via 192.0.2.1\n"
			 "count never\n");
	assert_int_equal(sl_ctl_run_file(ctl, file), -ENOENT);
	assert_int_equal(app.count, 2);
	assert_string_equal(app.words[0], "first");
	assert_string_equal(app.words[1], "second word");
	snprintf(want, sizeof(want),
		 "%s:3: unknown command 'rout add'; did you mean 'route add'? (help lists them)",
		 file);
	assert_true(log_capture_has(&cap, want, NULL));
	/* Comments, blank lines, tabs, quotes; and a handler's own error. */
	app.count = 0;
	write_file(file, "# routes\n"
			 "\n"
			 "   \t\n"
			 "count\t\"a \\\"quoted\\\" word\"   # a comment\n"
			 "count x#y\n"
			 "count \"\"\n"
			 "route add 10.0.0.0/8 via 192.0.2.1\n"
			 "fail\n"
			 "count never\n");
	assert_int_equal(sl_ctl_run_file(ctl, file), -EEXIST);
	assert_int_equal(app.count, 3);
	assert_string_equal(app.words[0], "a \"quoted\" word");
	assert_string_equal(app.words[1], "x#y");
	assert_string_equal(app.words[2], "");
	snprintf(want, sizeof(want), "%s:8: route 10.0.0.0/8 exists; delete it first", file);
	assert_true(log_capture_has(&cap, want, NULL));
	/* A line that does not split. */
	write_file(file, "count ok\ncount \"open\n");
	assert_true(sl_ctl_run_file(ctl, file) == -EINVAL);
	snprintf(want, sizeof(want), "%s:2: unterminated quote at column 7", file);
	assert_true(log_capture_has(&cap, want, NULL));
	/* All good; no file. */
	write_file(file, "count a\n# end\n");
	assert_int_equal(sl_ctl_run_file(ctl, file), 0);
	unlink(file);
	assert_int_equal(sl_ctl_run_file(ctl, file), -ENOENT);
	assert_true(log_capture_has(&cap, "cannot open start-up file", "No such file"));
	sl_ctl_free(ctl);
}

static void split_ok(const char *line, int n, ...)
{
	char err[256], **argv;
	int argc;
	va_list ap;

	assert_int_equal(sl_ctl__split_line(line, &argc, &argv, err, sizeof(err)), 0);
	assert_int_equal(argc, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(argv[i], va_arg(ap, char *));
	va_end(ap);
	if (n > 0)
		assert_null(argv[n]);
	else
		assert_null(argv);
	free(argv);
}

static void split_bad(const char *line, int rc, const char *err_want)
{
	char err[256], **argv;
	int argc;

	assert_int_equal(sl_ctl__split_line(line, &argc, &argv, err, sizeof(err)), rc);
	assert_string_equal(err, err_want);
	assert_null(argv);
}

static void test_split(void **state)
{
	char *line = malloc(8192);

	(void)state;
	split_ok("", 0);
	split_ok("  \t \r\n", 0);
	split_ok("# only a comment", 0);
	split_ok("route add 10.0.0.0/8 via 192.0.2.1\n", 5, "route", "add", "10.0.0.0/8", "via",
		 "192.0.2.1");
	split_ok("a \"b c\" d", 3, "a", "b c", "d");
	split_ok("name=\"x y\"z", 1, "name=x yz");
	split_ok("\"\" \"#\" a#b # rest", 3, "", "#", "a#b");
	split_ok("\"say \\\"hi\\\" \\\\ \\n\"", 1, "say \"hi\" \\ \\n");
	split_ok("back\\slash", 1, "back\\slash");
	split_bad("a \"b c", -EINVAL,
		  "unterminated quote at column 3; close it with \" (write \\\" for a quote "
		  "inside)");
	line[0] = '\0';
	for (int i = 0; i < 257; i++)
		strcat(line, "w ");
	split_bad(line, -E2BIG, "line has more than 256 words; the limit is 256");
	memset(line, 'x', 4097);
	line[4097] = '\0';
	split_bad(line, -ENAMETOOLONG, "word 1 is 4097 bytes long; the limit is 4096");
	line[4096] = '\0';
	{
		char err[64], **argv;
		int argc;

		assert_int_equal(sl_ctl__split_line(line, &argc, &argv, err, sizeof(err)), 0);
		assert_int_equal(strlen(argv[0]), 4096);
		free(argv);
	}
	free(line);
}

static void test_exec(void **state)
{
	struct app app = {0};
	struct sl_ctl *ctl = make_ctl(&app, 0, 0);
	struct sl_ctl_stats st;
	char *add[] = {"route", "add", "10.0.0.0/8", "blackhole"};
	char *echo_w[] = {"echo", "x"};
	char *bad[] = {"route", "add"};
	json_t *r;

	(void)state;
	assert_int_equal(sl_ctl_exec(ctl, 4, add, &r), 0);
	assert_string_equal(text_of(r), "added 10.0.0.0/8 blackhole");
	json_decref(r);
	assert_int_equal(sl_ctl_exec(ctl, 4, add, NULL), 0);
	/* With a reply the handler sees json; without, not. */
	assert_int_equal(sl_ctl_exec(ctl, 2, echo_w, &r), 0);
	assert_int_equal(json_array_size(json_object_get(r, "data")), 2);
	json_decref(r);
	assert_int_equal(sl_ctl_exec(ctl, 2, bad, &r), -EINVAL);
	assert_string_equal(error_of(r), "usage: route add PREFIX via GW | PREFIX blackhole");
	json_decref(r);
	sl_ctl_stats(ctl, &st);
	assert_int_equal(st.requests, 4);
	assert_int_equal(st.errors, 1);
	sl_ctl_free(ctl);
}

static void test_socket_file(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sl_ctl_config cfg = {.path = path};
	struct sl_ctl *ctl, *ctl2;
	char lng[200];
	int fd;

	(void)state;
	/* A stale socket file (its server died without removing it) is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ctl = sl_ctl_create(&cfg, NULL);
	assert_non_null(ctl);
	assert_true(log_capture_has(&cap, "removing stale control socket", path));
	/* A live one is not. */
	ctl2 = sl_ctl_create(&cfg, NULL);
	assert_null(ctl2);
	assert_int_equal(errno, EADDRINUSE);
	assert_true(log_capture_has(&cap, "a server is already listening on", path));
	sl_ctl_free(ctl);
	assert_int_equal(access(path, F_OK), -1);
	/* Not a socket. */
	write_file(path, "data\n");
	assert_null(sl_ctl_create(&cfg, NULL));
	assert_int_equal(errno, EEXIST);
	assert_true(log_capture_has(&cap, "exists and is not a socket", path));
	unlink(path);
	/* Bad configurations. */
	memset(lng, 'p', sizeof(lng) - 1);
	lng[0] = '/';
	lng[sizeof(lng) - 1] = '\0';
	cfg.path = lng;
	assert_null(sl_ctl_create(&cfg, NULL));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_true(log_capture_has(&cap, "is 199 bytes long; the limit is 107", NULL));
	cfg.path = "/nonexistent-dir/x.sock";
	assert_null(sl_ctl_create(&cfg, NULL));
	assert_int_equal(errno, ENOENT);
	assert_true(log_capture_has(&cap, "cannot bind control socket /nonexistent-dir/x.sock",
				    "create its directory first"));
	cfg.path = "";
	assert_null(sl_ctl_create(&cfg, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(sl_ctl_create(NULL, NULL));
	assert_int_equal(errno, EINVAL);
	cfg.path = path;
	cfg.max_request = 100;
	assert_null(sl_ctl_create(&cfg, NULL));
	assert_int_equal(errno, EINVAL);
	assert_true(log_capture_has(&cap, "max_request 100 is out of range", NULL));
	sl_ctl_free(NULL);
}

static void test_call_errors(void **state)
{
	char *argv[] = {"help"};
	json_t *r;
	char want[256];

	(void)state;
	assert_int_equal(sl_ctl_call(path, 1, argv, false, &r), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot connect to %s: No such file or directory (is the server running?)", path);
	assert_string_equal(error_of(r), want);
	json_decref(r);
	assert_int_equal(sl_ctl_call(path, 1, argv, false, NULL), -ENOENT);
	assert_true(log_capture_has(&cap, want, NULL));
	assert_int_equal(sl_ctl_call(path, 0, argv, false, &r), -EINVAL);
	json_decref(r);
}

/* Runs ctl_cli with args (NULL-ended), stdin from in_file or /dev/null; returns the exit
 * status and what it printed. */
static int run_cli(const char *in_file, char *out, size_t outlen, char *err, size_t errlen, ...)
{
	char out_path[192], err_path[192];
	char *args[16] = {(char *)cli_prog};
	int n = 1, status;
	va_list ap;
	pid_t pid;
	FILE *f;
	size_t len;

	va_start(ap, errlen);
	while ((args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open(in_file ? in_file : "/dev/null", O_RDONLY);
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(cli_prog, args);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	f = fopen(out_path, "r");
	len = fread(out, 1, outlen - 1, f);
	out[len] = '\0';
	fclose(f);
	f = fopen(err_path, "r");
	len = fread(err, 1, errlen - 1, f);
	err[len] = '\0';
	fclose(f);
	unlink(out_path);
	unlink(err_path);
	return WEXITSTATUS(status);
}

static void test_cli(void **state)
{
	struct srv *s;
	char out[8192], err[4096], want[512], in[192];

	(void)state;
	if (cli_prog == NULL)
		skip();
	/* No server yet. */
	assert_int_equal(
		run_cli(NULL, out, sizeof(out), err, sizeof(err), "-s", path, "help", NULL), 1);
	snprintf(want, sizeof(want),
		 "sluice-routerctl: cannot connect to %s: No such file or directory (is "
		 "sluice-router running? -s PATH names another socket)\n",
		 path);
	assert_string_equal(err, want);
	s = srv_start(0, 0);
	assert_int_equal(run_cli(NULL, out, sizeof(out), err, sizeof(err), "-s", path, "route",
				 "add", "10.0.0.0/8", "via", "192.0.2.1", NULL),
			 0);
	assert_string_equal(out, "added 10.0.0.0/8 via 192.0.2.1\n");
	assert_string_equal(err, "");
	assert_int_equal(run_cli(NULL, out, sizeof(out), err, sizeof(err), "--json", "-s", path,
				 "route", "show", NULL),
			 0);
	assert_string_equal(out, "[\n  {\n    \"prefix\": \"10.0.0.0/8\",\n    \"via\": "
				 "\"192.0.2.1\"\n  }\n]\n");
	/* Options stop at the command: "-1" is a word. */
	assert_int_equal(run_cli(NULL, out, sizeof(out), err, sizeof(err), "-s", path, "echo", "-1",
				 "--json", NULL),
			 0);
	assert_string_equal(out, "-1|--json\n");
	assert_int_equal(
		run_cli(NULL, out, sizeof(out), err, sizeof(err), "-s", path, "rout", "add", NULL),
		1);
	assert_string_equal(err, "sluice-routerctl: unknown command 'rout add'; did you mean "
				 "'route add'? (help lists them)\n");
	assert_string_equal(out, "");
	assert_int_equal(run_cli(NULL, out, sizeof(out), err, sizeof(err), "--bogus", NULL), 2);
	assert_non_null(strstr(err, "unknown option '--bogus'"));
	assert_non_null(strstr(err, "usage: sluice-routerctl [-s PATH] [--json] COMMAND"));
	assert_int_equal(run_cli(NULL, out, sizeof(out), err, sizeof(err), "-s", NULL), 2);
	assert_non_null(strstr(err, "-s needs a PATH"));
	assert_int_equal(run_cli(NULL, out, sizeof(out), err, sizeof(err), "-h", NULL), 0);
	assert_non_null(strstr(out, "(default /run/sluice/router.sock)"));
	/* Commands from stdin, on one connection, going on after an error. */
	snprintf(in, sizeof(in), "%s/cmds", dir);
	write_file(in, "# commands\n"
		       "echo one\n"
		       "rout add x\n"
		       "\n"
		       "echo \"two words\"\n"
		       "echo \"open\n");
	assert_int_equal(run_cli(in, out, sizeof(out), err, sizeof(err), "-s", path, NULL), 1);
	assert_string_equal(out, "one\ntwo words\n");
	assert_string_equal(err, "sluice-routerctl: stdin:3: unknown command 'rout add'; did "
				 "you mean 'route add'? (help lists them)\n"
				 "sluice-routerctl: stdin:6: unterminated quote at column 6; "
				 "close it with \" (write \\\" for a quote inside)\n");
	write_file(in, "echo a\necho b\n");
	assert_int_equal(run_cli(in, out, sizeof(out), err, sizeof(err), "-s", path, NULL), 0);
	assert_string_equal(out, "a\nb\n");
	unlink(in);
	srv_stop(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
	};

	cli_prog = argc > 1 ? argv[1] : NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
