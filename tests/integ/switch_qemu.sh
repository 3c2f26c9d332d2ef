#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# switch_qemu.sh BUILD_DIR: a QEMU guest (TCG) on a vhost-user port of sluice-switch pings a
# kernel host on an af_packet port of the same bridge.
#   guest eth0 (virtio-net-pci, 192.168.78.2) == vhost-user socket (the switch listens,
#   $TMP/vhost.sock) == port net_vhost0  <-br0, VLAN 1->  port net_af_packet1 == veth
#   sq0 <-> e0 in netns H (192.168.78.1, the kernel answers)
# The guest is qemu_lib.sh's: the host's kernel and an initramfs whose /init pings the
# host and prints GUEST-PING-OK n/n (or GUEST-PING-FAIL) on the serial console.
# Checked:
#   1. the guest's marker says every one of its COUNT pings was answered;
#   2. `fdb show` lists the guest's MAC on the vhost port and the host's MAC on the veth
#      port, both in VLAN 1 of br0;
#   3. the host learned the guest's MAC for the guest's address (ARP went through);
#   4. the switch's accounting adds up (rx == forwarded + flooded + ingress drops,
#      outputs == sent + tx drops) and its rx counted packets from the guest;
#   5. sluice-switch exits 0 on SIGTERM.
# Environment: GUEST_KERNEL, QEMU_BIOS, BOOT_TIMEOUT (default 90), QEMU_NICE (default 10),
# as vhost_qemu.sh.  Needs root; exits 77 when something is missing (QEMU, a static
# busybox, a kernel, net_vhost in this build).  Every wait is bounded; the trap removes the
# namespaces, kills what it started and deletes $TMP on every exit path.
set -euo pipefail

BUILD=$(cd "${1:?usage: switch_qemu.sh BUILD_DIR}" && pwd)
SW=$BUILD/app/switch/sluice-switch
CTL=$BUILD/app/switch/sluice-switchctl
BOOT_TIMEOUT=${BOOT_TIMEOUT:-90}
GUEST_IP=192.168.78.2
HOST_IP=192.168.78.1
GUEST_MAC=52:54:00:5c:a1:02
COUNT=5

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/qemu_lib.sh"

T0=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

need_root
for t in qemu-system-x86_64 timeout ip nice awk gzip python3; do
	command -v "$t" >/dev/null ||
		skip "$t is not installed (apt-get install qemu-system-x86 coreutils iproute2 gzip python3)"
done
[ -x "$SW" ] && [ -x "$CTL" ] || skip "$SW is not built (it needs libjansson-dev)"
applets=$(/bin/busybox --list 2>/dev/null) || applets=
ldd_says=$(LC_ALL=C ldd /bin/busybox 2>&1) || true
if ! grep -qx insmod <<<"$applets" || ! grep -q "not a dynamic executable" <<<"$ldd_says"; then
	skip "no static /bin/busybox with insmod (apt-get install busybox-static)"
fi
qemu_find_kernel

TMP=$(mktemp -d "/tmp/sl_switch_qemu.$$.XXXXXX")
SOCK=$TMP/vhost.sock
CSOCK=$TMP/switch.sock
SERIAL=$TMP/serial.log
QLOG=$TMP/qemu.log
SLOG=$TMP/switch.log
SNS=slswq$$ # the switch's namespace (its veth end)
HNS=slswqh$$ # the host's
PREFIX=sl_swq_$$
export RUNTIME_DIRECTORY=$TMP

fail_logs() {
	local f
	for f in "$SERIAL" "$QLOG" "$SLOG" "$TMP"/*.out; do
		[ -s "$f" ] || continue
		echo "=== tail of $f"
		tr -d '\r' <"$f" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^ *$' | tail -n 30 || true
	done
	echo "=== after $(since "$T0") s"
	fail "$@"
}
swctl() { timeout 10 ip netns exec "$SNS" "$CTL" -s "$CSOCK" "$@"; }
# one value from a command's JSON reply, by a Python expression on its data `d`
jget() {
	local expr=$1 out
	shift
	out=$(swctl --json "$@") || return 1
	python3 -c "import json,sys; d=json.load(sys.stdin); print($expr)" <<<"$out"
}

# --- the guest's initramfs ---
qemu_initramfs "$TMP/ramfs" "$TMP/initrd.gz" virtio_net virtio_pci ||
	fail "cannot build the initramfs from /lib/modules/$GUEST_KVER and /bin/busybox"
echo "guest: $GUEST_KERNEL, initramfs $(du -k "$TMP/initrd.gz" | cut -f1) KiB ($(since "$T0") s)"

# --- the host: a veth from the switch's namespace to its own ---
veth_pair "$SNS" "$HNS" sq0 e0
ip -n "$HNS" addr add "$HOST_IP/24" dev e0 || fail "cannot give e0 $HOST_IP"
HOST_MAC=$(ip netns exec "$HNS" cat /sys/class/net/e0/address)

# --- the switch: port 0 the vhost-user server, port 1 the veth ---
timeout -s KILL $((BOOT_TIMEOUT + 90)) ip netns exec "$SNS" nice -n "${QEMU_NICE:-10}" "$SW" \
	--no-huge -l 0-1 --file-prefix "$PREFIX" \
	--vdev "net_vhost0,iface=$SOCK" --vdev net_af_packet1,iface=sq0 -- --socket "$CSOCK" \
	</dev/null >"$SLOG" 2>&1 &
SPID=$!
PIDS+=("$SPID")
for i in $(seq 100); do
	grep -aq "control socket" "$SLOG" && break
	if ! kill -0 "$SPID" 2>/dev/null; then
		grep -q "no such driver" "$SLOG" && skip "this build has no net_vhost: $(tail -n 1 "$SLOG")"
		fail_logs "sluice-switch exited at start"
	fi
	[ "$i" -lt 100 ] || fail_logs "sluice-switch did not start within 10 s"
	sleep 0.1
done
[ -S "$SOCK" ] || fail_logs "sluice-switch did not create the vhost-user socket $SOCK"
port_of() { jget "[p['port'] for p in d if p['name'] == '$1'] or ['none']" port show | tr -d "[]' "; }
VPORT=$(port_of net_vhost0) APORT=$(port_of net_af_packet1)
echo "switch: net_vhost0 is port $VPORT, net_af_packet1 (sq0) is port $APORT"
case "$VPORT$APORT" in *none* | "") fail_logs "port show lacks a port: vhost $VPORT, af_packet $APORT" ;; esac

# --- the guest: QEMU connects to the switch's socket ---
bios=()
case ${QEMU_BIOS:-} in
default) ;;
"") [ -r /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom) ;;
*) bios=(-bios "$QEMU_BIOS") ;;
esac
QEMU_T0=$(now)
# (vectors=0: INTx, see vhost_qemu.sh for the MSI-X crash of QEMU 7.2 under TCG)
timeout -s KILL $((BOOT_TIMEOUT + 30)) nice -n "${QEMU_NICE:-10}" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 1 -m 256M "${bios[@]}" \
	-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
	-nodefaults -no-user-config -display none -vga none -no-reboot \
	-serial "file:$SERIAL" -monitor none \
	-kernel "$GUEST_KERNEL" -initrd "$TMP/initrd.gz" \
	-append "$(qemu_cmdline "sl_ip=$GUEST_IP/24" "sl_peer=$HOST_IP" "sl_count=$COUNT" sl_tries=4)" \
	-chardev "socket,id=chr0,path=$SOCK" -netdev type=vhost-user,id=net0,chardev=chr0 \
	-device "virtio-net-pci,netdev=net0,mac=$GUEST_MAC,romfile=,vectors=0" \
	</dev/null >"$QLOG" 2>&1 &
QPID=$!
PIDS+=("$QPID")

# --- 1. the guest's verdict ---
marker=
deadline=$((SECONDS + BOOT_TIMEOUT))
while [ $SECONDS -lt $deadline ]; do
	marker=$(tr -d '\r' 2>/dev/null <"$SERIAL" | grep -aoE "GUEST-(PING-OK|PING-FAIL|SETUP-FAIL).*" | head -n 1) || true
	[ -n "$marker" ] && break
	kill -0 "$QPID" 2>/dev/null || break
	kill -0 "$SPID" 2>/dev/null || fail_logs "sluice-switch exited while the guest booted"
	sleep 0.2
done
BOOT_TO_PING=$(since "$QEMU_T0")
[ -n "$marker" ] || fail_logs "no marker from the guest within $BOOT_TO_PING s"
echo "1. guest: $marker (boot to marker $BOOT_TO_PING s)"
got=$(sed -n 's/^GUEST-PING-OK \([0-9]*\)\/\([0-9]*\) .*/\1 \2/p' <<<"$marker")
[ "$got" = "$COUNT $COUNT" ] || fail_logs "the guest did not get $COUNT/$COUNT replies: $marker"

# The guest powers off by itself after the marker (QEMU exits 0); the FDB keeps what it
# learned (aging 300 s), so it is read after.
for _ in $(seq 100); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$QPID" 2>/dev/null; then kill "$QPID"; fi
qrc=0
reap "$QPID" || qrc=$?
[ "$qrc" = 0 ] || fail_logs "QEMU exited with status $qrc"

# --- 2. the FDB ---
swctl fdb show >"$TMP/fdb.out" || fail_logs "fdb show failed"
fdb_where() { jget "' '.join('%s:%s:%s' % (e['bridge'], e['vlan'], e['port']) for e in d if e['mac'] == '$1') or 'none'" fdb show; }
gw=$(fdb_where "$GUEST_MAC") hw=$(fdb_where "$HOST_MAC")
echo "2. fdb: guest $GUEST_MAC at $gw, host $HOST_MAC at $hw (bridge:vlan:port)"
[ "$gw" = "br0:1:$VPORT" ] || fail_logs "the guest's MAC is at '$gw', want br0:1:$VPORT (the vhost port)"
[ "$hw" = "br0:1:$APORT" ] || fail_logs "the host's MAC is at '$hw', want br0:1:$APORT (the veth port)"

# --- 3. the host's neighbour entry for the guest ---
neigh=$(ip -n "$HNS" neigh show "$GUEST_IP" dev e0)
echo "3. host neighbour: $neigh"
grep -qi "lladdr $GUEST_MAC" <<<"$neigh" || fail_logs "the host has no ARP entry $GUEST_IP -> $GUEST_MAC: '$neigh'"

# --- 4. accounting ---
swctl stats >"$TMP/stats.out" || fail_logs "stats failed"
cat "$TMP/stats.out"
bal=$(jget '(lambda t: "%d %d %d" % (t["rx"] - t["forwarded"] - t["flooded"] - sum(v for k, v in t["drops"].items() if k not in ("tx_full", "copy_nombuf")), t["outputs"] - t["sent"] - t["drops"]["tx_full"] - t["drops"]["copy_nombuf"], t["forwarded"]))(d["total"])' stats)
read -r rx_left out_left fwd <<<"$bal"
vrx=$(jget "[p['rx'] for p in d if p['port'] == $VPORT][0]" port show)
echo "4. unaccounted: rx $rx_left, outputs $out_left; forwarded $fwd; vhost port rx $vrx"
[ "$rx_left" = 0 ] && [ "$out_left" = 0 ] || fail_logs "counts do not add up: rx $rx_left, outputs $out_left left over"
# COUNT echo requests and COUNT replies are known unicasts once both ends are learned
[ "$fwd" -ge $((2 * COUNT)) ] || fail_logs "forwarded $fwd, want at least $((2 * COUNT))"
[ "$vrx" -ge "$COUNT" ] || fail_logs "the vhost port received $vrx packets, want at least $COUNT"

# --- 5. a clean exit ---
kill -TERM "$SPID"
for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
src=0
reap "$SPID" || src=$?
[ "$src" = 0 ] || fail_logs "sluice-switch exited $src on SIGTERM"
echo "5. sluice-switch exited 0 on SIGTERM"
echo "total: $(since "$T0") s"
echo "PASS: guest $GUEST_IP pinged $HOST_IP through sluice-switch (vhost-user <-> af_packet): $marker"
