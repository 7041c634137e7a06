"""VideoFrameProcessor: callbacks in order, the seed's graceful degradation
(exceptions reported with the frame index, processing goes on), stop and
close from anywhere, and every texture released exactly once — Python
uploaders, the memory backend and the GL backend alike."""
import logging
import threading

import numpy as np
import pytest

import kzv

N = 288          # py_clip.mp4


class CountingUploader(kzv.IGPUTextureUploader):
    """Records every upload and release; fails on request."""

    def __init__(self, fail_upload_at=(), fail_release_at=(), same_id=False):
        self.live, self.uploaded, self.released = {}, [], []
        self.fail_upload_at, self.fail_release_at, self.same_id = set(fail_upload_at), set(fail_release_at), same_id
        self.n = 0

    def upload_frame(self, frame):
        if frame.frame_index in self.fail_upload_at:
            raise RuntimeError(f"no texture for {frame.frame_index}")
        self.n += 1
        tex = ("tex", 1) if self.same_id else ("tex", self.n)
        self.live.setdefault(tex, []).append(frame.frame_index)
        self.uploaded.append(frame.frame_index)
        return tex

    def release_texture(self, texture_id):
        idx = self.live[texture_id].pop(0)
        if not self.live[texture_id]:
            del self.live[texture_id]
        self.released.append(idx)
        if idx in self.fail_release_at:
            raise RuntimeError("release failed")

    def get_texture_size(self, texture_id):
        return (160, 90)


def test_callback_order_and_texture_none(media):
    seen = []
    with kzv.VideoFrameProcessor(media("py_clip.mp4")) as p:
        st = p.process_all_frames(lambda f, t: seen.append((f.frame_index, t, f.data.shape)))
        assert (p.width, p.height, p.fps, p.codec) == (160, 90, 24.0, "h264")
    assert seen == [(i, None, (90, 160, 3)) for i in range(N)]
    assert st["decoded"] == st["enqueued"] == st["processing"] == N and st["uploaded"] == 0


def test_frames_can_be_kept(media):
    kept = []
    with kzv.VideoFrameProcessor(media("py_short.mp4")) as p:
        p.process_all_frames(lambda f, t: kept.append(f))
    with kzv.VideoDecoder(media("py_short.mp4")) as d:
        for f, g in zip(kept, d):
            assert np.array_equal(f.data, g.data)
    assert len(kept) == 24


def test_python_uploader_exactly_once(media):
    u = CountingUploader()
    texs = []
    with kzv.VideoFrameProcessor(media("py_clip.mp4"), gpu_uploader=u) as p:
        st = p.process_all_frames(lambda f, t: texs.append(t))
    assert u.uploaded == u.released == list(range(N)) and u.live == {}
    assert texs == [("tex", i + 1) for i in range(N)]
    assert st["uploaded"] == st["released"] == N


def test_same_id_twice_is_two_textures(media):
    u = CountingUploader(same_id=True)
    with kzv.VideoFrameProcessor(media("py_short.mp4"), gpu_uploader=u) as p:
        p.process_all_frames(lambda f, t: None)
    assert u.released == list(range(24)) and u.live == {}


def test_exception_reported_with_index_and_processing_goes_on(media, caplog):
    u = CountingUploader()
    seen = []

    def cb(frame, tex):
        seen.append(frame.frame_index)
        if frame.frame_index in (3, 200):
            raise ValueError(f"bad frame {frame.frame_index}")

    with caplog.at_level(logging.ERROR, logger="kzv"):
        with kzv.VideoFrameProcessor(media("py_clip.mp4"), gpu_uploader=u) as p:
            st = p.process_all_frames(cb)
            errs = p.errors
    assert seen == list(range(N))
    assert [(i, str(e)) for i, e in errs] == [(3, "bad frame 3"), (200, "bad frame 200")]
    assert st["callback_errors"] == 2 and st["errors"] == 2
    assert u.released == list(range(N))            # released after failing callbacks too
    msgs = [r.getMessage() for r in caplog.records]
    assert any("frame 3" in m and "bad frame 3" in m for m in msgs)
    assert any("frame 200" in m for m in msgs)


def test_on_error_hook(media):
    got = []
    with kzv.VideoFrameProcessor(media("py_short.mp4"), on_error=lambda i, e: got.append((i, type(e)))) as p:
        p.process_all_frames(lambda f, t: 1 / (f.frame_index % 10))
    assert got == [(0, ZeroDivisionError), (10, ZeroDivisionError), (20, ZeroDivisionError)]


def test_stop_on_error_raises(media):
    u = CountingUploader()
    with kzv.VideoFrameProcessor(media("py_clip.mp4"), gpu_uploader=u, stop_on_error=True) as p:
        with pytest.raises(KeyError) as ei:
            p.process_all_frames(lambda f, t: {}[f.frame_index] if f.frame_index == 10 else None)
    assert any("frame 10" in n for n in getattr(ei.value, "__notes__", ["frame 10"]))
    assert u.live == {} and len(u.uploaded) == len(u.released) and u.released[-1] == 10


def test_keyboard_interrupt_in_callback_propagates(media):
    u = CountingUploader()
    with kzv.VideoFrameProcessor(media("py_clip.mp4"), gpu_uploader=u) as p:
        def cb(f, t):
            if f.frame_index == 5:
                raise KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt):
            p.process_all_frames(cb)
    assert u.live == {} and u.released == list(range(6))


def test_upload_errors_skip_the_frame(media):
    u = CountingUploader(fail_upload_at={2, 7}, fail_release_at={4})
    seen = []
    with kzv.VideoFrameProcessor(media("py_short.mp4"), gpu_uploader=u) as p:
        st = p.process_all_frames(lambda f, t: seen.append(f.frame_index))
        errs = [(i, str(e)) for i, e in p.errors]
    assert seen == [i for i in range(24) if i not in (2, 7)]
    assert u.live == {} and sorted(u.released) == seen
    assert (2, "no texture for 2") in errs and (7, "no texture for 7") in errs
    assert any(str(e) == "release failed" for _, e in errs)
    assert st["errors"] >= 2


def test_stop_from_callback_and_from_thread(media):
    u = CountingUploader()
    with kzv.VideoFrameProcessor(media("py_clip.mp4"), gpu_uploader=u) as p:
        st = p.process_all_frames(lambda f, t: p.stop() if f.frame_index == 20 else None)
    assert st["processing"] == 21 and u.live == {} and len(u.released) == 21
    got = []
    p = kzv.VideoFrameProcessor(media("py_clip.mp4"), queue_size=2)
    timer = threading.Timer(0.3, p.stop)

    def slow(f, t):
        got.append(f.frame_index)
        threading.Event().wait(0.01)

    timer.start()
    p.process_all_frames(slow)
    timer.join()
    assert 0 < len(got) < N and got == list(range(len(got)))
    p.close()


def test_close_inside_callback(media):
    u = CountingUploader()
    p = kzv.VideoFrameProcessor(media("py_clip.mp4"), gpu_uploader=u)
    p.process_all_frames(lambda f, t: p.close() if f.frame_index == 3 else None)
    assert p.closed and u.live == {} and len(u.released) == 4


def test_close_before_run_releases_nothing_twice(media):
    u = CountingUploader()
    p = kzv.VideoFrameProcessor(media("py_clip.mp4"), gpu_uploader=u)
    p.close()
    assert u.uploaded == u.released == []


def test_start_and_max_frames(media):
    seen = []
    with kzv.VideoFrameProcessor(media("py_clip.mp4"), start_frame=100, max_frames=5) as p:
        p.process_all_frames(lambda f, t: seen.append(f.frame_index))
    assert seen == [100, 101, 102, 103, 104]
    seen.clear()
    with kzv.VideoFrameProcessor(media("py_clip.mp4"), start_time=10.5) as p:
        p.process_all_frames(lambda f, t: seen.append(f.frame_index))
    assert seen == list(range(252, N))


def test_decoder_options_and_drop_policy(media):
    shapes = set()
    with kzv.VideoFrameProcessor(media("py_short.mp4"), format="yuv420p", threads=1, policy="drop_oldest",
                                 queue_size=2) as p:
        st = p.process_all_frames(lambda f, t: shapes.add(tuple(x.shape for x in f.planes)))
        assert p.decoder.format == "yuv420p"
    assert shapes == {((90, 160), (45, 80), (45, 80))}
    assert st["processing"] + st["dropped"] == 24


def test_decoder_attribute_and_stats(media):
    with kzv.VideoFrameProcessor(media("py_short.mp4")) as p:
        d = p.decoder
        assert p.decoder is d and d.fps == 24.0 and sum(1 for _ in d) == 24
        p.process_all_frames(lambda f, t: None)
        assert p.decoder_stats()["frames_output"] == 24
    assert d.closed


def test_memory_uploader_in_processor(media):
    u = kzv.MemoryUploader()
    ok = []

    def cb(frame, tex):
        assert isinstance(tex, int) and u.get_texture_size(tex) == (160, 90)
        ok.append(np.array_equal(u.read(tex).data, frame.data))

    with kzv.VideoFrameProcessor(media("py_short.mp4"), gpu_uploader=u) as p:
        st = p.process_all_frames(cb)
    assert ok == [True] * 24 and st["uploaded"] == st["released"] == 24 and u.live_textures == 0
    u.close()


@pytest.fixture(scope="module")
def gl_uploader():
    try:
        u = kzv.GLUploader()
    except (kzv.GPUError, kzv.UnsupportedError) as e:
        pytest.skip(f"no EGL/GLES here: {e}")
    yield u
    u.close()


def test_gl_uploader_rgb(media, gl_uploader):
    u = gl_uploader
    assert isinstance(u, kzv.IGPUTextureUploader) and u.name == "gl"
    diffs = []

    def cb(frame, tex):
        assert u.gl_name(tex) > 0 and u.get_texture_size(tex) == (160, 90)
        rgba = u.read_texture(tex)
        diffs.append(int(np.abs(rgba[..., :3].astype(int) - frame.data).max()))
        assert (rgba[..., 3] == 255).all()

    with kzv.VideoFrameProcessor(media("py_short.mp4"), gpu_uploader=u) as p:
        st = p.process_all_frames(cb)
    assert diffs == [0] * 24 and st["released"] == 24 and u.live_textures == 0
    assert u.stats()["uploads"] >= 24


def test_gl_uploader_yuv_path(media):
    try:
        u = kzv.GLUploader(path="yuv")
    except (kzv.GPUError, kzv.UnsupportedError) as e:
        pytest.skip(f"no EGL/GLES here: {e}")
    with kzv.VideoDecoder(media("h264.mp4")) as d:
        rgb = [np.array(f.data) for f in d[0:5].data]
    worst = []

    def cb(frame, tex):
        worst.append(int(np.abs(u.read_texture(tex)[..., :3].astype(int) - rgb[frame.frame_index]).max()))

    with kzv.VideoFrameProcessor(media("h264.mp4"), gpu_uploader=u, format="yuv420p", max_frames=5) as p:
        p.process_all_frames(cb)
    u.close()
    assert len(worst) == 5 and max(worst) <= 3      # GPU conversion vs kzv's CPU one


def test_uploader_pointing_back_at_its_processor_is_collected(media):
    import gc
    import weakref

    class BackRef(CountingUploader):
        pass

    u = BackRef()
    p = kzv.VideoFrameProcessor(media("py_short.mp4"), gpu_uploader=u)
    u.processor = p                      # a cycle through the C adapter
    p.process_all_frames(lambda f, t: None)
    wp, wu = weakref.ref(p), weakref.ref(u)
    del p, u
    gc.collect()
    assert wp() is None and wu() is None
