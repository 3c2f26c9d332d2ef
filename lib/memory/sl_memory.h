/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory: a heap per NUMA node over pinned segments, and named zones carved from it.
 *
 * Segments are memfds, hugepage-backed (1 GiB pages for segments of 1 GiB and more when
 * reserved, else 2 MiB) or, when no hugepages are reserved, ordinary pages locked in RAM.
 * Being memfds, segments can be handed to a peer process (memif, vhost-user) as an fd
 * plus an offset.  The IO address of every byte is its virtual address (IOVA as VA), which
 * is what VFIO will map later.
 *
 * All calls are thread-safe (a mutex per node heap); none belongs on the fast path.
 */
#ifndef SL_MEMORY_H
#define SL_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sl_common.h"

/* Any NUMA node: the caller's lcore node, else node 0. */
#define SL_NODE_ANY (-1)

/* A named, pinned, contiguous piece of memory. */
struct sl_zone {
	char name[SL_NAME_SIZE];
	void *addr;       /* start, aligned as requested (at least a cache line) */
	size_t len;       /* usable bytes as requested */
	uint64_t iova;    /* IO address of addr; equals addr (IOVA as VA) */
	int node;         /* NUMA node the memory is bound to */
	size_t page_size; /* page size of the backing segment */
	int fd;           /* memfd of the backing segment, shareable with peers */
	uint64_t fd_offset; /* offset of addr in that memfd */
};

/*
 * Reserves a zone of len bytes on a node (or SL_NODE_ANY), aligned to `align` (a power of
 * two; 0 means a cache line), zero-filled.  The name has 1 to SL_NAME_SIZE - 1 characters.
 * Returns the zone, or NULL with errno set: EINVAL (NULL or empty name, bad length,
 * alignment or node), ENAMETOOLONG (name of SL_NAME_SIZE characters or more), EEXIST (the
 * name is taken), ENOSPC (every zone slot is used), ENOMEM (memory or limit exhausted; the
 * log line names the limit to raise).  Each failure logs one line.
 */
const struct sl_zone *sl_zone_reserve(const char *name, size_t len, int node, size_t align);

/* Finds a zone by name.  NULL with errno ENOENT if there is none (not logged: a miss is an
 * answer), EINVAL for a NULL or empty name (logged). */
const struct sl_zone *sl_zone_lookup(const char *name);

/* Releases a zone.  Returns 0 or -EINVAL (logged) if it is NULL or not a live zone. */
int sl_zone_free(const struct sl_zone *zone);

typedef void (*sl_zone_walk_fn)(const struct sl_zone *zone, void *arg);
void sl_zone_walk(sl_zone_walk_fn fn, void *arg);
void sl_zone_dump(FILE *out);

/*
 * Allocates size bytes of pinned, zero-filled memory on a node, aligned to `align` (power
 * of two, 0 = cache line).  Returns NULL with errno EINVAL (size 0 or above 2^46, an
 * alignment that is not a power of two, no such node) or ENOMEM; each logs one line.
 */
void *sl_malloc(size_t size, size_t align, int node);
/* Frees memory from sl_malloc(); NULL is ignored. */
void sl_free(void *ptr);

/* Finds the zone-like facts (fd, offset, page size) of any address in Sluice memory.
 * Returns 0 or -ENOENT when addr is not Sluice memory (not logged: callers ask to find out,
 * and say what they needed it for). */
int sl_mem_locate(const void *addr, int *fd, uint64_t *fd_offset, size_t *page_size);

/* One segment of Sluice memory: the memfd behind [base, base + len), from file offset 0. */
struct sl_mem_segment {
	void *base;
	size_t len;
	int fd;
	size_t page_size;
};

/* Fills up to max segments (every node's) and returns how many there are, which may be
 * more than max.  What a peer maps to see all of Sluice memory (vhost-user's memory table). */
unsigned sl_mem_segments(struct sl_mem_segment *segs, unsigned max);

struct sl_mem_stats {
	size_t mapped;       /* bytes of segments mapped */
	size_t in_use;       /* bytes handed out (headers included) */
	size_t limit;        /* 0 = no limit */
	unsigned segments;
	size_t huge_bytes;   /* part of `mapped` on hugepages */
};

/* Per-node figures.  Returns 0 or -EINVAL (logged) for a bad node or NULL stats. */
int sl_mem_stats(int node, struct sl_mem_stats *stats);

enum sl_mem_huge {
	SL_MEM_HUGE_AUTO = 0, /* hugepages when reserved, else ordinary locked pages */
	SL_MEM_HUGE_OFF,      /* ordinary pages only */
	SL_MEM_HUGE_REQUIRE,  /* hugepages or fail with ENOMEM */
};

/*
 * Sets the page policy and the per-node limits (bytes, 0 = none; `total` over all nodes).
 * Called by sl_init(); without it memory works with AUTO and no limits.  Returns 0 or
 * -EINVAL (logged: unknown policy, more than SL_MAX_NUMA_NODES limits, NULL node_limits
 * with nb_nodes > 0).
 */
int sl_mem_configure(enum sl_mem_huge huge, const size_t *node_limits, unsigned nb_nodes,
		     size_t total);

/* Number of NUMA nodes the kernel reports (1 without NUMA). */
unsigned sl_mem_nodes(void);

/* Releases every segment; all zones and allocations become invalid.  For sl_cleanup(). */
void sl_mem_release_all(void);

/* "2 MiB hugepages", "1 GiB hugepages" or "4 KiB pages (no hugepages)": the page size the
 * next segment would use. */
const char *sl_mem_mode(void);

#endif
