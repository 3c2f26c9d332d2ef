/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_null: a port with no wire.  rx hands out freshly allocated packets of a configured
 * size (optionally copying a template frame into them), tx frees what it is given.  It
 * measures the cost of everything but the I/O, and is the built-in port of the main job.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sl_port_driver.h"

SL_LOG_TYPE_DEFINE(net_null)

struct null_queue {
	struct sl_port_qstats st; /* (data path) */
	struct sl_pool *pool;	  /* rx only */
	uint32_t size;
	bool copy;
	uint16_t port;
	const uint8_t *frame; /* template copied into each packet when copy is on */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct null_queue, st);

struct null_port {
	uint32_t size;
	bool copy;
	bool no_rx;
	uint8_t frame[9018]; /* the largest size= */
};

static uint16_t null_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct null_queue *nq = q;

	if (sl_unlikely(sl_pktbuf_alloc_bulk(nq->pool, pkts, n) < 0)) {
		sl_counter_add(&nq->st.nombuf, n);
		return 0;
	}
	/* Locals: the stores below could alias nq (no strict aliasing) and would make the
	 * compiler reload its fields for every packet. */
	const uint32_t size = nq->size;
	const uint16_t port = nq->port;

	if (nq->copy) {
		for (uint16_t i = 0; i < n; i++)
			memcpy(sl_pktbuf_mtod(pkts[i], void *), nq->frame, size);
	}
	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		p->data_len = (uint16_t)size;
		p->pkt_len = size;
		p->port = port;
	}
	sl_counter_add(&nq->st.packets, n);
	sl_counter_add(&nq->st.bytes, (uint64_t)n * size);
	return n;
}

static uint16_t null_rx_none(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

static uint16_t null_tx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct null_queue *nq = q;

	sl_counter_add(&nq->st.bytes, sl_port_bytes(pkts, n));
	sl_counter_add(&nq->st.packets, n);
	sl_pktbuf_free_bulk(pkts, n);
	return n;
}

static void null_info(struct sl_port *port, struct sl_port_info *info)
{
	(void)port;
	info->max_rxq = SL_PORT_MAX_QUEUES;
	info->max_txq = SL_PORT_MAX_QUEUES;
}

static struct null_queue *queue_new(struct sl_port *port, int node)
{
	struct null_port *np = port->priv;
	struct null_queue *q = sl_malloc(sizeof(*q), 0, node);

	if (q == NULL)
		return NULL;
	q->size = np->size;
	q->copy = np->copy;
	q->port = port->id;
	q->frame = np->frame;
	return q;
}

static int null_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			  struct sl_pool *pool)
{
	struct null_port *np = port->priv;
	struct null_queue *q;

	(void)nb_desc;
	if (np->size + SL_PKTBUF_HEADROOM > sl_pktbuf_pool_buf_len(pool)) {
		SL_LOG(net_null, ERR,
		       "%s: packets of %u bytes do not fit the pool's %u-byte buffers", port->name,
		       np->size, sl_pktbuf_pool_buf_len(pool) - SL_PKTBUF_HEADROOM);
		return -EINVAL;
	}
	q = queue_new(port, node);
	if (q == NULL)
		return -ENOMEM;
	q->pool = pool;
	port->rxq[qid] = q;
	return 0;
}

static int null_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	struct null_queue *q = queue_new(port, node);

	(void)nb_desc;
	if (q == NULL)
		return -ENOMEM;
	port->txq[qid] = q;
	return 0;
}

static void null_rxq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->rxq[q]);
	port->rxq[q] = NULL;
}

static void null_txq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->txq[q]);
	port->txq[q] = NULL;
}

static void null_close(struct sl_port *port)
{
	free(port->priv);
}

static const struct sl_port_ops null_ops = {
	.info = null_info,
	.rxq_setup = null_rxq_setup,
	.txq_setup = null_txq_setup,
	.rxq_release = null_rxq_release,
	.txq_release = null_txq_release,
	.close = null_close,
};

static int null_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct null_port *np = calloc(1, sizeof(*np));
	uint64_t size = 64;
	int rc = 0;

	if (np == NULL)
		return -ENOMEM;
	rc |= sl_devargs_uint(args, port->name, "size", 14, 9018, &size);
	rc |= sl_devargs_bool(args, port->name, "copy", &np->copy);
	rc |= sl_devargs_bool(args, port->name, "no-rx", &np->no_rx);
	rc |= sl_devargs_bool(args, port->name, "no_rx", &np->no_rx);
	if (rc) {
		free(np);
		return -EINVAL;
	}
	np->size = (uint32_t)size;
	/* A locally administered unicast MAC that names the port: 02:53:4c:00:00:<id>. */
	memcpy(port->mac, (uint8_t[]){0x02, 0x53, 0x4c, 0x00, 0x00, (uint8_t)port->id}, 6);
	/* Template: broadcast Ethernet frame from this port carrying IPv4 (0x0800). */
	memset(np->frame, 0xff, 6);
	memcpy(np->frame + 6, port->mac, 6);
	np->frame[12] = 0x08;
	np->frame[13] = 0x00;
	port->priv = np;
	port->ops = &null_ops;
	port->rx = np->no_rx ? null_rx_none : null_rx;
	port->tx = null_tx;
	return 0;
}

static const char *const null_keys[] = {"size", "copy", "no-rx", "no_rx", NULL};

const struct sl_port_driver sl_port_driver_null = {
	.name = "net_null",
	.keys = null_keys,
	.usage = "size=BYTES (64) copy=0|1 (write a frame into each packet) no-rx=0|1",
	.probe = null_probe,
};
