"""The ``formcheck`` command line: a thin Typer layer over the library.

Every command calls into the library and turns a :class:`~formcheck.errors.FormcheckError` into
a one-line ``error: ...`` on stderr and the error's exit code; progress bars and printing live
here, never in the library.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from formcheck.errors import FormcheckError, Interrupted

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


@contextmanager
def frame_progress(description: str, *, total: int | None) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar (frames, frames/s, ETA) on stderr; yields the library's progress callback."""
    progress = Progress(
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
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Print the version and exit."),
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
    from formcheck.sources import open_source

    with open_source(str(path)) as probe:
        total = probe.info.frame_count
    with frame_progress(f"tracking {path.name}", total=total) as on_progress:
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


@app.command()
@handles_errors
def analyze(
    source: Annotated[
        Path, typer.Argument(help="A video file, an image or folder of images, or a track (.npz).")
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the report (JSON) to this file.")
    ] = None,
    model: ModelOption = None,
) -> None:
    """Analyse a recording (or a saved track) and print a summary.

    Reports how much of the recording has a person in view, and where the gaps are.
    """
    from formcheck.outputs import check_writable, write_text_atomic
    from formcheck.report import build_report, report_json
    from formcheck.track import is_track_file, load_track

    if json_out is not None:
        check_writable(json_out)
    series = load_track(source) if is_track_file(source) else _track_with_progress(source, model)
    report = build_report(series)
    _print_summary(report)
    if json_out is not None:
        write_text_atomic(json_out, report_json(report))
        out.print(f"report written to {json_out}", highlight=False)
    if series.metadata.get("interrupted"):
        raise Interrupted("interrupted: the report covers what was measured so far")


def _print_summary(report: dict[str, Any]) -> None:
    src = report["source"]
    cov = report["coverage"]
    table = Table(title=f"formcheck - {Path(src['path']).name}", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    fps = f"{src['fps']:.2f} fps" if src.get("fps") else "fps unknown"
    table.add_row("source", f"{src['width']}x{src['height']}, {src['frames']} frames, "
                  f"{src['duration_s']:.1f} s, {fps}")
    table.add_row("person in view", f"{cov['measured_fraction']:.0%} of frames")
    gaps = cov["gaps"]
    if gaps:
        shown = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in gaps[:6])
        more = f" (+{len(gaps) - 6} more)" if len(gaps) > 6 else ""
        table.add_row("gaps", shown + more)
    out.print(table)
    if cov["measured_fraction"] == 0:
        err.print("[yellow]warning:[/] no person was found in view; film the whole body side-on",
                  highlight=False)


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
        out.print("checksum  not the shipped model (no reference checksum; used as given)",
                  highlight=False)
    if model is None:
        out.print(f"expected  {DEFAULT_MODEL_SHA256}", highlight=False)
        out.print("searched  " + ", ".join(str(p) for p in model_search_paths()), highlight=False)


def _register_optional_commands() -> None:
    try:
        from formcheck.synth.cli import synth
    except ImportError:  # the synth package is optional
        return
    app.command(
        "synth",
        help="Render a synthetic exercise video with exact ground truth (needs formcheck[synth]).",
    )(handles_errors(synth))


_register_optional_commands()


def main() -> None:
    """Console-script entry point."""
    app()
