/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command registry, request parsing, in-process exec, reply encoding and the built-in
 * commands (/, /info, /help, /sluice/drops).  The socket side is in server.c.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "telemetry_priv.h"

SL_LOG_TYPE_DEFINE(telemetry)

static pthread_rwlock_t reg_lock = PTHREAD_RWLOCK_INITIALIZER;
static const struct sl_telemetry_cmd *reg[SL_TELEMETRY_MAX_COMMANDS];
static unsigned nb_reg;

#define MAX_DROP_SOURCES 64
static pthread_mutex_t drops_lock = PTHREAD_MUTEX_INITIALIZER;
static struct drop_source {
	char name[64];
	sl_telemetry_drops_fn fn;
	void *arg;
} drops[MAX_DROP_SOURCES];
static unsigned nb_drops;

struct tel_counters tel_counters;

static bool name_ok(const char *name)
{
	size_t len;

	if (name == NULL || name[0] != '/')
		return false;
	len = strlen(name);
	if (len >= SL_TELEMETRY_MAX_CMD)
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '/')
			return false;
	return true;
}

static const struct sl_telemetry_cmd *find_locked(const char *name)
{
	for (unsigned i = 0; i < nb_reg; i++)
		if (strcmp(reg[i]->name, name) == 0)
			return reg[i];
	return NULL;
}

int sl_telemetry_register(const struct sl_telemetry_cmd *cmds, unsigned n)
{
	int rc = 0;

	if (cmds == NULL && n > 0) {
		SL_LOG(telemetry, ERR, "telemetry register: NULL table of %u commands", n);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++)
		if (!name_ok(cmds[i].name) || cmds[i].fn == NULL) {
			SL_LOG(telemetry, ERR,
			       "telemetry command '%s': %s; names are '/' then letters, digits, '_' and '/', under %d characters",
			       cmds[i].name ? cmds[i].name : "(null)",
			       cmds[i].fn ? "bad name" : "no handler", SL_TELEMETRY_MAX_CMD);
			return -EINVAL;
		}
	pthread_rwlock_wrlock(&reg_lock);
	for (unsigned i = 0; i < n && rc == 0; i++) {
		bool twice = false;

		for (unsigned j = 0; j < i; j++)
			twice |= strcmp(cmds[i].name, cmds[j].name) == 0;
		if (twice || find_locked(cmds[i].name)) {
			SL_LOG(telemetry, ERR,
			       "telemetry command %s is registered twice; give one of them another name",
			       cmds[i].name);
			rc = -EEXIST;
		}
	}
	if (rc == 0 && nb_reg + n > SL_TELEMETRY_MAX_COMMANDS) {
		SL_LOG(telemetry, ERR, "telemetry: %u commands would pass the limit of %d",
		       nb_reg + n, SL_TELEMETRY_MAX_COMMANDS);
		rc = -ENOSPC;
	}
	for (unsigned i = 0; i < n && rc == 0; i++)
		reg[nb_reg++] = &cmds[i];
	pthread_rwlock_unlock(&reg_lock);
	return rc;
}

void sl_telemetry_unregister(const struct sl_telemetry_cmd *cmds, unsigned n)
{
	pthread_rwlock_wrlock(&reg_lock);
	for (unsigned i = 0; i < nb_reg;) {
		if (reg[i] >= cmds && reg[i] < cmds + n)
			reg[i] = reg[--nb_reg];
		else
			i++;
	}
	pthread_rwlock_unlock(&reg_lock);
}

void sl_telemetry_set(struct sl_telemetry_req *req, json_t *value)
{
	json_decref(req->value);
	req->value = value;
}

int sl_telemetry_error(struct sl_telemetry_req *req, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->error, sizeof(req->error), fmt, ap);
	va_end(ap);
	for (char *c = req->error; *c; c++) /* parameters echoed back: keep it one line */
		if (!isprint((unsigned char)*c))
			*c = '?';
	req->failed = true;
	return err < 0 ? err : -EINVAL;
}

int sl_telemetry_pass_fd(struct sl_telemetry_req *req, int fd)
{
	if (req->client == NULL)
		return -ENOTSUP;
	if (req->fd_out >= 0)
		close(req->fd_out);
	req->fd_out = fd;
	return 0;
}

int sl_telemetry_on_close(struct sl_telemetry_req *req, void (*fn)(void *arg), void *arg)
{
	if (req->client == NULL)
		return -ENOTSUP;
	return tel_client_on_close(req->client, fn, arg);
}

void **sl_telemetry_conn_data(struct sl_telemetry_req *req)
{
	return req->client ? tel_client_data(req->client) : NULL;
}

long sl_telemetry_param_uint(struct sl_telemetry_req *req, const char *params, unsigned long limit)
{
	unsigned long v;
	char *end;

	if (params == NULL || params[0] == '\0')
		return sl_telemetry_error(req, -EINVAL, "%s needs a parameter: %s,ID", req->cmd,
					  req->cmd);
	errno = 0;
	v = strtoul(params, &end, 10);
	if (!isdigit((unsigned char)params[0]) || errno || *end != '\0')
		return sl_telemetry_error(req, -EINVAL, "%s: '%.64s' is not a number; give %s,ID",
					  req->cmd, params, req->cmd);
	if (v >= limit)
		return sl_telemetry_error(req, -ENOENT, "%s: %lu is out of range (below %lu)",
					  req->cmd, v, limit);
	return (long)v;
}

int sl_telemetry__parse(const char *buf, size_t len, char cmd[SL_TELEMETRY_MAX_CMD],
			const char **params, char *err, size_t errlen)
{
	const char *comma;
	size_t clen;

	*params = NULL;
	cmd[0] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen,
			 "the request holds a NUL byte; send CMD or CMD,PARAMS as text");
		return -EINVAL;
	}
	comma = memchr(buf, ',', len);
	clen = comma ? (size_t)(comma - buf) : len;
	if (clen == 0 || buf[0] != '/') {
		snprintf(err, errlen,
			 "a request starts with '/' (e.g. /ethdev/list); / lists them");
		return -EINVAL;
	}
	if (clen >= SL_TELEMETRY_MAX_CMD) {
		snprintf(err, errlen, "command of %zu characters is over the limit of %d", clen,
			 SL_TELEMETRY_MAX_CMD - 1);
		return -ENAMETOOLONG;
	}
	memcpy(cmd, buf, clen);
	cmd[clen] = '\0';
	if (!name_ok(cmd)) {
		for (size_t i = 0; i < clen; i++) /* said back printable, on one line */
			if (!isprint((unsigned char)cmd[i]))
				cmd[i] = '?';
		snprintf(err, errlen,
			 "command '%s' has characters other than letters, digits, '_' and '/'",
			 cmd);
		cmd[0] = '\0';
		return -EINVAL;
	}
	if (comma)
		*params = comma + 1;
	return 0;
}

/* Runs a parsed request into req (value or error). */
static int run(struct sl_telemetry_req *req, const char *params)
{
	const struct sl_telemetry_cmd *c;
	int rc;

	pthread_rwlock_rdlock(&reg_lock);
	c = find_locked(req->cmd);
	if (c == NULL) {
		pthread_rwlock_unlock(&reg_lock);
		return sl_telemetry_error(req, -ENOENT, "unknown command %s; / lists the commands",
					  req->cmd);
	}
	rc = c->fn(req, c->name, params, c->ctx);
	pthread_rwlock_unlock(&reg_lock);
	if (rc < 0 && !req->failed)
		sl_telemetry_error(req, rc, "%s failed: %s", req->cmd, strerror(-rc));
	if (rc >= 0 && req->failed)
		rc = -EINVAL;
	if (rc < 0) {
		json_decref(req->value);
		req->value = NULL;
	}
	return rc;
}

int tel_handle(struct sl_telemetry_req *req, const char *buf, size_t len)
{
	const char *params;
	int rc;

	__atomic_fetch_add(&tel_counters.requests, 1, __ATOMIC_RELAXED);
	rc = sl_telemetry__parse(buf, len, req->cmd, &params, req->error, sizeof(req->error));
	if (rc < 0)
		req->failed = true;
	else
		rc = run(req, params);
	if (rc < 0)
		__atomic_fetch_add(&tel_counters.errors, 1, __ATOMIC_RELAXED);
	return rc;
}

int sl_telemetry_exec(const char *request, json_t **value, char *err, size_t errlen)
{
	struct sl_telemetry_req req = {.fd_out = -1};
	size_t len = request ? strlen(request) : 0;
	int rc;

	*value = NULL;
	if (len >= SL_TELEMETRY_MAX_REQUEST) {
		if (err)
			snprintf(err, errlen, "request of %zu bytes is over the limit of %d", len,
				 SL_TELEMETRY_MAX_REQUEST - 1);
		return -EINVAL;
	}
	rc = tel_handle(&req, request ? request : "", len);
	if (rc < 0) {
		if (err)
			snprintf(err, errlen, "%s", req.error);
		return rc;
	}
	*value = req.value;
	return 0;
}

/* Keeps the first k entries of an array or object. */
static json_t *first_entries(json_t *v, size_t k)
{
	json_t *out;
	size_t i = 0;

	if (json_is_array(v)) {
		out = json_array();
		for (i = 0; i < k; i++)
			json_array_append(out, json_array_get(v, i));
		return out;
	}
	out = json_object();
	for (void *it = json_object_iter(v); it && i < k; it = json_object_iter_next(v, it), i++)
		json_object_set(out, json_object_iter_key(it), json_object_iter_value(it));
	return out;
}

static char *encode(const char *cmd, json_t *value, const char *error, size_t dropped)
{
	json_t *top = json_object();
	char *s;

	json_object_set(top, cmd, value ? value : json_null());
	if (error)
		json_object_set_new(top, "error", json_string(error));
	if (dropped)
		json_object_set_new(top, "truncated", json_integer((json_int_t)dropped));
	s = json_dumps(top, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(top);
	return s;
}

char *sl_telemetry__reply(const char *cmd, json_t *value, const char *error, size_t max,
			  size_t *len, bool *truncated)
{
	size_t n, lo = 0, hi;
	char *s = encode(cmd, value, error, 0);

	*truncated = false;
	if (s == NULL || strlen(s) <= max || value == NULL ||
	    !(json_is_array(value) || json_is_object(value))) {
		if (s && strlen(s) > max)
			s[max] = '\0'; /* a lone string that large: cut it (still one datagram) */
		*len = s ? strlen(s) : 0;
		return s;
	}
	free(s);
	n = json_is_array(value) ? json_array_size(value) : json_object_size(value);
	hi = n; /* the largest k that fits lies in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		json_t *part = first_entries(value, mid);
		char *t = encode(cmd, part, error, n - mid);

		json_decref(part);
		if (t && strlen(t) <= max)
			lo = mid;
		else
			hi = mid;
		free(t);
	}
	json_t *part = first_entries(value, lo);
	s = encode(cmd, part, error, n - lo);
	json_decref(part);
	*truncated = true;
	__atomic_fetch_add(&tel_counters.truncated, 1, __ATOMIC_RELAXED);
	*len = s ? strlen(s) : 0;
	return s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The registered names, sorted; the registry lock must be held. */
static json_t *commands_locked(void)
{
	const char *names[SL_TELEMETRY_MAX_COMMANDS];
	json_t *arr = json_array();

	for (unsigned i = 0; i < nb_reg; i++)
		names[i] = reg[i]->name;
	qsort(names, nb_reg, sizeof(names[0]), cmp_str);
	for (unsigned i = 0; i < nb_reg; i++)
		json_array_append_new(arr, json_string(names[i]));
	return arr;
}

json_t *sl_telemetry_commands(void)
{
	json_t *arr;

	pthread_rwlock_rdlock(&reg_lock);
	arr = commands_locked();
	pthread_rwlock_unlock(&reg_lock);
	return arr;
}

static int cmd_list(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	(void)cmd, (void)params, (void)ctx;
	/* handlers run with the registry's read lock held */
	sl_telemetry_set(req, commands_locked());
	return 0;
}

static int cmd_info(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	(void)cmd, (void)params, (void)ctx;
	sl_telemetry_set(req, tel_greeting());
	return 0;
}

static int cmd_help(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	const struct sl_telemetry_cmd *c;
	const char *want = params && params[0] ? params : cmd;

	(void)ctx;
	c = find_locked(want);
	if (c == NULL)
		return sl_telemetry_error(req, -ENOENT, "/help: no command %.64s; / lists them",
					  want);
	sl_telemetry_set(req, json_pack("{ss}", c->name, c->help ? c->help : ""));
	return 0;
}

int sl_telemetry_drops_register(const char *source, sl_telemetry_drops_fn fn, void *arg)
{
	int rc = 0;

	if (source == NULL || source[0] == '\0' || strlen(source) >= sizeof(drops[0].name) ||
	    fn == NULL) {
		SL_LOG(telemetry, ERR,
		       "drop source '%s': needs a name of 1-63 characters and a function",
		       source ? source : "(null)");
		return -EINVAL;
	}
	pthread_mutex_lock(&drops_lock);
	for (unsigned i = 0; i < nb_drops; i++)
		if (strcmp(drops[i].name, source) == 0)
			rc = -EEXIST;
	if (rc == 0 && nb_drops == MAX_DROP_SOURCES)
		rc = -ENOSPC;
	if (rc == 0) {
		snprintf(drops[nb_drops].name, sizeof(drops[0].name), "%s", source);
		drops[nb_drops].fn = fn;
		drops[nb_drops].arg = arg;
		nb_drops++;
	}
	pthread_mutex_unlock(&drops_lock);
	if (rc == -EEXIST)
		SL_LOG(telemetry, ERR, "drop source %s is registered already; unregister it first",
		       source);
	else if (rc == -ENOSPC)
		SL_LOG(telemetry, ERR, "drop source %s: all %d sources are in use", source,
		       MAX_DROP_SOURCES);
	return rc;
}

void sl_telemetry_drops_unregister(const char *source)
{
	pthread_mutex_lock(&drops_lock);
	for (unsigned i = 0; i < nb_drops; i++)
		if (strcmp(drops[i].name, source) == 0) {
			drops[i] = drops[--nb_drops];
			break;
		}
	pthread_mutex_unlock(&drops_lock);
}

static int cmd_drops(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	json_t *all = json_object();

	(void)cmd, (void)params, (void)ctx;
	pthread_mutex_lock(&drops_lock);
	for (unsigned i = 0; i < nb_drops; i++) {
		json_t *o = json_object();

		drops[i].fn(o, drops[i].arg);
		json_object_set_new(all, drops[i].name, o);
	}
	pthread_mutex_unlock(&drops_lock);
	sl_telemetry_set(req, all);
	return 0;
}

static int cmd_stats(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	struct sl_telemetry_stats st;

	(void)cmd, (void)params, (void)ctx;
	sl_telemetry_stats(&st);
	sl_telemetry_set(req, json_pack("{sIsIsIsIsIsi}", "requests", (json_int_t)st.requests,
					"errors", (json_int_t)st.errors, "clients_accepted",
					(json_int_t)st.clients_accepted, "clients_refused",
					(json_int_t)st.clients_refused, "truncated",
					(json_int_t)st.truncated, "clients", tel_clients_now()));
	return 0;
}

void sl_telemetry_stats(struct sl_telemetry_stats *st)
{
	st->requests = __atomic_load_n(&tel_counters.requests, __ATOMIC_RELAXED);
	st->errors = __atomic_load_n(&tel_counters.errors, __ATOMIC_RELAXED);
	st->clients_accepted = __atomic_load_n(&tel_counters.accepted, __ATOMIC_RELAXED);
	st->clients_refused = __atomic_load_n(&tel_counters.refused, __ATOMIC_RELAXED);
	st->truncated = __atomic_load_n(&tel_counters.truncated, __ATOMIC_RELAXED);
}

static const struct sl_telemetry_cmd builtin[] = {
	{"/", cmd_list, "Returns the list of commands. Takes no parameters"},
	{"/info", cmd_info, "Returns the version, pid and max output length. Takes no parameters"},
	{"/help", cmd_help, "Returns the help text of a command. Parameter: the command"},
	{"/sluice/drops", cmd_drops,
	 "Returns the packets dropped, by source and reason. Takes no parameters"},
	{"/sluice/telemetry/stats", cmd_stats,
	 "Returns the telemetry server's own counters. Takes no parameters"},
};

static void builtin_register(void)
{
	sl_telemetry_register(builtin, sizeof(builtin) / sizeof(builtin[0]));
}
SL_TELEMETRY_INIT(builtin_register)
