"""One kzv.dask task: encode one segment into its file, on a worker."""
from __future__ import annotations

import hashlib
import os
from typing import Any, Callable, Dict, Optional


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class ScaleBy:
    """fn for a scaled job: the built-in upscaler (kzv.Scaler, the pixels
    kzv.transcode(..., scale=factor) writes). Pickles as its factor; each
    worker makes its own scaler on first use."""

    def __init__(self, factor: int):
        if not isinstance(factor, int) or not 2 <= factor <= 16:
            raise ValueError(f"scale must be an integer 2..16, not {factor!r}")
        self.factor = factor
        self._scaler = None

    def __getstate__(self):
        return {"factor": self.factor}

    def __setstate__(self, state):
        self.factor, self._scaler = state["factor"], None

    def __call__(self, frame):
        if self._scaler is None:
            from .. import Scaler
            self._scaler = Scaler(self.factor)
        return self._scaler(frame)


def encode_range(src: str, out: str, fn: Optional[Callable], start: int, frames: int,
                 index: Optional[bytes], fmt: str, encoder: Dict[str, Any]) -> int:
    """Encode display frames [start, start + frames) of ``src`` (through ``fn``)
    into the video-only file ``out``; every frame keeps the source's own pts
    and time base (a segment is a piece of the source's timeline, so the
    parts join back by stream copy). Returns the frames written."""
    from .. import VideoDecoder, VideoEncoder
    n = 0
    with VideoDecoder(src, format=fmt, index=index) as dec:
        if start + frames > len(dec):
            raise ValueError(f"frames [{start}, {start + frames}) reach past the video's {len(dec)} frames")
        dec.seek_frame(start)
        c = dec.color
        kw = dict(encoder)
        kw.setdefault("matrix", c.matrix)
        kw.setdefault("range", c.range)
        kw.setdefault("primaries", c.primaries)
        kw.setdefault("transfer", c.transfer)
        if dec.frame_rate:
            kw.setdefault("frame_rate", dec.frame_rate)
        with VideoEncoder(out, time_base=dec.time_base, **kw) as enc:
            for i in range(start, start + frames):
                f = next(dec)
                if f.frame_index != i:
                    raise RuntimeError(f"{src}: decoded frame {f.frame_index} where {i} was due")
                res = fn(f) if fn is not None else None
                if res is None or res is f:
                    enc.write(f)
                else:
                    enc.write(res, pts=f.pts_ts)
                n += 1
    return n


def run_segment(src: str, part: str, index: bytes, seg, fn: Optional[Callable],
                encoder: Dict[str, Any], fmt: str) -> Dict[str, Any]:
    """Decode frames [seg.start, seg.end) of ``src`` exactly (the plan's index:
    no rescan), apply ``fn``, encode into ``part`` (written under a temporary
    name, renamed when complete). Returns frames, bytes, sha256 and the
    worker's pid."""
    n = encode_range(src, part, fn, seg.start, seg.end - seg.start, index, fmt, encoder)
    return {"frames": n, "bytes": os.path.getsize(part), "sha256": sha256_of(part), "pid": os.getpid()}
