#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Builds a fuzzer with clang (libFuzzer + ASan + UBSan) from the library sources and runs
# it for a bounded time.  Exits non-zero when the fuzzer finds a crash, a sanitizer report
# or a broken property (the input is saved as crash-* in the work dir).
#
# Usage: tests/fuzz/run.sh [BUILD_OR_SRC_DIR] [SECONDS] [TARGET]
#   BUILD_OR_SRC_DIR  a meson build dir (work files go to <dir>/tests/fuzz/work) or the
#                     source tree (work files go to ${TMPDIR:-/tmp}/sluice-fuzz); default src
#   SECONDS           fuzzing time, default 60
#   TARGET            parse (default): the packet parser, fuzz_parse.c
#                     memif_ctl: the memif control channel, fuzz_memif_ctl.c (work files in
#                     <work>/memif_ctl)
#                     ndp: the router's neighbour discovery parser, fuzz_ndp.c
#                     ctl: lib/ctl's request and start-up-line parsers, fuzz_ctl.c (work
#                     files in <work>/ctl; needs libjansson-dev)
#                     telemetry: lib/telemetry's request parser, exec and replies,
#                     fuzz_telemetry.c (needs libjansson-dev)
#                     capture: lib/capture's start parameters and ring reader,
#                     fuzz_capture.c (needs libjansson-dev and libpcap-dev)
#                     vhost: net_vhost's vhost-user message handler and its data path
#                     over rings from the input, fuzz_vhost.c (work files in <work>/vhost)
#                     switch: sluice-switch's data path (app/switch/fwd.c) on net_ring
#                     and net_null ports, fuzz_switch.c (work files in <work>/switch;
#                     needs libjansson-dev)
# Environment: CLANG (default clang).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$src}
secs=${2:-60}
target=${3:-parse}
clang=${CLANG:-clang}
case $target in
parse | memif_ctl | ctl | ndp | telemetry | capture | vhost | switch) ;;
*)
	echo "fuzz: unknown target '$target'; use parse, memif_ctl, ctl, ndp, telemetry, capture, vhost or switch" >&2
	exit 2
	;;
esac
if [ -f "$dir/build.ninja" ]; then
	work=$(cd "$dir" && pwd)/tests/fuzz/work
else
	work=${TMPDIR:-/tmp}/sluice-fuzz
fi
if [ "$target" != parse ]; then
	work=$work/$target
fi
mkdir -p "$work/corpus"

if ! command -v "$clang" >/dev/null 2>&1; then
	echo "fuzz: $clang not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 77
fi

bin=$work/fuzz_$target
if [ "$target" = parse ]; then
	# Compile the library sources the parser needs directly: no pools, no hugepages.
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/lib/net" -I"$src/lib/log" -I"$src/lib/pktbuf" -I"$src/lib/pool" \
		-I"$src/lib/runtime" -I"$src/lib/memory" \
		"$src/tests/fuzz/fuzz_parse.c" "$src"/lib/net/*.c "$src/lib/log/log.c" \
		-o "$bin"
	max_len=2048
elif [ "$target" = ndp ]; then
	# The router's NDP parser (app/router/ndp_parse.c) reads only the frame: it and
	# lib/net's checksums; router.h's other headers are read for their types.
	incs=""
	for d in "$src"/lib/*/; do incs="$incs -I$d"; done
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/app/router" $incs \
		"$src/tests/fuzz/fuzz_ndp.c" "$src/app/router/ndp_parse.c" "$src"/lib/net/*.c \
		"$src/lib/log/log.c" -o "$bin"
	max_len=1600
elif [ "$target" = ctl ]; then
	# lib/ctl whole (the harness runs requests through sl_ctl_exec on a server whose
	# socket is in /tmp) and the log library; jansson from the system.
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/lib/ctl" -I"$src/lib/log" \
		"$src/tests/fuzz/fuzz_ctl.c" "$src"/lib/ctl/*.c "$src/lib/log/log.c" \
		-ljansson -o "$bin"
	max_len=8192 # past the 4096-byte word limit
elif [ "$target" = telemetry ]; then
	# lib/telemetry whole (exec needs no socket) and the log library.
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
		-Wno-missing-field-initializers \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/lib/telemetry" -I"$src/lib/log" \
		"$src/tests/fuzz/fuzz_telemetry.c" "$src"/lib/telemetry/*.c "$src/lib/log/log.c" \
		-ljansson -o "$bin"
	max_len=1100 # past the 1023-byte request limit
elif [ "$target" = capture ]; then
	# lib/capture's parameter parser and ring reader with the log library (the other
	# headers are read for their types); jansson and libpcap from the system.
	incs=""
	for d in "$src"/lib/*/; do incs="$incs -I$d"; done
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $incs \
		"$src/tests/fuzz/fuzz_capture.c" "$src/lib/capture/ring.c" \
		"$src/lib/capture/params.c" "$src/lib/log/log.c" -ljansson -lpcap -o "$bin"
	max_len=9000 # the header, two rings' counters and records
elif [ "$target" = vhost ]; then
	# The harness includes drivers/net/vhost/{net_vhost,vhost_msg}.c and provides the
	# few pool, memory and port functions they call; lib/virtio and the log library are
	# compiled in (the other headers are read for their types).
	incs=""
	for d in "$src"/lib/*/; do incs="$incs -I$d"; done
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/drivers/net/vhost" $incs \
		"$src/tests/fuzz/fuzz_vhost.c" "$src"/lib/virtio/*.c "$src/lib/log/log.c" -o "$bin"
	max_len=4096 # a handshake, guest memory writes and bursts
elif [ "$target" = switch ]; then
	# app/switch/fwd.c as it is, with the libraries it runs on (the port layer with only
	# net_ring and net_null: the harness lists the drivers) and the globals main.c has.
	# lib/hash: only crc.c (lib/fdb's bucket hash).
	# (No SL_HAVE_NUMA, SL_HAVE_METRICS: the memory and runtime libraries need neither.)
	incs=""
	for d in "$src"/lib/*/; do incs="$incs -I$d"; done
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
		-Wno-missing-field-initializers \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/app/switch" $incs \
		"$src/tests/fuzz/fuzz_switch.c" "$src/app/switch/fwd.c" \
		"$src"/lib/log/*.c "$src"/lib/telemetry/*.c "$src"/lib/memory/*.c \
		"$src"/lib/rcu/*.c "$src"/lib/runtime/*.c "$src"/lib/ring/*.c "$src"/lib/pool/*.c \
		"$src"/lib/pktbuf/*.c "$src"/lib/net/*.c "$src"/lib/fdb/*.c "$src/lib/hash/crc.c" \
		"$src/lib/port/port.c" "$src/lib/port/soft.c" "$src/lib/port/devargs.c" \
		"$src/lib/port/ifnet.c" "$src/lib/port/telemetry.c" \
		"$src/drivers/net/ring/net_ring.c" "$src/drivers/net/null/net_null.c" \
		-ljansson -o "$bin"
	max_len=4096 # a few hundred frames and events
else
	# The harness includes drivers/net/memif/memif_ctl.c; it needs only the log library
	# (the port, pool and memory headers are read for their types).
	"$clang" -g -O1 -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/drivers/net/memif" -I"$src/lib/port" -I"$src/lib/log" \
		-I"$src/lib/pktbuf" -I"$src/lib/pool" -I"$src/lib/runtime" -I"$src/lib/memory" \
		"$src/tests/fuzz/fuzz_memif_ctl.c" "$src/lib/log/log.c" \
		-o "$bin"
	max_len=8264 # 8-byte header + 64 records of 129 bytes
fi

echo "fuzz: running $bin for ${secs}s (corpus $src/tests/fuzz/corpus/$target, new inputs in $work/corpus)"
# New inputs go to the first directory; the in-tree corpus is only read.
set +e
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len \
	-print_final_stats=1 -artifact_prefix="$work/" \
	"$work/corpus" "$src/tests/fuzz/corpus/$target" 2>"$work/fuzz.log"
rc=$?
set -e
grep -E "^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ *DONE)" "$work/fuzz.log" || true
if [ $rc -ne 0 ]; then
	tail -n 60 "$work/fuzz.log" >&2
	echo "fuzz: FAILED (exit $rc); reproducer: $(ls -t "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | head -n 1)" >&2
	exit 1
fi
echo "fuzz: ok"
