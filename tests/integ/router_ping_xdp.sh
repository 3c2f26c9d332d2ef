#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_ping_xdp.sh BUILD_DIR: router_ping.sh with net_af_xdp ports (XDP in the kernel's
# choice of mode, native on veth): ping across and to the router in both families,
# neighbours, TCP, the accounting; the XDP programs are on both router ports while it
# runs and gone after it stopped.  The hosts' veths send complete checksums (tx offload
# off, router_lib.sh): net_af_xdp, unlike net_af_packet, cannot complete the partial
# ones the kernel leaves to an offload, so TCP through it needs that.
# Needs root (exits 77 otherwise).  Everything it creates is removed on every exit path.
set -u
# (router_lib.sh's rt_start skips when the build has no net_af_xdp)
exec "$(dirname "$0")/router_ping.sh" "${1:?usage: $0 BUILD_DIR}" net_af_xdp
