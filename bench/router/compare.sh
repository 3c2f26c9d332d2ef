#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# bench/run.sh's entry point (bench/<name>/compare.sh BUILD_DIR): the router comparison,
# bench/router/run.sh (see bench/router/README.md).  QUICK=1 passes --quick.
set -eu
build=${1:?usage: compare.sh BUILD_DIR}
if [ "${QUICK:-0}" = 1 ]; then
	exec "$(dirname "$0")/run.sh" "$build" --quick
fi
exec "$(dirname "$0")/run.sh" "$build"
