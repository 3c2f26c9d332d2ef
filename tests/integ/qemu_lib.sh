# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# A tiny Linux guest for the integration scripts (source it after lib.sh; works under
# set -u and set -e).  No disk image: the host's own Debian kernel boots an initramfs built
# at test time from busybox-static and the host's virtio modules.
#   qemu_find_kernel          sets GUEST_KERNEL (vmlinuz) and GUEST_KVER (its modules dir
#                             under /lib/modules); skips when there is none.  GUEST_KERNEL
#                             in the environment picks one (its modules must be installed)
#   qemu_mod_order MOD..      the .ko files (paths under /lib/modules/$GUEST_KVER) that load
#                             MOD.. with their dependencies, dependencies first; modules
#                             built into the kernel are left out
#   qemu_initramfs DIR OUT MOD..
#                             builds the initramfs OUT (cpio newc, gzip) in the empty work
#                             directory DIR: /bin/busybox and its applets, the modules (xz,
#                             zstd and gzip ones decompressed: busybox insmod reads plain
#                             .ko only) and /init (below)
#   qemu_cmdline KEY=VALUE..  the kernel command line: the console on ttyS0, quiet, a panic
#                             ends QEMU, and the KEY=VALUEs, which the kernel hands to /init
#                             as environment variables
# The guest's /init mounts proc, sys and dev, loads the modules in order, brings lo and
# eth0 up with sl_ip (CIDR; eth0 is waited for up to 10 s), then runs
#   ping -c sl_count -i 0.2 -W 2 sl_peer
# up to sl_tries times until one round gets every reply, prints one marker line
#   GUEST-PING-OK got/count try=N uptime=S      or      GUEST-PING-FAIL got/count ...
# (or GUEST-SETUP-FAIL why) on the console and powers off.  Its other lines start with
# "guest:"; a guest that gets stuck is ended by the caller's timeout.

qemu_find_kernel() {
	local k v
	if [ -n "${GUEST_KERNEL:-}" ]; then
		[ -r "$GUEST_KERNEL" ] || skip "GUEST_KERNEL=$GUEST_KERNEL is not readable"
		v=${GUEST_KERNEL##*/vmlinuz-}
		[ -r "/lib/modules/$v/modules.dep" ] ||
			skip "no /lib/modules/$v/modules.dep for GUEST_KERNEL=$GUEST_KERNEL"
		GUEST_KVER=$v
		return 0
	fi
	GUEST_KERNEL='' GUEST_KVER=''
	# The newest readable kernel whose modules are installed (ls -v: 6.1.0-9 < 6.1.0-57).
	# shellcheck disable=SC2045 # kernel file names have no spaces; ls -v sorts versions
	for k in $(ls -v /boot/vmlinuz-* 2>/dev/null); do
		v=${k##*/vmlinuz-}
		if [ -r "$k" ] && [ -r "/lib/modules/$v/modules.dep" ]; then
			GUEST_KERNEL=$k GUEST_KVER=$v
		fi
	done
	[ -n "$GUEST_KERNEL" ] ||
		skip "no /boot/vmlinuz-* with its modules in /lib/modules (apt-get install linux-image-amd64)"
}

# modules.dep names a module by its file: kernel/drivers/net/virtio_net.ko[.xz]; a module
# named a_b may be in a file a-b.ko.
_qemu_mod_file() { # NAME -> its path in modules.dep, or nothing
	local n=${1//-/_}
	awk -F: -v n="$n" '{
		f = $1; sub(/.*\//, "", f); sub(/\.ko(\.(xz|zst|gz))?$/, "", f); gsub(/-/, "_", f)
		if (f == n) { print $1; exit }
	}' "/lib/modules/$GUEST_KVER/modules.dep"
}

qemu_mod_order() {
	local dep=/lib/modules/$GUEST_KVER/modules.dep builtin=/lib/modules/$GUEST_KVER/modules.builtin
	local -A seen=()
	local out=() m f
	_qemu_visit() { # FILE: its dependencies first, then itself
		local d
		[ -n "${seen[$1]:-}" ] && return 0
		seen[$1]=1
		for d in $(awk -F: -v f="$1" '$1 == f { print $2; exit }' "$dep"); do
			_qemu_visit "$d"
		done
		out+=("$1")
	}
	for m in "$@"; do
		f=$(_qemu_mod_file "$m")
		if [ -z "$f" ]; then
			if [ -r "$builtin" ] && grep -Eq "/${m//_/[-_]}\.ko$" "$builtin"; then
				continue # built into this kernel
			fi
			echo "qemu_mod_order: no module $m for kernel $GUEST_KVER" >&2
			return 1
		fi
		_qemu_visit "$f"
	done
	printf '%s\n' "${out[@]}"
}

qemu_initramfs() {
	local dir=$1 img=$2 root m base n=0
	shift 2
	root=$dir/root
	mkdir -p "$root"/{bin,dev,proc,sys,lib/modules,tmp} || return 1
	ln -s bin "$root/sbin"
	cp /bin/busybox "$root/bin/busybox" || return 1
	for m in $("$root/bin/busybox" --list); do
		[ "$m" = busybox ] || ln -s busybox "$root/bin/$m"
	done
	# The modules, numbered in load order: 00-virtio_ring.ko ...
	local mods
	mods=$(qemu_mod_order "$@") || return 1
	for m in $mods; do
		base=${m##*/}
		base=$(printf '%02d-%s' "$n" "${base%%.ko*}.ko")
		n=$((n + 1))
		case $m in
		*.ko) cp "/lib/modules/$GUEST_KVER/$m" "$root/lib/modules/$base" ;;
		*.ko.xz) xz -dc "/lib/modules/$GUEST_KVER/$m" >"$root/lib/modules/$base" ;;
		*.ko.zst) zstd -qdc "/lib/modules/$GUEST_KVER/$m" >"$root/lib/modules/$base" ;;
		*.ko.gz) gzip -dc "/lib/modules/$GUEST_KVER/$m" >"$root/lib/modules/$base" ;;
		*) echo "qemu_initramfs: cannot read module $m" >&2; return 1 ;;
		esac || { echo "qemu_initramfs: cannot copy or decompress $m" >&2; return 1; }
	done
	cat >"$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
: "${sl_ip:=192.168.77.2/24}" "${sl_peer:=192.168.77.1}" "${sl_count:=5}" "${sl_tries:=4}"
up() { cut -d' ' -f1 /proc/uptime; }
echo "guest: init at uptime $(up)"
bye() { echo "$*"; sync; poweroff -f; sleep 5; exit 1; }
for m in /lib/modules/*.ko; do
	insmod "$m" || bye "GUEST-SETUP-FAIL insmod $m"
done
i=0
while [ ! -e /sys/class/net/eth0 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || bye "GUEST-SETUP-FAIL no eth0 ($(ls /sys/class/net | tr '\n' ' '))"
	sleep 0.1
done
ip link set lo up
ip addr add "$sl_ip" dev eth0 || bye "GUEST-SETUP-FAIL ip addr add $sl_ip"
ip link set eth0 up || bye "GUEST-SETUP-FAIL ip link set eth0 up"
echo "guest: eth0 $(cat /sys/class/net/eth0/address) up at uptime $(up)," \
	"carrier $(cat /sys/class/net/eth0/carrier 2>/dev/null)," \
	"features $(cat /sys/bus/virtio/devices/*/features 2>/dev/null | tr '\n' ' ')"
t=1 got=0
while [ $t -le "$sl_tries" ]; do
	out=$(ping -c "$sl_count" -i 0.2 -W 2 "$sl_peer" 2>&1)
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	echo "guest: try $t: ${got:-0}/$sl_count replies"
	[ "${got:-0}" = "$sl_count" ] && bye "GUEST-PING-OK $got/$sl_count try=$t uptime=$(up)"
	t=$((t + 1))
done
echo "$out" | sed 's/^/guest: /'
ip neigh | sed 's/^/guest: neigh /'
bye "GUEST-PING-FAIL ${got:-0}/$sl_count tries=$sl_tries uptime=$(up)"
EOF
	chmod 755 "$root/init"
	if command -v cpio >/dev/null; then
		(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$img"
	else
		(cd "$root" && find . | LC_ALL=C sort | ./bin/busybox cpio -o -H newc) | gzip -1 >"$img"
	fi
}

qemu_cmdline() {
	# ipv6.disable: the guest sends only ARP and IPv4.  mitigations=off, no_timer_check and
	# tsc=reliable shave a few seconds off a boot under TCG.
	echo "console=ttyS0 quiet loglevel=3 panic=-1 oops=panic ipv6.disable=1 mitigations=off" \
		"no_timer_check tsc=reliable nokaslr rdinit=/init $*"
}
