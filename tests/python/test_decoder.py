"""VideoDecoder: the stream description, sources (path, bytes, file-like),
exact counting, seeking, random access and batches — every batch equal to
sequential decoding, pixel for pixel, with the same pts and indices."""
import io
import json
import mmap
import pathlib
import random
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import kzv
from conftest import ffprobe_frames


def sequential(path, **kw):
    """Every frame's (index, pts, pixels copy, planes copies, keyframe) by plain iteration."""
    with kzv.VideoDecoder(path, **kw) as d:
        return [(f.frame_index, f.pts, np.array(f.data) if isinstance(f.data, np.ndarray) else None,
                 tuple(np.array(p) for p in f.planes), f.keyframe) for f in d]


def test_description_matches_cli_probe(media, kzv_cli):
    path = media("vfr.mkv")
    full = json.loads(subprocess.run([kzv_cli, "probe", path, "--json"], capture_output=True,
                                     check=True, text=True).stdout)
    # ffprobe's shape: the decoded stream carries kzv's own fields beside ffprobe's
    v = [s for s in full["streams"] if s["decoded"]][0]
    probe = dict(v, codec=v["codec_name"], container=full["format"]["format_name"],
                 frame_rate=v["avg_frame_rate"], start_time=float(v["start_time"]),
                 duration=float(v["duration"]), stream_index=v["index"],
                 bit_rate=int(v["bit_rate"]), rotation=(-v["rotation"]) % 360,
                 color_range=v["color_range_kzv"])
    with kzv.VideoDecoder(path) as d:
        assert (d.width, d.height, d.codec, d.container, d.pix_fmt) == \
            (probe["width"], probe["height"], probe["codec"], probe["container"], probe["pix_fmt"])
        assert d.fps == probe["fps"] and d.frame_rate == Fraction(probe["frame_rate"])
        assert d.time_base == Fraction(probe["time_base"]) and d.bit_depth == probe["bit_depth"]
        assert d.duration == pytest.approx(probe["duration"]) and d.start_time == probe["start_time"]
        assert d.color.matrix_name == probe["color_matrix"] and d.color.range_name == probe["color_range"]
        assert d.rotation == probe["rotation"] and d.stream_index == probe["stream_index"]
        assert d.decoder_name == probe["decoder"] and d.hwaccel == "none" and d.format == "rgb24"
        assert d.bit_rate == probe["bit_rate"] and d.sample_aspect_ratio == Fraction(1)
        assert d.header_frames is None            # mkv does not say
        md = d.metadata
        assert md["width"] == 320 and md["codec"] == "h264" and "total_frames" not in md


@pytest.mark.parametrize("name", ["vfr.mkv", "h264.mp4", "seek_opengop.mp4", "vp9.webm"])
def test_total_frames_exact_and_pts_match_ffprobe(media, name):
    path = media(name)
    pts = ffprobe_frames(path)
    with kzv.VideoDecoder(path) as d:
        assert d.total_frames == len(pts) == len(d)
        got = [f.pts for f in d]
    assert got == pytest.approx(pts, abs=1e-6)


def test_count_frames_setting(media):
    with kzv.VideoDecoder(media("vfr.mkv"), count_frames=True) as d:
        assert d.metadata["width"] == 320 and d.total_frames == 53


def test_rotation(media):
    with kzv.VideoDecoder(media("rotate90.mp4")) as d:
        assert d.rotation in (90, 270)


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "numpy", "mmap", "fileobj",
                                  "bytesio", "pathlib"])
def test_sources(media, kind):
    path = media("h264.mp4")
    raw = open(path, "rb").read()
    f = None
    if kind == "bytes":
        src = raw
    elif kind == "bytearray":
        src = bytearray(raw)
    elif kind == "memoryview":
        src = memoryview(raw)
    elif kind == "numpy":
        src = np.frombuffer(raw, np.uint8)
    elif kind == "mmap":
        f = open(path, "rb")
        src = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    elif kind == "fileobj":
        src = f = open(path, "rb")
    elif kind == "bytesio":
        src = io.BytesIO(raw)
    else:
        src = pathlib.Path(path)
    with kzv.VideoDecoder(src) as d:
        got = [np.array(fr.data) for fr in d]
        if kind == "fileobj":
            assert d.source == path                   # the file's name
        elif kind == "pathlib":
            assert d.source == path
    want = sequential(path)
    assert len(got) == len(want) == 50
    assert all(np.array_equal(g, w[2]) for g, w in zip(got, want))
    if kind == "mmap":
        src.close()
    if f:
        f.close()


def test_memory_source_name_and_random_access(media):
    raw = open(media("seek_opengop.mp4"), "rb").read()
    with kzv.VideoDecoder(raw, name="clip.mp4") as d:
        assert d.source == "clip.mp4" and len(d) == 144
        assert np.array_equal(d[100].data, sequential(media("seek_opengop.mp4"))[100][2])


def test_bytearray_is_pinned_while_open(media):
    buf = bytearray(open(media("h264.mp4"), "rb").read())
    d = kzv.VideoDecoder(buf)
    with pytest.raises(BufferError):
        buf.extend(b"x")                 # the decoder reads it in place
    d.close()
    buf.extend(b"x")


def test_iteration_read_and_end(media):
    with kzv.VideoDecoder(media("py_short.mp4")) as d:
        assert iter(d) is d
        first = d.read()
        rest = list(d)
        assert first.frame_index == 0 and [f.frame_index for f in rest] == list(range(1, 24))
        assert d.read() is None and list(d) == []
        with pytest.raises(StopIteration):
            next(d)


@pytest.mark.parametrize("name", ["seek_opengop.mp4", "vfr.mkv", "hevc10.mkv", "vp9.webm"])
def test_exact_seek_equals_sequential(media, name):
    path = media(name)
    seq = sequential(path)
    rnd = random.Random(7)
    with kzv.VideoDecoder(path) as d:
        for _ in range(12):
            i = rnd.randrange(len(seq))
            # a time inside frame i's display interval
            t = seq[i][1] + (0.0 if i + 1 == len(seq) else (seq[i + 1][1] - seq[i][1]) * rnd.random() * 0.9)
            d.seek(t)
            f = next(d)
            assert f.frame_index == i and f.pts == seq[i][1]
            assert np.array_equal(f.data, seq[i][2])
            n = rnd.randrange(len(seq))
            d.seek_frame(n)
            g = next(d)
            assert g.frame_index == n and np.array_equal(g.data, seq[n][2])


def test_keyframe_seek_and_edges(media):
    path = media("seek_longgop.mp4")
    with kzv.VideoDecoder(path) as d:
        keys = np.flatnonzero(d.index["keyframe"])
        d.seek(5.0, mode="keyframe")
        f = next(d)
        assert f.keyframe and f.frame_index in keys and f.pts <= 5.0
        d.seek(-3.0)                          # before the start: the first frame
        assert next(d).frame_index == 0
        d.seek(1e6)                           # past the end: nothing more
        assert list(d) == []
        d.seek_frame(-1)
        assert next(d).frame_index == 287
        d.seek_frame(10 ** 6)
        assert d.read() is None
        with pytest.raises(ValueError):
            d.seek(0.0, mode="nearest")
        with pytest.raises(ValueError):
            d.seek(float("nan"))
        with pytest.raises(IndexError):
            d.seek_frame(-10 ** 6)


def test_indexing_and_slices(media):
    path = media("seek_opengop.mp4")
    seq = sequential(path)
    with kzv.VideoDecoder(path) as d:
        for i in (0, 1, 77, 143, -1, -144):
            f = d[i]
            assert f.frame_index == (i % 144) and np.array_equal(f.data, seq[i][2])
        assert d[np.int64(5)].frame_index == 5
        with pytest.raises(IndexError):
            d[144]
        with pytest.raises(IndexError):
            d[-145]
        with pytest.raises(TypeError):
            d["1"]
        for sl in (slice(0, 10), slice(5, 100, 7), slice(None, None, 20), slice(-5, None),
                   slice(100, 10, -9), slice(50, 50)):
            b = d[sl]
            idx = list(range(144))[sl]
            assert list(b.frame_index) == idx and len(b) == len(idx)
            assert b.data.shape == (len(idx), 120, 160, 3)
            for k, i in enumerate(idx):
                assert np.array_equal(b.data[k], seq[i][2]) and b.pts[k] == seq[i][1]
        r = d.get_frames_in_range(10, 40, 3)
        assert list(r.frame_index) == list(range(10, 40, 3))


def test_get_frames_at_any_order_with_repeats(media):
    path = media("seek_opengop.mp4")
    seq = sequential(path)
    want = [143, 0, 77, 77, 5, -1, 31, 30, 100]
    with kzv.VideoDecoder(path) as d:
        b = d.get_frames_at(want)
        b2 = d.get_frames_at(np.array(want, dtype=np.int32))
        with pytest.raises(IndexError):
            d.get_frames_at([0, 144])
        with pytest.raises(TypeError):
            d.get_frames_at([0.5])
        e = d.get_frames_at([])
    assert isinstance(b, kzv.FrameBatch) and b.data.flags.writeable and b.data.flags.c_contiguous
    assert list(b.frame_index) == [i % 144 for i in want]
    for k, i in enumerate(want):
        assert np.array_equal(b.data[k], seq[i][2]) and b.pts[k] == seq[i][1]
    assert np.array_equal(b.data, b2.data) and np.array_equal(b.pts_seconds, b.pts)
    assert list(b.keyframe) == [seq[i][4] for i in want] and b.keyframe[1]
    assert e.data.shape == (0, 120, 160, 3) and len(e) == 0


def test_get_frames_played_at(media):
    path = media("vfr.mkv")
    seq = sequential(path)
    times = [0.0, 1.234, 3.0, 0.5, 1.234]
    with kzv.VideoDecoder(path) as d:
        idx = [d.frame_index_at(t) for t in times]
        b = d.get_frames_played_at(times)
        f = d.get_frame_played_at(1.234)
        with pytest.raises(IndexError):
            d.get_frames_played_at([1e6])
        with pytest.raises(IndexError):
            d.frame_index_at(1e6)
    assert list(b.frame_index) == idx and f.frame_index == idx[1]
    for k, i in enumerate(idx):
        assert seq[i][1] <= times[k] or i == 0
        assert i + 1 == len(seq) or times[k] < seq[i + 1][1]
        assert np.array_equal(b.data[k], seq[i][2])


@pytest.mark.parametrize("fmt", ["yuv420p", "nv12", "yuv420p10", "rgb48", "rgba", "none"])
def test_batch_formats(media, fmt):
    path = media("h264.mp4")
    seq = sequential(path, format=fmt)
    idx = list(range(3, 40, 6))
    with kzv.VideoDecoder(path, format=fmt) as d:
        b = d[3:40:6]
    assert list(b.frame_index) == idx
    if fmt == "none":
        assert b.data is None
        return
    planes = b.data if isinstance(b.data, tuple) else (b.data,)
    assert isinstance(b.data, tuple) == fmt.startswith(("yuv", "nv", "p0"))
    for k, i in enumerate(idx):
        assert len(planes) == len(seq[i][3])
        for p, want in zip(planes, seq[i][3]):
            assert p.dtype == want.dtype and np.array_equal(p[k], want)


def test_batch_refuses_mixed_sizes(media):
    path = media("reschange.ts")
    with kzv.VideoDecoder(path) as d:
        n = len(d)
        with pytest.raises(kzv.UnsupportedError, match="keep_first_size"):
            d[0:n]
    with kzv.VideoDecoder(path, keep_first_size=True) as d:
        b = d[0:len(d)]
        assert b.data.shape[1:] == (240, 320, 3) and len(b) == n


def test_index_structured_array(media):
    path = media("seek_opengop.mp4")
    seq = sequential(path)
    with kzv.VideoDecoder(path) as d:
        ix = d.index
    assert ix.dtype.names == ("pts_ts", "pts", "duration", "pos", "size", "keyframe")
    assert len(ix) == 144 and ix["keyframe"][0] and ix["size"].min() > 0
    assert list(ix["pts"]) == [s[1] for s in seq]
    assert ix["pts_ts"].dtype == np.int64 and ix["keyframe"].dtype == bool


def test_threads_and_hwaccel_settings(media):
    path = media("h264.mp4")
    base = sequential(path)
    for kw in ({"threads": 1}, {"threads": 3}, {"hwaccel": "auto"}, {"hwaccel": "cuda"}, {"hwaccel": None}):
        with kzv.VideoDecoder(path, **kw) as d:
            if "hwaccel" in kw:
                assert d.hwaccel in ("none", "cuda", "vaapi", "vdpau", "vulkan", "drm", "qsv")
            got = [np.array(f.data) for f in d]
        assert all(np.array_equal(g, b[2]) for g, b in zip(got, base)) and len(got) == len(base)
    assert isinstance(kzv.hwaccel_types(), list)
    ok, why = kzv.hwaccel_probe("cuda")
    assert isinstance(ok, bool) and isinstance(why, str)


def test_stats(media):
    with kzv.VideoDecoder(media("h264.mp4")) as d:
        list(d)
        st = d.stats()
    assert st["frames_output"] == 50 and st["corrupt_packets"] == 0 and st["decode_seconds"] > 0
    assert set(st) >= {"packets_read", "frames_decoded", "size_changes", "read_errors", "demux_seconds",
                       "convert_seconds"}


def test_subclassable(media):
    class Mine(kzv.VideoDecoder):
        def first(self):
            return self[0]
    with Mine(media("h264.mp4")) as d:
        assert d.first().frame_index == 0
