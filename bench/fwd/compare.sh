#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# io forwarding between two null ports on one worker core, 64-byte packets:
# sluice-fwd vs dpdk-testpmd (Debian's dpdk-dev), alternately RUNS times (default 3),
# SECS seconds each (default 8).  Rate = packets received per second per port, from the
# periodic reports after the first one (warm-up); the table shows medians over all runs.
#   bench/fwd/compare.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-8}
fwd=$build/app/fwd/sluice-fwd
[ -x "$fwd" ] || { echo "compare.sh: $fwd not built (ninja -C $build)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_dpdk=0
command -v dpdk-testpmd >/dev/null && have_dpdk=1 ||
  echo "compare.sh: dpdk-testpmd not found (apt-get install dpdk-dev); Sluice figures only" >&2

for i in $(seq "$runs"); do
  echo "run $i/$runs: sluice-fwd" >&2
  "$fwd" --no-huge -l 0-1 --file-prefix bench-fwd-$$ --vdev net_null0 --vdev net_null1 -- \
    --forward-mode io --duration "$secs" --stats-period 1 >"$tmp/sl.$i" 2>&1
  # "  port 0 net_null0      rx   42.260 Mpps ... Gbit/s ..." -> pps, skipping the first
  # report; the end-of-run totals ("port 0 net_null0: rx N (...)") are not rates.
  awk '/^\[ *[0-9.]+s\]/ { n++ } n > 1 && /^  port 0 .* Gbit\/s/ { print $5 * 1e6 }' "$tmp/sl.$i" >>"$tmp/sl"
  if [ $have_dpdk = 1 ]; then
    echo "run $i/$runs: dpdk-testpmd" >&2
    timeout -s INT $((secs + 3)) dpdk-testpmd --no-huge -m 256 -l 0-1 --no-pci \
      --file-prefix bench-fwd-$$ --vdev net_null0 --vdev net_null1 -- --forward-mode=io \
      --auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384 >"$tmp/dp.$i" 2>&1 || true
    # Port 0's "Rx-pps:" lines (two ports per report), skipping the first two reports.
    awk '/Rx-pps:/ { n++; if (n % 2 == 1 && n > 4) print $2 }' "$tmp/dp.$i" >>"$tmp/dp"
  fi
done

sl=$(median "$tmp/sl")
echo "io forwarding, 2 null ports, 1 worker core, 64 B; medians of the 1 s reports of $runs runs x ${secs} s"
echo
echo "| case | Sluice Mpps/port | DPDK Mpps/port | ratio (Sluice/DPDK) |"
echo "|---|---:|---:|---:|"
if [ $have_dpdk = 1 ] && [ -s "$tmp/dp" ]; then
  dp=$(median "$tmp/dp")
  awk -v s="$sl" -v d="$dp" 'BEGIN { printf "| io, null <-> null | %.2f | %.2f | %.2f |\n", s / 1e6, d / 1e6, s / d }'
else
  awk -v s="$sl" 'BEGIN { printf "| io, null <-> null | %.2f | - | - |\n", s / 1e6 }'
fi
