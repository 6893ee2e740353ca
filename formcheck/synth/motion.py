"""Exercise animators: timelines of joint-angle channels plus what was meant to happen.

Pure numpy. An animator returns a :class:`Motion`: per-frame angle channels for
:class:`.body.Body` (and *targets*, measures the renderer solves the hip channel for), how the
body touches the floor, and the scripted events (reps, rounds, holds, fault onsets). The truth
file's measured values (angles, fault start/end times) are read back from the posed skeleton
by :mod:`.truth`, never copied from these scripts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Fault thresholds (degrees) used for the truth files. See samples/README.md.
PLANK_SAG_DEG = -10.0
PLANK_PIKE_DEG = 15.0
BRIDGE_PARTIAL_DEG = 165.0
BRIDGE_OVER_ARCH_DEG = 195.0
KNEES_DOWN_KNEE_DEG = 150.0
HEAD_DROP_DEG = 20.0
SHALLOW_RANGE_SHARE = 0.5
NO_PAUSE_S = 0.3
RUSHING_TRANSITION_S = 1.0


class Timeline:
    """Keyframed values eased with a half cosine between consecutive keys.

    Example:
        >>> tl = Timeline(0.0).to(1.0, 10.0).hold(0.5).to(1.0, 0.0)
        >>> tl.sample(np.array([0.0, 0.5, 1.0, 1.25, 2.5])).round(3).tolist()
        [0.0, 5.0, 10.0, 10.0, 0.0]
    """

    def __init__(self, value: float, t: float = 0.0) -> None:
        self.times = [t]
        self.values = [float(value)]

    @property
    def end(self) -> float:
        return self.times[-1]

    @property
    def last(self) -> float:
        return self.values[-1]

    def to(self, duration: float, value: float) -> Timeline:
        self.times.append(self.end + max(float(duration), 1e-6))
        self.values.append(float(value))
        return self

    def hold(self, duration: float) -> Timeline:
        return self.to(duration, self.last) if duration > 0 else self

    def hold_until(self, t: float) -> Timeline:
        return self.hold(t - self.end) if t > self.end else self

    def sample(self, t: FloatArray) -> FloatArray:
        times, values = np.asarray(self.times), np.asarray(self.values)
        i = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 2)
        t0, t1 = times[i], times[i + 1]
        u = np.clip((t - t0) / np.maximum(t1 - t0, 1e-9), 0.0, 1.0)
        w = 0.5 - 0.5 * np.cos(np.pi * u)
        out = values[i] + (values[i + 1] - values[i]) * w
        out = np.where(t >= times[-1], values[-1], out)
        return np.asarray(out, dtype=np.float64)


@dataclasses.dataclass
class Motion:
    """A scripted clip: angle channels over time and the intended events."""

    exercise: str  # "glute_bridge" | "plank" | "cat_cow" | "none"
    activity: str  # glute_bridge, plank, cat_cow, standing, lying
    t: FloatArray
    channels: dict[str, Any]
    #: hip_flex is solved per frame so that this measure hits these values (see truth.py)
    target_measure: str | None = None
    target: FloatArray | None = None
    #: per frame, the weight of ``target_measure`` against ``plank_alignment`` (a plank that
    #: changes from the knees to the toes: its line runs to the knee, then to the ankle)
    target_weight: FloatArray | None = None
    #: floor contacts: bone-name prefixes of the head-end and the foot-end contact regions
    contact_front: tuple[str, ...] = ()
    contact_back: tuple[str, ...] = ()
    base_pitch: float = 0.0
    #: bone heads kept at a fixed world y across the clip (averaged), e.g. the feet
    anchor: tuple[str, ...] = ("foot.L", "foot.R")
    reps: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    holds: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    faults: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: keep the horizontal distance between these two anchor groups constant (bridge feet)
    keep_feet_planted: bool = False

    @property
    def duration(self) -> float:
        return float(self.t[-1] + (self.t[1] - self.t[0] if len(self.t) > 1 else 0.0))


def frame_times(duration: float, fps: float) -> FloatArray:
    n = max(2, round(duration * fps))
    return np.arange(n, dtype=np.float64) / fps


def _wobble(rng: np.random.Generator, t: FloatArray, amp: float, period: float) -> FloatArray:
    """A slow smooth random drift (sum of two sines) of amplitude about ``amp``."""
    out = np.zeros_like(t)
    for k in (1.0, 2.3):
        phase = rng.uniform(0, 2 * np.pi)
        out += amp / k * np.sin(2 * np.pi * t * k / period + phase)
    return out


def _norm(v: Sequence[float]) -> tuple[float, float, float]:
    a = np.asarray(v, float)
    a = a / np.linalg.norm(a)
    return (float(a[0]), float(a[1]), float(a[2]))


# --------------------------------------------------------------------------------------------
# glute bridge
# --------------------------------------------------------------------------------------------
def glute_bridge(
    *,
    fps: float,
    reps: int = 8,
    lift_s: float = 1.2,
    lower_s: float = 1.5,
    top_hold_s: float = 1.0,
    rest_s: float = 1.0,
    lead_in_s: float = 1.5,
    top_deg: float = 180.0,
    partial_reps: Sequence[int] = (),
    partial_deg: float = 150.0,
    over_arch_reps: Sequence[int] = (),
    over_arch_deg: float = 203.0,
    rest_deg: float = 128.0,
    seed: int = 0,
) -> Motion:
    """Lying on the back, knees bent, feet flat; ``reps`` lifts of the hips.

    Rep numbers in ``partial_reps`` stop short (``partial_deg``); those in ``over_arch_reps``
    overshoot with an arched lower back (``over_arch_deg``). Angles are sagittal hip angles.
    """
    rng = np.random.default_rng(seed)
    hip = Timeline(rest_deg).hold(lead_in_s)
    spine = Timeline(0.0).hold(lead_in_s)
    script = []
    for k in range(1, reps + 1):
        top = top_deg + rng.uniform(-2.5, 2.5)
        arch = -4.0
        if k in partial_reps:
            top = partial_deg + rng.uniform(-3, 3)
        if k in over_arch_reps:
            top, arch = over_arch_deg + rng.uniform(-2, 2), -22.0
        lift = lift_s * rng.uniform(0.9, 1.1)
        lower = lower_s * rng.uniform(0.9, 1.1)
        start = hip.end
        hip.to(lift, top).hold(top_hold_s)
        spine.to(lift, arch).hold(top_hold_s)
        top_end = hip.end
        hip.to(lower, rest_deg + rng.uniform(-2, 2))
        spine.to(lower, 0.0)
        script.append(
            dict(
                index=k,
                start_s=start,
                top_start_s=start + lift,
                top_end_s=top_end,
                end_s=hip.end,
                partial=k in partial_reps,
                over_arch=k in over_arch_reps,
            )
        )
        hip.hold(rest_s * rng.uniform(0.8, 1.2))
        spine.hold_until(hip.end)
    hip.hold(1.0)
    t = frame_times(hip.end, fps)
    ch: dict[str, Any] = {
        "spine_flex": spine.sample(t),
        "neck_flex": 8.0 + _wobble(rng, t, 1.5, 7.0),
        "head_flex": 5.0 + spine.sample(t) * 0.3,
        "upperarm_w": _norm((0.28, -1.0, -0.06)),
        "forearm_w": _norm((0.12, -1.0, -0.05)),
        "hand_w": _norm((0.05, -1.0, -0.12)),
        "foot_w": None,  # set by the renderer from the reference foot (flat on the floor)
        "knee_flex_l": 100.0,
        "knee_flex_r": 100.0,
    }
    return Motion(
        exercise="glute_bridge",
        activity="glute_bridge",
        t=t,
        channels=ch,
        target_measure="hip_angle",
        target=hip.sample(t),
        contact_front=("spine01", "spine02", "clavicle", "shoulder01", "head", "neck"),
        contact_back=("foot", "toe"),
        base_pitch=-90.0,
        anchor=("upperarm01.L", "upperarm01.R"),
        reps=script,
        keep_feet_planted=True,
        params=dict(
            reps=reps,
            lift_s=lift_s,
            lower_s=lower_s,
            top_hold_s=top_hold_s,
            rest_s=rest_s,
            top_deg=top_deg,
            rest_deg=rest_deg,
            partial_reps=list(partial_reps),
            partial_deg=partial_deg,
            over_arch_reps=list(over_arch_reps),
            over_arch_deg=over_arch_deg,
        ),
    )


# --------------------------------------------------------------------------------------------
# forearm plank
# --------------------------------------------------------------------------------------------
#: Knee-plank set-up: hips back over the knees, the shoulder-hip-knee line this far from straight.
KNEE_PLANK_SETUP_DEG = 50.0
#: A knee plank going up onto the toes (``knees_up``) straightens the knees over this long (s).
KNEES_UP_S = 1.2


def plank(
    *,
    fps: float,
    duration: float = 20.0,
    setup_s: float = 2.0,
    fault: str = "none",
    fault_from_s: float = 10.0,
    fault_ramp_s: float = 5.0,
    sag_deg: float = -20.0,
    pike_deg: float = 26.0,
    knees_down_s: float = 4.0,
    head_drop_deg: float = 40.0,
    head_drop_s: float = 5.0,
    knee_plank: bool = False,
    seed: int = 0,
) -> Motion:
    """Forearm plank: kneel on the forearms, straighten into the plank, hold, come down.

    ``fault``: ``none``; ``sag`` (alignment eases to ``sag_deg`` from ``fault_from_s`` over
    ``fault_ramp_s``); ``pike`` (to ``pike_deg``); ``knees_down`` (knees bend to the floor at
    ``fault_from_s`` for ``knees_down_s``, then back up); ``head_drop`` (the neck bends
    ``head_drop_deg`` towards the floor at ``fault_from_s`` for ``head_drop_s``, then back).
    ``knee_plank`` holds on the knees; with ``fault="knees_up"`` it goes up onto the toes at
    ``fault_from_s`` (a progression: two holds, a knee plank and then a forearm plank).
    """
    if fault == "knees_up" and not knee_plank:
        raise ValueError("knees_up starts from a knee plank")
    rng = np.random.default_rng(seed)
    kneel_knee = 105.0
    # kneeling on the forearms: for a full plank the trunk already leans forward (the legs then
    # straighten); for a knee plank the hips start back over the knees and come forward into the
    # shoulder-hip-knee line, since kneeling with the trunk already in line is itself a knee plank
    kneel_align = KNEE_PLANK_SETUP_DEG if knee_plank else 8.0
    knee = Timeline(kneel_knee).hold(0.8)
    align = Timeline(kneel_align).hold(0.8)
    kind = "knee_plank" if knee_plank else "plank"
    hold_knee = 95.0 if knee_plank else 0.0
    knee.to(setup_s, hold_knee)
    align.to(setup_s, 0.0 + rng.uniform(-2, 2))
    hold_start = knee.end
    end_hold = duration - 1.8
    faults: list[dict[str, Any]] = []
    if fault in ("sag", "pike") and not knee_plank:
        worst = sag_deg if fault == "sag" else pike_deg
        align.hold_until(fault_from_s).to(fault_ramp_s, worst).hold_until(end_hold)
        faults.append(
            dict(type="hips_sagging" if fault == "sag" else "hips_piked", onset_s=fault_from_s)
        )
    elif fault == "knees_down" and not knee_plank:
        align.hold_until(end_hold)
        knee.hold_until(fault_from_s).to(1.2, 92.0).hold(knees_down_s).to(1.2, 0.0)
        faults.append(dict(type="knees_down", onset_s=fault_from_s))
    elif fault == "head_drop" and not knee_plank:
        faults.append(dict(type="head_dropping", onset_s=fault_from_s))
    elif fault == "knees_up":
        knee.hold_until(fault_from_s).to(KNEES_UP_S, 0.0)
    elif fault != "none":
        raise ValueError(f"plank fault {fault!r} not supported here")
    neck = Timeline(0.0).hold(0.8)
    if fault == "head_drop" and not knee_plank:
        neck.hold_until(fault_from_s).to(1.0, head_drop_deg).hold(head_drop_s).to(1.0, 0.0)
    align.hold_until(end_hold)
    knee.hold_until(end_hold)
    # come down: knees to the floor
    knee.to(1.2, kneel_knee).hold(0.6)
    on_toes = fault == "knees_up"
    align.to(1.2, kneel_align if knee_plank and not on_toes else 6.0).hold(0.6)
    t = frame_times(knee.end, fps)
    target = align.sample(t) + _wobble(rng, t, 1.0, 6.0) * (t > hold_start) * (t < end_hold)
    kn = knee.sample(t)
    spine = np.clip(target, -30, 30) * 0.35
    ch: dict[str, Any] = {
        "spine_flex": spine,
        "neck_flex": -12.0 + _wobble(rng, t, 2.0, 5.0) + 0.7 * neck.sample(t),
        "head_flex": -8.0 + 0.3 * neck.sample(t),
        "upperarm_w": _norm((0.02, -0.06, -1.0)),
        "forearm_w": _norm((-0.22, -1.0, -0.03)),
        "hand_w": _norm((-0.3, -1.0, -0.08)),
        "knee_flex_l": kn,
        "knee_flex_r": kn,
        "ankle_flex_l": 22.0 + 0.25 * kn,
        "ankle_flex_r": 22.0 + 0.25 * kn,
    }
    holds = [dict(start_s=hold_start, end_s=end_hold, kind=kind)]
    weight = None
    if on_toes:
        up = fault_from_s + KNEES_UP_S
        holds = [
            dict(start_s=hold_start, end_s=fault_from_s, kind="knee_plank"),
            dict(start_s=up, end_s=end_hold, kind="plank"),
        ]
        # the line runs to the knee while it is down, to the ankle once up on the toes (the
        # knee's bend from the hold's 95 deg to straight is the blend)
        weight = np.where(t < up, np.clip(kn / hold_knee, 0.0, 1.0), 0.0)
    return Motion(
        exercise="plank",
        activity="plank",
        t=t,
        channels=ch,
        target_measure="plank_alignment_knee" if knee_plank else "plank_alignment",
        target=target,
        target_weight=weight,
        contact_front=("lowerarm", "wrist", "finger", "metacarpal"),
        contact_back=("upperleg02", "lowerleg", "foot", "toe"),
        base_pitch=80.0,
        anchor=("lowerarm01.L", "lowerarm01.R"),
        holds=holds,
        faults=faults,
        params=dict(
            duration=duration,
            setup_s=setup_s,
            fault=fault,
            fault_from_s=fault_from_s,
            fault_ramp_s=fault_ramp_s,
            sag_deg=sag_deg,
            pike_deg=pike_deg,
            knees_down_s=knees_down_s,
            head_drop_deg=head_drop_deg,
            head_drop_s=head_drop_s,
            knee_plank=knee_plank,
        ),
    )


# --------------------------------------------------------------------------------------------
# cat-cow
# --------------------------------------------------------------------------------------------
def cat_cow(
    *,
    fps: float,
    rounds: int = 6,
    cat_deg: float = 30.0,
    cow_deg: float = -22.0,
    move_s: float = 1.6,
    pause_s: float = 1.0,
    amplitude: float = 1.0,
    lead_in_s: float = 1.5,
    shallow_rounds: Sequence[int] = (),
    shallow_amplitude: float = 0.35,
    cow_first: bool = False,
    seed: int = 0,
) -> Motion:
    """On hands and knees: ``rounds`` of rounding (cat) and arching (cow) the back.

    A round is a cat then a cow, or with ``cow_first`` a cow then a cat (``peak_s`` is always
    the cat's pause, ``cow_s`` the cow's)."""
    rng = np.random.default_rng(seed)
    spine = Timeline(0.0).hold(lead_in_s)
    script = []
    for k in range(1, rounds + 1):
        a = amplitude * (shallow_amplitude if k in shallow_rounds else 1.0)
        cat = cat_deg * a + rng.uniform(-2, 2)
        cow = cow_deg * a + rng.uniform(-2, 2)
        start = spine.end
        first = move_s * (0.6 if k == 1 else 1.0) * rng.uniform(0.9, 1.1)
        second = first
        ends = {}
        order = (("cow", cow), ("cat", cat)) if cow_first else (("cat", cat), ("cow", cow))
        for j, (name, angle) in enumerate(order):
            if j:
                second = move_s * rng.uniform(0.9, 1.1)
            spine.to(second, angle)
            pause = pause_s * rng.uniform(0.85, 1.15) if pause_s > 0 else 0.0
            ends[name] = (spine.end + pause / 2, pause)
            spine.hold(pause)
        (cat_peak, cat_pause), (cow_peak, cow_pause) = ends["cat"], ends["cow"]
        script.append(
            dict(
                index=k,
                start_s=start,
                peak_s=cat_peak,
                cow_s=cow_peak,
                end_s=spine.end,
                cat_pause_s=cat_pause,
                cow_pause_s=cow_pause,
                move_s=[second] if k == 1 else [first, second],
                shallow=k in shallow_rounds,
            )
        )
    spine.to(move_s * 0.7, 0.0).hold(1.2)
    t = frame_times(spine.end, fps)
    s = spine.sample(t)
    ch: dict[str, Any] = {
        "spine_flex": s,
        "neck_flex": 0.7 * s - 5.0,
        "head_flex": 0.35 * s,
        "upperarm_w": _norm((0.04, -0.3, -1.0)),
        "forearm_w": _norm((0.03, -0.12, -1.0)),
        "hand_w": _norm((0.0, -1.0, -0.25)),
        "thigh_w": _norm((0.03, 0.05, -1.0)),
        "shank_w": _norm((0.0, 1.0, -0.06)),
        "foot_w": _norm((0.0, 1.0, -0.45)),
    }
    return Motion(
        exercise="cat_cow",
        activity="cat_cow",
        t=t,
        channels=ch,
        contact_front=("wrist", "finger", "metacarpal"),
        contact_back=("lowerleg", "foot", "toe"),
        base_pitch=90.0,
        anchor=("lowerleg01.L", "lowerleg01.R"),
        reps=script,
        params=dict(
            rounds=rounds,
            cat_deg=cat_deg,
            cow_deg=cow_deg,
            move_s=move_s,
            pause_s=pause_s,
            amplitude=amplitude,
            shallow_rounds=list(shallow_rounds),
            shallow_amplitude=shallow_amplitude,
            cow_first=cow_first,
            good_form_range_deg=cat_deg - cow_deg,
        ),
    )


# --------------------------------------------------------------------------------------------
# not an exercise
# --------------------------------------------------------------------------------------------
def standing(*, fps: float, duration: float = 10.0, seed: int = 0) -> Motion:
    """Standing, shifting a little, arms hanging and now and then crossing."""
    rng = np.random.default_rng(seed)
    t = frame_times(duration, fps)
    arm = Timeline(0.0).hold(2.0)
    while arm.end < duration:
        arm.to(1.0, 1.0).hold(rng.uniform(1.5, 3.0)).to(1.0, 0.0).hold(rng.uniform(1.0, 3.0))
    a = arm.sample(t)[:, None]
    down, front = np.array(_norm((0.12, 0.0, -1.0))), np.array(_norm((0.1, -0.5, -1.0)))
    fore_down, fore_up = np.array(_norm((0.05, -0.1, -1.0))), np.array(_norm((-0.5, -1.0, 0.2)))
    ch: dict[str, Any] = {
        "spine_flex": 2.0 + _wobble(rng, t, 1.5, 6.0),
        "neck_flex": 3.0 + _wobble(rng, t, 4.0, 5.0),
        "hip_flex_l": 2.0 + _wobble(rng, t, 1.0, 7.0),
        "hip_flex_r": 2.0 + _wobble(rng, t, 1.0, 7.0),
        "knee_flex_l": 4.0,
        "knee_flex_r": 4.0,
        "upperarm_w": (1 - a) * down + a * front,
        "forearm_w": (1 - a) * fore_down + a * fore_up,
    }
    return Motion(
        exercise="none",
        activity="standing",
        t=t,
        channels=ch,
        contact_back=("foot", "toe"),
        base_pitch=0.0,
        params=dict(duration=duration),
    )


def lying(*, fps: float, duration: float = 10.0, seed: int = 0) -> Motion:
    """Lying still on the back, legs straight, arms by the sides, breathing."""
    rng = np.random.default_rng(seed)
    t = frame_times(duration, fps)
    ch: dict[str, Any] = {
        "spine_flex": 1.5 * np.sin(2 * np.pi * t / 4.5) - 2.0,
        "neck_flex": 10.0 + _wobble(rng, t, 2.0, 8.0),
        "hip_flex_l": 0.0,
        "hip_flex_r": 0.0,
        "ankle_flex_l": 30.0,
        "ankle_flex_r": 30.0,
        "upperarm_w": _norm((0.28, -1.0, -0.06)),
        "forearm_w": _norm((0.12, -1.0, -0.05)),
        "hand_w": _norm((0.05, -1.0, -0.12)),
    }
    return Motion(
        exercise="none",
        activity="lying",
        t=t,
        channels=ch,
        contact_front=("spine", "clavicle", "shoulder01", "head", "neck", "pelvis"),
        contact_back=("lowerleg", "foot", "upperleg"),
        base_pitch=-90.0,
        anchor=("upperarm01.L", "upperarm01.R"),
        params=dict(duration=duration),
    )
