/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bind/unbind a PCI function through driver_override (Linux >= 3.16):
 *   echo ADDR > /sys/bus/pci/drivers/OLD/unbind
 *   echo NEW  > /sys/bus/pci/devices/ADDR/driver_override
 *   echo ADDR > /sys/bus/pci/drivers_probe
 * driver_override beats the id tables, so only NEW may take the device until it is cleared.
 * The original driver is remembered in /run/sluice/bind/ADDR for `unbind --restore`, and a bind
 * that fails half-way gives the device back to OLD.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"

#define STATE_DIR "/run/sluice/bind"

struct req {
	char pci[16];
	char ifnames[256];
	const char *driver;
	int force;
	int restore;
	const char *cmd; /* "bind" or "unbind", for messages */
};

static int resolve(const struct ctx *c, const char *dev, struct req *r)
{
	int rc;

	if (pci_addr_norm(dev, r->pci, sizeof(r->pci)) == 0) {
		if (!sys_exists(c, "/sys/bus/pci/devices/%s", r->pci)) {
			fprintf(stderr, "sluice %s: no PCI device %s in %s/sys/bus/pci/devices; list "
					"network devices with: sluice devices\n",
				r->cmd, r->pci, c->root);
			return -ENODEV;
		}
	} else {
		rc = pci_of_ifname(c, dev, r->pci, sizeof(r->pci));
		if (rc == -ENODEV) {
			fprintf(stderr, "sluice %s: %s is a virtual interface without a PCI device; "
					"there is nothing to bind (use it with af_packet or af_xdp)\n",
				r->cmd, dev);
			return rc;
		}
		if (rc) {
			fprintf(stderr, "sluice %s: '%s' is neither a PCI address (0000:00:03.0 or "
					"00:03.0) nor an interface; list them with: sluice devices\n",
				r->cmd, dev);
			return -ENODEV;
		}
	}
	ifnames_of_pci(c, r->pci, r->ifnames, sizeof(r->ifnames));
	return 0;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* Make sure the driver is registered on the PCI bus, loading its module when missing. */
static int ensure_driver(const struct ctx *c, const char *cmd, const char *drv)
{
	int st;

	if (!valid_name(drv)) {
		fprintf(stderr, "sluice %s: '%s' is not a driver name (try vfio-pci)\n", cmd, drv);
		return -EINVAL;
	}
	if (sys_exists(c, "/sys/bus/pci/drivers/%s", drv))
		return 0;
	if (c->fake) {
		fprintf(stderr, "sluice %s: unknown driver '%s': no %s/sys/bus/pci/drivers/%s (a "
				"fixture root never runs modprobe)\n",
			cmd, drv, c->root, drv);
		return -ENOENT;
	}
	st = run_prog((char *const[]){"modprobe", (char *)drv, NULL});
	if (sys_exists(c, "/sys/bus/pci/drivers/%s", drv))
		return 0;
	fprintf(stderr, "sluice %s: unknown driver '%s': not in /sys/bus/pci/drivers and "
			"'modprobe %s' %s; check the name (vfio-pci, uio_pci_generic) and that the "
			"module is installed for this kernel\n",
		cmd, drv, drv, st < 0 || st == 127 ? "could not run" : "did not register it");
	return -ENOENT;
}

static void cur_driver(const struct ctx *c, const char *pci, char *out, size_t n)
{
	if (sys_link_base(c, out, n, "/sys/bus/pci/devices/%s/driver", pci))
		out[0] = '\0';
}

/* Drivers vfio accepts on the other devices of a group (see vfio_dev_driver_allowed()). */
static int group_ok_driver(const char *drv, const char *target)
{
	return !drv[0] || strcmp(drv, target) == 0 || strcmp(drv, "vfio-pci") == 0 ||
	       strcmp(drv, "pci-stub") == 0 || strcmp(drv, "pcieport") == 0;
}

/* Other members of the device's IOMMU group bound to a driver vfio cannot share the group
 * with. Returns how many, with the list in out. */
static int group_conflicts(const struct ctx *c, const char *pci, const char *target, char *out,
			   size_t n)
{
	char **devs, drv[64];
	int k, bad = 0;

	out[0] = '\0';
	k = sys_list(c, &devs, "/sys/bus/pci/devices/%s/iommu_group/devices", pci);
	for (int i = 0; i < k; i++) {
		size_t l = strlen(out);

		if (strcmp(devs[i], pci) == 0)
			continue;
		cur_driver(c, devs[i], drv, sizeof(drv));
		if (group_ok_driver(drv, target))
			continue;
		snprintf(out + l, n - l, "%s%s (%s)", bad++ ? ", " : "", devs[i], drv);
	}
	if (k > 0)
		list_free(devs, k);
	return bad;
}

static int direct_region(const struct ctx *c, const char *pci, char *out, size_t n)
{
	char *buf = sys_slurp(c, 1 << 16, "/sys/bus/pci/devices/%s/iommu_group/reserved_regions", pci);
	char *line, *save = NULL;
	int found = 0;

	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char a[32], b[32], t[32];

		if (sscanf(line, "%31s %31s %31s", a, b, t) == 3 && strcmp(t, "direct") == 0) {
			snprintf(out, n, "%s-%s", a, b);
			found = 1;
			break;
		}
	}
	free(buf);
	return found;
}

/* Returns 1 when it created the record, 0 when one existed, -errno on failure. */
static int state_save(const struct ctx *c, const char *pci, const char *old)
{
	char dir[1024], p[1024];
	FILE *f;
	int rc;

	if (sys_exists(c, STATE_DIR "/%s", pci))
		return 0; /* keep the driver from before the first bind */
	if (sys_path(c, dir, sizeof(dir), STATE_DIR) || sys_path(c, p, sizeof(p), STATE_DIR "/%s", pci))
		return -ENAMETOOLONG;
	rc = mkdir_p(dir);
	if (rc)
		return rc;
	f = fopen(p, "w");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", old);
	return fclose(f) == 0 ? 1 : -errno;
}

static void state_drop(const struct ctx *c, const char *pci)
{
	char p[1024];

	if (sys_path(c, p, sizeof(p), STATE_DIR "/%s", pci) == 0)
		unlink(p);
}

/* Give the device back to old ("" = no driver): clear the override, detach whatever holds it,
 * and bind old explicitly; with probe and no old driver known, let the kernel choose.
 * Returns 0 when the device ends up on old. */
static int give_back(const struct ctx *c, const char *pci, const char *old, int probe)
{
	char now[64];

	sys_write(c, "\n", "/sys/bus/pci/devices/%s/driver_override", pci);
	cur_driver(c, pci, now, sizeof(now));
	if (now[0] && strcmp(now, old) != 0)
		sys_write(c, pci, "/sys/bus/pci/drivers/%s/unbind", now);
	cur_driver(c, pci, now, sizeof(now));
	if (old[0] && !now[0] && sys_write(c, pci, "/sys/bus/pci/drivers/%s/bind", old) != 0)
		sys_write(c, pci, "/sys/bus/pci/drivers_probe");
	if (!old[0] && !now[0] && probe)
		sys_write(c, pci, "/sys/bus/pci/drivers_probe");
	cur_driver(c, pci, now, sizeof(now));
	return old[0] ? (strcmp(now, old) == 0 ? 0 : -EIO) : 0;
}

static int do_bind(const struct ctx *c, struct req *r)
{
	char old[64], now[64], info[512];
	int rc, step_rc = 0, created;
	const char *step = NULL;

	cur_driver(c, r->pci, old, sizeof(old));
	if (strcmp(old, r->driver) == 0) {
		printf("%s is already bound to %s\n", r->pci, r->driver);
		return EX_SL_OK;
	}
	if (r->ifnames[0] && !r->force) {
		char why[96];
		char *save = NULL, names[256], *tok;

		snprintf(names, sizeof(names), "%s", r->ifnames);
		for (tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!iface_active(c, tok, why, sizeof(why)))
				continue;
			fprintf(stderr, "sluice bind: refusing: %s (%s) is active (%s); taking it "
					"from the kernel cuts this host's traffic on it; remove its "
					"addresses and routes first, or use --force\n",
				tok, r->pci, why);
			return EX_SL_FAIL;
		}
	}
	if (strcmp(r->driver, "vfio-pci") == 0) {
		char noiommu[8] = "";

		if (!sys_exists(c, "/sys/bus/pci/devices/%s/iommu_group", r->pci)) {
			sys_read(c, noiommu, sizeof(noiommu),
				 "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode");
			if (noiommu[0] != 'Y' && noiommu[0] != '1') {
				fprintf(stderr, "sluice bind: %s has no IOMMU group (no IOMMU enabled), "
						"so vfio-pci cannot take it; add intel_iommu=on iommu=pt "
						"(Intel) or amd_iommu=on iommu=pt (AMD) to the kernel command "
						"line and reboot, or use af_xdp/af_packet on the kernel driver\n",
					r->pci);
				return EX_SL_FAIL;
			}
			printf("warning: %s has no IOMMU group; using vfio no-IOMMU mode (no DMA "
			       "isolation)\n",
			       r->pci);
		}
		if (direct_region(c, r->pci, info, sizeof(info))) {
			fprintf(stderr, "sluice bind: %s%s: its IOMMU group has a direct-mapped "
					"reserved region %s (firmware RMRR); the kernel refuses to attach "
					"it to a VFIO domain on this platform; disable the firmware feature "
					"that uses it (e.g. HPE 'Shared Memory' on the NIC) or keep the "
					"kernel driver and use af_xdp\n",
				r->force ? "warning: " : "refusing: ", r->pci, info);
			if (!r->force)
				return EX_SL_FAIL;
		}
		if (group_conflicts(c, r->pci, r->driver, info, sizeof(info))) {
			fprintf(stderr, "sluice bind: %s%s shares its IOMMU group with %s; vfio needs "
					"every device of the group on vfio-pci (or unbound): bind those "
					"too, or use --force\n",
				r->force ? "warning: " : "refusing: ", r->pci, info);
			if (!r->force)
				return EX_SL_FAIL;
		}
	}
	if (ensure_driver(c, "bind", r->driver))
		return EX_SL_FAIL;
	if (!sys_exists(c, "/sys/bus/pci/devices/%s/driver_override", r->pci)) {
		fprintf(stderr, "sluice bind: missing %s/sys/bus/pci/devices/%s/driver_override "
				"(kernel older than 3.16, or sysfs unreadable); nothing was changed\n",
			c->root, r->pci);
		return EX_SL_FAIL;
	}
	created = rc = state_save(c, r->pci, old);
	if (rc < 0) {
		fprintf(stderr, "sluice bind: cannot record the original driver in %s%s/%s: %s; "
				"nothing was changed\n",
			c->root, STATE_DIR, r->pci, strerror(-rc));
		return EX_SL_FAIL;
	}
	if (old[0] && (step_rc = sys_write(c, r->pci, "/sys/bus/pci/drivers/%s/unbind", old))) {
		fprintf(stderr, "sluice bind: cannot unbind %s from %s (%s/sys/bus/pci/drivers/%s/"
				"unbind: %s); nothing was changed\n",
			r->pci, old, c->root, old, strerror(-step_rc));
		if (created)
			state_drop(c, r->pci);
		return EX_SL_FAIL;
	}
	if ((step_rc = sys_write(c, r->driver, "/sys/bus/pci/devices/%s/driver_override", r->pci)))
		step = "driver_override";
	else if ((step_rc = sys_write(c, r->pci, "/sys/bus/pci/drivers_probe")))
		step = "drivers_probe";
	cur_driver(c, r->pci, now, sizeof(now));
	if (!step && strcmp(now, r->driver) != 0) {
		step = "probe";
		step_rc = -ENODEV;
	}
	if (step) {
		fprintf(stderr, "sluice bind: binding %s to %s failed at %s: %s%s\n", r->pci, r->driver,
			step, strcmp(step, "probe") == 0 ? "the driver did not take the device" :
			strerror(-step_rc),
			strcmp(step, "probe") == 0 ? " (see dmesg)" : "");
		rc = give_back(c, r->pci, old, 0);
		if (rc == 0) {
			fprintf(stderr, "sluice bind: restored %s to %s\n", r->pci,
				old[0] ? old : "no driver");
			if (created)
				state_drop(c, r->pci);
		} else {
			fprintf(stderr, "sluice bind: could not give %s back to %s; run: echo %s > "
					"/sys/bus/pci/drivers/%s/bind\n",
				r->pci, old, r->pci, old);
		}
		return EX_SL_FAIL;
	}
	printf("%s%s%s%s: %s -> %s (original driver kept in %s/%s; give it back with: sluice "
	       "unbind %s --restore)\n",
	       r->pci, r->ifnames[0] ? " (" : "", r->ifnames, r->ifnames[0] ? ")" : "",
	       old[0] ? old : "no driver", r->driver, STATE_DIR, r->pci, r->pci);
	return EX_SL_OK;
}

static int do_unbind(const struct ctx *c, struct req *r)
{
	char cur[64], old[64] = "", now[64], why[96];
	int have_state, rc;

	cur_driver(c, r->pci, cur, sizeof(cur));
	have_state = sys_read(c, old, sizeof(old), STATE_DIR "/%s", r->pci) == 0;
	if (r->ifnames[0] && !r->force && strcmp(cur, "vfio-pci") != 0) {
		char names[256], *save = NULL, *tok;

		snprintf(names, sizeof(names), "%s", r->ifnames);
		for (tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!iface_active(c, tok, why, sizeof(why)))
				continue;
			fprintf(stderr, "sluice unbind: refusing: %s (%s) is active (%s); unbinding "
					"cuts this host's traffic on it; use --force if you mean it\n",
				tok, r->pci, why);
			return EX_SL_FAIL;
		}
	}
	if (!r->restore) {
		if (!cur[0]) {
			printf("%s has no driver; nothing to unbind\n", r->pci);
			return EX_SL_OK;
		}
		rc = sys_write(c, r->pci, "/sys/bus/pci/drivers/%s/unbind", cur);
		if (rc) {
			fprintf(stderr, "sluice unbind: cannot unbind %s from %s (%s/sys/bus/pci/drivers/"
					"%s/unbind: %s)\n",
				r->pci, cur, c->root, cur, strerror(-rc));
			return EX_SL_FAIL;
		}
		sys_write(c, "\n", "/sys/bus/pci/devices/%s/driver_override", r->pci);
		printf("%s: %s -> no driver (give it back with: sluice unbind %s --restore)\n", r->pci,
		       cur, r->pci);
		return EX_SL_OK;
	}
	if (have_state && strcmp(cur, old) == 0 && cur[0]) {
		printf("%s is already on its original driver %s\n", r->pci, cur);
		state_drop(c, r->pci);
		return EX_SL_OK;
	}
	if (have_state && old[0] && ensure_driver(c, "unbind", old))
		return EX_SL_FAIL;
	rc = give_back(c, r->pci, have_state ? old : "", !have_state);
	cur_driver(c, r->pci, now, sizeof(now));
	if (rc) {
		fprintf(stderr, "sluice unbind: %s did not go back to %s (now: %s); check dmesg, then "
				"run: echo %s > /sys/bus/pci/drivers/%s/bind\n",
			r->pci, old, now[0] ? now : "no driver", r->pci, old);
		return EX_SL_FAIL;
	}
	state_drop(c, r->pci);
	printf("%s: %s -> %s%s\n", r->pci, cur[0] ? cur : "no driver", now[0] ? now : "no driver",
	       have_state ? " (original driver restored)" :
			    " (no record of the original driver: the kernel chose)");
	if (!group_ok_driver(now, "vfio-pci")) {
		char **devs;
		int k = sys_list(c, &devs, "/sys/bus/pci/devices/%s/iommu_group/devices", r->pci);

		for (int i = 0; i < k; i++) {
			char d[64];

			cur_driver(c, devs[i], d, sizeof(d));
			if (strcmp(devs[i], r->pci) != 0 && strcmp(d, "vfio-pci") == 0)
				printf("note: %s in the same IOMMU group is still on vfio-pci; the group "
				       "cannot be used by vfio while %s is on %s\n",
				       devs[i], r->pci, now);
		}
		if (k > 0)
			list_free(devs, k);
	}
	return EX_SL_OK;
}

static void usage(FILE *f, int unbind)
{
	if (unbind)
		fprintf(f, "usage: sluice unbind DEV [--restore] [--force]\n"
			   "Detach DEV (PCI address, short 00:03.0 form, or interface name) from its\n"
			   "driver. --restore gives it back to the driver it had before `sluice bind`\n"
			   "(recorded in /run/sluice/bind/ADDR). An active interface is refused unless\n"
			   "--force.\n");
	else
		fprintf(f, "usage: sluice bind DEV [--driver vfio-pci] [--force]\n"
			   "Bind DEV (PCI address, short 00:03.0 form, or interface name) to a driver\n"
			   "(default vfio-pci) through driver_override, loading the module if needed.\n"
			   "Refuses, unless --force: an active interface (has routes or addresses), a\n"
			   "device whose IOMMU group holds devices on other drivers, a device with a\n"
			   "direct-mapped reserved region (RMRR). A failed bind restores the old driver.\n");
}

static int bind_main(struct ctx *c, int argc, char **argv, int unbind)
{
	struct req r = {.driver = "vfio-pci", .cmd = unbind ? "unbind" : "bind"};
	const char *dev = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout, unbind);
			return EX_SL_OK;
		} else if (strcmp(argv[i], "--force") == 0) {
			r.force = 1;
		} else if (unbind && strcmp(argv[i], "--restore") == 0) {
			r.restore = 1;
		} else if (!unbind && strcmp(argv[i], "--driver") == 0 && i + 1 < argc) {
			r.driver = argv[++i];
		} else if (argv[i][0] != '-' && !dev) {
			dev = argv[i];
		} else {
			fprintf(stderr, "sluice %s: unexpected argument '%s'; see sluice %s --help\n",
				r.cmd, argv[i], r.cmd);
			return EX_SL_USAGE;
		}
	}
	if (!dev) {
		usage(stderr, unbind);
		return EX_SL_USAGE;
	}
	if (!sys_exists(c, "/sys/bus/pci")) {
		fprintf(stderr, "sluice %s: %s/sys/bus/pci does not exist (sysfs not mounted or no "
				"PCI bus)\n",
			r.cmd, c->root);
		return EX_SL_FAIL;
	}
	if (resolve(c, dev, &r))
		return EX_SL_FAIL;
	if (!c->fake && !is_root_user()) {
		fprintf(stderr, "sluice %s: changing drivers writes to /sys/bus/pci and needs root; "
				"run: sudo sluice %s %s\n",
			r.cmd, r.cmd, dev);
		return EX_SL_FAIL;
	}
	if (!unbind && !valid_name(r.driver)) {
		fprintf(stderr, "sluice bind: '%s' is not a driver name (try vfio-pci)\n", r.driver);
		return EX_SL_USAGE;
	}
	return unbind ? do_unbind(c, &r) : do_bind(c, &r);
}

int cmd_bind(struct ctx *c, int argc, char **argv)
{
	return bind_main(c, argc, argv, 0);
}

int cmd_unbind(struct ctx *c, int argc, char **argv)
{
	return bind_main(c, argc, argv, 1);
}
