"""Forearm plank (and knee plank): holds, good-form time and faults.

Measures (side view, camera-facing side):

* **alignment** — 180 minus the shoulder-hip-ankle angle in the body's sagittal plane
  (:func:`~formcheck.measure.geometry.sagittal_angle` on MediaPipe's world landmarks, so the
  camera's height does not skew it; the image angle
  :func:`~formcheck.measure.geometry.signed_straightness` when there are no world landmarks): 0 = a
  straight line from shoulders to ankles, negative = hips sag (the hip extends), positive = hips
  piked (the hip flexes). In a knee plank the line runs shoulder-hip-knee.
* **hip offset** — the hip's distance from that line as a share of its length (+ above).
* **head** — signed_straightness (hip, shoulder, ear) on the body's midline (:func:`head_angle`):
  + when the head hangs below the trunk line.
* **elbow** — upper arm's angle from vertical (elbows under the shoulders is ~0).

The plank position: the shoulder-ankle line within ``max_body_tilt_deg`` of horizontal, the
upper arm near vertical with the elbow below the shoulder, on the forearms (the elbow bent, not
the straight arms of a downward dog), and the hips clearly off the floor, however high (a strong
pike is a plank with ``hips_piked``). The knee on the floor line, or bent (knee angle below
``knee_down_deg``) and near it, is a knee-supported frame: a hold mostly on the knees is a knee
plank. In a forearm plank, knees down for less than ``hold_grace_s`` are a ``knees_down`` fault
inside the hold; for longer they end it where they went down, the rest on the knees that
follows is no hold, and getting back up starts a new one (as a physiotherapist counts holds).
A knee plank that goes up onto the toes for as long as a hold needs (``min_hold_s``) ends where
the knees lifted, and the forearm plank that follows is a hold of its own (a progression); if
that plank's knees go down again for longer than ``hold_grace_s``, a knee plank follows again
(the person's own level, not a rest).
A hold starts once the position is kept for ``min_hold_s`` and
survives breaks shorter than ``hold_grace_s``; once it is over, its time runs from when the body
reached the position it held to when it began to leave it (body tilt, alignment and knee angle
within ``settle_band_deg`` of their values at the start and at the end of the hold), so the
seconds of getting into and out of the plank are not counted.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.analysis.base import Analyzer, FaultSet, LiveState, not_measurable_reason
from formcheck.analysis.episodes import EpisodeTracker, settled_span
from formcheck.analysis.events import Event, Exercise
from formcheck.config import Config, PlankConfig
from formcheck.measure.camera import rectify
from formcheck.measure.geometry import (
    angle_3d,
    distance,
    incline,
    joint_angle,
    line_offset,
    sagittal_angle,
    signed_straightness,
    tilt,
)
from formcheck.measure.signals import SIDE_POINTS, RecentMedian, SideView
from formcheck.pose.landmarks import PoseFrame

NEEDED = ("shoulder", "elbow", "hip", "knee", "ankle")
SETTLE_WINDOW_S = 0.3
#: Knees down until this close to the end of a forearm plank = coming down, not a fault.
COMING_DOWN_S = 0.5
#: Knee this close to the floor line (in upper-arm lengths) = resting on the knee.
KNEE_ON_FLOOR = 0.2
#: A bent knee counts as down only this close to the floor line (upper-arm lengths): the knees
#: of a strong pike bend well above it.
KNEE_BENT_LOW = 0.35
#: In a forearm plank a knee near the floor line is down only with the leg bent down at it by
#: at least this (deg, the knee below the hip-ankle line): a deep sag brings the knees of
#: straight legs as low (a rendered 27 deg sag read as knees down and lost its hold; its legs
#: bent by 11 deg at most), where dropping onto the knees bends them (shins flat on the floor:
#: about as much as the thigh slopes up to the hips, some 20 deg; shins raised, more).
KNEE_DOWN_BEND_DEG = 13.0
#: Shoulder-elbow-wrist above this = on straight arms (downward dog, all fours), not forearms.
STRAIGHT_ARM_DEG = 130.0
FORM_FAULTS = ("hips_sagging", "hips_piked", "head_dropping", "knees_down")
#: How much recent time the camera-tilt estimate pools (s).
CAMERA_TILT_WINDOW_S = 5.0
#: Knees down this long with the plank still held are announced (before: maybe the way out).
#: With the default ``hold_grace_s`` (1 s) knees down that long have ended the hold instead: a
#: touch-down shorter than the grace is over before a cue could help, and is only reported.
KNEES_DOWN_SAY_S = 2.0
#: The ear must be at least this far from the shoulder (in trunk lengths) for the head angle.
HEAD_MIN_REACH = 0.25
#: ... and at least this far inside the picture's edges (in trunk lengths, about a head's
#: radius): an ear outside the frame, or a head half out of it, is the model's guess.
HEAD_EDGE_MARGIN = 0.15
#: The status while a plank is held with the head out of the picture.
HEAD_OUT_OF_PICTURE = "Move back so your head is in view too"
#: Hips no higher than this above the floor line (upper-arm lengths) = lying down.
HIPS_DOWN = 0.15


def lateral_tilt_deg(view: SideView) -> float:
    """How far the body's left-right axis leans out of the camera's horizontal, in MediaPipe's
    world landmarks (NaN without them). Lying or kneeling side-on, that axis is level, so this
    grows as the camera looks down on the body (MediaPipe sees about half the true tilt)."""
    lat = view.lateral
    norm = float(np.linalg.norm(lat))
    if not np.isfinite(norm) or norm < 1e-9:
        return float("nan")
    return float(np.degrees(np.arcsin(min(1.0, abs(float(lat[1])) / norm))))


def world_share(tilt_deg: float, cfg: PlankConfig) -> float:
    """The share of the world-landmark angle in the alignment (the rest is the image angle):
    0 from a low camera, 1 from one looking down on the body, a ramp between.

    Example:
        >>> cfg = PlankConfig()
        >>> [world_share(t, cfg) for t in (2.0, 11.0, 20.0)]
        [0.0, 0.5, 1.0]
    """
    if not np.isfinite(tilt_deg):
        return 1.0
    lo, hi = cfg.image_angle_below_tilt_deg, cfg.world_angle_above_tilt_deg
    return float(np.clip((tilt_deg - lo) / max(hi - lo, 1e-6), 0.0, 1.0))


def far_landmarks(view: SideView, frame: PoseFrame) -> dict[str, npt.NDArray[np.float64]]:
    """The far side's knee and ankle as MediaPipe placed them (px), whatever their visibility
    (empty when nobody is measurable)."""
    if view.side is None:
        return {}
    far = SIDE_POINTS["right" if view.side == "left" else "left"]
    return {n: np.asarray(frame.landmarks[far[n], :2], np.float64) for n in ("knee", "ankle")}


def midline_alignment(
    view: SideView,
    end: str,
    image_size: tuple[int, int],
    tilt_deg: float,
    far_guess: dict[str, npt.NDArray[np.float64]] | None = None,
) -> float:
    """The signed shoulder-hip-``end`` angle on the body's midline (midpoints of the near and
    far side's landmarks, all at one depth), with the camera's tilt undone
    (:func:`~formcheck.measure.camera.rectify`); NaN without the far side's points.

    Seen from above, the near side's shoulder, hip and ankle sit at different depths (the
    shoulders are wider than the hips and the feet) and the picture foreshortens the line; on
    rendered clips with the true alignment this read within about 1.5 deg from cameras 0.3 to
    1.2 m up looking down 0 to 28 deg, where the near side's image and world angles missed by
    up to 6 deg (a sag read at 0.7 of its depth from 1.2 m up). The far knee and ankle are
    often hidden behind the near leg (their visibility under the quality gate): ``far_guess``
    gives MediaPipe's own placement of them (its raw landmarks), which put the midline within
    2 deg where the near side alone missed by 4.
    """
    names = ("shoulder", "hip", end)
    guess = far_guess or {}
    far = [
        view.other[n] if np.isfinite(view.other[n]).all() else guess.get(n, view.other[n])
        for n in names
    ]
    pts = np.array([(view[n] + f) / 2 for n, f in zip(names, far, strict=True)])
    if not np.isfinite(pts).all() or not np.isfinite(tilt_deg):
        return float("nan")
    s, h, e = rectify(pts, image_size, tilt_deg)
    return float(signed_straightness(s, h, e))


def plank_measures(
    view: SideView,
    cfg: PlankConfig | None = None,
    *,
    camera_tilt_deg: float | None = None,
    image_size: tuple[int, int] | None = None,
    view_tilt_deg: float = float("nan"),
    far_guess: dict[str, npt.NDArray[np.float64]] | None = None,
    legs_up: bool = False,
) -> dict[str, float]:
    """Per-frame plank measures (empty dict when not measurable).

    ``legs_up``: the body is held in a forearm plank, so a knee near the floor on a straight
    leg with the hips off the floor is a deep sag, not a knee down (:data:`KNEE_DOWN_BEND_DEG`);
    lying, or setting up, such a knee is down.

    The alignment and the knee angle are the image angles from a low camera (MediaPipe's 2-D
    landmarks are closest there; its world landmarks lean a few degrees one way or the other
    depending on which side faces the camera, and read a straight knee as 150-160 deg on some
    bodies) and the angles of the world landmarks from a camera looking down on the body (where
    the image foreshortens the line), blended by :func:`world_share` of ``camera_tilt_deg`` (a
    steady estimate from the caller; this frame's :func:`lateral_tilt_deg` when None).
    With ``image_size`` and the camera's estimated tilt (``view_tilt_deg``, degrees; see
    :mod:`formcheck.measure.camera`) the alignment and the knee line are
    :func:`midline_alignment` instead, where the far side's points are there.
    """
    cfg = cfg or PlankConfig()
    if not view.has(*NEEDED):
        return {}
    s, e, h, k, a = (view[n] for n in NEEDED)
    world = view.has_world("shoulder", "hip", "knee", "ankle")
    image_to_ankle = float(signed_straightness(s, h, a))
    image_to_knee = float(signed_straightness(s, h, k))
    image_knee = float(joint_angle(h, k, a))
    share = 0.0
    if world:
        # in the body's sagittal plane: hip flexion (pike) positive, extension (sag) negative
        ws, wh, wk, wa = (view.world[n] for n in ("shoulder", "hip", "knee", "ankle"))
        lean = lateral_tilt_deg(view) if camera_tilt_deg is None else camera_tilt_deg
        share = world_share(lean, cfg)
        to_ankle = 180.0 - float(sagittal_angle(ws, wh, wa, view.lateral))
        to_knee = 180.0 - float(sagittal_angle(ws, wh, wk, view.lateral))
        to_ankle = share * to_ankle + (1 - share) * image_to_ankle
        to_knee = share * to_knee + (1 - share) * image_to_knee
        knee_angle = share * float(angle_3d(wh, wk, wa)) + (1 - share) * image_knee
    else:
        to_ankle, to_knee, knee_angle = image_to_ankle, image_to_knee, image_knee
    if image_size is not None:
        mid_ankle = midline_alignment(view, "ankle", image_size, view_tilt_deg, far_guess)
        mid_knee = midline_alignment(view, "knee", image_size, view_tilt_deg, far_guess)
        to_ankle = mid_ankle if np.isfinite(mid_ankle) else to_ankle
        to_knee = mid_knee if np.isfinite(mid_knee) else to_knee
    # knees on the floor: bent, or low on the elbow-to-toes floor line (a knee plank with the
    # shins flat on the floor keeps a fairly open knee angle)
    toes = view["foot"] if np.isfinite(view["foot"]).all() else a
    upper_arm = max(float(distance(s, e)), 1e-6)
    knee_height = float(line_offset(e, k, toes)) / upper_arm
    knee_drop = -float(signed_straightness(h, k, a))  # + with the knee below the hip-ankle line
    # held up on straight legs, the hips off the floor: a deep sag, not knees down (lying, the
    # hips are down too)
    sagging = (
        legs_up
        and knee_drop < KNEE_DOWN_BEND_DEG
        and float(line_offset(e, h, a)) / upper_arm > HIPS_DOWN
    )
    low = knee_height < KNEE_ON_FLOOR and not sagging
    # a bent knee well above the floor is no knee down: a strong pike pulls the knees bent
    on_knees = low or (knee_angle < cfg.knee_down_deg and knee_height < KNEE_BENT_LOW)
    end = k if on_knees else a
    out = {
        "alignment_deg": to_knee if on_knees else to_ankle,
        "full_alignment_deg": to_ankle,
        "knee_line_deg": to_knee,
        "hip_offset": float(line_offset(s, h, end) / max(float(distance(s, end)), 1e-6)),
        "body_tilt_deg": float(tilt(s, end)),
        "upper_arm_deg": float(incline(e, s)),
        "elbow_offset_deg": 90.0 - float(incline(e, s)),
        "knee_angle_deg": knee_angle,
        "world_share": share,
        "on_knees": float(on_knees),
        "knee_height": knee_height,
        "knee_drop_deg": knee_drop,
        # hip above the floor line (elbow to the supporting knee or ankle), in upper-arm lengths
        "hip_height": float(line_offset(e, h, end) / max(float(distance(s, e)), 1e-6)),
        # shoulder-elbow-wrist: about 90 on the forearms, near 180 on straight arms (NaN when
        # the wrist is not seen)
        "elbow_angle_deg": float(joint_angle(s, e, view["wrist"]))
        if np.isfinite(view["wrist"]).all()
        else float("nan"),
    }
    head = head_angle(view, image_size)
    if np.isfinite(head):
        out["head_deg"] = head
    return out


def head_angle(view: SideView, image_size: tuple[int, int] | None = None) -> float:
    """The head against the trunk line (deg): + when it hangs towards the floor; NaN when the
    head's landmarks can't be trusted.

    The image angle hip-shoulder-ear on the body's midline: each point is the midpoint of the
    near and the far side's landmark. The midline keeps ear, shoulder and hip at one depth:
    the near ear sits closer to the midline than the near shoulder, so a camera looking down
    sees the near side's ear raised (a neutral head read 20-26 deg "up" from a camera 1 m up
    looking down 25 deg), and MediaPipe's world landmarks read a neutral head some 20 deg
    raised from every height. Against rendered clips with the true neck angle the midline read
    within about 3 deg from 0.3 to 1 m up. Not trusted (NaN, so no warning): either ear,
    shoulder or hip not seen, or the ear so close to the shoulder in the picture (the head
    turned to the camera or hidden behind the shoulder) that a few pixels swing the angle, or
    (given the picture's ``image_size``, width and height) either ear within
    :data:`HEAD_EDGE_MARGIN` trunk lengths of an edge or past it: with the head out of the
    picture MediaPipe still places its ears, fully confident, and a camera too close had a
    neutral head "dropping" for 2 s.
    """
    pts = [(view[n] + view.other[n]) / 2 for n in ("shoulder", "hip", "ear")]
    if not all(np.isfinite(p).all() for p in pts):
        return float("nan")
    s, h, ear = pts
    trunk = float(distance(s, h))
    if float(distance(s, ear)) < HEAD_MIN_REACH * trunk:
        return float("nan")
    if image_size is not None and not head_in_picture(view, image_size):
        return float("nan")
    return float(signed_straightness(h, s, ear))


def head_in_picture(view: SideView, image_size: tuple[int, int]) -> bool:
    """False when an ear MediaPipe placed lies outside the picture or within
    :data:`HEAD_EDGE_MARGIN` trunk lengths of its edge (``image_size``: width, height): the
    camera is too close, or aimed too low, to see the head."""
    trunk = float(distance(view["shoulder"], view["hip"]))
    ears = np.array([view["ear"], view.other["ear"]], dtype=np.float64)
    ears = ears[np.isfinite(ears).all(axis=1)]
    if not np.isfinite(trunk) or ears.size == 0:
        return True  # nothing placed outside: the other checks decide
    margin = HEAD_EDGE_MARGIN * trunk
    return bool(((ears >= margin) & (ears <= np.asarray(image_size, float) - margin)).all())


def in_plank_position(
    m: dict[str, float],
    max_tilt: float,
    knee_plank_bend: float = 35.0,
    *,
    starting: bool = True,
    knees_may_drop: bool = False,
) -> bool:
    """On the forearms, body near horizontal, hips off the floor.

    To start a hold the legs must be straight, or the knees down with the shoulder-hip-knee line
    within ``knee_plank_bend / 2`` of straight (a knee plank that is set). Once holding, knees
    down with the hips bent up to ``knee_plank_bend`` still count (a knee plank), but not
    kneeling with the hips folded. In a forearm plank (``knees_may_drop``) the knees touching
    down are still the position whatever the hips do, as long as the forearms still carry the
    body: the analyzer decides whether that is a ``knees_down`` fault inside the hold (shorter
    than ``hold_grace_s``) or its end (see :class:`PlankAnalyzer`). The hips may be as high as
    they like (a pike), but the arms must be bent onto the forearms. The hips may sag down to
    the floor line as long as the knees are off the floor.
    """
    if not m:
        return False
    base = (
        m["body_tilt_deg"] <= max_tilt
        and m["upper_arm_deg"] > 45  # elbow below the shoulder, upper arm near vertical
        # hips above the elbow-to-knee/ankle (floor) line, or the knees off the floor: a deep
        # sag (-30 deg) brings the hips down to the line while the straight legs still carry
        # the body on the toes (lying, the knees are down too)
        and (m["hip_height"] > HIPS_DOWN or not m["on_knees"])
        # on the forearms, not on straight arms (downward dog); the wrist may be unseen
        and not m.get("elbow_angle_deg", np.nan) > STRAIGHT_ARM_DEG
    )
    if not base or not m["on_knees"]:
        return base
    if knees_may_drop:
        return True
    limit = knee_plank_bend / 2 if starting else knee_plank_bend
    return abs(m["knee_line_deg"]) <= limit


class PlankAnalyzer(Analyzer):
    """Times plank holds and good form, and finds sagging, piking, head and knee faults."""

    exercise = Exercise.PLANK
    measure_name = "alignment_deg"

    def __init__(self, config: Config | None = None) -> None:
        super().__init__(config)
        self.cfg = self.config.plank
        self.position = EpisodeTracker(self.cfg.min_hold_s, self.cfg.hold_grace_s)
        self.faults = FaultSet(self.exercise.value, self.cfg.min_fault_s, self.cfg.fault_grace_s)
        self._alignment = float("nan")
        self._hold_on_knees: list[bool] = []  # per hold: a knee plank?
        self._in_position: list[tuple[float, bool]] = []  # (t, on knees) since the candidate
        self._recent: deque[tuple[float, float, float]] = deque()
        self._settled_spans: dict[int, tuple[float, float]] = {}  # finished holds, trimmed
        self._tilts = RecentMedian(CAMERA_TILT_WINDOW_S)  # lateral tilt (hips, shoulders)
        self._knees_pending: Event | None = None  # knees down, not yet announced
        self._resting = False  # on the knees after a forearm plank they ended
        self._knees_since: float | None = None  # knees down in a forearm plank since
        self._toes_since: float | None = None  # up on the toes in a knee plank since
        self._continues: list[bool] = []  # per hold: went on straight from the one before?
        self._continuing = False  # the next hold to start goes on from the one that ended
        self._onto_toes: set[int] = set()  # knee-plank holds that ended going up onto the toes
        self._prev_t: float | None = None

    def _camera_tilt(self, t: float, view: SideView) -> float:
        """A steady estimate of the camera's view down on the body: the median lateral tilt
        over the last ``CAMERA_TILT_WINDOW_S`` (the camera does not move; one frame is noisy)."""
        return self._tilts.add(t, lateral_tilt_deg(view))

    def _settled(self, t: float, m: dict[str, float]) -> bool:
        """False while the legs or hips move fast (getting into or out of position)."""
        if not m:
            self._recent.clear()
            return False
        sample = (t, m["knee_angle_deg"], m["full_alignment_deg"])
        self._recent.append(sample)
        while len(self._recent) > 2 and t - self._recent[1][0] >= SETTLE_WINDOW_S:
            self._recent.popleft()
        t0, knee0, align0 = self._recent[0]
        if t - t0 < 1e-6:
            return True
        speed = max(abs(m["knee_angle_deg"] - knee0), abs(m["full_alignment_deg"] - align0))
        return speed / (t - t0) <= self.cfg.max_settled_speed_deg_s

    def _knee_plank_now(self) -> bool:
        """Is the current (or forming) hold a knee plank? Decided once, from how it was set up."""
        if self.position.active is not None and self._hold_on_knees:
            return self._hold_on_knees[-1]
        knees = [k for _, k in self._in_position]
        return bool(knees) and sum(knees) > 0.5 * len(knees)

    def _step(self, view: SideView, frame: PoseFrame) -> tuple[dict[str, float], list[Event]]:
        t = view.t_s
        holding_before = self.position.active is not None
        knees_may_drop = holding_before and not self._knee_plank_now()
        m = plank_measures(
            view,
            self.cfg,
            camera_tilt_deg=self._camera_tilt(t, view),
            image_size=frame.image_size,
            view_tilt_deg=self.view_tilt(t),
            far_guess=far_landmarks(view, frame),
            legs_up=knees_may_drop,
        )
        ok = in_plank_position(
            m,
            self.cfg.max_body_tilt_deg,
            self.cfg.knee_plank_bend_deg,
            starting=not holding_before,
            knees_may_drop=knees_may_drop,
        )
        settled = self._settled(t, m)
        knees_down_now = ok and knees_may_drop and bool(m["on_knees"])
        # up on the toes in a knee plank (legs straight, as a forearm plank starts)
        toes_now = ok and holding_before and not knees_may_drop and not m["on_knees"]
        if not m or not m["on_knees"] or m["hip_height"] <= HIPS_DOWN:
            self._resting = False  # back up, or lying down: no longer the rest
        elif self._resting:
            ok = False  # the knee-supported rest after a hold: not a (knee-plank) hold
        events: list[Event] = []
        next_kind: str | None = None  # a hold that goes on as another: the new one's kind
        # knees down in a forearm plank: shorter than the grace they are a ``knees_down``
        # fault inside the hold (the moves down and up included), longer they end it where
        # they went down (the rest on the knees is no hold)
        # a knee plank that goes up onto the toes long enough for a hold (``min_hold_s``, and
        # at least the grace) has become a forearm plank: the knee plank ends where the knees
        # lifted and the plank's hold starts there (a progression, two holds as a
        # physiotherapist counts them); a shorter lift stays in the knee plank. Such a plank
        # whose knees go down again for longer than the grace goes on as a knee plank (the
        # person's own level), not a rest
        edge = (t + self._prev_t) / 2 if self._prev_t is not None else t
        if not knees_down_now:
            self._knees_since = None
        elif self._knees_since is None:
            self._knees_since = edge
        if not toes_now:
            self._toes_since = None
        elif self._toes_since is None:
            self._toes_since = edge
        self._prev_t = t
        since, toes_since = self._knees_since, self._toes_since
        if since is not None and t - since > self.cfg.hold_grace_s:
            # a forearm plank that went on from a knee plank (a progression: the only way a
            # forearm plank continues another): its knees down again are a knee plank again
            if self._continues[-1]:
                change = self.position.split(since)
                self._knees_since, next_kind = None, "knee_plank"
            else:
                change = self.position.close()
                self.position.episodes[-1].end_s = max(
                    since, self.position.episodes[-1].start_s
                )
        elif toes_since is not None and t - toes_since > max(
            self.cfg.hold_grace_s, self.cfg.min_hold_s
        ):
            change = self.position.split(toes_since)
            self._toes_since, next_kind = None, "plank"
        else:
            # knees going down in a forearm plank or up in a knee plank move fast: that is
            # no way out of the plank while it is being timed
            moving_on = since is not None or toes_since is not None
            change = self.position.update(t, ok and (settled or moving_on))
        holding = self.position.active is not None
        if ok and settled:
            self._in_position.append((t, bool(m["on_knees"])))
        elif not holding and self.position._candidate is None:
            self._in_position.clear()
            self._continuing = False
        if change == "started" and self.position.active is not None:
            start = self.position.active.start_s
            knees = [k for s, k in self._in_position if s >= start]
            self._hold_on_knees.append(bool(knees) and sum(knees) > 0.5 * len(knees))
            self._continues.append(self._continuing)
            self._continuing = False
            events.append(Event(t, "hold_started", self.exercise, {"start_s": start}))
        if ok:
            # the hold is timed and the hips checked; the head cannot be (see head_angle)
            self._status = (
                "" if head_in_picture(view, frame.image_size) else HEAD_OUT_OF_PICTURE
            )
            self._alignment = m["alignment_deg"]
        else:
            self._alignment = float("nan")
            self._status = not_measurable_reason(view, NEEDED) or (
                "Get into a forearm plank, side-on to the camera"
                if not holding and not self._resting
                else ""
            )
        knee_plank = self._knee_plank_now()
        # form is checked whenever in position; warnings outside a confirmed hold are dropped
        in_form_check = ok
        # knees down in a forearm plank is its own fault: the hips folding over the knees
        # then is not a pike
        knees_down = in_form_check and not knee_plank and bool(m.get("on_knees"))
        line_check = in_form_check and not knees_down
        a = m.get("alignment_deg", np.nan)
        events += self.faults.update(t, "hips_sagging", line_check and a < -self.cfg.sag_deg, a)
        events += self.faults.update(
            t, "hips_piked", line_check and a > self.cfg.pike_deg, a, worst_is_min=False
        )
        head = m.get("head_deg", np.nan)
        events += self.faults.update(
            t,
            "head_dropping",
            in_form_check and bool(head > self.cfg.head_drop_deg),
            head,
            worst_is_min=False,
        )
        events += self._knees_down_events(
            t, self.faults.update(t, "knees_down", knees_down, m.get("knee_angle_deg", np.nan))
        )
        if change == "ended":
            # a forearm plank ended by the knees staying down: they rest there until the body
            # is back up (a new hold) or down on the floor
            self._resting = knees_down_now and next_kind is None
            self._continuing = next_kind is not None
            if next_kind == "plank":
                self._onto_toes.add(len(self.position.episodes) - 1)
            events += self._end_hold(t, next_kind=next_kind)
        return (m if ok else {}), events

    def _knees_down_events(self, t: float, events: list[Event]) -> list[Event]:
        """Knees going down are announced only once they have stayed down ``KNEES_DOWN_SAY_S``
        with the plank still held: before that they may be the way out of the plank (knees
        first, then the body), which is no fault, and a cue about it would be a false alarm.
        A knees-down stretch too short to be announced stays in the report."""
        out = []
        for e in events:
            if e.kind == "fault_started":
                self._knees_pending = e
            elif self._knees_pending is not None:  # cleared before it was announced
                self._knees_pending = None
            else:
                out.append(e)
        pending = self._knees_pending
        if (
            pending is not None
            and self.position.active is not None
            and t - pending.t_s >= KNEES_DOWN_SAY_S - self.cfg.min_fault_s
        ):
            out.append(Event(t, pending.kind, pending.exercise, pending.data))
            self._knees_pending = None
        return out

    def _end_hold(self, t: float, *, next_kind: str | None = None) -> list[Event]:
        """The events of a hold's end; ``next_kind``: the hold goes on as another, the body
        still in a plank (a knee plank up onto the toes, ``"plank"``, or such a plank back onto
        the knees, ``"knee_plank"``): its event says ``"next"``, and no rest follows."""
        self._in_position.clear()
        events = self._unannounced_knees(self.faults.close(t))
        hold = self.position.episodes[-1]
        span: dict[str, Any] = {"start_s": hold.start_s, "end_s": hold.end_s}
        if next_kind is not None:
            span["next"] = next_kind
        return [*events, Event(t, "hold_ended", self.exercise, span)]

    def _unannounced_knees(self, events: list[Event]) -> list[Event]:
        """Closing faults: knees that went down and were never announced are the way out."""
        if self._knees_pending is None:
            return events
        self._knees_pending = None
        return [e for e in events if e.data.get("type") != "knees_down"]

    def finish(self) -> list[Event]:
        t = self.end_s
        if self.position.close() == "ended":
            return self._end_hold(t)
        return self._unannounced_knees(self.faults.close(t))

    # -- totals ------------------------------------------------------------------------------
    def _holds(self) -> list[dict[str, Any]]:
        warnings = self._warnings()
        holds = []
        for i, (start, end, is_open) in enumerate(self._spans()):
            knee_plank = self._hold_on_knees[i] if i < len(self._hold_on_knees) else False
            bad = []
            for w in warnings:
                lo, hi = max(w["start_s"], start), min(w["end_s"], end)
                if hi > lo:
                    bad.append((lo, hi))
            duration = end - start
            good_stretches = _complement(bad, start, end)
            holds.append(
                {
                    "index": i + 1,
                    "kind": "knee_plank" if knee_plank else "plank",
                    "start_s": round(start, 3),
                    "end_s": round(end, 3),
                    "duration_s": round(duration, 3),
                    "good_form_s": round(max(0.0, duration - _union_length(bad)), 3),
                    "longest_good_s": round(
                        max((b - a for a, b in good_stretches), default=0.0), 3
                    ),
                    "open": is_open,
                    # went on straight from the hold before (a knee plank up onto the toes,
                    # or back): the body stayed in a plank between them
                    "continues": i < len(self._continues) and self._continues[i],
                }
            )
        return holds

    def _spans(self) -> list[tuple[float, float, bool]]:
        """(start, end, open) of each hold. A finished forearm plank whose knees went down and
        stayed down until it ended ends when they went down: that is the way out of the plank,
        not a fault. Knees that go down and come back up are a ``knees_down`` fault inside it."""
        knees = self.faults.trackers.get("knees_down")
        spans = []
        for i, ep in enumerate(self.position.episodes):
            end = ep.end_s
            knee_plank = self._hold_on_knees[i] if i < len(self._hold_on_knees) else False
            if not ep.open and not knee_plank and knees is not None:
                for k in knees.episodes:
                    if ep.start_s < k.start_s and k.end_s >= ep.end_s - COMING_DOWN_S:
                        end = min(end, k.start_s)
            # time that passed outside the set (``idle``) may end a hold, not lengthen it: a
            # hold ends by the set's last frame
            start, end = ep.start_s, min(end, self.end_s)
            if not ep.open:
                if i not in self._settled_spans:
                    # a knee plank that went up onto the toes ends where its knees began to
                    # straighten (the way up is in neither hold)
                    self._settled_spans[i] = self._settled_span(
                        start, end, knee_plank, onto_toes=i in self._onto_toes
                    )
                start, end = self._settled_spans[i]
            spans.append((start, end, ep.open))
        return spans

    def _settled_span(
        self, start: float, end: float, knee_plank: bool, *, onto_toes: bool = False
    ) -> tuple[float, float]:
        """A finished hold without the moments of getting into and out of the position it held
        (the body's tilt, its alignment and, in a forearm plank, the knee angle, all within
        ``settle_band_deg``). A knee plank's end ``onto_toes`` is found with its knee angle
        too (where the knees began to straighten)."""
        names = ["body_tilt_deg", "alignment_deg"] + ([] if knee_plank else ["knee_angle_deg"])
        times = self.trace()[0]
        measures = [self.trace(name)[1] for name in names]
        band, ref = self.cfg.settle_band_deg, self.cfg.min_hold_s
        span = settled_span(times, measures, start, end, band, ref)
        if onto_toes:
            knee = self.trace("knee_angle_deg")[1]
            end = settled_span(times, [*measures, knee], span[0], span[1], band, ref)[1]
            span = (span[0], end)
        return span

    def _warnings(self) -> list[dict[str, Any]]:
        """Fault episodes inside confirmed holds (clipped to them); knees down only in planks."""
        out = []
        for w in self.faults.warnings():
            for i, (start, end, is_open) in enumerate(self._spans()):
                knee_plank = self._hold_on_knees[i] if i < len(self._hold_on_knees) else False
                if w["type"] == "knees_down" and knee_plank:
                    continue
                lo, hi = max(w["start_s"], start), min(w["end_s"], end)
                if hi - lo > 0.01 or (hi >= lo and is_open):
                    out.append(
                        w
                        | {
                            "start_s": round(lo, 3),
                            "end_s": round(hi, 3),
                            "duration_s": round(hi - lo, 3),
                            "hold": i + 1,
                        }
                    )
        return sorted(out, key=lambda w: w["start_s"])

    @property
    def state(self) -> LiveState:
        holds = self._holds()
        active = self.position.active
        hold_s = 0.0
        if active is not None:
            # the hold under way, with those it went on from (a knee plank up onto the toes):
            # the body has been in a plank all along, so the timer (and the hold's target, its
            # countdown and the routine's step) runs on
            hold_s = active.duration_s
            i = len(self.position.episodes) - 1
            while 0 < i < len(self._continues) and self._continues[i]:
                i -= 1
                hold_s += holds[i]["duration_s"]
        return LiveState(
            exercise=self.exercise.value,
            count=len(holds),
            hold_s=hold_s,
            total_hold_s=sum(h["duration_s"] for h in holds),
            good_form_s=sum(h["good_form_s"] for h in holds),
            measure=self._alignment,
            measure_name="alignment",
            phase=("knee plank" if self._knee_plank_now() else "holding")
            if active
            else ("resting" if self._resting else ""),
            # knees not yet announced may be the way out: not shown as a fault either
            faults=tuple(
                f
                for f in self.faults.active
                if not (f == "knees_down" and self._knees_pending is not None)
            ),
            status=self._status,
        )

    def result(self) -> dict[str, Any]:
        holds = self._holds()
        _, align = self.trace()
        finite = align[np.isfinite(align)]
        return {
            "exercise": self.exercise.value,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "reps": [],
            "holds": holds,
            "warnings": self._warnings(),
            "summary": {
                "rep_count": 0,
                "hold_count": len(holds),
                "hold_s": round(sum(h["duration_s"] for h in holds), 3),
                "good_form_s": round(sum(h["good_form_s"] for h in holds), 3),
                "longest_good_s": max((h["longest_good_s"] for h in holds), default=0.0),
                "median_alignment_deg": round(float(np.median(finite)), 1) if finite.size else None,
                "target_hold_s": self.cfg.target_hold_s,
            },
        }


def _union_length(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, -np.inf
    for a, b in sorted(intervals):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def _complement(
    intervals: list[tuple[float, float]], lo: float, hi: float
) -> list[tuple[float, float]]:
    out, cursor = [], lo
    for a, b in sorted(intervals):
        if a > cursor:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if hi > cursor:
        out.append((cursor, hi))
    return out
