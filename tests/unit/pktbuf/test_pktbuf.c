/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_memory.h"
#include "sl_pktbuf.h"

#define NB_BUFS 256

static struct log_capture cap;
static struct sl_pool *pool;

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("pkts", NB_BUFS, 32, 16, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	/* Every test must give every buffer back. */
	sl_pool_cache_flush(pool, sl_lcore_id());
	assert_int_equal(sl_pool_in_use(pool), 0);
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

/* A buffer, or the test fails (abort() tells the compiler the NULL path ends here). */
static struct sl_pktbuf *must_alloc(struct sl_pool *from)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(from);

	if (p == NULL) {
		fail_msg("pool '%s' is empty", from->name);
		abort();
	}
	return p;
}

static void test_layout(void **state)
{
	struct sl_pktbuf *p;

	(void)state;
	p = must_alloc(pool);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % SL_CACHE_LINE, 0);
	assert_ptr_equal(p->buf_addr, (char *)(p + 1) + 16);
	assert_ptr_equal(sl_pktbuf_priv(p), (void *)(p + 1));
	assert_int_equal(p->buf_len, SL_PKTBUF_DEFAULT_BUF_SIZE);
	assert_int_equal(sl_pktbuf_headroom(p), SL_PKTBUF_HEADROOM);
	assert_int_equal(sl_pktbuf_tailroom(p), 2048);
	assert_int_equal(p->pkt_len, 0);
	assert_int_equal(p->nb_segs, 1);
	assert_int_equal(p->refcnt, 1);
	assert_int_equal(p->port, SL_PKTBUF_PORT_NONE);
	assert_ptr_equal(p->pool, pool);
	assert_int_equal(sl_pktbuf_iova(p), (uint64_t)(uintptr_t)sl_pktbuf_mtod(p, char *));
	assert_int_equal(sl_pktbuf_pool_buf_len(pool), SL_PKTBUF_DEFAULT_BUF_SIZE);
	assert_int_equal(sl_pool_in_use(pool), 1);
	sl_pktbuf_free(p);
}

static void test_alloc_bulk_all_or_nothing(void **state)
{
	struct sl_pktbuf *pkts[NB_BUFS + 1];

	(void)state;
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, NB_BUFS + 1), -ENOENT);
	assert_int_equal(sl_pool_in_use(pool), 0);
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, NB_BUFS), 0);
	assert_int_equal(sl_pool_in_use(pool), NB_BUFS);
	assert_null(sl_pktbuf_alloc(pool));
	for (unsigned i = 0; i < NB_BUFS; i++) {
		assert_int_equal(pkts[i]->refcnt, 1);
		assert_int_equal(pkts[i]->data_len, 0);
		for (unsigned j = 0; j < i; j++)
			assert_ptr_not_equal(pkts[i], pkts[j]);
	}
	sl_pktbuf_free_bulk(pkts, NB_BUFS);
}

static void test_edit_boundaries(void **state)
{
	struct sl_pktbuf *p = must_alloc(pool);
	char *d;

	(void)state;
	d = sl_pktbuf_append(p, 100);
	assert_ptr_equal(d, sl_pktbuf_mtod(p, char *));
	memset(d, 'a', 100);
	assert_int_equal(p->pkt_len, 100);
	d = sl_pktbuf_prepend(p, 14);
	assert_non_null(d);
	assert_int_equal(p->data_len, 114);
	assert_int_equal(sl_pktbuf_headroom(p), SL_PKTBUF_HEADROOM - 14);
	/* Too much: refused, nothing changes. */
	assert_null(sl_pktbuf_prepend(p, SL_PKTBUF_HEADROOM));
	assert_null(sl_pktbuf_append(p, 2048));
	assert_null(sl_pktbuf_adj(p, 115));
	assert_int_equal(sl_pktbuf_trim(p, 115), -EINVAL);
	assert_int_equal(p->pkt_len, 114);
	assert_non_null(sl_pktbuf_adj(p, 14));
	assert_int_equal(*sl_pktbuf_mtod(p, char *), 'a');
	assert_int_equal(sl_pktbuf_trim(p, 50), 0);
	assert_int_equal(p->pkt_len, 50);
	assert_int_equal(p->data_len, 50);
	/* Exactly to the edges. */
	assert_non_null(sl_pktbuf_append(p, sl_pktbuf_tailroom(p)));
	assert_int_equal(sl_pktbuf_tailroom(p), 0);
	assert_non_null(sl_pktbuf_prepend(p, sl_pktbuf_headroom(p)));
	assert_int_equal(p->data_len, SL_PKTBUF_DEFAULT_BUF_SIZE);
	assert_int_equal(sl_pktbuf_check(p, NULL), 0);
	sl_pktbuf_free(p);
}

static void test_chains_read_write(void **state)
{
	struct sl_pktbuf *a = must_alloc(pool), *b = must_alloc(pool),
			 *c = must_alloc(pool);
	unsigned char buf[300], out[300];
	const unsigned char *r;

	(void)state;
	memset(sl_pktbuf_append(a, 100), 1, 100);
	memset(sl_pktbuf_append(b, 100), 2, 100);
	memset(sl_pktbuf_append(c, 100), 3, 100);
	assert_int_equal(sl_pktbuf_chain(a, b), 0);
	assert_int_equal(sl_pktbuf_chain(a, c), 0);
	assert_int_equal(a->nb_segs, 3);
	assert_int_equal(a->pkt_len, 300);
	assert_ptr_equal(sl_pktbuf_last_seg(a), c);
	/* Inside one segment: a pointer into the buffer, no copy. */
	r = sl_pktbuf_read(a, 10, 20, buf);
	assert_ptr_equal(r, sl_pktbuf_mtod_offset(a, unsigned char *, 10));
	/* Across segments: copied. */
	r = sl_pktbuf_read(a, 90, 120, buf);
	assert_ptr_equal(r, buf);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[10], 2);
	assert_int_equal(r[119], 3);
	assert_null(sl_pktbuf_read(a, 250, 51, buf));
	for (int i = 0; i < 300; i++)
		buf[i] = (unsigned char)i;
	assert_int_equal(sl_pktbuf_write(a, 0, 300, buf), 0);
	assert_ptr_equal(sl_pktbuf_read(a, 0, 300, out), out);
	assert_memory_equal(out, buf, 300);
	assert_int_equal(sl_pktbuf_write(a, 1, 300, buf), -EINVAL);
	/* Append goes to the last segment, trim takes from it. */
	assert_non_null(sl_pktbuf_append(a, 5));
	assert_int_equal(c->data_len, 105);
	assert_int_equal(a->pkt_len, 305);
	assert_int_equal(sl_pktbuf_trim(a, 5), 0);
	assert_int_equal(sl_pktbuf_check(a, NULL), 0);
	assert_int_equal(sl_pool_in_use(pool), 3);
	sl_pktbuf_free(a);
}

static void test_refcnt(void **state)
{
	struct sl_pktbuf *p = must_alloc(pool);

	(void)state;
	assert_int_equal(sl_pktbuf_refcnt_update(p, 2), 3);
	sl_pktbuf_free(p);
	sl_pktbuf_free(p);
	assert_int_equal(sl_pool_in_use(pool), 1);
	assert_int_equal(sl_pktbuf_refcnt_read(p), 1);
	sl_pktbuf_free(p);
	assert_int_equal(sl_pool_in_use(pool), 0);
}

static void test_clone_shares_data(void **state)
{
	struct sl_pktbuf *a = must_alloc(pool), *b = must_alloc(pool), *c;

	(void)state;
	memcpy(sl_pktbuf_append(a, 6), "hello", 6);
	memcpy(sl_pktbuf_append(b, 6), "world", 6);
	a->rss_hash = 0x1234;
	a->ol_flags = SL_PKT_RX_RSS_HASH;
	assert_int_equal(sl_pktbuf_chain(a, b), 0);
	c = sl_pktbuf_clone(a, pool);
	assert_non_null(c);
	assert_int_equal(c->nb_segs, 2);
	assert_int_equal(c->pkt_len, 12);
	assert_int_equal(c->rss_hash, 0x1234);
	assert_true(c->flags & SL_PKTBUF_F_INDIRECT);
	assert_ptr_equal(sl_pktbuf_mtod(c, char *), sl_pktbuf_mtod(a, char *));
	assert_int_equal(sl_pktbuf_refcnt_read(a), 2);
	assert_int_equal(sl_pktbuf_refcnt_read(b), 2);
	assert_int_equal(sl_pool_in_use(pool), 4);
	/* The original goes first; its data lives on in the clone. */
	sl_pktbuf_free(a);
	assert_int_equal(sl_pool_in_use(pool), 4);
	assert_string_equal(sl_pktbuf_mtod(c->next, char *), "world");
	/* A clone of a clone refers to the owner, not to the clone. */
	struct sl_pktbuf *cc = sl_pktbuf_clone(c, pool);
	assert_non_null(cc);
	assert_ptr_equal(cc->direct, a);
	sl_pktbuf_free(c);
	assert_int_equal(sl_pool_in_use(pool), 4);
	sl_pktbuf_free(cc);
	assert_int_equal(sl_pool_in_use(pool), 0);
}

static void test_clone_pool_exhausted(void **state)
{
	struct sl_pool *tiny = sl_pktbuf_pool_create("tiny", 1, 0, 0, 256, 0);
	struct sl_pktbuf *a = must_alloc(pool), *b = must_alloc(pool);

	(void)state;
	assert_non_null(tiny);
	sl_pktbuf_append(a, 10);
	sl_pktbuf_append(b, 10);
	sl_pktbuf_chain(a, b);
	errno = 0;
	assert_null(sl_pktbuf_clone(a, tiny));
	assert_int_equal(errno, ENOENT);
	/* The partial clone was undone: references and the tiny pool are back. */
	assert_int_equal(sl_pool_in_use(tiny), 0);
	assert_int_equal(sl_pktbuf_refcnt_read(a), 1);
	sl_pktbuf_free(a);
	sl_pool_free(tiny);
}

/* copy_in fills the last segment, chains new ones from the pool, and stops with -ENOBUFS
 * (pkt_len what was copied) when the pool runs dry. */
static void test_copy_in_chains(void **state)
{
	struct sl_pool *small = sl_pktbuf_pool_create("copy_in", 3, 0, 0, 256, 0);
	uint8_t src[700], back[700];
	struct sl_pktbuf *p, *last;
	uint16_t room;

	(void)state;
	assert_non_null(small);
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	p = must_alloc(small);
	room = sl_pktbuf_tailroom(p);
	last = p;
	assert_int_equal(sl_pktbuf_copy_in(p, &last, small, src, 10), 0);
	assert_ptr_equal(last, p);
	assert_int_equal(sl_pktbuf_copy_in(p, &last, small, src + 10, room), 0);
	assert_int_equal(p->nb_segs, 2);
	assert_ptr_equal(last, p->next);
	assert_int_equal(p->data_len, room);
	assert_int_equal(last->data_len, 10);
	assert_int_equal(p->pkt_len, room + 10);
	assert_int_equal(sl_pktbuf_check(p, NULL), 0);
	assert_memory_equal(sl_pktbuf_read(p, 0, room + 10, back), src, room + 10);
	/* The third buffer fills, then the pool is dry. */
	assert_int_equal(sl_pktbuf_copy_in(p, &last, small, src, sizeof(src)), -ENOBUFS);
	assert_int_equal(p->nb_segs, 3);
	assert_ptr_equal(last, p->next->next);
	assert_int_equal(sl_pktbuf_tailroom(last), 0);
	assert_int_equal(p->pkt_len, p->data_len + p->next->data_len + last->data_len);
	assert_int_equal(sl_pktbuf_check(p, NULL), 0);
	sl_pktbuf_free(p);
	assert_int_equal(sl_pool_in_use(small), 0);
	sl_pool_free(small);
}

static int ext_freed;
static void *ext_freed_addr;

static void ext_free(void *addr, void *arg)
{
	ext_freed++;
	ext_freed_addr = addr;
	assert_ptr_equal(arg, &ext_freed);
}

static void test_external_buffer(void **state)
{
	static char memory[1024];
	struct sl_pktbuf_ext_shinfo shinfo = {.free_cb = ext_free, .free_arg = &ext_freed};
	struct sl_pktbuf *p = must_alloc(pool), *c;

	(void)state;
	ext_freed = 0;
	assert_int_equal(sl_pktbuf_attach_extbuf(p, memory, 0x1000, sizeof(memory), &shinfo), 0);
	assert_ptr_equal(sl_pktbuf_append(p, 64), memory);
	c = sl_pktbuf_clone(p, pool);
	assert_non_null(c);
	assert_int_equal(shinfo.refcnt, 2);
	assert_true(c->flags & SL_PKTBUF_F_EXTERNAL);
	sl_pktbuf_free(p);
	assert_int_equal(ext_freed, 0);
	sl_pktbuf_free(c);
	assert_int_equal(ext_freed, 1);
	assert_ptr_equal(ext_freed_addr, memory);
	/* The buffers went back with their own data area restored. */
	p = must_alloc(pool);
	assert_ptr_equal(p->buf_addr, (char *)(p + 1) + 16);
	assert_int_equal(p->flags, 0);
	sl_pktbuf_free(p);
	assert_int_equal(sl_pktbuf_attach_extbuf(p = must_alloc(pool), NULL, 0, 1, &shinfo),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "attach_extbuf", NULL));
	sl_pktbuf_free(p);
}

/* Which buffers a device may take as they are (zero-copy tx): only a lone, unshared
 * buffer of the pool holding its own data, whatever its data offset. */
static void test_can_lend(void **state)
{
	static char memory[256];
	struct sl_pktbuf_ext_shinfo shinfo = {.free_cb = ext_free, .free_arg = &ext_freed};
	struct sl_pool *other = sl_pktbuf_pool_create("lend_other", 8, 0, 0, 512, 0);
	uint32_t off = sl_pktbuf_pool_data_offset(pool);
	struct sl_pktbuf *p = must_alloc(pool), *q, *c, *e, *o;

	(void)state;
	assert_non_null(other);
	/* 128-byte header + the pool's 16-byte private area. */
	assert_int_equal(off, sizeof(struct sl_pktbuf) + 16);
	assert_int_equal(sl_pktbuf_pool_data_offset(other), sizeof(struct sl_pktbuf));
	assert_true(sl_pktbuf_can_lend(p, pool, off));
	assert_non_null(sl_pktbuf_append(p, 100));
	assert_non_null(sl_pktbuf_adj(p, 20)); /* data 20 bytes further in: still its own */
	assert_true(sl_pktbuf_can_lend(p, pool, off));
	assert_false(sl_pktbuf_can_lend(p, other, off));
	/* Shared: the caller still holds a reference. */
	sl_pktbuf_refcnt_update(p, 1);
	assert_false(sl_pktbuf_can_lend(p, pool, off));
	sl_pktbuf_free(p);
	assert_true(sl_pktbuf_can_lend(p, pool, off));
	/* A chain. */
	q = must_alloc(pool);
	assert_int_equal(sl_pktbuf_chain(p, q), 0);
	assert_false(sl_pktbuf_can_lend(p, pool, off));
	sl_pktbuf_free(p);
	/* A clone points at another buffer's data; the original is then shared. */
	p = must_alloc(pool);
	c = sl_pktbuf_clone(p, pool);
	assert_non_null(c);
	assert_false(sl_pktbuf_can_lend(c, pool, off));
	assert_false(sl_pktbuf_can_lend(p, pool, off));
	sl_pktbuf_free(c);
	assert_true(sl_pktbuf_can_lend(p, pool, off));
	sl_pktbuf_free(p);
	/* External memory. */
	e = must_alloc(pool);
	ext_freed = 0;
	assert_int_equal(sl_pktbuf_attach_extbuf(e, memory, 0, sizeof(memory), &shinfo), 0);
	assert_false(sl_pktbuf_can_lend(e, pool, off));
	sl_pktbuf_free(e);
	assert_int_equal(ext_freed, 1);
	o = must_alloc(other);
	assert_true(sl_pktbuf_can_lend(o, other, sl_pktbuf_pool_data_offset(other)));
	assert_false(sl_pktbuf_can_lend(o, pool, off));
	sl_pktbuf_free(o);
	sl_pool_free(other);
}

static void test_free_bulk_two_pools(void **state)
{
	struct sl_pool *other = sl_pktbuf_pool_create("other", 64, 8, 0, 512, 0);
	struct sl_pktbuf *pkts[40];

	(void)state;
	assert_non_null(other);
	for (int i = 0; i < 40; i++)
		pkts[i] = must_alloc(i % 3 ? pool : other);
	/* A chain mixing pools counts as one packet. */
	sl_pktbuf_append(pkts[0], 1);
	sl_pktbuf_append(pkts[1], 1);
	sl_pktbuf_chain(pkts[0], pkts[1]);
	pkts[1] = pkts[39];
	sl_pktbuf_free_bulk(pkts, 39);
	sl_pool_cache_flush(other, sl_lcore_id());
	assert_int_equal(sl_pool_in_use(other), 0);
	sl_pool_free(other);
}

static void test_check_finds_corruption(void **state)
{
	struct sl_pktbuf *p = must_alloc(pool);
	const char *why = NULL;

	(void)state;
	sl_pktbuf_append(p, 10);
	p->pkt_len = 11;
	assert_int_equal(sl_pktbuf_check(p, &why), -EINVAL);
	assert_string_equal(why, "pkt_len is not the sum of data_len");
	p->pkt_len = 10;
	p->nb_segs = 2;
	assert_int_equal(sl_pktbuf_check(p, &why), -EINVAL);
	assert_string_equal(why, "fewer segments than nb_segs");
	p->nb_segs = 1;
	p->data_off = (uint16_t)(p->buf_len - 5);
	assert_int_equal(sl_pktbuf_check(p, &why), -EINVAL);
	assert_string_equal(why, "segment data runs past its buffer");
	sl_pktbuf_reset(p);
	assert_int_equal(sl_pktbuf_check(p, &why), 0);
	assert_null(why);
	sl_pktbuf_free(p);
}

static void test_bad_pool_args(void **state)
{
	(void)state;
	errno = 0;
	assert_null(sl_pktbuf_pool_create("big", 8, 0, 0, 70000, 0));
	assert_int_equal(errno, EINVAL);
	assert_true(log_capture_has(&cap, "buffer size 70000", "maximum 65535"));
	assert_null(sl_pktbuf_pool_create("odd", 8, 0, 7, 2048, 0));
	assert_int_equal(errno, EINVAL);
	assert_true(log_capture_has(&cap, "private size 7", "use 8"));
	assert_null(sl_pktbuf_pool_create("pkts", 8, 0, 0, 2048, 0));
	assert_int_equal(errno, EEXIST);
}

static void test_dump(void **state)
{
	struct sl_pktbuf *p = must_alloc(pool);
	char text[2048] = "";
	FILE *f = fmemopen(text, sizeof(text), "w");
	char name[64];

	(void)state;
	memcpy(sl_pktbuf_append(p, 4), "\xde\xad\xbe\xef", 4);
	p->ol_flags = SL_PKT_RX_RSS_HASH | SL_PKT_TX_IP_CKSUM;
	p->packet_type = SL_PTYPE_L2_ETHER | SL_PTYPE_L3_IPV4 | SL_PTYPE_L4_UDP;
	sl_pktbuf_dump(f, p, 64);
	fclose(f);
	assert_non_null(strstr(text, "pkt_len 4"));
	assert_non_null(strstr(text, "RX_RSS_HASH TX_IP_CKSUM"));
	assert_non_null(strstr(text, "ETHER L3_IPV4 L4_UDP"));
	assert_non_null(strstr(text, "de ad be ef"));
	sl_pktbuf_ptype_name(SL_PTYPE_UNKNOWN, name, sizeof(name));
	assert_string_equal(name, "UNKNOWN");
	assert_string_equal(sl_pktbuf_flag_name(SL_PKT_TX_VLAN), "TX_VLAN");
	sl_pktbuf_free(p);
}

/* Clones freed on two threads at once: the atomic count frees the owner exactly once. */
struct free_job {
	struct sl_pktbuf **pkts;
	unsigned n;
};

static void *free_half(void *arg)
{
	struct free_job *job = arg;

	for (unsigned i = 0; i < job->n; i++)
		sl_pktbuf_free(job->pkts[i]);
	return NULL;
}

static void test_clones_freed_concurrently(void **state)
{
	enum { CLONES = 16 };
#if defined(__SANITIZE_THREAD__)
	const int rounds = 300;
#else
	const int rounds = 3000;
#endif
	(void)state;
	for (int r = 0; r < rounds; r++) {
		struct sl_pktbuf *clones[CLONES];
		struct free_job a = {clones, CLONES / 2}, b = {clones + CLONES / 2, CLONES / 2};
		struct sl_pktbuf *p = must_alloc(pool);
		pthread_t t;

		sl_pktbuf_append(p, 60);
		for (int i = 0; i < CLONES; i++) {
			clones[i] = sl_pktbuf_clone(p, pool);
			assert_non_null(clones[i]);
		}
		sl_pktbuf_free(p);
		assert_int_equal(pthread_create(&t, NULL, free_half, &a), 0);
		free_half(&b);
		pthread_join(t, NULL);
		/* Threads that are not lcores bypass the cache, so the count is exact. */
		assert_int_equal(sl_pool_in_use(pool), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_bulk_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chains_read_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refcnt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_shares_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_pool_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_in_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_can_lend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_bulk_two_pools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_finds_corruption, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pool_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clones_freed_concurrently, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
