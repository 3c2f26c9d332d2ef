#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_unreachable.sh BUILD_DIR: the ICMP errors and drops of sluice-router for traffic it
# cannot deliver (router_lib.sh draws the topology; net_af_packet ports).  From h1, N echo
# requests to each of:
#   1. 198.51.100.1 and 2001:db8:99::1: no route (the router has no default route): each
#      gets "Destination Net Unreachable" from 10.0.1.1 / "Destination unreachable: No
#      route" from 2001:db8:1::1.
#   2. `route add 203.0.113.0/24 reject`, `route add 2001:db8:dead::/48 reject`: "Destination
#      Host Unreachable" / "Destination unreachable: Address unreachable".
#   3. `route add 192.0.2.0/24 blackhole`, `route add 2001:db8:beef::/48 blackhole`: no
#      answer at all; drop_ip4_blackhole / drop_ip6_blackhole grow by exactly N.
#   4. a host that does not exist on h2's subnet (10.0.2.99, 2001:db8:2::99): the router
#      asks 3 times, then answers "Destination Host Unreachable" / "Address unreachable";
#      neigh_failed counts the held packet and `neighbour show` has the entry failed.
#      At the same time 20 requests in 0.2 s to 10.0.2.98: 16 are held (RT_HOLD_MAX) and
#      get host unreachable, 4 are dropped (neigh_hold_full).
# For each of 1, 2 and 4 the ip4_icmp_error / ip6_icmp_error node must have seen exactly
# the errors ping reported, and no error may have been refused (drop_icmp_not_sent,
# drop_icmp_rate_limit and their IPv6 twins stay 0).
#   5. a second router with --icmp-rate 10: 100 requests 3 ms apart to 198.51.100.1 get
#      from 10 (the bucket is full at start) to 10 + 10 a second of the run errors;
#      errors sent + drop_icmp_rate_limit == 100.
# And the accounting balances after each router's traffic.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/router_lib.sh"
rt_init "$1"
rt_topology
RT_STARTUP_EXTRA="route add 203.0.113.0/24 reject
route add 2001:db8:dead::/48 reject
route add 192.0.2.0/24 blackhole
route add 2001:db8:beef::/48 blackhole"
rt_start net_af_packet
N=5

# the router learns h1 (and h1 the router) first
expect_eq "ping h1 -> router $R0_4" "$(rt_ping "$NS_H1" "$R0_4" 1)" 1
expect_eq "ping h1 -> router $R0_6" "$(rt_ping "$NS_H1" "$R0_6" 1)" 1

# pings NAME DST PATTERN FROM ICMP_NODE COUNT WAIT: COUNT requests, every one must be
# answered with an error matching PATTERN from FROM, and ICMP_NODE must have built
# exactly as many errors.
pings() {
	local what=$1 dst=$2 pat=$3 from=$4 node=$5 n=$6 w=$7 before after out got
	before=$(rt_node "$node")
	out=$(timeout $((n + w + 10)) ip netns exec "$NS_H1" ping -n -c "$n" -i 0.2 -W "$w" "$dst" 2>&1)
	got=$(echo "$out" | grep -c "^From $from icmp_seq=[0-9]* $pat")
	if [ "$got" = "$n" ]; then
		ok "$what: $n x '$pat' from $from"
	else
		bad "$what: $got of $n echo requests got '$pat' from $from"
		echo "$out"
	fi
	after=$(rt_node "$node")
	expect_eq "$what: $node built" "$((after - before))" "$n"
}

# 1. no route
pings "no route v4" 198.51.100.1 "Destination Net Unreachable" "$R0_4" ip4_icmp_error $N 1
pings "no route v6" 2001:db8:99::1 "Destination unreachable: No route" "$R0_6" ip6_icmp_error $N 1
# 2. reject routes
pings "reject v4" 203.0.113.7 "Destination Host Unreachable" "$R0_4" ip4_icmp_error $N 1
pings "reject v6" 2001:db8:dead::7 "Destination unreachable: Address unreachable" "$R0_6" \
	ip6_icmp_error $N 1

# 3. blackholes: nothing comes back, each request is counted
for v in "4 192.0.2.7 drop_ip4_blackhole" "6 2001:db8:beef::7 drop_ip6_blackhole"; do
	set -- $v
	before=$(rt_drop "$3")
	out=$(timeout 15 ip netns exec "$NS_H1" ping -n -c $N -i 0.2 -W 1 "$2" 2>&1)
	if echo "$out" | grep -q "^From\|bytes from"; then
		bad "blackhole v$1: $2 got an answer"
		echo "$out"
	else
		ok "blackhole v$1: no answer from $2"
	fi
	expect_eq "blackhole v$1: $3 grew by" "$(($(rt_drop "$3") - before))" $N
done

# 4. neighbours that never answer: 3 requests a second apart, then host unreachable for
# what was held; both families and a hold-queue overflow at once (each waits ~3 s)
b4=$(rt_node ip4_icmp_error)
b6=$(rt_node ip6_icmp_error)
bf=$(rt_cstat neigh_failed)
bh=$(rt_cstat neigh_hold_full)
timeout 15 ip netns exec "$NS_H1" ping -n -c 1 -W 6 10.0.2.99 > "$TMP/nf4" 2>&1 &
p4=$!
timeout 15 ip netns exec "$NS_H1" ping -n -c 1 -W 6 2001:db8:2::99 > "$TMP/nf6" 2>&1 &
p6=$!
# 20 requests in 0.2 s for one more missing host: 16 (RT_HOLD_MAX) wait, 4 do not fit
timeout 15 ip netns exec "$NS_H1" ping -n -c 20 -i 0.01 -W 5 10.0.2.98 > "$TMP/nfh" 2>&1 &
ph=$!
PIDS+=("$p4" "$p6" "$ph")
wait "$p4" "$p6"
# (the entries stay failed for 3 s, then go; 10.0.2.98's ping still waits for its last 4).
# 10.0.2.98's ping started a little after the others (a slow machine: ASan, load), so its
# entry may fail up to a second later: look for a second before judging.
want="10.0.2.98=failed 10.0.2.99=failed 2001:db8:2::99=failed"
for _ in $(seq 10); do
	st=$(rt_get "' '.join(sorted(n['ip'] + '=' + n['state'] for n in d if n['ip'] in ('10.0.2.98', '10.0.2.99', '2001:db8:2::99')))" neighbour show)
	[ "$st" = "$want" ] && break
	sleep 0.1
done
expect_eq "missing neighbours in neighbour show" "$st" "$want"
wait "$ph"
PIDS=()
if grep -q "^From $R0_4 icmp_seq=1 Destination Host Unreachable" "$TMP/nf4"; then
	ok "missing neighbour 10.0.2.99: Destination Host Unreachable from $R0_4"
else
	bad "missing neighbour 10.0.2.99: no host unreachable"
	cat "$TMP/nf4"
fi
if grep -q "^From $R0_6 icmp_seq=1 Destination unreachable: Address unreachable" "$TMP/nf6"; then
	ok "missing neighbour 2001:db8:2::99: Address unreachable from $R0_6"
else
	bad "missing neighbour 2001:db8:2::99: no address unreachable"
	cat "$TMP/nf6"
fi
expect_eq "missing neighbour 10.0.2.98, 20 requests: host unreachable" \
	"$(grep -c "^From $R0_4 icmp_seq=[0-9]* Destination Host Unreachable" "$TMP/nfh")" 16
expect_eq "missing neighbour 10.0.2.98: neigh_hold_full grew by" "$(($(rt_cstat neigh_hold_full) - bh))" 4
expect_eq "missing neighbours: ip4_icmp_error built" "$(($(rt_node ip4_icmp_error) - b4))" 17
expect_eq "missing neighbours: ip6_icmp_error built" "$(($(rt_node ip6_icmp_error) - b6))" 1
expect_eq "missing neighbours: neigh_failed grew by" "$(($(rt_cstat neigh_failed) - bf))" 18
for r in drop_icmp_not_sent drop_icmp_rate_limit drop_ip6_icmp_not_sent drop_ip6_icmp_ratelimit; do
	expect_eq "$r" "$(rt_drop "$r")" 0
done
rt_accounting "router 1"
echo "drops seen: $(rt_drops_all)"
rt_stop || bad "sluice-router exited with an error"

# 5. the rate limit: 10 errors a second, burst 10
RT_STARTUP_EXTRA=
rt_start net_af_packet -- --icmp-rate 10
expect_eq "ping h1 -> router $R0_4" "$(rt_ping "$NS_H1" "$R0_4" 1)" 1
t0=$(date +%s%N)
out=$(timeout 20 ip netns exec "$NS_H1" ping -n -c 100 -i 0.003 -W 1 198.51.100.1 2>&1)
t=$((($(date +%s%N) - t0) / 1000000)) # ms, the 1 s wait at the end included
got=$(echo "$out" | grep -c "Destination Net Unreachable")
lim=$(rt_drop drop_icmp_rate_limit)
max=$((10 + 10 * t / 1000 + 1)) # the burst, then 10 a second
if [ "$got" -ge 10 ] && [ "$got" -le "$max" ]; then
	ok "--icmp-rate 10: $got of 100 requests answered in $t ms (10 to $max)"
else
	bad "--icmp-rate 10: $got of 100 requests answered in $t ms, expected 10 to $max"
fi
expect_eq "--icmp-rate 10: answered + drop_icmp_rate_limit" "$((got + lim))" 100
rt_accounting "router 2"
rt_finish
