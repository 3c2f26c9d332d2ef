/* SPDX-License-Identifier: BSD-3-Clause */
/* sluice-fwd -i: testpmd's interactive commands, and what they ask of the forwarder. */
#ifndef FWD_PROMPT_H
#define FWD_PROMPT_H

#include "fwd.h"
#include "report.h"

/* Provided by main.c, called from the main lcore only. */
/* Launches the workers on the streams ('start'); tx_first sends one generated burst on each
 * forwarding stream first.  Returns 0 or -errno (-EALREADY when running). */
int fwd_start(struct fwd_app *app, bool tx_first);
/* Tells the workers to leave their loops and waits for them ('stop'). */
void fwd_stop(struct fwd_app *app);
/* Switches to another mode while stopped, rebuilding the streams when it generates and the
 * old one did not (or the reverse).  Returns 0, -EBUSY while running, or -errno. */
int fwd_set_mode(struct fwd_app *app, const struct fwd_mode *mode);

/*
 * Reads commands until 'quit' or end of input, with line editing when stdin is a terminal
 * (libedit, when built in).  cmdline_file: commands run first (testpmd's --cmdline-file),
 * or NULL; auto_start: start forwarding before the first prompt.  Leaves the forwarder
 * stopped.  Returns 0, or 1 when a command of cmdline_file failed.
 */
int prompt_run(struct fwd_app *app, struct report *rep, const char *cmdline_file, bool auto_start);

#endif
