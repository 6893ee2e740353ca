"""MediaPipe's PoseLandmarker (Tasks API) as a formcheck pose estimator.

This is the only module that imports mediapipe. It runs the model in VIDEO mode (tracking
between frames, strictly increasing integer millisecond timestamps) for videos and cameras, or
IMAGE mode for stills, converts normalised landmarks to pixels, and keeps the main person.

Example:
    >>> with MediaPipePoseEstimator(PoseOptions()) as estimator:  # doctest: +SKIP
    ...     estimate = estimator.estimate(image_bgr, timestamp_ms=0)
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import math
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.closing import Closing
from formcheck.errors import ModelError
from formcheck.pose.estimator import (
    Box,
    Census,
    PoseEstimate,
    PoseOptions,
    main_person,
    may_be_on_all_fours,
    overlap,
)
from formcheck.pose.landmarks import NUM_LANDMARKS, PoseFrame
from formcheck.pose.models import ModelInfo, resolve_model

log = logging.getLogger(__name__)

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


_silence_lock = threading.Lock()
_silence_depth = 0
_saved_fd: int | None = None


@contextlib.contextmanager
def _native_stderr_silenced(enabled: bool) -> Iterator[None]:
    """Hide the C++ start-up chatter MediaPipe and TFLite print on file descriptor 2.

    Threads may nest it (the model's thread and the people count's): the first in points
    fd 2 at /dev/null, the last out puts it back.
    """
    global _silence_depth, _saved_fd
    if not enabled:
        yield
        return
    fd = 2  # native code writes to the process's fd 2, whatever sys.stderr is now
    with _silence_lock:
        if _silence_depth == 0:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()
            _saved_fd = os.dup(fd)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        _silence_depth += 1
    try:
        yield
    finally:
        with _silence_lock:
            _silence_depth -= 1
            if _silence_depth == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, fd)
                os.close(_saved_fd)
                _saved_fd = None


class _LazyDrawingHelpers(importlib.abc.MetaPathFinder):
    """Loads mediapipe's drawing helpers lazily: they import matplotlib.pyplot, most of a
    second of every run's start-up, for drawing code formcheck never calls."""

    NAMES = frozenset(
        f"mediapipe.tasks.python.vision.{name}" for name in ("drawing_utils", "drawing_styles")
    )

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in self.NAMES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


_IMPORT_LOCK = threading.Lock()


def import_mediapipe() -> Any:
    """``import mediapipe``, minus the start-up cost of its drawing helpers (which still load,
    in full, on first use).

    Safe from several threads at once (lanes of the model load side by side): one thread
    imports while the others wait, so none sees a half-initialised module, and Python's
    per-module import locks, taken in different orders by mediapipe's circular imports, cannot
    deadlock (``_DeadlockError``).
    """
    with _IMPORT_LOCK:
        if "mediapipe" in sys.modules:
            return sys.modules["mediapipe"]
        finder = _LazyDrawingHelpers()
        sys.meta_path.insert(0, finder)
        try:
            import mediapipe
        finally:
            sys.meta_path.remove(finder)
        return mediapipe


#: A cut: the mean absolute difference (grey levels, 0-255) between two successive frames seen
#: by a landmarker, each shrunk to :data:`CUT_THUMB` pixels with its mean brightness taken
#: away, above which the picture is a different scene (an edited recording's cut, a camera
#: picked up and put down elsewhere). A person moving or the camera's exposure settling stays
#: below 5; a cut between two rooms measures 40-100, but two rendered rooms alike (walls and
#: floors of one palette, in the same black bars) only 15-20, and a missed cut let the model
#: follow a made-up pose for 10 s. A jump within one room (12-19) may count: a fresh landmarker
#: finds the person again in that frame.
CUT_DIFFERENCE = 12.0
#: The size (width, height) frames are shrunk to for :data:`CUT_DIFFERENCE`.
CUT_THUMB = (32, 24)


def thumbnail(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """A frame shrunk to :data:`CUT_THUMB` grey pixels, its mean brightness taken away (from
    every few pixels of the frame: a tenth of the cost of averaging all of them)."""
    step = max(1, min(rgb.shape[0] // (4 * CUT_THUMB[1]), rgb.shape[1] // (4 * CUT_THUMB[0])))
    sample = np.ascontiguousarray(rgb[::step, ::step])
    grey = cv2.resize(
        cv2.cvtColor(sample, cv2.COLOR_RGB2GRAY), CUT_THUMB, interpolation=cv2.INTER_AREA
    ).astype(np.float32)
    return np.asarray(grey - grey.mean(), dtype=np.float32)


def is_cut(before: npt.NDArray[np.float32] | None, after: npt.NDArray[np.float32]) -> bool:
    """Whether two :func:`thumbnail` s are of different scenes.

    >>> grey = np.full((48, 64, 3), 100, np.uint8)
    >>> is_cut(None, thumbnail(grey)), is_cut(thumbnail(grey), thumbnail(grey + 50))
    (False, False)
    >>> halves = grey.copy(); halves[:, :32] = 250
    >>> is_cut(thumbnail(grey), thumbnail(halves))
    True
    """
    if before is None or before.shape != after.shape:
        return False
    return float(np.mean(np.abs(after - before))) > CUT_DIFFERENCE


#: A landmarker that has not seen a frame for this long (ms of video) is replaced by a fresh one
#: when it is needed again (see ``MediaPipePoseEstimator._taken_up``).
STALE_MS = 500

#: A border of the picture is a bar (a clip fitted into a frame of another shape: a portrait
#: phone video in a landscape edit, a widescreen one in a taller frame) while none of its pixels
#: is brighter than this (0-255, grey level).
BAR_LEVEL = 24
#: Bars thinner than this share of the frame's width (or height) are left in.
MIN_BAR_SHARE = 0.03
#: The picture inside bars must be at least this share of the frame each way (a black frame,
#: or one fading in from black, has no picture to crop to).
MIN_PICTURE_SHARE = 0.1
#: The crop keeps this share of the frame's size of bar on each side, so that a bar's edge
#: wobbling by a pixel or two from frame to frame never cuts into the picture.
BAR_MARGIN_SHARE = 0.01
#: Frames the same bars must be seen before the model is given the picture without them.
BARS_STEADY = 5
#: Frames are shrunk to this many pixels on their long side to look for bars.
BARS_SIDE = 320


def picture_box(rgb: npt.NDArray[np.uint8]) -> Box | None:
    """The picture inside black bars, as a crop box ``(x0, y0, x1, y1)`` in the image's pixels
    with a margin of bar left on; None when there are no bars to take away.

    The model looks for a person in the whole frame shrunk to its input size: a portrait clip
    fitted into a landscape frame leaves the person a third the size, and in a rendered plank
    seen that way the model found nobody for 16 s, where without the bars it followed the
    person in every frame.

    Example:
        >>> frame = np.zeros((540, 960, 3), np.uint8); frame[:, 330:630] = 90
        >>> picture_box(frame)
        (320, 0, 640, 540)
        >>> picture_box(np.full((540, 960, 3), 90, np.uint8)) is None
        True
    """
    height, width = rgb.shape[:2]
    # shrunk (each pixel the mean of a block: compression speckle in a bar averages out), so the
    # check costs a fraction of a millisecond at any size
    scale = min(1.0, BARS_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1:
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    cols = np.flatnonzero(grey.max(axis=0) > BAR_LEVEL)
    rows = np.flatnonzero(grey.max(axis=1) > BAR_LEVEL)
    if not cols.size or not rows.size:
        return None
    fx, fy = width / size[0], height / size[1]
    x0, x1 = int(cols[0] * fx), min(width, math.ceil((int(cols[-1]) + 1) * fx))
    y0, y1 = int(rows[0] * fy), min(height, math.ceil((int(rows[-1]) + 1) * fy))
    if x1 - x0 < MIN_PICTURE_SHARE * width or y1 - y0 < MIN_PICTURE_SHARE * height:
        return None
    mx, my = BAR_MARGIN_SHARE * width, BAR_MARGIN_SHARE * height
    x0 = 0 if x0 < MIN_BAR_SHARE * width else max(0, int(x0 - mx))
    x1 = width if width - x1 < MIN_BAR_SHARE * width else min(width, math.ceil(x1 + mx))
    y0 = 0 if y0 < MIN_BAR_SHARE * height else max(0, int(y0 - my))
    y1 = height if height - y1 < MIN_BAR_SHARE * height else min(height, math.ceil(y1 + my))
    if (x0, y0, x1, y1) == (0, 0, width, height):
        return None
    return (x0, y0, x1, y1)


def _within(inner: Box | None, outer: Box | None, slack: tuple[float, float]) -> bool:
    """Whether crop box ``inner`` lies inside ``outer`` (None: the whole frame), give or take
    ``slack`` pixels (x, y)."""
    if outer is None:
        return True
    if inner is None:
        return False
    sx, sy = slack
    return (
        inner[0] >= outer[0] - sx
        and inner[1] >= outer[1] - sy
        and inner[2] <= outer[2] + sx
        and inner[3] <= outer[3] + sy
    )


def _same(a: Box | None, b: Box | None, slack: tuple[float, float]) -> bool:
    """Whether two crop boxes are the same, give or take ``slack`` pixels."""
    return _within(a, b, slack) and _within(b, a, slack)


#: With ``masks_when="all_fours"``, masks go on computing this long (ms) after the last frame
#: that may be on hands and knees (so a moment's doubt does not switch the model back and forth).
MASK_HOLD_MS = 2000


@dataclass(frozen=True)
class Prepared:
    """An image ready for the model: RGB, maybe scaled down; the original size; and the
    MediaPipe image made from it (made where it was prepared, off the model's thread)."""

    rgb: npt.NDArray[np.uint8]
    width: int
    height: int
    image: Any = None
    thumb: npt.NDArray[np.float32] | None = None
    #: the picture inside black bars, in ``rgb``'s pixels (:func:`picture_box`)
    bars: Box | None = None


class MediaPipePoseEstimator(Closing):
    """The real pose model.

    Args:
        options: Model path, confidences, masks, number of poses, running mode.

    Raises:
        ModelError: The model is missing, corrupt, or MediaPipe cannot load it.
    """

    def __init__(self, options: PoseOptions | None = None) -> None:
        self.options = options or PoseOptions()
        self.model: ModelInfo = resolve_model(self.options.model)
        self._mp = import_mediapipe()
        self._quiet = not log.isEnabledFor(logging.DEBUG)
        # masks on hands and knees only: a landmarker without them, and one with them made
        # the first time they are needed; each keeps its own tracking
        self._gated = (
            self.options.segmentation_masks
            and self.options.masks_when == "all_fours"
            and self.options.mode == "video"
        )
        self._landmarker = self._create(self.options.segmentation_masks and not self._gated)
        self._masked: Any = None
        self._masks_until_ms = -math.inf
        self._last_used: Any = self._landmarker
        self._last_ts = -1
        self._last_thumb: npt.NDArray[np.float32] | None = None
        self.cuts = 0
        self._crop: Box | None = None  # the part of the frame the model is given
        self._bars: tuple[Box | None, int] = (None, 0)  # bars seen, and in how many frames
        self._seen_ms: dict[int, int] = {}  # id(landmarker) -> the last frame it saw (ms)
        self._calls: dict[int, int] = {}
        self._census: Any = None
        self._next_census_ms: float | None = None
        self._census_ok = (
            self.options.mode == "video"
            and self.options.num_poses == 1
            and self.options.people_check_s is not None
        )

    def _create(self, masks: bool) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        running_mode = (
            vision.RunningMode.VIDEO if self.options.mode == "video" else vision.RunningMode.IMAGE
        )
        task_options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model.path)),
            running_mode=running_mode,
            num_poses=self.options.num_poses,
            min_pose_detection_confidence=self.options.min_pose_detection_confidence,
            min_pose_presence_confidence=self.options.min_pose_presence_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
            output_segmentation_masks=masks,
        )
        try:
            with _native_stderr_silenced(self._quiet):
                return vision.PoseLandmarker.create_from_options(task_options)
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(
                f"{self.model.path}: MediaPipe could not load the model ({first})"
            ) from exc

    def estimate(self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: int) -> PoseEstimate:
        """Find the main person in a BGR image.

        In video mode timestamps must increase; a repeated or earlier timestamp is nudged forward
        by a millisecond so MediaPipe's tracker never rejects a frame.
        """
        return self.estimate_prepared(self.prepare(image_bgr), timestamp_ms)

    def prepare(self, image_bgr: npt.NDArray[np.uint8]) -> Prepared:
        """Scale down (to ``max_side``) and convert to RGB: the work before the model, which
        can run on another thread (OpenCV releases the GIL)."""
        height, width = image_bgr.shape[:2]
        limit = self.options.max_side
        if limit is not None and max(height, width) > limit:
            # the model sees 256x256 anyway: scaling a 4K frame down first saves the colour
            # conversion, the copy into MediaPipe and a full-size mask (landmarks are normalised,
            # so they come back in the original pixels)
            scale = limit / max(height, width)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image_bgr = np.asarray(
                cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA), dtype=np.uint8
            )
        rgb = np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        bars = picture_box(rgb)
        # a cut is told by the picture: black bars the same on both sides of it (two clips fitted
        # into one frame alike) would hide most of the difference
        x0, y0, x1, y1 = bars or (0, 0, rgb.shape[1], rgb.shape[0])
        return Prepared(rgb, width, height, image, thumbnail(rgb[y0:y1, x0:x1]), bars)

    def estimate_prepared(
        self, prepared: Prepared, timestamp_ms: int, *, people_check: bool = True
    ) -> PoseEstimate:
        """:meth:`estimate` of an image :meth:`prepare` has already converted.

        With ``people_check`` False the periodic people count is left to the caller
        (:meth:`check_people`, which may run on another thread, beside the model).
        """
        if self.options.mode == "video":
            ts = max(int(timestamp_ms), self._last_ts + 1)
            self._last_ts = ts
            cut = self._after_cut(prepared)
            if self._crop_to(prepared.bars, prepared.rgb.shape, cut) and not cut:
                # the person is elsewhere in the model's picture now: track afresh
                self._start_afresh()
        else:
            ts = int(timestamp_ms)
            self._crop = prepared.bars
        crop = self._crop
        if crop is None:
            mp_image = prepared.image
            if mp_image is None:
                mp_image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=prepared.rgb)
        else:
            x0, y0, x1, y1 = crop
            part = np.ascontiguousarray(prepared.rgb[y0:y1, x0:x1])
            mp_image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=part)
        frame = _Frame(timestamp_ms, prepared.width, prepared.height, prepared.rgb.shape, crop)
        if not self._gated:
            estimate = self._run(self._landmarker, mp_image, ts, frame)
        else:
            masked = timestamp_ms <= self._masks_until_ms
            landmarker = self._taken_up(masked, ts)
            estimate = self._run(landmarker, mp_image, ts, frame)
            pose = estimate.pose
            if pose.has_person and may_be_on_all_fours(pose.landmarks):
                self._masks_until_ms = timestamp_ms + MASK_HOLD_MS
                if not masked:  # just got onto hands and knees: this frame's mask too
                    again = self._run(self._taken_up(True, ts), mp_image, ts, frame)
                    if again.pose.has_person:
                        estimate = again
        if people_check:
            estimate = self.check_people(prepared, estimate)
        return estimate

    def _after_cut(self, prepared: Prepared) -> bool:
        """Start tracking afresh when the picture cuts to another scene (True when it did).

        In video mode the landmarker looks for its person where they were in the last frame;
        after a cut it can go on "tracking" a shrunken, made-up pose in an empty corner for half
        a minute, with high confidence, and never look for the real person. New landmarkers
        have no last frame, so they detect the person in the new scene.
        """
        thumb = prepared.thumb if prepared.thumb is not None else thumbnail(prepared.rgb)
        cut = is_cut(self._last_thumb, thumb)
        self._last_thumb = thumb
        if not cut:
            return False
        self.cuts += 1
        log.debug("the picture cut to another scene at frame %d: tracking afresh", self._last_ts)
        self._start_afresh()
        return True

    def _crop_to(self, bars: Box | None, shape: tuple[int, ...], cut: bool) -> bool:
        """Decide the part of the frame the model is given (the picture inside black bars,
        :func:`picture_box`, for an image of ``shape``); True when that changed.

        On the first frame, after a cut to another scene and when there is picture where the
        crop has none, the crop follows the bars at once (nothing that may be the person is
        ever cut off); otherwise new bars count once they have stayed the same for
        :data:`BARS_STEADY` frames (an edge of bar wobbling by a pixel or two is the same).
        """
        slack = (BAR_MARGIN_SHARE * shape[1], BAR_MARGIN_SHARE * shape[0])
        before = self._crop
        seen, frames = self._bars
        first = frames == 0  # no frame seen yet
        frames = 1 if first or not _same(bars, seen, slack) else frames + 1
        self._bars = (bars, frames)
        at_once = cut or first or not _within(bars, before, slack)
        steady = frames >= BARS_STEADY and not _same(bars, before, slack)
        if at_once or steady:
            self._crop = bars
        if self._crop != before:
            log.debug("the model is given the part %s of the frame", self._crop)
        return self._crop != before

    def _start_afresh(self) -> None:
        """New landmarkers, which have no last frame to track from: they detect the person."""
        fresh = self._create(self.options.segmentation_masks and not self._gated)
        self._retire(self._landmarker)
        if self._masked is not None:
            self._retire(self._masked)
        self._landmarker, self._masked = fresh, None
        self._last_used = fresh
        self._masks_until_ms = -math.inf

    def _retire(self, landmarker: Any) -> None:
        """Close a landmarker that a fresh one replaces, and forget what was noted about it (a
        new one may be given its ``id``)."""
        with _native_stderr_silenced(self._quiet):
            landmarker.close()
        self._calls.pop(id(landmarker), None)
        self._seen_ms.pop(id(landmarker), None)

    def _taken_up(self, masked: bool, ts: int) -> Any:
        """The landmarker with (or without) masks for the frame at ``ts``: a fresh one if the
        one there has not seen a frame for :data:`STALE_MS`.

        A landmarker left aside while the other had the frames tracks on from where it last
        saw its person. After a while that is somebody else's place and shape: taken up
        again after a cat-cow on a plank (a cut to another clip of the session, too alike to
        tell as a cut), the masked one read the body back to front for three seconds.
        """
        current = self._masked if masked else self._landmarker
        seen = self._seen_ms.get(id(current)) if current is not None else None
        if current is None or (seen is not None and ts - seen > STALE_MS):
            fresh = self._create(masked)
            if current is not None:
                self._retire(current)
            if masked:
                self._masked = fresh
            else:
                self._landmarker = fresh
            current = fresh
        self._seen_ms[id(current)] = ts
        return current

    def _run(self, landmarker: Any, image: Any, ts: int, frame: _Frame) -> PoseEstimate:
        """One model call; a landmarker taken up again after the other one had the frames may
        have lost its person (it tracks from where it last saw them): then it looks afresh."""
        switched = landmarker is not self._last_used
        self._last_used = landmarker
        with _native_stderr_silenced(self._quiet and self._first_calls(landmarker)):
            if self.options.mode == "video":
                result = landmarker.detect_for_video(image, ts)
                if switched and not result.pose_landmarks:
                    self._last_ts = ts = ts + 1
                    result = landmarker.detect_for_video(image, ts)
            else:
                result = landmarker.detect(image)
        return _to_estimate(result, frame)

    def people_check_due(self, timestamp_ms: float) -> bool:
        """Whether :meth:`check_people` would count the people at this time."""
        return self._census_ok and (
            self._next_census_ms is None or timestamp_ms >= self._next_census_ms
        )

    def _first_calls(self, landmarker: Any) -> bool:
        """Whether this is one of a landmarker's first two calls (which print native set-up
        lines)."""
        calls = self._calls.get(id(landmarker), 0) + 1
        self._calls[id(landmarker)] = calls
        return calls <= 2

    def check_people(self, prepared: Prepared, estimate: PoseEstimate) -> PoseEstimate:
        """The estimate with the people in view counted, when a count is due (every
        ``people_check_s`` of video); otherwise the estimate unchanged."""
        timestamp_ms = estimate.pose.timestamp_ms
        if not self.people_check_due(timestamp_ms):
            return estimate
        assert self.options.people_check_s is not None
        self._next_census_ms = timestamp_ms + 1000.0 * self.options.people_check_s
        return self._count_people(prepared.rgb, estimate)

    def _count_people(self, rgb: npt.NDArray[np.uint8], estimate: PoseEstimate) -> PoseEstimate:
        """Count the people in view: MediaPipe's detector reliably finds only the most
        prominent person in an image, so each person found (the followed one first) is
        covered up and the image searched again, up to :data:`CENSUS_POSES` people."""
        from mediapipe.tasks.python import BaseOptions, vision

        if self._census is None:
            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(self.model.path)),
                running_mode=vision.RunningMode.IMAGE,
                num_poses=1,
                min_pose_detection_confidence=self.options.min_pose_detection_confidence,
                min_pose_presence_confidence=self.options.min_pose_presence_confidence,
                output_segmentation_masks=False,
            )
            try:
                with _native_stderr_silenced(self._quiet):
                    self._census = vision.PoseLandmarker.create_from_options(options)
            except (RuntimeError, ValueError) as exc:  # never worth failing the run for
                log.warning("people count unavailable: %s", exc)
                self._census_ok = False
                return estimate
        width, height = estimate.pose.image_size
        scale = np.array([rgb.shape[1] / width, rgb.shape[0] / height])
        image = rgb.copy()
        boxes: list[Box] = []
        mine: Box | None = None
        if estimate.pose.has_person:
            mine = _box_of(estimate.pose.landmarks[:, :2] * scale)
            boxes.append(mine)
            _cover(image, mine)
        while len(boxes) < CENSUS_POSES:
            mp_image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=image)
            with _native_stderr_silenced(self._quiet and self._first_calls(self._census)):
                result = self._census.detect(mp_image)
            if not result.pose_landmarks:
                break
            person = result.pose_landmarks[0]
            found = _box_of(np.array([[p.x * rgb.shape[1], p.y * rgb.shape[0]] for p in person]))
            if any(overlap(found, b) >= 0.5 for b in boxes):
                break  # the same person again (partly covered): nobody else
            boxes.append(found)
            _cover(image, found)
        followed = None if mine is None else main_person(boxes) == 0
        count = max(len(boxes), estimate.people)
        return replace(estimate, people=count, census=Census(count, followed))

    def close(self) -> None:
        # mediapipe 1.2.3 prints "DestroyAccelerator" lines on fd 2 as each landmarker is released
        with _native_stderr_silenced(self._quiet):
            self._landmarker.close()
            if self._masked is not None:
                self._masked.close()
                self._masked = None
            if self._census is not None:
                self._census.close()
                self._census = None


#: The most people the periodic count looks for.
CENSUS_POSES = 3


def _box_of(xy: npt.NDArray[np.floating]) -> Box:
    x0, y0 = np.nanmin(xy, axis=0)
    x1, y1 = np.nanmax(xy, axis=0)
    return (float(x0), float(y0), float(x1), float(y1))


def _cover(image: npt.NDArray[np.uint8], box: Box) -> None:
    """Paint over a person (their box and a margin) with the picture's mean colour."""
    x0, y0, x1, y1 = box
    pad = 0.1 * max(x1 - x0, y1 - y0)
    h, w = image.shape[:2]
    c0, r0 = max(0, int(x0 - pad)), max(0, int(y0 - pad))
    c1, r1 = min(w, int(x1 + pad) + 1), min(h, int(y1 + pad) + 1)
    if c1 > c0 and r1 > r0:
        image[r0:r1, c0:c1] = image.reshape(-1, image.shape[2]).mean(axis=0).astype(np.uint8)


@dataclass(frozen=True)
class _Frame:
    """What turns the model's normalised output into the frame's pixels: its time, its size,
    the shape of the (maybe scaled) image prepared from it, and the crop the model was given
    (in that image's pixels; None: all of it)."""

    timestamp_ms: int
    width: int
    height: int
    shape: tuple[int, ...]
    crop: Box | None = None


def _to_estimate(result: Any, frame_info: _Frame) -> PoseEstimate:
    timestamp_ms, width, height = frame_info.timestamp_ms, frame_info.width, frame_info.height
    people = len(result.pose_landmarks or [])
    if people == 0:
        return PoseEstimate(PoseFrame.empty(timestamp_ms=timestamp_ms, image_size=(width, height)))
    rows, cols = frame_info.shape[:2]
    x0, y0, x1, y1 = frame_info.crop or (0, 0, cols, rows)
    # the model's [0, 1] spans the crop: back to the whole frame's pixels
    ox, oy = x0 / cols * width, y0 / rows * height
    sx, sy = (x1 - x0) / cols * width, (y1 - y0) / rows * height
    arrays = [
        np.array(
            [[ox + p.x * sx, oy + p.y * sy, p.z * sx, p.visibility or 0.0] for p in person],
            dtype=np.float32,
        )
        for person in result.pose_landmarks
    ]
    boxes = [(a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max()) for a in arrays]
    chosen = main_person(boxes)
    image = arrays[chosen]
    if result.pose_world_landmarks and len(result.pose_world_landmarks) > chosen:
        world = np.array(
            [[p.x, p.y, p.z] for p in result.pose_world_landmarks[chosen]], dtype=np.float32
        )
    else:
        world = np.full((NUM_LANDMARKS, 3), np.nan, np.float32)
    mask = None
    if result.segmentation_masks and len(result.segmentation_masks) > chosen:
        # numpy_view() borrows MediaPipe's buffer, freed with the result: copy it out
        view = result.segmentation_masks[chosen].numpy_view()
        mask = np.array(view, dtype=np.float32, copy=True).reshape(view.shape[0], view.shape[1])
        if frame_info.crop is not None:  # the crop's mask, in the whole (prepared) frame
            top, left = int(y0), int(x0)
            below = max(0, rows - top - mask.shape[0])
            right = max(0, cols - left - mask.shape[1])
            mask = np.pad(mask, ((top, below), (left, right)))
    frame = PoseFrame(timestamp_ms, image, world, (width, height))
    return PoseEstimate(frame, mask, people)
