"""Check the synthetic samples against the real pose model.

For every ``samples/*.mp4`` with a truth file, run formcheck's MediaPipe pose tracking and
report the share of frames with a person found and the mean pixel distance between
MediaPipe's shoulders, hips, knees and ankles and the projected true joint centres (all eight,
then only the camera-facing side). Prints a markdown table; exits non-zero when a clip has a
person in fewer than 95% of its frames.

Usage: python benchmarks/render_check.py [samples_dir] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

JOINTS = {
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
}
MIN_FOUND = 0.95


def check(video: Path) -> dict[str, Any]:
    from formcheck.pose.estimator import PoseOptions
    from formcheck.run.pipeline import track_file

    truth = json.loads(video.with_suffix(".json").read_text())
    t0 = time.perf_counter()
    series = track_file(video, options=PoseOptions(segmentation_masks=False))
    took = time.perf_counter() - t0
    lm = np.asarray(series.landmarks, dtype=np.float64)  # (T, 33, 4) x px, y px, z, vis
    n = min(len(lm), truth["frame_count"])
    found = ~np.isnan(lm[:n, 11, 0])
    errs, near = [], []
    side = truth["camera_side"]
    for name, idx in JOINTS.items():
        true = np.asarray(truth["frames"]["joints_px"][name], dtype=np.float64)[:n]
        d = np.linalg.norm(lm[:n, idx, :2] - true, axis=1)[found]
        errs.append(d)
        if name.startswith(side):
            near.append(d)
    all_d = np.concatenate(errs) if errs else np.array([np.nan])
    near_d = np.concatenate(near) if near else np.array([np.nan])
    return {
        "file": video.name,
        "exercise": truth["exercise"],
        "frames": truth["frame_count"],
        "size": f"{truth['width']}x{truth['height']}",
        "found": float(found.mean()) if n else 0.0,
        "mean_px": float(np.mean(all_d)),
        "near_px": float(np.mean(near_d)),
        "p90_px": float(np.percentile(all_d, 90)),
        "rel": float(np.mean(all_d)) / max(truth["width"], truth["height"]),
        "s": took,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("samples", nargs="?", type=Path, default=Path("samples"))
    p.add_argument("--only", nargs="*", default=None)
    a = p.parse_args(argv)
    videos = sorted(v for v in a.samples.glob("*.mp4") if v.with_suffix(".json").exists())
    if a.only:
        videos = [v for v in videos if v.stem in a.only]
    rows = [check(v) for v in videos]
    print(
        "| file | exercise | frames | size | person found | mean error px (8 joints) "
        "| camera side px | 90th pct px | mean / long side |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    bad = 0
    for r in rows:
        flag = "" if r["found"] >= MIN_FOUND else " **(< 95%)**"
        bad += bool(flag)
        print(
            f"| {r['file']} | {r['exercise']} | {r['frames']} | {r['size']} | "
            f"{100 * r['found']:.1f}%{flag} | {r['mean_px']:.1f} | {r['near_px']:.1f} | "
            f"{r['p90_px']:.1f} | {100 * r['rel']:.1f}% |"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
