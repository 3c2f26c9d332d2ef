/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user internals shared by the port code and handshake (net_virtio_user.c) and
 * the data path (virtio_user_rxtx.c).
 *
 * We are the driver side: the rings and the packet buffers are ours, in Sluice memory,
 * which the backend maps from the memfds we send (SET_MEM_TABLE); descriptor addresses
 * are our virtual addresses.  Threads as in net_vhost: port ops and the vhost-user control
 * thread hold the vhost-user lock; the data path sees a queue only while its gate is open
 * (struct sl_port_gate).
 */
#ifndef SL_VIRTIO_USER_PRIV_H
#define SL_VIRTIO_USER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_memory.h"
#include "sl_port_driver.h"
#include "sl_vhost_user.h"

SL_LOG_TYPE_DECLARE(net_virtio_user);

#define VU_MAX_QUEUES 8
#define VU_HDR_LEN 12 /* VERSION_1 is required: always the 12-byte header */
#define VU_MAX_SEGS 64

/* What the backend did wrong in a used ring (then the control thread drops it). */
enum vu_fault {
	VU_FAULT_NONE,
	VU_FAULT_USED_IDX, /* used index ahead of what we made available */
	VU_FAULT_ID,	   /* a used id that is not a buffer we gave */
	VU_FAULT_LEN,	   /* a used length beyond the buffer, or below the header */
	VU_FAULT_NUM_BUFS, /* num_buffers 0 or above what one packet can take */
};

/* The memory the backend sees: Sluice's segments as sent in SET_MEM_TABLE. */
struct vu_shared {
	uint32_t n;
	struct {
		uintptr_t base;
		size_t len;
	} r[SL_VU_MAX_REGIONS];
};

static inline bool vu_shared_has(const struct vu_shared *s, const void *p, size_t len)
{
	for (uint32_t i = 0; i < s->n; i++) {
		uintptr_t off = (uintptr_t)p - s->r[i].base;

		if (off < s->r[i].len && len <= s->r[i].len - off)
			return true;
	}
	return false;
}

struct vu_dev;

/*
 * One port queue: rx queue q is vring 2q (the backend writes into our buffers), tx queue q
 * is vring 2q + 1.  Line 0: counters the burst writes; line 1: the error reasons; line 2:
 * the hand-over and the ring; line 3 on: fixed fields.
 */
struct vu_queue {
	/* --- counters (dp) --- */
	struct sl_port_qstats st; /* rx: errors = bad used entries, nombuf = refills short;
				     tx: errors = unshared + too many segments */
	uint64_t notify_sent;	  /* kicks written to the backend */
	uint64_t desc_chained;	  /* packets over more than one descriptor / buffer */
	uint64_t ring_full;	  /* tx: packets not taken: no free descriptors */
	uint64_t link_down;	  /* tx: packets not taken while no backend drives it */
	uint64_t unshared;	  /* tx: packets dropped: their buffer is not in the memory
				      the backend maps (pools made after start) */
	uint64_t bad_used;	  /* used entries that failed validation */
	uint64_t reset_lost;	  /* tx: packets in flight when the backend went */
	/* --- hand-over --- */
	struct sl_port_gate gate SL_CACHE_ALIGNED; /* open while the backend runs this vring;
						      fault: enum vu_fault */
	uint16_t size, mask;
	struct sl_vring_desc *desc;
	struct sl_vring_avail *avail;
	struct sl_vring_used *used;
	struct sl_pktbuf **bufs; /* the buffer behind each descriptor (tx: each head) */
	int kick_fd;
	uint16_t avail_idx; /* next avail slot (published on each burst) */
	uint16_t last_used; /* next used entry to read */
	uint16_t free_head; /* tx: free descriptor list, linked through desc.next */
	uint16_t nb_free;
	bool mrg;
	uint16_t *holes SL_CACHE_ALIGNED; /* rx: descriptors whose buffer was taken, to refill */
	uint16_t nb_holes;
	/* --- fixed at setup --- */
	uint16_t port;
	uint16_t qid;
	uint16_t vring;
	struct sl_pool *pool; /* rx */
	const struct vu_shared *shared;
	struct sl_virtio_net_hdr *hdrs; /* tx: a header per descriptor, for chains */
	void *mem;			/* the ring block (sl_malloc) */
	struct vu_dev *dev;
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct vu_queue, st);
_Static_assert(offsetof(struct vu_queue, gate) == 2 * SL_CACHE_LINE &&
		       offsetof(struct vu_queue, mrg) < 3 * SL_CACHE_LINE,
	       "the hand-over and the ring are line 2");

struct vu_dev {
	char name[SL_PORT_NAME_SIZE];
	char path[108];
	bool server;
	unsigned reconnect_ms;
	uint16_t nb_qp; /* queues= */
	uint16_t queue_size;
	bool want_mrg;
	struct sl_vu_ep *ep;
	/* port side (lock) */
	bool started;
	uint16_t nb_rxq, nb_txq;
	struct vu_queue *rxq[VU_MAX_QUEUES], *txq[VU_MAX_QUEUES];
	struct vu_shared shared;
	/* backend state (lock) */
	int fd;	      /* the connection, or -1 */
	bool running; /* rings handed over */
	uint64_t backend_features, features;
	uint64_t protocol_features;
	uint32_t link_up; /* atomic */
	/* counters (atomic) */
	uint64_t connects, disconnects, backend_faults, handshake_failures;
};

/* Data path (virtio_user_rxtx.c). */
uint16_t vu_rx(void *qv, struct sl_pktbuf **pkts, uint16_t n);
uint16_t vu_tx(void *qv, struct sl_pktbuf **pkts, uint16_t n);
/* Lays out a queue's ring afresh (control thread, queue not ready): rx posts a buffer in
 * every descriptor; tx frees what was in flight (counted in reset_lost).  0 or -ENOMEM
 * when the pool cannot fill the rx ring. */
int vu_ring_reset(struct vu_queue *q);

#endif
