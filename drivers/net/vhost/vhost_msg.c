/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost: the device side of the vhost-user protocol.  The frontend (QEMU, DPDK's or
 * Sluice's virtio-user, OVS's peer) is not trusted: every field is range-checked, every
 * fd it sends is either kept in one place or closed, rings are translated and checked
 * against its memory table before a queue goes live, and anything wrong drops it with a
 * reason (vhost_handle returns -1).  No message touches a live queue's memory: queues are
 * detached (waiting for the burst in progress) before rings or memory change.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vhost_priv.h"

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Takes a queue off the data path and keeps its indexes in the vring state. */
static void detach(struct vhost_dev *d, struct vhost_vring *vr)
{
	struct vhost_queue *q = vr->q;

	if (q == NULL)
		return;
	SL_LOG(net_vhost, DEBUG, "%s: vring %u detached: avail %u/%u used %u/%u", d->name,
	       (unsigned)(vr - d->vr), q->last_avail, q->avail->idx, q->last_used, q->used->idx);
	sl_gate_close(&q->gate);
	vr->last_avail = q->last_avail;
	vr->last_used = q->last_used;
	vr->q = NULL;
	if (vr == &d->vr[0] || vr == &d->vr[1])
		__atomic_store_n(&d->link_up, 0, __ATOMIC_RELAXED);
}

static void detach_all(struct vhost_dev *d)
{
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		detach(d, &d->vr[i]);
}

/* Translates and checks a vring; attaches q to it. */
static int attach(struct vhost_dev *d, struct vhost_vring *vr, struct vhost_queue *q, char *why,
		  size_t why_size)
{
	unsigned idx = (unsigned)(vr - d->vr);
	void *desc = sl_vu_uva(&d->mem, vr->desc_uva, sl_vring_desc_bytes(vr->num));
	void *avail = sl_vu_uva(&d->mem, vr->avail_uva, sl_vring_avail_bytes(vr->num));
	void *used = sl_vu_uva(&d->mem, vr->used_uva, sl_vring_used_bytes(vr->num));

	if (desc == NULL || avail == NULL || used == NULL) {
		snprintf(why, why_size, "vring %u: its %s (0x%llx) lies outside the memory table",
			 idx,
			 desc == NULL	 ? "descriptor table"
			 : avail == NULL ? "avail ring"
					 : "used ring",
			 (unsigned long long)(desc == NULL    ? vr->desc_uva
					      : avail == NULL ? vr->avail_uva
							      : vr->used_uva));
		return -1;
	}
	if (((uintptr_t)desc & 15) || ((uintptr_t)avail & 1) || ((uintptr_t)used & 3)) {
		snprintf(why, why_size, "vring %u: misaligned ring addresses", idx);
		return -1;
	}
	q->size = (uint16_t)(vr->num == 32768 ? 32768 : vr->num);
	q->mask = (uint16_t)(vr->num - 1);
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->mem = &d->mem;
	q->call_fd = vr->call_fd;
	q->mrg = d->features & SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MRG_RXBUF);
	q->hdr_len = (d->features & (SL_VIRTIO_BIT(SL_VIRTIO_F_VERSION_1) |
				     SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MRG_RXBUF)))
			     ? 12
			     : 10;
	q->event_idx = d->features & SL_VIRTIO_BIT(SL_VIRTIO_F_EVENT_IDX);
	q->last_avail = vr->last_avail;
	q->last_used = vr->last_used;
	/* We poll: ask the frontend not to kick (without the event index; with it the avail
	 * event we never move keeps kicks rare). */
	__atomic_store_n(&q->used->flags, SL_VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
	vr->q = q;
	sl_gate_open(&q->gate);
	return 0;
}

int vhost_sync(struct vhost_dev *d, char *why, size_t why_size)
{
	bool live0 = true;

	for (unsigned i = 0; i < 2u * d->nb_qp; i++) {
		struct vhost_vring *vr = &d->vr[i];
		unsigned qp = i / 2;
		struct vhost_queue *q = (i & 1) ? (qp < d->nb_rxq ? d->rxq[qp] : NULL)
						: (qp < d->nb_txq ? d->txq[qp] : NULL);
		bool want = d->started && q && d->features_set && d->mem.n && vr->num &&
			    vr->addr_set && vr->enabled;

		if (vr->q && (!want || vr->q != q))
			detach(d, vr);
		if (want && vr->q == NULL && attach(d, vr, q, why, why_size) < 0)
			return -1;
		if (i < 2 && vr->q == NULL)
			live0 = false;
	}
	if (live0 && !__atomic_load_n(&d->link_up, __ATOMIC_RELAXED))
		SL_LOG(net_vhost, NOTICE, "%s: link up (%s, %u queue pair%s ready)", d->name,
		       d->path, d->nb_qp, d->nb_qp > 1 ? "s" : "");
	__atomic_store_n(&d->link_up, live0, __ATOMIC_RELAXED);
	return 0;
}

static void vring_reset(struct vhost_vring *vr)
{
	close_fd(&vr->kick_fd);
	close_fd(&vr->call_fd);
	*vr = (struct vhost_vring){.kick_fd = -1, .call_fd = -1};
}

void vhost_reset(struct vhost_dev *d)
{
	detach_all(d);
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		vring_reset(&d->vr[i]);
	sl_vu_mem_unmap(&d->mem);
	d->features = 0;
	d->features_set = false;
	d->protocol_features = 0;
	d->frontend_mtu = 0;
	__atomic_store_n(&d->link_up, 0, __ATOMIC_RELAXED);
}

static int fail(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
	return -1;
}

/* The payload must be exactly `want` bytes (u64, state, address). */
static bool size_is(const struct sl_vu_msg *m, uint32_t want)
{
	return m->hdr.size == want;
}

static struct vhost_vring *vring_of(struct vhost_dev *d, uint32_t index)
{
	return index < 2u * d->nb_qp ? &d->vr[index] : NULL;
}

static void reply_u64(struct sl_vu_msg *reply, const struct sl_vu_msg *m, uint64_t v)
{
	reply->hdr = (struct sl_vu_hdr){m->hdr.request, SL_VU_VERSION | SL_VU_FLAG_REPLY, 8};
	reply->p.u64 = v;
}

/* SET_VRING_KICK/CALL/ERR: u64 index | NOFD, and an fd unless NOFD. */
static int vring_fd(struct vhost_dev *d, const struct sl_vu_msg *m, int *fds, unsigned nfds,
		    struct vhost_vring **vrp, int *fd, char *why, size_t why_size)
{
	uint32_t index = (uint32_t)(m->p.u64 & SL_VU_VRING_IDX_MASK);
	bool nofd = m->p.u64 & SL_VU_VRING_NOFD;

	if (!size_is(m, 8))
		return fail(why, why_size, "%s: payload of %u bytes, not 8",
			    sl_vu_req_name(m->hdr.request), m->hdr.size);
	*vrp = vring_of(d, index);
	if (*vrp == NULL)
		return fail(why, why_size, "%s: vring %u, but %u queue pairs offer vrings 0-%u",
			    sl_vu_req_name(m->hdr.request), index, d->nb_qp, 2 * d->nb_qp - 1);
	if (nofd != (nfds == 0) || nfds > 1)
		return fail(why, why_size, "%s: %u fds with the no-fd flag %s",
			    sl_vu_req_name(m->hdr.request), nfds, nofd ? "set" : "clear");
	*fd = nofd ? -1 : fds[0];
	fds[0] = -1;
	return 0;
}

int vhost_handle(struct vhost_dev *d, struct sl_vu_msg *m, int *fds, unsigned nfds,
		 struct sl_vu_msg *reply, char *why, size_t why_size)
{
	uint32_t req = m->hdr.request;
	struct vhost_vring *vr = NULL;
	int rc = 0, fd = -1;
	bool ack = (m->hdr.flags & SL_VU_FLAG_NEED_REPLY) &&
		   (d->protocol_features & SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_REPLY_ACK));

	SL_LOG(net_vhost, DEBUG, "%s: %s (%u bytes, %u fds)", d->name, sl_vu_req_name(req),
	       m->hdr.size, nfds);
	if (m->hdr.flags & SL_VU_FLAG_REPLY) {
		rc = fail(why, why_size, "%s: a reply where a request was due",
			  sl_vu_req_name(req));
		goto out;
	}
	/* Requests that take fds say so below; any other fd is the frontend's mistake. */
	if (nfds && req != SL_VU_SET_MEM_TABLE && req != SL_VU_SET_VRING_KICK &&
	    req != SL_VU_SET_VRING_CALL && req != SL_VU_SET_VRING_ERR && req != SL_VU_SET_LOG_FD &&
	    req != SL_VU_SET_LOG_BASE && req != SL_VU_SET_BACKEND_REQ_FD &&
	    req != SL_VU_SET_INFLIGHT_FD) {
		rc = fail(why, why_size, "%s: %u unexpected fds", sl_vu_req_name(req), nfds);
		goto out;
	}
	switch (req) {
	case SL_VU_GET_FEATURES:
		reply_u64(reply, m, VHOST_FEATURES);
		rc = 1;
		break;
	case SL_VU_SET_FEATURES:
		if (!size_is(m, 8)) {
			rc = fail(why, why_size, "SET_FEATURES: payload of %u bytes, not 8",
				  m->hdr.size);
			break;
		}
		if (m->p.u64 & ~VHOST_FEATURES) {
			rc = fail(why, why_size,
				  "SET_FEATURES: 0x%llx asks for 0x%llx, which we did not offer",
				  (unsigned long long)m->p.u64,
				  (unsigned long long)(m->p.u64 & ~VHOST_FEATURES));
			break;
		}
		/* Features change only while the rings are stopped (queues re-attach). */
		detach_all(d);
		d->features = m->p.u64;
		d->features_set = true;
		break;
	case SL_VU_GET_PROTOCOL_FEATURES:
		reply_u64(reply, m, VHOST_PROTOCOL_FEATURES);
		rc = 1;
		break;
	case SL_VU_SET_PROTOCOL_FEATURES:
		if (!size_is(m, 8)) {
			rc = fail(why, why_size,
				  "SET_PROTOCOL_FEATURES: payload of %u bytes, not 8", m->hdr.size);
			break;
		}
		d->protocol_features = m->p.u64 & VHOST_PROTOCOL_FEATURES;
		/* REPLY_ACK applies from the next message. */
		ack = false;
		break;
	case SL_VU_GET_QUEUE_NUM:
		reply_u64(reply, m, d->nb_qp);
		rc = 1;
		break;
	case SL_VU_SET_OWNER:
		break;
	case SL_VU_RESET_OWNER:
	case SL_VU_RESET_DEVICE:
		vhost_reset(d);
		break;
	case SL_VU_SET_MEM_TABLE: {
		struct sl_vu_mem mem;

		detach_all(d);
		rc = sl_vu_mem_map(&mem, &m->p.memory, m->hdr.size, fds, nfds, why, why_size);
		nfds = 0; /* consumed */
		if (rc < 0) {
			rc = -1;
			break;
		}
		sl_vu_mem_unmap(&d->mem);
		d->mem = mem;
		for (uint32_t i = 0; i < mem.n; i++)
			SL_LOG(net_vhost, DEBUG,
			       "%s: region %u: guest 0x%llx frontend 0x%llx, 0x%llx bytes", d->name,
			       i, (unsigned long long)mem.r[i].gpa,
			       (unsigned long long)mem.r[i].uva, (unsigned long long)mem.r[i].size);
		break;
	}
	case SL_VU_SET_VRING_NUM:
	case SL_VU_SET_VRING_BASE:
	case SL_VU_GET_VRING_BASE:
	case SL_VU_SET_VRING_ENABLE:
		if (!size_is(m, sizeof(struct sl_vu_state))) {
			rc = fail(why, why_size, "%s: payload of %u bytes, not 8",
				  sl_vu_req_name(req), m->hdr.size);
			break;
		}
		vr = vring_of(d, m->p.state.index);
		if (vr == NULL) {
			rc = fail(
				why, why_size, "%s: vring %u, but %u queue pairs offer vrings 0-%u",
				sl_vu_req_name(req), m->p.state.index, d->nb_qp, 2 * d->nb_qp - 1);
			break;
		}
		detach(d, vr);
		if (req == SL_VU_SET_VRING_NUM) {
			uint32_t num = m->p.state.num;

			if (!SL_IS_POW2(num) || num > SL_VRING_MAX_SIZE)
				rc = fail(
					why, why_size,
					"SET_VRING_NUM: vring %u size %u is not a power of two up to "
					"32768",
					m->p.state.index, num);
			else
				vr->num = num;
		} else if (req == SL_VU_SET_VRING_BASE) {
			if (m->p.state.num > UINT16_MAX) {
				rc = fail(why, why_size,
					  "SET_VRING_BASE: vring %u base %u above 65535",
					  m->p.state.index, m->p.state.num);
				break;
			}
			vr->last_avail = vr->last_used = (uint16_t)m->p.state.num;
		} else if (req == SL_VU_GET_VRING_BASE) {
			/* Stops the ring: the frontend reads where we got to. */
			reply->hdr = (struct sl_vu_hdr){req, SL_VU_VERSION | SL_VU_FLAG_REPLY, 8};
			reply->p.state.index = m->p.state.index;
			reply->p.state.num = vr->last_avail;
			vr->enabled = false;
			vr->kicked = false;
			close_fd(&vr->kick_fd);
			rc = 1;
		} else {
			vr->enabled = m->p.state.num != 0;
		}
		break;
	case SL_VU_SET_VRING_ADDR:
		if (!size_is(m, sizeof(struct sl_vu_addr))) {
			rc = fail(why, why_size, "SET_VRING_ADDR: payload of %u bytes, not 40",
				  m->hdr.size);
			break;
		}
		vr = vring_of(d, m->p.addr.index);
		if (vr == NULL) {
			rc = fail(why, why_size,
				  "SET_VRING_ADDR: vring %u, but %u queue pairs offer vrings "
				  "0-%u",
				  m->p.addr.index, d->nb_qp, 2 * d->nb_qp - 1);
			break;
		}
		detach(d, vr);
		vr->desc_uva = m->p.addr.desc;
		vr->avail_uva = m->p.addr.avail;
		vr->used_uva = m->p.addr.used;
		vr->addr_set = true;
		SL_LOG(net_vhost, DEBUG, "%s: vring %u: desc 0x%llx avail 0x%llx used 0x%llx",
		       d->name, m->p.addr.index, (unsigned long long)vr->desc_uva,
		       (unsigned long long)vr->avail_uva, (unsigned long long)vr->used_uva);
		break;
	case SL_VU_SET_VRING_KICK:
	case SL_VU_SET_VRING_CALL:
	case SL_VU_SET_VRING_ERR:
		rc = vring_fd(d, m, fds, nfds, &vr, &fd, why, why_size);
		if (rc < 0)
			break;
		if (req == SL_VU_SET_VRING_ERR) {
			if (fd >= 0)
				close(fd);
			break;
		}
		detach(d, vr);
		if (req == SL_VU_SET_VRING_KICK) {
			close_fd(&vr->kick_fd);
			vr->kick_fd = fd;
			vr->kicked = true;
			/* Without protocol features a ring starts with its kick. */
			if (!(d->features & SL_VIRTIO_BIT(SL_VHOST_USER_F_PROTOCOL_FEATURES)))
				vr->enabled = true;
		} else {
			close_fd(&vr->call_fd);
			vr->call_fd = fd;
		}
		break;
	case SL_VU_SEND_RARP:
		if (!size_is(m, 8)) {
			rc = fail(why, why_size, "SEND_RARP: payload of %u bytes, not 8",
				  m->hdr.size);
			break;
		}
		memcpy(d->rarp_mac, &m->p.u64, 6);
		__atomic_store_n(&d->rarp_pending, 1, __ATOMIC_RELEASE);
		SL_LOG(net_vhost, INFO,
		       "%s: frontend asked for a RARP announcement "
		       "(%02x:%02x:%02x:%02x:%02x:%02x)",
		       d->name, d->rarp_mac[0], d->rarp_mac[1], d->rarp_mac[2], d->rarp_mac[3],
		       d->rarp_mac[4], d->rarp_mac[5]);
		break;
	case SL_VU_NET_SET_MTU:
		if (!size_is(m, 8) || m->p.u64 < 68 || m->p.u64 > 65535) {
			rc = fail(why, why_size, "NET_SET_MTU: %s",
				  size_is(m, 8) ? "MTU outside 68-65535"
						: "payload is not 8 bytes");
			break;
		}
		d->frontend_mtu = (uint16_t)m->p.u64;
		break;
	default:
		/* Not offered (logging, backend channel, config space, inflight, status):
		 * answered as unsupported when an answer is due, otherwise ignored. */
		SL_LOG(net_vhost, DEBUG, "%s: %s not supported, ignored", d->name,
		       sl_vu_req_name(req));
		if (ack) {
			reply_u64(reply, m, 1);
			rc = 1;
			ack = false;
		}
		break;
	}
	if (rc == 0) {
		char swhy[160];

		if (vhost_sync(d, swhy, sizeof(swhy)) < 0)
			rc = fail(why, why_size, "%s: %s", sl_vu_req_name(req), swhy);
	}
	if (rc == 0 && ack) {
		reply_u64(reply, m, 0);
		rc = 1;
	}
out:
	sl_vu_close_fds(fds, nfds);
	return rc;
}
