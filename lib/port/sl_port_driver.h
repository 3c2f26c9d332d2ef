/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver side of ports (installed: applications may write their own drivers).
 *
 * A driver is a const struct sl_port_driver {name, keys, usage, probe}.  probe() sets the
 * port's ops table and burst functions (checked: a driver that leaves a required one unset
 * fails to create its port, with one line naming the driver and what is missing).
 *
 * Drivers of the tree are listed in a table the build generates (lib/port/meson.build,
 * from the list in drivers/meson.build): the driver in drivers/net/NAME/ defines
 * `const struct sl_port_driver sl_port_driver_NAME` named "net_NAME", and ports are
 * created as "net_NAME<instance>,key=value,...".  No constructors, so static linking keeps
 * them.  An application adds its own with sl_port_driver_register() before creating ports
 * (see examples/driver).
 *
 * Counters: every queue object starts with a struct sl_port_qstats that its burst
 * functions bump; the port layer sums them into stats, names them as xstats
 * (rx_q0_packets...) and resets them.  A driver lists the counters that are its own per
 * queue in a table of struct sl_port_qxstat, and adds stats or xstats ops only for what
 * it reads elsewhere (the kernel's counters).  Each driver logs under its own type
 * (SL_LOG_TYPE_DEFINE(net_NAME); `--log-level NAME:debug` or `net_NAME:debug`).
 */
#ifndef SL_PORT_DRIVER_H
#define SL_PORT_DRIVER_H

#include "sl_log.h"
#include "sl_memory.h"
#include "sl_port.h"

SL_LOG_TYPE_DECLARE(port);

#include <stddef.h>

/* Device arguments: "key=value" pairs after the name in a device string. */
#define SL_DEVARGS_MAX 16
struct sl_devargs {
	unsigned n;
	struct {
		char key[32];
		char value[256];
	} kv[SL_DEVARGS_MAX];
};

/* Value of key, or NULL. */
const char *sl_devargs_get(const struct sl_devargs *args, const char *key);

/* Reads an unsigned number in [min, max] (decimal or 0x hex); *out keeps its value (the
 * default) when the key is absent.  Returns 0 or -EINVAL after logging "<port>: key=value
 * is not a number in [min, max]". */
int sl_devargs_uint(const struct sl_devargs *args, const char *port, const char *key,
		    uint64_t min, uint64_t max, uint64_t *out);

/* Reads a boolean (0/1, yes/no, true/false, on/off).  Same conventions. */
int sl_devargs_bool(const struct sl_devargs *args, const char *port, const char *key,
		    bool *out);

enum sl_port_state { SL_PORT_UNUSED, SL_PORT_STOPPED, SL_PORT_STARTED };

struct sl_port;
struct sl_port_soft;

/* The counters every queue keeps, first in the driver's queue object.  Written only by the
 * queue's data-path thread, with sl_counter_add(); read by the control thread (relaxed
 * loads of aligned 64-bit words: never torn), reset by keeping a base to subtract. */
struct sl_port_qstats {
	uint64_t packets; /* rx: handed to the application; tx: sent (taken and queued; a
			      packet taken and dropped counts in errors instead) */
	uint64_t bytes;
	uint64_t errors;  /* rx: frames dropped as bad (ierrors); tx: taken, then dropped as
			      unsendable (oerrors); the reason is the driver's own counter */
	uint64_t nombuf;  /* rx: the pool could not give buffers (rx_nombuf: packets lost, or
			      refills cut short, as the driver documents) */
	uint64_t stopped; /* tx: packets offered while the port was stopped (the port
			      layer's, tx_stopped) */
};

/* One of a driver's own counters: a uint64_t at `offset` in its queue object, bumped with
 * sl_counter_add() by the queue's thread (rxq_xstats, txq_xstats), or in port->priv,
 * bumped with a relaxed atomic add by the driver's control thread (port_xstats). */
struct sl_port_qxstat {
	const char *name;
	uint32_t offset;
};
/* {"ring_full", offsetof(struct q, ring_full)} from SL_PORT_QXSTAT(struct q, ring_full). */
#define SL_PORT_QXSTAT(type, field)                                                                \
	{                                                                                          \
#field, (uint32_t)offsetof(type, field)                                            \
	}
#define SL_PORT_QXSTAT_NAMED(name, type, field)                                                    \
	{                                                                                          \
		name, (uint32_t)offsetof(type, field)                                              \
	}
/* Most own counters per queue and direction. */
#define SL_PORT_QXSTATS_MAX 12

/* Pins that a queue type starts with its counters: SL_PORT_QUEUE_CHECK(struct q, st). */
#define SL_PORT_QUEUE_CHECK(type, member)                                                          \
	_Static_assert(offsetof(type, member) == 0, #type " must start with its sl_port_qstats")

/* The hand-over between a queue's bursts and the control thread that maps and unmaps what
 * they read (a peer's rings and memory).  The control thread opens the gate once the view
 * is set and closes it before the view goes; a burst passes only while the gate is open and
 * no fault is raised, and closing waits for a burst inside to leave.  Both sides are
 * seq_cst (the burst's busy = 1 before its open check, the closer's open = 0 before its
 * busy check): one of the two always sees the other.  A burst that finds the peer's data
 * bad raises a fault, the driver's reason (nonzero, the first one stays), and wakes the
 * control thread, which drops the peer; closing and opening clear it. */
struct sl_port_gate {
	uint32_t open;	/* (ctl) 1 while the view is valid */
	uint32_t busy;	/* (dp) 1 inside a burst */
	uint32_t fault; /* (dp) why the peer is to be dropped; 0: no fault */
};

static inline bool sl_gate_enter(struct sl_port_gate *g)
{
	__atomic_store_n(&g->busy, 1, __ATOMIC_SEQ_CST);
	if (sl_likely(__atomic_load_n(&g->open, __ATOMIC_SEQ_CST) &&
		      !__atomic_load_n(&g->fault, __ATOMIC_RELAXED)))
		return true;
	__atomic_store_n(&g->busy, 0, __ATOMIC_RELEASE);
	return false;
}

static inline void sl_gate_leave(struct sl_port_gate *g)
{
	__atomic_store_n(&g->busy, 0, __ATOMIC_RELEASE);
}

static inline void sl_gate_open(struct sl_port_gate *g)
{
	__atomic_store_n(&g->fault, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&g->open, 1, __ATOMIC_SEQ_CST);
}

static inline void sl_gate_close(struct sl_port_gate *g)
{
	__atomic_store_n(&g->open, 0, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&g->busy, __ATOMIC_SEQ_CST))
		sl_pause();
	__atomic_store_n(&g->fault, 0, __ATOMIC_RELAXED);
}

/* Raises fault `why` (nonzero); false when one was raised already. */
static inline bool sl_gate_fault(struct sl_port_gate *g, uint32_t why)
{
	uint32_t none = 0;

	return __atomic_compare_exchange_n(&g->fault, &none, why, false, __ATOMIC_RELEASE,
					   __ATOMIC_RELAXED);
}

static inline uint32_t sl_gate_fault_of(const struct sl_port_gate *g)
{
	return __atomic_load_n(&g->fault, __ATOMIC_ACQUIRE);
}

struct sl_port_ops {
	/* Fills what the generic layer does not know (queues, MTU range, offloads). */
	void (*info)(struct sl_port *port, struct sl_port_info *info);
	/* Checks port->conf; 0 or -errno. */
	int (*configure)(struct sl_port *port);
	/* Creates queue q and stores it in port->rxq[q] / port->txq[q] (the port layer puts it
	 * in the fast-path table).  The object starts with a struct sl_port_qstats. */
	int (*rxq_setup)(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			 struct sl_pool *pool);
	int (*txq_setup)(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node);
	void (*rxq_release)(struct sl_port *port, uint16_t q);
	void (*txq_release)(struct sl_port *port, uint16_t q);
	int (*start)(struct sl_port *port);
	void (*stop)(struct sl_port *port);
	/* Releases driver state (queues are released before). */
	void (*close)(struct sl_port *port);
	/* Optional: adds what the queues' counters do not hold (the kernel's drops) into
	 * stats, which the port layer has filled from the queues' counters. */
	void (*stats)(struct sl_port *port, struct sl_port_stats *stats);
	/* Optional: resets what the stats and xstats ops read (queue counters are the port
	 * layer's). */
	void (*stats_reset)(struct sl_port *port);
	/* Optional: fills up to n named counters that are neither in the queues' counters nor
	 * in the tables below (port-wide ones, the kernel's); returns how many there are. */
	int (*xstats)(struct sl_port *port, struct sl_port_xstat *xstats, unsigned n);
	/* The driver's own per-queue counters (NULL-terminated; NULL for none), named
	 * "rx_q<N>_<name>" / "tx_q<N>_<name>", read, summed and reset by the port layer. */
	const struct sl_port_qxstat *rxq_xstats;
	const struct sl_port_qxstat *txq_xstats;
	/* The driver's own port-wide counters in port->priv (NULL-terminated; NULL for none),
	 * named as they are, after the per-queue ones; read and reset by the port layer. */
	const struct sl_port_qxstat *port_xstats;
	int (*link)(struct sl_port *port, struct sl_port_link *link);
	int (*promisc)(struct sl_port *port, bool on);
	int (*allmulti)(struct sl_port *port, bool on);
	int (*mtu_set)(struct sl_port *port, uint16_t mtu);
	int (*rss_key_set)(struct sl_port *port, const uint8_t *key, unsigned len);
	int (*reta_set)(struct sl_port *port, const uint16_t *reta, unsigned n);
	int (*reta_get)(struct sl_port *port, uint16_t *reta, unsigned n);
};

struct sl_port_driver {
	const char *name;         /* "net_null": device strings are name + instance number */
	const char *const *keys;  /* accepted argument keys, NULL-terminated */
	const char *usage;        /* one line per key, for --help and error messages */
	/* Creates the device: sets port->ops, port->rx/tx burst functions, port->priv, MAC.
	 * Returns 0 or -errno after logging why (missing interface, bad argument...). */
	int (*probe)(struct sl_port *port, const struct sl_devargs *args);
};

/* Control-side state of a port (the data path sees only sl_port_fps[id]). */
struct sl_port {
	uint16_t id;
	enum sl_port_state state;
	char name[SL_PORT_NAME_SIZE];
	const struct sl_port_driver *drv;
	const struct sl_port_ops *ops;
	sl_port_burst_fn rx, tx;  /* installed in sl_port_fps while started */
	void *priv;               /* the driver's */
	struct sl_port_conf conf; /* the driver's share: its rx queues, RSS if its own */
	uint16_t nb_rxq;	  /* rx queues the application sees (more with RSS in
					   software than conf.nb_rxq) */
	bool configured;
	bool rxq_ready[SL_PORT_MAX_QUEUES];
	bool txq_ready[SL_PORT_MAX_QUEUES];
	void *rxq[SL_PORT_MAX_QUEUES];  /* the driver's queues, kept while stopped */
	void *txq[SL_PORT_MAX_QUEUES];
	uint8_t mac[6];
	uint16_t mtu;
	bool promisc, allmulti;
	struct sl_port_callback *retired;	 /* removed callbacks, freed at close */
	uint32_t rxq_lcore1[SL_PORT_MAX_QUEUES]; /* lcore polling rx queue q, plus 1; 0 = not
						    said (sl_port_rxq_lcore_set) */
	/* Counter values at the last reset, subtracted from what the queues count. */
	struct sl_port_qstats rx_base[SL_PORT_MAX_QUEUES], tx_base[SL_PORT_MAX_QUEUES];
	struct sl_port_qstats idle_base[SL_PORT_MAX_QUEUES];
	struct sl_port_soft *soft; /* the port layer's software stage, or NULL */
	uint64_t rx_xbase[SL_PORT_MAX_QUEUES][SL_PORT_QXSTATS_MAX];
	uint64_t tx_xbase[SL_PORT_MAX_QUEUES][SL_PORT_QXSTATS_MAX];
	uint64_t port_xbase[SL_PORT_QXSTATS_MAX];
	uint16_t owner1;      /* the composite port this one is a member of, plus 1; 0: none */
	uint16_t created_by1; /* the composite port that created it, plus 1: closed after it */
};

/* Composite drivers (bonding, failsafe) build on member ports.  A member is owned: the
 * application's SL_PORT_FOREACH skips it and sl_port_close() refuses it, so only its
 * owner drives it.  sl_port_owner_set(member, owner) claims it (-EBUSY when it is owned
 * already, or the owner is a member), owner -1 frees it; the owner frees its members in
 * close.  A member the owner created from a device string has created_by1 set: the port
 * layer closes it after its owner (the owner's close op only lets it go).  The port lock
 * is recursive: the owner's ops call sl_port_* on its members.
 *
 * A composite port changes which members its bursts use while they run: it publishes the
 * new set (an index flip), then waits with sl_epoch_wait() on each queue until a burst
 * that may have read the old set has left.  The burst brackets itself with
 * sl_epoch_enter/leave: a counter that is odd inside (one writer, the queue's thread). */
struct sl_port_epoch {
	uint32_t seq;
};

static inline void sl_epoch_enter(struct sl_port_epoch *e)
{
	__atomic_store_n(&e->seq, __atomic_load_n(&e->seq, __ATOMIC_RELAXED) + 1, __ATOMIC_SEQ_CST);
}

static inline void sl_epoch_leave(struct sl_port_epoch *e)
{
	__atomic_store_n(&e->seq, __atomic_load_n(&e->seq, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}

/* Control side, after publishing (seq_cst): returns once no burst that started before is
 * still inside. */
static inline void sl_epoch_wait(const struct sl_port_epoch *e)
{
	uint32_t s = __atomic_load_n(&e->seq, __ATOMIC_SEQ_CST);

	if (s & 1)
		while (__atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) == s)
			sl_pause();
}

int sl_port_owner_set(uint16_t member, int owner);
/* The control state of port id, NULL when there is none (not logged): for a composite
 * driver to tell its own ports (port->drv) and name its members.  Control path. */
struct sl_port *sl_port_get(uint16_t id);

/* The port layer's control lock (recursive), for a composite driver's own control thread
 * (its link monitor) around what it does to its members.  The thread must not block on it:
 * a close holding it joins that thread.  trylock returns 0 or -EBUSY. */
int sl_port_ctl_trylock(void);
void sl_port_ctl_lock_take(void);
void sl_port_ctl_unlock(void);

struct sl_ring;
/* Frees every packet buffer a ring of them still holds (a ring being freed: what was sent
 * into it and never received).  Control path; the ring's consumer side must be idle. */
void sl_port_ring_free_pkts(struct sl_ring *r);

/* Sum of the packets' pkt_len. */
static inline uint64_t sl_port_bytes(struct sl_pktbuf *const *pkts, uint16_t n)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	return bytes;
}

/* Drivers over a kernel interface (af_packet, af_xdp).  ctl_fd is any AF_INET datagram
 * socket.  sl_ifnet_ioctl() fills ifr's name and returns 0 or -errno; sl_ifnet_link() reads
 * flags, carrier (ethtool) and speed, logging and returning -errno when the interface is
 * gone. */
struct ifreq;
int sl_ifnet_ioctl(int ctl_fd, const char *iface, unsigned long req, struct ifreq *ifr);
int sl_ifnet_link(struct sl_port *port, int ctl_fd, const char *iface,
		  struct sl_port_link *link);
/* Sets port->mac and port->mtu from the interface; 0, or -errno logged. */
int sl_ifnet_mac_mtu(struct sl_port *port, int ctl_fd, const char *iface);

/* Adds one extended statistic for an xstats op: stores it when xs is not NULL and *count
 * is below n, and counts it either way (so a call with xs NULL sizes the list).  The name
 * is printf-formatted, e.g. ("rx_q%u_nombuf", q). */
void sl_port_xstat_add(struct sl_port_xstat *xs, unsigned n, unsigned *count, uint64_t value,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The generated table of drivers built in, NULL-terminated. */
extern const struct sl_port_driver *const sl_port_drivers[];

/* Adds an application's driver (the struct must outlive its ports).  Returns 0, -EEXIST
 * for a name taken (built in or registered), -EINVAL for a name that is not "net_" plus
 * letters, digits and '_' or a driver without probe, -ENOSPC past SL_PORT_MAX_DRIVERS;
 * each logged.  Call from the control thread before creating its ports. */
#define SL_PORT_MAX_DRIVERS 16
int sl_port_driver_register(const struct sl_port_driver *drv);

#endif
