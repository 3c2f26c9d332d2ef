# SPDX-License-Identifier: BSD-3-Clause
# Shared by the integration scripts (source it; works under set -u and set -e):
#   skip MSG / fail MSG       exit 77 (skipped) / exit 1 with a message
#   need_root, need_tools T.. skip unless root / unless every tool is installed
#   veth_pair NSA NSB VA VB   two new network namespaces joined by a veth pair VA (in NSA)
#                             <-> VB (in NSB), IPv6 off (no router solicitation or MLD
#                             report ever joins the traffic), both ends and lo up
# On every exit path the trap kills the PIDs listed in PIDS, deletes the namespaces and
# links veth_pair made and removes $TMP (when set).
PIDS=()
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
