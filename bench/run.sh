#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs every benchmark side by side with DPDK 22.11 (Debian's dpdk-test and dpdk-testpmd)
# in the same run and prints the tables of bench/README.md.
#   bench/run.sh [BUILD_DIR] [BENCH...]     default build/release, every benchmark
# BENCH is a folder of bench/ (ring pool fwd af_packet af_xdp memif net hash lpm bonding).  RUNS=N sets the
# repetitions per case (medians are reported).  Run it on an otherwise idle machine.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/release}
[ $# -gt 0 ] && shift
benches=${*:-ring pool fwd af_packet af_xdp memif net hash lpm bonding}
ninja -C "$build" >/dev/null
echo "# Sluice vs DPDK $(dpkg-query -W -f='${Version}' dpdk-dev 2>/dev/null || echo '(not installed)')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
for b in $benches; do
	[ -x "bench/$b/compare.sh" ] || { echo "bench/$b/compare.sh: not here, skipped" >&2; continue; }
	echo
	echo "## $b"
	echo
	echo "\`bench/$b/compare.sh $build\`"
	echo
	"bench/$b/compare.sh" "$build" || echo "(bench/$b failed: exit $?)"
done
