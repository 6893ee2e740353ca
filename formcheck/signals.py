"""Per-frame signal conditioning shared by every analyzer.

* **Quality gate** — landmarks under ``min_visibility`` become NaN.
* **Side selection** — the camera-facing side (left or right body side) is the one whose main
  joints are more visible; a running score with hysteresis keeps it from flipping on one noisy
  frame.
* **Gap bridging** — a causal hold of the last good value for up to ``max_bridged_gap_s``; longer
  dropouts are reported as "not measurable" instead of guessed.
* **Speed** — :func:`speeds`, the rate of change of a measure over a centred window (offline).
* **Smoothing** — a one-euro filter (Casiez et al., CHI 2012): a low-pass whose cut-off rises with
  speed, so a still pose is steady and a moving one lags little (bounded lag; timestamps in
  seconds, so 15 fps and 60 fps behave alike).

All of it is causal, so a live camera, a video file and a replayed track run the same code.

Example:
    >>> f = OneEuro(min_cutoff_hz=1.0, beta=0.0)
    >>> [round(f(1.0, t), 3) for t in (0.0, 0.1)]
    [1.0, 1.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from formcheck.config import QualityConfig
from formcheck.landmarks import Landmark, PoseFrame

Side = Literal["left", "right"]

#: Points analyzers use, by short name, for each body side.
SIDE_POINTS: dict[Side, dict[str, Landmark]] = {
    side: {
        "shoulder": Landmark[f"{side.upper()}_SHOULDER"],
        "elbow": Landmark[f"{side.upper()}_ELBOW"],
        "wrist": Landmark[f"{side.upper()}_WRIST"],
        "hip": Landmark[f"{side.upper()}_HIP"],
        "knee": Landmark[f"{side.upper()}_KNEE"],
        "ankle": Landmark[f"{side.upper()}_ANKLE"],
        "heel": Landmark[f"{side.upper()}_HEEL"],
        "foot": Landmark[f"{side.upper()}_FOOT_INDEX"],
        "ear": Landmark[f"{side.upper()}_EAR"],
    }
    for side in ("left", "right")
}
POINT_NAMES: tuple[str, ...] = (*SIDE_POINTS["left"], "nose")
_MAIN = ("shoulder", "hip", "knee", "ankle", "elbow")


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


@dataclass
class OneEuro:
    """One-euro filter for one scalar (NaN in = NaN out, and the filter restarts after it)."""

    min_cutoff_hz: float = 3.0
    beta: float = 0.02
    d_cutoff_hz: float = 1.0
    _x: float = math.nan
    _dx: float = 0.0
    _t: float = math.nan

    def __call__(self, value: float, t_s: float) -> float:
        if not math.isfinite(value):
            self._x = math.nan
            return math.nan
        if not math.isfinite(self._x) or not math.isfinite(self._t) or t_s <= self._t:
            self._x, self._dx, self._t = value, 0.0, t_s
            return value
        dt = t_s - self._t
        dx = (value - self._x) / dt
        a_d = _alpha(self.d_cutoff_hz, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff_hz + self.beta * abs(self._dx)
        a = _alpha(cutoff, dt)
        self._x = a * value + (1 - a) * self._x
        self._t = t_s
        return self._x


@dataclass(frozen=True)
class SideView:
    """The conditioned points of one frame, on the camera-facing side.

    Attributes:
        t_s: Time in seconds.
        side: The side facing the camera, or None when nobody is measurable.
        points: name -> (x, y) px, NaN where not measurable (see :data:`POINT_NAMES`).
        other: The same points on the far side (less reliable), for symmetric checks.
        bridged: True when some points are held over from an earlier frame.
        world: name -> (x, y, z) metres of the near side's points (MediaPipe world landmarks),
            NaN where not measurable; used for angles in the body's sagittal plane.
        lateral: (3,) the body's right-to-left axis in world coordinates (left hip and shoulder
            minus right), NaN when unknown.
    """

    t_s: float
    side: Side | None
    points: dict[str, npt.NDArray[np.float64]]
    other: dict[str, npt.NDArray[np.float64]]
    bridged: bool = False
    world: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    lateral: npt.NDArray[np.float64] = field(default_factory=lambda: np.full(3, np.nan))

    def has(self, *names: str) -> bool:
        return all(np.isfinite(self.points[n]).all() for n in names)

    def has_world(self, *names: str) -> bool:
        return bool(np.isfinite(self.lateral).all()) and all(
            n in self.world and np.isfinite(self.world[n]).all() for n in names
        )

    def __getitem__(self, name: str) -> npt.NDArray[np.float64]:
        return self.points[name]


@dataclass
class SideConditioner:
    """Turns pose frames into :class:`SideView` s: gate, choose side, bridge gaps, smooth.

    Call it once per frame, in time order.
    """

    config: QualityConfig = field(default_factory=QualityConfig)
    _score: float = 0.0
    _side: Side | None = None
    _filters: dict[tuple[str, str, int], OneEuro] = field(default_factory=dict)
    _last: dict[tuple[str, str], tuple[float, npt.NDArray[np.float64]]] = field(
        default_factory=dict
    )

    def _visibility(self, frame: PoseFrame, side: Side) -> float:
        vis = frame.landmarks[[SIDE_POINTS[side][n] for n in _MAIN], 3]
        return float(np.nansum(vis))

    def choose_side(self, frame: PoseFrame) -> Side | None:
        """Update the running side score with this frame and return the side to use."""
        if not frame.has_person:
            return self._side
        diff = self._visibility(frame, "left") - self._visibility(frame, "right")
        self._score = 0.8 * self._score + 0.2 * diff
        if self._side is None:
            self._side = "left" if diff >= 0 else "right"
        elif self._side == "left" and self._score < -0.3:
            self._side = "right"
        elif self._side == "right" and self._score > 0.3:
            self._side = "left"
        return self._side

    def _point(
        self, frame: PoseFrame, index: int, key: tuple[str, str], t: float
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], bool]:
        """(image xy, world xyz, held) of one landmark: gated, bridged and smoothed."""
        row = frame.landmarks[index]
        ok = bool(np.isfinite(row[:2]).all() and row[3] >= self.config.min_visibility)
        last = self._last.get(key)
        if ok and last is not None and t - last[0] > self.config.max_bridged_gap_s:
            # no frames for longer than a bridged gap (a stall): restart the smoothing, as
            # after a dropout of missing frames, instead of blending in a stale pose
            for axis in range(5):
                self._filters.pop((*key, axis), None)
        if ok:
            raw = np.concatenate([row[:2], frame.world[index]]).astype(np.float64)
            values = np.array(
                [self._filter(key, axis, float(v), t) for axis, v in enumerate(raw)], np.float64
            )
            self._last[key] = (t, values)
            return values[:2], values[2:], False
        if last is not None and t - last[0] <= self.config.max_bridged_gap_s:
            return last[1][:2], last[1][2:], True
        for axis in range(5):
            self._filters.pop((*key, axis), None)
        return np.full(2, np.nan), np.full(3, np.nan), False

    def _filter(self, key: tuple[str, str], axis: int, value: float, t: float) -> float:
        f = self._filters.get((*key, axis))
        if f is None:
            # image axes (0, 1) in px; world axes (2..4) in metres: scale beta to the unit
            beta = self.config.smoothing_beta * (1.0 if axis < 2 else 500.0)
            f = self._filters[(*key, axis)] = OneEuro(self.config.smoothing_cutoff_hz, beta)
        return f(value, t)

    def __call__(self, frame: PoseFrame) -> SideView:
        t = frame.timestamp_ms / 1000.0
        previous = self._side
        side = self.choose_side(frame)
        if side != previous:  # near and far swap: restart the filters
            self._filters.clear()
            self._last.clear()
        if side is None:
            empty = {n: np.full(2, np.nan) for n in POINT_NAMES}
            return SideView(t, None, empty, dict(empty))
        far: Side = "right" if side == "left" else "left"
        bridged = False
        views: list[dict[str, npt.NDArray[np.float64]]] = []
        world: dict[str, npt.NDArray[np.float64]] = {}
        for which, role in ((side, "near"), (far, "far")):
            points = {}
            for name, index in [*SIDE_POINTS[which].items(), ("nose", Landmark.NOSE)]:
                points[name], xyz, held = self._point(frame, index, (role, name), t)
                if role == "near":
                    bridged |= held
                    world[name] = xyz
            views.append(points)
        near_pts, far_pts = views
        lateral = self._lateral(frame, t)
        if not np.isfinite(near_pts["hip"]).all() and not np.isfinite(near_pts["shoulder"]).all():
            return SideView(t, None, near_pts, far_pts, bridged, world, lateral)
        return SideView(t, side, near_pts, far_pts, bridged, world, lateral)

    def _lateral(self, frame: PoseFrame, t: float) -> npt.NDArray[np.float64]:
        """The body's right-to-left axis (world), smoothed; NaN without hips and shoulders."""
        w = frame.world.astype(np.float64)
        parts = [
            w[Landmark.LEFT_HIP] - w[Landmark.RIGHT_HIP],
            w[Landmark.LEFT_SHOULDER] - w[Landmark.RIGHT_SHOULDER],
        ]
        found = [p for p in parts if np.isfinite(p).all()]
        if not found:
            return np.full(3, np.nan)
        axis = np.sum(found, axis=0)
        norm = float(np.linalg.norm(axis))
        if norm < 1e-6:
            return np.full(3, np.nan)
        axis = axis / norm
        smooth = np.array(
            [self._filter(("body", "lateral"), 10 + i, float(v), t) for i, v in enumerate(axis)]
        )
        return smooth / max(float(np.linalg.norm(smooth)), 1e-9)


def speeds(t: np.ndarray, values: np.ndarray, window_s: float = 0.3) -> np.ndarray:
    """Rate of change (units/s) at each sample, over a centred window of ``window_s`` seconds."""
    lo = np.searchsorted(t, t - window_s / 2)
    hi = np.minimum(np.searchsorted(t, t + window_s / 2, side="right") - 1, len(t) - 1)
    dt = t[hi] - t[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (values[hi] - values[lo]) / dt
    v[dt <= 0] = 0.0
    return v
