"""Per-frame signal conditioning shared by every analyzer.

* **Quality gate** — landmarks under ``min_visibility`` become NaN.
* **Side selection** — the camera-facing side (left or right body side) is the one whose main
  joints are more visible; a running score with hysteresis keeps it from flipping on one noisy
  frame.
* **Gap bridging** — a causal hold of the last good value for up to ``max_bridged_gap_s``; longer
  dropouts are reported as "not measurable" instead of guessed.
* **Speed** — :func:`speeds`, the rate of change of a measure over a centred window (offline),
  and :func:`slopes`, the same read as a least-squares line through every sample of the window
  (steadier on a noisy measure).
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
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from formcheck.config import QualityConfig
from formcheck.pose.landmarks import Landmark, PoseFrame

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
_PAIRS: tuple[tuple[Side, Side], ...] = (("left", "right"), ("right", "left"))
_MAIN = ("shoulder", "hip", "knee", "ankle", "elbow")
_MAIN_INDEX = np.array([[SIDE_POINTS[side][n] for n in _MAIN] for side, _ in _PAIRS])
#: Landmark rows conditioned per frame: the near side's points (and nose), then the far side's.
_ROW_INDEX: dict[Side, npt.NDArray[np.intp]] = {
    side: np.array(
        [
            *[SIDE_POINTS[side][n] for n in POINT_NAMES[:-1]],
            Landmark.NOSE,
            *[SIDE_POINTS[far][n] for n in POINT_NAMES[:-1]],
            Landmark.NOSE,
        ],
        dtype=np.intp,
    )
    for side, far in _PAIRS
}
_ROWS = 2 * len(POINT_NAMES)


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


class OneEuroBank:
    """Many one-euro filters stepped together: an (n, k) array of values per call.

    Element for element the same arithmetic as :class:`OneEuro` (NaN in = NaN out and that
    filter restarts), so a bank gives the same numbers as n*k scalar filters at a fraction of
    the cost. ``beta`` is per column (image px and world metres need different scales).
    """

    def __init__(
        self,
        shape: tuple[int, int],
        min_cutoff_hz: float,
        beta: npt.ArrayLike,
        d_cutoff_hz: float = 1.0,
    ) -> None:
        self.min_cutoff_hz = float(min_cutoff_hz)
        self.beta = np.broadcast_to(np.asarray(beta, np.float64), shape[1:]).copy()
        self.d_cutoff_hz = float(d_cutoff_hz)
        self._x = np.full(shape, np.nan)
        self._dx = np.zeros(shape)
        self._t = np.full(shape, np.nan)

    def reset(self, rows: npt.ArrayLike | None = None) -> None:
        """Restart the filters of these rows (all rows by default)."""
        if rows is not None and not np.any(rows):
            return
        index = slice(None) if rows is None else np.asarray(rows)
        self._x[index] = np.nan
        self._dx[index] = 0.0
        self._t[index] = np.nan

    def __call__(
        self, values: npt.NDArray[np.float64], t_s: float, rows: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float64]:
        """Filter ``values`` (n, k) at time ``t_s``; rows where ``rows`` is False are left
        alone (their output is NaN)."""
        x, dx, tt = self._x, self._dx, self._t
        if rows.all() and np.isfinite(values).all() and np.isfinite(x).all() and (tt < t_s).all():
            # the usual frame: every filter running, one step for all of them
            dt = t_s - tt
            two_pi = 2 * math.pi
            a_d = 1.0 / (1.0 + (1.0 / (two_pi * self.d_cutoff_hz)) / dt)
            dx[:] = a_d * ((values - x) / dt) + (1 - a_d) * dx
            cutoff = self.min_cutoff_hz + self.beta * np.abs(dx)
            a = 1.0 / (1.0 + (1.0 / (two_pi * cutoff)) / dt)
            x[:] = a * values + (1 - a) * x
            tt[:] = t_s
            return x.copy()
        live = rows[:, None] & np.ones_like(x, dtype=bool)
        finite = live & np.isfinite(values)
        x[live & ~finite] = np.nan
        init = finite & (~np.isfinite(x) | ~np.isfinite(tt) | (t_s <= tt))
        step = finite & ~init
        out = np.full_like(values, np.nan)
        if step.any():
            dt = t_s - tt[step]
            v, x0 = values[step], x[step]
            two_pi = 2 * math.pi
            a_d = 1.0 / (1.0 + (1.0 / (two_pi * self.d_cutoff_hz)) / dt)
            dx_new = a_d * ((v - x0) / dt) + (1 - a_d) * dx[step]
            beta = np.broadcast_to(self.beta, x.shape)[step]
            cutoff = self.min_cutoff_hz + beta * np.abs(dx_new)
            a = 1.0 / (1.0 + (1.0 / (two_pi * cutoff)) / dt)
            x[step] = a * v + (1 - a) * x0
            dx[step] = dx_new
            tt[step] = t_s
        x[init] = values[init]
        dx[init] = 0.0
        tt[init] = t_s
        out[finite] = x[finite]
        return out


@dataclass
class SideConditioner:
    """Turns pose frames into :class:`SideView` s: gate, choose side, bridge gaps, smooth.

    Call it once per frame, in time order. The near and far side's points (image x, y and world
    x, y, z of each) are conditioned together as one (20, 5) array per frame.
    """

    config: QualityConfig = field(default_factory=QualityConfig)
    _score: float = 0.0
    _side: Side | None = None
    _bank: OneEuroBank | None = None
    _lateral_filters: list[OneEuro] = field(default_factory=list)
    _last_t: npt.NDArray[np.float64] = field(default_factory=lambda: np.full(_ROWS, np.nan))
    _last: npt.NDArray[np.float64] = field(default_factory=lambda: np.full((_ROWS, 5), np.nan))

    def __post_init__(self) -> None:
        beta = self.config.smoothing_beta
        # image axes (0, 1) in px; world axes (2..4) in metres: scale beta to the unit
        self._bank = OneEuroBank(
            (_ROWS, 5), self.config.smoothing_cutoff_hz, [beta, beta] + [beta * 500.0] * 3
        )
        self._lateral_filters = [
            OneEuro(self.config.smoothing_cutoff_hz, beta * 500.0) for _ in range(3)
        ]

    def choose_side(self, frame: PoseFrame) -> Side | None:
        """Update the running side score with this frame and return the side to use."""
        if not frame.has_person:
            return self._side
        left, right = np.nansum(frame.landmarks[_MAIN_INDEX, 3], axis=1)
        diff = float(left - right)
        self._score = 0.8 * self._score + 0.2 * diff
        if self._side is None:
            self._side = "left" if diff >= 0 else "right"
        elif self._side == "left" and self._score < -0.3:
            self._side = "right"
        elif self._side == "right" and self._score > 0.3:
            self._side = "left"
        return self._side

    def _condition(
        self, frame: PoseFrame, side: Side, t: float
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """(rows x [image x, y, world x, y, z], held) for the near then far points: gated,
        bridged over short dropouts and smoothed."""
        assert self._bank is not None
        index = _ROW_INDEX[side]
        rows = frame.landmarks[index].astype(np.float64)
        ok = np.isfinite(rows[:, :2]).all(axis=1) & (rows[:, 3] >= self.config.min_visibility)
        gap = self.config.max_bridged_gap_s
        has_last = np.isfinite(self._last_t)
        age = t - self._last_t
        # no frames for longer than a bridged gap (a stall): restart the smoothing, as after a
        # dropout of missing frames, instead of blending in a stale pose
        self._bank.reset(ok & has_last & (age > gap))
        raw = np.concatenate([rows[:, :2], frame.world[index].astype(np.float64)], axis=1)
        values = self._bank(raw, t, ok)
        held = ~ok & has_last & (age <= gap)
        self._bank.reset(~ok & ~held)
        values[held] = self._last[held]
        self._last[ok] = values[ok]
        self._last_t[ok] = t
        return values, held

    def __call__(self, frame: PoseFrame) -> SideView:
        assert self._bank is not None
        t = frame.timestamp_ms / 1000.0
        previous = self._side
        side = self.choose_side(frame)
        if side != previous:  # near and far swap: restart the filters
            self._bank.reset()
            self._lateral_filters = [
                OneEuro(f.min_cutoff_hz, f.beta) for f in self._lateral_filters
            ]
            self._last_t[:] = np.nan
        if side is None:
            empty = {n: np.full(2, np.nan) for n in POINT_NAMES}
            return SideView(t, None, empty, dict(empty))
        values, held = self._condition(frame, side, t)
        n = len(POINT_NAMES)
        near_pts = dict(zip(POINT_NAMES, values[:n, :2], strict=True))
        far_pts = dict(zip(POINT_NAMES, values[n:, :2], strict=True))
        world = dict(zip(POINT_NAMES, values[:n, 2:], strict=True))
        bridged = bool(held[:n].any())
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
            [f(float(v), t) for f, v in zip(self._lateral_filters, axis, strict=True)]
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


def slopes(t: np.ndarray, values: np.ndarray, window_s: float) -> np.ndarray:
    """Rate of change (units/s) at each sample: the slope of the least-squares line through the
    samples of a centred window of ``window_s`` seconds (NaN samples left out; 0 where the
    window has fewer than two times).

    Two endpoints carry all of a difference's noise; a line through every sample of the window
    averages it (over 0.4 s at 24-30 fps, 1 deg of frame noise moves it 2-3 deg/s, against 7 deg/s
    for the difference over 0.2 s).

    Example:
        >>> t = np.arange(6) * 0.1
        >>> np.round(slopes(t, np.array([0.0, 1.0, 2.0, 3.0, 3.0, 3.0]), 0.3), 2).tolist()
        [10.0, 10.0, 10.0, 5.0, 0.0, 0.0]
    """
    t = np.asarray(t, np.float64)
    y = np.asarray(values, np.float64)
    if len(t) == 0:
        return np.zeros(0)
    seen = np.isfinite(y)
    w = seen.astype(np.float64)
    x = np.where(seen, t - t[0], 0.0)
    y = np.where(seen, y, 0.0)
    lo = np.searchsorted(t, t - window_s / 2)
    hi = np.searchsorted(t, t + window_s / 2, side="right")

    def window_sum(a: np.ndarray) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(a)])
        return c[hi] - c[lo]

    n = np.maximum(window_sum(w), 1.0)
    sx, sy = window_sum(x), window_sum(y)
    sxx, sxy = window_sum(x * x) - sx * sx / n, window_sum(x * y) - sx * sy / n
    out = np.zeros(len(t))
    ok = sxx > 1e-12
    out[ok] = sxy[ok] / sxx[ok]
    return out


class RecentMedian:
    """The median of the values of the last ``window_s`` seconds, a steady reading of something
    that does not move (a camera's tilt) from noisy frames.

    Example:
        >>> recent = RecentMedian(5.0)
        >>> [recent.add(t, v) for t, v in ((0.0, 1.0), (1.0, float("nan")), (2.0, 3.0))]
        [1.0, 1.0, 2.0]
        >>> recent.add(7.5, 9.0)  # the others fell out of the window
        9.0
    """

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._items: deque[tuple[float, float]] = deque()

    def add(self, t_s: float, value: float) -> float:
        """Add ``value`` (NaN is skipped) at time ``t_s``; the median of the window (NaN when
        it is empty)."""
        if math.isfinite(value):
            self._items.append((t_s, value))
        while self._items and t_s - self._items[0][0] > self.window_s:
            self._items.popleft()
        if not self._items:
            return math.nan
        return float(np.median([v for _, v in self._items]))
