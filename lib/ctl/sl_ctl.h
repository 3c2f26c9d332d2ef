/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control sockets: the control plane of a Sluice application (sluice-router, later
 * sluice-switch) and the generic client its `...ctl` program wraps.  docs/ctl.md is the
 * protocol's reference; this is the summary.
 *
 * Wire: a unix stream socket.  A request is one JSON object on one line, at most
 * max_request bytes (65536 by default) before its '\n':
 *     {"argv": ["route", "add", "10.0.0.0/8", "via", "192.0.2.1"], "json": true}
 * and each gets one reply line, in order, several per connection:
 *     {"ok": true, "text": "what a human reads, may be empty", "data": <any JSON or null>}
 *     {"ok": false, "error": "one line naming the bad value and the fix"}
 * A line that is too long gets its error reply and the connection is closed; any other bad
 * request gets an error reply and the connection goes on.
 *
 * Server: one thread owns a `struct sl_ctl` and calls sl_ctl_poll() (or waits on
 * sl_ctl_fd() in its own loop first).  Poll serves whatever is ready without blocking on
 * any client: each client has its own input buffer and a bounded output buffer, so a client
 * that sends requests and never reads the replies is disconnected (slow_disconnects), not
 * waited for.  Commands come from const tables (`struct sl_ctl_cmd`) that modules register;
 * a request runs the command whose name (1-3 words) is the longest prefix of its argv, and
 * the handler gets the remaining words.  Handlers run in the polling thread, one at a time:
 * they can use the application's state without locks when that thread owns it.
 *
 * Every server has `help [WORDS]`; an unknown command gets the closest name by edit
 * distance ("unknown command 'rout add'; did you mean 'route add'? (help lists them)").
 *
 * Thread-safety: a server is used by one thread at a time (create, register, poll, exec,
 * run_file, free); sl_ctl_stats() may be called from any thread.  The client functions are
 * independent of any server and thread-safe.  Names beginning with sl_ctl__ are internal
 * (exported for the fuzzer and the unit tests).
 */
#ifndef SL_CTL_H
#define SL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SL_CTL_MAX_WORDS 256		     /* words in one request */
#define SL_CTL_MAX_WORD 4096		     /* bytes in one word (without its NUL) */
#define SL_CTL_MAX_NAME_WORDS 3		     /* words in a command's name */
#define SL_CTL_DEFAULT_MAX_CLIENTS 64	     /* clients connected at once */
#define SL_CTL_DEFAULT_MAX_REQUEST 65536     /* bytes in one request line, '\n' excluded */
#define SL_CTL_DEFAULT_MAX_OUTPUT (4u << 20) /* unsent reply bytes before a disconnect */
#define SL_CTL_MIN_REQUEST 256		     /* smallest max_request accepted */
#define SL_CTL_MAX_REQUEST_LIMIT (16u << 20) /* largest max_request accepted */
#define SL_CTL_MAX_CLIENTS_LIMIT 65536	     /* largest max_clients accepted */

struct sl_ctl;	   /* a server */
struct sl_ctl_req; /* one request being served */

/*
 * A command handler.  argv holds the words after the command's own words (argv[argc] is
 * NULL); ctx is the pointer given to sl_ctl_create().  Print with sl_ctl_printf(), fill
 * sl_ctl_data(), and return 0; or return sl_ctl_error(req, -EINVAL, "...") (a negative
 * errno).  A handler that returns a negative errno without setting an error gets
 * "<command> failed: <strerror>".
 */
typedef int (*sl_ctl_fn)(struct sl_ctl_req *req, int argc, char **argv, void *ctx);

struct sl_ctl_cmd {
	const char *name; /* the command's words, "route add" (1-3 words of [a-z0-9_-]) */
	const char *args; /* usage of the rest, "PREFIX via GW | PREFIX blackhole", or NULL */
	const char *help; /* one line */
	sl_ctl_fn fn;
};

struct sl_ctl_config {
	const char *path;     /* socket path, shorter than 108 bytes */
	unsigned max_clients; /* clients at once, 0: SL_CTL_DEFAULT_MAX_CLIENTS */
	size_t max_request;   /* bytes per request line, 0: SL_CTL_DEFAULT_MAX_REQUEST */
	size_t max_output;    /* unsent bytes per client, 0: SL_CTL_DEFAULT_MAX_OUTPUT */
};

/*
 * Creates a server listening on cfg->path (non-blocking; the file's mode follows the
 * umask, so put it in a directory whose permissions say who may connect).  A socket file
 * left by a server that is gone is removed; a live server on the path is not disturbed.
 * Returns the server, or NULL with errno EINVAL (bad config, logged), ENAMETOOLONG (path
 * too long, logged), EADDRINUSE (a server answers on the path, logged), EEXIST (the path
 * is not a socket, logged), ENOMEM, or the errno of socket/bind/listen (logged).
 */
struct sl_ctl *sl_ctl_create(const struct sl_ctl_config *cfg, void *ctx);

/*
 * Adds n commands from a table that must outlive the server (a static const array); not
 * from inside a handler.  All or nothing: returns 0, -EINVAL (NULL table or handler, bad
 * name, logged) or -EEXIST (a name already registered or twice in the table, logged), or
 * -ENOMEM.
 */
int sl_ctl_register(struct sl_ctl *ctl, const struct sl_ctl_cmd *cmds, unsigned n);

/*
 * Waits up to timeout_ms (0: do not wait, -1: forever) for something to do, then serves
 * what is ready: accepts, reads, runs complete requests and writes replies, never waiting
 * on a client.  Returns the number of requests served (>= 0), 0 when interrupted by a
 * signal, or -errno when epoll_wait fails (logged).
 */
int sl_ctl_poll(struct sl_ctl *ctl, int timeout_ms);

/* The server's epoll descriptor: readable when sl_ctl_poll() has something to do. */
int sl_ctl_fd(const struct sl_ctl *ctl);

/* Closes the clients and the socket and removes the socket file (when it is still ours).
 * NULL is a no-op. */
void sl_ctl_free(struct sl_ctl *ctl);

/*
 * Runs one command in-process, as if it came from a client (start-up files, tests);
 * sl_ctl_want_json() is true when reply is not NULL.  When reply is not NULL it gets the
 * reply object (json_decref() it).  Returns 0, the handler's negative errno, -ENOENT
 * (unknown command), -EINVAL (empty or incomplete command) or -ENOMEM.
 */
int sl_ctl_exec(struct sl_ctl *ctl, int argc, char **argv, json_t **reply);

/*
 * Runs a start-up file: one command per line, words split on blanks, "double quotes"
 * around a word with blanks (\" and \\ inside them), # starts a comment, blank lines are
 * skipped.  Stops at the first error and logs `FILE:LINE: <error>`.  Returns 0, -errno
 * when the file cannot be read (logged), or the failing command's negative errno.
 */
int sl_ctl_run_file(struct sl_ctl *ctl, const char *path);

/* Inside a handler. */

/* Appends to the reply's "text" (a '\n' is not added). */
void sl_ctl_printf(struct sl_ctl_req *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The reply's "data": created as an empty object on the first call unless
 * sl_ctl_set_data() put something else there first.  The request owns it. */
json_t *sl_ctl_data(struct sl_ctl_req *req);

/* Replaces the reply's "data" (an array, say); steals the reference. */
void sl_ctl_set_data(struct sl_ctl_req *req, json_t *data);

/* Makes the reply an error with this message (the last call wins; text and data are
 * dropped).  Returns err, which should be a negative errno (anything else becomes
 * -EINVAL). */
int sl_ctl_error(struct sl_ctl_req *req, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Error "usage: <command> <args>", or with fmt "<message>; usage: <command> <args>".
 * fmt may be NULL.  Returns -EINVAL. */
int sl_ctl_usage_error(struct sl_ctl_req *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True when the client asked for "json": the handler may skip building large data
 * otherwise (text is always sent). */
bool sl_ctl_want_json(const struct sl_ctl_req *req);

/* Counters since creation.  Safe from any thread. */
struct sl_ctl_stats {
	uint64_t requests;	   /* request lines and sl_ctl_exec() calls, bad ones too */
	uint64_t errors;	   /* of those, answered with "ok": false */
	uint64_t clients_accepted; /* connections served */
	uint64_t clients_refused;  /* connections beyond max_clients: error reply, closed */
	uint64_t too_long;	   /* request lines over max_request: error reply, closed */
	uint64_t malformed;	   /* not JSON, not an object, bad argv or limits exceeded */
	uint64_t slow_disconnects; /* clients closed for not reading their replies */
};

void sl_ctl_stats(const struct sl_ctl *ctl, struct sl_ctl_stats *st);

/* Client side. */

/*
 * Connects to the server at path, sends one request and waits for its reply (blocking,
 * without a time limit: a server answers every request).  When reply is
 * not NULL it always gets an object (json_decref() it): the server's reply, or for a
 * failure on this side {"ok": false, "error": "cannot connect to PATH: ..."} (then
 * nothing is logged; with reply NULL failures are logged).  Returns 0 when the server
 * answered "ok": true, -EREMOTEIO when it answered "ok": false, or -errno when it could
 * not be asked (ENOENT, ECONNREFUSED: no server; EPROTO: a reply that is not one JSON
 * object line; ENAMETOOLONG: path; ...).
 */
int sl_ctl_call(const char *path, int argc, char **argv, bool json, json_t **reply);

/*
 * A whole command-line client:  PROG [-s PATH] [--json] COMMAND WORDS...
 * prints the reply's text (with --json its data, pretty) on stdout; an error goes to
 * stderr.  Without a command it reads commands from stdin, one per line (split like a
 * start-up file), on one connection, printing each reply and going on after errors.
 * prog names the program in messages; the server it talks to is prog without a final
 * "ctl" (sluice-routerctl: sluice-router).  Returns the exit status: 0, 1 when a command
 * failed or the server could not be reached, 2 for a usage error.
 */
int sl_ctl_client_main(int argc, char **argv, const char *prog, const char *default_path);

/* Internal. */

/*
 * Parses one request line (len bytes, no '\n', need not be NUL-terminated).  On success
 * *argv is one allocation holding the pointers and the words (free() it), *argc >= 1 and
 * *json is the "json" member (false when absent).  Returns 0, or -EINVAL (not JSON, not an
 * object, bad argv or json), -E2BIG (more than SL_CTL_MAX_WORDS words), -ENAMETOOLONG (a
 * word longer than SL_CTL_MAX_WORD) or -ENOMEM, with one line in err.
 */
int sl_ctl__parse_request(const char *buf, size_t len, int *argc, char ***argv, bool *json,
			  char *err, size_t errlen);

/*
 * Splits one start-up-file line (NUL-terminated, a final '\n' allowed) into words.  On
 * success *argv is one allocation (free() it; NULL when *argc is 0: a blank or comment
 * line).  Returns 0, or -EINVAL (unterminated quote), -E2BIG, -ENAMETOOLONG or -ENOMEM,
 * with one line in err.
 */
int sl_ctl__split_line(const char *line, int *argc, char ***argv, char *err, size_t errlen);

#endif
