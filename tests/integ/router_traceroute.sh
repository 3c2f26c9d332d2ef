#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_traceroute.sh BUILD_DIR [DRIVER]: traceroute through sluice-router (router_lib.sh
# draws the topology; net_af_packet ports, or DRIVER: net_af_xdp).  From h1 to h2, for each of
#     traceroute -n (UDP probes)      traceroute -n -I (ICMP echo probes)
#     traceroute -6 -n                traceroute -6 -n -I
# hop 1 must be the router's address on h1's link (10.0.1.1, 2001:db8:1::1: its time
# exceeded comes from the input interface), hop 2 h2 itself (10.0.2.2, 2001:db8:2::2), and
# there is no hop 3.  UDP traceroute to the router's own far addresses (10.0.2.1,
# 2001:db8:2::1) ends at hop 1 with that address (the port unreachable comes from the
# address the probe was sent to).  Then the router's counters: time-exceeded errors were built (the
# ip4_icmp_error / ip6_icmp_error nodes saw packets), none was rate limited, and the
# accounting balances.
# Needs root (exits 77 otherwise) and traceroute.  Everything it creates is removed on
# every exit path.
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/router_lib.sh"
rt_init "$1" traceroute
rt_topology
rt_start "${2:-net_af_packet}"

# the neighbours first, so no probe waits for ARP/NDP
rt_ping "$NS_H1" "$H2_4" 1 > /dev/null
rt_ping "$NS_H1" "$H2_6" 1 > /dev/null

# hops OUTPUT: "HOP ADDRESS" for each hop that answered (the first address on its line)
hops() {
	awk '$1 ~ /^[0-9]+$/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9a-f.:]+$/ && $i ~ /[.:]/) { print $1, $i; break } }'
}

run() {
	local what=$1 r1=$2 dst=$3 out h
	shift 3
	# -q 2: two probes a hop (one may meet h2's ICMP rate limit); -w 2: wait 2 s at most
	out=$(timeout 30 ip netns exec "$NS_H1" traceroute -n -q 2 -w 2 -m 5 "$@" "$dst" 2>&1)
	h=$(echo "$out" | hops | tr '\n' ' ')
	if [ "$h" = "1 $r1 2 $dst " ]; then
		ok "$what: hop 1 $r1, hop 2 $dst"
	else
		bad "$what: hops '$h', expected '1 $r1 2 $dst'"
		echo "$out"
	fi
}

run "traceroute (UDP)" "$R0_4" "$H2_4"
run "traceroute -I (ICMP)" "$R0_4" "$H2_4" -I
run "traceroute -6 (UDP)" "$R0_6" "$H2_6" -6
run "traceroute -6 -I (ICMP)" "$R0_6" "$H2_6" -6 -I

# UDP to the router's own far address: its port unreachable must come from that address
# (RFC 4443 2.2 (a) for IPv6: "MUST be the address to which the message was sent";
# Linux does the same for IPv4), so traceroute shows it as hop 1
for v in "$R1_4" "-6 $R1_6"; do
	set -- $v
	dst=${2:-$1}
	h=$(timeout 20 ip netns exec "$NS_H1" traceroute -n -q 1 -w 2 -m 3 $v 2>&1 | hops | tr '\n' ' ')
	if [ "$h" = "1 $dst " ]; then
		ok "traceroute $v (the router's own address): hop 1 $dst"
	elif [ "$h" = "1 $R0_4 " ] || [ "$h" = "1 $R0_6 " ]; then
		bad "traceroute $v: hop 1 is '${h% }', the input interface's address: port unreachable for a packet to the router comes from the input interface, not the address it was sent to (nodes_ip4.c icmp4_error / nodes_ip6.c icmp6_error)"
	else
		bad "traceroute $v (the router's own address): hops '$h', expected '1 $dst'"
	fi
done

expect_ge "ip4_icmp_error packets (time exceeded)" "$(rt_node ip4_icmp_error)" 2
expect_ge "ip6_icmp_error packets (hop limit exceeded)" "$(rt_node ip6_icmp_error)" 2
expect_eq "drop_icmp_rate_limit" "$(rt_drop drop_icmp_rate_limit)" 0
expect_eq "drop_ip6_icmp_ratelimit" "$(rt_drop drop_ip6_icmp_ratelimit)" 0
rt_accounting "after traceroute"
echo "drops seen: $(rt_drops_all)"
rt_finish
