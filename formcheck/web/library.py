"""The one door from :mod:`formcheck.web` to the rest of formcheck.

Every name the web front end uses from the library is imported here, and only here, so a
re-layout of formcheck's modules changes this file and nothing else under ``formcheck/web``.
:func:`analyze_recording` has the shape of the library's one-recording call (one recording,
every output, the history): ``analyze_recording(path, options, *, progress=None)``.

Example:
    >>> options = RecordingOptions(exercise="plank")
    >>> options.exercise, options.annotate
    ('plank', None)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck._version import __version__
from formcheck.analysis.base import LiveState
from formcheck.analysis.events import Event, Exercise
from formcheck.capture import Captured
from formcheck.cli_history import METRICS, TITLES, progress_svg
from formcheck.cli_live import SessionHistory
from formcheck.config import Config, load_config
from formcheck.csv_export import csv_text
from formcheck.errors import CameraError, FormcheckError, InputError, OutputError, UsageError
from formcheck.history import History, LiveHistory, default_db_path
from formcheck.history_rows import json_safe
from formcheck.html_report import render_html
from formcheck.interrupt import InterruptFlag
from formcheck.landmarks import PoseFrame
from formcheck.live import LiveOptions, LiveResult, finish_session, run_live
from formcheck.live_session import Ended, LiveSession, LiveUpdate
from formcheck.outputs import atomic_path, write_text_atomic
from formcheck.overlay import Presenter, form_level, gauge_scale
from formcheck.pose import PoseOptions
from formcheck.progression import Target, TrendPoint, next_targets
from formcheck.report import REPORT_SCHEMA, report_json
from formcheck.routine import SAFETY_NOTE, Routine, RoutineStep, plan_routine
from formcheck.signals import SIDE_POINTS
from formcheck.sources import Frame, SourceInfo
from formcheck.window import Action


@dataclass(frozen=True, kw_only=True)
class RecordingOptions:
    """How one recording is analysed (as ``formcheck analyze FILE`` does it).

    Attributes:
        exercise: "auto" or a fixed exercise.
        config: Settings in effect (None: defaults).
        model: Pose model bundle (None: the shipped one).
        annotate: Also write the video with the overlay here (.mp4), or None.
        db: Store the report in this history database, or None (not stored).
    """

    exercise: str = "auto"
    config: Config | None = None
    model: Path | None = None
    annotate: Path | None = None
    db: Path | None = None


@dataclass(frozen=True)
class RecordingResult:
    """What :func:`analyze_recording` produced.

    Attributes:
        report: The report (schema ``formcheck.report/1``).
        session_id: Its session in the history (None when not stored).
        annotated: The annotated video, when one was asked for.
    """

    report: dict[str, Any]
    session_id: int | None = None
    annotated: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def analyze_recording(
    path: Path,
    options: RecordingOptions,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> RecordingResult:
    """Analyse one recording as ``formcheck analyze`` does and store it in the history.

    Today's equivalent of ``formcheck.run.recording.analyze_recording`` (the CLI's
    ``_analyze_one`` without its printing).

    Raises:
        InputError: The recording cannot be read.
        OutputError: The history or the annotated video cannot be written.
    """
    from formcheck.batch import analyze_source

    cfg = options.config or Config()
    report, _ = analyze_source(
        Path(path),
        exercise=Exercise(options.exercise).value,
        config=cfg,
        model=options.model,
        on_progress=progress,
        annotate=options.annotate,
    )
    session_id = None
    if options.db is not None:
        with History(options.db) as history:
            session_id = history.record_report(report, kind="analyze")
    return RecordingResult(report, session_id, options.annotate)


def session_report(session: dict[str, Any]) -> dict[str, Any]:
    """A history session (``formcheck.session/1``) as a ``formcheck.report/1`` document.

    The blocks a report has are the session's; the history's own fields (id, uid, kind,
    status, times) are kept in a ``history`` block.

    Example:
        >>> doc = session_report({"schema": "formcheck.session/1", "id": 3, "uid": "ab",
        ...     "kind": "live", "status": "complete", "started_at": "x", "ended_at": None,
        ...     "sets": [], "summary": {}})
        >>> doc["schema"], doc["history"]["id"]
        ('formcheck.report/1', 3)
    """
    keys = ("id", "uid", "started_at", "ended_at", "kind", "status")
    report = {k: v for k, v in session.items() if k not in ("schema", *keys)}
    return {
        "schema": REPORT_SCHEMA,
        "created_at": session.get("ended_at") or session.get("started_at"),
        **report,
        "history": {k: session.get(k) for k in keys},
    }


__all__ = [
    "METRICS",
    "REPORT_SCHEMA",
    "SAFETY_NOTE",
    "SIDE_POINTS",
    "TITLES",
    "Action",
    "CameraError",
    "Captured",
    "Config",
    "Ended",
    "Event",
    "Exercise",
    "FormcheckError",
    "Frame",
    "History",
    "InputError",
    "InterruptFlag",
    "LiveHistory",
    "LiveOptions",
    "LiveResult",
    "LiveSession",
    "LiveState",
    "LiveUpdate",
    "OutputError",
    "PoseFrame",
    "PoseOptions",
    "Presenter",
    "RecordingOptions",
    "RecordingResult",
    "Routine",
    "RoutineStep",
    "SessionHistory",
    "SourceInfo",
    "Target",
    "TrendPoint",
    "UsageError",
    "__version__",
    "analyze_recording",
    "atomic_path",
    "csv_text",
    "default_db_path",
    "finish_session",
    "form_level",
    "gauge_scale",
    "json_safe",
    "load_config",
    "next_targets",
    "plan_routine",
    "progress_svg",
    "render_html",
    "report_json",
    "run_live",
    "session_report",
    "write_text_atomic",
]
