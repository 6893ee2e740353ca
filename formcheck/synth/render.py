"""Render one synthetic clip and its truth file (needs the synth extra).

Example:
    >>> spec = ClipSpec(activity="plank", fault="sag", fault_from_s=12.0)  # doctest: +SKIP
    >>> truth = render_clip(spec, "plank_sag.mp4")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.synth import motion as motions
from formcheck.synth import truth as truths

log = logging.getLogger(__name__)

ACTIVITIES = ("glute_bridge", "plank", "cat_cow", "standing", "lying")
FAULTS = (
    "none",
    "sag",
    "pike",
    "knees_down",
    "knee_plank",
    "knees_up",
    "head_drop",
    "partial",
    "over_arch",
    "shallow",
    "no_pause",
    "rushed",
)
_FAULTS_FOR = {
    "glute_bridge": {"none", "partial", "over_arch"},
    "plank": {"none", "sag", "pike", "knees_down", "knee_plank", "knees_up", "head_drop"},
    "cat_cow": {"none", "shallow", "no_pause", "rushed"},
    "standing": {"none"},
    "lying": {"none"},
}


class SynthError(FormcheckError):
    """Bad synth parameters or an impossible clip."""

    exit_code = 2


@dataclasses.dataclass(frozen=True)
class ClipSpec:
    """Everything that determines a clip; the same spec always renders the same bytes."""

    activity: str = "glute_bridge"
    fault: str = "none"
    reps: int = 6
    duration_s: float = 20.0
    fault_from_s: float = 10.0
    side: str = "left"  # which side of the body faces the camera
    body: str = "average"
    camera_height_m: float = 0.7
    camera_yaw_deg: float = 0.0
    #: downward tilt of the camera (deg); None = aimed at the middle of the body
    camera_tilt_deg: float | None = None
    fill: float = 0.8  # share of the frame the body spans (sets the camera distance)
    fov_deg: float = 50.0  # vertical field of view
    fps: float = 30.0
    width: int = 640
    height: int = 480
    tempo: float = 1.0  # >1 = slower (scales move and pause durations)
    seed: int = 0
    look: dict[str, str] | None = None  # skin/top/bottom/mat colour names; None = from seed
    crf: int = 26
    #: extra keyword arguments for the animator (e.g. partial_reps=(3, 6))
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


def make_motion(spec: ClipSpec) -> motions.Motion:
    """The scripted motion for ``spec`` (validates activity and fault)."""
    if spec.activity not in ACTIVITIES:
        raise SynthError(f"unknown exercise {spec.activity!r}; choose from {', '.join(ACTIVITIES)}")
    if spec.fault not in _FAULTS_FOR[spec.activity]:
        raise SynthError(
            f"fault {spec.fault!r} does not apply to {spec.activity}; choose from "
            f"{', '.join(sorted(_FAULTS_FOR[spec.activity]))}"
        )
    if spec.fps < 5 or spec.fps > 120:
        raise SynthError(f"fps {spec.fps} outside 5..120")
    k, fps, seed, tempo = dict(spec.extra), spec.fps, spec.seed, spec.tempo
    if spec.activity == "glute_bridge":
        if spec.reps < 1:
            raise SynthError("reps must be at least 1")
        if spec.fault == "partial":
            k.setdefault("partial_reps", tuple(range(2, spec.reps + 1, 2)))
        if spec.fault == "over_arch":
            k.setdefault("over_arch_reps", tuple(range(2, spec.reps + 1, 2)))
        return motions.glute_bridge(
            fps=fps,
            reps=spec.reps,
            lift_s=1.2 * tempo,
            lower_s=1.5 * tempo,
            top_hold_s=1.0 * tempo,
            rest_s=1.0 * tempo,
            seed=seed,
            **k,
        )
    if spec.activity == "plank":
        if spec.duration_s < 8:
            raise SynthError("a plank clip needs --duration of at least 8 s")
        fault = "none" if spec.fault == "knee_plank" else spec.fault
        if fault == "knees_up" and not 5.0 < spec.fault_from_s < spec.duration_s - 6:
            raise SynthError(
                f"--fault-from {spec.fault_from_s} s must leave over 2 s of knee plank after "
                f"its set-up and over 3 s of plank before the way down in a "
                f"{spec.duration_s} s clip (5 s < --fault-from < --duration - 6 s)"
            )
        if fault != "none" and not 3.5 < spec.fault_from_s < spec.duration_s - 4:
            raise SynthError(
                f"--sag-from/--fault-from {spec.fault_from_s} s must leave the "
                f"setup (3.5 s) and 4 s before the end of a {spec.duration_s} s "
                "clip"
            )
        down_s = float(k.get("knees_down_s", 4.0))
        if fault == "knees_down" and spec.fault_from_s + down_s + 2.4 > spec.duration_s - 2.8:
            raise SynthError(
                f"knees down from {spec.fault_from_s} s ({down_s:g} s on the floor) does not end "
                "before "
                f"the plank ends; use a longer --duration or an earlier --fault-from"
            )
        if fault == "head_drop" and spec.fault_from_s + k.get("head_drop_s", 5.0) + 2.0 > (
            spec.duration_s - 2.8
        ):
            raise SynthError(
                f"a head drop from {spec.fault_from_s} s does not end before the plank ends; "
                "use a longer --duration or an earlier --fault-from"
            )
        return motions.plank(
            fps=fps,
            duration=spec.duration_s,
            fault=fault,
            fault_from_s=spec.fault_from_s,
            knee_plank=spec.fault in ("knee_plank", "knees_up"),
            seed=seed,
            **k,
        )
    if spec.activity == "cat_cow":
        move, pause = 1.6 * tempo, 1.0 * tempo
        if spec.fault == "rushed":
            move, pause = 0.7, 0.4
        if spec.fault == "no_pause":
            pause = 0.0
        if spec.fault == "shallow":
            k.setdefault("shallow_rounds", tuple(range(1, spec.reps + 1)))
        return motions.cat_cow(
            fps=fps, rounds=spec.reps, move_s=move, pause_s=pause, seed=seed, **k
        )
    if spec.activity == "standing":
        return motions.standing(fps=fps, duration=spec.duration_s, seed=seed)
    return motions.lying(fps=fps, duration=spec.duration_s, seed=seed)


def _look(spec: ClipSpec) -> Any:
    from formcheck.synth.scene import BOTTOM_COLOURS, MAT_COLOURS, SKIN_TONES, TOP_COLOURS, Look

    if spec.look is not None:
        return Look(**spec.look)  # type: ignore[arg-type]
    rng = np.random.default_rng([spec.seed, 7])
    pick = lambda d: sorted(d)[int(rng.integers(len(d)))]  # noqa: E731
    return Look(
        skin=pick(SKIN_TONES),
        top=pick(TOP_COLOURS),
        bottom=pick(BOTTOM_COLOURS),
        mat=pick(MAT_COLOURS),
    )


#: With a set tilt, the body must be at least this share of ``fill`` across (a camera 0.54 m up
#: tilted 13 deg down framed a cat-cow from 8.4 m away, aimed 1.4 m under the floor, with the
#: body 100 px wide in a 640 px frame). Well-framed clips are 0.38-1 of it across (77 drawn for
#: the validation sets, cat-cows the least).
MIN_FILL_SHARE = 0.33


def fit_camera(vertices: np.ndarray, spec: ClipSpec) -> Any:
    """A camera on the ``spec.side`` of the body, at its height and yaw, whose distance makes
    the body (over the whole clip) span ``spec.fill`` of the frame."""
    from formcheck.synth.scene import Camera

    lo, hi = vertices.min(axis=(0, 1)), vertices.max(axis=(0, 1))
    target = (0.0, float(0.5 * (lo[1] + hi[1])), float(0.5 * (lo[2] + hi[2])))
    sign = 1.0 if spec.side == "left" else -1.0
    yaw = np.radians(spec.camera_yaw_deg)
    step = max(1, len(vertices) // 24)
    pts = vertices[::step, ::7].reshape(-1, 3)

    def cam(d: float) -> Camera:
        pos = (sign * d * np.cos(yaw), target[1] + d * np.sin(yaw), spec.camera_height_m)
        aim = target
        if spec.camera_tilt_deg is not None:
            drop = d * np.tan(np.radians(spec.camera_tilt_deg))
            aim = (target[0], target[1], float(spec.camera_height_m - drop))
        return Camera(
            position=(float(pos[0]), float(pos[1]), float(pos[2])),
            target=aim,
            yfov_deg=spec.fov_deg,
            width=spec.width,
            height=spec.height,
        )

    def span(d: float) -> float:
        px = cam(d).project(pts)
        nx = np.abs(px[:, 0] - spec.width / 2) / (spec.width / 2)
        ny = np.abs(px[:, 1] - spec.height / 2) / (spec.height / 2)
        return float(max(nx.max(), ny.max()))

    def extent(d: float) -> float:
        # the body's own size in the frame (the span above also grows as it sits off-centre)
        px = cam(d).project(pts)
        return float(max(np.ptp(px[:, 0]) / spec.width, np.ptp(px[:, 1]) / spec.height))

    if spec.camera_tilt_deg is not None:
        # a fixed tilt moves the body up or down the frame as the camera backs away, so the
        # span is not monotonic in the distance: the nearest distance on a fine grid that fits
        for d in np.geomspace(0.8, 20.0, 400):
            if span(float(d)) <= spec.fill:
                # a camera that frames the body only from far off, with the body a speck in
                # the frame (aimed below the floor), is no framing at all
                if extent(float(d)) >= MIN_FILL_SHARE * spec.fill:
                    return cam(float(d))
                break
        raise SynthError(
            f"a camera {spec.camera_height_m} m high tilted {spec.camera_tilt_deg} deg down "
            "cannot frame the body; lower the tilt or raise the camera"
        )
    lo_d, hi_d = 0.8, 20.0
    for _ in range(40):
        mid = 0.5 * (lo_d + hi_d)
        if span(mid) > spec.fill:
            lo_d = mid
        else:
            hi_d = mid
    return cam(hi_d)


def render_clip(
    spec: ClipSpec, out: str | Path, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Render ``spec`` to the MP4 ``out`` and write its truth next to it (``.json``)."""
    os.environ.setdefault("LP_NUM_THREADS", "2")
    from formcheck.synth.body import BODIES, Body
    from formcheck.synth.placement import place
    from formcheck.synth.scene import Renderer, vertex_colours
    from formcheck.synth.video import VideoWriter

    out = Path(out)
    if out.suffix.lower() != ".mp4":
        raise SynthError(f"output must be an .mp4 file, got {out.name}")
    if spec.side not in ("left", "right"):
        raise SynthError(f"side must be left or right, got {spec.side!r}")
    if spec.body not in BODIES:
        raise SynthError(f"unknown body {spec.body!r}; choose from {', '.join(BODIES)}")
    if spec.width % 2 or spec.height % 2 or min(spec.width, spec.height) < 64:
        raise SynthError(f"size {spec.width}x{spec.height}: both must be even and >= 64")
    if not out.parent.exists():
        raise SynthError(f"output folder {out.parent} does not exist")
    t0 = time.perf_counter()
    motion = make_motion(spec)
    body = Body(spec.body)
    placed = place(body, motion)
    camera = fit_camera(placed.vertices, spec)
    look = _look(spec)
    joints_w = body.joints(placed.heads)
    joints_px = {k: camera.project(v) for k, v in joints_w.items()}
    n = len(motion.t)
    with (
        Renderer(camera, body.faces, vertex_colours(body, look), look) as r,
        VideoWriter(out, spec.width, spec.height, spec.fps, crf=spec.crf) as w,
    ):
        for i in range(n):
            w.write(r.render(placed.vertices[i]))
            if progress is not None:
                progress(i + 1, n)
    cam_pos = np.asarray(camera.position)
    render_params = {
        "spec": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(spec).items()
        },
        "body": spec.body,
        "phenotype": body.phenotype,
        "look": dataclasses.asdict(look),
        "camera": {
            "position_m": [round(float(x), 4) for x in cam_pos],
            "target_m": [round(float(x), 4) for x in camera.target],
            "height_m": spec.camera_height_m,
            "distance_m": round(
                float(np.linalg.norm(cam_pos[:2] - np.asarray(camera.target[:2]))), 4
            ),
            "yaw_deg": spec.camera_yaw_deg,
            "tilt_deg": round(truths.camera_tilt_deg(cam_pos, camera.target), 2),
            "yfov_deg": spec.fov_deg,
        },
        "script": _jsonable(motion.params),
        "max_contact_gap_m": round(float(np.abs(placed.contact_gap_m).max()), 6),
        "seed": spec.seed,
        "generator": "formcheck.synth",
    }
    data = truths.build(
        motion,
        joints_world=joints_w,
        joints_px=joints_px,
        spinal_flexion=np.asarray(placed.channels["spine_flex"], float) * np.ones(n),
        camera_side=spec.side,
        video=out.name,
        fps=spec.fps,
        width=spec.width,
        height=spec.height,
        render=render_params,
    )
    problems = truths.validate(data)
    if problems:
        raise RuntimeError("generated truth is invalid: " + "; ".join(problems))
    out.with_suffix(".json").write_text(json.dumps(data, separators=(",", ":")) + "\n")
    log.info("rendered %s: %d frames in %.1f s", out.name, n, time.perf_counter() - t0)
    return data


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x
