#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# switch_rebalance.sh BUILD_DIR: sluice-switch moves a busy rx queue to the idle PMD thread
# (lib/pmd) and loses nothing doing it.  No root: the ports are net_memif (unix sockets in
# a temporary directory).
#   The switch: 3 memif server ports, 2 PMD threads (-l 0-1 --main-pmd: lcore 1 and the
#   main lcore 0), --rxq-assign roundrobin, a 1 s measurement interval.  Round robin
#   places port 0 and port 2 on PMD 0 (lcore 1), port 1 on PMD 1.
#   The peers: sluice-fwd H (two memif clients, on switch ports 0 and 2) sends txonly at
#   RATE pps in all, half on each, to L's MAC; sluice-fwd L (one client, switch port 1)
#   sends 1 pps to H's MAC (so that both are learned and H's traffic is forwarded to
#   port 1 alone, not flooded).  Ports 0 and 2 carry the same source MAC (sluice-fwd's
#   template), so the FDB sees it move between them: counted as moves, harmless here.
#   1. pmd show: ports 0 and 2 on the same PMD thread, each with more usage than port 1.
#   2. pmd rebalance: "moving"; after it settles, ports 0 and 2 are on different threads
#      (pmd show --json, per queue moves and the handoff gap).
#   3. pmd pin 2:0 0 then pmd pin 2:0 none: a run-time pin moves the queue and unpinning
#      places it back (round robin: with port 0 again).
#   4. loss: after the peers stopped and the switch drained, what the peers sent == what
#      the switch received on each port (a packet it could not take, no buffer, would
#      show there), no peer ever found the switch's rx ring full (their tx_full = 0: a
#      queue left unpolled too long during a move would show there), the workers counted
#      every packet the ports received, and the accounting identities hold:
#      rx == forwarded + flooded + drops, outputs == sent + drops.  (The peers never
#      receive: txonly leaves memif's s2c ring without buffers, so the switch's outputs
#      are all counted tx_full drops.  Only the rx side matters for a move.)
# About 20 s.  Exits 77 when the binaries are not built.  Every process it starts is
# killed (by PID) and its directory removed on every exit path.
set -u
build=${1:?usage: switch_rebalance.sh BUILD_DIR}
sw=$build/app/switch/sluice-switch
ctl=$build/app/switch/sluice-switchctl
fwd=$build/app/fwd/sluice-fwd
RATE=${RATE:-8000}

. "$(dirname "$0")/lib.sh"
need_tools python3
for b in "$sw" "$ctl" "$fwd"; do [ -x "$b" ] || skip "$b not built"; done

TMP=$(mktemp -d /tmp/sluice-swrb.$$.XXXX)
sock=$TMP/switch.sock
swctl() { timeout 5 "$ctl" -s "$sock" "$@"; }
jget() { # jget PYEXPR CMD...: one value of the reply's data d
	local expr=$1
	shift
	swctl --json "$@" | python3 -c "import json,sys; d=json.load(sys.stdin); print($expr)"
}
# the PMD index polling port P's queue 0 (-1: none)
pmd_of() { jget "([x['pmd'] for x in d['pmds'] for q in x['rxqs'] if q['port'] == $1 and q['state'] == 'polled'] or [-1])[0]" pmd show; }
settle() {
	for _ in $(seq 50); do
		[ "$(jget 'd["settled"]' pmd show)" = True ] && return 0
		sleep 0.1
	done
	return 1
}

mdev() { echo "net_memif$1,role=$2,socket=$TMP/m$3.sock,socket-abstract=no${4:+,mac=$4}"; }
nice "$sw" --no-huge -l 0-1 --file-prefix "swrb$$" \
	--vdev "$(mdev 0 server 0)" --vdev "$(mdev 1 server 1)" --vdev "$(mdev 2 server 2)" -- \
	--socket "$sock" --main-pmd --rxq-assign roundrobin --auto-lb-interval 1000 \
	>"$TMP/switch.log" 2>&1 &
swpid=$!
PIDS+=($swpid)
wait_for "$TMP/switch.log" "control socket" 10 || fail_logs "sluice-switch did not start"
grep -q "2 PMD threads" "$TMP/switch.log" || fail_logs "not 2 PMD threads: $(cat "$TMP/switch.log")"

# The peers, each at its prompt (-i) read from a FIFO: "start" once the memif links are
# up (nothing sent into a link that is not), "stop" ends the traffic while the links stay
# up (the switch drains the rings), "quit" prints the JSON report.
# H on switch ports 0 and 2, L on port 1.
MH=02:00:00:00:00:0a MH2=02:00:00:00:00:0b ML=02:00:00:00:00:0c
peer() { # peer NAME FD VDEV... -- FWD_OPTIONS...
	local name=$1 fd=$2
	shift 2
	mkfifo "$TMP/$name.in"
	nice timeout -s INT 60 "$fwd" --no-huge -l 0-1 --file-prefix "swrb$name$$" "$@" -i --json \
		<"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.log" &
	PIDS+=($!)
	eval "exec $fd>\"\$TMP/\$name.in\""
}
peer h 7 --vdev "$(mdev 0 client 0 $MH)" --vdev "$(mdev 1 client 2 $MH2)" -- \
	--forward-mode txonly --rate "$RATE" --eth-peer 0,$ML --eth-peer 1,$ML
hpid=${PIDS[-1]}
peer l 8 --vdev "$(mdev 0 client 1 $ML)" -- --forward-mode txonly --rate "${LRATE:-1}" \
	--eth-peer 0,$MH
lpid=${PIDS[-1]}
for _ in $(seq 100); do
	up=$(jget 'sum(1 for p in d if p["link"])' port show 2>/dev/null)
	[ "$up" = 3 ] && break
	sleep 0.1
done
[ "$up" = 3 ] || fail_logs "memif links not up ($up of 3)"
echo start >&8 # L first: its MAC is learned before H sends to it (no flooding)
sleep 1.2
echo start >&7
settle || fail_logs "the first placement did not settle"

# 1. both heavy queues on one PMD thread, measured over 2 intervals
sleep 2.5
swctl pmd show
a=$(pmd_of 0) b=$(pmd_of 1) c=$(pmd_of 2)
echo "1. placed: port 0 on pmd $a, port 1 on pmd $b, port 2 on pmd $c"
[ "$a" = 0 ] && [ "$c" = 0 ] && [ "$b" = 1 ] || fail_logs "round robin placement: $a $b $c (want 0 1 0)"
usage() { jget "[q['usage_pct'] for x in d['pmds'] for q in x['rxqs'] if q['port'] == $1][0]" pmd show; }
u0=$(usage 0) u1=$(usage 1) u2=$(usage 2)
echo "   usage: port 0 $u0%, port 1 $u1%, port 2 $u2%"
python3 -c "import sys; sys.exit(not ($u0 > $u1 and $u2 > $u1))" ||
	fail_logs "the heavy queues do not measure heavier: $u0 $u1 $u2"

# 2. rebalance on demand
out=$(swctl pmd rebalance) || fail_logs "pmd rebalance failed: $out"
echo "2. pmd rebalance: $out"
echo "$out" | grep -q "moving [1-9]" || fail_logs "rebalance moved nothing: $out"
settle || fail_logs "the rebalance did not settle"
a=$(pmd_of 0) c=$(pmd_of 2)
echo "   now port 0 on pmd $a, port 2 on pmd $c"
[ "$a" != "$c" ] && [ "$a" != -1 ] && [ "$c" != -1 ] || fail_logs "still together: $a $c"
jget '"   moves and gaps: " + ", ".join("port %d: %d moves, last gap %.1f us" % (q["port"], q["moves"], q["last_gap_us"]) for x in d["pmds"] for q in x["rxqs"])' pmd show
sleep 1.5
swctl pmd show

# 3. run-time pins
out=$(swctl pmd pin 2:0 0) || fail_logs "pmd pin 2:0 0 failed: $out"
settle || fail_logs "the pin did not settle"
p=$(jget "[x['lcore'] for x in d['pmds'] for q in x['rxqs'] if q['port'] == 2][0]" pmd show)
echo "3. pmd pin 2:0 0: $out; port 2 now on lcore $p"
[ "$p" = 0 ] || fail_logs "port 2 not on lcore 0 after the pin: $p"
out=$(swctl pmd pin 2:0 7 2>&1) && fail_logs "a pin to lcore 7 was accepted"
echo "   pin to lcore 7 refused: $out"
echo "$out" | grep -q "lcore '7' is not a PMD thread" || fail_logs "unclear error: $out"
out=$(swctl pmd pin 2:0 none) || fail_logs "unpin failed: $out"
settle || fail_logs "the unpin did not settle"
echo "   unpinned: $out; port 2 on pmd $(pmd_of 2) (round robin: with port 0 on pmd $(pmd_of 0))"

# 4. loss: the peers stop sending, the switch drains, then the peers report
echo stop >&7
echo stop >&8
sleep 1
swctl --json port show >"$TMP/ports.json"
swctl --json stats >"$TMP/stats.json"
echo quit >&7
echo quit >&8
reap "$hpid" || fail_logs "sluice-fwd H failed"
reap "$lpid" || fail_logs "sluice-fwd L failed"
exec 7>&- 8>&-
for x in h l; do grep '^{' "$TMP/$x.out" | tail -1 >"$TMP/$x.json"; done
swctl stats
python3 - "$TMP/h.json" "$TMP/l.json" "$TMP/ports.json" "$TMP/stats.json" <<'PY' ||
import json, sys
h, l, ports, stats = (json.load(open(f)) for f in sys.argv[1:5])
t = stats["total"]
sent = {0: h["ports"][0]["tx_packets"], 2: h["ports"][1]["tx_packets"], 1: l["ports"][0]["tx_packets"]}
full = h["totals"]["drops"]["tx_full"] + l["totals"]["drops"]["tx_full"]
rx = {p["port"]: p["rx"] for p in ports}
print("4. peers sent %s, the switch received %s; peers' tx_full %d" % (sent, rx, full))
ok = True
for p in (0, 1, 2):
    if sent[p] != rx[p]:
        print("FAIL: port %d: sent %d, received %d" % (p, sent[p], rx[p])); ok = False
if full:
    print("FAIL: %d packets found a switch rx ring full" % full); ok = False
ing = sum(v for k, v in t["drops"].items() if k not in ("tx_full", "copy_nombuf"))
egr = t["drops"]["tx_full"] + t["drops"]["copy_nombuf"]
if t["rx"] != t["forwarded"] + t["flooded"] + ing or t["outputs"] != t["sent"] + egr:
    print("FAIL: accounting: %s" % t); ok = False
if t["rx"] != sum(rx.values()):
    print("FAIL: workers counted rx %d, ports %d" % (t["rx"], sum(rx.values()))); ok = False
print("   switch: rx %d = forwarded %d + flooded %d + dropped %d; outputs %d = sent %d + dropped %d" %
      (t["rx"], t["forwarded"], t["flooded"], ing, t["outputs"], t["sent"], egr))
sys.exit(0 if ok else 1)
PY
	fail_logs "packets lost or unaccounted"
kill -TERM "$swpid"
for _ in $(seq 50); do kill -0 "$swpid" 2>/dev/null || break; sleep 0.1; done
reap "$swpid" || fail_logs "sluice-switch exited $? on SIGTERM"
echo PASS
