/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-switch: an Ethernet switch of Sluice ports (docs/switch.md).
 *
 * Threads.  Each PMD thread (a worker lcore) polls the rx queues lib/pmd places on it
 * (docs/pmd.md: by measured load, pins, rebalanced on demand or by itself) and sends on
 * its own tx queue of every port; the main lcore is the control thread: the control socket
 * (lib/ctl, sluice-switchctl), FDB aging, the clock the workers stamp entries with.
 * Workers read the port configurations (VLAN mode, bridge) lock-free; the control thread
 * replaces one whole and frees the old copy after a grace period (lib/rcu).  The FDBs
 * (lib/fdb) are shared: every worker learns and looks up, the control thread ages and
 * flushes.
 *
 * Accounting, per worker: every received packet is forwarded (one output), flooded (every
 * other port of its VLAN) or dropped with a reason; every copy made for an output is sent,
 * or dropped with a reason (tx_full, copy_nombuf).
 *     rx == forwarded + flooded + the ingress drops
 *     outputs == sent + tx_full + copy_nombuf
 */
#ifndef SL_SWITCH_H
#define SL_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_fdb.h"
#include "sl_pktbuf.h"
#include "sl_port.h"
#include "sl_rcu.h"

#define SW_MAX_WORKERS 16
#define SW_MAX_BRIDGES 16
#define SW_MAX_RXQ (SL_PORT_MAX * 4) /* rx queues placed on one worker */
#define SW_BURST 32
#define SW_VID_NONE 0xffff

enum sw_mode { SW_ACCESS, SW_TRUNK };

/* A port's place in the switch; replaced whole (RCU), never written in place. */
struct sw_pconf {
	uint16_t bridge;      /* index in sw.bridges */
	uint8_t mode;	      /* enum sw_mode */
	uint16_t vid;	      /* access: its VLAN; trunk: the native VLAN (untagged frames), or
			    SW_VID_NONE: untagged frames are dropped */
	uint64_t allowed[64]; /* trunk: the VLANs it carries (bit per VID) */
};

static inline bool sw_carries(const struct sw_pconf *c, uint16_t vid)
{
	if (c->mode == SW_ACCESS)
		return vid == c->vid;
	return vid == c->vid || (c->allowed[vid >> 6] >> (vid & 63) & 1);
}

struct sw_bridge {
	char name[16]; /* "" when unused */
	struct sl_fdb *fdb;
};

/* Why a packet (ingress) or an output copy (egress) was dropped. */
enum sw_drop {
	SW_DROP_RUNT,	       /* shorter than an Ethernet header (or a VLAN tag) */
	SW_DROP_SRC_MULTICAST, /* the source MAC is a group address */
	SW_DROP_BAD_VID,       /* VID 4095 (reserved) */
	SW_DROP_VLAN,	       /* its VLAN is not on the input port */
	SW_DROP_UNTAGGED,      /* untagged on a trunk without a native VLAN */
	SW_DROP_SAME_PORT,     /* its destination was learned on the input port */
	SW_DROP_NO_OUTPUT,     /* flooded, but no other port carries its VLAN */
	SW_DROP_INGRESS_N,
	SW_DROP_TX_FULL = SW_DROP_INGRESS_N, /* (copy) the output queue was full */
	SW_DROP_COPY_NOMBUF,		     /* (copy) no buffer for a flood copy */
	SW_DROP_N,
};
extern const char *const sw_drop_names[SW_DROP_N];
extern const char *const sw_drop_help[SW_DROP_N];

/* One worker's counters: written by it alone (sl_counter_add), read by the control
 * thread. */
struct sw_wstats {
	uint64_t rx, forwarded, flooded, outputs, sent;
	uint64_t drops[SW_DROP_N];
	uint64_t learn_full; /* sources not learned: their FDB bucket was full */
	uint64_t moves;	     /* sources learned on another port than before */
} SL_CACHE_ALIGNED;

struct sw_rxq {
	uint16_t port, queue;
};

/* Packets a worker holds for one output port until the end of its rx burst. */
struct sw_txbuf {
	uint16_t n;
	struct sl_pktbuf *pkts[SW_BURST * 2];
};

struct sw_worker {
	uint32_t lcore;
	unsigned index; /* RCU reader id, tx queue on every port, worker of sw.pmd */
	/* A fixed list of queues for sw_worker_poll() (tests, fuzzers); sluice-switch itself
	 * polls the queues lib/pmd gives the worker (sw.pmd, sw_rxq_poll). */
	struct sw_rxq rxq[SW_MAX_RXQ];
	unsigned nb_rxq; /* (ctl before launch) */
	struct sw_wstats st;
	struct sw_txbuf tx[SL_PORT_MAX];
};

struct sl_pmd;

struct sw {
	struct sw_pconf *pconf[SL_PORT_MAX]; /* NULL: not a switch port */
	struct sw_bridge bridges[SW_MAX_BRIDGES];
	struct sl_rcu *rcu;
	struct sl_pool *pool;
	struct sw_worker workers[SW_MAX_WORKERS];
	unsigned nb_workers;	   /* the main lcore's included when it polls (the last one) */
	bool main_polls;	   /* the main lcore is a PMD thread too (alone, or --main-pmd) */
	struct sl_pmd *pmd;	   /* rx queue placement (lib/pmd; ctl calls on the main lcore) */
	uint32_t now;		   /* (ctl) seconds since start, the FDB's time stamps */
	uint32_t aging;		   /* (ctl) seconds an idle FDB entry lives */
	uint32_t fdb_size;	   /* entries per bridge */
	bool tx_kick[SL_PORT_MAX]; /* (ctl before launch) the port wants empty tx bursts */
	bool quit;
};
extern struct sw sw;

/* fwd.c */
/* One burst of rx queue (port, queue) on worker w (a struct sw_worker *): switched and
 * sent; returns the packets received.  lib/pmd's sl_pmd_poll_fn. */
uint16_t sw_rxq_poll(uint16_t port, uint16_t queue, void *w);
/* One round of w's fixed queue list (w->rxq), then sl_lcore_round(). */
void sw_worker_poll(struct sw_worker *w);
/* An empty tx burst on every port that asks for one (sl_port_info.tx_kick: a bond's
 * LACPDUs); the PMD threads call it every SW_KICK_ROUNDS rounds. */
void sw_tx_kick(struct sw_worker *w);
#define SW_KICK_ROUNDS 1024

/* control (cmds.c) */
struct sl_ctl;
int sw_cmds_register(struct sl_ctl *ctl);
int sw_bridge_get(const char *name, bool create, char *err, size_t err_size);
int sw_pconf_set(uint16_t port, const struct sw_pconf *c);
/* A switch port by number or name; -ENODEV. */
int sw_port_parse(const char *s);
/* The worker (PMD thread) on lcore; -ENOENT. */
int sw_worker_by_lcore(uint32_t lcore);
/* Tells the port layer which lcore polls each rx queue now (telemetry, sluice top). */
void sw_rxq_lcores_update(void);
void sw_stats_sum(struct sw_wstats *out);

#endif
