"""Pose estimation behind a small protocol: the real MediaPipe model, or a replay of a track.

The MediaPipe implementation lives in :mod:`formcheck.pose.mediapipe_pose` (the only module that
imports mediapipe); :class:`TrackReplay` serves a recorded :class:`PoseSeries` instead, so an
analysis can be re-run without the model.

Example:
    >>> from formcheck.pose.estimator import PoseOptions
    >>> PoseOptions(num_poses=1).min_pose_detection_confidence
    0.5
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self

import numpy as np
import numpy.typing as npt

from formcheck.closing import Closing
from formcheck.pose.landmarks import PoseFrame, PoseSeries

RunningMode = Literal["video", "image"]
MasksWhen = Literal["always", "all_fours"]


@dataclass(frozen=True, kw_only=True)
class PoseOptions:
    """How to run the pose model.

    Attributes:
        model: A ``.task`` bundle, or None for formcheck's shipped full model.
        min_pose_detection_confidence: Detector score needed to start tracking a person.
        min_pose_presence_confidence: Landmark model score needed to keep a person.
        min_tracking_confidence: Below this, the detector runs again on the next frame.
        segmentation_masks: Also compute the person's segmentation mask.
        masks_when: With ``segmentation_masks``, on which frames: "always", or "all_fours":
            only while the person may be on hands and knees (the one posture whose analysis,
            cat-cow's back outline, reads the mask), which saves its cost on every other frame.
        num_poses: How many people to look for; the main (largest) one is analysed.
        people_check_s: With ``num_poses`` 1, how often (seconds of video) a second, still-image
            model counts the people in view (it finds what one-person tracking cannot: someone
            else in the room). None = never.
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
    masks_when: MasksWhen = "always"
    num_poses: int = 1
    mode: RunningMode = "video"
    max_side: int | None = 1280
    people_check_s: float | None = 5.0

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
        if self.people_check_s is not None and self.people_check_s <= 0:
            raise ValueError("people_check_s must be positive (or None)")
        if self.max_side is not None and self.max_side < 64:
            raise ValueError("max_side must be at least 64 pixels")
        if self.masks_when not in ("always", "all_fours"):
            raise ValueError(f"masks_when must be 'always' or 'all_fours', got {self.masks_when!r}")

    def for_exercise(self, exercise: object) -> PoseOptions:
        """These options for analysing ``exercise`` (auto, glute_bridge, plank, cat_cow, or
        several joined by commas): the mask, which only cat-cow's back outline reads, is left
        out where no cat-cow can be, and computed only on hands and knees where one may be.

        Example:
            >>> PoseOptions().for_exercise("plank").segmentation_masks
            False
            >>> PoseOptions().for_exercise("auto").masks_when
            'all_fours'
            >>> PoseOptions().for_exercise("cat_cow").masks_when
            'always'
        """
        if not self.segmentation_masks:
            return self
        kinds = {
            k.strip() for k in str(getattr(exercise, "value", exercise)).split(",") if k.strip()
        }
        if "cat_cow" in kinds and len(kinds) == 1:
            return self
        if kinds and kinds <= {"glute_bridge", "plank"}:
            return replace(self, segmentation_masks=False)
        return replace(self, masks_when="all_fours")


@dataclass(frozen=True)
class Census:
    """A count of the people in view (see ``PoseOptions.people_check_s``).

    Attributes:
        count: People found.
        followed_largest: Whether the person followed is the largest of them (None when
            nobody is followed).
    """

    count: int
    followed_largest: bool | None


@dataclass(frozen=True)
class PoseEstimate:
    """What the estimator found in one image.

    Attributes:
        pose: The main person's landmarks (all NaN when nobody was found).
        mask: HxW float32 segmentation mask of that person in [0, 1], when requested.
        people: How many people were found.
        census: The people count of a periodic check, on the frames where one ran.
    """

    pose: PoseFrame
    mask: npt.NDArray[np.float32] | None = None
    people: int = 0
    census: Census | None = None


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


class TrackReplay(Closing):
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

    def close(self) -> None:
        """Nothing to release: the track is already in memory."""


Box = tuple[float, float, float, float]


def main_person(boxes: list[Box]) -> int:
    """Index of the person to follow: the largest bounding box (x0, y0, x1, y1)."""
    areas = [max(0.0, x1 - x0) * max(0.0, y1 - y0) for x0, y0, x1, y1 in boxes]
    return int(np.argmax(areas)) if areas else 0


#: Landmark indices (left, right) of the joints :func:`may_be_on_all_fours` looks at.
_SHOULDER, _HIP, _KNEE, _WRIST = (11, 12), (23, 24), (25, 26), (15, 16)


def may_be_on_all_fours(landmarks: npt.NDArray[np.floating], min_visibility: float = 0.3) -> bool:
    """Whether a frame's (33, 4) pixel landmarks may show a person on hands and knees.

    A deliberately loose test on the better-seen side (trunk within 50 deg of horizontal, thigh
    and arm within 60 deg of vertical, knee below the hip and wrist below the shoulder): every
    frame cat-cow's own, stricter test accepts passes it, so the frames it turns down are ones
    whose mask nothing reads.

    Example:
        >>> lm = np.full((33, 4), np.nan, np.float32)
        >>> for i, xy in {11: (0, 0), 23: (100, 5), 25: (105, 90), 15: (5, 95)}.items():
        ...     lm[i] = (*xy, 0, 1)
        >>> may_be_on_all_fours(lm)
        True
        >>> lm[25] = (190, 10, 0, 1)  # the knee in line with the trunk: a plank
        >>> may_be_on_all_fours(lm)
        False
    """
    best: tuple[float, int] | None = None
    for side in (0, 1):
        idx = [_SHOULDER[side], _HIP[side], _KNEE[side], _WRIST[side]]
        pts = landmarks[idx]
        if np.isnan(pts[:, :2]).any():
            continue
        vis = float(np.min(pts[:, 3]))
        if vis >= min_visibility and (best is None or vis > best[0]):
            best = (vis, side)
    if best is None:
        return False
    side = best[1]
    s, h, k, w = (
        landmarks[j[side], :2].astype(np.float64) for j in (_SHOULDER, _HIP, _KNEE, _WRIST)
    )

    def from_vertical(top: npt.NDArray[np.float64], bottom: npt.NDArray[np.float64]) -> float:
        d = bottom - top
        return float(np.degrees(np.arctan2(abs(d[0]), d[1])))  # d[1] > 0: bottom below top

    trunk = h - s
    trunk_from_horizontal = float(np.degrees(np.arctan2(abs(trunk[1]), abs(trunk[0]))))
    return bool(
        trunk_from_horizontal < 50
        and k[1] > h[1]
        and w[1] > s[1]
        and from_vertical(h, k) < 60
        and from_vertical(s, w) < 60
    )


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (x0, y0, x1, y1), 0..1.

    Example:
        >>> overlap((0, 0, 2, 2), (1, 0, 3, 2))
        0.3333333333333333
    """
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0.0, w) * max(0.0, h)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0
