#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# af_packet (or, with DRIVER=af_xdp, AF_XDP) on a veth pair, 64-byte packets: Sluice's
# net_<DRIVER> vs DPDK's, same run.
#   txonly: one sender process on core 1 (main thread on core 0, sleeping), into veth a;
#           the kernel drops the frames at veth b.  Rate = packets the port sent per second.
#   rxonly: a Sluice af_packet txonly sender pinned to core 0 in namespace A floods veth a; the
#           receiver under test (core 1) runs rxonly on veth b.  Rate = packets received/s.
# Each case runs RUNS times (default 3) for SECS seconds (default 6), alternating Sluice and
# DPDK; the table shows medians of the 1 s reports after the first one.  SL_DEVARGS adds
# options to Sluice's port under test (e.g. SL_DEVARGS=umem=driver for net_af_xdp).
#   bench/af_packet/compare.sh BUILD_DIR        (root: makes two network namespaces)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-6}
driver=${DRIVER:-af_packet}
dev=net_${driver}0
sl_args=${SL_DEVARGS:+,$SL_DEVARGS}
fwd=$(realpath "$build/app/fwd/sluice-fwd")
[ -x "$fwd" ] || { echo "compare.sh: $fwd not built" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root (network namespaces)" >&2; exit 1; }
have_dpdk=0
command -v dpdk-testpmd >/dev/null && have_dpdk=1 ||
  echo "compare.sh: dpdk-testpmd not found (apt-get install dpdk-dev); Sluice figures only" >&2

ns_a=slbench-a-$$ ns_b=slbench-b-$$
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add va netns "$ns_a" type veth peer name vb netns "$ns_b"
for ns in "$ns_a" "$ns_b"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
done
ip -n "$ns_a" link set va up
ip -n "$ns_b" link set vb up

# Sluice: "  port 0 net_af_packet0 rx X Mpps ... tx Y Mpps" -> X or Y in pps, after warm-up.
sl_rate() { awk -v f="$2" '/^\[ *[0-9.]+s\]/ { n++ } n > 1 && /^  port 0 .* Gbit\/s/ { print $(f) * 1e6 }' "$1"; }
# testpmd: port 0's "Rx-pps:" or "Tx-pps:" lines, after the first two reports.
dp_rate() { awk -v k="$2" '$1 == k { n++; if (n > 2) print $2 }' "$1"; }

sluice() { # ns out lcores args...
  local ns=$1 out=$2 lc=$3; shift 3
  timeout -s INT $((secs + 5)) ip netns exec "$ns" "$fwd" --no-huge -l "$lc" \
    --file-prefix "slbench-$ns-$lc" "$@" >"$out" 2>&1 || true
}
testpmd() { # ns out args...
  local ns=$1 out=$2; shift 2
  timeout -s INT $((secs + 3)) ip netns exec "$ns" dpdk-testpmd --no-huge -m 256 -l 0-1 \
    --no-pci --file-prefix "slbench-dp-$ns" "$@" --auto-start --stats-period 1 --nb-cores=1 \
    --total-num-mbufs=16384 --txpkts=64 >"$out" 2>&1 || true
}
# A background flood into veth a for the rx cases: Sluice txonly on core 0.
flood_start() {
  ip netns exec "$ns_a" "$fwd" --no-huge -l 0 --file-prefix slbench-flood-$$ \
    --vdev net_af_packet0,iface=va -- --forward-mode txonly --stats-period 0 >"$tmp/flood" 2>&1 &
  pids+=($!)
  sleep 1
}
flood_stop() { kill -INT "${pids[-1]}" 2>/dev/null || true; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

: >"$tmp/tx.sl"; : >"$tmp/tx.dp"; : >"$tmp/rx.sl"; : >"$tmp/rx.dp"
for i in $(seq "$runs"); do
  echo "run $i/$runs: txonly" >&2
  sluice "$ns_a" "$tmp/o" 0-1 --vdev "$dev,iface=va$sl_args" -- --forward-mode txonly \
    --duration "$secs" --stats-period 1
  sl_rate "$tmp/o" 10 >>"$tmp/tx.sl"
  if [ $have_dpdk = 1 ]; then
    testpmd "$ns_a" "$tmp/o" --vdev "$dev,iface=va" -- --forward-mode=txonly
    dp_rate "$tmp/o" Tx-pps: >>"$tmp/tx.dp"
  fi
  echo "run $i/$runs: rxonly" >&2
  flood_start
  sluice "$ns_b" "$tmp/o" 1 --vdev "$dev,iface=vb$sl_args" -- --forward-mode rxonly \
    --duration "$secs" --stats-period 1
  sl_rate "$tmp/o" 5 >>"$tmp/rx.sl"
  flood_stop
  if [ $have_dpdk = 1 ]; then
    flood_start
    # testpmd's forwarding core is 1; its main thread on core 0 sleeps between reports.
    testpmd "$ns_b" "$tmp/o" --vdev "$dev,iface=vb" -- --forward-mode=rxonly
    dp_rate "$tmp/o" Rx-pps: >>"$tmp/rx.dp"
    flood_stop
  fi
done

echo "$driver on a veth pair, 64 B, medians of the 1 s reports of $runs runs x ${secs} s"
echo
echo "| case | Sluice Mpps | DPDK Mpps | ratio (Sluice/DPDK) |"
echo "|---|---:|---:|---:|"
for c in tx rx; do
  s=$(median "$tmp/$c.sl")
  d=0
  [ $have_dpdk = 1 ] && d=$(median "$tmp/$c.dp")
  awk -v c="${c}only" -v s="$s" -v d="$d" 'BEGIN {
    if (d > 0) printf "| %s | %.3f | %.3f | %.2f |\n", c, s / 1e6, d / 1e6, s / d
    else printf "| %s | %.3f | - | - |\n", c, s / 1e6 }'
done
