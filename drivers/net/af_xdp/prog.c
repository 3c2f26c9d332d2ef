/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp's XDP program: libxdp's default redirect program (xsk_def_prog: each frame
 * goes to the socket that its rx queue index has in xsks_map, or on to the kernel).
 *
 * Link attach (xdp_attach=link, the default): start() loads the program itself, sizes its
 * map for the interface's queues and attaches it with a BPF link (BPF_LINK_CREATE,
 * BPF_XDP; Linux >= 5.9).  The port holds the link's only fd, so the kernel detaches the
 * program when the port stops or when the process dies, SIGKILL included.  The sockets
 * are created with XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD and join the map themselves.
 *
 * libxdp attach (xdp_attach=libxdp, or the fallback when a link cannot be made): each
 * socket asks libxdp, which attaches the program (through its dispatcher when bpffs and
 * the kernel allow), reference-counts it and detaches it with the last socket.  A process
 * killed with SIGKILL leaves it behind.
 *
 * Either way, a program already on the interface is reused by libxdp: one left by a
 * killed process (said, with how to remove it), or another port's (held by its link).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "af_xdp_priv.h"

#define DEF_PROG_FILE "xsk_def_xdp_prog.o"
#define DEF_PROG_NAME "xsk_def_prog"

/* --- libxdp / libbpf messages --- */

static int lib_print(const char *lib, const char *fmt, va_list ap)
{
	char line[512];

	/* Their warnings are mostly about ELF sections and bpffs fallbacks that the driver
	 * explains itself: keep them at debug level, errors come from our own log lines. */
	vsnprintf(line, sizeof(line), fmt, ap);
	SL_LOG(net_af_xdp, DEBUG, "%s: %s", lib, line);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return lib_print("libxdp", fmt, ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return lib_print("libbpf", fmt, ap);
}

void axdp_prog_log_init(void)
{
	static bool print_set;

	if (print_set)
		return;
	libxdp_set_print(libxdp_print);
	libbpf_set_print(libbpf_print);
	print_set = true;
}

/* --- what is on the interface --- */

static bool have_bpffs(void)
{
	struct statfs st;

	return statfs(BPFFS_PATH, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* Whether a BPF link holds program prog_id (on the interface it is attached to). */
static bool held_by_link(uint32_t prog_id)
{
	uint32_t id = 0;

	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);
		bool hit;

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		hit = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		      info.type == BPF_LINK_TYPE_XDP && info.prog_id == prog_id;
		close(fd);
		if (hit)
			return true;
	}
	return false;
}

/* A program already on the interface before our first socket: another port's (held by
 * its link), or one left by a process killed with SIGKILL.  libxdp reuses it; it stays as
 * long as its owner does, or for good when the owner is gone.  Returns whether there is
 * one. */
static bool attached_check(const struct sl_port *port)
{
	const struct xdp_port *xp = port->priv;
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(xp->ifindex);
	struct xdp_program *prog;

	if (libxdp_get_error(mp) || mp == NULL)
		return false;
	prog = xdp_multiprog__main_prog(mp);
	if (prog && held_by_link(xdp_program__id(prog)))
		SL_LOG(net_af_xdp, NOTICE,
		       "%s: XDP program '%s' on %s is held by a BPF link of "
		       "another port or process: this port's sockets join it, and lose their "
		       "traffic when its owner stops",
		       port->name, xdp_program__name(prog), xp->iface);
	else if (prog)
		SL_LOG(net_af_xdp, NOTICE,
		       "%s: XDP program '%s' is already attached to %s (left by "
		       "a killed process?); libxdp reuses it and it stays after this port closes: "
		       "remove it with `ip link set dev %s xdp off` (xdpgeneric off for skb mode)",
		       port->name, xdp_program__name(prog), xp->iface, xp->iface);
	xdp_multiprog__close(mp);
	return prog != NULL;
}

/* With bpffs, libxdp still attaches its program alone when the kernel cannot run its
 * dispatcher (freplace programs need kernel BTF): say so, since other XDP programs then
 * cannot share the interface. */
static void dispatcher_check(const struct sl_port *port)
{
	const struct xdp_port *xp = port->priv;
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(xp->ifindex);

	if (libxdp_get_error(mp) || mp == NULL)
		return;
	if (xdp_multiprog__is_legacy(mp))
		SL_LOG(net_af_xdp, NOTICE,
		       "%s: libxdp could not use its dispatcher on this kernel (it "
		       "needs freplace programs and kernel BTF; --log-level af_xdp:debug shows "
		       "libxdp's reason): its program is attached to %s alone",
		       port->name, xp->iface);
	xdp_multiprog__close(mp);
}

static void bpffs_check(const struct sl_port *port)
{
	static bool told; /* once per process */
	const struct xdp_port *xp = port->priv;

	if (told || have_bpffs())
		return;
	told = true;
	SL_LOG(net_af_xdp, NOTICE,
	       "%s: no bpffs at %s: libxdp attaches its program to %s without "
	       "its dispatcher, so no other XDP program can share the interface; mount it with "
	       "`mount -t bpf bpf %s` to use the dispatcher",
	       port->name, BPFFS_PATH, xp->iface, BPFFS_PATH);
}

/* --- link attach --- */

/* Entries of xsks_map: one per queue the interface can have (as libxdp sizes it), and at
 * least the port's. */
static uint32_t map_entries(const struct xdp_port *xp)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	uint32_t n = xp->start_queue + xp->queue_count;
	struct ifreq ifr;

	ifr.ifr_data = (char *)&ch;
	if (axdp_ioctl(xp, SIOCETHTOOL, &ifr) == 0)
		n = SL_MAX(n, SL_MAX(SL_MAX(ch.max_rx, ch.max_tx), ch.max_combined));
	return n;
}

/* Loads libxdp's default program with its map sized for the interface; why says what
 * failed. */
static int prog_load(struct xdp_port *xp, char *why, size_t size)
{
	struct xdp_program *prog = xdp_program__find_file(DEF_PROG_FILE, NULL, NULL);
	struct bpf_object *obj;
	struct bpf_map *map;
	int rc = (int)libxdp_get_error(prog);

	if (rc || prog == NULL) {
		rc = rc ? rc : -ENOENT;
		snprintf(why, size, "cannot open libxdp's %s (%s)", DEF_PROG_FILE, strerror(-rc));
		return rc;
	}
	obj = xdp_program__bpf_obj(prog);
	map = bpf_object__find_map_by_name(obj, "xsks_map");
	if (map == NULL || bpf_object__find_program_by_name(obj, DEF_PROG_NAME) == NULL) {
		rc = -ENOENT;
		snprintf(why, size, "libxdp's %s has no program %s with an xsks_map", DEF_PROG_FILE,
			 DEF_PROG_NAME);
		goto close_prog;
	}
	rc = bpf_map__set_max_entries(map, map_entries(xp));
	if (rc == 0)
		rc = bpf_object__load(obj);
	if (rc < 0) {
		snprintf(why, size, "cannot load libxdp's %s (%s)", DEF_PROG_FILE, strerror(-rc));
		goto close_prog;
	}
	xp->prog = prog;
	xp->xsks_map_fd = bpf_map__fd(map);
	return 0;
close_prog:
	xdp_program__close(prog);
	return rc;
}

/* Loads the program and attaches it to the interface with a link the port holds. */
static int link_attach(struct sl_port *port, char *why, size_t size)
{
	struct xdp_port *xp = port->priv;
	DECLARE_LIBBPF_OPTS(bpf_link_create_opts, opts);
	struct bpf_program *bp;
	int rc = prog_load(xp, why, size), fd;

	if (rc < 0)
		return rc;
	if (xp->mode == MODE_NATIVE)
		opts.flags = XDP_FLAGS_DRV_MODE;
	else if (xp->mode == MODE_SKB)
		opts.flags = XDP_FLAGS_SKB_MODE;
	bp = bpf_object__find_program_by_name(xdp_program__bpf_obj(xp->prog), DEF_PROG_NAME);
	fd = bpf_link_create(bpf_program__fd(bp), xp->ifindex, BPF_XDP, &opts);
	if (fd < 0) {
		rc = errno ? -errno : -EINVAL; /* libbpf sets errno in every error mode */
		snprintf(why, size,
			 "the kernel cannot attach XDP through a BPF link (%s; links need "
			 "Linux 5.9)",
			 strerror(-rc));
		axdp_prog_detach(port);
		return rc;
	}
	xp->link_fd = fd;
	SL_LOG(net_af_xdp, DEBUG, "%s: %s attached to %s through BPF link fd %d", port->name,
	       DEF_PROG_NAME, xp->iface, fd);
	return 0;
}

int axdp_prog_attach(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;
	char why[160];
	int rc;

	xp->attach = xp->attach_req;
	if (attached_check(port)) {
		xp->attach = ATTACH_LIBXDP; /* the sockets join what is there */
		return 0;
	}
	if (xp->attach == ATTACH_LINK) {
		rc = link_attach(port, why, sizeof(why));
		if (rc == 0)
			return 0;
		if (rc == -EOPNOTSUPP) {
			/* The interface has no XDP in this mode: libxdp would fail the same way. */
			axdp_mode_error(port, rc);
			return rc;
		}
		SL_LOG(net_af_xdp, NOTICE,
		       "%s: %s: libxdp attaches the program instead, and it stays "
		       "on %s if the process is killed with SIGKILL",
		       port->name, why, xp->iface);
		xp->attach = ATTACH_LIBXDP;
	}
	bpffs_check(port);
	return 0;
}

int axdp_prog_add_socket(struct sl_port *port, uint16_t q, struct xsk_socket *xsk)
{
	struct xdp_port *xp = port->priv;
	int rc;

	if (xp->attach == ATTACH_LIBXDP) {
		/* libxdp attached its program with the socket. */
		if (q == 0 && have_bpffs())
			dispatcher_check(port);
		return 0;
	}
	rc = xsk_socket__update_xskmap(xsk, xp->xsks_map_fd);
	if (rc < 0)
		SL_LOG(net_af_xdp, ERR,
		       "%s: cannot put the socket of queue %u into the XDP program's "
		       "xsks_map: %s",
		       port->name, q, strerror(-rc));
	return rc;
}

void axdp_prog_detach(struct sl_port *port)
{
	struct xdp_port *xp = port->priv;

	if (xp->link_fd >= 0)
		close(xp->link_fd); /* the kernel detaches the program */
	xp->link_fd = -1;
	if (xp->prog)
		xdp_program__close(xp->prog);
	xp->prog = NULL;
	xp->xsks_map_fd = -1;
}
