"""Glute bridge: lying on the back, knees bent, lift the hips, pause at the top, lower.

Measures (side view, camera-facing side):

* **hip angle** — the shoulder-hip-knee angle in the body's sagittal plane
  (:func:`~formcheck.measure.geometry.sagittal_angle` on MediaPipe's world landmarks): about
  110-140 deg lying down, 180 deg when shoulders, hips and knees are in a straight line, more
  than 180 deg when the hips are pushed past straight (over-arching).
* **knee angle** — hip-knee-ankle (feet placement; about 80-110 deg is comfortable).
* **lift** — the angle at the shoulder between the hip and the ankle, + when the hips are above
  the shoulder-ankle line: ~0 deg with the hips on the floor.

A rep: the hip angle rises from its resting level (tracked continuously, so any foot placement
works) by at least ``rise_top_deg`` while the trunk rises off the floor by ``min_lift_deg`` above
its own resting lift (sliding the feet changes the hip angle but not the lift), and comes back
within ``rise_start_deg`` of rest (or the trunk is back on the floor, if the feet moved);
the two thresholds give hysteresis, and ``min_rep_s`` keeps
jitter and shuffling from counting. The rep starts when the hip angle last left the rest band and
ends when it returns to it. The thresholds are low (8 and 4 deg) because MediaPipe reads the
rise short: it reads a resting hip angle some 5 deg high and a low top a little low, so
partial reps rising 19-25 deg read about 10-20 deg on rendered clips, and some as little as 10
on the same clips mirrored (the same pixels, read by a model that is not mirror-symmetric): a
10 deg threshold lost two partial reps of five there.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from formcheck.analysis.base import Analyzer, LiveState, not_measurable_reason, rep_events
from formcheck.analysis.events import Event, Exercise
from formcheck.config import Config
from formcheck.measure.geometry import (
    angle_3d,
    extension_angle,
    joint_angle,
    line_offset,
    sagittal_angle,
    tilt,
)
from formcheck.measure.signals import SideView, speeds
from formcheck.pose.landmarks import PoseFrame

NEEDED = ("shoulder", "hip", "knee", "ankle")
ABORT_UNMEASURED_S = 2.0


def bridge_measures(view: SideView, world_bias_deg: float = 0.0) -> dict[str, float]:
    """Per-frame bridge measures from a side view (empty dict when not measurable).

    The hip and knee angles are measured in the body's sagittal plane from the world landmarks
    (:func:`~formcheck.measure.geometry.sagittal_angle`), so a camera above or below the body, or
    turned a little, does not skew them; without world landmarks the image angles are used.
    ``world_bias_deg`` is taken off the world landmarks' hip angle (``bridge.world_hip_bias_deg``:
    MediaPipe reads it high).
    """
    if not view.has(*NEEDED):
        return {}
    s, h, k, a = (view[n] for n in NEEDED)
    lift = float(np.sign(line_offset(s, h, a)) * joint_angle(h, s, a))
    if view.has_world(*NEEDED):
        ws, wh, wk, wa = (view.world[n] for n in NEEDED)
        hip_angle = float(sagittal_angle(ws, wh, wk, view.lateral)) - world_bias_deg
        knee_angle = float(angle_3d(wh, wk, wa))
    else:
        hip_angle = float(extension_angle(s, h, k))
        knee_angle = float(joint_angle(h, k, a))
    return {
        "hip_angle_deg": hip_angle,
        "knee_angle_deg": knee_angle,
        "lift_deg": lift,
        "trunk_tilt_deg": float(tilt(s, h)),
        "knee_height_px": float(h[1] - k[1]),
        # the shin's rise from the ankle to the knee in the picture, as a share of its length:
        # near 1 with the foot planted under the knee, near 0 with the shin on the floor
        "shin_rise": float((a[1] - k[1]) / max(float(np.hypot(*(a - k)[:2])), 1e-6)),
    }


#: In a bridge's top the shin rises from the ankle to the knee by at least this share of its
#: length in the picture (sin 30°).
BRIDGE_MIN_SHIN_RISE = 0.5


def in_bridge_position(m: dict[str, float], *, bridging: bool = False) -> bool:
    """Lying on the back with knees bent up: trunk low, knees above the hips.

    With ``bridging`` (a bridge set or rep under way) the hips may rise level with or above the
    knees in the image: an over-arched top, or any top seen from a camera above the body, puts
    them there, and that is the moment to measure, not a reason to stop. The feet stay planted
    under the knees, though (the shin rises at least 30° from the ankle): kneeling on the
    forearms, shins on the floor, on the way into a plank, is not a bridge's top.
    """
    return (
        bool(m)
        and m["trunk_tilt_deg"] < 50
        and (m["knee_height_px"] > 0 or (bridging and m["shin_rise"] > BRIDGE_MIN_SHIN_RISE))
        and m["knee_angle_deg"] < 150
    )


def top_pause(t: np.ndarray, hip: np.ndarray, max_speed: float) -> tuple[int, int]:
    """First and last index of the pause at the top of a rep.

    The rep's rise is its opening stretch that is still below the midpoint between rest and
    peak or climbing faster than the threshold (``max_speed``, or 15% of the rep's fastest
    movement when that is lower, but at least 4 deg/s); the lowering is its closing stretch
    that is below
    the midpoint or falling faster than the threshold. The pause is what lies between, so a slow
    sink or a dip and recovery at the top is part of it.
    """
    v = speeds(t, hip)
    # a slow tempo eases into the pause slowly: scale the threshold to this rep's own speed
    max_speed = float(np.clip(0.15 * np.abs(v).max(), 4.0, max_speed))
    mid = (float(hip[0]) + float(hip.max())) / 2
    rising = (hip < mid) | (v > max_speed)
    lowering = (hip < mid) | (v < -max_speed)
    first = 0
    while first < len(t) - 1 and rising[first]:
        first += 1
    last = len(t) - 1
    while last > first and lowering[last]:
        last -= 1
    return first, max(first, last)


class BridgeAnalyzer(Analyzer):
    """Counts glute bridge reps and checks each one (see module docs)."""

    exercise = Exercise.GLUTE_BRIDGE
    measure_name = "hip_angle_deg"

    def __init__(self, config: Config | None = None) -> None:
        super().__init__(config)
        self.cfg = self.config.bridge
        self.reps: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self._rest: float | None = None
        self._rest_lift = 0.0
        self._up = False
        self._last_low_t: float | None = None
        self._last_seen_t: float | None = None
        self._recent: deque[tuple[float, float, float, float]] = deque()
        self._rep: list[tuple[float, float, float, float]] = []
        self._hip = float("nan")

    def _step(self, view: SideView, frame: PoseFrame) -> tuple[dict[str, float], list[Event]]:
        t = view.t_s
        m = bridge_measures(view, self.cfg.world_hip_bias_deg)
        events: list[Event] = []
        if not in_bridge_position(m, bridging=self._up):
            self._status = not_measurable_reason(view, NEEDED) or "Lie on your back, knees bent"
            self._hip = float("nan")
            if (
                self._up
                and self._last_seen_t is not None
                and t - self._last_seen_t > ABORT_UNMEASURED_S
            ):
                self._up, self._rep = False, []
            return {}, events
        self._status = ""
        self._last_seen_t = t
        hip = m["hip_angle_deg"]
        self._hip = hip
        sample = (t, hip, m["knee_angle_deg"], m["lift_deg"])
        self._recent.append(sample)
        while self._recent and t - self._recent[0][0] > self.cfg.max_rep_s:
            self._recent.popleft()
        if self._rest is None:
            self._rest, self._rest_lift = hip, m["lift_deg"]
        rise = hip - self._rest
        lifted = m["lift_deg"] - self._rest_lift >= self.cfg.min_lift_deg
        if not self._up:
            if rise <= self.cfg.rise_start_deg:
                self._last_low_t = t
            if not lifted and self._steady(t):
                # hips on the floor and still: this is the resting level (it moves when the
                # feet are placed nearer or further)
                self._rest = self._follow(self._rest, hip, t)
                self._rest_lift = self._follow(self._rest_lift, m["lift_deg"], t)
            if rise >= self.cfg.rise_top_deg and lifted:
                self._up = True
                start = self._last_low_t if self._last_low_t is not None else t
                self._rep = [s for s in self._recent if s[0] >= start]
        else:
            self._rep.append(sample)
            trunk_down = m["lift_deg"] - self._rest_lift <= self.cfg.min_lift_deg / 2
            if rise <= self.cfg.rise_start_deg or trunk_down or self._settled_low(t, hip):
                if rise > self.cfg.rise_start_deg and not trunk_down:
                    # down and still, but above the resting level: the level was read from a
                    # moment on the way into position (a set starting with a rep at once); this
                    # is the real one
                    self._rest, self._rest_lift = hip, m["lift_deg"]
                self._up = False
                events += self._close_rep()
                self._last_low_t = t
        m["rest_hip_angle_deg"] = self._rest
        return m, events

    def _settled_low(self, t: float, hip: float) -> bool:
        """During a rep: the hips came back down more than half-way from its peak to the
        resting level and have stayed still (see :meth:`_steady`): the rep is over, even if the
        resting level says the hips are still up."""
        peak = max(s[1] for s in self._rep)
        assert self._rest is not None
        return hip < (peak + self._rest) / 2 and self._steady(t)

    def _steady(self, t: float) -> bool:
        """True when the hip angle moved less than 2.5 deg over the last half second."""
        recent = [h for s, h, _, _ in self._recent if t - s <= 0.5]
        return len(recent) >= 2 and max(recent) - min(recent) < 2.5

    def _follow(self, rest: float, value: float, t: float) -> float:
        """Resting level: drops at once to a lower value, follows a higher one within seconds."""
        if value < rest:
            return value
        dt = t - (self.times[-1] if self.times else t)
        return rest + (value - rest) * min(1.0, dt / self.cfg.rest_follow_s)

    def _close_rep(self) -> list[Event]:
        samples, self._rep = self._rep, []
        if len(samples) < 3:
            return []
        t = np.array([s[0] for s in samples])
        hip = np.array([s[1] for s in samples])
        knee = np.array([s[2] for s in samples])
        start, end = float(t[0]), float(t[-1])
        if not self.cfg.min_rep_s <= end - start <= self.cfg.max_rep_s:
            return []
        peak_i = int(np.argmax(hip))
        peak = float(hip[peak_i])
        first, last = top_pause(t, hip, self.cfg.lowering_speed_deg_s)
        # a frame stands for the time around it: edges halfway to the neighbouring frames
        t_first = float(t[first] + t[max(first - 1, 0)]) / 2
        t_last = float(t[last] + t[min(last + 1, len(t) - 1)]) / 2
        top_hold = max(0.0, t_last - t_first)
        knee_top = float(np.median(knee[first : last + 1]))
        faults = []
        if peak < 180 - self.cfg.partial_margin_deg:
            faults.append("partial_rep")
        if peak > 180 + self.cfg.over_arch_margin_deg:
            faults.append("over_arch")
        top = hip[first : last + 1]
        if last > first and float(top.min()) < float(top.max()) - self.cfg.hip_drop_deg:
            faults.append("hips_dropping")
        if knee_top < self.cfg.knee_min_deg:
            faults.append("feet_too_close")
        elif knee_top > self.cfg.knee_max_deg:
            faults.append("feet_too_far")
        rep = {
            "index": len(self.reps) + 1,
            "start_s": round(start, 3),
            "peak_s": round((t_first + t_last) / 2, 3),
            "end_s": round(end, 3),
            "duration_s": round(end - start, 3),
            "top_hold_s": round(top_hold, 3),
            "lift_s": round(t_first - start, 3),
            "lower_s": round(end - t_last, 3),
            "peak_hip_angle_deg": round(peak, 1),
            "rest_hip_angle_deg": round(float(hip[0]), 1),
            "knee_angle_deg": round(knee_top, 1),
            "faults": faults,
            "good": not faults,
        }
        self.reps.append(rep)
        warnings, events = rep_events(self.exercise.value, "rep", rep, round(peak, 1))
        self.warnings += warnings
        return events

    def finish(self) -> list[Event]:
        if self._up:  # the recording ended at the top: that rep is not finished
            self._up, self._rep = False, []
        return []

    @property
    def state(self) -> LiveState:
        good = sum(r["top_hold_s"] for r in self.reps if r["good"])
        return LiveState(
            exercise=self.exercise.value,
            count=len(self.reps),
            total_hold_s=sum(r["top_hold_s"] for r in self.reps),
            good_form_s=good,
            measure=self._hip,
            measure_name="hip angle",
            phase="up" if self._up else "down",
            faults=tuple(self.reps[-1]["faults"]) if self.reps else (),
            status=self._status,
        )

    def result(self) -> dict[str, Any]:
        reps = self.reps
        holds = [r["top_hold_s"] for r in reps]
        return {
            "exercise": self.exercise.value,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "reps": reps,
            "holds": [],
            "warnings": list(self.warnings),
            "summary": {
                "rep_count": len(reps),
                "good_reps": sum(1 for r in reps if r["good"]),
                "hold_s": round(float(sum(holds)), 3),
                "good_form_s": round(float(sum(r["top_hold_s"] for r in reps if r["good"])), 3),
                "mean_peak_hip_angle_deg": round(
                    float(np.mean([r["peak_hip_angle_deg"] for r in reps])), 1
                )
                if reps
                else None,
                "mean_top_hold_s": round(float(np.mean(holds)), 2) if reps else None,
                "target_top_hold_s": self.cfg.target_top_hold_s,
            },
        }
