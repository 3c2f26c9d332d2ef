#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# scripts/configure.sh reconfigures a build that looked for a library and did not find it,
# once the library is there (the `make run` then `make bench` case: dpdk-dev installed
# after the first configure).  A scratch meson project looks for libpcap with pkg-config
# hidden, then scripts/configure.sh runs with it visible.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_tools meson pkg-config
pkg-config --exists libpcap || skip "libpcap's pkg-config file is not installed"
TMP=$(mktemp -d)
mkdir "$TMP/src"
cat >"$TMP/src/meson.build" <<'MESON'
project('t', 'c')
dependency('libpcap', required: false)
MESON
# -Dtests=true is what configure.sh passes to a first setup: the scratch project has none.
(cd "$TMP/src" && PKG_CONFIG_LIBDIR=/nonexistent meson setup "$TMP/b" >/dev/null)
grep -q "libpcap found: NO" "$TMP/b/meson-logs/meson-log.txt" || fail "setup found libpcap with pkg-config hidden"
out=$(cd "$TMP/src" && "$here/../../scripts/configure.sh" "$TMP/b")
echo "$out"
grep -q "configured without libpcap, which is installed now: reconfiguring" <<<"$out" ||
  fail "configure.sh did not say why it reconfigured"
grep -q "libpcap found: YES" "$TMP/b/meson-logs/meson-log.txt" || fail "not reconfigured"
# Nothing missing any more: a second run does nothing and says nothing.
out=$(cd "$TMP/src" && "$here/../../scripts/configure.sh" "$TMP/b")
[ -z "$out" ] || fail "second run reconfigured again: $out"
echo "OK"
