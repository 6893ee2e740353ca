"""Throughput of formcheck against the bare pose model, and batches on 1-2 workers, local and Ray.

For each video it measures, alternating ``--repeat`` times (medians reported):
* **bare model** — MediaPipe's PoseLandmarker alone, landmarks only
  (``output_segmentation_masks=False``), VIDEO mode, over every frame of the video, each frame
  decoded and converted beforehand and only the model's calls timed: what a user compares with;
* **whole process** — ``python -m formcheck analyze VIDEO --no-history --json ...`` timed from
  launch to exit (imports, model loading, decoding, the model, the analysis, the report), as
  frames of the video per second of wall time;
and prints the ratio process / bare model per row (1.0 = formcheck costs nothing beyond the
model). ``--decode`` adds decoding alone.

Besides the samples it can build long videos from them (``--long 720p 1080p``): a sample
scaled to that height and looped to ``--long-seconds``.

``--scaling`` times batches of ``--batch-count`` recordings (the first seconds of the samples)
with 1 and 2 workers, with the local engine (worker processes) and with Ray (a local instance,
its start-up timed apart), as recordings per minute, and the per-recording overhead Ray adds
(its batch time minus the local engine's, per recording, at the same worker count).

Usage::

    python benchmarks/throughput.py [VIDEOS ...] [--long 720p 1080p] [--long-seconds 60]
        [--repeat 3] [--decode] [--every-frame] [--json out.json]
        [--scaling --batch-count 4 --batch-seconds 8]
        [--memory-minutes 30 --memory-fps 30]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
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
from formcheck.pose.models import resolve_model  # noqa: E402


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


def measure_bare_model(path: Path) -> tuple[float, int]:
    """(frames/s, frames) of the bare landmarker over every frame of the video: landmarks
    only, VIDEO mode, formcheck's model and confidences; each frame is decoded and converted
    to a MediaPipe image first (not timed), then only the model's call is timed."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    pose = PoseOptions()
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(resolve_model(None).path)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
        min_pose_detection_confidence=pose.min_pose_detection_confidence,
        min_pose_presence_confidence=pose.min_pose_presence_confidence,
        min_tracking_confidence=pose.min_tracking_confidence,
        output_segmentation_masks=False,
    )
    busy = 0.0
    n = 0
    last = -1
    with (
        vision.PoseLandmarker.create_from_options(options) as landmarker,
        VideoFileSource(path) as source,
    ):
        for frame in source:
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            last = max(frame.timestamp_ms, last + 1)
            start = time.perf_counter()
            landmarker.detect_for_video(image, last)
            busy += time.perf_counter() - start
            n += 1
    return n / busy, n


def measure_process(path: Path, frames: int, tmp: Path, extra: list[str] | None = None) -> float:
    """Frames of the video per second of wall time of a whole ``formcheck analyze`` process,
    from launch to exit."""
    report = tmp / "process.json"
    command = [sys.executable, "-m", "formcheck", "analyze", str(path), "--no-history"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--json", str(report), *(extra or [])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FORMCHECK_DB": str(tmp / "history.db")},
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return frames / seconds


def cut(sample: Path, seconds: float, out: Path) -> Path:
    """The first ``seconds`` of ``sample`` as an MP4 (mp4v)."""
    cap = cv2.VideoCapture(str(sample))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for _ in range(round(seconds * fps)):
        ok, image = cap.read()
        if not ok:
            break
        writer.write(image)
    writer.release()
    cap.release()
    return out


def measure_scaling(count: int, seconds: float, repeat: int, tmp: Path) -> dict[str, object]:
    """Recordings per minute of a batch of ``count`` recordings (cuts of the samples) with 1
    and 2 workers, local and Ray, medians of ``repeat``; and what Ray adds."""
    from formcheck.run.batch import prepare_batch, run_batch
    from formcheck.run.ray_engine import ray_available, run_batch_ray
    from formcheck.run.recording import RecordingOptions

    samples = sorted((REPO / "samples").glob("*.mp4"))
    folder = tmp / "batch"
    folder.mkdir(exist_ok=True)
    inputs = [
        cut(
            samples[i % len(samples)], seconds, folder / f"{i:02d}_{samples[i % len(samples)].name}"
        )
        for i in range(count)
    ]
    options = RecordingOptions()
    out = tmp / "batch-reports"
    results: dict[str, object] = {"count": count, "seconds_each": seconds}
    engines = ["local", "ray"] if ray_available() else ["local"]
    for workers in (1, 2):
        for engine in engines:
            times = []
            startups = []
            for _ in range(repeat):
                shutil.rmtree(out, ignore_errors=True)
                plan = prepare_batch(inputs, out, force=True)
                if engine == "local":
                    start = time.perf_counter()
                    run_batch(plan, out, options, workers=workers)
                    times.append(time.perf_counter() - start)
                else:
                    import ray

                    start = time.perf_counter()
                    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
                    startups.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    run_batch_ray(plan, out, options, workers=workers)
                    times.append(time.perf_counter() - start)
                    ray.shutdown()
            median = float(np.median(times))
            results[f"{engine}_{workers}"] = {
                "seconds": median,
                "per_minute": 60.0 * count / median,
                "startup_s": float(np.median(startups)) if startups else 0.0,
            }
    return results


def print_scaling(result: dict[str, object]) -> None:
    count = result["count"]
    print(
        f"\nbatches of {count} recordings ({result['seconds_each']:g} s each, 30 fps cuts of the "
        "samples):"
    )
    head = f"{'workers':>7} {'engine':>6} {'batch s':>8} {'recordings/min':>15} {'start-up s':>10}"
    print(head)
    print("-" * len(head))
    for workers in (1, 2):
        for engine in ("local", "ray"):
            row = result.get(f"{engine}_{workers}")
            if isinstance(row, dict):
                print(
                    f"{workers:>7} {engine:>6} {row['seconds']:8.1f} {row['per_minute']:15.1f} "
                    f"{row['startup_s']:10.1f}"
                )
    for workers in (1, 2):
        local, on_ray = result.get(f"local_{workers}"), result.get(f"ray_{workers}")
        if isinstance(local, dict) and isinstance(on_ray, dict):
            extra = (on_ray["seconds"] - local["seconds"]) / count
            print(
                f"Ray adds {extra:+.2f} s per recording with {workers} worker(s) (batch time "
                f"against the local engine's, Ray's start-up of {on_ray['startup_s']:.1f} s "
                "apart)"
            )


def measure_memory(sample: Path, minutes: float, fps: float, tmp: Path) -> dict[str, float]:
    """Peak resident memory of ``formcheck analyze`` on a ``minutes``-long video (``sample``
    looped at ``fps``, 426x240), run as a separate process."""
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
    parser.add_argument("--decode", action="store_true", help="also time decoding alone")
    parser.add_argument(
        "--every-frame",
        action="store_true",
        help="also time the process analysing every frame (--max-fps 0)",
    )
    parser.add_argument(
        "--max-frames", type=int, default=600, help="frames used for the decode-only measure"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternate the bare model and the process N times"
    )
    parser.add_argument("--scaling", action="store_true", help="also time batches (1-2 workers)")
    parser.add_argument("--batch-count", type=int, default=4)
    parser.add_argument("--batch-seconds", type=float, default=8.0)
    parser.add_argument("--no-rows", action="store_true", help="only the batches (--scaling)")
    parser.add_argument(
        "--memory-minutes",
        type=float,
        default=None,
        help="also measure peak memory of `formcheck analyze` on a video this long",
    )
    parser.add_argument("--memory-fps", type=float, default=30.0)
    args = parser.parse_args(argv)
    videos = (
        [] if args.no_rows else list(args.videos) or sorted((REPO / "samples").glob("*.mp4"))[:3]
    )
    tmp = Path(tempfile.mkdtemp(prefix="formcheck-bench-"))
    for spec in args.long:
        height = int(spec.rstrip("p"))
        print(f"building a {args.long_seconds:.0f} s {spec} video...", file=sys.stderr)
        base = args.videos[0] if args.videos else REPO / "samples" / "bridge_5reps_left.mp4"
        videos.append(make_long(base, height, args.long_seconds, tmp / f"long_{spec}.mp4"))
    print(
        f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
    )
    rows = []
    head = (
        f"{'video':34} {'size':>9} {'fps':>4} {'frames':>6} {'decode':>8} {'bare model':>10} "
        f"{'process':>8} {'ratio':>6}"
        + (f" {'all frames':>10} {'ratio':>6}" if args.every_frame else "")
    )
    if videos:
        print(head)
        print("-" * len(head))
    for video in videos:
        with VideoFileSource(video) as src:
            size = f"{src.info.width}x{src.info.height}"
            fps = src.info.fps or 0.0
        decode = measure_decode(video, args.max_frames)[0] if args.decode else float("nan")
        # the bare model and the whole process alternate --repeat times; each figure is the
        # median, and the ratio is the median of each run's ratio (both sides under the same load)
        bares, procs, ratios, alls, all_ratios = [], [], [], [], []
        for _ in range(args.repeat):
            bare, n = measure_bare_model(video)
            proc = measure_process(video, n, tmp)
            bares.append(bare)
            procs.append(proc)
            ratios.append(proc / bare)
            if args.every_frame:
                alls.append(measure_process(video, n, tmp, ["--max-fps", "0"]))
                all_ratios.append(alls[-1] / bare)
        bare, proc, ratio = (float(np.median(v)) for v in (bares, procs, ratios))
        every, every_ratio = (float(np.median(v)) if v else None for v in (alls, all_ratios))
        rows.append(
            {
                "video": video.name,
                "size": size,
                "frames": n,
                "decode_fps": decode,
                "bare_model_fps": bare,
                "process_fps": proc,
                "ratio": ratio,
                "ratios": ratios,
                "every_frame_fps": every,
                "every_frame_ratio": every_ratio,
            }
        )
        shown = f"{decode:8.1f}" if args.decode else f"{'-':>8}"
        tail = "" if every is None else f" {every:10.1f} {every_ratio:6.2f}"
        print(
            f"{video.name[:34]:34} {size:>9} {fps:4.0f} {n:>6} {shown} {bare:10.1f} {proc:8.1f} "
            f"{ratio:6.2f}{tail}",
            flush=True,
        )
    if videos:
        print(
            "\nframes/s: decode alone (--decode), the bare model (landmarks only, VIDEO mode, "
            "pre-decoded frames, only its calls timed), the whole `formcheck analyze` process "
            "from launch to exit (frames of the video / wall time; at its default rate, at most "
            "30 analysed frames a second), and with --every-frame the same process with "
            "--max-fps 0 (every frame analysed); ratio = process / bare model "
            f"(median of {args.repeat} alternating runs' ratios)"
        )
    scaling = None
    if args.scaling:
        scaling = measure_scaling(args.batch_count, args.batch_seconds, args.repeat, tmp)
        print_scaling(scaling)
    memory = None
    if args.memory_minutes:
        print(f"building a {args.memory_minutes:g} min video...", file=sys.stderr)
        memory = measure_memory(videos[0], args.memory_minutes, args.memory_fps, tmp)
        print(
            f"memory: `formcheck analyze` on a {memory['minutes']:g} min video "
            f"({memory['frames']} frames at {args.memory_fps:g} fps, 426x240) took "
            f"{memory['seconds']:.0f} s, peak resident {memory['peak_rss_mb']:.0f} MB"
        )
    print("load after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak_mb:.0f} MB")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"rows": rows, "scaling": scaling, "peak_rss_mb": peak_mb, "memory": memory},
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
