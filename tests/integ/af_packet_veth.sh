#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# af_packet_veth.sh BUILD_DIR: net_af_packet against the kernel over a veth pair.
#
#   netns K (kernel side, python3 raw socket)  afk<pid> <--veth--> afs<pid>  netns S (Sluice)
#
# 1. python3 sends N known frames on afk; afp_peer (a net_af_packet port on afs) must
#    receive exactly those N, byte for byte, in order.
# 2. afp_peer sends N known frames on afs; a python3 raw socket on afk must receive exactly
#    those N, byte for byte, in order.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u

BUILD=${1:?usage: $0 BUILD_DIR}
PEER=$BUILD/tests/unit/af_packet/afp_peer
N=200
ETHERTYPE=88b5 # IEEE local experimental: no kernel protocol answers it

. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PEER" ] || skip "$PEER not built (configure with -Dtests=true; is net_af_packet on?)"
need_tools ip python3 timeout

ID=$$
NSK=sl-afpk-$ID
NSS=sl-afps-$ID
VK=afk$ID
VS=afs$ID
TMP=$(mktemp -d /tmp/af_packet_veth.XXXXXX)

veth_pair "$NSK" "$NSS" "$VK" "$VS"

# The frames: N of them, 60 to 1514 bytes, to a MAC nobody owns, each with its number and a
# pattern.  One line of hex per frame, the format afp_peer reads and prints.
python3 - "$N" "$ETHERTYPE" > "$TMP/frames.hex" <<'EOF' || fail "cannot generate frames"
import sys
n, etype = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
for i in range(n):
    length = 60 + (i * 37) % 1455
    head = bytes.fromhex("0200000000ee" "0200000000aa") + etype + i.to_bytes(4, "big")
    body = bytes((i * 7 + k) & 0xff for k in range(length - len(head)))
    print((head + body).hex())
EOF
[ "$(wc -l < "$TMP/frames.hex")" = "$N" ] || fail "frame generator wrote the wrong count"

# --- 1. kernel -> Sluice ---
timeout 20 ip netns exec "$NSS" "$PEER" rx "$VS" "$N" 10000 "$TMP/ready" \
	> "$TMP/sluice_rx.hex" 2> "$TMP/sluice_rx.log" &
PIDS+=($!)
for _ in $(seq 100); do
	[ -e "$TMP/ready" ] && break
	sleep 0.05
done
[ -e "$TMP/ready" ] || { cat "$TMP/sluice_rx.log"; fail "afp_peer rx did not start"; }

timeout 10 ip netns exec "$NSK" python3 - "$VK" "$TMP/frames.hex" <<'EOF' || fail "python sender failed"
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
s.bind((sys.argv[1], 0))
sent = 0
for line in open(sys.argv[2]):
    frame = bytes.fromhex(line.strip())
    if s.send(frame) != len(frame):
        sys.exit("short send")
    sent += 1
print(f"kernel side sent {sent} frames")
EOF
wait "${PIDS[0]}" || { cat "$TMP/sluice_rx.log"; fail "afp_peer rx exited with an error"; }
PIDS=()
cat "$TMP/sluice_rx.log"
got=$(wc -l < "$TMP/sluice_rx.hex")
[ "$got" = "$N" ] || fail "Sluice received $got frames, expected exactly $N"
cmp -s "$TMP/frames.hex" "$TMP/sluice_rx.hex" ||
	fail "Sluice received $N frames but their bytes differ (diff $TMP/frames.hex $TMP/sluice_rx.hex)"
grep -q "ipackets=$N .*imissed=0" "$TMP/sluice_rx.log" || fail "port counters do not say $N received, 0 missed"
echo "ok: kernel -> Sluice: $N frames, byte for byte"

# --- 2. Sluice -> kernel ---
timeout 20 ip netns exec "$NSK" python3 - "$VK" "$N" "$ETHERTYPE" "$TMP/ready2" \
	> "$TMP/kernel_rx.hex" 2> "$TMP/kernel_rx.log" <<'EOF' &
import socket, sys, time
iface, n, etype = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 16)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(etype))
# Room for all n frames even if python is slow to read: the default buffer (~200 KB of skb
# truesize) overflows when Sluice sends them back to back.
s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE (root)
s.bind((iface, etype))
s.settimeout(0.3)
open(sys.argv[4], "w").close()
got, deadline = [], time.monotonic() + 10
# Until n frames came, then 300 ms more so that an extra frame would be seen.
while time.monotonic() < deadline:
    try:
        frame, addr = s.recvfrom(65535)
    except socket.timeout:
        if len(got) >= n:
            break
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    got.append(frame)
for f in got:
    print(f.hex())
print(f"kernel side received {len(got)} frames", file=sys.stderr)
EOF
PIDS+=($!)
for _ in $(seq 100); do
	[ -e "$TMP/ready2" ] && break
	sleep 0.05
done
[ -e "$TMP/ready2" ] || { cat "$TMP/kernel_rx.log"; fail "python receiver did not start"; }

timeout 20 ip netns exec "$NSS" "$PEER" tx "$VS" < "$TMP/frames.hex" 2> "$TMP/sluice_tx.log" ||
	{ cat "$TMP/sluice_tx.log"; fail "afp_peer tx failed"; }
cat "$TMP/sluice_tx.log"
grep -q "opackets=$N .*oerrors=0" "$TMP/sluice_tx.log" || fail "port counters do not say $N sent, 0 errors"
wait "${PIDS[0]}" || { cat "$TMP/kernel_rx.log"; fail "python receiver failed"; }
PIDS=()
cat "$TMP/kernel_rx.log"
got=$(wc -l < "$TMP/kernel_rx.hex")
[ "$got" = "$N" ] || fail "the kernel side received $got frames, expected exactly $N"
cmp -s "$TMP/frames.hex" "$TMP/kernel_rx.hex" ||
	fail "the kernel side received $N frames but their bytes differ"
echo "ok: Sluice -> kernel: $N frames, byte for byte"
