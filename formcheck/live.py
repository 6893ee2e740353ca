"""Live coaching: camera -> newest frame -> pose model -> analysis -> overlay, window and voice.

Three parts, each usable on its own:

* :class:`LatestFrameCapture` reads a camera (or a video file played at its own pace, the way a
  camera would deliver it) on a background thread and keeps **only the newest frame**: when the
  model is slower than the camera, old frames are dropped (and counted) instead of queueing up,
  so the picture never falls behind the body.
* :class:`LiveSession` takes one captured frame at a time through the real pose model, the
  exercise analysis (:class:`~formcheck.analysis.Fold`, one per set), the overlay
  (:func:`formcheck.overlay.draw_overlay`), the window (:class:`WindowDisplay`), the voice and
  an optional recording; it measures the display rate and the capture-to-display latency, and
  builds the report (schema ``formcheck.report/1``, plus a ``live`` block) of everything
  measured so far, whenever the session ends.
* :func:`run_live` is the loop of ``formcheck live``: keys (q/Esc quit, space pause, r restart
  the set, n next exercise), the window being closed, Ctrl-C, the end of a video file and a
  camera that disappears all end it with the report of what was measured.

Hooks for the history (connected by the caller): ``LiveSession.on_set_finished`` (called with
each finished set's report block) and ``LiveSession.on_event`` (every analyzer event: reps,
rounds, holds, faults).

Example:
    >>> from formcheck.config import Config
    >>> with open_live_source("samples/bridge_5reps_left.mp4") as source, \\
    ...         LatestFrameCapture(source) as capture, \\
    ...         LiveSession(Config(), exercise="glute_bridge") as session:  # doctest: +SKIP
    ...     ended = run_live(capture, session)
    ...     report = session.report(ended)
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

import cv2
import numpy as np
import numpy.typing as npt

from formcheck._version import __version__
from formcheck.analysis import Fold, LiveState
from formcheck.analysis.events import Event, Exercise
from formcheck.analysis.feedback import Cue
from formcheck.config import Config
from formcheck.errors import CameraError, FormcheckError
from formcheck.landmarks import PoseFrame, PoseSeries, SeriesBuilder
from formcheck.overlay import Presenter, ascii_text, draw_overlay, overlay_scale
from formcheck.pipeline import PeopleLog, with_back_profile
from formcheck.sources import (
    CameraSource,
    Frame,
    FrameSource,
    VideoFileSource,
    is_camera_spec,
)
from formcheck.traces import set_traces

if TYPE_CHECKING:
    from formcheck.pose import PoseOptions

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]

#: Exercises in the order "n" (next exercise) walks through them.
EXERCISE_CYCLE: tuple[Exercise, ...] = (Exercise.GLUTE_BRIDGE, Exercise.PLANK, Exercise.CAT_COW)


class Ended(enum.StrEnum):
    """Why a live session (or routine) ended; recorded as ``report["live"]["ended"]``."""

    QUIT = "quit"  # q or Esc
    WINDOW_CLOSED = "window_closed"
    INTERRUPTED = "interrupted"  # Ctrl-C (SIGINT)
    END_OF_INPUT = "end_of_input"  # a video file played to its end
    CAMERA_LOST = "camera_lost"
    FINISHED = "finished"  # a routine that ran through all its steps


class Action(enum.StrEnum):
    """What the user asked for with a key (or by closing the window)."""

    NONE = "none"
    QUIT = "quit"
    PAUSE = "pause"
    RESTART = "restart"
    NEXT = "next"
    CLOSED = "closed"


KEYS: dict[int, Action] = {
    ord("q"): Action.QUIT,
    ord("Q"): Action.QUIT,
    27: Action.QUIT,  # Esc
    ord(" "): Action.PAUSE,
    ord("r"): Action.RESTART,
    ord("R"): Action.RESTART,
    ord("n"): Action.NEXT,
    ord("N"): Action.NEXT,
}


# -- sources ----------------------------------------------------------------------------------


def open_live_source(spec: str | int) -> VideoFileSource | CameraSource:
    """The source for ``--camera``: a camera index ("0") or device ("/dev/video0"), or a video
    file that stands in for a camera (play it through :class:`LatestFrameCapture`, paced).

    Raises:
        CameraError: The camera cannot be opened (the message lists the cameras found).
        InputError: The video file is missing or unreadable.
    """
    if isinstance(spec, int) or is_camera_spec(spec):
        text = str(spec)
        return CameraSource(int(text) if text.isdigit() else text)
    return VideoFileSource(spec)


@dataclass(frozen=True)
class Captured:
    """A frame as the capture thread delivered it.

    Attributes:
        frame: The frame; its timestamp is on the session's clock (ms, strictly increasing).
        captured_at: ``time.perf_counter()`` when the frame arrived: when the camera delivered
            it, or for a paced video file when it was due (what a camera would have done).
        seq: 1-based number of the frame among all frames the capture delivered.
    """

    frame: Frame
    captured_at: float
    seq: int


class LatestFrameCapture:
    """Read a source on a background thread, keeping only the newest frame.

    Args:
        source: A camera or video source (already open; the caller closes it).
        paced: Play frames at their own timestamps (a video file standing in for a camera).
            Cameras pace themselves: leave it False for them. Default: True for video files.
        speed: Pacing speed factor (2.0 plays twice as fast; for tests and demos).
        offset_ms: Added to every timestamp (puts several sources on one session clock).

    ``read()`` returns the newest frame not yet read (waiting for one if needed); frames that
    were replaced before anybody read them are counted in ``dropped``. An error in the source
    (a camera that disappears) is raised by ``read()``.

    Example:
        >>> with open_live_source("clip.mp4") as src:  # doctest: +SKIP
        ...     with LatestFrameCapture(src) as cap:
        ...         while (got := cap.read(timeout=1.0)) is not None or not cap.finished:
        ...             ...
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        paced: bool | None = None,
        speed: float = 1.0,
        offset_ms: int = 0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.source = source
        self.info = source.info
        self.paced = source.info.kind == "video" if paced is None else paced
        self.speed = speed
        self.offset_ms = int(offset_ms)
        self.captured = 0
        self.dropped = 0
        self.delivered = 0
        self._latest: Captured | None = None
        self._taken = 0
        self._done = False
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="formcheck-capture", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start: float | None = None
        first_ms = 0
        try:
            for frame in self.source:
                if self._stop.is_set():
                    break
                if self.paced:
                    if start is None:
                        start, first_ms = time.perf_counter(), frame.timestamp_ms
                    due = start + (frame.timestamp_ms - first_ms) / 1000.0 / self.speed
                    wait = due - time.perf_counter()
                    if wait > 0 and self._stop.wait(wait):
                        break
                    arrived = due
                else:
                    arrived = time.perf_counter()
                shifted = dataclasses.replace(
                    frame, timestamp_ms=frame.timestamp_ms + self.offset_ms
                )
                self._publish(shifted, arrived)
        except BaseException as exc:  # handed to the reader
            with self._cond:
                self._error = exc
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()

    def _publish(self, frame: Frame, arrived: float) -> None:
        with self._cond:
            self.captured += 1
            if self._latest is not None and self._latest.seq > self._taken:
                self.dropped += 1  # nobody read it: a newer frame replaces it
            self._latest = Captured(frame, arrived, self.captured)
            self._cond.notify_all()

    def _fresh(self) -> bool:
        return self._latest is not None and self._latest.seq > self._taken

    def read(self, timeout: float | None = None) -> Captured | None:
        """The newest frame not yet read; None when none came within ``timeout`` seconds or
        the source has ended (see :attr:`finished`).

        Raises:
            CameraError: The camera stopped delivering frames (or another source error).
        """
        with self._cond:
            self._cond.wait_for(lambda: self._fresh() or self._done, timeout)
            if not self._fresh():
                if self._error is not None:  # after the last frame it delivered
                    error, self._error = self._error, None
                    raise error
                return None
            latest = self._latest
            assert latest is not None
            self._taken = latest.seq
            self.delivered += 1
            return latest

    @property
    def finished(self) -> bool:
        """True once the source has ended and its last frame has been read."""
        with self._cond:
            return self._done and not self._fresh() and self._error is None

    def close(self) -> None:
        """Stop the thread (promptly: a paced wait is cut short)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# -- the window -------------------------------------------------------------------------------


def _qt_font_dir() -> str | None:
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype"):
        if os.path.isdir(folder):
            return folder
    return None


class WindowDisplay:
    """An OpenCV window (``cv2.imshow``) that reports keys and notices being closed.

    Args:
        title: Window title.
        size: (width, height) of the window in pixels; None: the first frame's size.

    Raises:
        FormcheckError: No display to open a window on (use ``--no-window``).
    """

    def __init__(self, title: str = "formcheck", *, size: tuple[int, int] | None = None) -> None:
        if (
            os.name == "posix"
            and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
        ):
            raise FormcheckError(
                "no display to open a window on (DISPLAY is not set); use --no-window for "
                "console output"
            )
        font_dir = _qt_font_dir()
        if font_dir:  # OpenCV's Qt ships no fonts and says so on every window
            os.environ.setdefault("QT_QPA_FONTDIR", font_dir)
        self.title = title
        self.size = size
        self._opened = False
        self.closed = False

    def _open(self, width: int, height: int) -> None:
        flags = cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL
        try:
            cv2.namedWindow(self.title, flags)
            w, h = self.size or (width, height)
            cv2.resizeWindow(self.title, int(w), int(h))
        except cv2.error as exc:
            raise FormcheckError(f"cannot open a window ({exc.err}); use --no-window") from None
        self._opened = True

    def show(self, image: Image, *, wait_ms: int = 1) -> Action:
        """Show ``image`` and return the key pressed meanwhile (or ``Action.CLOSED``)."""
        if self.closed:
            return Action.CLOSED
        if not self._opened:
            self._open(image.shape[1], image.shape[0])
        elif cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            self.closed = True
            return Action.CLOSED
        cv2.imshow(self.title, image)
        key = cv2.waitKey(max(1, wait_ms))
        if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            self.closed = True
            return Action.CLOSED
        return KEYS.get(key & 0xFF, Action.NONE) if key >= 0 else Action.NONE

    def close(self) -> None:
        if self._opened:
            with contextlib.suppress(cv2.error):
                cv2.destroyWindow(self.title)
                cv2.waitKey(1)
            self._opened = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Display(Protocol):
    """Where frames are shown (a window); keys come back as actions."""

    def show(self, image: Image, *, wait_ms: int = 1) -> Action: ...


class Speaker(Protocol):
    """What speaks cues (:class:`formcheck.voice.Voice`)."""

    def say(self, text: str, priority: int = 0) -> Any: ...


class FrameWriter(Protocol):
    """What records frames (``--record``)."""

    def write(self, image: Image) -> Any: ...


# -- measuring --------------------------------------------------------------------------------


@dataclass
class LiveStats:
    """Display rate and capture-to-display latency of a session."""

    window_s: float = 1.0
    shown: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    shown_at: list[float] = field(default_factory=list)
    started: float | None = None
    last: float | None = None
    _recent: deque[float] = field(default_factory=deque)

    def record(self, captured_at: float, shown_at: float) -> None:
        """One frame shown at ``shown_at`` that arrived at ``captured_at`` (perf_counter s)."""
        if self.started is None:
            self.started = shown_at
        self.last = shown_at
        self.shown += 1
        self.latencies_ms.append((shown_at - captured_at) * 1000.0)
        self.shown_at.append(shown_at)
        self._recent.append(shown_at)
        while self._recent and shown_at - self._recent[0] > self.window_s:
            self._recent.popleft()

    @property
    def fps(self) -> float | None:
        """Frames shown per second over the last ``window_s`` (None before two frames)."""
        if len(self._recent) < 2:
            return None
        span = self._recent[-1] - self._recent[0]
        return (len(self._recent) - 1) / span if span > 0 else None

    @property
    def recent_latency_ms(self) -> float | None:
        """Mean latency of the frames shown in the last ``window_s``."""
        n = len(self._recent)
        if not n:
            return None
        return float(np.mean(self.latencies_ms[-n:]))

    def as_dict(self) -> dict[str, Any]:
        """Overall figures for the report."""
        lat = np.asarray(self.latencies_ms, np.float64)
        span = (self.last or 0.0) - (self.started or 0.0)
        return {
            "frames_shown": self.shown,
            "display_fps": round((self.shown - 1) / span, 2) if span > 0 else None,
            "latency_ms_mean": round(float(lat.mean()), 1) if lat.size else None,
            "latency_ms_p95": round(float(np.percentile(lat, 95)), 1) if lat.size else None,
            "latency_ms_max": round(float(lat.max()), 1) if lat.size else None,
        }


# -- Ctrl-C ------------------------------------------------------------------------------------


class InterruptFlag:
    """Set by the first Ctrl-C (SIGINT) while :func:`catch_sigint` is active."""

    def __init__(self) -> None:
        self.is_set = False


@contextlib.contextmanager
def catch_sigint() -> Iterator[InterruptFlag]:
    """Turn the first Ctrl-C (or SIGTERM) into a flag the loop checks, so the session ends
    cleanly between two frames; a second one raises KeyboardInterrupt as usual. Outside the
    main thread (where signals cannot be caught) the flag is never set and Ctrl-C behaves as
    usual."""
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if flag.is_set:
            raise KeyboardInterrupt
        flag.is_set = True

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# -- the session ------------------------------------------------------------------------------


def _flipped(image: Image) -> Image:
    return np.asarray(cv2.flip(image, 1), dtype=np.uint8)


def mirrored(pose: PoseFrame) -> PoseFrame:
    """The pose as seen in a mirrored (left-right flipped) image."""
    width = pose.image_size[0]
    landmarks = pose.landmarks.copy()
    landmarks[:, 0] = width - landmarks[:, 0]
    back = None
    if pose.back is not None:
        back = pose.back.copy()
        back[:, 0] = width - back[:, 0]
    return PoseFrame(pose.timestamp_ms, landmarks, pose.world, pose.image_size, back)


@dataclass
class SetRun:
    """The set being done: its exercise, targets and the fold that analyses it."""

    exercise: Exercise
    fold: Fold
    config: Config
    target: int | None = None
    hold_target_s: float | None = None
    started_ms: int | None = None
    cues_seen: int = 0
    frames: int = 0

    @property
    def state(self) -> LiveState:
        return self.fold.analyzer.state


@dataclass(frozen=True)
class LiveUpdate:
    """What one processed frame produced, for console output and callers.

    Attributes:
        t_s: The frame's time on the session clock.
        state: The analyzer's live state.
        events: Events this frame caused.
        cues: Cues given on this frame.
        action: The key pressed meanwhile (or the window closed).
        fps: Display rate now.
        latency_ms: Recent capture-to-display latency.
    """

    t_s: float
    state: LiveState
    events: list[Event]
    cues: list[Cue]
    action: Action
    fps: float | None
    latency_ms: float | None


class LiveSession:
    """Frames in, feedback out: model, analysis, overlay, window, voice, recording, report.

    Args:
        config: Settings in effect.
        exercise: The first set's exercise ("auto" recognises it and splits sets).
        pose_options: How to run the pose model (VIDEO mode is forced).
        display: Where to show frames (None: no window, e.g. ``--no-window``).
        voice: What speaks cues (None: silent).
        recorder: What records frames (``--record``), or None.
        record_raw: Record the camera image without the overlay.
        mirror: Show a mirror image (the analysis always sees the real image).
        show_latency: Show the latency beside the frame rate.
        estimator: A pose estimator to use instead of opening the real model (must be in
            VIDEO mode); the session then does not close it.

    Hooks: ``on_update`` (each processed frame), ``on_event`` (each analyzer event),
    ``on_set_finished`` (each finished set's report block).
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        exercise: Exercise | str = Exercise.AUTO,
        pose_options: PoseOptions | None = None,
        display: Display | None = None,
        voice: Speaker | None = None,
        recorder: FrameWriter | None = None,
        record_raw: bool = False,
        mirror: bool = False,
        show_latency: bool = False,
        estimator: Any = None,
    ) -> None:
        self.config = config or Config()
        self.requested = Exercise(exercise)
        self.pose_options = pose_options
        self.display = display
        self.voice = voice
        self.recorder = recorder
        self.record_raw = record_raw
        self.mirror = mirror
        self.show_latency = show_latency
        self.stats = LiveStats(window_s=self.config.live.fps_window_s)
        self.on_update: list[Callable[[LiveUpdate], None]] = []
        self.on_event: list[Callable[[Event], None]] = []
        self.on_set_finished: list[Callable[[dict[str, Any]], None]] = []
        self.sets: list[dict[str, Any]] = []
        self.cues: list[Cue] = []
        self.traces: list[dict[str, Any]] = []
        self.discarded_sets = 0
        self.frames_analysed = 0
        self.end_message = ""
        self.paused = False
        self.source_meta: dict[str, Any] = {}
        self.capture_counts = {"captured": 0, "dropped": 0}
        self.current: SetRun | None = None
        self._estimator = estimator
        self._owns_estimator = estimator is None
        self._last_ms = -1
        self._presenter = Presenter.from_config(self.config)
        self._frames: SeriesBuilder | None = None
        self._people = PeopleLog()
        self._blank: Image | None = None
        self.start_set(self.requested)

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> Self:
        if self._estimator is None:
            from formcheck.mediapipe_pose import MediaPipePoseEstimator
            from formcheck.pose import PoseOptions

            options = dataclasses.replace(self.pose_options or PoseOptions(), mode="video")
            self._estimator = MediaPipePoseEstimator(options)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._owns_estimator and self._estimator is not None:
            self._estimator.close()
            self._estimator = None

    @property
    def last_ms(self) -> int:
        """Timestamp of the latest frame on the session clock (-1 before the first)."""
        return self._last_ms

    @property
    def model_info(self) -> dict[str, str]:
        model = getattr(self._estimator, "model", None)
        return {"name": model.name, "sha256": model.sha256} if model is not None else {}

    def attach(self, capture: LatestFrameCapture, *, name: str | None = None) -> None:
        """Note where frames come from (for the report's ``source`` block)."""
        info = capture.info
        names = self.source_meta.get("names", [])
        self.source_meta = {
            "names": [*names, name or info.name],
            "kind": info.kind,
            "fps": info.fps,
            "width": info.width,
            "height": info.height,
        }

    def count_capture(self, capture: LatestFrameCapture) -> None:
        """Add a finished capture's frame counts to the session's."""
        self.capture_counts["captured"] += capture.captured
        self.capture_counts["dropped"] += capture.dropped

    # -- sets ---------------------------------------------------------------------------------
    def start_set(
        self,
        exercise: Exercise | str,
        *,
        target: int | None = None,
        hold_target_s: float | None = None,
    ) -> SetRun:
        """Finish the current set (kept if it has content) and start a new one."""
        if self.current is not None:
            self.end_set(keep_empty=False)
        kind = Exercise(exercise)
        cfg = self.config
        if hold_target_s is not None:
            cfg = dataclasses.replace(
                cfg, plank=dataclasses.replace(cfg.plank, target_hold_s=float(hold_target_s))
            )
        elif kind in (Exercise.PLANK, Exercise.AUTO):
            hold_target_s = cfg.plank.target_hold_s
        self.current = SetRun(kind, Fold(kind, cfg), cfg, target, hold_target_s)
        return self.current

    def end_set(self, *, keep_empty: bool = True) -> list[dict[str, Any]]:
        """Finish the current set; returns its report blocks (auto mode may give several).

        Sets without any rep, round or hold are dropped unless ``keep_empty`` (a fixed
        exercise's set is then kept with zero counts, as ``formcheck analyze`` reports it).
        """
        run, self.current = self.current, None
        if run is None:
            return []
        before = len(run.fold.events)
        analysis = run.fold.finish()
        for event in run.fold.events[before:]:  # what finishing closed (an open hold...)
            self._emit(event)
        fixed = run.exercise is not Exercise.AUTO
        kept = [
            (block, trace)
            for block, trace in zip(analysis.sets, set_traces(analysis), strict=True)
            if (keep_empty and fixed) or block["reps"] or block["holds"]
        ]
        blocks = [block for block, _ in kept]
        self.sets += blocks
        self.traces += [trace for _, trace in kept]
        self.cues += run.fold.coach.given
        for block in blocks:
            for hook in self.on_set_finished:
                hook(block)
        return blocks

    def restart_set(self) -> None:
        """Throw away the current set and start it again (same exercise and targets)."""
        run = self.current
        if run is None:
            return
        self.current = None
        self.discarded_sets += 1
        self.start_set(run.exercise, target=run.target, hold_target_s=run.hold_target_s)

    def next_exercise(self) -> SetRun:
        """Finish the set; the next one is the next exercise (auto mode: a new auto set)."""
        run = self.current
        kind = run.exercise if run is not None else self.requested
        if kind is not Exercise.AUTO:
            kind = EXERCISE_CYCLE[(EXERCISE_CYCLE.index(kind) + 1) % len(EXERCISE_CYCLE)]
        return self.start_set(kind)

    def _emit(self, event: Event) -> None:
        for hook in self.on_event:
            hook(event)

    # -- frames -------------------------------------------------------------------------------
    def _session_frame(self, frame: Frame) -> Frame:
        if frame.timestamp_ms <= self._last_ms:
            frame = dataclasses.replace(frame, timestamp_ms=self._last_ms + 1)
        self._last_ms = frame.timestamp_ms
        return frame

    def _estimate(self, frame: Frame) -> PoseFrame:
        assert self._estimator is not None, "use LiveSession as a context manager"
        estimate = with_back_profile(self._estimator.estimate(frame.image, frame.timestamp_ms))
        self._people.add(estimate)
        return estimate.pose

    def _keep(self, pose: PoseFrame) -> None:
        """Add the pose to the session's series (for the report's coverage and source)."""
        if self._frames is None:
            self._frames = SeriesBuilder(pose.image_size)
        if pose.image_size != self._frames.image_size:
            # a routine over videos of several sizes: one series has one image size; the
            # report reads times and visibility from it, which stay right
            pose = PoseFrame(pose.timestamp_ms, pose.landmarks, pose.world, self._frames.image_size)
        self._frames.add(pose)

    def process(self, captured: Captured) -> LiveUpdate:
        """Analyse one frame (unless paused), draw, show, record, speak; returns the update."""
        frame = self._session_frame(captured.frame)
        run = self.current
        assert run is not None
        t_s = frame.timestamp_ms / 1000.0
        events: list[Event] = []
        height, width = frame.image.shape[:2]
        if self.paused:
            pose: PoseFrame = PoseFrame.empty(
                timestamp_ms=frame.timestamp_ms, image_size=(width, height)
            )
            events = run.fold.analyzer.idle(frame.timestamp_ms, (width, height))
            run.fold.events += events
        else:
            pose = self._estimate(frame)
            events = run.fold.update(pose)
        if run.started_ms is None:
            run.started_ms = frame.timestamp_ms
        run.frames += 1
        self.frames_analysed += not self.paused
        self._keep(pose)
        for event in events:
            self._emit(event)
        given = run.fold.coach.given
        new_cues = list(given[run.cues_seen :])
        run.cues_seen = len(given)
        if new_cues and not self.paused and self.voice is not None:
            self.voice.say(new_cues[-1].text, new_cues[-1].priority)
        state, cue = self._presenter.update(t_s, run.state, given)
        action = self._present(frame.image, pose, state, cue, run, captured)
        update = LiveUpdate(
            t_s,
            state,
            events,
            new_cues,
            action,
            self.stats.fps,
            self.stats.recent_latency_ms,
        )
        for hook in self.on_update:
            hook(update)
        return update

    def _present(
        self,
        image: Image,
        pose: PoseFrame,
        state: LiveState,
        cue: str,
        run: SetRun,
        captured: Captured,
    ) -> Action:
        """Draw the overlay, show it, record it; measure the latency."""
        action = Action.NONE
        if self.display is not None or (self.recorder is not None and not self.record_raw):
            raw = image
            canvas = _flipped(image) if self.mirror else image.copy()
            draw_overlay(
                canvas,
                mirrored(pose) if self.mirror and pose.has_person else pose,
                state,
                cue=cue,
                fps=self.stats.fps,
                latency_ms=self.stats.recent_latency_ms if self.show_latency else None,
                hold_target_s=run.hold_target_s,
                target=run.target,
                config=run.config,
                paused=self.paused,
            )
            if self.display is not None:
                action = self.display.show(canvas)
            if self.recorder is not None:
                self.recorder.write(raw if self.record_raw else canvas)
        elif self.recorder is not None:
            self.recorder.write(image)
        self.stats.record(captured.captured_at, time.perf_counter())
        return action

    def show_screen(
        self, captured: Captured | None, title: str, lines: list[str], *, wait_ms: int = 30
    ) -> Action:
        """Show a message screen (countdown, rest, safety note) over the camera image (or a
        dark background when there is none); no analysis. Returns the key pressed."""
        if captured is not None:
            base = captured.frame.image
            canvas = _flipped(base) if self.mirror else base.copy()
            self._blank = np.zeros_like(base)
        elif self._blank is not None:
            canvas = self._blank.copy()
        else:
            width = int(self.source_meta.get("width") or 640)
            height = int(self.source_meta.get("height") or 480)
            canvas = np.zeros((height, width, 3), np.uint8)
        height, width = canvas.shape[:2]
        s = overlay_scale(width, height)
        cv2.addWeighted(canvas, 0.35, canvas, 0.0, 0.0, dst=canvas)
        y = int(height * 0.3)
        for i, text in enumerate([title, *lines]):
            scale = (1.4 if i == 0 else 0.7) * s
            thick = max(1, round((3 if i == 0 else 2) * s))
            text = ascii_text(text)
            (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_DUPLEX, scale, thick)
            if tw > width * 0.94:
                scale *= width * 0.94 / tw
                (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_DUPLEX, scale, thick)
            cv2.putText(
                canvas,
                text,
                ((width - tw) // 2, y),
                cv2.FONT_HERSHEY_DUPLEX,
                scale,
                (255, 255, 255),
                thick,
                cv2.LINE_AA,
            )
            y += th + round(18 * s)
        if self.recorder is not None and not self.record_raw:
            self.recorder.write(canvas)
        if self.display is None:
            time.sleep(wait_ms / 1000.0)
            return Action.NONE
        return self.display.show(canvas, wait_ms=wait_ms)

    def say(self, text: str) -> None:
        """Speak ``text`` (routine announcements), if there is a voice."""
        if self.voice is not None:
            self.voice.say(text)

    # -- the report ---------------------------------------------------------------------------
    def series(self, *, interrupted: bool = False) -> PoseSeries:
        """Every pose the session measured (paused frames are empty), on the session clock.

        The builder is emptied: call it once, at the end (:meth:`report` does).
        """
        meta = self.source_meta
        names = meta.get("names", [])
        frames = self._frames or SeriesBuilder(
            (int(meta.get("width") or 1), int(meta.get("height") or 1))
        )
        width, height = frames.image_size
        metadata = {
            "source": names[0] if len(names) == 1 else " + ".join(Path(n).name for n in names),
            "kind": meta.get("kind", "camera"),
            "fps": meta.get("fps"),
            "frame_count": len(frames),
            "width": width,
            "height": height,
            "formcheck_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "interrupted": interrupted,
            "truncated": False,
            "model": self.model_info,
            **self._people.summary(max(self._last_ms, 0)),
        }
        self._frames = None
        return frames.build(metadata)

    def report(self, ended: Ended | str, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """The report of everything measured (finishing the current set first).

        The same ``formcheck.report/1`` document ``formcheck analyze`` writes, plus a ``live``
        block: why the session ended, frames captured/dropped/shown, display rate, latency.
        """
        from formcheck.report import report_for

        if self.current is not None:
            self.end_set(keep_empty=not self.sets)
        ended = Ended(ended)
        series = self.series(interrupted=ended is Ended.INTERRUPTED)
        report = report_for(
            series,
            self.sets,
            self.config,
            exercise=self.requested.value,
            cues=sorted(self.cues, key=lambda c: c.t_s),
            traces=self.traces,
        )
        names = self.source_meta.get("names", [])
        if report["source"]["kind"] == "video" and len(names) == 1:
            report["source"]["path"] = str(Path(names[0]).resolve())
        report["live"] = {
            "ended": ended.value,
            "frames_captured": self.capture_counts["captured"],
            "frames_dropped": self.capture_counts["dropped"],
            "frames_analysed": self.frames_analysed,
            "sets_restarted": self.discarded_sets,
            **self.stats.as_dict(),
        }
        if extra:
            report.update(extra)
        return report


# -- the loop of ``formcheck live`` ---------------------------------------------------------------


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
    The file is written by :class:`formcheck.annotate.AnnotatedVideoWriter` (atomically).

    Args:
        path: The video file (.mp4).
        fps: Nominal frame rate of the file.
    """

    def __init__(self, path: str | os.PathLike[str], *, fps: float = 30.0) -> None:
        from formcheck.annotate import AnnotatedVideoWriter

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
    from formcheck.outputs import check_writable
    from formcheck.voice import Voice

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
    from formcheck.outputs import write_text_atomic
    from formcheck.report import report_json

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
    "EXERCISE_CYCLE",
    "KEYS",
    "Action",
    "Captured",
    "Ended",
    "InterruptFlag",
    "LatestFrameCapture",
    "LiveOptions",
    "LiveRecorder",
    "LiveResult",
    "LiveSession",
    "LiveStats",
    "LiveUpdate",
    "SetRun",
    "WindowDisplay",
    "catch_sigint",
    "finish_session",
    "live_session",
    "mirrored",
    "open_live_source",
    "run_live",
    "session_parts",
]
