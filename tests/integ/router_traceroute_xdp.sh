#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_traceroute_xdp.sh BUILD_DIR: router_traceroute.sh with net_af_xdp ports (UDP and
# ICMP traceroute, both families: hop 1 the router, hop 2 the far host).
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u
exec "$(dirname "$0")/router_traceroute.sh" "${1:?usage: $0 BUILD_DIR}" net_af_xdp
