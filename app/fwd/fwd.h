/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-fwd: forwards packets between ports, testpmd's role.
 *
 * A stream moves packets from one rx queue to one tx queue (txonly: only a tx queue).  Each
 * stream belongs to one lcore, which runs its mode's burst function in a loop; counters
 * live in the stream, written by that lcore alone and summed by the main lcore.
 * Accounting: received + generated = sent + dropped + consumed, per stream.  Streams count
 * packets only; bytes are the ports' counters, so io mode never touches a packet.
 */
#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_net.h"
#include "sl_pktbuf.h"
#include "sl_port.h"
#include "sl_runtime.h"

#define FWD_MAX_BURST 512
#define FWD_MAX_STREAMS (SL_PORT_MAX * SL_PORT_MAX_QUEUES)
#define FWD_MAX_EXTRA 4
/* Bytes of the template a generator writes per packet (the headers; the pool was filled
 * with the whole template at start). */
#define FWD_GEN_HDR_LEN 64

/* Why a packet was dropped. */
enum fwd_drop {
	FWD_DROP_TX_FULL, /* the tx queue took fewer than offered */
	FWD_DROP_RUNT,    /* too short for the mode (e.g. no Ethernet header) */
	FWD_DROP_NO_BUF,  /* txonly/flowgen: the pool was empty */
	FWD_DROP_STOPPED, /* received while draining at stop */
	FWD_DROP_MAX,
};

extern const char *const fwd_drop_names[FWD_DROP_MAX];

struct fwd_app;

struct fwd_stream {
	uint16_t rx_port, rx_queue; /* rx_port == UINT16_MAX: generates instead of receiving */
	uint16_t tx_port, tx_queue;
	uint32_t lcore;
	uint16_t burst;
	struct fwd_app *app;
	uint64_t budget; /* txonly/flowgen: packets left to generate (UINT64_MAX: no limit) */
	uint64_t tsc_per_pkt;       /* txonly/flowgen rate limit; 0 = none */
	uint64_t next_tsc;
	uint32_t flow;              /* flowgen: next flow */
	/* Counters: written by the stream's lcore with sl_counter_add(), read by main. */
	uint64_t rx_pkts SL_CACHE_ALIGNED;
	uint64_t tx_pkts;
	uint64_t generated;
	uint64_t consumed;          /* rxonly: received and freed by design */
	uint64_t drops[FWD_DROP_MAX];
	uint64_t extra[FWD_MAX_EXTRA]; /* mode-specific, named by fwd_mode.extra_names */
} SL_CACHE_ALIGNED;

/* A forwarding mode: one file each. */
struct fwd_mode {
	const char *name;
	const char *help;
	bool generates;                  /* streams have no rx queue (txonly, flowgen) */
	const char *const *extra_names;  /* names of stream->extra[], NULL-terminated */
	int (*init)(struct fwd_app *app); /* optional, before ports start */
	void (*burst)(struct fwd_stream *s);
};

struct fwd_app {
	const struct fwd_mode *mode;
	uint16_t ports[SL_PORT_MAX];
	unsigned nb_ports;
	uint16_t peer[SL_PORT_MAX];         /* by port id: where its packets go */
	struct sl_ether_addr peer_mac[SL_PORT_MAX]; /* by port id: destination MAC in mac mode */
	struct sl_ether_addr port_mac[SL_PORT_MAX]; /* by port id: its own MAC (read at start) */
	uint16_t nb_rxq, nb_txq, nb_rxd, nb_txd, burst;
	struct sl_pool *pool;
	struct fwd_stream *streams;
	unsigned nb_streams;
	double duration;                    /* seconds; 0 = until a signal */
	uint64_t max_packets;               /* stop after this many; 0 = no limit */
	double stats_period;                /* seconds between reports; 0 = none */
	bool json;
	bool tx_first;			    /* one generated burst per stream at start */
	unsigned tx_retry;                  /* extra tx attempts before dropping */
	uint32_t pkt_size;                  /* txonly/flowgen frame size, no FCS */
	uint32_t flows;                     /* flowgen: distinct flows */
	uint64_t rate_pps;	   /* txonly/flowgen: total rate; 0 = as fast as possible */
	bool gen_rxq[SL_PORT_MAX]; /* txonly/flowgen: port has rx queue 0 (drained at stop) */
	uint8_t template_frame[9018];       /* txonly/flowgen: frame copied into each packet */
	int stop;                           /* (main, atomic) set to end the run */
	/* Control only (main lcore), never read by the workers: */
	bool stats_period_given; /* --stats-period was on the command line */
	bool running;		 /* -i: the workers run the streams ('start') */
	int quit;		 /* (signal handler, atomic) -i: leave the prompt */
	struct sl_port_conf port_conf[SL_PORT_MAX]; /* by port id: as configured */
};

/* lcore of a stream no lcore runs any more (the prompt changed mode; its counts stay). */
#define FWD_LCORE_RETIRED SL_LCORE_ANY

extern const struct fwd_mode fwd_mode_io, fwd_mode_mac, fwd_mode_macswap, fwd_mode_rxonly,
	fwd_mode_txonly, fwd_mode_flowgen, fwd_mode_csum;

static inline bool fwd_stopping(const struct fwd_app *app)
{
	return __atomic_load_n(&app->stop, __ATOMIC_RELAXED) != 0;
}

/* Sends n packets on the stream's tx queue, retrying as configured, and drops (frees and
 * counts) what the queue would not take. */
static inline void fwd_send(struct fwd_stream *s, struct sl_pktbuf **pkts, uint16_t n)
{
	uint16_t sent = sl_port_tx_burst(s->tx_port, s->tx_queue, pkts, n);

	for (unsigned retry = 0; sent < n && retry < s->app->tx_retry; retry++) {
		sl_delay_us(1);
		sent += sl_port_tx_burst(s->tx_port, s->tx_queue, pkts + sent,
					 (uint16_t)(n - sent));
	}
	sl_counter_add(&s->tx_pkts, sent);
	if (sl_unlikely(sent < n)) {
		sl_counter_add(&s->drops[FWD_DROP_TX_FULL], n - sent);
		sl_pktbuf_free_bulk(pkts + sent, (uint16_t)(n - sent));
	}
}

/* Receives a burst and counts it. */
static inline uint16_t fwd_recv(struct fwd_stream *s, struct sl_pktbuf **pkts)
{
	uint16_t n = sl_port_rx_burst(s->rx_port, s->rx_queue, pkts, s->burst);

	if (n == 0)
		return 0;
	sl_counter_add(&s->rx_pkts, n);
	return n;
}

/* Drops packets that are too short for the mode; returns how many remain (compacted). */
static inline uint16_t fwd_drop_runts(struct fwd_stream *s, struct sl_pktbuf **pkts, uint16_t n,
				      uint32_t min_len)
{
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (sl_likely(pkts[i]->data_len >= min_len)) {
			pkts[kept++] = pkts[i];
		} else {
			sl_counter_add(&s->drops[FWD_DROP_RUNT], 1);
			sl_pktbuf_free(pkts[i]);
		}
	}
	return kept;
}

/* txonly/flowgen: how many packets this stream may generate now (rate and budget). */
uint16_t fwd_gen_allowance(struct fwd_stream *s);

/* txonly/flowgen: takes this round's allowance of buffers holding the template (counted as
 * generated; an empty pool counts them as dropped, no_buffer) and returns how many. */
uint16_t fwd_gen_alloc(struct fwd_stream *s, struct sl_pktbuf **pkts);

/* Builds app->template_frame: Ethernet/IPv4/UDP of app->pkt_size bytes from the tx port to
 * its peer, IPv4 checksum set, UDP checksum 0, and writes it into every buffer of the pool,
 * so that generators copy only the first FWD_GEN_HDR_LEN bytes per packet. */
void fwd_build_template(struct fwd_app *app, uint16_t tx_port);

#endif
