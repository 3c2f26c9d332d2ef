#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The OpenStack/oVirt data path with OVS-DPDK as the switch: two vhost-user frontends
# exchange packets through a private Open vSwitch (userspace datapath):
#   sender (virtio-user, server=1) == vhu1.sock == OVS port 1 (dpdkvhostuserclient)
#     -> flow in_port=1,actions=output:2 ->
#   OVS port 2 (dpdkvhostuserclient) == vhu2.sock == receiver (virtio-user, server=1)
# OVS is the vhost-user client (the non-deprecated port type); the frontends listen.
# Every packet is accounted for: the sender's TX-packets = OVS port 1 rx = the flow's
# n_packets = OVS port 2 tx (+ 0 dropped) = the receiver's RX-packets.  The counters are
# read after the sender stopped and OVS and the receiver drained, while both frontends are
# still connected (a vhost port's counters read "?" once its frontend is gone).
#
# Environment:
#   VHOST_FRONTEND=sluice|testpmd  who the frontends are (default sluice):
#       testpmd  dpdk-testpmd txonly -> OVS -> dpdk-testpmd rxonly
#       sluice   $BUILD/tests/unit/memif/memif_peer (net_virtio_user, server=1) in both
#                roles, testpmd on the other side:
#                  a) Sluice sends exactly VHOST_COUNT -> OVS -> testpmd rxonly
#                  a2) the same with VHOST_RATE_COUNT, timed; OVS may drop (testpmd
#                      receives slower than OVS forwards), every drop accounted for
#                  b) testpmd txonly -> OVS -> Sluice receives and checks the template
#                  c) Sluice sends exactly 4000 -> OVS -> Sluice receives them
#                     all, each checked as the sender's frame, in sequence (rxseq)
#                The test fails, not skips, while memif_peer or its virtio-user is missing.
#   VHOST_COUNT=N            packets Sluice sends in a) (default 30000: at most the 32768
#                            of testpmd's receive ring, so none can be dropped)
#   VHOST_RATE_COUNT=N       packets Sluice sends in a2), timed (default 1000000)
#   VHOST_SEND_SECONDS=S     how long testpmd's txonly sends (default 3)
#   VHOST_SOCKET_MEM=MB      OVS's dpdk-socket-mem (and socket-limit), default 128; the
#                            test reserves MB/2 2 MiB hugepages more than there are
#   VHOST_DEPS_WAIT=S        when no OVS-DPDK is installed and /tmp/deps.done does not
#                            exist yet, wait up to S seconds for it (default 300)
# OVS runs from $TMP only: its own conf.db (ovsdb-tool create), db socket, pid files,
# control sockets, logs (OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR), DPDK --in-memory with its own
# --file-prefix, and in its own network namespace (the bridge's internal port is a tap).
# It never touches /var/run/openvswitch or the system service.  The DPDK-enabled binary is
# run by its path (update-alternatives may point ovs-vswitchd at the non-DPDK one).
# Cores (2): OVS's PMD thread and the sender's forwarding lcore share core 1 (a busy-polling
# sender such as testpmd then paces OVS: no more per time slice than its 1024-entry ring
# holds), the receiver polls alone on core 0 with a larger ring (testpmd 32768, Sluice 4096):
# OVS does not find it full even when the receiver is preempted for a while.  Sluice's
# sender sleeps when its ring is full, so OVS outruns testpmd's receiver: hence a) sends no
# more than that ring holds, and a2) (timed) accepts counted drops.
# The frontends use ordinary memory (testpmd --no-huge: virtio-user shares its memfds with
# OVS); only OVS takes hugepages.  With OVS's --in-memory no hugetlbfs mount is needed
# (DPDK 22.11 uses hugetlb memfds); one is made under $TMP anyway when there is none.
# Usage: vhost_ovs.sh BUILD_DIR (root).  Exit 77 (skip) when not root or OVS-DPDK,
# dpdk-testpmd or hugepages are not available.
set -u
build=${1:?usage: vhost_ovs.sh BUILD_DIR}
frontend=${VHOST_FRONTEND:-sluice}
count=${VHOST_COUNT:-30000}
rate_count=${VHOST_RATE_COUNT:-1000000}
send_s=${VHOST_SEND_SECONDS:-3}
socket_mem=${VHOST_SOCKET_MEM:-128}
peer=$build/tests/unit/memif/memif_peer
vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
schema=/usr/share/openvswitch/vswitch.ovsschema
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

. "$(dirname "$0")/lib.sh"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
T0=$(now)

need_root
case $frontend in testpmd | sluice) ;; *) fail "VHOST_FRONTEND=$frontend: want testpmd or sluice" ;; esac
if [ ! -x "$vswitchd" ] && [ ! -e /tmp/deps.done ]; then
	echo "no $vswitchd yet: waiting up to ${VHOST_DEPS_WAIT:-300} s for /tmp/deps.done"
	for _ in $(seq $((${VHOST_DEPS_WAIT:-300} * 2))); do
		[ -e /tmp/deps.done ] && break
		sleep 0.5
	done
fi
[ -x "$vswitchd" ] || skip "$vswitchd not installed (apt-get install openvswitch-switch-dpdk)"
[ -r "$schema" ] || skip "$schema missing (apt-get install openvswitch-common)"
need_tools ovsdb-tool ovsdb-server ovs-vsctl ovs-ofctl ovs-appctl dpdk-testpmd timeout stdbuf taskset awk ip
[ -w "$hp" ] || skip "no 2 MiB hugepages here ($hp)"
[ "$(nproc)" -ge 2 ] || skip "needs 2 cores (OVS's PMD thread on core 1)"
if [ "$frontend" = sluice ] && [ ! -x "$peer" ]; then
	fail "the Sluice vhost-user frontend is not there: $peer is not built (VHOST_FRONTEND=testpmd runs testpmd on both ends)"
fi

TMP=$(mktemp -d /tmp/sluice-vhost-ovs.$$.XXXX)
work=$TMP
export OVS_RUNDIR=$TMP/run OVS_DBDIR=$TMP/db OVS_LOGDIR=$TMP/log OVS_SYSCONFDIR=$TMP/etc
mkdir -p "$OVS_RUNDIR" "$OVS_DBDIR" "$OVS_LOGDIR" "$OVS_SYSCONFDIR"
LOG_DIRS=("$OVS_LOGDIR") # fail_logs shows OVS's logs too
. "$(dirname "$0")/testpmd_lib.sh"
db=unix:$OVS_RUNDIR/db.sock
vsctl() { timeout 15 ovs-vsctl --db="$db" --timeout=10 "$@"; }
br=slovs$$ # also the name of the bridge's internal port (a tap, in $ns)
ofctl() { timeout 10 ovs-ofctl "$@"; }
prefix=sluice_vhost_ovs_$$
ns=slovs$$
nsexec=()
ovsdb_pid='' vswitchd_pid='' hp_added=0 hp_mount=''

# On every exit: OVS asked to leave (its control sockets), then what lib.sh does (kill
# PIDS, delete $ns, remove $TMP); the hugepages go back and our hugetlbfs mount goes
# once the processes that used them are gone.
vo_cleanup() {
	local rc=$? p n
	exec 3>&-
	[ -n "$vswitchd_pid" ] && timeout 5 ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.ctl" exit >/dev/null 2>&1
	[ -n "$ovsdb_pid" ] && timeout 5 ovs-appctl -t "$OVS_RUNDIR/ovsdb-server.ctl" exit >/dev/null 2>&1
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=()
	if [ "$hp_added" -gt 0 ]; then
		# Relative, not the saved absolute count: another test may have changed it since.
		n=$(($(cat "$hp") - hp_added))
		echo $((n < 0 ? 0 : n)) >"$hp"
	fi
	if [ -n "$hp_mount" ]; then umount "$hp_mount" 2>/dev/null || umount -l "$hp_mount"; fi
	(exit $rc)
	sl_cleanup
}
trap vo_cleanup EXIT

# --- hugepages: OVS-DPDK needs them (the frontends do not) ---
hp_prev=$(cat "$hp")
hp_need=$((socket_mem / 2 + 8))
echo $((hp_prev + hp_need)) >"$hp" 2>/dev/null
hp_now=$(cat "$hp")
hp_added=$((hp_now - hp_prev))
[ "$hp_added" -ge "$hp_need" ] ||
	skip "could reserve only $hp_added of $hp_need 2 MiB hugepages (had $hp_prev)"
if ! awk '$3 == "hugetlbfs" && ($4 !~ /pagesize=/ || $4 ~ /pagesize=2M/) { f = 1 } END { exit !f }' /proc/mounts; then
	hp_mount=$TMP/hugepages
	mkdir -p "$hp_mount"
	mount -t hugetlbfs -o pagesize=2M nodev "$hp_mount" || { hp_mount=; fail "cannot mount hugetlbfs"; }
fi
echo "hugepages: $hp_prev -> $hp_now (2 MiB)${hp_mount:+, hugetlbfs mounted on $hp_mount}"

# --- a private OVS ---
t_ovs=$(now)
if ip netns add "$ns" 2>/dev/null; then
	SL_NETNS+=("$ns")
	nsexec=(ip netns exec "$ns")
fi
ovsdb-tool create "$OVS_DBDIR/conf.db" "$schema" || fail "ovsdb-tool create failed"
timeout -k 5 120 ovsdb-server "$OVS_DBDIR/conf.db" --remote="punix:$OVS_RUNDIR/db.sock" \
	--pidfile="$OVS_RUNDIR/ovsdb-server.pid" --unixctl="$OVS_RUNDIR/ovsdb-server.ctl" \
	--log-file="$OVS_LOGDIR/ovsdb-server.log" --no-chdir -vconsole:off \
	</dev/null >"$OVS_LOGDIR/ovsdb-server.out" 2>&1 &
ovsdb_pid=$!
PIDS+=("$ovsdb_pid")
wait_path "$OVS_RUNDIR/db.sock" 5
vsctl --no-wait init || fail_logs "ovsdb-server did not come up"
# 2 cores: OVS's non-PMD threads on core 0, its one PMD thread on core 1.
vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
	other_config:dpdk-socket-mem="$socket_mem" other_config:dpdk-socket-limit="$socket_mem" \
	other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
	other_config:dpdk-extra="--file-prefix $prefix --no-pci" ||
	fail_logs "cannot configure OVS"
timeout -k 5 120 "${nsexec[@]}" "$vswitchd" "$db" --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
	--unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" --log-file="$OVS_LOGDIR/ovs-vswitchd.log" \
	--no-chdir -vconsole:off </dev/null >"$OVS_LOGDIR/ovs-vswitchd.out" 2>&1 &
vswitchd_pid=$!
PIDS+=("$vswitchd_pid")
vlog=$OVS_LOGDIR/ovs-vswitchd.log
for _ in $(seq 150); do
	[ "$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] && break
	kill -0 "$vswitchd_pid" 2>/dev/null || break
	grep -q "DPDK not supported" "$vlog" 2>/dev/null && skip "$vswitchd has no DPDK"
	sleep 0.1
done
[ "$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] ||
	fail_logs "OVS-DPDK did not initialise (hugepages free: $(awk '/HugePages_Free/ {print $2}' /proc/meminfo))"
vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev fail_mode=secure \
	-- add-port "$br" vhu1 -- set Interface vhu1 type=dpdkvhostuserclient \
	options:vhost-server-path="$work/vhu1.sock" ofport_request=1 \
	-- add-port "$br" vhu2 -- set Interface vhu2 type=dpdkvhostuserclient \
	options:vhost-server-path="$work/vhu2.sock" ofport_request=2 ||
	fail_logs "cannot make the bridge and its vhost-user ports"
for p in 1 2; do
	[ "$(vsctl get Interface vhu$p ofport)" = $p ] || fail_logs "vhu$p is not OpenFlow port $p"
done
{ ofctl del-flows "$br" && ofctl add-flow "$br" in_port=1,actions=output:2; } ||
	fail_logs "cannot set the flows"
t_ovs=$(since "$t_ovs")
echo "OVS-DPDK up in $t_ovs s: bridge $br (netdev), vhu1/vhu2 dpdkvhostuserclient$([ ${#nsexec[@]} -gt 0 ] && echo ", in netns $ns")"

# --- counters ---
# "RX TX DROP" of OVS port $1 (tx drop) from ovs-ofctl dump-ports (read live, unlike the
# Interface statistics column, which OVS refreshes every 5 s).
ovs_port() {
	ofctl dump-ports "$br" "$1" | tr ',' ' ' | awk '
		/rx pkts=/ { for (i = 1; i <= NF; i++) if ($i ~ /^pkts=/) { sub("pkts=", "", $i); rx = $i } }
		/tx pkts=/ { for (i = 1; i <= NF; i++) { if ($i ~ /^pkts=/) { sub("pkts=", "", $i); tx = $i }
			if ($i ~ /^drop=/) { sub("drop=", "", $i); d = $i } } }
		END { print rx, tx, d }'
}
ovs_flow() { ofctl dump-flows "$br" in_port=1 | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' | head -n 1; }
ovs_snap() { # VAR: "p1rx p2tx p2drop flow"
	local a b c
	read -r a _ _ < <(ovs_port 1)
	read -r _ b c < <(ovs_port 2)
	printf -v "$1" '%s %s %s %s' "$a" "$b" "$c" "$(ovs_flow)"
}
# Until port 1's rx stops moving (OVS drained the sender's ring) and port 2 accounts for it.
ovs_drain() {
	local prev='' cur
	for _ in $(seq 30); do
		sleep 0.2
		ovs_snap cur
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
	done
}
# Last testpmd statistics in log $1: field $2 of the last line with $3 and $4
tp_stat() { grep -a "$3" "$1" | grep -a -- "$4" | tail -n 1 | awk -v f="$2" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }'; }
is_num() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
# Waits for testpmd's next periodic statistics in log $1 (the NIC counters are printed
# there only), so that they are at least as new as the moment of the call.
tp_fresh() {
	local n
	n=$(grep -ac "Port statistics" "$1")
	for _ in $(seq 30); do
		[ "$(grep -ac "Port statistics" "$1")" -gt "$n" ] && { sleep 0.1; return 0; }
		sleep 0.1
	done
	return 1
}
# Receiver testpmd's count: its NIC RX-packets (fresh periodic statistics) must equal its
# forward statistics at the stop; sets recv.  $1 log, $2 leg.
tp_rx_stop() {
	local nic fwd
	tp_fresh "$1" || fail_logs "$2) testpmd receiver printed no statistics"
	nic=$(tp_stat "$1" RX-packets: RX-packets: RX-missed)
	tp_stop "$rxp"
	fwd=$(tp_stat "$1" RX-packets: RX-packets: RX-total)
	[ "$fwd" = "$nic" ] || fail_logs "$2) testpmd receiver: port RX-packets $nic, forward statistics $fwd"
	recv=$fwd
}
# Waits until OVS says the frontend on socket $1 is ready ($2: how many times, counting
# the earlier connections on that socket); gives up early when process $3 (the frontend)
# is gone.
ovs_ready() {
	for _ in $(seq 100); do
		[ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null && return 1
		if [ "$(grep -ac "vHost Device '$1' has been added" "$vlog")" -ge "$2" ]; then
			sleep 0.2 # OVS reconfigures the port (its mempool) right after
			! grep -aq "Failed to set interface" "$vlog" && return 0
			fail_logs "OVS could not set up its port for $1 (dpdk-socket-mem $socket_mem too small?)"
		fi
		sleep 0.1
	done
	return 1
}

# --- frontends ---
# Receiver on core 0 (its forwarding lcore), sender's forwarding lcore on core 1 (with
# OVS's PMD), 1024 entries.  The receiver's ring: 32768 entries for testpmd (it absorbs ~10
# ms of OVS forwarding while the receiver is preempted), 4096 for Sluice (memif_peer's pool
# holds 8191 buffers).
RX_VDEV="net_virtio_user0,path=$work/vhu2.sock,server=1,queues=1"
TX_VDEV="net_virtio_user0,path=$work/vhu1.sock,server=1,queues=1,queue_size=1024"

# testpmd receiver (rxonly), log $1: pid in $rxp
rx_testpmd() {
	rm -f "$work/vhu2.sock"
	timeout -k 3 40 stdbuf -oL dpdk-testpmd --no-huge -m 256 -l 0-1 --main-lcore 1 --no-pci \
		--file-prefix "${prefix}_rx" --vdev "$RX_VDEV,queue_size=32768" -- \
		--total-num-mbufs 40960 --rxd 32768 --txd 512 --forward-mode=rxonly --auto-start --stats-period 1 \
		</dev/null >"$1" 2>&1 &
	rxp=$!
	PIDS+=("$rxp")
}
# testpmd sender (txonly, interactive on fifo fd 3), log $1: pid in $txp
tx_testpmd() {
	rm -f "$work/vhu1.sock" "$work/tx.in"
	mkfifo "$work/tx.in"
	timeout -k 3 40 stdbuf -oL dpdk-testpmd --no-huge -m 256 -l 0-1 --main-lcore 0 --no-pci \
		--file-prefix "${prefix}_tx" --vdev "$TX_VDEV" -- --total-num-mbufs 8192 \
		--txd 1024 --rxd 256 --forward-mode=txonly -i <"$work/tx.in" >"$1" 2>&1 &
	txp=$!
	PIDS+=("$txp")
	exec 3>"$work/tx.in"
}
# Stops testpmd $1 with SIGINT (it prints its statistics) and waits for it.
tp_stop() {
	kill -INT "$1" 2>/dev/null
	tp_wait "$1"
}

# One run: prints the counts, checks that everything adds up.  $1 = leg name, then the
# numbers: sent (sender), b4/af = ovs_snap before and after, recv (receiver), seconds the
# sending took; $7 = lossy: OVS may drop on port 2 (a throughput run), every packet must
# still be accounted for.
check_counts() {
	local leg=$1 sent=$2 recv=$5 secs=$6 lossy=${7:-} i1 o2 d2 fl x
	local -a bn an
	read -r -a bn <<<"$3"
	read -r -a an <<<"$4"
	for x in "$sent" "$recv" "${bn[@]}" "${an[@]}"; do
		is_num "$x" || fail_logs "$leg) a counter could not be read (sent '$sent', received '$recv', OVS before '$3', after '$4')"
	done
	i1=$((an[0] - bn[0])) o2=$((an[1] - bn[1])) d2=$((an[2] - bn[2])) fl=$((an[3] - bn[3]))
	echo "$leg) sent $sent; OVS port 1 rx $i1, flow in_port=1 $fl, port 2 tx $o2 (dropped $d2); received $recv"
	awk -v n="$sent" -v r="$recv" -v s="$secs" 'BEGIN { if (s >= 0.2)
		printf "   %.2f s: %.0f packets/s sent, %.0f packets/s received\n", s, n / s, r / s
		else printf "   (sent in under 0.2 s: too short to time)\n" }'
	[ "$sent" -gt 0 ] || fail_logs "$leg) nothing was sent"
	[ "$i1" = "$sent" ] || fail_logs "$leg) OVS port 1 received $i1 of the $sent sent"
	[ "$fl" = "$sent" ] || fail_logs "$leg) the flow matched $fl of the $sent sent"
	if [ -n "$lossy" ]; then
		[ $((o2 + d2)) = "$sent" ] || fail_logs "$leg) OVS port 2 sent $o2 and dropped $d2 of the $sent"
		[ "$recv" = "$o2" ] || fail_logs "$leg) the receiver got $recv of the $o2 OVS sent"
		return 0
	fi
	[ "$d2" = 0 ] || fail_logs "$leg) OVS dropped $d2 on port 2 (receiver's ring full?)"
	[ "$o2" = "$sent" ] || fail_logs "$leg) OVS port 2 sent $o2 of the $sent"
	[ "$recv" = "$sent" ] || fail_logs "$leg) the receiver got $recv of the $sent sent"
}

# testpmd txonly for $send_s seconds on vhu1 (receiver already up on vhu2, connection
# number $1 on vhu1); sets sent, secs, b4, af (OVS counters before and after).
testpmd_send() {
	local log=$work/$2_tx.log t
	tx_testpmd "$log"
	ovs_ready "$work/vhu1.sock" "$1" "$txp" || fail_logs "$2) OVS did not connect to the sender"
	wait_for "$log" "testpmd>" 10 || fail_logs "$2) testpmd sender did not start"
	ovs_snap b4
	t=$(now)
	tp_cmd "start"
	sleep "$send_s"
	tp_cmd "stop"
	secs=$(since "$t")
	wait_for "$log" "TX-total" 5 || fail_logs "$2) testpmd sender did not stop"
	ovs_drain
	ovs_snap af
	sent=$(tp_stat "$log" TX-packets: TX-packets: TX-total)
	tp_cmd "show port stats 0"
	sleep 0.3
	nic_tx=$(tp_stat "$log" TX-packets: TX-packets: TX-errors)
	[ "$nic_tx" = "$sent" ] || fail_logs "$2) testpmd's port counted $nic_tx sent, its forward statistics $sent"
	echo "   (testpmd txonly also counted $(tp_stat "$log" TX-dropped: TX-dropped: TX-total) TX-dropped: its ring was full, never sent)"
}

# testpmd txonly -> OVS -> testpmd rxonly
leg_testpmd() {
	local leg=$1 rxlog=$work/$1_rx.log
	rx_testpmd "$rxlog"
	ovs_ready "$work/vhu2.sock" 1 "$rxp" || fail_logs "$leg) OVS did not connect to the receiver"
	wait_for "$rxlog" "Port statistics" 10 || fail_logs "$leg) testpmd receiver did not start forwarding"
	testpmd_send 1 "$leg"
	tp_rx_stop "$rxlog" "$leg"
	tp_cmd "quit"
	exec 3>&-
	tp_stop "$txp"
	# shellcheck disable=SC2154 # b4 and af: set by ovs_snap (printf -v)
	check_counts "$leg" "$sent" "$b4" "$af" "$recv" "$secs"
}

features() { # decodes the features OVS negotiated on socket $1 (label $2)
	local v p names='' bit
	local -a vn=([0]=CSUM [1]=GUEST_CSUM [2]=CTRL_GUEST_OFFLOADS [3]=MTU [5]=MAC
		[7]=GUEST_TSO4 [8]=GUEST_TSO6 [9]=GUEST_ECN [10]=GUEST_UFO [11]=HOST_TSO4
		[12]=HOST_TSO6 [13]=HOST_ECN [14]=HOST_UFO [15]=MRG_RXBUF [16]=STATUS [17]=CTRL_VQ
		[18]=CTRL_RX [19]=CTRL_VLAN [21]=GUEST_ANNOUNCE [22]=MQ [23]=CTRL_MAC_ADDR
		[24]=NOTIFY_ON_EMPTY [27]=ANY_LAYOUT [28]=RING_INDIRECT_DESC [29]=RING_EVENT_IDX
		[30]=PROTOCOL_FEATURES [32]=VERSION_1 [33]=ACCESS_PLATFORM [34]=RING_PACKED
		[35]=IN_ORDER [36]=ORDER_PLATFORM [37]=SR_IOV [38]=NOTIFICATION_DATA)
	local -a pn=([0]=MQ [1]=LOG_SHMFD [2]=RARP [3]=REPLY_ACK [4]=NET_MTU [5]=BACKEND_REQ
		[6]=CROSS_ENDIAN [7]=CRYPTO_SESSION [8]=PAGEFAULT [9]=CONFIG [10]=BACKEND_SEND_FD
		[11]=HOST_NOTIFIER [12]=INFLIGHT_SHMFD [13]=RESET_DEVICE [14]=INBAND_NOTIFICATIONS
		[15]=CONFIGURE_MEM_SLOTS [16]=STATUS)
	v=$(grep -a "($1) negotiated Virtio features" "$vlog" | tail -n 1 | sed 's/.*: //')
	p=$(grep -a "($1) negotiated Vhost-user protocol features" "$vlog" | tail -n 1 | sed 's/.*: //')
	[ -n "$v" ] || return 0
	for bit in $(seq 0 63); do
		(((v >> bit) & 1)) && names+=" ${vn[$bit]:-bit$bit}"
	done
	names+=" | protocol:"
	for bit in $(seq 0 63); do
		(((${p:-0} >> bit) & 1)) && names+=" ${pn[$bit]:-bit$bit}"
	done
	echo "   negotiated, $2: virtio $v, vhost-user protocol $p:$names"
}

case $frontend in
testpmd)
	leg_testpmd t
	;;
sluice)
	# a) Sluice sends exactly $count -> OVS -> testpmd rxonly, no more than the receiver's
	#    ring holds: none can be lost, however the receiver is scheduled;
	# a2) then $rate_count as fast as it can (OVS forwards faster than testpmd receives:
	#    OVS drops, each drop counted), to time it.
	rxlog=$work/a_rx.log
	rx_testpmd "$rxlog"
	ovs_ready "$work/vhu2.sock" 1 "$rxp" || fail_logs "a) OVS did not connect to the receiver"
	wait_for "$rxlog" "Port statistics" 10 || fail_logs "a) testpmd receiver did not start forwarding"
	rx_total=0
	for leg in a a2; do
		n=$count conn=1 stay=4 lossy=''
		[ $leg = a2 ] && n=$rate_count conn=2 stay=7 lossy=lossy
		# The receiver's count before (it is idle: no sender yet).
		tp_fresh "$rxlog" || fail_logs "$leg) testpmd receiver printed no statistics"
		r0=$(tp_stat "$rxlog" RX-packets: RX-packets: RX-missed)
		rm -f "$work/vhu1.sock"
		timeout -k 3 30 taskset -c 1 "$peer" tx "$TX_VDEV" "$n" $stay \
			>"$work/$leg.out" 2>"$work/$leg.log" &
		sl=$!
		PIDS+=("$sl")
		if ! ovs_ready "$work/vhu1.sock" $conn "$sl"; then
			reap "$sl"
			fail_logs "$leg) OVS did not connect to Sluice (memif_peer tx $TX_VDEV: exit status $?)"
		fi
		# memif_peer tx sends 1.5 s after its link is up: the counters before, while it
		# waits; then OVS's port 1 rx counter, polled, times the sending (to ~20 ms).
		ovs_snap b4
		t='' secs=0
		for _ in $(seq 400); do
			read -r p1 _ _ < <(ovs_port 1)
			if is_num "$p1" && [ "$p1" -gt "${b4%% *}" ]; then
				[ -z "$t" ] && t=$(now)
				[ $((p1 - ${b4%% *})) -ge "$n" ] && { secs=$(since "$t"); break; }
			fi
			grep -q "tx sent=" "$work/$leg.out" && [ -z "$t" ] && break
			sleep 0.02
		done
		wait_for "$work/$leg.out" "tx sent=" 20 || fail_logs "$leg) Sluice did not finish sending"
		ovs_drain
		ovs_snap af
		tp_fresh "$rxlog" || fail_logs "$leg) testpmd receiver printed no statistics"
		r1=$(tp_stat "$rxlog" RX-packets: RX-packets: RX-missed)
		reap "$sl" || fail_logs "$leg) Sluice sender failed (rc $?)"
		sent=$(sed -n 's/^tx sent=\([0-9]*\).*/\1/p' "$work/$leg.out")
		[ "$sent" = "$n" ] || fail_logs "$leg) Sluice sent '$sent', want $n"
		{ is_num "$r0" && is_num "$r1"; } || fail_logs "$leg) cannot read the receiver's counters"
		check_counts $leg "$sent" "$b4" "$af" $((r1 - r0)) "$secs" $lossy
		rx_total=$((rx_total + r1 - r0))
		[ $leg = a ] && features "$work/vhu1.sock" "Sluice tx on vhu1"
	done
	tp_rx_stop "$rxlog" a2
	[ "$recv" = "$rx_total" ] || fail_logs "a) testpmd receiver's forward statistics: $recv, its port counted $rx_total"

	# b) testpmd txonly -> OVS -> Sluice receives and checks each packet
	rm -f "$work/vhu2.sock"
	timeout -k 3 40 taskset -c 0 "$peer" rx "$RX_VDEV,queue_size=4096" $((send_s + 7)) \
		>"$work/b.out" 2>"$work/b.log" &
	sl=$!
	PIDS+=("$sl")
	if ! ovs_ready "$work/vhu2.sock" 2 "$sl"; then
		reap "$sl"
		fail_logs "b) OVS did not connect to Sluice (memif_peer rx $RX_VDEV,queue_size=4096: exit status $?)"
	fi
	testpmd_send 2 b
	tp_cmd "quit"
	exec 3>&-
	reap "$sl"
	rc=$?
	cat "$work/b.out"
	[ $rc = 0 ] || fail_logs "b) Sluice receiver reported bad packets or none (rc $rc)"
	grep -q "len=64" "$work/b.out" || fail_logs "b) packets are not testpmd's 64-byte default"
	recv=$(sed -n 's/^rx packets=\([0-9]*\).*/\1/p' "$work/b.out")
	tp_stop "$txp"
	check_counts b "$sent" "$b4" "$af" "$recv" "$secs"

	# c) Sluice -> OVS -> Sluice, the guest-to-guest path with Sluice on both ends: the
	#    receiver checks every frame is the sender's, in sequence, exactly 4000 of them: no
	#    more than its 4096-entry ring holds, so none can be lost however it is scheduled.
	rm -f "$work/vhu2.sock" "$work/vhu1.sock"
	timeout -k 3 40 taskset -c 0 "$peer" rxseq "$RX_VDEV,queue_size=4096" 4000 20 \
		>"$work/c_rx.out" 2>"$work/c_rx.log" &
	slr=$!
	PIDS+=("$slr")
	ovs_ready "$work/vhu2.sock" 3 "$slr" || fail_logs "c) OVS did not connect to the Sluice receiver"
	timeout -k 3 30 taskset -c 1 "$peer" tx "$TX_VDEV" 4000 5 \
		>"$work/c_tx.out" 2>"$work/c_tx.log" &
	sl=$!
	PIDS+=("$sl")
	ovs_ready "$work/vhu1.sock" 4 "$sl" || fail_logs "c) OVS did not connect to the Sluice sender"
	ovs_snap b4 # the sender sends 1.5 s after its link is up
	wait_for "$work/c_tx.out" "tx sent=" 20 || fail_logs "c) Sluice did not finish sending"
	ovs_drain
	ovs_snap af # the receiver stays 3 s after its last packet
	reap "$slr" || fail_logs "c) the Sluice receiver did not get exactly 4000 in sequence: $(cat "$work/c_rx.out")"
	reap "$sl" || fail_logs "c) Sluice sender failed (rc $?)"
	cat "$work/c_rx.out"
	recv=$(sed -n 's/^rx packets=\([0-9]*\).*/\1/p' "$work/c_rx.out")
	check_counts c 4000 "$b4" "$af" "$recv" 0
	;;
esac
if [ "$frontend" = sluice ]; then
	features "$work/vhu1.sock" "testpmd tx on vhu1"
	features "$work/vhu2.sock" "Sluice rx on vhu2"
else
	features "$work/vhu1.sock" "testpmd tx on vhu1"
	features "$work/vhu2.sock" "testpmd rx on vhu2"
fi
echo "PASS ($frontend frontends; OVS start $t_ovs s, total $(since "$T0") s)"
