/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-switch [runtime options] [-- switch options]
 *
 * Every --vdev port is a switch port; with no configuration they are all access ports of
 * VLAN 1 in bridge br0, so the switch switches from the first packet.  Each port's rx
 * queue is placed on a PMD thread (worker lcore) round robin; every worker has a tx queue
 * on every port.  The main lcore serves the control socket (sluice-switchctl) and ages the
 * FDBs; with a single lcore it polls the ports too.
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
	"  -h, --help       this help\n";

static struct {
	const char *startup, *socket;
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
	static const struct option lo[] = {{"startup", required_argument, NULL, 's'},
					   {"socket", required_argument, NULL, 'S'},
					   {"fdb-size", required_argument, NULL, 'f'},
					   {"aging", required_argument, NULL, 'a'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;

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
	unsigned nw = sw.nb_workers, nports = sl_port_count(), nbufs, next = 0;
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
		struct sw_worker *w = &sw.workers[next++ % nw];

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
		w->rxq[w->nb_rxq++] = (struct sw_rxq){(uint16_t)p, 0};
		sl_port_rxq_lcore_set((uint16_t)p, 0, w->lcore);
	}
	return 0;
}

static int worker_main(void *arg)
{
	struct sw_worker *w = arg;

	sl_rcu_thread_online(sw.rcu, w->index);
	while (!__atomic_load_n(&sw.quit, __ATOMIC_RELAXED)) {
		sw_worker_poll(w);
		sl_rcu_quiescent(sw.rcu, w->index);
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

/* The control thread's once-a-second work: the clock and FDB aging. */
static void tick(uint32_t t0)
{
	uint32_t now = seconds() - t0 + 1;

	if (now == sw.now)
		return;
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
	inline_poll = sw.nb_workers == 0;
	if (inline_poll) {
		sw.workers[0].lcore = sl_lcore_main();
		sw.nb_workers = 1;
	}
	t0 = seconds();
	sw.now = 1;
	sw.rcu = sl_rcu_create("switch", SW_MAX_WORKERS);
	if (!sw.rcu)
		return 1;
	for (unsigned w = 0; w < sw.nb_workers; w++)
		if (sl_rcu_thread_register(sw.rcu, w) < 0)
			return 1;
	if (setup_ports() < 0) {
		fprintf(stderr, "sluice-switch: port setup failed (the log says why)\n");
		return 1;
	}
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
		sl_rcu_thread_online(sw.rcu, 0);
	else
		for (unsigned w = 0; w < sw.nb_workers; w++)
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
			"FDB %u entries, aging %u s, control socket %s\n",
			sl_port_count(), sw.nb_workers, sw.nb_workers == 1 ? "" : "s",
			inline_poll ? " (on the main lcore)" : "", sw.fdb_size, sw.aging, cc.path);
	}
	while (!__atomic_load_n(&sw.quit, __ATOMIC_RELAXED)) {
		sl_ctl_poll(ctl, inline_poll ? 0 : 1);
		tick(t0);
		if (inline_poll) {
			for (int i = 0; i < 64; i++)
				sw_worker_poll(&sw.workers[0]);
			sl_rcu_quiescent(sw.rcu, 0);
		}
	}
	if (inline_poll) {
		sl_rcu_thread_offline(sw.rcu, 0);
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
	sl_cleanup();
	return rc;
}
