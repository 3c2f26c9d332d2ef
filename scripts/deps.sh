#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs the Debian packages Sluice needs that are missing.  Usage: deps.sh [build|test|bench]
set -eu
need="gcc make meson ninja-build pkg-config libnuma-dev libcmocka-dev libpcap-dev libxdp-dev libbpf-dev libedit-dev libjansson-dev libmicrohttpd-dev"
case "${1:-build}" in
  # dpdk-dev ships dpdk-testpmd (the memif tests' peer) and dpdk-telemetry.py; prometheus
  # ships promtool and the server the metrics test scrapes with; qemu-system-x86,
  # busybox-static and linux-image-amd64 boot the vhost-user guest, openvswitch-switch-dpdk
  # is the vhost-user switch the virtio-user test goes through.
  test)  need="$need clang libclang-rt-14-dev tshark tcpdump iproute2 iputils-ping iputils-tracepath traceroute iperf3 ethtool python3 dpdk-dev clang-format git prometheus tmux curl qemu-system-x86 busybox-static linux-image-amd64 openvswitch-switch-dpdk" ;;
  # dpdk-doc ships DPDK's example sources: bench/router builds l3fwd and l3fwd-graph from them.
  bench) need="$need dpdk-dev dpdk-doc" ;;
esac
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing packages:$missing; install them with: sudo apt-get install$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
