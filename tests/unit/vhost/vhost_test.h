/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fixture of test_vhost_hostile.c: the port under attack (net_vhost0) and the other port
 * (net_vhost1, with a well-behaved frontend all along), and what every case checks: a good
 * session before it (a packet each way), the drop after it (closed, counted, logged, guard
 * bytes intact, the other port still moving packets, a good frontend served again), and a
 * data-path thread for the cases that act while packets flow.  Include once, after
 * <cmocka.h>.
 */
#ifndef SL_TEST_VHOST_TEST_H
#define SL_TEST_VHOST_TEST_H

#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log_capture.h"
#include "port_test.h"
#include "sl_port.h"
#include "vhost_fe.h"

static struct log_capture cap;
static struct sl_pool *pool;
static char dir[64], path0[128], path1[128];
static uint16_t vp, op;	 /* the port under attack, the other port */
static struct fe other;	 /* the other port's well-behaved frontend */
static unsigned other_n; /* packets it exchanged */

static uint16_t open_port(const char *name, const char *path)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	char devstr[256];
	int id;

	snprintf(devstr, sizeof(devstr), "%s,iface=%s", name, path);
	id = sl_port_create(devstr);
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return (uint16_t)id;
}

static bool link_up(uint16_t id)
{
	struct sl_port_link l;

	assert_int_equal(sl_port_link(id, &l), 0);
	return l.up;
}

/* The backend holds no frontend on port id (every connection it took is gone). */
static bool detached(uint16_t id)
{
	return xstat(id, "connects") == xstat(id, "disconnects");
}

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("vhost_test", 4095, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	strcpy(dir, "/tmp/sluice-vhost-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path0, sizeof(path0), "%s/vh0.sock", dir);
	snprintf(path1, sizeof(path1), "%s/vh1.sock", dir);
	vp = open_port("net_vhost0", path0);
	op = open_port("net_vhost1", path1);
	fe_start(&other, path1);
	assert_true(link_up(op));
	other_n = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fe_check_guards(&other);
	fe_close(&other);
	sl_port_close_all();
	assert_int_equal(sl_port_count(), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);
	sl_pool_free(pool);
	assert_int_equal(access(path0, F_OK), -1);
	rmdir(dir);
	log_capture_stop();
	return 0;
}

static struct sl_pktbuf *make_pkt(uint32_t len, uint32_t seed)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(pool);
	uint8_t *d;

	assert_non_null(p);
	d = (uint8_t *)sl_pktbuf_append(p, (uint16_t)len);
	assert_non_null(d);
	for (uint32_t i = 0; i < len; i++)
		d[i] = fe_pattern(seed, i);
	return p;
}

static bool pkt_ok(const struct sl_pktbuf *p, uint32_t len, uint32_t seed)
{
	uint8_t buf[4096];
	const uint8_t *d;

	if (p->pkt_len != len || len > sizeof(buf))
		return false;
	d = sl_pktbuf_read(p, 0, len, buf);
	if (d == NULL)
		return false;
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != fe_pattern(seed, i))
			return false;
	return true;
}

/* Receives exactly one packet on port id (within 1 s) and checks it. */
static void rx_one(uint16_t id, uint32_t len, uint32_t seed)
{
	struct sl_pktbuf *pkts[8];
	uint16_t n = 0;
	uint64_t end = now_ms() + 1000;

	while (n == 0 && now_ms() < end)
		n = sl_port_rx_burst(id, 0, pkts, 8);
	assert_int_equal(n, 1);
	if (!pkt_ok(pkts[0], len, seed))
		fail_msg("port %u: packet of %u bytes, want %u (seed %u) intact", id,
			 pkts[0]->pkt_len, len, seed);
	sl_pktbuf_free(pkts[0]);
}

/* Sends one packet from port id into the guest's receive buffer slot and checks it. */
static void tx_one(uint16_t id, struct fe *f, uint16_t slot, uint32_t len, uint32_t seed)
{
	struct sl_pktbuf *p = make_pkt(len, seed);
	uint16_t before = f->used[0]->idx;
	const struct sl_vring_used_elem *u = &f->used[0]->ring[before % FE_NUM];
	const uint8_t *b = fe_host(f, 0, FE_RXBUF + (uint64_t)slot * FE_BUF);

	fe_rx_buf(f, slot);
	assert_int_equal(sl_port_tx_burst(id, 0, &p, 1), 1);
	assert_int_equal(__atomic_load_n(&f->used[0]->idx, __ATOMIC_ACQUIRE),
			 (uint16_t)(before + 1));
	assert_int_equal(u->id, slot);
	assert_int_equal(u->len, FE_HDR + len);
	assert_int_equal(((const struct sl_virtio_net_hdr *)b)->num_buffers, 1);
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(b[FE_HDR + i], fe_pattern(seed, i));
}

/* The other port still moves a packet each way. */
static void check_other(void)
{
	uint16_t slot = (uint16_t)(other_n % FE_NUM);

	assert_true(link_up(op));
	fe_tx(&other, slot, 100, 7000 + other_n);
	rx_one(op, 100, 7000 + other_n);
	tx_one(op, &other, slot, 80, 9000 + other_n);
	other_n++;
}

/* A well-behaved frontend connects to the port under attack and moves a packet each way;
 * the session stays open for the case that follows. */
static void good_session(struct fe *f, uint32_t seed)
{
	WAIT_FOR(detached(vp), 2000);
	assert_true(detached(vp));
	log_capture_clear(&cap);
	fe_start(f, path0);
	if (!link_up(vp))
		fail_msg("session %u: the link is down after the handshake", seed);
	fe_tx(f, 0, 200, seed);
	rx_one(vp, 200, seed);
	tx_one(vp, f, 0, 300, seed + 1);
}

/* The frontend leaves cleanly. */
static void fe_bye(struct fe *f)
{
	fe_check_guards(f);
	fe_close(f);
	WAIT_FOR(detached(vp) && !link_up(vp), 2000);
	assert_true(detached(vp));
	assert_false(link_up(vp));
}

/* The backend dropped the frontend: closed, counted in `counter` (was `before`), logged
 * with `reason`, nothing written out of place, the other port fine, and the port serves a
 * good frontend again. */
static void expect_drop(struct fe *f, const char *counter, uint64_t before, const char *reason)
{
	struct sl_pktbuf *pkts[8];
	struct fe g;

	if (!fe_closed_by_peer(f, 2000))
		fail_msg("the backend kept the frontend (want it dropped for '%s')", reason);
	assert_int_equal(xstat(vp, counter), before + 1);
	WAIT_FOR(log_capture_has(&cap, "net_vhost0: dropping the frontend", reason), 1000);
	if (!log_capture_has(&cap, "net_vhost0: dropping the frontend", reason))
		fail_msg("no log line naming '%s'; the log has:\n%s", reason, cap.text);
	WAIT_FOR(detached(vp) && !link_up(vp), 1000);
	if (!detached(vp) || link_up(vp))
		fail_msg("dropped for '%s', but the port is %s", reason,
			 link_up(vp) ? "still up" : "still attached");
	assert_int_equal(sl_port_rx_burst(vp, 0, pkts, 8), 0);
	fe_check_guards(f);
	fe_close(f);
	check_other();
	good_session(&g, 4242);
	fe_bye(&g);
}

/* The message-level case: bad_messages counts it. */
static void expect_msg_drop(struct fe *f, uint64_t before, const char *reason)
{
	expect_drop(f, "bad_messages", before, reason);
}

/* Descriptors the frontend made available on vring 1 fault the rx burst. */
static void expect_rx_fault(struct fe *f, const char *reason)
{
	uint64_t ff = xstat(vp, "frontend_faults"), bd = xstat(vp, "rx_q0_bad_desc");
	uint64_t er = xstat(vp, "rx_q0_errors");
	uint16_t used = f->used[1]->idx;
	struct sl_pktbuf *pkts[8];

	assert_int_equal(sl_port_rx_burst(vp, 0, pkts, 8), 0);
	assert_int_equal(xstat(vp, "rx_q0_bad_desc"), bd + 1);
	assert_int_equal(xstat(vp, "rx_q0_errors"), er + 1);
	assert_int_equal(f->used[1]->idx, used); /* nothing returned for the bad chain */
	/* Faulted: no further burst reads the rings, whatever they hold. */
	assert_int_equal(sl_port_rx_burst(vp, 0, pkts, 8), 0);
	assert_int_equal(xstat(vp, "rx_q0_bad_desc"), bd + 1);
	expect_drop(f, "frontend_faults", ff, reason);
}

/* The guest's receive ring (vring 0) faults the tx burst. */
static void expect_tx_fault(struct fe *f, const char *reason)
{
	uint64_t ff = xstat(vp, "frontend_faults"), bd = xstat(vp, "tx_q0_bad_desc");
	uint16_t used = f->used[0]->idx;
	struct sl_pktbuf *p = make_pkt(100, 5);

	assert_int_equal(sl_port_tx_burst(vp, 0, &p, 1), 0);
	sl_pktbuf_free(p);
	assert_int_equal(xstat(vp, "tx_q0_bad_desc"), bd + 1);
	assert_int_equal(f->used[0]->idx, used);
	expect_drop(f, "frontend_faults", ff, reason);
}

/* One bad descriptor in slot 1 of vring v (1: rx reads it, 0: tx fills it), from a good
 * session. */
static void bad_desc(uint32_t seed, unsigned v, struct sl_vring_desc d, const char *reason)
{
	struct fe f;

	good_session(&f, seed);
	f.desc[v][1] = d;
	fe_push(&f, v, 1);
	if (v == 1)
		expect_rx_fault(&f, reason);
	else
		expect_tx_fault(&f, reason);
}

/* --- a data-path thread, for the cases where the frontend acts while packets flow --- */

struct dp {
	pthread_t thread;
	uint32_t stop;
	uint64_t got;	/* packets received, in order */
	uint64_t bad;	/* out of order, wrong length or content */
	uint32_t len;	/* every packet's length */
	uint32_t seed0; /* the first packet's seed */
};

static void *dp_main(void *arg)
{
	struct dp *d = arg;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		struct sl_pktbuf *pkts[32];
		uint16_t n = sl_port_rx_burst(vp, 0, pkts, 32);
		uint64_t got = __atomic_load_n(&d->got, __ATOMIC_RELAXED);

		for (uint16_t i = 0; i < n; i++) {
			if (!pkt_ok(pkts[i], d->len, d->seed0 + (uint32_t)got))
				__atomic_fetch_add(&d->bad, 1, __ATOMIC_RELAXED);
			got++;
			sl_pktbuf_free(pkts[i]);
		}
		__atomic_store_n(&d->got, got, __ATOMIC_RELEASE);
		if (n == 0)
			usleep(20);
	}
	return NULL;
}

static void dp_start(struct dp *d, uint32_t len, uint32_t seed0)
{
	memset(d, 0, sizeof(*d));
	d->len = len;
	d->seed0 = seed0;
	assert_int_equal(pthread_create(&d->thread, NULL, dp_main, d), 0);
}

static void dp_stop(struct dp *d)
{
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	pthread_join(d->thread, NULL);
}

/* The guest sends packet k of len bytes from slot k % FE_NUM, its buffer in `region`,
 * once the ring has room (false: no room within 2 s). */
static bool guest_send(struct fe *f, uint32_t k, unsigned region, uint32_t len, uint32_t seed0)
{
	uint16_t slot = (uint16_t)(k % FE_NUM);
	uint64_t off = (region == 0 ? FE_TXBUF : 0x4000) + (uint64_t)slot * FE_BUF;
	uint64_t end = now_ms() + 2000;

	while ((uint16_t)(f->avail_idx[1] - __atomic_load_n(&f->used[1]->idx, __ATOMIC_ACQUIRE)) >=
	       FE_NUM) {
		if (now_ms() > end)
			return false;
		usleep(10);
	}
	f->desc[1][slot] = (struct sl_vring_desc){fe_gpa(region, off),
						  fe_fill(f, region, off, len, seed0 + k), 0, 0};
	fe_push(f, 1, slot);
	return true;
}

#endif
