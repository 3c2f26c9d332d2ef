#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_pmtu.sh BUILD_DIR: path MTU discovery through sluice-router (router_lib.sh draws
# the topology; net_af_packet ports).  The hosts' MTUs stay 1500; the router's egress
# interface towards h2 (port 1) gets a smaller one with `interface set 1 mtu M`:
#   M = 1000 (IPv4):
#     1. `tracepath -n 10.0.2.2` from h1 reports "pmtu 1000" and reaches h2 in 2 hops.
#     2. with the host's PMTU cache flushed, `ping -M do -s 1400` gets "Frag needed and DF
#        set (mtu = 1000)" from 10.0.1.1; a 1000-byte packet (-s 972) still goes through,
#        a 1001-byte one (-s 973, cache flushed) gets the error.
#   M = 1280 (both families; host caches flushed):
#     3. `ping -M do -s 1400 10.0.2.2` gets "(mtu = 1280)"; `ping -s 1400 2001:db8:2::2`
#        gets "Packet too big: mtu=1280" from 2001:db8:1::1; 1280-byte packets pass in both.
#        Without DF (-M dont -s 1400) the packet is dropped (drop_ip4_frag_unsupported:
#        the router does not fragment).
#     4. `tracepath -n 10.0.2.2` and `tracepath -6 -n 2001:db8:2::2` report "pmtu 1280".
# The router counts what it refused in ip4_icmp_error / ip6_icmp_error (no rate limit, no
# refused error), the hosts' MTUs are still 1500 and the accounting balances.
# Needs root (exits 77 otherwise) and tracepath (iputils-tracepath).  Everything it
# creates is removed on every exit path.
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/router_lib.sh"
rt_init "$1" tracepath
rt_topology
rt_start net_af_packet

expect_eq "ping h1 -> h2 $H2_4 (warm-up)" "$(rt_ping "$NS_H1" "$H2_4" 2)" 2
expect_eq "ping h1 -> h2 $H2_6 (warm-up)" "$(rt_ping "$NS_H1" "$H2_6" 2)" 2

flush() { h1 ip route flush cache; h1 ip -6 route flush cache; }

# tp WHAT PMTU ARGS...: tracepath from h1 must reach its target with "pmtu PMTU"
tp() {
	local what=$1 want=$2 out
	shift 2
	out=$(timeout 30 ip netns exec "$NS_H1" tracepath -n -m 5 "$@" 2>&1)
	if echo "$out" | grep -q "Resume: pmtu $want hops 2 back 2"; then
		ok "$what: pmtu $want, 2 hops"
	else
		bad "$what: no 'Resume: pmtu $want hops 2 back 2'"
		echo "$out"
	fi
}

# big WHAT PATTERN ARGS...: one ping from h1 (cache flushed) must get PATTERN back
big() {
	local what=$1 pat=$2 out
	shift 2
	flush
	out=$(timeout 10 ip netns exec "$NS_H1" ping -n -c 1 -W 2 "$@" 2>&1)
	if echo "$out" | grep -q "$pat"; then
		ok "$what: '$pat'"
	else
		bad "$what: no '$pat'"
		echo "$out"
	fi
}

# fits WHAT ARGS...: one ping from h1 (cache flushed) must be answered
fits() {
	local what=$1
	shift
	flush
	if timeout 10 ip netns exec "$NS_H1" ping -n -c 1 -W 2 "$@" > "$TMP/fits" 2>&1; then
		ok "$what: answered"
	else
		bad "$what: not answered"
		cat "$TMP/fits"
	fi
}

rtctl interface set 1 mtu 1000 || bad "interface set 1 mtu 1000 failed"
expect_eq "interface 1 mtu" "$(rt_get "[i['mtu'] for i in d if i['port'] == 1][0]" interface show)" 1000
e4=$(rt_node ip4_icmp_error)
tp "tracepath v4, router mtu 1000" 1000 "$H2_4"
big "ping -M do -s 1400, router mtu 1000" "^From $R0_4 icmp_seq=1 Frag needed and DF set (mtu = 1000)" \
	-M "do" -s 1400 "$H2_4"
fits "ping -M do -s 972 (1000 bytes), router mtu 1000" -M "do" -s 972 "$H2_4"
big "ping -M do -s 973 (1001 bytes), router mtu 1000" "Frag needed and DF set (mtu = 1000)" \
	-M "do" -s 973 "$H2_4"
expect_ge "ip4_icmp_error built (frag needed, time exceeded)" "$(($(rt_node ip4_icmp_error) - e4))" 3

rtctl interface set 1 mtu 1280 || bad "interface set 1 mtu 1280 failed"
big "ping -M do -s 1400, router mtu 1280" "^From $R0_4 icmp_seq=1 Frag needed and DF set (mtu = 1280)" \
	-M "do" -s 1400 "$H2_4"
fits "ping -M do -s 1252 (1280 bytes), router mtu 1280" -M "do" -s 1252 "$H2_4"
e6=$(rt_node ip6_icmp_error)
big "ping -6 -s 1400, router mtu 1280" "^From $R0_6 icmp_seq=1 Packet too big: mtu=1280" \
	-s 1400 "$H2_6"
fits "ping -6 -s 1232 (1280 bytes), router mtu 1280" -s 1232 "$H2_6"
expect_ge "ip6_icmp_error built (packet too big)" "$(($(rt_node ip6_icmp_error) - e6))" 1
# without DF the router would have to fragment, which it does not: dropped and counted
f4=$(rt_drop drop_ip4_frag_unsupported)
flush
if timeout 10 ip netns exec "$NS_H1" ping -n -c 1 -W 2 -M dont -s 1400 "$H2_4" > "$TMP/nodf" 2>&1; then
	bad "ping -M dont -s 1400, router mtu 1280: answered (the router fragmented?)"
else
	ok "ping -M dont -s 1400, router mtu 1280: not answered"
fi
expect_eq "ping -M dont -s 1400: drop_ip4_frag_unsupported grew by" \
	"$(($(rt_drop drop_ip4_frag_unsupported) - f4))" 1
flush
tp "tracepath v4, router mtu 1280" 1280 "$H2_4"
tp "tracepath -6, router mtu 1280" 1280 -6 "$H2_6"

for r in drop_icmp_not_sent drop_icmp_rate_limit drop_ip6_icmp_not_sent drop_ip6_icmp_ratelimit; do
	expect_eq "$r" "$(rt_drop "$r")" 0
done
expect_eq "h1 mtu" "$(h1 cat "/sys/class/net/$RH1/mtu")" 1500
expect_eq "h2 mtu" "$(h2 cat "/sys/class/net/$RH2/mtu")" 1500
rt_accounting "after pmtu"
echo "drops seen: $(rt_drops_all)"
rt_finish
