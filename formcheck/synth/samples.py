"""The sample clips in ``samples/``: their specs, and a command that renders them all.

Run ``python -m formcheck.synth.samples [--out samples] [--only NAME ...]``. Every clip is
rendered from its own fixed seed, so the set is reproducible (same bytes on the same software).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from formcheck.synth.render import ClipSpec

SAMPLES: dict[str, ClipSpec] = {
    "bridge_5reps_left": ClipSpec(
        activity="glute_bridge",
        reps=5,
        side="left",
        body="average",
        camera_height_m=0.5,
        fps=30,
        width=640,
        height=480,
        seed=101,
    ),
    "bridge_6reps_right_fast": ClipSpec(
        activity="glute_bridge",
        reps=6,
        tempo=0.75,
        side="right",
        body="female_slim",
        camera_height_m=0.9,
        camera_yaw_deg=8,
        fps=24,
        width=854,
        height=480,
        seed=102,
    ),
    "bridge_partial_right": ClipSpec(
        activity="glute_bridge",
        fault="partial",
        reps=5,
        side="right",
        body="male_tall",
        camera_height_m=0.6,
        fill=0.7,
        fps=30,
        width=640,
        height=480,
        seed=103,
    ),
    "bridge_over_arch_left": ClipSpec(
        activity="glute_bridge",
        fault="over_arch",
        reps=4,
        side="left",
        body="female_heavy",
        camera_height_m=1.1,
        camera_yaw_deg=-6,
        fps=25,
        width=960,
        height=540,
        seed=104,
    ),
    "plank_good_left": ClipSpec(
        activity="plank",
        duration_s=18,
        side="left",
        body="average",
        camera_height_m=0.5,
        fps=30,
        width=640,
        height=480,
        seed=201,
    ),
    "plank_good_right_portrait": ClipSpec(
        activity="plank",
        duration_s=14,
        side="right",
        body="male_older",
        camera_height_m=0.8,
        fill=0.85,
        fps=30,
        width=540,
        height=960,
        seed=202,
    ),
    "plank_sag_from_12s": ClipSpec(
        activity="plank",
        fault="sag",
        fault_from_s=12,
        duration_s=24,
        side="left",
        body="female_slim",
        camera_height_m=0.7,
        fps=30,
        width=640,
        height=480,
        seed=203,
    ),
    "plank_sag_from_7s_right": ClipSpec(
        activity="plank",
        fault="sag",
        fault_from_s=7,
        duration_s=18,
        side="right",
        body="male_tall",
        camera_height_m=1.2,
        camera_yaw_deg=10,
        fps=15,
        width=640,
        height=360,
        seed=204,
    ),
    "plank_pike_right": ClipSpec(
        activity="plank",
        fault="pike",
        fault_from_s=8,
        duration_s=18,
        side="right",
        body="female_heavy",
        camera_height_m=0.6,
        fps=24,
        width=640,
        height=480,
        seed=205,
    ),
    "plank_knees_down_left": ClipSpec(
        activity="plank",
        fault="knees_down",
        fault_from_s=5,
        duration_s=15,
        side="left",
        body="male_older",
        camera_height_m=0.9,
        fps=60,
        width=640,
        height=480,
        seed=206,
    ),
    "plank_knee_plank_right": ClipSpec(
        activity="plank",
        fault="knee_plank",
        duration_s=14,
        side="right",
        body="female_slim",
        camera_height_m=0.5,
        fps=30,
        width=640,
        height=480,
        seed=207,
    ),
    "catcow_5rounds_left": ClipSpec(
        activity="cat_cow",
        reps=5,
        side="left",
        body="average",
        camera_height_m=0.8,
        fps=30,
        width=640,
        height=480,
        seed=301,
    ),
    "catcow_4rounds_right_portrait": ClipSpec(
        activity="cat_cow",
        reps=4,
        side="right",
        body="male_tall",
        camera_height_m=1.2,
        fill=0.85,
        fps=24,
        width=480,
        height=854,
        seed=302,
    ),
    "catcow_shallow_left": ClipSpec(
        activity="cat_cow",
        fault="shallow",
        reps=5,
        side="left",
        body="female_heavy",
        camera_height_m=0.6,
        camera_yaw_deg=7,
        fps=30,
        width=640,
        height=480,
        seed=303,
    ),
    "catcow_rushed_right": ClipSpec(
        activity="cat_cow",
        fault="rushed",
        reps=7,
        side="right",
        body="female_slim",
        camera_height_m=0.9,
        fps=30,
        width=640,
        height=480,
        seed=304,
    ),
    "standing_still": ClipSpec(
        activity="standing",
        duration_s=8,
        side="left",
        body="male_older",
        camera_height_m=1.1,
        fill=0.8,
        fps=24,
        width=480,
        height=854,
        seed=401,
    ),
    "lying_still": ClipSpec(
        activity="lying",
        duration_s=8,
        side="right",
        body="female_slim",
        camera_height_m=0.6,
        fps=30,
        width=640,
        height=480,
        seed=402,
    ),
}


def main(argv: list[str] | None = None) -> None:
    from formcheck.synth.render import render_clip

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=Path("samples"))
    p.add_argument("--only", nargs="*", default=None, help="names of clips to render")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    a.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for name, spec in SAMPLES.items():
        if a.only and name not in a.only:
            continue
        t = time.perf_counter()
        truth = render_clip(spec, a.out / f"{name}.mp4")
        size = (a.out / f"{name}.mp4").stat().st_size
        logging.info(
            "%-32s %5d frames %6.1f s  %7.0f kB",
            name,
            truth["frame_count"],
            time.perf_counter() - t,
            size / 1e3,
        )
    logging.info("all done in %.1f s", time.perf_counter() - t0)


if __name__ == "__main__":
    main()
