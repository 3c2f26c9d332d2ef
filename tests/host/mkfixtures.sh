#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate the fixture trees in tests/host/fixtures/ (small copies of the sysfs/procfs files
# `sluice` reads, with real relative symlinks as in sysfs). The trees are checked in; run this
# only to change them:  tests/host/mkfixtures.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/fixtures}

R= # current fixture root

put() { # put FILE CONTENT...
	mkdir -p "$(dirname "$R/$1")"
	printf '%s\n' "${@:2}" >"$R/$1"
}
empty() { mkdir -p "$(dirname "$R/$1")"; : >"$R/$1"; }
lnk() { # lnk TARGET LINKPATH
	mkdir -p "$(dirname "$R/$2")"
	ln -sfn "$1" "$R/$2"
}

cpus() { # cpus ONLINE-LIST MAX [GOVERNOR...]
	put sys/devices/system/cpu/online "$1"
	local i g
	for ((i = 0; i < $2; i++)); do
		g=${3:-}
		if [[ -n $g ]]; then
			[[ $# -ge $((i + 3)) ]] && g=${*:$((i + 3)):1}
			put sys/devices/system/cpu/cpu$i/cpufreq/scaling_governor "$g"
		else
			mkdir -p "$R/sys/devices/system/cpu/cpu$i"
			touch "$R/sys/devices/system/cpu/cpu$i/.keep"
		fi
	done
}

hp_global() { # hp_global NR2M NR1G
	local d=sys/kernel/mm/hugepages
	put $d/hugepages-2048kB/nr_hugepages "$1"
	put $d/hugepages-2048kB/free_hugepages "$1"
	put $d/hugepages-2048kB/surplus_hugepages 0
	put $d/hugepages-1048576kB/nr_hugepages "$2"
	put $d/hugepages-1048576kB/free_hugepages "$2"
	put $d/hugepages-1048576kB/surplus_hugepages 0
}

node() { # node K CPULIST NR2M NR1G
	local d=sys/devices/system/node/node$1
	put $d/cpulist "$2"
	put $d/hugepages/hugepages-2048kB/nr_hugepages "$3"
	put $d/hugepages/hugepages-2048kB/free_hugepages "$3"
	put $d/hugepages/hugepages-1048576kB/nr_hugepages "$4"
	put $d/hugepages/hugepages-1048576kB/free_hugepages "$4"
}

driver() { # driver NAME
	empty sys/bus/pci/drivers/$1/bind
	empty sys/bus/pci/drivers/$1/unbind
}

# pci ADDR VENDOR DEVICE CLASS DRIVER NODE GROUP [IFNAME]
pci() {
	local a=$1 d=sys/devices/pci0000:00/$1
	put $d/vendor "$2"
	put $d/device "$3"
	put $d/class "$4"
	put $d/numa_node "$6"
	put $d/driver_override "(null)"
	lnk ../../../devices/pci0000:00/$a sys/bus/pci/devices/$a
	if [[ $5 != - ]]; then
		driver "$5"
		lnk ../../../bus/pci/drivers/$5 $d/driver
	fi
	if [[ $7 != - ]]; then
		lnk ../../../kernel/iommu_groups/$7 $d/iommu_group
		lnk ../../../../devices/pci0000:00/$a sys/kernel/iommu_groups/$7/devices/$a
		[[ -e $R/sys/kernel/iommu_groups/$7/reserved_regions ]] ||
			put sys/kernel/iommu_groups/$7/reserved_regions \
				"0x00000000fee00000 0x00000000feefffff msi"
	fi
	if [[ -n ${8:-} ]]; then
		put $d/net/$8/operstate "${OPER:-up}"
		lnk ../../../$a $d/net/$8/device
		lnk ../../devices/pci0000:00/$a/net/$8 sys/class/net/$8
	fi
}

virt_if() { # virt_if NAME OPERSTATE
	put sys/devices/virtual/net/$1/operstate "$2"
	lnk ../../devices/virtual/net/$1 sys/class/net/$1
}

common() { # common VENDOR FLAGS CMDLINE MEMLOCK CAPEFF
	put proc/cpuinfo "processor	: 0" "vendor_id	: $1" "flags		: $2" ""
	put proc/cmdline "$3"
	put proc/meminfo "MemTotal:       65536000 kB" "Hugepagesize:       2048 kB"
	put proc/self/limits \
		"Limit                     Soft Limit           Hard Limit           Units     " \
		"Max locked memory         $4 $4 bytes     "
	put proc/self/status "Name:	sluice" "CapEff:	$5"
	put proc/mounts "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0" \
		"proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0"
	empty sys/bus/pci/drivers_probe
	put usr/share/misc/pci.ids "# tiny pci.ids for tests" \
		"8086  Intel Corporation" \
		"	10fb  82599ES 10-Gigabit SFI/SFP+ Network Connection" \
		"	1572  Ethernet Controller X710 for 10GbE SFP+" \
		"	10d3  82574L Gigabit Network Connection" \
		"		8086 a01f  Gigabit CT Desktop Adapter" \
		"	1e31  USB 3.0 xHCI Host Controller" \
		"14e4  Broadcom Inc. and subsidiaries" \
		"	1657  NetXtreme BCM5719 Gigabit Ethernet PCIe" \
		"1af4  Red Hat, Inc." \
		"	1041  Virtio 1.0 network device" \
		"C 02  Network controller" \
		"	00  Ethernet controller"
}

X86="fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 avx512f avx512bw"
NOLOCK=0000000000000000
ALLCAP=000001ffffffffff

# numa2: two nodes, IOMMU with groups, a NIC on vfio-pci, an active interface, an IOMMU group
# holding two NICs, hugepages only on node 0 while a NIC sits on node 1, isolated cores.
R=$out/numa2
rm -rf "$R"
common GenuineIntel "$X86" \
	"BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt isolcpus=2-3,6-7 nohz_full=2-3,6-7 rcu_nocbs=2-3,6-7" \
	unlimited $ALLCAP
put proc/mounts "sysfs /sys sysfs rw 0 0" "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0"
mkdir -p "$R/dev/hugepages" && touch "$R/dev/hugepages/.keep"
cpus 0-7 8 performance performance performance powersave performance performance performance performance
node 0 0-3 1024 0
node 1 4-7 0 0
hp_global 1024 0
pci 0000:02:00.0 0x8086 0x10d3 0x020000 e1000e 0 9 eth0
pci 0000:03:00.0 0x8086 0x10fb 0x020000 ixgbe 0 10 eth1
pci 0000:81:00.0 0x8086 0x10fb 0x020000 vfio-pci 1 11
pci 0000:82:00.0 0x8086 0x1572 0x020000 i40e 1 12 eth3
pci 0000:82:00.1 0x8086 0x1572 0x020000 i40e 1 12 eth4
driver vfio-pci
empty dev/vfio/11
empty dev/vfio/vfio
put sys/module/vfio/parameters/enable_unsafe_noiommu_mode N
mkdir -p "$R/sys/module/vfio_pci/parameters" && touch "$R/sys/module/vfio_pci/parameters/.keep"
virt_if veth0 up
put proc/net/route \
	"Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT" \
	"eth0	00000000	0100000A	0003	0	0	0	00000000	0	0	0" \
	"eth0	0000000A	00000000	0001	0	0	0	00FFFFFF	0	0	0"
put proc/net/if_inet6 \
	"fe800000000000000000000000000001 04 40 20 80     eth1" \
	"20010db8000000000000000000000010 06 40 00 80     veth0" \
	"00000000000000000000000000000001 01 80 10 80       lo"

# rmrr: one node, IOMMU on, a NIC whose group has a direct-mapped reserved region, a second
# NIC named only by the kernel log, a USB controller with a direct region too.
R=$out/rmrr
rm -rf "$R"
common GenuineIntel "$X86" "root=/dev/sda1 intel_iommu=on iommu=pt isolcpus=1-3 nohz_full=1-3 rcu_nocbs=1-3" \
	unlimited $ALLCAP
put proc/mounts "hugetlbfs /dev/hugepages hugetlbfs rw,relatime 0 0"
cpus 0-3 4 performance
node 0 0-3 512 0
hp_global 512 0
put sys/kernel/iommu_groups/7/reserved_regions \
	"0x00000000bdf6e000 0x00000000bdf6efff direct" \
	"0x00000000fee00000 0x00000000feefffff msi"
pci 0000:03:00.0 0x14e4 0x1657 0x020000 tg3 0 7 eno1
pci 0000:03:00.1 0x14e4 0x1657 0x020000 tg3 0 8 eno2
put sys/kernel/iommu_groups/2/reserved_regions "0x000000007d800000 0x000000007fffffff direct"
pci 0000:00:14.0 0x8086 0x1e31 0x0c0330 xhci_hcd 0 2
driver vfio-pci
put sys/module/vfio/parameters/enable_unsafe_noiommu_mode N
mkdir -p "$R/sys/module/vfio_pci/parameters" && touch "$R/sys/module/vfio_pci/parameters/.keep"
put proc/net/route "Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT"
empty proc/net/if_inet6
put dmesg \
	"[    3.104211] DMAR: RMRR base: 0x000000bdf6e000 end: 0x000000bdf6efff" \
	"[   42.518342] vfio-pci 0000:03:00.1: DMAR: Device is ineligible for IOMMU domain attach due to platform RMRR requirement.  Contact your platform vendor."

# noiommu: like a small VM: no IOMMU, no isolcpus, a low memlock limit, hugepages reserved but
# not mounted, no cpufreq, vfio loaded, an active virtio NIC and a veth.
R=$out/noiommu
rm -rf "$R"
common AuthenticAMD "fpu sse sse2 ssse3 sse4_1 sse4_2 avx hypervisor" "console=ttyS0 root=/dev/vda" \
	65536 $NOLOCK
cpus 0-1 2
node 0 0-1 256 0
hp_global 256 0
mkdir -p "$R/sys/kernel/iommu_groups" && touch "$R/sys/kernel/iommu_groups/.keep"
pci 0000:00:03.0 0x1af4 0x1041 0x020000 virtio-pci -1 - eth0
put sys/devices/pci0000:00/0000:00:03.0/net/eth0/operstate up
mkdir -p "$R/sys/bus/virtio/drivers/virtio_net"
# virtio: the netdev's parent is virtio0 under the PCI function, driven by virtio_net
rm "$R/sys/devices/pci0000:00/0000:00:03.0/net/eth0/device" "$R/sys/class/net/eth0"
mkdir -p "$R/sys/devices/pci0000:00/0000:00:03.0/virtio0/net"
mv "$R/sys/devices/pci0000:00/0000:00:03.0/net/eth0" "$R/sys/devices/pci0000:00/0000:00:03.0/virtio0/net/"
rmdir "$R/sys/devices/pci0000:00/0000:00:03.0/net"
lnk ../../../virtio0 sys/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0/device
lnk ../../../../bus/virtio/drivers/virtio_net sys/devices/pci0000:00/0000:00:03.0/virtio0/driver
lnk ../../devices/pci0000:00/0000:00:03.0/virtio0/net/eth0 sys/class/net/eth0
virt_if veth1 down
driver vfio-pci
put sys/module/vfio/parameters/enable_unsafe_noiommu_mode N
put proc/net/route \
	"Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT" \
	"eth0	000200C0	00000000	0001	0	0	0	00FFFFFF	0	0	0"
put proc/net/if_inet6 "fe8000000000000000fc00fffe000001 02 40 20 80     eth0"
echo "fixtures written to $out"
