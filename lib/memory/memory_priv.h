/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_MEMORY_PRIV_H
#define SL_MEMORY_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "sl_log.h"
#include "sl_memory.h"

SL_LOG_TYPE_DECLARE(memory);

#define SIZE_2M (2ul << 20)
#define SIZE_1G (1ul << 30)

/* One mapping of a memfd: the unit the heap grows by. */
struct segment {
	void *base;
	size_t len;
	size_t page_size;
	int fd;
	int node;
	struct segment *next;
};

/* Maps a segment of at least len bytes on a node.  Returns NULL with errno ENOMEM. */
struct segment *segment_map(size_t len, int node, enum sl_mem_huge huge);
void segment_unmap(struct segment *seg);

/* Free hugepages of a size on a node (global count without per-node sysfs); 0 if unknown. */
unsigned long mem_free_hugepages(size_t page_size, int node);

/* Unmaps every segment (zones must be forgotten first). */
void heap_release_all(void);

/* Resolved node of a request: SL_NODE_ANY becomes the caller's node.  -1 if invalid. */
int mem_resolve_node(int node);

/* The power of two an error line suggests for a bad alignment: the next one up. */
static inline size_t mem_pow2_ceil(size_t v)
{
	size_t p = 1;

	while (p < v && p < ((size_t)1 << (sizeof(size_t) * 8 - 1)))
		p <<= 1;
	return p;
}

#endif
