/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_failsafe: a port over a preferred and a fallback member.
 *   - two net_ring members: rx from both (counted per member), tx on the preferred;
 *   - a preferred of the test's own driver (net_fstest), whose link and existence the test
 *     controls: link down -> tx on the fallback, and back; gone -> closed, re-created
 *     from its device string once it exists again, and back; counters carry on;
 *   - members claimed by name, released (not closed) with the failsafe port;
 *   - bad arguments, each with its line.
 * Every case ends with the pool's buffers all back (teardown).
 */
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
#include "sl_ring.h"

static struct log_capture cap;
static struct sl_pool *pool;

/* --- net_fstest: a device whose link and presence the test sets --- */

/* The device behind net_fstest<N>: tx puts packets in `out`, rx takes them from `in`
 * (the test is both rings' other end). */
static struct fake {
	struct sl_ring *in, *out;
	uint32_t link_up; /* (test) atomic */
	uint32_t gone;	  /* (test) atomic: probe and link fail with -ENODEV */
	uint32_t probes;  /* (ctl) atomic: successful probes */
} fakes[2];

struct fake_q {
	struct sl_port_qstats st;
	struct fake *f;
	uint16_t port;
};
SL_PORT_QUEUE_CHECK(struct fake_q, st);

static uint16_t fake_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct fake_q *fq = q;
	uint16_t nb = (uint16_t)sl_ring_dequeue_burst(fq->f->in, (void **)pkts, n, NULL);

	for (uint16_t i = 0; i < nb; i++)
		pkts[i]->port = fq->port;
	sl_counter_add(&fq->st.packets, nb);
	return nb;
}

static uint16_t fake_tx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct fake_q *fq = q;
	uint16_t nb = (uint16_t)sl_ring_enqueue_burst(fq->f->out, (void *const *)pkts, n, NULL);

	sl_counter_add(&fq->st.packets, nb);
	return nb;
}

static int fake_qsetup(struct sl_port *port, void **slot)
{
	struct fake_q *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return -ENOMEM;
	q->f = port->priv;
	q->port = port->id;
	*slot = q;
	return 0;
}

static int fake_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			  struct sl_pool *p)
{
	(void)nb_desc, (void)node, (void)p;
	return fake_qsetup(port, &port->rxq[q]);
}

static int fake_txq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node)
{
	(void)nb_desc, (void)node;
	return fake_qsetup(port, &port->txq[q]);
}

static void fake_rxq_release(struct sl_port *port, uint16_t q)
{
	free(port->rxq[q]);
	port->rxq[q] = NULL;
}

static void fake_txq_release(struct sl_port *port, uint16_t q)
{
	free(port->txq[q]);
	port->txq[q] = NULL;
}

static int fake_link(struct sl_port *port, struct sl_port_link *link)
{
	struct fake *f = port->priv;

	if (__atomic_load_n(&f->gone, __ATOMIC_ACQUIRE))
		return -ENODEV;
	link->up = __atomic_load_n(&f->link_up, __ATOMIC_ACQUIRE);
	return 0;
}

static const struct sl_port_ops fake_ops = {
	.rxq_setup = fake_rxq_setup,
	.txq_setup = fake_txq_setup,
	.rxq_release = fake_rxq_release,
	.txq_release = fake_txq_release,
	.link = fake_link,
};

static int fake_probe(struct sl_port *port, const struct sl_devargs *args)
{
	size_t len = strlen(port->name);
	unsigned i = (unsigned)(port->name[len - 1] - '0');

	(void)args;
	if (i >= 2)
		return -EINVAL;
	if (__atomic_load_n(&fakes[i].gone, __ATOMIC_ACQUIRE)) {
		SL_LOG(port, ERR, "%s: the test's device is gone", port->name);
		return -ENODEV;
	}
	__atomic_fetch_add(&fakes[i].probes, 1, __ATOMIC_RELAXED);
	memcpy(port->mac, (uint8_t[]){0x02, 0, 0, 0, 0xf5, (uint8_t)i}, 6);
	port->priv = &fakes[i];
	port->ops = &fake_ops;
	port->rx = fake_rx;
	port->tx = fake_tx;
	return 0;
}

static const struct sl_port_driver fake_drv = {
	.name = "net_fstest",
	.probe = fake_probe,
};

/* --- helpers --- */

static int group_setup(void **state)
{
	(void)state;
	assert_int_equal(sl_port_driver_register(&fake_drv), 0);
	for (int i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fstest_in%d", i);
		fakes[i].in = sl_ring_create(name, 256, 0, SL_RING_SP_ENQ | SL_RING_SC_DEQ);
		snprintf(name, sizeof(name), "fstest_out%d", i);
		fakes[i].out = sl_ring_create(name, 256, 0, SL_RING_SP_ENQ | SL_RING_SC_DEQ);
		assert_non_null(fakes[i].in);
		assert_non_null(fakes[i].out);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		sl_ring_free(fakes[i].in);
		sl_ring_free(fakes[i].out);
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("fs_test", 1024, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	for (int i = 0; i < 2; i++) {
		__atomic_store_n(&fakes[i].link_up, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&fakes[i].gone, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&fakes[i].probes, 0, __ATOMIC_RELAXED);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_port_close_all();
	assert_int_equal(sl_port_count(), 0);
	for (int i = 0; i < 2; i++) {
		sl_port_ring_free_pkts(fakes[i].in);
		sl_port_ring_free_pkts(fakes[i].out);
	}
	assert_int_equal(sl_pool_in_use(pool), 0); /* every buffer came back */
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

static int start_port(const char *devstr)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	int id = sl_port_create(devstr);

	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return id;
}

/* Sends n 64-byte packets on port's queue 0; returns how many it took. */
static uint16_t send_n(uint16_t port, uint16_t n)
{
	struct sl_pktbuf *pkts[64];
	uint16_t nb;

	assert_true(n <= 64);
	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = sl_pktbuf_alloc(pool);
		assert_non_null(pkts[i]);
		memset(sl_pktbuf_append(pkts[i], 64), 0xab, 64);
	}
	nb = sl_port_tx_burst(port, 0, pkts, n);
	for (uint16_t i = nb; i < n; i++)
		sl_pktbuf_free(pkts[i]);
	return nb;
}

/* Receives what is waiting on port's queue 0 (polling up to 200 ms for want); frees it. */
static unsigned recv_n(uint16_t port, unsigned want, uint16_t expect_port)
{
	struct sl_pktbuf *pkts[256];
	unsigned got = recv_all(port, 1, pkts, NULL, 256, want, 200);

	for (unsigned i = 0; i < got && i < 256; i++) {
		assert_int_equal(pkts[i]->port, expect_port);
		sl_pktbuf_free(pkts[i]);
	}
	return got;
}

/* Packets the fake device sent (taken from its out ring and freed). */
static unsigned fake_sent(unsigned i)
{
	struct sl_pktbuf *pkts[256];
	unsigned n = sl_ring_dequeue_burst(fakes[i].out, (void **)pkts, 256, NULL);

	sl_pktbuf_free_bulk(pkts, n);
	return n;
}

static void fake_inject(unsigned i, unsigned n)
{
	struct sl_pktbuf *pkts[64];

	assert_true(n <= 64);
	for (unsigned k = 0; k < n; k++) {
		pkts[k] = sl_pktbuf_alloc(pool);
		assert_non_null(pkts[k]);
		sl_pktbuf_append(pkts[k], 60);
	}
	assert_int_equal(sl_ring_enqueue_burst(fakes[i].in, (void *const *)pkts, n, NULL), n);
}

/* --- cases --- */

static void test_ring_members(void **state)
{
	struct sl_port_stats st;
	struct sl_port_link link;
	int p, seen = 0;
	uint8_t mac[6], pmac[6];

	(void)state;
	/* Each member is wired to a port of the test's: net_ring3 is the preferred's peer,
	 * net_ring4 the fallback's. */
	uint16_t fs = (uint16_t)start_port("net_failsafe0,preferred=(net_ring1,rx=pa,tx=pb),"
					   "fallback=(net_ring2,rx=fa,tx=fb),monitor_ms=10");
	uint16_t pp = (uint16_t)start_port("net_ring3,rx=pb,tx=pa");
	uint16_t fp = (uint16_t)start_port("net_ring4,rx=fb,tx=fa");
	int pm = sl_port_lookup("net_ring1"), fm = sl_port_lookup("net_ring2");

	assert_true(pm >= 0 && fm >= 0);
	assert_int_equal(sl_port_owner((uint16_t)pm), fs);
	assert_int_equal(sl_port_owner((uint16_t)fm), fs);
	SL_PORT_FOREACH(p)
		seen |= 1 << p;
	assert_int_equal(seen, (1 << fs) | (1 << pp) | (1 << fp)); /* members are the owner's */
	assert_int_equal(sl_port_mac(fs, mac), 0);
	assert_int_equal(sl_port_mac((uint16_t)pm, pmac), 0);
	assert_memory_equal(mac, pmac, 6); /* the preferred's MAC */
	assert_int_equal(sl_port_link(fs, &link), 0);
	assert_true(link.up);
	assert_xstat_names_unique(fs);
	assert_int_equal(xstat(fs, "active_member"), 0);

	/* tx: the preferred alone */
	assert_int_equal(send_n(fs, 10), 10);
	assert_int_equal(recv_n(pp, 10, pp), 10);
	assert_int_equal(recv_n(fp, 0, fp), 0);
	assert_int_equal(xstat(fs, "tx_q0_preferred_packets"), 10);
	assert_int_equal(xstat(fs, "tx_q0_fallback_packets"), 0);

	/* rx: both members, counted apart, all as the failsafe port's */
	assert_int_equal(send_n(pp, 5), 5);
	assert_int_equal(send_n(fp, 7), 7);
	assert_int_equal(recv_n(fs, 12, fs), 12);
	assert_int_equal(xstat(fs, "rx_q0_preferred_packets"), 5);
	assert_int_equal(xstat(fs, "rx_q0_fallback_packets"), 7);
	assert_int_equal(sl_port_stats(fs, &st), 0);
	assert_int_equal(st.ipackets, 12);
	assert_int_equal(st.opackets, 10);
	assert_int_equal(st.obytes, 640);
	assert_int_equal(st.oerrors, 0);

	/* A member cannot be closed by the application, nor claimed by another port. */
	assert_int_equal(sl_port_close((uint16_t)pm), -EBUSY);
	assert_true(log_capture_has(&cap, "cannot close net_ring1: it is a member of net_failsafe0",
				    NULL));
	assert_int_equal(sl_port_create("net_failsafe1,preferred=net_ring1,fallback=net_ring3"),
			 -EBUSY);
	assert_true(log_capture_has(&cap,
				    "net_failsafe1: preferred=net_ring1 is a member of "
				    "net_failsafe0 already",
				    "remove it there first"));

	/* Closing the failsafe port closes the members it created. */
	assert_int_equal(sl_port_close(fs), 0);
	assert_int_equal(sl_port_lookup("net_ring1"), -ENOENT);
	assert_int_equal(sl_port_lookup("net_ring2"), -ENOENT);
}

static void test_switch_over(void **state)
{
	struct sl_port_link link;
	struct sl_port_stats st;

	(void)state;
	uint16_t fs = (uint16_t)start_port("net_failsafe0,preferred=(net_fstest0),"
					   "fallback=(net_ring1,rx=fa,tx=fb),monitor_ms=10");
	uint16_t fp = (uint16_t)start_port("net_ring2,rx=fb,tx=fa");

	assert_int_equal(xstat(fs, "active_member"), 0);
	assert_int_equal(send_n(fs, 4), 4);
	assert_int_equal(fake_sent(0), 4);

	/* Link down: tx moves to the fallback; rx still polls both. */
	__atomic_store_n(&fakes[0].link_up, 0, __ATOMIC_RELEASE);
	WAIT_FOR(xstat(fs, "switch_to_fallback") == 1, 2000);
	assert_int_equal(xstat(fs, "switch_to_fallback"), 1);
	assert_int_equal(xstat(fs, "active_member"), 1);
	assert_true(log_capture_has(&cap, "net_failsafe0: tx now on the fallback member net_ring1",
				    NULL));
	assert_int_equal(sl_port_link(fs, &link), 0);
	assert_true(link.up); /* the fallback's */
	assert_int_equal(send_n(fs, 6), 6);
	assert_int_equal(recv_n(fp, 6, fp), 6);
	assert_int_equal(fake_sent(0), 0);
	fake_inject(0, 3); /* the standby still receives */
	assert_int_equal(recv_n(fs, 3, fs), 3);
	assert_int_equal(xstat(fs, "rx_q0_preferred_packets"), 3);

	/* Link up again: back to the preferred. */
	__atomic_store_n(&fakes[0].link_up, 1, __ATOMIC_RELEASE);
	WAIT_FOR(xstat(fs, "switch_to_preferred") == 1, 2000);
	assert_int_equal(xstat(fs, "switch_to_preferred"), 1);
	assert_int_equal(send_n(fs, 5), 5);
	assert_int_equal(fake_sent(0), 5);

	/* Gone: closed, re-created from its device string every period while it fails. */
	__atomic_store_n(&fakes[0].gone, 1, __ATOMIC_RELEASE);
	WAIT_FOR(xstat(fs, "recreate_failures") >= 3, 2000);
	assert_int_equal(xstat(fs, "preferred_lost"), 1);
	assert_int_equal(xstat(fs, "switch_to_fallback"), 2);
	assert_true(xstat(fs, "recreate_attempts") >= 3);
	assert_int_equal(xstat(fs, "preferred_usable"), 0);
	assert_true(log_capture_has(&cap, "net_failsafe0: preferred member net_fstest0 is gone",
				    "create it again from its device string"));
	assert_int_equal(send_n(fs, 7), 7);
	assert_int_equal(recv_n(fp, 7, fp), 7);

	/* Back: configured, set up and started as the failsafe is, then used again. */
	__atomic_store_n(&fakes[0].gone, 0, __ATOMIC_RELEASE);
	WAIT_FOR(xstat(fs, "switch_to_preferred") == 2, 2000);
	assert_int_equal(xstat(fs, "switch_to_preferred"), 2);
	assert_int_equal(__atomic_load_n(&fakes[0].probes, __ATOMIC_RELAXED), 2);
	assert_int_equal(xstat(fs, "recreate_attempts") - xstat(fs, "recreate_failures"), 1);
	assert_true(
		log_capture_has(&cap, "net_failsafe0: preferred member net_fstest0 is back", NULL));
	assert_int_equal(send_n(fs, 8), 8);
	assert_int_equal(fake_sent(0), 8);
	fake_inject(0, 2);
	assert_int_equal(recv_n(fs, 2, fs), 2);

	/* The failsafe's counters carried on over every switch. */
	assert_int_equal(sl_port_stats(fs, &st), 0);
	assert_int_equal(st.opackets, 4 + 6 + 5 + 7 + 8);
	assert_int_equal(st.ipackets, 3 + 2);
	assert_int_equal(xstat(fs, "tx_q0_preferred_packets"), 4 + 5 + 8);
	assert_int_equal(xstat(fs, "tx_q0_fallback_packets"), 6 + 7);
	assert_int_equal(xstat(fs, "rx_q0_preferred_packets"), 5);

	/* Stopped: the monitor is joined (the port layer's lookups are the control thread's,
	 * unlocked: not made while the monitor may create or close a member). */
	assert_int_equal(sl_port_stop(fs), 0);
	assert_int_equal(sl_port_link(fs, &link), 0);
	assert_false(link.up);
	assert_int_equal(sl_port_owner((uint16_t)sl_port_lookup("net_fstest0")), fs);
	assert_int_equal(sl_port_stats_reset(fs), 0);
	assert_int_equal(xstat(fs, "switch_to_fallback"), 0);
	assert_int_equal(xstat(fs, "tx_q0_packets"), 0);
	/* Started again: the same members, tx on the preferred. */
	assert_int_equal(sl_port_start(fs), 0);
	assert_int_equal(xstat(fs, "active_member"), 0);
	assert_int_equal(send_n(fs, 1), 1);
	assert_int_equal(fake_sent(0), 1);
	assert_int_equal(sl_port_close(fs), 0);
	assert_int_equal(sl_port_lookup("net_fstest0"), -ENOENT); /* closed with it */
	assert_int_equal(sl_port_lookup("net_ring1"), -ENOENT);
}

/* Both members gone or down: the failsafe takes and drops, counting why. */
static void test_no_member(void **state)
{
	struct sl_port_link link;
	struct sl_port_stats st;

	(void)state;
	uint16_t fs = (uint16_t)start_port("net_failsafe0,preferred=(net_fstest0),"
					   "fallback=(net_fstest1),monitor_ms=10");

	assert_int_equal(send_n(fs, 2), 2);
	assert_int_equal(fake_sent(0), 2);
	__atomic_store_n(&fakes[0].gone, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&fakes[1].gone, 1, __ATOMIC_RELEASE);
	WAIT_FOR(xstat(fs, "active_member") == 2, 2000);
	assert_int_equal(xstat(fs, "active_member"), 2);
	assert_int_equal(xstat(fs, "fallback_lost"), 1);
	assert_true(log_capture_has(&cap, "net_failsafe0: no member can send", "tx_qN_no_member"));
	assert_int_equal(sl_port_link(fs, &link), 0);
	assert_false(link.up);
	assert_int_equal(send_n(fs, 9), 9);
	assert_int_equal(xstat(fs, "tx_q0_no_member"), 9);
	assert_int_equal(sl_port_stats(fs, &st), 0);
	assert_int_equal(st.oerrors, 9);
	assert_int_equal(st.opackets, 2);
	/* The fallback comes back alone: tx on it. */
	__atomic_store_n(&fakes[1].gone, 0, __ATOMIC_RELEASE);
	WAIT_FOR(xstat(fs, "active_member") == 1, 2000);
	assert_int_equal(xstat(fs, "active_member"), 1);
	assert_int_equal(send_n(fs, 3), 3);
	assert_int_equal(fake_sent(1), 3);
}

/* Members named, not created: claimed, then released (not closed) with the failsafe. */
static void test_claimed_members(void **state)
{
	(void)state;
	/* The application had started one of them: the failsafe takes it over. */
	int a = start_port("net_ring1,rx=pa,tx=pb"), b = sl_port_create("net_ring2,rx=fa,tx=fb");

	assert_true(a >= 0 && b >= 0);
	uint16_t fs = (uint16_t)start_port("failsafe0,preferred=net_ring1,fallback=net_ring2");
	uint16_t pp = (uint16_t)start_port("net_ring3,rx=pb,tx=pa");

	assert_int_equal(sl_port_owner((uint16_t)a), fs);
	assert_int_equal(send_n(fs, 3), 3);
	assert_int_equal(recv_n(pp, 3, pp), 3);
	assert_int_equal(sl_port_close(fs), 0);
	assert_int_equal(sl_port_owner((uint16_t)a), -1);
	assert_int_equal(sl_port_owner((uint16_t)b), -1);
	assert_int_equal(sl_port_lookup("net_ring1"), a); /* the application's again, open */
	assert_int_equal(sl_port_start((uint16_t)a), 0);  /* still set up as the failsafe had it */
	assert_int_equal(send_n((uint16_t)a, 2), 2);
	assert_int_equal(recv_n(pp, 2, pp), 2);
	assert_int_equal(sl_port_close((uint16_t)a), 0);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(sl_port_create("net_failsafe0,fallback=(net_ring1)"), -EINVAL);
	assert_true(log_capture_has(&cap, "net_failsafe0: preferred= is missing",
				    "preferred=(net_af_packet0,iface=eth0)"));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=(net_ring1)"), -EINVAL);
	assert_true(log_capture_has(&cap, "net_failsafe0: fallback= is missing", NULL));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=net_ring1,fallback=net_ring1"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "preferred and fallback are the same device 'net_ring1'",
				    "give two different ports"));
	assert_int_equal(
		sl_port_create("net_failsafe0,preferred=(net_bogus0,x=1),fallback=net_ring1"),
		-ENOENT);
	assert_true(log_capture_has(&cap, "'net_bogus0': no such driver", NULL));
	assert_true(log_capture_has(&cap,
				    "net_failsafe0: cannot create the preferred member from "
				    "'net_bogus0,x=1'",
				    "fix the device string"));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=net_failsafe0,fallback=net_ring1"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "preferred=net_failsafe0 is this port itself", NULL));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=net_ring1,fallback=(net_failsafe1,"
					"preferred=net_ring2,fallback=net_ring3)"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "is a failsafe port", "give an af_packet, tap, ring"));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=net_ring1,fallback=net_ring2,"
					"monitor_ms=0"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "monitor_ms=0 is not a number in [1, 60000]", NULL));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=net_ring1,fallback=net_ring2,"
					"mac=02:00"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "mac=02:00 is not a MAC address", "02:00:00:00:00:01"));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=(net_ring1,size=1000),"
					"fallback=net_ring2"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "size=1000 is not a power of two", NULL));

	/* An existing port given as a device string; one port as both members. */
	assert_true(sl_port_create("net_ring5") >= 0);
	assert_int_equal(sl_port_create("net_failsafe0,preferred=(net_ring5,size=64),"
					"fallback=net_ring2"),
			 -EEXIST);
	assert_true(log_capture_has(&cap, "port net_ring5 exists already",
				    "give its name alone (preferred=net_ring5)"));
	assert_int_equal(sl_port_create("net_failsafe0,preferred=net_ring5,fallback=(net_ring5)"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "same device 'net_ring5'", NULL));
	/* A failed creation leaves nothing behind: members it made closed, claimed ones free. */
	assert_int_equal(
		sl_port_create("net_failsafe0,preferred=(net_ring6),fallback=(net_bogus1)"),
		-ENOENT);
	assert_int_equal(sl_port_lookup("net_ring6"), -ENOENT);
	assert_int_equal(sl_port_lookup("net_failsafe0"), -ENOENT);
	assert_int_equal(sl_port_owner((uint16_t)sl_port_lookup("net_ring5")), -1);
	assert_int_equal(sl_port_count(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ring_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switch_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claimed_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
