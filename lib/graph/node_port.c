/* SPDX-License-Identifier: BSD-3-Clause */
/* The nodes every graph on ports needs: port rx (a process function for sources) and
 * port tx (a sink), and tx's drop node. */
#include <errno.h>
#include <string.h>

#include "graph_priv.h"
#include "sl_memory.h"
#include "sl_port.h"

uint16_t sl_graph_port_rx_process(struct sl_graph *g, struct sl_graph_node *node,
				  struct sl_pktbuf **pkts, uint16_t n)
{
	const struct sl_graph_port_rx *rx = (const void *)node->ctx;

	(void)n;
	n = sl_port_rx_burst(rx->port, rx->queue, pkts, SL_GRAPH_BURST);
	if (n) {
		sl_graph_source_rx(g, node, pkts, n);
		sl_graph_move(g, node, 0, pkts, n);
	}
	return n;
}

/* port_tx's context: a vector per port, so packets for interleaved ports still leave in
 * one burst per port (a router's output alternates ports packet by packet). */
struct tx_buckets {
	uint16_t n[SL_PORT_MAX];
	struct sl_pktbuf *pkts[SL_PORT_MAX][SL_GRAPH_VEC_SIZE];
};

static int port_tx_init(struct sl_graph *g, struct sl_graph_node *node)
{
	struct tx_buckets *b = sl_malloc(sizeof(*b), SL_CACHE_LINE, SL_NODE_ANY);

	(void)g;
	if (!b)
		return -ENOMEM;
	memset(b->n, 0, sizeof(b->n));
	memcpy(node->ctx, &b, sizeof(b));
	return 0;
}

static void port_tx_fini(struct sl_graph *g, struct sl_graph_node *node)
{
	struct tx_buckets *b;

	(void)g;
	memcpy(&b, node->ctx, sizeof(b));
	sl_free(b);
}

static inline void tx_one(struct sl_graph *g, struct sl_graph_node *node, uint16_t port,
			  struct sl_pktbuf **pkts, uint16_t len)
{
	uint16_t sent = 0;

	if (sl_likely(port < SL_PORT_MAX))
		sent = sl_port_tx_burst(port, (uint16_t)g->worker, pkts, len);
	if (sl_unlikely(sent < len))
		sl_graph_enqueue_n(g, node, 0, pkts + sent, (uint16_t)(len - sent));
}

static uint16_t port_tx_process(struct sl_graph *g, struct sl_graph_node *node,
				struct sl_pktbuf **pkts, uint16_t n)
{
	struct tx_buckets *b;
	uint16_t first = pkts[0]->port, used[SL_PORT_MAX], nused = 0, i;

	for (i = 1; i < n && pkts[i]->port == first; i++)
		;
	if (sl_likely(i == n)) { /* one port: the vector as it is */
		tx_one(g, node, first, pkts, n);
		return n;
	}
	memcpy(&b, node->ctx, sizeof(b));
	for (i = 0; i < n; i++) {
		uint16_t port = pkts[i]->port;

		if (sl_unlikely(port >= SL_PORT_MAX)) {
			sl_graph_enqueue(g, node, 0, pkts[i]);
			continue;
		}
		if (b->n[port] == 0)
			used[nused++] = port;
		b->pkts[port][b->n[port]++] = pkts[i];
	}
	for (i = 0; i < nused; i++) {
		uint16_t port = used[i];

		tx_one(g, node, port, b->pkts[port], b->n[port]);
		b->n[port] = 0;
	}
	return n;
}

static struct sl_graph_node_type port_tx = {
	.name = SL_GRAPH_PORT_TX,
	.process = port_tx_process,
	.init = port_tx_init,
	.fini = port_tx_fini,
	.flags = SL_GRAPH_SINK,
	.help = "sends each packet on its port (tx queue = the graph's worker index)",
	.nb_next = 1,
	.next = {"drop_tx_full"},
};

static struct sl_graph_node_type drop_tx_full = {
	.name = "drop_tx_full",
	.process = sl_graph__drop_process,
	.flags = SL_GRAPH_SINK | SL_GRAPH_DROP,
	.help = "the port's tx queue was full, the port was stopped or its id invalid",
};

/* Called by sl_graph_create(): registering here, not from a constructor, keeps this file
 * linked into applications that use the static library. */
void sl_graph__builtin_register(void)
{
	if (!sl_graph_node_type_find(port_tx.name))
		sl_graph_node_register(&port_tx);
	if (!sl_graph_node_type_find(drop_tx_full.name))
		sl_graph_node_register(&drop_tx_full);
}
