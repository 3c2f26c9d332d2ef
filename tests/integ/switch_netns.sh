#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# switch_netns.sh BUILD_DIR: sluice-switch between kernel hosts in network namespaces.
# Four hosts h1..h4, each on a veth whose other end is a net_af_packet port of the switch
# (in its own namespace): ports 0 (h1) and 1 (h2) access VLAN 1, port 2 (h3) access
# VLAN 2, port 3 (h4) a trunk of VLANs 1 and 2.  h4 speaks 802.1Q with raw frames (this
# kernel may have no 8021q module): a receiver there reports each frame's tag.
#   1. zero-config: before any command every port is in br0, access VLAN 1 (port show);
#      a bad VLAN in `port set` is refused with an error that names it.
#   2. h1 pings h2 (VLAN 1): answered; h1 cannot reach h3 (VLAN 2): no reply.
#   3. flooding: one broadcast frame from h1 reaches h2 and h4 (tagged VLAN 1), not h3;
#      one from h3 reaches h4 tagged VLAN 2 and neither h1 nor h2; a frame h4 sends
#      tagged VLAN 2 to h3's MAC reaches h3 (untagged) only.
#   4. learning: fdb show lists h1's and h2's MACs on their ports in VLAN 1 and h3's on
#      port 2 in VLAN 2; a frame from h1's MAC sent by h2 moves the entry to port 1
#      (moves + 1); h1's next ping moves it back.
#   5. bad input: a frame with a group source MAC, one tagged VLAN 4095 and one tagged
#      VLAN 7 on an access port are dropped and counted (src_multicast, bad_vid,
#      vlan_not_on_port).
#   6. accounting: rx == forwarded + flooded + drops, outputs == sent + drops.
#   7. aging: with `fdb aging 2` and no traffic the FDB is empty after 5 s.
#   8. sluice-switch exits 0 on SIGTERM.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u
build=${1:?usage: switch_netns.sh BUILD_DIR}
sw=$build/app/switch/sluice-switch
ctl=$build/app/switch/sluice-switchctl

. "$(dirname "$0")/lib.sh"
need_root
need_tools python3 ping
[ -x "$sw" ] || skip "$sw not built"

TMP=$(mktemp -d /tmp/sluice-switch.$$.XXXX)
SNS=slsw$$
sock=$TMP/switch.sock
ip netns add "$SNS" 2>/dev/null || skip "cannot create network namespaces here"
SL_NETNS+=("$SNS")
for i in 1 2 3 4; do
	h=slswh$i$$
	ip netns add "$h" || fail "cannot create netns $h"
	SL_NETNS+=("$h")
	ip link add "s$i" netns "$SNS" type veth peer name e0 netns "$h" || fail "veth s$i"
	for ns in "$SNS" "$h"; do
		[ "$ns" = "$SNS" ] && v=s$i || v=e0
		ip netns exec "$ns" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$v/disable_ipv6"
		ip -n "$ns" link set dev "$v" up
		ip -n "$ns" link set dev lo up
	done
done
H1=slswh1$$ H2=slswh2$$ H3=slswh3$$ H4=slswh4$$
ip -n "$H1" addr add 10.0.0.1/24 dev e0
ip -n "$H2" addr add 10.0.0.2/24 dev e0
ip -n "$H3" addr add 10.0.0.3/24 dev e0

swctl() { ip netns exec "$SNS" "$ctl" -s "$sock" "$@"; }
mac_of() { ip netns exec "$1" cat /sys/class/net/$2/address; }
rxp() { ip netns exec "$1" cat /sys/class/net/$2/statistics/rx_packets; }
# raw NS IFACE DST SRC ETHERTYPE [VLAN]: one frame out of IFACE, built byte by byte
raw() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" "$5" "${6:-}" <<'PY'
import socket, struct, sys
ifc, dst, src, etype, vlan = sys.argv[1:6]
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
f = mac(dst) + mac(src)
if vlan:
    f += struct.pack("!HH", 0x8100, int(vlan))
f += struct.pack("!H", int(etype, 16)) + bytes(46)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifc, 0))
s.send(f)
PY
}
# sniff NS OUT: frames of ethertype 88b5 arriving on NS's e0 for 2 s, one line each:
# "vlan=V" (the tag, inline or as the kernel's aux data) or "vlan=none", in the background
sniff() {
	ip netns exec "$1" python3 - >"$2" <<'PY' &
import socket, struct, time
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.bind(("e0", 0))
s.settimeout(0.2)
end = time.time() + 2
print("ready", flush=True)
while time.time() < end:
    try:
        data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(64))
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    vlan, etype = None, struct.unpack("!H", data[12:14])[0]
    if etype == 0x8100:
        vlan, etype = struct.unpack("!H", data[14:16])[0] & 0xfff, struct.unpack("!H", data[16:18])[0]
    for lvl, typ, val in anc:
        if lvl == SOL_PACKET and typ == PACKET_AUXDATA:
            st, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", val[:20])
            if st & TP_STATUS_VLAN_VALID:
                vlan = tci & 0xfff
    if etype == 0x88b5:
        print("vlan=%s" % ("none" if vlan is None else vlan), flush=True)
PY
	PIDS+=($!)
}
sniff_all() { # starts a sniffer on every host; $TMP/sniff.hN
	for i in 1 2 3 4; do sniff "slswh$i$$" "$TMP/sniff.h$i"; done
	for i in 1 2 3 4; do wait_for "$TMP/sniff.h$i" ready 5 || fail_logs "sniffer on h$i did not start"; done
}
sniffed() { # what each host's sniffer saw, "h1:... h2:..." once they ended
	local i out=""
	for i in 1 2 3 4; do out="$out h$i:$(grep -v ready "$TMP/sniff.h$i" | tr '\n' ' ' | sed 's/ $//')"; done
	echo "${out# }"
}

# jq-free JSON: one value by a Python expression on the reply's data `d`
jget() {
	local expr=$1
	shift
	swctl --json "$@" | python3 -c "import json,sys; d=json.load(sys.stdin); print($expr)"
}

vdevs=()
for i in 1 2 3 4; do vdevs+=(--vdev "net_af_packet$((i - 1)),iface=s$i"); done
ip netns exec "$SNS" "$sw" --no-huge -l 0-1 --file-prefix "slsw$$" "${vdevs[@]}" -- \
	--socket "$sock" >"$TMP/switch.log" 2>&1 &
swpid=$!
PIDS+=($swpid)
wait_for "$TMP/switch.log" "control socket" 10 || fail_logs "sluice-switch did not start"

# 1. zero-config
modes=$(jget '" ".join("%s:%s:%s" % (p["bridge"], p["mode"], p["vlan"]) for p in d)' port show)
echo "1. ports as started: $modes"
[ "$modes" = "br0:access:1 br0:access:1 br0:access:1 br0:access:1" ] ||
	fail_logs "ports did not start as access ports of VLAN 1 in br0: $modes"

swctl port set 2 access 2 >/dev/null || fail_logs "port set 2 access 2 failed"
swctl port set 3 trunk 1,2 >/dev/null || fail_logs "port set 3 trunk 1,2 failed"
out=$(swctl port set 3 trunk 1,5000 2>&1) && fail_logs "VLAN 5000 accepted"
echo "   bad VLAN refused: $out"
echo "$out" | grep -q "VLAN '5000': give 1 to 4094" || fail_logs "unclear error: $out"

# 2. pings
ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 10.0.0.2 >"$TMP/p12.out" || fail_logs "h1 -> h2 (VLAN 1) failed: $(tail -2 "$TMP/p12.out")"
echo "2. h1 -> h2 (VLAN 1): answered"
if ip netns exec "$H1" ping -c 2 -i 0.2 -W 1 10.0.0.3 >/dev/null 2>&1; then
	fail_logs "h1 reached h3 across VLANs"
fi
echo "   h1 -> h3 (VLAN 1 to VLAN 2): no answer, as it should be"

# 3. flooding and tagging
m1=$(mac_of "$H1" e0) m2=$(mac_of "$H2" e0) m3=$(mac_of "$H3" e0) m4=$(mac_of "$H4" e0)
sniff_all
raw "$H1" e0 ff:ff:ff:ff:ff:ff "$m1" 88b5
sleep 2.5
got=$(sniffed)
echo "3. a broadcast from h1 (VLAN 1): $got"
[ "$got" = "h1: h2:vlan=none h3: h4:vlan=1" ] || fail_logs "h1's broadcast: $got (want h2 untagged, h4 tagged 1)"
sniff_all
raw "$H3" e0 ff:ff:ff:ff:ff:ff "$m3" 88b5
sleep 2.5
got=$(sniffed)
echo "   a broadcast from h3 (VLAN 2): $got"
[ "$got" = "h1: h2: h3: h4:vlan=2" ] || fail_logs "h3's broadcast: $got (want h4 tagged 2 only)"
sniff_all
raw "$H4" e0 "$m3" "$m4" 88b5 2
sleep 2.5
got=$(sniffed)
echo "   h4 -> h3's MAC tagged VLAN 2 (h3 learned on port 2): $got"
[ "$got" = "h1: h2: h3:vlan=none h4:" ] || fail_logs "h4's tagged unicast: $got (want h3 untagged only)"

# 4. learning, MAC move
fdb_port() { jget "[e['port'] for e in d if e['mac'] == '$1' and e['vlan'] == $2] or ['none']" fdb show | tr -d "[]' "; }
p1=$(fdb_port "$m1" 1) p2=$(fdb_port "$m2" 1) p3=$(fdb_port "$m3" 2) p4=$(fdb_port "$m4" 2)
echo "4. fdb: h1 $m1 on port $p1, h2 $m2 on port $p2 (VLAN 1); h3 on port $p3, h4 on port $p4 (VLAN 2)"
[ "$p1" = 0 ] && [ "$p2" = 1 ] && [ "$p3" = 2 ] && [ "$p4" = 3 ] ||
	fail_logs "fdb: h1 on $p1, h2 on $p2, h3 on $p3, h4 on $p4 (want 0 1 2 3): $(swctl fdb show)"
mv0=$(jget 'd["total"]["moves"]' stats)
raw "$H2" e0 "$m2" "$m1" 88b5
sleep 0.3
p1=$(fdb_port "$m1" 1)
mv1=$(jget 'd["total"]["moves"]' stats)
[ "$p1" = 1 ] && [ "$mv1" = $((mv0 + 1)) ] || fail_logs "MAC move not learned: port $p1, moves $mv0 -> $mv1"
ip netns exec "$H1" ping -c 1 -W 2 10.0.0.2 >/dev/null || fail_logs "h1 -> h2 after the move failed"
p1=$(fdb_port "$m1" 1)
echo "   h1's MAC from h2's port: moved to port 1 (moves $mv0 -> $mv1); after h1's ping back on port $p1"
[ "$p1" = 0 ] || fail_logs "h1's MAC did not move back: port $p1"

# 5. bad input
drops() { jget "d['total']['drops']['$1']" stats; }
sm0=$(drops src_multicast) bv0=$(drops bad_vid) vl0=$(drops vlan_not_on_port)
raw "$H1" e0 "$m2" 01:00:5e:00:00:01 88b5
raw "$H4" e0 "$m2" "$m4" 88b5 4095
raw "$H1" e0 "$m2" "$m1" 88b5 7
sleep 0.3
sm=$(($(drops src_multicast) - sm0)) bv=$(($(drops bad_vid) - bv0)) vl=$(($(drops vlan_not_on_port) - vl0))
echo "5. dropped: group source $sm, VLAN 4095 $bv, VLAN 7 on an access port $vl"
[ "$sm" = 1 ] && [ "$bv" = 1 ] && [ "$vl" = 1 ] || fail_logs "bad frames: src_multicast $sm, bad_vid $bv, vlan_not_on_port $vl (want 1 each)"

# 6. accounting
swctl stats
bal=$(jget '(lambda t: "%d %d" % (t["rx"] - t["forwarded"] - t["flooded"] - sum(v for k, v in t["drops"].items() if k not in ("tx_full", "copy_nombuf")), t["outputs"] - t["sent"] - t["drops"]["tx_full"] - t["drops"]["copy_nombuf"]))(d["total"])' stats)
echo "6. unaccounted: rx ${bal% *}, outputs ${bal#* }"
[ "$bal" = "0 0" ] || fail_logs "counts do not add up: $bal"

# 7. aging
swctl fdb aging 2 >/dev/null
sleep 5
n=$(jget 'len(d)' fdb show)
aged=$(jget 'd[0]["aged"]' bridge show)
echo "7. after 5 s idle with aging 2 s: $n entries, $aged aged"
[ "$n" = 0 ] && [ "$aged" -gt 0 ] || fail_logs "aging: $n entries left, $aged aged"

# 8. SIGTERM: a clean exit
kill -TERM "$swpid"
for _ in $(seq 50); do kill -0 "$swpid" 2>/dev/null || break; sleep 0.1; done
reap "$swpid" || fail_logs "sluice-switch exited $? on SIGTERM"
echo "8. sluice-switch exited 0 on SIGTERM"
echo PASS
