"""Render formcheck's own validation set with ``formcheck synth``: clips drawn at random from
recorded seeds, kept out of the repository.

Every clip's parameters are drawn from ``--seed`` (the set) and its index, so the same command
renders the same clips on any machine (``formcheck synth`` renders a spec byte for byte).
Bodies, sides, tempos, distances, frame rates, portrait or landscape framing, camera heights
from 0.2 to 1.2 m and downward tilts from 0 to 30 degrees are drawn at random; so are the
exercises' variants: cat-cow done cow first or cat first, plank rests on the knees, head drops,
pikes and sags from mild to large, short and over-arched bridges. A "mild" fault still goes at
least 3 deg past its threshold (sag -10; pike 20 when the set was drawn, now 18 in formcheck and
15 in the renderer's truth), as the targets count only those.

Of the first 27 clips, about half of each exercise's have the camera below 0.6 m, half at or
above it; a camera's tilt is drawn within what keeps the body in view from its height (a camera
on the floor cannot look 30 degrees down at a person lying 2 m away). The last three (one per
exercise) are the steepest set-up on purpose: 1.0-1.2 m up, looking down 24-30 degrees. The
tilt range is worked out for a typical body and framing; when ``formcheck synth`` still finds
that the drawn tilt cannot frame the body (a tall body filling most of the frame, say), the tilt
is lowered by a fifth until it can, and the manifest records the tilt used.

Usage::

    python benchmarks/validation_set.py OUT_DIR [--count 30] [--seed 15] [--jobs 2] [--list]

Clips already rendered (video and truth present) are kept. ``--list`` prints the plan only.
``OUT_DIR/manifest.json`` records every clip's command. Then measure it::

    python benchmarks/accuracy.py samples OUT_DIR --split-height 0.6
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

BODIES = ("average", "female_slim", "male_tall", "female_heavy", "male_older")
SIZES = ("640x480", "854x480", "480x640", "480x854", "640x480", "960x540")
FPS = (24.0, 25.0, 30.0, 30.0, 30.0)
EXERCISES = ("glute_bridge", "plank", "cat_cow")
#: variants, cycled per exercise (each clip then draws its own sizes)
BRIDGE = ("none", "partial", "none", "over_arch", "none", "partial", "none", "over_arch", "none")
PLANK = (
    "none",
    "sag_mild",
    "knees_rest",
    "pike_large",
    "head_drop",
    "sag_large",
    "pike_mild",
    "knee_plank",
    "none",
)
CATCOW = (
    "cow_first",
    "cat_first",
    "cow_first",
    "cat_first",
    "cow_first_shallow",
    "cat_first",
    "cow_first",
    "cat_first_rushed",
    "cow_first",
)


#: clips from this index on are filmed from 1.0-1.2 m up, looking down 24-30 deg (the draws of
#: the first ones, spread over every height, rarely reach the steepest views)
STEEP_FROM = 27


def tilt_range(height_m: float) -> tuple[float, float]:
    """Downward tilts (deg) that keep a person lying about 2 m away in view from this height.

    Example:
        >>> [round(x) for x in tilt_range(1.2)]
        [11, 30]
        >>> [round(x) for x in tilt_range(0.2)]
        [0, 9]
    """
    lo = max(0.0, math.degrees(math.atan((height_m - 0.6) / 3.2)))
    hi = min(30.0, math.degrees(math.atan((height_m + 0.1) / 2.0)))
    return lo, hi


def plan(count: int, seed: int) -> list[dict[str, Any]]:
    """The clips of the set: name and ``formcheck synth`` arguments, drawn from ``seed``."""
    clips = []
    for i in range(count):
        rng = np.random.default_rng([seed, i])
        exercise = EXERCISES[i % 3]
        k = i // 3
        low = k % 2 == 0  # alternate camera heights within each exercise
        height = float(rng.uniform(0.2, 0.58) if low else rng.uniform(0.6, 1.2))
        t_lo, t_hi = tilt_range(height)
        tilt = float(rng.uniform(t_lo, t_hi))
        if i >= STEEP_FROM:  # the steepest set-up on purpose: a laptop on a table
            height = float(rng.uniform(1.0, 1.2))
            tilt = float(rng.uniform(24.0, tilt_range(height)[1]))
        args: dict[str, Any] = {
            "exercise": exercise,
            "body": BODIES[int(rng.integers(len(BODIES)))],
            "side": ("left", "right")[int(rng.integers(2))],
            "camera-height": round(height, 2),
            "camera-tilt": round(tilt, 1),
            "camera-yaw": round(float(rng.uniform(-12, 12)), 1),
            "fill": round(float(rng.uniform(0.55, 0.9)), 2),
            "fps": FPS[int(rng.integers(len(FPS)))],
            "size": SIZES[int(rng.integers(len(SIZES)))],
            "tempo": round(float(rng.uniform(0.8, 1.35)), 2),
            "seed": int(rng.integers(1_000_000)),
        }
        if exercise == "glute_bridge":
            variant = BRIDGE[k % len(BRIDGE)]
            args["fault"] = variant
            args["reps"] = int(rng.integers(4, 8))
        elif exercise == "plank":
            variant = PLANK[k % len(PLANK)]
            duration = float(rng.uniform(16, 24))
            fault_from = float(rng.uniform(5.0, duration - 10.5))
            args["duration"] = round(duration, 1)
            if variant.startswith("sag"):
                args |= {
                    "fault": "sag",
                    "fault-deg": round(
                        float(
                            rng.uniform(-16, -13)
                            if variant == "sag_mild"
                            else rng.uniform(-30, -20)
                        ),
                        1,
                    ),
                }
            elif variant.startswith("pike"):
                args |= {
                    "fault": "pike",
                    "fault-deg": round(
                        float(
                            rng.uniform(23, 27) if variant == "pike_mild" else rng.uniform(32, 45)
                        ),
                        1,
                    ),
                }
            elif variant == "knees_rest":
                args |= {"fault": "knees_down", "fault-s": round(float(rng.uniform(2.5, 5.0)), 1)}
            elif variant == "head_drop":
                args |= {
                    "fault": "head_drop",
                    "fault-deg": round(float(rng.uniform(75, 95)), 1),
                    "fault-s": round(float(rng.uniform(3.0, 5.0)), 1),
                }
            else:
                args["fault"] = variant
            if args["fault"] not in ("none", "knee_plank"):
                args["fault-from"] = round(fault_from, 1)
        else:
            variant = CATCOW[k % len(CATCOW)]
            args["reps"] = int(rng.integers(4, 7))
            args["fault"] = (
                "shallow"
                if variant.endswith("shallow")
                else "rushed"
                if variant.endswith("rushed")
                else "none"
            )
            if variant.startswith("cow_first"):
                args["cow-first"] = True
        name = f"v{i:02d}_{exercise}_{variant}_{args['side']}_h{round(height * 100):03d}"
        clips.append({"name": name, "args": args})
    return clips


#: ``formcheck synth``'s refusal of a camera that cannot frame the body at the asked tilt
UNFRAMEABLE = "cannot frame the body"
#: such a tilt is lowered by this factor, at most this many times
TILT_BACKOFF = 0.8
MAX_TILT_TRIES = 8


def render_clip(
    clip: dict[str, Any],
    out_dir: Path,
    run: Callable[[list[str]], subprocess.CompletedProcess[str]],
) -> str | None:
    """Render one clip with ``run`` (a subprocess runner); None when it rendered, else the
    last line of the error. A tilt that cannot frame the body is lowered (see the module docs)
    and kept in ``clip["args"]``.

    Example:
        >>> def run(cmd):
        ...     tilt = float(cmd[cmd.index("--camera-tilt") + 1])
        ...     err = "" if tilt < 20 else "error: a camera ... cannot frame the body; ..."
        ...     return subprocess.CompletedProcess(cmd, int(bool(err)), "", err)
        >>> clip = {"name": "v00", "args": {"exercise": "plank", "camera-tilt": 28.0}}
        >>> render_clip(clip, Path("out"), run), clip["args"]["camera-tilt"]
        (None, 17.9)
    """
    for attempt in range(1, MAX_TILT_TRIES + 1):
        proc = run(command(clip, out_dir))
        if not proc.returncode:
            return None
        tail = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        tilt = float(clip["args"].get("camera-tilt", 0.0))
        if UNFRAMEABLE not in tail or tilt < 1.0 or attempt == MAX_TILT_TRIES:
            return tail  # the args keep the last tilt tried
        clip["args"]["camera-tilt"] = round(tilt * TILT_BACKOFF, 1)
    raise AssertionError("unreachable")


def command(clip: dict[str, Any], out_dir: Path) -> list[str]:
    cmd = [sys.executable, "-m", "formcheck", "synth", "-o", str(out_dir / f"{clip['name']}.mp4")]
    for key, value in clip["args"].items():
        if value is True:
            cmd.append(f"--{key}")
        else:
            cmd += [f"--{key}", str(value)]
    return cmd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="where the clips go (outside the repository)")
    parser.add_argument("--count", type=int, default=30, help="number of clips (default 30)")
    parser.add_argument("--seed", type=int, default=15, help="seed of the whole set (default 15)")
    parser.add_argument("--jobs", type=int, default=2, help="renders at once (default 2)")
    parser.add_argument("--list", action="store_true", help="print the plan and stop")
    args = parser.parse_args(argv)
    clips = plan(args.count, args.seed)
    if args.list:
        for c in clips:
            print(c["name"], " ".join(shlex.quote(x) for x in command(c, args.out_dir)[3:]))
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)

    def write_manifest() -> None:
        """Every clip's command, with the tilt it was (or will first be) rendered at."""
        (args.out_dir / "manifest.json").write_text(
            json.dumps({"seed": args.seed, "count": args.count, "clips": clips}, indent=1) + "\n"
        )

    todo = []
    for c in clips:
        truth = args.out_dir / f"{c['name']}.json"
        if not (truth.exists() and (args.out_dir / f"{c['name']}.mp4").exists()):
            todo.append(c)
            continue
        # a rendered clip's truth records the tilt it was rendered with
        spec = json.loads(truth.read_text())["render"]["spec"]
        if spec.get("camera_tilt_deg") is not None:
            c["args"]["camera-tilt"] = spec["camera_tilt_deg"]
    write_manifest()
    print(f"{len(clips) - len(todo)} of {len(clips)} clips already rendered; rendering {len(todo)}")
    env = dict(os.environ, LP_NUM_THREADS=str(max(1, (os.cpu_count() or 2) // max(1, args.jobs))))
    failed = []
    done = 0
    started = time.perf_counter()

    def render(clip: dict[str, Any]) -> None:
        nonlocal done
        t0 = time.perf_counter()
        drawn = clip["args"].get("camera-tilt")
        error = render_clip(
            clip,
            args.out_dir,
            lambda cmd: subprocess.run(cmd, env=env, capture_output=True, text=True),
        )
        done += 1
        if error is not None:
            failed.append(clip["name"])
            print(f"[{done}/{len(todo)}] {clip['name']}: FAILED: {error}", flush=True)
        else:
            lowered = clip["args"].get("camera-tilt")
            note = f", tilt lowered from {drawn} to {lowered} deg" if lowered != drawn else ""
            print(
                f"[{done}/{len(todo)}] {clip['name']}: {time.perf_counter() - t0:.0f} s "
                f"(total {time.perf_counter() - started:.0f} s){note}",
                flush=True,
            )

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(render, todo))
    write_manifest()  # with the tilts actually used
    if failed:
        print(f"{len(failed)} clips failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
