/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp internals, shared by its files:
 *   net_af_xdp.c  data path (rx/tx bursts), ops table, info, statistics, probe
 *   args.c        device arguments
 *   queue.c       queue objects, sockets (create, delete), start and stop
 *   umem.c        UMEMs (the pool's or the driver's), the map of buffers the kernel holds,
 *                 the fill ring
 *   prog.c        the XDP program: attached through a BPF link the process owns, or by
 *                 libxdp when the kernel or the user says so
 *
 * Port queue q is one AF_XDP socket bound to interface queue start_queue + q, with its own
 * UMEM.  start() attaches the redirect program (libxdp's default one: it redirects each
 * received frame to the socket of its queue through its xsks_map) and creates the
 * sockets; stop() deletes them and detaches the program, so that a stopped or closed port
 * leaves nothing attached.  The program is held by a BPF link whose only fd is the
 * port's: when the process dies, however it dies, the kernel closes the fd and removes the
 * program.
 *
 * Two kinds of UMEM (umem=pool|driver, default pool when the rx pool fits):
 *   pool    the UMEM is the rx queue's packet-buffer pool itself, registered in the
 *           kernel's unaligned-chunk mode: the fill ring holds empty packet buffers, the
 *           kernel writes each frame into one, and rx hands that buffer out as it is.  Tx
 *           puts a buffer of that pool straight into the tx ring and frees it when the
 *           kernel completes it; a packet from elsewhere is copied into one first.
 *   driver  a UMEM of the driver's own (rxd + txd frames of frame_size bytes): rx copies
 *           each frame into a packet buffer, tx copies packets into free frames.
 * Pool mode: a buffer's chunk starts at its data area (buf_addr) and is buf_len bytes
 * long; the kernel writes the frame after its 256-byte XDP headroom, so received packets
 * have data_off 256.  Every buffer the kernel holds (fill ring, in flight, rx ring, tx
 * ring, completion ring) is marked in a per-queue bitmap, so that stop() can give them all
 * back to the pool once the socket is gone.
 *
 * Shared rings (netmap-style: (u) written by us, (k) by the kernel):
 *   fill:  (u) produces empty rx frames, (k) consumes them
 *   rx:    (k) produces filled frames, (u) consumes them
 *   tx:    (u) produces frames to send, (k) consumes them
 *   comp:  (k) produces sent frames, (u) consumes them
 *   need_wakeup flag of fill/tx: (k) sets it when it wants a system call to go on.
 */
#ifndef AF_XDP_PRIV_H
#define AF_XDP_PRIV_H

#include <net/if.h>
#include <linux/if_xdp.h>

#include <xdp/xsk.h>

#include "sl_port_driver.h"

SL_LOG_TYPE_DECLARE(net_af_xdp);

#define ETH_HLEN_ 14
#define VLAN_HLEN_ 4
/* The kernel keeps this much in front of every rx frame (XDP_PACKET_HEADROOM). */
#define XDP_HEADROOM_ 256
#define DEFAULT_FRAME_SIZE 2048
#define XDP_UMEM_MIN_CHUNK_SIZE_ 2048
#define MIN_DESC 64
#define MAX_DESC 16384
#define BPFFS_PATH "/sys/fs/bpf"
/* Pool UMEM: the fill ring is topped up once it lacks this many buffers. */
#define FILL_BATCH 32

enum xdp_mode { MODE_AUTO, MODE_NATIVE, MODE_SKB };
enum umem_kind { UMEM_AUTO, UMEM_POOL, UMEM_DRIVER };
/* How start() attaches the program: asked with xdp_attach=, chosen at start. */
enum attach_kind { ATTACH_LINK, ATTACH_LIBXDP };

/*
 * Buffers of a pool the kernel holds, one bit per pool object.  Objects sit at a fixed
 * stride, so an object's index is (offset >> shift) * inv, where stride = odd << shift
 * and inv is odd's inverse modulo 2^64: exact for offsets that are multiples of the
 * stride, and no division on the data path.
 */
struct own_map {
	uint64_t *bits;
	uintptr_t first; /* the pool's first object */
	uint64_t inv;
	uint32_t shift;
	uint32_t stride;
	uint32_t count; /* objects in the pool */
};

struct xdp_qp;

struct xdp_rxq {
	/* --- data path --- */
	struct sl_port_qstats st;  /* (data path) first: the port layer's counters; nombuf
				      counts bursts or refills cut short by an empty pool */
	uint64_t kick_errors;	   /* (data path) recvfrom() wake-ups that failed */
	struct xsk_ring_cons rx;   /* (k) filled frames */
	struct xsk_ring_prod fill; /* (u) empty frames for the kernel */
	uint8_t *umem;		   /* UMEM area */
	struct sl_pool *pool;
	uint32_t buf_off;   /* pool UMEM: bytes from a buffer's header to its data */
	uint32_t fill_need; /* pool UMEM: buffers the fill ring lacks */
	int fd;
	uint16_t port;
	bool busy_poll;	    /* kick on every empty poll so that the kernel busy-polls */
	struct own_map own; /* pool UMEM: buffers in the fill ring, kernel or rx ring */
	/* --- control --- */
	uint32_t nb_desc;
	struct xdp_qp *qp; /* NULL while the port is stopped */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct xdp_rxq, st);

struct xdp_txq {
	/* --- data path --- */
	struct sl_port_qstats st; /* (data path) first: the port layer's counters; errors
				      counts runt and oversize drops */
	uint64_t ring_full;	  /* (data path) packets left to the caller: no free frame */
	uint64_t no_buffer; /* (data path) packets left to the caller: no buffer to copy into */
	uint64_t copied;    /* (data path) pool UMEM: packets copied (not of the pool) */
	uint64_t oversize_drops;   /* (data path) dropped: longer than a frame or the MTU */
	uint64_t runt_drops;	   /* (data path) dropped: shorter than an Ethernet header */
	uint64_t kick_errors;	   /* (data path) sendto() wake-ups that failed */
	struct xsk_ring_prod tx;   /* (u) frames to send */
	struct xsk_ring_cons comp; /* (k) frames sent */
	uint8_t *umem;
	struct sl_pool *pool; /* pool UMEM: the pool the UMEM is */
	uint32_t buf_off;     /* pool UMEM: bytes from a buffer's header to its data */
	uint64_t *free_addr;  /* driver UMEM: stack of free tx frames (UMEM offsets) */
	uint32_t nb_free;     /* driver UMEM: entries in free_addr */
	uint32_t max_len;     /* largest frame a UMEM frame carries */
	uint32_t mtu_len;     /* largest untagged frame the interface takes */
	int fd;
	struct own_map own; /* pool UMEM: buffers in the tx ring, kernel or comp ring */
	/* --- control --- */
	uint32_t nb_desc;
	struct xdp_qp *qp;
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct xdp_txq, st);

/* One socket and its UMEM: port queue q on interface queue start_queue + q. */
struct xdp_qp {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	void *area;
	size_t area_len;
	bool area_mapped;	   /* area is ours (driver UMEM) and unmapped at the end */
	struct xsk_ring_prod fill; /* used when the queue index has no rx queue */
	struct xsk_ring_cons comp; /* used when it has no tx queue */
};

struct xdp_program;

struct xdp_port {
	char iface[IFNAMSIZ];
	int ifindex;
	int ctl_fd; /* AF_INET datagram socket for interface ioctls */
	uint32_t start_queue;
	uint16_t queue_count;
	enum xdp_mode mode;
	enum umem_kind umem_req;     /* asked for */
	bool pool_umem;		     /* chosen at start */
	enum attach_kind attach_req; /* asked for (xdp_attach=) */
	enum attach_kind attach;     /* chosen at start */
	int zero_copy;		     /* -1: the kernel chooses, 0: copy, 1: zero-copy */
	uint32_t frame_size;
	uint32_t busy_budget; /* 0 = no busy polling */
	/* Link attach, while started: the program, its xsks_map and the link holding it on
	 * the interface (-1 when none). */
	struct xdp_program *prog;
	int xsks_map_fd;
	int link_fd;
	struct xdp_qp *qp[SL_PORT_MAX_QUEUES];
	/* XDP_STATISTICS: the kernel's counters are per socket and never reset, so they are
	 * kept as (sockets already deleted) + (live socket) - (baseline at the last reset). */
	struct xdp_statistics kacc[SL_PORT_MAX_QUEUES];
	struct xdp_statistics kbase[SL_PORT_MAX_QUEUES];
};

/* --- buffers the kernel holds (umem.c; the inline ones are on the data path) --- */

int axdp_own_init(const struct sl_port *port, struct own_map *m, struct sl_pool *pool);
/* Gives every marked buffer back to pool and frees the map; returns how many there were. */
unsigned axdp_own_release(struct own_map *m, struct sl_pool *pool);

static inline uint32_t own_index(const struct own_map *m, const void *obj)
{
	return (uint32_t)((((uintptr_t)obj - m->first) >> m->shift) * m->inv);
}

static inline void own_set(struct own_map *m, const void *obj)
{
	uint32_t i = own_index(m, obj);

	m->bits[i / 64] |= 1ull << (i % 64);
}

static inline void own_clear(struct own_map *m, const void *obj)
{
	uint32_t i = own_index(m, obj);

	m->bits[i / 64] &= ~(1ull << (i % 64));
}

/* --- UMEM (umem.c) --- */

/* Pool UMEM: puts empty buffers into the fill ring until it lacks none or the pool is
 * empty (data path, and at start). */
void axdp_fill_refill(struct xdp_rxq *rq);
/* Chooses the UMEM kind at start: the pool when it fits (or when asked), else the
 * driver's.  0 or -EINVAL (logged). */
int axdp_umem_choose(struct sl_port *port);
/* The longest frame the rx pools take after the kernel's headroom, were they the UMEM;
 * 0 when a queue has no pool yet or a pool's buffers cannot be chunks. */
uint32_t axdp_pool_rx_len(const struct sl_port *port);
/* Maps (driver UMEM) or locates (pool UMEM) queue q's UMEM area in qp and registers it,
 * filling ucfg's frame size and flags.  0 or -errno (logged). */
int axdp_umem_create(struct sl_port *port, uint16_t q, struct xdp_qp *qp,
		     struct xsk_umem_config *ucfg);
/* Once the socket exists: the rx queue's fill ring gets its frames or buffers, the tx
 * queue its free frames or its pool.  0 or -errno (logged). */
int axdp_umem_rx_start(struct sl_port *port, uint16_t q, struct xdp_rxq *rq);
int axdp_umem_tx_start(struct sl_port *port, uint16_t q, struct xdp_txq *tq);

/* --- queues and sockets (queue.c) --- */

int axdp_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
		   struct sl_pool *pool);
int axdp_txq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node);
void axdp_rxq_release(struct sl_port *port, uint16_t q);
void axdp_txq_release(struct sl_port *port, uint16_t q);
int axdp_start(struct sl_port *port);
void axdp_stop(struct sl_port *port);
/* Logs why the interface refused XDP in the port's mode (-EOPNOTSUPP). */
void axdp_mode_error(const struct sl_port *port, int rc);
/* The kernel's XDP_STATISTICS of queue q's socket (zeros without one). */
void axdp_kstats_read(const struct xdp_qp *qp, struct xdp_statistics *ks);

/* clang-format off */
#define KSTAT_FIELDS(X)                                                                    \
	X(rx_dropped) X(rx_invalid_descs) X(tx_invalid_descs) X(rx_ring_full)              \
	X(rx_fill_ring_empty_descs) X(tx_ring_empty_descs)
/* clang-format on */

/* --- the XDP program (prog.c) --- */

/* Before the sockets: attaches the redirect program through a BPF link, or leaves it to
 * libxdp (xp->attach says which).  0 or -errno (logged). */
int axdp_prog_attach(struct sl_port *port);
/* After a socket with an rx ring exists: puts it in the program's map (link attach) or
 * checks libxdp's dispatcher (first queue).  0 or -errno (logged). */
int axdp_prog_add_socket(struct sl_port *port, uint16_t q, struct xsk_socket *xsk);
/* After the sockets are gone: closes the link, which detaches the program. */
void axdp_prog_detach(struct sl_port *port);
/* libxdp's and libbpf's messages go to our log type (once per process). */
void axdp_prog_log_init(void);

/* --- probe (args.c, net_af_xdp.c) --- */

/* Reads the device arguments into xp.  0 or -EINVAL (logged). */
int axdp_parse_args(struct sl_port *port, const struct sl_devargs *args, struct xdp_port *xp);
/* Interface ioctl with the port's control socket. */
int axdp_ioctl(const struct xdp_port *xp, unsigned long req, struct ifreq *ifr);

#endif
