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


def run_segment(src: str, part: str, index: bytes, seg, fn: Optional[Callable],
                encoder: Dict[str, Any], fmt: str) -> Dict[str, Any]:
    """Decode frames [seg.start, seg.end) of ``src`` exactly (the plan's index:
    no rescan), apply ``fn``, encode into ``part`` (written under a temporary
    name, renamed when complete). Returns frames, bytes, sha256, seconds and
    the worker's pid."""
    from .._transcode import encode_range
    st = encode_range(src, part, fn, start=seg.start, frames=seg.end - seg.start, index=index,
                      format=fmt, encoder=encoder)
    st.update(bytes=os.path.getsize(part), sha256=sha256_of(part), pid=os.getpid())
    return st
