"""kzv.VideoEncoder, kzv.join and kzv.transcode from Python: arrays and
frames in, the source's timing and colour out, the other streams kept; bad
arguments raise (never crash) and leave no file behind."""
import fractions
import os
import subprocess

import numpy as np
import pytest

import kzv


def ffprobe(path, *args):
    return subprocess.run(["ffprobe", "-v", "error", *args, "-of", "csv=p=0", str(path)],
                          capture_output=True, text=True, check=True).stdout.split()


def pts_of(path):
    """The video's presentation times, in display order."""
    return sorted(map(int, ffprobe(path, "-select_streams", "v", "-show_entries", "packet=pts")))


def test_arrays_any_size_and_layout(tmp_path):
    for dtype, c, fmt in ((np.uint8, 3, "rgb24"), (np.uint8, 4, "rgba"), (np.uint16, 3, "rgb48")):
        out = tmp_path / f"{fmt}.mkv"
        with kzv.VideoEncoder(out, codec="ffv1", frame_rate=fractions.Fraction(25)) as e:
            for i in range(5):
                e.write(np.full((48, 80, c), i * 10, dtype))
        assert ffprobe(out, "-count_frames", "-show_entries", "stream=width,height,nb_read_frames") == \
            ["80,48,5"], fmt
    # Rows may be padded (a view into a wider array): still no copy needed.
    wide = np.zeros((48, 100, 3), np.uint8)
    with kzv.VideoEncoder(tmp_path / "pad.mkv", codec="ffv1", time_base=fractions.Fraction(1, 1000)) as e:
        e.write(wide[:, :80], pts=0)
        e.write(wide[:, :80], pts=40)
    assert ffprobe(tmp_path / "pad.mkv", "-show_entries", "packet=pts") == ["0", "40"]


def test_frames_keep_their_timing_and_colour(media, tmp_path):
    src = media("vfr.mkv")
    out = tmp_path / "vfr.mkv"
    with kzv.VideoDecoder(src) as d, kzv.VideoEncoder(out, codec="libx264", preset="ultrafast", qp=0,
                                                       color=d.color, time_base=d.time_base) as e:
        for f in d:
            e.write(f)
    assert pts_of(out) == pts_of(src)
    assert ffprobe(out, "-select_streams", "v", "-show_entries", "stream=color_space,color_range") == \
        ["tv,bt709"]


def test_flat_colour_within_a_level(tmp_path):
    out = tmp_path / "flat.mkv"
    colours = [(16, 128, 240), (200, 30, 90), (255, 255, 255), (0, 0, 0)]
    with kzv.VideoEncoder(out, codec="libx264", qp=0, preset="ultrafast", pix_fmt="yuv444p",
                          frame_rate=fractions.Fraction(10)) as e:
        for c in colours:
            e.write(np.full((32, 32, 3), c, np.uint8))
    with kzv.VideoDecoder(out) as d:
        for f, c in zip(d, colours):
            assert np.abs(f.data.astype(int) - c).max() <= 1, (c, f.data[0, 0])


def test_refusals_raise_and_leave_nothing(tmp_path):
    out = tmp_path / "x.mkv"
    with pytest.raises(kzv.Error, match="bogus"):
        kzv.VideoEncoder(out, options={"bogus": "1"})
    with pytest.raises(kzv.Error):
        kzv.VideoEncoder(out, codec="no-such-codec")
    with pytest.raises(kzv.Error):
        kzv.VideoEncoder(tmp_path / "no" / "dir" / "x.mkv")
    with pytest.raises(TypeError):
        kzv.VideoEncoder(out, options="crf=1")
    e = kzv.VideoEncoder(out, codec="ffv1", time_base=fractions.Fraction(1, 25))
    with pytest.raises(ValueError):
        e.write(np.zeros((8, 8), np.uint8), pts=0)             # no channels
    with pytest.raises(ValueError):
        e.write(np.zeros((8, 8, 3), np.float32), pts=0)        # not uint8/uint16
    with pytest.raises(ValueError):
        e.write(np.zeros((8, 8, 3), np.uint8))                 # no pts, no frame_rate
    e.write(np.zeros((8, 8, 3), np.uint8), pts=1)
    with pytest.raises(kzv.InvalidArgumentError):
        e.write(np.zeros((8, 8, 3), np.uint8), pts=1)          # not increasing
    e.abort()
    with pytest.raises(kzv.ClosedError):
        e.write(np.zeros((8, 8, 3), np.uint8), pts=2)
    e.close()                                                  # idempotent
    with pytest.raises(RuntimeError):
        with kzv.VideoEncoder(out, codec="ffv1", frame_rate=fractions.Fraction(25)) as e2:
            e2.write(np.zeros((8, 8, 3), np.uint8))
            raise RuntimeError("the model failed")
    kzv.VideoEncoder(out, codec="ffv1")                        # dropped unclosed: nothing
    assert os.listdir(tmp_path) == [], os.listdir(tmp_path)
    with pytest.raises(kzv.Error):
        kzv.join(out, [])
    with pytest.raises(TypeError):
        kzv.join(out, str(out))
    with pytest.raises(FileNotFoundError):
        kzv.join(out, [tmp_path / "missing.mkv"])


def test_transcode_upscales_and_keeps_the_rest(tmp_path):
    src = tmp_path / "src.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=24:duration=2",
                    "-f", "lavfi", "-i", "sine=d=2", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2",
                    "-c:a", "aac", "-metadata:s:a:0", "language=jpn", "-output_ts_offset", "0.023", str(src)],
                   check=True)
    out = tmp_path / "up.mkv"
    r = kzv.transcode(src, out, lambda f: f.data.repeat(2, 0).repeat(2, 1), preset="ultrafast")
    assert r["frames"] == 48
    assert ffprobe(out, "-select_streams", "v", "-show_entries", "stream=width,height") == ["128,96"]
    assert pts_of(out) == pts_of(src)
    hashes = lambda p: ffprobe(p, "-select_streams", "a", "-show_packets", "-show_data_hash", "MD5",
                               "-show_entries", "packet=pts,data_hash")
    assert hashes(out) == hashes(src)
    assert ffprobe(out, "-select_streams", "a", "-show_entries", "stream_tags=language") == ["jpn"]
    with pytest.raises(ValueError):
        kzv.transcode(src, out, start_frame=3)                  # a range needs streams='video'
    r = kzv.transcode(src, tmp_path / "cut.mkv", start_frame=10, frames=5, streams="video",
                      preset="ultrafast")
    assert r["frames"] == 5
    assert sorted(os.listdir(tmp_path)) == ["cut.mkv", "src.mkv", "up.mkv"]
