#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# sluice capture against a running sluice-fwd, read back by Wireshark's tools:
#  1. sluice-fwd -i (driven through a fifo) forwards a 300-packet pcap file (100 to UDP port
#     5000, 200 to 6000) between net_pcap0 and a looped net_ring0; a capture of port 0 with
#     -f 'udp port 5000' started before 'start' holds exactly the 100 received and the 100
#     sent back, with their direction, queue, interface name and filter (tshark), and an
#     interface statistics block at the end (python).
#  2. A forwarder looping the file forever: `-w - | tshark -r -` reads exactly -c 50 frames;
#     -b filesize:16 -b files:3 -c 2000 leaves exactly 3 files named base_NNNNN_YYYYmmddHHMMSS.pcapng,
#     the last ones, each a valid pcapng (capinfos).
#  3. A capturer killed with SIGKILL: the forwarder goes on forwarding, telemetry reports no
#     capture running (the hooks were removed), and a second capture works.
# Usage: capture_tshark.sh BUILD_DIR   (FWD=BINARY tries another sluice-fwd)
set -euo pipefail

BUILD=$(cd "${1:?usage: capture_tshark.sh BUILD_DIR}" && pwd)
FWD=${FWD:-$BUILD/app/fwd/sluice-fwd}
SLUICE=$BUILD/app/sluice/sluice
. "$(dirname "$0")/lib.sh"
[ -x "$FWD" ] || skip "$FWD not built"
[ -x "$SLUICE" ] || skip "$SLUICE not built"
for t in tshark capinfos python3 timeout; do
	command -v "$t" >/dev/null || skip "$t is not installed (apt-get install tshark python3)"
done

TMP=$(mktemp -d "/tmp/sl_capture_tshark.$$.XXXXXX")
cd "$TMP"
PREFIX="cap-tshark-$$"
eal=(--no-huge -l 0-1 --file-prefix "$PREFIX")

python3 - <<'EOF'
import struct
out = open('in.pcap', 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i in range(300):
    dport = 5000 if i % 3 == 0 else 6000
    udp = struct.pack('>HHHH', 1234, dport, 26, 0) + i.to_bytes(2, 'big') + bytes(16)
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    fr = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]) + b'\x08\x00' + ip + udp
    out.write(struct.pack('<IIII', 0, i, len(fr), len(fr)) + fr)
EOF

# tel CMD: one telemetry request to the forwarder, prints reply[CMD] as JSON.
tel() {
	python3 - "$PREFIX" "$1" <<'EOF'
import json, os, socket, sys
prefix, cmd = sys.argv[1], sys.argv[2]
base = os.environ.get('RUNTIME_DIRECTORY') or ('/var/run' if os.getuid() == 0 else
        os.environ.get('XDG_RUNTIME_DIR', '/tmp'))
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(os.path.join(base, 'dpdk', prefix, 'dpdk_telemetry.v2'))
hello = json.loads(s.recv(16384))
if 'pid' not in hello:
    sys.exit('telemetry refused: %s' % hello)
s.send(cmd.encode())
r = json.loads(s.recv(16384))
print(json.dumps(r.get(cmd.split(',')[0])))
EOF
}

# wait_for FILE TEXT: until FILE holds TEXT (10 s).
wait_for() {
	for _ in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$1" 2>/dev/null || true
	fail "no '$2' in $1 after 10 s"
}

# wait_started: until the forwarder's two ports are started (its telemetry answers from
# sl_init() on, before the ports are set up: a capture needs their queues), 20 s.
wait_started() {
	local p
	for _ in $(seq 200); do
		p=0
		for id in 0 1; do
			tel "/ethdev/info,$id" 2>/dev/null | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["dev_started"] != 1)' 2>/dev/null && p=$((p + 1))
		done
		[ $p = 2 ] && return 0
		sleep 0.1
	done
	fail "the forwarder's ports did not start in 20 s"
}

echo "== 1. exact packets: a filtered capture of a forwarder driven from its prompt"
mkfifo ctl
timeout -s KILL 60 "$FWD" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$TMP/in.pcap" \
	--vdev net_ring0 -- -i <ctl >fwd1.out 2>fwd1.err &
fwd=$!
PIDS+=($fwd)
exec 7>ctl
wait_started
if tel /sluice/capture/list 2>/dev/null | grep -q '^null$'; then
	skip "$FWD does not serve /sluice/capture (it does not link lib/capture)"
fi
timeout -s KILL 30 "$SLUICE" capture --file-prefix "$PREFIX" -i net_pcap0 \
	-f 'udp port 5000' -w one.pcapng 2>cap1.err &
cap=$!
PIDS+=($cap)
wait_for cap1.err "File: one.pcapng"
echo start >&7
for _ in $(seq 100); do # until the file's 300 came back from the looped ring
	[ "$(tel /ethdev/stats,1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ipackets"])')" = 300 ] && break
	sleep 0.1
done
sleep 0.3
echo stop >&7
kill -INT "$cap"
wait "$cap" || { cat cap1.err; fail "sluice capture exited $? on SIGINT"; }
echo quit >&7
exec 7>&-
wait "$fwd" || fail "sluice-fwd -i exited $? (its final report: $(tail -3 fwd1.out))"
grep -q "Packets captured: 200, dropped: 0" cap1.err || { cat cap1.err; fail "wrong summary"; }
timeout 20 tshark -r one.pcapng -T fields -E separator=, -e udp.dstport \
	-e frame.packet_flags_direction -e frame.interface_queue -e frame.interface_name \
	>one.txt 2>tshark.err || { cat tshark.err; fail "tshark cannot read one.pcapng"; }
[ "$(wc -l <one.txt)" -eq 200 ] || fail "tshark read $(wc -l <one.txt) frames, expected 200"
[ "$(grep -c '^5000,0x00000001,0,net_pcap0$' one.txt)" -eq 100 ] ||
	{ sort one.txt | uniq -c; fail "not 100 inbound frames to port 5000 on queue 0"; }
[ "$(grep -c '^5000,0x00000002,0,net_pcap0$' one.txt)" -eq 100 ] ||
	{ sort one.txt | uniq -c; fail "not 100 outbound frames to port 5000 on queue 0"; }
capinfos one.pcapng | grep -q "Filter string = udp port 5000" || fail "no if_filter in the IDB"
python3 - one.pcapng <<'EOF' || fail "the interface statistics block is wrong"
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, isb = 0, None
while off < len(d):
    t, l = struct.unpack_from('<II', d, off)
    assert l % 4 == 0 and struct.unpack_from('<I', d, off + l - 4)[0] == l, 'block lengths'
    if t == 5:
        isb = d[off:off + l]
    off += l
assert isb is not None, 'no ISB'
opts, o = {}, 20
while True:
    c, n = struct.unpack_from('<HH', isb, o)
    if c == 0:
        break
    opts[c] = isb[o + 4:o + 4 + n]
    o += 4 + (n + 3) // 4 * 4
recv, drop, acc = (struct.unpack('<Q', opts[k])[0] for k in (4, 5, 6))
assert (recv, drop, acc) == (600, 0, 200), (recv, drop, acc)
print('ISB: ifrecv %d, ifdrop %d, filteraccept %d' % (recv, drop, acc))
EOF

echo "== 2. a forwarder looping the file: stdout to tshark, and rotation"
timeout -s KILL 60 "$FWD" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" \
	--vdev net_ring0 -- --duration 25 >fwd2.out 2>fwd2.err &
fwd=$!
PIDS+=($fwd)
wait_started
timeout -s KILL 20 "$SLUICE" capture --file-prefix "$PREFIX" -i 0 --direction rx \
	-f 'udp port 5000' -c 50 -w - 2>cap2.err | timeout 20 tshark -r - -T fields \
	-e udp.dstport >pipe.txt 2>tshark2.err || { cat cap2.err tshark2.err; fail "pipe failed"; }
[ "$(wc -l <pipe.txt)" -eq 50 ] || fail "tshark read $(wc -l <pipe.txt) frames from the pipe"
[ "$(sort -u pipe.txt)" = 5000 ] || fail "the pipe carried frames not to port 5000"
grep -q "Packets captured: 50," cap2.err || { cat cap2.err; fail "-c 50 summary"; }

timeout -s KILL 20 "$SLUICE" capture --file-prefix "$PREFIX" -i 0 -s 96 -q \
	-b filesize:16 -b files:3 -c 2000 -w "$TMP/rot.pcapng" 2>cap3.err ||
	{ cat cap3.err; fail "rotating capture failed"; }
mapfile -t files < <(ls rot_*.pcapng)
[ "${#files[@]}" -eq 3 ] || fail "rotation left ${#files[@]} files: ${files[*]}"
for f in "${files[@]}"; do
	[[ $f =~ ^rot_[0-9]{5}_[0-9]{14}\.pcapng$ ]] || fail "file name $f is not base_NNNNN_YYYYmmddHHMMSS.pcapng"
	capinfos -t "$f" | grep -q pcapng || fail "$f is not pcapng"
done
last=$(printf '%s\n' "${files[@]}" | sed 's/rot_0*\([0-9]*\)_.*/\1/' | sort -n | tail -1)
[ "$last" -gt 3 ] || fail "only $last files were written for 2000 packets (~130 each)"
echo "rotation: ${files[*]}"

echo "== 3. a capturer killed with SIGKILL leaks nothing"
"$SLUICE" capture --file-prefix "$PREFIX" -w "$TMP/killed.pcapng" 2>cap4.err & # no timeout: KILL it
cap=$!
PIDS+=($cap)
wait_for cap4.err "File:"
[ "$(tel /sluice/capture/list | python3 -c 'import json,sys; print(json.load(sys.stdin)["running"])')" = 1 ] ||
	fail "telemetry does not report the capture running"
kill -KILL "$cap"
wait "$cap" 2>/dev/null || true
for _ in $(seq 50); do
	running=$(tel /sluice/capture/list | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["running"], d["hooks"])')
	[ "$running" = "0 0" ] && break
	sleep 0.1
done
[ "$running" = "0 0" ] || fail "after SIGKILL telemetry reports captures and hooks: $running"
a=$(tel /ethdev/stats,0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ipackets"])')
sleep 0.5
b=$(tel /ethdev/stats,0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ipackets"])')
[ "$b" -gt "$a" ] || fail "the forwarder stopped forwarding after the capturer was killed"
timeout -s KILL 20 "$SLUICE" capture --file-prefix "$PREFIX" -i 0 -c 10 -q \
	-w "$TMP/again.pcapng" 2>cap5.err || { cat cap5.err; fail "a second capture failed"; }
[ "$(capinfos -c -M again.pcapng | awk '/Number of packets/ {print $NF}')" = 10 ] ||
	fail "the second capture did not write 10 packets"
kill -INT "$fwd"
wait "$fwd" || fail "sluice-fwd exited $? (its final report: $(tail -3 fwd2.out))"
grep -q "every packet accounted for" fwd2.out || { tail fwd2.out; fail "accounting"; }
echo "PASS"
