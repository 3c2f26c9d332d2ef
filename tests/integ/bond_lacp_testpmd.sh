#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# bond_lacp_testpmd.sh BUILD_DIR: LACP between Sluice's net_bonding and DPDK 22.11's
# net_bonding (mode 4, in dpdk-testpmd) over two veth pairs.  (The Linux bonding driver is
# the issue's peer; this machine's kernel has no bonding module.)
#   h2 (10.0.0.2) -- sluice-fwd: net_af_packet on u0 <-io-> net_bonding0 (802.3ad over
#   net_af_packet on s0, s1) == s0-d0, s1-d1 == dpdk-testpmd: bond (mode 4 over
#   net_af_packet on d0, d1) <-io-> net_af_packet on t0 -- h1 (10.0.0.1)
# Both forwarders are wires: h1 and h2 reach each other only once both bonds distribute.
# Each host pings the other all along, so each forwarder keeps sending into its bond (the
# bursts that carry the LACPDUs out).
#   1. Within 15 s testpmd reports both members' actor and partner states as
#      COLLECTING DISTRIBUTING; h1 pings h2 through both bonds: answered.
#   2. The test deletes the s1/d1 pair under 100 pings/s: the pings carry on over s0/d0;
#      it prints the loss, fails past 2 s of it, and testpmd's remaining member still
#      distributes.
#   3. sluice-fwd's accounting holds at the end.
# Needs root and dpdk-testpmd (exits 77 otherwise).  Everything it creates goes on exit.
set -u
build=${1:?usage: bond_lacp_testpmd.sh BUILD_DIR}
fwd=$build/app/fwd/sluice-fwd

. "$(dirname "$0")/lib.sh"
need_root
need_tools dpdk-testpmd stdbuf
[ -x "$fwd" ] || skip "$fwd not built"

TMP=$(mktemp -d /tmp/sluice-lacp.$$.XXXX)
export RUNTIME_DIRECTORY=$TMP # testpmd's runtime files go with $TMP
SNS=sllc$$ DNS=sllcd$$ H1=sllch1$$ H2=sllch2$$
for ns in "$SNS" "$DNS" "$H1" "$H2"; do
	ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces here"
	SL_NETNS+=("$ns")
done
pair() { # pair NSA VA NSB VB
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || fail "veth $2/$4"
	ip netns exec "$1" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$2/disable_ipv6"
	ip netns exec "$3" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$4/disable_ipv6"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}
pair "$SNS" s0 "$DNS" d0
pair "$SNS" s1 "$DNS" d1
pair "$DNS" t0 "$H1" e0
pair "$SNS" u0 "$H2" e0
ip -n "$H1" addr add 10.0.0.1/24 dev e0
ip -n "$H2" addr add 10.0.0.2/24 dev e0

mkfifo "$TMP/tp.in"
ip netns exec "$DNS" timeout -s KILL 60 stdbuf -oL dpdk-testpmd --no-huge -m 512 -l 0-1 \
	--no-pci --file-prefix "sllc$$" --vdev net_af_packet0,iface=d0 \
	--vdev net_af_packet1,iface=d1 \
	--vdev 'net_bonding0,mode=4,slave=net_af_packet0,slave=net_af_packet1' \
	--vdev net_af_packet2,iface=t0 -- -i --total-num-mbufs=8192 --portmask=0xc \
	--forward-mode=io \
	--auto-start <"$TMP/tp.in" >"$TMP/testpmd.log" 2>&1 &
tp=$!
PIDS+=($tp)
exec 3>"$TMP/tp.in"
tp_cmd() { (echo "$1" >&3) 2>/dev/null; }
wait_for "$TMP/testpmd.log" "Press enter to exit\|testpmd>" 20 || fail_logs "testpmd did not start"

bond='net_bonding0,mode=802.3ad,member=(net_af_packet1,iface=s0),member=(net_af_packet2,iface=s1)'
ip netns exec "$SNS" timeout -s KILL 60 stdbuf -oL "$fwd" --no-huge -l 0 \
	--file-prefix "sllcs$$" --vdev "$bond" --vdev net_af_packet3,iface=u0 -- --forward-mode=io \
	>"$TMP/fwd.log" 2>&1 &
sf=$!
PIDS+=($sf)

# testpmd's view of its two members: "actor/partner" state lines, DISTRIBUTING counted
distributing() {
	local before
	before=$(grep -ac "Slave Port:" "$TMP/testpmd.log")
	tp_cmd "show bonding lacp info 2"
	for _ in $(seq 20); do
		[ "$(grep -ac "Slave Port:" "$TMP/testpmd.log")" -ge $((before + $1)) ] && break
		sleep 0.1
	done
	sleep 0.2
	# the last report: its state lines (actor, partner per member)
	grep -a "port state:" "$TMP/testpmd.log" | tail -n $(($1 * 2)) | grep -c DISTRIBUTING
}
# Each host pings the other all along (the traffic that makes both forwarders send).
ip netns exec "$H1" ping -i 0.1 -W 1 10.0.0.2 >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec "$H2" ping -i 0.1 -W 1 10.0.0.1 >/dev/null 2>&1 &
PIDS+=($!)

n=0
for _ in $(seq 15); do
	sleep 1
	n=$(distributing 2)
	[ "$n" = 4 ] && break
done
echo "1. testpmd: $n of 4 actor/partner states DISTRIBUTING"
[ "$n" = 4 ] || fail_logs "LACP did not reach collecting/distributing on both members"
ip netns exec "$H1" ping -c 10 -i 0.1 -W 1 10.0.0.2 >"$TMP/ping1.out" 2>&1
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping1.out")
echo "   h1 -> h2 through both bonds: ${got:-0} of 10 answered"
[ "${got:-0}" -ge 8 ] || fail_logs "h1 cannot reach h2 through the bonds"

# 2. a member goes under traffic
ip netns exec "$H1" ping -c 400 -i 0.01 -W 1 10.0.0.2 >"$TMP/ping2.out" 2>&1 &
pingpid=$!
PIDS+=($pingpid)
sleep 1
ip -n "$SNS" link del s1 || fail_logs "cannot delete s1"
reap $pingpid
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping2.out")
lost=$((400 - ${got:-0}))
n=$(distributing 1)
echo "2. s1/d1 deleted under 100 pings/s: $lost of 400 lost (about $((lost * 10)) ms); testpmd's remaining member: $n of 2 states DISTRIBUTING"
[ "$lost" -le 200 ] || fail_logs "$lost pings lost: over 2 s without traffic"
[ "$n" = 2 ] || fail_logs "the remaining member stopped distributing"

# 3. ends
kill -INT $sf
reap $sf
grep -aq "every packet accounted for" "$TMP/fwd.log" || fail_logs "sluice-fwd's accounting did not add up"
tail -n 3 "$TMP/fwd.log"
tp_cmd quit
exec 3>&-
for _ in $(seq 50); do kill -0 $tp 2>/dev/null || break; sleep 0.1; done
echo "3. sluice-fwd accounted for every packet"
echo "PASS"
