/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user: a virtio-net driver over a vhost-user socket, the container's side of
 * the link (DPDK calls it virtio-user): the backend is DPDK's or Sluice's net_vhost, OVS's
 * vhost-user port, or any vhost-user device.
 *
 *   net_virtio_user0,path=/tmp/vhost0.sock                 (connect, and reconnect)
 *   net_virtio_user0,path=/tmp/vhu0.sock,server=1          (listen: OVS dpdkvhostuserclient)
 *   net_virtio_user0,path=PATH,queues=2,queue_size=1024
 *
 * The rings and packet buffers are Sluice memory, shared with the backend by the memfds
 * behind it (SET_MEM_TABLE with every segment); descriptor addresses are our virtual
 * addresses.  The handshake runs on the vhost-user control thread each time the backend
 * connects and the port is started; a backend that goes takes the link down, in-flight
 * transmit buffers are freed (counted) and the rings are laid out again for the next one.
 * See docs/drivers/virtio_user.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sl_pktbuf.h"
#include "virtio_user_priv.h"

SL_LOG_TYPE_DEFINE(net_virtio_user)

#define VU_TIMEOUT_MS 3000

/* Features we can drive; VERSION_1 is required of the backend. */
#define VU_FEATURES                                                                                \
	(SL_VIRTIO_BIT(SL_VIRTIO_F_VERSION_1) | SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MRG_RXBUF) |         \
	 SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MQ) | SL_VIRTIO_BIT(SL_VIRTIO_F_ANY_LAYOUT) |               \
	 SL_VIRTIO_BIT(SL_VHOST_USER_F_PROTOCOL_FEATURES))
#define VU_PROTOCOL_FEATURES (SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_MQ))

/* --- the handshake (control thread or port ops, lock held) --- */

static int request(struct vu_dev *d, uint32_t req, const void *payload, uint32_t size,
		   const int *fds, unsigned nfds, struct sl_vu_msg *reply)
{
	struct sl_vu_msg m = {.hdr = {req, SL_VU_VERSION, size}};
	int rc;

	if (size) /* payload is NULL for requests without one */
		memcpy(&m.p, payload, size);
	rc = sl_vu_send(d->fd, &m, fds, nfds);
	if (rc < 0) {
		SL_LOG(net_virtio_user, ERR, "%s: sending %s on %s: %s", d->name,
		       sl_vu_req_name(req), d->path, strerror(-rc));
		return rc;
	}
	if (reply) {
		int rfds[SL_VU_MAX_FDS];
		unsigned rn;
		char why[200];

		rc = sl_vu_recv(d->fd, reply, rfds, &rn, VU_TIMEOUT_MS, why, sizeof(why));
		sl_vu_close_fds(rfds, rn);
		if (rc <= 0) {
			SL_LOG(net_virtio_user, ERR, "%s: no answer to %s from %s: %s", d->name,
			       sl_vu_req_name(req), d->path, rc == 0 ? "the backend closed" : why);
			return rc == 0 ? -EPIPE : rc;
		}
		if (reply->hdr.request != req || !(reply->hdr.flags & SL_VU_FLAG_REPLY) ||
		    reply->hdr.size < 8) {
			SL_LOG(net_virtio_user, ERR,
			       "%s: the backend answered %s with %s (%u bytes); expected its reply",
			       d->name, sl_vu_req_name(req), sl_vu_req_name(reply->hdr.request),
			       reply->hdr.size);
			return -EPROTO;
		}
	}
	return 0;
}

static int request_u64(struct vu_dev *d, uint32_t req, uint64_t v)
{
	return request(d, req, &v, 8, NULL, 0, NULL);
}

static int get_u64(struct vu_dev *d, uint32_t req, uint64_t *v)
{
	struct sl_vu_msg r;
	int rc = request(d, req, NULL, 0, NULL, 0, &r);

	if (rc == 0)
		*v = r.p.u64;
	return rc;
}

/* What the backend offers, asked once per connection. */
static int hello(struct vu_dev *d)
{
	int rc = get_u64(d, SL_VU_GET_FEATURES, &d->backend_features);

	if (rc < 0)
		return rc;
	if (!(d->backend_features & SL_VIRTIO_BIT(SL_VIRTIO_F_VERSION_1))) {
		SL_LOG(net_virtio_user, ERR,
		       "%s: the backend on %s offers features 0x%llx, without VERSION_1 (virtio "
		       "1.0), which this driver needs",
		       d->name, d->path, (unsigned long long)d->backend_features);
		return -ENOTSUP;
	}
	d->protocol_features = 0;
	if (d->backend_features & SL_VIRTIO_BIT(SL_VHOST_USER_F_PROTOCOL_FEATURES)) {
		uint64_t pf;

		rc = get_u64(d, SL_VU_GET_PROTOCOL_FEATURES, &pf);
		if (rc < 0)
			return rc;
		d->protocol_features = pf & VU_PROTOCOL_FEATURES;
		rc = request_u64(d, SL_VU_SET_PROTOCOL_FEATURES, d->protocol_features);
		if (rc < 0)
			return rc;
	}
	if (d->nb_qp > 1) {
		uint64_t qn = 1;

		if ((d->protocol_features & SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_MQ)) &&
		    (rc = get_u64(d, SL_VU_GET_QUEUE_NUM, &qn)) < 0)
			return rc;
		if (qn < d->nb_qp || !(d->backend_features & SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MQ))) {
			SL_LOG(net_virtio_user, ERR,
			       "%s: queues=%u, but the backend on %s offers %llu queue pair%s; lower "
			       "queues= or give the backend more",
			       d->name, d->nb_qp, d->path, (unsigned long long)qn,
			       qn == 1 ? "" : "s");
			return -ENOTSUP;
		}
	}
	return request(d, SL_VU_SET_OWNER, NULL, 0, NULL, 0, NULL);
}

/* Sluice memory as the backend's memory table (every segment; one per region). */
static int share_memory(struct vu_dev *d)
{
	struct sl_mem_segment segs[SL_VU_MAX_REGIONS];
	unsigned n = sl_mem_segments(segs, SL_VU_MAX_REGIONS);
	struct sl_vu_memory t = {0};
	int fds[SL_VU_MAX_REGIONS];

	if (n > SL_VU_MAX_REGIONS) {
		SL_LOG(net_virtio_user, ERR,
		       "%s: Sluice memory is %u segments, more than the 8 a vhost-user memory "
		       "table holds; reserve hugepages (fewer, larger segments) or start with "
		       "less memory in use",
		       d->name, n);
		return -E2BIG;
	}
	t.nregions = n;
	d->shared.n = n;
	for (unsigned i = 0; i < n; i++) {
		t.regions[i] = (struct sl_vu_region){
			.guest_phys_addr = (uint64_t)(uintptr_t)segs[i].base,
			.memory_size = segs[i].len,
			.userspace_addr = (uint64_t)(uintptr_t)segs[i].base,
			.mmap_offset = 0,
		};
		fds[i] = segs[i].fd;
		d->shared.r[i].base = (uintptr_t)segs[i].base;
		d->shared.r[i].len = segs[i].len;
	}
	return request(d, SL_VU_SET_MEM_TABLE, &t, 8 + 32 * n, fds, n, NULL);
}

static struct vu_queue *queue_of(struct vu_dev *d, unsigned vring)
{
	unsigned qp = vring / 2;

	return (vring & 1) ? (qp < d->nb_txq ? d->txq[qp] : NULL)
			   : (qp < d->nb_rxq ? d->rxq[qp] : NULL);
}

/* Gives the backend one vring. */
static int vring_setup(struct vu_dev *d, unsigned i, struct vu_queue *q)
{
	struct sl_vu_state st = {i, q->size};
	struct sl_vu_addr a = {
		.index = i,
		.desc = (uint64_t)(uintptr_t)q->desc,
		.used = (uint64_t)(uintptr_t)q->used,
		.avail = (uint64_t)(uintptr_t)q->avail,
	};
	uint64_t idx = i;
	int call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), rc;

	if (call < 0)
		return -errno;
	rc = vu_ring_reset(q);
	if (rc < 0)
		SL_LOG(net_virtio_user, ERR,
		       "%s: rx queue %u: the pool ran dry filling its %u descriptors; give it more "
		       "buffers",
		       d->name, q->qid, q->size);
	if (rc == 0)
		rc = request(d, SL_VU_SET_VRING_NUM, &st, sizeof(st), NULL, 0, NULL);
	st.num = 0;
	if (rc == 0)
		rc = request(d, SL_VU_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL);
	if (rc == 0)
		rc = request(d, SL_VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL);
	/* The backend may call; we poll, so the call fd is one nobody reads. */
	if (rc == 0)
		rc = request(d, SL_VU_SET_VRING_CALL, &idx, 8, &call, 1, NULL);
	if (rc == 0)
		rc = request(d, SL_VU_SET_VRING_KICK, &idx, 8, &q->kick_fd, 1, NULL);
	close(call);
	return rc;
}

static void stop_queues(struct vu_dev *d)
{
	for (unsigned i = 0; i < 2u * d->nb_qp; i++) {
		struct vu_queue *q = queue_of(d, i);

		if (q == NULL)
			continue;
		sl_gate_close(&q->gate);
	}
	d->running = false;
	__atomic_store_n(&d->link_up, 0, __ATOMIC_RELAXED);
}

/* Hands the rings to the backend once it is connected and the port started. */
static int run(struct vu_dev *d)
{
	uint64_t features;
	int rc;

	if (d->running || d->fd < 0 || !d->started)
		return 0;
	features = d->backend_features & VU_FEATURES;
	if (!d->want_mrg)
		features &= ~SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MRG_RXBUF);
	if (d->nb_qp == 1)
		features &= ~SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MQ);
	d->features = features;
	rc = request_u64(d, SL_VU_SET_FEATURES, features);
	if (rc == 0)
		rc = share_memory(d);
	/* The vrings of queues the application set up; the others stay disabled. */
	for (unsigned i = 0; rc == 0 && i < 2u * d->nb_qp; i++) {
		struct vu_queue *q = queue_of(d, i);

		if (q == NULL)
			continue;
		q->mrg = features & SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MRG_RXBUF);
		q->shared = &d->shared;
		rc = vring_setup(d, i, q);
	}
	if (features & SL_VIRTIO_BIT(SL_VHOST_USER_F_PROTOCOL_FEATURES))
		for (unsigned i = 0; rc == 0 && i < 2u * d->nb_qp; i++) {
			struct sl_vu_state st = {i, 1};

			if (queue_of(d, i) == NULL)
				continue;
			rc = request(d, SL_VU_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0, NULL);
		}
	if (rc < 0) {
		__atomic_fetch_add(&d->handshake_failures, 1, __ATOMIC_RELAXED);
		return rc;
	}
	for (unsigned i = 0; i < 2u * d->nb_qp; i++)
		if (queue_of(d, i))
			sl_gate_open(&queue_of(d, i)->gate);
	d->running = true;
	__atomic_store_n(&d->link_up, 1, __ATOMIC_RELAXED);
	SL_LOG(net_virtio_user, NOTICE, "%s: link up on %s (features 0x%llx, %u queue pair%s)",
	       d->name, d->path, (unsigned long long)features, d->nb_qp, d->nb_qp > 1 ? "s" : "");
	return 0;
}

/* Takes the rings back from a backend that is still there (port stop). */
static void halt(struct vu_dev *d)
{
	if (!d->running)
		return;
	stop_queues(d);
	for (unsigned i = 0; i < 2u * d->nb_qp; i++) {
		struct sl_vu_msg r;
		struct sl_vu_state st = {i, 0};

		if (queue_of(d, i) == NULL)
			continue;
		if (d->features & SL_VIRTIO_BIT(SL_VHOST_USER_F_PROTOCOL_FEATURES))
			request(d, SL_VU_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0, NULL);
		if (request(d, SL_VU_GET_VRING_BASE, &st, sizeof(st), NULL, 0, &r) < 0)
			break;
	}
}

/* --- the backend's connection (control thread) --- */

static int ep_up(void *arg, int fd)
{
	struct vu_dev *d = arg;
	int rc;

	d->fd = fd;
	__atomic_fetch_add(&d->connects, 1, __ATOMIC_RELAXED);
	rc = hello(d);
	if (rc == 0)
		rc = run(d);
	if (rc < 0) {
		__atomic_fetch_add(&d->handshake_failures, 1, __ATOMIC_RELAXED);
		return -1;
	}
	return 0;
}

static int ep_readable(void *arg, int fd)
{
	struct vu_dev *d = arg;
	struct sl_vu_msg m;
	int fds[SL_VU_MAX_FDS];
	unsigned n;
	char why[200];
	int rc;

	if (!sl_vu_pending(fd))
		return 0; /* a port op read the reply epoll woke us for */
	rc = sl_vu_recv(fd, &m, fds, &n, 1000, why, sizeof(why));
	sl_vu_close_fds(fds, n);
	if (rc == 0) {
		SL_LOG(net_virtio_user, INFO, "%s: the backend closed %s", d->name, d->path);
		return -1;
	}
	if (rc < 0) {
		SL_LOG(net_virtio_user, ERR, "%s: dropping the backend on %s: %s", d->name, d->path,
		       why);
		return -1;
	}
	/* Nothing is due from the backend outside replies: ignored. */
	SL_LOG(net_virtio_user, DEBUG, "%s: unexpected %s from the backend, ignored", d->name,
	       sl_vu_req_name(m.hdr.request));
	return 0;
}

static void ep_down(void *arg)
{
	struct vu_dev *d = arg;

	if (d->fd >= 0) {
		__atomic_fetch_add(&d->disconnects, 1, __ATOMIC_RELAXED);
		SL_LOG(net_virtio_user, NOTICE, "%s: link down (backend gone from %s)%s", d->name,
		       d->path, d->server ? "; waiting for it" : "; reconnecting");
	}
	stop_queues(d);
	d->fd = -1;
}

static void ep_tick(void *arg)
{
	static const char *const why[] = {
		[VU_FAULT_NONE] = "none",
		[VU_FAULT_USED_IDX] = "a used index ahead of what was made available",
		[VU_FAULT_ID] = "a used id that is not a buffer we gave",
		[VU_FAULT_LEN] = "a used length beyond its buffer or below the header",
		[VU_FAULT_NUM_BUFS] = "num_buffers of 0 or above 64",
	};
	struct vu_dev *d = arg;

	for (unsigned i = 0; d->running && i < 2u * d->nb_qp; i++) {
		struct vu_queue *q = queue_of(d, i);
		uint32_t f = q ? sl_gate_fault_of(&q->gate) : 0;

		if (f == VU_FAULT_NONE)
			continue;
		__atomic_fetch_add(&d->backend_faults, 1, __ATOMIC_RELAXED);
		SL_LOG(net_virtio_user, ERR, "%s: dropping the backend on %s: vring %u: %s",
		       d->name, d->path, i, f < SL_ARRAY_SIZE(why) ? why[f] : "?");
		sl_vu_ep_drop(d->ep);
		return;
	}
}

static const struct sl_vu_ep_ops vu_ep_ops = {
	.up = ep_up,
	.readable = ep_readable,
	.down = ep_down,
	.tick = ep_tick,
};

/* --- port ops --- */

static void vu_info(struct sl_port *port, struct sl_port_info *info)
{
	struct vu_dev *d = port->priv;

	info->max_rxq = d->nb_qp;
	info->max_txq = d->nb_qp;
	info->min_mtu = 68;
	info->max_mtu = 9000;
	info->max_rx_pktlen = 65535;
}

static int vu_configure(struct sl_port *port)
{
	struct vu_dev *d = port->priv;

	if (port->conf.nb_rxq > d->nb_qp || port->conf.nb_txq > d->nb_qp ||
	    port->conf.nb_rxq == 0 || port->conf.nb_txq == 0) {
		SL_LOG(net_virtio_user, ERR,
		       "%s: %u rx and %u tx queues asked; virtio-user runs 1 to queues=%u of each: "
		       "ask for fewer or raise queues=",
		       port->name, port->conf.nb_rxq, port->conf.nb_txq, d->nb_qp);
		return -EINVAL;
	}
	sl_vu_lock();
	d->nb_rxq = port->conf.nb_rxq;
	d->nb_txq = port->conf.nb_txq;
	sl_vu_unlock();
	return 0;
}

static void queue_free(struct vu_queue *q)
{
	if (q == NULL)
		return;
	for (uint16_t i = 0; q->bufs && i < q->size; i++)
		sl_pktbuf_free(q->bufs[i]);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	free(q->bufs);
	free(q->holes);
	sl_free(q->mem);
	sl_free(q);
}

static int queue_setup(struct sl_port *port, uint16_t qid, int node, struct sl_pool *pool, bool rx)
{
	struct vu_dev *d = port->priv;
	struct vu_queue *q = sl_malloc(sizeof(*q), SL_CACHE_LINE, node);
	uint16_t n = d->queue_size;
	size_t desc = sl_vring_desc_bytes(n), avail = SL_ALIGN_UP(sl_vring_avail_bytes(n) + 2, 64);
	size_t used = SL_ALIGN_UP(sl_vring_used_bytes(n) + 2, 64);
	size_t hdrs = rx ? 0 : (size_t)n * sizeof(struct sl_virtio_net_hdr);
	char *mem;

	if (q == NULL)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	/* Rings (and tx header slots) in Sluice memory: the backend maps it. */
	mem = sl_malloc(desc + avail + used + SL_ALIGN_UP(hdrs, 64), 4096, node);
	q->bufs = calloc(n, sizeof(*q->bufs));
	q->holes = calloc(n, sizeof(*q->holes));
	if (mem == NULL || q->bufs == NULL || q->holes == NULL) {
		sl_free(mem);
		free(q->bufs);
		free(q->holes);
		sl_free(q);
		return -ENOMEM;
	}
	q->mem = mem;
	q->desc = (struct sl_vring_desc *)mem;
	q->avail = (struct sl_vring_avail *)(mem + desc);
	q->used = (struct sl_vring_used *)(mem + desc + avail);
	q->hdrs = rx ? NULL : (struct sl_virtio_net_hdr *)(mem + desc + avail + used);
	q->size = n;
	q->mask = (uint16_t)(n - 1);
	q->port = port->id;
	q->qid = qid;
	q->vring = (uint16_t)(2 * qid + (rx ? 0 : 1));
	q->pool = pool;
	q->dev = d;
	q->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); /* kept across backends */
	if (q->kick_fd < 0) {
		queue_free(q);
		return -errno;
	}
	q->shared = &d->shared;
	sl_vu_lock();
	if (rx) {
		queue_free(d->rxq[qid]);
		d->rxq[qid] = q;
	} else {
		queue_free(d->txq[qid]);
		d->txq[qid] = q;
	}
	sl_vu_unlock();
	if (rx)
		port->rxq[qid] = q;
	else
		port->txq[qid] = q;
	return 0;
}

static int vu_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			struct sl_pool *pool)
{
	(void)nb_desc; /* queue_size= sizes every ring */
	return queue_setup(port, qid, node, pool, true);
}

static int vu_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	(void)nb_desc;
	return queue_setup(port, qid, node, NULL, false);
}

static void queue_release(struct sl_port *port, uint16_t qid, bool rx)
{
	struct vu_dev *d = port->priv;
	struct vu_queue **slot = rx ? &d->rxq[qid] : &d->txq[qid];

	sl_vu_lock();
	if (d->running)
		halt(d);
	queue_free(*slot);
	*slot = NULL;
	sl_vu_unlock();
	if (rx)
		port->rxq[qid] = NULL;
	else
		port->txq[qid] = NULL;
}

static void vu_rxq_release(struct sl_port *port, uint16_t qid)
{
	queue_release(port, qid, true);
}

static void vu_txq_release(struct sl_port *port, uint16_t qid)
{
	queue_release(port, qid, false);
}

static int vu_start(struct sl_port *port)
{
	struct vu_dev *d = port->priv;
	int rc;

	sl_vu_lock();
	d->started = true;
	rc = run(d);
	if (rc < 0)
		sl_vu_ep_drop(d->ep); /* reconnects (client) or waits (server) for a new try */
	sl_vu_unlock();
	return 0;
}

static void vu_stop(struct sl_port *port)
{
	struct vu_dev *d = port->priv;

	sl_vu_lock();
	d->started = false;
	halt(d);
	sl_vu_unlock();
}

static void vu_close(struct sl_port *port)
{
	struct vu_dev *d = port->priv;

	sl_vu_ep_close(d->ep);
	free(d);
	port->priv = NULL;
}

static int vu_link(struct sl_port *port, struct sl_port_link *link)
{
	struct vu_dev *d = port->priv;

	link->up = __atomic_load_n(&d->link_up, __ATOMIC_RELAXED) != 0;
	link->full_duplex = true;
	link->speed_mbps = link->up ? 10000 : 0;
	return 0;
}

static const struct sl_port_qxstat vu_port_xstats[] = {
	SL_PORT_QXSTAT(struct vu_dev, connects),
	SL_PORT_QXSTAT(struct vu_dev, disconnects),
	SL_PORT_QXSTAT(struct vu_dev, backend_faults),
	SL_PORT_QXSTAT(struct vu_dev, handshake_failures),
	{NULL, 0},
};

#define VU_QX(field) SL_PORT_QXSTAT(struct vu_queue, field)
static const struct sl_port_qxstat vu_rxq_xstats[] = {
	VU_QX(notify_sent),
	VU_QX(desc_chained),
	VU_QX(bad_used),
	{NULL, 0},
};
static const struct sl_port_qxstat vu_txq_xstats[] = {
	VU_QX(notify_sent), VU_QX(desc_chained), VU_QX(ring_full),  VU_QX(link_down),
	VU_QX(unshared),    VU_QX(bad_used),	 VU_QX(reset_lost), {NULL, 0},
};

static const struct sl_port_ops vu_ops = {
	.info = vu_info,
	.configure = vu_configure,
	.rxq_setup = vu_rxq_setup,
	.txq_setup = vu_txq_setup,
	.rxq_release = vu_rxq_release,
	.txq_release = vu_txq_release,
	.start = vu_start,
	.stop = vu_stop,
	.close = vu_close,
	.link = vu_link,
	.rxq_xstats = vu_rxq_xstats,
	.txq_xstats = vu_txq_xstats,
	.port_xstats = vu_port_xstats,
};

/* --- probe --- */

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
				      &v[4], &v[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int vu_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct vu_dev *d = calloc(1, sizeof(*d));
	const char *path = sl_devargs_get(args, "path"), *mac = sl_devargs_get(args, "mac");
	uint64_t queues = 1, qsize = 256, reconnect = 1000;
	bool server = false, mrg = true;

	if (d == NULL)
		return -ENOMEM;
	if (sl_devargs_uint(args, port->name, "queues", 1, VU_MAX_QUEUES, &queues) < 0 ||
	    sl_devargs_uint(args, port->name, "queue_size", 16, SL_VRING_MAX_SIZE, &qsize) < 0 ||
	    sl_devargs_bool(args, port->name, "server", &server) < 0 ||
	    sl_devargs_bool(args, port->name, "mrg_rxbuf", &mrg) < 0 ||
	    sl_devargs_uint(args, port->name, "reconnect-ms", 10, 60000, &reconnect) < 0)
		goto fail;
	if (!SL_IS_POW2(qsize) || qsize > 32768) {
		SL_LOG(net_virtio_user, ERR,
		       "%s: queue_size=%llu is not a power of two up to 32768", port->name,
		       (unsigned long long)qsize);
		goto fail;
	}
	if (path == NULL || path[0] != '/' || strlen(path) >= sizeof(d->path)) {
		SL_LOG(net_virtio_user, ERR,
		       "%s: path=%s: give the vhost-user socket as an absolute path of at most %zu "
		       "characters, e.g. %s,path=/tmp/vhost0.sock",
		       port->name, path ? path : "(missing)", sizeof(d->path) - 1, port->name);
		goto fail;
	}
	memcpy(port->mac,
	       (uint8_t[]){0x02, 0x53, 0x4c, 0x75, (uint8_t)(port->id >> 8), (uint8_t)port->id}, 6);
	if (mac && parse_mac(mac, port->mac) < 0) {
		SL_LOG(net_virtio_user, ERR, "%s: mac=%s is not xx:xx:xx:xx:xx:xx", port->name,
		       mac);
		goto fail;
	}
	snprintf(d->name, sizeof(d->name), "%s", port->name);
	strcpy(d->path, path);
	d->server = server;
	d->reconnect_ms = (unsigned)reconnect;
	d->nb_qp = (uint16_t)queues;
	d->queue_size = (uint16_t)qsize;
	d->want_mrg = mrg;
	d->fd = -1;
	port->priv = d;
	port->ops = &vu_ops;
	port->rx = vu_rx;
	port->tx = vu_tx;
	d->ep = sl_vu_ep_open(d->name, d->path, server, d->reconnect_ms, &vu_ep_ops, d);
	if (d->ep == NULL) {
		port->priv = NULL;
		goto fail;
	}
	SL_LOG(net_virtio_user, INFO, "%s: vhost-user %s on %s, %u queue pair%s of %u", d->name,
	       server ? "server" : "client", d->path, d->nb_qp, d->nb_qp > 1 ? "s" : "",
	       d->queue_size);
	return 0;
fail:
	free(d);
	return -EINVAL;
}

static const char *const vu_keys[] = {"path", "queues",	   "queue_size",   "server",
				      "mac",  "mrg_rxbuf", "reconnect-ms", NULL};

const struct sl_port_driver sl_port_driver_virtio_user = {
	.name = "net_virtio_user",
	.keys = vu_keys,
	.usage = "path=PATH (the vhost-user socket) queues=N (1) queue_size=N (256) server=0|1 "
		 "(0: connect and reconnect every reconnect-ms=MS, 1000; 1: listen) "
		 "mac=xx:xx:xx:xx:xx:xx mrg_rxbuf=0|1 (1)",
	.probe = vu_probe,
};
