/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding database: buckets of 8 (key, val) slots, lock-free learn and lookup on the
 * data path, age and flush on the control thread.  The slot format and the concurrency
 * rules are in sl_fdb.h; docs/fdb.md has the argument.
 *
 * Who writes what (netmap style: (d) data-path threads, (c) the control thread):
 *   slot.key   (d) CAS 0 -> key to claim, store 0 to give a fresh claim back
 *              (c) store 0 after val was emptied
 *   slot.val   (d) store after a claim; CAS from the value read to refresh seen or move
 *              (c) CAS from the value read to empty
 *   learned, moved, full   (d) relaxed atomic adds, rare events only
 *   aged, flushed          (c) relaxed atomic adds, once per call
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sl_fdb.h"
#include "sl_hash.h"
#include "sl_log.h"
#include "sl_memory.h"

SL_LOG_TYPE_DEFINE(fdb)

#define KEY_USED (1ull << 63)
#define VAL_PORT(v) ((uint16_t)(v))
#define VAL_TAG(v) ((uint16_t)((v) >> 16))
#define VAL_SEEN(v) ((uint32_t)((v) >> 32))
/* Empty val: port NONE, tag 0, seen 0.  Free slots always hold it. */
#define VAL_EMPTY ((uint64_t)SL_FDB_PORT_NONE)
/* Pairs of a burst whose buckets are prefetched together (keys on the stack: 32 * 16 B). */
#define BURST_CHUNK 32

struct fdb_slot {
	uint64_t key; /* see "Who writes what" above */
	uint64_t val; /* port | tag << 16 | seen << 32 */
};

struct fdb_bucket {
	struct fdb_slot slot[SL_FDB_BUCKET_ENTRIES];
} SL_CACHE_ALIGNED;

/* The slot layout sl_fdb.h documents: key, then port, tag and seen in one word. */
_Static_assert(sizeof(struct fdb_slot) == 16, "a slot is 16 bytes");
_Static_assert(offsetof(struct fdb_slot, val) == 8, "val follows key");
_Static_assert(sizeof(struct fdb_bucket) == 128, "a bucket is two cache lines");
_Static_assert(_Alignof(struct fdb_bucket) == SL_CACHE_LINE, "buckets are line aligned");
_Static_assert(SL_FDB_CAPACITY_MAX / SL_FDB_BUCKET_ENTRIES <= (1u << 31),
	       "bucket indexes fit the 32-bit hash");

struct sl_fdb {
	/* Read-only after create: read by every lookup, so kept off the counter lines. */
	struct fdb_bucket *buckets;
	uint32_t mask; /* nb_buckets - 1 */
	uint32_t nb_buckets;
	char name[SL_FDB_NAME_SIZE];
	/* (d) rare events: a learn of a new MAC, a move, a full bucket. */
	uint64_t learned SL_CACHE_ALIGNED;
	uint64_t moved;
	uint64_t full;
	/* (c) once per age or flush call. */
	uint64_t aged SL_CACHE_ALIGNED;
	uint64_t flushed;
};

_Static_assert(offsetof(struct sl_fdb, learned) == SL_CACHE_LINE,
	       "data-path counters start the second line");
_Static_assert(offsetof(struct sl_fdb, aged) == 2 * SL_CACHE_LINE,
	       "control counters on their own line");

static inline uint64_t make_key(uint16_t vid, const uint8_t mac[6])
{
	return KEY_USED | (uint64_t)vid << 48 | (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
	       (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5];
}

static inline uint16_t key_vid(uint64_t key)
{
	return (uint16_t)((key >> 48) & SL_FDB_VID_MAX);
}

/* 16 bits of a hash of the key independent of the bucket bits (which are CRC32C's low
 * bits): Fibonacci hashing, the top bits of a multiply by 2^64 / phi. */
static inline uint16_t key_tag(uint64_t key)
{
	return (uint16_t)((key * 0x9e3779b97f4a7c15ull) >> 48);
}

static inline uint64_t make_val(uint16_t port, uint16_t tag, uint32_t seen)
{
	return (uint64_t)seen << 32 | (uint64_t)tag << 16 | port;
}

static inline struct fdb_bucket *bucket_of(const struct sl_fdb *fdb, uint64_t key)
{
	return &fdb->buckets[sl_hash_crc32c(&key, sizeof(key), 0) & fdb->mask];
}

static inline uint64_t ld_acq(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* RFC 1982 serial-number order on 32-bit time stamps: a is later than b. */
static inline bool later(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* ---- create / free ---- */

struct sl_fdb *sl_fdb_create(const struct sl_fdb_config *cfg)
{
	const char *name = cfg && cfg->name ? cfg->name : "fdb";
	uint32_t cap = cfg ? cfg->capacity : 0;
	int node = cfg ? cfg->node : SL_NODE_ANY;
	struct sl_fdb *fdb;
	uint32_t nb;
	size_t bytes;
	int rc;

	if (name[0] == '\0') {
		SL_LOG(fdb, ERR, "fdb name is empty; give a name of 1 to %u characters or NULL",
		       SL_FDB_NAME_SIZE - 1);
		errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, SL_FDB_NAME_SIZE) >= SL_FDB_NAME_SIZE) {
		SL_LOG(fdb, ERR, "fdb name '%s' is %zu characters long; use at most %u", name,
		       strlen(name), SL_FDB_NAME_SIZE - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (cap == 0)
		cap = SL_FDB_CAPACITY_DEFAULT;
	if (cap > SL_FDB_CAPACITY_MAX) {
		SL_LOG(fdb, ERR,
		       "fdb '%s': capacity %u is out of range; use 1 to %u (0 for the default %u)",
		       name, cap, SL_FDB_CAPACITY_MAX, SL_FDB_CAPACITY_DEFAULT);
		errno = EINVAL;
		return NULL;
	}
	nb = sl_pow2_ceil((cap + SL_FDB_BUCKET_ENTRIES - 1) / SL_FDB_BUCKET_ENTRIES);
	bytes = (size_t)nb * sizeof(struct fdb_bucket);

	fdb = sl_malloc(sizeof(*fdb), 0, node);
	if (fdb == NULL)
		goto err_log;
	fdb->buckets = sl_malloc(bytes, sizeof(struct fdb_bucket), node);
	if (fdb->buckets == NULL)
		goto err_fdb;
	/* sl_malloc zero-fills: keys are 0 (free), vals must be empty (port NONE) so that a
	 * freshly claimed slot reads as a miss until its claimer writes the val. */
	for (uint32_t b = 0; b < nb; b++)
		for (unsigned i = 0; i < SL_FDB_BUCKET_ENTRIES; i++)
			fdb->buckets[b].slot[i].val = VAL_EMPTY;
	fdb->mask = nb - 1;
	fdb->nb_buckets = nb;
	snprintf(fdb->name, sizeof(fdb->name), "%s", name);
	return fdb;

err_fdb:
	sl_free(fdb);
err_log:
	rc = errno;
	SL_LOG(fdb, ERR,
	       "fdb '%s': cannot get %zu bytes for %u entries on node %d: %s; lower the "
	       "capacity or reserve more memory",
	       name, bytes, nb * SL_FDB_BUCKET_ENTRIES, node, strerror(rc));
	errno = rc;
	return NULL;
}

void sl_fdb_free(struct sl_fdb *fdb)
{
	if (fdb == NULL)
		return;
	sl_free(fdb->buckets);
	sl_free(fdb);
}

/* ---- data path ---- */

/*
 * The port of key in b, or SL_FDB_PORT_NONE.  key and val are two words, and the slot may
 * change hands between their loads (removed, then claimed by another MAC of the bucket),
 * so a val counts only when its tag is the key's and the key is still there after it (the
 * three loads are acquire, so they happen in that order).  A slot whose port is NONE is
 * being written or given back: keep scanning, the key may be in another.
 */
static inline uint16_t scan(const struct fdb_bucket *b, uint64_t key, uint16_t tag)
{
	for (unsigned i = 0; i < SL_FDB_BUCKET_ENTRIES; i++) {
		const struct fdb_slot *s = &b->slot[i];
		uint64_t v;

		if (ld_acq(&s->key) != key)
			continue;
		v = ld_acq(&s->val);
		if (VAL_PORT(v) != SL_FDB_PORT_NONE && VAL_TAG(v) == tag && ld_acq(&s->key) == key)
			return VAL_PORT(v);
	}
	return SL_FDB_PORT_NONE;
}

bool sl_fdb_lookup(const struct sl_fdb *fdb, uint16_t vid, const uint8_t mac[6], uint16_t *port)
{
	uint64_t key;
	uint16_t p;

	if (sl_unlikely(vid > SL_FDB_VID_MAX))
		return false;
	key = make_key(vid, mac);
	p = scan(bucket_of(fdb, key), key, key_tag(key));
	if (p == SL_FDB_PORT_NONE)
		return false;
	*port = p;
	return true;
}

unsigned sl_fdb_lookup_burst(const struct sl_fdb *fdb, const uint16_t *vids,
			     const uint8_t *const *macs, unsigned n, uint16_t *ports)
{
	const struct fdb_bucket *bk[BURST_CHUNK];
	uint64_t keys[BURST_CHUNK];
	unsigned hits = 0;

	for (unsigned base = 0; base < n; base += BURST_CHUNK) {
		const unsigned m = SL_MIN(n - base, (unsigned)BURST_CHUNK);

		/* First start every bucket's two lines loading, then scan: the misses of the
		 * chunk overlap instead of following one another. */
		for (unsigned i = 0; i < m; i++) {
			if (sl_unlikely(vids[base + i] > SL_FDB_VID_MAX)) {
				keys[i] = 0; /* no such key: a miss, nothing to load */
				bk[i] = NULL;
				continue;
			}
			keys[i] = make_key(vids[base + i], macs[base + i]);
			bk[i] = bucket_of(fdb, keys[i]);
			sl_prefetch0(&bk[i]->slot[0]);
			sl_prefetch0(&bk[i]->slot[SL_FDB_BUCKET_ENTRIES / 2]);
		}
		for (unsigned i = 0; i < m; i++) {
			const uint16_t p =
				keys[i] ? scan(bk[i], keys[i], key_tag(keys[i])) : SL_FDB_PORT_NONE;

			ports[base + i] = p;
			hits += p != SL_FDB_PORT_NONE;
		}
	}
	return hits;
}

/*
 * Learn of key, just found in slot s.  Returns true with *rc set when done, false when the
 * slot changed meanwhile (a refresh, a move, a removal: it may even belong to another MAC
 * now) and the caller must scan again.
 */
static bool update(struct sl_fdb *fdb, struct fdb_slot *s, uint64_t key, uint16_t port,
		   uint16_t tag, uint32_t now, int *rc)
{
	uint64_t v = ld_acq(&s->val);
	const uint32_t seen = VAL_SEEN(v);

	*rc = SL_FDB_KNOWN;
	if (VAL_PORT(v) == SL_FDB_PORT_NONE)
		return true; /* a claim being written or a removal: not ours to write */
	if (VAL_TAG(v) != tag)
		return false; /* another MAC's val: the slot changed hands after the key load */
	if (VAL_PORT(v) == port && !later(now, seen))
		return true; /* the per-packet path: nothing stored */
	if (VAL_PORT(v) != port)
		*rc = SL_FDB_MOVED;
	if (ld_acq(&s->key) != key)
		return false; /* as in scan(): v may be another MAC's of the same tag */
	/* From the value read, not a blind store, so that a write never lands on a slot
	 * that was removed and claimed again meanwhile (but for the ABA case in sl_fdb.h). */
	if (!__atomic_compare_exchange_n(&s->val, &v,
					 make_val(port, tag, later(now, seen) ? now : seen), false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return false;
	if (*rc == SL_FDB_MOVED)
		count(&fdb->moved, 1);
	return true;
}

/* True when a slot of b other than `mine` holds key. */
static bool has_other(const struct fdb_bucket *b, unsigned mine, uint64_t key)
{
	for (unsigned i = 0; i < SL_FDB_BUCKET_ENTRIES; i++)
		if (i != mine && __atomic_load_n(&b->slot[i].key, __ATOMIC_SEQ_CST) == key)
			return true;
	return false;
}

int sl_fdb_learn(struct sl_fdb *fdb, uint16_t vid, const uint8_t mac[6], uint16_t port,
		 uint32_t now)
{
	struct fdb_bucket *b;
	uint64_t key;
	uint16_t tag;
	int rc;

	/* Group bit (IEEE 802 I/G, bit 0 of the first octet): a multicast or broadcast
	 * address is never a source to learn. */
	if (sl_unlikely((mac[0] & 1) || vid > SL_FDB_VID_MAX || port == SL_FDB_PORT_NONE))
		return SL_FDB_INVALID;
	key = make_key(vid, mac);
	tag = key_tag(key);
	b = bucket_of(fdb, key);

	for (unsigned tries = 0; tries < SL_FDB_LEARN_TRIES; tries++) {
		unsigned found = SL_FDB_BUCKET_ENTRIES, empty = SL_FDB_BUCKET_ENTRIES;
		uint64_t zero = 0;

		for (unsigned i = 0; i < SL_FDB_BUCKET_ENTRIES; i++) {
			const uint64_t k = ld_acq(&b->slot[i].key);

			if (k == key) {
				found = i;
				break;
			}
			if (k == 0 && empty == SL_FDB_BUCKET_ENTRIES)
				empty = i;
		}
		if (found < SL_FDB_BUCKET_ENTRIES) {
			struct fdb_slot *s = &b->slot[found];

			if (update(fdb, s, key, port, tag, now, &rc))
				return rc;
			continue;
		}
		if (empty == SL_FDB_BUCKET_ENTRIES)
			break;
		/* Claim.  Sequentially consistent, as are the loads of has_other(): of two
		 * claims of one key in two slots the later then sees the earlier (the
		 * store-buffer litmus test needs SC on both sides; on x86 the CAS is a locked
		 * instruction anyway and the loads plain moves). */
		if (!__atomic_compare_exchange_n(&b->slot[empty].key, &zero, key, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			continue; /* someone took the slot: scan again */
		if (has_other(b, empty, key)) {
			/* Give the claim back (its val is still empty: nobody else writes the
			 * val of a slot whose port is NONE) and scan again: the other copy is
			 * found, or was given back too. */
			__atomic_store_n(&b->slot[empty].key, 0, __ATOMIC_RELEASE);
			continue;
		}
		/* Port and seen in one release store: a reader that sees the port sees the
		 * whole entry. */
		__atomic_store_n(&b->slot[empty].val, make_val(port, tag, now), __ATOMIC_RELEASE);
		count(&fdb->learned, 1);
		return SL_FDB_LEARNED;
	}
	count(&fdb->full, 1);
	return SL_FDB_FULL;
}

/* ---- control thread ---- */

static int check_fdb(const struct sl_fdb *fdb, const char *what)
{
	if (fdb == NULL) {
		SL_LOG(fdb, ERR, "fdb %s: table is NULL; create it with sl_fdb_create()", what);
		return -EINVAL;
	}
	return 0;
}

/*
 * Reads the entry of s into *k and *v: false when the slot is free, being written or given
 * back (port NONE), or changed hands between the loads (as scan() checks: the tag and a
 * second load of the key), so that a val is never taken for another MAC's.
 */
static bool slot_read(const struct fdb_slot *s, uint64_t *k, uint64_t *v)
{
	*k = ld_acq(&s->key);
	if (*k == 0)
		return false;
	*v = ld_acq(&s->val);
	return VAL_PORT(*v) != SL_FDB_PORT_NONE && VAL_TAG(*v) == key_tag(*k) &&
	       ld_acq(&s->key) == *k;
}

/* Removes the entry in s if its val is still v: empties val (so a racing learn's CAS
 * fails and a new claim of the slot finds it empty), then frees the key.  Only a val
 * with a port can be removed, so the key is never a claim in flight. */
static bool remove_slot(struct fdb_slot *s, uint64_t v)
{
	if (!__atomic_compare_exchange_n(&s->val, &v, VAL_EMPTY, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return false; /* refreshed or moved meanwhile: leave it */
	__atomic_store_n(&s->key, 0, __ATOMIC_RELEASE);
	return true;
}

int sl_fdb_age(struct sl_fdb *fdb, uint32_t now, uint32_t max_age)
{
	uint32_t removed = 0;
	int rc = check_fdb(fdb, "age");

	if (rc < 0)
		return rc;
	for (uint32_t bi = 0; bi < fdb->nb_buckets; bi++) {
		struct fdb_bucket *b = &fdb->buckets[bi];

		for (unsigned i = 0; i < SL_FDB_BUCKET_ENTRIES; i++) {
			struct fdb_slot *s = &b->slot[i];
			uint64_t k, v;

			if (!slot_read(s, &k, &v))
				continue;
			if ((int64_t)(int32_t)(now - VAL_SEEN(v)) <= (int64_t)max_age)
				continue;
			removed += remove_slot(s, v);
		}
	}
	if (removed)
		count(&fdb->aged, removed);
	return (int)removed;
}

int sl_fdb_flush(struct sl_fdb *fdb, int32_t vid, int32_t port)
{
	uint32_t removed = 0;
	int rc = check_fdb(fdb, "flush");

	if (rc < 0)
		return rc;
	if (vid < -1 || vid > SL_FDB_VID_MAX) {
		SL_LOG(fdb, ERR,
		       "fdb '%s' flush: vid %d is out of range; use 0 to %u, or -1 for all",
		       fdb->name, vid, SL_FDB_VID_MAX);
		return -EINVAL;
	}
	if (port < -1 || port >= SL_FDB_PORT_NONE) {
		SL_LOG(fdb, ERR,
		       "fdb '%s' flush: port %d is out of range; use 0 to %u, or -1 for all",
		       fdb->name, port, SL_FDB_PORT_NONE - 1);
		return -EINVAL;
	}
	for (uint32_t bi = 0; bi < fdb->nb_buckets; bi++) {
		struct fdb_bucket *b = &fdb->buckets[bi];

		for (unsigned i = 0; i < SL_FDB_BUCKET_ENTRIES; i++) {
			struct fdb_slot *s = &b->slot[i];
			uint64_t k, v;

			/* A learn in flight (port NONE) is skipped: it lands after the flush. */
			if (!slot_read(s, &k, &v))
				continue;
			if ((vid >= 0 && key_vid(k) != vid) || (port >= 0 && VAL_PORT(v) != port))
				continue;
			/* A move to another port between the loads and here fails the CAS, and
			 * the entry, now on a port not flushed, stays. */
			removed += remove_slot(s, v);
		}
	}
	if (removed)
		count(&fdb->flushed, removed);
	return (int)removed;
}

bool sl_fdb_iterate(const struct sl_fdb *fdb, uint32_t *cursor, struct sl_fdb_entry *out)
{
	uint32_t n;

	if (check_fdb(fdb, "iterate") < 0)
		return false;
	if (cursor == NULL || out == NULL) {
		SL_LOG(fdb, ERR,
		       "fdb '%s' iterate: %s is NULL; pass a cursor set to 0 and an entry",
		       fdb->name, cursor == NULL ? "cursor" : "out");
		return false;
	}
	n = fdb->nb_buckets * SL_FDB_BUCKET_ENTRIES;
	for (uint32_t c = *cursor; c < n; c++) {
		const struct fdb_slot *s =
			&fdb->buckets[c / SL_FDB_BUCKET_ENTRIES].slot[c % SL_FDB_BUCKET_ENTRIES];
		uint64_t k, v;

		if (!slot_read(s, &k, &v))
			continue;
		out->vid = key_vid(k);
		for (unsigned j = 0; j < 6; j++)
			out->mac[j] = (uint8_t)(k >> (40 - 8 * j));
		out->port = VAL_PORT(v);
		out->seen = VAL_SEEN(v);
		*cursor = c + 1;
		return true;
	}
	*cursor = n;
	return false;
}

uint32_t sl_fdb_count(const struct sl_fdb *fdb)
{
	uint64_t gone, learned;

	if (fdb == NULL)
		return 0;
	/* Removals first: an entry is learned before it is removed, so reading learned
	 * last keeps the difference from going below the truth by much (clamped at 0). */
	gone = __atomic_load_n(&fdb->aged, __ATOMIC_RELAXED) +
	       __atomic_load_n(&fdb->flushed, __ATOMIC_RELAXED);
	learned = __atomic_load_n(&fdb->learned, __ATOMIC_RELAXED);
	return learned > gone ? (uint32_t)(learned - gone) : 0;
}

uint32_t sl_fdb_capacity(const struct sl_fdb *fdb)
{
	return fdb == NULL ? 0 : fdb->nb_buckets * SL_FDB_BUCKET_ENTRIES;
}

int sl_fdb_stats(const struct sl_fdb *fdb, struct sl_fdb_stats *st)
{
	int rc = check_fdb(fdb, "stats");

	if (rc < 0)
		return rc;
	if (st == NULL) {
		SL_LOG(fdb, ERR, "fdb '%s' stats: stats is NULL; pass a struct sl_fdb_stats",
		       fdb->name);
		return -EINVAL;
	}
	st->aged = __atomic_load_n(&fdb->aged, __ATOMIC_RELAXED);
	st->flushed = __atomic_load_n(&fdb->flushed, __ATOMIC_RELAXED);
	st->learned = __atomic_load_n(&fdb->learned, __ATOMIC_RELAXED);
	st->moved = __atomic_load_n(&fdb->moved, __ATOMIC_RELAXED);
	st->full = __atomic_load_n(&fdb->full, __ATOMIC_RELAXED);
	st->entries = st->learned > st->aged + st->flushed
			      ? (uint32_t)(st->learned - st->aged - st->flushed)
			      : 0;
	st->capacity = sl_fdb_capacity(fdb);
	return 0;
}

uint32_t sl_fdb__bucket_of(const struct sl_fdb *fdb, uint16_t vid, const uint8_t mac[6])
{
	return (uint32_t)(bucket_of(fdb, make_key(vid, mac)) - fdb->buckets);
}
