#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_iperf3.sh BUILD_DIR [DRIVER]: TCP through sluice-router (router_lib.sh draws the
# topology; net_af_packet ports, or DRIVER), h1 -> h2, IPv4 then IPv6, each bounded (a 3 s
# connect timeout, 40 s in all):
#   1. iperf3 -n 20M (server in h2, client in h1) completes.
#   2. 20 MiB over one TCP connection (python3 on both ends) arrive intact: the same byte
#      count and SHA-256 at the receiver.
# Then the router's counters: the only drop reasons allowed are drop_ip6_multicast (the
# hosts' own MLD reports and router solicitations) and drop_ip6_local_icmp; every drop
# reason seen is listed, and the ports' own losses (rx_missed: the af_packet ring was
# full) printed; tx_errors is 0 and the accounting balances.
# Needs root (exits 77 otherwise) and iperf3.  Everything it creates is removed on every
# exit path.
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/router_lib.sh"
DRIVER=${2:-net_af_packet}
rt_init "$1" iperf3
rt_topology
rt_start "$DRIVER"
SIZE=20M
BYTES=$((20 * 1024 * 1024))

expect_eq "ping h1 -> h2 $H2_4 (warm-up)" "$(rt_ping "$NS_H1" "$H2_4" 2)" 2
expect_eq "ping h1 -> h2 $H2_6 (warm-up)" "$(rt_ping "$NS_H1" "$H2_6" 2)" 2

# iperf FAMILY SERVER_ADDR: iperf3 -n 20M must complete (the client sent every byte and
# both ends reported).  (iperf3's receiver total misses what was in flight when the
# client ended the test, so the byte-exact check is rt_tcp_exact.)
iperf() {
	local fam=$1 addr=$2 sp i got
	# one test, then the server exits (-1); bounded by timeout either way
	timeout 45 ip netns exec "$NS_H2" iperf3 -s -1 -B "$addr" -p 5201 > "$TMP/srv$fam.log" 2>&1 &
	sp=$!
	PIDS+=("$sp")
	for i in $(seq 50); do
		h2 ss -ltn 2>/dev/null | grep -q ":5201 " && break
		sleep 0.1
	done
	timeout 40 ip netns exec "$NS_H1" iperf3 -c "$addr" -p 5201 -n "$SIZE" \
		--connect-timeout 3000 --json > "$TMP/cli$fam.json" 2> "$TMP/cli$fam.err"
	wait "$sp"
	got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    print("error: " + d["error"])
else:
    e = d["end"]
    print(e["sum_sent"]["bytes"], e["sum_received"]["bytes"],
          int(e["sum_received"]["bits_per_second"] / 1e6), e["sum_sent"].get("retransmits", 0))' \
		"$TMP/cli$fam.json" 2>&1)
	set -- $got
	if [ "${1:-}" -ge "$BYTES" ] 2>/dev/null && [ "${2:-0}" -gt 0 ]; then
		ok "iperf3 -n $SIZE IPv$fam: sent $1, received $2 bytes, $3 Mbit/s, $4 retransmits"
	else
		bad "iperf3 -n $SIZE IPv$fam: $got"
		cat "$TMP/cli$fam.err" "$TMP/srv$fam.log"
	fi
}

iperf 4 "$H2_4"
iperf 6 "$H2_6"
rt_tcp_exact 4 "$H2_4" "$BYTES"
rt_tcp_exact 6 "$H2_6" "$BYTES"

rt_accounting "after iperf3"
seen=$(rt_drops_all)
echo "drops seen: $seen"
unexpected=$(echo "$seen" | tr ' ' '\n' | grep -v "^drop_ip6_multicast=\|^drop_ip6_local_icmp=\|^$" | tr '\n' ' ')
expect_eq "unexpected drops" "$unexpected" ""
# the ports' own losses: rx_missed is the kernel finding the ring full (the worker shares
# two CPUs with both hosts' TCP stacks here: TCP retransmits them), reported, not failed
echo "port losses: $(rt_get "' '.join('%s: rx_missed %d rx_nombuf %d tx_errors %d' % (p['name'], p['rx_missed'], p['rx_nombuf'], p['tx_errors']) for p in d['ports'])" stats)"
expect_eq "port tx_errors" "$(rt_get "sum(p['tx_errors'] for p in d['ports'])" stats)" 0
rt_finish
