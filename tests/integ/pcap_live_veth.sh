#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# net_pcap on a live interface: a veth pair between two network namespaces made here.
#  1. rx: Sluice opens iface=<end A> in namespace A; a python AF_PACKET socket in namespace
#     B sends N frames of varied sizes; exactly those N frames must arrive, byte for byte.
#  2. tx: Sluice sends N UDP packets on tx_iface=<end A>; tcpdump on end B must capture
#     exactly N, which tshark decodes as UDP 198.18.0.1 -> 198.18.0.2.
#  3. tx errors: frames longer than the MTU are taken, freed, counted and logged once.
# IPv6 is off on both ends so no neighbour/router solicitations join the traffic.
# Usage: pcap_live_veth.sh BUILD_DIR (root).  Exit 77 (skip) when not root or tools missing.
set -euo pipefail

BUILD=$(cd "${1:?usage: pcap_live_veth.sh BUILD_DIR}" && pwd)
TOOL=$BUILD/tests/unit/pcap/pcap_tool
N=64

. "$(dirname "$0")/lib.sh"
need_root
[ -x "$TOOL" ] || skip "$TOOL is not built (net_pcap is off: apt-get install libpcap-dev)"
need_tools ip python3 tcpdump tshark timeout

NS_A=slpcapA$$
NS_B=slpcapB$$
VA=slpa$$
VB=slpb$$
TMP=$(mktemp -d "/tmp/sl_pcap_veth.$$.XXXXXX")

# Waits up to 5 s for a line matching $2 in file $1.
wait_for() {
	for _ in $(seq 50); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$1"
	fail "timed out waiting for '$2' in $1"
}

veth_pair "$NS_A" "$NS_B" "$VA" "$VB"

echo "== rx: $N frames from a raw socket in $NS_B to Sluice on $VA ($NS_A)"
ip netns exec "$NS_A" timeout 20 "$TOOL" recv "net_pcap0,iface=$VA" $N 10000 500 \
	>"$TMP/rx.hex" 2>"$TMP/rx.err" &
PIDS+=($!)
RX_PID=$!
wait_for "$TMP/rx.err" '^ready$'

cat >"$TMP/send.py" <<'EOF'
import socket, sys
iface, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
with open(out, 'w') as f:
    for i in range(n):
        size = 60 + (i * 37) % 1455  # 60 .. 1514 bytes
        # broadcast, a local source MAC, the IEEE local experimental EtherType 0x88b5
        frame = bytes([0xff] * 6 + [0x02, 0x53, 0x4c, 0xee, 0, i & 0xff, 0x88, 0xb5])
        frame += bytes((i * 11 + j * 3) & 0xff for j in range(size - len(frame)))
        s.send(frame)
        f.write(frame.hex() + '\n')
EOF
ip netns exec "$NS_B" timeout 10 python3 "$TMP/send.py" "$VB" $N "$TMP/expected.hex" ||
	fail "the python sender failed"
wait "$RX_PID" || fail "pcap_tool recv failed: $(cat "$TMP/rx.err")"
got=$(wc -l <"$TMP/rx.hex")
[ "$got" -eq $N ] || fail "Sluice received $got frames, expected exactly $N ($(cat "$TMP/rx.err"))"
cmp -s "$TMP/expected.hex" "$TMP/rx.hex" || {
	diff "$TMP/expected.hex" "$TMP/rx.hex" | head -c 2000
	fail "received frames differ from those sent"
}
echo "   $N/$N frames identical"

echo "== tx: Sluice sends $N packets on $VA; tcpdump captures on $VB ($NS_B)"
ip netns exec "$NS_B" timeout 20 tcpdump -i "$VB" -n -U -c $N -w "$TMP/tx.pcap" \
	>"$TMP/tcpdump.out" 2>"$TMP/tcpdump.err" &
PIDS+=($!)
DUMP_PID=$!
wait_for "$TMP/tcpdump.err" 'listening on'
ip netns exec "$NS_A" timeout 20 "$TOOL" send "net_pcap1,tx_iface=$VA" $N 256 >"$TMP/send.log" 2>&1 ||
	fail "pcap_tool send failed: $(cat "$TMP/send.log")"
grep -qx "sent $N" "$TMP/send.log" || fail "pcap_tool did not send $N: $(cat "$TMP/send.log")"
wait "$DUMP_PID" || fail "tcpdump did not capture $N packets: $(cat "$TMP/tcpdump.err")"
tshark -r "$TMP/tx.pcap" -T fields -E separator=, -e frame.len -e ip.src -e ip.dst \
	-e udp.dstport >"$TMP/tx.txt" 2>/dev/null
got=$(grep -cx "256,198.18.0.1,198.18.0.2,1025" "$TMP/tx.txt" || true)
[ "$got" -eq $N ] || { head "$TMP/tx.txt"; fail "tcpdump saw $got of the $N UDP packets"; }
echo "   $N/$N packets captured by tcpdump"

echo "== tx errors: 5 frames of 2000 bytes do not fit the 1500-byte MTU of $VA"
ip netns exec "$NS_A" timeout 20 "$TOOL" send "net_pcap2,tx_iface=$VA" 5 2000 >"$TMP/big.log" 2>&1 ||
	true
grep -qx "sent 5" "$TMP/big.log" || fail "oversized packets were not taken: $(cat "$TMP/big.log")"
grep -qx "tx ok 0, errors 5" "$TMP/big.log" || fail "oversized packets not counted: $(cat "$TMP/big.log")"
[ "$(grep -c "tx on $VA failed" "$TMP/big.log")" -eq 1 ] ||
	fail "the send failure should be logged once: $(cat "$TMP/big.log")"
echo "   5/5 counted as tx errors, reason logged once: $(grep -o 'failed: [^(]*' "$TMP/big.log")"

echo "PASS: net_pcap rx and tx on a live veth"
