#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# io forwarding on one worker core, 64-byte packets: sluice-fwd vs dpdk-testpmd (Debian's
# dpdk-dev), on two kinds of port pair:
#   null   net_null0 <-> net_null1 (rx allocates, tx frees; DPDK's null frees one by one)
#   ring   net_ring0 <-> net_ring1, each queue looping back, primed with --tx-first (both
#          sides move the same 2 x 32 packets through rings: the fairest pair here)
# The sides alternate RUNS times (default 3), SECS seconds each (default 8).  Rate =
# packets received per second on port 0, from the periodic reports after the first one
# (warm-up); the table shows medians over all runs.  BEFORE=DIR adds a third side, the
# sluice-fwd of another build (DIR/app/fwd/sluice-fwd), for before/after comparisons.
#   bench/fwd/compare.sh BUILD_DIR           CASES="null ring" (default both)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-8}
cases=${CASES:-null ring}
fwd=$build/app/fwd/sluice-fwd
[ -x "$fwd" ] || { echo "compare.sh: $fwd not built (ninja -C $build)" >&2; exit 1; }
before=
if [ -n "${BEFORE:-}" ]; then
  before=$BEFORE/app/fwd/sluice-fwd
  [ -x "$before" ] || { echo "compare.sh: BEFORE: $before not built" >&2; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_dpdk=0
command -v dpdk-testpmd >/dev/null && have_dpdk=1 ||
  echo "compare.sh: dpdk-testpmd not found (apt-get install dpdk-dev); Sluice figures only" >&2

# "  port 0 net_null0      rx   42.260 Mpps ... Gbit/s ..." -> pps, skipping the first
# report; the end-of-run totals ("port 0 net_null0: rx N (...)") are not rates.
sluice_rates() { awk '/^\[ *[0-9.]+s\]/ { n++ } n > 1 && /^  port 0 .* Gbit\/s/ { print $5 * 1e6 }' "$1"; }

run_sluice() { # BINARY CASE OUT
  local extra=
  [ "$2" = ring ] && extra=--tx-first
  "$1" --no-huge -l 0-1 --file-prefix bench-fwd-$$ --vdev net_${2}0 --vdev net_${2}1 -- \
    --forward-mode io $extra --duration "$secs" --stats-period 1 >"$3" 2>&1
}

run_dpdk() { # CASE OUT
  local extra=
  [ "$1" = ring ] && extra=--tx-first
  timeout -s INT $((secs + 3)) dpdk-testpmd --no-huge -m 256 -l 0-1 --no-pci \
    --file-prefix bench-fwd-$$ --vdev net_${1}0 --vdev net_${1}1 -- --forward-mode=io \
    --auto-start $extra --stats-period 1 --nb-cores=1 --total-num-mbufs=16384 >"$2" 2>&1 || true
  # Port 0's "Rx-pps:" lines (two ports per report), skipping the first two reports.
  awk '/Rx-pps:/ { n++; if (n % 2 == 1 && n > 4) print $2 }' "$2" >>"$tmp/dp.$1"
}

for i in $(seq "$runs"); do
  for c in $cases; do
    echo "run $i/$runs, $c: sluice-fwd" >&2
    run_sluice "$fwd" "$c" "$tmp/sl.$c.$i"
    sluice_rates "$tmp/sl.$c.$i" >>"$tmp/sl.$c"
    if [ -n "$before" ]; then
      echo "run $i/$runs, $c: sluice-fwd (BEFORE)" >&2
      run_sluice "$before" "$c" "$tmp/bf.$c.$i"
      sluice_rates "$tmp/bf.$c.$i" >>"$tmp/bf.$c"
    fi
    if [ $have_dpdk = 1 ]; then
      echo "run $i/$runs, $c: dpdk-testpmd" >&2
      run_dpdk "$c" "$tmp/dp.$c.$i"
    fi
  done
done

echo "io forwarding, 1 worker core, 64 B, $(machine); medians of the 1 s reports of $runs runs x ${secs} s"
echo
if [ -n "$before" ]; then
  echo "| case | Sluice Mpps/port | before Mpps/port | DPDK Mpps/port | Sluice/before | Sluice/DPDK |"
  echo "|---|---:|---:|---:|---:|---:|"
else
  echo "| case | Sluice Mpps/port | DPDK Mpps/port | ratio (Sluice/DPDK) |"
  echo "|---|---:|---:|---:|"
fi
for c in $cases; do
  sl=$(median "$tmp/sl.$c")
  dp=0
  [ -s "$tmp/dp.$c" ] && dp=$(median "$tmp/dp.$c")
  ds=-; rd=-
  if [ "$dp" != 0 ]; then
    ds=$(awk -v d="$dp" 'BEGIN { printf "%.2f", d / 1e6 }')
    rd=$(awk -v s="$sl" -v d="$dp" 'BEGIN { printf "%.2f", s / d }')
  fi
  if [ -n "$before" ]; then
    bf=$(median "$tmp/bf.$c")
    awk -v c="$c" -v s="$sl" -v b="$bf" -v ds="$ds" -v rd="$rd" 'BEGIN {
      printf "| io, %s <-> %s | %.2f | %.2f | %s | %.2f | %s |\n", c, c, s / 1e6, b / 1e6, ds, s / b, rd }'
  else
    awk -v c="$c" -v s="$sl" -v ds="$ds" -v rd="$rd" 'BEGIN {
      printf "| io, %s <-> %s | %.2f | %s | %s |\n", c, c, s / 1e6, ds, rd }'
  fi
done
