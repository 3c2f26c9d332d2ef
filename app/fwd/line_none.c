/* SPDX-License-Identifier: BSD-3-Clause */
/* Built without libedit (apt-get install libedit-dev): the prompt reads plain lines. */
#include <stddef.h>

#include "line.h"

bool line_edit_init(const char *const *words)
{
	(void)words;
	return false;
}

char *line_edit_read(const char *prompt)
{
	(void)prompt;
	return NULL;
}

void line_edit_end(void)
{
}
