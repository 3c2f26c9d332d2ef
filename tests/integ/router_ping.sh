#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_ping.sh BUILD_DIR [DRIVER]: sluice-router forwards between two kernel hosts
# (router_lib.sh draws the topology), with net_af_packet ports, or DRIVER (net_af_xdp:
# router_ping_xdp.sh, which also checks that the XDP programs come and go).
#   1. h1 -> h2 ping, 10 echo requests each for IPv4 and IPv6: all 10 answered.
#   2. h1 -> the router's own addresses (10.0.1.1, 10.0.2.1, 2001:db8:1::1,
#      2001:db8:2::1, its link-local fe80:: address on h1's link and ff02::2, all routers)
#      and h2 -> 10.0.2.1, 2001:db8:2::1: all answered.  `trace add 8 icmp` then shows
#      one echo request's and its reply's way through the nodes.
#   3. `neighbour show --json` lists 10.0.1.2, 10.0.2.2, 2001:db8:1::2, 2001:db8:2::2
#      reachable, each on its port with the host's MAC.
#   4. 2 MiB over TCP h1 -> h2 in each family arrive intact (count and SHA-256); with
#      net_af_packet 1 MiB more each with the hosts' tx checksum offload on (the port
#      completes the partial checksums).
#   5. the accounting once traffic stopped (router_lib.sh rt_accounting): balance 0, port
#      rx == port_rx sources, in == rx + inject, sent == port tx, dropped == drop reasons;
#      and ip4_rewrite/ip6_rewrite saw at least every echo of step 1.
#   5b. the graph through telemetry and Prometheus: dpdk-telemetry.py lists the worker's
#      graph and gives ip4_rewrite the packets routerctl counts, and the router's /metrics
#      page (--metrics, curl in its namespace) says the same in
#      sluice_graph_node_packets_total{node="ip4_rewrite"}.
#   6. sluice-router exits 0 on SIGTERM.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/router_lib.sh"
DRIVER=${2:-net_af_packet}
rt_init "$1"
rt_topology
METRICS_PORT=9464
RT_RUNTIME_EXTRA="--metrics 127.0.0.1:$METRICS_PORT"
rt_start "$DRIVER"
echo "router: $DRIVER ports"
if [ "${DRIVER%%,*}" = net_af_xdp ]; then
	for v in "$RP0" "$RP1"; do
		if rr ip -d link show dev "$v" | grep -q "prog/xdp"; then
			ok "XDP program attached to $v"
		else
			bad "no XDP program on $v"
		fi
	done
fi

N=10
# 1. across, both families
expect_eq "ping h1 -> h2 $H2_4 ($N)" "$(rt_ping "$NS_H1" "$H2_4" $N)" $N
expect_eq "ping h1 -> h2 $H2_6 ($N)" "$(rt_ping "$NS_H1" "$H2_6" $N)" $N

# 2. the router's own addresses, from both sides
for a in "$R0_4" "$R1_4" "$R0_6" "$R1_6"; do
	expect_eq "ping h1 -> router $a (3)" "$(rt_ping "$NS_H1" "$a" 3)" 3
done
for a in "$R1_4" "$R1_6"; do
	expect_eq "ping h2 -> router $a (3)" "$(rt_ping "$NS_H2" "$a" 3)" 3
done

# the router's link-local address on h1's link, and the all-routers group
ll=$(rt_get "[a for a in [i for i in d if i['port'] == 0][0]['addresses'] if a.startswith('fe80')][0].split('/')[0]" interface show)
expect_eq "ping h1 -> router $ll%$RH1 (3)" "$(rt_ping "$NS_H1" "$ll%$RH1" 3)" 3
expect_eq "ping h1 -> ff02::2%$RH1, all routers (3)" "$(rt_ping "$NS_H1" "ff02::2%$RH1" 3)" 3

# the packet trace: one echo request and its reply, node by node.  (Once in about ten
# net_af_xdp runs the first session caught nothing at all, not reproducible on demand:
# a second session is tried then, and the miss reported.)
want="port_rx-p0q0 eth_input ip4_input ip4_lookup ip4_rewrite port_tx / port_rx-p1q0 eth_input ip4_input ip4_lookup ip4_rewrite port_tx"
for try in 1 2; do
	rtctl trace add 8 icmp > /dev/null || bad "trace add 8 icmp failed"
	tp=$(rt_ping "$NS_H1" "$H2_4" 1)
	got=$(rt_get "' / '.join(' '.join(x['node'] for x in d if x['packet'] == k) for k in sorted(set(x['packet'] for x in d)))" trace show)
	[ "$got" = "$want" ] && break
	echo "WARNING: trace session $try: ping answered $tp of 1, traced '$got'; $(rtctl trace show | head -1)"
done
if [ "$got" = "$want" ]; then
	ok "trace show: the echo request's and reply's paths (session $try): $got"
else
	bad "trace show: the echo request's and reply's paths: got '$got', expected '$want'"
	rtctl trace show
fi
rtctl trace clear || bad "trace clear failed"

# 3. neighbours: both hosts, both families, reachable, on the right port, right MAC
mac1=$(h1 cat "/sys/class/net/$RH1/address")
mac2=$(h2 cat "/sys/class/net/$RH2/address")
rtjson neighbour show > "$TMP/neigh.json" || bad "neighbour show --json failed"
for e in "$H1_4 0 $mac1" "$H2_4 1 $mac2" "$H1_6 0 $mac1" "$H2_6 1 $mac2"; do
	set -- $e
	got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
m = [n for n in d if n["ip"] == sys.argv[2]]
print(" ".join("%s port %d %s" % (n["state"], n["port"], n["mac"].lower()) for n in m) or "absent")' \
		"$TMP/neigh.json" "$1")
	expect_eq "neighbour $1" "$got" "reachable port $2 $3"
done

# 4. TCP too: 2 MiB each way of the families, byte for byte (the hosts send complete
# checksums: tx offload is off on their veths)
rt_tcp_exact 4 "$H2_4" $((2 << 20))
rt_tcp_exact 6 "$H2_6" $((2 << 20))
# net_af_packet completes the TCP/UDP checksums a sender left to an offload: with tx
# checksum offload back on (segmentation offloads off: 64 KiB GSO frames are more than
# a router port takes), TCP still arrives intact.  (net_af_xdp cannot: the partial
# state does not survive XDP, so h2 sees bad checksums.)
if [ "${DRIVER%%,*}" = net_af_packet ] && command -v ethtool > /dev/null; then
	h1 ethtool -K "$RH1" tx on gso off tso off > /dev/null 2>&1 &&
		h2 ethtool -K "$RH2" tx on gso off tso off > /dev/null 2>&1 ||
		bad "ethtool -K tx on gso off tso off failed"
	echo "hosts' tx checksum offload on:"
	rt_tcp_exact 4 "$H2_4" $((1 << 20))
	rt_tcp_exact 6 "$H2_6" $((1 << 20))
	h1 ethtool -K "$RH1" tx off > /dev/null 2>&1
	h2 ethtool -K "$RH2" tx off > /dev/null 2>&1
fi

# 5. accounting, and every forwarded echo request and reply went through rewrite
rt_accounting "after ping"
expect_ge "ip4_rewrite packets (2 x $N forwarded)" "$(rt_node ip4_rewrite)" $((2 * N))
expect_ge "ip6_rewrite packets (2 x $N forwarded)" "$(rt_node ip6_rewrite)" $((2 * N))
echo "drops seen: $(rt_drops_all)"

# 5b. the graph through telemetry (DPDK's client) and Prometheus
if command -v dpdk-telemetry.py > /dev/null && command -v curl > /dev/null; then
	want=$(rt_node ip4_rewrite)
	tel=$(printf '/sluice/graph/list\n' | dpdk-telemetry.py -f "$RT_PREFIX" |
		python3 -c 'import json,sys; print(" ".join(json.loads(sys.stdin.readline())["/sluice/graph/list"]))')
	[ -n "$tel" ] || fail "telemetry lists no graph"
	got=0
	for g in $tel; do
		n=$(printf '/sluice/graph/nodes,%s\n' "$g" | dpdk-telemetry.py -f "$RT_PREFIX" |
			python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["/sluice/graph/nodes"].get("ip4_rewrite", {}).get("packets", 0))')
		got=$((got + n))
	done
	[ "$got" = "$want" ] || fail "telemetry: ip4_rewrite $got packets, routerctl $want"
	page=$(ip netns exec "$NS_R" curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics")
	prom=$(echo "$page" | awk '/^sluice_graph_node_packets_total\{.*node="ip4_rewrite"/ { s += $NF } END { print s + 0 }')
	[ "$prom" = "$want" ] || fail "/metrics: ip4_rewrite $prom packets, routerctl $want"
	echo "telemetry and /metrics: graph(s) $tel, ip4_rewrite $got packets"
else
	echo "5b skipped: dpdk-telemetry.py or curl not installed"
fi

# 6. a clean stop (net_af_xdp: and no XDP program left behind)
rt_stop
expect_eq "sluice-router exit status after SIGTERM" "$?" 0
if [ "${DRIVER%%,*}" = net_af_xdp ]; then
	for v in "$RP0" "$RP1"; do
		if rr ip link show dev "$v" | grep -qE " xdp|prog/xdp"; then
			bad "an XDP program is still on $v after the router stopped"
		else
			ok "no XDP program left on $v"
		fi
	done
fi
rt_finish
