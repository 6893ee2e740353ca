"""Accuracy of formcheck's analysis against ground truth, per clip and overall.

Runs the real pose model over every video in a folder that has a truth file next to it (the
``formcheck.truth/1`` format of ``samples/``), analyses it exactly as ``formcheck analyze`` does,
and compares:

* rep / round count error, and rep timing error (start, peak, end) of matched reps;
* hold time and good-form time error (plank);
* angle error against the per-frame truth: bridge hip angle, plank alignment (mean absolute,
  frames inside the analysed set; in a knee-plank hold the shoulder-hip-knee line, as the
  truth's form rule for knee planks); cat-cow spinal range per round (relative error);
* faults: each truth fault is found when a warning of the same type overlaps it; onset delay is
  |warning start - truth start|; precision and recall by interval overlap;
* false warnings on good-form clips (clips whose truth lists no fault).

Truth files written before issue 15 count a rest on the knees inside a forearm plank as one
hold with a ``knees_down`` fault; :func:`physio_holds` reads them as a physiotherapist counts
(knees down longer than ``plank.hold_grace_s`` end the hold, getting back up starts a new one).

It also reports the plank alignment classifier on real people (``../shared/data/plank_landmarks``,
when present): per label, the share of frames classified as correct / sagging / piked.

Usage::

    python benchmarks/accuracy.py [FOLDER ...] [--exercise auto] [--cache DIR] \
        [--json out.json] [--check] [--max-fps 15] [--split-height 0.6]

``--check`` exits 1 when a target is missed. Targets: every rep count exact; hold and good-form
time within 1 s; bridge hip angle mean error <= 5 deg; plank alignment mean error <= 3 deg; cat-cow
range within 20%; every fault found within 1.5 s of its onset; no fault warning on a good-form clip.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from formcheck.analysis import analyze_series  # noqa: E402
from formcheck.analysis.plank import far_landmarks, plank_measures  # noqa: E402
from formcheck.config import Config, load_config  # noqa: E402
from formcheck.measure.camera import summarise as summarise_camera  # noqa: E402
from formcheck.measure.signals import SideConditioner  # noqa: E402
from formcheck.media.sources import VideoFileSource  # noqa: E402
from formcheck.pose.estimator import PoseOptions  # noqa: E402
from formcheck.pose.landmarks import Landmark, PoseFrame, PoseSeries  # noqa: E402
from formcheck.pose.lanes import lanes_for  # noqa: E402
from formcheck.pose.track import load_track, save_track  # noqa: E402
from formcheck.run.halves import half_split  # noqa: E402
from formcheck.run.pipeline import track_file  # noqa: E402
from formcheck.synth.truth import camera_tilt_deg  # noqa: E402

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v"}
FAULT_ONSET_TOLERANCE_S = 1.5
TARGETS = {
    "rep_count_exact": "every rep count exact",
    "hold_s": "hold time within 1 s",
    "good_form_s": "good-form time within 1 s",
    "bridge_angle": "bridge hip angle mean error <= 5 deg",
    "plank_angle": "plank alignment mean error <= 3 deg",
    "catcow_range": "cat-cow range within 20% of the truth",
    "faults": "every fault found within 1.5 s of its onset",
    "false_warnings": "no fault warning on a good-form clip",
    "too_steep": "no more than one clip in ten flagged as too steep to measure",
}
MEASURE_TRUTH = {
    "glute_bridge": ("hip_angle_deg", "hip_angle_deg"),
    "plank": ("full_alignment_deg", "plank_alignment_deg"),  # both shoulder-hip-ankle
}


@dataclass
class ClipResult:
    name: str
    exercise: str
    found_exercises: list[str]
    reps_true: int
    reps_found: int
    timing_err_s: float | None = None
    hold_true: float | None = None
    hold_found: float | None = None
    good_true: float | None = None
    good_found: float | None = None
    angle_err: float | None = None
    range_err: float | None = None
    faults_true: list[dict[str, Any]] = field(default_factory=list)
    faults_found: list[dict[str, Any]] = field(default_factory=list)
    fault_matches: list[tuple[str, float | None]] = field(default_factory=list)
    false_warnings: int = 0
    precision: float | None = None
    recall: float | None = None
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    camera_height_m: float | None = None
    tilt_true: float | None = None
    tilt_found: float | None = None
    too_steep: bool = False
    head_err: float | None = None


def find_clips(folders: list[Path]) -> list[tuple[Path, Path]]:
    clips = []
    for folder in folders:
        for video in sorted(folder.iterdir()):
            truth = video.with_suffix(".json")
            if video.suffix.lower() in VIDEO_SUFFIXES and truth.exists():
                clips.append((video, truth))
    return clips


def cached_series(
    video: Path,
    cache: Path | None,
    max_fps: float | None = None,
    exercise: str = "auto",
    masks: str = "analyze",
    lanes: int | None = None,
    model: Path | None = None,
) -> PoseSeries:
    """The real model's track of ``video``. ``masks="analyze"`` runs the model as
    ``formcheck analyze`` does for ``exercise`` (segmentation masks only where a cat-cow may
    be); ``"always"`` computes them on every frame. ``lanes``: copies of the model taking
    turns over the frames (None: as ``formcheck analyze`` runs it on this machine)."""
    options = PoseOptions(model=model)
    if masks == "analyze":
        options = options.for_exercise(exercise)
    auto = lanes is None  # as `formcheck analyze` runs the model (lanes or halves)
    with VideoFileSource(video) as source:
        rate = source.info.fps or None
        if rate is not None and max_fps is not None:
            rate = min(rate, max_fps)
        halves = auto and half_split(source, rate, options, None) is not None
    if lanes is None:
        lanes = lanes_for(rate, options)
    if cache is None:
        return track_file(video, options=options, max_fps=max_fps, lanes=None if auto else lanes)
    digest = hashlib.sha256(video.read_bytes()).hexdigest()[:16]
    rate_name = "" if max_fps is None else f"-max{max_fps:g}fps"
    mode = ""
    if masks != "always":
        mode = f"-masks-{options.masks_when if options.segmentation_masks else 'never'}"
    if model is not None:
        mode += f"-model-{model.stem}"
    if halves:
        mode += "-halves"
    elif lanes > 1:
        mode += f"-lanes{lanes}"
    path = cache / f"{video.stem}-{digest}{rate_name}{mode}.npz"
    if path.exists():
        return load_track(path)
    series = track_file(video, options=options, max_fps=max_fps, lanes=None if auto else lanes)
    cache.mkdir(parents=True, exist_ok=True)
    save_track(series, path)
    return series


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _match_reps(true: list[dict], found: list[dict]) -> list[tuple[dict, dict]]:
    pairs, used = [], set()
    for t in true:
        best, best_ov = None, 0.0
        for i, f in enumerate(found):
            if i in used:
                continue
            ov = _overlap(t["start_s"], t["end_s"], f["start_s"], f["end_s"])
            if ov > best_ov:
                best, best_ov = i, ov
        if best is not None:
            used.add(best)
            pairs.append((t, found[best]))
    return pairs


def _frame_error(truth: dict, analysis: Any, exercise: str) -> float | None:
    if exercise not in MEASURE_TRUTH:
        return None
    ours, theirs = MEASURE_TRUTH[exercise]
    t_true = np.asarray(truth["frames"]["t_s"], float)
    v_true = np.asarray(truth["frames"][theirs], float)
    errors = []
    for analyzer, st in zip(analysis.analyzers, analysis.sets, strict=False):
        if st["exercise"] != exercise:
            continue
        times, values = analyzer.trace(ours)
        ok = np.isfinite(values)
        if not ok.any():
            continue
        idx = np.clip(np.searchsorted(t_true, times[ok] - 1e-4), 0, len(t_true) - 1)
        close = np.abs(t_true[idx] - times[ok]) < 0.02
        ref = v_true[idx][close]
        got = values[ok][close]
        good = np.isfinite(ref)
        if exercise == "plank":
            # alignment is defined while holding a plank; in a knee plank the form line runs
            # shoulder-hip-knee (the truth's hips_sagging/hips_piked rule), so the analyzer's
            # knee line is compared with 180 - the true hip angle there
            inside = np.zeros(len(times), bool)
            for h in truth.get("holds", []):
                span = (times >= h["start_s"]) & (times <= h["end_s"])
                inside |= span
                if h.get("kind") == "knee_plank":
                    _, knee_line = analyzer.trace("knee_line_deg")
                    hip = np.asarray(truth["frames"]["hip_angle_deg"], float)
                    on_knees = span[ok][close]
                    got = np.where(on_knees, knee_line[ok][close], got)
                    ref = np.where(on_knees, 180.0 - hip[idx][close], ref)
            good &= inside[ok][close]
        errors.extend(np.abs(got[good] - ref[good]).tolist())
    return float(np.mean(errors)) if errors else None


def true_tilt(truth: dict) -> float | None:
    """The render's downward camera tilt (deg) from its camera position and aim point."""
    cam = truth.get("render", {}).get("camera", {})
    if "position_m" not in cam or "target_m" not in cam:
        return None
    return camera_tilt_deg(cam["position_m"], cam["target_m"])


def _head_error(truth: dict, analysis: Any) -> float | None:
    """Mean |head angle - the truth's| over the plank holds' frames where the analyzer measured
    it (truth files from before issue 15 have no head angle: None)."""
    if "head_deg" not in truth["frames"]:
        return None
    t_true = np.asarray(truth["frames"]["t_s"], float)
    v_true = np.asarray(truth["frames"]["head_deg"], float)
    errors: list[float] = []
    for analyzer, st in zip(analysis.analyzers, analysis.sets, strict=False):
        if st["exercise"] != "plank":
            continue
        times, values = analyzer.trace("head_deg")
        for h in truth.get("holds", []):
            sel = np.isfinite(values) & (times >= h["start_s"]) & (times <= h["end_s"])
            idx = np.clip(np.searchsorted(t_true, times[sel] - 1e-4), 0, len(t_true) - 1)
            errors.extend(np.abs(values[sel] - v_true[idx]).tolist())
    return float(np.mean(errors)) if errors else None


def physio_holds(truth: dict, grace_s: float) -> dict:
    """The truth with each forearm-plank hold split at its ``knees_down`` faults longer than
    ``grace_s`` (the hold ends where the knees went down, the next one starts where they came
    back up, and the rest between is neither hold nor fault), as a physiotherapist counts holds
    (issue 15). Good-form time of a piece is its time outside the remaining faults.

    Example:
        >>> t = {"holds": [{"start_s": 2.0, "end_s": 12.0, "duration_s": 10.0,
        ...                 "good_form_s": 6.0, "kind": "plank"}],
        ...      "faults": [{"type": "knees_down", "start_s": 5.0, "end_s": 9.0}]}
        >>> [(h["start_s"], h["end_s"], h["good_form_s"]) for h in physio_holds(t, 1.0)["holds"]]
        [(2.0, 5.0, 3.0), (9.0, 12.0, 3.0)]
        >>> physio_holds(t, 1.0)["faults"]
        []
    """
    faults = truth.get("faults", [])
    rests = [f for f in faults if f["type"] == "knees_down" and f["end_s"] - f["start_s"] > grace_s]
    if not rests:
        return truth
    others = [f for f in faults if f not in rests]
    holds = []
    for h in truth.get("holds", []):
        pieces = [(h["start_s"], h["end_s"])]
        if h.get("kind") != "knee_plank":
            for r in rests:
                pieces = [
                    p
                    for a, b in pieces
                    for p in ((a, min(b, r["start_s"])), (max(a, r["end_s"]), b))
                    if p[1] > p[0]
                ]
        for a, b in pieces:
            bad = sum(_overlap(a, b, f["start_s"], f["end_s"]) for f in others)
            holds.append(
                h
                | {
                    "start_s": a,
                    "end_s": b,
                    "duration_s": round(b - a, 3),
                    "good_form_s": round(max(0.0, b - a - bad), 3),
                }
            )
    return truth | {"holds": holds, "faults": others}


def evaluate(
    video: Path,
    truth_path: Path,
    exercise: str,
    cache: Path | None,
    config: Config,
    max_fps: float | None = None,
    masks: str = "analyze",
    lanes: int | None = None,
    model: Path | None = None,
) -> ClipResult:
    truth = physio_holds(json.loads(truth_path.read_text()), config.plank.hold_grace_s)
    started = time.perf_counter()
    series = cached_series(video, cache, max_fps, exercise, masks, lanes, model)
    analysis = analyze_series(series, exercise, config)
    true_ex = truth["exercise"]
    sets = analysis.sets
    found_reps = [r for s in sets if s["exercise"] == true_ex for r in s["reps"]]
    other_reps = [r for s in sets if s["exercise"] != true_ex for r in s["reps"]]
    res = ClipResult(
        name=video.name,
        exercise=true_ex,
        found_exercises=[s["exercise"] for s in sets],
        reps_true=len(truth.get("reps", [])),
        reps_found=len(found_reps) + len(other_reps),
    )
    pairs = _match_reps(truth.get("reps", []), found_reps)
    if pairs:
        errs = [abs(t[k] - f[k]) for t, f in pairs for k in ("start_s", "peak_s", "end_s")]
        res.timing_err_s = float(np.mean(errs))
    if true_ex == "plank" or truth.get("holds"):
        holds = [h for s in sets if s["exercise"] == "plank" for h in s["holds"]]
        res.hold_true = sum(h["duration_s"] for h in truth.get("holds", []))
        res.hold_found = sum(h["duration_s"] for h in holds)
        res.good_true = sum(h["good_form_s"] for h in truth.get("holds", []))
        res.good_found = sum(h["good_form_s"] for h in holds)
    res.angle_err = _frame_error(truth, analysis, true_ex)
    res.head_err = _head_error(truth, analysis)
    res.camera_height_m = truth.get("render", {}).get("camera", {}).get("height_m")
    res.tilt_true = true_tilt(truth)
    camera = summarise_camera([s["camera"] for s in sets if s.get("camera")])
    res.tilt_found = camera.get("tilt_deg")
    res.too_steep = camera.get("within_accuracy") is False
    if true_ex == "cat_cow" and pairs:
        rel = [abs(f["range_deg"] - t["range_deg"]) / max(t["range_deg"], 1e-6) for t, f in pairs]
        res.range_err = float(np.mean(rel))
    warnings = [w for s in sets for w in s["warnings"]]
    res.faults_true = truth.get("faults", [])
    res.faults_found = warnings
    hit_warnings = set()
    for fault in res.faults_true:
        delay = None
        for i, w in enumerate(warnings):
            if w["type"] != fault["type"]:
                continue
            if (
                _overlap(fault["start_s"], fault["end_s"], w["start_s"], w["end_s"]) > 0
                or abs(w["start_s"] - fault["start_s"]) <= FAULT_ONSET_TOLERANCE_S
            ):
                d = abs(w["start_s"] - fault["start_s"])
                if delay is None or d < delay:
                    delay = d
                hit_warnings.add(i)
        res.fault_matches.append((fault["type"], delay))
    if warnings:
        res.precision = len(hit_warnings) / len(warnings)
    if res.faults_true:
        res.recall = sum(1 for _, d in res.fault_matches if d is not None) / len(res.faults_true)
    if not res.faults_true:
        res.false_warnings = len(warnings)
    res.seconds = time.perf_counter() - started
    # targets
    if res.reps_found != res.reps_true:
        res.misses.append("rep_count_exact")
    if res.hold_true is not None and abs((res.hold_found or 0) - res.hold_true) > 1.0:
        res.misses.append("hold_s")
    if res.good_true is not None and abs((res.good_found or 0) - res.good_true) > 1.0:
        res.misses.append("good_form_s")
    # a clip the analysis flagged as seen too steeply to measure within the targets gives no
    # figure to hold to them (the flags themselves are counted: at most one clip in ten)
    if not res.too_steep:
        if true_ex == "glute_bridge" and (res.angle_err is None or res.angle_err > 5.0):
            res.misses.append("bridge_angle")
        if (
            true_ex == "plank"
            and truth.get("holds")
            and (res.angle_err is None or res.angle_err > 3.0)
        ):
            res.misses.append("plank_angle")
        if (
            true_ex == "cat_cow"
            and truth.get("reps")
            and (res.range_err is None or res.range_err > 0.2)
        ):
            res.misses.append("catcow_range")
    if any(d is None or d > FAULT_ONSET_TOLERANCE_S for _, d in res.fault_matches):
        res.misses.append("faults")
    if res.false_warnings:
        res.misses.append("false_warnings")
    return res


def _fmt(v: float | None, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def print_table(results: list[ClipResult]) -> None:
    head = (
        f"{'clip':34} {'exercise':12} {'found':14} {'reps':>7} {'timing':>7} {'hold':>11} "
        f"{'good form':>11} {'angle err':>9} {'range err':>9} {'faults (delay s)':28} {'false':>5} "
        f"{'cam m':>5} {'tilt':>9} {'head':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        faults = (
            ", ".join(f"{t}:{'MISS' if d is None else f'{d:.1f}'}" for t, d in r.fault_matches)
            or "-"
        )
        hold = "-" if r.hold_true is None else f"{_fmt(r.hold_found)}/{_fmt(r.hold_true)}"
        good = "-" if r.good_true is None else f"{_fmt(r.good_found)}/{_fmt(r.good_true)}"
        print(
            f"{r.name[:34]:34} {r.exercise:12} {','.join(r.found_exercises)[:14] or 'none':14} "
            f"{r.reps_found:>3}/{r.reps_true:<3} {_fmt(r.timing_err_s, '.2f'):>7} {hold:>11} "
            f"{good:>11} {_fmt(r.angle_err):>9} "
            f"{'-' if r.range_err is None else f'{100 * r.range_err:.0f}%':>9} {faults[:28]:28} "
            f"{r.false_warnings:>5} {_fmt(r.camera_height_m):>5} "
            f"{_fmt(r.tilt_found, '.0f')}/{_fmt(r.tilt_true, '.0f'):3}"
            f"{'!' if r.too_steep else ' ':>2} "
            f"{_fmt(r.head_err):>5}"
        )


def overall(results: list[ClipResult]) -> dict[str, Any]:
    def mean(values: list[float | None]) -> float | None:
        vals = [v for v in values if v is not None]
        return float(np.mean(vals)) if vals else None

    delays = [d for r in results for _, d in r.fault_matches if d is not None]
    n_faults = sum(len(r.fault_matches) for r in results)
    n_warn = sum(len(r.faults_found) for r in results if r.faults_true)
    hits = sum(1 for r in results for _, d in r.fault_matches if d is not None)
    return {
        "clips": len(results),
        "rep_count_exact": sum(r.reps_found == r.reps_true for r in results),
        "mean_abs_rep_count_error": mean([abs(r.reps_found - r.reps_true) for r in results]),
        "mean_rep_timing_error_s": mean([r.timing_err_s for r in results]),
        "mean_hold_error_s": mean(
            [abs((r.hold_found or 0) - r.hold_true) for r in results if r.hold_true is not None]
        ),
        "mean_good_form_error_s": mean(
            [abs((r.good_found or 0) - r.good_true) for r in results if r.good_true is not None]
        ),
        "bridge_hip_angle_mae_deg": mean(
            [r.angle_err for r in results if r.exercise == "glute_bridge"]
        ),
        "plank_alignment_mae_deg": mean([r.angle_err for r in results if r.exercise == "plank"]),
        "catcow_range_rel_error": mean([r.range_err for r in results if r.exercise == "cat_cow"]),
        "faults_found": f"{hits}/{n_faults}",
        "fault_recall": hits / n_faults if n_faults else None,
        "fault_precision": (
            sum(
                r.precision * len(r.faults_found)
                for r in results
                if r.precision is not None and r.faults_true
            )
            / n_warn
        )
        if n_warn
        else None,
        "mean_fault_onset_delay_s": mean(delays),
        "false_warnings_on_good_clips": sum(r.false_warnings for r in results),
        "head_angle_mae_deg": mean([r.head_err for r in results]),
        "flagged_too_steep": f"{sum(r.too_steep for r in results)}/{len(results)}",
        "targets_missed": sorted(
            {m for r in results for m in r.misses}
            | ({"too_steep"} if sum(r.too_steep for r in results) * 10 > len(results) else set())
        ),
    }


# -- real planks ---------------------------------------------------------------------------------
CSV_NAMES = [
    "nose",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
]


def plank_classify(alignment: float, config: Config) -> str:
    if not np.isfinite(alignment):
        return "?"
    if alignment < -config.plank.sag_deg:
        return "L"
    if alignment > config.plank.pike_deg:
        return "H"
    return "C"


def real_plank_accuracy(
    folder: Path, config: Config, size: tuple[int, int]
) -> dict[str, dict[str, float]]:
    """Share of rows of each label classified as C (correct), L (sag), H (pike)."""
    out: dict[str, dict[str, float]] = {}
    width, height = size
    counts: dict[str, dict[str, int]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open() as fh:
            for row in csv.DictReader(fh):
                lm = np.full((33, 4), np.nan, np.float32)
                for name in CSV_NAMES:
                    i = Landmark[name.upper()]
                    lm[i] = [
                        float(row[f"{name}_x"]) * width,
                        float(row[f"{name}_y"]) * height,
                        float(row[f"{name}_z"]) * width,
                        float(row[f"{name}_v"]),
                    ]
                frame = PoseFrame(0, lm, np.zeros((33, 3)), size)
                view = SideConditioner(config.quality)(frame)
                # as the analyzer measures: on the body's midline; the rows have no world
                # landmarks to estimate the camera's tilt from, so it is taken as level
                m = plank_measures(
                    view,
                    config.plank,
                    image_size=size,
                    view_tilt_deg=0.0,
                    far_guess=far_landmarks(view, frame),
                )
                got = plank_classify(m.get("alignment_deg", np.nan), config)
                counts.setdefault(row["label"], {}).setdefault(got, 0)
                counts[row["label"]][got] += 1
    for label, c in counts.items():
        total = sum(c.values())
        out[label] = {k: v / total for k, v in sorted(c.items())} | {"rows": total}
    return out


def baseline_of(results: list[ClipResult]) -> dict[str, dict[str, Any]]:
    """Per-clip figures a later run must not get worse than (see tests/test_accuracy.py)."""
    out: dict[str, dict[str, Any]] = {}
    for r in results:
        out[r.name] = {
            "reps_found": r.reps_found,
            "angle_err": None if r.angle_err is None else round(r.angle_err, 2),
            "range_err": None if r.range_err is None else round(r.range_err, 3),
            "hold_err": None
            if r.hold_true is None
            else round(abs((r.hold_found or 0) - r.hold_true), 2),
            "good_err": None
            if r.good_true is None
            else round(abs((r.good_found or 0) - r.good_true), 2),
            "faults_found": sorted(t for t, d in r.fault_matches if d is not None),
            "misses": sorted(r.misses),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[REPO / "samples"])
    parser.add_argument("--exercise", default="auto", help="exercise passed to the analysis")
    parser.add_argument("--cache", type=Path, default=None, help="cache pose tracks here")
    parser.add_argument("--json", type=Path, default=None, help="write all figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--max-fps", type=float, default=None, help="analyse at most this many frames/s"
    )
    parser.add_argument(
        "--masks",
        choices=["analyze", "always"],
        default="analyze",
        help="segmentation masks as `formcheck analyze` computes them (only where a cat-cow "
        "may be; the default) or on every frame",
    )
    parser.add_argument(
        "--lanes",
        type=int,
        default=None,
        help="copies of the model taking turns over the frames (default: as `formcheck "
        "analyze` runs it here; 1: one model tracks every frame)",
    )
    parser.add_argument(
        "--write-baseline",
        type=Path,
        default=None,
        help="write per-clip figures as the regression baseline (JSON)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="a pose model .task bundle other than the shipped one (e.g. the heavy model)",
    )
    parser.add_argument(
        "--split-height",
        type=float,
        default=None,
        metavar="M",
        help="also give the figures for clips whose camera is below M metres and at or above "
        "it (rendered clips record their camera height)",
    )
    parser.add_argument(
        "--plank-data", type=Path, default=REPO.parent / "shared" / "data" / "plank_landmarks"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="measure with a setting changed, as `formcheck analyze --set` (repeatable)",
    )
    args = parser.parse_args(argv)
    config = load_config(overrides=args.overrides)
    clips = find_clips(args.folders)
    if not clips:
        print("no videos with truth files found", file=sys.stderr)
        return 2
    results = []
    for video, truth in clips:
        results.append(
            evaluate(
                video,
                truth,
                args.exercise,
                args.cache,
                config,
                args.max_fps,
                args.masks,
                args.lanes,
                args.model,
            )
        )
        print(f"  {video.name}: {results[-1].seconds:.1f} s", file=sys.stderr)
    print_table(results)
    groups: dict[str, list[ClipResult]] = {"all clips": results}
    if args.split_height is not None:
        h = args.split_height
        groups[f"camera below {h:g} m"] = [
            r for r in results if r.camera_height_m is not None and r.camera_height_m < h
        ]
        groups[f"camera at {h:g} m or above"] = [
            r for r in results if r.camera_height_m is not None and r.camera_height_m >= h
        ]
    figures = {name: overall(group) for name, group in groups.items() if group}
    summary = figures["all clips"]
    print()
    print(f"{'':32} " + " ".join(f"{name:>26}" for name in figures))
    for key in summary:
        cells = []
        for fig in figures.values():
            value = fig[key]
            if isinstance(value, float):
                value = f"{value:.3f}"
            elif isinstance(value, list):
                value = ",".join(value) or "-"
            cells.append(f"{str(value)[:26]:>26}")
        print(f"{key:32} " + " ".join(cells))
    real = {}
    if args.plank_data.is_dir():
        print(
            "\nplank alignment classifier on real people (share of rows; C correct, L sag, H pike)"
        )
        for size in ((1280, 720), (640, 480)):
            real[f"{size[0]}x{size[1]}"] = acc = real_plank_accuracy(args.plank_data, config, size)
            for label, shares in acc.items():
                parts = ", ".join(f"{k} {v:.1%}" for k, v in shares.items() if k != "rows")
                print(
                    f"  aspect {size[0]}:{size[1]} label {label} "
                    f"({shares['rows']:.0f} rows): {parts}"
                )
    print("\ntargets:")
    for key, text in TARGETS.items():
        missed = [r.name for r in results if key in r.misses]
        if key == "too_steep":
            flagged = [r.name for r in results if r.too_steep]
            missed = flagged if len(flagged) * 10 > len(results) else []
        print(
            f"  {'MISS' if missed else 'ok  '} {text}"
            + (f"  ({', '.join(missed)})" if missed else "")
        )
    if args.write_baseline:
        args.write_baseline.write_text(
            json.dumps(baseline_of(results), indent=1, sort_keys=True) + "\n"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"clips": [r.__dict__ for r in results], "overall": summary, "real_planks": real},
                indent=1,
                default=str,
            )
        )
    return 1 if args.check and summary["targets_missed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
