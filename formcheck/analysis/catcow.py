"""Cat-cow: on hands and knees, round the spine up (cat), then arch it down (cow).

Measure: the **spinal bend** — the turning angle of the back's outline between the shoulders and
the hips, taken from the segmentation mask (:mod:`formcheck.measure.spine`,
:func:`~formcheck.measure.geometry.bend_from_profile`): + when the back is rounded, - when it is
arched, read as a level camera would see it (the camera's estimated tilt undone, see
:func:`catcow_measures`). The outline also has a resting shape, so the analyzer works relative
to a **neutral** level: the midpoint of the recent range of the bend (or its median while the
range is still small).

A round is one excursion to each side: the bend leaves the neutral band (``phase_deg``) on one
side, then on the other; consecutive excursions to the same side are merged (hysteresis). Per
round: flexion (cat peak above neutral), extension (cow trough below neutral), total range, the
pause at each end (time within ``end_band_deg`` of the extreme) and the round's duration.
Flexion is reported positive and extension negative, both relative to neutral. The band is a
quarter of the recent range, between 4 deg (noise) and ``phase_deg``, so shallow rounds count.
A round starts where the previous one ended (or, after a rest at neutral, when the back
leaves neutral) and ends as the spine leaves its second pause; the first excursion sets the
order (cat first or cow first, as the person does it), and a lone last end is not a round.
A pause is time near the extreme with the spine still (its speed read as a line through
``PAUSE_SPEED_WINDOW_S`` of the bend), so a smooth turnaround is not a pause.

A round needs the spine to move while hands and knees stay put: each frame the wrists and knees
(both sides, where seen) are compared with where they were over the last ``LIMB_WINDOW_S``
while they stayed put (the median), as a share of the trunk length, and so are the thighs' and
arms' signed angles from vertical. A stretch beyond ``LIMB_SHIFT`` or ``LIMB_ANGLE_DEG`` (or off
all fours) that comes back within ``MOVE_MAX_S`` is a limb movement (a leg or arm extension,
rocking back towards child's pose, a weight shift forward or back): no round spans it, and an
excursion it touches (or that begins within ``SETTLE_AFTER_MOVE_S`` of its end, while the back
settles) pairs with nothing. One that stays away longer is a new place for the
hands, knees or hips (a drift, which ``hips_off_knees``/``shoulders_off_hands`` report): rounds
go on, counted once that is clear (at most ``MOVE_MAX_S`` late).
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.analysis.base import (
    Analyzer,
    FaultSet,
    LiveState,
    not_measurable_reason,
    rep_events,
)
from formcheck.analysis.events import Event, Exercise
from formcheck.config import Config
from formcheck.measure.camera import rectify
from formcheck.measure.coverage import runs
from formcheck.measure.geometry import incline, joint_angle, tilt
from formcheck.measure.signals import OneEuro, SideView, slopes
from formcheck.measure.spine import spinal_bend
from formcheck.pose.landmarks import PoseFrame

NEEDED = ("shoulder", "elbow", "wrist", "hip", "knee")
#: The pose model's handedness on the back's outline: the same back reads this much more bent
#: (as a share) when the head points to the image's left (the left side to the camera) and this
#: much less when it points right. Measured on 34 rendered cat-cow sessions and their mirror
#: images, so the same pixels either way round: the left-facing image read the range 10.8%
#: higher on average (33 of 34 sessions higher; log sd 0.08). The reading is scaled to the mean
#: of the two, as if the model had no handedness.
HANDEDNESS = 0.051
NEUTRAL_WINDOW_S = 20.0
MIN_PHASE_DEG = 4.0  # well above the frame-to-frame noise of the bend
#: The spine's speed near an end is the slope of a line through this long (s) of the bend: the
#: bend's frame-to-frame noise (1-2 deg) made a difference over 0.2 s read a held pause as moving
#: (seen: a 1 s pause at 24 fps read as 0.24 s, a false ``no_pause``).
PAUSE_SPEED_WINDOW_S = 0.4
#: How far (s) before and after an excursion a pause at its extreme is looked for.
HOLD_SEARCH_S = 10.0
#: How far back (s) the end of an excursion is compared: more of the neutral level moving
#: than of the back is no movement of the back (see :meth:`CatCowAnalyzer._drop_if_settled`).
SETTLED_WINDOW_S = 0.3
#: A first end found only once the session's range is known (see
#: :meth:`CatCowAnalyzer._recover_first_end`) must have stayed beyond the band this long (s) and
#: gone at least this share as far from neutral as the next end on its side.
FIRST_END_MIN_S = 0.3
FIRST_END_SHARE = 0.5
#: A move between the ends is timed over its middle: from ``MIDDLE_EDGE`` of the way to
#: ``1 - MIDDLE_EDGE``; an eased (half-cosine) move covers that in ``MIDDLE_SHARE`` of its time.
MIDDLE_EDGE = 0.2
MIDDLE_SHARE = 1 - 2 * math.acos(1 - 2 * MIDDLE_EDGE) / math.pi  # 0.41
REST_AT_NEUTRAL_S = 1.0  # this long near neutral between rounds = a rest, not a straight run
#: Hands and knees are compared with their median position over this long (s).
LIMB_WINDOW_S = 6.0
#: A wrist or knee further than this (share of the trunk length) from there has moved.
LIMB_SHIFT = 0.25
#: A thigh or arm angle from vertical further than this (deg) from its median has moved.
LIMB_ANGLE_DEG = 12.0
LIMB_POINTS = ("wrist", "knee")
#: A limb away from its place longer than this (s) has found a new place: a drift, no movement.
MOVE_MAX_S = 4.0
#: The back settling this long (s) after a limb movement is still part of it.
SETTLE_AFTER_MOVE_S = 1.5
#: How often (s) the hands' and knees' median place is recomputed.
ANCHOR_REFRESH_S = 0.25


def limb_pose(view: SideView) -> dict[str, npt.NDArray[np.float64]]:
    """Where the hands and knees are (px, both sides; NaN where unseen), the trunk length (px),
    and the thigh's and arm's signed angles from vertical (deg, + = the hip ahead of the knee,
    the shoulder ahead of the wrist, towards the head)."""
    s, h, w, k = (view[n] for n in ("shoulder", "hip", "wrist", "knee"))
    ahead = 1.0 if s[0] >= h[0] else -1.0

    def from_vertical(top: npt.NDArray[np.float64], bottom: npt.NDArray[np.float64]) -> float:
        d = top - bottom
        return float(np.degrees(np.arctan2(ahead * d[0], -d[1])))

    out = {f"near_{n}": np.asarray(view[n], np.float64) for n in LIMB_POINTS}
    out |= {f"far_{n}": np.asarray(view.other.get(n, np.full(2, np.nan))) for n in LIMB_POINTS}
    out["trunk"] = np.array([float(np.hypot(*(s - h)))])
    out["thigh"] = np.array([from_vertical(h, k)])
    out["arm"] = np.array([from_vertical(s, w)])
    return out


def catcow_measures(
    view: SideView, frame: PoseFrame, *, bend: bool = True, camera_tilt_deg: float = math.nan
) -> dict[str, float]:
    """Per-frame cat-cow measures (empty dict when the points are not measurable); without
    ``bend`` only the posture (the spine's bend is the costly part).

    With the camera's estimated downward tilt the back's outline is first seen as from a level
    camera (:func:`~formcheck.measure.camera.rectify`): a view from above foreshortens the
    back's rise and fall. On 29 rendered sessions filmed from 0.2-1.2 m up, undoing it took the
    range's mean error from 10.4% to 9.5% and its worst from 22% to 19% (from 26 deg down:
    12% short to 4%). The bend is then freed of the model's :data:`HANDEDNESS` (on 34
    rendered sessions the range's mean error went from 10.9% to 8.9%, the worst from 28% to
    22%).
    """
    if not view.has(*NEEDED):
        return {}
    s, e, w, h, k = (view[n] for n in NEEDED)
    back: npt.NDArray[np.floating] | None = frame.back
    if bend and back is not None and math.isfinite(camera_tilt_deg):
        back = rectify(back, frame.image_size, camera_tilt_deg)
    hand = 1 + HANDEDNESS if view.side == "left" else 1 - HANDEDNESS
    return {
        "bend_deg": spinal_bend(back) / hand if bend else float("nan"),
        "trunk_tilt_deg": float(tilt(s, h)),
        "thigh_from_vertical_deg": 90.0 - float(incline(k, h)),
        "arm_from_vertical_deg": 90.0 - float(incline(w, s)),
        "elbow_angle_deg": float(joint_angle(s, e, w)),
    }


def in_all_fours(m: dict[str, float]) -> bool:
    """Hands and knees: trunk near horizontal, thighs and arms near vertical below it."""
    return (
        bool(m)
        and m["trunk_tilt_deg"] < 35
        and m["thigh_from_vertical_deg"] < 45
        and m["arm_from_vertical_deg"] < 45
        and m["elbow_angle_deg"] > 130  # on the hands, arms nearly straight (not the forearms)
    )


@dataclass
class Excursion:
    """A stretch with the bend beyond the neutral band on one side (+1 cat, -1 cow)."""

    sign: int
    samples: list[tuple[float, float]] = field(default_factory=list)

    @property
    def start_s(self) -> float:
        return self.samples[0][0]

    @property
    def end_s(self) -> float:
        return self.samples[-1][0]


def _held(t: np.ndarray, still: np.ndarray, min_s: float) -> np.ndarray:
    """The samples of ``still`` runs lasting at least ``min_s``.

    Example:
        >>> t = np.arange(8) * 0.1
        >>> _held(t, np.array([1, 0, 1, 1, 1, 1, 0, 1], bool), 0.25).astype(int).tolist()
        [0, 0, 1, 1, 1, 1, 0, 0]
    """
    out = np.zeros(len(still), bool)
    for a, b in runs(still):
        if t[b - 1] - t[a] >= min_s:
            out[a:b] = True
    return out


class CatCowAnalyzer(Analyzer):
    """Counts cat-cow rounds and measures spinal range, pauses and tempo (see module docs)."""

    exercise = Exercise.CAT_COW
    measure_name = "bend_deg"

    def __init__(self, config: Config | None = None) -> None:
        super().__init__(config)
        self.cfg = self.config.cat_cow
        self.rounds: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.drift = FaultSet(self.exercise.value, 1.0, 0.5)
        self._smooth = OneEuro(1.5, 0.01)
        self._window: deque[tuple[float, float]] = deque()
        self._neutral = float("nan")
        self._excursions: list[Excursion] = []
        self._bend = float("nan")
        self._pending: Excursion | None = None
        self._consumed = 0
        self._first_end_checked = False  # see _recover_first_end
        self._hist: list[tuple[float, float, float, float]] = []  # (t, bend, neutral, band)
        self._last_round_end: float | None = None
        self._limbs: deque[tuple[float, dict[str, npt.NDArray[np.float64]]]] = deque()
        self._moves: list[tuple[float, float]] = []  # (start, end) of limb movements
        self._away: float | None = None  # a limb away from its place since (undecided)
        self._away_last = float("nan")  # the last frame seen away
        self._prev_sign = 0  # the side of neutral the last followed frame was on
        self._anchor: dict[str, npt.NDArray[np.float64]] | None = None  # limbs' median place
        self._anchor_t = float("-inf")

    def _update_neutral(self, t: float, bend: float) -> tuple[float, float]:
        """(neutral level, phase threshold) from the recent bend values."""
        self._window.append((t, bend))
        while self._window and t - self._window[0][0] > NEUTRAL_WINDOW_S:
            self._window.popleft()
        values = np.array([v for _, v in self._window])
        lo, hi = np.percentile(values, [5, 95])
        # a quarter of the recent range, so shallow rounds still register; never below the
        # noise floor, never above the configured threshold
        phase = float(np.clip(0.25 * (hi - lo), MIN_PHASE_DEG, self.cfg.phase_deg))
        if hi - lo > 2 * phase:
            return float(lo + hi) / 2, phase
        return float(np.median(values)), phase

    def _step(self, view: SideView, frame: PoseFrame) -> tuple[dict[str, float], list[Event]]:
        t = view.t_s
        m = catcow_measures(view, frame, camera_tilt_deg=self.view_tilt(t))
        events: list[Event] = []
        ok = in_all_fours(m) and np.isfinite(m.get("bend_deg", np.nan))
        if m and not in_all_fours(m) and self._hist:
            # off all fours for a moment (a leg stretched back, ...); before the first frame on
            # all fours it is the way into the position, and nothing has moved away from it
            self._limb_away(t)
        if not ok:
            self._bend = float("nan")
            self._status = (
                not_measurable_reason(view, NEEDED) or "Get on your hands and knees, side-on"
            )
            return {}, events
        self._status = ""
        bend = self._smooth(m["bend_deg"], t)
        self._bend = bend
        self._neutral, phase = self._update_neutral(t, bend)
        if self._limbs_put(t, view):
            events += self._limbs_back(t)
        else:
            self._limb_away(t)
        offset = bend - self._neutral
        m["bend_deg"] = bend
        m["neutral_deg"] = self._neutral
        self._hist.append((t, bend, self._neutral, phase))
        sign = 1 if offset > phase else -1 if offset < -phase else 0
        if self._prev_sign and sign != self._prev_sign:
            self._drop_if_settled()
        if sign:
            last = self._excursions[-1] if self._excursions else None
            # the same side again is the same excursion, unless a limb moved during that one
            # and the back came back to neutral since (then a new one, paired or merged later)
            if (
                last is not None
                and last.sign == sign
                and (self._prev_sign == sign or not self._moving(last.start_s, t))
            ):
                last.samples.append((t, bend))
            else:
                self._excursions.append(Excursion(sign, [(t, bend)]))
                events += self._maybe_close_round(final=False)
            self._pending = self._excursions[-1]
        self._prev_sign = sign
        for kind, value in (
            ("hips_off_knees", m["thigh_from_vertical_deg"]),
            ("shoulders_off_hands", m["arm_from_vertical_deg"]),
        ):
            events += self.drift.update(
                t, kind, abs(value) > self.cfg.max_drift_deg, abs(value), worst_is_min=False
            )
        return m, events

    def _drop_if_settled(self) -> None:
        """Drop the excursion that has just ended (at the newest sample of the bend's history)
        if it ended because the neutral level caught up with a back that stayed put, not
        because the back moved back.

        That is no movement of the back but a step in its reading while the neutral level is
        still being learnt: the outline settling as tracking starts (seen: a 4 deg step 0.5 s
        into a render, held for 0.7 s, read as a cat before a cow-first session, so every
        round was paired half a round late), or the person shifting before they begin. Over
        the last ``SETTLED_WINDOW_S`` the neutral level moved towards the excursion's side
        more than the back moved away from it, and by more than a quarter of the phase
        threshold (the back hovering at the threshold is not this).
        """
        if len(self._excursions) <= self._consumed:
            return
        exc = self._excursions[-1]
        if exc.sign != self._prev_sign:
            return
        t, bend, neutral, phase = self._hist[-1]
        _, then_bend, then_neutral, _ = self._hist_between(t - SETTLED_WINDOW_S, t)[0]
        caught_up = (neutral - then_neutral) * exc.sign
        moved_back = (then_bend - bend) * exc.sign
        if caught_up > max(moved_back, 0.25 * phase):
            del self._excursions[-1]
            self._pending = (
                self._excursions[-1] if len(self._excursions) > self._consumed else None
            )

    def _hist_between(
        self, t0: float, t1: float
    ) -> list[tuple[float, float, float, float]]:
        """The bend's history (t, bend, neutral, phase threshold) from ``t0`` to ``t1``."""
        a = bisect.bisect_left(self._hist, (t0,))
        return self._hist[a : bisect.bisect_right(self._hist, (t1, np.inf))]

    def _limbs_put(self, t: float, view: SideView) -> bool:
        """True while hands and knees stay where they were (see module docs)."""
        pose = limb_pose(view)
        while self._limbs and t - self._limbs[0][0] > LIMB_WINDOW_S:
            self._limbs.popleft()
        if not self._limbs:
            self._limbs.append((t, pose))
            self._anchor = None
            return True
        anchor = self._anchor
        if anchor is None or t - self._anchor_t >= ANCHOR_REFRESH_S or t < self._anchor_t:
            # the median of a window is a slow-moving reference: refreshed a few times a
            # second, not every frame (at 60 fps that would cost the analyzer ~10 ms a frame)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a side never seen: all NaN
                anchor = {
                    k: np.nanmedian(np.stack([p[k] for _, p in self._limbs]), axis=0)
                    for k in pose
                }
            self._anchor, self._anchor_t = anchor, t
        trunk = float(anchor["trunk"][0])
        put = all(
            not float(np.hypot(*(pose[n] - anchor[n]))) > LIMB_SHIFT * trunk
            for n in pose
            if n not in ("trunk", "thigh", "arm")
        ) and all(
            not abs(float(pose[k][0] - anchor[k][0])) > LIMB_ANGLE_DEG for k in ("thigh", "arm")
        )
        if put or (self._away is not None and t - self._away > MOVE_MAX_S):
            if not put:  # away for long: the new place (a drift), not a movement
                self._limbs.clear()
                self._anchor = None
                self._away = None
            self._limbs.append((t, pose))
            return True
        return False

    def _limb_away(self, t: float) -> None:
        if self._away is None:
            self._away = t
            self._prev_sign = 0  # an excursion in progress ends here: what follows is apart
        self._away_last = t

    def _limbs_back(self, t: float) -> list[Event]:
        """Hands and knees are back (or settled in a new place): a movement is over."""
        if self._away is None:
            return []
        self._moves.append((self._away, self._away_last))
        self._away = None
        return self._maybe_close_round(final=False)

    def _moving(self, start_s: float, end_s: float) -> bool:
        """Did a limb move (or is it away now) between these times?"""
        ongoing = self._away is not None and self._away <= end_s
        return ongoing or any(
            a <= end_s and b + SETTLE_AFTER_MOVE_S >= start_s for a, b in self._moves
        )

    def _maybe_close_round(self, *, final: bool) -> list[Event]:
        """Close the rounds made of the excursions before the newest one (or of all of them)."""
        ex = self._excursions
        stop = len(ex) if final else len(ex) - 1
        if not self._first_end_checked and stop >= 2:
            self._first_end_checked = True  # once: after that ex[0] may be the one put back
            if ex[0].sign != ex[1].sign:
                stop += self._recover_first_end(ex[0], ex[1])
        events: list[Event] = []
        # a round is one cat and one cow in the order the person does them (teachers cue either
        # first): pairs of excursions from the first one; a lone last end is not a round. A
        # limb movement touching a pair makes its first excursion pair with nothing; while a
        # limb is away (movement or drift: not yet known) the pair waits
        while stop - self._consumed >= 2:
            first, second = ex[self._consumed], ex[self._consumed + 1]
            if self._away is not None and self._away <= second.end_s:
                break
            if self._moving(first.start_s, second.end_s):
                self._consumed += 1
            elif first.sign == second.sign:  # split while a limb was away: one after all
                first.samples += second.samples
                del ex[self._consumed + 1]
                stop -= 1
            else:
                self._consumed += 2
                events += self._close_round(first, second)
        return events

    def _recover_first_end(self, first: Excursion, second: Excursion) -> int:
        """Put back a first end of the session that the neutral level, still being learnt, hid
        (1 if one was put back before ``first``, else 0).

        At the start of a set the neutral level is the median of the bend so far: a shallow
        first end held longer than the still time before it pulls that median to itself and
        stops reading as an end (seen: a cow-first render by the tall body, whose first cow
        read 8 deg, held 1.7 s after 1.6 s of stillness: the round was lost and the others
        paired half a round late). Once the first two ends are known, the level is the middle
        of the range. A stretch before ``first`` on the other side (the side of ``second``),
        past half the phase threshold (as in :meth:`_held_on`), for :data:`FIRST_END_MIN_S`
        and at least :data:`FIRST_END_SHARE` as deep as ``second``, was the first end, if the
        back went there from where it began. A step in the reading as tracking starts (a few
        degrees, see :meth:`_drop_if_settled`) is far shallower than the ends that follow.
        """
        sign = second.sign
        _, _, neutral, phase = self._hist[-1]
        depth = max((v - neutral) * sign for _, v in second.samples)
        before = self._hist_between(-math.inf, first.start_s)[:-1]
        run: list[tuple[float, float]] = []
        for t, bend, _, _ in reversed(before):
            if (bend - neutral) * sign > 0.5 * phase:
                run.append((t, bend))
            elif run:
                break
        if not run or run[0][0] - run[-1][0] < FIRST_END_MIN_S:
            return 0
        # the back went there from where it began: a set that begins off the range's middle
        # (a resting back is often nearer one end than the other) has no end before its first
        if run[-1][0] - before[0][0] < FIRST_END_MIN_S:
            return 0
        if max((v - neutral) * sign for _, v in run) < FIRST_END_SHARE * depth:
            return 0
        self._excursions.insert(self._consumed, Excursion(sign, run[::-1]))
        return 1

    def _pause(self, exc: Excursion) -> tuple[float, float, float, float]:
        """(duration, middle, end, bend there) of the pause at an excursion's extreme.

        The pause is the time near the extreme (within ``end_band_deg``) with the spine still
        (moving slower than ``pause_speed_deg_s``): a smooth turnaround is not a pause. The
        extreme is the furthest the spine held still for half ``min_pause_s`` or more, when
        that is within two bands of the furthest it went: the back's outline can overshoot for
        a moment as the movement stops (seen as a 6 deg spike before a 1.3 s pause, which then
        read as no pause at all).

        When that is too short for a pause, the time near the extreme runs on past the
        excursion while the back stays within the band of its extreme: in a shallow round the
        back can cross the phase threshold for a moment and hold just inside it (seen: a 1.2 s
        cow pause read as 0.07 s).
        """
        t = np.array([x for x, _ in exc.samples])
        v = np.array([y for _, y in exc.samples]) * exc.sign
        # the furthest point of the excursion itself (for a round with no pause)
        top = float(v.max())
        t_ext, v_ext = float(t[int(np.argmax(v))]), top * exc.sign
        still = self._still(t, v)
        held = _held(t, still, 0.5 * self.cfg.min_pause_s)
        if held.any() and top - float(v[held].max()) <= 2 * self.cfg.end_band_deg:
            top = float(v[held].max())
        near = np.flatnonzero((v >= top - self.cfg.end_band_deg) & still)
        if near.size == 0 or t[near[-1]] - t[near[0]] < self.cfg.min_pause_s:
            t, v, still = self._held_on(exc, t, v, still, top)
            near = np.flatnonzero((v >= top - self.cfg.end_band_deg) & still)
        if near.size == 0:
            return 0.0, t_ext, t_ext, v_ext
        first, last = float(t[near[0]]), float(t[near[-1]])
        return last - first, (first + last) / 2, last, top * exc.sign

    def _still(self, times: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Where the values move slower than ``pause_speed_deg_s`` (over a speed window)."""
        return np.abs(slopes(times, values, PAUSE_SPEED_WINDOW_S)) <= self.cfg.pause_speed_deg_s

    def _held_on(
        self, exc: Excursion, t: np.ndarray, v: np.ndarray, still: np.ndarray, top: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The excursion's (times, bend * sign, still) with the frames just before and after it
        where the back stayed near its extreme ``top`` (within ``end_band_deg``) on its side of
        neutral (past half the phase threshold): a shallow round's back can cross the threshold
        for a moment and hold just inside it."""
        around = self._hist_between(exc.start_s - HOLD_SEARCH_S, exc.end_s + HOLD_SEARCH_S)
        times = np.array([h[0] for h in around])
        bends = np.array([h[1] for h in around]) * exc.sign
        stays = (bends >= top - self.cfg.end_band_deg) & (
            np.array([(h[1] - h[2]) * exc.sign - 0.5 * h[3] for h in around]) >= 0
        )
        lo = int(np.searchsorted(times, exc.start_s)) - 1
        hi = int(np.searchsorted(times, exc.end_s, side="right"))
        extra: list[int] = []
        while lo >= 0 and stays[lo]:
            extra.append(lo)
            lo -= 1
        while hi < len(times) and stays[hi]:
            extra.append(hi)
            hi += 1
        if not extra:
            return t, v, still
        order = np.argsort(np.concatenate([times[extra], t]), kind="stable")
        return (
            np.concatenate([times[extra], t])[order],
            np.concatenate([bends[extra], v])[order],
            np.concatenate([self._still(times, bends)[extra], still])[order],
        )

    def _round_start(self, first: Excursion) -> float:
        """When the round began: the previous round's end if it ran straight on, else when
        the back left neutral (after a rest there)."""
        depart = first.start_s
        since = self._last_round_end if self._last_round_end is not None else -np.inf
        between = [h for h in self._hist if since <= h[0] < first.start_s]
        for t, bend, neutral, _ in reversed(between):
            if (bend - neutral) * first.sign <= 0:
                depart = t  # the last moment at (or past) neutral before the excursion
                break
        rest_s = 0.0
        if len(between) > 2:
            times = np.array([h[0] for h in between])
            offset = np.array([h[1] - h[2] for h in between])
            band = np.array([h[3] for h in between])
            resting = self._still(times, offset) & (np.abs(offset) <= band)
            rest_s = float(np.sum(np.diff(times)[resting[1:]]))
            if resting.any():  # the movement begins at the end of the rest
                depart = float(times[np.flatnonzero(resting)[-1]])
        if self._last_round_end is not None and rest_s < REST_AT_NEUTRAL_S:
            return self._last_round_end
        return depart

    def _move_s(self, t0: float, v0: float, t1: float, v1: float) -> float:
        """How long the back took to move from one end of a round (bend ``v0`` at ``t0``) to
        the other (``v1`` at ``t1``), NaN if it can't be told.

        The time it took over the middle 60% of the way, scaled to the whole: a smooth
        movement covers that part in :data:`MIDDLE_SHARE` of its time. How long it lingered
        near either end (a pause, a slow start) does not count.

        Example:
            >>> a = CatCowAnalyzer()
            >>> ts = np.arange(0, 3.01, 0.01)
            >>> eased = 20 * np.cos(np.pi * np.clip(ts - 1, 0, 1))  # +20 to -20 in 1 s
            >>> a._hist = [(t, b, 0.0, 4.0) for t, b in zip(ts, eased, strict=True)]
            >>> round(a._move_s(0.5, 20.0, 2.5, -20.0), 2)
            1.0
        """
        span = self._hist_between(t0, t1)
        if len(span) < 2 or v1 == v0:
            return math.nan
        times = np.array([h[0] for h in span])
        way = (np.array([h[1] for h in span]) - v0) / (v1 - v0)  # 0 here, 1 there
        there = np.flatnonzero(way >= 1 - MIDDLE_EDGE)
        if not there.size or there[0] == 0:
            return math.nan
        j = int(there[0])
        here = np.flatnonzero(way[:j] <= MIDDLE_EDGE)
        if not here.size:
            return math.nan
        i = int(here[-1])

        def crossing(k: int, level: float) -> float:
            # where the way passes ``level`` between samples k and k + 1 (linear in between)
            w0, w1 = way[k], way[k + 1]
            share = 0.0 if w1 == w0 else float(np.clip((level - w0) / (w1 - w0), 0.0, 1.0))
            return float(times[k] + share * (times[k + 1] - times[k]))

        return (crossing(j - 1, 1 - MIDDLE_EDGE) - crossing(i, MIDDLE_EDGE)) / MIDDLE_SHARE

    def _close_round(self, first: Excursion, second: Excursion) -> list[Event]:
        cat, cow = (first, second) if first.sign > 0 else (second, first)
        cat_pause, cat_mid, cat_end, cat_v = self._pause(cat)
        cow_pause, cow_mid, cow_end, cow_v = self._pause(cow)
        start = self._round_start(first)
        # the round ends as the spine leaves its second pause (where the next round begins)
        end = cow_end if second is cow else cat_end
        if end <= start:
            end = second.end_s
        neutral = self._neutral
        duration = end - start
        if not self.cfg.min_round_s <= duration <= self.cfg.max_round_s:
            return []
        self._last_round_end = end
        faults = []
        spread = cat_v - cow_v
        if spread < self.cfg.min_range_deg:
            faults.append("shallow_range")
        if min(cat_pause, cow_pause) < self.cfg.min_pause_s:
            faults.append("no_pause")
        # tempo: a full cycle takes twice the time from one end to the other (this does not
        # depend on where a round is said to start); rushing is a quick move between the ends,
        # however long the pauses at them
        tempo = 2 * abs(cow_mid - cat_mid)
        first_mid, first_v, second_mid, second_v = (
            (cat_mid, cat_v, cow_mid, cow_v) if first is cat else (cow_mid, cow_v, cat_mid, cat_v)
        )
        move = self._move_s(first_mid, first_v, second_mid, second_v)
        if move < self.cfg.min_move_s:
            faults.append("rushing")
        rnd = {
            "index": len(self.rounds) + 1,
            "start_s": round(start, 3),
            "peak_s": round(cat_mid, 3),
            "cow_s": round(cow_mid, 3),
            "end_s": round(end, 3),
            "duration_s": round(duration, 3),
            "tempo_s": round(tempo, 3),
            "move_s": round(move, 2) if math.isfinite(move) else None,
            "flexion_deg": round(cat_v - neutral, 1),
            "extension_deg": round(cow_v - neutral, 1),
            "range_deg": round(spread, 1),
            "cat_pause_s": round(cat_pause, 2),
            "cow_pause_s": round(cow_pause, 2),
            "faults": faults,
            "good": not faults,
        }
        self.rounds.append(rnd)
        warnings, events = rep_events(self.exercise.value, "round", rnd, round(spread, 1))
        self.warnings += warnings
        return events

    def finish(self) -> list[Event]:
        # a limb still away at the end: not known to come back, so no movement
        self._away = None
        return self._maybe_close_round(final=True) + self.drift.close(self.end_s)

    @property
    def state(self) -> LiveState:
        phase = ""
        if self._pending is not None and np.isfinite(self._bend):
            offset = self._bend - self._neutral
            if abs(offset) > self.cfg.phase_deg:
                phase = "cat" if offset > 0 else "cow"
        return LiveState(
            exercise=self.exercise.value,
            count=len(self.rounds),
            measure=self._bend - self._neutral if np.isfinite(self._neutral) else float("nan"),
            measure_name="spinal bend",
            phase=phase,
            faults=self.drift.active,
            status=self._status,
        )

    def result(self) -> dict[str, Any]:
        rounds = self.rounds
        ranges = [r["range_deg"] for r in rounds]
        return {
            "exercise": self.exercise.value,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "reps": rounds,
            "holds": [],
            "warnings": sorted(self.warnings + self.drift.warnings(), key=lambda w: w["start_s"]),
            "summary": {
                "rep_count": len(rounds),
                "round_count": len(rounds),
                "good_rounds": sum(1 for r in rounds if r["good"]),
                "hold_s": 0.0,
                "good_form_s": 0.0,
                "mean_range_deg": round(float(np.mean(ranges)), 1) if rounds else None,
                "mean_round_s": round(float(np.mean([r["duration_s"] for r in rounds])), 2)
                if rounds
                else None,
            },
        }
