/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost against a hostile frontend.  The test plays the frontend itself (vhost_fe.h:
 * raw socket calls, guest memory in a memfd, rings and descriptors written by hand) and
 * is the port's data path (it calls the bursts).  A second net_vhost port with a
 * well-behaved frontend runs beside it all along (the fixture: vhost_test.h).  For every
 * case below the backend must: hand out no bad packet, close the frontend's connection
 * (within 2 s), count it (frontend_faults for what the rings held, bad_messages for
 * messages; rx_q0_bad_desc / tx_q0_bad_desc for descriptors), log a line naming the
 * reason, write nothing outside the used rings and the receive buffers (guard bytes), keep
 * the other port moving packets both ways, and then serve a well-behaved frontend again
 * (one packet each way).
 *
 *  - descriptors: outside every region, straddling two regions, a length that wraps, a
 *    chain that loops, one longer than the ring, a next index past the ring, a head past
 *    the ring, an avail index too far ahead, the wrong direction (both rings), a receive
 *    buffer too small for the header, a packet no longer than its header or longer than
 *    any packet (96 KiB), a bad chain after a good one in the same burst (the good packet
 *    is delivered);
 *  - indirect tables: longer than a ring may be, past the end of memory, nested, inside a
 *    chain, misaligned (address and length), empty, looping, more than 64 buffers;
 *  - rings: sizes that are not powers of two (100, 0, 65536), vrings that do not exist,
 *    a base above 65535, rings outside memory (each part, straddling a region's end),
 *    misaligned, and a memory table that no longer holds the live rings;
 *  - messages: payload size wrong for the request, version bits wrong, a payload above
 *    what is accepted, a reply flag on a request, features not offered, bad memory
 *    tables (region count against the payload, fds against regions, a region past its
 *    file, an empty file, overlapping regions, an empty region), kick fds against the
 *    no-fd flag, an MTU out of range; an unknown request is answered, not fatal;
 *  - truncated messages and a frontend that vanishes mid-message (inside the header,
 *    inside the payload, inside a memory table with its fds), stalls mid-payload (the
 *    other port's data path keeps going meanwhile) or trickles it a byte at a time (dropped
 *    after a second all the same), or vanishes while packets flow;
 *  - unexpected fds (on GET_FEATURES, SET_VRING_NUM, more fds than a message carries, more
 *    fds than regions): each closed, none leaked;
 *  - the memory table replaced while a data-path thread receives (a region added, removed,
 *    the same table again): every packet arrives once, intact, in order; a buffer in the
 *    region taken away is then a fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vhost_test.h"

#define R_DESC "vring 1: a descriptor outside guest memory (or straddling two regions)"
#define R_CHAIN "vring 1: a descriptor chain that loops or runs past its table"
#define R_INDIRECT "vring 1: a bad indirect table"
#define R_LENGTH "vring 1: a packet with no bytes after its virtio-net header, or over 65549"

static void test_good_traffic(void **state)
{
	struct fe f;
	struct sl_pktbuf *pkts[8];
	uint8_t *a, *b;

	(void)state;
	good_session(&f, 1);

	/* A chain of three: the header, 100 bytes in region 0, 150 in region 1. */
	a = fe_host(&f, 0, FE_TXBUF + 3 * FE_BUF);
	b = fe_host(&f, 1, 0x100);
	memset(fe_host(&f, 0, FE_TXBUF + 2 * FE_BUF), 0, FE_HDR);
	for (uint32_t i = 0; i < 250; i++)
		(i < 100 ? a : b - 100)[i] = fe_pattern(2, i);
	f.desc[1][2] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF + 2 * FE_BUF), FE_HDR,
					      SL_VRING_DESC_F_NEXT, 3};
	f.desc[1][3] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF + 3 * FE_BUF), 100,
					      SL_VRING_DESC_F_NEXT, 4};
	f.desc[1][4] = (struct sl_vring_desc){fe_gpa(1, 0x100), 150, 0, 0};
	fe_push(&f, 1, 2);
	rx_one(vp, 250, 2);

	/* Through an indirect table in region 1: header and 60 bytes, then 40 bytes. */
	{
		struct sl_vring_desc *t = (struct sl_vring_desc *)fe_host(&f, 1, 0x1000);
		uint8_t *c = fe_host(&f, 1, 0x2000), *e = fe_host(&f, 0, FE_TXBUF + 5 * FE_BUF);

		memset(c, 0, FE_HDR);
		for (uint32_t i = 0; i < 100; i++)
			(i < 60 ? c + FE_HDR : e - 60)[i] = fe_pattern(3, i);
		t[0] = (struct sl_vring_desc){fe_gpa(1, 0x2000), FE_HDR + 60, SL_VRING_DESC_F_NEXT,
					      1};
		t[1] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF + 5 * FE_BUF), 40, 0, 0};
		f.desc[1][6] =
			(struct sl_vring_desc){fe_gpa(1, 0x1000), 32, SL_VRING_DESC_F_INDIRECT, 0};
		fe_push(&f, 1, 6);
		rx_one(vp, 100, 3);
	}
	assert_int_equal(xstat(vp, "rx_q0_desc_chained"), 2);

	/* Into the guest: a chain of two receive buffers (header, then the data). */
	f.desc[0][1] = (struct sl_vring_desc){fe_gpa(0, FE_RXBUF + FE_BUF), FE_HDR,
					      SL_VRING_DESC_F_WRITE | SL_VRING_DESC_F_NEXT, 2};
	f.desc[0][2] = (struct sl_vring_desc){fe_gpa(0, FE_RXBUF + 2 * FE_BUF), FE_BUF,
					      SL_VRING_DESC_F_WRITE, 0};
	fe_push(&f, 0, 1);
	pkts[0] = make_pkt(1500, 4);
	assert_int_equal(sl_port_tx_burst(vp, 0, pkts, 1), 1);
	assert_int_equal(f.used[0]->idx, 2);
	assert_int_equal(f.used[0]->ring[1].id, 1);
	assert_int_equal(f.used[0]->ring[1].len, FE_HDR + 1500);
	for (uint32_t i = 0; i < 1500; i++)
		assert_int_equal(fe_host(&f, 0, FE_RXBUF + 2 * FE_BUF)[i], fe_pattern(4, i));

	/* A packet larger than the one buffer offered is dropped and counted; the buffer
	 * then takes the next packet (not a fault: the connection stays). */
	f.desc[0][3] = (struct sl_vring_desc){fe_gpa(0, FE_RXBUF + 3 * FE_BUF), 100,
					      SL_VRING_DESC_F_WRITE, 0};
	fe_push(&f, 0, 3);
	pkts[0] = make_pkt(500, 5);
	pkts[1] = make_pkt(60, 6);
	assert_int_equal(sl_port_tx_burst(vp, 0, pkts, 2), 2);
	assert_int_equal(xstat(vp, "tx_q0_too_big"), 1);
	assert_int_equal(f.used[0]->ring[2].len, FE_HDR + 60);

	/* A receive buffer at an odd address (virtio asks no alignment of buffers; the
	 * header's num_buffers was once stored through a misaligned pointer: UBSan). */
	{
		const uint8_t *odd = fe_host(&f, 0, FE_RXBUF + 4 * FE_BUF + 1);
		uint16_t nb;

		f.desc[0][4] = (struct sl_vring_desc){fe_gpa(0, FE_RXBUF + 4 * FE_BUF + 1),
						      FE_BUF - 1, SL_VRING_DESC_F_WRITE, 0};
		fe_push(&f, 0, 4);
		pkts[0] = make_pkt(200, 7);
		assert_int_equal(sl_port_tx_burst(vp, 0, pkts, 1), 1);
		assert_int_equal(f.used[0]->ring[3].len, FE_HDR + 200);
		memcpy(&nb, odd + offsetof(struct sl_virtio_net_hdr, num_buffers), sizeof(nb));
		assert_int_equal(nb, 1);
		for (uint32_t i = 0; i < 200; i++)
			assert_int_equal(odd[FE_HDR + i], fe_pattern(7, i));
	}

	/* An unknown request with NEED_REPLY is answered "not supported", not fatal. */
	fe_send(&f, 99, SL_VU_VERSION | SL_VU_FLAG_NEED_REPLY, NULL, 0, NULL, 0);
	assert_int_equal(fe_reply(&f, 99), 1);
	fe_send(&f, SL_VU_GET_QUEUE_NUM, SL_VU_VERSION, NULL, 0, NULL, 0);
	assert_int_equal(fe_reply(&f, SL_VU_GET_QUEUE_NUM), 1);

	assert_int_equal(xstat(vp, "frontend_faults") + xstat(vp, "bad_messages"), 0);
	assert_int_equal(xstat(vp, "rx_q0_bad_desc") + xstat(vp, "tx_q0_bad_desc"), 0);
	assert_int_equal(xstat(vp, "tx_q0_guest_notified"), 4); /* avail flags ask for calls */
	assert_xstat_names_unique(vp);
	fe_bye(&f);
	check_other();
}

static void test_hostile_descriptors(void **state)
{
	struct fe f;

	(void)state;
	/* Outside every region. */
	bad_desc(10, 1, (struct sl_vring_desc){0x5000000, 100, 0, 0}, R_DESC);

	/* Straddling two regions (adjacent in guest addresses, not in the frontend's). */
	bad_desc(11, 1, (struct sl_vring_desc){FE_GPA1 - 40, 100, 0, 0}, R_DESC);

	/* Past the end of the last region, and a length that wraps the address space. */
	bad_desc(12, 1, (struct sl_vring_desc){FE_GPA1 + FE_REG - 8, 100, 0, 0}, R_DESC);
	bad_desc(13, 1, (struct sl_vring_desc){FE_GPA0 + 0x100, 0xffffffffu, 0, 0}, R_DESC);

	/* A chain that loops: 1 -> 2 -> 1. */
	good_session(&f, 14);
	f.desc[1][1] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, 2};
	f.desc[1][2] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, 1};
	fe_push(&f, 1, 1);
	expect_rx_fault(&f, R_CHAIN);

	/* A chain longer than the ring: every descriptor chained to the next, round. */
	good_session(&f, 15);
	for (uint16_t i = 0; i < FE_NUM; i++)
		f.desc[1][i] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 20, SL_VRING_DESC_F_NEXT,
						      (uint16_t)((i + 1) % FE_NUM)};
	fe_push(&f, 1, 3);
	expect_rx_fault(&f, R_CHAIN);

	/* A next index past the ring. */
	bad_desc(16, 1,
		 (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, FE_NUM},
		 R_CHAIN);

	/* A head past the ring. */
	good_session(&f, 17);
	fe_push(&f, 1, 200);
	expect_rx_fault(&f, "vring 1: a head index past the ring");

	/* An avail index further ahead than the ring holds. */
	good_session(&f, 18);
	__atomic_store_n(&f.avail[1]->idx, (uint16_t)(f.avail_idx[1] + FE_NUM + 1),
			 __ATOMIC_RELEASE);
	expect_rx_fault(&f, "vring 1: an avail index further ahead than the ring size");

	/* A buffer the device may write offered for the device to read. */
	bad_desc(19, 1, (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_WRITE, 0},
		 "vring 1: a buffer of the wrong direction");

	/* A packet shorter than its virtio-net header, one that is only the header, one
	 * longer than any packet may be (96 KiB in one buffer: 48 packet buffers). */
	bad_desc(26, 1, (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), FE_HDR - 2, 0, 0}, R_LENGTH);
	bad_desc(28, 1, (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), FE_HDR, 0, 0}, R_LENGTH);
	bad_desc(27, 1, (struct sl_vring_desc){fe_gpa(1, 0), 0x18000, 0, 0}, R_LENGTH);

	/* The guest's receive ring: a read-only buffer, one smaller than the header, one
	 * outside memory, a head past the ring. */
	bad_desc(20, 0, (struct sl_vring_desc){fe_gpa(0, FE_RXBUF), FE_BUF, 0, 0},
		 "vring 0: a buffer of the wrong direction");
	bad_desc(21, 0, (struct sl_vring_desc){fe_gpa(0, FE_RXBUF), 4, SL_VRING_DESC_F_WRITE, 0},
		 "vring 0: a descriptor outside guest memory");
	bad_desc(22, 0, (struct sl_vring_desc){FE_GPA2, FE_BUF, SL_VRING_DESC_F_WRITE, 0},
		 "vring 0: a descriptor outside guest memory");
	good_session(&f, 23);
	fe_push(&f, 0, FE_NUM);
	expect_tx_fault(&f, "vring 0: a head index past the ring");

	/* A good packet, then a bad one in the same burst: the good one is delivered. */
	good_session(&f, 24);
	fe_tx(&f, 1, 64, 25);
	f.desc[1][2] = (struct sl_vring_desc){0x5000000, 100, 0, 0};
	fe_push(&f, 1, 2);
	{
		struct sl_pktbuf *pkts[8];
		uint64_t ff = xstat(vp, "frontend_faults");

		assert_int_equal(sl_port_rx_burst(vp, 0, pkts, 8), 1);
		assert_true(pkt_ok(pkts[0], 64, 25));
		sl_pktbuf_free(pkts[0]);
		assert_int_equal(f.used[1]->idx, 2);
		expect_drop(&f, "frontend_faults", ff, R_DESC);
	}
	assert_int_equal(xstat(vp, "frontend_faults"), 18);
	assert_int_equal(xstat(vp, "rx_q0_bad_desc"), 14);
	assert_int_equal(xstat(vp, "tx_q0_bad_desc"), 4);
}

/* An indirect descriptor in slot 1 pointing at table (in region 1, offset 0x1000 unless
 * addr says otherwise) of len bytes with the given flags. */
static void indirect(struct fe *f, uint64_t addr, uint32_t len, uint16_t flags)
{
	f->desc[1][1] =
		(struct sl_vring_desc){addr, len, (uint16_t)(SL_VRING_DESC_F_INDIRECT | flags), 2};
	f->desc[1][2] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, 0, 0};
	fe_push(f, 1, 1);
}

/* A bad indirect descriptor alone, from a good session. */
static void bad_indirect(uint32_t seed, uint64_t addr, uint32_t len, uint16_t flags)
{
	struct fe f;

	good_session(&f, seed);
	indirect(&f, addr, len, flags);
	expect_rx_fault(&f, R_INDIRECT);
}

static void test_hostile_indirect(void **state)
{
	struct fe f;
	struct sl_vring_desc *t;
	const uint64_t tab = fe_gpa(1, 0x1000);

	(void)state;
	/* Longer than any ring may be (32768 entries), and running past the end of memory. */
	bad_indirect(30, tab, 16 * (SL_VRING_MAX_SIZE + 1), 0);
	bad_indirect(31, fe_gpa(1, FE_REG - 64), 16 * 8, 0);

	/* Nested: an entry of the table is itself indirect. */
	good_session(&f, 32);
	t = (struct sl_vring_desc *)fe_host(&f, 1, 0x1000);
	t[0] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, 1};
	t[1] = (struct sl_vring_desc){tab, 32, SL_VRING_DESC_F_INDIRECT, 0};
	indirect(&f, tab, 32, 0);
	expect_rx_fault(&f, R_INDIRECT);

	/* Indirect inside a chain (NEXT set on the indirect descriptor), and an indirect
	 * descriptor reached through NEXT. */
	good_session(&f, 33);
	t = (struct sl_vring_desc *)fe_host(&f, 1, 0x1000);
	t[0] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, 0, 0};
	indirect(&f, tab, 16, SL_VRING_DESC_F_NEXT);
	expect_rx_fault(&f, R_INDIRECT);
	good_session(&f, 34);
	f.desc[1][1] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, 2};
	f.desc[1][2] = (struct sl_vring_desc){tab, 16, SL_VRING_DESC_F_INDIRECT, 0};
	fe_push(&f, 1, 1);
	expect_rx_fault(&f, R_INDIRECT);

	/* Misaligned: the table's address, its length (not a whole number of entries);
	 * and an empty table. */
	bad_indirect(35, tab + 8, 32, 0);
	bad_indirect(36, tab, 24, 0);
	bad_indirect(37, tab, 0, 0);

	/* A table outside memory. */
	bad_indirect(38, 0x9000000, 32, 0);

	/* Inside the table: a loop, a next past its end, a chain of 80 (over 64 buffers). */
	good_session(&f, 39);
	t = (struct sl_vring_desc *)fe_host(&f, 1, 0x1000);
	t[0] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, 1};
	t[1] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, 0};
	indirect(&f, tab, 32, 0);
	expect_rx_fault(&f, R_CHAIN);
	good_session(&f, 40);
	t = (struct sl_vring_desc *)fe_host(&f, 1, 0x1000);
	t[0] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 50, SL_VRING_DESC_F_NEXT, 2};
	indirect(&f, tab, 32, 0);
	expect_rx_fault(&f, R_CHAIN);
	good_session(&f, 41);
	t = (struct sl_vring_desc *)fe_host(&f, 1, 0x1000);
	for (uint16_t i = 0; i < 80; i++)
		t[i] = (struct sl_vring_desc){fe_gpa(0, FE_TXBUF), 20, SL_VRING_DESC_F_NEXT,
					      (uint16_t)(i + 1)};
	t[79].flags = 0;
	indirect(&f, tab, 16 * 80, 0);
	expect_rx_fault(&f, R_CHAIN);
	assert_int_equal(xstat(vp, "rx_q0_bad_desc"), 12);
}

static void test_hostile_rings(void **state)
{
	struct fe f;
	uint64_t bm;

	(void)state;
	/* Ring sizes that are not powers of two, zero, above the largest. */
	static const uint32_t sizes[] = {100, 0, 65536, 3};

	for (unsigned i = 0; i < SL_ARRAY_SIZE(sizes); i++) {
		char reason[96];
		struct sl_vu_state st = {1, sizes[i]};

		good_session(&f, 50 + i);
		bm = xstat(vp, "bad_messages");
		fe_send(&f, SL_VU_SET_VRING_NUM, SL_VU_VERSION, &st, sizeof(st), NULL, 0);
		snprintf(reason, sizeof(reason),
			 "SET_VRING_NUM: vring 1 size %u is not a power of two", sizes[i]);
		expect_msg_drop(&f, bm, reason);
	}

	/* A vring the port does not offer (one queue pair: 0 and 1), a base above 65535. */
	good_session(&f, 60);
	bm = xstat(vp, "bad_messages");
	fe_send(&f, SL_VU_SET_VRING_NUM, SL_VU_VERSION, &(struct sl_vu_state){7, 16}, 8, NULL, 0);
	expect_msg_drop(&f, bm, "SET_VRING_NUM: vring 7, but 1 queue pairs offer vrings 0-1");
	good_session(&f, 61);
	bm = xstat(vp, "bad_messages");
	fe_send(&f, SL_VU_SET_VRING_BASE, SL_VU_VERSION, &(struct sl_vu_state){0, 70000}, 8, NULL,
		0);
	expect_msg_drop(&f, bm, "SET_VRING_BASE: vring 0 base 70000 above 65535");

	/* Rings outside memory: each part in turn, then the used ring straddling the end of
	 * region 0; checked when the ring is enabled. */
	for (unsigned part = 0; part < 4; part++) {
		static const char *const names[] = {"descriptor table", "avail ring", "used ring",
						    "used ring"};
		uint64_t a[3] = {fe_ring_uva(1, 0), fe_ring_uva(1, 1), fe_ring_uva(1, 2)};
		struct sl_vu_addr addr;
		struct sl_vu_state en = {1, 1};
		char reason[128];

		good_session(&f, 62 + part);
		fe_state(&f, SL_VU_SET_VRING_ENABLE, 1, 0);
		a[part < 3 ? part : 2] = part < 3 ? 0xdead0000ull : FE_UVA0 + FE_REG - 64;
		addr = (struct sl_vu_addr){.index = 1, .desc = a[0], .used = a[2], .avail = a[1]};
		fe_req(&f, SL_VU_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0);
		bm = xstat(vp, "bad_messages");
		fe_send(&f, SL_VU_SET_VRING_ENABLE, SL_VU_VERSION, &en, sizeof(en), NULL, 0);
		snprintf(reason, sizeof(reason),
			 "SET_VRING_ENABLE: vring 1: its %s (0x%llx) lies outside", names[part],
			 (unsigned long long)a[part < 3 ? part : 2]);
		expect_msg_drop(&f, bm, reason);
	}

	/* A misaligned descriptor table, set on a live ring (it is re-checked at once). */
	good_session(&f, 66);
	bm = xstat(vp, "bad_messages");
	{
		struct sl_vu_addr addr = {.index = 0,
					  .desc = fe_ring_uva(0, 0) + 8,
					  .used = fe_ring_uva(0, 2),
					  .avail = fe_ring_uva(0, 1)};

		fe_send(&f, SL_VU_SET_VRING_ADDR, SL_VU_VERSION, &addr, sizeof(addr), NULL, 0);
	}
	expect_msg_drop(&f, bm, "SET_VRING_ADDR: vring 0: misaligned ring addresses");

	/* A memory table that no longer holds the live rings (region 0 taken away). */
	good_session(&f, 67);
	bm = xstat(vp, "bad_messages");
	{
		struct sl_vu_memory t;
		int fds[3];
		uint32_t size = fe_table(&f, 6, &t, fds); /* regions 1 and 2 */

		fe_send(&f, SL_VU_SET_MEM_TABLE, SL_VU_VERSION, &t, size, fds, t.nregions);
		sl_vu_close_fds(fds, t.nregions);
	}
	expect_msg_drop(&f, bm, "SET_MEM_TABLE: vring 0: its descriptor table");
	assert_int_equal(xstat(vp, "bad_messages"), 12);
	assert_int_equal(xstat(vp, "frontend_faults"), 0);
}

/* Sends a message and expects the drop it earns, from a good session. */
static void bad_msg(uint32_t seed, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
		    const int *fds, unsigned nfds, const char *reason)
{
	struct fe f;
	uint64_t bm;

	good_session(&f, seed);
	bm = xstat(vp, "bad_messages");
	fe_send(&f, req, flags, payload, size, fds, nfds);
	expect_msg_drop(&f, bm, reason);
}

static void test_malformed_messages(void **state)
{
	const uint32_t v = SL_VU_VERSION;
	uint64_t u = 0;
	uint8_t big[4096] = {0};
	struct sl_vu_memory t;
	int fds[3];
	unsigned fds_before = open_fds();

	(void)state;
	/* Payload sizes wrong for the request. */
	bad_msg(70, SL_VU_SET_FEATURES, v, &u, 4, NULL, 0,
		"SET_FEATURES: payload of 4 bytes, not 8");
	bad_msg(71, SL_VU_SET_VRING_NUM, v, big, 12, NULL, 0,
		"SET_VRING_NUM: payload of 12 bytes, not 8");
	bad_msg(72, SL_VU_SET_VRING_ADDR, v, big, 32, NULL, 0,
		"SET_VRING_ADDR: payload of 32 bytes, not 40");
	bad_msg(73, SL_VU_SET_PROTOCOL_FEATURES, v, big, 0, NULL, 0,
		"SET_PROTOCOL_FEATURES: payload of 0 bytes, not 8");
	bad_msg(74, SL_VU_SEND_RARP, v, big, 16, NULL, 0, "SEND_RARP: payload of 16 bytes, not 8");
	/* Version bits wrong (0, 2, 3), a payload above the 512 bytes accepted, a reply flag
	 * on a request. */
	bad_msg(75, SL_VU_GET_FEATURES, 0, NULL, 0, NULL, 0, "GET_FEATURES: version 0, not 1");
	bad_msg(76, SL_VU_GET_FEATURES, 2, NULL, 0, NULL, 0, "GET_FEATURES: version 2, not 1");
	bad_msg(77, SL_VU_SET_OWNER, 3 | SL_VU_FLAG_NEED_REPLY, NULL, 0, NULL, 0,
		"SET_OWNER: version 3, not 1");
	bad_msg(78, SL_VU_SET_CONFIG, v, big, 4096, NULL, 0,
		"SET_CONFIG: payload of 4096 bytes, above the 512 accepted");
	bad_msg(79, SL_VU_GET_FEATURES, v | SL_VU_FLAG_REPLY, NULL, 0, NULL, 0,
		"GET_FEATURES: a reply where a request was due");
	/* Features the backend did not offer (packed rings), an MTU out of range. */
	u = SL_VIRTIO_BIT(SL_VIRTIO_F_VERSION_1) | SL_VIRTIO_BIT(SL_VIRTIO_F_RING_PACKED);
	bad_msg(80, SL_VU_SET_FEATURES, v, &u, 8, NULL, 0, "which we did not offer");
	u = 10;
	bad_msg(81, SL_VU_NET_SET_MTU, v, &u, 8, NULL, 0, "NET_SET_MTU: MTU outside 68-65535");

	/* Kick fds against the no-fd flag: an fd with it, none without it. */
	{
		int efd = eventfd(0, EFD_CLOEXEC);

		u = 1 | SL_VU_VRING_NOFD;
		bad_msg(82, SL_VU_SET_VRING_KICK, v, &u, 8, &efd, 1,
			"SET_VRING_KICK: 1 fds with the no-fd flag set");
		close(efd);
		u = 1;
		bad_msg(83, SL_VU_SET_VRING_CALL, v, &u, 8, NULL, 0,
			"SET_VRING_CALL: 0 fds with the no-fd flag clear");
	}

	/* Memory tables: more regions than the payload holds, more than 8, fewer fds than
	 * regions, a region past the end of its file, one of size 0, overlapping regions,
	 * a region wrapping the address space. */
	{
		struct fe f;

		good_session(&f, 84);
		fe_table(&f, FE_TABLE_01, &t, fds);
		fe_close(&f);
	}
	WAIT_FOR(detached(vp), 2000);
	t.nregions = 3;
	bad_msg(85, SL_VU_SET_MEM_TABLE, v, &t, 8 + 32 * 2, fds, 2,
		"SET_MEM_TABLE: 3 regions in a payload of 72 bytes");
	t.nregions = 9;
	bad_msg(86, SL_VU_SET_MEM_TABLE, v, &t, sizeof(t), fds, 2,
		"SET_MEM_TABLE: 9 regions in a payload");
	t.nregions = 2;
	bad_msg(87, SL_VU_SET_MEM_TABLE, v, &t, 8 + 32 * 2, fds, 1,
		"SET_MEM_TABLE: 2 regions but 1 fds");
	t.regions[1].memory_size = 4 * FE_REG;
	bad_msg(88, SL_VU_SET_MEM_TABLE, v, &t, 8 + 32 * 2, fds, 2,
		"SET_MEM_TABLE: region 1: offset 0x20000 + size 0x80000 is past the end of its file");
	t.regions[1].memory_size = 0;
	bad_msg(89, SL_VU_SET_MEM_TABLE, v, &t, 8 + 32 * 2, fds, 2,
		"SET_MEM_TABLE: region 1: size 0x0 at offset 0x20000 wraps or is empty");
	t.regions[1].memory_size = FE_REG;
	t.regions[1].guest_phys_addr = FE_GPA0 + 0x1000;
	bad_msg(90, SL_VU_SET_MEM_TABLE, v, &t, 8 + 32 * 2, fds, 2,
		"SET_MEM_TABLE: regions 0 and 1 overlap");
	t.regions[1].guest_phys_addr = FE_GPA1;
	t.regions[1].userspace_addr = FE_UVA0 + 0x1000;
	bad_msg(91, SL_VU_SET_MEM_TABLE, v, &t, 8 + 32 * 2, fds, 2,
		"SET_MEM_TABLE: regions 0 and 1 overlap");
	t.regions[1].userspace_addr = ~0ull - 0x1000;
	bad_msg(92, SL_VU_SET_MEM_TABLE, v, &t, 8 + 32 * 2, fds, 2, "wraps or is empty");
	sl_vu_close_fds(fds, 2);

	/* A region whose file is empty (mapping it would fault on first touch). */
	{
		int empty = memfd_create("vhost-test-empty", MFD_CLOEXEC);
		struct sl_vu_memory e = {.nregions = 1};

		assert_true(empty >= 0);
		e.regions[0] = (struct sl_vu_region){FE_GPA0, FE_REG, FE_UVA0, 0};
		bad_msg(93, SL_VU_SET_MEM_TABLE, v, &e, 8 + 32, &empty, 1,
			"SET_MEM_TABLE: region 0: offset 0x0 + size 0x20000 is past the end of its "
			"file (0 bytes)");
		close(empty);
	}
	WAIT_FOR(open_fds() == fds_before, 1000);
	assert_int_equal(open_fds(), fds_before);
	assert_int_equal(xstat(vp, "bad_messages"), 23);
}

static void test_unexpected_fds(void **state)
{
	unsigned before;
	int efd[9];

	(void)state;
	for (unsigned i = 0; i < 9; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC);
		assert_true(efd[i] >= 0);
	}
	before = open_fds();
	bad_msg(100, SL_VU_GET_FEATURES, SL_VU_VERSION, NULL, 0, efd, 1,
		"GET_FEATURES: 1 unexpected fds");
	bad_msg(101, SL_VU_SET_VRING_NUM, SL_VU_VERSION, &(struct sl_vu_state){1, 16}, 8, efd, 2,
		"SET_VRING_NUM: 2 unexpected fds");
	bad_msg(102, SL_VU_SET_OWNER, SL_VU_VERSION, NULL, 0, efd, 9,
		"more fds than a message may carry (8)");
	{
		struct fe f;
		struct sl_vu_memory t;
		int fds[4];
		uint32_t size;
		uint64_t bm;

		good_session(&f, 103);
		size = fe_table(&f, FE_TABLE_01, &t, fds);
		fds[2] = efd[0];
		fds[3] = efd[1];
		bm = xstat(vp, "bad_messages");
		fe_send(&f, SL_VU_SET_MEM_TABLE, SL_VU_VERSION, &t, size, fds, 4);
		sl_vu_close_fds(fds, 2);
		expect_msg_drop(&f, bm, "SET_MEM_TABLE: 2 regions but 4 fds");
	}
	/* Every fd the backend was handed is closed. */
	WAIT_FOR(open_fds() == before, 1000);
	assert_int_equal(open_fds(), before);
	sl_vu_close_fds(efd, 9);
}

static void test_mem_table_live(void **state)
{
	const uint32_t total = 1200, len = 300, seed0 = 500;
	struct dp d;
	struct fe f;

	(void)state;
	good_session(&f, 110);
	dp_start(&d, len, seed0);
	for (uint32_t k = 0; k < total; k++) {
		unsigned region = 0;

		if (k >= 100 && k < 600)
			region = (k & 1) ? 2 : 0; /* region 2 is in the table from packet 100 */
		else if (k >= 600)
			region = k & 1; /* regions 0 and 1 */
		if (k == 100)
			fe_mem_table(&f, FE_TABLE_ALL); /* hot-plugged, packets in flight */
		if (k == 600) {
			/* Region 2 goes: once no packet in flight uses it. */
			WAIT_FOR(__atomic_load_n(&d.got, __ATOMIC_ACQUIRE) == k, 2000);
			fe_mem_table(&f, FE_TABLE_01);
		}
		if (k > 600 && k % 100 == 0)
			fe_mem_table(&f, FE_TABLE_01); /* the same table again, mid-flight */
		if (!guest_send(&f, k, region, len, seed0))
			fail_msg("packet %u: the backend stopped taking packets", k);
	}
	WAIT_FOR(__atomic_load_n(&d.got, __ATOMIC_ACQUIRE) == total, 5000);
	dp_stop(&d);
	assert_int_equal(d.got, total);
	assert_int_equal(d.bad, 0);
	assert_int_equal(f.used[1]->idx, (uint16_t)(total + 1)); /* and good_session's */
	assert_true(link_up(vp));
	assert_int_equal(xstat(vp, "frontend_faults") + xstat(vp, "bad_messages"), 0);
	assert_int_equal(xstat(vp, "rx_q0_packets"), total + 1);
	tx_one(vp, &f, 5, 400, 111);

	/* The region taken away is gone for good: a buffer there is a fault. */
	guest_send(&f, total, 2, 60, 0);
	expect_rx_fault(&f, R_DESC);
}

static void test_truncated_and_vanishing(void **state)
{
	struct sl_vu_addr addr = {0};
	uint8_t buf[64];
	unsigned before = open_fds();
	struct fe f;
	uint64_t bm;

	(void)state;
	/* The header promises 40 bytes; 10 come, then the frontend closes. */
	good_session(&f, 120);
	bm = xstat(vp, "bad_messages");
	memcpy(buf, &(struct sl_vu_hdr){SL_VU_SET_VRING_ADDR, SL_VU_VERSION, 40}, 12);
	memcpy(buf + 12, &addr, 10);
	assert_int_equal(fe_send_raw(&f, buf, 22, NULL, 0), 22);
	shutdown(f.fd, SHUT_WR);
	expect_msg_drop(&f, bm, "SET_VRING_ADDR: payload of 40 bytes cut short (end of file)");

	/* Half a header, then gone. */
	good_session(&f, 121);
	bm = xstat(vp, "bad_messages");
	assert_int_equal(fe_send_raw(&f, buf, 6, NULL, 0), 6);
	shutdown(f.fd, SHUT_WR);
	expect_msg_drop(&f, bm, "the connection closed inside a message header");

	/* A memory table cut short with its fds in flight. */
	good_session(&f, 122);
	bm = xstat(vp, "bad_messages");
	{
		struct sl_vu_memory t;
		int fds[3];
		uint32_t size = fe_table(&f, FE_TABLE_01, &t, fds);

		memcpy(buf, &(struct sl_vu_hdr){SL_VU_SET_MEM_TABLE, SL_VU_VERSION, size}, 12);
		memcpy(buf + 12, &t, 30);
		assert_int_equal(fe_send_raw(&f, buf, 42, fds, 2), 42);
		sl_vu_close_fds(fds, 2);
	}
	shutdown(f.fd, SHUT_WR);
	expect_msg_drop(&f, bm, "SET_MEM_TABLE: payload of 72 bytes cut short (end of file)");

	/* A frontend that stalls inside a payload is dropped after a second; meanwhile the
	 * other port's data path does not wait for the control thread. */
	good_session(&f, 123);
	bm = xstat(vp, "bad_messages");
	memcpy(buf, &(struct sl_vu_hdr){SL_VU_SET_VRING_ADDR, SL_VU_VERSION, 40}, 12);
	assert_int_equal(fe_send_raw(&f, buf, 22, NULL, 0), 22);
	usleep(200 * 1000); /* the control thread is waiting for the rest */
	check_other();
	check_other();
	expect_msg_drop(&f, bm,
			"SET_VRING_ADDR: payload of 40 bytes cut short (Connection timed out)");

	/* One that trickles a payload, a byte every 300 ms, is dropped all the same once the
	 * second is up (not after the last byte, 12 s later). */
	good_session(&f, 126);
	bm = xstat(vp, "bad_messages");
	assert_int_equal(fe_send_raw(&f, buf, 12, NULL, 0), 12);
	{
		uint64_t t0 = now_ms();
		bool closed = false;

		for (unsigned i = 0; i < 40 && !closed; i++) {
			closed = fe_closed_by_peer(&f, 300);
			if (!closed)
				assert_int_equal(fe_send_raw(&f, buf + 12, 1, NULL, 0), 1);
		}
		if (!closed || now_ms() - t0 > 2500)
			fail_msg("a trickled message held the control thread for %llu ms",
				 (unsigned long long)(now_ms() - t0));
	}
	expect_msg_drop(&f, bm,
			"SET_VRING_ADDR: payload of 40 bytes cut short (Connection timed out)");

	/* The frontend vanishes while packets flow (packets in its ring, a data-path thread
	 * in its bursts); nothing arrives damaged, every buffer comes back. */
	for (unsigned round = 0; round < 3; round++) {
		struct dp d;

		good_session(&f, 124);
		dp_start(&d, 200, 1000);
		for (uint32_t k = 0; k < 100 + 50 * round; k++)
			assert_true(guest_send(&f, k, 0, 200, 1000));
		if (round == 2) {
			/* mid-message: a memory table header, no payload */
			memcpy(buf, &(struct sl_vu_hdr){SL_VU_SET_MEM_TABLE, SL_VU_VERSION, 72},
			       12);
			assert_int_equal(fe_send_raw(&f, buf, 12, NULL, 0), 12);
		}
		fe_hangup(&f);
		WAIT_FOR(detached(vp), 2000);
		assert_true(detached(vp));
		for (uint32_t k = 0; k < 20; k++) /* the ring is the guest's: it may go on */
			f.avail[1]->idx++;
		usleep(20000);
		dp_stop(&d);
		assert_int_equal(d.bad, 0);
		assert_true(d.got <= 100 + 50 * round);
		assert_false(link_up(vp));
		fe_check_guards(&f);
		fe_close(&f);
		check_other();
	}
	assert_int_equal(xstat(vp, "bad_messages"), 6);
	assert_int_equal(sl_pool_in_use(pool), 0);
	good_session(&f, 125);
	fe_bye(&f);
	WAIT_FOR(open_fds() == before, 1000);
	assert_int_equal(open_fds(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_traffic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_rings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexpected_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_table_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_vanishing, setup, teardown),
	};

	if (getenv("VHOST_TEST")) /* one test only, e.g. VHOST_TEST=test_mem_table_live */
		cmocka_set_test_filter(getenv("VHOST_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
