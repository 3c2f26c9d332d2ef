#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# /metrics read by the real tools: sluice-fwd (interactive, stdin from a FIFO, two null
# ports, --metrics on a loopback port) is scraped every second by Debian's prometheus
# (generated config, its own storage and loopback port in a temporary directory).
#   1. promtool check metrics accepts the page, idle and while forwarding.
#   2. While forwarding, Prometheus holds a growing series of sluice_port_rx_packets_total.
#   3. After `stop` the counters are frozen: once Prometheus has scraped after the stop, the
#      value its HTTP API returns must equal, exactly, port_rx_packets in the forwarder's
#      own final --json report (tens of millions of packets: no accidental match), and
#      bad HTTP requests sent meanwhile have not disturbed anything.
# Usage: metrics_prometheus.sh BUILD_DIR
set -euo pipefail
fwd=${1:?usage: metrics_prometheus.sh BUILD_DIR}/app/fwd/sluice-fwd
. "$(dirname "$0")/lib.sh"
[ -x "$fwd" ] || skip "$fwd not built"
need_tools prometheus promtool curl python3
"$fwd" --help 2>&1 | grep -q -- --metrics || skip "sluice-fwd has no --metrics (no libmicrohttpd)"
TMP=$(mktemp -d)
prefix=metrics-prom-$$

free_ports() { # N free TCP ports on 127.0.0.1 (bound and released: a small race, retried)
  python3 -c 'import socket,sys
ss=[socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
read -r mport pport < <(free_ports 2)
murl=http://127.0.0.1:$mport/metrics
purl=http://127.0.0.1:$pport

# Instant query: prints the value of the first series (or nothing).
query() {
  curl -sf -G --max-time 5 "$purl/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys
r=json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}

echo "== sluice-fwd -i --metrics 127.0.0.1:$mport"
mkfifo "$TMP/in"
"$fwd" --no-huge -l 0-1 --file-prefix "$prefix" --metrics "127.0.0.1:$mport" \
  --vdev net_null0 --vdev net_null1 -- -i --json <"$TMP/in" >"$TMP/fwd.out" 2>"$TMP/fwd.err" &
PIDS+=("$!")
fwd_pid=$!
exec 3>"$TMP/in" # the forwarder's stdin stays open until we say quit
for _ in $(seq 50); do curl -sf --max-time 1 "$murl" >"$TMP/idle.prom" 2>/dev/null && break; sleep 0.2; done
[ -s "$TMP/idle.prom" ] || { cat "$TMP/fwd.err"; fail "no /metrics on 127.0.0.1:$mport"; }
promtool check metrics <"$TMP/idle.prom" || fail "promtool rejects the idle page"

cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sluice
    static_configs:
      - targets: ['127.0.0.1:$mport']
YML
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
  --web.listen-address="127.0.0.1:$pport" --log.level=warn >"$TMP/prom.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do curl -sf --max-time 1 "$purl/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf --max-time 1 "$purl/-/ready" >/dev/null || { cat "$TMP/prom.log"; fail "prometheus not ready"; }

echo "== forwarding, scraped every second"
echo start >&3
sleep 1
curl -sf --max-time 2 "$murl" >"$TMP/live.prom"
promtool check metrics <"$TMP/live.prom" || fail "promtool rejects the page while forwarding"
grep -q '^sluice_lcore_busy_cycles_total{lcore="1",role="worker"} [1-9]' "$TMP/live.prom" ||
  fail "no busy cycles for the worker lcore"
# Bad requests meanwhile: answered, and the server goes on.
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/")" = 404 ] || fail "/ is not a 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$murl")" = 405 ] || fail "POST is not a 405"
printf 'NOT HTTP\r\n\r\n' | timeout 5 python3 -c 'import socket,sys
s=socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(sys.stdin.buffer.read())
s.settimeout(4); s.recv(100)' "$mport" || true
python3 -c 'import socket,sys,time
s=socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(1)' "$mport" & # silent client
PIDS+=("$!")
live=
for _ in $(seq 40); do
  live=$(query 'sluice_port_rx_packets_total{job="sluice",port="net_null0"}')
  [ -n "$live" ] && [ "$live" != 0 ] && break
  sleep 0.25
done
[ -n "$live" ] && [ "$live" != 0 ] || { cat "$TMP/prom.log"; fail "Prometheus has no non-zero sluice_port_rx_packets_total"; }
sleep 2
echo stop >&3
t_stop=$(date +%s.%N)

echo "== stopped: wait for a scrape after the stop"
seen=
for _ in $(seq 60); do
  ts=$(query 'timestamp(sluice_port_rx_packets_total{job="sluice",port="net_null0"})')
  if [ -n "$ts" ] && awk -v a="$ts" -v b="$t_stop" 'BEGIN { exit !(a > b + 0.3) }'; then seen=1; break; fi
  sleep 0.25
done
[ -n "$seen" ] || fail "Prometheus did not scrape after the stop"
prom=$(query 'sluice_port_rx_packets_total{job="sluice",port="net_null0"}')
up=$(query 'up{job="sluice"}')
series=$(curl -sf -G "$purl/api/v1/query" --data-urlencode \
  'query=sluice_port_rx_packets_total{job="sluice",port="net_null0"}[1m]' |
  python3 -c 'import json,sys
v=[int(x[1]) for x in json.load(sys.stdin)["data"]["result"][0]["values"]]
print(len(set(v)), int(all(a <= b for a, b in zip(v, v[1:]))))')
echo quit >&3
exec 3>&-
rc=0
wait "$fwd_pid" || rc=$?
keep=(); for x in "${PIDS[@]}"; do [ "$x" = "$fwd_pid" ] || keep+=("$x"); done; PIDS=("${keep[@]}")
[ "$rc" = 0 ] || { cat "$TMP/fwd.err"; fail "sluice-fwd exited $rc"; }
grep '^{' "$TMP/fwd.out" | tail -1 >"$TMP/report.json"
python3 - "$TMP/report.json" "$prom" "$up" "$series" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
prom, up, (distinct, monotonic) = int(sys.argv[2]), sys.argv[3], map(int, sys.argv[4].split())
p0 = [p for p in r["ports"] if p["name"] == "net_null0"][0]
print("forwarder: net_null0 port_rx_packets %d; Prometheus: %d; up %s; %d distinct "
      "values in the last minute, monotonic %d" % (p0["port_rx_packets"], prom, up, distinct,
                                                   monotonic))
if up != "1":
    sys.exit("FAIL: up{job=\"sluice\"} is %s" % up)
if p0["port_rx_packets"] < 1000000 or prom != p0["port_rx_packets"]:
    sys.exit("FAIL: Prometheus says %d, the forwarder's report %d" % (prom, p0["port_rx_packets"]))
if distinct < 3 or not monotonic:
    sys.exit("FAIL: the scraped series did not grow while forwarding")
PY
echo "metrics through promtool and Prometheus: OK"
