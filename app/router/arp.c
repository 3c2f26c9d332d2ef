/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) on the control thread: answer requests for our addresses, learn senders,
 * resolve next hops.  arp_input in the graph already checked the fixed fields.
 */
#include <string.h>

#include "router_ctl.h"

enum { A_REQ, A_REPLY, A_NOT_OURS, A_BAD_SENDER, A_TX_REPLY, A_TX_REQ, A_TX_FAIL, A_N };
static struct rt_cstat astats[A_N] = {
	[A_REQ] = {"arp_rx_request", "ARP requests received", false, 0},
	[A_REPLY] = {"arp_rx_reply", "ARP replies received", false, 0},
	[A_NOT_OURS] = {"arp_not_ours", "ARP requests for an address that is not ours", false, 0},
	[A_BAD_SENDER] = {"arp_bad_sender",
			  "ARP from 0.0.0.0, a multicast/broadcast or own "
			  "address, or a group MAC (dropped)",
			  true, 0},
	[A_TX_REPLY] = {"arp_tx_reply", "ARP replies sent", false, 0},
	[A_TX_REQ] = {"arp_tx_request", "ARP requests sent", false, 0},
	[A_TX_FAIL] = {"arp_tx_fail", "ARP packets not sent (no buffer, queue full)", false, 0},
};

static void arp_reply(struct sl_pktbuf *p, const struct rt_iface *ifc, uint32_t tip, uint16_t port);

__attribute__((constructor)) static void arp_init(void)
{
	rt_cstat_register(astats, A_N);
}

void rt_arp_input(struct sl_pktbuf *p)
{
	struct sl_ether_hdr *eth = sl_pktbuf_mtod(p, struct sl_ether_hdr *);
	struct sl_arp_hdr *a = (struct sl_arp_hdr *)(eth + 1);
	uint16_t port = rt_meta(p)->iface;
	const struct rt_iface *ifc = rt_iface(port);
	uint32_t sip = sl_ntohl(a->data.sip), tip = sl_ntohl(a->data.tip);
	bool request = a->op == sl_htons(SL_ARP_OP_REQUEST);

	astats[request ? A_REQ : A_REPLY].value++;
	if (ifc && sip == 0 && request && rt_own4(port, tip)) {
		/* a probe (RFC 5227) for our address: defend it, learn nothing */
		arp_reply(p, ifc, tip, port);
		return;
	}
	if (!ifc || sip == 0 || sip >= 0xe0000000u || (a->data.sha.bytes[0] & 1) ||
	    rt_own4(SL_PKTBUF_PORT_NONE, sip)) {
		/* 0.0.0.0 is a duplicate-address probe: nothing to learn, nothing to answer
		 * for an address we do not own; a claim on our own address is a conflict */
		astats[A_BAD_SENDER].value++;
		sl_pktbuf_free(p);
		return;
	}
	if (!rt_own4(port, tip)) {
		/* not for us: refresh an existing entry only (gratuitous ARP included) */
		if (request)
			astats[A_NOT_OURS].value++;
		if (rt_neigh_get(4, &sip, port, false))
			rt_neigh_learn(4, &sip, port, &a->data.sha, false);
		sl_pktbuf_free(p);
		return;
	}
	rt_neigh_learn(4, &sip, port, &a->data.sha, !request);
	if (!request) {
		sl_pktbuf_free(p);
		return;
	}
	arp_reply(p, ifc, tip, port);
}

/* Turns request p into our reply (for tip, ours) and sends it back to its sender. */
static void arp_reply(struct sl_pktbuf *p, const struct rt_iface *ifc, uint32_t tip, uint16_t port)
{
	struct sl_ether_hdr *eth = sl_pktbuf_mtod(p, struct sl_ether_hdr *);
	struct sl_arp_hdr *a = (struct sl_arp_hdr *)(eth + 1);

	a->op = sl_htons(SL_ARP_OP_REPLY);
	a->data.tha = a->data.sha;
	a->data.tip = a->data.sip;
	a->data.sha = ifc->mac;
	a->data.sip = sl_htonl(tip);
	eth->dst = eth->src;
	eth->src = ifc->mac;
	p->port = port;
	if (p->pkt_len > SL_ETHER_MIN_LEN)
		sl_pktbuf_trim(p, (uint16_t)(p->pkt_len - SL_ETHER_MIN_LEN));
	if (rt_inject(p, RT_INJ_TX) == 0)
		astats[A_TX_REPLY].value++;
	else
		astats[A_TX_FAIL].value++;
}

void rt_arp_request(uint32_t id)
{
	const struct rt_nh *nh = &rt.nh[id];
	const struct rt_iface *ifc = rt_iface(nh->port);
	struct sl_pktbuf *p;
	uint32_t sip = 0;

	if (!ifc || !ifc->up || !(p = rt_pkt_alloc())) {
		astats[A_TX_FAIL].value++;
		return;
	}
	/* the source: our address on the target's subnet, else the port's first */
	for (unsigned i = 0; i < ifc->nb_addr4; i++) {
		uint32_t mask = ifc->addr4[i].len ? ~0u << (32 - ifc->addr4[i].len) : 0;

		if (!sip || ((ifc->addr4[i].ip ^ nh->ip4) & mask) == 0)
			sip = ifc->addr4[i].ip;
	}

	struct sl_ether_hdr *eth = (struct sl_ether_hdr *)sl_pktbuf_append(p, SL_ETHER_MIN_LEN);
	struct sl_arp_hdr *a = (struct sl_arp_hdr *)(eth + 1);

	if (!eth) {
		sl_pktbuf_free(p);
		astats[A_TX_FAIL].value++;
		return;
	}
	memset(eth, 0, SL_ETHER_MIN_LEN);
	memset(eth->dst.bytes, 0xff, 6);
	eth->src = ifc->mac;
	eth->ether_type = sl_htons(SL_ETHER_TYPE_ARP);
	a->hrd = sl_htons(SL_ARP_HRD_ETHER);
	a->pro = sl_htons(SL_ETHER_TYPE_IPV4);
	a->hln = 6;
	a->pln = 4;
	a->op = sl_htons(SL_ARP_OP_REQUEST);
	a->data.sha = ifc->mac;
	a->data.sip = sl_htonl(sip);
	a->data.tip = sl_htonl(nh->ip4);
	p->port = nh->port;
	if (rt_inject(p, RT_INJ_TX) == 0)
		astats[A_TX_REQ].value++;
	else
		astats[A_TX_FAIL].value++;
}
