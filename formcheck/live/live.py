"""``formcheck live``: the loop, its options, the recorder and the one library call.

Live coaching is camera -> newest frame -> pose model -> analysis -> overlay, window and voice.
The parts live in their own modules:

* :mod:`formcheck.media.capture`: the live sources and the capture thread that keeps only the newest
  frame (:class:`~formcheck.media.capture.LatestFrameCapture`);
* :mod:`formcheck.live.window`: the window and its keys
  (:class:`~formcheck.live.window.WindowDisplay`);
* :mod:`formcheck.live.live_stats`: display rate and latency;
* :mod:`formcheck.live.interrupt`: Ctrl-C ends a session cleanly;
* :mod:`formcheck.live.live_session`: the session, frames in, feedback and the report out
  (:class:`~formcheck.live.live_session.LiveSession`).

This module puts them together:

* :func:`run_live` is the loop of ``formcheck live``: keys (q/Esc quit, space pause, r restart
  the set, n next exercise), the window being closed, Ctrl-C, the end of a video file and a
  camera that disappears all end it with the report of what was measured.
* :class:`LiveOptions` (window, voice, recording, output), :class:`LiveRecorder` (``--record``),
  :func:`session_parts` (opens all a session needs, also for :mod:`formcheck.live.routine`) and
  :func:`finish_session` (the report, written, as a :class:`LiveResult`).
* :func:`live_session` runs ``formcheck live`` from a camera (or a video file as a camera).

Example:
    >>> from formcheck.media.capture import LatestFrameCapture, open_live_source
    >>> from formcheck.config import Config
    >>> from formcheck.live.live_session import LiveSession
    >>> with open_live_source("samples/bridge_5reps_left.mp4") as source, \\
    ...         LatestFrameCapture(source) as capture, \\
    ...         LiveSession(Config(), exercise="glute_bridge") as session:  # doctest: +SKIP
    ...     ended = run_live(capture, session)
    ...     report = session.report(ended)
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.analysis.events import Event, Exercise
from formcheck.config import Config
from formcheck.errors import CameraError
from formcheck.live.interrupt import InterruptFlag, catch_sigint
from formcheck.live.live_session import Ended, LiveSession, LiveUpdate
from formcheck.live.window import Action, WindowDisplay
from formcheck.media.capture import LatestFrameCapture, open_live_source

if TYPE_CHECKING:
    from formcheck.pose.estimator import PoseOptions

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]


def run_live(
    capture: LatestFrameCapture,
    session: LiveSession,
    *,
    interrupt: InterruptFlag | None = None,
    poll_s: float = 0.05,
) -> Ended:
    """Feed the newest frames to ``session`` until the user quits, closes the window, presses
    Ctrl-C, the video ends or the camera is lost; returns why it ended.

    Keys: q/Esc quit, space pause/resume, r restart the set, n next exercise.
    """
    session.attach(capture)
    flag = interrupt or InterruptFlag()
    try:
        while True:
            if flag.is_set:
                return Ended.INTERRUPTED
            try:
                got = capture.read(timeout=poll_s)
            except CameraError as exc:
                session.end_message = exc.message
                return Ended.CAMERA_LOST
            if got is None:
                if capture.finished:
                    return Ended.END_OF_INPUT
                continue
            action = session.process(got).action
            if action is Action.QUIT:
                return Ended.QUIT
            if action is Action.CLOSED:
                return Ended.WINDOW_CLOSED
            if action is Action.PAUSE:
                session.paused = not session.paused
            elif action is Action.RESTART:
                session.restart_set()
            elif action is Action.NEXT:
                session.next_exercise()
    except KeyboardInterrupt:
        return Ended.INTERRUPTED
    finally:
        session.count_capture(capture)


@dataclass(frozen=True)
class LiveResult:
    """A finished live session (or routine): its report and why it ended.

    Attributes:
        report: The report (schema ``formcheck.report/1`` with a ``live`` block).
        ended: Why the session ended.
        message: A one-line explanation when it ended abnormally (camera lost), else "".
        voice_note: Why the voice was silent ("" if it worked or was muted).
        report_path: Where the report was written, if it was.
    """

    report: dict[str, Any]
    ended: Ended
    message: str = ""
    voice_note: str = ""
    report_path: Path | None = None


class LiveRecorder:
    """Record what a session shows as an H.264 video, timed by the wall clock, so the video
    plays at the speed things happened however the display rate varied.

    Frames of another size than the first (a routine over several videos) are scaled to it.
    The file is written by :class:`formcheck.live.annotate.AnnotatedVideoWriter` (atomically).

    Args:
        path: The video file (.mp4).
        fps: Nominal frame rate of the file.
    """

    def __init__(self, path: str | os.PathLike[str], *, fps: float = 30.0) -> None:
        from formcheck.live.annotate import AnnotatedVideoWriter

        self.writer = AnnotatedVideoWriter(path, fps)
        self._size: tuple[int, int] | None = None
        self._start: float | None = None

    def write(self, image: Image) -> None:
        """Add ``image``, shown now."""
        now = time.perf_counter()
        if self._start is None:
            self._start = now
            self._size = (image.shape[1], image.shape[0])
        if (image.shape[1], image.shape[0]) != self._size:
            image = np.asarray(cv2.resize(image, self._size), dtype=np.uint8)
        self.writer.write(image, timestamp_ms=round((now - self._start) * 1000.0))

    @property
    def frames(self) -> int:
        return int(self.writer.frames_written)

    def __enter__(self) -> Self:
        self.writer.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.writer.__exit__(exc_type, exc, tb)


@dataclass(frozen=True, kw_only=True)
class LiveOptions:
    """How a live session (or routine) is shown, heard and saved.

    Attributes:
        window: Show a window (False: console output only, ``--no-window``).
        size: Window size (width, height) in pixels; None: the camera image's size.
        mirror: Mirror view; None: mirrored for a camera, not for a video file.
        record: Record the stream to this video file (.mp4), or None.
        record_raw: Record the camera image without the overlay.
        mute: No voice.
        show_latency: Show the capture-to-display latency beside the frame rate.
        json_out: Write the report here (atomically) when the session ends, or None.
        speed: Play video files standing in for a camera this much faster (tests, demos).
        title: Window title.
    """

    window: bool = True
    size: tuple[int, int] | None = None
    mirror: bool | None = None
    record: Path | None = None
    record_raw: bool = False
    mute: bool = False
    show_latency: bool = False
    json_out: Path | None = None
    speed: float = 1.0
    title: str = "formcheck"


@contextlib.contextmanager
def session_parts(
    options: LiveOptions,
    config: Config,
    *,
    exercise: Exercise | str,
    pose_options: PoseOptions | None,
    first_kind: str,
) -> Iterator[tuple[LiveSession, Any, InterruptFlag]]:
    """Open what a session needs (Ctrl-C catcher, window, voice, recorder, model) and close it
    all on exit: yields (session, voice, interrupt flag)."""
    from formcheck.live.voice import Voice
    from formcheck.media.outputs import check_writable

    if options.json_out is not None:
        check_writable(options.json_out)
    with contextlib.ExitStack() as stack:
        flag = stack.enter_context(catch_sigint())
        display = (
            stack.enter_context(WindowDisplay(options.title, size=options.size))
            if options.window
            else None
        )
        voice = stack.enter_context(
            Voice(muted=options.mute, cooldown_s=config.live.voice_cooldown_s)
        )
        recorder = stack.enter_context(LiveRecorder(options.record)) if options.record else None
        mirror = first_kind == "camera" if options.mirror is None else options.mirror
        session = stack.enter_context(
            LiveSession(
                config,
                exercise=exercise,
                pose_options=pose_options,
                display=display,
                voice=voice,
                recorder=recorder,
                record_raw=options.record_raw,
                mirror=mirror,
                show_latency=options.show_latency,
            )
        )
        yield session, voice, flag


def finish_session(
    session: LiveSession,
    ended: Ended,
    voice: Any,
    options: LiveOptions,
    *,
    extra: dict[str, Any] | None = None,
) -> LiveResult:
    """Build the report, write it (atomically) if asked, and wrap up the result."""
    from formcheck.media.outputs import write_text_atomic
    from formcheck.report.report import report_json

    report = session.report(ended, extra=extra)
    path = None
    if options.json_out is not None:
        path = write_text_atomic(options.json_out, report_json(report))
    note = "" if options.mute else getattr(voice, "note", "")
    return LiveResult(report, ended, session.end_message, note, path)


def live_session(
    camera: str | int,
    *,
    exercise: Exercise | str = Exercise.AUTO,
    config: Config | None = None,
    pose_options: PoseOptions | None = None,
    options: LiveOptions | None = None,
    on_update: Callable[[LiveUpdate], None] | None = None,
    on_set_finished: Callable[[dict[str, Any]], None] | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> LiveResult:
    """Run ``formcheck live``: coach from a camera (or a video file played as a camera) until
    the user quits, closes the window, presses Ctrl-C, the video ends or the camera is lost.
    The report of what was measured is always built (and written to ``options.json_out``).

    Args:
        camera: Camera index ("0"), device ("/dev/video0") or a video file.
        exercise: "auto" or a fixed exercise.
        config: Settings in effect.
        pose_options: How to run the pose model.
        options: Window, voice, recording and output options.
        on_update: Called after each frame (console output).
        on_set_finished: Called with each finished set's report block (the history's hook).
        on_event: Called with each analyzer event.

    Raises:
        CameraError: The camera cannot be opened (the message lists the cameras found).
        InputError: The video file cannot be read.
        OutputError: The report or recording cannot be written.
    """
    cfg = config or Config()
    opts = options or LiveOptions()
    with (
        open_live_source(camera) as source,
        session_parts(
            opts, cfg, exercise=exercise, pose_options=pose_options, first_kind=source.info.kind
        ) as (session, voice, flag),
    ):
        if on_update is not None:
            session.on_update.append(on_update)
        if on_set_finished is not None:
            session.on_set_finished.append(on_set_finished)
        if on_event is not None:
            session.on_event.append(on_event)
        with LatestFrameCapture(source, speed=opts.speed) as capture:
            ended = run_live(capture, session, interrupt=flag)
        if session.end_message and ended is Ended.CAMERA_LOST:
            log.debug("camera lost: %s", session.end_message)
        return finish_session(session, ended, voice, opts)


__all__ = [
    "LiveOptions",
    "LiveRecorder",
    "LiveResult",
    "finish_session",
    "live_session",
    "run_live",
    "session_parts",
]
