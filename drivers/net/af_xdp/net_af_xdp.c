/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp: a port on a kernel interface through AF_XDP sockets (libxdp, libbpf).
 *
 *   net_af_xdp0,iface=veth0                           queue 0 of veth0
 *   net_af_xdp0,iface=eth0,start_queue=2,queue_count=2   queues 2 and 3 of eth0
 *   ...,xdp_mode=native|skb  zero_copy=0|1  umem=pool|driver  frame_size=2048|4096
 *      busy_budget=N
 *
 * Port queue q is one AF_XDP socket bound to interface queue start_queue + q, with its own
 * UMEM.  libxdp attaches its default program, which redirects each received frame to the
 * socket of its queue (through its dispatcher when bpffs is mounted), and removes it when
 * the last socket on the interface goes.
 *
 * The sockets exist while the port is started: start() creates them, stop() deletes them
 * (and so the XDP program), so that a stopped or closed port leaves nothing attached.
 *
 * Two kinds of UMEM (umem=pool|driver, default pool when the rx pool fits):
 *   pool    the UMEM is the rx queue's packet-buffer pool itself, registered in the
 *           kernel's unaligned-chunk mode: the fill ring holds empty packet buffers, the
 *           kernel writes each frame into one, and rx hands that buffer out as it is.  Tx
 *           puts a buffer of that pool straight into the tx ring and frees it when the
 *           kernel completes it; a packet from elsewhere is copied into one first.
 *   driver  a UMEM of the driver's own (rxd + txd frames of frame_size bytes): rx copies
 *           each frame into a packet buffer, tx copies packets into free frames.
 * Pool mode: a buffer's chunk starts at its data area (buf_addr) and is buf_len bytes
 * long; the kernel writes the frame after its 256-byte XDP headroom, so received packets
 * have data_off 256.  Every buffer the kernel holds (fill ring, in flight, rx ring, tx
 * ring, completion ring) is marked in a per-queue bitmap, so that stop() can give them all
 * back to the pool once the socket is gone.
 *
 * Shared rings (netmap-style: (u) written by us, (k) by the kernel):
 *   fill:  (u) produces empty rx frames, (k) consumes them
 *   rx:    (k) produces filled frames, (u) consumes them
 *   tx:    (u) produces frames to send, (k) consumes them
 *   comp:  (k) produces sent frames, (u) consumes them
 *   need_wakeup flag of fill/tx: (k) sets it when it wants a system call to go on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/magic.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "sl_port_driver.h"

#define ETH_HLEN_ 14
#define VLAN_HLEN_ 4
/* The kernel keeps this much in front of every rx frame (XDP_PACKET_HEADROOM). */
#define XDP_HEADROOM_ 256
#define DEFAULT_FRAME_SIZE 2048
#define XDP_UMEM_MIN_CHUNK_SIZE_ 2048
#define MIN_DESC 64
#define MAX_DESC 16384
#define BPFFS_PATH "/sys/fs/bpf"
#define BUSY_TRIES 100
#define BUSY_WAIT_US 10000

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

enum xdp_mode { MODE_AUTO, MODE_NATIVE, MODE_SKB };
enum umem_kind { UMEM_AUTO, UMEM_POOL, UMEM_DRIVER };

/*
 * Buffers of a pool the kernel holds, one bit per pool object.  Objects sit at a fixed
 * stride, so an object's index is (offset >> shift) * inv, where stride = odd << shift
 * and inv is odd's inverse modulo 2^64: exact for offsets that are multiples of the
 * stride, and no division on the data path.
 */
struct own_map {
	uint64_t *bits;
	uintptr_t first;  /* the pool's first object */
	uint64_t inv;
	uint32_t shift;
	uint32_t stride;
	uint32_t count;   /* objects in the pool */
};

struct xdp_qp;

struct xdp_rxq {
	/* --- data path --- */
	struct xsk_ring_cons rx;   /* (k) filled frames */
	struct xsk_ring_prod fill; /* (u) empty frames for the kernel */
	uint8_t *umem;             /* UMEM area */
	struct sl_pool *pool;
	uint32_t buf_off;          /* pool UMEM: bytes from a buffer's header to its data */
	uint32_t fill_need;        /* pool UMEM: buffers the fill ring lacks */
	int fd;
	uint16_t port;
	bool busy_poll;            /* kick on every empty poll so that the kernel busy-polls */
	uint64_t packets;          /* (data path) */
	uint64_t bytes;            /* (data path) */
	uint64_t nombuf;           /* (data path) bursts or refills cut short by an empty pool */
	uint64_t kick_err;         /* (data path) recvfrom() wake-ups that failed */
	struct own_map own;        /* pool UMEM: buffers in the fill ring, kernel or rx ring */
	/* --- control --- */
	uint32_t nb_desc;
	struct xdp_qp *qp;         /* NULL while the port is stopped */
} SL_CACHE_ALIGNED;

struct xdp_txq {
	/* --- data path --- */
	struct xsk_ring_prod tx;   /* (u) frames to send */
	struct xsk_ring_cons comp; /* (k) frames sent */
	uint8_t *umem;
	struct sl_pool *pool;      /* pool UMEM: the pool the UMEM is */
	uint32_t buf_off;          /* pool UMEM: bytes from a buffer's header to its data */
	uint64_t *free_addr;       /* driver UMEM: stack of free tx frames (UMEM offsets) */
	uint32_t nb_free;          /* driver UMEM: entries in free_addr */
	uint32_t max_len;          /* largest frame a UMEM frame carries */
	uint32_t mtu_len;          /* largest untagged frame the interface takes */
	int fd;
	uint64_t packets;          /* (data path) */
	uint64_t bytes;            /* (data path) */
	uint64_t ring_full;        /* (data path) packets left to the caller: no free frame */
	uint64_t no_buffer;        /* (data path) packets left to the caller: no buffer to copy into */
	uint64_t copied;           /* (data path) pool UMEM: packets copied (not of the pool) */
	uint64_t oversize;         /* (data path) dropped: longer than a frame or the MTU */
	uint64_t runt;             /* (data path) dropped: shorter than an Ethernet header */
	uint64_t kick_err;         /* (data path) sendto() wake-ups that failed */
	struct own_map own;        /* pool UMEM: buffers in the tx ring, kernel or comp ring */
	/* --- control --- */
	uint32_t nb_desc;
	struct xdp_qp *qp;
} SL_CACHE_ALIGNED;

/* One socket and its UMEM: port queue q on interface queue start_queue + q. */
struct xdp_qp {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	void *area;
	size_t area_len;
	bool area_mapped;          /* area is ours (driver UMEM) and unmapped at the end */
	struct xsk_ring_prod fill; /* used when the queue index has no rx queue */
	struct xsk_ring_cons comp; /* used when it has no tx queue */
};

struct xdp_port {
	char iface[IFNAMSIZ];
	int ifindex;
	int ctl_fd;                /* AF_INET datagram socket for interface ioctls */
	uint32_t start_queue;
	uint16_t queue_count;
	enum xdp_mode mode;
	enum umem_kind umem_req;   /* asked for */
	bool pool_umem;            /* chosen at start */
	int zero_copy;             /* -1: the kernel chooses, 0: copy, 1: zero-copy */
	uint32_t frame_size;
	uint32_t busy_budget;      /* 0 = no busy polling */
	struct xdp_qp *qp[SL_PORT_MAX_QUEUES];
	/* XDP_STATISTICS: the kernel's counters are per socket and never reset, so they are
	 * kept as (sockets already deleted) + (live socket) - (baseline at the last reset). */
	struct xdp_statistics kacc[SL_PORT_MAX_QUEUES];
	struct xdp_statistics kbase[SL_PORT_MAX_QUEUES];
};

/* --- buffers the kernel holds (pool UMEM) --- */

static int own_init(const struct sl_port *port, struct own_map *m, struct sl_pool *pool)
{
	unsigned n = sl_pool_size(pool);
	uintptr_t first = (uintptr_t)sl_pool_obj(pool, 0);
	uint64_t stride = n > 1 ? (uintptr_t)sl_pool_obj(pool, 1) - first : 64, odd, inv;

	m->bits = calloc((n + 63) / 64, sizeof(uint64_t));
	if (m->bits == NULL) {
		SL_LOG(port, ERR, "%s: no memory for the %u-bit map of pool %s's buffers lent to the "
		       "kernel; free memory or use umem=driver", port->name, n, sl_pool_name(pool));
		return -ENOMEM;
	}
	m->first = first;
	m->count = n;
	m->stride = (uint32_t)stride;
	m->shift = (uint32_t)__builtin_ctzll(stride);
	odd = stride >> m->shift;
	/* Newton's iteration doubles the correct low bits each step: 3 -> 6 -> ... -> 96. */
	inv = odd;
	for (int i = 0; i < 5; i++)
		inv *= 2 - odd * inv;
	m->inv = inv;
	return 0;
}

static inline uint32_t own_index(const struct own_map *m, const void *obj)
{
	return (uint32_t)((((uintptr_t)obj - m->first) >> m->shift) * m->inv);
}

static inline void own_set(struct own_map *m, const void *obj)
{
	uint32_t i = own_index(m, obj);

	m->bits[i / 64] |= 1ull << (i % 64);
}

static inline void own_clear(struct own_map *m, const void *obj)
{
	uint32_t i = own_index(m, obj);

	m->bits[i / 64] &= ~(1ull << (i % 64));
}

/* Gives every marked buffer back to pool (the kernel no longer holds them) and frees the
 * map.  Returns how many there were. */
static unsigned own_release(struct own_map *m, struct sl_pool *pool)
{
	unsigned n = 0;

	if (m->bits == NULL)
		return 0;
	for (uint32_t w = 0; w < (m->count + 63) / 64; w++)
		for (uint64_t b = m->bits[w]; b; b &= b - 1) {
			uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(b);

			sl_pool_put(pool, (void *)(m->first + (uintptr_t)i * m->stride));
			n++;
		}
	free(m->bits);
	memset(m, 0, sizeof(*m));
	return n;
}

/* --- rx, pool UMEM --- */

#define FILL_BATCH 32

/* Puts empty buffers into the fill ring until it lacks none or the pool is empty. */
static void fill_refill(struct xdp_rxq *rq)
{
	void *objs[64];
	uint32_t idx = 0;

	while (rq->fill_need) {
		uint32_t n = SL_MIN(rq->fill_need, (uint32_t)SL_ARRAY_SIZE(objs));

		if (sl_unlikely(sl_pool_get_bulk(rq->pool, objs, n) < 0)) {
			/* Fewer left than asked: take what there is, one by one. */
			uint32_t got = 0;

			while (got < n && sl_pool_get(rq->pool, &objs[got]) == 0)
				got++;
			sl_counter_add(&rq->nombuf, 1);
			if (got == 0)
				return;
			n = got;
		}
		/* The fill ring is as large as the queue's buffers: it has room for n. */
		if (sl_unlikely(xsk_ring_prod__reserve(&rq->fill, n, &idx) != n)) {
			sl_pool_put_bulk(rq->pool, objs, n);
			return;
		}
		for (uint32_t k = 0; k < n; k++) {
			*xsk_ring_prod__fill_addr(&rq->fill, idx + k) =
				(uint64_t)((uint8_t *)objs[k] + rq->buf_off - rq->umem);
			own_set(&rq->own, objs[k]);
		}
		xsk_ring_prod__submit(&rq->fill, n);
		rq->fill_need -= n;
	}
}

static inline void rx_kick(struct xdp_rxq *rq)
{
	if (recvfrom(rq->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENETDOWN)
		sl_counter_add(&rq->kick_err, 1);
}

static uint16_t xdp_rx_pool(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct xdp_rxq *rq = q;
	uint32_t idx = 0, nb;
	uint64_t bytes = 0;

	nb = xsk_ring_cons__peek(&rq->rx, n, &idx);
	if (nb == 0) {
		if (rq->fill_need)
			fill_refill(rq);
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
		p->vlan_tci_outer = 0;
		own_clear(&rq->own, p);
		pkts[i] = p;
		bytes += d->len;
	}
	xsk_ring_cons__release(&rq->rx, nb);
	rq->fill_need += nb;
	if (rq->fill_need >= FILL_BATCH)
		fill_refill(rq);
	sl_counter_add(&rq->packets, nb);
	sl_counter_add(&rq->bytes, bytes);
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
		sl_counter_add(&rq->nombuf, 1);
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
				sl_counter_add(&rq->nombuf, 1);
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
		*xsk_ring_prod__fill_addr(&rq->fill, idx_fill + i) = xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_prod__submit(&rq->fill, nb);
	xsk_ring_cons__release(&rq->rx, nb);
out:
	sl_counter_add(&rq->packets, got);
	sl_counter_add(&rq->bytes, bytes);
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
		sl_counter_add(&tq->kick_err, 1);
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
		sl_counter_add(&tq->runt, 1);
		return true;
	}
	if (sl_unlikely(len > mtu_len) && tx_too_long(tq, p, len)) {
		sl_counter_add(&tq->oversize, 1);
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
		sl_counter_add(&tq->packets, queued);
		sl_counter_add(&tq->bytes, bytes);
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
		uint64_t addr = xsk_umem__extract_addr(*xsk_ring_cons__comp_addr(&tq->comp, idx + i));
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

/* --- libxdp / libbpf messages --- */

static int lib_print(int debug, const char *fmt, va_list ap)
{
	char line[512];

	/* Their warnings are mostly about ELF sections and bpffs fallbacks that the driver
	 * explains itself: keep them at debug level, errors come from our own log lines. */
	(void)debug;
	vsnprintf(line, sizeof(line), fmt, ap);
	SL_LOG(port, DEBUG, "af_xdp: %s", line);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return lib_print(level != LIBXDP_WARN, fmt, ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return lib_print(level != LIBBPF_WARN, fmt, ap);
}

/* --- control helpers --- */

static int ifreq_ioctl(const struct xdp_port *xp, unsigned long req, struct ifreq *ifr)
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
	if (ifreq_ioctl(xp, SIOCETHTOOL, &ifr) < 0)
		return 0;
	return SL_MAX(ch.combined_count, ch.rx_count) ? SL_MAX(ch.combined_count, ch.rx_count)
						       : SL_MAX(ch.tx_count, 1u);
}

static bool have_bpffs(void)
{
	struct statfs st;

	return statfs(BPFFS_PATH, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* Raises RLIMIT_MEMLOCK so that the kernel may pin need bytes of UMEM (kernels charge
 * UMEM to it unless the process has CAP_IPC_LOCK).  Returns false if it stays too low. */
static bool memlock_raise(size_t need)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2];
	struct rlimit rl;

	if (syscall(SYS_capget, &hdr, caps) == 0 &&
	    (caps[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32))))
		return true; /* not charged */
	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		return true;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return true;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = rl.rlim_max;
		return setrlimit(RLIMIT_MEMLOCK, &rl) == 0;
	}
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	return setrlimit(RLIMIT_MEMLOCK, &rl) == 0;
}

static void kstats_read(const struct xdp_qp *qp, struct xdp_statistics *ks)
{
	socklen_t len = sizeof(*ks);

	memset(ks, 0, sizeof(*ks));
	if (qp && getsockopt(xsk_socket__fd(qp->xsk), SOL_XDP, XDP_STATISTICS, ks, &len) < 0)
		memset(ks, 0, sizeof(*ks));
}

#define KSTAT_FIELDS(X)                                                                    \
	X(rx_dropped) X(rx_invalid_descs) X(tx_invalid_descs) X(rx_ring_full)             \
	X(rx_fill_ring_empty_descs) X(tx_ring_empty_descs)

/* The kernel counters of queue q since the last reset. */
static struct xdp_statistics kstats(const struct xdp_port *xp, uint16_t q)
{
	struct xdp_statistics live, out;

	kstats_read(xp->qp[q], &live);
#define ADD(f) out.f = xp->kacc[q].f + live.f - xp->kbase[q].f;
	KSTAT_FIELDS(ADD)
#undef ADD
	return out;
}

/* With bpffs, libxdp still attaches its program alone when the kernel cannot run its
 * dispatcher (freplace programs need kernel BTF): say so, since other XDP programs then
 * cannot share the interface. */
static void dispatcher_check(const struct sl_port *port)
{
	const struct xdp_port *xp = port->priv;
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(xp->ifindex);

	if (libxdp_get_error(mp) || mp == NULL)
		return;
	if (xdp_multiprog__is_legacy(mp))
		SL_LOG(port, NOTICE, "%s: libxdp could not use its dispatcher on this kernel (it needs "
		       "freplace programs and kernel BTF; --log-level port:debug shows libxdp's "
		       "reason): its program is attached to %s alone", port->name, xp->iface);
	xdp_multiprog__close(mp);
}

/* A program already on the interface before our first socket: most likely left by a
 * process killed with SIGKILL.  libxdp reuses it, but only removes what it attached
 * itself, so it would stay after this port closes too. */
static void stale_check(const struct sl_port *port)
{
	const struct xdp_port *xp = port->priv;
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(xp->ifindex);
	struct xdp_program *prog;

	if (libxdp_get_error(mp) || mp == NULL)
		return;
	prog = xdp_multiprog__main_prog(mp);
	if (prog)
		SL_LOG(port, NOTICE, "%s: XDP program '%s' is already attached to %s (left by a killed "
		       "process?); libxdp reuses it and it stays after this port closes: remove it "
		       "with `ip link set dev %s xdp off` (xdpgeneric off for skb mode)", port->name,
		       xdp_program__name(prog), xp->iface, xp->iface);
	xdp_multiprog__close(mp);
}

/* --- queues and sockets --- */

static int check_desc(const struct sl_port *port, const char *kind, uint16_t q, uint16_t nb)
{
	if (!SL_IS_POW2(nb) || nb < MIN_DESC || nb > MAX_DESC) {
		SL_LOG(port, ERR, "%s: %s queue %u: %u descriptors is too small or not a power of two "
		       "(AF_XDP rings); use a power of two in [%d, %d], e.g. %u",
		       port->name, kind, q, nb, MIN_DESC, MAX_DESC,
		       SL_MIN(SL_MAX(sl_pow2_ceil(nb), (uint32_t)MIN_DESC), (uint32_t)MAX_DESC));
		return -EINVAL;
	}
	return 0;
}

static int xdp_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			 struct sl_pool *pool)
{
	struct xdp_rxq *rq;
	int rc = check_desc(port, "rx", q, nb_desc);

	if (rc < 0)
		return rc;
	rq = sl_malloc(sizeof(*rq), 0, node);
	if (rq == NULL)
		return -ENOMEM;
	memset(rq, 0, sizeof(*rq));
	rq->pool = pool;
	rq->port = port->id;
	rq->nb_desc = nb_desc;
	rq->fd = -1;
	port->rxq[q] = rq;
	return 0;
}

static int xdp_txq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node)
{
	struct xdp_txq *tq;
	int rc = check_desc(port, "tx", q, nb_desc);

	if (rc < 0)
		return rc;
	tq = sl_malloc(sizeof(*tq), 0, node);
	if (tq == NULL)
		return -ENOMEM;
	memset(tq, 0, sizeof(*tq));
	tq->free_addr = calloc(nb_desc, sizeof(*tq->free_addr));
	if (tq->free_addr == NULL) {
		sl_free(tq);
		return -ENOMEM;
	}
	tq->nb_desc = nb_desc;
	tq->fd = -1;
	port->txq[q] = tq;
	return 0;
}

static void xdp_rxq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->rxq[q]);
	port->rxq[q] = NULL;
}

static void xdp_txq_release(struct sl_port *port, uint16_t q)
{
	struct xdp_txq *tq = port->txq[q];

	if (tq == NULL)
		return;
	free(tq->free_addr);
	sl_free(tq);
	port->txq[q] = NULL;
}

/* Deletes the socket and UMEM of queue q, keeping their kernel counters. */
static void qp_destroy(struct sl_port *port, uint16_t q)
{
	struct xdp_port *xp = port->priv;
	struct xdp_qp *qp = xp->qp[q];
	struct xdp_statistics live;

	if (qp == NULL)
		return;
	if (qp->xsk) {
		kstats_read(qp, &live);
#define KEEP(f) xp->kacc[q].f += live.f - xp->kbase[q].f;
		KSTAT_FIELDS(KEEP)
#undef KEEP
		memset(&xp->kbase[q], 0, sizeof(xp->kbase[q]));
		/* The last socket on the interface takes libxdp's program with it. */
		xsk_socket__delete(qp->xsk);
	}
	if (qp->umem)
		xsk_umem__delete(qp->umem);
	if (qp->area_mapped)
		munmap(qp->area, qp->area_len);
	free(qp);
	xp->qp[q] = NULL;
	/* The kernel is done with the UMEM: what it held goes back to the pool. */
	if (q < port->conf.nb_rxq && port->rxq[q]) {
		struct xdp_rxq *rq = port->rxq[q];

		own_release(&rq->own, rq->pool);
		rq->qp = NULL;
	}
	if (q < port->conf.nb_txq && port->txq[q]) {
		struct xdp_txq *tq = port->txq[q];

		if (tq->pool)
			own_release(&tq->own, tq->pool);
		tq->qp = NULL;
	}
}

static int socket_error(const struct sl_port *port, uint16_t q, int rc)
{
	const struct xdp_port *xp = port->priv;
	uint32_t iq = xp->start_queue + q;
	const char *mode = xp->mode == MODE_NATIVE ? "native" : xp->mode == MODE_SKB ? "skb" : "auto";

	switch (rc) {
	case -EOPNOTSUPP:
		if (xp->zero_copy == 1)
			SL_LOG(port, ERR, "%s: %s cannot do zero-copy AF_XDP (xdp_mode=%s): use zero_copy=0 "
			       "(copy mode) or a NIC driver with AF_XDP zero-copy support",
			       port->name, xp->iface, mode);
		else
			SL_LOG(port, ERR, "%s: %s does not support XDP in %s mode (%s); use xdp_mode=skb "
			       "(generic XDP works on every interface)", port->name, xp->iface, mode,
			       strerror(-rc));
		break;
	case -EBUSY:
	case -EEXIST:
		SL_LOG(port, ERR, "%s: queue %u of %s is taken (%s): another AF_XDP socket is bound to "
		       "it, or another XDP program is attached in another mode; see `ip -d link show "
		       "dev %s` and detach it with `ip link set dev %s xdp off` (or xdpgeneric off)",
		       port->name, iq, xp->iface, strerror(-rc), xp->iface, xp->iface);
		break;
	case -EPERM:
	case -ENOMEM:
		SL_LOG(port, ERR, "%s: the kernel refused to pin the UMEM or load the XDP program on %s "
		       "(%s): raise the locked-memory limit (`ulimit -l unlimited`, or LimitMEMLOCK= "
		       "in a systemd unit) or run as root / with CAP_IPC_LOCK, CAP_NET_ADMIN, CAP_BPF",
		       port->name, xp->iface, strerror(-rc));
		break;
	case -EINVAL:
		SL_LOG(port, ERR, "%s: the kernel refused an AF_XDP socket on queue %u of %s (%s): "
		       "check start_queue/queue_count against `ethtool -l %s` and the interface's "
		       "XDP support (xdp_mode=skb works everywhere)", port->name, iq, xp->iface,
		       strerror(-rc), xp->iface);
		break;
	default:
		SL_LOG(port, ERR, "%s: cannot create an AF_XDP socket on queue %u of %s: %s",
		       port->name, iq, xp->iface, strerror(-rc));
	}
	return rc;
}

/* The pool a pool UMEM of queue q is: its rx queue's, or rx queue 0's for a queue that
 * only sends. */
static struct sl_pool *umem_pool(const struct sl_port *port, uint16_t q)
{
	return ((struct xdp_rxq *)port->rxq[q < port->conf.nb_rxq ? q : 0])->pool;
}

/* Creates the UMEM and socket of port queue q, fills the fill ring and the tx free stack.
 * A -EBUSY from the socket is logged only on the last try (see qp_create()). */
static int qp_create_once(struct sl_port *port, uint16_t q, bool last_try)
{
	struct xdp_port *xp = port->priv;
	struct xdp_rxq *rq = q < port->conf.nb_rxq ? port->rxq[q] : NULL;
	struct xdp_txq *tq = q < port->conf.nb_txq ? port->txq[q] : NULL;
	uint32_t rx_frames = rq ? rq->nb_desc : 0, tx_frames = tq ? tq->nb_desc : 0;
	struct xsk_umem_config ucfg = {
		.fill_size = rx_frames ? rx_frames : MIN_DESC,
		.comp_size = tx_frames ? tx_frames : MIN_DESC,
		.frame_size = xp->frame_size,
		.frame_headroom = 0,
		.flags = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = rx_frames,
		.tx_size = tx_frames,
		.libxdp_flags = 0, /* let libxdp load and attach its redirect program */
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	struct xdp_qp *qp = calloc(1, sizeof(*qp));
	uint32_t idx = 0;
	int rc;

	if (qp == NULL)
		return -ENOMEM;
	xp->qp[q] = qp;
	/* libxdp does not reset every cached index of a ring it maps: a restarted queue must
	 * not inherit the previous socket's. */
	if (rq) {
		memset(&rq->rx, 0, sizeof(rq->rx));
		memset(&rq->fill, 0, sizeof(rq->fill));
	}
	if (tq) {
		memset(&tq->tx, 0, sizeof(tq->tx));
		memset(&tq->comp, 0, sizeof(tq->comp));
	}
	if (xp->mode == MODE_NATIVE)
		scfg.xdp_flags = XDP_FLAGS_DRV_MODE;
	else if (xp->mode == MODE_SKB)
		scfg.xdp_flags = XDP_FLAGS_SKB_MODE;
	if (xp->zero_copy == 1)
		scfg.bind_flags |= XDP_ZEROCOPY;
	else if (xp->zero_copy == 0)
		scfg.bind_flags |= XDP_COPY;

	if (xp->pool_umem) {
		/* The pool's objects, from the page holding the first to the end of the last. */
		struct sl_pool *pool = umem_pool(port, q);
		long page = sysconf(_SC_PAGESIZE);
		uintptr_t first = (uintptr_t)sl_pool_obj(pool, 0);
		uintptr_t end = (uintptr_t)sl_pool_obj(pool, sl_pool_size(pool) - 1) +
				sl_pool_elt_size(pool);
		uintptr_t start = first & ~((uintptr_t)page - 1);

		qp->area = (void *)start;
		qp->area_len = SL_ALIGN_UP(end, (uintptr_t)page) - start;
		ucfg.frame_size = sl_pktbuf_pool_buf_len(pool);
		ucfg.flags = XDP_UMEM_UNALIGNED_CHUNK_FLAG;
	} else {
		qp->area_len = (size_t)(rx_frames + tx_frames) * xp->frame_size;
		qp->area = mmap(NULL, qp->area_len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (qp->area == MAP_FAILED) {
			rc = -errno;
			qp->area = NULL;
			SL_LOG(port, ERR, "%s: cannot map a %zu-byte UMEM for queue %u: %s; use fewer "
			       "descriptors", port->name, qp->area_len, q, strerror(-rc));
			goto fail;
		}
		qp->area_mapped = true;
	}
	if (!memlock_raise(qp->area_len * (size_t)SL_MAX(port->conf.nb_rxq, port->conf.nb_txq)))
		SL_LOG(port, NOTICE, "%s: cannot raise RLIMIT_MEMLOCK for %zu bytes of UMEM; if the "
		       "socket fails, run `ulimit -l unlimited` first or grant CAP_IPC_LOCK",
		       port->name, qp->area_len);
	rc = xsk_umem__create(&qp->umem, qp->area, qp->area_len, rq ? &rq->fill : &qp->fill,
			      tq ? &tq->comp : &qp->comp, &ucfg);
	if (rc < 0) {
		qp->umem = NULL;
		if (rc == -ENOMEM || rc == -EPERM || rc == -EAGAIN) {
			struct rlimit rl = {0};

			getrlimit(RLIMIT_MEMLOCK, &rl);
			SL_LOG(port, ERR, "%s: the kernel refused to pin a %zu-byte UMEM (%s; locked-memory "
			       "limit %s): raise it with `ulimit -l unlimited` (LimitMEMLOCK=infinity "
			       "under systemd), grant CAP_IPC_LOCK, or use fewer descriptors",
			       port->name, qp->area_len, strerror(-rc),
			       rl.rlim_cur == RLIM_INFINITY ? "unlimited" : "too low");
		} else {
			SL_LOG(port, ERR, "%s: the kernel refused a %zu-byte UMEM of %u-byte chunks "
			       "(%s): %s", port->name, qp->area_len, ucfg.frame_size,
			       xp->pool_umem ? "the rx pool, unaligned chunks; umem=driver avoids it"
					     : "the driver's frames",
			       strerror(-rc));
		}
		goto fail;
	}
	rc = xsk_socket__create(&qp->xsk, xp->iface, xp->start_queue + q, qp->umem,
				rq ? &rq->rx : NULL, tq ? &tq->tx : NULL, &scfg);
	if (rc < 0) {
		qp->xsk = NULL;
		if (rc != -EBUSY || last_try)
			socket_error(port, q, rc);
		goto fail;
	}
	if (q == 0 && rq && have_bpffs())
		dispatcher_check(port);
	if (xp->busy_budget) {
		int fd = xsk_socket__fd(qp->xsk), one = 1, usec = 20;
		int budget = (int)xp->busy_budget;

		if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof(usec)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)) < 0)
			SL_LOG(port, WARNING, "%s: busy polling unavailable on queue %u (%s); running "
			       "without it", port->name, q, strerror(errno));
		else if (rq)
			rq->busy_poll = true;
	}
	if (rq) {
		rq->umem = qp->area;
		rq->fd = xsk_socket__fd(qp->xsk);
		rq->qp = qp;
		if (xp->pool_umem) {
			rc = own_init(port, &rq->own, rq->pool);
			if (rc < 0)
				goto fail;
			rq->buf_off = sl_pktbuf_pool_data_offset(rq->pool);
			rq->fill_need = rx_frames;
			fill_refill(rq);
			if (rq->fill_need)
				SL_LOG(port, WARNING, "%s: rx queue %u: pool %s has only %u free buffers "
				       "for a %u-entry fill ring; the kernel drops frames when they run "
				       "out: make the pool larger", port->name, q,
				       sl_pool_name(rq->pool), rx_frames - rq->fill_need, rx_frames);
		} else {
			/* Every rx frame starts in the fill ring. */
			if (xsk_ring_prod__reserve(&rq->fill, rx_frames, &idx) != rx_frames) {
				SL_LOG(port, ERR, "%s: the fill ring of queue %u has no room for %u "
				       "frames", port->name, q, rx_frames);
				rc = -EIO;
				goto fail;
			}
			for (uint32_t i = 0; i < rx_frames; i++)
				*xsk_ring_prod__fill_addr(&rq->fill, idx + i) =
					(uint64_t)i * xp->frame_size;
			xsk_ring_prod__submit(&rq->fill, rx_frames);
		}
	}
	if (tq) {
		tq->umem = qp->area;
		tq->fd = xsk_socket__fd(qp->xsk);
		tq->mtu_len = (uint32_t)port->mtu + ETH_HLEN_;
		tq->qp = qp;
		if (xp->pool_umem) {
			tq->pool = umem_pool(port, q);
			rc = own_init(port, &tq->own, tq->pool);
			if (rc < 0)
				goto fail;
			tq->buf_off = sl_pktbuf_pool_data_offset(tq->pool);
			tq->max_len = sl_pktbuf_pool_buf_len(tq->pool) - SL_PKTBUF_HEADROOM;
		} else {
			tq->pool = NULL;
			for (uint32_t i = 0; i < tx_frames; i++)
				tq->free_addr[i] =
					(uint64_t)(rx_frames + tx_frames - 1 - i) * xp->frame_size;
			tq->nb_free = tx_frames;
			tq->max_len = xp->frame_size;
		}
	}
	return 0;
fail:
	qp_destroy(port, q);
	return rc;
}

/* The kernel releases a closed socket's hold on its interface queue from a workqueue
 * (xp_release_deferred() in net/xdp/xsk_buff_pool.c): a port restarted right after a stop,
 * or a process started right after another one exited, may find the queue still busy for
 * a few milliseconds.  So -EBUSY is retried for up to a second before it is an error. */
static int qp_create(struct sl_port *port, uint16_t q)
{
	int rc = -EBUSY;

	for (int i = 0; i < BUSY_TRIES && rc == -EBUSY; i++) {
		if (i)
			usleep(BUSY_WAIT_US);
		rc = qp_create_once(port, q, i + 1 == BUSY_TRIES);
	}
	return rc;
}

static void xdp_stop(struct sl_port *port)
{
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++)
		qp_destroy(port, q);
}

/* Whether buffers of buf_len bytes can be UMEM chunks (2048 bytes to a page). */
static bool chunk_size_ok(uint32_t buf_len)
{
	return buf_len >= XDP_UMEM_MIN_CHUNK_SIZE_ && buf_len <= (uint32_t)sysconf(_SC_PAGESIZE);
}

/* The longest frame the rx pools take after the kernel's headroom, were they the UMEM;
 * 0 when a queue has no pool yet or a pool's buffers cannot be chunks. */
static uint32_t pool_rx_len(const struct sl_port *port)
{
	uint32_t len = UINT32_MAX;

	for (uint16_t q = 0; q < port->conf.nb_rxq; q++) {
		const struct xdp_rxq *rxq = port->rxq[q];
		uint32_t buf_len = rxq != NULL ? sl_pktbuf_pool_buf_len(rxq->pool) : 0;

		if (!chunk_size_ok(buf_len))
			return 0;
		len = SL_MIN(len, buf_len - XDP_HEADROOM_);
	}
	return len == UINT32_MAX ? 0 : len;
}

/* Whether the rx queues' pools can be the UMEM; if not, why says why. */
static bool pool_fits(const struct sl_port *port, char *why, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t frame = (uint32_t)port->mtu + ETH_HLEN_;

	if (port->conf.nb_rxq == 0) {
		snprintf(why, size, "the port has no rx queue, so no pool");
		return false;
	}
	for (uint16_t q = 0; q < port->conf.nb_rxq; q++) {
		struct sl_pool *pool = ((struct xdp_rxq *)port->rxq[q])->pool;
		uint32_t buf_len = sl_pktbuf_pool_buf_len(pool);

		if (!chunk_size_ok(buf_len)) {
			snprintf(why, size, "pool %s has %u-byte buffers but UMEM chunks are %d bytes "
				 "to a page (%ld)", sl_pool_name(pool), buf_len,
				 XDP_UMEM_MIN_CHUNK_SIZE_, page);
			return false;
		}
		if (buf_len - XDP_HEADROOM_ < frame) {
			snprintf(why, size, "pool %s's %u-byte buffers hold %u bytes after the kernel's "
				 "%d-byte XDP headroom but MTU %u needs %u", sl_pool_name(pool), buf_len,
				 buf_len - XDP_HEADROOM_, XDP_HEADROOM_, port->mtu, frame);
			return false;
		}
	}
	return true;
}

/* Chooses the UMEM: the pool when it fits (or when asked), else the driver's. */
static int umem_choose(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;
	char why[192];

	xp->pool_umem = false;
	if (xp->umem_req == UMEM_DRIVER)
		return 0;
	if (pool_fits(port, why, sizeof(why))) {
		xp->pool_umem = true;
		SL_LOG(port, NOTICE, "%s: the UMEM is the rx pool: the kernel writes frames into packet "
		       "buffers and sends them from there, no copies", port->name);
		return 0;
	}
	if (xp->umem_req == UMEM_POOL) {
		SL_LOG(port, ERR, "%s: umem=pool is not possible: %s; use buffers of 2048 bytes to a "
		       "page, or umem=driver", port->name, why);
		return -EINVAL;
	}
	SL_LOG(port, NOTICE, "%s: using a UMEM of the driver's (rx and tx copy each packet): %s; "
	       "umem=driver chooses this without this notice", port->name, why);
	return 0;
}

static int xdp_start(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;
	uint16_t nq = SL_MAX(port->conf.nb_rxq, port->conf.nb_txq);
	struct ifreq ifr;
	int rc;

	/* The MTU may have changed with `ip link` since probe. */
	if (ifreq_ioctl(xp, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		port->mtu = (uint16_t)SL_MIN(ifr.ifr_mtu, UINT16_MAX);
	rc = umem_choose(port);
	if (rc < 0)
		return rc;
	port->rx = xp->pool_umem ? xdp_rx_pool : xdp_rx_driver;
	port->tx = xp->pool_umem ? xdp_tx_pool : xdp_tx_driver;
	if (!xp->pool_umem && (uint32_t)port->mtu + ETH_HLEN_ + XDP_HEADROOM_ > xp->frame_size) {
		uint32_t need = sl_pow2_ceil((uint32_t)port->mtu + ETH_HLEN_ + XDP_HEADROOM_);
		long page = sysconf(_SC_PAGESIZE);
		char alt[96];

		if (need <= (uint32_t)page)
			snprintf(alt, sizeof(alt), "or use frame_size=%u", need);
		else
			snprintf(alt, sizeof(alt), "(frames are at most a page, %ld bytes: no jumbo "
				 "frames over AF_XDP here)", page);
		SL_LOG(port, ERR, "%s: UMEM frames too small: %s has MTU %u, a frame needs %u bytes plus "
		       "%d of XDP headroom but frame_size=%u; lower the MTU (`ip link set dev %s mtu %u`) %s",
		       port->name, xp->iface, port->mtu, port->mtu + ETH_HLEN_, XDP_HEADROOM_,
		       xp->frame_size, xp->iface, xp->frame_size - ETH_HLEN_ - XDP_HEADROOM_, alt);
		return -EINVAL;
	}
	stale_check(port);
	for (uint16_t q = 0; q < nq; q++) {
		rc = qp_create(port, q);
		if (rc < 0) {
			xdp_stop(port);
			return rc;
		}
	}
	return 0;
}

/* --- information and statistics --- */

static void xdp_info(struct sl_port *port, struct sl_port_info *info)
{
	struct xdp_port *xp = port->priv;
	uint32_t driver_len = xp->frame_size - XDP_HEADROOM_, pool_len = pool_rx_len(port);

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

static void xdp_stats(struct sl_port *port, struct sl_port_stats *st)
{
	struct xdp_port *xp = port->priv;

	for (uint16_t i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		struct xdp_rxq *rq = port->rxq[i];
		struct xdp_txq *tq = port->txq[i];
		struct xdp_statistics ks = kstats(xp, i);

		if (rq) {
			st->q_ipackets[i] = sl_counter_read(&rq->packets);
			st->q_ibytes[i] = sl_counter_read(&rq->bytes);
			st->q_errors[i] = ks.rx_invalid_descs;
			st->ipackets += st->q_ipackets[i];
			st->ibytes += st->q_ibytes[i];
			st->ierrors += ks.rx_invalid_descs;
			st->imissed += ks.rx_dropped + ks.rx_ring_full;
			st->rx_nombuf += sl_counter_read(&rq->nombuf);
		}
		if (tq) {
			st->q_opackets[i] = sl_counter_read(&tq->packets);
			st->q_obytes[i] = sl_counter_read(&tq->bytes);
			st->opackets += st->q_opackets[i];
			st->obytes += st->q_obytes[i];
			st->oerrors += sl_counter_read(&tq->oversize) + sl_counter_read(&tq->runt) +
				       ks.tx_invalid_descs;
		}
	}
}

static void xdp_stats_reset(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;

	for (uint16_t i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		struct xdp_rxq *rq = port->rxq[i];
		struct xdp_txq *tq = port->txq[i];

		memset(&xp->kacc[i], 0, sizeof(xp->kacc[i]));
		kstats_read(xp->qp[i], &xp->kbase[i]);
		if (rq) {
			__atomic_store_n(&rq->packets, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rq->bytes, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rq->nombuf, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rq->kick_err, 0, __ATOMIC_RELAXED);
		}
		if (tq) {
			__atomic_store_n(&tq->packets, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tq->bytes, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tq->ring_full, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tq->oversize, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tq->runt, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tq->no_buffer, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tq->copied, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&tq->kick_err, 0, __ATOMIC_RELAXED);
		}
	}
}

static int xdp_xstats(struct sl_port *port, struct sl_port_xstat *xs, unsigned n)
{
	struct xdp_port *xp = port->priv;
	uint16_t nq = SL_MAX(port->conf.nb_rxq, port->conf.nb_txq);
	unsigned count = 0;

	for (uint16_t q = 0; q < nq; q++) {
		struct xdp_statistics ks = kstats(xp, q);

		/* The kernel's XDP_STATISTICS of the queue's socket. */
		sl_port_xstat_add(xs, n, &count, ks.rx_dropped, "q%u_rx_dropped", q);
		sl_port_xstat_add(xs, n, &count, ks.rx_invalid_descs, "q%u_rx_invalid_descs", q);
		sl_port_xstat_add(xs, n, &count, ks.tx_invalid_descs, "q%u_tx_invalid_descs", q);
		sl_port_xstat_add(xs, n, &count, ks.rx_ring_full, "q%u_rx_ring_full", q);
		sl_port_xstat_add(xs, n, &count, ks.rx_fill_ring_empty_descs,
					  "q%u_rx_fill_ring_empty_descs", q);
		sl_port_xstat_add(xs, n, &count, ks.tx_ring_empty_descs,
					  "q%u_tx_ring_empty_descs", q);
	}
	for (uint16_t q = 0; q < port->conf.nb_rxq; q++) {
		struct xdp_rxq *rq = port->rxq[q];

		sl_port_xstat_add(xs, n, &count, rq ? sl_counter_read(&rq->nombuf) : 0,
				  "rx_q%u_nombuf", q);
		sl_port_xstat_add(xs, n, &count, rq ? sl_counter_read(&rq->kick_err) : 0,
				  "rx_q%u_kick_errors", q);
	}
	for (uint16_t q = 0; q < port->conf.nb_txq; q++) {
		struct xdp_txq *tq = port->txq[q];

		sl_port_xstat_add(xs, n, &count, tq ? sl_counter_read(&tq->ring_full) : 0,
				  "tx_q%u_ring_full", q);
		sl_port_xstat_add(xs, n, &count, tq ? sl_counter_read(&tq->oversize) : 0,
				  "tx_q%u_oversize_drops", q);
		sl_port_xstat_add(xs, n, &count, tq ? sl_counter_read(&tq->runt) : 0,
				  "tx_q%u_runt_drops", q);
		sl_port_xstat_add(xs, n, &count, tq ? sl_counter_read(&tq->no_buffer) : 0,
				  "tx_q%u_no_buffer", q);
		sl_port_xstat_add(xs, n, &count, tq ? sl_counter_read(&tq->copied) : 0,
				  "tx_q%u_copied", q);
		sl_port_xstat_add(xs, n, &count, tq ? sl_counter_read(&tq->kick_err) : 0,
				  "tx_q%u_kick_errors", q);
	}
	return (int)count;
}

static int xdp_link(struct sl_port *port, struct sl_port_link *link)
{
	const struct xdp_port *xp = port->priv;

	return sl_ifnet_link(port, xp->ctl_fd, xp->iface, link);
}

static void xdp_close(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;

	xdp_stop(port); /* already done by a stop before close; harmless */
	close(xp->ctl_fd);
	free(xp);
	port->priv = NULL;
}

static const struct sl_port_ops xdp_ops = {
	.info = xdp_info,
	.rxq_setup = xdp_rxq_setup,
	.txq_setup = xdp_txq_setup,
	.rxq_release = xdp_rxq_release,
	.txq_release = xdp_txq_release,
	.start = xdp_start,
	.stop = xdp_stop,
	.close = xdp_close,
	.stats = xdp_stats,
	.stats_reset = xdp_stats_reset,
	.xstats = xdp_xstats,
	.link = xdp_link,
};

/* --- probe --- */

static int parse_args(struct sl_port *port, const struct sl_devargs *args, struct xdp_port *xp)
{
	const char *mode = sl_devargs_get(args, "xdp_mode");
	const char *umem = sl_devargs_get(args, "umem");
	uint64_t start = 0, count = 1, frame = DEFAULT_FRAME_SIZE, budget = 0;
	long page = sysconf(_SC_PAGESIZE);
	int rc = 0;

	rc |= sl_devargs_uint(args, port->name, "start_queue", 0, 4095, &start);
	rc |= sl_devargs_uint(args, port->name, "queue_count", 1, SL_PORT_MAX_QUEUES, &count);
	rc |= sl_devargs_uint(args, port->name, "frame_size", 2048, (uint64_t)page, &frame);
	rc |= sl_devargs_uint(args, port->name, "busy_budget", 0, 1024, &budget);
	if (sl_devargs_get(args, "zero_copy")) {
		bool zc = false;

		rc |= sl_devargs_bool(args, port->name, "zero_copy", &zc);
		xp->zero_copy = zc;
	} else {
		xp->zero_copy = -1;
	}
	if (rc)
		return -EINVAL;
	if (!SL_IS_POW2(frame)) {
		SL_LOG(port, ERR, "%s: frame_size=%" PRIu64 " must be a power of two (aligned UMEM "
		       "chunks); use %u", port->name, frame, sl_pow2_ceil((uint32_t)frame));
		return -EINVAL;
	}
	if (mode == NULL || strcmp(mode, "auto") == 0) {
		xp->mode = MODE_AUTO;
	} else if (strcmp(mode, "native") == 0 || strcmp(mode, "drv") == 0) {
		xp->mode = MODE_NATIVE;
	} else if (strcmp(mode, "skb") == 0 || strcmp(mode, "generic") == 0) {
		xp->mode = MODE_SKB;
	} else {
		SL_LOG(port, ERR, "%s: xdp_mode=%s is not a mode; use native (driver XDP), skb "
		       "(generic XDP) or auto (the kernel chooses)", port->name, mode);
		return -EINVAL;
	}
	if (umem == NULL || strcmp(umem, "auto") == 0) {
		xp->umem_req = UMEM_AUTO;
	} else if (strcmp(umem, "pool") == 0) {
		xp->umem_req = UMEM_POOL;
	} else if (strcmp(umem, "driver") == 0) {
		xp->umem_req = UMEM_DRIVER;
	} else {
		SL_LOG(port, ERR, "%s: umem=%s is not a UMEM kind; use pool (the rx pool's buffers, "
		       "no copies), driver (the driver's frames, copies) or auto (pool when it fits)",
		       port->name, umem);
		return -EINVAL;
	}
	xp->start_queue = (uint32_t)start;
	xp->queue_count = (uint16_t)count;
	xp->frame_size = (uint32_t)frame;
	xp->busy_budget = (uint32_t)budget;
	return 0;
}

static int xdp_probe(struct sl_port *port, const struct sl_devargs *args)
{
	static bool print_set, bpffs_told;
	const char *iface = sl_devargs_get(args, "iface");
	struct xdp_port *xp;
	struct ifreq ifr;
	uint32_t nq;
	int rc;

	if (iface == NULL || *iface == '\0') {
		SL_LOG(port, ERR, "%s: iface=NAME is required (the kernel interface to attach to, "
		       "e.g. %s,iface=veth0)", port->name, port->name);
		return -EINVAL;
	}
	if (strlen(iface) >= IFNAMSIZ) {
		SL_LOG(port, ERR, "%s: iface=%s is longer than the kernel's %d-character limit",
		       port->name, iface, IFNAMSIZ - 1);
		return -EINVAL;
	}
	xp = calloc(1, sizeof(*xp));
	if (xp == NULL)
		return -ENOMEM;
	xp->ctl_fd = -1;
	rc = parse_args(port, args, xp);
	if (rc < 0)
		goto free_xp;
	strcpy(xp->iface, iface);
	xp->ifindex = (int)if_nametoindex(iface);
	if (xp->ifindex == 0) {
		rc = errno == ENODEV || errno == ENXIO || errno == 0 ? -ENODEV : -errno;
		SL_LOG(port, ERR, "%s: interface '%s' not found (%s); list interfaces with `ip link`, "
		       "and check that the process runs in the interface's network namespace",
		       port->name, iface, strerror(-rc));
		goto free_xp;
	}
	xp->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (xp->ctl_fd < 0) {
		rc = -errno;
		SL_LOG(port, ERR, "%s: cannot open a control socket: %s", port->name, strerror(-rc));
		goto free_xp;
	}
	nq = iface_queues(xp);
	if (nq && xp->start_queue + xp->queue_count > nq) {
		SL_LOG(port, ERR, "%s: start_queue=%u queue_count=%u needs queues %u..%u but %s has %u "
		       "(see `ethtool -l %s`); lower them or add channels (`ethtool -L %s combined N`)",
		       port->name, xp->start_queue, xp->queue_count, xp->start_queue,
		       xp->start_queue + xp->queue_count - 1, iface, nq, iface, iface);
		rc = -EINVAL;
		goto close_ctl;
	}
	rc = ifreq_ioctl(xp, SIOCGIFHWADDR, &ifr);
	if (rc < 0) {
		SL_LOG(port, ERR, "%s: cannot read the MAC address of %s: %s", port->name, iface,
		       strerror(-rc));
		goto close_ctl;
	}
	memcpy(port->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ifreq_ioctl(xp, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		port->mtu = (uint16_t)SL_MIN(ifr.ifr_mtu, UINT16_MAX);
	if (ifreq_ioctl(xp, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP))
		SL_LOG(port, WARNING, "%s: %s is down; bring it up with `ip link set dev %s up`",
		       port->name, iface, iface);
	if (!bpffs_told && !have_bpffs()) {
		bpffs_told = true; /* once per process */
		SL_LOG(port, NOTICE, "%s: no bpffs at %s: libxdp attaches its program to %s without "
		       "its dispatcher, so no other XDP program can share the interface; mount it "
		       "with `mount -t bpf bpf %s` to use the dispatcher", port->name, BPFFS_PATH,
		       iface, BPFFS_PATH);
	}
	if (!print_set) {
		libxdp_set_print(libxdp_print);
		libbpf_set_print(libbpf_print);
		print_set = true;
	}
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

static const char *const xdp_keys[] = {"iface", "start_queue", "queue_count", "xdp_mode",
				       "zero_copy", "frame_size", "busy_budget", "umem", NULL};

const struct sl_port_driver sl_port_driver_af_xdp = {
	.name = "net_af_xdp",
	.keys = xdp_keys,
	.usage = "iface=IFNAME (required) start_queue=N (0) queue_count=N (1) "
		 "xdp_mode=native|skb|auto (auto) zero_copy=0|1 (the kernel chooses) "
		 "frame_size=2048|4096 (2048, driver UMEM) busy_budget=N (0: off) "
		 "umem=pool|driver|auto (auto: pool when its buffers fit)",
	.probe = xdp_probe,
};
