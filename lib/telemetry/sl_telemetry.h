/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: every Sluice process answers DPDK's telemetry v2 protocol, so Debian's
 * `dpdk-telemetry.py -f PREFIX` and the clients that hard-code DPDK's keys read it
 * unmodified (docs/telemetry.md).
 *
 * Wire: a unix SOCK_SEQPACKET socket at <runtime>/dpdk/<file-prefix>/dpdk_telemetry.v2
 * (<runtime> is $RUNTIME_DIRECTORY, /var/run for root, else $XDG_RUNTIME_DIR or /tmp; a
 * path held by a live process gets ":1", ":2"... appended).  On connect the server sends
 * {"version": ..., "pid": ..., "max_output_len": 16384}; then each request is one datagram
 * "CMD" or "CMD,PARAMS" and gets one reply datagram {"CMD": VALUE}.  An unknown command or a
 * failed one answers {"CMD": null, "error": "what was wrong and the fix"} (the extra key is
 * ignored by DPDK's clients, which read reply[CMD]).  At most SL_TELEMETRY_MAX_CLIENTS
 * clients at once, one thread each; the one beyond is told why and closed.
 *
 * Commands come from const tables that libraries register (usually from a constructor, so
 * a library that is linked in has its commands); a handler builds a jansson value and runs
 * in its client's thread: it must read what the data path counts without stopping it
 * (relaxed atomic loads of single-writer counters) and take the library's own control
 * lock for lists.  Replies larger than max_output_len lose trailing entries of their top
 * container until they fit (the reply says so under "truncated").
 *
 * A command may also keep its connection as a session (the capture tool does): it passes
 * a file descriptor with its reply and asks to be told when the client goes away.
 *
 * Thread-safety: registration and exec are safe from any thread; start/stop from the
 * thread that called sl_init().  Names beginning with sl_telemetry__ are internal
 * (exported for the fuzzer and the unit tests).
 */
#ifndef SL_TELEMETRY_H
#define SL_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SL_TELEMETRY_MAX_CMD 56	      /* a command name is shorter than this */
#define SL_TELEMETRY_MAX_REQUEST 1024 /* bytes of one request datagram */
#define SL_TELEMETRY_MAX_OUTPUT 16384 /* bytes of one reply datagram */
#define SL_TELEMETRY_MAX_CLIENTS 10   /* connections served at once */
#define SL_TELEMETRY_MAX_COMMANDS 256 /* commands registered in one process */
#define SL_TELEMETRY_SOCKET "dpdk_telemetry.v2"

struct sl_telemetry_req; /* one request being served */

/*
 * A command handler.  cmd is the command as registered, params what followed the first
 * ',' (NULL when there was none), ctx the table entry's ctx.  Set the value with
 * sl_telemetry_set() and return 0, or return sl_telemetry_error(req, -EINVAL, "...").  A
 * handler that returns 0 without setting a value answers null.
 */
typedef int (*sl_telemetry_fn)(struct sl_telemetry_req *req, const char *cmd, const char *params,
			       void *ctx);

struct sl_telemetry_cmd {
	const char *name; /* "/ethdev/stats": '/' then [A-Za-z0-9_/], under SL_TELEMETRY_MAX_CMD */
	sl_telemetry_fn fn;
	const char *help; /* one line, what /help,CMD answers */
	void *ctx;
};

/*
 * Adds n commands from a table that must outlive the process's use of them (a static
 * const array).  All or nothing: returns 0, -EINVAL (bad name or NULL handler, logged),
 * -EEXIST (a name taken, logged) or -ENOSPC (SL_TELEMETRY_MAX_COMMANDS reached, logged).
 */
int sl_telemetry_register(const struct sl_telemetry_cmd *cmds, unsigned n);

/* Removes the commands of a table given to sl_telemetry_register() (applications whose
 * handlers use state they are about to free).  Requests already running finish first. */
void sl_telemetry_unregister(const struct sl_telemetry_cmd *cmds, unsigned n);

/* Runs a library's registration function when the library is loaded. */
#define SL_TELEMETRY_INIT(fn)                                                                      \
	__attribute__((constructor)) static void sl_telemetry_init_##fn(void)                      \
	{                                                                                          \
		fn();                                                                              \
	}

/* Inside a handler. */

/* Sets the reply's value (steals the reference; the last call wins). */
void sl_telemetry_set(struct sl_telemetry_req *req, json_t *value);

/* Makes the reply {"CMD": null, "error": MESSAGE}.  Returns err (a negative errno). */
int sl_telemetry_error(struct sl_telemetry_req *req, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Sessions.  sl_telemetry_pass_fd(): the reply datagram carries fd (SCM_RIGHTS); the
 * server owns fd from then on and closes its copy once sent (an error reply carries no
 * fd: the server closes it).  sl_telemetry_on_close(): fn(arg) runs in this
 * client's thread when the client disconnects (or the server stops), once.  Both return
 * -ENOTSUP for sl_telemetry_exec() requests, which have no connection.
 */
int sl_telemetry_pass_fd(struct sl_telemetry_req *req, int fd);
int sl_telemetry_on_close(struct sl_telemetry_req *req, void (*fn)(void *arg), void *arg);
/* A word of the request's connection, NULL until a handler stores something there (a
 * session keeps its state in it: the next request on the connection finds it); cleared
 * once the connection's close callbacks ran.  NULL for sl_telemetry_exec() requests. */
void **sl_telemetry_conn_data(struct sl_telemetry_req *req);

/* Parameter helpers for handlers: params as a port/index number below `limit`.  Return
 * the number, or a negative errno after setting the reply's error (missing, not a number,
 * too large). */
long sl_telemetry_param_uint(struct sl_telemetry_req *req, const char *params, unsigned long limit);

/*
 * In-process: runs a request ("CMD" or "CMD,PARAMS") as a client would and gives the
 * value (json_decref() it; NULL for null).  For exporters built on the commands.  Returns
 * 0, -ENOENT (unknown command), -EINVAL (malformed request) or the handler's error; on an
 * error *err (when not NULL) gets the message.
 */
int sl_telemetry_exec(const char *request, json_t **value, char *err, size_t errlen);

/* Lists the registered commands, sorted (json_decref() it). */
json_t *sl_telemetry_commands(void);

/*
 * Server.  sl_init() calls start with its file prefix unless --no-telemetry was given.
 * Start creates the directory and socket and the listening thread; a failure is logged
 * (one line naming the path and the fix) and returned, and the process runs on without
 * telemetry.  Stop closes every client (running their close callbacks) and removes the
 * socket file.
 */
int sl_telemetry_start(const char *file_prefix);
void sl_telemetry_stop(void);
/* Socket path being served, or NULL. */
const char *sl_telemetry_path(void);
/* Directory DPDK would use for this prefix (no trailing '/'); buf of PATH_MAX. */
int sl_telemetry_dir(const char *file_prefix, char *buf, size_t len);

struct sl_telemetry_stats {
	uint64_t requests;	   /* requests served (any outcome) */
	uint64_t errors;	   /* of those, answered with an error */
	uint64_t clients_accepted; /* connections served */
	uint64_t clients_refused;  /* beyond SL_TELEMETRY_MAX_CLIENTS */
	uint64_t truncated;	   /* replies cut to fit max_output_len */
};
void sl_telemetry_stats(struct sl_telemetry_stats *st);

/*
 * Drops by reason, gathered under /sluice/drops: a library or application registers a
 * source (a port, "graph", "fwd") whose fn adds {"reason": count} members to obj.  fn runs
 * in a telemetry client's thread, like a handler.  Returns 0, -EINVAL, -EEXIST or -ENOSPC
 * (logged).  unregister before freeing what fn reads.
 */
typedef void (*sl_telemetry_drops_fn)(json_t *obj, void *arg);
int sl_telemetry_drops_register(const char *source, sl_telemetry_drops_fn fn, void *arg);
void sl_telemetry_drops_unregister(const char *source);

/*
 * Client side (sluice top, sluice capture, tests).  connect: target is a file prefix
 * ("sluice") or a socket path (anything with a '/'); *greeting (when not NULL) gets the
 * server's first message.  Returns the connected fd, or -errno with one line in err (no
 * such process: the prefixes found are named).  request: sends one request and waits up to
 * timeout_ms for its reply; *value gets reply[CMD] (json_decref() it; NULL for null),
 * *passed_fd (when not NULL) an fd sent with the reply or -1.  Returns 0, -EREMOTEIO when
 * the server answered with an error (in err), or -errno.
 */
int sl_telemetry_connect(const char *target, json_t **greeting, char *err, size_t errlen);
int sl_telemetry_request(int fd, const char *request, int timeout_ms, json_t **value,
			 int *passed_fd, char *err, size_t errlen);

/* Internal: splits a request datagram into command and parameters.  cmd gets the command
 * (NUL-terminated); *params points into buf after the ',' or is NULL.  buf must be
 * NUL-terminated (len excludes the NUL).  Returns 0 or -EINVAL / -ENAMETOOLONG with one
 * line in err. */
int sl_telemetry__parse(const char *buf, size_t len, char cmd[SL_TELEMETRY_MAX_CMD],
			const char **params, char *err, size_t errlen);
/* Internal: the reply datagram for cmd and value (at most max bytes, trailing entries
 * dropped to fit); malloc'd, *len its length. */
char *sl_telemetry__reply(const char *cmd, json_t *value, const char *error, size_t max,
			  size_t *len, bool *truncated);

#endif
