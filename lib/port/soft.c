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
#include "sl_parse.h"
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
	uint64_t vlan_no_room;	  /* (data path) tags not inserted for want of headroom */
	sl_port_burst_fn drv_tx;
	void *drv_q;
	uint64_t todo; /* SL_PKT_TX_* the port does for the driver */
} SL_CACHE_ALIGNED;

struct sl_port_soft {
	uint64_t rss_types; /* 0: no RSS */
	uint64_t rx_cksum;  /* set the rx checksum flags */
	uint64_t tx_todo;   /* SL_PKT_TX_* done here */
	uint16_t nb_rxq, nb_drv_rxq, nb_txq;
	struct sl_rss_key *key;
	uint8_t key_bytes[SL_RSS_KEY_LEN];
	unsigned key_len;
	uint16_t reta[SL_PORT_RETA_SIZE]; /* (control) atomic stores, read by every rx queue */
	bool running;
	struct soft_rxq rxq[SL_PORT_MAX_QUEUES];
	struct soft_txq txq[SL_PORT_MAX_QUEUES];
};

#define SOFT_TX_CKSUM (SL_PKT_TX_IP_CKSUM | SL_PKT_TX_TCP_CKSUM | SL_PKT_TX_UDP_CKSUM)
#define SOFT_TX_ALL (SOFT_TX_CKSUM | SL_PKT_TX_VLAN)

/* --- per packet --- */

/* Toeplitz hash of the packet's tuple for the configured types; 0 when none applies. */
static uint32_t pkt_hash(const struct sl_port_soft *s, struct sl_pktbuf *p,
			 const struct sl_parse_result *r)
{
	const uint8_t *d = sl_pktbuf_mtod(p, const uint8_t *);
	uint32_t l3 = r->ptype & SL_PTYPE_L3_MASK, l4 = r->ptype & SL_PTYPE_L4_MASK;
	bool v4 = l3 == SL_PTYPE_L3_IPV4 || l3 == SL_PTYPE_L3_IPV4_EXT;
	bool v6 = l3 == SL_PTYPE_L3_IPV6 || l3 == SL_PTYPE_L3_IPV6_EXT;
	bool tcp = l4 == SL_PTYPE_L4_TCP, udp = l4 == SL_PTYPE_L4_UDP;
	uint8_t tuple[SL_RSS_IPV6_L4_LEN];
	uint16_t ports[2] = {0, 0};
	size_t len = 0;

	if ((r->ptype & SL_PTYPE_MALFORMED) || r->l4_off + 4u > p->data_len)
		tcp = udp = false;
	if (tcp || udp)
		memcpy(ports, d + r->l4_off, 4);
	if (v4 && r->l3_off + 20u <= p->data_len) {
		const struct sl_ipv4_hdr *ip = (const void *)(d + r->l3_off);
		bool l4ok = (tcp && (s->rss_types & SL_PORT_RSS_IPV4_TCP)) ||
			    (udp && (s->rss_types & SL_PORT_RSS_IPV4_UDP));

		if (l4ok)
			len = sl_rss_tuple_ipv4_l4(tuple, ip->src_addr, ip->dst_addr, ports[0],
						   ports[1]);
		else if (s->rss_types & SL_PORT_RSS_IPV4)
			len = sl_rss_tuple_ipv4(tuple, ip->src_addr, ip->dst_addr);
	} else if (v6 && r->l3_off + 40u <= p->data_len) {
		const struct sl_ipv6_hdr *ip6 = (const void *)(d + r->l3_off);
		bool l4ok = (tcp && (s->rss_types & SL_PORT_RSS_IPV6_TCP)) ||
			    (udp && (s->rss_types & SL_PORT_RSS_IPV6_UDP));

		if (l4ok)
			len = sl_rss_tuple_ipv6_l4(tuple, ip6->src_addr, ip6->dst_addr, ports[0],
						   ports[1]);
		else if (s->rss_types & SL_PORT_RSS_IPV6)
			len = sl_rss_tuple_ipv6(tuple, ip6->src_addr, ip6->dst_addr);
	}
	return len ? sl_rss_hash(s->key, tuple, len) : 0;
}

/* Sets the rx checksum flags from the headers (IPv4 header; UDP/TCP over IPv4 or IPv6). */
static void rx_cksum(struct sl_pktbuf *p, const struct sl_parse_result *r)
{
	uint32_t l3 = r->ptype & SL_PTYPE_L3_MASK, l4 = r->ptype & SL_PTYPE_L4_MASK;
	bool v4 = l3 == SL_PTYPE_L3_IPV4 || l3 == SL_PTYPE_L3_IPV4_EXT;
	bool v6 = l3 == SL_PTYPE_L3_IPV6 || l3 == SL_PTYPE_L3_IPV6_EXT;

	if (r->ptype & SL_PTYPE_MALFORMED)
		return;
	if (v4 && r->l4_off <= p->data_len)
		p->ol_flags |=
			sl_ipv4_cksum_verify(sl_pktbuf_mtod_offset(p, const void *, r->l3_off)) == 0
				? SL_PKT_RX_IP_CKSUM_GOOD
				: SL_PKT_RX_IP_CKSUM_BAD;
	if ((v4 || v6) && (l4 == SL_PTYPE_L4_TCP || l4 == SL_PTYPE_L4_UDP)) {
		int rc = sl_udptcp_cksum_pkt_verify(p, r->l3_off, r->l4_off);

		if (rc == 0)
			p->ol_flags |= SL_PKT_RX_L4_CKSUM_GOOD;
		else if (rc == -EBADMSG)
			p->ol_flags |= SL_PKT_RX_L4_CKSUM_BAD;
	}
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

	if (q->drv_rx)
		got = q->drv_rx(q->drv_q, pkts, SL_MIN(n, SOFT_RX_MAX));
	for (uint16_t i = 0; i < got; i++) {
		struct sl_pktbuf *p = pkts[i];
		struct sl_parse_result r;

		sl_net_parse(p, &r);
		if (s->rx_cksum)
			rx_cksum(p, &r);
		if (s->rss_types) {
			uint16_t t;

			p->rss_hash = pkt_hash(s, p, &r);
			p->ol_flags |= SL_PKT_RX_RSS_HASH;
			t = __atomic_load_n(&s->reta[p->rss_hash % SL_PORT_RETA_SIZE],
					    __ATOMIC_RELAXED);
			if (t != q->qid && q->out[t]) {
				to[t][cnt[t]++] = p;
				continue;
			}
		}
		pkts[kept++] = p;
	}
	for (uint16_t t = 0; s->rss_types && t < s->nb_rxq; t++) {
		unsigned in;

		if (cnt[t] == 0)
			continue;
		in = sl_ring_sp_enqueue_burst(q->out[t], (void *const *)to[t], cnt[t], NULL);
		if (sl_unlikely(in < cnt[t])) {
			sl_counter_add(&q->ring_full, cnt[t] - in);
			sl_pktbuf_free_bulk(to[t] + in, (uint16_t)(cnt[t] - in));
		}
	}
	if (s->rss_types) {
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

/* Fills the checksums p asks for, with the header lengths it carries (l2_len, l3_len). */
static void tx_cksum(struct sl_pktbuf *p, uint64_t todo)
{
	uint32_t l3 = p->l2_len, l4 = p->l2_len + p->l3_len;
	uint64_t want = p->ol_flags & todo;
	uint8_t *d = sl_pktbuf_mtod(p, uint8_t *);

	if (l4 + 8 > p->data_len)
		return; /* headers must be in the first segment; sent as they are */
	if ((want & SL_PKT_TX_IP_CKSUM) && (p->ol_flags & SL_PKT_TX_IPV4)) {
		struct sl_ipv4_hdr *ip = (void *)(d + l3);

		ip->hdr_checksum = sl_ipv4_cksum(ip);
	}
	if (want & (SL_PKT_TX_TCP_CKSUM | SL_PKT_TX_UDP_CKSUM)) {
		int c = sl_udptcp_cksum_pkt(p, l3, l4);
		uint32_t off = want & SL_PKT_TX_TCP_CKSUM ? 16 : 6;

		if (c >= 0 && l4 + off + 2 <= p->data_len)
			memcpy(d + l4 + off, &(uint16_t){(uint16_t)c}, 2);
	}
}

static uint16_t soft_tx(void *queue, struct sl_pktbuf **pkts, uint16_t n)
{
	struct soft_txq *q = queue;

	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		if (sl_likely((p->ol_flags & q->todo) == 0))
			continue;
		if ((p->ol_flags & q->todo & SOFT_TX_CKSUM))
			tx_cksum(p, q->todo);
		if ((p->ol_flags & q->todo & SL_PKT_TX_VLAN) && vlan_insert(p) < 0) {
			p->ol_flags &= ~SL_PKT_TX_VLAN; /* sent untagged, and counted */
			sl_counter_add(&q->vlan_no_room, 1);
		}
	}
	return q->drv_tx(q->drv_q, pkts, n);
}

/* --- control --- */

int soft_configure(struct sl_port *port, const struct sl_port_conf *conf,
		   const struct sl_port_info *info)
{
	struct sl_port_soft *s = port->soft;
	bool rss = conf->rss_types && info->rss_types == 0 && conf->nb_rxq > 0;
	uint64_t rx_cksum = conf->rx_offloads & SL_PORT_RX_CKSUM & ~info->rx_offloads;
	uint64_t tx_todo = conf->tx_offloads & SOFT_TX_ALL & ~info->tx_offloads;

	if (tx_todo & SOFT_TX_CKSUM) /* the context flags tell IPv4 from IPv6 */
		tx_todo |= SL_PKT_TX_IPV4 | SL_PKT_TX_IPV6;

	soft_free(port);
	if (!rss && !rx_cksum && !tx_todo)
		return 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->rss_types = rss ? conf->rss_types : 0;
	s->rx_cksum = rx_cksum;
	s->tx_todo = tx_todo;
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

bool soft_has_rss(const struct sl_port *port)
{
	return port->soft && port->soft->rss_types;
}

static void ring_flush(struct sl_ring *r)
{
	struct sl_pktbuf *pkts[64];
	unsigned n;

	while ((n = sl_ring_sc_dequeue_burst(r, (void **)pkts, 64, NULL)) > 0)
		sl_pktbuf_free_bulk(pkts, (uint16_t)n);
}

static void rings_free(struct sl_port_soft *s)
{
	for (uint16_t f = 0; f < SL_PORT_MAX_QUEUES; f++)
		for (uint16_t t = 0; t < SL_PORT_MAX_QUEUES; t++)
			if (s->rxq[f].out[t]) {
				ring_flush(s->rxq[f].out[t]);
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
	return port->soft && port->soft->tx_todo ? soft_tx : NULL;
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
	for (uint16_t q = 0; q < s->nb_txq && s->tx_todo; q++) {
		struct soft_txq *sq = &s->txq[q];

		sq->drv_tx = port->tx;
		sq->drv_q = port->txq[q];
		sq->todo = s->tx_todo;
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

/* The rx counters of queue q when RSS hands packets out: what the queue handed out. */
bool soft_rx_counts(const struct sl_port *port, uint16_t q, uint64_t *packets, uint64_t *bytes,
		    uint64_t *ring_full)
{
	const struct sl_port_soft *s = port->soft;

	if (!soft_has_rss(port) || q >= s->nb_rxq)
		return false;
	*packets = sl_counter_read(&s->rxq[q].st.packets) - port->soft_base[q].packets;
	*bytes = sl_counter_read(&s->rxq[q].st.bytes) - port->soft_base[q].bytes;
	*ring_full = sl_counter_read(&s->rxq[q].ring_full) - port->soft_base[q].nombuf;
	return true;
}

uint64_t soft_tx_vlan_no_room(const struct sl_port *port, uint16_t q)
{
	return port->soft && q < SL_PORT_MAX_QUEUES
		       ? sl_counter_read(&port->soft->txq[q].vlan_no_room)
		       : 0;
}

void soft_stats_reset(struct sl_port *port)
{
	const struct sl_port_soft *s = port->soft;

	if (!soft_has_rss(port))
		return;
	for (uint16_t q = 0; q < s->nb_rxq; q++) {
		port->soft_base[q].packets = sl_counter_read(&s->rxq[q].st.packets);
		port->soft_base[q].bytes = sl_counter_read(&s->rxq[q].st.bytes);
		port->soft_base[q].nombuf = sl_counter_read(&s->rxq[q].ring_full);
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
