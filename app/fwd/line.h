/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Line editing for the prompt: line_edit.c with libedit, line_none.c without (the build
 * picks one).  The prompt reads plain lines itself when stdin is not a terminal.
 */
#ifndef FWD_LINE_H
#define FWD_LINE_H

#include <stdbool.h>

/* Whether lines can be edited (libedit built in).  words: what Tab completes, NULL-ended. */
bool line_edit_init(const char *const *words);
/* Prints the prompt and reads one edited line (history kept).  Returns it (free() it), or
 * NULL at end of input or when a signal interrupted the read. */
char *line_edit_read(const char *prompt);
void line_edit_end(void);

#endif
