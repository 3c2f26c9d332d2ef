#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The tree's mechanical rules, checked on every C, header, shell and meson file in git:
#   - an SPDX-License-Identifier line among the first three (C, headers, shell scripts)
#   - indentation with tabs in C (no line starting with spaces, except comment
#     continuations " *"), no trailing whitespace, no CR, lines of at most 100 columns
#     (tabs count 8) in C unless the line holds a string (messages stay whole for grep)
#   - no C file over 1,500 lines
#   - clang-format (.clang-format): every C line changed since FORMAT_BASE, the commit
#     before the layout was adopted, is as `git clang-format` leaves it.  Older lines are
#     not mass-reformatted; run `git clang-format` before committing to format yours.
# Prints one line per finding (FILE:LINE: what) and exits 1 when there is any.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
report() { echo "$1"; bad=1; }

files=$(git ls-files '*.c' '*.h' '*.sh' '*.build' 'Makefile' '.ci/run' | grep -v '^examples/.*/Makefile$')
for f in $files; do
	[ -f "$f" ] || continue
	case $f in
	*.c | *.h | *.sh)
		head -3 "$f" | grep -q 'SPDX-License-Identifier' || report "$f:1: no SPDX-License-Identifier line in the first three" ;;
	esac
	grep -n $'\r' "$f" | head -1 | sed "s|^\([0-9]*\):.*|$f:\1: carriage return|" | grep . && bad=1
	grep -n '[[:space:]]$' "$f" | head -3 | sed "s|^\([0-9]*\):.*|$f:\1: trailing whitespace|" | grep . && bad=1
	case $f in
	*.c | *.h)
		grep -n '^ \+[^ *]' "$f" | head -3 | sed "s|^\([0-9]*\):.*|$f:\1: indented with spaces (use tabs)|" | grep . && bad=1
		# Long message strings stay whole (they are grepped for); other lines wrap.
		expand -t 8 "$f" | awk -v f="$f" 'length($0) > 100 && !/"/ { printf "%s:%d: %d columns (at most 100)\n", f, NR, length($0); n++ } n == 3 { exit }' | grep . && bad=1
		n=$(wc -l <"$f")
		[ "$n" -le 1500 ] || report "$f:1: $n lines (split it: at most 1,500)" ;;
	esac
done
FORMAT_BASE=626eacf
if ! command -v git-clang-format >/dev/null; then
	report "clang-format: git-clang-format not installed (apt-get install clang-format)"
elif ! git cat-file -e "$FORMAT_BASE^{commit}" 2>/dev/null; then
	echo "lint: clang-format check skipped: commit $FORMAT_BASE not in this clone (shallow?)"
else
	out=$(git clang-format --diff --extensions c,h "$FORMAT_BASE" HEAD 2>&1)
	case $out in
	"" | *"no modified files to format"* | *"did not modify any files"*) ;;
	*) echo "$out" | head -40; report "clang-format: lines changed since $FORMAT_BASE are not formatted (run: git clang-format $FORMAT_BASE)" ;;
	esac
fi
[ $bad = 0 ] && echo "lint: $(echo "$files" | wc -w) files, no finding"
exit $bad
