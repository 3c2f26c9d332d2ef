/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bonding's inside (sl_bond.h is its public face, docs/bonding.md its page).
 *
 * Threads.  The bursts run on the application's lcores; the control thread (the
 * application's, in the ops and the sl_bond_* calls) and the bond's monitor thread (links,
 * LACP) change the member set under the port lock.  The bursts read the member set the
 * control side published last: two copies, `cur` says which; a change writes the other
 * copy, flips `cur` and waits on every queue's epoch (sl_port_epoch) until no burst still
 * reads the old one.  Members are polled with sl_port_rx_burst/tx_burst on the bond's own
 * queue number: bond queue q is queue q of every member.
 *
 * LACP frames.  Received ones are taken out of the rx bursts into slow_rx (multi-producer:
 * any rx queue; the monitor consumes).  The monitor puts the ones to send in each member's
 * slow_tx ring (single producer, multi-consumer) and raises slow_pending; whichever tx
 * burst runs next (any queue, an empty burst included) sends them on its own queue of the
 * member, before its own packets; one the member refuses (its queue full of data) is held
 * by the queue and offered first again in the next bursts.  An application in 802.3ad
 * mode therefore calls tx burst on some queue at least every 100 ms.
 */
#ifndef SL_BOND_INTERNAL_H
#define SL_BOND_INTERNAL_H

#include <pthread.h>

#include "lacp.h"
#include "sl_bond.h"
#include "sl_port_driver.h"
#include "sl_ring.h"

SL_LOG_TYPE_DECLARE(net_bonding);

/* What the bursts use, published whole. */
struct bond_set {
	uint16_t n_rx, n_tx, n_all;
	uint16_t rx[SL_BOND_MAX_MEMBERS];  /* polled */
	uint16_t tx[SL_BOND_MAX_MEMBERS];  /* sent on (active-backup: the first) */
	uint16_t all[SL_BOND_MAX_MEMBERS]; /* 802.3ad: every member, for its LACP frames */
	struct sl_ring *slow_tx[SL_BOND_MAX_MEMBERS];
	uint32_t collecting; /* bit per member port id whose frames are delivered (active-backup,
				802.3ad) */
};
_Static_assert(SL_PORT_MAX <= 32, "collecting is a 32-bit mask of port ids");

struct bond;

struct bond_rxq {
	struct sl_port_qstats st; /* (dp) */
	struct sl_port_epoch ep;  /* (dp) */
	uint16_t q, next;	  /* next: the member polled first, rotated per burst (dp) */
	struct bond *b;
	uint64_t not_collecting; /* (dp) frames from a backup or a member not collecting */
	uint64_t lacp_rx;	 /* (dp) LACP frames taken to the monitor */
	uint64_t lacp_rx_full;	 /* (dp) LACP frames dropped: the monitor's ring was full */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct bond_rxq, st);

struct bond_txq {
	struct sl_port_qstats st; /* (dp) */
	struct sl_port_epoch ep;  /* (dp) */
	uint16_t q;
	struct bond *b;
	uint16_t n_held; /* (dp) LACPDUs a full member refused, offered first again */
	uint16_t held_port[4];
	struct sl_pktbuf *held[4];
	uint64_t no_member;    /* (dp) packets refused: no member could send */
	uint64_t lacp_tx;      /* (dp) LACP frames sent for the monitor */
	uint64_t lacp_tx_full; /* (dp) LACP frames dropped: the member stayed full */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct bond_txq, st);

struct bond_member {
	uint16_t port;
	bool created; /* from a device string: closed with the bond */
	bool link_up; /* (mon) */
	struct sl_ring *slow_tx;
	struct lacp_member lacp; /* (mon) */
	uint64_t link_downs;	 /* (mon) */
	uint64_t link_retry;	 /* (mon) link not read before this time (it failed) */
};

struct bond {
	struct bond_set sets[2];
	uint32_t cur;	       /* (ctl) the set in use: release-stored, read by the bursts */
	uint32_t slow_pending; /* (mon) set after filling a slow_tx ring; (dp) exchanged to 0 */
	enum sl_bond_mode mode;
	enum sl_bond_hash hash;
	uint16_t port_id;
	struct sl_port *port;
	unsigned nm;
	struct bond_member m[SL_BOND_MAX_MEMBERS];
	int primary; /* active-backup: the member index preferred when up; -1 none */
	int active;  /* active-backup: the member index sending; -1 none */
	bool fast;   /* 802.3ad: short timeouts */
	bool started;
	struct sl_ring *slow_rx; /* LACP frames in, to the monitor */
	struct sl_pool *pool;	 /* rx queue 0's: the monitor's LACP frames */
	/* The application's set-up, replayed on members added later. */
	bool configured;
	struct sl_pool *rx_pool[SL_PORT_MAX_QUEUES];
	uint16_t rx_desc[SL_PORT_MAX_QUEUES], tx_desc[SL_PORT_MAX_QUEUES];
	int rx_node[SL_PORT_MAX_QUEUES], tx_node[SL_PORT_MAX_QUEUES];
	/* Monitor thread. */
	pthread_t mon;
	bool mon_on;
	uint32_t mon_stop; /* (ctl) */
	uint64_t monitor_ns;
	/* Port-wide counters (port_xstats: relaxed atomic adds by the control threads). */
	uint64_t failovers;   /* active-backup: the sending member changed */
	uint64_t set_changes; /* member sets published */
	uint64_t lacp_bad;    /* LACP frames the monitor could not take (see the member's) */
	uint64_t lacp_nombuf; /* LACP frames not sent: no buffer */
};

/* bond_rxtx.c */
uint16_t bond_rx(void *q, struct sl_pktbuf **pkts, uint16_t n);
uint16_t bond_rx_active_backup(void *q, struct sl_pktbuf **pkts, uint16_t n);
uint16_t bond_rx_8023ad(void *q, struct sl_pktbuf **pkts, uint16_t n);
uint16_t bond_tx_active_backup(void *q, struct sl_pktbuf **pkts, uint16_t n);
uint16_t bond_tx_balance(void *q, struct sl_pktbuf **pkts, uint16_t n);
/* The header hash a balance mode spreads on (exposed for the unit test). */
uint32_t bond_hash(const struct sl_pktbuf *p, enum sl_bond_hash h);

#endif
