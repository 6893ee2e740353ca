"""The ``formcheck live`` and ``formcheck routine`` commands (registered by :mod:`formcheck.cli`).

Both call one library function (:func:`formcheck.live.live.live_session`,
:func:`formcheck.live.routine.routine_session`); this module only parses options, prints to the
console and turns how the session ended into a message and an exit code.
"""

# No ``from __future__ import annotations`` here: Typer reads the option types of the commands
# defined inside register(), which must be evaluated where they are defined.
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from formcheck.live.session_history import SessionHistory

if TYPE_CHECKING:
    from formcheck.live.live import LiveOptions, LiveResult
    from formcheck.live.live_session import LiveUpdate

_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX*]\s*(\d{2,5})\s*$")


def parse_size(text: str | None) -> tuple[int, int] | None:
    """``"1280x720"`` -> (1280, 720).

    Example:
        >>> parse_size("960x540")
        (960, 540)
    """
    from formcheck.errors import UsageError

    if text is None:
        return None
    match = _SIZE.match(text)
    if not match:
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 1280x720")
    return int(match.group(1)), int(match.group(2))


class ConsoleFeedback:
    """``--no-window`` output: counts, holds, cues and status changes as console lines."""

    def __init__(self, print_line: Callable[[str], None]) -> None:
        self.print_line = print_line
        self._count: tuple[str, int] | None = None
        self._status = ""

    def __call__(self, update: "LiveUpdate") -> None:
        state = update.state
        stamp = f"[dim]{update.t_s:7.1f} s[/]"
        key = (state.exercise, state.count)
        if state.exercise in ("glute_bridge", "cat_cow") and key != self._count:
            if state.count:
                unit = "rounds" if state.exercise == "cat_cow" else "reps"
                self.print_line(f"{stamp} [bold]{state.count}[/] {unit}")
            self._count = key
        for event in update.events:
            if event.kind == "hold_started":
                self.print_line(f"{stamp} hold started")
            elif event.kind == "hold_ended":
                held = float(event.data.get("end_s", 0.0)) - float(event.data.get("start_s", 0.0))
                then = {
                    "plank": "; up on the toes: a forearm plank",
                    "knee_plank": "; back on the knees: a knee plank",
                }.get(str(event.data.get("next")), "")
                self.print_line(f"{stamp} hold ended: held {held:.1f} s{then}")
        for cue in update.cues:
            self.print_line(f"{stamp} [cyan]{cue.text}[/]")
        if state.status != self._status:
            if state.status:
                self.print_line(f"{stamp} [yellow]{state.status}[/]")
            self._status = state.status


def register(app: typer.Typer, handles_errors: Callable[[Any], Any]) -> None:
    """Add ``live`` and ``routine`` to ``app``."""
    from formcheck.analysis.events import Exercise
    from formcheck.cli.app import ConfigOption, DbOption, ExerciseOption, ModelOption, SetOption

    NoHistoryOption = Annotated[
        bool, typer.Option("--no-history", help="Do not store this session in the history.")
    ]

    CameraHelp = (
        "Camera index (0, 1...) or device (/dev/video0), or a video file played at its own "
        "pace as if it came from a camera."
    )
    MirrorOption = Annotated[
        bool | None,
        typer.Option(
            "--mirror/--no-mirror",
            help="Show a mirror image (default: mirrored for a camera, not for a video file).",
            show_default=False,
        ),
    ]
    SizeOption = Annotated[
        str | None,
        typer.Option(
            "--size",
            help="Window size WIDTHxHEIGHT, e.g. 1280x720 (default: the camera image's size).",
            metavar="WxH",
        ),
    ]
    NoWindowOption = Annotated[
        bool,
        typer.Option("--no-window", help="No window: print counts, holds and cues instead."),
    ]
    RecordOption = Annotated[
        Path | None,
        typer.Option(
            "--record",
            help="Record the annotated stream (what the window shows) to an H.264 .mp4.",
            dir_okay=False,
        ),
    ]
    RecordRawOption = Annotated[
        bool,
        typer.Option("--record-raw", help="With --record: record the camera image only."),
    ]
    JsonOption = Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Write the report (JSON) here when the session ends, however it ends.",
            dir_okay=False,
        ),
    ]
    MuteOption = Annotated[bool, typer.Option("--mute", help="Do not speak cues and counts.")]
    LatencyOption = Annotated[
        bool,
        typer.Option(
            "--show-latency", help="Show the camera-to-screen latency beside the frame rate."
        ),
    ]
    SpeedOption = Annotated[
        float,
        typer.Option(
            "--speed",
            min=0.1,
            max=10.0,
            hidden=True,
            help="Play a video file standing in for the camera this much faster (tests).",
        ),
    ]

    def _options(
        *,
        no_window: bool,
        size: str | None,
        mirror: bool | None,
        record: Path | None,
        record_raw: bool,
        mute: bool,
        show_latency: bool,
        json_out: Path | None,
        speed: float,
        title: str,
    ) -> "LiveOptions":
        from formcheck.errors import UsageError
        from formcheck.live.live import LiveOptions

        if record_raw and record is None:
            raise UsageError("--record-raw needs --record FILE")
        if record is not None and record.suffix.lower() != ".mp4":
            raise UsageError(f"--record {record}: the recording is an H.264 .mp4; name it *.mp4")
        return LiveOptions(
            window=not no_window,
            size=parse_size(size),
            mirror=mirror,
            record=record,
            record_raw=record_raw,
            mute=mute,
            show_latency=show_latency,
            json_out=json_out,
            speed=speed,
            title=title,
        )

    @app.command()
    @handles_errors
    def live(
        exercise: ExerciseOption = Exercise.AUTO,
        camera: Annotated[str, typer.Option("--camera", help=CameraHelp)] = "0",
        mirror: MirrorOption = None,
        size: SizeOption = None,
        no_window: NoWindowOption = False,
        record: RecordOption = None,
        record_raw: RecordRawOption = False,
        json_out: JsonOption = None,
        mute: MuteOption = False,
        show_latency: LatencyOption = False,
        speed: SpeedOption = 1.0,
        db: DbOption = None,
        no_history: NoHistoryOption = False,
        config: ConfigOption = None,
        overrides: SetOption = None,
        model: ModelOption = None,
    ) -> None:
        """Coach live from a webcam: skeleton coloured by form, rep/round counter or hold timer,
        a gauge of the key measure with its target zone, one cue at a time (spoken too).

        Keys in the window: [bold]q[/] or [bold]Esc[/] quit, [bold]space[/] pause,
        [bold]r[/] restart the set, [bold]n[/] next exercise. Quitting, closing the window,
        Ctrl-C, the end of a video or a camera that disappears all end the session cleanly:
        the summary is printed and, with [bold]--json[/], the report of everything measured is
        written. Put the camera side-on, 2-3 m away, low, with your whole body in view.
        """
        from formcheck.cli.app import out, pose_options, settings
        from formcheck.live.live import live_session

        cfg = settings(config, overrides)
        opts = _options(
            no_window=no_window,
            size=size,
            mirror=mirror,
            record=record,
            record_raw=record_raw,
            mute=mute,
            show_latency=show_latency,
            json_out=json_out,
            speed=speed,
            title="formcheck live",
        )
        feedback = ConsoleFeedback(lambda line: out.print(line, highlight=False))
        if no_window:
            out.print(
                f"formcheck live: {exercise.value}, camera {camera}; Ctrl-C ends the session",
                highlight=False,
            )
        with SessionHistory(_db(db, no_history), "live", camera, cfg, warn=_warn) as history:
            result = live_session(
                camera,
                exercise=exercise,
                config=cfg,
                pose_options=pose_options(model).for_exercise(exercise.value),
                options=opts,
                on_update=feedback if no_window else None,
                on_set_finished=history.on_set_finished,
                on_event=history.on_event,
            )
            history.finish(result.report)
        _finish(result, opts)

    @app.command()
    @handles_errors
    def routine(
        camera: Annotated[
            list[str] | None,
            typer.Option(
                "--camera",
                help=CameraHelp + " Give it once for the whole routine, or three times (one "
                "video per exercise: bridges, plank, cat-cow).",
            ),
        ] = None,
        knee_plank: Annotated[
            bool,
            typer.Option("--knee-plank", help="Start gently: a knee plank instead of on the toes."),
        ] = False,
        mirror: MirrorOption = None,
        size: SizeOption = None,
        no_window: NoWindowOption = False,
        record: RecordOption = None,
        record_raw: RecordRawOption = False,
        json_out: JsonOption = None,
        mute: MuteOption = False,
        show_latency: LatencyOption = False,
        speed: SpeedOption = 1.0,
        db: DbOption = None,
        no_history: NoHistoryOption = False,
        config: ConfigOption = None,
        overrides: SetOption = None,
        model: ModelOption = None,
    ) -> None:
        """The guided routine: glute bridges (12 reps, pausing at the top), a forearm plank
        (hold target 20 s to start) and cat-cow (8 slow rounds), with a countdown before each
        exercise and a rest between them.

        A short safety note comes first: move gently, and stop and see a clinician if pain
        worsens. Each exercise ends when its target is reached (the plank also when the hold
        breaks) or after [bold]routine.max_exercise_s[/]. Targets and timings come from the
        config ([bold]--set routine.rest_s=45[/], [bold]routine.bridge_reps[/],
        [bold]routine.plank_target_s[/], [bold]routine.cat_cow_rounds[/],
        [bold]routine.countdown_s[/]). Keys as in [bold]formcheck live[/] ([bold]n[/] skips to
        the next exercise). The session ends with a summary and, with [bold]--json[/], one
        report covering the three sets.
        """
        from formcheck.cli.app import out, pose_options, settings
        from formcheck.live.routine import routine_session

        cfg = settings(config, overrides)
        opts = _options(
            no_window=no_window,
            size=size,
            mirror=mirror,
            record=record,
            record_raw=record_raw,
            mute=mute,
            show_latency=show_latency,
            json_out=json_out,
            speed=speed,
            title="formcheck routine",
        )

        def say(line: str) -> None:
            out.print(f"[bold magenta]>[/] {line}", highlight=False)

        feedback = ConsoleFeedback(lambda line: out.print(line, highlight=False))
        cameras = camera or ["0"]
        source = ", ".join(cameras)
        with SessionHistory(_db(db, no_history), "routine", source, cfg, warn=_warn) as history:
            result, summary = routine_session(
                cameras,
                config=cfg,
                pose_options=pose_options(model).for_exercise("auto"),
                options=opts,
                knee_plank=knee_plank,
                target_provider=history.target,
                on_update=feedback if no_window else None,
                on_message=say,
                on_set_finished=history.on_set_finished,
                on_event=history.on_event,
            )
            history.finish(result.report)
        out.print("\n[bold]Routine summary[/]", highlight=False)
        for line in summary:
            out.print(f"  {line}", highlight=False)
        _finish(result, opts)


def _db(db: Path | None, no_history: bool) -> Path | None:
    from formcheck.history.history import default_db_path

    return None if no_history else (db or default_db_path())


def _warn(message: str) -> None:
    from formcheck.cli.app import err

    err.print(f"[yellow]warning:[/] {message}", highlight=False)


def _finish(result: "LiveResult", opts: "LiveOptions") -> None:
    """Print the summary, say where the report went, and exit as the session ended."""
    from formcheck.cli.app import out, print_summary
    from formcheck.errors import CameraError, Interrupted
    from formcheck.live.live_session import Ended

    print_summary(result.report)
    live = result.report["live"]
    fps = live.get("display_fps")
    if fps:
        out.print(
            f"\n[dim]{live['frames_shown']} frames shown at {fps:.1f} frames/s, latency "
            f"{live['latency_ms_mean']:.0f} ms mean ({live['latency_ms_p95']:.0f} ms p95); "
            f"{live['frames_dropped']} camera frames dropped[/]",
            highlight=False,
        )
    if result.report_path is not None:
        saved = f"the report of what was measured was written to {result.report_path}"
        out.print(f"report written to {result.report_path}", highlight=False)
    else:
        saved = "what was measured is summarised above (add --json FILE to save the report)"
    if result.ended is Ended.INTERRUPTED:
        raise Interrupted(f"interrupted: {saved}")
    if result.ended is Ended.CAMERA_LOST:
        raise CameraError(f"{result.message or 'the camera stopped delivering frames'}; {saved}")


__all__ = ["ConsoleFeedback", "parse_size", "register"]
