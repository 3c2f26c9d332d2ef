#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Capturing every packet of a forwarding run to pcapng: `sluice capture` attached to
# sluice-fwd vs `dpdk-dumpcap` attached to dpdk-testpmd (Debian's dpdk-dev), both io
# forwarding between two null ports on one worker core, the capturer taking every packet
# of port 0 (rx and tx) into a pcapng file in a temporary directory.
# Per run (SECS seconds, default 10): the forwarder runs alone for 3 s, then the capturer
# for SECS - 5 s (-a duration).  Figures: packets written per second by the capturer,
# packets it dropped per second, and port 0's rx rate from the forwarder's 1 s reports
# before the capture (baseline) and while it runs.  Medians over RUNS runs (default 3).
# dpdk-dumpcap is a DPDK secondary process: it needs testpmd on hugepages
# (HUGEPAGES=N reserves N 2 MiB pages for the run; without it the DPDK side is skipped:
# with --no-huge, dpdk-dumpcap stops with "EAL: Failed to open shared memory!").
#   bench/capture/compare.sh BUILD_DIR      FWD=BINARY: another sluice-fwd (one that serves
#                                            /sluice/capture)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-10}
dur=$((secs - 5))
fwd=${FWD:-$build/app/fwd/sluice-fwd}
sluice=$build/app/sluice/sluice
[ -x "$fwd" ] || { echo "compare.sh: $fwd not built (ninja -C $build)" >&2; exit 1; }
[ -x "$sluice" ] || { echo "compare.sh: $sluice not built" >&2; exit 1; }
tmp=$(mktemp -d)
# DPDK leaves its runtime directory behind: remove the one testpmd made here.
trap 'hugepages_off; rm -rf "$tmp" "/var/run/dpdk/bench-cap-dp-$$"' EXIT
have_dpdk=0
if ! command -v dpdk-testpmd >/dev/null || ! command -v dpdk-dumpcap >/dev/null; then
  echo "compare.sh: dpdk-testpmd/dpdk-dumpcap not found (apt-get install dpdk-dev); Sluice figures only" >&2
elif [ -z "${HUGEPAGES:-}" ]; then
  echo "compare.sh: dpdk-dumpcap needs testpmd on hugepages (a secondary process maps them); pass HUGEPAGES=512 for the DPDK side" >&2
else
  have_dpdk=1
  hugepages_on "$HUGEPAGES" "$tmp/huge"
fi

# port 0's rx pps from the reports at times in [from, to) seconds
sluice_rx() { # FILE FROM TO
  awk -v a="$2" -v b="$3" '/^\[ *[0-9.]+s\]/ { gsub(/[][s]/, ""); t = $1 + 0 }
    t >= a && t < b && /^  port 0 .* Gbit\/s/ { print $5 * 1e6 }' "$1"
}
# testpmd: port 0's Rx-pps, one report a second (two ports per report)
dpdk_rx() { # FILE FROM TO
  awk -v a="$2" -v b="$3" '/Rx-pps:/ { n++; if (n % 2 == 1) { t = (n + 1) / 2; if (t >= a && t < b) print $2 } }' "$1"
}
# "Packets captured: N, dropped: M" (sluice) / "Packets captured: N" and
# "Packets received/dropped on interface 'x': R/D" (dumpcap)
captured() { sed -n 's/^Packets captured: \([0-9]*\).*/\1/p' "$1" | tail -1; }
dropped() {
  sed -n -e 's/^Packets captured: [0-9]*, dropped: \([0-9]*\)/\1/p' \
    -e "s|^Packets received/dropped on interface .*: [0-9]*/\([0-9]*\).*|\1|p" "$1" | tail -1
}

run_sluice() { # I
  local p=bench-cap-$$
  "$fwd" --no-huge -l 0-1 --file-prefix $p --vdev net_null0 --vdev net_null1 -- \
    --forward-mode io --duration "$secs" --stats-period 1 >"$tmp/slf.$1" 2>&1 &
  local f=$!
  sleep 3
  "$sluice" capture --file-prefix $p -i 0 -q -a duration:$dur -w "$tmp/sl.pcapng" \
    2>"$tmp/slc.$1" || { cat "$tmp/slc.$1" >&2; kill "$f"; wait "$f" || true; return 1; }
  wait "$f" || true
  rm -f "$tmp/sl.pcapng"
  sluice_rx "$tmp/slf.$1" 1 3 >>"$tmp/sl.base"
  sluice_rx "$tmp/slf.$1" 4 $((3 + dur)) >>"$tmp/sl.during"
  echo $(($(captured "$tmp/slc.$1") / dur)) >>"$tmp/sl.cap"
  echo $(($(dropped "$tmp/slc.$1") / dur)) >>"$tmp/sl.drop"
}

run_dpdk() { # I
  local p=bench-cap-dp-$$
  timeout -s INT $((secs + 3)) dpdk-testpmd -m 256 -l 0-1 --no-pci --huge-dir "$tmp/huge" \
    --file-prefix $p --vdev net_null0 --vdev net_null1 -- --forward-mode=io --auto-start \
    --stats-period 1 --nb-cores=1 --total-num-mbufs=16384 >"$tmp/dpf.$1" 2>&1 &
  local f=$!
  sleep 3
  timeout $((dur + 10)) dpdk-dumpcap --file-prefix $p -i net_null0 -a duration:$dur \
    -w "$tmp/dp.pcapng" >"$tmp/dpc.$1" 2>&1 || cat "$tmp/dpc.$1" >&2
  wait "$f" || true
  rm -f "$tmp/dp.pcapng"
  dpdk_rx "$tmp/dpf.$1" 1 3 >>"$tmp/dp.base"
  dpdk_rx "$tmp/dpf.$1" 5 $((4 + dur)) >>"$tmp/dp.during"
  echo $(($(captured "$tmp/dpc.$1") / dur)) >>"$tmp/dp.cap"
  echo $(($(dropped "$tmp/dpc.$1") / dur)) >>"$tmp/dp.drop"
}

for i in $(seq "$runs"); do
  echo "run $i/$runs: sluice-fwd + sluice capture" >&2
  run_sluice "$i"
  if [ $have_dpdk = 1 ]; then
    echo "run $i/$runs: dpdk-testpmd + dpdk-dumpcap" >&2
    run_dpdk "$i"
  fi
done

mpps() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1e6 }'; }
echo "capture of every packet of port 0 (rx + tx), io forwarding on null ports, 1 worker core,"
echo "$(machine); medians of $runs runs, capture ${dur} s of ${secs} s"
echo
echo "| figure | Sluice | DPDK | ratio (Sluice/DPDK) |"
echo "|---|---:|---:|---:|"
for k in cap drop base during; do
  case $k in
  cap) name="packets written to pcapng (Mpps)" ;;
  drop) name="packets dropped from the capture (Mpps)" ;;
  base) name="forwarder port 0 rx before the capture (Mpps)" ;;
  during) name="forwarder port 0 rx during the capture (Mpps)" ;;
  esac
  s=$(median "$tmp/sl.$k")
  d=-; r=-
  if [ $have_dpdk = 1 ]; then
    dv=$(median "$tmp/dp.$k")
    d=$(mpps "$dv")
    r=$(awk -v s="$s" -v d="$dv" 'BEGIN { if (d > 0) printf "%.2f", s / d; else print "-" }')
  fi
  echo "| $name | $(mpps "$s") | $d | $r |"
done
