"""Synthetic side-view stick figures and exercise trajectories, for spec-like analyzer tests.

A :class:`Motion` is a pose as a function of time (joint positions in pixels, plus the designed
key signal: hip angle, plank alignment or spinal bend). :func:`render` samples it at any frame
rate into a :class:`~formcheck.pose.landmarks.PoseSeries`, the way MediaPipe would report a person
filmed side-on:

* the camera-facing (near) body side has visibility 0.99, the far side sits a few pixels away
  with visibility 0.6; face, hands and feet landmarks are placed plausibly around the joints;
* world landmarks are the same joints in metres around the hips (``Body.px_per_m``), the two
  body sides ``2 * HALF_WIDTH_M`` apart in depth, physically consistent with the drawing (the
  body's right side faces the camera in the base drawings);
* a cat-cow figure carries a ``back`` outline like
  :func:`formcheck.measure.spine.back_profile`'s: points
  over the middle ``SPAN`` of a circular arc a little above the shoulder-hip line, the whole arc
  turning by the requested bend plus the resting shape of the back;
* ``facing="left"`` mirrors the image and swaps the body sides (the person turned round);
* optional Gaussian ``jitter_px`` (a third of it on the back outline) and ``dropouts``
  (intervals in which nobody is found, or the landmarks are there with visibility 0).

The base drawings face right: in the plank and cat-cow the head is on the right, in the glute
bridge the head is on the left and the knees point right. Image y points down; the floor is the
line ``y = FLOOR_Y``.

Nothing here imports the code under test except the value types (``PoseSeries``, ``Landmark``)
and the outline's sampling span (``formcheck.measure.spine.SPAN``);
the designed signals are computed from the stick figure with this module's own trigonometry.

Example:
    >>> motion = plank(hold_s=10.0)
    >>> series = render(motion, fps=15)
    >>> len(series) == int(motion.duration_s * 15) + 1
    True
    >>> len(resample(series, 30)) == int(motion.duration_s * 30) + 1
    True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from formcheck.measure.spine import SPAN
from formcheck.pose.landmarks import NUM_LANDMARKS, Landmark, PoseSeries

Point = npt.NDArray[np.float64]
Joints = dict[str, Point]
Facing = Literal["left", "right"]

IMAGE_SIZE = (960, 540)
FLOOR_Y = 480.0
NEAR_VISIBILITY = 0.99
FAR_VISIBILITY = 0.6
#: Where the far side's landmarks sit relative to the near side's (px).
FAR_OFFSET = np.array([4.0, -3.0])
#: Points on the back outline (like :data:`formcheck.measure.spine.POINTS`).
BACK_POINTS = 24
#: Share of the shoulder-hip axis the back outline covers, as formcheck.measure.spine samples
#: the mask.
BACK_SPAN = SPAN
#: The back's surface above the shoulder-hip line (px).
BACK_HEIGHT_PX = 25.0

#: Joint names a figure must define, and the landmark of each on the base (left) side.
SIDE_JOINTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot", "ear")


@dataclass(frozen=True, kw_only=True)
class Body:
    """Segment lengths in pixels (an adult at 250 px per metre)."""

    trunk: float = 125.0  # shoulder - hip
    thigh: float = 112.0  # hip - knee
    shin: float = 108.0  # knee - ankle
    upper_arm: float = 75.0  # shoulder - elbow
    forearm: float = 65.0  # elbow - wrist
    neck: float = 50.0  # shoulder - ear
    px_per_m: float = 250.0


BODY = Body()


# -- small trigonometry (y up, degrees) -----------------------------------------------------------


def _p(x: float, y: float) -> Point:
    return np.array([x, y], np.float64)


def _up(height: float) -> float:
    """Image y of a point ``height`` px above the floor."""
    return FLOOR_Y - height


def _dir(angle_deg: float) -> Point:
    """Unit vector at ``angle_deg`` counter-clockwise from image-right, in image coords (y down)."""
    a = math.radians(angle_deg)
    return _p(math.cos(a), -math.sin(a))


def _heading(v: Point) -> float:
    """Angle of image vector ``v`` counter-clockwise from image-right, degrees (y up)."""
    return math.degrees(math.atan2(-v[1], v[0]))


def turn_deg(a: Point, b: Point, c: Point) -> float:
    """Counter-clockwise turn (deg, y up) from ``a->b`` to ``b->c``: 0 for a straight line."""
    u, v = b - a, c - b
    u = _p(u[0], -u[1])
    v = _p(v[0], -v[1])
    return math.degrees(math.atan2(u[0] * v[1] - u[1] * v[0], u @ v))


def inner_angle(a: Point, b: Point, c: Point) -> float:
    """Unsigned angle at ``b`` (deg)."""
    return 180.0 - abs(turn_deg(a, b, c))


def two_link(root: Point, end: Point, first: float, second: float) -> Point:
    """The middle joint of a two-link chain from ``root`` to ``end``, bent upwards (-y).

    Raises:
        ValueError: When ``end`` is out of reach.
    """
    d = end - root
    length = float(np.hypot(*d))
    if not abs(first - second) < length < first + second:
        raise ValueError(f"two-link chain cannot reach {length:.1f} px")
    along = (first**2 - second**2 + length**2) / (2 * length)
    across = math.sqrt(max(first**2 - along**2, 0.0))
    unit = d / length
    normal = _p(-unit[1], unit[0])
    if normal[1] > 0:
        normal = -normal
    return root + along * unit + across * normal


def ease(u: float) -> float:
    """Half-cosine easing of ``u`` in [0, 1] (clipped)."""
    u = min(max(u, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * u)


@dataclass(frozen=True)
class Ramps:
    """A piecewise signal: ``base``, then eased ramps ``(t0, t1, value)`` in time order.

    Example:
        >>> r = Ramps(0.0, ((2.0, 4.0, -10.0),))
        >>> [round(r(t), 6) for t in (1.0, 3.0, 5.0)]
        [0.0, -5.0, -10.0]
    """

    base: float = 0.0
    ramps: tuple[tuple[float, float, float], ...] = ()

    def __call__(self, t: float) -> float:
        value = self.base
        for t0, t1, target in self.ramps:
            if t < t0:
                break
            u = 1.0 if t1 <= t0 else (t - t0) / (t1 - t0)
            value = value + (target - value) * ease(u)
        return float(value)


def ramps(base: float, *steps: tuple[float, float, float]) -> Ramps:
    """Shorthand for :class:`Ramps`: ``ramps(0, (8, 18, -14))`` sags from 8 s to 18 s."""
    return Ramps(float(base), tuple((float(a), float(b), float(v)) for a, b, v in steps))


def _pulses(*windows: tuple[float, float], rise_s: float = 0.5) -> Ramps:
    """0 outside, 1 inside each (start, end) window, with eased edges of ``rise_s``."""
    steps = []
    for start, end in windows:
        steps += [(start, start + rise_s, 1.0), (end, end + rise_s, 0.0)]
    return ramps(0.0, *steps)


# -- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One pose: named joints (px, base orientation), where the face points, an optional back."""

    joints: Joints
    face: Point  # unit vector: where the nose points from the ear
    back: npt.NDArray[np.float64] | None = None
    #: joints where the far body side is not where the near one is (a limb lifted on that side)
    far: Joints = field(default_factory=dict)


def back_arc(shoulder: Point, hip: Point, bend_deg: float, *, points: int = BACK_POINTS,
             height_px: float = BACK_HEIGHT_PX,
             span: tuple[float, float] = (0.0, 1.0)) -> npt.NDArray[np.float64]:
    """(points, 2) samples of a circular arc above the shoulder-hip line turning by ``bend_deg``
    over the whole shoulder-hip length; the samples lie over the ``span`` share of that length
    (the mask outline covers :data:`formcheck.measure.spine.SPAN` of it).

    Positive bends bulge up (rounded back, cat), negative ones sag (arched back, cow).
    """
    axis = hip - shoulder
    length = float(np.hypot(*axis))
    unit = axis / length
    normal = _p(-unit[1], unit[0])
    if normal[1] > 0:
        normal = -normal
    a = shoulder + height_px * normal
    s = np.linspace(span[0], span[1], points) * length
    theta = math.radians(bend_deg)
    if abs(theta) < 1e-9:
        h = np.zeros_like(s)
    else:
        radius = length / (2 * math.sin(abs(theta) / 2))
        c = s - length / 2
        h = np.sqrt(radius**2 - c**2) - radius * math.cos(abs(theta) / 2)
        h *= math.copysign(1.0, theta)
    return a[None, :] + s[:, None] * unit[None, :] + h[:, None] * normal[None, :]


def bridge_figure(trunk_lift_deg: float, *, foot_px: float = 150.0, body: Body = BODY) -> Figure:
    """Lying on the back, knees bent: shoulders and feet on the floor, trunk lifted by an angle.

    ``foot_px`` is the floor distance from the resting hip to the ankle (foot placement).
    """
    shoulder = _p(300.0, _up(20.0))
    hip = shoulder + body.trunk * _dir(trunk_lift_deg)
    ankle = _p(shoulder[0] + body.trunk + foot_px, _up(18.0))
    knee = two_link(hip, ankle, body.thigh, body.shin)
    elbow = shoulder + _p(math.sqrt(body.upper_arm**2 - 10.0**2), 10.0)
    wrist = _p(elbow[0] + body.forearm, elbow[1])
    joints = {
        "shoulder": shoulder, "elbow": elbow, "wrist": wrist, "hip": hip, "knee": knee,
        "ankle": ankle, "heel": ankle + _p(-10.0, 14.0), "foot": ankle + _p(45.0, 14.0),
        "ear": _p(shoulder[0] - body.neck, _up(24.0)),
    }
    return Figure(joints, face=_p(-0.3, -0.95))


def lying_figure(body: Body = BODY) -> Figure:
    """Lying flat on the back, legs straight (not an exercise)."""
    shoulder = _p(300.0, _up(20.0))
    hip = shoulder + _p(body.trunk, 0.0)
    knee = hip + _p(body.thigh, 2.0)
    ankle = knee + _p(body.shin, 0.0)
    elbow = shoulder + _p(body.upper_arm - 1.0, 8.0)
    joints = {
        "shoulder": shoulder, "elbow": elbow, "wrist": elbow + _p(body.forearm, 0.0), "hip": hip,
        "knee": knee, "ankle": ankle, "heel": ankle + _p(5.0, 14.0),
        "foot": ankle + _p(15.0, -35.0), "ear": shoulder + _p(-body.neck, -4.0),
    }
    return Figure(joints, face=_p(-0.3, -0.95))


def standing_figure(sway_px: float = 0.0, body: Body = BODY) -> Figure:
    """Standing upright side-on, arms hanging (not an exercise)."""
    ankle = _p(480.0 + sway_px * 0.2, _up(25.0))
    knee = ankle + _p(0.0, -body.shin)
    hip = knee + _p(sway_px * 0.5, -body.thigh)
    shoulder = hip + _p(sway_px, -body.trunk)
    elbow = shoulder + _p(0.0, body.upper_arm)
    joints = {
        "shoulder": shoulder, "elbow": elbow, "wrist": elbow + _p(5.0, body.forearm), "hip": hip,
        "knee": knee, "ankle": ankle, "heel": ankle + _p(-12.0, 18.0),
        "foot": ankle + _p(40.0, 20.0), "ear": shoulder + _p(5.0, -body.neck),
    }
    return Figure(joints, face=_p(1.0, 0.0))


def _solve_line(shoulder: Point, first: float, second: float, bend_deg: float,
                end_height: float) -> tuple[Point, Point]:
    """A two-segment body line from ``shoulder`` going left/down, bending by ``bend_deg`` at the
    middle joint (+ = the middle joint above the straight line), whose end is ``end_height``
    above the floor. Returns (middle, end)."""
    psi = _line_psi(float(shoulder[1]), first, second, round(bend_deg, 6), end_height)
    mid = shoulder + first * _dir(180.0 + psi)
    return mid, mid + second * _dir(180.0 + psi + bend_deg)


@functools.lru_cache(maxsize=4096)
def _line_psi(shoulder_y: float, first: float, second: float, bend_deg: float,
              end_height: float) -> float:
    shoulder = _p(0.0, shoulder_y)

    def ends(psi: float) -> tuple[Point, Point]:
        mid = shoulder + first * _dir(180.0 + psi)
        return mid, mid + second * _dir(180.0 + psi + bend_deg)

    lo, hi = -40.0, 80.0
    target_y = _up(end_height)
    for _ in range(60):  # the end goes down (y grows) as psi grows
        psi = (lo + hi) / 2
        if ends(psi)[1][1] < target_y:
            lo = psi
        else:
            hi = psi
    return (lo + hi) / 2


def _head(shoulder: Point, hip: Point, drop_deg: float, neck: float) -> tuple[Point, Point]:
    """Ear on the trunk line beyond the shoulder, dropped by ``drop_deg``; and the face's way."""
    heading = _heading(shoulder - hip)
    ear = shoulder + neck * _dir(heading - drop_deg)
    return ear, _dir(heading - drop_deg - 70.0)


def plank_figure(alignment_deg: float = 0.0, *, head_drop_deg: float = 0.0, knees: float = 0.0,
                 lift: float = 1.0, knee_shin_tilt_deg: float = 25.0, knee_bend_deg: float = 0.0,
                 body: Body = BODY) -> Figure:
    """Forearm plank facing right; ``alignment_deg`` + = piked, - = sagging.

    ``knees`` blends towards a knee plank (1 = knees on the floor, shins raised by
    ``knee_shin_tilt_deg``); ``lift`` blends from lying prone on the forearms (0) to the plank (1).
    ``knee_bend_deg`` bends the knees (towards the floor) with the toes still on it, the way a
    strong pike pulls them (the alignment stays the shoulder-hip-ankle angle asked for).
    """
    elbow = _p(600.0, _up(10.0))
    shoulder = elbow + _p(0.0, -body.upper_arm)
    wrist = elbow + _p(body.forearm, 0.0)
    bend = math.radians(knee_bend_deg)
    leg = math.sqrt(body.thigh**2 + body.shin**2 + 2 * body.thigh * body.shin * math.cos(bend))
    hip, ankle = _solve_line(shoulder, body.trunk, leg, alignment_deg, 25.0)
    knee = hip + (ankle - hip) * body.thigh / (body.thigh + body.shin)
    if knee_bend_deg > 0:
        up_knee = two_link(hip, ankle, body.thigh, body.shin)
        foot = hip + (ankle - hip) * (float((up_knee - hip) @ (ankle - hip)) / leg**2)
        knee = 2 * foot - up_knee  # bent towards the floor, not up
    lower = {"hip": hip, "knee": knee, "ankle": ankle,
             "heel": ankle + _p(-14.0, -6.0), "foot": ankle + _p(12.0, 22.0)}
    if knees > 0:
        k_hip, k_knee = _solve_line(shoulder, body.trunk, body.thigh, alignment_deg, 12.0)
        k_ankle = k_knee + body.shin * _dir(180.0 - knee_shin_tilt_deg)
        kneel = {"hip": k_hip, "knee": k_knee, "ankle": k_ankle,
                 "heel": k_ankle + _p(4.0, -14.0), "foot": k_ankle + _p(-18.0, 6.0)}
        lower = {n: (1 - knees) * lower[n] + knees * kneel[n] for n in lower}
    if lift < 1:
        p_hip = shoulder + _p(-math.sqrt(body.trunk**2 - 60.0**2), 60.0)
        p_knee = p_hip + _p(-body.thigh, 2.0)
        p_ankle = p_knee + _p(-body.shin, 0.0)
        prone = {"hip": p_hip, "knee": p_knee, "ankle": p_ankle,
                 "heel": p_ankle + _p(-5.0, -14.0), "foot": p_ankle + _p(-15.0, 16.0)}
        lower = {n: lift * lower[n] + (1 - lift) * prone[n] for n in lower}
    ear, face = _head(shoulder, lower["hip"], head_drop_deg, body.neck)
    joints = {"shoulder": shoulder, "elbow": elbow, "wrist": wrist, "ear": ear, **lower}
    return Figure(joints, face=face)


def downward_dog_figure(*, arm_deg: float = 60.0, trunk_deg: float = 40.0,
                        body: Body = BODY) -> Figure:
    """Downward dog facing right: hands on the floor ahead, arms straight up and back to the
    shoulders (``arm_deg`` above the floor), the trunk rising on to the hips (``trunk_deg``),
    the hips highest, straight legs down to the feet on the floor behind. Not a plank."""
    wrist = _p(700.0, _up(8.0))
    arm = body.upper_arm + body.forearm
    shoulder = wrist + arm * _dir(180.0 - arm_deg)
    elbow = wrist + (shoulder - wrist) * body.forearm / arm
    hip = shoulder + body.trunk * _dir(180.0 - trunk_deg)
    leg = body.thigh + body.shin
    drop = _up(25.0) - hip[1]
    ankle = hip + _p(-math.sqrt(leg**2 - drop**2), drop)
    knee = hip + (ankle - hip) * body.thigh / leg
    ear, face = _head(shoulder, hip, 30.0, body.neck)
    joints = {
        "shoulder": shoulder, "elbow": elbow, "wrist": wrist, "hip": hip, "knee": knee,
        "ankle": ankle, "heel": ankle + _p(-12.0, 14.0), "foot": ankle + _p(20.0, 22.0),
        "ear": ear,
    }
    return Figure(joints, face=face)


def child_pose_figure(*, reach: float = 1.0, body: Body = BODY) -> Figure:
    """Child's pose facing right: knees on the floor, hips back over the heels, the trunk folded
    forward and down over the thighs, arms reaching forward along the floor (``reach`` 0 =
    forearms by the knees, 1 = arms stretched out). Not a plank."""
    knee = _p(420.0, _up(12.0))
    ankle = knee + _p(-body.shin, 2.0)
    hip = knee + body.thigh * _dir(152.0)
    shoulder = hip + body.trunk * _dir(-22.0)
    elbow = shoulder + body.upper_arm * _dir(-70.0 + 60.0 * reach)
    wrist = _p(elbow[0] + body.forearm, _up(8.0))
    ear, face = _head(shoulder, hip, 25.0, body.neck)
    joints = {
        "shoulder": shoulder, "elbow": elbow, "wrist": wrist, "hip": hip, "knee": knee,
        "ankle": ankle, "heel": ankle + _p(-4.0, -14.0), "foot": ankle + _p(-18.0, 6.0),
        "ear": ear,
    }
    return Figure(joints, face=face)


def kneeling_figure(body: Body = BODY) -> Figure:
    """Kneeling upright side-on, facing right: knees and shins on the floor, trunk upright."""
    knee = _p(480.0, _up(12.0))
    ankle = knee + _p(-body.shin, 2.0)
    hip = knee + _p(5.0, -body.thigh)
    shoulder = hip + _p(3.0, -body.trunk)
    elbow = shoulder + _p(2.0, body.upper_arm)
    joints = {
        "shoulder": shoulder, "elbow": elbow, "wrist": elbow + _p(8.0, body.forearm), "hip": hip,
        "knee": knee, "ankle": ankle, "heel": ankle + _p(-4.0, -14.0),
        "foot": ankle + _p(-18.0, 6.0), "ear": shoulder + _p(6.0, -body.neck),
    }
    return Figure(joints, face=_p(1.0, 0.0))


def _leg(hip: Point, knee: Point, lift: float, body: Body) -> Joints:
    """A leg on all fours from its resting ``knee``, lifted by ``lift``: 1 = stretched straight
    back level with the hip (a bird-dog), 0 = knee on the floor, -0.5 = knee drawn in under the
    chest; the shin swings from along the floor to in line with the thigh."""
    if lift == 0:
        ankle = knee + _p(-body.shin, -4.0)
    else:
        rest = _heading(knee - hip)
        knee = hip + body.thigh * _dir(rest - (rest + 180.0) * lift)
        ankle = knee + body.shin * _dir(180.0 - 8.0 * (1 - max(lift, 0.0)))
    return {"knee": knee, "ankle": ankle, "heel": ankle + _p(-8.0, -8.0),
            "foot": ankle + _p(-30.0, 6.0)}


def all_fours_figure(bend_deg: float = 0.0, *, resting_bend_deg: float = 8.0,
                     hip_shift_deg: float = 0.0, shoulder_shift_deg: float = 0.0,
                     leg_lift: float = 0.0, far_leg_lift: float = 0.0,
                     far_arm_lift: float = 0.0, hand_dx: float = 0.0, knee_dx: float = 0.0,
                     body: Body = BODY) -> Figure:
    """Hands under shoulders, knees under hips, facing right, the back bent by ``bend_deg``.

    ``hip_shift_deg`` tilts the thighs back from vertical (hips behind the knees),
    ``shoulder_shift_deg`` tilts the arms forward from vertical (shoulders ahead of the hands).
    The back outline's turning angle is ``bend_deg + resting_bend_deg``.
    ``leg_lift``/``far_leg_lift`` lift the near or far leg (see :func:`_leg`: 1 = stretched
    back), ``far_arm_lift`` the far arm forward (1 = level with the shoulder, reaching ahead);
    ``hand_dx``/``knee_dx`` move the hands and knees along the floor (px, + forward).
    """
    wrist = _p(620.0 + hand_dx, _up(8.0))
    arm = body.upper_arm + body.forearm
    shoulder = wrist + arm * _dir(90.0 - shoulder_shift_deg)
    elbow = wrist + (shoulder - wrist) * body.forearm / arm
    hip_height = 12.0 + body.thigh * math.cos(math.radians(hip_shift_deg))
    dy = (wrist[1] - shoulder[1]) + 8.0 - hip_height
    hip = _p(shoulder[0] - math.sqrt(body.trunk**2 - dy**2) + knee_dx, _up(hip_height))
    knee = hip - body.thigh * _dir(90.0 + hip_shift_deg)
    ear, face = _head(shoulder, hip, 10.0 + 1.2 * bend_deg, body.neck)
    joints = {"shoulder": shoulder, "elbow": elbow, "wrist": wrist, "hip": hip, "ear": ear,
              **_leg(hip, knee, leg_lift, body)}
    far: Joints = {}
    if far_leg_lift:
        far |= _leg(hip, knee, far_leg_lift, body)
    if far_arm_lift:
        reach = _dir(-90.0 + 90.0 * far_arm_lift)
        far |= {"elbow": shoulder + body.upper_arm * reach, "wrist": shoulder + arm * reach}
    back = back_arc(shoulder, hip, bend_deg + resting_bend_deg, span=BACK_SPAN)
    return Figure(joints, face=face, back=back, far=far)


# -- landmarks -------------------------------------------------------------------------------------

_BASE = {name: Landmark[f"LEFT_{lm}"] for name, lm in (
    ("shoulder", "SHOULDER"), ("elbow", "ELBOW"), ("wrist", "WRIST"), ("hip", "HIP"),
    ("knee", "KNEE"), ("ankle", "ANKLE"), ("heel", "HEEL"), ("foot", "FOOT_INDEX"),
    ("ear", "EAR"))}


def _swap_name(index: Landmark) -> Landmark:
    name = index.name
    if name.startswith("LEFT_"):
        return Landmark["RIGHT_" + name[5:]]
    if name.startswith("RIGHT_"):
        return Landmark["LEFT_" + name[6:]]
    if name.endswith("_LEFT"):
        return Landmark[name[:-5] + "_RIGHT"]
    if name.endswith("_RIGHT"):
        return Landmark[name[:-6] + "_LEFT"]
    return index


_SWAP = {lm: _swap_name(lm) for lm in Landmark}


def _swap(index: Landmark) -> Landmark:
    """The same landmark on the other body side (itself for the nose)."""
    return _SWAP[Landmark(index)]


#: Half the body's width (m): the near side is this much nearer the camera than the midline.
HALF_WIDTH_M = 0.08
_ORDER = np.array([int(_swap(Landmark(i))) for i in range(NUM_LANDMARKS)])


def landmarks_of(figure: Figure) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(33, 4) image landmarks and (33, 3) world landmarks of a base-orientation figure.

    In every base drawing (facing right) the body's **right** side faces the camera: head to the
    right and belly down (plank, all fours), or head to the left and belly up (bridge, lying),
    or standing facing right. World landmarks are the clean joints in metres around the hips'
    midpoint (x right, y down, z away from the camera, the near side at ``-HALF_WIDTH_M``), so
    the body's lateral axis is perpendicular to the image and 3-D angles equal the drawn ones.
    """
    image = np.zeros((NUM_LANDMARKS, 4))
    world = np.zeros((NUM_LANDMARKS, 3))
    j = figure.joints
    hand_dir = j["wrist"] - j["elbow"]
    hand_dir = hand_dir / max(float(np.hypot(*hand_dir)), 1e-6)
    face = figure.face / max(float(np.hypot(*figure.face)), 1e-6)
    side_up = _p(face[1], -face[0])
    near: dict[str, Point] = dict(j)
    near["pinky"] = j["wrist"] + 14 * hand_dir + 3 * _p(-hand_dir[1], hand_dir[0])
    near["index"] = j["wrist"] + 18 * hand_dir
    near["thumb"] = j["wrist"] + 10 * hand_dir - 4 * _p(-hand_dir[1], hand_dir[0])
    near["eye_outer"] = j["ear"] + 18 * face + 4 * side_up
    near["eye"] = j["ear"] + 23 * face + 4 * side_up
    near["eye_inner"] = j["ear"] + 27 * face + 4 * side_up
    near["mouth"] = j["ear"] + 26 * face - 10 * side_up
    names = {**_BASE, "pinky": Landmark.LEFT_PINKY, "index": Landmark.LEFT_INDEX,
             "thumb": Landmark.LEFT_THUMB, "eye_outer": Landmark.LEFT_EYE_OUTER,
             "eye": Landmark.LEFT_EYE, "eye_inner": Landmark.LEFT_EYE_INNER,
             "mouth": Landmark.MOUTH_LEFT}
    hip = j["hip"]
    z_near = -HALF_WIDTH_M * BODY.px_per_m
    far = dict(near)
    for name, point in figure.far.items():
        far[name] = point
        if name == "wrist":  # the hand's points follow a lifted far wrist
            for part in ("pinky", "index", "thumb"):
                far[part] = near[part] + point - j["wrist"]
    for name, left in names.items():
        index, other = _swap(left), left  # near = the body's right side
        image[index] = [*near[name], z_near, NEAR_VISIBILITY]
        image[other] = [*(far[name] + FAR_OFFSET), -z_near, FAR_VISIBILITY]
        world[index] = [*((near[name] - hip) / BODY.px_per_m), -HALF_WIDTH_M]
        world[other] = [*((far[name] - hip) / BODY.px_per_m), HALF_WIDTH_M]
    nose = j["ear"] + 34 * face
    image[Landmark.NOSE] = [*nose, z_near / 2, NEAR_VISIBILITY]
    world[Landmark.NOSE] = [*((nose - hip) / BODY.px_per_m), 0.0]
    return image, world


def mirrored(image: npt.NDArray[np.float64], world: npt.NDArray[np.float64], width: int
             ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The person turned round (facing the other way); works on (..., 33, k) stacks.

    The image is mirrored and the body sides swap roles (the other side now faces the camera).
    For the world landmarks of a left-right symmetric pose, swapping the sides' labels is the
    mirror z -> -z; with x -> -x on top the whole is a rotation by 180 deg about the vertical,
    a proper rigid motion, so 3-D angles about the body's lateral axis keep their signs.
    """
    image = image[..., _ORDER, :].copy()
    world = world[..., _ORDER, :].copy()
    image[..., 0] = width - image[..., 0]
    world[..., 0] = -world[..., 0]
    return image, world


# -- motions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Motion:
    """A pose as a function of time, with what it was designed to show.

    Attributes:
        exercise: "glute_bridge", "plank", "cat_cow" or "none".
        duration_s: Length of the motion.
        figure_at: t (s) -> :class:`Figure`.
        signal: t (s) -> the designed key measure (hip angle, plank alignment, spinal bend above
            the resting shape), NaN where it is not defined.
        truth: Designed events (reps, holds, rounds, fault windows) in seconds.
    """

    exercise: str
    duration_s: float
    figure_at: Callable[[float], Figure]
    signal: Callable[[float], float] = lambda t: float("nan")
    truth: dict[str, Any] = field(default_factory=dict)

    def shifted_truth(self, offset_s: float) -> dict[str, Any]:
        def shift(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: (v + offset_s if k.endswith("_s") and k != "duration_s"
                            and isinstance(v, int | float) else shift(v)) for k, v in value.items()}
            if isinstance(value, list):
                return [shift(v) for v in value]
            return value
        return shift(self.truth)


def _still(exercise: str, duration_s: float, figure: Callable[[float], Figure]) -> Motion:
    return Motion(exercise, duration_s, figure)


def standing(duration_s: float = 6.0, *, sway_px: float = 3.0) -> Motion:
    """Standing side-on, swaying a little."""
    return _still("none", duration_s,
                  lambda t: standing_figure(sway_px * math.sin(2 * math.pi * t / 3.0)))


def prone(duration_s: float = 6.0) -> Motion:
    """Lying face down propped on the forearms (a sphinx; hips on the floor, not a plank)."""
    figure = plank_figure(0.0, lift=0.0)
    return _still("none", duration_s, lambda t: figure)


def downward_dog(duration_s: float = 8.0, *, sway_deg: float = 3.0) -> Motion:
    """Holding a downward dog (hips highest on straight arms), breathing a little."""
    return _still("none", duration_s, lambda t: downward_dog_figure(
        trunk_deg=40.0 + sway_deg * math.sin(2 * math.pi * t / 4.0)))


def child_pose(duration_s: float = 8.0) -> Motion:
    """Resting in child's pose, the arms reaching forward."""
    figure = child_pose_figure()
    return _still("none", duration_s, lambda t: figure)


def kneeling(duration_s: float = 6.0) -> Motion:
    """Kneeling upright, side-on."""
    figure = kneeling_figure()
    return _still("none", duration_s, lambda t: figure)


def lying(duration_s: float = 6.0) -> Motion:
    """Lying still on the back, legs straight."""
    figure = lying_figure()
    return _still("none", duration_s, lambda t: figure)


@dataclass(frozen=True)
class _BridgeTable:
    """Hip angle as a function of the trunk lift, for one foot placement (inverted by interp)."""

    foot_px: float
    lifts: npt.NDArray[np.float64]
    hips: npt.NDArray[np.float64]

    @classmethod
    def build(cls, foot_px: float) -> _BridgeTable:
        lifts, hips = [], []
        for lift in np.arange(0.0, 75.0, 0.05):
            try:
                f = bridge_figure(float(lift), foot_px=foot_px)
            except ValueError:
                break
            j = f.joints
            lifts.append(lift)
            hips.append(180.0 - turn_deg(j["shoulder"], j["hip"], j["knee"]))
        h = np.asarray(hips)
        if not np.all(np.diff(h) > 0):
            raise ValueError("hip angle is not monotonic in the trunk lift")
        return cls(foot_px, np.asarray(lifts), h)

    def lift_for(self, hip_deg: float) -> float:
        if not self.hips[0] - 1e-6 <= hip_deg <= self.hips[-1]:
            lo, hi = self.hips[0], self.hips[-1]
            raise ValueError(f"hip angle {hip_deg:.1f} outside {lo:.1f}..{hi:.1f}")
        return float(np.interp(hip_deg, self.hips, self.lifts))


FOOT_PLACEMENT = {"close": 85.0, "normal": 150.0, "far": 200.0}


@functools.lru_cache(maxsize=64)
def _bridge_table(foot_px: float) -> _BridgeTable:
    return _BridgeTable.build(foot_px)


@functools.lru_cache(maxsize=4096)
def bridge_rest_deg(foot_px: float) -> float:
    """The resting hip angle (trunk on the floor) for a foot placement."""
    j = bridge_figure(0.0, foot_px=foot_px).joints
    return 180.0 - turn_deg(j["shoulder"], j["hip"], j["knee"])


def foot_for_knee(knee_deg: float, *, hip_deg: float = 180.0) -> float:
    """The foot placement (px) at which the knee angle is ``knee_deg`` when the hip angle is
    ``hip_deg`` (feet closer = smaller knee angle)."""

    def knee_at(foot_px: float) -> float:
        lo, hi = 0.0, 75.0  # trunk lift giving the hip angle (it grows with the lift)
        for _ in range(40):
            mid = (lo + hi) / 2
            try:
                j = bridge_figure(mid, foot_px=foot_px).joints
            except ValueError:
                hi = mid
                continue
            if 180.0 - turn_deg(j["shoulder"], j["hip"], j["knee"]) < hip_deg:
                lo = mid
            else:
                hi = mid
        j = bridge_figure((lo + hi) / 2, foot_px=foot_px).joints
        return inner_angle(j["hip"], j["knee"], j["ankle"])

    lo, hi = 60.0, 215.0
    if not knee_at(lo) <= knee_deg <= knee_at(hi):
        raise ValueError(f"no foot placement gives a {knee_deg:.1f} deg knee at the top")
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if knee_at(mid) < knee_deg else (lo, mid)
    return round((lo + hi) / 2, 2)


def bridge(
    reps: int = 3,
    *,
    peak_deg: float | Sequence[float] = 180.0,
    lift_s: float = 1.2,
    lower_s: float = 1.2,
    top_s: float = 2.0,
    rest_s: float = 2.0,
    lead_s: float = 2.0,
    tail_s: float = 2.0,
    feet: str | float = "normal",
    feet_moves: Sequence[tuple[float, float, str | float]] = (),
    top_sag_deg: float = 0.0,
    extra_deg: Callable[[float], float] | None = None,
) -> Motion:
    """Glute bridge reps: the hip angle rises from rest to ``peak_deg`` (eased over ``lift_s``),
    pauses ``top_s`` (sinking by ``top_sag_deg`` during the pause), lowers over ``lower_s`` and
    rests ``rest_s``. Shoulders and feet stay on the floor; the trunk is lifted by the angle that
    gives the wanted hip angle and the knee follows from thigh/shin lengths (two-link IK).

    ``feet`` is "close", "normal", "far" or a hip-ankle floor distance in px; ``feet_moves`` are
    ``(t0, t1, placement)`` slides of the feet while lying down (between reps). ``extra_deg(t)``
    adds to the hip angle (fidgeting); it must keep the hip angle at or above rest.
    """

    def px(place: str | float) -> float:
        return FOOT_PLACEMENT[place] if isinstance(place, str) else float(place)

    foot = ramps(px(feet), *((a, b, px(v)) for a, b, v in feet_moves))
    peaks = [float(peak_deg)] * reps if isinstance(peak_deg, int | float) else list(peak_deg)
    assert len(peaks) == reps
    rep_s = lift_s + top_s + lower_s
    starts = [lead_s + i * (rep_s + rest_s) for i in range(reps)]
    duration = lead_s + reps * rep_s + max(reps - 1, 0) * rest_s + tail_s

    def hip(t: float) -> float:
        rest = bridge_rest_deg(round(foot(t), 4))
        value = rest
        for start, peak in zip(starts, peaks, strict=True):
            u = t - start
            if 0 <= u < lift_s:
                value = rest + (peak - rest) * ease(u / lift_s)
            elif lift_s <= u < lift_s + top_s:
                value = peak - top_sag_deg * (u - lift_s) / top_s
            elif lift_s + top_s <= u < rep_s:
                top_end = peak - top_sag_deg
                value = rest + (top_end - rest) * (1 - ease((u - lift_s - top_s) / lower_s))
        if extra_deg is not None:
            value += extra_deg(t)
        return value

    def figure(t: float) -> Figure:
        foot_px = round(foot(t), 4)
        angle = hip(t)
        if angle <= bridge_rest_deg(foot_px) + 1e-9:
            return bridge_figure(0.0, foot_px=foot_px)
        return bridge_figure(_bridge_table(foot_px).lift_for(angle), foot_px=foot_px)

    truth = {
        "rest_hip_deg": bridge_rest_deg(px(feet)),
        "reps": [{"start_s": s, "top_s": s + lift_s, "lower_s": s + lift_s + top_s,
                  "end_s": s + rep_s, "peak_deg": p,
                  "rest_hip_deg": bridge_rest_deg(round(foot(s), 4))}
                 for s, p in zip(starts, peaks, strict=True)],
    }
    return Motion("glute_bridge", duration, figure, hip, truth)


def plank(
    hold_s: float = 20.0,
    *,
    lead_s: float = 2.0,
    tail_s: float = 2.0,
    get_up_s: float = 0.4,
    lower_s: float = 0.4,
    alignment: Callable[[float], float] | float = 0.0,
    head_drop: Callable[[float], float] | float = 0.0,
    knees: Callable[[float], float] | float = 0.0,
    knee_shin_tilt_deg: float = 25.0,
    knee_bend: Callable[[float], float] | float = 0.0,
) -> Motion:
    """Lie prone on the forearms, lift into a forearm plank (``get_up_s``), hold, lower.

    ``alignment``, ``head_drop``, ``knees`` and ``knee_bend`` are constants or functions of the
    recording time (see :func:`ramps`): alignment in degrees (+ pike, - sag), head drop in
    degrees below the trunk line, knees 0..1 (1 = knees on the floor), knee bend in degrees with
    the toes on the floor (a strong pike pulls the knees bent). The designed hold is the time in
    the plank (``start_s``..``end_s``); a hold may fairly include the movement into and out of it
    (``outer_start_s``..``outer_end_s``), which cannot be timed more finely.
    """
    as_fn = {k: (v if callable(v) else (lambda t, v=float(v): v))
             for k, v in (("alignment", alignment), ("head", head_drop), ("knees", knees),
                          ("knee_bend", knee_bend))}
    up_end = lead_s + get_up_s
    down_start = up_end + hold_s
    duration = down_start + lower_s + tail_s

    def lift(t: float) -> float:
        if t < lead_s:
            return 0.0
        if t < up_end:
            return ease((t - lead_s) / get_up_s)
        if t < down_start:
            return 1.0
        return 1.0 - ease((t - down_start) / lower_s)

    def figure(t: float) -> Figure:
        return plank_figure(as_fn["alignment"](t), head_drop_deg=as_fn["head"](t),
                            knees=as_fn["knees"](t), lift=lift(t),
                            knee_shin_tilt_deg=knee_shin_tilt_deg,
                            knee_bend_deg=as_fn["knee_bend"](t))

    def signal(t: float) -> float:
        return as_fn["alignment"](t) if up_end <= t <= down_start else float("nan")

    truth = {"holds": [{"start_s": up_end, "end_s": down_start,
                        "outer_start_s": lead_s, "outer_end_s": down_start + lower_s}],
             "head": as_fn["head"], "knees": as_fn["knees"]}
    return Motion("plank", duration, figure, signal, truth)


def plank_knee_rest(
    rest_s: float,
    *,
    before_s: float = 3.0,
    after_s: float = 7.0,
    move_s: float = 0.4,
    alignment: Callable[[float], float] | float = 0.0,
    knee_shin_tilt_deg: float = 25.0,
) -> Motion:
    """A forearm plank held ``before_s``, the knees lowered to the floor (over ``move_s``), a rest
    of ``rest_s`` on them, back up (``move_s``) and held another ``after_s``, then lowered.

    ``truth["holds"]`` are the two stretches in the forearm plank (before the knees leave the
    line, and from when they are back on it); ``truth["knees_down"]`` is the (start, end) of the
    knees' way down, rest and way up, and ``truth["rest"]`` the time the knees are on the floor.
    """
    lead_s, get_up_s, lower_s = 2.0, 0.4, 0.4
    up_end = lead_s + get_up_s
    down = up_end + before_s
    back = down + 2 * move_s + rest_s
    hold_s = before_s + 2 * move_s + rest_s + after_s
    knees = ramps(0.0, (down, down + move_s, 1.0), (back - move_s, back, 0.0))
    m = plank(hold_s, lead_s=lead_s, get_up_s=get_up_s, lower_s=lower_s, alignment=alignment,
              knees=knees, knee_shin_tilt_deg=knee_shin_tilt_deg)
    end = up_end + hold_s
    truth = dict(m.truth)
    truth["holds"] = [
        {"start_s": up_end, "end_s": down, "outer_start_s": lead_s, "outer_end_s": down + move_s},
        {"start_s": back, "end_s": end, "outer_start_s": back - move_s,
         "outer_end_s": end + lower_s},
    ]
    truth["knees_down"] = (down, back)
    truth["rest"] = (down + move_s, back - move_s)
    return replace(m, truth=truth)


def cat_cow(
    rounds: int = 4,
    *,
    cat_deg: float = 20.0,
    cow_deg: float = 20.0,
    move_s: float = 1.2,
    pause_s: float = 1.0,
    rest_s: float = 0.0,
    lead_s: float = 2.0,
    tail_s: float = 2.0,
    resting_bend_deg: float = 8.0,
    continuous: bool = False,
    hip_shift: Callable[[float], float] | float = 0.0,
    shoulder_shift: Callable[[float], float] | float = 0.0,
    cow_first: bool = False,
    lone_end: bool = False,
    hand_wobble_px: float = 0.0,
    resting_drift: Callable[[float], float] | float = 0.0,
) -> Motion:
    """Cat-cow rounds on all fours: neutral -> cat (+``cat_deg``) -> pause -> cow (-``cow_deg``)
    -> pause -> neutral, moving ``move_s`` per quarter (so a round lasts
    ``4 * move_s + 2 * pause_s``), then ``rest_s`` at neutral.

    ``cow_first=True`` does each round the other way round (neutral -> cow -> cat -> neutral, as
    teachers who cue "drop the belly" first have it); ``lone_end=True`` adds, after the last
    round, one more move to the round's first pose and back to neutral (half a round, no round).

    ``continuous=True`` ignores the pauses: the bend is a sine of that period, never stopping.
    ``hip_shift``/``shoulder_shift`` (deg, constants or functions of time) move the hips behind
    the knees or the shoulders ahead of the hands. ``hand_wobble_px`` lets the hands (and, by
    half as much, the knees) wander slowly along the floor by up to that much, as real hands do.
    ``resting_drift`` (deg, a constant or a function of time) is added to the back's resting
    shape: the outline's level drifting during a session, as it does when the body settles or the
    model's reading of the outline changes with the view.
    """
    round_s = (4 * move_s + 2 * pause_s) if not continuous else 4 * move_s
    period = round_s + rest_s
    start0 = lead_s
    half_s = 2 * move_s + pause_s  # the lone end: out to the first pose, pause, back
    duration = lead_s + rounds * period + (half_s + 1.0 if lone_end else 0.0) + tail_s
    first_deg, second_deg, first_sign = (
        (cow_deg, cat_deg, -1.0) if cow_first else (cat_deg, cow_deg, 1.0)
    )
    shift = {k: (v if callable(v) else (lambda t, v=float(v): v))
             for k, v in (("hip", hip_shift), ("shoulder", shoulder_shift),
                          ("rest", resting_drift))}

    def first_way(u: float) -> float:
        """One round done cat first, with the first and second poses' depths."""
        if continuous:
            s = math.sin(2 * math.pi * u / round_s)
            return first_deg * s if s > 0 else second_deg * s
        m, p = move_s, pause_s
        if u < m:
            return first_deg * ease(u / m)
        if u < m + p:
            return first_deg
        if u < 3 * m + p:
            w = ease((u - m - p) / (2 * m))
            return first_deg + (-second_deg - first_deg) * w
        if u < 3 * m + 2 * p:
            return -second_deg
        return -second_deg * (1 - ease((u - 3 * m - 2 * p) / m))

    def bend(t: float) -> float:
        u = t - start0
        if lone_end and rounds * period <= u < rounds * period + half_s:
            v = u - rounds * period
            m, p = move_s, pause_s
            depth = first_deg * (ease(v / m) if v < m else 1.0 if v < m + p
                                 else 1 - ease((v - m - p) / m))
            return first_sign * depth
        if u < 0 or u >= rounds * period:
            return 0.0
        u = u % period
        if u >= round_s:
            return 0.0
        return first_sign * first_way(u)

    def figure(t: float) -> Figure:
        wobble = hand_wobble_px * math.sin(2 * math.pi * t / 2.7)
        knee_wobble = 0.5 * hand_wobble_px * math.sin(2 * math.pi * t / 3.3 + 1.0)
        return all_fours_figure(bend(t), resting_bend_deg=resting_bend_deg + shift["rest"](t),
                                hip_shift_deg=shift["hip"](t),
                                shoulder_shift_deg=shift["shoulder"](t),
                                hand_dx=wobble, knee_dx=knee_wobble)

    rounds_truth = []
    for i in range(rounds):
        s = start0 + i * period
        if continuous:
            first_mid, second_mid = s + move_s, s + 3 * move_s
        else:
            first_mid, second_mid = s + move_s + pause_s / 2, s + 3 * move_s + 1.5 * pause_s
        second_end = second_mid if continuous else s + 3 * move_s + 2 * pause_s
        cat_mid, cow_mid = (second_mid, first_mid) if cow_first else (first_mid, second_mid)
        # "cow_end_s": where the round's second pause ends (the cow's in a cat-first round)
        rounds_truth.append({"start_s": s, "cat_s": cat_mid, "cow_s": cow_mid,
                             "cow_end_s": second_end, "end_s": s + round_s})
    truth = {"rounds": rounds_truth, "resting_bend_deg": resting_bend_deg,
             "order": "cow_first" if cow_first else "cat_first"}
    return Motion("cat_cow", duration, figure, bend, truth)


def _all_fours_moves(reps: int, rep_s: float, lead_s: float, tail_s: float,
                     keys: dict[str, Sequence[tuple[float, float, float]]],
                     resting_bend_deg: float = 8.0) -> Motion:
    """On all fours, ``reps`` times a movement given as eased ``(t0, t1, value)`` steps per
    figure parameter (``bend`` and the keywords of :func:`all_fours_figure`), times within one
    rep of ``rep_s``. Not cat-cow: ``truth["rounds"]`` is empty."""
    fns = {name: ramps(0.0, *((lead_s + i * rep_s + a, lead_s + i * rep_s + b, v)
                              for i in range(reps) for a, b, v in steps))
           for name, steps in keys.items()}
    duration = lead_s + reps * rep_s + tail_s
    bend = fns.pop("bend", ramps(0.0))

    def figure(t: float) -> Figure:
        return all_fours_figure(bend(t), resting_bend_deg=resting_bend_deg,
                                **{name: fn(t) for name, fn in fns.items()})

    return Motion("none", duration, figure, bend,
                  {"rounds": [], "resting_bend_deg": resting_bend_deg})


def leg_extension(reps: int = 3, *, side: Literal["near", "far"] = "near", arm: bool = True,
                  bend_deg: float = 15.0, lead_s: float = 2.0, tail_s: float = 2.0) -> Motion:
    """Bird-dog style leg extensions on all fours: one knee lifts and the leg stretches straight
    back (the opposite arm reaching forward with it when ``arm``, near leg only) over 1 s, held
    1 s, then drawn in under the chest and set down again; the back arches by ``bend_deg`` as the
    leg stretches back and rounds by as much as the knee comes in, as it does in real bodies.
    Hands and the other knee stay put. Not cat-cow rounds."""
    leg = "leg_lift" if side == "near" else "far_leg_lift"
    keys: dict[str, Sequence[tuple[float, float, float]]] = {
        leg: [(0.0, 1.0, 1.0), (2.0, 3.0, -0.5), (3.5, 4.5, 0.0)],
        "bend": [(0.0, 1.0, -bend_deg), (2.0, 3.0, bend_deg), (3.5, 4.5, 0.0)],
    }
    if arm and side == "near":
        keys["far_arm_lift"] = [(0.0, 1.0, 1.0), (2.0, 3.0, 0.0)]
    return _all_fours_moves(reps, 5.5, lead_s, tail_s, keys)


def arm_reach(reps: int = 3, *, bend_deg: float = 10.0, lead_s: float = 2.0,
              tail_s: float = 2.0) -> Motion:
    """The far arm reaching forward level with the shoulder and back on all fours (1 s each
    way, held 1 s), the back arching a little as it reaches and rounding as it comes back."""
    keys: dict[str, Sequence[tuple[float, float, float]]] = {
        "far_arm_lift": [(0.0, 1.0, 1.0), (2.0, 3.0, 0.0)],
        "bend": [(0.0, 1.0, -bend_deg), (2.0, 3.0, bend_deg), (3.5, 4.5, 0.0)],
    }
    return _all_fours_moves(reps, 5.5, lead_s, tail_s, keys)


def rock_back(reps: int = 3, *, hip_deg: float = 35.0, bend_deg: float = 15.0,
              lead_s: float = 2.0, tail_s: float = 2.0) -> Motion:
    """Rocking back towards child's pose and forward again on all fours: the hips move back
    over the heels (the thighs ``hip_deg`` back from vertical, the shoulders following behind
    the hands) over 1.5 s with the back rounding, then forward past the start (hips ahead of
    the knees, shoulders ahead of the hands) with the back sagging, and back to the start."""
    keys: dict[str, Sequence[tuple[float, float, float]]] = {
        "hip_shift_deg": [(0.0, 1.5, hip_deg), (2.0, 3.5, -8.0), (4.0, 5.0, 0.0)],
        "shoulder_shift_deg": [(0.0, 1.5, -0.5 * hip_deg), (2.0, 3.5, 15.0), (4.0, 5.0, 0.0)],
        "bend": [(0.0, 1.5, bend_deg), (2.0, 3.5, -bend_deg), (4.0, 5.0, 0.0)],
    }
    return _all_fours_moves(reps, 6.0, lead_s, tail_s, keys)


def weight_shift(reps: int = 3, *, shift_deg: float = 20.0, bend_deg: float = 15.0,
                 lead_s: float = 2.0, tail_s: float = 2.0) -> Motion:
    """Shifting the weight forward and back on all fours: the shoulders move ``shift_deg`` ahead
    of the hands (the hips following a little, the back sagging), then as far behind them (the
    back rounding), and back over the hands; hands and knees stay put."""
    keys: dict[str, Sequence[tuple[float, float, float]]] = {
        "shoulder_shift_deg": [(0.0, 1.2, shift_deg), (2.0, 3.5, -shift_deg), (4.0, 5.0, 0.0)],
        "hip_shift_deg": [(0.0, 1.2, -0.4 * shift_deg), (2.0, 3.5, 0.4 * shift_deg),
                          (4.0, 5.0, 0.0)],
        "bend": [(0.0, 1.2, -bend_deg), (2.0, 3.5, bend_deg), (4.0, 5.0, 0.0)],
    }
    return _all_fours_moves(reps, 6.0, lead_s, tail_s, keys)


def sequence(*motions: Motion) -> Motion:
    """The motions one after the other; ``truth["parts"]`` lists each part's truth, time-shifted."""
    offsets = np.cumsum([0.0, *(m.duration_s for m in motions)])

    def locate(t: float) -> tuple[Motion, float]:
        i = int(np.searchsorted(offsets, t, side="right")) - 1
        i = min(max(i, 0), len(motions) - 1)
        return motions[i], t - float(offsets[i])

    def figure(t: float) -> Figure:
        m, u = locate(t)
        return m.figure_at(min(u, m.duration_s))

    def signal(t: float) -> float:
        m, u = locate(t)
        return m.signal(u)

    parts = [{"exercise": m.exercise, "start_s": float(o), "end_s": float(o) + m.duration_s,
              "truth": m.shifted_truth(float(o))} for m, o in zip(motions, offsets, strict=False)]
    return Motion("sequence", float(offsets[-1]), figure, signal, {"parts": parts})


# -- rendering -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How a motion is sampled and disturbed (see :func:`render`)."""

    fps: float = 30.0
    facing: Facing = "right"
    jitter_px: float = 0.0
    back_jitter_px: float = 0.0
    dropouts: tuple[tuple[float, float], ...] = ()
    dropout_mode: Literal["nan", "invisible"] = "nan"
    seed: int = 0
    image_size: tuple[int, int] = IMAGE_SIZE


def sample_times(duration_s: float, fps: float) -> npt.NDArray[np.float64]:
    """Frame times 0, 1/fps, ... up to ``duration_s`` (inclusive), in seconds."""
    n = math.floor(duration_s * fps + 1e-9) + 1
    return np.arange(n) / fps


def render(motion: Motion, *, fps: float = 30.0, facing: Facing = "right", jitter_px: float = 0.0,
           back_jitter_px: float | None = None,
           dropouts: Sequence[tuple[float, float]] = (),
           dropout_mode: Literal["nan", "invisible"] = "nan",
           seed: int = 0, image_size: tuple[int, int] = IMAGE_SIZE) -> PoseSeries:
    """Sample ``motion`` into a pose series.

    Args:
        fps: Frame rate (timestamps are whole milliseconds).
        facing: "right" (the base drawings) or "left" (mirrored, body sides swapped).
        jitter_px: Standard deviation of Gaussian noise on every landmark's x, y.
        back_jitter_px: The same for the back outline's points (default ``jitter_px / 3``: the
            edge of a segmentation mask is steadier than a landmark).
        dropouts: (start_s, end_s) intervals with no usable pose.
        dropout_mode: "nan" = nobody found (all-NaN frames, no back), "invisible" = the
            landmarks are there but with visibility 0.
        seed: Random seed for the jitter.
    """
    if back_jitter_px is None:
        back_jitter_px = jitter_px / 3
    options = RenderOptions(fps=fps, facing=facing, jitter_px=jitter_px,
                            back_jitter_px=back_jitter_px,
                            dropouts=tuple((float(a), float(b)) for a, b in dropouts),
                            dropout_mode=dropout_mode, seed=seed, image_size=image_size)
    times = sample_times(motion.duration_s, fps)
    n = times.shape[0]
    rng = np.random.default_rng(seed)
    landmarks = np.empty((n, NUM_LANDMARKS, 4))
    world = np.empty((n, NUM_LANDMARKS, 3))
    backs = np.full((n, BACK_POINTS, 2), np.nan)
    has_back = False
    for i, t in enumerate(times):
        figure = motion.figure_at(float(t))
        landmarks[i], world[i] = landmarks_of(figure)
        if figure.back is not None:
            backs[i] = figure.back
            has_back = True
    if jitter_px > 0:
        noise = rng.normal(0.0, jitter_px, (n, NUM_LANDMARKS, 2))
        landmarks[:, :, :2] += noise
        world[:, :, :2] += noise / BODY.px_per_m
    if back_jitter_px > 0:
        backs += rng.normal(0.0, back_jitter_px, backs.shape)
    if facing == "left":
        landmarks, world = mirrored(landmarks, world, image_size[0])
        backs[:, :, 0] = image_size[0] - backs[:, :, 0]
    for start, end in options.dropouts:
        out = (times >= start - 1e-9) & (times < end - 1e-9)
        if dropout_mode == "nan":
            landmarks[out] = np.nan
            world[out] = np.nan
            backs[out] = np.nan
        else:
            landmarks[out, :, 3] = 0.0
    return PoseSeries(
        timestamps_ms=np.round(times * 1000).astype(np.int64),
        landmarks=landmarks,
        world=world,
        image_size=image_size,
        metadata={"source": f"synthetic:{motion.exercise}", "kind": "synthetic", "fps": fps,
                  "motion": motion, "render": options},
        back=backs if has_back else None,
    )


def resample(series: PoseSeries, fps: float, **changes: Any) -> PoseSeries:
    """The same synthetic motion rendered again at another ``fps`` (and any other options)."""
    motion: Motion = series.metadata["motion"]
    options: RenderOptions = replace(series.metadata["render"], fps=fps, **changes)
    return render(motion, fps=options.fps, facing=options.facing, jitter_px=options.jitter_px,
                  back_jitter_px=options.back_jitter_px,
                  dropouts=options.dropouts, dropout_mode=options.dropout_mode, seed=options.seed,
                  image_size=options.image_size)


# -- designed-signal helpers for expectations ------------------------------------------------------


def dense(signal: Callable[[float], float], t0: float, t1: float, step_s: float = 0.001
          ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(times, values) of a designed signal on a fine grid."""
    t = np.arange(t0, t1 + step_s / 2, step_s)
    return t, np.array([signal(float(x)) for x in t])


def first_time(signal: Callable[[float], float], predicate: Callable[[float], bool], t0: float,
               t1: float, step_s: float = 0.001) -> float:
    """The first time in [t0, t1] at which ``predicate(signal(t))`` holds (NaN if never)."""
    t, v = dense(signal, t0, t1, step_s)
    hits = np.flatnonzero([predicate(float(x)) for x in v])
    return float(t[hits[0]]) if hits.size else float("nan")


def last_time(signal: Callable[[float], float], predicate: Callable[[float], bool], t0: float,
              t1: float, step_s: float = 0.001) -> float:
    """The last time in [t0, t1] at which ``predicate(signal(t))`` holds (NaN if never)."""
    t, v = dense(signal, t0, t1, step_s)
    hits = np.flatnonzero([predicate(float(x)) for x in v])
    return float(t[hits[-1]]) if hits.size else float("nan")


def measure_of(figure: Figure) -> dict[str, float]:
    """The figure's angles by this module's own trigonometry (to check the figures themselves)."""
    j = figure.joints
    return {
        "hip_deg": 180.0 - turn_deg(j["shoulder"], j["hip"], j["knee"]),
        "knee_deg": inner_angle(j["hip"], j["knee"], j["ankle"]),
        # + when the hip is above the shoulder-ankle line (the body line turns clockwise at the
        # hip when walked from the shoulders to the feet)
        "alignment_deg": turn_deg(j["shoulder"], j["hip"], j["ankle"]),
        "head_drop_deg": -turn_deg(j["hip"], j["shoulder"], j["ear"]),
    }
