/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cuckoo hash table for fixed-size keys (flow tables): key -> 64-bit value.
 *
 * Layout.  A table is one memory zone ("hs_<name>") holding:
 *   buckets    nb_buckets * 64 bytes, nb_buckets = pow2_ceil(ceil(entries / 8)).  A bucket
 *              is one cache line: 8 16-bit signatures (two 64-bit words), 8 32-bit key
 *              indexes (0 = empty slot, else key slot + 1) and 16 bytes of padding.
 *   key store  entries * max(32, 16 + key_len rounded up to 8) bytes: per key slot a 32-bit
 *              version, a 32-bit free-list link (writer only), the 64-bit value and the
 *              key, zero-padded to whole 8-byte words.
 * Memory per entry: 8 * (nb_buckets * 8 / entries) bytes of bucket (8 when entries is a
 * power of two, up to 16 just above one) + max(32, 16 + ALIGN(key_len, 8)) bytes of key
 * store.
 * 16-byte keys: 40 bytes per entry; 100 M entries (16 M buckets): 1 GiB of buckets +
 * 3.2 GB of keys = about 4.3 GB (docs/hash.md has the table).
 *
 * Placement.  hash = hash_func(key, key_len, init_val) (32 bits); the signature is its
 * top 16 bits, the primary bucket its low bits (hash & mask) and the secondary bucket
 * primary ^ f(signature), so a stored entry's other bucket follows from its signature
 * alone when the writer displaces it.  A key lives in one of its two buckets; an insert
 * into two full buckets moves entries to their other bucket along the shortest path
 * found by a bounded breadth-first search (SL_HASH_BFS_NODES buckets visited at most).
 * Random keys fill over 99 % of the slots before an add fails with -ENOSPC.
 *
 * Concurrency: any number of lookups may run concurrently with ONE writer (add, delete),
 * without locks; readers never block.  Rules:
 *   - add, add_with_hash, delete, reset: one thread at a time (the caller serialises).
 *   - lookup*, count, hash: any thread, any time, concurrent with the writer.
 *   - iterate: concurrent with the writer it may miss or repeat keys being moved; exact
 *     when no add/delete runs.  free/reset: nobody else may use the table.
 * Guarantees for a lookup concurrent with the writer: a key present during the whole
 * lookup is found, with its current or previous value; a key absent during the whole
 * lookup is not found; the key compare and the value never mix two entries.  A lookup
 * racing with the add (delete) of the same key may or may not find it.
 * How (docs/hash.md has the argument):
 *   - every shared field is accessed with __atomic operations (acquire/release on bucket
 *     words and key indexes, relaxed on key words and values), so readers see no torn
 *     word and the code is clean under ThreadSanitizer.
 *   - displacement writes an entry's new slot, then bumps the table change counter, then
 *     overwrites its old slot.  A lookup that misses re-reads the counter and retries if
 *     it moved (the key may have jumped past it).
 *   - a deleted key slot is recycled at once.  Each key slot has a version (seqlock):
 *     the writer makes it odd while it writes a new key and value, even afterwards; a
 *     reader accepts a key compare and value only if the version was even and unchanged
 *     around its reads, so a recycled slot never yields another key's value.
 *   - with an rcu domain (sl_hash_rcu_set()) a deleted key slot is recycled only after a
 *     grace period begun after the delete: a reader that holds a position (or the key
 *     pointer iterate gave) until its next quiescent point reads the deleted key and its
 *     value, never a new key's.
 *
 * Errors: int functions return a position (>= 0) or -errno; constructors return NULL and
 * set errno; every error on the control path is logged with the bad value and the fix.
 */
#ifndef SL_HASH_H
#define SL_HASH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sl_common.h"

struct sl_rcu;

/* Longest table name + 1 (the zone is named "hs_<name>"). */
#define SL_HASH_NAME_SIZE (SL_NAME_SIZE - 3)
/* Key length limits in bytes. */
#define SL_HASH_KEY_MAX 256
/* Most entries in one table (key indexes are 32-bit; 2^30 entries need 8 GiB of buckets). */
#define SL_HASH_ENTRIES_MAX (1u << 30)
/* Entries per bucket. */
#define SL_HASH_BUCKET_ENTRIES 8
/* Most keys in one bulk lookup (the hit mask is 64 bits). */
#define SL_HASH_BULK_MAX 64
/* Buckets the displacement search visits at most before giving up with -ENOSPC. */
#define SL_HASH_BFS_NODES 1024

/* Hash function: 32 bits of hash of key_len bytes.  Must be a pure function. */
typedef uint32_t (*sl_hash_func_t)(const void *key, uint32_t key_len, uint32_t init_val);

struct sl_hash_params {
	const char *name;	  /* 1..SL_HASH_NAME_SIZE-1 characters, unique */
	uint32_t entries;	  /* keys the table must hold, 1..SL_HASH_ENTRIES_MAX */
	uint32_t key_len;	  /* bytes per key, 1..SL_HASH_KEY_MAX */
	sl_hash_func_t hash_func; /* NULL: sl_hash_crc32c (SSE4.2 when the CPU has it) */
	uint32_t init_val;	  /* seed passed to hash_func */
	int node;		  /* NUMA node of the memory, or SL_NODE_ANY */
	uint32_t flags;		  /* none defined yet: must be 0 */
};

struct sl_hash;

/*
 * CRC32C (Castagnoli, reflected, no final inversion) of len bytes starting from init.
 * Uses the SSE4.2 crc32 instruction when the CPU has it (checked at run time), else a
 * table; both give identical values.  Thread-safe.
 */
uint32_t sl_hash_crc32c(const void *data, uint32_t len, uint32_t init);
/* The table implementation of the same function (for tests and CPUs without SSE4.2). */
uint32_t sl_hash_crc32c_portable(const void *data, uint32_t len, uint32_t init);
/* True when sl_hash_crc32c() uses the crc32 instruction. */
bool sl_hash_crc32c_hw(void);

/*
 * Creates a table.  Returns it, or NULL with errno EINVAL (bad params, NULL or empty name:
 * the log names the field and the valid range), ENAMETOOLONG (name of SL_HASH_NAME_SIZE
 * characters or more), EEXIST (name in use) or ENOMEM.
 * Thread-safe; control path.
 */
struct sl_hash *sl_hash_create(const struct sl_hash_params *params);

/* Frees a table; NULL is ignored.  No other thread may use it. */
void sl_hash_free(struct sl_hash *h);

/* Finds a table by name.  NULL with errno ENOENT when there is none (not logged: a miss is
 * an answer) or EINVAL for a NULL or empty name (logged).  Thread-safe. */
struct sl_hash *sl_hash_find(const char *name);

/* Bytes of memory a table with these params takes (0 and a log line for bad params). */
size_t sl_hash_memsize(const struct sl_hash_params *params);

/* The table's hash of key (what the *_with_hash calls expect).  Any thread. */
uint32_t sl_hash_hash(const struct sl_hash *h, const void *key);

/*
 * Adds key with value, or replaces the value if key is present.  Returns the key's
 * position (0..entries-1, stable until the key is deleted), -ENOSPC when the key store
 * is full or no displacement path was found (the table is unchanged), or -EINVAL (NULL
 * table or key).  Writer only.  A pointer is stored as (uintptr_t)ptr.
 */
int32_t sl_hash_add(struct sl_hash *h, const void *key, uint64_t value);
/* As sl_hash_add() with hash == sl_hash_hash(h, key) computed by the caller. */
int32_t sl_hash_add_with_hash(struct sl_hash *h, const void *key, uint32_t hash, uint64_t value);

/*
 * Looks key up.  Returns its position and stores its value in *value (if not NULL), or
 * -ENOENT, or -EINVAL (NULL table or key).  Any thread, concurrent with the writer.
 */
int32_t sl_hash_lookup(const struct sl_hash *h, const void *key, uint64_t *value);
int32_t sl_hash_lookup_with_hash(const struct sl_hash *h, const void *key, uint32_t hash,
				 uint64_t *value);

/*
 * Looks up n (1..SL_HASH_BULK_MAX) keys at once, prefetching buckets and keys of the
 * whole burst before comparing.  Bit i of *hit_mask is set when keys[i] was found; then
 * values[i] and positions[i] receive its value and position (either array may be NULL;
 * entries of misses are left unchanged except positions[i] = -ENOENT).  Returns the number
 * of hits, or -EINVAL (bad n or NULL pointer).  Any thread, concurrent with the writer.
 */
int sl_hash_lookup_bulk(const struct sl_hash *h, const void *const *keys, unsigned n,
			uint64_t *hit_mask, uint64_t *values, int32_t *positions);
/* As above with hashes[i] == sl_hash_hash(h, keys[i]). */
int sl_hash_lookup_bulk_with_hash(const struct sl_hash *h, const void *const *keys,
				  const uint32_t *hashes, unsigned n, uint64_t *hit_mask,
				  uint64_t *values, int32_t *positions);

/*
 * Deletes key.  Returns the position it had (free for reuse at once, or after a grace
 * period with an rcu domain), -ENOENT or -EINVAL.  Writer only.
 */
int32_t sl_hash_delete(struct sl_hash *h, const void *key);
int32_t sl_hash_delete_with_hash(struct sl_hash *h, const void *key, uint32_t hash);

/*
 * Makes deletes wait for grace periods of `rcu` (sl_rcu.h) before their key slot is
 * reused: the slot keeps its key and value for readers that still hold its position.
 * Deleted slots wait in a FIFO linked through the slots (no memory per delete); each
 * delete starts a grace period after unlinking its slot (sl_rcu_start(): a locked add on
 * x86, ~6 cycles).  Adds take recycled and never-used slots first, then retired ones
 * whose grace period has passed; when only retired slots in their grace period are left,
 * an add waits for the oldest (sl_rcu_check(wait): it blocks until the readers pass a
 * quiescent point) rather than fail with -ENOSPC.  rcu = NULL detaches the domain after
 * waiting for the pending grace periods.  The writer becomes a writer of the domain
 * (sl_rcu_start/check, any thread).  Returns 0, -EINVAL (NULL table), -EBUSY (another
 * domain is set; detach it first) or -ENOMEM (1 KiB of batches), each logged.
 * Writer only.
 */
int sl_hash_rcu_set(struct sl_hash *h, struct sl_rcu *rcu);

/*
 * Iteration: set *next = 0, then call until it returns -ENOENT.  Each call returns the
 * position of one key and points *key at its stored copy (key_len bytes, valid until the
 * key is deleted; with an rcu domain, until a grace period after that) and stores its
 * value in *value (either may be NULL).  Visits every key exactly once when no add/delete
 * runs meanwhile.
 */
int32_t sl_hash_iterate(const struct sl_hash *h, uint32_t *next, const void **key,
			uint64_t *value);

/* Number of keys (a snapshot when the writer is active).  Any thread. */
uint32_t sl_hash_count(const struct sl_hash *h);

/* Entries the table was created for (the key store size). */
uint32_t sl_hash_capacity(const struct sl_hash *h);

/* Removes every key.  Nobody else may use the table meanwhile. */
void sl_hash_reset(struct sl_hash *h);

/* Prints parameters, sizes and fill (a racy snapshot if the writer is active). */
void sl_hash_dump(FILE *f, const struct sl_hash *h);

#endif
