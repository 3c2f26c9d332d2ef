#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What observability costs the data path: sluice-fwd io forwarding on one worker between
# two ring ports (net_ring0 <-> net_ring1, primed with --tx-first), 64-byte packets, in two
# configurations that alternate RUNS times (default 3), SECS seconds each (default 8):
#   on    telemetry served (the default) and --metrics 127.0.0.1:PORT, /metrics fetched
#         with curl every second during the whole run, curl pinned to the main lcore's
#         core (SCRAPER_CORE, default 0), where the process's control threads run, as a
#         scraper on another host would take nothing from the worker (each fetch runs every telemetry
#         command the page is made of)
#   off   --no-telemetry and no --metrics
# Rate = packets received per second on port 0, from the 1 s reports after the first one;
# the table shows the medians and on/off (target: at least 0.99).
#   bench/metrics/run.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: run.sh BUILD_DIR}
runs=${RUNS:-3}
secs=${SECS:-8}
fwd=$build/app/fwd/sluice-fwd
[ -x "$fwd" ] || { echo "run.sh: $fwd not built (ninja -C $build)" >&2; exit 1; }
ctl_core=${SCRAPER_CORE:-0}
command -v curl >/dev/null || { echo "run.sh: curl not installed (apt-get install curl)" >&2; exit 1; }
tmp=$(mktemp -d)
scraper=
trap '[ -n "$scraper" ] && kill "$scraper" 2>/dev/null; rm -rf "$tmp"' EXIT

# "  port 0 net_ring0 rx 42.260 Mpps ... Gbit/s ..." -> pps, skipping the first report.
rates() { awk '/^\[ *[0-9.]+s\]/ { n++ } n > 1 && /^  port 0 .* Gbit\/s/ { print $5 * 1e6 }' "$1"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run() { # on|off OUT
  local extra=() port
  if [ "$1" = on ]; then
    port=$(free_port)
    extra=(--metrics "127.0.0.1:$port")
    (while sleep 1; do taskset -c "$ctl_core" curl -s --max-time 1 -o /dev/null -w '%{size_download}\n' \
      "http://127.0.0.1:$port/metrics" >>"$tmp/scrapes" || true; done) &
    scraper=$!
  else
    extra=(--no-telemetry)
  fi
  "$fwd" --no-huge -l 0-1 --file-prefix "bench-metrics-$$" "${extra[@]}" --vdev net_ring0 \
    --vdev net_ring1 -- --forward-mode io --tx-first --duration "$secs" --stats-period 1 \
    >"$2" 2>&1
  if [ -n "$scraper" ]; then
    kill "$scraper" 2>/dev/null || true
    wait "$scraper" 2>/dev/null || true
    scraper=
  fi
}

for i in $(seq "$runs"); do
  for c in on off; do
    echo "run $i/$runs: telemetry and metrics $c" >&2
    run "$c" "$tmp/$c.$i"
    rates "$tmp/$c.$i" >>"$tmp/$c"
    rates "$tmp/$c.$i" | awk -v c="$c" '{ s += $1; n++ } END { if (n) printf "  %s: %.2f Mpps\n", c, s / n / 1e6 }' >&2
  done
done
pages=$(awk '$1 > 0 { n++; b += $1 } END { printf "%d pages of %.0f bytes on average", n, n ? b / n : 0 }' "$tmp/scrapes" 2>/dev/null || echo "no pages")

on=$(median "$tmp/on")
off=$(median "$tmp/off")
echo "io forwarding on ring ports, 1 worker, 64 B, $(machine); medians of the 1 s reports of $runs runs x ${secs} s; $pages scraped"
echo
echo "| configuration | Mpps (port 0 rx) |"
echo "|---|---:|"
awk -v on="$on" -v off="$off" 'BEGIN {
  printf "| telemetry on, /metrics scraped every 1 s | %.2f |\n", on / 1e6
  printf "| --no-telemetry, no --metrics | %.2f |\n", off / 1e6
  printf "| ratio (on/off) | %.4f |\n", off ? on / off : 0 }'
