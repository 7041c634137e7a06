"""Every public function and method of the kzv package called with hostile
arguments: None, wrong types, out-of-range and non-finite numbers, huge
integers, on live and on closed objects. Run by test_misuse.py in a child
interpreter (its exit status proves the interpreter survived; faulthandler
prints where it died or hung).

    python3 misuse_matrix.py FIXTURE_DIR

Each call must return or raise an ordinary exception with a message: never
crash, hang, or raise SystemError (a C function that failed without setting
an exception, or returned a value with one set). Calls on a closed object
with otherwise valid arguments must raise kzv.ClosedError. Prints one JSON
object: calls made, problems found (each with the call and what happened).
"""
import faulthandler
import json
import math
import os
import sys
import tempfile

import numpy as np

import kzv

faulthandler.enable()
faulthandler.dump_traceback_later(240, exit=True)   # a hang prints where, then exits 1

fixtures = sys.argv[1]
H264 = os.path.join(fixtures, "h264.mp4")
kzv.set_log_level("quiet")


class Opaque:
    pass


BAD = [None, "x", "", b"\x00", bytearray(b"zz"), 1.5, -1, 0, 2**31, -2**31 - 1, 2**63, -2**63 - 1, 2**100,
       math.nan, math.inf, -math.inf, True, [], [None], [2**70], ["a"], (1, 2, 3), {}, {"a": 1},
       Opaque(), np.array([1.5]), np.zeros((2, 2), np.int64), np.array([], np.int64),
       np.array([-1, 2**62], np.int64), np.float64("nan"), np.int64(-5)]
OK_EXC = (TypeError, ValueError, IndexError, OverflowError, KeyError, LookupError, AttributeError,
          kzv.Error, OSError, MemoryError, NotImplementedError, BufferError)

calls = 0
problems = []


def describe(v):
    r = repr(v)
    return r if len(r) < 60 else r[:57] + "..."


def attempt(label, fn, *args, closed=False, **kw):
    """Call fn(*args, **kw); record a problem unless it returns or raises an
    ordinary exception with a message (kzv.ClosedError when `closed`)."""
    global calls
    calls += 1
    what = f"{label}({', '.join([describe(a) for a in args] + [f'{k}={describe(v)}' for k, v in kw.items()])})"
    try:
        out = fn(*args, **kw)
    except SystemError as e:
        problems.append(f"{what}: SystemError: {e}")
        return None
    except OK_EXC as e:
        if not str(e) and not isinstance(e, (KeyError, StopIteration)):
            problems.append(f"{what}: {type(e).__name__} without a message")
        elif closed and not isinstance(e, kzv.ClosedError):
            problems.append(f"{what} on a closed object: {type(e).__name__}: {e} (want kzv.ClosedError)")
        return None
    except StopIteration:
        return None
    except BaseException as e:   # noqa: B902 - anything else is a finding
        problems.append(f"{what}: unexpected {type(e).__name__}: {e}")
        return None
    if closed:
        problems.append(f"{what} on a closed object returned {describe(out)} (want kzv.ClosedError)")
    return out


def methods(obj, skip=()):
    names = [n for n in dir(obj) if not n.startswith("_") or n in ("__getitem__", "__len__", "__next__",
                                                                      "__dlpack__", "__dlpack_device__")]
    cls = type(obj)
    return [(n, getattr(obj, n)) for n in names
            if n not in skip and not isinstance(getattr(cls, n, None), property)
            and type(getattr(cls, n, None)).__name__ != "getset_descriptor" and callable(getattr(cls, n, None))]


def properties(label, obj, closed=False):
    """Every attribute that is not a method: read it (a value, or on a closed
    object possibly kzv.ClosedError)."""
    cls = type(obj)
    for n in dir(obj):
        if n.startswith("_"):
            continue
        a = getattr(cls, n, None)
        if a is None or isinstance(a, property) or type(a).__name__ in ("getset_descriptor", "member_descriptor"):
            attempt(f"{label}.{n} (get)", getattr, obj, n)


def hammer(label, obj, skip=(), arities=(1, 2, 3)):
    """Every method of obj with each BAD value as its argument(s)."""
    for name, m in methods(obj, skip):
        for bad in BAD:
            if 1 in arities:
                attempt(f"{label}.{name}", m, bad)
            if 2 in arities:
                attempt(f"{label}.{name}", m, 0, bad)
                attempt(f"{label}.{name}", m, bad, bad)
        if 3 in arities:
            attempt(f"{label}.{name}", m, 1, 2, 3)


def hammer_kwargs(label, ctor, required=(), names=()):
    """Constructor keywords, one at a time, each BAD value."""
    for k in names:
        for bad in BAD:
            obj = attempt(label, ctor, *required, **{k: bad})
            close = getattr(obj, "close", None)
            if close:
                close()


# ---- module functions ------------------------------------------------------
for fname in ("set_log_level", "strerror", "error_class", "hwaccel_probe", "hwaccel_types"):
    f = getattr(kzv, fname)
    for bad in BAD:
        attempt(f"kzv.{fname}", f, bad)
    attempt(f"kzv.{fname}", f, 1, 2, 3)
kzv.set_log_level("quiet")

# ---- VideoDecoder ------------------------------------------------------------
for bad in BAD:
    d = attempt("VideoDecoder", kzv.VideoDecoder, bad)
    if d is not None:
        d.close()
hammer_kwargs("VideoDecoder", kzv.VideoDecoder, (H264,),
              ("format", "threads", "hwaccel", "stream_index", "strict", "keep_first_size", "count_frames",
               "max_pixels", "io_timeout", "name", "container", "nonesuch"))
d = kzv.VideoDecoder(H264)
frame = d.read()
# read/iteration with bad arguments, and every method with hostile arguments
hammer("decoder", d, skip=("close", "interrupt"))
attempt("decoder.__getitem__", d.__getitem__, slice(None, None, 0))
attempt("decoder.__getitem__", d.__getitem__, slice(2**70, None, -1))
attempt("decoder.__getitem__", d.__getitem__, slice("a", "b", "c"))
attempt("decoder.get_frames_in_range", d.get_frames_in_range, 0, 10, -1)
attempt("decoder.get_frames_in_range", d.get_frames_in_range, -2**63, 2**63 - 1, 1)
attempt("decoder.get_frames_at", d.get_frames_at, np.arange(3, dtype=np.float32))
attempt("decoder.get_frames_at", d.get_frames_at, np.array([[0, 1], [2, 3]]))
attempt("decoder.get_frames_played_at", d.get_frames_played_at, np.array([np.nan, np.inf]))
attempt("decoder.seek", d.seek, 0.0, "sideways")
attempt("decoder.seek", d.seek, 0.0, None)
d.interrupt()
attempt("decoder.read (interrupted)", d.read)
properties("decoder", d)
d.close()
d.close()   # twice is fine
properties("closed decoder", d)
for name, m in methods(d, skip=("close", "interrupt")):
    args = {"read": (), "stats": (), "__len__": (), "__next__": (), "seek": (0.0,), "seek_frame": (0,),
            "get_frame_at": (0,), "get_frame_played_at": (0.0,), "frame_index_at": (0.0,),
            "get_frames_at": ([0],), "get_frames_played_at": ([0.0],), "get_frames_in_range": (0, 1),
            "__getitem__": (0,)}.get(name, ())
    attempt(f"closed decoder.{name}", m, *args, closed=name in {
        "read", "seek", "seek_frame", "get_frame_at", "get_frame_played_at", "frame_index_at",
        "get_frames_at", "get_frames_played_at", "get_frames_in_range", "__getitem__", "__next__"})
attempt("closed decoder.interrupt", d.interrupt)
attempt("closed decoder iteration", list, d)

# ---- VideoFrame / FramePlane -------------------------------------------------
hammer("frame", frame, skip=())
properties("frame", frame)
attempt("frame.plane", frame.plane, 2**64)
with tempfile.TemporaryDirectory() as tmp:
    attempt("frame.save_png", frame.save_png, os.path.join(tmp, "no", "such", "dir.png"))
    attempt("frame.save_png", frame.save_png, tmp)
for bad in BAD:
    attempt("VideoFrame", kzv.VideoFrame, bad)
hammer_kwargs("VideoFrame", kzv.VideoFrame, (np.zeros((4, 4, 3), np.uint8),),
              ("pts", "duration", "frame_index", "keyframe", "pts_ts", "time_base", "format", "nonesuch"))
for shape, dt in (((0, 4, 3), np.uint8), ((4, 4, 2), np.uint8), ((4, 4, 3), np.float32), ((4, 4), np.uint8),
                  ((2**16, 2**16, 3), None), ((4, 4, 3, 1), np.uint8)):
    if dt is None:
        continue
    attempt("VideoFrame", kzv.VideoFrame, np.zeros(shape, dt))
attempt("VideoFrame", kzv.VideoFrame, np.zeros((8, 8, 3), np.uint8)[::2, ::3])
for fmt in ("yuv420p", "nv12", "p010", "rgb48", "none", "yuv"):
    attempt("VideoFrame", kzv.VideoFrame, np.zeros((4, 4, 3), np.uint8), format=fmt)
    attempt("VideoFrame", kzv.VideoFrame, (np.zeros((4, 4), np.uint8),) * 3, format=fmt)
plane = frame.plane(0)
hammer("plane", plane)

# ---- FrameQueue ----------------------------------------------------------------
for bad in BAD:
    q = attempt("FrameQueue", kzv.FrameQueue, bad)
    if q is not None:
        q.close()
hammer_kwargs("FrameQueue", kzv.FrameQueue, (4,), ("policy", "nonesuch"))
q = kzv.FrameQueue(1000)
# dequeue and iteration on an open, empty queue wait for a frame: only the
# argument checks (bad timeouts) are exercised, with values that cannot wait
for bad in BAD:
    if bad is None or (isinstance(bad, (int, float, np.floating, np.integer)) and not isinstance(bad, bool)
                       and not (isinstance(bad, float) and math.isnan(bad)) and bad >= 0):
        continue
    attempt("queue.dequeue", q.dequeue, bad)
    attempt("queue.enqueue", q.enqueue, bad)
    attempt("queue.enqueue", q.enqueue, frame, bad)
hammer("queue", q, skip=("close", "dequeue", "enqueue", "__next__"))
properties("queue", q)
q.close()
properties("closed queue", q)
for name, m in methods(q, skip=("close",)):
    args = {"enqueue": (frame,), "dequeue": (0.01,)}.get(name, ())
    attempt(f"closed queue.{name}", m, *args)
for bad in BAD:
    attempt("closed queue.dequeue", q.dequeue, bad)
    attempt("closed queue.enqueue", q.enqueue, frame, bad)

# ---- uploaders -------------------------------------------------------------------
u = kzv.MemoryUploader()
tex = u.upload_frame(frame)
hammer("memory uploader", u, skip=("close",))
attempt("memory uploader.read", u.read, tex + 12345)
u.close()
for name, m in methods(u, skip=("close",)):
    args = {"upload_frame": (frame,), "release_texture": (tex,), "get_texture_size": (tex,), "read": (tex,)}.get(name, ())
    attempt(f"closed memory uploader.{name}", m, *args)
hammer_kwargs("GLUploader", kzv.GLUploader, (), ("use_current_context", "path", "pbo_ring", "pool_size", "nonesuch"))
try:
    g = kzv.GLUploader()
except kzv.Error:
    g = None
if g is not None:
    t = g.upload_frame(frame)
    hammer("gl uploader", g, skip=("close", "make_current", "release_current", "finish"))
    g.close()
    for name, m in methods(g, skip=("close",)):
        attempt(f"closed gl uploader.{name}", m, *({"upload_frame": (frame,)}.get(name, (t,) if name in (
            "release_texture", "get_texture_size", "gl_name", "read_texture") else ())))

# ---- VideoFrameProcessor -------------------------------------------------------------
for bad in BAD:
    p = attempt("VideoFrameProcessor", kzv.VideoFrameProcessor, bad)
    if p is not None:
        p.close()
    p = attempt("VideoFrameProcessor", kzv.VideoFrameProcessor, H264, bad)
    if p is not None:
        p.close()
hammer_kwargs("VideoFrameProcessor", kzv.VideoFrameProcessor, (H264,),
              ("queue_size", "policy", "start_frame", "start_time", "max_frames", "stop_on_error", "on_error",
               "format", "threads", "nonesuch"))
p = kzv.VideoFrameProcessor(H264, max_frames=3)
hammer("processor", p, skip=("close", "stop"))
attempt("processor.process_all_frames", p.process_all_frames, lambda f, t: 1 / 0)
attempt("processor.process_all_frames", p.process_all_frames, lambda: None)
properties("processor", p)
p.stop()
p.close()
properties("closed processor", p)
for name, m in methods(p, skip=("close", "stop")):
    attempt(f"closed processor.{name}", m, *({"process_all_frames": (lambda f, t: None,)}.get(name, ())))
attempt("closed processor.stop", p.stop)

print(json.dumps({"calls": calls, "problems": problems}))
faulthandler.cancel_dump_traceback_later()
