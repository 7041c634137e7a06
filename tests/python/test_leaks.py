"""No growth in memory over 20,000 frames.

A small clip (py_tiny.mp4: 200 frames of 64x64) is decoded 100 times over
every path that hands out frames: iteration with frame.data, the buffer
protocol, DLPack (consumed and not), the queue, batches, indexing, a memory
source, and the processor with a Python uploader. Resident memory is read
from /proc/self/statm after a warm-up and at the end: one leaked frame per
frame would be 20,000 x 12 KiB = 234 MiB; the bound is 6 MiB. Python objects
are counted too (a leaked VideoFrame per frame would be thousands)."""
import gc
import os

import numpy as np
import pytest

import kzv

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class Uploader(kzv.IGPUTextureUploader):
    def __init__(self):
        self.live = 0

    def upload_frame(self, frame):
        self.live += 1
        return np.array(frame.data)          # a "texture": a copy, released below

    def release_texture(self, tex):
        self.live -= 1

    def get_texture_size(self, tex):
        return (tex.shape[1], tex.shape[0])


def one_pass(path, raw, k):
    n = 0
    q = kzv.FrameQueue(maxsize=4)
    with kzv.VideoDecoder(raw if k % 3 == 0 else path) as d:
        for f in d:
            a = f.data
            s = int(a[0, 0, 0])
            m = memoryview(f)
            t = np.from_dlpack(f if k % 4 else f.plane(0))
            if k % 2:
                f.__dlpack__()                # a capsule nobody consumes
            q.enqueue(f)
            g = q.dequeue(timeout=0)
            n += 1
            del a, m, t, g, s
        if k % 10 == 5:
            b = d[0:50]
            x = d[-1]
            del b, x
    q.close()
    if k % 10 == 7:
        u = Uploader()
        with kzv.VideoFrameProcessor(path, gpu_uploader=u, queue_size=8) as p:
            st = p.process_all_frames(lambda frame, tex: None)
        assert u.live == 0 and st["released"] == 200
    return n


def test_rss_flat_over_20000_frames(media):
    path = media("py_tiny.mp4")
    raw = open(path, "rb").read()
    frames = 0
    for k in range(10):                        # warm-up: pools, caches, allocator arenas
        frames += one_pass(path, raw, k)
    gc.collect()
    base_rss, base_objs = rss(), len(gc.get_objects())
    samples = []
    for k in range(10, 100):
        frames += one_pass(path, raw, k)
        if k % 10 == 9:
            gc.collect()
            samples.append(rss())
    gc.collect()
    growth = rss() - base_rss
    objs = len(gc.get_objects()) - base_objs
    assert frames == 20000
    print(f"RSS base {base_rss / 2**20:.1f} MiB, samples {[round(s / 2**20, 1) for s in samples]}, "
          f"growth {growth / 2**20:.2f} MiB, objects {objs:+d}")
    assert growth < 6 * 2**20, f"RSS grew {growth / 2**20:.1f} MiB over 18,000 frames"
    assert objs < 200, f"{objs} more Python objects than after the warm-up"
