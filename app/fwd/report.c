/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

void report_start(struct report *r, struct fwd_app *app)
{
	memset(r, 0, sizeof(*r));
	r->app = app;
	r->t0_ns = r->last_ns = sl_time_ns();
	r->check_every_tsc = sl_tsc_hz() / 1000; /* stop conditions: every millisecond */
	r->last_check_tsc = sl_rdtsc();
	for (unsigned i = 0; i < app->nb_ports; i++)
		sl_port_stats(app->ports[i], &r->last[app->ports[i]]);
}

void report_layout(const struct fwd_app *app)
{
	printf("%s forwarding, %u port%s, %u stream%s, burst %u\n", app->mode->name, app->nb_ports,
	       app->nb_ports == 1 ? "" : "s", app->nb_streams, app->nb_streams == 1 ? "" : "s",
	       app->burst);
	for (unsigned i = 0; i < app->nb_streams; i++) {
		const struct fwd_stream *s = &app->streams[i];

		if (s->rx_port == UINT16_MAX)
			printf("  stream %u: generate -> port %u queue %u on lcore %u\n", i, s->tx_port,
			       s->tx_queue, s->lcore);
		else
			printf("  stream %u: port %u queue %u -> port %u queue %u on lcore %u\n", i,
			       s->rx_port, s->rx_queue, s->tx_port, s->tx_queue, s->lcore);
	}
}

struct totals {
	uint64_t rx, rx_bytes, tx, tx_bytes, generated, consumed, dropped;
	uint64_t drops[FWD_DROP_MAX];
	uint64_t extra[FWD_MAX_EXTRA];
};

static void sum_streams(const struct fwd_app *app, int port, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < app->nb_streams; i++) {
		const struct fwd_stream *s = &app->streams[i];

		/* A stream belongs to its rx port (its tx port when it generates). */
		if (port >= 0 && (s->rx_port == UINT16_MAX ? s->tx_port : s->rx_port) != port)
			continue;
		t->rx += sl_counter_read(&s->rx_pkts);
		t->rx_bytes += sl_counter_read(&s->rx_bytes);
		t->tx += sl_counter_read(&s->tx_pkts);
		t->tx_bytes += sl_counter_read(&s->tx_bytes);
		t->generated += sl_counter_read(&s->generated);
		t->consumed += sl_counter_read(&s->consumed);
		for (int d = 0; d < FWD_DROP_MAX; d++) {
			t->drops[d] += sl_counter_read(&s->drops[d]);
			t->dropped += sl_counter_read(&s->drops[d]);
		}
		for (int e = 0; e < FWD_MAX_EXTRA; e++)
			t->extra[e] += sl_counter_read(&s->extra[e]);
	}
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
	struct totals t;

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

static void json_counters(const struct totals *t, const struct fwd_app *app)
{
	printf("\"rx_packets\": %" PRIu64 ", \"rx_bytes\": %" PRIu64 ", \"tx_packets\": %" PRIu64
	       ", \"tx_bytes\": %" PRIu64 ", \"generated\": %" PRIu64 ", \"consumed\": %" PRIu64
	       ", \"dropped\": %" PRIu64 ", \"drops\": {",
	       t->rx, t->rx_bytes, t->tx, t->tx_bytes, t->generated, t->consumed, t->dropped);
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
	struct totals all;
	bool ok;

	sum_streams(app, -1, &all);
	ok = all.rx + all.generated == all.tx + all.dropped + all.consumed;
	if (app->json) {
		printf("{\"mode\": \"%s\", \"seconds\": %.3f, \"ports\": [", app->mode->name, secs);
		for (unsigned i = 0; i < app->nb_ports; i++) {
			uint16_t p = app->ports[i];
			struct sl_port_stats st;
			struct sl_port_info info;
			struct totals t;

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
		struct totals t;

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
