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
#include "port_test.h"
#include "sl_port.h"
#include "sl_port_driver.h"
#include "sl_cksum.h"
#include "sl_net.h"
#include "sl_ring.h"
#include "sl_rss.h"

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
	assert_int_equal(sl_port_create(NULL), -EINVAL);
	assert_true(log_capture_has(&cap, "device string is NULL", "\"net_null0\""));
	assert_int_equal(sl_port_count(), 0);
}

static void test_parenthesised_values(void **state)
{
	(void)state;
	/* A value in parentheses may hold commas: the parentheses quote it. */
	assert_true(sl_port_create("net_null0,size=(64)") >= 0);
	assert_int_equal(sl_port_create("net_null1,size=(6,4)"), -EINVAL);
	assert_true(log_capture_has(&cap, "size=6,4 is not a number", NULL));
	assert_int_equal(sl_port_create("net_null1,size=(64"), -EINVAL);
	assert_true(log_capture_has(&cap, "unbalanced parentheses in 'size=(64'", NULL));
	assert_int_equal(sl_port_create("net_null1,size=64)"), -EINVAL);
	assert_true(log_capture_has(&cap, "unbalanced parentheses in 'size=64)'", NULL));
}

static void test_members_are_owned(void **state)
{
	int a, b, c, p, seen = 0;

	(void)state;
	a = sl_port_create("net_null0");
	b = sl_port_create("net_null1");
	c = sl_port_create("net_null2");
	assert_true(a >= 0 && b >= 0 && c >= 0);
	assert_int_equal(sl_port_owner((uint16_t)b), -1);
	assert_int_equal(sl_port_owner_set((uint16_t)b, a), 0);
	assert_int_equal(sl_port_owner((uint16_t)b), a);
	SL_PORT_FOREACH(p)
		seen |= 1 << p;
	assert_int_equal(seen, (1 << a) | (1 << c)); /* the member is its owner's */
	assert_int_equal(sl_port_lookup("net_null1"), b);
	assert_int_equal(sl_port_close((uint16_t)b), -EBUSY);
	assert_true(
		log_capture_has(&cap, "cannot close net_null1: it is a member of net_null0", NULL));
	assert_int_equal(sl_port_owner_set((uint16_t)b, c), -EBUSY);
	assert_true(log_capture_has(&cap, "a member of another port already", NULL));
	assert_int_equal(sl_port_owner_set((uint16_t)c, b), -EBUSY);
	assert_true(log_capture_has(&cap, "the owner is itself a member", NULL));
	assert_int_equal(sl_port_owner_set((uint16_t)a, a), -EBUSY);
	assert_int_equal(sl_port_owner_set((uint16_t)a, 31), -ENODEV);
	/* Closing the owner frees what it still held: close_all reaches the member. */
	assert_int_equal(sl_port_close((uint16_t)a), 0);
	assert_int_equal(sl_port_owner((uint16_t)b), -1);
	assert_int_equal(sl_port_owner_set((uint16_t)b, c), 0);
	sl_port_close_all();
	assert_int_equal(sl_port_lookup("net_null1"), -ENOENT);
}

static void test_names_and_limits(void **state)
{
	char name[32];
	unsigned lines;
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
	/* A missing name is -ENOENT and not logged (a miss is an answer); a NULL or empty name
	 * is -EINVAL with a line. */
	lines = cap.lines;
	assert_int_equal(sl_port_lookup("net_null99"), -ENOENT);
	assert_int_equal(cap.lines, lines);
	assert_int_equal(sl_port_lookup(NULL), -EINVAL);
	assert_int_equal(cap.lines, lines + 1);
	assert_true(log_capture_has(&cap, "port lookup: name is NULL", "\"net_null0\""));
	assert_int_equal(sl_port_lookup(""), -EINVAL);
	assert_int_equal(cap.lines, lines + 2);
	assert_true(log_capture_has(&cap, "port lookup: name is empty", "\"net_null0\""));
}

static void test_lifecycle_errors(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_port_conf too_many = {.nb_rxq = 17, .nb_txq = 1};
	struct sl_pktbuf *pkts[4];
	struct sl_port_stats st;
	struct sl_port_info info;
	uint16_t id;

	(void)state;
	id = (uint16_t)sl_port_create("net_null0");
	assert_int_equal(sl_port_info(id, &info), 0);
	assert_int_equal(info.nb_rxq + info.nb_txq, 0); /* nothing configured yet */
	assert_int_equal(sl_port_start(id), -EINVAL);
	assert_int_equal(sl_port_rxq_setup(id, 0, 0, 0, pool), -EINVAL);
	assert_true(log_capture_has(&cap, "configure the port before setting up queues", NULL));
	assert_int_equal(sl_port_configure(id, &too_many), -EINVAL);
	assert_true(log_capture_has(&cap, "17 rx and 1 tx queues asked", NULL));
	assert_int_equal(sl_port_configure(id, &conf), 0);
	assert_int_equal(sl_port_info(id, &info), 0);
	assert_int_equal(info.nb_rxq, conf.nb_rxq);
	assert_int_equal(info.nb_txq, conf.nb_txq);
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
	assert_int_equal(sl_port_reta_set(id, NULL, 0), -EINVAL);
	assert_true(log_capture_has(&cap, "RSS is off", NULL));
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

/* Packets sent into a driver-created ring and never received are freed at close (the
 * teardown checks the pool has them all back). */
static void test_ring_close_frees_unreceived(void **state)
{
	struct sl_pktbuf *pkts[8];
	uint16_t id = (uint16_t)start_port("net_ring0", 1);

	(void)state;
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 8), 0);
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 8), 8);
	assert_int_equal(sl_pool_in_use(pool), 8);
	assert_int_equal(sl_port_close(id), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);
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
	assert_true(log_capture_has(&cap, "callback_remove: queue 0 has no callback",
				    "remove each callback once"));
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 16), 16);
	sl_pktbuf_free_bulk(pkts, 16);
}

/* Each bad argument of callback_add/remove: its errno and one line naming it. */
static void test_callback_errors(void **state)
{
	struct sl_port_callback *cb;
	unsigned dropped = 0;
	uint16_t id = (uint16_t)start_port("net_null0", 1);

	(void)state;
	errno = 0;
	assert_null(sl_port_rx_callback_add(30, 0, drop_odd, &dropped));
	assert_int_equal(errno, ENODEV);
	assert_true(log_capture_has(&cap, "callback_add: port 30 does not exist", NULL));
	errno = 0;
	assert_null(sl_port_rx_callback_add(id, SL_PORT_MAX_QUEUES, drop_odd, &dropped));
	assert_int_equal(errno, EINVAL);
	assert_true(log_capture_has(&cap, "callback_add: queue 16 is out of range", "use 0 to 15"));
	errno = 0;
	assert_null(sl_port_tx_callback_add(id, 0, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	assert_true(log_capture_has(&cap, "callback_add: the callback function is NULL", NULL));

	cb = sl_port_tx_callback_add(id, 0, drop_odd, &dropped);
	assert_non_null(cb);
	assert_int_equal(sl_port_callback_remove(id, SL_PORT_MAX_QUEUES, cb), -EINVAL);
	assert_true(log_capture_has(&cap, "callback_remove: queue 16 is", "use 0 to 15"));
	assert_int_equal(sl_port_callback_remove(id, 0, NULL), -EINVAL);
	assert_true(log_capture_has(&cap, "callback_remove: the callback is NULL",
				    "sl_port_rx/tx_callback_add()"));
	assert_int_equal(sl_port_callback_remove(30, 0, cb), -ENODEV);
	assert_true(log_capture_has(&cap, "port 30 does not exist", NULL));
	assert_int_equal(sl_port_callback_remove(id, 1, cb), -ENOENT);
	assert_true(log_capture_has(&cap, "callback_remove: queue 1 has no callback", NULL));
	assert_int_equal(sl_port_callback_remove(id, 0, cb), 0);
}

/* --- drivers that break the contract, and drivers an application registers --- */

struct fake_queue {
	struct sl_port_qstats st;
	uint64_t odd; /* own counter: packets with an odd length sent */
};
SL_PORT_QUEUE_CHECK(struct fake_queue, st);

static uint16_t fake_burst(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct fake_queue *fq = q;

	for (uint16_t i = 0; i < n; i++)
		if (pkts[i]->pkt_len % 2)
			sl_counter_add(&fq->odd, 1);
	sl_counter_add(&fq->st.packets, n);
	sl_counter_add(&fq->st.bytes, sl_port_bytes(pkts, n));
	sl_pktbuf_free_bulk(pkts, n);
	return n;
}

static int fake_qsetup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node)
{
	(void)nb_desc;
	port->txq[q] = sl_malloc(sizeof(struct fake_queue), 0, node);
	return port->txq[q] ? 0 : -ENOMEM;
}

static int fake_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			  struct sl_pool *p)
{
	(void)p;
	(void)nb_desc;
	port->rxq[q] = sl_malloc(sizeof(struct fake_queue), 0, node);
	return port->rxq[q] ? 0 : -ENOMEM;
}

/* Forgets to store its queue. */
static int forgetful_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			       struct sl_pool *p)
{
	(void)port;
	(void)q;
	(void)nb_desc;
	(void)node;
	(void)p;
	return 0;
}

/* Gives its rx queue the tx queue's object. */
static int sharing_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			     struct sl_pool *p)
{
	(void)nb_desc;
	(void)node;
	(void)p;
	port->rxq[q] = port->txq[q];
	return 0;
}

static void fake_release_rx(struct sl_port *port, uint16_t q)
{
	sl_free(port->rxq[q]);
}

static void fake_release_tx(struct sl_port *port, uint16_t q)
{
	sl_free(port->txq[q]);
}

/* port->priv of a net_fake port: a port-wide counter of the driver's own. */
struct fake_dev {
	uint64_t starts;
};

static unsigned fake_closed;

static void fake_close(struct sl_port *port)
{
	free(port->priv);
	port->priv = NULL;
	fake_closed++;
}

static int fake_start(struct sl_port *port)
{
	struct fake_dev *fd = port->priv;

	__atomic_fetch_add(&fd->starts, 1, __ATOMIC_RELAXED);
	return 0;
}

static const struct sl_port_qxstat fake_txq_xstats[] = {
	SL_PORT_QXSTAT_NAMED("odd_length", struct fake_queue, odd),
	{NULL, 0},
};
static const struct sl_port_qxstat fake_port_xstats[] = {
	SL_PORT_QXSTAT(struct fake_dev, starts),
	{NULL, 0},
};

static const struct sl_port_ops fake_ops = {
	.rxq_setup = fake_rxq_setup,
	.txq_setup = fake_qsetup,
	.rxq_release = fake_release_rx,
	.txq_release = fake_release_tx,
	.start = fake_start,
	.close = fake_close,
	.txq_xstats = fake_txq_xstats,
	.port_xstats = fake_port_xstats,
};
/* A port-wide counter table with no port->priv to point into. */
static const struct sl_port_ops no_priv_ops = {
	.rxq_setup = fake_rxq_setup,
	.txq_setup = fake_qsetup,
	.close = fake_close,
	.port_xstats = fake_port_xstats,
};
static const struct sl_port_ops no_rxq_ops = {.txq_setup = fake_qsetup, .close = fake_close};
static const struct sl_port_ops forgetful_ops = {
	.rxq_setup = forgetful_rxq_setup,
	.txq_setup = fake_qsetup,
	.txq_release = fake_release_tx,
};

static const struct sl_port_ops sharing_ops = {
	.rxq_setup = sharing_rxq_setup,
	.txq_setup = fake_qsetup,
	.txq_release = fake_release_tx,
};

enum fake_kind {
	FAKE_OK,
	FAKE_NO_RXQ_SETUP,
	FAKE_NO_TX,
	FAKE_NO_OPS,
	FAKE_FORGETFUL,
	FAKE_SHARING,
	FAKE_NO_PRIV
};

static int fake_probe(struct sl_port *port, const struct sl_devargs *args)
{
	uint64_t kind = FAKE_OK;

	if (sl_devargs_uint(args, port->name, "kind", 0, FAKE_NO_PRIV, &kind) < 0)
		return -EINVAL;
	if (kind == FAKE_OK && (port->priv = calloc(1, sizeof(struct fake_dev))) == NULL)
		return -ENOMEM;
	port->ops = kind == FAKE_NO_RXQ_SETUP ? &no_rxq_ops
		    : kind == FAKE_FORGETFUL  ? &forgetful_ops
		    : kind == FAKE_SHARING    ? &sharing_ops
		    : kind == FAKE_NO_PRIV    ? &no_priv_ops
		    : kind == FAKE_NO_OPS     ? NULL
					      : &fake_ops;
	port->rx = fake_burst;
	port->tx = kind == FAKE_NO_TX ? NULL : fake_burst;
	return 0;
}

static const char *const fake_keys[] = {"kind", NULL};
static const struct sl_port_driver fake_driver = {
	.name = "net_fake",
	.keys = fake_keys,
	.usage = "kind=0..6",
	.probe = fake_probe,
};
static const struct sl_port_driver bad_name_driver = {.name = "fake", .probe = fake_probe};
static const struct sl_port_driver no_probe_driver = {.name = "net_noprobe"};
static const struct sl_port_driver null_again = {.name = "net_null", .probe = fake_probe};

/* Registers net_fake once per process. */
static void register_fake(void)
{
	static bool registered;

	if (!registered) {
		assert_int_equal(sl_port_driver_register(&fake_driver), 0);
		registered = true;
	}
}

static void test_driver_register(void **state)
{
	(void)state;
	register_fake();
	assert_int_equal(sl_port_driver_register(&fake_driver), -EEXIST);
	assert_true(log_capture_has(&cap, "a driver named net_fake exists already", NULL));
	assert_int_equal(sl_port_driver_register(&null_again), -EEXIST);
	assert_int_equal(sl_port_driver_register(&bad_name_driver), -EINVAL);
	assert_true(log_capture_has(&cap, "'fake' is not a valid driver", "\"net_\""));
	assert_int_equal(sl_port_driver_register(&no_probe_driver), -EINVAL);
	assert_int_equal(sl_port_driver_register(NULL), -EINVAL);
	/* Listed and found like the built-in ones, short name included. */
	assert_int_equal(sl_port_create("net_bogus0"), -ENOENT);
	assert_true(log_capture_has(&cap, "no such driver", "net_fake"));
	assert_true(sl_port_create("fake3") >= 0);
	assert_int_equal(sl_port_create("net_fake4,colour=1"), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown argument 'colour'", "kind=0..6"));
}

static void test_broken_drivers_are_refused(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	unsigned closed;
	int id;

	(void)state;
	register_fake();
	closed = fake_closed;
	assert_int_equal(sl_port_create("net_fake0,kind=1"), -EINVAL);
	assert_true(
		log_capture_has(&cap, "driver net_fake is broken", "did not set ops->rxq_setup"));
	assert_int_equal(fake_closed, closed + 1); /* what probe opened is closed */
	assert_int_equal(sl_port_create("net_fake0,kind=2"), -EINVAL);
	assert_true(
		log_capture_has(&cap, "driver net_fake is broken", "tx burst function (port->tx)"));
	assert_int_equal(sl_port_create("net_fake0,kind=3"), -EINVAL);
	assert_true(log_capture_has(&cap, "driver net_fake is broken", "an ops table"));
	assert_int_equal(sl_port_create("net_fake0,kind=6"), -EINVAL);
	assert_true(log_capture_has(&cap, "driver net_fake is broken", "did not set port->priv"));
	assert_int_equal(sl_port_count(), 0);
	/* A queue setup that succeeds without a queue fails instead of crashing later. */
	id = sl_port_create("net_fake0,kind=4");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), -EINVAL);
	assert_true(log_capture_has(&cap, "its rxq_setup returned 0 but stored no queue",
				    "port->rxq[0]"));
	assert_int_equal(sl_port_start((uint16_t)id), -EINVAL);
	/* One object for an rx and a tx queue would mix their counters. */
	id = sl_port_create("net_fake1,kind=5");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), -EINVAL);
	assert_true(log_capture_has(&cap, "rx queue 0 and tx queue 0 are one object", NULL));
}

/* The port layer's counters for an application's driver: summed, named, reset. */
static void test_shared_counters(void **state)
{
	struct sl_pktbuf *pkts[8];
	struct sl_port_stats st;
	uint16_t id;

	(void)state;
	register_fake();
	id = (uint16_t)start_port("net_fake0", 1);
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 8), 0);
	for (int i = 0; i < 8; i++)
		sl_pktbuf_append(pkts[i], (uint16_t)(60 + i)); /* 4 odd lengths */
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 8), 8);
	sl_port_stats(id, &st);
	assert_int_equal(st.opackets, 8);
	assert_int_equal(st.obytes, 8 * 60 + 28);
	assert_int_equal(st.q_obytes[0], 8 * 60 + 28);
	assert_int_equal(xstat(id, "tx_q0_packets"), 8);
	assert_int_equal(xstat(id, "tx_q0_bytes"), 8 * 60 + 28);
	assert_int_equal(xstat(id, "tx_q0_odd_length"), 4);
	assert_int_equal(xstat(id, "rx_q0_nombuf"), 0);
	assert_int_equal(xstat(id, "starts"), 1); /* the driver's port-wide table */
	/* Reset: everything reads 0, then counts from there. */
	assert_int_equal(sl_port_stats_reset(id), 0);
	assert_int_equal(xstat(id, "tx_q0_odd_length"), 0);
	assert_int_equal(xstat(id, "starts"), 0);
	assert_int_equal(xstat(id, "tx_good_packets"), 0);
	assert_int_equal(sl_pktbuf_alloc_bulk(pool, pkts, 2), 0);
	sl_pktbuf_append(pkts[0], 61);
	sl_pktbuf_append(pkts[1], 62);
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 2), 2);
	sl_port_stats(id, &st);
	assert_int_equal(st.opackets, 2);
	assert_int_equal(st.obytes, 123);
	assert_int_equal(xstat(id, "tx_q0_odd_length"), 1);
	/* Stopped: attempts are counted per port, reset too, and a queue it lacks counts. */
	assert_int_equal(sl_port_stop(id), 0);
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 3), 0);
	assert_int_equal(sl_port_tx_burst(id, 5, pkts, 2), 0);
	sl_port_stats(id, &st);
	assert_int_equal(st.tx_stopped, 5);
	assert_int_equal(sl_port_stats_reset(id), 0);
	sl_port_stats(id, &st);
	assert_int_equal(st.tx_stopped, 0);
	assert_int_equal(st.opackets, 0);
	assert_int_equal(sl_port_start(id), 0);
	assert_int_equal(xstat(id, "starts"), 1);
}

/* The fast-path entry of a queue fits one line. */
static void test_fast_path_layout(void **state)
{
	(void)state;
	for (int q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		uintptr_t rx = (uintptr_t)&sl_port_fps[3].rxq[q],
			  tx = (uintptr_t)&sl_port_fps[3].txq[q];

		assert_int_equal(rx / SL_CACHE_LINE,
				 (rx + sizeof(struct sl_port_fpq) - 1) / SL_CACHE_LINE);
		assert_int_equal(tx / SL_CACHE_LINE,
				 (tx + sizeof(struct sl_port_fpq) - 1) / SL_CACHE_LINE);
	}
}

static void test_ring_second_writer_refused(void **state)
{
	int a, b;

	(void)state;
	a = start_port("net_ring0,rx=x,tx=y", 1);
	b = sl_port_create("net_ring1,rx=z,tx=y");
	assert_true(a >= 0 && b >= 0);
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	assert_int_equal(sl_port_configure((uint16_t)b, &conf), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)b, 0, 0, 0), -EINVAL);
	assert_true(log_capture_has(&cap, "ring 'y' has a tx queue writing it already",
				    "sl_ring_create"));
	/* Its reader is fine, and closing a frees the ring for another writer. */
	assert_int_equal(sl_port_rxq_setup((uint16_t)b, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_close((uint16_t)a), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)b, 0, 0, 0), 0);
}

/* --- RSS and offloads in software --- */

/* A UDP/IPv4 packet 10.0.0.1:sport -> 10.0.0.2:53 with 18 bytes of payload and correct
 * checksums. */
static struct sl_pktbuf *udp_packet(uint16_t sport)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(pool);
	uint8_t d[60] = {0};
	struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)(d + 14);
	struct sl_udp_hdr *udp = (struct sl_udp_hdr *)(ip + 1);
	char *room;

	assert_non_null(p);
	memset(d, 0xff, 6);
	d[12] = 0x08;
	ip->version_ihl = SL_IPV4_VERSION_IHL;
	ip->total_length = sl_htons(46);
	ip->time_to_live = 64;
	ip->next_proto_id = SL_IPPROTO_UDP;
	ip->src_addr = sl_htonl(0x0a000001);
	ip->dst_addr = sl_htonl(0x0a000002);
	ip->hdr_checksum = sl_ipv4_cksum(ip);
	udp->src_port = sl_htons(sport);
	udp->dst_port = sl_htons(53);
	udp->dgram_len = sl_htons(26);
	udp->dgram_cksum = sl_ipv4_udptcp_cksum(ip, udp);
	room = sl_pktbuf_append(p, sizeof(d));
	assert_non_null(room);
	memcpy(room, d, sizeof(d));
	return p;
}

static uint32_t udp_hash(uint16_t sport, const uint8_t *key, size_t key_len)
{
	uint8_t t[SL_RSS_IPV4_L4_LEN];

	sl_rss_tuple_ipv4_l4(t, sl_htonl(0x0a000001), sl_htonl(0x0a000002), sl_htons(sport),
			     sl_htons(53));
	return sl_rss_toeplitz(t, sizeof(t), key, key_len);
}

static int start_conf(const char *devstr, const struct sl_port_conf *conf)
{
	int id = sl_port_create(devstr);

	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, conf), 0);
	for (uint16_t q = 0; q < conf->nb_rxq; q++)
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, pool), 0);
	for (uint16_t q = 0; q < conf->nb_txq; q++)
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return id;
}

/* Sends n flows (one packet each) on tx and polls every rx queue of rx until they came;
 * checks each packet's hash and queue against the key and table. */
static void spread_and_check(uint16_t tx, uint16_t rx, uint16_t nq, unsigned n, const uint8_t *key,
			     size_t key_len, const uint16_t *reta, unsigned per_queue[])
{
	struct sl_pktbuf *pkts[32];
	unsigned got = 0;

	for (unsigned i = 0; i < n; i += 32) {
		uint16_t k = (uint16_t)SL_MIN(32u, n - i);

		for (uint16_t j = 0; j < k; j++)
			pkts[j] = udp_packet((uint16_t)(1000 + i + j));
		assert_int_equal(sl_port_tx_burst(tx, 0, pkts, k), k);
	}
	for (int round = 0; round < 100 && got < n; round++)
		for (uint16_t q = 0; q < nq; q++) {
			uint16_t nb = sl_port_rx_burst(rx, q, pkts, 32);

			for (uint16_t j = 0; j < nb; j++) {
				struct sl_udp_hdr *udp =
					sl_pktbuf_mtod_offset(pkts[j], struct sl_udp_hdr *, 34);
				uint32_t h = udp_hash(sl_ntohs(udp->src_port), key, key_len);

				assert_true(pkts[j]->ol_flags & SL_PKT_RX_RSS_HASH);
				assert_int_equal(pkts[j]->rss_hash, h);
				assert_int_equal(q, reta[h % SL_PORT_RETA_SIZE]);
				per_queue[q]++;
			}
			got += nb;
			sl_pktbuf_free_bulk(pkts, nb);
		}
	assert_int_equal(got, n);
}

static void test_soft_rss(void **state)
{
	struct sl_port_conf rss = {.nb_rxq = 4, .nb_txq = 1, .rss_types = SL_PORT_RSS_IPV4_UDP};
	struct sl_port_conf plain = {.nb_rxq = 1, .nb_txq = 1};
	uint16_t reta[SL_PORT_RETA_SIZE], bad[SL_PORT_RETA_SIZE];
	unsigned per_queue[4] = {0};
	uint8_t key[SL_RSS_KEY_LEN];
	struct sl_port_stats st;
	struct sl_port_info info;
	uint16_t a, b;

	(void)state;
	/* b has one ring (its driver one queue), spread over 4 rx queues by the port layer. */
	a = (uint16_t)start_conf("net_ring0,rx=ba,tx=ab", &plain);
	assert_int_equal(sl_port_reta_get(a, reta, SL_PORT_RETA_SIZE), -EINVAL);
	assert_true(log_capture_has(&cap, "RSS is off", "rss_types"));
	assert_int_equal(sl_port_info(a, &info), 0);
	assert_int_equal(info.max_rxq, 1);
	assert_int_equal(info.reta_size, SL_PORT_RETA_SIZE);
	assert_true(info.rss_types & SL_PORT_RSS_IPV4_UDP);
	b = (uint16_t)start_conf("net_ring1,rx=ab,tx=ba", &rss);
	assert_int_equal(sl_port_reta_get(b, reta, SL_PORT_RETA_SIZE), SL_PORT_RETA_SIZE);
	for (unsigned i = 0; i < SL_PORT_RETA_SIZE; i++)
		assert_int_equal(reta[i], i % 4);
	spread_and_check(a, b, 4, 256, sl_rss_key_default, SL_RSS_KEY_LEN, reta, per_queue);
	for (int q = 0; q < 4; q++)
		assert_true(per_queue[q] > 20); /* 256 flows over 4 queues */
	sl_port_stats(b, &st);
	assert_int_equal(st.ipackets, 256);
	assert_int_equal(st.ibytes, 256 * 60);
	assert_int_equal(st.q_ipackets[0] + st.q_ipackets[1] + st.q_ipackets[2] + st.q_ipackets[3],
			 256);
	assert_int_equal(st.q_ipackets[2], per_queue[2]);
	assert_int_equal(st.imissed, 0);
	assert_int_equal(xstat(b, "rx_q3_packets"), per_queue[3]);
	assert_int_equal(xstat(b, "rx_q1_rss_ring_full"), 0);
	/* A new table, while traffic could flow: everything to queue 2. */
	for (unsigned i = 0; i < SL_PORT_RETA_SIZE; i++)
		reta[i] = 2;
	assert_int_equal(sl_port_reta_set(b, reta, SL_PORT_RETA_SIZE), 0);
	memset(per_queue, 0, sizeof(per_queue));
	spread_and_check(a, b, 4, 64, sl_rss_key_default, SL_RSS_KEY_LEN, reta, per_queue);
	assert_int_equal(per_queue[2], 64);
	memcpy(bad, reta, sizeof(bad));
	bad[7] = 4;
	assert_int_equal(sl_port_reta_set(b, bad, SL_PORT_RETA_SIZE), -EINVAL);
	assert_true(log_capture_has(&cap, "entry 7 is queue 4", "4 rx queues"));
	assert_int_equal(sl_port_reta_set(b, reta, 64), -EINVAL);
	/* A new key: only while stopped. */
	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 37 + 11);
	assert_int_equal(sl_port_rss_key_set(b, key, sizeof(key)), -EBUSY);
	assert_int_equal(sl_port_stop(b), 0);
	assert_int_equal(sl_port_rss_key_set(b, key, sizeof(key)), 0);
	assert_int_equal(sl_port_rss_key_set(b, key, 3), -EINVAL);
	assert_int_equal(sl_port_start(b), 0);
	for (unsigned i = 0; i < SL_PORT_RETA_SIZE; i++)
		reta[i] = (uint16_t)(3 - i % 4);
	assert_int_equal(sl_port_reta_set(b, reta, SL_PORT_RETA_SIZE), 0);
	memset(per_queue, 0, sizeof(per_queue));
	spread_and_check(a, b, 4, 128, key, sizeof(key), reta, per_queue);
	sl_port_stats_reset(b);
	sl_port_stats(b, &st);
	assert_int_equal(st.ipackets + st.q_ipackets[1], 0);
}

/* Loopback ring ports have a ring per queue: each is polled and spread. */
static void test_soft_rss_every_queue_spreads(void **state)
{
	struct sl_port_conf rss = {.nb_rxq = 2, .nb_txq = 2, .rss_types = SL_PORT_RSS_IPV4_UDP};
	struct sl_pktbuf *pkts[32];
	uint16_t id = (uint16_t)start_conf("net_ring0", &rss), reta[SL_PORT_RETA_SIZE];
	unsigned got = 0;

	(void)state;
	sl_port_reta_get(id, reta, SL_PORT_RETA_SIZE);
	for (uint16_t q = 0; q < 2; q++) {
		for (int j = 0; j < 32; j++)
			pkts[j] = udp_packet((uint16_t)(q * 100 + j));
		assert_int_equal(sl_port_tx_burst(id, q, pkts, 32), 32);
	}
	for (int round = 0; round < 20; round++)
		for (uint16_t q = 0; q < 2; q++) {
			uint16_t nb = sl_port_rx_burst(id, q, pkts, 32);

			for (uint16_t j = 0; j < nb; j++)
				assert_int_equal(q, reta[pkts[j]->rss_hash % SL_PORT_RETA_SIZE]);
			got += nb;
			sl_pktbuf_free_bulk(pkts, nb);
		}
	assert_int_equal(got, 64);
}

/* The tuple soft RSS hashes: behind a VLAN tag, over IPv6, and a fragment's (no ports). */
static void test_soft_rss_tuples(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1,
				    .nb_txq = 1,
				    .rss_types = SL_PORT_RSS_IPV4 | SL_PORT_RSS_IPV4_UDP |
						 SL_PORT_RSS_IPV6_UDP};
	uint16_t id = (uint16_t)start_conf("net_ring0", &conf);
	struct sl_pktbuf *pkts[4];
	uint8_t f6[62] = {0}, f4[64], t[SL_RSS_IPV6_L4_LEN];
	char *room;

	(void)state;
	/* VLAN-tagged UDP/IPv4: the tag moves the IPv4 header by 4 bytes. */
	pkts[0] = udp_packet(1234);
	memcpy(f4, sl_pktbuf_mtod(pkts[0], uint8_t *), 12);
	memcpy(f4 + 12, (uint8_t[]){0x81, 0x00, 0x00, 0x05}, 4);
	memcpy(f4 + 16, sl_pktbuf_mtod(pkts[0], uint8_t *) + 12, 48);
	sl_pktbuf_free(pkts[0]);
	pkts[0] = sl_pktbuf_alloc(pool);
	assert_non_null(pkts[0]);
	room = sl_pktbuf_append(pkts[0], sizeof(f4));
	assert_non_null(room);
	memcpy(room, f4, sizeof(f4));
	/* A fragment (MF set) of the same flow: addresses only. */
	pkts[1] = udp_packet(1234);
	sl_pktbuf_mtod(pkts[1], uint8_t *)[20] = 0x20;
	/* UDP/IPv6 fd00::1 -> fd00::2, ports 1234 -> 53. */
	memset(f6, 0xff, 6);
	f6[12] = 0x86, f6[13] = 0xdd, f6[14] = 0x60, f6[19] = 8, f6[20] = SL_IPPROTO_UDP,
	f6[21] = 64;
	f6[22] = 0xfd, f6[37] = 1, f6[38] = 0xfd, f6[53] = 2;
	f6[54] = 0x04, f6[55] = 0xd2, f6[57] = 53, f6[59] = 8;
	pkts[2] = sl_pktbuf_alloc(pool);
	assert_non_null(pkts[2]);
	room = sl_pktbuf_append(pkts[2], sizeof(f6));
	assert_non_null(room);
	memcpy(room, f6, sizeof(f6));
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 3), 3);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 4), 3);
	assert_int_equal(pkts[0]->rss_hash, udp_hash(1234, sl_rss_key_default, SL_RSS_KEY_LEN));
	sl_rss_tuple_ipv4(t, sl_htonl(0x0a000001), sl_htonl(0x0a000002));
	assert_int_equal(pkts[1]->rss_hash,
			 sl_rss_toeplitz(t, SL_RSS_IPV4_LEN, sl_rss_key_default, SL_RSS_KEY_LEN));
	sl_rss_tuple_ipv6_l4(t, f6 + 22, f6 + 38, sl_htons(1234), sl_htons(53));
	assert_int_equal(pkts[2]->rss_hash, sl_rss_toeplitz(t, SL_RSS_IPV6_L4_LEN,
							    sl_rss_key_default, SL_RSS_KEY_LEN));
	for (int i = 0; i < 3; i++)
		assert_true(pkts[i]->ol_flags & SL_PKT_RX_RSS_HASH);
	sl_pktbuf_free_bulk(pkts, 3);
}

static void test_soft_offloads(void **state)
{
	struct sl_port_conf conf = {
		.nb_rxq = 1,
		.nb_txq = 1,
		.rx_offloads = SL_PORT_RX_CKSUM,
		.tx_offloads = SL_PKT_TX_IP_CKSUM | SL_PKT_TX_UDP_CKSUM | SL_PKT_TX_VLAN,
	};
	struct sl_pktbuf *pkts[4];
	struct sl_ipv4_hdr *ip;
	uint16_t id = (uint16_t)start_conf("net_ring0", &conf);
	uint8_t *d;

	(void)state;
	/* rx: good, bad IP checksum, bad UDP checksum. */
	for (int i = 0; i < 3; i++)
		pkts[i] = udp_packet(7);
	sl_pktbuf_mtod_offset(pkts[1], uint8_t *, 24)[0] ^= 0xff; /* IP checksum */
	sl_pktbuf_mtod_offset(pkts[2], uint8_t *, 56)[0] ^= 0xff; /* payload */
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 3), 3);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 4), 3);
	assert_true(pkts[0]->ol_flags & SL_PKT_RX_IP_CKSUM_GOOD);
	assert_true(pkts[0]->ol_flags & SL_PKT_RX_L4_CKSUM_GOOD);
	assert_true(pkts[1]->ol_flags & SL_PKT_RX_IP_CKSUM_BAD);
	assert_true(pkts[2]->ol_flags & SL_PKT_RX_IP_CKSUM_GOOD);
	assert_true(pkts[2]->ol_flags & SL_PKT_RX_L4_CKSUM_BAD);
	sl_pktbuf_free_bulk(pkts, 3);
	/* tx: checksums filled in, a VLAN tag inserted, for the packets that ask. */
	pkts[0] = udp_packet(9);
	d = sl_pktbuf_mtod(pkts[0], uint8_t *);
	ip = (struct sl_ipv4_hdr *)(d + 14);
	ip->hdr_checksum = 0;
	ip->time_to_live = 3;
	((struct sl_udp_hdr *)(ip + 1))->dgram_cksum = 0x1234;
	pkts[0]->ol_flags =
		SL_PKT_TX_IPV4 | SL_PKT_TX_IP_CKSUM | SL_PKT_TX_UDP_CKSUM | SL_PKT_TX_VLAN;
	pkts[0]->l2_len = 14;
	pkts[0]->l3_len = 20;
	pkts[0]->vlan_tci = 0x0123;
	pkts[1] = udp_packet(10); /* asks nothing: left as it is */
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 2), 2);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 4), 2);
	d = sl_pktbuf_mtod(pkts[0], uint8_t *);
	assert_int_equal(pkts[0]->pkt_len, 64);
	assert_int_equal(d[12], 0x81);
	assert_int_equal(d[13], 0x00);
	assert_int_equal(d[14], 0x01);
	assert_int_equal(d[15], 0x23);
	assert_int_equal(d[16], 0x08);
	ip = (struct sl_ipv4_hdr *)(d + 18);
	assert_int_equal(sl_ipv4_cksum_verify(ip), 0);
	assert_int_equal(sl_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	assert_int_equal(pkts[1]->pkt_len, 60);
	sl_pktbuf_free_bulk(pkts, 2);
	assert_int_equal(xstat(id, "tx_q0_vlan_no_room"), 0);
	/* No headroom for the tag: dropped (untagged it would reach the wrong VLAN), counted,
	 * and taken: the packets around it go on in their order. */
	for (int i = 0; i < 3; i++) {
		pkts[i] = udp_packet((uint16_t)(20 + i));
		pkts[i]->ol_flags = SL_PKT_TX_VLAN;
		pkts[i]->vlan_tci = 7;
	}
	while (sl_pktbuf_prepend(pkts[1], 1) != NULL)
		;
	assert_int_equal(sl_port_tx_burst(id, 0, pkts, 3), 3);
	assert_int_equal(sl_port_rx_burst(id, 0, pkts, 4), 2);
	for (int i = 0; i < 2; i++) {
		struct sl_udp_hdr *udp = sl_pktbuf_mtod_offset(pkts[i], struct sl_udp_hdr *, 38);

		assert_int_equal(sl_ntohs(udp->src_port), i == 0 ? 20 : 22);
	}
	sl_pktbuf_free_bulk(pkts, 2);
	assert_int_equal(xstat(id, "tx_q0_vlan_no_room"), 1);
	assert_int_equal(xstat(id, "tx_errors"), 1);
	assert_int_equal(sl_port_stats_reset(id), 0);
	assert_int_equal(xstat(id, "tx_q0_vlan_no_room"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_device_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parenthesised_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_members_are_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_rx_tx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_pool_exhausted_is_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ring_loopback_and_wired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_full_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_close_frees_unreceived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_drivers_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_path_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_second_writer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_rss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_rss_every_queue_spreads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_rss_tuples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_offloads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
