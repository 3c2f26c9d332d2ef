/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-fwd [runtime options] [-- forwarder options]
 *
 * Sets up the ports given with --vdev (two built-in null ports when none are given),
 * makes one stream per rx queue towards the peer port, spreads the streams over the worker
 * lcores, and reports rates until stopped by a signal, --duration or --packets.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwd.h"
#include "report.h"

static const struct fwd_mode *const modes[] = {
	&fwd_mode_io,     &fwd_mode_mac,    &fwd_mode_macswap, &fwd_mode_rxonly,
	&fwd_mode_txonly, &fwd_mode_flowgen, &fwd_mode_csum,
};

const char *const fwd_drop_names[FWD_DROP_MAX] = {
	[FWD_DROP_TX_FULL] = "tx_full",
	[FWD_DROP_RUNT] = "runt",
	[FWD_DROP_NO_BUF] = "no_buffer",
	[FWD_DROP_STOPPED] = "drained_at_stop",
};

static struct fwd_app app = {
	.nb_rxq = 1,
	.nb_txq = 1,
	.nb_desc = 1024,
	.burst = 32,
	.stats_period = 1.0,
	.pkt_size = 64,
	.flows = 1024,
};

static struct {
	uint16_t port, queue;
	uint32_t lcore;
} maps[FWD_MAX_STREAMS];
static unsigned nb_maps;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sluice-fwd [runtime options] [-- forwarder options]\n"
		"Forwarder options:\n"
		"  --forward-mode MODE   (or --mode) one of:\n");
	for (size_t i = 0; i < SL_ARRAY_SIZE(modes); i++)
		fprintf(out, "      %-9s %s\n", modes[i]->name, modes[i]->help);
	fprintf(out,
		"  --ports LIST          port ids to use, e.g. 0,1 (default: all); pairs forward to\n"
		"                        each other: 0<->1, 2<->3; an odd last one to itself\n"
		"  --rxq N, --txq N      queues per port (default 1)\n"
		"  --rxd N, --txd N      descriptors per queue (default 1024)\n"
		"  --burst N             packets per burst (default 32, at most %d)\n"
		"  --map P:Q@LCORE       run the stream of port P rx queue Q on LCORE (repeatable;\n"
		"                        default: streams spread over the worker lcores in turn)\n"
		"  --eth-peer P,MAC      destination MAC for packets sent on port P (mac, txonly)\n"
		"  --txpkts BYTES        generated frame size, 60-9018 (default 64)\n"
		"  --flows N             flowgen: distinct flows (default 1024)\n"
		"  --rate PPS            txonly/flowgen: total packets per second (default: no limit)\n"
		"  --tx-retry N          tx attempts before a full queue counts as a drop (default 0)\n"
		"  --duration SEC        stop after SEC seconds (default: at SIGINT/SIGTERM)\n"
		"  --packets N           stop after N packets received (generated, for txonly)\n"
		"  --stats-period SEC    report every SEC seconds (default 1; 0 = only at the end)\n"
		"  --tx-first            send one generated burst on every stream before forwarding\n"
		"                        (ports that loop back, like net_ring, then have traffic)\n"
		"  --json                print the final report as JSON on stdout\n"
		"  --help                this help; runtime options: sluice-fwd --help-runtime\n"
		"Drivers:\n",
		FWD_MAX_BURST);
	sl_port_drivers_dump(out);
}

static int parse_uint(const char *opt, const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 0);

	if (*v == '\0' || *v == '-' || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "sluice-fwd: %s %s: expected a number from %" PRIu64 " to %" PRIu64 "\n",
			opt, v, min, max);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

static int parse_double(const char *opt, const char *v, double *out)
{
	char *end;
	double d = strtod(v, &end);

	if (*v == '\0' || *end != '\0' || d < 0) {
		fprintf(stderr, "sluice-fwd: %s %s: expected a number of seconds\n", opt, v);
		return -EINVAL;
	}
	*out = d;
	return 0;
}

static uint16_t selected_ports[SL_PORT_MAX];
static unsigned nb_selected;

static int parse_ports(const char *v)
{
	char buf[256], *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint64_t id;

		if (nb_selected == SL_PORT_MAX || parse_uint("--ports", t, 0, SL_PORT_MAX - 1, &id))
			return -EINVAL;
		selected_ports[nb_selected++] = (uint16_t)id;
	}
	return 0;
}

static struct {
	uint16_t port;
	struct sl_ether_addr mac;
} peers[SL_PORT_MAX];
static unsigned nb_peers;

enum {
	O_MODE = 256, O_PORTS, O_RXQ, O_TXQ, O_RXD, O_TXD, O_BURST, O_MAP, O_PEER, O_TXPKTS,
	O_FLOWS, O_RATE, O_RETRY, O_DURATION, O_PACKETS, O_PERIOD, O_JSON, O_HELP, O_HELP_RT,
	O_TX_FIRST,
};

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{"forward-mode", required_argument, NULL, O_MODE},
		{"mode", required_argument, NULL, O_MODE},
		{"ports", required_argument, NULL, O_PORTS},
		{"rxq", required_argument, NULL, O_RXQ},
		{"txq", required_argument, NULL, O_TXQ},
		{"rxd", required_argument, NULL, O_RXD},
		{"txd", required_argument, NULL, O_TXD},
		{"burst", required_argument, NULL, O_BURST},
		{"map", required_argument, NULL, O_MAP},
		{"eth-peer", required_argument, NULL, O_PEER},
		{"txpkts", required_argument, NULL, O_TXPKTS},
		{"flows", required_argument, NULL, O_FLOWS},
		{"rate", required_argument, NULL, O_RATE},
		{"tx-retry", required_argument, NULL, O_RETRY},
		{"duration", required_argument, NULL, O_DURATION},
		{"packets", required_argument, NULL, O_PACKETS},
		{"stats-period", required_argument, NULL, O_PERIOD},
		{"json", no_argument, NULL, O_JSON},
		{"tx-first", no_argument, NULL, O_TX_FIRST},
		{"help", no_argument, NULL, O_HELP},
		{"help-runtime", no_argument, NULL, O_HELP_RT},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int opt, rc = 0;

	app.mode = &fwd_mode_io;
	optind = 0;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_MODE:
			app.mode = NULL;
			for (size_t i = 0; i < SL_ARRAY_SIZE(modes); i++)
				if (strcmp(optarg, modes[i]->name) == 0)
					app.mode = modes[i];
			if (app.mode == NULL) {
				fprintf(stderr, "sluice-fwd: unknown mode '%s'; see --help\n", optarg);
				rc = -EINVAL;
			}
			break;
		case O_PORTS:
			rc = parse_ports(optarg);
			break;
		case O_RXQ:
		case O_TXQ:
			rc = parse_uint(opt == O_RXQ ? "--rxq" : "--txq", optarg, 1, SL_PORT_MAX_QUEUES, &v);
			*(opt == O_RXQ ? &app.nb_rxq : &app.nb_txq) = (uint16_t)v;
			break;
		case O_RXD:
		case O_TXD:
			rc = parse_uint("--rxd/--txd", optarg, 32, 32768, &v);
			app.nb_desc = (uint16_t)v;
			break;
		case O_BURST:
			rc = parse_uint("--burst", optarg, 1, FWD_MAX_BURST, &v);
			app.burst = (uint16_t)v;
			break;
		case O_MAP: {
			unsigned p, q, l;
			int used = 0;

			if (nb_maps == FWD_MAX_STREAMS ||
			    sscanf(optarg, "%u:%u@%u%n", &p, &q, &l, &used) != 3 ||
			    optarg[used] != '\0' || p >= SL_PORT_MAX || q >= SL_PORT_MAX_QUEUES) {
				fprintf(stderr, "sluice-fwd: --map %s: expected PORT:QUEUE@LCORE\n", optarg);
				rc = -EINVAL;
				break;
			}
			maps[nb_maps].port = (uint16_t)p;
			maps[nb_maps].queue = (uint16_t)q;
			maps[nb_maps].lcore = l;
			nb_maps++;
			break;
		}
		case O_PEER: {
			char *comma = strchr(optarg, ',');

			if (nb_peers == SL_PORT_MAX || comma == NULL ||
			    parse_uint("--eth-peer", strndupa(optarg, (size_t)(comma - optarg)), 0,
				       SL_PORT_MAX - 1, &v) ||
			    sl_ether_addr_parse(comma + 1, &peers[nb_peers].mac) < 0) {
				fprintf(stderr, "sluice-fwd: --eth-peer %s: expected PORT,MAC\n", optarg);
				rc = -EINVAL;
				break;
			}
			peers[nb_peers++].port = (uint16_t)v;
			break;
		}
		case O_TXPKTS:
			rc = parse_uint("--txpkts", optarg, 60, 9018, &v);
			app.pkt_size = (uint32_t)v;
			break;
		case O_FLOWS:
			rc = parse_uint("--flows", optarg, 1, 1u << 24, &v);
			app.flows = (uint32_t)v;
			break;
		case O_RATE:
			rc = parse_uint("--rate", optarg, 1, UINT32_MAX, &app.rate_pps);
			break;
		case O_RETRY:
			rc = parse_uint("--tx-retry", optarg, 0, 1000, &v);
			app.tx_retry = (unsigned)v;
			break;
		case O_DURATION:
			rc = parse_double("--duration", optarg, &app.duration);
			break;
		case O_PACKETS:
			rc = parse_uint("--packets", optarg, 1, UINT64_MAX, &app.max_packets);
			break;
		case O_PERIOD:
			rc = parse_double("--stats-period", optarg, &app.stats_period);
			break;
		case O_JSON:
			app.json = true;
			break;
		case O_TX_FIRST:
			app.tx_first = true;
			break;
		case O_HELP:
			usage(stdout);
			return 1;
		case O_HELP_RT:
			sl_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "sluice-fwd: unknown option '%s'; see --help\n", argv[optind - 1]);
			rc = -EINVAL;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "sluice-fwd: unexpected argument '%s'; see --help\n", argv[optind]);
		rc = -EINVAL;
	}
	return rc;
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&app.stop, 1, __ATOMIC_RELAXED);
}

/* Ports, peers and MACs. */
static int choose_ports(void)
{
	int p;

	if (sl_port_count() == 0) {
		fprintf(stderr, "sluice-fwd: no ports given: using two built-in null ports "
				"(--vdev net_null0 --vdev net_null1)\n");
		if (sl_port_create("net_null0") < 0 || sl_port_create("net_null1") < 0)
			return -ENODEV;
	}
	if (nb_selected == 0) {
		SL_PORT_FOREACH(p)
			app.ports[app.nb_ports++] = (uint16_t)p;
	} else {
		for (unsigned i = 0; i < nb_selected; i++) {
			struct sl_port_info info;

			if (sl_port_info(selected_ports[i], &info) < 0) {
				fprintf(stderr, "sluice-fwd: --ports: port %u does not exist (%u ports)\n",
					selected_ports[i], sl_port_count());
				return -ENODEV;
			}
			app.ports[app.nb_ports++] = selected_ports[i];
		}
	}
	for (unsigned i = 0; i < app.nb_ports; i++) {
		unsigned peer_idx = (i % 2 == 0) ? (i + 1 < app.nb_ports ? i + 1 : i) : i - 1;
		uint16_t port = app.ports[i];

		app.peer[port] = app.ports[peer_idx];
		/* Default destination: the peer port's own MAC. */
		sl_port_mac(app.peer[port], app.peer_mac[port].bytes);
	}
	for (unsigned i = 0; i < nb_peers; i++)
		app.peer_mac[peers[i].port] = peers[i].mac;
	return 0;
}

static int setup_ports(void)
{
	unsigned lcores = sl_lcore_count();
	unsigned nbufs = app.nb_ports * (app.nb_rxq + app.nb_txq) * app.nb_desc +
			 lcores * (256 + app.burst) + 1024;

	nbufs = sl_pow2_ceil(nbufs) - 1;
	app.pool = sl_pktbuf_pool_create("fwd_pkts", nbufs, 256, 0,
					 SL_PKTBUF_HEADROOM + SL_MAX(2048u, app.pkt_size), SL_NODE_ANY);
	if (app.pool == NULL) {
		fprintf(stderr, "sluice-fwd: cannot create a pool of %u packet buffers: %s\n", nbufs,
			strerror(errno));
		return -ENOMEM;
	}
	for (unsigned i = 0; i < app.nb_ports; i++) {
		uint16_t port = app.ports[i];
		struct sl_port_conf conf = {.nb_rxq = app.mode->generates ? 0 : app.nb_rxq,
					    .nb_txq = app.nb_txq};
		struct sl_port_info info;
		int rc;

		sl_port_info(port, &info);
		if (app.mode->generates && info.max_rxq) {
			conf.nb_rxq = 1; /* keep rx working (counted) on generating ports */
			app.gen_rxq[port] = true;
		}
		rc = sl_port_configure(port, &conf);
		for (uint16_t q = 0; rc == 0 && q < conf.nb_rxq; q++)
			rc = sl_port_rxq_setup(port, q, app.nb_desc, info.node, app.pool);
		for (uint16_t q = 0; rc == 0 && q < conf.nb_txq; q++)
			rc = sl_port_txq_setup(port, q, app.nb_desc, info.node);
		if (rc == 0)
			rc = sl_port_start(port);
		if (rc < 0) {
			fprintf(stderr, "sluice-fwd: port %u (%s) failed to start: %s\n", port, info.name,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int setup_streams(void)
{
	unsigned per_port = app.mode->generates ? app.nb_txq : app.nb_rxq;
	uint32_t lcore = SL_LCORE_ANY;
	unsigned nb_gen = 0;

	app.nb_streams = app.nb_ports * per_port;
	app.streams = sl_malloc(sizeof(struct fwd_stream) * app.nb_streams, 0, SL_NODE_ANY);
	if (app.streams == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < app.nb_ports; i++)
		for (uint16_t q = 0; q < per_port; q++) {
			struct fwd_stream *s = &app.streams[i * per_port + q];
			uint16_t port = app.ports[i];

			s->app = &app;
			s->burst = app.burst;
			s->budget = UINT64_MAX;
			if (app.mode->generates) {
				s->rx_port = UINT16_MAX;
				s->tx_port = port;
				s->tx_queue = q;
				nb_gen++;
			} else {
				s->rx_port = port;
				s->rx_queue = q;
				s->tx_port = app.peer[port];
				s->tx_queue = (uint16_t)(q % app.nb_txq);
			}
			/* Workers in turn; the main lcore only when there is no worker. */
			lcore = sl_lcore_next(lcore, true);
			if (lcore == SL_LCORE_ANY)
				lcore = sl_lcore_next(SL_LCORE_ANY, true);
			s->lcore = lcore == SL_LCORE_ANY ? sl_lcore_main() : lcore;
			for (unsigned m = 0; m < nb_maps; m++)
				if (maps[m].port == port && maps[m].queue == q) {
					if (!sl_lcore_is_enabled(maps[m].lcore)) {
						fprintf(stderr, "sluice-fwd: --map %u:%u@%u: lcore %u is not in the core list\n",
							port, q, maps[m].lcore, maps[m].lcore);
						return -EINVAL;
					}
					s->lcore = maps[m].lcore;
				}
		}
	/* Generators split the packet budget and the rate exactly. */
	for (unsigned i = 0; app.mode->generates && i < app.nb_streams; i++) {
		struct fwd_stream *s = &app.streams[i];

		if (app.max_packets)
			s->budget = app.max_packets / nb_gen + (i < app.max_packets % nb_gen);
		if (app.rate_pps)
			s->tsc_per_pkt = SL_MAX(1, sl_tsc_hz() * nb_gen / app.rate_pps);
		s->next_tsc = sl_rdtsc();
	}
	return 0;
}

/* --tx-first: one burst of generated packets on every forwarding stream, counted as
 * generated (so received + generated = sent + dropped still holds). */
static int tx_first(void)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];

	if (!app.tx_first || app.mode->generates)
		return 0;
	fwd_build_template(&app, app.ports[0]);
	for (unsigned i = 0; i < app.nb_streams; i++) {
		struct fwd_stream *s = &app.streams[i];
		uint16_t n = fwd_gen_alloc(s, pkts);

		if (n)
			fwd_send(s, pkts, n);
	}
	return 0;
}

/* Runs every stream of the calling lcore until the app stops. */
static int lcore_loop(void *arg)
{
	struct fwd_stream *mine[FWD_MAX_STREAMS];
	uint32_t self = sl_lcore_id();
	unsigned n = 0;

	(void)arg;
	for (unsigned i = 0; i < app.nb_streams; i++)
		if (app.streams[i].lcore == self)
			mine[n++] = &app.streams[i];
	if (n == 0)
		return 0;
	while (!fwd_stopping(&app))
		for (unsigned i = 0; i < n; i++)
			app.mode->burst(mine[i]);
	return 0;
}

static bool main_has_streams(void)
{
	for (unsigned i = 0; i < app.nb_streams; i++)
		if (app.streams[i].lcore == sl_lcore_main())
			return true;
	return false;
}

/*
 * Frees what is still queued on the rx side (ring ports keep packets in flight), counted
 * as drained, so the totals add up.  It stops once every buffer is back in the pool, when a
 * round receives nothing, or after a pool's worth: a null or live port never runs dry.
 */
static void drain(void)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	unsigned budget = sl_pool_avail(app.pool) + sl_pool_in_use(app.pool);
	bool progress = true;

	while (progress && budget > 0 && sl_pool_in_use(app.pool) > 0) {
		progress = false;
		for (unsigned i = 0; i < app.nb_streams && budget > 0; i++) {
			struct fwd_stream *s = &app.streams[i];
			uint16_t n;

			uint16_t port = s->rx_port, queue = s->rx_queue;

			/* Generating streams never receive, but their port's rx queue 0 may hold
			 * packets (a ring port looping back). */
			if (port == UINT16_MAX) {
				if (s->tx_queue != 0 || !app.gen_rxq[s->tx_port])
					continue;
				port = s->tx_port;
				queue = 0;
			}
			if (sl_pool_in_use(app.pool) == 0)
				break;
			n = sl_port_rx_burst(port, queue, pkts, s->burst);
			if (n == 0)
				continue;
			sl_counter_add(&s->rx_pkts, n);
			sl_counter_add(&s->rx_bytes, fwd_bytes(pkts, n));
			progress = true;
			budget = n < budget ? budget - n : 0;
			sl_counter_add(&s->drops[FWD_DROP_STOPPED], n);
			sl_pktbuf_free_bulk(pkts, n);
		}
	}
}

int main(int argc, char **argv)
{
	struct report rep;
	uint32_t lcore;
	int n, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = sl_init(argc, argv);
	if (n == -ECANCELED) {
		usage(stdout);
		return 0;
	}
	if (n < 0)
		return 1;
	argc -= n;
	argv += n;
	rc = parse_args(argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (sl_port_create_vdevs() < 0 || choose_ports() < 0 || setup_ports() < 0 ||
	    (app.mode->init && app.mode->init(&app) < 0) || setup_streams() < 0 || tx_first() < 0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	report_start(&rep, &app);
	if (!app.json)
		report_layout(&app);
	SL_LCORE_FOREACH_WORKER(lcore)
		sl_lcore_launch(lcore, lcore_loop, NULL);
	if (main_has_streams()) {
		/* One core: forward here and look at the clock between rounds. */
		while (!fwd_stopping(&app)) {
			for (unsigned i = 0; i < app.nb_streams; i++)
				if (app.streams[i].lcore == sl_lcore_main())
					app.mode->burst(&app.streams[i]);
			report_tick(&rep);
		}
	} else {
		/* Sleep, not spin: the workers (or a peer process) may need this core. */
		while (!fwd_stopping(&app)) {
			usleep(1000);
			report_tick(&rep);
		}
	}
	sl_lcore_wait_all();
	drain();
	rc = report_final(&rep);
	sl_port_close_all();
	SL_LCORE_FOREACH(lcore)
		sl_pool_cache_flush(app.pool, lcore);
	if (sl_pool_in_use(app.pool) != 0) {
		fprintf(stderr, "sluice-fwd: %u packet buffers were not returned to the pool\n",
			sl_pool_in_use(app.pool));
		rc = 1;
	}
	sl_free(app.streams);
	sl_pool_free(app.pool);
	sl_cleanup();
	return rc;
}
