"""Exact segment plans: split a video into half-open frame ranges for
parallel work (kzv.dask, or your own workers).

    plan = kzv.plan_segments("episode.mkv", count=8)
    for seg in plan:                      # Segment(start, end, start_pts, …)
        with plan.open() as dec:          # no rescan: the plan carries the index
            dec.seek_frame(seg.start)
            frames = [next(dec) for _ in range(seg.frames)]

A plan is plain data (picklable): the frame index is computed once, travels
with the plan as bytes, and every decoder opened with ``plan.open()`` uses it
instead of scanning the file (a stale index, of a file changed since, is
refused with a RuntimeWarning and the file is scanned again).
"""
from __future__ import annotations

import fractions
import os
from typing import Iterator, NamedTuple, Optional, Tuple, Union

from ._kzv import VideoDecoder


class Segment(NamedTuple):
    """Display frames [start, end) and their pts span in seconds and in the
    stream's time base; ``keyframe``: frame ``start`` is a random-access point."""
    start: int
    end: int
    start_pts: float
    end_pts: float
    start_pts_ts: int
    end_pts_ts: int
    keyframe: bool

    @property
    def frames(self) -> int:
        return self.end - self.start


class SegmentPlan:
    """Segments covering every frame of ``path`` exactly once, in order, with
    the frame index (``index``, bytes) they were planned on."""

    __slots__ = ("path", "segments", "index", "total_frames", "time_base")

    def __init__(self, path: str, segments: Tuple[Segment, ...], index: bytes,
                 total_frames: int, time_base: fractions.Fraction):
        self.path = path
        self.segments = tuple(segments)
        self.index = bytes(index)
        self.total_frames = total_frames
        self.time_base = time_base

    def __len__(self) -> int:
        return len(self.segments)

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)

    def __getitem__(self, i: int) -> Segment:
        return self.segments[i]

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state):
        for k in self.__slots__:
            setattr(self, k, state[k])

    def __eq__(self, other) -> bool:
        return isinstance(other, SegmentPlan) and self.__getstate__() == other.__getstate__()

    def __repr__(self) -> str:
        return (f"SegmentPlan({self.path!r}, {len(self.segments)} segments, "
                f"{self.total_frames} frames)")

    def open(self, **settings) -> VideoDecoder:
        """A VideoDecoder of the plan's file that uses the plan's index."""
        return VideoDecoder(self.path, index=self.index, **settings)


def plan_segments(path: Union[str, os.PathLike], count: Optional[int] = None,
                  seconds: Optional[float] = None, *, index: Optional[bytes] = None,
                  stream_index: int = -1) -> SegmentPlan:
    """Plan segments of ``path``: ``count`` of them, or about ``seconds`` long
    (default 60 s). Frames are shared evenly; a boundary moves onto a keyframe
    when one lies within a quarter segment of the even split. ``index``: a
    saved index (``SegmentPlan.index``, ``VideoDecoder.export_index()``) to
    reuse instead of scanning."""
    path = os.fspath(path)
    if count is not None and seconds is not None:
        raise ValueError("plan_segments: give count or seconds, not both")
    with VideoDecoder(path, format="none", index=index, stream_index=stream_index) as dec:
        rows = dec.plan_segments(count=count, seconds=seconds)
        data = dec.export_index()
        return SegmentPlan(path, tuple(Segment(*r) for r in rows), data,
                           len(dec), dec.time_base)
