/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture rings: the shared layout (sl_capture.h), the record writer the data-path hooks
 * call, and the reader the capturer uses on memory another process wrote.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture_priv.h"
#include "sl_log.h"

SL_LOG_TYPE_DEFINE(capture);

#define REC sizeof(struct sl_capture_rec)

/* Offset of ring 0: the header and the ring table, rounded to a cache line. */
static uint64_t rings_offset(unsigned nb_rings)
{
	return (sizeof(struct sl_capture_shm) +
		(uint64_t)nb_rings * sizeof(struct sl_capture_ring_info) + SL_CACHE_LINE - 1) &
	       ~(uint64_t)(SL_CACHE_LINE - 1);
}

uint64_t sl_capture__shm_size(unsigned nb_rings, uint64_t ring_bytes)
{
	return rings_offset(nb_rings) +
	       (uint64_t)nb_rings * (sizeof(struct sl_capture_ring) + ring_bytes);
}

int sl_capture__shm_init(void *base, uint64_t size, unsigned nb_rings, uint64_t ring_bytes,
			 uint32_t snaplen)
{
	struct sl_capture_shm *h = base;

	if (nb_rings == 0 || nb_rings > SL_CAPTURE_MAX_RINGS || ring_bytes < 4096 ||
	    (ring_bytes & (ring_bytes - 1)) || size < sl_capture__shm_size(nb_rings, ring_bytes) ||
	    ring_bytes < 2 * sl_capture_rec_size(snaplen)) {
		SL_LOG(capture, ERR,
		       "capture memory: %u rings of %llu bytes (snaplen %u) in %llu bytes is not a valid layout; use 1 to %d rings of a power of two of at least twice the largest record",
		       nb_rings, (unsigned long long)ring_bytes, snaplen, (unsigned long long)size,
		       SL_CAPTURE_MAX_RINGS);
		return -EINVAL;
	}
	h->hdr_size = sizeof(*h);
	h->nb_rings = nb_rings;
	h->snaplen = snaplen;
	h->size = size;
	h->ring_bytes = ring_bytes;
	h->ring_stride = sizeof(struct sl_capture_ring) + ring_bytes;
	h->rings_offset = rings_offset(nb_rings);
	h->version = SL_CAPTURE_VERSION;
	__atomic_store_n(&h->magic, SL_CAPTURE_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

struct sl_capture_tap *sl_capture__tap_new(void *base, unsigned ring, const void *bpf_insns,
					   uint32_t snaplen)
{
	struct sl_capture_tap *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		SL_LOG(capture, ERR, "capture: out of memory for a %zu-byte tap", sizeof(*t));
		errno = ENOMEM;
		return NULL;
	}
	sl_capture__tap_bind(t, base, ring, bpf_insns, snaplen);
	return t;
}

void sl_capture__tap_bind(struct sl_capture_tap *t, void *base, unsigned ring,
			  const void *bpf_insns, uint32_t snaplen)
{
	struct sl_capture_shm *h = base;

	t->ring = (struct sl_capture_ring *)((uint8_t *)base + h->rings_offset +
					     (uint64_t)ring * h->ring_stride);
	t->data = (uint8_t *)(t->ring + 1);
	t->size = h->ring_bytes;
	t->head = 0;
	t->tail_cache = 0;
	t->bpf = bpf_insns;
	t->snaplen = snaplen;
}

void sl_capture__tap_free(struct sl_capture_tap *tap)
{
	free(tap);
}

/* Room for len bytes at the head, padding to the end of the ring first when the record would
 * not fit before it.  Returns the record's address or NULL (full).  Reads the consumer's
 * tail only when the cached one says there is no room; a tail that is ahead of the head or
 * more than a ring behind (a broken capturer) counts as a full ring. */
static uint8_t *reserve(struct sl_capture_tap *t, uint64_t len)
{
	uint64_t off = t->head & (t->size - 1), contig = t->size - off;
	uint64_t need = len <= contig ? len : len + contig;

	if (t->head - t->tail_cache + need > t->size) {
		uint64_t tail = __atomic_load_n(&t->ring->tail, __ATOMIC_ACQUIRE);

		if (tail > t->head || t->head - tail > t->size || t->head - tail + need > t->size)
			return NULL;
		t->tail_cache = tail;
	}
	if (len > contig) {
		struct sl_capture_rec *pad = (struct sl_capture_rec *)(t->data + off);

		pad->len = (uint32_t)contig;
		pad->type = SL_CAPTURE_REC_PAD;
		t->head += contig;
		off = 0;
	}
	return t->data + off;
}

/* Copies up to cap bytes of a segment chain to dst; returns the bytes copied. */
static uint32_t copy_chain(uint8_t *dst, const struct sl_pktbuf *p, uint32_t cap)
{
	uint32_t done = 0;

	for (; p && done < cap; p = p->next) {
		uint32_t l = p->data_len < cap - done ? p->data_len : cap - done;

		memcpy(dst + done, sl_pktbuf_mtod(p, const uint8_t *), l);
		done += l;
	}
	return done;
}

unsigned sl_capture_tap_write(struct sl_capture_tap *t, struct sl_pktbuf *const *pkts, unsigned n,
			      uint16_t port, uint16_t queue, uint8_t dir)
{
	struct sl_capture_ring *r = t->ring;
	uint64_t ts = 0, matched = 0, dropped = 0, start = t->head;
	unsigned written = 0;
	bool full = false;

	for (unsigned i = 0; i < n; i++) {
		const struct sl_pktbuf *p = pkts[i];
		uint32_t cap = p->pkt_len < t->snaplen ? p->pkt_len : t->snaplen;
		struct sl_capture_rec *rec;
		uint8_t *rp;

		/* A single segment is filtered in place; a chain once copied, below. */
		if (t->bpf && p->next == NULL) {
			uint32_t k = bpf_filter(t->bpf, sl_pktbuf_mtod(p, const uint8_t *),
						p->pkt_len, p->data_len);
			if (k == 0)
				continue;
			if (k < cap)
				cap = k;
		}
		/* Once full, the rest of the burst drops without reading the consumer's line
		 * again (it is the line the consumer writes). */
		rp = full ? NULL : reserve(t, sl_capture_rec_size(cap));
		if (rp == NULL) {
			full = true;
			/* Full: counted as matched and dropped (a chain on a full ring is
			 * counted before its filter runs, on the copy that did not happen). */
			matched++;
			dropped++;
			continue;
		}
		rec = (struct sl_capture_rec *)rp;
		cap = copy_chain(rp + REC, p, cap);
		if (t->bpf && p->next != NULL) {
			uint32_t k = bpf_filter(t->bpf, rp + REC, p->pkt_len, cap);

			if (k == 0)
				continue; /* reserved space is reused: head not advanced */
			if (k < cap)
				cap = k;
		}
		if (ts == 0) {
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now); /* vDSO: no system call */
			ts = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
		}
		rec->len = (uint32_t)sl_capture_rec_size(cap);
		rec->type = SL_CAPTURE_REC_PKT;
		rec->dir = dir;
		rec->reserved = 0;
		rec->port = port;
		rec->queue = queue;
		rec->orig_len = p->pkt_len;
		rec->cap_len = cap;
		rec->ts_ns = ts;
		rec->reserved2 = 0;
		t->head += rec->len;
		matched++;
		written++;
	}
	/* Single writer: plain loads and stores that the reader sees untorn. */
	__atomic_store_n(&r->seen, t->seen += n, __ATOMIC_RELAXED);
	if (matched)
		__atomic_store_n(&r->matched, t->matched += matched, __ATOMIC_RELAXED);
	if (dropped)
		__atomic_store_n(&r->dropped, t->dropped += dropped, __ATOMIC_RELAXED);
	if (t->head != start)
		__atomic_store_n(&r->head, t->head, __ATOMIC_RELEASE);
	return written;
}

/* --- reader --- */

struct reader_ring {
	struct sl_capture_ring *r;
	const uint8_t *data;
	uint64_t tail;	    /* our own count: the shared one is only written */
	uint64_t published; /* the tail last stored in the shared line */
	uint64_t pending;   /* bytes of the peeked record (and padding before it) */
	bool dead;	    /* found corrupt */
	struct sl_capture_ring_info info;
};

struct sl_capture_reader {
	struct sl_capture_shm h; /* private copy, checked */
	unsigned nb_rings;
	struct reader_ring rings[];
};

struct sl_capture_reader *sl_capture_reader_open(void *base, size_t size, char *err, size_t errlen)
{
	struct sl_capture_reader *rd;
	struct sl_capture_shm h;
	uint64_t need;

	errno = EPROTO;
	if (size < sizeof(h)) {
		snprintf(err, errlen, "capture memory is %zu bytes, less than its %zu-byte header",
			 size, sizeof(h));
		return NULL;
	}
	memcpy(&h, base, sizeof(h));
	if (h.magic != SL_CAPTURE_MAGIC) {
		snprintf(err, errlen,
			 "capture memory magic is %#x, not %#x; is it a Sluice capture?", h.magic,
			 SL_CAPTURE_MAGIC);
		return NULL;
	}
	if (h.version != SL_CAPTURE_VERSION || h.hdr_size != sizeof(h)) {
		snprintf(
			err, errlen,
			"capture memory is version %u (header %u bytes); this sluice reads version %u: use the sluice tool of the same release as the process",
			h.version, h.hdr_size, SL_CAPTURE_VERSION);
		return NULL;
	}
	if (h.nb_rings == 0 || h.nb_rings > SL_CAPTURE_MAX_RINGS || h.ring_bytes < 4096 ||
	    h.ring_bytes > SL_CAPTURE_MAX_SHM || (h.ring_bytes & (h.ring_bytes - 1)) ||
	    h.snaplen == 0 || h.ring_bytes < 2 * sl_capture_rec_size(h.snaplen)) {
		snprintf(
			err, errlen,
			"capture memory header is inconsistent: %u rings of %llu bytes, snaplen %u",
			h.nb_rings, (unsigned long long)h.ring_bytes, h.snaplen);
		return NULL;
	}
	need = sl_capture__shm_size(h.nb_rings, h.ring_bytes);
	if (h.size != need || h.size > size ||
	    h.ring_stride != sizeof(struct sl_capture_ring) + h.ring_bytes ||
	    h.rings_offset != rings_offset(h.nb_rings)) {
		snprintf(
			err, errlen,
			"capture memory layout does not fit: header says %llu bytes (rings at %llu, stride %llu), %llu needed, %zu mapped",
			(unsigned long long)h.size, (unsigned long long)h.rings_offset,
			(unsigned long long)h.ring_stride, (unsigned long long)need, size);
		return NULL;
	}
	rd = calloc(1, sizeof(*rd) + h.nb_rings * sizeof(rd->rings[0]));
	if (rd == NULL) {
		errno = ENOMEM;
		snprintf(err, errlen, "out of memory for a reader of %u rings", h.nb_rings);
		return NULL;
	}
	rd->h = h;
	rd->nb_rings = h.nb_rings;
	for (unsigned i = 0; i < h.nb_rings; i++) {
		struct reader_ring *q = &rd->rings[i];

		memcpy(&q->info, (uint8_t *)base + sizeof(h) + i * sizeof(q->info),
		       sizeof(q->info));
		q->r = (struct sl_capture_ring *)((uint8_t *)base + h.rings_offset +
						  i * h.ring_stride);
		q->data = (const uint8_t *)(q->r + 1);
		q->tail = __atomic_load_n(&q->r->tail, __ATOMIC_RELAXED);
		q->published = q->tail;
		if (q->tail & 7) {
			snprintf(err, errlen, "capture ring %u: tail %llu is not 8-byte aligned", i,
				 (unsigned long long)q->tail);
			free(rd);
			errno = EPROTO;
			return NULL;
		}
	}
	return rd;
}

void sl_capture_reader_close(struct sl_capture_reader *rd)
{
	free(rd);
}

unsigned sl_capture_reader_rings(const struct sl_capture_reader *rd)
{
	return rd->nb_rings;
}

const struct sl_capture_ring_info *sl_capture_reader_info(const struct sl_capture_reader *rd,
							  unsigned ring)
{
	return ring < rd->nb_rings ? &rd->rings[ring].info : NULL;
}

void sl_capture_reader_counts(const struct sl_capture_reader *rd, unsigned ring, uint64_t *seen,
			      uint64_t *matched, uint64_t *dropped)
{
	const struct sl_capture_ring *r = rd->rings[ring].r;

	*seen = __atomic_load_n(&r->seen, __ATOMIC_RELAXED);
	*matched = __atomic_load_n(&r->matched, __ATOMIC_RELAXED);
	*dropped = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
}

static int corrupt(struct reader_ring *q, unsigned ring, char *err, size_t errlen, const char *why,
		   unsigned long long v)
{
	snprintf(err, errlen,
		 "capture ring %u is corrupt at byte %llu: %s (%llu); the capture stops reading it",
		 ring, (unsigned long long)q->tail, why, v);
	q->dead = true;
	return -EPROTO;
}

int sl_capture_reader_peek(struct sl_capture_reader *rd, unsigned ring, struct sl_capture_rec *rec,
			   const uint8_t **data, char *err, size_t errlen)
{
	struct reader_ring *q;
	uint64_t size = rd->h.ring_bytes, skipped = 0;

	if (ring >= rd->nb_rings) {
		snprintf(err, errlen, "capture ring %u does not exist; there are %u", ring,
			 rd->nb_rings);
		return -EINVAL;
	}
	q = &rd->rings[ring];
	if (q->dead)
		return -EPROTO;
	for (;;) {
		uint64_t head = __atomic_load_n(&q->r->head, __ATOMIC_ACQUIRE);
		uint64_t t = q->tail + skipped, avail = head - t, off = t & (size - 1);
		uint64_t contig = size - off;
		uint32_t len;
		uint16_t type;

		if (head == t) {
			q->pending = 0;
			q->tail = t;		 /* padding skipped, if any */
			if (q->published != t) { /* caught up: give everything back */
				q->published = t;
				__atomic_store_n(&q->r->tail, t, __ATOMIC_RELEASE);
			}
			return 0;
		}
		if (head < t || avail > size || (avail & 7))
			return corrupt(q, ring, err, errlen,
				       "head is not within one ring of the tail", head);
		memcpy(&len, q->data + off, sizeof(len));
		memcpy(&type, q->data + off + 4, sizeof(type));
		if (len < 8 || (len & 7) || len > contig || len > avail)
			return corrupt(q, ring, err, errlen, "record length out of bounds", len);
		if (type == SL_CAPTURE_REC_PAD) {
			if (len != contig)
				return corrupt(q, ring, err, errlen,
					       "padding does not end at the ring's end", len);
			skipped += len;
			continue;
		}
		if (type != SL_CAPTURE_REC_PKT)
			return corrupt(q, ring, err, errlen, "unknown record type", type);
		if (len < REC)
			return corrupt(q, ring, err, errlen, "record shorter than its header", len);
		memcpy(rec, q->data + off, REC);
		rec->len = len; /* the checked value, whatever the memory says now */
		if (rec->cap_len > rd->h.snaplen || rec->cap_len > rec->orig_len ||
		    sl_capture_rec_size(rec->cap_len) != len)
			return corrupt(q, ring, err, errlen,
				       "captured length does not fit the record", rec->cap_len);
		if (rec->dir != SL_CAPTURE_RX && rec->dir != SL_CAPTURE_TX)
			return corrupt(q, ring, err, errlen, "unknown direction", rec->dir);
		*data = q->data + off + REC;
		q->tail = t;
		q->pending = len;
		return 1;
	}
}

void sl_capture_reader_consume(struct sl_capture_reader *rd, unsigned ring)
{
	struct reader_ring *q;

	if (ring >= rd->nb_rings)
		return;
	q = &rd->rings[ring];
	if (q->pending == 0)
		return;
	q->tail += q->pending;
	q->pending = 0;
	/* Published every 64 KiB (a quarter of a small ring) and when the ring is found empty:
	 * the tail's line is the one the producer reads when it thinks the ring is full. */
	if (q->tail - q->published >= 65536 || q->tail - q->published >= rd->h.ring_bytes / 4) {
		q->published = q->tail;
		__atomic_store_n(&q->r->tail, q->tail, __ATOMIC_RELEASE);
	}
}
