"""Display rate and capture-to-overlay latency of the live page (``formcheck serve``), measured
in the browser.

Each sample plays as Chromium's fake camera (converted to .y4m in a temporary folder) into the
live page, served by the real server with the full pose model. The page measures what a person
sees: **frames/s shown** (frames drawn with their overlay per second) and the **latency** from
the moment the page grabbed a camera frame to the moment that frame was drawn with its overlay
(JPEG encoding, the WebSocket both ways, decoding, the model, the analysis and the drawing).
The first ``--warmup`` seconds are left out. The load average is printed: other work on the
machine slows the model down.

A second table splits the round trip (means, ms), from the timings the page and the server
put in each frame: ``grab`` (camera frame onto a canvas), ``encode`` (JPEG), ``held`` (encoded,
waiting for the previous answer), ``up+down`` (the WebSocket both ways and the event loop:
round trip less the server's part), ``decode`` (JPEG on the server), ``wait`` (decoded, waiting
for the session thread), ``analyse`` (the model and the analysis), ``message`` (the overlay
data), ``draw`` (frame and overlay on the page's canvas), and the JPEG's size.

Usage::

    python benchmarks/web_latency.py samples/bridge_5reps_left.mp4 samples/plank_good_left.mp4 \\
        samples/catcow_5rounds_left.mp4 [--seconds 15] [--warmup 3] [--width 640] \\
        [--quality 0.7] [--no-pipeline] [--exercise auto]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.web_helpers import chromium, run_server, y4m_clip  # noqa: E402

STAGES = ("grab", "encode", "held", "up+down", "decode", "wait", "analyse", "message", "draw")


def measure(served, clip: Path, *, seconds: float, warmup: float, query: str) -> dict:
    with chromium(clip) as browser:
        page = browser.new_page()
        page.goto(f"{served.url}/live?{query}")
        page.get_by_test_id("start").click()
        page.wait_for_function("window.formcheck.stats.firstFrameAt !== null", timeout=90_000)
        page.wait_for_timeout((warmup + seconds) * 1000)
        data = page.evaluate(
            "({shown: window.formcheck.stats.shown, latency: window.formcheck.stats.latency,"
            " timing: window.formcheck.stats.timing, first: window.formcheck.stats.firstFrameAt})"
        )
        page.get_by_test_id("stop").click()
        page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
    shown = np.array(data["shown"])
    latency = np.array(data["latency"])
    keep = shown >= data["first"] + warmup * 1000
    shown, latency = shown[keep], latency[keep]
    timing = [t for t, k in zip(data["timing"], keep, strict=True) if k]
    stages = {}
    for name in STAGES:
        if name == "up+down":
            values = [t["rtt"] - t.get("server", 0.0) for t in timing]
        else:
            values = [t.get(name, 0.0) for t in timing]
        stages[name] = float(np.mean(values)) if values else 0.0
    stages["kB"] = float(np.mean([t["bytes"] for t in timing]) / 1000) if timing else 0.0
    fps = (len(shown) - 1) / ((shown[-1] - shown[0]) / 1000) if len(shown) > 1 else 0.0
    return {
        "frames": len(shown),
        "fps": float(fps),
        "mean": float(latency.mean()),
        "p95": float(np.percentile(latency, 95)),
        "max": float(latency.max()),
        "stages": stages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--width", type=int, default=640, help="width of the frames sent")
    parser.add_argument("--quality", type=float, default=0.7, help="JPEG quality of the frames")
    parser.add_argument(
        "--no-pipeline", action="store_true", help="grab each frame only once the last is answered"
    )
    parser.add_argument("--exercise", default="auto", help="the live page's exercise")
    args = parser.parse_args()
    query = f"exercise={args.exercise}&width={args.width}&quality={args.quality}"
    if args.no_pipeline:
        query += "&pipeline=0"
    print(f"page: /live?{query}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with run_server(folder) as served:
            for video in args.videos:
                clip = y4m_clip(video.name, folder)
                rows.append(
                    (
                        video.name,
                        measure(
                            served, clip, seconds=args.seconds, warmup=args.warmup, query=query
                        ),
                    )
                )
                clip.unlink()
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print("| sample | frames | frames/s shown | latency mean (ms) | p95 (ms) | max (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(
            f"| {name} | {r['frames']} | {r['fps']:.1f} | {r['mean']:.0f} | {r['p95']:.0f} "
            f"| {r['max']:.0f} |"
        )
    print()
    print("| sample | " + " | ".join(STAGES) + " | JPEG kB |")
    print("|---|" + "---:|" * (len(STAGES) + 1))
    for name, r in rows:
        cells = " | ".join(f"{r['stages'][s]:.1f}" for s in STAGES)
        print(f"| {name} | {cells} | {r['stages']['kB']:.0f} |")


if __name__ == "__main__":
    main()
