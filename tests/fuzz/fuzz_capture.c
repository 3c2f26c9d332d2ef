/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for what lib/capture reads from another process or a client:
 *  - the start request's parameters (sl_capture__parse_params()): on success every field is
 *    within its documented range;
 *  - the reader (sl_capture_reader_open/peek/consume) over capture memory whose header,
 *    ring counters and records come from the input: it must never read outside the
 *    memory (ASan: the buffer is exactly the mapped size), and every record it hands out
 *    must lie inside its ring and agree with its lengths.
 * The first input byte chooses: even = parameters, odd = capture memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_params(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[1024];
	struct sl_capture_params p;

	if (s == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (sl_capture__parse_params(s, &p, err, sizeof(err)) == 0) {
		if (p.nb_ports > SL_ARRAY_SIZE(p.ports) || p.queue < -1 ||
		    p.queue >= SL_CAPTURE_MAX_QUEUES || p.dirs == 0 ||
		    (p.dirs & ~(SL_CAPTURE_RX | SL_CAPTURE_TX)) || p.snaplen < 1 ||
		    p.snaplen > SL_CAPTURE_DEFAULT_SNAPLEN || p.ring_kb < 64 ||
		    (p.ring_kb & (p.ring_kb - 1)) ||
		    (uint64_t)p.ring_kb * 1024 < 2 * sl_capture_rec_size(p.snaplen) ||
		    strnlen(p.filter, sizeof(p.filter)) == sizeof(p.filter))
			abort();
		for (unsigned i = 0; i < p.nb_ports; i++)
			if (p.ports[i][0] == '\0' ||
			    strnlen(p.ports[i], sizeof(p.ports[i])) == sizeof(p.ports[i]))
				abort();
	} else if (err[0] == '\0' || memchr(err, '\n', strlen(err))) {
		abort(); /* an error is one line */
	}
	free(s);
}

static void check_reader(const uint8_t *data, size_t size)
{
	const unsigned rings = 2;
	const uint64_t ring_bytes = 4096;
	uint64_t full = sl_capture__shm_size(rings, ring_bytes), msize;
	struct sl_capture_shm *h;
	struct sl_capture_reader *rd;
	uint8_t *m;
	char err[512];
	size_t off = 0;
	uint8_t mode;

	if (size < 2)
		return;
	mode = data[1];
	data += 2;
	size -= 2;
	/* The mapping may be shorter than the header says (bit 1). */
	msize = (mode & 2) && size >= 2 ? full - (data[0] | (uint64_t)data[1] << 8) % full : full;
	m = calloc(1, msize ? msize : 1);
	if (m == NULL)
		return;
	if (msize >= sizeof(*h)) {
		uint8_t *tmp = aligned_alloc(64, full);

		if (tmp == NULL) {
			free(m);
			return;
		}
		memset(tmp, 0, full);
		sl_capture__shm_init(tmp, full, rings, ring_bytes, 256);
		memcpy(m, tmp, msize);
		free(tmp);
	}
	h = (struct sl_capture_shm *)m;
	/* Bit 2: the header and ring table from the input too; then the rest. */
	if ((mode & 4) && msize >= 64 + rings * 16) {
		size_t n = size < 64 + rings * 16 ? size : 64 + rings * 16;

		memcpy(m, data, n);
		off = n;
	}
	if (msize == full) {
		for (unsigned r = 0; r < rings && off < size; r++) {
			uint64_t at = h->rings_offset + r * h->ring_stride;
			size_t n = size - off < 192 + ring_bytes ? size - off : 192 + ring_bytes;

			/* ring r's counters (head, tail at their offsets) and records */
			if (h->rings_offset < full && h->ring_stride < full &&
			    at + 192 + ring_bytes <= msize)
				memcpy(m + at, data + off, n);
			off += n;
		}
	}
	rd = sl_capture_reader_open(m, msize, err, sizeof(err));
	if (rd) {
		for (unsigned round = 0; round < 256; round++) {
			unsigned r = round % sl_capture_reader_rings(rd);
			struct sl_capture_rec rec;
			const uint8_t *p;
			int rc = sl_capture_reader_peek(rd, r, &rec, &p, err, sizeof(err));

			if (rc == 1) {
				if (p < m || p + rec.cap_len > m + msize ||
				    rec.cap_len > h->snaplen || rec.cap_len > rec.orig_len ||
				    sl_capture_rec_size(rec.cap_len) != rec.len)
					abort();
				volatile uint8_t sum = 0;

				for (uint32_t i = 0; i < rec.cap_len; i++)
					sum ^= p[i]; /* ASan checks each byte is ours */
				(void)sum;
				sl_capture_reader_consume(rd, r);
			} else if (rc < 0 && err[0] == '\0') {
				abort();
			}
		}
		sl_capture_reader_close(rd);
	} else if (err[0] == '\0') {
		abort();
	}
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		check_reader(data, size);
	else
		check_params(data + 1, size - 1);
	return 0;
}
