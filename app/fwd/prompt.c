/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-fwd -i: the commands people type at testpmd's prompt, with testpmd's output shapes
 * so that the eye and scripts that read testpmd find their way.  The main lcore runs the
 * prompt; 'start' launches the workers on the streams, 'stop' makes them leave their loops
 * (app->stop) and prints what was forwarded since 'start'.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "line.h"
#include "options.h"
#include "prompt.h"

#define PROMPT "sluice> "
#define MAX_TOKENS 8

struct prompt {
	struct fwd_app *app;
	struct report *rep;
	bool quit;
};

typedef int (*cmd_fn)(struct prompt *p, int argc, char **argv);

struct cmd {
	const char *words; /* what to type, e.g. "show port stats" */
	const char *args;  /* what may follow, for the help */
	int min_args, max_args;
	cmd_fn fn;
	const char *help;
};

static const struct cmd cmds[];

/* --- ports: "all", a number, or nothing (all) --- */

static int for_ports(struct prompt *p, int argc, char **argv,
		     void (*fn)(struct prompt *p, uint16_t port))
{
	const struct fwd_app *app = p->app;
	bool exists = false;
	char *end;
	long id;
	int port;

	if (argc == 0 || strcmp(argv[0], "all") == 0) {
		for (unsigned i = 0; i < app->nb_ports; i++)
			fn(p, app->ports[i]);
		return 0;
	}
	id = strtol(argv[0], &end, 10);
	SL_PORT_FOREACH(port)
		exists |= port == id;
	if (*end != '\0' || argv[0][0] == '\0' || !exists) {
		printf("Invalid port %s\n", argv[0]);
		return -EINVAL;
	}
	fn(p, (uint16_t)id);
	return 0;
}

static void nic_stats(struct prompt *p, uint16_t port)
{
	report_nic_stats(p->rep, port);
}

static void nic_stats_clear(struct prompt *p, uint16_t port)
{
	report_nic_stats_clear(p->rep, port);
}

static void port_info(struct prompt *p, uint16_t port)
{
	report_port_info(p->app, port);
}

/* --- commands --- */

static int cmd_start(struct prompt *p, int argc, char **argv)
{
	struct fwd_app *app = p->app;
	bool lcores[SL_MAX_LCORE] = {false};
	unsigned nb_lcores = 0, nb_streams = 0;
	int rc;

	if (argc == 1 && strcmp(argv[0], "tx_first") != 0) {
		printf("Bad arguments: start [tx_first]\n");
		return -EINVAL;
	}
	if (app->running) {
		printf("Packet forwarding already started\n");
		return 0;
	}
	rc = report_run_begin(p->rep);
	if (rc == 0)
		rc = fwd_start(app, argc == 1);
	if (rc < 0) {
		printf("Cannot start forwarding: %s\n", strerror(-rc));
		return rc;
	}
	for (unsigned i = 0; i < app->nb_streams; i++) {
		uint32_t l = app->streams[i].lcore;

		if (l == FWD_LCORE_RETIRED)
			continue;
		nb_streams++;
		if (l < SL_MAX_LCORE && !lcores[l]) {
			lcores[l] = true;
			nb_lcores++;
		}
	}
	printf("%s packet forwarding - ports=%u - cores=%u - streams=%u\n", app->mode->name,
	       app->nb_ports, nb_lcores, nb_streams);
	report_layout(app);
	return 0;
}

static int stop(struct prompt *p)
{
	if (!p->app->running) {
		printf("Packet forwarding not started\n");
		return 0;
	}
	printf("Telling cores to stop...\nWaiting for lcores to finish...\n");
	fwd_stop(p->app);
	report_fwd_stats(p->rep);
	printf("\nDone.\n");
	return 0;
}

static int cmd_stop(struct prompt *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return stop(p);
}

static int cmd_show_stats(struct prompt *p, int argc, char **argv)
{
	return for_ports(p, argc, argv, nic_stats);
}

static int cmd_clear_stats(struct prompt *p, int argc, char **argv)
{
	return for_ports(p, argc, argv, nic_stats_clear);
}

static int cmd_show_info(struct prompt *p, int argc, char **argv)
{
	return for_ports(p, argc, argv, port_info);
}

static int cmd_show_fwd(struct prompt *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	report_fwd_stats(p->rep);
	return 0;
}

static int cmd_clear_fwd(struct prompt *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (report_run_begin(p->rep) < 0)
		return -ENOMEM;
	printf("\n  Forward statistics cleared\n");
	return 0;
}

static int cmd_show_config(struct prompt *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	report_layout(p->app);
	return 0;
}

static int cmd_set_fwd(struct prompt *p, int argc, char **argv)
{
	const struct fwd_mode *mode = fwd_mode_find(argv[0]);
	int rc;

	(void)argc;
	if (mode == NULL) {
		printf("Invalid mode '%s'; the modes are: ", argv[0]);
		fflush(stdout);
		fwd_modes_list(stdout);
		printf("\n");
		return -EINVAL;
	}
	if (p->app->running) {
		printf("Forwarding is running: type 'stop' first, then 'set fwd %s'\n", argv[0]);
		return -EBUSY;
	}
	rc = fwd_set_mode(p->app, mode);
	if (rc < 0) {
		printf("Cannot set %s mode: %s\n", mode->name, strerror(-rc));
		return rc;
	}
	printf("Set %s packet forwarding mode\n", mode->name);
	return 0;
}

static int cmd_help(struct prompt *p, int argc, char **argv)
{
	(void)p;
	(void)argc;
	(void)argv;
	printf("\nCommands (testpmd's names):\n");
	for (const struct cmd *c = cmds; c->words; c++) {
		char both[64];

		snprintf(both, sizeof(both), "%s %s", c->words, c->args);
		printf("  %-26s %s\n", both, c->help);
	}
	printf("Modes: ");
	fflush(stdout);
	fwd_modes_list(stdout);
	printf("\n\n");
	return 0;
}

static int cmd_quit(struct prompt *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (p->app->running)
		stop(p);
	p->quit = true;
	printf("\nBye...\n");
	return 0;
}

static const struct cmd cmds[] = {
	{"start", "[tx_first]", 0, 1, cmd_start,
	 "start forwarding (tx_first: one generated burst on each stream first)"},
	{"stop", "", 0, 0, cmd_stop, "stop forwarding; print what was forwarded since start"},
	{"show port stats", "[all|N]", 0, 1, cmd_show_stats,
	 "port counters and the rates since the last show"},
	{"show port info", "[all|N]", 0, 1, cmd_show_info, "driver, MAC, link, MTU, queues"},
	{"clear port stats", "[all|N]", 0, 1, cmd_clear_stats, "reset the port counters"},
	{"show fwd stats", "[all]", 0, 1, cmd_show_fwd, "forward statistics since start"},
	{"clear fwd stats", "[all]", 0, 1, cmd_clear_fwd, "count forward statistics from now"},
	{"show config fwd", "", 0, 0, cmd_show_config, "the streams and their lcores"},
	{"set fwd", "MODE", 1, 1, cmd_set_fwd, "the forwarding mode, while stopped"},
	{"help", "[SECTION]", 0, 1, cmd_help, "this list"},
	{"quit", "", 0, 0, cmd_quit, "stop, print the final report and exit (also: exit, EOF)"},
	{"exit", "", 0, 0, cmd_quit, "the same as quit"},
	{NULL, NULL, 0, 0, NULL, NULL},
};

/* How many of the command's words start tokens (0 unless all of them). */
static int words_match(const char *words, int ntok, char **tok)
{
	char buf[64], *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save), n++)
		if (n >= ntok || strcmp(w, tok[n]) != 0)
			return 0;
	return n;
}

/* Runs one command line.  Returns 0 or -errno (printed). */
static int run_line(struct prompt *p, char *line)
{
	char *tok[MAX_TOKENS + 1], *save = NULL;
	int ntok = 0;

	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == MAX_TOKENS) {
			printf("Bad arguments: too many words\n");
			return -EINVAL;
		}
		tok[ntok++] = t;
	}
	if (ntok == 0 || tok[0][0] == '#')
		return 0;
	for (const struct cmd *c = cmds; c->words; c++) {
		int n = words_match(c->words, ntok, tok);

		if (n == 0)
			continue;
		if (ntok - n < c->min_args || ntok - n > c->max_args) {
			printf("Bad arguments: %s %s\n", c->words, c->args);
			return -EINVAL;
		}
		return c->fn(p, ntok - n, tok + n);
	}
	printf("Command not found: '%s' (type help)\n", tok[0]);
	return -EINVAL;
}

/* testpmd's --cmdline-file: each line as typed, echoed after the prompt. */
static int run_file(struct prompt *p, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int failed = 0;

	if (f == NULL) {
		fprintf(stderr, "sluice-fwd: --cmdline-file %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (!p->quit && fgets(line, sizeof(line), f)) {
		printf(PROMPT "%s%s", line, strchr(line, '\n') ? "" : "\n");
		failed += run_line(p, line) < 0;
	}
	fclose(f);
	printf("Read CLI commands from %s done.\n", path);
	return failed;
}

/* A line from stdin without editing (not a terminal, or no libedit): echoed when stdin is
 * not a terminal, so the transcript shows what ran. */
static char *read_plain(bool tty)
{
	char *line = NULL;
	size_t cap = 0;

	printf(PROMPT);
	fflush(stdout);
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		return NULL;
	}
	if (!tty)
		printf("%s%s", line, strchr(line, '\n') ? "" : "\n");
	return line;
}

/* What Tab completes: the commands' words and the modes. */
static const char *const words[] = {
	"start", "stop",    "show",   "clear",	"set",	   "port", "stats",    "info",
	"fwd",	 "config",  "help",   "quit",	"exit",	   "all",  "tx_first", "io",
	"mac",	 "macswap", "rxonly", "txonly", "flowgen", "csum", NULL,
};

int prompt_run(struct fwd_app *app, struct report *rep, const char *cmdline_file, bool auto_start)
{
	struct prompt p = {.app = app, .rep = rep};
	bool tty = isatty(STDIN_FILENO), edit = false;
	int failed = 0;

	if (tty) {
		edit = line_edit_init(words);
		if (!edit)
			fprintf(stderr, "sluice-fwd: no line editing: built without libedit "
					"(apt-get install libedit-dev, then rebuild)\n");
	}
	if (cmdline_file)
		failed = run_file(&p, cmdline_file);
	if (auto_start && !p.quit) {
		char start[32];

		snprintf(start, sizeof(start), "start%s", app->tx_first ? " tx_first" : "");
		printf(PROMPT "%s\n", start);
		run_line(&p, start);
	}
	while (!p.quit) {
		char *line = edit ? line_edit_read(PROMPT) : read_plain(tty);

		if (line == NULL) {
			/* End of input or a signal: testpmd quits either way. */
			printf(__atomic_load_n(&app->quit, __ATOMIC_RELAXED)
				       ? "\nSignal received: quit\n"
				       : "quit\n");
			cmd_quit(&p, 0, NULL);
			break;
		}
		run_line(&p, line);
		free(line);
		if (!p.quit && __atomic_load_n(&app->quit, __ATOMIC_RELAXED))
			cmd_quit(&p, 0, NULL);
	}
	if (edit)
		line_edit_end();
	return failed ? 1 : 0;
}
