# SPDX-License-Identifier: BSD-3-Clause
# Shared by bench/*/compare.sh (POSIX sh; source it):
#   median FILE       the median of the numbers in FILE, one per line (0 when empty)
#   MEDIAN_AWK        the same as an awk function, median(list) of a space-separated list,
#                     to put in front of a program: awk "$MEDIAN_AWK"'{ ... }'
#   machine           "CPU model, N cores", for table captions
#   have_dpdk_test    sets have_dpdk to 1 when dpdk-test is installed, else to 0 with a note

median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { if (NR == 0) print 0; else print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

MEDIAN_AWK='
	function median(list,    a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		if (n == 0) return ""
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
'

machine() { echo "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"; }

have_dpdk_test() {
	have_dpdk=0
	if command -v dpdk-test >/dev/null 2>&1; then
		have_dpdk=1
	else
		echo "compare.sh: dpdk-test not found (apt-get install dpdk-dev); Sluice figures only" >&2
	fi
}
