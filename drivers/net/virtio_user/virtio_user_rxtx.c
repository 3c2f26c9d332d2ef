/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user data path: the driver side of split virtqueues, zero-copy both ways.
 * Receive posts our packet buffers (the 12-byte header lands just before the usual
 * headroom's end, so data starts where every Sluice packet starts); transmit pushes the
 * header into the packet's headroom and hands the buffer itself over (one descriptor), or
 * chains a header slot and the segments when the headroom is not ours to write.  Every
 * used entry the backend writes is checked (id, length, buffer count) before use.
 */
#include <string.h>
#include <unistd.h>

#include "sl_pktbuf.h"
#include "virtio_user_priv.h"

static void dp_fault(struct vu_queue *q, enum vu_fault why)
{
	sl_counter_add(&q->bad_used, 1);
	sl_counter_add(&q->st.errors, 1);
	if (sl_gate_fault(&q->gate, why))
		sl_vu_wake();
}

/* Publishes the avail index and kicks the backend unless it said it polls. */
static inline void publish(struct vu_queue *q)
{
	uint64_t one = 1;

	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	SL_VU_FENCE(&q->gate.busy); /* avail idx before the backend's flags */
	if (!(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & SL_VRING_USED_F_NO_NOTIFY) &&
	    q->kick_fd >= 0) {
		if (write(q->kick_fd, &one, sizeof(one)) < 0) {
			/* the counter is full: a kick is pending anyway */
		}
		sl_counter_add(&q->notify_sent, 1);
	}
}

/* The descriptor for an rx buffer: the header goes in the 12 bytes before the data. */
static inline void rx_post(struct vu_queue *q, uint16_t id, struct sl_pktbuf *p)
{
	struct sl_vring_desc *d = &q->desc[id];

	d->addr = (uint64_t)(uintptr_t)((char *)p->buf_addr + p->data_off - VU_HDR_LEN);
	d->len = (uint32_t)(p->buf_len - p->data_off + VU_HDR_LEN);
	d->flags = SL_VRING_DESC_F_WRITE;
	d->next = 0;
	q->bufs[id] = p;
	q->avail->ring[q->avail_idx & q->mask] = id;
	q->avail_idx++;
}

int vu_ring_reset(struct vu_queue *q)
{
	uint16_t n = q->size;

	if (q->vring & 1) { /* tx: whatever the backend did not take is lost */
		for (uint16_t i = 0; i < n; i++)
			if (q->bufs[i]) {
				sl_pktbuf_free(q->bufs[i]);
				q->bufs[i] = NULL;
				sl_counter_add(&q->reset_lost, 1);
			}
	}
	memset(q->desc, 0, sl_vring_desc_bytes(n));
	memset(q->avail, 0, sl_vring_avail_bytes(n) + 2);
	memset(q->used, 0, sl_vring_used_bytes(n) + 2);
	q->avail_idx = 0;
	q->last_used = 0;
	q->nb_holes = 0;
	/* We poll: no interrupts. */
	q->avail->flags = SL_VRING_AVAIL_F_NO_INTERRUPT;
	if (q->vring & 1) {
		for (uint16_t i = 0; i < n; i++)
			q->desc[i].next = (uint16_t)(i + 1);
		q->free_head = 0;
		q->nb_free = n;
		return 0;
	}
	/* rx: buffers posted last time stay ours; fill the slots that have none */
	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = q->bufs[i];

		if (p == NULL && (p = sl_pktbuf_alloc(q->pool)) == NULL)
			return -ENOMEM;
		sl_pktbuf_reset(p);
		rx_post(q, i, p);
	}
	q->avail->idx = q->avail_idx;
	return 0;
}

/* --- receive --- */

uint16_t vu_rx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct vu_queue *q = qv;
	uint16_t used_idx, avail, nb = 0, got, refill;
	struct sl_pktbuf *fresh[64];
	uint64_t bytes = 0;

	if (!sl_gate_enter(&q->gate))
		return 0;
	used_idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	avail = (uint16_t)(used_idx - q->last_used);
	if (sl_unlikely(avail > q->size)) {
		dp_fault(q, VU_FAULT_USED_IDX);
		goto out;
	}
	n = SL_MIN(n, (uint16_t)64);
	while (nb < n && avail) {
		const struct sl_vring_used_elem *u = &q->used->ring[q->last_used & q->mask];
		uint32_t id = u->id, len = u->len, room;
		uint16_t nbuf = 1;
		struct sl_pktbuf *p, *last;

		if (sl_unlikely(id >= q->size || q->bufs[id] == NULL)) {
			dp_fault(q, VU_FAULT_ID);
			break;
		}
		p = q->bufs[id];
		room = (uint32_t)(p->buf_len - p->data_off + VU_HDR_LEN);
		if (sl_unlikely(len < VU_HDR_LEN || len > room)) {
			dp_fault(q, VU_FAULT_LEN);
			break;
		}
		if (q->mrg) {
			nbuf = sl_pktbuf_mtod_offset(p, struct sl_virtio_net_hdr *, -VU_HDR_LEN)
				       ->num_buffers;
			if (sl_unlikely(nbuf == 0 || nbuf > VU_MAX_SEGS)) {
				dp_fault(q, VU_FAULT_NUM_BUFS);
				break;
			}
			if (nbuf > avail)
				break; /* the rest is coming */
			if (nbuf > 64 - q->nb_holes)
				break; /* next burst */
		}
		q->bufs[id] = NULL;
		q->holes[q->nb_holes++] = (uint16_t)id;
		p->data_len = (uint16_t)(len - VU_HDR_LEN);
		p->pkt_len = p->data_len;
		p->port = q->port;
		last = p;
		for (uint16_t b = 1; b < nbuf; b++) {
			const struct sl_vring_used_elem *ub =
				&q->used->ring[(uint16_t)(q->last_used + b) & q->mask];
			uint32_t bid = ub->id, blen = ub->len;
			struct sl_pktbuf *s;

			if (sl_unlikely(bid >= q->size || q->bufs[bid] == NULL ||
					blen > (uint32_t)(q->bufs[bid]->buf_len -
							  q->bufs[bid]->data_off + VU_HDR_LEN))) {
				/* the chain so far goes back to the pool, the rest stays posted */
				q->last_used = (uint16_t)(q->last_used + b);
				/* the segments taken so far are p's chain: p goes back */
				sl_pktbuf_free(p);
				dp_fault(q, bid >= q->size || q->bufs[bid] == NULL ? VU_FAULT_ID
										   : VU_FAULT_LEN);
				goto refill;
			}
			s = q->bufs[bid];
			q->bufs[bid] = NULL;
			q->holes[q->nb_holes++] = (uint16_t)bid;
			/* Later buffers hold data from their start (no header). */
			s->data_off = (uint16_t)(s->data_off - VU_HDR_LEN);
			s->data_len = (uint16_t)blen;
			p->pkt_len += blen;
			p->nb_segs++;
			last->next = s;
			last = s;
		}
		if (nbuf > 1)
			sl_counter_add(&q->desc_chained, 1);
		q->last_used = (uint16_t)(q->last_used + nbuf);
		avail = (uint16_t)(avail - nbuf);
		bytes += p->pkt_len;
		pkts[nb++] = p;
	}
refill:
	/* Slots emptied (now or by an earlier burst the pool could not refill) get buffers. */
	refill = SL_MIN(q->nb_holes, (uint16_t)SL_ARRAY_SIZE(fresh));
	got = refill;
	if (refill && sl_pktbuf_alloc_bulk(q->pool, fresh, refill) < 0) {
		for (got = 0; got < refill && (fresh[got] = sl_pktbuf_alloc(q->pool)); got++)
			;
		sl_counter_add(&q->st.nombuf, (uint64_t)(refill - got));
	}
	for (uint16_t i = 0; i < got; i++)
		rx_post(q, q->holes[--q->nb_holes], fresh[i]);
	if (got)
		publish(q);
out:
	sl_gate_leave(&q->gate);
	sl_counter_add(&q->st.packets, nb);
	sl_counter_add(&q->st.bytes, bytes);
	return nb;
}

/* --- transmit --- */

/* Takes back the descriptors and buffers the backend is done with. */
static inline bool tx_reclaim(struct vu_queue *q)
{
	uint16_t used_idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t cnt = (uint16_t)(used_idx - q->last_used);
	struct sl_pktbuf *done[64];
	unsigned nd = 0;

	if (sl_unlikely(cnt > q->size - q->nb_free)) {
		dp_fault(q, VU_FAULT_USED_IDX);
		return false;
	}
	while (cnt--) {
		uint32_t id = q->used->ring[q->last_used & q->mask].id;
		uint16_t d;

		if (sl_unlikely(id >= q->size || q->bufs[id] == NULL)) {
			dp_fault(q, VU_FAULT_ID);
			return false;
		}
		done[nd++] = q->bufs[id];
		q->bufs[id] = NULL;
		/* the chain's descriptors go back on the free list */
		d = (uint16_t)id;
		q->nb_free++;
		while (q->desc[d].flags & SL_VRING_DESC_F_NEXT) {
			d = q->desc[d].next;
			q->nb_free++;
		}
		q->desc[d].next = q->free_head;
		q->free_head = (uint16_t)id;
		q->last_used++;
		if (nd == SL_ARRAY_SIZE(done)) {
			sl_pktbuf_free_bulk(done, nd);
			nd = 0;
		}
	}
	if (nd)
		sl_pktbuf_free_bulk(done, nd);
	return true;
}

/* The packet's own buffer can carry the header in front of its data (one descriptor). */
static inline bool can_push(const struct vu_queue *q, const struct sl_pktbuf *p)
{
	return p->nb_segs == 1 && sl_pktbuf_refcnt_read(p) == 1 && p->flags == 0 &&
	       p->data_off >= VU_HDR_LEN &&
	       vu_shared_has(q->shared, (char *)p->buf_addr + p->data_off - VU_HDR_LEN,
			     (size_t)p->data_len + VU_HDR_LEN);
}

uint16_t vu_tx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct vu_queue *q = qv;
	uint16_t i, sent = 0;
	uint64_t bytes = 0;

	if (!sl_gate_enter(&q->gate)) {
		sl_counter_add(&q->link_down, n);
		return 0;
	}
	if (!tx_reclaim(q)) {
		sl_gate_leave(&q->gate);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];
		uint16_t head = q->free_head;

		if (sl_likely(can_push(q, p))) {
			struct sl_vring_desc *d;
			char *h;

			if (sl_unlikely(q->nb_free == 0))
				break;
			h = sl_pktbuf_prepend(p, VU_HDR_LEN);
			memset(h, 0, VU_HDR_LEN);
			d = &q->desc[head];
			q->free_head = d->next;
			d->addr = (uint64_t)(uintptr_t)h;
			d->len = p->pkt_len;
			d->flags = 0;
			q->nb_free--;
			bytes += p->pkt_len - VU_HDR_LEN;
		} else {
			/* A header slot, then each segment. */
			uint16_t need = (uint16_t)(p->nb_segs + 1), d = head, prev = head;
			const struct sl_pktbuf *s;
			bool ok = p->nb_segs < VU_MAX_SEGS;

			for (s = p; ok && s; s = s->next)
				ok = vu_shared_has(q->shared, sl_pktbuf_mtod(s, void *),
						   s->data_len);
			if (!ok) {
				sl_counter_add(&q->unshared, 1);
				sl_counter_add(&q->st.errors, 1);
				sl_pktbuf_free(p);
				sent++; /* taken */
				continue;
			}
			if (q->nb_free < need)
				break;
			memset(&q->hdrs[head], 0, VU_HDR_LEN);
			q->desc[d].addr = (uint64_t)(uintptr_t)&q->hdrs[head];
			q->desc[d].len = VU_HDR_LEN;
			for (s = p; s; s = s->next) {
				q->desc[prev].flags = SL_VRING_DESC_F_NEXT;
				d = q->desc[prev].next;
				q->desc[d].addr = (uint64_t)(uintptr_t)sl_pktbuf_mtod(s, void *);
				q->desc[d].len = s->data_len;
				prev = d;
			}
			q->free_head = q->desc[prev].next;
			q->desc[prev].flags = 0;
			q->nb_free = (uint16_t)(q->nb_free - need);
			bytes += p->pkt_len;
			sl_counter_add(&q->desc_chained, 1);
		}
		q->bufs[head] = p;
		q->avail->ring[q->avail_idx & q->mask] = head;
		q->avail_idx++;
		sent++;
	}
	if (i < n)
		sl_counter_add(&q->ring_full, (uint64_t)(n - i));
	if (i)
		publish(q);
	sl_gate_leave(&q->gate);
	sl_counter_add(&q->st.packets, sent); /* unshared drops are in errors too */
	sl_counter_add(&q->st.bytes, bytes);
	return i;
}
