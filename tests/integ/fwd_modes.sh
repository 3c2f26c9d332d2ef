#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Each forwarding mode of sluice-fwd does what it says to the packets, checked byte by
# byte: a pcap port replays a file made here and writes what it sends to another.
#   mac      source = the tx port's MAC, destination = --eth-peer's; the rest unchanged
#   macswap  source and destination swapped; the rest unchanged
#   csum     wrong IPv4 and UDP checksums counted and fixed; right ones untouched
#   flowgen  --flows N distinct flows, each as often, valid IPv4 checksums
#   io       the frames unchanged, in order
# Usage: fwd_modes.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
fwd=$1/app/fwd/sluice-fwd
[ -x "$fwd" ] || skip "$fwd not built"
"$fwd" --help 2>/dev/null | grep -q net_pcap || skip "net_pcap not built"
need_tools python3
TMP=$(mktemp -d)
eal=(--no-huge -l 0-1 --file-prefix "fwd-modes-$$")

# 64 UDP/IPv4 frames from varied MACs; frames 5, 17, 40 have a wrong IPv4 checksum and
# frames 9, 17, 33 a wrong UDP checksum.
python3 - "$TMP/in.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
for i in range(64):
    payload = bytes([i]) * 18
    src, dst = bytes([2, 0, 0, 0, 1, i]), bytes([2, 0, 0, 0, 2, i])
    udp = struct.pack("!HHHH", 1000 + i, 53, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 1, i]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    ph = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    c = csum(ph + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    if i in (5, 17, 40): ip = ip[:10] + b"\x12\x34" + ip[12:]
    if i in (9, 17, 33): udp = udp[:6] + struct.pack("!H", c ^ 0x0f0f) + udp[8:]
    frame = dst + src + b"\x08\x00" + ip + udp
    out.append(struct.pack("<IIII", i, 0, len(frame), len(frame)) + frame)
open(sys.argv[1], "wb").write(b"".join(out))
PY

run() { # MODE OUT [fwd options...]
  local mode=$1 out=$2
  shift 2
  timeout -s KILL 60 "$fwd" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$TMP/in.pcap,tx_pcap=$TMP/$out" \
    -- --forward-mode "$mode" --packets 64 --json "$@" >"$TMP/$out.json" ||
    fail "$mode: sluice-fwd failed: $(cat "$TMP/$out.json")"
}

run io io.pcap
run mac mac.pcap --eth-peer 0,02:aa:bb:cc:dd:ee
run macswap macswap.pcap
run csum csum.pcap
timeout -s KILL 60 "$fwd" "${eal[@]}" --vdev "net_pcap0,tx_pcap=$TMP/flowgen.pcap" -- \
  --forward-mode flowgen --flows 7 --packets 70 --json >"$TMP/flowgen.pcap.json" ||
  fail "flowgen: sluice-fwd failed"

python3 - "$TMP" <<'PY'
import json, struct, sys
d = sys.argv[1]
def frames(name):
    b = open(d + "/" + name, "rb").read()
    off, out = 24, []
    while off < len(b):
        incl = struct.unpack("<I", b[off + 8:off + 12])[0]
        out.append(b[off + 16:off + 16 + incl])
        off += 16 + incl
    return out
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip_ok(f): return csum(f[14:34]) == 0
def udp_ok(f):
    udp = f[34:]
    return csum(f[26:34] + struct.pack("!BBH", 0, 17, len(udp)) + udp) == 0
def check(c, what):
    if not c: sys.exit("FAIL: " + what)
def report(name):
    r = json.load(open(d + "/" + name + ".json"))
    check(r["accounting_ok"], name + ": accounting")
    return r["totals"]
src = frames("in.pcap")
check(len(src) == 64, "input file")
out = frames("io.pcap")
check(out == src, "io: frames changed or reordered")
report("io.pcap")
out = frames("mac.pcap")
check(len(out) == 64, "mac: %d frames" % len(out))
mac = bytes([0x02, 0x53, 0x4c, 0x00, 0x02, 0x00])   # net_pcap0's MAC
for a, b in zip(src, out):
    check(b[0:6] == bytes.fromhex("02aabbccddee"), "mac: destination is not --eth-peer's")
    check(b[6:12] == mac, "mac: source is not the port's MAC: " + b[6:12].hex())
    check(b[12:] == a[12:], "mac: more than the addresses changed")
report("mac.pcap")
out = frames("macswap.pcap")
for a, b in zip(src, out):
    check(b[0:6] == a[6:12] and b[6:12] == a[0:6] and b[12:] == a[12:], "macswap")
check(len(out) == 64, "macswap: %d frames" % len(out))
report("macswap.pcap")
out = frames("csum.pcap")
check(len(out) == 64, "csum: %d frames" % len(out))
for i, (a, b) in enumerate(zip(src, out)):
    check(ip_ok(b) and udp_ok(b), "csum: frame %d still has a wrong checksum" % i)
    if ip_ok(a) and udp_ok(a):
        check(a == b, "csum: frame %d was right and got changed" % i)
t = report("csum.pcap")
check(t["ip_cksum_bad"] == 3 and t["l4_cksum_bad"] == 3,
      "csum: counted %d IP / %d L4, want 3 / 3" % (t["ip_cksum_bad"], t["l4_cksum_bad"]))
out = frames("flowgen.pcap")
check(len(out) == 70, "flowgen: %d frames" % len(out))
flows = {}
for f in out:
    check(ip_ok(f), "flowgen: bad IPv4 checksum")
    k = (f[30:34], f[34:36])
    flows[k] = flows.get(k, 0) + 1
check(len(flows) == 7 and set(flows.values()) == {10}, "flowgen: flows %s" % flows)
t = report("flowgen.pcap")
check(t["generated"] == 70, "flowgen: generated %d" % t["generated"])
print("io, mac, macswap, csum, flowgen: OK")
PY
