/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost internals shared by the port code and data path (net_vhost.c) and the
 * vhost-user message handler (vhost_msg.c).
 *
 * Threads: the application's control thread calls the port ops; the vhost-user control
 * thread (lib/virtio) runs the socket and calls the message handler; both hold the
 * vhost-user lock.  Data-path threads call rx/tx and never lock: a queue is live only
 * while its gate is open (struct sl_port_gate: opened once its rings are translated and
 * checked; detaching closes it, which waits for the burst in progress, before the memory
 * goes).
 */
#ifndef SL_VHOST_PRIV_H
#define SL_VHOST_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_port_driver.h"
#include "sl_vhost_user.h"

SL_LOG_TYPE_DECLARE(net_vhost);

#define VHOST_MAX_QUEUES 8 /* queue pairs a port offers (queues=) */
#define VHOST_MAX_VRINGS (2 * VHOST_MAX_QUEUES)
#define VHOST_MAX_CHAIN 64 /* buffers of one packet into the guest (mergeable) */

/* What a queue found wrong in the frontend's rings (queue.fault): the control thread then
 * drops the frontend with the reason. */
enum vhost_fault {
	VHOST_FAULT_NONE,
	VHOST_FAULT_AVAIL_IDX, /* avail index further ahead than the ring size */
	VHOST_FAULT_HEAD,      /* a head index past the ring */
	VHOST_FAULT_DESC,      /* a descriptor outside guest memory or straddling regions */
	VHOST_FAULT_CHAIN,     /* a chain that loops or is longer than its table */
	VHOST_FAULT_INDIRECT,  /* an indirect table nested, empty, misaligned or too long */
	VHOST_FAULT_DIRECTION, /* a read-only buffer in the rx ring or a write-only in tx */
	VHOST_FAULT_LENGTH,    /* rx: a chain no longer than the virtio-net header, or
				  longer than the largest packet */
};

struct vhost_dev;

/*
 * One port queue over one virtqueue: rx queue q reads the guest's transmit ring (vring
 * 2q + 1), tx queue q fills its receive ring (vring 2q).  Line 0: the counters the queue's
 * thread writes (the port layer's block first), line 1: the error reasons; line 2: the
 * hand-over, the ring view and the indexes every burst reads; line 3: fixed at setup.
 */
struct vhost_queue {
	/* --- counters (dp) --- */
	struct sl_port_qstats st; /* rx: errors = bad_desc, nombuf = packets left in the
				     guest ring for want of buffers; tx: errors = too_big */
	uint64_t guest_notified;  /* calls: eventfd writes to the frontend */
	uint64_t desc_chained;	  /* packets over more than one descriptor (rx) or guest
				      buffer (tx, mergeable) */
	uint64_t rxbuf_short;	  /* tx: packets not taken: the guest posted too few rx
				      buffers */
	uint64_t link_down;	  /* tx: packets not taken while no frontend drives it */
	uint64_t too_big;	  /* tx: packets larger than every buffer chain the guest
				      offers (dropped) */
	uint64_t bad_desc;	  /* descriptors that failed validation (then the frontend
				      is dropped) */
	uint64_t rarp_sent;	  /* rx: RARP announcements injected after SEND_RARP */
	/* --- hand-over with the control thread --- */
	struct sl_port_gate gate SL_CACHE_ALIGNED; /* fault: enum vhost_fault */
	/* --- ring view, set by the control thread before the gate opens --- */
	uint16_t size, mask;
	struct sl_vring_desc *desc;
	struct sl_vring_avail *avail;
	struct sl_vring_used *used;
	const struct sl_vu_mem *mem;
	int call_fd;
	uint16_t hdr_len; /* 12 or 10 */
	bool mrg;	  /* mergeable rx buffers */
	bool event_idx;
	/* --- data path's own indexes (copied from/to the vring state at attach/detach) --- */
	uint16_t last_avail;
	uint16_t last_used;
	/* --- fixed at setup --- */
	uint16_t port;
	uint16_t qid;
	uint16_t vring;	      /* its vring index */
	struct sl_pool *pool; /* rx */
	struct vhost_dev *dev;
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct vhost_queue, st);
_Static_assert(offsetof(struct vhost_queue, desc_chained) + sizeof(uint64_t) <= SL_CACHE_LINE,
	       "the counters every burst writes share line 0 with st");
_Static_assert(offsetof(struct vhost_queue, gate) == 2 * SL_CACHE_LINE &&
		       offsetof(struct vhost_queue, last_used) + sizeof(uint16_t) <=
			       3 * SL_CACHE_LINE,
	       "the hand-over, the ring view and the indexes are line 2 (line 3: fixed fields)");

/* A vring's state as the frontend set it (control thread). */
struct vhost_vring {
	uint32_t num; /* size, 0 = not set */
	uint64_t desc_uva, avail_uva, used_uva;
	bool addr_set;
	bool enabled;	     /* SET_VRING_ENABLE, or a kick without protocol features */
	bool kicked;	     /* a kick fd (or polling) was given */
	uint16_t last_avail; /* while detached */
	uint16_t last_used;
	int kick_fd, call_fd;
	struct vhost_queue *q; /* attached queue (ready), or NULL */
};

/* One net_vhost port. */
struct vhost_dev {
	char name[SL_PORT_NAME_SIZE];
	char path[108];
	uint16_t port_id;
	bool client;
	unsigned reconnect_ms;
	uint16_t nb_qp; /* queue pairs offered (queues=) */
	struct sl_vu_ep *ep;
	/* port side (under the vhost-user lock) */
	bool started;
	uint16_t nb_rxq, nb_txq;
	struct vhost_queue *rxq[VHOST_MAX_QUEUES], *txq[VHOST_MAX_QUEUES];
	/* the frontend's state */
	bool connected;
	uint64_t features; /* acked; valid once features_set */
	bool features_set;
	uint64_t protocol_features;
	struct sl_vu_mem mem;
	struct vhost_vring vr[VHOST_MAX_VRINGS];
	uint16_t frontend_mtu; /* NET_SET_MTU, 0 = not said */
	/* RARP to inject on rx queue 0 (SEND_RARP): the MAC, and a flag the data path takes */
	uint8_t rarp_mac[6];
	uint32_t rarp_pending;
	uint32_t link_up; /* atomic: vring pair 0 live */
	/* counters (control thread, atomic) */
	uint64_t connects, disconnects, frontend_faults, bad_messages;
};

/* Features the backend offers.  IN_ORDER costs nothing: both directions take avail entries
 * and write used entries in ring order already (drivers then skip their free lists). */
#define VHOST_FEATURES                                                                             \
	(SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MRG_RXBUF) | SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MTU) |           \
	 SL_VIRTIO_BIT(SL_VIRTIO_NET_F_MQ) | SL_VIRTIO_BIT(SL_VIRTIO_F_ANY_LAYOUT) |               \
	 SL_VIRTIO_BIT(SL_VIRTIO_F_INDIRECT_DESC) | SL_VIRTIO_BIT(SL_VIRTIO_F_EVENT_IDX) |         \
	 SL_VIRTIO_BIT(SL_VIRTIO_F_NOTIFY_ON_EMPTY) | SL_VIRTIO_BIT(SL_VIRTIO_F_VERSION_1) |       \
	 SL_VIRTIO_BIT(SL_VHOST_USER_F_PROTOCOL_FEATURES))
#define VHOST_PROTOCOL_FEATURES                                                                    \
	(SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_MQ) |                                              \
	 SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_RARP) |                                            \
	 SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_REPLY_ACK) |                                       \
	 SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_MTU))

/*
 * Handles one message from the frontend (vhost_msg.c): fds[0..nfds) are consumed.  Fills
 * *reply and returns 1 when one must be sent, 0 when not, or -1 after writing the reason
 * to drop the frontend into why.  Call with the vhost-user lock held.
 */
int vhost_handle(struct vhost_dev *d, struct sl_vu_msg *m, int *fds, unsigned nfds,
		 struct sl_vu_msg *reply, char *why, size_t why_size);
/* Forgets the frontend: detaches every queue, unmaps its memory, closes its fds. */
void vhost_reset(struct vhost_dev *d);
/* Attaches or detaches each queue to match the vring state and the port's; returns -1
 * with why when a ring the frontend enabled lies outside its memory. */
int vhost_sync(struct vhost_dev *d, char *why, size_t why_size);

#endif
