"""Pose the anny body from anatomical joint angles (needs the ``synth`` extra: torch, anny).

Frames and conventions:

* **Body frame** = anny's frame: z up, the body faces -y, its left side is +x, the root sits
  between the hip joints. Identity deltas give anny's *reference* pose (standing, arms in an A).
* anny's default ``local-ref`` pose parameterisation expresses each bone's delta rotation in
  world-aligned axes, composed down the chain: a bone's accumulated rotation is
  ``G_child = G_parent @ D_child``. All sagittal motions here are rotations about the body's
  x axis, so sagittal angles add exactly.
* **World frame**: z up, the floor is ``z = 0``, the body lies along the y axis and the camera
  looks at it from the +x (body's left) or -x (body's right) side. A clip places the body with a
  rotation ``pitch`` about x followed by a translation: ``x_world = R_x(pitch) x_body + t``.
  ``pitch = 0`` stands, ``+90`` lies face down (head towards -y), ``-90`` lies face up
  (head towards +y).

Angle channels (degrees, per frame), all relative to the reference pose:

``spine_flex`` total sagittal flexion spread over spine05..spine01 (+ rounds the back, - arches);
``neck_flex`` spread over neck01..neck03 and ``head_flex`` at the head (+ chin to chest);
``hip_flex_l/_r`` (+ thigh towards the chest); ``knee_flex_l/_r`` (+ heel towards the buttock);
``ankle_flex_l/_r`` (+ plantar flexion, toes away from the shin).
Arms and, optionally, thighs, shanks, feet and hands are *aimed*: a unit direction in world
axes per frame (``upperarm_w``, ``forearm_w``, ``hand_w``, ``thigh_w``, ``shank_w``, ``foot_w``),
reached with the smallest rotation from the reference segment direction; the side's x component
is mirrored for the right limb.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

SPINE_BONES = ("spine05", "spine04", "spine03", "spine02", "spine01")
SPINE_WEIGHTS = (0.16, 0.22, 0.22, 0.22, 0.18)
NECK_BONES = ("neck01", "neck02", "neck03")
NECK_WEIGHTS = (0.4, 0.35, 0.25)

#: Joint centres matching MediaPipe's shoulder, hip, knee and ankle: anny bone heads.
JOINT_BONES: dict[str, str] = {
    "shoulder": "upperarm01",
    "elbow": "lowerarm01",
    "wrist": "wrist",
    "hip": "upperleg01",
    "knee": "lowerleg01",
    "ankle": "foot",
}

#: Body shapes (anny phenotype parameters, each in [0, 1]).
BODIES: dict[str, dict[str, float]] = {
    "average": dict(gender=0.5, age=0.5, muscle=0.5, weight=0.5, height=0.5, proportions=0.5),
    "female_slim": dict(gender=1.0, age=0.45, muscle=0.4, weight=0.3, height=0.45, proportions=0.6),
    "male_tall": dict(gender=0.0, age=0.5, muscle=0.65, weight=0.5, height=0.85, proportions=0.5),
    "female_heavy": dict(
        gender=0.9, age=0.7, muscle=0.35, weight=0.85, height=0.3, proportions=0.4
    ),
    "male_older": dict(gender=0.1, age=0.85, muscle=0.4, weight=0.65, height=0.55, proportions=0.4),
}

SIDES = ("l", "r")
_SUFFIX = {"l": ".L", "r": ".R"}


def rot_x(deg: FloatArray | float) -> FloatArray:
    """Rotation matrices about x, shape ``(..., 3, 3)``; positive turns +y towards +z."""
    a = np.radians(np.asarray(deg, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros((*a.shape, 3, 3))
    out[..., 0, 0] = 1.0
    out[..., 1, 1] = c
    out[..., 1, 2] = -s
    out[..., 2, 1] = s
    out[..., 2, 2] = c
    return out


def min_rotation(a: FloatArray, b: FloatArray) -> FloatArray:
    """The smallest rotations taking unit vectors ``a`` to ``b`` (both ``(N, 3)``)."""
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    v = np.cross(a, b)
    c = np.einsum("ni,ni->n", a, b)
    vx = np.zeros((len(a), 3, 3))
    vx[:, 0, 1], vx[:, 0, 2] = -v[:, 2], v[:, 1]
    vx[:, 1, 0], vx[:, 1, 2] = v[:, 2], -v[:, 0]
    vx[:, 2, 0], vx[:, 2, 1] = -v[:, 1], v[:, 0]
    k = 1.0 / np.maximum(1.0 + c, 1e-9)
    return np.eye(3)[None] + vx + (vx @ vx) * k[:, None, None]


def angle_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """The 3-D angle at ``b`` between ``a`` and ``c`` (arrays ``(..., 3)``), in degrees."""
    u, v = a - b, c - b
    cos = np.einsum("...i,...i->...", u, v) / (
        np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1)
    )
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


@functools.cache
def load_model() -> Any:
    """anny's default model in float32 (built once per process; the first ever build caches)."""
    import contextlib
    import logging

    with contextlib.suppress(ImportError):
        import warp  # anny's skinning backend: keep its start-up banner off stdout

        if not logging.getLogger("formcheck").isEnabledFor(logging.DEBUG):
            warp.config.log_level = logging.ERROR

    import anny
    import torch

    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    model = anny.Anny()
    return model.to(dtype=torch.float32)


@dataclasses.dataclass
class PosedBody:
    """A posed clip in the body frame: vertices ``(N, V, 3)`` and bone heads ``(N, B, 3)``."""

    vertices: FloatArray
    heads: FloatArray


class Body:
    """One anny body shape, posable from angle channels.

    Example:
        >>> body = Body("average")  # doctest: +SKIP
        >>> posed = body.pose({"knee_flex_l": np.array([90.0])})  # doctest: +SKIP
    """

    def __init__(self, name: str = "average") -> None:
        import torch

        if name not in BODIES:
            raise ValueError(f"unknown body {name!r}; choose from {', '.join(BODIES)}")
        self.name = name
        self.phenotype = dict(BODIES[name])
        self.model = load_model()
        m = self.model
        self.labels: list[str] = list(m.bone_labels)
        self.index = {label: i for i, label in enumerate(self.labels)}
        self.parents = [int(p) for p in m.bone_parents]
        with torch.no_grad():
            eye = torch.eye(4, dtype=torch.float32)[None, None].repeat(1, m.bone_count, 1, 1)
            out = m(pose_parameters=eye, phenotype_kwargs=self.phenotype)
        self.rest_vertices = out["rest_vertices"]
        self.rest_bone_poses = out["rest_bone_poses"]
        #: bone heads in the reference pose (identity deltas), body frame
        self.ref_heads = out["bone_poses"][0, :, :3, 3].double().numpy()
        self.ref_vertices = out["vertices"][0].double().numpy()
        self.faces = m.faces.numpy().astype(np.int64)
        idx = m.vertex_bone_indices.numpy()
        w = m.vertex_bone_weights.numpy()
        self.vertex_bone = idx[np.arange(len(idx)), np.argmax(w, axis=1)]

    # -- geometry helpers --------------------------------------------------------------------
    def head(self, bone: str) -> FloatArray:
        return self.ref_heads[self.index[bone]]

    def segment(self, start: str, end: str) -> FloatArray:
        """Unit reference direction from bone head ``start`` to bone head ``end``."""
        v = self.head(end) - self.head(start)
        return v / np.linalg.norm(v)

    def toe_tip(self, side: str) -> FloatArray:
        s = _SUFFIX[side]
        return self.head(f"toe3-1{s}")

    def bones_matching(self, *prefixes: str) -> list[int]:
        return [i for i, b in enumerate(self.labels) if b.startswith(prefixes)]

    def vertices_of(self, *prefixes: str) -> npt.NDArray[np.int64]:
        """Indices of vertices whose dominant bone name starts with one of ``prefixes``."""
        bones = self.bones_matching(*prefixes)
        return np.flatnonzero(np.isin(self.vertex_bone, bones))

    # -- posing ------------------------------------------------------------------------------
    def deltas(self, ch: Mapping[str, Any], n: int) -> FloatArray:
        """Delta rotations ``(n, B, 3, 3)`` for the angle channels ``ch`` (see module doc)."""

        def get(key: str, default: float = 0.0) -> FloatArray:
            v = ch.get(key, default)
            return np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy()

        pitch = get("pitch")
        to_body = rot_x(-pitch)  # world direction -> body-frame direction
        nb = len(self.labels)
        d = np.broadcast_to(np.eye(3), (n, nb, 3, 3)).copy()
        g: dict[str, FloatArray] = {}
        eye = np.broadcast_to(np.eye(3), (n, 3, 3))

        def set_(bone: str, parent_g: FloatArray, rot: FloatArray) -> FloatArray:
            d[:, self.index[bone]] = rot
            g[bone] = parent_g @ rot
            return g[bone]

        def aim(
            bone: str, parent_g: FloatArray, ref_dir: FloatArray, target_w: Any, mirror: bool
        ) -> FloatArray:
            t = np.broadcast_to(np.asarray(target_w, dtype=np.float64), (n, 3)).copy()
            if mirror:
                t[:, 0] *= -1.0
            t_body = np.einsum("nij,nj->ni", to_body, t)
            t_parent = np.einsum("nji,nj->ni", parent_g, t_body)  # G_p^T t
            rot = min_rotation(np.broadcast_to(ref_dir, (n, 3)), t_parent)
            return set_(bone, parent_g, rot)

        gs = eye
        flex = get("spine_flex")
        for bone, w in zip(SPINE_BONES, SPINE_WEIGHTS, strict=True):
            gs = set_(bone, gs, rot_x(flex * w))
        g_chest = gs
        gn = g_chest
        neck = get("neck_flex")
        for bone, w in zip(NECK_BONES, NECK_WEIGHTS, strict=True):
            gn = set_(bone, gn, rot_x(neck * w))
        set_("head", gn, rot_x(get("head_flex")))

        for side in SIDES:
            s = _SUFFIX[side]
            mirror = side == "r"
            # arms: clavicle and shoulder01 follow the chest
            gp = set_(f"clavicle{s}", g_chest, eye)
            gp = set_(f"shoulder01{s}", gp, eye)
            ua = self.segment(f"upperarm01{s}", f"lowerarm01{s}")
            fa = self.segment(f"lowerarm01{s}", f"wrist{s}")
            hd = self.segment(f"wrist{s}", f"finger3-1{s}")
            gu = aim(f"upperarm01{s}", gp, ua, ch.get("upperarm_w", (0.15, 0.0, -1.0)), mirror)
            gu2 = set_(f"upperarm02{s}", gu, eye)
            # the forearm reference direction as carried rigidly by the upper arm's rotation
            gf = aim(f"lowerarm01{s}", gu2, fa, ch.get("forearm_w", (0.1, -0.2, -1.0)), mirror)
            gf2 = set_(f"lowerarm02{s}", gf, eye)
            if "hand_w" in ch:
                aim(f"wrist{s}", gf2, hd, ch["hand_w"], mirror)
            # legs
            gp = set_(f"pelvis{s}", eye, eye)
            th = self.segment(f"upperleg01{s}", f"lowerleg01{s}")
            sh = self.segment(f"lowerleg01{s}", f"foot{s}")
            ft = self.toe_tip(side) - self.head(f"foot{s}")
            ft /= np.linalg.norm(ft)
            if "thigh_w" in ch:
                gt = aim(f"upperleg01{s}", gp, th, ch["thigh_w"], mirror)
            else:
                gt = set_(f"upperleg01{s}", gp, rot_x(-get(f"hip_flex_{side}")))
            gt2 = set_(f"upperleg02{s}", gt, eye)
            if "shank_w" in ch:
                gk = aim(f"lowerleg01{s}", gt2, sh, ch["shank_w"], mirror)
            else:
                gk = set_(f"lowerleg01{s}", gt2, rot_x(get(f"knee_flex_{side}")))
            gk2 = set_(f"lowerleg02{s}", gk, eye)
            if "foot_w" in ch:
                aim(f"foot{s}", gk2, ft, ch["foot_w"], mirror)
            else:
                set_(f"foot{s}", gk2, rot_x(get(f"ankle_flex_{side}")))
        return d

    def pose(
        self,
        ch: Mapping[str, Any],
        n: int | None = None,
        *,
        with_vertices: bool = True,
        chunk: int = 120,
    ) -> PosedBody:
        """Posed vertices (float32) and bone heads (float64), body frame, for ``n`` frames."""
        import torch

        if n is None:
            n = max((np.size(v) // (3 if np.ndim(v) == 2 else 1)) for v in ch.values()) if ch else 1
            n = max(n, 1)
        rots = self.deltas(ch, n)
        m = self.model
        verts, heads = [], []
        with torch.no_grad():
            for lo in range(0, n, chunk):
                r = torch.from_numpy(rots[lo : lo + chunk]).float()
                k = r.shape[0]
                t = torch.zeros((k, r.shape[1], 4, 4), dtype=torch.float32)
                t[:, :, :3, :3] = r
                t[:, :, 3, 3] = 1.0
                transforms, poses = m.get_bone_transforms(t, self.rest_bone_poses)
                heads.append(poses[:, :, :3, 3].double().numpy())
                if with_vertices:
                    v = m.get_skinned_vertices(
                        bone_transforms=transforms,
                        rest_vertices=self.rest_vertices.expand(k, -1, -1),
                    )
                    verts.append(v.numpy().astype(np.float32))
        return PosedBody(
            vertices=np.concatenate(verts) if verts else np.zeros((n, 0, 3), np.float32),
            heads=np.concatenate(heads),
        )

    def joints(self, heads: FloatArray) -> dict[str, FloatArray]:
        """Named joint centres ``left_shoulder`` ... ``right_ankle`` from bone heads."""
        out = {}
        for side, word in (("l", "left"), ("r", "right")):
            for joint, bone in JOINT_BONES.items():
                out[f"{word}_{joint}"] = heads[..., self.index[bone + _SUFFIX[side]], :]
            # MediaPipe's ear: level with the eye, behind it; half way from the skull's base
            # (the head bone's head) to the eye is near enough in a side view
            eye = heads[..., self.index["eye" + _SUFFIX[side]], :]
            out[f"{word}_ear"] = 0.5 * (eye + heads[..., self.index["head"], :])
        return out


def to_world(points: FloatArray, pitch: FloatArray, shift: FloatArray) -> FloatArray:
    """Body-frame points ``(N, ..., 3)`` to world: ``R_x(pitch) p + shift`` per frame."""
    r = rot_x(pitch).astype(points.dtype)
    flat = points.reshape(len(points), -1, 3)
    out = np.matmul(flat, r.transpose(0, 2, 1))
    out += shift[:, None, :].astype(points.dtype)
    return out.reshape(points.shape)
