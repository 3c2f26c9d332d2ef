/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals shared by the parser and the checksum code. */
#ifndef SL_NET_PRIV_H
#define SL_NET_PRIV_H

#include <stdint.h>

#include "sl_common.h"
#include "sl_pktbuf.h"

/*
 * Bytes [off, off + len) of a packet: a pointer into the first segment when they are there,
 * else a copy into buf (len bytes) gathered across segments, or NULL when the packet is
 * shorter.  Never reads past pkt_len nor past any segment's data_len, and stops at a chain
 * that ends early or loops (at most nb_segs segments are walked).
 *
 * This is sl_pktbuf_read() with the fast case inline; the library keeps its own copy so the
 * parser needs nothing but the pktbuf header (the fuzzer builds packets without pools).
 */
const void *net_read_slow(const struct sl_pktbuf *p, uint32_t off, uint32_t len, void *buf);

static inline const void *net_read(const struct sl_pktbuf *p, uint32_t off, uint32_t len,
				   void *buf)
{
	uint64_t end = (uint64_t)off + len;

	if (sl_likely(end <= p->data_len && end <= p->pkt_len))
		return sl_pktbuf_mtod_offset(p, const char *, off);
	return net_read_slow(p, off, len, buf);
}

#endif
