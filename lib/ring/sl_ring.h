/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lock-free, fixed-size FIFO ring of pointers or of fixed-size elements.
 *
 * Layout: one contiguous, cache-line aligned block (sl_ring_memsize() bytes).  Each shared
 * index owns a 128-byte, 128-aligned pair of lines, so no two writers share a line and the
 * adjacent-line prefetcher does not couple them either:
 *
 *   offset   0  header     name, size, mask, capacity, esize, flags: written once by
 *                           sl_ring_init(), read-only afterwards (read by both sides)
 *   offset 128  prod.head  written by producers, read by producers only
 *   offset 256  prod.tail  written by producers, polled by consumers
 *   offset 384  cons.head  written by consumers, read by consumers only
 *   offset 512  cons.tail  written by consumers, polled by producers
 *   offset 640  slots      size * esize bytes: written by producers, read by consumers
 *
 * Keeping head and tail apart means a producer's head update (an MP compare-and-swap)
 * does not steal the line that consumers are polling for the tail, so across cores a call
 * takes one coherence miss on its own side instead of up to two (bench/ring, two cores).
 *
 * Indexes.  head and tail are free-running 32-bit counters; slot = index & mask.  They
 * wrap at 2^32, and every difference is taken modulo 2^32, so a ring of 1024 slots
 * holds 1024 objects (capacity == size, no slot is sacrificed):
 *   used = prod.tail - cons.tail        free = capacity - used
 *
 * Protocol (enqueue; dequeue is the mirror image with prod and cons swapped):
 *   1. reserve: read prod.head, acquire-load cons.tail, free = capacity + cons.tail - head.
 *      SP stores prod.head = head + n; MP compare-and-swaps prod.head from head to
 *      head + n and retries with the fresh head when another producer got there first.
 *   2. copy the objects into slots [head, head + n).
 *   3. publish: MP waits until prod.tail == head (every earlier reservation has been
 *      published), then every mode release-stores prod.tail = head + n.
 * The consumer acquire-loads prod.tail before reading slots, so it sees the copies of
 * step 2; the producer acquire-loads cons.tail before overwriting slots, so consumers
 * have finished reading them.  docs/ring.md has the full argument.
 *
 * Modes: SL_RING_SP_ENQ / SL_RING_SC_DEQ at creation choose single-producer /
 * single-consumer for the default calls; the sp/mp/sc/mc calls force a mode.  Single
 * mode is only correct when one thread at a time uses that side of the ring.
 *
 * Bulk calls move all n objects or none; burst calls move as many as possible.  Both
 * return the number moved and never block, except that an MP/MC call waits in step 3 for
 * a concurrent call that reserved earlier to publish: it spins, and if that takes long
 * (the other thread was preempted, e.g. more threads than cores) it yields the CPU.
 *
 * Names beginning with sl_ring__ are internal.
 */
#ifndef SL_RING_H
#define SL_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sl_common.h"

#define SL_RING_SP_ENQ 0x1 /* single producer (default multi) */
#define SL_RING_SC_DEQ 0x2 /* single consumer (default multi) */

/* Longest ring name + 1: the memory zone is named "rg_<name>". */
#define SL_RING_NAME_SIZE (SL_NAME_SIZE - 3)
/* Alignment of a ring's memory: each shared index owns an aligned pair of lines. */
#define SL_RING_ALIGN (2 * SL_CACHE_LINE)

/* Largest slot count: free-running 32-bit indexes tell full from empty up to 2^31. */
#define SL_RING_MAX_COUNT (1u << 31)

/* One side's indexes, each on its own line pair; written only by that side's threads. */
struct sl_ring_headtail {
	/* Next index to reserve: SP stores it, MP compare-and-swaps it. */
	uint32_t head __attribute__((aligned(2 * SL_CACHE_LINE)));
	/* End of the published range: release-stored by the owning side, polled by the other. */
	uint32_t tail __attribute__((aligned(2 * SL_CACHE_LINE)));
};

struct sl_ring {
	/* Line 0: written by sl_ring_init(), read-only afterwards. */
	char name[SL_NAME_SIZE]; /* NUL-terminated, shorter than SL_RING_NAME_SIZE */
	uint32_t size;		 /* number of slots, a power of two */
	uint32_t mask;		 /* size - 1 */
	uint32_t capacity;	 /* objects it can hold; equals size */
	uint32_t esize;		 /* bytes per slot, a multiple of 4 */
	uint32_t flags;		 /* SL_RING_SP_ENQ | SL_RING_SC_DEQ */
	uint32_t magic;		 /* SL_RING__MAGIC once initialised */
	uint32_t in_zone;	 /* 1 if sl_ring_create() reserved the memory */
	/* Lines 2-5: prod.head on 2-3, prod.tail on 4-5; written by producers. */
	struct sl_ring_headtail prod __attribute__((aligned(2 * SL_CACHE_LINE)));
	/* Lines 6-9: cons.head on 6-7, cons.tail on 8-9; written by consumers. */
	struct sl_ring_headtail cons __attribute__((aligned(2 * SL_CACHE_LINE)));
	/* The slots follow at offset sizeof(struct sl_ring). */
};

#define SL_RING__MAGIC 0x52494e47u /* "RING" */

_Static_assert(offsetof(struct sl_ring, size) == SL_NAME_SIZE, "header layout");
_Static_assert(offsetof(struct sl_ring, in_zone) + 4 <= SL_CACHE_LINE, "header fits a line");
_Static_assert(offsetof(struct sl_ring, prod.head) == 2 * SL_CACHE_LINE, "prod.head: lines 2-3");
_Static_assert(offsetof(struct sl_ring, prod.tail) == 4 * SL_CACHE_LINE, "prod.tail: lines 4-5");
_Static_assert(offsetof(struct sl_ring, cons.head) == 6 * SL_CACHE_LINE, "cons.head: lines 6-7");
_Static_assert(offsetof(struct sl_ring, cons.tail) == 8 * SL_CACHE_LINE, "cons.tail: lines 8-9");
_Static_assert(sizeof(struct sl_ring) == 10 * SL_CACHE_LINE, "slots start on line 10");

/*
 * Creates a ring of `count` pointers named `name` in a memory zone on NUMA node `node`
 * (or SL_NODE_ANY).  count must be a power of two (at most SL_RING_MAX_COUNT); the ring
 * holds exactly count objects.  flags: SL_RING_SP_ENQ, SL_RING_SC_DEQ.
 * Returns the ring, or NULL with errno EINVAL (bad count or flags, NULL or empty name; the
 * log line names the value and the fix), ENAMETOOLONG (name of SL_RING_NAME_SIZE
 * characters or more), EEXIST (name in use) or ENOMEM.
 * Thread-safe; control path.
 */
struct sl_ring *sl_ring_create(const char *name, unsigned count, int node, unsigned flags);

/* As sl_ring_create(), for slots of esize bytes (a multiple of 4). */
struct sl_ring *sl_ring_create_elem(const char *name, unsigned esize, unsigned count, int node,
				    unsigned flags);

/* Frees a ring from sl_ring_create*(); NULL is ignored.  No other thread may use it. */
void sl_ring_free(struct sl_ring *r);

/* Finds a ring created by sl_ring_create*().  NULL with errno ENOENT when there is none
 * (not logged: a miss is an answer) or EINVAL for a NULL or empty name (logged).
 * Thread-safe. */
struct sl_ring *sl_ring_lookup(const char *name);

/* Prints the ring's parameters and indexes (a racy snapshot if the ring is in use). */
void sl_ring_dump(FILE *f, const struct sl_ring *r);

/* Bytes a ring of count slots of esize bytes needs, or -EINVAL (logged). */
ssize_t sl_ring_memsize(unsigned esize, unsigned count);

/*
 * Initialises a ring in caller memory of sl_ring_memsize(esize, count) bytes aligned to
 * SL_RING_ALIGN (such a ring cannot be looked up nor freed by sl_ring_free()).
 * Returns 0, -EINVAL or -ENAMETOOLONG (logged).  Not thread-safe for that memory.
 */
int sl_ring_init(struct sl_ring *r, const char *name, unsigned esize, unsigned count,
		 unsigned flags);

/* Empties the ring.  Not thread-safe: nobody may use the ring meanwhile. */
void sl_ring_reset(struct sl_ring *r);

/* ---- State queries: lock-free snapshots, exact when the ring is quiescent. ---- */

/* Number of objects in the ring. */
static inline unsigned sl_ring_count(const struct sl_ring *r)
{
	/* cons.tail first: the later prod.tail is then at least as new, so no underflow. */
	uint32_t ct = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
	uint32_t pt = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	uint32_t used = pt - ct;
	return used > r->capacity ? r->capacity : used;
}

/* Number of free slots. */
static inline unsigned sl_ring_free_count(const struct sl_ring *r)
{
	return r->capacity - sl_ring_count(r);
}

static inline bool sl_ring_full(const struct sl_ring *r)
{
	return sl_ring_free_count(r) == 0;
}

static inline bool sl_ring_empty(const struct sl_ring *r)
{
	return sl_ring_count(r) == 0;
}

/* Objects the ring can hold (equals the count given at creation). */
static inline unsigned sl_ring_capacity(const struct sl_ring *r)
{
	return r->capacity;
}

/* ---- Internals of the fast path. ---- */

#define SL_RING__INLINE static inline __attribute__((always_inline))

/* Unaligned, alias-safe views of caller buffers (elem buffers need no alignment). */
typedef uint64_t sl_ring__u64 __attribute__((aligned(1), may_alias));
typedef uint32_t sl_ring__u32 __attribute__((aligned(1), may_alias));

/*
 * -Ddebug_checks=true builds check every call: a NULL or uninitialised ring, or an esize
 * that is not the ring's, is logged and the call moves nothing.
 */
bool sl_ring__check(const struct sl_ring *r, unsigned esize, unsigned *left);

static inline void *sl_ring__slots(const struct sl_ring *r)
{
	return (void *)(uintptr_t)(r + 1);
}

/*
 * Copies.  Each size has one unrolled straight copy; a range that wraps past the last
 * slot is two straight copies.  (Plain element-by-element loops would be turned into
 * memcpy() calls by GCC's loop-distribution pass: a call on the fast path.)
 */
SL_RING__INLINE void sl_ring__cp64(sl_ring__u64 *dst, const sl_ring__u64 *src, unsigned n)
{
	for (; n >= 4; n -= 4, dst += 4, src += 4) {
		uint64_t a = src[0], b = src[1], c = src[2], d = src[3];
		dst[0] = a;
		dst[1] = b;
		dst[2] = c;
		dst[3] = d;
	}
	switch (n) {
	case 3: dst[2] = src[2]; /* fall through */
	case 2: dst[1] = src[1]; /* fall through */
	case 1: dst[0] = src[0];
	}
}

/* 16 bytes: a constant-size copy compiles to one unaligned vector load and store. */
SL_RING__INLINE void sl_ring__cp128(char *dst, const char *src, unsigned n)
{
	for (; n >= 2; n -= 2, dst += 32, src += 32) {
		__builtin_memcpy(dst, src, 16);
		__builtin_memcpy(dst + 16, src + 16, 16);
	}
	if (n)
		__builtin_memcpy(dst, src, 16);
}

SL_RING__INLINE void sl_ring__cp32(sl_ring__u32 *dst, const sl_ring__u32 *src, size_t n)
{
	for (; n >= 4; n -= 4, dst += 4, src += 4) {
		uint32_t a = src[0], b = src[1], c = src[2], d = src[3];
		dst[0] = a;
		dst[1] = b;
		dst[2] = c;
		dst[3] = d;
	}
	switch (n) {
	case 3: dst[2] = src[2]; /* fall through */
	case 2: dst[1] = src[1]; /* fall through */
	case 1: dst[0] = src[0];
	}
}

/*
 * Objects [0, n) of objs to or from slots idx, idx + 1, ... (mod size); `w` is the slot
 * size in 4-byte words for the generic path.  esize is a compile-time constant in every
 * caller that matters, so the size dispatch folds away.
 */
SL_RING__INLINE void sl_ring__put(struct sl_ring *r, uint32_t head, const void *objs,
				  unsigned esize, unsigned n)
{
	const uint32_t size = r->size, idx = head & r->mask;
	const unsigned k = SL_MIN(n, size - idx); /* objects before the wrap */

	if (esize == 8) {
		uint64_t *ring = sl_ring__slots(r);
		const sl_ring__u64 *src = objs;
		sl_ring__cp64(ring + idx, src, k);
		if (sl_unlikely(k < n))
			sl_ring__cp64(ring, src + k, n - k);
	} else if (esize == 16) {
		char *ring = sl_ring__slots(r);
		const char *src = objs;
		sl_ring__cp128(ring + (size_t)idx * 16, src, k);
		if (sl_unlikely(k < n))
			sl_ring__cp128(ring, src + (size_t)k * 16, n - k);
	} else {
		const size_t w = esize / 4;
		uint32_t *ring = sl_ring__slots(r);
		const sl_ring__u32 *src = objs;
		sl_ring__cp32(ring + idx * w, src, k * w);
		if (sl_unlikely(k < n))
			sl_ring__cp32(ring, src + k * w, (n - k) * w);
	}
}

SL_RING__INLINE void sl_ring__get(const struct sl_ring *r, uint32_t head, void *objs,
				  unsigned esize, unsigned n)
{
	const uint32_t size = r->size, idx = head & r->mask;
	const unsigned k = SL_MIN(n, size - idx);

	if (esize == 8) {
		const uint64_t *ring = sl_ring__slots(r);
		sl_ring__u64 *dst = objs;
		sl_ring__cp64(dst, ring + idx, k);
		if (sl_unlikely(k < n))
			sl_ring__cp64(dst + k, ring, n - k);
	} else if (esize == 16) {
		const char *ring = sl_ring__slots(r);
		char *dst = objs;
		sl_ring__cp128(dst, ring + (size_t)idx * 16, k);
		if (sl_unlikely(k < n))
			sl_ring__cp128(dst + (size_t)k * 16, ring, n - k);
	} else {
		const size_t w = esize / 4;
		const uint32_t *ring = sl_ring__slots(r);
		sl_ring__u32 *dst = objs;
		sl_ring__cp32(dst, ring + idx * w, k * w);
		if (sl_unlikely(k < n))
			sl_ring__cp32(dst + k * w, ring, (n - k) * w);
	}
}

/*
 * Pauses an MP/MC call spins waiting for an earlier reservation to be published before
 * it concludes that thread was preempted and starts yielding the CPU to it.  A normal
 * wait is one copy of a burst (well under a microsecond).
 */
#define SL_RING__SPINS 1024

/* Slow path of the wait below: sched_yield() until *tail == old (acquire). */
void sl_ring__wait_yield(const uint32_t *tail, uint32_t old);

/*
 * Step 3: make [old, new) visible.  MP/MC first waits for earlier reservations to be
 * published; that load is acquire so their slot accesses happen-before our release store
 * and hence before whoever acquires our tail.
 */
SL_RING__INLINE void sl_ring__publish(struct sl_ring_headtail *ht, uint32_t old, uint32_t new_tail,
				      bool single)
{
	if (!single) {
		unsigned spins = 0;

		while (sl_unlikely(__atomic_load_n(&ht->tail, __ATOMIC_ACQUIRE) != old)) {
			if (sl_unlikely(++spins == SL_RING__SPINS)) {
				sl_ring__wait_yield(&ht->tail, old);
				break;
			}
			sl_pause();
		}
	}
	__atomic_store_n(&ht->tail, new_tail, __ATOMIC_RELEASE);
}

SL_RING__INLINE unsigned sl_ring__enqueue(struct sl_ring *r, const void *objs, unsigned esize,
					  unsigned n, bool burst, bool single, unsigned *free_space)
{
	uint32_t head, free_n;
	unsigned m;

#ifdef SL_DEBUG
	if (!sl_ring__check(r, esize, free_space))
		return 0;
#endif
	/* MP: acquire orders this load before the cons.tail load below (see docs/ring.md). */
	if (single)
		head = __atomic_load_n(&r->prod.head, __ATOMIC_RELAXED);
	else
		head = __atomic_load_n(&r->prod.head, __ATOMIC_ACQUIRE);
	for (;;) {
		/* acquire: consumers finished reading the slots we are about to overwrite. */
		free_n = r->capacity + __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE) - head;
		m = n;
		if (sl_unlikely(m > free_n))
			m = burst ? free_n : 0;
		if (sl_unlikely(m == 0))
			goto out;
		if (single) {
			__atomic_store_n(&r->prod.head, head + m, __ATOMIC_RELAXED);
			break;
		}
		if (sl_likely(__atomic_compare_exchange_n(&r->prod.head, &head, head + m, false,
							  __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)))
			break;
	}
	sl_ring__put(r, head, objs, esize, m);
	sl_ring__publish(&r->prod, head, head + m, single);
out:
	if (free_space != NULL)
		*free_space = free_n - m;
	return m;
}

SL_RING__INLINE unsigned sl_ring__dequeue(struct sl_ring *r, void *objs, unsigned esize, unsigned n,
					  bool burst, bool single, unsigned *available)
{
	uint32_t head, avail;
	unsigned m;

#ifdef SL_DEBUG
	if (!sl_ring__check(r, esize, available))
		return 0;
#endif
	if (single)
		head = __atomic_load_n(&r->cons.head, __ATOMIC_RELAXED);
	else
		head = __atomic_load_n(&r->cons.head, __ATOMIC_ACQUIRE);
	for (;;) {
		/* acquire: the producers' slot writes up to prod.tail are visible. */
		avail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE) - head;
		m = n;
		if (sl_unlikely(m > avail))
			m = burst ? avail : 0;
		if (sl_unlikely(m == 0))
			goto out;
		if (single) {
			__atomic_store_n(&r->cons.head, head + m, __ATOMIC_RELAXED);
			break;
		}
		if (sl_likely(__atomic_compare_exchange_n(&r->cons.head, &head, head + m, false,
							  __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)))
			break;
	}
	sl_ring__get(r, head, objs, esize, m);
	sl_ring__publish(&r->cons, head, head + m, single);
out:
	if (available != NULL)
		*available = avail - m;
	return m;
}

#define SL_RING__SP(r) (((r)->flags & SL_RING_SP_ENQ) != 0)
#define SL_RING__SC(r) (((r)->flags & SL_RING_SC_DEQ) != 0)
#define SL_RING__PTR sizeof(void *)

/*
 * ---- Pointer rings ----
 * Each returns the number of objects moved: bulk n or 0, burst 0..n.  *free_space (after
 * an enqueue) and *available (after a dequeue) receive what is left; either may be NULL.
 * Thread-safety: the default calls follow the creation flags; sp/sc calls need one
 * thread at a time on that side, mp/mc calls may run concurrently with anything.
 */

SL_RING__INLINE unsigned sl_ring_enqueue_bulk(struct sl_ring *r, void *const *objs, unsigned n,
					      unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, SL_RING__PTR, n, false, SL_RING__SP(r), free_space);
}

SL_RING__INLINE unsigned sl_ring_sp_enqueue_bulk(struct sl_ring *r, void *const *objs, unsigned n,
						 unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, SL_RING__PTR, n, false, true, free_space);
}

SL_RING__INLINE unsigned sl_ring_mp_enqueue_bulk(struct sl_ring *r, void *const *objs, unsigned n,
						 unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, SL_RING__PTR, n, false, false, free_space);
}

SL_RING__INLINE unsigned sl_ring_enqueue_burst(struct sl_ring *r, void *const *objs, unsigned n,
					       unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, SL_RING__PTR, n, true, SL_RING__SP(r), free_space);
}

SL_RING__INLINE unsigned sl_ring_sp_enqueue_burst(struct sl_ring *r, void *const *objs, unsigned n,
						  unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, SL_RING__PTR, n, true, true, free_space);
}

SL_RING__INLINE unsigned sl_ring_mp_enqueue_burst(struct sl_ring *r, void *const *objs, unsigned n,
						  unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, SL_RING__PTR, n, true, false, free_space);
}

SL_RING__INLINE unsigned sl_ring_dequeue_bulk(struct sl_ring *r, void **objs, unsigned n,
					      unsigned *available)
{
	return sl_ring__dequeue(r, objs, SL_RING__PTR, n, false, SL_RING__SC(r), available);
}

SL_RING__INLINE unsigned sl_ring_sc_dequeue_bulk(struct sl_ring *r, void **objs, unsigned n,
						 unsigned *available)
{
	return sl_ring__dequeue(r, objs, SL_RING__PTR, n, false, true, available);
}

SL_RING__INLINE unsigned sl_ring_mc_dequeue_bulk(struct sl_ring *r, void **objs, unsigned n,
						 unsigned *available)
{
	return sl_ring__dequeue(r, objs, SL_RING__PTR, n, false, false, available);
}

SL_RING__INLINE unsigned sl_ring_dequeue_burst(struct sl_ring *r, void **objs, unsigned n,
					       unsigned *available)
{
	return sl_ring__dequeue(r, objs, SL_RING__PTR, n, true, SL_RING__SC(r), available);
}

SL_RING__INLINE unsigned sl_ring_sc_dequeue_burst(struct sl_ring *r, void **objs, unsigned n,
						  unsigned *available)
{
	return sl_ring__dequeue(r, objs, SL_RING__PTR, n, true, true, available);
}

SL_RING__INLINE unsigned sl_ring_mc_dequeue_burst(struct sl_ring *r, void **objs, unsigned n,
						  unsigned *available)
{
	return sl_ring__dequeue(r, objs, SL_RING__PTR, n, true, false, available);
}

/* One object: 0, or -ENOBUFS when the ring is full. */
SL_RING__INLINE int sl_ring_enqueue(struct sl_ring *r, void *obj)
{
	return sl_ring_enqueue_bulk(r, &obj, 1, NULL) ? 0 : -ENOBUFS;
}

SL_RING__INLINE int sl_ring_sp_enqueue(struct sl_ring *r, void *obj)
{
	return sl_ring_sp_enqueue_bulk(r, &obj, 1, NULL) ? 0 : -ENOBUFS;
}

SL_RING__INLINE int sl_ring_mp_enqueue(struct sl_ring *r, void *obj)
{
	return sl_ring_mp_enqueue_bulk(r, &obj, 1, NULL) ? 0 : -ENOBUFS;
}

/* One object into *obj: 0, or -ENOENT when the ring is empty. */
SL_RING__INLINE int sl_ring_dequeue(struct sl_ring *r, void **obj)
{
	return sl_ring_dequeue_bulk(r, obj, 1, NULL) ? 0 : -ENOENT;
}

SL_RING__INLINE int sl_ring_sc_dequeue(struct sl_ring *r, void **obj)
{
	return sl_ring_sc_dequeue_bulk(r, obj, 1, NULL) ? 0 : -ENOENT;
}

SL_RING__INLINE int sl_ring_mc_dequeue(struct sl_ring *r, void **obj)
{
	return sl_ring_mc_dequeue_bulk(r, obj, 1, NULL) ? 0 : -ENOENT;
}

/*
 * ---- Element rings ----
 * As above, objs pointing at n * esize bytes (no alignment needed).  esize must be the
 * ring's element size; pass it as a constant so the copy for 8 or 16 bytes is inlined.
 */

SL_RING__INLINE unsigned sl_ring_enqueue_bulk_elem(struct sl_ring *r, const void *objs,
						   unsigned esize, unsigned n, unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, esize, n, false, SL_RING__SP(r), free_space);
}

SL_RING__INLINE unsigned sl_ring_sp_enqueue_bulk_elem(struct sl_ring *r, const void *objs,
						      unsigned esize, unsigned n,
						      unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, esize, n, false, true, free_space);
}

SL_RING__INLINE unsigned sl_ring_mp_enqueue_bulk_elem(struct sl_ring *r, const void *objs,
						      unsigned esize, unsigned n,
						      unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, esize, n, false, false, free_space);
}

SL_RING__INLINE unsigned sl_ring_enqueue_burst_elem(struct sl_ring *r, const void *objs,
						    unsigned esize, unsigned n,
						    unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, esize, n, true, SL_RING__SP(r), free_space);
}

SL_RING__INLINE unsigned sl_ring_sp_enqueue_burst_elem(struct sl_ring *r, const void *objs,
						       unsigned esize, unsigned n,
						       unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, esize, n, true, true, free_space);
}

SL_RING__INLINE unsigned sl_ring_mp_enqueue_burst_elem(struct sl_ring *r, const void *objs,
						       unsigned esize, unsigned n,
						       unsigned *free_space)
{
	return sl_ring__enqueue(r, objs, esize, n, true, false, free_space);
}

SL_RING__INLINE unsigned sl_ring_dequeue_bulk_elem(struct sl_ring *r, void *objs, unsigned esize,
						   unsigned n, unsigned *available)
{
	return sl_ring__dequeue(r, objs, esize, n, false, SL_RING__SC(r), available);
}

SL_RING__INLINE unsigned sl_ring_sc_dequeue_bulk_elem(struct sl_ring *r, void *objs, unsigned esize,
						      unsigned n, unsigned *available)
{
	return sl_ring__dequeue(r, objs, esize, n, false, true, available);
}

SL_RING__INLINE unsigned sl_ring_mc_dequeue_bulk_elem(struct sl_ring *r, void *objs, unsigned esize,
						      unsigned n, unsigned *available)
{
	return sl_ring__dequeue(r, objs, esize, n, false, false, available);
}

SL_RING__INLINE unsigned sl_ring_dequeue_burst_elem(struct sl_ring *r, void *objs, unsigned esize,
						    unsigned n, unsigned *available)
{
	return sl_ring__dequeue(r, objs, esize, n, true, SL_RING__SC(r), available);
}

SL_RING__INLINE unsigned sl_ring_sc_dequeue_burst_elem(struct sl_ring *r, void *objs,
						       unsigned esize, unsigned n,
						       unsigned *available)
{
	return sl_ring__dequeue(r, objs, esize, n, true, true, available);
}

SL_RING__INLINE unsigned sl_ring_mc_dequeue_burst_elem(struct sl_ring *r, void *objs,
						       unsigned esize, unsigned n,
						       unsigned *available)
{
	return sl_ring__dequeue(r, objs, esize, n, true, false, available);
}

/* One element of esize bytes: 0, or -ENOBUFS when full. */
SL_RING__INLINE int sl_ring_enqueue_elem(struct sl_ring *r, const void *obj, unsigned esize)
{
	return sl_ring_enqueue_bulk_elem(r, obj, esize, 1, NULL) ? 0 : -ENOBUFS;
}

SL_RING__INLINE int sl_ring_sp_enqueue_elem(struct sl_ring *r, const void *obj, unsigned esize)
{
	return sl_ring_sp_enqueue_bulk_elem(r, obj, esize, 1, NULL) ? 0 : -ENOBUFS;
}

SL_RING__INLINE int sl_ring_mp_enqueue_elem(struct sl_ring *r, const void *obj, unsigned esize)
{
	return sl_ring_mp_enqueue_bulk_elem(r, obj, esize, 1, NULL) ? 0 : -ENOBUFS;
}

/* One element into obj: 0, or -ENOENT when empty. */
SL_RING__INLINE int sl_ring_dequeue_elem(struct sl_ring *r, void *obj, unsigned esize)
{
	return sl_ring_dequeue_bulk_elem(r, obj, esize, 1, NULL) ? 0 : -ENOENT;
}

SL_RING__INLINE int sl_ring_sc_dequeue_elem(struct sl_ring *r, void *obj, unsigned esize)
{
	return sl_ring_sc_dequeue_bulk_elem(r, obj, esize, 1, NULL) ? 0 : -ENOENT;
}

SL_RING__INLINE int sl_ring_mc_dequeue_elem(struct sl_ring *r, void *obj, unsigned esize)
{
	return sl_ring_mc_dequeue_bulk_elem(r, obj, esize, 1, NULL) ? 0 : -ENOENT;
}

#endif
