#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Sluice's hash table next to DPDK 22.11's.
#
#   bench/hash/compare.sh BUILD_DIR        e.g. bench/hash/compare.sh build/release
#
# 1. Headline: BUILD_DIR/bench/hash/hash_vs_dpdk (built when libdpdk is found) links both
#    lib/hash and librte_hash and times them in one process on the same keys: 16- and
#    32-byte keys, tables of 1 M and 16 M entries filled to 75 %, CRC32C in both; add,
#    lookup (hashed by the table and precomputed), bulk lookups of 32 and 64, misses,
#    delete.  REPS repetitions (default 5), medians; extra arguments in HASH_VS_DPDK_ARGS
#    (e.g. "-k 16 -e 1048576").  It exits 1 if either library misses a key.
# 2. With AUTOTEST=1 (slow: about 5 minutes per run): Sluice's hash_perf -q and DPDK's
#    hash_perf_autotest alternately, RUNS times each (default 3), medians.
#    Both print DPDK's result layout; the cases compared are DPDK's "ELEMENTS IN PRIMARY
#    OR SECONDARY LOCATION" ones without locks (ordinary cuckoo insertion): a table of
#    2^19 entries filled to 75 %, per key size: cycles per add, per lookup (5 shuffled
#    passes), per key of bulk lookups of 16, per delete.  DPDK's hash function there is
#    rte_jhash, Sluice's is CRC32C: the "precomputed hash" tables compare the tables
#    alone.  DPDK runs as: dpdk-test --no-huge -m 4096 -l 0 --no-pci (no hugepages, one
#    core).
# Both libraries use 4 KiB pages, unless HUGEPAGES=N (e.g. 1600): then N 2 MiB pages are
# reserved and a hugetlbfs mounted for the run, both libraries use them, and the old count
# is restored on exit.
# Timing runs on a shared machine: wrap in `flock /tmp/bench.lock`.
set -eu
. "$(dirname "$0")/../lib.sh"

build=${1:?usage: compare.sh BUILD_DIR}
runs=${RUNS:-3}
reps=${REPS:-5}
perf="$build/bench/hash/hash_perf"
vs="$build/bench/hash/hash_vs_dpdk"
[ -x "$perf" ] || { echo "compare.sh: $perf not found; build it: ninja -C $build bench/hash/hash_perf" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'hugepages_off; rm -rf "$tmp"' EXIT

same_pages "$tmp/huge"
dpdk_mem="$dpdk_pages -m 4096"
[ -z "${HUGEPAGES:-}" ] || dpdk_mem="$dpdk_pages -m 2048"

echo "## Side by side in one process: \`$vs -r $reps $pages_arg ${HASH_VS_DPDK_ARGS:-}\`"
echo
echo "$(machine)."
if [ -x "$vs" ]; then
	dpdk_mib=3072
	[ -n "${HUGEPAGES:-}" ] && dpdk_mib=2048
	# shellcheck disable=SC2086
	"$vs" -r "$reps" -m "$dpdk_mib" $pages_arg ${HASH_VS_DPDK_ARGS:-} 2>"$tmp/vs.err" || {
		cat "$tmp/vs.err" >&2
		echo "compare.sh: hash_vs_dpdk failed" >&2
		exit 1
	}
else
	echo "compare.sh: $vs not built (needs libdpdk: apt-get install dpdk-dev)" >&2
fi
if [ "${AUTOTEST:-0}" != 1 ]; then
	echo
	echo "(AUTOTEST=1 adds the hash_perf vs dpdk-test hash_perf_autotest tables.)"
	exit 0
fi
echo
echo "## hash_perf vs dpdk-test hash_perf_autotest"
echo

have_dpdk_test

i=1
while [ "$i" -le "$runs" ]; do
	echo "run $i/$runs: sluice" >&2
	"$perf" -q >"$tmp/sl.$i" 2>"$tmp/sl.$i.err" || { cat "$tmp/sl.$i.err" >&2; exit 1; }
	if [ "$have_dpdk" = 1 ]; then
		echo "run $i/$runs: dpdk" >&2
		# shellcheck disable=SC2086
		echo hash_perf_autotest | timeout 3600 dpdk-test $dpdk_mem -l 0 --no-pci \
			--file-prefix "slhash$$" >"$tmp/dp.$i" 2>&1 || true
		grep -q "Test OK" "$tmp/dp.$i" || echo "compare.sh: dpdk-test run $i failed (see below)" >&2
		grep -q "Test OK" "$tmp/dp.$i" || tail -5 "$tmp/dp.$i" >&2
	fi
	i=$((i + 1))
done

# One line per figure: source<TAB>data<TAB>hash<TAB>keysize<TAB>op<TAB>cycles, from the
# lock-free "PRIMARY OR SECONDARY" section only.
extract() {
	awk -v src="$1" '
		/With locks in the code/ { locks = 1 }
		/EXTENDABLE BUCKETS/ { done = 1 }
		/ELEMENTS IN PRIMARY OR SECONDARY LOCATION/ { on = !locks }
		/ELEMENTS IN PRIMARY LOCATION/ && !/SECONDARY/ { on = 0 }
		/Operations without data/ { data = "no data" }
		/Operations with 8-byte data/ { data = "8-byte data" }
		/Without pre-computed hash/ { hash = "hashed by the table" }
		/With pre-computed hash/ { hash = "precomputed hash" }
		on && !done && NF == 5 && $1 ~ /^[0-9]+$/ {
			split("Add Lookup Lookup_bulk Delete", ops, " ")
			for (k = 1; k <= 4; k++)
				printf "%s\t%s\t%s\t%s\t%s\t%s\n", src, data, hash, $1, ops[k], $(k + 1)
		}' "$2"
}
for f in "$tmp"/sl.[0-9]*; do case $f in *.err) ;; *) extract sl "$f" ;; esac; done >"$tmp/all"
if [ "$have_dpdk" = 1 ]; then
	for f in "$tmp"/dp.[0-9]*; do extract dp "$f"; done >>"$tmp/all"
fi

echo "Medians of $runs runs; $(machine);"
echo "cycles per operation, Sluice / DPDK (ratio Sluice/DPDK; below 1 means Sluice is faster)."
awk -F '\t' "$MEDIAN_AWK"'
	{
		tab = $2 ", " $3
		if (!(tab in seen_tab)) { seen_tab[tab] = 1; tabs[++nt] = tab }
		if (!(($2, $3, $4) in seen_row)) { seen_row[$2, $3, $4] = 1; rows[tab] = rows[tab] " " $4 }
		vals[$1, $2, $3, $4, $5] = vals[$1, $2, $3, $4, $5] " " $6
	}
	END {
		nops = split("Add Lookup Lookup_bulk Delete", ops, " ")
		for (t = 1; t <= nt; t++) {
			tab = tabs[t]; split(tab, dh, ", ")
			printf "\n### %s\n\n", tab
			print "| key bytes | add | lookup | bulk lookup (16) | delete |"
			print "|---:|---:|---:|---:|---:|"
			nr = split(rows[tab], keys, " ")
			for (r = 1; r <= nr; r++) {
				line = "| " keys[r] " |"
				for (o = 1; o <= nops; o++) {
					s = median(vals["sl", dh[1], dh[2], keys[r], ops[o]])
					d = median(vals["dp", dh[1], dh[2], keys[r], ops[o]])
					cell = (s == "" ? "-" : sprintf("%.0f", s)) " / " (d == "" ? "-" : sprintf("%.0f", d))
					if (s != "" && d != "" && d + 0 > 0) {
						cell = cell sprintf(" (%.2f)", s / d)
						lr[o] += log(s / d); nr_[o]++
					}
					line = line " " cell " |"
				}
				print line
			}
		}
		printf "\nGeometric mean of the ratios over all rows:"
		for (o = 1; o <= nops; o++)
			if (nr_[o]) printf " %s %.2f;", ops[o], exp(lr[o] / nr_[o])
		printf "\n"
	}' "$tmp/all"
