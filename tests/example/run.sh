#!/bin/bash
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
