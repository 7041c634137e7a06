"""FrameBatch: frames decoded together, stacked into one array."""
from typing import Optional, Tuple, Union

import numpy as np


class FrameBatch:
    """Frames stacked along a first axis of length N.

    ``data``: one (N, H, W, C) array for RGB formats (uint8; uint16 for
    rgb48), a tuple of per-plane (N, h, w[, 2]) arrays for YUV formats, None
    for format 'none'. The array is the batch's own (writable) memory.
    ``pts``, ``duration`` (float64 seconds), ``frame_index`` (int64) and
    ``keyframe`` (bool) are (N,) arrays in the order the frames were asked for.
    TorchCodec's names ``pts_seconds`` and ``duration_seconds`` work too.
    """

    __slots__ = ("data", "pts", "duration", "frame_index", "keyframe")

    def __init__(self, data: Union[np.ndarray, Tuple[np.ndarray, ...], None], pts: np.ndarray,
                 duration: np.ndarray, frame_index: np.ndarray, keyframe: np.ndarray):
        self.data = data
        self.pts = pts
        self.duration = duration
        self.frame_index = frame_index
        self.keyframe = keyframe

    @property
    def pts_seconds(self) -> np.ndarray:
        return self.pts

    @property
    def duration_seconds(self) -> np.ndarray:
        return self.duration

    @property
    def indices(self) -> np.ndarray:
        return self.frame_index

    def __len__(self) -> int:
        return len(self.pts)

    def __array__(self, dtype=None):
        if not isinstance(self.data, np.ndarray):
            raise TypeError("this batch has several planes: use batch.data[i]")
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self) -> str:
        shape: Optional[object]
        if isinstance(self.data, np.ndarray):
            shape = self.data.shape
        elif self.data is None:
            shape = None
        else:
            shape = tuple(p.shape for p in self.data)
        return f"<kzv.FrameBatch {len(self)} frames, data {shape}>"
