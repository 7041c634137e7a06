#!/usr/bin/python3
"""same_picture.py A B TOL [WxH]: A and B (any images ffmpeg reads) are the same
size (WxH when given) and every RGB24 sample is within TOL levels. Exit 0 or
an AssertionError naming the difference. Used by tests/play."""
import subprocess
import sys


def rgb(path):
    wh = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height",
                         "-of", "csv=p=0:s=x", path], capture_output=True, text=True).stdout.strip()
    b = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                       capture_output=True).stdout
    return wh, b


(wa, a), (wb, b) = rgb(sys.argv[1]), rgb(sys.argv[2])
assert wa == wb and len(a) == len(b) > 0, (wa, wb)
if len(sys.argv) > 4:
    assert wa == sys.argv[4], "size %s, want %s" % (wa, sys.argv[4])
d = max(abs(x - y) for x, y in zip(a, b))
assert d <= int(sys.argv[3]), "%s: differs by %d levels" % (wa, d)
