/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_failsafe: one port over two members, a preferred and a fallback (the role of a
 * VF with its synthetic twin on Azure).  The application sees the failsafe port alone;
 * it sends on the preferred member while that one is present with its link up, on the
 * fallback otherwise, and receives from both.
 *
 *   net_failsafe0,preferred=(net_af_packet0,iface=vethA),fallback=(net_af_packet1,iface=vethB)
 *   net_failsafe0,preferred=net_ring0,fallback=net_ring1      ports that exist: claimed
 *   monitor_ms=M (100)   how often the monitor thread reads the members' links
 *   mac=XX:XX:XX:XX:XX:XX   the port's MAC (default: the preferred member's)
 *
 * A member given as a device string is created by this port, closed with it, and, when it
 * vanishes (its link op fails: the interface was deleted), closed by the monitor and
 * created again from its device string every period until that works.  A member given by
 * name is claimed (sl_port_owner_set) and released at close, never re-created.
 *
 * Switching: the bursts read which member is active and which members are usable (a
 * port id, or -1) with one atomic load each, inside an epoch per queue
 * (sl_epoch_enter/leave).  The monitor publishes a change, then waits on every queue's
 * epoch (sl_epoch_wait) before it stops or closes a member the bursts used.
 *
 * Locking: the monitor does its work under the port layer's control lock, taken with a
 * trylock so that a control thread that holds it to stop or close this port (and joins
 * the monitor) never waits for it.  Ops that touch members while the port runs (promisc,
 * MTU) take the lock too (it is recursive).  See docs/failsafe.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_port_driver.h"

SL_LOG_TYPE_DEFINE(net_failsafe)

enum { PREF = 0, FB = 1, NB_MEMBERS = 2, NONE = 2 };
static const char *const role[NB_MEMBERS] = {"preferred", "fallback"};

#define DEFAULT_MONITOR_MS 100
#define DEVSTR_SIZE 256

struct fs_port;

/* A failsafe rx queue: polls the same queue of both members. */
struct fs_rxq {
	struct sl_port_qstats st;  /* (dp) what this queue handed to the application */
	uint64_t from[NB_MEMBERS]; /* (dp) packets received from the preferred, fallback */
	struct sl_port_epoch ep;   /* (dp) odd while a burst is inside */
	uint32_t turn;		   /* (dp) which member is polled first this burst */
	uint16_t qid, port;	   /* (ctl, set at setup) */
	struct fs_port *fs;	   /* (ctl, set at setup) */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct fs_rxq, st);

/* A failsafe tx queue: sends on the same queue of the active member. */
struct fs_txq {
	struct sl_port_qstats st; /* (dp) packets the active member took */
	uint64_t to[NB_MEMBERS];  /* (dp) packets sent on the preferred, fallback */
	uint64_t no_member;	  /* (dp) dropped: no member usable (also in st.errors) */
	struct sl_port_epoch ep;  /* (dp) odd while a burst is inside */
	uint16_t qid;		  /* (ctl, set at setup) */
	struct fs_port *fs;	  /* (ctl, set at setup) */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct fs_txq, st);

static const struct sl_port_qxstat fs_rxq_xstats[] = {
	SL_PORT_QXSTAT_NAMED("preferred_packets", struct fs_rxq, from[PREF]),
	SL_PORT_QXSTAT_NAMED("fallback_packets", struct fs_rxq, from[FB]),
	{NULL, 0},
};

static const struct sl_port_qxstat fs_txq_xstats[] = {
	SL_PORT_QXSTAT_NAMED("preferred_packets", struct fs_txq, to[PREF]),
	SL_PORT_QXSTAT_NAMED("fallback_packets", struct fs_txq, to[FB]),
	SL_PORT_QXSTAT(struct fs_txq, no_member),
	{NULL, 0},
};

struct fs_member {
	char devstr[DEVSTR_SIZE]; /* (ctl) what it is created from; "" for a claimed port */
	char name[SL_PORT_NAME_SIZE];
	int id;	       /* (ctl) its port id, -1 while it does not exist */
	bool link_up;  /* (monitor) its link at the last reading */
	bool started;  /* (ctl) started by this port */
	bool gone;     /* (monitor) its link op failed at the last reading (logged once) */
	bool retrying; /* (monitor) its re-creation failed since it vanished (logged once) */
};

struct fs_port {
	/* Read by the bursts, written by the control side (atomics). */
	uint32_t active;	   /* PREF, FB or NONE: the member tx uses */
	int32_t dp_id[NB_MEMBERS]; /* the member's port id while bursts may use it, or -1 */
	/* Port-wide counters (port_xstats), bumped by the control side with relaxed adds. */
	uint64_t to_fallback;	    /* switch-overs preferred -> fallback */
	uint64_t to_preferred;	    /* switch-overs fallback -> preferred */
	uint64_t lost[NB_MEMBERS];  /* a member found gone (its link op failed) */
	uint64_t recreate_attempts; /* sl_port_create() of a vanished member tried */
	uint64_t recreate_failures; /* ... and failed (or its setup failed) */
	uint32_t link_up;	    /* (monitor) atomic: the link op's answer */
	/* Control side. */
	struct sl_port *port;
	struct fs_member m[NB_MEMBERS];
	uint64_t monitor_ms;
	bool mac_given;
	uint16_t mtu; /* 0: never set through this port */
	bool started; /* (ctl) between this port's start and stop */
	bool promisc, promisc_set, allmulti, allmulti_set;
	struct {
		uint16_t nb_desc;
		int node;
		struct sl_pool *pool;
	} rxs[SL_PORT_MAX_QUEUES];
	struct {
		uint16_t nb_desc;
		int node;
	} txs[SL_PORT_MAX_QUEUES];
	/* The monitor thread. */
	pthread_t thread;
	bool running;	   /* (ctl) the thread exists */
	uint32_t stop_req; /* (ctl) atomic: the thread is to return */
	pthread_mutex_t wake_lock;
	pthread_cond_t wake;
};

/* --- data path --- */

static uint16_t fs_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct fs_rxq *rq = q;
	struct fs_port *fs = rq->fs;
	uint16_t nb = 0, got[NB_MEMBERS] = {0, 0};
	unsigned first = rq->turn;
	uint64_t bytes = 0;

	rq->turn = first ^ 1; /* a busy member does not starve the other one */
	sl_epoch_enter(&rq->ep);
	for (unsigned k = 0; k < NB_MEMBERS && nb < n; k++) {
		unsigned m = first ^ k;
		int32_t id = __atomic_load_n(&fs->dp_id[m], __ATOMIC_ACQUIRE);

		if (id < 0)
			continue;
		got[m] = sl_port_rx_burst((uint16_t)id, rq->qid, pkts + nb, (uint16_t)(n - nb));
		nb = (uint16_t)(nb + got[m]);
	}
	sl_epoch_leave(&rq->ep);
	for (uint16_t i = 0; i < nb; i++) {
		pkts[i]->port = rq->port; /* the application sees the failsafe port */
		bytes += pkts[i]->pkt_len;
	}
	if (got[PREF])
		sl_counter_add(&rq->from[PREF], got[PREF]);
	if (got[FB])
		sl_counter_add(&rq->from[FB], got[FB]);
	sl_counter_add(&rq->st.packets, nb);
	sl_counter_add(&rq->st.bytes, bytes);
	return nb;
}

static uint16_t fs_tx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct fs_txq *tq = q;
	struct fs_port *fs = tq->fs;
	uint32_t m;
	int32_t id = -1;
	uint16_t nb;

	sl_epoch_enter(&tq->ep);
	m = __atomic_load_n(&fs->active, __ATOMIC_ACQUIRE);
	if (m < NB_MEMBERS)
		id = __atomic_load_n(&fs->dp_id[m], __ATOMIC_ACQUIRE);
	if (sl_likely(id >= 0)) {
		nb = sl_port_tx_burst((uint16_t)id, tq->qid, pkts, n);
		sl_epoch_leave(&tq->ep);
		sl_counter_add(&tq->to[m], nb);
		sl_counter_add(&tq->st.packets, nb);
		sl_counter_add(&tq->st.bytes, sl_port_bytes(pkts, nb));
		return nb;
	}
	sl_epoch_leave(&tq->ep);
	/* No member to send on: taken and dropped, so that the application's queue drains. */
	if (n) {
		sl_pktbuf_free_bulk(pkts, n);
		sl_counter_add(&tq->no_member, n);
		sl_counter_add(&tq->st.errors, n);
	}
	return n;
}

/* --- members --- */

static bool present(const struct fs_port *fs, unsigned m)
{
	return fs->m[m].id >= 0;
}

/* Waits until no burst of this port may still use what it read before the last change. */
static void quiesce(struct fs_port *fs)
{
	struct sl_port *port = fs->port;

	for (unsigned q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		if (port->rxq[q])
			sl_epoch_wait(&((struct fs_rxq *)port->rxq[q])->ep);
		if (port->txq[q])
			sl_epoch_wait(&((struct fs_txq *)port->txq[q])->ep);
	}
}

/* The configuration of a member: the failsafe's queues and MTU; RSS and offloads are the
 * port layer's on the failsafe port (its info reports none of its own). */
static struct sl_port_conf member_conf(const struct fs_port *fs)
{
	struct sl_port_conf c = {
		.nb_rxq = fs->port->conf.nb_rxq,
		.nb_txq = fs->port->conf.nb_txq,
		.mtu = fs->mtu,
	};
	return c;
}

/* Configures member m as the failsafe port is, sets up its queues and filters. */
static int member_setup(struct fs_port *fs, unsigned m)
{
	struct sl_port *port = fs->port;
	struct sl_port_conf c = member_conf(fs);
	uint16_t id = (uint16_t)fs->m[m].id;
	int rc;

	if (!port->configured)
		return 0;
	rc = sl_port_configure(id, &c);
	for (uint16_t q = 0; rc == 0 && q < c.nb_rxq; q++)
		if (port->rxq[q])
			rc = sl_port_rxq_setup(id, q, fs->rxs[q].nb_desc, fs->rxs[q].node,
					       fs->rxs[q].pool);
	for (uint16_t q = 0; rc == 0 && q < c.nb_txq; q++)
		if (port->txq[q])
			rc = sl_port_txq_setup(id, q, fs->txs[q].nb_desc, fs->txs[q].node);
	if (rc == 0 && fs->promisc_set)
		rc = sl_port_promisc(id, fs->promisc);
	if (rc == 0 && fs->allmulti_set)
		rc = sl_port_allmulti(id, fs->allmulti);
	if (rc < 0)
		SL_LOG(net_failsafe, ERR,
		       "%s: cannot set up %s member %s as this port is (%s); see the line above "
		       "for what it refused",
		       port->name, role[m], fs->m[m].name, strerror(-rc));
	return rc;
}

/* Closes a member this port created, or releases a claimed one. */
static void member_close(struct fs_port *fs, unsigned m)
{
	struct fs_member *mb = &fs->m[m];

	if (mb->id < 0)
		return;
	if (mb->started) /* a claimed port the application had started stays as it was */
		sl_port_stop((uint16_t)mb->id);
	mb->started = false;
	sl_port_owner_set((uint16_t)mb->id, -1);
	if (mb->devstr[0])
		sl_port_close((uint16_t)mb->id);
	mb->id = -1;
	mb->link_up = false;
}

/* Re-creates member m from its device string and brings it to the failsafe's state.  0,
 * or -errno (the member stays absent, to be tried again). */
static int member_recreate(struct fs_port *fs, unsigned m)
{
	struct fs_member *mb = &fs->m[m];
	int id, rc;

	__atomic_fetch_add(&fs->recreate_attempts, 1, __ATOMIC_RELAXED);
	id = sl_port_create(mb->devstr);
	if (id < 0) {
		rc = id;
		goto fail;
	}
	rc = sl_port_owner_set((uint16_t)id, fs->port->id);
	if (rc < 0) {
		sl_port_close((uint16_t)id);
		goto fail;
	}
	mb->id = id;
	rc = member_setup(fs, m);
	if (rc == 0 && fs->started) {
		rc = sl_port_start((uint16_t)id);
		mb->started = rc == 0;
	}
	if (rc < 0) {
		member_close(fs, m);
		goto fail;
	}
	SL_LOG(net_failsafe, NOTICE, "%s: %s member %s is back (port %d)", fs->port->name, role[m],
	       mb->name, id);
	mb->retrying = false;
	return 0;
fail:
	__atomic_fetch_add(&fs->recreate_failures, 1, __ATOMIC_RELAXED);
	if (!mb->retrying)
		SL_LOG(net_failsafe, WARNING,
		       "%s: cannot create the %s member again from '%s' (%s); trying every %" PRIu64
		       " ms (recreate_failures counts the tries)",
		       fs->port->name, role[m], mb->devstr, strerror(-rc), fs->monitor_ms);
	mb->retrying = true;
	return rc;
}

/* Which member tx uses: the preferred while present, usable and up, else the fallback
 * while usable, else none. */
static uint32_t choose(const struct fs_port *fs)
{
	if (__atomic_load_n(&fs->dp_id[PREF], __ATOMIC_RELAXED) >= 0 && fs->m[PREF].link_up)
		return PREF;
	if (__atomic_load_n(&fs->dp_id[FB], __ATOMIC_RELAXED) >= 0)
		return FB;
	return NONE;
}

static void set_active(struct fs_port *fs, uint32_t want)
{
	uint32_t was = __atomic_load_n(&fs->active, __ATOMIC_RELAXED);

	if (want == was)
		return;
	__atomic_store_n(&fs->active, want, __ATOMIC_SEQ_CST);
	if (was == PREF && want == FB)
		__atomic_fetch_add(&fs->to_fallback, 1, __ATOMIC_RELAXED);
	else if (was == FB && want == PREF)
		__atomic_fetch_add(&fs->to_preferred, 1, __ATOMIC_RELAXED);
	if (want == NONE)
		SL_LOG(net_failsafe, WARNING,
		       "%s: no member can send: tx drops (tx_qN_no_member) until the %s or the %s is "
		       "back",
		       fs->port->name, role[PREF], role[FB]);
	else
		SL_LOG(net_failsafe, NOTICE, "%s: tx now on the %s member %s", fs->port->name,
		       role[want], fs->m[want].name);
}

/* One reading of the members (the port is started; the control lock is held). */
static void monitor_tick(struct fs_port *fs)
{
	for (unsigned m = 0; m < NB_MEMBERS; m++) {
		struct fs_member *mb = &fs->m[m];
		struct sl_port_link l;
		int rc;

		if (!present(fs, m)) {
			if (mb->devstr[0])
				member_recreate(fs, m);
			if (!present(fs, m))
				continue;
		}
		rc = sl_port_link((uint16_t)mb->id, &l);
		if (rc < 0) {
			if (!mb->gone) {
				SL_LOG(net_failsafe, WARNING,
				       "%s: %s member %s is gone (link: %s)%s", fs->port->name,
				       role[m], mb->name, strerror(-rc),
				       mb->devstr[0]
					       ? "; closing it, to create it again from its "
						 "device string every period"
					       : "; it was claimed by name: watched until its "
						 "link answers again");
				__atomic_fetch_add(&fs->lost[m], 1, __ATOMIC_RELAXED);
			}
			/* Bursts leave it (tx moves to the other member), then it may go. */
			mb->gone = true;
			mb->link_up = false;
			__atomic_store_n(&fs->dp_id[m], -1, __ATOMIC_SEQ_CST);
			set_active(fs, choose(fs));
			quiesce(fs);
			if (mb->devstr[0]) {
				member_close(fs, m);
				mb->gone = false;
			}
			continue;
		}
		mb->gone = false;
		mb->link_up = l.up;
		if (__atomic_load_n(&fs->dp_id[m], __ATOMIC_RELAXED) < 0 && mb->started)
			__atomic_store_n(&fs->dp_id[m], mb->id, __ATOMIC_SEQ_CST);
	}
	set_active(fs, choose(fs));
	uint32_t a = __atomic_load_n(&fs->active, __ATOMIC_RELAXED);
	__atomic_store_n(&fs->link_up, a < NB_MEMBERS && fs->m[a].link_up, __ATOMIC_RELAXED);
}

static void *monitor_main(void *arg)
{
	struct fs_port *fs = arg;
	struct timespec until;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(fs->monitor_ms % 1000) * 1000000L;
		until.tv_sec += (time_t)(fs->monitor_ms / 1000) + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&fs->wake_lock);
		while (!__atomic_load_n(&fs->stop_req, __ATOMIC_ACQUIRE) &&
		       pthread_cond_timedwait(&fs->wake, &fs->wake_lock, &until) == 0)
			;
		pthread_mutex_unlock(&fs->wake_lock);
		/* A control thread that stops this port may hold the lock while it waits for
		 * this thread: never block on it. */
		while (sl_port_ctl_trylock() != 0) {
			if (__atomic_load_n(&fs->stop_req, __ATOMIC_ACQUIRE))
				return NULL;
			usleep(1000);
		}
		if (__atomic_load_n(&fs->stop_req, __ATOMIC_ACQUIRE)) {
			sl_port_ctl_unlock();
			return NULL;
		}
		monitor_tick(fs);
		sl_port_ctl_unlock();
	}
}

static int monitor_start(struct fs_port *fs)
{
	pthread_condattr_t ca;
	int rc;

	__atomic_store_n(&fs->stop_req, 0, __ATOMIC_RELEASE);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fs->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&fs->wake_lock, NULL);
	rc = pthread_create(&fs->thread, NULL, monitor_main, fs);
	if (rc) {
		SL_LOG(net_failsafe, ERR,
		       "%s: cannot start the monitor thread: %s; raise the thread limit "
		       "(ulimit -u) or free memory",
		       fs->port->name, strerror(rc));
		pthread_cond_destroy(&fs->wake);
		pthread_mutex_destroy(&fs->wake_lock);
		return -rc;
	}
	fs->running = true;
	return 0;
}

static void monitor_stop(struct fs_port *fs)
{
	if (!fs->running)
		return;
	pthread_mutex_lock(&fs->wake_lock);
	__atomic_store_n(&fs->stop_req, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&fs->wake);
	pthread_mutex_unlock(&fs->wake_lock);
	pthread_join(fs->thread, NULL);
	pthread_cond_destroy(&fs->wake);
	pthread_mutex_destroy(&fs->wake_lock);
	fs->running = false;
}

/* --- ops --- */

static void fs_info(struct sl_port *port, struct sl_port_info *info)
{
	struct fs_port *fs = port->priv;
	bool any = false;

	sl_port_ctl_lock_take(); /* the monitor may be re-creating a member */
	for (unsigned m = 0; m < NB_MEMBERS; m++) {
		struct sl_port_info mi;

		if (!present(fs, m) || sl_port_info((uint16_t)fs->m[m].id, &mi) < 0)
			continue;
		/* What both members can do; their software RSS and offloads stay off (this
		 * port's layer does them once, on the failsafe port). */
		if (!any) {
			info->max_rxq = mi.max_rxq;
			info->max_txq = mi.max_txq;
			info->min_mtu = mi.min_mtu;
			info->max_mtu = mi.max_mtu;
			info->max_rx_pktlen = mi.max_rx_pktlen;
		} else {
			info->max_rxq = SL_MIN(info->max_rxq, mi.max_rxq);
			info->max_txq = SL_MIN(info->max_txq, mi.max_txq);
			info->min_mtu = info->min_mtu > mi.min_mtu ? info->min_mtu : mi.min_mtu;
			info->max_mtu = SL_MIN(info->max_mtu, mi.max_mtu);
			info->max_rx_pktlen = SL_MIN(info->max_rx_pktlen, mi.max_rx_pktlen);
		}
		any = true;
	}
	sl_port_ctl_unlock();
	info->rss_types = 0;
	info->reta_size = 0;
	info->rx_offloads = 0;
	info->tx_offloads = 0;
}

static int fs_configure(struct sl_port *port)
{
	struct fs_port *fs = port->priv;
	struct sl_port_conf c = member_conf(fs);
	int rc;

	for (unsigned m = 0; m < NB_MEMBERS; m++) {
		if (!present(fs, m))
			continue;
		/* A claimed port may have been started by the application before. */
		sl_port_stop((uint16_t)fs->m[m].id);
		rc = sl_port_configure((uint16_t)fs->m[m].id, &c);
		if (rc < 0) {
			SL_LOG(net_failsafe, ERR,
			       "%s: its %s member %s refused the configuration (%s): see the line "
			       "above, and configure what both members accept",
			       port->name, role[m], fs->m[m].name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int fs_rxq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			struct sl_pool *pool)
{
	struct fs_port *fs = port->priv;
	struct fs_rxq *rq;
	int rc;

	for (unsigned m = 0; m < NB_MEMBERS; m++) {
		if (!present(fs, m))
			continue;
		rc = sl_port_rxq_setup((uint16_t)fs->m[m].id, q, nb_desc, node, pool);
		if (rc < 0)
			return rc;
	}
	rq = sl_malloc(sizeof(*rq), 0, node);
	if (rq == NULL)
		return -ENOMEM;
	memset(rq, 0, sizeof(*rq));
	rq->fs = fs;
	rq->qid = q;
	rq->port = port->id;
	fs->rxs[q].nb_desc = nb_desc;
	fs->rxs[q].node = node;
	fs->rxs[q].pool = pool;
	port->rxq[q] = rq;
	return 0;
}

static int fs_txq_setup(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node)
{
	struct fs_port *fs = port->priv;
	struct fs_txq *tq;
	int rc;

	for (unsigned m = 0; m < NB_MEMBERS; m++) {
		if (!present(fs, m))
			continue;
		rc = sl_port_txq_setup((uint16_t)fs->m[m].id, q, nb_desc, node);
		if (rc < 0)
			return rc;
	}
	tq = sl_malloc(sizeof(*tq), 0, node);
	if (tq == NULL)
		return -ENOMEM;
	memset(tq, 0, sizeof(*tq));
	tq->fs = fs;
	tq->qid = q;
	fs->txs[q].nb_desc = nb_desc;
	fs->txs[q].node = node;
	port->txq[q] = tq;
	return 0;
}

static void fs_rxq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->rxq[q]);
	port->rxq[q] = NULL;
}

static void fs_txq_release(struct sl_port *port, uint16_t q)
{
	sl_free(port->txq[q]);
	port->txq[q] = NULL;
}

static void fs_stop(struct sl_port *port);

static int fs_start(struct sl_port *port)
{
	struct fs_port *fs = port->priv;
	int rc = 0;

	sl_port_ctl_lock_take();
	for (unsigned m = 0; m < NB_MEMBERS && rc == 0; m++) {
		if (!present(fs, m))
			continue;
		rc = sl_port_start((uint16_t)fs->m[m].id);
		if (rc < 0)
			SL_LOG(net_failsafe, ERR,
			       "%s: its %s member %s did not start (%s): see the line above",
			       port->name, role[m], fs->m[m].name, strerror(-rc));
		fs->m[m].started = rc == 0;
	}
	if (rc == 0) {
		/* The first reading before the first burst: tx starts where it belongs. */
		fs->started = true;
		__atomic_store_n(&fs->active, NONE, __ATOMIC_RELAXED);
		monitor_tick(fs);
		rc = monitor_start(fs);
	}
	if (rc < 0)
		fs_stop(port);
	sl_port_ctl_unlock();
	return rc;
}

static void fs_stop(struct sl_port *port)
{
	struct fs_port *fs = port->priv;

	monitor_stop(fs);
	sl_port_ctl_lock_take();
	fs->started = false;
	for (unsigned m = 0; m < NB_MEMBERS; m++)
		__atomic_store_n(&fs->dp_id[m], -1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fs->active, NONE, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fs->link_up, 0, __ATOMIC_RELAXED);
	quiesce(fs);
	for (unsigned m = 0; m < NB_MEMBERS; m++) {
		if (present(fs, m))
			sl_port_stop((uint16_t)fs->m[m].id);
		fs->m[m].started = false;
	}
	sl_port_ctl_unlock();
}

static void fs_close(struct sl_port *port)
{
	struct fs_port *fs = port->priv;

	if (fs == NULL)
		return;
	monitor_stop(fs);
	for (unsigned m = 0; m < NB_MEMBERS; m++)
		member_close(fs, m);
	free(fs);
	port->priv = NULL;
}

static int fs_link(struct sl_port *port, struct sl_port_link *link)
{
	struct fs_port *fs = port->priv;

	/* The monitor's last reading (0 while stopped): the members may be changing. */
	link->up = __atomic_load_n(&fs->link_up, __ATOMIC_RELAXED);
	link->full_duplex = true;
	return 0;
}

/* Applies a filter or MTU to both members (the ones absent get it when re-created). */
static int each_member(struct sl_port *port, const char *what, int (*fn)(uint16_t id, unsigned v),
		       unsigned v)
{
	struct fs_port *fs = port->priv;
	int rc = 0;

	sl_port_ctl_lock_take();
	for (unsigned m = 0; m < NB_MEMBERS && rc == 0; m++) {
		if (!present(fs, m))
			continue;
		rc = fn((uint16_t)fs->m[m].id, v);
		if (rc < 0)
			SL_LOG(net_failsafe, ERR,
			       "%s: its %s member %s refused %s %u (%s): see the line above",
			       port->name, role[m], fs->m[m].name, what, v, strerror(-rc));
	}
	sl_port_ctl_unlock();
	return rc;
}

static int set_promisc(uint16_t id, unsigned on)
{
	return sl_port_promisc(id, on != 0);
}

static int set_allmulti(uint16_t id, unsigned on)
{
	return sl_port_allmulti(id, on != 0);
}

static int set_mtu(uint16_t id, unsigned mtu)
{
	return sl_port_mtu_set(id, (uint16_t)mtu);
}

static int fs_promisc(struct sl_port *port, bool on)
{
	struct fs_port *fs = port->priv;
	int rc = each_member(port, "promiscuous mode", set_promisc, on);

	if (rc == 0) {
		fs->promisc = on;
		fs->promisc_set = true;
	}
	return rc;
}

static int fs_allmulti(struct sl_port *port, bool on)
{
	struct fs_port *fs = port->priv;
	int rc = each_member(port, "all-multicast mode", set_allmulti, on);

	if (rc == 0) {
		fs->allmulti = on;
		fs->allmulti_set = true;
	}
	return rc;
}

static int fs_mtu_set(struct sl_port *port, uint16_t mtu)
{
	struct fs_port *fs = port->priv;
	int rc = each_member(port, "MTU", set_mtu, mtu);

	if (rc == 0)
		fs->mtu = mtu;
	return rc;
}

/* Gauges, not counters: not in the port_xstats table, whose values are reset. */
static int fs_xstats(struct sl_port *port, struct sl_port_xstat *xs, unsigned n)
{
	struct fs_port *fs = port->priv;
	unsigned count = 0;

	sl_port_xstat_add(xs, n, &count, __atomic_load_n(&fs->active, __ATOMIC_RELAXED),
			  "active_member");
	for (unsigned m = 0; m < NB_MEMBERS; m++)
		sl_port_xstat_add(xs, n, &count,
				  (uint64_t)(__atomic_load_n(&fs->dp_id[m], __ATOMIC_RELAXED) >= 0),
				  "%s_usable", role[m]);
	return (int)count;
}

static const struct sl_port_qxstat fs_port_xstats[] = {
	SL_PORT_QXSTAT_NAMED("switch_to_fallback", struct fs_port, to_fallback),
	SL_PORT_QXSTAT_NAMED("switch_to_preferred", struct fs_port, to_preferred),
	SL_PORT_QXSTAT_NAMED("preferred_lost", struct fs_port, lost[PREF]),
	SL_PORT_QXSTAT_NAMED("fallback_lost", struct fs_port, lost[FB]),
	SL_PORT_QXSTAT(struct fs_port, recreate_attempts),
	SL_PORT_QXSTAT(struct fs_port, recreate_failures),
	{NULL, 0},
};

static const struct sl_port_ops fs_ops = {
	.info = fs_info,
	.configure = fs_configure,
	.rxq_setup = fs_rxq_setup,
	.txq_setup = fs_txq_setup,
	.rxq_release = fs_rxq_release,
	.txq_release = fs_txq_release,
	.start = fs_start,
	.stop = fs_stop,
	.close = fs_close,
	.xstats = fs_xstats,
	.rxq_xstats = fs_rxq_xstats,
	.txq_xstats = fs_txq_xstats,
	.port_xstats = fs_port_xstats,
	.link = fs_link,
	.promisc = fs_promisc,
	.allmulti = fs_allmulti,
	.mtu_set = fs_mtu_set,
};

/* --- probe --- */

static bool is_failsafe_name(const char *name)
{
	const char *rest = strncmp(name, "net_failsafe", 12) == 0 ? name + 12
			   : strncmp(name, "failsafe", 8) == 0	  ? name + 8
								  : NULL;

	return rest && strspn(rest, "0123456789") == strlen(rest);
}

/* Claims or creates member m from its argument.  0 or -errno (logged). */
static int member_open(struct fs_port *fs, unsigned m, const char *value)
{
	struct sl_port *port = fs->port;
	struct fs_member *mb = &fs->m[m];
	size_t len = strcspn(value, ",");
	int id, owner, rc;

	if (len == 0 || len >= sizeof(mb->name) || strlen(value) >= sizeof(mb->devstr)) {
		SL_LOG(net_failsafe, ERR,
		       "%s: %s=%s is not a port: give a port's name (%s=net_ring0) or a device "
		       "string in parentheses (%s=(net_af_packet0,iface=eth0)) under %d characters",
		       port->name, role[m], value, role[m], role[m], DEVSTR_SIZE);
		return -EINVAL;
	}
	memcpy(mb->name, value, len);
	mb->name[len] = '\0';
	if (strcmp(mb->name, port->name) == 0 || is_failsafe_name(mb->name)) {
		SL_LOG(net_failsafe, ERR,
		       "%s: %s=%s is %s; a failsafe port's members are the ports under it: give an "
		       "af_packet, tap, ring... port",
		       port->name, role[m], value,
		       strcmp(mb->name, port->name) == 0 ? "this port itself" : "a failsafe port");
		return -EINVAL;
	}
	id = sl_port_lookup(mb->name);
	if (id >= 0 && value[len] == ',') {
		SL_LOG(net_failsafe, ERR,
		       "%s: %s=(%s): port %s exists already; to use it give its name alone "
		       "(%s=%s), or give the new port another number",
		       port->name, role[m], value, mb->name, role[m], mb->name);
		return -EEXIST;
	}
	if (id >= 0) {
		owner = sl_port_owner((uint16_t)id);
		if (owner == port->id) {
			SL_LOG(net_failsafe, ERR,
			       "%s: %s and %s are the same port %s; give two different ports",
			       port->name, role[FB], role[PREF], mb->name);
			return -EINVAL;
		}
		if (owner >= 0) {
			struct sl_port_info oi;

			sl_port_info((uint16_t)owner, &oi);
			SL_LOG(net_failsafe, ERR,
			       "%s: %s=%s is a member of %s already; remove it there first, or give "
			       "another port",
			       port->name, role[m], mb->name, oi.name);
			return -EBUSY;
		}
		rc = sl_port_owner_set((uint16_t)id, port->id);
		if (rc < 0)
			return rc;
		mb->id = id;
		return 0;
	}
	id = sl_port_create(value);
	if (id < 0) {
		SL_LOG(net_failsafe, ERR,
		       "%s: cannot create the %s member from '%s' (%s): fix the device string as "
		       "the line above says, or name a port that exists",
		       port->name, role[m], value, strerror(-id));
		return id;
	}
	rc = sl_port_owner_set((uint16_t)id, port->id);
	if (rc < 0) {
		sl_port_close((uint16_t)id);
		return rc;
	}
	strcpy(mb->devstr, value);
	mb->id = id;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int fs_probe(struct sl_port *port, const struct sl_devargs *args)
{
	const char *val[NB_MEMBERS] = {sl_devargs_get(args, "preferred"),
				       sl_devargs_get(args, "fallback")};
	const char *mac = sl_devargs_get(args, "mac");
	struct fs_port *fs;
	int rc = -EINVAL;

	for (unsigned m = 0; m < NB_MEMBERS; m++)
		if (val[m] == NULL || val[m][0] == '\0') {
			SL_LOG(net_failsafe, ERR,
			       "%s: %s= is missing; give %s=PORT (a port that exists) or "
			       "%s=(DEVICE,ARGS) (one to create), e.g. %s=(net_af_packet0,iface=eth0)",
			       port->name, role[m], role[m], role[m], role[m]);
			return -EINVAL;
		}
	if (strcmp(val[PREF], val[FB]) == 0) {
		SL_LOG(net_failsafe, ERR,
		       "%s: preferred and fallback are the same device '%s'; give two different ports",
		       port->name, val[PREF]);
		return -EINVAL;
	}
	fs = calloc(1, sizeof(*fs));
	if (fs == NULL)
		return -ENOMEM;
	fs->port = port;
	fs->monitor_ms = DEFAULT_MONITOR_MS;
	fs->active = NONE;
	for (unsigned m = 0; m < NB_MEMBERS; m++)
		fs->m[m].id = fs->dp_id[m] = -1;
	if (sl_devargs_uint(args, port->name, "monitor_ms", 1, 60000, &fs->monitor_ms) < 0)
		goto free_fs;
	if (mac && parse_mac(mac, port->mac) < 0) {
		SL_LOG(net_failsafe, ERR,
		       "%s: mac=%s is not a MAC address; write it as 02:00:00:00:00:01", port->name,
		       mac);
		goto free_fs;
	}
	/* The port layer holds this port's slot while it probes: members created now neither
	 * take it nor fail to find their owner. */
	for (unsigned m = 0; m < NB_MEMBERS; m++) {
		rc = member_open(fs, m, val[m]);
		if (rc < 0)
			goto close_members;
	}
	if (!mac)
		sl_port_mac((uint16_t)fs->m[PREF].id, port->mac);
	port->priv = fs;
	port->ops = &fs_ops;
	port->rx = fs_rx;
	port->tx = fs_tx;
	SL_LOG(net_failsafe, INFO, "%s: preferred %s, fallback %s, monitor every %" PRIu64 " ms",
	       port->name, fs->m[PREF].name, fs->m[FB].name, fs->monitor_ms);
	return 0;
close_members:
	for (unsigned m = 0; m < NB_MEMBERS; m++)
		member_close(fs, m);
free_fs:
	free(fs);
	return rc;
}

static const char *const fs_keys[] = {"preferred", "fallback", "monitor_ms", "mac", NULL};

const struct sl_port_driver sl_port_driver_failsafe = {
	.name = "net_failsafe",
	.keys = fs_keys,
	.usage = "preferred=PORT|(DEVICE,ARGS) fallback=PORT|(DEVICE,ARGS) monitor_ms=MS (100) "
		 "mac=XX:XX:XX:XX:XX:XX (the preferred's)",
	.probe = fs_probe,
};
