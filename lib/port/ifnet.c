/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers for drivers over a kernel network interface (af_packet, af_xdp). */
#include <errno.h>
#include <string.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "sl_port_driver.h"

int sl_ifnet_ioctl(int ctl_fd, const char *iface, unsigned long req, struct ifreq *ifr)
{
	memset(ifr->ifr_name, 0, sizeof(ifr->ifr_name));
	memcpy(ifr->ifr_name, iface, strnlen(iface, sizeof(ifr->ifr_name) - 1));
	return ioctl(ctl_fd, req, ifr) < 0 ? -errno : 0;
}

int sl_ifnet_mac_mtu(struct sl_port *port, int ctl_fd, const char *iface)
{
	struct ifreq ifr;
	int rc = sl_ifnet_ioctl(ctl_fd, iface, SIOCGIFHWADDR, &ifr);

	if (rc < 0) {
		SL_LOG(port, ERR, "%s: cannot read the MAC address of %s: %s", port->name, iface,
		       strerror(-rc));
		return rc;
	}
	memcpy(port->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (sl_ifnet_ioctl(ctl_fd, iface, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		port->mtu = (uint16_t)SL_MIN(ifr.ifr_mtu, UINT16_MAX);
	return 0;
}

int sl_ifnet_link(struct sl_port *port, int ctl_fd, const char *iface,
		  struct sl_port_link *link)
{
	struct ethtool_cmd ecmd = {.cmd = ETHTOOL_GSET};
	struct ethtool_value glink = {.cmd = ETHTOOL_GLINK};
	struct ifreq ifr;
	int rc = sl_ifnet_ioctl(ctl_fd, iface, SIOCGIFFLAGS, &ifr);

	if (rc < 0) {
		SL_LOG(port, ERR, "%s: cannot read the flags of %s: %s (was it deleted?)", port->name,
		       iface, strerror(-rc));
		return rc;
	}
	link->up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	/* ethtool, not sysfs: /sys shows the namespace that mounted it, not ours.  The carrier
	 * is read directly, IFF_RUNNING follows it only once the kernel's linkwatch ran. */
	ifr.ifr_data = (char *)&glink;
	if ((ifr.ifr_flags & IFF_UP) && sl_ifnet_ioctl(ctl_fd, iface, SIOCETHTOOL, &ifr) == 0)
		link->up = glink.data != 0;
	ifr.ifr_data = (char *)&ecmd;
	if (sl_ifnet_ioctl(ctl_fd, iface, SIOCETHTOOL, &ifr) == 0) {
		uint32_t speed = ethtool_cmd_speed(&ecmd);

		link->speed_mbps = speed == (uint32_t)SPEED_UNKNOWN ? 0 : speed;
		link->full_duplex = ecmd.duplex == DUPLEX_FULL;
	}
	return 0;
}
