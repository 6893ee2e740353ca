"""``formcheck synth``: render a synthetic exercise video with exact ground truth.

The function :func:`synth` carries Typer annotations; the main CLI registers it as a command.
Heavy imports (torch, anny, pyrender) happen inside it, so importing this module is cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from formcheck.synth.render import ACTIVITIES, FAULTS, SynthError


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise SynthError(f"--size must look like 640x480, got {text!r}") from None
    return w, h


def synth(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Output .mp4; the truth is written next to it as .json."
        ),
    ] = Path("synth.mp4"),
    exercise: Annotated[
        str, typer.Option(help="Activity: " + ", ".join(ACTIVITIES) + ".")
    ] = "glute_bridge",
    fault: Annotated[
        str,
        typer.Option(
            help="Fault to act out: " + ", ".join(FAULTS) + " (each applies to one exercise)."
        ),
    ] = "none",
    sag_from: Annotated[
        float | None,
        typer.Option(
            "--sag-from",
            "--fault-from",
            help="Plank: seconds at which the fault (sag, pike, knees down) begins, or a knee "
            "plank goes up onto the toes (knees_up).",
        ),
    ] = None,
    fault_deg: Annotated[
        float | None,
        typer.Option(
            "--fault-deg",
            help="Plank: how far the fault goes, degrees (sag -20, pike 26, head drop 40 by "
            "default; a sag is negative).",
        ),
    ] = None,
    fault_s: Annotated[
        float | None,
        typer.Option(
            "--fault-s",
            help="Plank: seconds on the knees (knees_down, 4 by default) or with the head "
            "dropped (head_drop, 5).",
        ),
    ] = None,
    cow_first: Annotated[
        bool,
        typer.Option("--cow-first", help="Cat-cow: each round arches (cow) before it rounds."),
    ] = False,
    reps: Annotated[int, typer.Option(help="Bridge reps or cat-cow rounds.")] = 6,
    duration: Annotated[
        float, typer.Option(help="Plank, standing and lying clip length, seconds.")
    ] = 20.0,
    side: Annotated[
        str, typer.Option(help="Side of the body facing the camera: left or right.")
    ] = "left",
    camera_height: Annotated[
        float, typer.Option(help="Camera height above the floor, metres.")
    ] = 0.7,
    camera_tilt: Annotated[
        float | None,
        typer.Option(
            help="Camera tilt downwards, degrees (0 = level); by default it aims at the body."
        ),
    ] = None,
    camera_yaw: Annotated[
        float, typer.Option(help="Camera yaw off the pure side view, degrees.")
    ] = 0.0,
    fill: Annotated[
        float, typer.Option(help="Share of the frame the body spans (sets the camera distance).")
    ] = 0.8,
    body: Annotated[
        str,
        typer.Option(help="Body shape: average, female_slim, male_tall, female_heavy, male_older."),
    ] = "average",
    fps: Annotated[float, typer.Option(help="Frames per second (15-60 typical).")] = 30.0,
    size: Annotated[
        str, typer.Option(help="Frame size WxH, e.g. 640x480 or 720x1280.")
    ] = "640x480",
    tempo: Annotated[
        float, typer.Option(help="Tempo factor; above 1 moves and pauses longer.")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed (timing jitter, colours).")] = 0,
) -> dict[str, Any]:
    """Render a synthetic exercise clip and its ground-truth JSON."""
    from formcheck.synth.render import ClipSpec, render_clip

    width, height = _size(size)
    extra: dict[str, Any] = {}
    if cow_first:
        extra["cow_first"] = True
    if fault_deg is not None:
        key = {"sag": "sag_deg", "pike": "pike_deg", "head_drop": "head_drop_deg"}.get(fault)
        if key is None:
            raise SynthError("--fault-deg applies to the plank faults sag, pike and head_drop")
        extra[key] = fault_deg
    if fault_s is not None:
        key = {"knees_down": "knees_down_s", "head_drop": "head_drop_s"}.get(fault)
        if key is None:
            raise SynthError("--fault-s applies to the plank faults knees_down and head_drop")
        extra[key] = fault_s
    if cow_first and exercise != "cat_cow":
        raise SynthError("--cow-first applies to cat_cow")
    if camera_tilt is not None and not 0.0 <= camera_tilt <= 60.0:
        raise SynthError(f"--camera-tilt must be within 0..60 degrees, got {camera_tilt}")
    spec = ClipSpec(
        activity=exercise,
        fault=fault,
        reps=reps,
        duration_s=duration,
        fault_from_s=sag_from if sag_from is not None else duration / 2,
        side=side,
        body=body,
        camera_height_m=camera_height,
        camera_yaw_deg=camera_yaw,
        camera_tilt_deg=camera_tilt,
        fill=fill,
        fps=fps,
        width=width,
        height=height,
        tempo=tempo,
        seed=seed,
        extra=extra,
    )
    if not 0.2 <= fill <= 0.98:
        raise SynthError(f"--fill must be within 0.2..0.98, got {fill}")
    return render_clip(spec, output)
