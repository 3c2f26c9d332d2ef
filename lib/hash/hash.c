/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cuckoo hash table: control path (create, free, find), the writer (add, delete,
 * displacement) and the lock-free readers (lookup, bulk lookup).  sl_hash.h describes
 * the layout and the concurrency rules; docs/hash.md argues why the readers are safe.
 *
 * Memory-order conventions: the writer stores every shared word with a release store
 * (relaxed for the seqlock's first version bump); readers load with acquire, which is
 * a plain load on x86.  No standalone fences (ThreadSanitizer does not model them); the
 * optional grace periods (lib/rcu) have theirs inside sl_rcu_start().
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "hash_priv.h"
#include "sl_hash.h"
#include "sl_log.h"
#include "sl_memory.h"

SL_LOG_TYPE_DEFINE(hash)

#define ZONE_PREFIX "hs_"

_Static_assert(sizeof(ZONE_PREFIX) - 1 + SL_HASH_NAME_SIZE == SL_NAME_SIZE,
	       "hash names leave room for the zone prefix");
_Static_assert(SL_HASH_BFS_NODES <= INT16_MAX, "bfs parents are int16_t");

#define LD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LD_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ST_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ST_RLX(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Serialises create/find/free so a find never sees a half-built table. */
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- placement ---- */

static inline uint16_t sig_of(uint32_t hash)
{
	return (uint16_t)(hash >> 16);
}

/*
 * The other bucket of an entry with signature sig stored in bucket b.  XOR with a value
 * that depends only on the signature makes it an involution: alt(alt(b)) == b, so the
 * writer finds an entry's other bucket without the key.  Never b itself unless the table
 * has one bucket.
 */
static inline uint32_t alt_of(const struct sl_hash *h, uint32_t b, uint16_t sig)
{
	uint32_t m = (uint32_t)sig * 0x9e3779b1u;

	m = (m ^ (m >> 15)) & h->bucket_mask;
	if (m == 0)
		m = 1 & h->bucket_mask;
	return b ^ m;
}

/*
 * Slots of a bucket whose signature equals sig: bit i for slot i.  SWAR over the two
 * signature words: a lane of x = word ^ pattern is zero iff it matches.
 */
static inline uint32_t zero_lanes(uint64_t x)
{
	const uint64_t low15 = 0x7fff7fff7fff7fffull;
	/* Bit 15 of each lane: set iff the lane is zero (no carry crosses lanes). */
	uint64_t t = ~(((x & low15) + low15) | x) & 0x8000800080008000ull;

	/* Gather bits 0, 16, 32, 48 of t >> 15 into bits 45..48 of the product. */
	return (uint32_t)(((t >> 15) * 0x0000200040008001ull) >> 45) & 0xf;
}

static inline uint32_t sig_match(const struct bucket *b, uint16_t sig)
{
	const uint64_t pat = sig * 0x0001000100010001ull;

	return zero_lanes(LD_ACQ(&b->sig[0]) ^ pat) | zero_lanes(LD_ACQ(&b->sig[1]) ^ pat) << 4;
}

/*
 * Slots of both candidate buckets whose signature equals sig: bit i for slot i of p,
 * bit 8 + i for slot i of s.  With SSE2 (every x86-64 CPU) the 8 signatures of a bucket
 * are compared in one instruction and the two 16-bit lane masks packed to one byte each;
 * the bucket words are still read with atomic loads (two 64-bit loads per bucket).
 */
static inline uint32_t sig_match2(const struct bucket *p, const struct bucket *s, uint16_t sig)
{
#ifdef __SSE2__
	const __m128i pat = _mm_set1_epi16((short)sig);
	__m128i a = _mm_set_epi64x((long long)LD_ACQ(&p->sig[1]), (long long)LD_ACQ(&p->sig[0]));
	__m128i b = _mm_set_epi64x((long long)LD_ACQ(&s->sig[1]), (long long)LD_ACQ(&s->sig[0]));

	a = _mm_cmpeq_epi16(a, pat);
	b = _mm_cmpeq_epi16(b, pat);
	return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a, b));
#else
	return sig_match(p, sig) | sig_match(s, sig) << 8;
#endif
}

static inline uint16_t slot_sig(const struct bucket *b, unsigned i)
{
	return (uint16_t)(LD_RLX(&b->sig[i / 4]) >> (16 * (i % 4)));
}

/* ---- key compare ---- */

static inline uint64_t word_at(const void *key, unsigned i)
{
	uint64_t w;

	memcpy(&w, (const uint8_t *)key + 8 * i, 8);
	return w;
}

/*
 * Does the stored key k (acquire loads: ordered before the version re-check) equal key?
 * The common flow-key sizes are straight-line XOR/OR; others loop with a padded tail.
 */
static inline bool key_equal(const struct sl_hash *h, const struct kslot *k, const void *key)
{
	const uint64_t *w = k->key;
	uint64_t d;
	unsigned i, full;

	switch (h->key_len) {
	case 16:
		d = (LD_ACQ(&w[0]) ^ word_at(key, 0)) | (LD_ACQ(&w[1]) ^ word_at(key, 1));
		return d == 0;
	case 32:
		d = (LD_ACQ(&w[0]) ^ word_at(key, 0)) | (LD_ACQ(&w[1]) ^ word_at(key, 1)) |
		    (LD_ACQ(&w[2]) ^ word_at(key, 2)) | (LD_ACQ(&w[3]) ^ word_at(key, 3));
		return d == 0;
	case 48:
		d = (LD_ACQ(&w[0]) ^ word_at(key, 0)) | (LD_ACQ(&w[1]) ^ word_at(key, 1)) |
		    (LD_ACQ(&w[2]) ^ word_at(key, 2)) | (LD_ACQ(&w[3]) ^ word_at(key, 3)) |
		    (LD_ACQ(&w[4]) ^ word_at(key, 4)) | (LD_ACQ(&w[5]) ^ word_at(key, 5));
		return d == 0;
	case 64:
		d = (LD_ACQ(&w[0]) ^ word_at(key, 0)) | (LD_ACQ(&w[1]) ^ word_at(key, 1)) |
		    (LD_ACQ(&w[2]) ^ word_at(key, 2)) | (LD_ACQ(&w[3]) ^ word_at(key, 3)) |
		    (LD_ACQ(&w[4]) ^ word_at(key, 4)) | (LD_ACQ(&w[5]) ^ word_at(key, 5)) |
		    (LD_ACQ(&w[6]) ^ word_at(key, 6)) | (LD_ACQ(&w[7]) ^ word_at(key, 7));
		return d == 0;
	default:
		break;
	}
	full = h->key_len / 8;
	d = 0;
	for (i = 0; i < full; i++)
		d |= LD_ACQ(&w[i]) ^ word_at(key, i);
	if (h->key_len % 8) {
		uint64_t tail = 0;

		memcpy(&tail, (const uint8_t *)key + 8 * full, h->key_len % 8);
		d |= LD_ACQ(&w[full]) ^ tail;
	}
	return d == 0;
}

/*
 * Reader check of key slot `slot` against key under its seqlock: true (and *value) only
 * when the version was even and did not change around the key compare and value read.
 */
static inline bool slot_match(const struct sl_hash *h, uint32_t slot, const void *key,
			      uint64_t *value)
{
	const struct kslot *k = kslot_at(h, slot);
	uint32_t v = LD_ACQ(&k->ver);
	uint64_t val;

	if (sl_unlikely(v & 1) || !key_equal(h, k, key))
		return false;
	val = LD_ACQ(&k->value);
	/* Ordered after the acquire loads above: a recycle during them changed ver. */
	if (sl_unlikely(LD_RLX(&k->ver) != v))
		return false;
	if (value != NULL)
		*value = val;
	return true;
}

/* Searches the slots of b in `mask`; returns the key slot or -1. */
static inline int32_t search(const struct sl_hash *h, const struct bucket *b, uint32_t mask,
			     const void *key, uint64_t *value)
{
	for (; mask; mask &= mask - 1) {
		uint32_t idx = LD_ACQ(&b->idx[__builtin_ctz(mask)]);

		if (idx != 0 && slot_match(h, idx - 1, key, value))
			return (int32_t)(idx - 1);
	}
	return -1;
}

/* As search() over a sig_match2() mask: slots of p first, then of s. */
static inline int32_t search2(const struct sl_hash *h, const struct bucket *p,
			      const struct bucket *s, uint32_t mask, const void *key,
			      uint64_t *value)
{
	for (; mask; mask &= mask - 1) {
		const unsigned bit = (unsigned)__builtin_ctz(mask);
		const struct bucket *b = bit < SL_HASH_BUCKET_ENTRIES ? p : s;
		uint32_t idx = LD_ACQ(&b->idx[bit % SL_HASH_BUCKET_ENTRIES]);

		if (idx != 0 && slot_match(h, idx - 1, key, value))
			return (int32_t)(idx - 1);
	}
	return -1;
}

/* ---- lookups ---- */

/*
 * Single lookup.  The secondary bucket is prefetched before the primary is read, so the
 * keys that live there and every miss wait for one bucket load, not two in a row.
 */
int32_t sl_hash_lookup_with_hash(const struct sl_hash *h, const void *key, uint32_t hash,
				 uint64_t *value)
{
	const uint16_t sig = sig_of(hash);
	const struct bucket *prim, *sec;
	uint32_t pb, change;
	int32_t r;

	if (sl_unlikely(h == NULL || key == NULL))
		return -EINVAL;
	pb = hash & h->bucket_mask;
	prim = &h->buckets[pb];
	sec = &h->buckets[alt_of(h, pb, sig)];
	sl_prefetch0(sec);
	do {
		change = LD_ACQ(&h->change);
		r = search2(h, prim, sec, sig_match2(prim, sec, sig), key, value);
		if (r >= 0)
			return r;
		/* A miss while the writer moved entries may have skipped a present key. */
	} while (sl_unlikely(LD_ACQ(&h->change) != change));
	return -ENOENT;
}

uint32_t sl_hash_hash(const struct sl_hash *h, const void *key)
{
	return h->hash_func(key, h->key_len, h->init_val);
}

int32_t sl_hash_lookup(const struct sl_hash *h, const void *key, uint64_t *value)
{
	if (sl_unlikely(h == NULL || key == NULL))
		return -EINVAL;
	return sl_hash_lookup_with_hash(h, key, sl_hash_hash(h, key), value);
}

/*
 * Bulk lookup in three passes over the burst so each pass's memory accesses overlap:
 * hash and prefetch both buckets; match the signatures of both buckets (sig_match2) and
 * prefetch the key slot of the first candidate, both of its lines when it may straddle
 * two (48-byte slots of 32-byte keys: half of them do; this halved the cycles of 32-byte
 * bulk lookups in bench/hash/hash_vs_dpdk); compare keys.  Misses are retried one by one
 * if the writer moved entries.  Reading only the primary bucket first and the secondary
 * one when the primary has no candidate was tried: no gain for hits, slower misses.
 */
static int bulk(const struct sl_hash *h, const void *const *keys, const uint32_t *hashes,
		unsigned n, uint64_t *hit_mask, uint64_t *values, int32_t *positions)
{
	const struct bucket *pb[SL_HASH_BULK_MAX], *sb[SL_HASH_BULK_MAX];
	uint32_t masks[SL_HASH_BULK_MAX];
	uint16_t sigs[SL_HASH_BULK_MAX];
	uint64_t hits = 0, misses;
	uint32_t change;
	unsigned i;

	if (sl_unlikely(h == NULL || keys == NULL || hit_mask == NULL || n == 0 ||
			n > SL_HASH_BULK_MAX))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint32_t hv = hashes != NULL ? hashes[i] : sl_hash_hash(h, keys[i]);
		uint32_t b = hv & h->bucket_mask;

		sigs[i] = sig_of(hv);
		pb[i] = &h->buckets[b];
		sb[i] = &h->buckets[alt_of(h, b, sigs[i])];
		sl_prefetch0(pb[i]);
		sl_prefetch0(sb[i]);
	}
	change = LD_ACQ(&h->change);
	for (i = 0; i < n; i++) {
		uint32_t m = sig_match2(pb[i], sb[i], sigs[i]);

		masks[i] = m;
		if (m != 0) {
			const unsigned bit = (unsigned)__builtin_ctz(m);
			const struct bucket *b = bit < SL_HASH_BUCKET_ENTRIES ? pb[i] : sb[i];
			uint32_t idx = LD_ACQ(&b->idx[bit % SL_HASH_BUCKET_ENTRIES]);

			if (idx != 0) {
				const uint8_t *k = (const uint8_t *)kslot_at(h, idx - 1);

				sl_prefetch0(k);
				/* 48-byte slots (17..32-byte keys) and larger ones may straddle
				 * two lines: fetch the last byte's line too. */
				if (h->entry_size > 32)
					sl_prefetch0(k + h->entry_size - 1);
			}
		}
	}
	for (i = 0; i < n; i++) {
		uint64_t v;
		int32_t r = masks[i] ? search2(h, pb[i], sb[i], masks[i], keys[i], &v) : -1;

		if (r >= 0) {
			hits |= 1ull << i;
			if (values != NULL)
				values[i] = v;
		}
		if (positions != NULL)
			positions[i] = r >= 0 ? r : -ENOENT;
	}
	misses = ~hits & (n == 64 ? ~0ull : (1ull << n) - 1);
	if (sl_unlikely(misses != 0 && LD_ACQ(&h->change) != change)) {
		for (; misses; misses &= misses - 1) {
			uint64_t v;
			int32_t r;

			i = (unsigned)__builtin_ctzll(misses);
			r = sl_hash_lookup_with_hash(h, keys[i],
						     hashes != NULL ? hashes[i]
								    : sl_hash_hash(h, keys[i]),
						     &v);
			if (r >= 0) {
				hits |= 1ull << i;
				if (values != NULL)
					values[i] = v;
				if (positions != NULL)
					positions[i] = r;
			}
		}
	}
	*hit_mask = hits;
	return __builtin_popcountll(hits);
}

int sl_hash_lookup_bulk(const struct sl_hash *h, const void *const *keys, unsigned n,
			uint64_t *hit_mask, uint64_t *values, int32_t *positions)
{
	return bulk(h, keys, NULL, n, hit_mask, values, positions);
}

int sl_hash_lookup_bulk_with_hash(const struct sl_hash *h, const void *const *keys,
				  const uint32_t *hashes, unsigned n, uint64_t *hit_mask,
				  uint64_t *values, int32_t *positions)
{
	if (hashes == NULL)
		return -EINVAL;
	return bulk(h, keys, hashes, n, hit_mask, values, positions);
}

/* ---- the writer ---- */

/* Publishes (sig, idx) in slot i of b: signature first, then the index readers key on. */
static inline void store_entry(struct bucket *b, unsigned i, uint16_t sig, uint32_t idx)
{
	const unsigned shift = 16 * (i % 4);
	uint64_t w = LD_RLX(&b->sig[i / 4]);

	w = (w & ~(0xffffull << shift)) | (uint64_t)sig << shift;
	ST_REL(&b->sig[i / 4], w);
	ST_REL(&b->idx[i], idx);
}

static inline int empty_slot(const struct bucket *b)
{
	for (unsigned i = 0; i < SL_HASH_BUCKET_ENTRIES; i++)
		if (LD_RLX(&b->idx[i]) == 0)
			return (int)i;
	return -1;
}

/* Writes key and value into key slot `slot` under its seqlock (see sl_hash.h). */
static void write_kslot(struct sl_hash *h, uint32_t slot, const void *key, uint64_t value)
{
	struct kslot *k = kslot_at(h, slot);
	uint32_t v = LD_RLX(&k->ver);
	unsigned i, full = h->key_len / 8;

	ST_RLX(&k->ver, v + 1);
	/* Release: a reader that sees any of these words also sees ver odd (or later). */
	ST_REL(&k->value, value);
	for (i = 0; i < full; i++)
		ST_REL(&k->key[i], word_at(key, i));
	if (h->key_len % 8) {
		uint64_t tail = 0;

		memcpy(&tail, (const uint8_t *)key + 8 * full, h->key_len % 8);
		ST_REL(&k->key[full], tail);
	}
	ST_REL(&k->ver, v + 2);
}

/* ---- retired key slots (with an rcu domain): see struct sl_hash ---- */

/* A deleted (unlinked) key slot joins the retired FIFO behind a grace period begun now:
 * readers holding its index keep reading its key and value, untouched, until it passed. */
static void retire_kslot(struct sl_hash *h, uint32_t s)
{
	const uint64_t token = sl_rcu_start(h->rcu);

	kslot_at(h, s)->next_free = NO_FREE;
	if (h->ret_tail == NO_FREE)
		h->ret_head = s;
	else
		kslot_at(h, h->ret_tail)->next_free = s;
	h->ret_tail = s;
	if (h->gp_count == HASH_GP_RING) {
		struct hash_gp *last = &h->gp[(h->gp_head + h->gp_count - 1) % HASH_GP_RING];

		last->token = token;
		last->slots++;
	} else {
		h->gp[(h->gp_head + h->gp_count) % HASH_GP_RING] =
			(struct hash_gp){.token = token, .slots = 1};
		h->gp_count++;
	}
}

/* The oldest retired slot once its batch's grace period has passed (waiting for it when
 * `wait`), or NO_FREE. */
static uint32_t retired_get(struct sl_hash *h, bool wait)
{
	struct hash_gp *b;
	uint32_t s;

	if (h->gp_count == 0)
		return NO_FREE;
	b = &h->gp[h->gp_head];
	if (!sl_rcu_check(h->rcu, b->token, wait))
		return NO_FREE;
	s = h->ret_head;
	h->ret_head = kslot_at(h, s)->next_free;
	if (h->ret_head == NO_FREE)
		h->ret_tail = NO_FREE;
	if (--b->slots == 0) {
		h->gp_head = (h->gp_head + 1) % HASH_GP_RING;
		h->gp_count--;
	}
	return s;
}

/*
 * A key slot for an add: recycled ones, then never-used ones, then (with an rcu domain)
 * the oldest retired one whose grace period has passed, else waiting for that grace
 * period: a full key store with deletes pending waits for the readers rather than fail.
 * Retired slots come last so that their grace periods have the most time to pass.
 */
static inline uint32_t alloc_kslot(struct sl_hash *h)
{
	uint32_t s = h->free_head;

	if (s != NO_FREE) {
		h->free_head = kslot_at(h, s)->next_free;
		return s;
	}
	if (h->next_unused < h->entries)
		return h->next_unused++;
	if (h->rcu != NULL && (s = retired_get(h, false)) == NO_FREE)
		s = retired_get(h, true);
	return s;
}

static inline void free_kslot(struct sl_hash *h, uint32_t s)
{
	kslot_at(h, s)->next_free = h->free_head;
	h->free_head = s;
}

int sl_hash_rcu_set(struct sl_hash *h, struct sl_rcu *rcu)
{
	struct hash_gp *gp;

	if (h == NULL) {
		SL_LOG(hash, ERR, "hash rcu_set: table is NULL; create it with sl_hash_create()");
		return -EINVAL;
	}
	if (rcu == h->rcu)
		return 0;
	if (h->rcu != NULL && rcu != NULL) {
		SL_LOG(hash, ERR,
		       "hash '%s': already uses rcu domain '%s'; detach it first with "
		       "sl_hash_rcu_set(h, NULL)",
		       h->name, h->rcu->name);
		return -EBUSY;
	}
	if (rcu == NULL) {
		/* Without a domain slots are reused at once: end every grace period first. */
		if (h->gp_count > 0)
			sl_rcu_check(h->rcu,
				     h->gp[(h->gp_head + h->gp_count - 1) % HASH_GP_RING].token,
				     true);
		while (h->ret_head != NO_FREE) {
			uint32_t s = h->ret_head;

			h->ret_head = kslot_at(h, s)->next_free;
			free_kslot(h, s);
		}
		h->ret_tail = NO_FREE;
		h->gp_head = h->gp_count = 0;
		sl_free(h->gp);
		h->gp = NULL;
		h->rcu = NULL;
		return 0;
	}
	gp = sl_malloc(HASH_GP_RING * sizeof(*gp), 0, SL_NODE_ANY);
	if (gp == NULL) {
		SL_LOG(hash, ERR,
		       "hash '%s': cannot get %zu bytes for grace-period batches; "
		       "reserve more memory",
		       h->name, HASH_GP_RING * sizeof(*gp));
		return -ENOMEM;
	}
	h->gp = gp;
	h->ret_head = h->ret_tail = NO_FREE;
	h->gp_head = h->gp_count = 0;
	h->rcu = rcu;
	return 0;
}

/* Moves the entry in (src, si) to the empty (dst, di), then bumps the change counter.
 * The source slot still holds the entry; the caller overwrites it next. */
static void move_entry(struct sl_hash *h, struct bucket *src, unsigned si, struct bucket *dst,
		       unsigned di)
{
	store_entry(dst, di, slot_sig(src, si), LD_RLX(&src->idx[si]));
	/* Before the source is overwritten: a reader that sees the overwrite sees this. */
	ST_REL(&h->change, LD_RLX(&h->change) + 1);
}

/*
 * Both candidate buckets are full: breadth-first search for the shortest chain of
 * entries that can each move to their other bucket, ending at a bucket with a free slot,
 * then perform the moves from the far end so every key stays findable.  Returns true
 * when the new entry (sig, idx) was placed.
 */
static bool displace(struct sl_hash *h, uint32_t pb, uint32_t sb, uint16_t sig, uint32_t idx)
{
	struct bfs_node *q = h->bfs;
	unsigned head = 0, tail = 0;

	q[tail++] = (struct bfs_node){.bkt = pb, .parent = -1};
	if (sb != pb)
		q[tail++] = (struct bfs_node){.bkt = sb, .parent = -1};
	while (head < tail) {
		const unsigned n = head++;
		const struct bucket *b = &h->buckets[q[n].bkt];

		for (unsigned i = 0; i < SL_HASH_BUCKET_ENTRIES; i++) {
			uint32_t ab = alt_of(h, q[n].bkt, slot_sig(b, i));
			int free_slot;

			if (ab == q[n].bkt)
				continue;
			free_slot = empty_slot(&h->buckets[ab]);
			if (free_slot >= 0) {
				/* Found: move (q[n], i) -> (ab, free_slot), then up the tree. */
				struct bucket *dst = &h->buckets[ab];
				unsigned di = (unsigned)free_slot, si = i;
				int sn = (int)n;

				for (;;) {
					struct bucket *src = &h->buckets[q[sn].bkt];

					move_entry(h, src, si, dst, di);
					dst = src;
					di = si;
					if (q[sn].parent < 0)
						break;
					si = q[sn].slot;
					sn = q[sn].parent;
				}
				store_entry(dst, di, sig, idx);
				return true;
			}
			if (tail < SL_HASH_BFS_NODES)
				q[tail++] = (struct bfs_node){
					.bkt = ab, .parent = (int16_t)n, .slot = (uint8_t)i};
		}
	}
	return false;
}

/* Writer-side search: the bucket and slot holding key, or -1. */
static int find_slot(const struct sl_hash *h, uint32_t bkt, uint16_t sig, const void *key,
		     uint32_t *idx)
{
	const struct bucket *b = &h->buckets[bkt];

	for (uint32_t m = sig_match(b, sig); m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		uint32_t x = LD_RLX(&b->idx[i]);

		if (x != 0 && key_equal(h, kslot_at(h, x - 1), key)) {
			*idx = x;
			return (int)i;
		}
	}
	return -1;
}

int32_t sl_hash_add_with_hash(struct sl_hash *h, const void *key, uint32_t hash, uint64_t value)
{
	const uint16_t sig = sig_of(hash);
	uint32_t pb, sb, idx, slot;
	int i;

	if (sl_unlikely(h == NULL || key == NULL))
		return -EINVAL;
	pb = hash & h->bucket_mask;
	sb = alt_of(h, pb, sig);
	if (find_slot(h, pb, sig, key, &idx) >= 0 || find_slot(h, sb, sig, key, &idx) >= 0) {
		ST_REL(&kslot_at(h, idx - 1)->value, value);
		return (int32_t)(idx - 1);
	}
	slot = alloc_kslot(h);
	if (slot == NO_FREE)
		return -ENOSPC;
	write_kslot(h, slot, key, value);
	if ((i = empty_slot(&h->buckets[pb])) >= 0)
		store_entry(&h->buckets[pb], (unsigned)i, sig, slot + 1);
	else if ((i = empty_slot(&h->buckets[sb])) >= 0)
		store_entry(&h->buckets[sb], (unsigned)i, sig, slot + 1);
	else if (!displace(h, pb, sb, sig, slot + 1)) {
		free_kslot(h, slot);
		return -ENOSPC;
	}
	ST_RLX(&h->count, h->count + 1);
	return (int32_t)slot;
}

int32_t sl_hash_add(struct sl_hash *h, const void *key, uint64_t value)
{
	if (sl_unlikely(h == NULL || key == NULL))
		return -EINVAL;
	return sl_hash_add_with_hash(h, key, sl_hash_hash(h, key), value);
}

int32_t sl_hash_delete_with_hash(struct sl_hash *h, const void *key, uint32_t hash)
{
	const uint16_t sig = sig_of(hash);
	uint32_t pb, bkt, idx;
	int i;

	if (sl_unlikely(h == NULL || key == NULL))
		return -EINVAL;
	pb = hash & h->bucket_mask;
	bkt = pb;
	i = find_slot(h, bkt, sig, key, &idx);
	if (i < 0) {
		bkt = alt_of(h, pb, sig);
		i = find_slot(h, bkt, sig, key, &idx);
		if (i < 0)
			return -ENOENT;
	}
	ST_REL(&h->buckets[bkt].idx[i], 0);
	if (sl_unlikely(h->rcu != NULL))
		retire_kslot(h, idx - 1);
	else
		free_kslot(h, idx - 1);
	ST_RLX(&h->count, h->count - 1);
	return (int32_t)(idx - 1);
}

int32_t sl_hash_delete(struct sl_hash *h, const void *key)
{
	if (sl_unlikely(h == NULL || key == NULL))
		return -EINVAL;
	return sl_hash_delete_with_hash(h, key, sl_hash_hash(h, key));
}

/* ---- iteration, counters ---- */

int32_t sl_hash_iterate(const struct sl_hash *h, uint32_t *next, const void **key,
			uint64_t *value)
{
	uint64_t total;

	if (h == NULL || next == NULL)
		return -EINVAL;
	total = (uint64_t)h->nb_buckets * SL_HASH_BUCKET_ENTRIES;
	for (uint64_t pos = *next; pos < total; pos++) {
		const struct bucket *b = &h->buckets[pos / SL_HASH_BUCKET_ENTRIES];
		uint32_t idx = LD_ACQ(&b->idx[pos % SL_HASH_BUCKET_ENTRIES]);
		const struct kslot *k;

		if (idx == 0)
			continue;
		k = kslot_at(h, idx - 1);
		if (key != NULL)
			*key = k->key;
		if (value != NULL)
			*value = LD_ACQ(&k->value);
		*next = (uint32_t)(pos + 1);
		return (int32_t)(idx - 1);
	}
	*next = (uint32_t)total;
	return -ENOENT;
}

uint32_t sl_hash_count(const struct sl_hash *h)
{
	return h == NULL ? 0 : LD_RLX(&h->count);
}

uint32_t sl_hash_capacity(const struct sl_hash *h)
{
	return h == NULL ? 0 : h->entries;
}

void sl_hash_reset(struct sl_hash *h)
{
	if (h == NULL)
		return;
	memset(h->buckets, 0, (size_t)h->nb_buckets * sizeof(struct bucket));
	/* Key slots keep their versions: they only ever grow. */
	h->free_head = NO_FREE;
	h->next_unused = 0;
	h->ret_head = h->ret_tail = NO_FREE;
	h->gp_head = h->gp_count = 0;
	ST_RLX(&h->count, 0);
}

/* ---- control path ---- */

struct layout {
	uint32_t nb_buckets;
	uint32_t entry_size;
	size_t off_buckets, off_keys, off_bfs, total;
};

static void compute_layout(uint32_t entries, uint32_t key_len, struct layout *l)
{
	uint32_t need = (entries + SL_HASH_BUCKET_ENTRIES - 1) / SL_HASH_BUCKET_ENTRIES;

	l->nb_buckets = sl_pow2_ceil(need);
	l->entry_size = (uint32_t)(sizeof(struct kslot) + SL_ALIGN_UP(key_len, 8u));
	/* Keys of 1..8 bytes: 32-byte slots rather than 24, so no slot straddles two cache
	 * lines (a second miss per lookup: +100 % on 4- and 8-byte keys in bench/hash). */
	if (l->entry_size < 32)
		l->entry_size = 32;
	l->off_buckets = SL_ALIGN_UP(sizeof(struct sl_hash), (size_t)SL_CACHE_LINE);
	l->off_keys = l->off_buckets + (size_t)l->nb_buckets * sizeof(struct bucket);
	l->off_bfs = SL_ALIGN_UP(l->off_keys + (size_t)entries * l->entry_size,
				 (size_t)SL_CACHE_LINE);
	l->total = l->off_bfs + SL_HASH_BFS_NODES * sizeof(struct bfs_node);
}

static int check_params(const struct sl_hash_params *p)
{
	if (p == NULL) {
		SL_LOG(hash, ERR, "hash params are NULL; pass a struct sl_hash_params");
		return -EINVAL;
	}
	if (p->name == NULL || p->name[0] == '\0') {
		SL_LOG(hash, ERR, "hash name is %s; give a name of 1 to %d characters",
		       p->name == NULL ? "NULL" : "empty", SL_HASH_NAME_SIZE - 1);
		return -EINVAL;
	}
	if (strnlen(p->name, SL_HASH_NAME_SIZE) >= SL_HASH_NAME_SIZE) {
		SL_LOG(hash, ERR, "hash name '%s' is %zu characters long; use at most %d",
		       p->name, strlen(p->name), SL_HASH_NAME_SIZE - 1);
		return -ENAMETOOLONG;
	}
	if (p->entries == 0 || p->entries > SL_HASH_ENTRIES_MAX) {
		SL_LOG(hash, ERR, "hash '%s': entries %u is out of range; use 1 to %u", p->name,
		       p->entries, SL_HASH_ENTRIES_MAX);
		return -EINVAL;
	}
	if (p->key_len == 0 || p->key_len > SL_HASH_KEY_MAX) {
		SL_LOG(hash, ERR, "hash '%s': key_len %u is out of range; use 1 to %u bytes",
		       p->name, p->key_len, SL_HASH_KEY_MAX);
		return -EINVAL;
	}
	if (p->flags != 0) {
		SL_LOG(hash, ERR, "hash '%s': flags 0x%x are unknown; pass 0", p->name, p->flags);
		return -EINVAL;
	}
	return 0;
}

size_t sl_hash_memsize(const struct sl_hash_params *params)
{
	struct layout l;

	if (check_params(params) < 0)
		return 0;
	compute_layout(params->entries, params->key_len, &l);
	return l.total;
}

static void zone_name(char zname[SL_NAME_SIZE], const char *name)
{
	snprintf(zname, SL_NAME_SIZE, ZONE_PREFIX "%.*s", SL_HASH_NAME_SIZE - 1, name);
}

struct sl_hash *sl_hash_create(const struct sl_hash_params *p)
{
	char zname[SL_NAME_SIZE];
	const struct sl_zone *z;
	struct layout l;
	struct sl_hash *h;
	uint8_t *base;
	int rc;

	if ((rc = check_params(p)) < 0) {
		errno = -rc;
		return NULL;
	}
	compute_layout(p->entries, p->key_len, &l);
	zone_name(zname, p->name);

	pthread_mutex_lock(&tables_lock);
	if (sl_zone_lookup(zname) != NULL) {
		pthread_mutex_unlock(&tables_lock);
		SL_LOG(hash, ERR,
		       "hash name '%s' is already in use; pick another name or free that table "
		       "first",
		       p->name);
		errno = EEXIST;
		return NULL;
	}
	z = sl_zone_reserve(zname, l.total, p->node, SL_CACHE_LINE);
	if (z == NULL) {
		rc = errno;
		pthread_mutex_unlock(&tables_lock);
		SL_LOG(hash, ERR,
		       "hash '%s': cannot reserve %zu MiB for %u entries of %u-byte keys on node "
		       "%d: %s",
		       p->name, l.total >> 20, p->entries, p->key_len, p->node, strerror(rc));
		errno = rc;
		return NULL;
	}
	/* The zone is zero-filled: empty buckets, key slot versions 0. */
	base = z->addr;
	h = (struct sl_hash *)(void *)base;
	strcpy(h->name, p->name);
	h->key_len = p->key_len;
	h->key_words = SL_ALIGN_UP(p->key_len, 8u) / 8;
	h->entry_size = l.entry_size;
	h->entries = p->entries;
	h->nb_buckets = l.nb_buckets;
	h->bucket_mask = l.nb_buckets - 1;
	h->init_val = p->init_val;
	h->hash_func = p->hash_func != NULL ? p->hash_func : hash_crc32c_best();
	h->buckets = (struct bucket *)(void *)(base + l.off_buckets);
	h->keys = base + l.off_keys;
	h->bfs = (struct bfs_node *)(void *)(base + l.off_bfs);
	h->memsize = l.total;
	h->free_head = NO_FREE;
	h->next_unused = 0;
	h->ret_head = h->ret_tail = NO_FREE;
	h->magic = HASH_MAGIC;
	pthread_mutex_unlock(&tables_lock);
	return h;
}

void sl_hash_free(struct sl_hash *h)
{
	char zname[SL_NAME_SIZE];
	const struct sl_zone *z;

	if (h == NULL)
		return;
	if (h->magic != HASH_MAGIC) {
		SL_LOG(hash, ERR, "hash %p was not made by sl_hash_create() or is freed already",
		       (void *)h);
		return;
	}
	zone_name(zname, h->name);
	pthread_mutex_lock(&tables_lock);
	z = sl_zone_lookup(zname);
	if (z == NULL || z->addr != (void *)h) {
		pthread_mutex_unlock(&tables_lock);
		SL_LOG(hash, ERR, "hash '%s' (%p) has no zone; was it freed already?", h->name,
		       (void *)h);
		return;
	}
	h->magic = 0;
	sl_free(h->gp);
	sl_zone_free(z);
	pthread_mutex_unlock(&tables_lock);
}

struct sl_hash *sl_hash_find(const char *name)
{
	char zname[SL_NAME_SIZE];
	const struct sl_zone *z;
	struct sl_hash *h = NULL;

	if (name == NULL || name[0] == '\0') {
		SL_LOG(hash, ERR, "hash find: name is %s; pass the name the table was created with",
		       name == NULL ? "NULL" : "empty");
		errno = EINVAL;
		return NULL;
	}
	/* A miss is not logged: callers look a name up to learn whether the table exists.  A
	 * name too long for a table names none. */
	if (strnlen(name, SL_HASH_NAME_SIZE) >= SL_HASH_NAME_SIZE) {
		errno = ENOENT;
		return NULL;
	}
	zone_name(zname, name);
	pthread_mutex_lock(&tables_lock);
	z = sl_zone_lookup(zname);
	if (z != NULL && ((struct sl_hash *)z->addr)->magic == HASH_MAGIC)
		h = z->addr;
	pthread_mutex_unlock(&tables_lock);
	if (h == NULL)
		errno = ENOENT;
	return h;
}

void sl_hash_dump(FILE *f, const struct sl_hash *h)
{
	if (h == NULL) {
		fprintf(f, "hash: NULL\n");
		return;
	}
	fprintf(f, "hash <%s>@%p\n", h->name, (const void *)h);
	fprintf(f, "  entries=%u key_len=%u buckets=%u (x%d slots) key_slot=%uB memory=%zu\n",
		h->entries, h->key_len, h->nb_buckets, SL_HASH_BUCKET_ENTRIES, h->entry_size,
		h->memsize);
	fprintf(f, "  count=%u load=%.1f%% changes=%u hash=%s\n", sl_hash_count(h),
		100.0 * sl_hash_count(h) / ((double)h->nb_buckets * SL_HASH_BUCKET_ENTRIES),
		LD_RLX(&h->change),
		h->hash_func == sl_hash_crc32c_portable ? "crc32c (table)"
		: h->hash_func == hash_crc32c_best()	? "crc32c (sse4.2)"
							: "user");
}
