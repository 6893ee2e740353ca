"""What every exercise analyzer shares: the per-frame ``update()``, the fold, the live state.

An analyzer is fed pose frames in time order (``update``) and returns the events each frame
caused; ``finish()`` closes what is still open at the end. Its running totals are read-only
properties (``state``), and ``result()`` gives the set's report block. :func:`fold` replays a
whole :class:`~formcheck.pose.landmarks.PoseSeries` through ``update`` — the webcam, a video, a
notebook and the tests all run this same code.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.analysis.episodes import EpisodeTracker
from formcheck.analysis.events import WARNING_MESSAGES, Event, Exercise
from formcheck.config import Config
from formcheck.measure.camera import (
    LOWER_CAMERA,
    CameraView,
    calibrated_tilt,
    frame_lateral,
    raw_lateral_tilt_deg,
)
from formcheck.measure.geometry import distance
from formcheck.measure.signals import RecentMedian, SideConditioner, SideView
from formcheck.pose.landmarks import PoseFrame, PoseSeries


@dataclass(frozen=True)
class LiveState:
    """What a live display shows, read after each ``update``.

    Attributes:
        exercise: The exercise being analysed.
        count: Reps (bridge) or rounds (cat-cow) so far.
        hold_s: Current hold's time (plank), 0 when not holding.
        total_hold_s: All holds so far.
        good_form_s: Good-form time so far.
        measure: The key measure now (hip angle, alignment, spinal bend), NaN if not measurable.
        measure_name: Its name, for labels.
        phase: A short word for what the body is doing ("up", "down", "holding", "cat", ...).
        faults: Fault types active now.
        status: Why nothing is measured, in plain words; "" when measuring.
    """

    exercise: str
    count: int = 0
    hold_s: float = 0.0
    total_hold_s: float = 0.0
    good_form_s: float = 0.0
    measure: float = float("nan")
    measure_name: str = ""
    phase: str = ""
    faults: tuple[str, ...] = ()
    status: str = ""


def not_measurable_reason(view: SideView, needed: tuple[str, ...]) -> str:
    """Why the needed points are not measurable in ``view``, in plain words ("" if they are)."""
    if view.side is None:
        return "Step into view: no person found"
    missing = [n for n in needed if not np.isfinite(view.points[n]).all()]
    if not missing:
        shoulder, far_shoulder = view.points["shoulder"], view.other["shoulder"]
        hip = view.points["hip"]
        if np.isfinite(far_shoulder).all():
            spread = float(distance(shoulder, far_shoulder))
            torso = float(distance(shoulder, hip))
            if torso > 0 and spread > 0.6 * torso:
                return "Turn side-on to the camera"
        return ""
    if any(n in missing for n in ("ankle", "knee", "heel", "foot")):
        return "Move back so your whole body is in view"
    return "Move so your whole body is in view, side-on to the camera"


@dataclass
class FaultSet:
    """Episode trackers for a set of fault types, reported as warnings."""

    exercise: str
    min_s: float
    grace_s: float
    trackers: dict[str, EpisodeTracker] = field(default_factory=dict)

    def tracker(self, kind: str, *, worst_is_min: bool = True) -> EpisodeTracker:
        if kind not in self.trackers:
            self.trackers[kind] = EpisodeTracker(self.min_s, self.grace_s, worst_is_min)
        return self.trackers[kind]

    def update(
        self, t_s: float, kind: str, condition: bool, value: float, *, worst_is_min: bool = True
    ) -> list[Event]:
        change = self.tracker(kind, worst_is_min=worst_is_min).update(t_s, condition, value=value)
        return self._events(t_s, kind, change)

    def _events(self, t_s: float, kind: str, change: str | None) -> list[Event]:
        if change == "started":
            return [
                Event(
                    t_s,
                    "fault_started",
                    self.exercise,
                    {"type": kind, "message": WARNING_MESSAGES[kind]},
                )
            ]
        if change == "ended":
            return [Event(t_s, "fault_cleared", self.exercise, {"type": kind})]
        return []

    def close(self, t_s: float) -> list[Event]:
        events = []
        for kind, tracker in self.trackers.items():
            events += self._events(t_s, kind, tracker.close())
        return events

    @property
    def active(self) -> tuple[str, ...]:
        return tuple(k for k, t in self.trackers.items() if t.active is not None)

    def warnings(self, unit: str = "deg") -> list[dict[str, Any]]:
        out = []
        for kind, tracker in self.trackers.items():
            for ep in tracker.episodes:
                out.append(
                    {
                        "type": kind,
                        "start_s": round(ep.start_s, 3),
                        "end_s": round(ep.end_s, 3),
                        "duration_s": round(ep.duration_s, 3),
                        "message": WARNING_MESSAGES[kind],
                        f"worst_{unit}": None
                        if ep.worst != ep.worst
                        else round(float(ep.worst), 1),
                    }
                )
        return sorted(out, key=lambda w: w["start_s"])


def rep_events(
    exercise: str, kind: str, rep: dict[str, Any], worst_deg: float
) -> tuple[list[dict[str, Any]], list[Event]]:
    """The warnings of a finished rep or round (one per fault it carries) and its events.

    Returns:
        (warnings for the report, events: the rep itself, then one ``fault_started`` each).
    """
    end = rep["end_s"]
    warnings = [
        {
            "type": fault,
            "start_s": rep["start_s"],
            "end_s": end,
            "rep": rep["index"],
            "message": WARNING_MESSAGES[fault],
            "worst_deg": worst_deg,
        }
        for fault in rep["faults"]
    ]
    events = [Event(end, kind, exercise, rep)]
    events += [Event(end, "fault_started", exercise, w) for w in warnings]
    return warnings, events


#: How much recent time the per-frame estimate of the camera's tilt pools (s).
VIEW_TILT_WINDOW_S = 5.0


def _tilt_limit(config: Config, exercise: Exercise) -> float | None:
    """The steepest camera view (deg) whose figures are within the exercise's accuracy (None
    for the recogniser, whose sets' own analyzers judge the view)."""
    limits = {
        Exercise.GLUTE_BRIDGE: config.bridge.max_camera_tilt_deg,
        Exercise.PLANK: config.plank.max_camera_tilt_deg,
        Exercise.CAT_COW: config.cat_cow.max_camera_tilt_deg,
    }
    return limits.get(exercise)


class Analyzer(ABC):
    """Base of the exercise analyzers (see module docs)."""

    exercise: Exercise
    measure_name: str = ""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.conditioner = SideConditioner(self.config.quality)
        # per-frame traces, compact (8 bytes a value) so hours of video fit in little memory
        self.times: array[float] = array("d")
        self.measured: list[bool] = []
        self.metrics: dict[str, array[float]] = {}
        self.cues_status = ""
        self._status = ""
        self._first_t: float | None = None
        self._last_t: float | None = None
        limit = _tilt_limit(self.config, self.exercise)
        self.camera = CameraView(limit) if limit is not None else None
        #: this frame's raw camera tilt (:func:`~formcheck.measure.camera.raw_lateral_tilt_deg`),
        #: worked out once in :meth:`update` before ``_step``, for the set's camera block and
        #: for any measure that needs the view's tilt
        self.frame_raw_tilt = math.nan
        self._raw_tilts = RecentMedian(VIEW_TILT_WINDOW_S)

    # -- per frame -------------------------------------------------------------------------
    def update(self, frame: PoseFrame) -> list[Event]:
        """Feed one frame (in time order); returns the events it caused."""
        view = self.conditioner(frame)
        t = view.t_s
        if self._first_t is None:
            self._first_t = t
        self._last_t = t
        if self.camera is not None:
            self.frame_raw_tilt = raw_lateral_tilt_deg(frame_lateral(frame.world))
        values, events = self._step(view, frame)
        if values and self.camera is not None:
            # in position: the floor contacts are down, so the body shows the camera's tilt
            self.camera.add(self.frame_raw_tilt)
            if self.camera.too_steep and not self._status:
                self._status = LOWER_CAMERA
        self._record(t, values)
        return events

    def view_tilt(self, t: float) -> float:
        """The camera's estimated tilt (deg) from the frames of the last ``VIEW_TILT_WINDOW_S``
        with somebody in view, for measures that undo it (the set's own estimate, which pools
        only frames in position, comes too late for the first seconds); NaN until known. Call
        it once a frame, from ``_step``."""
        raw = self._raw_tilts.add(t, self.frame_raw_tilt)
        return calibrated_tilt(raw) if np.isfinite(raw) else math.nan

    def _record(self, t: float, values: dict[str, float]) -> None:
        """Add one frame's per-frame values to the traces."""
        self._last_t = t
        self.times.append(t)
        ok = bool(values) and np.isfinite(values.get(self.measure_name, np.nan))
        self.measured.append(ok)
        for key in set(self.metrics) | set(values):
            if key not in self.metrics:
                self.metrics[key] = array("d", [np.nan]) * (len(self.times) - 1)
            self.metrics[key].append(float(values.get(key, np.nan)))

    def idle(self, t_ms: int, image_size: tuple[int, int]) -> list[Event]:
        """Let time pass with nobody in position (the frame went elsewhere): holds and pauses
        break as they would with the person gone, but the analyzer's end time stays at its
        last real frame."""
        last = self._last_t
        events = self.update(PoseFrame.empty(timestamp_ms=t_ms, image_size=image_size))
        self._last_t = last
        return events

    @abstractmethod
    def _step(self, view: SideView, frame: PoseFrame) -> tuple[dict[str, float], list[Event]]:
        """Analyse one conditioned frame: per-frame values (by name) and events."""

    def finish(self) -> list[Event]:
        """Close open reps, holds and faults at the end of the recording."""
        return []

    # -- read-only totals --------------------------------------------------------------------
    @property
    @abstractmethod
    def state(self) -> LiveState:
        """The live state after the latest frame."""

    @abstractmethod
    def result(self) -> dict[str, Any]:
        """The set's report block (exercise, start/end, reps, holds, warnings, summary)."""

    def set_block(self) -> dict[str, Any]:
        """:meth:`result` with the set's ``camera`` block (the view's estimated tilt and
        whether the figures are within their stated accuracy)."""
        if self.camera is None:
            return self.result()
        return {**self.result(), "camera": self.camera.block()}

    @property
    def start_s(self) -> float:
        return self._first_t or 0.0

    @property
    def end_s(self) -> float:
        return self._last_t or 0.0

    def trace(self, name: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(times_s, values) of a per-frame metric (the key measure by default)."""
        values = self.metrics.get(name or self.measure_name)
        times = np.frombuffer(self.times, dtype=np.float64) if self.times else np.zeros(0)
        if values is None:
            return times.copy(), np.full(len(self.times), np.nan)
        return times.copy(), np.array(values, dtype=np.float64)


AnalyzerFactory = Callable[[Config], Analyzer]


def fold(analyzer: Analyzer, series: PoseSeries) -> tuple[Analyzer, list[Event]]:
    """Replay every frame of ``series`` through ``analyzer.update``, then ``finish()``."""
    events: list[Event] = []
    for frame in series:
        events += analyzer.update(frame)
    events += analyzer.finish()
    return analyzer, events
