/* SPDX-License-Identifier: BSD-3-Clause */
/* net_bonding's bursts (bond.h says who writes what). */
#include <string.h>

#include "bond.h"
#include "sl_net.h"

static inline const struct bond_set *set_enter(struct bond *b, struct sl_port_epoch *ep)
{
	sl_epoch_enter(ep); /* seq_cst: ordered before the load of cur */
	return &b->sets[__atomic_load_n(&b->cur, __ATOMIC_SEQ_CST)];
}

/* Polls members s->rx[] on queue q, starting at a rotating one so none starves. */
static uint16_t poll_members(struct bond_rxq *rq, const struct bond_set *s, struct sl_pktbuf **pkts,
			     uint16_t n)
{
	uint16_t got = 0, nr = s->n_rx, first = rq->next;

	if (nr == 0)
		return 0;
	if (first >= nr)
		first = 0;
	for (uint16_t i = 0; i < nr && got < n; i++) {
		uint16_t k = (uint16_t)(first + i < nr ? first + i : first + i - nr);

		got = (uint16_t)(got + sl_port_rx_burst(s->rx[k], rq->q, pkts + got,
							(uint16_t)(n - got)));
	}
	rq->next = (uint16_t)(first + 1);
	return got;
}

static void rx_count(struct bond_rxq *rq, struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t port = rq->b->port_id;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		pkts[i]->port = port;
		bytes += pkts[i]->pkt_len;
	}
	sl_counter_add(&rq->st.packets, n);
	sl_counter_add(&rq->st.bytes, bytes);
}

uint16_t bond_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct bond_rxq *rq = q;
	uint16_t got = poll_members(rq, set_enter(rq->b, &rq->ep), pkts, n);

	sl_epoch_leave(&rq->ep);
	rx_count(rq, pkts, got);
	return got;
}

static inline bool is_slow(const struct sl_pktbuf *p)
{
	const uint8_t *d = (const uint8_t *)sl_pktbuf_mtod(p, const uint8_t *);

	return p->data_len >= 14 && d[12] == (SL_ETHER_TYPE_SLOW >> 8) &&
	       d[13] == (SL_ETHER_TYPE_SLOW & 0xff);
}

/* active-backup: the active member (first in the set) fills the burst; what room is
 * left goes to polling the backups, whose frames are dropped, counted: a switch flooding
 * to both links would otherwise deliver each frame twice.  No per-packet check. */
uint16_t bond_rx_active_backup(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct bond_rxq *rq = q;
	const struct bond_set *s = set_enter(rq->b, &rq->ep);
	uint16_t got = 0, nr = s->n_rx;

	if (sl_likely(nr))
		got = sl_port_rx_burst(s->rx[0], rq->q, pkts, n);
	for (uint16_t k = 1; k < nr && got < n; k++) {
		uint16_t nb = sl_port_rx_burst(s->rx[k], rq->q, pkts + got, (uint16_t)(n - got));

		if (nb) {
			sl_pktbuf_free_bulk(pkts + got, nb);
			sl_counter_add(&rq->not_collecting, nb);
		}
	}
	sl_epoch_leave(&rq->ep);
	rx_count(rq, pkts, got);
	return got;
}

/* 802.3ad: every member is polled (its LACP frames come with its traffic) and only the
 * collecting members' frames are delivered, the others' dropped, counted; LACP frames go
 * to the monitor. */
uint16_t bond_rx_8023ad(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct bond_rxq *rq = q;
	struct bond *b = rq->b;
	const struct bond_set *s = set_enter(b, &rq->ep);
	uint16_t got = poll_members(rq, s, pkts, n), keep = 0;
	uint32_t collecting = s->collecting;
	uint64_t slow = 0, full = 0, dropped = 0;

	sl_epoch_leave(&rq->ep);
	for (uint16_t i = 0; i < got; i++) {
		struct sl_pktbuf *p = pkts[i];

		if (sl_unlikely(is_slow(p))) {
			/* p->port is still the member's: the monitor needs to know which. */
			if (sl_ring_mp_enqueue(b->slow_rx, p) == 0) {
				slow++;
			} else {
				sl_pktbuf_free(p);
				full++;
			}
		} else if (sl_unlikely(p->port >= 32 || !(collecting >> p->port & 1))) {
			sl_pktbuf_free(p);
			dropped++;
		} else {
			pkts[keep++] = p;
		}
	}
	if (sl_unlikely(slow | full | dropped)) {
		sl_counter_add(&rq->lacp_rx, slow);
		sl_counter_add(&rq->lacp_rx_full, full);
		sl_counter_add(&rq->not_collecting, dropped);
	}
	rx_count(rq, pkts, keep);
	return keep;
}

/* Offers LACPDU p to member `port` on this queue; holds it when the member is full (up
 * to 4 held, then it is dropped, counted). */
static void slow_send(struct bond_txq *tq, uint16_t port, struct sl_pktbuf *p)
{
	if (sl_port_tx_burst(port, tq->q, &p, 1) == 1) {
		sl_counter_add(&tq->lacp_tx, 1);
	} else if (tq->n_held < SL_ARRAY_SIZE(tq->held)) {
		tq->held[tq->n_held] = p;
		tq->held_port[tq->n_held++] = port;
	} else {
		sl_pktbuf_free(p);
		sl_counter_add(&tq->lacp_tx_full, 1);
	}
}

/* Sends what the monitor queued for the members (LACP), on this queue of each, before the
 * burst's own packets: a saturated link still carries its LACPDUs. */
static void slow_drain(struct bond_txq *tq, const struct bond_set *s)
{
	struct bond *b = tq->b;

	if (sl_unlikely(tq->n_held)) {
		uint16_t n = tq->n_held, port[4];
		struct sl_pktbuf *held[4];

		memcpy(held, tq->held, sizeof(held));
		memcpy(port, tq->held_port, sizeof(port));
		tq->n_held = 0;
		for (uint16_t i = 0; i < n; i++) {
			bool member = false;

			for (uint16_t k = 0; k < s->n_all; k++)
				member |= s->all[k] == port[i];
			if (member) {
				slow_send(tq, port[i], held[i]);
			} else { /* it left the bond meanwhile */
				sl_pktbuf_free(held[i]);
				sl_counter_add(&tq->lacp_tx_full, 1);
			}
		}
	}
	if (sl_likely(!__atomic_load_n(&b->slow_pending, __ATOMIC_RELAXED)) ||
	    !__atomic_exchange_n(&b->slow_pending, 0, __ATOMIC_ACQ_REL))
		return;
	for (uint16_t i = 0; i < s->n_all; i++) {
		struct sl_pktbuf *f[4];
		unsigned nf = sl_ring_mc_dequeue_burst(s->slow_tx[i], (void **)f, 4, NULL);

		for (unsigned k = 0; k < nf; k++)
			slow_send(tq, s->all[i], f[k]);
	}
}

uint16_t bond_tx_active_backup(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct bond_txq *tq = q;
	const struct bond_set *s = set_enter(tq->b, &tq->ep);
	uint16_t nt = s->n_tx, sent = 0;
	uint64_t bytes = sl_port_bytes(pkts, n); /* before: sent packets are the member's */

	if (sl_likely(nt && n))
		sent = sl_port_tx_burst(s->tx[0], tq->q, pkts, n);
	sl_epoch_leave(&tq->ep);
	bytes -= sl_port_bytes(pkts + sent, (uint16_t)(n - sent));
	sl_counter_add(&tq->st.packets, sent);
	sl_counter_add(&tq->st.bytes, bytes);
	if (sl_unlikely(!nt && n))
		sl_counter_add(&tq->no_member, n);
	return sent;
}

static inline uint32_t fold6(const uint8_t *a)
{
	uint32_t x, y;

	memcpy(&x, a, 4);
	y = (uint32_t)a[4] << 8 | a[5];
	return x ^ y;
}

static inline uint32_t hash_of(const struct sl_pktbuf *p, enum sl_bond_hash h)
{
	const uint8_t *d = sl_pktbuf_mtod(p, const uint8_t *);
	uint32_t len = p->data_len, off = 14, x;
	uint16_t type;

	if (len < 14)
		return 0;
	x = h == SL_BOND_HASH_L34 ? 0 : fold6(d) ^ fold6(d + 6);
	type = (uint16_t)(d[12] << 8 | d[13]);
	while ((type == SL_ETHER_TYPE_VLAN || type == SL_ETHER_TYPE_QINQ) && off + 4 <= len) {
		type = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
		off += 4;
	}
	if (h != SL_BOND_HASH_L2) {
		uint8_t proto = 0;
		uint32_t l4 = 0, w[8];
		bool frag = false;

		if (type == SL_ETHER_TYPE_IPV4 && off + 20 <= len) {
			memcpy(w, d + off + 12, 8);
			x ^= w[0] ^ w[1];
			proto = d[off + 9];
			frag = (d[off + 6] & 0x3f) || d[off + 7];
			l4 = off + (uint32_t)(d[off] & 0xf) * 4;
		} else if (type == SL_ETHER_TYPE_IPV6 && off + 40 <= len) {
			memcpy(w, d + off + 8, 32);
			for (int i = 0; i < 8; i++)
				x ^= w[i];
			proto = d[off + 6];
			l4 = off + 40;
		}
		if (h == SL_BOND_HASH_L34 && !frag && (proto == 6 || proto == 17) &&
		    l4 + 4 <= len) {
			uint32_t ports;

			memcpy(&ports, d + l4, 4);
			x ^= ports;
		}
	}
	x ^= x >> 16; /* mix, so the low and high bits both spread */
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	return x;
}

uint32_t bond_hash(const struct sl_pktbuf *p, enum sl_bond_hash h)
{
	return hash_of(p, h);
}

/* Sorts chunk packets by member; returns their bytes.  One copy per policy, so the
 * policy's branches fold away. */
static inline uint64_t split(struct sl_pktbuf *const *pkts, uint16_t chunk, uint16_t nt,
			     enum sl_bond_hash h, struct sl_pktbuf *by[][32], uint16_t *cnt)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < chunk; i++) {
		struct sl_pktbuf *p = pkts[i];
		uint32_t k = (uint32_t)(((uint64_t)hash_of(p, h) * nt) >> 32);

		bytes += p->pkt_len;
		by[k][cnt[k]++] = p;
	}
	return bytes;
}

/* balance-xor and 802.3ad: the hash of each packet picks a member; what a member does not
 * take is moved to the end of pkts (the caller keeps it).  Bytes are summed before the
 * members' tx: a sent packet is the member's, not to be read again. */
uint16_t bond_tx_balance(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct bond_txq *tq = q;
	struct bond *b = tq->b;
	const struct bond_set *s = set_enter(b, &tq->ep);
	uint16_t nt = s->n_tx, sent = 0, done = 0;
	enum sl_bond_hash h = b->hash;
	uint64_t bytes = 0;

	slow_drain(tq, s);
	if (sl_unlikely(nt == 0 || n == 0)) {
		sl_epoch_leave(&tq->ep);
		if (n)
			sl_counter_add(&tq->no_member, n);
		return 0;
	}
	while (done < n) {
		struct sl_pktbuf *by[SL_BOND_MAX_MEMBERS][32], *unsent[32];
		uint16_t cnt[SL_BOND_MAX_MEMBERS] = {0}, nu = 0,
			 chunk = n - done < 32 ? n - done : 32;

		if (h == SL_BOND_HASH_L34)
			bytes += split(pkts + done, chunk, nt, SL_BOND_HASH_L34, by, cnt);
		else if (h == SL_BOND_HASH_L23)
			bytes += split(pkts + done, chunk, nt, SL_BOND_HASH_L23, by, cnt);
		else
			bytes += split(pkts + done, chunk, nt, SL_BOND_HASH_L2, by, cnt);
		for (uint16_t k = 0; k < nt; k++) {
			uint16_t ok = cnt[k] ? sl_port_tx_burst(s->tx[k], tq->q, by[k], cnt[k]) : 0;

			for (uint16_t i = ok; i < cnt[k]; i++) {
				unsent[nu++] = by[k][i];
				bytes -= by[k][i]->pkt_len; /* still ours */
			}
			sent = (uint16_t)(sent + ok);
		}
		done = (uint16_t)(done + chunk);
		if (nu) {
			/* sent + nu == done: the unsent go right after the sent (whose order no
			 * longer matters: they are gone), the rest of the burst stays where it
			 * is; the caller keeps them all. */
			memcpy(pkts + sent, unsent, nu * sizeof(*pkts));
			break;
		}
	}
	sl_epoch_leave(&tq->ep);
	sl_counter_add(&tq->st.packets, sent);
	sl_counter_add(&tq->st.bytes, bytes);
	return sent;
}
