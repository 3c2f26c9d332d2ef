/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "port_priv.h"

/* Held by the calls that create, replace or free what telemetry reads (telemetry.c). */
/* Recursive: a composite driver (bonding, failsafe) sets up its members from its own ops. */
pthread_mutex_t sl_port_ctl_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
#include "sl_ring.h"
#include "sl_runtime.h"

SL_LOG_TYPE_DEFINE(port)

#define SL_PORT__STR2(x) #x
#define SL_PORT__STR(x) SL_PORT__STR2(x)

struct sl_port_fp sl_port_fps[SL_PORT_MAX];
static struct sl_port ports[SL_PORT_MAX];
/* Queues a port does not have (or an unused port's): their entries point here, so a burst
 * on any id below the limits is safe and a tx attempt is counted. */
static struct sl_port_qstats idle_q[SL_PORT_MAX][SL_PORT_MAX_QUEUES];
/* Drivers the application registered, after the built-in ones. */
static const struct sl_port_driver *app_drivers[SL_PORT_MAX_DRIVERS];
static unsigned nb_app_drivers;

/* Burst functions of a stopped (or never started) queue: rx finds nothing, tx takes nothing
 * and counts the attempt in the queue's counters (every queue object starts with them). */
static uint16_t stopped_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

static uint16_t stopped_tx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct sl_port_qstats *st = q;

	(void)pkts;
	if (n)
		sl_counter_add(&st->stopped, n);
	return 0;
}

/* Only while stopped: the burst function first, so a racing burst never pairs a driver
 * function with the idle queue. */
static void fpq_set(struct sl_port_fpq *e, sl_port_burst_fn fn, void *queue)
{
	__atomic_store_n(&e->burst, fn, __ATOMIC_RELEASE);
	__atomic_store_n(&e->queue, queue, __ATOMIC_RELEASE);
}

static void fp_set_stopped(struct sl_port *port)
{
	struct sl_port_fp *fp = &sl_port_fps[port->id];

	for (int q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		__atomic_store_n(&fp->rxq[q].burst, stopped_rx, __ATOMIC_RELEASE);
		__atomic_store_n(&fp->txq[q].burst, stopped_tx, __ATOMIC_RELEASE);
	}
}

/* Any port id below SL_PORT_MAX has a safe fast-path entry, even unused ones. */
__attribute__((constructor)) static void fps_init(void)
{
	for (uint16_t i = 0; i < SL_PORT_MAX; i++) {
		ports[i].id = i;
		for (int q = 0; q < SL_PORT_MAX_QUEUES; q++) {
			fpq_set(&sl_port_fps[i].rxq[q], stopped_rx, &idle_q[i][q]);
			fpq_set(&sl_port_fps[i].txq[q], stopped_tx, &idle_q[i][q]);
		}
	}
}

void sl_port__bad_queue(uint16_t port, uint16_t queue, const char *what)
{
	SL_LOG(port, ERR, "%s: port %u queue %u is out of range (ports < %d, queues < %d)", what,
	       port, queue, SL_PORT_MAX, SL_PORT_MAX_QUEUES);
}

static void qstats_snapshot(const struct sl_port_qstats *q, struct sl_port_qstats *base);
static void queue_release(struct sl_port *port, uint16_t q, bool rx);

static struct sl_port *get(uint16_t id, const char *what)
{
	if (id >= SL_PORT_MAX || ports[id].state == SL_PORT_UNUSED) {
		SL_LOG(port, ERR, "%s: port %u does not exist", what, id);
		return NULL;
	}
	return &ports[id];
}

#define GET_OR_RETURN(port, id)                                                            \
	struct sl_port *port = get(id, __func__);                                          \
	if (port == NULL)                                                                  \
		return -ENODEV

struct sl_port *port_by_id(uint16_t id)
{
	return id < SL_PORT_MAX && ports[id].state != SL_PORT_UNUSED ? &ports[id] : NULL;
}

int sl_port_rxq_lcore_set(uint16_t id, uint16_t q, uint32_t lcore)
{
	GET_OR_RETURN(port, id);
	if (q >= SL_PORT_MAX_QUEUES) {
		SL_LOG(port, ERR, "%s: rx queue %u is out of range (below %d)", port->name, q,
		       SL_PORT_MAX_QUEUES);
		return -EINVAL;
	}
	__atomic_store_n(&port->rxq_lcore1[q], lcore == SL_LCORE_ANY ? 0 : lcore + 1,
			 __ATOMIC_RELAXED);
	return 0;
}

uint32_t sl_port_rxq_lcore(uint16_t id, uint16_t q)
{
	struct sl_port *port = port_by_id(id);
	uint32_t v;

	if (port == NULL || q >= SL_PORT_MAX_QUEUES)
		return SL_LCORE_ANY;
	v = __atomic_load_n(&port->rxq_lcore1[q], __ATOMIC_RELAXED);
	return v ? v - 1 : SL_LCORE_ANY;
}

/* The i-th driver: built in first, then the application's; NULL after the last. */
static const struct sl_port_driver *driver_at(unsigned i)
{
	static unsigned nb_builtin = UINT32_MAX;

	if (nb_builtin == UINT32_MAX)
		for (nb_builtin = 0; sl_port_drivers[nb_builtin];)
			nb_builtin++;
	if (i < nb_builtin)
		return sl_port_drivers[i];
	return i - nb_builtin < nb_app_drivers ? app_drivers[i - nb_builtin] : NULL;
}

static const struct sl_port_driver *find_driver(const char *name)
{
	for (unsigned i = 0; driver_at(i); i++) {
		const char *dn = driver_at(i)->name;
		size_t len = strlen(dn);
		const char *rest;

		/* "net_null0" or the short form "null0". */
		if (strncmp(name, dn, len) == 0)
			rest = name + len;
		else if (strncmp(dn, "net_", 4) == 0 && strncmp(name, dn + 4, len - 4) == 0)
			rest = name + len - 4;
		else
			continue;
		if (*rest == '\0' || strspn(rest, "0123456789") == strlen(rest))
			return driver_at(i);
	}
	return NULL;
}

static int check_keys(const struct sl_port_driver *drv, const char *name,
		      const struct sl_devargs *args)
{
	for (unsigned i = 0; i < args->n; i++) {
		bool known = false;

		for (unsigned k = 0; drv->keys && drv->keys[k]; k++)
			known |= strcmp(drv->keys[k], args->kv[i].key) == 0;
		if (!known) {
			SL_LOG(port, ERR, "%s: unknown argument '%s'; %s accepts: %s", name,
			       args->kv[i].key, drv->name, drv->usage ? drv->usage : "no arguments");
			return -EINVAL;
		}
	}
	return 0;
}

static unsigned table_len(const struct sl_port_qxstat *t)
{
	unsigned n = 0;

	while (t && t[n].name)
		n++;
	return n;
}

/* What probe() must have filled in; a miss fails the creation with one line (and closes
 * what the driver opened when it can). */
static int probe_check(struct sl_port *port)
{
	const char *miss = NULL;

	if (port->ops == NULL)
		miss = "an ops table (port->ops)";
	else if (port->rx == NULL)
		miss = "an rx burst function (port->rx)";
	else if (port->tx == NULL)
		miss = "a tx burst function (port->tx)";
	else if (port->ops->rxq_setup == NULL)
		miss = "ops->rxq_setup";
	else if (port->ops->txq_setup == NULL)
		miss = "ops->txq_setup";
	else if (table_len(port->ops->rxq_xstats) > SL_PORT_QXSTATS_MAX ||
		 table_len(port->ops->txq_xstats) > SL_PORT_QXSTATS_MAX ||
		 table_len(port->ops->port_xstats) > SL_PORT_QXSTATS_MAX)
		miss = "counter tables of at most " SL_PORT__STR(SL_PORT_QXSTATS_MAX) " entries";
	else if (port->ops->port_xstats && port->priv == NULL)
		miss = "port->priv, which its port-wide counter table points into";
	if (miss == NULL)
		return 0;
	SL_LOG(port, ERR, "%s: driver %s is broken: its probe() did not set %s", port->name,
	       port->drv->name, miss);
	if (port->ops && port->ops->close)
		port->ops->close(port);
	return -EINVAL;
}

int sl_port_driver_register(const struct sl_port_driver *drv)
{
	const char *name = drv ? drv->name : NULL;

	if (name == NULL || strncmp(name, "net_", 4) != 0 || name[4] == '\0' ||
	    strlen(name) >= SL_PORT_NAME_SIZE - 4 ||
	    strspn(name + 4, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name + 4) ||
	    drv->probe == NULL) {
		SL_LOG(port, ERR,
		       "driver_register: '%s' is not a valid driver: it needs a name "
		       "\"net_\" + lowercase letters, digits or '_' (under %d characters) "
		       "and a probe function",
		       name ? name : "(null)", SL_PORT_NAME_SIZE - 4);
		return -EINVAL;
	}
	for (unsigned i = 0; driver_at(i); i++)
		if (strcmp(driver_at(i)->name, name) == 0) {
			SL_LOG(port, ERR,
			       "driver_register: a driver named %s exists already; "
			       "give yours another name",
			       name);
			return -EEXIST;
		}
	if (nb_app_drivers == SL_PORT_MAX_DRIVERS) {
		SL_LOG(port, ERR,
		       "driver_register: %s: %d drivers are registered already (the limit)", name,
		       SL_PORT_MAX_DRIVERS);
		return -ENOSPC;
	}
	app_drivers[nb_app_drivers++] = drv;
	SL_LOG(port, INFO, "driver %s registered", name);
	return 0;
}

static int port_create(const char *devstr)
{
	char name[SL_PORT_NAME_SIZE], list[256] = "";
	const struct sl_port_driver *drv;
	struct sl_devargs args;
	struct sl_port *port = NULL;
	int rc;

	if (devstr == NULL) {
		SL_LOG(port, ERR,
		       "port create: device string is NULL; pass one such as \"net_null0\"");
		return -EINVAL;
	}
	rc = devstr_parse(devstr, name, sizeof(name), &args);
	if (rc < 0)
		return rc;
	drv = find_driver(name);
	if (drv == NULL) {
		for (unsigned i = 0; driver_at(i); i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", driver_at(i)->name);
		SL_LOG(port, ERR, "'%s': no such driver; built in: %s (name them like net_null0)",
		       name, list);
		return -ENOENT;
	}
	if (sl_port_lookup(name) >= 0) {
		SL_LOG(port, ERR, "port '%s' exists already; give the new one another number", name);
		return -EEXIST;
	}
	rc = check_keys(drv, name, &args);
	if (rc < 0)
		return rc;
	for (int i = 0; i < SL_PORT_MAX; i++)
		if (ports[i].state == SL_PORT_UNUSED) {
			port = &ports[i];
			break;
		}
	if (port == NULL) {
		SL_LOG(port, ERR, "cannot create '%s': all %d ports are in use", name, SL_PORT_MAX);
		return -ENOSPC;
	}
	uint16_t id = port->id;
	memset(port, 0, sizeof(*port));
	port->id = id;
	port->drv = drv;
	strcpy(port->name, name);
	port->mtu = 1500;
	qstats_snapshot(idle_q[id], port->idle_base);
	/* Taken while it probes: a composite driver creates its members meanwhile, and makes
	 * this port their owner. */
	port->state = SL_PORT_STOPPED;
	rc = drv->probe(port, &args);
	if (rc == 0)
		rc = probe_check(port);
	if (rc < 0) {
		memset(port, 0, sizeof(*port));
		port->id = id;
		return rc;
	}
	port->state = SL_PORT_STOPPED;
	fp_set_stopped(port);
	SL_LOG(port, INFO, "port %u: %s created (driver %s)", id, name, drv->name);
	return id;
}

/* A composite driver's probe creates its members inside the outer create, holding the
 * lock.  Their telemetry (which takes the telemetry lock, under which a telemetry thread
 * may wait for ours) is added by the outermost create, once the lock is let go. */
static __thread unsigned create_depth;
static __thread uint32_t telemetry_pending; /* bit per port id */
_Static_assert(SL_PORT_MAX <= 32, "telemetry_pending is a 32-bit mask");

int sl_port_create(const char *devstr)
{
	int rc;

	create_depth++;
	pthread_mutex_lock(&sl_port_ctl_lock);
	rc = port_create(devstr);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	create_depth--;
	if (rc >= 0)
		telemetry_pending |= 1u << rc;
	if (create_depth == 0) {
		for (uint16_t i = 0; i < SL_PORT_MAX; i++)
			if (telemetry_pending >> i & 1)
				port_telemetry_add(i);
		telemetry_pending = 0;
	}
	return rc;
}

int sl_port_create_vdevs(void)
{
	unsigned n;
	const char *const *vdevs = sl_runtime_vdevs(&n);

	for (unsigned i = 0; i < n; i++) {
		int rc = sl_port_create(vdevs[i]);

		if (rc < 0)
			return rc;
	}
	return (int)n;
}

int sl_port_lookup(const char *name)
{
	if (name == NULL || name[0] == '\0') {
		SL_LOG(port, ERR, "port lookup: name is %s; pass a port name such as \"net_null0\"",
		       name == NULL ? "NULL" : "empty");
		return -EINVAL;
	}
	/* A miss is not logged: callers look a name up to learn whether the port exists. */
	for (int i = 0; i < SL_PORT_MAX; i++)
		if (ports[i].state != SL_PORT_UNUSED && strcmp(ports[i].name, name) == 0)
			return i;
	return -ENOENT;
}

int sl_port_next(int prev)
{
	for (int i = prev + 1; i < SL_PORT_MAX; i++)
		if (ports[i].state != SL_PORT_UNUSED && ports[i].owner1 == 0)
			return i;
	return -1;
}

int sl_port_owner(uint16_t id)
{
	struct sl_port *port = port_by_id(id);

	if (port == NULL)
		return -ENODEV;
	return port->owner1 ? port->owner1 - 1 : -1;
}

struct sl_port *sl_port_get(uint16_t id)
{
	return port_by_id(id);
}

int sl_port_ctl_trylock(void)
{
	return -pthread_mutex_trylock(&sl_port_ctl_lock);
}

void sl_port_ctl_lock_take(void)
{
	pthread_mutex_lock(&sl_port_ctl_lock);
}

void sl_port_ctl_unlock(void)
{
	pthread_mutex_unlock(&sl_port_ctl_lock);
}

int sl_port_owner_set(uint16_t member, int owner)
{
	int rc = 0;

	pthread_mutex_lock(&sl_port_ctl_lock);
	struct sl_port *m = port_by_id(member),
		       *o = owner >= 0 ? port_by_id((uint16_t)owner) : NULL;

	if (m == NULL || (owner >= 0 && o == NULL)) {
		SL_LOG(port, ERR, "port owner: port %u or owner %d does not exist", member, owner);
		rc = -ENODEV;
	} else if (owner >= 0 && (m == o || m->owner1 || o->owner1)) {
		SL_LOG(port, ERR, "%s cannot become a member of %s: %s", m->name, o->name,
		       m == o	   ? "a port cannot own itself"
		       : m->owner1 ? "it is a member of another port already; remove it there first"
				   : "the owner is itself a member");
		rc = -EBUSY;
	} else {
		m->owner1 = owner >= 0 ? (uint16_t)(owner + 1) : 0;
	}
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return rc;
}

unsigned sl_port_count(void)
{
	unsigned n = 0;
	int p;

	SL_PORT_FOREACH(p)
		n++;
	return n;
}

#define SOFT_RSS_TYPES                                                                             \
	(SL_PORT_RSS_IPV4 | SL_PORT_RSS_IPV4_TCP | SL_PORT_RSS_IPV4_UDP | SL_PORT_RSS_IPV6 |       \
	 SL_PORT_RSS_IPV6_TCP | SL_PORT_RSS_IPV6_UDP)
#define SOFT_TX_OFFLOADS                                                                           \
	(SL_PKT_TX_IP_CKSUM | SL_PKT_TX_TCP_CKSUM | SL_PKT_TX_UDP_CKSUM | SL_PKT_TX_VLAN)

/* What the driver itself reports. */
static void driver_info(struct sl_port *port, struct sl_port_info *info)
{
	memset(info, 0, sizeof(*info));
	strcpy(info->name, port->name);
	info->driver = port->drv->name;
	info->max_rxq = 1;
	info->max_txq = 1;
	info->min_mtu = 68;
	info->max_mtu = 9000;
	info->max_rx_pktlen = 9018;
	info->node = -1;
	if (port->ops->info)
		port->ops->info(port, info);
}

int sl_port_info(uint16_t id, struct sl_port_info *info)
{
	GET_OR_RETURN(port, id);
	driver_info(port, info);
	/* What the port layer adds in software (soft.c). */
	if (info->rss_types == 0) {
		info->rss_types = SOFT_RSS_TYPES;
		info->reta_size = SL_PORT_RETA_SIZE;
	}
	info->rx_offloads |= SL_PORT_RX_CKSUM | SL_PKT_RX_RSS_HASH;
	info->tx_offloads |= SOFT_TX_OFFLOADS;
	info->nb_rxq = port->configured ? port->nb_rxq : 0;
	info->nb_txq = port->configured ? port->conf.nb_txq : 0;
	return 0;
}

static int port_configure(uint16_t id, const struct sl_port_conf *conf)
{
	struct sl_port_info info;
	uint16_t max_rxq;
	bool soft_rss;
	int rc;

	GET_OR_RETURN(port, id);
	if (port->state == SL_PORT_STARTED) {
		SL_LOG(port, ERR, "%s: stop the port before configuring it", port->name);
		return -EBUSY;
	}
	driver_info(port, &info);
	/* RSS in software lets a port have more rx queues than its driver. */
	soft_rss = conf->rss_types && info.rss_types == 0;
	max_rxq = soft_rss ? SL_PORT_MAX_QUEUES : info.max_rxq;
	if (conf->nb_rxq > max_rxq || conf->nb_txq > info.max_txq ||
	    (conf->nb_rxq == 0 && conf->nb_txq == 0)) {
		SL_LOG(port, ERR,
		       "%s: %u rx and %u tx queues asked; this port has 1 to %u rx and %u tx%s",
		       port->name, conf->nb_rxq, conf->nb_txq, max_rxq, info.max_txq,
		       info.rss_types == 0 && !soft_rss ? " (up to 16 rx with rss_types set)" : "");
		return -EINVAL;
	}
	if (conf->rss_types & ~(info.rss_types ? info.rss_types : SOFT_RSS_TYPES)) {
		SL_LOG(port, ERR,
		       "%s: RSS types 0x%" PRIx64 " not supported (supported: 0x%" PRIx64 ")",
		       port->name, conf->rss_types,
		       (uint64_t)(info.rss_types ? info.rss_types : SOFT_RSS_TYPES));
		return -ENOTSUP;
	}
	if (conf->tx_offloads &
	    ~(info.tx_offloads | SOFT_TX_OFFLOADS | SL_PKT_TX_IPV4 | SL_PKT_TX_IPV6)) {
		SL_LOG(port, ERR,
		       "%s: tx offloads 0x%" PRIx64 " not supported (supported: 0x%" PRIx64 ")",
		       port->name, conf->tx_offloads,
		       (uint64_t)(info.tx_offloads | SOFT_TX_OFFLOADS | SL_PKT_TX_IPV4 |
				  SL_PKT_TX_IPV6));
		return -ENOTSUP;
	}
	/* Queues beyond the new counts go away, and so do rx queues whose driver side
	 * changes (RSS in software turned on or off). */
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++)
		if (q >= conf->nb_rxq || soft_rss || soft_has_rss(port))
			queue_release(port, q, true);
	for (uint16_t q = conf->nb_txq; q < SL_PORT_MAX_QUEUES; q++)
		queue_release(port, q, false);
	rc = soft_configure(port, conf, &info);
	if (rc < 0)
		return rc;
	/* The driver sees its own share: its queues, no RSS when the port layer does it. */
	port->conf = *conf;
	port->nb_rxq = conf->nb_rxq;
	port->conf.nb_rxq = soft_driver_rxq(port);
	if (soft_rss)
		port->conf.rss_types = 0;
	if (port->ops->configure) {
		rc = port->ops->configure(port);
		if (rc < 0)
			return rc;
	}
	if (conf->mtu) {
		rc = sl_port_mtu_set(id, conf->mtu);
		if (rc < 0)
			return rc;
	}
	port->configured = true;
	return 0;
}

int sl_port_configure(uint16_t id, const struct sl_port_conf *conf)
{
	int rc;

	pthread_mutex_lock(&sl_port_ctl_lock);
	rc = port_configure(id, conf);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return rc;
}

/* Releases rx (tx) queue q if set up: its entry goes back to the idle queue first. */
static void queue_release(struct sl_port *port, uint16_t q, bool rx)
{
	struct sl_port_fpq *e = rx ? &sl_port_fps[port->id].rxq[q] : &sl_port_fps[port->id].txq[q];

	if (!(rx ? port->rxq_ready[q] : port->txq_ready[q]))
		return;
	fpq_set(e, rx ? stopped_rx : stopped_tx, &idle_q[port->id][q]);
	if (rx) {
		if (port->rxq[q] && port->ops->rxq_release) /* NULL: RSS's own queue */
			port->ops->rxq_release(port, q);
		port->rxq_ready[q] = false;
		port->rxq[q] = NULL;
	} else {
		if (port->ops->txq_release)
			port->ops->txq_release(port, q);
		port->txq_ready[q] = false;
		port->txq[q] = NULL;
	}
}

/* After a driver's setup of queue q: its object goes in the entry, its counters count
 * from zero. */
static int queue_install(struct sl_port *port, uint16_t q, bool rx)
{
	void *obj = rx ? port->rxq[q] : port->txq[q];

	if (obj == NULL) {
		SL_LOG(port, ERR,
		       "%s: driver %s is broken: its %sq_setup returned 0 but stored no queue in port->%sq[%u]",
		       port->name, port->drv->name, rx ? "rx" : "tx", rx ? "rx" : "tx", q);
		return -EINVAL;
	}
	for (uint16_t i = 0; i < SL_PORT_MAX_QUEUES; i++)
		if (obj == (rx ? port->txq[i] : port->rxq[i])) {
			SL_LOG(port, ERR,
			       "%s: driver %s is broken: its rx queue %u and tx queue %u are one object; each queue needs its own (it starts with its own counters)",
			       port->name, port->drv->name, rx ? q : i, rx ? i : q);
			*(rx ? &port->rxq[q] : &port->txq[q]) = NULL; /* the other one owns it */
			return -EINVAL;
		}
	if (rx) {
		memset(&port->rx_base[q], 0, sizeof(port->rx_base[q]));
		memset(port->rx_xbase[q], 0, sizeof(port->rx_xbase[q]));
		port->rxq_ready[q] = true;
		fpq_set(&sl_port_fps[port->id].rxq[q], stopped_rx, obj);
	} else {
		memset(&port->tx_base[q], 0, sizeof(port->tx_base[q]));
		memset(port->tx_xbase[q], 0, sizeof(port->tx_xbase[q]));
		port->txq_ready[q] = true;
		fpq_set(&sl_port_fps[port->id].txq[q], stopped_tx, obj);
	}
	return 0;
}

static int queue_check(struct sl_port *port, uint16_t q, uint16_t nb, const char *kind)
{
	if (!port->configured) {
		SL_LOG(port, ERR, "%s: configure the port before setting up queues", port->name);
		return -EINVAL;
	}
	if (port->state == SL_PORT_STARTED) {
		SL_LOG(port, ERR, "%s: stop the port before setting up queues", port->name);
		return -EBUSY;
	}
	if (q >= nb) {
		SL_LOG(port, ERR, "%s: %s queue %u does not exist (%u configured)", port->name, kind, q,
		       nb);
		return -EINVAL;
	}
	return 0;
}

static int port_rxq_setup(uint16_t id, uint16_t q, uint16_t nb_desc, int node, struct sl_pool *pool)
{
	int rc;

	GET_OR_RETURN(port, id);
	rc = queue_check(port, q, port->nb_rxq, "rx");
	if (rc < 0)
		return rc;
	if (pool == NULL) {
		SL_LOG(port, ERR, "%s: rx queue %u needs a packet-buffer pool", port->name, q);
		return -EINVAL;
	}
	queue_release(port, q, true);
	if (q >= port->conf.nb_rxq) {
		/* An rx queue of RSS in software beyond the driver's: nothing of the driver. */
		port->rxq_ready[q] = true;
		return 0;
	}
	rc = port->ops->rxq_setup(port, q, nb_desc ? nb_desc : SL_PORT_DEFAULT_DESC, node, pool);
	if (rc < 0)
		return rc;
	return queue_install(port, q, true);
}

int sl_port_rxq_setup(uint16_t id, uint16_t q, uint16_t nb_desc, int node, struct sl_pool *pool)
{
	int rc;

	pthread_mutex_lock(&sl_port_ctl_lock);
	rc = port_rxq_setup(id, q, nb_desc, node, pool);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return rc;
}

static int port_txq_setup(uint16_t id, uint16_t q, uint16_t nb_desc, int node)
{
	int rc;

	GET_OR_RETURN(port, id);
	rc = queue_check(port, q, port->conf.nb_txq, "tx");
	if (rc < 0)
		return rc;
	queue_release(port, q, false);
	rc = port->ops->txq_setup(port, q, nb_desc ? nb_desc : SL_PORT_DEFAULT_DESC, node);
	if (rc < 0)
		return rc;
	return queue_install(port, q, false);
}

int sl_port_txq_setup(uint16_t id, uint16_t q, uint16_t nb_desc, int node)
{
	int rc;

	pthread_mutex_lock(&sl_port_ctl_lock);
	rc = port_txq_setup(id, q, nb_desc, node);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return rc;
}

int sl_port_start(uint16_t id)
{
	sl_port_burst_fn rx, tx;
	struct sl_port_fp *fp;
	int rc;

	GET_OR_RETURN(port, id);
	if (port->state == SL_PORT_STARTED)
		return 0;
	if (!port->configured) {
		SL_LOG(port, ERR, "%s: configure the port and set up its queues before starting it",
		       port->name);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < port->nb_rxq; q++)
		if (!port->rxq_ready[q]) {
			SL_LOG(port, ERR, "%s: rx queue %u is not set up", port->name, q);
			return -EINVAL;
		}
	for (uint16_t q = 0; q < port->conf.nb_txq; q++)
		if (!port->txq_ready[q]) {
			SL_LOG(port, ERR, "%s: tx queue %u is not set up", port->name, q);
			return -EINVAL;
		}
	if (port->ops->start) {
		rc = port->ops->start(port);
		if (rc < 0)
			return rc;
	}
	/* The queue objects are in place since setup; a queue the port does not have keeps
	 * behaving as on a stopped port. */
	/* The software stage puts its queues in the entries first (bursts still stopped). */
	rc = soft_start(port);
	if (rc < 0) {
		if (port->ops->stop)
			port->ops->stop(port);
		return rc;
	}
	fp = &sl_port_fps[id];
	rx = soft_rx_fn(port);
	tx = soft_tx_fn(port);
	for (uint16_t q = 0; q < port->nb_rxq; q++)
		__atomic_store_n(&fp->rxq[q].burst, rx ? rx : port->rx, __ATOMIC_RELEASE);
	for (uint16_t q = 0; q < port->conf.nb_txq; q++)
		__atomic_store_n(&fp->txq[q].burst, tx ? tx : port->tx, __ATOMIC_RELEASE);
	port->state = SL_PORT_STARTED;
	return 0;
}

int sl_port_stop(uint16_t id)
{
	GET_OR_RETURN(port, id);
	if (port->state != SL_PORT_STARTED)
		return 0;
	fp_set_stopped(port);
	soft_stop(port);
	if (port->ops->stop)
		port->ops->stop(port);
	port->state = SL_PORT_STOPPED;
	return 0;
}

static int port_close(uint16_t id)
{
	GET_OR_RETURN(port, id);
	sl_port_stop(id);
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		queue_release(port, q, true);
		queue_release(port, q, false);
	}
	for (int q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		struct sl_port_fpq *es[2] = {&sl_port_fps[id].rxq[q], &sl_port_fps[id].txq[q]};

		for (int k = 0; k < 2; k++) {
			for (struct sl_port_callback *cb = es[k]->cb, *n; cb; cb = n) {
				n = cb->next;
				free(cb);
			}
			__atomic_store_n(&es[k]->cb, NULL, __ATOMIC_RELEASE);
		}
	}
	for (struct sl_port_callback *cb = port->retired, *n; cb; cb = n) {
		n = cb->retired_next;
		free(cb);
	}
	soft_free(port);
	if (port->ops->close)
		port->ops->close(port);
	for (int i = 0; i < SL_PORT_MAX; i++) /* members its close left: free to close now */
		if (ports[i].owner1 == id + 1)
			ports[i].owner1 = 0;
	SL_LOG(port, INFO, "port %u: %s closed", id, port->name);
	memset(port, 0, sizeof(*port));
	port->id = id;
	return 0;
}

int sl_port_close(uint16_t id)
{
	int rc;
	struct sl_port *port = port_by_id(id);
	uint32_t created = 0;

	if (port && port->owner1) {
		SL_LOG(port, ERR,
		       "cannot close %s: it is a member of %s; close that port or remove "
		       "the member from it first",
		       port->name, ports[port->owner1 - 1].name);
		return -EBUSY;
	}
	if (telemetry_pending >> id & 1) /* created in this create: not added yet */
		telemetry_pending &= ~(1u << id);
	else
		port_telemetry_remove(id); /* before the lock: its drop source takes it */
	pthread_mutex_lock(&sl_port_ctl_lock);
	for (int i = 0; i < SL_PORT_MAX; i++)
		if (ports[i].state != SL_PORT_UNUSED && ports[i].created_by1 == id + 1)
			created |= 1u << i;
	rc = port_close(id);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	/* Members the port created go with it, once it let them go (out of the lock, as
	 * above). */
	for (int i = 0; i < SL_PORT_MAX; i++)
		if (rc == 0 && (created >> i & 1) && ports[i].owner1 == 0)
			sl_port_close((uint16_t)i);
	return rc;
}

void sl_port_close_all(void)
{
	int p;

	/* Owners first: closing one frees its members, which the next pass closes. */
	while ((p = sl_port_next(-1)) >= 0)
		while (p >= 0) {
			sl_port_close((uint16_t)p);
			p = sl_port_next(p);
		}
}

int sl_port_mac(uint16_t id, uint8_t mac[6])
{
	GET_OR_RETURN(port, id);
	memcpy(mac, port->mac, 6);
	return 0;
}

int sl_port_link(uint16_t id, struct sl_port_link *link)
{
	GET_OR_RETURN(port, id);
	memset(link, 0, sizeof(*link));
	if (port->ops->link)
		return port->ops->link(port, link);
	link->up = port->state == SL_PORT_STARTED;
	link->full_duplex = true;
	return 0;
}

int sl_port_promisc(uint16_t id, bool on)
{
	GET_OR_RETURN(port, id);
	if (port->ops->promisc == NULL) {
		port->promisc = on; /* nothing to filter: virtual ports see everything */
		return 0;
	}
	int rc = port->ops->promisc(port, on);
	if (rc == 0)
		port->promisc = on;
	return rc;
}

int sl_port_allmulti(uint16_t id, bool on)
{
	GET_OR_RETURN(port, id);
	if (port->ops->allmulti == NULL) {
		port->allmulti = on;
		return 0;
	}
	int rc = port->ops->allmulti(port, on);
	if (rc == 0)
		port->allmulti = on;
	return rc;
}

int sl_port_mtu_set(uint16_t id, uint16_t mtu)
{
	struct sl_port_info info;
	int rc = 0;

	GET_OR_RETURN(port, id);
	sl_port_info(id, &info);
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		SL_LOG(port, ERR, "%s: MTU %u is outside this port's range %u-%u", port->name, mtu,
		       info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	if (port->ops->mtu_set)
		rc = port->ops->mtu_set(port, mtu);
	if (rc == 0)
		port->mtu = mtu;
	return rc;
}

int sl_port_mtu(uint16_t id, uint16_t *mtu)
{
	GET_OR_RETURN(port, id);
	*mtu = port->mtu;
	return 0;
}

/* Who answers for the port's RSS key and table: the software stage, the driver, or
 * nobody (logged).  0 for the driver, 1 for the software stage, -errno. */
static int rss_owner(struct sl_port *port, bool has_op, const char *what)
{
	struct sl_port_info info;

	if (soft_has_rss(port))
		return 1;
	if (has_op)
		return 0;
	driver_info(port, &info);
	if (info.rss_types) {
		SL_LOG(port, ERR,
		       "%s: driver %s spreads rx with its own hash (the kernel's): its %s "
		       "cannot be set or read",
		       port->name, port->drv->name, what);
		return -ENOTSUP;
	}
	SL_LOG(port, ERR,
	       "%s: RSS is off: configure the port with rss_types (and rx queues to "
	       "spread over) before using its %s",
	       port->name, what);
	return -EINVAL;
}

int sl_port_rss_key_set(uint16_t id, const uint8_t *key, unsigned len)
{
	GET_OR_RETURN(port, id);
	int who = rss_owner(port, port->ops->rss_key_set != NULL, "RSS key");

	return who < 0 ? who
	       : who   ? soft_rss_key_set(port, key, len)
		       : port->ops->rss_key_set(port, key, len);
}

int sl_port_reta_set(uint16_t id, const uint16_t *reta, unsigned n)
{
	GET_OR_RETURN(port, id);
	int who = rss_owner(port, port->ops->reta_set != NULL, "redirection table");

	return who < 0 ? who
	       : who   ? soft_reta_set(port, reta, n)
		       : port->ops->reta_set(port, reta, n);
}

int sl_port_reta_get(uint16_t id, uint16_t *reta, unsigned n)
{
	GET_OR_RETURN(port, id);
	int who = rss_owner(port, port->ops->reta_get != NULL, "redirection table");

	return who < 0 ? who
	       : who   ? soft_reta_get(port, reta, n)
		       : port->ops->reta_get(port, reta, n);
}

/* --- statistics: the queues' counters, less their values at the last reset --- */

static uint64_t qread(const uint64_t *c, uint64_t base)
{
	return sl_counter_read(c) - base;
}

static void qstats_read(const struct sl_port_qstats *q, const struct sl_port_qstats *base,
			struct sl_port_qstats *out)
{
	out->packets = qread(&q->packets, base->packets);
	out->bytes = qread(&q->bytes, base->bytes);
	out->errors = qread(&q->errors, base->errors);
	out->nombuf = qread(&q->nombuf, base->nombuf);
	out->stopped = qread(&q->stopped, base->stopped);
}

/* base = the current values of n queues' counters. */
static void qstats_snapshot(const struct sl_port_qstats *q, struct sl_port_qstats *base)
{
	static const struct sl_port_qstats zero;

	for (int i = 0; i < SL_PORT_MAX_QUEUES; i++)
		qstats_read(&q[i], &zero, &base[i]);
}

/* Rx (tx) queue q's counters since the last reset; zeros for a queue not set up. */
static struct sl_port_qstats queue_counts(const struct sl_port *port, uint16_t q, bool rx)
{
	struct sl_port_qstats c = {0};

	if (rx && port->rxq_ready[q] && port->rxq[q])
		qstats_read(port->rxq[q], &port->rx_base[q], &c);
	else if (!rx && port->txq_ready[q])
		qstats_read(port->txq[q], &port->tx_base[q], &c);
	return c;
}

/* Rx queue q's counters; with RSS in software a queue hands out what it was given, not
 * what it polled.  sc gets the software stage's counters of index q. */
static struct sl_port_qstats rx_counts(const struct sl_port *port, uint16_t q,
				       struct soft_counts *sc)
{
	struct sl_port_qstats c = queue_counts(port, q, true);

	if (soft_counts(port, q, sc)) {
		c.packets = sc->packets;
		c.bytes = sc->bytes;
	}
	return c;
}

static uint64_t own_count(const struct sl_port *port, uint16_t q, bool rx, unsigned k)
{
	const struct sl_port_qxstat *t = rx ? port->ops->rxq_xstats : port->ops->txq_xstats;
	const void *obj = rx ? port->rxq[q] : port->txq[q];

	if (!(rx ? port->rxq_ready[q] : port->txq_ready[q]) || obj == NULL)
		return 0;
	return qread((const uint64_t *)((const char *)obj + t[k].offset),
		     rx ? port->rx_xbase[q][k] : port->tx_xbase[q][k]);
}

int sl_port_stats(uint16_t id, struct sl_port_stats *stats)
{
	GET_OR_RETURN(port, id);
	memset(stats, 0, sizeof(*stats));
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		struct soft_counts sc;
		struct sl_port_qstats r = rx_counts(port, q, &sc), t = queue_counts(port, q, false);
		struct sl_port_qstats idle;

		qstats_read(&idle_q[id][q], &port->idle_base[q], &idle);
		stats->imissed += sc.ring_full;
		stats->oerrors += sc.vlan_no_room;
		stats->q_ipackets[q] = r.packets;
		stats->q_ibytes[q] = r.bytes;
		stats->q_errors[q] = r.errors;
		stats->q_opackets[q] = t.packets;
		stats->q_obytes[q] = t.bytes;
		stats->ipackets += r.packets;
		stats->ibytes += r.bytes;
		stats->ierrors += r.errors;
		stats->rx_nombuf += r.nombuf;
		stats->opackets += t.packets;
		stats->obytes += t.bytes;
		stats->oerrors += t.errors;
		stats->tx_stopped += t.stopped + idle.stopped;
	}
	if (port->ops->stats)
		port->ops->stats(port, stats);
	return 0;
}

static int port_stats_reset(uint16_t id)
{
	GET_OR_RETURN(port, id);
	qstats_snapshot(idle_q[id], port->idle_base);
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		for (int rx = 0; rx < 2; rx++) {
			static const struct sl_port_qstats zero;
			bool ready = rx ? port->rxq_ready[q] : port->txq_ready[q];
			const struct sl_port_qxstat *t =
				rx ? port->ops->rxq_xstats : port->ops->txq_xstats;
			uint64_t *xbase = rx ? port->rx_xbase[q] : port->tx_xbase[q];
			const char *obj = rx ? port->rxq[q] : port->txq[q];

			if (!ready || obj == NULL)
				continue;
			qstats_read((const struct sl_port_qstats *)obj, &zero,
				    rx ? &port->rx_base[q] : &port->tx_base[q]);
			for (unsigned k = 0; t && t[k].name; k++)
				xbase[k] = sl_counter_read((const uint64_t *)(obj + t[k].offset));
		}
	}
	for (unsigned k = 0; port->ops->port_xstats && port->ops->port_xstats[k].name; k++)
		port->port_xbase[k] =
			sl_counter_read((const uint64_t *)((const char *)port->priv +
							   port->ops->port_xstats[k].offset));
	soft_stats_reset(port);
	if (port->ops->stats_reset)
		port->ops->stats_reset(port);
	return 0;
}

int sl_port_stats_reset(uint16_t id)
{
	int rc;

	pthread_mutex_lock(&sl_port_ctl_lock);
	rc = port_stats_reset(id);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return rc;
}

void sl_port_xstat_add(struct sl_port_xstat *xs, unsigned n, unsigned *count, uint64_t value,
		       const char *fmt, ...)
{
	if (xs && *count < n) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(xs[*count].name, sizeof(xs[*count].name), fmt, ap);
		va_end(ap);
		xs[*count].value = value;
	}
	(*count)++;
}

int sl_port_xstats(uint16_t id, struct sl_port_xstat *xs, unsigned n)
{
	const struct sl_port_qxstat *rxt, *txt;
	struct sl_port_stats st;
	unsigned count = 0;
	int rc;

	GET_OR_RETURN(port, id);
	rxt = port->ops->rxq_xstats;
	txt = port->ops->txq_xstats;
	sl_port_stats(id, &st);
	/* DPDK's names, so tools that read DPDK's xstats read ours. */
	sl_port_xstat_add(xs, n, &count, st.ipackets, "rx_good_packets");
	sl_port_xstat_add(xs, n, &count, st.opackets, "tx_good_packets");
	sl_port_xstat_add(xs, n, &count, st.ibytes, "rx_good_bytes");
	sl_port_xstat_add(xs, n, &count, st.obytes, "tx_good_bytes");
	sl_port_xstat_add(xs, n, &count, st.imissed, "rx_missed_errors");
	sl_port_xstat_add(xs, n, &count, st.ierrors, "rx_errors");
	sl_port_xstat_add(xs, n, &count, st.oerrors, "tx_errors");
	sl_port_xstat_add(xs, n, &count, st.rx_nombuf, "rx_mbuf_allocation_errors");
	sl_port_xstat_add(xs, n, &count, st.tx_stopped, "tx_port_stopped");
	for (uint16_t q = 0; q < port->nb_rxq; q++) {
		struct soft_counts sc;
		struct sl_port_qstats c = rx_counts(port, q, &sc);

		sl_port_xstat_add(xs, n, &count, c.packets, "rx_q%u_packets", q);
		sl_port_xstat_add(xs, n, &count, c.bytes, "rx_q%u_bytes", q);
		sl_port_xstat_add(xs, n, &count, c.errors, "rx_q%u_errors", q);
		sl_port_xstat_add(xs, n, &count, c.nombuf, "rx_q%u_nombuf", q);
		if (soft_has_rss(port))
			sl_port_xstat_add(xs, n, &count, sc.ring_full, "rx_q%u_rss_ring_full", q);
		for (unsigned k = 0; rxt && rxt[k].name; k++)
			sl_port_xstat_add(xs, n, &count, own_count(port, q, true, k), "rx_q%u_%s",
					  q, rxt[k].name);
	}
	for (uint16_t q = 0; q < port->conf.nb_txq; q++) {
		struct sl_port_qstats c = queue_counts(port, q, false);
		struct soft_counts sc;

		soft_counts(port, q, &sc);

		sl_port_xstat_add(xs, n, &count, c.packets, "tx_q%u_packets", q);
		sl_port_xstat_add(xs, n, &count, c.bytes, "tx_q%u_bytes", q);
		sl_port_xstat_add(xs, n, &count, c.errors, "tx_q%u_errors", q);
		if (soft_sw_tx(port) & SL_PKT_TX_VLAN)
			sl_port_xstat_add(xs, n, &count, sc.vlan_no_room, "tx_q%u_vlan_no_room", q);
		for (unsigned k = 0; txt && txt[k].name; k++)
			sl_port_xstat_add(xs, n, &count, own_count(port, q, false, k), "tx_q%u_%s",
					  q, txt[k].name);
	}
	for (unsigned k = 0; port->ops->port_xstats && port->ops->port_xstats[k].name; k++) {
		const struct sl_port_qxstat *x = &port->ops->port_xstats[k];

		sl_port_xstat_add(xs, n, &count,
				  qread((const uint64_t *)((const char *)port->priv + x->offset),
					port->port_xbase[k]),
				  "%s", x->name);
	}
	if (port->ops->xstats) {
		rc = port->ops->xstats(port, count < n ? xs + count : NULL,
				       count < n ? n - count : 0);
		if (rc < 0)
			return rc;
		count += (unsigned)rc;
	}
	return (int)count;
}

/* --- callbacks --- */

uint16_t sl_port__run_callbacks(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts, uint16_t n,
				struct sl_port_callback *cb)
{
	for (; cb && n; cb = __atomic_load_n(&cb->next, __ATOMIC_ACQUIRE))
		n = cb->fn(port, queue, pkts, n, cb->arg);
	return n;
}

static struct sl_port_callback *callback_add(struct sl_port_callback **head, uint16_t id,
					     uint16_t q, sl_port_callback_fn fn, void *arg)
{
	struct sl_port_callback *cb, **tail;
	struct sl_port *port = get(id, "callback_add");

	if (port == NULL) {
		errno = ENODEV;
		return NULL;
	}
	if (q >= SL_PORT_MAX_QUEUES) {
		SL_LOG(port, ERR, "%s: callback_add: queue %u is out of range; use 0 to %d",
		       port->name, q, SL_PORT_MAX_QUEUES - 1);
		errno = EINVAL;
		return NULL;
	}
	if (fn == NULL) {
		SL_LOG(port, ERR, "%s: callback_add: the callback function is NULL; pass one",
		       port->name);
		errno = EINVAL;
		return NULL;
	}
	cb = calloc(1, sizeof(*cb));
	if (cb == NULL) {
		SL_LOG(port, ERR, "%s: callback_add: out of memory for a %zu-byte callback node",
		       port->name, sizeof(*cb));
		errno = ENOMEM;
		return NULL;
	}
	cb->fn = fn;
	cb->arg = arg;
	/* Appending publishes a fully built node with one release store. */
	for (tail = head; *tail; tail = &(*tail)->next)
		;
	__atomic_store_n(tail, cb, __ATOMIC_RELEASE);
	return cb;
}

/* Callbacks come and go from any thread (a capture starts from a telemetry thread): under
 * the control lock, so a port is not closed (its retired list freed) meanwhile. */
struct sl_port_callback *sl_port_rx_callback_add(uint16_t id, uint16_t q, sl_port_callback_fn fn,
						 void *arg)
{
	struct sl_port_callback *cb;

	pthread_mutex_lock(&sl_port_ctl_lock);
	cb = callback_add(&sl_port_fps[id < SL_PORT_MAX ? id : 0].rxq[q % SL_PORT_MAX_QUEUES].cb,
			  id, q, fn, arg);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return cb;
}

struct sl_port_callback *sl_port_tx_callback_add(uint16_t id, uint16_t q, sl_port_callback_fn fn,
						 void *arg)
{
	struct sl_port_callback *cb;

	pthread_mutex_lock(&sl_port_ctl_lock);
	cb = callback_add(&sl_port_fps[id < SL_PORT_MAX ? id : 0].txq[q % SL_PORT_MAX_QUEUES].cb,
			  id, q, fn, arg);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return cb;
}

static int callback_remove(uint16_t id, uint16_t q, struct sl_port_callback *cb);

int sl_port_callback_remove(uint16_t id, uint16_t q, struct sl_port_callback *cb)
{
	int rc;

	pthread_mutex_lock(&sl_port_ctl_lock);
	rc = callback_remove(id, q, cb);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	return rc;
}

static int callback_remove(uint16_t id, uint16_t q, struct sl_port_callback *cb)
{
	struct sl_port_callback **lists[2];

	GET_OR_RETURN(port, id);
	if (q >= SL_PORT_MAX_QUEUES) {
		SL_LOG(port, ERR, "%s: callback_remove: queue %u is out of range; use 0 to %d",
		       port->name, q, SL_PORT_MAX_QUEUES - 1);
		return -EINVAL;
	}
	if (cb == NULL) {
		SL_LOG(port, ERR,
		       "%s: callback_remove: the callback is NULL; pass what sl_port_rx/tx_callback_add() returned",
		       port->name);
		return -EINVAL;
	}
	lists[0] = &sl_port_fps[id].rxq[q].cb;
	lists[1] = &sl_port_fps[id].txq[q].cb;
	for (int l = 0; l < 2; l++)
		for (struct sl_port_callback **pp = lists[l]; *pp; pp = &(*pp)->next)
			if (*pp == cb) {
				/* Unlink; a data-path thread may still be on cb, whose next stays
				 * valid, so the node is retired and freed at close. */
				__atomic_store_n(pp, cb->next, __ATOMIC_RELEASE);
				cb->retired_next = port->retired;
				port->retired = cb;
				return 0;
			}
	SL_LOG(port, ERR,
	       "%s: callback_remove: queue %u has no callback %p (removed already, or added to another queue); remove each callback once, from its queue",
	       port->name, q, (void *)cb);
	return -ENOENT;
}

void sl_port_ring_free_pkts(struct sl_ring *r)
{
	struct sl_pktbuf *pkts[64];
	unsigned n;

	while ((n = sl_ring_dequeue_burst(r, (void **)pkts, 64, NULL)) > 0)
		sl_pktbuf_free_bulk(pkts, (uint16_t)n);
}

void sl_port_drivers_dump(FILE *out)
{
	for (unsigned i = 0; driver_at(i); i++)
		fprintf(out, "  %-14s %s\n", driver_at(i)->name,
			driver_at(i)->usage ? driver_at(i)->usage : "");
}

void sl_port_dump(FILE *out, uint16_t id)
{
	struct sl_port_stats st;
	struct sl_port *port = get(id, "dump");

	if (port == NULL)
		return;
	sl_port_stats(id, &st);
	fprintf(out, "port %u %s (%s): %s, %u rxq, %u txq, mtu %u\n", id, port->name,
		port->drv->name, port->state == SL_PORT_STARTED ? "started" : "stopped",
		port->nb_rxq, port->conf.nb_txq, port->mtu);
	fprintf(out, "  rx %" PRIu64 " pkts %" PRIu64 " bytes, missed %" PRIu64 ", errors %" PRIu64
		     ", no buffer %" PRIu64 "\n",
		st.ipackets, st.ibytes, st.imissed, st.ierrors, st.rx_nombuf);
	fprintf(out, "  tx %" PRIu64 " pkts %" PRIu64 " bytes, errors %" PRIu64 ", while stopped %" PRIu64
		     "\n",
		st.opackets, st.obytes, st.oerrors, st.tx_stopped);
}
