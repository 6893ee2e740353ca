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
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import ModelError
from formcheck.landmarks import NUM_LANDMARKS, PoseFrame
from formcheck.models import ModelInfo, resolve_model
from formcheck.pose import PoseEstimate, PoseOptions, main_person

log = logging.getLogger(__name__)

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextlib.contextmanager
def _native_stderr_silenced(enabled: bool) -> Iterator[None]:
    """Hide the C++ start-up chatter MediaPipe and TFLite print on file descriptor 2."""
    if not enabled:
        yield
        return
    fd = 2  # native code writes to the process's fd 2, whatever sys.stderr is now
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(devnull)
        os.close(saved)


@dataclass(frozen=True)
class Prepared:
    """An image ready for the model: RGB, maybe scaled down; the original size."""

    rgb: npt.NDArray[np.uint8]
    width: int
    height: int


class MediaPipePoseEstimator:
    """The real pose model.

    Args:
        options: Model path, confidences, masks, number of poses, running mode.

    Raises:
        ModelError: The model is missing, corrupt, or MediaPipe cannot load it.
    """

    def __init__(self, options: PoseOptions | None = None) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self.options = options or PoseOptions()
        self.model: ModelInfo = resolve_model(self.options.model)
        self._mp = mp
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
            output_segmentation_masks=self.options.segmentation_masks,
        )
        quiet = not log.isEnabledFor(logging.DEBUG)
        try:
            with _native_stderr_silenced(quiet):
                self._landmarker = vision.PoseLandmarker.create_from_options(task_options)
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(
                f"{self.model.path}: MediaPipe could not load the model ({first})"
            ) from exc
        self._last_ts = -1
        self._calls = 0
        self._quiet = quiet

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
        return Prepared(rgb, width, height)

    def estimate_prepared(self, prepared: Prepared, timestamp_ms: int) -> PoseEstimate:
        """:meth:`estimate` of an image :meth:`prepare` has already converted."""
        width, height = prepared.width, prepared.height
        mp_image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=prepared.rgb)
        self._calls += 1
        with _native_stderr_silenced(self._quiet and self._calls <= 2):
            if self.options.mode == "video":
                ts = max(int(timestamp_ms), self._last_ts + 1)
                self._last_ts = ts
                result = self._landmarker.detect_for_video(mp_image, ts)
            else:
                result = self._landmarker.detect(mp_image)
        return _to_estimate(result, timestamp_ms, width, height)

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _to_estimate(result: Any, timestamp_ms: int, width: int, height: int) -> PoseEstimate:
    people = len(result.pose_landmarks or [])
    if people == 0:
        return PoseEstimate(PoseFrame.empty(timestamp_ms=timestamp_ms, image_size=(width, height)))
    arrays = [
        np.array(
            [[p.x * width, p.y * height, p.z * width, p.visibility or 0.0] for p in person],
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
    frame = PoseFrame(timestamp_ms, image, world, (width, height))
    return PoseEstimate(frame, mask, people)
