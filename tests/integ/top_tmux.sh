#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `sluice top` in a real pseudo-terminal: a detached tmux session (on a private tmux
# server, -L) runs it against a sluice-fwd forwarding between two null ports; the captured
# pane shows both port names with a non-zero rx rate and the worker lcore busy; `q` quits
# it at once (exit 0, terminal restored); against a forwarder that stops it says the
# process went away and exits 1; --once prints one plain frame.
# Usage: top_tmux.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: top_tmux.sh BUILD_DIR}
fwd=$build/app/fwd/sluice-fwd
sluice=$build/app/sluice/sluice
. "$(dirname "$0")/lib.sh"
[ -x "$fwd" ] || skip "$fwd not built"
[ -x "$sluice" ] || skip "$sluice not built"
need_tools tmux
TMP=$(mktemp -d)
prefix=top-tmux-$$
sock=sl-top-$$ # our own tmux server: the user's sessions are never touched
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup_tmux() { tm kill-server 2>/dev/null || true; }
trap 'cleanup_tmux; sl_cleanup' EXIT

"$fwd" --no-huge -l 0-1 --file-prefix "$prefix" --vdev net_null0 --vdev net_null1 -- \
  --duration 60 --stats-period 0 >"$TMP/fwd.out" 2>&1 &
PIDS+=("$!")
fwd_pid=$!
for _ in $(seq 50); do
  "$sluice" top --file-prefix "$prefix" --once -d 0.2 >"$TMP/once.txt" 2>&1 && break
  sleep 0.2
done

echo "== --once: one plain frame"
grep -q "net_null0" "$TMP/once.txt" || { cat "$TMP/once.txt" "$TMP/fwd.out"; fail "--once shows no net_null0"; }
if grep -q $'\033' "$TMP/once.txt"; then fail "--once wrote terminal escapes"; fi
awk 'length($0) > 80 { exit 1 }' "$TMP/once.txt" || fail "a line of --once is wider than 80 columns"

echo "== in tmux: ports, a rate, the busy lcore"
tm new-session -d -s top -x 80 -y 24 \
  "'$sluice' top --file-prefix '$prefix' -d 0.5; echo \"top exit \$?\"; sleep 30"
ok=0
for _ in $(seq 40); do
  sleep 0.25
  tm capture-pane -p -t top >"$TMP/pane.txt"
  # a port row: ID NAME LINK RXpps ...; the rx rate is a number with a k/M/G unit, not 0
  if grep -Eq '^ *0 net_null0 +UP +[0-9.]+[kMG] ' "$TMP/pane.txt" &&
     grep -Eq '^ *1 net_null1 +UP +[0-9.]+[kMG] ' "$TMP/pane.txt" &&
     grep -Eq '^ +1 worker +[0-9.]+%' "$TMP/pane.txt"; then
    ok=1
    break
  fi
done
cat "$TMP/pane.txt"
[ $ok = 1 ] || fail "the pane does not show both ports with a non-zero rate and the worker"

echo "== q quits at once"
tm send-keys -t top q
quit=0
for _ in $(seq 20); do
  sleep 0.1
  tm capture-pane -p -t top >"$TMP/after.txt"
  if grep -q "top exit 0" "$TMP/after.txt"; then quit=1; break; fi
done
[ $quit = 1 ] || { cat "$TMP/after.txt"; fail "q did not make sluice top exit 0 within 2 s"; }
# Back on the main screen in cooked mode: the shell line is there and the frame is not.
if grep -q "RX QUEUES" "$TMP/after.txt"; then fail "the alternate screen was not left"; fi
tm kill-session -t top

echo "== the process goes away"
tm new-session -d -s gone -x 80 -y 24 \
  "'$sluice' top --file-prefix '$prefix' -d 0.3; echo \"top exit \$?\"; sleep 30"
sleep 1
kill -TERM "$fwd_pid"
wait "$fwd_pid" || true
PIDS=()
gone=0
for _ in $(seq 30); do
  sleep 0.2
  tm capture-pane -p -t gone >"$TMP/gone.txt"
  if grep -q "top exit 1" "$TMP/gone.txt" && grep -q "went away" "$TMP/gone.txt"; then
    gone=1
    break
  fi
done
[ $gone = 1 ] || { cat "$TMP/gone.txt"; fail "no 'went away' and exit 1 when the forwarder stopped"; }
echo "sluice top in tmux: OK"
