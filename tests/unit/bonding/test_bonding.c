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
#include <unistd.h>
#include <cmocka.h>

#include "bond.h"
#include "lacp.h"
#include "log_capture.h"
#include "port_test.h"
#include "sl_bond.h"
#include "sl_port.h"
#include "sl_port_driver.h"

static struct log_capture cap;
static struct sl_pool *pool;

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("bond_test", 4096, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_port_close_all();
	assert_int_equal(sl_port_count(), 0);
	assert_int_equal(sl_port_lookup("net_ring1"), -ENOENT); /* members went too */
	assert_int_equal(sl_pool_in_use(pool), 0);
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

static void up(int id, uint16_t nq)
{
	struct sl_port_conf conf = {.nb_rxq = nq, .nb_txq = nq};

	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, pool), 0);
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	}
	assert_int_equal(sl_port_start((uint16_t)id), 0);
}

/* Member i of bond `b` is net_ring<b*10+i+1>, wired to the test's peer net_ring<b*10+i+5>. */
static char *member(int b, int i, char *buf, size_t len)
{
	snprintf(buf, len, "(net_ring%d,rx=b%dm%d_in,tx=b%dm%d_out)", b * 10 + i + 1, b, i, b, i);
	return buf;
}

static int peer(int b, int i)
{
	char s[96];

	snprintf(s, sizeof(s), "net_ring%d,rx=b%dm%d_out,tx=b%dm%d_in", b * 10 + i + 5, b, i, b, i);
	return sl_port_create(s);
}

static int bond(int b, const char *opts, int nm)
{
	char s[512], m[96];

	snprintf(s, sizeof(s), "net_bonding%d,%s", b, opts);
	for (int i = 0; i < nm; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), ",member=%s",
			 member(b, i, m, sizeof(m)));
	return sl_port_create(s);
}

/* A UDP/IPv4 frame; flow picks the source port (and address). */
static struct sl_pktbuf *frame(uint32_t flow)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(pool);
	uint8_t *d;

	assert_non_null(p);
	d = (uint8_t *)sl_pktbuf_append(p, 64);
	if (d == NULL)
		abort();
	memset(d, 0, 64);
	memcpy(d, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	d[14] = 0x45;
	d[23] = 17;
	d[26] = 10, d[27] = 0, d[28] = (uint8_t)(flow >> 8), d[29] = (uint8_t)flow;
	d[30] = 10, d[31] = 0, d[32] = 0, d[33] = 1;
	d[34] = (uint8_t)(flow >> 8), d[35] = (uint8_t)flow, d[36] = 0x12, d[37] = 0x34;
	return p;
}

/* Sends n frames of flows first.. on the port's queue 0; returns how many it took. */
static unsigned send_flows(uint16_t port, uint32_t first, unsigned n)
{
	unsigned sent = 0;

	while (sent < n) {
		struct sl_pktbuf *pkts[32];
		uint16_t k = (uint16_t)(n - sent < 32 ? n - sent : 32), ok;

		for (uint16_t i = 0; i < k; i++)
			pkts[i] = frame(first + sent + i);
		ok = sl_port_tx_burst(port, 0, pkts, k);
		sl_pktbuf_free_bulk(pkts + ok, k - ok);
		sent += ok;
		if (ok < k)
			break;
	}
	return sent;
}

static unsigned drain(uint16_t port)
{
	struct sl_pktbuf *pkts[32];
	unsigned got = 0;
	uint16_t n;

	while ((n = sl_port_rx_burst(port, 0, pkts, 32)) > 0) {
		sl_pktbuf_free_bulk(pkts, n);
		got += n;
	}
	return got;
}

static void test_active_backup_failover(void **state)
{
	int b, p0, p1;
	struct sl_bond_status st;
	struct sl_port_link link;

	(void)state;
	p0 = peer(0, 0);
	p1 = peer(0, 1);
	b = bond(0, "mode=active-backup,monitor_ms=5", 2);
	assert_true(b >= 0 && p0 >= 0 && p1 >= 0);
	up(p0, 1);
	up(p1, 1);
	up(b, 1);
	/* The members are the bond's: the application sees the bond and the peers. */
	assert_int_equal(sl_port_count(), 3);
	assert_int_equal(sl_port_owner((uint16_t)sl_port_lookup("net_ring1")), b);
	assert_int_equal(sl_bond_status((uint16_t)b, &st), 0);
	assert_int_equal(st.nb_members, 2);
	assert_true(st.members[0].active && !st.members[1].active);
	assert_int_equal(sl_port_link((uint16_t)b, &link), 0);
	assert_true(link.up);

	assert_int_equal(send_flows((uint16_t)b, 0, 100), 100);
	assert_int_equal(drain((uint16_t)p0), 100);
	assert_int_equal(drain((uint16_t)p1), 0);
	/* The active member's frames are received; the backup's are dropped, counted (a
	 * switch flooding to both links would otherwise deliver each frame twice). */
	assert_int_equal(send_flows((uint16_t)p1, 0, 10), 10);
	assert_int_equal(send_flows((uint16_t)p0, 0, 10), 10);
	assert_int_equal(drain((uint16_t)b), 10);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_not_collecting"), 10);
	assert_int_equal(send_flows((uint16_t)p0, 0, 10), 10);
	assert_int_equal(drain((uint16_t)b), 10);

	/* The active member's link goes (stopped): the monitor moves to the backup. */
	assert_int_equal(sl_port_stop((uint16_t)sl_port_lookup("net_ring1")), 0);
	WAIT_FOR(sl_bond_status((uint16_t)b, &st) == 0 && st.members[1].active, 2000);
	assert_true(log_capture_has(&cap, "member net_ring1 link down", NULL));
	assert_int_equal(send_flows((uint16_t)b, 0, 100), 100);
	assert_int_equal(drain((uint16_t)p1), 100);
	assert_int_equal(drain((uint16_t)p0), 0);
	assert_int_equal(xstat((uint16_t)b, "failovers"), 1);
	assert_int_equal(xstat((uint16_t)b, "member0_link_downs"), 1);
	/* It comes back: not preferred (no primary=), so the backup keeps sending. */
	assert_int_equal(sl_port_start((uint16_t)sl_port_lookup("net_ring1")), 0);
	WAIT_FOR(sl_bond_status((uint16_t)b, &st) == 0 && st.members[0].link_up, 2000);
	assert_true(st.members[1].active);
	/* Counters carry on: 200 sent, 20 received by the bond's own queues. */
	struct sl_port_stats s;

	assert_int_equal(sl_port_stats((uint16_t)b, &s), 0);
	assert_int_equal(s.opackets, 200);
	assert_int_equal(s.ipackets, 20);
	/* Both down: nothing can send; refused and counted. */
	assert_int_equal(sl_port_stop((uint16_t)sl_port_lookup("net_ring1")), 0);
	assert_int_equal(sl_port_stop((uint16_t)sl_port_lookup("net_ring2")), 0);
	WAIT_FOR(sl_bond_status((uint16_t)b, &st) == 0 && !st.members[0].link_up &&
			 !st.members[1].link_up,
		 2000);
	assert_int_equal(sl_port_link((uint16_t)b, &link), 0);
	assert_false(link.up);
	assert_int_equal(send_flows((uint16_t)b, 0, 5), 0);
	assert_int_equal(xstat((uint16_t)b, "tx_q0_no_member"), 5);
	assert_xstat_names_unique((uint16_t)b);
}

static void test_primary_preempts(void **state)
{
	int b, p0, p1;
	struct sl_bond_status st;

	(void)state;
	p0 = peer(0, 0);
	p1 = peer(0, 1);
	b = bond(0, "mode=1,primary=net_ring2,monitor_ms=5", 2);
	up(p0, 1);
	up(p1, 1);
	up(b, 1);
	assert_int_equal(sl_bond_status((uint16_t)b, &st), 0);
	assert_true(st.members[1].active); /* the primary, though listed second */
	assert_int_equal(sl_port_stop((uint16_t)sl_port_lookup("net_ring2")), 0);
	WAIT_FOR(sl_bond_status((uint16_t)b, &st) == 0 && st.members[0].active, 2000);
	assert_int_equal(sl_port_start((uint16_t)sl_port_lookup("net_ring2")), 0);
	WAIT_FOR(sl_bond_status((uint16_t)b, &st) == 0 && st.members[1].active, 2000);
	assert_int_equal(xstat((uint16_t)b, "failovers"), 2);
}

static void test_balance_xor_spreads_flows(void **state)
{
	int b, p0, p1;
	unsigned n0, n1;

	(void)state;
	p0 = peer(0, 0);
	p1 = peer(0, 1);
	b = bond(0, "mode=balance-xor,xmit_policy=l34", 2);
	up(p0, 1);
	up(p1, 1);
	up(b, 1);
	assert_int_equal(send_flows((uint16_t)b, 0, 1000), 1000);
	n0 = drain((uint16_t)p0);
	n1 = drain((uint16_t)p1);
	assert_int_equal(n0 + n1, 1000);
	assert_true(n0 > 350 && n1 > 350); /* 1000 flows: about half each */
	/* One flow, one member: 50 copies of flow 7 all go the same way. */
	for (int i = 0; i < 50; i++)
		assert_int_equal(send_flows((uint16_t)b, 7, 1), 1);
	n0 = drain((uint16_t)p0);
	n1 = drain((uint16_t)p1);
	assert_true((n0 == 50 && n1 == 0) || (n0 == 0 && n1 == 50));
}

static void test_hash_policies(void **state)
{
	struct sl_pktbuf *a, *c;

	(void)state;
	a = frame(1);
	c = frame(2); /* other source address and port, same MACs */
	assert_int_equal(bond_hash(a, SL_BOND_HASH_L2), bond_hash(c, SL_BOND_HASH_L2));
	assert_int_not_equal(bond_hash(a, SL_BOND_HASH_L23), bond_hash(c, SL_BOND_HASH_L23));
	assert_int_not_equal(bond_hash(a, SL_BOND_HASH_L34), bond_hash(c, SL_BOND_HASH_L34));
	/* A fragment has no ports to hash: l34 falls back to the addresses. */
	uint8_t *d = sl_pktbuf_mtod(a, uint8_t *);
	uint32_t h = bond_hash(a, SL_BOND_HASH_L34);

	d[20] = 0x20; /* more fragments */
	d[36] = 0x99;
	assert_int_not_equal(bond_hash(a, SL_BOND_HASH_L34), h);
	h = bond_hash(a, SL_BOND_HASH_L34);
	d[37] = 0x77; /* ports are not read for a fragment */
	assert_int_equal(bond_hash(a, SL_BOND_HASH_L34), h);
	/* Shorter than an Ethernet header: hashed as 0, not read past the end. */
	assert_int_equal(sl_pktbuf_trim(c, 54), 0);
	assert_int_equal(bond_hash(c, SL_BOND_HASH_L34), 0);
	sl_pktbuf_free(a);
	sl_pktbuf_free(c);
}

/* Two 802.3ad bonds back to back: bond 0's member i and bond 1's member i share rings. */
static void lacp_pair(int *a, int *b, const char *opts)
{
	char s[512];

	snprintf(s, sizeof(s),
		 "net_bonding0,mode=802.3ad,%s,member=(net_ring1,rx=l0,tx=r0),"
		 "member=(net_ring2,rx=l1,tx=r1)",
		 opts);
	*a = sl_port_create(s);
	snprintf(s, sizeof(s),
		 "net_bonding1,mode=802.3ad,%s,member=(net_ring11,rx=r0,tx=l0),"
		 "member=(net_ring12,rx=r1,tx=l1)",
		 opts);
	*b = sl_port_create(s);
	up(*a, 1);
	up(*b, 1);
}

/* Polls both bonds (their LACP frames go out in tx bursts, empty ones too) until every
 * member of each is distributing or `wanted` says otherwise; ms at most. */
static bool lacp_wait(int a, int b, unsigned want_a, unsigned want_b, unsigned ms, unsigned *got_a,
		      unsigned *got_b)
{
	uint64_t end = now_ms() + ms;

	*got_a = *got_b = 0;
	while (now_ms() < end) {
		struct sl_bond_status sa, sb;
		unsigned da = 0, db = 0;

		*got_a += drain((uint16_t)a);
		*got_b += drain((uint16_t)b);
		sl_port_tx_burst((uint16_t)a, 0, NULL, 0);
		sl_port_tx_burst((uint16_t)b, 0, NULL, 0);
		sl_bond_status((uint16_t)a, &sa);
		sl_bond_status((uint16_t)b, &sb);
		for (unsigned i = 0; i < sa.nb_members; i++)
			da += sa.members[i].active;
		for (unsigned i = 0; i < sb.nb_members; i++)
			db += sb.members[i].active;
		if (da == want_a && db == want_b)
			return true;
		usleep(1000);
	}
	return false;
}

static void test_lacp_two_bonds(void **state)
{
	int a, b;
	unsigned ga, gb;
	struct sl_bond_status st;
	uint8_t mac[6];

	(void)state;
	lacp_pair(&a, &b, "monitor_ms=5,xmit_policy=l34");
	const uint8_t want = SL_LACP_STATE_ACTIVITY | SL_LACP_STATE_TIMEOUT |
			     SL_LACP_STATE_AGGREGATION | SL_LACP_STATE_SYNC |
			     SL_LACP_STATE_COLLECTING | SL_LACP_STATE_DISTRIBUTING;
	uint64_t end = now_ms() + 8000;
	bool told;

	assert_true(lacp_wait(a, b, 2, 2, 8000, &ga, &gb));
	assert_int_equal(ga + gb, 0); /* LACP frames are the bond's, not the application's */
	do {			      /* what the partner said of itself lags ours by a LACPDU */
		assert_true(lacp_wait(a, b, 2, 2, 100, &ga, &gb));
		assert_int_equal(ga + gb, 0);
		assert_int_equal(sl_bond_status((uint16_t)a, &st), 0);
		told = (st.members[0].partner_state & want) == want &&
		       (st.members[1].partner_state & want) == want;
	} while (!told && now_ms() < end);
	assert_int_equal(sl_port_mac((uint16_t)b, mac), 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(st.members[i].actor_state, want);
		assert_int_equal(st.members[i].partner_state & want, want);
		assert_memory_equal(st.members[i].partner_system, mac, 6);
	}
	assert_true(xstat((uint16_t)a, "member0_lacp_rx_pdus") >= 1);
	assert_true(xstat((uint16_t)a, "member1_lacp_tx_pdus") >= 1);
	assert_true(xstat((uint16_t)b, "rx_q0_lacp_rx") >= 2);

	/* Traffic over both members, none lost. */
	assert_int_equal(send_flows((uint16_t)a, 0, 1000), 1000);
	assert_true(lacp_wait(a, b, 2, 2, 100, &ga, &gb));
	gb += drain((uint16_t)b);
	assert_int_equal(gb, 1000);
	for (int i = 1; i <= 2; i++) { /* both members carried some */
		struct sl_port_stats ms;
		char name[16];

		snprintf(name, sizeof(name), "net_ring%d", i);
		assert_int_equal(sl_port_stats((uint16_t)sl_port_lookup(name), &ms), 0);
		assert_true(ms.opackets > 300);
	}

	/* A member leaves bond 0: bond 0 sends on the other at once; bond 1's partner for it
	 * falls silent, expires (short timeout: 3 s) and stops distributing there. */
	assert_int_equal(sl_bond_member_remove((uint16_t)a, (uint16_t)sl_port_lookup("net_ring2")),
			 0);
	assert_int_equal(sl_port_lookup("net_ring2"), -ENOENT); /* created by the bond: closed */
	assert_int_equal(send_flows((uint16_t)a, 0, 500), 500);
	gb = drain((uint16_t)b);
	assert_int_equal(gb, 500);
	assert_true(lacp_wait(a, b, 1, 1, 8000, &ga, &gb));
	assert_true(xstat((uint16_t)b, "member1_lacp_expired") >= 1);
	assert_int_equal(send_flows((uint16_t)b, 0, 500), 500);
	assert_true(lacp_wait(a, b, 1, 1, 50, &ga, &gb));
	ga += drain((uint16_t)a);
	assert_int_equal(ga, 500);
}

/* A LACP frame whose actor is (sys, port); partner empty. */
static void pdu_frame(uint8_t f[LACP_FRAME_LEN], uint8_t sys, uint16_t port, uint8_t state)
{
	struct lacp_pdu pdu = {0};
	uint8_t src[6] = {2, 0, 0, 0, 0, sys};

	pdu.actor.sys[5] = sys;
	pdu.actor.key = 1;
	pdu.actor.port = port;
	pdu.actor.state = state;
	lacp_build(f, src, &pdu);
}

static void test_lacp_parse_rejects(void **state)
{
	uint8_t f[LACP_FRAME_LEN], g[LACP_FRAME_LEN];
	struct lacp_pdu pdu;

	(void)state;
	pdu_frame(f, 9, 3, SL_LACP_STATE_ACTIVITY);
	assert_int_equal(lacp_parse(f, sizeof(f), &pdu), LACP_OK);
	assert_int_equal(pdu.actor.port, 3);
	assert_int_equal(pdu.actor.sys[5], 9);
	assert_int_equal(lacp_parse(f, 74, &pdu), LACP_OK); /* reserved tail cut: still read */
	assert_int_equal(lacp_parse(f, 73, &pdu), LACP_BAD_SHORT);
	assert_int_equal(lacp_parse(f, 10, &pdu), LACP_BAD_SHORT);
	memcpy(g, f, sizeof(g));
	g[0] = 0xff;
	assert_int_equal(lacp_parse(g, sizeof(g), &pdu), LACP_BAD_NOT_SLOW);
	memcpy(g, f, sizeof(g));
	g[14] = LACP_MARKER_SUBTYPE;
	assert_int_equal(lacp_parse(g, sizeof(g), &pdu), LACP_BAD_SUBTYPE);
	memcpy(g, f, sizeof(g));
	g[15] = 0;
	assert_int_equal(lacp_parse(g, sizeof(g), &pdu), LACP_BAD_VERSION);
	memcpy(g, f, sizeof(g));
	g[17] = 19; /* actor TLV length */
	assert_int_equal(lacp_parse(g, sizeof(g), &pdu), LACP_BAD_TLV);
	memcpy(g, f, sizeof(g));
	g[72] = 5; /* no terminator in version 1 */
	assert_int_equal(lacp_parse(g, sizeof(g), &pdu), LACP_BAD_TLV);
	g[15] = 2; /* version 2 may carry more TLVs there */
	assert_int_equal(lacp_parse(g, sizeof(g), &pdu), LACP_OK);
}

static void test_lacp_machine_flapping_partner(void **state)
{
	uint8_t sys[6] = {2, 0, 0, 0, 0, 1};
	struct lacp_member m;
	struct lacp_member *mp = &m;
	struct lacp_pdu pdu = {0}, out;
	bool link = true;
	uint64_t t = 1000;

	(void)state;
	lacp_member_init(&m, sys, 1, 1, true, t);
	assert_true(lacp_tx_due(&m, t, &out)); /* speaks first */
	assert_true(out.actor.state & SL_LACP_STATE_DEFAULTED);
	/* A partner that changes system at every PDU never gets selected for long. */
	for (unsigned i = 0; i < 20; i++) {
		pdu.actor.sys[5] = (uint8_t)(i + 10);
		pdu.actor.key = 7;
		pdu.actor.port = 1;
		pdu.actor.state =
			SL_LACP_STATE_ACTIVITY | SL_LACP_STATE_AGGREGATION | SL_LACP_STATE_SYNC;
		pdu.partner = m.actor; /* it knows us */
		lacp_rx(&m, &pdu, t += 1000);
		assert_false(m.selected); /* a new partner: selection looks again */
		lacp_select(&mp, &link, 1);
		assert_true(m.selected);
	}
	assert_int_equal(m.partner_changes, 19);
	/* Selected, in sync with a partner in sync that knows us: distributing. */
	assert_true(lacp_distributing(&m));
	/* At most 3 LACPDUs a second however often the state changes. */
	unsigned sent = 0;

	for (unsigned i = 0; i < 10; i++) {
		m.ntt = true;
		sent += lacp_tx_due(&m, t + i, &out);
	}
	assert_true(sent <= LACP_MAX_TX_PER_SEC);
	/* Silence past the short timeout: the partner is forgotten, not distributing. */
	lacp_tick(&m, t + LACP_SHORT_TIMEOUT_NS + 1);
	assert_int_equal(m.expired, 1);
	lacp_select(&mp, &link, 1);
	assert_false(lacp_distributing(&m));
	assert_true(m.actor.state & SL_LACP_STATE_DEFAULTED);
	/* A partner that does not aggregate is not selected. */
	pdu.actor.state = SL_LACP_STATE_ACTIVITY;
	lacp_rx(&m, &pdu, t += 1000);
	lacp_select(&mp, &link, 1);
	assert_false(m.selected);
	/* Down link: never selected. */
	pdu.actor.state |= SL_LACP_STATE_AGGREGATION;
	lacp_rx(&m, &pdu, t += 1000);
	link = false;
	lacp_select(&mp, &link, 1);
	assert_false(m.selected);
}

/* Malformed LACP frames into a running bond: counted by reason, state untouched. */
static void test_lacp_bad_frames_counted(void **state)
{
	int b, p0;
	uint8_t f[LACP_FRAME_LEN];
	struct sl_bond_status st;

	(void)state;
	p0 = peer(0, 0);
	b = bond(0, "mode=802.3ad,monitor_ms=5", 1);
	up(p0, 1);
	up(b, 1);
	for (int k = 0; k < 4; k++) {
		struct sl_pktbuf *p = sl_pktbuf_alloc(pool);
		uint16_t len = k == 0 ? 40 : LACP_FRAME_LEN;

		pdu_frame(f, 9, 1, SL_LACP_STATE_ACTIVITY | SL_LACP_STATE_AGGREGATION);
		if (k == 1)
			f[14] = 2; /* marker */
		if (k == 2)
			f[15] = 0;
		if (k == 3)
			f[37] = 3; /* partner TLV length */
		memcpy(sl_pktbuf_append(p, len), f, len);
		assert_int_equal(sl_port_tx_burst((uint16_t)p0, 0, &p, 1), 1);
	}
	/* And a frame that is not LACP, from a member not collecting: dropped, counted. */
	assert_int_equal(send_flows((uint16_t)p0, 0, 3), 3);
	uint64_t end = now_ms() + 2000;

	while (now_ms() < end && xstat((uint16_t)b, "lacp_bad") < 4) {
		assert_int_equal(drain((uint16_t)b), 0);
		usleep(1000);
	}
	assert_int_equal(xstat((uint16_t)b, "lacp_bad"), 4);
	assert_int_equal(xstat((uint16_t)b, "member0_lacp_short"), 1);
	assert_int_equal(xstat((uint16_t)b, "member0_lacp_subtype"), 1);
	assert_int_equal(xstat((uint16_t)b, "member0_lacp_version"), 1);
	assert_int_equal(xstat((uint16_t)b, "member0_lacp_tlv"), 1);
	assert_int_equal(xstat((uint16_t)b, "rx_q0_not_collecting"), 3);
	assert_int_equal(sl_bond_status((uint16_t)b, &st), 0);
	assert_true(st.members[0].actor_state & SL_LACP_STATE_DEFAULTED);
	assert_false(st.members[0].active);
	drain((uint16_t)p0); /* the bond's own LACPDUs */
}

struct sender {
	uint16_t port;
	uint32_t stop;
	uint64_t sent;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		unsigned n = send_flows(s->port, (uint32_t)s->sent, 32);

		__atomic_store_n(&s->sent, s->sent + n, __ATOMIC_RELEASE);
		if (n == 0)
			usleep(10);
	}
	return NULL;
}

/* Members leave and come back while another thread sends through the bond: every packet
 * the bond took arrives at a peer (the member set changes between bursts, never in one). */
static void test_members_change_under_traffic(void **state)
{
	int b, p0, p1, m1;
	struct sender s = {0};
	pthread_t t;
	unsigned got = 0;

	(void)state;
	p0 = peer(0, 0);
	p1 = peer(0, 1);
	m1 = sl_port_create("net_ring2,rx=b0m1_in,tx=b0m1_out"); /* named: stays after removal */
	b = sl_port_create("net_bonding0,mode=balance-xor,xmit_policy=l34,monitor_ms=2,"
			   "member=(net_ring1,rx=b0m0_in,tx=b0m0_out),member=net_ring2");
	assert_true(b >= 0 && m1 >= 0);
	up(p0, 1);
	up(p1, 1);
	up(b, 1);
	s.port = (uint16_t)b;
	assert_int_equal(pthread_create(&t, NULL, sender_main, &s), 0);
	for (int round = 0; round < 20; round++) {
		usleep(2000);
		got += drain((uint16_t)p0) + drain((uint16_t)p1);
		assert_int_equal(sl_bond_member_remove((uint16_t)b, (uint16_t)m1), 0);
		assert_int_equal(sl_port_owner((uint16_t)m1), -1); /* the application's again */
		usleep(2000);
		got += drain((uint16_t)p0) + drain((uint16_t)p1);
		assert_int_equal(sl_bond_member_add((uint16_t)b, (uint16_t)m1), 0);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	got += drain((uint16_t)p0) + drain((uint16_t)p1);
	assert_true(s.sent > 0);
	assert_int_equal(got, s.sent);
	assert_true(xstat((uint16_t)b, "set_changes") >= 40);
}

static void test_bad_arguments(void **state)
{
	int b, p;

	(void)state;
	assert_int_equal(sl_port_create("net_bonding0,mode=round-robin"), -EINVAL);
	assert_true(log_capture_has(&cap, "mode=round-robin is not a mode",
				    "active-backup (1), balance-xor (2) or 802.3ad (4)"));
	assert_int_equal(sl_port_create("net_bonding0,mode=2,xmit_policy=l5"), -EINVAL);
	assert_true(log_capture_has(&cap, "xmit_policy=l5 is not a hash", "l2, l23 or l34"));
	assert_int_equal(sl_port_create("net_bonding0,lacp_rate=often"), -EINVAL);
	assert_true(log_capture_has(&cap, "lacp_rate=often", "fast (1 s) or slow (30 s)"));
	assert_int_equal(sl_port_create("net_bonding0,monitor_ms=0"), -EINVAL);
	assert_int_equal(sl_port_create("net_bonding0,member=net_bogus7"), -ENOENT);
	assert_true(log_capture_has(&cap, "member=net_bogus7 is neither a port nor",
				    "a device string"));
	assert_int_equal(sl_port_create("net_bonding0,member=(net_null1),primary=net_null9"),
			 -EINVAL);
	assert_true(log_capture_has(&cap, "primary=net_null9 is not one of its members", NULL));
	assert_int_equal(sl_port_lookup("net_null1"), -ENOENT); /* the failed bond's: closed */
	p = sl_port_create("net_null2");
	assert_int_equal(sl_port_create("net_bonding0,member=net_null2,member=net_null2"), -EEXIST);
	assert_true(log_capture_has(&cap, "net_null2 is a member already", NULL));
	assert_int_equal(sl_port_owner((uint16_t)p), -1); /* given back */
	b = sl_port_create("net_bonding0,member=net_null2");
	assert_true(b >= 0);
	assert_int_equal(sl_port_create("net_bonding1,member=net_null2"), -EBUSY);
	assert_true(log_capture_has(&cap, "a member of another port already", NULL));
	assert_int_equal(sl_bond_member_add((uint16_t)b, (uint16_t)b), -EBUSY);
	assert_int_equal(sl_bond_member_add((uint16_t)p, (uint16_t)b), -ENODEV);
	assert_true(log_capture_has(&cap, "(net_null2) is not a bond", NULL));
	assert_int_equal(sl_bond_member_remove((uint16_t)b, 30), -ENOENT);
	assert_int_equal(sl_port_close((uint16_t)p), -EBUSY); /* the bond's */
	int s = sl_port_create("net_null3");

	up(s, 1);
	assert_int_equal(sl_bond_member_add((uint16_t)b, (uint16_t)s), -EBUSY);
	assert_true(log_capture_has(&cap, "net_null3 is started", "stop it before adding it"));
	/* No members: a warning, and a port that carries nothing until one is added. */
	assert_true(sl_port_create("net_bonding2") >= 0);
	assert_true(log_capture_has(&cap, "no member= given", "sl_bond_member_add()"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_active_backup_failover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_primary_preempts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balance_xor_spreads_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_two_bonds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_parse_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_machine_flapping_partner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lacp_bad_frames_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_members_change_under_traffic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
