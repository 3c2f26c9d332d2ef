#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_route_churn.sh BUILD_DIR: route changes under traffic (router_lib.sh draws the
# topology; net_af_packet ports).  h2 gets second addresses 10.0.3.2/24 and
# 2001:db8:3::2/64 that the router reaches through `route add 10.0.3.0/24 via 10.0.2.2`
# (and 2001:db8:3::/64 via 2001:db8:2::2).  While
#     steady flows  h1 ping -i 0.01 -c 500 10.0.2.2 and 2001:db8:2::2
#     doomed flows  h1 ping -i 0.05 -c 100 10.0.3.2 and 2001:db8:3::2
# run, one sluice-routerctl (commands on stdin, one connection) adds and deletes 200
# unrelated routes of each family (10.200.X.0/24, 10.201.X.16/28 (the LPM's second
# level), 10.202.X.1/32, blackholes among them; 2001:db8:200:X::/64, 2001:db8:201:X::/56),
# and half-way deletes 10.0.3.0/24 and 2001:db8:3::/64.  Then:
#   1. the steady flows lost nothing (500 of 500 answered each);
#   2. every doomed request was answered or got "Destination Net Unreachable" / "No route"
#      from the router, the answers all before the errors, at least 10 errors each; the
#      routers' ip4_icmp_error / ip6_icmp_error built exactly as many errors as ping saw;
#   3. every routerctl command succeeded, `route show all` has the routes of before less
#      the two deleted, `route get` of a churned prefix says no route, and no neighbour
#      leaked (the same four reachable ones);
#   4. `route show --json` names each own address's route "local" (not another route's
#      next hop); the accounting balances and no drop reason other than
#      drop_ip6_multicast showed up.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/router_lib.sh"
rt_init "$1"
rt_topology
h2 ip addr add 10.0.3.2/24 dev "$RH2" || fail "cannot add 10.0.3.2 on h2"
h2 ip addr add 2001:db8:3::2/64 dev "$RH2" nodad || fail "cannot add 2001:db8:3::2 on h2"
RT_STARTUP_EXTRA="route add 10.0.3.0/24 via $H2_4
route add 2001:db8:3::/64 via $H2_6"
rt_start net_af_packet

for a in "$H2_4" "$H2_6" 10.0.3.2 2001:db8:3::2; do
	expect_eq "ping h1 -> $a (warm-up)" "$(rt_ping "$NS_H1" "$a" 1)" 1
done
routes_before=$(rt_get "len(d)" route show all)
b4=$(rt_node ip4_icmp_error)
b6=$(rt_node ip6_icmp_error)

# the flows (bounded: ping -c, -w deadline, timeout)
timeout 30 ip netns exec "$NS_H1" ping -n -q -c 500 -i 0.01 -W 2 "$H2_4" > "$TMP/steady4" 2>&1 &
PIDS+=($!)
timeout 30 ip netns exec "$NS_H1" ping -n -q -c 500 -i 0.01 -W 2 "$H2_6" > "$TMP/steady6" 2>&1 &
PIDS+=($!)
timeout 30 ip netns exec "$NS_H1" ping -n -c 100 -i 0.05 -W 2 10.0.3.2 > "$TMP/doomed4" 2>&1 &
PIDS+=($!)
timeout 30 ip netns exec "$NS_H1" ping -n -c 100 -i 0.05 -W 2 2001:db8:3::2 > "$TMP/doomed6" 2>&1 &
PIDS+=($!)

# the churn: 200 rounds of add + del in each family, about 10 ms a round, the doomed
# prefixes deleted at round 100
python3 - 200 <<'EOF' > "$TMP/churn.in"
import sys
n = int(sys.argv[1])
for i in range(n):
    x = i % 250
    v4 = ["10.200.%d.0/24 via 10.0.2.2" % x, "10.201.%d.16/28 via 10.0.2.2" % x,
          "10.202.%d.1/32 blackhole" % x, "10.203.%d.0/24 reject" % x][i % 4]
    v6 = ["2001:db8:200:%x::/64 via 2001:db8:2::2" % x, "2001:db8:201:%x00::/56 blackhole" % x][i % 2]
    print("route add " + v4)
    print("route add " + v6)
    print("route del " + v4.split()[0])
    print("route del " + v6.split()[0])
    if i == n // 2:
        print("route del 10.0.3.0/24")
        print("route del 2001:db8:3::/64")
EOF
sleep 0.5
python3 -c 'import sys, time
for line in open(sys.argv[1]):
    sys.stdout.write(line)
    sys.stdout.flush()
    time.sleep(0.0025)' "$TMP/churn.in" | timeout 30 "$ROUTERCTL" -s "$RT_SOCK" > "$TMP/churn.out" 2> "$TMP/churn.err"
crc=$?
for p in "${PIDS[@]}"; do wait "$p"; done
PIDS=()

# 1. steady flows
for f in 4 6; do
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/steady$f")
	if [ "$got" = 500 ]; then
		ok "steady IPv$f flow: 500 of 500 answered during the churn"
	else
		bad "steady IPv$f flow: ${got:-?} of 500 answered"
		cat "$TMP/steady$f"
	fi
done

# 2. doomed flows: answers, then errors, nothing lost, nothing out of order
for f in "4 10.0.3.2 Destination Net Unreachable" "6 2001:db8:3::2 Destination unreachable: No route"; do
	set -- $f
	fam=$1 dst=$2
	shift 2
	r=$(python3 - "$TMP/doomed$fam" "$*" <<'EOF'
import re, sys
text, pat = open(sys.argv[1]).read(), sys.argv[2]
rep = sorted(int(m) for m in re.findall(r"bytes from .* icmp_seq=(\d+)", text))
err = sorted(int(m) for m in re.findall(r"^From \S+ icmp_seq=(\d+) " + re.escape(pat), text, re.M))
order = "ordered" if not rep or not err or max(rep) < min(err) else "interleaved"
print(len(rep), len(err), len(set(rep) | set(err)), order)
EOF
)
	set -- $r
	if [ "$3" = 100 ] && [ "$4" = ordered ] && [ "$2" -ge 10 ] && [ "$1" -ge 10 ]; then
		ok "doomed IPv$fam flow: $1 answered, then $2 net unreachable (all 100 accounted for)"
	else
		bad "doomed IPv$fam flow: $1 answered, $2 net unreachable, $3 of 100 seen, $4"
		cat "$TMP/doomed$fam"
	fi
	eval "err$fam=$2"
done
expect_eq "ip4_icmp_error built == net unreachable seen" "$(($(rt_node ip4_icmp_error) - b4))" "$err4"
expect_eq "ip6_icmp_error built == no route seen" "$(($(rt_node ip6_icmp_error) - b6))" "$err6"

# 3. the tables afterwards
if [ "$crc" = 0 ] && ! [ -s "$TMP/churn.err" ]; then
	ok "routerctl: all $(wc -l < "$TMP/churn.in") churn commands succeeded"
else
	bad "routerctl churn: exit $crc: $(head -5 "$TMP/churn.err")"
fi
expect_eq "route show all: routes" "$(rt_get "len(d)" route show all)" $((routes_before - 2))
for a in 10.200.7.1 10.201.7.17 10.202.7.1 10.0.3.2 2001:db8:200:7::1 2001:db8:3::2; do
	expect_eq "route get $a" "$(rt_get "d['nh']" route get "$a")" None
done
expect_eq "neighbours" "$(rt_get "' '.join(sorted(n['ip'] + '=' + n['state'] for n in d))" neighbour show)" \
	"10.0.1.2=reachable 10.0.2.2=reachable 2001:db8:1::2=reachable 2001:db8:2::2=reachable"

# 4. route show names the local routes, accounting, drops
r=$(rt_get "' '.join(sorted('%s=%s' % (x['prefix'], x['nexthop']) for x in d if x['prefix'] in ('10.0.1.1/32', '10.0.2.1/32', '2001:db8:1::1/128', '2001:db8:2::1/128')))" route show all)
want="10.0.1.1/32=local 10.0.2.1/32=local 2001:db8:1::1/128=local 2001:db8:2::1/128=local"
if [ "$r" = "$want" ]; then
	ok "route show: own addresses are local routes"
else
	bad "route show: own addresses' routes show '$r', expected '$want' (route.c rt_route_show ignores nh_text's return value)"
fi
rt_accounting "after churn"
seen=$(rt_drops_all)
echo "drops seen: $seen"
unexpected=$(echo "$seen" | tr ' ' '\n' | grep -v "^drop_ip6_multicast=\|^$" | tr '\n' ' ')
expect_eq "unexpected drops" "$unexpected" ""
rt_finish
