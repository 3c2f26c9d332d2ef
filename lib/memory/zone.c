/* SPDX-License-Identifier: BSD-3-Clause */
/* Named zones: heap blocks with a name, looked up by other libraries and processes' tools. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "memory_priv.h"

#define MAX_ZONES 2048

static struct sl_zone zones[MAX_ZONES];
static bool zone_used[MAX_ZONES];
static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;

static int find(const char *name)
{
	for (int i = 0; i < MAX_ZONES; i++)
		if (zone_used[i] && strcmp(zones[i].name, name) == 0)
			return i;
	return -1;
}

const struct sl_zone *sl_zone_reserve(const char *name, size_t len, int node, size_t align)
{
	struct sl_zone *z = NULL;
	size_t page_size;
	uint64_t off;
	void *addr;
	int fd, slot = -1;

	if (name == NULL || name[0] == '\0') {
		SL_LOG(memory, ERR, "zone name is %s; give a name of 1 to %d characters",
		       name == NULL ? "NULL" : "empty", SL_NAME_SIZE - 1);
		errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, SL_NAME_SIZE) >= SL_NAME_SIZE) {
		SL_LOG(memory, ERR, "zone name '%s' is %zu characters long; use at most %d", name,
		       strlen(name), SL_NAME_SIZE - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (len == 0) {
		SL_LOG(memory, ERR, "zone '%s': length 0; ask for at least 1 byte", name);
		errno = EINVAL;
		return NULL;
	}
	if (align && !SL_IS_POW2(align)) {
		SL_LOG(memory, ERR, "zone '%s': alignment %zu is not a power of two; use %zu", name,
		       align, mem_pow2_ceil(align));
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&zones_lock);
	if (find(name) >= 0) {
		pthread_mutex_unlock(&zones_lock);
		SL_LOG(memory, ERR, "zone '%s' already exists; pick another name or free it first",
		       name);
		errno = EEXIST;
		return NULL;
	}
	for (int i = 0; i < MAX_ZONES; i++)
		if (!zone_used[i]) {
			slot = i;
			break;
		}
	if (slot < 0) {
		pthread_mutex_unlock(&zones_lock);
		SL_LOG(memory, ERR, "zone '%s': all %d zone slots are in use", name, MAX_ZONES);
		errno = ENOSPC;
		return NULL;
	}
	addr = sl_malloc(len, align, node);
	if (addr == NULL) {
		int err = errno;

		pthread_mutex_unlock(&zones_lock);
		SL_LOG(memory, ERR, "zone '%s': cannot allocate %zu bytes on node %d", name, len, node);
		errno = err;
		return NULL;
	}
	sl_mem_locate(addr, &fd, &off, &page_size);
	z = &zones[slot];
	memset(z, 0, sizeof(*z));
	strcpy(z->name, name);
	z->addr = addr;
	z->len = len;
	z->iova = (uint64_t)(uintptr_t)addr;
	z->node = mem_resolve_node(node);
	z->page_size = page_size;
	z->fd = fd;
	z->fd_offset = off;
	zone_used[slot] = true;
	pthread_mutex_unlock(&zones_lock);
	return z;
}

const struct sl_zone *sl_zone_lookup(const char *name)
{
	int i;

	if (name == NULL || name[0] == '\0') {
		SL_LOG(memory, ERR,
		       "zone lookup: name is %s; pass the name the zone was reserved with",
		       name == NULL ? "NULL" : "empty");
		errno = EINVAL;
		return NULL;
	}
	/* A miss is not logged: callers look a name up to learn whether it is taken. */
	pthread_mutex_lock(&zones_lock);
	i = find(name);
	pthread_mutex_unlock(&zones_lock);
	if (i < 0) {
		errno = ENOENT;
		return NULL;
	}
	return &zones[i];
}

int sl_zone_free(const struct sl_zone *zone)
{
	uintptr_t off = (uintptr_t)zone - (uintptr_t)zones;
	size_t i = off / sizeof(zones[0]);

	if (zone == NULL) {
		SL_LOG(memory, ERR,
		       "zone free: zone is NULL; pass what sl_zone_reserve() returned");
		return -EINVAL;
	}
	if ((uintptr_t)zone < (uintptr_t)zones || i >= MAX_ZONES || off % sizeof(zones[0])) {
		SL_LOG(memory, ERR,
		       "zone free: %p is not a zone; pass what sl_zone_reserve() or sl_zone_lookup() returned",
		       (const void *)zone);
		return -EINVAL;
	}
	pthread_mutex_lock(&zones_lock);
	if (!zone_used[i]) {
		pthread_mutex_unlock(&zones_lock);
		SL_LOG(memory, ERR,
		       "zone free: zone %p is not reserved (freed already?); free a zone once",
		       (const void *)zone);
		return -EINVAL;
	}
	sl_free(zones[i].addr);
	zone_used[i] = false;
	memset(&zones[i], 0, sizeof(zones[i]));
	pthread_mutex_unlock(&zones_lock);
	return 0;
}

void sl_zone_walk(sl_zone_walk_fn fn, void *arg)
{
	pthread_mutex_lock(&zones_lock);
	for (int i = 0; i < MAX_ZONES; i++)
		if (zone_used[i])
			fn(&zones[i], arg);
	pthread_mutex_unlock(&zones_lock);
}

static void dump_one(const struct sl_zone *z, void *arg)
{
	fprintf(arg, "  %-31s %12zu bytes  node %d  page %zu KiB  addr %p\n", z->name, z->len,
		z->node, z->page_size >> 10, z->addr);
}

void sl_zone_dump(FILE *out)
{
	fprintf(out, "zones:\n");
	sl_zone_walk(dump_one, out);
}

void sl_mem_release_all(void)
{
	pthread_mutex_lock(&zones_lock);
	memset(zone_used, 0, sizeof(zone_used));
	memset(zones, 0, sizeof(zones));
	pthread_mutex_unlock(&zones_lock);
	heap_release_all();
}
