/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stack backend: a lock-free LIFO linked through object indexes.
 *
 * Every object has a slot in next[]; the stack is a chain of indexes from `head.top`.
 * head packs {top index, tag} in one 64-bit word; every successful push or pop bumps the
 * tag, so a compare-and-swap fails if anything happened since head was read (no ABA), and
 * a pop that walked a chain somebody changed meanwhile never commits it.  next[] entries
 * are relaxed atomics: a stale value may be read but is then discarded by the failing
 * compare-and-swap.  The most recently freed object is handed out first, which keeps hot
 * objects in the CPU caches when no per-lcore cache is configured.
 */
#include <errno.h>

#include "pool_priv.h"
#include "sl_memory.h"

#define END UINT32_MAX

struct stack {
	uint64_t head SL_CACHE_ALIGNED; /* (any) top index | tag << 32 */
	int32_t count SL_CACHE_ALIGNED; /* (any) objects held, updated after each push/pop */
	uint32_t next[] SL_CACHE_ALIGNED; /* (any) index below each stacked object */
};

static inline uint64_t mk(uint32_t top, uint32_t tag)
{
	return (uint64_t)top | (uint64_t)tag << 32;
}

static int stack_alloc(struct sl_pool *p)
{
	struct stack *s = sl_malloc(sizeof(*s) + (size_t)p->size * sizeof(uint32_t),
				    SL_CACHE_LINE, p->node);

	if (s == NULL)
		return -ENOMEM;
	s->head = mk(END, 0);
	p->pool_data = s;
	return 0;
}

static void stack_free(struct sl_pool *p)
{
	sl_free(p->pool_data);
	p->pool_data = NULL;
}

static void stack_enqueue(struct sl_pool *p, void *const *objs, unsigned n)
{
	struct stack *s = p->pool_data;
	uint32_t first, last, i;
	uint64_t old;

	if (n == 0)
		return;
	/* Chain objs[n-1] -> objs[n-2] -> ... -> objs[0] -> old top. */
	first = obj_idx(p, objs[0]);
	last = first;
	for (i = 1; i < n; i++) {
		uint32_t cur = obj_idx(p, objs[i]);

		__atomic_store_n(&s->next[cur], last, __ATOMIC_RELAXED);
		last = cur;
	}
	old = __atomic_load_n(&s->head, __ATOMIC_RELAXED);
	do {
		__atomic_store_n(&s->next[first], (uint32_t)old, __ATOMIC_RELAXED);
		/* release: the next[] stores above are visible to whoever pops these. */
	} while (!__atomic_compare_exchange_n(&s->head, &old, mk(last, (uint32_t)(old >> 32) + 1),
					      true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	__atomic_add_fetch(&s->count, (int32_t)n, __ATOMIC_RELAXED);
}

static int stack_dequeue(struct sl_pool *p, void **objs, unsigned n)
{
	struct stack *s = p->pool_data;
	uint64_t old, cur;
	uint32_t t, i;

	if (n == 0)
		return 0;
	old = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);
	for (;;) {
		t = (uint32_t)old;
		for (i = 0; i < n && t != END; i++) {
			objs[i] = obj_at(p, t);
			t = __atomic_load_n(&s->next[t], __ATOMIC_RELAXED);
		}
		if (i < n) {
			/* Too short, unless the chain changed under us: look again. */
			cur = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);
			if (cur == old)
				return -ENOENT;
			old = cur;
			continue;
		}
		if (__atomic_compare_exchange_n(&s->head, &old, mk(t, (uint32_t)(old >> 32) + 1),
						true, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
			break;
	}
	__atomic_sub_fetch(&s->count, (int32_t)n, __ATOMIC_RELAXED);
	return 0;
}

static unsigned stack_count(const struct sl_pool *p)
{
	const struct stack *s = p->pool_data;
	int32_t c = __atomic_load_n(&s->count, __ATOMIC_RELAXED);

	return c < 0 ? 0 : (unsigned)c;
}

const struct sl_pool_ops sl_pool_ops_stack = {
	.name = "stack",
	.alloc = stack_alloc,
	.free = stack_free,
	.enqueue = stack_enqueue,
	.dequeue = stack_dequeue,
	.count = stack_count,
};
