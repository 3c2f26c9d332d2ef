/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_port.h"
#include "sl_ring.h"

static struct log_capture cap;
static struct sl_pool *pool;

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("port_test", 1024, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_port_close_all();
	assert_int_equal(sl_port_count(), 0);
	assert_int_equal(sl_pool_in_use(pool), 0); /* every buffer came back */
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

/* Creates, configures (queues rxq/txq), sets up and starts a port. */
static int start_port(const char *devstr, uint16_t nq)
{
	struct sl_port_conf conf = {.nb_rxq = nq, .nb_txq = nq};
	int id = sl_port_create(devstr);

	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, pool), 0);
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	}
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return id;
}

static void test_bad_device_strings(void **state)
{
	(void)state;
	assert_int_equal(sl_port_create("net_bogus0"), -ENOENT);
	assert_true(log_capture_has(&cap, "'net_bogus0': no such driver", "net_null"));
	assert_int_equal(sl_port_create("net_null0,size"), -EINVAL);
	assert_true(log_capture_has(&cap, "'size' is not key=value", NULL));
	assert_int_equal(sl_port_create("net_null0,colour=red"), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown argument 'colour'", "size=BYTES"));
	assert_int_equal(sl_port_create("net_null0,size=huge"), -EINVAL);
	assert_true(log_capture_has(&cap, "size=huge is not a number in [14, 9018]", NULL));
	assert_int_equal(sl_port_create("net_null0,size=10"), -EINVAL);
	assert_int_equal(sl_port_create("net_null0,copy=maybe"), -EINVAL);
	assert_true(log_capture_has(&cap, "copy=maybe is not a boolean", NULL));
	assert_int_equal(sl_port_create(",size=64"), -EINVAL);
	assert_int_equal(sl_port_create("net_ring0,rx=a"), -EINVAL);
	assert_true(log_capture_has(&cap, "give both rx= and tx=", NULL));
	assert_int_equal(sl_port_create("net_ring0,size=1000"), -EINVAL);
	assert_true(log_capture_has(&cap, "size=1000 is not a power of two; use 1024", NULL));
	assert_int_equal(sl_port_count(), 0);
}

static void test_names_and_limits(void **state)
{
	char name[32];
	int id;

	(void)state;
	id = sl_port_create("net_null0");
	assert_true(id >= 0);
	assert_int_equal(sl_port_lookup("net_null0"), id);
	assert_int_equal(sl_port_create("net_null0"), -EEXIST);
	/* The short form finds the same driver. */
	assert_true(sl_port_create("null7") >= 0);
	for (int i = 2; sl_port_count() < SL_PORT_MAX; i++) {
		snprintf(name, sizeof(name), "net_null%d", 100 + i);
		assert_true(sl_port_create(name) >= 0);
	}
	assert_int_equal(sl_port_create("net_null99"), -ENOSPC);
	assert_true(log_capture_has(&cap, "all 32 ports are in use", NULL));
	assert_int_equal(sl_port_lookup("net_null99"), -ENOENT);
}

static void test_lifecycle_errors(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_port_conf too_many = {.nb_rxq = 17, .nb_txq = 1};
	struct sl_pktbuf *pkts[4];
	struct sl_port_stats st;
	uint16_t id;

	(void)state;
	id = (uint16_t)sl_port_create("net_null0");
	assert_int_equal(sl_port_start(id), -EINVAL);
	assert_int_equal(sl_port_rxq_setup(id, 0, 0, 0, pool), -EINVAL);
	assert_true(log_capture_has(&cap, "configure the port before setting up queues", NULL));
	assert_int_equal(sl_port_configure(id, &too_many), -EINVAL);
	assert_true(log_capture_has(&cap, "17 rx and 1 tx queues asked", NULL));
	assert_int_equal(sl_port_configure(id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup(id, 0, 0, 0, NULL), -EINVAL);
	assert_int_equal(sl_port_rxq_setup(id, 1, 0, 0, pool), -EINVAL);
	assert_int_equal(sl_port_rxq_setup(id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_start(id), -EINVAL);
	assert_true(log_capture_has(&cap, "tx queue 0 is not set up", NULL));
	assert_int_equal(sl_port_txq_setup(id, 0, 0, 0), 0);
	/* Stopped: rx gives nothing, tx takes nothing and counts the attempt. */
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 4), 0);
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 4), 0);
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 4), 0);
	sl_pktbuf_free_bulk(pkts, 4);
	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.tx_stopped, 4);
	assert_int_equal(sl_port_start(id), 0);
	assert_int_equal(sl_port_configure(id, &conf), -EBUSY);
	assert_int_equal(sl_port_mtu_set(id, 20), -EINVAL);
	assert_true(log_capture_has(&cap, "MTU 20 is outside", NULL));
	assert_int_equal(sl_port_reta_set(id, NULL, 0), -ENOTSUP);
	assert_int_equal(sl_port_stop(id), 0);
	assert_int_equal(sl_port_close(id), 0);
	assert_int_equal(sl_port_close(id), -ENODEV);
	assert_int_equal(sl_port_stats(99, &st), -ENODEV);
}

static void test_null_rx_tx(void **state)
{
	struct sl_pktbuf *pkts[32];
	struct sl_port_stats st;
	struct sl_port_xstat xs[64];
	uint8_t mac[6];
	uint16_t id = (uint16_t)start_port("net_null0,size=128,copy=1", 2);
	int n;

	(void)state;
	assert_int_equal(sl_port_rx_burst(id, 1, pkts, 32), 32);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(pkts[i]->pkt_len, 128);
		assert_int_equal(pkts[i]->port, id);
	}
	assert_int_equal(sl_port_mac(id, mac), 0);
	/* The template frame: broadcast destination, the port's MAC as source, IPv4. */
	assert_memory_equal(sl_pktbuf_mtod(pkts[0], uint8_t *) + 6, mac, 6);
	assert_int_equal(sl_pktbuf_mtod(pkts[0], uint8_t *)[12], 0x08);
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 32), 32);
	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.ipackets, 32);
	assert_int_equal(st.ibytes, 32 * 128);
	assert_int_equal(st.q_ipackets[1], 32);
	assert_int_equal(st.opackets, 32);
	assert_int_equal(st.q_opackets[0], 32);
	n = sl_port_xstats(id, xs, 64);
	assert_true(n > 9 && n <= 64);
	assert_string_equal(xs[0].name, "rx_good_packets");
	assert_int_equal(xs[0].value, 32);
	assert_int_equal(sl_port_xstats(id, NULL, 0), n);
	assert_int_equal(sl_port_stats_reset(id), 0);
	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.ipackets + st.opackets, 0);
}

static void test_null_pool_exhausted_is_counted(void **state)
{
	struct sl_pktbuf *held[1024], *pkts[32];
	struct sl_port_stats st;
	uint16_t id = (uint16_t)start_port("net_null0", 1);

	(void)state;
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, held, 1024), 0);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 32), 0);
	sl_port_stats(id, &st);
	assert_int_equal(st.rx_nombuf, 32);
	sl_pktbuf_free_bulk(held, 1024);
}

static void test_ring_loopback_and_wired(void **state)
{
	struct sl_pktbuf *pkts[8], *got[8];
	struct sl_port_stats st;
	uint16_t loop = (uint16_t)start_port("net_ring0", 1);
	uint16_t a = (uint16_t)start_port("net_ring1,rx=ab_0:ab_1,tx=ba_0:ba_1", 2);
	uint16_t b = (uint16_t)start_port("net_ring2,rx=ba_0:ba_1,tx=ab_0:ab_1", 2);

	(void)state;
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 8), 0);
	for (int i = 0; i < 8; i++)
		*(int *)sl_pktbuf_append(pkts[i], 4) = i;
	assert_int_equal(sl_port_tx_burst(loop, 0, pkts, 8), 8);
	assert_int_equal(sl_port_rx_burst(loop, 0, got, 8), 8);
	assert_memory_equal(got, pkts, sizeof(pkts));
	/* a's queue 1 sends to b's queue 1, and nothing arrives on queue 0. */
	assert_int_equal(sl_port_tx_burst(a, 1, got, 8), 8);
	assert_int_equal(sl_port_rx_burst(b, 0, pkts, 8), 0);
	assert_int_equal(sl_port_rx_burst(b, 1, pkts, 8), 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(*sl_pktbuf_mtod(pkts[i], int *), i);
		assert_int_equal(pkts[i]->port, b);
	}
	sl_port_stats(a, &st);
	assert_int_equal(st.q_opackets[1], 8);
	assert_int_equal(st.obytes, 32);
	sl_port_stats(b, &st);
	assert_int_equal(st.q_ipackets[1], 8);
	sl_pktbuf_free_bulk(pkts, 8);
}

static void test_ring_full_counted(void **state)
{
	struct sl_pktbuf *pkts[20];
	struct sl_port_xstat xs[32];
	uint16_t id = (uint16_t)start_port("net_ring0,size=16", 1);
	int n;

	(void)state;
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 20), 0);
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 20), 16);
	n = sl_port_xstats(id, xs, 32);
	assert_string_equal(xs[n - 1].name, "tx_q0_ring_full");
	assert_int_equal(xs[n - 1].value, 4);
	sl_pktbuf_free_bulk(pkts + 16, 4);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 20), 16);
	sl_pktbuf_free_bulk(pkts, 16);
}

static uint16_t drop_odd(uint16_t port, uint16_t q, struct sl_pktbuf **pkts, uint16_t n, void *arg)
{
	uint16_t kept = 0;

	(void)port;
	(void)q;
	for (uint16_t i = 0; i < n; i++) {
		if (i % 2) {
			sl_pktbuf_free(pkts[i]);
			(*(unsigned *)arg)++;
		} else {
			pkts[kept++] = pkts[i];
		}
	}
	return kept;
}

static void test_rx_callback(void **state)
{
	struct sl_pktbuf *pkts[16];
	struct sl_port_callback *cb;
	unsigned dropped = 0;
	uint16_t id = (uint16_t)start_port("net_null0", 1);

	(void)state;
	cb = sl_port_rx_callback_add(id, 0, drop_odd, &dropped);
	assert_non_null(cb);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 16), 8);
	assert_int_equal(dropped, 8);
	sl_pktbuf_free_bulk(pkts, 8);
	assert_int_equal(sl_port_callback_remove(id, 0, cb), 0);
	assert_int_equal(sl_port_callback_remove(id, 0, cb), -ENOENT);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 16), 16);
	sl_pktbuf_free_bulk(pkts, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_device_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_rx_tx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_pool_exhausted_is_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_loopback_and_wired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_full_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_callback, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
