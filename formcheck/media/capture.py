"""Live sources and the capture thread: the newest camera frame, never a queue of old ones.

* :func:`open_live_source` opens what ``--camera`` names: a camera index or device, or a video
  file standing in for a camera.
* :class:`LatestFrameCapture` reads that source on a background thread and keeps **only the
  newest frame**: when the model is slower than the camera, old frames are dropped (and
  counted) instead of queueing up, so the picture never falls behind the body. A video file is
  played at its own pace, the way a camera would deliver it.
* :class:`Captured` is a frame as the thread delivered it, with when it arrived (for the
  capture-to-display latency).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

from formcheck.closing import Closing
from formcheck.media.sources import (
    CameraSource,
    Frame,
    FrameSource,
    VideoFileSource,
    is_camera_spec,
)


def open_live_source(spec: str | int) -> VideoFileSource | CameraSource:
    """The source for ``--camera``: a camera index ("0") or device ("/dev/video0"), or a video
    file that stands in for a camera (play it through :class:`LatestFrameCapture`, paced).

    Raises:
        CameraError: The camera cannot be opened (the message lists the cameras found).
        InputError: The video file is missing or unreadable.
    """
    if isinstance(spec, int) or is_camera_spec(spec):
        text = str(spec)
        return CameraSource(int(text) if text.isdigit() else text)
    return VideoFileSource(spec)


@dataclass(frozen=True)
class Captured:
    """A frame as the capture thread delivered it.

    Attributes:
        frame: The frame; its timestamp is on the session's clock (ms, strictly increasing).
        captured_at: ``time.perf_counter()`` when the frame arrived: when the camera delivered
            it, or for a paced video file when it was due (what a camera would have done).
        seq: 1-based number of the frame among all frames the capture delivered.
    """

    frame: Frame
    captured_at: float
    seq: int


class LatestFrameCapture(Closing):
    """Read a source on a background thread, keeping only the newest frame.

    Args:
        source: A camera or video source (already open; the caller closes it).
        paced: Play frames at their own timestamps (a video file standing in for a camera).
            Cameras pace themselves: leave it False for them. Default: True for video files.
        speed: Pacing speed factor (2.0 plays twice as fast; for tests and demos).
        offset_ms: Added to every timestamp (puts several sources on one session clock).

    ``read()`` returns the newest frame not yet read (waiting for one if needed); frames that
    were replaced before anybody read them are counted in ``dropped``. An error in the source
    (a camera that disappears) is raised by ``read()``.

    Example:
        >>> with open_live_source("clip.mp4") as src:  # doctest: +SKIP
        ...     with LatestFrameCapture(src) as cap:
        ...         while (got := cap.read(timeout=1.0)) is not None or not cap.finished:
        ...             ...
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        paced: bool | None = None,
        speed: float = 1.0,
        offset_ms: int = 0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.source = source
        self.info = source.info
        self.paced = source.info.kind == "video" if paced is None else paced
        self.speed = speed
        self.offset_ms = int(offset_ms)
        self.captured = 0
        self.dropped = 0
        self.delivered = 0
        self._latest: Captured | None = None
        self._taken = 0
        self._done = False
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="formcheck-capture", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start: float | None = None
        first_ms = 0
        try:
            for frame in self.source:
                if self._stop.is_set():
                    break
                if self.paced:
                    if start is None:
                        start, first_ms = time.perf_counter(), frame.timestamp_ms
                    due = start + (frame.timestamp_ms - first_ms) / 1000.0 / self.speed
                    wait = due - time.perf_counter()
                    if wait > 0 and self._stop.wait(wait):
                        break
                    arrived = due
                else:
                    arrived = time.perf_counter()
                shifted = dataclasses.replace(
                    frame, timestamp_ms=frame.timestamp_ms + self.offset_ms
                )
                self._publish(shifted, arrived)
        except BaseException as exc:  # handed to the reader
            with self._cond:
                self._error = exc
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()

    def _publish(self, frame: Frame, arrived: float) -> None:
        with self._cond:
            self.captured += 1
            if self._latest is not None and self._latest.seq > self._taken:
                self.dropped += 1  # nobody read it: a newer frame replaces it
            self._latest = Captured(frame, arrived, self.captured)
            self._cond.notify_all()

    def _fresh(self) -> bool:
        return self._latest is not None and self._latest.seq > self._taken

    def read(self, timeout: float | None = None) -> Captured | None:
        """The newest frame not yet read; None when none came within ``timeout`` seconds or
        the source has ended (see :attr:`finished`).

        Raises:
            CameraError: The camera stopped delivering frames (or another source error).
        """
        with self._cond:
            self._cond.wait_for(lambda: self._fresh() or self._done, timeout)
            if not self._fresh():
                if self._error is not None:  # after the last frame it delivered
                    error, self._error = self._error, None
                    raise error
                return None
            latest = self._latest
            assert latest is not None
            self._taken = latest.seq
            self.delivered += 1
            return latest

    @property
    def finished(self) -> bool:
        """True once the source has ended and its last frame has been read."""
        with self._cond:
            return self._done and not self._fresh() and self._error is None

    def close(self) -> None:
        """Stop the thread (promptly: a paced wait is cut short)."""
        self._stop.set()
        self._thread.join(timeout=5)


__all__ = ["Captured", "LatestFrameCapture", "open_live_source"]
