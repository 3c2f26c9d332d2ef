/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 longest-prefix match: a DIR-24-8 table (Gupta, Lin, McKeown, "Routing lookups in
 * hardware at memory access speeds", INFOCOM 1998).
 *
 *   tbl24   2^24 entries of 4 bytes (64 MiB), indexed by the top 24 bits of the address
 *   tbl8    `groups` groups of 256 entries (1 KiB each), indexed by the low 8 bits; a
 *           tbl24 entry points at a group when some route under that /24 is longer
 *
 * Entry (32 bits, one aligned word, so every update is a single atomic store):
 *   bits  0-23  next hop (24 bits: 0 .. SL_LPM_MAX_NEXT_HOP), or the tbl8 group index
 *               when `ext` is set
 *   bit  24     valid: a route covers these addresses
 *   bit  25     ext: tbl24 only, the entry points at a tbl8 group
 *   bits 26-31  depth of the route that wrote the entry (0-32); the writer uses it to
 *               know which entries an add may overwrite and a delete must restore
 *
 * A lookup is one load (tbl24) and, for addresses under a /24 that holds a longer route,
 * a second, dependent load (tbl8).  Addresses are in host byte order (10.0.0.1 is
 * 0x0a000001).
 *
 * Routes (prefix, depth 0-32, next hop) are kept in a rule table of `max_rules` entries
 * so that a delete can restore the longest remaining route that covers the deleted one.
 * Depth 0 is the default route.
 *
 * Concurrency: lookups are lock-free and read-only; any number of threads may look up
 * while ONE writer thread adds and deletes (serialise writers yourself).  Every entry
 * changes with one atomic 32-bit store, so a lookup racing with an update returns, for
 * its address, either the result before or the result after that update (never a torn
 * entry); an update that spans many entries becomes visible entry by entry.  A new tbl8
 * group is filled before the release store that links it.  A group freed by a delete
 * keeps its (still correct) content and goes to the back of a FIFO of free groups, so a
 * reader that loaded the old link reads right unless it stalls while the writer recycles
 * every other free group.  With an rcu domain (sl_lpm_rcu_set()) that cannot happen: a
 * freed group is reused only after a grace period begun after the delete, i.e. once
 * every registered online reader passed a quiescent point; docs/lpm.md has the argument.
 * Names beginning with sl_lpm__ are internal.
 */
#ifndef SL_LPM_H
#define SL_LPM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_common.h"

struct sl_rcu;

#define SL_LPM_MAX_DEPTH 32
#define SL_LPM_MAX_NEXT_HOP 0xffffffu /* next hops are 24 bits */
/* Longest table name + 1 (the memory zone is named "lpm_<name>"). */
#define SL_LPM_NAME_SIZE (SL_NAME_SIZE - 4)

#define SL_LPM__VALID (1u << 24)
#define SL_LPM__EXT (1u << 25)
#define SL_LPM__VALUE 0xffffffu
#define SL_LPM__DEPTH_SHIFT 26
#define SL_LPM__TBL24_ENTRIES (1u << 24)
#define SL_LPM__GROUP_ENTRIES 256u

struct sl_lpm_config {
	uint32_t max_rules; /* routes the table can hold (1 .. 2^28) */
	uint32_t groups;    /* tbl8 groups of 256 entries, 1 KiB each (1 .. 2^24) */
};

/* The part of the table the inline lookups read; the writer's state is private. */
struct sl_lpm {
	const uint32_t *tbl24; /* 2^24 entries: read by lookups, written by the writer */
	const uint32_t *tbl8;  /* groups * 256 entries: likewise */
	struct sl_lpm_ctl *ctl; /* writer state (rules, free groups), private */
	char name[SL_LPM_NAME_SIZE];
};

/*
 * Creates an empty table named `name` (1 to SL_LPM_NAME_SIZE - 1 characters) on NUMA
 * node `node` (or SL_NODE_ANY).  Memory: 64 MiB + groups KiB for the tables (one zone,
 * hugepages when reserved) and about 16 bytes per rule for the rule table.
 * Returns the table, or NULL with errno EINVAL (NULL or empty name, bad config, logged),
 * ENAMETOOLONG (name of SL_LPM_NAME_SIZE characters or more, logged), EEXIST (name in use)
 * or ENOMEM.  Thread-safe.
 */
struct sl_lpm *sl_lpm_create(const char *name, int node, const struct sl_lpm_config *cfg);

/* Frees the table; NULL is ignored.  No lookup may be running on it. */
void sl_lpm_free(struct sl_lpm *lpm);

/*
 * Adds route ip/depth -> next_hop, or replaces the next hop of an existing ip/depth.
 * Bits of ip beyond depth are ignored.  Returns 0, -EINVAL (NULL table, depth > 32,
 * next_hop > SL_LPM_MAX_NEXT_HOP; logged) or -ENOSPC (max_rules routes, or no free tbl8
 * group; logged, table unchanged).  Writer thread only.
 */
int sl_lpm_add(struct sl_lpm *lpm, uint32_t ip, uint8_t depth, uint32_t next_hop);

/*
 * Deletes route ip/depth; addresses it covered fall back to the longest remaining route
 * that covers them.  Returns 0, -EINVAL (logged) or -ENOENT (no such route; not logged).
 * Writer thread only.
 */
int sl_lpm_delete(struct sl_lpm *lpm, uint32_t ip, uint8_t depth);

/* Deletes every route.  Writer thread only; concurrent lookups may miss meanwhile. */
void sl_lpm_delete_all(struct sl_lpm *lpm);

/*
 * Makes the table's deletes wait for grace periods of `rcu` (sl_rcu.h) before a tbl8
 * group they free is reused: the group is tagged with sl_rcu_start()'s token after it is
 * unlinked, an add reuses free groups whose grace period has passed (FIFO order) and,
 * when only groups still in theirs are free, waits for the oldest (sl_rcu_check(wait);
 * the add then blocks until the readers pass a quiescent point) rather than fail with
 * -ENOSPC.  Memory: 8 bytes per group.  delete_all() puts every group in one new grace
 * period.  rcu = NULL detaches the domain, first waiting for the pending grace periods;
 * then groups are reused at once again (the default).  The table's writer thread becomes
 * a writer of the domain (sl_rcu_start, sl_rcu_check: any thread may call them).
 * Returns 0, -EINVAL (NULL table), -EBUSY (another domain is attached; detach it first)
 * or -ENOMEM, each logged.  Writer thread only.
 */
int sl_lpm_rcu_set(struct sl_lpm *lpm, struct sl_rcu *rcu);

/* Next hop of route ip/depth exactly (not a lookup): 0 or -ENOENT / -EINVAL. */
int sl_lpm_rule_get(const struct sl_lpm *lpm, uint32_t ip, uint8_t depth, uint32_t *next_hop);

struct sl_lpm_stats {
	uint32_t rules;       /* routes in the table */
	uint32_t max_rules;
	uint32_t groups_used; /* tbl8 groups in use */
	uint32_t groups;      /* tbl8 groups configured */
	size_t bytes;         /* memory held: tables + rule table + free list */
};

/* Fills *st.  Writer thread (or when no writer runs). */
void sl_lpm_stats(const struct sl_lpm *lpm, struct sl_lpm_stats *st);

/* Bytes of memory a table holds (what sl_lpm_stats() reports in bytes). */
size_t sl_lpm_memory(const struct sl_lpm *lpm);

/* ---- Lookups: lock-free, any thread. ---- */

/* Relaxed atomic load: a plain mov on x86, but no data race in C11 terms. */
static inline __attribute__((always_inline)) uint32_t sl_lpm__load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Entry for ip.  The tbl8 load depends on the tbl24 value through its address, which
 * orders it after the linking release store on every CPU Linux supports (as RCU relies on).
 */
static inline __attribute__((always_inline)) uint32_t sl_lpm__entry(const struct sl_lpm *lpm,
								    uint32_t ip)
{
	uint32_t e = sl_lpm__load(&lpm->tbl24[ip >> 8]);

	if (sl_unlikely(e & SL_LPM__EXT))
		e = sl_lpm__load(&lpm->tbl8[(size_t)(e & SL_LPM__VALUE) * 256 + (ip & 0xff)]);
	return e;
}

/* Looks up ip: 0 and *next_hop, or -ENOENT when no route covers it. */
static inline int sl_lpm_lookup(const struct sl_lpm *lpm, uint32_t ip, uint32_t *next_hop)
{
	uint32_t e = sl_lpm__entry(lpm, ip);

	*next_hop = e & SL_LPM__VALUE;
	return (e & SL_LPM__VALID) ? 0 : -ENOENT;
}

/* The next hop of entry e, or miss when e is not valid, without a branch: whether a random
 * IPv4 address has a route is a coin toss a branch predictor loses.  (IPv6 bulk lookups
 * keep the branch: in the measured sets random addresses mostly miss, addresses inside
 * routes hit, and the branch-free form measured no better there.) */
static inline __attribute__((always_inline)) uint32_t sl_lpm__select(uint32_t e, uint32_t miss)
{
	uint32_t all_if_valid = 0u - ((e >> 24) & 1);

	return miss ^ ((miss ^ (e & SL_LPM__VALUE)) & all_if_valid);
}

/*
 * Looks up n addresses: next_hops[i] receives the next hop of ips[i], or `miss` when no
 * route covers it.  Returns the number of hits.
 *
 * Three passes, each short, because the loads of a burst are independent and the aim is
 * to have them all in flight at once: (1) prefetch every tbl24 entry (a prefetch retires
 * without waiting, so the whole burst's cache and TLB misses start together); (2) load the
 * entries, following the rare second level, into next_hops; (3) turn entries into next
 * hops with sl_lpm__select(), no branch.  Inline, as DPDK's is.  Against the previous form
 * (prefetch, then one out-of-line loop branching on "valid") this measured 10-18 % fewer
 * cycles (docs/lpm.md).
 */
static inline __attribute__((always_inline)) unsigned
sl_lpm_lookup_bulk(const struct sl_lpm *lpm, const uint32_t *ips, uint32_t *next_hops, unsigned n,
		   uint32_t miss)
{
	const uint32_t *t24 = lpm->tbl24, *t8 = lpm->tbl8;
	unsigned hits = 0;

	for (unsigned i = 0; i < n; i++)
		__builtin_prefetch(&t24[ips[i] >> 8]);
	for (unsigned i = 0; i < n; i++) {
		uint32_t e = sl_lpm__load(&t24[ips[i] >> 8]);

		if (sl_unlikely(e & SL_LPM__EXT))
			e = sl_lpm__load(&t8[(size_t)(e & SL_LPM__VALUE) * 256 + (ips[i] & 0xff)]);
		next_hops[i] = e;
	}
	for (unsigned i = 0; i < n; i++) {
		hits += (next_hops[i] >> 24) & 1;
		next_hops[i] = sl_lpm__select(next_hops[i], miss);
	}
	return hits;
}

/* Four addresses at once, as sl_lpm_lookup_bulk() with n = 4, inlined. */
static inline __attribute__((always_inline)) void
sl_lpm_lookup_x4(const struct sl_lpm *lpm, const uint32_t ips[4], uint32_t next_hops[4],
		 uint32_t miss)
{
	const uint32_t *t24 = lpm->tbl24;
	uint32_t e0 = sl_lpm__load(&t24[ips[0] >> 8]);
	uint32_t e1 = sl_lpm__load(&t24[ips[1] >> 8]);
	uint32_t e2 = sl_lpm__load(&t24[ips[2] >> 8]);
	uint32_t e3 = sl_lpm__load(&t24[ips[3] >> 8]);

	if (sl_unlikely((e0 | e1 | e2 | e3) & SL_LPM__EXT)) {
		const uint32_t *t8 = lpm->tbl8;
#define SL_LPM__X(e, i)                                                                        \
	if (e & SL_LPM__EXT)                                                                   \
		e = sl_lpm__load(&t8[(size_t)(e & SL_LPM__VALUE) * 256 + (ips[i] & 0xff)]);
		SL_LPM__X(e0, 0) SL_LPM__X(e1, 1) SL_LPM__X(e2, 2) SL_LPM__X(e3, 3)
#undef SL_LPM__X
	}
	next_hops[0] = (e0 & SL_LPM__VALID) ? (e0 & SL_LPM__VALUE) : miss;
	next_hops[1] = (e1 & SL_LPM__VALID) ? (e1 & SL_LPM__VALUE) : miss;
	next_hops[2] = (e2 & SL_LPM__VALID) ? (e2 & SL_LPM__VALUE) : miss;
	next_hops[3] = (e3 & SL_LPM__VALID) ? (e3 & SL_LPM__VALUE) : miss;
}

#endif
