/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live capture from a running process (docs/capture.md).
 *
 * A capturer (`sluice capture`) connects to the process's telemetry socket and sends
 * /sluice/capture/start,{PARAMS}.  The process compiles the libpcap filter, hooks the chosen
 * port queues and answers with a JSON description of the captured interfaces plus a memfd
 * (passed with the reply) holding one single-producer/single-consumer ring per hooked
 * (port, queue, direction).  The queue's own thread copies each matching packet into its
 * ring; a full ring drops the packet from the capture and counts it: the data path never
 * waits, locks or makes a system call.  When the connection closes (or the capturer is
 * killed) the hooks are removed and the memory released.
 *
 * Shared memory, all little-endian (the two processes run on one host):
 *
 *   0                      struct sl_capture_shm (64 B)
 *   64                     struct sl_capture_ring_info[nb_rings] (16 B each)
 *   rings_offset + i*ring_stride
 *                          struct sl_capture_ring (192 B: producer, consumer lines)
 *                          then ring_bytes of records
 *
 * A record is a struct sl_capture_rec then cap_len bytes of packet, padded to 8; records
 * never wrap: when the room before the end of the data is too short, the producer fills it
 * with one SL_CAPTURE_REC_PAD record and starts again at offset 0.  head and tail count bytes
 * since the start (offset = count & (ring_bytes - 1)).
 *
 * Fields say who writes them: (s) the server (the data path for the ring lines), (c) the
 * capturer.  Neither side trusts the other: the producer keeps its head privately and treats
 * a tail that makes no sense as a full ring; the reader (sl_capture_reader_*) copies the
 * header once, checks it against the size it mapped and checks every record against the
 * ring bounds before handing it out.
 */
#ifndef SL_CAPTURE_H
#define SL_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sl_pktbuf.h"

#define SL_CAPTURE_MAGIC 0x50434c53u /* "SLCP" */
#define SL_CAPTURE_VERSION 1
#define SL_CAPTURE_MAX_RINGS 1024	  /* 32 ports x 16 queues x 2 directions */
#define SL_CAPTURE_MAX_SESSIONS 4	  /* captures running at once in one process */
#define SL_CAPTURE_MAX_QUEUES 16	  /* SL_PORT_MAX_QUEUES */
#define SL_CAPTURE_DEFAULT_SNAPLEN 262144 /* dumpcap's */
#define SL_CAPTURE_DEFAULT_RING_KB 4096	  /* per ring */
#define SL_CAPTURE_MAX_SHM (1ull << 30)	  /* bytes of all rings of one capture */
#define SL_CAPTURE_MAX_FILTER 512	  /* bytes of a filter expression */
#define SL_CAPTURE_MAX_PARAMS 1000	  /* bytes of the start request's parameters */

/* Directions (sl_capture_ring_info.dir, sl_capture_rec.dir). */
#define SL_CAPTURE_RX 1
#define SL_CAPTURE_TX 2

/* Record types. */
#define SL_CAPTURE_REC_PKT 1
#define SL_CAPTURE_REC_PAD 2

struct sl_capture_shm {
	uint32_t magic;	       /* (s) SL_CAPTURE_MAGIC */
	uint16_t version;      /* (s) SL_CAPTURE_VERSION */
	uint16_t hdr_size;     /* (s) sizeof(struct sl_capture_shm) */
	uint32_t nb_rings;     /* (s) rings, 1 to SL_CAPTURE_MAX_RINGS */
	uint32_t snaplen;      /* (s) no record carries more packet bytes */
	uint64_t size;	       /* (s) bytes of the whole memory */
	uint64_t ring_bytes;   /* (s) record bytes of each ring, a power of two */
	uint64_t ring_stride;  /* (s) bytes from one ring header to the next */
	uint64_t rings_offset; /* (s) offset of ring 0's header */
	uint64_t reserved[2];
};

struct sl_capture_ring_info {
	uint16_t port;	/* (s) port id */
	uint16_t queue; /* (s) queue id */
	uint8_t dir;	/* (s) SL_CAPTURE_RX or SL_CAPTURE_TX */
	uint8_t reserved[3];
	uint32_t iface; /* (s) index in the start reply's "interfaces" */
	uint32_t reserved2;
};

struct sl_capture_ring {
	/* producer line: written by the queue's thread only */
	uint64_t head;	  /* (s) bytes of records published (release store per burst) */
	uint64_t seen;	  /* (s) packets the hook saw */
	uint64_t matched; /* (s) of those, passing the filter */
	uint64_t dropped; /* (s) of those, not written: the ring was full */
	uint64_t pad0[4];
	/* consumer line */
	uint64_t tail; /* (c) bytes of records consumed (release store) */
	uint64_t pad1[7];
	uint64_t pad2[8]; /* keeps the records off the consumer's line */
};

struct sl_capture_rec {
	uint32_t len;	    /* bytes of the record: header, data, padding; a multiple of 8 */
	uint16_t type;	    /* SL_CAPTURE_REC_PKT or SL_CAPTURE_REC_PAD (only len valid) */
	uint8_t dir;	    /* SL_CAPTURE_RX or SL_CAPTURE_TX */
	uint8_t reserved;   /* 0 */
	uint16_t port;	    /* port id */
	uint16_t queue;	    /* queue id */
	uint32_t orig_len;  /* bytes of the packet on the wire */
	uint32_t cap_len;   /* bytes that follow, <= orig_len and <= snaplen */
	uint32_t reserved2; /* 0 */
	uint64_t ts_ns;	    /* CLOCK_REALTIME nanoseconds, taken once per burst */
};

_Static_assert(sizeof(struct sl_capture_shm) == 64, "shared header is 64 bytes");
_Static_assert(sizeof(struct sl_capture_ring_info) == 16, "ring info is 16 bytes");
_Static_assert(sizeof(struct sl_capture_ring) == 192, "ring header is three lines");
_Static_assert(offsetof(struct sl_capture_ring, tail) == 64, "tail on its own line");
_Static_assert(sizeof(struct sl_capture_rec) == 32, "record header is 32 bytes");
_Static_assert(offsetof(struct sl_capture_rec, ts_ns) == 24, "ts_ns offset");

/* Bytes of a record carrying cap_len packet bytes. */
static inline uint64_t sl_capture_rec_size(uint64_t cap_len)
{
	return sizeof(struct sl_capture_rec) + ((cap_len + 7) & ~(uint64_t)7);
}

/* --- the record writer: filter and copy into one ring (any hook may call it) --- */

/*
 * One hooked point (a port queue and direction today, a graph node later): a ring in a
 * capture's memory, the filter and the snap length.  Owned by a capture session.
 */
struct sl_capture_tap;

/*
 * Runs the filter over pkts and copies each matching packet (segments up to the snap
 * length) into the tap's ring as one record stamped with port, queue and dir; a packet
 * that does not fit is counted in the ring's dropped.  Never blocks, allocates or makes a
 * system call.  Returns the number written.  Only one thread may write a tap at a time
 * (the queue's or the node's).
 */
unsigned sl_capture_tap_write(struct sl_capture_tap *tap, struct sl_pktbuf *const *pkts, unsigned n,
			      uint16_t port, uint16_t queue, uint8_t dir);

/* --- sessions (server side: the telemetry commands wrap these) --- */

struct sl_capture_session;

/* Start parameters, as parsed from the request's JSON (sl_capture__parse_params()). */
struct sl_capture_params {
	unsigned nb_ports;		    /* 0: every port ("ports": "all" or absent) */
	char ports[32][SL_NAME_SIZE];	    /* ids ("0") or names, as given */
	int queue;			    /* -1: every configured queue */
	uint8_t dirs;			    /* SL_CAPTURE_RX | SL_CAPTURE_TX */
	char filter[SL_CAPTURE_MAX_FILTER]; /* "" for none */
	uint32_t snaplen;		    /* 1 to 262144 */
	uint32_t ring_kb;		    /* per ring, a power of two, 64 to 262144 */
};

/*
 * Parses the start request's parameters: a JSON object with optional members
 * "ports" (array of ids or names, or "all"), "queue" (-1 or an id), "direction" ("rx", "tx",
 * "both"), "filter" (libpcap syntax), "snaplen", "ring_kb".  Unknown members are refused
 * (a typo must not capture everything).  Returns 0 or -EINVAL with one line in err.
 */
int sl_capture__parse_params(const char *json, struct sl_capture_params *p, char *err,
			     size_t errlen);

/*
 * Starts a capture: resolves the ports, compiles the filter, creates and seals the memfd,
 * hooks the queues.  *reply gets the JSON the telemetry reply carries (json_decref() it),
 * *memfd the memory's fd (the caller passes and closes it).  Returns the session, or NULL
 * with errno EINVAL (bad parameter, unknown port, filter that does not compile), EBUSY
 * (SL_CAPTURE_MAX_SESSIONS running), ENOMEM, each with one line in err naming the value
 * and the fix.  Control threads; sessions may start and stop from different threads.
 */
struct sl_capture_session *sl_capture_start(const struct sl_capture_params *p, json_t **reply,
					    int *memfd, char *err, size_t errlen);

/* Stats of a running session as JSON (json_t *; json_decref() it): an array of
 * {"port", "name", "received", "matched", "dropped"} per captured interface. */
json_t *sl_capture_stats(struct sl_capture_session *s);

/*
 * Stops a capture: removes its hooks, waits (at most 1 s) until every hooked queue's thread
 * has left the hook, then unmaps the memory and frees the session.  A thread stuck inside
 * the hook past that delay leaves the memory mapped (logged) rather than freed under it.
 */
void sl_capture_stop(struct sl_capture_session *s);

/* Number of captures running, and the hooks they hold (for tests and /sluice/capture/list). */
unsigned sl_capture_running(unsigned *hooks);

/* --- the reader (client side) --- */

struct sl_capture_reader;

/*
 * Checks the memory mapped from a capture's memfd (base, size as mapped) and prepares to
 * read its rings.  Returns the reader, or NULL with errno EPROTO and one line in err naming
 * the field that is wrong (another version, rings beyond the mapping...).
 */
struct sl_capture_reader *sl_capture_reader_open(void *base, size_t size, char *err, size_t errlen);
void sl_capture_reader_close(struct sl_capture_reader *rd);
unsigned sl_capture_reader_rings(const struct sl_capture_reader *rd);
const struct sl_capture_ring_info *sl_capture_reader_info(const struct sl_capture_reader *rd,
							  unsigned ring);
/* The ring's counters (seen, matched, dropped), read from the shared header. */
void sl_capture_reader_counts(const struct sl_capture_reader *rd, unsigned ring, uint64_t *seen,
			      uint64_t *matched, uint64_t *dropped);

/*
 * The next record of a ring, checked: 1 with *rec (a private copy of the header) and *data
 * (cap_len bytes inside the mapping; their content may still change, their bounds not),
 * 0 when the ring is empty, -EPROTO when the ring is corrupt (err says where and why; the
 * ring is then dead for this reader).  Padding is skipped.  The record stays until
 * sl_capture_reader_consume().
 */
int sl_capture_reader_peek(struct sl_capture_reader *rd, unsigned ring, struct sl_capture_rec *rec,
			   const uint8_t **data, char *err, size_t errlen);
/* Releases the record last peeked on the ring to the producer. */
void sl_capture_reader_consume(struct sl_capture_reader *rd, unsigned ring);

/* --- internal, exported for the unit tests and the fuzzer --- */

/* Lays out a capture's memory at base (size bytes, zeroed) for nb_rings rings of ring_bytes;
 * returns 0 or -EINVAL.  sl_capture__shm_size() gives the size needed. */
uint64_t sl_capture__shm_size(unsigned nb_rings, uint64_t ring_bytes);
int sl_capture__shm_init(void *base, uint64_t size, unsigned nb_rings, uint64_t ring_bytes,
			 uint32_t snaplen);
/* A tap over ring i of such memory, no filter (bpf NULL) or a libpcap program's insns. */
struct sl_capture_tap *sl_capture__tap_new(void *base, unsigned ring, const void *bpf_insns,
					   uint32_t snaplen);
void sl_capture__tap_free(struct sl_capture_tap *tap);

#endif
