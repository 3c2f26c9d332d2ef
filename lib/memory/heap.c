/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One heap per NUMA node: a first-fit allocator over segments with boundary headers.
 * Every block starts with a one-cache-line header, so data is always cache-line aligned
 * and sl_free() finds the header right before the pointer.  Free neighbours merge.
 * Allocation is a control-path operation (pools and rings allocate once at creation).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory_priv.h"

/* Under AddressSanitizer the data of free blocks is poisoned, so a use after sl_free() or a
 * write past an allocation into free space is reported like one on malloc memory. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define poison(addr, len) ASAN_POISON_MEMORY_REGION(addr, len)
#define unpoison(addr, len) ASAN_UNPOISON_MEMORY_REGION(addr, len)
#else
#define poison(addr, len) ((void)(addr), (void)(len))
#define unpoison(addr, len) ((void)(addr), (void)(len))
#endif

SL_LOG_TYPE_DEFINE(memory)

#define ELEM_FREE 0x5fee5fee
#define ELEM_BUSY 0xb5b5b5b5

struct elem {
	struct elem *prev;      /* block just below in the segment; NULL at its start */
	struct segment *seg;
	size_t size;            /* bytes from this header to the next block's header */
	uint32_t magic;         /* ELEM_FREE or ELEM_BUSY */
	int node;
	struct elem *free_next; /* free list, when ELEM_FREE */
	struct elem *free_prev;
	size_t requested;       /* bytes asked for, when ELEM_BUSY */
	uint64_t pad;
} SL_CACHE_ALIGNED;

_Static_assert(sizeof(struct elem) == SL_CACHE_LINE, "heap header is one cache line");

#define HDR sizeof(struct elem)

/* Largest request: 64 TiB, far above any machine, and small enough that rounding it up to
 * cache lines and adding headers or alignment cannot overflow. */
#define MAX_ALLOC (1ul << 46)

struct heap {
	pthread_mutex_t lock;
	struct segment *segs;
	struct elem *free_list;
	struct sl_mem_stats stats;
};

static struct heap heaps[SL_MAX_NUMA_NODES];
static enum sl_mem_huge huge_mode;
static size_t total_limit;
static size_t total_mapped;
static pthread_once_t heaps_once = PTHREAD_ONCE_INIT;
static unsigned nb_nodes;

static void heaps_setup(void)
{
	FILE *f = fopen("/sys/devices/system/node/possible", "r");
	unsigned lo = 0, hi = 0;

	nb_nodes = 1;
	if (f != NULL) {
		int n = fscanf(f, "%u-%u", &lo, &hi);
		if (n == 2 && hi < SL_MAX_NUMA_NODES)
			nb_nodes = hi + 1;
		else if (n == 2)
			nb_nodes = SL_MAX_NUMA_NODES;
		fclose(f);
	}
	for (unsigned i = 0; i < SL_MAX_NUMA_NODES; i++)
		pthread_mutex_init(&heaps[i].lock, NULL);
}

unsigned sl_mem_nodes(void)
{
	pthread_once(&heaps_once, heaps_setup);
	return nb_nodes;
}

int mem_resolve_node(int node)
{
	unsigned cpu, n;

	if (node == SL_NODE_ANY) {
		if (getcpu(&cpu, &n) < 0 || n >= sl_mem_nodes())
			return 0;
		return (int)n;
	}
	if (node < 0 || (unsigned)node >= sl_mem_nodes())
		return -1;
	return node;
}

int sl_mem_configure(enum sl_mem_huge huge, const size_t *node_limits, unsigned nb,
		     size_t total)
{
	if (huge > SL_MEM_HUGE_REQUIRE) {
		SL_LOG(memory, ERR,
		       "memory page policy %d is unknown; use SL_MEM_HUGE_AUTO, SL_MEM_HUGE_OFF or SL_MEM_HUGE_REQUIRE",
		       (int)huge);
		return -EINVAL;
	}
	if (nb > SL_MAX_NUMA_NODES) {
		SL_LOG(memory, ERR,
		       "%u per-node memory limits given; pass at most %d (SL_MAX_NUMA_NODES)", nb,
		       SL_MAX_NUMA_NODES);
		return -EINVAL;
	}
	if (nb && node_limits == NULL) {
		SL_LOG(memory, ERR,
		       "%u per-node memory limits announced but node_limits is NULL; pass the array or 0 limits",
		       nb);
		return -EINVAL;
	}
	pthread_once(&heaps_once, heaps_setup);
	huge_mode = huge;
	total_limit = total;
	for (unsigned i = 0; i < SL_MAX_NUMA_NODES; i++)
		heaps[i].stats.limit = i < nb ? node_limits[i] : 0;
	return 0;
}

static void free_list_add(struct heap *h, struct elem *e)
{
	poison(e + 1, e->size - HDR);
	e->magic = ELEM_FREE;
	e->free_prev = NULL;
	e->free_next = h->free_list;
	if (h->free_list)
		h->free_list->free_prev = e;
	h->free_list = e;
}

static void free_list_del(struct heap *h, struct elem *e)
{
	if (e->free_prev)
		e->free_prev->free_next = e->free_next;
	else
		h->free_list = e->free_next;
	if (e->free_next)
		e->free_next->free_prev = e->free_prev;
}

static struct elem *elem_next(const struct elem *e)
{
	char *end = (char *)e->seg->base + e->seg->len;
	char *next = (char *)e + e->size;

	return next < end ? (struct elem *)next : NULL;
}

/* Carves [hdr, hdr+need) out of free block e; leftovers become free blocks. */
static struct elem *carve(struct heap *h, struct elem *e, char *hdr, size_t need)
{
	struct elem *busy = (struct elem *)hdr;
	struct elem *next = elem_next(e);
	size_t tail;

	free_list_del(h, e);
	unpoison(e, e->size);
	if (hdr > (char *)e) {
		/* Leading gap stays free (it is a whole number of headers). */
		size_t gap = (size_t)(hdr - (char *)e);

		busy->prev = e;
		busy->seg = e->seg;
		busy->node = e->node;
		busy->size = e->size - gap;
		e->size = gap;
		free_list_add(h, e);
	}
	if (next)
		next->prev = busy;
	tail = busy->size - need;
	if (tail >= 2 * HDR) {
		struct elem *rest = (struct elem *)(hdr + need);

		rest->prev = busy;
		rest->seg = busy->seg;
		rest->node = busy->node;
		rest->size = tail;
		busy->size = need;
		if (next)
			next->prev = rest;
		free_list_add(h, rest);
	}
	busy->magic = ELEM_BUSY;
	return busy;
}

static struct elem *find_fit(struct heap *h, size_t need, size_t align)
{
	for (struct elem *e = h->free_list; e; e = e->free_next) {
		uintptr_t data = SL_ALIGN_UP((uintptr_t)e + HDR, align);
		char *hdr = (char *)data - HDR;

		if (hdr + need <= (char *)e + e->size)
			return carve(h, e, hdr, need);
	}
	return NULL;
}

static int grow(struct heap *h, int node, size_t need, size_t align)
{
	size_t len = need + (align > HDR ? align : 0);
	struct segment *seg;
	struct elem *e;

	if (h->stats.limit && h->stats.mapped + SL_ALIGN_UP(len, SIZE_2M) > h->stats.limit) {
		SL_LOG(memory, ERR,
		       "node %d memory limit of %zu MiB reached (%zu MiB mapped, %zu MiB more needed); raise --socket-mem",
		       node, h->stats.limit >> 20, h->stats.mapped >> 20,
		       SL_ALIGN_UP(len, SIZE_2M) >> 20);
		return -ENOMEM;
	}
	if (total_limit && total_mapped + SL_ALIGN_UP(len, SIZE_2M) > total_limit) {
		SL_LOG(memory, ERR,
		       "memory limit of %zu MiB reached (%zu MiB mapped, %zu MiB more needed); raise -m",
		       total_limit >> 20, total_mapped >> 20, SL_ALIGN_UP(len, SIZE_2M) >> 20);
		return -ENOMEM;
	}
	seg = segment_map(len, node, huge_mode);
	if (seg == NULL)
		return -ENOMEM;
	seg->next = h->segs;
	h->segs = seg;
	h->stats.mapped += seg->len;
	h->stats.segments++;
	if (seg->page_size >= SIZE_2M)
		h->stats.huge_bytes += seg->len;
	__atomic_fetch_add(&total_mapped, seg->len, __ATOMIC_RELAXED);
	e = seg->base;
	e->prev = NULL;
	e->seg = seg;
	e->node = node;
	e->size = seg->len;
	free_list_add(h, e);
	return 0;
}

void *sl_malloc(size_t size, size_t align, int node)
{
	struct elem *e;
	struct heap *h;
	size_t need;
	int nd;

	pthread_once(&heaps_once, heaps_setup);
	if (align == 0)
		align = SL_CACHE_LINE;
	nd = mem_resolve_node(node);
	if (size == 0) {
		SL_LOG(memory, ERR, "allocation of 0 bytes; ask for at least 1 byte");
		errno = EINVAL;
		return NULL;
	}
	if (size > MAX_ALLOC) {
		SL_LOG(memory, ERR,
		       "allocation of %zu bytes is over the %zu-byte limit; ask for at most %zu",
		       size, MAX_ALLOC, MAX_ALLOC);
		errno = EINVAL;
		return NULL;
	}
	if (!SL_IS_POW2(align)) {
		SL_LOG(memory, ERR, "allocation alignment %zu is not a power of two; use %zu",
		       align, mem_pow2_ceil(align));
		errno = EINVAL;
		return NULL;
	}
	if (nd < 0) {
		SL_LOG(memory, ERR,
		       "allocation on node %d: no such NUMA node; use 0 to %u or SL_NODE_ANY (-1)",
		       node, sl_mem_nodes() - 1);
		errno = EINVAL;
		return NULL;
	}
	if (align < SL_CACHE_LINE)
		align = SL_CACHE_LINE;
	need = HDR + SL_ALIGN_UP(size, SL_CACHE_LINE);
	h = &heaps[nd];
	pthread_mutex_lock(&h->lock);
	e = find_fit(h, need, align);
	if (e == NULL && grow(h, nd, need, align) == 0)
		e = find_fit(h, need, align);
	if (e == NULL) {
		pthread_mutex_unlock(&h->lock);
		errno = ENOMEM;
		return NULL;
	}
	e->requested = size;
	h->stats.in_use += e->size;
	pthread_mutex_unlock(&h->lock);
	memset(e + 1, 0, size);
	return e + 1;
}

void sl_free(void *ptr)
{
	struct elem *e, *next;
	struct heap *h;

	if (ptr == NULL)
		return;
	e = (struct elem *)ptr - 1;
	if (((uintptr_t)ptr & (SL_CACHE_LINE - 1)) || e->magic != ELEM_BUSY) {
		SL_LOG(memory, ERR, "sl_free(%p): not a live Sluice allocation (double free?)", ptr);
		return;
	}
	h = &heaps[e->node];
	pthread_mutex_lock(&h->lock);
	h->stats.in_use -= e->size;
	next = elem_next(e);
	if (next && next->magic == ELEM_FREE) {
		free_list_del(h, next);
		e->size += next->size;
		next->magic = 0;
		next = elem_next(e);
		if (next)
			next->prev = e;
	}
	if (e->prev && e->prev->magic == ELEM_FREE) {
		struct elem *prev = e->prev;

		prev->size += e->size;
		e->magic = 0;
		poison(prev + 1, prev->size - HDR);
		if (next)
			next->prev = prev;
		pthread_mutex_unlock(&h->lock);
		return;
	}
	free_list_add(h, e);
	pthread_mutex_unlock(&h->lock);
}

int sl_mem_locate(const void *addr, int *fd, uint64_t *fd_offset, size_t *page_size)
{
	pthread_once(&heaps_once, heaps_setup);
	for (unsigned n = 0; n < nb_nodes; n++) {
		struct heap *h = &heaps[n];

		pthread_mutex_lock(&h->lock);
		for (struct segment *s = h->segs; s; s = s->next) {
			const char *base = s->base;

			if ((const char *)addr >= base && (const char *)addr < base + s->len) {
				if (fd)
					*fd = s->fd;
				if (fd_offset)
					*fd_offset = (uint64_t)((const char *)addr - base);
				if (page_size)
					*page_size = s->page_size;
				pthread_mutex_unlock(&h->lock);
				return 0;
			}
		}
		pthread_mutex_unlock(&h->lock);
	}
	return -ENOENT;
}

unsigned sl_mem_segments(struct sl_mem_segment *segs, unsigned max)
{
	unsigned count = 0;

	pthread_once(&heaps_once, heaps_setup);
	for (unsigned n = 0; n < nb_nodes; n++) {
		struct heap *h = &heaps[n];

		pthread_mutex_lock(&h->lock);
		for (struct segment *s = h->segs; s; s = s->next, count++)
			if (count < max)
				segs[count] = (struct sl_mem_segment){s->base, s->len, s->fd,
								      s->page_size};
		pthread_mutex_unlock(&h->lock);
	}
	return count;
}

int sl_mem_stats(int node, struct sl_mem_stats *stats)
{
	pthread_once(&heaps_once, heaps_setup);
	if (node < 0 || (unsigned)node >= nb_nodes) {
		SL_LOG(memory, ERR, "memory stats of node %d: no such NUMA node; use 0 to %u", node,
		       nb_nodes - 1);
		return -EINVAL;
	}
	if (stats == NULL) {
		SL_LOG(memory, ERR,
		       "memory stats of node %d: stats is NULL; pass a struct sl_mem_stats", node);
		return -EINVAL;
	}
	pthread_mutex_lock(&heaps[node].lock);
	*stats = heaps[node].stats;
	pthread_mutex_unlock(&heaps[node].lock);
	return 0;
}

const char *sl_mem_mode(void)
{
	static char buf[128];
	unsigned long n2 = 0, n1 = 0;

	if (huge_mode == SL_MEM_HUGE_OFF)
		return "ordinary locked pages (hugepages off)";
	for (unsigned n = 0; n < sl_mem_nodes(); n++) {
		n2 += mem_free_hugepages(SIZE_2M, (int)n);
		n1 += mem_free_hugepages(SIZE_1G, (int)n);
	}
	if (n2 == 0 && n1 == 0)
		return huge_mode == SL_MEM_HUGE_REQUIRE ? "hugepages required, none free"
							  : "ordinary locked pages (no hugepages reserved)";
	snprintf(buf, sizeof(buf), "hugepages (%lu free of 2 MiB, %lu free of 1 GiB)", n2, n1);
	return buf;
}

void heap_release_all(void)
{
	pthread_once(&heaps_once, heaps_setup);
	for (unsigned n = 0; n < SL_MAX_NUMA_NODES; n++) {
		struct heap *h = &heaps[n];
		size_t limit;

		pthread_mutex_lock(&h->lock);
		while (h->segs) {
			struct segment *s = h->segs;

			h->segs = s->next;
			unpoison(s->base, s->len); /* the address range may be reused */
			segment_unmap(s);
		}
		h->free_list = NULL;
		limit = h->stats.limit;
		memset(&h->stats, 0, sizeof(h->stats));
		h->stats.limit = limit;
		pthread_mutex_unlock(&h->lock);
	}
	total_mapped = 0;
}
