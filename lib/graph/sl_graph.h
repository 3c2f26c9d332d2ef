/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node graph: packet processing as small nodes joined by named edges (VPP's and
 * DPDK's rte_graph's model).
 *
 * A node type is registered once, from any library or application: a name, a process
 * function, the names of its next nodes (its edges), an optional per-instance init and
 * trace formatter.  A graph is built per worker from the registered types: one instance
 * of every type reachable from the graph's sources, plus one instance of a source type
 * per source given (one per port rx queue: "port_rx-p0q0").  Each instance owns an input
 * vector of SL_GRAPH_VEC_SIZE packets.
 *
 * Walking a graph (sl_graph_walk(), on the worker that owns it, never locking): each
 * source is called and pushes what it received into its next nodes; then every node with
 * packets waiting is processed, in the order it first received some, until none wait.
 * A process function sends each packet to one of its edges with sl_graph_enqueue*();
 * when a whole vector goes one way, sl_graph_move() hands the vector over by swapping
 * buffers (no copy).  Sinks (transmit, drop) consume packets.  Every drop reason is its
 * own drop node (SL_GRAPH_DROP_NODE), so "why was it dropped" is a node's packet count.
 *
 * Statistics per node instance (calls, vectors, packets, cycles) are written by the worker
 * alone and read by any thread with relaxed loads, without stopping the worker; cycles per
 * packet is cycles / packets.  Sources count cycles only for polls that returned packets
 * (empty polls go to the graph's idle cycles), so their cycles per packet is the cost of
 * receiving, not of waiting.
 *
 * Tracing (sl_graph_trace_start()): the next N packets received (those a filter accepts)
 * are marked; every node that processes a marked packet appends a record (node, time,
 * length, the node's own metadata text), and the control thread reads the records while
 * the worker runs.  While nothing is traced the walk pays one predictable branch per node.
 *
 * Threads: registration, create and free are control calls (one thread).  A graph is
 * walked by one thread.  Reading stats and traces is safe from any thread at any time.
 * Names beginning with sl_graph__ are internal.
 */
#ifndef SL_GRAPH_H
#define SL_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sl_common.h"
#include "sl_cycles.h"
#include "sl_pktbuf.h"

#define SL_GRAPH_VEC_SIZE 256	/* packets an input vector holds */
#define SL_GRAPH_BURST 32	/* packets a source takes per poll (at most) */
#define SL_GRAPH_MAX_EDGES 32	/* next nodes of a node type */
#define SL_GRAPH_MAX_NODES 256	/* instances in one graph */
#define SL_GRAPH_MAX_SOURCES 64 /* source instances in one graph */
#define SL_GRAPH_NAME_SIZE 48	/* node and graph names, NUL included */
#define SL_GRAPH_CTX_SIZE 64	/* bytes of per-instance context */

/* Node type flags. */
#define SL_GRAPH_SOURCE 0x1 /* polled by the walk (process gets n = 0) */
#define SL_GRAPH_SINK 0x2   /* consumes every packet (transmit, drop, hand-off) */
#define SL_GRAPH_DROP 0x4   /* a drop reason: frees what it gets (SL_GRAPH_DROP_NODE) */

/* ol_flags bit of a packet being traced (set and read by the graph only). */
#define SL_PKT_GRAPH_TRACE (1ull << 63)

struct sl_graph;
struct sl_graph_node;

/* Processes n packets (n = 0 for a source, which may take up to SL_GRAPH_BURST) and sends
 * each to an edge or consumes it.  Returns the packets processed (a source: received).
 * Only sinks consume (free, send, hand over); a node that is not a sink leaves pkts[0..n)
 * pointing at the packets it was given (the trace reads them after it ran). */
typedef uint16_t (*sl_graph_process_fn)(struct sl_graph *g, struct sl_graph_node *node,
					struct sl_pktbuf **pkts, uint16_t n);
/* Per instance, when the graph is built: sets up node->ctx (a source's ctx already holds
 * what sl_graph_config gave).  Returns 0 or -errno (the graph is not built; log why). */
typedef int (*sl_graph_init_fn)(struct sl_graph *g, struct sl_graph_node *node);
typedef void (*sl_graph_fini_fn)(struct sl_graph *g, struct sl_graph_node *node);
/* Writes a short line of what the node knows about p ("nh 3 via 10.0.0.2 port 1") into
 * buf for a trace record; returns the length written. */
typedef int (*sl_graph_trace_fn)(const struct sl_graph_node *node, const struct sl_pktbuf *p,
				 char *buf, size_t len);

struct sl_graph_node_type {
	const char *name;
	sl_graph_process_fn process;
	sl_graph_init_fn init;	 /* optional */
	sl_graph_fini_fn fini;	 /* optional */
	sl_graph_trace_fn trace; /* optional */
	uint32_t flags;		 /* SL_GRAPH_SOURCE | SL_GRAPH_SINK | SL_GRAPH_DROP */
	const char *help;	 /* one line: what it does, or the drop reason */
	uint16_t nb_next;
	const char *next[SL_GRAPH_MAX_EDGES]; /* edge i leads to the node named next[i] */
	struct sl_graph_node_type *link;      /* (registry) internal */
};

/*
 * Registers a node type (kept by pointer: it must outlive every graph).  Returns 0, or
 * -EINVAL (no name or process function, too many edges, a name too long; logged) or
 * -EEXIST (a type of that name is registered; logged).
 */
int sl_graph_node_register(struct sl_graph_node_type *type);
/* The registered type of a name, or NULL. */
const struct sl_graph_node_type *sl_graph_node_type_find(const char *name);
/* Calls fn for each registered type, in registration order. */
void sl_graph_node_type_foreach(void (*fn)(const struct sl_graph_node_type *t, void *arg),
				void *arg);

/* Registers `type` (a struct sl_graph_node_type) before main(), from any file. */
#define SL_GRAPH_NODE_REGISTER(type)                                                               \
	__attribute__((constructor)) static void sl_graph__register_##type(void)                   \
	{                                                                                          \
		sl_graph_node_register(&(type));                                                   \
	}

uint16_t sl_graph__drop_process(struct sl_graph *g, struct sl_graph_node *node,
				struct sl_pktbuf **pkts, uint16_t n);

/* Defines and registers a drop node named `name` (a string) whose packet count is the
 * number of packets dropped for `reason` (a one-line string). */
#define SL_GRAPH_DROP_NODE(ident, name_, reason)                                                   \
	static struct sl_graph_node_type ident = {                                                 \
		.name = (name_),                                                                   \
		.process = sl_graph__drop_process,                                                 \
		.flags = SL_GRAPH_SINK | SL_GRAPH_DROP,                                            \
		.help = (reason),                                                                  \
	};                                                                                         \
	SL_GRAPH_NODE_REGISTER(ident)

/* An edge of an instance: the next node and the packets sent along it (worker-written,
 * in the line the enqueue reads anyway), so every node's input and output can be checked
 * against each other: packets(X) = sum of the edges into X, and for a node that is not a
 * sink, packets(X) = sum of its edges out. */
struct sl_graph_edge {
	struct sl_graph_node *node;
	uint64_t packets; /* (worker) */
};

/* One instance of a node type in one graph.  Line 0 is what the walk and enqueues touch. */
struct sl_graph_node {
	struct sl_pktbuf **objs; /* (worker) input vector, SL_GRAPH_VEC_SIZE entries */
	uint16_t n;		 /* (worker) packets waiting in objs */
	uint16_t nb_next;
	uint16_t id;	/* index in the graph */
	uint16_t flags; /* the type's */
	sl_graph_process_fn process;
	struct sl_graph_edge *next; /* nb_next edges, resolved */
	uint64_t calls;		    /* (worker) process calls */
	uint64_t vectors;	    /* (worker) calls with packets */
	uint64_t packets;	    /* (worker) packets processed */
	uint64_t cycles;	    /* (worker) TSC cycles in calls with packets */
	/* line 1: the node's own context */
	uint8_t ctx[SL_GRAPH_CTX_SIZE] SL_CACHE_ALIGNED;
	/* line 2: cold */
	const struct sl_graph_node_type *type;
	char name[SL_GRAPH_NAME_SIZE];
} SL_CACHE_ALIGNED;

_Static_assert(offsetof(struct sl_graph_node, cycles) + 8 <= SL_CACHE_LINE,
	       "what the walk touches fits line 0");
_Static_assert(offsetof(struct sl_graph_node, ctx) == SL_CACHE_LINE, "ctx is line 1");

/* The worker's view of a graph (the rest is in graph.c). */
struct sl_graph {
	struct sl_graph_node **pend;   /* (worker) FIFO of nodes with packets waiting */
	uint32_t pend_head, pend_tail; /* (worker) */
	uint32_t pend_mask;
	uint32_t trace_live;	    /* (worker) packets being traced, or a session armed */
	uint64_t overflow;	    /* (worker) packets dropped because a vector was full */
	void *app;		    /* the application's context (sl_graph_config.app) */
	unsigned worker;	    /* sl_graph_config.worker: e.g. the tx queue to use */
	struct sl_graph_priv *priv; /* control-side state */
};

static inline void *sl_graph_node_ctx(struct sl_graph_node *node)
{
	return node->ctx;
}

void sl_graph__overflow(struct sl_graph *g, struct sl_pktbuf **pkts, uint16_t n);
void sl_graph__trace_mark(struct sl_graph *g, struct sl_graph_node *node, struct sl_pktbuf **pkts,
			  uint16_t n);

static inline void sl_graph__pend(struct sl_graph *g, struct sl_graph_node *next)
{
	g->pend[g->pend_tail++ & g->pend_mask] = next;
}

/* Sends one packet along edge `edge` of node. */
static inline void sl_graph_enqueue(struct sl_graph *g, struct sl_graph_node *node, uint16_t edge,
				    struct sl_pktbuf *p)
{
	struct sl_graph_edge *e = &node->next[edge];
	struct sl_graph_node *next = e->node;

	if (sl_unlikely(next->n == SL_GRAPH_VEC_SIZE)) {
		sl_graph__overflow(g, &p, 1);
		return;
	}
	if (next->n == 0)
		sl_graph__pend(g, next);
	next->objs[next->n++] = p;
	sl_counter_add(&e->packets, 1);
}

/* Sends n packets along one edge (copying their pointers). */
static inline void sl_graph_enqueue_n(struct sl_graph *g, struct sl_graph_node *node, uint16_t edge,
				      struct sl_pktbuf **pkts, uint16_t n)
{
	struct sl_graph_edge *e = &node->next[edge];
	struct sl_graph_node *next = e->node;
	uint16_t room = (uint16_t)(SL_GRAPH_VEC_SIZE - next->n);

	if (sl_unlikely(n == 0))
		return;
	if (sl_unlikely(n > room)) {
		sl_graph__overflow(g, pkts + room, (uint16_t)(n - room));
		n = room;
		if (n == 0)
			return;
	}
	if (next->n == 0)
		sl_graph__pend(g, next);
	memcpy(&next->objs[next->n], pkts, n * sizeof(*pkts));
	next->n = (uint16_t)(next->n + n);
	sl_counter_add(&e->packets, n);
}

/*
 * Sends the vector a process function was given (pkts, n) along one edge.  When the next
 * node has nothing waiting, the two swap buffers: the vector moves without a copy.  Call
 * it last: pkts belongs to the next node afterwards.
 */
static inline void sl_graph_move(struct sl_graph *g, struct sl_graph_node *node, uint16_t edge,
				 struct sl_pktbuf **pkts, uint16_t n)
{
	struct sl_graph_edge *e = &node->next[edge];
	struct sl_graph_node *next = e->node;

	if (sl_likely(next->n == 0 && pkts == node->objs && n)) {
		node->objs = next->objs;
		next->objs = pkts;
		next->n = n;
		sl_graph__pend(g, next);
		sl_counter_add(&e->packets, n);
		return;
	}
	sl_graph_enqueue_n(g, node, edge, pkts, n);
}

/*
 * Sends pkts[i] along edges[i] for i < n: one move when they all go the same way, else
 * runs of equal edges copied at once.  The usual last line of a process function.
 */
static inline void sl_graph_enqueue_edges(struct sl_graph *g, struct sl_graph_node *node,
					  struct sl_pktbuf **pkts, const uint16_t *edges,
					  uint16_t n)
{
	uint16_t start = 0;

	for (uint16_t i = 1; i < n; i++) {
		if (edges[i] != edges[start]) {
			sl_graph_enqueue_n(g, node, edges[start], pkts + start,
					   (uint16_t)(i - start));
			start = i;
		}
	}
	if (start == 0)
		sl_graph_move(g, node, n ? edges[0] : 0, pkts, n);
	else
		sl_graph_enqueue_n(g, node, edges[start], pkts + start, (uint16_t)(n - start));
}

/* A source calls this on the packets it received, before sending them on: it marks the
 * ones a trace session wants.  One branch when nothing is traced. */
static inline void sl_graph_source_rx(struct sl_graph *g, struct sl_graph_node *node,
				      struct sl_pktbuf **pkts, uint16_t n)
{
	if (sl_unlikely(g->trace_live))
		sl_graph__trace_mark(g, node, pkts, n);
}

/* --- port nodes (node_port.c) --- */

/* Context of a port rx source: the queue it polls (copied from sl_graph_source.ctx). */
struct sl_graph_port_rx {
	uint16_t port, queue;
};

/* Process function of port rx sources: polls the queue for SL_GRAPH_BURST packets and
 * sends them all along edge 0.  An application registers its own source type with it
 * and the name of its first node:
 *   static struct sl_graph_node_type rx = {.name = "port_rx", .flags = SL_GRAPH_SOURCE,
 *       .process = sl_graph_port_rx_process, .nb_next = 1, .next = {"eth_input"}};
 */
uint16_t sl_graph_port_rx_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n);

/* Built in: "port_tx" sends each packet on the port in its `port` field, on tx queue
 * g->worker, a burst per run of packets for one port; what a queue does not take goes
 * to "drop_tx_full" (counted there).  A port id past SL_PORT_MAX goes there too. */
#define SL_GRAPH_PORT_TX "port_tx"

/* --- graphs --- */

/* A source instance: a source type and its context (copied into the instance's ctx). */
struct sl_graph_source {
	const char *type;		/* a registered SL_GRAPH_SOURCE type, "port_rx" */
	char name[SL_GRAPH_NAME_SIZE];	/* instance name; "" = type name + index */
	uint8_t ctx[SL_GRAPH_CTX_SIZE]; /* initial context, e.g. struct sl_graph_port_rx */
};

struct sl_graph_config {
	const char *name; /* "worker1" */
	int node;	  /* NUMA node of the graph's memory, or SL_NODE_ANY */
	unsigned worker;  /* copied to g->worker (e.g. the tx queue index of this worker) */
	void *app;	  /* copied to g->app */
	const struct sl_graph_source *sources;
	unsigned nb_sources;
};

/*
 * Builds a graph: the sources given, and one instance of every node type reachable from
 * them by edges.  Returns the graph, or NULL with errno EINVAL (no sources, a source
 * type that is not a source, an edge naming no registered type, a node with itself as a
 * next node; the log names the node and edge), E2BIG (more than SL_GRAPH_MAX_NODES
 * instances), ENOMEM, or an init function's error.
 */
struct sl_graph *sl_graph_create(const struct sl_graph_config *cfg);
void sl_graph_free(struct sl_graph *g);
const char *sl_graph_name(const struct sl_graph *g);

/* One walk: every source polled once, then every waiting packet processed.  Returns the
 * packets the sources received. */
unsigned sl_graph_walk(struct sl_graph *g);

/* Instances: count, and instance i (0 .. count - 1) or by name (NULL when none). */
unsigned sl_graph_node_count(const struct sl_graph *g);
struct sl_graph_node *sl_graph_node_get(const struct sl_graph *g, unsigned i);
struct sl_graph_node *sl_graph_node_by_name(const struct sl_graph *g, const char *name);
/* Edge index of the next node named `name` among node's edges, or -ENOENT. */
int sl_graph_edge(const struct sl_graph_node *node, const char *name);

/* --- statistics (any thread, any time) --- */

struct sl_graph_node_stats {
	uint64_t calls, vectors, packets, cycles;
};

struct sl_graph_stats {
	uint64_t walks;	      /* sl_graph_walk() calls */
	uint64_t rx;	      /* packets the sources received */
	uint64_t busy_cycles; /* cycles in walks that moved packets */
	uint64_t idle_cycles; /* cycles in walks that found none */
	uint64_t overflow;    /* packets dropped on a full vector */
};

/* Since the last reset (the worker's counters never go back; a reset stores a base). */
void sl_graph_node_stats(const struct sl_graph *g, unsigned i, struct sl_graph_node_stats *st);
/* Packets instance i sent along its edge e since the last reset (0 for a bad i or e). */
uint64_t sl_graph_edge_packets(const struct sl_graph *g, unsigned i, unsigned e);
/*
 * Checks every instance's books once the graph is quiet (no walk running): what each node
 * received equals what its predecessors sent along their edges into it, and what each
 * node that is not a sink processed equals what it sent along its edges (overflow counted
 * as sent).  Returns 0, or -EBADMSG with why naming the first node that does not balance.
 */
int sl_graph_check_books(const struct sl_graph *g, char *why, size_t len);
void sl_graph_stats(const struct sl_graph *g, struct sl_graph_stats *st);
void sl_graph_stats_reset(struct sl_graph *g);

/* Prints one line per node with packets: name, calls, vectors, packets, packets per
 * vector, cycles per packet; then the graph's totals. */
void sl_graph_stats_dump(FILE *out, const struct sl_graph *g);

/* --- packet trace --- */

/* A filter deciding whether a received packet is traced (e.g. a compiled pcap filter). */
typedef bool (*sl_graph_trace_filter_fn)(const struct sl_pktbuf *p, void *arg);

#define SL_GRAPH_TRACE_MAX 1024	    /* packets per session */
#define SL_GRAPH_TRACE_RECORDS 8192 /* records a graph keeps per session */
#define SL_GRAPH_TRACE_INFO 80	    /* bytes of a record's text */
#define SL_GRAPH_TRACE_DATA 64	    /* bytes of packet kept at the source */

struct sl_graph_trace_rec {
	uint64_t tsc;	   /* when the node processed it */
	uint32_t pkt;	   /* packet number in the session, from 1 */
	uint16_t node;	   /* instance index */
	uint16_t port;	   /* the packet's port field */
	uint32_t len;	   /* pkt_len */
	uint16_t data_len; /* bytes in data (source records only) */
	uint16_t pad;
	char info[SL_GRAPH_TRACE_INFO];	   /* the node's trace() text, or "" */
	uint8_t data[SL_GRAPH_TRACE_DATA]; /* source records: the first bytes */
};

/*
 * Starts a session (dropping the previous one's records): trace the next `count` packets
 * (1 .. SL_GRAPH_TRACE_MAX) the sources receive and `filter` accepts (NULL: all).  The
 * worker picks it up at its next walk.  filter and arg must stay valid until the next
 * start or stop.  Returns 0 or -EINVAL.  Control thread.
 */
int sl_graph_trace_start(struct sl_graph *g, unsigned count, sl_graph_trace_filter_fn filter,
			 void *arg);
/* Stops marking packets (records stay readable). */
void sl_graph_trace_stop(struct sl_graph *g);
/* Copies up to n records of the current session into recs; returns how many exist. */
unsigned sl_graph_trace_read(const struct sl_graph *g, struct sl_graph_trace_rec *recs, unsigned n);
/* Prints the session's records grouped by packet: the path and each node's text. */
void sl_graph_trace_dump(FILE *out, const struct sl_graph *g);

#endif
