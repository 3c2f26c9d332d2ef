/* SPDX-License-Identifier: BSD-3-Clause */
/* sluice-fwd's own options (after "--"), testpmd's names included. */
#ifndef FWD_OPTIONS_H
#define FWD_OPTIONS_H

#include <stdio.h>

#include "fwd.h"

enum fwd_topology {
	FWD_TOPO_PAIRED,  /* 0<->1, 2<->3; an odd last port to itself */
	FWD_TOPO_CHAINED, /* 0->1->2->...->0 */
	FWD_TOPO_LOOP,	  /* each port to itself */
};

/* What the options ask for at setup; the run-time settings go straight into fwd_app. */
struct fwd_opts {
	uint16_t ports[SL_PORT_MAX]; /* --ports / --portmask / --portlist; none = every port */
	unsigned nb_ports;
	unsigned max_ports; /* --nb-ports: the first N of them; 0 = all */
	struct {
		uint16_t port, queue;
		uint32_t lcore;
	} maps[FWD_MAX_STREAMS]; /* --map P:Q@LCORE */
	unsigned nb_maps;
	struct {
		uint16_t port;
		struct sl_ether_addr mac;
	} peers[SL_PORT_MAX]; /* --eth-peer P,MAC */
	unsigned nb_peers;
	enum fwd_topology topology;	      /* --port-topology */
	unsigned nb_cores;		      /* --nb-cores: forwarding lcores; 0 = every worker */
	uint64_t coremask[SL_MAX_LCORE / 64]; /* --coremask: which lcores forward; 0 = workers */
	uint32_t total_mbufs;		      /* --total-num-mbufs; 0 = sized from the queues */
	int mbcache;			      /* --mbcache: pool cache per lcore; -1 = 256 */
	uint32_t mbuf_size;   /* --mbuf-size: buffer size, headroom included (as DPDK's) */
	uint32_t max_pkt_len; /* --max-pkt-len: MTU = this - 18; 0 = the driver's */
	uint64_t rss_types;   /* --rss-ip / --rss-udp (used with --rxq > 1) */
	bool rss_asked;
	bool rx_cksum;		  /* --enable-rx-cksum */
	bool interactive;	  /* -i: the prompt */
	bool auto_start;	  /* -a/--auto-start: with -i, start forwarding at once */
	const char *cmdline_file; /* --cmdline-file: prompt commands run first (with -i) */
};

/* Parses argv (what follows "--") into app and o.  Returns 0, 1 after printing the help
 * (exit 0), or -EINVAL after one line on stderr naming the option. */
int fwd_parse_args(struct fwd_app *app, struct fwd_opts *o, int argc, char **argv);

void fwd_usage(FILE *out);

/* The mode of that name, or NULL. */
const struct fwd_mode *fwd_mode_find(const char *name);
/* Prints the mode names separated by spaces. */
void fwd_modes_list(FILE *out);

#endif
