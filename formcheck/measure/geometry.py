"""Small vectorised geometry on image points, for one frame or a (T, ...) stack.

Conventions (pixels, image y pointing down; "up" is -y, away from the floor for a level camera):

* :func:`joint_angle` — the unsigned angle at ``b`` between ``a`` and ``c``, 0..180 deg.
* :func:`line_offset` — signed distance of ``p`` from the line ``a``-``c``: positive when ``p``
  lies **above** the line (towards image-up), negative below (towards the floor).
* :func:`signed_straightness` — the signed deviation from a straight line at ``b``:
  ``180 - joint_angle(a, b, c)``, positive when ``b`` is above the line ``a``-``c``, negative
  below. For a plank with (shoulder, hip, ankle): negative = hips sag, positive = hips piked.
* :func:`extension_angle` — ``180 + signed_straightness``: 180 deg is a straight line, below 180
  the joint is flexed towards the floor side, above 180 it is bent past straight. For a glute
  bridge with (shoulder, hip, knee) this is the hip angle: ~130 lying, 180 at a straight top,
  >180 over-arched.
* :func:`incline` — angle of the vector ``a -> b`` above the horizontal, -90..90 deg, positive
  when ``b`` is higher in the image than ``a``; :func:`tilt` is its absolute value.
* :func:`bend_from_profile` — the total turning angle of a curve sampled along a back outline,
  positive when it bulges up (a rounded back, "cat"), negative when it sags ("cow").

Missing points (NaN) give NaN results; nothing raises on NaN.

Example:
    >>> import numpy as np
    >>> round(float(joint_angle(np.array([0., 0.]), np.array([1., 0.]), np.array([1., 1.]))), 1)
    90.0
    >>> a, b, c = np.array([0.0, 0.0]), np.array([1.0, 0.1]), np.array([2.0, 0.0])
    >>> round(float(signed_straightness(a, b, c)), 1)
    -11.4
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating]


def _xy(p: npt.ArrayLike) -> Array:
    return np.asarray(p, dtype=np.float64)[..., :2]


def _points(*values: npt.ArrayLike) -> bool:
    """True when every value is one point (a 1-D array): the per-frame case, done with plain
    float arithmetic (numpy's per-call overhead is most of the cost on one point)."""
    return all(type(v) is np.ndarray and v.ndim == 1 for v in values)


def _one(value: float) -> Array:
    """A per-frame result, as numpy gives it for one point (a float64 scalar)."""
    return np.float64(value)  # type: ignore[return-value]


def _joint_angle1(a: Any, b: Any, c: Any) -> float:
    ux, uy = float(a[0]) - float(b[0]), float(a[1]) - float(b[1])
    vx, vy = float(c[0]) - float(b[0]), float(c[1]) - float(b[1])
    return math.degrees(abs(math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)))


def _line_offset1(a: Any, p: Any, c: Any) -> float:
    dx, dy = float(c[0]) - float(a[0]), float(c[1]) - float(a[1])
    length = math.hypot(dx, dy)
    nx, ny = -dy, dx
    if ny > 0:
        nx, ny = -nx, -ny
    wx, wy = float(p[0]) - float(a[0]), float(p[1]) - float(a[1])
    if not length > 0:
        return math.nan
    return (wx * nx + wy * ny) / length


def joint_angle(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """Unsigned angle at ``b`` between ``b->a`` and ``b->c``, in degrees (0..180)."""
    if _points(a, b, c):
        return _one(_joint_angle1(a, b, c))
    u = _xy(a) - _xy(b)
    v = _xy(c) - _xy(b)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def line_offset(a: npt.ArrayLike, p: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """Signed distance (px) of ``p`` from the line through ``a`` and ``c``; + = above the line."""
    if _points(a, p, c):
        return _one(_line_offset1(a, p, c))
    a2, p2, c2 = _xy(a), _xy(p), _xy(c)
    d = c2 - a2
    length = np.hypot(d[..., 0], d[..., 1])
    # normal pointing up (towards -y) whatever the direction of a->c
    nx, ny = -d[..., 1], d[..., 0]
    flip = np.where(ny > 0, -1.0, 1.0)
    nx, ny = nx * flip, ny * flip
    w = p2 - a2
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w[..., 0] * nx + w[..., 1] * ny) / length


def signed_straightness(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """Signed deviation from straight at ``b`` (deg); + when ``b`` is above the line ``a``-``c``."""
    if _points(a, b, c):
        offset = _line_offset1(a, b, c)
        sign = -1.0 if offset < 0 else 1.0 if offset >= 0 else math.nan
        return _one((180.0 - _joint_angle1(a, b, c)) * sign)
    deviation = 180.0 - joint_angle(a, b, c)
    side = np.sign(line_offset(a, b, c))
    return deviation * np.where(side == 0, 1.0, side)


def extension_angle(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """180 + :func:`signed_straightness`: < 180 flexed towards the floor, > 180 past straight."""
    return 180.0 + signed_straightness(a, b, c)


def incline(a: npt.ArrayLike, b: npt.ArrayLike) -> Array:
    """Angle of ``a->b`` above the image horizontal in degrees (-90..90), + when ``b`` is higher."""
    if _points(a, b):
        pa, pb = np.asarray(a), np.asarray(b)
        dx, dy = float(pb[0]) - float(pa[0]), float(pb[1]) - float(pa[1])
        return _one(math.degrees(math.atan2(-dy, abs(dx))))
    d = _xy(b) - _xy(a)
    return np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0])))


def tilt(a: npt.ArrayLike, b: npt.ArrayLike) -> Array:
    """Absolute angle of the segment ``a``-``b`` from the horizontal, 0..90 deg."""
    return np.abs(incline(a, b))


def distance(a: npt.ArrayLike, b: npt.ArrayLike) -> Array:
    """Euclidean distance between image points."""
    d = _xy(a) - _xy(b)
    return np.hypot(d[..., 0], d[..., 1])


def bend_from_profile(points: npt.ArrayLike) -> float:
    """Total turning angle (deg) of a curve through ``points`` (K, 2), + when it bulges up.

    A quadratic is fitted to the points in the frame of their chord (first to last point), so
    the result does not depend on how the curve is oriented in the image; the bend is the angle
    between the fitted curve's tangents at its two ends. For a circular arc this is the arc's
    central angle, and it equals the total flexion of a spine whose back surface follows it (a
    parallel curve turns by the same angle). NaN when fewer than 5 points are valid.
    """
    pts = np.asarray(points, dtype=np.float64)
    ok = np.isfinite(pts).all(axis=1)
    pts = pts[ok]
    if pts.shape[0] < 5:
        return float("nan")
    start, end = pts[0], pts[-1]
    chord = end - start
    length = float(np.hypot(*chord))
    if length < 1e-6:
        return float("nan")
    ux = chord / length
    uy = np.array([-ux[1], ux[0]])
    if uy[1] > 0:  # make the chord's normal point up in the image (-y)
        uy = -uy
    local = pts - start
    s = local @ ux
    h = local @ uy
    a, b, _c = np.polyfit(s, h, 2)
    s0, s1 = float(s.min()), float(s.max())
    slope0 = 2 * a * s0 + b
    slope1 = 2 * a * s1 + b
    # bulging up means the slope falls along the chord: positive bend
    return float(np.degrees(np.arctan(slope0) - np.arctan(slope1)))


def _cross(a: Array, b: Array) -> Array:
    """Cross product over the last axis (size 3): np.cross's arithmetic without its overhead
    (a tenth of the time on one frame's vectors)."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)


def _sagittal_angle1(a: Any, b: Any, c: Any, lateral: Any) -> float:
    ux, uy, uz = (float(v) for v in lateral)
    n = math.sqrt(ux * ux + uy * uy + uz * uz)
    if not n > 0:
        return math.nan
    ux, uy, uz = ux / n, uy / n, uz / n
    bx, by, bz = float(b[0]), float(b[1]), float(b[2])
    ax, ay, az = float(a[0]) - bx, float(a[1]) - by, float(a[2]) - bz
    cx, cy, cz = float(c[0]) - bx, float(c[1]) - by, float(c[2]) - bz
    da = ax * ux + ay * uy + az * uz
    ax, ay, az = ax - da * ux, ay - da * uy, az - da * uz
    dc = cx * ux + cy * uy + cz * uz
    cx, cy, cz = cx - dc * ux, cy - dc * uy, cz - dc * uz
    s = (ay * cz - az * cy) * ux + (az * cx - ax * cz) * uy + (ax * cy - ay * cx) * uz
    d = ax * cx + ay * cy + az * cz
    return math.degrees(math.atan2(s, d)) % 360.0


def sagittal_angle(
    a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike, lateral: npt.ArrayLike
) -> Array:
    """Angle at ``b`` from ``b->a`` to ``b->c`` in the body's sagittal plane, 0..360 deg.

    The points are 3-D (metres); ``lateral`` is the body's lateral axis, pointing from the
    right side to the left side (left hip minus right hip). Both vectors are projected onto the
    plane normal to it and the angle is measured about it (right-hand rule), so it does not
    depend on where the camera stands. For (shoulder, hip, knee) this is the hip angle: 180 =
    straight, below 180 = hip flexed, above 180 = hip extended past straight.
    """
    if _points(a, b, c, lateral):
        return _one(_sagittal_angle1(a, b, c, lateral))
    u = np.asarray(lateral, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    va = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    vc = np.asarray(c, np.float64) - np.asarray(b, np.float64)
    va = va - (va * u).sum(axis=-1, keepdims=True) * u
    vc = vc - (vc * u).sum(axis=-1, keepdims=True) * u
    s = (_cross(va, vc) * u).sum(axis=-1)
    d = (va * vc).sum(axis=-1)
    return np.mod(np.degrees(np.arctan2(s, d)), 360.0)


def angle_3d(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """Unsigned 3-D angle at ``b`` between ``b->a`` and ``b->c``, 0..180 deg."""
    va = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    vc = np.asarray(c, np.float64) - np.asarray(b, np.float64)
    cross = np.linalg.norm(_cross(va, vc), axis=-1)
    return np.degrees(np.arctan2(cross, (va * vc).sum(axis=-1)))
