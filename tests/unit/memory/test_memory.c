/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_memory.h"

static struct log_capture cap;

static int setup(void **state)
{
	(void)state;
	sl_mem_configure(SL_MEM_HUGE_AUTO, NULL, 0, 0);
	log_capture_start(&cap);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_capture_stop();
	sl_mem_release_all();
	return 0;
}

static unsigned long free_2m_pages(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	unsigned long n = 0;

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

static void test_alloc_aligned_and_zeroed(void **state)
{
	static const size_t aligns[] = {0, 64, 128, 4096, 1 << 20};

	(void)state;
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		unsigned char *p = sl_malloc(1000, aligns[i], SL_NODE_ANY);
		size_t a = aligns[i] ? aligns[i] : 64;

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % a, 0);
		for (int j = 0; j < 1000; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xab, 1000);
		sl_free(p);
	}
	/* Freed memory comes back zeroed too. */
	unsigned char *q = sl_malloc(1000, 0, 0);
	assert_non_null(q);
	for (int j = 0; j < 1000; j++)
		assert_int_equal(q[j], 0);
	sl_free(q);
}

static void test_free_merges_neighbours(void **state)
{
	struct sl_mem_stats before, after;
	void *a, *b, *c, *big;

	(void)state;
	a = sl_malloc(100000, 0, 0);
	b = sl_malloc(100000, 0, 0);
	c = sl_malloc(100000, 0, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal(sl_mem_stats(0, &before), 0);
	assert_true(before.in_use >= 300000);
	sl_free(b);
	sl_free(a);
	sl_free(c);
	assert_int_equal(sl_mem_stats(0, &after), 0);
	assert_int_equal(after.in_use, 0);
	/* Three freed blocks merged: a block of their joint size fits without a new segment. */
	big = sl_malloc(290000, 0, 0);
	assert_non_null(big);
	assert_int_equal(sl_mem_stats(0, &after), 0);
	assert_int_equal(after.segments, before.segments);
	sl_free(big);
}

/* The call logged exactly one line since *seen, and it holds both fragments. */
static void expect_one_line(unsigned *seen, const char *a, const char *b)
{
	if (cap.lines != *seen + 1 || !log_capture_has(&cap, a, b))
		fail_msg("expected one line with '%s' and '%s', got %u: %s", a, b ? b : "",
			 cap.lines - *seen, cap.text);
	*seen = cap.lines;
}

static void test_bad_requests(void **state)
{
	unsigned seen = cap.lines;

	(void)state;
	/* Each cause has its own line, naming the value and the fix. */
	errno = 0;
	assert_null(sl_malloc(0, 0, 0));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "allocation of 0 bytes", "ask for at least 1 byte");
	errno = 0;
	assert_null(sl_malloc((1ul << 46) + 1, 0, 0));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "allocation of 70368744177665 bytes",
			"ask for at most 70368744177664");
	errno = 0;
	assert_null(sl_malloc(64, 3, 0));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "alignment 3 is not a power of two", "use 4");
	errno = 0;
	assert_null(sl_malloc(64, 0, 99));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "node 99: no such NUMA node", "SL_NODE_ANY");
	assert_false(log_capture_has(&cap, "bad allocation request", NULL));
	/* Freeing a pointer that is not ours, or twice, is reported and survives. */
	void *p = sl_malloc(64, 0, 0);
	sl_free(p);
	sl_free(p);
	assert_true(log_capture_has(&cap, "not a live Sluice allocation", NULL));
	sl_free(NULL);
}

static void test_zone_reserve_lookup_free(void **state)
{
	const struct sl_zone *z, *found;
	struct stat st;
	char buf[16];

	(void)state;
	z = sl_zone_reserve("test_zone", 12345, SL_NODE_ANY, 4096);
	assert_non_null(z);
	assert_string_equal(z->name, "test_zone");
	assert_int_equal(z->len, 12345);
	assert_int_equal((uintptr_t)z->addr % 4096, 0);
	assert_int_equal(z->iova, (uint64_t)(uintptr_t)z->addr);
	assert_true(z->page_size == 4096 || z->page_size == (2u << 20) ||
		    z->page_size == (1u << 30));
	found = sl_zone_lookup("test_zone");
	assert_ptr_equal(found, z);

	/* The memfd really backs the zone: bytes written through the mapping read back
	 * through the fd, which is what a memif or vhost-user peer will map. */
	memcpy(z->addr, "sluice-zone", 12);
	assert_int_equal(fstat(z->fd, &st), 0);
	assert_true((uint64_t)st.st_size >= z->fd_offset + z->len);
	assert_int_equal(pread(z->fd, buf, 12, (off_t)z->fd_offset), 12);
	assert_string_equal(buf, "sluice-zone");

	errno = 0;
	assert_null(sl_zone_reserve("test_zone", 64, SL_NODE_ANY, 0));
	assert_int_equal(errno, EEXIST);
	assert_true(log_capture_has(&cap, "zone 'test_zone' already exists", NULL));

	assert_int_equal(sl_zone_free(z), 0);
	assert_int_equal(sl_zone_free(z), -EINVAL);
	assert_true(log_capture_has(&cap, "is not reserved (freed already?)", "free a zone once"));
	errno = 0;
	assert_null(sl_zone_lookup("test_zone"));
	assert_int_equal(errno, ENOENT);
}

/* A missing name is ENOENT and says nothing (callers probe with it); a NULL or empty name
 * is EINVAL with a line. */
static void test_zone_lookup_errors(void **state)
{
	unsigned seen = cap.lines;

	(void)state;
	errno = 0;
	assert_null(sl_zone_lookup("never_reserved"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(sl_zone_lookup("a_name_that_is_far_too_long_for_a_zone"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(cap.lines, seen);
	errno = 0;
	assert_null(sl_zone_lookup(NULL));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "zone lookup: name is NULL", "pass the name");
	errno = 0;
	assert_null(sl_zone_lookup(""));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "zone lookup: name is empty", "pass the name");
}

static void test_zone_free_errors(void **state)
{
	static struct sl_zone not_a_zone;
	unsigned seen = cap.lines;

	(void)state;
	assert_int_equal(sl_zone_free(NULL), -EINVAL);
	expect_one_line(&seen, "zone free: zone is NULL", "sl_zone_reserve()");
	assert_int_equal(sl_zone_free(&not_a_zone), -EINVAL);
	expect_one_line(&seen, "is not a zone", "sl_zone_reserve()");
}

static void test_configure_and_stats_errors(void **state)
{
	size_t limits[SL_MAX_NUMA_NODES + 1] = {0};
	struct sl_mem_stats st;
	unsigned seen = cap.lines;
	int local = 0;

	(void)state;
	assert_int_equal(sl_mem_configure((enum sl_mem_huge)7, NULL, 0, 0), -EINVAL);
	expect_one_line(&seen, "page policy 7 is unknown", "SL_MEM_HUGE_AUTO");
	assert_int_equal(sl_mem_configure(SL_MEM_HUGE_AUTO, limits, SL_MAX_NUMA_NODES + 1, 0),
			 -EINVAL);
	expect_one_line(&seen, "9 per-node memory limits given", "at most 8");
	assert_int_equal(sl_mem_configure(SL_MEM_HUGE_AUTO, NULL, 2, 0), -EINVAL);
	expect_one_line(&seen, "node_limits is NULL", "pass the array");
	assert_int_equal(sl_mem_stats(99, &st), -EINVAL);
	expect_one_line(&seen, "memory stats of node 99: no such NUMA node", "use 0 to");
	assert_int_equal(sl_mem_stats(-1, &st), -EINVAL);
	expect_one_line(&seen, "memory stats of node -1", "use 0 to");
	assert_int_equal(sl_mem_stats(0, NULL), -EINVAL);
	expect_one_line(&seen, "stats is NULL", "struct sl_mem_stats");
	/* Not Sluice memory is an answer, not an error: no line. */
	assert_int_equal(sl_mem_locate(&local, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(cap.lines, seen);
	assert_int_equal(sl_mem_stats(0, &st), 0);
}

static void test_zone_bad_names(void **state)
{
	char longest[SL_NAME_SIZE];
	unsigned seen = cap.lines;

	(void)state;
	errno = 0;
	assert_null(sl_zone_reserve(NULL, 64, 0, 0));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "zone name is NULL", "give a name of 1 to 31 characters");
	errno = 0;
	assert_null(sl_zone_reserve("", 64, 0, 0));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "zone name is empty", "give a name of 1 to 31 characters");
	/* Too long is ENAMETOOLONG, as for rings, pools, hash and lpm tables. */
	errno = 0;
	assert_null(sl_zone_reserve("a_name_that_is_far_too_long_for_a_zone", 64, 0, 0));
	assert_int_equal(errno, ENAMETOOLONG);
	expect_one_line(&seen,
			"zone name 'a_name_that_is_far_too_long_for_a_zone' is 38 characters long",
			"use at most 31");
	memset(longest, 'z', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_non_null(sl_zone_reserve(longest, 64, 0, 0));
	seen = cap.lines; /* mapping the first segment may warn about locked memory */
	/* Length and alignment: one line each. */
	errno = 0;
	assert_null(sl_zone_reserve("zero", 0, 0, 0));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "zone 'zero': length 0", "ask for at least 1 byte");
	errno = 0;
	assert_null(sl_zone_reserve("odd", 64, 0, 96));
	assert_int_equal(errno, EINVAL);
	expect_one_line(&seen, "zone 'odd': alignment 96 is not a power of two", "use 128");
}

static void count_zone(const struct sl_zone *z, void *arg)
{
	(void)z;
	(*(int *)arg)++;
}

static void test_zone_walk(void **state)
{
	int n = 0;

	(void)state;
	assert_non_null(sl_zone_reserve("w1", 64, 0, 0));
	assert_non_null(sl_zone_reserve("w2", 64, 0, 0));
	sl_zone_walk(count_zone, &n);
	assert_int_equal(n, 2);
}

static void test_total_limit(void **state)
{
	(void)state;
	assert_int_equal(sl_mem_configure(SL_MEM_HUGE_AUTO, NULL, 0, 4u << 20), 0);
	assert_non_null(sl_malloc(1u << 20, 0, 0));
	errno = 0;
	assert_null(sl_zone_reserve("too_big", 8u << 20, 0, 0));
	assert_int_equal(errno, ENOMEM);
	assert_true(log_capture_has(&cap, "memory limit of 4 MiB reached", "raise -m"));
}

static void test_node_limit(void **state)
{
	size_t limits[1] = {2u << 20};

	(void)state;
	assert_int_equal(sl_mem_configure(SL_MEM_HUGE_AUTO, limits, 1, 0), 0);
	errno = 0;
	assert_null(sl_malloc(3u << 20, 0, 0));
	assert_int_equal(errno, ENOMEM);
	assert_true(log_capture_has(&cap, "node 0 memory limit of 2 MiB", "--socket-mem"));
}

/* Page size follows the machine: hugepages when reserved, 4 KiB otherwise.  CI runs this
 * test with and without pages reserved. */
static void test_page_size_follows_reservation(void **state)
{
	const struct sl_zone *z;
	unsigned long free2m = free_2m_pages();

	(void)state;
	z = sl_zone_reserve("pagesize", 1u << 20, 0, 0);
	assert_non_null(z);
	if (free2m > 0)
		assert_int_equal(z->page_size, 2u << 20);
	else
		assert_int_equal(z->page_size, (size_t)sysconf(_SC_PAGESIZE));
	print_message("zone page size %zu KiB (%lu free 2 MiB pages before)\n",
		      z->page_size >> 10, free2m);
}

static void test_huge_off_and_required(void **state)
{
	(void)state;
	assert_int_equal(sl_mem_configure(SL_MEM_HUGE_OFF, NULL, 0, 0), 0);
	const struct sl_zone *z = sl_zone_reserve("small_pages", 4096, 0, 0);
	assert_non_null(z);
	assert_int_equal(z->page_size, (size_t)sysconf(_SC_PAGESIZE));
	sl_mem_release_all();

	assert_int_equal(sl_mem_configure(SL_MEM_HUGE_REQUIRE, NULL, 0, 0), 0);
	errno = 0;
	void *p = sl_malloc(4096, 0, 0);
	if (free_2m_pages() == 0 && p == NULL) {
		assert_int_equal(errno, ENOMEM);
		assert_true(log_capture_has(&cap, "hugepages are required", "reserve more"));
	} else {
		assert_non_null(p);
		assert_int_equal(sl_mem_locate(p, NULL, NULL, NULL), 0);
	}
}

/* Segments are shared with peers that map only files sealed against shrinking (memif,
 * vhost-user): every segment's memfd carries F_SEAL_SHRINK, and ftruncate() down fails. */
static void test_segments_sealed(void **state)
{
	void *p = sl_malloc(4096, 0, 0);
	uint64_t off;
	size_t pg;
	int fd;

	(void)state;
	assert_non_null(p);
	assert_int_equal(sl_mem_locate(p, &fd, &off, &pg), 0);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(errno, EPERM);
	sl_free(p);
}

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* Under ASan, freed heap memory is poisoned and live memory is not. */
static void test_asan_poisons_freed_blocks(void **state)
{
	char *p = sl_malloc(256, 0, 0), *q;

	(void)state;
	assert_non_null(p);
	assert_int_equal(__asan_address_is_poisoned(p), 0);
	assert_int_equal(__asan_address_is_poisoned(p + 255), 0);
	sl_free(p);
	assert_int_equal(__asan_address_is_poisoned(p), 1);
	q = sl_malloc(256, 0, 0);
	assert_ptr_equal(q, p); /* first fit gives the block back */
	assert_int_equal(__asan_address_is_poisoned(q + 100), 0);
	sl_free(q);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_aligned_and_zeroed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_merges_neighbours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_reserve_lookup_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_lookup_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_free_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configure_and_stats_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_size_follows_reservation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_huge_off_and_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segments_sealed, setup, teardown),
#if defined(__SANITIZE_ADDRESS__)
		cmocka_unit_test_setup_teardown(test_asan_poisons_freed_blocks, setup, teardown),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
