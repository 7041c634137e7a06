# Which RDTSCP instructions does a program execute? A gdb script (a
# developer's check, not part of `make test`):
#
#   gdb -q -batch -x tests/valgrind/rdtscp_sites.py --args PROGRAM ARGS…
#
# Puts a breakpoint on every RDTSCP instruction (found with objdump) of every
# object the program maps, rescanning at each shared-library event so that
# constructors and dlopen()ed objects are covered, runs the program, and
# prints one line: "rdtscp-sites: N objects, M sites, executed: …" (each site
# once, with its function). Why: valgrind cannot translate RDTSCP on a host
# whose CPUID hides it (see hwy_timer.c), so a memcheck run there survives
# only if no RDTSCP executes in it. On this machine `make test`'s valgrind
# programs, with hwy_timer.c's shim preloaded (gdb: set environment
# LD_PRELOAD …), execute none; without it, libhwy's constructor executes
# hwy::platform::TimerResolution()'s. RDTSCP_CACHE=FILE keeps objdump's
# findings between runs (keyed by path, size and mtime).
import json
import os
import re
import subprocess

import gdb

cache_path = os.environ.get("RDTSCP_CACHE")
cache = {}
if cache_path and os.path.exists(cache_path):
    with open(cache_path) as f:
        cache = json.load(f)
seen, executed, nsites = set(), [], [0]


class Site(gdb.Breakpoint):
    def __init__(self, addr, where):
        super().__init__("*0x%x" % addr, internal=True)
        self.where = where

    def stop(self):
        executed.append("%s in %s" % (self.where, gdb.newest_frame().name()))
        self.enabled = False      # once is enough (loops would trap millions of times)
        return False


def rdtscp_offsets(path):
    st = os.stat(path)
    key = "%s:%d:%d" % (path, st.st_size, int(st.st_mtime))
    if key not in cache:
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path],
                             capture_output=True, text=True).stdout
        cache[key] = [int(m.group(1), 16) for m in re.finditer(r"^\s*([0-9a-f]+):\s+rdtscp\b", out, re.M)]
    return cache[key]


def scan(_event=None):
    pid = gdb.selected_inferior().pid
    if not pid:
        return
    with open("/proc/%d/maps" % pid) as maps:
        for line in maps:
            f = line.split()
            if len(f) < 6 or f[2] != "00000000" or not f[5].startswith("/") or f[5] in seen:
                continue
            path = f[5]
            seen.add(path)
            try:
                offs = rdtscp_offsets(path)
                with open(path, "rb") as e:
                    etype = e.read(18)[16]
            except (OSError, IndexError):
                continue
            base = 0 if etype == 2 else int(f[0].split("-")[0], 16)   # ET_EXEC: at its own addresses
            for o in offs:
                Site(base + o, "%s+0x%x" % (path, o))
                nsites[0] += 1


gdb.events.stop.connect(scan)
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set stop-on-solib-events 1")
gdb.execute("starti", to_string=True)
scan()
while gdb.selected_inferior().pid:
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        break
if cache_path:
    with open(cache_path, "w") as f:
        json.dump(cache, f)
print("rdtscp-sites: %d objects, %d sites, executed: %s" % (len(seen), nsites[0], "; ".join(executed) or "none"))
