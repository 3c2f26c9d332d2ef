/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's commands (lib/ctl): port, bridge, fdb, stats, pmd.  Every handler runs on
 * the control thread, the only writer of the port configurations, the only one that ages
 * or flushes an FDB, and the PMD set's control thread (lib/pmd).  Text goes to the reply's "text", the same facts to its "data"
 * (sluice-switchctl --json).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_ctl.h"
#include "sl_lcore.h"
#include "sl_pmd.h"
#include "switch.h"

/* --- state changes --- */

int sw_bridge_get(const char *name, bool create, char *err, size_t err_size)
{
	int free_slot = -1;

	if (!*name || strlen(name) >= sizeof(sw.bridges[0].name)) {
		snprintf(err, err_size, "bridge name '%s': give 1 to %zu characters", name,
			 sizeof(sw.bridges[0].name) - 1);
		return -EINVAL;
	}
	for (int b = 0; b < SW_MAX_BRIDGES; b++) {
		if (strcmp(sw.bridges[b].name, name) == 0)
			return b;
		if (free_slot < 0 && !sw.bridges[b].name[0])
			free_slot = b;
	}
	if (!create) {
		snprintf(err, err_size, "no bridge '%s' (bridge show lists them)", name);
		return -ENOENT;
	}
	if (free_slot < 0) {
		snprintf(err, err_size, "no room for bridge '%s': %d bridges at most", name,
			 SW_MAX_BRIDGES);
		return -ENOSPC;
	}
	struct sl_fdb_config fc = {.name = name, .capacity = sw.fdb_size, .node = SL_NODE_ANY};
	struct sw_bridge *br = &sw.bridges[free_slot];

	br->fdb = sl_fdb_create(&fc);
	if (!br->fdb) {
		snprintf(err, err_size, "cannot create the FDB of bridge '%s' (%u entries): %s",
			 name, sw.fdb_size, strerror(errno));
		return -errno;
	}
	snprintf(br->name, sizeof(br->name), "%s", name);
	return free_slot;
}

/* Publishes a copy of c as the port's configuration; the old one is freed once no worker
 * can hold it.  What the port learned under its old bridge or VLANs is forgotten. */
int sw_pconf_set(uint16_t port, const struct sw_pconf *c)
{
	struct sw_pconf *n = malloc(sizeof(*n)), *old = sw.pconf[port];

	if (!n)
		return -ENOMEM;
	*n = *c;
	__atomic_store_n(&sw.pconf[port], n, __ATOMIC_RELEASE);
	if (old) {
		sl_fdb_flush(sw.bridges[old->bridge].fdb, -1, port);
		if (sl_rcu_defer(sw.rcu, free, old) < 0) {
			sl_rcu_synchronize(sw.rcu);
			free(old);
		}
	}
	return 0;
}

/* Adds worker counters s into out (each word read once, as the worker writes it). */
static void wstats_add(struct sw_wstats *out, const struct sw_wstats *s)
{
	out->rx += sl_counter_read(&s->rx);
	out->forwarded += sl_counter_read(&s->forwarded);
	out->flooded += sl_counter_read(&s->flooded);
	out->outputs += sl_counter_read(&s->outputs);
	out->sent += sl_counter_read(&s->sent);
	out->learn_full += sl_counter_read(&s->learn_full);
	out->moves += sl_counter_read(&s->moves);
	for (unsigned d = 0; d < SW_DROP_N; d++)
		out->drops[d] += sl_counter_read(&s->drops[d]);
}

void sw_stats_sum(struct sw_wstats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < sw.nb_workers; w++)
		wstats_add(out, &sw.workers[w].st);
}

int sw_worker_by_lcore(uint32_t lcore)
{
	for (unsigned w = 0; w < sw.nb_workers; w++)
		if (sw.workers[w].lcore == lcore)
			return (int)w;
	return -ENOENT;
}

/* Tells the port layer which lcore polls each rx queue (telemetry, sluice top). */
void sw_rxq_lcores_update(void)
{
	unsigned n = sl_pmd_nb_rxq(sw.pmd);

	for (unsigned q = 0; q < n; q++) {
		struct sl_pmd_rxq_stats rs;

		sl_pmd_rxq_stats(sw.pmd, q, &rs);
		sl_port_rxq_lcore_set(rs.port, rs.queue,
				      rs.owner == SL_PMD_NONE ? SL_LCORE_ANY
							      : sw.workers[rs.owner].lcore);
	}
}

/* --- parsing --- */

int sw_port_parse(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	int p = -1;

	if (*s && !*end && v >= 0 && v < SL_PORT_MAX)
		p = (int)v;
	else if (*s)
		p = sl_port_lookup(s);
	if (p < 0 || p >= SL_PORT_MAX || !sw.pconf[p])
		return -ENODEV;
	return p;
}

static int parse_port(struct sl_ctl_req *req, const char *s)
{
	int p = sw_port_parse(s);

	if (p < 0)
		return sl_ctl_error(req, -ENODEV,
				    "no port '%s' (give its number or name; port show lists them)",
				    s);
	return p;
}

static int parse_vid(struct sl_ctl_req *req, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 1 || v > 4094)
		return sl_ctl_error(req, -EINVAL, "VLAN '%s': give 1 to 4094", s);
	return (int)v;
}

/* "10,20,100-199" into the bitmap. */
static int parse_vids(struct sl_ctl_req *req, const char *s, uint64_t allowed[64])
{
	char buf[4096], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", s);
	memset(allowed, 0, 64 * sizeof(uint64_t));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		int lo, hi;

		if (dash)
			*dash = '\0';
		lo = parse_vid(req, tok);
		hi = dash ? parse_vid(req, dash + 1) : lo;
		if (lo < 0 || hi < 0)
			return -EINVAL;
		if (hi < lo)
			return sl_ctl_error(req, -EINVAL, "VLAN range %d-%d: the first is larger",
					    lo, hi);
		for (int v = lo; v <= hi; v++)
			allowed[v >> 6] |= 1ull << (v & 63);
	}
	return 0;
}

static void vids_format(char *out, size_t size, const uint64_t allowed[64])
{
	size_t len = 0;

	out[0] = '\0';
	for (int v = 1; v < 4095; v++) {
		int e = v;

		if (!(allowed[v >> 6] >> (v & 63) & 1))
			continue;
		while (e + 1 < 4095 && (allowed[(e + 1) >> 6] >> ((e + 1) & 63) & 1))
			e++;
		len += (size_t)snprintf(out + len, len < size ? size - len : 0,
					e > v ? "%s%d-%d" : "%s%d", len ? "," : "", v, e);
		v = e;
	}
}

/* --- port --- */

static int cmd_port_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *arr = json_array();

	(void)argc, (void)argv, (void)ctx;
	for (uint16_t p = 0; p < SL_PORT_MAX; p++) {
		const struct sw_pconf *c = sw.pconf[p];
		struct sl_port_link link = {0};
		struct sl_port_stats st;
		struct sl_port_info info;
		char vids[1024] = "", native[16] = "none";

		if (!c)
			continue;
		sl_port_info(p, &info);
		sl_port_link(p, &link);
		sl_port_stats(p, &st);
		if (c->mode == SW_TRUNK)
			vids_format(vids, sizeof(vids), c->allowed);
		if (c->vid != SW_VID_NONE)
			snprintf(native, sizeof(native), "%u", c->vid);
		if (c->mode == SW_ACCESS)
			sl_ctl_printf(req, "%u %-20s bridge %s access vlan %u", p, info.name,
				      sw.bridges[c->bridge].name, c->vid);
		else
			sl_ctl_printf(req, "%u %-20s bridge %s trunk vlans %s native %s", p,
				      info.name, sw.bridges[c->bridge].name,
				      vids[0] ? vids : "none", native);
		sl_ctl_printf(req, " link %s rx %" PRIu64 " tx %" PRIu64 "\n",
			      link.up ? "up" : "down", st.ipackets, st.opackets);
		json_array_append_new(
			arr, json_pack("{s:i, s:s, s:s, s:s, s:o, s:s, s:b, s:I, s:I}", "port", p,
				       "name", info.name, "bridge", sw.bridges[c->bridge].name,
				       "mode", c->mode == SW_ACCESS ? "access" : "trunk", "vlan",
				       c->vid == SW_VID_NONE ? json_null() : json_integer(c->vid),
				       "vlans", vids, "link", link.up, "rx",
				       (json_int_t)st.ipackets, "tx", (json_int_t)st.opackets));
	}
	sl_ctl_set_data(req, arr);
	return 0;
}

static int cmd_port_set(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	struct sw_pconf c;
	char err[128];
	int p, v, b;

	(void)ctx;
	if (argc < 2)
		return sl_ctl_error(
			req, -EINVAL,
			"port set PORT access VID | trunk VIDS [native VID] | bridge NAME");
	if ((p = parse_port(req, argv[0])) < 0)
		return p;
	c = *sw.pconf[p];
	if (strcmp(argv[1], "access") == 0 && argc == 3) {
		if ((v = parse_vid(req, argv[2])) < 0)
			return v;
		c.mode = SW_ACCESS;
		c.vid = (uint16_t)v;
		memset(c.allowed, 0, sizeof(c.allowed));
	} else if (strcmp(argv[1], "trunk") == 0 && (argc == 3 || argc == 5)) {
		if (parse_vids(req, argv[2], c.allowed) < 0)
			return -EINVAL;
		c.mode = SW_TRUNK;
		c.vid = SW_VID_NONE;
		if (argc == 5) {
			if (strcmp(argv[3], "native") != 0)
				return sl_ctl_error(req, -EINVAL,
						    "'%s': port set PORT trunk VIDS native VID",
						    argv[3]);
			if ((v = parse_vid(req, argv[4])) < 0)
				return v;
			c.vid = (uint16_t)v;
		}
	} else if (strcmp(argv[1], "bridge") == 0 && argc == 3) {
		if ((b = sw_bridge_get(argv[2], true, err, sizeof(err))) < 0)
			return sl_ctl_error(req, b, "%s", err);
		c.bridge = (uint16_t)b;
	} else {
		return sl_ctl_error(req, -EINVAL,
				    "'%s': port set PORT access VID | trunk VIDS [native VID] | "
				    "bridge NAME",
				    argv[1]);
	}
	if (sw_pconf_set((uint16_t)p, &c) < 0)
		return sl_ctl_error(req, -ENOMEM, "out of memory");
	sl_ctl_printf(req, "port %d set\n", p);
	return 0;
}

/* --- bridge --- */

static int cmd_bridge_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *arr = json_array();

	(void)argc, (void)argv, (void)ctx;
	for (unsigned b = 0; b < SW_MAX_BRIDGES; b++) {
		const struct sw_bridge *br = &sw.bridges[b];
		struct sl_fdb_stats fs;
		json_t *ports;

		if (!br->name[0])
			continue;
		ports = json_array();
		sl_fdb_stats(br->fdb, &fs);
		sl_ctl_printf(req, "%s: ports", br->name);
		for (uint16_t p = 0; p < SL_PORT_MAX; p++)
			if (sw.pconf[p] && sw.pconf[p]->bridge == b) {
				sl_ctl_printf(req, " %u", p);
				json_array_append_new(ports, json_integer(p));
			}
		sl_ctl_printf(req,
			      "; fdb %u of %u, learned %" PRIu64 ", moved %" PRIu64
			      ", full %" PRIu64 ", aged %" PRIu64 ", flushed %" PRIu64 "\n",
			      sl_fdb_count(br->fdb), sl_fdb_capacity(br->fdb), fs.learned, fs.moved,
			      fs.full, fs.aged, fs.flushed);
		json_array_append_new(
			arr,
			json_pack("{s:s, s:o, s:i, s:i, s:I, s:I, s:I, s:I, s:I}", "name", br->name,
				  "ports", ports, "fdb_entries", sl_fdb_count(br->fdb),
				  "fdb_capacity", sl_fdb_capacity(br->fdb), "learned",
				  (json_int_t)fs.learned, "moved", (json_int_t)fs.moved, "full",
				  (json_int_t)fs.full, "aged", (json_int_t)fs.aged, "flushed",
				  (json_int_t)fs.flushed));
	}
	sl_ctl_set_data(req, arr);
	return 0;
}

/* --- fdb --- */

/* The optional BRIDGE word at argv[*i]: *only is its index, or -1 for every bridge.  0,
 * or the error set on req. */
static int bridge_arg(struct sl_ctl_req *req, int argc, char **argv, int *i, int *only)
{
	char err[128];
	int b;

	*only = -1;
	if (*i >= argc || strcmp(argv[*i], "vlan") == 0 || strcmp(argv[*i], "port") == 0)
		return 0;
	if ((b = sw_bridge_get(argv[*i], false, err, sizeof(err))) < 0)
		return sl_ctl_error(req, b, "%s", err);
	*only = b;
	(*i)++;
	return 0;
}

static int cmd_fdb_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	int i = 0, only, rc = bridge_arg(req, argc, argv, &i, &only);
	json_t *arr;

	(void)ctx;
	if (rc < 0)
		return rc;
	if (i < argc)
		return sl_ctl_error(req, -EINVAL, "'%s': fdb show [BRIDGE]", argv[i]);
	arr = json_array();
	sl_ctl_printf(req, "%-8s %4s  %-17s %4s %6s\n", "bridge", "vlan", "mac", "port", "age");
	for (int b = 0; b < SW_MAX_BRIDGES; b++) {
		struct sl_fdb_entry e;
		uint32_t cursor = 0;

		if (!sw.bridges[b].name[0] || (only >= 0 && b != only))
			continue;
		while (sl_fdb_iterate(sw.bridges[b].fdb, &cursor, &e)) {
			char mac[24];
			uint32_t age = sw.now - e.seen;

			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", e.mac[0],
				 e.mac[1], e.mac[2], e.mac[3], e.mac[4], e.mac[5]);
			sl_ctl_printf(req, "%-8s %4u  %s %4u %6u\n", sw.bridges[b].name, e.vid, mac,
				      e.port, age);
			json_array_append_new(arr,
					      json_pack("{s:s, s:i, s:s, s:i, s:i}", "bridge",
							sw.bridges[b].name, "vlan", e.vid, "mac",
							mac, "port", e.port, "age", age));
		}
	}
	sl_ctl_set_data(req, arr);
	return 0;
}

static int cmd_fdb_flush(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	int i = 0, only, vid = -1, port = -1, rc = bridge_arg(req, argc, argv, &i, &only);
	unsigned n = 0;

	(void)ctx;
	if (rc < 0)
		return rc;
	for (; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "vlan") == 0 && (vid = parse_vid(req, argv[i + 1])) < 0)
			return vid;
		else if (strcmp(argv[i], "port") == 0 && (port = parse_port(req, argv[i + 1])) < 0)
			return port;
		else if (strcmp(argv[i], "vlan") != 0 && strcmp(argv[i], "port") != 0)
			break;
	}
	if (i < argc)
		return sl_ctl_error(req, -EINVAL, "'%s': fdb flush [BRIDGE] [vlan VID] [port PORT]",
				    argv[i]);
	for (int b = 0; b < SW_MAX_BRIDGES; b++)
		if (sw.bridges[b].name[0] && (only < 0 || b == only))
			n += sl_fdb_flush(sw.bridges[b].fdb, vid, port);
	sl_ctl_printf(req, "%u entries flushed\n", n);
	json_object_set_new(sl_ctl_data(req), "flushed", json_integer(n));
	return 0;
}

static int cmd_fdb_aging(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)ctx;
	if (argc == 1) {
		char *end;
		unsigned long v = strtoul(argv[0], &end, 10);

		if (!*argv[0] || *end || v < 1 || v > 1000000)
			return sl_ctl_error(req, -EINVAL, "aging '%s': give 1 to 1000000 seconds",
					    argv[0]);
		sw.aging = (uint32_t)v;
	} else if (argc > 1) {
		return sl_ctl_error(req, -EINVAL, "fdb aging [SECONDS]");
	}
	sl_ctl_printf(req, "aging %u s\n", sw.aging);
	json_object_set_new(sl_ctl_data(req), "aging", json_integer(sw.aging));
	return 0;
}

/* --- stats, pmd --- */

static json_t *wstats_json(const struct sw_wstats *s)
{
	json_t *o =
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "rx", (json_int_t)s->rx,
			  "forwarded", (json_int_t)s->forwarded, "flooded", (json_int_t)s->flooded,
			  "outputs", (json_int_t)s->outputs, "sent", (json_int_t)s->sent,
			  "learn_full", (json_int_t)s->learn_full, "moves", (json_int_t)s->moves);
	json_t *d = json_object();

	for (unsigned k = 0; k < SW_DROP_N; k++)
		json_object_set_new(d, sw_drop_names[k], json_integer((json_int_t)s->drops[k]));
	json_object_set_new(o, "drops", d);
	return o;
}

static void wstats_text(struct sl_ctl_req *req, const char *who, const struct sw_wstats *s)
{
	uint64_t in_drops = 0, out_drops = 0;

	for (unsigned k = 0; k < SW_DROP_N; k++)
		*(k < SW_DROP_INGRESS_N ? &in_drops : &out_drops) += s->drops[k];
	sl_ctl_printf(req,
		      "%s: rx %" PRIu64 " = forwarded %" PRIu64 " + flooded %" PRIu64
		      " + dropped %" PRIu64 "; outputs %" PRIu64 " = sent %" PRIu64
		      " + dropped %" PRIu64 "; learn_full %" PRIu64 ", moves %" PRIu64 "\n",
		      who, s->rx, s->forwarded, s->flooded, in_drops, s->outputs, s->sent,
		      out_drops, s->learn_full, s->moves);
	for (unsigned k = 0; k < SW_DROP_N; k++)
		if (s->drops[k])
			sl_ctl_printf(req, "    %-18s %12" PRIu64 "  %s\n", sw_drop_names[k],
				      s->drops[k], sw_drop_help[k]);
}

static int cmd_stats(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	json_t *per = json_array();
	struct sw_wstats total;

	(void)argc, (void)argv, (void)ctx;
	for (unsigned w = 0; w < sw.nb_workers; w++) {
		struct sw_wstats one;
		char who[32];

		memset(&one, 0, sizeof(one));
		wstats_add(&one, &sw.workers[w].st);
		snprintf(who, sizeof(who), "pmd %u (lcore %u)", w, sw.workers[w].lcore);
		if (sw.nb_workers > 1)
			wstats_text(req, who, &one);
		json_array_append_new(per, wstats_json(&one));
	}
	sw_stats_sum(&total);
	wstats_text(req, "total", &total);
	json_object_set_new(sl_ctl_data(req), "total", wstats_json(&total));
	json_object_set_new(sl_ctl_data(req), "pmds", per);
	return 0;
}

static const char *rxq_state(const struct sl_pmd_rxq_stats *rs)
{
	if (rs->owner == rs->target)
		return rs->owner == SL_PMD_NONE ? "unplaced" : "polled";
	return rs->owner == SL_PMD_NONE ? "waiting" : "leaving";
}

static json_t *rebalance_json(const struct sl_pmd_rebalance_info *r)
{
	return json_pack("{s:f, s:f, s:f, s:i, s:b, s:b}", "cur_var", r->cur_var, "new_var",
			 r->new_var, "improve_pct", r->improve_pct, "moves", r->moves, "applied",
			 r->applied, "automatic", r->automatic);
}

static int cmd_pmd_show(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	struct sl_pmd_config pc;
	const char *names[SL_PORT_MAX] = {0};
	struct sl_port_info info[SL_PORT_MAX];
	struct sl_pmd_rebalance_info last;
	json_t *arr = json_array(), *d = sl_ctl_data(req);
	unsigned nq = sl_pmd_nb_rxq(sw.pmd);
	char *text;
	int len;

	(void)argc, (void)argv, (void)ctx;
	sl_pmd_config_get(sw.pmd, &pc);
	for (uint16_t p = 0; p < SL_PORT_MAX; p++)
		if (sw.pconf[p] && sl_port_info(p, &info[p]) == 0)
			names[p] = info[p].name;
	sl_ctl_printf(
		req,
		"rxq assignment %s, auto-lb %s (interval %u ms, threshold %u%%, improvement %u%%), %" PRIu64
		" rebalance%s\n",
		sl_pmd_assign_name(pc.assign), pc.auto_lb ? "on" : "off", pc.interval_ms,
		pc.load_pct, pc.improve_pct, sl_pmd_rebalances(sw.pmd),
		sl_pmd_rebalances(sw.pmd) == 1 ? "" : "s");
	len = sl_pmd_format(sw.pmd, names, NULL, 0);
	text = malloc((size_t)len + 1);
	if (!text)
		return sl_ctl_error(req, -ENOMEM, "out of memory");
	sl_pmd_format(sw.pmd, names, text, (size_t)len + 1);
	sl_ctl_printf(req, "%s", text);
	free(text);
	for (unsigned w = 0; w < sw.nb_workers; w++) {
		struct sl_pmd_worker_stats ws;
		json_t *qs = json_array();

		sl_pmd_worker_stats(sw.pmd, w, &ws);
		for (unsigned q = 0; q < nq; q++) {
			struct sl_pmd_rxq_stats rs;

			sl_pmd_rxq_stats(sw.pmd, q, &rs);
			if (rs.owner != (int)w && rs.target != (int)w)
				continue;
			json_array_append_new(
				qs,
				json_pack("{s:i, s:s, s:i, s:f, s:I, s:b, s:s, s:I, s:f}", "port",
					  rs.port, "name", names[rs.port] ? names[rs.port] : "",
					  "queue", rs.queue, "usage_pct", rs.load_pct, "packets",
					  (json_int_t)rs.packets, "pinned", rs.pin != SL_PMD_NONE,
					  "state", rxq_state(&rs), "moves", (json_int_t)rs.moves,
					  "last_gap_us",
					  (double)rs.last_gap_cycles * 1e6 / (double)sl_tsc_hz()));
		}
		json_array_append_new(
			arr, json_pack("{s:i, s:i, s:f, s:b, s:b, s:I, s:o}", "pmd", w, "lcore",
				       ws.lcore, "busy_pct", ws.busy_pct, "isolated", ws.isolated,
				       "main", sw.main_polls && w == sw.nb_workers - 1, "packets",
				       (json_int_t)ws.packets, "rxqs", qs));
	}
	if (sl_pmd_last_rebalance(sw.pmd, &last) == 0) {
		sl_ctl_printf(
			req,
			"last rebalance%s: variance %.4g -> %.4g (%.0f%% better): %s %u queue%s\n",
			last.automatic ? " (auto-lb)" : "", last.cur_var, last.new_var,
			last.improve_pct, last.applied ? "moved" : "did not move", last.moves,
			last.moves == 1 ? "" : "s");
		json_object_set_new(d, "last_rebalance", rebalance_json(&last));
	}
	json_object_set_new(d, "assign", json_string(sl_pmd_assign_name(pc.assign)));
	json_object_set_new(d, "auto_lb",
			    json_pack("{s:b, s:i, s:i, s:i}", "enabled", pc.auto_lb, "interval_ms",
				      pc.interval_ms, "threshold_pct", pc.load_pct,
				      "improvement_pct", pc.improve_pct));
	json_object_set_new(d, "rebalances", json_integer((json_int_t)sl_pmd_rebalances(sw.pmd)));
	json_object_set_new(d, "settled", json_boolean(sl_pmd_settled(sw.pmd)));
	json_object_set_new(d, "pmds", arr);
	return 0;
}

static int cmd_pmd_rebalance(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	struct sl_pmd_config pc;
	struct sl_pmd_rebalance_info r;
	bool force = argc == 1 && strcmp(argv[0], "force") == 0;
	int rc;

	(void)ctx;
	sl_pmd_config_get(sw.pmd, &pc);
	if (argc > 1 || (argc == 1 && !force))
		return sl_ctl_error(req, -EINVAL, "'%s': pmd rebalance [force]", argv[0]);
	rc = sl_pmd_rebalance(sw.pmd, force, &r);
	if (rc == -ENODATA)
		return sl_ctl_error(req, rc,
				    "no load measured yet: wait one interval (%u ms) and try again",
				    pc.interval_ms);
	if (rc == -EBUSY)
		return sl_ctl_error(req, rc, "queues are still moving: try again");
	if (rc < 0)
		return sl_ctl_error(req, rc, "rebalance failed: %s (the switch's log says why)",
				    strerror(-rc));
	sl_ctl_printf(req, "variance %.4g -> %.4g (%.0f%% better, %s %u%%): %s %u queue%s\n",
		      r.cur_var, r.new_var, r.improve_pct, force ? "forced past" : "needs",
		      pc.improve_pct, r.applied ? "moving" : "not moving", r.moves,
		      r.moves == 1 ? "" : "s");
	sl_ctl_set_data(req, rebalance_json(&r));
	return 0;
}

static int cmd_pmd_pin(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	char *colon, *end, portname[64];
	unsigned long q;
	int p, rxq, w = SL_PMD_NONE, rc;

	(void)ctx;
	if (argc != 2 || !(colon = strrchr(argv[0], ':')))
		return sl_ctl_error(req, -EINVAL, "pmd pin PORT:QUEUE CORE|none");
	snprintf(portname, sizeof(portname), "%.*s", (int)(colon - argv[0]), argv[0]);
	if ((p = parse_port(req, portname)) < 0)
		return p;
	q = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || (rxq = sl_pmd_rxq_find(sw.pmd, (uint16_t)p, (uint16_t)q)) < 0)
		return sl_ctl_error(req, -ENOENT,
				    "port %d has no rx queue '%s' (pmd show lists them)", p,
				    colon + 1);
	if (strcmp(argv[1], "none") != 0) {
		unsigned long c = strtoul(argv[1], &end, 10);

		if (!*argv[1] || *end || (w = sw_worker_by_lcore((uint32_t)c)) < 0)
			return sl_ctl_error(
				req, -EINVAL,
				"lcore '%s' is not a PMD thread (pmd show lists them), or "
				"give none to unpin",
				argv[1]);
	}
	sl_pmd_rxq_pin(sw.pmd, (unsigned)rxq, w);
	rc = sl_pmd_assign(sw.pmd);
	if (rc < 0) {
		sl_pmd_rxq_pin(sw.pmd, (unsigned)rxq, SL_PMD_NONE);
		return sl_ctl_error(req, rc,
				    "cannot pin: every PMD thread would be isolated and the other "
				    "queues have none (start with --no-isolate, or unpin another)");
	}
	sl_ctl_printf(req, "port %d queue %lu %s; %d queue%s moving\n", p, q,
		      w == SL_PMD_NONE ? "unpinned" : "pinned", rc, rc == 1 ? "" : "s");
	json_object_set_new(sl_ctl_data(req), "moves", json_integer(rc));
	return 0;
}

int sw_cmds_register(struct sl_ctl *ctl)
{
	static const struct sl_ctl_cmd cmds[] = {
		{"port show", NULL, "the switch ports: bridge, VLANs, link, counts", cmd_port_show},
		{"port set", "PORT access VID | trunk VIDS [native VID] | bridge NAME",
		 "make a port an access port of a VLAN, a trunk of VLANs (10,20,100-199), or "
		 "move it to a bridge (made if new)",
		 cmd_port_set},
		{"bridge show", NULL, "bridges, their ports and FDB counters", cmd_bridge_show},
		{"fdb show", "[BRIDGE]", "learned MAC addresses: VLAN, port, seconds idle",
		 cmd_fdb_show},
		{"fdb flush", "[BRIDGE] [vlan VID] [port PORT]", "forget learned MAC addresses",
		 cmd_fdb_flush},
		{"fdb aging", "[SECONDS]", "show or set how long an idle MAC address stays",
		 cmd_fdb_aging},
		{"stats", NULL, "packets per PMD thread: forwarded, flooded, dropped by reason",
		 cmd_stats},
		{"pmd show", NULL,
		 "PMD threads: busy %, their rx queues and each queue's share (last interval)",
		 cmd_pmd_show},
		{"pmd rebalance", "[force]",
		 "place the rx queues by the last interval's load, when that improves the spread "
		 "enough (force: whatever it gains)",
		 cmd_pmd_rebalance},
		{"pmd pin", "PORT:QUEUE CORE|none",
		 "always poll an rx queue on the PMD thread of lcore CORE (none: unpin)",
		 cmd_pmd_pin},
	};

	return sl_ctl_register(ctl, cmds, SL_ARRAY_SIZE(cmds));
}
