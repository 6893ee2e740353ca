"""The guided routine: glute bridges, a forearm plank and cat-cow, one after the other.

``formcheck routine`` walks through a fixed plan (:func:`plan_routine`), a small state machine
of phases:

1. **safety note** (``routine.safety_note_s``): move gently; stop and see a clinician if pain
   worsens;
2. for each exercise: a **countdown** (``routine.countdown_s``), then the **exercise** as a set
   with its exercise fixed, until its target is reached or ``routine.max_exercise_s`` passes —

   * glute bridges: ``routine.bridge_reps`` reps (12-15 advised), pausing
     ``bridge.target_top_hold_s`` at the top;
   * forearm plank (or a knee plank, to start gently): until the hold reaches its target or
     the hold breaks; the target comes from ``target_provider`` (the history, when connected)
     or ``routine.plank_target_s`` (20-30 s to start);
   * cat-cow: ``routine.cat_cow_rounds`` slow rounds (8-10 advised);

   then a **rest** (``routine.rest_s``) before the next exercise;
3. a **summary**, and one report covering the three sets (with a ``routine`` block: each
   step's target, what was achieved and why it ended).

Keys as in ``formcheck live``: q/Esc ends the routine (the report keeps what was done), space
pauses, r restarts the current exercise, n skips to the next one. One camera (or one video)
serves the whole routine, or one video file per exercise (for tests and demos).

Example:
    >>> steps = plan_routine(Config(), plank_target_s=25.0)
    >>> [(s.exercise.value, s.target_reps, s.target_hold_s) for s in steps]
    [('glute_bridge', 12, None), ('plank', None, 25.0), ('cat_cow', 8, None)]
"""

from __future__ import annotations

import contextlib
import enum
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.analysis import LiveState
from formcheck.analysis.events import Event, Exercise
from formcheck.config import Config
from formcheck.errors import CameraError, UsageError
from formcheck.live.interrupt import InterruptFlag
from formcheck.live.live import LiveOptions, LiveResult, finish_session, session_parts
from formcheck.live.live_session import Ended, LiveSession, LiveUpdate
from formcheck.live.window import Action
from formcheck.media.capture import Captured, LatestFrameCapture, open_live_source
from formcheck.media.sources import check_input_file, is_camera_spec

if TYPE_CHECKING:
    from formcheck.pose.estimator import PoseOptions

log = logging.getLogger(__name__)

#: The safety note shown (and said) before the routine starts.
SAFETY_NOTE: tuple[str, ...] = (
    "Move gently and stay within comfort.",
    "Stop, and see a clinician, if pain worsens",
    "or spreads, or you feel numbness or weakness.",
)

#: Returns a target the history has earned, or None for the config's: the plank hold (seconds)
#: for "plank" or "knee_plank", the bridge reps for "bridge_reps", the pause at the top of a
#: bridge (seconds) for "bridge_pause". The history connects here.
TargetProvider = Callable[[str], float | None]


@dataclass(frozen=True)
class RoutineStep:
    """One exercise of the routine and its target.

    Attributes:
        exercise: The exercise (its set is analysed with this exercise fixed).
        title: Its name on screen and in the voice.
        target_reps: Reps or rounds to do (bridge, cat-cow), else None.
        target_hold_s: Hold to reach (plank), else None.
        advice: One line shown during the countdown.
    """

    exercise: Exercise
    title: str
    target_reps: int | None = None
    target_hold_s: float | None = None
    advice: str = ""

    @property
    def target_text(self) -> str:
        if self.target_reps is not None:
            unit = "rounds" if self.exercise is Exercise.CAT_COW else "reps"
            return f"{self.target_reps} {unit}"
        return f"hold {self.target_hold_s:.0f} s" if self.target_hold_s else ""


def plan_routine(
    config: Config,
    *,
    plank_target_s: float | None = None,
    bridge_reps: float | None = None,
    bridge_pause_s: float | None = None,
    knee_plank: bool = False,
) -> list[RoutineStep]:
    """The routine's three steps with their targets from ``config``.

    Args:
        config: Settings (``routine.*`` targets, ``bridge.target_top_hold_s``).
        plank_target_s: The plank hold target; None: ``routine.plank_target_s``.
        bridge_reps: The bridge rep target; None: ``routine.bridge_reps``.
        bridge_pause_s: The pause to hold at the top of a bridge; None:
            ``bridge.target_top_hold_s``.
        knee_plank: Start with a knee plank instead of a forearm plank on the toes.
    """
    r = config.routine
    hold = float(plank_target_s if plank_target_s is not None else r.plank_target_s)
    pause = bridge_pause_s if bridge_pause_s is not None else config.bridge.target_top_hold_s
    reps = bridge_reps if bridge_reps is not None else r.bridge_reps
    plank_title = "Knee plank" if knee_plank else "Forearm plank"
    plank_advice = (
        "Forearms and knees down; straight line from shoulders to knees"
        if knee_plank
        else "Forearms and toes; straight line from head to heels"
    )
    return [
        RoutineStep(
            Exercise.GLUTE_BRIDGE,
            "Glute bridges",
            target_reps=max(1, round(reps)),
            advice=f"Lie on your back, knees bent; pause {pause:g} s at the top of each rep",
        ),
        RoutineStep(Exercise.PLANK, plank_title, target_hold_s=hold, advice=plank_advice),
        RoutineStep(
            Exercise.CAT_COW,
            "Cat-cow",
            target_reps=max(1, round(r.cat_cow_rounds)),
            advice="On hands and knees; round and arch your back slowly, pausing at each end",
        ),
    ]


class StepEnd(enum.StrEnum):
    """Why an exercise step ended."""

    TARGET = "target_reached"
    HOLD_ENDED = "hold_ended"  # the plank hold broke before its target
    TIME_LIMIT = "time_limit"
    SKIPPED = "skipped"  # n
    END_OF_INPUT = "end_of_input"  # its video ended
    STOPPED = "stopped"  # the routine was ended (q, window closed, Ctrl-C, camera lost)
    NOT_STARTED = "not_started"


def target_reached(step: RoutineStep, state: LiveState) -> bool:
    """True once the live state meets the step's target (a plank's ``hold_s`` counts the
    holds the one under way went on from, see :class:`~formcheck.analysis.plank.PlankAnalyzer`).

    Example:
        >>> step = RoutineStep(Exercise.GLUTE_BRIDGE, "Glute bridges", target_reps=12)
        >>> target_reached(step, LiveState(exercise="glute_bridge", count=12))
        True
    """
    if step.target_reps is not None:
        return state.count >= step.target_reps
    if step.target_hold_s is not None:
        return state.hold_s >= step.target_hold_s
    return False


def achieved(step: RoutineStep, blocks: list[dict[str, Any]]) -> float:
    """What a step achieved, from its set's report blocks: reps or rounds, or the longest
    hold in seconds (plank), holds that went on straight from the one before (``continues``:
    a knee plank up onto the toes) counted together.

    Example:
        >>> step = RoutineStep(Exercise.PLANK, "Knee plank", target_hold_s=20.0)
        >>> achieved(step, [{"holds": [{"duration_s": 9.0, "continues": False},
        ...                            {"duration_s": 12.0, "continues": True},
        ...                            {"duration_s": 15.0, "continues": False}]}])
        21.0
    """
    if step.exercise is Exercise.PLANK:
        chains: list[float] = []
        for b in blocks:
            for i, h in enumerate(b["holds"]):
                if i and h.get("continues"):
                    chains[-1] += h["duration_s"]
                else:
                    chains.append(h["duration_s"])
        return round(max(chains, default=0.0), 3)
    return float(sum(b["summary"].get("rep_count", 0) for b in blocks))


class _Stop(Exception):
    """The routine ends now (quit, window closed, Ctrl-C, camera lost, its only source ended)."""

    def __init__(self, ended: Ended) -> None:
        super().__init__(ended.value)
        self.ended = ended


class Routine:
    """Runs the routine's phases over a :class:`LiveSession` (see module docs).

    Args:
        session: The live session (model, window, voice, report) to run in.
        sources: One camera or video for the whole routine, or one video file per step.
        steps: The plan (:func:`plan_routine`).
        interrupt: Set by Ctrl-C.
        speed: Play video files this much faster (tests, demos).
        on_message: Called with each announcement ("Rest 30 s. Next: Forearm plank"), for
            console output.
    """

    def __init__(
        self,
        session: LiveSession,
        sources: Sequence[str | int],
        steps: Sequence[RoutineStep],
        *,
        interrupt: InterruptFlag | None = None,
        speed: float = 1.0,
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        if len(sources) not in (1, len(steps)):
            raise UsageError(
                f"give one --camera for the whole routine, or one video per exercise "
                f"({len(steps)}); got {len(sources)}"
            )
        self.session = session
        self.sources = list(sources)
        self.steps = list(steps)
        self.flag = interrupt or InterruptFlag()
        self.speed = speed
        self.on_message = on_message
        self.outcomes: list[dict[str, Any]] = []
        self.config = session.config
        self._capture: LatestFrameCapture | None = None
        self._latest: Captured | None = None
        self._t0 = time.perf_counter()

    # -- sources ------------------------------------------------------------------------------
    @property
    def shared_source(self) -> bool:
        return len(self.sources) == 1

    @contextlib.contextmanager
    def _open(self, spec: str | int) -> Iterator[LatestFrameCapture]:
        # every source on the session's clock: after what came before, never back in time
        offset = max(round((time.perf_counter() - self._t0) * 1000), self.session.last_ms + 1)
        with (
            open_live_source(spec) as source,
            LatestFrameCapture(source, speed=self.speed, offset_ms=offset) as capture,
        ):
            self.session.attach(capture)
            self._capture = capture
            try:
                yield capture
            finally:
                self.session.count_capture(capture)
                self._capture = None

    def _read(self, timeout: float) -> Captured | None:
        """The newest frame, if any; raises _Stop when the shared source ends or is lost."""
        if self._capture is None:
            return None
        try:
            got = self._capture.read(timeout=timeout)
        except CameraError as exc:
            self.session.end_message = exc.message
            raise _Stop(Ended.CAMERA_LOST) from None
        if got is not None:
            self._latest = got
        return got

    # -- phases -------------------------------------------------------------------------------
    def _say(self, text: str, *, spoken: str | None = None) -> None:
        log.info("%s", text)
        if self.on_message is not None:
            self.on_message(text)
        self.session.say(spoken or text)

    def _check(self, action: Action) -> Action:
        if self.flag.is_set:
            raise _Stop(Ended.INTERRUPTED)
        if action is Action.QUIT:
            raise _Stop(Ended.QUIT)
        if action is Action.CLOSED:
            raise _Stop(Ended.WINDOW_CLOSED)
        return action

    def _screen(self, seconds: float, title: Callable[[float], str], lines: list[str]) -> None:
        """Show a timed screen (over the live image when a source is open); n skips it."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            got = self._read(timeout=0.03) if self._capture is not None else None
            if got is None and self._capture is not None and self._capture.finished:
                raise _Stop(Ended.END_OF_INPUT)
            action = self._check(
                self.session.show_screen(got or self._latest, title(left), lines, wait_ms=30)
            )
            if action is Action.NEXT:
                return

    def _exercise(self, step: RoutineStep, capture: LatestFrameCapture) -> StepEnd:
        session = self.session
        session.start_set(step.exercise, target=step.target_reps, hold_target_s=step.target_hold_s)
        session.paused = False
        self._say(f"{step.title}: go", spoken="Go")
        limit = self.config.routine.max_exercise_s
        active_s, last = 0.0, time.perf_counter()
        while True:
            now = time.perf_counter()
            if not session.paused:
                active_s += now - last
            last = now
            if active_s >= limit:
                return StepEnd.TIME_LIMIT
            if self.flag.is_set:
                raise _Stop(Ended.INTERRUPTED)
            got = self._read(timeout=0.05)
            if got is None:
                if capture.finished:
                    if self.shared_source:
                        raise _Stop(Ended.END_OF_INPUT)
                    return StepEnd.END_OF_INPUT
                continue
            update = session.process(got)
            action = self._check(update.action)
            if action is Action.PAUSE:
                session.paused = not session.paused
            elif action is Action.RESTART:
                session.restart_set()
            elif action is Action.NEXT:
                return StepEnd.SKIPPED
            if target_reached(step, update.state):
                return StepEnd.TARGET
            if step.exercise is Exercise.PLANK and _hold_broke(update):
                return StepEnd.HOLD_ENDED

    def _step(self, index: int, step: RoutineStep) -> None:
        """Countdown, exercise, and its outcome."""
        cfg = self.config.routine
        self._say(
            f"{step.title} ({step.target_text}) in {cfg.countdown_s:.0f} s",
            spoken=f"Next: {step.title}. {step.target_text}. Get ready",
        )
        self._screen(
            cfg.countdown_s,
            lambda left: f"{step.title} in {left:.0f}" if left >= 0.5 else f"{step.title}: go",
            [step.target_text, step.advice],
        )
        first = len(self.session.sets)
        outcome: dict[str, Any] = {
            "exercise": step.exercise.value,
            "title": step.title,
            "target_reps": step.target_reps,
            "target_hold_s": step.target_hold_s,
        }
        ended = StepEnd.NOT_STARTED
        try:
            if self.shared_source:
                assert self._capture is not None
                ended = self._exercise(step, self._capture)
            else:
                with self._open(self.sources[index]) as capture:
                    ended = self._exercise(step, capture)
        except _Stop:
            ended = StepEnd.STOPPED
            raise
        finally:
            blocks = self.session.end_set(keep_empty=True)
            outcome.update(
                achieved=achieved(step, blocks),
                ended=ended.value,
                sets=list(range(first, first + len(blocks))),
            )
            self.outcomes.append(outcome)
        done = "well done" if ended is StepEnd.TARGET else "done"
        self._say(f"{step.title}: {_achieved_text(step, outcome['achieved'])}, {done}")

    def _rest(self, following: RoutineStep) -> None:
        seconds = self.config.routine.rest_s
        self._say(
            f"Rest {seconds:.0f} s. Next: {following.title}",
            spoken=f"Rest. Next: {following.title}",
        )
        self._screen(
            seconds,
            lambda left: f"Rest {left:.0f} s",
            [f"Next: {following.title}, {following.target_text}"],
        )

    def run(self) -> Ended:
        """Run every phase; returns why the routine ended (``FINISHED`` when it ran through)."""
        try:
            with contextlib.ExitStack() as stack:
                if self.shared_source:
                    stack.enter_context(self._open(self.sources[0]))
                self._say(" ".join(SAFETY_NOTE), spoken=" ".join(SAFETY_NOTE[:2]))
                self._screen(
                    self.config.routine.safety_note_s, lambda _: "Before you start", [*SAFETY_NOTE]
                )
                for i, step in enumerate(self.steps):
                    if i:
                        self._rest(step)
                    self._step(i, step)
                self._say("Routine complete. Well done")
                if self.session.display is not None:
                    self._screen(5.0, lambda _: "Routine complete", self.summary_lines())
            return Ended.FINISHED
        except _Stop as stop:
            return stop.ended
        except KeyboardInterrupt:
            return Ended.INTERRUPTED

    def summary_lines(self) -> list[str]:
        """One line per step done: title, what was achieved against the target."""
        by_index = {o["title"]: o for o in self.outcomes}
        lines = []
        for step in self.steps:
            o = by_index.get(step.title)
            if o is None:
                lines.append(f"{step.title}: not done")
            else:
                lines.append(
                    f"{step.title}: {_achieved_text(step, o['achieved'])} "
                    f"(target {step.target_text})"
                )
        return lines

    def report_block(self, ended: Ended) -> dict[str, Any]:
        """The report's ``routine`` block."""
        done = {o["title"] for o in self.outcomes}
        steps = self.outcomes + [
            {
                "exercise": s.exercise.value,
                "title": s.title,
                "target_reps": s.target_reps,
                "target_hold_s": s.target_hold_s,
                "achieved": 0.0,
                "ended": StepEnd.NOT_STARTED.value,
                "sets": [],
            }
            for s in self.steps
            if s.title not in done
        ]
        return {
            "steps": steps,
            "completed": ended is Ended.FINISHED,
            "sources": [str(s) for s in self.sources],
        }


def _hold_broke(update: LiveUpdate) -> bool:
    """A plank hold ended, unless it went on as another (a knee plank up onto the toes, or
    back: the step goes on, and so does its hold timer)."""
    return any(e.breaks_hold for e in update.events)


def _achieved_text(step: RoutineStep, value: float) -> str:
    if step.exercise is Exercise.PLANK:
        return f"held {value:.0f} s"
    unit = "rounds" if step.exercise is Exercise.CAT_COW else "reps"
    return f"{value:.0f} {unit}"


def routine_session(
    cameras: Sequence[str | int],
    *,
    config: Config | None = None,
    pose_options: PoseOptions | None = None,
    options: LiveOptions | None = None,
    knee_plank: bool = False,
    target_provider: TargetProvider | None = None,
    on_update: Callable[[LiveUpdate], None] | None = None,
    on_message: Callable[[str], None] | None = None,
    on_set_finished: Callable[[dict[str, Any]], None] | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> tuple[LiveResult, list[str]]:
    """Run ``formcheck routine``; returns the result (its report has a ``routine`` block) and
    the summary lines. The report covers what was done however the routine ended.

    Args:
        cameras: One camera or video for the whole routine, or one video file per exercise.
        config: Settings in effect (``routine.*`` for targets and timings).
        pose_options: How to run the pose model.
        options: Window, voice, recording and output options.
        knee_plank: Start with a knee plank.
        target_provider: Where the plank target comes from (the history); None: config.
        on_update: Called after each analysed frame.
        on_message: Called with each announcement.
        on_set_finished: Called with each finished set's report block.
        on_event: Called with each analyzer event.

    Raises:
        UsageError: Neither one source nor one per exercise.
        CameraError: The camera cannot be opened (the message lists the cameras found).
        InputError: A video file cannot be read.
    """
    cfg = config or Config()
    opts = options or LiveOptions()
    if len(cameras) not in (1, 3):
        raise UsageError(
            f"give one --camera for the whole routine, or one video per exercise (3); "
            f"got {len(cameras)}"
        )
    if len(cameras) > 1:
        for spec in cameras:
            if isinstance(spec, int) or is_camera_spec(spec):
                raise UsageError("one camera serves the whole routine: give --camera once")
            check_input_file(Path(spec))
    kind = "camera" if isinstance(cameras[0], int) or is_camera_spec(cameras[0]) else "video"
    earned = target_provider or (lambda _kind: None)
    pause = earned("bridge_pause")
    if pause is not None:  # the bridge analysis judges the pause by the earned target too
        cfg = replace(cfg, bridge=replace(cfg.bridge, target_top_hold_s=pause))
    steps = plan_routine(
        cfg,
        plank_target_s=earned("knee_plank" if knee_plank else "plank"),
        bridge_reps=earned("bridge_reps"),
        knee_plank=knee_plank,
    )
    if kind == "camera":  # fail now, with the list of cameras, rather than after the note
        open_live_source(cameras[0]).close()
    with session_parts(
        opts, cfg, exercise=Exercise.AUTO, pose_options=pose_options, first_kind=kind
    ) as (session, voice, flag):
        session.on_update += [on_update] if on_update else []
        session.on_set_finished += [on_set_finished] if on_set_finished else []
        session.on_event += [on_event] if on_event else []
        routine = Routine(session, cameras, steps, interrupt=flag, speed=opts.speed)
        routine.on_message = on_message
        ended = routine.run()
        extra = {"routine": {**routine.report_block(ended), "knee_plank": knee_plank}}
        result = finish_session(session, ended, voice, opts, extra=extra)
        return result, routine.summary_lines()


__all__ = [
    "SAFETY_NOTE",
    "Routine",
    "RoutineStep",
    "StepEnd",
    "TargetProvider",
    "achieved",
    "plan_routine",
    "routine_session",
    "target_reached",
]
