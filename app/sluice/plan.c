/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice plan: a core layout for ports and a core budget. One main core apart (the first
 * online CPU that is not isolated), then workers round-robin over the ports, each on a free
 * core of its port's NUMA node, isolated cores first; each worker polls one rx queue.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

#define MAX_PORTS 64

struct port {
	char dev[64];
	char pci[16];
	int node;
	int nq;
};

struct worker {
	int core, node, remote;
	int nq;
	int port[MAX_PORTS], queue[MAX_PORTS];
};

static void note(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(char *buf, size_t n, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l && l + 1 < n)
		buf[l++] = '\n', buf[l] = '\0';
	va_start(ap, fmt);
	vsnprintf(buf + l, n - l, fmt, ap);
	va_end(ap);
}

static int port_node(const struct ctx *c, struct port *p)
{
	long v = -1;

	if (pci_addr_norm(p->dev, p->pci, sizeof(p->pci)) == 0) {
		if (!sys_exists(c, "/sys/bus/pci/devices/%s", p->pci))
			return -ENODEV;
	} else if (pci_of_ifname(c, p->dev, p->pci, sizeof(p->pci)) != 0) {
		p->pci[0] = '\0';
		if (!sys_exists(c, "/sys/class/net/%s", p->dev))
			return -ENODEV;
	}
	if (p->pci[0])
		sys_read_long(c, &v, "/sys/bus/pci/devices/%s/numa_node", p->pci);
	p->node = (int)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sluice plan --ports P1[,P2...] --cores N [--json]\n"
		   "Propose a core layout for N cores in total: one main core kept apart and N-1\n"
		   "workers spread round-robin over the ports (PCI addresses or interfaces), each\n"
		   "on a core of its port's NUMA node (isolated cores first) polling one rx queue.\n"
		   "Prints the -l core list and the queue map PORT:QUEUE@CORE for the forwarder.\n");
}

int cmd_plan(struct ctx *c, int argc, char **argv)
{
	static struct port ports[MAX_PORTS];
	static struct worker w[MAX_CPUS];
	unsigned char online[MAX_CPUS], iso[MAX_CPUS], used[MAX_CPUS] = {0}, nc[MAX_CPUS];
	int nodes[MAX_NODES], nn, np = 0, ncores = 0, json = 0, main_core = -1, main_node = 0;
	char buf[4096], *list = NULL, notes[2048] = "";
	int cpu_node[MAX_CPUS], core_key[MAX_CPUS];
	unsigned char core_busy[MAX_CPUS] = {0};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_SL_OK;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--ports") == 0 && i + 1 < argc) {
			list = argv[++i];
		} else if (strcmp(argv[i], "--cores") == 0 && i + 1 < argc) {
			char *end;

			ncores = (int)strtol(argv[++i], &end, 10);
			if (*end || ncores < 2 || ncores > MAX_CPUS) {
				fprintf(stderr, "sluice plan: --cores '%s' must be a number >= 2 (one "
						"main core and at least one worker)\n",
					argv[i]);
				return EX_SL_USAGE;
			}
		} else {
			fprintf(stderr, "sluice plan: unexpected argument '%s'; see sluice plan --help\n",
				argv[i]);
			return EX_SL_USAGE;
		}
	}
	if (!list || !ncores) {
		fprintf(stderr, "sluice plan: needs --ports and --cores, e.g. sluice plan --ports "
				"0000:03:00.0,0000:03:00.1 --cores 5\n");
		return EX_SL_USAGE;
	}
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (np == MAX_PORTS) {
			fprintf(stderr, "sluice plan: more than %d ports\n", MAX_PORTS);
			return EX_SL_USAGE;
		}
		snprintf(ports[np].dev, sizeof(ports[np].dev), "%s", t);
		if (port_node(c, &ports[np])) {
			fprintf(stderr, "sluice plan: port '%s' is neither a PCI device nor an "
					"interface here; list them with: sluice devices\n",
				t);
			return EX_SL_FAIL;
		}
		np++;
	}
	if (sys_read(c, buf, sizeof(buf), "/sys/devices/system/cpu/online") ||
	    cpulist_parse(buf, online, MAX_CPUS) <= 0) {
		fprintf(stderr, "sluice plan: cannot read %s/sys/devices/system/cpu/online\n", c->root);
		return EX_SL_FAIL;
	}
	memset(iso, 0, sizeof(iso));
	if (cmdline_get(c, "isolcpus", buf, sizeof(buf)) || cmdline_get(c, "nohz_full", buf, sizeof(buf))) {
		char *p = buf;

		while (*p && (*p < '0' || *p > '9') && strchr(p, ','))
			p = strchr(p, ',') + 1;
		if (cpulist_parse(p, iso, MAX_CPUS) < 0)
			memset(iso, 0, sizeof(iso));
	}
	for (int i = 0; i < MAX_CPUS; i++)
		cpu_node[i] = 0;
	nn = numa_nodes(c, nodes, MAX_NODES);
	for (int k = 0; k < nn; k++) {
		if (node_cpus(c, nodes[k], nc) < 0)
			continue;
		for (int i = 0; i < MAX_CPUS; i++)
			if (nc[i])
				cpu_node[i] = nodes[k];
	}
	for (int i = 0; i < MAX_CPUS && main_core < 0; i++)
		if (online[i] && !iso[i])
			main_core = i;
	for (int i = 0; i < MAX_CPUS && main_core < 0; i++)
		if (online[i])
			main_core = i;
	/* hyperthreads of one physical core share its pipeline: key each CPU by the first
	 * CPU of its thread_siblings_list */
	for (int i = 0; i < MAX_CPUS; i++) {
		core_key[i] = i;
		if (online[i] &&
		    sys_read(c, buf, sizeof(buf),
			     "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", i) == 0 &&
		    cpulist_parse(buf, nc, MAX_CPUS) > 0)
			for (int j = 0; j < MAX_CPUS; j++)
				if (nc[j]) {
					core_key[i] = j;
					break;
				}
	}
	used[main_core] = 1;
	core_busy[core_key[main_core]] = 1;
	main_node = cpu_node[main_core];
	for (int i = 0; i < np; i++)
		if (ports[i].node < 0) {
			if (nn > 1)
				note(notes, sizeof(notes), "%s: NUMA node unknown, assuming node %d",
				     ports[i].dev, main_node);
			ports[i].node = main_node;
		}
	for (int k = 0; k < ncores - 1; k++) {
		struct worker *x = &w[k];
		int want = ports[k % np].node < 0 ? main_node : ports[k % np].node, pick = -1;

		/* isolated on the port's node, then any on the node, then isolated anywhere, then
		 * any; at each level a physical core nobody uses before a busy core's sibling */
		for (int pass = 0; pass < 8 && pick < 0; pass++) {
			int level = pass / 2, free_core = !(pass & 1);

			for (int i = 0; i < MAX_CPUS && pick < 0; i++)
				if (online[i] && !used[i] && (level & 1 ? 1 : iso[i]) &&
				    (level < 2 ? cpu_node[i] == want : 1) &&
				    (!free_core || !core_busy[core_key[i]]))
					pick = i;
		}
		if (pick < 0) {
			fprintf(stderr, "sluice plan: %d cores asked, only %d online CPUs here; use "
					"--cores %d or fewer\n",
				ncores, k + 1, k + 1);
			return EX_SL_FAIL;
		}
		used[pick] = 1;
		core_busy[core_key[pick]] = 1;
		x->core = pick;
		x->node = cpu_node[pick];
		x->remote = x->node != want;
		if (x->remote) {
			note(notes, sizeof(notes), "core %d serves %s on node %d from node %d: no free "
			     "core left on the port's node",
			     pick, ports[k % np].dev, want, x->node);
		}
	}
	/* queues: worker k polls port k % np, queue = how many workers that port already has;
	 * with fewer workers than ports a worker also polls queue 0 of the extra ports */
	for (int k = 0; k < ncores - 1; k++) {
		int p = k % np;

		w[k].port[w[k].nq] = p;
		w[k].queue[w[k].nq++] = ports[p].nq++;
	}
	for (int p = ncores - 1; p < np; p++) {
		int k = p % (ncores - 1);

		w[k].port[w[k].nq] = p;
		w[k].queue[w[k].nq++] = ports[p].nq++;
	}
	if (json) {
		printf("{\"main_core\":%d,\"ports\":[", main_core);
		for (int i = 0; i < np; i++) {
			printf("%s{\"port\":%d,\"dev\":", i ? "," : "", i);
			json_str(stdout, ports[i].dev);
			printf(",\"pci\":");
			json_str(stdout, ports[i].pci);
			printf(",\"node\":%d,\"rx_queues\":%d}", ports[i].node, ports[i].nq);
		}
		printf("],\"workers\":[");
		for (int k = 0; k < ncores - 1; k++) {
			printf("%s{\"core\":%d,\"node\":%d,\"queues\":[", k ? "," : "", w[k].core,
			       w[k].node);
			for (int q = 0; q < w[k].nq; q++)
				printf("%s{\"port\":%d,\"queue\":%d}", q ? "," : "", w[k].port[q],
				       w[k].queue[q]);
			printf("]}");
		}
		printf("],\"lcores\":\"%d", main_core);
		for (int k = 0; k < ncores - 1; k++)
			printf(",%d", w[k].core);
		printf("\",\"notes\":");
		json_str(stdout, notes);
		printf("}\n");
		return EX_SL_OK;
	}
	for (int i = 0; i < np; i++)
		printf("port %d: %s%s%s%s node %d, %d rx queue%s\n", i, ports[i].dev,
		       ports[i].pci[0] && strcmp(ports[i].pci, ports[i].dev) ? " (" : "",
		       strcmp(ports[i].pci, ports[i].dev) ? ports[i].pci : "",
		       ports[i].pci[0] && strcmp(ports[i].pci, ports[i].dev) ? ")" : "", ports[i].node,
		       ports[i].nq, ports[i].nq == 1 ? "" : "s");
	printf("main core %d (node %d)\n", main_core, main_node);
	for (int k = 0; k < ncores - 1; k++) {
		printf("worker core %d (node %d%s):", w[k].core, w[k].node,
		       iso[w[k].core] ? ", isolated" : "");
		for (int q = 0; q < w[k].nq; q++)
			printf(" port %d queue %d", w[k].port[q], w[k].queue[q]);
		printf("\n");
	}
	printf("-l %d", main_core);
	for (int k = 0; k < ncores - 1; k++)
		printf(",%d", w[k].core);
	printf("\nqueue map:");
	for (int k = 0; k < ncores - 1; k++)
		for (int q = 0; q < w[k].nq; q++)
			printf(" %d:%d@%d", w[k].port[q], w[k].queue[q], w[k].core);
	printf("\n");
	if (notes[0])
		printf("note: %s\n", notes);
	return EX_SL_OK;
}
