/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "port_priv.h"
#include "sl_runtime.h"

SL_LOG_TYPE_DEFINE(port)

struct sl_port_fp sl_port_fps[SL_PORT_MAX];
static struct sl_port ports[SL_PORT_MAX];

/* Burst functions of a stopped (or never started) port: rx finds nothing, tx takes nothing
 * and counts the attempt.  Their queue pointer is the port itself. */
static uint16_t stopped_rx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

static uint16_t stopped_tx(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	struct sl_port *port = q;

	(void)pkts;
	if (n)
		__atomic_fetch_add(&port->tx_stopped, n, __ATOMIC_RELAXED);
	return 0;
}

static void fp_set_stopped(struct sl_port *port)
{
	struct sl_port_fp *fp = &sl_port_fps[port->id];

	__atomic_store_n(&fp->rx, stopped_rx, __ATOMIC_RELEASE);
	__atomic_store_n(&fp->tx, stopped_tx, __ATOMIC_RELEASE);
	for (int q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		__atomic_store_n(&fp->rxq[q], (void *)port, __ATOMIC_RELEASE);
		__atomic_store_n(&fp->txq[q], (void *)port, __ATOMIC_RELEASE);
	}
}

/* Any port id below SL_PORT_MAX has a safe fast-path entry, even unused ones. */
__attribute__((constructor)) static void fps_init(void)
{
	for (uint16_t i = 0; i < SL_PORT_MAX; i++) {
		ports[i].id = i;
		fp_set_stopped(&ports[i]);
	}
}

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

static const struct sl_port_driver *find_driver(const char *name)
{
	for (unsigned i = 0; sl_port_drivers[i]; i++) {
		const char *dn = sl_port_drivers[i]->name;
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
			return sl_port_drivers[i];
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

int sl_port_create(const char *devstr)
{
	char name[SL_PORT_NAME_SIZE], list[256] = "";
	const struct sl_port_driver *drv;
	struct sl_devargs args;
	struct sl_port *port = NULL;
	int rc;

	if (devstr == NULL)
		return -EINVAL;
	rc = devstr_parse(devstr, name, sizeof(name), &args);
	if (rc < 0)
		return rc;
	drv = find_driver(name);
	if (drv == NULL) {
		for (unsigned i = 0; sl_port_drivers[i]; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", sl_port_drivers[i]->name);
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
	rc = drv->probe(port, &args);
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
	for (int i = 0; i < SL_PORT_MAX; i++)
		if (ports[i].state != SL_PORT_UNUSED && strcmp(ports[i].name, name) == 0)
			return i;
	return -ENOENT;
}

int sl_port_next(int prev)
{
	for (int i = prev + 1; i < SL_PORT_MAX; i++)
		if (ports[i].state != SL_PORT_UNUSED)
			return i;
	return -1;
}

unsigned sl_port_count(void)
{
	unsigned n = 0;
	int p;

	SL_PORT_FOREACH(p)
		n++;
	return n;
}

int sl_port_info(uint16_t id, struct sl_port_info *info)
{
	GET_OR_RETURN(port, id);
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
	return 0;
}

int sl_port_configure(uint16_t id, const struct sl_port_conf *conf)
{
	struct sl_port_info info;
	int rc;

	GET_OR_RETURN(port, id);
	if (port->state == SL_PORT_STARTED) {
		SL_LOG(port, ERR, "%s: stop the port before configuring it", port->name);
		return -EBUSY;
	}
	sl_port_info(id, &info);
	if (conf->nb_rxq > info.max_rxq || conf->nb_txq > info.max_txq ||
	    (conf->nb_rxq == 0 && conf->nb_txq == 0)) {
		SL_LOG(port, ERR, "%s: %u rx and %u tx queues asked; this port has 1 to %u rx and %u tx",
		       port->name, conf->nb_rxq, conf->nb_txq, info.max_rxq, info.max_txq);
		return -EINVAL;
	}
	if (conf->rss_types & ~info.rss_types) {
		SL_LOG(port, ERR, "%s: RSS types 0x%" PRIx64 " not supported (supported: 0x%" PRIx64 ")",
		       port->name, conf->rss_types, info.rss_types);
		return -ENOTSUP;
	}
	/* Queues beyond the new counts go away. */
	for (uint16_t q = conf->nb_rxq; q < SL_PORT_MAX_QUEUES; q++)
		if (port->rxq_ready[q]) {
			if (port->ops->rxq_release)
				port->ops->rxq_release(port, q);
			port->rxq_ready[q] = false;
			port->rxq[q] = NULL;
		}
	for (uint16_t q = conf->nb_txq; q < SL_PORT_MAX_QUEUES; q++)
		if (port->txq_ready[q]) {
			if (port->ops->txq_release)
				port->ops->txq_release(port, q);
			port->txq_ready[q] = false;
			port->txq[q] = NULL;
		}
	port->conf = *conf;
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

int sl_port_rxq_setup(uint16_t id, uint16_t q, uint16_t nb_desc, int node, struct sl_pool *pool)
{
	int rc;

	GET_OR_RETURN(port, id);
	rc = queue_check(port, q, port->conf.nb_rxq, "rx");
	if (rc < 0)
		return rc;
	if (pool == NULL) {
		SL_LOG(port, ERR, "%s: rx queue %u needs a packet-buffer pool", port->name, q);
		return -EINVAL;
	}
	if (port->rxq_ready[q] && port->ops->rxq_release)
		port->ops->rxq_release(port, q);
	port->rxq_ready[q] = false;
	rc = port->ops->rxq_setup(port, q, nb_desc ? nb_desc : SL_PORT_DEFAULT_DESC, node, pool);
	if (rc < 0)
		return rc;
	port->rxq_ready[q] = true;
	return 0;
}

int sl_port_txq_setup(uint16_t id, uint16_t q, uint16_t nb_desc, int node)
{
	int rc;

	GET_OR_RETURN(port, id);
	rc = queue_check(port, q, port->conf.nb_txq, "tx");
	if (rc < 0)
		return rc;
	if (port->txq_ready[q] && port->ops->txq_release)
		port->ops->txq_release(port, q);
	port->txq_ready[q] = false;
	rc = port->ops->txq_setup(port, q, nb_desc ? nb_desc : SL_PORT_DEFAULT_DESC, node);
	if (rc < 0)
		return rc;
	port->txq_ready[q] = true;
	return 0;
}

int sl_port_start(uint16_t id)
{
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
	for (uint16_t q = 0; q < port->conf.nb_rxq; q++)
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
	fp = &sl_port_fps[id];
	for (uint16_t q = 0; q < port->conf.nb_rxq; q++)
		__atomic_store_n(&fp->rxq[q], port->rxq[q], __ATOMIC_RELEASE);
	for (uint16_t q = 0; q < port->conf.nb_txq; q++)
		__atomic_store_n(&fp->txq[q], port->txq[q], __ATOMIC_RELEASE);
	/* A queue the port does not have behaves as on a stopped port. */
	__atomic_store_n(&fp->rx, port->conf.nb_rxq ? port->rx : stopped_rx, __ATOMIC_RELEASE);
	__atomic_store_n(&fp->tx, port->conf.nb_txq ? port->tx : stopped_tx, __ATOMIC_RELEASE);
	port->state = SL_PORT_STARTED;
	return 0;
}

int sl_port_stop(uint16_t id)
{
	GET_OR_RETURN(port, id);
	if (port->state != SL_PORT_STARTED)
		return 0;
	fp_set_stopped(port);
	if (port->ops->stop)
		port->ops->stop(port);
	port->state = SL_PORT_STOPPED;
	return 0;
}

int sl_port_close(uint16_t id)
{
	GET_OR_RETURN(port, id);
	sl_port_stop(id);
	for (uint16_t q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		if (port->rxq_ready[q] && port->ops->rxq_release)
			port->ops->rxq_release(port, q);
		if (port->txq_ready[q] && port->ops->txq_release)
			port->ops->txq_release(port, q);
	}
	for (int q = 0; q < SL_PORT_MAX_QUEUES; q++) {
		for (struct sl_port_callback *cb = sl_port_fps[id].rx_cb[q], *n; cb; cb = n) {
			n = cb->next;
			free(cb);
		}
		for (struct sl_port_callback *cb = sl_port_fps[id].tx_cb[q], *n; cb; cb = n) {
			n = cb->next;
			free(cb);
		}
		sl_port_fps[id].rx_cb[q] = NULL;
		sl_port_fps[id].tx_cb[q] = NULL;
	}
	for (struct sl_port_callback *cb = port->retired, *n; cb; cb = n) {
		n = cb->retired_next;
		free(cb);
	}
	if (port->ops->close)
		port->ops->close(port);
	SL_LOG(port, INFO, "port %u: %s closed", id, port->name);
	memset(port, 0, sizeof(*port));
	port->id = id;
	fp_set_stopped(port);
	return 0;
}

void sl_port_close_all(void)
{
	int p;

	SL_PORT_FOREACH(p)
		sl_port_close((uint16_t)p);
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

#define OPTIONAL_OP(op, ...)                                                               \
	do {                                                                               \
		if (port->ops->op == NULL) {                                               \
			SL_LOG(port, ERR, "%s: driver %s cannot do " #op, port->name,      \
			       port->drv->name);                                           \
			return -ENOTSUP;                                                   \
		}                                                                          \
		return port->ops->op(port, __VA_ARGS__);                                   \
	} while (0)

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

int sl_port_rss_key_set(uint16_t id, const uint8_t *key, unsigned len)
{
	GET_OR_RETURN(port, id);
	OPTIONAL_OP(rss_key_set, key, len);
}

int sl_port_reta_set(uint16_t id, const uint16_t *reta, unsigned n)
{
	GET_OR_RETURN(port, id);
	OPTIONAL_OP(reta_set, reta, n);
}

int sl_port_reta_get(uint16_t id, uint16_t *reta, unsigned n)
{
	GET_OR_RETURN(port, id);
	OPTIONAL_OP(reta_get, reta, n);
}

int sl_port_stats(uint16_t id, struct sl_port_stats *stats)
{
	GET_OR_RETURN(port, id);
	memset(stats, 0, sizeof(*stats));
	if (port->ops->stats)
		port->ops->stats(port, stats);
	stats->tx_stopped = __atomic_load_n(&port->tx_stopped, __ATOMIC_RELAXED);
	return 0;
}

int sl_port_stats_reset(uint16_t id)
{
	GET_OR_RETURN(port, id);
	if (port->ops->stats_reset)
		port->ops->stats_reset(port);
	__atomic_store_n(&port->tx_stopped, 0, __ATOMIC_RELAXED);
	return 0;
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
	struct sl_port_stats st;
	unsigned count = 0;
	int rc;

	GET_OR_RETURN(port, id);
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
	for (unsigned q = 0; q < port->conf.nb_rxq; q++) {
		sl_port_xstat_add(xs, n, &count, st.q_ipackets[q], "rx_q%u_packets", q);
		sl_port_xstat_add(xs, n, &count, st.q_ibytes[q], "rx_q%u_bytes", q);
		sl_port_xstat_add(xs, n, &count, st.q_errors[q], "rx_q%u_errors", q);
	}
	for (unsigned q = 0; q < port->conf.nb_txq; q++) {
		sl_port_xstat_add(xs, n, &count, st.q_opackets[q], "tx_q%u_packets", q);
		sl_port_xstat_add(xs, n, &count, st.q_obytes[q], "tx_q%u_bytes", q);
	}
	if (port->ops->xstats) {
		rc = port->ops->xstats(port, count < n ? xs + count : NULL, count < n ? n - count : 0);
		if (rc < 0)
			return rc;
		count += (unsigned)rc;
	}
	return (int)count;
}

/* --- callbacks --- */

uint16_t sl_port__run_rx_callbacks(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts,
				   uint16_t n, struct sl_port_callback *cb)
{
	for (; cb && n; cb = __atomic_load_n(&cb->next, __ATOMIC_ACQUIRE))
		n = cb->fn(port, queue, pkts, n, cb->arg);
	return n;
}

uint16_t sl_port__run_tx_callbacks(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts,
				   uint16_t n, struct sl_port_callback *cb)
{
	for (; cb && n; cb = __atomic_load_n(&cb->next, __ATOMIC_ACQUIRE))
		n = cb->fn(port, queue, pkts, n, cb->arg);
	return n;
}

static struct sl_port_callback *callback_add(struct sl_port_callback **head, uint16_t id,
					     uint16_t q, sl_port_callback_fn fn, void *arg)
{
	struct sl_port_callback *cb, **tail;

	if (get(id, "callback_add") == NULL || q >= SL_PORT_MAX_QUEUES || fn == NULL) {
		errno = EINVAL;
		return NULL;
	}
	cb = calloc(1, sizeof(*cb));
	if (cb == NULL)
		return NULL;
	cb->fn = fn;
	cb->arg = arg;
	/* Appending publishes a fully built node with one release store. */
	for (tail = head; *tail; tail = &(*tail)->next)
		;
	__atomic_store_n(tail, cb, __ATOMIC_RELEASE);
	return cb;
}

struct sl_port_callback *sl_port_rx_callback_add(uint16_t id, uint16_t q, sl_port_callback_fn fn,
						 void *arg)
{
	return callback_add(&sl_port_fps[id < SL_PORT_MAX ? id : 0].rx_cb[q % SL_PORT_MAX_QUEUES],
			    id, q, fn, arg);
}

struct sl_port_callback *sl_port_tx_callback_add(uint16_t id, uint16_t q, sl_port_callback_fn fn,
						 void *arg)
{
	return callback_add(&sl_port_fps[id < SL_PORT_MAX ? id : 0].tx_cb[q % SL_PORT_MAX_QUEUES],
			    id, q, fn, arg);
}

int sl_port_callback_remove(uint16_t id, uint16_t q, struct sl_port_callback *cb)
{
	struct sl_port_callback **lists[2];

	GET_OR_RETURN(port, id);
	if (q >= SL_PORT_MAX_QUEUES || cb == NULL)
		return -EINVAL;
	lists[0] = &sl_port_fps[id].rx_cb[q];
	lists[1] = &sl_port_fps[id].tx_cb[q];
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
	return -ENOENT;
}

void sl_port_drivers_dump(FILE *out)
{
	for (unsigned i = 0; sl_port_drivers[i]; i++)
		fprintf(out, "  %-14s %s\n", sl_port_drivers[i]->name,
			sl_port_drivers[i]->usage ? sl_port_drivers[i]->usage : "");
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
		port->conf.nb_rxq, port->conf.nb_txq, port->mtu);
	fprintf(out, "  rx %" PRIu64 " pkts %" PRIu64 " bytes, missed %" PRIu64 ", errors %" PRIu64
		     ", no buffer %" PRIu64 "\n",
		st.ipackets, st.ibytes, st.imissed, st.ierrors, st.rx_nombuf);
	fprintf(out, "  tx %" PRIu64 " pkts %" PRIu64 " bytes, errors %" PRIu64 ", while stopped %" PRIu64
		     "\n",
		st.opackets, st.obytes, st.oerrors, st.tx_stopped);
}
