/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_memif internals shared by the port code (memif.c) and the control thread
 * (memif_ctl.c).
 *
 * Threads: the application's control thread calls the port ops; one background thread per
 * process (memif_ctl.c) runs every memif socket; data-path threads call rx/tx.  The two
 * control threads serialise on ctl_lock.  The data path never locks: it sees a queue only
 * through its gate (struct sl_port_gate: opened by the background thread once the ring is
 * mapped and checked; a disconnect closes it, which waits for the burst in progress,
 * before it unmaps anything).
 */
#ifndef SL_MEMIF_PRIV_H
#define SL_MEMIF_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memif_proto.h"
#include "sl_log.h"
#include "sl_port_driver.h"

SL_LOG_TYPE_DECLARE(net_memif);

#define MEMIF_MAX_REGIONS 16      /* regions a client may add (we announce max index 15) */
#define MEMIF_MAX_LOG2_RING 14    /* 16384 slots */
#define MEMIF_MAX_CHAIN 64        /* descriptors of one packet */
#define MEMIF_RECONNECT_MS 1000   /* client: delay between connection attempts */
#define MEMIF_SOCKET_DEFAULT "/run/memif.sock"

/* Why a queue asked the control thread to drop the peer (queue.fault). */
enum memif_fault {
	MEMIF_FAULT_NONE,
	MEMIF_FAULT_RING_INDEX, /* head/tail further apart than the ring size */
	MEMIF_FAULT_DESC,       /* descriptor outside its region, bad region, bad length */
	MEMIF_FAULT_CHAIN,      /* chain longer than MEMIF_MAX_CHAIN or cut by the ring head */
};

/* A region mapped for the data path. */
struct memif_region_map {
	uint8_t *addr;
	uint64_t size;
};

struct memif_if;
struct sl_pool;
struct sl_pktbuf;

/* Zero-copy client: a packet-buffer pool exposed as a memif region.  The pool lies in one
 * memfd (Sluice memory); the region is that memfd from offset 0. */
struct memif_zc_pool {
	struct sl_pool *pool;
	uint64_t delta;      /* descriptor offset = data address + delta (mod 2^64; the
				result fits 32 bits for every buffer of the pool) */
	uint32_t data_offset; /* sl_pktbuf_pool_data_offset(pool) */
	uint16_t region;     /* region index (1..) */
};

/*
 * One rx or tx queue.  Lines 0-1: the counters, written by the queue's data-path thread
 * with sl_counter_add() and read and reset by the port layer (sl_port_stats, xstats): the
 * port layer's block first (it writes st.stopped through the queue pointer while the port
 * is stopped), then memif's own reasons, listed in memif.c's xstats tables (names
 * "rx_qN_<field>" / "tx_qN_<field>").  A burst writes st.packets and st.bytes, and on tx
 * ring_full and zc_copied: those share line 0; the error reasons fill line 1.  Line 2: what
 * every burst reads (the hand-over, the ring, the indexes, the port id); line 3: the pool
 * and the zero-copy scalars with the first exposed pool.
 */
struct memif_queue {
	/* --- counters (dp) --- */
	struct sl_port_qstats st;  /* packets, bytes; rx: errors = bad_desc, nombuf = packets
				     dropped for want of a buffer; tx: errors = bad_desc +
				     too_big */
	uint64_t ring_full;	   /* tx: packets the ring had no room for (not taken) */
	uint64_t zc_copied;	   /* tx (zero-copy): packets copied (not a whole own buffer of an
				     exposed pool) */
	uint64_t link_down;	   /* tx: packets refused while not connected (not taken) */
	uint64_t too_big;	   /* tx: packets needing more than MEMIF_MAX_CHAIN slots
				     (dropped) */
	uint64_t bad_desc;	   /* descriptors that failed validation */
	uint64_t bad_ring;	   /* ring indexes the peer corrupted */
	uint64_t no_buf;	   /* tx (zero-copy): packets not taken for want of a buffer to
				     copy into */
	uint64_t zc_restock_short; /* rx (zero-copy): restocks that left ring slots empty
				      because the pool ran dry (the server then finds less room) */
	/* --- handover, shared with the background thread --- */
	struct sl_port_gate gate SL_CACHE_ALIGNED; /* open while the fields below are valid;
						      fault: enum memif_fault */
	/* --- set by the control thread before the gate opens --- */
	uint16_t nb_regions;
	uint16_t mask;           /* ring size - 1 */
	struct memif_ring *ring;
	const struct memif_region_map *regions;
	uint64_t buf_base;       /* client: offset of slot 0's buffer in region 0 */
	uint32_t bsize;		 /* client: buffer size */
	int irq_fd;              /* eventfd to signal when the peer has not masked it */
	uint16_t size;
	bool client; /* our role: the client owns the buffers */
	/* --- data path private indexes --- */
	uint16_t last;           /* consumer: next slot to read; producer: our published index */
	uint16_t refill;         /* client rx: head published for the server */
	uint16_t done;		 /* zero-copy tx: oldest slot whose buffer is not freed yet */
	/* --- fixed at setup --- */
	uint16_t port;
	uint16_t qid;
	bool rx;
	struct sl_pool *pool;    /* rx */
	struct memif_if *mif;
	/* --- zero-copy client (fixed at start; slot arrays private, never shared) --- */
	uint8_t zc_nb_pools;
	uint16_t zc_room;	     /* rx: data room of a buffer given to the ring */
	struct sl_pktbuf **slot_buf; /* buffer in each ring slot (size 2^rsize), or NULL */
	uint32_t *slot_off;	     /* rx: region offset given for each slot */
	struct memif_zc_pool zc_pools[MEMIF_MAX_REGIONS - 1]; /* rx: [0] its pool; tx: every
					   exposed pool, [0] the one copies go to */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct memif_queue, st);
_Static_assert(offsetof(struct memif_queue, zc_copied) + sizeof(uint64_t) <= SL_CACHE_LINE,
	       "the counters every tx burst writes share line 0 with st");
_Static_assert(offsetof(struct memif_queue, gate) == 2 * SL_CACHE_LINE &&
		       offsetof(struct memif_queue, port) + sizeof(uint16_t) <= 3 * SL_CACHE_LINE,
	       "what every burst reads is line 2");
_Static_assert(offsetof(struct memif_queue, zc_pools) + sizeof(struct memif_zc_pool) <=
		       4 * SL_CACHE_LINE,
	       "the pool and the zero-copy scalars are line 3");

enum memif_role { MEMIF_ROLE_SERVER, MEMIF_ROLE_CLIENT };

struct memif_sock;
struct memif_conn;

/* One memif interface (one port). */
struct memif_if {
	/* configuration (devargs), fixed after probe */
	char name[SL_PORT_NAME_SIZE];
	uint16_t port_id;
	enum memif_role role;
	uint32_t id;
	char secret[MEMIF_SECRET_SIZE + 1];
	char path[108];
	bool abstract;
	uint32_t bsize;
	uint8_t log2;
	bool zc;                        /* client: zero-copy=yes */
	/* zero-copy: called by the control thread once a queue is off the data path, to give
	 * its ring's buffers back to their pool (memif.c; NULL in copy mode) */
	void (*zc_release)(struct memif_queue *q);
	/* set by port ops under ctl_lock */
	uint16_t nb_rxq, nb_txq;
	struct memif_queue *rxq[SL_PORT_MAX_QUEUES];
	struct memif_queue *txq[SL_PORT_MAX_QUEUES];
	bool started;
	struct {                        /* zero-copy: the pools' memfds, regions 1..n */
		int fd;                 /* Sluice memory's fd (not ours: dup'ed when sent) */
		uint64_t size;
	} zc_regions[MEMIF_MAX_REGIONS - 1];
	uint16_t zc_nb_regions;
	/* run state, control thread (under ctl_lock) */
	struct memif_sock *sock;        /* server: the listener shared with other ifaces */
	struct memif_conn *conn;        /* the connection, or NULL */
	uint64_t next_attempt_ns;       /* client: when to try connecting again */
	bool waiting_logged;
	struct memif_region_map regions[MEMIF_MAX_REGIONS];
	int region_fds[MEMIF_MAX_REGIONS];
	uint16_t nb_regions;
	uint16_t nb_c2s, nb_s2c;        /* rings in use */
	uint8_t run_log2;
	struct {                        /* server: rings announced by ADD_RING */
		bool added;
		uint16_t region;
		uint32_t offset;
		uint8_t log2;
		int irq_fd;
	} c2s[SL_PORT_MAX_QUEUES], s2c[SL_PORT_MAX_QUEUES];
	char remote_name[MEMIF_NAME_SIZE + 1];
	uint32_t link_up;               /* (ctl) atomic */
	/* counters (control thread, atomic) */
	uint64_t connects, disconnects, ctl_rejected, peer_faults;
	struct memif_if *next;
};

/* Control side API (memif_ctl.c).  All return 0 or -errno after logging. */
int memif_ctl_attach(struct memif_if *mif);  /* probe: server binds its socket now */
void memif_ctl_detach(struct memif_if *mif); /* close */
int memif_ctl_start(struct memif_if *mif);
void memif_ctl_stop(struct memif_if *mif);
/* Runs fn(mif, arg) under the control lock (queue setup and release). */
void memif_ctl_locked(void (*fn)(struct memif_if *mif, void *arg), struct memif_if *mif,
		      void *arg);
/* Data path: a queue found the peer misbehaving; wakes the control thread once. */
void memif_ctl_fault(struct memif_queue *q, enum memif_fault why);

/* Bytes of region 0 a client builds for the current run parameters. */
uint64_t memif_region_size(unsigned nb_c2s, unsigned nb_s2c, unsigned log2, uint32_t bsize);

#endif
