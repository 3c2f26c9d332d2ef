/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding database of an L2 switch (MAC learning table): (VLAN id, MAC) -> output port
 * and the time the MAC was last seen.  Lock-free and bounded: no allocation after create,
 * no lock, no syscall on the data path.  docs/fdb.md has the design and the argument.
 *
 * Layout.  nb_buckets (a power of two) buckets of SL_FDB_BUCKET_ENTRIES slots, 128 bytes
 * each, cache-line aligned; capacity = nb_buckets * 8 >= the capacity asked for.  A slot
 * is 16 bytes, two 64-bit words:
 *   key   0 = empty, else 1 << 63 | vid << 48 | mac (mac[0] in bits 40-47 .. mac[5] in 0-7)
 *   val   port (bits 0-15) | tag (16-31) | seen (32-63), one word so that port and seen
 *         change together with one compare-and-swap.  port SL_FDB_PORT_NONE means "being
 *         written or being removed": readers treat it as a miss.  tag is 16 bits of a hash
 *         of the key (see the races below).  seen is in the caller's units (seconds, say)
 *         and compared with serial-number arithmetic (RFC 1982), so it may wrap.
 * CRC32C of the key picks the bucket (sl_hash_crc32c, low bits).  A key lives only in its
 * one bucket (no probing), so removing it is clearing its slot, and a bucket holding 8
 * other keys refuses a ninth (SL_FDB_FULL: the caller floods, which is always correct
 * for L2).
 *
 * Concurrency:
 *   - lookup, lookup_burst, learn: any number of data-path threads at once, lock-free.
 *   - age, flush: the control thread (several at once are safe, but pointless).
 *   - iterate, count, stats, capacity: any thread; a snapshot while others write.
 *   - create, free: nobody else may use the table.
 * Rules that make it work (docs/fdb.md has the argument):
 *   - a new key is claimed with a CAS of key 0 -> key while val is "empty" (port NONE),
 *     then val is written with one release store.  Removal CASes val to empty first, then
 *     stores key 0 (release), so a free slot always has an empty val and nobody but the
 *     claimer writes the val of a slot whose port is NONE.
 *   - key and val are two words, and a slot can change hands between their loads (removed,
 *     then claimed by another MAC of the bucket).  So a reader takes a val as the key's
 *     only if its tag is the key's and the key is still there when reloaded after it.
 *   - two threads learning the same new MAC: after a claim the learner re-reads the other
 *     slots of the bucket (sequentially consistent loads after the sequentially consistent
 *     CAS); if it finds the key elsewhere it gives its slot back and starts over.  Of two
 *     claims the later one always sees the earlier, so no duplicate survives; both may
 *     give back, then both retry (at most SL_FDB_LEARN_TRIES rounds).
 *   - a known MAC is written (a CAS from the val read) only when its port changed or
 *     `now` is later than seen: the per-packet path of a known MAC in the same second
 *     stores nothing, and so keeps the bucket's lines shared between the cores.
 * Races accepted:
 *   - a lookup racing a learn of the same MAC, its move, age or flush, sees the entry
 *     before or after (a miss, the old port or the new one).
 *   - a reader or a learn whose slot is removed and re-used by another MAC between its
 *     loads, then removed again and re-claimed by the first MAC (an ABA), with the middle
 *     MAC's 16-bit tag equal to the first's, can take the middle MAC's port for the
 *     first (a lookup), or write the first's port onto the middle one (a learn).  The
 *     latter lasts until the middle MAC's next packet, which stores its port again and
 *     counts a move.  A plain removal and re-use (no ABA) only costs a miss or a retry.
 *   - a learn that loses SL_FDB_LEARN_TRIES races in a row returns SL_FDB_FULL (counted
 *     in `full`); the next packet learns again.
 * Names beginning with sl_fdb__ are internal (tests use them).
 */
#ifndef SL_FDB_H
#define SL_FDB_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "sl_common.h"
#include "sl_memory.h" /* SL_NODE_ANY for struct sl_fdb_config */

/* Slots per bucket; a bucket is 8 * 16 = 128 bytes. */
#define SL_FDB_BUCKET_ENTRIES 8
/* Port of a slot being written or removed; not a valid port to learn. */
#define SL_FDB_PORT_NONE 0xffff
/* Highest VLAN id (IEEE 802.1Q: 12 bits; 0 = untagged or priority-tagged). */
#define SL_FDB_VID_MAX 4095
/* Entries when the config asks for 0. */
#define SL_FDB_CAPACITY_DEFAULT 8192u
/* Most entries (2^21 buckets, 256 MiB). */
#define SL_FDB_CAPACITY_MAX (1u << 24)
/* Rounds of claim and duplicate check one learn tries before giving up. */
#define SL_FDB_LEARN_TRIES 16
/* Longest table name + 1. */
#define SL_FDB_NAME_SIZE SL_NAME_SIZE

/* What sl_fdb_learn() did.  Negative values are failures (the caller floods). */
enum sl_fdb_learn_result {
	SL_FDB_LEARNED = 0,	  /* new entry */
	SL_FDB_KNOWN = 1,	  /* entry present with that port (seen refreshed if later) */
	SL_FDB_MOVED = 2,	  /* entry present with another port: now this one */
	SL_FDB_FULL = -ENOSPC,	  /* the MAC's bucket holds 8 other MACs (or too many races) */
	SL_FDB_INVALID = -EINVAL, /* multicast/broadcast source, vid > 4095 or port NONE */
};

struct sl_fdb_config {
	const char *name;  /* for log lines, 1..SL_FDB_NAME_SIZE-1 characters; NULL: "fdb" */
	uint32_t capacity; /* entries, 1..SL_FDB_CAPACITY_MAX; 0: SL_FDB_CAPACITY_DEFAULT */
	int node;	   /* NUMA node of the table or SL_NODE_ANY (a zeroed config: node 0) */
};

/* One entry as sl_fdb_iterate() reports it. */
struct sl_fdb_entry {
	uint16_t vid;
	uint8_t mac[6];
	uint16_t port;
	uint32_t seen;
};

/* Cumulative counters (relaxed atomic adds; a snapshot when read). */
struct sl_fdb_stats {
	uint64_t learned;  /* new entries (data path) */
	uint64_t moved;	   /* MAC moves to another port (data path) */
	uint64_t full;	   /* learns refused by a full bucket (data path) */
	uint64_t aged;	   /* entries removed by sl_fdb_age() */
	uint64_t flushed;  /* entries removed by sl_fdb_flush() */
	uint32_t entries;  /* learned - aged - flushed: entries in the table */
	uint32_t capacity; /* slots (buckets * 8) */
};

struct sl_fdb;

/*
 * Creates an empty table; cfg NULL means every default (name "fdb", SL_NODE_ANY).
 * Memory: capacity rounded up to 8 times a power of two, 16 bytes per entry, pinned
 * (sl_malloc).  Returns the table, or NULL with errno EINVAL (capacity out of range),
 * ENAMETOOLONG or ENOMEM, each logged with the value and the fix.  Thread-safe.
 */
struct sl_fdb *sl_fdb_create(const struct sl_fdb_config *cfg);

/* Frees the table; NULL is ignored.  Nobody else may use it. */
void sl_fdb_free(struct sl_fdb *fdb);

/*
 * Looks (vid, mac) up: true and *port on a hit; false on a miss (also for vid >
 * SL_FDB_VID_MAX), *port untouched.  A bool, not 0/-ENOENT: on the data path a miss is an
 * answer (flood), not an error.  Loads only, writes nothing.  Any thread; fdb must be a
 * live table.
 */
bool sl_fdb_lookup(const struct sl_fdb *fdb, uint16_t vid, const uint8_t mac[6], uint16_t *port);

/*
 * Looks up n pairs (vids[i], macs[i]): ports[i] receives the port, or SL_FDB_PORT_NONE on
 * a miss.  Prefetches the buckets of up to 32 pairs before scanning them (unmeasured so
 * far: bench/ has no figure for it yet).  Returns the number of hits.  Any thread.
 */
unsigned sl_fdb_lookup_burst(const struct sl_fdb *fdb, const uint16_t *vids,
			     const uint8_t *const *macs, unsigned n, uint16_t *ports);

/*
 * Learns that source mac on VLAN vid arrived on port at time now.  Returns an
 * enum sl_fdb_learn_result: SL_FDB_LEARNED, SL_FDB_KNOWN, SL_FDB_MOVED (counted),
 * SL_FDB_FULL (counted in `full`) or SL_FDB_INVALID (not counted, not logged: the caller
 * counts its drops).  Lock-free, any thread; writes nothing for a known MAC on the same
 * port when now is not later than its seen.
 */
int sl_fdb_learn(struct sl_fdb *fdb, uint16_t vid, const uint8_t mac[6], uint16_t port,
		 uint32_t now);

/*
 * Removes the entries not seen for more than max_age: those with now - seen > max_age in
 * serial-number arithmetic (an entry seen "after" now is kept).  Scans the whole table
 * (16 bytes per slot).  Returns how many it removed, or -EINVAL (NULL table, logged).
 * Control thread.
 */
int sl_fdb_age(struct sl_fdb *fdb, uint32_t now, uint32_t max_age);

/*
 * Removes the entries of VLAN vid (or every VLAN when vid is -1) on port (or every port
 * when port is -1).  Returns how many, or -EINVAL (NULL table, vid outside -1..4095, port
 * outside -1..0xfffe; logged).  An entry whose learn is in flight survives.  Control thread.
 */
int sl_fdb_flush(struct sl_fdb *fdb, int32_t vid, int32_t port);

/*
 * Iteration: set *cursor = 0, then `while (sl_fdb_iterate(fdb, &cursor, &e))`.  Each call
 * returning true fills *out with one entry; false means the end (the cursor stays there)
 * or a NULL argument (logged).  Visits every entry present during the whole walk exactly
 * once (entries never move between slots); entries learned or removed meanwhile may or
 * may not appear.  Any thread.
 */
bool sl_fdb_iterate(const struct sl_fdb *fdb, uint32_t *cursor, struct sl_fdb_entry *out);

/* Entries in the table (from the counters, O(1); a snapshot).  0 for NULL.  Any thread. */
uint32_t sl_fdb_count(const struct sl_fdb *fdb);

/* Slots in the table (buckets * 8).  0 for NULL.  Any thread. */
uint32_t sl_fdb_capacity(const struct sl_fdb *fdb);

/* Fills *st.  Returns 0 or -EINVAL (NULL argument, logged).  Any thread. */
int sl_fdb_stats(const struct sl_fdb *fdb, struct sl_fdb_stats *st);

/* Internal: the bucket (vid, mac) lives in, 0..capacity/8-1 (tests fill one bucket). */
uint32_t sl_fdb__bucket_of(const struct sl_fdb *fdb, uint16_t vid, const uint8_t mac[6]);

#endif
