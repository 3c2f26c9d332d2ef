#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# net_memif against DPDK 22.11's dpdk-testpmd (net_memif), both roles, both directions:
#  a) Sluice server receives testpmd's txonly packets (testpmd client) and checks each one
#     against the txonly template (tests/unit/memif/memif_peer.c rx);
#  b) Sluice server sends exactly N packets to testpmd (client, rxonly), whose statistics
#     must show RX-packets: N;
#  c) b) with the roles swapped: testpmd server, Sluice client;
#  d) a) with the roles swapped, and Sluice survives testpmd going away (the client goes
#     back to waiting for a server);
#  e) c) with Sluice as a zero-copy client (zero-copy=yes: its pool is the memif buffer
#     memory): exactly N by reference (no packet copied), every buffer back in the pool;
#  f) d) with Sluice as a zero-copy client: testpmd's packets land in Sluice's own packet
#     buffers, each checked against the template.
# testpmd's memif uses memfd: --no-huge works (no hugepages needed).
# Usage: memif_testpmd.sh BUILD_DIR.  Exits 77 to skip (not root, no dpdk-testpmd).
set -u
build=${1:?usage: memif_testpmd.sh BUILD_DIR}
peer=$build/tests/unit/memif/memif_peer
N=10000

. "$(dirname "$0")/lib.sh"
need_root
command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed (apt-get install dpdk)"
[ -x "$peer" ] || skip "$peer not built"

TMP=$(mktemp -d /tmp/sluice-memif.$$.XXXX)
work=$TMP
sock=$work/memif.sock
. "$(dirname "$0")/testpmd_lib.sh"

# tp_memif ROLE MODE LOG: testpmd's net_memif on $sock (testpmd_lib.sh's testpmd)
tp_memif() { testpmd "net_memif0,role=$1,socket=$sock,socket-abstract=no" "$2" "$3"; }

# --- a) Sluice server receives testpmd txonly ---
rm -f "$sock"
timeout 20 "$peer" rx "net_memif0,role=server,socket=$sock,socket-abstract=no" 6 \
	>"$work/a.out" 2>"$work/a.log" &
sl=$!; PIDS+=("$sl")
wait_for "$work/a.log" "" 1; sleep 0.5
[ -S "$sock" ] || fail_logs "a) Sluice did not create $sock"
tp_memif client txonly "$work/a_tp.log"
sleep 4
testpmd_stop
reap "$sl"; rc=$?
cat "$work/a.out"
[ $rc = 0 ] || fail_logs "a) Sluice receiver reported bad packets or none (rc $rc)"
read -r got < <(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$work/a.out")
grep -q "len=64" "$work/a.out" || fail_logs "a) packets are not testpmd's 64-byte default"
sent=$(fwd_stat "$work/a_tp.log" TX-packets)
echo "a) testpmd sent ${sent:-?} (forward stats), Sluice received $got, all matching the template"
[ "${got:-0}" -gt 0 ] || fail_logs "a) nothing received"
[ -z "$sent" ] || [ "$got" -le "$sent" ] || fail_logs "a) received $got, more than the $sent sent"

# --- b) Sluice server sends exactly N to testpmd client rxonly ---
rm -f "$sock"
timeout 25 "$peer" tx "net_memif0,role=server,socket=$sock,socket-abstract=no" $N 12 \
	>"$work/b.out" 2>"$work/b.log" &
sl=$!; PIDS+=("$sl")
sleep 0.5
tp_memif client rxonly "$work/b_tp.log"
wait_for "$work/b.out" "tx sent=" 10 || fail_logs "b) Sluice did not finish sending"
sleep 2 # two more statistics periods
testpmd_stop
reap "$sl"; rc=$?
[ $rc = 0 ] || fail_logs "b) Sluice sender failed (rc $rc)"
got=$(nic_rx "$work/b_tp.log")
fwd=$(fwd_stat "$work/b_tp.log" RX-packets)
echo "b) Sluice server sent $N; testpmd client port RX-packets: $got (forward stats $fwd)"
[ "$got" = "$N" ] || fail_logs "b) testpmd received $got, want $N"
[ "$fwd" = "$N" ] || fail_logs "b) testpmd forward statistics show $fwd, want $N"

# --- c) testpmd server rxonly, Sluice client sends exactly N ---
rm -f "$sock"
tp_memif server rxonly "$work/c_tp.log"
wait_path "$sock" 10
[ -S "$sock" ] || fail_logs "c) testpmd did not create $sock"
timeout 25 "$peer" tx "net_memif0,role=client,socket=$sock,socket-abstract=no" $N 12 \
	>"$work/c.out" 2>"$work/c.log" &
sl=$!; PIDS+=("$sl")
wait_for "$work/c.out" "tx sent=" 12 || fail_logs "c) Sluice did not finish sending"
sleep 2
testpmd_stop
reap "$sl"; rc=$?
[ $rc = 0 ] || fail_logs "c) Sluice sender failed (rc $rc)"
got=$(nic_rx "$work/c_tp.log")
fwd=$(fwd_stat "$work/c_tp.log" RX-packets)
echo "c) Sluice client sent $N; testpmd server port RX-packets: $got (forward stats $fwd)"
[ "$got" = "$N" ] || fail_logs "c) testpmd received $got, want $N"
[ "$fwd" = "$N" ] || fail_logs "c) testpmd forward statistics show $fwd, want $N"
grep -q "went away\|disconnected" "$work/c.log" || fail_logs "c) Sluice did not notice testpmd leaving"

# --- d) testpmd server txonly, Sluice client receives; testpmd leaves first ---
rm -f "$sock"
tp_memif server txonly "$work/d_tp.log"
wait_path "$sock" 10
timeout 20 "$peer" rx "net_memif0,role=client,socket=$sock,socket-abstract=no" 6 \
	>"$work/d.out" 2>"$work/d.log" &
sl=$!; PIDS+=("$sl")
sleep 3
testpmd_stop # Sluice keeps running without its peer
reap "$sl"; rc=$?
cat "$work/d.out"
[ $rc = 0 ] || fail_logs "d) Sluice client receiver failed (rc $rc)"
grep -q "waiting for a memif server" "$work/d.log" || fail_logs "d) Sluice client did not go back to waiting"

# --- e) testpmd server rxonly, Sluice zero-copy client sends exactly N ---
rm -f "$sock"
tp_memif server rxonly "$work/e_tp.log"
wait_path "$sock" 10
[ -S "$sock" ] || fail_logs "e) testpmd did not create $sock"
timeout 25 "$peer" tx "net_memif0,role=client,socket=$sock,socket-abstract=no,zero-copy=yes" $N 8 \
	>"$work/e.out" 2>"$work/e.log" &
sl=$!; PIDS+=("$sl")
wait_for "$work/e.out" "tx sent=" 12 || fail_logs "e) Sluice did not finish sending"
sleep 2.5 # testpmd's next port statistics report
testpmd_stop
reap "$sl"; rc=$?
[ $rc = 0 ] || fail_logs "e) Sluice zero-copy sender failed (rc $rc)"
got=$(nic_rx "$work/e_tp.log")
fwd=$(fwd_stat "$work/e_tp.log" RX-packets)
echo "e) Sluice zero-copy client sent $N; testpmd server port RX-packets: $got (forward stats $fwd)"
[ "$got" = "$N" ] || fail_logs "e) testpmd received $got, want $N"
[ "$fwd" = "$N" ] || fail_logs "e) testpmd forward statistics show $fwd, want $N"
grep -q "zero-copy: 1 pool(s) shared as 1 region(s)" "$work/e.log" || fail_logs "e) Sluice did not share its pool"
! grep -q "zc_copied" "$work/e.log" || fail_logs "e) packets were copied: $(grep zc_copied "$work/e.log")"

# --- f) testpmd server txonly, Sluice zero-copy client receives ---
rm -f "$sock"
tp_memif server txonly "$work/f_tp.log"
wait_path "$sock" 10
timeout 20 "$peer" rx "net_memif0,role=client,socket=$sock,socket-abstract=no,zero-copy=yes" 3 \
	>"$work/f.out" 2>"$work/f.log" &
sl=$!; PIDS+=("$sl")
reap "$sl"; rc=$?
testpmd_stop
cat "$work/f.out"
[ $rc = 0 ] || fail_logs "f) Sluice zero-copy receiver reported bad packets, none, or lost buffers (rc $rc)"
grep -q "len=64" "$work/f.out" || fail_logs "f) packets are not testpmd's 64-byte default"
echo "PASS"
