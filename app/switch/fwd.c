/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's data path: one worker's poll of its rx queues.  Per packet: read the VLAN
 * (a tag in the data, or one the driver stripped into vlan_tci), check it against the
 * input port, learn the source, look the destination up, then forward to one port or flood
 * to every other port of the VLAN in the bridge.  The output side puts the tag on or takes
 * it off as the output port carries that VLAN (tagged on a trunk unless it is the native
 * VLAN, untagged on an access port); a tag to add is left to the port layer (SL_PKT_TX_VLAN:
 * the driver's offload or the software stage).  Packets wait per output port until the end
 * of the burst, then go out in one tx burst each.  sw_rxq_poll() is one burst of one rx
 * queue (what lib/pmd calls for each queue a worker owns); sw_worker_poll() polls a fixed
 * list of queues with it.
 */
#include <string.h>

#include "sl_lcore.h"
#include "sl_net.h"
#include "switch.h"

#define ETH_HLEN 14

const char *const sw_drop_names[SW_DROP_N] = {
	[SW_DROP_RUNT] = "runt",
	[SW_DROP_SRC_MULTICAST] = "src_multicast",
	[SW_DROP_BAD_VID] = "bad_vid",
	[SW_DROP_VLAN] = "vlan_not_on_port",
	[SW_DROP_UNTAGGED] = "untagged_on_trunk",
	[SW_DROP_SAME_PORT] = "same_port",
	[SW_DROP_NO_OUTPUT] = "no_output",
	[SW_DROP_TX_FULL] = "tx_full",
	[SW_DROP_COPY_NOMBUF] = "copy_nombuf",
};
const char *const sw_drop_help[SW_DROP_N] = {
	[SW_DROP_RUNT] = "shorter than an Ethernet header (and its VLAN tag)",
	[SW_DROP_SRC_MULTICAST] = "a group address as the source MAC",
	[SW_DROP_BAD_VID] = "VLAN id 4095 (reserved)",
	[SW_DROP_VLAN] = "a VLAN the input port does not carry",
	[SW_DROP_UNTAGGED] = "untagged on a trunk port without a native VLAN",
	[SW_DROP_SAME_PORT] = "the destination was learned on the input port",
	[SW_DROP_NO_OUTPUT] = "flooded, but no other port carries its VLAN",
	[SW_DROP_TX_FULL] = "an output copy the port's tx queue had no room for",
	[SW_DROP_COPY_NOMBUF] = "an output copy with no packet buffer to copy into",
};

static inline void drop(struct sw_worker *w, enum sw_drop why, struct sl_pktbuf *p)
{
	sl_counter_add(&w->st.drops[why], 1);
	sl_pktbuf_free(p);
}

/* A deep copy of p (flooding changes each copy's tag on its own); NULL when the pool is
 * empty. */
static struct sl_pktbuf *copy_pkt(struct sl_pktbuf *p)
{
	struct sl_pktbuf *c = sl_pktbuf_alloc(sw.pool), *last = c;

	if (c == NULL)
		return NULL;
	for (struct sl_pktbuf *s = p; s; s = s->next)
		if (sl_pktbuf_copy_in(c, &last, sw.pool, sl_pktbuf_mtod(s, const void *),
				      s->data_len) < 0) {
			sl_pktbuf_free(c);
			return NULL;
		}
	c->vlan_tci = p->vlan_tci;
	c->ol_flags = p->ol_flags & SL_PKT_TX_VLAN;
	c->port = p->port;
	return c;
}

/* Queues p for port out carrying VLAN vid (tci: the tag's PCP/DEI and VID), the tag in
 * its data when has_tag. */
static inline void output(struct sw_worker *w, uint16_t out, const struct sw_pconf *oc,
			  struct sl_pktbuf *p, uint16_t tci, bool has_tag)
{
	bool want_tag = oc->mode == SW_TRUNK && (tci & 0xfff) != oc->vid;
	struct sw_txbuf *b = &w->tx[out];

	p->ol_flags &= ~SL_PKT_TX_VLAN;
	if (has_tag && !want_tag) {
		uint8_t *d = sl_pktbuf_mtod(p, uint8_t *);

		memmove(d + 4, d, 12);
		sl_pktbuf_adj(p, 4);
	} else if (!has_tag && want_tag) {
		p->vlan_tci = tci;
		p->ol_flags |= SL_PKT_TX_VLAN;
	} else if (has_tag) {
		/* The tag stays: it carries the frame's VLAN, which a priority tag (VID 0)
		 * did not say (the ingress port's VLAN); the PCP/DEI bits are kept. */
		uint8_t *d = sl_pktbuf_mtod(p, uint8_t *);

		d[14] = (uint8_t)(tci >> 8);
		d[15] = (uint8_t)tci;
	}
	sl_counter_add(&w->st.outputs, 1);
	if (sl_unlikely(b->n == SL_ARRAY_SIZE(b->pkts))) {
		drop(w, SW_DROP_TX_FULL, p); /* a burst flooded more than the buffer holds */
		return;
	}
	b->pkts[b->n++] = p;
}

/* Sends to every port of bridge br carrying vid but in; false when there is none. */
static bool flood(struct sw_worker *w, uint16_t in, uint16_t br, struct sl_pktbuf *p, uint16_t tci,
		  bool has_tag)
{
	uint16_t vid = tci & 0xfff, last = SW_VID_NONE;
	const struct sw_pconf *last_c = NULL;

	for (uint16_t o = 0; o < SL_PORT_MAX; o++) {
		const struct sw_pconf *oc = __atomic_load_n(&sw.pconf[o], __ATOMIC_ACQUIRE);

		if (o == in || oc == NULL || oc->bridge != br || !sw_carries(oc, vid))
			continue;
		if (last != SW_VID_NONE) {
			struct sl_pktbuf *c = copy_pkt(p);

			if (c == NULL) {
				sl_counter_add(&w->st.outputs, 1);
				sl_counter_add(&w->st.drops[SW_DROP_COPY_NOMBUF], 1);
			} else {
				output(w, last, last_c, c, tci, has_tag);
			}
		}
		last = o;
		last_c = oc;
	}
	if (last == SW_VID_NONE)
		return false;
	output(w, last, last_c, p, tci, has_tag); /* the original goes to the last port */
	return true;
}

static inline void switch_one(struct sw_worker *w, uint16_t in, const struct sw_pconf *ic,
			      struct sl_pktbuf *p)
{
	const struct sl_ether_hdr *eh = sl_pktbuf_mtod(p, const struct sl_ether_hdr *);
	const struct sw_bridge *br;
	bool has_tag = false;
	uint16_t tci, out;

	if (sl_unlikely(p->data_len < ETH_HLEN)) {
		drop(w, SW_DROP_RUNT, p);
		return;
	}
	if (p->ol_flags & SL_PKT_RX_VLAN_STRIPPED) {
		tci = p->vlan_tci;
	} else if (eh->ether_type == sl_htons(SL_ETHER_TYPE_VLAN)) {
		if (sl_unlikely(p->data_len < ETH_HLEN + 4)) {
			drop(w, SW_DROP_RUNT, p);
			return;
		}
		tci = sl_ntohs(((const struct sl_vlan_hdr *)(eh + 1))->vlan_tci);
		has_tag = true;
	} else {
		tci = 0;
	}
	/* VID 0: a priority tag, the frame belongs to the port's untagged VLAN */
	if ((tci & 0xfff) == 0) {
		if (ic->vid == SW_VID_NONE) {
			drop(w, SW_DROP_UNTAGGED, p);
			return;
		}
		tci = (uint16_t)((tci & 0xf000) | ic->vid);
	} else if (sl_unlikely((tci & 0xfff) == 0xfff)) {
		drop(w, SW_DROP_BAD_VID, p);
		return;
	} else if (!sw_carries(ic, tci & 0xfff)) {
		drop(w, SW_DROP_VLAN, p);
		return;
	}
	if (sl_unlikely(eh->src.bytes[0] & 1)) {
		drop(w, SW_DROP_SRC_MULTICAST, p);
		return;
	}
	br = &sw.bridges[ic->bridge];
	switch (sl_fdb_learn(br->fdb, tci & 0xfff, eh->src.bytes, in,
			     __atomic_load_n(&sw.now, __ATOMIC_RELAXED))) {
	case SL_FDB_FULL:
		sl_counter_add(&w->st.learn_full, 1);
		break;
	case SL_FDB_MOVED:
		sl_counter_add(&w->st.moves, 1);
		break;
	default:
		break;
	}
	if (!(eh->dst.bytes[0] & 1) && sl_fdb_lookup(br->fdb, tci & 0xfff, eh->dst.bytes, &out)) {
		const struct sw_pconf *oc = __atomic_load_n(&sw.pconf[out], __ATOMIC_ACQUIRE);

		if (out == in) {
			drop(w, SW_DROP_SAME_PORT, p);
			return;
		}
		/* learned before the port left the bridge or the VLAN: flood instead */
		if (sl_likely(oc && oc->bridge == ic->bridge && sw_carries(oc, tci & 0xfff))) {
			sl_counter_add(&w->st.forwarded, 1);
			output(w, out, oc, p, tci, has_tag);
			return;
		}
	}
	if (flood(w, in, ic->bridge, p, tci, has_tag))
		sl_counter_add(&w->st.flooded, 1);
	else
		drop(w, SW_DROP_NO_OUTPUT, p);
}

static void flush_tx(struct sw_worker *w)
{
	for (uint16_t o = 0; o < SL_PORT_MAX; o++) {
		struct sw_txbuf *b = &w->tx[o];
		uint16_t sent;

		if (b->n == 0)
			continue;
		sent = sl_port_tx_burst(o, (uint16_t)w->index, b->pkts, b->n);
		sl_counter_add(&w->st.sent, sent);
		if (sent < b->n) {
			sl_counter_add(&w->st.drops[SW_DROP_TX_FULL], b->n - sent);
			sl_pktbuf_free_bulk(b->pkts + sent, b->n - sent);
		}
		b->n = 0;
	}
}

uint16_t sw_rxq_poll(uint16_t in, uint16_t queue, void *arg)
{
	struct sw_worker *w = arg;
	struct sl_pktbuf *pkts[SW_BURST];
	const struct sw_pconf *ic;
	uint16_t n = sl_port_rx_burst(in, queue, pkts, SW_BURST);

	if (n == 0)
		return 0;
	sl_counter_add(&w->st.rx, n);
	ic = __atomic_load_n(&sw.pconf[in], __ATOMIC_ACQUIRE);
	for (uint16_t k = 0; k < n; k++) {
		if (k + 1 < n)
			sl_prefetch0(sl_pktbuf_mtod(pkts[k + 1], void *));
		switch_one(w, in, ic, pkts[k]);
	}
	flush_tx(w);
	return n;
}

void sw_tx_kick(struct sw_worker *w)
{
	for (uint16_t o = 0; o < SL_PORT_MAX; o++)
		if (sw.tx_kick[o])
			sl_port_tx_burst(o, (uint16_t)w->index, NULL, 0);
}

void sw_worker_poll(struct sw_worker *w)
{
	bool busy = false;

	for (unsigned i = 0; i < w->nb_rxq; i++)
		busy |= sw_rxq_poll(w->rxq[i].port, w->rxq[i].queue, w) > 0;
	sl_lcore_round(busy);
}
