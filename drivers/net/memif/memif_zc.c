/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_memif zero-copy client (zero-copy=yes, role=client), the memif way: the client shares
 * the memory of its packet-buffer pools as memif regions, so descriptors point straight
 * into its packet buffers; the server copies as usual.
 *
 *  - Regions: region 0 holds the rings only (memif_ctl.c).  Each rx queue's pool lives in
 *    one memfd of Sluice memory (sl_mem_locate); a memif region has no offset field, so the
 *    region is that memfd from offset 0, long enough to cover the pool.  Pools in the same
 *    memfd share a region.  Descriptor offset = fd offset of the pool's first object +
 *    (buffer data address - that object's address), kept as one addition (delta).
 *  - Client rx (s2c ring): the ring is stocked with empty buffers of the queue's pool
 *    (offset of the data start after the normal headroom, length = data room); the server
 *    fills them; rx hands the very buffers out, chained when the server used several
 *    slots, and restocks in bursts.
 *  - Client tx (c2s ring): a packet that is one whole own buffer (one segment, refcnt 1,
 *    no clone or external data) of an exposed pool goes in the ring by reference and is
 *    freed once the server's tail passes it; anything else is copied first into buffers
 *    of the queue's copy pool (counted: tx_qN_zc_copied).
 *  - Ownership: slot_buf[] (private memory) records the buffer in each ring slot; a
 *    disconnect, stop or close hands every one back to its pool (memif_zc_release, called
 *    by the control thread once no burst runs).
 *  - The peer is not trusted with indexes and descriptors: a length or offset the server
 *    writes back must stay inside the buffer given for that slot, the tail inside what we
 *    handed out; anything else faults the queue.  It is trusted with the memory it maps:
 *    the exposed memfds hold packet-buffer headers (and whatever else shares the memfd),
 *    as in every memif zero-copy implementation.  See docs/drivers/memif.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "memif_dp.h"
#include "sl_memory.h"

/* Restock the rx ring once this many slots are empty (or half the ring, if smaller). */
#define ZC_RESTOCK_MIN 32
#define ZC_BURST 64

/* --- setup (control path) --- */

struct zc_plan {
	struct memif_if *mif;
	unsigned nb_regions;
	int fd[MEMIF_MAX_REGIONS - 1];
	uint64_t size[MEMIF_MAX_REGIONS - 1];
};

/* Describes one pool as a region of the plan (adding the region if its memfd is new). */
static int zc_pool_describe(struct sl_port *port, struct zc_plan *plan, struct sl_pool *pool,
			    struct memif_zc_pool *out)
{
	unsigned n = sl_pool_size(pool);
	const uint8_t *first = sl_pool_obj(pool, 0);
	const uint8_t *last =
		(const uint8_t *)sl_pool_obj(pool, n - 1) + sl_pool_elt_size(pool) - 1;
	uint64_t off, off_last, end, size;
	size_t pg, pg_last;
	int fd, fd_last;
	unsigned r;

	if (first == NULL || sl_mem_locate(first, &fd, &off, &pg) < 0 ||
	    sl_mem_locate(last, &fd_last, &off_last, &pg_last) < 0 || fd < 0) {
		SL_LOG(net_memif, ERR,
		       "%s: zero-copy: pool %s is not in shareable Sluice memory (no memfd behind "
		       "it); create it with sl_pktbuf_pool_create() or drop zero-copy=yes",
		       port->name, sl_pool_name(pool));
		return -ENOTSUP;
	}
	if (fd_last != fd || off_last - off != (uint64_t)(last - first)) {
		SL_LOG(net_memif, ERR,
		       "%s: zero-copy: pool %s spans two memory segments, it cannot be one memif "
		       "region; use a smaller pool or drop zero-copy=yes",
		       port->name, sl_pool_name(pool));
		return -ENOTSUP;
	}
	end = off_last + 1;
	if (end > (1ull << 32)) {
		SL_LOG(net_memif, ERR,
		       "%s: zero-copy: pool %s ends %llu bytes into its memory file, beyond the 4 GiB "
		       "memif offsets reach; create the pool earlier (or smaller) or drop "
		       "zero-copy=yes",
		       port->name, sl_pool_name(pool), (unsigned long long)end);
		return -ENOTSUP;
	}
	/* Whole pages: the peer maps the region, and hugetlb mappings need whole pages. */
	size = (end + pg - 1) / pg * pg;
	for (r = 0; r < plan->nb_regions && plan->fd[r] != fd; r++)
		;
	if (r == plan->nb_regions) {
		if (r == MEMIF_MAX_REGIONS - 1) {
			SL_LOG(net_memif, ERR,
			       "%s: zero-copy: the pools lie in more than %u memory files, more "
			       "regions than memif peers accept; share pools between queues",
			       port->name, MEMIF_MAX_REGIONS - 1);
			return -ENOTSUP;
		}
		plan->fd[r] = fd;
		plan->size[r] = 0;
		plan->nb_regions++;
	}
	plan->size[r] = SL_MAX(plan->size[r], size);
	out->pool = pool;
	out->data_offset = sl_pktbuf_pool_data_offset(pool);
	out->region = (uint16_t)(1 + r);
	out->delta = off - (uint64_t)(uintptr_t)first;
	return 0;
}

static void zc_commit(struct memif_if *mif, void *arg)
{
	const struct zc_plan *plan = arg;

	for (unsigned r = 0; r < plan->nb_regions; r++) {
		mif->zc_regions[r].fd = plan->fd[r];
		mif->zc_regions[r].size = plan->size[r];
	}
	mif->zc_nb_regions = (uint16_t)plan->nb_regions;
}

/*
 * At start: describes every rx queue's pool as a region, gives each rx queue its pool and
 * each tx queue the list of exposed pools (its copy pool first: the pool of the rx queue
 * with the same number, else rx queue 0's).  Returns 0 or -errno after logging.
 */
int memif_zc_prepare(struct sl_port *port)
{
	struct memif_if *mif = port->priv;
	struct memif_zc_pool all[SL_PORT_MAX_QUEUES];
	struct zc_plan plan = {.mif = mif};
	unsigned nb_all = 0;
	int rc;

	for (uint16_t i = 0; i < port->conf.nb_rxq; i++) {
		struct memif_queue *q = port->rxq[i];
		unsigned buf_len, head;
		unsigned k;

		if (q == NULL || q->pool == NULL)
			continue;
		for (k = 0; k < nb_all && all[k].pool != q->pool; k++)
			;
		if (k == nb_all) {
			rc = zc_pool_describe(port, &plan, q->pool, &all[k]);
			if (rc < 0)
				return rc;
			nb_all++;
		}
		buf_len = sl_pktbuf_pool_buf_len(q->pool);
		head = SL_MIN((unsigned)SL_PKTBUF_HEADROOM, buf_len);
		if (buf_len - head < 64) {
			SL_LOG(net_memif, ERR,
			       "%s: zero-copy: buffers of pool %s hold %u bytes after the %u-byte "
			       "headroom; use buffers of at least %u bytes",
			       port->name, sl_pool_name(q->pool), buf_len - head, head, head + 64);
			return -EINVAL;
		}
		q->zc_pools[0] = all[k];
		q->zc_nb_pools = 1;
		q->zc_room = (uint16_t)(buf_len - head);
	}
	for (uint16_t i = 0; i < port->conf.nb_txq; i++) {
		struct memif_queue *q = port->txq[i];
		struct memif_queue *src = i < port->conf.nb_rxq && port->rxq[i] ? port->rxq[i]
										 : port->rxq[0];

		if (q == NULL || src == NULL || src->zc_nb_pools == 0)
			continue;
		q->zc_pools[0] = src->zc_pools[0];
		q->zc_room = src->zc_room;
		q->zc_nb_pools = 1;
		for (unsigned k = 0; k < nb_all; k++)
			if (all[k].pool != q->zc_pools[0].pool)
				q->zc_pools[q->zc_nb_pools++] = all[k];
	}
	memif_ctl_locked(zc_commit, mif, &plan);
	SL_LOG(net_memif, NOTICE, "%s: zero-copy: %u pool(s) shared as %u region(s)", port->name,
	       nb_all, plan.nb_regions);
	return 0;
}

/* Frees the buffers slot_buf[] records for the count slots from first on (empty slots are
 * skipped), in bursts. */
static void zc_free_slots(struct memif_queue *q, uint16_t first, unsigned count)
{
	struct sl_pktbuf *bufs[ZC_BURST];
	unsigned nb = 0;

	for (unsigned i = 0; i < count; i++) {
		uint16_t slot = (uint16_t)(first + i) & q->mask;

		if (q->slot_buf[slot] == NULL)
			continue;
		bufs[nb++] = q->slot_buf[slot];
		q->slot_buf[slot] = NULL;
		if (nb == ZC_BURST) {
			sl_pktbuf_free_bulk(bufs, nb);
			nb = 0;
		}
	}
	sl_pktbuf_free_bulk(bufs, nb);
}

/* Gives back every buffer a queue's ring held (control thread, queue off the data path;
 * the ring of the connection going down is mask + 1 slots). */
void memif_zc_release(struct memif_queue *q)
{
	if (q->slot_buf != NULL)
		zc_free_slots(q, 0, q->mask + 1u);
}

/* --- receive --- */

static inline uint32_t zc_offset(const struct memif_zc_pool *zp, const void *addr)
{
	return (uint32_t)((uint64_t)(uintptr_t)addr + zp->delta);
}

/* Hands empty buffers to the server for the slots from refill up to cur + size. */
static void zc_restock(struct memif_queue *q, struct memif_ring *ring, uint16_t cur)
{
	const struct memif_zc_pool *zp = &q->zc_pools[0];
	uint16_t empty = (uint16_t)(q->size - (uint16_t)(q->refill - cur));
	struct sl_pktbuf *bufs[ZC_BURST];
	unsigned want;

	if (empty < SL_MIN(ZC_RESTOCK_MIN, q->size / 2))
		return;
	while (empty) {
		want = SL_MIN((unsigned)empty, (unsigned)ZC_BURST);
		/* When the pool runs low take what there is, down to one buffer. */
		while (sl_pktbuf_alloc_bulk(zp->pool, bufs, want) < 0)
			if ((want /= 2) == 0) {
				sl_counter_add(&q->zc_restock_short, 1);
				goto publish;
			}
		for (unsigned i = 0; i < want; i++) {
			uint16_t slot = (uint16_t)(q->refill + i) & q->mask;
			struct memif_desc *d = &ring->desc[slot];
			uint32_t off = zc_offset(zp, sl_pktbuf_mtod(bufs[i], void *));

			d->flags = 0;
			d->region = zp->region;
			d->offset = off;
			d->length = q->zc_room;
			q->slot_buf[slot] = bufs[i];
			q->slot_off[slot] = off;
		}
		q->refill = (uint16_t)(q->refill + want);
		empty = (uint16_t)(empty - want);
	}
publish:
	__atomic_store_n(&ring->head, q->refill, __ATOMIC_RELEASE);
}

/*
 * Client rx, zero-copy: consumes [last, tail) of the s2c ring.  Each descriptor must name
 * the region and offset we gave its slot and a length within the buffer's room; the
 * buffers themselves become the packets (several slots: a chain).  Then restocks.
 */
uint16_t memif_zc_rx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
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
	end = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
	/* The server can only fill slots we stocked. */
	if ((uint16_t)(end - cur) > (uint16_t)(q->refill - cur)) {
		fault_ring(q);
		goto out;
	}
	avail = (uint16_t)(end - cur);
	while (nb < n && avail) {
		struct sl_pktbuf *head, *prev = NULL;
		uint32_t total = 0;
		unsigned k = 0;

		do {
			uint16_t slot;

			if (k == avail || k == MEMIF_MAX_CHAIN) {
				fault_desc(q, MEMIF_FAULT_CHAIN);
				goto restock;
			}
			slot = (uint16_t)(cur + k) & q->mask;
			loc[k] = desc_read(ring, slot);
			if (sl_unlikely(loc[k].region != q->zc_pools[0].region ||
					loc[k].offset != q->slot_off[slot] ||
					loc[k].length > q->zc_room)) {
				fault_desc(q, MEMIF_FAULT_DESC);
				goto restock;
			}
			total += loc[k].length;
		} while (loc[k++].flags & MEMIF_DESC_FLAG_NEXT);
		head = q->slot_buf[cur & q->mask];
		for (unsigned i = 0; i < k; i++) {
			uint16_t slot = (uint16_t)(cur + i) & q->mask;
			struct sl_pktbuf *seg = q->slot_buf[slot];

			q->slot_buf[slot] = NULL;
			seg->data_len = (uint16_t)loc[i].length;
			if (prev)
				prev->next = seg;
			prev = seg;
		}
		head->nb_segs = (uint16_t)k;
		head->pkt_len = total;
		head->port = q->port;
		pkts[nb++] = head;
		bytes += total;
		cur = (uint16_t)(cur + k);
		avail = (uint16_t)(avail - k);
	}
restock:
	q->last = cur;
	if (!sl_gate_fault_of(&q->gate))
		zc_restock(q, ring, cur);
out:
	sl_gate_leave(&q->gate);
	sl_counter_add(&q->st.packets, nb);
	sl_counter_add(&q->st.bytes, bytes);
	return nb;
}

/* --- transmit --- */

/* The exposed pool a packet can go by reference from (sl_pktbuf_can_lend()), or NULL. */
static inline const struct memif_zc_pool *zc_by_ref(const struct memif_queue *q,
						    const struct sl_pktbuf *p)
{
	for (unsigned k = 0; k < q->zc_nb_pools; k++)
		if (sl_pktbuf_can_lend(p, q->zc_pools[k].pool, q->zc_pools[k].data_offset))
			return &q->zc_pools[k];
	return NULL;
}

/* Copies p into bufs[0..k) (fresh buffers of the copy pool, room bytes each). */
static void zc_copy(const struct sl_pktbuf *p, struct sl_pktbuf **bufs, unsigned k,
		    uint16_t room)
{
	const struct sl_pktbuf *seg = p;
	uint32_t seg_off = 0;

	for (unsigned i = 0; i < k; i++) {
		uint8_t *dst = sl_pktbuf_mtod(bufs[i], uint8_t *);
		uint16_t used = 0;

		while (used < room && seg) {
			uint16_t c = (uint16_t)SL_MIN((uint32_t)(room - used),
						      (uint32_t)seg->data_len - seg_off);

			memcpy(dst + used, sl_pktbuf_mtod_offset(seg, const uint8_t *, seg_off), c);
			used = (uint16_t)(used + c);
			seg_off += c;
			if (seg_off == seg->data_len) {
				seg = seg->next;
				seg_off = 0;
			}
		}
		bufs[i]->data_len = used;
	}
}

static inline void zc_put_desc(struct memif_queue *q, struct memif_ring *ring, uint16_t pos,
			       const struct memif_zc_pool *zp, struct sl_pktbuf *b, bool more)
{
	uint16_t slot = pos & q->mask;
	struct memif_desc *d = &ring->desc[slot];

	d->flags = more ? MEMIF_DESC_FLAG_NEXT : 0;
	d->region = zp->region;
	d->offset = zc_offset(zp, sl_pktbuf_mtod(b, void *));
	d->length = b->data_len;
	q->slot_buf[slot] = b;
}

/* Frees the buffers of the slots the server consumed: [done, tail). */
static inline void zc_reclaim(struct memif_queue *q, uint16_t tail)
{
	zc_free_slots(q, q->done, (uint16_t)(tail - q->done));
	q->done = tail;
}

/*
 * Client tx, zero-copy: first frees what the server consumed, then puts each packet in the
 * c2s ring by reference, or copied into buffers of the copy pool (then freed).  Stops at a
 * full ring or an empty copy pool (the rest stays the caller's).
 */
uint16_t memif_zc_tx(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct memif_queue *q = qv;
	struct memif_ring *ring;
	struct sl_pktbuf *drop[ZC_BURST], *bufs[MEMIF_MAX_CHAIN];
	uint16_t pos, tail, free_slots, i = 0, sent = 0;
	unsigned nb_drop = 0;
	uint64_t bytes = 0, copied = 0;

	if (!sl_gate_enter(&q->gate)) {
		sl_counter_add(&q->link_down, n);
		return 0;
	}
	ring = q->ring;
	pos = q->last;
	tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
	/* The server consumes in order what we published: done <= tail <= head. */
	if ((uint16_t)(tail - q->done) > (uint16_t)(pos - q->done)) {
		fault_ring(q);
		goto out;
	}
	zc_reclaim(q, tail);
	free_slots = (uint16_t)(q->size - (uint16_t)(pos - tail));
	for (; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];
		const struct memif_zc_pool *zp = zc_by_ref(q, p);
		unsigned k;

		if (sl_likely(zp != NULL)) {
			if (free_slots == 0)
				break;
			zc_put_desc(q, ring, pos, zp, p, false);
			pos++;
			free_slots--;
			bytes += p->data_len;
			sent++;
			continue;
		}
		k = p->pkt_len ? (p->pkt_len + q->zc_room - 1u) / q->zc_room : 1;
		if (k > MEMIF_MAX_CHAIN) {
			count_too_big(q);
		} else {
			if (k > free_slots)
				break;
			if (sl_pktbuf_alloc_bulk(q->zc_pools[0].pool, bufs, k) < 0) {
				sl_counter_add(&q->no_buf, n - i);
				n = i; /* not taken: counted here, not as ring_full */
				break;
			}
			zc_copy(p, bufs, k, q->zc_room);
			for (unsigned j = 0; j < k; j++)
				zc_put_desc(q, ring, (uint16_t)(pos + j), &q->zc_pools[0], bufs[j],
					    j + 1 < k);
			pos = (uint16_t)(pos + k);
			free_slots = (uint16_t)(free_slots - k);
			bytes += p->pkt_len;
			copied++;
			sent++;
		}
		drop[nb_drop++] = p; /* copied or too big: the original goes */
		if (nb_drop == ZC_BURST) {
			sl_pktbuf_free_bulk(drop, nb_drop);
			nb_drop = 0;
		}
	}
	__atomic_store_n(&ring->head, pos, __ATOMIC_RELEASE);
	q->last = pos;
	if (sent)
		signal_peer(q);
out:
	sl_gate_leave(&q->gate);
	sl_pktbuf_free_bulk(drop, nb_drop);
	sl_counter_add(&q->st.packets, sent);
	sl_counter_add(&q->st.bytes, bytes);
	sl_counter_add(&q->zc_copied, copied);
	if (i < n)
		sl_counter_add(&q->ring_full, n - i);
	return i;
}
