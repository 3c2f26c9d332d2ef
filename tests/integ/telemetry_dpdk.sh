#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK's own client, dpdk-telemetry.py (Debian's dpdk package), against two running
# sluice-fwd processes with different file prefixes:
#   - `dpdk-telemetry.py -l` discovers both prefixes;
#   - every standard command (/, /info, /help, /ethdev/*, /eal/*, /mempool/*, /ring/*) and
#     Sluice's own (/sluice/...) answers JSON with DPDK's keys, read through the unmodified
#     client while the forwarder is stopped at its prompt (-i: start, wait, stop);
#   - the values agree with the forwarder's own --json report printed at quit: per-port
#     packets and bytes, the totals and drops, the pool's size; lcore busy cycles are
#     counted (0 < busy <= total) on the forwarding lcore;
#   - bad requests answer {"CMD": null, "error": ...} and the process goes on serving.
# Usage: telemetry_dpdk.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
fwd=$1/app/fwd/sluice-fwd
[ -x "$fwd" ] || skip "$fwd not built"
need_tools python3
tel=$(command -v dpdk-telemetry.py || true)
[ -n "$tel" ] || skip "dpdk-telemetry.py not installed (apt-get install dpdk)"
TMP=$(mktemp -d)
export RUNTIME_DIRECTORY=$TMP # the runtime dir both sides derive the socket path from

python3 - "$fwd" "$tel" "tel-a-$$" "tel-b-$$" <<'PY'
import json, os, subprocess, sys, time

fwd, tel, pa, pb = sys.argv[1:5]

def fail(msg):
    sys.exit("FAIL: " + msg)

def start(prefix, extra):
    p = subprocess.Popen([fwd, "--no-huge", "-l", "0-1", "--file-prefix", prefix] + extra +
                         ["--", "-i", "--json"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    return p

def sock(prefix):
    return os.path.join(os.environ["RUNTIME_DIRECTORY"], "dpdk", prefix, "dpdk_telemetry.v2")

def wait_sock(prefix, p):
    for _ in range(200):
        if os.path.exists(sock(prefix)):
            return
        if p.poll() is not None:
            fail("sluice-fwd exited early: " + p.stderr.read())
        time.sleep(0.05)
    fail("no telemetry socket at " + sock(prefix))

def query(prefix, cmds):
    out = subprocess.run([tel, "-f", prefix], input="\n".join(cmds) + "\n", text=True,
                         capture_output=True, timeout=30)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if len(lines) != len(cmds):
        fail("dpdk-telemetry.py answered %d of %d commands:\n%s\n%s" %
             (len(lines), len(cmds), out.stdout, out.stderr))
    res = {}
    for c, l in zip(cmds, lines):
        r = json.loads(l)
        res[c] = r
    return res

# A forwards between null ports (nothing stays in flight at stop, so the report at quit
# counts exactly what telemetry read); B has wired ring ports (its rings are listed).
a = start(pa, ["--vdev", "net_null0", "--vdev", "net_null1"])
b = start(pb, ["--vdev", "net_ring0,rx=x,tx=y", "--vdev", "net_ring1,rx=y,tx=x"])
procs = [a, b]
try:
    wait_sock(pa, a)
    wait_sock(pb, b)
    lst = subprocess.run([tel, "-l"], capture_output=True, text=True, timeout=30).stdout
    for p in (pa, pb):
        if p not in lst.split():
            fail("dpdk-telemetry.py -l does not list %s:\n%s" % (p, lst))

    # A: forward for a while, then stop at the prompt.
    a.stdin.write("start\n"); a.stdin.flush()
    time.sleep(1.5)
    a.stdin.write("stop\n"); a.stdin.flush()
    time.sleep(0.5)
    cmds = ["/", "/info", "/help,/ethdev/stats", "/ethdev/list", "/ethdev/stats,0",
            "/ethdev/stats,1", "/ethdev/xstats,0", "/ethdev/xstats,0,hide_zero=true",
            "/ethdev/info,0", "/ethdev/info,1", "/ethdev/link_status,0", "/eal/params",
            "/eal/app_params", "/eal/lcore/list", "/eal/lcore/info,0", "/eal/lcore/info,1",
            "/eal/lcore/usage", "/eal/heap_list", "/eal/heap_info,0", "/eal/memzone_list",
            "/mempool/list", "/ring/list", "/sluice/drops",
            "/sluice/port/queues,0", "/sluice/lcores", "/sluice/fwd/stats",
            "/ethdev/stats,9", "/nosuch", "/ethdev/stats,x"]
    r = query(pa, cmds)
    v = {c: r[c].get(c.split(",")[0]) for c in cmds}
    listed = set(v["/"])
    for c in cmds[:-3]:
        name = c.split(",")[0]
        if name not in listed:
            fail(name + " is not in / " + str(sorted(listed)))
        if v[c] is None:
            fail("%s answered null: %s" % (c, r[c]))
    info = v["/info"]
    if info["pid"] != a.pid or info["max_output_len"] != 16384:
        fail("/info: " + str(info))
    if v["/ethdev/list"] != [0, 1]:
        fail("/ethdev/list " + str(v["/ethdev/list"]))
    for k in ("ipackets", "opackets", "ibytes", "obytes", "imissed", "ierrors", "oerrors",
              "rx_nombuf", "q_ipackets", "q_opackets", "q_ibytes", "q_obytes", "q_errors"):
        if k not in v["/ethdev/stats,0"]:
            fail("/ethdev/stats,0 lacks " + k)
    s0 = v["/ethdev/stats,0"]
    if s0["ipackets"] == 0 or s0["q_ipackets"][0] != s0["ipackets"]:
        fail("/ethdev/stats,0 " + str(s0))
    xs = v["/ethdev/xstats,0"]
    if xs.get("rx_good_packets", xs.get("rx_q0_packets")) != s0["ipackets"]:
        fail("/ethdev/xstats,0 disagrees with /ethdev/stats,0: " + str(xs))
    if any(val == 0 for val in v["/ethdev/xstats,0,hide_zero=true"].values()):
        fail("hide_zero=true shows zeros")
    inf = v["/ethdev/info,1"]
    if inf["name"] != "net_null1" or inf["port_id"] != 1 or inf["nb_rx_queues"] != 1:
        fail("/ethdev/info,1 " + str(inf))
    if v["/ethdev/link_status,0"]["status"] != "UP":
        fail("/ethdev/link_status,0 " + str(v["/ethdev/link_status,0"]))
    if "--file-prefix" not in v["/eal/params"] or "--json" not in v["/eal/app_params"]:
        fail("/eal/params %s /eal/app_params %s" % (v["/eal/params"], v["/eal/app_params"]))
    if v["/eal/lcore/list"] != [0, 1]:
        fail("/eal/lcore/list " + str(v["/eal/lcore/list"]))
    l1 = v["/eal/lcore/info,1"]
    for k in ("lcore_id", "socket", "role", "cpuset", "total_cycles", "busy_cycles"):
        if k not in l1:
            fail("/eal/lcore/info,1 lacks " + k)
    if not (0 < l1["busy_cycles"] <= l1["total_cycles"]):
        fail("lcore 1 busy/total cycles " + str(l1))
    if v["/eal/lcore/usage"]["lcore_ids"] != [0, 1]:
        fail("/eal/lcore/usage " + str(v["/eal/lcore/usage"]))
    h = v["/eal/heap_info,0"]
    if h["Heap_size"] < h["Alloc_size"] or h["Alloc_size"] == 0:
        fail("/eal/heap_info,0 " + str(h))
    if v["/ring/list"] != []:
        fail("/ring/list of A (null ports) " + str(v["/ring/list"]))
    pools = v["/mempool/list"]
    more = ["/mempool/info," + pools[0], "/mempool/info,nosuch"]
    r2 = query(pa, more)
    mp = r2[more[0]]["/mempool/info"]
    if mp["name"] != pools[0] or mp["size"] == 0 or mp["populated_size"] != mp["size"]:
        fail("/mempool/info " + str(mp))
    if r2[more[1]]["/mempool/info"] is not None or "no pool" not in r2[more[1]]["error"]:
        fail("/mempool/info,nosuch " + str(r2[more[1]]))
    for c, key, want in (("/ethdev/stats,9", "/ethdev/stats", "no port 9"),
                         ("/nosuch", "/nosuch", "unknown command"),
                         ("/ethdev/stats,x", "/ethdev/stats", "not a number")):
        if r[c].get(key, 0) is not None or want not in r[c].get("error", ""):
            fail("%s: %s" % (c, r[c]))
    q = v["/sluice/port/queues,0"]
    if q["rx"][0]["packets"] != s0["ipackets"] or q["rx"][0]["lcore"] != 1:
        fail("/sluice/port/queues,0 " + str(q))
    drops = v["/sluice/drops"]
    if "net_null0" not in drops or "fwd" not in drops:
        fail("/sluice/drops " + str(drops))
    lc = {e["lcore"]: e for e in v["/sluice/lcores"]}
    if lc[1]["busy_cycles"] != l1["busy_cycles"] or lc[1]["rounds"] == 0:
        fail("/sluice/lcores " + str(v["/sluice/lcores"]))

    # B answers on its own socket (its own pid, its own ports)
    rb = query(pb, ["/info", "/ethdev/info,0", "/ring/list", "/ring/info,x", "/eal/memzone_list",
                    "/eal/memzone_info,0"])
    z = rb["/eal/memzone_info,0"]["/eal/memzone_info"]
    for k in ("Zone", "Name", "Length", "Address", "Socket", "Hugepage_size", "Hugepage_base",
              "Hugepage_used"):
        if k not in z:
            fail("/eal/memzone_info,0 lacks " + k)
    if len(rb["/eal/memzone_list"]["/eal/memzone_list"]) < 2 or z["Length"] == 0:
        fail("/eal/memzone_list of B " + str(rb["/eal/memzone_list"]))
    if rb["/info"]["/info"]["pid"] != b.pid or rb["/ethdev/info,0"]["/ethdev/info"]["name"] != "net_ring0":
        fail("prefix B: " + str(rb))
    if sorted(rb["/ring/list"]["/ring/list"]) != ["x", "y"]:
        fail("/ring/list of B " + str(rb["/ring/list"]))
    ring = rb["/ring/info,x"]["/ring/info"]
    if ring["name"] != "x" or ring["size"] != 1024:
        fail("/ring/info,x " + str(ring))

    # quit: the final --json report must agree with what telemetry said
    out, err = a.communicate("quit\n", timeout=30)
    rep = json.loads([l for l in out.splitlines() if l.startswith("{\"mode\"")][-1])
    for port in rep["ports"]:
        st = v["/ethdev/stats,%d" % port["id"]]
        for mine, theirs in (("port_rx_packets", "ipackets"), ("port_tx_packets", "opackets"),
                             ("port_rx_bytes", "ibytes"), ("port_tx_bytes", "obytes"),
                             ("rx_missed", "imissed"), ("rx_nombuf", "rx_nombuf")):
            if port[mine] != st[theirs]:
                fail("port %d: report %s=%d, telemetry %s=%d" %
                     (port["id"], mine, port[mine], theirs, st[theirs]))
    fs = v["/sluice/fwd/stats"]
    for k in ("rx_packets", "tx_packets", "generated", "dropped"):
        if rep["totals"][k] != fs[k]:
            fail("totals %s: report %d, telemetry %d" % (k, rep["totals"][k], fs[k]))
    if rep["totals"]["drops"] != fs["drops"] or drops["fwd"] != fs["drops"]:
        fail("drops: report %s telemetry %s / %s" % (rep["totals"]["drops"], fs["drops"], drops["fwd"]))
    if a.returncode != 0:
        fail("sluice-fwd A exited %d: %s" % (a.returncode, err))
    if os.path.exists(sock(pa)):
        fail("the socket outlived the process: " + sock(pa))
    print("telemetry: %d commands agree with the report (rx %d packets on port 0)" %
          (len(cmds), s0["ipackets"]))
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
PY
