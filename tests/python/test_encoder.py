"""kzv.VideoEncoder and kzv.transcode(): arrays and frames in, every pts
kept, audio copied, errors as exceptions, nothing left behind on failure."""
import json
import os
import subprocess

import numpy as np
import pytest

import kzv


def ffprobe(path, *args):
    out = subprocess.run(["ffprobe", "-v", "error", *args, "-of", "json", path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def frame_pts(path):
    return [int(f["pts"]) for f in ffprobe(path, "-select_streams", "v:0", "-show_entries", "frame=pts")["frames"]]


@pytest.fixture
def source(tmp_path):
    p = str(tmp_path / "src.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25:duration=1",
                    "-f", "lavfi", "-i", "sine=d=1", "-c:v", "libx264", "-preset", "ultrafast",
                    "-c:a", "aac", "-b:a", "32k", p], check=True)
    return p


def test_arrays_vfr(tmp_path):
    out = str(tmp_path / "a.mkv")
    pts = [0, 40, 65, 200, 210, 400]
    with kzv.VideoEncoder(out, codec="libx264", preset="ultrafast", crf=10, options={"bf": 2}) as enc:
        for i, p in enumerate(pts):
            a = np.full((48, 64, 3), (200, 30, 60), np.uint8)
            a[:, : i * 4] = 0
            enc.write(a, pts=p)
        assert not os.path.exists(out)
    assert os.path.exists(out)
    assert frame_pts(out) == pts
    with kzv.VideoDecoder(out) as d:
        f = next(iter(d))
        assert abs(f.data[24, 40].astype(int) - (200, 30, 60)).max() <= 2


def test_strided_and_rgb48_arrays(tmp_path):
    out = str(tmp_path / "b.mkv")
    big = np.zeros((48, 128, 3), np.uint8)
    with kzv.VideoEncoder(out, codec="ffv1", format="yuv444p") as enc:
        enc.write(big[:, ::2], pts=0)        # not contiguous: copied once
        enc.write(big[:, :64], pts=1)        # rows strided: no copy
    assert frame_pts(out) == [0, 1]
    out = str(tmp_path / "c.mkv")
    with kzv.VideoEncoder(out, codec="ffv1", format="yuv444p10", time_base=(1, 24)) as enc:
        enc.write(np.full((16, 16, 3), 30000, np.uint16), pts=0)
        enc.write(np.full((16, 16, 3), 30000, np.uint16), pts=1.0)   # seconds -> 24
    assert frame_pts(out) == [0, 1000]      # Matroska stores milliseconds


def test_errors_leave_nothing(tmp_path):
    out = str(tmp_path / "bad.mkv")
    with pytest.raises(kzv.UnsupportedError):
        kzv.VideoEncoder(out, codec="no-such-codec")
    with pytest.raises(kzv.InvalidArgumentError, match="nosuchopt"):
        kzv.VideoEncoder(out, options=["nosuchopt=1"])
    enc = kzv.VideoEncoder(out, preset="ultrafast")
    enc.write(np.zeros((48, 64, 3), np.uint8), pts=5)
    with pytest.raises(kzv.InvalidArgumentError, match="increase"):
        enc.write(np.zeros((48, 64, 3), np.uint8), pts=5)
    with pytest.raises(ValueError, match="pts"):
        enc.write(np.zeros((48, 64, 3), np.uint8))
    enc.abort()
    assert enc.closed
    with pytest.raises(RuntimeError):
        with kzv.VideoEncoder(out, preset="ultrafast") as enc:
            enc.write(np.zeros((48, 64, 3), np.uint8), pts=0)
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_transcode_with_fn(source, tmp_path):
    out = str(tmp_path / "x2.mkv")
    seen = []

    def up(frame):
        seen.append(frame.pts)
        return np.repeat(np.repeat(frame.data, 2, axis=0), 2, axis=1)
    n = kzv.transcode(source, out, up, preset="ultrafast")
    assert n == 25 == len(seen)
    assert frame_pts(out) == frame_pts(source)
    s = ffprobe(out, "-show_entries", "stream=codec_type,width,height")["streams"]
    assert [x["codec_type"] for x in s] == ["video", "audio"] and s[0]["width"] == 128


def test_transcode_fn_error_is_raised(source, tmp_path):
    def bad(frame):
        raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback"):
        kzv.transcode(source, str(tmp_path / "y.mkv"), bad)
    assert os.listdir(tmp_path) == ["src.mkv"]
    with pytest.raises(ValueError, match="arrays"):
        kzv.transcode(source, str(tmp_path / "z.mkv"), lambda f: np.zeros((2, 2), np.uint8))
    assert os.listdir(tmp_path) == ["src.mkv"]


def test_threads_writing_and_closing_take_turns(tmp_path):
    """A close from one thread while another writes and a third reads the
    frame count never crashes: the encoder is used by one call at a time.
    The close finishes the file with the frames written before it, and the
    writes after it raise ClosedError."""
    import threading
    import time
    from fractions import Fraction
    out = tmp_path / "t.mkv"
    enc = kzv.VideoEncoder(str(out), codec="ffv1", time_base=Fraction(1, 1000))
    written, counts, started = [], [], threading.Event()

    def writer():
        for p in range(0, 100000, 10):
            try:
                enc.write(np.zeros((48, 64, 3), np.uint8), pts=p)
            except kzv.ClosedError:
                return
            written.append(p)
            started.set()

    def reader():
        while not enc.closed:
            counts.append(enc.frames)

    ts = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in ts:
        t.start()
    assert started.wait(60)
    time.sleep(0.05)
    enc.close()
    for t in ts:
        t.join()
    assert enc.closed and written and counts == sorted(counts)
    with pytest.raises(kzv.ClosedError):
        enc.write(np.zeros((48, 64, 3), np.uint8), pts=10**7)
    with kzv.VideoDecoder(str(out)) as d:
        assert len(d) == len(written)


def test_scaler(source):
    """kzv.Scaler: the built-in upscaler on VideoFrames, YUV and RGB, with the
    frame's timing; the pixels kzv.transcode(scale=2) encodes (lossless)."""
    up = kzv.Scaler(2)
    assert up.factor == 2
    with kzv.VideoDecoder(source, format="yuv") as d:
        frames = [next(d) for _ in range(3)]
    big = [up(f) for f in frames]
    for f, b in zip(frames, big):
        assert (b.width, b.height, b.format) == (2 * f.width, 2 * f.height, f.format)
        assert (b.pts_ts, b.time_base, b.frame_index, b.keyframe) == (f.pts_ts, f.time_base, f.frame_index,
                                                                       f.keyframe)
    with kzv.VideoDecoder(source) as d:
        rgb = up(next(d))
        assert rgb.format == "rgb24" and rgb.data.shape == (2 * d.height, 2 * d.width, 3)
    with pytest.raises(ValueError, match="2..16"):
        kzv.Scaler(1)
    with pytest.raises(TypeError):
        up(np.zeros((4, 4, 3), np.uint8))


def test_scaler_equals_transcode_scale(source, tmp_path):
    out = tmp_path / "s.mkv"
    kzv.transcode(source, str(out), scale=2, codec="ffv1", frames=4)
    up = kzv.Scaler(2)
    with kzv.VideoDecoder(source, format="yuv") as d, kzv.VideoDecoder(str(out), format="yuv") as o:
        for _ in range(4):
            a, b = up(next(d)), next(o)
            assert (a.width, a.height, a.format) == (b.width, b.height, b.format) == (128, 96, "yuv420p")
            assert all(np.array_equal(x, y) for x, y in zip(a.planes, b.planes)) and len(a.planes) == 3
