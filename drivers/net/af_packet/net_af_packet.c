/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_packet: a port on a kernel network interface through AF_PACKET sockets with
 * memory-mapped rings (packet(7)).
 *
 *   net_af_packet0,iface=veth0                 one rx and one tx queue
 *   net_af_packet0,iface=veth0,qpairs=4        up to 4 queue pairs; rx spread by flow hash
 *
 * Each rx queue is its own socket with a TPACKET_V3 ring: the kernel fills blocks of
 * frames and hands a whole block over by flipping its status word, so the rx burst reads
 * status words in shared memory and never makes a system call.  With several rx queues
 * the sockets join one PACKET_FANOUT_HASH group: the kernel sends each flow to one queue.
 * Each tx queue is its own socket with a TPACKET_V2 ring of fixed frames: the burst copies
 * packets into free frames, marks them for sending and kicks the kernel with one
 * non-blocking sendto() per burst.
 *
 * Shared-memory ownership (netmap-style: (u) written by us, (k) by the kernel):
 *   rx block_status: (k) sets TP_STATUS_USER when the block is full or its timer expires,
 *                    (u) writes TP_STATUS_KERNEL back once every frame has been copied out.
 *   tx tp_status:    (u) writes SEND_REQUEST on an AVAILABLE frame, (k) moves it through
 *                    SENDING back to AVAILABLE once the packet has left.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "sl_cksum.h"
#include "sl_parse.h"
#include "sl_port_driver.h"

SL_LOG_TYPE_DEFINE(net_af_packet)

#define ETH_HLEN_ 14
#define VLAN_HLEN_ 4
/* A V2 tx frame's data starts after the aligned header (the kernel's tp_hdrlen minus the
 * sockaddr_ll it reserves for rx), see tpacket_parse_header() in net/packet/af_packet.c. */
#define TX_DATA_OFF (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))
/* Room the kernel keeps in a V3 block before a frame's data: the block descriptor, the
 * frame header, the sockaddr_ll and alignment.  Rounded up for safety. */
#define RX_BLOCK_OVERHEAD 160
/* How long the kernel keeps a partly filled rx block before handing it over, in ms: the
 * worst-case latency of a lone packet. */
#define RX_RETIRE_MS 1

#define DEFAULT_BLOCKSZ 65536
#define DEFAULT_FRAMESZ 2048
#define DEFAULT_FRAMECNT 512

struct afp_rxq {
	/* --- data path --- */
	struct sl_port_qstats st; /* errors: the truncated frames; nombuf: bursts cut short by
				     an empty pool */
	uint64_t truncated;	  /* frames dropped: did not fit in a block */
	uint64_t csum_filled;	  /* frames whose L4 checksum the sender left to hardware */
	uint8_t *ring;            /* mmap'ed V3 ring: block_nr blocks of blocksz bytes */
	uint32_t blocksz;
	uint32_t block_nr;
	uint32_t block;           /* (u) block being read */
	uint32_t left;            /* (u) frames still to read in it; 0 = block not taken yet */
	uint8_t *frame;           /* (u) next frame in it */
	struct sl_pool *pool;
	uint16_t port;
	bool rxhash; /* the kernel fills tp_rxhash (fanout on) */
	/* --- control --- */
	int fd;
	size_t ring_len;
	bool in_fanout;
	uint64_t kdrops;          /* (control) kernel drops (ring full), summed from the socket */
	uint64_t kfreeze;         /* (control) times the kernel froze the ring */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct afp_rxq, st);

struct afp_txq {
	/* --- data path --- */
	struct sl_port_qstats st; /* errors: the oversize and runt drops */
	uint64_t ring_full;	  /* packets left to the caller: no free frame */
	uint64_t oversize;	  /* dropped: longer than the frame or the MTU */
	uint64_t runt;		  /* dropped: shorter than an Ethernet header */
	uint64_t kick_err;	  /* sendto() failures (frames stay queued) */
	uint8_t *ring;            /* mmap'ed V2 ring of frame_nr frames of framesz bytes */
	uint32_t framesz;
	uint32_t frame_nr;
	uint32_t head;            /* (u) next frame to fill */
	uint32_t max_len;         /* largest frame the ring frame can carry */
	uint32_t mtu_len;         /* (control, atomic) largest frame the interface takes untagged */
	int fd;
	/* --- control --- */
	size_t ring_len;
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct afp_txq, st);

/* The driver's own per-queue counters; the kernel's are in afp_xstats(). */
static const struct sl_port_qxstat afp_rxq_xstats[] = {
	SL_PORT_QXSTAT_NAMED("truncated_drops", struct afp_rxq, truncated),
	SL_PORT_QXSTAT(struct afp_rxq, csum_filled),
	{NULL, 0},
};

static const struct sl_port_qxstat afp_txq_xstats[] = {
	SL_PORT_QXSTAT(struct afp_txq, ring_full),
	SL_PORT_QXSTAT_NAMED("oversize_drops", struct afp_txq, oversize),
	SL_PORT_QXSTAT_NAMED("runt_drops", struct afp_txq, runt),
	SL_PORT_QXSTAT_NAMED("kick_errors", struct afp_txq, kick_err),
	{NULL, 0},
};

struct afp_port {
	char iface[IFNAMSIZ];
	int ifindex;
	int ctl_fd;               /* AF_PACKET socket for ioctls and promisc/allmulti membership */
	uint32_t blocksz, framesz, framecnt;
	uint16_t qpairs;
	bool qdisc_bypass;
	int fanout_id;            /* -1 until a fanout group exists */
};

/* --- rx --- */

static inline struct tpacket_block_desc *rx_block(struct afp_rxq *rq, uint32_t i)
{
	return (struct tpacket_block_desc *)(rq->ring + (size_t)i * rq->blocksz);
}

static inline void rx_block_done(struct afp_rxq *rq)
{
	struct tpacket_block_desc *bd = rx_block(rq, rq->block);

	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	rq->block = rq->block + 1 == rq->block_nr ? 0 : rq->block + 1;
}

/* Copies a frame longer than one buffer into a chain.  Returns the head, or NULL when the
 * pool ran dry (nothing taken). */
static struct sl_pktbuf *rx_copy_chain(struct sl_pool *pool, struct sl_pktbuf *head,
				       const uint8_t *data, uint32_t len)
{
	struct sl_pktbuf *last = head;
	uint32_t room = (uint32_t)(head->buf_len - head->data_off);

	memcpy(sl_pktbuf_mtod(head, void *), data, room);
	head->data_len = (uint16_t)room;
	data += room;
	len -= room;
	while (len) {
		struct sl_pktbuf *seg = sl_pktbuf_alloc(pool);

		if (seg == NULL) {
			sl_pktbuf_free(head);
			return NULL;
		}
		seg->data_off = 0; /* continuation segments need no headroom */
		room = SL_MIN(len, (uint32_t)seg->buf_len);
		memcpy(sl_pktbuf_mtod(seg, void *), data, room);
		seg->data_len = (uint16_t)room;
		last->next = seg;
		last = seg;
		head->nb_segs++;
		data += room;
		len -= room;
	}
	return head;
}

/*
 * TP_STATUS_CSUMNOTREADY: the frame comes from this host (a veth peer, a local socket)
 * whose kernel left the TCP/UDP checksum to an offload that never ran, so the field holds
 * only the pseudo-header sum.  Fill it in: a packet forwarded on would be dropped by its
 * receiver for a bad checksum.
 */
static void rx_csum_fill(struct afp_rxq *rq, struct sl_pktbuf *m)
{
	struct sl_parse_result r;
	uint32_t pt = sl_net_parse(m, &r), l4 = pt & SL_PTYPE_L4_MASK;

	if ((l4 == SL_PTYPE_L4_TCP || l4 == SL_PTYPE_L4_UDP) && !(pt & SL_PTYPE_MALFORMED) &&
	    sl_udptcp_cksum_pkt_set(m, r.l3_off, r.l4_off) == 0)
		sl_counter_add(&rq->csum_filled, 1);
}

static uint16_t afp_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct afp_rxq *rq = q;
	uint64_t bytes = 0;
	uint16_t nb = 0;

	while (nb < n) {
		if (rq->left == 0) {
			struct tpacket_block_desc *bd = rx_block(rq, rq->block);

			if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
			      TP_STATUS_USER))
				break; /* the kernel still fills it: nothing more to read */
			rq->left = bd->hdr.bh1.num_pkts;
			rq->frame = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
			if (sl_unlikely(rq->left == 0)) {
				rx_block_done(rq);
				continue;
			}
		}

		struct tpacket3_hdr *h = (struct tpacket3_hdr *)rq->frame;
		const uint8_t *data = rq->frame + h->tp_mac;
		uint32_t len = h->tp_snaplen;

		if (sl_likely(len == h->tp_len)) {
			struct sl_pktbuf *m = sl_pktbuf_alloc(rq->pool);

			if (sl_unlikely(m == NULL)) {
				/* The frame stays in the ring for the next burst; if the pool
				 * stays empty the ring fills and the kernel counts the drops
				 * (imissed). */
				sl_counter_add(&rq->st.nombuf, 1);
				break;
			}
			if (sl_likely(len <= (uint32_t)(m->buf_len - m->data_off))) {
				memcpy(sl_pktbuf_mtod(m, void *), data, len);
				m->data_len = (uint16_t)len;
			} else {
				m = rx_copy_chain(rq->pool, m, data, len);
				if (m == NULL) {
					sl_counter_add(&rq->st.nombuf, 1);
					break;
				}
			}
			m->pkt_len = len;
			m->port = rq->port;
			if (h->tp_status & TP_STATUS_VLAN_VALID) {
				/* The kernel moved the tag out of the frame (a NIC's strip). */
				m->vlan_tci = (uint16_t)h->hv1.tp_vlan_tci;
				m->ol_flags |= SL_PKT_RX_VLAN | SL_PKT_RX_VLAN_STRIPPED;
			}
			if (sl_unlikely(h->tp_status & TP_STATUS_CSUMNOTREADY))
				rx_csum_fill(rq, m);
			if (rq->rxhash) {
				m->rss_hash = h->hv1.tp_rxhash;
				m->ol_flags |= SL_PKT_RX_RSS_HASH;
			}
			pkts[nb++] = m;
			bytes += len;
		} else {
			/* Cut by the kernel to fit the block: never hand out a partial frame. */
			sl_counter_add(&rq->truncated, 1);
			sl_counter_add(&rq->st.errors, 1);
		}
		rq->frame += h->tp_next_offset;
		if (--rq->left == 0)
			rx_block_done(rq);
	}
	if (nb) {
		sl_counter_add(&rq->st.packets, nb);
		sl_counter_add(&rq->st.bytes, bytes);
	}
	return nb;
}

/* --- tx --- */

/* Copies the packet's bytes from offset off to the end into dst; returns bytes copied. */
static inline uint32_t tx_copy(const struct sl_pktbuf *p, uint32_t off, uint8_t *dst)
{
	uint32_t done = 0;

	for (const struct sl_pktbuf *s = p; s; s = s->next) {
		uint32_t len = s->data_len;

		if (off >= len) {
			off -= len;
			continue;
		}
		memcpy(dst + done, sl_pktbuf_mtod_offset(s, const uint8_t *, off), len - off);
		done += len - off;
		off = 0;
	}
	return done;
}

/* Whether a frame of len bytes (tag included) is too long for the interface.  The kernel
 * takes MTU + Ethernet header, plus 4 when the frame carries an 802.1Q tag
 * (packet_extra_vlan_len_allowed() in net/packet/af_packet.c). */
static bool tx_too_long(const struct afp_txq *tq, const struct sl_pktbuf *p, uint32_t len,
			uint32_t mtu_len)
{
	uint8_t type[2];
	const uint8_t *t;

	if (len > tq->max_len)
		return true;
	if (len <= mtu_len)
		return false;
	if (len > mtu_len + VLAN_HLEN_)
		return true;
	if (p->ol_flags & SL_PKT_TX_VLAN)
		return false;
	t = sl_pktbuf_read(p, 12, 2, type);
	return !(t && t[0] == 0x81 && t[1] == 0x00); /* the kernel allows 802.1Q only */
}

static uint16_t afp_tx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct afp_txq *tq = q;
	uint32_t mtu_len = __atomic_load_n(&tq->mtu_len, __ATOMIC_RELAXED);
	uint64_t bytes = 0;
	uint16_t queued = 0, i;

	for (i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)(tq->ring +
								  (size_t)tq->head * tq->framesz);
		uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		bool vlan = p->ol_flags & SL_PKT_TX_VLAN;
		uint32_t len = p->pkt_len + (vlan ? VLAN_HLEN_ : 0);
		uint8_t *dst = (uint8_t *)h + TX_DATA_OFF;

		if (sl_unlikely(status & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING))) {
			/* The kernel still owns the next frame: the ring is full. */
			sl_counter_add(&tq->ring_full, n - i);
			break;
		}
		if (sl_unlikely(p->pkt_len < ETH_HLEN_)) {
			sl_counter_add(&tq->runt, 1);
			sl_counter_add(&tq->st.errors, 1);
			continue; /* freed with the others below */
		}
		if (sl_unlikely(len > mtu_len) && tx_too_long(tq, p, len, mtu_len)) {
			sl_counter_add(&tq->oversize, 1);
			sl_counter_add(&tq->st.errors, 1);
			continue;
		}
		if (sl_likely(!vlan)) {
			if (sl_likely(p->nb_segs == 1))
				memcpy(dst, sl_pktbuf_mtod(p, const void *), p->data_len);
			else
				tx_copy(p, 0, dst);
		} else {
			/* Software VLAN insertion: MACs, the 802.1Q tag, then the rest. */
			uint16_t tci = htons(p->vlan_tci);
			const void *macs = sl_pktbuf_read(p, 0, 12, dst);

			if (macs != dst)
				memcpy(dst, macs, 12);
			dst[12] = 0x81;
			dst[13] = 0x00;
			memcpy(dst + 14, &tci, 2);
			tx_copy(p, 12, dst + 16);
		}
		h->tp_len = len;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
		tq->head = tq->head + 1 == tq->frame_nr ? 0 : tq->head + 1;
		bytes += len;
		queued++;
	}
	/* Every packet taken was copied into the ring or dropped: none is needed any more. */
	sl_pktbuf_free_bulk(pkts, i);
	/* One kick per burst; also when the ring was full, so that the kernel drains it. */
	if (sl_likely(queued) || i < n) {
		if (sendto(tq->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN)
			sl_counter_add(&tq->kick_err, 1);
	}
	if (queued) {
		sl_counter_add(&tq->st.packets, queued);
		sl_counter_add(&tq->st.bytes, bytes);
	}
	return i;
}

/* --- control helpers --- */

static int ifreq_ioctl(struct afp_port *ap, unsigned long req, struct ifreq *ifr)
{
	return sl_ifnet_ioctl(ap->ctl_fd, ap->iface, req, ifr);
}

static int sockopt_int(int fd, int opt, int val)
{
	return setsockopt(fd, SOL_PACKET, opt, &val, sizeof(val)) < 0 ? -errno : 0;
}

/* Creates an AF_PACKET socket that receives nothing until bound with a protocol. */
static int packet_socket(struct sl_port *port)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		int rc = -errno;

		if (rc == -EPERM || rc == -EACCES)
			SL_LOG(net_af_packet, ERR,
			       "%s: opening an AF_PACKET socket needs root or CAP_NET_RAW "
			       "(%s); run as root or grant it (setcap cap_net_raw,cap_net_admin+ep)",
			       port->name, strerror(-rc));
		else
			SL_LOG(net_af_packet, ERR, "%s: cannot open an AF_PACKET socket: %s",
			       port->name, strerror(-rc));
		return rc;
	}
	return fd;
}

static int bind_iface(struct afp_port *ap, int fd, uint16_t proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = ap->ifindex,
	};

	return bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? -errno : 0;
}

/* Puts an rx socket in the port's fanout group, creating it for the first socket. */
static int fanout_join(struct sl_port *port, struct afp_rxq *rq)
{
	struct afp_port *ap = port->priv;
	int val, rc;
	socklen_t len = sizeof(val);

	if (ap->fanout_id < 0) {
		/* The kernel picks an id no other group in this namespace uses. */
		rc = sockopt_int(rq->fd, PACKET_FANOUT,
				 PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID << 16);
		if (rc == 0 && getsockopt(rq->fd, SOL_PACKET, PACKET_FANOUT, &val, &len) < 0)
			rc = -errno;
		if (rc == 0)
			ap->fanout_id = val & 0xffff;
	} else {
		rc = sockopt_int(rq->fd, PACKET_FANOUT, ap->fanout_id | PACKET_FANOUT_HASH << 16);
	}
	if (rc < 0) {
		SL_LOG(net_af_packet, ERR,
		       "%s: cannot join the PACKET_FANOUT group that spreads rx over %u queues: %s",
		       port->name, port->conf.nb_rxq, strerror(-rc));
		return rc;
	}
	rq->in_fanout = true;
	return 0;
}

static int ring_setup(struct sl_port *port, int fd, int version, int ring_opt, void *req,
		      size_t req_len, size_t ring_len, uint8_t **ring)
{
	const char *what = ring_opt == PACKET_RX_RING ? "rx" : "tx";
	int rc = sockopt_int(fd, PACKET_VERSION, version);

	if (rc == 0 && setsockopt(fd, SOL_PACKET, ring_opt, req, (socklen_t)req_len) < 0)
		rc = -errno;
	if (rc < 0) {
		SL_LOG(net_af_packet, ERR,
		       "%s: the kernel refused a %zu-byte %s ring: %s; try smaller "
		       "blocksz/framecnt",
		       port->name, ring_len, what, strerror(-rc));
		return rc;
	}
	*ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (*ring == MAP_FAILED) {
		rc = -errno;
		*ring = NULL;
		SL_LOG(net_af_packet, ERR, "%s: cannot map the %zu-byte %s ring: %s", port->name,
		       ring_len, what, strerror(-rc));
		return rc;
	}
	return 0;
}

/* --- ops --- */

static void afp_info(struct sl_port *port, struct sl_port_info *info)
{
	struct afp_port *ap = port->priv;
	uint32_t tx_max = ap->framesz - (uint32_t)TX_DATA_OFF;
	uint32_t rx_max = SL_MIN(ap->blocksz - RX_BLOCK_OVERHEAD, (uint32_t)UINT16_MAX);

	info->max_rxq = ap->qpairs;
	info->max_txq = ap->qpairs;
	info->min_mtu = 68;
	info->max_mtu = (uint16_t)(SL_MIN(tx_max, rx_max) - ETH_HLEN_);
	info->max_rx_pktlen = rx_max;
	info->rx_offloads = SL_PKT_RX_VLAN | SL_PKT_RX_VLAN_STRIPPED |
			    (ap->qpairs > 1 ? SL_PKT_RX_RSS_HASH : 0);
	info->tx_offloads = SL_PKT_TX_VLAN;
	/* The kernel's flow hash covers L3 addresses and L4 ports; it cannot be tuned. */
	if (ap->qpairs > 1)
		info->rss_types = SL_PORT_RSS_IPV4 | SL_PORT_RSS_IPV4_TCP | SL_PORT_RSS_IPV4_UDP |
				  SL_PORT_RSS_IPV6 | SL_PORT_RSS_IPV6_TCP | SL_PORT_RSS_IPV6_UDP;
	info->if_name = ap->iface;
}

static void rxq_free(struct afp_rxq *rq)
{
	if (rq->ring)
		munmap(rq->ring, rq->ring_len);
	if (rq->fd >= 0)
		close(rq->fd);
	sl_free(rq);
}

static int afp_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			 struct sl_pool *pool)
{
	struct afp_port *ap = port->priv;
	struct afp_rxq *rq;
	struct tpacket_req3 req = {
		.tp_block_size = ap->blocksz,
		.tp_block_nr = (unsigned)((uint64_t)ap->framecnt * ap->framesz / ap->blocksz),
		.tp_frame_size = ap->framesz,
		.tp_frame_nr = ap->framecnt,
		.tp_retire_blk_tov = RX_RETIRE_MS,
	};
	int rc;

	(void)nb_desc; /* the ring geometry comes from blocksz/framesz/framecnt */
	if (sl_pktbuf_pool_buf_len(pool) <= SL_PKTBUF_HEADROOM) {
		SL_LOG(net_af_packet, ERR,
		       "%s: rx queue %u: the pool's buffers have no room after the %u-byte headroom",
		       port->name, qid, SL_PKTBUF_HEADROOM);
		return -EINVAL;
	}
	rq = sl_malloc(sizeof(*rq), 0, node);
	if (rq == NULL)
		return -ENOMEM;
	memset(rq, 0, sizeof(*rq));
	rq->fd = packet_socket(port);
	if (rq->fd < 0) {
		rc = rq->fd;
		goto free_rq;
	}
	rq->pool = pool;
	rq->port = port->id;
	rq->blocksz = ap->blocksz;
	rq->block_nr = req.tp_block_nr;
	rq->ring_len = (size_t)req.tp_block_nr * req.tp_block_size;
	rq->rxhash = port->conf.nb_rxq > 1;
	if (rq->rxhash)
		req.tp_feature_req_word = TP_FT_REQ_FILL_RXHASH;
	/* Only what arrives on the wire: not our own tx, nor what the host sends. */
	rc = sockopt_int(rq->fd, PACKET_IGNORE_OUTGOING, 1);
	if (rc < 0)
		SL_LOG(net_af_packet, WARNING,
		       "%s: PACKET_IGNORE_OUTGOING unsupported (%s): rx will also see "
		       "packets sent on %s",
		       port->name, strerror(-rc), ap->iface);
	rc = ring_setup(port, rq->fd, TPACKET_V3, PACKET_RX_RING, &req, sizeof(req), rq->ring_len,
			&rq->ring);
	if (rc < 0)
		goto free_rq;
	rc = bind_iface(ap, rq->fd, ETH_P_ALL);
	if (rc < 0) {
		SL_LOG(net_af_packet, ERR, "%s: cannot bind rx queue %u to %s: %s", port->name, qid,
		       ap->iface, strerror(-rc));
		goto free_rq;
	}
	if (port->conf.nb_rxq > 1) {
		rc = fanout_join(port, rq);
		if (rc < 0)
			goto free_rq;
	}
	port->rxq[qid] = rq;
	return 0;
free_rq:
	rxq_free(rq);
	return rc;
}

static void afp_rxq_release(struct sl_port *port, uint16_t q)
{
	struct afp_port *ap = port->priv;
	bool fanout_left = false;

	if (port->rxq[q] == NULL)
		return;
	rxq_free(port->rxq[q]);
	port->rxq[q] = NULL;
	for (uint16_t i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		struct afp_rxq *rq = port->rxq[i];

		fanout_left |= rq && rq->in_fanout;
	}
	if (!fanout_left)
		ap->fanout_id = -1; /* the group went with its last socket */
}

static int afp_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	struct afp_port *ap = port->priv;
	struct afp_txq *tq;
	struct tpacket_req req = {
		.tp_block_size = ap->blocksz,
		.tp_block_nr = (unsigned)((uint64_t)ap->framecnt * ap->framesz / ap->blocksz),
		.tp_frame_size = ap->framesz,
		.tp_frame_nr = ap->framecnt,
	};
	int rc;

	(void)nb_desc;
	tq = sl_malloc(sizeof(*tq), 0, node);
	if (tq == NULL)
		return -ENOMEM;
	memset(tq, 0, sizeof(*tq));
	tq->fd = packet_socket(port);
	if (tq->fd < 0) {
		rc = tq->fd;
		goto free_tq;
	}
	tq->framesz = ap->framesz;
	tq->frame_nr = ap->framecnt;
	tq->max_len = ap->framesz - (uint32_t)TX_DATA_OFF;
	tq->mtu_len = port->mtu + ETH_HLEN_;
	tq->ring_len = (size_t)req.tp_block_nr * req.tp_block_size;
	if (ap->qdisc_bypass) {
		rc = sockopt_int(tq->fd, PACKET_QDISC_BYPASS, 1);
		if (rc < 0)
			SL_LOG(net_af_packet, WARNING,
			       "%s: PACKET_QDISC_BYPASS unsupported (%s); sending through the qdisc",
			       port->name, strerror(-rc));
	}
	/* A frame the kernel rejects is skipped rather than blocking the ring forever. */
	rc = sockopt_int(tq->fd, PACKET_LOSS, 1);
	if (rc == 0)
		rc = ring_setup(port, tq->fd, TPACKET_V2, PACKET_TX_RING, &req, sizeof(req),
				tq->ring_len, &tq->ring);
	if (rc < 0)
		goto free_tq;
	/* Protocol 0: the socket only sends, it never queues received packets. */
	rc = bind_iface(ap, tq->fd, 0);
	if (rc < 0) {
		SL_LOG(net_af_packet, ERR, "%s: cannot bind tx queue %u to %s: %s", port->name, qid,
		       ap->iface, strerror(-rc));
		goto free_tq;
	}
	port->txq[qid] = tq;
	return 0;
free_tq:
	if (tq->ring)
		munmap(tq->ring, tq->ring_len);
	if (tq->fd >= 0)
		close(tq->fd);
	sl_free(tq);
	return rc;
}

static void afp_txq_release(struct sl_port *port, uint16_t q)
{
	struct afp_txq *tq = port->txq[q];

	if (tq == NULL)
		return;
	munmap(tq->ring, tq->ring_len);
	close(tq->fd);
	sl_free(tq);
	port->txq[q] = NULL;
}

static int afp_start(struct sl_port *port)
{
	struct ifreq ifr;
	struct afp_port *ap = port->priv;
	int rc;

	/* Queues set up while the port had one rx queue are not in the group yet: without it
	 * every queue would receive every packet. */
	if (port->conf.nb_rxq > 1)
		for (uint16_t q = 0; q < port->conf.nb_rxq; q++) {
			struct afp_rxq *rq = port->rxq[q];

			if (!rq->in_fanout) {
				rc = fanout_join(port, rq);
				if (rc < 0)
					return rc;
			}
		}
	/* The MTU may have been changed with `ip link` since probe. */
	if (ifreq_ioctl(ap, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0) {
		port->mtu = (uint16_t)SL_MIN(ifr.ifr_mtu, UINT16_MAX);
		for (uint16_t q = 0; q < port->conf.nb_txq; q++) {
			struct afp_txq *tq = port->txq[q];

			__atomic_store_n(&tq->mtu_len, (uint32_t)ifr.ifr_mtu + ETH_HLEN_,
					 __ATOMIC_RELAXED);
		}
	}
	return 0;
}

/* Moves the kernel's rx counters (which reset on read) into the queue. */
static void rxq_harvest(struct afp_rxq *rq)
{
	struct tpacket_stats_v3 ks;
	socklen_t len = sizeof(ks);

	if (getsockopt(rq->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) == 0) {
		rq->kdrops += ks.tp_drops;
		rq->kfreeze += ks.tp_freeze_q_cnt;
	}
}

/* What the queues' counters cannot hold: the kernel's drops, read from the sockets. */
static void afp_stats(struct sl_port *port, struct sl_port_stats *st)
{
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		struct afp_rxq *rq = port->rxq[q];

		if (rq) {
			rxq_harvest(rq);
			st->imissed += rq->kdrops;
		}
	}
}

static void afp_stats_reset(struct sl_port *port)
{
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		struct afp_rxq *rq = port->rxq[q];

		if (rq) {
			rxq_harvest(rq); /* zeroes the kernel's side */
			rq->kdrops = rq->kfreeze = 0;
		}
	}
}

static int afp_xstats(struct sl_port *port, struct sl_port_xstat *xs, unsigned n)
{
	unsigned count = 0;

	for (uint16_t q = 0; q < port->conf.nb_rxq; q++) {
		struct afp_rxq *rq = port->rxq[q];

		if (rq && xs)
			rxq_harvest(rq);
		sl_port_xstat_add(xs, n, &count, rq ? rq->kdrops : 0, "rx_q%u_kernel_drops", q);
		sl_port_xstat_add(xs, n, &count, rq ? rq->kfreeze : 0, "rx_q%u_freeze_count", q);
	}
	return (int)count;
}

static int afp_link(struct sl_port *port, struct sl_port_link *link)
{
	const struct afp_port *ap = port->priv;

	return sl_ifnet_link(port, ap->ctl_fd, ap->iface, link);
}

static int membership(struct sl_port *port, int type, bool on, const char *what)
{
	struct afp_port *ap = port->priv;
	struct packet_mreq mr = {.mr_ifindex = ap->ifindex, .mr_type = (unsigned short)type};

	/* The kernel counts memberships: add once, drop once. */
	if (setsockopt(ap->ctl_fd, SOL_PACKET, on ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP,
		       &mr, sizeof(mr)) < 0) {
		int rc = -errno;

		SL_LOG(net_af_packet, ERR, "%s: cannot turn %s %s on %s: %s", port->name, what,
		       on ? "on" : "off", ap->iface, strerror(-rc));
		return rc;
	}
	return 0;
}

static int afp_promisc(struct sl_port *port, bool on)
{
	if (on == port->promisc)
		return 0;
	return membership(port, PACKET_MR_PROMISC, on, "promiscuous mode");
}

static int afp_allmulti(struct sl_port *port, bool on)
{
	if (on == port->allmulti)
		return 0;
	return membership(port, PACKET_MR_ALLMULTI, on, "all-multicast");
}

static int afp_mtu_set(struct sl_port *port, uint16_t mtu)
{
	struct afp_port *ap = port->priv;
	struct ifreq ifr = {.ifr_mtu = mtu};
	int rc = ifreq_ioctl(ap, SIOCSIFMTU, &ifr);

	if (rc < 0) {
		SL_LOG(net_af_packet, ERR, "%s: cannot set the MTU of %s to %u: %s", port->name,
		       ap->iface, mtu, strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		struct afp_txq *tq = port->txq[q];

		if (tq)
			__atomic_store_n(&tq->mtu_len, (uint32_t)mtu + ETH_HLEN_, __ATOMIC_RELAXED);
	}
	return 0;
}

static void afp_close(struct sl_port *port)
{
	struct afp_port *ap = port->priv;

	close(ap->ctl_fd); /* drops the promisc/allmulti memberships */
	free(ap);
	port->priv = NULL;
}

static const struct sl_port_ops afp_ops = {
	.info = afp_info,
	.rxq_setup = afp_rxq_setup,
	.txq_setup = afp_txq_setup,
	.rxq_release = afp_rxq_release,
	.txq_release = afp_txq_release,
	.start = afp_start,
	.close = afp_close,
	.stats = afp_stats,
	.stats_reset = afp_stats_reset,
	.xstats = afp_xstats,
	.rxq_xstats = afp_rxq_xstats,
	.txq_xstats = afp_txq_xstats,
	.link = afp_link,
	.promisc = afp_promisc,
	.allmulti = afp_allmulti,
	.mtu_set = afp_mtu_set,
};

/* --- probe --- */

/* Checks the ring geometry against what the kernel accepts (packet_set_ring()). */
static int check_geometry(const struct sl_port *port, const struct afp_port *ap)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t per_block;

	if (!SL_IS_POW2(ap->blocksz) || ap->blocksz < (uint32_t)page) {
		SL_LOG(net_af_packet, ERR,
		       "%s: blocksz=%u must be a power of two of at least the page size (%ld); use %u",
		       port->name, ap->blocksz, page,
		       SL_MAX(sl_pow2_ceil(ap->blocksz), (uint32_t)page));
		return -EINVAL;
	}
	if (ap->framesz % TPACKET_ALIGNMENT || ap->framesz > ap->blocksz ||
	    ap->blocksz % ap->framesz) {
		SL_LOG(net_af_packet, ERR,
		       "%s: framesz=%u must be a multiple of %d that divides blocksz=%u; try %u",
		       port->name, ap->framesz, TPACKET_ALIGNMENT, ap->blocksz,
		       SL_MIN(sl_pow2_ceil(ap->framesz), ap->blocksz));
		return -EINVAL;
	}
	per_block = ap->blocksz / ap->framesz;
	if (ap->framecnt % per_block) {
		SL_LOG(net_af_packet, ERR,
		       "%s: framecnt=%u must be a multiple of %u (blocksz/framesz = %u/%u frames per block); use %u",
		       port->name, ap->framecnt, per_block, ap->blocksz, ap->framesz,
		       SL_ALIGN_UP(ap->framecnt, per_block));
		return -EINVAL;
	}
	return 0;
}

static int afp_probe(struct sl_port *port, const struct sl_devargs *args)
{
	const char *iface = sl_devargs_get(args, "iface");
	uint64_t qpairs = 1, blocksz = DEFAULT_BLOCKSZ, framesz = DEFAULT_FRAMESZ;
	uint64_t framecnt = DEFAULT_FRAMECNT;
	struct afp_port *ap;
	struct ifreq ifr;
	int rc = 0;

	if (iface == NULL || *iface == '\0') {
		SL_LOG(net_af_packet, ERR,
		       "%s: iface=NAME is required (the kernel interface to attach to, "
		       "e.g. %s,iface=veth0)",
		       port->name, port->name);
		return -EINVAL;
	}
	if (strlen(iface) >= IFNAMSIZ) {
		SL_LOG(net_af_packet, ERR,
		       "%s: iface=%s is longer than the kernel's %d-character limit", port->name,
		       iface, IFNAMSIZ - 1);
		return -EINVAL;
	}
	ap = calloc(1, sizeof(*ap));
	if (ap == NULL)
		return -ENOMEM;
	ap->qdisc_bypass = true;
	rc |= sl_devargs_uint(args, port->name, "qpairs", 1, SL_PORT_MAX_QUEUES, &qpairs);
	rc |= sl_devargs_uint(args, port->name, "blocksz", 4096, 1u << 24, &blocksz);
	rc |= sl_devargs_uint(args, port->name, "framesz", 128, 1u << 24, &framesz);
	rc |= sl_devargs_uint(args, port->name, "framecnt", 1, 1u << 20, &framecnt);
	rc |= sl_devargs_bool(args, port->name, "qdisc_bypass", &ap->qdisc_bypass);
	if (rc) {
		rc = -EINVAL;
		goto free_ap;
	}
	strcpy(ap->iface, iface);
	ap->qpairs = (uint16_t)qpairs;
	ap->blocksz = (uint32_t)blocksz;
	ap->framesz = (uint32_t)framesz;
	ap->framecnt = (uint32_t)framecnt;
	ap->fanout_id = -1;
	rc = check_geometry(port, ap);
	if (rc < 0)
		goto free_ap;
	ap->ifindex = (int)if_nametoindex(iface);
	if (ap->ifindex == 0) {
		rc = errno == ENODEV || errno == ENXIO || errno == 0 ? -ENODEV : -errno;
		SL_LOG(net_af_packet, ERR,
		       "%s: interface '%s' not found (%s); list interfaces with `ip link`, "
		       "and check that the process runs in the interface's network namespace",
		       port->name, iface, strerror(-rc));
		goto free_ap;
	}
	ap->ctl_fd = packet_socket(port);
	if (ap->ctl_fd < 0) {
		rc = ap->ctl_fd;
		goto free_ap;
	}
	port->priv = ap;
	rc = sl_ifnet_mac_mtu(port, ap->ctl_fd, iface);
	if (rc < 0)
		goto close_ctl;
	if ((size_t)port->mtu + ETH_HLEN_ > ap->framesz - TX_DATA_OFF)
		SL_LOG(net_af_packet, NOTICE,
		       "%s: %s has MTU %u but tx frames carry at most %zu bytes; raise "
		       "framesz to send full-size packets",
		       port->name, iface, port->mtu, ap->framesz - TX_DATA_OFF);
	if (ifreq_ioctl(ap, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP))
		SL_LOG(net_af_packet, WARNING,
		       "%s: %s is down; bring it up with `ip link set dev %s up`", port->name,
		       iface, iface);
	port->ops = &afp_ops;
	port->rx = afp_rx;
	port->tx = afp_tx;
	return 0;
close_ctl:
	close(ap->ctl_fd);
	port->priv = NULL;
free_ap:
	free(ap);
	return rc;
}

static const char *const afp_keys[] = {"iface", "qpairs", "blocksz", "framesz", "framecnt",
				       "qdisc_bypass", NULL};

const struct sl_port_driver sl_port_driver_af_packet = {
	.name = "net_af_packet",
	.keys = afp_keys,
	.usage = "iface=IFNAME (required) qpairs=N (1) blocksz=BYTES (65536) framesz=BYTES (2048) "
		 "framecnt=N (512) qdisc_bypass=0|1 (1)",
	.probe = afp_probe,
};
