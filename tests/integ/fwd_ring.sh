#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# sluice-fwd over in-memory ports: nothing is lost and the counters add up.
#   1. io: a null port feeds two ring ports wired in a loop (ring x: port 1 -> port 2,
#      ring y: port 2 -> port 1); every packet crosses both; check each ring's two ends
#      agree exactly, no drop other than draining at stop, and the totals balance.
#   2. txonly with --packets N: exactly N generated and sent.
#   3. txonly 1500-byte frames are identical to the template (written once per buffer).
#   4. SIGTERM stops a run with no --duration, and the report still balances.
# Usage: fwd_ring.sh BUILD_DIR
set -euo pipefail
fwd=${1:?usage: fwd_ring.sh BUILD_DIR}/app/fwd/sluice-fwd
. "$(dirname "$0")/lib.sh"
[ -x "$fwd" ] || skip "$fwd not built"
TMP=$(mktemp -d)
eal=(--no-huge -l 0-1 --file-prefix "fwd-ring-$$")

echo "== io through two ring ports"
timeout -s KILL 60 "$fwd" "${eal[@]}" --vdev net_null0 --vdev net_ring0,tx=x,rx=y \
  --vdev net_ring1,rx=x,tx=y -- --packets 300000 --json >"$TMP/io.json"
python3 - "$TMP/io.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = {q["id"]: q for q in r["ports"]}
t = r["totals"]
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what + "\n" + json.dumps(r, indent=1))
check(r["accounting_ok"], "accounting_ok")
check(t["rx_packets"] >= 300000, "stopped before 300000 packets")
check(t["rx_packets"] + t["generated"] == t["tx_packets"] + t["dropped"] + t["consumed"],
      "received + generated = sent + dropped + consumed")
for q in r["ports"]:
    extra = {k: v for k, v in q["drops"].items() if k != "drained_at_stop" and v}
    check(not extra, "drops other than at stop on port %d: %s" % (q["id"], extra))
    check(q["rx_packets"] == q["port_rx_packets"], "port %d rx counters differ" % q["id"])
# The rings lose nothing: what one end sent, the other end received.
check(p[1]["port_tx_packets"] == p[2]["port_rx_packets"], "ring x: port 1 tx != port 2 rx")
check(p[2]["port_tx_packets"] == p[1]["port_rx_packets"], "ring y: port 2 tx != port 1 rx")
check(p[1]["port_tx_bytes"] == p[2]["port_rx_bytes"], "ring x bytes")
check(p[0]["port_tx_packets"] == p[1]["port_rx_packets"] - p[1]["dropped"], "back to the null port")
print("io: %d packets through the rings, accounted for" % p[2]["port_rx_packets"])
PY

echo "== txonly --packets 1500 into a looped ring port that holds them all"
timeout -s KILL 60 "$fwd" "${eal[@]}" --vdev net_ring0,size=2048 -- --forward-mode txonly \
  --packets 1500 --json >"$TMP/tx.json"
python3 - "$TMP/tx.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
# Sent into the ring, then received back from it when draining at stop.
if not (t["generated"] == 1500 and t["tx_packets"] == 1500 and r["accounting_ok"] and
        t["rx_packets"] == 1500 and t["drops"]["drained_at_stop"] == 1500 and
        t["dropped"] == 1500):
    sys.exit("FAIL: txonly did not send exactly 1500\n" + json.dumps(r, indent=1))
print("txonly: 1500 generated and sent")
PY

echo "== txonly 1500-byte frames are all the template, also when buffers are reused"
if "$fwd" --help 2>/dev/null | grep -q net_pcap; then
  timeout -s KILL 60 "$fwd" "${eal[@]}" --vdev "net_pcap0,tx_pcap=$TMP/tx.pcap" -- \
    --forward-mode txonly --txpkts 1500 --packets 10000 --stats-period 0 >/dev/null
  python3 - "$TMP/tx.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, frames = 24, []
while off < len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    frames.append(d[off + 16:off + 16 + incl])
    off += 16 + incl
if len(frames) != 10000 or len(set(frames)) != 1 or len(frames[0]) != 1500:
    sys.exit("FAIL: %d frames, %d different, first %d bytes" %
             (len(frames), len(set(frames)), len(frames[0]) if frames else 0))
print("txonly: 10000 identical 1500-byte frames (more than the pool holds)")
PY
else
  echo "skipped: net_pcap not built"
fi

echo "== SIGTERM stops the forwarder"
"$fwd" "${eal[@]}" --vdev net_null0 --vdev net_ring0 -- --stats-period 0 >"$TMP/term.out" 2>&1 &
pid=$!
PIDS+=("$pid")
sleep 1
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  kill -KILL "$pid" # it ignored SIGTERM: the cleanup's SIGTERM would not stop it either
  fail "still running 5 s after SIGTERM"
fi
rc=0
wait "$pid" || rc=$?
PIDS=() # reaped: its PID may be reused
[ "$rc" = 0 ] || { cat "$TMP/term.out"; fail "exit status $rc after SIGTERM"; }
grep -q "every packet accounted for" "$TMP/term.out" ||
  { cat "$TMP/term.out"; fail "no balanced report after SIGTERM"; }
echo "fwd over ring ports: OK"
