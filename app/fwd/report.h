/* SPDX-License-Identifier: BSD-3-Clause */
/* Periodic and final reports of sluice-fwd, and the stop conditions checked with them. */
#ifndef FWD_REPORT_H
#define FWD_REPORT_H

#include "fwd.h"

/* A stream's counters, or their sum over streams. */
struct fwd_counts {
	uint64_t rx, tx, generated, consumed, dropped;
	uint64_t drops[FWD_DROP_MAX];
	uint64_t extra[FWD_MAX_EXTRA];
};

struct report {
	struct fwd_app *app;
	uint64_t t0_ns, last_ns, last_check_tsc, check_every_tsc;
	struct sl_port_stats last[SL_PORT_MAX];
	/* The prompt's (-i): counts at the last 'start', port counters at the last show. */
	struct fwd_counts *run_base; /* per stream */
	unsigned run_base_n;
	bool run_base_moving; /* taken while the workers ran */
	struct sl_port_stats run_port[SL_PORT_MAX];
	struct sl_port_stats shown[SL_PORT_MAX];
	uint64_t shown_ns[SL_PORT_MAX];
};

void report_start(struct report *r, struct fwd_app *app);
/* Prints the port and stream layout. */
void report_layout(const struct fwd_app *app);
/* Cheap unless a check is due: prints a periodic report, sets app->stop at the end. */
void report_tick(struct report *r);
/* Prints the final report (text or JSON).  Returns 0 when the accounting adds up. */
int report_final(struct report *r);
void report_free(struct report *r);

/* testpmd-shaped blocks for the prompt.  report_run_begin() takes the counts 'stop' and
 * 'show fwd stats' count from (returns 0 or -ENOMEM); report_fwd_stats() prints testpmd's
 * "Forward statistics" blocks since then and the accounting line, and returns 0 when it
 * adds up. */
int report_run_begin(struct report *r);
int report_fwd_stats(struct report *r);
/* "show port stats N": the port's counters and the rates since the last show. */
void report_nic_stats(struct report *r, uint16_t port);
/* "clear port stats N". */
void report_nic_stats_clear(struct report *r, uint16_t port);
/* "show port info N". */
void report_port_info(const struct fwd_app *app, uint16_t port);

#endif
