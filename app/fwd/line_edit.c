/* SPDX-License-Identifier: BSD-3-Clause */
/* Line editing with libedit's readline interface (BSD licence): history and Tab. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

#include "line.h"

static const char *const *completions;

static char *complete_word(const char *text, int state)
{
	static size_t next, len;

	if (state == 0) {
		next = 0;
		len = strlen(text);
	}
	while (completions[next]) {
		const char *w = completions[next++];

		if (strncmp(w, text, len) == 0)
			return strdup(w);
	}
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1; /* words only, never file names */
	return rl_completion_matches(text, complete_word);
}

bool line_edit_init(const char *const *words)
{
	completions = words;
	rl_readline_name = "sluice-fwd";
	/* Our SIGINT/SIGTERM handler must see the signal and the read must end: libedit's
	 * own handlers would re-send it to the whole process group. */
	rl_catch_signals = 0;
	rl_attempted_completion_function = complete;
	using_history();
	return true;
}

char *line_edit_read(const char *prompt)
{
	char *line = readline(prompt);

	if (line && line[strspn(line, " \t")] != '\0')
		add_history(line);
	return line;
}

void line_edit_end(void)
{
	clear_history();
}
