/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/graph internals shared by graph.c, trace.c and node_port.c. */
#ifndef SL_GRAPH_PRIV_H
#define SL_GRAPH_PRIV_H

#include "sl_graph.h"
#include "sl_log.h"

SL_LOG_TYPE_DECLARE(graph);

struct sl_graph_priv {
	char name[SL_GRAPH_NAME_SIZE];
	unsigned nb_nodes, nb_sources; /* sources are nodes[0 .. nb_sources - 1] */
	struct sl_graph_node *nodes;
	void *mem; /* one allocation: nodes, edges, vectors, pending FIFO, trace records */

	/* (worker) graph totals, on their own line */
	uint64_t walks SL_CACHE_ALIGNED;
	uint64_t rx, busy_cycles, idle_cycles;

	/* (worker) trace session state */
	uint32_t trace_gen;	 /* session the worker follows */
	uint32_t trace_budget;	 /* packets still to mark */
	uint32_t trace_pkts;	 /* packets marked in this session */
	uint32_t trace_inflight; /* marked packets not yet at a sink */
	uint32_t trace_nrec;	 /* (worker) atomic: records written */
	sl_graph_trace_filter_fn trace_filter;
	void *trace_arg;
	struct sl_graph_trace_rec *recs; /* SL_GRAPH_TRACE_RECORDS */

	/* (control) trace request, published by a release store of trace_req_gen */
	uint32_t trace_req_gen SL_CACHE_ALIGNED;
	uint32_t trace_req_count;
	sl_graph_trace_filter_fn trace_req_filter;
	void *trace_req_arg;

	struct sl_graph_edge *edges; /* every instance's edges, instance by instance */
	unsigned nb_edges;

	/* (control) reset bases */
	struct sl_graph_node_stats *base;
	uint64_t *ebase; /* per edge */
	struct sl_graph_stats gbase;
};

void sl_graph__trace_sync(struct sl_graph *g);
void sl_graph__trace_vec(struct sl_graph *g, struct sl_graph_node *node, struct sl_pktbuf **pkts,
			 uint16_t n);
void sl_graph__builtin_register(void);

/* Telemetry (telemetry.c): a graph is listed from creation until it is freed. */
void graph_telemetry_add(struct sl_graph *g);
void graph_telemetry_remove(struct sl_graph *g);

#endif
