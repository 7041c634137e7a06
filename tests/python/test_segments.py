"""kzv.plan_segments and saved indexes: plans cover every frame exactly once,
survive pickling, and decoders opened from a plan use its index (no scan)
and give exactly the frames sequential decoding gives; stale indexes are
refused with a warning and the file is scanned again."""
import os
import pickle
import shutil
import warnings

import numpy as np
import pytest

import kzv

FILES = ["seek_vfr_bframes.mkv", "seek_opengop.mp4", "mpeg4.avi"]


def sequential(path):
    with kzv.VideoDecoder(path) as d:
        return [(f.frame_index, f.pts_ts, hash(f.data.tobytes())) for f in d]


@pytest.mark.parametrize("name", FILES)
def test_segments_decode_exactly(media, name):
    path = media(name)
    ref = sequential(path)
    plan = kzv.plan_segments(path, count=4)
    assert len(plan) == 4 and plan.total_frames == len(ref)
    assert plan[0].start == 0 and plan[-1].end == len(ref)
    assert all(a.end == b.start for a, b in zip(plan, plan[1:]))
    plan = pickle.loads(pickle.dumps(plan))      # travels to a worker
    got = []
    for seg in plan:
        with plan.open() as d:
            d.seek_frame(seg.start)
            for _ in range(seg.frames):
                f = next(d)
                got.append((f.frame_index, f.pts_ts, hash(f.data.tobytes())))
    assert got == ref


def test_plan_by_seconds_and_arguments(media):
    path = media("seek_vfr_bframes.mkv")
    plan = kzv.plan_segments(path, seconds=0.5)
    with kzv.VideoDecoder(path) as d:
        idx = d.index
        assert sum(s.frames for s in plan) == len(d)
    for s in plan:
        assert s.start_pts == idx["pts"][s.start] and s.keyframe == bool(idx["keyframe"][s.start])
    with pytest.raises(ValueError):
        kzv.plan_segments(path, count=2, seconds=1.0)
    with pytest.raises(ValueError):
        kzv.plan_segments(path, count=0)
    with pytest.raises(ValueError):
        kzv.plan_segments(path, seconds=-1)
    with pytest.raises(TypeError):
        kzv.plan_segments(path, count="two")
    with pytest.raises(FileNotFoundError):
        kzv.plan_segments(path + ".missing", count=2)


def test_stale_index_is_refused_and_rebuilt(media, tmp_path):
    src = tmp_path / "a.mkv"
    shutil.copy(media("seek_vfr_bframes.mkv"), src)
    plan = kzv.plan_segments(src, count=3)
    with kzv.VideoDecoder(src) as d:
        d.import_index(plan.index)                # fresh: used
        with pytest.raises(kzv.InvalidDataError, match="damaged"):
            d.import_index(plan.index[:-1] + bytes([plan.index[-1] ^ 1]))
        with pytest.raises(TypeError):
            d.import_index(42)
    os.utime(src, ns=(0, 10**9))
    with pytest.warns(RuntimeWarning, match="modified"):
        d = kzv.VideoDecoder(src, index=plan.index)
    with d:
        assert len(d) == plan.total_frames       # scanned again
    d2 = kzv.VideoDecoder(src)
    d2.close()
    with pytest.raises(kzv.ClosedError):
        d2.export_index()
    with pytest.raises(kzv.ClosedError):
        d2.plan_segments(count=2)


def test_index_of_memory_source(media):
    with open(media("seek_opengop.mp4"), "rb") as f:
        data = f.read()
    with kzv.VideoDecoder(data) as a:
        blob = a.export_index()
        n = len(a)
    with kzv.VideoDecoder(data) as b:
        b.import_index(blob)
        assert len(b) == n
        frames = b.get_frames_at([5, 1])
        assert np.array_equal(frames.frame_index, [5, 1])
