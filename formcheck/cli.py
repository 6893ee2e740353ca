"""The ``formcheck`` command line: a thin Typer layer over the library.

Every command calls into the library and turns a :class:`~formcheck.errors.FormcheckError` into
a one-line ``error: ...`` on stderr and the error's exit code; progress bars and printing live
here, never in the library.
"""

from __future__ import annotations

import functools
import glob
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from formcheck._version import __version__
from formcheck.analysis.events import Exercise
from formcheck.cli_history import DbOption
from formcheck.config import Config, load_config
from formcheck.errors import FormcheckError, InputError, Interrupted, OutputError, UsageError

app = typer.Typer(
    name="formcheck",
    help="Check your form in back-care exercises (glute bridge, forearm plank, cat-cow) from a "
    "webcam or a video, with MediaPipe pose landmarks.",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("formcheck")

P = ParamSpec("P")
R = TypeVar("R")

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Pose model (.task bundle), e.g. Google's pose_landmarker_heavy.task. "
        "Default: formcheck's shipped full model.",
        dir_okay=False,
    ),
]


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn formcheck errors and Ctrl-C into a one-line message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except FormcheckError as exc:
            err.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/]", highlight=False)
            raise typer.Exit(code=Interrupted.exit_code) from None

    return wrapper


class _RateColumn(ProgressColumn):
    """Frames per second of the running task."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f} frames/s" if speed else "    - frames/s", style="cyan")


def _progress_bar() -> Progress:
    """Bars with count, frames/s, elapsed time and ETA on stderr (only on a terminal)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )


@contextmanager
def frame_progress(
    description: str, *, total: int | None
) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar (frames, frames/s, ETA) on stderr; yields the library's progress callback."""
    progress = _progress_bar()
    task = progress.add_task(description, total=total)

    def update(done: int, expected: int | None) -> None:
        progress.update(task, completed=done, total=expected)

    with progress:
        yield update


def _version_callback(value: bool) -> None:
    if value:
        out.print(f"formcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show debug messages, MediaPipe's included.")
    ] = False,
) -> None:
    """formcheck: count reps, time holds and catch form faults in back-care exercises."""
    level = logging.DEBUG if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("formcheck")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    logging.addLevelName(logging.WARNING, "warning")
    logging.addLevelName(logging.DEBUG, "debug")
    logging.addLevelName(logging.INFO, "info")
    logging.addLevelName(logging.ERROR, "error")


def _pose_options(model: Path | None) -> Any:
    from formcheck.pose import PoseOptions

    return PoseOptions(model=model)


def _track_with_progress(path: Path, model: Path | None) -> Any:
    from formcheck.pipeline import track_file

    # the bar learns its total from the first callback: track_file knows the frame count
    with frame_progress(f"tracking {path.name}", total=None) as on_progress:
        return track_file(path, options=_pose_options(model), on_progress=on_progress)


@app.command()
@handles_errors
def track(
    video: Annotated[Path, typer.Argument(help="Video file, image, or folder of images.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the pose track (.npz).")
    ],
    model: ModelOption = None,
) -> None:
    """Run the pose model over a video and save the landmark track (.npz) for later analysis.

    The track holds, per frame, 33 landmarks in pixels with visibility and 33 world landmarks in
    metres, plus the source and model it came from. [bold]formcheck analyze TRACK.npz[/] re-runs
    the analysis from it without the model.
    """
    from formcheck.outputs import check_writable
    from formcheck.track import save_track

    if output.suffix.lower() != ".npz":
        raise FormcheckError(f"{output}: a track is saved as .npz; name the output *.npz")
    check_writable(output)
    series = _track_with_progress(video, model)
    save_track(series, output)
    seen = series.person_mask.mean() if len(series) else 0.0
    out.print(
        f"wrote {output}: {len(series)} frames x 33 landmarks, person in view in {seen:.0%} "
        "of frames",
        highlight=False,
    )
    if series.metadata.get("interrupted"):
        raise Interrupted("interrupted: the frames tracked so far were saved")


ExerciseOption = Annotated[
    Exercise,
    typer.Option(
        "--exercise",
        "-e",
        case_sensitive=False,
        help="Which exercise; [bold]auto[/] recognises it (and splits several sets).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML file of thresholds and timings (see [bold]formcheck config example[/]).",
        dir_okay=False,
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override one setting, e.g. --set plank.sag_deg=12 (repeatable)."),
]


def _config(path: Path | None, overrides: list[str] | None) -> Config:
    return load_config(path, overrides or [])


@app.command()
@handles_errors
def analyze(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Video files, images, a folder of images, tracks (.npz); several files, a "
            "folder of videos or a quoted glob pattern ('week/*.mp4') make a batch.",
            show_default=False,
        ),
    ],
    exercise: ExerciseOption = Exercise.AUTO,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Write the report (JSON) to this file (one input)."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            "-o",
            help="Batch: write DIR/<name>.json and DIR/<name>.html per input and DIR/index.csv "
            "\\[default: formcheck-reports].",
            file_okay=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Batch: worker processes \\[default: one per core]."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Batch: redo inputs whose report is already there.")
    ] = False,
    max_fps: Annotated[
        float | None,
        typer.Option(
            "--max-fps",
            min=1.0,
            help="Analyse at most this many frames per second (e.g. 15 for a 60 fps video): "
            "faster, same counts and faults.",
        ),
    ] = None,
    html_out: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Write a self-contained HTML report (plots, tables, advice; opens offline).",
            dir_okay=False,
        ),
    ] = None,
    csv_out: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Write a CSV with one row per rep, round or hold.", dir_okay=False
        ),
    ] = None,
    frames_csv: Annotated[
        Path | None,
        typer.Option(
            "--frames-csv", help="Write every analysed frame's measures as CSV.", dir_okay=False
        ),
    ] = None,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            help="Also write the video with the overlay drawn on it (H.264 MP4 that browsers "
            "play); every frame is analysed.",
            dir_okay=False,
        ),
    ] = None,
    db: DbOption = None,
    no_history: Annotated[
        bool,
        typer.Option("--no-history", help="Do not store this analysis in the history."),
    ] = False,
    config: ConfigOption = None,
    overrides: SetOption = None,
    model: ModelOption = None,
) -> None:
    """Analyse recordings (or saved tracks): count reps, time holds, find form faults.

    One input: prints a summary per set; [bold]--json[/] writes the full report (schema
    formcheck.report/1, described in README.md), [bold]--html[/] a report to read and print,
    [bold]--csv[/] / [bold]--frames-csv[/] tables, [bold]--annotate[/] the video with the
    overlay. Several inputs, a folder of videos or a glob pattern: analyses them in parallel
    worker processes, writes a JSON and an HTML report per input and an index.csv into
    [bold]--out-dir[/], and skips inputs already done (unless [bold]--force[/]). Every analysis
    is stored in the history ([bold]formcheck history[/]) unless [bold]--no-history[/]. Ctrl-C
    keeps what was measured: the report is written and marked interrupted.
    """
    from formcheck.batch import expand_inputs, is_batch_folder

    cfg = _config(config, overrides)
    paths = [Path(s) for s in sources]
    is_batch = (
        len(sources) > 1
        or out_dir is not None
        or any(is_batch_folder(p) for p in paths)
        or any(not p.exists() and glob.has_magic(s) for p, s in zip(paths, sources, strict=True))
    )
    outputs = Outputs(json_out, html_out, csv_out, frames_csv, annotate)
    history = None if no_history else (db or _default_db())
    if not is_batch:
        if annotate is not None and max_fps is not None:
            raise UsageError("--annotate draws on every frame: leave out --max-fps")
        _analyze_one(paths[0], exercise, outputs, cfg, model, max_fps, history)
        return
    if outputs.named():
        raise UsageError(
            f"{outputs.named()} names one file: with several inputs use --out-dir "
            "(a JSON and an HTML report per input)"
        )
    inputs = expand_inputs(sources)
    _analyze_batch(
        inputs,
        out_dir or Path("formcheck-reports"),
        exercise,
        cfg,
        model,
        max_fps,
        jobs=jobs,
        force=force,
        history=history,
    )


@dataclass(frozen=True)
class Outputs:
    """The files one analysis writes (None = not asked for)."""

    json: Path | None = None
    html: Path | None = None
    csv: Path | None = None
    frames_csv: Path | None = None
    annotate: Path | None = None

    def _given(self) -> dict[str, Path]:
        """The options given, by their command-line flag."""
        pairs = ((f"--{f.name.replace('_', '-')}", getattr(self, f.name)) for f in fields(self))
        return {flag: path for flag, path in pairs if path is not None}

    def named(self) -> str:
        """The options given, as on the command line ("" when none)."""
        return ", ".join(self._given())

    def files(self) -> list[Path]:
        return list(self._given().values())


def _default_db() -> Path:
    from formcheck.history import default_db_path

    return default_db_path()


def _record(report: dict[str, Any], db: Path | None) -> None:
    """Store a report in the history; a history that cannot be written is a warning only."""
    if db is None:
        return
    from formcheck.history import record_report

    try:
        session = record_report(report, kind="analyze", db=db)
    except FormcheckError as exc:
        err.print(f"[yellow]warning:[/] not stored in the history: {exc.message}", highlight=False)
        return
    log.info("stored in the history as session %s (%s)", session, db)


def _analyze_one(
    source: Path,
    exercise: Exercise,
    outputs: Outputs,
    cfg: Config,
    model: Path | None,
    max_fps: float | None,
    db: Path | None,
) -> None:
    from formcheck.batch import analyze_source
    from formcheck.outputs import check_writable, write_text_atomic
    from formcheck.report import report_json
    from formcheck.track import is_track_file

    for path in outputs.files():
        check_writable(path)
    if is_track_file(source):
        report, analysis = analyze_source(
            source, exercise=exercise.value, config=cfg, annotate=outputs.annotate
        )
    else:
        label = f"annotating {source.name}" if outputs.annotate else f"analysing {source.name}"
        with frame_progress(label, total=None) as on_progress:
            report, analysis = analyze_source(
                source,
                exercise=exercise.value,
                config=cfg,
                model=model,
                max_fps=max_fps,
                on_progress=on_progress,
                annotate=outputs.annotate,
            )
    print_summary(report)
    written: list[tuple[str, Path]] = []
    if outputs.json is not None:
        written.append(("report", write_text_atomic(outputs.json, report_json(report))))
    if outputs.html is not None:
        from formcheck.html_report import write_html

        written.append(("HTML report", write_html(report, outputs.html)))
    if outputs.csv is not None:
        from formcheck.csv_export import write_csv

        written.append(("CSV", write_csv(report, outputs.csv)))
    if outputs.frames_csv is not None:
        from formcheck.csv_export import write_frames_csv

        written.append(("per-frame CSV", write_frames_csv(analysis, outputs.frames_csv)))
    if outputs.annotate is not None:
        written.append(("annotated video", outputs.annotate))
    for what, path in written:
        out.print(f"{what} written to {path}", highlight=False)
    _record(report, db)
    if report["source"].get("interrupted"):
        raise Interrupted("interrupted: the report covers what was measured so far")


def _analyze_batch(
    inputs: list[Path],
    out_dir: Path,
    exercise: Exercise,
    cfg: Config,
    model: Path | None,
    max_fps: float | None,
    *,
    jobs: int | None,
    force: bool,
    history: Path | None,
) -> None:
    import concurrent.futures as cf
    import json
    import multiprocessing

    from formcheck.batch import default_jobs, ignore_sigint, plan_batch, run_job, write_index
    from formcheck.outputs import check_writable

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the report folder ({exc.strerror})") from None
    check_writable(out_dir / "index.csv")
    plan = plan_batch(inputs, out_dir, force=force)
    todo = [j for j in plan if j.status == "pending"]
    workers = min(jobs or default_jobs(), max(1, len(todo)))
    out.print(
        f"{len(plan)} inputs: {len(todo)} to analyse with {workers} worker(s), "
        f"{len(plan) - len(todo)} already done; reports in {out_dir}/",
        highlight=False,
    )
    options = {"exercise": exercise.value, "config": cfg, "model": model, "max_fps": max_fps}
    progress = _progress_bar()
    ctx = multiprocessing.get_context("spawn")
    interrupted = False
    with ctx.Manager() as manager, progress:
        queue = manager.Queue()
        overall = progress.add_task("all files", total=len(todo))
        per_file: dict[str, Any] = {}
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
                    if n is None:
                        if name in per_file:
                            progress.remove_task(per_file.pop(name))
                        continue
                    if name not in per_file:
                        per_file[name] = progress.add_task(f"  {Path(name).name}", total=total)
                    progress.update(per_file[name], completed=n, total=total)
                for fut in done:
                    job = futures[fut]
                    try:
                        result = fut.result()
                    except Exception as exc:  # the worker process died (a crash in native code)
                        result = {"status": "failed", "message": f"worker failed: {exc}"}
                    job.status = result["status"]
                    job.message = result.get("message", "")
                    job.seconds = result.get("seconds", 0.0)
                    job.summary = result.get("summary", {})
                    progress.advance(overall)
                    if job.status == "done":
                        _record(json.loads(job.report.read_text()), history)
                    mark = "[green]done[/]" if job.status == "done" else "[red]failed[/]"
                    detail = job.message or _batch_line(job.summary)
                    shown = progress.console if err.is_terminal else out
                    shown.print(f"{mark} {job.source.name}: {detail}", highlight=False)
        except KeyboardInterrupt:
            interrupted = True
            for fut in pending:
                fut.cancel()
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        finally:
            pool.shutdown(wait=not interrupted, cancel_futures=True)
    for job in plan:
        if job.status == "pending":
            job.status = "interrupted" if interrupted else "failed"
            job.message = job.message or ("not finished" if interrupted else "no result")
    index = write_index(plan, out_dir)
    counts = {k: sum(j.status == k for j in plan) for k in ("done", "skipped", "failed")}
    out.print(
        f"\n{counts['done']} analysed, {counts['skipped']} skipped, {counts['failed']} failed; "
        f"index: {index}",
        highlight=False,
    )
    if interrupted:
        raise Interrupted("interrupted: finished reports and the index were written")
    if counts["failed"]:
        raise typer.Exit(code=InputError.exit_code)


def _batch_line(summary: dict[str, Any]) -> str:
    if not summary:
        return ""
    parts = [summary.get("exercises") or "no set recognised"]
    if summary.get("reps"):
        parts.append(f"{summary['reps']} reps/rounds")
    if "plank" in str(summary.get("exercises")) and summary.get("hold_s"):
        parts.append(f"held {summary['hold_s']:.1f} s ({summary['good_form_s']:.1f} s good form)")
    if summary.get("warnings"):
        parts.append(f"{summary['warnings']} warnings")
    return ", ".join(str(p) for p in parts)


EXERCISE_TITLES = {"glute_bridge": "Glute bridge", "plank": "Forearm plank", "cat_cow": "Cat-cow"}


def _fmt_s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _people_note(src: dict[str, Any]) -> str:
    """A line about other people in view ("" when there was one person at most)."""
    most = src.get("people_max") or 0
    if most < 2:
        return ""
    when = f" for about {src['several_people_s']:.0f} s" if src.get("several_people_s") else ""
    if src.get("followed_person") == "largest":
        which = "formcheck followed the main (largest) person"
    else:
        which = "formcheck did not always follow the main (largest) person: keep others out of view"
    return f"{most} people in view{when}: {which}."


def print_summary(report: dict[str, Any]) -> None:
    """A readable summary of a report on stdout."""
    src, cov = report["source"], report["coverage"]
    fps = f"{src['fps']:.1f} fps" if src.get("fps") else "fps unknown"
    out.print(
        f"[bold]{src['name'] or src['path']}[/]  {src['width']}x{src['height']}, "
        f"{src['duration_s']:.1f} s, {fps}; measurable {cov['measured_fraction']:.0%} "
        "of frames",
        highlight=False,
    )
    people = _people_note(src)
    if people:
        out.print(f"[yellow]{people}[/]", highlight=False)
    if not report["sets"]:
        out.print("No bridge, plank or cat-cow set was recognised.", highlight=False)
    for i, st in enumerate(report["sets"], 1):
        title = EXERCISE_TITLES.get(st["exercise"], st["exercise"])
        summary = st["summary"]
        out.print(
            f"\n[bold cyan]Set {i}: {title}[/]  {st['start_s']:.1f}-{st['end_s']:.1f} s",
            highlight=False,
        )
        if st["exercise"] == "plank":
            _plank_table(st)
        else:
            _reps_table(st)
        line = []
        if st["exercise"] == "glute_bridge":
            line.append(f"{summary['rep_count']} reps ({summary['good_reps']} good)")
            if summary.get("mean_top_hold_s") is not None:
                line.append(
                    f"mean pause at the top {summary['mean_top_hold_s']:.1f} s "
                    f"(aim for {summary['target_top_hold_s']:.0f} s)"
                )
        elif st["exercise"] == "cat_cow":
            line.append(f"{summary['round_count']} rounds ({summary['good_rounds']} good)")
            if summary.get("mean_range_deg") is not None:
                line.append(f"mean spinal range {summary['mean_range_deg']:.0f} deg")
        else:
            line.append(
                f"held {summary['hold_s']:.1f} s, good form {summary['good_form_s']:.1f} s"
                f" (target {summary['target_hold_s']:.0f} s)"
            )
        out.print("  " + "; ".join(line), highlight=False)
        for w in st["warnings"]:
            out.print(
                f"  [yellow]! {w['type']}[/] {w['start_s']:.1f}-{w['end_s']:.1f} s: {w['message']}",
                highlight=False,
            )
    if cov["gaps"]:
        gaps = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in cov["gaps"][:6])
        more = f" (+{len(cov['gaps']) - 6} more)" if len(cov["gaps"]) > 6 else ""
        out.print(
            f"\n[dim]not measurable (body not fully in view): {gaps}{more}[/]", highlight=False
        )
    if cov["measured_fraction"] == 0:
        err.print(
            "[yellow]warning:[/] no person was found in view; film the whole body side-on",
            highlight=False,
        )


def _reps_table(st: dict[str, Any]) -> None:
    cat = st["exercise"] == "cat_cow"
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for col in ("#", "start", "end"):
        table.add_column(col, justify="right")
    if cat:
        for col in ("range", "cat", "cow", "pauses"):
            table.add_column(col, justify="right")
    else:
        for col in ("hip angle", "top pause", "knee"):
            table.add_column(col, justify="right")
    table.add_column("faults")
    for r in st["reps"]:
        faults = ", ".join(r["faults"]) or "[green]good[/]"
        if cat:
            cells = [
                f"{r['range_deg']:.0f} deg",
                f"+{r['flexion_deg']:.0f}",
                f"{r['extension_deg']:.0f}",
                f"{r['cat_pause_s']:.1f}/{r['cow_pause_s']:.1f} s",
            ]
        else:
            cells = [
                f"{r['peak_hip_angle_deg']:.0f} deg",
                f"{r['top_hold_s']:.1f} s",
                f"{r['knee_angle_deg']:.0f} deg",
            ]
        table.add_row(str(r["index"]), f"{r['start_s']:.1f}", f"{r['end_s']:.1f}", *cells, faults)
    if st["reps"]:
        out.print(table)


def _plank_table(st: dict[str, Any]) -> None:
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for col in ("#", "kind", "start", "end", "held", "good form", "longest good"):
        table.add_column(col, justify="right")
    for h in st["holds"]:
        table.add_row(
            str(h["index"]),
            h["kind"].replace("_", " "),
            f"{h['start_s']:.1f}",
            f"{h['end_s']:.1f}",
            _fmt_s(h["duration_s"]),
            _fmt_s(h["good_form_s"]),
            _fmt_s(h["longest_good_s"]),
        )
    if st["holds"]:
        out.print(table)


config_app = typer.Typer(
    help="Show or write the configuration (thresholds and timings).", no_args_is_help=True
)
app.add_typer(config_app, name="config")


@config_app.command("show")
@handles_errors
def config_show(config: ConfigOption = None, overrides: SetOption = None) -> None:
    """Print the effective settings (defaults < --config file < --set) with their units."""
    from formcheck.config import describe

    cfg = _config(config, overrides)
    table = Table(box=None, padding=(0, 1))
    table.add_column("setting", style="bold")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("meaning")
    for section, key, value, unit, doc in describe(cfg):
        table.add_row(f"{section}.{key}", f"{value:g}", unit, doc)
    out.print(table)


@config_app.command("example")
@handles_errors
def config_example(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print (or write) a fully commented TOML config with the default values."""
    from formcheck.config import example_toml
    from formcheck.outputs import write_text_atomic

    text = example_toml()
    if output is None:
        out.print(text, highlight=False, markup=False)
    else:
        write_text_atomic(output, text)
        out.print(f"wrote {output}", highlight=False)


@app.command()
@handles_errors
def models(
    model: ModelOption = None,
) -> None:
    """Show the pose model in use and verify its checksum."""
    from formcheck.models import DEFAULT_MODEL_SHA256, model_search_paths, resolve_model

    info = resolve_model(model)
    out.print(f"model     {info.path}", highlight=False)
    out.print(f"sha256    {info.sha256}", highlight=False)
    if info.is_default:
        out.print("checksum  OK (formcheck's shipped BlazePose GHUM full model)", highlight=False)
    else:
        out.print(
            "checksum  not the shipped model (no reference checksum; used as given)",
            highlight=False,
        )
    if model is None:
        out.print(f"expected  {DEFAULT_MODEL_SHA256}", highlight=False)
        out.print("searched  " + ", ".join(str(p) for p in model_search_paths()), highlight=False)


# Modules that add their own commands: each has ``register(app, handles_errors)``.
COMMAND_MODULES = ("formcheck.cli_history", "formcheck.cli_live", "formcheck.web.cli")


def _register_optional_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app, handles_errors)
    try:
        from formcheck.synth.cli import synth
    except ImportError:  # the synth package is optional
        return
    app.command(
        "synth",
        help="Render a synthetic exercise video with exact ground truth "
        "(needs the synth extra: pip install -e '.\\[synth]').",
    )(handles_errors(synth))


_register_optional_commands()


def main() -> None:
    """Console-script entry point."""
    app()
