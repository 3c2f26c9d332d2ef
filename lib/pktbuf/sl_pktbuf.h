/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet buffers.  A buffer is one pool object laid out as
 *
 *   | struct sl_pktbuf (128 B) | private area | headroom | data room ... |
 *                                             ^ buf_addr          buf_addr + buf_len ^
 *                                                        ^ buf_addr + data_off: packet data
 *
 * The header's first cache line holds every field that rx, forwarding and tx touch, so a
 * poll-mode driver and a forwarding loop read and write one line per packet.  The second
 * line holds tx offload lengths, the IO address and what only segmentation, cloning and
 * external buffers need.
 *
 * A packet may be a chain of segments (`next`); the first segment carries nb_segs and
 * pkt_len for the whole chain.  A buffer is freed back to its pool when its reference
 * count drops to zero.  An indirect buffer (a clone) points at another buffer's data and
 * holds a reference on it; an external buffer points at memory the application owns and
 * frees through a callback when the last reference goes.
 *
 * Thread-safety: a packet belongs to one thread at a time.  Reference counts are atomic
 * once above 1, so clones may be freed on different threads.
 */
#ifndef SL_PKTBUF_H
#define SL_PKTBUF_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sl_common.h"
#include "sl_pool.h"

/* Default headroom in front of received data, room for encapsulation headers. */
#define SL_PKTBUF_HEADROOM 128
/* Default buffer size: 2 KiB of data plus the headroom (DPDK's RTE_MBUF_DEFAULT_BUF_SIZE). */
#define SL_PKTBUF_DEFAULT_BUF_SIZE (2048 + SL_PKTBUF_HEADROOM)
/* Largest buffer (buf_len is 16 bits). */
#define SL_PKTBUF_MAX_BUF_SIZE UINT16_MAX
/* Port value of a buffer that did not come from a port. */
#define SL_PKTBUF_PORT_NONE UINT16_MAX

/* Offload flags (ol_flags).  RX_ flags are set on receive, by the driver or by the port
 * layer in software (docs/port.md); TX_ flags ask for work on transmit, done by the driver
 * when its info.tx_offloads says so, else by the port layer when the port was configured
 * with them.  Only flags something sets or honours are defined: who, after each. */
#define SL_PKT_RX_VLAN (1ull << 0)	    /* vlan_tci holds the tag (af_packet) */
#define SL_PKT_RX_RSS_HASH (1ull << 1)	    /* rss_hash is valid (RSS, lib/port/soft.c) */
#define SL_PKT_RX_IP_CKSUM_GOOD (1ull << 3) /* conf.rx_offloads SL_PORT_RX_CKSUM */
#define SL_PKT_RX_IP_CKSUM_BAD    (1ull << 4)
#define SL_PKT_RX_L4_CKSUM_GOOD (1ull << 5) /* UDP/TCP over IPv4 or IPv6 */
#define SL_PKT_RX_L4_CKSUM_BAD    (1ull << 6)
#define SL_PKT_RX_VLAN_STRIPPED (1ull << 7) /* the tag is not in the data (af_packet) */
#define SL_PKT_RX_TIMESTAMP (1ull << 9)	    /* timestamp is valid (pcap) */
#define SL_PKT_TX_VLAN (1ull << 40)	    /* insert vlan_tci (af_packet; else software) */
#define SL_PKT_TX_IP_CKSUM (1ull << 41)	    /* fill the IPv4 header checksum (software) */
#define SL_PKT_TX_TCP_CKSUM (1ull << 42)    /* fill the TCP checksum (software) */
#define SL_PKT_TX_UDP_CKSUM (1ull << 43)    /* fill the UDP checksum (software) */
#define SL_PKT_TX_IPV4 (1ull << 45)	    /* the L3 at l2_len is IPv4 (for checksums) */
#define SL_PKT_TX_IPV6 (1ull << 46)	    /* the L3 at l2_len is IPv6 */

/* Packet type (packet_type): one value per layer, or-ed together. */
#define SL_PTYPE_UNKNOWN          0u
#define SL_PTYPE_L2_ETHER         0x00000001u
#define SL_PTYPE_L2_ETHER_VLAN    0x00000002u
#define SL_PTYPE_L2_ETHER_QINQ    0x00000003u
#define SL_PTYPE_L2_ETHER_ARP     0x00000004u
#define SL_PTYPE_L2_MASK          0x0000000fu
#define SL_PTYPE_L3_IPV4          0x00000010u
#define SL_PTYPE_L3_IPV4_EXT      0x00000020u /* with options */
#define SL_PTYPE_L3_IPV6          0x00000030u
#define SL_PTYPE_L3_IPV6_EXT      0x00000040u /* with extension headers */
#define SL_PTYPE_L3_MASK          0x000000f0u
#define SL_PTYPE_L4_TCP           0x00000100u
#define SL_PTYPE_L4_UDP           0x00000200u
#define SL_PTYPE_L4_ICMP          0x00000300u
#define SL_PTYPE_L4_FRAG          0x00000400u
#define SL_PTYPE_L4_SCTP          0x00000500u
#define SL_PTYPE_L4_OTHER         0x00000600u
#define SL_PTYPE_L4_MASK          0x00000f00u
#define SL_PTYPE_TUNNEL_VXLAN     0x00001000u
#define SL_PTYPE_TUNNEL_GRE       0x00002000u
#define SL_PTYPE_TUNNEL_GENEVE    0x00003000u
#define SL_PTYPE_TUNNEL_MASK      0x0000f000u
#define SL_PTYPE_MALFORMED        0x80000000u /* a parser found the headers inconsistent */

/* Buffer kinds (flags). */
#define SL_PKTBUF_F_INDIRECT 0x1 /* data belongs to `direct` */
#define SL_PKTBUF_F_EXTERNAL 0x2 /* data belongs to the application, see shinfo */

struct sl_pktbuf_ext_shinfo;
typedef void (*sl_pktbuf_ext_free_fn)(void *addr, void *arg);

/* Shared info of an external buffer: one per external memory block, shared by every
 * packet buffer attached to it. */
struct sl_pktbuf_ext_shinfo {
	sl_pktbuf_ext_free_fn free_cb; /* called when the last attached buffer is freed */
	void *free_arg;
	uint16_t refcnt;               /* (atomic) attached buffers */
};

struct sl_pktbuf {
	/* --- cache line 0: rx, forwarding, tx --- */
	void *buf_addr;           /*  0 start of the buffer: headroom, then data room */
	struct sl_pktbuf *next;   /*  8 next segment, NULL for the last */
	uint16_t data_off;        /* 16 offset of this segment's data from buf_addr */
	uint16_t refcnt;          /* 18 references; atomic when above 1 */
	uint16_t nb_segs;         /* 20 segments in the chain (valid in the first) */
	uint16_t port;            /* 22 input port, or SL_PKTBUF_PORT_NONE */
	uint64_t ol_flags;        /* 24 SL_PKT_RX_* / SL_PKT_TX_* */
	uint32_t packet_type;     /* 32 SL_PTYPE_* */
	uint32_t pkt_len;         /* 36 bytes in the whole chain (valid in the first) */
	uint16_t data_len;        /* 40 bytes in this segment */
	uint16_t vlan_tci;        /* 42 VLAN tag (SL_PKT_RX_VLAN / SL_PKT_TX_VLAN) */
	uint32_t rss_hash;        /* 44 RSS hash (SL_PKT_RX_RSS_HASH) */
	uint32_t mark;		  /* 48 application tag (flow rules will set it) */
	uint16_t reserved16;	  /* 52 */
	uint16_t buf_len;         /* 54 bytes of buffer from buf_addr */
	struct sl_pool *pool;     /* 56 pool this buffer returns to */

	/* --- cache line 1: offload lengths and rarely used fields --- */
	uint64_t buf_iova;        /* 64 IO address of buf_addr (IOVA as VA today) */
	union {                   /* 72 header lengths for tx offloads */
		uint64_t tx_offload;
		struct {
			uint64_t l2_len : 7;       /* bytes of L2 (Ethernet + VLANs) */
			uint64_t l3_len : 9;       /* bytes of L3 header */
			uint64_t l4_len : 8;       /* bytes of L4 header */
			uint64_t : 16;
			uint64_t outer_l3_len : 9; /* tunnels: outer L3 header */
			uint64_t outer_l2_len : 7; /* tunnels: outer L2 header */
			uint64_t : 8;
		};
	};
	uint64_t timestamp;       /* 80 nanoseconds (SL_PKT_RX_TIMESTAMP) */
	struct sl_pktbuf *direct; /* 88 indirect buffers: the buffer whose data this is */
	struct sl_pktbuf_ext_shinfo *shinfo; /* 96 external buffers */
	uint16_t priv_size;       /* 104 bytes of private area after the header */
	uint16_t flags;           /* 106 SL_PKTBUF_F_* */
	uint32_t trace_id;	  /* 108 lib/graph: number of a traced packet */
	uint64_t udata64;         /* 112 application data */
	uint64_t reserved;        /* 120 */
} SL_CACHE_ALIGNED;

static_assert(sizeof(struct sl_pktbuf) == 2 * SL_CACHE_LINE, "header is two cache lines");
static_assert(offsetof(struct sl_pktbuf, next) == 8, "next in line 0");
static_assert(offsetof(struct sl_pktbuf, ol_flags) == 24, "ol_flags offset");
static_assert(offsetof(struct sl_pktbuf, pkt_len) == 36, "pkt_len offset");
static_assert(offsetof(struct sl_pktbuf, rss_hash) == 44, "rss_hash offset");
static_assert(offsetof(struct sl_pktbuf, pool) == 56, "pool is the last field of line 0");
static_assert(offsetof(struct sl_pktbuf, buf_iova) == SL_CACHE_LINE, "line 1 starts at buf_iova");
static_assert(offsetof(struct sl_pktbuf, udata64) == 112, "udata64 offset");

/* Private data of a packet-buffer pool (sl_pool_priv()). */
struct sl_pktbuf_pool_info {
	uint16_t buf_len;   /* headroom + data room of every buffer */
	uint16_t priv_size; /* private area per buffer */
};

/*
 * Creates a pool of n packet buffers of buf_size bytes each (headroom included: pass
 * SL_PKTBUF_DEFAULT_BUF_SIZE for 2 KiB of data after 128 bytes of headroom), with
 * priv_size bytes of private area per buffer (a multiple of 8) and a per-lcore cache.
 * Returns the pool or NULL with errno EINVAL (sizes; the log line says which), EEXIST,
 * ENOMEM.
 */
struct sl_pool *sl_pktbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
				      uint16_t priv_size, uint32_t buf_size, int node);

/* Headroom + data room of the pool's buffers. */
uint16_t sl_pktbuf_pool_buf_len(struct sl_pool *pool);

/* Bytes from the start of any buffer of the pool to its own data area (the header and the
 * private area): constant per pool, so a driver reads it once per queue. */
uint32_t sl_pktbuf_pool_data_offset(struct sl_pool *pool);

/* --- data access --- */

#define sl_pktbuf_mtod_offset(p, type, off) ((type)((char *)(p)->buf_addr + (p)->data_off + (off)))
#define sl_pktbuf_mtod(p, type) sl_pktbuf_mtod_offset(p, type, 0)

static inline uint64_t sl_pktbuf_iova(const struct sl_pktbuf *p)
{
	return p->buf_iova + p->data_off;
}

static inline void *sl_pktbuf_priv(struct sl_pktbuf *p)
{
	return p + 1;
}

static inline uint16_t sl_pktbuf_headroom(const struct sl_pktbuf *p)
{
	return p->data_off;
}

static inline uint16_t sl_pktbuf_tailroom(const struct sl_pktbuf *p)
{
	return (uint16_t)(p->buf_len - p->data_off - p->data_len);
}

static inline struct sl_pktbuf *sl_pktbuf_last_seg(struct sl_pktbuf *p)
{
	while (p->next)
		p = p->next;
	return p;
}

static inline bool sl_pktbuf_is_contiguous(const struct sl_pktbuf *p)
{
	return p->nb_segs == 1;
}

/* --- allocation --- */

/* Puts a buffer in its just-allocated state: one empty segment with default headroom. */
static inline void sl_pktbuf_reset(struct sl_pktbuf *p)
{
	p->next = NULL;
	p->data_off = SL_MIN((uint16_t)SL_PKTBUF_HEADROOM, p->buf_len);
	p->nb_segs = 1;
	p->port = SL_PKTBUF_PORT_NONE;
	p->ol_flags = 0;
	p->packet_type = 0;
	p->pkt_len = 0;
	p->data_len = 0;
	p->vlan_tci = 0;
	p->reserved16 = 0;
}

/* One buffer, reset, refcnt 1; NULL when the pool is empty. */
static inline struct sl_pktbuf *sl_pktbuf_alloc(struct sl_pool *pool)
{
	void *obj;

	if (sl_unlikely(sl_pool_get(pool, &obj) < 0))
		return NULL;
	struct sl_pktbuf *p = (struct sl_pktbuf *)obj;
	p->refcnt = 1;
	sl_pktbuf_reset(p);
	return p;
}

/* n buffers, all or nothing.  Returns 0, or -ENOENT with nothing taken. */
static inline int sl_pktbuf_alloc_bulk(struct sl_pool *pool, struct sl_pktbuf **pkts, unsigned n)
{
	unsigned i = 0;

	if (sl_unlikely(sl_pool_get_bulk(pool, (void **)pkts, n) < 0))
		return -ENOENT;
	/* Four at a time: the resets of neighbouring buffers overlap in the pipeline. */
	for (; i + 4 <= n; i += 4) {
		pkts[i]->refcnt = 1;
		sl_pktbuf_reset(pkts[i]);
		pkts[i + 1]->refcnt = 1;
		sl_pktbuf_reset(pkts[i + 1]);
		pkts[i + 2]->refcnt = 1;
		sl_pktbuf_reset(pkts[i + 2]);
		pkts[i + 3]->refcnt = 1;
		sl_pktbuf_reset(pkts[i + 3]);
	}
	for (; i < n; i++) {
		pkts[i]->refcnt = 1;
		sl_pktbuf_reset(pkts[i]);
	}
	return 0;
}

/* --- reference counts --- */

static inline uint16_t sl_pktbuf_refcnt_read(const struct sl_pktbuf *p)
{
	return __atomic_load_n(&p->refcnt, __ATOMIC_RELAXED);
}

static inline void sl_pktbuf_refcnt_set(struct sl_pktbuf *p, uint16_t v)
{
	__atomic_store_n(&p->refcnt, v, __ATOMIC_RELAXED);
}

/* Adds delta (may be negative) and returns the new count. */
static inline uint16_t sl_pktbuf_refcnt_update(struct sl_pktbuf *p, int16_t delta)
{
	/* Sole owner: no other thread holds a reference, so no read-modify-write is needed
	 * (relaxed accesses cost nothing on x86 and keep the count a single atomic object). */
	if (sl_likely(sl_pktbuf_refcnt_read(p) == 1) && delta < 0) {
		sl_pktbuf_refcnt_set(p, (uint16_t)(1 + delta));
		return (uint16_t)(1 + delta);
	}
	return (uint16_t)(__atomic_add_fetch(&p->refcnt, (uint16_t)delta, __ATOMIC_ACQ_REL));
}

/*
 * Whether a device may take p's own buffer and free it to the pool when done (zero-copy
 * tx): p is one segment of pool, points at its own data (a clone's or external data
 * would not) and holds the only reference.  data_offset is sl_pktbuf_pool_data_offset(pool),
 * read once per queue, so only p's first cache line is touched.
 */
static inline bool sl_pktbuf_can_lend(const struct sl_pktbuf *p, const struct sl_pool *pool,
				      uint32_t data_offset)
{
	return p->pool == pool && p->nb_segs == 1 &&
	       p->buf_addr == (const char *)p + data_offset && sl_pktbuf_refcnt_read(p) == 1;
}

/* --- freeing --- */

/* Releases what an indirect or external segment holds and restores its own buffer. */
void sl_pktbuf_detach(struct sl_pktbuf *p);

/*
 * Drops one reference of a single segment.  Returns the segment when it must go back to
 * its pool (ready: next cleared, nb_segs 1, refcnt 1), or NULL when references remain.
 */
static inline struct sl_pktbuf *sl_pktbuf_prefree_seg(struct sl_pktbuf *p)
{
	if (sl_likely(sl_pktbuf_refcnt_read(p) == 1)) {
		if (sl_unlikely(p->flags))
			sl_pktbuf_detach(p);
		if (p->next) {
			p->next = NULL;
			p->nb_segs = 1;
		}
		return p;
	}
	if (sl_pktbuf_refcnt_update(p, -1) != 0)
		return NULL;
	if (sl_unlikely(p->flags))
		sl_pktbuf_detach(p);
	sl_pktbuf_refcnt_set(p, 1);
	p->next = NULL;
	p->nb_segs = 1;
	return p;
}

/* Frees one segment (not the rest of its chain). */
static inline void sl_pktbuf_free_seg(struct sl_pktbuf *p)
{
	p = sl_pktbuf_prefree_seg(p);
	if (p)
		sl_pool_put(p->pool, p);
}

/* Frees a whole chain; NULL is ignored. */
static inline void sl_pktbuf_free(struct sl_pktbuf *p)
{
	while (p) {
		struct sl_pktbuf *next = p->next;

		sl_pktbuf_free_seg(p);
		p = next;
	}
}

/* Frees n packets (chains), returning them to their pools in batches. */
void sl_pktbuf_free_bulk(struct sl_pktbuf **pkts, unsigned n);

/* --- editing --- */

/* Moves the start of data back by len bytes (into the headroom) and returns the new start,
 * or NULL if the headroom is too small (nothing changed). */
static inline char *sl_pktbuf_prepend(struct sl_pktbuf *p, uint16_t len)
{
	if (sl_unlikely(len > p->data_off))
		return NULL;
	p->data_off = (uint16_t)(p->data_off - len);
	p->data_len = (uint16_t)(p->data_len + len);
	p->pkt_len += len;
	return (char *)p->buf_addr + p->data_off;
}

/* Extends the last segment by len bytes and returns where they start, or NULL if its
 * tailroom is too small (nothing changed). */
static inline char *sl_pktbuf_append(struct sl_pktbuf *p, uint16_t len)
{
	struct sl_pktbuf *last = sl_pktbuf_last_seg(p);
	char *tail;

	if (sl_unlikely(len > sl_pktbuf_tailroom(last)))
		return NULL;
	tail = (char *)last->buf_addr + last->data_off + last->data_len;
	last->data_len = (uint16_t)(last->data_len + len);
	p->pkt_len += len;
	return tail;
}

/* Removes len bytes from the front of the first segment; returns the new start, or NULL
 * if the first segment holds fewer (nothing changed). */
static inline char *sl_pktbuf_adj(struct sl_pktbuf *p, uint16_t len)
{
	if (sl_unlikely(len > p->data_len))
		return NULL;
	p->data_off = (uint16_t)(p->data_off + len);
	p->data_len = (uint16_t)(p->data_len - len);
	p->pkt_len -= len;
	return (char *)p->buf_addr + p->data_off;
}

/* Removes len bytes from the end of the last segment.  Returns 0, or -EINVAL if the last
 * segment holds fewer (nothing changed). */
static inline int sl_pktbuf_trim(struct sl_pktbuf *p, uint16_t len)
{
	struct sl_pktbuf *last = sl_pktbuf_last_seg(p);

	if (sl_unlikely(len > last->data_len))
		return -EINVAL;
	last->data_len = (uint16_t)(last->data_len - len);
	p->pkt_len -= len;
	return 0;
}

/* Copies len bytes from src to the end of packet p, whose last segment is *last, chaining
 * buffers from pool when its tailroom runs out (*last follows).  0, or -ENOBUFS when the
 * pool ran dry (what was copied stays, in pkt_len too: the caller frees p). */
static inline int sl_pktbuf_copy_in(struct sl_pktbuf *p, struct sl_pktbuf **last,
				    struct sl_pool *pool, const void *src, uint32_t len)
{
	const uint8_t *from = src;
	struct sl_pktbuf *seg = *last;

	while (len) {
		uint16_t room = sl_pktbuf_tailroom(seg), c;

		if (room == 0) {
			struct sl_pktbuf *next = sl_pktbuf_alloc(pool);

			if (sl_unlikely(next == NULL)) {
				*last = seg;
				return -ENOBUFS;
			}
			seg->next = next;
			seg = next;
			p->nb_segs++;
			continue;
		}
		c = (uint16_t)SL_MIN(len, room);
		memcpy((char *)seg->buf_addr + seg->data_off + seg->data_len, from, c);
		seg->data_len = (uint16_t)(seg->data_len + c);
		p->pkt_len += c;
		from += c;
		len -= c;
	}
	*last = seg;
	return 0;
}

/* Appends chain tail to chain head.  Returns 0, or -EOVERFLOW if the segment count would
 * pass UINT16_MAX (nothing changed). */
int sl_pktbuf_chain(struct sl_pktbuf *head, struct sl_pktbuf *tail);

/*
 * Returns a pointer to len bytes at offset off of the packet: into the buffer when they are
 * in one segment, else copied into buf (which must hold len bytes).  NULL if the packet is
 * shorter than off + len.
 */
const void *sl_pktbuf_read(const struct sl_pktbuf *p, uint32_t off, uint32_t len, void *buf);

/* Copies len bytes from data into the packet at offset off.  Returns 0 or -EINVAL when the
 * packet is too short. */
int sl_pktbuf_write(struct sl_pktbuf *p, uint32_t off, uint32_t len, const void *data);

/* --- indirect and external buffers --- */

/*
 * Makes p (a fresh, single-segment direct buffer) point at the data of segment `to`, taking
 * a reference on the buffer that owns the data.  Metadata (length, flags, type, hash) is
 * copied.  Returns 0, or -EINVAL if p is not a fresh direct buffer.
 */
int sl_pktbuf_attach(struct sl_pktbuf *p, struct sl_pktbuf *to);

/* A clone: a chain of indirect buffers from pool sharing the data of p.  NULL with errno
 * ENOENT when the pool runs out (nothing leaks). */
struct sl_pktbuf *sl_pktbuf_clone(struct sl_pktbuf *p, struct sl_pool *pool);

/*
 * Attaches application memory [addr, addr + len) to p as its buffer; shinfo counts the
 * buffers attached to that memory and its callback runs when the last is freed.  data_off
 * is set to 0 and data_len/pkt_len to 0.  Returns 0 or -EINVAL.
 */
int sl_pktbuf_attach_extbuf(struct sl_pktbuf *p, void *addr, uint64_t iova, uint16_t len,
			    struct sl_pktbuf_ext_shinfo *shinfo);

/* --- checks and debugging --- */

/* Checks a packet's invariants (lengths, segment count, refcnt, pool).  Returns 0, or
 * -EINVAL and sets *why to a short reason. */
int sl_pktbuf_check(const struct sl_pktbuf *p, const char **why);

/* Prints the header fields and the first dump_len bytes of data. */
void sl_pktbuf_dump(FILE *out, const struct sl_pktbuf *p, unsigned dump_len);

/* Names of offload flags and packet types, for dumps and logs. */
const char *sl_pktbuf_flag_name(uint64_t flag);
int sl_pktbuf_ptype_name(uint32_t ptype, char *buf, size_t len);

#endif
