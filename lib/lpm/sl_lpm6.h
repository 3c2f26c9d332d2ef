/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 longest-prefix match: a multibit trie with a 24-bit first stride and thirteen
 * 8-bit strides (24 + 13 * 8 = 128).
 *
 *   tbl24   2^24 entries of 4 bytes (64 MiB), indexed by address bytes 0-2
 *   tbl8    `groups` groups of 256 entries (1 KiB each); a group at level k (1-13) is
 *           indexed by address byte 2 + k and hangs off an entry of level k - 1
 *
 * Entry (32 bits, one aligned word, updated with single atomic stores):
 *   bits  0-23  next hop (24 bits: 0 .. SL_LPM6_MAX_NEXT_HOP), or the index of the
 *               next-level group when `ext` is set
 *   bit  24     valid: a route covers these addresses
 *   bit  25     ext: the entry points at a group of the next level
 *   bits 26-31  zero
 * The depth (0-128) of the route behind each entry does not fit beside 24 bits of next
 * hop, so the writer keeps it in a shadow byte array (16 MiB for tbl24 and 256 bytes per
 * group) that lookups never touch.
 *
 * A lookup reads one entry per level until it finds a non-ext entry: one load for routes
 * of /24 or less, 1 + ceil((depth - 24) / 8) loads at most otherwise (2 for a /32, 4 for
 * a /48, 6 for a /64, 14 for a /128).
 *
 * Memory: 64 MiB + groups * 1284 bytes + 16 MiB of shadow depths + about 24 bytes per
 * rule.  A /48 route under a /40 that holds no other route needs 2 groups of its own (its
 * /32 and /40 groups may be shared); docs/lpm.md gives the figure for 1M routes.
 *
 * Concurrency: as for sl_lpm.h: lock-free readers, one writer thread, single atomic
 * stores, groups filled before their release-store link, freed groups recycled FIFO,
 * and with an rcu domain (sl_lpm6_rcu_set()) only after a grace period.
 */
#ifndef SL_LPM6_H
#define SL_LPM6_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_common.h"

struct sl_rcu;

#define SL_LPM6_MAX_DEPTH 128
#define SL_LPM6_MAX_NEXT_HOP 0xffffffu /* next hops are 24 bits */
/* Longest table name + 1 (the memory zone is named "lp6_<name>"). */
#define SL_LPM6_NAME_SIZE (SL_NAME_SIZE - 4)

#define SL_LPM6__VALID (1u << 24)
#define SL_LPM6__EXT (1u << 25)
#define SL_LPM6__VALUE 0xffffffu

struct sl_lpm6_config {
	uint32_t max_rules; /* routes the table can hold (1 .. 2^28) */
	uint32_t groups;    /* tbl8 groups of 256 entries (1 .. 2^24) */
};

/* The part of the table the inline lookups read; the writer's state is private. */
struct sl_lpm6 {
	const uint32_t *tbl24; /* 2^24 entries: read by lookups, written by the writer */
	const uint32_t *tbl8;  /* groups * 256 entries: likewise */
	struct sl_lpm6_ctl *ctl; /* writer state, private */
	char name[SL_LPM6_NAME_SIZE];
};

/*
 * Creates an empty table named `name` (1 to SL_LPM6_NAME_SIZE - 1 characters) on NUMA
 * node `node` (or SL_NODE_ANY).  Returns it, or NULL with errno EINVAL (NULL or empty
 * name, bad config, logged), ENAMETOOLONG (name of SL_LPM6_NAME_SIZE characters or more,
 * logged), EEXIST (name in use) or ENOMEM.  Thread-safe.
 */
struct sl_lpm6 *sl_lpm6_create(const char *name, int node, const struct sl_lpm6_config *cfg);

/* Frees the table; NULL is ignored.  No lookup may be running on it. */
void sl_lpm6_free(struct sl_lpm6 *lpm);

/*
 * Adds route ip/depth -> next_hop (ip: 16 bytes, network order), or replaces the next
 * hop of an existing ip/depth; bits beyond depth are ignored.  Returns 0, -EINVAL (NULL
 * argument, depth > 128, next hop > SL_LPM6_MAX_NEXT_HOP; logged) or -ENOSPC (max_rules
 * routes, or too few free groups for the route; logged, table unchanged).
 * Writer thread only.
 */
int sl_lpm6_add(struct sl_lpm6 *lpm, const uint8_t ip[16], uint8_t depth, uint32_t next_hop);

/*
 * Deletes route ip/depth; its addresses fall back to the longest remaining covering
 * route.  Returns 0, -EINVAL (logged) or -ENOENT (no such route).  Writer thread only.
 */
int sl_lpm6_delete(struct sl_lpm6 *lpm, const uint8_t ip[16], uint8_t depth);

/* Deletes every route.  Writer thread only. */
void sl_lpm6_delete_all(struct sl_lpm6 *lpm);

/*
 * As sl_lpm_rcu_set(): groups freed by a delete (all those one delete folds away share
 * one grace period, begun after the last is unlinked) are reused only once it has
 * passed; an add that needs n groups waits for the grace period of the n-th free one when
 * it has not.  Returns 0, -EINVAL, -EBUSY or -ENOMEM, each logged.  Writer thread only.
 */
int sl_lpm6_rcu_set(struct sl_lpm6 *lpm, struct sl_rcu *rcu);

/* Next hop of route ip/depth exactly (not a lookup): 0, -ENOENT or -EINVAL. */
int sl_lpm6_rule_get(const struct sl_lpm6 *lpm, const uint8_t ip[16], uint8_t depth,
		     uint32_t *next_hop);

struct sl_lpm6_stats {
	uint32_t rules;
	uint32_t max_rules;
	uint32_t groups_used;
	uint32_t groups;
	size_t bytes; /* memory held: tables, shadow depths, rule table, free list */
};

void sl_lpm6_stats(const struct sl_lpm6 *lpm, struct sl_lpm6_stats *st);

/* Bytes of memory a table holds. */
size_t sl_lpm6_memory(const struct sl_lpm6 *lpm);

/* ---- Lookups: lock-free, any thread. ---- */

static inline __attribute__((always_inline)) uint32_t sl_lpm6__entry(const struct sl_lpm6 *lpm,
								     const uint8_t *ip)
{
	uint32_t e = __atomic_load_n(&lpm->tbl24[(uint32_t)ip[0] << 16 | (uint32_t)ip[1] << 8 |
						 ip[2]],
				     __ATOMIC_RELAXED);
	unsigned i = 3;

	/* Each load depends on the previous value through its address (see sl_lpm.h). */
	while (e & SL_LPM6__EXT)
		e = __atomic_load_n(&lpm->tbl8[(size_t)(e & SL_LPM6__VALUE) * 256 + ip[i++]],
				    __ATOMIC_RELAXED);
	return e;
}

/* Looks up ip (16 bytes): 0 and *next_hop, or -ENOENT when no route covers it. */
static inline int sl_lpm6_lookup(const struct sl_lpm6 *lpm, const uint8_t ip[16],
				 uint32_t *next_hop)
{
	uint32_t e = sl_lpm6__entry(lpm, ip);

	*next_hop = e & SL_LPM6__VALUE;
	return (e & SL_LPM6__VALID) ? 0 : -ENOENT;
}

/*
 * Bulk lookups walk addresses one by one while at most this many groups are in use (the
 * groups then fit in cache: 4 MiB), level by level across addresses above it.
 */
#define SL_LPM6__SERIAL_GROUPS 4096u

/*
 * Looks up n addresses: next_hops[i] receives the next hop of ips[i] or `miss`.
 * Returns the number of hits; results are exactly those of sl_lpm6_lookup().  Works in
 * chunks of 64 addresses and first prefetches the tbl24 entry of each.  In a table using
 * more than SL_LPM6__SERIAL_GROUPS groups it then walks all addresses of the chunk one
 * level at a time (prefetch every address's entry of the level, then load them), so the
 * misses of different addresses overlap instead of forming one chain of dependent misses
 * per address; in a smaller (cache-resident) table it walks each address to the end.
 */
unsigned sl_lpm6_lookup_bulk(const struct sl_lpm6 *lpm, const uint8_t (*ips)[16],
			     uint32_t *next_hops, unsigned n, uint32_t miss);

#endif
