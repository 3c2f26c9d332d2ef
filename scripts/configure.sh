#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Configures BUILD_DIR (meson setup) the first time, and again whenever a library the
# build looked for and did not find is there now (say dpdk-dev was installed after the
# first `make run`: without this, the benchmarks that link DPDK would quietly be left out).
#   scripts/configure.sh BUILD_DIR [MESON_OPTIONS...]
set -eu
build=${1:?usage: configure.sh BUILD_DIR [MESON_OPTIONS...]}
shift
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Dtests=true "$@"
	exit 0
fi
log="$build/meson-logs/meson-log.txt"
[ -f "$log" ] || exit 0
# "Run-time dependency libdpdk found: NO (tried pkgconfig and cmake)"
missing=$(sed -n 's/.*[Dd]ependency \([A-Za-z0-9_.+-]*\) found: NO.*/\1/p' "$log" | sort -u)
now=""
for dep in $missing; do
	pkg-config --exists "$dep" 2>/dev/null && now="$now $dep"
done
if [ -n "$now" ]; then
	echo "configure.sh: $build was configured without$now, which is installed now: reconfiguring"
	meson setup --reconfigure "$build" >/dev/null
fi
