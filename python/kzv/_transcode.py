"""kzv.transcode: decode → fn → encode → mux, in one process.

    kzv.transcode("in.mkv", "out.mkv", lambda f: model(f.data), codec="libx265", crf=16)

Every decoded frame becomes exactly one encoded frame with the source's own
timestamp (VFR kept); ``fn(VideoFrame)`` returns an (H, W, 3|4) uint8 or
(H, W, 3) uint16 array of any size (the same for every frame), a VideoFrame,
or None (the frame unchanged). The video is encoded under a temporary name
beside ``dst``, then joined with every other stream of the source (audio,
subtitles, fonts, chapters: kzv.join) into ``dst``, which appears only when
complete.
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, Optional

from ._kzv import VideoDecoder, VideoEncoder, join


def encode_range(src: str, out: str, fn: Optional[Callable] = None, *, start: int = 0,
                 frames: Optional[int] = None, index: Optional[bytes] = None,
                 format: str = "rgb24", decoder_threads: int = 0,
                 encoder: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Encode display frames [start, start + frames) of ``src`` (after ``fn``)
    into the video-only file ``out``, keeping each frame's pts. The building
    block of kzv.transcode and of each kzv.dask task. Returns counters."""
    enc_kw = dict(encoder or {})
    t0 = time.monotonic()
    n = 0
    with VideoDecoder(src, format=format, index=index, threads=decoder_threads) as dec:
        total = len(dec)
        if start < 0 or start > total:
            raise ValueError(f"start frame {start} is outside the video's {total} frames")
        end = total if frames is None else start + frames
        if frames is not None and (frames < 0 or end > total):
            raise ValueError(f"frames [{start}, {end}) reach past the video's {total} frames")
        if start:
            dec.seek_frame(start)
        frame_rate = dec.frame_rate if dec.frame_rate else None
        with VideoEncoder(out, time_base=dec.time_base, frame_rate=frame_rate, color=dec.color,
                          **enc_kw) as enc:
            for i in range(start, end):
                f = next(dec)
                if f.frame_index != i:
                    raise RuntimeError(f"{src}: decoded frame {f.frame_index} where {i} was due")
                res = fn(f) if fn is not None else None
                if res is None or res is f:
                    enc.write(f)
                else:
                    enc.write(res, pts=f.pts_ts)
                n += 1
    return {"frames": n, "seconds": time.monotonic() - t0}


def transcode(src, dst, fn: Optional[Callable] = None, *, codec: str = "libx264",
              crf: Optional[float] = None, qp: Optional[int] = None, preset: Optional[str] = None,
              options=None, pix_fmt: Optional[str] = None, container: Optional[str] = None,
              threads: Optional[int] = None, format: str = "rgb24", streams: str = "all",
              start_frame: int = 0, frames: Optional[int] = None,
              index: Optional[bytes] = None) -> Dict[str, Any]:
    """Transcode ``src`` into ``dst`` through ``fn`` (see the module's doc).
    streams: 'all' (the source's other streams kept) or 'video' (video only).
    start_frame / frames: an exact range (video only: the other streams would
    not match it). Returns {'frames', 'seconds', 'fps'}."""
    src, dst = os.fspath(src), os.fspath(dst)
    if streams not in ("all", "video"):
        raise ValueError("streams must be 'all' or 'video'")
    if (start_frame or frames is not None) and streams == "all":
        raise ValueError("a frame range keeps the video only: pass streams='video'")
    encoder = {k: v for k, v in dict(codec=codec, crf=crf, qp=qp, preset=preset, options=options,
                                      pix_fmt=pix_fmt, container=container, threads=threads).items()
               if v is not None}
    d, base = os.path.split(os.path.abspath(dst))
    root, ext = os.path.splitext(base)
    video = os.path.join(d, f".{root}.video-{os.getpid()}{ext}")
    t0 = time.monotonic()
    try:
        st = encode_range(src, video, fn, start=start_frame, frames=frames, index=index,
                          format=format, encoder=encoder)
        join(dst, [video], source=src if streams == "all" else None, container=container)
    finally:
        if os.path.exists(video):
            os.unlink(video)
    secs = time.monotonic() - t0
    return {"frames": st["frames"], "seconds": secs, "fps": st["frames"] / secs if secs > 0 else 0.0}
