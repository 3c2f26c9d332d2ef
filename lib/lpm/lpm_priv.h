/* SPDX-License-Identifier: BSD-3-Clause */
/* Writer-side helpers shared by the IPv4 (lpm.c) and IPv6 (lpm6.c) tables. */
#ifndef LPM_PRIV_H
#define LPM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_log.h"
#include "sl_rcu.h"

SL_LOG_TYPE_DECLARE(lpm);

#define LPM_MAX_RULES (1u << 28)
#define LPM_MAX_GROUPS (1u << 24) /* a group index is an entry's 24-bit value field */

/* Checks a table's name (1 to name_size - 1 characters), that it has a config and its
 * sizes, logging what is wrong as "<family> ...": 0, -ENAMETOOLONG (name of name_size
 * characters or more) or -EINVAL (anything else). */
int lpm_check_config(const char *family, const char *name, unsigned name_size, bool have_cfg,
		     uint32_t max_rules, uint32_t groups);

/*
 * Free tbl8 groups, first in first out: a freed group is reused only after every group
 * freed before it, which gives a reader still holding its old link the longest possible
 * window (see the concurrency notes in sl_lpm.h).  With an rcu domain (sl_lpm_rcu_set())
 * each free group also carries the token of the grace period that must pass before it is
 * reused: tokens[i] for slots[i], 0 for a group no reader can hold (never used, or freed
 * before the domain was set).  Tokens only grow from head to tail, so the head is the
 * first group to become reusable.  Written by the writer thread only.
 */
struct lpm_fifo {
	uint32_t *slots;  /* group indexes, `size` of them */
	uint64_t *tokens; /* NULL without an rcu domain */
	struct sl_rcu *rcu;
	uint32_t size;	/* number of groups */
	uint32_t head;	/* oldest free group */
	uint32_t count; /* free groups */
};

static inline void fifo_fill(struct lpm_fifo *f)
{
	for (uint32_t i = 0; i < f->size; i++)
		f->slots[i] = i;
	f->head = 0;
	f->count = f->size;
}

static inline uint32_t fifo_get(struct lpm_fifo *f)
{
	uint32_t g = f->slots[f->head];

	f->head = f->head + 1 == f->size ? 0 : f->head + 1;
	f->count--;
	return g;
}

/* Frees group g, reusable once grace period `token` has passed (0: at once). */
static inline void fifo_put(struct lpm_fifo *f, uint32_t g, uint64_t token)
{
	uint32_t tail = f->head + f->count;

	if (tail >= f->size)
		tail -= f->size;
	f->slots[tail] = g;
	if (f->tokens != NULL)
		f->tokens[tail] = token;
	f->count++;
}

/* The token for groups unlinked so far: a new grace period, or 0 without a domain.
 * Call it after the last unlinking store of an update, before fifo_put(). */
static inline uint64_t fifo_token(const struct lpm_fifo *f)
{
	return f->rcu != NULL ? sl_rcu_start(f->rcu) : 0;
}

/* Makes the first n (1 .. count) free groups reusable: with a domain, waits for the grace
 * period of the n-th (the newest of them) unless it has passed.  Writer thread only. */
void lpm_fifo_ready(struct lpm_fifo *f, uint32_t n);

/* All groups free again after a delete_all (which unlinked every group first). */
void lpm_fifo_reset(struct lpm_fifo *f);

/* Attaches rcu to (or, NULL, detaches it from) the free list of table `name`; see
 * sl_lpm_rcu_set().  *bytes follows the token array.  0, -EBUSY or -ENOMEM (logged). */
int lpm_fifo_rcu_set(struct lpm_fifo *f, struct sl_rcu *rcu, const char *family, const char *name,
		     size_t *bytes);

/* Slots of the rule hash for max_rules rules: a power of two, load at most 2/3. */
static inline uint64_t rule_slots(uint32_t max_rules)
{
	uint64_t want = (uint64_t)max_rules + max_rules / 2 + 1, n = 16;

	while (n < want)
		n <<= 1;
	return n;
}

/* Backward-shift delete: may the rule in slot j, whose home slot is `home`, stay where it is
 * when slot `hole` (before j, cyclically) empties?  Yes when home lies cyclically in
 * (hole, j]; otherwise it moves back into the hole. */
static inline bool rule_stays(uint32_t home, uint32_t hole, uint32_t j)
{
	return hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
}

/* 64-bit finaliser (splitmix64): spreads keys that differ in a few bits. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* Writer stores: relaxed for entries readers may already see, release to link a group. */
static inline void entry_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void entry_link(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

#endif
