#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv4/IPv6 routing on one worker core: DPDK 22.11's l3fwd (--lookup=lpm) and l3fwd-graph
# beside dpdk-testpmd io forwarding on the same ports, and Sluice's sluice-router (when
# built: the hook below) beside sluice-fwd io forwarding.  See bench/router/README.md.
#
#   bench/router/run.sh BUILD_DIR [--quick]
#
#   --quick      the 1,000-route set only (no full table: l3fwd takes ~2 minutes to load it);
#                ~4 minutes, the default run ~10.5
#   RUNS=N       repetitions, the kinds of run alternating within each (default 2)
#   SECS=S       seconds of traffic measured per run (default 10), after WARM=S (default 1)
#   ROUTES=FILE  the route table (default /work/shared/data/bgp-prefixes.txt.gz: one CIDR
#                prefix a line, IPv4 and IPv6, gzip or plain)
#   PKTS=N       frames in each pcap, each to its own destination (default 1024; at most
#                4096: DPDK's net_pcap holds them all in the program's mbuf pool, and
#                l3fwd's has 8,192)
#   ONLY="a b"   only these kinds of run (testpmd sluice-fwd l3fwd graph sluice-router)
#   KEEP=1       keep the logs of every run in BUILD_DIR/bench-router/logs
#
# Ports, the same kinds for both kits: port 0 = net_pcap looping a PKTS-packet pcap
# (infinite_rx=1: each rx copies the stored frame into a fresh buffer), ports 1 and 2 =
# net_null with no-rx=1 (tx frees).  Routes send to ports 1 and 2 alternately; io
# forwarding (chained topology) sends port 0's packets to port 1.  Rates: packets
# transmitted on ports 1+2 per second over SECS, read through DPDK's telemetry socket
# (dpdk-telemetry.py, /ethdev/stats) for the DPDK programs, from sluice-fwd's per-second
# reports, and from `sluice-routerctl stats --json` for sluice-router.  Cycles per packet =
# TSC Hz / packets per second (one busy worker core); "net of io" subtracts the same kit's
# io forwarding on the same ports.
#
# DPDK's examples are built from /usr/share/dpdk/examples (package dpdk-doc) into
# BUILD_DIR/bench-router/dpdk, patched at build time (see build_dpdk below); nothing of
# DPDK's is copied into the tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

usage() { echo "usage: bench/router/run.sh BUILD_DIR [--quick]" >&2; exit 1; }
[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd)
shift
quick=0
for a in "$@"; do
  case $a in
    --quick) quick=1 ;;
    *) usage ;;
  esac
done
runs=${RUNS:-2}
secs=${SECS:-10}
warm=${WARM:-1}
routes=${ROUTES:-/work/shared/data/bgp-prefixes.txt.gz}
only=${ONLY:-testpmd sluice-fwd l3fwd graph sluice-router}
pkts=${PKTS:-1024}
examples=/usr/share/dpdk/examples
work=$build/bench-router
dpdk_mem=1024 # MiB for every DPDK program (--no-huge): the full table needs ~250 MiB

want() { case " $only " in *" $1 "*) return 0 ;; esac; return 1; }
log() { echo "run.sh: $*" >&2; }
now() { date +%s.%N; }

for t in dpdk-testpmd dpdk-telemetry.py pkg-config make cc; do
  command -v "$t" >/dev/null || { log "$t not found (scripts/deps.sh bench installs dpdk-dev)"; exit 1; }
done
pkg-config --exists libdpdk || { log "libdpdk not found (apt-get install dpdk-dev)"; exit 1; }
for d in l3fwd l3fwd-graph common; do
  [ -d "$examples/$d" ] || { log "$examples/$d missing: apt-get install dpdk-doc (scripts/deps.sh bench)"; exit 1; }
done
[ -r "$routes" ] || { log "ROUTES=$routes: not readable"; exit 1; }
mkdir -p "$work/logs" "$work/routes" "$work/pcap"

# ------------------------------------------------------------------ processes ----
# Every process this script starts is recorded here and stopped by its PID on exit.
pids=()
prefixes=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local p
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  for p in "${prefixes[@]}"; do
    rm -rf "/var/run/dpdk/$p" "/run/sluice/$p" 2>/dev/null || true
  done
  [ "${KEEP:-0}" = 1 ] || rm -f "$work"/logs/*.log
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# start LOG CMD...: runs CMD in the background, output to LOG; sets $pid.
start() {
  local out=$1
  shift
  "$@" </dev/null >"$out" 2>&1 &
  pid=$!
  pids+=("$pid")
}

# stop PID: SIGINT (every program here then stops its ports and exits), SIGKILL after 15 s.
stop() {
  kill -INT "$1" 2>/dev/null || return 0
  for _ in $(seq 150); do
    kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  log "PID $1 did not stop on SIGINT: killed"
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# wait_ready PID LOG PATTERN TIMEOUT: waits until PATTERN is in the last MiB of LOG;
# prints "WALL/CPU": the seconds since $t_start and the CPU seconds the process used by
# then; fails if the process ends or TIMEOUT passes.
wait_ready() {
  local end
  end=$(($(date +%s) + $4))
  while :; do
    if tail -c 1048576 "$2" 2>/dev/null | grep -q "$3"; then
      awk -v a="$t_start" -v b="$(now)" -v c="$(cpu_ticks "$1")" -v tck="$clk_tck" \
        'BEGIN { printf "%.2f/%.2f\n", b - a, c / tck }'
      return 0
    fi
    kill -0 "$1" 2>/dev/null || { log "PID $1 exited before it was ready; last lines of $2:"; tail -5 "$2" >&2; return 1; }
    [ "$(date +%s)" -lt "$end" ] || { log "PID $1 not ready after $4 s"; return 1; }
    sleep 0.2
  done
}

# ------------------------------------------------------------------ DPDK build ----
# Copies of DPDK's l3fwd and l3fwd-graph (with examples/common beside them), patched with
# sed, built with their own Makefiles against libdpdk-dev (pkg-config, shared libraries):
#   l3fwd:  IPV4_L3FWD_LPM_MAX_RULES 1024 -> 1048576 and IPV4_L3FWD_LPM_NUMBER_TBL8S 2^8 ->
#           2^12 (the table: 901,899 IPv4 routes needing 452 tbl8 groups);
#           IPV6_L3FWD_LPM_MAX_RULES 1024 -> 262144 (160,147 IPv6 routes; its 2^16 tbl8
#           groups already hold the 38,097 they need); the RX checksum offload request
#           removed from port_conf (software ports offer none: configure would fail).
#   l3fwd-graph: cannot read rule files and its lookup node (librte_node) creates its own
#           rte_lpm with 1,024 rules and 256 tbl8 groups compiled into the library, so the
#           full table cannot be loaded without rebuilding DPDK.  Two builds: "graph"
#           unchanged (its 8 built-in routes 198.18.N.0/24 -> port N), and "graph-1k" whose
#           route array is the 1,000-route set (#include of a generated file) with the
#           port as next-hop id (the stock code uses the route index, and librte_node
#           holds 64 next hops).  In both, the main lcore's stats loop sleeps instead of
#           busy-waiting (rte_delay_ms(1E3) -> sleep(1)), as testpmd's main lcore does.
build_dpdk() {
  local d=$work/dpdk stamp
  stamp=$(declare -f build_dpdk | sha256sum | cut -c1-16)
  if [ -x "$d/l3fwd/build/l3fwd" ] && [ -x "$d/l3fwd-graph/build/l3fwd-graph" ] &&
    [ -x "$d/l3fwd-graph-1k/build/l3fwd-graph" ] && [ "$(cat "$d/stamp" 2>/dev/null)" = "$stamp" ] &&
    cmp -s "$d/l3fwd-graph-1k/routes.inc" "$work/routes/1k.v4.inc"; then
    return 0
  fi
  log "building DPDK's l3fwd and l3fwd-graph in $d (nice -n 19, a few minutes)"
  rm -rf "$d"
  mkdir -p "$d"
  cp -r "$examples/common" "$examples/l3fwd" "$d/"
  cp -r "$examples/l3fwd-graph" "$d/l3fwd-graph"
  cp -r "$examples/l3fwd-graph" "$d/l3fwd-graph-1k"
  sed -i -e 's/^#define IPV4_L3FWD_LPM_MAX_RULES .*/#define IPV4_L3FWD_LPM_MAX_RULES 1048576/' \
    -e 's/^#define IPV4_L3FWD_LPM_NUMBER_TBL8S .*/#define IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 12)/' \
    -e 's/^#define IPV6_L3FWD_LPM_MAX_RULES .*/#define IPV6_L3FWD_LPM_MAX_RULES 262144/' \
    "$d/l3fwd/l3fwd_lpm.c"
  sed -i -e '/^\t\t\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,$/d' "$d/l3fwd/main.c"
  if ! grep -q 'IPV4_L3FWD_LPM_MAX_RULES 1048576' "$d/l3fwd/l3fwd_lpm.c" ||
    ! grep -q 'IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 12)' "$d/l3fwd/l3fwd_lpm.c" ||
    ! grep -q 'IPV6_L3FWD_LPM_MAX_RULES 262144' "$d/l3fwd/l3fwd_lpm.c" ||
    grep -q 'RTE_ETH_RX_OFFLOAD_CHECKSUM' "$d/l3fwd/main.c"; then
    log "patching l3fwd failed: its source is not the 22.11 one this script knows"
    exit 1
  fi
  for g in l3fwd-graph l3fwd-graph-1k; do
    sed -i -e 's/rte_delay_ms(1E3);/sleep(1);/' "$d/$g/main.c"
  done
  cp "$work/routes/1k.v4.inc" "$d/l3fwd-graph-1k/routes.inc"
  sed -i -e '/^static struct ipv4_l3fwd_lpm_route ipv4_l3fwd_lpm_route_array\[\] = {$/,/^};$/c\
static struct ipv4_l3fwd_lpm_route ipv4_l3fwd_lpm_route_array[] = {\
#include "routes.inc"\
};' \
    -e 's/ipv4_l3fwd_lpm_route_array\[i\]\.depth, i,$/ipv4_l3fwd_lpm_route_array[i].depth, dst_port,/' \
    -e 's/rte_node_ip4_rewrite_add(i, rewrite_data,/rte_node_ip4_rewrite_add(dst_port, rewrite_data,/' \
    "$d/l3fwd-graph-1k/main.c"
  if ! grep -q '#include "routes.inc"' "$d/l3fwd-graph-1k/main.c" ||
    ! grep -q 'depth, dst_port,' "$d/l3fwd-graph-1k/main.c" ||
    ! grep -q 'rte_node_ip4_rewrite_add(dst_port' "$d/l3fwd-graph-1k/main.c" ||
    ! grep -q 'sleep(1);' "$d/l3fwd-graph/main.c"; then
    log "patching l3fwd-graph failed: its source is not the 22.11 one this script knows"
    exit 1
  fi
  for g in l3fwd l3fwd-graph l3fwd-graph-1k; do
    nice -n 19 make -C "$d/$g" -j1 >"$d/$g.build.log" 2>&1 ||
      { tail -20 "$d/$g.build.log" >&2; log "building $g failed (log $d/$g.build.log)"; exit 1; }
  done
  echo "$stamp" >"$d/stamp"
}

# ------------------------------------------------------------------ routes, pcaps ----
# From the table: l3fwd rule files ("R<prefix>/<depth> <port>", what its
# lpm_route_parse.c reads), the same routes as "<prefix>/<depth> <port>" for sluice-router
# (route load), the 1,000-route sets (every Nth prefix of each family, so spread over the
# table) and the 1k IPv4 set as C initialisers for graph-1k.  Ports: 1, 2, 1, 2, ...
make_routes() {
  local r=$work/routes
  [ -s "$r/full.v4.rules" ] && [ "$r/full.v4.rules" -nt "$routes" ] && [ "$r/full.v4.rules" -nt "$here/run.sh" ] && return 0
  rm -f "$r"/*
  log "converting $routes into route files in $r"
  gzip -dcf "$routes" | awk -v dir="$r" '
    { sub(/\r$/, "") } # the table has CRLF line ends
    /^[ \t]*(#|$)/ { next }
    { p = $1; if (p !~ /\//) next; fam = p ~ /:/ ? "v6" : "v4"; n[fam]++; pre[fam, n[fam]] = p }
    END {
      for (f = 0; f < 2; f++) {
        fam = f ? "v6" : "v4"
        step = int(n[fam] / 1000); if (step < 1) step = 1
        k = 0
        for (i = 1; i <= n[fam]; i++) {
          port = 1 + (i - 1) % 2
          print "R" pre[fam, i] " " port > (dir "/full." fam ".rules")
          print pre[fam, i] " " port > (dir "/full." fam ".routes")
          if ((i - 1) % step == 0 && k < 1000) {
            k++
            print "R" pre[fam, i] " " port > (dir "/1k." fam ".rules")
            print pre[fam, i] " " port > (dir "/1k." fam ".routes")
            if (fam == "v4") {
              split(pre[fam, i], a, "[./]")
              printf "\t{RTE_IPV4(%d, %d, %d, %d), %d, %d},\n", a[1], a[2], a[3], a[4], a[5], port > (dir "/1k.v4.inc")
            }
          }
        }
      }
    }'
  printf 'R198.18.1.0/24 1\nR198.18.2.0/24 2\n' >"$r/graph.v4.rules"
}

make_pcaps() {
  local p=$work/pcap r=$work/routes
  nice -n 19 cc -O2 -Wall -Wextra -o "$work/mkpcap" "$here/mkpcap.c"
  "$work/mkpcap" v4 "$r/full.v4.rules" "$pkts" "$p/v4-full.pcap" 1
  "$work/mkpcap" v6 "$r/full.v6.rules" "$pkts" "$p/v6-full.pcap" 2
  "$work/mkpcap" v4 "$r/1k.v4.rules" "$pkts" "$p/v4-1k.pcap" 3
  "$work/mkpcap" v6 "$r/1k.v6.rules" "$pkts" "$p/v6-1k.pcap" 4
  "$work/mkpcap" v4 "$r/graph.v4.rules" "$pkts" "$p/v4-graph.pcap" 5
}

# vdevs PCAP [TXQ]: the same three ports for every program.  l3fwd-graph sets up one tx
# queue per lcore on every port (2 with -l 0,1) and net_pcap has one per tx_pcap given:
# for it port 0 gets two tx_pcap=/dev/null (no route leads to port 0: they stay idle).
vdevs() {
  local tx=
  [ "${2:-1}" = 2 ] && tx=,tx_pcap=/dev/null,tx_pcap=/dev/null
  echo "--vdev net_pcap0,rx_pcap=$1,infinite_rx=1$tx --vdev net_null1,no-rx=1 --vdev net_null2,no-rx=1"
}

# ------------------------------------------------------------------ measuring ----
# cpu_ticks PID: user + system CPU time of the process (all its threads), in clock ticks.
# The machine is shared: a run's cycles per packet are computed from the CPU time the
# program got over the window, not from the wall time, so time another process took from
# the core does not count (its cache and memory traffic still does).
clk_tck=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }

# dpdk_sample PREFIX PID: "TIME CPU TX(ports 1+2) TX(port 0) RX(port 0)" from the
# telemetry socket; TIME and CPU (ticks) are the middle of the query (python starts in
# ~0.1 s, on the other core mostly).
dpdk_sample() {
  local a b ca cb out
  a=$(now)
  ca=$(cpu_ticks "$2")
  out=$(printf '/ethdev/stats,0\n/ethdev/stats,1\n/ethdev/stats,2\n' | dpdk-telemetry.py -f "$1" 2>/dev/null) || return 1
  cb=$(cpu_ticks "$2")
  b=$(now)
  [ -n "$ca" ] && [ -n "$cb" ] || return 1
  echo "$out" | awk -v a="$a" -v b="$b" -v ca="$ca" -v cb="$cb" '
    function num(key,    s) { if (!match($0, "\"" key "\": [0-9]+")) return 0; s = substr($0, RSTART, RLENGTH); sub(/.*: /, "", s); return s + 0 }
    /ethdev\/stats/ { n++; if (n == 1) { o0 = num("opackets"); i0 = num("ipackets") } else o += num("opackets") }
    END { if (n != 3) exit 1; printf "%.6f %.1f %.0f %.0f %.0f\n", (a + b) / 2, (ca + cb) / 2, o, o0, i0 }'
}

# measure_dpdk PREFIX PID: waits WARM, samples, waits SECS, samples; prints "MPPS CPU
# BACK": CPU = the share of one core the process got over the window, BACK = the share of
# packets sent back out of port 0 (no route, or bad).
measure_dpdk() {
  local s0 s1
  sleep "$warm"
  kill -0 "$2" 2>/dev/null || return 1
  s0=$(dpdk_sample "$1" "$2") || { log "telemetry of $1 did not answer"; return 1; }
  sleep "$secs"
  s1=$(dpdk_sample "$1" "$2") || { log "telemetry of $1 did not answer"; return 1; }
  echo "$s0 $s1" | awk -v tck="$clk_tck" '{ dt = $6 - $1; cpu = ($7 - $2) / tck; tx = $8 - $3; back = $9 - $4
    share = tx + back > 0 ? back / (tx + back) : 0
    printf "%.3f %.3f %.4f\n", tx / dt / 1e6, cpu / dt, share }'
}

# One result line per run: KIND<TAB>ROUTES<TAB>FAMILY<TAB>MPPS<TAB>LOAD_S<TAB>CPU
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

# record_dpdk KIND ROUTES FAMILY LOAD M (M = measure_dpdk's "MPPS CPU BACK")
record_dpdk() {
  local mpps cpu back
  read -r mpps cpu back <<<"$5"
  record "$1" "$2" "$3" "$mpps" "$4" "$cpu"
  [ "$back" = 0.0000 ] || log "$1 $2 IPv${3#v}: share of packets sent back out of port 0 (no route): $back"
}

seq_no=0
prefix() { seq_no=$((seq_no + 1)); pfx="rtr$$-$seq_no"; prefixes+=("$pfx"); }

run_testpmd() { # FAMILY PCAP
  local lg=$work/logs/testpmd.$1.$rep.log m ready
  want testpmd || return 0
  prefix
  log "rep $rep: dpdk-testpmd io, IPv${1#v}"
  t_start=$(now)
  # shellcheck disable=SC2046 # vdevs is a list of options
  start "$lg" dpdk-testpmd -l 0,1 --no-huge -m "$dpdk_mem" --no-pci --file-prefix "$pfx" \
    $(vdevs "$2") -- --forward-mode=io --auto-start --nb-cores=1 --port-topology=chained \
    --total-num-mbufs=16384 --stats-period 1
  ready=$(wait_ready "$pid" "$lg" "packets/burst=" 60) || { stop "$pid"; return 0; }
  m=$(measure_dpdk "$pfx" "$pid") || { stop "$pid"; return 0; }
  stop "$pid"
  record_dpdk testpmd-io - "$1" - "$m"
}

run_l3fwd() { # ROUTESET FAMILY PCAP RULES_V4 RULES_V6
  local lg=$work/logs/l3fwd.$1.$2.$rep.log m ready
  want l3fwd || return 0
  prefix
  log "rep $rep: l3fwd --lookup=lpm, $1 routes, IPv${2#v} traffic"
  t_start=$(now)
  # l3fwd runs on lcore 1 alone: its main lcore is the forwarding one (with -l 0,1 and
  # lcore 0 idle, lcore 0 would spin in rte_eal_mp_wait_lcore).
  # shellcheck disable=SC2046
  start "$lg" "$work/dpdk/l3fwd/build/l3fwd" -l 1 --no-huge -m "$dpdk_mem" --no-pci \
    --file-prefix "$pfx" $(vdevs "$3") -- -p 0x7 --config "(0,0,1)" --lookup=lpm \
    --parse-ptype --rule_ipv4="$4" --rule_ipv6="$5"
  ready=$(wait_ready "$pid" "$lg" "entering main loop on lcore" 600) || { stop "$pid"; return 0; }
  m=$(measure_dpdk "$pfx" "$pid") || { stop "$pid"; return 0; }
  stop "$pid"
  record_dpdk l3fwd "$1" "$2" "$ready" "$m"
}

run_graph() { # VARIANT(graph|graph-1k) ROUTESET PCAP
  local lg=$work/logs/$1.$rep.log m ready bin=$work/dpdk/l3fwd-$1/build/l3fwd-graph
  want graph || return 0
  prefix
  log "rep $rep: l3fwd-$1, $2 routes, IPv4 traffic"
  t_start=$(now)
  # shellcheck disable=SC2046
  start "$lg" "$bin" -l 0,1 --no-huge -m "$dpdk_mem" --no-pci --file-prefix "$pfx" \
    $(vdevs "$3" 2) -- -p 0x7 --config "(0,0,1)"
  ready=$(wait_ready "$pid" "$lg" "Entering main loop on lcore" 120) || { stop "$pid"; return 0; }
  m=$(measure_dpdk "$pfx" "$pid") || { stop "$pid"; return 0; }
  stop "$pid"
  record_dpdk l3fwd-graph "$2${2:+4}" v4 "$ready" "$m"
  # Its per-node statistics (printed each second by the main lcore): the last table, as
  # cycles per packet of each node, kept per variant (the last repetition's).
  awk -F '|' '/^\|Node/ { n = 0; delete row; next }
    NF > 8 && $2 !~ /^-/ && $6 + 0 > 0 { gsub(/ /, "", $2); row[++n] = sprintf("%s %.1f", $2, $8 / $6) }
    END { for (i = 1; i <= n; i++) printf "%s%s", row[i], i < n ? ", " : "\n" }' "$lg" >"$work/nodes.$1.txt" || true
}

# sluice-fwd's reports: "[   2.0s]" then one line per port, "  port 1 net_null1  rx A Mpps
# B Gbit/s  tx C Mpps D Gbit/s"; the mean over the reports after the first WARM ones of
# the tx Mpps of ports 1 and 2.
sluice_fwd_rate() { # LOG
  awk -v warm="$warm" '
    /^\[ *[0-9.]+s\]/ { if (n > warm) { sum += cur; k++ } n++; cur = 0; next }
    /^  port [12] .* Gbit\/s/ { cur += $10 }
    /^--- / { if (n > warm) { sum += cur; k++ } n = -1e9 }
    END { if (k) printf "%.3f\n", sum / k }' "$1"
}

run_sluice_fwd() { # FAMILY PCAP
  local lg=$work/logs/sluice-fwd.$1.$rep.log m fwd=$build/app/fwd/sluice-fwd c0 c1 t0 t1 cpu=-
  want sluice-fwd || return 0
  [ -x "$fwd" ] || { log "$fwd not built (ninja -C $build app/fwd/sluice-fwd): skipped"; return 0; }
  prefix
  log "rep $rep: sluice-fwd io, IPv${1#v}"
  t_start=$(now)
  # shellcheck disable=SC2046
  start "$lg" "$fwd" --no-huge -l 0,1 --file-prefix "$pfx" $(vdevs "$2") -- \
    --forward-mode io --port-topology chained --duration $((warm + secs)) --stats-period 1
  # Its CPU time over [WARM, WARM + SECS] after the start (its reports cover the same
  # window after its forwarding start, a fraction of a second later).
  sleep "$warm"
  t0=$(now) c0=$(cpu_ticks "$pid")
  sleep "$secs"
  t1=$(now) c1=$(cpu_ticks "$pid")
  if [ -n "$c0" ] && [ -n "$c1" ]; then
    cpu=$(awk -v a="$t0" -v b="$t1" -v x="$c0" -v y="$c1" -v tck="$clk_tck" 'BEGIN { printf "%.3f", (y - x) / tck / (b - a) }')
  fi
  wait "$pid" || { log "sluice-fwd failed; last lines of $lg:"; tail -5 "$lg" >&2; return 0; }
  m=$(sluice_fwd_rate "$lg")
  [ -n "$m" ] || { log "no rate in $lg"; return 0; }
  record sluice-fwd-io - "$1" "$m" - "$cpu"
}

# ----------------------------------------------------------- HOOK: sluice-router ----
# >>> SLUICE ROUTER HOOK: the Sluice side.  Written against docs/router.md as it landed
# >>> (start-up file = sluice-routerctl commands; `route load FILE`, lines "PREFIX via GW";
# >>> `sluice-routerctl -s SOCKET --json stats ports` -> {"ports": [{"port", "tx_packets",
# >>> ...}]}); adjust here if those change.  The measurement is the DPDK runs': the same
# >>> three ports (vdevs), -l 0,1 (main = control thread, 1 worker), --no-huge, the same
# >>> route sets and next hops (ports 1 and 2), WARM then SECS seconds, tx of ports 1+2.
router=$build/app/router/sluice-router
routerctl=$build/app/router/sluice-routerctl
router_ready='control socket' # "sluice-router: 3 ports, 1 worker, control socket PATH"

# router_routes IN OUT: "<prefix>/<depth> <port>" -> "<prefix>/<depth> via <gateway>", the
# gateway a static neighbour on that port (10.255.P.2, fd00:P::2).
router_routes() {
  awk '{ print $1, "via", ($1 ~ /:/ ? "fd00:" $2 "::2" : "10.255." $2 ".2") }' "$1" >"$2"
}

# router_startup FILE ROUTES...: the --startup file.  Static neighbours, because net_null
# ports answer no ARP/ND.  The pcap frames are addressed to 02:53:4c:00:02:00, the MAC of
# Sluice's net_pcap port 0 (drivers/net/pcap), which DPDK's programs do not check.
router_startup() {
  local f=$1 rt i
  shift
  {
    for i in 0 1 2; do
      echo "address add $i 10.255.$i.1/24"
      echo "address add $i fd00:$i::1/64"
    done
    for i in 1 2; do
      echo "neighbour add 10.255.$i.2 02:00:00:00:0$i:02 $i"
      echo "neighbour add fd00:$i::2 02:00:00:00:0$i:02 $i"
    done
    for rt in "$@"; do
      echo "route load $rt"
    done
  } >"$f"
}

sluice_router_sample() { # PREFIX PID -> "TIME CPU TX(ports 1+2)"
  local a b ca cb out
  a=$(now)
  ca=$(cpu_ticks "$2")
  out=$("$routerctl" -s "/run/sluice/$1/router.sock" --json stats ports 2>/dev/null) || return 1
  cb=$(cpu_ticks "$2")
  b=$(now)
  [ -n "$ca" ] && [ -n "$cb" ] || return 1
  python3 -c '
import json, sys
d = json.loads(sys.argv[1])
ports = d.get("ports", []) if isinstance(d, dict) else d
tx = 0
for i, p in enumerate(ports):
    if p.get("port", p.get("id", i)) in (1, 2):
        tx += p.get("tx_packets", p.get("opackets", 0))
print("%.6f %.1f %d" % ((float(sys.argv[2]) + float(sys.argv[3])) / 2,
                       (float(sys.argv[4]) + float(sys.argv[5])) / 2, tx))' "$out" "$a" "$b" "$ca" "$cb"
}

run_sluice_router() { # ROUTESET FAMILY PCAP ROUTES_V4 ROUTES_V6
  local lg=$work/logs/sluice-router.$1.$2.$rep.log startup=$work/routes/startup.$1.$2 s0 s1 ready f
  want sluice-router || return 0
  if [ ! -x "$router" ] || [ ! -x "$routerctl" ]; then
    [ -n "${router_said:-}" ] || log "sluice-router not built ($router, $routerctl): Sluice routing rows skipped"
    router_said=1
    return 0
  fi
  for f in "$4" "$5"; do
    if [ ! -s "$f.router" ] || [ "$f" -nt "$f.router" ]; then router_routes "$f" "$f.router"; fi
  done
  router_startup "$startup" "$4.router" "$5.router"
  prefix
  log "rep $rep: sluice-router, $1 routes, IPv${2#v} traffic"
  t_start=$(now)
  # Table sizes as l3fwd's patched ones (docs/router.md: the full table needs 1,000,000
  # and 200,000).
  # shellcheck disable=SC2046
  start "$lg" "$router" -l 0,1 --no-huge --file-prefix "$pfx" $(vdevs "$3") -- \
    --startup "$startup" --routes4 1048576 --routes6 262144
  ready=$(wait_ready "$pid" "$lg" "$router_ready" 600) || { stop "$pid"; return 0; }
  sleep "$warm"
  # Zero its counters first, so its per-node figures cover the window only (its workers
  # forward while the start-up file loads the routes: ICMP errors, for no route yet).
  "$routerctl" -s "/run/sluice/$pfx/router.sock" stats reset >/dev/null 2>&1 || true
  s0=$(sluice_router_sample "$pfx" "$pid") || { log "sluice-routerctl --json stats failed"; stop "$pid"; return 0; }
  sleep "$secs"
  s1=$(sluice_router_sample "$pfx" "$pid") || { log "sluice-routerctl --json stats failed"; stop "$pid"; return 0; }
  # Its per-node cycles (its own books), kept per route set and family (the last run's).
  "$routerctl" -s "/run/sluice/$pfx/router.sock" stats nodes 2>/dev/null |
    awk '$1 != "node" && NF == 5 && $3 + 0 > 0 { name[++n] = $1; pk[n] = $3; cyc[n] = $5; if ($3 > max) max = $3 }
      END { for (i = 1; i <= n; i++) if (pk[i] >= max / 100) printf "%s%s %s", k++ ? ", " : "", name[i], cyc[i]; if (k) print "" }' \
      >"$work/nodes.sluice-router.$1.$2.txt" || true
  if [ "${KEEP:-0}" = 1 ]; then
    "$routerctl" -s "/run/sluice/$pfx/router.sock" stats >>"$lg" 2>&1 || true
  fi
  stop "$pid"
  record_dpdk sluice-router "$1" "$2" "$ready" "$(echo "$s0 $s1" | awk -v tck="$clk_tck" '{ dt = $4 - $1
    printf "%.3f %.3f 0.0000\n", ($6 - $3) / dt / 1e6, ($5 - $2) / tck / dt }')"
}
# <<< SLUICE ROUTER HOOK

# ------------------------------------------------------------------ the runs ----
# (One function called on the script's last line: bash has then read the whole file, so
# editing it during a run does not change the run.)
main() {
make_routes
make_pcaps
build_dpdk
tsc_hz=$("$work/mkpcap" tsc)
results=$work/results.tsv
: >"$results"
rm -f "$work"/nodes.*.txt
r=$work/routes
p=$work/pcap
log "TSC $(awk -v h="$tsc_hz" 'BEGIN { printf "%.3f", h / 1e9 }') GHz; $runs repetitions x ${secs} s; results in $results"
for rep in $(seq "$runs"); do
  # IPv4
  run_testpmd v4 "$p/v4-full.pcap"
  run_sluice_fwd v4 "$p/v4-full.pcap"
  run_l3fwd 1k v4 "$p/v4-1k.pcap" "$r/1k.v4.rules" "$r/1k.v6.rules"
  run_sluice_router 1k v4 "$p/v4-1k.pcap" "$r/1k.v4.routes" "$r/1k.v6.routes"
  run_graph graph built-in "$p/v4-graph.pcap"
  run_graph graph-1k 1k "$p/v4-1k.pcap"
  if [ "$quick" = 0 ]; then
    run_l3fwd full v4 "$p/v4-full.pcap" "$r/full.v4.rules" "$r/full.v6.rules"
    run_sluice_router full v4 "$p/v4-full.pcap" "$r/full.v4.routes" "$r/full.v6.routes"
  fi
  # IPv6 (l3fwd-graph 22.11 has no IPv6 nodes)
  run_testpmd v6 "$p/v6-full.pcap"
  run_sluice_fwd v6 "$p/v6-full.pcap"
  run_l3fwd 1k v6 "$p/v6-1k.pcap" "$r/1k.v4.rules" "$r/1k.v6.rules"
  run_sluice_router 1k v6 "$p/v6-1k.pcap" "$r/1k.v4.routes" "$r/1k.v6.routes"
  if [ "$quick" = 0 ]; then
    # The full IPv6 table with the 1k IPv4 set: the IPv4 table is not looked up by IPv6
    # traffic, and loading it costs l3fwd ~2 minutes per run.
    run_l3fwd full6 v6 "$p/v6-full.pcap" "$r/1k.v4.rules" "$r/full.v6.rules"
    run_sluice_router full6 v6 "$p/v6-full.pcap" "$r/1k.v4.routes" "$r/full.v6.routes"
  fi
done

# ------------------------------------------------------------------ the table ----
echo
echo "Routing on one worker core, 64 B frames ($pkts in the pcap) from a looping pcap port into 2 null ports; $(machine);"
echo "TSC $(awk -v h="$tsc_hz" 'BEGIN { printf "%.3f", h / 1e9 }') GHz; medians of $runs runs x ${secs} s (per-run Mpps in brackets); $(date -u +%Y-%m-%d)"
echo
echo "| program | routes | traffic | Mpps | core share | cycles/packet | net of the kit's io | load s (CPU s) |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
n4=$(wc -l <"$r/full.v4.rules")
n6=$(wc -l <"$r/full.v6.rules")
# cycles/packet of a run = TSC Hz x (CPU seconds the program got / wall seconds) / packets
# per second; the row shows the median over the runs (each run's in brackets).
awk -F '\t' -v hz="$tsc_hz" -v n4="$n4" -v n6="$n6" "$MEDIAN_AWK"'
  { key = $1 "\t" $2 "\t" $3; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    mpps[key] = mpps[key] " " $4; if ($5 != "-") load[key] = load[key] " " $5
    if ($6 != "-" && $6 != "" && $4 > 0) { cpu[key] = cpu[key] " " $6; c[key] = c[key] " " sprintf("%.1f", hz * $6 / ($4 * 1e6)) } }
  END {
    for (k = 1; k <= n; k++) if (order[k] in c) cpp[order[k]] = median(c[order[k]])
    for (k = 1; k <= n; k++) {
      key = order[k]; split(key, f, "\t")
      io = (f[1] ~ /^sluice/ ? "sluice-fwd-io" : "testpmd-io") "\t-\t" f[3]
      net = (f[1] !~ /-io$/ && (io in cpp) && (key in cpp)) ? sprintf("%.1f", cpp[key] - cpp[io]) : "-"
      if (key in load) { nl = split(substr(load[key], 2), la, " "); lw = lc = ""
        for (i = 1; i <= nl; i++) { split(la[i], x, "/"); lw = lw " " x[1]; lc = lc " " x[2] }
        ld = sprintf("%.1f (%.1f)", median(lw), median(lc)) } else ld = "-"
      routes = f[2] == "full" ? "full table (" n4 " v4 + " n6 " v6)" : f[2] == "full6" ? "full IPv6 (" n6 ") + 1k IPv4" : f[2] == "1k" ? "1,000 v4 + 1,000 v6" : f[2] == "1k4" ? "1,000 v4" : f[2] == "built-in4" ? "8 built-in /24s" : "-"
      printf "| %s | %s | IPv%s | %.2f [%s] | %s | %s | %s | %s |\n", f[1], routes, substr(f[3], 2),
        median(mpps[key]), substr(mpps[key], 2), (key in cpu) ? sprintf("%.2f", median(cpu[key])) : "-",
        (key in cpp) ? sprintf("%.1f [%s]", cpp[key], substr(c[key], 2)) : "-", net, ld
    }
  }' "$results"
for g in graph graph-1k; do
  [ -s "$work/nodes.$g.txt" ] && echo "l3fwd-$g, cycles per packet per graph node (its own stats, last run): $(cat "$work/nodes.$g.txt")"
done
for f in "$work"/nodes.sluice-router.*.txt; do
  [ -s "$f" ] || continue
  g=${f#"$work"/nodes.sluice-router.}
  g=${g%.txt}
  echo "sluice-router ${g%.*} routes, IPv${g##*.v}, cycles per packet per node (its own stats, last run): $(cat "$f")"
done
echo
echo "core share: CPU time the program got / wall time over the window (1.00 = a core to itself;"
echo "the main lcore and control threads are mostly asleep).  cycles/packet: TSC Hz x core share /"
echo "packets per second.  net of the kit's io: minus the same kit's io forwarding (same family)."
echo "load s: from the program's start to its first forwarding loop (EAL init, reading the rule"
echo "files, adding the routes, port set-up), wall seconds and (CPU seconds it used by then)."
echo "Mpps: packets sent on ports 1+2 per wall second."
if [ ! -x "$router" ]; then
  echo "sluice-router: not built ($router): no Sluice routing rows yet (see the hook in run.sh)."
fi
}

main; exit
