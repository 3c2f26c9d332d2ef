/* SPDX-License-Identifier: BSD-3-Clause */
/* flowgen: like txonly, but each packet belongs to the next of --flows flows (the
 * destination address and source port change), so receivers spread them over queues. */
#include <string.h>

#include "fwd.h"
#include "sl_cksum.h"

static void flowgen_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_gen_alloc(s, pkts);
	const struct fwd_app *app = s->app;

	for (uint16_t i = 0; i < n; i++) {
		uint8_t *f = sl_pktbuf_mtod(pkts[i], uint8_t *);
		struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)(f + sizeof(struct sl_ether_hdr));
		struct sl_udp_hdr *udp = (struct sl_udp_hdr *)(ip + 1);
		uint32_t flow = s->flow;

		s->flow = flow + 1 == app->flows ? 0 : flow + 1;
		ip->dst_addr = sl_htonl(0xc6120000u + 2 + (flow & 0xffff)); /* 198.18.x.y */
		udp->src_port = sl_htons((uint16_t)(1024 + (flow >> 16)));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = sl_ipv4_cksum(ip);
	}
	if (n > 0)
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
