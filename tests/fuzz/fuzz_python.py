#!/usr/bin/env python3
"""Mutation fuzzing of the Python binding's open-from-bytes: kzv.VideoDecoder
given bytes / bytearray / memoryview made from the committed seed corpora
(tests/fuzz/corpus/*) by seeded mutations (bit flips, byte runs, truncation,
duplication, splices of two seeds), then up to 4 frames read, len(), one
exact seek and a batch. Not coverage-guided (atheris is not a dependency):
the point is that the path from Python bytes through the buffer protocol to
kzv_decoder_open_memory never crashes whatever the bytes, and that errors
are ordinary kzv exceptions.

    fuzz_python.py [--seconds S | --runs N] [--seed X] [--last FILE] [CORPUS_DIR...]

Prints runs, exec/s and the exceptions seen; exit 1 when a call raised
something that is not a kzv.Error / ValueError / TypeError / MemoryError /
OSError (its input is written to ./fuzz_python-unexpected.bin). A crash
ends the process: with --last FILE every input is written there before it
runs, so the one that crashed is left behind. tests/python/test_frombytes.py
runs 300 inputs in every build.
"""
import argparse
import collections
import os
import random
import sys
import time

import kzv

HERE = os.path.dirname(os.path.abspath(__file__))


def mutate(rng, data, other):
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        k = rng.randrange(6)
        if not b:
            b = bytearray(other[:64])
        i = rng.randrange(len(b))
        if k == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif k == 1:
            b[i:i + rng.randint(1, 8)] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif k == 2:
            del b[rng.randrange(len(b)):]
        elif k == 3:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 64)]
        elif k == 4:
            b[i:] = other[rng.randrange(len(other)):]
        else:
            b[i:i + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff", b"\x00\x00\x01"])
    return bytes(b)


# the demuxer forced (container=) for half the runs, from the seed's folder
CONTAINERS = {"mp4": "mov", "mkv": "matroska", "avi": "avi", "mpegts": "mpegts", "mpegps": "mpeg",
              "flv": "flv", "h264": "h264", "hevc": "hevc"}


def one(data, kind, container):
    src = {0: data, 1: bytearray(data), 2: memoryview(data)}[kind]
    with kzv.VideoDecoder(src, threads=1, max_pixels=1 << 20, format=("rgb24", "yuv")[len(data) & 1],
                          container=container) as d:
        for _ in range(4):
            if d.read() is None:
                break
        n = len(d)
        if n:
            d.seek_frame(n // 2)
            d.read()
            d.get_frames_at([0, n - 1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--last", default=None)
    ap.add_argument("dirs", nargs="*")
    a = ap.parse_args()
    dirs = a.dirs or [os.path.join(HERE, "corpus", t) for t in sorted(os.listdir(os.path.join(HERE, "corpus")))
                      if t not in ("access", "writers")]
    seeds = [(open(os.path.join(d, f), "rb").read(), CONTAINERS.get(os.path.basename(d.rstrip("/"))))
             for d in dirs for f in sorted(os.listdir(d))]
    rng = random.Random(a.seed)
    kzv.set_log_level("quiet")
    seen = collections.Counter()
    bad = 0
    t0 = time.monotonic()
    runs = 0
    while (time.monotonic() - t0 < a.seconds) if a.seconds else runs < a.runs:
        base, container = rng.choice(seeds) if runs >= len(seeds) else seeds[runs]
        data = mutate(rng, base, rng.choice(seeds)[0]) if runs >= len(seeds) else base
        runs += 1
        if a.last:
            with open(a.last, "wb") as f:
                f.write(data)
        try:
            one(data, runs % 3, container if runs % 2 else None)
            seen["ok"] += 1
        except (kzv.Error, ValueError, TypeError, MemoryError, OSError) as e:
            seen[type(e).__name__] += 1
        except Exception as e:   # noqa: BLE001 - anything else is a finding
            bad += 1
            seen["UNEXPECTED " + type(e).__name__] += 1
            with open("fuzz_python-unexpected.bin", "wb") as f:
                f.write(data)
    secs = time.monotonic() - t0
    print(f"fuzz_python: {runs} runs in {secs:.1f} s ({runs / secs:.0f} exec/s), seed {a.seed}: "
          + ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
