/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-fwd [runtime options] [-- forwarder options]
 *
 * Sets up the ports given with --vdev (two built-in null ports when none are given),
 * makes one stream per rx queue towards the peer port, spreads the streams over the worker
 * lcores, and reports rates until stopped by a signal, --duration or --packets.  With -i,
 * testpmd's prompt starts and stops the workers instead (prompt.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwd.h"
#include "options.h"
#include "prompt.h"
#include "report.h"

const char *const fwd_drop_names[FWD_DROP_MAX] = {
	[FWD_DROP_TX_FULL] = "tx_full",
	[FWD_DROP_RUNT] = "runt",
	[FWD_DROP_NO_BUF] = "no_buffer",
	[FWD_DROP_STOPPED] = "drained_at_stop",
};

static struct fwd_app app = {
	.nb_rxq = 1,
	.nb_txq = 1,
	.nb_rxd = 1024,
	.nb_txd = 1024,
	.burst = 32,
	.stats_period = 1.0,
	.pkt_size = 64,
	.flows = 1024,
};

static struct fwd_opts opts;

/* The lcores streams are dealt to (--coremask, --nb-cores; default every worker). */
static uint32_t fwd_lcores[SL_MAX_LCORE];
static unsigned nb_fwd_lcores;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&app.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&app.quit, 1, __ATOMIC_RELAXED);
}

/* Ports, peers and MACs. */
static int choose_ports(void)
{
	unsigned nb;
	int p;

	if (sl_port_count() == 0) {
		fprintf(stderr, "sluice-fwd: no ports given: using two built-in null ports "
				"(--vdev net_null0 --vdev net_null1)\n");
		if (sl_port_create("net_null0") < 0 || sl_port_create("net_null1") < 0)
			return -ENODEV;
	}
	if (opts.nb_ports == 0) {
		SL_PORT_FOREACH(p)
			app.ports[app.nb_ports++] = (uint16_t)p;
	} else {
		for (unsigned i = 0; i < opts.nb_ports; i++) {
			struct sl_port_info info;

			if (sl_port_info(opts.ports[i], &info) < 0) {
				fprintf(stderr,
					"sluice-fwd: --ports/--portmask: port %u does not exist (%u ports)\n",
					opts.ports[i], sl_port_count());
				return -ENODEV;
			}
			app.ports[app.nb_ports++] = opts.ports[i];
		}
	}
	if (opts.max_ports && opts.max_ports < app.nb_ports)
		app.nb_ports = opts.max_ports;
	nb = app.nb_ports;
	for (unsigned i = 0; i < nb; i++) {
		unsigned peer_idx;
		uint16_t port = app.ports[i];

		if (opts.topology == FWD_TOPO_LOOP)
			peer_idx = i;
		else if (opts.topology == FWD_TOPO_CHAINED)
			peer_idx = (i + 1) % nb;
		else
			peer_idx = (i % 2 == 0) ? (i + 1 < nb ? i + 1 : i) : i - 1;
		app.peer[port] = app.ports[peer_idx];
		sl_port_mac(port, app.port_mac[port].bytes);
		/* Default destination: the peer port's own MAC. */
		sl_port_mac(app.peer[port], app.peer_mac[port].bytes);
	}
	for (unsigned i = 0; i < opts.nb_peers; i++)
		app.peer_mac[opts.peers[i].port] = opts.peers[i].mac;
	return 0;
}

/* --coremask and --nb-cores: which lcores forward.  Without a worker, the main one. */
static int choose_lcores(void)
{
	bool masked = false;
	uint32_t lcore;

	for (unsigned i = 0; i < SL_ARRAY_SIZE(opts.coremask); i++)
		masked |= opts.coremask[i] != 0;
	if (masked) {
		for (lcore = 0; lcore < SL_MAX_LCORE; lcore++) {
			if (!(opts.coremask[lcore / 64] & (1ull << (lcore % 64))))
				continue;
			if (!sl_lcore_is_enabled(lcore) || lcore == sl_lcore_main()) {
				fprintf(stderr,
					"sluice-fwd: --coremask: lcore %u is %s; name worker lcores of the core list (-l)\n",
					lcore,
					sl_lcore_is_enabled(lcore) ? "the main lcore"
								   : "not in the core list");
				return -EINVAL;
			}
			fwd_lcores[nb_fwd_lcores++] = lcore;
		}
	} else {
		SL_LCORE_FOREACH_WORKER(lcore)
			fwd_lcores[nb_fwd_lcores++] = lcore;
	}
	if (opts.nb_cores > SL_MAX(nb_fwd_lcores, 1u)) {
		fprintf(stderr,
			"sluice-fwd: --nb-cores=%u: only %u forwarding lcore%s (the core list "
			"has %u, the main one reports); give more with -l\n",
			opts.nb_cores, nb_fwd_lcores, nb_fwd_lcores == 1 ? "" : "s",
			sl_lcore_count());
		return -EINVAL;
	}
	if (opts.nb_cores && opts.nb_cores < nb_fwd_lcores)
		nb_fwd_lcores = opts.nb_cores;
	if (nb_fwd_lcores == 0)
		fwd_lcores[nb_fwd_lcores++] = sl_lcore_main();
	return 0;
}

/* The port configuration the options ask for. */
static int port_conf(uint16_t port, const struct sl_port_info *info, struct sl_port_conf *conf)
{
	static bool said;

	memset(conf, 0, sizeof(*conf));
	conf->nb_txq = app.nb_txq;
	if (!app.mode->generates)
		conf->nb_rxq = app.nb_rxq;
	else if (info->max_rxq)
		/* Keep rx working (counted) on generating ports; the prompt may switch to a
		 * forwarding mode, which then needs every rx queue. */
		conf->nb_rxq = opts.interactive ? app.nb_rxq : 1;
	app.gen_rxq[port] = app.mode->generates && conf->nb_rxq > 0;
	if (opts.rss_types && conf->nb_rxq > 1) {
		conf->rss_types = opts.rss_types & info->rss_types;
		if (conf->rss_types == 0)
			fprintf(stderr,
				"sluice-fwd: port %u (%s) cannot hash on the types asked; RSS off\n",
				port, info->name);
	} else if (opts.rss_asked && !said) {
		fprintf(stderr,
			"sluice-fwd: --rss-ip/--rss-udp: no effect with one rx queue (give --rxq N)\n");
		said = true;
	}
	if (opts.max_pkt_len) {
		if (opts.max_pkt_len < SL_ETHER_HDR_LEN + 4 + 68) {
			fprintf(stderr,
				"sluice-fwd: --max-pkt-len=%u: below the smallest IPv4 MTU (68) + 18\n",
				opts.max_pkt_len);
			return -EINVAL;
		}
		conf->mtu = (uint16_t)(opts.max_pkt_len - SL_ETHER_HDR_LEN - 4); /* header + FCS */
	}
	if (opts.rx_cksum)
		conf->rx_offloads = SL_PORT_RX_CKSUM;
	return 0;
}

static int setup_ports(void)
{
	unsigned lcores = sl_lcore_count();
	unsigned cache = opts.mbcache >= 0 ? (unsigned)opts.mbcache : 256;
	uint32_t room = SL_MAX(opts.mbuf_size ? opts.mbuf_size - SL_PKTBUF_HEADROOM : 2048u,
			       SL_MAX(app.pkt_size, opts.max_pkt_len));
	unsigned need = app.nb_ports * (app.nb_rxq * app.nb_rxd + app.nb_txq * app.nb_txd) +
			lcores * (cache + app.burst) + 1024;
	unsigned nbufs = sl_pow2_ceil(need) - 1;

	if (opts.total_mbufs) {
		if (opts.total_mbufs < need)
			fprintf(stderr,
				"sluice-fwd: --total-num-mbufs=%u: the queues and caches may hold "
				"%u; rx may run out of buffers (counted as rx_nombuf)\n",
				opts.total_mbufs, need);
		nbufs = opts.total_mbufs;
	}
	app.pool = sl_pktbuf_pool_create("fwd_pkts", nbufs, cache, 0, SL_PKTBUF_HEADROOM + room,
					 SL_NODE_ANY);
	if (app.pool == NULL) {
		fprintf(stderr, "sluice-fwd: cannot create a pool of %u packet buffers: %s\n", nbufs,
			strerror(errno));
		return -ENOMEM;
	}
	for (unsigned i = 0; i < app.nb_ports; i++) {
		uint16_t port = app.ports[i];
		struct sl_port_conf *conf = &app.port_conf[port];
		struct sl_port_info info;
		int rc;

		sl_port_info(port, &info);
		rc = port_conf(port, &info, conf);
		if (rc == 0)
			rc = sl_port_configure(port, conf);
		for (uint16_t q = 0; rc == 0 && q < conf->nb_rxq; q++)
			rc = sl_port_rxq_setup(port, q, app.nb_rxd, info.node, app.pool);
		for (uint16_t q = 0; rc == 0 && q < conf->nb_txq; q++)
			rc = sl_port_txq_setup(port, q, app.nb_txd, info.node);
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

static bool stream_generates(const struct fwd_stream *s)
{
	return s->rx_port == UINT16_MAX;
}

/* Appends the streams of the current mode's kind: one per rx queue of every port (one per
 * tx queue when the mode generates), lcores dealt later. */
static int append_streams(void)
{
	unsigned per_port = app.mode->generates ? app.nb_txq : app.nb_rxq;
	unsigned first = app.nb_streams, n = app.nb_ports * per_port;
	struct fwd_stream *all = sl_malloc(sizeof(*all) * (first + n), 0, SL_NODE_ANY);

	if (all == NULL)
		return -ENOMEM;
	if (first)
		memcpy(all, app.streams, sizeof(*all) * first);
	memset(all + first, 0, sizeof(*all) * n);
	sl_free(app.streams);
	app.streams = all;
	app.nb_streams = first + n;
	for (unsigned i = 0; i < app.nb_ports; i++)
		for (uint16_t q = 0; q < per_port; q++) {
			struct fwd_stream *s = &app.streams[first + i * per_port + q];
			uint16_t port = app.ports[i];

			s->app = &app;
			s->burst = app.burst;
			s->budget = UINT64_MAX;
			if (app.mode->generates) {
				s->rx_port = UINT16_MAX;
				s->tx_port = port;
				s->tx_queue = q;
			} else {
				s->rx_port = port;
				s->rx_queue = q;
				s->tx_port = app.peer[port];
				s->tx_queue = (uint16_t)(q % app.nb_txq);
			}
		}
	return 0;
}

/*
 * Makes the current mode's streams active: those of its kind (forwarding or generating),
 * made the first time that kind ran, are dealt to the forwarding lcores in turn (or as
 * --map says); the others are retired, their counts kept, so that the totals add up after
 * the prompt's 'set fwd'.
 */
static int deal_streams(void)
{
	unsigned k = 0, nb_gen = 0, g = 0;
	bool have = false;
	int rc;

	for (unsigned i = 0; i < app.nb_streams; i++)
		have |= stream_generates(&app.streams[i]) == app.mode->generates;
	if (!have && (rc = append_streams()) < 0)
		return rc;
	for (unsigned i = 0; i < app.nb_streams; i++) {
		struct fwd_stream *s = &app.streams[i];
		uint16_t port = stream_generates(s) ? s->tx_port : s->rx_port;
		uint16_t q = stream_generates(s) ? s->tx_queue : s->rx_queue;

		if (stream_generates(s) != app.mode->generates) {
			s->lcore = FWD_LCORE_RETIRED;
			continue;
		}
		nb_gen += stream_generates(s);
		s->lcore = fwd_lcores[k++ % nb_fwd_lcores];
		for (unsigned m = 0; m < opts.nb_maps; m++)
			if (opts.maps[m].port == port && opts.maps[m].queue == q) {
				if (!sl_lcore_is_enabled(opts.maps[m].lcore)) {
					fprintf(stderr,
						"sluice-fwd: --map %u:%u@%u: lcore %u is not in the core list\n",
						port, q, opts.maps[m].lcore, opts.maps[m].lcore);
					return -EINVAL;
				}
				s->lcore = opts.maps[m].lcore;
			}
	}
	/* Say which lcore polls each rx queue (telemetry, sluice top). */
	for (unsigned i = 0; i < app.nb_streams; i++) {
		struct fwd_stream *s = &app.streams[i];

		if (s->lcore != FWD_LCORE_RETIRED && !stream_generates(s))
			sl_port_rxq_lcore_set(s->rx_port, s->rx_queue, s->lcore);
	}
	/* Generators split the packet budget and the rate exactly. */
	for (unsigned i = 0; nb_gen && i < app.nb_streams; i++) {
		struct fwd_stream *s = &app.streams[i];

		if (s->lcore == FWD_LCORE_RETIRED)
			continue;
		if (app.max_packets)
			s->budget = app.max_packets / nb_gen + (g < app.max_packets % nb_gen);
		if (app.rate_pps)
			s->tsc_per_pkt = SL_MAX(1, sl_tsc_hz() * nb_gen / app.rate_pps);
		s->next_tsc = sl_rdtsc();
		g++;
	}
	return 0;
}

static bool stream_active(const struct fwd_stream *s)
{
	return s->lcore != FWD_LCORE_RETIRED;
}

/* --tx-first: one burst of generated packets on every forwarding stream, counted as
 * generated (so received + generated = sent + dropped still holds). */
static void tx_first(void)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];

	if (app.mode->generates)
		return;
	fwd_build_template(&app, app.ports[0]);
	for (unsigned i = 0; i < app.nb_streams; i++) {
		struct fwd_stream *s = &app.streams[i];
		uint16_t n;

		if (!stream_active(s))
			continue;
		n = fwd_gen_alloc(s, pkts);
		if (n)
			fwd_send(s, pkts, n);
	}
}

/* One round over the lcore's streams; the round counts as busy when any moved packets
 * (telemetry's busy_cycles, sluice top's busy %). */
static inline void fwd_round(struct fwd_stream *const *mine, unsigned n)
{
	bool busy = false;

	for (unsigned i = 0; i < n; i++) {
		struct fwd_stream *s = mine[i];
		uint64_t before = s->rx_pkts + s->generated;

		app.mode->burst(s);
		busy |= s->rx_pkts + s->generated != before;
	}
	sl_lcore_round(busy);
}

/* Runs every stream of the calling lcore until the app stops. */
static int lcore_loop(void *arg)
{
	struct fwd_stream *mine[FWD_MAX_STREAMS];
	uint32_t self = sl_lcore_id();
	unsigned n = 0;

	(void)arg;
	for (unsigned i = 0; i < app.nb_streams && n < FWD_MAX_STREAMS; i++)
		if (app.streams[i].lcore == self)
			mine[n++] = &app.streams[i];
	if (n == 0)
		return 0;
	while (!fwd_stopping(&app))
		fwd_round(mine, n);
	return 0;
}

static bool main_has_streams(void)
{
	for (unsigned i = 0; i < app.nb_streams; i++)
		if (app.streams[i].lcore == sl_lcore_main())
			return true;
	return false;
}

/* The stream whose counters take what is drained from a port: its last active one. */
static struct fwd_stream *port_stream(uint16_t port)
{
	struct fwd_stream *found = NULL;

	for (unsigned i = 0; i < app.nb_streams; i++) {
		struct fwd_stream *s = &app.streams[i];

		if ((s->rx_port == UINT16_MAX ? s->tx_port : s->rx_port) == port &&
		    (found == NULL || stream_active(s)))
			found = s;
	}
	return found;
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
		for (unsigned i = 0; i < app.nb_ports && budget > 0; i++) {
			uint16_t port = app.ports[i];
			struct fwd_stream *s = port_stream(port);
			uint16_t nb_rxq = s ? app.port_conf[port].nb_rxq : 0;

			/* Every rx queue the port has, whichever mode runs (a generating port's
			 * rx queue may hold packets: a ring port looping back). */
			for (uint16_t q = 0; q < nb_rxq && budget > 0; q++) {
				uint16_t n;

				if (sl_pool_in_use(app.pool) == 0)
					return;
				n = sl_port_rx_burst(port, q, pkts, app.burst);
				if (n == 0)
					continue;
				sl_counter_add(&s->rx_pkts, n);
				progress = true;
				budget = n < budget ? budget - n : 0;
				sl_counter_add(&s->drops[FWD_DROP_STOPPED], n);
				sl_pktbuf_free_bulk(pkts, n);
			}
		}
	}
}

int fwd_start(struct fwd_app *a, bool tx_first_burst)
{
	uint32_t lcore;
	int rc;

	if (a->running)
		return -EALREADY;
	__atomic_store_n(&a->stop, 0, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < a->nb_streams; i++)
		a->streams[i].next_tsc = sl_rdtsc(); /* the rate limit starts now */
	if (tx_first_burst)
		tx_first();
	SL_LCORE_FOREACH_WORKER(lcore) {
		rc = sl_lcore_launch(lcore, lcore_loop, NULL);
		if (rc < 0) {
			fwd_stop(a);
			return rc;
		}
	}
	a->running = true;
	return 0;
}

void fwd_stop(struct fwd_app *a)
{
	__atomic_store_n(&a->stop, 1, __ATOMIC_RELAXED);
	sl_lcore_wait_all();
	a->running = false;
}

int fwd_set_mode(struct fwd_app *a, const struct fwd_mode *mode)
{
	const struct fwd_mode *old = a->mode;
	int rc;

	if (a->running)
		return -EBUSY;
	if (mode == old)
		return 0;
	for (unsigned i = 0; !mode->generates && i < a->nb_ports; i++)
		if (a->port_conf[a->ports[i]].nb_rxq < a->nb_rxq) {
			fprintf(stderr, "sluice-fwd: %s: port %u has no rx queue to forward from\n",
				mode->name, a->ports[i]);
			return -ENOTSUP;
		}
	a->mode = mode;
	rc = mode->generates != old->generates ? deal_streams() : 0;
	if (rc == 0 && mode->init)
		rc = mode->init(a);
	if (rc < 0)
		a->mode = old;
	return rc;
}

/* Without -i: forward until a signal, --duration or --packets. */
static void run_batch(struct report *rep)
{
	uint32_t lcore;

	if (!app.json)
		report_layout(&app);
	SL_LCORE_FOREACH_WORKER(lcore)
		sl_lcore_launch(lcore, lcore_loop, NULL);
	if (main_has_streams()) {
		/* One core: forward here and look at the clock between rounds. */
		struct fwd_stream *mine[FWD_MAX_STREAMS];
		unsigned n = 0;

		for (unsigned i = 0; i < app.nb_streams && n < FWD_MAX_STREAMS; i++)
			if (app.streams[i].lcore == sl_lcore_main())
				mine[n++] = &app.streams[i];
		while (!fwd_stopping(&app)) {
			fwd_round(mine, n);
			report_tick(rep);
		}
		sl_lcore_load_flush();
	} else {
		/* Sleep, not spin: the workers (or a peer process) may need this core. */
		while (!fwd_stopping(&app)) {
			usleep(1000);
			report_tick(rep);
		}
	}
	sl_lcore_wait_all();
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct report rep;
	bool ran = false;
	sigset_t sigs;
	uint32_t lcore;
	int n, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* SIGINT/SIGTERM go to the main thread only: every thread started before the handler
	 * is in place (workers, driver threads) inherits them blocked.  No SA_RESTART, so a
	 * signal also ends the prompt's read. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	n = sl_init(argc, argv);
	if (n == -ECANCELED) {
		fwd_usage(stdout);
		return 0;
	}
	if (n < 0)
		return 1;
	argc -= n;
	argv += n;
	rc = fwd_parse_args(&app, &opts, argc, argv);
	if (rc != 0) {
		sl_cleanup();
		return rc > 0 ? 0 : 2;
	}
	rc = 1;
	if (sl_port_create_vdevs() < 0 || choose_ports() < 0 || choose_lcores() < 0 ||
	    setup_ports() < 0 || (app.mode->init && app.mode->init(&app) < 0) || deal_streams() < 0)
		goto close;
	if (opts.interactive && main_has_streams()) {
		fprintf(stderr, "sluice-fwd: -i needs a worker lcore to forward on (the main lcore "
				"runs the prompt): give two cores or more, e.g. -l 0-1\n");
		goto close;
	}
	if (app.tx_first && !opts.interactive)
		tx_first();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);

	report_start(&rep, &app);
	rc = 0;
	if (opts.interactive)
		rc = prompt_run(&app, &rep, opts.cmdline_file, opts.auto_start);
	else
		run_batch(&rep);
	drain();
	rc |= report_final(&rep);
	report_free(&rep);
	ran = true;
close:
	sl_port_close_all();
	/* Every buffer must be back once the ports are closed (the end-of-run check). */
	SL_LCORE_FOREACH(lcore)
		sl_pool_cache_flush(app.pool, lcore);
	if (ran && sl_pool_in_use(app.pool) != 0) {
		fprintf(stderr, "sluice-fwd: %u packet buffers were not returned to the pool\n",
			sl_pool_in_use(app.pool));
		rc = 1;
	}
	sl_free(app.streams);
	sl_pool_free(app.pool);
	sl_cleanup();
	return rc;
}
