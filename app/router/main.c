/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-router [runtime options] [-- router options]
 *
 * One interface per --vdev port; one graph per worker lcore, each polling its own queue
 * of every port; the main lcore serves the control socket (sluice-routerctl) and the
 * control plane.  With a single lcore the main thread also walks the graph.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router_ctl.h"
#include "sl_ctl.h"
#include "sl_runtime.h"

static const char usage_text[] =
	"usage: sluice-router [runtime options] [-- router options]\n"
	"Runtime options (sluice-router --help lists them) give the ports:\n"
	"  --vdev net_af_packet0,iface=veth0 --vdev net_af_xdp1,iface=veth1 ...\n"
	"Router options:\n"
	"  --startup FILE   commands to run at start (the sluice-routerctl commands)\n"
	"  --socket PATH    control socket (default RUNDIR/router.sock, RUNDIR from\n"
	"                   --file-prefix: /run/sluice/PREFIX)\n"
	"  --routes4 N      IPv4 routes the table holds (default 65536; 1000000 for a\n"
	"                   full Internet table)\n"
	"  --routes6 N      IPv6 routes (default 16384; 200000 for a full table, ~170 MB)\n"
	"  --neigh-max N    neighbours (default 4096)\n"
	"  --icmp-rate N    ICMP errors per second per worker (default 1000, 0 = no limit)\n"
	"  -h, --help       this help\n";

static struct {
	const char *startup, *socket;
	uint32_t routes4, routes6;
} opt = {NULL, NULL, 65536, 16384};

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&rt.quit, true, __ATOMIC_RELAXED);
}

static int parse_u32(const char *name, const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);

	if (!*s || *end || x < min || x > max) {
		fprintf(stderr, "sluice-router: %s %s: give %u to %u\n", name, s, min, max);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* The router's options: 0, 1 when -h printed the help, -1 after a line naming the bad
 * option. */
static int parse_opts(int argc, char **argv)
{
	static const struct option lo[] = {{"startup", required_argument, NULL, 's'},
					   {"socket", required_argument, NULL, 'S'},
					   {"routes4", required_argument, NULL, '4'},
					   {"routes6", required_argument, NULL, '6'},
					   {"neigh-max", required_argument, NULL, 'n'},
					   {"icmp-rate", required_argument, NULL, 'r'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	uint32_t v;
	int c;

	rt.icmp_rate = 1000;
	optind = 0; /* glibc: 0 restarts the scan after sl_init()'s */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.startup = optarg;
			break;
		case 'S':
			opt.socket = optarg;
			break;
		case '4':
			if (parse_u32("--routes4", optarg, 16, 1u << 24, &opt.routes4) < 0)
				return -1;
			break;
		case '6':
			if (parse_u32("--routes6", optarg, 16, 1u << 22, &opt.routes6) < 0)
				return -1;
			break;
		case 'n':
			if (parse_u32("--neigh-max", optarg, 16, 1u << 20, &v) < 0)
				return -1;
			rt_neigh_max = v;
			break;
		case 'r':
			if (parse_u32("--icmp-rate", optarg, 0, 1000000, &rt.icmp_rate) < 0)
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
		fprintf(stderr, "sluice-router: unexpected argument '%s'\n%s", argv[optind],
			usage_text);
		return -1;
	}
	return 0;
}

/* Modified EUI-64 link-local address of a MAC (RFC 4291 appendix A). */
static void link_local(const struct sl_ether_addr *mac, uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[0] = 0xfe;
	ip[1] = 0x80;
	ip[8] = mac->bytes[0] ^ 0x02;
	ip[9] = mac->bytes[1];
	ip[10] = mac->bytes[2];
	ip[11] = 0xff;
	ip[12] = 0xfe;
	ip[13] = mac->bytes[3];
	ip[14] = mac->bytes[4];
	ip[15] = mac->bytes[5];
}

static int setup_ports(void)
{
	unsigned nw = rt.nb_workers, nports = sl_port_count(), nbufs;
	char err[256];
	int p;

	nbufs = 8192 + nports * nw * (2 * SL_PORT_DEFAULT_DESC + 2 * SL_GRAPH_VEC_SIZE);
	rt.pool = sl_pktbuf_pool_create("rt_pkts", nbufs, 256, 0, SL_PKTBUF_DEFAULT_BUF_SIZE,
					SL_NODE_ANY);
	if (!rt.pool) {
		fprintf(stderr, "sluice-router: cannot create a pool of %u packet buffers: %s\n",
			nbufs, strerror(errno));
		return -1;
	}
	SL_PORT_FOREACH(p) {
		struct sl_port_conf conf = {.nb_rxq = (uint16_t)nw, .nb_txq = (uint16_t)nw};
		struct rt_iface *ifc = calloc(1, sizeof(*ifc));
		uint16_t mtu = 1500;
		uint8_t ll[16];

		if (nw > 1)
			conf.rss_types = SL_PORT_RSS_IPV4 | SL_PORT_RSS_IPV4_TCP |
					 SL_PORT_RSS_IPV4_UDP | SL_PORT_RSS_IPV6 |
					 SL_PORT_RSS_IPV6_TCP | SL_PORT_RSS_IPV6_UDP;
		if (!ifc || sl_port_configure((uint16_t)p, &conf) < 0)
			return -1;
		for (uint16_t q = 0; q < nw; q++)
			if (sl_port_rxq_setup((uint16_t)p, q, 0, SL_NODE_ANY, rt.pool) < 0 ||
			    sl_port_txq_setup((uint16_t)p, q, 0, SL_NODE_ANY) < 0)
				return -1;
		if (sl_port_start((uint16_t)p) < 0)
			return -1;
		sl_port_mtu((uint16_t)p, &mtu);
		sl_port_mac((uint16_t)p, ifc->mac.bytes);
		ifc->port = (uint16_t)p;
		ifc->mtu = mtu ? mtu : 1500;
		ifc->up = true;
		rt_iface_publish((uint16_t)p, ifc);
		link_local(&ifc->mac, ll);
		if (rt_addr_add((uint16_t)p, 6, ll, 128, err, sizeof(err)) < 0)
			fprintf(stderr, "sluice-router: port %d: link-local address: %s\n", p, err);
	}
	return 0;
}

static int build_graphs(void)
{
	for (unsigned w = 0; w < rt.nb_workers; w++) {
		struct sl_graph_source src[SL_PORT_MAX + 1];
		unsigned ns = 0;
		char name[SL_RING_NAME_SIZE];
		int p;

		memset(src, 0, sizeof(src));
		SL_PORT_FOREACH(p) {
			struct sl_graph_port_rx rx = {(uint16_t)p, (uint16_t)w};

			src[ns].type = "port_rx";
			snprintf(src[ns].name, sizeof(src[ns].name), "port_rx-p%dq%u", p, w);
			memcpy(src[ns].ctx, &rx, sizeof(rx));
			ns++;
		}
		src[ns++].type = "inject";
		snprintf(name, sizeof(name), "rt_inject%u", w);
		rt.workers[w].inject =
			sl_ring_create(name, 1024, SL_NODE_ANY, SL_RING_SP_ENQ | SL_RING_SC_DEQ);
		snprintf(name, sizeof(name), "worker%u", w);

		struct sl_graph_config cfg = {.name = name,
					      .node = SL_NODE_ANY,
					      .worker = w,
					      .app = &rt,
					      .sources = src,
					      .nb_sources = ns};

		rt.workers[w].graph = sl_graph_create(&cfg);
		if (!rt.workers[w].graph || !rt.workers[w].inject)
			return -1;
		if (sl_rcu_thread_register(rt.rcu, w) < 0)
			return -1;
	}
	return 0;
}

static int worker_main(void *arg)
{
	struct rt_worker *w = arg;

	sl_rcu_thread_online(rt.rcu, w->index); /* this thread is reader w->index */
	while (!__atomic_load_n(&rt.quit, __ATOMIC_RELAXED)) {
		sl_graph_walk(w->graph);
		sl_rcu_quiescent(rt.rcu, w->index);
	}
	sl_rcu_thread_offline(rt.rcu, w->index);
	return 0;
}

/* Everything after sl_init(): 0, 1 (failed, said why) or 2 (usage). */
static int run(int argc, char **argv)
{
	char sock[256];
	struct sl_ctl *ctl;
	uint32_t lc;
	int rc;

	rc = parse_opts(argc, argv);
	if (rc != 0)
		return rc < 0 ? 2 : 0;
	if (sl_port_create_vdevs() < 0)
		return 1;
	if (sl_port_count() == 0) {
		fprintf(stderr,
			"sluice-router: no ports.  A router needs one port per network: give one\n"
			"  --vdev per interface, for example\n"
			"    sluice-router --vdev net_af_packet0,iface=veth0 "
			"--vdev net_af_packet1,iface=veth1\n"
			"  (net_af_xdp for XDP sockets, net_tap for a new kernel interface), then\n"
			"  add addresses and routes with sluice-routerctl or -- --startup FILE:\n"
			"    address add 0 10.0.1.1/24\n    route add 0.0.0.0/0 via 10.0.1.254\n");
		return 1;
	}
	SL_LCORE_FOREACH_WORKER(lc) {
		if (rt.nb_workers == RT_MAX_WORKERS)
			break;
		rt.workers[rt.nb_workers] = (struct rt_worker){.lcore = lc, .index = rt.nb_workers};
		rt.nb_workers++;
	}
	bool inline_walk = rt.nb_workers == 0;

	if (inline_walk)
		rt.workers[rt.nb_workers++] = (struct rt_worker){.lcore = sl_lcore_main()};
	rt.rcu = sl_rcu_create("router", RT_MAX_WORKERS);

	struct sl_lpm_config c4 = {.max_rules = opt.routes4 + 4096,
				   .groups = SL_MAX(1024u, opt.routes4 / 16)};
	/* groups: the real table needs one per 4.2 routes (38,097 for 160,147, bench/lpm);
	 * a third per route leaves room for tables of longer, sparser prefixes */
	struct sl_lpm6_config c6 = {.max_rules = opt.routes6 + 4096,
				    .groups = SL_MAX(8192u, opt.routes6 / 3)};

	rt.rt4 = sl_lpm_create("rt4", SL_NODE_ANY, &c4);
	rt.rt6 = sl_lpm6_create("rt6", SL_NODE_ANY, &c6);
	if (!rt.rcu || !rt.rt4 || !rt.rt6 || rt_control_init() < 0 ||
	    rt_route_init(c4.max_rules, c6.max_rules) < 0) {
		fprintf(stderr,
			"sluice-router: cannot allocate the tables (%s); smaller "
			"--routes4/--routes6?\n",
			strerror(errno));
		return 1;
	}
	sl_lpm_rcu_set(rt.rt4, rt.rcu);
	sl_lpm6_rcu_set(rt.rt6, rt.rcu);
	if (setup_ports() < 0 || build_graphs() < 0) {
		fprintf(stderr, "sluice-router: port or graph setup failed (the log says why)\n");
		return 1;
	}
	int port;

	SL_PORT_FOREACH(port) /* worker w polls queue w of every port (telemetry, sluice top) */
		for (unsigned w = 0; w < rt.nb_workers; w++)
			sl_port_rxq_lcore_set((uint16_t)port, (uint16_t)w, rt.workers[w].lcore);
	snprintf(sock, sizeof(sock), "%s/router.sock", sl_runtime_dir());

	struct sl_ctl_config cc = {.path = opt.socket ? opt.socket : sock};

	ctl = sl_ctl_create(&cc, &rt);
	if (!ctl || rt_cmds_register(ctl) < 0) {
		sl_ctl_free(ctl);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* workers first: a grace period the start-up file's commands wait for needs them
	 * walking (with one lcore, the main thread is reader 0 itself) */
	if (inline_walk)
		sl_rcu_thread_online(rt.rcu, 0);
	else
		for (unsigned w = 0; w < rt.nb_workers; w++)
			sl_lcore_launch(rt.workers[w].lcore, worker_main, &rt.workers[w]);
	rc = 0;
	if (opt.startup && sl_ctl_run_file(ctl, opt.startup) < 0) {
		fprintf(stderr, "sluice-router: start-up file %s failed (the line above)\n",
			opt.startup);
		__atomic_store_n(&rt.quit, true, __ATOMIC_RELAXED);
		rc = 1;
	} else {
		fprintf(stderr, "sluice-router: %u ports, %u worker%s%s, control socket %s\n",
			sl_port_count(), rt.nb_workers, rt.nb_workers == 1 ? "" : "s",
			inline_walk ? " (on the main lcore)" : "", cc.path);
	}
	while (!__atomic_load_n(&rt.quit, __ATOMIC_RELAXED)) {
		sl_ctl_poll(ctl, inline_walk ? 0 : 1);
		rt_control_poll();
		if (inline_walk) {
			for (int i = 0; i < 64; i++)
				sl_graph_walk(rt.workers[0].graph);
			sl_rcu_quiescent(rt.rcu, 0);
		}
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
	/* the router's own options: sl_init() left the program name in front of them */
	rc = run(argc - n, argv + n);
	/* every exit path releases the ports and the runtime directory */
	sl_port_close_all();
	sl_cleanup();
	return rc;
}
