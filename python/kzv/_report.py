"""Where the processor reports an exception it keeps going after."""
import logging

log = logging.getLogger("kzv")


def report_error(where: str, frame_index: int, exc: BaseException) -> None:
    """Log an exception raised by a callback or uploader method for a frame.

    Goes to the ``kzv`` logger (without logging configured: stderr), with the
    traceback. Pass ``on_error=`` to VideoFrameProcessor to handle it yourself.
    """
    frame = f"frame {frame_index}" if frame_index >= 0 else "a texture"
    log.error("error in %s for %s: %s: %s", where, frame, type(exc).__name__, exc,
              exc_info=(type(exc), exc, exc.__traceback__))
