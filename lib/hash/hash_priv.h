/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal layout of a hash table (see sl_hash.h for the picture and the rules). */
#ifndef SL_HASH_PRIV_H
#define SL_HASH_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "sl_common.h"
#include "sl_hash.h"
#include "sl_rcu.h"

/* The best CRC32C implementation for this CPU (crc.c). */
sl_hash_func_t hash_crc32c_best(void);

/*
 * One cache line.  Written by the writer only (release stores), read by everyone
 * (acquire loads).  Signature of slot i: bits 16*(i%4) .. +15 of sig[i/4].  A slot is
 * empty when idx[i] == 0; its signature is then stale and meaningless.
 */
struct bucket {
	uint64_t sig[2];
	uint32_t idx[SL_HASH_BUCKET_ENTRIES]; /* key slot + 1, or 0 */
	uint64_t pad[2];
} SL_CACHE_ALIGNED;

_Static_assert(sizeof(struct bucket) == SL_CACHE_LINE, "a bucket is one cache line");

/*
 * A key slot, h->entry_size bytes.  ver: even when stable, odd while the writer rewrites
 * the slot (seqlock).  next_free: free-list link, writer only.  value and key words:
 * written by the writer (relaxed atomics), read by lookups (relaxed, validated by ver).
 */
struct kslot {
	uint32_t ver;
	uint32_t next_free;
	uint64_t value;
	uint64_t key[]; /* key_words words, the last one zero-padded */
};

/* A node of the displacement search: a full bucket reached from its parent's slot. */
struct bfs_node {
	uint32_t bkt;
	int16_t parent; /* index in the queue, -1 for the two roots */
	uint8_t slot;	/* slot of the parent bucket whose entry would move here */
	uint8_t unused;
};

#define NO_FREE UINT32_MAX
#define HASH_MAGIC 0x48415348u /* "HASH" */

struct sl_hash {
	/* Line 0-1: set by create, read-only afterwards. */
	char name[SL_NAME_SIZE];
	uint32_t key_len;
	uint32_t key_words;  /* key_len rounded up to 8, in 8-byte words */
	uint32_t entry_size; /* bytes per key slot */
	uint32_t entries;    /* key slots */
	uint32_t nb_buckets; /* a power of two */
	uint32_t bucket_mask;
	uint32_t init_val;
	uint32_t magic;
	sl_hash_func_t hash_func;
	struct bucket *buckets;
	uint8_t *keys;
	struct bfs_node *bfs; /* SL_HASH_BFS_NODES nodes: writer scratch */
	size_t memsize;
	/* Written by the writer, read by lookups: bumped between a move's two stores. */
	uint32_t change SL_CACHE_ALIGNED;
	/* Writer state; count is also read (relaxed) by sl_hash_count(). */
	uint32_t count SL_CACHE_ALIGNED;
	uint32_t free_head;   /* recycled key slots, linked through next_free */
	uint32_t next_unused; /* key slots never used yet: [next_unused, entries) */
	/*
	 * With an rcu domain (sl_hash_rcu_set()), deleted key slots are "retired": a FIFO
	 * linked through next_free, cut into batches that each wait for one grace period
	 * (one per delete, begun after its unlink, until the ring of batches is full).
	 * Writer only.
	 */
	uint32_t ret_head; /* oldest retired slot, NO_FREE when none */
	uint32_t ret_tail; /* newest retired slot */
	uint32_t gp_head;  /* oldest batch in gp[] */
	uint32_t gp_count; /* batches */
	struct sl_rcu *rcu;
	struct hash_gp *gp; /* HASH_GP_RING batches, oldest first */
};

/* A batch of retired key slots: the oldest `slots` of the FIFO not in an older batch,
 * reusable once grace period `token` has passed. */
struct hash_gp {
	uint64_t token;
	uint32_t slots;
	uint32_t unused;
};

/* Batches kept; when they are all in use the newest absorbs the next delete and takes its
 * grace period (a later one: its older slots wait longer, never too little). */
#define HASH_GP_RING 64u

_Static_assert(offsetof(struct sl_hash, gp) + sizeof(struct hash_gp *) <=
		       offsetof(struct sl_hash, count) + SL_CACHE_LINE,
	       "the writer state stays on one cache line");

static inline struct kslot *kslot_at(const struct sl_hash *h, uint32_t slot)
{
	return (struct kslot *)(void *)(h->keys + (size_t)slot * h->entry_size);
}

#endif
