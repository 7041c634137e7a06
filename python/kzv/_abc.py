"""IGPUTextureUploader: the seed's abstract GPU upload interface."""
import abc
from typing import Any, Tuple

from ._kzv import MemoryUploader, GLUploader, VideoFrame


class IGPUTextureUploader(abc.ABC):
    """Abstract base class of texture uploaders.

    Subclass it in Python (OpenGL, Vulkan, WebGPU, a CUDA tensor ...) and pass
    an instance as ``VideoFrameProcessor(path, gpu_uploader=...)``: the
    processor (in C) calls ``upload_frame`` for every frame, hands what it
    returned to your callback as ``texture_id``, and then calls
    ``release_texture`` with it, exactly once per upload, on every path (end,
    ``stop()``, an exception in the callback, ``close()`` before the end).
    ``upload_frame`` may return any object except None; the same object
    returned for two uploads is still two textures (two releases).

    An exception in one of these methods is reported with the frame index and
    the frame is skipped, as for the callback (``stop_on_error`` stops).

    The C backends ``MemoryUploader`` and ``GLUploader`` are registered as
    virtual subclasses: ``isinstance(GLUploader(), IGPUTextureUploader)``.
    """

    @abc.abstractmethod
    def upload_frame(self, frame: VideoFrame) -> Any:
        """Make a texture holding ``frame``; return its id (not None)."""

    @abc.abstractmethod
    def release_texture(self, texture_id: Any) -> None:
        """Free a texture that ``upload_frame`` returned."""

    @abc.abstractmethod
    def get_texture_size(self, texture_id: Any) -> Tuple[int, int]:
        """``(width, height)`` of a live texture."""


IGPUTextureUploader.register(MemoryUploader)
IGPUTextureUploader.register(GLUploader)
