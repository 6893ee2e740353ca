"""Ground-truth files (``formcheck.truth/1``): building them and checking them. Pure numpy.

The schema and every definition are documented in ``samples/README.md``. Measured values
(angles, fault start and end times, rep peaks) come from the posed skeleton; only the scripted
intent (when a rep starts, when a fault begins to develop) comes from the animator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.measure.coverage import runs
from formcheck.synth import measures
from formcheck.synth.motion import (
    BRIDGE_OVER_ARCH_DEG,
    BRIDGE_PARTIAL_DEG,
    HEAD_DROP_DEG,
    KNEES_DOWN_KNEE_DEG,
    NO_PAUSE_S,
    PLANK_PIKE_DEG,
    PLANK_SAG_DEG,
    RUSHING_TRANSITION_S,
    SHALLOW_RANGE_SHARE,
    Motion,
)

SCHEMA = "formcheck.truth/1"
EXERCISES = ("glute_bridge", "plank", "cat_cow", "none")
FAULT_TYPES = (
    "hips_sagging",
    "hips_piked",
    "knees_down",
    "partial_rep",
    "over_arch",
    "head_dropping",
    "shallow_range",
    "no_pause",
    "rushing",
)
JOINT_NAMES = tuple(
    f"{s}_{j}" for j in ("shoulder", "hip", "knee", "ankle") for s in ("left", "right")
)
FRAME_SERIES = (
    "t_s",
    "hip_angle_deg",
    "knee_angle_deg",
    "plank_alignment_deg",
    "spinal_flexion_deg",
)
REQUIRED = (
    "schema",
    "video",
    "exercise",
    "fps",
    "width",
    "height",
    "frame_count",
    "duration_s",
    "camera_side",
    "render",
    "reps",
    "holds",
    "faults",
    "frames",
)
FloatArray = npt.NDArray[np.float64]


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def _runs(mask: npt.NDArray[np.bool_], t: FloatArray, dt: float) -> list[tuple[float, float]]:
    """Time intervals ``[start, end)`` where ``mask`` is true (end = last true frame + dt)."""
    return [(float(t[a]), float(t[b - 1] + dt)) for a, b in runs(mask)]


def camera_tilt_deg(position: npt.ArrayLike, target: npt.ArrayLike) -> float:
    """How far (deg) a camera at ``position`` aimed at ``target`` looks down (world z up).

    Example:
        >>> camera_tilt_deg((1.0, 0.0, 1.0), (0.0, 0.0, 0.0))
        45.0
    """
    pos, aim = np.asarray(position, float), np.asarray(target, float)
    return float(np.degrees(np.arctan2(pos[2] - aim[2], np.linalg.norm(pos[:2] - aim[:2]))))


def side_series(joints: Mapping[str, FloatArray], side: str) -> dict[str, FloatArray]:
    """Sagittal hip, knee and plank-alignment angles of one body side, per frame."""
    sh, hp, kn, an = (joints[f"{side}_{k}"] for k in ("shoulder", "hip", "knee", "ankle"))
    out = {
        "hip_angle_deg": measures.hip_angle(sh, hp, kn),
        "knee_angle_deg": measures.knee_angle(hp, kn, an),
        "plank_alignment_deg": measures.plank_alignment(sh, hp, an),
        "hip_angle_3d_deg": measures.angle_3d(sh, hp, kn),
    }
    ear = joints.get(f"{side}_ear")
    if ear is not None:
        out["head_deg"] = measures.head_angle(hp, sh, ear)
    return out


def build(
    motion: Motion,
    *,
    joints_world: Mapping[str, FloatArray],
    joints_px: Mapping[str, FloatArray],
    spinal_flexion: FloatArray,
    camera_side: str,
    video: str,
    fps: float,
    width: int,
    height: int,
    render: dict[str, Any],
) -> dict[str, Any]:
    """The truth dictionary of one clip (see samples/README.md)."""
    t = motion.t
    n = len(t)
    dt = 1.0 / fps
    series = side_series(joints_world, camera_side)
    hip, knee, align = (
        series[k] for k in ("hip_angle_deg", "knee_angle_deg", "plank_alignment_deg")
    )
    head = series.get("head_deg", np.full(n, np.nan))
    reps: list[dict[str, Any]] = []
    holds: list[dict[str, Any]] = []
    faults: list[dict[str, Any]] = []

    if motion.exercise == "glute_bridge":
        for rep in motion.reps:
            inside = (t >= rep["start_s"]) & (t <= rep["end_s"])
            k = int(np.flatnonzero(inside)[np.argmax(hip[inside])])
            peak = float(hip[k])
            top = (rep["top_start_s"] + rep["top_end_s"]) / 2
            entry = dict(
                index=rep["index"],
                start_s=_r(rep["start_s"]),
                peak_s=_r(top),
                end_s=_r(rep["end_s"]),
                top_hold_s=_r(rep["top_end_s"] - rep["top_start_s"]),
                peak_hip_angle_deg=_r(peak, 2),
                partial=bool(peak < BRIDGE_PARTIAL_DEG),
                over_arch=bool(peak > BRIDGE_OVER_ARCH_DEG),
            )
            reps.append(entry)
            if entry["partial"]:
                faults.append(
                    dict(
                        type="partial_rep",
                        rep=rep["index"],
                        onset_s=entry["start_s"],
                        start_s=entry["start_s"],
                        end_s=entry["end_s"],
                        threshold_deg=BRIDGE_PARTIAL_DEG,
                        worst_deg=entry["peak_hip_angle_deg"],
                    )
                )
            if entry["over_arch"]:
                for a, b in _runs(inside & (hip > BRIDGE_OVER_ARCH_DEG), t, dt):
                    faults.append(
                        dict(
                            type="over_arch",
                            rep=rep["index"],
                            onset_s=entry["start_s"],
                            start_s=_r(a),
                            end_s=_r(b),
                            threshold_deg=BRIDGE_OVER_ARCH_DEG,
                            worst_deg=entry["peak_hip_angle_deg"],
                        )
                    )

    elif motion.exercise == "plank":
        onsets = {f["type"]: f["onset_s"] for f in motion.faults}
        for h in motion.holds:
            inside = (t >= h["start_s"]) & (t < h["end_s"])
            kind = h["kind"]
            measure = align if kind == "plank" else 180.0 - hip
            sag = inside & (measure < PLANK_SAG_DEG)
            pike = inside & (measure > PLANK_PIKE_DEG)
            kneel = inside & (knee < KNEES_DOWN_KNEE_DEG) if kind == "plank" else inside & False
            drop = inside & (head > HEAD_DROP_DEG)
            good = inside & ~sag & ~pike & ~kneel & ~drop
            holds.append(
                dict(
                    start_s=_r(h["start_s"]),
                    end_s=_r(h["end_s"]),
                    duration_s=_r(h["end_s"] - h["start_s"]),
                    good_form_s=_r(good.sum() * dt),
                    kind=kind,
                )
            )
            for ftype, mask, thr, worst in (
                ("hips_sagging", sag, PLANK_SAG_DEG, np.min),
                ("hips_piked", pike, PLANK_PIKE_DEG, np.max),
                ("knees_down", kneel, KNEES_DOWN_KNEE_DEG, np.min),
                ("head_dropping", drop, HEAD_DROP_DEG, np.max),
            ):
                vals = {"knees_down": knee, "head_dropping": head}.get(ftype, measure)
                for a, b in _runs(mask, t, dt):
                    sel = (t >= a) & (t < b)
                    onset = onsets.get(ftype, a)
                    faults.append(
                        dict(
                            type=ftype,
                            onset_s=_r(min(onset, a)),
                            start_s=_r(a),
                            end_s=_r(b),
                            threshold_deg=thr,
                            worst_deg=_r(worst(vals[sel]), 2),
                        )
                    )

    elif motion.exercise == "cat_cow":
        good_range = float(motion.params["good_form_range_deg"])
        shallow_thr = SHALLOW_RANGE_SHARE * good_range
        for rd in motion.reps:
            inside = (t >= rd["start_s"]) & (t <= rd["end_s"])
            flex = float(spinal_flexion[inside].max())
            ext = float(spinal_flexion[inside].min())
            entry = dict(
                index=rd["index"],
                start_s=_r(rd["start_s"]),
                peak_s=_r(rd["peak_s"]),
                cow_s=_r(rd["cow_s"]),
                end_s=_r(rd["end_s"]),
                flexion_deg=_r(flex, 2),
                extension_deg=_r(ext, 2),
                range_deg=_r(flex - ext, 2),
                cat_pause_s=_r(rd["cat_pause_s"]),
                cow_pause_s=_r(rd["cow_pause_s"]),
            )
            reps.append(entry)
            base = dict(
                onset_s=entry["start_s"],
                start_s=entry["start_s"],
                end_s=entry["end_s"],
                round=rd["index"],
            )
            if flex - ext < shallow_thr:
                faults.append(
                    dict(
                        type="shallow_range",
                        threshold_deg=_r(shallow_thr, 2),
                        worst_deg=entry["range_deg"],
                        **base,
                    )
                )
            if min(rd["cat_pause_s"], rd["cow_pause_s"]) < NO_PAUSE_S:
                faults.append(
                    dict(
                        type="no_pause",
                        threshold_deg=None,
                        threshold_s=NO_PAUSE_S,
                        worst_deg=None,
                        worst_s=_r(min(rd["cat_pause_s"], rd["cow_pause_s"])),
                        **base,
                    )
                )
            moves = rd.get("move_s", [])
            if moves and min(moves) < RUSHING_TRANSITION_S:
                faults.append(
                    dict(
                        type="rushing",
                        threshold_deg=None,
                        threshold_s=RUSHING_TRANSITION_S,
                        worst_deg=None,
                        worst_s=_r(min(moves)),
                        **base,
                    )
                )

    frames: dict[str, Any] = {
        "t_s": [_r(x, 4) for x in t],
        "hip_angle_deg": [_r(x, 2) for x in hip],
        "knee_angle_deg": [_r(x, 2) for x in knee],
        "plank_alignment_deg": [_r(x, 2) for x in align],
        "spinal_flexion_deg": [_r(x, 2) for x in spinal_flexion],
        "head_deg": [_r(x, 2) for x in head],
        "hip_angle_3d_deg": [_r(x, 2) for x in series["hip_angle_3d_deg"]],
        "joints_px": {name: np.round(joints_px[name], 2).tolist() for name in JOINT_NAMES},
    }
    return {
        "schema": SCHEMA,
        "video": video,
        "exercise": motion.exercise,
        "activity": motion.activity,
        "fps": float(fps),
        "width": int(width),
        "height": int(height),
        "frame_count": n,
        "duration_s": _r(n / fps, 4),
        "camera_side": camera_side,
        "render": render,
        "thresholds": {
            "plank_sag_deg": PLANK_SAG_DEG,
            "plank_pike_deg": PLANK_PIKE_DEG,
            "bridge_partial_deg": BRIDGE_PARTIAL_DEG,
            "bridge_over_arch_deg": BRIDGE_OVER_ARCH_DEG,
            "knees_down_knee_deg": KNEES_DOWN_KNEE_DEG,
            "head_drop_deg": HEAD_DROP_DEG,
            "shallow_range_share": SHALLOW_RANGE_SHARE,
            "no_pause_s": NO_PAUSE_S,
            "rushing_transition_s": RUSHING_TRANSITION_S,
        },
        "reps": reps,
        "holds": holds,
        "faults": sorted(faults, key=lambda f: (f["start_s"], f["type"])),
        "frames": frames,
    }


def validate(truth: Mapping[str, Any]) -> list[str]:
    """Problems with a truth dictionary; an empty list means it is valid.

    Example:
        >>> validate({"schema": "formcheck.truth/1"})[:1]
        ['missing key: video']
    """
    errs: list[str] = []
    for key in REQUIRED:
        if key not in truth:
            errs.append(f"missing key: {key}")
    if errs:
        return errs
    if truth["schema"] != SCHEMA:
        errs.append(f"schema is {truth['schema']!r}")
    if truth["exercise"] not in EXERCISES:
        errs.append(f"unknown exercise {truth['exercise']!r}")
    if truth["camera_side"] not in ("left", "right"):
        errs.append(f"camera_side {truth['camera_side']!r}")
    n, fps, dur = truth["frame_count"], truth["fps"], truth["duration_s"]
    if not (isinstance(n, int) and n > 0 and fps > 0):
        errs.append("frame_count and fps must be positive")
        return errs
    if not math.isclose(dur, n / fps, abs_tol=1e-3):
        errs.append(f"duration_s {dur} != frame_count / fps")
    fr = truth["frames"]
    for key in FRAME_SERIES:
        if len(fr.get(key, [])) != n:
            errs.append(f"frames.{key} has {len(fr.get(key, []))} values, expected {n}")
    jp = fr.get("joints_px", {})
    for name in JOINT_NAMES:
        arr = np.asarray(jp.get(name, []), dtype=float)
        if arr.shape != (n, 2):
            errs.append(f"frames.joints_px.{name} has shape {arr.shape}, expected ({n}, 2)")
    ts = np.asarray(fr.get("t_s", []), float)
    if len(ts) == n and (np.any(np.diff(ts) <= 0) or ts[0] < 0):
        errs.append("frames.t_s must start at >= 0 and increase")

    def interval(what: str, item: Mapping[str, Any], a: str, b: str) -> None:
        if not (0 <= item[a] <= item[b] <= dur + 1e-6):
            errs.append(f"{what}: {a}={item[a]} {b}={item[b]} not ordered inside the clip")

    for i, rep in enumerate(truth["reps"]):
        if rep.get("index") != i + 1:
            errs.append(f"reps[{i}].index is {rep.get('index')}, expected {i + 1}")
        interval(f"reps[{i}]", rep, "start_s", "end_s")
        if not rep["start_s"] <= rep["peak_s"] <= rep["end_s"]:
            errs.append(f"reps[{i}].peak_s outside the rep")
        if truth["exercise"] == "cat_cow" and not rep["start_s"] <= rep["cow_s"] <= rep["end_s"]:
            errs.append(f"reps[{i}].cow_s outside the round")
        if i and rep["start_s"] < truth["reps"][i - 1]["end_s"] - 1e-6:
            errs.append(f"reps[{i}] starts before the previous one ends")
    if truth["exercise"] == "glute_bridge":
        for i, rep in enumerate(truth["reps"]):
            if rep["partial"] != (rep["peak_hip_angle_deg"] < BRIDGE_PARTIAL_DEG):
                errs.append(f"reps[{i}].partial disagrees with its peak angle")
        n_partial = sum(r["partial"] for r in truth["reps"])
        n_fault = sum(f["type"] == "partial_rep" for f in truth["faults"])
        if n_partial != n_fault:
            errs.append(f"{n_partial} partial reps but {n_fault} partial_rep faults")
    elif truth["exercise"] != "cat_cow" and truth["reps"]:
        errs.append(f"{truth['exercise']} clip has reps")
    for i, h in enumerate(truth["holds"]):
        interval(f"holds[{i}]", h, "start_s", "end_s")
        if not math.isclose(h["duration_s"], h["end_s"] - h["start_s"], abs_tol=2e-3):
            errs.append(f"holds[{i}].duration_s inconsistent")
        if not 0 <= h["good_form_s"] <= h["duration_s"] + 1.0 / fps:
            errs.append(f"holds[{i}].good_form_s outside [0, duration]")
        if h["kind"] not in ("plank", "knee_plank"):
            errs.append(f"holds[{i}].kind {h['kind']!r}")
    for i, f in enumerate(truth["faults"]):
        if f["type"] not in FAULT_TYPES:
            errs.append(f"faults[{i}].type {f['type']!r}")
        interval(f"faults[{i}]", f, "start_s", "end_s")
        if f["onset_s"] > f["start_s"] + 1e-6:
            errs.append(f"faults[{i}] onset after start")
    return errs
