/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private header of the `sluice` host tool: the context passed to every subcommand, sysfs and
 * procfs helpers that prefix the system root (so tests run against fixture trees), and the
 * network-device scan shared by devices, doctor, bind and plan.
 *
 * Error convention: int functions return 0 (or a count) on success and -errno on failure.
 * Commands print one line naming what was wrong and the fix, and return an exit code.
 */
#ifndef SLUICE_H
#define SLUICE_H

#include <stddef.h>
#include <stdio.h>

/* Exit codes of the command. */
#define EX_SL_OK 0    /* success; doctor: no FAIL */
#define EX_SL_FAIL 1  /* an operation failed; doctor: at least one FAIL */
#define EX_SL_USAGE 2 /* bad command line */

#define MAX_CPUS 1024
#define MAX_NODES 64

struct ctx {
	char root[512];      /* prefix of every system path; "" for the real machine */
	int fake;            /* root is a fixture: emulate the kernel's reaction to sysfs writes */
	const char *klog;    /* --kernel-log FILE, or NULL */
};

/* sysfs.c: paths and files under the root */
int sys_path(const struct ctx *c, char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int sys_exists(const struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sys_read(const struct ctx *c, char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int sys_read_long(const struct ctx *c, long *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sys_link_base(const struct ctx *c, char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int sys_write(const struct ctx *c, const char *val, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sys_list(const struct ctx *c, char ***names, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void list_free(char **names, int n);
char *file_slurp(const char *path, size_t max, size_t *len);
char *sys_slurp(const struct ctx *c, size_t max, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Kernel command line: 1 and the value (possibly "") when key= or key is present, else 0. */
int cmdline_get(const struct ctx *c, const char *key, char *val, size_t n);
/* Parse "0-3,8,10-11" into set[] (0/1 per CPU); returns the count or -EINVAL. */
int cpulist_parse(const char *s, unsigned char *set, int max);
void cpulist_format(const unsigned char *set, int max, char *out, size_t n);
/* Normalise "00:03.0" or "0000:00:03.0" to "0000:00:03.0"; -EINVAL if not a PCI address. */
int pci_addr_norm(const char *in, char *out, size_t n);
int is_pci_addr(const char *s);
/* NUMA nodes present: fills cpus[node][cpu]; returns the node count (>= 1). */
int numa_nodes(const struct ctx *c, int *ids, int max);
int node_cpus(const struct ctx *c, int node, unsigned char *set);
/* CPU flags from /proc/cpuinfo (first "flags" line); 1 if present. */
int cpu_has_flag(const char *flags, const char *flag);
/* Run a program (fork/exec, no shell); returns its exit status or -errno. */
int run_prog(char *const argv[]);
int is_root_user(void);
void json_str(FILE *f, const char *s);
int mkdir_p(const char *path);

/* devices.c: network devices */
struct netdev {
	char ifname[64];      /* kernel interface, "" when no net driver holds the device */
	char pci[16];         /* PCI address, "" for virtual interfaces */
	unsigned vendor, device;
	char pci_driver[64];  /* driver bound to the PCI function, "" if none */
	char net_driver[64];  /* driver of the interface's parent device (virtio_net for virtio) */
	int node;             /* NUMA node, -1 unknown */
	int group;            /* IOMMU group, -1 none */
	char link[16];        /* operstate */
	int active;           /* has an IPv4 route or a non-link-local IPv6 address */
	char why_active[96];
	char vname[96], dname[128];
};
int netdev_scan(const struct ctx *c, struct netdev **out);
const char *netdev_sluice_driver(const struct netdev *d);
int pci_of_ifname(const struct ctx *c, const char *ifname, char *pci, size_t n);
int ifnames_of_pci(const struct ctx *c, const char *pci, char *out, size_t n);
int iface_active(const struct ctx *c, const char *ifname, char *why, size_t n);
int pci_ids_lookup(const struct ctx *c, unsigned v, unsigned d, char *vn, size_t vl, char *dn,
		   size_t dl);

/* hugepages.c: calls fn for each hugetlbfs mount (mount point, page size in kB); returns the
 * count */
int hugetlbfs_mounts(const struct ctx *c, void (*fn)(const char *mnt, unsigned long kb, void *arg),
		     void *arg);

/* subcommands: return an exit code */
int cmd_hugepages(struct ctx *c, int argc, char **argv);
int cmd_devices(struct ctx *c, int argc, char **argv);
int cmd_bind(struct ctx *c, int argc, char **argv);
int cmd_unbind(struct ctx *c, int argc, char **argv);
int cmd_doctor(struct ctx *c, int argc, char **argv);
int cmd_plan(struct ctx *c, int argc, char **argv);
int cmd_capture(struct ctx *c, int argc, char **argv); /* capture.c */
int cmd_top(struct ctx *c, int argc, char **argv);     /* top.c */

#endif
