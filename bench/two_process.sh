# SPDX-License-Identifier: BSD-3-Clause
# Shared by the bench scripts that run a sender and a receiver process over one socket
# (memif, vhost); bash, source it after lib.sh:
#   two_process_setup BUILD_DIR SOCKET WHAT
#                     sets fwd (sluice-fwd, which must be built), have_dpdk (1 when
#                     dpdk-testpmd is there, else 0 with a note that only WHAT runs), tmp
#                     (a new directory), sock=$tmp/SOCKET and pids (the processes to stop);
#                     on exit kills pids and removes tmp
#   stop_pids         SIGINT to every pid in pids, waits for them, empties pids
#   ipackets PREFIX   port 0's ipackets in the process with --file-prefix PREFIX, read over
#                     its telemetry socket ($RUNTIME_DIRECTORY/dpdk/PREFIX: set
#                     RUNTIME_DIRECTORY=$tmp); Sluice and DPDK answer alike
#   mpps PPS, ratio A B   "12.345" Mpps; A / B as "1.23" ("-" when B is 0)

two_process_setup() {
	fwd=$(realpath "$1/app/fwd/sluice-fwd")
	[ -x "$fwd" ] || { echo "compare.sh: $fwd not built" >&2; exit 1; }
	have_dpdk=0
	if command -v dpdk-testpmd >/dev/null 2>&1; then
		have_dpdk=1
	else
		echo "compare.sh: dpdk-testpmd not found (apt-get install dpdk-dev); $3 only" >&2
	fi
	tmp=$(mktemp -d)
	sock=$tmp/$2
	pids=()
	trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
}

stop_pids() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	wait "${pids[@]}" 2>/dev/null || true
	pids=()
}

ipackets() {
	python3 - "$tmp/dpdk/$1/dpdk_telemetry.v2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(16384)
s.send(b"/ethdev/stats,0")
print(json.loads(s.recv(65536))["/ethdev/stats"]["ipackets"])
PY
}

mpps() { awk -v v="$1" 'BEGIN { printf "%.3f", v / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
