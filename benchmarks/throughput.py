"""Throughput of formcheck's pipeline: decoding, pose inference, and the whole analysis.

For each video it measures frames per second of
* **decode** — reading every frame (OpenCV/FFmpeg, the same source formcheck uses);
* **inference** — the pose model alone, fed frames decoded beforehand (an upper bound for
  the pipeline on this machine);
* **pipeline** — ``track_file`` + ``analyze_series``, i.e. what ``formcheck analyze`` does
  (decoding on a reader thread overlapping inference, masks, back outline, analysis);
and prints the ratio pipeline / inference (1.0 = decoding and analysis cost nothing).

Besides the samples it can build long videos from them (``--long 720p 1080p``): a sample
scaled to that height and looped to ``--long-seconds``.

Usage::

    python benchmarks/throughput.py [VIDEOS ...] [--long 720p 1080p] [--long-seconds 60]
        [--max-frames 600] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from formcheck.analysis import analyze_series  # noqa: E402
from formcheck.mediapipe_pose import MediaPipePoseEstimator  # noqa: E402
from formcheck.pipeline import track_file  # noqa: E402
from formcheck.pose import PoseOptions  # noqa: E402
from formcheck.sources import VideoFileSource  # noqa: E402


def make_long(sample: Path, height: int, seconds: float, out: Path) -> Path:
    """Loop ``sample`` scaled to ``height`` (16:9 canvas) for ``seconds`` into an MP4."""
    cap = cv2.VideoCapture(str(sample))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    width = round(height * 16 / 9 / 2) * 2
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    total = int(seconds * fps)
    for i in range(total):
        src = frames[i % len(frames)]
        scale = height / src.shape[0]
        resized = cv2.resize(src, (int(src.shape[1] * scale), height))
        canvas = np.full((height, width, 3), 128, np.uint8)
        x0 = max(0, (width - resized.shape[1]) // 2)
        w = min(width, resized.shape[1])
        canvas[:, x0 : x0 + w] = resized[:, :w]
        writer.write(canvas)
    writer.release()
    return out


def measure_decode(path: Path, max_frames: int) -> tuple[float, int]:
    start = time.perf_counter()
    n = 0
    with VideoFileSource(path) as source:
        for _ in source:
            n += 1
            if n >= max_frames:
                break
    return n / (time.perf_counter() - start), n


def measure_inference(path: Path, max_frames: int) -> float:
    frames = []
    with VideoFileSource(path) as source:
        for frame in source:
            frames.append(frame)
            if len(frames) >= max_frames:
                break
    with MediaPipePoseEstimator(PoseOptions()) as estimator:
        start = time.perf_counter()
        for frame in frames:
            estimator.estimate(frame.image, frame.timestamp_ms)
        return len(frames) / (time.perf_counter() - start)


def measure_pipeline(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    series = track_file(path)
    analyze_series(series, "auto")
    return len(series) / (time.perf_counter() - start), len(series)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--long", nargs="*", default=[], help="build long videos: 720p, 1080p")
    parser.add_argument("--long-seconds", type=float, default=60.0)
    parser.add_argument(
        "--max-frames",
        type=int,
        default=600,
        help="frames used for the decode and inference-only measures",
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    videos = list(args.videos) or sorted((REPO / "samples").glob("*.mp4"))[:3]
    tmp = Path(tempfile.mkdtemp(prefix="formcheck-bench-"))
    for spec in args.long:
        height = int(spec.rstrip("p"))
        print(f"building a {args.long_seconds:.0f} s {spec} video...", file=sys.stderr)
        videos.append(make_long(videos[0], height, args.long_seconds, tmp / f"long_{spec}.mp4"))
    rows = []
    head = (
        f"{'video':34} {'size':>9} {'frames':>6} {'decode':>8} {'infer':>8} {'pipeline':>8} "
        f"{'ratio':>6}"
    )
    print(head)
    print("-" * len(head))
    for video in videos:
        with VideoFileSource(video) as src:
            size = f"{src.info.width}x{src.info.height}"
        decode, _ = measure_decode(video, args.max_frames)
        infer = measure_inference(video, args.max_frames)
        pipe, n = measure_pipeline(video)
        rows.append(
            {
                "video": video.name,
                "size": size,
                "frames": n,
                "decode_fps": decode,
                "inference_fps": infer,
                "pipeline_fps": pipe,
                "ratio": pipe / infer,
            }
        )
        print(
            f"{video.name[:34]:34} {size:>9} {n:>6} {decode:8.1f} {infer:8.1f} {pipe:8.1f} "
            f"{pipe / infer:6.2f}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this process: {peak_mb:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "peak_rss_mb": peak_mb}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
