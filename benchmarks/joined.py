"""Sessions of several exercises in one recording: are the sets found, in order, with their counts?

People record a whole session in one go, or join the clips of a session into one video. This
joins rendered clips that have truth files (the ``formcheck.truth/1`` format of ``samples/``:
your validation set) into sessions of two or three different exercises with hard cuts between
them, each clip fitted into the first one's frame (scaled, with bars, so no angle changes), each
frame keeping its own clip's timing. It then runs formcheck on each session exactly as
``formcheck analyze`` does (the real model, tracking straight through the cuts) and checks each
part of the session against its clip's truth:

* the part has exactly one set, of the right exercise, and no set reaches more than 2 s into
  another part;
* its rep or round count is exact (bridge, cat-cow);
* a plank's hold time (as a physiotherapist counts holds) is within 1 s.

Which clips make up each session is drawn at random from ``--seed``; the table lists them, so a
session can be made again. Videos are written to a temporary folder, or to ``--keep DIR``.

Usage::

    python benchmarks/joined.py FOLDER [FOLDER ...] [--sessions 6] [--parts 3] [--seed 1] \
        [--max-fps 30] [--keep DIR] [--check]

``--check`` exits 1 when a part is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from accuracy import find_clips, physio_holds  # noqa: E402

from formcheck.analysis import analyze_series  # noqa: E402
from formcheck.config import Config  # noqa: E402
from formcheck.live.annotate import AnnotatedVideoWriter  # noqa: E402
from formcheck.pose.estimator import PoseOptions  # noqa: E402
from formcheck.run.pipeline import track_file  # noqa: E402

EXERCISES = ("glute_bridge", "plank", "cat_cow")
HOLD_TOLERANCE_S = 1.0
#: A set may run this far over a cut (sets start and end where the posture is recognised, which
#: takes a moment either way).
EDGE_TOLERANCE_S = 2.0


@dataclass
class Part:
    clip: Path
    exercise: str
    start_s: float
    end_s: float
    reps_true: int
    hold_true: float | None
    found: list[dict[str, Any]] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def draw_sessions(
    clips: list[tuple[Path, Path]], sessions: int, parts: int, seed: int
) -> list[list[tuple[Path, dict]]]:
    """``sessions`` draws of ``parts`` clips of different exercises, in a random order."""
    by_exercise: dict[str, list[tuple[Path, dict]]] = {e: [] for e in EXERCISES}
    for video, truth_path in clips:
        truth = json.loads(truth_path.read_text())
        if truth.get("exercise") in by_exercise:
            by_exercise[truth["exercise"]].append((video, truth))
    kinds = [e for e in EXERCISES if by_exercise[e]]
    if len(kinds) < min(parts, 2):
        raise SystemExit("need clips of at least two exercises (with truth files)")
    rng = random.Random(seed)
    drawn = []
    for _ in range(sessions):
        order = rng.sample(kinds, min(parts, len(kinds)))
        drawn.append([rng.choice(by_exercise[e]) for e in order])
    return drawn


def _fit(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """The image scaled to fit ``width`` x ``height``, centred, with black bars."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    scaled = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    canvas = np.zeros((height, width, 3), np.uint8)
    x0, y0 = (width - size[0]) // 2, (height - size[1]) // 2
    canvas[y0 : y0 + size[1], x0 : x0 + size[0]] = scaled
    return canvas


def join(videos: list[Path], out: Path) -> list[tuple[float, float]]:
    """Write the clips one after another into ``out`` (H.264, millisecond timestamps); the
    (start, end) seconds of each clip in it."""
    first = cv2.VideoCapture(str(videos[0]))
    width = int(first.get(cv2.CAP_PROP_FRAME_WIDTH)) // 2 * 2
    height = int(first.get(cv2.CAP_PROP_FRAME_HEIGHT)) // 2 * 2
    first.release()
    spans = []
    offset_ms = 0.0
    with AnnotatedVideoWriter(out, 30.0, (width, height), crf=20) as writer:
        for video in videos:
            capture = cv2.VideoCapture(str(video))
            fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
            index = 0
            while True:
                ok, image = capture.read()
                if not ok:
                    break
                stamp = round(offset_ms + index * 1000.0 / fps)
                writer.write(_fit(image, width, height), timestamp_ms=stamp)
                index += 1
            capture.release()
            end_ms = offset_ms + index * 1000.0 / fps
            spans.append((offset_ms / 1000.0, end_ms / 1000.0))
            offset_ms = end_ms
    return spans


def _held(set_: dict[str, Any]) -> float:
    """A set's hold time, all its holds together."""
    return float(sum(h["duration_s"] for h in set_.get("holds", [])))


def check_session(parts: list[Part], sets: list[dict[str, Any]]) -> list[Part]:
    """Give each part the sets that lie (mostly) inside it, and what it missed."""
    edge = EDGE_TOLERANCE_S
    for s in sets:
        middle = (s["start_s"] + s["end_s"]) / 2
        inside = [p for p in parts if p.start_s <= middle < p.end_s]
        if inside:
            inside[0].found.append(s)
        for p in parts:
            if p not in inside and s["start_s"] < p.end_s - edge and s["end_s"] > p.start_s + edge:
                p.misses.append(f"{s['exercise']} set reaches in")
    for p in parts:
        kinds = [s["exercise"] for s in p.found]
        if kinds != [p.exercise]:
            p.misses.append(f"sets {kinds or 'none'}")
        same = [s for s in p.found if s["exercise"] == p.exercise]
        if p.exercise in ("glute_bridge", "cat_cow"):
            reps = sum(len(s["reps"]) for s in same)
            if reps != p.reps_true:
                p.misses.append(f"{reps}/{p.reps_true} reps")
        if p.hold_true is not None:
            held = sum(_held(s) for s in same)
            if abs(held - p.hold_true) > HOLD_TOLERANCE_S:
                p.misses.append(f"held {held:.1f} s of {p.hold_true:.1f}")
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders of clips with truth")
    parser.add_argument("--sessions", type=int, default=6, help="sessions to join (default 6)")
    parser.add_argument("--parts", type=int, default=3, help="exercises per session (2 or 3)")
    parser.add_argument("--seed", type=int, default=1, help="which clips, in which order")
    parser.add_argument(
        "--max-fps", type=float, default=None, help="analyse at most this many frames/s"
    )
    parser.add_argument("--keep", type=Path, default=None, help="write the sessions here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a part is missed")
    args = parser.parse_args(argv)
    if args.parts not in (2, 3):
        parser.error("--parts must be 2 or 3")
    config = Config()
    sessions = draw_sessions(find_clips(args.folders), args.sessions, args.parts, args.seed)
    options = PoseOptions().for_exercise("auto")
    missed = total = 0
    with tempfile.TemporaryDirectory(prefix="formcheck-joined-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for number, chosen in enumerate(sessions, 1):
            out = folder / f"session{number:02d}.mp4"
            spans = join([video for video, _ in chosen], out)
            started = time.perf_counter()
            series = track_file(out, options=options, max_fps=args.max_fps)
            analysis = analyze_series(series, "auto", config)
            seconds = time.perf_counter() - started
            parts = []
            for (video, truth), (start, end) in zip(chosen, spans, strict=True):
                truth = physio_holds(truth, config.plank.hold_grace_s)
                hold = None
                if truth["exercise"] == "plank":
                    hold = sum(h["duration_s"] for h in truth.get("holds", []))
                parts.append(
                    Part(video, truth["exercise"], start, end, len(truth.get("reps", [])), hold)
                )
            check_session(parts, analysis.sets)
            print(f"{out.name} ({spans[-1][1]:.0f} s, analysed in {seconds:.0f} s)")
            for p in parts:
                total += 1
                missed += bool(p.misses)
                found = ", ".join(
                    f"{s['exercise']} {s['start_s']:.0f}-{s['end_s']:.0f} s "
                    + (
                        f"held {_held(s):.1f} s"
                        if s["exercise"] == "plank"
                        else f"{len(s['reps'])} reps"
                    )
                    for s in p.found
                )
                want = f"held {p.hold_true:.1f} s" if p.hold_true is not None else f"{p.reps_true}"
                verdict = "ok" if not p.misses else "MISSED: " + "; ".join(p.misses)
                print(
                    f"  {p.start_s:5.1f}-{p.end_s:5.1f} s {p.clip.name[:44]:44s} "
                    f"want {want:>12s}  found {found or '-'}  {verdict}"
                )
            sys.stdout.flush()
    print(f"\nparts right: {total - missed}/{total} in {len(sessions)} sessions")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
