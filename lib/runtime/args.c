/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-line options of the runtime, shaped like DPDK's EAL options, so that a pasted
 * DPDK command line works: the options Sluice honours are parsed here, the ones that change
 * nothing in Sluice sit in one table with the reason, said once as a notice.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "runtime_priv.h"

enum {
	OPT_MAIN_LCORE = 256,
	OPT_SOCKET_MEM,
	OPT_NO_HUGE,
	OPT_HUGE,
	OPT_FILE_PREFIX,
	OPT_LOG_LEVEL,
	OPT_NO_WORKERS,
	OPT_VDEV,
	OPT_IN_MEMORY,
	OPT_NO_TELEMETRY,
	OPT_TELEMETRY,
	OPT_METRICS,
	OPT_NOTED = 512, /* + index in noted_opts[] */
};

static const struct option own_opts[] = {
	{"lcores", required_argument, NULL, 'l'},
	{"main-lcore", required_argument, NULL, OPT_MAIN_LCORE},
	{"master-lcore", required_argument, NULL, OPT_MAIN_LCORE}, /* DPDK before 20.11 */
	{"coremask", required_argument, NULL, 'c'},
	{"memory", required_argument, NULL, 'm'},
	{"socket-mem", required_argument, NULL, OPT_SOCKET_MEM},
	{"socket-limit", required_argument, NULL, OPT_SOCKET_MEM}, /* ours are limits anyway */
	{"no-huge", no_argument, NULL, OPT_NO_HUGE},
	{"huge", no_argument, NULL, OPT_HUGE},
	{"file-prefix", required_argument, NULL, OPT_FILE_PREFIX},
	{"in-memory", no_argument, NULL, OPT_IN_MEMORY},
	{"no-shconf", no_argument, NULL, OPT_IN_MEMORY},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"no-workers", no_argument, NULL, OPT_NO_WORKERS},
	{"vdev", required_argument, NULL, OPT_VDEV},
	{"no-telemetry", no_argument, NULL, OPT_NO_TELEMETRY},
	{"telemetry", no_argument, NULL, OPT_TELEMETRY},
	{"metrics", required_argument, NULL, OPT_METRICS},
	{"help", no_argument, NULL, 'h'},
};

static int check_uint(const char *opt, const char *arg);
static int check_pci(const char *opt, const char *arg);
static int check_proc_type(const char *opt, const char *arg);

/* DPDK EAL options that change nothing in Sluice: accepted, and sl_init_config() logs one
 * notice per option given saying why. */
static const struct noted_opt {
	const char *name; /* long name, or NULL */
	char short_name;  /* short option, or 0 */
	int has_arg;
	int (*check)(const char *opt, const char *arg); /* refuses a malformed value, or NULL */
	const char *reason;
} noted_opts[] = {
	{NULL, 'n', required_argument, check_uint,
	 "memory channels only spread DPDK's mempool objects; Sluice pools pad each object to "
	 "an odd number of cache lines instead"},
	{"no-pci", 0, no_argument, NULL, "Sluice has no PCI drivers; ports come from --vdev"},
	{"allow", 'a', required_argument, check_pci,
	 "Sluice has no PCI drivers; drive a NIC through its kernel driver with --vdev "
	 "net_af_xdp0,iface=IF or net_af_packet0,iface=IF"},
	{"pci-whitelist", 'w', required_argument, check_pci,
	 "Sluice has no PCI drivers; drive a NIC through its kernel driver with --vdev "
	 "net_af_xdp0,iface=IF or net_af_packet0,iface=IF"},
	{"block", 'b', required_argument, check_pci,
	 "Sluice has no PCI drivers, so no PCI device is ever probed"},
	{"pci-blacklist", 0, required_argument, check_pci,
	 "Sluice has no PCI drivers, so no PCI device is ever probed"},
	{"proc-type", 0, required_argument, check_proc_type,
	 "every Sluice process is a primary (there are no secondary processes)"},
	{"single-file-segments", 0, no_argument, NULL,
	 "each memory segment is already a single memfd"},
	{"huge-dir", 0, required_argument, NULL,
	 "hugepages come from memfd_create(MFD_HUGETLB), the kernel's pool, never from files in "
	 "a hugetlbfs mount (reserve them with 'sluice hugepages reserve N')"},
	{"huge-unlink", 0, optional_argument, NULL,
	 "Sluice creates no hugepage files (segments are memfds)"},
	{"legacy-mem", 0, no_argument, NULL,
	 "memory is mapped as zones and pools are created, never reserved up front"},
	{"match-allocations", 0, no_argument, NULL,
	 "segments are released whole at sl_cleanup(), never split"},
	{"iova-mode", 0, required_argument, NULL,
	 "Sluice's drivers do not DMA; buffers are addressed by virtual address"},
	{"base-virtaddr", 0, required_argument, NULL,
	 "segments map where the kernel chooses; no secondary process needs the same address"},
	{"no-hpet", 0, no_argument, NULL, "timing uses the TSC, never the HPET"},
	{"vfio-intr", 0, required_argument, NULL, "Sluice drives no VFIO device"},
	{"vfio-vf-token", 0, required_argument, NULL, "Sluice drives no VFIO device"},
	{NULL, 'd', required_argument, NULL,
	 "drivers are built into libsluice; there is no driver library to load"},
	{"mbuf-pool-ops-name", 0, required_argument, NULL,
	 "applications pick a pool's backend when they create it"},
	{"syslog", 0, optional_argument, NULL,
	 "logs go to stderr (or a sink the application sets)"},
};

_Static_assert(SL_ARRAY_SIZE(noted_opts) <= 64, "noted_opts[] indexes the bits of cfg->noted");

void sl_usage(FILE *out)
{
	fprintf(out,
		"Runtime options:\n"
		"  -l, --lcores LIST      cores to use, e.g. 0-3 or 0,2 (default: every allowed core)\n"
		"  -c MASK                cores as a hex mask, e.g. 0x3 (= -l 0-1)\n"
		"  --main-lcore N         core of the main thread (default: first of the list)\n"
		"  -m, --memory MB        memory limit over all NUMA nodes (default: none)\n"
		"  --socket-mem MB[,MB]   memory limit per NUMA node (default: none; --socket-limit\n"
		"                         is the same)\n"
		"  --no-huge              use ordinary locked memory, never hugepages\n"
		"  --huge                 require hugepages; fail if none are reserved\n"
		"  --file-prefix NAME     runtime directory /run/sluice/NAME (default: sluice);\n"
		"                         give each process its own to run several side by side\n"
		"  --in-memory            share nothing: a runtime directory of this process's own,\n"
		"                         so several run side by side without --file-prefix\n"
		"  --log-level SPEC       error|warning|notice|info|debug or DPDK's 1-8, per library\n"
		"                         with 'ring:debug' (DPDK's names too: lib.eal, pmd.net.X),\n"
		"                         several separated by commas; repeatable\n"
		"  --vdev DEV             add a virtual port, e.g. net_null0,size=64 or\n"
		"                         net_af_packet0,iface=veth0 (repeatable)\n"
		"  --no-workers           start no worker threads\n"
		"  --no-telemetry         serve no telemetry socket (default: DPDK's telemetry v2\n"
		"                         at /var/run/dpdk/PREFIX/dpdk_telemetry.v2; --telemetry)\n"
		"  --metrics [ADDR:]PORT  serve Prometheus /metrics over HTTP (ADDR default\n"
		"                         127.0.0.1)\n"
		"  -h, --help             this help\n"
		"Accepted for DPDK command lines, with a notice saying why they change nothing:\n"
		"  -n N, --no-pci, -a/-b PCI_ADDR, --proc-type primary|auto, --single-file-segments,\n"
		"  --huge-dir DIR, --huge-unlink, --legacy-mem, --iova-mode, --no-hpet, -d LIB...\n"
		"  (--proc-type secondary is refused: Sluice has no multi-process mode)\n"
		"Options end at the first other argument or after '--'.\n");
}

void sl_config_defaults(struct sl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->main_lcore = -1;
	cfg->huge = SL_MEM_HUGE_AUTO;
}

/* Parses a size in MiB ("512") into bytes. */
static int parse_mb(const char *s, size_t *bytes)
{
	char *end;
	unsigned long long mb;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	mb = strtoull(s, &end, 10);
	if (*end != '\0' || mb > (1ull << 30))
		return -EINVAL;
	*bytes = (size_t)mb << 20;
	return 0;
}

static int parse_socket_mem(const char *s, struct sl_config *cfg)
{
	char buf[128], *save = NULL;
	unsigned node = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (node >= SL_MAX_NUMA_NODES || parse_mb(tok, &cfg->node_mem_limit[node]) < 0)
			return -EINVAL;
		node++;
	}
	return node ? 0 : -EINVAL;
}

/* -c 0x3: a hex core mask (DPDK's), turned into the core list "0-1". */
static int parse_coremask(const char *s, struct sl_config *cfg)
{
	const char *p = s;
	size_t len;
	cpu_set_t set;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	len = strlen(p);
	if (len == 0 || len > SL_MAX_LCORE / 4 || strspn(p, "0123456789abcdefABCDEF") != len)
		goto bad;
	CPU_ZERO(&set);
	for (size_t i = 0; i < len; i++) {
		char c = p[len - 1 - i];
		unsigned v = (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);

		for (unsigned b = 0; b < 4; b++)
			if (v & (1u << b))
				CPU_SET(i * 4 + b, &set);
	}
	if (CPU_COUNT(&set) == 0)
		goto bad;
	cpulist_format(&set, cfg->lcores_buf, sizeof(cfg->lcores_buf));
	cfg->lcores = cfg->lcores_buf;
	return 0;
bad:
	SL_LOG(runtime, ERR,
	       "-c '%s' is not a core mask; write it in hex like 0x3 (cores 0-1) or "
	       "give a list with -l 0-1",
	       s);
	return -EINVAL;
}

static int check_uint(const char *opt, const char *arg)
{
	char *end;

	if (*arg >= '0' && *arg <= '9' && strtoul(arg, &end, 10) < 1000 && *end == '\0')
		return 0;
	SL_LOG(runtime, ERR, "%s '%s' is not a number", opt, arg);
	return -EINVAL;
}

/* A PCI address (DOMAIN:BUS:DEV.FN or BUS:DEV.FN, hex), optionally followed by ",args". */
static int check_pci(const char *opt, const char *arg)
{
	unsigned d, b, s, f;
	int used = 0;

	if ((sscanf(arg, "%x:%x:%x.%x%n", &d, &b, &s, &f, &used) == 4 ||
	     sscanf(arg, "%x:%x.%x%n", &b, &s, &f, &used) == 3) &&
	    (arg[used] == '\0' || arg[used] == ','))
		return 0;
	SL_LOG(runtime, ERR,
	       "%s '%s' is not a PCI address (like 0000:01:00.0); virtual devices "
	       "are given with --vdev %s, as in DPDK",
	       opt, arg, arg);
	return -EINVAL;
}

static int check_proc_type(const char *opt, const char *arg)
{
	if (strcmp(arg, "primary") == 0 || strcmp(arg, "auto") == 0)
		return 0;
	if (strcmp(arg, "secondary") == 0)
		SL_LOG(runtime, ERR,
		       "%s secondary: Sluice has no multi-process mode (no process "
		       "shares another's ports or pools); run the second program with its own "
		       "--file-prefix and connect the two with net_memif (role=server in one, "
		       "role=client in the other)",
		       opt);
	else
		SL_LOG(runtime, ERR, "%s '%s' is not a process type; use primary", opt, arg);
	return -EINVAL;
}

/* DPDK's level words beyond ours; the rest go through sl_log_parse_level(). */
static const char *level_word(const char *w)
{
	if (strcasecmp(w, "emerg") == 0 || strcasecmp(w, "alert") == 0 ||
	    strcasecmp(w, "crit") == 0 || strcasecmp(w, "critical") == 0)
		return "error";
	return sl_log_parse_level(w) < 0 ? NULL : w;
}

/* DPDK's log type names and what they are called here. */
static const struct {
	const char *dpdk, *ours;
} log_names[] = {
	{"lib.eal", "runtime,memory"},
	{"lib.ethdev", "port"},
	{"lib.mempool", "pool"},
	{"lib.mbuf", "pktbuf"},
	{"lib.ring", "ring"},
	{"lib.hash", "hash"},
	{"lib.lpm", "lpm"},
	{"lib.net", "net"},
	{"user1", "sluice"},
	{"lib", "runtime,memory,port,pool,pktbuf,ring,hash,lpm,net,sluice"},
};

/* Appends "pattern:level" rules for one DPDK or Sluice pattern to buf. */
static int add_rules(char *buf, size_t size, const char *pattern, const char *level)
{
	char glob[64], names[128], *save = NULL;
	size_t used = strlen(buf), plen;
	const char *mapped = NULL;

	/* DPDK's regex form ("pmd\.net\..*"): the common regexes as globs. */
	plen = 0;
	for (const char *p = pattern; *p && plen + 1 < sizeof(glob); p++) {
		if (*p == '^' || *p == '$')
			continue;
		if (p[0] == '\\' && p[1] == '.')
			continue;
		if (p[0] == '.' && p[1] == '*') {
			glob[plen++] = '*';
			p++;
			continue;
		}
		glob[plen++] = *p;
	}
	glob[plen] = '\0';
	for (size_t i = 0; i < SL_ARRAY_SIZE(log_names) && !mapped; i++) {
		size_t n = strlen(log_names[i].dpdk);

		if (strcmp(glob, log_names[i].dpdk) == 0 ||
		    (strncmp(glob, log_names[i].dpdk, n) == 0 &&
		     (strcmp(glob + n, ".*") == 0 || strcmp(glob + n, "*") == 0)))
			mapped = log_names[i].ours;
	}
	if (mapped == NULL && strncmp(glob, "pmd", 3) == 0) {
		/* pmd.net.af_xdp -> net_af_xdp; pmd.* and pmd.net.* -> every driver. */
		const char *rest = glob + 3;

		if (strncmp(rest, ".net", 4) == 0)
			rest += 4;
		if (*rest == '.')
			rest++;
		snprintf(names, sizeof(names), "net_%s", *rest ? rest : "*");
		mapped = names;
	}
	if (mapped == NULL)
		mapped = glob;
	if (mapped != names) {
		snprintf(names, sizeof(names), "%s", mapped);
		mapped = names;
	}
	for (char *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int n = snprintf(buf + used, size - used, "%s%s:%s", used ? "," : "", t, level);

		if (n < 0 || (size_t)n >= size - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return 0;
}

/*
 * Adds one --log-level value to cfg->log_buf, translated to sl_log_set_levels()'s syntax:
 * "debug", "8", "ring:debug,pool:info" (ours), "lib.eal:debug", "pmd.net.af_xdp:8" (DPDK's
 * globs, names mapped) and "pmd\.net\..*,8" (DPDK's regex form).
 */
static int parse_log_level(const char *spec, struct sl_config *cfg)
{
	char buf[256], *items[32];
	unsigned n = 0;
	char *save = NULL;

	if (strlen(spec) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, spec);
	for (char *t = strtok_r(buf, ",", &save); t && n < SL_ARRAY_SIZE(items);
	     t = strtok_r(NULL, ",", &save))
		items[n++] = t;
	if (n == 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		char *colon = strrchr(items[i], ':');
		const char *level;
		int rc;

		if (colon) {
			*colon = '\0';
			level = level_word(colon + 1);
			rc = level ? add_rules(cfg->log_buf, sizeof(cfg->log_buf), items[i], level)
				   : -EINVAL;
		} else if ((level = level_word(items[i])) != NULL) {
			rc = add_rules(cfg->log_buf, sizeof(cfg->log_buf), "*", level);
		} else if (i + 1 < n && strchr(items[i + 1], ':') == NULL &&
			   (level = level_word(items[i + 1])) != NULL) {
			rc = add_rules(cfg->log_buf, sizeof(cfg->log_buf), items[i], level);
			i++;
		} else {
			rc = -EINVAL;
		}
		if (rc < 0)
			return rc;
	}
	cfg->log_levels = cfg->log_buf;
	return 0;
}

/* getopt's tables: ours, then noted_opts[] (built once). */
static struct option all_opts[SL_ARRAY_SIZE(own_opts) + SL_ARRAY_SIZE(noted_opts) + 1];
static char short_opts[64];

static void build_opts(void)
{
	size_t n = 0, s;

	if (short_opts[0])
		return;
	for (size_t i = 0; i < SL_ARRAY_SIZE(own_opts); i++)
		all_opts[n++] = own_opts[i];
	strcpy(short_opts, "+l:c:m:h");
	s = strlen(short_opts);
	for (size_t i = 0; i < SL_ARRAY_SIZE(noted_opts); i++) {
		const struct noted_opt *o = &noted_opts[i];

		if (o->name)
			all_opts[n++] = (struct option){
				.name = o->name, .has_arg = o->has_arg, .val = OPT_NOTED + (int)i};
		if (o->short_name) {
			short_opts[s++] = o->short_name;
			if (o->has_arg != no_argument)
				short_opts[s++] = ':';
			if (o->has_arg == optional_argument)
				short_opts[s++] = ':';
		}
	}
	short_opts[s] = '\0';
	all_opts[n] = (struct option){NULL, 0, NULL, 0};
}

static int noted_index(int opt)
{
	if (opt >= OPT_NOTED && opt < OPT_NOTED + (int)SL_ARRAY_SIZE(noted_opts))
		return opt - OPT_NOTED;
	for (size_t i = 0; i < SL_ARRAY_SIZE(noted_opts); i++)
		if (noted_opts[i].short_name && noted_opts[i].short_name == opt)
			return (int)i;
	return -1;
}

/* "-n" or "--no-pci", as the user wrote it. */
static void noted_label(const struct noted_opt *o, char *buf, size_t len)
{
	if (o->name && o->short_name)
		snprintf(buf, len, "-%c/--%s", o->short_name, o->name);
	else if (o->name)
		snprintf(buf, len, "--%s", o->name);
	else
		snprintf(buf, len, "-%c", o->short_name);
}

void config_log_notices(const struct sl_config *cfg)
{
	char label[64];

	for (size_t i = 0; i < SL_ARRAY_SIZE(noted_opts); i++)
		if (cfg->noted & (1ull << i)) {
			noted_label(&noted_opts[i], label, sizeof(label));
			SL_LOG(runtime, NOTICE, "%s: no effect: %s", label, noted_opts[i].reason);
		}
}

int sl_config_parse(struct sl_config *cfg, int argc, char **argv)
{
	int opt, n, idx;
	char *end;

	build_opts();
	optind = 0; /* glibc: full reset, so parsing twice in one process works */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_opts, all_opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			cfg->lcores = optarg;
			break;
		case 'c':
			if (parse_coremask(optarg, cfg) < 0)
				return -EINVAL;
			break;
		case OPT_MAIN_LCORE:
			cfg->main_lcore = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || cfg->main_lcore < 0) {
				SL_LOG(runtime, ERR, "--main-lcore '%s' is not a core number", optarg);
				return -EINVAL;
			}
			break;
		case 'm':
			if (parse_mb(optarg, &cfg->mem_limit) < 0) {
				SL_LOG(runtime, ERR, "-m '%s' is not a size in MiB (e.g. -m 1024)", optarg);
				return -EINVAL;
			}
			break;
		case OPT_SOCKET_MEM:
			if (parse_socket_mem(optarg, cfg) < 0) {
				SL_LOG(runtime, ERR,
				       "--socket-mem '%s' is not a list of MiB per node (e.g. 512,512)",
				       optarg);
				return -EINVAL;
			}
			break;
		case OPT_NO_HUGE:
			cfg->huge = SL_MEM_HUGE_OFF;
			break;
		case OPT_HUGE:
			cfg->huge = SL_MEM_HUGE_REQUIRE;
			break;
		case OPT_FILE_PREFIX:
			cfg->file_prefix = optarg;
			break;
		case OPT_IN_MEMORY:
			cfg->in_memory = true;
			break;
		case OPT_LOG_LEVEL:
			if (parse_log_level(optarg, cfg) < 0) {
				SL_LOG(runtime, ERR,
				       "--log-level '%s' is not valid; use e.g. info, 8, ring:debug or "
				       "pmd.net.af_xdp:debug",
				       optarg);
				return -EINVAL;
			}
			break;
		case OPT_NO_WORKERS:
			cfg->no_workers = true;
			break;
		case OPT_NO_TELEMETRY:
			cfg->no_telemetry = true;
			break;
		case OPT_TELEMETRY:
			cfg->no_telemetry = false;
			break;
		case OPT_METRICS:
			cfg->metrics = optarg;
			break;
		case OPT_VDEV:
			if (cfg->nb_vdevs == SL_MAX_VDEVS) {
				SL_LOG(runtime, ERR, "too many --vdev options (the maximum is %d)",
				       SL_MAX_VDEVS);
				return -EINVAL;
			}
			cfg->vdevs[cfg->nb_vdevs++] = optarg;
			break;
		case 'h':
			cfg->help = true;
			break;
		default:
			idx = noted_index(opt);
			if (idx >= 0) {
				char label[64];

				noted_label(&noted_opts[idx], label, sizeof(label));
				if (noted_opts[idx].check && optarg &&
				    noted_opts[idx].check(label, optarg) < 0)
					return -EINVAL;
				cfg->noted |= 1ull << idx;
				break;
			}
			if (optopt && optopt < 256)
				SL_LOG(runtime, ERR, "option -%c needs a value or is unknown; see --help",
				       optopt);
			else if (optopt)
				SL_LOG(runtime, ERR, "option '%s' needs a value; see --help",
				       argv[optind - 1]);
			else
				SL_LOG(runtime, ERR,
				       "unknown option '%s'; put application options after '--' (see --help)",
				       argv[optind - 1]);
			return -EINVAL;
		}
	}
	/* --in-memory: nothing shared, so no shared name either (DPDK's --no-shconf). */
	if (cfg->in_memory && cfg->file_prefix == NULL) {
		snprintf(cfg->prefix_buf, sizeof(cfg->prefix_buf), "sluice-%d", (int)getpid());
		cfg->file_prefix = cfg->prefix_buf;
	}
	n = optind - 1;
	if (n > 0)
		argv[n] = argv[0];
	return n;
}
