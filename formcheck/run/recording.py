"""Analysing one recording with every output asked for: one library call per ``formcheck analyze``.

:func:`analyze_recording` takes a video, an image, a folder of images or a saved track (.npz)
and a :class:`RecordingOptions`, and does all the work of ``formcheck analyze FILE``: it checks
that every output can be written (before the long work), runs the analysis (the pose model, or
the saved track), writes the JSON report, the HTML page, the CSV tables and the annotated video
that were asked for, and stores the report in the history. The command line, the batch workers,
the notebook and the web front end all call it; they differ only in how they show progress and
the result.

Example:
    >>> options = RecordingOptions(exercise="glute_bridge", json=Path("bridge.json"))
    >>> result = analyze_recording(Path("samples/bridge_5reps_left.mp4"), options)  # doctest: +SKIP
    >>> result.report["summary"]["rep_count"], result.written["json"].name  # doctest: +SKIP
    (5, 'bridge.json')
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.config import Config
from formcheck.errors import FormcheckError, UsageError

if TYPE_CHECKING:
    from formcheck.analysis import Analysis

log = logging.getLogger(__name__)

#: The output files of :class:`RecordingOptions`, in the order they are written.
OUTPUTS = ("json", "html", "csv", "frames_csv", "annotate")


#: The analysis rate when none is asked for (frames per second): the exercises are slow, and
#: a 60 fps phone video analysed at 30 loses nothing (see :class:`RecordingOptions`).
AUTO_MAX_FPS = 30.0


@dataclass(frozen=True, kw_only=True)
class RecordingOptions:
    """What to do with one recording: how to analyse it and which outputs to write.

    Every path is None when that output is not wanted.

    Attributes:
        exercise: "auto" (recognise the exercise, split several sets) or an exercise name
            (``glute_bridge``, ``plank``, ``cat_cow``; an :class:`~formcheck.analysis.events.
            Exercise` works too).
        config: The settings in effect (thresholds and timings).
        model: The pose model (.task); None: formcheck's shipped full model.
        max_fps: Analyse at most this many frames per second (None: every frame); the
            default, :data:`AUTO_MAX_FPS`, halves the model's work on 60 fps video and loses
            nothing (``benchmarks/accuracy.py samples --max-fps 15`` gives the same counts and
            faults as every frame). Does not apply with ``annotate``, which draws on every frame.
        lanes: Copies of the pose model taking turns over the frames, side by side (None: two
            on a machine with two cores or more; see :func:`formcheck.pose.lanes.lanes_for`).
            Batches set it so that their workers share the cores.
        json: The report (schema ``formcheck.report/1``).
        html: The self-contained HTML report.
        csv: One row per rep, round or hold.
        frames_csv: Every analysed frame's measures.
        annotate: The video with the overlay drawn on every frame (H.264 MP4); needs a video.
        record_history: Store the report in the history database.
        history_db: The history database (None: :func:`~formcheck.history.history.
            default_db_path`); only used with ``record_history``.
    """

    exercise: str = "auto"
    config: Config = field(default_factory=Config)
    model: Path | None = None
    max_fps: float | None = AUTO_MAX_FPS
    lanes: int | None = None
    json: Path | None = None
    html: Path | None = None
    csv: Path | None = None
    frames_csv: Path | None = None
    annotate: Path | None = None
    record_history: bool = False
    history_db: Path | None = None

    def outputs(self) -> dict[str, Path]:
        """The output files asked for, by field name, in the order they are written."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name in OUTPUTS and getattr(self, f.name) is not None
        }


@dataclass(frozen=True)
class RecordingResult:
    """What :func:`analyze_recording` did.

    Attributes:
        report: The report (schema ``formcheck.report/1``), written or not.
        analysis: The analysis behind it (per-frame measures of each set).
        written: The files written, by output name (``json``, ``html``, ``csv``,
            ``frames_csv``, ``annotate``), in the order they were written.
        history_session: The report's session id in the history (None: not recorded).
        history_error: Why the report could not be stored in the history ("" when it was, or
            was not asked to be); a history that cannot be written never fails the analysis.
    """

    report: dict[str, Any]
    analysis: Analysis
    written: dict[str, Path]
    history_session: int | None = None
    history_error: str = ""

    @property
    def interrupted(self) -> bool:
        """Ctrl-C stopped the analysis: the report covers what was measured so far."""
        return bool(self.report["source"].get("interrupted"))


def analyze_recording(
    path: Path,
    options: RecordingOptions,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> RecordingResult:
    """Analyse one recording and write every output ``options`` asks for.

    Args:
        path: A video file, an image, a folder of images, or a saved track (.npz).
        options: The analysis settings and the outputs to write.
        progress: Called as ``progress(frames_done, frames_expected_or_None)`` while the pose
            model runs (not for a saved track).

    Returns:
        The report, the analysis, the files written and the history session.

    Raises:
        InputError: The recording cannot be read.
        ModelError: The pose model cannot be loaded.
        OutputError: An output cannot be written (checked before the analysis starts).
        UsageError: ``annotate`` with a saved track (it has no images).
    """
    from formcheck.media.outputs import check_writable, write_text_atomic
    from formcheck.report.report import report_json

    for target in options.outputs().values():
        check_writable(target)
    report, analysis = analyze_source(
        path,
        exercise=str(options.exercise),
        config=options.config,
        model=options.model,
        max_fps=options.max_fps,
        on_progress=progress,
        annotate=options.annotate,
        lanes=options.lanes,
    )
    written: dict[str, Path] = {}
    if options.json is not None:
        written["json"] = write_text_atomic(options.json, report_json(report))
    if options.html is not None:
        from formcheck.report.html_report import write_html

        written["html"] = write_html(report, options.html)
    if options.csv is not None:
        from formcheck.report.csv_export import write_csv

        written["csv"] = write_csv(report, options.csv)
    if options.frames_csv is not None:
        from formcheck.report.csv_export import write_frames_csv

        written["frames_csv"] = write_frames_csv(analysis, options.frames_csv)
    if options.annotate is not None:
        written["annotate"] = options.annotate
    session, error = None, ""
    if options.record_history:
        session, error = record_in_history(report, options.history_db)
    return RecordingResult(report, analysis, written, session, error)


def record_in_history(report: dict[str, Any], db: Path | None) -> tuple[int | None, str]:
    """Store a report in the history at ``db`` (None: the default database).

    Returns:
        (session id, "") when stored; (None, the reason) when the history cannot be written,
        which is never an error of the analysis.
    """
    from formcheck.history.history import default_db_path, record_report

    target = db if db is not None else default_db_path()
    try:
        session = record_report(report, kind="analyze", db=target)
    except FormcheckError as exc:
        return None, exc.message
    log.info("stored in the history as session %s (%s)", session, target)
    return session, ""


def analyze_source(
    source: Path,
    *,
    exercise: str,
    config: Any,
    model: Path | None = None,
    max_fps: float | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
    annotate: Path | None = None,
    lanes: int | None = None,
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
            options=PoseOptions(model=model).for_exercise(exercise),
            on_progress=on_progress,
        )
    else:
        series, analysis = analyze_file(
            source,
            exercise,
            config,
            options=PoseOptions(model=model).for_exercise(exercise),
            max_fps=max_fps,
            on_progress=on_progress,
            lanes=lanes,
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
    """The report of one recording, nothing written (see :func:`analyze_recording`)."""
    options = RecordingOptions(exercise=exercise, config=config, model=model, max_fps=max_fps)
    return analyze_recording(source, options, progress=on_progress).report


__all__ = [
    "AUTO_MAX_FPS",
    "RecordingOptions",
    "RecordingResult",
    "analyze_one",
    "analyze_recording",
    "analyze_source",
    "record_in_history",
]
