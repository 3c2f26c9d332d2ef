#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs Sluice's ring_perf and (when installed) DPDK's ring_perf_autotest alternately,
# RUNS times each (default 3), and prints a markdown table of the medians.
#
#   bench/ring/compare.sh BUILD_DIR        e.g. bench/ring/compare.sh build
#
# Both programs print the same section headers and case labels; a case is keyed by
# section + label.  Figures are TSC cycles, normalised to cycles per object:
#   single enq/deq   cycles per (enqueue 1 + dequeue 1)                    (as printed)
#   burst/bulk       cycles per (enqueue n + dequeue n), divided here by n  (printed / n)
#   empty deq        cycles per failed dequeue call                         (as printed)
#   two cores        producer + consumer cycles per object                  (as printed)
set -eu
. "$(dirname "$0")/../lib.sh"

build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
perf="$build/bench/ring/ring_perf"
[ -x "$perf" ] || { echo "compare.sh: $perf not found; build it: ninja -C $build bench/ring/ring_perf" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

have_dpdk_test

i=1
while [ "$i" -le "$runs" ]; do
	echo "run $i/$runs: sluice" >&2
	"$perf" >"$tmp/sl.$i" 2>"$tmp/sl.$i.err" || { cat "$tmp/sl.$i.err" >&2; exit 1; }
	if [ "$have_dpdk" = 1 ]; then
		echo "run $i/$runs: dpdk" >&2
		echo ring_perf_autotest | timeout 600 dpdk-test --no-huge -m 512 -l 0-1 --no-pci --file-prefix "slbench-ring-$$" \
			>"$tmp/dp.$i" 2>&1 || true
		grep -q "Test OK" "$tmp/dp.$i" || echo "compare.sh: dpdk-test run $i failed" >&2
	fi
	i=$((i + 1))
done

# One line per figure: source<TAB>section<TAB>label<TAB>value.
extract() {
	awk -v src="$1" '
		/^### Testing .* ###/ { sec = $0; sub(/^### Testing /, "", sec); sub(/ ###$/, "", sec) }
		/APIs.*: [0-9.]+$/ {
			v = $NF; lab = $0; sub(/: [0-9.]+$/, "", lab)
			printf "%s\t%s\t%s\t%s\n", src, sec, lab, v
		}' "$2"
}
for f in "$tmp"/sl.[0-9]*; do case $f in *.err) ;; *) extract sl "$f" ;; esac; done >"$tmp/all"
if [ "$have_dpdk" = 1 ]; then
	for f in "$tmp"/dp.*; do extract dp "$f"; done >>"$tmp/all"
fi

echo "Medians of $runs runs; $(machine)."
echo
awk -F '\t' "$MEDIAN_AWK"'
	{
		key = $2 SUBSEP $3
		if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
		vals[$1, key] = vals[$1, key] " " $4
	}
	END {
		print "| case | Sluice cycles/elem | DPDK cycles/elem | ratio (Sluice/DPDK) |"
		print "|---|---:|---:|---:|"
		for (k = 1; k <= nk; k++) {
			key = order[k]; split(key, p, SUBSEP); sec = p[1]; lab = p[2]
			if (sec ~ /all worker/) continue
			div = 1
			if (sec ~ /^(burst|bulk) enq\/deq$/ && match(lab, /size: [0-9]+/))
				div = substr(lab, RSTART + 6, RLENGTH - 6) + 0
			s = median(vals["sl", key]); d = median(vals["dp", key])
			name = lab " [" sec "]"
			fs = s == "" ? "-" : sprintf("%.2f", s / div)
			fd = d == "" ? "-" : sprintf("%.2f", d / div)
			fr = (s == "" || d == "" || d + 0 == 0) ? "-" : sprintf("%.2f", s / d)
			printf "| %s | %s | %s | %s |\n", name, fs, fd, fr
		}
	}' "$tmp/all"
echo
echo "Burst/bulk rows are divided by the burst size (both programs print cycles per"
echo "enqueue+dequeue of the whole burst); empty-dequeue rows are cycles per call; two-core"
echo "rows are producer + consumer cycles per object, as both programs print them."
