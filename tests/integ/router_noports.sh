#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# router_noports.sh BUILD_DIR: sluice-router's start-up errors and its control plane on
# ports with no wire; no root, no network.
#   1. No --vdev: exits non-zero saying how to give ports (the message names --vdev).
#   2. Bad router options each exit non-zero with a line naming the bad value:
#      --routes4 abc, --routes6 5, --neigh-max x, --icmp-rate -1, an unknown option, a
#      stray argument.  `-- --help` prints the router's usage (exit 0); `--help` the
#      runtime's options (exit 0, --vdev among them); an option the usage text mentions
#      (--help-runtime) must work.
#   3. A start-up file that does not exist, and one with a bad line, stop the router
#      with the file (and line) named.
#   4. Two net_null ports that receive nothing (no-rx=1): the router starts, and
#      sluice-routerctl works on it: interface show (2 ports, the start-up addresses),
#      route add / get / show / del (via a gateway, blackhole, reject; route show names
#      own addresses "local"), bad requests named in their errors (a prefix with host
#      bits, an MTU of 50, a port that does not exist, a gateway off every subnet),
#      neighbour add (static) and show, route load of a file, route del of an address's
#      own /32 refused, stats (balance 0); then SIGTERM: exit 0, the socket removed.
#   After every run the runtime directory the router made is gone.
# Runs as any user.  Everything it creates is removed on every exit path.
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/router_lib.sh"
BUILD=${1:?usage: $0 BUILD_DIR}
ROUTER=$BUILD/app/router/sluice-router
ROUTERCTL=$BUILD/app/router/sluice-routerctl
[ -x "$ROUTER" ] && [ -x "$ROUTERCTL" ] || skip "$ROUTER not built (it needs jansson, libpcap and zlib)"
need_tools timeout python3
TMP=$(mktemp -d /tmp/router_noports.XXXXXX)
RT_SOCK=$TMP/router.sock
PREFIX=rtnp$$
RUNS=0
RUNDIRS=()
# the runtime directories the router left (see LEAKS), and its per-user parent under /tmp
# when that is empty then (a non-root run's /tmp/sluice-UID)
trap 'rc=$?; for d in "${RUNDIRS[@]}"; do rm -rf "$d"; case $d in /tmp/*) rmdir "$(dirname "$d")" 2>/dev/null;; esac; done; (exit $rc); sl_cleanup' EXIT

# run NAME ARGS...: sluice-router ARGS (at most 20 s); output in $TMP/NAME, status in RC;
# checks the runtime directory it named is gone afterwards
run() {
	local name=$1 dir
	shift
	RUNS=$((RUNS + 1))
	timeout 20 "$ROUTER" --no-huge --file-prefix "$PREFIX-$RUNS" -l 0 "$@" > "$TMP/$name" 2>&1
	RC=$?
	rundir_check "$name"
}
rundir_check() {
	local dir
	dir=$(sed -n 's/.*runtime dir \([^ ,]*\).*/\1/p' "$TMP/$1" | head -1)
	[ -n "$dir" ] || return 0
	case $dir in */"$PREFIX"-*) ;; *) bad "$1: runtime dir '$dir' is not this script's"; return ;; esac
	RUNDIRS+=("$dir") # (removed on exit if it is still there)
	[ -e "$dir" ] && LEAKS="${LEAKS:-} $1"
}

# 1. no ports
run noports
if [ "$RC" != 0 ] && grep -q -- "--vdev" "$TMP/noports" && grep -qi "no ports" "$TMP/noports"; then
	ok "no --vdev: exit $RC, the message tells how to give ports (--vdev)"
else
	bad "no --vdev: exit $RC: $(cat "$TMP/noports")"
fi

# 2. bad options: each names what is wrong
while read -r name want args; do
	run "$name" -- $args
	if [ "$RC" != 0 ] && [ "$RC" != 124 ] && grep -q -- "$want" "$TMP/$name"; then
		ok "$args: exit $RC, '$(grep -m1 -- "$want" "$TMP/$name")'"
	else
		bad "$args: exit $RC, no '$want' in: $(cat "$TMP/$name")"
	fi
done <<'EOF'
routes4 --routes4.abc --routes4 abc
routes6 --routes6.5 --routes6 5
neigh --neigh-max.x --neigh-max x
icmp --icmp-rate.-1 --icmp-rate -1
unknown usage: --no-such-option
stray stray --routes4 100 stray
EOF
run help -- --help
if [ "$RC" = 0 ] && grep -q -- "--startup FILE" "$TMP/help"; then
	ok "-- --help: exit 0, the router's usage"
else
	bad "-- --help: exit $RC: $(cat "$TMP/help")"
fi
run rhelp --help
if [ "$RC" = 0 ] && grep -q -- "--vdev DEV" "$TMP/rhelp"; then
	ok "--help: exit 0, the runtime options"
else
	bad "--help: exit $RC: $(head -5 "$TMP/rhelp")"
fi
if grep -q -- "--help-runtime" "$TMP/help"; then
	run hr --help-runtime
	if [ "$RC" = 0 ] && grep -q -- "--vdev" "$TMP/hr"; then
		ok "--help-runtime (the usage mentions it) lists the runtime options"
	else
		bad "the usage text says 'sluice-router --help-runtime lists them', but --help-runtime fails (exit $RC: $(head -1 "$TMP/hr")); main.c usage_text should say --help"
	fi
fi

# 3. start-up files
NULLS=(--vdev "net_null0,no-rx=1" --vdev "net_null1,no-rx=1")
run nofile "${NULLS[@]}" -- --startup "$TMP/nonexistent" --socket "$RT_SOCK"
if [ "$RC" != 0 ] && grep -q "$TMP/nonexistent" "$TMP/nofile"; then
	ok "a missing start-up file: exit $RC, named"
else
	bad "a missing start-up file: exit $RC: $(cat "$TMP/nofile")"
fi
printf 'address add 0 10.0.1.1/24\n# a comment\n\naddress add 9 10.0.9.1/24\n' > "$TMP/bad.startup"
run badline "${NULLS[@]}" -- --startup "$TMP/bad.startup" --socket "$RT_SOCK"
if [ "$RC" != 0 ] && grep -q "bad.startup:4: no port '9'" "$TMP/badline"; then
	ok "a start-up file with a bad line 4: exit $RC, '$(grep -m1 "bad.startup:4" "$TMP/badline")'"
else
	bad "a start-up file with a bad line 4: exit $RC: $(cat "$TMP/badline")"
fi
[ -e "$RT_SOCK" ] && bad "the control socket is left after a failed start"

# 4. the control plane on null ports
cat > "$TMP/startup" <<EOF
address add 0 10.0.1.1/24
address add 1 10.0.2.1/24
address add 0 2001:db8:1::1/64
address add 1 2001:db8:2::1/64
EOF
RUNS=$((RUNS + 1))
"$ROUTER" --no-huge --file-prefix "$PREFIX-$RUNS" -l 0,1 "${NULLS[@]}" -- \
	--startup "$TMP/startup" --socket "$RT_SOCK" > "$TMP/null.log" 2>&1 &
RP=$!
PIDS+=("$RP")
for i in $(seq 100); do
	[ -S "$RT_SOCK" ] && rtctl interface show > /dev/null 2>&1 && break
	kill -0 "$RP" 2>/dev/null || break
	sleep 0.1
done
rtctl interface show > /dev/null 2>&1 || { cat "$TMP/null.log"; fail "the router on null ports did not start"; }
expect_eq "interface show: ports and addresses" \
	"$(rt_get "' '.join('%d:%s' % (i['port'], ','.join(a for a in i['addresses'] if not a.startswith('fe80'))) for i in d)" interface show)" \
	"0:10.0.1.1/24,2001:db8:1::1/64 1:10.0.2.1/24,2001:db8:2::1/64"
rtctl route add 10.9.0.0/16 via 10.0.2.7 && rtctl route add 192.0.2.0/24 blackhole &&
	rtctl route add 198.51.100.0/24 reject && rtctl route add 2001:db8:9::/48 via 2001:db8:2::7 ||
	bad "route add failed"
for q in "10.9.1.1 neighbour 1" "192.0.2.1 blackhole" "198.51.100.1 reject" "2001:db8:9::1 neighbour 1" \
	"10.0.1.1 local" "10.0.1.77 connected 0" "203.0.113.1 none"; do
	set -- $q
	got=$(rt_get "('none' if d['nh'] is None else d['kind'] + (' %d' % d['port'] if d['kind'] in ('neighbour', 'connected') else ''))" route get "$1")
	expect_eq "route get $1" "$got" "${*:2}"
done
r=$(rt_get "' '.join(sorted('%s=%s' % (x['prefix'], x['nexthop']) for x in d if x['prefix'] in ('10.0.1.1/32', '2001:db8:2::1/128', '192.0.2.0/24', '198.51.100.0/24', '10.9.0.0/16')))" route show all)
want="10.0.1.1/32=local 10.9.0.0/16=via 10.0.2.7 port 1 192.0.2.0/24=blackhole 198.51.100.0/24=reject 2001:db8:2::1/128=local"
if [ "$r" = "$want" ]; then
	ok "route show: $r"
else
	bad "route show: '$r', expected '$want' (route.c rt_route_show prints nh_text's buffer, which it never fills for local, blackhole and reject routes)"
fi
# bad requests: each error names what is wrong
while read -r want cmd; do
	if ! out=$(rtctl $cmd 2>&1) && echo "$out" | grep -q -- "$want"; then
		ok "$cmd: '$out'"
	else
		bad "$cmd: no error naming '$want': $out"
	fi
done <<'EOF'
10.9.1.0/16 route add 10.9.1.0/16 via 10.0.2.7
not.on.a.connected.subnet route add 10.8.0.0/16 via 172.16.0.1
mtu.50 interface set 1 mtu 50
no.port.'7' address add 7 10.0.7.1/24
did.you.mean route ad 10.0.0.0/8 blackhole
no.route.10.77.0.0/16 route del 10.77.0.0/16
EOF
rtctl neighbour add 10.0.2.8 02:00:00:00:00:08 1 || bad "neighbour add failed"
expect_eq "neighbour show: the static one" \
	"$(rt_get "' '.join('%s %s %s' % (n['state'], n['mac'].lower(), n['port']) for n in d if n['ip'] == '10.0.2.8')" neighbour show)" \
	"static 02:00:00:00:00:08 1"
expect_eq "route get 10.0.2.8 (its host route)" "$(rt_get "d['kind']" route get 10.0.2.8)" neighbour
printf '# routes\n10.100.0.0/16 via 10.0.2.7\n10.101.0.0/16 blackhole\n2001:db8:100::/48 via 2001:db8:2::7\n' > "$TMP/routes"
expect_eq "route load: routes loaded" "$(rt_get "d['loaded']" route load "$TMP/routes")" 3
expect_eq "route get 10.101.0.1 (loaded)" "$(rt_get "d['kind']" route get 10.101.0.1)" blackhole
rtctl route del 10.9.0.0/16 && rtctl route del 2001:db8:9::/48 || bad "route del failed"
expect_eq "route get 10.9.1.1 after route del" "$(rt_get "d['nh']" route get 10.9.1.1)" None
# the routes an address owns (its /32 local route, its connected subnet) are not for
# route add/del to take: the address would stay listed with its route gone
if rtctl route del 10.0.2.1/32 > /dev/null 2>&1; then
	bad "route del 10.0.2.1/32 deleted address 10.0.2.1/24's own local route (now: $(rt_get "d['kind']" route get 10.0.2.1)); route.c rt_route_del/rt_route_set should refuse the routes an address record owns"
else
	ok "route del 10.0.2.1/32 (an address's local route) refused"
fi
expect_eq "stats: graph balance" "$(rt_get "d['graph']['balance']" stats)" 0
kill -TERM "$RP"
for i in $(seq 50); do kill -0 "$RP" 2>/dev/null || break; sleep 0.1; done
kill -0 "$RP" 2>/dev/null && { kill -KILL "$RP"; bad "the router ignored SIGTERM for 5 s"; }
wait "$RP"
expect_eq "exit status after SIGTERM" "$?" 0
PIDS=()
if [ -e "$RT_SOCK" ]; then
	bad "the control socket is left after the router stopped"
else
	ok "the control socket is gone"
fi
rundir_check null.log

if [ -n "${LEAKS:-}" ]; then
	bad "the runtime directory is left behind after:$LEAKS (main.c returns without sl_cleanup() on its error paths, and exit(0) for -- --help)"
else
	ok "no runtime directory left behind"
fi
rt_finish
