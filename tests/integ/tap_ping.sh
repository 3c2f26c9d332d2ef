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

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (network namespaces and tap interfaces)"
	exit 77
fi
if [ ! -x "$RESPONDER" ]; then
	echo "SKIP: $RESPONDER is not built (net_tap is off, or tests are disabled)"
	exit 77
fi
if [ ! -e /dev/net/tun ]; then
	echo "SKIP: /dev/net/tun is missing (modprobe tun)"
	exit 77
fi
for t in ip ping timeout; do
	if ! command -v "$t" >/dev/null; then
		echo "SKIP: $t is not installed (apt-get install iproute2 iputils-ping coreutils)"
		exit 77
	fi
done

NS=sltapping$$
TAP=sltp$$
TMP=$(mktemp -d "/tmp/sl_tap_ping.$$.XXXXXX")
RESP_PID=

cleanup() {
	if [ -n "$RESP_PID" ]; then
		kill "$RESP_PID" 2>/dev/null || true
		wait "$RESP_PID" 2>/dev/null || true
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	echo "--- responder output:"
	cat "$TMP/responder.out" "$TMP/responder.err" 2>/dev/null || true
	exit 1
}

ip netns add "$NS"
# No IPv6 on the tap: the responder then sees only ARP and ICMP.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS" ip link set lo up

# The responder stops by itself after 30 s if nobody stops it; it is also killed on exit.
ip netns exec "$NS" "$RESPONDER" "net_tap0,iface=$TAP" 10.99.1.2 30 \
	>"$TMP/responder.out" 2>"$TMP/responder.err" &
RESP_PID=$!

ready=0
for _ in $(seq 50); do
	if grep -q "^ready $TAP " "$TMP/responder.out" 2>/dev/null; then
		ready=1
		break
	fi
	kill -0 "$RESP_PID" 2>/dev/null || fail "the responder exited early"
	sleep 0.1
done
[ "$ready" = 1 ] || fail "the responder did not get ready within 5 s"

ip netns exec "$NS" ip addr add 10.99.1.1/24 dev "$TAP"
ip netns exec "$NS" ip link set dev "$TAP" up

if ! timeout 20 ip netns exec "$NS" ping -n -c "$COUNT" -W 1 -i 0.2 10.99.1.2 \
	>"$TMP/ping.out" 2>&1; then
	cat "$TMP/ping.out"
	fail "ping through $TAP did not get its replies"
fi
cat "$TMP/ping.out"
grep -q "$COUNT packets transmitted, $COUNT received" "$TMP/ping.out" ||
	fail "expected $COUNT of $COUNT echo replies"

# Stop the responder and check its own account.
kill -TERM "$RESP_PID"
rc=0
timeout 10 tail --pid="$RESP_PID" -f /dev/null || rc=$?
wait "$RESP_PID" || rc=$?
RESP_PID=
[ "$rc" = 0 ] || fail "the responder exited with status $rc"
summary=$(grep '^arp_replies=' "$TMP/responder.out") || fail "no summary from the responder"
echo "responder: $summary"
[[ "$summary" =~ arp_replies=([0-9]+)\ echo_replies=([0-9]+)\ ignored=([0-9]+)\ dropped=([0-9]+) ]] ||
	fail "unreadable summary: $summary"
[ "${BASH_REMATCH[1]}" -ge 1 ] || fail "no ARP reply was sent"
[ "${BASH_REMATCH[2]}" -eq "$COUNT" ] || fail "expected $COUNT echo replies, got ${BASH_REMATCH[2]}"
[ "${BASH_REMATCH[4]}" -eq 0 ] || fail "the responder dropped ${BASH_REMATCH[4]} replies"
echo "PASS: $COUNT/$COUNT pings answered through net_tap ($TAP)"
