"""Bad input and misuse raise the right exception, with the file and FFmpeg's
reason in it, and never crash the interpreter (each case also runs in a
child interpreter, whose exit status proves it did not die)."""
import errno
import os
import textwrap

import numpy as np
import pytest

import kzv
from conftest import run_python

BAD = [
    ("missing.mp4", FileNotFoundError),
    ("empty.mp4", kzv.InvalidDataError),
    ("garbage.mp4", kzv.InvalidDataError),
    ("text.mp4", kzv.InvalidDataError),
    ("audio_only.m4a", kzv.NoVideoStreamError),
    ("audio_cover.mp3", kzv.NoVideoStreamError),
    ("truncated_moov.mp4", kzv.InvalidDataError),
    ("unsupported.avi", kzv.UnsupportedError),
]


def path_of(media, name):
    return os.path.join(os.path.dirname(media("h264.mp4")), name) if name == "missing.mp4" else media(name)


@pytest.mark.parametrize("name,exc", BAD)
def test_open_errors(media, name, exc):
    p = path_of(media, name)
    for src in (p, None):
        if src is None:
            if name == "missing.mp4":
                continue
            src = open(p, "rb").read() or b""      # the same bytes from memory
        with pytest.raises(exc) as ei:
            kzv.VideoDecoder(src)
        e = ei.value
        if exc is FileNotFoundError:
            assert e.errno == errno.ENOENT and e.filename == p and name in str(e)
        else:
            assert isinstance(e, ValueError) and isinstance(e, kzv.Error)
            assert e.code == exc.code < 0 and e.reason == str(e) and e.reason
            if isinstance(src, str):
                assert name in e.reason
    with pytest.raises(exc):
        kzv.VideoFrameProcessor(p)


def test_reasons_carry_ffmpeg_words(media):
    with pytest.raises(kzv.InvalidDataError) as ei:
        kzv.VideoDecoder(media("garbage.mp4"))
    assert "garbage.mp4" in str(ei.value) and "Invalid data" in str(ei.value)
    with pytest.raises(kzv.NoVideoStreamError, match="audio_only.m4a"):
        kzv.VideoDecoder(media("audio_only.m4a"))


def test_error_hierarchy():
    codes = {kzv.EndOfStreamError: -1, kzv.WouldBlockError: -2, kzv.TimedOutError: -3,
             kzv.NoVideoStreamError: -5, kzv.UnsupportedError: -6, kzv.InvalidDataError: -7,
             kzv.InputOutputError: -8, kzv.OutOfMemoryError: -9, kzv.InvalidArgumentError: -10,
             kzv.ClosedError: -11, kzv.CanceledError: -12, kzv.GPUError: -13}
    for cls, code in codes.items():
        assert issubclass(cls, kzv.Error) and issubclass(cls, ValueError) and cls.code == code
        assert kzv.error_class(code) is cls and kzv.strerror(code)
    assert kzv.error_class(-4) is FileNotFoundError
    assert issubclass(kzv.TimedOutError, TimeoutError) and issubclass(kzv.OutOfMemoryError, MemoryError)


def test_truncated_file_delivers_its_head(media):
    with kzv.VideoDecoder(media("truncated.mp4")) as d:
        frames = []
        try:
            for f in d:
                frames.append(f.frame_index)
        except kzv.Error:
            pass
    assert frames and frames == list(range(len(frames)))


def test_corrupt_packets_are_skipped_or_strict(media):
    with kzv.VideoDecoder(media("corrupt_mid.mkv"), threads=1) as d:
        n = sum(1 for _ in d)
        assert n > 0 and d.stats()["corrupt_packets"] + d.stats()["corrupt_frames"] > 0
    with kzv.VideoDecoder(media("corrupt_mid.mkv"), threads=1, strict=True) as d:
        with pytest.raises(kzv.InvalidDataError):
            for _ in d:
                pass


def test_wrong_argument_types(media):
    p = media("h264.mp4")
    with pytest.raises(TypeError):
        kzv.VideoDecoder(123)
    with pytest.raises(TypeError):
        kzv.VideoDecoder(p, threads="4")
    with pytest.raises(TypeError):
        kzv.VideoDecoder(p, format=3)
    with pytest.raises(ValueError):
        kzv.VideoDecoder(p, format="rgb23")
    with pytest.raises(TypeError):
        kzv.VideoDecoder(p, nonsense=1)
    with pytest.raises(ValueError):
        kzv.VideoDecoder(p, threads=-1)
    with pytest.raises(TypeError):
        kzv.VideoDecoder(p, hwaccel=1)
    with pytest.raises(TypeError):
        kzv.VideoDecoder(io_obj := type("R", (), {"read": lambda self: 42})())
    del io_obj
    with pytest.raises(TypeError):
        kzv.FrameQueue("16")
    with pytest.raises(ValueError):
        kzv.FrameQueue(0)
    with pytest.raises(ValueError):
        kzv.FrameQueue(policy="lifo")
    q = kzv.FrameQueue()
    with pytest.raises(TypeError):
        q.enqueue(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(TypeError):
        q.dequeue(timeout="1")
    with pytest.raises(ValueError):
        q.dequeue(timeout=-1)
    with pytest.raises(TypeError):
        kzv.VideoFrameProcessor(p, gpu_uploader=object())
    with pytest.raises(TypeError):
        kzv.VideoFrameProcessor(b"raw bytes are not a path")
    with kzv.VideoFrameProcessor(p) as pr:
        with pytest.raises(TypeError):
            pr.process_all_frames(None)
    with pytest.raises(TypeError):
        kzv.MemoryUploader().upload_frame("frame")
    with pytest.raises(TypeError):
        kzv.Uploader()


def test_use_after_close(media):
    p = media("h264.mp4")
    d = kzv.VideoDecoder(p)
    f = next(d)
    d.close()
    d.close()                                   # idempotent
    assert d.closed and f.data.shape == (240, 320, 3)
    for call in (lambda: next(d), d.read, lambda: d.seek(1.0), lambda: d.seek_frame(2), lambda: len(d),
                 lambda: d[0], lambda: d[0:2], lambda: d.get_frames_at([0]), lambda: d.width,
                 lambda: d.total_frames, lambda: d.index, d.stats, lambda: iter(d), d.__enter__):
        with pytest.raises(kzv.ClosedError):
            call()
    assert "closed" in repr(d)
    q = kzv.FrameQueue()
    q.close()
    with pytest.raises(kzv.ClosedError):
        q.enqueue(f)
    assert q.dequeue() is None and q.dequeue(timeout=0) is None
    pr = kzv.VideoFrameProcessor(p)
    pr.close()
    with pytest.raises(kzv.ClosedError):
        pr.process_all_frames(lambda fr, t: None)
    with pytest.raises(kzv.ClosedError):
        pr.decoder
    pr.stop()                                   # harmless
    u = kzv.MemoryUploader()
    u.close()
    with pytest.raises(kzv.ClosedError):
        u.upload_frame(f)
    with pytest.raises(kzv.ClosedError):
        kzv.VideoFrameProcessor(p, gpu_uploader=u)


def test_process_all_frames_once(media):
    with kzv.VideoFrameProcessor(media("py_short.mp4")) as pr:
        pr.process_all_frames(lambda f, t: None)
        with pytest.raises(kzv.InvalidArgumentError):
            pr.process_all_frames(lambda f, t: None)


def test_uploader_misuse(media):
    with kzv.VideoDecoder(media("h264.mp4")) as d:
        f = next(d)
    u = kzv.MemoryUploader()
    t = u.upload_frame(f)
    assert t != 0 and u.get_texture_size(t) == (320, 240) and u.live_textures == 1
    assert np.array_equal(u.read(t).data, f.data)
    u.release_texture(t)
    with pytest.raises(kzv.InvalidArgumentError):
        u.release_texture(t)                    # double release: refused, nothing freed twice
    with pytest.raises(kzv.InvalidArgumentError):
        u.get_texture_size(12345)
    with pytest.raises(kzv.InvalidArgumentError):
        u.release_texture(-1)
    with kzv.VideoFrameProcessor(media("py_short.mp4"), gpu_uploader=u):
        with pytest.raises(RuntimeError):
            u.close()                           # in use by the processor
    u.close()


@pytest.mark.parametrize("name", [n for n, _ in BAD] + ["truncated.mp4", "corrupt_mid.mkv"])
def test_no_crash_in_child(media, name):
    p = path_of(media, name)
    code = textwrap.dedent("""
        import sys, kzv
        p = sys.argv[1]
        for make in (lambda: kzv.VideoDecoder(p), lambda: kzv.VideoDecoder(open(p, 'rb').read())):
            try:
                d = make()
                n = len(d); b = d[0:min(n, 5)]; list(d); d.seek(0.5); d.close()
            except (kzv.Error, FileNotFoundError, IndexError) as e:
                print(type(e).__name__)
        try:
            kzv.VideoFrameProcessor(p).process_all_frames(lambda f, t: None)
        except (kzv.Error, FileNotFoundError) as e:
            print(type(e).__name__)
        print("survived")
    """)
    r = run_python(code, p)
    assert r.returncode == 0 and r.stdout.rstrip().endswith("survived"), r.stderr[-2000:]
