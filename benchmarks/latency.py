"""Display rate and end-to-end latency of ``formcheck live``, with a video standing in for the
camera.

Each video is played at its own pace, as a camera would deliver it (formcheck's
:class:`~formcheck.media.capture.LatestFrameCapture`, keeping only the newest frame), through the
full live session: the real pose model (full model, segmentation masks), the analysis, the overlay
and a real OpenCV window (under a private Xvfb server when there is no ``DISPLAY``). Measured:

* **display rate** — frames shown per second;
* **latency** — from the moment a frame arrived (for a paced file: when it was due, as a
  camera would have delivered it) to the moment it was on screen (after ``cv2.imshow`` and
  ``cv2.waitKey``); mean, median, 95th percentile and maximum. The camera's own exposure and
  driver delay and the monitor's refresh come on top on a real webcam;
* **dropped** — camera frames replaced by a newer one before the model could take them.

The first ``--warmup`` seconds (model start-up) are left out. The machine's load average is
printed before and after: other work on the machine slows the model down.

Usage::

    python benchmarks/latency.py samples/bridge_5reps_left.mp4 samples/plank_good_left.mp4 \\
        samples/catcow_5rounds_left.mp4 [--seconds 20] [--warmup 2] [--no-window] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from formcheck.config import Config  # noqa: E402
from formcheck.live.interrupt import InterruptFlag  # noqa: E402
from formcheck.live.live import run_live  # noqa: E402
from formcheck.live.live_session import LiveSession  # noqa: E402
from formcheck.live.window import WindowDisplay  # noqa: E402
from formcheck.media.capture import LatestFrameCapture, open_live_source  # noqa: E402

TARGET_FPS = 25.0
TARGET_LATENCY_MS = 100.0


@contextlib.contextmanager
def a_display() -> Iterator[str]:
    """The current DISPLAY, or a private Xvfb server for the duration."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("no DISPLAY and no Xvfb: install xvfb or use --no-window")
    number = next(n for n in range(80, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    with tempfile.TemporaryDirectory() as fbdir:
        server = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-fbdir", fbdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while not Path(f"/tmp/.X11-unix/X{number}").exists():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("Xvfb did not start")
                time.sleep(0.05)
            os.environ["DISPLAY"] = f":{number}"
            yield os.environ["DISPLAY"]
        finally:
            os.environ.pop("DISPLAY", None)
            server.terminate()
            server.wait(timeout=10)


def measure(video: Path, *, seconds: float, warmup: float, window: bool) -> dict[str, Any]:
    """Run a live session over ``video`` (paced) for up to ``seconds``; its figures."""
    stop = InterruptFlag()
    timer = threading.Timer(seconds, lambda: setattr(stop, "is_set", True))
    display = WindowDisplay(f"latency {video.name}") if window else None
    with (
        open_live_source(str(video)) as source,
        LiveSession(Config(), exercise="auto", display=display, show_latency=True) as session,
        LatestFrameCapture(source) as capture,
    ):
        timer.start()
        try:
            run_live(capture, session, interrupt=stop)
        finally:
            timer.cancel()
            if display is not None:
                display.close()
    stats = session.stats
    shown = np.asarray(stats.shown_at)
    lat = np.asarray(stats.latencies_ms)
    keep = shown >= shown[0] + warmup if shown.size else shown.astype(bool)
    shown, lat = shown[keep], lat[keep]
    span = float(shown[-1] - shown[0]) if shown.size > 1 else 0.0
    width, height = capture.info.width, capture.info.height
    return {
        "video": video.name,
        "size": f"{width}x{height}",
        "source_fps": capture.info.fps,
        "frames_captured": capture.captured,
        "frames_dropped": capture.dropped,
        "frames_shown": int(stats.shown),
        "display_fps": (shown.size - 1) / span if span > 0 else float("nan"),
        "latency_ms_mean": float(lat.mean()) if lat.size else float("nan"),
        "latency_ms_p50": float(np.percentile(lat, 50)) if lat.size else float("nan"),
        "latency_ms_p95": float(np.percentile(lat, 95)) if lat.size else float("nan"),
        "latency_ms_max": float(lat.max()) if lat.size else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "videos",
        nargs="*",
        type=Path,
        default=[
            REPO / "samples" / "bridge_5reps_left.mp4",
            REPO / "samples" / "plank_good_left.mp4",
            REPO / "samples" / "catcow_5rounds_left.mp4",
        ],
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this long a video")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds left out at start")
    parser.add_argument("--no-window", action="store_true", help="no window (console only)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    rows = []
    with a_display() if not args.no_window else contextlib.nullcontext("none") as display:
        print(
            f"window: {'no' if args.no_window else 'yes, DISPLAY=' + str(display)}; "
            f"cores: {os.cpu_count()}; load average before: "
            + " ".join(f"{v:.2f}" for v in load_before),
        )
        for video in args.videos:
            rows.append(
                measure(video, seconds=args.seconds, warmup=args.warmup, window=not args.no_window)
            )
    load_after = os.getloadavg()

    head = (
        f"{'video':<28} {'size':>9} {'src fps':>7} {'shown':>6} {'display fps':>11} "
        f"{'latency mean':>12} {'p50':>6} {'p95':>6} {'max':>6} {'dropped':>9}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['video']:<28} {r['size']:>9} {r['source_fps'] or 0:7.1f} {r['frames_shown']:6d} "
            f"{r['display_fps']:11.1f} {r['latency_ms_mean']:10.0f} ms {r['latency_ms_p50']:6.0f} "
            f"{r['latency_ms_p95']:6.0f} {r['latency_ms_max']:6.0f} "
            f"{r['frames_dropped']:4d}/{r['frames_captured']:<4d}"
        )
    fps_ok = all(r["display_fps"] >= TARGET_FPS for r in rows)
    lat_ok = all(r["latency_ms_mean"] <= TARGET_LATENCY_MS for r in rows)
    print(
        f"\ntargets: display >= {TARGET_FPS:.0f} frames/s {'met' if fps_ok else 'NOT met'}; "
        f"latency <= {TARGET_LATENCY_MS:.0f} ms (mean) {'met' if lat_ok else 'NOT met'}"
    )
    print("load average after: " + " ".join(f"{v:.2f}" for v in load_after))
    if args.json:
        payload = {"load_before": load_before, "load_after": load_after, "rows": rows}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
