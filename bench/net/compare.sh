#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs bench/net's net_perf (Sluice's Toeplitz RSS hash) and, when built, dpdk_thash
# (DPDK's rte_softrss / rte_softrss_be on the same inputs) alternately, RUNS times each
# (default 3), and prints a markdown table of the medians in cycles per hash.
#
#   bench/net/compare.sh BUILD_DIR        e.g. bench/net/compare.sh build/release
#
# Pairs: "from key" = sl_rss_toeplitz() vs rte_softrss() (no per-key setup);
# "prepared key" = sl_rss_hash() (per-key byte tables) vs rte_softrss_be() (converted key).
# Both programs first print the hash of the same input ("check" lines): they must agree.
set -eu
. "$(dirname "$0")/../lib.sh"

build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
sl="$build/bench/net/net_perf"
dp="$build/bench/net/dpdk_thash"
[ -x "$sl" ] || { echo "compare.sh: $sl not found; build it: ninja -C $build bench/net/net_perf" >&2; exit 1; }
have_dpdk=1
[ -x "$dp" ] || { have_dpdk=0; echo "compare.sh: $dp not built (no libdpdk: apt-get install dpdk-dev); Sluice figures only" >&2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

i=1
while [ "$i" -le "$runs" ]; do
	"$sl" >"$tmp/sl.$i"
	[ "$have_dpdk" = 1 ] && "$dp" >"$tmp/dp.$i"
	i=$((i + 1))
done
if [ "$have_dpdk" = 1 ] && [ "$(grep '^check' "$tmp/sl.1")" != "$(grep '^check' "$tmp/dp.1")" ]; then
	echo "compare.sh: Sluice and DPDK hash values differ:" >&2
	grep '^check' "$tmp/sl.1" "$tmp/dp.1" >&2
	exit 1
fi

for f in "$tmp"/*.[0-9]*; do
	src=${f##*/}; src=${src%%.*}
	grep -v '^check' "$f" | sed "s/^/$src\t/; s/: \([0-9.]*\)$/\t\1/"
done >"$tmp/all"

echo "Medians of $runs runs; $(machine); TSC cycles per hash."
echo
awk -F '\t' "$MEDIAN_AWK"'
	{
		if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
		vals[$1, $2] = vals[$1, $2] " " $3
	}
	END {
		print "| case | Sluice | DPDK | ratio (Sluice/DPDK) |"
		print "|---|---:|---:|---:|"
		for (k = 1; k <= n; k++) {
			s = median(vals["sl", order[k]]); d = median(vals["dp", order[k]])
			printf "| %s | %s | %s | %s |\n", order[k],
				s == "" ? "-" : sprintf("%.1f", s), d == "" ? "-" : sprintf("%.1f", d),
				(s == "" || d == "" || d + 0 == 0) ? "-" : sprintf("%.2f", s / d)
		}
	}' "$tmp/all"
echo
echo "from key: sl_rss_toeplitz vs rte_softrss; prepared key: sl_rss_hash (byte tables) vs"
echo "rte_softrss_be (converted key).  Default 40-byte key, 1024 different inputs cycled."
