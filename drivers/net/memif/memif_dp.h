/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_memif data-path helpers shared by the copy path (memif.c) and the zero-copy client
 * path (memif_zc.c): entering and leaving a burst (the hand-over with the control thread,
 * see memif_priv.h), reading a descriptor the peer may be rewriting, faulting the queue,
 * signalling the peer.
 */
#ifndef SL_MEMIF_DP_H
#define SL_MEMIF_DP_H

#include <unistd.h>

#include "memif_priv.h"
#include "sl_pktbuf.h"

/* --- data path helpers --- */

/* Reads a descriptor once: the peer may rewrite it while we look. */
static inline struct memif_desc desc_read(const struct memif_ring *ring, uint16_t slot)
{
	const volatile struct memif_desc *vd = &ring->desc[slot];
	struct memif_desc d;

	d.flags = vd->flags;
	d.region = vd->region;
	d.length = vd->length;
	d.offset = vd->offset;
	d.metadata = 0;
	return d;
}

/* The descriptor's bytes lie inside a region we mapped. */
static inline bool desc_ok(const struct memif_queue *q, const struct memif_desc *d)
{
	return d->region < q->nb_regions &&
	       (uint64_t)d->offset + d->length <= q->regions[d->region].size &&
	       d->length <= UINT16_MAX && (!q->client || d->length <= q->bsize);
}

static inline uint8_t *desc_addr(const struct memif_queue *q, const struct memif_desc *d)
{
	return q->regions[d->region].addr + d->offset;
}

/* A descriptor (or chain) that failed validation: counted in bad_desc and in the queue's
 * errors (ierrors / oerrors), then the control thread drops the peer. */
static inline void fault_desc(struct memif_queue *q, enum memif_fault why)
{
	sl_counter_add(&q->bad_desc, 1);
	sl_counter_add(&q->st.errors, 1);
	memif_ctl_fault(q, why);
}

/* A tx packet taken and dropped because it needs more than MEMIF_MAX_CHAIN slots. */
static inline void count_too_big(struct memif_queue *q)
{
	sl_counter_add(&q->too_big, 1);
	sl_counter_add(&q->st.errors, 1);
}

/* A ring index out of range: counted in bad_ring, then the peer is dropped. */
static inline void fault_ring(struct memif_queue *q)
{
	sl_counter_add(&q->bad_ring, 1);
	memif_ctl_fault(q, MEMIF_FAULT_RING_INDEX);
}

static inline void signal_peer(const struct memif_queue *q)
{
	uint64_t one = 1;

	/* The peer masks interrupts when it polls (DPDK and Sluice always do). */
	if (!(__atomic_load_n(&q->ring->flags, __ATOMIC_RELAXED) & MEMIF_RING_FLAG_MASK_INT) &&
	    q->irq_fd >= 0 && write(q->irq_fd, &one, sizeof(one)) < 0) {
		/* the peer's counter is full: it is not reading, nothing to do */
	}
}

/* Zero-copy client (memif_zc.c). */
int memif_zc_prepare(struct sl_port *port);
void memif_zc_release(struct memif_queue *q);
uint16_t memif_zc_rx(void *qv, struct sl_pktbuf **pkts, uint16_t n);
uint16_t memif_zc_tx(void *qv, struct sl_pktbuf **pkts, uint16_t n);

#endif
