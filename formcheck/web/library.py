"""The one door from :mod:`formcheck.web` to the rest of formcheck.

Every name the web front end uses from the library is imported here, and only here, so a
re-layout of formcheck's modules changes this file and nothing else under ``formcheck/web``.
Uploads are analysed by the library's one-recording call,
:func:`formcheck.run.recording.analyze_recording` (as ``formcheck analyze`` and the batch do).

Example:
    >>> options = RecordingOptions(exercise="plank", record_history=True)
    >>> options.exercise, options.annotate
    ('plank', None)
"""

from __future__ import annotations

from typing import Any

from formcheck._version import __version__
from formcheck.analysis.base import LiveState
from formcheck.analysis.events import Event, Exercise
from formcheck.config import Config, load_config
from formcheck.errors import CameraError, FormcheckError, InputError, OutputError, UsageError
from formcheck.history.history import History, LiveHistory, default_db_path
from formcheck.history.history_rows import json_safe
from formcheck.history.progression import Target, TrendPoint, next_targets
from formcheck.live.interrupt import InterruptFlag
from formcheck.live.live import LiveOptions, LiveResult, finish_session, run_live
from formcheck.live.live_session import Ended, LiveSession, LiveUpdate
from formcheck.live.overlay import Presenter, form_level, gauge_scale
from formcheck.live.routine import SAFETY_NOTE, Routine, RoutineStep, plan_routine
from formcheck.live.session_history import SessionHistory
from formcheck.live.window import Action
from formcheck.measure.signals import SIDE_POINTS
from formcheck.media.capture import Captured
from formcheck.media.outputs import atomic_path, write_text_atomic
from formcheck.media.sources import Frame, SourceInfo
from formcheck.pose.estimator import PoseOptions
from formcheck.pose.landmarks import PoseFrame
from formcheck.report.csv_export import csv_text
from formcheck.report.html_report import render_html
from formcheck.report.progress_chart import METRICS, TITLES, progress_svg
from formcheck.report.report import REPORT_SCHEMA, report_json
from formcheck.run.recording import RecordingOptions, RecordingResult, analyze_recording


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
