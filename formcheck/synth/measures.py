"""True body measures from joint centres, as written into the truth files.

All angles are measured in the body's sagittal plane: the joints are projected onto the plane
normal to the body's left-right axis (the world x axis in :mod:`.body`'s world frame), which is
what an ideal side camera sees. This makes a straight line read 180 degrees even though a
person's shoulder joints sit wider than their hip joints (the 3-D shoulder-hip-knee angle of a
person standing straight is only about 165 degrees).

* ``hip_angle``: the angle at the hip between shoulder and knee, measured on the front
  (anterior) side of the body: 180 = straight, smaller = hip flexed, above 180 = hip extended
  past straight (an over-arched bridge).
* ``knee_angle``: the angle at the knee between hip and ankle on the back side of the leg:
  180 = straight, smaller = bent.
* ``plank_alignment``: ``180 - (anterior angle shoulder-hip-ankle)``; negative when the hips
  drop towards the front of the body (sag, towards the floor in a plank), positive when they
  rise (pike).

Points are ``(..., 3)`` world coordinates ``(x, y, z)``; the body's front at ``pitch`` is
``R_x(pitch) (0, -1, 0)``, which keeps the sign conventions independent of how the body lies.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _phi(v: FloatArray) -> FloatArray:
    return np.degrees(np.arctan2(v[..., 2], v[..., 1]))


def anterior_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Sagittal angle at ``b`` from ``a`` to ``c`` swept through the front of the body, degrees.

    Example:
        >>> import numpy as np
        >>> up, mid, down = np.array([0, 0, 1.0]), np.zeros(3), np.array([0, 0, -1.0])
        >>> float(anterior_angle(up, mid, down))
        180.0
    """
    return np.mod(_phi(c - b) - _phi(a - b), 360.0)


def hip_angle(shoulder: FloatArray, hip: FloatArray, knee: FloatArray) -> FloatArray:
    """Sagittal hip angle (front side); 180 = shoulder, hip and knee in a line."""
    return anterior_angle(shoulder, hip, knee)


def knee_angle(hip: FloatArray, knee: FloatArray, ankle: FloatArray) -> FloatArray:
    """Sagittal knee angle (back side); 180 = straight leg."""
    return 360.0 - anterior_angle(hip, knee, ankle)


def plank_alignment(shoulder: FloatArray, hip: FloatArray, ankle: FloatArray) -> FloatArray:
    """Signed ``180 - shoulder-hip-ankle`` angle: negative = sag, positive = pike."""
    return 180.0 - anterior_angle(shoulder, hip, ankle)


def angle_3d(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Unsigned 3-D angle at ``b`` between ``a`` and ``c``, degrees."""
    u, v = a - b, c - b
    cos = np.einsum("...i,...i->...", u, v) / (
        np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1)
    )
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def head_angle(hip: FloatArray, shoulder: FloatArray, ear: FloatArray) -> FloatArray:
    """Signed ``180 - ear-shoulder-hip`` angle: positive when the head hangs towards the front
    of the body (the floor, in a plank), negative when it is raised behind the trunk line."""
    return 180.0 - anterior_angle(ear, shoulder, hip)
