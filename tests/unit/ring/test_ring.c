/* SPDX-License-Identifier: BSD-3-Clause */
/* Single-thread semantics of the ring: modes, bulk/burst, boundaries, wrap, element sizes,
 * naming and argument errors (with the log line each error must produce). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sl_log.h"
#include "sl_memory.h"
#include "sl_ring.h"

/* ---- log capture ---- */

static char last_log[512];
static unsigned nb_logs;

static void capture(const struct sl_log_type *type, int level, const char *line, void *arg)
{
	(void)arg;
	(void)level;
	if (strcmp(type->name, "ring") != 0)
		return;
	snprintf(last_log, sizeof(last_log), "%s", line);
	nb_logs++;
}

static int setup_sink(void **state)
{
	(void)state;
	last_log[0] = '\0';
	nb_logs = 0;
	sl_log_set_sink(capture, NULL);
	return 0;
}

static int teardown_sink(void **state)
{
	(void)state;
	sl_log_set_sink(NULL, NULL);
	return 0;
}

/* Asserts one ring log line was emitted since the last call and that it holds `want`. */
static void expect_log(const char *want)
{
	if (nb_logs == 0 || strstr(last_log, want) == NULL)
		fail_msg("expected a ring log line with '%s', got %u lines, last '%s'", want,
			 nb_logs, last_log);
	nb_logs = 0;
	last_log[0] = '\0';
}

#define PTR(v) ((void *)(uintptr_t)(v))
#define VAL(p) ((uintptr_t)(p))

/* ---- argument errors ---- */

static void test_bad_count(void **state)
{
	(void)state;
	errno = 0;
	assert_null(sl_ring_create("t_bad", 1000, SL_NODE_ANY, 0));
	assert_int_equal(errno, EINVAL);
	expect_log("1000");
	assert_null(sl_ring_create("t_bad", 1000, SL_NODE_ANY, 0));
	expect_log("use 1024");

	errno = 0;
	assert_null(sl_ring_create("t_bad", 0, SL_NODE_ANY, 0));
	assert_int_equal(errno, EINVAL);
	expect_log("size 0");

	errno = 0;
	assert_null(sl_ring_create("t_bad", 3000000000u, SL_NODE_ANY, 0));
	assert_int_equal(errno, EINVAL);
	expect_log("3000000000");

	assert_int_equal(sl_ring_memsize(8, 1000), -EINVAL);
	expect_log("1000");
	assert_null(sl_ring_lookup("t_bad"));
}

static void test_bad_esize(void **state)
{
	(void)state;
	errno = 0;
	assert_null(sl_ring_create_elem("t_bad", 6, 64, SL_NODE_ANY, 0));
	assert_int_equal(errno, EINVAL);
	expect_log("size 6");
	errno = 0;
	assert_null(sl_ring_create_elem("t_bad", 0, 64, SL_NODE_ANY, 0));
	assert_int_equal(errno, EINVAL);
	expect_log("size 0");
	assert_int_equal(sl_ring_memsize(6, 64), -EINVAL);
	expect_log("size 6");
}

static void test_bad_name_flags(void **state)
{
	const char *longname = "a_ring_name_that_is_far_too_long_for_zones";

	(void)state;
	errno = 0;
	assert_null(sl_ring_create(NULL, 64, SL_NODE_ANY, 0));
	assert_int_equal(errno, EINVAL);
	expect_log("NULL");

	errno = 0;
	assert_null(sl_ring_create("", 64, SL_NODE_ANY, 0));
	assert_int_equal(errno, EINVAL);
	expect_log("empty");

	errno = 0;
	assert_null(sl_ring_create(longname, 64, SL_NODE_ANY, 0));
	assert_int_equal(errno, ENAMETOOLONG);
	expect_log(longname);

	errno = 0;
	assert_null(sl_ring_create("t_flags", 64, SL_NODE_ANY, 0x10));
	assert_int_equal(errno, EINVAL);
	expect_log("0x10");
	assert_null(sl_ring_lookup("t_flags"));

	/* The longest allowed name works. */
	char name[SL_RING_NAME_SIZE];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	struct sl_ring *r = sl_ring_create(name, 64, SL_NODE_ANY, 0);
	assert_non_null(r);
	assert_ptr_equal(sl_ring_lookup(name), r);
	sl_ring_free(r);
	assert_int_equal(nb_logs, 0);
}

static void test_init_errors(void **state)
{
	ssize_t len = sl_ring_memsize(8, 64);
	char *mem;

	(void)state;
	assert_int_equal(len, (ssize_t)sizeof(struct sl_ring) + 64 * 8);
	assert_int_equal(sl_ring_memsize(12, 5 * 2), -EINVAL); /* 10 slots */
	expect_log("10");
	mem = aligned_alloc(SL_RING_ALIGN, (size_t)len + SL_RING_ALIGN);
	assert_non_null(mem);
	assert_int_equal(sl_ring_init((struct sl_ring *)(mem + 8), "t_init", 8, 64, 0), -EINVAL);
	expect_log("aligned");
	/* A cache line is not enough: the index pairs need SL_RING_ALIGN. */
	assert_int_equal(sl_ring_init((struct sl_ring *)(mem + SL_CACHE_LINE), "t_init", 8, 64, 0),
			 -EINVAL);
	expect_log("SL_RING_ALIGN");
	assert_int_equal(sl_ring_init((struct sl_ring *)mem, "t_init", 8, 100, 0), -EINVAL);
	expect_log("use 128");
	assert_int_equal(sl_ring_init((struct sl_ring *)mem, NULL, 8, 64, 0), -EINVAL);
	expect_log("NULL");
	free(mem);
}

/* ---- naming ---- */

static void test_lookup_free_eexist(void **state)
{
	struct sl_ring *r, *r2;

	(void)state;
	r = sl_ring_create("t_named", 256, SL_NODE_ANY, 0);
	assert_non_null(r);
	assert_string_equal(r->name, "t_named");
	assert_ptr_equal(sl_ring_lookup("t_named"), r);

	errno = 0;
	assert_null(sl_ring_create("t_named", 256, SL_NODE_ANY, 0));
	assert_int_equal(errno, EEXIST);
	expect_log("t_named");
	errno = 0;
	assert_null(sl_ring_create_elem("t_named", 16, 64, SL_NODE_ANY, 0));
	assert_int_equal(errno, EEXIST);
	expect_log("already in use");

	sl_ring_free(r);
	errno = 0;
	assert_null(sl_ring_lookup("t_named"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(sl_ring_lookup("never_created"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(sl_ring_lookup("a_ring_name_that_is_far_too_long_for_zones"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(nb_logs, 0); /* a miss is an answer, not logged */
	/* A NULL or empty name is a caller's mistake: EINVAL and one line. */
	errno = 0;
	assert_null(sl_ring_lookup(NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(nb_logs, 1);
	expect_log("ring lookup: name is NULL; pass the name");
	errno = 0;
	assert_null(sl_ring_lookup(""));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(nb_logs, 1);
	expect_log("ring lookup: name is empty; pass the name");

	/* The name is reusable once freed. */
	r2 = sl_ring_create_elem("t_named", 16, 64, SL_NODE_ANY, SL_RING_SP_ENQ);
	assert_non_null(r2);
	assert_int_equal(r2->esize, 16);
	assert_int_equal(r2->flags, SL_RING_SP_ENQ);
	sl_ring_free(r2);
	sl_ring_free(NULL);
	assert_int_equal(nb_logs, 0);
}

static void test_embedded(void **state)
{
	ssize_t len = sl_ring_memsize(8, 16);
	struct sl_ring *r;
	void *out;

	(void)state;
	assert_true(len > 0);
	r = aligned_alloc(SL_RING_ALIGN, (size_t)len);
	assert_non_null(r);
	assert_int_equal(sl_ring_init(r, "t_embedded", 8, 16, SL_RING_SP_ENQ | SL_RING_SC_DEQ), 0);
	assert_int_equal(sl_ring_capacity(r), 16);
	assert_true(sl_ring_empty(r));
	assert_int_equal(sl_ring_enqueue(r, PTR(42)), 0);
	assert_int_equal(sl_ring_dequeue(r, &out), 0);
	assert_int_equal(VAL(out), 42);
	/* Not in a zone: not found by name, and sl_ring_free() refuses it with a log line. */
	assert_null(sl_ring_lookup("t_embedded"));
	sl_ring_free(r);
	expect_log("sl_ring_create");
	free(r);
}

/* ---- boundaries ---- */

static void test_capacity_boundaries(void **state)
{
	struct sl_ring *r = sl_ring_create("t_cap", 1024, SL_NODE_ANY, 0);
	void *out;

	(void)state;
	assert_non_null(r);
	assert_int_equal(sl_ring_capacity(r), 1024);
	assert_true(sl_ring_empty(r));
	assert_false(sl_ring_full(r));
	assert_int_equal(sl_ring_count(r), 0);
	assert_int_equal(sl_ring_free_count(r), 1024);
	assert_int_equal(sl_ring_dequeue(r, &out), -ENOENT);

	for (unsigned i = 0; i < 1024; i++) {
		assert_int_equal(sl_ring_enqueue(r, PTR(i + 1)), 0);
		assert_int_equal(sl_ring_count(r), i + 1);
		assert_int_equal(sl_ring_free_count(r), 1023 - i);
		assert_false(sl_ring_empty(r));
	}
	assert_true(sl_ring_full(r));
	assert_int_equal(sl_ring_enqueue(r, PTR(9999)), -ENOBUFS);
	assert_int_equal(sl_ring_count(r), 1024);

	for (unsigned i = 0; i < 1024; i++) {
		assert_int_equal(sl_ring_dequeue(r, &out), 0);
		assert_int_equal(VAL(out), i + 1);
		assert_false(sl_ring_full(r));
	}
	assert_true(sl_ring_empty(r));
	assert_int_equal(sl_ring_dequeue(r, &out), -ENOENT);
	sl_ring_free(r);
}

static void test_bulk_and_burst(void **state)
{
	struct sl_ring *r = sl_ring_create("t_bulk", 16, SL_NODE_ANY, 0);
	void *in[32], *out[32];
	unsigned fs = 777, av = 777;

	(void)state;
	assert_non_null(r);
	for (unsigned i = 0; i < 32; i++)
		in[i] = PTR(100 + i);

	assert_int_equal(sl_ring_enqueue_bulk(r, in, 10, &fs), 10);
	assert_int_equal(fs, 6);
	/* Bulk is all-or-nothing: 7 do not fit, nothing moves; free space is reported. */
	fs = 777;
	assert_int_equal(sl_ring_enqueue_bulk(r, in + 10, 7, &fs), 0);
	assert_int_equal(fs, 6);
	assert_int_equal(sl_ring_count(r), 10);
	/* Burst takes what fits. */
	assert_int_equal(sl_ring_enqueue_burst(r, in + 10, 7, &fs), 6);
	assert_int_equal(fs, 0);
	assert_true(sl_ring_full(r));
	assert_int_equal(sl_ring_enqueue_burst(r, in, 1, &fs), 0);
	assert_int_equal(sl_ring_enqueue_bulk(r, in, 0, NULL), 0);

	assert_int_equal(sl_ring_dequeue_bulk(r, out, 17, &av), 0);
	assert_int_equal(av, 16);
	assert_int_equal(sl_ring_dequeue_bulk(r, out, 4, &av), 4);
	assert_int_equal(av, 12);
	assert_int_equal(sl_ring_dequeue_burst(r, out + 4, 20, &av), 12);
	assert_int_equal(av, 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(VAL(out[i]), 100 + i);
	assert_int_equal(sl_ring_dequeue_burst(r, out, 20, NULL), 0);
	assert_int_equal(sl_ring_dequeue_bulk(r, out, 1, NULL), 0);
	sl_ring_free(r);
}

/* Free-running indexes cross 2^32: start every index a few steps before the wrap. */
static void test_index_wrap(void **state)
{
	struct sl_ring *r = sl_ring_create("t_wrap", 8, SL_NODE_ANY, 0);
	const uint32_t start = UINT32_MAX - 20;
	void *in[8], *out[8];
	uint64_t next_in = 0, next_out = 0;

	(void)state;
	assert_non_null(r);
	r->prod.head = r->prod.tail = r->cons.head = r->cons.tail = start;
	assert_true(sl_ring_empty(r));
	assert_int_equal(sl_ring_free_count(r), 8);

	/* Fill to full exactly across the wrap, then drain. */
	for (unsigned i = 0; i < 8; i++)
		in[i] = PTR(next_in++);
	assert_int_equal(sl_ring_enqueue_bulk(r, in, 8, NULL), 8);
	assert_true(sl_ring_full(r));
	assert_int_equal(sl_ring_count(r), 8);
	assert_int_equal(sl_ring_enqueue(r, PTR(1)), -ENOBUFS);
	assert_int_equal(sl_ring_dequeue_bulk(r, out, 8, NULL), 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(VAL(out[i]), next_out++);

	/* Then 200 mixed rounds straddling and passing the 2^32 boundary. */
	for (unsigned round = 0; round < 200; round++) {
		unsigned n = 1 + round % 5, m;

		for (unsigned i = 0; i < n; i++)
			in[i] = PTR(next_in + i);
		m = sl_ring_mp_enqueue_burst(r, in, n, NULL);
		next_in += m;
		assert_int_equal(sl_ring_count(r), (unsigned)(next_in - next_out));
		m = sl_ring_mc_dequeue_burst(r, out, 1 + round % 3, NULL);
		for (unsigned i = 0; i < m; i++)
			assert_int_equal(VAL(out[i]), next_out++);
		assert_true(sl_ring_count(r) <= 8);
	}
	assert_true(r->prod.tail < start); /* the 32-bit index did wrap */
	sl_ring_free(r);
}

/* ---- element sizes ---- */

static void fill(unsigned char *p, unsigned esize, uint32_t id)
{
	for (unsigned b = 0; b < esize; b++)
		p[b] = (unsigned char)(id * 31 + b * 7 + (id >> 8));
}

static void elem_roundtrip(unsigned esize)
{
	char name[SL_RING_NAME_SIZE];
	struct sl_ring *r;
	/* +1: objects at odd addresses, the element calls need no alignment. */
	unsigned char *in = malloc(32 * esize + 1), *out = malloc(32 * esize + 1), *want;
	uint32_t next_in = 0, next_out = 0;

	snprintf(name, sizeof(name), "t_elem%u", esize);
	r = sl_ring_create_elem(name, esize, 64, SL_NODE_ANY, 0);
	assert_non_null(r);
	assert_non_null(in);
	assert_non_null(out);
	want = malloc(esize);
	assert_non_null(want);
	assert_int_equal(r->esize, esize);

	for (unsigned round = 0; round < 3000; round++) {
		unsigned n = 1 + (round * 7) % 23, m;
		unsigned char *src = in + 1, *dst = out + 1;

		for (unsigned i = 0; i < n; i++)
			fill(src + i * esize, esize, next_in + i);
		if (round % 2)
			m = sl_ring_enqueue_burst_elem(r, src, esize, n, NULL);
		else
			m = sl_ring_enqueue_bulk_elem(r, src, esize, n, NULL);
		assert_true(round % 2 || m == 0 || m == n);
		next_in += m;
		n = 1 + (round * 5) % 19;
		if (round % 3)
			m = sl_ring_dequeue_burst_elem(r, dst, esize, n, NULL);
		else
			m = sl_ring_dequeue_bulk_elem(r, dst, esize, n, NULL);
		for (unsigned i = 0; i < m; i++) {
			fill(want, esize, next_out++);
			assert_memory_equal(dst + i * esize, want, esize);
		}
		assert_int_equal(sl_ring_count(r), next_in - next_out);
	}
	/* Fill the ring exactly with single-element calls, then drain it. */
	while (sl_ring_dequeue_elem(r, out, esize) == 0)
		next_out++;
	for (unsigned i = 0; i < 64; i++) {
		fill(in, esize, i);
		assert_int_equal(sl_ring_enqueue_elem(r, in, esize), 0);
	}
	assert_int_equal(sl_ring_enqueue_elem(r, in, esize), -ENOBUFS);
	for (unsigned i = 0; i < 64; i++) {
		assert_int_equal(sl_ring_dequeue_elem(r, out, esize), 0);
		fill(want, esize, i);
		assert_memory_equal(out, want, esize);
	}
	assert_int_equal(sl_ring_dequeue_elem(r, out, esize), -ENOENT);
	assert_true(next_in > 1000); /* the slot index wrapped many times */
	sl_ring_free(r);
	free(in);
	free(out);
	free(want);
}

static void test_elem_4(void **state)
{
	(void)state;
	elem_roundtrip(4);
}
static void test_elem_8(void **state)
{
	(void)state;
	elem_roundtrip(8);
}
static void test_elem_12(void **state)
{
	(void)state;
	elem_roundtrip(12);
}
static void test_elem_16(void **state)
{
	(void)state;
	elem_roundtrip(16);
}
static void test_elem_20(void **state)
{
	(void)state;
	elem_roundtrip(20);
}
static void test_elem_32(void **state)
{
	(void)state;
	elem_roundtrip(32);
}

/* A wrapping copy must not touch memory past the n objects asked for. */
static void test_elem_no_overrun(void **state)
{
	struct sl_ring *r = sl_ring_create_elem("t_overrun", 12, 8, SL_NODE_ANY, 0);
	unsigned char buf[12 * 8 + 16];
	unsigned char src[12 * 8];

	(void)state;
	assert_non_null(r);
	memset(src, 0xab, sizeof(src));
	assert_int_equal(sl_ring_enqueue_bulk_elem(r, src, 12, 5, NULL), 5);
	assert_int_equal(sl_ring_dequeue_bulk_elem(r, buf, 12, 5, NULL), 5);
	/* Now at slot 5: 6 objects wrap after 3. */
	assert_int_equal(sl_ring_enqueue_bulk_elem(r, src, 12, 6, NULL), 6);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(sl_ring_dequeue_bulk_elem(r, buf, 12, 6, NULL), 6);
	for (unsigned i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], i < 72 ? 0xab : 0x5a);
	sl_ring_free(r);
}

/* ---- modes ---- */

static void test_explicit_modes(void **state)
{
	static const unsigned flag_sets[] = {0, SL_RING_SP_ENQ | SL_RING_SC_DEQ, SL_RING_SP_ENQ,
					     SL_RING_SC_DEQ};
	void *in[8], *out[8];
	unsigned seq_in = 0, seq_out = 0;

	(void)state;
	for (unsigned f = 0; f < SL_ARRAY_SIZE(flag_sets); f++) {
		struct sl_ring *r = sl_ring_create("t_modes", 8, SL_NODE_ANY, flag_sets[f]);
		void *one;

		assert_non_null(r);
		assert_int_equal(r->flags, flag_sets[f]);
#define PUT(call, n, want)                            \
	do {                                          \
		for (unsigned i_ = 0; i_ < (n); i_++) \
			in[i_] = PTR(seq_in + i_);    \
		unsigned m_ = call(r, in, (n), NULL); \
		assert_int_equal(m_, (want));         \
		seq_in += m_;                         \
	} while (0)
#define GET(call, n, want)                                         \
	do {                                                       \
		unsigned m_ = call(r, out, (n), NULL);             \
		assert_int_equal(m_, (want));                      \
		for (unsigned i_ = 0; i_ < m_; i_++)               \
			assert_int_equal(VAL(out[i_]), seq_out++); \
	} while (0)
		PUT(sl_ring_sp_enqueue_bulk, 3, 3);
		PUT(sl_ring_mp_enqueue_bulk, 3, 3);
		PUT(sl_ring_sp_enqueue_bulk, 3, 0); /* 2 free */
		PUT(sl_ring_mp_enqueue_bulk, 3, 0);
		PUT(sl_ring_sp_enqueue_burst, 1, 1);
		PUT(sl_ring_mp_enqueue_burst, 3, 1);
		PUT(sl_ring_enqueue_burst, 1, 0);
		GET(sl_ring_sc_dequeue_bulk, 2, 2);
		GET(sl_ring_mc_dequeue_bulk, 2, 2);
		GET(sl_ring_sc_dequeue_bulk, 5, 0); /* 4 left */
		GET(sl_ring_mc_dequeue_bulk, 5, 0);
		GET(sl_ring_sc_dequeue_burst, 1, 1);
		GET(sl_ring_mc_dequeue_burst, 5, 3);
		GET(sl_ring_dequeue_burst, 5, 0);
		PUT(sl_ring_enqueue_bulk, 8, 8);
		GET(sl_ring_dequeue_bulk, 8, 8);
#undef PUT
#undef GET
		assert_int_equal(sl_ring_sp_enqueue(r, PTR(seq_in)), 0);
		assert_int_equal(sl_ring_mp_enqueue(r, PTR(seq_in + 1)), 0);
		assert_int_equal(sl_ring_sc_dequeue(r, &one), 0);
		assert_int_equal(VAL(one), seq_in);
		assert_int_equal(sl_ring_mc_dequeue(r, &one), 0);
		assert_int_equal(VAL(one), seq_in + 1);
		assert_int_equal(sl_ring_sc_dequeue(r, &one), -ENOENT);
		assert_int_equal(sl_ring_mc_dequeue(r, &one), -ENOENT);
		seq_in += 2;
		seq_out += 2;
		sl_ring_free(r);
	}
}

static void test_explicit_modes_elem(void **state)
{
	struct sl_ring *r = sl_ring_create_elem("t_modes16", 16, 4, SL_NODE_ANY, 0);
	uint64_t in[8][2], out[8][2];

	(void)state;
	assert_non_null(r);
	for (unsigned i = 0; i < 8; i++) {
		in[i][0] = i;
		in[i][1] = ~(uint64_t)i;
	}
	assert_int_equal(sl_ring_sp_enqueue_bulk_elem(r, in[0], 16, 2, NULL), 2);
	assert_int_equal(sl_ring_mp_enqueue_bulk_elem(r, in[2], 16, 3, NULL), 0);
	assert_int_equal(sl_ring_mp_enqueue_burst_elem(r, in[2], 16, 3, NULL), 2);
	assert_int_equal(sl_ring_sp_enqueue_burst_elem(r, in[4], 16, 1, NULL), 0);
	assert_int_equal(sl_ring_sp_enqueue_elem(r, in[4], 16), -ENOBUFS);
	assert_int_equal(sl_ring_mp_enqueue_elem(r, in[4], 16), -ENOBUFS);
	assert_int_equal(sl_ring_sc_dequeue_bulk_elem(r, out[0], 16, 1, NULL), 1);
	assert_int_equal(sl_ring_mc_dequeue_bulk_elem(r, out[1], 16, 1, NULL), 1);
	assert_int_equal(sl_ring_sc_dequeue_burst_elem(r, out[2], 16, 1, NULL), 1);
	assert_int_equal(sl_ring_sp_enqueue_elem(r, in[4], 16), 0);
	assert_int_equal(sl_ring_mp_enqueue_elem(r, in[5], 16), 0);
	assert_int_equal(sl_ring_mc_dequeue_burst_elem(r, out[3], 16, 5, NULL), 3);
	assert_int_equal(sl_ring_sc_dequeue_elem(r, out[6], 16), -ENOENT);
	assert_int_equal(sl_ring_mc_dequeue_elem(r, out[6], 16), -ENOENT);
	assert_memory_equal(out, in, 6 * 16);
	sl_ring_free(r);
}

/*
 * Publication order, made deterministic: the test plays a stalled producer (consumer)
 * that reserved slots but has not published them; a later MP (MC) call on another thread
 * must reserve after it and then wait, publishing only once the stalled one has.
 */
struct late_call {
	struct sl_ring *r;
	void *obj;
	unsigned done; /* 1 when the call returned success */
};

static void *late_producer(void *arg)
{
	struct late_call *c = arg;

	if (sl_ring_mp_enqueue_bulk(c->r, &c->obj, 1, NULL) == 1)
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *late_consumer(void *arg)
{
	struct late_call *c = arg;

	if (sl_ring_mc_dequeue_bulk(c->r, &c->obj, 1, NULL) == 1)
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Waits up to 5 s for *word to become want. */
static bool wait_u32(const uint32_t *word, uint32_t want)
{
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == want)
			return true;
		usleep(1000);
	}
	return false;
}

static void test_publish_order(void **state)
{
	struct sl_ring *r = sl_ring_create("t_order", 8, SL_NODE_ANY, 0);
	void **slots = (void **)(r + 1);
	struct late_call c = {.r = r, .obj = PTR(3)};
	void *one;
	pthread_t t;

	(void)state;
	assert_non_null(r);
	/* Producers: "we" reserve slots 0-1 and stall. */
	__atomic_store_n(&r->prod.head, 2, __ATOMIC_RELAXED);
	assert_int_equal(pthread_create(&t, NULL, late_producer, &c), 0);
	assert_true(wait_u32(&r->prod.head, 3)); /* the late producer reserved slot 2 */
	usleep(20000);
	assert_int_equal(__atomic_load_n(&c.done, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(__atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(sl_ring_count(r), 0);
	assert_int_equal(sl_ring_sc_dequeue(r, &one), -ENOENT);
	slots[0] = PTR(1);
	slots[1] = PTR(2);
	__atomic_store_n(&r->prod.tail, 2, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_int_equal(c.done, 1);
	assert_int_equal(r->prod.tail, 3);

	/* Consumers: "we" take slots 0-1 and stall; the late consumer takes slot 2. */
	c.done = 0;
	c.obj = NULL;
	__atomic_store_n(&r->cons.head, 2, __ATOMIC_RELAXED);
	assert_int_equal(pthread_create(&t, NULL, late_consumer, &c), 0);
	assert_true(wait_u32(&r->cons.head, 3));
	usleep(20000);
	assert_int_equal(__atomic_load_n(&c.done, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(__atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(sl_ring_free_count(r), 5); /* slots 0-2 still held */
	__atomic_store_n(&r->cons.tail, 2, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_int_equal(c.done, 1);
	assert_int_equal(VAL(c.obj), 3);
	assert_true(sl_ring_empty(r));
	assert_int_equal(sl_ring_free_count(r), 8);
	sl_ring_free(r);
}

static void test_reset_and_dump(void **state)
{
	struct sl_ring *r = sl_ring_create("t_dump", 32, SL_NODE_ANY, SL_RING_SC_DEQ);
	void *in[5] = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(r);
	assert_int_equal(sl_ring_enqueue_bulk(r, in, 5, NULL), 5);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	sl_ring_dump(f, r);
	sl_ring_dump(f, NULL);
	fclose(f);
	assert_non_null(strstr(text, "t_dump"));
	assert_non_null(strstr(text, "size=32"));
	assert_non_null(strstr(text, "used=5 free=27"));
	assert_non_null(strstr(text, "multi producer, single consumer"));
	assert_non_null(strstr(text, "NULL"));
	free(text);

	sl_ring_reset(r);
	assert_true(sl_ring_empty(r));
	assert_int_equal(sl_ring_free_count(r), 32);
	assert_int_equal(r->prod.head, 0);
	assert_int_equal(r->cons.head, 0);
	sl_ring_free(r);
}

#ifdef SL_DEBUG
/* Debug builds refuse a call whose element size is not the ring's. */
static void test_debug_checks(void **state)
{
	struct sl_ring *r = sl_ring_create_elem("t_debug", 16, 8, SL_NODE_ANY, 0);
	uint32_t obj[4] = {1, 2, 3, 4};

	(void)state;
	assert_non_null(r);
	assert_int_equal(sl_ring_enqueue_bulk_elem(r, obj, 8, 1, NULL), 0);
	expect_log("not 8");
	assert_int_equal(sl_ring_enqueue(r, obj), -ENOBUFS); /* pointer call: esize 8 */
	expect_log("16-byte");
	assert_int_equal(sl_ring_enqueue_bulk_elem(r, obj, 16, 1, NULL), 1);
	assert_int_equal(nb_logs, 0);
	sl_ring_free(r);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_count, setup_sink, teardown_sink),
		cmocka_unit_test_setup_teardown(test_bad_esize, setup_sink, teardown_sink),
		cmocka_unit_test_setup_teardown(test_bad_name_flags, setup_sink, teardown_sink),
		cmocka_unit_test_setup_teardown(test_init_errors, setup_sink, teardown_sink),
		cmocka_unit_test_setup_teardown(test_lookup_free_eexist, setup_sink, teardown_sink),
		cmocka_unit_test_setup_teardown(test_embedded, setup_sink, teardown_sink),
		cmocka_unit_test(test_capacity_boundaries),
		cmocka_unit_test(test_bulk_and_burst),
		cmocka_unit_test(test_index_wrap),
		cmocka_unit_test(test_elem_4),
		cmocka_unit_test(test_elem_8),
		cmocka_unit_test(test_elem_12),
		cmocka_unit_test(test_elem_16),
		cmocka_unit_test(test_elem_20),
		cmocka_unit_test(test_elem_32),
		cmocka_unit_test(test_elem_no_overrun),
		cmocka_unit_test(test_explicit_modes),
		cmocka_unit_test(test_explicit_modes_elem),
		cmocka_unit_test(test_publish_order),
		cmocka_unit_test(test_reset_and_dump),
#ifdef SL_DEBUG
		cmocka_unit_test_setup_teardown(test_debug_checks, setup_sink, teardown_sink),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
