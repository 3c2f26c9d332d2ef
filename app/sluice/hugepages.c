/* SPDX-License-Identifier: BSD-3-Clause */
/* Hugepages per size and NUMA node: show, reserve, clear, mount hugetlbfs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>

#include "sluice.h"

#define HP "/sys/kernel/mm/hugepages"
#define NODE_HP "/sys/devices/system/node/node%d/hugepages/hugepages-%lukB"

static void size_name(unsigned long kb, char *out, size_t n)
{
	if (kb >= 1048576 && kb % 1048576 == 0)
		snprintf(out, n, "%luG", kb / 1048576);
	else if (kb >= 1024 && kb % 1024 == 0)
		snprintf(out, n, "%luM", kb / 1024);
	else
		snprintf(out, n, "%luK", kb);
}

static int parse_size(const char *s, unsigned long *kb)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s)
		return -EINVAL;
	if (strcasecmp(end, "G") == 0 || strcasecmp(end, "GB") == 0)
		v *= 1048576;
	else if (strcasecmp(end, "M") == 0 || strcasecmp(end, "MB") == 0)
		v *= 1024;
	else if (strcasecmp(end, "K") == 0 || strcasecmp(end, "kB") == 0)
		;
	else
		return -EINVAL;
	*kb = v;
	return 0;
}

/* Sizes the kernel offers, in kB, ascending. */
static int hp_sizes(const struct ctx *c, unsigned long *kb, int max)
{
	char **names;
	int n = sys_list(c, &names, HP), k = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n && k < max; i++)
		if (sscanf(names[i], "hugepages-%lukB", &kb[k]) == 1)
			k++;
	list_free(names, n);
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && kb[j] < kb[j - 1]; j--) {
			unsigned long t = kb[j];

			kb[j] = kb[j - 1];
			kb[j - 1] = t;
		}
	return k;
}

static unsigned long default_size(const struct ctx *c)
{
	char *m = sys_slurp(c, 1 << 16, "/proc/meminfo"), *p;
	unsigned long kb = 2048;

	if (m && (p = strstr(m, "Hugepagesize:")) != NULL)
		sscanf(p, "Hugepagesize: %lu", &kb);
	free(m);
	return kb;
}

int hugetlbfs_mounts(const struct ctx *c, void (*fn)(const char *mnt, unsigned long kb, void *arg),
		     void *arg)
{
	char *buf = sys_slurp(c, 1 << 20, "/proc/mounts"), *line, *save = NULL;
	unsigned long def = default_size(c);
	int n = 0;

	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char dev[256], mnt[512], type[64], opts[512], *ps;
		unsigned long kb = def;

		if (sscanf(line, "%255s %511s %63s %511s", dev, mnt, type, opts) != 4 ||
		    strcmp(type, "hugetlbfs") != 0)
			continue;
		if ((ps = strstr(opts, "pagesize=")) != NULL) {
			ps[9 + strcspn(ps + 9, ",")] = '\0';
			if (parse_size(ps + 9, &kb))
				kb = def;
		}
		if (fn)
			fn(mnt, kb, arg);
		n++;
	}
	free(buf);
	return n;
}

static void print_mount(const char *mnt, unsigned long kb, void *arg)
{
	char s[24];

	(void)arg;
	size_name(kb, s, sizeof(s));
	printf("  %s  pagesize=%s\n", mnt, s);
}

struct find_mount {
	unsigned long kb;
	char mnt[512];
};

static void match_mount(const char *mnt, unsigned long kb, void *arg)
{
	struct find_mount *f = arg;

	if (kb == f->kb && !f->mnt[0])
		snprintf(f->mnt, sizeof(f->mnt), "%s", mnt);
}

static int no_hugepages(const struct ctx *c)
{
	if (sys_exists(c, HP))
		return 0;
	fprintf(stderr, "sluice hugepages: %s" HP " is missing: this kernel has no hugepage "
			"support (needs CONFIG_HUGETLBFS); Sluice falls back to 4K pages, af_xdp and "
			"af_packet still work\n",
		c->root);
	return 1;
}

static int show(const struct ctx *c)
{
	unsigned long kb[8];
	int nodes[MAX_NODES], nn, ns;

	if (no_hugepages(c))
		return EX_SL_FAIL;
	ns = hp_sizes(c, kb, 8);
	nn = numa_nodes(c, nodes, MAX_NODES);
	printf("%-5s  %-4s  %8s  %8s  %8s\n", "SIZE", "NODE", "RESERVED", "FREE", "SURPLUS");
	for (int s = 0; s < ns; s++) {
		char sn[24];
		long nr = 0, fr = 0, su = 0;

		size_name(kb[s], sn, sizeof(sn));
		sys_read_long(c, &nr, HP "/hugepages-%lukB/nr_hugepages", kb[s]);
		sys_read_long(c, &fr, HP "/hugepages-%lukB/free_hugepages", kb[s]);
		sys_read_long(c, &su, HP "/hugepages-%lukB/surplus_hugepages", kb[s]);
		printf("%-5s  %-4s  %8ld  %8ld  %8ld\n", sn, "all", nr, fr, su);
		for (int i = 0; i < nn; i++) {
			char node[8];

			if (sys_read_long(c, &nr, NODE_HP "/nr_hugepages", nodes[i], kb[s]))
				continue;
			fr = su = 0;
			sys_read_long(c, &fr, NODE_HP "/free_hugepages", nodes[i], kb[s]);
			sys_read_long(c, &su, NODE_HP "/surplus_hugepages", nodes[i], kb[s]);
			snprintf(node, sizeof(node), "%d", nodes[i]);
			printf("%-5s  %-4s  %8ld  %8ld  %8ld\n", sn, node, nr, fr, su);
		}
	}
	printf("hugetlbfs mounts:\n");
	if (hugetlbfs_mounts(c, print_mount, NULL) == 0)
		printf("  none; mount one with: sluice hugepages --mount /dev/hugepages\n");
	return EX_SL_OK;
}

static int do_mount(const struct ctx *c, const char *dir, unsigned long kb)
{
	struct find_mount f = {.kb = kb};
	char p[1024], sn[24], opts[64];
	int rc;

	size_name(kb, sn, sizeof(sn));
	hugetlbfs_mounts(c, match_mount, &f);
	if (f.mnt[0]) {
		printf("hugetlbfs for %s pages is already mounted at %s\n", sn, f.mnt);
		return EX_SL_OK;
	}
	if (dir[0] != '/' || sys_path(c, p, sizeof(p), "%s", dir)) {
		fprintf(stderr, "sluice hugepages: mount point '%s' must be an absolute path\n", dir);
		return EX_SL_USAGE;
	}
	rc = mkdir_p(p);
	if (rc) {
		fprintf(stderr, "sluice hugepages: cannot create %s: %s\n", p, strerror(-rc));
		return EX_SL_FAIL;
	}
	snprintf(opts, sizeof(opts), "pagesize=%s", sn);
	if (c->fake) { /* a fixture has no kernel: record the mount in its proc/mounts */
		char line[1200];
		FILE *m;

		sys_path(c, line, sizeof(line), "/proc/mounts");
		m = fopen(line, "a");
		if (!m || fprintf(m, "nodev %s hugetlbfs rw,relatime,%s 0 0\n", dir, opts) < 0) {
			fprintf(stderr, "sluice hugepages: cannot append to %s\n", line);
			if (m)
				fclose(m);
			return EX_SL_FAIL;
		}
		fclose(m);
	} else if (mount("nodev", p, "hugetlbfs", 0, opts) != 0) {
		fprintf(stderr, "sluice hugepages: mount -t hugetlbfs -o %s nodev %s failed: %s%s\n",
			opts, p, strerror(errno), errno == EPERM ? " (run as root)" : "");
		return EX_SL_FAIL;
	}
	printf("mounted hugetlbfs (%s) at %s; persistent form, in /etc/fstab:\n"
	       "  nodev %s hugetlbfs %s 0 0\n",
	       opts, dir, dir, opts);
	return EX_SL_OK;
}

static int write_count(const struct ctx *c, unsigned long kb, int node, long want)
{
	char v[32];
	long got = -1;
	int rc;

	snprintf(v, sizeof(v), "%ld\n", want);
	if (node < 0) {
		rc = sys_write(c, v, HP "/hugepages-%lukB/nr_hugepages", kb);
		if (!rc)
			rc = sys_read_long(c, &got, HP "/hugepages-%lukB/nr_hugepages", kb);
	} else {
		rc = sys_write(c, v, NODE_HP "/nr_hugepages", node, kb);
		if (!rc)
			rc = sys_read_long(c, &got, NODE_HP "/nr_hugepages", node, kb);
	}
	if (rc) {
		char p[1024];

		if (node < 0)
			sys_path(c, p, sizeof(p), HP "/hugepages-%lukB/nr_hugepages", kb);
		else
			sys_path(c, p, sizeof(p), NODE_HP "/nr_hugepages", node, kb);
		fprintf(stderr, "sluice hugepages: cannot write %s: %s%s\n", p, strerror(-rc),
			rc == -EACCES || rc == -EPERM ? " (run as root)" : "");
		return rc;
	}
	return (int)got;
}

static void persistent(unsigned long kb, unsigned long def, const int *nodes, const long *per,
		       int nn, long total)
{
	char sn[24];

	size_name(kb, sn, sizeof(sn));
	printf("to make this persistent (sluice never edits boot files), either:\n"
	       "  kernel command line: hugepagesz=%s hugepages=%ld", sn, total);
	if (nn > 1) {
		printf("  (per node, newer kernels: hugepages=");
		for (int i = 0; i < nn; i++)
			printf("%s%d:%ld", i ? "," : "", nodes[i], per[i]);
		printf(")");
	}
	printf("\n");
	if (kb == def)
		printf("  or sysctl: echo 'vm.nr_hugepages = %ld' > /etc/sysctl.d/80-sluice.conf\n",
		       total);
	else
		printf("  (%s pages are not the default size: only the command line reserves them "
		       "at boot)\n",
		       sn);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluice hugepages [--mount DIR]\n"
		"       sluice hugepages reserve N [--size 2M|1G] [--node K | --spread] [--mount DIR]\n"
		"       sluice hugepages clear\n"
		"Without arguments, show reserved/free/surplus pages per size and NUMA node and the\n"
		"hugetlbfs mounts. reserve sets the count of SIZE pages (default: the kernel's\n"
		"default size) to N in total, on node K, or spread evenly over the nodes, then checks\n"
		"what the kernel really reserved (it may give fewer) and prints the persistent form.\n"
		"clear sets every count to 0. --mount DIR mounts hugetlbfs for SIZE at DIR if no\n"
		"such mount exists. Changing counts or mounting needs root.\n");
}

int cmd_hugepages(struct ctx *c, int argc, char **argv)
{
	const char *verb = NULL, *mnt = NULL, *sizes = NULL;
	int nodes[MAX_NODES], nn, node = -1, spread = 0, rc = EX_SL_OK;
	long n = -1, per[MAX_NODES];
	unsigned long kb, def;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_SL_OK;
		} else if (strcmp(argv[i], "--mount") == 0 && i + 1 < argc) {
			mnt = argv[++i];
		} else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
			sizes = argv[++i];
		} else if (strcmp(argv[i], "--node") == 0 && i + 1 < argc) {
			node = (int)strtol(argv[++i], &end, 10);
			if (*end || node < 0) {
				fprintf(stderr, "sluice hugepages: --node '%s' is not a node number\n",
					argv[i]);
				return EX_SL_USAGE;
			}
		} else if (strcmp(argv[i], "--spread") == 0 || strcmp(argv[i], "spread") == 0) {
			spread = 1;
		} else if (!verb && (strcmp(argv[i], "reserve") == 0 || strcmp(argv[i], "clear") == 0 ||
				     strcmp(argv[i], "show") == 0)) {
			verb = argv[i];
		} else if (verb && strcmp(verb, "reserve") == 0 && n < 0 && argv[i][0] != '-') {
			n = strtol(argv[i], &end, 10);
			if (*end || n < 0 || n > 100000000) {
				fprintf(stderr, "sluice hugepages: page count '%s' is not a number "
						"between 0 and 100000000\n",
					argv[i]);
				return EX_SL_USAGE;
			}
		} else {
			fprintf(stderr, "sluice hugepages: unexpected argument '%s'; see sluice "
					"hugepages --help\n",
				argv[i]);
			return EX_SL_USAGE;
		}
	}
	if (verb && strcmp(verb, "reserve") == 0 && n < 0) {
		fprintf(stderr, "sluice hugepages: reserve needs a page count: sluice hugepages "
				"reserve 1024\n");
		return EX_SL_USAGE;
	}
	if (node >= 0 && spread) {
		fprintf(stderr, "sluice hugepages: --node and --spread exclude each other\n");
		return EX_SL_USAGE;
	}
	if (no_hugepages(c))
		return EX_SL_FAIL;
	def = default_size(c);
	kb = def;
	if (sizes && parse_size(sizes, &kb)) {
		fprintf(stderr, "sluice hugepages: --size '%s' is not a size (2M, 1G)\n", sizes);
		return EX_SL_USAGE;
	}
	if (!sys_exists(c, HP "/hugepages-%lukB", kb)) {
		char sn[24];

		size_name(kb, sn, sizeof(sn));
		fprintf(stderr, "sluice hugepages: this kernel has no %s pages (%s" HP
				"/hugepages-%lukB missing)%s\n",
			sn, c->root, kb,
			kb == 1048576 ? "; 1G pages need the CPU flag pdpe1gb, use --size 2M" :
					"; use --size 2M");
		return EX_SL_FAIL;
	}
	if ((verb && strcmp(verb, "show") != 0) || mnt) {
		if (!c->fake && !is_root_user()) {
			fprintf(stderr, "sluice hugepages: reserving or mounting hugepages needs "
					"root; run it with sudo\n");
			return EX_SL_FAIL;
		}
	}
	nn = numa_nodes(c, nodes, MAX_NODES);
	if (verb && strcmp(verb, "clear") == 0) {
		unsigned long all[8];
		int ns = hp_sizes(c, all, 8);

		for (int s = 0; s < ns; s++) {
			char sn[24];
			long left = 0;

			size_name(all[s], sn, sizeof(sn));
			for (int i = 0; i < nn; i++)
				if (sys_exists(c, NODE_HP "/nr_hugepages", nodes[i], all[s]))
					write_count(c, all[s], nodes[i], 0);
			left = write_count(c, all[s], -1, 0);
			if (left < 0)
				return EX_SL_FAIL;
			if (left > 0) {
				printf("%s pages: %ld still reserved (in use by a running process: they "
				       "are freed when it exits)\n",
				       sn, left);
				rc = EX_SL_FAIL;
			} else {
				printf("%s pages: cleared\n", sn);
			}
		}
	} else if (verb && strcmp(verb, "reserve") == 0) {
		char sn[24];
		long total = 0;
		int short_of = 0;

		size_name(kb, sn, sizeof(sn));
		if (node >= 0 && !sys_exists(c, NODE_HP, node, kb)) {
			fprintf(stderr, "sluice hugepages: no NUMA node %d with %s pages (%s"
					"/sys/devices/system/node/node%d missing); nodes here: ",
				node, sn, c->root, node);
			for (int i = 0; i < nn; i++)
				fprintf(stderr, "%s%d", i ? "," : "", nodes[i]);
			fprintf(stderr, "\n");
			return EX_SL_FAIL;
		}
		for (int i = 0; i < nn; i++) {
			per[i] = 0;
			if (spread)
				per[i] = n / nn + (i < n % nn);
			else if (nodes[i] == node)
				per[i] = n;
		}
		if (node < 0 && !spread) {
			int got = write_count(c, kb, -1, n);

			if (got < 0)
				return EX_SL_FAIL;
			total = got;
			if (got < n) {
				short_of = 1;
				fprintf(stderr, "sluice hugepages: asked for %ld %s pages, the kernel "
						"reserved only %d (not enough free contiguous memory); try "
						"fewer, run 'echo 1 > /proc/sys/vm/compact_memory' first, or "
						"reserve at boot on the kernel command line\n",
					n, sn, got);
			}
			for (int i = 0; i < nn; i++) {
				long v = 0;

				sys_read_long(c, &v, NODE_HP "/nr_hugepages", nodes[i], kb);
				per[i] = v;
			}
		} else {
			for (int i = 0; i < nn; i++) {
				int got;

				if (!spread && nodes[i] != node)
					continue;
				got = write_count(c, kb, nodes[i], per[i]);
				if (got < 0)
					return EX_SL_FAIL;
				if (got < per[i]) {
					short_of = 1;
					fprintf(stderr, "sluice hugepages: asked for %ld %s pages on node "
							"%d, the kernel reserved only %d (node short of "
							"free contiguous memory); try fewer, compact memory "
							"(echo 1 > /proc/sys/vm/compact_memory) or reserve at "
							"boot\n",
						per[i], sn, nodes[i], got);
				}
				per[i] = got;
			}
			for (int i = 0; i < nn; i++) {
				long v = per[i];

				if (!spread && nodes[i] != node)
					sys_read_long(c, &v, NODE_HP "/nr_hugepages", nodes[i], kb);
				per[i] = v;
				total += v;
			}
		}
		printf("%s pages reserved: %ld", sn, total);
		for (int i = 0; i < nn && nn > 1; i++)
			printf("%snode%d=%ld", i ? ", " : " (", nodes[i], per[i]);
		printf("%s\n", nn > 1 ? ")" : "");
		persistent(kb, def, nodes, per, nn, total);
		if (short_of)
			rc = EX_SL_FAIL;
	}
	if (mnt) {
		int m = do_mount(c, mnt, kb);

		if (m != EX_SL_OK)
			return m;
	}
	if (!verb && !mnt)
		return show(c);
	if (verb && strcmp(verb, "show") == 0)
		return show(c);
	return rc;
}
