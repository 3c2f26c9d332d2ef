/* SPDX-License-Identifier: BSD-3-Clause */
/* rxonly: receive and free; measures the receive side alone. */
#include "fwd.h"

static void rxonly_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_recv(s, pkts);

	if (n == 0)
		return;
	sl_counter_add(&s->consumed, n);
	sl_pktbuf_free_bulk(pkts, n);
}

const struct fwd_mode fwd_mode_rxonly = {
	.name = "rxonly",
	.help = "receive and free packets",
	.burst = rxonly_burst,
};
