/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice: host setup and diagnosis for the Sluice data plane.
 * Global options come before the subcommand; see docs/sluice.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

static const struct {
	const char *name;
	int (*fn)(struct ctx *c, int argc, char **argv);
	const char *help;
} cmds[] = {
	{"doctor", cmd_doctor, "check the host and print OK/WARN/FAIL with the fix for each check"},
	{"hugepages", cmd_hugepages, "show, reserve, clear and mount hugepages per size and node"},
	{"devices", cmd_devices, "list network devices, their drivers, NUMA node, IOMMU group"},
	{"bind", cmd_bind, "bind a NIC to vfio-pci (or another driver) through driver_override"},
	{"unbind", cmd_unbind, "unbind a NIC; --restore gives it back to its original driver"},
	{"plan", cmd_plan, "propose a NUMA-local core layout for ports and a core budget"},
	{"capture", cmd_capture, "capture packets from a running Sluice process to pcapng"},
	{"top", cmd_top, "live view of a running Sluice process: port rates, drops, lcore load"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sluice [--root DIR] [--kernel-log FILE] COMMAND [ARGS]\n\n"
		   "Host setup and diagnosis for the Sluice data plane.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\noptions:\n"
		   "  --root DIR         read and write /sys, /proc, /dev and /run under DIR (fixture\n"
		   "                     trees for tests); also SLUICE_SYSROOT=DIR\n"
		   "  --kernel-log FILE  read the kernel log from FILE instead of /dev/kmsg\n"
		   "  -h, --help         this help; sluice COMMAND --help for a command\n\n"
		   "exit codes: 0 success (doctor: no FAIL), 1 failure (doctor: a FAIL), 2 usage error\n");
}

/* Sets the system root from --root DIR or SLUICE_SYSROOT (`from` names which, for the
 * error line).  Returns 0 or -ENAMETOOLONG. */
static int set_root(struct ctx *c, const char *dir, const char *from)
{
	size_t l = strlen(dir);

	while (l > 1 && dir[l - 1] == '/')
		l--;
	if (l >= sizeof(c->root)) {
		fprintf(stderr, "sluice: %s path is %zu bytes long; use one of at most %zu\n", from,
			l, sizeof(c->root) - 1);
		return -ENAMETOOLONG;
	}
	if (l == 0 || (l == 1 && dir[0] == '/')) {
		c->root[0] = '\0';
		c->fake = 0;
		return 0;
	}
	memcpy(c->root, dir, l);
	c->root[l] = '\0';
	c->fake = 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = {0};
	const char *env = getenv("SLUICE_SYSROOT");
	int i = 1;

	if (env && env[0] && set_root(&c, env, "SLUICE_SYSROOT") < 0)
		return EX_SL_USAGE;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EX_SL_OK;
		} else if ((strcmp(argv[i], "--root") == 0 ||
			    strcmp(argv[i], "--kernel-log") == 0) &&
			   i + 1 >= argc) {
			fprintf(stderr, "sluice: %s needs a %s; see sluice --help\n", argv[i],
				strcmp(argv[i], "--root") == 0 ? "DIR" : "FILE");
			return EX_SL_USAGE;
		} else if (strcmp(argv[i], "--root") == 0) {
			if (set_root(&c, argv[++i], "--root") < 0)
				return EX_SL_USAGE;
		} else if (strcmp(argv[i], "--kernel-log") == 0) {
			c.klog = argv[++i];
		} else {
			fprintf(stderr, "sluice: unknown option '%s'; see sluice --help\n", argv[i]);
			return EX_SL_USAGE;
		}
	}
	if (c.fake) {
		char p[1024];

		if (sys_path(&c, p, sizeof(p), "/sys") || !sys_exists(&c, "/sys")) {
			fprintf(stderr, "sluice: root '%s' has no sys/ directory; point --root at a "
					"fixture tree (or / for this machine)\n",
				c.root);
			return EX_SL_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EX_SL_USAGE;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (strcmp(argv[i], cmds[k].name) == 0)
			return cmds[k].fn(&c, argc - i, argv + i);
	fprintf(stderr, "sluice: unknown command '%s'; commands:", argv[i]);
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		fprintf(stderr, " %s", cmds[k].name);
	fprintf(stderr, "\n");
	return EX_SL_USAGE;
}
