#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# bond_lacp_testpmd.sh BUILD_DIR: LACP between Sluice's net_bonding and DPDK 22.11's
# net_bonding (mode 4, in dpdk-testpmd) over two veth pairs.  (The Linux bonding driver is
# the issue's peer; this machine's kernel has no bonding module.)
#   h2 (10.0.0.2) -- sluice-switch: net_af_packet on u0, net_bonding0 (802.3ad over
#   net_af_packet on s0, s1) == s0-d0, s1-d1 == dpdk-testpmd: bond (mode 4 over
#   net_af_packet on d0, d1) <-io-> net_af_packet on t0 -- h1 (10.0.0.1)
# h1 and h2 reach each other only once both bonds distribute.  h1 pings h2 all along:
# testpmd sends into its bond only what it forwards, and its LACPDUs go out in those
# bursts.  h2 stays silent until it is reached: the switch's own empty tx bursts
# (sl_port_info.tx_kick) carry Sluice's LACPDUs.
#   1. Within 15 s testpmd reports both members' actor and partner states as
#      COLLECTING DISTRIBUTING; h1 pings h2 through both bonds: answered.
#   2. The test deletes the s1/d1 pair while h2 pings h1 100 times a second, and counts
#      the echo requests that reach h1: Sluice's bond drops s1 at once (its link cannot
#      be read) and sends on s0; at most 10 (100 ms) may be lost.  The replies are DPDK's
#      side: its af_packet member reports its link up whatever happens, so DPDK's bond
#      keeps hashing flows onto d1 until LACP times it out (DPDK's own long timeout,
#      90 s), and h1's replies are lost when they hash there: printed, not checked.
#   3. the switch's accounting holds and it exits 0 on SIGTERM.
# Needs root and dpdk-testpmd (exits 77 otherwise).  Everything it creates goes on exit.
set -u
build=${1:?usage: bond_lacp_testpmd.sh BUILD_DIR}
sw=$build/app/switch/sluice-switch
ctl=$build/app/switch/sluice-switchctl

. "$(dirname "$0")/lib.sh"
need_root
need_tools dpdk-testpmd stdbuf
[ -x "$sw" ] || skip "$sw not built"

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
ip netns exec "$SNS" "$sw" --no-huge -l 0 --file-prefix "sllcs$$" --vdev "$bond" \
	--vdev net_af_packet3,iface=u0 -- --socket "$TMP/switch.sock" >"$TMP/switch.log" 2>&1 &
sf=$!
PIDS+=($sf)
wait_for "$TMP/switch.log" "control socket" 10 || fail_logs "sluice-switch did not start"

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
# h1 pings h2 all along (what makes testpmd send into its bond).
ip netns exec "$H1" ping -i 0.1 -W 1 10.0.0.2 >/dev/null 2>&1 &
h1ping=$!
PIDS+=($h1ping)

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
kill "$h1ping" 2>/dev/null
reap "$h1ping"
h1rx() { ip netns exec "$H1" cat /sys/class/net/e0/statistics/rx_packets; }
before=$(h1rx)
ip netns exec "$H2" ping -c 400 -i 0.01 -W 1 10.0.0.1 >"$TMP/ping2.out" 2>&1 &
pingpid=$!
PIDS+=($pingpid)
sleep 1
ip -n "$SNS" link del s1 || fail_logs "cannot delete s1"
reap $pingpid
sleep 0.2
arrived=$(($(h1rx) - before))
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping2.out")
echo "2. s1/d1 deleted under 100 pings/s from h2: $arrived of 400 requests reached h1 (through Sluice's bond); ${got:-0} replies came back (through DPDK's)"
[ "$arrived" -ge 390 ] || fail_logs "only $arrived of 400 requests reached h1: Sluice's bond lost over 100 ms"

# 3. ends
acct=$(ip netns exec "$SNS" "$ctl" -s "$TMP/switch.sock" stats | grep "^total:")
echo "3. $acct"
python3 - "$acct" <<'PY' || fail_logs "the switch's accounting does not add up: $acct"
import re, sys
n = [int(x) for x in re.findall(r"\d+", sys.argv[1])]
rx, fwd, fl, dr, out, sent, odr = n[:7]
sys.exit(0 if rx == fwd + fl + dr and out == sent + odr and rx > 0 else 1)
PY
kill -TERM $sf
reap $sf || fail_logs "sluice-switch exited $? on SIGTERM"
tp_cmd quit
exec 3>&-
for _ in $(seq 50); do kill -0 $tp 2>/dev/null || break; sleep 0.1; done
echo "PASS"
