/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-switch [runtime options] [-- switch options]
 *
 * Every --vdev port is a switch port; with no configuration they are all access ports of
 * VLAN 1 in bridge br0, so the switch switches from the first packet.  Each port's rx
 * queue is placed on a PMD thread (worker lcore) by lib/pmd: by measured load or round
 * robin, pinned with --rxq-pin, rebalanced on demand (pmd rebalance) or by itself
 * (--auto-lb); every worker has a tx queue on every port.  The main lcore serves the
 * control socket (sluice-switchctl) and ages the FDBs; with a single lcore, or with
 * --main-pmd, it polls the ports too.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl_ctl.h"
#include "sl_lcore.h"
#include "sl_pmd.h"
#include "sl_runtime.h"
#include "switch.h"

struct sw sw;

static const char usage_text[] =
	"usage: sluice-switch [runtime options] [-- switch options]\n"
	"Runtime options (sluice-switch --help lists them) give the ports:\n"
	"  --vdev net_af_packet0,iface=veth0 --vdev net_vhost1,iface=/tmp/vm1.sock ...\n"
	"Every port starts as an access port of VLAN 1 in bridge br0.\n"
	"Switch options:\n"
	"  --startup FILE   commands to run at start (the sluice-switchctl commands)\n"
	"  --socket PATH    control socket (default RUNDIR/switch.sock, RUNDIR from\n"
	"                   --file-prefix: /run/sluice/PREFIX)\n"
	"  --fdb-size N     MAC addresses each bridge learns (default 8192)\n"
	"  --aging SECONDS  how long an idle MAC address stays learned (default 300)\n"
	"  --rxq-assign cycles|roundrobin\n"
	"                   how rx queues are placed on the PMD threads (default cycles: by\n"
	"                   measured load, the busiest first to the least loaded thread)\n"
	"  --rxq-pin PORT:Q:CORE  rx queue Q of PORT (number or name) always on the PMD\n"
	"                   thread of lcore CORE, which then polls only pinned queues\n"
	"                   (repeat it; --no-isolate lets it take others too)\n"
	"  --no-isolate     PMD threads with a pinned queue take unpinned ones as well\n"
	"  --auto-lb        rebalance by itself: when a PMD thread was at least\n"
	"                   --auto-lb-threshold busy over an interval and the plan improves\n"
	"                   the load variance by --auto-lb-improvement\n"
	"  --auto-lb-interval MS  the measurement interval (pmd show, rebalance, auto-lb;\n"
	"                   default 10000)\n"
	"  --auto-lb-threshold PCT    busy % that triggers auto-lb (default 95)\n"
	"  --auto-lb-improvement PCT  variance improvement a rebalance needs (default 25)\n"
	"  --main-pmd       the main lcore polls ports too (a PMD thread more: small machines)\n"
	"  -h, --help       this help\n";

#define MAX_PINS 64

static struct {
	const char *startup, *socket;
	const char *pins[MAX_PINS]; /* "PORT:Q:CORE", resolved once the ports exist */
	unsigned nb_pins;
	struct sl_pmd_config pmd;
	bool main_pmd;
} opt;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&sw.quit, true, __ATOMIC_RELAXED);
}

static int parse_u32(const char *name, const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);

	if (!*s || *end || x < min || x > max) {
		fprintf(stderr, "sluice-switch: %s %s: give %u to %u\n", name, s, min, max);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* 0, 1 when -h printed the help, -1 after a line naming the bad option. */
static int parse_opts(int argc, char **argv)
{
	enum {
		O_ASSIGN = 256,
		O_PIN,
		O_NO_ISOLATE,
		O_AUTO_LB,
		O_LB_INTERVAL,
		O_LB_LOAD,
		O_LB_IMPROVE,
		O_MAIN_PMD
	};
	static const struct option lo[] = {
		{"startup", required_argument, NULL, 's'},
		{"socket", required_argument, NULL, 'S'},
		{"fdb-size", required_argument, NULL, 'f'},
		{"aging", required_argument, NULL, 'a'},
		{"rxq-assign", required_argument, NULL, O_ASSIGN},
		{"rxq-pin", required_argument, NULL, O_PIN},
		{"no-isolate", no_argument, NULL, O_NO_ISOLATE},
		{"auto-lb", no_argument, NULL, O_AUTO_LB},
		{"auto-lb-interval", required_argument, NULL, O_LB_INTERVAL},
		{"auto-lb-threshold", required_argument, NULL, O_LB_LOAD},
		{"auto-lb-improvement", required_argument, NULL, O_LB_IMPROVE},
		{"main-pmd", no_argument, NULL, O_MAIN_PMD},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	uint32_t v;
	int c, m;

	sw.fdb_size = 8192;
	sw.aging = 300;
	optind = 0; /* glibc: 0 restarts the scan after sl_init()'s */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.startup = optarg;
			break;
		case 'S':
			opt.socket = optarg;
			break;
		case 'f':
			if (parse_u32("--fdb-size", optarg, 16, 1u << 24, &sw.fdb_size) < 0)
				return -1;
			break;
		case 'a':
			if (parse_u32("--aging", optarg, 1, 1000000, &sw.aging) < 0)
				return -1;
			break;
		case O_ASSIGN:
			m = sl_pmd_assign_parse(optarg); /* logs the choices */
			if (m < 0)
				return -1;
			opt.pmd.assign = (enum sl_pmd_assign)m;
			break;
		case O_PIN:
			if (opt.nb_pins == MAX_PINS) {
				fprintf(stderr, "sluice-switch: --rxq-pin %s: %d pins at most\n",
					optarg, MAX_PINS);
				return -1;
			}
			opt.pins[opt.nb_pins++] = optarg;
			break;
		case O_NO_ISOLATE:
			opt.pmd.no_isolate = true;
			break;
		case O_AUTO_LB:
			opt.pmd.auto_lb = true;
			break;
		case O_LB_INTERVAL:
			if (parse_u32("--auto-lb-interval", optarg, 100, 3600000, &v) < 0)
				return -1;
			opt.pmd.interval_ms = v;
			break;
		case O_LB_LOAD:
			if (parse_u32("--auto-lb-threshold", optarg, 1, 100, &v) < 0)
				return -1;
			opt.pmd.load_pct = (uint8_t)v;
			break;
		case O_LB_IMPROVE:
			if (parse_u32("--auto-lb-improvement", optarg, 1, 100, &v) < 0)
				return -1;
			opt.pmd.improve_pct = (uint8_t)v;
			break;
		case O_MAIN_PMD:
			opt.main_pmd = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sluice-switch: unexpected argument '%s'\n%s", argv[optind],
			usage_text);
		return -1;
	}
	return 0;
}

static int setup_ports(void)
{
	unsigned nw = sw.nb_workers, nports = sl_port_count(), nbufs;
	struct sw_pconf def = {.bridge = 0, .mode = SW_ACCESS, .vid = 1};
	char err[128];
	int p, rc;

	if (sw_bridge_get("br0", true, err, sizeof(err)) < 0) {
		fprintf(stderr, "sluice-switch: %s\n", err);
		return -1;
	}
	nbufs = 8192 +
		nports * (2 * SL_PORT_DEFAULT_DESC + nw * (SL_PORT_DEFAULT_DESC + 2 * SW_BURST));
	sw.pool = sl_pktbuf_pool_create("sw_pkts", nbufs, 256, 0, SL_PKTBUF_DEFAULT_BUF_SIZE,
					SL_NODE_ANY);
	if (!sw.pool) {
		fprintf(stderr, "sluice-switch: cannot create a pool of %u packet buffers: %s\n",
			nbufs, strerror(errno));
		return -1;
	}
	SL_PORT_FOREACH(p) {
		struct sl_port_conf conf = {
			.nb_rxq = 1, .nb_txq = (uint16_t)nw, .tx_offloads = SL_PKT_TX_VLAN};
		if (sl_port_configure((uint16_t)p, &conf) < 0 ||
		    sl_port_rxq_setup((uint16_t)p, 0, 0, SL_NODE_ANY, sw.pool) < 0)
			return -1;
		for (uint16_t q = 0; q < nw; q++)
			if (sl_port_txq_setup((uint16_t)p, q, 0, SL_NODE_ANY) < 0)
				return -1;
		if (sl_port_start((uint16_t)p) < 0)
			return -1;
		/* a switch port takes every frame (a port without filters has them all) */
		rc = sl_port_promisc((uint16_t)p, true);
		if (rc < 0) {
			fprintf(stderr,
				"sluice-switch: port %d: cannot turn promiscuous mode on (%s): it "
				"gets only frames for its own MAC\n",
				p, strerror(-rc));
		}
		if (sw_pconf_set((uint16_t)p, &def) < 0) {
			fprintf(stderr, "sluice-switch: out of memory for port %d\n", p);
			return -1;
		}
		if (sl_pmd_rxq_add(sw.pmd, (uint16_t)p, 0) < 0)
			return -1;
		struct sl_port_info info;

		sw.tx_kick[p] = sl_port_info((uint16_t)p, &info) == 0 && info.tx_kick;
	}
	return 0;
}

/* "PORT:Q:CORE" -> a pin; -1 after a line naming what is wrong. */
static int pin_one(const char *arg)
{
	char buf[64], *q, *core, *end;
	unsigned long qv, cv;
	int port, rxq;

	snprintf(buf, sizeof(buf), "%s", arg);
	core = strrchr(buf, ':');
	if (!core || core == buf)
		goto usage;
	*core++ = '\0';
	q = strrchr(buf, ':');
	if (!q)
		goto usage;
	*q++ = '\0';
	qv = strtoul(q, &end, 10);
	if (!*q || *end)
		goto usage;
	cv = strtoul(core, &end, 10);
	if (!*core || *end)
		goto usage;
	port = sw_port_parse(buf);
	if (port < 0) {
		fprintf(stderr,
			"sluice-switch: --rxq-pin %s: no port '%s' (give its number or name)\n",
			arg, buf);
		return -1;
	}
	rxq = sl_pmd_rxq_find(sw.pmd, (uint16_t)port, (uint16_t)qv);
	if (rxq < 0) {
		fprintf(stderr,
			"sluice-switch: --rxq-pin %s: port %d has no rx queue %lu (it has queue 0)\n",
			arg, port, qv);
		return -1;
	}
	if (sw_worker_by_lcore((uint32_t)cv) < 0) {
		fprintf(stderr,
			"sluice-switch: --rxq-pin %s: lcore %lu is not a PMD thread (pmd show lists them)\n",
			arg, cv);
		return -1;
	}
	return sl_pmd_rxq_pin(sw.pmd, (unsigned)rxq, sw_worker_by_lcore((uint32_t)cv));
usage:
	fprintf(stderr, "sluice-switch: --rxq-pin '%s': write it PORT:QUEUE:CORE, e.g. 0:0:2\n",
		arg);
	return -1;
}

static int setup_pmd(void)
{
	uint32_t lcores[SW_MAX_WORKERS];

	for (unsigned w = 0; w < sw.nb_workers; w++)
		lcores[w] = sw.workers[w].lcore;
	opt.pmd.name = "switch";
	opt.pmd.nb_workers = sw.nb_workers;
	opt.pmd.lcores = lcores;
	sw.pmd = sl_pmd_create(&opt.pmd);
	return sw.pmd ? 0 : -1;
}

static int place_queues(void)
{
	for (unsigned i = 0; i < opt.nb_pins; i++)
		if (pin_one(opt.pins[i]) < 0)
			return -1;
	if (sl_pmd_assign(sw.pmd) < 0)
		return -1;
	sw_rxq_lcores_update();
	return 0;
}

static int worker_main(void *arg)
{
	struct sw_worker *w = arg;

	sl_rcu_thread_online(sw.rcu, w->index);
	for (unsigned round = 0; !__atomic_load_n(&sw.quit, __ATOMIC_RELAXED); round++) {
		sl_lcore_round(sl_pmd_poll(sw.pmd, w->index, sw_rxq_poll, w) > 0);
		sl_rcu_quiescent(sw.rcu, w->index);
		if (round % SW_KICK_ROUNDS == 0)
			sw_tx_kick(w);
	}
	sl_rcu_thread_offline(sw.rcu, w->index);
	return 0;
}

static uint32_t seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec;
}

/* The control thread's work: the PMD set's interval and auto-lb at every call; once a
 * second the clock, FDB aging and where each rx queue is polled (for telemetry). */
static void tick(uint32_t t0)
{
	uint32_t now = seconds() - t0 + 1;

	sl_pmd_tick(sw.pmd);
	if (now == sw.now)
		return;
	sw_rxq_lcores_update();
	__atomic_store_n(&sw.now, now, __ATOMIC_RELAXED);
	for (unsigned b = 0; b < SW_MAX_BRIDGES; b++)
		if (sw.bridges[b].fdb)
			sl_fdb_age(sw.bridges[b].fdb, now, sw.aging);
	sl_rcu_reclaim(sw.rcu);
}

/* Everything after sl_init(): 0, 1 (failed, said why) or 2 (usage). */
static int run(int argc, char **argv)
{
	bool inline_poll;
	unsigned mw;
	char sock[256];
	struct sl_ctl *ctl;
	uint32_t lc, t0;
	int rc;

	rc = parse_opts(argc, argv);
	if (rc != 0)
		return rc < 0 ? 2 : 0;
	if (sl_port_create_vdevs() < 0)
		return 1;
	if (sl_port_count() == 0) {
		fprintf(stderr,
			"sluice-switch: no ports.  Give one --vdev per switch port, for example\n"
			"    sluice-switch --vdev net_af_packet0,iface=veth0 "
			"--vdev net_af_packet1,iface=veth1\n"
			"  (net_vhost for a VM, net_memif for a container, net_tap for a new\n"
			"  kernel interface); they start as access ports of VLAN 1 in bridge br0.\n");
		return 1;
	}
	SL_LCORE_FOREACH_WORKER(lc) {
		if (sw.nb_workers == SW_MAX_WORKERS)
			break;
		sw.workers[sw.nb_workers].lcore = lc;
		sw.workers[sw.nb_workers].index = sw.nb_workers;
		sw.nb_workers++;
	}
	inline_poll = sw.nb_workers == 0 || (opt.main_pmd && sw.nb_workers < SW_MAX_WORKERS);
	mw = sw.nb_workers; /* the main lcore's worker, when it polls */
	if (inline_poll) {
		sw.workers[mw].lcore = sl_lcore_main();
		sw.workers[mw].index = mw;
		sw.nb_workers++;
	}
	sw.main_polls = inline_poll;
	t0 = seconds();
	sw.now = 1;
	sw.rcu = sl_rcu_create("switch", SW_MAX_WORKERS);
	if (!sw.rcu)
		return 1;
	for (unsigned w = 0; w < sw.nb_workers; w++)
		if (sl_rcu_thread_register(sw.rcu, w) < 0)
			return 1;
	if (setup_pmd() < 0 || setup_ports() < 0) {
		fprintf(stderr, "sluice-switch: port setup failed (the log says why)\n");
		return 1;
	}
	if (place_queues() < 0)
		return 1;
	snprintf(sock, sizeof(sock), "%s/switch.sock", sl_runtime_dir());

	struct sl_ctl_config cc = {.path = opt.socket ? opt.socket : sock};

	ctl = sl_ctl_create(&cc, &sw);
	if (!ctl || sw_cmds_register(ctl) < 0) {
		sl_ctl_free(ctl);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (inline_poll)
		sl_rcu_thread_online(sw.rcu, mw);
	for (unsigned w = 0; w < mw; w++)
		sl_lcore_launch(sw.workers[w].lcore, worker_main, &sw.workers[w]);
	rc = 0;
	if (opt.startup && sl_ctl_run_file(ctl, opt.startup) < 0) {
		fprintf(stderr, "sluice-switch: start-up file %s failed (the line above)\n",
			opt.startup);
		__atomic_store_n(&sw.quit, true, __ATOMIC_RELAXED);
		rc = 1;
	} else {
		fprintf(stderr,
			"sluice-switch: %u ports in bridge br0 (access, VLAN 1), %u PMD thread%s%s, "
			"rxq assignment %s%s, FDB %u entries, aging %u s, control socket %s\n",
			sl_port_count(), sw.nb_workers, sw.nb_workers == 1 ? "" : "s",
			!inline_poll ? ""
			: mw	     ? " (one on the main lcore)"
				     : " (on the main lcore)",
			sl_pmd_assign_name(opt.pmd.assign), opt.pmd.auto_lb ? ", auto-lb" : "",
			sw.fdb_size, sw.aging, cc.path);
	}
	while (!__atomic_load_n(&sw.quit, __ATOMIC_RELAXED)) {
		sl_ctl_poll(ctl, inline_poll ? 0 : 1);
		tick(t0);
		if (inline_poll) {
			for (int i = 0; i < 64; i++)
				sl_lcore_round(
					sl_pmd_poll(sw.pmd, mw, sw_rxq_poll, &sw.workers[mw]) > 0);
			sl_rcu_quiescent(sw.rcu, mw);
			sw_tx_kick(&sw.workers[mw]); /* every 64 rounds and control poll */
		}
	}
	if (inline_poll) {
		sl_rcu_thread_offline(sw.rcu, mw);
		sl_lcore_load_flush();
	}
	sl_lcore_wait_all();
	sl_ctl_free(ctl);
	return rc;
}

int main(int argc, char **argv)
{
	int n = sl_init(argc, argv), rc;

	if (n == -ECANCELED)
		return 0;
	if (n < 0)
		return 1;
	rc = run(argc - n, argv + n);
	sl_port_close_all();
	sl_pmd_free(sw.pmd);
	sl_cleanup();
	return rc;
}
