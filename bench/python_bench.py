"""Python package benchmark: bench/python_bench.py BUILD_DIR [--runs N] [FILE ...]

For every file (default: the corpus of bench/make_corpus.sh in
build/bench-corpus), whole processes, the tools taking turns run after run
(so drifting machine load hits all alike), medians of N runs (default 3):

  kzv-cli      BUILD_DIR/tools/kzv decode FILE            (decode + RGB24, discarded)
  py-kzv       iterate kzv.VideoDecoder(FILE), touching frame.data (a numpy
               view: no copy)
  py-kzv-proc  kzv.VideoFrameProcessor(FILE).process_all_frames(no-op callback)
  pyav         PyAV (Debian's python3-av), the seed's stack: to_ndarray('rgb24')
  pyav-auto    the same with stream.thread_type = 'AUTO'

and reports fps, CPU seconds, peak RSS, and py-kzv's ratio to each (goals:
py-kzv >= 0.97x kzv-cli; >= 1.6x pyav on 1080p H.264). Then, per file:

  time to first frame, whole process (interpreter start, imports, open,
  first RGB frame) and in process (open + first frame, imports done);
  batch cost: decoder.get_frames_in_range(0, 48) (one stacked array: a copy
  per frame) against iterating the same 48 frames (no copy).

Writes a table to stdout and BUILD_DIR/bench/python.md. Never part of
`make test`. Run it under `nice -n 19` on a shared machine, and say the load.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PY_KZV = """
import sys, time, kzv
t0 = time.perf_counter()
n = 0
for f in kzv.VideoDecoder(sys.argv[1]):
    f.data
    n += 1
print(n, time.perf_counter() - t0)
"""
PY_KZV_PROC = """
import sys, time, kzv
t0 = time.perf_counter()
n = [0]
def cb(f, t):
    f.data
    n[0] += 1
kzv.VideoFrameProcessor(sys.argv[1]).process_all_frames(cb)
print(n[0], time.perf_counter() - t0)
"""
PYAV = os.path.join(HERE, "pyav_decode.py")
TTFF_KZV = """
import sys, time, kzv
t0 = time.perf_counter()
f = next(iter(kzv.VideoDecoder(sys.argv[1])))
f.data
print(time.perf_counter() - t0)
"""
TTFF_PYAV = """
import sys, time, av
t0 = time.perf_counter()
c = av.open(sys.argv[1])
f = next(c.decode(video=0)).to_ndarray(format='rgb24')
print(time.perf_counter() - t0)
"""
BATCH = """
import sys, time, kzv
p = sys.argv[1]
with kzv.VideoDecoder(p) as d:
    n = min(len(d), 48)   # a typical model batch, not the whole file
t = {}
for name in ("iterate", "batch", "iterate", "batch"):
    with kzv.VideoDecoder(p) as d:
        len(d)
        t0 = time.perf_counter()
        if name == "batch":
            b = d.get_frames_in_range(0, n)
            assert len(b) == n
            del b
        else:
            for k, f in zip(range(n), d):
                f.data
        t.setdefault(name, []).append(time.perf_counter() - t0)
print(n, min(t["iterate"]), min(t["batch"]))
"""


def run(cmd, env):
    """Wall seconds, CPU seconds, peak RSS MiB and stdout of one process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed: {err.decode(errors='replace')[-500:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, out.decode().strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=None)
    a = ap.parse_intermixed_args()
    build = os.path.abspath(a.build)
    py = sys.executable
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))
    files = a.files or sorted(glob.glob(os.path.join(os.environ.get("CORPUS_DIR", os.path.join(ROOT, "build", "bench-corpus")), "*_*p.*")))
    if not files:
        sys.exit("python_bench: no files (run bench/make_corpus.sh)")
    try:
        subprocess.run([py, "-c", "import av"], check=True, capture_output=True)
        have_av = True
    except subprocess.CalledProcessError:
        have_av = False
        print("python_bench: SKIP pyav, pyav-auto (python3-av not installed)")
    tools = [("kzv-cli", lambda f: [os.path.join(build, "tools", "kzv"), "decode", f]),
             ("py-kzv", lambda f: [py, "-c", PY_KZV, f]),
             ("py-kzv-proc", lambda f: [py, "-c", PY_KZV_PROC, f])]
    if have_av:
        tools += [("pyav", lambda f: [py, PYAV, f]), ("pyav-auto", lambda f: [py, PYAV, f, "auto"])]

    load = os.getloadavg()
    lines = [f"# kzv Python benchmark", "",
             f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average "
             f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start, medians of {a.runs} runs, "
             f"tools taking turns", "",
             "wall: the whole process; decode s: open to last frame inside the interpreter (after",
             "imports; for the CLI, which starts in milliseconds, its wall); ratios are py-kzv's speed",
             "over the tool's (>1: py-kzv faster) by wall and by decode time, and the tool's CPU",
             "seconds over py-kzv's. Interpreter start + `import kzv` (numpy) alone: see the last line.", "",
             "| file | frames | tool | wall s | fps | decode s | CPU s | peak RSS MiB | py-kzv / tool (wall) | "
             "py-kzv / tool (decode) | CPU tool / py-kzv |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print(f"{'file':<18} {'frames':>5} {'tool':<12} {'wall_s':>7} {'fps':>7} {'dec_s':>7} {'cpu_s':>7} {'rss':>6} "
          f"{'x_wall':>7} {'x_dec':>7} {'x_cpu':>7}")
    for f in files:
        base = os.path.basename(f)
        res = {name: [] for name, _ in tools}
        frames = None
        for _ in range(a.runs):
            for name, cmd in tools:
                wall, cpu, rss, out = run(cmd(f), env)
                words = out.split()
                # The CLI starts in milliseconds: its whole run is its decode time.
                inproc = float(words[1]) if len(words) > 1 else wall
                res[name].append((wall, cpu, rss, inproc))
                if name == "py-kzv":
                    frames = int(words[0])
        med = {n: tuple(statistics.median(x[i] for x in v) for i in range(4)) for n, v in res.items()}
        kwall, kcpu, _, kin = med["py-kzv"]
        for name, _ in tools:
            wall, cpu, rss, inproc = med[name]
            fps = frames / wall
            ratio = wall / kwall               # = py-kzv fps / tool fps
            cratio = cpu / kcpu                # CPU seconds, tool / py-kzv
            iratio = inproc / kin
            print(f"{base:<18} {frames:>5} {name:<12} {wall:7.3f} {fps:7.1f} {inproc:7.3f} {cpu:7.2f} {rss:6.0f} "
                  f"{ratio:7.3f} {iratio:7.3f} {cratio:7.3f}")
            lines.append(f"| {base} | {frames} | {name} | {wall:.3f} | {fps:.1f} | {inproc:.3f} | {cpu:.2f} | "
                         f"{rss:.0f} | {ratio:.3f} | {iratio:.3f} | {cratio:.3f} |")

    lines += ["", "## Time to first frame (median s)", "",
              "| file | tool | whole process | in process (after imports) |", "|---|---|---:|---:|"]
    print(f"\n{'file':<20} {'tool':<10} {'process_s':>9} {'inproc_s':>9}")
    ttff_tools = [("kzv-cli", lambda f: [os.path.join(build, "tools", "kzv"), "decode", f, "--frames", "1"], None),
                  ("py-kzv", lambda f: [py, "-c", TTFF_KZV, f], True)]
    if have_av:
        ttff_tools.append(("pyav", lambda f: [py, "-c", TTFF_PYAV, f], True))
    for f in files:
        base = os.path.basename(f)
        res = {n: [] for n, _, _ in ttff_tools}
        for _ in range(a.runs):
            for name, cmd, inproc in ttff_tools:
                wall, _, _, out = run(cmd(f), env)
                res[name].append((wall, float(out) if inproc else float("nan")))
        for name, _, inproc in ttff_tools:
            w = statistics.median(x[0] for x in res[name])
            i = statistics.median(x[1] for x in res[name]) if inproc else float("nan")
            print(f"{base:<20} {name:<10} {w:9.3f} {i:9.3f}")
            lines.append(f"| {base} | {name} | {w:.3f} | {'-' if not inproc else f'{i:.3f}'} |")

    lines += ["", "## Batches of 48: one stacked array (a copy per frame) vs iterating (best of 2 each)", "",
              "| file | frames | iterate s | get_frames_in_range s | batch / iterate |", "|---|---:|---:|---:|---:|"]
    print(f"\n{'file':<20} {'frames':>6} {'iterate_s':>9} {'batch_s':>9} {'ratio':>6}")
    for f in files:
        base = os.path.basename(f)
        _, _, _, out = run([py, "-c", BATCH, f], env)
        n, it, bt = out.split()
        n, it, bt = int(n), float(it), float(bt)
        print(f"{base:<20} {n:>6} {it:9.3f} {bt:9.3f} {bt / it:6.3f}")
        lines.append(f"| {base} | {n} | {it:.3f} | {bt:.3f} | {bt / it:.3f} |")
    starts = [run([py, "-c", "import kzv"], env)[:2] for _ in range(a.runs)]
    sw, sc = statistics.median(x[0] for x in starts), statistics.median(x[1] for x in starts)
    print(f"\ninterpreter start + import kzv: {sw:.3f} s wall, {sc:.3f} s CPU (median of {a.runs})")
    load = os.getloadavg()
    lines += ["", f"Interpreter start + `import kzv` alone: {sw:.3f} s wall, {sc:.3f} s CPU (median of {a.runs}).",
              f"Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}."]
    out = a.out or os.path.join(build, "bench", "python.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"\npython_bench: wrote {out}")


if __name__ == "__main__":
    main()
