#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs Sluice's pool_perf and (when installed) DPDK's mempool_perf_autotest alternately,
# RUNS times each (default 3), and prints a markdown table of the medians.
#
#   bench/pool/compare.sh BUILD_DIR        e.g. bench/pool/compare.sh build/release
#
# Both programs print "mempool_autotest cache=C cores=K n_get_bulk=G n_put_bulk=P n_keep=N
# constant_n=0|1 rate_persec=R" lines: R is objects taken from the pool AND given back per
# second, summed over the K lcores (see bench/pool/pool_perf.c).  Higher is better.
#
# Run length.  DPDK 22.11 runs 720 cases of 5 s each (an hour), and the cases with a cache
# come after 360 cases without one; no option selects a subset.  So dpdk-test runs with
# bench/pool/dpdk_timescale.so preloaded, which divides the TSC frequency DPDK reads by
# 5000 / CASE_MS: every case then lasts CASE_MS ms (same code, same loop, same pool), and
# the printed rate is multiplied back by that factor here.  pool_perf runs its cases for
# CASE_MS ms too.  By default dpdk-test is stopped once its "with cache" cases on 1 and 2
# cores are done, and pool_perf runs only those.
#
# Environment:
#   RUNS=N       repetitions (medians are reported)                         default 3
#   CASE_MS=MS   length of each case; must divide 5000                      default 100
#   ALL=1        every section on 1, 2 and all lcores (DPDK's full list; Sluice has no
#                user-owned cache, so that section is DPDK only)           default 0
# With the defaults one run takes about a minute (dpdk-test must get through the 360
# no-cache cases first, at CASE_MS each); RUNS=3 about three minutes.
set -eu
. "$(dirname "$0")/../lib.sh"

build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
case_ms=${CASE_MS:-100}
all=${ALL:-0}
perf="$build/bench/pool/pool_perf"
shim="$build/bench/pool/dpdk_timescale.so"
for f in "$perf" "$shim"; do
	[ -e "$f" ] || { echo "compare.sh: $f not found; build it: ninja -C $build bench/pool/pool_perf bench/pool/dpdk_timescale.so" >&2; exit 1; }
done
case $case_ms in
*[!0-9]* | '' | 0) echo "compare.sh: CASE_MS='$case_ms' is not a positive number of ms" >&2; exit 1 ;;
esac
if [ $((5000 % case_ms)) -ne 0 ]; then
	echo "compare.sh: CASE_MS=$case_ms does not divide 5000 (DPDK's 5 s per case); try 50, 100, 200, 250, 500" >&2
	exit 1
fi
scale=$((5000 / case_ms))
shim=$(cd "$(dirname "$shim")" && pwd)/$(basename "$shim") # LD_PRELOAD wants a full path

tmp=$(mktemp -d)
dpid=
cleanup() {
	if [ -n "$dpid" ]; then kill "$dpid" 2>/dev/null || true; wait "$dpid" 2>/dev/null || true; fi
	rm -rf "$tmp" "/var/run/dpdk/pool_perf_$$" # dpdk-test's runtime dir, left when stopped early
}
trap cleanup EXIT
trap 'exit 130' INT TERM

have_dpdk_test

if [ "$all" = 1 ]; then
	sl_args="-t $case_ms -a"
	want=0 # DPDK runs to the end
else
	sl_args="-t $case_ms"
	want=120 # "with cache" lines on 1 and 2 cores: 60 cases each
fi
# Backstop for a dpdk-test that hangs: twice the full list, plus start-up.
dp_timeout=$((720 * case_ms * 2 / 1000 + 60))
echo mempool_perf_autotest >"$tmp/cmd"

# Counts complete result lines in the "with cache" section of a dpdk-test log.
cache_lines() {
	awk '/^start performance test/ { on = /\(with cache\)/ } on && /rate_persec=/ { n++ }
	     END { print n + 0 }' "$1"
}

i=1
while [ "$i" -le "$runs" ]; do
	echo "run $i/$runs: sluice" >&2
	# shellcheck disable=SC2086 # sl_args is a list of options
	"$perf" -l 0-1 --no-huge --file-prefix "pool_perf_$$" -- $sl_args \
		>"$tmp/sl.$i" 2>"$tmp/sl.$i.err" || { cat "$tmp/sl.$i" "$tmp/sl.$i.err" >&2; exit 1; }
	if [ "$have_dpdk" = 1 ]; then
		echo "run $i/$runs: dpdk" >&2
		: >"$tmp/dp.$i" # exists before the first poll below
		# stdbuf: keep whole lines in the log when the run is stopped early.  The file
		# prefix keeps this dpdk-test apart from any other one running on the machine.
		SL_DPDK_TIME_SCALE=$scale LD_PRELOAD="$shim" timeout "$dp_timeout" \
			stdbuf -oL dpdk-test --no-huge -m 512 -l 0-1 --no-pci \
			--file-prefix "pool_perf_$$" <"$tmp/cmd" >"$tmp/dp.$i" 2>&1 &
		dpid=$!
		while kill -0 "$dpid" 2>/dev/null; do
			if [ "$want" -gt 0 ] && [ "$(cache_lines "$tmp/dp.$i")" -ge "$want" ]; then
				kill "$dpid" 2>/dev/null || true
				break
			fi
			sleep 0.5
		done
		wait "$dpid" 2>/dev/null || true
		dpid=
		got=$(cache_lines "$tmp/dp.$i")
		if [ "$want" -gt 0 ] && [ "$got" -lt "$want" ]; then
			echo "compare.sh: dpdk-test run $i gave $got of $want cases; its log ends:" >&2
			tail -n 5 "$tmp/dp.$i" >&2
		elif [ "$want" = 0 ] && ! grep -q "Test OK" "$tmp/dp.$i"; then
			echo "compare.sh: dpdk-test run $i did not end with Test OK" >&2
		fi
	fi
	i=$((i + 1))
done

# One line per figure: source<TAB>key<TAB>objects per second.  The key is the section plus
# the case; the second time a case appears in a section (cores=all after cores=2 on two
# lcores) it is marked "all".
extract() {
	awk -v src="$1" -v mult="$2" '
		/^start performance test/ {
			sec = "cache"
			if (/without cache/) sec = "none"
			if (/ for [^ ]+ \(without cache\)/) sec = "none, default ops"
			if (/user-owned/) sec = "user-owned"
			delete seen
		}
		/^mempool_autotest .*rate_persec=[0-9]+$/ {
			c = $0; sub(/ rate_persec=.*/, "", c); sub(/^mempool_autotest /, "", c)
			v = $NF; sub(/.*=/, "", v)
			k = sec "|" c
			if (k in seen) k = k "|all"
			seen[k] = 1
			printf "%s\t%s\t%.0f\n", src, k, v * mult
		}' "$3"
}
for f in "$tmp"/sl.[0-9]*; do case $f in *.err) ;; *) extract sl 1 "$f" ;; esac; done >"$tmp/all"
if [ "$have_dpdk" = 1 ]; then
	for f in "$tmp"/dp.*; do extract dp "$scale" "$f"; done >>"$tmp/all"
fi

echo "Medians of $runs runs, $case_ms ms per case; $(machine)."
echo
awk -F '\t' -v all="$all" "$MEDIAN_AWK"'
	function field(c, name,    a, n, i) {
		n = split(c, a, " ")
		for (i = 1; i <= n; i++) if (index(a[i], name "=") == 1) return substr(a[i], length(name) + 2)
		return "?"
	}
	{
		if (!($2 in known)) { known[$2] = 1; order[++nk] = $2 }
		vals[$1, $2] = vals[$1, $2] " " $3
	}
	END {
		print "| pool cache | cores | get bulk | put bulk | keep | constant n | Sluice Mobj/s | DPDK Mobj/s | ratio (Sluice/DPDK) |"
		print "|---|---:|---:|---:|---:|:---:|---:|---:|---:|"
		for (k = 1; k <= nk; k++) {
			key = order[k]; np = split(key, p, "|"); sec = p[1]; c = p[2]
			# dpdk-test, stopped by polling, may have begun cases pool_perf skips.
			if (all != 1 && !(("sl", key) in vals)) continue
			cores = field(c, "cores") (np > 2 ? " (all)" : "")
			cache = sec == "cache" || sec == "user-owned" ? field(c, "cache") : "none"
			if (sec == "none, default ops") cache = "none, default ops"
			if (sec == "user-owned") cache = cache " user-owned"
			s = median(vals["sl", key]); d = median(vals["dp", key])
			fs = s == "" ? "-" : sprintf("%.1f", s / 1e6)
			fd = d == "" ? "-" : sprintf("%.1f", d / 1e6)
			fr = (s == "" || d == "" || d + 0 == 0) ? "-" : sprintf("%.2f", s / d)
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", cache, cores,
				field(c, "n_get_bulk"), field(c, "n_put_bulk"), field(c, "n_keep"),
				field(c, "constant_n") == 1 ? "yes" : "no", fs, fd, fr
			if (fr != "-") {
				g = cache " | " cores
				if (!(g in gn)) gorder[++ng] = g
				gn[g]++; glog[g] += log(s / d)
				if (s / d < 1) gslow[g]++
			}
		}
		if (ng == 0) exit
		print ""
		print "| pool cache | cores | cases | geometric mean of ratios | cases where Sluice is slower |"
		print "|---|---:|---:|---:|---:|"
		for (i = 1; i <= ng; i++)
			printf "| %s | %d | %.2f | %d |\n", gorder[i], gn[gorder[i]],
				exp(glog[gorder[i]] / gn[gorder[i]]), gslow[gorder[i]]
	}' "$tmp/all"
echo
echo "Rates are objects taken and given back per second (millions), summed over the cores;"
echo "each case runs $case_ms ms (DPDK through dpdk_timescale.so, its rates scaled by $scale)."
echo "This machine has $(nproc) cores shared with other work: the cores=2 rows put both"
echo "benchmark threads on them and are noisy; compare them over several RUNS."
