/* SPDX-License-Identifier: BSD-3-Clause */
/* macswap: swap source and destination MAC, sending each packet back where it came from. */
#include "fwd.h"

static void macswap_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_recv(s, pkts);

	if (n == 0)
		return;
	n = fwd_drop_runts(s, pkts, n, sizeof(struct sl_ether_hdr));
	for (uint16_t i = 0; i < n; i++) {
		struct sl_ether_hdr *eth = sl_pktbuf_mtod(pkts[i], struct sl_ether_hdr *);
		struct sl_ether_addr tmp = eth->dst;

		eth->dst = eth->src;
		eth->src = tmp;
	}
	if (n)
		fwd_send(s, pkts, n);
}

const struct fwd_mode fwd_mode_macswap = {
	.name = "macswap",
	.help = "swap source and destination MAC",
	.burst = macswap_burst,
};
