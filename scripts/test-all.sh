#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds Sluice in every configuration the project promises and runs every test in each:
#   release      default build (generic x86-64), with no hugepages and again with some
#   native       -march=native
#   asan         AddressSanitizer + UndefinedBehaviorSanitizer, with -Ddebug_checks=true
#   lint         scripts/lint.sh (counts as one test)
#   tsan         ThreadSanitizer
# Ends with one line "N passed, N failed".  Exit status 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=build
passed=0
failed=0
failures=()

log() { printf '\n=== %s\n' "$*"; }

# Adds the counts of one `meson test` run (from its JSON log) to the totals.
count() {
  local name=$1 dir=$2 ok bad
  if [ ! -f "$dir/meson-logs/testlog.json" ]; then
    failed=$((failed + 1)); failures+=("$name: no test log"); return
  fi
  ok=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = 0
names = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
        ok += t["result"] != "SKIP"
    else:
        bad += 1
        names.append(t["name"])
print(ok, bad, " ".join(n.replace(" ", "") for n in names))
PY
)
  set -- $ok
  passed=$((passed + $1))
  failed=$((failed + $2))
  shift 2
  for n in "$@"; do failures+=("$name: $n"); done
}

setup() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dtests=true -Dwerror=true "$@" >"$dir.setup.log" 2>&1 ||
      { cat "$dir.setup.log"; return 1; }
  fi
  ninja -C "$dir" >"$dir.build.log" 2>&1 || { tail -50 "$dir.build.log"; return 1; }
}

run_suite() {
  local name=$1 dir=$2; shift 2
  log "$name"
  if ! setup "$dir" "${@}"; then
    failed=$((failed + 1)); failures+=("$name: build"); return 1
  fi
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --print-errorlogs --num-processes 2 $MESON_TEST_ARGS
  count "$name" "$dir"
}

hugepages_file=/proc/sys/vm/nr_hugepages
orig_pages=$(cat $hugepages_file 2>/dev/null || echo 0)
can_toggle=no
if [ "$(id -u)" = 0 ] && [ -w $hugepages_file ] &&
   [ "$(awk '/HugePages_Total/{t=$2}/HugePages_Free/{f=$2}END{print t==f}' /proc/meminfo)" = 1 ]; then
  can_toggle=yes
fi
restore_pages() { [ $can_toggle = yes ] && echo "$orig_pages" >$hugepages_file; }
trap restore_pages EXIT

mkdir -p $root
MESON_TEST_ARGS=""

log "lint"
if scripts/lint.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("lint"); fi

[ $can_toggle = yes ] && echo 0 >$hugepages_file
if run_suite "release, no hugepages" $root/release && [ $can_toggle = yes ]; then
  echo 128 >$hugepages_file
  log "release, $(cat $hugepages_file) hugepages reserved"
  rm -f $root/release/meson-logs/testlog.json
  meson test -C $root/release --print-errorlogs --num-processes 2 --suite fast
  count "release+hugepages" $root/release
  echo 0 >$hugepages_file
fi
# The fuzzer builds itself with clang and libFuzzer whatever the build, the big suite
# (millions of routes or entries) tests sizes, not code paths, and the heavy suite (long
# interop scenarios: iperf3 through the router, route churn) tests the wiring: once is enough.
MESON_TEST_ARGS="--no-suite fuzz --no-suite big --no-suite heavy"
run_suite "native (-march=native)" $root/native -Dnative=true
# meson test sets ASAN_OPTIONS/UBSAN_OPTIONS to halt on the first error; TSan needs telling.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
# UBSan findings fail the test (by default UBSan reports and carries on).
# The fast-path debug checks (ring arguments, port/queue ids) ride along with the sanitizers.
run_suite "asan+ubsan, debug checks" $root/asan -Db_sanitize=address,undefined \
  -Dbuildtype=debugoptimized -Ddebug_checks=true \
  -Db_lundef=false -Dc_args=-fno-sanitize-recover=undefined \
  -Dc_link_args=-fno-sanitize-recover=undefined
run_suite "tsan" $root/tsan -Db_sanitize=thread -Dbuildtype=debugoptimized -Db_lundef=false

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
