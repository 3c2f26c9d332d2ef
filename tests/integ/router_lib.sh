# SPDX-License-Identifier: BSD-3-Clause
# Shared by the sluice-router integration scripts (router_*.sh).  Source it after lib.sh:
#
#     . "$(dirname "$0")/lib.sh"
#     . "$(dirname "$0")/router_lib.sh"
#     rt_init "$1" [TOOL...]    root, the binaries, the tools; $TMP; the exit trap
#     rt_topology               the namespaces, veths and hosts below
#     rt_start net_af_packet    the router on the two ports (or net_af_xdp[,KEY=VAL...])
#     ...checks: ok / bad / expect_eq, rtctl, rt_get, rt_drop, rt_cstat...
#     rt_finish                 exit 0, or 1 when a check failed
#
#   netns $NS_H1                 netns $NS_R (sluice-router)               netns $NS_H2
#   $RH1 10.0.1.2/24  <-veth->  $RP0 port 0 10.0.1.1/24
#        2001:db8:1::2/64            2001:db8:1::1/64
#                                $RP1 port 1 10.0.2.1/24   <-veth->  $RH2 10.0.2.2/24
#                                    2001:db8:2::1/64                   2001:db8:2::2/64
#
# The hosts are the kernel: each has a default route (both families) via the router.  The
# router's ends have IPv6 off and no IPv4 address, so the kernel there never answers for
# the router.  Names end in the script's PID so scripts never collide; the namespaces
# (and so every veth) are deleted, and the router stopped, on every exit path.  When a
# check failed, the exit trap prints the router's log, `stats`, `neighbour show` and
# `interface show` first.
#
# Checks do not stop the script: `bad` counts a failure and goes on, rt_finish fails at
# the end.  `fail` (lib.sh) still stops at once when nothing after it can work.
# The hosts' veths send complete TCP/UDP checksums (ethtool -K tx off when ethtool is
# installed; RT_HOST_TX_CSUM=on keeps the offload): net_af_xdp cannot complete the
# partial ones the kernel leaves, and with the offload off the kernel does no GSO either.

RT_ID=$$
NS_R=sl-rtr-$RT_ID
NS_H1=sl-rth1-$RT_ID
NS_H2=sl-rth2-$RT_ID
RP0=rtp0$RT_ID # router port 0 (NS_R) <-> RH1 (NS_H1)
RP1=rtp1$RT_ID # router port 1 (NS_R) <-> RH2 (NS_H2)
RH1=rth1$RT_ID
RH2=rth2$RT_ID
RT_PREFIX=rt$RT_ID # --file-prefix: the runtime directory /run/sluice/$RT_PREFIX
RT_PID=
RT_LOG=
RT_SOCK=
RT_RUN=0 # routers started (each gets its own log)
RT_FAILS=0
RT_CHECKS=0

H1_4=10.0.1.2
H2_4=10.0.2.2
R0_4=10.0.1.1
R1_4=10.0.2.1
H1_6=2001:db8:1::2
H2_6=2001:db8:2::2
R0_6=2001:db8:1::1
R1_6=2001:db8:2::1

# --- checks ---
ok() { RT_CHECKS=$((RT_CHECKS + 1)); echo "ok: $*"; }
bad() { RT_CHECKS=$((RT_CHECKS + 1)); RT_FAILS=$((RT_FAILS + 1)); echo "FAIL: $*"; }
# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', expected '$3'"; fi
}
# expect_ge WHAT GOT MIN
expect_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then ok "$1: $2 (>= $3)"; else bad "$1: got '$2', expected at least $3"; fi
}
rt_finish() {
	echo "$RT_CHECKS checks, $RT_FAILS failed"
	[ "$RT_FAILS" = 0 ] || exit 1
	exit 0
}

# --- running things ---
h1() { ip netns exec "$NS_H1" "$@"; }
h2() { ip netns exec "$NS_H2" "$@"; }
rr() { ip netns exec "$NS_R" "$@"; }

# rtctl ARGS...: sluice-routerctl on this script's router (at most 10 s).
rtctl() { timeout 10 "$ROUTERCTL" -s "$RT_SOCK" "$@"; }
# rtjson ARGS...: the reply's data as JSON.
rtjson() { timeout 10 "$ROUTERCTL" -s "$RT_SOCK" --json "$@"; }
# rt_get EXPR ARGS...: EXPR (python3, the reply's data is d) of `--json ARGS`; empty output
# and status 1 when the command or the expression fails.
rt_get() {
	local expr=$1 out
	shift
	out=$(rtjson "$@") || return 1
	python3 -c 'import json, sys
d = json.loads(sys.argv[2])
print(eval(sys.argv[1]))' "$expr" "$out"
}
# rt_drop REASON: packets of a drop reason in `stats` (graph node or control counter), 0
# when it has none.
rt_drop() {
	rt_get "sum(x['packets'] for x in d['drops'] if x['reason'] == '$1')" stats
}
# rt_drops_all: every drop reason with packets, "reason=N ..." (for messages).
rt_drops_all() {
	rt_get "' '.join('%s=%d' % (x['reason'], x['packets']) for x in d['drops'])" stats
}
# rt_cstat NAME: a control-plane counter (stats .control), 0 when it is not there.
rt_cstat() { rt_get "d['control'].get('$1', 0)" stats; }
# rt_node NAME: packets through a graph node (0 when it saw none).
rt_node() { rt_get "sum(x['packets'] for x in d['nodes'] if x['node'] == '$1')" stats; }

# rt_ping NS DST COUNT [PING OPTIONS...]: prints how many of COUNT echo requests were
# answered (ping -c COUNT -i 0.2 -W 2, bounded by a deadline); when some were not, ping's
# output goes to stderr (which sequence numbers are missing).
rt_ping() {
	local ns=$1 dst=$2 n=$3 out got
	shift 3
	out=$(timeout $((n + 10)) ip netns exec "$ns" ping -n -c "$n" -i 0.2 -W 2 "$@" "$dst" 2>&1)
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p' | grep . || echo 0)
	[ "$got" = "$n" ] || echo "$out" >&2
	echo "$got"
}

# rt_tcp_exact FAMILY H2_ADDR BYTES: python3 in h1 sends BYTES bytes of a known pattern over
# one TCP connection to h2:5202 (at most 40 s); the receiver in h2 must read exactly those
# bytes (count and SHA-256) to EOF.  One ok/bad check.
rt_tcp_exact() {
	local fam=$1 addr=$2 bytes=$3 sp want got i
	rm -f "$TMP/ready$fam"
	timeout 45 ip netns exec "$NS_H2" python3 - "$addr" "$TMP/ready$fam" > "$TMP/sink$fam" 2>&1 <<'PY' &
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5202))
s.listen(1)
s.settimeout(30)
open(sys.argv[2], "w").close()
c, _ = s.accept()
c.settimeout(10)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
print(n, h.hexdigest())
PY
	sp=$!
	PIDS+=("$sp")
	for i in $(seq 50); do
		[ -e "$TMP/ready$fam" ] && break
		sleep 0.1
	done
	want=$(timeout 40 ip netns exec "$NS_H1" python3 - "$addr" "$bytes" 2>&1 <<'PY'
import hashlib, socket, sys
addr, total = sys.argv[1], int(sys.argv[2])
c = socket.create_connection((addr, 5202), timeout=10)
block = bytes(range(256)) * 256
h, n = hashlib.sha256(), 0
while n < total:
    b = block[: min(len(block), total - n)]
    c.sendall(b)
    h.update(b)
    n += len(b)
c.shutdown(socket.SHUT_WR)
c.recv(1)  # returns at the receiver's close: it read everything
print(n, h.hexdigest())
PY
)
	wait "$sp"
	got=$(cat "$TMP/sink$fam")
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "TCP IPv$fam h1 -> h2: $bytes bytes arrived intact (count and SHA-256)"
	else
		bad "TCP IPv$fam h1 -> h2: sent '$want', received '$got'"
	fi
}

# rt_quiesce: waits (at most 5 s) until the graph's accounting balances: nothing in
# flight between a source and a sink.  Returns 1 if it never did.
rt_quiesce() {
	local i b
	for i in $(seq 50); do
		b=$(rt_get "d['graph']['balance']" stats)
		[ "$b" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# rt_accounting WHAT: the accounting checks on a quiet router:
#   graph.balance == 0: in = sent + dropped + to control + vector overflow
#   port rx (sum over ports of rx_packets) == packets the port_rx sources put in the graph
#   graph.in == port rx + what the inject source put in (the control thread's packets)
#   graph.sent == port tx (sum of tx_packets) + tx_errors
#   graph.dropped == the sum over graph drop reasons in .drops
rt_accounting() {
	local what=$1 r
	rt_quiesce || true
	r=$(rt_get "(lambda g, rx, tx, src, inj, gd: ' '.join(str(v) for v in (
		g['balance'], rx, src, g['in'], src + inj, g['sent'], tx, g['dropped'], gd)))(
		d['graph'], sum(p['rx_packets'] for p in d['ports']),
		sum(p['tx_packets'] + p['tx_errors'] for p in d['ports']),
		sum(n['packets'] for n in d['nodes'] if n['node'].startswith('port_rx')),
		sum(n['packets'] for n in d['nodes'] if n['node'].startswith('inject')),
		sum(x['packets'] for x in d['drops'] if x['where'] == 'graph'))" stats) ||
		{ bad "$what: stats --json failed"; return; }
	set -- $r
	expect_eq "$what: graph balance (in - sent - dropped - to control - overflow)" "$1" 0
	expect_eq "$what: port rx_packets == packets from the port_rx sources" "$2" "$3"
	expect_eq "$what: graph in == port rx + inject" "$4" "$5"
	expect_eq "$what: graph sent == port tx_packets + tx_errors" "$6" "$7"
	expect_eq "$what: graph dropped == sum of graph drop reasons" "$8" "$9"
}

# --- setup ---

# rt_init BUILD_DIR [TOOL...]: skips unless root, the router is built and the tools are
# there; makes $TMP and installs the exit trap.
rt_init() {
	RT_BUILD=${1:?usage: $0 BUILD_DIR}
	shift
	ROUTER=$RT_BUILD/app/router/sluice-router
	ROUTERCTL=$RT_BUILD/app/router/sluice-routerctl
	need_root
	[ -x "$ROUTER" ] && [ -x "$ROUTERCTL" ] ||
		skip "$ROUTER not built (it needs jansson, libpcap and zlib)"
	need_tools ip python3 timeout ping "$@"
	TMP=$(mktemp -d "/tmp/$(basename "$0" .sh).XXXXXX")
	RT_SOCK=$TMP/router.sock
	trap rt_on_exit EXIT
}

# rt_topology: the three namespaces, both veth pairs, the hosts' addresses and routes.
rt_topology() {
	local ns
	ip netns add "$NS_R" 2>/dev/null || skip "cannot create network namespaces here"
	SL_NETNS+=("$NS_R")
	for ns in "$NS_H1" "$NS_H2"; do
		ip netns add "$ns" || fail "cannot create netns $ns"
		SL_NETNS+=("$ns")
		# no duplicate address detection: the hosts' addresses work at once
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_ra=0 ||
			fail "cannot turn DAD off in $ns"
	done
	for ns in "$NS_R" "$NS_H1" "$NS_H2"; do
		ip -n "$ns" link set dev lo up || fail "cannot bring lo up in $ns"
	done
	ip link add "$RP0" netns "$NS_R" type veth peer name "$RH1" netns "$NS_H1" ||
		fail "cannot create veth $RP0/$RH1"
	ip link add "$RP1" netns "$NS_R" type veth peer name "$RH2" netns "$NS_H2" ||
		fail "cannot create veth $RP1/$RH2"
	for v in "$RP0" "$RP1"; do
		# the router's kernel side stays silent: no IPv6 (no RS, MLD, DAD), no address
		rr sh -c "echo 1 > /proc/sys/net/ipv6/conf/$v/disable_ipv6" ||
			fail "cannot turn IPv6 off on $v"
		ip -n "$NS_R" link set dev "$v" up || fail "cannot bring $v up"
	done
	ip -n "$NS_H1" link set dev "$RH1" up || fail "cannot bring $RH1 up"
	ip -n "$NS_H2" link set dev "$RH2" up || fail "cannot bring $RH2 up"
	ip -n "$NS_H1" addr add "$H1_4/24" dev "$RH1" &&
		ip -n "$NS_H1" addr add "$H1_6/64" dev "$RH1" nodad &&
		ip -n "$NS_H1" route add default via "$R0_4" &&
		ip -n "$NS_H1" -6 route add default via "$R0_6" || fail "cannot configure $NS_H1"
	ip -n "$NS_H2" addr add "$H2_4/24" dev "$RH2" &&
		ip -n "$NS_H2" addr add "$H2_6/64" dev "$RH2" nodad &&
		ip -n "$NS_H2" route add default via "$R1_4" &&
		ip -n "$NS_H2" -6 route add default via "$R1_6" || fail "cannot configure $NS_H2"
	# the kernel leaves TCP/UDP checksums to a tx offload veth never runs; with it off the
	# hosts send complete checksums (net_af_packet would fill them, net_af_xdp does not)
	if [ "${RT_HOST_TX_CSUM:-off}" = off ] && command -v ethtool >/dev/null; then
		h1 ethtool -K "$RH1" tx off >/dev/null 2>&1 || fail "ethtool -K $RH1 tx off failed"
		h2 ethtool -K "$RH2" tx off >/dev/null 2>&1 || fail "ethtool -K $RH2 tx off failed"
	fi
}

# rt_start DRIVER [-- ROUTER OPTIONS...]: starts sluice-router in $NS_R with two ports of
# DRIVER (net_af_packet, net_af_xdp; extra device arguments after a comma:
# "net_af_xdp,xdp_mode=native"), the addresses above from a start-up file (plus the lines
# of $RT_STARTUP_EXTRA), and waits (at most 10 s) for its control socket to answer.
# Options after -- go to the router; $RT_RUNTIME_EXTRA adds runtime options (--metrics...).
# Sets RT_PID and RT_LOG.
rt_start() {
	local drv=${1%%,*} dargs='' i
	[ "$drv" != "$1" ] && dargs=,${1#*,}
	shift
	[ "${1:-}" = -- ] && shift
	RT_RUN=$((RT_RUN + 1))
	RT_LOG=$TMP/router$RT_RUN.log
	cat > "$TMP/startup" <<EOF
address add 0 $R0_4/24
address add 1 $R1_4/24
address add 0 $R0_6/64
address add 1 $R1_6/64
${RT_STARTUP_EXTRA:-}
EOF
	rm -f "$RT_SOCK"
	# Not under timeout: $! is the router itself (ip netns exec execs it); the exit trap
	# stops it.  Two lcores: the control thread on the main one, one worker.
	# shellcheck disable=SC2086 # RT_RUNTIME_EXTRA: runtime options, split on blanks
	ip netns exec "$NS_R" "$ROUTER" -l 0,1 --no-huge --file-prefix "$RT_PREFIX" \
		${RT_RUNTIME_EXTRA:-} --vdev "${drv}0,iface=$RP0$dargs" --vdev "${drv}1,iface=$RP1$dargs" -- \
		--startup "$TMP/startup" --socket "$RT_SOCK" "$@" > "$RT_LOG" 2>&1 &
	RT_PID=$!
	for i in $(seq 100); do
		[ -S "$RT_SOCK" ] && rtctl interface show > /dev/null 2>&1 && break
		kill -0 "$RT_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! rtctl interface show > "$TMP/ifaces" 2>&1; then
		grep -q "no such driver" "$RT_LOG" && skip "$drv is not built in: $(grep "no such driver" "$RT_LOG")"
		cat "$RT_LOG"
		fail "sluice-router ($drv) did not start (no answer on $RT_SOCK)"
	fi
	grep -q "mtu" "$TMP/ifaces" || fail "interface show lists no interface"
}

# rt_stop: SIGTERM, then (after 5 s) SIGKILL; returns the router's exit status.
rt_stop() {
	local i rc
	[ -n "$RT_PID" ] || return 0
	# the last counters, for rt_dump after a failed check
	rtctl stats > "$TMP/stats.last" 2>&1
	rtctl neighbour show >> "$TMP/stats.last" 2>&1
	kill -TERM "$RT_PID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$RT_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$RT_PID" 2>/dev/null; then
		echo "sluice-router ignored SIGTERM for 5 s: SIGKILL"
		kill -KILL "$RT_PID" 2>/dev/null
	fi
	wait "$RT_PID"
	rc=$?
	RT_PID=
	rm -rf "/run/sluice/$RT_PREFIX"
	return $rc
}

rt_dump() {
	echo "=== sluice-router log ($RT_LOG)"
	[ -n "$RT_LOG" ] && tail -n 100 "$RT_LOG"
	if [ -n "$RT_PID" ] && kill -0 "$RT_PID" 2>/dev/null; then
		echo "=== stats"
		rtctl stats 2>&1
		echo "=== neighbour show"
		rtctl neighbour show 2>&1
		echo "=== interface show"
		rtctl interface show 2>&1
	elif [ -s "$TMP/stats.last" ]; then
		echo "=== stats and neighbour show when the router was stopped"
		cat "$TMP/stats.last"
	else
		echo "=== (the router is not running)"
	fi
}

rt_on_exit() {
	local rc=$? x
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		rt_dump
	fi
	rt_stop > /dev/null 2>&1 || true
	# what the script started besides the router (lib.sh's trap kills PIDS and deletes
	# SL_NETNS and $TMP)
	for x in "${PIDS[@]}"; do
		kill "$x" 2>/dev/null || true
	done
	(exit "$rc")
	sl_cleanup
}
