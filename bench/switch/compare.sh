#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# sluice-switch vs OVS-DPDK (Debian's openvswitch-switch-dpdk: a netdev bridge, the
# NORMAL action), each switching between the same two vhost-user ports with one PMD
# thread on core 1.  Traffic: a Sluice virtio_user frontend (sluice-fwd, server=1) sends
# txonly into port 1; another receives rxonly on port 2 (both on core 0); the switch is
# the vhost-user client on both sockets (OVS's dpdkvhostuserclient; net_vhost client=1).
# The receiver never sends, so its MAC is never learned: both switches take the
# unknown-unicast path (flooded to the one other port), learning the sender's MAC on every
# packet.  Rate = packets per second the receiver got (its telemetry ipackets, SECS
# - 3 s apart after 2 s of warm-up); medians of RUNS rounds (default 3) of SECS seconds
# (default 8), the two switches alternating, 64 B frames.  On a 2-core machine the two
# frontends busy-poll on one core and take turns by the scheduler's time slice, so the
# rings fill while one waits: the figures then measure that, not the switches' capacity
# (the ratio is still taken in the same conditions).  Needs root and ~300 MiB of 2 MiB
# hugepages for OVS (reserved and given back).
#   bench/switch/compare.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../two_process.sh"
build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-8}
size=${SIZE:-64}
fwd=$(realpath "$build/app/fwd/sluice-fwd")
swbin=$(realpath "$build/app/switch/sluice-switch")
vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
schema=/usr/share/openvswitch/vswitch.ovsschema
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
for x in "$fwd" "$swbin"; do [ -x "$x" ] || { echo "compare.sh: $x not built" >&2; exit 1; }; done
have_ovs=1
[ -x "$vswitchd" ] || { echo "compare.sh: $vswitchd not installed (apt-get install openvswitch-switch-dpdk); Sluice only" >&2; have_ovs=0; }
tmp=$(mktemp -d)
export RUNTIME_DIRECTORY=$tmp OVS_RUNDIR=$tmp/run OVS_DBDIR=$tmp/db OVS_LOGDIR=$tmp/log OVS_SYSCONFDIR=$tmp/etc
mkdir -p "$OVS_RUNDIR" "$OVS_DBDIR" "$OVS_LOGDIR" "$OVS_SYSCONFDIR"
db=unix:$OVS_RUNDIR/db.sock
pids=() ovs_pids=() hp_added=0 hp_mount=
cleanup() {
  [ -S "$OVS_RUNDIR/ovs-vswitchd.ctl" ] && timeout 5 ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.ctl" exit >/dev/null 2>&1 || true
  [ -S "$OVS_RUNDIR/ovsdb-server.ctl" ] && timeout 5 ovs-appctl -t "$OVS_RUNDIR/ovsdb-server.ctl" exit >/dev/null 2>&1 || true
  for p in "${pids[@]}" "${ovs_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  sleep 0.5
  if [ -n "$hp_mount" ]; then umount "$hp_mount" 2>/dev/null || umount -l "$hp_mount" || true; fi
  if [ "$hp_added" -gt 0 ]; then echo $(($(cat "$hp") - hp_added)) >"$hp" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
vsctl() { timeout 15 ovs-vsctl --db="$db" --timeout=10 "$@"; }

# frontend NAME SOCK MODE: a Sluice virtio_user (server=1) on core 0, in the background
frontend() {
  timeout -s INT $((secs + 8)) "$fwd" --no-huge -l 0 --file-prefix "bsw-$1-$$" \
    --vdev "net_virtio_user0,path=$2,server=1,mac=02:00:00:00:00:0$3" -- --forward-mode "$4" \
    --txpkts "$size" --eth-peer 0,02:00:00:00:00:02 --duration $((secs + 6)) >"$tmp/$1.out" 2>&1 &
  pids+=($!)
}

start_sluice() {
  "$swbin" --no-huge -l 0-1 --file-prefix "bsw-switch-$$" \
    --vdev "net_vhost0,iface=$tmp/vhu1.sock,client=1,reconnect-ms=100" \
    --vdev "net_vhost1,iface=$tmp/vhu2.sock,client=1,reconnect-ms=100" -- \
    --socket "$tmp/sw.sock" >"$tmp/switch.out" 2>&1 &
  pids+=($!)
}

ovs_up() {
  local socket_mem=256
  hp_prev=$(cat "$hp")
  echo $((hp_prev + socket_mem / 2 + 8)) >"$hp"
  hp_added=$(($(cat "$hp") - hp_prev))
  if ! awk '$3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; then
    hp_mount=$tmp/hugepages; mkdir -p "$hp_mount"; mount -t hugetlbfs -o pagesize=2M nodev "$hp_mount"
  fi
  ovsdb-tool create "$OVS_DBDIR/conf.db" "$schema"
  ovsdb-server "$OVS_DBDIR/conf.db" --remote="punix:$OVS_RUNDIR/db.sock" \
    --unixctl="$OVS_RUNDIR/ovsdb-server.ctl" --log-file="$OVS_LOGDIR/ovsdb-server.log" --no-chdir \
    -vconsole:off </dev/null >/dev/null 2>&1 &
  ovs_pids+=($!)
  for _ in $(seq 50); do [ -S "$OVS_RUNDIR/db.sock" ] && break; sleep 0.1; done
  vsctl --no-wait init
  vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
    other_config:dpdk-socket-mem=$socket_mem other_config:dpdk-socket-limit=$socket_mem \
    other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
    other_config:dpdk-extra="--file-prefix bsw-ovs-$$ --no-pci"
  "$vswitchd" "$db" --unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" --log-file="$OVS_LOGDIR/ovs-vswitchd.log" \
    --no-chdir -vconsole:off </dev/null >/dev/null 2>&1 &
  ovs_pids+=($!)
  for _ in $(seq 150); do
    [ "$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] && break
    sleep 0.1
  done
}
# OVS's bridge with the two ports (NORMAL: the default flow of a standalone bridge)
ovs_bridge_add() {
  vsctl add-br bsw -- set bridge bsw datapath_type=netdev \
    -- add-port bsw vhu1 -- set Interface vhu1 type=dpdkvhostuserclient options:vhost-server-path="$tmp/vhu1.sock" \
    -- add-port bsw vhu2 -- set Interface vhu2 type=dpdkvhostuserclient options:vhost-server-path="$tmp/vhu2.sock"
}
ovs_bridge_del() { vsctl del-br bsw; }

[ $have_ovs = 1 ] && ovs_up
sides="sluice"
[ $have_ovs = 1 ] && sides="sluice ovs"
for i in $(seq "$runs"); do
  order=$sides
  [ $((i % 2)) = 0 ] && order=$(echo $sides | tr ' ' '\n' | tac | tr '\n' ' ')
  for side in $order; do
    echo "run $i/$runs: $side, $size B" >&2
    rm -f "$tmp/vhu1.sock" "$tmp/vhu2.sock"
    frontend rx "$tmp/vhu2.sock" 2 rxonly
    frontend tx "$tmp/vhu1.sock" 1 txonly
    sleep 1
    if [ "$side" = sluice ]; then start_sluice; else ovs_bridge_add; fi
    sleep 2
    a=$(ipackets "bsw-rx-$$" 2>/dev/null || echo 0)
    sleep $((secs - 3))
    b=$(ipackets "bsw-rx-$$" 2>/dev/null || echo 0)
    awk -v a="$a" -v b="$b" -v t=$((secs - 3)) 'BEGIN { print (b - a) / t }' >>"$tmp/$side"
    if [ "$side" = ovs ]; then ovs_bridge_del; fi
    stop_pids
  done
done
echo "switching between two vhost-user ports, one PMD thread (core 1), $size B, Sluice"
echo "virtio_user txonly -> switch -> rxonly; $(machine); medians of $runs runs"
echo
echo "| switch | Mpps | vs OVS-DPDK |"
echo "|---|---:|---:|"
s=$(median "$tmp/sluice") o=0
[ $have_ovs = 1 ] && o=$(median "$tmp/ovs")
awk -v s="$s" -v o="$o" 'BEGIN { printf "| sluice-switch | %.3f | %s |\n", s / 1e6, (o > 0 ? sprintf("%.2f", s / o) : "-");
  if (o > 0) printf "| OVS-DPDK (NORMAL) | %.3f | 1.00 |\n", o / 1e6 }'
echo
for side in $sides; do printf '%-8s per run (Mpps):' "$side"; awk '{ printf " %.2f", $1 / 1e6 }' "$tmp/$side"; echo; done
