/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port layer's telemetry: DPDK's /ethdev commands with its keys, Sluice's per-queue
 * view, and one drop source per port.  Handlers run in telemetry threads: each holds
 * sl_port_ctl_lock while it reads, so no port is created, set up or freed meanwhile; the
 * counters themselves are the queues' single-writer words, read with relaxed loads.
 */
#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port_priv.h"
#include "sl_runtime.h"
#include "sl_telemetry.h"

/* The port of the request's parameter, with the lock held; NULL (unlocked) on error. */
static struct sl_port *lock_port(struct sl_telemetry_req *req, const char *cmd, const char *p,
				 int *rc)
{
	long id = sl_telemetry_param_uint(req, p, SL_PORT_MAX);
	struct sl_port *port;

	if (id < 0) {
		*rc = (int)id;
		return NULL;
	}
	pthread_mutex_lock(&sl_port_ctl_lock);
	port = port_by_id((uint16_t)id);
	if (port == NULL) {
		pthread_mutex_unlock(&sl_port_ctl_lock);
		*rc = sl_telemetry_error(req, -ENODEV, "%s: no port %ld; /ethdev/list lists them",
					 cmd, id);
	}
	return port;
}

#define WITH_PORT(port, req, cmd, p)                                                               \
	int rc_ = 0;                                                                               \
	struct sl_port *port = lock_port(req, cmd, p, &rc_);                                       \
	if (port == NULL)                                                                          \
	return rc_

static int cmd_list(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *arr = json_array();
	int id;

	(void)cmd, (void)p, (void)ctx;
	pthread_mutex_lock(&sl_port_ctl_lock);
	SL_PORT_FOREACH(id)
		json_array_append_new(arr, json_integer(id));
	pthread_mutex_unlock(&sl_port_ctl_lock);
	sl_telemetry_set(req, arr);
	return 0;
}

static json_t *qarray(const uint64_t *v)
{
	json_t *arr = json_array();

	for (unsigned q = 0; q < SL_PORT_MAX_QUEUES; q++)
		json_array_append_new(arr, json_integer((json_int_t)v[q]));
	return arr;
}

static int cmd_stats(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct sl_port_stats st;
	int rc;

	(void)ctx;
	WITH_PORT(port, req, cmd, p);
	rc = sl_port_stats(port->id, &st);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	if (rc < 0)
		return rc;
	sl_telemetry_set(
		req,
		json_pack("{sIsIsIsIsIsIsIsIsIsososososo}", "ipackets", (json_int_t)st.ipackets,
			  "opackets", (json_int_t)st.opackets, "ibytes", (json_int_t)st.ibytes,
			  "obytes", (json_int_t)st.obytes, "imissed", (json_int_t)st.imissed,
			  "ierrors", (json_int_t)st.ierrors, "oerrors", (json_int_t)st.oerrors,
			  "rx_nombuf", (json_int_t)st.rx_nombuf, "tx_stopped",
			  (json_int_t)st.tx_stopped, "q_ipackets", qarray(st.q_ipackets),
			  "q_opackets", qarray(st.q_opackets), "q_ibytes", qarray(st.q_ibytes),
			  "q_obytes", qarray(st.q_obytes), "q_errors", qarray(st.q_errors)));
	return 0;
}

static int cmd_xstats(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	char id_s[8] = "";
	struct sl_port_xstat *xs = NULL;
	bool hide_zero = false;
	json_t *obj;
	int n;

	(void)ctx;
	/* DPDK's newer form: "ID,hide_zero=true". */
	if (p) {
		size_t len = strcspn(p, ",");

		if (len < sizeof(id_s))
			memcpy(id_s, p, len);
		else
			memcpy(id_s, "x", 2);
		if (p[len] == ',') {
			if (strcmp(p + len + 1, "hide_zero=true") == 0)
				hide_zero = true;
			else if (strcmp(p + len + 1, "hide_zero=false") != 0)
				return sl_telemetry_error(
					req, -EINVAL,
					"%s: unknown option '%.64s'; the only one is hide_zero=true|false",
					cmd, p + len + 1);
		}
	}
	WITH_PORT(port, req, cmd, p ? id_s : NULL);
	n = sl_port_xstats(port->id, NULL, 0);
	if (n > 0 && (xs = calloc((size_t)n, sizeof(*xs))) != NULL)
		n = sl_port_xstats(port->id, xs, (unsigned)n);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	if (n > 0 && xs == NULL)
		return -ENOMEM;
	if (n < 0)
		return n;
	obj = json_object();
	for (int i = 0; i < n; i++)
		if (!hide_zero || xs[i].value)
			json_object_set_new(obj, xs[i].name, json_integer((json_int_t)xs[i].value));
	free(xs);
	sl_telemetry_set(req, obj);
	return 0;
}

static int cmd_info(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct sl_port_info info;
	char mac[24];
	json_t *o;

	(void)ctx;
	WITH_PORT(port, req, cmd, p);
	if (sl_port_info(port->id, &info) < 0) {
		pthread_mutex_unlock(&sl_port_ctl_lock);
		return -EIO;
	}
	snprintf(mac, sizeof(mac), "%02X:%02X:%02X:%02X:%02X:%02X", port->mac[0], port->mac[1],
		 port->mac[2], port->mac[3], port->mac[4], port->mac[5]);
	o = json_pack("{sssssisisisisissss sisisisisisisisi sisi}", "name", port->name,
		      "driver_name", info.driver, "state", (int)port->state, "nb_rx_queues",
		      (int)info.nb_rxq, "nb_tx_queues", (int)info.nb_txq, "port_id", (int)port->id,
		      "mtu", (int)port->mtu, "mac_addr", mac, "if_name",
		      info.if_name ? info.if_name : "", "promiscuous", (int)port->promisc,
		      "all_multicast", (int)port->allmulti, "scattered_rx", 1, "lro", 0,
		      "dev_started", port->state == SL_PORT_STARTED, "dev_configured",
		      (int)port->configured, "numa_node", info.node, "max_rx_pktlen",
		      (int)info.max_rx_pktlen, "max_rx_queues", (int)info.max_rxq, "max_tx_queues",
		      (int)info.max_txq);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	sl_telemetry_set(req, o);
	return 0;
}

static int cmd_link(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct sl_port_link link;
	int rc;

	(void)ctx;
	WITH_PORT(port, req, cmd, p);
	rc = sl_port_link(port->id, &link);
	pthread_mutex_unlock(&sl_port_ctl_lock);
	if (rc < 0)
		return rc;
	if (!link.up)
		sl_telemetry_set(req, json_pack("{ss}", "status", "DOWN"));
	else
		sl_telemetry_set(req, json_pack("{sssiss}", "status", "UP", "speed",
						(int)link.speed_mbps, "duplex",
						link.full_duplex ? "full-duplex" : "half-duplex"));
	return 0;
}

static json_t *queue_obj(uint16_t q, const struct sl_port_qstats *c, const struct sl_port_qstats *b,
			 bool rx, uint32_t lcore)
{
	json_t *o = json_pack("{sisIsIsI}", "queue", (int)q, "packets",
			      (json_int_t)(c->packets - b->packets), "bytes",
			      (json_int_t)(c->bytes - b->bytes), "errors",
			      (json_int_t)(c->errors - b->errors));

	if (rx) {
		json_object_set_new(o, "nombuf", json_integer((json_int_t)(c->nombuf - b->nombuf)));
		json_object_set_new(o, "lcore",
				    json_integer(lcore == SL_LCORE_ANY ? -1 : (json_int_t)lcore));
	} else {
		json_object_set_new(o, "stopped",
				    json_integer((json_int_t)(c->stopped - b->stopped)));
	}
	return o;
}

static void qstats_read(const void *queue, struct sl_port_qstats *out)
{
	const struct sl_port_qstats *q = queue;

	out->packets = __atomic_load_n(&q->packets, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&q->bytes, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&q->errors, __ATOMIC_RELAXED);
	out->nombuf = __atomic_load_n(&q->nombuf, __ATOMIC_RELAXED);
	out->stopped = __atomic_load_n(&q->stopped, __ATOMIC_RELAXED);
}

static int cmd_queues(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct sl_port_stats st;
	json_t *rx = json_array(), *tx = json_array();
	uint16_t nb_txq;
	int rc;

	(void)ctx;
	WITH_PORT(port, req, cmd, p);
	/* Per-queue figures as the port's stats count them (resets and RSS included). */
	rc = sl_port_stats(port->id, &st);
	nb_txq = port->conf.nb_txq;
	for (uint16_t q = 0; rc == 0 && q < port->nb_rxq; q++) {
		struct sl_port_qstats c = {0}, b = {0};

		c.packets = st.q_ipackets[q];
		c.bytes = st.q_ibytes[q];
		c.errors = st.q_errors[q];
		if (q < port->conf.nb_rxq && port->rxq[q]) {
			struct sl_port_qstats raw;

			qstats_read(port->rxq[q], &raw);
			c.nombuf = raw.nombuf;
			b.nombuf = port->rx_base[q].nombuf;
		}
		json_array_append_new(rx,
				      queue_obj(q, &c, &b, true, sl_port_rxq_lcore(port->id, q)));
	}
	for (uint16_t q = 0; rc == 0 && q < nb_txq; q++) {
		struct sl_port_qstats c = {0}, b = {0};

		c.packets = st.q_opackets[q];
		c.bytes = st.q_obytes[q];
		if (port->txq[q]) {
			struct sl_port_qstats raw;

			qstats_read(port->txq[q], &raw);
			c.errors = raw.errors;
			c.stopped = raw.stopped;
			b = port->tx_base[q];
			b.packets = b.bytes = 0;
		}
		json_array_append_new(tx, queue_obj(q, &c, &b, false, SL_LCORE_ANY));
	}
	pthread_mutex_unlock(&sl_port_ctl_lock);
	if (rc < 0) {
		json_decref(rx);
		json_decref(tx);
		return rc;
	}
	sl_telemetry_set(req, json_pack("{soso}", "rx", rx, "tx", tx));
	return 0;
}

static void port_drops(json_t *obj, void *arg)
{
	uint16_t id = (uint16_t)(uintptr_t)arg;
	struct sl_port_stats st;
	int rc;

	struct timespec until;

	/* Runs under the telemetry's drops lock.  A thread holding the port lock may be
	 * waiting for that one (a composite port creating or closing a member registers its
	 * drop source): wait a while, never for ever, and leave the port out this time. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 100000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	if (pthread_mutex_timedlock(&sl_port_ctl_lock, &until) != 0)
		return;
	rc = port_by_id(id) ? sl_port_stats(id, &st) : -ENODEV;
	pthread_mutex_unlock(&sl_port_ctl_lock);
	if (rc < 0)
		return;
	json_object_set_new(obj, "rx_missed", json_integer((json_int_t)st.imissed));
	json_object_set_new(obj, "rx_errors", json_integer((json_int_t)st.ierrors));
	json_object_set_new(obj, "rx_nombuf", json_integer((json_int_t)st.rx_nombuf));
	json_object_set_new(obj, "tx_errors", json_integer((json_int_t)st.oerrors));
	json_object_set_new(obj, "tx_stopped", json_integer((json_int_t)st.tx_stopped));
}

void port_telemetry_add(uint16_t id)
{
	struct sl_port *port = port_by_id(id);

	if (port)
		sl_telemetry_drops_register(port->name, port_drops, (void *)(uintptr_t)id);
}

void port_telemetry_remove(uint16_t id)
{
	struct sl_port *port = port_by_id(id);

	if (port)
		sl_telemetry_drops_unregister(port->name);
}

static const struct sl_telemetry_cmd cmds[] = {
	{"/ethdev/list", cmd_list, "Returns the list of port ids"},
	{"/ethdev/stats", cmd_stats, "Returns a port's basic statistics. Parameter: port id"},
	{"/ethdev/xstats", cmd_xstats,
	 "Returns a port's extended statistics. Parameters: port id[,hide_zero=true]"},
	{"/ethdev/info", cmd_info,
	 "Returns a port's name, driver, queues, MTU, MAC. Parameter: port id"},
	{"/ethdev/link_status", cmd_link, "Returns a port's link status. Parameter: port id"},
	{"/sluice/port/queues", cmd_queues,
	 "Returns each rx and tx queue's counters and polling lcore. Parameter: port id"},
};

static void port_telemetry(void)
{
	sl_telemetry_register(cmds, SL_ARRAY_SIZE(cmds));
}
SL_TELEMETRY_INIT(port_telemetry)
