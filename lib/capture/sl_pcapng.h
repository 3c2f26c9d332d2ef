/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pcapng writer (draft-ietf-opsawg-pcapng): a section header, one interface description
 * per interface, enhanced packet blocks with direction and queue, interface statistics.
 * Timestamps are nanoseconds (if_tsresol 9), the byte order is the host's.
 *
 * Every function returns 0 (or an interface id) or -errno: -EIO (or the stream's errno,
 * -EPIPE for a reader gone) when the stream cannot be written, -EINVAL for bad arguments.
 * A writer is used by one thread.
 */
#ifndef SL_PCAPNG_H
#define SL_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

#define SL_PCAPNG_DIR_NONE 0
#define SL_PCAPNG_DIR_IN 1
#define SL_PCAPNG_DIR_OUT 2

struct sl_pcapng;

struct sl_pcapng_if {
	const char *name;	 /* if_name, or NULL */
	const char *description; /* if_description, or NULL */
	const uint8_t *mac;	 /* if_MACaddr (6 bytes), or NULL */
	uint64_t speed_bps;	 /* if_speed, 0 for none */
	const char *filter;	 /* if_filter (libpcap string), NULL or "" for none */
	uint32_t snaplen;	 /* 0: no limit */
};

/* Starts a section on f (not closed by the writer): the SHB with the application, the OS
 * and the hardware (each NULL to leave out).  Returns the writer or NULL with errno. */
struct sl_pcapng *sl_pcapng_open(FILE *f, const char *appl, const char *os, const char *hw);
/* Adds an interface (an IDB); returns its id (0, 1, ... in order) or -errno. */
int sl_pcapng_add_interface(struct sl_pcapng *w, const struct sl_pcapng_if *ifc);
/* An EPB: ts_ns nanoseconds since 1970, dir SL_PCAPNG_DIR_*, queue -1 for none. */
int sl_pcapng_write_packet(struct sl_pcapng *w, uint32_t ifid, uint64_t ts_ns, const void *data,
			   uint32_t cap_len, uint32_t orig_len, int dir, int64_t queue);
/* An ISB: isb_starttime, isb_endtime, isb_ifrecv, isb_ifdrop, isb_filteraccept. */
int sl_pcapng_write_stats(struct sl_pcapng *w, uint32_t ifid, uint64_t ts_ns, uint64_t start_ns,
			  uint64_t end_ns, uint64_t recv, uint64_t drop, uint64_t accept);
/* Bytes written to the stream so far. */
uint64_t sl_pcapng_bytes(const struct sl_pcapng *w);
/* Flushes and frees the writer (not the stream); returns 0 or the first write error. */
int sl_pcapng_close(struct sl_pcapng *w);

#endif
