/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: packet I/O through poll-mode drivers.
 *
 * A port is created from a device string in DPDK's vdev syntax, "net_null0,size=64" or
 * "net_af_packet0,iface=veth0": the driver name, an instance number, then key=value
 * arguments.  Then: configure the queue counts, set up each queue, start, and move packets
 * with sl_port_rx_burst() / sl_port_tx_burst().
 *
 * Fast path: rx and tx are inline calls through sl_port_fps[port].rxq[queue] (or .txq), a
 * 32-byte entry per queue holding the driver's burst function, its queue and the queue's
 * callbacks: one cache line read per burst.  No locks:
 * each queue is used by one thread at a time.  tx returns how many packets the driver took;
 * the rest still belong to the caller, who frees or retries them (and counts the drop).
 *
 * Control calls (everything but rx/tx burst) are for one control thread and return 0 or
 * -errno: -ENODEV for a port id that is not in use, -EINVAL for bad arguments, -EBUSY when
 * the port must be stopped first, -ENOTSUP when the driver cannot do it.  Each failure logs
 * one line naming the port and what was wrong.
 */
#ifndef SL_PORT_H
#define SL_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sl_common.h"
#include "sl_pktbuf.h"

#define SL_PORT_MAX 32
#define SL_PORT_MAX_QUEUES 16
#define SL_PORT_NAME_SIZE SL_NAME_SIZE
#define SL_PORT_XSTAT_NAME_SIZE 64
/* Default descriptor count of a queue. */
#define SL_PORT_DEFAULT_DESC 1024

typedef uint16_t (*sl_port_burst_fn)(void *queue, struct sl_pktbuf **pkts, uint16_t n);

/* A function run on every rx or tx burst of a queue (capture, BPF, counting).  For rx it
 * sees the received packets and returns how many remain (it may drop some by freeing them
 * and compacting the array); for tx it sees the packets before the driver and returns how
 * many to send. */
typedef uint16_t (*sl_port_callback_fn)(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts,
					uint16_t n, void *arg);

struct sl_port_callback {
	sl_port_callback_fn fn;
	void *arg;
	struct sl_port_callback *next; /* the next callback of the queue, NULL for the last */
	struct sl_port_callback *retired_next; /* (control) list of removed callbacks */
};

/* What a burst on one queue reads: the burst function, the driver's queue and the queue's
 * callbacks, 32 bytes so that one cache line holds it whatever the queue.  Written by the
 * control thread (burst and queue while the port is stopped, callbacks at any time with
 * release stores), read by the queue's data-path thread. */
struct sl_port_fpq {
	sl_port_burst_fn burst;	     /* (control) atomic: the driver's, or the stopped one */
	void *queue;		     /* (control) the driver's queue (it starts with its
					  struct sl_port_qstats), or the port layer's idle one */
	struct sl_port_callback *cb; /* (control) atomic: first callback, NULL for none */
	uintptr_t reserved;
} __attribute__((aligned(32)));

/* Fast-path table of one port: an entry per rx and per tx queue. */
struct sl_port_fp {
	struct sl_port_fpq rxq[SL_PORT_MAX_QUEUES];
	struct sl_port_fpq txq[SL_PORT_MAX_QUEUES];
} SL_CACHE_ALIGNED;

_Static_assert(sizeof(struct sl_port_fpq) == 32 && SL_CACHE_LINE % 32 == 0,
	       "a queue's fast-path entry must sit on one cache line");
_Static_assert(offsetof(struct sl_port_fp, txq) % SL_CACHE_LINE == 0,
	       "tx entries start on their own line");

extern struct sl_port_fp sl_port_fps[SL_PORT_MAX];

uint16_t sl_port__run_callbacks(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts, uint16_t n,
				struct sl_port_callback *cb);
void sl_port__bad_queue(uint16_t port, uint16_t queue, const char *what);

#ifdef SL_DEBUG
/* -Ddebug_checks=true: burst calls check their ids (one log line, then nothing moves). */
#define SL_PORT__CHECK(port, queue, what)                                                          \
	do {                                                                                       \
		if ((port) >= SL_PORT_MAX || (queue) >= SL_PORT_MAX_QUEUES) {                      \
			sl_port__bad_queue(port, queue, what);                                     \
			return 0;                                                                  \
		}                                                                                  \
	} while (0)
#else
#define SL_PORT__CHECK(port, queue, what) ((void)0)
#endif

/*
 * Receives up to n packets from a queue into pkts.  Returns the number received (0 when
 * none are waiting, or when the port is stopped).  Only one thread may poll a queue.
 */
static inline uint16_t sl_port_rx_burst(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts,
					uint16_t n)
{
	SL_PORT__CHECK(port, queue, "rx_burst");
	struct sl_port_fpq *e = &sl_port_fps[port].rxq[queue];
	sl_port_burst_fn fn = __atomic_load_n(&e->burst, __ATOMIC_ACQUIRE);
	uint16_t nb = fn(__atomic_load_n(&e->queue, __ATOMIC_RELAXED), pkts, n);
	struct sl_port_callback *cb = __atomic_load_n(&e->cb, __ATOMIC_ACQUIRE);

	if (sl_unlikely(cb != NULL) && nb)
		nb = sl_port__run_callbacks(port, queue, pkts, nb, cb);
	return nb;
}

/*
 * Sends up to n packets on a queue.  Returns how many the driver took (it frees them once
 * sent); pkts[ret..n-1] are still the caller's.  On a stopped port nothing is taken and the
 * attempt is counted.  Only one thread may use a queue.
 */
static inline uint16_t sl_port_tx_burst(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts,
					uint16_t n)
{
	SL_PORT__CHECK(port, queue, "tx_burst");
	struct sl_port_fpq *e = &sl_port_fps[port].txq[queue];
	struct sl_port_callback *cb = __atomic_load_n(&e->cb, __ATOMIC_ACQUIRE);

	sl_port_burst_fn fn;

	if (sl_unlikely(cb != NULL) && n)
		n = sl_port__run_callbacks(port, queue, pkts, n, cb);
	fn = __atomic_load_n(&e->burst, __ATOMIC_ACQUIRE);
	return fn(__atomic_load_n(&e->queue, __ATOMIC_RELAXED), pkts, n);
}

/* --- creation and life cycle --- */

/*
 * Creates a port from a device string such as "net_null0,size=64".  Returns the port id,
 * or -EINVAL (malformed string or argument; the log names it and the valid keys), -ENOENT
 * (no such driver; the log lists the drivers built in), -EEXIST (name in use), -ENOSPC
 * (SL_PORT_MAX ports exist) or the driver's error (-ENODEV for a missing interface...).
 */
int sl_port_create(const char *devstr);

/* Creates the ports given with --vdev to sl_init(), in order.  Returns how many, or the
 * first error (ports created before it stay). */
int sl_port_create_vdevs(void);

/* Port id of a name ("net_null0"), -ENOENT when no port has it (not logged: it is how a
 * name is checked), -EINVAL (logged) for a NULL or empty name. */
int sl_port_lookup(const char *name);

/* The port that owns this one as a member (a bonding or failsafe port), -1 for none,
 * -ENODEV for no such port. */
int sl_port_owner(uint16_t port);

/* Next port id in use after prev (pass -1 to start), or -1 after the last.  Members of
 * bonding and failsafe ports are skipped: their owner drives them. */
int sl_port_next(int prev);
#define SL_PORT_FOREACH(p) for ((p) = sl_port_next(-1); (p) >= 0; (p) = sl_port_next(p))
unsigned sl_port_count(void);

struct sl_port_conf {
	uint16_t nb_rxq;      /* receive queues (>= 1 unless the port only sends) */
	uint16_t nb_txq;      /* transmit queues */
	uint64_t rss_types;   /* SL_PORT_RSS_* hash types to spread rx over queues; 0 = off */
	uint16_t mtu;         /* 0 = the driver's default */
	uint64_t rx_offloads; /* SL_PORT_RX_CKSUM: set the rx checksum flags */
	uint64_t tx_offloads; /* SL_PKT_TX_* the application will ask of packets */
};

/* RSS: a port whose driver has no RSS of its own gets it in software (lib/port/soft.c):
 * Toeplitz over the configured tuple with the port's key (sl_rss_key_default unless set),
 * a redirection table of SL_PORT_RETA_SIZE entries, up to SL_PORT_MAX_QUEUES rx queues
 * whatever the driver has, each packet's hash in rss_hash (SL_PKT_RX_RSS_HASH).  Drivers
 * whose kernel spreads flows (af_packet's fanout) report their own rss_types instead.
 * Offloads: whatever a driver does not do (info.rx_offloads / tx_offloads) among
 * SL_PORT_RX_CKSUM and SL_PKT_TX_{IP,TCP,UDP}_CKSUM, SL_PKT_TX_VLAN, the port layer does
 * on the packets that ask for it (tx: ol_flags, l2_len, l3_len, SL_PKT_TX_IPV4/6).  A port
 * configured with none of these runs the driver's burst functions directly. */
#define SL_PORT_RETA_SIZE 128
#define SL_PORT_RX_CKSUM (SL_PKT_RX_IP_CKSUM_GOOD | SL_PKT_RX_L4_CKSUM_GOOD)

#define SL_PORT_RSS_IPV4     (1ull << 0)
#define SL_PORT_RSS_IPV4_TCP (1ull << 1)
#define SL_PORT_RSS_IPV4_UDP (1ull << 2)
#define SL_PORT_RSS_IPV6     (1ull << 3)
#define SL_PORT_RSS_IPV6_TCP (1ull << 4)
#define SL_PORT_RSS_IPV6_UDP (1ull << 5)

/* Sets queue counts and options; the port must be stopped. */
int sl_port_configure(uint16_t port, const struct sl_port_conf *conf);

/* Sets up rx queue q: nb_desc descriptors (0 = default), buffers from pool, memory on node. */
int sl_port_rxq_setup(uint16_t port, uint16_t q, uint16_t nb_desc, int node,
		      struct sl_pool *pool);
int sl_port_txq_setup(uint16_t port, uint16_t q, uint16_t nb_desc, int node);

/* Starts the port: every configured queue must be set up.  Then rx/tx work. */
int sl_port_start(uint16_t port);
/* Stops it: rx returns 0 and tx takes nothing afterwards.  Queues keep their setup. */
int sl_port_stop(uint16_t port);
/* Stops if needed and releases the port and its queues; the id becomes free. */
int sl_port_close(uint16_t port);
/* Closes every port. */
void sl_port_close_all(void);

/* --- information --- */

struct sl_port_info {
	char name[SL_PORT_NAME_SIZE];
	const char *driver;     /* "net_null" */
	uint16_t max_rxq, max_txq;
	uint16_t min_mtu, max_mtu;
	uint32_t max_rx_pktlen;
	uint64_t rx_offloads;   /* SL_PKT_RX_* the driver can set */
	uint64_t tx_offloads;   /* SL_PKT_TX_* the driver honours */
	uint64_t rss_types;     /* SL_PORT_RSS_* it can hash on; 0 = no RSS */
	uint16_t reta_size;     /* redirection table entries; 0 = no RSS */
	int node;               /* NUMA node of the device, or -1 */
	const char *if_name;    /* kernel interface, when there is one */
	uint16_t nb_rxq, nb_txq; /* queues configured (what the application sees; 0 before
				    sl_port_configure()), filled by the port layer */
	bool tx_kick;		 /* the driver sends frames of its own (LACP) from inside tx
				   bursts: call sl_port_tx_burst() at least every 100 ms, an
				   empty one (NULL, 0) when there is nothing to send */
};

int sl_port_info(uint16_t port, struct sl_port_info *info);

/* The port's MAC address (6 bytes). */
int sl_port_mac(uint16_t port, uint8_t mac[6]);

struct sl_port_link {
	bool up;
	bool full_duplex;
	uint32_t speed_mbps;    /* 0 when unknown */
};

int sl_port_link(uint16_t port, struct sl_port_link *link);
int sl_port_promisc(uint16_t port, bool on);
int sl_port_allmulti(uint16_t port, bool on);
int sl_port_mtu_set(uint16_t port, uint16_t mtu);
int sl_port_mtu(uint16_t port, uint16_t *mtu);

/* RSS: hash key and redirection table (entry i = the rx queue of hash % reta_size). */
int sl_port_rss_key_set(uint16_t port, const uint8_t *key, unsigned len);
int sl_port_reta_set(uint16_t port, const uint16_t *reta, unsigned n);
int sl_port_reta_get(uint16_t port, uint16_t *reta, unsigned n);

/* Placement: the application says which lcore polls an rx queue (SL_LCORE_ANY: none
 * said), for telemetry, `sluice top` and Prometheus.  Any thread. */
int sl_port_rxq_lcore_set(uint16_t port, uint16_t q, uint32_t lcore);
uint32_t sl_port_rxq_lcore(uint16_t port, uint16_t q);

/* --- statistics --- */

struct sl_port_stats {
	uint64_t ipackets, ibytes;   /* received and handed to the application */
	uint64_t opackets, obytes;   /* sent */
	uint64_t imissed;            /* dropped by the device or kernel before rx (ring full) */
	uint64_t ierrors;            /* received with errors (bad length, bad frame) */
	uint64_t oerrors;            /* the driver failed to send (and freed them) */
	uint64_t rx_nombuf;          /* rx could not get a buffer from the pool */
	uint64_t tx_stopped;         /* tx attempts while the port was stopped */
	uint64_t q_ipackets[SL_PORT_MAX_QUEUES], q_ibytes[SL_PORT_MAX_QUEUES];
	uint64_t q_opackets[SL_PORT_MAX_QUEUES], q_obytes[SL_PORT_MAX_QUEUES];
	uint64_t q_errors[SL_PORT_MAX_QUEUES]; /* rx queue q's ierrors */
};

int sl_port_stats(uint16_t port, struct sl_port_stats *stats);
int sl_port_stats_reset(uint16_t port);

struct sl_port_xstat {
	char name[SL_PORT_XSTAT_NAME_SIZE];
	uint64_t value;
};

/* Fills up to n named statistics (the basic ones, then the driver's).  Returns how many
 * the port has (call with n = 0 to size the array), or -errno. */
int sl_port_xstats(uint16_t port, struct sl_port_xstat *xstats, unsigned n);

/* --- callbacks --- */

/* Adds a callback to an rx (tx) queue; callbacks run in the order added.  Returns a handle
 * for removal, or NULL with errno ENODEV (no such port), EINVAL (bad queue, NULL fn) or
 * ENOMEM, each logged.  Safe while the port runs, and from any thread (add and remove take
 * the port layer's control lock). */
struct sl_port_callback *sl_port_rx_callback_add(uint16_t port, uint16_t q,
						 sl_port_callback_fn fn, void *arg);
struct sl_port_callback *sl_port_tx_callback_add(uint16_t port, uint16_t q,
						 sl_port_callback_fn fn, void *arg);
/* Removes a callback.  The data path may still be running it for an instant: free `arg`
 * only once the queue's thread has passed a burst (or the port is stopped). */
int sl_port_callback_remove(uint16_t port, uint16_t q, struct sl_port_callback *cb);

/* Prints the drivers built in and their arguments. */
void sl_port_drivers_dump(FILE *out);
void sl_port_dump(FILE *out, uint16_t port);

#endif
