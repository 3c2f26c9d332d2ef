/* SPDX-License-Identifier: BSD-3-Clause */
/* Node registry, graph construction, the walk and statistics. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "graph_priv.h"
#include "sl_memory.h"

SL_LOG_TYPE_DEFINE(graph);

static struct sl_graph_node_type *registry_head, **registry_tail = &registry_head;

int sl_graph_node_register(struct sl_graph_node_type *type)
{
	if (!type || !type->name || !type->name[0] || !type->process) {
		SL_LOG(graph, ERR, "node type %s: a name and a process function are required",
		       type && type->name ? type->name : "(null)");
		return -EINVAL;
	}
	if (strlen(type->name) >= SL_GRAPH_NAME_SIZE - 8) {
		SL_LOG(graph, ERR, "node type name '%s' is too long (%zu characters; at most %d)",
		       type->name, strlen(type->name), SL_GRAPH_NAME_SIZE - 9);
		return -EINVAL;
	}
	if (type->nb_next > SL_GRAPH_MAX_EDGES) {
		SL_LOG(graph, ERR, "node type %s: %u edges (at most %d)", type->name, type->nb_next,
		       SL_GRAPH_MAX_EDGES);
		return -EINVAL;
	}
	for (unsigned i = 0; i < type->nb_next; i++) {
		if (!type->next[i]) {
			SL_LOG(graph, ERR, "node type %s: edge %u has no name", type->name, i);
			return -EINVAL;
		}
	}
	if (sl_graph_node_type_find(type->name)) {
		SL_LOG(graph, ERR, "node type %s is registered twice", type->name);
		return -EEXIST;
	}
	type->link = NULL;
	*registry_tail = type;
	registry_tail = &type->link;
	return 0;
}

const struct sl_graph_node_type *sl_graph_node_type_find(const char *name)
{
	for (struct sl_graph_node_type *t = registry_head; t; t = t->link)
		if (name && strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

void sl_graph_node_type_foreach(void (*fn)(const struct sl_graph_node_type *t, void *arg),
				void *arg)
{
	for (struct sl_graph_node_type *t = registry_head; t; t = t->link)
		fn(t, arg);
}

uint16_t sl_graph__drop_process(struct sl_graph *g, struct sl_graph_node *node,
				struct sl_pktbuf **pkts, uint16_t n)
{
	(void)g;
	(void)node;
	sl_pktbuf_free_bulk(pkts, n);
	return n;
}

void sl_graph__overflow(struct sl_graph *g, struct sl_pktbuf **pkts, uint16_t n)
{
	sl_counter_add(&g->overflow, n);
	sl_pktbuf_free_bulk(pkts, n);
}

/* --- construction --- */

struct build {
	const struct sl_graph_node_type *types[SL_GRAPH_MAX_NODES];
	unsigned nb_types; /* non-source types, in the order found */
};

static int type_index(const struct build *b, const struct sl_graph_node_type *t)
{
	for (unsigned i = 0; i < b->nb_types; i++)
		if (b->types[i] == t)
			return (int)i;
	return -1;
}

/* Adds the types reachable from t's edges (breadth first). */
static int reach(struct build *b, const struct sl_graph_node_type *t, unsigned nb_sources)
{
	for (unsigned e = 0; e < t->nb_next; e++) {
		const struct sl_graph_node_type *n = sl_graph_node_type_find(t->next[e]);

		if (!n) {
			SL_LOG(graph, ERR,
			       "node %s: edge %u names '%s', which no node type has "
			       "(is the library or file that registers it linked in?)",
			       t->name, e, t->next[e]);
			return -EINVAL;
		}
		if (n == t) {
			SL_LOG(graph, ERR, "node %s: edge %u leads to itself", t->name, e);
			return -EINVAL;
		}
		if (n->flags & SL_GRAPH_SOURCE) {
			SL_LOG(graph, ERR,
			       "node %s: edge %u leads to source %s (sources have no "
			       "input)",
			       t->name, e, n->name);
			return -EINVAL;
		}
		if (type_index(b, n) >= 0)
			continue;
		if (nb_sources + b->nb_types >= SL_GRAPH_MAX_NODES) {
			SL_LOG(graph, ERR, "more than %d node instances", SL_GRAPH_MAX_NODES);
			return -E2BIG;
		}
		b->types[b->nb_types++] = n;
	}
	return 0;
}

static int edge_target(const struct build *b, unsigned nb_sources, const char *name)
{
	return (int)nb_sources + type_index(b, sl_graph_node_type_find(name));
}

struct sl_graph *sl_graph_create(const struct sl_graph_config *cfg)
{
	struct build b = {0};
	struct sl_graph *g = NULL;
	int rc = -EINVAL;

	sl_graph__builtin_register();
	if (!cfg || !cfg->nb_sources || !cfg->sources || cfg->nb_sources > SL_GRAPH_MAX_SOURCES) {
		SL_LOG(graph, ERR, "graph %s: give 1 to %d sources (got %u)",
		       cfg && cfg->name ? cfg->name : "?", SL_GRAPH_MAX_SOURCES,
		       cfg ? cfg->nb_sources : 0);
		errno = EINVAL;
		return NULL;
	}
	unsigned ns = cfg->nb_sources;

	for (unsigned i = 0; i < ns; i++) {
		const struct sl_graph_node_type *t = sl_graph_node_type_find(cfg->sources[i].type);

		if (!t || !(t->flags & SL_GRAPH_SOURCE)) {
			SL_LOG(graph, ERR, "graph %s: source %u: '%s' is %s", cfg->name, i,
			       cfg->sources[i].type ? cfg->sources[i].type : "(null)",
			       t ? "not a source node type" : "not a registered node type");
			errno = EINVAL;
			return NULL;
		}
		rc = reach(&b, t, ns);
		if (rc < 0)
			goto fail_errno;
	}
	for (unsigned i = 0; i < b.nb_types; i++) {
		rc = reach(&b, b.types[i], ns);
		if (rc < 0)
			goto fail_errno;
	}

	unsigned nn = ns + b.nb_types, nedges = 0, fifo = sl_pow2_ceil(nn + 1);

	for (unsigned i = 0; i < ns; i++)
		nedges += sl_graph_node_type_find(cfg->sources[i].type)->nb_next;
	for (unsigned i = 0; i < b.nb_types; i++)
		nedges += b.types[i]->nb_next;

	size_t off_priv = SL_ALIGN_UP(sizeof(struct sl_graph), (size_t)SL_CACHE_LINE);
	size_t off_nodes =
		off_priv + SL_ALIGN_UP(sizeof(struct sl_graph_priv), (size_t)SL_CACHE_LINE);
	size_t off_edges = off_nodes + nn * sizeof(struct sl_graph_node);
	size_t off_fifo = SL_ALIGN_UP(off_edges + nedges * sizeof(struct sl_graph_edge),
				      (size_t)SL_CACHE_LINE);
	size_t off_vecs = SL_ALIGN_UP(off_fifo + fifo * sizeof(void *), (size_t)SL_CACHE_LINE);
	size_t vec_bytes = SL_GRAPH_VEC_SIZE * sizeof(struct sl_pktbuf *);
	/* a move swaps two nodes' buffers, so each node always holds exactly one */
	size_t off_base = off_vecs + nn * vec_bytes;
	size_t off_ebase = off_base + nn * sizeof(struct sl_graph_node_stats);
	size_t off_recs = SL_ALIGN_UP(off_ebase + nedges * sizeof(uint64_t), (size_t)SL_CACHE_LINE);
	size_t total = off_recs + SL_GRAPH_TRACE_RECORDS * sizeof(struct sl_graph_trace_rec);
	char *mem = sl_malloc(total, SL_CACHE_LINE, cfg->node);

	if (!mem) {
		SL_LOG(graph, ERR, "graph %s: cannot allocate %zu bytes", cfg->name, total);
		errno = ENOMEM;
		return NULL;
	}
	memset(mem, 0, total);
	g = (struct sl_graph *)mem;
	g->priv = (struct sl_graph_priv *)(mem + off_priv);
	struct sl_graph_priv *pv = g->priv;

	snprintf(pv->name, sizeof(pv->name), "%s", cfg->name ? cfg->name : "graph");
	pv->mem = mem;
	pv->nodes = (struct sl_graph_node *)(mem + off_nodes);
	pv->nb_nodes = nn;
	pv->nb_sources = ns;
	pv->base = (struct sl_graph_node_stats *)(mem + off_base);
	pv->recs = (struct sl_graph_trace_rec *)(mem + off_recs);
	g->pend = (struct sl_graph_node **)(mem + off_fifo);
	g->pend_mask = fifo - 1;
	g->app = cfg->app;
	g->worker = cfg->worker;

	struct sl_graph_edge *edges = (struct sl_graph_edge *)(mem + off_edges);

	pv->edges = edges;
	pv->nb_edges = nedges;
	pv->ebase = (uint64_t *)(mem + off_ebase);

	for (unsigned i = 0; i < nn; i++) {
		struct sl_graph_node *node = &pv->nodes[i];
		const struct sl_graph_node_type *t =
			i < ns ? sl_graph_node_type_find(cfg->sources[i].type) : b.types[i - ns];

		node->type = t;
		node->id = (uint16_t)i;
		node->flags = (uint16_t)t->flags;
		node->process = t->process;
		node->objs = (struct sl_pktbuf **)(mem + off_vecs + i * vec_bytes);
		node->nb_next = t->nb_next;
		node->next = edges;
		for (unsigned e = 0; e < t->nb_next; e++)
			edges[e].node = &pv->nodes[edge_target(&b, ns, t->next[e])];
		edges += t->nb_next;
		if (i < ns) {
			memcpy(node->ctx, cfg->sources[i].ctx, sizeof(node->ctx));
			if (cfg->sources[i].name[0])
				snprintf(node->name, sizeof(node->name), "%s",
					 cfg->sources[i].name);
			else
				snprintf(node->name, sizeof(node->name), "%s-%u", t->name, i);
		} else {
			snprintf(node->name, sizeof(node->name), "%s", t->name);
		}
	}
	for (unsigned i = 0; i < nn; i++) {
		struct sl_graph_node *node = &pv->nodes[i];

		if (node->type->init && (rc = node->type->init(g, node)) < 0) {
			SL_LOG(graph, ERR, "graph %s: node %s: init failed: %s", pv->name,
			       node->name, strerror(-rc));
			for (unsigned j = 0; j < i; j++)
				if (pv->nodes[j].type->fini)
					pv->nodes[j].type->fini(g, &pv->nodes[j]);
			sl_free(mem);
			errno = -rc;
			return NULL;
		}
	}
	SL_LOG(graph, DEBUG, "graph %s: %u nodes (%u sources), %zu bytes", pv->name, nn, ns, total);
	graph_telemetry_add(g);
	return g;

fail_errno:
	errno = -rc;
	return NULL;
}

void sl_graph_free(struct sl_graph *g)
{
	if (!g)
		return;
	graph_telemetry_remove(g);
	for (unsigned i = 0; i < g->priv->nb_nodes; i++)
		if (g->priv->nodes[i].type->fini)
			g->priv->nodes[i].type->fini(g, &g->priv->nodes[i]);
	/* packets still waiting (a graph freed between walks holds none; be safe) */
	for (unsigned i = 0; i < g->priv->nb_nodes; i++)
		sl_pktbuf_free_bulk(g->priv->nodes[i].objs, g->priv->nodes[i].n);
	sl_free(g->priv->mem);
}

const char *sl_graph_name(const struct sl_graph *g)
{
	return g->priv->name;
}

/* --- the walk --- */

static inline uint64_t drain(struct sl_graph *g, uint64_t t0)
{
	while (g->pend_head != g->pend_tail) {
		struct sl_graph_node *node = g->pend[g->pend_head++ & g->pend_mask];
		struct sl_pktbuf **objs = node->objs;
		uint16_t n = node->n;

		node->n = 0;
		/* a sink's packets may be gone after it ran; the others' are traced after, so
		 * the record shows what the node decided (trace formatters read metadata) */
		if (sl_unlikely(g->trace_live) && (node->flags & SL_GRAPH_SINK))
			sl_graph__trace_vec(g, node, objs, n);
		node->process(g, node, objs, n);
		if (sl_unlikely(g->trace_live) && !(node->flags & SL_GRAPH_SINK))
			sl_graph__trace_vec(g, node, objs, n);

		uint64_t t1 = sl_rdtsc();

		sl_counter_add(&node->calls, 1);
		sl_counter_add(&node->vectors, 1);
		sl_counter_add(&node->packets, n);
		sl_counter_add(&node->cycles, t1 - t0);
		t0 = t1;
	}
	return t0;
}

unsigned sl_graph_walk(struct sl_graph *g)
{
	struct sl_graph_priv *pv = g->priv;
	unsigned rx = 0;

	if (sl_unlikely(__atomic_load_n(&pv->trace_req_gen, __ATOMIC_ACQUIRE) != pv->trace_gen))
		sl_graph__trace_sync(g);

	uint64_t start = sl_rdtsc(), t0 = start;

	for (unsigned s = 0; s < pv->nb_sources; s++) {
		struct sl_graph_node *node = &pv->nodes[s];
		uint16_t k = node->process(g, node, node->objs, 0);
		uint64_t t1 = sl_rdtsc();

		sl_counter_add(&node->calls, 1);
		if (k) {
			sl_counter_add(&node->vectors, 1);
			sl_counter_add(&node->packets, k);
			sl_counter_add(&node->cycles, t1 - t0);
			rx += k;
		}
		/* a source that sent nothing leaves nothing pending: one compare */
		t0 = drain(g, t1);
	}
	sl_counter_add(&pv->walks, 1);
	sl_lcore_round_at(t0, rx != 0);
	if (rx) {
		sl_counter_add(&pv->rx, rx);
		sl_counter_add(&pv->busy_cycles, t0 - start);
	} else {
		sl_counter_add(&pv->idle_cycles, t0 - start);
	}
	return rx;
}

/* --- instances and statistics --- */

unsigned sl_graph_node_count(const struct sl_graph *g)
{
	return g->priv->nb_nodes;
}

struct sl_graph_node *sl_graph_node_get(const struct sl_graph *g, unsigned i)
{
	return i < g->priv->nb_nodes ? &g->priv->nodes[i] : NULL;
}

struct sl_graph_node *sl_graph_node_by_name(const struct sl_graph *g, const char *name)
{
	for (unsigned i = 0; name && i < g->priv->nb_nodes; i++)
		if (strcmp(g->priv->nodes[i].name, name) == 0)
			return &g->priv->nodes[i];
	return NULL;
}

int sl_graph_edge(const struct sl_graph_node *node, const char *name)
{
	for (unsigned e = 0; name && e < node->nb_next; e++)
		if (strcmp(node->type->next[e], name) == 0)
			return (int)e;
	return -ENOENT;
}

static void node_raw(const struct sl_graph_node *node, struct sl_graph_node_stats *st)
{
	st->calls = sl_counter_read(&node->calls);
	st->vectors = sl_counter_read(&node->vectors);
	st->packets = sl_counter_read(&node->packets);
	st->cycles = sl_counter_read(&node->cycles);
}

void sl_graph_node_stats(const struct sl_graph *g, unsigned i, struct sl_graph_node_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (i >= g->priv->nb_nodes)
		return;
	node_raw(&g->priv->nodes[i], st);
	st->calls -= g->priv->base[i].calls;
	st->vectors -= g->priv->base[i].vectors;
	st->packets -= g->priv->base[i].packets;
	st->cycles -= g->priv->base[i].cycles;
}

static void graph_raw(const struct sl_graph *g, struct sl_graph_stats *st)
{
	st->walks = sl_counter_read(&g->priv->walks);
	st->rx = sl_counter_read(&g->priv->rx);
	st->busy_cycles = sl_counter_read(&g->priv->busy_cycles);
	st->idle_cycles = sl_counter_read(&g->priv->idle_cycles);
	st->overflow = sl_counter_read(&g->overflow);
}

void sl_graph_stats(const struct sl_graph *g, struct sl_graph_stats *st)
{
	const struct sl_graph_stats *b = &g->priv->gbase;

	graph_raw(g, st);
	st->walks -= b->walks;
	st->rx -= b->rx;
	st->busy_cycles -= b->busy_cycles;
	st->idle_cycles -= b->idle_cycles;
	st->overflow -= b->overflow;
}

uint64_t sl_graph_edge_packets(const struct sl_graph *g, unsigned i, unsigned e)
{
	const struct sl_graph_node *node;

	if (i >= g->priv->nb_nodes || e >= g->priv->nodes[i].nb_next)
		return 0;
	node = &g->priv->nodes[i];
	return sl_counter_read(&node->next[e].packets) -
	       g->priv->ebase[&node->next[e] - g->priv->edges];
}

int sl_graph_check_books(const struct sl_graph *g, char *why, size_t len)
{
	const struct sl_graph_priv *pv = g->priv;
	uint64_t *in = calloc(pv->nb_nodes, sizeof(*in));
	int rc = 0;

	if (!in)
		return -ENOMEM;
	for (unsigned i = 0; i < pv->nb_nodes; i++)
		for (unsigned e = 0; e < pv->nodes[i].nb_next; e++)
			in[pv->nodes[i].next[e].node->id] += sl_graph_edge_packets(g, i, e);
	for (unsigned i = 0; i < pv->nb_nodes && rc == 0; i++) {
		const struct sl_graph_node *node = &pv->nodes[i];
		struct sl_graph_node_stats st;
		uint64_t out = 0;

		sl_graph_node_stats(g, i, &st);
		for (unsigned e = 0; e < node->nb_next; e++)
			out += sl_graph_edge_packets(g, i, e);
		if (!(node->flags & SL_GRAPH_SOURCE) && in[i] != st.packets) {
			snprintf(why, len,
				 "%s processed %" PRIu64 " packets but its predecessors "
				 "sent it %" PRIu64,
				 node->name, st.packets, in[i]);
			rc = -EBADMSG;
		} else if (!(node->flags & SL_GRAPH_SINK) && out != st.packets) {
			/* overflow is the graph's, not a node's: allowed as the difference */
			struct sl_graph_stats gs;

			sl_graph_stats(g, &gs);
			if (st.packets - out > gs.overflow) {
				snprintf(why, len,
					 "%s processed %" PRIu64 " packets but sent %" PRIu64
					 " along its edges",
					 node->name, st.packets, out);
				rc = -EBADMSG;
			}
		}
	}
	free(in);
	return rc;
}

void sl_graph_stats_reset(struct sl_graph *g)
{
	for (unsigned i = 0; i < g->priv->nb_edges; i++)
		g->priv->ebase[i] = sl_counter_read(&g->priv->edges[i].packets);
	for (unsigned i = 0; i < g->priv->nb_nodes; i++)
		node_raw(&g->priv->nodes[i], &g->priv->base[i]);
	graph_raw(g, &g->priv->gbase);
}

void sl_graph_stats_dump(FILE *out, const struct sl_graph *g)
{
	struct sl_graph_stats gs;

	fprintf(out, "graph %s\n%-24s %12s %12s %14s %8s %10s\n", g->priv->name, "node", "calls",
		"vectors", "packets", "pkt/vec", "cyc/pkt");
	for (unsigned i = 0; i < g->priv->nb_nodes; i++) {
		struct sl_graph_node_stats st;

		sl_graph_node_stats(g, i, &st);
		if (!st.packets)
			continue;
		fprintf(out, "%-24s %12" PRIu64 " %12" PRIu64 " %14" PRIu64 " %8.1f %10.1f\n",
			g->priv->nodes[i].name, st.calls, st.vectors, st.packets,
			st.vectors ? (double)st.packets / (double)st.vectors : 0.0,
			(double)st.cycles / (double)st.packets);
	}
	sl_graph_stats(g, &gs);
	fprintf(out,
		"walks %" PRIu64 ", rx %" PRIu64 ", busy %" PRIu64 " cycles, idle %" PRIu64
		" cycles, vector overflow %" PRIu64 "\n",
		gs.walks, gs.rx, gs.busy_cycles, gs.idle_cycles, gs.overflow);
}
