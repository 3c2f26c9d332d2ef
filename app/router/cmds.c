/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's commands (lib/ctl): interface, address, route, neighbour, stats, trace.
 * Every handler runs on the control thread, the only writer of the tables.  Text goes to
 * the reply's "text", the same facts to its "data" (sluice-routerctl --json).
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "router_ctl.h"
#include "sl_ctl.h"

#define ERRBUF 256

int rt_parse_port(const char *s, char *err, size_t errlen)
{
	char *end;
	long v = strtol(s, &end, 10);
	int p;

	if (*s && !*end && v >= 0 && v < SL_PORT_MAX && rt.ifaces[v])
		return (int)v;
	if ((p = sl_port_lookup(s)) >= 0 && rt.ifaces[p])
		return p;
	snprintf(err, errlen, "no port '%s' (give its number or name; interface show lists them)",
		 s);
	return -1;
}

/* Text of the reply built in a memory stream, then handed to sl_ctl_printf(). */
struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *out_open(struct out *o)
{
	o->buf = NULL;
	o->f = open_memstream(&o->buf, &o->len);
	return o->f;
}

static void out_close(struct out *o, struct sl_ctl_req *req)
{
	fclose(o->f);
	sl_ctl_printf(req, "%s", o->buf ? o->buf : "");
	free(o->buf);
}

/* An interface address: bits after the prefix are the host part, so parse it apart. */
static int parse_ifaddr(const char *s, int *family, uint8_t ip[16], uint8_t *len)
{
	char buf[80], *slash;
	uint32_t a;
	uint8_t d;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (strchr(buf, ':')) {
		*family = 6;
		if (sl_ipv6_addr_parse(buf, ip) < 0)
			return -EINVAL;
		d = 128;
	} else {
		*family = 4;
		if (sl_ipv4_addr_parse(buf, &a) < 0)
			return -EINVAL;
		a = sl_ntohl(a);
		memcpy(ip, &a, 4);
		d = 32;
	}
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);

		if (!slash[1] || *end || v < 1 || v > d)
			return -EINVAL;
		d = (uint8_t)v;
	}
	*len = d;
	return 0;
}

/* --- interface --- */

static int cmd_iface_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *arr = json_array();
	struct out o;
	FILE *f = out_open(&o);

	(void)argc, (void)argv, (void)ctx;
	for (uint16_t p = 0; p < SL_PORT_MAX; p++) {
		const struct rt_iface *ifc = rt.ifaces[p];
		struct sl_port_info info;
		struct sl_port_link link = {0};
		char mac[24], a[64];
		json_t *ad;

		if (!ifc)
			continue;
		ad = json_array();
		sl_port_info(p, &info);
		sl_port_link(p, &link);
		sl_ether_addr_format(mac, sizeof(mac), &ifc->mac);
		fprintf(f, "%u %-22s %s mtu %u %s link %s\n", p, info.name, mac, ifc->mtu,
			ifc->up ? "up" : "down", link.up ? "up" : "down");
		for (unsigned i = 0; i < ifc->nb_addr4; i++) {
			rt_fmt_ip(a, sizeof(a), 4, (const uint8_t *)&ifc->addr4[i].ip);
			fprintf(f, "    inet %s/%u\n", a, ifc->addr4[i].len);
			json_array_append_new(ad, json_sprintf("%s/%u", a, ifc->addr4[i].len));
		}
		for (unsigned i = 0; i < ifc->nb_addr6; i++) {
			rt_fmt_ip(a, sizeof(a), 6, ifc->addr6[i].ip);
			fprintf(f, "    inet6 %s/%u\n", a, ifc->addr6[i].len);
			json_array_append_new(ad, json_sprintf("%s/%u", a, ifc->addr6[i].len));
		}
		json_array_append_new(arr,
				      json_pack("{s:i, s:s, s:s, s:i, s:b, s:b, s:o}", "port", p,
						"name", info.name, "mac", mac, "mtu", ifc->mtu,
						"up", ifc->up, "link", link.up, "addresses", ad));
	}
	out_close(&o, req);
	sl_ctl_set_data(req, arr);
	return 0;
}

static int cmd_iface_set(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	char err[ERRBUF];
	int port;
	struct rt_iface *ifc;

	(void)ctx;
	if (argc < 2)
		return sl_ctl_usage_error(req, NULL);
	if ((port = rt_parse_port(argv[0], err, sizeof(err))) < 0)
		return sl_ctl_error(req, -ENODEV, "%s", err);
	ifc = rt_iface_edit((uint16_t)port);
	if (!ifc)
		return -ENOMEM;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "up") == 0) {
			ifc->up = true;
		} else if (strcmp(argv[i], "down") == 0) {
			ifc->up = false;
		} else if (strcmp(argv[i], "mtu") == 0 && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);

			if (*end || v < 68 || v > 9600) {
				free(ifc);
				return sl_ctl_error(req, -EINVAL,
						    "mtu %s: give 68 to 9600 "
						    "(IPv6 needs at least 1280)",
						    argv[i]);
			}
			ifc->mtu = (uint16_t)v;
		} else {
			free(ifc);
			return sl_ctl_usage_error(req, "'%s' is not up, down or mtu N", argv[i]);
		}
	}
	rt_iface_publish((uint16_t)port, ifc);
	if (!ifc->up)
		rt_neigh_port_down((uint16_t)port);
	return 0;
}

/* --- address --- */

static int cmd_addr(struct sl_ctl_req *req, int argc, char **argv, bool add)
{
	char err[ERRBUF];
	int port, family, rc;
	uint8_t ip[16], len;

	if (argc != 2)
		return sl_ctl_usage_error(req, NULL);
	if ((port = rt_parse_port(argv[0], err, sizeof(err))) < 0)
		return sl_ctl_error(req, -ENODEV, "%s", err);
	if (parse_ifaddr(argv[1], &family, ip, &len) < 0)
		return sl_ctl_error(req, -EINVAL,
				    "'%s' is not an address with a prefix length "
				    "(10.0.0.1/24, 2001:db8::1/64)",
				    argv[1]);
	rc = add ? rt_addr_add((uint16_t)port, family, ip, len, err, sizeof(err))
		 : rt_addr_del((uint16_t)port, family, ip, len, err, sizeof(err));
	return rc < 0 ? sl_ctl_error(req, rc, "%s", err) : 0;
}

static int cmd_addr_add(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)ctx;
	return cmd_addr(req, argc, argv, true);
}

static int cmd_addr_del(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)ctx;
	return cmd_addr(req, argc, argv, false);
}

/* --- route --- */

static int cmd_route_add(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	char err[ERRBUF];
	int family, port = -1, rc;
	uint8_t ip[16], len, gws[RT_ECMP_MAX][16];
	unsigned ngw = 0;
	uint32_t id;

	(void)ctx;
	if (argc < 2)
		return sl_ctl_usage_error(req, NULL);
	if (rt_parse_prefix(argv[0], &family, ip, &len) < 0)
		return sl_ctl_error(req, -EINVAL,
				    "'%s' is not a prefix (10.0.0.0/8, "
				    "2001:db8::/32; no host bits after the length)",
				    argv[0]);
	if (rt_route_owned(family, ip, len))
		return sl_ctl_error(req, -EBUSY,
				    "%s belongs to an interface address (address "
				    "show; address del removes it)",
				    argv[0]);
	if (strcmp(argv[1], "blackhole") == 0 && argc == 2) {
		id = RT_NH_ID_BLACKHOLE;
	} else if (strcmp(argv[1], "reject") == 0 && argc == 2) {
		id = RT_NH_ID_REJECT;
	} else if (strcmp(argv[1], "via") == 0) {
		for (int i = 2; i < argc; i++) {
			int gf;
			uint8_t gl;

			if (strcmp(argv[i], "dev") == 0 && i + 1 < argc) {
				if ((port = rt_parse_port(argv[++i], err, sizeof(err))) < 0)
					return sl_ctl_error(req, -ENODEV, "%s", err);
				continue;
			}
			if (ngw == RT_ECMP_MAX)
				return sl_ctl_error(req, -E2BIG, "at most %d gateways",
						    RT_ECMP_MAX);
			if (rt_parse_prefix(argv[i], &gf, gws[ngw], &gl) < 0 || gf != family ||
			    gl != (family == 4 ? 32 : 128))
				return sl_ctl_error(req, -EINVAL,
						    "'%s' is not an IPv%d gateway "
						    "address",
						    argv[i], family);
			ngw++;
		}
		id = rt_route_gateways(family, (const uint8_t(*)[16])gws, ngw, port, err,
				       sizeof(err));
		if (!id)
			return sl_ctl_error(req, -EINVAL, "%s", err);
	} else {
		return sl_ctl_usage_error(req, "'%s' is not via, blackhole or reject", argv[1]);
	}
	rc = rt_route_set(family, ip, len, id, err, sizeof(err));
	return rc < 0 ? sl_ctl_error(req, rc, "%s", err) : 0;
}

static int cmd_route_del(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	char err[ERRBUF];
	int family, rc;
	uint8_t ip[16], len;

	(void)ctx;
	if (argc != 1)
		return sl_ctl_usage_error(req, NULL);
	if (rt_parse_prefix(argv[0], &family, ip, &len) < 0)
		return sl_ctl_error(req, -EINVAL, "'%s' is not a prefix", argv[0]);
	if (rt_route_owned(family, ip, len))
		return sl_ctl_error(req, -EBUSY,
				    "%s belongs to an interface address (address "
				    "show; address del removes it)",
				    argv[0]);
	rc = rt_route_del(family, ip, len, err, sizeof(err));
	return rc < 0 ? sl_ctl_error(req, rc, "%s", err) : 0;
}

static int cmd_route_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *arr;
	unsigned limit = 100;
	int family = 0;
	struct out o;

	(void)ctx;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "4") == 0 || strcmp(argv[i], "6") == 0)
			family = argv[i][0] - '0';
		else if (strcmp(argv[i], "all") == 0)
			limit = UINT32_MAX;
		else
			return sl_ctl_usage_error(req, "'%s' is not 4, 6 or all", argv[i]);
	}
	arr = json_array();
	FILE *f = out_open(&o);

	rt_route_show(arr, f, family, limit);
	if (limit != UINT32_MAX && rt_route_count(4) + rt_route_count(6) > limit)
		fprintf(f, "(first %u of %u routes; 'route show all' lists every one)\n", limit,
			rt_route_count(4) + rt_route_count(6));
	out_close(&o, req);
	sl_ctl_set_data(req, arr);
	return 0;
}

static int cmd_route_get(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	int family;
	uint8_t ip[16], len;
	uint32_t id = 0, a;
	int rc;

	(void)ctx;
	if (argc != 1 || rt_parse_prefix(argv[0], &family, ip, &len) < 0 ||
	    len != (family == 4 ? 32 : 128))
		return sl_ctl_usage_error(req, NULL);
	memcpy(&a, ip, 4);
	rc = family == 4 ? sl_lpm_lookup(rt.rt4, a, &id) : sl_lpm6_lookup(rt.rt6, ip, &id);
	if (rc < 0) {
		sl_ctl_printf(req, "%s: no route\n", argv[0]);
		json_object_set_new(sl_ctl_data(req), "nh", json_null());
		return 0;
	}

	const struct rt_nh *nh = &rt.nh[id];

	sl_ctl_printf(req, "%s: nh %u %s port %u\n", argv[0], id, rt_nh_kind(nh->type), nh->port);
	json_object_set_new(sl_ctl_data(req), "nh", json_integer(id));
	json_object_set_new(sl_ctl_data(req), "kind", json_string(rt_nh_kind(nh->type)));
	json_object_set_new(sl_ctl_data(req), "port", json_integer(nh->port));
	return 0;
}

static int cmd_route_load(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	char err[512];
	uint8_t g4[RT_ECMP_MAX][16], g6[RT_ECMP_MAX][16];
	unsigned n4 = 0, n6 = 0, loaded;
	uint64_t t0 = rt_now_ms();
	int rc;

	(void)ctx;
	if (argc < 1 || (argc > 1 && strcmp(argv[1], "via") != 0))
		return sl_ctl_usage_error(req, NULL);
	for (int i = 2; i < argc; i++) {
		int gf;
		uint8_t ip[16], gl;

		if (rt_parse_prefix(argv[i], &gf, ip, &gl) < 0 || gl != (gf == 4 ? 32 : 128))
			return sl_ctl_error(req, -EINVAL, "'%s' is not a gateway address", argv[i]);
		if ((gf == 4 ? n4 : n6) == RT_ECMP_MAX)
			return sl_ctl_error(req, -E2BIG, "at most %d gateways per family",
					    RT_ECMP_MAX);
		memcpy(gf == 4 ? g4[n4++] : g6[n6++], ip, 16);
	}
	rc = rt_route_load(argv[0], (const uint8_t(*)[16])g4, n4, (const uint8_t(*)[16])g6, n6, err,
			   sizeof(err), &loaded);
	if (rc < 0)
		return sl_ctl_error(req, rc, "%s (%u routes loaded before it)", err, loaded);
	sl_ctl_printf(req, "%u routes loaded in %.3f s (%u IPv4, %u IPv6 routes in the table)\n",
		      loaded, (double)(rt_now_ms() - t0) / 1e3, rt_route_count(4),
		      rt_route_count(6));
	json_object_set_new(sl_ctl_data(req), "loaded", json_integer(loaded));
	json_object_set_new(sl_ctl_data(req), "seconds",
			    json_real((double)(rt_now_ms() - t0) / 1e3));
	return 0;
}

/* --- neighbour --- */

static int cmd_neigh_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *arr = json_array();
	struct out o;

	(void)argc, (void)argv, (void)ctx;
	rt_neigh_show(arr, out_open(&o));
	out_close(&o, req);
	sl_ctl_set_data(req, arr);
	return 0;
}

static int cmd_neigh_add(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	char err[ERRBUF];
	struct sl_ether_addr mac;
	int family, port;
	uint8_t ip[16], len;

	(void)ctx;
	if (argc != 3)
		return sl_ctl_usage_error(req, NULL);
	if (rt_parse_prefix(argv[0], &family, ip, &len) < 0 || len != (family == 4 ? 32 : 128))
		return sl_ctl_error(req, -EINVAL, "'%s' is not an address", argv[0]);
	if (sl_ether_addr_parse(argv[1], &mac) < 0)
		return sl_ctl_error(req, -EINVAL, "'%s' is not a MAC address (02:00:00:00:00:01)",
				    argv[1]);
	if ((port = rt_parse_port(argv[2], err, sizeof(err))) < 0)
		return sl_ctl_error(req, -ENODEV, "%s", err);
	if (rt_neigh_static(family, ip, (uint16_t)port, &mac) < 0)
		return sl_ctl_error(req, -ENOSPC, "the neighbour table is full (--neigh-max)");
	return 0;
}

static int cmd_neigh_flush(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)argc, (void)argv, (void)ctx;
	sl_ctl_printf(req, "%u neighbours removed\n", rt_neigh_flush());
	return 0;
}

/* --- stats --- */

struct drops_ctx {
	json_t *arr;
	FILE *f;
	uint64_t total;
	bool print;
};

static void cstat_drop(const struct rt_cstat *c, void *arg)
{
	struct drops_ctx *d = arg;

	if (!c->drop || !c->value)
		return;
	d->total += c->value;
	if (d->print)
		fprintf(d->f, "  %-28s %12" PRIu64 "  %s (control)\n", c->name, c->value, c->help);
	json_array_append_new(d->arr,
			      json_pack("{s:s, s:I, s:s, s:s}", "reason", c->name, "packets",
					(json_int_t)c->value, "where", "control", "help", c->help));
}

static void cstat_event(const struct rt_cstat *c, void *arg)
{
	json_t *o = arg;

	json_object_set_new(o, c->name, json_integer((json_int_t)c->value));
}

/* Node totals over every worker's graph. */
struct node_sum {
	const char *name;
	const struct sl_graph_node_type *type;
	struct sl_graph_node_stats st;
};

static unsigned sum_nodes(struct node_sum *sums, unsigned max)
{
	unsigned n = 0;

	for (unsigned w = 0; w < rt.nb_workers; w++) {
		struct sl_graph *g = rt.workers[w].graph;

		for (unsigned i = 0; g && i < sl_graph_node_count(g); i++) {
			struct sl_graph_node *node = sl_graph_node_get(g, i);
			struct sl_graph_node_stats st;
			const char *name =
				node->type->flags & SL_GRAPH_SOURCE ? node->name : node->type->name;
			unsigned k;

			sl_graph_node_stats(g, i, &st);
			for (k = 0; k < n && strcmp(sums[k].name, name) != 0; k++)
				;
			if (k == n) {
				if (n == max)
					continue;
				sums[n++] = (struct node_sum){name, node->type, {0}};
			}
			sums[k].st.calls += st.calls;
			sums[k].st.vectors += st.vectors;
			sums[k].st.packets += st.packets;
			sums[k].st.cycles += st.cycles;
		}
	}
	return n;
}

static uint64_t node_pkts(const struct node_sum *s, unsigned n, const char *name)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		if (strcmp(s[i].type->name, name) == 0)
			v += s[i].st.packets;
	return v;
}

static int cmd_stats(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	static struct node_sum sums[SL_GRAPH_MAX_NODES * 2];
	bool all = argc == 0, ports = all, nodes = all, drops = all, ctl = all;
	json_t *data, *jp, *jn;
	struct drops_ctx d = {NULL, NULL, 0, false};
	struct out o;
	FILE *f;

	(void)ctx;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "ports") == 0)
			ports = true;
		else if (strcmp(argv[i], "nodes") == 0)
			nodes = true;
		else if (strcmp(argv[i], "drops") == 0)
			drops = true;
		else if (strcmp(argv[i], "control") == 0)
			ctl = true;
		else
			return sl_ctl_usage_error(req, "'%s' is not ports, nodes, drops or control",
						  argv[i]);
	}
	data = sl_ctl_data(req);
	jp = json_array();
	jn = json_array();
	d.arr = json_array();
	f = out_open(&o);
	d.f = f;
	unsigned n = sum_nodes(sums, SL_GRAPH_MAX_NODES * 2);
	uint64_t in = 0, overflow = 0, busy = 0, idle = 0;

	if (ports)
		fprintf(f, "%-4s %-22s %14s %14s %10s %10s %10s\n", "port", "name", "rx", "tx",
			"missed", "rx_nombuf", "tx_errors");
	for (int p = sl_port_next(-1); p >= 0; p = sl_port_next(p)) {
		struct sl_port_stats st;
		struct sl_port_info info;

		if (sl_port_stats((uint16_t)p, &st) < 0 || sl_port_info((uint16_t)p, &info) < 0)
			continue;
		if (ports)
			fprintf(f,
				"%-4d %-22s %14" PRIu64 " %14" PRIu64 " %10" PRIu64 " %10" PRIu64
				" %10" PRIu64 "\n",
				p, info.name, st.ipackets, st.opackets, st.imissed, st.rx_nombuf,
				st.oerrors);
		json_array_append_new(
			jp,
			json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "port", p,
				  "name", info.name, "rx_packets", (json_int_t)st.ipackets,
				  "rx_bytes", (json_int_t)st.ibytes, "tx_packets",
				  (json_int_t)st.opackets, "tx_bytes", (json_int_t)st.obytes,
				  "rx_missed", (json_int_t)st.imissed, "rx_nombuf",
				  (json_int_t)st.rx_nombuf, "tx_errors", (json_int_t)st.oerrors));
	}
	for (unsigned w = 0; w < rt.nb_workers; w++) {
		struct sl_graph_stats gs;

		if (!rt.workers[w].graph)
			continue;
		sl_graph_stats(rt.workers[w].graph, &gs);
		overflow += gs.overflow;
		busy += gs.busy_cycles;
		idle += gs.idle_cycles;
	}
	if (nodes)
		fprintf(f, "\n%-24s %12s %14s %8s %10s\n", "node", "calls", "packets", "pkt/call",
			"cyc/pkt");
	for (unsigned i = 0; i < n; i++) {
		const struct node_sum *s = &sums[i];

		if (s->type->flags & SL_GRAPH_SOURCE)
			in += s->st.packets;
		if (s->type->flags & SL_GRAPH_DROP)
			d.total += s->st.packets;
		if (!s->st.packets)
			continue;
		double cpp = (double)s->st.cycles / (double)s->st.packets;

		if (nodes && !(s->type->flags & SL_GRAPH_DROP))
			fprintf(f, "%-24s %12" PRIu64 " %14" PRIu64 " %8.1f %10.1f\n", s->name,
				s->st.calls, s->st.packets,
				s->st.vectors ? (double)s->st.packets / (double)s->st.vectors : 0,
				cpp);
		json_array_append_new(jn,
				      json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:b}", "node",
						s->name, "calls", (json_int_t)s->st.calls,
						"vectors", (json_int_t)s->st.vectors, "packets",
						(json_int_t)s->st.packets, "cycles",
						(json_int_t)s->st.cycles, "cycles_per_packet", cpp,
						"drop", !!(s->type->flags & SL_GRAPH_DROP)));
	}
	if (drops)
		fprintf(f, "\ndrops by reason\n");
	for (unsigned i = 0; i < n; i++) {
		const struct node_sum *s = &sums[i];

		if (!(s->type->flags & SL_GRAPH_DROP) || !s->st.packets)
			continue;
		if (drops)
			fprintf(f, "  %-28s %12" PRIu64 "  %s\n", s->name, s->st.packets,
				s->type->help ? s->type->help : "");
		json_array_append_new(d.arr, json_pack("{s:s, s:I, s:s, s:s}", "reason", s->name,
						       "packets", (json_int_t)s->st.packets,
						       "where", "graph", "help",
						       s->type->help ? s->type->help : ""));
	}
	uint64_t gdrops = d.total;

	d.print = drops;
	rt_cstat_foreach(cstat_drop, &d);

	uint64_t sent = node_pkts(sums, n, SL_GRAPH_PORT_TX) - node_pkts(sums, n, "drop_tx_full");
	uint64_t punted = node_pkts(sums, n, "punt") - node_pkts(sums, n, "drop_punt_full");
	int64_t balance = (int64_t)(in - sent - gdrops - punted - overflow);

	fprintf(f,
		"\ngraph: in %" PRIu64 " = sent %" PRIu64 " + dropped %" PRIu64
		" + to control %" PRIu64 " + vector overflow %" PRIu64 " (balance %" PRId64
		"); control-plane drops %" PRIu64 "; busy %.1f%%\n",
		in, sent, gdrops, punted, overflow, balance, d.total - gdrops,
		busy + idle ? 100.0 * (double)busy / (double)(busy + idle) : 0.0);
	/* node by node: what each node got = what its predecessors sent it, and what it
	 * processed = what it sent on (exact once traffic stops; a walk may be under way) */
	char books[256] = "ok";

	for (unsigned w = 0; w < rt.nb_workers; w++)
		if (rt.workers[w].graph &&
		    sl_graph_check_books(rt.workers[w].graph, books, sizeof(books)) < 0)
			break;
	fprintf(f, "books, node by node: %s\n", books);

	json_t *ev = json_object();

	rt_cstat_foreach(cstat_event, ev);
	if (ctl) {
		const char *js = NULL;
		char *s = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);

		js = s ? s : "";
		fprintf(f, "control: %s\n", js);
		free(s);
	}
	out_close(&o, req);
	json_object_set_new(data, "ports", jp);
	json_object_set_new(data, "nodes", jn);
	json_object_set_new(data, "drops", d.arr);
	json_object_set_new(data, "control", ev);
	json_object_set_new(data, "books", json_string(books));
	json_object_set_new(data, "graph",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "in",
				      (json_int_t)in, "sent", (json_int_t)sent, "dropped",
				      (json_int_t)gdrops, "to_control", (json_int_t)punted,
				      "overflow", (json_int_t)overflow, "balance",
				      (json_int_t)balance, "busy_cycles", (json_int_t)busy,
				      "idle_cycles", (json_int_t)idle));
	return 0;
}

static int cmd_stats_reset(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)req, (void)argc, (void)argv, (void)ctx;
	for (unsigned w = 0; w < rt.nb_workers; w++)
		if (rt.workers[w].graph)
			sl_graph_stats_reset(rt.workers[w].graph);
	for (int p = sl_port_next(-1); p >= 0; p = sl_port_next(p))
		sl_port_stats_reset((uint16_t)p);
	return 0;
}

/* --- trace --- */

static struct bpf_program trace_prog;
static bool trace_prog_set;

static bool trace_filter(const struct sl_pktbuf *p, void *arg)
{
	struct pcap_pkthdr h = {.caplen = p->data_len, .len = p->pkt_len};

	return pcap_offline_filter((struct bpf_program *)arg, &h,
				   sl_pktbuf_mtod(p, const u_char *)) != 0;
}

static int cmd_trace_add(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	char *end, filter[1024] = "";
	long n;

	(void)ctx;
	if (argc < 1)
		return sl_ctl_usage_error(req, NULL);
	n = strtol(argv[0], &end, 10);
	if (*end || n < 1 || n > SL_GRAPH_TRACE_MAX)
		return sl_ctl_error(req, -EINVAL, "trace add %s: give 1 to %d packets", argv[0],
				    SL_GRAPH_TRACE_MAX);
	for (int i = 1; i < argc; i++) {
		strncat(filter, argv[i], sizeof(filter) - strlen(filter) - 2);
		strcat(filter, " ");
	}
	for (unsigned w = 0; w < rt.nb_workers; w++)
		sl_graph_trace_stop(rt.workers[w].graph);
	if (trace_prog_set) {
		/* the workers drop the old filter at their next walk: wait for it */
		sl_rcu_synchronize(rt.rcu);
		pcap_freecode(&trace_prog);
		trace_prog_set = false;
	}
	if (filter[0]) {
		pcap_t *pc = pcap_open_dead(DLT_EN10MB, 65535);

		if (pcap_compile(pc, &trace_prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			int rc = sl_ctl_error(req, -EINVAL,
					      "filter '%s': %s (pcap-filter(7) syntax: "
					      "'icmp', 'udp port 53', 'host 10.0.0.2')",
					      filter, pcap_geterr(pc));

			pcap_close(pc);
			return rc;
		}
		pcap_close(pc);
		trace_prog_set = true;
	}
	for (unsigned w = 0; w < rt.nb_workers; w++)
		sl_graph_trace_start(rt.workers[w].graph, (unsigned)n,
				     trace_prog_set ? trace_filter : NULL, &trace_prog);
	sl_ctl_printf(req, "tracing the next %ld packets%s%s on each of %u workers\n", n,
		      filter[0] ? " matching " : "", filter, rt.nb_workers);
	return 0;
}

static int cmd_trace_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	struct out o;
	FILE *f = out_open(&o);
	json_t *arr = json_array();

	(void)argc, (void)argv, (void)ctx;
	for (unsigned w = 0; w < rt.nb_workers; w++) {
		struct sl_graph *g = rt.workers[w].graph;
		static struct sl_graph_trace_rec recs[SL_GRAPH_TRACE_RECORDS];
		unsigned nr = SL_MIN(sl_graph_trace_read(g, recs, SL_GRAPH_TRACE_RECORDS),
				     SL_GRAPH_TRACE_RECORDS);

		sl_graph_trace_dump(f, g);
		for (unsigned i = 0; i < nr; i++)
			json_array_append_new(arr,
					      json_pack("{s:i, s:i, s:s, s:i, s:i, s:s}", "worker",
							w, "packet", recs[i].pkt, "node",
							sl_graph_node_get(g, recs[i].node)->name,
							"port", recs[i].port, "len", recs[i].len,
							"info", recs[i].info));
	}
	out_close(&o, req);
	sl_ctl_set_data(req, arr);
	return 0;
}

static int cmd_trace_clear(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)req, (void)argc, (void)argv, (void)ctx;
	for (unsigned w = 0; w < rt.nb_workers; w++)
		sl_graph_trace_stop(rt.workers[w].graph);
	return 0;
}

static int cmd_graph_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	struct sl_graph *g = rt.workers[0].graph;
	json_t *arr = json_array();

	(void)argc, (void)argv, (void)ctx;
	for (unsigned i = 0; i < sl_graph_node_count(g); i++) {
		struct sl_graph_node *node = sl_graph_node_get(g, i);
		json_t *next = json_array();

		sl_ctl_printf(req, "%-24s ->", node->name);
		for (unsigned e = 0; e < node->nb_next; e++) {
			uint64_t pk = 0;

			for (unsigned w = 0; w < rt.nb_workers; w++)
				pk += sl_graph_edge_packets(rt.workers[w].graph, i, e);
			sl_ctl_printf(req, " %s", node->next[e].node->name);
			if (pk)
				sl_ctl_printf(req, " (%" PRIu64 ")", pk);
			json_array_append_new(next, json_pack("{s:s, s:I}", "node",
							      node->next[e].node->name, "packets",
							      (json_int_t)pk));
		}
		sl_ctl_printf(req, "\n");
		json_array_append_new(arr,
				      json_pack("{s:s, s:o, s:s}", "node", node->name, "next", next,
						"help", node->type->help ? node->type->help : ""));
	}
	sl_ctl_set_data(req, arr);
	return 0;
}

static const struct sl_ctl_cmd cmds[] = {
	{"interface show", NULL, "interfaces: MAC, MTU, state, addresses", cmd_iface_show},
	{"interface set", "PORT [up|down] [mtu N]", "changes an interface", cmd_iface_set},
	{"address add", "PORT ADDR/LEN", "adds an address (and its connected route)", cmd_addr_add},
	{"address del", "PORT ADDR/LEN", "removes an address", cmd_addr_del},
	{"address show", NULL, "interfaces and their addresses", cmd_iface_show},
	{"route add", "PREFIX via GW [GW...] [dev PORT] | PREFIX blackhole | PREFIX reject",
	 "adds or replaces a route (several gateways: ECMP)", cmd_route_add},
	{"route del", "PREFIX", "deletes a route", cmd_route_del},
	{"route show", "[4|6] [all]", "lists routes (the first 100 unless all)", cmd_route_show},
	{"route get", "ADDR", "the next hop a lookup gives", cmd_route_get},
	{"route load", "FILE [via GW...]",
	 "loads routes, one per line (PREFIX [via] GW | PREFIX blackhole | PREFIX: the "
	 "given gateways round robin); .gz files too",
	 cmd_route_load},
	{"neighbour show", NULL, "ARP and NDP neighbours", cmd_neigh_show},
	{"neighbour add", "ADDR MAC PORT", "adds a static neighbour", cmd_neigh_add},
	{"neighbour flush", NULL, "forgets learned neighbours", cmd_neigh_flush},
	{"stats", "[ports] [nodes] [drops] [control]",
	 "ports, nodes (packets, cycles per packet), drops by reason, accounting", cmd_stats},
	{"stats reset", NULL, "zeroes port and node statistics", cmd_stats_reset},
	{"trace add", "N [FILTER]", "traces the next N packets (a pcap filter, e.g. icmp)",
	 cmd_trace_add},
	{"trace show", NULL, "the traced packets' paths", cmd_trace_show},
	{"trace clear", NULL, "stops tracing", cmd_trace_clear},
	{"graph show", NULL, "the nodes and their edges", cmd_graph_show},
};

int rt_cmds_register(struct sl_ctl *ctl)
{
	return sl_ctl_register(ctl, cmds, SL_ARRAY_SIZE(cmds));
}
