/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /metrics page: Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * Every value comes from a telemetry command run in-process, so the page says what the
 * telemetry socket says.  A scrape takes a snapshot first: each command runs once and its
 * value is kept as items (one per port, queue, lcore, pool, graph node...), each with its
 * labels and the JSON objects its families read.  Then the groups' families are written
 * in table order, all the samples of one family together after its # HELP and # TYPE (the
 * format wants a family in one block).  A family's value is a member of one of the item's
 * objects, or, for maps (driver xstats, drops by reason), every member, labelled by its
 * key.  A command that is not registered (no graph in this application) leaves its
 * families out; one that fails is counted and logged once.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_priv.h"
#include "sl_telemetry.h"

#define MAX_LABELS 4
#define MAX_OBJS 4
#define MAX_PORTS 1024 /* ports read from /ethdev/list */

enum { COUNTER, GAUGE };
static const char *const type_name[] = {[COUNTER] = "counter", [GAUGE] = "gauge"};

/* Item kinds, so one family can take only rx or only tx queues. */
enum { K_RX = 1, K_TX = 2 };

/* How a family's value is made from the member it reads. */
enum {
	V_PLAIN,  /* the number (true/false: 1/0) */
	V_UP,	  /* 1 when the string is "UP", else 0 */
	V_MBPS,	  /* Mbit/s to bytes per second */
	V_IDLE,	  /* total_cycles - busy_cycles */
	V_INFO,	  /* 1, with the info labels */
	V_STRING, /* 1, with the member as the map label (a state as a label) */
};

/* The objects of a port item. */
enum { O_STATS, O_INFO, O_LINK, O_XSTATS };

struct info_label {
	const char *label, *key; /* a label and the member of the object that gives its value */
};

struct family {
	const char *name, *help;
	unsigned char type;  /* COUNTER or GAUGE */
	unsigned char obj;   /* which of the item's objects */
	unsigned char kinds; /* the item kinds it takes, 0 for all */
	unsigned char conv;  /* V_* */
	const char *key;     /* the member; NULL: every member, labelled map_label */
	const char *map_label;
	const struct info_label *info; /* V_INFO: labels from the object, NULL-ended */
};

struct label {
	const char *name, *value;
};

struct item {
	struct label labels[MAX_LABELS];
	unsigned nlabels, kind;
	json_t *obj[MAX_OBJS]; /* borrowed from the snapshot */
	char num[MAX_LABELS][24];
};

struct items {
	struct item *v;
	unsigned n, cap;
};

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* ---- the mapping ---- */

static const struct info_label process_info_labels[] = {
	{"version", "version"},
	{NULL, NULL},
};

static const struct family process_fams[] = {
	{"sluice_info", "Sluice version of the process (always 1)", GAUGE, 0, 0, V_INFO, NULL, NULL,
	 process_info_labels},
};

static const struct info_label port_info_labels[] = {
	{"driver", "driver_name"},
	{"mac", "mac_addr"},
	{NULL, NULL},
};

static const struct family port_fams[] = {
	{"sluice_port_info", "Port driver and MAC address (always 1)", GAUGE, O_INFO, 0, V_INFO,
	 NULL, NULL, port_info_labels},
	{"sluice_port_rx_packets_total", "Packets received (ethdev ipackets)", COUNTER, O_STATS, 0,
	 V_PLAIN, "ipackets", NULL, NULL},
	{"sluice_port_tx_packets_total", "Packets sent (ethdev opackets)", COUNTER, O_STATS, 0,
	 V_PLAIN, "opackets", NULL, NULL},
	{"sluice_port_rx_bytes_total", "Bytes received, frames without CRC (ethdev ibytes)",
	 COUNTER, O_STATS, 0, V_PLAIN, "ibytes", NULL, NULL},
	{"sluice_port_tx_bytes_total", "Bytes sent, frames without CRC (ethdev obytes)", COUNTER,
	 O_STATS, 0, V_PLAIN, "obytes", NULL, NULL},
	{"sluice_port_rx_missed_total", "Packets dropped by the port: rx queue full (imissed)",
	 COUNTER, O_STATS, 0, V_PLAIN, "imissed", NULL, NULL},
	{"sluice_port_rx_errors_total", "Erroneous packets received (ierrors)", COUNTER, O_STATS, 0,
	 V_PLAIN, "ierrors", NULL, NULL},
	{"sluice_port_tx_errors_total", "Packets that failed to be sent (oerrors)", COUNTER,
	 O_STATS, 0, V_PLAIN, "oerrors", NULL, NULL},
	{"sluice_port_rx_nombuf_total", "Receives that found no packet buffer (rx_nombuf)", COUNTER,
	 O_STATS, 0, V_PLAIN, "rx_nombuf", NULL, NULL},
	{"sluice_port_xstats_total", "Driver extended statistics, by xstat name", COUNTER, O_XSTATS,
	 0, V_PLAIN, NULL, "name", NULL},
	{"sluice_port_link_up", "1 when the link is up", GAUGE, O_LINK, 0, V_UP, "status", NULL,
	 NULL},
	{"sluice_port_link_speed_bytes", "Link speed in bytes per second", GAUGE, O_LINK, 0, V_MBPS,
	 "speed", NULL, NULL},
	{"sluice_port_mtu_bytes", "MTU", GAUGE, O_INFO, 0, V_PLAIN, "mtu", NULL, NULL},
	{"sluice_port_started", "1 when the port is started", GAUGE, O_INFO, 0, V_PLAIN,
	 "dev_started", NULL, NULL},
	{"sluice_port_rx_queues", "Rx queues configured", GAUGE, O_INFO, 0, V_PLAIN, "nb_rx_queues",
	 NULL, NULL},
	{"sluice_port_tx_queues", "Tx queues configured", GAUGE, O_INFO, 0, V_PLAIN, "nb_tx_queues",
	 NULL, NULL},
};

static const struct family queue_fams[] = {
	{"sluice_port_queue_packets_total", "Packets through a queue", COUNTER, 0, 0, V_PLAIN,
	 "packets", NULL, NULL},
	{"sluice_port_queue_bytes_total", "Bytes through a queue", COUNTER, 0, 0, V_PLAIN, "bytes",
	 NULL, NULL},
	{"sluice_port_queue_errors_total", "Packets a queue counted as errors", COUNTER, 0, 0,
	 V_PLAIN, "errors", NULL, NULL},
	{"sluice_port_queue_rx_nombuf_total", "Receives on an rx queue that found no buffer",
	 COUNTER, 0, K_RX, V_PLAIN, "nombuf", NULL, NULL},
	{"sluice_port_queue_rx_lcore", "Lcore polling an rx queue (-1: none)", GAUGE, 0, K_RX,
	 V_PLAIN, "lcore", NULL, NULL},
	{"sluice_port_queue_tx_stopped", "1 when a tx queue is stopped", GAUGE, 0, K_TX, V_PLAIN,
	 "stopped", NULL, NULL},
};

static const struct family drop_fams[] = {
	{"sluice_drops_total", "Packets dropped, by source and reason", COUNTER, 0, 0, V_PLAIN,
	 NULL, "reason", NULL},
};

static const struct family lcore_fams[] = {
	{"sluice_lcore_busy_cycles_total", "TSC cycles of poll rounds that moved packets", COUNTER,
	 0, 0, V_PLAIN, "busy_cycles", NULL, NULL},
	{"sluice_lcore_idle_cycles_total", "TSC cycles of poll rounds that moved nothing", COUNTER,
	 0, 0, V_IDLE, NULL, NULL, NULL},
	{"sluice_lcore_cycles_total", "TSC cycles of all poll rounds (busy + idle)", COUNTER, 0, 0,
	 V_PLAIN, "total_cycles", NULL, NULL},
	{"sluice_lcore_rounds_total", "Poll rounds", COUNTER, 0, 0, V_PLAIN, "rounds", NULL, NULL},
};

static const struct family pool_fams[] = {
	{"sluice_pool_size", "Objects in the pool", GAUGE, 0, 0, V_PLAIN, "size", NULL, NULL},
	{"sluice_pool_in_use", "Objects taken out of the pool (not in it nor in a cache)", GAUGE, 0,
	 0, V_PLAIN, "in_use", NULL, NULL},
	{"sluice_pool_cached", "Objects in the per-lcore caches", GAUGE, 0, 0, V_PLAIN,
	 "total_cache_count", NULL, NULL},
	{"sluice_pool_element_bytes", "Size of one object", GAUGE, 0, 0, V_PLAIN, "elt_size", NULL,
	 NULL},
};

static const struct family node_fams[] = {
	{"sluice_graph_node_calls_total", "Times a graph node ran", COUNTER, 0, 0, V_PLAIN, "calls",
	 NULL, NULL},
	{"sluice_graph_node_vectors_total", "Vectors a graph node processed", COUNTER, 0, 0,
	 V_PLAIN, "vectors", NULL, NULL},
	{"sluice_graph_node_packets_total", "Packets a graph node processed", COUNTER, 0, 0,
	 V_PLAIN, "packets", NULL, NULL},
	{"sluice_graph_node_cycles_total", "TSC cycles spent in a graph node", COUNTER, 0, 0,
	 V_PLAIN, "cycles", NULL, NULL},
};

static const struct family exporter_fams[] = {
	{"sluice_metrics_scrapes_total", "Pages served by /metrics", COUNTER, 0, 0, V_PLAIN,
	 "scrapes", NULL, NULL},
	{"sluice_metrics_command_errors_total", "Telemetry commands that failed during scrapes",
	 COUNTER, 0, 0, V_PLAIN, "command_errors", NULL, NULL},
};

enum { G_PROCESS, G_PORT, G_QUEUE, G_DROPS, G_LCORE, G_POOL, G_NODE, G_EXPORTER, G_COUNT };

static const struct {
	const struct family *fams;
	unsigned n;
} groups[G_COUNT] = {
#define GROUP(g, f) [g] = {f, sizeof(f) / sizeof(f[0])}
	GROUP(G_PROCESS, process_fams), GROUP(G_PORT, port_fams),
	GROUP(G_QUEUE, queue_fams),	GROUP(G_DROPS, drop_fams),
	GROUP(G_LCORE, lcore_fams),	GROUP(G_POOL, pool_fams),
	GROUP(G_NODE, node_fams),	GROUP(G_EXPORTER, exporter_fams),
#undef GROUP
};

/* ---- output ---- */

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A label value: backslash, double quote and line feed escaped, as the format says. */
static void put_label_value(struct buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = *s == '\\'   ? "\\\\"
				  : *s == '"'  ? "\\\""
				  : *s == '\n' ? "\\n"
					       : NULL;

		if (esc == NULL)
			continue;
		put(b, run, (size_t)(s - run));
		put(b, esc, 2);
		run = s + 1;
	}
	put(b, run, (size_t)(s - run));
}

/* Formats v as a sample value; false when v is not a number (or a boolean). */
static bool format_value(char *out, size_t n, const json_t *v, int conv)
{
	double d;

	if (conv == V_UP) {
		snprintf(out, n, "%d",
			 json_is_string(v) && strcmp(json_string_value(v), "UP") == 0);
		return json_is_string(v);
	}
	if (json_is_boolean(v)) {
		snprintf(out, n, "%d", json_is_true(v));
		return true;
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (conv == V_MBPS)
			snprintf(out, n, "%lld", (long long)i * 125000);
		else
			snprintf(out, n, "%lld", (long long)i);
		return true;
	}
	if (!json_is_real(v))
		return false;
	d = json_real_value(v) * (conv == V_MBPS ? 125000.0 : 1.0);
	if (isnan(d))
		snprintf(out, n, "NaN");
	else if (isinf(d))
		snprintf(out, n, d > 0 ? "+Inf" : "-Inf");
	else
		snprintf(out, n, "%.17g", d);
	return true;
}

/* One sample line: name{labels,extra...} value. */
static void put_sample(struct buf *b, const struct family *f, const struct item *it,
		       const struct label *extra, unsigned nextra, const char *value)
{
	unsigned n = 0;

	puts_(b, f->name);
	for (unsigned i = 0; i < it->nlabels + nextra; i++) {
		const struct label *l = i < it->nlabels ? &it->labels[i] : &extra[i - it->nlabels];

		puts_(b, n++ ? "," : "{");
		puts_(b, l->name);
		puts_(b, "=\"");
		put_label_value(b, l->value);
		puts_(b, "\"");
	}
	if (n)
		puts_(b, "}");
	puts_(b, " ");
	puts_(b, value);
	puts_(b, "\n");
}

/* The family's # HELP and # TYPE lines, before its first sample (a family with no samples
 * is left out). */
static void header(struct buf *b, const struct family *f, bool *done)
{
	if (*done)
		return;
	puts_(b, "# HELP ");
	puts_(b, f->name);
	puts_(b, " ");
	puts_(b, f->help);
	puts_(b, "\n# TYPE ");
	puts_(b, f->name);
	puts_(b, " ");
	puts_(b, type_name[f->type]);
	puts_(b, "\n");
	*done = true;
}

/* The samples of family f from one item; returns how many. */
static unsigned item_samples(struct buf *b, const struct family *f, const struct item *it,
			     bool *hdr)
{
	struct label extra[MAX_LABELS];
	json_t *obj = it->obj[f->obj];
	unsigned count = 0, nextra = 0;
	const char *k;
	json_t *v;
	char val[64];

	if (!json_is_object(obj) || (f->kinds && !(f->kinds & it->kind)))
		return 0;
	if (f->conv == V_INFO) {
		for (const struct info_label *il = f->info; il->label && nextra < MAX_LABELS;
		     il++) {
			v = json_object_get(obj, il->key);
			extra[nextra].name = il->label;
			extra[nextra++].value = json_is_string(v) ? json_string_value(v) : "";
		}
		header(b, f, hdr);
		put_sample(b, f, it, extra, nextra, "1");
		return 1;
	}
	if (f->conv == V_IDLE) {
		json_int_t t = json_integer_value(json_object_get(obj, "total_cycles"));
		json_int_t u = json_integer_value(json_object_get(obj, "busy_cycles"));

		if (!json_is_integer(json_object_get(obj, "total_cycles")))
			return 0;
		snprintf(val, sizeof(val), "%lld", (long long)(t > u ? t - u : 0));
		header(b, f, hdr);
		put_sample(b, f, it, NULL, 0, val);
		return 1;
	}
	if (f->key) {
		if (!format_value(val, sizeof(val), json_object_get(obj, f->key), f->conv))
			return 0;
		header(b, f, hdr);
		put_sample(b, f, it, NULL, 0, val);
		return 1;
	}
	json_object_foreach(obj, k, v)
	{
		if (!format_value(val, sizeof(val), v, f->conv))
			continue;
		extra[0].name = f->map_label;
		extra[0].value = k;
		header(b, f, hdr);
		put_sample(b, f, it, extra, 1, val);
		count++;
	}
	return count;
}

/* ---- the snapshot ---- */

/* Runs one telemetry command; NULL when it is not registered here or failed (counted,
 * and logged the first time). */
static json_t *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *run(const char *fmt, ...)
{
	static bool logged;
	char req[SL_TELEMETRY_MAX_REQUEST], err[256] = "";
	json_t *v = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	rc = sl_telemetry_exec(req, &v, err, sizeof(err));
	if (rc == 0)
		return v;
	json_decref(v);
	if (rc == -ENOENT)
		return NULL; /* the library is not in this application (or the object just went) */
	metrics_count(&sl_metrics__ctr.command_errors);
	if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
		SL_LOG(metrics, WARNING,
		       "telemetry command '%s' failed (%s): its samples are left out of /metrics; "
		       "check it with dpdk-telemetry.py (sluice_metrics_command_errors_total "
		       "counts such failures)",
		       req, err[0] ? err : strerror(-rc));
	return NULL;
}

static struct item *add_item(struct items *g, unsigned kind)
{
	struct item *it;

	if (g->n == g->cap) {
		unsigned cap = g->cap ? g->cap * 2 : 16;
		struct item *v = realloc(g->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		g->v = v;
		g->cap = cap;
	}
	it = &g->v[g->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	return it;
}

static void label(struct item *it, const char *name, const char *value)
{
	if (it->nlabels < MAX_LABELS) {
		it->labels[it->nlabels].name = name;
		it->labels[it->nlabels++].value = value ? value : "";
	}
}

/* A label whose value is a number, kept in the item. */
static void label_num(struct item *it, const char *name, long long v)
{
	if (it->nlabels < MAX_LABELS) {
		snprintf(it->num[it->nlabels], sizeof(it->num[0]), "%lld", v);
		label(it, name, it->num[it->nlabels]);
	}
}

struct snap {
	json_t *keep; /* an array holding every value below, freed at the end */
	struct items g[G_COUNT];
};

/* Keeps v alive until the snapshot is freed; returns v. */
static json_t *keep(struct snap *s, json_t *v)
{
	if (v)
		json_array_append_new(s->keep, v);
	return v;
}

static int snap_ports(struct snap *s)
{
	json_t *list = keep(s, run("/ethdev/list")), *id;
	size_t i;

	json_array_foreach(list, i, id)
	{
		long long pid = json_integer_value(id);
		json_t *info, *queues, *q;
		const char *name;
		struct item *it;
		char fallback[32];
		size_t j;

		if (!json_is_integer(id) || i >= MAX_PORTS)
			continue;
		info = keep(s, run("/ethdev/info,%lld", pid));
		name = json_string_value(json_object_get(info, "name"));
		if (name == NULL) {
			snprintf(fallback, sizeof(fallback), "port%lld", pid);
			name = json_string_value(keep(s, json_string(fallback)));
		}
		it = add_item(&s->g[G_PORT], 0);
		if (it == NULL)
			return -ENOMEM;
		label(it, "port", name);
		label_num(it, "port_id", pid);
		it->obj[O_INFO] = info;
		it->obj[O_STATS] = keep(s, run("/ethdev/stats,%lld", pid));
		it->obj[O_LINK] = keep(s, run("/ethdev/link_status,%lld", pid));
		it->obj[O_XSTATS] = keep(s, run("/ethdev/xstats,%lld", pid));
		queues = keep(s, run("/sluice/port/queues,%lld", pid));
		for (int d = 0; d < 2; d++) {
			json_array_foreach(json_object_get(queues, d ? "tx" : "rx"), j, q)
			{
				struct item *qi = add_item(&s->g[G_QUEUE], d ? K_TX : K_RX);

				if (qi == NULL)
					return -ENOMEM;
				label(qi, "port", name);
				label_num(qi, "port_id", pid);
				label_num(qi, "queue",
					  json_integer_value(json_object_get(q, "queue")));
				label(qi, "direction", d ? "tx" : "rx");
				qi->obj[0] = q;
			}
		}
	}
	return 0;
}

static int snap_rest(struct snap *s)
{
	json_t *v, *e, *drops, *list;
	const char *k;
	struct item *it;
	size_t i;

	if ((it = add_item(&s->g[G_PROCESS], 0)) == NULL)
		return -ENOMEM;
	it->obj[0] = keep(s, run("/info"));

	drops = keep(s, run("/sluice/drops"));
	json_object_foreach(drops, k, v)
	{
		if ((it = add_item(&s->g[G_DROPS], 0)) == NULL)
			return -ENOMEM;
		label(it, "source", k);
		it->obj[0] = v;
	}

	json_array_foreach(keep(s, run("/sluice/lcores")), i, e)
	{
		if ((it = add_item(&s->g[G_LCORE], 0)) == NULL)
			return -ENOMEM;
		label_num(it, "lcore", json_integer_value(json_object_get(e, "lcore")));
		label(it, "role", json_string_value(json_object_get(e, "role")));
		it->obj[0] = e;
	}
	if (s->g[G_LCORE].n == 0) {
		/* No /sluice/lcores answer: DPDK's per-lcore command has the cycles too. */
		json_array_foreach(keep(s, run("/eal/lcore/list")), i, e)
		{
			long long id = json_integer_value(e);
			json_t *info = keep(s, run("/eal/lcore/info,%lld", id)), *role;

			if (info == NULL)
				continue;
			if ((it = add_item(&s->g[G_LCORE], 0)) == NULL)
				return -ENOMEM;
			role = json_object_get(info, "sluice_role");
			if (role == NULL)
				role = json_object_get(info, "role");
			label_num(it, "lcore", id);
			label(it, "role", json_string_value(role));
			it->obj[0] = info;
		}
	}

	json_array_foreach(keep(s, run("/mempool/list")), i, e)
	{
		if (!json_is_string(e))
			continue;
		if ((it = add_item(&s->g[G_POOL], 0)) == NULL)
			return -ENOMEM;
		label(it, "pool", json_string_value(e));
		it->obj[0] = keep(s, run("/mempool/info,%s", json_string_value(e)));
	}

	list = keep(s, run("/sluice/graph/list"));
	json_array_foreach(list, i, e)
	{
		const char *gname = json_string_value(e);
		json_t *nodes;

		if (gname == NULL)
			continue;
		nodes = keep(s, run("/sluice/graph/nodes,%s", gname));
		json_object_foreach(nodes, k, v)
		{
			if ((it = add_item(&s->g[G_NODE], 0)) == NULL)
				return -ENOMEM;
			label(it, "graph", gname);
			label(it, "node", k);
			it->obj[0] = v;
		}
	}

	if ((it = add_item(&s->g[G_EXPORTER], 0)) == NULL)
		return -ENOMEM;
	/* This scrape counts itself: the page is the scrapes-th one served. */
	it->obj[0] = keep(s, json_pack("{sI sI}", "scrapes",
				       (json_int_t)__atomic_load_n(&sl_metrics__ctr.scrapes,
								   __ATOMIC_RELAXED) +
					       1,
				       "command_errors",
				       (json_int_t)__atomic_load_n(&sl_metrics__ctr.command_errors,
								   __ATOMIC_RELAXED)));
	return 0;
}

char *sl_metrics__render(size_t *len)
{
	struct snap s = {.keep = json_array()};
	struct buf b = {0};
	int rc = -ENOMEM;

	if (s.keep == NULL)
		goto out;
	rc = snap_ports(&s);
	if (rc == 0)
		rc = snap_rest(&s);
	if (rc < 0)
		goto out;
	for (unsigned g = 0; g < G_COUNT; g++) {
		for (unsigned f = 0; f < groups[g].n; f++) {
			bool header = false;

			for (unsigned i = 0; i < s.g[g].n; i++)
				item_samples(&b, &groups[g].fams[f], &s.g[g].v[i], &header);
		}
	}
	if (b.p == NULL)
		put(&b, "", 0);
	if (b.oom)
		rc = -ENOMEM;
out:
	for (unsigned g = 0; g < G_COUNT; g++)
		free(s.g[g].v);
	json_decref(s.keep);
	if (rc < 0) {
		free(b.p);
		SL_LOG(metrics, ERR,
		       "cannot render /metrics: out of memory; free memory and retry");
		errno = ENOMEM;
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.p;
}
