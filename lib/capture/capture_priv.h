/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to lib/capture: the tap behind struct sl_capture_tap and the log type. */
#ifndef SL_CAPTURE_PRIV_H
#define SL_CAPTURE_PRIV_H

#include <stdint.h>

#include "sl_capture.h"
#include "sl_log.h"

SL_LOG_TYPE_DECLARE(capture);

/* What the writer of one ring keeps to itself: the shared lines are only published. */
struct sl_capture_tap {
	struct sl_capture_ring *ring; /* header in the shared memory */
	uint8_t *data;		      /* its records */
	uint64_t size;		      /* ring_bytes */
	uint64_t head;		      /* bytes written (published per burst) */
	uint64_t tail_cache;	      /* the consumer's tail when last read */
	uint64_t seen, matched, dropped;
	const void *bpf; /* struct bpf_insn[] of the filter, NULL for none */
	uint32_t snaplen;
};

void sl_capture__tap_bind(struct sl_capture_tap *t, void *base, unsigned ring,
			  const void *bpf_insns, uint32_t snaplen);

#endif
