#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# net_tap end to end: the kernel pings a Sluice program through a tap interface.
# In a network namespace made here, tap_responder (tests/unit/tap) opens a net_tap port and
# answers ARP and ICMP echo for 10.99.1.2; the kernel side of the tap gets 10.99.1.1/24 and
# runs `ping -c 5 -W 1 10.99.1.2`, which must get 5 replies, and the responder must report
# exactly 5 echo replies and at least one ARP reply.
# Usage: tap_ping.sh BUILD_DIR (root).  Exit 77 (skip) when not root or something is missing.
set -euo pipefail

BUILD=$(cd "${1:?usage: tap_ping.sh BUILD_DIR}" && pwd)
RESPONDER=$BUILD/tests/unit/tap/tap_responder
COUNT=5

. "$(dirname "$0")/lib.sh"
need_root
[ -x "$RESPONDER" ] || skip "$RESPONDER is not built (net_tap is off, or tests are disabled)"
[ -e /dev/net/tun ] || skip "/dev/net/tun is missing (modprobe tun)"
for t in ip ping timeout; do # need_tools, with the package to install
	command -v "$t" >/dev/null ||
		skip "$t is not installed (apt-get install iproute2 iputils-ping coreutils)"
done

NS=sltapping$$
TAP=sltp$$
TMP=$(mktemp -d "/tmp/sl_tap_ping.$$.XXXXXX")

# lib.sh's fail, after what the responder printed (the reason is usually there).
fail_responder() {
	echo "--- responder output:"
	cat "$TMP/responder.out" "$TMP/responder.err" 2>/dev/null || true
	fail "$@"
}

SL_NETNS+=("$NS") # deleted on every exit, with the tap the responder makes in it
ip netns add "$NS" || fail "cannot create netns $NS"
# No IPv6 on the tap: the responder then sees only ARP and ICMP.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS" ip link set lo up

# The responder stops by itself after 30 s if nobody stops it; it is also killed on exit.
ip netns exec "$NS" "$RESPONDER" "net_tap0,iface=$TAP" 10.99.1.2 30 \
	>"$TMP/responder.out" 2>"$TMP/responder.err" &
RESP_PID=$!
PIDS+=("$RESP_PID")

ready=0
for _ in $(seq 50); do
	if grep -q "^ready $TAP " "$TMP/responder.out" 2>/dev/null; then
		ready=1
		break
	fi
	kill -0 "$RESP_PID" 2>/dev/null || fail_responder "the responder exited early"
	sleep 0.1
done
[ "$ready" = 1 ] || fail_responder "the responder did not get ready within 5 s"

ip netns exec "$NS" ip addr add 10.99.1.1/24 dev "$TAP"
ip netns exec "$NS" ip link set dev "$TAP" up

if ! timeout 20 ip netns exec "$NS" ping -n -c "$COUNT" -W 1 -i 0.2 10.99.1.2 \
	>"$TMP/ping.out" 2>&1; then
	cat "$TMP/ping.out"
	fail_responder "ping through $TAP did not get its replies"
fi
cat "$TMP/ping.out"
grep -q "$COUNT packets transmitted, $COUNT received" "$TMP/ping.out" ||
	fail_responder "expected $COUNT of $COUNT echo replies"

# Stop the responder and check its own account.
kill -TERM "$RESP_PID"
rc=0
timeout 10 tail --pid="$RESP_PID" -f /dev/null || rc=$?
wait "$RESP_PID" || rc=$?
PIDS=() # reaped: its PID may be reused
[ "$rc" = 0 ] || fail_responder "the responder exited with status $rc"
summary=$(grep '^arp_replies=' "$TMP/responder.out") || fail_responder "no summary from the responder"
echo "responder: $summary"
[[ "$summary" =~ arp_replies=([0-9]+)\ echo_replies=([0-9]+)\ ignored=([0-9]+)\ dropped=([0-9]+) ]] ||
	fail_responder "unreadable summary: $summary"
[ "${BASH_REMATCH[1]}" -ge 1 ] || fail_responder "no ARP reply was sent"
[ "${BASH_REMATCH[2]}" -eq "$COUNT" ] || fail_responder "expected $COUNT echo replies, got ${BASH_REMATCH[2]}"
[ "${BASH_REMATCH[4]}" -eq 0 ] || fail_responder "the responder dropped ${BASH_REMATCH[4]} replies"
echo "PASS: $COUNT/$COUNT pings answered through net_tap ($TAP)"
