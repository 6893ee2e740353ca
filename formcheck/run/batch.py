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
import dataclasses
import glob
import io
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.errors import FormcheckError, OutputError
from formcheck.media.outputs import check_writable, write_text_atomic
from formcheck.pose.track import is_track_file

if TYPE_CHECKING:
    from formcheck.run.recording import RecordingOptions

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
    history_error: str = ""  # why the report could not be stored in the history


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
        # a bridge's pauses at the top are hold time in the report's summary too: the line
        # printed for a file says how long the planks were held
        "plank_hold_s": _plank_total(sets, "hold_s"),
        "plank_good_form_s": _plank_total(sets, "good_form_s"),
        "measured_fraction": report.get("coverage", {}).get("measured_fraction"),
        "duration_s": report.get("source", {}).get("duration_s"),
    }


def _plank_total(sets: list[dict[str, Any]], key: str) -> float:
    return float(sum(s.get("summary", {}).get(key, 0.0) for s in sets if s["exercise"] == "plank"))


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


def run_job(
    source: str,
    report_path: str,
    options: RecordingOptions,
    queue: Any = None,
) -> dict[str, Any]:
    """Worker process entry: analyse one file with :func:`~formcheck.run.recording.
    analyze_recording` (its JSON and HTML report next to each other); never raises for a bad
    input (the error comes back as ``{"status": "failed", "message": ...}``). The history is
    the parent's to write (one writer, in the order the files finish)."""
    started = time.perf_counter()

    def progress(done: int, total: int | None) -> None:
        if queue is not None and (done % 15 == 0 or done == total):
            queue.put((source, done, total))

    try:
        from formcheck.run.recording import analyze_recording

        report_file = Path(report_path)
        job_options = dataclasses.replace(
            options, json=report_file, html=report_file.with_suffix(".html"), record_history=False
        )
        report = analyze_recording(Path(source), job_options, progress=progress).report
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


# -- the parent: run the workers ---------------------------------------------------------------


def prepare_batch(inputs: list[Path], out_dir: Path, *, force: bool = False) -> list[Job]:
    """Create ``out_dir``, check that its index can be written, and plan the jobs
    (:func:`plan_batch`)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the report folder ({exc.strerror})") from None
    check_writable(out_dir / INDEX_NAME)
    return plan_batch(inputs, out_dir, force=force)


def worker_count(plan: list[Job], jobs: int | None = None) -> int:
    """The worker processes for ``plan``: ``jobs`` (default one per core), at most one per job
    to do."""
    todo = sum(j.status == "pending" for j in plan)
    return min(jobs or default_jobs(), max(1, todo))


@dataclass(frozen=True)
class BatchResult:
    """How a batch ended: every job with its status, the index written, and whether Ctrl-C
    stopped it."""

    jobs: list[Job]
    index: Path
    interrupted: bool

    def count(self, status: str) -> int:
        """How many jobs ended ``done``, ``skipped``, ``failed`` or ``interrupted``."""
        return sum(j.status == status for j in self.jobs)


def run_batch(
    plan: list[Job],
    out_dir: Path,
    options: RecordingOptions,
    *,
    workers: int,
    on_file_progress: Callable[[str, int | None, int | None], None] | None = None,
    on_job_done: Callable[[Job], None] | None = None,
) -> BatchResult:
    """Analyse the pending jobs of ``plan`` in ``workers`` processes and write the index.

    Each worker calls :func:`~formcheck.run.recording.analyze_recording` (:func:`run_job`); the
    reports of finished jobs are stored in the history here, one at a time, when
    ``options.record_history``. Ctrl-C stops the workers: the finished reports and the index
    are kept and the result says ``interrupted``.

    Args:
        plan: The jobs (:func:`prepare_batch`).
        out_dir: Where the index goes.
        options: The analysis settings (their output paths are set per job).
        workers: Worker processes (:func:`worker_count`).
        on_file_progress: Called as ``(input, frames_done, frames_expected)`` while a file is
            analysed, and ``(input, None, None)`` when it is finished.
        on_job_done: Called with each job when it finishes (its status, message, figures).
    """
    import concurrent.futures as cf
    import multiprocessing

    todo = [j for j in plan if j.status == "pending"]
    if options.lanes is None:  # the workers share the cores (one per core by default), and
        # every engine gives the same figures: one model per recording, as on a Ray task's CPU
        options = dataclasses.replace(options, lanes=1)
    ctx = multiprocessing.get_context("spawn")
    interrupted = False
    with ctx.Manager() as manager:
        queue = manager.Queue()
        pool = cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=ignore_sigint)
        futures = {
            pool.submit(run_job, str(j.source), str(j.report), options, queue): j for j in todo
        }
        pending = set(futures)
        try:
            while pending:
                done, pending = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
                while not queue.empty():
                    name, n, total = queue.get_nowait()
                    if on_file_progress is not None:
                        on_file_progress(name, n, total)
                for fut in done:
                    job = futures[fut]
                    try:
                        result = fut.result()
                    except Exception as exc:  # the worker process died (a crash in native code)
                        result = {"status": "failed", "message": f"worker failed: {exc}"}
                    finish_job(job, result, options, on_job_done)
        except KeyboardInterrupt:
            interrupted = True
            for fut in pending:
                fut.cancel()
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        finally:
            pool.shutdown(wait=not interrupted, cancel_futures=True)
    return close_batch(plan, out_dir, interrupted)


def finish_job(
    job: Job,
    result: dict[str, Any],
    options: RecordingOptions,
    on_job_done: Callable[[Job], None] | None = None,
) -> None:
    """Record a worker's result (:func:`run_job`) in its job, store a finished report in the
    history when ``options.record_history`` (the parent is the history's one writer), and call
    ``on_job_done``. Every engine finishes its jobs here."""
    from formcheck.run.recording import record_in_history

    job.status = result["status"]
    job.message = result.get("message", "")
    job.seconds = result.get("seconds", 0.0)
    job.summary = result.get("summary", {})
    if job.status == "done" and options.record_history:
        report = json.loads(job.report.read_text())
        _, job.history_error = record_in_history(report, options.history_db)
    if on_job_done is not None:
        on_job_done(job)


def close_batch(plan: list[Job], out_dir: Path, interrupted: bool) -> BatchResult:
    """Mark the jobs that never finished (``interrupted`` after Ctrl-C, else ``failed``) and
    write the index of the whole plan."""
    for job in plan:
        if job.status == "pending":
            job.status = "interrupted" if interrupted else "failed"
            job.message = job.message or ("not finished" if interrupted else "no result")
    return BatchResult(plan, write_index(plan, out_dir), interrupted)


__all__ = [
    "INDEX_COLUMNS",
    "BatchResult",
    "Job",
    "close_batch",
    "default_jobs",
    "expand_inputs",
    "finish_job",
    "ignore_sigint",
    "is_batch_folder",
    "plan_batch",
    "prepare_batch",
    "run_batch",
    "run_job",
    "summarize",
    "worker_count",
    "write_index",
]
