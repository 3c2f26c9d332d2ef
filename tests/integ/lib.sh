# SPDX-License-Identifier: BSD-3-Clause
# Shared by the integration scripts (source it; works under set -u and set -e):
#   skip MSG / fail MSG       exit 77 (skipped) / exit 1 with a message
#   need_root, need_tools T.. skip unless root / unless every tool is installed
#   veth_pair NSA NSB VA VB   two new network namespaces joined by a veth pair VA (in NSA)
#                             <-> VB (in NSB), IPv6 off (no router solicitation or MLD
#                             report ever joins the traffic), both ends and lo up
#   reap PID                  waits for background job PID and takes it off PIDS (once
#                             reaped its PID may be reused); returns its exit status
#   wait_for FILE PAT SECS    0 as soon as FILE holds PAT (grep -a), 1 after SECS seconds
#   wait_path PATH SECS       0 as soon as PATH exists (a socket, a file), 1 after SECS
#   fail_logs MSG             fail, after the last 30 lines of every non-empty *.log and
#                             *.out in $TMP and in each directory of LOG_DIRS
# On every exit path the trap kills the PIDs listed in PIDS, deletes the namespaces and
# links veth_pair made and removes $TMP (when set).
PIDS=()
LOG_DIRS=()
SL_NETNS=()
SL_LINKS=()
TMP= # removed on exit: never one inherited from the environment (TMP=/tmp...)

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, raw sockets)"; }
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "$t not installed"
	done
}

sl_cleanup() {
	local rc=$? x
	for x in "${PIDS[@]}"; do
		kill "$x" 2>/dev/null || true
		wait "$x" 2>/dev/null || true
	done
	# Deleting a namespace deletes the veth end (and any XDP program) inside it.
	for x in "${SL_NETNS[@]}"; do
		ip netns del "$x" 2>/dev/null || true
	done
	for x in "${SL_LINKS[@]}"; do
		ip link del "$x" 2>/dev/null || true
	done
	if [ -n "$TMP" ]; then rm -rf "$TMP"; fi
	exit $rc
}
trap sl_cleanup EXIT
trap 'exit 1' INT TERM

veth_pair() {
	local nsa=$1 nsb=$2 va=$3 vb=$4 ns v
	ip netns add "$nsa" 2>/dev/null || skip "cannot create network namespaces here"
	SL_NETNS+=("$nsa")
	ip netns add "$nsb" || fail "cannot create netns $nsb"
	SL_NETNS+=("$nsb")
	SL_LINKS+=("$va")
	ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" ||
		fail "cannot create veth $va/$vb"
	for ns in "$nsa" "$nsb"; do
		[ "$ns" = "$nsa" ] && v=$va || v=$vb
		ip netns exec "$ns" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$v/disable_ipv6" ||
			fail "cannot turn IPv6 off on $v"
		ip -n "$ns" link set dev "$v" up || fail "cannot bring $v up"
		ip -n "$ns" link set dev lo up || fail "cannot bring lo up in $ns"
	done
}

reap() {
	local rc=0 p keep=()
	wait "$1" 2>/dev/null || rc=$?
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
	return $rc
}

wait_for() {
	for _ in $(seq $(($3 * 10))); do grep -aq "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

wait_path() {
	for _ in $(seq $(($2 * 10))); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}

fail_logs() {
	local d f
	for d in "$TMP" "${LOG_DIRS[@]}"; do
		[ -n "$d" ] || continue
		for f in "$d"/*.log "$d"/*.out; do
			[ -s "$f" ] && { echo "== $f"; tail -n 30 "$f" | cut -c1-300; }
		done
	done
	fail "$@"
}
