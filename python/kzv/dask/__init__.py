"""kzv.dask: frame-exact segment transcoding on a Dask cluster.

    import kzv.dask
    kzv.dask.transcode("in.mkv", "out.mkv", fn, segments=16, codec="libx264", crf=16)

The video is split into segments (kzv.plan_segments: half-open frame ranges
that cover it exactly once, starting on keyframes where possible). The frame
index is computed once and travels with the plan, so no worker rescans the
file. Each Dask task decodes exactly its frames (an exact seek), applies
``fn``, and encodes them — every frame keeps the source's timestamp — into a
segment file under ``<dst>.kzvparts/``, which appears only when complete.
The driver records each finished segment (frame count, SHA-256) in a
manifest there, joins the segments by stream copy and muxes every other
stream of the source once (kzv.join). The result equals one process's
kzv.transcode of the same job, frame for frame.

Failures: a worker that dies mid-task is replaced and its task runs again
elsewhere (Dask's own rescheduling); a task that fails every time (``fn``
raises, a damaged frame in strict mode) fails the job with SegmentError
naming the segment's range, leaving finished segments in place. Running the
same job again resumes: segments in the manifest are not computed again.

On a real cluster the source, ``dst`` and its parts directory must be on
storage every worker sees at the same path (NFS, CephFS …).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from typing import Any, Callable, Dict, Optional

from .. import plan_segments
from ._manifest import Manifest
from ._task import ScaleBy, run_segment

__all__ = ["transcode", "SegmentError", "job_key"]


class SegmentError(RuntimeError):
    """A segment failed on every attempt: ``segment`` (its number), ``start``,
    ``end`` (its frame range) and the original exception as __cause__."""

    def __init__(self, segment: int, start: int, end: int, error: BaseException):
        super().__init__(f"segment {segment} (frames [{start}, {end})) failed: "
                         f"{type(error).__name__}: {error}")
        self.segment, self.start, self.end = segment, start, end


def _fn_identity(fn: Optional[Callable]) -> str:
    if fn is None:
        return "none"
    if isinstance(fn, ScaleBy):
        return f"kzv.Scaler({fn.factor})"
    code = getattr(fn, "__code__", None)
    name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"
    body = hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest() if code else ""
    return f"{name}:{body}"


def job_key(src: str, plan, fn: Optional[Callable], encoder: Dict[str, Any], fmt: str) -> str:
    """What makes two runs the same job (resume reuses segments only then):
    the source (path, size, mtime), the plan, fn's code, the settings."""
    st = os.stat(src)
    blob = json.dumps({
        "src": os.path.realpath(src), "size": st.st_size, "mtime": st.st_mtime_ns,
        "segments": [(s.start, s.end) for s in plan], "fn": _fn_identity(fn),
        "encoder": {k: encoder[k] for k in sorted(encoder)}, "format": fmt,
    }, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _local_client(workers: Optional[int]):
    from distributed import Client, LocalCluster
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=40)
    return Client(cluster), cluster


def _eta(fps: float, frames_left: int) -> str:
    if fps <= 0:
        return "--:--:--"
    return time.strftime("%H:%M:%S", time.gmtime(frames_left / fps))


def transcode(src, dst, fn: Optional[Callable] = None, *, scale: Optional[int] = None,
              client=None, workers: Optional[int] = None,
              segments: Optional[int] = None, seconds: Optional[float] = None,
              codec: str = "libx264", crf: Optional[float] = None, qp: Optional[int] = None,
              preset: Optional[str] = None, options=None, pix_fmt: Optional[str] = None,
              threads: Optional[int] = None, format: str = "rgb24", streams: str = "all",
              resume: bool = True, keep_parts: bool = False, retries: int = 2,
              progress=None) -> Dict[str, Any]:
    """Transcode ``src`` into ``dst`` on Dask (see the module's doc).

    client: a distributed.Client; None starts a LocalCluster of ``workers``
    processes (default: one per core). segments / seconds: how to split
    (default: one segment per worker × 2). fn(VideoFrame) -> array | frame |
    None, as in kzv.transcode; it must be picklable (cloudpickle: lambdas
    and closures are). scale: instead of fn, the built-in lanczos upscaler
    by this factor on the frames' own YUV layout (kzv.Scaler: the pixels
    kzv.transcode(src, dst, scale=N) writes). progress: a file to print
    "segments 3/6 …" lines to (None: stderr when it is a terminal; False:
    nothing). Returns counters:
    frames, segments, computed, reused, seconds, fps."""
    src, dst = os.fspath(src), os.fspath(dst)
    if streams not in ("all", "video"):
        raise ValueError("streams must be 'all' or 'video'")
    if segments is not None and seconds is not None:
        raise ValueError("give segments or seconds, not both")
    if scale is not None and scale != 1:
        if fn is not None:
            raise ValueError("give fn or scale, not both")
        fn, format = ScaleBy(scale), "yuv"    # as kzv.transcode's scaler: YUV as decoded
    encoder = {k: v for k, v in dict(codec=codec, crf=crf, qp=qp, preset=preset, options=options,
                                      format=pix_fmt, threads=threads).items() if v is not None}
    if isinstance(encoder.get("options"), dict):
        encoder["options"] = {str(k): str(v) for k, v in encoder["options"].items()}
    if progress is None:
        progress = sys.stderr if sys.stderr.isatty() else False
    t0 = time.monotonic()
    own = None
    if client is None:
        client, own = _local_client(workers)
    try:
        nworkers = max(1, len(client.scheduler_info().get("workers", {})))
        plan = plan_segments(src, count=segments if seconds is None else None,
                             seconds=seconds) if (segments or seconds) else \
            plan_segments(src, count=2 * nworkers)
        key = job_key(src, plan, fn, encoder, format)
        ext = os.path.splitext(dst)[1] or ".mkv"
        manifest = Manifest(dst + ".kzvparts", key, len(plan), fresh=not resume)
        parts = [os.path.join(manifest.dir, f"seg-{k:05d}{ext}") for k in range(len(plan))]
        todo = [k for k in range(len(plan)) if not manifest.done(k, parts[k])]
        reused = len(plan) - len(todo)
        done_frames = sum(plan[k].frames for k in range(len(plan)) if k not in todo)
        futures = {}
        for k in todo:
            fut = client.submit(run_segment, src, parts[k], plan.index, plan[k], fn,
                                encoder, format, key=f"kzv-{key}-seg{k}", pure=False, retries=retries)
            futures[fut] = k
        from distributed import as_completed
        computed_frames = 0
        failure = None
        for fut in as_completed(list(futures)):
            k = futures[fut]
            try:
                res = fut.result()
            except Exception as e:            # the task failed on every attempt
                failure = failure or SegmentError(k, plan[k].start, plan[k].end, e)
                failure.__cause__ = failure.__cause__ or e
                continue
            if res["frames"] != plan[k].frames:
                failure = failure or SegmentError(k, plan[k].start, plan[k].end,
                                                  RuntimeError(f"{res['frames']} frames written"))
                continue
            manifest.record(k, os.path.basename(parts[k]), res)
            done_frames += res["frames"]
            computed_frames += res["frames"]
            if progress:
                dt = time.monotonic() - t0
                fps = computed_frames / dt if dt > 0 else 0.0
                print(f"kzv.dask: segments {manifest.count()}/{len(plan)}  frames {done_frames}/"
                      f"{plan.total_frames}  {fps:.1f} fps  ETA {_eta(fps, plan.total_frames - done_frames)}",
                      file=progress, flush=True)
        if failure:
            for fut in futures:
                fut.cancel()
            raise failure
        from .. import join
        join(dst, parts, source=src if streams == "all" else None)
        if not keep_parts:
            manifest.remove(parts)
        secs = time.monotonic() - t0
        return {"frames": plan.total_frames, "segments": len(plan), "computed": len(todo),
                "reused": reused, "seconds": secs, "fps": plan.total_frames / secs if secs > 0 else 0.0}
    finally:
        if own is not None:
            client.close()
            own.close()
