/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side: sl_ctl_call() (one request on its own connection) and
 * sl_ctl_client_main(), the whole `...ctl` program, which keeps one connection for all the
 * commands it reads from stdin.  Plain blocking I/O: a client waits for its server.
 *
 * A failure on this side (no server, I/O error, a reply that is not a JSON object line)
 * becomes the same {"ok": false, "error": "..."} a server sends, so a caller prints
 * reply.error in every case.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_priv.h"

#define REPLY_MAX (1u << 30) /* longest reply line accepted */

struct conn {
	int fd;
	const char *path;
	char *buf; /* bytes received: len, of which off are consumed */
	size_t len, off, cap;
};

static json_t *local_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *local_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_utf8_fix(msg, strlen(msg));
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/* Connects c to path.  Returns 0 or -errno with *reply set to the error. */
static int conn_open(struct conn *c, const char *path, const char *hint, json_t **reply)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	if (path == NULL || *path == '\0') {
		*reply = local_error("no control socket path; give one with -s PATH");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		*reply = local_error("control socket path '%s' is %zu bytes long; the limit is %zu",
				     path, strlen(path), sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		rc = -errno;
		*reply = local_error("socket(AF_UNIX): %s", strerror(-rc));
		return rc;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		*reply = local_error("cannot connect to %s: %s (%s)", path, strerror(-rc), hint);
		close(c->fd);
		c->fd = -1;
		return rc;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/* The request line, '\n' included, or NULL with *reply set. */
static char *request_line(int argc, char **argv, bool json, json_t **reply)
{
	json_t *req = json_object(), *av = json_array();
	char *line = NULL;
	int i;

	if (req == NULL || av == NULL || json_object_set_new(req, "argv", av) < 0) {
		json_decref(req);
		*reply = local_error("out of memory building a request");
		return NULL;
	}
	for (i = 0; i < argc; i++) {
		json_t *w = json_string(argv[i]);

		if (w == NULL) {
			char q[CTL_QUOTE_MAX + 4];

			ctl_join(q, sizeof(q), 1, &argv[i]);
			ctl_utf8_fix(q, strlen(q));
			json_decref(req);
			*reply = local_error("word %d '%s' is not valid UTF-8; give text words",
					     i + 1, q);
			return NULL;
		}
		json_array_append_new(av, w);
	}
	if (json)
		json_object_set_new(req, "json", json_true());
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line != NULL) {
		size_t len = strlen(line);
		char *l = realloc(line, len + 2);

		if (l != NULL) {
			l[len] = '\n';
			l[len + 1] = '\0';
			return l;
		}
		free(line);
	}
	*reply = local_error("out of memory building a request");
	return NULL;
}

/* Reads one reply line.  Returns 0 or -errno with *reply set either way. */
static int read_reply(struct conn *c, json_t **reply)
{
	json_error_t jerr;
	char *nl;
	json_t *ok;

	for (;;) {
		ssize_t n;

		nl = c->len > c->off ? memchr(c->buf + c->off, '\n', c->len - c->off) : NULL;
		if (nl != NULL)
			break;
		if (c->off > 0) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		if (c->len == c->cap) {
			size_t cap = SL_MAX(c->cap * 2, (size_t)65536);
			char *b;

			if (cap > REPLY_MAX) {
				*reply = local_error("reply from %s is longer than %u bytes; ask "
						     "for less",
						     c->path, REPLY_MAX);
				return -EMSGSIZE;
			}
			b = realloc(c->buf, cap);
			if (b == NULL) {
				*reply = local_error("out of memory for a reply of %zu bytes",
						     c->len);
				return -ENOMEM;
			}
			c->buf = b;
			c->cap = cap;
		}
		do {
			n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			int rc = -errno;

			*reply = local_error("reading the reply from %s: %s", c->path,
					     strerror(-rc));
			return rc;
		}
		if (n == 0) {
			*reply = local_error("%s closed the connection before replying (did the "
					     "server stop?)",
					     c->path);
			return -ECONNRESET;
		}
		c->len += (size_t)n;
	}
	*reply = json_loadb(c->buf + c->off, (size_t)(nl - (c->buf + c->off)), 0, &jerr);
	c->off = (size_t)(nl + 1 - c->buf);
	ok = json_object_get(*reply, "ok");
	if (*reply == NULL || !json_is_boolean(ok)) {
		const char *why = *reply ? "no \"ok\"" : jerr.text;

		json_decref(*reply);
		*reply = local_error("the reply from %s is not a JSON object with \"ok\" (%s); is "
				     "it a Sluice control socket?",
				     c->path, why);
		return -EPROTO;
	}
	if (json_is_false(ok) && !json_is_string(json_object_get(*reply, "error")))
		json_object_set_new(*reply, "error",
				    json_string("the server failed without saying why"));
	return json_is_true(ok) ? 0 : -EREMOTEIO;
}

/* Sends one request on c and reads its reply. */
static int conn_call(struct conn *c, int argc, char **argv, bool json, json_t **reply)
{
	char *line = request_line(argc, argv, json, reply);
	size_t len, done = 0;

	if (line == NULL)
		return -EINVAL;
	len = strlen(line);
	while (done < len) {
		ssize_t n = send(c->fd, line + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int rc = -errno;

			/* A server that refused us (too many clients) wrote its reason and
			 * closed: read it rather than report the broken pipe. */
			if (rc == -EPIPE || rc == -ECONNRESET)
				break;
			free(line);
			*reply = local_error("sending to %s: %s", c->path, strerror(-rc));
			return rc;
		}
		done += (size_t)n;
	}
	free(line);
	return read_reply(c, reply);
}

int sl_ctl_call(const char *path, int argc, char **argv, bool json, json_t **reply)
{
	json_t *r = NULL;
	struct conn c;
	int rc;

	if (argc <= 0 || argv == NULL) {
		r = local_error("no command given; give one, 'help' lists them");
		rc = -EINVAL;
	} else {
		rc = conn_open(&c, path, "is the server running?", &r);
		if (rc == 0) {
			rc = conn_call(&c, argc, argv, json, &r);
			conn_close(&c);
		}
	}
	if (reply != NULL) {
		*reply = r;
	} else {
		if (rc < 0 && rc != -EREMOTEIO)
			SL_LOG(ctl, ERR, "%s", json_string_value(json_object_get(r, "error")));
		json_decref(r);
	}
	return rc;
}

/* The command-line client. */

static void usage(FILE *f, const char *prog, const char *default_path)
{
	fprintf(f,
		"usage: %s [-s PATH] [--json] COMMAND [WORDS...]\n"
		"       %s [-s PATH] [--json] < FILE     (one command per line)\n"
		"  -s, --socket PATH  the control socket (default %s)\n"
		"  -j, --json         print the reply's data as JSON instead of its text\n"
		"  -h, --help         this text; '%s help' lists the server's commands\n",
		prog, prog, default_path ? default_path : "none: give -s", prog);
}

/* Prints a reply; returns the exit status it means (0 or 1). */
static int print_reply(const char *prog, const char *where, json_t *reply, bool json)
{
	if (!json_is_true(json_object_get(reply, "ok"))) {
		fprintf(stderr, "%s: %s%s\n", prog, where,
			json_string_value(json_object_get(reply, "error")));
		return 1;
	}
	if (json) {
		json_t *data = json_object_get(reply, "data");

		json_dumpf(data ? data : json_null(), stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
		fputc('\n', stdout);
	} else {
		const char *text = json_string_value(json_object_get(reply, "text"));
		size_t len = text ? strlen(text) : 0;

		if (len > 0) {
			fputs(text, stdout);
			if (text[len - 1] != '\n')
				fputc('\n', stdout);
		}
	}
	fflush(stdout);
	return 0;
}

/* Commands from stdin on one connection.  Returns the exit status. */
static int run_stdin(struct conn *c, const char *prog, bool json)
{
	bool tty = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	char *line = NULL, err[256];
	size_t cap = 0;
	unsigned lineno = 0;
	int status = 0;

	for (;;) {
		char where[64], **argv;
		json_t *reply = NULL;
		int argc, rc;

		if (tty) {
			fprintf(stderr, "%s> ", prog);
			fflush(stderr);
		}
		if (getline(&line, &cap, stdin) < 0)
			break;
		lineno++;
		where[0] = '\0';
		if (!tty)
			snprintf(where, sizeof(where), "stdin:%u: ", lineno);
		rc = sl_ctl__split_line(line, &argc, &argv, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s: %s%s\n", prog, where, err);
			status = 1;
			continue;
		}
		if (argc == 0)
			continue;
		rc = conn_call(c, argc, argv, json, &reply);
		free(argv);
		if (print_reply(prog, where, reply, json) != 0)
			status = 1;
		json_decref(reply);
		if (rc < 0 && rc != -EREMOTEIO && rc != -EINVAL)
			break; /* the connection is gone */
	}
	if (tty)
		fputc('\n', stderr);
	free(line);
	return status;
}

int sl_ctl_client_main(int argc, char **argv, const char *prog, const char *default_path)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = default_path;
	char server[128], hint[256];
	json_t *reply = NULL;
	bool json = false;
	struct conn c;
	size_t plen;
	int opt, rc, status;

	if (prog == NULL)
		prog = argc > 0 && argv[0] ? argv[0] : "sluice-ctl";
	/* The server's name, for "is sluice-router running?": prog without its "ctl". */
	plen = strlen(prog);
	if (plen > 3 && plen - 3 < sizeof(server) && strcmp(prog + plen - 3, "ctl") == 0)
		snprintf(server, sizeof(server), "%.*s", (int)(plen - 3), prog);
	else
		snprintf(server, sizeof(server), "the server");
	snprintf(hint, sizeof(hint), "is %s running? -s PATH names another socket", server);

	optind = 0; /* glibc: start afresh, so this can be called more than once */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout, prog, default_path);
			return 0;
		default:
			if (optopt == 's')
				fprintf(stderr, "%s: -s needs a PATH\n", prog);
			else if (optopt)
				fprintf(stderr, "%s: unknown option '-%c'\n", prog, optopt);
			else
				fprintf(stderr, "%s: unknown option '%s'\n", prog,
					argv[optind - 1]);
			usage(stderr, prog, default_path);
			return 2;
		}
	}
	if (path == NULL || *path == '\0') {
		fprintf(stderr, "%s: no control socket; give -s PATH\n", prog);
		usage(stderr, prog, default_path);
		return 2;
	}
	rc = conn_open(&c, path, hint, &reply);
	if (rc < 0) {
		status = print_reply(prog, "", reply, json);
		json_decref(reply);
		return status;
	}
	if (optind < argc) {
		conn_call(&c, argc - optind, argv + optind, json, &reply);
		status = print_reply(prog, "", reply, json);
		json_decref(reply);
	} else {
		status = run_stdin(&c, prog, json);
	}
	conn_close(&c);
	return status;
}
