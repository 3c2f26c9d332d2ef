#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# LPM side by side with DPDK 22.11, cycles per lookup, lower is better.
#
#   bench/lpm/compare.sh BUILD_DIR        e.g. RUNS=1 bench/lpm/compare.sh build/release
#
# 1. The headline: bench/lpm/lpm_vs_dpdk (built when libdpdk is found), which links both
#    libraries into one process, adds the same routes to both, looks up the same addresses,
#    cross-checks every next hop and prints medians of alternating repetitions.  Its
#    options go in FAIR_ARGS (default "-r 15"; e.g. FAIR_ARGS="-r 15 -s v4inet,v6inet100k"
#    skips the DPDK-like IPv4 set, whose 1M adds take DPDK several minutes).
#    ROUTES=FILE runs it on a route table read from FILE instead (one CIDR prefix a line,
#    IPv4 and IPv6 mixed, .gz read through zlib): sets bgp4 and bgp6, e.g. the real
#    Internet table (901,899 IPv4 + 160,147 IPv6 prefixes; DPDK takes ~2-3 minutes to add
#    the IPv4 ones):
#      ROUTES=/work/shared/data/bgp-prefixes.txt.gz DPDK_TEST=0 bench/lpm/compare.sh build/release
#    It also prints each library's load time and table memory (see lpm_vs_dpdk.c).
# 2. Unless DPDK_TEST=0: Sluice's lpm_perf next to dpdk-test's lpm_perf_autotest,
#    lpm6_perf_autotest and fib_perf_autotest, RUNS times each (default 3), alternating.
#    IPv4 uses the same routes on both sides; IPv6 does not (dpdk-test uses a compiled-in
#    table we do not copy), so its IPv6 rows compare unlike sets: use part 1 for IPv6.
#
# Memory: DPDK runs with -m 2048 (its LPM needs ~70 MiB for tbl24 + 2048 tbl8s plus a
# 2M-rule table, FIB ~140 MiB, LPM6 ~100 MiB); Sluice needs about 100 MiB (IPv4) and
# 210 MiB (IPv6).  Both sides use 4 KiB pages (DPDK --no-huge), unless HUGEPAGES=N (e.g.
# 1400): then N 2 MiB pages are reserved and a hugetlbfs mounted for the run, both sides
# use them, and the old count is restored on exit.  Each dpdk-test run gets its own
# --file-prefix so it does not collide with other DPDK processes.
set -eu
. "$(dirname "$0")/../lib.sh"

build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
perf="$build/bench/lpm/lpm_perf"
[ -x "$perf" ] || { echo "compare.sh: $perf not found; build it: ninja -C $build bench/lpm/lpm_perf" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'hugepages_off; rm -rf "$tmp"' EXIT

same_pages "$tmp/huge"

fair="$build/bench/lpm/lpm_vs_dpdk"
routes_arg=
if [ -n "${ROUTES:-}" ]; then
	[ -r "$ROUTES" ] || { echo "compare.sh: ROUTES=$ROUTES: not readable" >&2; exit 1; }
	routes_arg="--routes $ROUTES"
fi
if [ -x "$fair" ]; then
	echo "## Same routes, same addresses, one process: lpm_vs_dpdk ${FAIR_ARGS:--r 15} $routes_arg $pages_arg"
	echo
	# shellcheck disable=SC2086 # FAIR_ARGS, routes_arg and pages_arg are lists of options
	"$fair" ${FAIR_ARGS:--r 15} $routes_arg $pages_arg 2>"$tmp/fair.err" || { cat "$tmp/fair.err" >&2; exit 1; }
	grep -h "^lpm_vs_dpdk: .*prefixes" "$tmp/fair.err" >&2 || true
	echo
else
	echo "compare.sh: $fair not built (needs libdpdk: apt-get install dpdk-dev); skipping the fair comparison" >&2
fi
[ "${DPDK_TEST:-1}" = 1 ] || exit 0
echo "## lpm_perf vs dpdk-test (IPv4 same routes; IPv6 different route sets, not comparable)"
echo

have_dpdk_test

dpdk() { # test-name output-file
	# shellcheck disable=SC2086 # dpdk_pages is a list of options
	echo "$1" | timeout 1800 stdbuf -oL dpdk-test $dpdk_pages -m 2048 -l 0 --no-pci \
		--file-prefix "lpmcmp$$" >"$2" 2>&1 || true
	grep -q "Test OK" "$2" || echo "compare.sh: dpdk-test $1 did not report Test OK (see above)" >&2
}

i=1
while [ "$i" -le "$runs" ]; do
	echo "run $i/$runs: sluice" >&2
	"$perf" >"$tmp/sl.$i" 2>"$tmp/sl.$i.err" || { cat "$tmp/sl.$i.err" >&2; exit 1; }
	if [ "$have_dpdk" = 1 ]; then
		for t in lpm lpm6 fib; do
			echo "run $i/$runs: dpdk ${t}_perf_autotest" >&2
			dpdk "${t}_perf_autotest" "$tmp/dp.$t.$i"
		done
	fi
	i=$((i + 1))
done

# One line per figure: source<TAB>case<TAB>cycles.
extract_sl() {
	awk '
		/^### lpm_perf/ { fam = "IPv4" } /^### lpm6_perf/ { fam = "IPv6" }
		/^Average LPM Lookup:/ { print "sl\t" fam " single\t" $4 }
		/^BULK LPM Lookup:/ { print "sl\t" fam " bulk\t" $4 }
		/^LPM LookupX4:/ { print "sl\t" fam " x4\t" $3 }
		/^BULK FIB Lookup:/ { print "sl\tIPv4 bulk vs DPDK FIB\t" $4 }' "$1"
}
extract_dp() { # family file
	awk -v fam="$1" '
		/^Average LPM Lookup:/ && !s++ { print "dp\t" fam " single\t" $4 }
		/^BULK LPM Lookup:/ && !b++ { print "dp\t" fam " bulk\t" $4 }
		/^LPM LookupX4:/ && !x++ { print "dp\t" fam " x4\t" $3 }
		/^BULK FIB Lookup:/ && !f++ { print "dp\tIPv4 bulk vs DPDK FIB\t" $4 }' "$2"
}
for f in "$tmp"/sl.[0-9]*; do case $f in *.err) ;; *) extract_sl "$f" ;; esac; done >"$tmp/all"
if [ "$have_dpdk" = 1 ]; then
	for f in "$tmp"/dp.lpm.* "$tmp"/dp.fib.*; do extract_dp IPv4 "$f"; done >>"$tmp/all"
	for f in "$tmp"/dp.lpm6.*; do extract_dp IPv6 "$f"; done >>"$tmp/all"
fi

echo "Medians of $runs runs; $(machine); cycles per lookup."
echo
awk -F '\t' "$MEDIAN_AWK"'
	{
		if (!($2 in seen)) { seen[$2] = 1; order[++nk] = $2 }
		vals[$1, $2] = vals[$1, $2] " " $3
	}
	END {
		print "| case | Sluice cycles/lookup | DPDK cycles/lookup | ratio (Sluice/DPDK) |"
		print "|---|---:|---:|---:|"
		for (k = 1; k <= nk; k++) {
			key = order[k]
			s = median(vals["sl", key]); d = median(vals["dp", key])
			fs = s == "" ? "-" : sprintf("%.1f", s)
			fd = d == "" ? "-" : sprintf("%.1f", d)
			fr = (s == "" || d == "" || d + 0 == 0) ? "-" : sprintf("%.2f", s / d)
			printf "| %s | %s | %s | %s |\n", key, fs, fd, fr
		}
	}' "$tmp/all"
echo
echo "Route sets (see bench/lpm/lpm_perf.c): IPv4 is regenerated the way DPDK builds it"
echo "(same per-depth counts, same lrand48 stream); IPv6 uses DPDK's counts (1000 routes,"
echo "100000 addresses) but not its compiled-in data.  Extra Sluice lines of the last run:"
grep -hE "^(No. routes|Unique|Second-level|Table levels|Memory|Groups used|Used table)" "$tmp/sl.$runs" | sed 's/^/    /'
if [ "$have_dpdk" = 1 ]; then
	echo "DPDK of the last run:"
	grep -hE "^(No. routes|Unique added)" "$tmp/dp.lpm.$runs" "$tmp/dp.lpm6.$runs" "$tmp/dp.fib.$runs" | sed 's/^/    /'
fi
