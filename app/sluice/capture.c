/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice capture: live capture from a running Sluice process to pcapng (docs/capture.md).
 * It attaches over the process's telemetry socket (/sluice/capture/start), maps the memfd
 * of rings passed with the reply, checks every record before use (the memory belongs to
 * another process), merges the rings by timestamp and writes pcapng; on SIGINT/SIGTERM, -c
 * or -a it writes the interface statistics and prints what it captured, like dumpcap.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sluice.h"

#ifdef SLUICE_NO_CAPTURE
int cmd_capture(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	fprintf(stderr, "sluice capture: not built (lib/capture is off: apt-get install "
			"libpcap-dev libjansson-dev and reconfigure)\n");
	return EX_SL_FAIL;
}
#else
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sl_capture.h"
#include "sl_pcapng.h"
#include "sl_telemetry.h"

#define MAX_IFACES 32
#define MAX_IFS_ARG 32

struct iface {
	uint16_t port;
	char name[64], desc[128], filter[SL_CAPTURE_MAX_FILTER];
	uint8_t mac[6];
	uint64_t speed_bps;
};

struct cap {
	/* options */
	const char *prefix, *out;
	const char *ifs[MAX_IFS_ARG];
	unsigned nb_ifs;
	int queue;
	const char *dir, *filter;
	long snaplen, ring_kb;
	uint64_t count, duration_s;
	uint64_t rot_kb, rot_s, rot_files;
	bool quiet, list;
	/* session */
	int sock;
	void *map;
	size_t map_size;
	struct sl_capture_reader *rd;
	struct iface ifaces[MAX_IFACES];
	unsigned nb_iface, snap;
	/* output */
	FILE *f;
	struct sl_pcapng *w;
	char path[4096];
	unsigned file_no;
	char **kept;
	uint64_t file_start_ns, start_ns, captured;
};

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluice capture [OPTIONS]\n\n"
		"Capture packets from a running Sluice process to pcapng (options like dumpcap's).\n\n"
		"  --file-prefix P     the process's --file-prefix (default sluice)\n"
		"  -D                  list the process's interfaces and exit\n"
		"  -i PORT|all         port id or name, repeatable (default: every port)\n"
		"  --queue Q           one queue only (default every queue)\n"
		"  --direction D       rx, tx or both (default both)\n"
		"  -f FILTER           libpcap capture filter, e.g. 'udp port 9'\n"
		"  -s SNAPLEN          bytes kept of each packet (default %d)\n"
		"  --ring-kb KB        capture ring per queue and direction (default %d)\n"
		"  -c COUNT            stop after COUNT packets\n"
		"  -a duration:S       stop after S seconds\n"
		"  -b filesize:KB      switch to the next file after KB kilobytes\n"
		"  -b duration:S       switch to the next file after S seconds\n"
		"  -b files:N          keep only the last N files\n"
		"  -w FILE             write to FILE ('-' for stdout; default a file in /tmp)\n"
		"  -q                  do not print the interfaces and the file name\n"
		"  -h, --help          this text\n",
		SL_CAPTURE_DEFAULT_SNAPLEN, SL_CAPTURE_DEFAULT_RING_KB);
}

static int num(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || x < min || x > max) {
		fprintf(stderr, "sluice capture: %s '%s' is not a number from %llu to %llu\n", opt,
			s, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

static int parse_b(struct cap *c, const char *arg)
{
	if (strncmp(arg, "filesize:", 9) == 0)
		return num("-b filesize", arg + 9, 1, 1ull << 40, &c->rot_kb);
	if (strncmp(arg, "duration:", 9) == 0)
		return num("-b duration", arg + 9, 1, 1ull << 32, &c->rot_s);
	if (strncmp(arg, "files:", 6) == 0)
		return num("-b files", arg + 6, 1, 100000, &c->rot_files);
	fprintf(stderr, "sluice capture: -b '%s' is not filesize:KB, duration:S or files:N\n", arg);
	return -EINVAL;
}

static int parse_args(struct cap *c, int argc, char **argv)
{
	static const struct option longs[] = {
		{"file-prefix", required_argument, NULL, 'P'},
		{"queue", required_argument, NULL, 'Q'},
		{"direction", required_argument, NULL, 'd'},
		{"ring-kb", required_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "Di:f:s:c:a:b:w:qh", longs, NULL)) != -1) {
		switch (o) {
		case 'P':
			c->prefix = optarg;
			break;
		case 'D':
			c->list = true;
			break;
		case 'i':
			if (c->nb_ifs == MAX_IFS_ARG) {
				fprintf(stderr, "sluice capture: more than %d -i; use -i all\n",
					MAX_IFS_ARG);
				return -EINVAL;
			}
			c->ifs[c->nb_ifs++] = optarg;
			break;
		case 'Q':
			if (num("--queue", optarg, 0, SL_CAPTURE_MAX_QUEUES - 1, &v) < 0)
				return -EINVAL;
			c->queue = (int)v;
			break;
		case 'd':
			if (strcmp(optarg, "rx") && strcmp(optarg, "tx") &&
			    strcmp(optarg, "both")) {
				fprintf(stderr,
					"sluice capture: --direction '%s' is not rx, tx or both\n",
					optarg);
				return -EINVAL;
			}
			c->dir = optarg;
			break;
		case 'f':
			c->filter = optarg;
			break;
		case 's':
			if (num("-s", optarg, 1, SL_CAPTURE_DEFAULT_SNAPLEN, &v) < 0)
				return -EINVAL;
			c->snaplen = (long)v;
			break;
		case 'R':
			if (num("--ring-kb", optarg, 64, 262144, &v) < 0)
				return -EINVAL;
			c->ring_kb = (long)v;
			break;
		case 'c':
			if (num("-c", optarg, 1, UINT64_MAX >> 1, &c->count) < 0)
				return -EINVAL;
			break;
		case 'a':
			if (strncmp(optarg, "duration:", 9) != 0) {
				fprintf(stderr,
					"sluice capture: -a '%s' is not duration:S (the only stop condition besides -c)\n",
					optarg);
				return -EINVAL;
			}
			if (num("-a duration", optarg + 9, 1, 1ull << 32, &c->duration_s) < 0)
				return -EINVAL;
			break;
		case 'b':
			if (parse_b(c, optarg) < 0)
				return -EINVAL;
			break;
		case 'w':
			c->out = optarg;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "sluice capture: see sluice capture --help\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sluice capture: unexpected argument '%s'; see --help\n",
			argv[optind]);
		return -EINVAL;
	}
	if ((c->rot_kb || c->rot_s || c->rot_files) && c->out && strcmp(c->out, "-") == 0) {
		fprintf(stderr, "sluice capture: -b needs a file (-w FILE), not stdout\n");
		return -EINVAL;
	}
	if (c->rot_files && !c->rot_kb && !c->rot_s) {
		fprintf(stderr,
			"sluice capture: -b files:N needs -b filesize:KB or -b duration:S to switch files\n");
		return -EINVAL;
	}
	return 0;
}

/* One request on the session's connection; prints the error and returns -1 on failure. */
static int ask(struct cap *c, const char *req, json_t **value, int *fd)
{
	char err[1024] = "";
	int rc = sl_telemetry_request(c->sock, req, 5000, value, fd, err, sizeof(err));

	if (rc < 0) {
		/* the command's name, not its parameters */
		fprintf(stderr, "sluice capture: %.*s: %s\n", (int)strcspn(req, ","), req,
			err[0] ? err : strerror(-rc));
		return -1;
	}
	return 0;
}

static int list_ifaces(struct cap *c)
{
	json_t *ids = NULL, *id;
	size_t i;

	if (ask(c, "/ethdev/list", &ids, NULL) < 0)
		return EX_SL_FAIL;
	if (!json_is_array(ids)) {
		fprintf(stderr, "sluice capture: /ethdev/list did not answer an array\n");
		json_decref(ids);
		return EX_SL_FAIL;
	}
	json_array_foreach(ids, i, id)
	{
		char req[64];
		json_t *info = NULL;
		const char *name = "?";

		snprintf(req, sizeof(req), "/ethdev/info,%lld", (long long)json_integer_value(id));
		if (ask(c, req, &info, NULL) == 0 && json_is_string(json_object_get(info, "name")))
			name = json_string_value(json_object_get(info, "name"));
		printf("%zu. %s (port %lld)\n", i + 1, name, (long long)json_integer_value(id));
		json_decref(info);
	}
	json_decref(ids);
	return EX_SL_OK;
}

static char *start_params(const struct cap *c)
{
	json_t *p = json_object();
	char *s;

	if (c->nb_ifs) {
		json_t *ports = json_array();
		bool all = false;

		for (unsigned i = 0; i < c->nb_ifs; i++) {
			char *end;
			long id = strtol(c->ifs[i], &end, 10);

			if (strcmp(c->ifs[i], "all") == 0)
				all = true;
			else if (*end == '\0' && end != c->ifs[i] && id >= 0)
				json_array_append_new(ports, json_integer(id));
			else
				json_array_append_new(ports, json_string(c->ifs[i]));
		}
		json_object_set_new(p, "ports", all ? json_string("all") : ports);
		if (all)
			json_decref(ports);
	}
	if (c->queue >= 0)
		json_object_set_new(p, "queue", json_integer(c->queue));
	if (c->dir)
		json_object_set_new(p, "direction", json_string(c->dir));
	if (c->filter)
		json_object_set_new(p, "filter", json_string(c->filter));
	if (c->snaplen)
		json_object_set_new(p, "snaplen", json_integer(c->snaplen));
	if (c->ring_kb)
		json_object_set_new(p, "ring_kb", json_integer(c->ring_kb));
	s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];

	if (s == NULL ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

/* The interfaces of the start reply (from another process: every member checked). */
static int read_ifaces(struct cap *c, json_t *reply)
{
	json_t *arr = json_object_get(reply, "interfaces"), *o;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > MAX_IFACES) {
		fprintf(stderr,
			"sluice capture: the start reply has no valid \"interfaces\" array\n");
		return -EPROTO;
	}
	json_array_foreach(arr, i, o)
	{
		struct iface *f = &c->ifaces[i];
		json_int_t port = -1, speed = 0;
		const char *name = NULL, *desc = "", *mac = NULL, *filter = "";
		json_error_t je;

		if (json_unpack_ex(o, &je, 0, "{s:I, s:s, s?s, s?s, s?I, s?s}", "port", &port,
				   "name", &name, "description", &desc, "mac", &mac, "speed_mbps",
				   &speed, "filter", &filter) < 0 ||
		    port < 0 || port > UINT16_MAX || speed < 0) {
			fprintf(stderr, "sluice capture: interface %zu of the start reply: %s\n", i,
				je.text[0] ? je.text : "bad port or speed");
			return -EPROTO;
		}
		f->port = (uint16_t)port;
		snprintf(f->name, sizeof(f->name), "%s", name);
		snprintf(f->desc, sizeof(f->desc), "%s", desc);
		snprintf(f->filter, sizeof(f->filter), "%s", filter);
		if (parse_mac(mac, f->mac) < 0)
			memset(f->mac, 0, sizeof(f->mac));
		f->speed_bps = (uint64_t)speed * 1000000ull;
	}
	c->nb_iface = (unsigned)json_array_size(arr);
	return 0;
}

static int map_rings(struct cap *c, int fd)
{
	struct stat st;
	char err[512];
	int seals = fcntl(fd, F_GET_SEALS);

	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		fprintf(stderr, "sluice capture: the capture memory passed is not a file\n");
		return -EPROTO;
	}
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		fprintf(stderr,
			"sluice capture: the capture memory is not sealed against shrinking; refusing to map memory the process could cut under us\n");
		return -EPROTO;
	}
	c->map_size = (size_t)st.st_size;
	c->map = mmap(NULL, c->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		fprintf(stderr, "sluice capture: cannot map %zu bytes of capture rings: %s\n",
			c->map_size, strerror(errno));
		return -errno;
	}
	c->rd = sl_capture_reader_open(c->map, c->map_size, err, sizeof(err));
	if (c->rd == NULL) {
		fprintf(stderr, "sluice capture: %s\n", err);
		return -EPROTO;
	}
	for (unsigned i = 0; i < sl_capture_reader_rings(c->rd); i++) {
		const struct sl_capture_ring_info *ri = sl_capture_reader_info(c->rd, i);

		if (ri->iface >= c->nb_iface || c->ifaces[ri->iface].port != ri->port) {
			fprintf(stderr,
				"sluice capture: ring %u names interface %u (port %u), which the reply does not list\n",
				i, ri->iface, ri->port);
			return -EPROTO;
		}
	}
	return 0;
}

/* --- output files --- */

static void file_name(struct cap *c)
{
	const char *dot = strrchr(c->out, '.'), *slash = strrchr(c->out, '/');
	size_t base = dot && (!slash || dot > slash) ? (size_t)(dot - c->out) : strlen(c->out);
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	snprintf(c->path, sizeof(c->path), "%.*s_%05u_%s%s", (int)base, c->out, c->file_no, stamp,
		 dot && base < strlen(c->out) ? dot : ".pcapng");
}

static int open_output(struct cap *c)
{
	struct utsname u;
	char os[256], hw[128];

	c->file_no++;
	if (strcmp(c->out, "-") == 0) {
		c->f = stdout;
		snprintf(c->path, sizeof(c->path), "-");
	} else {
		if (c->rot_kb || c->rot_s)
			file_name(c);
		else
			snprintf(c->path, sizeof(c->path), "%s", c->out);
		c->f = fopen(c->path, "wb");
		if (c->f == NULL) {
			fprintf(stderr, "sluice capture: cannot create %s: %s\n", c->path,
				strerror(errno));
			return -errno;
		}
	}
	uname(&u);
	snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	snprintf(hw, sizeof(hw), "%s", u.machine);
	c->w = sl_pcapng_open(c->f, "sluice capture", os, hw);
	if (c->w == NULL)
		return -EIO;
	for (unsigned i = 0; i < c->nb_iface; i++) {
		struct sl_pcapng_if ifc = {
			.name = c->ifaces[i].name,
			.description = c->ifaces[i].desc,
			.mac = c->ifaces[i].mac,
			.speed_bps = c->ifaces[i].speed_bps,
			.filter = c->ifaces[i].filter,
			.snaplen = c->snap,
		};
		if (sl_pcapng_add_interface(c->w, &ifc) < 0)
			return -EIO;
	}
	c->file_start_ns = now_ns();
	if (c->rot_files && c->f != stdout) {
		unsigned k = (c->file_no - 1) % c->rot_files;

		if (c->kept[k]) {
			unlink(c->kept[k]);
			free(c->kept[k]);
		}
		c->kept[k] = strdup(c->path);
	}
	if (!c->quiet && c->f != stdout)
		fprintf(stderr, "File: %s\n", c->path);
	return 0;
}

/* Interface statistics: from the process when it answers, else from the rings. */
static void totals(struct cap *c, uint64_t *recv, uint64_t *drop, uint64_t *acc, bool ask_server)
{
	json_t *st = NULL, *o;
	size_t i;

	memset(recv, 0, c->nb_iface * sizeof(*recv));
	memset(drop, 0, c->nb_iface * sizeof(*drop));
	memset(acc, 0, c->nb_iface * sizeof(*acc));
	if (ask_server && ask(c, "/sluice/capture/stats", &st, NULL) == 0 && json_is_array(st) &&
	    json_array_size(st) == c->nb_iface) {
		json_array_foreach(st, i, o)
		{
			json_int_t r = 0, m = 0, d = 0;

			if (json_unpack(o, "{s:I, s:I, s:I}", "received", &r, "matched", &m,
					"dropped", &d) == 0) {
				recv[i] = (uint64_t)r;
				acc[i] = (uint64_t)m;
				drop[i] = (uint64_t)d;
			}
		}
		json_decref(st);
		return;
	}
	json_decref(st);
	for (unsigned r = 0; r < sl_capture_reader_rings(c->rd); r++) {
		uint64_t s, m, d;
		unsigned k = sl_capture_reader_info(c->rd, r)->iface;

		sl_capture_reader_counts(c->rd, r, &s, &m, &d);
		recv[k] += s;
		acc[k] += m;
		drop[k] += d;
	}
}

static int close_output(struct cap *c, bool ask_server, uint64_t *dropped)
{
	uint64_t recv[MAX_IFACES], drop[MAX_IFACES], acc[MAX_IFACES], t = now_ns();
	int rc = 0;

	totals(c, recv, drop, acc, ask_server);
	*dropped = 0;
	for (unsigned i = 0; i < c->nb_iface; i++) {
		*dropped += drop[i];
		if (rc == 0)
			rc = sl_pcapng_write_stats(c->w, i, t, c->start_ns, t, recv[i], drop[i],
						   acc[i]);
	}
	if (sl_pcapng_close(c->w) < 0 && rc == 0)
		rc = -EIO;
	c->w = NULL;
	if (c->f != stdout && fclose(c->f) != 0 && rc == 0)
		rc = -errno;
	else if (c->f == stdout)
		fflush(stdout);
	c->f = NULL;
	return rc;
}

/* Switches to the next file when -b filesize or -b duration says so. */
static int maybe_rotate(struct cap *c, uint64_t t)
{
	uint64_t dropped;

	if ((c->rot_kb && sl_pcapng_bytes(c->w) >= c->rot_kb * 1000) ||
	    (c->rot_s && t - c->file_start_ns >= c->rot_s * 1000000000ull)) {
		if (close_output(c, true, &dropped) < 0 || open_output(c) < 0)
			return -EIO;
	}
	return 0;
}

/* Writes what the rings hold, oldest first across rings, up to budget records.  Returns
 * the number written or -errno (a corrupt ring, a write error). */
static int drain(struct cap *c, unsigned budget)
{
	unsigned n = sl_capture_reader_rings(c->rd), done = 0;
	struct sl_capture_rec rec[SL_CAPTURE_MAX_RINGS];
	const uint8_t *data[SL_CAPTURE_MAX_RINGS];
	bool have[SL_CAPTURE_MAX_RINGS];
	char err[512];

	for (unsigned i = 0; i < n; i++) {
		int rc = sl_capture_reader_peek(c->rd, i, &rec[i], &data[i], err, sizeof(err));

		if (rc < 0) {
			fprintf(stderr, "sluice capture: %s\n", err);
			return rc;
		}
		have[i] = rc == 1;
	}
	while (done < budget && (!c->count || c->captured < c->count)) {
		int best = -1, rc;
		const struct sl_capture_ring_info *ri;

		for (unsigned i = 0; i < n; i++)
			if (have[i] && (best < 0 || rec[i].ts_ns < rec[best].ts_ns))
				best = (int)i;
		if (best < 0)
			break;
		ri = sl_capture_reader_info(c->rd, (unsigned)best);
		rc = sl_pcapng_write_packet(
			c->w, ri->iface, rec[best].ts_ns, data[best], rec[best].cap_len,
			rec[best].orig_len,
			ri->dir == SL_CAPTURE_RX ? SL_PCAPNG_DIR_IN : SL_PCAPNG_DIR_OUT, ri->queue);
		if (rc < 0) {
			if (rc != -EPIPE)
				fprintf(stderr, "sluice capture: writing %s: %s\n", c->path,
					strerror(-rc));
			return rc;
		}
		c->captured++;
		done++;
		sl_capture_reader_consume(c->rd, (unsigned)best);
		if (c->rot_kb && (rc = maybe_rotate(c, now_ns())) < 0)
			return rc;
		rc = sl_capture_reader_peek(c->rd, (unsigned)best, &rec[best], &data[best], err,
					    sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "sluice capture: %s\n", err);
			return rc;
		}
		have[best] = rc == 1;
	}
	return (int)done;
}

static bool peer_gone(int sock)
{
	struct pollfd p = {.fd = sock, .events = POLLIN};

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLIN));
}

static int run(struct cap *c)
{
	uint64_t dropped = 0;
	int rc = 0, idle = 0;
	bool gone = false;

	c->start_ns = now_ns();
	if (open_output(c) < 0)
		return EX_SL_FAIL;
	while (!stop_sig && (!c->count || c->captured < c->count)) {
		uint64_t t;

		rc = drain(c, 4096);
		if (rc < 0)
			break;
		t = now_ns();
		if (c->duration_s && t - c->start_ns >= c->duration_s * 1000000000ull)
			break;
		if (maybe_rotate(c, t) < 0) {
			rc = -EIO;
			break;
		}
		if (rc > 0) {
			idle = 0;
			continue;
		}
		if (c->f == stdout)
			fflush(stdout);
		if (++idle % 64 == 0 && peer_gone(c->sock)) {
			gone = true;
			drain(c, UINT32_MAX);
			fprintf(stderr,
				"sluice capture: the process closed the capture (exited?)\n");
			break;
		}
		struct timespec nap = {0, 200000};

		nanosleep(&nap, NULL);
	}
	if (rc >= 0 && !gone)
		rc = 0;
	if (close_output(c, !gone, &dropped) < 0 && rc == 0)
		rc = -EIO;
	fprintf(stderr, "Packets captured: %llu, dropped: %llu\n", (unsigned long long)c->captured,
		(unsigned long long)dropped);
	return rc < 0 && rc != -EPIPE ? EX_SL_FAIL : (gone ? EX_SL_FAIL : EX_SL_OK);
}

int cmd_capture(struct ctx *ctx, int argc, char **argv)
{
	struct cap c = {.prefix = "sluice", .queue = -1, .sock = -1};
	char err[1024] = "", req[SL_TELEMETRY_MAX_REQUEST], tmpl[] = "/tmp/sluice_capture_XXXXXX";
	json_t *reply = NULL;
	char *params;
	int fd = -1, rc, ex = EX_SL_FAIL;

	(void)ctx;
	rc = parse_args(&c, argc, argv);
	if (rc != 0)
		return rc > 0 ? EX_SL_OK : EX_SL_USAGE;
	c.sock = sl_telemetry_connect(c.prefix, NULL, err, sizeof(err));
	if (c.sock < 0) {
		fprintf(stderr, "sluice capture: %s\n", err);
		return EX_SL_FAIL;
	}
	if (c.list) {
		ex = list_ifaces(&c);
		close(c.sock);
		return ex;
	}
	params = start_params(&c);
	if (params == NULL || strlen(params) > SL_CAPTURE_MAX_PARAMS) {
		fprintf(stderr,
			"sluice capture: the capture request is over %d bytes; name fewer ports or shorten the filter\n",
			SL_CAPTURE_MAX_PARAMS);
		goto out;
	}
	snprintf(req, sizeof(req), "/sluice/capture/start,%s", params);
	free(params);
	if (ask(&c, req, &reply, &fd) < 0)
		goto out;
	if (fd < 0) {
		fprintf(stderr,
			"sluice capture: the process answered without the capture memory\n");
		goto out;
	}
	c.snap = (unsigned)json_integer_value(json_object_get(reply, "snaplen"));
	if (read_ifaces(&c, reply) < 0 || map_rings(&c, fd) < 0)
		goto out;
	if (c.out == NULL) {
		int t = mkstemp(tmpl);

		if (t < 0) {
			fprintf(stderr,
				"sluice capture: cannot create a file in /tmp: %s; pass -w\n",
				strerror(errno));
			goto out;
		}
		close(t);
		c.out = tmpl;
	}
	if (c.rot_files)
		c.kept = calloc(c.rot_files, sizeof(*c.kept));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (!c.quiet)
		for (unsigned i = 0; i < c.nb_iface; i++)
			fprintf(stderr, "Capturing on '%s'\n", c.ifaces[i].name);
	ex = run(&c);
out:
	if (c.kept)
		for (uint64_t i = 0; i < c.rot_files; i++)
			free(c.kept[i]);
	free(c.kept);
	sl_capture_reader_close(c.rd);
	if (c.map)
		munmap(c.map, c.map_size);
	if (fd >= 0)
		close(fd);
	json_decref(reply);
	close(c.sock); /* ends the session: the process removes its hooks */
	return ex;
}
#endif
