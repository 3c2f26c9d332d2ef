# SPDX-License-Identifier: BSD-3-Clause
# Shared by bench/*/compare.sh (POSIX sh; source it):
#   median FILE       the median of the numbers in FILE, one per line (0 when empty)
#   MEDIAN_AWK        the same as an awk function, median(list) of a space-separated list,
#                     to put in front of a program: awk "$MEDIAN_AWK"'{ ... }'
#   machine           "CPU model, N cores", for table captions
#   have_dpdk_test    sets have_dpdk to 1 when dpdk-test is installed, else to 0 with a note
#   same_pages DIR    puts Sluice and DPDK on the same kind of page: with HUGEPAGES=N,
#                     reserves N 2 MiB pages and mounts a hugetlbfs at DIR; sets
#                     dpdk_pages (EAL options: "--no-huge" or "--huge-dir DIR --in-memory")
#                     and pages_arg ("" or "-H DIR", for the *_vs_dpdk programs); without
#                     HUGEPAGES warns when free hugepages would let Sluice-only programs
#                     use them while DPDK runs --no-huge
#   hugepages_off     undoes same_pages (safe to call when it did nothing): call it from
#                     the caller's EXIT trap

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

same_pages() { # DIR
	if [ -n "${HUGEPAGES:-}" ]; then
		hugepages_on "$HUGEPAGES" "$1"
		dpdk_pages="--huge-dir $1 --in-memory"
		pages_arg="-H $1"
	else
		hugepages_note
		dpdk_pages="--no-huge"
		pages_arg=
	fi
}

hugepages_on() { # N DIR
	huge_old=$(cat /proc/sys/vm/nr_hugepages)
	huge_dir=$2
	echo "$1" >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$1" ]; then
		echo "compare.sh: only $(cat /proc/sys/vm/nr_hugepages) of $1 hugepages could be reserved (memory fragmented?)" >&2
		return 1
	fi
	mkdir -p "$huge_dir"
	mount -t hugetlbfs -o pagesize=2M nodev "$huge_dir"
	echo "compare.sh: $1 hugepages reserved (was $huge_old), hugetlbfs at $huge_dir" >&2
}

hugepages_off() {
	[ -n "${huge_old:-}" ] || return 0
	if [ -n "${huge_dir:-}" ] && mountpoint -q "$huge_dir"; then umount "$huge_dir"; fi
	echo "$huge_old" >/proc/sys/vm/nr_hugepages || true
	huge_old=
}

hugepages_note() {
	free=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
	[ "${free:-0}" -gt 0 ] || return 0
	echo "compare.sh: note: $free hugepages are free: the Sluice-only programs will use them while dpdk-test runs --no-huge; set HUGEPAGES=N to put both on hugepages, or free them (echo 0 > /proc/sys/vm/nr_hugepages)" >&2
}
