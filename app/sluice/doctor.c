/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice doctor: one line per check, OK/WARN/FAIL, what was found and the fix.
 * Exit code 0 when no check FAILs, 1 otherwise. See docs/sluice.md for every check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"

enum { OK, WARN, FAIL };
static const char *const st_name[] = {"OK", "WARN", "FAIL"};

struct doc {
	const struct ctx *c;
	int json;
	int count[3];
	int emitted;
	unsigned char dp[MAX_CPUS]; /* cores a data plane would use */
	char dp_list[256];
	char *flags;                /* first "flags" line of /proc/cpuinfo */
	char vendor[32];
	struct netdev *nd;
	int nnd;
};

static void emit(struct doc *d, int st, const char *check, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void emit(struct doc *d, int st, const char *check, const char *fix, const char *fmt, ...)
{
	char found[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(found, sizeof(found), fmt, ap);
	va_end(ap);
	d->count[st]++;
	if (!d->json) {
		printf("%-4s  %-13s %s%s%s\n", st_name[st], check, found, fix ? "; fix: " : "",
		       fix ? fix : "");
		return;
	}
	printf("%s\n  {\"status\":\"%s\",\"check\":", d->emitted++ ? "," : "", st_name[st]);
	json_str(stdout, check);
	printf(",\"found\":");
	json_str(stdout, found);
	printf(",\"fix\":");
	if (fix)
		json_str(stdout, fix);
	else
		printf("null");
	printf("}");
}

static void check_cpu(struct doc *d)
{
	int sse = d->flags && cpu_has_flag(d->flags, "sse4_2");
	int avx2 = d->flags && cpu_has_flag(d->flags, "avx2");
	int avx512 = d->flags && cpu_has_flag(d->flags, "avx512f");
	const char *vm = d->flags && cpu_has_flag(d->flags, "hypervisor") ?
				 "; in a VM, pass the host CPU model through (QEMU -cpu host)" :
				 "";
	char fix[256];

	if (!d->flags) {
		emit(d, WARN, "cpu-features", "none: Sluice uses its portable code paths",
		     "no x86 flags line in %s/proc/cpuinfo (not x86-64, or procfs missing)",
		     d->c->root);
		return;
	}
	snprintf(fix, sizeof(fix), "use a CPU with SSE4.2 and AVX2 (x86-64-v3)%s", vm);
	emit(d, sse && avx2 ? OK : WARN, "cpu-features", sse && avx2 ? NULL : fix,
	     "SSE4.2 %s, AVX2 %s, AVX-512 %s%s", sse ? "yes" : "no", avx2 ? "yes" : "no",
	     avx512 ? "yes" : "no",
	     sse && avx2 ? "" : " (hashing and bulk copies fall back to slower code)");
}

static long node_pages(const struct ctx *c, int node, long *by_size, unsigned long *kb, int ns)
{
	int numa = sys_exists(c, "/sys/devices/system/node/node%d", node);
	long total = 0;

	for (int s = 0; s < ns; s++) {
		long v = 0;

		if (numa)
			sys_read_long(c, &v,
				      "/sys/devices/system/node/node%d/hugepages/hugepages-%lukB/"
				      "nr_hugepages",
				      node, kb[s]);
		else /* kernel without NUMA: one node holds everything */
			sys_read_long(c, &v, "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages",
				      kb[s]);
		if (by_size)
			by_size[s] = v;
		total += v;
	}
	return total;
}

static int sizes_of(const struct ctx *c, unsigned long *kb, int max)
{
	char **names;
	int n = sys_list(c, &names, "/sys/kernel/mm/hugepages"), k = 0;

	for (int i = 0; i < n && k < max; i++)
		if (sscanf(names[i], "hugepages-%lukB", &kb[k]) == 1)
			k++;
	if (n > 0)
		list_free(names, n);
	return k;
}

static void size_str(unsigned long kb, char *o, size_t n)
{
	if (kb % 1048576 == 0)
		snprintf(o, n, "%luG", kb / 1048576);
	else
		snprintf(o, n, "%luM", kb / 1024);
}

struct mnt_find {
	unsigned long kb;
	char mnt[256];
};

static void mnt_cb(const char *mnt, unsigned long kb, void *arg)
{
	struct mnt_find *f = arg;

	if (kb == f->kb && !f->mnt[0])
		snprintf(f->mnt, sizeof(f->mnt), "%s", mnt);
}

static void check_hugepages(struct doc *d)
{
	const struct ctx *c = d->c;
	unsigned long kb[8];
	int ns, nodes[MAX_NODES], nn;
	long total = 0;

	if (!sys_exists(c, "/sys/kernel/mm/hugepages")) {
		emit(d, WARN, "hugepages",
		     "a kernel with CONFIG_HUGETLBFS=y; meanwhile Sluice uses 4K pages",
		     "no %s/sys/kernel/mm/hugepages: the kernel has no hugepage support", c->root);
		return;
	}
	ns = sizes_of(c, kb, 8);
	nn = numa_nodes(c, nodes, MAX_NODES);
	for (int i = 0; i < nn; i++) {
		long by[8];
		long t = node_pages(c, nodes[i], by, kb, ns);
		char found[256], fix[160];
		size_t l = 0;

		l += (size_t)snprintf(found + l, sizeof(found) - l, "node%d:", nodes[i]);
		for (int s = 0; s < ns && l < sizeof(found); s++) {
			char sn[24];

			size_str(kb[s], sn, sizeof(sn));
			l += (size_t)snprintf(found + l, sizeof(found) - l, " %s=%ld", sn, by[s]);
		}
		total += t;
		snprintf(fix, sizeof(fix), "sluice hugepages reserve 1024 --size 2M --node %d "
					   "(persistent: hugepages=1024 on the kernel command line)",
			 nodes[i]);
		emit(d, t ? OK : WARN, "hugepages", t ? NULL : fix, "%s%s", found,
		     t ? " reserved" : " (none reserved on this node)");
	}
	for (int s = 0; s < ns; s++) {
		long all = 0;
		struct mnt_find f = {.kb = kb[s]};
		char sn[24], fix[160];

		size_str(kb[s], sn, sizeof(sn));
		sys_read_long(c, &all, "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb[s]);
		hugetlbfs_mounts(c, mnt_cb, &f);
		snprintf(fix, sizeof(fix), "sluice hugepages --size %s --mount /dev/hugepages%s", sn,
			 kb[s] == 2048 ? "" : "-1G");
		/* Sluice maps hugepages through memfd (MFD_HUGETLB), which needs no mount; tools
		 * that use hugetlbfs files (DPDK, QEMU memory backends) do */
		if (f.mnt[0])
			emit(d, OK, "hugetlbfs", NULL, "%s pages mounted at %s", sn, f.mnt);
		else if (all > 0 || (kb[s] == 2048 && total == 0))
			emit(d, WARN, "hugetlbfs", fix,
			     "no hugetlbfs mount with pagesize=%s%s: Sluice does not need one (it maps "
			     "hugepages through memfd), file-backed tools such as DPDK do",
			     sn, all > 0 ? " for the reserved pages" : "");
	}
}

static void check_iommu(struct doc *d)
{
	const struct ctx *c = d->c;
	char **g, on[64] = "", pt[16] = "";
	int ng = sys_list(c, &g, "/sys/kernel/iommu_groups");
	int intel = cmdline_get(c, "intel_iommu", on, sizeof(on));
	int vm = d->flags && cpu_has_flag(d->flags, "hypervisor");
	int amd = strcmp(d->vendor, "AuthenticAMD") == 0;
	char args[128], fix[512];

	if (ng > 0)
		list_free(g, ng);
	if (!intel)
		cmdline_get(c, "amd_iommu", on, sizeof(on));
	cmdline_get(c, "iommu", pt, sizeof(pt));
	snprintf(args, sizeof(args), "%s%s%s%s%s", intel || on[0] ? (intel ? "intel_iommu=" :
						     "amd_iommu=") : "",
		 on, pt[0] ? " iommu=" : "", pt, !on[0] && !pt[0] ? "no IOMMU options" : "");
	if (ng > 0) {
		if (strcmp(pt, "pt") != 0)
			emit(d, WARN, "iommu",
			     "add iommu=pt to the kernel command line (kernel-driven devices skip "
			     "translation; vfio devices stay isolated)",
			     "%d IOMMU groups; kernel command line: %s; without iommu=pt every "
			     "kernel driver's DMA is translated",
			     ng, args);
		else
			emit(d, OK, "iommu", NULL, "%d IOMMU groups; kernel command line: %s", ng, args);
		return;
	}
	snprintf(fix, sizeof(fix), "%s%s%s",
		 on[0] && strcmp(on, "off") != 0 ?
			 "the command line asks for it: enable VT-d/AMD-Vi in the firmware setup" :
			 amd ? "add amd_iommu=on iommu=pt to the kernel command line and reboot "
			       "(and enable AMD-Vi/IOMMU in the firmware)" :
			       "add intel_iommu=on iommu=pt to the kernel command line and reboot "
			       "(and enable VT-d in the firmware)",
		 vm ? "; in a VM the hypervisor must expose a virtual IOMMU (QEMU: -device "
		      "intel-iommu or virtio-iommu)" :
		      "",
		 "; without an IOMMU use af_xdp or af_packet");
	emit(d, FAIL, "iommu", fix, "no IOMMU groups in %s/sys/kernel/iommu_groups (%s): vfio-pci "
				   "cannot assign devices%s",
	     c->root, args, vm ? "; running in a VM" : "");
}

static void check_vfio(struct doc *d)
{
	const struct ctx *c = d->c;
	int vfio = sys_exists(c, "/sys/module/vfio") || sys_exists(c, "/dev/vfio/vfio");
	int vpci = sys_exists(c, "/sys/module/vfio_pci") || sys_exists(c, "/sys/bus/pci/drivers/vfio-pci");
	char noiommu[8] = "";

	if (vfio && vpci)
		emit(d, OK, "vfio", NULL, "vfio and vfio-pci loaded");
	else
		emit(d, WARN, "vfio", "modprobe vfio-pci (sluice bind loads it when needed)",
		     "%s not loaded", vfio ? "vfio-pci" : "vfio and vfio-pci");
	if (sys_read(c, noiommu, sizeof(noiommu),
		     "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode") != 0)
		emit(d, OK, "vfio-noiommu", NULL, "no-IOMMU mode unavailable or vfio not loaded");
	else if (noiommu[0] == 'Y' || noiommu[0] == '1')
		emit(d, WARN, "vfio-noiommu",
		     "echo N > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode (keep it for "
		     "disposable test hosts only)",
		     "vfio no-IOMMU mode is on: a vfio device can DMA anywhere in memory, there is "
		     "no isolation and the kernel is tainted");
	else
		emit(d, OK, "vfio-noiommu", NULL, "no-IOMMU mode off");
}

static char *kernel_log(const struct doc *d)
{
	const struct ctx *c = d->c;
	size_t cap = 1 << 20, n = 0;
	char *buf;
	int fd;

	if (c->klog)
		return file_slurp(c->klog, 8 << 20, NULL);
	if (c->fake)
		return sys_slurp(c, 8 << 20, "/dmesg");
	/* /dev/kmsg: one record per read; non-blocking so the end of the buffer returns EAGAIN */
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf && n + 8192 < cap) {
		ssize_t k = read(fd, buf + n, cap - n - 1);

		if (k < 0 && errno == EPIPE)
			continue; /* record overwritten while reading */
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static const struct netdev *nd_of(const struct doc *d, const char *pci)
{
	for (int i = 0; i < d->nnd; i++)
		if (strcmp(d->nd[i].pci, pci) == 0)
			return &d->nd[i];
	return NULL;
}

#define RMRR_FIX                                                                                  \
	"disable the firmware feature that owns the region (HPE ProLiant: turn off 'HP Shared "  \
	"Memory features' for the NIC, or move it to a slot without it), or keep the kernel "    \
	"driver and use --driver af_xdp"

static void check_rmrr(struct doc *d)
{
	const struct ctx *c = d->c;
	char **g, reported[2048] = "", others[512] = "";
	int ng = sys_list(c, &g, "/sys/kernel/iommu_groups"), bad = 0;
	char *log, *line, *save = NULL;

	for (int i = 0; i < ng; i++) {
		char *rr = sys_slurp(c, 1 << 16, "/sys/kernel/iommu_groups/%s/reserved_regions", g[i]);
		char *l, *s2 = NULL, region[80] = "";
		char **devs;
		int nd;

		for (l = rr ? strtok_r(rr, "\n", &s2) : NULL; l; l = strtok_r(NULL, "\n", &s2)) {
			char a[32], b[32], t[32];

			if (sscanf(l, "%31s %31s %31s", a, b, t) == 3 && strcmp(t, "direct") == 0) {
				snprintf(region, sizeof(region), "%s-%s", a, b);
				break;
			}
		}
		free(rr);
		if (!region[0])
			continue;
		nd = sys_list(c, &devs, "/sys/kernel/iommu_groups/%s/devices", g[i]);
		for (int k = 0; k < nd; k++) {
			const struct netdev *n = nd_of(d, devs[k]);
			size_t rl = strlen(reported);

			if (!n) {
				size_t ol = strlen(others);

				snprintf(others + ol, sizeof(others) - ol, "%s%s", ol ? ", " : "",
					 devs[k]);
				continue;
			}
			snprintf(reported + rl, sizeof(reported) - rl, " %s", devs[k]);
			emit(d, FAIL, "rmrr", RMRR_FIX,
			     "%s (%s%sIOMMU group %s) has a direct-mapped reserved region %s: the "
			     "firmware (RMRR) keeps DMA access to it, so the kernel refuses to attach "
			     "it to a VFIO domain on this platform",
			     devs[k], n->ifname, n->ifname[0] ? ", " : "", g[i], region);
			bad++;
		}
		if (nd > 0)
			list_free(devs, nd);
	}
	if (ng > 0)
		list_free(g, ng);
	log = kernel_log(d);
	if (!log && c->klog)
		emit(d, WARN, "rmrr", "pass a readable file to --kernel-log (dmesg > FILE)",
		     "cannot read the kernel log %s: only sysfs was checked", c->klog);
	for (line = log ? strtok_r(log, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char addr[16] = "";

		if (!strstr(line, "RMRR") || !strstr(line, "ineligible"))
			continue;
		for (char *p = line; *p && !addr[0]; p++) {
			char cand[13];

			snprintf(cand, sizeof(cand), "%s", p);
			if (is_pci_addr(cand))
				snprintf(addr, sizeof(addr), "%s", cand);
		}
		if (!addr[0] || strstr(reported, addr))
			continue;
		snprintf(reported + strlen(reported), sizeof(reported) - strlen(reported), " %s", addr);
		emit(d, FAIL, "rmrr", RMRR_FIX,
		     "%s: kernel log says \"Device is ineligible for IOMMU domain attach due to "
		     "platform RMRR requirement\": the firmware keeps a DMA region for it, so it "
		     "cannot be assigned with VFIO on this platform",
		     addr);
		bad++;
	}
	free(log);
	if (!bad)
		emit(d, OK, "rmrr", NULL, "no network device has a direct-mapped (RMRR) reserved "
					  "region%s%s%s",
		     others[0] ? " (other devices with one: " : "", others, others[0] ? ")" : "");
}

/* "isolcpus=domain,managed_irq,2-5" -> 2-5: flags are words before the CPU list */
static int cmdline_cpus(const struct ctx *c, const char *key, unsigned char *set)
{
	char v[512], *p = v;

	memset(set, 0, MAX_CPUS);
	if (!cmdline_get(c, key, v, sizeof(v)) || !v[0])
		return 0;
	while (*p && (*p < '0' || *p > '9')) {
		char *comma = strchr(p, ',');

		if (!comma)
			return 0;
		p = comma + 1;
	}
	return cpulist_parse(p, set, MAX_CPUS) > 0 ? 1 : 0;
}

static int covers(const unsigned char *a, const unsigned char *need)
{
	for (int i = 0; i < MAX_CPUS; i++)
		if (need[i] && !a[i])
			return 0;
	return 1;
}

static void check_isolation(struct doc *d)
{
	const struct ctx *c = d->c;
	unsigned char iso[MAX_CPUS], nohz[MAX_CPUS], rcu[MAX_CPUS], miss[MAX_CPUS];
	char fix[1024], l1[256];
	int has_iso = cmdline_cpus(c, "isolcpus", iso);
	int has_nohz = cmdline_cpus(c, "nohz_full", nohz);
	int has_rcu = cmdline_cpus(c, "rcu_nocbs", rcu);
	int ndp = 0;

	for (int i = 0; i < MAX_CPUS; i++)
		ndp += d->dp[i];
	if (ndp == 0) {
		emit(d, WARN, "isolation", "give the host at least 2 CPUs",
		     "only one CPU: the data plane shares it with everything else");
		return;
	}
	snprintf(fix, sizeof(fix), "add isolcpus=%s nohz_full=%s rcu_nocbs=%s to the kernel "
				   "command line (keep a core for the OS) and reboot",
		 d->dp_list, d->dp_list, d->dp_list);
	if (!has_iso && !has_nohz) {
		emit(d, WARN, "isolation", fix,
		     "no isolcpus/nohz_full/rcu_nocbs on the kernel command line: the data plane "
		     "cores %s share their time with other tasks, timer ticks and RCU callbacks",
		     d->dp_list);
		return;
	}
	for (int i = 0; i < MAX_CPUS; i++)
		miss[i] = d->dp[i] && !((has_iso && iso[i]) || (has_nohz && nohz[i]));
	cpulist_format(miss, MAX_CPUS, l1, sizeof(l1));
	if (l1[0]) {
		emit(d, WARN, "isolation", fix, "data plane cores %s are not all isolated (not "
						"isolated: %s)",
		     d->dp_list, l1);
		return;
	}
	if (!has_nohz || !has_rcu || !covers(nohz, d->dp) || !covers(rcu, d->dp)) {
		emit(d, WARN, "isolation", fix,
		     "cores %s are isolated but nohz_full/rcu_nocbs do not cover them: the timer "
		     "tick and RCU callbacks still interrupt the workers",
		     d->dp_list);
		return;
	}
	emit(d, OK, "isolation", NULL, "data plane cores %s are isolated (isolcpus/nohz_full, "
				       "rcu_nocbs)",
	     d->dp_list);
}

static void check_numa(struct doc *d)
{
	const struct ctx *c = d->c;
	int nodes[MAX_NODES], nn = numa_nodes(c, nodes, MAX_NODES), any = 0;
	unsigned long kb[8];
	int ns = sizes_of(c, kb, 8);
	long all = 0;

	if (nn <= 1) {
		emit(d, OK, "numa", NULL, "single NUMA node: NIC, cores and hugepages are local");
		return;
	}
	for (int i = 0; i < nn; i++)
		all += node_pages(c, nodes[i], NULL, kb, ns);
	for (int i = 0; i < d->nnd; i++) {
		const struct netdev *n = &d->nd[i];
		unsigned char cpus[MAX_CPUS];
		char cl[256], fix[160], who[96];
		long here;

		if (!n->pci[0])
			continue;
		any = 1;
		snprintf(who, sizeof(who), "%s%s%s%s", n->pci, n->ifname[0] ? " (" : "", n->ifname,
			 n->ifname[0] ? ")" : "");
		if (n->node < 0) {
			emit(d, WARN, "numa",
			     "check the firmware's ACPI proximity (SRAT/_PXM) tables; place workers "
			     "by hand",
			     "%s reports no NUMA node (numa_node=-1) on a %d-node host", who, nn);
			continue;
		}
		here = node_pages(c, n->node, NULL, kb, ns);
		node_cpus(c, n->node, cpus);
		cpulist_format(cpus, MAX_CPUS, cl, sizeof(cl));
		snprintf(fix, sizeof(fix), "sluice hugepages reserve 1024 --size 2M --node %d",
			 n->node);
		if (here == 0 && all > 0)
			emit(d, FAIL, "numa", fix,
			     "%s is on node %d but its hugepages are on other nodes (node%d: 0 of "
			     "%ld): every packet buffer would cross the interconnect",
			     who, n->node, n->node, all);
		else if (here == 0)
			emit(d, WARN, "numa", fix, "%s is on node %d, which has no hugepages", who,
			     n->node);
		else if (!cl[0])
			emit(d, WARN, "numa", "run its workers on the nearest node with CPUs",
			     "%s is on node %d, which has no CPUs", who, n->node);
		else
			emit(d, OK, "numa", NULL, "%s is on node %d with %ld local hugepages and CPUs %s",
			     who, n->node, here, cl);
	}
	if (!any)
		emit(d, OK, "numa", NULL, "%d NUMA nodes, no PCI network device", nn);
}

static long limit_value(const char *s)
{
	return strncmp(s, "unlimited", 9) == 0 ? -1 : strtol(s, NULL, 10);
}

static void check_memlock(struct doc *d)
{
	const struct ctx *c = d->c;
	char *lim = sys_slurp(c, 1 << 16, "/proc/self/limits"), *p;
	char *st = sys_slurp(c, 1 << 16, "/proc/self/status"), *q;
	unsigned long long capeff = 0;
	const char *fix = "ulimit -l unlimited in the shell, LimitMEMLOCK=infinity in a systemd unit, "
			  "or '* - memlock unlimited' in /etc/security/limits.conf";
	long soft;
	int cap;

	if (!lim || !(p = strstr(lim, "Max locked memory"))) {
		emit(d, WARN, "memlock", "mount procfs (mount -t proc proc /proc)",
		     "cannot read the memlock limit from %s/proc/self/limits", c->root);
		free(lim);
		free(st);
		return;
	}
	p += strlen("Max locked memory");
	while (*p == ' ')
		p++;
	soft = limit_value(p);
	if (st && (q = strstr(st, "CapEff:")) != NULL)
		capeff = strtoull(q + 7, NULL, 16);
	cap = (capeff >> 14) & 1; /* CAP_IPC_LOCK */
	free(lim);
	free(st);
	if (soft < 0)
		emit(d, OK, "memlock", NULL, "locked-memory limit unlimited: AF_XDP UMEM fits");
	else if (soft >= 64L << 20)
		emit(d, OK, "memlock", NULL, "locked-memory limit %ld MiB: enough for AF_XDP UMEM",
		     soft >> 20);
	else
		emit(d, soft < (16L << 20) && !cap ? FAIL : WARN, "memlock", fix,
		     "locked-memory limit %ld KiB: AF_XDP registers its UMEM (and BPF maps on kernels "
		     "before 5.11) against RLIMIT_MEMLOCK, and without hugepages Sluice locks its "
		     "4K-page memory too; a 4096-frame UMEM needs 16 MiB or more%s",
		     soft >> 10, cap ? " (this process has CAP_IPC_LOCK, which bypasses it)" : "");
}

static const char *const native_xdp[] = {
	"virtio_net", "veth", "tun", "ixgbe", "ixgbevf", "i40e", "ice", "igb", "igc", "mlx5_core",
	"mlx4_core", "bnxt_en", "nfp", "qede", "ena", "sfc", "hv_netvsc", "gve", "stmmac", "mvneta",
	"mvpp2", "enetc", "fec", "dpaa2-eth", "thunder_nicvf", "netsec", "idpf", "tsnep", NULL};
static const char *const zc_xdp[] = {"i40e", "ice", "ixgbe", "mlx5_core", "igc", "igb",
				     "stmmac", "idpf", "gve", NULL};

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static void check_xdp(struct doc *d)
{
	int any = 0;

	for (int i = 0; i < d->nnd; i++) {
		const struct netdev *n = &d->nd[i];
		const char *drv = n->net_driver;

		if (!n->ifname[0] || !drv[0])
			continue;
		if (!n->pci[0] && strcmp(drv, "veth") != 0 && strcmp(drv, "tun") != 0)
			continue; /* bridges, bonds, ifb...: not data plane ports */
		any = 1;
		if (in_list(native_xdp, drv))
			emit(d, OK, "xdp", NULL, "%s (%s): native XDP, %s", n->ifname, drv,
			     in_list(zc_xdp, drv) ? "AF_XDP zero-copy" : "AF_XDP copy mode");
		else
			emit(d, WARN, "xdp",
			     "use --driver af_packet, or a NIC whose driver has native XDP (ice, i40e, "
			     "ixgbe, mlx5_core, virtio_net...)",
			     "%s (%s): no native XDP known for this driver, AF_XDP runs in generic "
			     "(skb) mode, slower than af_packet's ring",
			     n->ifname, drv);
	}
	if (!any)
		emit(d, OK, "xdp", NULL, "no kernel interface with a device driver to check");
}

static void check_governor(struct doc *d)
{
	const struct ctx *c = d->c;
	unsigned char slow[MAX_CPUS] = {0};
	char **cpus, gov[64], slow_gov[64] = "", l[256];
	int n = sys_list(c, &cpus, "/sys/devices/system/cpu"), seen = 0, nslow = 0;

	for (int i = 0; i < n; i++) {
		char *end;
		long id;

		if (strncmp(cpus[i], "cpu", 3) != 0)
			continue;
		id = strtol(cpus[i] + 3, &end, 10);
		if (*end || end == cpus[i] + 3 || id < 0 || id >= MAX_CPUS)
			continue;
		if (sys_read(c, gov, sizeof(gov), "/sys/devices/system/cpu/%s/cpufreq/scaling_governor",
			     cpus[i]))
			continue;
		seen++;
		if (strcmp(gov, "performance") != 0) {
			slow[id] = 1;
			nslow++;
			snprintf(slow_gov, sizeof(slow_gov), "%s", gov);
		}
	}
	if (n > 0)
		list_free(cpus, n);
	if (!seen) {
		emit(d, OK, "cpufreq", NULL,
		     "no cpufreq in sysfs (a virtual machine, or no cpufreq driver): the host or "
		     "firmware sets the frequency");
		return;
	}
	cpulist_format(slow, MAX_CPUS, l, sizeof(l));
	if (nslow)
		emit(d, WARN, "cpufreq",
		     "cpupower frequency-set -g performance (or: echo performance | tee "
		     "/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor)",
		     "CPUs %s use the '%s' governor: polling cores lose cycles to frequency changes",
		     l, slow_gov);
	else
		emit(d, OK, "cpufreq", NULL, "all %d CPUs use the performance governor", seen);
}

static void check_vfio_devices(struct doc *d)
{
	for (int i = 0; i < d->nnd; i++) {
		const struct netdev *n = &d->nd[i];
		char fix[160];

		if (strcmp(n->pci_driver, "vfio-pci") != 0)
			continue;
		if (n->group >= 0 && sys_exists(d->c, "/dev/vfio/%d", n->group)) {
			emit(d, OK, "vfio-device", NULL, "%s is on vfio-pci, group %d (/dev/vfio/%d)",
			     n->pci, n->group, n->group);
			continue;
		}
		snprintf(fix, sizeof(fix), "sluice unbind %s --restore, then bind it again", n->pci);
		emit(d, WARN, "vfio-device", fix, "%s is on vfio-pci but /dev/vfio/%d is missing",
		     n->pci, n->group);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sluice doctor [--json] [--cores LIST]\n"
		   "Run every host check and print one line each: OK, WARN or FAIL, the check,\n"
		   "what was found and the fix. --cores names the CPUs the data plane will use\n"
		   "(default: every online CPU but the first). Exit 0 when nothing FAILs, else 1.\n");
}

int cmd_doctor(struct ctx *c, int argc, char **argv)
{
	struct doc d = {.c = c};
	char buf[4096], *cpuinfo, *p;
	const char *cores = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			d.json = 1;
		} else if (strcmp(argv[i], "--cores") == 0 && i + 1 < argc) {
			cores = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_SL_OK;
		} else {
			fprintf(stderr, "sluice doctor: unknown argument '%s'; see sluice doctor --help\n",
				argv[i]);
			return EX_SL_USAGE;
		}
	}
	if (!sys_exists(c, "/proc") || !sys_exists(c, "/sys")) {
		fprintf(stderr, "sluice doctor: %s/proc or %s/sys is missing; mount procfs and sysfs\n",
			c->root, c->root);
		return EX_SL_FAIL;
	}
	if (cores) {
		if (cpulist_parse(cores, d.dp, MAX_CPUS) <= 0) {
			fprintf(stderr, "sluice doctor: --cores '%s' is not a CPU list (e.g. 2-5,8)\n",
				cores);
			return EX_SL_USAGE;
		}
	} else if (sys_read(c, buf, sizeof(buf), "/sys/devices/system/cpu/online") == 0 &&
		   cpulist_parse(buf, d.dp, MAX_CPUS) > 0) {
		for (int i = 0; i < MAX_CPUS; i++)
			if (d.dp[i]) {
				d.dp[i] =
					0; /* the first CPU stays with the OS and the main thread */
				break;
			}
	}
	cpulist_format(d.dp, MAX_CPUS, d.dp_list, sizeof(d.dp_list));
	cpuinfo = sys_slurp(c, 4 << 20, "/proc/cpuinfo");
	if (cpuinfo && (p = strstr(cpuinfo, "\nflags")) != NULL) {
		char *e = strchr(p + 1, '\n'), *colon = strchr(p + 1, ':');

		if (e)
			*e = '\0';
		d.flags = strdup(colon ? colon + 1 : p);
	}
	if (cpuinfo && (p = strstr(cpuinfo, "vendor_id")) != NULL)
		sscanf(p, "vendor_id : %31s", d.vendor);
	free(cpuinfo);
	d.nnd = netdev_scan(c, &d.nd);
	if (d.nnd < 0)
		d.nnd = 0;
	if (d.json)
		printf("{\"checks\":[");
	check_cpu(&d);
	check_hugepages(&d);
	check_iommu(&d);
	check_vfio(&d);
	check_vfio_devices(&d);
	check_rmrr(&d);
	check_isolation(&d);
	check_numa(&d);
	check_memlock(&d);
	check_xdp(&d);
	check_governor(&d);
	if (d.json)
		printf("\n],\"summary\":{\"ok\":%d,\"warn\":%d,\"fail\":%d}}\n", d.count[OK],
		       d.count[WARN], d.count[FAIL]);
	else
		printf("%d ok, %d warn, %d fail\n", d.count[OK], d.count[WARN], d.count[FAIL]);
	free(d.flags);
	free(d.nd);
	return d.count[FAIL] ? EX_SL_FAIL : EX_SL_OK;
}
