#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs every benchmark side by side with DPDK 22.11 (Debian's dpdk-test) in the same run and
# prints the tables of bench/README.md.  Usage: bench/run.sh [BUILD_DIR]  (default build/release)
# RUNS=N sets the repetitions per case (medians are reported).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/release}
ninja -C "$build" bench/ring/ring_perf bench/pool/pool_perf >/dev/null
echo "# Sluice vs DPDK $(dpkg-query -W -f='${Version}' dpdk-dev 2>/dev/null || echo '(not installed)')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
echo
echo "## Ring (cycles per object, lower is better)"
bench/ring/compare.sh "$build"
echo
echo "## Pool (objects per second, higher is better)"
bench/pool/compare.sh "$build"
