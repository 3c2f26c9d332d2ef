/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp UMEMs: the rx pool's memory (pool UMEM) or frames of the driver's own
 * (driver UMEM), the map of pool buffers the kernel holds, and the fill ring.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "af_xdp_priv.h"

/* --- buffers the kernel holds (pool UMEM) --- */

int axdp_own_init(const struct sl_port *port, struct own_map *m, struct sl_pool *pool)
{
	unsigned n = sl_pool_size(pool);
	uintptr_t first = (uintptr_t)sl_pool_obj(pool, 0);
	uint64_t stride = n > 1 ? (uintptr_t)sl_pool_obj(pool, 1) - first : 64, odd, inv;

	m->bits = calloc((n + 63) / 64, sizeof(uint64_t));
	if (m->bits == NULL) {
		SL_LOG(net_af_xdp, ERR,
		       "%s: no memory for the %u-bit map of pool %s's buffers lent "
		       "to the kernel; free memory or use umem=driver",
		       port->name, n, sl_pool_name(pool));
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

/* The kernel no longer holds the marked buffers: they go back to pool. */
unsigned axdp_own_release(struct own_map *m, struct sl_pool *pool)
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

/* --- the fill ring, pool UMEM --- */

void axdp_fill_refill(struct xdp_rxq *rq)
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
			sl_counter_add(&rq->st.nombuf, 1);
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

/* --- choosing the UMEM --- */

/* Whether buffers of buf_len bytes can be UMEM chunks (2048 bytes to a page). */
static bool chunk_size_ok(uint32_t buf_len)
{
	return buf_len >= XDP_UMEM_MIN_CHUNK_SIZE_ && buf_len <= (uint32_t)sysconf(_SC_PAGESIZE);
}

uint32_t axdp_pool_rx_len(const struct sl_port *port)
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
			snprintf(why, size,
				 "pool %s has %u-byte buffers but UMEM chunks are %d bytes "
				 "to a page (%ld)",
				 sl_pool_name(pool), buf_len, XDP_UMEM_MIN_CHUNK_SIZE_, page);
			return false;
		}
		if (buf_len - XDP_HEADROOM_ < frame) {
			snprintf(why, size,
				 "pool %s's %u-byte buffers hold %u bytes after the kernel's "
				 "%d-byte XDP headroom but MTU %u needs %u",
				 sl_pool_name(pool), buf_len, buf_len - XDP_HEADROOM_,
				 XDP_HEADROOM_, port->mtu, frame);
			return false;
		}
	}
	return true;
}

int axdp_umem_choose(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;
	char why[192];

	xp->pool_umem = false;
	if (xp->umem_req == UMEM_DRIVER)
		return 0;
	if (pool_fits(port, why, sizeof(why))) {
		xp->pool_umem = true;
		SL_LOG(net_af_xdp, NOTICE,
		       "%s: the UMEM is the rx pool: the kernel writes frames "
		       "into packet buffers and sends them from there, no copies",
		       port->name);
		return 0;
	}
	if (xp->umem_req == UMEM_POOL) {
		SL_LOG(net_af_xdp, ERR,
		       "%s: umem=pool is not possible: %s; use buffers of 2048 bytes "
		       "to a page, or umem=driver",
		       port->name, why);
		return -EINVAL;
	}
	SL_LOG(net_af_xdp, NOTICE,
	       "%s: using a UMEM of the driver's (rx and tx copy each packet): "
	       "%s; umem=driver chooses this without this notice",
	       port->name, why);
	return 0;
}

/* --- creating a UMEM --- */

/* The pool a pool UMEM of queue q is: its rx queue's, or rx queue 0's for a queue that
 * only sends. */
static struct sl_pool *umem_pool(const struct sl_port *port, uint16_t q)
{
	return ((struct xdp_rxq *)port->rxq[q < port->conf.nb_rxq ? q : 0])->pool;
}

/* Descriptors of rx (tx) queue q, 0 when the port has no such queue. */
static uint32_t queue_frames(const struct sl_port *port, uint16_t q, bool rx)
{
	const struct xdp_rxq *rq = rx && q < port->conf.nb_rxq ? port->rxq[q] : NULL;
	const struct xdp_txq *tq = !rx && q < port->conf.nb_txq ? port->txq[q] : NULL;

	return rq ? rq->nb_desc : tq ? tq->nb_desc : 0;
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

/* The memory queue q's UMEM registers: the pool's objects (from the page holding the first
 * to the end of the last), or frames the driver maps. */
static int umem_area(struct sl_port *port, uint16_t q, struct xdp_qp *qp,
		     struct xsk_umem_config *ucfg)
{
	struct xdp_port *xp = port->priv;

	if (xp->pool_umem) {
		struct sl_pool *pool = umem_pool(port, q);
		long page = sysconf(_SC_PAGESIZE);
		uintptr_t first = (uintptr_t)sl_pool_obj(pool, 0);
		uintptr_t end = (uintptr_t)sl_pool_obj(pool, sl_pool_size(pool) - 1) +
				sl_pool_elt_size(pool);
		uintptr_t start = first & ~((uintptr_t)page - 1);

		qp->area = (void *)start;
		qp->area_len = SL_ALIGN_UP(end, (uintptr_t)page) - start;
		ucfg->frame_size = sl_pktbuf_pool_buf_len(pool);
		ucfg->flags = XDP_UMEM_UNALIGNED_CHUNK_FLAG;
		return 0;
	}
	qp->area_len = (size_t)(queue_frames(port, q, true) + queue_frames(port, q, false)) *
		       xp->frame_size;
	qp->area = mmap(NULL, qp->area_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (qp->area == MAP_FAILED) {
		int rc = -errno;

		qp->area = NULL;
		SL_LOG(net_af_xdp, ERR,
		       "%s: cannot map a %zu-byte UMEM for queue %u: %s; use fewer "
		       "descriptors",
		       port->name, qp->area_len, q, strerror(-rc));
		return rc;
	}
	qp->area_mapped = true;
	return 0;
}

static void umem_error(const struct sl_port *port, const struct xdp_qp *qp,
		       const struct xsk_umem_config *ucfg, int rc)
{
	const struct xdp_port *xp = port->priv;

	if (rc == -ENOMEM || rc == -EPERM || rc == -EAGAIN) {
		struct rlimit rl = {0};

		getrlimit(RLIMIT_MEMLOCK, &rl);
		SL_LOG(net_af_xdp, ERR,
		       "%s: the kernel refused to pin a %zu-byte UMEM (%s; "
		       "locked-memory limit %s): raise it with `ulimit -l unlimited` "
		       "(LimitMEMLOCK=infinity under systemd), grant CAP_IPC_LOCK, or use fewer "
		       "descriptors",
		       port->name, qp->area_len, strerror(-rc),
		       rl.rlim_cur == RLIM_INFINITY ? "unlimited" : "too low");
	} else {
		SL_LOG(net_af_xdp, ERR,
		       "%s: the kernel refused a %zu-byte UMEM of %u-byte chunks "
		       "(%s): %s",
		       port->name, qp->area_len, ucfg->frame_size,
		       xp->pool_umem ? "the rx pool, unaligned chunks; umem=driver avoids it"
				     : "the driver's frames",
		       strerror(-rc));
	}
}

int axdp_umem_create(struct sl_port *port, uint16_t q, struct xdp_qp *qp,
		     struct xsk_umem_config *ucfg)
{
	struct xdp_rxq *rq = q < port->conf.nb_rxq ? port->rxq[q] : NULL;
	struct xdp_txq *tq = q < port->conf.nb_txq ? port->txq[q] : NULL;
	int rc = umem_area(port, q, qp, ucfg);

	if (rc < 0)
		return rc;
	if (!memlock_raise(qp->area_len * (size_t)SL_MAX(port->conf.nb_rxq, port->conf.nb_txq)))
		SL_LOG(net_af_xdp, NOTICE,
		       "%s: cannot raise RLIMIT_MEMLOCK for %zu bytes of UMEM; if "
		       "the socket fails, run `ulimit -l unlimited` first or grant CAP_IPC_LOCK",
		       port->name, qp->area_len);
	rc = xsk_umem__create(&qp->umem, qp->area, qp->area_len, rq ? &rq->fill : &qp->fill,
			      tq ? &tq->comp : &qp->comp, ucfg);
	if (rc < 0) {
		qp->umem = NULL;
		umem_error(port, qp, ucfg, rc);
	}
	return rc;
}

/* --- queues on their UMEM --- */

int axdp_umem_rx_start(struct sl_port *port, uint16_t q, struct xdp_rxq *rq)
{
	struct xdp_port *xp = port->priv;
	uint32_t frames = rq->nb_desc, idx = 0;
	int rc;

	if (xp->pool_umem) {
		rc = axdp_own_init(port, &rq->own, rq->pool);
		if (rc < 0)
			return rc;
		rq->buf_off = sl_pktbuf_pool_data_offset(rq->pool);
		rq->fill_need = frames;
		axdp_fill_refill(rq);
		if (rq->fill_need)
			SL_LOG(net_af_xdp, WARNING,
			       "%s: rx queue %u: pool %s has only %u free buffers "
			       "for a %u-entry fill ring; the kernel drops frames when they run out: "
			       "make the pool larger",
			       port->name, q, sl_pool_name(rq->pool), frames - rq->fill_need,
			       frames);
		return 0;
	}
	/* Every rx frame starts in the fill ring. */
	if (xsk_ring_prod__reserve(&rq->fill, frames, &idx) != frames) {
		SL_LOG(net_af_xdp, ERR, "%s: the fill ring of queue %u has no room for %u frames",
		       port->name, q, frames);
		return -EIO;
	}
	for (uint32_t i = 0; i < frames; i++)
		*xsk_ring_prod__fill_addr(&rq->fill, idx + i) = (uint64_t)i * xp->frame_size;
	xsk_ring_prod__submit(&rq->fill, frames);
	return 0;
}

int axdp_umem_tx_start(struct sl_port *port, uint16_t q, struct xdp_txq *tq)
{
	struct xdp_port *xp = port->priv;
	uint32_t rx_frames = queue_frames(port, q, true), tx_frames = tq->nb_desc;
	int rc;

	if (xp->pool_umem) {
		tq->pool = umem_pool(port, q);
		rc = axdp_own_init(port, &tq->own, tq->pool);
		if (rc < 0)
			return rc;
		tq->buf_off = sl_pktbuf_pool_data_offset(tq->pool);
		tq->max_len = sl_pktbuf_pool_buf_len(tq->pool) - SL_PKTBUF_HEADROOM;
		return 0;
	}
	/* The tx frames follow the rx frames in the driver's UMEM. */
	tq->pool = NULL;
	for (uint32_t i = 0; i < tx_frames; i++)
		tq->free_addr[i] = (uint64_t)(rx_frames + tx_frames - 1 - i) * xp->frame_size;
	tq->nb_free = tx_frames;
	tq->max_len = xp->frame_size;
	return 0;
}
