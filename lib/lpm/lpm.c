/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 DIR-24-8 table: the writer side (create, add, delete) and the bulk lookup.
 * The entry format and the concurrency rules are in sl_lpm.h; docs/lpm.md has the design.
 *
 * Invariants the writer keeps (they make delete and group reclamation local):
 *   - a non-ext entry holds the longest route covering its addresses, tagged with that
 *     route's depth (an invalid entry is 0: depth 0, not valid);
 *   - a tbl8 group exists only while some entry in it has depth > 24; once a delete
 *     leaves none, all 256 entries equal the best route covering the /24, which moves
 *     back into the tbl24 entry and the group is freed ("collapse").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lpm_priv.h"
#include "sl_lpm.h"
#include "sl_memory.h"

SL_LOG_TYPE_DEFINE(lpm)

#define ZONE_PREFIX "lpm_"
_Static_assert(sizeof(ZONE_PREFIX) - 1 + SL_LPM_NAME_SIZE == SL_NAME_SIZE, "zone name fits");


/* A rule: w = next_hop | (depth + 1) << 24, 0 for an empty slot. */
struct rule4 {
	uint32_t ip;
	uint32_t w;
};

struct sl_lpm_ctl {
	uint32_t *tbl24; /* writable views of the tables */
	uint32_t *tbl8;
	const struct sl_zone *zone;
	struct rule4 *rules;
	uint32_t rule_mask;	 /* hash slots - 1 */
	uint32_t nb_rules;
	uint32_t max_rules;
	uint32_t depth_rules[SL_LPM_MAX_DEPTH + 1]; /* rules per depth: skips empty depths */
	struct lpm_fifo fifo;
	size_t bytes;
};

/* The public struct and the writer state in one allocation. */
struct lpm_block {
	struct sl_lpm pub;
	struct sl_lpm_ctl ctl;
};

static inline uint32_t mask_of(uint8_t depth)
{
	return depth == 0 ? 0 : ~0u << (32 - depth);
}

static inline uint32_t mk(uint32_t nh, uint8_t depth)
{
	return nh | SL_LPM__VALID | (uint32_t)depth << SL_LPM__DEPTH_SHIFT;
}

static inline uint8_t depth_of(uint32_t e)
{
	return (uint8_t)(e >> SL_LPM__DEPTH_SHIFT);
}

/* ---- rule table: open addressing, linear probing, backward-shift delete ---- */

static inline uint32_t rule_home(const struct sl_lpm_ctl *c, uint32_t ip, uint8_t depth)
{
	return (uint32_t)mix64((uint64_t)ip << 8 | depth) & c->rule_mask;
}

/* Slot of ip/depth, or of the empty slot where it would go; *found says which. */
static uint32_t rule_slot(const struct sl_lpm_ctl *c, uint32_t ip, uint8_t depth, bool *found)
{
	const uint32_t tag = (uint32_t)(depth + 1) << 24;
	uint32_t i = rule_home(c, ip, depth);

	for (;; i = (i + 1) & c->rule_mask) {
		const struct rule4 *r = &c->rules[i];

		if (r->w == 0) {
			*found = false;
			return i;
		}
		if (r->ip == ip && (r->w & 0xff000000u) == tag) {
			*found = true;
			return i;
		}
	}
}

static void rule_remove(struct sl_lpm_ctl *c, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		j = (j + 1) & c->rule_mask;
		if (c->rules[j].w == 0)
			break;
		uint32_t home = rule_home(c, c->rules[j].ip, (uint8_t)((c->rules[j].w >> 24) - 1));
		if (!rule_stays(home, i, j)) {
			c->rules[i] = c->rules[j];
			i = j;
		}
	}
	c->rules[i].w = 0;
	c->rules[i].ip = 0;
}

/* Longest rule shorter than `depth` covering ip: its entry, or 0 when there is none. */
static uint32_t covering_entry(const struct sl_lpm_ctl *c, uint32_t ip, uint8_t depth)
{
	for (int d = depth - 1; d >= 0; d--) {
		bool found;
		uint32_t i;

		if (c->depth_rules[d] == 0)
			continue;
		i = rule_slot(c, ip & mask_of((uint8_t)d), (uint8_t)d, &found);
		if (found)
			return mk(c->rules[i].w & SL_LPM__VALUE, (uint8_t)d);
	}
	return 0;
}

/* ---- create / free ---- */

struct sl_lpm *sl_lpm_create(const char *name, int node, const struct sl_lpm_config *cfg)
{
	char zname[SL_NAME_SIZE];
	struct lpm_block *b;
	struct sl_lpm_ctl *c;
	size_t tbl_bytes, rule_bytes, fifo_bytes;
	uint64_t slots;
	int rc;

	rc = lpm_check_config("lpm", name, SL_LPM_NAME_SIZE, cfg != NULL,
			      cfg ? cfg->max_rules : 0, cfg ? cfg->groups : 0);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	snprintf(zname, sizeof(zname), ZONE_PREFIX "%s", name);
	if (sl_zone_lookup(zname) != NULL) {
		SL_LOG(lpm, ERR, "lpm name '%s' is already in use; pick another or free that table",
		       name);
		errno = EEXIST;
		return NULL;
	}
	b = sl_malloc(sizeof(*b), 0, node);
	if (b == NULL)
		goto err_log;
	c = &b->ctl;
	tbl_bytes = ((size_t)SL_LPM__TBL24_ENTRIES + (size_t)cfg->groups * 256) * sizeof(uint32_t);
	c->zone = sl_zone_reserve(zname, tbl_bytes, node, 0);
	if (c->zone == NULL)
		goto err_block;
	slots = rule_slots(cfg->max_rules);
	rule_bytes = slots * sizeof(struct rule4);
	c->rules = sl_malloc(rule_bytes, 0, node);
	if (c->rules == NULL)
		goto err_zone;
	fifo_bytes = (size_t)cfg->groups * sizeof(uint32_t);
	c->fifo.slots = sl_malloc(fifo_bytes, 0, node);
	if (c->fifo.slots == NULL)
		goto err_rules;

	c->tbl24 = c->zone->addr;
	c->tbl8 = c->tbl24 + SL_LPM__TBL24_ENTRIES;
	c->rule_mask = (uint32_t)(slots - 1);
	c->max_rules = cfg->max_rules;
	c->fifo.size = cfg->groups;
	fifo_fill(&c->fifo);
	c->bytes = sizeof(*b) + tbl_bytes + rule_bytes + fifo_bytes;
	b->pub.tbl24 = c->tbl24;
	b->pub.tbl8 = c->tbl8;
	b->pub.ctl = c;
	snprintf(b->pub.name, sizeof(b->pub.name), "%s", name);
	return &b->pub;

err_rules:
	sl_free(c->rules);
err_zone:
	sl_zone_free(c->zone);
err_block:
	sl_free(b);
err_log:
	rc = errno;
	SL_LOG(lpm, ERR,
	       "lpm '%s': cannot get memory for %u groups and %u rules on node %d: %s; lower "
	       "them or reserve more memory",
	       name, cfg->groups, cfg->max_rules, node, strerror(rc));
	errno = rc;
	return NULL;
}

void sl_lpm_free(struct sl_lpm *lpm)
{
	struct sl_lpm_ctl *c;

	if (lpm == NULL)
		return;
	c = lpm->ctl;
	sl_free(c->fifo.tokens);
	sl_free(c->fifo.slots);
	sl_free(c->rules);
	sl_zone_free(c->zone);
	sl_free(lpm);
}

/* ---- add / delete ---- */

static int check_route(const struct sl_lpm *lpm, uint8_t depth, const char *what)
{
	if (lpm == NULL) {
		SL_LOG(lpm, ERR, "lpm %s: table is NULL; create it with sl_lpm_create()", what);
		return -EINVAL;
	}
	if (depth > SL_LPM_MAX_DEPTH) {
		SL_LOG(lpm, ERR, "lpm '%s' %s: depth %u is out of range; use 0 to 32", lpm->name,
		       what, depth);
		return -EINVAL;
	}
	return 0;
}

/* Writes `e` over the entries of group g in [first, first + n) whose depth is <= depth. */
static void group_overwrite(struct sl_lpm_ctl *c, uint32_t g, uint32_t first, uint32_t n,
			    uint8_t depth, uint32_t e)
{
	uint32_t *t = c->tbl8 + (size_t)g * 256;

	for (uint32_t j = first; j < first + n; j++)
		if (depth_of(t[j]) <= depth)
			entry_store(&t[j], e);
}

/* Writes `repl` over the valid entries of group g in [first, first + n) of depth `depth`. */
static void group_restore(struct sl_lpm_ctl *c, uint32_t g, uint32_t first, uint32_t n,
			  uint8_t depth, uint32_t repl)
{
	uint32_t *t = c->tbl8 + (size_t)g * 256;

	for (uint32_t j = first; j < first + n; j++)
		if ((t[j] & SL_LPM__VALID) && depth_of(t[j]) == depth)
			entry_store(&t[j], repl);
}

int sl_lpm_add(struct sl_lpm *lpm, uint32_t ip, uint8_t depth, uint32_t next_hop)
{
	struct sl_lpm_ctl *c;
	const uint32_t e = mk(next_hop, depth);
	uint32_t slot;
	bool found;
	int rc;

	if ((rc = check_route(lpm, depth, "add")) < 0)
		return rc;
	if (next_hop > SL_LPM_MAX_NEXT_HOP) {
		SL_LOG(lpm, ERR, "lpm '%s' add: next hop %u does not fit in 24 bits; use 0 to %u",
		       lpm->name, next_hop, SL_LPM_MAX_NEXT_HOP);
		return -EINVAL;
	}
	c = lpm->ctl;
	ip &= mask_of(depth);
	slot = rule_slot(c, ip, depth, &found);
	if (!found && c->nb_rules == c->max_rules) {
		SL_LOG(lpm, ERR, "lpm '%s' add: table holds max_rules %u routes; raise max_rules",
		       lpm->name, c->max_rules);
		return -ENOSPC;
	}

	if (depth <= 24) {
		const uint32_t first = ip >> 8, n = 1u << (24 - depth);

		for (uint32_t i = first; i < first + n; i++) {
			uint32_t t = c->tbl24[i];

			if (t & SL_LPM__EXT)
				group_overwrite(c, t & SL_LPM__VALUE, 0, 256, depth, e);
			else if (depth_of(t) <= depth)
				entry_store(&c->tbl24[i], e);
		}
	} else {
		uint32_t *p = &c->tbl24[ip >> 8], t = *p, g;

		if (t & SL_LPM__EXT) {
			g = t & SL_LPM__VALUE;
		} else {
			uint32_t *grp;

			if (c->fifo.count == 0) {
				SL_LOG(lpm, ERR,
				       "lpm '%s' add: all %u tbl8 groups are in use (route "
				       "%u.%u.%u.%u/%u needs one); raise groups",
				       lpm->name, c->fifo.size, ip >> 24, (ip >> 16) & 0xff,
				       (ip >> 8) & 0xff, ip & 0xff, depth);
				return -ENOSPC;
			}
			lpm_fifo_ready(&c->fifo, 1);
			g = fifo_get(&c->fifo);
			grp = c->tbl8 + (size_t)g * 256;
			/* Inherit the /24's route; the group is unreachable until linked. */
			for (uint32_t j = 0; j < 256; j++)
				entry_store(&grp[j], t);
			entry_link(p, g | SL_LPM__EXT);
		}
		group_overwrite(c, g, ip & 0xff, 1u << (32 - depth), depth, e);
	}

	if (found) {
		c->rules[slot].w = next_hop | (uint32_t)(depth + 1) << 24;
	} else {
		c->rules[slot].ip = ip;
		c->rules[slot].w = next_hop | (uint32_t)(depth + 1) << 24;
		c->nb_rules++;
		c->depth_rules[depth]++;
	}
	return 0;
}

/* Frees group g of tbl24 entry i when no entry in it is longer than /24. */
static void try_collapse(struct sl_lpm_ctl *c, uint32_t i, uint32_t g)
{
	const uint32_t *t = c->tbl8 + (size_t)g * 256;

	for (uint32_t j = 0; j < 256; j++)
		if (depth_of(t[j]) > 24)
			return;
	/* All 256 entries now hold the same (/24-or-shorter) route, or are all invalid.
	 * Unlink first, then the grace period: readers that still hold the link may read g
	 * until it has passed. */
	entry_store(&c->tbl24[i], t[0]);
	fifo_put(&c->fifo, g, fifo_token(&c->fifo));
}

int sl_lpm_delete(struct sl_lpm *lpm, uint32_t ip, uint8_t depth)
{
	struct sl_lpm_ctl *c;
	uint32_t slot, repl;
	bool found;
	int rc;

	if ((rc = check_route(lpm, depth, "delete")) < 0)
		return rc;
	c = lpm->ctl;
	ip &= mask_of(depth);
	slot = rule_slot(c, ip, depth, &found);
	if (!found)
		return -ENOENT;
	rule_remove(c, slot);
	c->nb_rules--;
	c->depth_rules[depth]--;
	repl = covering_entry(c, ip, depth);

	if (depth <= 24) {
		const uint32_t first = ip >> 8, n = 1u << (24 - depth);

		for (uint32_t i = first; i < first + n; i++) {
			uint32_t t = c->tbl24[i];

			/* Groups keep their deeper routes: no collapse is possible here. */
			if (t & SL_LPM__EXT)
				group_restore(c, t & SL_LPM__VALUE, 0, 256, depth, repl);
			else if ((t & SL_LPM__VALID) && depth_of(t) == depth)
				entry_store(&c->tbl24[i], repl);
		}
	} else {
		const uint32_t i = ip >> 8, t = c->tbl24[i];

		if (sl_unlikely(!(t & SL_LPM__EXT))) {
			SL_LOG(lpm, ERR, "lpm '%s' delete: no tbl8 group under %u.%u.%u.0/24 (bug)",
			       lpm->name, ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff);
			return 0;
		}
		group_restore(c, t & SL_LPM__VALUE, ip & 0xff, 1u << (32 - depth), depth, repl);
		try_collapse(c, i, t & SL_LPM__VALUE);
	}
	return 0;
}

void sl_lpm_delete_all(struct sl_lpm *lpm)
{
	struct sl_lpm_ctl *c;

	if (lpm == NULL)
		return;
	c = lpm->ctl;
	for (uint32_t i = 0; i < SL_LPM__TBL24_ENTRIES; i++)
		entry_store(&c->tbl24[i], 0);
	memset(c->rules, 0, ((size_t)c->rule_mask + 1) * sizeof(*c->rules));
	memset(c->depth_rules, 0, sizeof(c->depth_rules));
	c->nb_rules = 0;
	lpm_fifo_reset(&c->fifo);
}

int sl_lpm_rule_get(const struct sl_lpm *lpm, uint32_t ip, uint8_t depth, uint32_t *next_hop)
{
	const struct sl_lpm_ctl *c;
	uint32_t slot;
	bool found;
	int rc;

	if ((rc = check_route(lpm, depth, "rule_get")) < 0)
		return rc;
	c = lpm->ctl;
	ip &= mask_of(depth);
	slot = rule_slot(c, ip, depth, &found);
	if (!found)
		return -ENOENT;
	if (next_hop != NULL)
		*next_hop = c->rules[slot].w & SL_LPM__VALUE;
	return 0;
}

int sl_lpm_rcu_set(struct sl_lpm *lpm, struct sl_rcu *rcu)
{
	if (lpm == NULL) {
		SL_LOG(lpm, ERR, "lpm rcu_set: table is NULL; create it with sl_lpm_create()");
		return -EINVAL;
	}
	return lpm_fifo_rcu_set(&lpm->ctl->fifo, rcu, "lpm", lpm->name, &lpm->ctl->bytes);
}

void sl_lpm_stats(const struct sl_lpm *lpm, struct sl_lpm_stats *st)
{
	const struct sl_lpm_ctl *c = lpm->ctl;

	st->rules = c->nb_rules;
	st->max_rules = c->max_rules;
	st->groups = c->fifo.size;
	st->groups_used = c->fifo.size - c->fifo.count;
	st->bytes = c->bytes;
}

size_t sl_lpm_memory(const struct sl_lpm *lpm)
{
	return lpm == NULL ? 0 : lpm->ctl->bytes;
}
