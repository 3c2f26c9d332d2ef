#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vhost-user throughput: a backend process (net_vhost, the vhost-user server, core 1) and a
# frontend process (net_virtio_user, core 0) on one socket, each Sluice (sluice-fwd) or DPDK
# (dpdk-testpmd): Sluice<->Sluice, DPDK<->DPDK and the two mixed pairs, in both directions
# (the frontend sends with txonly and the backend receives with rxonly, "guest tx"; and the
# other way, "guest rx"), with 64- and 1500-byte frames.  Rate = packets per second the
# receiver got, read twice over its telemetry socket (/ethdev/stats, both sides serve DPDK's
# protocol) SECS - 3 seconds apart after 2 s of warm-up; medians over RUNS runs (default 3)
# of SECS seconds (default 7).  Every pair runs once per round, in the opposite order in
# every other round.  The same counter read the same way on both sides: Sluice serves
# DPDK's telemetry protocol.
#   bench/vhost/compare.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../two_process.sh"
build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-7}
two_process_setup "$build" vhost.sock "Sluice<->Sluice"
export RUNTIME_DIRECTORY=$tmp
# side end mode size out: one process in the background (end: backend or frontend).
start() {
  local side=$1 end=$2 mode=$3 size=$4 out=$5 core main dev
  if [ "$end" = backend ]; then
    core=1 main=0 dev="net_vhost0,iface=$sock"
  else
    core=0 main=1 dev="net_virtio_user0,path=$sock"
  fi
  if [ "$side" = sluice ]; then
    timeout -s INT $((secs + 5)) "$fwd" --no-huge -l $core --file-prefix "bench-vh-$end-$$" \
      --vdev "$dev" -- --forward-mode $mode --txpkts "$size" --duration $((secs + 2)) \
      >"$out" 2>&1 &
  else
    # testpmd: forwarding on $core, its main thread (sleeping between reports) on the other.
    sleep $((secs + 3)) | timeout -s INT $((secs + 4)) dpdk-testpmd --no-huge -m 512 -l 0-1 \
      --main-lcore $main --no-pci --file-prefix "bench-vh-$end-$$" --vdev "$dev" -- \
      --forward-mode=$mode --txpkts="$size" --auto-start --nb-cores=1 \
      --total-num-mbufs=8192 >"$out" 2>&1 &
  fi
  pids+=($!)
}
rx_rate() { # prefix: packets per second over secs - 3 s, after 2 s of warm-up
  local a b
  sleep 2
  a=$(ipackets "$1" 2>/dev/null || echo 0)
  sleep $((secs - 3))
  b=$(ipackets "$1" 2>/dev/null || echo 0)
  awk -v a="$a" -v b="$b" -v t=$((secs - 3)) 'BEGIN { print (b - a) / t }'
}

pairs="sluice:sluice"
[ $have_dpdk = 1 ] && pairs="$pairs dpdk:dpdk dpdk:sluice sluice:dpdk"
for i in $(seq "$runs"); do
  for size in 64 1500; do
    for dir in guest-tx guest-rx; do
      order=$pairs # odd rounds in order, even rounds backwards: no pair always runs first
      [ $((i % 2)) = 0 ] && order=$(echo $pairs | tr ' ' '\n' | tac | tr '\n' ' ')
      for pair in $order; do
        be=${pair%%:*} fe=${pair##*:}
        echo "run $i/$runs: backend $be, frontend $fe, $dir, $size B" >&2
        rm -f "$sock"
        if [ $dir = guest-tx ]; then bm=rxonly fm=txonly rx=$be; else bm=txonly fm=rxonly rx=$fe; fi
        start "$be" backend $bm "$size" "$tmp/be.out"
        sleep 1.5
        start "$fe" frontend $fm "$size" "$tmp/fe.out"
        if [ $dir = guest-tx ]; then rxp=backend; else rxp=frontend; fi
        rx_rate "bench-vh-$rxp-$$" >"$tmp/run"
        stop_pids
        cat "$tmp/run" >>"$tmp/$be-$fe-$dir-$size"
        cat "$tmp/run" >>"$tmp/$be-$fe-$dir-$size.runs"
      done
    done
  done
done

echo "vhost-user, $(machine); the receiver's packets over $((secs - 3)) s (telemetry), medians of $runs runs"
echo "guest tx: frontend txonly -> backend rxonly; guest rx: backend txonly -> frontend rxonly"
echo
echo "| backend / frontend | direction | 64 B Mpps | 1500 B Mpps | 64 B vs DPDK/DPDK | 1500 B vs DPDK/DPDK |"
echo "|---|---|---:|---:|---:|---:|"
for dir in guest-tx guest-rx; do
  for pair in $pairs; do
    be=${pair%%:*} fe=${pair##*:}
    s64=$(median "$tmp/$be-$fe-$dir-64") s1500=$(median "$tmp/$be-$fe-$dir-1500") d64=0 d1500=0
    if [ $have_dpdk = 1 ]; then
      d64=$(median "$tmp/dpdk-dpdk-$dir-64") d1500=$(median "$tmp/dpdk-dpdk-$dir-1500")
    fi
    echo "| $be / $fe | ${dir/-/ } | $(mpps "$s64") | $(mpps "$s1500") | $(ratio "$s64" "$d64") | $(ratio "$s1500" "$d1500") |"
  done
done
echo
echo "Per-run medians (Mpps), runs in order:"
echo
for dir in guest-tx guest-rx; do
  for size in 64 1500; do
    for pair in $pairs; do
      be=${pair%%:*} fe=${pair##*:}
      printf '%-16s %-8s %5s B:' "$be/$fe" "$dir" "$size"
      awk '{ printf " %.2f", $1 / 1e6 } END { print "" }' "$tmp/$be-$fe-$dir-$size.runs"
    done
  done
done
