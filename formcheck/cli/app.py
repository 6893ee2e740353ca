"""The ``formcheck`` Typer app and what its commands share: error mapping, progress bars,
logging, the console, the options several commands take, and printing a report's summary.

Every command calls into the library and turns a :class:`~formcheck.errors.FormcheckError` into
a one-line ``error: ...`` on stderr and the error's exit code (:func:`handles_errors`); progress
bars and printing live here and in the command modules, never in the library.
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
from rich.text import Text

from formcheck._version import __version__
from formcheck.analysis.events import Exercise
from formcheck.config import Config, load_config
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


def progress_bar() -> Progress:
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
    progress = progress_bar()
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


def pose_options(model: Path | None) -> Any:
    """The pose model options of ``--model``."""
    from formcheck.pose.estimator import PoseOptions

    return PoseOptions(model=model)


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


def settings(path: Path | None, overrides: list[str] | None) -> Config:
    """The settings of ``--config`` and ``--set`` (over the defaults)."""
    return load_config(path, overrides or [])


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="The history database \\[default: $FORMCHECK_DB, else history.sqlite3 in the user "
        "data folder].",
        dir_okay=False,
        show_default=False,
    ),
]


def print_summary(report: dict[str, Any]) -> None:
    """A report's summary on stdout (and its no-person warning on stderr)."""
    from formcheck.report.summary import no_person_warning, summary_renderable

    out.print(summary_renderable(report))
    warning = no_person_warning(report)
    if warning:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
