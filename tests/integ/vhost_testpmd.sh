#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# net_vhost and net_virtio_user against DPDK 22.11's dpdk-testpmd (net_virtio_user and
# net_vhost), each direction, exact packet and byte counts:
#  a) testpmd virtio-user txonly -> Sluice vhost: every packet checked against the txonly
#     template (tests/unit/memif/memif_peer.c rx, a generic port tool), count = testpmd's;
#  b) Sluice vhost sends exactly N -> testpmd virtio-user rxonly: RX-packets N;
#  c) Sluice virtio-user sends exactly N -> testpmd vhost rxonly: RX-packets N;
#  d) testpmd vhost txonly -> Sluice virtio-user, as a);
#  e) c) with the socket roles swapped (Sluice virtio-user server=1, testpmd vhost client=1).
# --no-huge works on both sides (memfd memory).
# Usage: vhost_testpmd.sh BUILD_DIR.  Exits 77 to skip (not root, no dpdk-testpmd).
set -u
build=${1:?usage: vhost_testpmd.sh BUILD_DIR}
peer=$build/tests/unit/memif/memif_peer
N=10000

. "$(dirname "$0")/lib.sh"
need_root
command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed (apt-get install dpdk)"
[ -x "$peer" ] || skip "$peer not built"

TMP=$(mktemp -d /tmp/sluice-vhost.$$.XXXX)
work=$TMP
sock=$work/vhost.sock
. "$(dirname "$0")/testpmd_lib.sh"

# a) and d): testpmd txonly into a Sluice receiver; testpmd stops forwarding first, Sluice
# drains the ring while the port is still up, and the count it checked (every packet
# against the txonly template) is exactly what testpmd sent, in packets and bytes (64 each).
recv_case() { # NAME SLUICE_DEV TESTPMD_DEV SLUICE_FIRST
	local name=$1 got len sent
	rm -f "$sock"
	if [ "$4" = 1 ]; then
		timeout 20 "$peer" rx "$2" 9 >"$work/$name.out" 2>"$work/$name.log" &
		sl=$!; PIDS+=("$sl")
		wait_path "$sock" 5
		testpmd_i "$3" "$work/${name}_tp.log"
	else
		testpmd_i "$3" "$work/${name}_tp.log"
		wait_path "$sock" 10
		timeout 20 "$peer" rx "$2" 9 >"$work/$name.out" 2>"$work/$name.log" &
		sl=$!; PIDS+=("$sl")
	fi
	sleep 4
	testpmd_i_stop
	reap "$sl" || fail_logs "$name) Sluice receiver reported bad packets or none"
	cat "$work/$name.out"
	got=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$work/$name.out")
	len=$(sed -n 's/.*len=\([0-9]*\).*/\1/p' "$work/$name.out")
	sent=$(fwd_stat "$work/${name}_tp.log" TX-packets)
	echo "$name) testpmd sent $sent, Sluice received $got ($((got * len)) bytes), all matching the template"
	[ "$len" = 64 ] || fail_logs "$name) packets are not testpmd's 64-byte default"
	[ "${got:-0}" -gt 0 ] || fail_logs "$name) nothing received"
	[ "$got" = "$sent" ] || fail_logs "$name) received $got, testpmd sent $sent"
}

# b) and c): Sluice sends exactly N; testpmd rxonly's port and forward statistics show N.
send_case() { # NAME SLUICE_DEV TESTPMD_DEV SLUICE_FIRST
	local name=$1 got fwd
	rm -f "$sock"
	if [ "$4" = 1 ]; then
		timeout 25 "$peer" tx "$2" $N 10 >"$work/$name.out" 2>"$work/$name.log" &
		sl=$!; PIDS+=("$sl")
		wait_path "$sock" 5
		testpmd "$3" rxonly "$work/${name}_tp.log"
	else
		testpmd "$3" rxonly "$work/${name}_tp.log"
		wait_path "$sock" 10
		timeout 25 "$peer" tx "$2" $N 10 >"$work/$name.out" 2>"$work/$name.log" &
		sl=$!; PIDS+=("$sl")
	fi
	wait_for "$work/$name.out" "tx sent=" 12 || fail_logs "$name) Sluice did not finish sending"
	sleep 2 # two more statistics periods
	testpmd_stop
	reap "$sl" || fail_logs "$name) Sluice sender failed"
	got=$(nic_rx "$work/${name}_tp.log")
	fwd=$(fwd_stat "$work/${name}_tp.log" RX-packets)
	echo "$name) Sluice sent $N; testpmd port RX-packets: $got (forward stats $fwd)"
	[ "$got" = "$N" ] || fail_logs "$name) testpmd received $got, want $N"
	[ "$fwd" = "$N" ] || fail_logs "$name) testpmd forward statistics show $fwd, want $N"
}

# a) testpmd's virtio-user (client) -> Sluice's vhost (server)
recv_case a "net_vhost0,iface=$sock" "net_virtio_user0,path=$sock" 1
# b) Sluice's vhost (server) -> testpmd's virtio-user (client)
send_case b "net_vhost0,iface=$sock" "net_virtio_user0,path=$sock" 1
# c) Sluice's virtio-user (client) -> testpmd's vhost (server)
send_case c "net_virtio_user0,path=$sock" "net_vhost0,iface=$sock" 0
# d) testpmd's vhost (server) -> Sluice's virtio-user (client)
recv_case d "net_virtio_user0,path=$sock" "net_vhost0,iface=$sock" 0
# e) the other socket roles: testpmd's vhost as client (it reconnects), Sluice's
#    virtio-user listening (server=1), Sluice sending
send_case e "net_virtio_user0,path=$sock,server=1" "net_vhost0,iface=$sock,client=1" 1
echo "PASS"
