/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost: the device side of a virtio-net link over vhost-user, what a VM's NIC (QEMU),
 * a container's virtio-user port (DPDK, Sluice) or a switch's peer talks to.
 *
 *   net_vhost0,iface=/tmp/vhost0.sock              (server: the frontend connects)
 *   net_vhost0,iface=/tmp/vm0.sock,client=1       (client, reconnecting: QEMU server=on)
 *   net_vhost0,iface=PATH,queues=4                 (four queue pairs)
 *
 * Split virtqueues with mergeable rx buffers, indirect descriptors, the event index and
 * multiqueue.  The data path copies between packet buffers and guest buffers: rx reads the
 * guest's transmit ring, tx fills its receive ring.  Every index, descriptor, chain and
 * indirect table the frontend wrote is checked before use (addresses against its memory
 * table); a bad one stops the burst, is counted, and the control thread drops the frontend
 * with the reason.  The backend polls; it calls (interrupts) the frontend when the
 * frontend asked for it.  See docs/drivers/vhost.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_pktbuf.h"
#include "vhost_priv.h"

SL_LOG_TYPE_DEFINE(net_vhost)

/* --- data path --- */

static void dp_fault(struct vhost_queue *q, enum vhost_fault why)
{
	sl_counter_add(&q->bad_desc, 1);
	sl_counter_add(&q->st.errors, 1);
	if (sl_gate_fault(&q->gate, why))
		sl_vu_wake();
}

/* Tells the frontend about used entries [old, new) when it asked to be told. */
static inline void notify(struct vhost_queue *q, uint16_t old_idx, uint16_t new_idx)
{
	uint64_t one = 1;
	bool want;

	if (q->call_fd < 0 || old_idx == new_idx)
		return;
	SL_VU_FENCE(&q->gate.busy); /* used idx before the frontend's flags */
	if (q->event_idx) {
		uint16_t ev = __atomic_load_n(&q->avail->ring[q->size], __ATOMIC_RELAXED);

		want = sl_vring_need_event(ev, new_idx, old_idx);
	} else {
		want = !(__atomic_load_n(&q->avail->flags, __ATOMIC_RELAXED) &
			 SL_VRING_AVAIL_F_NO_INTERRUPT);
	}
	if (want) {
		if (write(q->call_fd, &one, sizeof(one)) < 0) {
			/* the counter is full: the frontend has a call pending anyway */
		}
		sl_counter_add(&q->guest_notified, 1);
	}
}

/* Reads descriptor idx of table (size n) once: the frontend may rewrite it. */
static inline struct sl_vring_desc desc_read(const struct sl_vring_desc *table, uint16_t idx)
{
	const volatile struct sl_vring_desc *vd = &table[idx];
	struct sl_vring_desc d = {vd->addr, vd->len, vd->flags, vd->next};

	return d;
}

/*
 * The buffers of one chain, as host addresses: walks head's chain (through an indirect
 * table when its first descriptor says so), checks each descriptor against guest memory,
 * the direction and the chain length, and fills segs.  Returns the number of segments, or
 * 0 after faulting the queue.
 */
struct seg {
	uint8_t *addr;
	uint32_t len;
};
#define MAX_SEGS 64
#define VHOST_RX_BATCH 64
#define VHOST_MAX_PKT (65535u + 14) /* the largest packet the guest may send (max_rx_pktlen) */

static unsigned chain_walk(struct vhost_queue *q, uint16_t head, bool writable, struct seg *segs)
{
	const struct sl_vring_desc *table = q->desc;
	uint32_t limit = q->size, idx = head, n = 0;
	struct sl_vring_desc d = desc_read(table, head);

	if (d.flags & SL_VRING_DESC_F_INDIRECT) {
		if (d.len == 0 || (d.len & 15) || d.len / 16 > SL_VRING_MAX_SIZE ||
		    (d.flags & SL_VRING_DESC_F_NEXT)) {
			dp_fault(q, VHOST_FAULT_INDIRECT);
			return 0;
		}
		table = sl_vu_gpa(q->mem, d.addr, d.len);
		if (table == NULL || ((uintptr_t)table & 15)) {
			dp_fault(q, VHOST_FAULT_INDIRECT);
			return 0;
		}
		limit = d.len / 16;
		idx = 0;
		d = desc_read(table, 0);
	}
	for (;;) {
		uint8_t *a;

		if (d.flags & SL_VRING_DESC_F_INDIRECT) {
			dp_fault(q, VHOST_FAULT_INDIRECT); /* nested, or inside a chain */
			return 0;
		}
		if (!!(d.flags & SL_VRING_DESC_F_WRITE) != writable) {
			dp_fault(q, VHOST_FAULT_DIRECTION);
			return 0;
		}
		a = sl_vu_gpa(q->mem, d.addr, d.len);
		if (a == NULL) {
			dp_fault(q, VHOST_FAULT_DESC);
			return 0;
		}
		if (n == MAX_SEGS || n == limit) {
			dp_fault(q, VHOST_FAULT_CHAIN); /* loops, or longer than its table */
			return 0;
		}
		segs[n].addr = a;
		segs[n].len = d.len;
		n++;
		if (!(d.flags & SL_VRING_DESC_F_NEXT))
			return n;
		idx = d.next;
		if (idx >= limit) {
			dp_fault(q, VHOST_FAULT_CHAIN);
			return 0;
		}
		d = desc_read(table, (uint16_t)idx);
	}
}

/* Copies a guest packet (after its virtio-net header) into a chain of packet buffers. */
static struct sl_pktbuf *copy_in(struct vhost_queue *q, struct sl_pktbuf *head,
				 const struct seg *segs, unsigned n)
{
	struct sl_pktbuf *seg = head;
	uint32_t skip = q->hdr_len;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *src = segs[i].addr;
		uint32_t len = segs[i].len;

		if (skip) {
			uint32_t s = SL_MIN(skip, len);

			src += s;
			len -= s;
			skip -= s;
		}
		if (sl_pktbuf_copy_in(head, &seg, q->pool, src, len)) {
			sl_pktbuf_free(head);
			return NULL;
		}
	}
	head->port = q->port;
	return head;
}

/* The RARP a migrated guest's MAC is announced with (SEND_RARP). */
static struct sl_pktbuf *rarp_build(struct vhost_queue *q)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(q->pool);
	uint8_t *b;

	if (p == NULL)
		return NULL;
	b = sl_pktbuf_mtod(p, uint8_t *);
	memset(b, 0, 60);
	memset(b, 0xff, 6);
	memcpy(b + 6, q->dev->rarp_mac, 6);
	b[12] = 0x80, b[13] = 0x35; /* RARP */
	b[14] = 0, b[15] = 1;	    /* Ethernet */
	b[16] = 0x08, b[17] = 0x00; /* IPv4 */
	b[18] = 6, b[19] = 4;
	b[20] = 0, b[21] = 3;		     /* reverse request */
	memcpy(b + 22, q->dev->rarp_mac, 6); /* sender */
	memcpy(b + 32, q->dev->rarp_mac, 6); /* target */
	p->data_len = 60;
	p->pkt_len = 60;
	p->port = q->port;
	return p;
}

/* rx: the guest's transmit ring, [last_avail, avail.idx). */
static uint16_t vhost_rx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct vhost_queue *q = qv;
	struct seg segs[MAX_SEGS];
	struct sl_pktbuf *bufs[VHOST_RX_BATCH];
	uint16_t avail_idx, cnt, nb = 0, used_idx, i;
	uint64_t bytes = 0;

	if (!sl_gate_enter(&q->gate))
		return 0;
	if (sl_unlikely(q->qid == 0 && __atomic_load_n(&q->dev->rarp_pending, __ATOMIC_RELAXED)) &&
	    n > 0 && __atomic_exchange_n(&q->dev->rarp_pending, 0, __ATOMIC_ACQUIRE)) {
		struct sl_pktbuf *r = rarp_build(q);

		if (r) {
			pkts[nb++] = r;
			bytes += r->pkt_len;
			sl_counter_add(&q->rarp_sent, 1);
		}
	}
	avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	cnt = (uint16_t)(avail_idx - q->last_avail);
	if (sl_unlikely(cnt > q->size)) {
		dp_fault(q, VHOST_FAULT_AVAIL_IDX);
		goto out;
	}
	cnt = SL_MIN(SL_MIN(cnt, (uint16_t)(n - nb)), (uint16_t)VHOST_RX_BATCH);
	if (cnt == 0)
		goto out;
	if (sl_unlikely(sl_pktbuf_alloc_bulk(q->pool, bufs, cnt) < 0)) {
		/* Fewer buffers than packets waiting: take what the pool has; the rest wait in
		 * the guest's ring (counted once per burst that could not take them). */
		uint16_t got = 0;

		while (got < cnt && (bufs[got] = sl_pktbuf_alloc(q->pool)) != NULL)
			got++;
		sl_counter_add(&q->st.nombuf, (uint64_t)(cnt - got));
		cnt = got;
	}
	used_idx = q->last_used;
	for (i = 0; i < cnt; i++) {
		uint16_t head = __atomic_load_n(
			&q->avail->ring[(uint16_t)(q->last_avail + i) & q->mask], __ATOMIC_RELAXED);
		struct sl_vring_used_elem *u;
		struct sl_pktbuf *p;
		uint64_t len;
		unsigned k;

		if (sl_unlikely(head >= q->size)) {
			dp_fault(q, VHOST_FAULT_HEAD);
			break;
		}
		k = chain_walk(q, head, false, segs);
		if (sl_unlikely(k == 0))
			break;
		/* No empty packet for the application, and no chain of more packet buffers
		 * than nb_segs counts (each descriptor may be 4 GiB long). */
		len = 0;
		for (unsigned s = 0; s < k; s++)
			len += segs[s].len;
		if (sl_unlikely(len <= q->hdr_len || len > q->hdr_len + VHOST_MAX_PKT)) {
			dp_fault(q, VHOST_FAULT_LENGTH);
			break;
		}
		if (k > 1)
			sl_counter_add(&q->desc_chained, 1);
		if (i + 1 < cnt)
			sl_prefetchw(sl_pktbuf_mtod(bufs[i + 1], void *));
		p = copy_in(q, bufs[i], segs, k); /* frees bufs[i] when it returns NULL */
		bufs[i] = NULL;
		u = &q->used->ring[used_idx & q->mask];
		u->id = head;
		u->len = 0;
		used_idx++;
		if (sl_likely(p != NULL)) {
			pkts[nb++] = p;
			bytes += p->pkt_len;
		} else {
			sl_counter_add(&q->st.nombuf, 1); /* a long packet met an empty pool */
		}
	}
	for (uint16_t j = i; j < cnt; j++) /* a fault cut the burst short */
		sl_pktbuf_free(bufs[j]);
	q->last_avail = (uint16_t)(q->last_avail + i);
	__atomic_store_n(&q->used->idx, used_idx, __ATOMIC_RELEASE);
	notify(q, q->last_used, used_idx);
	q->last_used = used_idx;
out:
	sl_gate_leave(&q->gate);
	sl_counter_add(&q->st.packets, nb);
	sl_counter_add(&q->st.bytes, bytes);
	return nb;
}

/* Copies len bytes from a packet (from *seg at *off) to dst. */
static inline void copy_out(uint8_t *dst, uint32_t len, const struct sl_pktbuf **seg, uint32_t *off)
{
	while (len && *seg) {
		uint32_t c = SL_MIN(len, (uint32_t)(*seg)->data_len - *off);

		memcpy(dst, sl_pktbuf_mtod_offset(*seg, const uint8_t *, *off), c);
		dst += c;
		len -= c;
		*off += c;
		if (*off == (*seg)->data_len) {
			*seg = (*seg)->next;
			*off = 0;
		}
	}
}

/*
 * tx: fills the guest's receive ring.  Each packet takes the chains it needs from
 * [last_avail, avail.idx): with mergeable buffers as many as its header and bytes fill
 * (num_buffers in the header says how many), else one chain that must hold it all.
 */
static uint16_t vhost_tx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct vhost_queue *q = qv;
	struct seg segs[MAX_SEGS];
	uint16_t avail_idx, avail, used_idx, taken = 0, sent = 0;
	uint64_t bytes = 0;

	if (!sl_gate_enter(&q->gate)) {
		sl_counter_add(&q->link_down, n);
		return 0;
	}
	avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	avail = (uint16_t)(avail_idx - q->last_avail);
	if (sl_unlikely(avail > q->size)) {
		dp_fault(q, VHOST_FAULT_AVAIL_IDX);
		goto out;
	}
	used_idx = q->last_used;
	for (; taken < n; taken++) {
		struct sl_pktbuf *p = pkts[taken];

		if (taken + 1 < n)
			sl_prefetch0(sl_pktbuf_mtod(pkts[taken + 1], void *));
		const struct sl_pktbuf *seg = p;
		uint32_t off = 0, left = q->hdr_len + p->pkt_len;
		uint16_t heads = 0, la = q->last_avail, ui = used_idx;
		uint8_t *hdr = NULL; /* the guest's buffer: no alignment promised */
		bool hdr_done = false;

		while (left) {
			uint16_t head;
			unsigned k;
			uint32_t chain_len = 0;

			if (heads == avail || heads == VHOST_MAX_CHAIN || (!q->mrg && heads == 1))
				break; /* out of buffers, or of the chains one packet may use */
			head = __atomic_load_n(&q->avail->ring[(uint16_t)(la + heads) & q->mask],
					       __ATOMIC_RELAXED);
			if (sl_unlikely(head >= q->size)) {
				dp_fault(q, VHOST_FAULT_HEAD);
				goto publish;
			}
			k = chain_walk(q, head, true, segs);
			if (sl_unlikely(k == 0))
				goto publish;
			for (unsigned s = 0; s < k && left; s++) {
				uint8_t *dst = segs[s].addr;
				uint32_t room = segs[s].len;

				if (!hdr_done) {
					uint32_t h = q->hdr_len;

					if (room < h) {
						/* a header split over buffers: frontends do not */
						dp_fault(q, VHOST_FAULT_DESC);
						goto publish;
					}
					hdr = dst;
					memset(hdr, 0, h);
					dst += h;
					room -= h;
					left -= h;
					chain_len += h;
					hdr_done = true;
				}
				room = SL_MIN(room, left);
				copy_out(dst, room, &seg, &off);
				left -= room;
				chain_len += room;
			}
			q->used->ring[ui & q->mask] =
				(struct sl_vring_used_elem){.id = head, .len = chain_len};
			ui++;
			heads++;
		}
		if (left) {
			/* Not enough: with room for more buffers later, wait for them; a packet no
			 * chain can hold (no mergeable buffers) is dropped. */
			if ((!q->mrg && heads == 1) || heads == VHOST_MAX_CHAIN) {
				sl_counter_add(&q->too_big, 1);
				sl_counter_add(&q->st.errors, 1);
				/* the chain stays for the next packet; p is freed with the rest */
				continue;
			}
			break;
		}
		if (q->hdr_len == 12)
			memcpy(hdr + offsetof(struct sl_virtio_net_hdr, num_buffers), &heads,
			       sizeof(heads));
		if (heads > 1)
			sl_counter_add(&q->desc_chained, 1);
		q->last_avail = (uint16_t)(la + heads);
		avail = (uint16_t)(avail - heads);
		used_idx = ui;
		bytes += p->pkt_len;
		sent++;
	}
publish:
	if (taken < n)
		sl_counter_add(&q->rxbuf_short, (uint64_t)(n - taken));
	__atomic_store_n(&q->used->idx, used_idx, __ATOMIC_RELEASE);
	notify(q, q->last_used, used_idx);
	q->last_used = used_idx;
	/* Copied (or dropped as too big): every packet taken goes back to its pool. */
	sl_pktbuf_free_bulk(pkts, taken);
out:
	sl_gate_leave(&q->gate);
	sl_counter_add(&q->st.packets, sent);
	sl_counter_add(&q->st.bytes, bytes);
	return taken;
}

/* --- the frontend's connection (vhost-user control thread, lock held) --- */

static const char *const fault_names[] = {
	[VHOST_FAULT_NONE] = "none",
	[VHOST_FAULT_AVAIL_IDX] = "an avail index further ahead than the ring size",
	[VHOST_FAULT_HEAD] = "a head index past the ring",
	[VHOST_FAULT_DESC] = "a descriptor outside guest memory (or straddling two regions)",
	[VHOST_FAULT_CHAIN] = "a descriptor chain that loops or runs past its table",
	[VHOST_FAULT_INDIRECT] =
		"a bad indirect table (nested, empty, misaligned or outside memory)",
	[VHOST_FAULT_DIRECTION] =
		"a buffer of the wrong direction (read-only in rx, write-only in tx)",
	[VHOST_FAULT_LENGTH] =
		"a packet with no bytes after its virtio-net header, or over 65549 bytes",
};

static void dev_drop_log(struct vhost_dev *d, const char *why)
{
	SL_LOG(net_vhost, ERR, "%s: dropping the frontend on %s: %s", d->name, d->path, why);
}

static int ep_up(void *arg, int fd)
{
	struct vhost_dev *d = arg;

	(void)fd;
	vhost_reset(d);
	d->connected = true;
	__atomic_fetch_add(&d->connects, 1, __ATOMIC_RELAXED);
	return 0;
}

static int ep_readable(void *arg, int fd)
{
	struct vhost_dev *d = arg;
	struct sl_vu_msg m, reply;
	int fds[SL_VU_MAX_FDS];
	unsigned nfds;
	char why[256];
	int rc;

	if (!sl_vu_pending(fd))
		return 0;
	rc = sl_vu_recv(fd, &m, fds, &nfds, 1000, why, sizeof(why));

	if (rc == 0) {
		SL_LOG(net_vhost, INFO, "%s: the frontend closed %s", d->name, d->path);
		return -1;
	}
	if (rc < 0) {
		__atomic_fetch_add(&d->bad_messages, 1, __ATOMIC_RELAXED);
		dev_drop_log(d, why);
		return -1;
	}
	rc = vhost_handle(d, &m, fds, nfds, &reply, why, sizeof(why));
	if (rc < 0) {
		__atomic_fetch_add(&d->bad_messages, 1, __ATOMIC_RELAXED);
		dev_drop_log(d, why);
		return -1;
	}
	if (rc == 1 && sl_vu_send(fd, &reply, NULL, 0) < 0) {
		SL_LOG(net_vhost, ERR, "%s: cannot answer %s on %s", d->name,
		       sl_vu_req_name(m.hdr.request), d->path);
		return -1;
	}
	return 0;
}

static void ep_down(void *arg)
{
	struct vhost_dev *d = arg;

	if (d->connected) {
		__atomic_fetch_add(&d->disconnects, 1, __ATOMIC_RELAXED);
		SL_LOG(net_vhost, NOTICE, "%s: link down (frontend gone from %s)%s", d->name,
		       d->path, d->client ? "; reconnecting" : "");
	}
	d->connected = false;
	vhost_reset(d);
}

/* A queue faulted: drop the frontend, naming what it did. */
static void ep_tick(void *arg)
{
	struct vhost_dev *d = arg;

	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		struct vhost_queue *q = d->vr[i].q;
		uint32_t f = q ? sl_gate_fault_of(&q->gate) : 0;
		char why[160];

		if (f == VHOST_FAULT_NONE)
			continue;
		__atomic_fetch_add(&d->frontend_faults, 1, __ATOMIC_RELAXED);
		snprintf(why, sizeof(why), "vring %u: %s", i,
			 f < SL_ARRAY_SIZE(fault_names) ? fault_names[f] : "?");
		dev_drop_log(d, why);
		sl_vu_ep_drop(d->ep);
		return;
	}
}

static const struct sl_vu_ep_ops vhost_ep_ops = {
	.up = ep_up,
	.readable = ep_readable,
	.down = ep_down,
	.tick = ep_tick,
};

/* --- port ops --- */

static void vhost_info(struct sl_port *port, struct sl_port_info *info)
{
	struct vhost_dev *d = port->priv;

	info->max_rxq = d->nb_qp;
	info->max_txq = d->nb_qp;
	info->min_mtu = 68;
	info->max_mtu = 65535;
	info->max_rx_pktlen = VHOST_MAX_PKT;
}

/* Runs a change of port state under the lock, then re-matches queues to vrings. */
static void sync_locked(struct vhost_dev *d)
{
	char why[160];

	if (vhost_sync(d, why, sizeof(why)) < 0) {
		dev_drop_log(d, why);
		sl_vu_ep_drop(d->ep);
	}
}

static int vhost_configure(struct sl_port *port)
{
	struct vhost_dev *d = port->priv;

	if (port->conf.nb_rxq > d->nb_qp || port->conf.nb_txq > d->nb_qp) {
		SL_LOG(net_vhost, ERR,
		       "%s: %u rx and %u tx queues asked, but queues=%u offers %u pairs; raise "
		       "queues= (the frontend must then ask for as many)",
		       port->name, port->conf.nb_rxq, port->conf.nb_txq, d->nb_qp, d->nb_qp);
		return -EINVAL;
	}
	sl_vu_lock();
	d->nb_rxq = port->conf.nb_rxq;
	d->nb_txq = port->conf.nb_txq;
	sync_locked(d);
	sl_vu_unlock();
	return 0;
}

static int queue_setup(struct sl_port *port, uint16_t qid, int node, struct sl_pool *pool, bool rx)
{
	struct vhost_dev *d = port->priv;
	struct vhost_queue *q = sl_malloc(sizeof(*q), SL_CACHE_LINE, node);

	if (q == NULL)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	q->port = port->id;
	q->qid = qid;
	q->vring = (uint16_t)(2 * qid + (rx ? 1 : 0));
	q->pool = pool;
	q->dev = d;
	q->call_fd = -1;
	sl_vu_lock();
	if (rx)
		d->rxq[qid] = q;
	else
		d->txq[qid] = q;
	sync_locked(d);
	sl_vu_unlock();
	if (rx)
		port->rxq[qid] = q;
	else
		port->txq[qid] = q;
	return 0;
}

static int vhost_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			   struct sl_pool *pool)
{
	(void)nb_desc; /* the frontend sizes the rings */
	return queue_setup(port, qid, node, pool, true);
}

static int vhost_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	(void)nb_desc;
	return queue_setup(port, qid, node, NULL, false);
}

static void queue_release(struct sl_port *port, uint16_t qid, bool rx)
{
	struct vhost_dev *d = port->priv;
	void **slot = rx ? &port->rxq[qid] : &port->txq[qid];

	sl_vu_lock();
	if (rx)
		d->rxq[qid] = NULL;
	else
		d->txq[qid] = NULL;
	sync_locked(d); /* detaches it */
	sl_vu_unlock();
	sl_free(*slot);
	*slot = NULL;
}

static void vhost_rxq_release(struct sl_port *port, uint16_t qid)
{
	queue_release(port, qid, true);
}

static void vhost_txq_release(struct sl_port *port, uint16_t qid)
{
	queue_release(port, qid, false);
}

static void set_started(struct vhost_dev *d, bool on)
{
	sl_vu_lock();
	d->started = on;
	sync_locked(d);
	sl_vu_unlock();
}

static int vhost_start(struct sl_port *port)
{
	set_started(port->priv, true);
	return 0;
}

static void vhost_stop(struct sl_port *port)
{
	set_started(port->priv, false);
}

static void vhost_close(struct sl_port *port)
{
	struct vhost_dev *d = port->priv;

	sl_vu_ep_close(d->ep); /* the frontend goes: vhost_reset */
	free(d);
	port->priv = NULL;
}

static int vhost_link(struct sl_port *port, struct sl_port_link *link)
{
	struct vhost_dev *d = port->priv;

	link->up = __atomic_load_n(&d->link_up, __ATOMIC_RELAXED) != 0;
	link->full_duplex = true;
	link->speed_mbps = link->up ? 10000 : 0; /* what DPDK's vhost reports */
	return 0;
}

static const struct sl_port_qxstat vhost_port_xstats[] = {
	SL_PORT_QXSTAT(struct vhost_dev, connects),
	SL_PORT_QXSTAT(struct vhost_dev, disconnects),
	SL_PORT_QXSTAT(struct vhost_dev, frontend_faults),
	SL_PORT_QXSTAT(struct vhost_dev, bad_messages),
	{NULL, 0},
};

#define VHOST_QX(field) SL_PORT_QXSTAT(struct vhost_queue, field)
static const struct sl_port_qxstat vhost_rxq_xstats[] = {
	VHOST_QX(guest_notified),
	VHOST_QX(desc_chained),
	VHOST_QX(bad_desc),
	VHOST_QX(rarp_sent),
	{NULL, 0},
};
static const struct sl_port_qxstat vhost_txq_xstats[] = {
	VHOST_QX(guest_notified),
	VHOST_QX(desc_chained),
	VHOST_QX(rxbuf_short),
	VHOST_QX(link_down),
	VHOST_QX(too_big),
	VHOST_QX(bad_desc),
	{NULL, 0},
};

static const struct sl_port_ops vhost_ops = {
	.info = vhost_info,
	.configure = vhost_configure,
	.rxq_setup = vhost_rxq_setup,
	.txq_setup = vhost_txq_setup,
	.rxq_release = vhost_rxq_release,
	.txq_release = vhost_txq_release,
	.start = vhost_start,
	.stop = vhost_stop,
	.close = vhost_close,
	.link = vhost_link,
	.rxq_xstats = vhost_rxq_xstats,
	.txq_xstats = vhost_txq_xstats,
	.port_xstats = vhost_port_xstats,
};

/* --- probe --- */

static int vhost_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct vhost_dev *d = calloc(1, sizeof(*d));
	const char *iface = sl_devargs_get(args, "iface");
	uint64_t queues = 1, reconnect = 1000;
	bool client = false;

	if (d == NULL)
		return -ENOMEM;
	if (sl_devargs_uint(args, port->name, "queues", 1, VHOST_MAX_QUEUES, &queues) < 0 ||
	    sl_devargs_bool(args, port->name, "client", &client) < 0 ||
	    sl_devargs_uint(args, port->name, "reconnect-ms", 10, 60000, &reconnect) < 0)
		goto fail;
	if (iface == NULL || iface[0] != '/' || strlen(iface) >= sizeof(d->path)) {
		SL_LOG(net_vhost, ERR,
		       "%s: iface=%s: give the vhost-user socket as an absolute path of at most "
		       "%zu characters, e.g. %s,iface=/tmp/vhost0.sock",
		       port->name, iface ? iface : "(missing)", sizeof(d->path) - 1, port->name);
		goto fail;
	}
	snprintf(d->name, sizeof(d->name), "%s", port->name);
	strcpy(d->path, iface);
	d->port_id = port->id;
	d->client = client;
	d->reconnect_ms = (unsigned)reconnect;
	d->nb_qp = (uint16_t)queues;
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		d->vr[i].kick_fd = d->vr[i].call_fd = -1;
	memcpy(port->mac,
	       (uint8_t[]){0x02, 0x53, 0x4c, 0x76, (uint8_t)(port->id >> 8), (uint8_t)port->id}, 6);
	port->priv = d;
	port->ops = &vhost_ops;
	port->rx = vhost_rx;
	port->tx = vhost_tx;
	d->ep = sl_vu_ep_open(d->name, d->path, !client, d->reconnect_ms, &vhost_ep_ops, d);
	if (d->ep == NULL) {
		port->priv = NULL;
		goto fail;
	}
	SL_LOG(net_vhost, INFO, "%s: vhost-user %s on %s, %u queue pair%s", d->name,
	       client ? "client (reconnecting)" : "server", d->path, d->nb_qp,
	       d->nb_qp > 1 ? "s" : "");
	return 0;
fail:
	free(d);
	return -EINVAL;
}

static const char *const vhost_keys[] = {"iface", "queues", "client", "reconnect-ms", NULL};

const struct sl_port_driver sl_port_driver_vhost = {
	.name = "net_vhost",
	.keys = vhost_keys,
	.usage = "iface=PATH (the vhost-user socket) queues=N (1; pairs offered, up to 8) "
		 "client=0|1 (0: listen; 1: connect, and reconnect every reconnect-ms=MS, 1000)",
	.probe = vhost_probe,
};
