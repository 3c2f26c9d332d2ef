#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vhost-user reconnects, Sluice on both ends (sluice-fwd txonly on a net_virtio_user port,
# rxonly on a net_vhost port), counters read over telemetry (/ethdev/stats, /ethdev/xstats):
#  1) the frontend dies mid-traffic (SIGKILL) and a new one connects: the backend's link
#     goes down and up, its rx count keeps growing from where it was (not reset), its
#     xstats count 2 connects and 1 disconnect, and its fd count is back where it was;
#  2) the backend dies under a running frontend (vhost client=1 reconnecting to a
#     virtio-user server=1, as OVS's dpdkvhostuserclient does) and a new one connects: the
#     frontend's tx resumes, its counters carry on, it counts the buffers in flight that
#     the dead backend never took (tx_q0_reset_lost), and its fd count is back;
#  3) multiqueue: queues=2 on both ends, two tx and two rx queues: both queue pairs carry
#     packets, and the backend received what the frontend sent, less at most what its two
#     256-entry tx rings held when it stopped (virtio-user does not yet wait for the backend
#     to drain them at stop; sluice-fwd counts them sent).
# Usage: vhost_reconnect.sh BUILD_DIR.  Exits 77 to skip.
set -u
build=${1:?usage: vhost_reconnect.sh BUILD_DIR}
fwd=$build/app/fwd/sluice-fwd

. "$(dirname "$0")/lib.sh"
need_root
need_tools python3
[ -x "$fwd" ] || skip "$fwd not built"

TMP=$(mktemp -d /tmp/sluice-vhrc.$$.XXXX)
work=$TMP
sock=$work/vhost.sock
export RUNTIME_DIRECTORY=$TMP # sluice-fwd's telemetry socket: $TMP/dpdk/PREFIX/

# sl PREFIX CORE DEVICE MODE LOG [FWD OPTIONS]: a sluice-fwd in the background (--duration bounds it; its
# own pid, for kill), pid in $pid
sl() {
	"$fwd" -l "$2" --file-prefix "$1" --no-huge --vdev "$3" -- \
		--forward-mode="$4" --duration 30 "${@:6}" >"$5" 2>&1 &
	pid=$!
	PIDS+=("$pid")
}

# tel PREFIX COMMAND KEY: one value from a telemetry reply (the process's port 0)
tel() {
	python3 - "$TMP/dpdk/$1/dpdk_telemetry.v2" "$2" "$3" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(16384)
s.send(sys.argv[2].encode())
reply = json.loads(s.recv(65536))
print(reply[sys.argv[2].split(",")[0]][sys.argv[3]])
PY
}

wait_link() { # PREFIX SECONDS: until the port's link is up
	for _ in $(seq $(($2 * 10))); do
		[ "$(tel "$1" /ethdev/link_status,0 status 2>/dev/null)" = UP ] && return 0
		sleep 0.1
	done
	return 1
}

nfds() { ls "/proc/$1/fd" | wc -l; }

kill_wait() { kill -"$2" "$1" 2>/dev/null; reap "$1"; }

# --- 1) the frontend restarts ---
sl vb 0 "net_vhost0,iface=$sock" rxonly "$work/1b.log"; b=$pid
wait_path "$sock" 5 || fail_logs "1) the backend did not listen on $sock"
sleep 0.3
fds0=$(nfds "$b")
sl vf1 1 "net_virtio_user0,path=$sock" txonly "$work/1f1.log"; f=$pid
wait_link vb 5 || fail_logs "1) the backend's link did not come up"
sleep 1.5
kill_wait "$f" KILL
sleep 0.5
r1=$(tel vb /ethdev/stats,0 ipackets)
[ "$(tel vb /ethdev/link_status,0 status)" = DOWN ] || fail_logs "1) link still up after the frontend died"
fds1=$(nfds "$b")
sl vf2 1 "net_virtio_user0,path=$sock" txonly "$work/1f2.log"; f=$pid
wait_link vb 5 || fail_logs "1) the backend's link did not come back"
sleep 1.5
r2=$(tel vb /ethdev/stats,0 ipackets)
conn=$(tel vb /ethdev/xstats,0 connects)
disc=$(tel vb /ethdev/xstats,0 disconnects)
kill_wait "$f" INT
sleep 0.5
fds2=$(nfds "$b")
echo "1) backend rx: $r1 after the first frontend, $r2 with the second; connects $conn, disconnects $disc; fds $fds0 -> $fds1 -> $fds2"
[ "$r1" -gt 0 ] || fail_logs "1) nothing received from the first frontend"
[ "$r2" -gt "$r1" ] || fail_logs "1) traffic did not resume ($r1 -> $r2)"
[ "$conn" = 2 ] && [ "$disc" = 1 ] || fail_logs "1) connects $conn, disconnects $disc; want 2 and 1"
[ "$fds1" = "$fds0" ] && [ "$fds2" = "$fds0" ] || fail_logs "1) backend fds $fds0 -> $fds1 -> $fds2: a leak"
kill_wait "$b" INT

# --- 2) the backend restarts under a running frontend ---
rm -f "$sock"
sl vf 1 "net_virtio_user0,path=$sock,server=1" txonly "$work/2f.log"; f=$pid
wait_path "$sock" 5 || fail_logs "2) the frontend did not listen on $sock"
sleep 0.3
fds0=$(nfds "$f")
sl vb1 0 "net_vhost0,iface=$sock,client=1,reconnect-ms=100" rxonly "$work/2b1.log"; b=$pid
wait_link vf 5 || fail_logs "2) the frontend's link did not come up"
sleep 1.5
kill_wait "$b" KILL
sleep 0.5
t1=$(tel vf /ethdev/stats,0 opackets)
fds1=$(nfds "$f")
sl vb2 0 "net_vhost0,iface=$sock,client=1,reconnect-ms=100" rxonly "$work/2b2.log"; b=$pid
wait_link vf 5 || fail_logs "2) the frontend's link did not come back"
sleep 1.5
t2=$(tel vf /ethdev/stats,0 opackets)
rx2=$(tel vb2 /ethdev/stats,0 ipackets)
conn=$(tel vf /ethdev/xstats,0 connects)
lost=$(tel vf /ethdev/xstats,0 tx_q0_reset_lost)
kill_wait "$b" INT
sleep 0.5
fds2=$(nfds "$f")
kill_wait "$f" INT
echo "2) frontend tx: $t1 before the backend died, $t2 after a new one came (which received $rx2); connects $conn; in flight and lost: $lost; fds $fds0 -> $fds1 -> $fds2"
[ "$t1" -gt 0 ] || fail_logs "2) nothing sent to the first backend"
[ "$t2" -gt "$t1" ] && [ "$rx2" -gt 0 ] || fail_logs "2) traffic did not resume ($t1 -> $t2, rx $rx2)"
[ "$conn" = 2 ] || fail_logs "2) connects $conn, want 2"
[ "$fds1" = "$fds0" ] && [ "$fds2" = "$fds0" ] || fail_logs "2) frontend fds $fds0 -> $fds1 -> $fds2: a leak"
grep -q "link down (backend gone" "$work/2f.log" || fail_logs "2) the frontend did not say the backend went"

# --- 3) two queue pairs ---
rm -f "$sock"
sl vb3 0 "net_vhost0,iface=$sock,queues=2" rxonly "$work/3b.log" --rxq=2 --txq=2; b=$pid
wait_path "$sock" 5 || fail_logs "3) the backend did not listen on $sock"
"$fwd" -l 1 --file-prefix vf3 --no-huge --vdev "net_virtio_user0,path=$sock,queues=2" -- \
	--rxq=2 --txq=2 --forward-mode=txonly --duration 3 >"$work/3f.log" 2>&1 &
f=$!; PIDS+=("$f")
reap "$f"
sleep 0.5
for q in 0 1; do
	rx=$(tel vb3 /ethdev/xstats,0 rx_q${q}_packets)
	tx=$(sed -n 's/^  port 0 net_virtio_user0: rx 0 (0.000 Mpps), tx \([0-9]*\).*/\1/p' "$work/3f.log")
	echo "3) queue $q: the backend received $rx"
	[ "$rx" -gt 0 ] || fail_logs "3) nothing on queue $q"
	eval "rx$q=$rx"
done
echo "3) the frontend sent $tx in all; the backend received $((rx0 + rx1))"
[ "$((rx0 + rx1))" -le "$tx" ] && [ "$((tx - rx0 - rx1))" -le 512 ] ||
	fail_logs "3) received $((rx0 + rx1)), sent $tx (at most 512 in flight at the stop)"
kill_wait "$b" INT
echo "PASS"
