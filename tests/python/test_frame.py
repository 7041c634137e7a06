"""VideoFrame: the pixels are the kzv_frame's own memory (no copy), they
outlive the decoder, and every output format has the right shape, dtype and
values (checked against the kzv CLI's raw output of the same frames)."""
import ctypes
import gc
import subprocess
import weakref
from fractions import Fraction

import numpy as np
import pytest

import kzv


def first(path, **kw):
    with kzv.VideoDecoder(path, **kw) as d:
        return next(iter(d))


def cli_raw(kzv_cli, path, fmt, frames):
    """The kzv CLI's raw frames of `path` (decode -o -), as bytes."""
    return subprocess.run([kzv_cli, "decode", path, "--format", fmt, "--frames", str(frames), "-o", "-"],
                          capture_output=True, check=True).stdout


def test_attributes(media):
    f = first(media("h264.mp4"))
    assert (f.width, f.height, f.format) == (320, 240, "rgb24")
    assert f.frame_index == 0 and f.pts == 0.0 and f.keyframe is True
    assert f.time_base == Fraction(1, 12800) and f.pts_ts == 0
    assert f.duration == pytest.approx(0.04)
    assert f.color.matrix_name == "bt709" and f.color.range_name == "limited" and f.color.matrix_tagged
    assert f.strides == (320 * 3,)
    assert repr(f).startswith("<kzv.VideoFrame #0 320x240 rgb24")


def test_data_is_the_frame_buffer(media):
    f = first(media("h264.mp4"))
    a = f.data
    assert a.__array_interface__["data"][0] == f._buffer_address(0)
    assert a.shape == (240, 320, 3) and a.dtype == np.uint8 and not a.flags.writeable
    assert f.data is a                                   # cached, not rebuilt
    assert np.asarray(f).__array_interface__["data"][0] == f._buffer_address(0)     # buffer protocol
    assert memoryview(f).shape == (240, 320, 3) and memoryview(f).readonly
    assert f.__array_interface__["data"] == (f._buffer_address(0), True)
    with pytest.raises(ValueError):
        a[0, 0, 0] = 1
    assert not np.frombuffer(f, dtype=np.uint8).flags.writeable
    with pytest.raises((BufferError, TypeError)):   # a writable buffer is refused
        (ctypes.c_char * 10).from_buffer(f)


def test_dlpack_shares_memory(media):
    f = first(media("h264.mp4"))
    t = np.from_dlpack(f)
    assert t.__array_interface__["data"][0] == f._buffer_address(0)
    assert t.shape == (240, 320, 3) and t.dtype == np.uint8
    assert np.array_equal(t, f.data)
    assert f.__dlpack_device__() == (1, 0)
    # A capsule nobody consumes frees its tensor (and frame reference) when collected.
    cap = f.__dlpack__()
    del cap
    with pytest.raises(BufferError):
        f.__dlpack__(stream=1)


def test_data_outlives_decoder_and_frame(media, kzv_cli):
    d = kzv.VideoDecoder(media("h264.mp4"))
    frames = [next(d) for _ in range(3)]
    arrays = [f.data for f in frames]
    tensor = np.from_dlpack(frames[2])
    copies = [np.array(a) for a in arrays]
    d.close()
    del d, frames
    gc.collect()
    # Frames the decoder no longer knows: memory still valid, pixels unchanged.
    for a, c in zip(arrays, copies):
        assert np.array_equal(a, c)
    assert np.array_equal(tensor, copies[2])
    raw = cli_raw(kzv_cli, media("h264.mp4"), "rgb24", 3)
    assert np.array_equal(np.frombuffer(raw, np.uint8).reshape(3, 240, 320, 3), np.stack(copies))


def test_frame_object_freed(media):
    f = first(media("h264.mp4"))
    r = weakref.ref(f)
    a = f.data
    del f
    gc.collect()
    assert r() is None            # the array does not keep the VideoFrame object
    assert a.sum() > 0            # ... but it keeps the pixels


@pytest.mark.parametrize("fmt,dtype,shapes", [
    ("rgb24", np.uint8, [(240, 320, 3)]),
    ("rgba", np.uint8, [(240, 320, 4)]),
    ("rgb48", np.uint16, [(240, 320, 3)]),
    ("yuv420p", np.uint8, [(240, 320), (120, 160), (120, 160)]),
    ("yuv422p", np.uint8, [(240, 320), (240, 160), (240, 160)]),
    ("yuv444p", np.uint8, [(240, 320), (240, 320), (240, 320)]),
    ("yuv420p10", np.uint16, [(240, 320), (120, 160), (120, 160)]),
    ("nv12", np.uint8, [(240, 320), (120, 160, 2)]),
    ("p010", np.uint16, [(240, 320), (120, 160, 2)]),
])
def test_formats_against_cli(media, kzv_cli, fmt, dtype, shapes):
    path = media("h264.mp4")
    f = first(path, format=fmt)
    assert f.format == fmt
    planes = f.planes
    assert [p.shape for p in planes] == shapes and all(p.dtype == dtype for p in planes)
    for i, p in enumerate(planes):
        assert p.__array_interface__["data"][0] == f._buffer_address(i)
    if len(shapes) == 1:
        assert f.data is planes[0]
    else:
        assert isinstance(f.data, tuple) and len(f.data) == len(shapes)
    # The CLI writes the same frame's planes unpadded, one after another.
    raw = np.frombuffer(cli_raw(kzv_cli, path, fmt, 1), dtype=dtype)
    assert raw.size == sum(int(np.prod(s)) for s in shapes)
    assert np.array_equal(np.concatenate([p.ravel() for p in planes]), raw)


def test_rgb48_is_16_bit(media):
    f = first(media("hevc10.mkv"), format="rgb48")
    assert f.data.dtype == np.uint16 and f.data.max() > 255
    assert np.from_dlpack(f).dtype == np.uint16


def test_yuv_native_passthrough(media):
    f = first(media("hevc10.mkv"), format="yuv")
    assert f.format == "yuv420p10"
    y, u, v = f.planes
    assert y.dtype == np.uint16 and y.max() <= 1023
    with pytest.raises(BufferError):
        f.__dlpack__()
    # Each plane goes through DLPack on its own, without a copy.
    for i, p in enumerate(f.planes):
        t = np.from_dlpack(f.plane(i))
        assert t.__array_interface__["data"][0] == f._buffer_address(i) == p.__array_interface__["data"][0]
        assert t.shape == p.shape == f.plane(i).shape and np.array_equal(t, p)
        assert np.asarray(f.plane(i)).__array_interface__["data"][0] == f._buffer_address(i)
    with pytest.raises(IndexError):
        f.plane(3)
    with pytest.raises(BufferError):
        memoryview(f)


def test_nv12_plane_dlpack_after_close(media):
    with kzv.VideoDecoder(media("h264.mp4"), format="nv12") as d:
        f = next(d)
    uv = np.from_dlpack(f.plane(1))
    del f
    assert uv.shape == (120, 160, 2) and uv.dtype == np.uint8 and 16 <= uv.mean() <= 240


def test_timing_only_format(media):
    f = first(media("h264.mp4"), format="none")
    assert f.data is None and f.planes == ()
    assert f.width == 320 and f.pts == 0.0


def test_constructor_copies_array():
    a = np.random.default_rng(1).integers(0, 255, (5, 7, 3), dtype=np.uint8)
    f = kzv.VideoFrame(a, pts=1.5, frame_index=9, time_base=Fraction(1, 1000), pts_ts=1500)
    assert np.array_equal(f.data, a) and f.data.__array_interface__["data"][0] != a.ctypes.data
    assert (f.pts, f.frame_index, f.pts_ts, f.time_base, f.format) == (1.5, 9, 1500, Fraction(1, 1000), "rgb24")
    assert kzv.VideoFrame(np.zeros((2, 2, 4), np.uint8)).format == "rgba"
    assert kzv.VideoFrame(np.zeros((2, 2, 3), np.uint16)).format == "rgb48"
    assert kzv.VideoFrame(np.zeros((4, 6, 3), np.uint8)[::2, ::2]).data.shape == (2, 3, 3)
    with pytest.raises(ValueError):
        kzv.VideoFrame(np.zeros((2, 2), np.uint8))
    with pytest.raises(ValueError):
        kzv.VideoFrame(np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ValueError):
        kzv.VideoFrame(np.zeros((2, 2, 3), np.uint8), format="rgba")
    with pytest.raises(TypeError):
        kzv.VideoFrame(np.zeros((2, 2, 3), np.uint8), pts="x")


def test_save_png(media, tmp_path):
    f = first(media("h264.mp4"))
    p = tmp_path / "f.png"
    f.save_png(p)
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(kzv.InputOutputError):
        f.save_png(tmp_path / "no" / "such" / "dir.png")
