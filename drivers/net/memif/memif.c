/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_memif: packets over shared memory with another process (DPDK net_memif, VPP,
 * libmemif, or another Sluice), memif protocol v2.0: copy mode, and zero-copy for the
 * client (zero-copy=yes, memif_zc.c).
 *
 *   net_memif0,role=server,socket=/run/sluice/memif.sock,socket-abstract=no,id=0
 *   net_memif0,role=client                 (DPDK's defaults: abstract @/run/memif.sock)
 *
 * This file holds the port ops and the copy data path; memif_zc.c the zero-copy client's
 * data path; memif_ctl.c the control thread and the handshake.  The data path copies
 * between packet buffers and the shared buffers, checks every index and descriptor the
 * peer wrote before use, and hands a misbehaving peer to the control thread
 * (memif_ctl_fault) which disconnects it.  See docs/drivers/memif.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memif_dp.h"

SL_LOG_TYPE_DEFINE(net_memif)

/* Copies the chain's bytes into new packet buffers; NULL when the pool ran dry. */
static struct sl_pktbuf *copy_in(struct memif_queue *q, const struct memif_desc *loc, unsigned k)
{
	struct sl_pktbuf *head = sl_pktbuf_alloc(q->pool), *seg = head;

	if (head == NULL)
		return NULL;
	for (unsigned i = 0; i < k; i++) {
		if (sl_pktbuf_copy_in(head, &seg, q->pool, desc_addr(q, &loc[i]), loc[i].length)) {
			sl_pktbuf_free(head);
			return NULL;
		}
	}
	head->port = q->port;
	return head;
}

/* --- receive --- */

/*
 * Server: consumes the c2s ring [last, head) and publishes tail.  Client: consumes the s2c
 * ring [last, tail) and refills head with empty buffers.  Every descriptor is read once,
 * checked, then copied out; a bad one stops the burst and faults the queue.
 */
static uint16_t memif_rx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct memif_queue *q = qv;
	struct memif_ring *ring;
	struct memif_desc loc[MEMIF_MAX_CHAIN];
	uint16_t cur, end, avail, nb = 0;
	uint64_t bytes = 0;

	if (!sl_gate_enter(&q->gate))
		return 0;
	ring = q->ring;
	cur = q->last;
	if (q->client) {
		end = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
		/* The server can only fill slots we handed it. */
		if ((uint16_t)(end - cur) > (uint16_t)(q->refill - cur)) {
			fault_ring(q);
			goto out;
		}
	} else {
		end = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
		if ((uint16_t)(end - cur) > q->size) {
			fault_ring(q);
			goto out;
		}
	}
	avail = (uint16_t)(end - cur);
	while (nb < n && avail) {
		unsigned k = 0;
		uint64_t total = 0;
		struct sl_pktbuf *p;

		do {
			if (k == avail || k == MEMIF_MAX_CHAIN) {
				fault_desc(q, MEMIF_FAULT_CHAIN);
				goto publish;
			}
			loc[k] = desc_read(ring, (uint16_t)(cur + k) & q->mask);
			if (sl_unlikely(!desc_ok(q, &loc[k]))) {
				fault_desc(q, MEMIF_FAULT_DESC);
				goto publish;
			}
			total += loc[k].length;
		} while (loc[k++].flags & MEMIF_DESC_FLAG_NEXT);
		p = copy_in(q, loc, k);
		if (p) {
			pkts[nb++] = p;
			bytes += total;
		} else {
			sl_counter_add(&q->st.nombuf, 1);
		}
		cur = (uint16_t)(cur + k);
		avail = (uint16_t)(avail - k);
	}
publish:
	q->last = cur;
	if (q->client) {
		if (!sl_gate_fault_of(&q->gate)) {
			uint16_t head = (uint16_t)(cur + q->size);

			for (uint16_t s = q->refill; s != head; s++) {
				struct memif_desc *d = &ring->desc[s & q->mask];

				d->flags = 0;
				d->region = 0;
				d->offset = (uint32_t)(q->buf_base +
						       (uint64_t)(s & q->mask) * q->bsize);
				d->length = q->bsize;
			}
			q->refill = head;
			__atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
		}
	} else {
		__atomic_store_n(&ring->tail, cur, __ATOMIC_RELEASE);
	}
out:
	sl_gate_leave(&q->gate);
	sl_counter_add(&q->st.packets, nb);
	sl_counter_add(&q->st.bytes, bytes);
	return nb;
}

/* --- transmit --- */

/* Copies a packet's bytes into the buffers of loc[0..k), setting lengths and NEXT flags
 * in the ring slots from `slot`.  cap(i) is each buffer's capacity. */
static void copy_out(struct memif_queue *q, struct memif_ring *ring, uint16_t slot,
		     const struct sl_pktbuf *p, struct memif_desc *loc, unsigned k)
{
	const struct sl_pktbuf *seg = p;
	uint32_t seg_off = 0;

	for (unsigned i = 0; i < k; i++) {
		uint8_t *dst = desc_addr(q, &loc[i]);
		uint32_t cap = loc[i].length, used = 0;
		struct memif_desc *d = &ring->desc[(uint16_t)(slot + i) & q->mask];

		while (used < cap && seg) {
			uint32_t c = SL_MIN(cap - used, (uint32_t)seg->data_len - seg_off);

			memcpy(dst + used, sl_pktbuf_mtod_offset(seg, const uint8_t *, seg_off), c);
			used += c;
			seg_off += c;
			if (seg_off == seg->data_len) {
				seg = seg->next;
				seg_off = 0;
			}
		}
		if (q->client) {
			d->region = loc[i].region;
			d->offset = loc[i].offset;
		}
		d->length = used;
		d->flags = i + 1 < k ? MEMIF_DESC_FLAG_NEXT : 0;
	}
}

/*
 * Client: fills the c2s ring from head with its own buffers (capacity bsize), publishes
 * head.  Server: fills the s2c ring from tail into the buffers the client refilled (each
 * descriptor's length is its capacity), publishes tail.
 */
static uint16_t memif_tx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct memif_queue *q = qv;
	struct memif_ring *ring;
	struct memif_desc loc[MEMIF_MAX_CHAIN];
	uint16_t pos, free_slots, i = 0, sent = 0;
	uint64_t bytes = 0;

	if (!sl_gate_enter(&q->gate)) {
		sl_counter_add(&q->link_down, n);
		return 0;
	}
	ring = q->ring;
	pos = q->last;
	if (q->client) {
		uint16_t tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);

		if ((uint16_t)(pos - tail) > q->size) {
			fault_ring(q);
			goto out;
		}
		free_slots = (uint16_t)(q->size - (uint16_t)(pos - tail));
	} else {
		uint16_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);

		if ((uint16_t)(head - pos) > q->size) {
			fault_ring(q);
			goto out;
		}
		free_slots = (uint16_t)(head - pos);
	}
	for (; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];
		uint64_t left = p->pkt_len;
		unsigned k = 0;

		/* Gather enough buffers for the whole packet before writing anything. */
		do {
			if (k == MEMIF_MAX_CHAIN)
				break;
			if (k == free_slots)
				goto publish; /* ring full: the rest stays the caller's */
			if (q->client) {
				loc[k].region = 0;
				loc[k].offset =
					(uint32_t)(q->buf_base +
						   (uint64_t)((pos + k) & q->mask) * q->bsize);
				loc[k].length = q->bsize;
			} else {
				loc[k] = desc_read(ring, (uint16_t)(pos + k) & q->mask);
				if (sl_unlikely(!desc_ok(q, &loc[k]) || loc[k].length == 0)) {
					fault_desc(q, MEMIF_FAULT_DESC);
					goto publish;
				}
			}
			left -= SL_MIN(left, (uint64_t)loc[k].length);
			k++;
		} while (left);
		if (left) {
			count_too_big(q); /* dropped below with the sent ones */
			continue;
		}
		copy_out(q, ring, pos, p, loc, k);
		pos = (uint16_t)(pos + k);
		free_slots = (uint16_t)(free_slots - k);
		bytes += p->pkt_len;
		sent++;
	}
publish:
	if (q->client)
		__atomic_store_n(&ring->head, pos, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&ring->tail, pos, __ATOMIC_RELEASE);
	q->last = pos;
	if (sent)
		signal_peer(q);
out:
	sl_gate_leave(&q->gate);
	sl_pktbuf_free_bulk(pkts, i);
	sl_counter_add(&q->st.packets, sent);
	sl_counter_add(&q->st.bytes, bytes);
	if (i < n)
		sl_counter_add(&q->ring_full, n - i);
	return i;
}

/* --- port ops --- */

static void memif_info(struct sl_port *port, struct sl_port_info *info)
{
	(void)port;
	info->max_rxq = SL_PORT_MAX_QUEUES;
	info->max_txq = SL_PORT_MAX_QUEUES;
	info->min_mtu = 68;
	info->max_mtu = 9000;
	info->max_rx_pktlen = 65535;
}

struct qcount {
	uint16_t rx, tx;
};

static void set_counts(struct memif_if *mif, void *arg)
{
	const struct qcount *qc = arg;

	mif->nb_rxq = qc->rx;
	mif->nb_txq = qc->tx;
}

static int memif_configure(struct sl_port *port)
{
	struct memif_if *mif = port->priv;
	struct qcount qc = {port->conf.nb_rxq, port->conf.nb_txq};
	uint64_t size;

	if (qc.rx == 0 || qc.tx == 0) {
		SL_LOG(net_memif, ERR,
		       "%s: memif needs at least one rx and one tx queue (got %u rx, %u tx)",
		       port->name, qc.rx, qc.tx);
		return -EINVAL;
	}
	/* Zero-copy: region 0 holds the rings only, the buffers are the pools' memory. */
	size = memif_region_size(qc.tx, qc.rx, mif->log2, mif->zc ? 0 : mif->bsize);
	if (mif->role == MEMIF_ROLE_CLIENT && size > UINT32_MAX) {
		SL_LOG(net_memif, ERR,
		       "%s: %u+%u rings of 2^%u buffers of %u bytes need %llu bytes, beyond the 4 GiB "
		       "memif offsets reach; lower rsize= or bsize=",
		       port->name, qc.tx, qc.rx, mif->log2, mif->bsize, (unsigned long long)size);
		return -EINVAL;
	}
	memif_ctl_locked(set_counts, mif, &qc);
	return 0;
}

struct qset {
	uint16_t qid;
	bool rx;
	struct memif_queue *q;
};

static void set_queue(struct memif_if *mif, void *arg)
{
	struct qset *qs = arg;
	struct memif_queue **slot = qs->rx ? &mif->rxq[qs->qid] : &mif->txq[qs->qid];

	*slot = qs->q;
}

static int queue_setup(struct sl_port *port, uint16_t qid, int node, struct sl_pool *pool,
		       bool rx)
{
	struct memif_if *mif = port->priv;
	struct memif_queue *q = sl_malloc(sizeof(*q), SL_CACHE_LINE, node);
	struct qset qs = {qid, rx, q};

	if (q == NULL)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	if (mif->zc) {
		/* Which buffer each ring slot holds: private memory, never shared. */
		q->slot_buf = calloc(1u << mif->log2, sizeof(*q->slot_buf));
		q->slot_off = rx ? calloc(1u << mif->log2, sizeof(*q->slot_off)) : NULL;
		if (q->slot_buf == NULL || (rx && q->slot_off == NULL)) {
			free(q->slot_buf);
			free(q->slot_off);
			sl_free(q);
			return -ENOMEM;
		}
	}
	q->port = port->id;
	q->qid = qid;
	q->rx = rx;
	q->pool = pool;
	q->mif = mif;
	q->irq_fd = -1;
	memif_ctl_locked(set_queue, mif, &qs);
	if (rx)
		port->rxq[qid] = q;
	else
		port->txq[qid] = q;
	return 0;
}

static int memif_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			   struct sl_pool *pool)
{
	(void)nb_desc; /* the ring size is rsize= (the client decides it) */
	return queue_setup(port, qid, node, pool, true);
}

static int memif_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	(void)nb_desc;
	return queue_setup(port, qid, node, NULL, false);
}

static void queue_release(struct sl_port *port, uint16_t qid, bool rx)
{
	void **slot = rx ? &port->rxq[qid] : &port->txq[qid];
	struct qset qs = {qid, rx, NULL};
	struct memif_queue *q = *slot;

	memif_ctl_locked(set_queue, port->priv, &qs);
	if (q) {
		free(q->slot_buf);
		free(q->slot_off);
	}
	sl_free(q);
	*slot = NULL;
}

static void memif_rxq_release(struct sl_port *port, uint16_t qid)
{
	queue_release(port, qid, true);
}

static void memif_txq_release(struct sl_port *port, uint16_t qid)
{
	queue_release(port, qid, false);
}

static int memif_start(struct sl_port *port)
{
	struct memif_if *mif = port->priv;

	if (mif->zc) {
		int rc = memif_zc_prepare(port);

		if (rc < 0)
			return rc;
	}
	return memif_ctl_start(mif);
}

static void memif_stop(struct sl_port *port)
{
	memif_ctl_stop(port->priv);
}

static void memif_close(struct sl_port *port)
{
	memif_ctl_detach(port->priv);
	free(port->priv);
	port->priv = NULL;
}

static int memif_link(struct sl_port *port, struct sl_port_link *link)
{
	struct memif_if *mif = port->priv;

	link->up = __atomic_load_n(&mif->link_up, __ATOMIC_ACQUIRE) != 0;
	link->full_duplex = true;
	link->speed_mbps = 0;
	return 0;
}

/* The interface's counters, kept by the control thread. */
static const struct sl_port_qxstat memif_port_xstats[] = {
	SL_PORT_QXSTAT(struct memif_if, connects),
	SL_PORT_QXSTAT(struct memif_if, disconnects),
	SL_PORT_QXSTAT(struct memif_if, ctl_rejected),
	SL_PORT_QXSTAT(struct memif_if, peer_faults),
	{NULL, 0},
};

/* memif's own per-queue counters, "rx_qN_bad_desc"...; the zero-copy client's tables add
 * the counters only its data path keeps. */
#define MEMIF_QX(field) SL_PORT_QXSTAT(struct memif_queue, field)
#define MEMIF_RXQ_XSTATS MEMIF_QX(bad_desc), MEMIF_QX(bad_ring)
#define MEMIF_TXQ_XSTATS                                                                           \
	MEMIF_QX(link_down), MEMIF_QX(ring_full), MEMIF_QX(too_big), MEMIF_QX(bad_desc),           \
		MEMIF_QX(bad_ring)

static const struct sl_port_qxstat memif_rxq_xstats[] = {MEMIF_RXQ_XSTATS, {NULL, 0}};
static const struct sl_port_qxstat memif_txq_xstats[] = {MEMIF_TXQ_XSTATS, {NULL, 0}};
static const struct sl_port_qxstat memif_zc_rxq_xstats[] = {
	MEMIF_RXQ_XSTATS,
	MEMIF_QX(zc_restock_short),
	{NULL, 0},
};
static const struct sl_port_qxstat memif_zc_txq_xstats[] = {
	MEMIF_TXQ_XSTATS,
	MEMIF_QX(zc_copied),
	MEMIF_QX(no_buf),
	{NULL, 0},
};

/* Copy mode and zero-copy client differ only in their counter tables. */
#define MEMIF_OPS(rxt, txt)                                                                        \
	{                                                                                          \
		.info = memif_info, .configure = memif_configure, .rxq_setup = memif_rxq_setup,    \
		.txq_setup = memif_txq_setup, .rxq_release = memif_rxq_release,                    \
		.txq_release = memif_txq_release, .start = memif_start, .stop = memif_stop,        \
		.close = memif_close, .link = memif_link, .port_xstats = memif_port_xstats,        \
		.rxq_xstats = (rxt), .txq_xstats = (txt),                                          \
	}

static const struct sl_port_ops memif_ops = MEMIF_OPS(memif_rxq_xstats, memif_txq_xstats);
static const struct sl_port_ops memif_zc_ops = MEMIF_OPS(memif_zc_rxq_xstats, memif_zc_txq_xstats);

/* --- probe --- */

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int memif_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct memif_if *mif = calloc(1, sizeof(*mif));
	const char *role = sl_devargs_get(args, "role");
	const char *sock = sl_devargs_get(args, "socket");
	const char *secret = sl_devargs_get(args, "secret");
	const char *mac = sl_devargs_get(args, "mac");
	uint64_t id = 0, bsize = 2048, rsize = 10;
	bool zc = false;
	int rc = -EINVAL;

	if (mif == NULL)
		return -ENOMEM;
	snprintf(mif->name, sizeof(mif->name), "%s", port->name);
	mif->port_id = port->id;
	mif->abstract = true; /* DPDK's default */
	if (sl_devargs_uint(args, port->name, "id", 0, UINT32_MAX, &id) < 0 ||
	    sl_devargs_uint(args, port->name, "bsize", 64, UINT16_MAX, &bsize) < 0 ||
	    sl_devargs_uint(args, port->name, "rsize", 1, MEMIF_MAX_LOG2_RING, &rsize) < 0 ||
	    sl_devargs_bool(args, port->name, "socket-abstract", &mif->abstract) < 0 ||
	    sl_devargs_bool(args, port->name, "zero-copy", &zc) < 0)
		goto fail;
	if (role == NULL || strcmp(role, "server") == 0 || strcmp(role, "master") == 0) {
		mif->role = MEMIF_ROLE_SERVER;
	} else if (strcmp(role, "client") == 0 || strcmp(role, "slave") == 0) {
		mif->role = MEMIF_ROLE_CLIENT;
	} else {
		SL_LOG(net_memif, ERR, "%s: role=%s is not server or client", port->name, role);
		goto fail;
	}
	if (zc && mif->role == MEMIF_ROLE_SERVER) {
		SL_LOG(net_memif, ERR,
		       "%s: zero-copy=yes needs role=client: in memif the client shares its packet "
		       "buffers and the server always copies; drop zero-copy=yes on the server "
		       "(it serves zero-copy clients as it is)",
		       port->name);
		goto fail;
	}
	mif->zc = zc;
	if (sock == NULL)
		sock = MEMIF_SOCKET_DEFAULT;
	if (sock[0] == '\0' || strlen(sock) > (mif->abstract ? 106u : 107u)) {
		SL_LOG(net_memif, ERR, "%s: socket=%s must be 1 to %u characters", port->name, sock,
		       mif->abstract ? 106 : 107);
		goto fail;
	}
	if (!mif->abstract && sock[0] != '/') {
		SL_LOG(net_memif, ERR, "%s: socket=%s must be an absolute path", port->name, sock);
		goto fail;
	}
	strcpy(mif->path, sock);
	if (secret && strlen(secret) > MEMIF_SECRET_SIZE) {
		SL_LOG(net_memif, ERR, "%s: secret= is %zu characters, at most %u", port->name,
		       strlen(secret), MEMIF_SECRET_SIZE);
		goto fail;
	}
	if (secret)
		strcpy(mif->secret, secret);
	mif->id = (uint32_t)id;
	mif->bsize = (uint32_t)bsize;
	mif->log2 = (uint8_t)rsize;
	memcpy(port->mac, (uint8_t[]){0x02, 0x53, 0x4c, 0x6d, (uint8_t)(port->id >> 8),
				      (uint8_t)port->id}, 6);
	if (mac && parse_mac(mac, port->mac) < 0) {
		SL_LOG(net_memif, ERR, "%s: mac=%s is not xx:xx:xx:xx:xx:xx", port->name, mac);
		goto fail;
	}
	mif->nb_rxq = mif->nb_txq = 1;
	rc = memif_ctl_attach(mif);
	if (rc < 0)
		goto fail;
	port->priv = mif;
	port->ops = zc ? &memif_zc_ops : &memif_ops;
	port->rx = zc ? memif_zc_rx : memif_rx;
	port->tx = zc ? memif_zc_tx : memif_tx;
	mif->zc_release = zc ? memif_zc_release : NULL;
	return 0;
fail:
	free(mif);
	return rc;
}

static const char *const memif_keys[] = {"id",  "role", "socket", "socket-abstract", "secret",
					 "bsize", "rsize", "mac", "zero-copy", NULL};

const struct sl_port_driver sl_port_driver_memif = {
	.name = "net_memif",
	.keys = memif_keys,
	.usage = "role=server|client (server) id=N (0) socket=PATH (/run/memif.sock) "
		 "socket-abstract=yes|no (yes) secret=S bsize=BYTES (2048) rsize=LOG2 (10) "
		 "mac=xx:xx:xx:xx:xx:xx zero-copy=yes|no (no; client only)",
	.probe = memif_probe,
};
