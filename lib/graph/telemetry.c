/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The graphs' telemetry: the live graphs, per-node counters and each graph's totals, and
 * the drop nodes' counts as the "graph" drop source (reason = drop node name, summed over
 * the workers' graphs).  Graphs register at creation and leave before they are freed;
 * handlers read under the list's lock, so no graph goes away while it is read.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "graph_priv.h"
#include "sl_telemetry.h"

#define MAX_LIVE 64

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_graph *live[MAX_LIVE];
static unsigned nb_live;

static void graph_drops(json_t *obj, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&live_lock);
	for (unsigned k = 0; k < nb_live; k++)
		for (unsigned i = 0; i < sl_graph_node_count(live[k]); i++) {
			struct sl_graph_node *n = sl_graph_node_get(live[k], i);
			struct sl_graph_node_stats st;
			json_t *v;

			if (!(n->flags & SL_GRAPH_DROP))
				continue;
			sl_graph_node_stats(live[k], i, &st);
			v = json_object_get(obj, n->name);
			json_object_set_new(obj, n->name,
					    json_integer((v ? json_integer_value(v) : 0) +
							 (json_int_t)st.packets));
		}
	pthread_mutex_unlock(&live_lock);
}

void graph_telemetry_add(struct sl_graph *g)
{
	bool first;

	pthread_mutex_lock(&live_lock);
	first = nb_live == 0;
	if (nb_live < MAX_LIVE)
		live[nb_live++] = g;
	pthread_mutex_unlock(&live_lock);
	if (first)
		sl_telemetry_drops_register("graph", graph_drops, NULL);
}

void graph_telemetry_remove(struct sl_graph *g)
{
	bool last = false;

	pthread_mutex_lock(&live_lock);
	for (unsigned k = 0; k < nb_live; k++)
		if (live[k] == g) {
			live[k] = live[--nb_live];
			last = nb_live == 0;
			break;
		}
	pthread_mutex_unlock(&live_lock);
	if (last)
		sl_telemetry_drops_unregister("graph");
}

static int cmd_list(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *arr = json_array();

	(void)cmd, (void)p, (void)ctx;
	pthread_mutex_lock(&live_lock);
	for (unsigned k = 0; k < nb_live; k++)
		json_array_append_new(arr, json_string(sl_graph_name(live[k])));
	pthread_mutex_unlock(&live_lock);
	sl_telemetry_set(req, arr);
	return 0;
}

/* The graph named p, with the lock held; NULL (unlocked, error set) otherwise. */
static struct sl_graph *lock_graph(struct sl_telemetry_req *req, const char *cmd, const char *p,
				   int *rc)
{
	if (p == NULL || p[0] == '\0') {
		*rc = sl_telemetry_error(
			req, -EINVAL,
			"%s needs a graph name: %s,NAME (/sluice/graph/list lists them)", cmd, cmd);
		return NULL;
	}
	pthread_mutex_lock(&live_lock);
	for (unsigned k = 0; k < nb_live; k++)
		if (strcmp(sl_graph_name(live[k]), p) == 0)
			return live[k];
	pthread_mutex_unlock(&live_lock);
	*rc = sl_telemetry_error(req, -ENOENT,
				 "%s: no graph '%.64s'; /sluice/graph/list lists them", cmd, p);
	return NULL;
}

static int cmd_nodes(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	int rc = 0;
	struct sl_graph *g = lock_graph(req, cmd, p, &rc);
	json_t *obj;

	(void)ctx;
	if (g == NULL)
		return rc;
	obj = json_object();
	for (unsigned i = 0; i < sl_graph_node_count(g); i++) {
		struct sl_graph_node_stats st;

		sl_graph_node_stats(g, i, &st);
		json_object_set_new(obj, sl_graph_node_get(g, i)->name,
				    json_pack("{sIsIsIsI}", "calls", (json_int_t)st.calls,
					      "vectors", (json_int_t)st.vectors, "packets",
					      (json_int_t)st.packets, "cycles",
					      (json_int_t)st.cycles));
	}
	pthread_mutex_unlock(&live_lock);
	sl_telemetry_set(req, obj);
	return 0;
}

static int cmd_stats(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	int rc = 0;
	struct sl_graph *g = lock_graph(req, cmd, p, &rc);
	struct sl_graph_stats st;

	(void)ctx;
	if (g == NULL)
		return rc;
	sl_graph_stats(g, &st);
	pthread_mutex_unlock(&live_lock);
	sl_telemetry_set(req,
			 json_pack("{sIsIsIsIsI}", "walks", (json_int_t)st.walks, "rx",
				   (json_int_t)st.rx, "busy_cycles", (json_int_t)st.busy_cycles,
				   "idle_cycles", (json_int_t)st.idle_cycles, "overflow",
				   (json_int_t)st.overflow));
	return 0;
}

static const struct sl_telemetry_cmd cmds[] = {
	{"/sluice/graph/list", cmd_list, "Returns the names of the live graphs (one per worker)"},
	{"/sluice/graph/nodes", cmd_nodes,
	 "Returns each node's calls, vectors, packets and cycles. Parameter: graph name"},
	{"/sluice/graph/stats", cmd_stats,
	 "Returns a graph's walks, packets received, busy and idle cycles. Parameter: graph name"},
};

static void graph_telemetry(void)
{
	sl_telemetry_register(cmds, SL_ARRAY_SIZE(cmds));
}
SL_TELEMETRY_INIT(graph_telemetry)
