"""Frame sources: a video file, a webcam, a single image or a folder of images.

Each source is a context manager that releases its device or file on exit, and an iterable of
:class:`Frame` (BGR image, timestamp in ms, index). Timestamps come from the container for
video files, so variable-frame-rate phone videos keep their true timing; phone rotation metadata
is honoured (the frames come out upright). Webcam timestamps are taken from a monotonic clock.

Example:
    >>> with open_source("samples/bridge_8reps_left.mp4") as source:  # doctest: +SKIP
    ...     for frame in source:
    ...         print(frame.timestamp_ms, frame.image.shape)
"""

from __future__ import annotations

import dataclasses
import glob
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.closing import Closing
from formcheck.errors import CameraError, InputError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})

SourceKind = Literal["video", "camera", "images"]


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes:
        image: HxWx3 uint8 BGR image (OpenCV's order), upright.
        timestamp_ms: Time from the start of the source in ms, strictly increasing.
        index: 0-based position in the source.
        prepared: The image already converted for a pose estimator (done on the reader thread
            by :class:`Prefetcher`), or None.
    """

    image: npt.NDArray[np.uint8]
    timestamp_ms: int
    index: int
    prepared: Any = None


@dataclass(frozen=True)
class SourceInfo:
    """What is known about a source before reading it.

    Attributes:
        name: The path or camera name.
        kind: "video", "camera" or "images".
        width: Frame width in pixels (after rotation).
        height: Frame height in pixels (after rotation).
        fps: Nominal frames per second (a float; None when unknown, e.g. images).
        frame_count: Expected number of frames, or None when unknown (cameras).
    """

    name: str
    kind: SourceKind
    width: int
    height: int
    fps: float | None
    frame_count: int | None

    @property
    def duration_s(self) -> float | None:
        """Nominal duration from frame count and fps, when both are known."""
        if self.frame_count is None or not self.fps:
            return None
        return self.frame_count / self.fps


class FrameSource(Protocol):
    """Anything that yields frames and can be closed."""

    info: SourceInfo

    def __iter__(self) -> Iterator[Frame]: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def quiet_codec_logs() -> None:
    """Keep OpenCV's and FFmpeg's own warnings off the terminal (unless debugging).

    formcheck reports problems with a file in one line of its own; the decoders' chatter
    ("moov atom not found", backend warnings) only adds noise. ``--verbose`` keeps it.
    """
    if log.isEnabledFor(logging.DEBUG):
        return
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET, read at each open
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


def check_input_file(path: Path) -> Path:
    """Raise :class:`InputError` unless ``path`` is an existing, non-empty, readable file."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    return path


class VideoFileSource(Closing):
    """Frames of a video file (any container and codec FFmpeg reads).

    Args:
        path: The video file.
        fallback_fps: Frame rate assumed when the container gives neither timestamps nor fps.

    Raises:
        InputError: The file is missing, empty, not a video, or has no decodable frame.
    """

    def __init__(self, path: str | os.PathLike[str], *, fallback_fps: float = 30.0) -> None:
        self.path = check_input_file(Path(path))
        quiet_codec_logs()
        self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            self._cap.release()
            raise InputError(
                f"{self.path}: not a video or image formcheck can read "
                "(unknown format or unsupported codec, or the file is truncated or damaged)"
            )
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise InputError(
                f"{self.path}: no frame could be decoded (truncated file or unsupported codec)"
            )
        self._first: npt.NDArray[np.uint8] = np.asarray(first, dtype=np.uint8)
        self._first_pos_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        nominal = fps if math.isfinite(fps) and 0.5 < fps < 1000 else None
        if nominal is None:
            log.warning(
                "%s: the container gives no frame rate; assuming %g fps", path, fallback_fps
            )
        self._fallback_interval_ms = 1000.0 / (nominal or fallback_fps)
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        height, width = first.shape[:2]
        self.info = SourceInfo(
            name=str(self.path),
            kind="video",
            width=int(width),
            height=int(height),
            fps=nominal,
            frame_count=count if count > 0 else None,
        )
        self.frames_read = 0
        self._used = False

    @property
    def truncated(self) -> bool:
        """True when reading stopped well short of the container's frame count."""
        expected = self.info.frame_count
        return expected is not None and self._used and self.frames_read < 0.9 * expected - 1

    def __iter__(self) -> Iterator[Frame]:
        if self._used:
            raise RuntimeError("a VideoFileSource can be iterated once")
        self._used = True
        last_ms = -1
        offset_ms: float | None = None
        image: npt.NDArray[np.uint8] | None = self._first
        pos_ms = self._first_pos_ms
        index = 0
        while image is not None:
            if offset_ms is None:
                offset_ms = pos_ms if math.isfinite(pos_ms) else 0.0
            raw = pos_ms - offset_ms if math.isfinite(pos_ms) else math.nan
            guess = index * self._fallback_interval_ms
            ts = round(raw) if math.isfinite(raw) and (index == 0 or raw > 0) else round(guess)
            if ts <= last_ms:  # duplicate or missing timestamps: keep time moving forward
                ts = max(last_ms + 1, round(guess))
            last_ms = ts
            yield Frame(image=image, timestamp_ms=ts, index=index)
            index += 1
            self.frames_read = index
            ok, nxt = self._cap.read()
            image = np.asarray(nxt, dtype=np.uint8) if ok and nxt is not None else None
            pos_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        if self.truncated:
            log.warning(
                "%s: stopped after %d of %d frames (truncated file?)",
                self.path,
                self.frames_read,
                self.info.frame_count,
            )

    def close(self) -> None:
        self._cap.release()


def list_cameras(max_index: int = 8) -> list[str]:
    """Names of the video capture devices this machine has (``/dev/video*`` on Linux)."""
    devices = sorted(glob.glob("/dev/video*"))
    if devices:
        return devices
    found = []
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            found.append(str(i))
        cap.release()
    return found


class CameraSource(Closing):
    """Frames from a webcam, by index (0, 1, ...) or device path (/dev/video0).

    Timestamps are milliseconds since the source was opened, from a monotonic clock.

    Raises:
        CameraError: The camera cannot be opened (the message lists the cameras found), or it
            stops delivering frames.
    """

    def __init__(
        self,
        device: int | str,
        *,
        width: int | None = None,
        height: int | None = None,
        max_failures: int = 30,
    ) -> None:
        self.device = device
        quiet_codec_logs()
        self._cap = cv2.VideoCapture(device)
        if not self._cap.isOpened():
            self._cap.release()
            cams = list_cameras()
            found = ", ".join(cams) if cams else "none"
            raise CameraError(f"camera {device!r} could not be opened (cameras found: {found})")
        if width:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.info = SourceInfo(
            name=f"camera {device}",
            kind="camera",
            width=int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=fps if fps > 0 else None,
            frame_count=None,
        )
        self._max_failures = max_failures

    def __iter__(self) -> Iterator[Frame]:
        start = time.monotonic()
        last_ms = -1
        failures = 0
        index = 0
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                failures += 1
                if failures >= self._max_failures:
                    raise CameraError(f"camera {self.device!r} stopped delivering frames")
                time.sleep(0.01)
                continue
            failures = 0
            ts = max(last_ms + 1, round((time.monotonic() - start) * 1000))
            last_ms = ts
            yield Frame(image=np.asarray(image, dtype=np.uint8), timestamp_ms=ts, index=index)
            index += 1

    def close(self) -> None:
        self._cap.release()


class ImageSource(Closing):
    """A single image, or every image in a folder (sorted by name), as unrelated frames.

    Frames are one second apart on the timeline so that reports stay readable; analyse them as
    stills (the pose estimator runs in image mode for this source).

    Raises:
        InputError: Missing path, no images in the folder, an unreadable image, or images of
            different sizes in one folder.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            self.files = sorted(
                p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
            )
            if not self.files:
                raise InputError(f"{self.path}: the folder holds no images")
        else:
            self.files = [check_input_file(self.path)]
        first = self._read(self.files[0])
        height, width = first.shape[:2]
        self.info = SourceInfo(
            name=str(self.path),
            kind="images",
            width=int(width),
            height=int(height),
            fps=None,
            frame_count=len(self.files),
        )

    @staticmethod
    def _read(path: Path) -> npt.NDArray[np.uint8]:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise InputError(f"{path}: not an image formcheck can read")
        return np.asarray(image, dtype=np.uint8)

    def __iter__(self) -> Iterator[Frame]:
        for index, file in enumerate(self.files):
            image = self._read(file)
            if image.shape[1] != self.info.width or image.shape[0] != self.info.height:
                raise InputError(
                    f"{file}: {image.shape[1]}x{image.shape[0]} differs from the first image "
                    f"({self.info.width}x{self.info.height}); analyse images of one size together"
                )
            yield Frame(image=image, timestamp_ms=index * 1000, index=index)

    def close(self) -> None:
        pass


def is_camera_spec(spec: str | int) -> bool:
    """True for a camera index ("0") or a device path ("/dev/video0")."""
    if isinstance(spec, int):
        return True
    return spec.isdigit() or spec.startswith("/dev/video")


def open_source(spec: str | int | os.PathLike[str]) -> VideoFileSource | CameraSource | ImageSource:
    """Open the right source for ``spec``: camera index/device, image, folder, or video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and is_camera_spec(spec)):
        return CameraSource(int(spec) if str(spec).isdigit() else str(spec))
    path = Path(spec)
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoFileSource(path)


class Prefetcher(Closing):
    """Decode frames on a background thread, a few ahead, so decoding overlaps inference.

    With ``max_fps`` only frames at least ``1 / max_fps`` apart (by their timestamps) are
    passed on, the others are dropped on the reader thread. ``prepare`` (e.g. the pose
    estimator's colour conversion) runs on the reader thread too and its result rides along as
    ``Frame.prepared``: OpenCV releases the GIL, so it costs the model's thread nothing.
    Iterating yields the frames in order; an exception raised while reading is re-raised in
    the consumer. Closing (or leaving the ``with`` block) stops the thread promptly even if the
    consumer stopped early.

    Example:
        >>> with VideoFileSource("clip.mp4") as src, Prefetcher(src) as frames:  # doctest: +SKIP
        ...     for frame in frames: ...
    """

    _DONE = object()

    def __init__(
        self,
        source: FrameSource,
        *,
        depth: int = 4,
        max_fps: float | None = None,
        prepare: Callable[[npt.NDArray[np.uint8]], Any] | None = None,
    ) -> None:
        import queue
        import threading

        if max_fps is not None and max_fps <= 0:
            raise ValueError("max_fps must be positive")
        self.info = source.info
        self._min_step_ms = 0.0 if max_fps is None else 1000.0 / max_fps
        self._prepare = prepare
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._source = source
        self._thread = threading.Thread(target=self._run, name="formcheck-reader", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        import queue

        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        from collections import deque

        step = self._min_step_ms
        first_ms: float | None = None
        last_slot = -1
        last_kept = -math.inf
        previous: float | None = None
        gaps: deque[float] = deque(maxlen=9)
        try:
            for frame in self._source:
                if step > 0:
                    # thinned to max_fps by time (so variable frame rates work), on a grid of
                    # 1 / max_fps steps from the first frame (so the rate never drifts above
                    # the cap): one frame a slot, and a kept frame comes at least a step after
                    # the last kept one. Both allow for timestamp jitter: half the source's own
                    # frame gap (the median of the last few), at most half a step. So 60 fps
                    # thinned to 15 keeps every fourth frame, 30 fps with jittery timestamps
                    # keeps every frame under a cap of 30, and kept frames are never much
                    # closer than 1 / max_fps.
                    t = float(frame.timestamp_ms)
                    if previous is not None:
                        gaps.append(t - previous)
                    previous = t
                    if first_ms is None:
                        first_ms = t
                    tolerance = min(0.5 * float(np.median(gaps)), 0.5 * step) if gaps else 0.0
                    slot = math.floor((t - first_ms + tolerance) / step)
                    if slot <= last_slot or t - last_kept < step - tolerance:
                        continue
                    last_slot, last_kept = slot, t
                if self._prepare is not None:
                    frame = dataclasses.replace(frame, prepared=self._prepare(frame.image))
                if not self._put(frame):
                    return
        except BaseException as exc:  # handed to the consumer
            self._put(exc)
            return
        self._put(self._DONE)

    def __iter__(self) -> Iterator[Frame]:
        while True:
            item = self._queue.get()
            if item is self._DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    @property
    def truncated(self) -> bool:
        return bool(getattr(self._source, "truncated", False))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
