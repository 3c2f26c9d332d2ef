/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/graph: registration errors, graph construction errors (unknown edge, self edge, a
 * source that is not one), a walk that splits a vector over two edges and moves a whole
 * one without a copy, per-node statistics and their reset, vector overflow counted, the
 * packet trace (count, filter, records per node), and port rx/tx nodes on net_ring ports.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../log_capture.h"
#include "sl_graph.h"
#include "sl_telemetry.h"
#include "sl_memory.h"
#include "sl_port.h"

static struct log_capture cap;
static struct sl_pool *pool;

/* The test source hands out `burst` packets per poll while `left` lasts; the length of
 * packet i is 60 + i % 40, so "odd length" splits a vector. */
struct src_ctx {
	unsigned burst, left;
};

static uint16_t src_process(struct sl_graph *g, struct sl_graph_node *node, struct sl_pktbuf **pkts,
			    uint16_t n)
{
	struct src_ctx *c = sl_graph_node_ctx(node);

	n = (uint16_t)SL_MIN(c->burst, c->left);
	if (!n || sl_pktbuf_alloc_bulk(pool, pkts, n) < 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		sl_pktbuf_append(pkts[i], (uint16_t)(60 + (c->left - i) % 40));
		memset(sl_pktbuf_mtod(pkts[i], void *), 0, pkts[i]->data_len);
		pkts[i]->port = 0;
	}
	c->left -= n;
	sl_graph_source_rx(g, node, pkts, n);
	sl_graph_move(g, node, 0, pkts, n);
	return n;
}

static struct sl_pktbuf **last_split_vec; /* the vector t_split was given */

/* Odd lengths to t_odd, even to t_even. */
static uint16_t split_process(struct sl_graph *g, struct sl_graph_node *node,
			      struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t edges[SL_GRAPH_VEC_SIZE];

	last_split_vec = pkts;
	for (uint16_t i = 0; i < n; i++)
		edges[i] = pkts[i]->pkt_len & 1;
	sl_graph_enqueue_edges(g, node, pkts, edges, n);
	return n;
}

static struct sl_pktbuf **even_got_vec;

static uint16_t even_process(struct sl_graph *g, struct sl_graph_node *node,
			     struct sl_pktbuf **pkts, uint16_t n)
{
	even_got_vec = pkts;
	sl_graph_move(g, node, 0, pkts, n);
	return n;
}

static int split_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
		       size_t len)
{
	(void)node;
	return snprintf(buf, len, "len %u goes %s", p->pkt_len, p->pkt_len & 1 ? "odd" : "even");
}

static struct sl_graph_node_type t_src = {
	.name = "t_src",
	.process = src_process,
	.flags = SL_GRAPH_SOURCE,
	.nb_next = 1,
	.next = {"t_split"},
};
static struct sl_graph_node_type t_split = {
	.name = "t_split",
	.process = split_process,
	.trace = split_trace,
	.nb_next = 2,
	.next = {"t_even", "t_odd"},
};
static struct sl_graph_node_type t_even = {
	.name = "t_even",
	.process = even_process,
	.nb_next = 1,
	.next = {"t_sink"},
};
SL_GRAPH_DROP_NODE(t_odd, "t_odd", "odd length (test)")
SL_GRAPH_DROP_NODE(t_sink, "t_sink", "end of the test graph")
SL_GRAPH_NODE_REGISTER(t_src)
SL_GRAPH_NODE_REGISTER(t_split)
SL_GRAPH_NODE_REGISTER(t_even)

/* Types for the construction errors, registered by the test that needs them. */
static struct sl_graph_node_type t_badedge = {
	.name = "t_badedge",
	.process = src_process,
	.flags = SL_GRAPH_SOURCE,
	.nb_next = 1,
	.next = {"t_nosuch"},
};
static struct sl_graph_node_type t_selfsrc = {
	.name = "t_selfsrc",
	.process = src_process,
	.flags = SL_GRAPH_SOURCE,
	.nb_next = 1,
	.next = {"t_self"},
};
static struct sl_graph_node_type t_self = {
	.name = "t_self",
	.process = even_process,
	.nb_next = 1,
	.next = {"t_self"},
};

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("graph_test", 2048, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_port_close_all();
	assert_int_equal(sl_pool_in_use(pool), 0); /* every buffer came back */
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

static struct sl_graph *make(unsigned burst, unsigned left)
{
	struct sl_graph_source src = {.type = "t_src"};
	struct src_ctx c = {burst, left};

	memcpy(src.ctx, &c, sizeof(c));

	struct sl_graph_config cfg = {
		.name = "test", .node = SL_NODE_ANY, .sources = &src, .nb_sources = 1};

	return sl_graph_create(&cfg);
}

static uint64_t node_packets(struct sl_graph *g, const char *name)
{
	struct sl_graph_node_stats st;
	struct sl_graph_node *n = sl_graph_node_by_name(g, name);

	assert_non_null(n);
	sl_graph_node_stats(g, n->id, &st);
	return st.packets;
}

static void test_register_errors(void **state)
{
	(void)state;
	static struct sl_graph_node_type noproc = {.name = "t_noproc"};
	static struct sl_graph_node_type dup = {.name = "t_split", .process = split_process};

	log_capture_clear(&cap);
	assert_int_equal(sl_graph_node_register(&noproc), -EINVAL);
	assert_non_null(strstr(cap.text, "t_noproc: a name and a process function"));
	assert_int_equal(sl_graph_node_register(&dup), -EEXIST);
	assert_non_null(strstr(cap.text, "t_split is registered twice"));
	assert_non_null(sl_graph_node_type_find("t_odd"));
	assert_null(sl_graph_node_type_find("t_nosuch"));
}

static void test_create_errors(void **state)
{
	(void)state;
	struct sl_graph_source src = {.type = "t_split"};
	struct sl_graph_config cfg = {.name = "bad", .sources = &src, .nb_sources = 1};

	log_capture_clear(&cap);
	assert_null(sl_graph_create(&cfg));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(cap.text, "'t_split' is not a source node type"));

	assert_int_equal(sl_graph_node_register(&t_badedge), 0);
	src = (struct sl_graph_source){.type = "t_badedge"};
	assert_null(sl_graph_create(&cfg));
	assert_non_null(strstr(cap.text, "node t_badedge: edge 0 names 't_nosuch'"));

	assert_int_equal(sl_graph_node_register(&t_selfsrc), 0);
	assert_int_equal(sl_graph_node_register(&t_self), 0);
	src = (struct sl_graph_source){.type = "t_selfsrc"};
	assert_null(sl_graph_create(&cfg));
	assert_non_null(strstr(cap.text, "node t_self: edge 0 leads to itself"));

	cfg.nb_sources = 0;
	assert_null(sl_graph_create(&cfg));
	assert_non_null(strstr(cap.text, "give 1 to 64 sources (got 0)"));
}

static void test_walk_split_and_stats(void **state)
{
	(void)state;
	struct sl_graph *g = make(32, 1000);
	unsigned rx = 0, walks = 0;

	assert_non_null(g);
	/* t_src, t_split, t_even, t_odd, t_sink: only what is reachable */
	assert_int_equal(sl_graph_node_count(g), 5);
	assert_null(sl_graph_node_by_name(g, "t_self"));
	assert_int_equal(sl_graph_edge(sl_graph_node_by_name(g, "t_split"), "t_odd"), 1);
	while (sl_graph_walk(g))
		walks++;
	rx = (unsigned)node_packets(g, "t_src-0");
	assert_int_equal(rx, 1000);
	assert_int_equal(walks, (1000 + 31) / 32);
	assert_int_equal(node_packets(g, "t_split"), 1000);
	/* lengths 60 + k % 40 for k = 1000 .. 1: odd and even halves */
	assert_int_equal(node_packets(g, "t_odd"), 500);
	assert_int_equal(node_packets(g, "t_even"), 500);
	assert_int_equal(node_packets(g, "t_sink"), 500);

	struct sl_graph_stats gs;
	struct sl_graph_node_stats ns;

	sl_graph_stats(g, &gs);
	assert_int_equal(gs.rx, 1000);
	assert_int_equal(gs.walks, walks + 1);
	assert_int_equal(gs.overflow, 0);
	assert_true(gs.busy_cycles > 0);
	sl_graph_node_stats(g, sl_graph_node_by_name(g, "t_split")->id, &ns);
	assert_int_equal(ns.vectors, walks);
	assert_true(ns.cycles > 0);
	/* the source was called once more and found nothing: a call, not a vector */
	sl_graph_node_stats(g, 0, &ns);
	assert_int_equal(ns.calls, walks + 1);
	assert_int_equal(ns.vectors, walks);

	/* node by node: t_split sent 500 each way */
	char why[256];
	struct sl_graph_node *sp = sl_graph_node_by_name(g, "t_split");

	assert_int_equal(sl_graph_edge_packets(g, sp->id, 0), 500);
	assert_int_equal(sl_graph_edge_packets(g, sp->id, 1), 500);
	assert_int_equal(sl_graph_check_books(g, why, sizeof(why)), 0);

	sl_graph_stats_reset(g);
	assert_int_equal(node_packets(g, "t_split"), 0);
	assert_int_equal(sl_graph_edge_packets(g, sp->id, 0), 0);
	sl_graph_stats(g, &gs);
	assert_int_equal(gs.rx, 0);
	sl_graph_free(g);
}

/* All even: t_split's vector moves to t_even by a buffer swap, no copy. */
static void test_move_without_copy(void **state)
{
	(void)state;
	struct sl_graph *g = make(1, 2);

	assert_non_null(g);
	/* left = 2, burst 1: the one packet has length 60 + 2 % 40 = 62, even */
	even_got_vec = last_split_vec = NULL;
	assert_int_equal(sl_graph_walk(g), 1);
	assert_non_null(last_split_vec);
	assert_ptr_equal(even_got_vec, last_split_vec);
	sl_graph_free(g);
}

/* 300 packets in one poll into a 256-packet vector: 44 dropped and counted. */
static void test_overflow_counted(void **state)
{
	(void)state;
	struct sl_graph *g = make(1, 0);
	struct sl_pktbuf *pkts[300];
	struct sl_graph_node *src;
	struct sl_graph_stats gs;

	assert_non_null(g);
	src = sl_graph_node_get(g, 0);
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 300), 0);
	for (unsigned i = 0; i < 300; i++)
		sl_pktbuf_append(pkts[i], 62);
	/* enqueue from the source as its process would, then let the walk drain */
	sl_graph_enqueue_n(g, src, 0, pkts, 200);
	sl_graph_enqueue_n(g, src, 0, pkts + 200, 100);
	sl_graph_stats(g, &gs);
	assert_int_equal(gs.overflow, 44);
	assert_int_equal(sl_graph_walk(g), 0);
	assert_int_equal(node_packets(g, "t_split"), 256);
	sl_graph_free(g);
}

static bool only_odd(const struct sl_pktbuf *p, void *arg)
{
	(void)arg;
	return p->pkt_len & 1;
}

static void test_trace(void **state)
{
	(void)state;
	struct sl_graph *g = make(8, 64);
	struct sl_graph_trace_rec recs[64];
	unsigned n;

	assert_non_null(g);
	log_capture_clear(&cap);
	assert_int_equal(sl_graph_trace_start(g, 0, NULL, NULL), -EINVAL);
	assert_non_null(strstr(cap.text, "trace: 0 packets (give 1 to 1024)"));
	assert_int_equal(sl_graph_trace_start(g, 3, NULL, NULL), 0);
	assert_int_equal(sl_graph_walk(g), 8);
	/* 3 packets: source, t_split, then t_even+t_sink or t_odd each */
	n = sl_graph_trace_read(g, recs, 64);
	unsigned per_pkt[4] = {0};

	for (unsigned i = 0; i < n; i++) {
		assert_true(recs[i].pkt >= 1 && recs[i].pkt <= 3);
		per_pkt[recs[i].pkt]++;
		if (strcmp(sl_graph_node_get(g, recs[i].node)->name, "t_split") == 0)
			assert_non_null(strstr(recs[i].info, "goes"));
		if (recs[i].node == 0)
			assert_int_equal(recs[i].data_len, SL_MIN(recs[i].len, 64));
	}
	for (unsigned k = 1; k <= 3; k++)
		assert_true(per_pkt[k] == 3 || per_pkt[k] == 4);
	/* the session is over: more walks add no records */
	sl_graph_walk(g);
	assert_int_equal(sl_graph_trace_read(g, NULL, 0), n);

	/* a filtered session: only odd lengths */
	assert_int_equal(sl_graph_trace_start(g, 2, only_odd, NULL), 0);
	sl_graph_walk(g);
	n = sl_graph_trace_read(g, recs, 64);
	assert_int_equal(n, 2 * 3); /* source, t_split, t_odd */
	for (unsigned i = 0; i < n; i++)
		assert_true(recs[i].len & 1);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sl_graph_trace_dump(f, g);
	fclose(f);
	assert_non_null(strstr(buf, "Packet 2"));
	assert_non_null(strstr(buf, "t_odd"));
	assert_non_null(strstr(buf, "goes odd"));
	free(buf);
	while (sl_graph_walk(g))
		;
	sl_graph_free(g);
}

/* Port nodes: a graph rx -> tx between two net_ring ports. */
static uint16_t to_port1(struct sl_graph *g, struct sl_graph_node *node, struct sl_pktbuf **pkts,
			 uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		pkts[i]->port = 1;
	sl_graph_move(g, node, 0, pkts, n);
	return n;
}

static struct sl_graph_node_type t_prx = {
	.name = "t_prx",
	.process = sl_graph_port_rx_process,
	.flags = SL_GRAPH_SOURCE,
	.nb_next = 1,
	.next = {"t_to1"},
};
static struct sl_graph_node_type t_to1 = {
	.name = "t_to1",
	.process = to_port1,
	.nb_next = 1,
	.next = {SL_GRAPH_PORT_TX},
};
SL_GRAPH_NODE_REGISTER(t_prx)
SL_GRAPH_NODE_REGISTER(t_to1)

static int start_port(const char *devstr)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	int p = sl_port_create(devstr);

	assert_true(p >= 0);
	assert_int_equal(sl_port_configure((uint16_t)p, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)p, 0, 256, SL_NODE_ANY, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)p, 0, 256, SL_NODE_ANY), 0);
	assert_int_equal(sl_port_start((uint16_t)p), 0);
	return p;
}

static void test_port_nodes(void **state)
{
	(void)state;
	int p0 = start_port("net_ring0");
	int p1 = start_port("net_ring1,size=64");
	struct sl_graph_source src = {.type = "t_prx"};
	struct sl_graph_port_rx rx = {(uint16_t)p0, 0};
	struct sl_pktbuf *pkts[100], *back[100];
	unsigned got = 0;

	memcpy(src.ctx, &rx, sizeof(rx));

	struct sl_graph_config cfg = {.name = "ports", .sources = &src, .nb_sources = 1};
	struct sl_graph *g = sl_graph_create(&cfg);

	assert_non_null(g);
	assert_non_null(sl_graph_node_by_name(g, "t_prx-0"));
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 100), 0);
	for (unsigned i = 0; i < 100; i++)
		sl_pktbuf_append(pkts[i], 64);
	/* net_ring ports loop back: what p0 sends, p0 receives */
	assert_int_equal(sl_port_tx_burst((uint16_t)p0, 0, pkts, 100), 100);
	while (sl_graph_walk(g))
		;
	/* port 1's ring holds 64 (size=64): the rest went to drop_tx_full, counted */
	for (uint16_t k; got < 100 && (k = sl_port_rx_burst((uint16_t)p1, 0, back + got, 32));)
		got += k;
	assert_int_equal(got, 64);
	assert_int_equal(node_packets(g, "t_prx-0"), 100);
	assert_int_equal(node_packets(g, SL_GRAPH_PORT_TX), 100);
	assert_int_equal(node_packets(g, "t_to1") - node_packets(g, "drop_tx_full"), got);
	sl_pktbuf_free_bulk(back, got);

	/* telemetry reads the same counters: the graph is listed, its drop node is a reason */
	json_t *v;

	assert_int_equal(sl_telemetry_exec("/sluice/graph/list", &v, NULL, 0), 0);
	assert_string_equal(json_string_value(json_array_get(v, 0)), "ports");
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/sluice/graph/nodes,ports", &v, NULL, 0), 0);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(v, "t_prx-0"), "packets")), 100);
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/sluice/graph/stats,ports", &v, NULL, 0), 0);
	assert_int_equal(json_integer_value(json_object_get(v, "rx")), 100);
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/sluice/drops", &v, NULL, 0), 0);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(v, "graph"), "drop_tx_full")),
		100 - got);
	json_decref(v);
	sl_graph_free(g);
	assert_int_equal(sl_telemetry_exec("/sluice/graph/list", &v, NULL, 0), 0);
	assert_int_equal(json_array_size(v), 0);
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/sluice/graph/nodes,ports", &v, NULL, 0), -ENOENT);
	assert_int_equal(sl_telemetry_exec("/sluice/drops", &v, NULL, 0), 0);
	assert_null(json_object_get(v, "graph"));
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_walk_split_and_stats),
		cmocka_unit_test(test_move_without_copy),
		cmocka_unit_test(test_overflow_counted),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_port_nodes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
