"""Offscreen rendering of a posed body on a mat, with a floor, a wall and lights (pyrender).

Importing this module sets ``PYOPENGL_PLATFORM=osmesa`` when it is unset, so that pyrender
renders without a display. World frame: z up, floor at ``z = 0`` (see :mod:`.body`).
Pixel coordinates: x to the right and y down, the top-left image corner at ``(0, 0)``
(a pixel's centre is at ``i + 0.5``).
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

import numpy as np
import numpy.typing as npt

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

FloatArray = npt.NDArray[np.float64]

SKIN_TONES = {
    "light": (0.93, 0.76, 0.64),
    "medium": (0.78, 0.57, 0.42),
    "tan": (0.66, 0.46, 0.33),
    "dark": (0.42, 0.28, 0.2),
}
TOP_COLOURS = {
    "teal": (0.1, 0.55, 0.6),
    "red": (0.75, 0.15, 0.18),
    "grey": (0.55, 0.56, 0.6),
    "yellow": (0.9, 0.75, 0.2),
    "white": (0.9, 0.9, 0.88),
}
BOTTOM_COLOURS = {
    "black": (0.12, 0.12, 0.14),
    "navy": (0.12, 0.16, 0.35),
    "grey": (0.35, 0.36, 0.38),
    "olive": (0.32, 0.35, 0.2),
}
MAT_COLOURS = {
    "purple": (0.45, 0.3, 0.6),
    "blue": (0.2, 0.4, 0.7),
    "green": (0.3, 0.55, 0.35),
    "grey": (0.5, 0.5, 0.52),
}


@dataclasses.dataclass(frozen=True)
class Camera:
    """A pinhole camera looking at ``target`` from ``position`` (world metres)."""

    position: tuple[float, float, float]
    target: tuple[float, float, float]
    yfov_deg: float
    width: int
    height: int

    def pose(self) -> FloatArray:
        """Camera-to-world matrix in OpenGL convention (looks along its -z, y up)."""
        eye = np.asarray(self.position, float)
        fwd = np.asarray(self.target, float) - eye
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = right, up, -fwd, eye
        return m

    def intrinsics(self) -> tuple[float, float, float, float]:
        f = 0.5 * self.height / math.tan(math.radians(self.yfov_deg) / 2)
        return f, f, self.width / 2.0, self.height / 2.0

    def project(self, points: FloatArray) -> FloatArray:
        """World points ``(..., 3)`` to pixel coordinates ``(..., 2)``."""
        world_to_cam = np.linalg.inv(self.pose())
        p = points @ world_to_cam[:3, :3].T + world_to_cam[:3, 3]
        fx, fy, cx, cy = self.intrinsics()
        z = -p[..., 2]
        return np.stack([cx + fx * p[..., 0] / z, cy - fy * p[..., 1] / z], axis=-1)


@dataclasses.dataclass(frozen=True)
class Look:
    """Colours of the person and the room."""

    skin: str = "light"
    top: str = "teal"
    bottom: str = "black"
    mat: str = "purple"
    floor: tuple[float, float, float] = (0.62, 0.5, 0.38)
    wall: tuple[float, float, float] = (0.86, 0.85, 0.8)


def vertex_colours(body: Any, look: Look) -> npt.NDArray[np.uint8]:
    """Per-vertex RGBA: skin, a short-sleeved top on the torso, leggings, dark socks."""
    n = len(body.ref_vertices)
    col = np.tile(np.asarray(SKIN_TONES[look.skin]), (n, 1))
    top = body.vertices_of("spine", "clavicle", "shoulder01", "upperarm01", "breast")
    col[top] = TOP_COLOURS[look.top]
    legs = body.vertices_of("pelvis", "upperleg", "lowerleg")
    col[legs] = BOTTOM_COLOURS[look.bottom]
    feet = body.vertices_of("foot", "toe")
    col[feet] = (0.2, 0.2, 0.22)
    # the hem of the leggings sits a little above the ankle: shanks below that are skin
    head = body.vertices_of("head", "neck")
    v = body.ref_vertices
    top_of_head = v[head, 2].max()
    hair = head[
        (v[head, 2] > top_of_head - 0.09)
        | ((v[head, 1] > body.head("head")[1] + 0.03) & (v[head, 2] > body.head("head")[2]))
    ]
    col[hair] = (0.16, 0.11, 0.08)
    rgba = np.concatenate([col, np.ones((n, 1))], axis=1)
    return (np.clip(rgba, 0, 1) * 255).astype(np.uint8)


class Renderer:
    """Renders one body mesh per frame in a fixed room; use as a context manager."""

    def __init__(
        self,
        camera: Camera,
        faces: npt.NDArray[np.int64],
        colours: npt.NDArray[np.uint8],
        look: Look,
        *,
        mat_centre_y: float = 0.0,
        wall_distance: float = 1.2,
    ) -> None:
        import pyrender
        import trimesh

        self._pyrender = pyrender
        self._trimesh = trimesh
        self.camera = camera
        self.faces = faces
        self.colours = colours
        scene = pyrender.Scene(bg_color=(0.8, 0.8, 0.8, 1.0), ambient_light=(0.28, 0.28, 0.28))
        # floor, mat and wall
        floor = trimesh.creation.box(extents=(12.0, 12.0, 0.02))
        floor.apply_translation((0, 0, -0.0101))
        mat = trimesh.creation.box(extents=(0.62, 1.85, 0.004))
        mat.apply_translation((0, mat_centre_y, -0.0019))
        wall = trimesh.creation.box(extents=(0.05, 12.0, 4.0))
        # the wall stands behind the body, on the far side from the camera
        wall_x = -wall_distance if camera.position[0] >= 0 else wall_distance
        wall.apply_translation((wall_x, 0, 2.0))
        for mesh, colour in ((floor, look.floor), (mat, MAT_COLOURS[look.mat]), (wall, look.wall)):
            material = pyrender.MetallicRoughnessMaterial(
                baseColorFactor=(*colour, 1.0), metallicFactor=0.0, roughnessFactor=0.9
            )
            scene.add(pyrender.Mesh.from_trimesh(mesh, material=material, smooth=False))
        fx, fy, cx, cy = camera.intrinsics()
        cam = pyrender.IntrinsicsCamera(fx=fx, fy=fy, cx=cx, cy=cy, znear=0.05, zfar=30.0)
        scene.add(cam, pose=camera.pose())
        key = pyrender.DirectionalLight(color=np.ones(3), intensity=2.6)
        scene.add(key, pose=_look_pose((0.9 * np.sign(camera.position[0] or 1), 0.6, 2.5)))
        fill = pyrender.DirectionalLight(color=np.ones(3), intensity=1.0)
        scene.add(fill, pose=_look_pose((camera.position[0], camera.position[1] - 2.0, 1.2)))
        self.scene = scene
        self._node: Any = None
        try:
            self._renderer = pyrender.OffscreenRenderer(camera.width, camera.height)
        except (AttributeError, ImportError) as e:
            raise RuntimeError(
                "could not open an OSMesa OpenGL context: install libosmesa6 and "
                "PyOpenGL==3.1.7, and import formcheck.synth.scene before pyrender or OpenGL "
                f"(PYOPENGL_PLATFORM={os.environ.get('PYOPENGL_PLATFORM')!r}): {e}"
            ) from e
        _fix_program_cache(self._renderer)

    def render(self, vertices: FloatArray) -> npt.NDArray[np.uint8]:
        """RGB image ``(H, W, 3)`` of the body with ``vertices`` in world coordinates.

        The body mesh is created once; later frames overwrite its vertex buffer in place
        (new pyrender meshes per frame leak about 13 MB each under OSMesa).
        """
        mesh = self._trimesh.Trimesh(
            vertices=vertices, faces=self.faces, vertex_colors=self.colours, process=False
        )
        if self._node is None:
            self._node = self.scene.add(self._pyrender.Mesh.from_trimesh(mesh, smooth=True))
        else:
            prim = self._node.mesh.primitives[0]
            prim.positions = np.asarray(vertices, np.float32)
            prim.normals = np.asarray(mesh.vertex_normals, np.float32)
            if prim._in_context():
                from OpenGL import GL

                data = np.ascontiguousarray(
                    np.hstack((prim.positions, prim.normals, prim.color_0))
                    .astype(np.float32)
                    .ravel()
                )
                self._renderer._platform.make_current()
                GL.glBindBuffer(GL.GL_ARRAY_BUFFER, prim._buffers[0])
                GL.glBufferSubData(GL.GL_ARRAY_BUFFER, 0, data.nbytes, data)
                GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            self._node.mesh._bounds = None
        colour, _ = self._renderer.render(self.scene)
        return np.ascontiguousarray(colour[..., :3])

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.delete()
            self._renderer = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _look_pose(position: tuple[float, float, float]) -> FloatArray:
    """Pose of a light at ``position`` pointing at the origin (lights shine along their -z)."""
    return Camera(position=position, target=(0.0, 0.0, 0.3), yfov_deg=60, width=2, height=2).pose()


def _fix_program_cache(offscreen: Any) -> None:
    """Make pyrender reuse its compiled shaders under OSMesa.

    pyrender keys its shader cache on ``OpenGL.contextdata.getContext()``, which under
    PyOpenGL 3.1.7 + OSMesa returns a new pointer object on every call, so every render
    recompiled every shader (slow, and it leaked about 3 MB a frame). One renderer has one
    context, so the key without it is enough.
    """
    cache = offscreen._renderer._program_cache
    original = cache.get_program
    memo: dict[Any, Any] = {}

    def get_program(
        vertex_shader: str,
        fragment_shader: str,
        geometry_shader: str | None = None,
        defines: dict[str, Any] | None = None,
    ) -> Any:
        key = (
            vertex_shader,
            fragment_shader,
            geometry_shader,
            tuple(sorted((defines or {}).items())),
        )
        if key not in memo:
            memo[key] = original(vertex_shader, fragment_shader, geometry_shader, defines)
        return memo[key]

    cache.get_program = get_program
