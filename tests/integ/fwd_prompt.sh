#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# sluice-fwd -i on a pseudo-terminal, typed as a user would (python3's pty module):
#   show port stats all, start, (wait), stop, show port stats 0, set fwd macswap, start,
#   (wait), stop, quit; the counters are nonzero after each start/stop, the mode changed,
#   every packet is accounted for and the exit status is 0.  Then 'set fwd' while running
#   is refused, Tab completes a command when libedit is built in, and SIGINT at the prompt
#   quits with the final report (exit 0).
# Usage: fwd_prompt.sh BUILD_DIR   (FWD=BINARY tries another sluice-fwd, e.g. one without libedit)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
fwd=${FWD:-$1/app/fwd/sluice-fwd}
[ -x "$fwd" ] || skip "$fwd not built"
need_tools python3
edit=0
if ldd "$fwd" 2>/dev/null | grep -q libedit; then edit=1; fi

python3 - "$fwd" "fwd-prompt-$$" "$edit" <<'PY'
import os, pty, re, select, signal, sys, time

fwd, prefix, edit = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
PROMPT = b"sluice> "

def fail(msg, out=b""):
    sys.stdout.write(out.decode(errors="replace"))
    sys.exit("FAIL: " + msg)

class Session:
    def __init__(self, *args):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(fwd, [fwd, "--no-huge", "-l", "0-1", "--file-prefix", prefix,
                           "--vdev", "net_null0", "--vdev", "net_null1", "--", "-i"] + list(args))
        self.log = b""
        self.pending = b""  # read, not yet returned

    def read_until(self, what, timeout=20):
        """Output up to and including `what` (bytes), or fail after timeout seconds."""
        buf, end = self.pending, time.time() + timeout
        while what not in buf:
            left = end - time.time()
            if left <= 0:
                fail("no %r within %d s" % (what, timeout), self.log + buf)
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    fail("sluice-fwd ended while waiting for %r" % what, self.log + buf)
                buf += chunk
        cut = buf.index(what) + len(what)
        buf, self.pending = buf[:cut], buf[cut:]
        self.log += buf
        return buf

    def cmd(self, line, keys=None):
        """Types a command and returns what it printed before the next prompt."""
        os.write(self.fd, (keys if keys is not None else line.encode()) + b"\r")
        out = self.read_until(PROMPT)
        return out.replace(b"\r\n", b"\n").decode(errors="replace")

    def wait(self, timeout=30):
        self.log += self.pending
        self.pending = b""
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                self.log += chunk
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        fail("sluice-fwd did not exit", self.log)

def acc_rx(out, what):
    m = re.search(r"Accumulated forward statistics.*?RX-packets: (\d+)", out, re.S)
    if not m or int(m.group(1)) == 0 or "every packet accounted for" not in out:
        fail("%s: no packets forwarded, or no balance line" % what, out.encode())
    return int(m.group(1))

# --- the session of the issue ---
s = Session()
s.read_until(PROMPT)
out = s.cmd("show port stats all")
if "NIC statistics for port 0" not in out or "NIC statistics for port 1" not in out:
    fail("show port stats all", out.encode())
out = s.cmd("start")
if "io packet forwarding - ports=2 - cores=1 - streams=2" not in out:
    fail("start", out.encode())
time.sleep(0.5)
first = acc_rx(s.cmd("stop"), "first stop")
out = s.cmd("show port stats 0")
m = re.search(r"RX-packets: (\d+) +RX-missed: \d+ +RX-bytes: +(\d+)", out)
if not m or int(m.group(1)) == 0 or int(m.group(2)) == 0 or "Rx-pps:" not in out:
    fail("show port stats 0 after a run: counters are zero", out.encode())
if "NIC statistics for port 1" in out:
    fail("show port stats 0 showed port 1 too", out.encode())
out = s.cmd("set fwd macswap")
if "Set macswap packet forwarding mode" not in out:
    fail("set fwd macswap", out.encode())
out = s.cmd("start")
if "macswap packet forwarding" not in out:
    fail("the mode did not change", out.encode())
out = s.cmd("set fwd io")
if "type 'stop' first" not in out:
    fail("set fwd while running was not refused", out.encode())
time.sleep(0.5)
second = acc_rx(s.cmd("stop"), "second stop")
if edit:
    # Tab completes "sho" to "show ", then the rest is typed.
    out = s.cmd(None, keys=b"sho\tport info 1")
    if "Infos for port 1" not in out:
        fail("Tab did not complete 'sho' to 'show'", out.encode())
os.write(s.fd, b"quit\r")
rc = s.wait()
log = s.log.replace(b"\r\n", b"\n").decode(errors="replace")
if rc != 0:
    fail("exit status %d after quit" % rc, s.log)
final = log.split("Bye...")[-1]
if "macswap forwarding for" not in final or "every packet accounted for" not in final:
    fail("no balanced final report after quit", s.log)
print("prompt: %d then %d packets forwarded, mode changed, exit 0%s" %
      (first, second, ", Tab completes" if edit else " (no libedit: no Tab)"))

# --- SIGINT at the prompt, while forwarding: quits like testpmd, report and exit 0 ---
s = Session("--auto-start")
s.read_until(PROMPT + b"start")
s.read_until(PROMPT)
time.sleep(0.3)
os.kill(s.pid, signal.SIGINT)
rc = s.wait()
if rc != 0 or b"Signal received" not in s.log or b"every packet accounted for" not in s.log:
    fail("SIGINT at the prompt: exit status %d" % rc, s.log)
print("prompt: SIGINT quits cleanly")
PY
echo "fwd prompt: OK"
