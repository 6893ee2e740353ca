"""Pose estimation behind a small protocol: the real MediaPipe model, or a replay of a track.

The MediaPipe implementation lives in :mod:`formcheck.mediapipe_pose` (the only module that
imports mediapipe); :class:`TrackReplay` serves a recorded :class:`PoseSeries` instead, so an
analysis can be re-run without the model.

Example:
    >>> from formcheck.pose import PoseOptions
    >>> PoseOptions(num_poses=1).min_pose_detection_confidence
    0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import PoseFrame, PoseSeries

RunningMode = Literal["video", "image"]


@dataclass(frozen=True, kw_only=True)
class PoseOptions:
    """How to run the pose model.

    Attributes:
        model: A ``.task`` bundle, or None for formcheck's shipped full model.
        min_pose_detection_confidence: Detector score needed to start tracking a person.
        min_pose_presence_confidence: Landmark model score needed to keep a person.
        min_tracking_confidence: Below this, the detector runs again on the next frame.
        segmentation_masks: Also compute the person's segmentation mask.
        num_poses: How many people to look for; the main (largest) one is analysed.
        mode: "video" (tracking across frames, for videos and cameras) or "image" (stills).
        max_side: Larger images are scaled down to this many pixels on their long side before
            inference (the model itself sees 256x256; landmarks stay in the original pixels).
            None = never.
    """

    model: Path | None = None
    min_pose_detection_confidence: float = 0.5
    min_pose_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    segmentation_masks: bool = True
    num_poses: int = 1
    mode: RunningMode = "video"
    max_side: int | None = 1280

    def __post_init__(self) -> None:
        for name in (
            "min_pose_detection_confidence",
            "min_pose_presence_confidence",
            "min_tracking_confidence",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if self.num_poses < 1:
            raise ValueError("num_poses must be at least 1")
        if self.max_side is not None and self.max_side < 64:
            raise ValueError("max_side must be at least 64 pixels")


@dataclass(frozen=True)
class PoseEstimate:
    """What the estimator found in one image.

    Attributes:
        pose: The main person's landmarks (all NaN when nobody was found).
        mask: HxW float32 segmentation mask of that person in [0, 1], when requested.
        people: How many people were found.
    """

    pose: PoseFrame
    mask: npt.NDArray[np.float32] | None = None
    people: int = 0


class PoseEstimator(Protocol):
    """Turns an image into landmarks; a context manager that frees the model on exit."""

    def estimate(self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: int) -> PoseEstimate:
        """Find the pose in a BGR image taken at ``timestamp_ms``."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class TrackReplay:
    """A pose estimator that replays a recorded series, matched by timestamp.

    Frames whose timestamp is not in the track (within ``tolerance_ms``) get an empty pose.

    Example:
        >>> series = PoseSeries.from_frames([PoseFrame.empty(timestamp_ms=0, image_size=(4, 4))])
        >>> with TrackReplay(series) as replay:
        ...     replay.estimate(np.zeros((4, 4, 3), np.uint8), 0).pose.has_person
        False
    """

    def __init__(self, series: PoseSeries, *, tolerance_ms: int = 5) -> None:
        self.series = series
        self.tolerance_ms = tolerance_ms

    def estimate(self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: int) -> PoseEstimate:
        ts = self.series.timestamps_ms
        size = (int(image_bgr.shape[1]), int(image_bgr.shape[0]))
        if len(ts):
            i = int(np.clip(np.searchsorted(ts, timestamp_ms), 0, len(ts) - 1))
            candidates = [j for j in (i - 1, i) if 0 <= j < len(ts)]
            best = min(candidates, key=lambda j: abs(int(ts[j]) - timestamp_ms))
            if abs(int(ts[best]) - timestamp_ms) <= self.tolerance_ms:
                frame = self.series[best].replace_timestamp(timestamp_ms)
                return PoseEstimate(frame, None, int(frame.has_person))
        return PoseEstimate(PoseFrame.empty(timestamp_ms=timestamp_ms, image_size=size), None, 0)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def main_person(boxes: list[tuple[float, float, float, float]]) -> int:
    """Index of the person to follow: the largest bounding box (x0, y0, x1, y1)."""
    areas = [max(0.0, x1 - x0) * max(0.0, y1 - y0) for x0, y0, x1, y1 in boxes]
    return int(np.argmax(areas)) if areas else 0
