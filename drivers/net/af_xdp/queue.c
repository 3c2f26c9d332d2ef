/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp queues and sockets: the queue objects (set up while stopped), and the socket
 * and UMEM of each queue index, which exist while the port is started.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "af_xdp_priv.h"

#define BUSY_TRIES 100
#define BUSY_WAIT_US 10000

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

/* --- queue objects --- */

static int check_desc(const struct sl_port *port, const char *kind, uint16_t q, uint16_t nb)
{
	if (!SL_IS_POW2(nb) || nb < MIN_DESC || nb > MAX_DESC) {
		SL_LOG(net_af_xdp, ERR,
		       "%s: %s queue %u: %u descriptors is too small or not a power "
		       "of two (AF_XDP rings); use a power of two in [%d, %d], e.g. %u",
		       port->name, kind, q, nb, MIN_DESC, MAX_DESC,
		       SL_MIN(SL_MAX(sl_pow2_ceil(nb), (uint32_t)MIN_DESC), (uint32_t)MAX_DESC));
		return -EINVAL;
	}
	return 0;
}

int axdp_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
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

int axdp_txq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node)
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

void axdp_rxq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->rxq[q]);
	port->rxq[q] = NULL;
}

void axdp_txq_release(struct sl_port *port, uint16_t q)
{
	struct xdp_txq *tq = port->txq[q];

	if (tq == NULL)
		return;
	free(tq->free_addr);
	sl_free(tq);
	port->txq[q] = NULL;
}

/* --- sockets --- */

void axdp_kstats_read(const struct xdp_qp *qp, struct xdp_statistics *ks)
{
	socklen_t len = sizeof(*ks);

	memset(ks, 0, sizeof(*ks));
	if (qp && getsockopt(xsk_socket__fd(qp->xsk), SOL_XDP, XDP_STATISTICS, ks, &len) < 0)
		memset(ks, 0, sizeof(*ks));
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
		axdp_kstats_read(qp, &live);
#define KEEP(f) xp->kacc[q].f += live.f - xp->kbase[q].f;
		KSTAT_FIELDS(KEEP)
#undef KEEP
		memset(&xp->kbase[q], 0, sizeof(xp->kbase[q]));
		/* With libxdp's attach, the last socket on the interface takes its program
		 * with it. */
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

		axdp_own_release(&rq->own, rq->pool);
		rq->qp = NULL;
	}
	if (q < port->conf.nb_txq && port->txq[q]) {
		struct xdp_txq *tq = port->txq[q];

		if (tq->pool)
			axdp_own_release(&tq->own, tq->pool);
		tq->qp = NULL;
	}
}

static const char *mode_name(const struct xdp_port *xp)
{
	return xp->mode == MODE_NATIVE ? "native" : xp->mode == MODE_SKB ? "skb" : "auto";
}

void axdp_mode_error(const struct sl_port *port, int rc)
{
	const struct xdp_port *xp = port->priv;

	SL_LOG(net_af_xdp, ERR,
	       "%s: %s does not support XDP in %s mode (%s); use xdp_mode=skb "
	       "(generic XDP works on every interface)",
	       port->name, xp->iface, mode_name(xp), strerror(-rc));
}

static int socket_error(const struct sl_port *port, uint16_t q, int rc)
{
	const struct xdp_port *xp = port->priv;
	uint32_t iq = xp->start_queue + q;

	switch (rc) {
	case -EOPNOTSUPP:
		if (xp->zero_copy == 1)
			SL_LOG(net_af_xdp, ERR,
			       "%s: %s cannot do zero-copy AF_XDP (xdp_mode=%s): use "
			       "zero_copy=0 (copy mode) or a NIC driver with AF_XDP zero-copy support",
			       port->name, xp->iface, mode_name(xp));
		else
			axdp_mode_error(port, rc);
		break;
	case -EBUSY:
	case -EEXIST:
		SL_LOG(net_af_xdp, ERR,
		       "%s: queue %u of %s is taken (%s): another AF_XDP socket is "
		       "bound to it, or another XDP program is attached in another mode; see `ip -d "
		       "link show dev %s` and detach it with `ip link set dev %s xdp off` (or "
		       "xdpgeneric off)",
		       port->name, iq, xp->iface, strerror(-rc), xp->iface, xp->iface);
		break;
	case -EPERM:
	case -ENOMEM:
		SL_LOG(net_af_xdp, ERR,
		       "%s: the kernel refused to pin the UMEM or load the XDP "
		       "program on %s (%s): raise the locked-memory limit (`ulimit -l unlimited`, or "
		       "LimitMEMLOCK= in a systemd unit) or run as root / with CAP_IPC_LOCK, "
		       "CAP_NET_ADMIN, CAP_BPF",
		       port->name, xp->iface, strerror(-rc));
		break;
	case -EINVAL:
		SL_LOG(net_af_xdp, ERR,
		       "%s: the kernel refused an AF_XDP socket on queue %u of %s "
		       "(%s): check start_queue/queue_count against `ethtool -l %s` and the "
		       "interface's XDP support (xdp_mode=skb works everywhere)",
		       port->name, iq, xp->iface, strerror(-rc), xp->iface);
		break;
	default:
		SL_LOG(net_af_xdp, ERR, "%s: cannot create an AF_XDP socket on queue %u of %s: %s",
		       port->name, iq, xp->iface, strerror(-rc));
	}
	return rc;
}

/* libxdp does not reset every cached index of a ring it maps: a restarted queue must not
 * inherit the previous socket's. */
static void rings_reset(struct xdp_rxq *rq, struct xdp_txq *tq)
{
	if (rq) {
		memset(&rq->rx, 0, sizeof(rq->rx));
		memset(&rq->fill, 0, sizeof(rq->fill));
	}
	if (tq) {
		memset(&tq->tx, 0, sizeof(tq->tx));
		memset(&tq->comp, 0, sizeof(tq->comp));
	}
}

static struct xsk_socket_config socket_config(const struct xdp_port *xp, uint32_t rx_frames,
					      uint32_t tx_frames)
{
	struct xsk_socket_config scfg = {
		.rx_size = rx_frames,
		.tx_size = tx_frames,
		/* Link attach: the program is the port's, the socket only joins its map.
		 * Otherwise libxdp loads and attaches its redirect program. */
		.libxdp_flags = xp->attach == ATTACH_LINK ? XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD : 0,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};

	if (xp->mode == MODE_NATIVE)
		scfg.xdp_flags = XDP_FLAGS_DRV_MODE;
	else if (xp->mode == MODE_SKB)
		scfg.xdp_flags = XDP_FLAGS_SKB_MODE;
	if (xp->zero_copy == 1)
		scfg.bind_flags |= XDP_ZEROCOPY;
	else if (xp->zero_copy == 0)
		scfg.bind_flags |= XDP_COPY;
	return scfg;
}

/* Asks the kernel to busy-poll the socket when busy_budget= is set (a warning if not). */
static void busy_poll_set(const struct sl_port *port, uint16_t q, struct xdp_qp *qp,
			  struct xdp_rxq *rq)
{
	const struct xdp_port *xp = port->priv;
	int fd = xsk_socket__fd(qp->xsk), one = 1, usec = 20;
	int budget = (int)xp->busy_budget;

	if (xp->busy_budget == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof(usec)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)) < 0)
		SL_LOG(net_af_xdp, WARNING,
		       "%s: busy polling unavailable on queue %u (%s); running "
		       "without it",
		       port->name, q, strerror(errno));
	else if (rq)
		rq->busy_poll = true;
}

/* Points the queues at their socket and UMEM and gives them their frames or buffers. */
static int queues_attach(struct sl_port *port, uint16_t q, struct xdp_qp *qp, struct xdp_rxq *rq,
			 struct xdp_txq *tq)
{
	int rc;

	if (rq) {
		rq->umem = qp->area;
		rq->fd = xsk_socket__fd(qp->xsk);
		rq->qp = qp;
		rc = axdp_umem_rx_start(port, q, rq);
		if (rc < 0)
			return rc;
	}
	if (tq) {
		tq->umem = qp->area;
		tq->fd = xsk_socket__fd(qp->xsk);
		tq->mtu_len = (uint32_t)port->mtu + ETH_HLEN_;
		tq->qp = qp;
		rc = axdp_umem_tx_start(port, q, tq);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Creates the UMEM and socket of port queue q, fills the fill ring and the tx free stack,
 * and puts the socket in the program's map.  A -EBUSY from the socket is logged only on
 * the last try (see qp_create()). */
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
	struct xsk_socket_config scfg = socket_config(xp, rx_frames, tx_frames);
	struct xdp_qp *qp = calloc(1, sizeof(*qp));
	int rc;

	if (qp == NULL)
		return -ENOMEM;
	xp->qp[q] = qp;
	rings_reset(rq, tq);
	rc = axdp_umem_create(port, q, qp, &ucfg);
	if (rc < 0)
		goto fail;
	rc = xsk_socket__create(&qp->xsk, xp->iface, xp->start_queue + q, qp->umem,
				rq ? &rq->rx : NULL, tq ? &tq->tx : NULL, &scfg);
	if (rc < 0) {
		qp->xsk = NULL;
		if (rc != -EBUSY || last_try)
			socket_error(port, q, rc);
		goto fail;
	}
	busy_poll_set(port, q, qp, rq);
	rc = queues_attach(port, q, qp, rq, tq);
	if (rc == 0 && rq)
		rc = axdp_prog_add_socket(port, q, qp->xsk);
	if (rc == 0)
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

/* --- start and stop --- */

void axdp_stop(struct sl_port *port)
{
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++)
		qp_destroy(port, q);
	axdp_prog_detach(port);
}

/* The driver's UMEM frames must hold the MTU after the kernel's headroom. */
static int frames_check(const struct sl_port *port)
{
	const struct xdp_port *xp = port->priv;
	uint32_t need = sl_pow2_ceil((uint32_t)port->mtu + ETH_HLEN_ + XDP_HEADROOM_);
	long page = sysconf(_SC_PAGESIZE);
	char alt[96];

	if (xp->pool_umem || (uint32_t)port->mtu + ETH_HLEN_ + XDP_HEADROOM_ <= xp->frame_size)
		return 0;
	if (need <= (uint32_t)page)
		snprintf(alt, sizeof(alt), "or use frame_size=%u", need);
	else
		snprintf(alt, sizeof(alt),
			 "(frames are at most a page, %ld bytes: no jumbo frames "
			 "over AF_XDP here)",
			 page);
	SL_LOG(net_af_xdp, ERR,
	       "%s: UMEM frames too small: %s has MTU %u, a frame needs %u bytes "
	       "plus %d of XDP headroom but frame_size=%u; lower the MTU (`ip link set dev %s mtu "
	       "%u`) %s",
	       port->name, xp->iface, port->mtu, port->mtu + ETH_HLEN_, XDP_HEADROOM_,
	       xp->frame_size, xp->iface, xp->frame_size - ETH_HLEN_ - XDP_HEADROOM_, alt);
	return -EINVAL;
}

int axdp_start(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;
	uint16_t nq = SL_MAX(port->conf.nb_rxq, port->conf.nb_txq);
	struct ifreq ifr;
	int rc;

	/* The MTU may have changed with `ip link` since probe. */
	if (axdp_ioctl(xp, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		port->mtu = (uint16_t)SL_MIN(ifr.ifr_mtu, UINT16_MAX);
	rc = axdp_umem_choose(port);
	if (rc < 0)
		return rc;
	rc = frames_check(port);
	if (rc < 0)
		return rc;
	rc = axdp_prog_attach(port);
	if (rc < 0)
		return rc;
	for (uint16_t q = 0; q < nq; q++) {
		rc = qp_create(port, q);
		if (rc < 0) {
			axdp_stop(port);
			return rc;
		}
	}
	return 0;
}
