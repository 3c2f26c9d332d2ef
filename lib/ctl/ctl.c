/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control-socket server: the listening socket, its clients, command tables, dispatch,
 * help, replies and start-up files.  The protocol is in sl_ctl.h and docs/ctl.md.
 *
 * One epoll set holds the listener and every client (level-triggered), so sl_ctl_fd() is a
 * single descriptor an application can add to its own loop.  Nothing here blocks:
 *
 *   input    each client has a buffer that grows up to max_request + 1 bytes (a longest
 *            line and its '\n'); complete lines are served as soon as they are read.  A
 *            buffer full without a '\n' starts "discarding": the rest of the line is read
 *            and counted, then the client gets `request too long (N bytes; ...)` and is
 *            closed once that is written.
 *   output   a reply is appended whole to the client's output buffer and sent right away
 *            as far as the socket takes it; EPOLLOUT is watched only while bytes are left.
 *            When a reply is ready and more than max_output bytes are still unsent after a
 *            further try, the client is not reading: it is closed (slow_disconnects).
 *   limits   the max_clients + 1st client gets one error line (it fits in an empty socket
 *            buffer) and is closed at once.
 *
 * A handler runs inside sl_ctl_poll() or sl_ctl_exec(), in the caller's thread.  Commands
 * are kept sorted by name (help lists them that way); dispatch is a scan for the longest
 * name that prefixes argv, which is plenty for a few hundred commands typed by people.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_priv.h"

SL_LOG_TYPE_DEFINE(ctl)

#define NAME_SIZE 64   /* longest command name + 1 */
#define EVENTS 64      /* epoll events per wait */
#define ACCEPTS 64     /* connections accepted per listener event */
#define DISCARD_MAX 64 /* an over-long line is counted up to max_request * this */
#define HELP_COLUMN 40 /* a wider usage has its help on the next line (and sets no width) */

struct cmd_entry {
	const struct sl_ctl_cmd *cmd;
	char name[NAME_SIZE];  /* normalised: the words with one blank between them */
	char split[NAME_SIZE]; /* the same words, NUL-separated */
	const char *word[SL_CTL_MAX_NAME_WORDS];
	unsigned nwords;
};

struct client {
	int fd;
	struct client *prev, *next;
	char *in; /* input: in_len bytes, of which the first `scanned` hold no '\n' */
	size_t in_len, in_cap, scanned;
	char *out; /* output: bytes out_off .. out_len are unsent */
	size_t out_off, out_len, out_cap;
	size_t discard; /* bytes of an over-long line seen so far, 0 when not discarding */
	bool closing;	/* no more reading; close once the output is sent */
	bool watch_out; /* EPOLLOUT is in the epoll set */
};

struct sl_ctl {
	int lfd, epfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* the socket file we made, so sl_ctl_free() removes only that one */
	ino_t ino;
	unsigned max_clients;
	size_t max_request, max_output;
	void *ctx;
	struct cmd_entry *cmds; /* sorted by name */
	unsigned ncmds, cmds_cap;
	struct client *clients;
	unsigned nclients;
	unsigned served;	/* requests served during the current sl_ctl_poll() */
	struct sl_ctl_stats st; /* written by the owning thread, read from any */
};

struct sl_ctl_req {
	struct sl_ctl *ctl;
	const struct cmd_entry *cmd; /* NULL until dispatched */
	bool json;
	bool nomem; /* an allocation for text or data failed */
	char *text;
	size_t text_len, text_cap;
	json_t *data;
	char *error; /* NULL unless the reply is an error */
	int err;
};

static int help_fn(struct sl_ctl_req *req, int argc, char **argv, void *ctx);

static const struct sl_ctl_cmd builtin[] = {
	{"help", "[WORDS]", "list the commands (with WORDS, those whose name starts with them)",
	 help_fn},
};

/* The request side: text, data and errors. */

void sl_ctl_printf(struct sl_ctl_req *req, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if (req->text_len + (size_t)n + 1 > req->text_cap) {
		size_t cap = SL_MAX(req->text_cap * 2, req->text_len + (size_t)n + 1);
		char *t = realloc(req->text, SL_MAX(cap, (size_t)256));

		if (t == NULL) {
			req->nomem = true;
			return;
		}
		req->text = t;
		req->text_cap = SL_MAX(cap, (size_t)256);
	}
	va_start(ap, fmt);
	vsnprintf(req->text + req->text_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	req->text_len += (size_t)n;
}

json_t *sl_ctl_data(struct sl_ctl_req *req)
{
	if (req->data == NULL) {
		req->data = json_object();
		if (req->data == NULL)
			req->nomem = true;
	}
	return req->data;
}

void sl_ctl_set_data(struct sl_ctl_req *req, json_t *data)
{
	json_decref(req->data);
	req->data = data;
}

static int verror(struct sl_ctl_req *req, int err, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (err >= 0)
		err = -EINVAL;
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		req->nomem = true;
	}
	free(req->error);
	req->error = msg;
	req->err = err;
	return err;
}

int sl_ctl_error(struct sl_ctl_req *req, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = verror(req, err, fmt, ap);
	va_end(ap);
	return err;
}

int sl_ctl_usage_error(struct sl_ctl_req *req, const char *fmt, ...)
{
	const char *name = req->cmd ? req->cmd->name : "?";
	const char *args = req->cmd && req->cmd->cmd->args ? req->cmd->cmd->args : "";
	char *msg = NULL;
	va_list ap;

	if (fmt == NULL)
		return sl_ctl_error(req, -EINVAL, "usage: %s%s%s", name, *args ? " " : "", args);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL) {
		req->nomem = true;
		return -EINVAL;
	}
	sl_ctl_error(req, -EINVAL, "%s; usage: %s%s%s", msg, name, *args ? " " : "", args);
	free(msg);
	return -EINVAL;
}

bool sl_ctl_want_json(const struct sl_ctl_req *req)
{
	return req->json;
}

void sl_ctl_stats(const struct sl_ctl *ctl, struct sl_ctl_stats *st)
{
	st->requests = sl_counter_read(&ctl->st.requests);
	st->errors = sl_counter_read(&ctl->st.errors);
	st->clients_accepted = sl_counter_read(&ctl->st.clients_accepted);
	st->clients_refused = sl_counter_read(&ctl->st.clients_refused);
	st->too_long = sl_counter_read(&ctl->st.too_long);
	st->malformed = sl_counter_read(&ctl->st.malformed);
	st->slow_disconnects = sl_counter_read(&ctl->st.slow_disconnects);
}

/* Replies. */

static json_t *jstring(char *s, size_t len)
{
	ctl_utf8_fix(s, len);
	return json_stringn(s, len);
}

/* {"ok": false, "error": msg}; msg is made valid UTF-8 in place.  NULL when out of memory. */
static json_t *error_reply(char *msg)
{
	json_t *r = json_object();

	if (r == NULL)
		return NULL;
	if (json_object_set_new(r, "ok", json_false()) < 0 ||
	    json_object_set_new(r, "error", jstring(msg, strlen(msg))) < 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

/* Builds the reply of a served request and releases what the request held. */
static json_t *finish(struct sl_ctl_req *req, int rc, int *out_rc)
{
	json_t *r = NULL;

	if (rc > 0)
		rc = 0;
	if (req->nomem) {
		char msg[NAME_SIZE + 64];

		snprintf(msg, sizeof(msg), "out of memory building the reply of '%s'",
			 req->cmd ? req->cmd->name : "?");
		rc = -ENOMEM;
		r = error_reply(msg);
	} else if (req->error != NULL || rc < 0) {
		if (req->error != NULL) {
			rc = rc < 0 ? rc : req->err;
			r = error_reply(req->error);
		} else {
			char msg[NAME_SIZE + 128];

			snprintf(msg, sizeof(msg), "%s failed: %s", req->cmd->name, strerror(-rc));
			r = error_reply(msg);
		}
	} else {
		json_t *data = req->data ? req->data : json_null();

		req->data = NULL;
		r = json_object();
		if (r == NULL) {
			json_decref(data);
		} else if (json_object_set_new(r, "ok", json_true()) < 0 ||
			   json_object_set_new(r, "text",
					       req->text ? jstring(req->text, req->text_len)
							 : json_string("")) < 0) {
			json_decref(data);
			json_decref(r);
			r = NULL;
		} else if (json_object_set_new(r, "data", data) < 0) { /* frees data */
			json_decref(r);
			r = NULL;
		}
		if (r == NULL)
			rc = -ENOMEM;
	}
	json_decref(req->data);
	free(req->text);
	free(req->error);
	*out_rc = rc;
	return r;
}

/* Dispatch. */

static bool words_match(const struct cmd_entry *e, unsigned n, char *const *argv)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(e->word[i], argv[i]) != 0)
			return false;
	return true;
}

static const struct cmd_entry *lookup(const struct sl_ctl *ctl, int argc, char *const *argv)
{
	const struct cmd_entry *best = NULL;
	unsigned i;

	for (i = 0; i < ctl->ncmds; i++) {
		const struct cmd_entry *e = &ctl->cmds[i];

		if (e->nwords <= (unsigned)argc && (!best || e->nwords > best->nwords) &&
		    words_match(e, e->nwords, argv))
			best = e;
	}
	return best;
}

/* No command is a prefix of argv: say which words would complete it, or the closest name. */
static int unknown(struct sl_ctl_req *req, int argc, char **argv)
{
	const struct sl_ctl *ctl = req->ctl;
	const struct cmd_entry *best = NULL;
	unsigned i, best_d = 0, best_m = 0;
	char q[CTL_QUOTE_MAX + 4], s[NAME_SIZE], next[256] = "";
	size_t used = 0;
	const char *last = NULL;

	for (i = 0; i < ctl->ncmds; i++) {
		const struct cmd_entry *e = &ctl->cmds[i];
		const char *w;

		if (e->nwords <= (unsigned)argc || !words_match(e, (unsigned)argc, argv))
			continue;
		w = e->word[argc];
		if (last != NULL && strcmp(last, w) == 0)
			continue; /* sorted: equal next words are adjacent */
		if (used + strlen(w) + 3 < sizeof(next))
			used += (size_t)snprintf(next + used, sizeof(next) - used, "%s%s",
						 last ? ", " : "", w);
		last = w;
	}
	ctl_join(q, sizeof(q), argc, argv);
	if (last != NULL)
		return sl_ctl_error(req, -EINVAL,
				    "incomplete command '%s'; it goes on with %s (help %s lists "
				    "them)",
				    q, next, q);
	for (i = 0; i < ctl->ncmds; i++) {
		const struct cmd_entry *e = &ctl->cmds[i];
		unsigned m = SL_MIN(e->nwords, (unsigned)argc), d, len;
		char a[CTL_QUOTE_MAX + 4];

		ctl_join(a, sizeof(a), (int)m, argv);
		ctl_join(s, sizeof(s), (int)m, (char *const *)e->word);
		len = (unsigned)strlen(s);
		d = ctl_distance(a, s);
		if (d > SL_MAX((len + 2) / 3, 1u))
			continue;
		if (!best || d < best_d || (d == best_d && m > best_m)) {
			best = e;
			best_d = d;
			best_m = m;
		}
	}
	if (best == NULL) {
		ctl_join(q, sizeof(q), 1, argv);
		return sl_ctl_error(req, -ENOENT, "unknown command '%s'; help lists the commands",
				    q);
	}
	ctl_join(q, sizeof(q), (int)best_m, argv);
	ctl_join(s, sizeof(s), (int)best_m, (char *const *)best->word);
	return sl_ctl_error(req, -ENOENT,
			    "unknown command '%s'; did you mean '%s%s'? (help lists them)", q, s,
			    best_m < best->nwords ? " ..." : "");
}

/* Runs one command; returns its reply (NULL when out of memory) and its status in *rc. */
static json_t *run(struct sl_ctl *ctl, int argc, char **argv, bool json, int *rc)
{
	struct sl_ctl_req req = {.ctl = ctl, .json = json};
	json_t *r;
	int ret;

	sl_counter_add(&ctl->st.requests, 1);
	ctl->served++;
	if (argc <= 0) {
		ret = sl_ctl_error(&req, -EINVAL, "empty command; help lists the commands");
	} else {
		req.cmd = lookup(ctl, argc, argv);
		if (req.cmd == NULL)
			ret = unknown(&req, argc, argv);
		else
			ret = req.cmd->cmd->fn(&req, argc - (int)req.cmd->nwords,
					       argv + req.cmd->nwords, ctl->ctx);
	}
	r = finish(&req, ret, rc);
	if (*rc < 0)
		sl_counter_add(&ctl->st.errors, 1);
	return r;
}

int sl_ctl_exec(struct sl_ctl *ctl, int argc, char **argv, json_t **reply)
{
	json_t *r;
	int rc;

	r = run(ctl, argc, argv, reply != NULL, &rc);
	if (r == NULL && rc == 0)
		rc = -ENOMEM;
	if (reply != NULL)
		*reply = r;
	else
		json_decref(r);
	return rc;
}

/* help [WORDS] */

static bool help_match(const struct cmd_entry *e, int argc, char **argv)
{
	if ((unsigned)argc > e->nwords)
		return false;
	if (argc == 0)
		return true;
	return words_match(e, (unsigned)argc - 1, argv) &&
	       strncmp(e->word[argc - 1], argv[argc - 1], strlen(argv[argc - 1])) == 0;
}

static void help_line(struct sl_ctl_req *req, const struct cmd_entry *e, int width)
{
	const char *args = e->cmd->args ? e->cmd->args : "";
	int len = (int)(strlen(e->name) + (*args ? 1 + strlen(args) : 0));
	const char *help = e->cmd->help ? e->cmd->help : "";

	if (len > width)
		sl_ctl_printf(req, "%s%s%s\n%*s  %s\n", e->name, *args ? " " : "", args, width, "",
			      help);
	else
		sl_ctl_printf(req, "%s%s%s%*s  %s\n", e->name, *args ? " " : "", args, width - len,
			      "", help);
}

static int help_fn(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	const struct sl_ctl *ctl = req->ctl;
	const struct cmd_entry *only = NULL;
	json_t *list;
	int width = 0;
	unsigned i, n = 0;

	(void)ctx;
	for (i = 0; i < ctl->ncmds; i++)
		n += help_match(&ctl->cmds[i], argc, argv);
	if (n == 0) {
		/* "help route add 10.0.0.0/8": the command those words would run. */
		only = lookup(ctl, argc, argv);
		if (only == NULL) {
			char q[CTL_QUOTE_MAX + 4];

			ctl_join(q, sizeof(q), argc, argv);
			return sl_ctl_error(req, -ENOENT,
					    "no command starts with '%s'; help lists them all", q);
		}
	}
	list = json_array();
	if (list == NULL)
		return -ENOMEM;
	sl_ctl_set_data(req, list);
	for (i = 0; i < ctl->ncmds; i++) {
		const struct cmd_entry *e = &ctl->cmds[i];
		const char *args = e->cmd->args ? e->cmd->args : "";
		int len = (int)(strlen(e->name) + (*args ? 1 + strlen(args) : 0));

		if ((only ? e == only : help_match(e, argc, argv)) && len <= HELP_COLUMN)
			width = SL_MAX(width, len);
	}
	for (i = 0; i < ctl->ncmds; i++) {
		const struct cmd_entry *e = &ctl->cmds[i];

		if (only ? e != only : !help_match(e, argc, argv))
			continue;
		help_line(req, e, width);
		if (json_array_append_new(list,
					  json_pack("{s:s, s:s, s:s}", "name", e->name, "args",
						    e->cmd->args ? e->cmd->args : "", "help",
						    e->cmd->help ? e->cmd->help : "")) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Registration. */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Splits and checks a command's name into e (logged when bad). */
static int parse_name(struct cmd_entry *e, const struct sl_ctl_cmd *cmd)
{
	const char *s = cmd->name;
	size_t o = 0;

	memset(e, 0, sizeof(*e));
	e->cmd = cmd;
	if (s == NULL || *s == '\0') {
		SL_LOG(ctl, ERR, "command name is %s; give 1 to %d words of [a-z0-9_-]",
		       s ? "empty" : "NULL", SL_CTL_MAX_NAME_WORDS);
		return -EINVAL;
	}
	if (cmd->fn == NULL) {
		SL_LOG(ctl, ERR, "command '%s' has no handler (fn is NULL); give it one", s);
		return -EINVAL;
	}
	if (strlen(s) >= NAME_SIZE) {
		SL_LOG(ctl, ERR, "command name '%s' is %zu bytes long; use at most %d", s,
		       strlen(s), NAME_SIZE - 1);
		return -EINVAL;
	}
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (e->nwords == SL_CTL_MAX_NAME_WORDS) {
			SL_LOG(ctl, ERR, "command name '%s' has more than %d words; use at most %d",
			       cmd->name, SL_CTL_MAX_NAME_WORDS, SL_CTL_MAX_NAME_WORDS);
			return -EINVAL;
		}
		e->word[e->nwords++] = e->split + o;
		for (; *s && *s != ' '; s++) {
			if (!name_char(*s)) {
				SL_LOG(ctl, ERR,
				       "command name '%s' has the character '%c' (0x%02x); use "
				       "words of a-z, 0-9, '-' and '_'",
				       cmd->name, *s >= 0x20 && *s < 0x7f ? *s : '?',
				       (unsigned char)*s);
				return -EINVAL;
			}
			e->split[o++] = *s;
		}
		e->split[o++] = '\0';
	}
	ctl_join(e->name, sizeof(e->name), (int)e->nwords, (char *const *)e->word);
	return 0;
}

/* Points each entry's words into its own `split` (after the array moved or was sorted). */
static void fix_words(struct cmd_entry *cmds, unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		const char *p = cmds[i].split;

		for (j = 0; j < cmds[i].nwords; j++) {
			cmds[i].word[j] = p;
			p += strlen(p) + 1;
		}
	}
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct cmd_entry *)a)->name, ((const struct cmd_entry *)b)->name);
}

int sl_ctl_register(struct sl_ctl *ctl, const struct sl_ctl_cmd *cmds, unsigned n)
{
	struct cmd_entry *fresh;
	unsigned i, j;
	int rc;

	if (ctl == NULL || (cmds == NULL && n > 0)) {
		SL_LOG(ctl, ERR, "sl_ctl_register: %s is NULL; pass a server and a table",
		       ctl ? "the table" : "the server");
		return -EINVAL;
	}
	if (n == 0)
		return 0;
	if (ctl->ncmds + n > ctl->cmds_cap) {
		unsigned cap = SL_MAX(ctl->cmds_cap * 2, ctl->ncmds + n);
		struct cmd_entry *c = realloc(ctl->cmds, cap * sizeof(*c));

		if (c == NULL)
			return -ENOMEM;
		ctl->cmds = c;
		ctl->cmds_cap = cap;
		fix_words(ctl->cmds, ctl->ncmds);
	}
	/* Checked in place past the end; ncmds moves only when the whole table is good. */
	fresh = ctl->cmds + ctl->ncmds;
	for (i = 0; i < n; i++) {
		rc = parse_name(&fresh[i], &cmds[i]);
		if (rc < 0)
			return rc;
		for (j = 0; j < ctl->ncmds + i; j++) {
			if (strcmp(ctl->cmds[j].name, fresh[i].name) == 0) {
				SL_LOG(ctl, ERR,
				       "command '%s' is registered twice%s; give each command "
				       "one name",
				       fresh[i].name, j >= ctl->ncmds ? " in one table" : "");
				return -EEXIST;
			}
		}
	}
	ctl->ncmds += n;
	qsort(ctl->cmds, ctl->ncmds, sizeof(*ctl->cmds), cmp_entry);
	fix_words(ctl->cmds, ctl->ncmds);
	return 0;
}

/* Clients. */

static void client_close(struct sl_ctl *ctl, struct client *c)
{
	epoll_ctl(ctl->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ctl->nclients--;
	free(c->in);
	free(c->out);
	free(c);
}

static int watch(struct sl_ctl *ctl, struct client *c)
{
	struct epoll_event ev = {.data.ptr = c};
	bool out = c->out_len > c->out_off;

	ev.events = (c->closing ? 0 : EPOLLIN) | (out ? EPOLLOUT : 0);
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -errno;
	c->watch_out = out;
	return 0;
}

/* Sends what the socket takes.  Returns 0, or -1 when the client is gone (closed here). */
static int flush(struct sl_ctl *ctl, struct client *c)
{
	while (c->out_len > c->out_off) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			SL_LOG(ctl, DEBUG, "client fd %d: send: %s; closing it", c->fd,
			       strerror(errno));
			client_close(ctl, c);
			return -1;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->out_cap > (1u << 20)) { /* a big dump is sent: give its memory back */
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
		if (c->closing) {
			client_close(ctl, c);
			return -1;
		}
	}
	if (c->watch_out != (c->out_len > c->out_off) && watch(ctl, c) < 0) {
		client_close(ctl, c);
		return -1;
	}
	return 0;
}

/* Queues one reply line and tries to send it.  Returns 0, or -1 when the client is gone. */
static int send_reply(struct sl_ctl *ctl, struct client *c, json_t *reply)
{
	static const char oom[] = "{\"ok\": false, \"error\": \"out of memory\"}";
	char *line = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	const char *s = line ? line : oom;
	size_t len = strlen(s);

	json_decref(reply);
	if (c->out_len - c->out_off > ctl->max_output) {
		if (flush(ctl, c) < 0) {
			free(line);
			return -1;
		}
		if (c->out_len - c->out_off > ctl->max_output) {
			SL_LOG(ctl, WARNING,
			       "control client fd %d does not read its replies (%zu bytes unsent; "
			       "the limit is %zu): disconnected",
			       c->fd, c->out_len - c->out_off, ctl->max_output);
			sl_counter_add(&ctl->st.slow_disconnects, 1);
			free(line);
			client_close(ctl, c);
			return -1;
		}
	}
	if (c->out_off > 0 && c->out_off >= c->out_len / 2) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + len + 1 > c->out_cap) {
		size_t cap = SL_MAX(SL_MAX(c->out_cap * 2, c->out_len + len + 1), (size_t)4096);
		char *o = realloc(c->out, cap);

		if (o == NULL) {
			SL_LOG(ctl, ERR,
			       "out of memory queueing a reply of %zu bytes to fd %d; "
			       "closing it",
			       len, c->fd);
			free(line);
			client_close(ctl, c);
			return -1;
		}
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	free(line);
	return flush(ctl, c);
}

/* Serves one request line (len bytes, no '\n').  Returns 0, or -1 when the client is gone. */
static int serve_line(struct sl_ctl *ctl, struct client *c, const char *line, size_t len)
{
	char err[256];
	char **argv;
	bool json;
	int argc, rc;
	json_t *reply;

	rc = sl_ctl__parse_request(line, len, &argc, &argv, &json, err, sizeof(err));
	if (rc < 0) {
		sl_counter_add(&ctl->st.requests, 1);
		sl_counter_add(&ctl->st.errors, 1);
		sl_counter_add(&ctl->st.malformed, 1);
		ctl->served++;
		SL_LOG(ctl, INFO, "client fd %d: %s", c->fd, err);
		return send_reply(ctl, c, error_reply(err));
	}
	reply = run(ctl, argc, argv, json, &rc);
	free(argv);
	return send_reply(ctl, c, reply);
}

static int too_long(struct sl_ctl *ctl, struct client *c, size_t n)
{
	char err[128];

	snprintf(err, sizeof(err), "request too long (%zu bytes; the limit is %zu)", n,
		 ctl->max_request);
	SL_LOG(ctl, INFO, "client fd %d: %s; closing it", c->fd, err);
	sl_counter_add(&ctl->st.requests, 1);
	sl_counter_add(&ctl->st.errors, 1);
	sl_counter_add(&ctl->st.too_long, 1);
	ctl->served++;
	c->closing = true;
	c->discard = 0;
	if (watch(ctl, c) < 0) {
		client_close(ctl, c);
		return -1;
	}
	return send_reply(ctl, c, error_reply(err));
}

/* Reads once and serves the complete lines.  Returns 0, or -1 when the client is gone. */
static int client_read(struct sl_ctl *ctl, struct client *c)
{
	size_t start = 0, i;
	ssize_t n;

	if (!c->discard && c->in_len == c->in_cap) {
		size_t cap = SL_MIN(SL_MAX(c->in_cap * 2, (size_t)4096), ctl->max_request + 1);
		char *in = realloc(c->in, cap);

		if (in == NULL) {
			SL_LOG(ctl, ERR,
			       "out of memory for a request buffer of %zu bytes; closing "
			       "client fd %d",
			       cap, c->fd);
			client_close(ctl, c);
			return -1;
		}
		c->in = in;
		c->in_cap = cap;
	}
	do {
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0) {
		SL_LOG(ctl, DEBUG, "client fd %d: recv: %s; closing it", c->fd, strerror(errno));
		client_close(ctl, c);
		return -1;
	}
	if (c->discard) {
		char *nl = n > 0 ? memchr(c->in, '\n', (size_t)n) : NULL;

		if (nl != NULL || n == 0 || c->discard + (size_t)n > ctl->max_request * DISCARD_MAX)
			return too_long(ctl, c,
					c->discard + (nl ? (size_t)(nl - c->in) : (size_t)n));
		c->discard += (size_t)n;
		return 0;
	}
	if (n == 0) {
		/* End of input: a last line without its '\n' is served too. */
		c->closing = true;
		if (watch(ctl, c) < 0) {
			client_close(ctl, c);
			return -1;
		}
		if (c->in_len > 0 && serve_line(ctl, c, c->in, c->in_len) < 0)
			return -1;
		c->in_len = 0;
		return flush(ctl, c);
	}
	c->in_len += (size_t)n;
	for (i = c->scanned; i < c->in_len; i++) {
		if (c->in[i] != '\n')
			continue;
		if (serve_line(ctl, c, c->in + start, i - start) < 0)
			return -1;
		start = i + 1;
	}
	if (start > 0)
		memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	c->scanned = c->in_len;
	if (c->in_len == ctl->max_request + 1) {
		/* A full buffer with no '\n': count the rest of the line, then refuse it. */
		c->discard = c->in_len;
		c->in_len = c->scanned = 0;
	}
	return 0;
}

/* One error line to a client beyond max_clients (an empty socket buffer takes it), then
 * close. */
static void refuse(struct sl_ctl *ctl, int fd)
{
	char msg[sizeof(ctl->path) + 128], *line = NULL;
	json_t *r;

	snprintf(msg, sizeof(msg),
		 "too many clients on %s (%u connected; the limit is %u); retry later or raise "
		 "max_clients",
		 ctl->path, ctl->nclients, ctl->max_clients);
	SL_LOG(ctl, NOTICE, "refused a control client: %s", msg);
	r = error_reply(msg);
	if (r != NULL)
		line = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (line != NULL) {
		size_t len = strlen(line);

		line[len] = '\n'; /* replaces the NUL: sent by length */
		if (send(fd, line, len + 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			SL_LOG(ctl, DEBUG, "refusal to fd %d: %s", fd, strerror(errno));
		free(line);
	}
	close(fd);
	sl_counter_add(&ctl->st.clients_refused, 1);
}

static void accept_clients(struct sl_ctl *ctl)
{
	unsigned i;

	for (i = 0; i < ACCEPTS; i++) {
		struct epoll_event ev = {.events = EPOLLIN};
		struct client *c;
		int fd = accept4(ctl->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				SL_LOG(ctl, WARNING,
				       "accept on %s: %s; clients wait until it works", ctl->path,
				       strerror(errno));
			return;
		}
		if (ctl->nclients >= ctl->max_clients) {
			refuse(ctl, fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			SL_LOG(ctl, ERR, "out of memory for a control client; closed it");
			continue;
		}
		c->fd = fd;
		ev.data.ptr = c;
		if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			SL_LOG(ctl, ERR, "epoll_ctl add of client fd %d: %s; closed it", fd,
			       strerror(errno));
			close(fd);
			free(c);
			continue;
		}
		c->next = ctl->clients;
		if (c->next)
			c->next->prev = c;
		ctl->clients = c;
		ctl->nclients++;
		sl_counter_add(&ctl->st.clients_accepted, 1);
	}
}

int sl_ctl_poll(struct sl_ctl *ctl, int timeout_ms)
{
	struct epoll_event ev[EVENTS];
	int n, i;

	n = epoll_wait(ctl->epfd, ev, EVENTS, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		n = -errno;
		SL_LOG(ctl, ERR, "epoll_wait on %s: %s", ctl->path, strerror(-n));
		return n;
	}
	ctl->served = 0;
	for (i = 0; i < n; i++) {
		struct client *c = ev[i].data.ptr;

		if (c == NULL) {
			accept_clients(ctl);
			continue;
		}
		if ((ev[i].events & EPOLLOUT) && flush(ctl, c) < 0)
			continue;
		if ((ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->closing)
			client_read(ctl, c);
		else if ((ev[i].events & (EPOLLHUP | EPOLLERR)) && c->closing)
			client_close(ctl, c); /* peer gone before taking its last reply */
	}
	return (int)ctl->served;
}

int sl_ctl_fd(const struct sl_ctl *ctl)
{
	return ctl->epfd;
}

/* Creation. */

static int check_config(const struct sl_ctl_config *cfg)
{
	if (cfg == NULL || cfg->path == NULL || cfg->path[0] == '\0') {
		SL_LOG(ctl, ERR,
		       "control socket path is %s; give one, such as "
		       "/run/sluice/router.sock",
		       cfg == NULL	   ? "NULL (no config)"
		       : cfg->path == NULL ? "NULL"
					   : "empty");
		return -EINVAL;
	}
	if (strlen(cfg->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		SL_LOG(ctl, ERR,
		       "control socket path '%s' is %zu bytes long; the limit is %zu "
		       "(use a shorter directory)",
		       cfg->path, strlen(cfg->path),
		       sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	if (cfg->max_clients > SL_CTL_MAX_CLIENTS_LIMIT) {
		SL_LOG(ctl, ERR, "max_clients %u is too many; use at most %u (0: %u)",
		       cfg->max_clients, SL_CTL_MAX_CLIENTS_LIMIT, SL_CTL_DEFAULT_MAX_CLIENTS);
		return -EINVAL;
	}
	if (cfg->max_request != 0 && (cfg->max_request < SL_CTL_MIN_REQUEST ||
				      cfg->max_request > SL_CTL_MAX_REQUEST_LIMIT)) {
		SL_LOG(ctl, ERR, "max_request %zu is out of range; use %u to %u bytes (0: %u)",
		       cfg->max_request, SL_CTL_MIN_REQUEST, SL_CTL_MAX_REQUEST_LIMIT,
		       SL_CTL_DEFAULT_MAX_REQUEST);
		return -EINVAL;
	}
	return 0;
}

/* bind() said the path exists: remove it when it is a socket nobody answers on. */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno; /* gone meanwhile: bind again */
	if (!S_ISSOCK(st.st_mode)) {
		SL_LOG(ctl, ERR,
		       "control socket path %s exists and is not a socket; remove it "
		       "or choose another path",
		       path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	rc = rc < 0 ? errno : 0;
	close(fd);
	if (rc == 0 || rc == EAGAIN || rc == EINPROGRESS) {
		SL_LOG(ctl, ERR,
		       "a server is already listening on %s; stop it or give another "
		       "path",
		       path);
		return -EADDRINUSE;
	}
	if (rc != ECONNREFUSED) {
		SL_LOG(ctl, ERR,
		       "cannot tell whether %s is in use: connect: %s; remove it if "
		       "no server runs there",
		       path, strerror(rc));
		return -rc;
	}
	SL_LOG(ctl, NOTICE, "removing stale control socket %s (no server answers on it)", path);
	if (unlink(path) < 0 && errno != ENOENT) {
		rc = -errno;
		SL_LOG(ctl, ERR, "cannot remove stale control socket %s: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

static int listen_on(struct sl_ctl *ctl)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int tries, rc;

	memcpy(sa.sun_path, ctl->path, strlen(ctl->path) + 1);
	ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->lfd < 0) {
		rc = -errno;
		SL_LOG(ctl, ERR, "socket(AF_UNIX) for %s: %s", ctl->path, strerror(-rc));
		return rc;
	}
	for (tries = 0;; tries++) {
		if (bind(ctl->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		rc = -errno;
		if (rc != -EADDRINUSE || tries == 2) {
			SL_LOG(ctl, ERR, "cannot bind control socket %s: %s%s", ctl->path,
			       strerror(-rc),
			       rc == -ENOENT   ? " (create its directory first)"
			       : rc == -EACCES ? " (check the directory's permissions)"
					       : "");
			return rc;
		}
		rc = clear_stale(ctl->path, &sa);
		if (rc < 0)
			return rc;
	}
	if (stat(ctl->path, &st) == 0) {
		ctl->dev = st.st_dev;
		ctl->ino = st.st_ino;
	}
	if (listen(ctl->lfd, 128) < 0) {
		rc = -errno;
		SL_LOG(ctl, ERR, "listen on %s: %s", ctl->path, strerror(-rc));
		unlink(ctl->path);
		return rc;
	}
	return 0;
}

struct sl_ctl *sl_ctl_create(const struct sl_ctl_config *cfg, void *ctx)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	struct sl_ctl *ctl;
	int rc;

	rc = check_config(cfg);
	if (rc < 0)
		goto fail;
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	ctl->lfd = -1;
	ctl->ctx = ctx;
	ctl->max_clients = cfg->max_clients ? cfg->max_clients : SL_CTL_DEFAULT_MAX_CLIENTS;
	ctl->max_request = cfg->max_request ? cfg->max_request : SL_CTL_DEFAULT_MAX_REQUEST;
	ctl->max_output = cfg->max_output ? cfg->max_output : SL_CTL_DEFAULT_MAX_OUTPUT;
	snprintf(ctl->path, sizeof(ctl->path), "%s", cfg->path);
	rc = sl_ctl_register(ctl, builtin, SL_ARRAY_SIZE(builtin));
	if (rc < 0)
		goto free_ctl;
	ctl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ctl->epfd < 0) {
		rc = -errno;
		SL_LOG(ctl, ERR, "epoll_create1 for %s: %s", cfg->path, strerror(-rc));
		goto free_cmds;
	}
	rc = listen_on(ctl);
	if (rc < 0)
		goto close_lfd;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->lfd, &ev) < 0) {
		rc = -errno;
		SL_LOG(ctl, ERR, "epoll_ctl add of %s: %s", cfg->path, strerror(-rc));
		goto unlink_path;
	}
	SL_LOG(ctl, INFO, "listening on %s (max_clients %u, max_request %zu)", ctl->path,
	       ctl->max_clients, ctl->max_request);
	return ctl;

unlink_path:
	unlink(ctl->path);
close_lfd:
	if (ctl->lfd >= 0)
		close(ctl->lfd);
	close(ctl->epfd);
free_cmds:
	free(ctl->cmds);
free_ctl:
	free(ctl);
fail:
	errno = -rc;
	return NULL;
}

void sl_ctl_free(struct sl_ctl *ctl)
{
	struct stat st;

	if (ctl == NULL)
		return;
	while (ctl->clients)
		client_close(ctl, ctl->clients);
	close(ctl->lfd);
	if (stat(ctl->path, &st) == 0 && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	close(ctl->epfd);
	free(ctl->cmds);
	free(ctl);
}

/* Start-up files. */

int sl_ctl_run_file(struct sl_ctl *ctl, const char *path)
{
	char err[256], *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL) {
		rc = -errno;
		SL_LOG(ctl, ERR, "cannot open start-up file %s: %s", path, strerror(-rc));
		return rc;
	}
	while (getline(&line, &cap, f) >= 0) {
		char **argv;
		json_t *reply;
		int argc;

		lineno++;
		rc = sl_ctl__split_line(line, &argc, &argv, err, sizeof(err));
		if (rc < 0) {
			SL_LOG(ctl, ERR, "%s:%u: %s", path, lineno, err);
			break;
		}
		if (argc == 0)
			continue;
		reply = run(ctl, argc, argv, false, &rc);
		free(argv);
		if (rc < 0) {
			json_t *e = json_object_get(reply, "error");

			SL_LOG(ctl, ERR, "%s:%u: %s", path, lineno,
			       json_is_string(e) ? json_string_value(e) : strerror(-rc));
			json_decref(reply);
			break;
		}
		if (json_string_length(json_object_get(reply, "text")) > 0)
			SL_LOG(ctl, DEBUG, "%s:%u: %s", path, lineno,
			       json_string_value(json_object_get(reply, "text")));
		json_decref(reply);
	}
	if (rc == 0 && ferror(f)) {
		rc = -EIO;
		SL_LOG(ctl, ERR, "%s:%u: read error; check the file", path, lineno + 1);
	}
	free(line);
	fclose(f);
	return rc;
}
