#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# memif throughput, one sender process (txonly, core 0) and one receiver process (rxonly,
# core 1) on one socket: Sluice->Sluice, DPDK->DPDK (dpdk-testpmd), DPDK->Sluice and
# Sluice->DPDK, with 64- and 1500-byte frames.  The receiver is the memif server (started
# first), the sender the client.  Rate = packets per second the receiver got, medians of its
# 1 s reports after the first two (connection and warm-up), over RUNS runs (default 3) of
# SECS seconds (default 6).
# sluicezc is Sluice as a zero-copy client (zero-copy=yes): the sender's packet buffers are
# the memif buffers, the receiver copies.
#   bench/memif/compare.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../two_process.sh"
build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-6}
two_process_setup "$build" memif.sock "Sluice->Sluice"
# side role size out: start one process in the background.
start() {
  local side=$1 role=$2 size=$3 out=$4 mode core main
  if [ "$role" = server ]; then mode=rxonly core=1 main=0; else mode=txonly core=0 main=1; fi
  if [ "$side" = sluice ] || [ "$side" = sluicezc ]; then
    local zc=""
    [ "$side" = sluicezc ] && zc=",zero-copy=yes"
    timeout -s INT $((secs + 5)) "$fwd" --no-huge -l $core \
      --file-prefix "bench-memif-$role-$$" \
      --vdev "net_memif0,role=$role,socket=$sock,socket-abstract=no$zc" -- --forward-mode $mode \
      --txpkts "$size" --stats-period 1 >"$out" 2>&1 &
  else
    # testpmd: forwarding on $core, its main thread (sleeping between reports) on the other.
    timeout -s INT $((secs + 4)) dpdk-testpmd --no-huge -m 256 -l 0-1 --main-lcore $main \
      --no-pci --file-prefix "bench-memif-$role-$$" \
      --vdev "net_memif0,role=$role,socket=$sock,socket-abstract=no" -- \
      --forward-mode=$mode --txpkts="$size" --auto-start --stats-period 1 --nb-cores=1 \
      --total-num-mbufs=8192 >"$out" 2>&1 &
  fi
  pids+=($!)
}
rx_rates() { # side file
  if [ "$1" = sluice ]; then
    awk '/^\[ *[0-9.]+s\]/ { n++ } n > 2 && /^  port 0 .* Gbit\/s/ { print $5 * 1e6 }' "$2"
  else
    awk '$1 == "Rx-pps:" { n++; if (n > 3) print $2 }' "$2"
  fi
}

pairs="sluice:sluice sluicezc:sluice"
[ $have_dpdk = 1 ] && pairs="$pairs dpdk:dpdk dpdk:sluice sluice:dpdk sluicezc:dpdk"
for i in $(seq "$runs"); do
  for size in 64 1500; do
    for pair in $pairs; do
      tx=${pair%%:*} rx=${pair##*:}
      echo "run $i/$runs: $tx -> $rx, $size B" >&2
      rm -f "$sock"
      start "$rx" server "$size" "$tmp/rx.out"
      sleep 1.5
      start "$tx" client "$size" "$tmp/tx.out"
      wait "${pids[@]}" 2>/dev/null || true
      pids=()
      rx_rates "$rx" "$tmp/rx.out" >"$tmp/run"
      cat "$tmp/run" >>"$tmp/$tx-$rx-$size"
      median "$tmp/run" >>"$tmp/$tx-$rx-$size.runs"
      [ "$tx" = sluicezc ] && { grep -q "zero-copy: 1 pool(s) shared" "$tmp/tx.out" ||
        echo "compare.sh: $tx -> $rx did not run zero-copy" >&2; }
    done
  done
done

echo "memif, txonly client -> rxonly server, medians of the receiver's 1 s reports, $runs runs x ${secs} s"
echo
echo "| sender -> receiver | 64 B Mpps | 1500 B Mpps | 64 B vs DPDK->DPDK | 1500 B vs DPDK->DPDK |"
echo "|---|---:|---:|---:|---:|"
for pair in $pairs; do
  tx=${pair%%:*} rx=${pair##*:}
  s64=$(median "$tmp/$tx-$rx-64") s1500=$(median "$tmp/$tx-$rx-1500") d64=0 d1500=0
  if [ $have_dpdk = 1 ]; then
    d64=$(median "$tmp/dpdk-dpdk-64") d1500=$(median "$tmp/dpdk-dpdk-1500")
  fi
  name="$tx -> $rx"; name=${name//sluicezc/sluice (zero-copy)}
  echo "| $name | $(mpps "$s64") | $(mpps "$s1500") | $(ratio "$s64" "$d64") | $(ratio "$s1500" "$d1500") |"
done
# On the 2-vCPU VM this was written on a row's rate jumps 2-4x between runs (two modes,
# DPDK->DPDK too); the per-run medians show it.
echo
echo "Per-run medians (Mpps), runs in order:"
echo
for size in 64 1500; do
  for pair in $pairs; do
    tx=${pair%%:*} rx=${pair##*:}
    name="$tx -> $rx"; name=${name//sluicezc/sluice (zero-copy)}
    printf '%-28s %5s B:' "$name" "$size"
    awk '{ printf " %.2f", $1 / 1e6 } END { print "" }' "$tmp/$tx-$rx-$size.runs"
  done
done
