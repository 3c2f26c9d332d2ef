#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# switch_bad_input.sh BUILD_DIR: sluice-switch against bad input, on kernel hosts in
# network namespaces (the layout of switch_netns.sh): h1 (port 0) and h2 (port 1) access
# VLAN 1, h3 (port 2) access VLAN 2, h4 (port 3) a trunk of VLANs 1 and 2 with no native
# VLAN; the FDB holds 64 addresses (--fdb-size 64).  Raw frames are built byte by byte in
# Python (this kernel may have no 8021q module); a receiver on every host reports the
# frames of EtherType 88b5 it gets: their mark (first payload byte) and tag.
#   1. start-up options: --fdb-size 8, --aging 0 and a start-up file with a bad line are
#      refused with a message that names the bad value (exit 2, 2 and 1).
#   2. odd tags: priority-tagged (VID 0, PCP 3) from h1 is switched in VLAN 1: h2 gets it
#      untagged, h4 tagged VLAN 1 with PCP 3; VID 0 from h4 (no native VLAN) is dropped
#      as untagged_on_trunk; VID 4095 from h1 and from h4 as bad_vid; two 802.1Q tags
#      (2 outside, 7 inside) from h4 go to h3 only, the inner tag kept; an 802.1ad outer
#      tag from h4 goes nowhere but h3 (how it is taken is said); truncated tags never
#      leave the switch; after them a broadcast from h1 still reaches h2 and h4.
#   3. MAC flood: 3000 frames with random source MACs from h3 fill the FDB: bridge show
#      says 64 of 64 and counts `full`, fdb show lists at most 64, stats' learn_full
#      equals the FDB's full; h1 still pings h2 (their MACs cannot be learned: flooded,
#      learn_full grows); after `fdb flush` both are learned on their ports again.
#      (An 802.1ad outer tag: on af_packet ports the kernel takes it off as it does an
#      802.1Q one and the switch takes it for the VLAN; ports that leave tags in the data
#      see an untagged frame.  Either is accepted here, and said.)
#   4. control: bad commands and arguments to sluice-switchctl fail with a message
#      naming the problem and change nothing (port show is the same after); raw bytes on
#      the control socket (not JSON, wrong types, binary, an over-long line, a half line)
#      get error replies that say what is wrong; `stats` is answered after each.
#   5. the accounting adds up; sluice-switch exits 0 on SIGTERM.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u
build=${1:?usage: switch_bad_input.sh BUILD_DIR}
sw=$build/app/switch/sluice-switch
ctl=$build/app/switch/sluice-switchctl

. "$(dirname "$0")/lib.sh"
need_root
need_tools python3 ping timeout
[ -x "$sw" ] && [ -x "$ctl" ] || skip "$sw not built"

TMP=$(mktemp -d /tmp/sluice-swbad.$$.XXXX)
SNS=slsb$$
sock=$TMP/switch.sock

# --- 1. start-up options (no namespace needed: a null port) ---
opt_refused() { # WANT_RC MESSAGE SWITCH_OPTIONS...: the switch refuses them with MESSAGE
	local want=$1 msg=$2 rc=0 out
	shift 2
	out=$(timeout 20 "$sw" --no-huge -l 0 --file-prefix "slsbo$$" --vdev net_null0 -- \
		--socket "$TMP/opt.sock" "$@" 2>&1 </dev/null) || rc=$?
	[ "$rc" = "$want" ] || fail_logs "sluice-switch $* exited $rc, want $want: $out"
	grep -qF -- "$msg" <<<"$out" || fail_logs "sluice-switch $*: no '$msg' in: $out"
	echo "   $*: exit $rc, '$msg'"
}
echo "1. start-up options"
opt_refused 2 "--fdb-size 8: give 16 to 16777216" --fdb-size 8
opt_refused 2 "--aging 0: give 1 to 1000000" --aging 0
printf 'port set 0 access 2\nport set 0 access 5000\n' >"$TMP/bad.startup"
opt_refused 1 "VLAN '5000': give 1 to 4094" --startup "$TMP/bad.startup"

# --- the hosts ---
ip netns add "$SNS" 2>/dev/null || skip "cannot create network namespaces here"
SL_NETNS+=("$SNS")
for i in 1 2 3 4; do
	h=slsbh$i$$
	ip netns add "$h" || fail "cannot create netns $h"
	SL_NETNS+=("$h")
	ip link add "s$i" netns "$SNS" type veth peer name e0 netns "$h" || fail "veth s$i"
	for ns in "$SNS" "$h"; do
		[ "$ns" = "$SNS" ] && v=s$i || v=e0
		ip netns exec "$ns" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$v/disable_ipv6" ||
			fail "cannot turn IPv6 off on $v"
		ip -n "$ns" link set dev "$v" up || fail "cannot bring $v up"
	done
done
H1=slsbh1$$ H2=slsbh2$$ H3=slsbh3$$ H4=slsbh4$$
ip -n "$H1" addr add 10.0.1.1/24 dev e0
ip -n "$H2" addr add 10.0.1.2/24 dev e0
mac_of() { ip netns exec "$1" cat /sys/class/net/e0/address; }
m1=$(mac_of "$H1") m2=$(mac_of "$H2") m4=$(mac_of "$H4")

swctl() { timeout 10 ip netns exec "$SNS" "$ctl" -s "$sock" "$@"; }
jget() { # EXPR COMMAND...: a Python expression on the JSON reply's data `d`
	local expr=$1 out
	shift
	out=$(swctl --json "$@") || return 1
	python3 -c "import json,sys; d=json.load(sys.stdin); print($expr)" <<<"$out"
}
total() { jget "d['total']$1" stats; }

# frames NS SPEC..: one frame per SPEC out of NS's e0.  SPEC is DST/SRC/TAGS/MARK: TAGS is
# "-" or TPID:TCI[,TPID:TCI], hex; MARK the payload's first byte, or "cut" for a frame
# that ends one byte after its first tag's TPID (a truncated tag).
frames() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 - "$@" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("e0", 0))
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
for spec in sys.argv[1:]:
    dst, src, tags, mark = spec.split("/")
    f = mac(dst) + mac(src)
    if tags != "-":
        for t in tags.split(","):
            tpid, tci = t.split(":")
            f += struct.pack("!HH", int(tpid, 16), int(tci, 16))
    if mark == "cut":
        f = f[:15]
    else:
        f += struct.pack("!HB", 0x88b5, int(mark)) + bytes(45)
    s.send(f)
PY
}
# sniff NS OUT: for 4 s, one line per frame of EtherType 88b5 arriving on NS's e0:
# "MARK:none" or "MARK:VID/PCP" (the first tag, inline or in the kernel's aux data)
sniff() {
	ip netns exec "$1" python3 - >"$2" <<'PY' &
import socket, struct, time
SOL_PACKET, PACKET_AUXDATA, VLAN_VALID = 263, 8, 0x10
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.bind(("e0", 0))
s.settimeout(0.2)
print("ready", flush=True)
end = time.time() + 4
while time.time() < end:
    try:
        data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(64))
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    tag, off = None, 12
    for lvl, typ, val in anc:
        if lvl == SOL_PACKET and typ == PACKET_AUXDATA:
            st, _, _, _, _, tci = struct.unpack("IIIHHH", val[:18])
            if st & VLAN_VALID:
                tag = tci
    if tag is None and struct.unpack("!H", data[12:14])[0] == 0x8100:
        tag, off = struct.unpack("!H", data[14:16])[0], 16
    if len(data) > off + 2 and struct.unpack("!H", data[off:off + 2])[0] == 0x88b5:
        t = "none" if tag is None else "%d/%d" % (tag & 0xfff, tag >> 13)
        print("%d:%s" % (data[off + 2], t), flush=True)
PY
	PIDS+=("$!")
	SNIFFERS+=("$!")
}
SNIFFERS=()
seen() { grep -v ready "$TMP/sniff.$1" | sort | tr '\n' ' ' | sed 's/ $//'; }

printf 'port set 2 access 2\nport set 3 trunk 1,2\n' >"$TMP/startup"
vdevs=()
for i in 1 2 3 4; do vdevs+=(--vdev "net_af_packet$((i - 1)),iface=s$i"); done
ip netns exec "$SNS" "$sw" --no-huge -l 0-1 --file-prefix "slsb$$" "${vdevs[@]}" -- \
	--socket "$sock" --fdb-size 64 --startup "$TMP/startup" >"$TMP/switch.log" 2>&1 &
swpid=$!
PIDS+=("$swpid")
wait_for "$TMP/switch.log" "control socket" 10 || fail_logs "sluice-switch did not start"
modes=$(jget '" ".join("%s:%s:%s" % (p["mode"], p["vlan"], p["vlans"]) for p in d)' port show)
[ "$modes" = "access:1: access:1: access:2: trunk:None:1-2" ] || fail_logs "ports as started: $modes"

# --- 2. odd tags ---
drop() { total "['drops']['$1']"; }
ut0=$(drop untagged_on_trunk) bv0=$(drop bad_vid) rt0=$(drop runt)
for i in 1 2 3 4; do sniff "slsbh$i$$" "$TMP/sniff.h$i"; done
for i in 1 2 3 4; do wait_for "$TMP/sniff.h$i" ready 5 || fail_logs "the receiver on h$i did not start"; done
BC=ff:ff:ff:ff:ff:ff
# h1: a priority tag (VID 0, PCP 3), VID 4095 twice on an access port, two truncated tags
frames "$H1" "$BC/$m1/8100:6000/1" "$BC/$m1/8100:0fff/3" "$BC/$m1/8100:0fff/3" \
	"$BC/$m1/8100:0001/cut" "$BC/$m1/8100:0001/cut"
# h4 (trunk, no native VLAN): VID 0, VID 4095, two 802.1Q tags, 802.1ad outside and
# 802.1Q inside, a truncated tag
frames "$H4" "$BC/$m4/8100:0000/2" "$BC/$m4/8100:0fff/4" "$BC/$m4/8100:0002,8100:0007/5" \
	"$BC/$m4/88a8:0002,8100:0007/6" "$BC/$m4/8100:0002/cut"
frames "$H1" "$BC/$m1/-/9" # and still switching
for p in "${SNIFFERS[@]}"; do reap "$p"; done
got="h1:[$(seen h1)] h2:[$(seen h2)] h3:[$(seen h3)] h4:[$(seen h4)]"
ut=$(($(drop untagged_on_trunk) - ut0)) bv=$(($(drop bad_vid) - bv0)) rt=$(($(drop runt) - rt0))
echo "2. odd tags: received $got"
echo "   dropped: untagged_on_trunk +$ut, bad_vid +$bv, runt +$rt"
case $got in
"h1:[] h2:[1:none 9:none] h3:[5:7/0 6:7/0] h4:[1:1/3 9:1/0]")
	qinq="802.1ad outer tag taken as the VLAN (af_packet: the kernel strips 88a8 tags too)"
	want_ut=1 ;;
"h1:[] h2:[1:none 9:none] h3:[5:7/0] h4:[1:1/3 9:1/0]")
	qinq="802.1ad frame taken as untagged: dropped on the trunk"
	want_ut=2 ;;
*) fail_logs "odd tags: got $got; want h2 [1:none 9:none], h3 [5:7/0] (+ 6:7/0), h4 [1:1/3 9:1/0]" ;;
esac
echo "   $qinq"
[ "$ut" = "$want_ut" ] && [ "$bv" = 3 ] || fail_logs "drops: untagged_on_trunk $ut (want $want_ut), bad_vid $bv (want 3)"
# the truncated ones: dropped by the kernel before the switch, or counted as runts
[ "$rt" -le 3 ] || fail_logs "runt $rt after 3 truncated frames"
kill -0 "$swpid" || fail_logs "sluice-switch died on odd tags"

# --- 3. MAC flood ---
# (an empty FDB first: h1 was learned by the frames above)
swctl fdb flush >/dev/null || fail_logs "fdb flush failed"
rx0=$(total "['rx']") lf0=$(total "['learn_full']")
ip netns exec "$H3" python3 - <<'PY' || fail_logs "the MAC flood could not be sent"
import os, socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("e0", 0))
for i in range(3000):
    r = os.urandom(10)
    src = bytes([0x02]) + r[:5]             # locally administered unicast
    dst = bytes([0x02 | 0x04]) + r[5:]      # unknown unicast: flooded
    s.send(dst + src + struct.pack("!H", 0x88b5) + bytes(46))
PY
sleep 1
read -r entries cap full <<<"$(jget '"%d %d %d" % (d[0]["fdb_entries"], d[0]["fdb_capacity"], d[0]["full"])' bridge show)"
listed=$(jget 'len(d)' fdb show)
rx=$(($(total "['rx']") - rx0)) lf=$(($(total "['learn_full']") - lf0)) lf_all=$(total "['learn_full']")
echo "3. MAC flood: the switch got $rx frames; fdb $entries of $cap, $listed listed, full $full, learn_full +$lf"
[ "$cap" = 64 ] || fail_logs "FDB capacity $cap with --fdb-size 64"
[ "$rx" -ge 1000 ] || fail_logs "only $rx of 3000 flood frames reached the switch"
[ "$entries" = 64 ] && [ "$listed" -le 64 ] && [ "$listed" = "$entries" ] ||
	fail_logs "after the flood: $entries entries, $listed listed (want 64 of 64)"
[ "$full" -gt 0 ] && [ "$lf" -gt 0 ] && [ "$full" = "$lf_all" ] ||
	fail_logs "full not counted: bridge full $full, stats learn_full $lf_all (+$lf)"
lf1=$lf_all
ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 10.0.1.2 >"$TMP/ping1.out" ||
	fail_logs "h1 -> h2 failed with the FDB full: $(tail -2 "$TMP/ping1.out")"
lf2=$(total "['learn_full']")
in_fdb=$(jget "len([e for e in d if e['mac'] in ('$m1', '$m2')])" fdb show)
echo "   h1 -> h2 with the FDB full: answered; h1/h2 in the FDB: $in_fdb, learn_full $lf1 -> $lf2"
[ "$in_fdb" = 0 ] && [ "$lf2" -gt "$lf1" ] || fail_logs "h1/h2 learned into a full FDB? in fdb $in_fdb, learn_full $lf1 -> $lf2"
out=$(swctl fdb flush) || fail_logs "fdb flush failed"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 10.0.1.2 >"$TMP/ping2.out" || fail_logs "h1 -> h2 after the flush failed"
where=$(jget "' '.join('%s@%d' % (e['mac'], e['port']) for e in sorted(d, key=lambda e: e['port']) if e['mac'] in ('$m1', '$m2'))" fdb show)
echo "   $out; after a ping: $where"
[ "$where" = "$m1@0 $m2@1" ] || fail_logs "after the flush h1/h2 are at '$where', want $m1@0 $m2@1"

# --- 4. control ---
echo "4. control"
before=$(swctl --json port show | python3 -c 'import json,sys; print([(p["mode"], p["vlan"], p["vlans"], p["bridge"]) for p in json.load(sys.stdin)])')
ctl_refused() { # MESSAGE COMMAND...: sluice-switchctl fails and says MESSAGE
	local msg=$1 out rc=0
	shift
	out=$(swctl "$@" 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail_logs "'$*' was accepted: $out"
	grep -qF -- "$msg" <<<"$out" || fail_logs "'$*': no '$msg' in: $out"
	echo "   '$*' -> ${out%%$'\n'*}"
}
ctl_refused "unknown command 'frobnicate'" frobnicate
ctl_refused "did you mean 'stats'" stat
ctl_refused "no port '99'" port set 99 access 1
ctl_refused "no port 'net_nosuch0'" port set net_nosuch0 access 1
ctl_refused "VLAN '0': give 1 to 4094" port set 0 access 0
ctl_refused "VLAN '4095': give 1 to 4094" port set 0 access 4095
ctl_refused "VLAN '1x': give 1 to 4094" port set 0 access 1x
ctl_refused "VLAN range 20-10: the first is larger" port set 3 trunk 20-10
ctl_refused "VLAN 'x': give 1 to 4094" port set 3 trunk 10,x
ctl_refused "VLAN '0': give 1 to 4094" port set 3 trunk 10 native 0
ctl_refused "'nativ': port set PORT trunk VIDS native VID" port set 3 trunk 10 nativ 5
ctl_refused "'mode': port set PORT access VID" port set 0 mode access
ctl_refused "port set PORT access VID" port set 0
ctl_refused "give 1 to 15 characters" port set 0 bridge 0123456789abcdef
ctl_refused "no bridge 'nosuch'" fdb show nosuch
ctl_refused "VLAN '9999': give 1 to 4094" fdb flush vlan 9999
ctl_refused "no port '77'" fdb flush port 77
ctl_refused "aging '0': give 1 to 1000000 seconds" fdb aging 0
ctl_refused "aging 'abc': give 1 to 1000000 seconds" fdb aging abc
ctl_refused "fdb aging [SECONDS]" fdb aging 1 2
ctl_refused "unknown option" --bogus stats
after=$(swctl --json port show | python3 -c 'import json,sys; print([(p["mode"], p["vlan"], p["vlans"], p["bridge"]) for p in json.load(sys.stdin)])')
[ "$before" = "$after" ] || fail_logs "refused commands changed the ports: $before -> $after"
aging=$(jget 'd["aging"]' fdb aging)
[ "$aging" = 300 ] || fail_logs "refused commands changed the aging time: $aging"
echo "   ports and aging unchanged"

# raw bytes on the socket: each line's reply, then stats on the same connection
ip netns exec "$SNS" python3 - "$sock" >"$TMP/raw.out" 2>&1 <<'PY' || fail_logs "raw control requests: $(cat "$TMP/raw.out")"
import json, socket, sys
path = sys.argv[1]
def conn():
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(5)
    c.connect(path)
    return c, c.makefile("rb")
def ask(c, f, line):
    c.sendall(line)
    r = f.readline()
    if not r:
        return None
    return json.loads(r)
c, f = conn()
cases = [
    (b"not json\n", "malformed JSON"),
    (b"\x00\xff\xfe\x80garbage\n", "malformed JSON"),
    (b"[1, 2]\n", "not an object"),
    (b'{"argv": "stats"}\n', "not an array of strings"),
    (b'{"argv": []}\n', "is empty"),
    (b'{"argv": [1]}\n', "not a string"),
    (b'{"arg": ["stats"]}\n', 'no "argv"'),
    (b'{"argv": ["stats"], "argv": ["help"]}\n', "malformed JSON"),
    (b"   \n", "empty request line"),
    (b'{"argv": ["port", "set", "0", "access", "5000"]}\n', "VLAN '5000'"),
    (b'{"argv": ["fdb", "show", "' + b"b" * 5000 + b'"]}\n', "the limit is 4096"),
]
for line, want in cases:
    r = ask(c, f, line)
    if r is None or r.get("ok") is not False or want not in r.get("error", ""):
        sys.exit("%r: reply %r, want an error with %r" % (line[:40], r, want))
    print("%r -> %s" % (line[:40], r["error"][:100]))
    r = ask(c, f, b'{"argv": ["stats"]}\n')
    if not r or r.get("ok") is not True or "total: rx" not in r.get("text", ""):
        sys.exit("stats after %r: %r" % (line[:40], r))
# over-long: an error reply, then the connection closes
r = ask(c, f, b"x" * 70000 + b"\n")
if r is None or "request too long" not in r.get("error", ""):
    sys.exit("over-long line: reply %r" % (r,))
print("70000-byte line -> %s" % r["error"])
if f.readline() != b"":
    sys.exit("the connection stayed open after an over-long line")
c.close()
# half a line, then gone
c, f = conn()
c.sendall(b'{"argv": ["sta')
c.close()
c, f = conn()
r = ask(c, f, b'{"argv": ["stats"], "json": true}\n')
if not r or r.get("ok") is not True or "total" not in (r.get("data") or {}):
    sys.exit("stats after a half line: %r" % (r,))
print("stats answered after a half line")
PY
sed 's/^/   /' "$TMP/raw.out"

# bridges: 16 at most, and the 17th is refused by name
for b in $(seq 1 15); do swctl port set 2 bridge "bb$b" >/dev/null || fail_logs "port set 2 bridge bb$b failed"; done
ctl_refused "no room for bridge 'bb16': 16 bridges at most" port set 2 bridge bb16
swctl port set 2 bridge br0 >/dev/null || fail_logs "port set 2 bridge br0 failed"
swctl stats >/dev/null || fail_logs "stats not answered after the bad requests"

# --- 5. accounting, exit ---
bal=$(jget '(lambda t: "%d %d" % (t["rx"] - t["forwarded"] - t["flooded"] - sum(v for k, v in t["drops"].items() if k not in ("tx_full", "copy_nombuf")), t["outputs"] - t["sent"] - t["drops"]["tx_full"] - t["drops"]["copy_nombuf"]))(d["total"])' stats)
echo "5. unaccounted: rx ${bal% *}, outputs ${bal#* }"
[ "$bal" = "0 0" ] || fail_logs "counts do not add up: $bal"
kill -TERM "$swpid"
for _ in $(seq 50); do kill -0 "$swpid" 2>/dev/null || break; sleep 0.1; done
rc=0
reap "$swpid" || rc=$?
[ "$rc" = 0 ] || fail_logs "sluice-switch exited $rc on SIGTERM"
echo "   sluice-switch exited 0 on SIGTERM"
echo PASS
