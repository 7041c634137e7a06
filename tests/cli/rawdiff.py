#!/usr/bin/env python3
"""rawdiff.py A B [--max N] [--mean X] [--p99 N]: compare two raw byte
streams of equal length (rgb24 frames); print the largest, mean and 99th
percentile absolute difference; exit 1 when the lengths differ or a given
limit is exceeded."""
import argparse
import sys
from collections import Counter
from operator import sub

ap = argparse.ArgumentParser()
ap.add_argument("a")
ap.add_argument("b")
ap.add_argument("--max", type=int)
ap.add_argument("--mean", type=float)
ap.add_argument("--p99", type=int)
args = ap.parse_args()

a = open(args.a, "rb").read()
b = open(args.b, "rb").read()
if len(a) != len(b) or not a:
    print(f"length {len(a)} != {len(b)}")
    sys.exit(1)
hist = Counter(map(abs, map(sub, a, b)))
n = len(a)
mx = max(hist)
mean = sum(d * c for d, c in hist.items()) / n
acc, p99 = 0, 0
for d in sorted(hist):
    acc += hist[d]
    if acc >= 0.99 * n:
        p99 = d
        break
print(f"max {mx}, mean {mean:.3f}, p99 {p99}, {100 * (1 - hist.get(0, 0) / n):.1f}% of bytes differ")
bad = ((args.max is not None and mx > args.max) or
       (args.mean is not None and mean > args.mean) or
       (args.p99 is not None and p99 > args.p99))
sys.exit(1 if bad else 0)
