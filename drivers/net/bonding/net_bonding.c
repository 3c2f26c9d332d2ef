/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bonding: the port ops, the members, the monitor thread and the sl_bond_* calls
 * (bond.h for the threads, docs/bonding.md for the use).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bond.h"
#include "sl_cycles.h"

SL_LOG_TYPE_DEFINE(net_bonding)

static const struct sl_port_qxstat bond_rxq_xstats[] = {
	SL_PORT_QXSTAT(struct bond_rxq, not_collecting),
	SL_PORT_QXSTAT(struct bond_rxq, lacp_rx),
	SL_PORT_QXSTAT(struct bond_rxq, lacp_rx_full),
	{NULL, 0},
};

static const struct sl_port_qxstat bond_txq_xstats[] = {
	SL_PORT_QXSTAT(struct bond_txq, no_member),
	SL_PORT_QXSTAT(struct bond_txq, lacp_tx),
	SL_PORT_QXSTAT(struct bond_txq, lacp_tx_full),
	{NULL, 0},
};

static const struct sl_port_qxstat bond_port_xstats[] = {
	SL_PORT_QXSTAT(struct bond, failovers),
	SL_PORT_QXSTAT(struct bond, set_changes),
	SL_PORT_QXSTAT(struct bond, lacp_bad),
	SL_PORT_QXSTAT(struct bond, lacp_nombuf),
	{NULL, 0},
};

static const struct {
	const char *name;
	enum sl_bond_mode mode;
} modes[] = {
	{"active-backup", SL_BOND_ACTIVE_BACKUP},
	{"1", SL_BOND_ACTIVE_BACKUP},
	{"balance-xor", SL_BOND_BALANCE_XOR},
	{"2", SL_BOND_BALANCE_XOR},
	{"802.3ad", SL_BOND_8023AD},
	{"4", SL_BOND_8023AD},
	{"lacp", SL_BOND_8023AD},
};

static const char *const hashes[] = {
	[SL_BOND_HASH_L2] = "l2",
	[SL_BOND_HASH_L23] = "l23",
	[SL_BOND_HASH_L34] = "l34",
};

static const char *mode_name(enum sl_bond_mode m)
{
	return m == SL_BOND_ACTIVE_BACKUP ? "active-backup"
	       : m == SL_BOND_BALANCE_XOR ? "balance-xor"
					  : "802.3ad";
}

extern const struct sl_port_driver sl_port_driver_bonding;

static const char *name_of(uint16_t id)
{
	struct sl_port *p = sl_port_get(id);

	return p ? p->name : "?";
}

/* The bond of port id, or NULL logged. */
static struct bond *bond_of(uint16_t id, const char *what)
{
	struct sl_port *p = sl_port_get(id);

	if (p == NULL || p->drv != &sl_port_driver_bonding) {
		SL_LOG(net_bonding, ERR, "%s: port %u%s%s%s is not a bond; give a net_bonding port",
		       what, id, p ? " (" : "", p ? p->name : "", p ? ")" : " does not exist and");
		return NULL;
	}
	return p->priv;
}

/* --- the member set the bursts use --- */

static bool member_usable(const struct bond *b, const struct bond_member *m)
{
	return b->started && m->link_up;
}

/* Builds the set the members' state calls for; publishes it when it differs. */
static void publish(struct bond *b)
{
	uint32_t cur = __atomic_load_n(&b->cur, __ATOMIC_RELAXED);
	struct bond_set *s = &b->sets[!cur];
	struct sl_port *port = b->port;
	int active = -1;

	memset(s, 0, sizeof(*s));
	if (b->mode == SL_BOND_ACTIVE_BACKUP) {
		if (b->primary >= 0 && member_usable(b, &b->m[b->primary]))
			active = b->primary;
		else if (b->active >= 0 && (unsigned)b->active < b->nm &&
			 member_usable(b, &b->m[b->active]))
			active = b->active;
		else
			for (unsigned i = 0; i < b->nm && active < 0; i++)
				if (member_usable(b, &b->m[i]))
					active = (int)i;
		if (active != b->active) {
			if (b->active >= 0 || active >= 0)
				SL_LOG(net_bonding, NOTICE, "%s: sending on %s%s", port->name,
				       active >= 0 ? name_of(b->m[active].port) : "no member",
				       active >= 0 ? "" : " (all down)");
			if (b->active >= 0 && active >= 0)
				__atomic_fetch_add(&b->failovers, 1, __ATOMIC_RELAXED);
			b->active = active;
		}
		if (active >= 0) { /* first polled too: it fills the burst, backups after */
			s->rx[s->n_rx++] = b->m[active].port;
			s->tx[s->n_tx++] = b->m[active].port;
			s->collecting = 1u << b->m[active].port;
		}
	}
	for (unsigned i = 0; i < b->nm; i++) {
		const struct bond_member *m = &b->m[i];

		if (!b->started)
			break;
		if (b->mode == SL_BOND_8023AD) {
			s->all[s->n_all] = m->port;
			s->slow_tx[s->n_all++] = m->slow_tx;
			s->rx[s->n_rx++] = m->port; /* polled for its LACP frames */
			if (m->link_up && lacp_distributing(&m->lacp)) {
				s->collecting |= 1u << m->port;
				s->tx[s->n_tx++] = m->port;
			}
			continue;
		}
		if (m->link_up && !(b->mode == SL_BOND_ACTIVE_BACKUP && (int)i == active)) {
			s->rx[s->n_rx++] = m->port;
			if (b->mode == SL_BOND_BALANCE_XOR)
				s->tx[s->n_tx++] = m->port;
		}
	}
	if (memcmp(s, &b->sets[cur], sizeof(*s)) == 0)
		return;
	__atomic_store_n(&b->cur, !cur, __ATOMIC_SEQ_CST);
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		const struct bond_rxq *rq = port->rxq[q];
		const struct bond_txq *tq = port->txq[q];

		if (rq)
			sl_epoch_wait(&rq->ep);
		if (tq)
			sl_epoch_wait(&tq->ep);
	}
	__atomic_fetch_add(&b->set_changes, 1, __ATOMIC_RELAXED);
	SL_LOG(net_bonding, DEBUG, "%s: %u polled, %u sending", port->name, s->n_rx, s->n_tx);
}

/* --- members --- */

static int member_index(const struct bond *b, uint16_t port)
{
	for (unsigned i = 0; i < b->nm; i++)
		if (b->m[i].port == port)
			return (int)i;
	return -1;
}

/* Gives a member the bond's configuration and queues (the ones set up so far). */
static int member_setup(struct bond *b, uint16_t mp)
{
	struct sl_port *port = b->port;
	struct sl_port_conf c = {
		.nb_rxq = port->conf.nb_rxq, .nb_txq = port->conf.nb_txq, .mtu = port->mtu};
	int rc;

	if (!b->configured)
		return 0;
	rc = sl_port_configure(mp, &c);
	for (uint16_t q = 0; rc == 0 && q < c.nb_rxq; q++)
		if (port->rxq[q])
			rc = sl_port_rxq_setup(mp, q, b->rx_desc[q], b->rx_node[q], b->rx_pool[q]);
	for (uint16_t q = 0; rc == 0 && q < c.nb_txq; q++)
		if (port->txq[q])
			rc = sl_port_txq_setup(mp, q, b->tx_desc[q], b->tx_node[q]);
	if (rc == 0 && port->promisc)
		rc = sl_port_promisc(mp, true);
	if (rc < 0)
		SL_LOG(net_bonding, ERR, "%s: member %s cannot take the bond's set-up (%s)",
		       port->name, name_of(mp), strerror(-rc));
	return rc;
}

static void member_lacp_init(struct bond *b, struct bond_member *m, unsigned i)
{
	lacp_member_init(&m->lacp, b->port->mac, (uint16_t)(b->port_id + 1), (uint16_t)(i + 1),
			 b->fast, sl_time_ns());
}

/* Claims port mp as member number b->nm. */
static int member_attach(struct bond *b, uint16_t mp, bool created)
{
	struct sl_port *port = b->port;
	struct bond_member *m = &b->m[b->nm];
	char rname[SL_NAME_SIZE];
	int rc;

	if (b->nm == SL_BOND_MAX_MEMBERS) {
		SL_LOG(net_bonding, ERR, "%s: cannot add %s: a bond has at most %d members",
		       port->name, name_of(mp), SL_BOND_MAX_MEMBERS);
		return -ENOSPC;
	}
	if (member_index(b, mp) >= 0) {
		SL_LOG(net_bonding, ERR, "%s: %s is a member already", port->name, name_of(mp));
		return -EEXIST;
	}
	if (sl_port_get(mp)->state == SL_PORT_STARTED) {
		SL_LOG(net_bonding, ERR, "%s: %s is started; stop it before adding it to the bond",
		       port->name, name_of(mp));
		return -EBUSY;
	}
	rc = sl_port_owner_set(mp, port->id);
	if (rc < 0)
		return rc;
	memset(m, 0, sizeof(*m));
	m->port = mp;
	m->created = created;
	snprintf(rname, sizeof(rname), "bond%u_slow%u", port->id, mp);
	m->slow_tx = sl_ring_create(rname, 16, -1, SL_RING_SP_ENQ);
	if (m->slow_tx == NULL) {
		SL_LOG(net_bonding, ERR, "%s: cannot create ring %s: %s", port->name, rname,
		       strerror(errno));
		sl_port_owner_set(mp, -1);
		return -ENOMEM;
	}
	rc = member_setup(b, mp);
	if (rc == 0 && b->started)
		rc = sl_port_start(mp);
	if (rc < 0) {
		sl_ring_free(m->slow_tx);
		sl_port_owner_set(mp, -1);
		return rc;
	}
	member_lacp_init(b, m, b->nm);
	b->nm++;
	SL_LOG(net_bonding, INFO, "%s: member %s added (%u members)", port->name, name_of(mp),
	       b->nm);
	return 0;
}

/* Takes member i out of the bursts and of the bond; the port is stopped and unowned. */
static void member_detach(struct bond *b, unsigned i)
{
	struct bond_member m = b->m[i];

	memmove(&b->m[i], &b->m[i + 1], (b->nm - i - 1) * sizeof(b->m[0]));
	b->nm--;
	if (b->primary == (int)i)
		b->primary = -1;
	else if (b->primary > (int)i)
		b->primary--;
	if (b->active == (int)i)
		b->active = -1;
	else if (b->active > (int)i)
		b->active--;
	publish(b); /* no burst uses it after this */
	sl_port_stop(m.port);
	sl_port_ring_free_pkts(m.slow_tx);
	sl_ring_free(m.slow_tx);
	sl_port_owner_set(m.port, -1);
	SL_LOG(net_bonding, INFO, "%s: member %s removed (%u left)", b->port->name, name_of(m.port),
	       b->nm);
}

/* A member= value: a port's name, or a device string to create one from. */
static int member_arg(struct bond *b, const char *v)
{
	int id = sl_port_lookup(v);
	bool created = id < 0;

	if (created) {
		id = sl_port_create(v);
		if (id < 0) {
			SL_LOG(net_bonding, ERR,
			       "%s: member=%s is neither a port nor a device string that creates one",
			       b->port->name, v);
			return id;
		}
		sl_port_get((uint16_t)id)->created_by1 = (uint16_t)(b->port_id + 1);
	}
	int rc = member_attach(b, (uint16_t)id, created);

	if (rc < 0 && created) {
		sl_port_get((uint16_t)id)->created_by1 = 0;
		sl_port_close((uint16_t)id);
	}
	return rc;
}

/* --- the monitor: links and LACP --- */

static void lacp_in(struct bond *b, uint64_t now)
{
	struct sl_pktbuf *f[16];
	unsigned n;

	while ((n = sl_ring_sc_dequeue_burst(b->slow_rx, (void **)f, 16, NULL)) > 0)
		for (unsigned k = 0; k < n; k++) {
			int i = member_index(b, f[k]->port);
			struct lacp_pdu pdu;
			enum lacp_bad why = lacp_parse(sl_pktbuf_mtod(f[k], const uint8_t *),
						       f[k]->data_len, &pdu);

			if (i >= 0 && why == LACP_OK)
				lacp_rx(&b->m[i].lacp, &pdu, now);
			else if (i >= 0)
				b->m[i].lacp.bad[why]++;
			if (i < 0 || why != LACP_OK)
				__atomic_fetch_add(&b->lacp_bad, 1, __ATOMIC_RELAXED);
			sl_pktbuf_free(f[k]);
		}
}

static void lacp_out(struct bond *b, uint64_t now)
{
	bool queued = false;

	for (unsigned i = 0; i < b->nm; i++) {
		struct bond_member *m = &b->m[i];
		struct sl_pktbuf *p;
		struct lacp_pdu pdu;

		if (!m->link_up || !lacp_tx_due(&m->lacp, now, &pdu))
			continue;
		p = b->pool ? sl_pktbuf_alloc(b->pool) : NULL;
		if (p == NULL || sl_pktbuf_append(p, LACP_FRAME_LEN) == NULL) {
			if (p)
				sl_pktbuf_free(p);
			__atomic_fetch_add(&b->lacp_nombuf, 1, __ATOMIC_RELAXED);
			m->lacp.ntt = true;
			continue;
		}
		lacp_build(sl_pktbuf_mtod(p, uint8_t *), b->port->mac, &pdu);
		if (sl_ring_sp_enqueue(m->slow_tx, p) < 0) {
			sl_pktbuf_free(p); /* the data path has not sent the last ones */
			__atomic_fetch_add(&b->lacp_nombuf, 1, __ATOMIC_RELAXED);
			continue;
		}
		queued = true;
	}
	if (queued)
		__atomic_store_n(&b->slow_pending, 1, __ATOMIC_RELEASE);
}

static void monitor_tick(struct bond *b)
{
	uint64_t now = sl_time_ns();

	for (unsigned i = 0; i < b->nm; i++) {
		struct bond_member *m = &b->m[i];
		struct sl_port_link l;
		bool up = false;
		int rc = 0;

		/* A member whose link cannot be read (its interface went away) is read again
		 * once a second, not every period: its driver logs each failure. */
		if (b->started && now >= m->link_retry) {
			rc = sl_port_link(m->port, &l);
			up = rc == 0 && l.up;
			if (rc < 0)
				m->link_retry = now + 1000000000ull;
		}

		if (up != m->link_up) {
			SL_LOG(net_bonding, NOTICE, "%s: member %s link %s", b->port->name,
			       name_of(m->port), up ? "up" : "down");
			if (!up)
				m->link_downs++;
			m->link_up = up;
		}
	}
	if (b->mode == SL_BOND_8023AD) {
		struct lacp_member *lm[SL_BOND_MAX_MEMBERS];
		bool up[SL_BOND_MAX_MEMBERS];

		lacp_in(b, now);
		for (unsigned i = 0; i < b->nm; i++) {
			lacp_tick(&b->m[i].lacp, now);
			lm[i] = &b->m[i].lacp;
			up[i] = b->m[i].link_up;
		}
		lacp_select(lm, up, b->nm);
		lacp_out(b, now);
	}
	publish(b);
}

static void *monitor_main(void *arg)
{
	struct bond *b = arg;
	struct timespec ts = {.tv_sec = (time_t)(b->monitor_ns / 1000000000ull),
			      .tv_nsec = (long)(b->monitor_ns % 1000000000ull)};

	while (!__atomic_load_n(&b->mon_stop, __ATOMIC_ACQUIRE)) {
		nanosleep(&ts, NULL);
		/* Never wait for the lock: a stop holding it joins this thread. */
		if (sl_port_ctl_trylock() == 0) {
			if (!__atomic_load_n(&b->mon_stop, __ATOMIC_ACQUIRE))
				monitor_tick(b);
			sl_port_ctl_unlock();
		}
	}
	return NULL;
}

static int monitor_start(struct bond *b)
{
	int rc;

	__atomic_store_n(&b->mon_stop, 0, __ATOMIC_RELEASE);
	rc = -pthread_create(&b->mon, NULL, monitor_main, b);
	if (rc < 0)
		SL_LOG(net_bonding, ERR, "%s: cannot start the link monitor: %s", b->port->name,
		       strerror(-rc));
	b->mon_on = rc == 0;
	return rc;
}

static void monitor_stop(struct bond *b)
{
	if (!b->mon_on)
		return;
	__atomic_store_n(&b->mon_stop, 1, __ATOMIC_RELEASE);
	pthread_join(b->mon, NULL);
	b->mon_on = false;
}

/* --- port ops --- */

static void bond_info(struct sl_port *port, struct sl_port_info *info)
{
	struct bond *b = port->priv;

	info->max_rxq = SL_PORT_MAX_QUEUES;
	info->max_txq = SL_PORT_MAX_QUEUES;
	info->tx_kick = b->mode == SL_BOND_8023AD; /* its LACPDUs go out in tx bursts */
	for (unsigned i = 0; i < b->nm; i++) {
		struct sl_port_info mi;

		if (sl_port_info(b->m[i].port, &mi) < 0)
			continue;
		info->max_rxq = mi.max_rxq < info->max_rxq ? mi.max_rxq : info->max_rxq;
		info->max_txq = mi.max_txq < info->max_txq ? mi.max_txq : info->max_txq;
		info->min_mtu = mi.min_mtu > info->min_mtu ? mi.min_mtu : info->min_mtu;
		info->max_mtu = mi.max_mtu < info->max_mtu ? mi.max_mtu : info->max_mtu;
		if (mi.max_rx_pktlen < info->max_rx_pktlen)
			info->max_rx_pktlen = mi.max_rx_pktlen;
	}
}

static int bond_configure(struct sl_port *port)
{
	struct bond *b = port->priv;
	int rc = 0;

	b->configured = true;
	for (unsigned i = 0; i < b->nm && rc == 0; i++)
		rc = member_setup(b, b->m[i].port);
	return rc;
}

static int bond_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			  struct sl_pool *pool)
{
	struct bond *b = port->priv;
	struct bond_rxq *rq;
	int rc = 0;

	for (unsigned i = 0; i < b->nm && rc == 0; i++)
		rc = sl_port_rxq_setup(b->m[i].port, q, nb_desc, node, pool);
	if (rc < 0)
		return rc;
	rq = sl_malloc(sizeof(*rq), 0, node);
	if (rq == NULL)
		return -ENOMEM;
	memset(rq, 0, sizeof(*rq));
	rq->q = q;
	rq->b = b;
	b->rx_pool[q] = pool;
	b->rx_desc[q] = nb_desc;
	b->rx_node[q] = node;
	if (q == 0)
		b->pool = pool;
	port->rxq[q] = rq;
	return 0;
}

static int bond_txq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node)
{
	struct bond *b = port->priv;
	struct bond_txq *tq;
	int rc = 0;

	for (unsigned i = 0; i < b->nm && rc == 0; i++)
		rc = sl_port_txq_setup(b->m[i].port, q, nb_desc, node);
	if (rc < 0)
		return rc;
	tq = sl_malloc(sizeof(*tq), 0, node);
	if (tq == NULL)
		return -ENOMEM;
	memset(tq, 0, sizeof(*tq));
	tq->q = q;
	tq->b = b;
	b->tx_desc[q] = nb_desc;
	b->tx_node[q] = node;
	port->txq[q] = tq;
	return 0;
}

static void bond_rxq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->rxq[q]);
	port->rxq[q] = NULL;
}

static void bond_txq_release(struct sl_port *port, uint16_t q)
{
	struct bond_txq *tq = port->txq[q];

	if (tq)
		sl_pktbuf_free_bulk(tq->held, tq->n_held);
	sl_free(port->txq[q]);
	port->txq[q] = NULL;
}

static int bond_start(struct sl_port *port)
{
	struct bond *b = port->priv;
	int rc = 0;
	unsigned i;

	for (i = 0; i < b->nm && rc == 0; i++)
		rc = sl_port_start(b->m[i].port);
	if (rc < 0) {
		while (i-- > 0)
			sl_port_stop(b->m[i].port);
		return rc;
	}
	b->started = true;
	monitor_tick(b); /* links now, not a period later */
	return monitor_start(b);
}

static void bond_stop(struct sl_port *port)
{
	struct bond *b = port->priv;

	monitor_stop(b);
	b->started = false;
	publish(b);
	for (unsigned i = 0; i < b->nm; i++) {
		sl_port_stop(b->m[i].port);
		b->m[i].link_up = false;
		sl_port_ring_free_pkts(b->m[i].slow_tx);
	}
}

static void bond_close(struct sl_port *port)
{
	struct bond *b = port->priv;

	monitor_stop(b);
	while (b->nm)
		member_detach(b, b->nm - 1); /* the created ones: the port layer closes them */
	if (b->slow_rx) {
		sl_port_ring_free_pkts(b->slow_rx);
		sl_ring_free(b->slow_rx);
	}
	free(b);
	port->priv = NULL;
}

static int bond_link(struct sl_port *port, struct sl_port_link *link)
{
	struct bond *b = port->priv;

	sl_port_ctl_lock_take(); /* the set: the monitor publishes under the lock */
	const struct bond_set *s = &b->sets[__atomic_load_n(&b->cur, __ATOMIC_RELAXED)];

	link->full_duplex = true;
	for (uint16_t i = 0; i < s->n_tx; i++) {
		struct sl_port_link ml;

		if (sl_port_link(s->tx[i], &ml) == 0 && ml.up) {
			link->up = true;
			link->speed_mbps += ml.speed_mbps;
		}
	}
	sl_port_ctl_unlock();
	return 0;
}

static int each_member(struct bond *b, int (*fn)(uint16_t, bool), bool on)
{
	int rc = 0;

	for (unsigned i = 0; i < b->nm; i++) {
		int r = fn(b->m[i].port, on);

		rc = rc ? rc : r;
	}
	return rc;
}

static int bond_promisc(struct sl_port *port, bool on)
{
	return each_member(port->priv, sl_port_promisc, on);
}

static int bond_allmulti(struct sl_port *port, bool on)
{
	return each_member(port->priv, sl_port_allmulti, on);
}

static int bond_mtu_set(struct sl_port *port, uint16_t mtu)
{
	struct bond *b = port->priv;
	int rc = 0;

	for (unsigned i = 0; i < b->nm && rc == 0; i++)
		rc = sl_port_mtu_set(b->m[i].port, mtu);
	return rc;
}

static int bond_xstats(struct sl_port *port, struct sl_port_xstat *xs, unsigned n)
{
	struct bond *b = port->priv;
	unsigned c = 0;

	sl_port_ctl_lock_take(); /* the monitor writes these under it */
	for (unsigned i = 0; i < b->nm; i++) {
		const struct bond_member *m = &b->m[i];

		sl_port_xstat_add(xs, n, &c, m->link_up, "member%u_link_up", i);
		sl_port_xstat_add(xs, n, &c, m->link_downs, "member%u_link_downs", i);
		if (b->mode == SL_BOND_ACTIVE_BACKUP)
			sl_port_xstat_add(xs, n, &c, b->active == (int)i, "member%u_active", i);
		if (b->mode != SL_BOND_8023AD)
			continue;
		sl_port_xstat_add(xs, n, &c, m->lacp.actor.state, "member%u_lacp_actor_state", i);
		sl_port_xstat_add(xs, n, &c, m->lacp.partner.state, "member%u_lacp_partner_state",
				  i);
		sl_port_xstat_add(xs, n, &c, m->lacp.rx_pdus, "member%u_lacp_rx_pdus", i);
		sl_port_xstat_add(xs, n, &c, m->lacp.tx_pdus, "member%u_lacp_tx_pdus", i);
		sl_port_xstat_add(xs, n, &c, m->lacp.partner_changes,
				  "member%u_lacp_partner_changes", i);
		sl_port_xstat_add(xs, n, &c, m->lacp.expired, "member%u_lacp_expired", i);
		for (unsigned r = 1; r < LACP_BAD_NR; r++)
			sl_port_xstat_add(xs, n, &c, m->lacp.bad[r], "member%u_%s", i,
					  lacp_bad_names[r]);
	}
	sl_port_ctl_unlock();
	return (int)c;
}

static const struct sl_port_ops bond_ops = {
	.info = bond_info,
	.configure = bond_configure,
	.rxq_setup = bond_rxq_setup,
	.txq_setup = bond_txq_setup,
	.rxq_release = bond_rxq_release,
	.txq_release = bond_txq_release,
	.start = bond_start,
	.stop = bond_stop,
	.close = bond_close,
	.xstats = bond_xstats,
	.rxq_xstats = bond_rxq_xstats,
	.txq_xstats = bond_txq_xstats,
	.port_xstats = bond_port_xstats,
	.link = bond_link,
	.promisc = bond_promisc,
	.allmulti = bond_allmulti,
	.mtu_set = bond_mtu_set,
};

/* --- creation --- */

static int parse_args(struct bond *b, const struct sl_devargs *args)
{
	const char *name = b->port->name, *v;
	uint64_t ms = 100;

	b->mode = SL_BOND_ACTIVE_BACKUP;
	if ((v = sl_devargs_get(args, "mode")) != NULL) {
		size_t i;

		for (i = 0; i < SL_ARRAY_SIZE(modes) && strcmp(v, modes[i].name) != 0; i++)
			;
		if (i == SL_ARRAY_SIZE(modes)) {
			SL_LOG(net_bonding, ERR,
			       "%s: mode=%s is not a mode; use active-backup (1), balance-xor (2) "
			       "or 802.3ad (4)",
			       name, v);
			return -EINVAL;
		}
		b->mode = modes[i].mode;
	} else {
		SL_LOG(net_bonding, INFO, "%s: no mode= given: active-backup", name);
	}
	b->hash = SL_BOND_HASH_L2;
	if ((v = sl_devargs_get(args, "xmit_policy")) != NULL) {
		size_t i;

		for (i = 0; i < SL_ARRAY_SIZE(hashes) && strcmp(v, hashes[i]) != 0; i++)
			;
		if (i == SL_ARRAY_SIZE(hashes)) {
			SL_LOG(net_bonding, ERR,
			       "%s: xmit_policy=%s is not a hash; use l2, l23 or l34", name, v);
			return -EINVAL;
		}
		b->hash = (enum sl_bond_hash)i;
	}
	b->fast = true;
	if ((v = sl_devargs_get(args, "lacp_rate")) != NULL) {
		if (strcmp(v, "fast") != 0 && strcmp(v, "slow") != 0) {
			SL_LOG(net_bonding, ERR, "%s: lacp_rate=%s: use fast (1 s) or slow (30 s)",
			       name, v);
			return -EINVAL;
		}
		b->fast = strcmp(v, "fast") == 0;
	}
	if (sl_devargs_uint(args, name, "monitor_ms", 1, 10000, &ms) < 0)
		return -EINVAL;
	b->monitor_ns = ms * 1000000ull;
	return 0;
}

static int bonding_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct bond *b = calloc(1, sizeof(*b));
	const char *primary = sl_devargs_get(args, "primary");
	char rname[SL_NAME_SIZE];
	bool mac_set = false;
	int rc;

	if (b == NULL)
		return -ENOMEM;
	b->port = port;
	b->port_id = port->id;
	b->primary = b->active = -1;
	port->priv = b;
	port->ops = &bond_ops;
	rc = parse_args(b, args);
	if (rc < 0)
		goto fail;
	port->rx = b->mode == SL_BOND_BALANCE_XOR ? bond_rx
		   : b->mode == SL_BOND_8023AD	  ? bond_rx_8023ad
						  : bond_rx_active_backup;
	port->tx = b->mode == SL_BOND_ACTIVE_BACKUP ? bond_tx_active_backup : bond_tx_balance;
	snprintf(rname, sizeof(rname), "bond%u_lacp_in", port->id);
	b->slow_rx = sl_ring_create(rname, 256, -1, SL_RING_SC_DEQ);
	if (b->slow_rx == NULL) {
		SL_LOG(net_bonding, ERR, "%s: cannot create ring %s: %s", port->name, rname,
		       strerror(errno));
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < args->n; i++) {
		if (strcmp(args->kv[i].key, "member") != 0)
			continue;
		rc = member_arg(b, args->kv[i].value);
		if (rc < 0)
			goto fail;
		if (!mac_set) { /* the first member's address is the bond's */
			sl_port_mac(b->m[0].port, port->mac);
			mac_set = true;
		}
	}
	if (primary) {
		int id = sl_port_lookup(primary);

		b->primary = id >= 0 ? member_index(b, (uint16_t)id) : -1;
		if (b->primary < 0) {
			SL_LOG(net_bonding, ERR, "%s: primary=%s is not one of its members",
			       port->name, primary);
			rc = -EINVAL;
			goto fail;
		}
	}
	for (unsigned i = 0; i < b->nm; i++) /* the actor's system is the bond's MAC */
		member_lacp_init(b, &b->m[i], i);
	if (b->nm == 0)
		SL_LOG(net_bonding, WARNING,
		       "%s: no member= given; it carries nothing until sl_bond_member_add()",
		       port->name);
	SL_LOG(net_bonding, INFO, "%s: %s, %u members%s%s", port->name, mode_name(b->mode), b->nm,
	       b->mode == SL_BOND_ACTIVE_BACKUP ? "" : ", hash ",
	       b->mode == SL_BOND_ACTIVE_BACKUP ? "" : hashes[b->hash]);
	return 0;
fail:
	while (b->nm)
		member_detach(b, b->nm - 1);
	/* Members this probe created: closed here, the port layer will not know them. */
	for (uint16_t id = 0; id < SL_PORT_MAX; id++) {
		struct sl_port *m = sl_port_get(id);

		if (m && m->created_by1 == port->id + 1) {
			m->created_by1 = 0;
			sl_port_close(id);
		}
	}
	if (b->slow_rx)
		sl_ring_free(b->slow_rx);
	free(b);
	port->priv = NULL;
	return rc;
}

static const char *const bonding_keys[] = {"mode",	"member",     "xmit_policy", "primary",
					   "lacp_rate", "monitor_ms", NULL};

const struct sl_port_driver sl_port_driver_bonding = {
	.name = "net_bonding",
	.keys = bonding_keys,
	.usage = "mode=active-backup|balance-xor|802.3ad (1, 2, 4; active-backup) "
		 "member=NAME|(DEVSTR) (repeated, in priority order) "
		 "xmit_policy=l2|l23|l34 (l2) primary=NAME (active-backup) "
		 "lacp_rate=fast|slow (fast: 1 s) monitor_ms=MS (100: link and LACP checks)",
	.probe = bonding_probe,
};

/* --- the sl_bond_* calls --- */

int sl_bond_member_add(uint16_t bond, uint16_t member)
{
	struct bond *b;
	int rc = -ENODEV;

	sl_port_ctl_lock_take();
	b = bond_of(bond, "bond member add");
	if (b && sl_port_get(member) == NULL)
		SL_LOG(net_bonding, ERR, "bond member add: port %u does not exist", member);
	else if (b) {
		rc = member_attach(b, member, false);
		if (rc == 0) {
			member_lacp_init(b, &b->m[b->nm - 1], b->nm - 1);
			if (b->started)
				monitor_tick(b);
		}
	}
	sl_port_ctl_unlock();
	return rc;
}

int sl_bond_member_remove(uint16_t bond, uint16_t member)
{
	struct bond *b;
	int rc = -ENODEV, i = -1;
	bool created = false;

	sl_port_ctl_lock_take();
	b = bond_of(bond, "bond member remove");
	if (b && (i = member_index(b, member)) < 0) {
		SL_LOG(net_bonding, ERR, "bond member remove: %s is not a member of %s",
		       name_of(member), b->port->name);
		rc = -ENOENT;
	} else if (b) {
		created = b->m[i].created;
		member_detach(b, (unsigned)i);
		if (created)
			sl_port_get(member)->created_by1 = 0;
		rc = 0;
	}
	sl_port_ctl_unlock();
	if (created)
		sl_port_close(member); /* out of the lock (its telemetry) */
	return rc;
}

int sl_bond_status(uint16_t bond, struct sl_bond_status *st)
{
	struct bond *b;

	sl_port_ctl_lock_take();
	b = bond_of(bond, "bond status");
	if (b) {
		memset(st, 0, sizeof(*st));
		st->mode = b->mode;
		st->hash = b->hash;
		st->nb_members = b->nm;
		for (unsigned i = 0; i < b->nm; i++) {
			const struct bond_member *m = &b->m[i];
			struct sl_bond_member_status *ms = &st->members[i];

			ms->port = m->port;
			ms->link_up = m->link_up;
			ms->active = b->mode == SL_BOND_ACTIVE_BACKUP
					     ? b->active == (int)i
					     : m->link_up && (b->mode == SL_BOND_BALANCE_XOR ||
							      lacp_distributing(&m->lacp));
			ms->actor_state = m->lacp.actor.state;
			ms->partner_state = m->lacp.partner.state;
			memcpy(ms->partner_system, m->lacp.partner.sys, 6);
			ms->partner_key = m->lacp.partner.key;
		}
	}
	sl_port_ctl_unlock();
	return b ? 0 : -ENODEV;
}
