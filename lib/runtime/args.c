/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options of the runtime, shaped like DPDK's EAL options. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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
	OPT_IGNORED,
};

static const struct option long_opts[] = {
	{"lcores", required_argument, NULL, 'l'},
	{"main-lcore", required_argument, NULL, OPT_MAIN_LCORE},
	{"memory", required_argument, NULL, 'm'},
	{"socket-mem", required_argument, NULL, OPT_SOCKET_MEM},
	{"no-huge", no_argument, NULL, OPT_NO_HUGE},
	{"huge", no_argument, NULL, OPT_HUGE},
	{"file-prefix", required_argument, NULL, OPT_FILE_PREFIX},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"no-workers", no_argument, NULL, OPT_NO_WORKERS},
	{"vdev", required_argument, NULL, OPT_VDEV},
	{"no-pci", no_argument, NULL, OPT_IGNORED},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void sl_usage(FILE *out)
{
	fprintf(out,
		"Runtime options:\n"
		"  -l, --lcores LIST      cores to use, e.g. 0-3 or 0,2 (default: every allowed core)\n"
		"  --main-lcore N         core of the main thread (default: first of the list)\n"
		"  -m, --memory MB        memory limit over all NUMA nodes (default: none)\n"
		"  --socket-mem MB[,MB]   memory limit per NUMA node (default: none)\n"
		"  --no-huge              use ordinary locked memory, never hugepages\n"
		"  --huge                 require hugepages; fail if none are reserved\n"
		"  --file-prefix NAME     runtime directory /run/sluice/NAME (default: sluice);\n"
		"                         give each process its own to run several side by side\n"
		"  --log-level SPEC       error|warning|notice|info|debug, per library with\n"
		"                         'ring:debug', several separated by commas\n"
		"  --vdev DEV             add a virtual port, e.g. net_null0,size=64 or\n"
		"                         net_af_packet0,iface=veth0 (repeatable)\n"
		"  --no-workers           start no worker threads\n"
		"  -n N, --no-pci         accepted for DPDK command lines; no effect\n"
		"  -h, --help             this help\n"
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

int sl_config_parse(struct sl_config *cfg, int argc, char **argv)
{
	int opt, n;
	char *end;

	optind = 0; /* glibc: full reset, so parsing twice in one process works */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+l:m:n:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			cfg->lcores = optarg;
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
		case OPT_LOG_LEVEL:
			cfg->log_levels = optarg;
			break;
		case OPT_NO_WORKERS:
			cfg->no_workers = true;
			break;
		case OPT_VDEV:
			if (cfg->nb_vdevs == SL_MAX_VDEVS) {
				SL_LOG(runtime, ERR, "too many --vdev options (the maximum is %d)",
				       SL_MAX_VDEVS);
				return -EINVAL;
			}
			cfg->vdevs[cfg->nb_vdevs++] = optarg;
			break;
		case 'n':
		case OPT_IGNORED:
			break;
		case 'h':
			cfg->help = true;
			break;
		default:
			if (optopt)
				SL_LOG(runtime, ERR, "option -%c needs a value or is unknown; see --help",
				       optopt);
			else
				SL_LOG(runtime, ERR,
				       "unknown option '%s'; put application options after '--' (see --help)",
				       argv[optind - 1]);
			return -EINVAL;
		}
	}
	n = optind - 1;
	if (n > 0)
		argv[n] = argv[0];
	return n;
}
