"""The ``formcheck track`` and ``formcheck analyze`` commands.

Each calls one library function (:func:`formcheck.run.pipeline.track_file`,
:func:`formcheck.run.recording.analyze_recording`, or :func:`formcheck.run.batch.run_batch` for
several inputs); this module adds the options, the progress bars and the printed lines.
"""

from __future__ import annotations

import glob
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from formcheck.analysis.events import Exercise
from formcheck.cli.app import (
    ConfigOption,
    DbOption,
    ExerciseOption,
    ModelOption,
    SetOption,
    app,
    err,
    frame_progress,
    handles_errors,
    out,
    pose_options,
    print_summary,
    progress_bar,
    settings,
)
from formcheck.errors import FormcheckError, InputError, Interrupted, UsageError

if TYPE_CHECKING:
    from formcheck.run.recording import RecordingOptions


class Engine(StrEnum):
    """Where a batch runs: local worker processes, or tasks on a Ray cluster."""

    LOCAL = "local"
    RAY = "ray"


def _track_with_progress(path: Path, model: Path | None) -> Any:
    from formcheck.run.pipeline import track_file

    # the bar learns its total from the first callback: track_file knows the frame count
    with frame_progress(f"tracking {path.name}", total=None) as on_progress:
        return track_file(path, options=pose_options(model), on_progress=on_progress)


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
    from formcheck.media.outputs import check_writable
    from formcheck.pose.track import save_track

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
            "--jobs",
            "-j",
            min=1,
            help="Batch: worker processes (--engine ray: tasks at once) \\[default: one per core].",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Batch: redo inputs whose report is already there.")
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="Batch: [bold]local[/] worker processes, or [bold]ray[/] tasks on a Ray cluster "
            "(pip install 'formcheck\\[ray]').",
            case_sensitive=False,
        ),
    ] = Engine.LOCAL,
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help="With --engine ray: [bold]auto[/] (the cluster this machine is in) or "
            "ray://HOST:PORT \\[default: a local Ray instance].",
        ),
    ] = None,
    max_fps: Annotated[
        float | None,
        typer.Option(
            "--max-fps",
            min=0.0,
            help="Analyse at most this many frames per second: 15 is faster still, with the "
            "same counts and faults; 0 analyses every frame. \\[default: 30, which halves the "
            "work on 60 fps video and loses nothing]",
            show_default=False,
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
    from formcheck.run.batch import expand_inputs, is_batch_folder
    from formcheck.run.recording import AUTO_MAX_FPS, RecordingOptions

    paths = [Path(s) for s in sources]
    if address is not None and engine is not Engine.RAY:
        raise UsageError("--address names a Ray cluster: use it with --engine ray")
    is_batch = (
        engine is Engine.RAY
        or len(sources) > 1
        or out_dir is not None
        or any(is_batch_folder(p) for p in paths)
        or any(not p.exists() and glob.has_magic(s) for p, s in zip(paths, sources, strict=True))
    )
    options = RecordingOptions(
        exercise=exercise.value,
        config=settings(config, overrides),
        model=model,
        max_fps=AUTO_MAX_FPS if max_fps is None else (max_fps or None),
        json=json_out,
        html=html_out,
        csv=csv_out,
        frames_csv=frames_csv,
        annotate=annotate,
        record_history=not no_history,
        history_db=db,
    )
    if not is_batch:
        if annotate is not None and max_fps is not None:
            raise UsageError("--annotate draws on every frame: leave out --max-fps")
        _analyze_one(paths[0], options)
        return
    named = ", ".join(f"--{name.replace('_', '-')}" for name in options.outputs())
    if named:
        raise UsageError(
            f"{named} names one file: with several inputs use --out-dir "
            "(a JSON and an HTML report per input)"
        )
    _analyze_batch(
        expand_inputs(sources),
        out_dir or Path("formcheck-reports"),
        options,
        jobs=jobs,
        force=force,
        engine=engine,
        address=address,
    )


#: How the written files are named in the lines that say where they went.
WRITTEN_AS = {
    "json": "report",
    "html": "HTML report",
    "csv": "CSV",
    "frames_csv": "per-frame CSV",
    "annotate": "annotated video",
}


def _analyze_one(source: Path, options: RecordingOptions) -> None:
    """One recording: a progress bar while the model runs, the summary, the files written."""
    from formcheck.pose.track import is_track_file
    from formcheck.run.recording import analyze_recording

    if is_track_file(source):
        result = analyze_recording(source, options)
    else:
        label = f"annotating {source.name}" if options.annotate else f"analysing {source.name}"
        with frame_progress(label, total=None) as on_progress:
            result = analyze_recording(source, options, progress=on_progress)
    print_summary(result.report)
    for name, path in result.written.items():
        out.print(f"{WRITTEN_AS[name]} written to {path}", highlight=False)
    if result.history_error:
        _history_warning(result.history_error)
    if result.interrupted:
        raise Interrupted("interrupted: the report covers what was measured so far")


def _history_warning(message: str) -> None:
    err.print(f"[yellow]warning:[/] not stored in the history: {message}", highlight=False)


def _analyze_batch(
    inputs: list[Path],
    out_dir: Path,
    options: RecordingOptions,
    *,
    jobs: int | None,
    force: bool,
    engine: Engine = Engine.LOCAL,
    address: str | None = None,
) -> None:
    """Several recordings: a bar for all files and one per file running, a line per file."""
    from formcheck.report.summary import batch_line
    from formcheck.run.batch import Job, prepare_batch, run_batch, worker_count

    if engine is Engine.RAY:
        from formcheck.run.ray_engine import INSTALL_HINT, ray_available

        if not ray_available():
            raise UsageError(INSTALL_HINT)
    plan = prepare_batch(inputs, out_dir, force=force)
    todo = sum(j.status == "pending" for j in plan)
    workers = worker_count(plan, jobs)
    how = (
        f"with {workers} worker(s)"
        if engine is Engine.LOCAL
        else f"as Ray tasks ({address or 'a local Ray instance'})"
    )
    out.print(
        f"{len(plan)} inputs: {todo} to analyse {how}, "
        f"{len(plan) - todo} already done; reports in {out_dir}/",
        highlight=False,
    )
    progress = progress_bar()
    per_file: dict[str, Any] = {}
    with progress:
        overall = progress.add_task("all files", total=todo)

        def file_progress(name: str, n: int | None, total: int | None) -> None:
            if n is None:
                if name in per_file:
                    progress.remove_task(per_file.pop(name))
                return
            if name not in per_file:
                per_file[name] = progress.add_task(f"  {Path(name).name}", total=total)
            progress.update(per_file[name], completed=n, total=total)

        def job_done(job: Job) -> None:
            progress.advance(overall)
            if job.history_error:
                _history_warning(job.history_error)
            mark = "[green]done[/]" if job.status == "done" else "[red]failed[/]"
            detail = job.message or batch_line(job.summary)
            shown = progress.console if err.is_terminal else out
            shown.print(f"{mark} {job.source.name}: {detail}", highlight=False)

        if engine is Engine.RAY:
            from formcheck.run.ray_engine import run_batch_ray

            # progress from task completions: the overall bar, a line per file
            result = run_batch_ray(
                plan, out_dir, options, address=address, workers=jobs, on_job_done=job_done
            )
        else:
            result = run_batch(
                plan,
                out_dir,
                options,
                workers=workers,
                on_file_progress=file_progress,
                on_job_done=job_done,
            )
    out.print(
        f"\n{result.count('done')} analysed, {result.count('skipped')} skipped, "
        f"{result.count('failed')} failed; index: {result.index}",
        highlight=False,
    )
    if result.interrupted:
        raise Interrupted("interrupted: finished reports and the index were written")
    if result.count("failed"):
        raise typer.Exit(code=InputError.exit_code)
