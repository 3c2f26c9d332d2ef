#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Host tool tests: run-case.sh SLUICE CASE
# Fixture cases work on a copy of tests/host/fixtures/<tree> in a temp dir (writes land in
# files there); real-machine cases only read, except hugepages-real (suite root), which puts
# the page counts back as they were. No case ever binds or unbinds a real device.
set -euo pipefail

sluice=$1
case_name=$2
fixtures=$(cd "$(dirname "$0")" && pwd)/fixtures
tmp=$(mktemp -d /tmp/sluice-host.XXXXXX)
restore_hp=()

cleanup() {
	local f
	for f in "${restore_hp[@]}"; do
		# "path=value": put the real hugepage counts back
		echo "${f#*=}" >"${f%%=*}" 2>/dev/null || true
	done
	if [[ -d $tmp/hp ]] && grep -q " $tmp/hp " /proc/mounts; then
		umount "$tmp/hp" || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL [$case_name]: $*" >&2
	if [[ -f $tmp/out ]]; then
		echo "--- output:" >&2
		cat "$tmp/out" >&2
	fi
	exit 1
}

# run EXPECTED_RC ARGS...: run sluice, output (stdout+stderr) in $tmp/out
run() {
	local want=$1 rc=0
	shift
	"$sluice" "$@" >"$tmp/out" 2>&1 || rc=$?
	[[ $rc == "$want" ]] || fail "sluice $* exited $rc, expected $want"
}

has() { grep -qE -- "$1" "$tmp/out" || fail "output lacks /$1/"; }
hasnt() { ! grep -qE -- "$1" "$tmp/out" || fail "output has unexpected /$1/"; }
file_is() { # file_is PATH CONTENT
	[[ -e $1 ]] || fail "$1 missing"
	[[ "$(cat "$1")" == "$2" ]] || fail "$1 holds '$(cat "$1")', expected '$2'"
}
link_is() { # link_is PATH BASENAME
	[[ -L $1 ]] || fail "$1 is not a symlink"
	[[ "$(basename "$(readlink "$1")")" == "$2" ]] || fail "$1 -> $(readlink "$1"), expected $2"
}
json_ok() {
	if command -v python3 >/dev/null; then
		python3 -m json.tool "$tmp/out" >/dev/null || fail "output is not valid JSON"
	fi
}

driver() { # driver NAME: register a fixture driver in the copy
	mkdir -p "$root/$drv/$1"
	: >"$root/$drv/$1/bind"
	: >"$root/$drv/$1/unbind"
}

copy() { # copy TREE: a writable copy at $root
	root=$tmp/root
	cp -a "$fixtures/$1" "$root"
}

dev=sys/bus/pci/devices
drv=sys/bus/pci/drivers

case $case_name in
help)
	run 0 --help
	has '^  doctor '
	has '^exit codes: 0 success'
	for c in doctor hugepages devices bind unbind plan; do
		run 0 "$c" --help
		has "usage: sluice $c"
	done
	run 2 frobnicate
	has "unknown command 'frobnicate'"
	run 2 doctor --bogus
	has "unknown argument '--bogus'"
	run 2 --root "$tmp/nowhere" doctor
	has "has no sys/ directory"
	# Every bad command line is exit 2 with a line naming what is wrong (docs/sluice.md).
	run 2
	has '^usage: sluice '
	run 2 --root
	has "^sluice: --root needs a DIR; see sluice --help$"
	run 2 --kernel-log
	has "^sluice: --kernel-log needs a FILE; see sluice --help$"
	long=/$(printf 'd%.0s' {1..600})
	run 2 --root "$long" doctor
	has "^sluice: --root path is 601 bytes long; use one of at most 511$"
	SLUICE_SYSROOT=$long run 2 doctor
	has "^sluice: SLUICE_SYSROOT path is 601 bytes long; use one of at most 511$"
	;;

doctor-numa2)
	run 1 --root "$fixtures/numa2" doctor
	has '^OK    iommu         [0-9]+ IOMMU groups; kernel command line: intel_iommu=on iommu=pt$'
	has '^OK    vfio-device   0000:81:00.0 is on vfio-pci, group 11 \(/dev/vfio/11\)$'
	has '^FAIL  numa          0000:81:00.0 is on node 1 but its hugepages are on other nodes \(node1: 0 of 1024\).*; fix: sluice hugepages reserve 1024 --size 2M --node 1$'
	has '^OK    numa          0000:03:00.0 \(eth1\) is on node 0 with 1024 local hugepages and CPUs 0-3$'
	has '^WARN  hugepages     node1: 2M=0 1G=0 \(none reserved on this node\); fix: sluice hugepages reserve 1024 --size 2M --node 1'
	has '^WARN  isolation     data plane cores 1-7 are not all isolated \(not isolated: 1,4-5\); fix: add isolcpus=1-7 nohz_full=1-7 rcu_nocbs=1-7 '
	has '^WARN  xdp           eth0 \(e1000e\): no native XDP known.*fix: use --driver af_packet'
	has '^OK    xdp           eth1 \(ixgbe\): native XDP, AF_XDP zero-copy$'
	has "^WARN  cpufreq       CPUs 3 use the 'powersave' governor.*fix: cpupower frequency-set -g performance"
	has '^OK    memlock       locked-memory limit unlimited'
	has '^[0-9]+ ok, [0-9]+ warn, 3 fail$'
	# the data plane on the isolated cores only: isolation is OK
	run 1 --root "$fixtures/numa2" doctor --cores 2-3,6-7
	has '^OK    isolation     data plane cores 2-3,6-7 are isolated'
	run 1 --root "$fixtures/numa2" doctor --json
	json_ok
	has '"status":"FAIL","check":"numa","found":"0000:81:00.0 is on node 1'
	has '"summary":\{"ok":[0-9]+,"warn":[0-9]+,"fail":3\}'
	# fixing the hugepages fixes the verdict: reserve on node 1, then no FAIL is left
	copy numa2
	run 0 --root "$root" hugepages reserve 1024 --node 1
	run 0 --root "$root" doctor --cores 2-3,6-7
	has '^OK    numa          0000:81:00.0 is on node 1 with 1024 local hugepages and CPUs 4-7$'
	has '^[0-9]+ ok, [0-9]+ warn, 0 fail$'
	;;

doctor-rmrr)
	run 1 --root "$fixtures/rmrr" doctor
	has '^FAIL  rmrr          0000:03:00.0 \(eno1, IOMMU group 7\) has a direct-mapped reserved region 0x00000000bdf6e000-0x00000000bdf6efff: .*refuses to attach it to a VFIO domain.*; fix: disable the firmware feature that owns the region .*use --driver af_xdp$'
	has '^FAIL  rmrr          0000:03:00.1: kernel log says "Device is ineligible for IOMMU domain attach due to platform RMRR requirement"'
	hasnt '0000:00:14.0' # the USB controller's direct region is not a NIC problem
	has '^OK    isolation     data plane cores 1-3 are isolated'
	has '^OK    hugetlbfs     2M pages mounted at /dev/hugepages$'
	has '^OK    cpufreq       all 4 CPUs use the performance governor$'
	# --kernel-log names the log explicitly; an empty one leaves only the sysfs finding
	: >"$tmp/empty.log"
	run 1 --root "$fixtures/rmrr" --kernel-log "$tmp/empty.log" doctor
	hasnt '0000:03:00.1'
	has '^FAIL  rmrr          0000:03:00.0 '
	run 1 --root "$fixtures/rmrr" --kernel-log "$tmp/nonexistent.log" doctor
	has "^WARN  rmrr          cannot read the kernel log .*/nonexistent.log: only sysfs was checked; fix: pass a readable file to --kernel-log"
	run 1 --root "$fixtures/rmrr" doctor --json
	json_ok
	has '"status":"FAIL","check":"rmrr","found":"0000:03:00.1: kernel log says \\"Device is ineligible'
	;;

doctor-noiommu)
	run 1 --root "$fixtures/noiommu" doctor
	has '^[0-9]+ ok, [0-9]+ warn, 2 fail$'
	has '^FAIL  iommu         no IOMMU groups in .*/sys/kernel/iommu_groups \(no IOMMU options\).*; fix: add amd_iommu=on iommu=pt to the kernel command line and reboot.*virtual IOMMU'
	has '^FAIL  memlock       locked-memory limit 64 KiB: .*; fix: ulimit -l unlimited'
	has '^WARN  isolation     no isolcpus/nohz_full/rcu_nocbs on the kernel command line: the data plane cores 1 .*; fix: add isolcpus=1 nohz_full=1 rcu_nocbs=1 '
	has '^WARN  hugetlbfs     no hugetlbfs mount with pagesize=2M for the reserved pages: Sluice does not need one .*; fix: sluice hugepages --size 2M --mount /dev/hugepages$'
	has '^WARN  cpu-features  SSE4.2 yes, AVX2 no, AVX-512 no'
	has '^OK    xdp           eth0 \(virtio_net\): native XDP, AF_XDP copy mode$'
	has '^OK    cpufreq       no cpufreq in sysfs'
	has '^OK    vfio-noiommu  no-IOMMU mode off$'
	copy noiommu
	echo Y >"$root/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
	run 0 --root "$root" hugepages --mount /dev/hugepages
	has '^mounted hugetlbfs \(pagesize=2M\) at /dev/hugepages'
	[[ -d $root/dev/hugepages ]] || fail "mount point not created"
	run 1 --root "$root" doctor
	has '^WARN  vfio-noiommu  vfio no-IOMMU mode is on'
	has '^OK    hugetlbfs     2M pages mounted at /dev/hugepages$'
	;;

devices)
	run 0 --root "$fixtures/numa2" devices
	has '^0000:81:00.0  8086:10fb  vfio-pci      -           1     11     -        no      vfio              Intel Corporation 82599ES 10-Gigabit SFI/SFP\+ Network Connection$'
	has '^0000:02:00.0  8086:10d3  e1000e        eth0        0     9      up       yes     af_xdp,af_packet  Intel Corporation 82574L Gigabit Network Connection$'
	has '^0000:82:00.1  8086:1572  i40e          eth4        1     12     up       no      af_xdp,af_packet  '
	has '^veth0             -             up       yes     IPv6 address 2001:db8::10/64$'
	has '^eth0: active \(IPv4 route 0.0.0.0/0\)$'
	hasnt '^eth1: active' # link-local IPv6 only
	run 0 --root "$fixtures/numa2" devices --json
	json_ok
	has '"pci":"0000:81:00.0","vendor_id":"8086","device_id":"10fb"'
	has '"interface":"eth0","net_driver":"e1000e","link":"up","active":true'
	# virtio: the interface hangs under virtio0, below the PCI function
	run 0 --root "$fixtures/noiommu" devices
	has '^0000:00:03.0  1af4:1041  virtio-pci    eth0        -     -      up       yes     af_xdp,af_packet  Red Hat, Inc. Virtio 1.0 network device$'
	has '^veth1             -             down     no      -$'
	# the environment variable works like --root
	SLUICE_SYSROOT=$fixtures/noiommu "$sluice" devices >"$tmp/out" 2>&1 || fail "SLUICE_SYSROOT run failed"
	has '^0000:00:03.0  1af4:1041  virtio-pci    eth0 '
	# without pci.ids the names are just left out
	copy noiommu
	rm "$root/usr/share/misc/pci.ids"
	run 0 --root "$root" devices
	has '^0000:00:03.0  1af4:1041  virtio-pci    eth0 .* af_xdp,af_packet  -$'
	;;

bind)
	copy numa2
	run 0 --root "$root" bind 03:00.0 --driver vfio-pci
	has '^0000:03:00.0 \(eth1\): ixgbe -> vfio-pci \(original driver kept in /run/sluice/bind/0000:03:00.0; give it back with: sluice unbind 0000:03:00.0 --restore\)$'
	file_is "$root/$drv/ixgbe/unbind" 0000:03:00.0
	file_is "$root/$dev/0000:03:00.0/driver_override" vfio-pci
	file_is "$root/sys/bus/pci/drivers_probe" 0000:03:00.0
	file_is "$root/run/sluice/bind/0000:03:00.0" ixgbe
	link_is "$root/$dev/0000:03:00.0/driver" vfio-pci
	run 0 --root "$root" devices
	has '^0000:03:00.0  8086:10fb  vfio-pci      -  .* vfio  '
	run 0 --root "$root" bind 0000:03:00.0
	has '^0000:03:00.0 is already bound to vfio-pci$'
	run 0 --root "$root" unbind 0000:03:00.0 --restore
	has '^0000:03:00.0: vfio-pci -> ixgbe \(original driver restored\)$'
	file_is "$root/$drv/vfio-pci/unbind" 0000:03:00.0
	file_is "$root/$drv/ixgbe/bind" 0000:03:00.0
	file_is "$root/$dev/0000:03:00.0/driver_override" ""
	link_is "$root/$dev/0000:03:00.0/driver" ixgbe
	[[ ! -e $root/run/sluice/bind/0000:03:00.0 ]] || fail "state file left behind"
	# by interface name; plain unbind leaves the device driverless and says how to restore
	run 0 --root "$root" bind eth1
	run 1 --root "$root" unbind eth1
	has "'eth1' is neither a PCI address" # on vfio-pci the interface is gone
	run 0 --root "$root" unbind 0000:03:00.0
	has '^0000:03:00.0: vfio-pci -> no driver \(give it back with: sluice unbind 0000:03:00.0 --restore\)$'
	[[ ! -e $root/$dev/0000:03:00.0/driver ]] || fail "driver link still there"
	run 0 --root "$root" unbind 0000:03:00.0 --restore
	link_is "$root/$dev/0000:03:00.0/driver" ixgbe
	;;

bind-active)
	copy numa2
	run 1 --root "$root" bind eth0
	has '^sluice bind: refusing: eth0 \(0000:02:00.0\) is active \(IPv4 route 0.0.0.0/0\); .* or use --force$'
	link_is "$root/$dev/0000:02:00.0/driver" e1000e
	file_is "$root/$drv/e1000e/unbind" ""
	[[ ! -e $root/run/sluice/bind/0000:02:00.0 ]] || fail "state file written for a refused bind"
	run 1 --root "$root" unbind 02:00.0
	has '^sluice unbind: refusing: eth0 \(0000:02:00.0\) is active'
	run 0 --root "$root" bind eth0 --force
	link_is "$root/$dev/0000:02:00.0/driver" vfio-pci
	;;

bind-group)
	copy numa2
	run 1 --root "$root" bind 0000:82:00.0
	has '^sluice bind: refusing: 0000:82:00.0 shares its IOMMU group with 0000:82:00.1 \(i40e\); vfio needs every device of the group on vfio-pci'
	link_is "$root/$dev/0000:82:00.0/driver" i40e
	# binding the partner first makes the group consistent
	run 1 --root "$root" bind 0000:82:00.1
	has 'shares its IOMMU group with 0000:82:00.0 \(i40e\)'
	run 0 --root "$root" bind 0000:82:00.1 --force
	has 'warning: 0000:82:00.1 shares its IOMMU group'
	run 0 --root "$root" bind 0000:82:00.0
	link_is "$root/$dev/0000:82:00.0/driver" vfio-pci
	run 0 --root "$root" unbind 0000:82:00.0 --restore
	has '^note: 0000:82:00.1 in the same IOMMU group is still on vfio-pci'
	link_is "$root/$dev/0000:82:00.0/driver" i40e
	;;

bind-bad)
	copy numa2
	run 1 --root "$root" bind 0000:99:00.0
	has '^sluice bind: no PCI device 0000:99:00.0 in .*/sys/bus/pci/devices; list network devices with: sluice devices$'
	run 1 --root "$root" bind nosuchif0
	has "^sluice bind: 'nosuchif0' is neither a PCI address"
	run 1 --root "$root" bind veth0
	has '^sluice bind: veth0 is a virtual interface without a PCI device'
	run 1 --root "$root" bind 0000:03:00.0 --driver nosuchdrv
	has "^sluice bind: unknown driver 'nosuchdrv': no .*/sys/bus/pci/drivers/nosuchdrv"
	link_is "$root/$dev/0000:03:00.0/driver" ixgbe
	run 2 --root "$root" bind 0000:03:00.0 --driver '../x'
	has "is not a driver name"
	run 2 --root "$root" bind
	has '^usage: sluice bind'
	run 0 --root "$root" unbind 0000:81:00.0 --restore
	has 'no record of the original driver: the kernel chose'
	;;

bind-missing)
	# drivers_probe missing: the bind fails half-way and the old driver comes back
	copy numa2
	rm "$root/sys/bus/pci/drivers_probe"
	run 1 --root "$root" bind 0000:03:00.0
	has '^sluice bind: binding 0000:03:00.0 to vfio-pci failed at drivers_probe: No such file or directory$'
	has '^sluice bind: restored 0000:03:00.0 to ixgbe$'
	link_is "$root/$dev/0000:03:00.0/driver" ixgbe
	file_is "$root/$drv/ixgbe/bind" 0000:03:00.0
	file_is "$root/$dev/0000:03:00.0/driver_override" ""
	[[ ! -e $root/run/sluice/bind/0000:03:00.0 ]] || fail "state file left after a failed bind"
	# driver_override missing: refused before anything changes
	rm -rf "$root" && copy numa2
	rm "$root/$dev/0000:03:00.0/driver_override"
	run 1 --root "$root" bind 0000:03:00.0
	has "^sluice bind: missing .*/sys/bus/pci/devices/0000:03:00.0/driver_override .*nothing was changed$"
	link_is "$root/$dev/0000:03:00.0/driver" ixgbe
	file_is "$root/$drv/ixgbe/unbind" ""
	# old driver's unbind file missing: nothing changes
	rm -rf "$root" && copy numa2
	rm "$root/$drv/ixgbe/unbind"
	run 1 --root "$root" bind 0000:03:00.0
	has '^sluice bind: cannot unbind 0000:03:00.0 from ixgbe .*nothing was changed$'
	link_is "$root/$dev/0000:03:00.0/driver" ixgbe
	# the new driver declines the device (probe fails): restored
	rm -rf "$root" && copy numa2
	echo 0000:03:00.0 >"$root/$drv/vfio-pci/fixture_refuse"
	run 1 --root "$root" bind 0000:03:00.0
	has '^sluice bind: binding 0000:03:00.0 to vfio-pci failed at probe: the driver did not take the device \(see dmesg\)$'
	has '^sluice bind: restored 0000:03:00.0 to ixgbe$'
	link_is "$root/$dev/0000:03:00.0/driver" ixgbe
	# a failed second bind keeps the record of the first one's original driver
	rm -rf "$root" && copy numa2
	run 0 --root "$root" bind 0000:03:00.0
	driver uio_pci_generic_fixture
	echo 0000:03:00.0 >"$root/$drv/uio_pci_generic_fixture/fixture_refuse"
	run 1 --root "$root" bind 0000:03:00.0 --driver uio_pci_generic_fixture
	has '^sluice bind: restored 0000:03:00.0 to vfio-pci$'
	file_is "$root/run/sluice/bind/0000:03:00.0" ixgbe
	;;

bind-iommu)
	copy rmrr
	run 1 --root "$root" bind 0000:03:00.0
	has '^sluice bind: refusing: 0000:03:00.0: its IOMMU group has a direct-mapped reserved region 0x00000000bdf6e000-0x00000000bdf6efff \(firmware RMRR\).*use af_xdp$'
	link_is "$root/$dev/0000:03:00.0/driver" tg3
	rm -rf "$root" && copy noiommu
	run 1 --root "$root" bind 0000:00:03.0 --force
	has '^sluice bind: 0000:00:03.0 has no IOMMU group \(no IOMMU enabled\), so vfio-pci cannot take it; add intel_iommu=on iommu=pt'
	link_is "$root/$dev/0000:00:03.0/driver" virtio-pci
	echo Y >"$root/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
	run 0 --root "$root" bind 0000:00:03.0 --force
	has '^warning: 0000:00:03.0 has no IOMMU group; using vfio no-IOMMU mode'
	link_is "$root/$dev/0000:00:03.0/driver" vfio-pci
	;;

hugepages)
	copy numa2
	hp=sys/devices/system/node
	run 0 --root "$root" hugepages
	has '^2M     all       1024      1024         0$'
	has '^2M     1            0         0         0$'
	has '^  /dev/hugepages  pagesize=2M$'
	run 0 --root "$root" hugepages reserve 512 --node 1
	file_is "$root/$hp/node1/hugepages/hugepages-2048kB/nr_hugepages" 512
	has '^2M pages reserved: 1536 \(node0=1024, node1=512\)$'
	has '^  kernel command line: hugepagesz=2M hugepages=1536  \(per node, newer kernels: hugepages=0:1024,1:512\)$'
	has "^  or sysctl: echo 'vm.nr_hugepages = 1536' > /etc/sysctl.d/80-sluice.conf$"
	run 0 --root "$root" hugepages reserve 1001 --spread
	file_is "$root/$hp/node0/hugepages/hugepages-2048kB/nr_hugepages" 501
	file_is "$root/$hp/node1/hugepages/hugepages-2048kB/nr_hugepages" 500
	run 0 --root "$root" hugepages reserve 4 --size 1G --node 0
	file_is "$root/$hp/node0/hugepages/hugepages-1048576kB/nr_hugepages" 4
	has 'only the command line reserves them at boot'
	run 0 --root "$root" hugepages reserve 64
	file_is "$root/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages" 64
	# a kernel short of memory gives fewer pages than asked: said, and exit 1
	echo 700 >"$root/$hp/node1/hugepages/hugepages-2048kB/fixture_max"
	run 1 --root "$root" hugepages reserve 2000 --spread
	has '^sluice hugepages: asked for 1000 2M pages on node 1, the kernel reserved only 700 '
	has '^2M pages reserved: 1700 \(node0=1000, node1=700\)$'
	echo 900 >"$root/sys/kernel/mm/hugepages/hugepages-2048kB/fixture_max"
	run 1 --root "$root" hugepages reserve 1000
	has '^sluice hugepages: asked for 1000 2M pages, the kernel reserved only 900 '
	run 0 --root "$root" hugepages clear
	has '^2M pages: cleared$'
	has '^1G pages: cleared$'
	file_is "$root/$hp/node0/hugepages/hugepages-2048kB/nr_hugepages" 0
	file_is "$root/$hp/node0/hugepages/hugepages-1048576kB/nr_hugepages" 0
	file_is "$root/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages" 0
	run 0 --root "$root" hugepages --mount /mnt/huge
	has '^hugetlbfs for 2M pages is already mounted at /dev/hugepages$'
	run 0 --root "$root" hugepages --size 1G --mount /mnt/huge1g
	has '^mounted hugetlbfs \(pagesize=1G\) at /mnt/huge1g'
	grep -q '^nodev /mnt/huge1g hugetlbfs rw,relatime,pagesize=1G 0 0$' "$root/proc/mounts" ||
		fail "mount not recorded in proc/mounts"
	run 2 --root "$root" hugepages reserve 10 --size 2X
	has "^sluice hugepages: --size '2X' is not a size \\(2M, 1G\\)$"
	run 1 --root "$root" hugepages reserve 10 --size 3M
	has '^sluice hugepages: this kernel has no 3M pages .*hugepages-3072kB missing\); use --size 2M$'
	run 1 --root "$root" hugepages reserve 10 --size 16G
	has '^sluice hugepages: this kernel has no 16G pages'
	run 1 --root "$root" hugepages reserve 10 --node 5
	has '^sluice hugepages: no NUMA node 5 with 2M pages .*nodes here: 0,1$'
	run 2 --root "$root" hugepages reserve
	has 'reserve needs a page count'
	run 2 --root "$root" hugepages reserve -5
	chmod 0444 "$root/$hp/node1/hugepages/hugepages-2048kB/nr_hugepages"
	if [[ $(id -u) != 0 ]]; then
		run 1 --root "$root" hugepages reserve 8 --node 1
		has 'cannot write .*nr_hugepages: Permission denied \(run as root\)'
	fi
	rm -rf "$root/sys/kernel/mm/hugepages"
	run 1 --root "$root" hugepages
	has 'this kernel has no hugepage support \(needs CONFIG_HUGETLBFS\)'
	;;

plan)
	run 0 --root "$fixtures/numa2" plan --ports 0000:03:00.0,0000:81:00.0 --cores 5
	has '^port 0: 0000:03:00.0 node 0, 2 rx queues$'
	has '^port 1: 0000:81:00.0 node 1, 2 rx queues$'
	has '^main core 0 \(node 0\)$'
	has '^worker core 2 \(node 0, isolated\): port 0 queue 0$'
	has '^worker core 6 \(node 1, isolated\): port 1 queue 0$'
	has '^-l 0,2,6,3,7$'
	has '^queue map: 0:0@2 1:0@6 0:1@3 1:1@7$'
	run 0 --root "$fixtures/numa2" plan --ports eth1,0000:81:00.0 --cores 7
	has '^port 0: eth1 \(0000:03:00.0\) node 0, 3 rx queues$'
	has '^-l 0,2,6,3,7,1,4$'
	has '^worker core 1 \(node 0\): port 0 queue 2$'
	run 0 --root "$fixtures/numa2" plan --ports 0000:81:00.0 --cores 6 --json
	json_ok
	has '"lcores":"0,6,7,4,5,2"'
	has 'core 2 serves 0000:81:00.0 on node 1 from node 0'
	run 1 --root "$fixtures/numa2" plan --ports 0000:03:00.0 --cores 9
	has '^sluice plan: 9 cores asked, only 8 online CPUs here; use --cores 8 or fewer$'
	run 1 --root "$fixtures/numa2" plan --ports 0000:99:00.0 --cores 2
	has "port '0000:99:00.0' is neither a PCI device nor an interface"
	run 2 --root "$fixtures/numa2" plan --ports eth1 --cores 1
	has 'must be a number >= 2'
	;;

real-doctor)
	# this machine, read only
	rc=0
	"$sluice" doctor >"$tmp/out" 2>&1 || rc=$?
	[[ $rc == 0 || $rc == 1 ]] || fail "doctor exited $rc"
	has '^[0-9]+ ok, [0-9]+ warn, [0-9]+ fail$'
	has '^(OK|WARN|FAIL) +cpu-features  '
	if [[ -z $(ls /sys/kernel/iommu_groups 2>/dev/null) ]]; then
		has '^FAIL  iommu         no IOMMU groups in /sys/kernel/iommu_groups'
	else
		has '^(OK|WARN)  +iommu         [0-9]+ IOMMU groups'
	fi
	for c in hugepages iommu vfio rmrr isolation numa memlock cpufreq; do
		has "^(OK|WARN|FAIL) +$c "
	done
	"$sluice" doctor --json >"$tmp/out" 2>&1 || true
	json_ok
	;;

real-devices)
	run 0 devices
	has '^PCI           ID         DRIVER'
	# interfaces with a device (stable, unlike veths other tests may be creating) are listed
	for n in /sys/class/net/*; do
		[[ -e $n/device ]] || continue
		has "(^| )${n##*/}( |$)"
	done
	run 0 devices --json
	json_ok
	# never touch a real device: only an address that does not exist
	run 1 bind 0000:ff:1f.7
	has '^sluice bind: no PCI device 0000:ff:1f.7 in /sys/bus/pci/devices'
	run 1 unbind 0000:ff:1f.7 --restore
	has '^sluice unbind: no PCI device 0000:ff:1f.7'
	;;

real-hugepages)
	[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
	[[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]] || { echo "SKIP: no 2M hugepages"; exit 77; }
	for f in /sys/kernel/mm/hugepages/hugepages-*/nr_hugepages \
		/sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages; do
		[[ -e $f ]] && restore_hp+=("$f=$(cat "$f")")
	done
	g=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	before=$(cat $g)
	want=$((before + 16))
	run 0 hugepages reserve $want --size 2M
	[[ $(cat $g) == "$want" ]] || fail "nr_hugepages is $(cat $g), expected $want"
	has "^2M pages reserved: $want"
	run 0 hugepages
	has "^2M     all  +$want "
	run 0 hugepages clear
	has '^2M pages: cleared$'
	[[ $(cat $g) == 0 ]] || fail "clear left $(cat $g) pages"
	run 0 hugepages reserve "$before" --size 2M
	[[ $(cat $g) == "$before" ]] || fail "could not restore $before pages"
	# a real hugetlbfs mount, unless one exists; unmounted again
	if ! grep -q ' hugetlbfs .*pagesize=2M' /proc/mounts; then
		run 0 hugepages --size 2M --mount "$tmp/hp"
		grep -q " $tmp/hp hugetlbfs .*pagesize=2M" /proc/mounts || fail "no hugetlbfs at $tmp/hp"
		umount "$tmp/hp" || fail "cannot unmount $tmp/hp"
	fi
	;;

*)
	fail "unknown case"
	;;
esac
echo "ok [$case_name]"
