/* SPDX-License-Identifier: BSD-3-Clause */
/* txonly: send generated UDP/IPv4 packets (--txpkts bytes, --rate packets per second). */
#include <string.h>

#include "fwd.h"

static void txonly_burst(struct fwd_stream *s)
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

		memcpy(sl_pktbuf_mtod(p, void *), app->template_frame,
		       SL_MIN(app->pkt_size, FWD_GEN_HDR_LEN));
		p->data_len = (uint16_t)app->pkt_size;
		p->pkt_len = app->pkt_size;
		p->packet_type = SL_PTYPE_L2_ETHER | SL_PTYPE_L3_IPV4 | SL_PTYPE_L4_UDP;
	}
	s->budget -= n;
	sl_counter_add(&s->generated, n);
	fwd_send(s, pkts, n);
}

static int txonly_init(struct fwd_app *app)
{
	/* One template serves every port: only the MACs differ, and they are fixed per run
	 * when all ports send to one peer; with several ports the source MAC is the first
	 * port's (as testpmd does). */
	fwd_build_template(app, app->ports[0]);
	return 0;
}

const struct fwd_mode fwd_mode_txonly = {
	.name = "txonly",
	.help = "send generated UDP packets (--txpkts, --rate)",
	.generates = true,
	.init = txonly_init,
	.burst = txonly_burst,
};
