/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sluice's net_bonding and DPDK's net_bonding side by side in one process, on the same
 * kind of members: two null ports each (Sluice's net_null, DPDK's net_null: rx hands out
 * fresh 64-byte packets from the pool, tx frees them).  A round takes a burst of 32 in
 * through the port, writes a UDP/IPv4 header of one of 1024 flows into each packet, and
 * sends the burst out through the port.  The same round on a null port alone ("direct")
 * gives each side's cost without a bond (pool, null driver, headers); the bond's own cost
 * is the difference, and the ratio of the two differences compares the bonds.  DPDK's
 * bond cannot take ring members (its ring PMD has no MAC set: the bond refuses to start).
 *
 *   bond_vs_dpdk [-r REPS] [-b BURSTS] [-m MODE[,MODE...]]
 *
 * Modes: xor-l34, xor-l23, xor-l2 (balance-xor with that hash), ab (active-backup).
 * Medians of REPS repetitions (default 9), the two sides alternating which goes first;
 * each repetition is BURSTS rounds (default 200000).  Before timing, each side checks that
 * both members carried packets (balance-xor).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_bond.h>
#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "sl_bond.h"
#include "sl_cycles.h"
#include "sl_log.h"
#include "sl_pktbuf.h"
#include "sl_port.h"

#define BURST 32
#define FLOWS 1024
#define MAX_REPS 64

static unsigned reps = 9;
static unsigned long bursts = 200000;

struct mode {
	const char *name;
	const char *sl_args;
	uint8_t dp_mode, dp_policy;
};

static const struct mode modes[] = {
	{"xor-l34", "mode=balance-xor,xmit_policy=l34", BONDING_MODE_BALANCE,
	 BALANCE_XMIT_POLICY_LAYER34},
	{"xor-l23", "mode=balance-xor,xmit_policy=l23", BONDING_MODE_BALANCE,
	 BALANCE_XMIT_POLICY_LAYER23},
	{"xor-l2", "mode=balance-xor,xmit_policy=l2", BONDING_MODE_BALANCE,
	 BALANCE_XMIT_POLICY_LAYER2},
	{"ab", "mode=active-backup", BONDING_MODE_ACTIVE_BACKUP, 0},
};

static void die(const char *what)
{
	fprintf(stderr, "bond_vs_dpdk: %s\n", what);
	exit(1);
}

/* A 64-byte UDP/IPv4 frame of flow f (source address and port vary; MACs too, by f % 8). */
static void fill(uint8_t *d, unsigned f)
{
	memset(d, 0, 64);
	memcpy(d, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	d[11] = (uint8_t)(f & 7);
	d[14] = 0x45;
	d[17] = 50;
	d[22] = 64;
	d[23] = 17;
	d[26] = 10, d[27] = 1, d[28] = (uint8_t)(f >> 8), d[29] = (uint8_t)f;
	d[30] = 10, d[31] = 2, d[32] = 0, d[33] = 1;
	d[34] = (uint8_t)(f >> 8), d[35] = (uint8_t)(f * 2 + (f >> 3)), d[36] = 0x12, d[37] = 0x34;
	d[39] = 30;
}

static double median(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --- Sluice --- */

static struct sl_pool *sl_mp;
static int sl_bond_id = -1, sl_direct = -1;

static void sl_port_up(int id)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};

	if (id < 0 || sl_port_configure((uint16_t)id, &conf) < 0 ||
	    sl_port_rxq_setup((uint16_t)id, 0, 1024, -1, sl_mp) < 0 ||
	    sl_port_txq_setup((uint16_t)id, 0, 1024, -1) < 0 || sl_port_start((uint16_t)id) < 0)
		die("Sluice port set-up failed");
}

static void sl_setup(const struct mode *m)
{
	struct sl_bond_status st;
	char dev[256];
	unsigned active = 0;

	if (sl_direct < 0) {
		sl_direct = sl_port_create("net_null3");
		sl_port_up(sl_direct);
	}
	if (sl_bond_id >= 0)
		sl_port_close((uint16_t)sl_bond_id);
	snprintf(dev, sizeof(dev), "net_bonding0,%s,member=(net_null1),member=(net_null2)",
		 m->sl_args);
	sl_bond_id = sl_port_create(dev);
	sl_port_up(sl_bond_id);
	for (int i = 0; i < 1000 && active == 0; i++) {
		sl_bond_status((uint16_t)sl_bond_id, &st);
		for (unsigned k = 0; k < st.nb_members; k++)
			active += st.members[k].active;
		usleep(1000);
	}
	if (active == 0)
		die("Sluice bond: no member active");
}

static double sl_time(int id)
{
	struct sl_pktbuf *pkts[BURST];
	uint16_t port = (uint16_t)id;
	unsigned flow = 0;
	uint64_t t0 = sl_rdtsc_ordered();

	for (unsigned long i = 0; i < bursts; i++) {
		uint16_t n = sl_port_rx_burst(port, 0, pkts, BURST), sent;

		for (uint16_t k = 0; k < n; k++)
			fill(sl_pktbuf_mtod(pkts[k], uint8_t *), flow++ % FLOWS);
		sent = sl_port_tx_burst(port, 0, pkts, n);
		if (n != BURST || sent != n)
			die("Sluice: a burst short");
	}
	return (double)(sl_rdtsc_ordered() - t0) / ((double)bursts * BURST);
}

/* --- DPDK --- */

static struct rte_mempool *dp_mp;
static uint16_t dp_member[2], dp_direct;
static int dp_bond = -1;

static uint16_t dp_null(const char *name)
{
	uint16_t id;

	if (rte_vdev_init(name, "size=64") != 0 || rte_eth_dev_get_port_by_name(name, &id) != 0)
		die("DPDK: cannot create a net_null port");
	return id;
}

static void dp_port_up(uint16_t id)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(id, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(id, 0, 1024, rte_socket_id(), NULL, dp_mp) < 0 ||
	    rte_eth_tx_queue_setup(id, 0, 1024, rte_socket_id(), NULL) < 0 ||
	    rte_eth_dev_start(id) < 0)
		die("DPDK port set-up failed");
}

static void dp_setup(const struct mode *m)
{
	uint16_t act[4];
	static char name[32];
	int n = 0;
	static int gen;

	if (dp_bond >= 0) {
		rte_eth_dev_stop((uint16_t)dp_bond);
		for (int i = 0; i < 2; i++)
			rte_eth_bond_slave_remove((uint16_t)dp_bond, dp_member[i]);
		if (rte_eth_bond_free(name) != 0)
			die("DPDK: rte_eth_bond_free failed");
	}
	snprintf(name, sizeof(name), "net_bonding%d", 10 + gen++);
	dp_bond = rte_eth_bond_create(name, m->dp_mode, (uint8_t)rte_socket_id());
	if (dp_bond < 0)
		die("DPDK: rte_eth_bond_create failed");
	for (int i = 0; i < 2; i++)
		if (rte_eth_bond_slave_add((uint16_t)dp_bond, dp_member[i]) != 0)
			die("DPDK: rte_eth_bond_slave_add failed");
	if (m->dp_mode == BONDING_MODE_BALANCE &&
	    rte_eth_bond_xmit_policy_set((uint16_t)dp_bond, m->dp_policy) != 0)
		die("DPDK: rte_eth_bond_xmit_policy_set failed");
	dp_port_up((uint16_t)dp_bond);
	for (int i = 0; i < 1000 && n <= 0; i++) {
		n = rte_eth_bond_active_slaves_get((uint16_t)dp_bond, act, 4);
		usleep(1000);
	}
	if (n <= 0)
		die("DPDK bond: no member active");
}

static double dp_time(int id)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t port = (uint16_t)id;
	unsigned flow = 0;
	uint64_t t0 = sl_rdtsc_ordered();

	for (unsigned long i = 0; i < bursts; i++) {
		uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST), sent;

		for (uint16_t k = 0; k < n; k++)
			fill(rte_pktmbuf_mtod(pkts[k], uint8_t *), flow++ % FLOWS);
		sent = rte_eth_tx_burst(port, 0, pkts, n);
		if (n != BURST || sent != n)
			die("DPDK: a burst short");
	}
	return (double)(sl_rdtsc_ordered() - t0) / ((double)bursts * BURST);
}

/* Both members carried packets (balance modes). */
static void check(const struct mode *m)
{
	struct rte_eth_stats a, b;
	struct sl_port_stats sa, sb;
	unsigned long keep = bursts;

	bursts = 256;
	rte_eth_stats_reset(dp_member[0]);
	rte_eth_stats_reset(dp_member[1]);
	sl_time(sl_bond_id);
	dp_time(dp_bond);
	bursts = keep;
	if (m->dp_mode != BONDING_MODE_BALANCE)
		return;
	rte_eth_stats_get(dp_member[0], &a);
	rte_eth_stats_get(dp_member[1], &b);
	sl_port_stats((uint16_t)sl_port_lookup("net_null1"), &sa);
	sl_port_stats((uint16_t)sl_port_lookup("net_null2"), &sb);
	if (a.opackets == 0 || b.opackets == 0 || sa.opackets == 0 || sb.opackets == 0)
		die("balance-xor: a member carried nothing");
	printf("  (%s: members sent Sluice %llu + %llu, DPDK %llu + %llu)\n", m->name,
	       (unsigned long long)sa.opackets, (unsigned long long)sb.opackets,
	       (unsigned long long)a.opackets, (unsigned long long)b.opackets);
}

int main(int argc, char **argv)
{
	char prefix[64], *eal[16];
	const char *want = "xor-l34,xor-l23,xor-l2,ab";
	int ne = 0, opt;

	while ((opt = getopt(argc, argv, "r:b:m:h")) != -1) {
		switch (opt) {
		case 'r':
			reps = (unsigned)atoi(optarg);
			break;
		case 'b':
			bursts = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			want = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-r REPS (1..%d)] [-b BURSTS] [-m MODE,...]\n",
				argv[0], MAX_REPS);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS || bursts == 0)
		die("-r is 1..64 and -b at least 1");
	snprintf(prefix, sizeof(prefix), "--file-prefix=bondvs%d", (int)getpid());
	eal[ne++] = argv[0];
	eal[ne++] = (char *)"--no-huge";
	eal[ne++] = (char *)"--no-pci";
	eal[ne++] = (char *)"-m";
	eal[ne++] = (char *)"256";
	eal[ne++] = (char *)"-l";
	eal[ne++] = (char *)"0";
	eal[ne++] = prefix;
	eal[ne++] = (char *)"--log-level=*:warning";
	if (rte_eal_init(ne, eal) < 0)
		die("rte_eal_init failed");
	sl_log_set_levels("warning");
	dp_mp = rte_pktmbuf_pool_create("bondvs", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	sl_mp = sl_pktbuf_pool_create("bondvs", 8191, 256, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, -1);
	if (dp_mp == NULL || sl_mp == NULL)
		die("pools");
	dp_member[0] = dp_null("net_null0");
	dp_member[1] = dp_null("net_null1");
	dp_direct = dp_null("net_null2");
	dp_port_up(dp_direct);
	printf("rx 32 + write headers (1024 UDP flows) + tx 32, through a bond of 2 net_null "
	       "members or a net_null port alone;\n%lu rounds x %u reps (medians), cycles per "
	       "packet; bond = what the bond adds to direct\n",
	       bursts, reps);
	printf("%-8s %8s %8s %8s %8s %10s %10s %8s\n", "mode", "Sl dir", "Sl bond", "DP dir",
	       "DP bond", "Sl bond+", "DP bond+", "DP/Sl");
	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		const struct mode *m = &modes[k];
		double s[MAX_REPS], d[MAX_REPS], sd[MAX_REPS], dd[MAX_REPS];

		if (strstr(want, m->name) == NULL)
			continue;
		sl_setup(m);
		dp_setup(m);
		check(m);
		for (unsigned r = 0; r < reps; r++) {
			if (r % 2) {
				dd[r] = dp_time(dp_direct);
				d[r] = dp_time(dp_bond);
				sd[r] = sl_time(sl_direct);
				s[r] = sl_time(sl_bond_id);
			} else {
				sd[r] = sl_time(sl_direct);
				s[r] = sl_time(sl_bond_id);
				dd[r] = dp_time(dp_direct);
				d[r] = dp_time(dp_bond);
			}
		}
		double ms = median(s, reps), md = median(d, reps), msd = median(sd, reps),
		       mdd = median(dd, reps);

		printf("%-8s %8.1f %8.1f %8.1f %8.1f %10.1f %10.1f %7.2fx\n", m->name, msd, ms, mdd,
		       md, ms - msd, md - mdd, (md - mdd) / (ms - msd));
		fflush(stdout);
	}
	return 0;
}
