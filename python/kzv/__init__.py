"""kzv — the KizunaSR video core for Python.

Frames with exact timing, decoded by libkzv (FFmpeg underneath) in C:

    from kzv import VideoDecoder

    with VideoDecoder("input.mp4") as decoder:
        print(decoder.width, decoder.height, decoder.fps, decoder.codec)
        for frame in decoder:                 # display order, rgb24
            frame.data                        # (H, W, 3) uint8 numpy view, no copy
            frame.pts, frame.frame_index      # seconds (VFR-exact), 0-based index

Random access (exact): len(decoder), decoder[i], decoder[a:b:s],
decoder.get_frames_at(indices) -> FrameBatch with one stacked (N, H, W, C)
array. DLPack: numpy.from_dlpack(frame), torch.from_dlpack(frame).

The seed design's names are all here: VideoFrame, VideoDecoder, FrameQueue,
IGPUTextureUploader, VideoFrameProcessor; plus the C uploader backends
MemoryUploader and GLUploader. Errors: FileNotFoundError for a missing file,
otherwise subclasses of kzv.Error (a ValueError), one per status code.
"""
from ._kzv import (
    VideoFrame,
    FramePlane,
    VideoDecoder,
    FrameQueue,
    VideoFrameProcessor,
    VideoEncoder,
    Scaler,
    transcode,
    Uploader,
    MemoryUploader,
    GLUploader,
    Color,
    Error,
    EndOfStreamError,
    WouldBlockError,
    TimedOutError,
    NoVideoStreamError,
    UnsupportedError,
    InvalidDataError,
    InputOutputError,
    OutOfMemoryError,
    InvalidArgumentError,
    ClosedError,
    CanceledError,
    GPUError,
    set_log_level,
    strerror,
    error_class,
    hwaccel_types,
    hwaccel_probe,
    library_version,
    join,
)
from ._abc import IGPUTextureUploader
from ._batch import FrameBatch
from ._segments import Segment, SegmentPlan, plan_segments
from . import _kzv, _report

_kzv._register(frame_batch=FrameBatch, report=_report.report_error)

__version__ = library_version

__all__ = [
    "VideoFrame", "VideoDecoder", "FrameQueue", "IGPUTextureUploader", "VideoFrameProcessor",
    "FrameBatch", "FramePlane", "Segment", "SegmentPlan", "plan_segments",
    "MemoryUploader", "GLUploader", "Uploader", "Color",
    "Error", "EndOfStreamError", "WouldBlockError", "TimedOutError", "NoVideoStreamError",
    "UnsupportedError", "InvalidDataError", "InputOutputError", "OutOfMemoryError",
    "InvalidArgumentError", "ClosedError", "CanceledError", "GPUError",
    "VideoEncoder", "Scaler", "transcode", "join",
    "set_log_level", "strerror", "error_class", "hwaccel_types", "hwaccel_probe",
]
