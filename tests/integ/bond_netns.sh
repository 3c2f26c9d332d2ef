#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# bond_netns.sh BUILD_DIR: a net_bonding port of sluice-switch over two veths into a kernel
# bridge, and the failover when the sending member's veth is deleted under traffic.
#   h1: a kernel bridge br0 over a1 and b1 (10.0.0.1); the switch's bond: active-backup
#       over net_af_packet on a0 (a1's peer) and b0 (b1's peer), a0 first.
#   h2: e0 (10.0.0.2), on the switch's net_af_packet port c0.
#   1. h2 pings h1 through the bond: answered; the bridge sees h2's MAC on a1 only (the
#      backup sends nothing, and what the bridge floods to b1 is dropped by the bond).
#   2. h2 pings h1 every 10 ms for 6 s; after 2 s the test deletes a0 (a1 goes with it):
#      the bond's monitor (20 ms) moves to b0, the bridge relearns h2 on b1, the pings
#      carry on.  The test prints how many were lost and for how long, and fails if the
#      outage is over 1 s or if the switch log lacks the switch-over.
#   3. sluice-switch exits 0 on SIGTERM.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u
build=${1:?usage: bond_netns.sh BUILD_DIR}
sw=$build/app/switch/sluice-switch

. "$(dirname "$0")/lib.sh"
need_root
need_tools ping
[ -x "$sw" ] || skip "$sw not built"

TMP=$(mktemp -d /tmp/sluice-bond.$$.XXXX)
SNS=slbd$$ H1=slbdh1$$ H2=slbdh2$$
for ns in "$SNS" "$H1" "$H2"; do
	ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces here"
	SL_NETNS+=("$ns")
	ip -n "$ns" link set dev lo up
done
pair() { # pair VA VB NSB: VA in the switch's namespace, VB in NSB
	ip link add "$1" netns "$SNS" type veth peer name "$2" netns "$3" || fail "veth $1/$2"
	ip netns exec "$SNS" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$1/disable_ipv6"
	ip netns exec "$3" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$2/disable_ipv6"
	ip -n "$SNS" link set dev "$1" up
	ip -n "$3" link set dev "$2" up
}
pair a0 a1 "$H1"
pair b0 b1 "$H1"
pair c0 e0 "$H2"
# A bridge takes its lowest port MAC unless given one: deleting a1 would change h1's MAC.
ip -n "$H1" link add br0 address 02:00:00:00:b0:01 type bridge ||
	skip "no bridge support in this kernel"
ip netns exec "$H1" sh -c "echo 1 > /proc/sys/net/ipv6/conf/br0/disable_ipv6"
ip -n "$H1" link set a1 master br0
ip -n "$H1" link set b1 master br0
ip -n "$H1" link set br0 up
ip -n "$H1" addr add 10.0.0.1/24 dev br0
ip -n "$H2" addr add 10.0.0.2/24 dev e0
h2mac=$(ip netns exec "$H2" cat /sys/class/net/e0/address)

bond='net_bonding0,mode=active-backup,monitor_ms=20,member=(net_af_packet1,iface=a0),member=(net_af_packet2,iface=b0)'
ip netns exec "$SNS" "$sw" --no-huge -l 0-1 --file-prefix "slbd$$" --vdev "$bond" \
	--vdev net_af_packet3,iface=c0 -- --socket "$TMP/switch.sock" >"$TMP/switch.log" 2>&1 &
swpid=$!
PIDS+=($swpid)
wait_for "$TMP/switch.log" "control socket" 10 || fail_logs "sluice-switch did not start"

# 1. through the bond
ip netns exec "$H2" ping -c 3 -i 0.2 -W 2 10.0.0.1 >"$TMP/ping1.out" 2>&1 ||
	fail_logs "h2 cannot ping h1 through the bond"
where=$(ip netns exec "$H1" bridge fdb show br br0 | grep -i "$h2mac" | awk '{print $3}' | sort -u | tr '\n' ' ')
echo "1. h2 -> h1 through the bond: answered; the bridge has h2 on: $where"
[ "$where" = "a1 " ] || fail_logs "the bridge should have learned h2 on a1 only, not: $where"

# 2. failover under traffic
ip netns exec "$H2" ping -c 600 -i 0.01 -W 1 10.0.0.1 >"$TMP/ping2.out" 2>&1 &
pingpid=$!
PIDS+=($pingpid)
sleep 2
ip -n "$SNS" link del a0 || fail_logs "cannot delete a0"
reap $pingpid
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping2.out")
[ -n "$got" ] || fail_logs "no ping summary"
lost=$((600 - got))
echo "2. a0 deleted under 100 pings/s: $got of 600 answered, $lost lost (about $((lost * 10)) ms)"
grep -q "member net_af_packet1 link down" "$TMP/switch.log" ||
	fail_logs "the switch log does not show member net_af_packet1 going down"
grep -q "net_bonding0: sending on net_af_packet2" "$TMP/switch.log" ||
	fail_logs "the switch log does not show the bond moving to net_af_packet2"
[ "$lost" -le 100 ] || fail_logs "$lost pings lost: the outage was over 1 s"
where=$(ip netns exec "$H1" bridge fdb show br br0 | grep -i "$h2mac" | awk '{print $3}' | sort -u | tr '\n' ' ')
[ "$where" = "b1 " ] || fail_logs "the bridge should have h2 on b1 now, not: $where"

# 3. clean exit
kill -TERM $swpid
reap $swpid || fail_logs "sluice-switch exited $? on SIGTERM"
echo "3. sluice-switch exited 0"
echo "PASS"
