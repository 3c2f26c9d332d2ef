#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vhost-user end to end: a Linux guest under QEMU (TCG) pings the host side through a
# user-space vhost-user backend.
#   guest eth0 (virtio-net-pci, 192.168.77.2) == vhost-user socket == backend port 0
#   (net_vhost0)  <-io forwarding->  port 1 (net_tap0)  == tap in a netns made here
#   (192.168.77.1, the kernel answers)
# The guest is the host's own Debian kernel with an initramfs built here (qemu_lib.sh:
# busybox-static, the virtio-net modules, an /init that pings and prints
# GUEST-PING-OK n/n or GUEST-PING-FAIL on the serial console, then powers off).  The test
# passes when the serial log has GUEST-PING-OK, QEMU exits 0 and (testpmd) the backend's
# forward statistics show packets from both ports.
#
# Environment:
#   VHOST_BACKEND=sluice|testpmd  the backend (default sluice: $BUILD/app/fwd/sluice-fwd,
#                                 which must know net_vhost: the test fails, not skips,
#                                 when it does not)
#   VHOST_SERVER=qemu|backend     who listens on the vhost-user socket (default qemu: QEMU
#                                 is the server and the backend a reconnecting client,
#                                 client=1, as OVS's dpdkvhostuserclient ports)
#   GUEST_KERNEL=/boot/vmlinuz-X  the guest kernel (default: the newest with its modules)
#   QEMU_BIOS=FILE|default        firmware (default qboot.rom when installed: ~2 s faster
#                                 under TCG than SeaBIOS; "default" = QEMU's SeaBIOS)
#   BOOT_TIMEOUT=S                seconds from QEMU's start to the marker (default 90;
#                                 ~10 s on an idle 2-core machine, ~80 s with both cores
#                                 busy with other nice-0 work)
#   QEMU_NICE=N                   QEMU's nice level (default 10)
# The backend runs with --no-huge (ordinary memory): the guest's memory comes to it as the
# memfd QEMU shares (memory-backend-memfd,share=on), which net_vhost maps, and its own
# mbufs need no hugepages, so none are reserved here.  testpmd 22.11 works this way.
# Usage: vhost_qemu.sh BUILD_DIR (root).  Exit 77 (skip) when not root or something is
# missing (QEMU, busybox-static, a kernel, dpdk-testpmd for VHOST_BACKEND=testpmd).
set -euo pipefail

BUILD=$(cd "${1:?usage: vhost_qemu.sh BUILD_DIR}" && pwd)
BACKEND=${VHOST_BACKEND:-sluice}
SERVER=${VHOST_SERVER:-qemu}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-90}
GUEST_IP=192.168.77.2
HOST_IP=192.168.77.1
GUEST_MAC=52:54:00:12:34:56
COUNT=5

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/qemu_lib.sh"

T0=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

need_root
for t in qemu-system-x86_64 timeout ip nice awk gzip; do # need_tools, with the package
	command -v "$t" >/dev/null ||
		skip "$t is not installed (apt-get install qemu-system-x86 coreutils iproute2 gzip)"
done
# The guest has no libc: its busybox must be the static one.
# (Outputs read whole: grep -q on a pipe may end the writer with SIGPIPE, which pipefail
# would take for a failure.)
applets=$(/bin/busybox --list 2>/dev/null) || applets=
ldd_says=$(LC_ALL=C ldd /bin/busybox 2>&1) || true
if ! grep -qx insmod <<<"$applets" || ! grep -q "not a dynamic executable" <<<"$ldd_says"; then
	skip "no static /bin/busybox with insmod (apt-get install busybox-static)"
fi
[ -e /dev/net/tun ] || skip "/dev/net/tun is missing (modprobe tun)"
qemu_find_kernel
case $SERVER in qemu | backend) ;; *) fail "VHOST_SERVER=$SERVER: want qemu or backend" ;; esac
case $BACKEND in sluice | testpmd) ;; *) fail "VHOST_BACKEND=$BACKEND: want sluice or testpmd" ;; esac

TMP=$(mktemp -d "/tmp/sl_vhost_qemu.$$.XXXXXX")
SOCK=$TMP/vhost.sock
SERIAL=$TMP/serial.log
QLOG=$TMP/qemu.log
BLOG=$TMP/backend.log
NS=slvhost$$
TAP=slvt$$
PREFIX=sl_vhost_$$
# DPDK keeps its runtime files in $RUNTIME_DIRECTORY/dpdk/<prefix> (else /var/run/dpdk):
# under $TMP they go with it on every exit, even when testpmd was killed.
export RUNTIME_DIRECTORY=$TMP

# The backend: one function, so swapping it is a one-line change.  BACKEND_ARGS are
# testpmd's (sluice-fwd takes the same).  Runs in $NS, where net_tap makes its tap.
backend_bin() {
	case $BACKEND in
	testpmd) echo dpdk-testpmd ;;
	sluice) echo "$BUILD/app/fwd/sluice-fwd" ;;
	esac
}
BACKEND_BIN=$(backend_bin)
if [ "$SERVER" = qemu ]; then VHOST_VDEV="net_vhost0,iface=$SOCK,client=1"; else
	VHOST_VDEV="net_vhost0,iface=$SOCK"; fi
BACKEND_ARGS=(--no-pci --no-huge -m 512 -l 0-1 --file-prefix "$PREFIX"
	--vdev "$VHOST_VDEV" --vdev "net_tap0,iface=$TAP"
	-- --forward-mode=io --auto-start --stats-period 1 --total-num-mbufs 8192)
backend_start() {
	timeout -s KILL 150 ip netns exec "$NS" "$BACKEND_BIN" "${BACKEND_ARGS[@]}" \
		</dev/null >"$BLOG" 2>&1 &
	BPID=$!
	PIDS+=("$BPID")
}

# QEMU: vhost-user needs the guest's memory shared (memfd, share=on) with the backend.
# -nodefaults: no NIC, VGA or disk but ours; romfile= : no PXE ROM for the NIC.
# vectors=0: no MSI-X, the NIC uses INTx.  Debian's QEMU 7.2 under TCG (no irqfd) segfaults
# in vhost_net_start -> msix_set_vector_notifiers as soon as the guest driver sets
# DRIVER_OK on an MSI-X virtio-net-pci with a vhost-user netdev (seen with -cpu max and
# qemu64, qboot and SeaBIOS alike); with INTx the vhost start needs no vector notifiers.
qemu_start() {
	local chardev="socket,id=chr0,path=$SOCK" bios=()
	if [ "$SERVER" = qemu ]; then chardev+=",server=on,wait=off"; fi
	case ${QEMU_BIOS:-} in
	default) ;;
	"") [ -r /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom) ;;
	*) bios=(-bios "$QEMU_BIOS") ;;
	esac
	QEMU_T0=$(now)
	timeout -s KILL $((BOOT_TIMEOUT + 30)) nice -n "${QEMU_NICE:-10}" qemu-system-x86_64 \
		-accel tcg -cpu max -smp 1 -m 256M "${bios[@]}" \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-nodefaults -no-user-config -display none -vga none -no-reboot \
		-serial "file:$SERIAL" -monitor none \
		-kernel "$GUEST_KERNEL" -initrd "$TMP/initrd.gz" \
		-append "$(qemu_cmdline "sl_ip=$GUEST_IP/24" "sl_peer=$HOST_IP" "sl_count=$COUNT" sl_tries=4)" \
		-chardev "$chardev" -netdev type=vhost-user,id=net0,chardev=chr0 \
		-device "virtio-net-pci,netdev=net0,mac=$GUEST_MAC,romfile=,vectors=0" \
		</dev/null >"$QLOG" 2>&1 &
	QPID=$!
	PIDS+=("$QPID")
}

# lib.sh's fail, after the tails of the serial, QEMU and backend logs.
fail_logs() {
	local f
	# (the backend's shutdown chatter left out)
	for f in "$SERIAL" "$QLOG" "$BLOG"; do
		[ -s "$f" ] || continue
		echo "=== tail of $f"
		tr -d '\r' <"$f" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' |
			grep -avE '^ *$|^(Stopping|Closing|Shutting|Done|Bye|Primary: Sending)|^Port [0-9]+ is closed' |
			tail -n 30 || true
	done
	echo "=== after $(since "$T0") s"
	fail "$@"
}

# Stops the backend with SIGINT (testpmd prints its statistics) and waits for it.
backend_stop() {
	kill -INT "$BPID" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$BPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$BPID" 2>/dev/null || true
	reap "$BPID" || true
}

echo "guest: $GUEST_KERNEL; backend: $BACKEND ($BACKEND_BIN); vhost-user server: $SERVER"
if [ "$BACKEND" = sluice ]; then
	[ -x "$BACKEND_BIN" ] || skip "$BACKEND_BIN is not built"
	# Does sluice-fwd know net_vhost?  A key no driver has: a known driver refuses the
	# key, an unknown one is "no such driver" (port creation looks the driver up first;
	# --help would exit before any port is made).
	probe=$(timeout -s KILL 10 "$BACKEND_BIN" --no-pci --no-huge -l 0 --file-prefix "${PREFIX}_p" \
		--vdev "net_vhost0,sl_probe_no_such_key=1" -- --duration 0.1 </dev/null 2>&1) || true
	if grep -q "no such driver" <<<"$probe"; then
		echo "$probe" | tail -n 3
		fail "sluice-fwd has no net_vhost driver yet (VHOST_BACKEND=testpmd runs this test with dpdk-testpmd)"
	fi
else
	command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd is not installed (apt-get install dpdk)"
fi

# --- the guest's initramfs (virtio_pci: the NIC is a PCI device) ---
qemu_initramfs "$TMP/ramfs" "$TMP/initrd.gz" virtio_net virtio_pci ||
	fail "cannot build the initramfs from /lib/modules/$GUEST_KVER and /bin/busybox"
echo "initramfs: $(ls "$TMP/ramfs/root/lib/modules" | tr '\n' ' ')($(du -k "$TMP/initrd.gz" | cut -f1) KiB, $(since "$T0") s)"

# --- the host side: a namespace of its own for the tap and its address ---
SL_NETNS+=("$NS") # deleted on every exit, with the tap the backend makes in it
ip netns add "$NS" || fail "cannot create netns $NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS" ip link set lo up

# --- start both ends; the listening one first ---
wait_sock() {
	for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
	return 1
}
if [ "$SERVER" = qemu ]; then
	qemu_start
	# QEMU listens, then waits (vhost-user netdevs wait for their backend even with
	# wait=off) until the backend connects before the guest starts.
	wait_sock || fail_logs "QEMU did not create $SOCK"
	backend_start
else
	backend_start
	wait_sock || fail_logs "$BACKEND did not create $SOCK"
	qemu_start
fi

# The tap appears once the backend has made its ports; the kernel side gets the address.
for i in $(seq 150); do
	ip -n "$NS" link show "$TAP" >/dev/null 2>&1 && break
	kill -0 "$BPID" 2>/dev/null || fail_logs "$BACKEND exited early"
	[ "$i" -lt 150 ] || fail_logs "$BACKEND did not create tap $TAP within 15 s"
	sleep 0.1
done
ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP" || fail_logs "cannot give $TAP $HOST_IP"
ip -n "$NS" link set dev "$TAP" up || fail_logs "cannot bring $TAP up"
echo "tap $TAP ($HOST_IP) up in netns $NS at $(since "$QEMU_T0") s after QEMU started"

# --- wait for the guest's verdict ---
marker=
deadline=$((SECONDS + BOOT_TIMEOUT))
while [ $SECONDS -lt $deadline ]; do
	marker=$(tr -d '\r' 2>/dev/null <"$SERIAL" | grep -aoE "GUEST-(PING-OK|PING-FAIL|SETUP-FAIL).*" | head -n 1) || true
	[ -n "$marker" ] && break
	kill -0 "$QPID" 2>/dev/null || break
	kill -0 "$BPID" 2>/dev/null || fail_logs "$BACKEND exited while the guest booted"
	sleep 0.1
done
BOOT_TO_PING=$(since "$QEMU_T0")
if [ -z "$marker" ]; then
	if kill -0 "$QPID" 2>/dev/null; then
		fail_logs "no marker from the guest within $BOOT_TO_PING s (QEMU still running)"
	fi
	qrc=0
	reap "$QPID" || qrc=$?
	fail_logs "QEMU exited (status $qrc) after $BOOT_TO_PING s with no marker from the guest"
fi
echo "guest: $marker"
echo "boot-to-ping: $BOOT_TO_PING s (QEMU start to the guest's marker)"

# The guest powers off by itself after the marker.
for _ in $(seq 100); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$QPID" 2>/dev/null; then kill "$QPID"; fi
qrc=0
reap "$QPID" || qrc=$?
backend_stop
case $marker in GUEST-PING-OK*) ;; *) fail_logs "the guest could not ping $HOST_IP: $marker" ;; esac
[ "$qrc" = 0 ] || fail_logs "QEMU exited with status $qrc"

# The backend's own account: the port statistics it prints when stopped.
clean_blog() { tr -d '\r' <"$BLOG" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }
if [ "$BACKEND" = testpmd ]; then
	feat=$(clean_blog | grep -aoiE "negotiated Virtio features: *0x[0-9a-f]+" | tail -n 1) || true
	[ -z "$feat" ] || echo "testpmd: $feat"
	# The forward statistics testpmd prints when stopped, per port: lines with RX-total.
	stats=$(clean_blog | awk '/Forward statistics for port/ { p = $0; sub(/.*for port */, "", p); sub(/[^0-9].*/, "", p); next }
		/statistics/ { p = "" }
		/RX-packets:.*RX-total/ && p != "" { rx[p] = $2 }
		/TX-packets:.*TX-total/ && p != "" { tx[p] = $2 }
		END { printf "%s %s %s %s", rx["0"], tx["0"], rx["1"], tx["1"] }')
	read -r rx0 tx0 rx1 tx1 <<<"$stats"
	echo "testpmd: port 0 (vhost) rx ${rx0:-?} tx ${tx0:-?}; port 1 (tap) rx ${rx1:-?} tx ${tx1:-?}"
	if [ "${rx0:-0}" -eq 0 ] || [ "${rx1:-0}" -eq 0 ]; then
		fail_logs "testpmd did not forward both ways (vhost rx ${rx0:-?}, tap rx ${rx1:-?})"
	fi
else
	# sluice-fwd's final report: "  port 0 net_vhost0: rx 6 (...), tx 6 (...)".  The ping
	# itself already proves both ways; these counts are shown, and checked when present.
	rx0=$(clean_blog | sed -n 's/^ *port 0 [^:]*: rx \([0-9]*\).*/\1/p' | tail -n 1)
	rx1=$(clean_blog | sed -n 's/^ *port 1 [^:]*: rx \([0-9]*\).*/\1/p' | tail -n 1)
	echo "sluice-fwd: port 0 (vhost) rx ${rx0:-?}; port 1 (tap) rx ${rx1:-?}"
	if [ "${rx0:-1}" -eq 0 ] || [ "${rx1:-1}" -eq 0 ]; then
		fail_logs "sluice-fwd did not forward both ways (vhost rx $rx0, tap rx $rx1)"
	fi
fi
echo "total: $(since "$T0") s"
echo "PASS: guest $GUEST_IP pinged $HOST_IP through $BACKEND (vhost-user, $SERVER listening): $marker"
