/* SPDX-License-Identifier: BSD-3-Clause */
/* txonly: send generated UDP/IPv4 packets (--txpkts bytes, --rate packets per second). */
#include "fwd.h"

static void txonly_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_gen_alloc(s, pkts);

	if (n > 0)
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
