/* SPDX-License-Identifier: BSD-3-Clause */
/* Periodic and final reports of sluice-fwd, and the stop conditions checked with them. */
#ifndef FWD_REPORT_H
#define FWD_REPORT_H

#include "fwd.h"

struct report {
	struct fwd_app *app;
	uint64_t t0_ns, last_ns, last_check_tsc, check_every_tsc;
	struct sl_port_stats last[SL_PORT_MAX];
};

void report_start(struct report *r, struct fwd_app *app);
/* Prints the port and stream layout. */
void report_layout(const struct fwd_app *app);
/* Cheap unless a check is due: prints a periodic report, sets app->stop at the end. */
void report_tick(struct report *r);
/* Prints the final report (text or JSON).  Returns 0 when the accounting adds up. */
int report_final(struct report *r);

#endif
