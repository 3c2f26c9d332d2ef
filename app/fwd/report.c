/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "sl_telemetry.h"

static void sum_streams(const struct fwd_app *app, int port, struct fwd_counts *t);

/* Telemetry: the forwarder's drops by reason (/sluice/drops "fwd") and its totals
 * (/sluice/fwd/stats, the "totals" of the --json report), read while it runs. */
static void fwd_drops(json_t *obj, void *arg)
{
	struct fwd_counts t;

	sum_streams(arg, -1, &t);
	for (int d = 0; d < FWD_DROP_MAX; d++)
		json_object_set_new(obj, fwd_drop_names[d], json_integer((json_int_t)t.drops[d]));
}

static int cmd_fwd_stats(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct fwd_app *app = ctx;
	struct fwd_counts t;
	json_t *drops = json_object();

	(void)cmd, (void)p;
	sum_streams(app, -1, &t);
	fwd_drops(drops, app);
	sl_telemetry_set(req,
			 json_pack("{sssIsIsIsIsIso}", "mode", app->mode->name, "rx_packets",
				   (json_int_t)t.rx, "tx_packets", (json_int_t)t.tx, "generated",
				   (json_int_t)t.generated, "consumed", (json_int_t)t.consumed,
				   "dropped", (json_int_t)t.dropped, "drops", drops));
	return 0;
}

static struct sl_telemetry_cmd fwd_cmds[] = {
	{"/sluice/fwd/stats", cmd_fwd_stats,
	 "Returns the forwarder's totals: received, sent, generated, consumed, dropped by reason"},
};

void report_start(struct report *r, struct fwd_app *app)
{
	memset(r, 0, sizeof(*r));
	fwd_cmds[0].ctx = app;
	sl_telemetry_register(fwd_cmds, SL_ARRAY_SIZE(fwd_cmds));
	sl_telemetry_drops_register("fwd", fwd_drops, app);
	r->app = app;
	r->t0_ns = r->last_ns = sl_time_ns();
	r->check_every_tsc = sl_tsc_hz() / 1000; /* stop conditions: every millisecond */
	r->last_check_tsc = sl_rdtsc();
	for (unsigned i = 0; i < app->nb_ports; i++) {
		uint16_t p = app->ports[i];

		sl_port_stats(p, &r->last[p]);
		r->shown[p] = r->run_port[p] = r->last[p];
		r->shown_ns[p] = r->t0_ns;
	}
}

void report_layout(const struct fwd_app *app)
{
	unsigned active = 0;

	for (unsigned i = 0; i < app->nb_streams; i++)
		active += app->streams[i].lcore != FWD_LCORE_RETIRED;
	printf("%s forwarding, %u port%s, %u stream%s, burst %u\n", app->mode->name, app->nb_ports,
	       app->nb_ports == 1 ? "" : "s", active, active == 1 ? "" : "s", app->burst);
	for (unsigned i = 0; i < app->nb_streams; i++) {
		const struct fwd_stream *s = &app->streams[i];

		if (s->lcore == FWD_LCORE_RETIRED)
			continue;
		if (s->rx_port == UINT16_MAX)
			printf("  stream %u: generate -> port %u queue %u on lcore %u\n", i, s->tx_port,
			       s->tx_queue, s->lcore);
		else
			printf("  stream %u: port %u queue %u -> port %u queue %u on lcore %u\n", i,
			       s->rx_port, s->rx_queue, s->tx_port, s->tx_queue, s->lcore);
	}
}

/* A stream belongs to its rx port (its tx port when it generates). */
static uint16_t owner_port(const struct fwd_stream *s)
{
	return s->rx_port == UINT16_MAX ? s->tx_port : s->rx_port;
}

/* t += the stream's counters (minus base, when given). */
static void add_stream(struct fwd_counts *t, const struct fwd_stream *s,
		       const struct fwd_counts *base)
{
	static const struct fwd_counts zero;

	if (base == NULL)
		base = &zero;
	t->rx += sl_counter_read(&s->rx_pkts) - base->rx;
	t->tx += sl_counter_read(&s->tx_pkts) - base->tx;
	t->generated += sl_counter_read(&s->generated) - base->generated;
	t->consumed += sl_counter_read(&s->consumed) - base->consumed;
	for (int d = 0; d < FWD_DROP_MAX; d++) {
		t->drops[d] += sl_counter_read(&s->drops[d]) - base->drops[d];
		t->dropped += sl_counter_read(&s->drops[d]) - base->drops[d];
	}
	for (int e = 0; e < FWD_MAX_EXTRA; e++)
		t->extra[e] += sl_counter_read(&s->extra[e]) - base->extra[e];
}

static void sum_streams(const struct fwd_app *app, int port, struct fwd_counts *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < app->nb_streams; i++)
		if (port < 0 || owner_port(&app->streams[i]) == port)
			add_stream(t, &app->streams[i], NULL);
}

static void print_drops(const uint64_t *drops, double secs)
{
	bool any = false;

	for (int d = 0; d < FWD_DROP_MAX; d++)
		if (drops[d]) {
			printf("%s %s %" PRIu64, any ? "," : "    drops:", fwd_drop_names[d], drops[d]);
			if (secs > 0)
				printf(" (%.0f/s)", (double)drops[d] / secs);
			any = true;
		}
	if (any)
		printf("\n");
}

static void periodic(struct report *r, uint64_t now)
{
	const struct fwd_app *app = r->app;
	double secs = (double)(now - r->last_ns) / 1e9;

	printf("[%6.1fs]\n", (double)(now - r->t0_ns) / 1e9);
	for (unsigned i = 0; i < app->nb_ports; i++) {
		uint16_t p = app->ports[i];
		struct sl_port_stats st, *prev = &r->last[p];
		struct sl_port_info info;

		sl_port_stats(p, &st);
		sl_port_info(p, &info);
		printf("  port %u %-14s rx %8.3f Mpps %8.3f Gbit/s   tx %8.3f Mpps %8.3f Gbit/s\n", p,
		       info.name, (double)(st.ipackets - prev->ipackets) / secs / 1e6,
		       (double)(st.ibytes - prev->ibytes) * 8 / secs / 1e9,
		       (double)(st.opackets - prev->opackets) / secs / 1e6,
		       (double)(st.obytes - prev->obytes) * 8 / secs / 1e9);
		*prev = st;
	}
	r->last_ns = now;
}

void report_tick(struct report *r)
{
	struct fwd_app *app = r->app;
	uint64_t tsc = sl_rdtsc(), now;
	struct fwd_counts t;

	if (tsc - r->last_check_tsc < r->check_every_tsc)
		return;
	r->last_check_tsc = tsc;
	now = sl_time_ns();
	if (app->duration > 0 && (double)(now - r->t0_ns) >= app->duration * 1e9)
		__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
	if (app->max_packets) {
		sum_streams(app, -1, &t);
		if ((app->mode->generates ? t.generated : t.rx) >= app->max_packets)
			__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
	}
	if (!app->json && app->stats_period > 0 &&
	    (double)(now - r->last_ns) >= app->stats_period * 1e9)
		periodic(r, now);
}

static void json_counters(const struct fwd_counts *t, const struct fwd_app *app)
{
	printf("\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64 ", \"generated\": %" PRIu64
	       ", \"consumed\": %" PRIu64 ", \"dropped\": %" PRIu64 ", \"drops\": {",
	       t->rx, t->tx, t->generated, t->consumed, t->dropped);
	for (int d = 0; d < FWD_DROP_MAX; d++)
		printf("%s\"%s\": %" PRIu64, d ? ", " : "", fwd_drop_names[d], t->drops[d]);
	printf("}");
	for (int e = 0; app->mode->extra_names && app->mode->extra_names[e]; e++)
		printf(", \"%s\": %" PRIu64, app->mode->extra_names[e], t->extra[e]);
}

int report_final(struct report *r)
{
	const struct fwd_app *app = r->app;
	double secs = (double)(sl_time_ns() - r->t0_ns) / 1e9;
	struct fwd_counts all;
	bool ok;

	sum_streams(app, -1, &all);
	ok = all.rx + all.generated == all.tx + all.dropped + all.consumed;
	if (app->json) {
		printf("{\"mode\": \"%s\", \"seconds\": %.3f, \"ports\": [", app->mode->name, secs);
		for (unsigned i = 0; i < app->nb_ports; i++) {
			uint16_t p = app->ports[i];
			struct sl_port_stats st;
			struct sl_port_info info;
			struct fwd_counts t;

			sl_port_stats(p, &st);
			sl_port_info(p, &info);
			sum_streams(app, p, &t);
			printf("%s{\"id\": %u, \"name\": \"%s\", \"port_rx_packets\": %" PRIu64
			       ", \"port_tx_packets\": %" PRIu64 ", \"port_rx_bytes\": %" PRIu64
			       ", \"port_tx_bytes\": %" PRIu64 ", \"rx_missed\": %" PRIu64
			       ", \"rx_nombuf\": %" PRIu64 ", \"rx_pps\": %.0f, \"tx_pps\": %.0f, ",
			       i ? ", " : "", p, info.name, st.ipackets, st.opackets, st.ibytes,
			       st.obytes, st.imissed, st.rx_nombuf, (double)st.ipackets / secs,
			       (double)st.opackets / secs);
			json_counters(&t, app);
			printf("}");
		}
		printf("], \"totals\": {");
		json_counters(&all, app);
		printf("}, \"accounting_ok\": %s}\n", ok ? "true" : "false");
		return ok ? 0 : 1;
	}
	printf("--- %s forwarding for %.2f s\n", app->mode->name, secs);
	for (unsigned i = 0; i < app->nb_ports; i++) {
		uint16_t p = app->ports[i];
		struct sl_port_stats st;
		struct sl_port_info info;
		struct fwd_counts t;

		sl_port_stats(p, &st);
		sl_port_info(p, &info);
		sum_streams(app, p, &t);
		printf("  port %u %s: rx %" PRIu64 " (%.3f Mpps), tx %" PRIu64 " (%.3f Mpps)", p,
		       info.name, st.ipackets, (double)st.ipackets / secs / 1e6, st.opackets,
		       (double)st.opackets / secs / 1e6);
		if (st.imissed || st.rx_nombuf || st.ierrors || st.oerrors)
			printf(", missed %" PRIu64 ", no buffer %" PRIu64 ", rx errors %" PRIu64
			       ", tx errors %" PRIu64,
			       st.imissed, st.rx_nombuf, st.ierrors, st.oerrors);
		printf("\n");
		print_drops(t.drops, 0);
		for (int e = 0; app->mode->extra_names && app->mode->extra_names[e]; e++)
			if (t.extra[e])
				printf("    %s: %" PRIu64 "\n", app->mode->extra_names[e], t.extra[e]);
	}
	printf("  received %" PRIu64 " + generated %" PRIu64 " = sent %" PRIu64 " + dropped %" PRIu64
	       " + consumed %" PRIu64 ": %s\n",
	       all.rx, all.generated, all.tx, all.dropped, all.consumed,
	       ok ? "every packet accounted for" : "MISMATCH");
	return ok ? 0 : 1;
}

void report_free(struct report *r)
{
	sl_telemetry_drops_unregister("fwd");
	sl_telemetry_unregister(fwd_cmds, SL_ARRAY_SIZE(fwd_cmds));
	free(r->run_base);
	r->run_base = NULL;
	r->run_base_n = 0;
}

/* --- testpmd-shaped blocks (the prompt) --- */

int report_run_begin(struct report *r)
{
	const struct fwd_app *app = r->app;

	if (r->run_base_n != app->nb_streams) {
		struct fwd_counts *b = realloc(r->run_base, sizeof(*b) * app->nb_streams);

		if (b == NULL)
			return -ENOMEM;
		r->run_base = b;
		r->run_base_n = app->nb_streams;
	}
	for (unsigned i = 0; i < app->nb_streams; i++) {
		memset(&r->run_base[i], 0, sizeof(r->run_base[i]));
		add_stream(&r->run_base[i], &app->streams[i], NULL);
	}
	for (unsigned i = 0; i < app->nb_ports; i++)
		sl_port_stats(app->ports[i], &r->run_port[app->ports[i]]);
	r->run_base_moving = app->running;
	return 0;
}

/* cur - base, or cur when the counter was cleared in between. */
static uint64_t since(uint64_t cur, uint64_t base)
{
	return cur >= base ? cur - base : cur;
}

#define FWD_BORDER "----------------------"
#define ACC_BORDER "+++++++++++++++"
#define NIC_BORDER "########################"

int report_fwd_stats(struct report *r)
{
	const struct fwd_app *app = r->app;
	uint64_t rx_all = 0, missed_all = 0, tx_all = 0, txdrop_all = 0, nombuf_all = 0;
	struct fwd_counts all = {0};
	bool ok;

	for (unsigned i = 0; i < app->nb_ports; i++) {
		uint16_t p = app->ports[i];
		struct fwd_counts own = {0}, rx = {0}, tx = {0};
		struct sl_port_stats st;
		uint64_t missed, txdrop;

		for (unsigned k = 0; k < app->nb_streams; k++) {
			const struct fwd_stream *s = &app->streams[k];
			const struct fwd_counts *b = k < r->run_base_n ? &r->run_base[k] : NULL;

			if (s->rx_port == p)
				add_stream(&rx, s, b);
			if (s->tx_port == p)
				add_stream(&tx, s, b);
			if (owner_port(s) == p)
				add_stream(&own, s, b);
		}
		sl_port_stats(p, &st);
		missed = since(st.imissed, r->run_port[p].imissed);
		txdrop = tx.drops[FWD_DROP_TX_FULL] + tx.drops[FWD_DROP_NO_BUF];
		printf("\n  %s Forward statistics for port %-2d %s\n", FWD_BORDER, p, FWD_BORDER);
		printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 "RX-total: %" PRIu64
		       "\n",
		       rx.rx, missed, rx.rx + missed);
		if (st.ierrors + st.rx_nombuf > 0) {
			printf("  RX-error: %" PRIu64 "\n",
			       since(st.ierrors, r->run_port[p].ierrors));
			printf("  RX-nombufs: %-14" PRIu64 "\n",
			       since(st.rx_nombuf, r->run_port[p].rx_nombuf));
		}
		printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 "TX-total: %" PRIu64
		       "\n",
		       tx.tx, txdrop, tx.tx + txdrop);
		print_drops(own.drops, 0);
		for (int e = 0; app->mode->extra_names && app->mode->extra_names[e]; e++)
			if (own.extra[e])
				printf("    %s: %" PRIu64 "\n", app->mode->extra_names[e],
				       own.extra[e]);
		printf("  %s--------------------------------%s\n", FWD_BORDER, FWD_BORDER);
		rx_all += rx.rx;
		missed_all += missed;
		tx_all += tx.tx;
		txdrop_all += txdrop;
		nombuf_all += since(st.rx_nombuf, r->run_port[p].rx_nombuf);
	}
	for (unsigned k = 0; k < app->nb_streams; k++)
		add_stream(&all, &app->streams[k], k < r->run_base_n ? &r->run_base[k] : NULL);
	printf("\n  %s Accumulated forward statistics for all ports%s\n", ACC_BORDER, ACC_BORDER);
	printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 "RX-total: %" PRIu64 "\n"
	       "  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 "TX-total: %" PRIu64 "\n",
	       rx_all, missed_all, rx_all + missed_all, tx_all, txdrop_all, tx_all + txdrop_all);
	if (nombuf_all > 0)
		printf("  RX-nombufs: %-14" PRIu64 "\n", nombuf_all);
	printf("  %s++++++++++++++++++++++++++++++++++++++++++++++%s\n", ACC_BORDER, ACC_BORDER);
	/* The workers move the counters while they are read: the balance holds between two
	 * stopped moments. */
	if (app->running)
		return 0;
	if (r->run_base_moving) {
		printf("  (counted from a 'clear fwd stats' while forwarding: no balance to check)\n");
		return 0;
	}
	ok = all.rx + all.generated == all.tx + all.dropped + all.consumed;
	printf("  received %" PRIu64 " + generated %" PRIu64 " = sent %" PRIu64
	       " + dropped %" PRIu64 " + consumed %" PRIu64 ": %s\n",
	       all.rx, all.generated, all.tx, all.dropped, all.consumed,
	       ok ? "every packet accounted for" : "MISMATCH");
	return ok ? 0 : 1;
}

void report_nic_stats(struct report *r, uint16_t port)
{
	struct sl_port_stats st, *prev = &r->shown[port];
	uint64_t now = sl_time_ns();
	double secs = (double)(now - r->shown_ns[port]) / 1e9;

	sl_port_stats(port, &st);
	if (secs <= 0)
		secs = 1e-9;
	printf("\n  %s NIC statistics for port %-2d %s\n", NIC_BORDER, port, NIC_BORDER);
	printf("  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %" PRIu64 "\n",
	       st.ipackets, st.imissed, st.ibytes);
	printf("  RX-errors: %" PRIu64 "\n", st.ierrors);
	printf("  RX-nombuf:  %-10" PRIu64 "\n", st.rx_nombuf);
	printf("  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %" PRIu64 "\n",
	       st.opackets, st.oerrors, st.obytes);
	printf("\n  Throughput (since last show)\n");
	printf("  Rx-pps: %12.0f          Rx-bps: %12.0f\n"
	       "  Tx-pps: %12.0f          Tx-bps: %12.0f\n",
	       (double)since(st.ipackets, prev->ipackets) / secs,
	       (double)since(st.ibytes, prev->ibytes) * 8 / secs,
	       (double)since(st.opackets, prev->opackets) / secs,
	       (double)since(st.obytes, prev->obytes) * 8 / secs);
	printf("  %s############################%s\n", NIC_BORDER, NIC_BORDER);
	*prev = st;
	r->shown_ns[port] = now;
}

void report_nic_stats_clear(struct report *r, uint16_t port)
{
	sl_port_stats_reset(port);
	sl_port_stats(port, &r->shown[port]);
	r->shown_ns[port] = sl_time_ns();
	printf("\n  NIC statistics for port %d cleared\n", port);
}

void report_port_info(const struct fwd_app *app, uint16_t port)
{
	static const struct {
		uint64_t type;
		const char *name;
	} rss_names[] = {
		{SL_PORT_RSS_IPV4, "ipv4"},	    {SL_PORT_RSS_IPV4_TCP, "ipv4-tcp"},
		{SL_PORT_RSS_IPV4_UDP, "ipv4-udp"}, {SL_PORT_RSS_IPV6, "ipv6"},
		{SL_PORT_RSS_IPV6_TCP, "ipv6-tcp"}, {SL_PORT_RSS_IPV6_UDP, "ipv6-udp"},
	};
	const struct sl_port_conf *conf = &app->port_conf[port];
	struct sl_port_info info;
	struct sl_port_link link = {0};
	uint8_t mac[6] = {0};
	uint16_t mtu = 0;

	sl_port_info(port, &info);
	sl_port_link(port, &link);
	sl_port_mac(port, mac);
	sl_port_mtu(port, &mtu);
	printf("\n********************* Infos for port %-2d *********************\n", port);
	printf("MAC address: %02X:%02X:%02X:%02X:%02X:%02X\n", mac[0], mac[1], mac[2], mac[3],
	       mac[4], mac[5]);
	printf("Device name: %s\n", info.name);
	printf("Driver name: %s\n", info.driver);
	if (info.if_name)
		printf("Interface: %s\n", info.if_name);
	printf("Connect to socket: %d\n", info.node);
	printf("Link status: %s\n", link.up ? "up" : "down");
	if (link.speed_mbps)
		printf("Link speed: %u Mbps\n", link.speed_mbps);
	else
		printf("Link speed: Unknown\n");
	printf("Link duplex: %s\n", link.full_duplex ? "full-duplex" : "half-duplex");
	printf("MTU: %u\n", mtu);
	printf("Redirection table size: %u\n", info.reta_size);
	printf("Supported RSS offload flow types:\n ");
	for (size_t i = 0; i < SL_ARRAY_SIZE(rss_names); i++)
		if (info.rss_types & rss_names[i].type)
			printf(" %s", rss_names[i].name);
	printf("\nRSS on (types): ");
	if (conf->rss_types == 0)
		printf("none");
	for (size_t i = 0; i < SL_ARRAY_SIZE(rss_names); i++)
		if (conf->rss_types & rss_names[i].type)
			printf(" %s", rss_names[i].name);
	printf("\nMinimum MTU: %u\nMaximum MTU: %u\n", info.min_mtu, info.max_mtu);
	printf("Maximum configurable length of RX packet: %u\n", info.max_rx_pktlen);
	printf("Current number of RX queues: %u\n", conf->nb_rxq);
	printf("Max possible RX queues: %u\n", info.max_rxq);
	printf("Current number of TX queues: %u\n", conf->nb_txq);
	printf("Max possible TX queues: %u\n", info.max_txq);
}
