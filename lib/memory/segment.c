/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segments: memfds mapped shared, so that a peer process can map the same memory from the
 * fd (memif regions, vhost-user tables).  Hugepage memfds first, ordinary locked pages when
 * the kernel has none to give.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef SL_HAVE_NUMA
#include <numaif.h>
#endif

#include "memory_priv.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Free hugepages of one size on one node, from sysfs; 0 when unknown. */
unsigned long mem_free_hugepages(size_t page_size, int node)
{
	char path[128];
	unsigned long n = 0;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/hugepages/hugepages-%zukB/free_hugepages", node,
		 page_size >> 10);
	f = fopen(path, "r");
	if (f == NULL) {
		/* No per-node view (no NUMA in the kernel): use the global count. */
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
			 page_size >> 10);
		f = fopen(path, "r");
	}
	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

static void bind_to_node(void *addr, size_t len, int node)
{
#ifdef SL_HAVE_NUMA
	unsigned long mask = 1ul << node;

	/* Preferred, not strict: a node that runs out falls back instead of SIGBUS. */
	if (mbind(addr, len, MPOL_PREFERRED, &mask, sizeof(mask) * 8, 0) < 0)
		SL_LOG(memory, DEBUG, "mbind to node %d failed: %s", node, strerror(errno));
#else
	(void)addr;
	(void)len;
	(void)node;
#endif
}

/* Faults every page in now so the fast path never takes a page fault, and so that running
 * out of hugepages is an error here rather than a SIGBUS later. */
static int populate(void *addr, size_t len, size_t page_size)
{
	if (madvise(addr, len, MADV_POPULATE_WRITE) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* Kernel older than 5.14: touch each page. */
	for (size_t off = 0; off < len; off += page_size)
		((volatile char *)addr)[off] = 0;
	return 0;
}

static struct segment *try_map(size_t len, int node, size_t page_size)
{
	/* Sealable: a segment is shared with peers (memif, vhost-user) that map only memory
	 * sealed against shrinking, since a file truncated under their mapping would fault. */
	unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	struct segment *seg;
	char name[32];
	void *addr;
	int fd;

	if (page_size == SIZE_2M)
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
	else if (page_size == SIZE_1G)
		flags |= MFD_HUGETLB | MFD_HUGE_1GB;
	snprintf(name, sizeof(name), "sluice-node%d", node);
	fd = memfd_create(name, flags);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)len) < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		goto close_fd;
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED)
		goto close_fd;
	bind_to_node(addr, len, node);
	if (populate(addr, len, page_size) < 0)
		goto unmap;
	if (page_size < SIZE_2M && mlock(addr, len) < 0) {
		static bool warned;
		if (!warned)
			SL_LOG(memory, WARNING,
			       "could not lock memory in RAM (%s); raise the limit with 'ulimit -l unlimited' or run as root",
			       strerror(errno));
		warned = true;
	}
	seg = calloc(1, sizeof(*seg));
	if (seg == NULL)
		goto unmap;
	seg->base = addr;
	seg->len = len;
	seg->page_size = page_size;
	seg->fd = fd;
	seg->node = node;
	return seg;

unmap:
	munmap(addr, len);
close_fd:
	close(fd);
	errno = ENOMEM;
	return NULL;
}

static void say_mode_once(size_t page_size, int node, enum sl_mem_huge huge)
{
	static size_t said;

	if (said == page_size)
		return;
	said = page_size;
	if (page_size == SIZE_1G || page_size == SIZE_2M)
		SL_LOG(memory, INFO, "node %d: using %s hugepages", node,
		       page_size == SIZE_1G ? "1 GiB" : "2 MiB");
	else if (huge == SL_MEM_HUGE_OFF)
		SL_LOG(memory, INFO, "hugepages off: using ordinary locked memory");
	else
		SL_LOG(memory, NOTICE,
		       "no hugepages available: using ordinary locked memory (reserve some with 'sluice hugepages reserve 512' or 'echo 512 > /proc/sys/vm/nr_hugepages')");
}

struct segment *segment_map(size_t len, int node, enum sl_mem_huge huge)
{
	struct segment *seg = NULL;

	if (huge != SL_MEM_HUGE_OFF) {
		/* 1 GiB pages only for segments that fill them; otherwise 2 MiB. */
		if (len >= SIZE_1G &&
		    mem_free_hugepages(SIZE_1G, node) >= SL_ALIGN_UP(len, SIZE_1G) / SIZE_1G)
			seg = try_map(SL_ALIGN_UP(len, SIZE_1G), node, SIZE_1G);
		if (seg == NULL &&
		    mem_free_hugepages(SIZE_2M, node) >= SL_ALIGN_UP(len, SIZE_2M) / SIZE_2M)
			seg = try_map(SL_ALIGN_UP(len, SIZE_2M), node, SIZE_2M);
		if (seg == NULL && huge == SL_MEM_HUGE_REQUIRE) {
			SL_LOG(memory, ERR,
			       "hugepages are required but node %d has too few free for %zu MiB; reserve more ('sluice hugepages reserve N') or drop --huge",
			       node, SL_ALIGN_UP(len, SIZE_2M) >> 20);
			errno = ENOMEM;
			return NULL;
		}
	}
	if (seg == NULL)
		seg = try_map(SL_ALIGN_UP(len, SIZE_2M), node, (size_t)sysconf(_SC_PAGESIZE));
	if (seg == NULL) {
		SL_LOG(memory, ERR, "cannot map %zu MiB on node %d: out of memory",
		       SL_ALIGN_UP(len, SIZE_2M) >> 20, node);
		errno = ENOMEM;
		return NULL;
	}
	say_mode_once(seg->page_size, node, huge);
	return seg;
}

void segment_unmap(struct segment *seg)
{
	munmap(seg->base, seg->len);
	close(seg->fd);
	free(seg);
}
