/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An application's own poll-mode driver, built outside the tree against the installed
 * library:
 *   cc fifo.c $(pkg-config --cflags --libs libsluice) -o fifo
 *
 * net_fifo: each queue loops back through a small array (what tx sends, rx of the same
 * queue receives), one thread per queue.  It shows the whole contract of a driver:
 *   - a const struct sl_port_driver {name, keys, usage, probe}, registered at run time;
 *   - probe() sets the ops table and the burst functions (the port layer checks them);
 *   - every queue object starts with struct sl_port_qstats, which the bursts bump: the
 *     port layer sums, names and resets those counters;
 *   - counters of its own (here tx_q<N>_fifo_full) listed in a small table;
 *   - its own log type, so `--log-level fifo:debug` turns on its lines alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <sl_port.h>
#include <sl_port_driver.h>
#include <sl_runtime.h>

SL_LOG_TYPE_DEFINE(net_fifo)

#define FIFO_MAX 1024

/* The packets in flight between tx queue q and rx queue q. */
struct fifo {
	uint32_t depth, head, count;
	struct sl_pktbuf *slots[FIFO_MAX];
};

/* A queue: its counters first (rx and tx queues are distinct objects, each with its own),
 * then what its burst function needs. */
struct fifo_queue {
	struct sl_port_qstats st; /* the port layer's counters */
	uint64_t full;		  /* tx: packets that found the fifo full (not taken) */
	struct fifo *fifo;
	uint16_t port;
};
SL_PORT_QUEUE_CHECK(struct fifo_queue, st);

struct fifo_port {
	uint32_t depth;
	struct fifo *fifo[SL_PORT_MAX_QUEUES]; /* shared by rx and tx queue q */
};

static uint16_t fifo_rx(void *queue, struct sl_pktbuf **pkts, uint16_t n)
{
	struct fifo_queue *q = queue;
	struct fifo *f = q->fifo;
	uint16_t nb = 0;
	uint64_t bytes = 0;

	for (; nb < n && f->count; nb++, f->count--) {
		pkts[nb] = f->slots[f->head];
		f->head = (f->head + 1) % f->depth;
		pkts[nb]->port = q->port;
		bytes += pkts[nb]->pkt_len;
	}
	sl_counter_add(&q->st.packets, nb);
	sl_counter_add(&q->st.bytes, bytes);
	return nb;
}

static uint16_t fifo_tx(void *queue, struct sl_pktbuf **pkts, uint16_t n)
{
	struct fifo_queue *q = queue;
	struct fifo *f = q->fifo;
	uint16_t nb = 0;

	for (; nb < n && f->count < f->depth; nb++, f->count++)
		f->slots[(f->head + f->count) % f->depth] = pkts[nb];
	sl_counter_add(&q->st.packets, nb);
	sl_counter_add(&q->st.bytes, sl_port_bytes(pkts, nb));
	if (nb < n)
		sl_counter_add(&q->full, n - nb);
	return nb;
}

/* A queue object over fifo q, which the first of rx and tx queue q to be set up creates. */
static struct fifo_queue *queue_new(struct sl_port *port, uint16_t q, int node)
{
	struct fifo_port *fp = port->priv;
	struct fifo_queue *fq;

	if (fp->fifo[q] == NULL) {
		fp->fifo[q] = sl_malloc(sizeof(struct fifo), 0, node);
		if (fp->fifo[q] == NULL)
			return NULL;
		fp->fifo[q]->depth = fp->depth;
	}
	fq = sl_malloc(sizeof(*fq), 0, node);
	if (fq) {
		fq->fifo = fp->fifo[q];
		fq->port = port->id;
	}
	return fq;
}

static int fifo_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			  struct sl_pool *pool)
{
	(void)nb_desc;
	(void)pool;
	port->rxq[q] = queue_new(port, q, node);
	return port->rxq[q] ? 0 : -ENOMEM;
}

static int fifo_txq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node)
{
	(void)nb_desc;
	port->txq[q] = queue_new(port, q, node);
	return port->txq[q] ? 0 : -ENOMEM;
}

static void fifo_rxq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->rxq[q]);
}

static void fifo_txq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->txq[q]);
}

static void fifo_info(struct sl_port *port, struct sl_port_info *info)
{
	(void)port;
	info->max_rxq = info->max_txq = SL_PORT_MAX_QUEUES;
}

static void fifo_close(struct sl_port *port)
{
	struct fifo_port *fp = port->priv;

	/* Packets still in a fifo were taken by tx: they are freed here. */
	for (int q = 0; q < SL_PORT_MAX_QUEUES; q++)
		if (fp->fifo[q]) {
			for (uint32_t i = 0; i < fp->fifo[q]->count; i++)
				sl_pktbuf_free(
					fp->fifo[q]->slots[(fp->fifo[q]->head + i) % fp->depth]);
			sl_free(fp->fifo[q]);
		}
	free(fp);
}

static const struct sl_port_qxstat fifo_txq_xstats[] = {
	SL_PORT_QXSTAT_NAMED("fifo_full", struct fifo_queue, full),
	{NULL, 0},
};

static const struct sl_port_ops fifo_ops = {
	.info = fifo_info,
	.rxq_setup = fifo_rxq_setup,
	.txq_setup = fifo_txq_setup,
	.rxq_release = fifo_rxq_release,
	.txq_release = fifo_txq_release,
	.close = fifo_close,
	.txq_xstats = fifo_txq_xstats,
};

static int fifo_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct fifo_port *fp = calloc(1, sizeof(*fp));
	uint64_t depth = 64;

	if (fp == NULL)
		return -ENOMEM;
	if (sl_devargs_uint(args, port->name, "depth", 1, FIFO_MAX, &depth) < 0) {
		free(fp);
		return -EINVAL;
	}
	fp->depth = (uint32_t)depth;
	SL_LOG(net_fifo, DEBUG, "%s: fifos of %u packets", port->name, fp->depth);
	port->priv = fp;
	port->ops = &fifo_ops;
	port->rx = fifo_rx;
	port->tx = fifo_tx;
	return 0;
}

static const char *const fifo_keys[] = {"depth", NULL};

static const struct sl_port_driver fifo_driver = {
	.name = "net_fifo",
	.keys = fifo_keys,
	.usage = "depth=PACKETS (64, at most 1024)",
	.probe = fifo_probe,
};

int main(int argc, char **argv)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_pktbuf *pkts[16], *back[16];
	struct sl_port_xstat xs[64];
	struct sl_port_stats st;
	struct sl_pool *pool;
	int n = sl_init(argc, argv), port, nx;
	uint16_t sent, got;

	if (n < 0)
		return n == -ECANCELED ? 0 : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sl_port_driver_register(&fifo_driver) < 0)
		return 1;
	/* --vdev net_fifo0,depth=8 works too, once the driver is registered. */
	if (sl_port_create_vdevs() < 0)
		return 1;
	port = sl_port_lookup("net_fifo0");
	if (port < 0)
		port = sl_port_create("net_fifo0,depth=8");
	pool = sl_pktbuf_pool_create("fifo_pkts", 1023, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE,
				     SL_NODE_ANY);
	if (port < 0 || pool == NULL || sl_port_configure((uint16_t)port, &conf) < 0 ||
	    sl_port_rxq_setup((uint16_t)port, 0, 0, SL_NODE_ANY, pool) < 0 ||
	    sl_port_txq_setup((uint16_t)port, 0, 0, SL_NODE_ANY) < 0 ||
	    sl_port_start((uint16_t)port) < 0 || sl_pktbuf_alloc_bulk(pool, pkts, 16) < 0)
		return 1;
	for (int i = 0; i < 16; i++)
		snprintf(sl_pktbuf_append(pkts[i], 16), 16, "packet %d", i);
	sent = sl_port_tx_burst((uint16_t)port, 0, pkts, 16);
	sl_pktbuf_free_bulk(pkts + sent, (uint16_t)(16 - sent)); /* not taken: still ours */
	got = sl_port_rx_burst((uint16_t)port, 0, back, 16);
	printf("sent %u of 16, received %u: \"%s\" .. \"%s\"\n", sent, got,
	       got ? sl_pktbuf_mtod(back[0], char *) : "",
	       got ? sl_pktbuf_mtod(back[got - 1], char *) : "");
	sl_pktbuf_free_bulk(back, got);
	sl_port_stats((uint16_t)port, &st);
	printf("stats: ipackets %" PRIu64 " ibytes %" PRIu64 " opackets %" PRIu64 "\n", st.ipackets,
	       st.ibytes, st.opackets);
	nx = sl_port_xstats((uint16_t)port, xs, 64);
	for (int i = 0; i < nx && i < 64; i++)
		if (xs[i].value)
			printf("xstat %s %" PRIu64 "\n", xs[i].name, xs[i].value);
	sl_port_close((uint16_t)port);
	printf("buffers in use after close: %u\n", sl_pool_in_use(pool));
	sl_pool_free(pool);
	sl_cleanup();
	return 0;
}
