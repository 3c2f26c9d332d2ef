/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice top: a live view of a running Sluice process, read through its telemetry socket
 * (the same commands dpdk-telemetry.py and /metrics read).  Every interval it takes a
 * sample (ports' stats and link, drops by reason, lcores' cycles, which lcore polls which
 * rx queue) and prints the differences with the previous one as rates: packets and bits
 * per second per port, drops per second, busy % per lcore over the interval.
 *
 * Plain ANSI escapes (home, erase to end of line and of screen, the alternate screen)
 * rather than curses: a screen of at most 80 columns of text needs nothing more, and the
 * tool stays free of a terminal library.  On a terminal stdin goes to non-canonical mode
 * so `q` quits at once; the terminal is put back on every way out (q, -n, a signal, the
 * process going away).  --once prints one frame, plain, for scripts.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sl_telemetry.h"
#include "sluice.h"

#define MAX_PORTS 64
#define MAX_DROPS 64
#define MAX_LCORES 128
#define MAX_DROP_ROWS 12 /* drop rows shown at most (the largest rates first) */
#define REQ_TIMEOUT_MS 3000

struct port_s {
	long id;
	char name[32], link[8];
	uint64_t ipk, opk, ib, ob, missed, errors;
};

struct drop_s {
	char source[32], reason[32];
	uint64_t n;
	double rate; /* filled when a frame is made */
};

struct lcore_s {
	long id;
	char role[12];
	uint64_t busy, total;
	char queues[128]; /* "0:0 1:0" rx queues it polls */
};

struct sample {
	double t;
	unsigned nports, ndrops, nlcores;
	struct port_s ports[MAX_PORTS];
	struct drop_s drops[MAX_DROPS];
	struct lcore_s lcores[MAX_LCORES];
};

struct top {
	int fd;
	const char *prefix;
	long pid;
	char comm[32];
	double interval;
	long frames; /* -n: stop after this many, 0 for no limit */
	bool once, screen;
	char err[512];
	struct sample s[2];
};

static volatile sig_atomic_t got_signal;
static struct termios saved_tio;
static bool tio_saved, screen_on;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* Puts the terminal back as it was; safe to call more than once. */
static void term_restore(void)
{
	if (screen_on) {
		fputs("\033[?25h\033[?1049l", stdout); /* cursor on, main screen back */
		fflush(stdout);
		screen_on = false;
	}
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		tio_saved = false;
	}
}

static void term_setup(struct top *t)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll() wakes up */
	struct termios tio;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(term_restore);
	if (!t->screen)
		return;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		tio = saved_tio;
		tio.c_lflag &= (tcflag_t) ~(ICANON | ECHO); /* keys one by one; ISIG kept */
		tio.c_cc[VMIN] = 0;
		tio.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio) == 0)
			tio_saved = true;
	}
	fputs("\033[?1049h\033[?25l\033[H\033[2J", stdout); /* alternate screen, no cursor */
	screen_on = true;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one request; *v NULL when the command failed or is not there.  Returns 0, or
 * -errno when the connection is gone (the message in t->err). */
static int ask(struct top *t, json_t **v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int ask(struct top *t, json_t **v, const char *fmt, ...)
{
	char req[SL_TELEMETRY_MAX_REQUEST];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	rc = sl_telemetry_request(t->fd, req, REQ_TIMEOUT_MS, v, NULL, t->err, sizeof(t->err));
	if (rc == -EREMOTEIO || rc == -EPROTO) {
		*v = NULL;
		return 0;
	}
	return rc;
}

static uint64_t u64(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static void copy_str(char *dst, size_t n, const json_t *v, const char *dflt)
{
	snprintf(dst, n, "%s", json_is_string(v) ? json_string_value(v) : dflt);
}

/* Appends " P:Q" to the lcore's queue list (a '+' marks a list cut short). */
static void add_queue(struct sample *s, long lcore, long port, long q)
{
	for (unsigned i = 0; i < s->nlcores; i++) {
		struct lcore_s *l = &s->lcores[i];
		size_t len = strlen(l->queues);

		if (l->id != lcore)
			continue;
		if (len + 12 < sizeof(l->queues))
			snprintf(l->queues + len, sizeof(l->queues) - len, "%s%ld:%ld",
				 len ? " " : "", port, q);
		else if (len && l->queues[len - 1] != '+')
			l->queues[len - 1] = '+';
		return;
	}
}

static int sample_lcores(struct top *t, struct sample *s)
{
	json_t *v, *e, *info;
	size_t i;
	int rc = ask(t, &v, "/sluice/lcores");

	if (rc < 0)
		return rc;
	json_array_foreach(v, i, e)
	{
		struct lcore_s *l = &s->lcores[s->nlcores];

		if (s->nlcores == MAX_LCORES)
			break;
		l->id = (long)json_integer_value(json_object_get(e, "lcore"));
		copy_str(l->role, sizeof(l->role), json_object_get(e, "role"), "?");
		l->busy = u64(e, "busy_cycles");
		l->total = u64(e, "total_cycles");
		l->queues[0] = '\0';
		s->nlcores++;
	}
	json_decref(v);
	if (s->nlcores)
		return 0;
	/* An older /sluice/lcores, or none: DPDK's per-lcore command. */
	if ((rc = ask(t, &v, "/eal/lcore/list")) < 0)
		return rc;
	json_array_foreach(v, i, e)
	{
		struct lcore_s *l = &s->lcores[s->nlcores];
		json_t *role;

		if (s->nlcores == MAX_LCORES)
			break;
		if ((rc = ask(t, &info, "/eal/lcore/info,%lld", json_integer_value(e))) < 0)
			break;
		if (info == NULL)
			continue;
		role = json_object_get(info, "sluice_role");
		l->id = (long)json_integer_value(e);
		copy_str(l->role, sizeof(l->role), role ? role : json_object_get(info, "role"),
			 "?");
		l->busy = u64(info, "busy_cycles");
		l->total = u64(info, "total_cycles");
		l->queues[0] = '\0';
		s->nlcores++;
		json_decref(info);
	}
	json_decref(v);
	return rc < 0 ? rc : 0;
}

static int sample_ports(struct top *t, struct sample *s)
{
	json_t *list, *id, *v, *q;
	size_t i, j;
	int rc = ask(t, &list, "/ethdev/list");

	if (rc < 0)
		return rc;
	json_array_foreach(list, i, id)
	{
		struct port_s *p = &s->ports[s->nports];
		long long pid = json_integer_value(id);

		if (s->nports == MAX_PORTS)
			break;
		p->id = (long)pid;
		if ((rc = ask(t, &v, "/ethdev/info,%lld", pid)) < 0)
			break;
		snprintf(p->name, sizeof(p->name), "port%lld", pid);
		copy_str(p->name, sizeof(p->name), json_object_get(v, "name"), p->name);
		json_decref(v);
		if ((rc = ask(t, &v, "/ethdev/stats,%lld", pid)) < 0)
			break;
		p->ipk = u64(v, "ipackets");
		p->opk = u64(v, "opackets");
		p->ib = u64(v, "ibytes");
		p->ob = u64(v, "obytes");
		p->missed = u64(v, "imissed") + u64(v, "rx_nombuf");
		p->errors = u64(v, "ierrors") + u64(v, "oerrors");
		json_decref(v);
		if ((rc = ask(t, &v, "/ethdev/link_status,%lld", pid)) < 0)
			break;
		copy_str(p->link, sizeof(p->link), json_object_get(v, "status"), "?");
		json_decref(v);
		if ((rc = ask(t, &v, "/sluice/port/queues,%lld", pid)) < 0)
			break;
		json_array_foreach(json_object_get(v, "rx"), j, q)
		{
			json_int_t lc = json_integer_value(json_object_get(q, "lcore"));

			if (json_is_integer(json_object_get(q, "lcore")) && lc >= 0)
				add_queue(s, (long)lc, p->id,
					  (long)json_integer_value(json_object_get(q, "queue")));
		}
		json_decref(v);
		s->nports++;
	}
	json_decref(list);
	return rc < 0 ? rc : 0;
}

static int sample_drops(struct top *t, struct sample *s)
{
	json_t *v, *reasons, *n;
	const char *src, *why;
	int rc = ask(t, &v, "/sluice/drops");

	if (rc < 0)
		return rc;
	json_object_foreach(v, src, reasons)
	{
		json_object_foreach(reasons, why, n)
		{
			struct drop_s *d = &s->drops[s->ndrops];

			if (s->ndrops == MAX_DROPS || !json_is_integer(n))
				continue;
			snprintf(d->source, sizeof(d->source), "%s", src);
			snprintf(d->reason, sizeof(d->reason), "%s", why);
			d->n = (uint64_t)json_integer_value(n);
			s->ndrops++;
		}
	}
	json_decref(v);
	return 0;
}

static int take_sample(struct top *t, struct sample *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->t = now_s();
	if ((rc = sample_lcores(t, s)) < 0 || (rc = sample_ports(t, s)) < 0 ||
	    (rc = sample_drops(t, s)) < 0)
		return rc;
	return 0;
}

/* 137.97M, 1.20k, 950: at most 7 characters. */
static const char *si(char *buf, double v)
{
	static const char unit[] = " kMGTP";
	int u = 0;

	while (v >= 999.995 && u < 5) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, 8, "%.0f", v);
	else
		snprintf(buf, 8, "%.2f%c", v, unit[u]);
	return buf;
}

static double rate(uint64_t now, uint64_t before, double dt)
{
	return now >= before && dt > 0 ? (double)(now - before) / dt : 0;
}

static const struct port_s *find_port(const struct sample *s, long id)
{
	for (unsigned i = 0; i < s->nports; i++)
		if (s->ports[i].id == id)
			return &s->ports[i];
	return NULL;
}

static int by_rate(const void *a, const void *b)
{
	const struct drop_s *x = a, *y = b;

	return x->rate < y->rate   ? 1
	       : x->rate > y->rate ? -1
	       : x->n < y->n	   ? 1
	       : x->n > y->n	   ? -1
				   : 0;
}

/* Writes one frame: the differences from `a` (before) to `b` (now). */
static void frame(struct top *t, const struct sample *a, struct sample *b, FILE *f)
{
	const char *eol = t->screen ? "\033[K\n" : "\n";
	double dt = b->t - a->t;
	char r[4][8], when[16];
	struct drop_s shown[MAX_DROPS];
	unsigned nshown = 0;
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	if (t->screen)
		fputs("\033[H", f);
	fprintf(f, "sluice top: %.12s pid %ld, prefix %.14s, every %.1f s  %s", t->comm, t->pid,
		t->prefix, t->interval, when);
	fprintf(f, "%s%s", eol, eol);
	fprintf(f, "%-2s %-17s %4s %8s %8s %8s %8s %7s %6s%s", "ID", "PORT", "LINK", "RX pps",
		"RX bit/s", "TX pps", "TX bit/s", "MISS/s", "ERR/s", eol);
	for (unsigned i = 0; i < b->nports; i++) {
		const struct port_s *p = &b->ports[i], *o = find_port(a, p->id);
		struct port_s z = {0};

		if (o == NULL)
			o = &z;
		fprintf(f, "%2ld %-17.17s %4.4s %8s %8s %8s %8s %7.0f %6.0f%s", p->id, p->name,
			p->link, si(r[0], rate(p->ipk, o->ipk, dt)),
			si(r[1], 8 * rate(p->ib, o->ib, dt)), si(r[2], rate(p->opk, o->opk, dt)),
			si(r[3], 8 * rate(p->ob, o->ob, dt)), rate(p->missed, o->missed, dt),
			rate(p->errors, o->errors, dt), eol);
	}
	if (b->nports == 0)
		fprintf(f, "   (no ports)%s", eol);

	for (unsigned i = 0; i < b->ndrops; i++) {
		struct drop_s *d = &b->drops[i];
		uint64_t before = 0;

		if (d->n == 0)
			continue;
		for (unsigned k = 0; k < a->ndrops; k++)
			if (strcmp(a->drops[k].source, d->source) == 0 &&
			    strcmp(a->drops[k].reason, d->reason) == 0)
				before = a->drops[k].n;
		d->rate = rate(d->n, before, dt);
		shown[nshown++] = *d;
	}
	qsort(shown, nshown, sizeof(shown[0]), by_rate);
	fprintf(f, "%s%-20s %-28s %10s %17s%s", eol, "DROPS: SOURCE", "REASON", "per s", "total",
		eol);
	for (unsigned i = 0; i < nshown && i < MAX_DROP_ROWS; i++)
		fprintf(f, "%-20.20s %-28.28s %10s %17llu%s", shown[i].source, shown[i].reason,
			si(r[0], shown[i].rate), (unsigned long long)shown[i].n, eol);
	if (nshown > MAX_DROP_ROWS)
		fprintf(f, "(%u more)%s", nshown - MAX_DROP_ROWS, eol);
	if (nshown == 0)
		fprintf(f, "(none)%s", eol);

	fprintf(f, "%s%-5s %-8s %6s  %s%s", eol, "LCORE", "ROLE", "BUSY", "RX QUEUES (port:queue)",
		eol);
	for (unsigned i = 0; i < b->nlcores; i++) {
		const struct lcore_s *l = &b->lcores[i], *o = NULL;
		char busy[16] = "-";

		for (unsigned k = 0; k < a->nlcores; k++)
			if (a->lcores[k].id == l->id)
				o = &a->lcores[k];
		if (o && l->total > o->total)
			snprintf(busy, sizeof(busy), "%.1f%%",
				 100.0 * (double)(l->busy - o->busy) /
					 (double)(l->total - o->total));
		fprintf(f, "%5ld %-8.8s %6s  %.56s%s", l->id, l->role, busy,
			l->queues[0] ? l->queues : "-", eol);
	}
	if (t->screen)
		fprintf(f, "%sq quits%s\033[J", eol, "\033[K");
	fflush(f);
}

/* Waits until `until`, reading keys; returns 1 for q, -1 for a signal, 0 at the time. */
static int wait_keys(struct top *t, double until)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	double left;
	char c;

	while (!got_signal && (left = until - now_s()) > 0) {
		int n = poll(&pfd, tio_saved ? 1 : 0, (int)ceil(left * 1000));

		if (n > 0 && read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
			return 1;
		(void)t;
	}
	return got_signal ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluice top [--file-prefix P] [-d SECONDS] [-n FRAMES] [--once]\n\n"
		"A live view of a running Sluice process through its telemetry socket: ports\n"
		"(rx/tx packets and bits per second), drops by reason, lcores (busy %% over the\n"
		"interval, the rx queues each polls).  q quits.\n\n"
		"  --file-prefix P  the process's --file-prefix (default sluice), or a socket path\n"
		"  -d SECONDS       refresh interval (default 1; 0.1 to 3600)\n"
		"  -n FRAMES        exit after this many frames\n"
		"  --once           one frame, after one interval, without terminal control\n"
		"  -h, --help       this text\n\n"
		"exit codes: 0 quit, 1 the process went away or cannot be reached, 2 usage error\n");
}

static int parse_args(struct top *t, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char *end;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EX_SL_OK + 100;
		}
		if (strcmp(a, "--once") == 0) {
			t->once = true;
			continue;
		}
		if (strncmp(a, "--file-prefix=", 14) == 0) {
			t->prefix = a + 14;
			continue;
		}
		if (strcmp(a, "--file-prefix") != 0 && strcmp(a, "-d") != 0 &&
		    strcmp(a, "-n") != 0) {
			fprintf(stderr, "sluice top: unknown option '%s'; see sluice top --help\n",
				a);
			return EX_SL_USAGE;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "sluice top: %s needs a value; see sluice top --help\n", a);
			return EX_SL_USAGE;
		}
		val = argv[++i];
		errno = 0;
		if (strcmp(a, "--file-prefix") == 0) {
			t->prefix = val;
		} else if (strcmp(a, "-d") == 0) {
			t->interval = strtod(val, &end);
			if (*end || end == val || errno ||
			    !(t->interval >= 0.1 && t->interval <= 3600)) {
				fprintf(stderr,
					"sluice top: -d %s is not a number of seconds in [0.1, "
					"3600]; write -d 2\n",
					val);
				return EX_SL_USAGE;
			}
		} else {
			t->frames = strtol(val, &end, 10);
			if (*end || end == val || errno || t->frames < 1) {
				fprintf(stderr,
					"sluice top: -n %s is not a positive number of frames; "
					"write -n 5\n",
					val);
				return EX_SL_USAGE;
			}
		}
	}
	return -1;
}

static void read_comm(struct top *t)
{
	char path[64];
	FILE *f;

	snprintf(t->comm, sizeof(t->comm), "process");
	snprintf(path, sizeof(path), "/proc/%ld/comm", t->pid);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(t->comm, sizeof(t->comm), f))
		t->comm[strcspn(t->comm, "\n")] = '\0';
	fclose(f);
}

int cmd_top(struct ctx *c, int argc, char **argv)
{
	static struct top t;
	json_t *greeting = NULL;
	int rc, cur = 0, key = 0;
	long shown = 0;

	(void)c;
	t.prefix = "sluice";
	t.interval = 1.0;
	rc = parse_args(&t, argc, argv);
	if (rc >= 0)
		return rc == EX_SL_OK + 100 ? EX_SL_OK : rc;
	t.fd = sl_telemetry_connect(t.prefix, &greeting, t.err, sizeof(t.err));
	if (t.fd < 0) {
		fprintf(stderr, "sluice top: %s\n", t.err);
		return EX_SL_FAIL;
	}
	t.pid = (long)json_integer_value(json_object_get(greeting, "pid"));
	json_decref(greeting);
	read_comm(&t);
	t.screen = !t.once && isatty(STDOUT_FILENO);
	term_setup(&t);
	rc = take_sample(&t, &t.s[cur]);
	while (rc == 0) {
		key = wait_keys(&t, t.s[cur].t + t.interval);
		if (key != 0)
			break;
		rc = take_sample(&t, &t.s[!cur]);
		if (rc < 0)
			break;
		if (shown && !t.screen)
			fputc('\n', stdout); /* frames one after the other: a blank line between */
		frame(&t, &t.s[cur], &t.s[!cur], stdout);
		cur = !cur;
		shown++;
		if (t.once || (t.frames && shown >= t.frames))
			break;
	}
	term_restore();
	close(t.fd);
	if (rc < 0) {
		fprintf(stderr, "sluice top: %s (pid %ld, prefix %s) went away (%s)\n", t.comm,
			t.pid, t.prefix, t.err);
		return EX_SL_FAIL;
	}
	return EX_SL_OK;
}
