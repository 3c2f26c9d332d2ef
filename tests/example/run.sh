#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Usage: run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

meson install -C "$build" --no-rebuild --destdir "$tmp/root" --quiet >/dev/null
pc=$(find "$tmp/root" -name libsluice.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: libsluice.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$tmp/root"
headers=$(pkg-config --cflags libsluice)
echo "pkg-config --cflags: $headers"
[ -n "$(find "$tmp/root" -path '*/include/sluice/sl_ring.h')" ] ||
  { echo "FAIL: sl_ring.h not installed under include/sluice"; exit 1; }

# Shared library, the way the README shows it.
cc -Wall -Wextra -Werror "$src/examples/hello/hello.c" $(pkg-config --cflags --libs libsluice) \
  -o "$tmp/hello"
libdir=$(dirname "$(find "$tmp/root" -name 'libsluice.so' | head -1)")
out=$(LD_LIBRARY_PATH=$libdir "$tmp/hello" --file-prefix example-test --no-huge -l 0)
echo "$out"
grep -q 'hello from lcore 0' <<<"$out" || { echo "FAIL: no hello from the main lcore"; exit 1; }
grep -q 'ring returned "packet 0" .. "packet 7"' <<<"$out" || { echo "FAIL: ring content"; exit 1; }
grep -q 'buffers in use after free: 0' <<<"$out" || { echo "FAIL: buffers leaked"; exit 1; }
# (ldd's output is captured first: grep -q exits at the first match and, under pipefail,
# ldd dying of SIGPIPE would fail the test.)
deps=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/hello")
grep -q "$libdir/libsluice.so" <<<"$deps" || { echo "FAIL: not linked to the shared lib"; exit 1; }

# An application's own driver (examples/driver): registered at run time, its queues counted
# by the port layer, its own counter named, its own log type.
cc -Wall -Wextra -Werror "$src/examples/driver/fifo.c" $(pkg-config --cflags --libs libsluice) \
  -o "$tmp/fifo"
out=$(LD_LIBRARY_PATH=$libdir "$tmp/fifo" --file-prefix example-test --no-huge -l 0 \
  --log-level fifo:debug 2>"$tmp/fifo.err")
echo "$out"
grep -q 'sent 8 of 16, received 8: "packet 0" .. "packet 7"' <<<"$out" ||
  { echo "FAIL: example driver: packets"; exit 1; }
grep -q 'stats: ipackets 8 ibytes 128 opackets 8' <<<"$out" ||
  { echo "FAIL: example driver: shared counters"; exit 1; }
grep -q 'xstat tx_q0_fifo_full 8' <<<"$out" || { echo "FAIL: example driver: own counter"; exit 1; }
grep -q 'xstat tx_q0_packets 8' <<<"$out" || { echo "FAIL: example driver: queue xstats"; exit 1; }
grep -q 'buffers in use after close: 0' <<<"$out" || { echo "FAIL: example driver leaked"; exit 1; }
grep -q 'net_fifo: debug: net_fifo0: fifos of 8 packets' "$tmp/fifo.err" ||
  { cat "$tmp/fifo.err"; echo "FAIL: example driver: its log type"; exit 1; }
out=$(LD_LIBRARY_PATH=$libdir "$tmp/fifo" --file-prefix example-test --no-huge -l 0 \
  --vdev net_fifo0,depth=4)
grep -q 'sent 4 of 16, received 4' <<<"$out" || { echo "FAIL: example driver from --vdev"; exit 1; }

# Static library too: libsluice.a with its own private libraries, and the libraries of its
# Requires.private as shared ones (a fully static libpcap would need libsystemd.a and more).
private=$(sed -n 's/^Libs.private: //p' "$pc")
requires=$(pkg-config --print-requires-private libsluice | awk '{print $1}')
[ -z "$requires" ] || private="$private $(pkg-config --libs $requires)"
cc -Wall -Wextra -Werror "$src/examples/hello/hello.c" \
  $(pkg-config --cflags libsluice) "$libdir/libsluice.a" $private \
  -o "$tmp/hello-static"
out=$("$tmp/hello-static" --file-prefix example-test -l 0)
grep -q 'buffers in use after free: 0' <<<"$out" ||
  { echo "FAIL: static build"; exit 1; }
echo "out-of-tree example: OK"
