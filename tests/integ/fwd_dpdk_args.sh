#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK / testpmd command lines pasted into sluice-fwd run, and every packet is accounted for:
#   1. the issue's line (EAL -n, --no-pci, --vdev=X; testpmd --forward-mode=io --auto-start
#      --nb-cores=1 --total-num-mbufs=16384), with a duration added
#   2. -c 0x3 --in-memory and -i --portmask --nb-cores, fed start/stop/quit; two
#      --in-memory processes side by side (no --file-prefix)
#   3. the testpmd option sets of bench/*/compare.sh, on the same ports where they need no
#      root (null, ring, memif between two processes; af_packet's set on null ports)
#   4. testpmd options honoured (--port-topology, --rxq/--rss-ip, --max-pkt-len in 'show
#      port info') and the ones accepted with a notice (--rxfreet...)
#   5. DPDK's --log-level forms
#   6. refusals, each with its line: --proc-type secondary, -a of a vdev name, unknown
#      options on either side, --nb-cores beyond the workers, an unknown mode
# Usage: fwd_dpdk_args.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
fwd=$1/app/fwd/sluice-fwd
[ -x "$fwd" ] || skip "$fwd not built"
need_tools python3 timeout
TMP=$(mktemp -d)
n=0

# run NAME ARGS...: runs sluice-fwd (60 s at most); stdout in $TMP/NAME.out, stderr in
# $TMP/NAME.err, exit status in $rc.
run() {
	local name=$1
	shift
	rc=0
	timeout -s KILL 60 "$fwd" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null || rc=$?
}
show() { echo "--- stdout"; cat "$TMP/$1.out"; echo "--- stderr"; cat "$TMP/$1.err"; }
ok_run() { # NAME: exit 0, no unknown option
	[ "$rc" = 0 ] || { show "$1"; fail "$1: exit status $rc"; }
	if grep -q "unknown option" "$TMP/$1.err"; then show "$1"; fail "$1: an option was refused"; fi
	n=$((n + 1))
}
has() { # NAME FILE(out|err) TEXT: the text is in the output
	grep -qF -- "$3" "$TMP/$1.$2" || { show "$1"; fail "$1: no '$3' on std$2"; }
}
# json_ok NAME [generated|rx|consumed]: the JSON report balances, and that count is > 0.
json_ok() {
	python3 - "$TMP/$1.out" "${2:-rx_packets}" <<'PY' || { show "$1"; fail "$1: report"; }
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
t = r["totals"]
ok = r["accounting_ok"] and t["rx_packets"] + t["generated"] == \
	t["tx_packets"] + t["dropped"] + t["consumed"]
if not ok or t[sys.argv[2]] <= 0:
	sys.exit("accounting_ok %s, %s %d: %s" % (r["accounting_ok"], sys.argv[2], t[sys.argv[2]], t))
PY
}

p="fwd-dpdk-$$"
echo "== 1. the issue's command line"
run issue -l 0-1 -n 4 --no-pci --vdev=net_null0 --vdev=net_null1 --file-prefix "$p" -- \
	--forward-mode=io --auto-start --nb-cores=1 --total-num-mbufs=16384 --duration 0.5 --json
ok_run issue
json_ok issue
has issue err "-n: no effect: "
has issue err "--no-pci: no effect: "
grep -q '"name": "net_null1"' "$TMP/issue.out" || { show issue; fail "--vdev=net_null1 not created"; }

echo "== 2. -c 0x3 --in-memory, -i --portmask --nb-cores"
# Commands go in once the prompt is up (a loaded machine may take a while to start it),
# so the forwarding between start and stop lasts the 0.5 s.
(for _ in $(seq 300); do grep -q "sluice> " "$TMP/inter.out" 2>/dev/null && break; sleep 0.1; done
	echo "show port stats all"; echo start; sleep 0.5; echo stop; echo quit) |
	timeout -s KILL 60 "$fwd" -c 0x3 --in-memory --no-huge --vdev net_null0 --vdev net_null1 -- \
	-i --portmask=0x3 --nb-cores=1 --total-num-mbufs=16384 >"$TMP/inter.out" 2>"$TMP/inter.err" ||
	{ show inter; fail "-i: exit status $?"; }
has inter err "cores 0-1 (main 0, 1 worker)"
has inter err "runtime dir /run/sluice/sluice-"
has inter out "NIC statistics for port 1"
has inter out "Accumulated forward statistics for all ports"
python3 - "$TMP/inter.out" <<'PY' || { show inter; fail "-i: counts"; }
import re, sys
out = open(sys.argv[1]).read()
acc = out.split("Accumulated forward statistics")[1]
rx = int(re.search(r"RX-packets: (\d+)", acc).group(1))
if rx == 0 or out.count("every packet accounted for") != 2:
	sys.exit("RX-packets %d; balance lines: %d" % (rx, out.count("every packet accounted for")))
PY
n=$((n + 1))
# Two --in-memory processes at once: each gets a runtime directory of its own.
timeout -s KILL 60 "$fwd" --in-memory --no-huge -l 0-1 -- --duration 1.5 --stats-period 0 \
	>"$TMP/mem1.out" 2>"$TMP/mem1.err" &
PIDS+=($!)
sleep 0.5
run mem2 --in-memory --no-huge -l 0-1 -- --duration 0.3 --stats-period 0
ok_run mem2
wait "${PIDS[-1]}" || { show mem1; fail "the first --in-memory process failed"; }
unset 'PIDS[-1]'
has mem1 out "every packet accounted for"

echo "== 3. the testpmd lines of bench/*/compare.sh"
# bench/fwd: null and ring pairs (ring: --tx-first primes the loop).
run bench-null --no-huge -m 256 -l 0-1 --no-pci --file-prefix "$p" --vdev net_null0 \
	--vdev net_null1 -- --forward-mode=io --auto-start --stats-period 1 --nb-cores=1 \
	--total-num-mbufs=16384 --duration 1.2
ok_run bench-null
has bench-null out "[   1.0s]"
has bench-null out "every packet accounted for"
run bench-ring --no-huge -m 256 -l 0-1 --no-pci --file-prefix "$p" --vdev net_ring0 \
	--vdev net_ring1 -- --forward-mode=io --auto-start --tx-first --stats-period 1 \
	--nb-cores=1 --total-num-mbufs=16384 --duration 0.5 --json
ok_run bench-ring
json_ok bench-ring
# bench/af_packet's option set (txonly and rxonly), on a null port here.
for mode in txonly rxonly; do
	run "bench-afp-$mode" --no-huge -m 256 -l 0-1 --no-pci --file-prefix "$p" --vdev net_null0 \
		-- --forward-mode=$mode --auto-start --stats-period 1 --nb-cores=1 \
		--total-num-mbufs=16384 --txpkts=64 --duration 0.5 --json
	ok_run "bench-afp-$mode"
	json_ok "bench-afp-$mode" "$([ $mode = txonly ] && echo generated || echo consumed)"
done
# bench/memif: a txonly client into an rxonly server, two processes, cores swapped.
if "$fwd" --help | grep -q net_memif; then
	sock=$TMP/memif.sock
	timeout -s KILL 60 "$fwd" --no-huge -m 256 -l 0-1 --main-lcore 0 --no-pci \
		--file-prefix "$p-srv" --vdev "net_memif0,role=server,socket=$sock,socket-abstract=no" \
		-- --forward-mode=rxonly --txpkts=64 --auto-start --stats-period 1 --nb-cores=1 \
		--total-num-mbufs=8192 --duration 2.5 --json >"$TMP/memif-srv.out" 2>"$TMP/memif-srv.err" &
	PIDS+=($!)
	sleep 0.5
	run memif-cli --no-huge -m 256 -l 0-1 --main-lcore 1 --no-pci --file-prefix "$p-cli" \
		--vdev "net_memif0,role=client,socket=$sock,socket-abstract=no" -- \
		--forward-mode=txonly --txpkts=64 --auto-start --stats-period 1 --nb-cores=1 \
		--total-num-mbufs=8192 --duration 1 --json
	ok_run memif-cli
	json_ok memif-cli generated
	wait "${PIDS[-1]}" || { show memif-srv; fail "memif server: exit status $?"; }
	unset 'PIDS[-1]'
	json_ok memif-srv consumed
	n=$((n + 1))
else
	echo "skipped memif: net_memif not built"
fi

echo "== 4. testpmd options honoured, and accepted with a notice"
run topo-loop --no-huge -l 0-1 --file-prefix "$p" --vdev net_null0 --vdev net_null1 -- \
	--port-topology=loop --stats-period 0 --duration 0.2
ok_run topo-loop
has topo-loop out "stream 1: port 1 queue 0 -> port 1 queue 0"
run topo-chain --no-huge -l 0-1 --file-prefix "$p" --vdev net_null0 --vdev net_null1 \
	--vdev net_null2 -- --port-topology=chained --stats-period 0 --duration 0.2
ok_run topo-chain
has topo-chain out "stream 2: port 2 queue 0 -> port 0 queue 0"
run many --no-huge -l 0-1 --file-prefix "$p" --vdev net_null0 --vdev net_null1 -- \
	--forward-mode=mac --eth-peer=0,02:00:00:00:00:01 --rxq=2 --txq=2 --rxd=512 --txd=512 \
	--burst=64 --rss-ip --mbcache=128 --max-pkt-len=1518 --txpkts=64 --no-lsc-interrupt \
	--no-flush-rx --rxfreet=32 --txfreet=32 --record-burst-stats --duration 0.5 --json
ok_run many
json_ok many
has many err "sluice-fwd: --rxfreet: no effect: "
has many err "sluice-fwd: --txfreet: no effect: Sluice drivers free transmitted buffers in bulk"
has many err "sluice-fwd: --no-lsc-interrupt: no effect: "
has many err "sluice-fwd: --no-flush-rx: no effect: "
(echo "show port info 0"; echo quit) | timeout -s KILL 60 "$fwd" --no-huge -l 0-1 \
	--file-prefix "$p" --vdev net_null0 --vdev net_null1 -- -i --rxq=2 --rss-udp \
	--max-pkt-len=9018 >"$TMP/info.out" 2>"$TMP/info.err" || { show info; fail "show port info"; }
has info out "MTU: 9000"
has info out "RSS on (types):  ipv4-udp ipv6-udp"
has info out "Current number of RX queues: 2"
n=$((n + 1))

echo "== 5. --log-level as DPDK writes it"
for spec in 7 debug lib.eal:info 'pmd.net.*:8' 'pmd\.net\..*,8' '*:notice' ring:debug; do
	run log --no-huge -l 0-1 --file-prefix "$p" --log-level="$spec" -- --duration 0.1 --stats-period 0
	ok_run log
done
run log-eal --no-huge -l 0-1 --file-prefix "$p" --log-level=lib.eal:info -- --duration 0.1 \
	--stats-period 0
has log-eal err "sluice: memory: info: hugepages off"
run log-quiet --no-huge -l 0-1 --file-prefix "$p" -n 4 --log-level=lib.eal:error -- \
	--duration 0.1 --stats-period 0
ok_run log-quiet
if grep -q "runtime: notice" "$TMP/log-quiet.err"; then show log-quiet; fail "notices despite lib.eal:error"; fi

echo "== 6. refusals"
run secondary --no-huge -l 0-1 --file-prefix "$p" --proc-type secondary -- --duration 0.1
[ "$rc" = 1 ] || { show secondary; fail "--proc-type secondary: exit status $rc"; }
has secondary err "sluice: runtime: error: --proc-type secondary: Sluice has no multi-process mode"
has secondary err "net_memif"
run primary --no-huge -l 0-1 --file-prefix "$p" --proc-type=primary -a 0000:01:00.0 -- \
	--duration 0.1 --stats-period 0
ok_run primary
has primary err "--proc-type: no effect: "
has primary err "-a/--allow: no effect: Sluice has no PCI drivers"
run allow-vdev --no-huge -l 0-1 --file-prefix "$p" -a net_null0 -- --duration 0.1
[ "$rc" = 1 ] || { show allow-vdev; fail "-a net_null0: exit status $rc"; }
has allow-vdev err "-a/--allow 'net_null0' is not a PCI address (like 0000:01:00.0); virtual devices are given with --vdev net_null0"
run eal-unknown --no-huge -l 0-1 --file-prefix "$p" --frobnicate -- --duration 0.1
[ "$rc" = 1 ] || { show eal-unknown; fail "--frobnicate (EAL side): exit status $rc"; }
has eal-unknown err "unknown option '--frobnicate'; put application options after '--'"
run app-unknown --no-huge -l 0-1 --file-prefix "$p" -- --frobnicate --duration 0.1
[ "$rc" = 2 ] || { show app-unknown; fail "--frobnicate (testpmd side): exit status $rc"; }
has app-unknown err "sluice-fwd: unknown option '--frobnicate'; see --help"
run app-novalue --no-huge -l 0-1 --file-prefix "$p" -- --nb-cores
[ "$rc" = 2 ] || { show app-novalue; fail "--nb-cores without a value: exit status $rc"; }
has app-novalue err "sluice-fwd: option '--nb-cores' needs a value"
run nb-cores --no-huge -l 0-1 --file-prefix "$p" -- --nb-cores=2 --duration 0.1
[ "$rc" = 1 ] || { show nb-cores; fail "--nb-cores=2 on one worker: exit status $rc"; }
has nb-cores err "sluice-fwd: --nb-cores=2: only 1 forwarding lcore"
run mode --no-huge -l 0-1 --file-prefix "$p" -- --forward-mode=icmpecho --duration 0.1
[ "$rc" = 2 ] || { show mode; fail "--forward-mode=icmpecho: exit status $rc"; }
has mode err "sluice-fwd: unknown mode 'icmpecho'"
echo "fwd with DPDK command lines: OK ($n runs)"
