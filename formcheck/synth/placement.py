"""Solve a scripted motion into a posed body resting on the floor (needs the synth extra).

For every frame: the hip flexion is solved so that the script's target measure (the bridge's
hip angle, the plank's alignment) is met exactly on the posed skeleton; the body's pitch is
solved so that its front and back contact regions (e.g. forearms and toes) touch the floor
together; the lowest contact vertex is put at ``z = 0``; the anchor joints keep their place on
the mat; in a bridge the knee is solved so that the feet stay planted while the hips rise.
Limbs aimed in world directions (arms, thighs) depend on the pitch, so the steps repeat until
they agree.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.synth import measures
from formcheck.synth.body import Body, to_world
from formcheck.synth.motion import Motion

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]


@dataclasses.dataclass
class Placed:
    """A motion solved onto a body, in world coordinates."""

    vertices: npt.NDArray[np.float32]  # (N, V, 3)
    heads: FloatArray  # (N, B, 3)
    pitch: FloatArray  # (N,)
    shift: FloatArray  # (N, 3)
    channels: dict[str, Any]
    contact_gap_m: FloatArray  # (N, 2): lowest front / back contact height above the floor


def _measure(
    body: Body, heads: FloatArray, name: str, weight: FloatArray | None = None
) -> FloatArray:
    """The measure ``name`` per frame (both sides' mean); with ``weight``, that share of it
    and the rest of ``plank_alignment`` (a plank changing from the knees to the toes)."""
    if weight is not None:
        own = _measure(body, heads, name)
        return weight * own + (1.0 - weight) * _measure(body, heads, "plank_alignment")
    j = body.joints(heads)
    vals = []
    for side in ("left", "right"):
        sh, hp, kn, an = (j[f"{side}_{k}"] for k in ("shoulder", "hip", "knee", "ankle"))
        if name == "hip_angle":
            vals.append(measures.hip_angle(sh, hp, kn))
        elif name == "plank_alignment":
            vals.append(measures.plank_alignment(sh, hp, an))
        elif name == "plank_alignment_knee":
            vals.append(measures.plank_alignment(sh, hp, kn))
        else:
            raise ValueError(name)
    return np.mean(vals, axis=0)


def _solve_hip(
    body: Body,
    ch: dict[str, Any],
    n: int,
    name: str,
    target: FloatArray,
    weight: FloatArray | None = None,
) -> FloatArray:
    """Hip flexion per frame so that the measure ``name`` (blended by ``weight``, see
    :func:`_measure`) equals ``target`` (secant)."""
    slope = -1.0 if name == "hip_angle" else 1.0
    x0 = np.zeros(n)

    def f(x: FloatArray) -> FloatArray:
        c = dict(ch, hip_flex_l=x, hip_flex_r=x)
        heads = body.pose(c, n, with_vertices=False).heads
        return _measure(body, heads, name, weight) - target

    y0 = f(x0)
    x1 = x0 - y0 / slope
    for _ in range(8):
        y1 = f(x1)
        if np.max(np.abs(y1)) < 0.01:
            break
        dx = x1 - x0
        s = np.where(np.abs(dx) > 1e-6, (y1 - y0) / np.where(dx == 0, 1, dx), slope)
        s = np.where(np.abs(s) < 0.2, slope, s)
        x0, y0 = x1, y1
        x1 = x1 - y1 / s
    log.debug("hip solve residual %.4f deg", float(np.max(np.abs(y1))))
    return x1


def _solve_pitch(
    vb: FloatArray, front: npt.NDArray[np.int64], back: npt.NDArray[np.int64], guess: FloatArray
) -> FloatArray:
    """Pitch per frame making the lowest front and back contact vertices equally high."""
    yf, zf = vb[:, front, 1], vb[:, front, 2]
    yb, zb = vb[:, back, 1], vb[:, back, 2]

    def f(p: FloatArray) -> FloatArray:
        s, c = np.sin(np.radians(p))[:, None], np.cos(np.radians(p))[:, None]
        return (s * yf + c * zf).min(1) - (s * yb + c * zb).min(1)

    # bracket the root nearest the guess
    offsets = np.arange(0.0, 45.0, 1.5)
    lo = np.full(len(guess), np.nan)
    hi = np.full(len(guess), np.nan)
    f0 = f(guess)
    for d in offsets[1:]:
        for sgn in (-1.0, 1.0):
            p = guess + sgn * d
            fp = f(p)
            found = np.isnan(lo) & (np.sign(fp) != np.sign(f0))
            lo = np.where(found, np.minimum(p, p - sgn * 1.5), lo)
            hi = np.where(found, np.maximum(p, p - sgn * 1.5), hi)
        if not np.isnan(lo).any():
            break
    if np.isnan(lo).any():
        raise RuntimeError(
            "could not place the body on the floor (no pitch touches both contact regions)"
        )
    flo = f(lo)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        left = np.sign(fm) == np.sign(flo)
        lo, flo = np.where(left, mid, lo), np.where(left, fm, flo)
        hi = np.where(left, hi, mid)
    return 0.5 * (lo + hi)


def place(body: Body, motion: Motion, *, iterations: int = 4) -> Placed:
    """Solve ``motion`` onto ``body`` (see the module docstring)."""
    n = len(motion.t)
    ch = {k: v for k, v in motion.channels.items() if v is not None}
    if "foot_w" in motion.channels and motion.channels["foot_w"] is None:
        ft = body.toe_tip("l") - body.head("foot.L")
        ch["foot_w"] = ft / np.linalg.norm(ft)
    front = body.vertices_of(*motion.contact_front) if motion.contact_front else None
    back = body.vertices_of(*motion.contact_back)
    pitch = np.full(n, float(motion.base_pitch))
    knee = np.asarray(np.broadcast_to(ch.get("knee_flex_l", 0.0), (n,)), float).copy()
    d_target: float | None = None
    prev: tuple[FloatArray, FloatArray] | None = None
    for it in range(iterations):
        ch["pitch"] = pitch
        if motion.keep_feet_planted:
            ch["knee_flex_l"] = ch["knee_flex_r"] = knee
        if motion.target_measure is not None and motion.target is not None:
            hip = _solve_hip(
                body, ch, n, motion.target_measure, motion.target, motion.target_weight
            )
            ch["hip_flex_l"] = ch["hip_flex_r"] = hip
        posed = body.pose(ch, n)
        if front is not None:
            pitch = _solve_pitch(posed.vertices, front, back, pitch)
        if motion.keep_feet_planted:
            heads_w = to_world(posed.heads, pitch, np.zeros((n, 3)))
            j = body.joints(heads_w)
            d = (
                j["left_ankle"][:, 1]
                + j["right_ankle"][:, 1]
                - j["left_shoulder"][:, 1]
                - j["right_shoulder"][:, 1]
            ) / 2
            if d_target is None:
                d_target = float(d[0])
            err = d - d_target
            if prev is None:
                slope = np.full(n, 0.0065)  # metres of heel travel per degree of knee flexion
            else:
                dk = knee - prev[0]
                slope = np.where(
                    np.abs(dk) > 1e-4, (d - prev[1]) / np.where(dk == 0, 1, dk), 0.0065
                )
                slope = np.where(np.abs(slope) < 1e-3, 0.0065, slope)
            prev = (knee.copy(), d)
            if it < iterations - 1:
                knee = knee - err / slope
            log.debug("feet drift %.4f m", float(np.max(np.abs(err))))
    ch["pitch"] = pitch
    # final world placement
    zero = np.zeros((n, 3))
    verts = to_world(posed.vertices, pitch, zero)
    heads = to_world(posed.heads, pitch, zero)
    del posed
    contact = back if front is None else np.union1d(front, back)
    shift = np.zeros((n, 3))
    shift[:, 2] = -verts[:, contact, 2].min(1)
    anchor = np.mean([heads[:, body.index[b], 1] for b in motion.anchor], axis=0)
    shift[:, 1] = -anchor
    verts += shift[:, None, :].astype(verts.dtype)
    heads += shift[:, None, :]
    # centre the whole clip's body on the mat (y = 0)
    centre = 0.5 * (float(verts[..., 1].min()) + float(verts[..., 1].max()))
    verts[..., 1] -= centre
    heads[..., 1] -= centre
    shift[:, 1] -= centre
    gap = np.stack(
        [
            verts[:, front, 2].min(1) if front is not None else np.zeros(n),
            verts[:, back, 2].min(1),
        ],
        axis=1,
    )
    return Placed(
        vertices=verts.astype(np.float32, copy=False),
        heads=heads,
        pitch=pitch,
        shift=shift,
        channels=ch,
        contact_gap_m=gap,
    )
