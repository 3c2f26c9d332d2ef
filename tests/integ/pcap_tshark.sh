#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# net_pcap against Wireshark's readers and writers:
#  1. Sluice sends N UDP packets to a tx_pcap port; tshark must read exactly N frames with
#     the expected addresses, ports, a good IPv4 checksum and sequence numbers 0..N-1, and
#     capinfos must call the file a nanosecond pcap.
#  2. editcap rewrites that file as a microsecond pcap and as pcapng; Sluice's rx_pcap must
#     read back from each exactly the bytes a plain python parser finds in the original.
#  3. When app/fwd is built: sluice-fwd txonly writes N packets that tshark decodes as UDP
#     198.18.0.1 -> 198.18.0.2, and sluice-fwd io copies rx_pcap to tx_pcap byte for byte.
# Usage: pcap_tshark.sh BUILD_DIR.  Exit 77 (skip) when the tools or the driver are missing.
set -euo pipefail

BUILD=$(cd "${1:?usage: pcap_tshark.sh BUILD_DIR}" && pwd)
TOOL=$BUILD/tests/unit/pcap/pcap_tool
N=100
SIZE=128

. "$(dirname "$0")/lib.sh"
[ -x "$TOOL" ] || skip "$TOOL is not built (net_pcap is off: apt-get install libpcap-dev)"
for t in tshark capinfos editcap python3 timeout; do # need_tools, with the package to install
	command -v "$t" >/dev/null || skip "$t is not installed (apt-get install tshark python3)"
done

TMP=$(mktemp -d "/tmp/sl_pcap_tshark.$$.XXXXXX")
cd "$TMP"

echo "== Sluice writes $N packets to a pcap file"
timeout 20 "$TOOL" send "net_pcap0,tx_pcap=$TMP/out.pcap" $N $SIZE >send.log 2>&1 ||
	{ cat send.log; fail "pcap_tool send failed"; }
grep -qx "sent $N" send.log || { cat send.log; fail "pcap_tool did not send $N packets"; }

echo "== tshark reads it"
timeout 20 tshark -r out.pcap -o ip.check_checksum:TRUE -T fields -E separator=, \
	-e frame.len -e ip.src -e ip.dst -e udp.srcport -e udp.dstport -e ip.checksum.status \
	-e data.data >fields.txt 2>tshark.err || { cat tshark.err; fail "tshark cannot read out.pcap"; }
got=$(wc -l <fields.txt)
[ "$got" -eq $N ] || fail "tshark read $got frames, expected $N"
seq=0
while IFS=, read -r len src dst sport dport csum data; do
	expect="$SIZE,198.18.0.1,198.18.0.2,1024,1025,1"
	[ "$len,$src,$dst,$sport,$dport,$csum" = "$expect" ] ||
		fail "frame $seq: '$len,$src,$dst,$sport,$dport,$csum', expected '$expect' (checksum status 1 = good)"
	[ "${data:0:8}" = "$(printf '%08x' $seq)" ] ||
		fail "frame $seq carries sequence number 0x${data:0:8}"
	seq=$((seq + 1))
done <fields.txt
capinfos -t out.pcap | grep -q "nanosecond pcap" || { capinfos -t out.pcap; fail "not a nanosecond pcap"; }

echo "== python parses the file: lengths, nanosecond timestamps in order"
cat >parse.py <<'EOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
magic, = struct.unpack('<I', data[:4])
assert magic == 0xa1b23c4d, 'magic %#x is not nanosecond pcap' % magic
off, last = 24, 0
while off < len(data):
    sec, frac, incl, orig = struct.unpack('<IIII', data[off:off + 16])
    assert incl == orig, 'caplen %d != len %d' % (incl, orig)
    assert frac < 10**9, 'nanoseconds %d' % frac
    ts = sec * 10**9 + frac
    assert ts >= last, 'timestamps go backwards'
    last = ts
    print(data[off + 16:off + 16 + incl].hex())
    off += 16 + incl
assert off == len(data), 'trailing bytes'
EOF
python3 parse.py out.pcap >expected.hex || fail "python could not parse out.pcap"
[ "$(wc -l <expected.hex)" -eq $N ] || fail "python found $(wc -l <expected.hex) packets"

echo "== Sluice reads Wireshark's microsecond pcap and pcapng versions of it"
editcap -F pcap out.pcap usec.pcap
editcap -F pcapng out.pcap ng.pcapng
for f in usec.pcap ng.pcapng out.pcap; do
	timeout 20 "$TOOL" recv "net_pcap1,rx_pcap=$TMP/$f" $N 5000 100 >"$f.hex" 2>"$f.err" ||
		{ cat "$f.err"; fail "pcap_tool recv on $f failed"; }
	cmp -s expected.hex "$f.hex" ||
		fail "packets read from $f differ from the original ($(wc -l <"$f.hex") read)"
	grep -qx "received $N" "$f.err" || { cat "$f.err"; fail "$f: wrong count"; }
done

FWD=$BUILD/app/fwd/sluice-fwd
if [ -x "$FWD" ]; then
	echo "== sluice-fwd: txonly into a tx_pcap port, then io from rx_pcap to tx_pcap"
	run_fwd() {
		timeout 20 "$FWD" --no-huge -l 0-1 --file-prefix "sl_pcap_tshark_$$" --vdev "$1" -- \
			--forward-mode "$2" --packets $N >fwd.log 2>&1 || { cat fwd.log; fail "sluice-fwd $2 failed"; }
	}
	run_fwd "net_pcap0,tx_pcap=$TMP/fwd_tx.pcap" txonly
	got=$(tshark -r fwd_tx.pcap -T fields -E separator=, -e ip.src -e ip.dst -e udp.length 2>/dev/null |
		grep -c '^198\.18\.0\.1,198\.18\.0\.2,' || true)
	[ "$got" -eq $N ] || fail "tshark found $got UDP 198.18.0.1 -> 198.18.0.2 packets from txonly, expected $N"
	[ "$(tshark -r fwd_tx.pcap 2>/dev/null | wc -l)" -eq $N ] || fail "txonly wrote extra packets"
	# rx keeps each packet's timestamp and tx writes it back: the copy is byte-identical.
	run_fwd "net_pcap0,rx_pcap=$TMP/out.pcap,tx_pcap=$TMP/fwd_io.pcap" io
	cmp -s out.pcap fwd_io.pcap || fail "io forwarding rx_pcap -> tx_pcap changed the file"
else
	echo "== sluice-fwd is not built: forwarder checks skipped"
fi

echo "PASS: $N packets written, read by tshark, and read back from pcap, usec pcap and pcapng"
