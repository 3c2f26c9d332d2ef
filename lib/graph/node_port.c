/* SPDX-License-Identifier: BSD-3-Clause */
/* The nodes every graph on ports needs: port rx (a process function for sources) and
 * port tx (a sink), and tx's drop node. */
#include "graph_priv.h"
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

static uint16_t port_tx_process(struct sl_graph *g, struct sl_graph_node *node,
				struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t q = (uint16_t)g->worker;

	for (uint16_t start = 0; start < n;) {
		uint16_t port = pkts[start]->port, end = (uint16_t)(start + 1);

		while (end < n && pkts[end]->port == port)
			end++;

		uint16_t len = (uint16_t)(end - start), sent = 0;

		if (sl_likely(port < SL_PORT_MAX))
			sent = sl_port_tx_burst(port, q, pkts + start, len);
		if (sl_unlikely(sent < len))
			sl_graph_enqueue_n(g, node, 0, pkts + start + sent, (uint16_t)(len - sent));
		start = end;
	}
	return n;
}

static struct sl_graph_node_type port_tx = {
	.name = SL_GRAPH_PORT_TX,
	.process = port_tx_process,
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
