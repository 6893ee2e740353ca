"""Throughput of formcheck's pipeline: decoding, pose inference, and the whole analysis.

For each video it measures frames per second of
* **decode** — reading every frame (OpenCV/FFmpeg, the same source formcheck uses);
* **inference** — the pose model alone over the same frames, each decoded beforehand and only
  the model's call timed (an upper bound for the pipeline on this machine);
* **pipeline** — ``track_file`` + ``analyze_series``, i.e. what ``formcheck analyze`` does
  (decoding on a reader thread overlapping inference, masks, back outline, analysis);
and prints the ratio pipeline / inference (1.0 = decoding and analysis cost nothing).

Besides the samples it can build long videos from them (``--long 720p 1080p``): a sample
scaled to that height and looped to ``--long-seconds``.

Usage::

    python benchmarks/throughput.py [VIDEOS ...] [--long 720p 1080p] [--long-seconds 60]
        [--max-frames 600] [--repeat 3] [--json out.json]
        [--memory-minutes 30 --memory-fps 30]
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

from formcheck.media.sources import VideoFileSource  # noqa: E402
from formcheck.pose.estimator import PoseOptions  # noqa: E402
from formcheck.pose.mediapipe_pose import MediaPipePoseEstimator  # noqa: E402
from formcheck.run.pipeline import analyze_file  # noqa: E402


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


def measure_inference(path: Path) -> float:
    """Frames/s of the model alone over every frame of the video: each frame is decoded
    first (not timed), then only the model's call is timed; the same frames the pipeline
    sees, so the two figures compare like for like."""
    busy = 0.0
    n = 0
    with MediaPipePoseEstimator(PoseOptions()) as estimator, VideoFileSource(path) as source:
        for frame in source:
            start = time.perf_counter()
            estimator.estimate(frame.image, frame.timestamp_ms)
            busy += time.perf_counter() - start
            n += 1
    return n / busy


def measure_pipeline(path: Path) -> tuple[float, float, int]:
    """(frames/s of the whole run, frames/s after the model is loaded, frames): what
    ``formcheck analyze`` does — the reader thread decoding and converting ahead, the model,
    the back outline and the frame-by-frame analysis."""
    with MediaPipePoseEstimator(PoseOptions()):
        pass  # warm the file cache, as the inference-only measure had
    start = time.perf_counter()
    loaded: list[float] = []

    def first(done: int, _total: int | None) -> None:
        if done == 1:
            loaded.append(time.perf_counter())

    series, _ = analyze_file(path, "auto", on_progress=first)
    end = time.perf_counter()
    n = len(series)
    after_load = (n - 1) / (end - loaded[0]) if loaded and n > 1 else float("nan")
    return n / (end - start), after_load, n


def measure_memory(sample: Path, minutes: float, fps: float, tmp: Path) -> dict[str, float]:
    """Peak resident memory of ``formcheck analyze`` on a ``minutes``-long video (``sample``
    looped at ``fps``, 426x240), run as a separate process."""
    import subprocess

    video = tmp / f"long_{minutes:g}min.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", str(sample),
         "-t", str(minutes * 60), "-r", str(fps), "-vf", "scale=-2:240", "-an",
         "-c:v", "libx264", "-preset", "ultrafast", str(video)],
        check=True,
    )  # fmt: skip
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "formcheck", "analyze", str(video), "--json", str(tmp / "r.json")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    frames = json.loads((tmp / "r.json").read_text())["source"]["frames"]
    return {"minutes": minutes, "frames": frames, "seconds": seconds, "peak_rss_mb": peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--long", nargs="*", default=[], help="build long videos: 720p, 1080p")
    parser.add_argument("--long-seconds", type=float, default=60.0)
    parser.add_argument(
        "--max-frames",
        type=int,
        default=600,
        help="frames used for the decode-only measure",
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate inference and pipeline runs N times"
    )
    parser.add_argument(
        "--memory-minutes",
        type=float,
        default=None,
        help="also measure peak memory of `formcheck analyze` on a video this long",
    )
    parser.add_argument("--memory-fps", type=float, default=30.0)
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
        f"{'ratio':>6} {'loaded':>8} {'ratio':>6}"
    )
    print(head)
    print("-" * len(head))
    for video in videos:
        with VideoFileSource(video) as src:
            size = f"{src.info.width}x{src.info.height}"
        decode, _ = measure_decode(video, args.max_frames)
        # inference and pipeline alternate --repeat times; each figure is the median, so a
        # burst of other work on the machine during one run does not decide the ratio
        infers, pipes, loads = [], [], []
        for _ in range(args.repeat):
            infers.append(measure_inference(video))
            pipe, after_load, n = measure_pipeline(video)
            pipes.append(pipe)
            loads.append(after_load)
        infer = float(np.median(infers))
        pipe, after_load = float(np.median(pipes)), float(np.median(loads))
        rows.append(
            {
                "video": video.name,
                "size": size,
                "frames": n,
                "decode_fps": decode,
                "inference_fps": infer,
                "pipeline_fps": pipe,
                "ratio": pipe / infer,
                "pipeline_after_load_fps": after_load,
                "ratio_after_load": after_load / infer,
            }
        )
        print(
            f"{video.name[:34]:34} {size:>9} {n:>6} {decode:8.1f} {infer:8.1f} {pipe:8.1f} "
            f"{pipe / infer:6.2f} {after_load:8.1f} {after_load / infer:6.2f}"
        )
    print(
        "\nframes/s: decode alone, inference alone (pre-decoded frames), the whole pipeline "
        "(model loading included), and the pipeline once the model is loaded; ratio = "
        f"pipeline / inference; medians of {args.repeat} alternating run(s)"
    )
    memory = None
    if args.memory_minutes:
        print(f"building a {args.memory_minutes:g} min video...", file=sys.stderr)
        memory = measure_memory(videos[0], args.memory_minutes, args.memory_fps, tmp)
        print(
            f"memory: `formcheck analyze` on a {memory['minutes']:g} min video "
            f"({memory['frames']} frames at {args.memory_fps:g} fps, 426x240) took "
            f"{memory['seconds']:.0f} s, peak resident {memory['peak_rss_mb']:.0f} MB"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this process: {peak_mb:.0f} MB")
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "peak_rss_mb": peak_mb, "memory": memory}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
