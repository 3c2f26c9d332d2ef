/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp: a port on a kernel interface through AF_XDP sockets (libxdp, libbpf).
 *
 *   net_af_xdp0,iface=veth0                           queue 0 of veth0
 *   net_af_xdp0,iface=eth0,start_queue=2,queue_count=2   queues 2 and 3 of eth0
 *   ...,xdp_mode=native|skb  zero_copy=0|1  umem=pool|driver  frame_size=2048|4096
 *      busy_budget=N  xdp_attach=link|libxdp
 *
 * This file: the data path (rx and tx bursts for both kinds of UMEM), the ops table,
 * information, statistics and probe.  How the driver works: af_xdp_priv.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "af_xdp_priv.h"

SL_LOG_TYPE_DEFINE(net_af_xdp)

/* --- rx, pool UMEM --- */

static inline void rx_kick(struct xdp_rxq *rq)
{
	if (recvfrom(rq->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENETDOWN)
		sl_counter_add(&rq->kick_errors, 1);
}

static uint16_t xdp_rx_pool(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct xdp_rxq *rq = q;
	uint32_t idx = 0, nb;
	uint64_t bytes = 0;

	nb = xsk_ring_cons__peek(&rq->rx, n, &idx);
	if (nb == 0) {
		if (rq->fill_need)
			axdp_fill_refill(rq);
		if (xsk_ring_prod__needs_wakeup(&rq->fill) || rq->busy_poll)
			rx_kick(rq);
		return 0;
	}
	for (uint32_t i = 0; i < nb; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rq->rx, idx + i);
		uint8_t *buf = rq->umem + xsk_umem__extract_addr(d->addr);
		struct sl_pktbuf *p = (struct sl_pktbuf *)(void *)(buf - rq->buf_off);

		/* A pool object has refcnt 1, one segment and no next; the rest is reset here.
		 * The kernel wrote the frame `offset` bytes into the chunk, after its headroom. */
		p->data_off = (uint16_t)xsk_umem__extract_offset(d->addr);
		p->data_len = (uint16_t)d->len;
		p->pkt_len = d->len;
		p->port = rq->port;
		p->ol_flags = 0;
		p->packet_type = 0;
		p->vlan_tci = 0;
		own_clear(&rq->own, p);
		pkts[i] = p;
		bytes += d->len;
	}
	xsk_ring_cons__release(&rq->rx, nb);
	rq->fill_need += nb;
	if (rq->fill_need >= FILL_BATCH)
		axdp_fill_refill(rq);
	sl_counter_add(&rq->st.packets, nb);
	sl_counter_add(&rq->st.bytes, bytes);
	return (uint16_t)nb;
}

/* --- rx, driver UMEM --- */

/* Copies a frame longer than one buffer into a chain.  Returns the head, or NULL when the
 * pool ran dry (head freed). */
static struct sl_pktbuf *rx_copy_chain(struct sl_pool *pool, struct sl_pktbuf *head,
				       const uint8_t *data, uint32_t len)
{
	struct sl_pktbuf *last = head;
	uint32_t room = (uint32_t)(head->buf_len - head->data_off);

	memcpy(sl_pktbuf_mtod(head, void *), data, room);
	head->data_len = (uint16_t)room;
	data += room;
	len -= room;
	while (len) {
		struct sl_pktbuf *seg = sl_pktbuf_alloc(pool);

		if (seg == NULL) {
			sl_pktbuf_free(head);
			return NULL;
		}
		seg->data_off = 0;
		room = SL_MIN(len, (uint32_t)seg->buf_len);
		memcpy(sl_pktbuf_mtod(seg, void *), data, room);
		seg->data_len = (uint16_t)room;
		last->next = seg;
		last = seg;
		head->nb_segs++;
		data += room;
		len -= room;
	}
	return head;
}

static uint16_t xdp_rx_driver(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct xdp_rxq *rq = q;
	uint32_t idx_rx = 0, idx_fill = 0, nb;
	uint64_t bytes = 0;
	uint16_t got = 0;

	nb = xsk_ring_cons__peek(&rq->rx, n, &idx_rx);
	if (nb == 0) {
		/* The kernel wants a system call to go on filling (or we busy-poll it). */
		if (xsk_ring_prod__needs_wakeup(&rq->fill) || rq->busy_poll)
			rx_kick(rq);
		return 0;
	}
	if (sl_unlikely(sl_pktbuf_alloc_bulk(rq->pool, pkts, nb) < 0)) {
		/* The frames stay in the rx ring for the next burst; if the pool stays empty the
		 * ring fills and the kernel counts the drops (rx_ring_full, in imissed). */
		xsk_ring_cons__cancel(&rq->rx, nb);
		sl_counter_add(&rq->st.nombuf, 1);
		return 0;
	}
	/* Every rx frame is in the fill ring, the kernel or the rx ring, and the fill ring
	 * holds them all: there is always room for the frames we give back. */
	if (sl_unlikely(xsk_ring_prod__reserve(&rq->fill, nb, &idx_fill) != nb)) {
		xsk_ring_cons__cancel(&rq->rx, nb);
		sl_pktbuf_free_bulk(pkts, nb);
		return 0;
	}
	for (uint32_t i = 0; i < nb; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rq->rx, idx_rx + i);
		uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);
		const uint8_t *data = xsk_umem__get_data(rq->umem, addr);
		struct sl_pktbuf *m = pkts[i];

		if (sl_likely(d->len <= (uint32_t)(m->buf_len - m->data_off))) {
			memcpy(sl_pktbuf_mtod(m, void *), data, d->len);
			m->data_len = (uint16_t)d->len;
		} else {
			m = rx_copy_chain(rq->pool, m, data, d->len);
			if (m == NULL) {
				/* The pool ran dry mid-chain: this frame is lost.  Count it and
				 * hand out the packets before it. */
				sl_counter_add(&rq->st.nombuf, 1);
				*xsk_ring_prod__fill_addr(&rq->fill, idx_fill + i) =
					xsk_umem__extract_addr(d->addr);
				for (uint32_t k = i + 1; k < nb; k++) {
					const struct xdp_desc *dk =
						xsk_ring_cons__rx_desc(&rq->rx, idx_rx + k);

					*xsk_ring_prod__fill_addr(&rq->fill, idx_fill + k) =
						xsk_umem__extract_addr(dk->addr);
				}
				sl_pktbuf_free_bulk(pkts + i + 1, nb - i - 1);
				xsk_ring_prod__submit(&rq->fill, nb);
				xsk_ring_cons__release(&rq->rx, nb);
				goto out;
			}
		}
		m->pkt_len = d->len;
		m->port = rq->port;
		pkts[got++] = m;
		bytes += d->len;
		*xsk_ring_prod__fill_addr(&rq->fill, idx_fill + i) =
			xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_prod__submit(&rq->fill, nb);
	xsk_ring_cons__release(&rq->rx, nb);
out:
	sl_counter_add(&rq->st.packets, got);
	sl_counter_add(&rq->st.bytes, bytes);
	return got;
}

/* --- tx, driver UMEM --- */

/* Takes the frames the kernel has sent back into the free stack. */
static inline void tx_reclaim(struct xdp_txq *tq)
{
	uint32_t idx = 0;
	uint32_t nb = xsk_ring_cons__peek(&tq->comp, tq->nb_desc, &idx);

	for (uint32_t i = 0; i < nb; i++)
		tq->free_addr[tq->nb_free++] =
			xsk_umem__extract_addr(*xsk_ring_cons__comp_addr(&tq->comp, idx + i));
	if (nb)
		xsk_ring_cons__release(&tq->comp, nb);
}

static inline void tx_kick(struct xdp_txq *tq)
{
	if (sendto(tq->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN)
		sl_counter_add(&tq->kick_errors, 1);
}

/* Whether a frame of len bytes is too long: over the UMEM frame, or over MTU + Ethernet
 * header (plus 4 for a frame that carries an 802.1Q tag). */
static bool tx_too_long(const struct xdp_txq *tq, const struct sl_pktbuf *p, uint32_t len)
{
	uint8_t type[2];
	const uint8_t *t;

	if (len > tq->max_len || len > tq->mtu_len + VLAN_HLEN_)
		return true;
	t = sl_pktbuf_read(p, 12, 2, type);
	return !(t && t[0] == 0x81 && t[1] == 0x00);
}

/* Copies a (possibly chained) packet into dst. */
static inline void tx_copy(const struct sl_pktbuf *p, uint8_t *dst)
{
	if (sl_likely(p->nb_segs == 1)) {
		memcpy(dst, sl_pktbuf_mtod(p, const void *), p->data_len);
		return;
	}
	for (const struct sl_pktbuf *s = p; s; s = s->next) {
		memcpy(dst, sl_pktbuf_mtod(s, const void *), s->data_len);
		dst += s->data_len;
	}
}

/* Drops (counts) a packet the interface cannot send: under an Ethernet header, or over
 * the MTU or a frame.  Returns true when dropped. */
static inline bool tx_bad_len(struct xdp_txq *tq, const struct sl_pktbuf *p, uint32_t mtu_len)
{
	uint32_t len = p->pkt_len;

	if (sl_unlikely(len < ETH_HLEN_)) {
		sl_counter_add(&tq->runt_drops, 1);
		sl_counter_add(&tq->st.errors, 1);
		return true;
	}
	if (sl_unlikely(len > mtu_len) && tx_too_long(tq, p, len)) {
		sl_counter_add(&tq->oversize_drops, 1);
		sl_counter_add(&tq->st.errors, 1);
		return true;
	}
	return false;
}

/* Publishes the queued descriptors of take reserved slots, wakes the kernel if it asks,
 * counts. */
static inline void tx_publish(struct xdp_txq *tq, uint32_t take, uint32_t queued, uint64_t bytes)
{
	/* Give back the slots reserved for packets not queued (nothing was published in them). */
	tq->tx.cached_prod -= take - queued;
	if (queued)
		xsk_ring_prod__submit(&tq->tx, queued);
	/* One kick per burst while the kernel has frames to send, only when it asks (copy
	 * mode always asks: sendto() runs its transmit, a batch at a time). */
	if (__atomic_load_n(tq->tx.consumer, __ATOMIC_ACQUIRE) != *tq->tx.producer &&
	    xsk_ring_prod__needs_wakeup(&tq->tx))
		tx_kick(tq);
	if (queued) {
		sl_counter_add(&tq->st.packets, queued);
		sl_counter_add(&tq->st.bytes, bytes);
	}
}

static uint16_t xdp_tx_driver(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct xdp_txq *tq = q;
	uint32_t mtu_len = __atomic_load_n(&tq->mtu_len, __ATOMIC_RELAXED);
	uint32_t take, idx = 0, queued = 0;
	uint64_t bytes = 0;

	tx_reclaim(tq);
	take = SL_MIN((uint32_t)n, tq->nb_free);
	/* The tx ring is as large as the tx frames: a free frame means a free slot. */
	if (take && xsk_ring_prod__reserve(&tq->tx, take, &idx) != take)
		take = 0;
	for (uint32_t i = 0; i < take; i++) {
		struct sl_pktbuf *p = pkts[i];
		struct xdp_desc *d;
		uint64_t addr;

		if (tx_bad_len(tq, p, mtu_len))
			continue; /* freed with the others below */
		addr = tq->free_addr[--tq->nb_free];
		tx_copy(p, xsk_umem__get_data(tq->umem, addr));
		d = xsk_ring_prod__tx_desc(&tq->tx, idx + queued);
		d->addr = addr;
		d->len = p->pkt_len;
		queued++;
		bytes += p->pkt_len;
	}
	tx_publish(tq, take, queued, bytes);
	sl_pktbuf_free_bulk(pkts, take);
	if (take < n)
		sl_counter_add(&tq->ring_full, n - take);
	return (uint16_t)take;
}

/* --- tx, pool UMEM --- */

/* Frees the buffers the kernel has sent back to the pool. */
static inline void tx_reclaim_pool(struct xdp_txq *tq)
{
	void *objs[64];
	uint32_t idx = 0, k = 0;
	uint32_t nb = xsk_ring_cons__peek(&tq->comp, tq->nb_desc, &idx);

	for (uint32_t i = 0; i < nb; i++) {
		uint64_t addr =
			xsk_umem__extract_addr(*xsk_ring_cons__comp_addr(&tq->comp, idx + i));
		void *obj = tq->umem + addr - tq->buf_off;

		own_clear(&tq->own, obj);
		objs[k++] = obj;
		if (k == SL_ARRAY_SIZE(objs)) {
			sl_pool_put_bulk(tq->pool, objs, k);
			k = 0;
		}
	}
	if (k)
		sl_pool_put_bulk(tq->pool, objs, k);
	if (nb)
		xsk_ring_cons__release(&tq->comp, nb);
}

static uint16_t xdp_tx_pool(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct xdp_txq *tq = q;
	uint32_t mtu_len = __atomic_load_n(&tq->mtu_len, __ATOMIC_RELAXED);
	struct sl_pktbuf *spent[64]; /* copied or dropped: freed after the loop */
	uint32_t take, idx = 0, queued = 0, nspent = 0, i;
	uint64_t bytes = 0;

	tx_reclaim_pool(tq);
	take = SL_MIN((uint32_t)n, xsk_prod_nb_free(&tq->tx, n));
	if (take && xsk_ring_prod__reserve(&tq->tx, take, &idx) != take)
		take = 0;
	for (i = 0; i < take; i++) {
		struct sl_pktbuf *p = pkts[i];
		uint32_t len = p->pkt_len;
		struct xdp_desc *d;
		uint64_t addr;
		void *obj;

		if (tx_bad_len(tq, p, mtu_len))
			goto spent;
		if (sl_likely(sl_pktbuf_can_lend(p, tq->pool, tq->buf_off))) {
			obj = p;
			addr = (uint64_t)((uint8_t *)p->buf_addr - tq->umem) |
			       ((uint64_t)p->data_off << XSK_UNALIGNED_BUF_OFFSET_SHIFT);
		} else {
			if (sl_unlikely(sl_pool_get(tq->pool, &obj) < 0)) {
				sl_counter_add(&tq->no_buffer, n - i);
				break; /* the rest stays with the caller */
			}
			tx_copy(p, (uint8_t *)obj + tq->buf_off + SL_PKTBUF_HEADROOM);
			addr = (uint64_t)((uint8_t *)obj + tq->buf_off - tq->umem) |
			       ((uint64_t)SL_PKTBUF_HEADROOM << XSK_UNALIGNED_BUF_OFFSET_SHIFT);
			sl_counter_add(&tq->copied, 1);
		}
		own_set(&tq->own, obj);
		d = xsk_ring_prod__tx_desc(&tq->tx, idx + queued);
		d->addr = addr;
		d->len = len;
		queued++;
		bytes += len;
		if (obj == p)
			continue;
spent:
		spent[nspent++] = p;
		if (nspent == SL_ARRAY_SIZE(spent)) {
			sl_pktbuf_free_bulk(spent, nspent);
			nspent = 0;
		}
	}
	tx_publish(tq, take, queued, bytes);
	if (nspent)
		sl_pktbuf_free_bulk(spent, nspent);
	if (take < n && i == take)
		sl_counter_add(&tq->ring_full, n - take);
	return (uint16_t)i;
}

/* --- control helpers --- */

int axdp_ioctl(const struct xdp_port *xp, unsigned long req, struct ifreq *ifr)
{
	return sl_ifnet_ioctl(xp->ctl_fd, xp->iface, req, ifr);
}

/* Interface queues AF_XDP can bind to (ethtool channels), or 0 when the driver does not
 * say. */
static uint32_t iface_queues(const struct xdp_port *xp)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr;

	ifr.ifr_data = (char *)&ch;
	if (axdp_ioctl(xp, SIOCETHTOOL, &ifr) < 0)
		return 0;
	return SL_MAX(ch.combined_count, ch.rx_count) ? SL_MAX(ch.combined_count, ch.rx_count)
						       : SL_MAX(ch.tx_count, 1u);
}

/* The kernel counters of queue q since the last reset. */
static struct xdp_statistics kstats(const struct xdp_port *xp, uint16_t q)
{
	struct xdp_statistics live, out;

	axdp_kstats_read(xp->qp[q], &live);
#define ADD(f) out.f = xp->kacc[q].f + live.f - xp->kbase[q].f;
	KSTAT_FIELDS(ADD)
#undef ADD
	return out;
}

/* --- ops --- */

static int xdp_start(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;
	int rc = axdp_start(port);

	if (rc < 0)
		return rc;
	port->rx = xp->pool_umem ? xdp_rx_pool : xdp_rx_driver;
	port->tx = xp->pool_umem ? xdp_tx_pool : xdp_tx_driver;
	return 0;
}

static void xdp_info(struct sl_port *port, struct sl_port_info *info)
{
	struct xdp_port *xp = port->priv;
	uint32_t driver_len = xp->frame_size - XDP_HEADROOM_, pool_len = axdp_pool_rx_len(port);

	info->max_rxq = xp->queue_count;
	info->max_txq = xp->queue_count;
	if (port->state == SL_PORT_STARTED)
		info->max_rx_pktlen = xp->pool_umem ? pool_len : driver_len;
	else if (xp->umem_req == UMEM_DRIVER || pool_len == 0)
		info->max_rx_pktlen = driver_len;
	else if (xp->umem_req == UMEM_POOL)
		info->max_rx_pktlen = pool_len;
	else /* auto: the pool when the MTU fits it, else the driver's frames */
		info->max_rx_pktlen = SL_MAX(pool_len, driver_len);
	info->max_mtu = (uint16_t)(info->max_rx_pktlen - ETH_HLEN_);
	info->if_name = xp->iface;
}

/* Adds the kernel's drops and errors to what the queues counted. */
static void xdp_stats(struct sl_port *port, struct sl_port_stats *st)
{
	struct xdp_port *xp = port->priv;

	for (uint16_t i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		struct xdp_statistics ks = kstats(xp, i);

		if (port->rxq[i]) {
			st->q_errors[i] += ks.rx_invalid_descs;
			st->ierrors += ks.rx_invalid_descs;
			st->imissed += ks.rx_dropped + ks.rx_ring_full;
		}
		if (port->txq[i])
			st->oerrors += ks.tx_invalid_descs;
	}
}

/* The kernel's counters never reset: keep a baseline. */
static void xdp_stats_reset(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;

	for (uint16_t i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		memset(&xp->kacc[i], 0, sizeof(xp->kacc[i]));
		axdp_kstats_read(xp->qp[i], &xp->kbase[i]);
	}
}

/* The kernel's XDP_STATISTICS of each queue's socket. */
static int xdp_xstats(struct sl_port *port, struct sl_port_xstat *xs, unsigned n)
{
	struct xdp_port *xp = port->priv;
	uint16_t nq = SL_MAX(port->conf.nb_rxq, port->conf.nb_txq);
	unsigned count = 0;

	for (uint16_t q = 0; q < nq; q++) {
		struct xdp_statistics ks = kstats(xp, q);

		sl_port_xstat_add(xs, n, &count, ks.rx_dropped, "q%u_rx_dropped", q);
		sl_port_xstat_add(xs, n, &count, ks.rx_invalid_descs, "q%u_rx_invalid_descs", q);
		sl_port_xstat_add(xs, n, &count, ks.tx_invalid_descs, "q%u_tx_invalid_descs", q);
		sl_port_xstat_add(xs, n, &count, ks.rx_ring_full, "q%u_rx_ring_full", q);
		sl_port_xstat_add(xs, n, &count, ks.rx_fill_ring_empty_descs,
				  "q%u_rx_fill_ring_empty_descs", q);
		sl_port_xstat_add(xs, n, &count, ks.tx_ring_empty_descs, "q%u_tx_ring_empty_descs",
				  q);
	}
	return (int)count;
}

/* The driver's own per-queue counters (the port layer names them rx_q<N>_... and
 * tx_q<N>_..., sums and resets them). */
static const struct sl_port_qxstat xdp_rxq_xstats[] = {
	SL_PORT_QXSTAT(struct xdp_rxq, kick_errors),
	{NULL, 0},
};

static const struct sl_port_qxstat xdp_txq_xstats[] = {
	SL_PORT_QXSTAT(struct xdp_txq, ring_full),
	SL_PORT_QXSTAT(struct xdp_txq, oversize_drops),
	SL_PORT_QXSTAT(struct xdp_txq, runt_drops),
	SL_PORT_QXSTAT(struct xdp_txq, no_buffer),
	SL_PORT_QXSTAT(struct xdp_txq, copied),
	SL_PORT_QXSTAT(struct xdp_txq, kick_errors),
	{NULL, 0},
};

static int xdp_link(struct sl_port *port, struct sl_port_link *link)
{
	const struct xdp_port *xp = port->priv;

	return sl_ifnet_link(port, xp->ctl_fd, xp->iface, link);
}

static void xdp_close(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;

	axdp_stop(port); /* already done by a stop before close; harmless */
	close(xp->ctl_fd);
	free(xp);
	port->priv = NULL;
}

static const struct sl_port_ops xdp_ops = {
	.info = xdp_info,
	.rxq_setup = axdp_rxq_setup,
	.txq_setup = axdp_txq_setup,
	.rxq_release = axdp_rxq_release,
	.txq_release = axdp_txq_release,
	.start = xdp_start,
	.stop = axdp_stop,
	.close = xdp_close,
	.stats = xdp_stats,
	.stats_reset = xdp_stats_reset,
	.xstats = xdp_xstats,
	.rxq_xstats = xdp_rxq_xstats,
	.txq_xstats = xdp_txq_xstats,
	.link = xdp_link,
};

/* --- probe --- */

/* Checks the interface against the arguments and reads its MAC address and MTU. */
static int iface_probe(struct sl_port *port, struct xdp_port *xp)
{
	const char *iface = xp->iface;
	struct ifreq ifr;
	uint32_t nq;
	int rc;

	nq = iface_queues(xp);
	if (nq && xp->start_queue + xp->queue_count > nq) {
		SL_LOG(net_af_xdp, ERR,
		       "%s: start_queue=%u queue_count=%u needs queues %u..%u but %s "
		       "has %u (see `ethtool -l %s`); lower them or add channels (`ethtool -L %s "
		       "combined N`)",
		       port->name, xp->start_queue, xp->queue_count, xp->start_queue,
		       xp->start_queue + xp->queue_count - 1, iface, nq, iface, iface);
		return -EINVAL;
	}
	rc = sl_ifnet_mac_mtu(port, xp->ctl_fd, iface);
	if (rc < 0)
		return rc;
	if (axdp_ioctl(xp, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP))
		SL_LOG(net_af_xdp, WARNING,
		       "%s: %s is down; bring it up with `ip link set dev %s up`", port->name,
		       iface, iface);
	return 0;
}

static int xdp_probe(struct sl_port *port, const struct sl_devargs *args)
{
	const char *iface = sl_devargs_get(args, "iface");
	struct xdp_port *xp;
	int rc;

	if (iface == NULL || *iface == '\0') {
		SL_LOG(net_af_xdp, ERR,
		       "%s: iface=NAME is required (the kernel interface to attach "
		       "to, e.g. %s,iface=veth0)",
		       port->name, port->name);
		return -EINVAL;
	}
	if (strlen(iface) >= IFNAMSIZ) {
		SL_LOG(net_af_xdp, ERR,
		       "%s: iface=%s is longer than the kernel's %d-character limit", port->name,
		       iface, IFNAMSIZ - 1);
		return -EINVAL;
	}
	xp = calloc(1, sizeof(*xp));
	if (xp == NULL)
		return -ENOMEM;
	xp->ctl_fd = -1;
	xp->link_fd = -1;
	xp->xsks_map_fd = -1;
	rc = axdp_parse_args(port, args, xp);
	if (rc < 0)
		goto free_xp;
	strcpy(xp->iface, iface);
	xp->ifindex = (int)if_nametoindex(iface);
	if (xp->ifindex == 0) {
		rc = errno == ENODEV || errno == ENXIO || errno == 0 ? -ENODEV : -errno;
		SL_LOG(net_af_xdp, ERR,
		       "%s: interface '%s' not found (%s); list interfaces with `ip "
		       "link`, and check that the process runs in the interface's network namespace",
		       port->name, iface, strerror(-rc));
		goto free_xp;
	}
	xp->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (xp->ctl_fd < 0) {
		rc = -errno;
		SL_LOG(net_af_xdp, ERR, "%s: cannot open a control socket: %s", port->name,
		       strerror(-rc));
		goto free_xp;
	}
	rc = iface_probe(port, xp);
	if (rc < 0)
		goto close_ctl;
	axdp_prog_log_init();
	port->priv = xp;
	port->ops = &xdp_ops;
	port->rx = xdp_rx_driver; /* start() picks the pair that fits the UMEM */
	port->tx = xdp_tx_driver;
	return 0;
close_ctl:
	close(xp->ctl_fd);
free_xp:
	free(xp);
	return rc;
}

static const char *const xdp_keys[] = {"iface",	     "start_queue", "queue_count", "xdp_mode",
				       "zero_copy",  "frame_size",  "busy_budget", "umem",
				       "xdp_attach", NULL};

const struct sl_port_driver sl_port_driver_af_xdp = {
	.name = "net_af_xdp",
	.keys = xdp_keys,
	.usage = "iface=IFNAME (required) start_queue=N (0) queue_count=N (1) "
		 "xdp_mode=native|skb|auto (auto) zero_copy=0|1 (the kernel chooses) "
		 "frame_size=2048|4096 (2048, driver UMEM) busy_budget=N (0: off) "
		 "umem=pool|driver|auto (auto: pool when its buffers fit) "
		 "xdp_attach=link|libxdp (link: the program goes with the process)",
	.probe = xdp_probe,
};
