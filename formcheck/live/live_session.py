"""The live session: frames in, feedback out, and the report of what was measured.

:class:`LiveSession` takes one captured frame at a time
(:class:`~formcheck.media.capture.Captured`) through the real pose model, the exercise analysis
(:class:`~formcheck.analysis.Fold`, one per set, a :class:`SetRun`), the overlay
(:func:`formcheck.live.overlay.draw_overlay`), the window (:class:`~formcheck.live.window.Display`),
the voice (:class:`Speaker`) and an optional recording (:class:`FrameWriter`); it measures the
display rate and the capture-to-display latency (:class:`~formcheck.live.live_stats.LiveStats`),
and builds the report (schema ``formcheck.report/1``, plus a ``live`` block) of everything
measured so far, whenever the session ends (:class:`Ended` says why). Each processed frame
gives a :class:`LiveUpdate`. A mirrored view flips the image and the drawn pose
(:func:`mirrored`); the analysis always sees the real image.

Hooks for the history (connected by the caller): ``LiveSession.on_set_finished`` (called with
each finished set's report block) and ``LiveSession.on_event`` (every analyzer event: reps,
rounds, holds, faults).

Example:
    >>> from formcheck.media.capture import LatestFrameCapture, open_live_source
    >>> from formcheck.config import Config
    >>> with open_live_source("samples/bridge_5reps_left.mp4") as source, \\
    ...         LatestFrameCapture(source) as capture, \\
    ...         LiveSession(Config(), exercise="glute_bridge") as session:  # doctest: +SKIP
    ...     session.attach(capture)
    ...     while (got := capture.read(timeout=1.0)) is not None:
    ...         update = session.process(got)
    ...     report = session.report(Ended.END_OF_INPUT)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

import cv2
import numpy as np
import numpy.typing as npt

from formcheck._version import __version__
from formcheck.analysis import Fold, LiveState
from formcheck.analysis.events import Event, Exercise
from formcheck.analysis.feedback import Cue
from formcheck.config import Config
from formcheck.live.live_stats import LiveStats
from formcheck.live.overlay import Presenter, ascii_text, draw_overlay, overlay_scale
from formcheck.live.window import Action, Display
from formcheck.media.capture import Captured, LatestFrameCapture
from formcheck.media.sources import Frame
from formcheck.pose.landmarks import PoseFrame, PoseSeries, SeriesBuilder
from formcheck.report.traces import set_traces
from formcheck.run.pipeline import PeopleBeside, PeopleLog, with_back_profile

if TYPE_CHECKING:
    from formcheck.pose.estimator import PoseOptions

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


class Speaker(Protocol):
    """What speaks cues (:class:`formcheck.live.voice.Voice`)."""

    def say(self, text: str, priority: int = 0) -> Any: ...


class FrameWriter(Protocol):
    """What records frames (``--record``)."""

    def write(self, image: Image) -> Any: ...


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
        self._counter: PeopleBeside | None = None
        self._blank: Image | None = None
        self.start_set(self.requested)

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> Self:
        if self._estimator is None:
            from formcheck.pose.estimator import PoseOptions
            from formcheck.pose.mediapipe_pose import MediaPipePoseEstimator

            options = dataclasses.replace(self.pose_options or PoseOptions(), mode="video")
            self._estimator = MediaPipePoseEstimator(options)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._counter is not None:
            self._counter.close()  # the last count, before its model goes
            self._counter = None
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
        estimator = self._estimator
        assert estimator is not None, "use LiveSession as a context manager"
        if hasattr(estimator, "people_check_due"):  # the real model: people counted beside it
            prepared = estimator.prepare(frame.image)
            raw = estimator.estimate_prepared(prepared, frame.timestamp_ms, people_check=False)
            if self._counter is None:
                self._counter = PeopleBeside(estimator, self._people)
            self._counter.offer(prepared, raw)
        else:
            raw = estimator.estimate(frame.image, frame.timestamp_ms)
        estimate = with_back_profile(raw)
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
        from formcheck.report.report import report_for

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


__all__ = [
    "EXERCISE_CYCLE",
    "Ended",
    "FrameWriter",
    "LiveSession",
    "LiveUpdate",
    "SetRun",
    "Speaker",
    "mirrored",
]
