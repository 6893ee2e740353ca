"""How steeply the camera looks down on the body, estimated from the pose alone.

A camera on a chair or a table (0.7-1.2 m up) looks down on a person lying or kneeling on the
floor. Seen side-on, the body's left-right axis lies level on the floor and points away from the
camera, so the camera's downward tilt shows as that axis rising in its view: the far shoulder,
hip, knee and hand sit higher than the near ones. MediaPipe's world landmarks carry that axis
(``z`` away from the camera, ``y`` down); it sees the depth of the far side only in part, so
the raw angle reads low, and a linear calibration against rendered clips with known tilt
(``benchmarks/validation_set.py``) turns it into an estimate of the camera's tilt.

:class:`CameraView` pools the frames of a set in which the person is in position (the floor
contacts are down) and gives a steady median; :meth:`CameraView.block` is the report's
``camera`` block.

Example:
    >>> import numpy as np
    >>> view = CameraView(max_tilt_deg=25.0)
    >>> lateral = np.array([0.0, -np.sin(np.radians(10)), np.cos(np.radians(10))])
    >>> for i in range(40):
    ...     view.add(raw_lateral_tilt_deg(lateral[None, :]))
    >>> round(view.tilt_deg)
    17
    >>> view.block()["within_accuracy"]
    True
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.pose.landmarks import Landmark

#: left and right landmarks whose difference is the body's left-right axis
PAIRS = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
    (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_ELBOW, Landmark.RIGHT_ELBOW),
    (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST),
)
#: calibration of the raw angle against the true tilt (see the module docs)
SCALE = 1.1
OFFSET_DEG = 5.7
#: frames pooled before the estimate is given (a camera does not move; one frame is noisy)
MIN_FRAMES = 15
#: ... and at most this many recent ones are kept (a median over them)
MAX_FRAMES = 900


def raw_lateral_tilt_deg(lateral: npt.ArrayLike) -> float:
    """Elevation (deg) of the body's left-right axis towards the camera's depth axis, from the
    sum of the given ``(k, 3)`` left-minus-right world vectors (NaN when none is finite)."""
    vec = np.asarray(lateral, dtype=np.float64).reshape(-1, 3)
    vec = vec[np.isfinite(vec).all(axis=1)]
    if not len(vec):
        return math.nan
    total = vec.sum(axis=0)
    return math.degrees(math.atan2(abs(float(total[1])), abs(float(total[2]))))


def calibrated_tilt(raw_deg: float) -> float:
    """The camera's tilt (deg) from the (pooled) :func:`raw_lateral_tilt_deg`."""
    return max(0.0, SCALE * raw_deg + OFFSET_DEG)


def frame_lateral(world: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """The left-minus-right world vectors of :data:`PAIRS` in one frame's ``(33, 3+)`` world
    landmarks (rows with a missing landmark are NaN)."""
    w = np.asarray(world, dtype=np.float64)[:, :3]
    return np.stack([w[a] - w[b] for a, b in PAIRS])


class CameraView:
    """A running estimate of the camera's downward tilt over a set (see the module docs).

    ``add(raw)`` takes one in-position frame's :func:`raw_lateral_tilt_deg`.
    """

    def __init__(self, max_tilt_deg: float) -> None:
        self.max_tilt_deg = max_tilt_deg
        self._raw: deque[float] = deque(maxlen=MAX_FRAMES)

    def add(self, raw_deg: float) -> None:
        if math.isfinite(raw_deg):
            self._raw.append(raw_deg)

    @property
    def frames(self) -> int:
        return len(self._raw)

    @property
    def tilt_deg(self) -> float:
        """The estimated tilt (deg, 0 = level), NaN until :data:`MIN_FRAMES` frames."""
        if len(self._raw) < MIN_FRAMES:
            return math.nan
        return calibrated_tilt(float(np.median(self._raw)))

    @property
    def too_steep(self) -> bool:
        """True once the estimate says the view is steeper than the stated accuracy allows."""
        tilt = self.tilt_deg
        return math.isfinite(tilt) and tilt > self.max_tilt_deg

    def block(self) -> dict[str, Any]:
        """The report's ``camera`` block: the estimated tilt, the limit, whether the figures
        are within their stated accuracy (None when the set had too few frames to tell) and,
        when they are not, what to do."""
        tilt = self.tilt_deg
        known = math.isfinite(tilt)
        out: dict[str, Any] = {
            "tilt_deg": round(tilt, 1) if known else None,
            "max_tilt_deg": self.max_tilt_deg,
            "frames": len(self._raw),
            "within_accuracy": (not self.too_steep) if known else None,
        }
        if self.too_steep:
            out["advice"] = LOWER_CAMERA
        return out


#: what the live status and the report say when the view is too steep
LOWER_CAMERA = "Lower the camera to about hip height"


def summarise(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """The report-level ``camera`` block from the sets' blocks: the steepest estimate, and the
    figures within their accuracy only if every set's are.

    Example:
        >>> summarise([{"tilt_deg": 12.0, "max_tilt_deg": 25.0, "frames": 90,
        ...             "within_accuracy": True},
        ...            {"tilt_deg": 28.0, "max_tilt_deg": 25.0, "frames": 60,
        ...             "within_accuracy": False, "advice": LOWER_CAMERA}])["within_accuracy"]
        False
    """
    known = [b for b in blocks if b.get("tilt_deg") is not None]
    if not known:
        return {"tilt_deg": None, "max_tilt_deg": None, "within_accuracy": None}
    worst = max(known, key=lambda b: b["tilt_deg"])
    out = {
        "tilt_deg": worst["tilt_deg"],
        "max_tilt_deg": worst["max_tilt_deg"],
        "within_accuracy": all(b["within_accuracy"] for b in known),
    }
    if not out["within_accuracy"]:
        out["advice"] = LOWER_CAMERA
    return out


#: the field of view assumed across the frame's longer side when undoing the tilt (deg): a
#: webcam's or a phone's main camera (60-70 deg); the result depends on it only weakly
ASSUMED_FOV_DEG = 60.0


def rectify(
    points: npt.ArrayLike, image_size: tuple[int, int], tilt_deg: float
) -> npt.NDArray[np.float64]:
    """Image points (px, y down) as seen in a vertical plane facing a level camera: the view
    of a camera tilted down by ``tilt_deg`` undone (each point's ray meets a vertical plane
    square to the camera's level view). Returns (x, y-down) in that plane, to an arbitrary
    scale: good for angles between points at one depth (e.g. on the body's midline), not
    for lengths.

    Example:
        >>> p = rectify([[320.0, 240.0], [420.0, 240.0], [320.0, 340.0]], (640, 480), 0.0)
        >>> bool(np.allclose((p[1] - p[0]) / (p[1, 0] - p[0, 0]), [1, 0]))
        True
    """
    pts = np.asarray(points, dtype=np.float64)
    width, height = image_size
    f = 0.5 * max(width, height) / math.tan(math.radians(ASSUMED_FOV_DEG) / 2)
    x = pts[..., 0] - width / 2
    y = height / 2 - pts[..., 1]  # up
    a = math.radians(tilt_deg)
    scale = 1.0 / (y * math.sin(a) + f * math.cos(a))
    return np.stack([x * scale, -(y * math.cos(a) - f * math.sin(a)) * scale], axis=-1)
