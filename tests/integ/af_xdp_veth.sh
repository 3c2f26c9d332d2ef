#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# af_xdp_veth.sh BUILD_DIR: net_af_xdp against the kernel over a veth pair, and its teardown.
#
#   netns K (python3 raw socket)  axk<pid> <--veth--> axs<pid>  netns S (sluice-fwd rxonly)
#
# For xdp_mode=native and xdp_mode=skb:
#   1. sluice-fwd rxonly --json runs a net_af_xdp port on axs; once the XDP program shows
#      on axs, python3 sends N frames on axk.
#   2. sluice-fwd gets SIGTERM; its JSON report must say exactly N received, 0 missed.
#   3. After it exits no XDP program is left on axs (`ip -d link` shows no prog/xdp).
#   4. Another sluice-fwd is killed with SIGKILL once its program is on axs: none may be
#      left either (`ip link show`: no xdp flag, no prog/xdp), since the port held the
#      program through a BPF link that the kernel closes with the process.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path;
# it kills only the sluice-fwd processes it started.
set -u

BUILD=${1:?usage: $0 BUILD_DIR}
FWD=$BUILD/app/fwd/sluice-fwd
N=200
ETHERTYPE=88b5 # IEEE local experimental: no kernel protocol answers it

. "$(dirname "$0")/lib.sh"
need_root
[ -x "$FWD" ] || skip "$FWD not built"
"$FWD" --help 2>&1 | grep -q . || skip "sluice-fwd does not run"
need_tools ip python3 timeout

ID=$$
NSK=sl-axk-$ID
NSS=sl-axs-$ID
VK=axk$ID
VS=axs$ID
TMP=$(mktemp -d /tmp/af_xdp_veth.XXXXXX)

veth_pair "$NSK" "$NSS" "$VK" "$VS"

xdp_on() { ip -n "$NSS" -d link show dev "$VS" | grep -q "prog/xdp"; }

run_mode() {
	local mode=$1 pid got missed
	# --no-huge: ordinary memory; --file-prefix: its own runtime directory.
	timeout 30 ip netns exec "$NSS" "$FWD" --no-huge --file-prefix "axdp$ID" -l 0 \
		--vdev "net_af_xdp0,iface=$VS,xdp_mode=$mode" -- --forward-mode rxonly --json \
		> "$TMP/$mode.json" 2> "$TMP/$mode.log" &
	pid=$!
	PIDS=("$pid")
	for _ in $(seq 100); do
		xdp_on && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	xdp_on || { cat "$TMP/$mode.log"; fail "$mode: no XDP program on $VS after sluice-fwd started"; }
	ip -n "$NSS" -d link show dev "$VS" | grep -q "$([ "$mode" = skb ] && echo xdpgeneric || echo ' xdp ')" ||
		fail "$mode: the program is not attached in $mode mode"

	timeout 10 ip netns exec "$NSK" python3 - "$VK" "$N" "$ETHERTYPE" <<'EOF' || fail "python sender failed"
import socket, sys
iface, n, etype = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
s.bind((iface, 0))
for i in range(n):
    length = 60 + (i * 37) % 1455
    head = bytes.fromhex("0200000000ee" "0200000000aa") + etype + i.to_bytes(4, "big")
    frame = head + bytes((i * 7 + k) & 0xff for k in range(length - len(head)))
    if s.send(frame) != len(frame):
        sys.exit("short send")
EOF
	sleep 0.3
	kill -TERM "$pid"
	wait "$pid" || { cat "$TMP/$mode.log"; fail "$mode: sluice-fwd exited with an error after SIGTERM"; }
	PIDS=()
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ports"][0]["port_rx_packets"])' "$TMP/$mode.json") ||
		{ cat "$TMP/$mode.json" "$TMP/$mode.log"; fail "$mode: no JSON report"; }
	[ "$got" = "$N" ] || { cat "$TMP/$mode.json"; fail "$mode: Sluice received $got frames, expected exactly $N"; }
	missed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ports"][0]["rx_missed"])' "$TMP/$mode.json")
	[ "$missed" = 0 ] || fail "$mode: the kernel dropped $missed frames (rx_missed)"
	grep -q "already attached" "$TMP/$mode.log" && fail "$mode: a stale XDP program was found on $VS"

	xdp_on && { ip -n "$NSS" -d link show dev "$VS"; fail "$mode: an XDP program is still attached after SIGTERM"; }
	echo "ok: $mode: kernel -> sluice-fwd: $N frames; no XDP program left after SIGTERM"
}

# `ip link show` (not -d): the xdp / xdpgeneric flag or a prog/xdp line.
xdp_left() { ip -n "$NSS" link show dev "$VS" | grep -qE " xdp|prog/xdp"; }

run_sigkill() {
	local mode=$1 pid rc
	# Not under timeout: $! must be sluice-fwd itself (ip netns exec execs it).
	ip netns exec "$NSS" "$FWD" --no-huge --file-prefix "axdpk$ID" -l 0 \
		--vdev "net_af_xdp0,iface=$VS,xdp_mode=$mode" -- --forward-mode rxonly \
		> "$TMP/kill-$mode.log" 2>&1 &
	pid=$!
	PIDS=("$pid")
	for _ in $(seq 100); do
		xdp_on && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	xdp_on || { cat "$TMP/kill-$mode.log"; fail "kill $mode: no XDP program on $VS after sluice-fwd started"; }
	sleep 0.3 # let it open its sockets too
	kill -0 "$pid" 2>/dev/null || { cat "$TMP/kill-$mode.log"; fail "kill $mode: sluice-fwd exited by itself"; }
	kill -KILL "$pid"
	wait "$pid"
	rc=$?
	PIDS=()
	[ "$rc" = 137 ] || fail "kill $mode: sluice-fwd exited with $rc, not by SIGKILL (137)"
	# The killed process could not remove its runtime directory.
	rm -rf "/run/sluice/axdpk$ID"
	if xdp_left; then
		ip -n "$NSS" link show dev "$VS"
		fail "kill $mode: an XDP program is still attached to $VS after SIGKILL"
	fi
	grep -q "libxdp attaches the program instead" "$TMP/kill-$mode.log" &&
		{ cat "$TMP/kill-$mode.log"; fail "kill $mode: the port did not attach through a BPF link"; }
	echo "ok: $mode: sluice-fwd killed with SIGKILL; no XDP program left"
}

run_mode native
run_mode skb
run_sigkill native
run_sigkill skb
