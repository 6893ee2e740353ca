"""Many recordings at once: expand the inputs, analyse each in a worker process, index them.

``formcheck analyze a.mp4 b.mp4 week/ "clips/*.mov" --out-dir reports`` expands folders (their
video files and tracks) and glob patterns, analyses each file in its own worker process (one per
core by default), writes ``reports/<name>.json`` per file, and ``reports/index.csv`` with one
row per input: done, skipped (its report is already there: ``--force`` redoes it) or failed
(with the one-line reason). One bad file never stops the others.

Example:
    >>> jobs = plan_batch([Path("samples")], Path("reports"))  # doctest: +SKIP
    >>> [j.report.name for j in jobs][:2]  # doctest: +SKIP
    ['bridge_5reps_left.json', 'bridge_6reps_right_fast.json']
"""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.errors import FormcheckError, UsageError
from formcheck.media.outputs import write_text_atomic
from formcheck.pose.track import is_track_file

if TYPE_CHECKING:
    from formcheck.analysis import Analysis

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".gif", ".3gp"}
)
INDEX_NAME = "index.csv"
INDEX_COLUMNS = (
    "input",
    "status",
    "report",
    "exercises",
    "sets",
    "reps",
    "hold_s",
    "good_form_s",
    "warnings",
    "measured_fraction",
    "duration_s",
    "seconds",
    "message",
)


@dataclass
class Job:
    """One input of a batch and where its report goes."""

    source: Path
    report: Path
    status: str = "pending"  # pending | done | skipped | failed
    message: str = ""
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)


def _recordings_in(folder: Path) -> list[Path]:
    """The video files and tracks in ``folder``, by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and (p.suffix.lower() in VIDEO_SUFFIXES or is_track_file(p))
    )


def is_batch_folder(path: Path) -> bool:
    """A folder holding video files or tracks (a folder of only images is one image source)."""
    return path.is_dir() and bool(_recordings_in(path))


def expand_inputs(specs: Iterable[Path | str]) -> list[Path]:
    """Files named, the videos and tracks of folders, and the matches of glob patterns, in
    order, without duplicates. A name that matches nothing is kept: analysing it fails with
    a one-line reason in its index row, and the other inputs still run."""
    found: list[Path] = []
    for spec in specs:
        text = str(spec)
        path = Path(text)
        if is_batch_folder(path):
            found += _recordings_in(path)
        elif path.exists():
            found.append(path)
        elif glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            matches = [m for m in matches if m.is_file() and m.suffix.lower() not in {".json"}]
            found += matches or [path]  # nothing matched: its row says so
        else:
            found.append(path)  # missing: its row says so, the others still run
    unique: dict[Path, None] = {}
    for p in found:
        unique.setdefault(p.resolve(), None)
    return list(unique)


def plan_batch(inputs: list[Path], out_dir: Path, *, force: bool = False) -> list[Job]:
    """A job per input with its report path (``<stem>.json``; ``<stem>-2.json`` … when two inputs
    share a name); inputs whose finished report is already there are ``skipped`` unless
    ``force``."""
    jobs: list[Job] = []
    used: set[str] = set()
    for source in inputs:
        name = source.stem
        n = 1
        while name in used:
            n += 1
            name = f"{source.stem}-{n}"
        used.add(name)
        job = Job(source, out_dir / f"{name}.json")
        done = None if force else finished_report_of(job.report, source)
        if done is not None:
            job.status = "skipped"
            job.message = "report already there (--force redoes it)"
            job.summary = summarize(done)
        jobs.append(job)
    return jobs


def finished_report_of(report: Path, source: Path) -> dict[str, Any] | None:
    """The report at ``report`` when it is a complete report of ``source``, else None."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return None
    src = data.get("source", {}) if isinstance(data, dict) else {}
    if data.get("schema") != "formcheck.report/1" or src.get("interrupted"):
        return None
    if Path(str(src.get("path", ""))).resolve() != source.resolve():
        return None
    return data


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """The index row's figures from a report."""
    summary = report.get("summary", {})
    sets = report.get("sets", [])
    return {
        "exercises": " ".join(s["exercise"] for s in sets),
        "sets": len(sets),
        "reps": summary.get("rep_count", 0),
        "hold_s": summary.get("hold_s", 0.0),
        "good_form_s": summary.get("good_form_s", 0.0),
        "warnings": sum(len(s.get("warnings", [])) for s in sets),
        "measured_fraction": report.get("coverage", {}).get("measured_fraction"),
        "duration_s": report.get("source", {}).get("duration_s"),
    }


def write_index(jobs: list[Job], out_dir: Path) -> Path:
    """``index.csv`` with a row per job (atomically replaced)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=INDEX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for job in jobs:
        row = {
            "input": str(job.source),
            "status": job.status,
            "report": job.report.name if job.status in ("done", "skipped") else "",
            "seconds": f"{job.seconds:.1f}" if job.status == "done" else "",
            "message": job.message,
        }
        for key in INDEX_COLUMNS:
            if key in job.summary and key not in row:
                value = job.summary[key]
                row[key] = f"{value:.3f}" if isinstance(value, float) else value
        writer.writerow(row)
    return write_text_atomic(out_dir / INDEX_NAME, buffer.getvalue())


# -- the worker --------------------------------------------------------------------------------


def analyze_source(
    source: Path,
    *,
    exercise: str,
    config: Any,
    model: Path | None = None,
    max_fps: float | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
    annotate: Path | None = None,
) -> tuple[dict[str, Any], Analysis]:
    """Analyse one recording (video, images or a track .npz): (report, analysis).

    With ``annotate`` the video is also written there with the overlay drawn on every frame
    (every frame is analysed then: ``max_fps`` does not apply). After a Ctrl-C the report
    covers what was measured and ``report["source"]["interrupted"]`` is true.
    """
    from formcheck.analysis import analyze_series
    from formcheck.pose.estimator import PoseOptions
    from formcheck.pose.track import is_track_file, load_track
    from formcheck.report.report import report_for
    from formcheck.report.traces import set_traces
    from formcheck.run.pipeline import analyze_file

    if is_track_file(source):
        if annotate is not None:
            raise UsageError("--annotate needs a video: a saved track has no images")
        series = load_track(source)
        analysis = analyze_series(series, exercise, config)
    elif annotate is not None:
        from formcheck.live.annotate import annotate_file

        series, analysis = annotate_file(
            source,
            annotate,
            exercise=exercise,
            config=config,
            options=PoseOptions(model=model),
            on_progress=on_progress,
        )
    else:
        series, analysis = analyze_file(
            source,
            exercise,
            config,
            options=PoseOptions(model=model),
            max_fps=max_fps,
            on_progress=on_progress,
        )
    report = report_for(
        series,
        analysis.sets,
        config,
        exercise=exercise,
        cues=analysis.cues,
        traces=set_traces(analysis),
    )
    report["source"]["path"] = str(source.resolve())
    return report, analysis


def analyze_one(
    source: Path,
    *,
    exercise: str,
    config: Any,
    model: Path | None = None,
    max_fps: float | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> dict[str, Any]:
    """The report of one recording (see :func:`analyze_source`)."""
    report, _ = analyze_source(
        source,
        exercise=exercise,
        config=config,
        model=model,
        max_fps=max_fps,
        on_progress=on_progress,
    )
    return report


def run_job(
    source: str,
    report_path: str,
    options: dict[str, Any],
    queue: Any = None,
) -> dict[str, Any]:
    """Worker process entry: analyse one file; never raises for a bad input (the error comes
    back as ``{"status": "failed", "message": ...}``)."""
    started = time.perf_counter()

    def progress(done: int, total: int | None) -> None:
        if queue is not None and (done % 15 == 0 or done == total):
            queue.put((source, done, total))

    try:
        from formcheck.report.html_report import write_html
        from formcheck.report.report import report_json

        report = analyze_one(
            Path(source),
            exercise=options["exercise"],
            config=options["config"],
            model=options["model"],
            max_fps=options["max_fps"],
            on_progress=progress,
        )
        write_text_atomic(report_path, report_json(report))
        write_html(report, Path(report_path).with_suffix(".html"))
    except FormcheckError as exc:
        return {"status": "failed", "message": exc.message, "seconds": 0.0}
    except Exception as exc:  # a bug, not a bad input: keep the batch going, say what it was
        return {
            "status": "failed",
            "message": f"{type(exc).__name__}: {exc}",
            "seconds": time.perf_counter() - started,
        }
    finally:
        if queue is not None:
            queue.put((source, None, None))
    return {
        "status": "done",
        "message": "",
        "seconds": time.perf_counter() - started,
        "summary": summarize(report),
    }


def ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it stops the workers)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_jobs() -> int:
    """One worker per core (the pose model uses about one core each)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


__all__ = [
    "INDEX_COLUMNS",
    "Job",
    "analyze_one",
    "default_jobs",
    "expand_inputs",
    "ignore_sigint",
    "is_batch_folder",
    "plan_batch",
    "run_job",
    "summarize",
    "write_index",
]
