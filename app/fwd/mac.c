/* SPDX-License-Identifier: BSD-3-Clause */
/* mac: rewrite the source MAC to the tx port's and the destination to its peer's. */
#include <string.h>

#include "fwd.h"

static void mac_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	struct sl_ether_hdr addrs;
	uint16_t n = fwd_recv(s, pkts);

	if (n == 0)
		return;
	n = fwd_drop_runts(s, pkts, n, sizeof(struct sl_ether_hdr));
	addrs.dst = s->app->peer_mac[s->tx_port];
	addrs.src = s->app->port_mac[s->tx_port];
	for (uint16_t i = 0; i < n; i++)
		memcpy(sl_pktbuf_mtod(pkts[i], void *), &addrs, 2 * SL_ETHER_ADDR_LEN);
	if (n)
		fwd_send(s, pkts, n);
}

const struct fwd_mode fwd_mode_mac = {
	.name = "mac",
	.help = "set source MAC to the tx port's, destination to --eth-peer's",
	.burst = mac_burst,
};
