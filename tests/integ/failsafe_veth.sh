#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# failsafe_veth.sh BUILD_DIR: net_failsafe keeps a flow going when its preferred member's
# interface is deleted, and goes back to it once the interface is there again.
#
#   netns $NS_R: sluice-router, one port:            netns $NS_H: the host
#     net_failsafe0  preferred net_af_packet0 on $VA  <-veth->  $VAP --+
#     10.0.9.1/24    fallback  net_af_packet1 on $VB  <-veth->  $VBP --+-- br0 10.0.9.2/24
#
# 1. the host pings the router's address every 10 ms, 1500 times (15 s), timestamped;
# 2. at 4 s the test deletes $VA: the failsafe's monitor finds the preferred gone, tx moves
#    to the fallback (the bridge floods the host's requests to both ports until it learns
#    again; the failsafe receives on both members);
# 3. at 9 s it creates $VA again (same MAC, in the bridge): the monitor re-creates
#    net_af_packet0 and tx goes back to it;
# 4. the test prints the packets lost and the longest gap between two replies (ms), and
#    asserts: the flow resumed after each switch, loss < 2 s worth of pings, the gap < 2 s,
#    and the failsafe's xstats (switch_to_fallback, switch_to_preferred, preferred_lost,
#    active_member 0, tx on the preferred after the re-creation).
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u

BUILD=${1:?usage: $0 BUILD_DIR}
ROUTER=$BUILD/app/router/sluice-router
ROUTERCTL=$BUILD/app/router/sluice-routerctl

. "$(dirname "$0")/lib.sh"
need_root
[ -x "$ROUTER" ] && [ -x "$ROUTERCTL" ] || skip "$ROUTER not built (it needs jansson, libpcap and zlib)"
need_tools ip ping python3 timeout

ID=$$
NS_R=sl-fsr-$ID
NS_H=sl-fsh-$ID
VA=fsa$ID
VB=fsb$ID
VAP=fsap$ID
VBP=fsbp$ID
MAC_A=02:fa:11:00:00:0a
PREFIX=fs$ID
COUNT=1500
INTERVAL=0.01
TMP=$(mktemp -d /tmp/failsafe_veth.XXXXXX)
SOCK=$TMP/router.sock
TEL=/var/run/dpdk/$PREFIX/dpdk_telemetry.v2

for ns in "$NS_R" "$NS_H"; do
	ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces here"
	SL_NETNS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
# The telemetry directory is the router's; removed on exit with the rest.
cleanup_tel() { rm -rf "/var/run/dpdk/$PREFIX" "/run/sluice/$PREFIX"; }
# A fixed MAC: a bridge takes its ports' lowest otherwise, and changes it when vethA's peer
# leaves; the router's ARP entry for the host would go stale and its replies wait ~1 s
# (seen: a 1 s gap, no loss) for a reason that is the bridge's, not the failsafe's.
ip -n "$NS_H" link add br0 address 02:fa:22:00:00:02 type bridge || fail "cannot create a bridge in $NS_H"
ip -n "$NS_H" addr add 10.0.9.2/24 dev br0
ip -n "$NS_H" link set br0 up

# veth_a: (re)creates $VA (router side, fixed MAC) and its peer in the bridge.
veth_a() {
	ip link add "$VA" netns "$NS_R" address $MAC_A type veth peer name "$VAP" netns "$NS_H" ||
		return 1
	ip -n "$NS_H" link set "$VAP" master br0 up && ip -n "$NS_R" link set "$VA" up
}
veth_a || fail "cannot create veth $VA/$VAP"
ip link add "$VB" netns "$NS_R" type veth peer name "$VBP" netns "$NS_H" ||
	fail "cannot create veth $VB/$VBP"
ip -n "$NS_H" link set "$VBP" master br0 up
ip -n "$NS_R" link set "$VB" up

echo "address add 0 10.0.9.1/24" > "$TMP/startup"
FS="net_failsafe0,preferred=(net_af_packet0,iface=$VA),fallback=(net_af_packet1,iface=$VB),monitor_ms=50"
ip netns exec "$NS_R" "$ROUTER" -l 0,1 --no-huge --file-prefix "$PREFIX" --vdev "$FS" -- \
	--startup "$TMP/startup" --socket "$SOCK" > "$TMP/router.log" 2>&1 &
RT_PID=$!
PIDS+=("$RT_PID")
# sl_cleanup reads the exit status from $?: keep it for it.
# shellcheck disable=SC2154 # rc_ is set inside the trap
trap 'rc_=$?; cleanup_tel; (exit $rc_); sl_cleanup' EXIT
for _ in $(seq 100); do
	[ -S "$SOCK" ] && timeout 5 "$ROUTERCTL" -s "$SOCK" interface show > /dev/null 2>&1 && break
	kill -0 "$RT_PID" 2>/dev/null || break
	sleep 0.1
done
timeout 5 "$ROUTERCTL" -s "$SOCK" interface show > "$TMP/ifaces" 2>&1 ||
	fail_logs "sluice-router did not start with $FS"

# xstat NAME...: the failsafe port's xstats of those names, "name=value" per line, read
# over the telemetry socket (DPDK's v2 protocol: a greeting, then a JSON reply per command).
xstats() {
	python3 - "$TEL" "$@" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
s.recv(65536)
s.send(b"/ethdev/xstats,0")
d = json.loads(s.recv(1 << 20).decode())["/ethdev/xstats"]
for k in sys.argv[2:]:
    print("%s=%s" % (k, d.get(k, "missing")))
EOF
}
xget() { xstats "$1" | sed -n "s/^$1=//p"; }

timeout 10 ip netns exec "$NS_H" ping -n -c 3 -i 0.2 -W 1 10.0.9.1 > /dev/null ||
	fail_logs "the router does not answer ping before any switch"
[ "$(xget active_member)" = 0 ] || fail_logs "tx is not on the preferred member at the start: $(xstats active_member)"

# 1. the flow: -D stamps each reply, -O reports each request left unanswered
timeout 40 ip netns exec "$NS_H" ping -n -D -O -c $COUNT -i $INTERVAL -W 1 10.0.9.1 > "$TMP/ping.out" 2>&1 &
PING_PID=$!
PIDS+=("$PING_PID")
sleep 4
# 2. the preferred's interface goes
t_del=$(date +%s.%N)
ip -n "$NS_R" link del "$VA" || fail "cannot delete $VA"
sleep 5
echo "after the deletion: $(xstats switch_to_fallback preferred_lost active_member recreate_failures | tr '\n' ' ')"
[ "$(xget active_member)" = 1 ] || fail_logs "tx did not move to the fallback: $(xstats active_member)"
tx_pref_before=$(xget tx_q0_preferred_packets)
# 3. it comes back
t_add=$(date +%s.%N)
veth_a || fail "cannot create $VA again"
reap "$PING_PID"
echo "ping: $(tail -2 "$TMP/ping.out" | head -1)"

# 4. the measure: requests left unanswered, and the longest silence between two replies
# around each switch (from 0.5 s before to 4 s after the deletion, then the re-creation)
read -r lost gap_del gap_add back_got < <(python3 - "$TMP/ping.out" $COUNT "$t_del" "$t_add" <<'EOF'
import re, sys
out, count, t_del, t_add = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
stamps = []
for line in open(out):
    m = re.match(r"\[(\d+\.\d+)\] \d+ bytes from .* icmp_seq=(\d+)", line)
    if m:
        stamps.append((float(m.group(1)), int(m.group(2))))
seqs = {s for _, s in stamps}
def gap(t0):
    ts = [t for t, _ in stamps if t0 - 0.5 <= t <= t0 + 4]
    return int(max((b - a for a, b in zip(ts, ts[1:])), default=9.999) * 1000)
# after the re-creation: the last 300 requests (3 s), all answered
print(count - len(seqs), gap(t_del), gap(t_add), len([s for s in seqs if s > count - 300]))
EOF
)
echo "loss: $lost of $COUNT pings unanswered ($((lost * 10)) ms worth at 10 ms apart); longest gap" \
	"between replies: ${gap_del} ms around the deletion, ${gap_add} ms around the re-creation;" \
	"last 3 s: $back_got of 300 answered; $(grep rtt "$TMP/ping.out")"

# the return: the monitor re-created the preferred and tx is on it again
for _ in $(seq 40); do
	[ "$(xget active_member)" = 0 ] && break
	sleep 0.1
done
echo "after the re-creation: $(xstats switch_to_fallback switch_to_preferred preferred_lost active_member \
	recreate_attempts recreate_failures tx_q0_preferred_packets tx_q0_fallback_packets \
	rx_q0_preferred_packets rx_q0_fallback_packets tx_q0_no_member | tr '\n' ' ')"
timeout 10 ip netns exec "$NS_H" ping -n -c 20 -i 0.05 -W 1 10.0.9.1 > /dev/null ||
	fail_logs "the router does not answer ping after the preferred came back"

rc=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; rc=1; fi; }
check "the flow resumed: loss $lost < 200 (2 s worth)" "[ $lost -lt 200 ]"
check "longest gap around the deletion ${gap_del} ms < 2000" "[ $gap_del -lt 2000 ]"
check "longest gap around the re-creation ${gap_add} ms < 2000" "[ $gap_add -lt 2000 ]"
check "answered after the return: $back_got of the last 300 (>= 290)" "[ $back_got -ge 290 ]"
check "one switch to the fallback" "[ \"$(xget switch_to_fallback)\" = 1 ]"
check "one switch back to the preferred" "[ \"$(xget switch_to_preferred)\" = 1 ]"
check "the preferred was found gone once" "[ \"$(xget preferred_lost)\" = 1 ]"
check "tx on the preferred again (active_member 0)" "[ \"$(xget active_member)\" = 0 ]"
check "the preferred sent after its return ($tx_pref_before before)" \
	"[ \"$(xget tx_q0_preferred_packets)\" -gt \"$tx_pref_before\" ]"
check "the router's log says so" "grep -q 'net_failsafe0: preferred member net_af_packet0 is back' '$TMP/router.log'"
echo "router log: $(wc -l < "$TMP/router.log") lines, $(grep -c "not found" "$TMP/router.log") of them the re-creation's tries"
echo "re-created after the interface came back at +$(python3 -c "print('%.1f' % ($t_add - $t_del))") s"

kill -TERM "$RT_PID"
reap "$RT_PID"
rt_rc=$?
check "sluice-router exits 0 on SIGTERM (it exited $rt_rc)" "[ $rt_rc = 0 ]"
if [ $rc != 0 ]; then
	tail -40 "$TMP/router.log"
	exit 1
fi
echo "PASS"
