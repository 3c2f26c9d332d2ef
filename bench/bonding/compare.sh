#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Sluice's net_bonding next to DPDK 22.11's net_bonding.
#
#   bench/bonding/compare.sh BUILD_DIR        e.g. bench/bonding/compare.sh build/release
#
# BUILD_DIR/bench/bonding/bond_vs_dpdk (built when libdpdk with librte_net_bond is found)
# links both and times them in one process, one core, DPDK with --no-huge: a bond of two
# null members in balance-xor (l34, l23, l2 hashes) and active-backup; each round takes a
# burst of 32 in through the bond, writes one of 1024 UDP flows' headers into each packet
# and sends the burst out through the bond.  The same round on a null port alone gives
# each side's cost without a bond; the table's "bond+" columns are what the bond adds,
# and DP/Sl is DPDK's bond+ over Sluice's (above 1: Sluice's bond costs less).
# REPS repetitions (default 9), medians, the sides alternating; ROUNDS per repetition
# (default 200000).  Timing runs on a shared machine: wrap in `flock /tmp/bench.lock`.
set -eu
build=${1:?usage: compare.sh BUILD_DIR}
bin=$build/bench/bonding/bond_vs_dpdk
if [ ! -x "$bin" ]; then
	echo "bench/bonding: $bin not built (needs dpdk-dev with librte_net_bond)" >&2
	exit 1
fi
"$bin" -r "${REPS:-9}" -b "${ROUNDS:-200000}" 2>&1 | grep -v -e '^TELEMETRY' -e 'Operation not supported'
