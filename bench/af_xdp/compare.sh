#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# AF_XDP on a veth pair, txonly and rxonly, 64 B: Sluice's net_af_xdp vs DPDK's net_af_xdp,
# by the af_packet benchmark's method (see bench/af_packet/compare.sh).
#   bench/af_xdp/compare.sh BUILD_DIR
DRIVER=af_xdp exec "$(dirname "$0")/../af_packet/compare.sh" "$@"
