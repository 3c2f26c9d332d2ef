/* SPDX-License-Identifier: BSD-3-Clause */
/* Network devices: PCI functions of class 02 and kernel interfaces, with what uses them. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sluice.h"

int pci_of_ifname(const struct ctx *c, const char *ifname, char *pci, size_t n)
{
	char p[1024], real[PATH_MAX], *s;

	if (strchr(ifname, '/') || sys_path(c, p, sizeof(p), "/sys/class/net/%s", ifname))
		return -EINVAL;
	if (access(p, F_OK) != 0)
		return -ENOENT;
	strncat(p, "/device", sizeof(p) - strlen(p) - 1);
	if (!realpath(p, real))
		return -ENODEV; /* virtual interface: no parent device */
	/* the parent may be a child of the PCI function (virtio2 under 0000:00:03.0): walk up */
	while ((s = strrchr(real, '/')) != NULL) {
		if (is_pci_addr(s + 1)) {
			snprintf(pci, n, "%s", s + 1);
			return 0;
		}
		*s = '\0';
	}
	return -ENODEV;
}

int ifnames_of_pci(const struct ctx *c, const char *pci, char *out, size_t n)
{
	char **names, a[16];
	int k, found = 0;

	out[0] = '\0';
	k = sys_list(c, &names, "/sys/class/net");
	for (int i = 0; i < k; i++) {
		if (pci_of_ifname(c, names[i], a, sizeof(a)) == 0 && strcmp(a, pci) == 0) {
			size_t l = strlen(out);

			snprintf(out + l, n - l, "%s%s", found++ ? "," : "", names[i]);
		}
	}
	if (k > 0)
		list_free(names, k);
	return found;
}

/* An interface is "active" when the kernel routes through it: an IPv4 route (every IPv4
 * address with a prefix adds one) or a global/site IPv6 address. Link-local does not count. */
int iface_active(const struct ctx *c, const char *ifname, char *why, size_t n)
{
	char *buf, *line, *save = NULL;
	int active = 0;

	why[0] = '\0';
	buf = sys_slurp(c, 1 << 20, "/proc/net/route");
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line && !active;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned dst, gw, flags, mask;

		if (sscanf(line, "%63s %x %x %x %*d %*d %*d %x", name, &dst, &gw, &flags, &mask) != 5 ||
		    strcmp(name, ifname) != 0)
			continue;
		char d[INET_ADDRSTRLEN];
		struct in_addr ia = {.s_addr = dst};

		inet_ntop(AF_INET, &ia, d, sizeof(d));
		snprintf(why, n, "IPv4 route %s/%d", d, __builtin_popcount(mask));
		active = 1;
	}
	free(buf);
	if (active)
		return 1;
	save = NULL;
	buf = sys_slurp(c, 1 << 20, "/proc/net/if_inet6");
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line && !active;
	     line = strtok_r(NULL, "\n", &save)) {
		char hex[40], name[64], d[INET6_ADDRSTRLEN];
		unsigned idx, plen, scope, fl;
		struct in6_addr a6;

		if (sscanf(line, "%32s %x %x %x %x %63s", hex, &idx, &plen, &scope, &fl, name) != 6 ||
		    strcmp(name, ifname) != 0 || strlen(hex) != 32)
			continue;
		if (scope & 0x30) /* 0x20 link-local, 0x10 host */
			continue;
		for (int i = 0; i < 16; i++) {
			unsigned b;

			sscanf(hex + 2 * i, "%2x", &b);
			a6.s6_addr[i] = (unsigned char)b;
		}
		inet_ntop(AF_INET6, &a6, d, sizeof(d));
		snprintf(why, n, "IPv6 address %s/%u", d, plen);
		active = 1;
	}
	free(buf);
	return active;
}

static char *pci_ids;

int pci_ids_lookup(const struct ctx *c, unsigned v, unsigned d, char *vn, size_t vl, char *dn,
		   size_t dl)
{
	static const char *const where[] = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids",
					    "/usr/share/pci.ids"};
	static int tried;
	char key[16];
	const char *p;
	int in_vendor = 0;

	vn[0] = dn[0] = '\0';
	for (size_t i = 0; !tried && !pci_ids && i < sizeof(where) / sizeof(where[0]); i++)
		pci_ids = sys_slurp(c, 8 << 20, "%s", where[i]);
	tried = 1;
	if (!pci_ids)
		return -ENOENT;
	/* format: "vvvv  Vendor", then "\tdddd  Device", "\t\tssss ssss  Subsystem";
	 * the class list after the first "C " line is not needed */
	snprintf(key, sizeof(key), "%04x  ", v);
	for (p = pci_ids; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		size_t len = strcspn(p, "\n");

		if (p[0] == 'C' && p[1] == ' ')
			break;
		if (p[0] == '#' || len < 7)
			continue;
		if (p[0] != '\t') {
			if (in_vendor)
				break;
			if (strncmp(p, key, 6) == 0) {
				in_vendor = 1;
				snprintf(vn, vl, "%.*s", (int)(len - 6), p + 6);
				snprintf(key, sizeof(key), "\t%04x  ", d);
			}
			continue;
		}
		if (in_vendor && strncmp(p, key, 7) == 0) {
			snprintf(dn, dl, "%.*s", (int)(len - 7), p + 7);
			break;
		}
	}
	return vn[0] ? 0 : -ENOENT;
}

static void fill_pci(const struct ctx *c, struct netdev *e, const char *pci)
{
	char buf[64];
	long v;

	snprintf(e->pci, sizeof(e->pci), "%s", pci);
	if (sys_read_long(c, &v, "/sys/bus/pci/devices/%s/vendor", pci) == 0)
		e->vendor = (unsigned)v;
	if (sys_read_long(c, &v, "/sys/bus/pci/devices/%s/device", pci) == 0)
		e->device = (unsigned)v;
	if (sys_link_base(c, e->pci_driver, sizeof(e->pci_driver), "/sys/bus/pci/devices/%s/driver",
			  pci))
		e->pci_driver[0] = '\0';
	e->node = -1;
	if (sys_read_long(c, &v, "/sys/bus/pci/devices/%s/numa_node", pci) == 0)
		e->node = (int)v;
	e->group = -1;
	if (sys_link_base(c, buf, sizeof(buf), "/sys/bus/pci/devices/%s/iommu_group", pci) == 0)
		e->group = atoi(buf);
	pci_ids_lookup(c, e->vendor, e->device, e->vname, sizeof(e->vname), e->dname,
		       sizeof(e->dname));
}

/* Virtual interfaces have no device/driver link in sysfs: ask the kernel (real machine only). */
static void ethtool_driver(const char *ifname, char *out, size_t n)
{
	struct ethtool_drvinfo di = {.cmd = ETHTOOL_GDRVINFO};
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)&di;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(out, n, "%.*s", (int)sizeof(di.driver), di.driver);
	close(fd);
}

static void fill_if(const struct ctx *c, struct netdev *e, const char *ifname)
{
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifname);
	if (sys_link_base(c, e->net_driver, sizeof(e->net_driver), "/sys/class/net/%s/device/driver",
			  ifname))
		e->net_driver[0] = '\0';
	if (!e->net_driver[0] && !c->fake)
		ethtool_driver(ifname, e->net_driver, sizeof(e->net_driver));
	if (sys_read(c, e->link, sizeof(e->link), "/sys/class/net/%s/operstate", ifname))
		snprintf(e->link, sizeof(e->link), "?");
	e->active = iface_active(c, ifname, e->why_active, sizeof(e->why_active));
}

static struct netdev *grow(struct netdev **v, int *n, int *cap)
{
	if (*n == *cap) {
		struct netdev *nv = realloc(*v, sizeof(**v) * (size_t)(*cap = *cap ? *cap * 2 : 8));

		if (!nv)
			return NULL;
		*v = nv;
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].node = -1;
	(*v)[*n].group = -1;
	return &(*v)[(*n)++];
}

int netdev_scan(const struct ctx *c, struct netdev **out)
{
	char **ifs = NULL, **pcis = NULL, (*ifpci)[16] = NULL;
	int nif, npci, n = 0, cap = 0;
	unsigned char *used = NULL;
	struct netdev *v = NULL, *e;

	*out = NULL;
	nif = sys_list(c, &ifs, "/sys/class/net");
	if (nif < 0)
		nif = 0;
	npci = sys_list(c, &pcis, "/sys/bus/pci/devices");
	if (npci < 0)
		npci = 0;
	ifpci = calloc((size_t)nif + 1, sizeof(*ifpci));
	used = calloc((size_t)nif + 1, 1);
	if (!ifpci || !used)
		goto nomem;
	for (int i = 0; i < nif; i++)
		if (pci_of_ifname(c, ifs[i], ifpci[i], sizeof(ifpci[i])))
			ifpci[i][0] = '\0';
	for (int p = 0; p < npci; p++) {
		long cls = 0;
		int any = 0;

		sys_read_long(c, &cls, "/sys/bus/pci/devices/%s/class", pcis[p]);
		for (int i = 0; i < nif; i++) {
			if (strcmp(ifpci[i], pcis[p]) != 0)
				continue;
			if (!(e = grow(&v, &n, &cap)))
				goto nomem;
			fill_pci(c, e, pcis[p]);
			fill_if(c, e, ifs[i]);
			used[i] = 1;
			any = 1;
		}
		if (!any && (cls >> 16) == 0x02) {
			if (!(e = grow(&v, &n, &cap)))
				goto nomem;
			fill_pci(c, e, pcis[p]);
		}
	}
	for (int i = 0; i < nif; i++) {
		if (used[i] || strcmp(ifs[i], "lo") == 0)
			continue;
		if (!(e = grow(&v, &n, &cap)))
			goto nomem;
		fill_if(c, e, ifs[i]);
	}
	free(ifpci);
	free(used);
	list_free(ifs, nif);
	list_free(pcis, npci);
	*out = v;
	return n;
nomem:
	free(v);
	free(ifpci);
	free(used);
	list_free(ifs, nif);
	list_free(pcis, npci);
	return -ENOMEM;
}

const char *netdev_sluice_driver(const struct netdev *d)
{
	if (strcmp(d->pci_driver, "vfio-pci") == 0)
		return "vfio";
	if (d->ifname[0])
		return "af_xdp,af_packet";
	return "none (sluice bind --driver vfio-pci)";
}

static const char *orq(const char *s)
{
	return s && s[0] ? s : "-";
}

static void print_json(const struct netdev *v, int n)
{
	printf("{\"devices\":[");
	for (int i = 0; i < n; i++) {
		const struct netdev *d = &v[i];

		printf("%s{\"pci\":", i ? "," : "");
		if (d->pci[0]) {
			json_str(stdout, d->pci);
			printf(",\"vendor_id\":\"%04x\",\"device_id\":\"%04x\",\"vendor\":", d->vendor,
			       d->device);
			json_str(stdout, d->vname);
			printf(",\"device\":");
			json_str(stdout, d->dname);
			printf(",\"driver\":");
			json_str(stdout, d->pci_driver);
			printf(",\"numa_node\":%d,\"iommu_group\":%d", d->node, d->group);
		} else {
			printf("null");
		}
		printf(",\"interface\":");
		json_str(stdout, d->ifname);
		printf(",\"net_driver\":");
		json_str(stdout, d->net_driver);
		printf(",\"link\":");
		json_str(stdout, d->ifname[0] ? d->link : "");
		printf(",\"active\":%s,\"active_reason\":", d->active ? "true" : "false");
		json_str(stdout, d->why_active);
		printf(",\"sluice_driver\":");
		json_str(stdout, netdev_sluice_driver(d));
		printf("}");
	}
	printf("]}\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sluice devices [--json]\n"
		   "List network devices: PCI address, vendor:device ids and names (pci.ids), kernel\n"
		   "driver, interface, NUMA node, IOMMU group, link state, whether the kernel is using\n"
		   "it (active: has an IPv4 route or a global IPv6 address) and the Sluice driver that\n"
		   "can use it. Interfaces without a PCI device (veth, ifb...) are listed after.\n");
}

int cmd_devices(struct ctx *c, int argc, char **argv)
{
	struct netdev *v;
	int json = 0, n, virt = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_SL_OK;
		} else {
			fprintf(stderr, "sluice devices: unknown argument '%s'; see sluice devices --help\n",
				argv[i]);
			return EX_SL_USAGE;
		}
	}
	if (!sys_exists(c, "/sys/class/net") && !sys_exists(c, "/sys/bus/pci/devices")) {
		fprintf(stderr, "sluice devices: neither %s/sys/class/net nor %s/sys/bus/pci/devices "
				"exists; is sysfs mounted (mount -t sysfs sysfs /sys)?\n",
			c->root, c->root);
		return EX_SL_FAIL;
	}
	n = netdev_scan(c, &v);
	if (n < 0) {
		fprintf(stderr, "sluice devices: scan failed: %s\n", strerror(-n));
		return EX_SL_FAIL;
	}
	if (json) {
		print_json(v, n);
		free(v);
		return EX_SL_OK;
	}
	printf("%-12s  %-9s  %-12s  %-10s  %-4s  %-5s  %-7s  %-6s  %-16s  %s\n", "PCI", "ID", "DRIVER",
	       "IFACE", "NODE", "GROUP", "LINK", "ACTIVE", "SLUICE", "NAME");
	for (int i = 0; i < n; i++) {
		const struct netdev *d = &v[i];
		char id[16], node[8], grp[8], name[256];

		if (!d->pci[0]) {
			virt++;
			continue;
		}
		snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
		snprintf(node, sizeof(node), d->node < 0 ? "-" : "%d", d->node);
		snprintf(grp, sizeof(grp), d->group < 0 ? "-" : "%d", d->group);
		snprintf(name, sizeof(name), "%s%s%s", d->vname, d->dname[0] ? " " : "", d->dname);
		printf("%-12s  %-9s  %-12s  %-10s  %-4s  %-5s  %-7s  %-6s  %-16s  %s\n", d->pci, id,
		       orq(d->pci_driver), orq(d->ifname), node, grp, d->ifname[0] ? d->link : "-",
		       d->active ? "yes" : "no", netdev_sluice_driver(d), orq(name));
	}
	if (virt) {
		printf("\ninterfaces without a PCI device (af_packet; af_xdp in the kernel's mode):\n");
		printf("%-16s  %-12s  %-7s  %-6s  %s\n", "IFACE", "DRIVER", "LINK", "ACTIVE", "WHY");
		for (int i = 0; i < n; i++)
			if (!v[i].pci[0])
				printf("%-16s  %-12s  %-7s  %-6s  %s\n", v[i].ifname, orq(v[i].net_driver),
				       v[i].link, v[i].active ? "yes" : "no", orq(v[i].why_active));
	}
	for (int i = 0; i < n; i++)
		if (v[i].active)
			printf("%s: active (%s)\n", v[i].ifname, v[i].why_active);
	free(v);
	return EX_SL_OK;
}
