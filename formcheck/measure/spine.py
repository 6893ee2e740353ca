"""The back's outline from the person's segmentation mask, for measuring spinal flexion.

MediaPipe has no spine landmarks. On hands and knees, seen from the side, the back is the upper
edge of the person's silhouette between the shoulders and the hips. :func:`back_profile` samples
that edge at ``POINTS`` places: from each point of the shoulder-hip axis it walks "up" (away from
the floor, perpendicular to the axis) through the mask and keeps the outermost person pixel.
:func:`formcheck.measure.geometry.bend_from_profile` then turns the profile into a bend angle: the
angle between the outline's tangents at its two ends. A back that bends by some angle turns its
surface by the same angle (a parallel curve has the same tangents), so the bend estimates the
total thoraco-lumbar flexion (+, rounded, "cat") or extension (-, arched, "cow") between the
shoulder blades and the sacrum, plus the resting shape of the back (the neutral offset, which
the cat-cow analyzer removes).

Example:
    >>> import numpy as np
    >>> mask = np.zeros((100, 200), np.float32); mask[40:80, 20:180] = 1
    >>> pose = np.full((33, 4), np.nan, np.float32)
    >>> pose[11] = pose[12] = [40, 60, 0, 1]; pose[23] = pose[24] = [160, 60, 0, 1]
    >>> profile = back_profile(mask, pose)
    >>> round(float(np.nanmean(profile[:, 1])))
    40
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from formcheck.measure.geometry import bend_from_profile
from formcheck.pose.landmarks import Landmark

#: Samples along the back.
POINTS = 24
#: Part of the shoulder->hip axis sampled (avoids the neck and the buttocks).
SPAN = (0.08, 0.92)


def _mid(
    pose: npt.NDArray[np.float32], a: Landmark, b: Landmark, min_vis: float
) -> npt.NDArray[np.float64]:
    pts = [pose[i, :2] for i in (a, b) if np.isfinite(pose[i, :2]).all() and pose[i, 3] >= min_vis]
    if not pts:
        return np.full(2, np.nan)
    return np.mean(np.asarray(pts, np.float64), axis=0)


def spinal_bend(profile: npt.NDArray[np.floating] | None) -> float:
    """Estimated total spinal flexion (deg, + rounded) between the shoulder and hip levels.

    The outline is sampled over the part ``SPAN`` of the shoulder-hip axis; under a
    constant-curvature model the turning angle grows with arc length, so the bend measured over
    the sample is scaled to the whole span.
    """
    if profile is None:
        return float("nan")
    return bend_from_profile(profile) / (SPAN[1] - SPAN[0])


def back_profile(
    mask: npt.NDArray[np.floating],
    pose: npt.NDArray[np.float32],
    *,
    min_visibility: float = 0.3,
    threshold: float = 0.5,
) -> npt.NDArray[np.float32]:
    """(POINTS, 2) pixel positions of the back's outline, NaN where not found.

    Args:
        mask: HxW person probability in [0, 1] (MediaPipe's segmentation mask).
        pose: (33, 4) image landmarks in pixels with visibility.
        min_visibility: Shoulders and hips below this are ignored.
        threshold: Mask level that counts as the person.
    """
    out = np.full((POINTS, 2), np.nan, np.float32)
    shoulder = _mid(pose, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, min_visibility)
    hip = _mid(pose, Landmark.LEFT_HIP, Landmark.RIGHT_HIP, min_visibility)
    if not (np.isfinite(shoulder).all() and np.isfinite(hip).all()):
        return out
    axis = hip - shoulder
    length = float(np.hypot(*axis))
    if length < 8:
        return out
    unit = axis / length
    normal = np.array([unit[1], -unit[0]])
    if normal[1] > 0:  # point up in the image, away from the floor
        normal = -normal
    height, width = mask.shape[:2]
    steps = np.arange(0, int(0.9 * length) + 1, dtype=np.float64)
    fractions = np.linspace(*SPAN, POINTS)
    base = shoulder[None, :] + fractions[:, None] * axis[None, :]  # (K, 2)
    rays = base[:, None, :] + steps[None, :, None] * normal[None, None, :]  # (K, M, 2)
    xs = np.round(rays[..., 0]).astype(int)
    ys = np.round(rays[..., 1]).astype(int)
    inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
    values = np.zeros(xs.shape, np.float32)
    values[inside] = mask[ys[inside], xs[inside]]
    outside = values < threshold
    edge = np.argmax(outside, axis=1)  # first step outside the person along each ray
    # an outline point where the ray starts on the person (the axis point itself is on the
    # body) and leaves it within the search range (a clear edge)
    found = ~outside[:, 0] & outside.any(axis=1)
    rows = np.flatnonzero(found)
    out[rows] = rays[rows, edge[rows] - 1] + 0.5 * normal
    return out
