"""Dask benchmark: bench/dask_bench.py BUILD_DIR [--runs N] [--seconds S]

On a generated source (640x360, 24 fps, B-frames, keyframe every 48 frames,
AAC audio; S seconds, default 40), with a CPU-bound fn (three passes of a
3x3 box blur in numpy: about the per-frame cost of a small model on CPU),
lossless-equivalent encoder settings (x264 ultrafast crf 18), medians of N
runs (default 3), the tools taking turns:

  single      kzv.transcode, one process (the reference)
  dask-1      kzv.dask.transcode, LocalCluster of 1 worker, 4 segments
  dask-2      the same with 2 workers
  dask-2-fine 2 workers, 32 segments (per-task overhead)

and reports the cost of splitting and joining (dask-1 / single - 1; goal
<= 5 %), the speed-up of 2 workers over 1, and the per-task overhead
((dask-2-fine - dask-2) / extra tasks). Cluster start-up is measured apart
and left out of the job times (a real cluster is already running).
Never part of `make test`.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def blur(f):
    import numpy as np
    a = f.data.astype(np.uint16)
    for _ in range(3):
        a[1:-1] = (a[:-2] + a[1:-1] + a[2:]) // 3
        a[:, 1:-1] = (a[:, :-2] + a[:, 1:-1] + a[:, 2:]) // 3
    return a.astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=40)
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(a.build), "python"))
    import kzv
    import kzv.dask
    from distributed import Client, LocalCluster

    tmp = tempfile.mkdtemp(prefix="kzv-dask-bench.")
    src = os.path.join(tmp, "src.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"testsrc2=size=640x360:rate=24:duration={a.seconds}", "-f", "lavfi", "-i",
                    f"sine=d={a.seconds}", "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "48",
                    "-c:a", "aac", src], check=True)
    enc = dict(codec="libx264", preset="ultrafast", crf=18)
    clusters = {}
    t0 = time.monotonic()
    for n in (1, 2):
        c = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                         silence_logs=50)
        clusters[n] = (c, Client(c))
    startup = (time.monotonic() - t0) / 2
    jobs = {
        "single": lambda out: kzv.transcode(src, out, blur, **enc),
        "dask-1": lambda out: kzv.dask.transcode(src, out, blur, client=clusters[1][1], segments=4,
                                                 resume=False, **enc),
        "dask-2": lambda out: kzv.dask.transcode(src, out, blur, client=clusters[2][1], segments=4,
                                                 resume=False, **enc),
        "dask-2-fine": lambda out: kzv.dask.transcode(src, out, blur, client=clusters[2][1], segments=32,
                                                      resume=False, **enc),
    }
    times = {k: [] for k in jobs}
    for r in range(a.runs):
        for name, job in jobs.items():
            out = os.path.join(tmp, f"{name}.mkv")
            t = time.monotonic()
            job(out)
            times[name].append(time.monotonic() - t)
            os.unlink(out)
    for c, cl in clusters.values():
        cl.close()
        c.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    frames = int(round(a.seconds * 24))
    print(f"source: 640x360, {frames} frames; load average {os.getloadavg()[0]:.1f}; "
          f"cluster start-up {startup:.2f} s (not counted)")
    print(f"{'job':<12} {'median_s':>9} {'fps':>7}")
    for k, v in med.items():
        print(f"{k:<12} {v:9.2f} {frames / v:7.1f}")
    print(f"split+join cost (dask-1 / single - 1): {100 * (med['dask-1'] / med['single'] - 1):+.1f} %")
    print(f"2 workers over 1: {med['dask-1'] / med['dask-2']:.2f}x")
    print(f"cost per extra task: {(med['dask-2-fine'] - med['dask-2']) / 28 * 1000:.0f} ms "
          f"(32 vs 4 segments on 2 workers; includes decoding from the keyframe before each start, GOP 48)")


if __name__ == "__main__":
    main()
