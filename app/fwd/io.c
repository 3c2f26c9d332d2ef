/* SPDX-License-Identifier: BSD-3-Clause */
/* io: forward packets as they are. */
#include "fwd.h"

static void io_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_recv(s, pkts);

	if (n)
		fwd_send(s, pkts, n);
}

const struct fwd_mode fwd_mode_io = {
	.name = "io",
	.help = "forward packets unchanged",
	.burst = io_burst,
};
