/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the port layer does in software for drivers that cannot: RSS, rx checksum status,
 * tx checksums and VLAN insertion.  It costs nothing on ports that ask for none of it: the
 * fast-path entries then hold the driver's burst functions directly.
 *
 * RSS.  A port whose driver has no RSS of its own (info.rss_types 0) can still be
 * configured with rss_types and up to SL_PORT_MAX_QUEUES rx queues.  The driver gets
 * min(nb_rxq, its max_rxq) queues.  Every rx queue q polls its driver queue (when it has
 * one), hashes each packet (Toeplitz over the configured tuple, the port's key), stores
 * the hash, keeps the packets whose redirection-table entry is q and hands each other one
 * to its queue through a single-producer/single-consumer ring (from q to that queue); then
 * it fills the rest of the burst from the rings towards q.  No locks: ring (f, t) is
 * written by queue f's thread and read by queue t's.  A ring that is full drops the packet,
 * counted (rx_q<f>_rss_ring_full, in imissed).  Queues must all be polled, as on hardware.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "port_priv.h"
#include "sl_cksum.h"
#include "sl_ring.h"
#include "sl_rss.h"

#define SOFT_RX_MAX 64 /* packets taken from the driver per rx call */
#define SOFT_RING_SIZE 1024

struct soft_rxq {
	struct sl_port_qstats st; /* (data path) handed out by this queue (RSS) */
	uint64_t ring_full;	  /* (data path) packets for other queues their ring refused */
	sl_port_burst_fn drv_rx;  /* the driver's queue this one polls, or NULL */
	void *drv_q;
	struct sl_port_soft *soft;
	uint16_t qid;
	uint16_t next_in;			 /* round robin over the rings towards this queue */
	struct sl_ring *out[SL_PORT_MAX_QUEUES]; /* to queue t (NULL for itself) */
	struct sl_ring *in[SL_PORT_MAX_QUEUES];	 /* from queue f (NULL for itself) */
} SL_CACHE_ALIGNED;

struct soft_txq {
	struct sl_port_qstats st; /* unused: tx counts are the driver's */
	uint64_t vlan_no_room;	  /* (data path) packets dropped: no headroom for their tag */
	sl_port_burst_fn drv_tx;
	void *drv_q;
	uint64_t sw_tx; /* SL_PKT_TX_* done here for the driver */
} SL_CACHE_ALIGNED;

struct sl_port_soft {
	uint64_t rss_types; /* 0: no RSS */
	uint64_t rx_cksum;  /* set the rx checksum flags */
	uint64_t sw_tx;	    /* SL_PKT_TX_* done here */
	uint16_t nb_rxq, nb_drv_rxq, nb_txq;
	struct sl_rss_key *key;
	uint8_t key_bytes[SL_RSS_KEY_LEN];
	unsigned key_len;
	uint16_t reta[SL_PORT_RETA_SIZE]; /* (control) atomic stores, read by every rx queue */
	bool running;
	struct soft_counts base[SL_PORT_MAX_QUEUES]; /* (control) values at the last reset */
	struct soft_rxq rxq[SL_PORT_MAX_QUEUES];
	struct soft_txq txq[SL_PORT_MAX_QUEUES];
};

#define SOFT_TX_CKSUM (SL_PKT_TX_IP_CKSUM | SL_PKT_TX_TCP_CKSUM | SL_PKT_TX_UDP_CKSUM)
#define SOFT_TX_ALL (SOFT_TX_CKSUM | SL_PKT_TX_VLAN)

/* --- per packet --- */

/* Where a packet's IP and UDP/TCP headers are, as far as RSS and checksums need: behind
 * Ethernet and up to two VLAN tags; IPv6 without extension headers; no L4 for an IPv4
 * fragment.  Every offset read is inside the first segment.  (sl_net_parse() does the
 * whole job, tunnels included, for five times the instructions: too much per packet.) */
struct soft_hdrs {
	uint16_t l3, l4; /* offsets; l4 valid when proto is set */
	uint8_t ipv;	 /* 4, 6, or 0 when not IP */
	uint8_t proto;	 /* SL_IPPROTO_TCP / _UDP, or 0 */
};

static void soft_parse(const struct sl_pktbuf *p, struct soft_hdrs *h)
{
	const uint8_t *d = sl_pktbuf_mtod(p, const uint8_t *);
	uint32_t len = p->data_len, off = 14, ihl = 40;
	uint16_t type;
	uint8_t proto;

	h->ipv = h->proto = 0;
	h->l3 = h->l4 = 0;
	if (len < 14)
		return;
	type = (uint16_t)(d[12] << 8 | d[13]);
	for (int v = 0; v < 2 && (type == SL_ETHER_TYPE_VLAN || type == 0x88a8); v++, off += 4) {
		if (off + 4 > len)
			return;
		type = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
	}
	h->l3 = (uint16_t)off;
	if (type == SL_ETHER_TYPE_IPV4 && off + SL_IPV4_HDR_LEN <= len && (d[off] >> 4) == 4) {
		ihl = (d[off] & 0xfu) * 4;
		if (ihl < SL_IPV4_HDR_LEN || off + ihl > len)
			return;
		h->ipv = 4;
		proto = (d[off + 6] & 0x3f) || d[off + 7] ? 0 : d[off + 9]; /* fragment: no L4 */
	} else if (type == SL_ETHER_TYPE_IPV6 && off + 40 <= len && (d[off] >> 4) == 6) {
		h->ipv = 6;
		proto = d[off + 6];
	} else {
		return;
	}
	if ((proto == SL_IPPROTO_TCP || proto == SL_IPPROTO_UDP) && off + ihl + 4 <= len) {
		h->proto = proto;
		h->l4 = (uint16_t)(off + ihl);
	}
}

/* Toeplitz hash of the packet's tuple for the configured types; 0 when none applies. */
static uint32_t pkt_hash(const struct sl_port_soft *s, const struct sl_pktbuf *p,
			 const struct soft_hdrs *h)
{
	const uint8_t *d = sl_pktbuf_mtod(p, const uint8_t *);
	uint64_t l4_types = h->proto == SL_IPPROTO_TCP ? SL_PORT_RSS_IPV4_TCP | SL_PORT_RSS_IPV6_TCP
			    : h->proto == SL_IPPROTO_UDP
				    ? SL_PORT_RSS_IPV4_UDP | SL_PORT_RSS_IPV6_UDP
				    : 0;
	uint8_t tuple[SL_RSS_IPV6_L4_LEN];
	uint16_t ports[2] = {0, 0};

	/* Each branch hashes a tuple of constant length: sl_rss_hash() unrolls. */
	if (h->proto)
		memcpy(ports, d + h->l4, 4);
	if (h->ipv == 4) {
		const struct sl_ipv4_hdr *ip = (const void *)(d + h->l3);

		if (s->rss_types & l4_types & (SL_PORT_RSS_IPV4_TCP | SL_PORT_RSS_IPV4_UDP))
			return sl_rss_hash(s->key, tuple,
					   sl_rss_tuple_ipv4_l4(tuple, ip->src_addr, ip->dst_addr,
								ports[0], ports[1]));
		if (s->rss_types & SL_PORT_RSS_IPV4)
			return sl_rss_hash(s->key, tuple,
					   sl_rss_tuple_ipv4(tuple, ip->src_addr, ip->dst_addr));
	} else if (h->ipv == 6) {
		const struct sl_ipv6_hdr *ip6 = (const void *)(d + h->l3);

		if (s->rss_types & l4_types & (SL_PORT_RSS_IPV6_TCP | SL_PORT_RSS_IPV6_UDP))
			return sl_rss_hash(s->key, tuple,
					   sl_rss_tuple_ipv6_l4(tuple, ip6->src_addr, ip6->dst_addr,
								ports[0], ports[1]));
		if (s->rss_types & SL_PORT_RSS_IPV6)
			return sl_rss_hash(s->key, tuple,
					   sl_rss_tuple_ipv6(tuple, ip6->src_addr, ip6->dst_addr));
	}
	return 0;
}

/* Sets the rx checksum flags from the headers (IPv4 header; UDP/TCP over IPv4 or IPv6). */
static void rx_cksum(struct sl_pktbuf *p, const struct soft_hdrs *h)
{
	int rc;

	if (h->ipv == 4)
		p->ol_flags |=
			sl_ipv4_cksum_verify(sl_pktbuf_mtod_offset(p, const void *, h->l3)) == 0
				? SL_PKT_RX_IP_CKSUM_GOOD
				: SL_PKT_RX_IP_CKSUM_BAD;
	if (h->proto == 0)
		return;
	rc = sl_udptcp_cksum_pkt_verify(p, h->l3, h->l4);
	if (rc == 0)
		p->ol_flags |= SL_PKT_RX_L4_CKSUM_GOOD;
	else if (rc == -EBADMSG)
		p->ol_flags |= SL_PKT_RX_L4_CKSUM_BAD;
}

/* --- rx --- */

static uint16_t rx_from_rings(struct soft_rxq *q, struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t nb = 0, nq = q->soft->nb_rxq;

	for (uint16_t k = 0; k < nq && nb < n; k++) {
		uint16_t f = (uint16_t)((q->next_in + k) % nq);

		if (q->in[f])
			nb += (uint16_t)sl_ring_sc_dequeue_burst(q->in[f], (void **)pkts + nb,
								 n - nb, NULL);
	}
	q->next_in = (uint16_t)((q->next_in + 1) % nq);
	return nb;
}

static uint16_t soft_rx(void *queue, struct sl_pktbuf **pkts, uint16_t n)
{
	struct soft_rxq *q = queue;
	struct sl_port_soft *s = q->soft;
	struct sl_pktbuf *to[SL_PORT_MAX_QUEUES][SOFT_RX_MAX];
	uint16_t cnt[SL_PORT_MAX_QUEUES] = {0};
	uint16_t got = 0, kept = 0;
	uint64_t bytes = 0;
	/* Per burst, in locals: the packet stores below could alias s (no strict aliasing). */
	const bool rss = s->rss_types != 0, cksum = s->rx_cksum != 0;
	const uint16_t me = q->qid;

	if (q->drv_rx)
		got = q->drv_rx(q->drv_q, pkts, SL_MIN(n, SOFT_RX_MAX));
	for (uint16_t i = 0; i < got; i++) {
		struct sl_pktbuf *p = pkts[i];
		struct soft_hdrs hd;

		soft_parse(p, &hd);
		if (cksum)
			rx_cksum(p, &hd);
		if (rss) {
			uint32_t h = pkt_hash(s, p, &hd);
			uint16_t t =
				__atomic_load_n(&s->reta[h % SL_PORT_RETA_SIZE], __ATOMIC_RELAXED);

			p->rss_hash = h;
			p->ol_flags |= SL_PKT_RX_RSS_HASH;
			if (t != me && q->out[t]) {
				to[t][cnt[t]++] = p;
				continue;
			}
		}
		pkts[kept++] = p;
	}
	for (uint16_t t = 0; rss && t < s->nb_rxq; t++) {
		unsigned in;

		if (cnt[t] == 0)
			continue;
		in = sl_ring_sp_enqueue_burst(q->out[t], (void *const *)to[t], cnt[t], NULL);
		if (sl_unlikely(in < cnt[t])) {
			sl_counter_add(&q->ring_full, cnt[t] - in);
			sl_pktbuf_free_bulk(to[t] + in, (uint16_t)(cnt[t] - in));
		}
	}
	if (rss) {
		kept += rx_from_rings(q, pkts + kept, (uint16_t)(n - kept));
		for (uint16_t i = 0; i < kept; i++)
			bytes += pkts[i]->pkt_len;
		sl_counter_add(&q->st.packets, kept);
		sl_counter_add(&q->st.bytes, bytes);
	}
	return kept;
}

/* --- tx --- */

/* Inserts the VLAN tag of p->vlan_tci after the MAC addresses; -ENOSPC without headroom. */
static int vlan_insert(struct sl_pktbuf *p)
{
	uint8_t *d;

	if (p->data_len < 2 * SL_ETHER_ADDR_LEN || sl_pktbuf_prepend(p, 4) == NULL)
		return -ENOSPC;
	d = sl_pktbuf_mtod(p, uint8_t *);
	memmove(d, d + 4, 2 * SL_ETHER_ADDR_LEN);
	d[12] = 0x81;
	d[13] = 0x00;
	d[14] = (uint8_t)(p->vlan_tci >> 8);
	d[15] = (uint8_t)p->vlan_tci;
	p->ol_flags &= ~SL_PKT_TX_VLAN;
	return 0;
}

/* Fills the checksums p asks for, with the header lengths it carries (l2_len, l3_len);
 * headers that do not describe the packet leave it as it is (the receiver will see a bad
 * checksum, as with a NIC given wrong lengths). */
static void tx_cksum(struct sl_pktbuf *p, uint64_t sw_tx)
{
	uint32_t l3 = p->l2_len, l4 = p->l2_len + p->l3_len;
	uint64_t want = p->ol_flags & sw_tx;

	if ((want & SL_PKT_TX_IP_CKSUM) && (p->ol_flags & SL_PKT_TX_IPV4) &&
	    l3 + SL_IPV4_HDR_LEN <= p->data_len) {
		struct sl_ipv4_hdr *ip = sl_pktbuf_mtod_offset(p, struct sl_ipv4_hdr *, l3);

		if (l3 + sl_ipv4_hdr_len(ip) <= p->data_len)
			ip->hdr_checksum = sl_ipv4_cksum(ip);
	}
	if (want & (SL_PKT_TX_TCP_CKSUM | SL_PKT_TX_UDP_CKSUM))
		sl_udptcp_cksum_pkt_set(p, l3, l4);
}

/*
 * The driver sends the packets its fast path left in pkts[0..m-1]; the d packets dropped
 * here (freed, counted) were taken too.  So that pkts[ret..n-1] stay the caller's packets
 * in their order, the ones the driver did not take move up by d.
 */
static uint16_t send_kept(struct soft_txq *q, struct sl_pktbuf **pkts, uint16_t m, uint16_t d,
			  struct sl_pktbuf **dropped)
{
	uint16_t k = q->drv_tx(q->drv_q, pkts, m);

	if (sl_likely(d == 0))
		return k;
	memmove(pkts + k + d, pkts + k, (size_t)(m - k) * sizeof(*pkts));
	memcpy(pkts + k, dropped, (size_t)d * sizeof(*pkts));
	return (uint16_t)(k + d);
}

#define SOFT_TX_CHUNK 64

static uint16_t soft_tx_chunk(struct soft_txq *q, struct sl_pktbuf **pkts, uint16_t n)
{
	const uint64_t sw_tx = q->sw_tx;
	struct sl_pktbuf *dropped[SOFT_TX_CHUNK];
	uint16_t m = 0, d = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		if (sl_unlikely(p->ol_flags & sw_tx)) {
			if (p->ol_flags & sw_tx & SOFT_TX_CKSUM)
				tx_cksum(p, sw_tx);
			if ((p->ol_flags & sw_tx & SL_PKT_TX_VLAN) && vlan_insert(p) < 0) {
				/* Sent untagged it would land in the wrong VLAN: dropped. */
				sl_counter_add(&q->vlan_no_room, 1);
				sl_pktbuf_free(p);
				dropped[d++] = p;
				continue;
			}
		}
		pkts[m++] = p;
	}
	return send_kept(q, pkts, m, d, dropped);
}

static uint16_t soft_tx(void *queue, struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t done = 0;

	if (sl_unlikely(n == 0)) { /* an empty burst reaches the driver (sl_port_info.tx_kick) */
		struct soft_txq *q = queue;

		return q->drv_tx(q->drv_q, pkts, 0);
	}
	while (done < n) {
		uint16_t chunk = (uint16_t)SL_MIN(n - done, SOFT_TX_CHUNK);
		uint16_t sent = soft_tx_chunk(queue, pkts + done, chunk);

		done = (uint16_t)(done + sent);
		if (sent < chunk)
			break;
	}
	return done;
}

/* --- control --- */

int soft_configure(struct sl_port *port, const struct sl_port_conf *conf,
		   const struct sl_port_info *info)
{
	struct sl_port_soft *s = port->soft;
	bool rss = conf->rss_types && info->rss_types == 0 && conf->nb_rxq > 0;
	uint64_t rx_cksum = conf->rx_offloads & SL_PORT_RX_CKSUM & ~info->rx_offloads;
	uint64_t sw_tx = conf->tx_offloads & SOFT_TX_ALL & ~info->tx_offloads;

	soft_free(port);
	if (!rss && !rx_cksum && !sw_tx)
		return 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->rss_types = rss ? conf->rss_types : 0;
	s->rx_cksum = rx_cksum;
	s->sw_tx = sw_tx;
	s->nb_rxq = conf->nb_rxq;
	s->nb_txq = conf->nb_txq;
	s->nb_drv_rxq = rss ? SL_MIN(conf->nb_rxq, info->max_rxq) : conf->nb_rxq;
	memcpy(s->key_bytes, sl_rss_key_default, SL_RSS_KEY_LEN);
	s->key_len = SL_RSS_KEY_LEN;
	s->key = sl_rss_key_init(s->key_bytes, s->key_len);
	if (s->key == NULL) {
		free(s);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < SL_PORT_RETA_SIZE; i++)
		s->reta[i] = s->nb_rxq ? (uint16_t)(i % s->nb_rxq) : 0;
	port->soft = s;
	if (rss)
		SL_LOG(port, INFO, "%s: RSS in software: %u rx queues over %u of driver %s",
		       port->name, s->nb_rxq, s->nb_drv_rxq, port->drv->name);
	return 0;
}

uint16_t soft_driver_rxq(const struct sl_port *port)
{
	return port->soft && port->soft->rss_types ? port->soft->nb_drv_rxq : port->conf.nb_rxq;
}

uint64_t soft_sw_tx(const struct sl_port *port)
{
	return port->soft ? port->soft->sw_tx : 0;
}

bool soft_has_rss(const struct sl_port *port)
{
	return port->soft && port->soft->rss_types;
}

static void rings_free(struct sl_port_soft *s)
{
	for (uint16_t f = 0; f < SL_PORT_MAX_QUEUES; f++)
		for (uint16_t t = 0; t < SL_PORT_MAX_QUEUES; t++)
			if (s->rxq[f].out[t]) {
				sl_port_ring_free_pkts(s->rxq[f].out[t]);
				sl_ring_free(s->rxq[f].out[t]);
				s->rxq[f].out[t] = s->rxq[t].in[f] = NULL;
			}
}

sl_port_burst_fn soft_rx_fn(const struct sl_port *port)
{
	const struct sl_port_soft *s = port->soft;

	return s && (s->rss_types || s->rx_cksum) ? soft_rx : NULL;
}

sl_port_burst_fn soft_tx_fn(const struct sl_port *port)
{
	return port->soft && port->soft->sw_tx ? soft_tx : NULL;
}

/* Puts the software stage's queues in the port's fast-path entries while their bursts are
 * still the stopped ones; sl_port_start() then installs soft_rx_fn() / soft_tx_fn(). */
int soft_start(struct sl_port *port)
{
	struct sl_port_soft *s = port->soft;
	struct sl_port_fp *fp = &sl_port_fps[port->id];

	if (s == NULL)
		return 0;
	for (uint16_t f = 0; s->rss_types && f < s->nb_rxq; f++)
		for (uint16_t t = 0; t < s->nb_rxq; t++) {
			char name[SL_RING_NAME_SIZE];
			struct sl_ring *r;

			if (f == t || s->rxq[f].out[t])
				continue;
			snprintf(name, sizeof(name), "rss%u_%u_%u", port->id, f, t);
			r = sl_ring_create(name, SOFT_RING_SIZE, SL_NODE_ANY,
					   SL_RING_SP_ENQ | SL_RING_SC_DEQ);
			if (r == NULL) {
				SL_LOG(port, ERR, "%s: cannot create the RSS ring %s: %s",
				       port->name, name, strerror(errno));
				rings_free(s);
				return -ENOMEM;
			}
			s->rxq[f].out[t] = s->rxq[t].in[f] = r;
		}
	for (uint16_t q = 0; q < s->nb_rxq && (s->rss_types || s->rx_cksum); q++) {
		struct soft_rxq *sq = &s->rxq[q];

		sq->soft = s;
		sq->qid = q;
		sq->drv_rx = q < s->nb_drv_rxq ? port->rx : NULL;
		sq->drv_q = q < s->nb_drv_rxq ? port->rxq[q] : NULL;
		__atomic_store_n(&fp->rxq[q].queue, (void *)sq, __ATOMIC_RELEASE);
	}
	for (uint16_t q = 0; q < s->nb_txq && s->sw_tx; q++) {
		struct soft_txq *sq = &s->txq[q];

		sq->drv_tx = port->tx;
		sq->drv_q = port->txq[q];
		sq->sw_tx = s->sw_tx;
		__atomic_store_n(&fp->txq[q].queue, (void *)sq, __ATOMIC_RELEASE);
	}
	s->running = true;
	return 0;
}

/* After the port layer set the entries to stopped: back to the driver's queues. */
void soft_stop(struct sl_port *port)
{
	struct sl_port_soft *s = port->soft;
	struct sl_port_fp *fp = &sl_port_fps[port->id];

	if (s == NULL || !s->running)
		return;
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		if (port->rxq_ready[q])
			__atomic_store_n(&fp->rxq[q].queue,
					 port->rxq[q] ? port->rxq[q] : (void *)&s->rxq[q],
					 __ATOMIC_RELEASE);
		if (port->txq_ready[q])
			__atomic_store_n(&fp->txq[q].queue, port->txq[q], __ATOMIC_RELEASE);
	}
	s->running = false;
}

void soft_free(struct sl_port *port)
{
	struct sl_port_soft *s = port->soft;

	if (s == NULL)
		return;
	rings_free(s);
	sl_rss_key_free(s->key);
	free(s);
	port->soft = NULL;
}

/* Queue q's counters of the software stage since the last reset: what an rx queue handed
 * out under RSS (false when the port has no RSS there), its ring drops, and the packets a
 * tx queue dropped for want of room for their VLAN tag. */
bool soft_counts(const struct sl_port *port, uint16_t q, struct soft_counts *c)
{
	const struct sl_port_soft *s = port->soft;

	memset(c, 0, sizeof(*c));
	if (s == NULL || q >= SL_PORT_MAX_QUEUES)
		return false;
	c->vlan_no_room = sl_counter_read(&s->txq[q].vlan_no_room) - s->base[q].vlan_no_room;
	if (!s->rss_types || q >= s->nb_rxq)
		return false;
	c->packets = sl_counter_read(&s->rxq[q].st.packets) - s->base[q].packets;
	c->bytes = sl_counter_read(&s->rxq[q].st.bytes) - s->base[q].bytes;
	c->ring_full = sl_counter_read(&s->rxq[q].ring_full) - s->base[q].ring_full;
	return true;
}

void soft_stats_reset(struct sl_port *port)
{
	struct sl_port_soft *s = port->soft;

	if (s == NULL)
		return;
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		s->base[q].packets = sl_counter_read(&s->rxq[q].st.packets);
		s->base[q].bytes = sl_counter_read(&s->rxq[q].st.bytes);
		s->base[q].ring_full = sl_counter_read(&s->rxq[q].ring_full);
		s->base[q].vlan_no_room = sl_counter_read(&s->txq[q].vlan_no_room);
	}
}

/* --- RSS key and redirection table --- */

int soft_rss_key_set(struct sl_port *port, const uint8_t *key, unsigned len)
{
	struct sl_port_soft *s = port->soft;
	struct sl_rss_key *k;

	if (key == NULL || len < 4 || len > SL_RSS_KEY_LEN) {
		SL_LOG(port, ERR, "%s: an RSS key of %u bytes: give 4 to %d bytes", port->name, len,
		       SL_RSS_KEY_LEN);
		return -EINVAL;
	}
	if (port->state == SL_PORT_STARTED) {
		SL_LOG(port, ERR, "%s: stop the port before changing its RSS key", port->name);
		return -EBUSY;
	}
	k = sl_rss_key_init(key, len);
	if (k == NULL)
		return -ENOMEM;
	sl_rss_key_free(s->key);
	s->key = k;
	memcpy(s->key_bytes, key, len);
	s->key_len = len;
	return 0;
}

int soft_reta_set(struct sl_port *port, const uint16_t *reta, unsigned n)
{
	struct sl_port_soft *s = port->soft;

	if (reta == NULL || n != SL_PORT_RETA_SIZE) {
		SL_LOG(port, ERR, "%s: a redirection table of %u entries: this port's has %d",
		       port->name, n, SL_PORT_RETA_SIZE);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++)
		if (reta[i] >= s->nb_rxq) {
			SL_LOG(port, ERR,
			       "%s: redirection table entry %u is queue %u; the port has %u rx queues",
			       port->name, i, reta[i], s->nb_rxq);
			return -EINVAL;
		}
	/* Entry by entry, while traffic flows: a packet goes to the old or the new queue. */
	for (unsigned i = 0; i < n; i++)
		__atomic_store_n(&s->reta[i], reta[i], __ATOMIC_RELAXED);
	return 0;
}

int soft_reta_get(struct sl_port *port, uint16_t *reta, unsigned n)
{
	const struct sl_port_soft *s = port->soft;

	if (reta == NULL || n < SL_PORT_RETA_SIZE) {
		SL_LOG(port, ERR, "%s: room for %u entries: the redirection table has %d",
		       port->name, n, SL_PORT_RETA_SIZE);
		return -EINVAL;
	}
	for (unsigned i = 0; i < SL_PORT_RETA_SIZE; i++)
		reta[i] = __atomic_load_n(&s->reta[i], __ATOMIC_RELAXED);
	return SL_PORT_RETA_SIZE;
}
