"""The PyAV anchor (the seed's stack): decode FILE to RGB24 numpy arrays.

Usage: python3 bench/pyav_decode.py FILE [auto]   ('auto': thread_type='AUTO')
Prints the number of frames and the seconds from open to the last frame.
Shared by bench/run.sh and bench/python_bench.py.
"""
import sys
import time

import av

t0 = time.perf_counter()
c = av.open(sys.argv[1])
s = c.streams.video[0]
if len(sys.argv) > 2:
    s.thread_type = 'AUTO'
n = 0
for f in c.decode(video=0):
    f.to_ndarray(format='rgb24')
    n += 1
print(n, time.perf_counter() - t0)
