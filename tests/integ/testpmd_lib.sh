# SPDX-License-Identifier: BSD-3-Clause
# DPDK 22.11's dpdk-testpmd as a test peer.  Source after lib.sh, once TMP is set:
# testpmd's runtime files (RUNTIME_DIRECTORY/dpdk/<prefix>) then live under $TMP and go
# with it on every exit, even when testpmd was killed.
#   testpmd VDEV MODE LOG   --forward-mode=MODE, started at once, statistics every second,
#                           in the background; pid in $tp
#   testpmd_i VDEV LOG      interactive txonly, commands on fifo fd 3 (tp_cmd), started at
#                           once; pid in $tp
#   testpmd_stop            SIGINT (testpmd prints its statistics), waits (5 s, then KILL)
#   testpmd_i_stop          `stop` (forwarding ends, the port stays up, so the peer drains
#                           the ring), 1.5 s, then `quit`, and waits as testpmd_stop
#   tp_cmd CMD              one command to the interactive testpmd
#   tp_wait PID             waits for testpmd PID to end (5 s, then KILL), reaps it
#   nic_rx LOG              RX-packets of the last port statistics (its rte_eth_stats)
#   fwd_stat LOG FIELD      FIELD (TX-packets, RX-packets) of the last forward statistics
: "${TMP:?source testpmd_lib.sh after setting TMP}"
export RUNTIME_DIRECTORY=$TMP
TP_PREFIX=sluice_tp_$$
TP_EAL=(--no-huge -m 256 -l 0-1 --no-pci --file-prefix "$TP_PREFIX")

testpmd() {
	timeout -s KILL 30 dpdk-testpmd "${TP_EAL[@]}" --vdev "$1" -- \
		--total-num-mbufs 4096 --forward-mode="$2" --auto-start --stats-period 1 \
		</dev/null >"$3" 2>&1 &
	tp=$!
	PIDS+=("$tp")
}

testpmd_i() {
	rm -f "$TMP/tp.in"
	mkfifo "$TMP/tp.in"
	timeout -s KILL 30 stdbuf -oL dpdk-testpmd "${TP_EAL[@]}" --vdev "$1" -- \
		--total-num-mbufs 4096 --forward-mode=txonly --auto-start -i <"$TMP/tp.in" >"$2" 2>&1 &
	tp=$!
	PIDS+=("$tp")
	exec 3>"$TMP/tp.in"
}

tp_cmd() { (echo "$1" >&3) 2>/dev/null; }

tp_wait() {
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	reap "$1"
}

testpmd_stop() {
	kill -INT "$tp" 2>/dev/null
	tp_wait "$tp"
}

testpmd_i_stop() {
	tp_cmd stop
	sleep 1.5
	tp_cmd quit
	exec 3>&-
	tp_wait "$tp"
}

nic_rx() { grep -a "RX-packets:" "$1" | grep -av "RX-total" | tail -n 1 | awk '{print $2}'; }
fwd_stat() { grep -a "$2:" "$1" | grep -a "${2%-packets}-total" | tail -n 1 | awk '{print $2}'; }
