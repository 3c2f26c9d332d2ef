/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-fwd's options: its own and testpmd's, so that a pasted testpmd command line runs.
 * testpmd options that change nothing here are in one table with the reason, said once on
 * stderr; unknown options still fail.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static const struct fwd_mode *const modes[] = {
	&fwd_mode_io,	  &fwd_mode_mac,     &fwd_mode_macswap, &fwd_mode_rxonly,
	&fwd_mode_txonly, &fwd_mode_flowgen, &fwd_mode_csum,
};

const struct fwd_mode *fwd_mode_find(const char *name)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(modes); i++)
		if (strcmp(name, modes[i]->name) == 0)
			return modes[i];
	return NULL;
}

void fwd_modes_list(FILE *out)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(modes); i++)
		fprintf(out, "%s%s", i ? " " : "", modes[i]->name);
}

#define NO_NIC_RING "Sluice drives no NIC descriptor ring, so there is no threshold to set"

/* testpmd options accepted with no effect, and why. */
static const struct {
	const char *name;
	int has_arg;
	const char *reason;
} noted_opts[] = {
	{"rxfreet", required_argument,
	 "Sluice drivers refill rx queues in bulk, with no threshold"},
	{"txfreet", required_argument, "Sluice drivers free transmitted buffers in bulk"},
	{"rxpt", required_argument, NO_NIC_RING},
	{"rxht", required_argument, NO_NIC_RING},
	{"rxwt", required_argument, NO_NIC_RING},
	{"txpt", required_argument, NO_NIC_RING},
	{"txht", required_argument, NO_NIC_RING},
	{"txwt", required_argument, NO_NIC_RING},
	{"txrst", required_argument, NO_NIC_RING},
	{"no-lsc-interrupt", no_argument,
	 "Sluice ports raise no link-state interrupts; the link is read when asked"},
	{"no-rmv-interrupt", no_argument, "Sluice ports raise no removal interrupts"},
	{"no-flush-rx", no_argument,
	 "sluice-fwd never flushes rx queues before it starts: what is queued is forwarded and "
	 "counted"},
	{"numa", no_argument, "queues are always set up on their port's NUMA node"},
	{"no-numa", no_argument, "queues are always set up on their port's NUMA node"},
	{"socket-num", required_argument, "queues are always set up on their port's NUMA node"},
	{"port-numa-config", required_argument,
	 "queues are always set up on their port's NUMA node"},
	{"ring-numa-config", required_argument,
	 "queues are always set up on their port's NUMA node"},
	{"mp-alloc", required_argument, "the packet buffers are one Sluice pool, in any mode"},
	{"mlockall", no_argument, "Sluice locks its memory segments itself"},
	{"no-mlockall", no_argument, "Sluice locks its memory segments itself"},
	{"record-core-cycles", no_argument, "sluice-fwd keeps no cycle counts"},
	{"record-burst-stats", no_argument, "sluice-fwd keeps no burst-size statistics"},
	{"display-xstats", required_argument, "sluice-fwd's reports show no xstats"},
	{"enable-scatter", no_argument,
	 "buffers hold a whole frame (--mbuf-size, --max-pkt-len); rx never scatters"},
	{"enable-lro", no_argument, "Sluice drivers do no LRO"},
	{"max-lro-pkt-size", required_argument, "Sluice drivers do no LRO"},
	{"enable-hw-vlan", no_argument, "sluice-fwd asks its ports for no VLAN offload"},
	{"enable-hw-vlan-filter", no_argument, "sluice-fwd asks its ports for no VLAN offload"},
	{"enable-hw-vlan-strip", no_argument, "sluice-fwd asks its ports for no VLAN offload"},
	{"enable-hw-vlan-extend", no_argument, "sluice-fwd asks its ports for no VLAN offload"},
	{"enable-hw-qinq-strip", no_argument, "sluice-fwd asks its ports for no VLAN offload"},
	{"enable-drop-en", no_argument, "a full rx queue always drops (counted as rx missed)"},
	{"rx-offloads", required_argument,
	 "sluice-fwd asks its ports for no rx offload but --enable-rx-cksum"},
	{"tx-offloads", required_argument, "sluice-fwd asks its ports for no tx offload"},
	{"flowgen-clones", required_argument, "flowgen sends each packet once"},
	{"txonly-multi-flow", no_argument,
	 "txonly sends one flow; --forward-mode flowgen --flows N sends N"},
	{"tx-ip", required_argument,
	 "the txonly template is fixed: 198.18.0.1 -> 198.18.0.2, UDP port 9"},
	{"tx-udp", required_argument,
	 "the txonly template is fixed: 198.18.0.1 -> 198.18.0.2, UDP port 9"},
	{"rxpkts", required_argument, "rx never splits a packet over buffers"},
	{"rxoffs", required_argument, "rx never splits a packet over buffers"},
	{"print-event", required_argument, "sluice-fwd prints no port events"},
	{"mask-event", required_argument, "sluice-fwd prints no port events"},
	{"hot-plug", no_argument, "ports are created at start only"},
	{"bitrate-stats", required_argument, "sluice-fwd keeps no bit-rate library statistics"},
	{"latencystats", required_argument, "sluice-fwd measures no latency"},
};

enum {
	O_MODE = 256,
	O_PORTS,
	O_PORTMASK,
	O_NB_PORTS,
	O_RXQ,
	O_TXQ,
	O_RXD,
	O_TXD,
	O_BURST,
	O_MAP,
	O_PEER,
	O_PEERS_FILE,
	O_TXPKTS,
	O_FLOWS,
	O_RATE,
	O_RETRY,
	O_DURATION,
	O_PACKETS,
	O_PERIOD,
	O_JSON,
	O_HELP,
	O_HELP_RT,
	O_TX_FIRST,
	O_NB_CORES,
	O_COREMASK,
	O_MBUFS,
	O_MBCACHE,
	O_MBUF_SIZE,
	O_MAX_PKT_LEN,
	O_TOPOLOGY,
	O_RSS_IP,
	O_RSS_UDP,
	O_NO_RSS,
	O_RX_CKSUM,
	O_CMDLINE_FILE,
	O_NOTED = 512, /* + index in noted_opts[] */
};

static const struct option own_opts[] = {
	{"forward-mode", required_argument, NULL, O_MODE},
	{"mode", required_argument, NULL, O_MODE},
	{"ports", required_argument, NULL, O_PORTS},
	{"portlist", required_argument, NULL, O_PORTS},
	{"portmask", required_argument, NULL, O_PORTMASK},
	{"nb-ports", required_argument, NULL, O_NB_PORTS},
	{"rxq", required_argument, NULL, O_RXQ},
	{"txq", required_argument, NULL, O_TXQ},
	{"rxd", required_argument, NULL, O_RXD},
	{"txd", required_argument, NULL, O_TXD},
	{"burst", required_argument, NULL, O_BURST},
	{"map", required_argument, NULL, O_MAP},
	{"eth-peer", required_argument, NULL, O_PEER},
	{"eth-peers-configfile", required_argument, NULL, O_PEERS_FILE},
	{"txpkts", required_argument, NULL, O_TXPKTS},
	{"flows", required_argument, NULL, O_FLOWS},
	{"flowgen-flows", required_argument, NULL, O_FLOWS},
	{"rate", required_argument, NULL, O_RATE},
	{"tx-retry", required_argument, NULL, O_RETRY},
	{"duration", required_argument, NULL, O_DURATION},
	{"packets", required_argument, NULL, O_PACKETS},
	{"stats-period", required_argument, NULL, O_PERIOD},
	{"json", no_argument, NULL, O_JSON},
	{"tx-first", no_argument, NULL, O_TX_FIRST},
	{"interactive", no_argument, NULL, 'i'},
	{"auto-start", no_argument, NULL, 'a'},
	{"cmdline-file", required_argument, NULL, O_CMDLINE_FILE},
	{"nb-cores", required_argument, NULL, O_NB_CORES},
	{"coremask", required_argument, NULL, O_COREMASK},
	{"total-num-mbufs", required_argument, NULL, O_MBUFS},
	{"mbcache", required_argument, NULL, O_MBCACHE},
	{"mbuf-size", required_argument, NULL, O_MBUF_SIZE},
	{"max-pkt-len", required_argument, NULL, O_MAX_PKT_LEN},
	{"port-topology", required_argument, NULL, O_TOPOLOGY},
	{"rss-ip", no_argument, NULL, O_RSS_IP},
	{"rss-udp", no_argument, NULL, O_RSS_UDP},
	{"disable-rss", no_argument, NULL, O_NO_RSS},
	{"enable-rx-cksum", no_argument, NULL, O_RX_CKSUM},
	{"help", no_argument, NULL, O_HELP},
	{"help-runtime", no_argument, NULL, O_HELP_RT},
};

void fwd_usage(FILE *out)
{
	fprintf(out, "usage: sluice-fwd [runtime options] [-- forwarder options]\n"
		     "Forwarder options (testpmd's names work, with '=' or a space):\n"
		     "  --forward-mode MODE   (or --mode) one of:\n");
	for (size_t i = 0; i < SL_ARRAY_SIZE(modes); i++)
		fprintf(out, "      %-9s %s\n", modes[i]->name, modes[i]->help);
	fprintf(out,
		"  -i, --interactive     a prompt (start, stop, show port stats, set fwd, quit...;\n"
		"                        type help there)\n"
		"  -a, --auto-start      with -i, start forwarding at once (without -i it does anyway)\n"
		"  --cmdline-file FILE   with -i, run the prompt commands in FILE first\n"
		"  --ports LIST          port ids to use, e.g. 0,1 (default: all; also --portlist)\n"
		"  --portmask MASK       the same as a hex mask, e.g. 0x3; --nb-ports N: the first N\n"
		"  --port-topology T     paired (default: 0<->1, 2<->3; an odd last one to itself),\n"
		"                        chained (0->1->...->0) or loop (each port to itself)\n"
		"  --rxq N, --txq N      queues per port (default 1)\n"
		"  --rxd N, --txd N      descriptors per rx / tx queue (default 1024)\n"
		"  --rss-ip, --rss-udp   spread rx over the --rxq queues by IP addresses (and UDP\n"
		"                        ports); the port layer does it when the driver cannot\n"
		"  --disable-rss         no RSS (the default)\n"
		"  --enable-rx-cksum     set the rx checksum flags (in software when needed)\n"
		"  --max-pkt-len N       largest frame: port MTU = N - 18 (default: the driver's)\n"
		"  --burst N             packets per burst (default 32, at most %d)\n"
		"  --nb-cores N          forward on N worker lcores (default: every worker)\n"
		"  --coremask MASK       forward on these lcores, a hex mask (default: the workers)\n"
		"  --map P:Q@LCORE       run the stream of port P rx queue Q on LCORE (repeatable;\n"
		"                        default: streams spread over the forwarding lcores in turn)\n"
		"  --total-num-mbufs N   packet buffers in the pool (default: enough for the queues)\n"
		"  --mbcache N           pool cache per lcore, 0-%u (default 256)\n"
		"  --mbuf-size N         bytes per buffer, headroom included as in DPDK (default\n"
		"                        2176), raised to hold --txpkts and --max-pkt-len\n"
		"  --eth-peer P,MAC      destination MAC for packets sent on port P (mac, txonly);\n"
		"                        --eth-peers-configfile FILE: one MAC per line, port 0 first\n"
		"  --txpkts BYTES        generated frame size, 60-9018 (default 64)\n"
		"  --flows N             flowgen: distinct flows (default 1024; also --flowgen-flows)\n"
		"  --rate PPS            txonly/flowgen: total packets per second (default: no limit)\n"
		"  --tx-retry N          tx attempts before a full queue counts as a drop (default 0)\n"
		"  --duration SEC        stop after SEC seconds (default: at SIGINT/SIGTERM)\n"
		"  --packets N           stop after N packets received (generated, for txonly)\n"
		"  --stats-period SEC    report every SEC seconds (default 1; 0 = only at the end)\n"
		"  --tx-first            send one generated burst on every stream before forwarding\n"
		"                        (ports that loop back, like net_ring, then have traffic)\n"
		"  --json                print the final report as JSON on stdout\n"
		"  --help                this help; runtime options: sluice-fwd --help-runtime\n"
		"Accepted for testpmd command lines, with a notice saying why they change nothing:\n"
		"  ",
		FWD_MAX_BURST, SL_POOL_CACHE_MAX_SIZE);
	for (size_t i = 0, col = 2; i < SL_ARRAY_SIZE(noted_opts); i++) {
		size_t len = strlen(noted_opts[i].name) + 2;

		if (col > 2 && col + 1 + len > 90) {
			fprintf(out, "\n  ");
			col = 2;
		} else if (col > 2) {
			col += (size_t)fprintf(out, " ");
		}
		col += (size_t)fprintf(out, "--%s", noted_opts[i].name);
	}
	fprintf(out, "\nDrivers:\n");
	sl_port_drivers_dump(out);
}

static int parse_uint(const char *opt, const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 0);

	if (*v == '\0' || *v == '-' || *end != '\0' || n < min || n > max) {
		fprintf(stderr,
			"sluice-fwd: %s %s: expected a number from %" PRIu64 " to %" PRIu64 "\n",
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

static int parse_ports(struct fwd_opts *o, const char *v)
{
	char buf[256], *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, v);
	o->nb_ports = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint64_t id;

		if (o->nb_ports == SL_PORT_MAX || parse_uint("--ports", t, 0, SL_PORT_MAX - 1, &id))
			return -EINVAL;
		o->ports[o->nb_ports++] = (uint16_t)id;
	}
	return 0;
}

/* A hex mask ("0x3" or "3") into bits; max_bits bits at most. */
static int parse_mask(const char *opt, const char *v, uint64_t *bits, unsigned max_bits)
{
	const char *p = v + ((v[0] == '0' && (v[1] | 0x20) == 'x') ? 2 : 0);
	size_t len = strlen(p);
	bool any = false;

	memset(bits, 0, max_bits / 8);
	if (len == 0 || len > max_bits / 4 || strspn(p, "0123456789abcdefABCDEF") != len) {
		fprintf(stderr, "sluice-fwd: %s %s: expected a hex mask such as 0x3\n", opt, v);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		char c = p[len - 1 - i];
		uint64_t d = (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);

		bits[i / 16] |= d << (i % 16 * 4);
		any |= d != 0;
	}
	if (!any) {
		fprintf(stderr, "sluice-fwd: %s %s: the mask is empty\n", opt, v);
		return -EINVAL;
	}
	return 0;
}

static int parse_peer(struct fwd_opts *o, const char *v)
{
	const char *comma = strchr(v, ',');
	uint64_t port;

	if (o->nb_peers == SL_PORT_MAX || comma == NULL ||
	    parse_uint("--eth-peer", strndupa(v, (size_t)(comma - v)), 0, SL_PORT_MAX - 1, &port) ||
	    sl_ether_addr_parse(comma + 1, &o->peers[o->nb_peers].mac) < 0) {
		fprintf(stderr, "sluice-fwd: --eth-peer %s: expected PORT,MAC\n", v);
		return -EINVAL;
	}
	o->peers[o->nb_peers++].port = (uint16_t)port;
	return 0;
}

/* testpmd's --eth-peers-configfile: one MAC a line, for port 0, 1... */
static int parse_peers_file(struct fwd_opts *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[128];
	uint16_t port = 0;

	if (f == NULL) {
		fprintf(stderr, "sluice-fwd: --eth-peers-configfile %s: %s\n", path,
			strerror(errno));
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f) && port < SL_PORT_MAX && o->nb_peers < SL_PORT_MAX) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (sl_ether_addr_parse(line, &o->peers[o->nb_peers].mac) < 0) {
			fprintf(stderr,
				"sluice-fwd: --eth-peers-configfile %s: '%s' is not a MAC\n", path,
				line);
			fclose(f);
			return -EINVAL;
		}
		o->peers[o->nb_peers++].port = port++;
	}
	fclose(f);
	return 0;
}

static int parse_map(struct fwd_opts *o, const char *v)
{
	unsigned p, q, l;
	int used = 0;

	if (o->nb_maps == FWD_MAX_STREAMS || sscanf(v, "%u:%u@%u%n", &p, &q, &l, &used) != 3 ||
	    v[used] != '\0' || p >= SL_PORT_MAX || q >= SL_PORT_MAX_QUEUES) {
		fprintf(stderr, "sluice-fwd: --map %s: expected PORT:QUEUE@LCORE\n", v);
		return -EINVAL;
	}
	o->maps[o->nb_maps].port = (uint16_t)p;
	o->maps[o->nb_maps].queue = (uint16_t)q;
	o->maps[o->nb_maps].lcore = l;
	o->nb_maps++;
	return 0;
}

/* testpmd's --txpkts takes segment lengths ("64" or "64,64"): one frame of their sum. */
static int parse_txpkts(struct fwd_app *app, const char *v)
{
	char buf[128], *save = NULL;
	uint64_t total = 0, len;
	unsigned segs = 0;

	if (strlen(v) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save), segs++) {
		if (parse_uint("--txpkts", t, 1, 9018, &len) < 0)
			return -EINVAL;
		total += len;
	}
	if (segs == 1) {
		if (parse_uint("--txpkts", v, 60, 9018, &len) < 0)
			return -EINVAL;
		app->pkt_size = (uint32_t)len;
		return 0;
	}
	if (total < 60 || total > 9018) {
		fprintf(stderr,
			"sluice-fwd: --txpkts %s: the segments add up to %" PRIu64
			" bytes; expected 60 to 9018\n",
			v, total);
		return -EINVAL;
	}
	fprintf(stderr,
		"sluice-fwd: --txpkts %s: sent as single-segment frames of %" PRIu64
		" bytes (sluice-fwd builds no multi-segment packets)\n",
		v, total);
	app->pkt_size = (uint32_t)total;
	return 0;
}

static int parse_topology(struct fwd_opts *o, const char *v)
{
	if (strcmp(v, "paired") == 0)
		o->topology = FWD_TOPO_PAIRED;
	else if (strcmp(v, "chained") == 0)
		o->topology = FWD_TOPO_CHAINED;
	else if (strcmp(v, "loop") == 0)
		o->topology = FWD_TOPO_LOOP;
	else {
		fprintf(stderr,
			"sluice-fwd: --port-topology %s: expected paired, chained or loop\n", v);
		return -EINVAL;
	}
	return 0;
}

/* getopt's table: ours, then noted_opts[] (built once). */
static struct option all_opts[SL_ARRAY_SIZE(own_opts) + SL_ARRAY_SIZE(noted_opts) + 1];

static void build_opts(void)
{
	size_t n = 0;

	if (all_opts[0].name)
		return;
	for (size_t i = 0; i < SL_ARRAY_SIZE(own_opts); i++)
		all_opts[n++] = own_opts[i];
	for (size_t i = 0; i < SL_ARRAY_SIZE(noted_opts); i++)
		all_opts[n++] = (struct option){.name = noted_opts[i].name,
						.has_arg = noted_opts[i].has_arg,
						.val = O_NOTED + (int)i};
	all_opts[n] = (struct option){NULL, 0, NULL, 0};
}

static int parse_one(struct fwd_app *app, struct fwd_opts *o, int opt, const char *arg)
{
	uint64_t v = 0;
	int rc = 0;

	switch (opt) {
	case O_MODE:
		app->mode = fwd_mode_find(arg);
		if (app->mode == NULL) {
			fprintf(stderr, "sluice-fwd: unknown mode '%s'; see --help\n", arg);
			return -EINVAL;
		}
		return 0;
	case O_PORTS:
		return parse_ports(o, arg);
	case O_PORTMASK: {
		uint64_t mask[SL_PORT_MAX / 32 + 1] = {0};

		rc = parse_mask("--portmask", arg, mask, 64);
		o->nb_ports = 0;
		for (unsigned p = 0; rc == 0 && p < SL_PORT_MAX; p++)
			if (mask[0] & (1ull << p))
				o->ports[o->nb_ports++] = (uint16_t)p;
		if (rc == 0 && mask[0] >> SL_PORT_MAX) {
			fprintf(stderr, "sluice-fwd: --portmask %s: port ids go up to %d\n", arg,
				SL_PORT_MAX - 1);
			rc = -EINVAL;
		}
		return rc;
	}
	case O_NB_PORTS:
		rc = parse_uint("--nb-ports", arg, 1, SL_PORT_MAX, &v);
		o->max_ports = (unsigned)v;
		return rc;
	case O_RXQ:
	case O_TXQ:
		rc = parse_uint(opt == O_RXQ ? "--rxq" : "--txq", arg, 1, SL_PORT_MAX_QUEUES, &v);
		*(opt == O_RXQ ? &app->nb_rxq : &app->nb_txq) = (uint16_t)v;
		return rc;
	case O_RXD:
	case O_TXD:
		rc = parse_uint(opt == O_RXD ? "--rxd" : "--txd", arg, 32, 32768, &v);
		*(opt == O_RXD ? &app->nb_rxd : &app->nb_txd) = (uint16_t)v;
		return rc;
	case O_BURST:
		rc = parse_uint("--burst", arg, 1, FWD_MAX_BURST, &v);
		app->burst = (uint16_t)v;
		return rc;
	case O_MAP:
		return parse_map(o, arg);
	case O_PEER:
		return parse_peer(o, arg);
	case O_PEERS_FILE:
		return parse_peers_file(o, arg);
	case O_TXPKTS:
		return parse_txpkts(app, arg);
	case O_FLOWS:
		rc = parse_uint("--flows", arg, 1, 1u << 24, &v);
		app->flows = (uint32_t)v;
		return rc;
	case O_RATE:
		return parse_uint("--rate", arg, 1, UINT32_MAX, &app->rate_pps);
	case O_RETRY:
		rc = parse_uint("--tx-retry", arg, 0, 1000, &v);
		app->tx_retry = (unsigned)v;
		return rc;
	case O_DURATION:
		return parse_double("--duration", arg, &app->duration);
	case O_PACKETS:
		return parse_uint("--packets", arg, 1, UINT64_MAX, &app->max_packets);
	case O_PERIOD:
		app->stats_period_given = true;
		return parse_double("--stats-period", arg, &app->stats_period);
	case O_JSON:
		app->json = true;
		return 0;
	case O_TX_FIRST:
		app->tx_first = true;
		return 0;
	case 'i':
		o->interactive = true;
		return 0;
	case 'a':
		o->auto_start = true;
		return 0;
	case O_CMDLINE_FILE:
		o->cmdline_file = arg;
		return 0;
	case O_NB_CORES:
		rc = parse_uint("--nb-cores", arg, 1, SL_MAX_LCORE, &v);
		o->nb_cores = (unsigned)v;
		return rc;
	case O_COREMASK:
		return parse_mask("--coremask", arg, o->coremask, SL_MAX_LCORE);
	case O_MBUFS:
		rc = parse_uint("--total-num-mbufs", arg, 256, 1u << 30, &v);
		o->total_mbufs = (uint32_t)v;
		return rc;
	case O_MBCACHE:
		rc = parse_uint("--mbcache", arg, 0, SL_POOL_CACHE_MAX_SIZE, &v);
		o->mbcache = (int)v;
		return rc;
	case O_MBUF_SIZE:
		rc = parse_uint("--mbuf-size", arg, SL_PKTBUF_HEADROOM + 64, 65535, &v);
		o->mbuf_size = (uint32_t)v;
		return rc;
	case O_MAX_PKT_LEN:
		rc = parse_uint("--max-pkt-len", arg, 64, 65535 - SL_PKTBUF_HEADROOM, &v);
		o->max_pkt_len = (uint32_t)v;
		return rc;
	case O_TOPOLOGY:
		return parse_topology(o, arg);
	case O_RSS_IP:
		o->rss_types = SL_PORT_RSS_IPV4 | SL_PORT_RSS_IPV6;
		o->rss_asked = true;
		return 0;
	case O_RSS_UDP:
		o->rss_types = SL_PORT_RSS_IPV4_UDP | SL_PORT_RSS_IPV6_UDP;
		o->rss_asked = true;
		return 0;
	case O_NO_RSS:
		o->rss_types = 0;
		o->rss_asked = false;
		return 0;
	case O_RX_CKSUM:
		o->rx_cksum = true;
		return 0;
	default:
		return -ENOENT;
	}
}

int fwd_parse_args(struct fwd_app *app, struct fwd_opts *o, int argc, char **argv)
{
	int opt, rc = 0;

	memset(o, 0, sizeof(*o));
	o->mbcache = -1;
	app->mode = &fwd_mode_io;
	build_opts();
	optind = 0;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, "+iah", all_opts, NULL)) != -1) {
		if (opt == O_HELP || opt == 'h') {
			fwd_usage(stdout);
			return 1;
		}
		if (opt == O_HELP_RT) {
			sl_usage(stdout);
			return 1;
		}
		if (opt >= O_NOTED && opt < O_NOTED + (int)SL_ARRAY_SIZE(noted_opts)) {
			fprintf(stderr, "sluice-fwd: --%s: no effect: %s\n",
				noted_opts[opt - O_NOTED].name, noted_opts[opt - O_NOTED].reason);
			continue;
		}
		rc = parse_one(app, o, opt, optarg);
		if (rc == -ENOENT) {
			if (optopt >= 256)
				fprintf(stderr,
					"sluice-fwd: option '%s' needs a value; see --help\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "sluice-fwd: unknown option '%s'; see --help\n",
					argv[optind - 1]);
			rc = -EINVAL;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "sluice-fwd: unexpected argument '%s'; see --help\n", argv[optind]);
		rc = -EINVAL;
	}
	if (rc == 0 && o->cmdline_file && !o->interactive) {
		fprintf(stderr,
			"sluice-fwd: --cmdline-file needs -i (the commands are the prompt's)\n");
		rc = -EINVAL;
	}
	if (rc == 0 && o->interactive) {
		/* testpmd: no periodic statistics in interactive mode; 'stop' ends a run. */
		if (app->duration > 0 || app->max_packets) {
			fprintf(stderr,
				"sluice-fwd: --duration/--packets: no effect with -i: forwarding "
				"runs from 'start' to 'stop'\n");
			app->duration = 0;
			app->max_packets = 0;
		}
		if (app->stats_period_given && app->stats_period > 0)
			fprintf(stderr,
				"sluice-fwd: --stats-period: no effect with -i (as in testpmd): "
				"type 'show port stats all'\n");
		app->stats_period = 0;
	}
	return rc;
}
