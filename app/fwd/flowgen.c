/* SPDX-License-Identifier: BSD-3-Clause */
/* flowgen: like txonly, but each packet belongs to the next of --flows flows (the
 * destination address and source port change), so receivers spread them over queues. */
#include <string.h>

#include "fwd.h"
#include "sl_cksum.h"

static void flowgen_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_gen_allowance(s);
	const struct fwd_app *app = s->app;

	if (n == 0)
		return;
	if (sl_unlikely(sl_pktbuf_alloc_bulk(app->pool, pkts, n) < 0)) {
		sl_counter_add(&s->drops[FWD_DROP_NO_BUF], n);
		sl_counter_add(&s->generated, n);
		s->budget -= n;
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];
		uint8_t *f = sl_pktbuf_mtod(p, uint8_t *);
		struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)(f + sizeof(struct sl_ether_hdr));
		struct sl_udp_hdr *udp = (struct sl_udp_hdr *)(ip + 1);
		uint32_t flow = s->flow;

		s->flow = flow + 1 == app->flows ? 0 : flow + 1;
		memcpy(f, app->template_frame, SL_MIN(app->pkt_size, FWD_GEN_HDR_LEN));
		ip->dst_addr = sl_htonl(0xc6120000u + 2 + (flow & 0xffff)); /* 198.18.x.y */
		udp->src_port = sl_htons((uint16_t)(1024 + (flow >> 16)));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = sl_ipv4_cksum(ip);
		p->data_len = (uint16_t)app->pkt_size;
		p->pkt_len = app->pkt_size;
		p->packet_type = SL_PTYPE_L2_ETHER | SL_PTYPE_L3_IPV4 | SL_PTYPE_L4_UDP;
	}
	s->budget -= n;
	sl_counter_add(&s->generated, n);
	fwd_send(s, pkts, n);
}

static int flowgen_init(struct fwd_app *app)
{
	fwd_build_template(app, app->ports[0]);
	return 0;
}

const struct fwd_mode fwd_mode_flowgen = {
	.name = "flowgen",
	.help = "send generated UDP packets over --flows flows",
	.generates = true,
	.init = flowgen_init,
	.burst = flowgen_burst,
};
