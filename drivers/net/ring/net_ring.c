/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_ring: a port whose queues are rings in memory, to wire ports (or processes' threads)
 * back to back with no kernel in between.
 *
 *   net_ring0                      each queue loops back: what tx sends, rx receives
 *   net_ring0,rx=a,tx=b  net_ring1,rx=b,tx=a     two ports wired to each other
 *   rx=a:c,tx=b:d                  two queues (rings are looked up, or created)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_port_driver.h"
#include "sl_ring.h"

#define MAX_SHARED 64

/* Rings this driver created, with the queues that use them: the last user frees.  They are
 * single-producer/single-consumer (one tx queue writes, one rx queue reads, each queue
 * used by one thread at a time), which spares the compare-and-swap of multi mode. */
static struct {
	struct sl_ring *ring;
	unsigned readers, writers;
} created[MAX_SHARED];

SL_LOG_TYPE_DEFINE(net_ring)

struct ring_queue {
	struct sl_port_qstats st; /* (data path) */
	uint64_t ring_full;	  /* (data path) tx: packets the ring had no room for */
	struct sl_ring *ring;
	uint16_t port;
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct ring_queue, st);

static const struct sl_port_qxstat ring_txq_xstats[] = {
	SL_PORT_QXSTAT(struct ring_queue, ring_full),
	{NULL, 0},
};

struct ring_port {
	unsigned nb_rx, nb_tx;
	char rx_names[SL_PORT_MAX_QUEUES][SL_NAME_SIZE];
	char tx_names[SL_PORT_MAX_QUEUES][SL_NAME_SIZE];
	uint64_t size;
};

static uint16_t ring_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct ring_queue *rq = q;
	uint16_t nb = (uint16_t)sl_ring_dequeue_burst(rq->ring, (void **)pkts, n, NULL);
	uint16_t port = rq->port; /* a local: the stores below could alias rq (no strict
				     aliasing), and the compiler would reload it per packet */
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < nb; i++) {
		struct sl_pktbuf *p = pkts[i];

		p->port = port;
		bytes += p->pkt_len;
	}
	sl_counter_add(&rq->st.packets, nb);
	sl_counter_add(&rq->st.bytes, bytes);
	return nb;
}

static uint16_t ring_tx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct ring_queue *rq = q;
	uint16_t nb = (uint16_t)sl_ring_enqueue_burst(rq->ring, (void *const *)pkts, n, NULL);

	sl_counter_add(&rq->st.packets, nb);
	sl_counter_add(&rq->st.bytes, sl_port_bytes(pkts, nb));
	if (nb < n)
		sl_counter_add(&rq->ring_full, n - nb);
	return nb;
}

/* The ring `name` for an rx (reader) or tx (writer) queue: looked up, or created.  NULL
 * (logged) when it cannot be had or would get a second reader or writer. */
static struct sl_ring *ring_get(const char *port, const char *name, unsigned size, int node,
				bool rx)
{
	struct sl_ring *r = sl_ring_lookup(name);
	int slot = -1;

	for (int i = 0; i < MAX_SHARED; i++) {
		if (created[i].ring && created[i].ring == r) {
			unsigned *side = rx ? &created[i].readers : &created[i].writers;

			if (*side) {
				SL_LOG(net_ring, ERR,
				       "%s: ring '%s' has a%s already; rings this driver creates "
				       "carry one tx queue to one rx queue: give each queue its own ring, "
				       "or create a multi-producer/consumer ring with sl_ring_create() and "
				       "name it",
				       port, name,
				       rx ? "n rx queue reading it" : " tx queue writing it");
				return NULL;
			}
			(*side)++;
			return r;
		}
		if (created[i].ring == NULL && slot < 0)
			slot = i;
	}
	if (r)
		return r; /* the application's ring: it stays the application's, in its modes */
	if (slot < 0) {
		SL_LOG(net_ring, ERR,
		       "%s: cannot create ring '%s': this driver holds %d rings already", port,
		       name, MAX_SHARED);
		return NULL;
	}
	r = sl_ring_create(name, size, node, SL_RING_SP_ENQ | SL_RING_SC_DEQ);
	if (r == NULL) {
		SL_LOG(net_ring, ERR, "%s: cannot create ring '%s' of %u slots: %s", port, name,
		       size, strerror(errno));
		return NULL;
	}
	created[slot].ring = r;
	created[slot].readers = rx;
	created[slot].writers = !rx;
	return r;
}

static void ring_put(struct sl_ring *r, bool rx)
{
	for (int i = 0; i < MAX_SHARED; i++)
		if (created[i].ring == r) {
			(*(rx ? &created[i].readers : &created[i].writers))--;
			if (created[i].readers + created[i].writers == 0) {
				sl_port_ring_free_pkts(r); /* sent, never received */
				sl_ring_free(r);
				created[i].ring = NULL;
			}
		}
}

static void ring_info(struct sl_port *port, struct sl_port_info *info)
{
	struct ring_port *rp = port->priv;

	info->max_rxq = (uint16_t)rp->nb_rx;
	info->max_txq = (uint16_t)rp->nb_tx;
}

static int queue_setup(struct sl_port *port, uint16_t qid, int node, bool rx)
{
	struct ring_port *rp = port->priv;
	const char *name = rx ? rp->rx_names[qid] : rp->tx_names[qid];
	struct ring_queue *q = sl_malloc(sizeof(*q), 0, node);

	if (q == NULL)
		return -ENOMEM;
	q->ring = ring_get(port->name, name, (unsigned)rp->size, node, rx);
	if (q->ring == NULL) {
		sl_free(q);
		return -EINVAL;
	}
	q->port = port->id;
	if (rx)
		port->rxq[qid] = q;
	else
		port->txq[qid] = q;
	return 0;
}

static int ring_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			  struct sl_pool *pool)
{
	(void)nb_desc;
	(void)pool;
	return queue_setup(port, qid, node, true);
}

static int ring_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	(void)nb_desc;
	return queue_setup(port, qid, node, false);
}

static void queue_release(void **slot, bool rx)
{
	struct ring_queue *q = *slot;

	if (q == NULL)
		return;
	ring_put(q->ring, rx);
	sl_free(q);
	*slot = NULL;
}

static void ring_rxq_release(struct sl_port *port, uint16_t q)
{
	queue_release(&port->rxq[q], true);
}

static void ring_txq_release(struct sl_port *port, uint16_t q)
{
	queue_release(&port->txq[q], false);
}

static void ring_close(struct sl_port *port)
{
	free(port->priv);
}

static const struct sl_port_ops ring_ops = {
	.info = ring_info,
	.rxq_setup = ring_rxq_setup,
	.txq_setup = ring_txq_setup,
	.rxq_release = ring_rxq_release,
	.txq_release = ring_txq_release,
	.close = ring_close,
	.txq_xstats = ring_txq_xstats,
};

/* Splits "a:b:c" into names; returns the count or -EINVAL (logged). */
static int split_names(const char *port, const char *key, const char *list,
		       char names[][SL_NAME_SIZE])
{
	int n = 0;

	while (list && *list) {
		const char *end = strchr(list, ':');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if (n == SL_PORT_MAX_QUEUES || len == 0 || len >= SL_NAME_SIZE - 3) {
			SL_LOG(net_ring, ERR,
			       "%s: %s= takes 1 to %d ring names of 1 to %d characters, separated by ':'",
			       port, key, SL_PORT_MAX_QUEUES, SL_NAME_SIZE - 4);
			return -EINVAL;
		}
		memcpy(names[n], list, len);
		names[n][len] = '\0';
		n++;
		list = end ? end + 1 : NULL;
	}
	return n;
}

static int ring_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct ring_port *rp = calloc(1, sizeof(*rp));
	const char *rx = sl_devargs_get(args, "rx"), *tx = sl_devargs_get(args, "tx");
	int nrx, ntx;

	if (rp == NULL)
		return -ENOMEM;
	rp->size = 1024;
	if (sl_devargs_uint(args, port->name, "size", 2, 1u << 24, &rp->size) < 0)
		goto bad;
	if (!SL_IS_POW2(rp->size)) {
		SL_LOG(net_ring, ERR, "%s: size=%llu is not a power of two; use %u", port->name,
		       (unsigned long long)rp->size, sl_pow2_ceil((uint32_t)rp->size));
		goto bad;
	}
	if ((rx == NULL) != (tx == NULL)) {
		SL_LOG(net_ring, ERR, "%s: give both rx= and tx= rings, or neither for a loopback",
		       port->name);
		goto bad;
	}
	if (rx == NULL) {
		/* Loopback: queue i sends into and receives from one ring. */
		for (int i = 0; i < SL_PORT_MAX_QUEUES; i++) {
			snprintf(rp->rx_names[i], SL_NAME_SIZE, "%.20s_q%d", port->name, i);
			strcpy(rp->tx_names[i], rp->rx_names[i]);
		}
		rp->nb_rx = rp->nb_tx = SL_PORT_MAX_QUEUES;
	} else {
		nrx = split_names(port->name, "rx", rx, rp->rx_names);
		ntx = split_names(port->name, "tx", tx, rp->tx_names);
		if (nrx <= 0 || ntx <= 0)
			goto bad;
		rp->nb_rx = (unsigned)nrx;
		rp->nb_tx = (unsigned)ntx;
	}
	memcpy(port->mac, (uint8_t[]){0x02, 0x53, 0x4c, 0x00, 0x01, (uint8_t)port->id}, 6);
	port->priv = rp;
	port->ops = &ring_ops;
	port->rx = ring_rx;
	port->tx = ring_tx;
	return 0;
bad:
	free(rp);
	return -EINVAL;
}

static const char *const ring_keys[] = {"rx", "tx", "size", NULL};

const struct sl_port_driver sl_port_driver_ring = {
	.name = "net_ring",
	.keys = ring_keys,
	.usage = "rx=RING[:RING..] tx=RING[:RING..] (default: each queue loops back) size=SLOTS (1024)",
	.probe = ring_probe,
};
