"""The live page's engine: browser frames in, the same live session as ``formcheck live``, overlay
data out.

The browser sends camera frames over a WebSocket; :class:`LiveBridge` runs the session on a
worker thread with the library's own loop (:func:`formcheck.live.run_live` for a free session,
:class:`formcheck.routine.Routine` for the guided routine), so the analyzers, the feedback, the
history writing and the report are those of the desktop coach. Only the ends differ:

* :class:`BrowserCapture` stands in for the camera capture thread: it holds the newest frame the
  page sent (the page sends the next one only when the previous one was answered, so at most
  one frame is in flight and a slow machine drops frames instead of falling behind);
* :class:`BrowserSession` is a :class:`~formcheck.live_session.LiveSession` whose "window" is the
  page: instead of drawing the overlay it sends what the overlay needs (:func:`frame_message`),
  and the page's buttons come back as the window's keys;
* :class:`BrowserVoice` sends cues to the page, which speaks them.

How a session ends is recorded as the desktop records it (``report["live"]["ended"]``): the stop
button is ``quit``, a closed tab ``window_closed``, a lost connection ``camera_lost`` and a
server shutting down ``interrupted`` (the last two also mark the history session interrupted).

Example:
    >>> msg = parse_control('{"type": "pause"}')
    >>> msg
    <Action.PAUSE: 'pause'>
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.web import library as fc

log = logging.getLogger(__name__)

#: The binary frame message: a little-endian float64 (the page's capture time in ms) and the JPEG.
FRAME_HEADER = struct.Struct("<d")

#: Page buttons -> the window keys they stand for.
CONTROLS: dict[str, fc.Action] = {
    "pause": fc.Action.PAUSE,
    "restart": fc.Action.RESTART,
    "next": fc.Action.NEXT,
    "stop": fc.Action.QUIT,
}

#: Segments of one side drawn by the page (the desktop overlay's, by point name).
POINT_NAMES = ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot")
_JOINTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")

Send = Callable[[dict[str, Any]], None]


def parse_control(text: str) -> fc.Action | None:
    """The action of a control message from the page, None when it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return CONTROLS.get(str(data.get("type")))


def decode_frame(data: bytes) -> tuple[float, np.ndarray] | None:
    """(capture time in ms, BGR image) of a binary frame message; None when it is not one."""
    if len(data) <= FRAME_HEADER.size:
        return None
    (t_ms,) = FRAME_HEADER.unpack_from(data)
    if not math.isfinite(t_ms):
        return None
    buf = np.frombuffer(data, np.uint8, offset=FRAME_HEADER.size)
    image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if image is None or image.ndim != 3:
        return None
    return float(t_ms), np.asarray(image, dtype=np.uint8)


def _num(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def pose_message(pose: fc.PoseFrame, min_visibility: float) -> dict[str, Any] | None:
    """The skeleton the page draws: the camera-facing side (``near``) and the far one, points
    as fractions of the image size (None where hidden), and the back curve if any. The near
    side is chosen as the desktop overlay chooses it (mean visibility of its joints)."""
    if not pose.has_person:
        return None
    width, height = pose.image_size
    lm = pose.landmarks.astype(np.float64)
    vis = np.nan_to_num(lm[:, 3], nan=0.0)
    ok = np.isfinite(lm[:, :2]).all(axis=1) & (vis >= min_visibility)

    def side(name: Any) -> dict[str, list[float] | None]:
        points = fc.SIDE_POINTS[name]
        return {
            n: [round(lm[i, 0] / width, 4), round(lm[i, 1] / height, 4)] if ok[i] else None
            for n, i in ((n, int(points[n])) for n in POINT_NAMES)
        }

    def joints_vis(name: Any) -> float:
        return float(np.mean([vis[int(fc.SIDE_POINTS[name][j])] for j in _JOINTS]))

    near = "left" if joints_vis("left") >= joints_vis("right") else "right"
    far = "right" if near == "left" else "left"
    back = None
    if pose.back is not None:
        b = pose.back.astype(np.float64)
        good = np.isfinite(b).all(axis=1)
        back = [[round(x / width, 4), round(y / height, 4)] for x, y in b[good]]
    return {"side": near, "near": side(near), "far": side(far), "back": back}


def frame_message(
    session: fc.LiveSession,
    pose: fc.PoseFrame,
    state: fc.LiveState,
    cue: str,
    run: Any,
    ack: int,
    t_ms: float,
) -> dict[str, Any]:
    """What the overlay shows after one frame (see README, "The live WebSocket")."""
    cfg = run.config
    scale = fc.gauge_scale(state.exercise, cfg)
    gauge = None
    if scale is not None:
        gauge = {
            "low": scale.low,
            "high": scale.high,
            "zone": list(scale.zone),
            "low_label": scale.low_label,
            "high_label": scale.high_label,
        }
    return {
        "type": "frame",
        "ack": ack,
        "t": t_ms,
        "exercise": state.exercise,
        "count": state.count,
        "target": run.target,
        "hold_s": round(state.hold_s, 2),
        "hold_target_s": run.hold_target_s,
        "measure": _num(state.measure, 1),
        "measure_name": state.measure_name,
        "gauge": gauge,
        "level": fc.form_level(state, cfg),
        "phase": state.phase,
        "faults": list(state.faults),
        "status": state.status,
        "cue": cue,
        "paused": session.paused,
        "fps": _num(session.stats.fps, 1),
        "pose": pose_message(pose, cfg.quality.min_visibility),
    }


def pose_options_for(request: LiveRequest, options: fc.PoseOptions | None) -> fc.PoseOptions:
    """The pose model's options for a session: the segmentation mask, which only the cat-cow
    analysis reads (for the back's curve), is left out when the page fixed the exercise to a
    bridge or a plank, and computed only while the person may be on hands and knees otherwise,
    which saves its computation on the other frames.

    Example:
        >>> pose_options_for(LiveRequest(fc.Exercise.PLANK), None).segmentation_masks
        False
        >>> pose_options_for(LiveRequest(fc.Exercise.AUTO), None).masks_when
        'all_fours'
        >>> pose_options_for(LiveRequest(fc.Exercise.CAT_COW), None).masks_when
        'always'
    """
    options = options or fc.PoseOptions()
    return options.for_exercise("auto" if request.routine else request.exercise.value)


class BrowserCapture:
    """The newest frame the page sent, read as the library reads a camera capture.

    Has what :func:`formcheck.live.run_live` and :class:`formcheck.routine.Routine` use of
    :class:`formcheck.capture.LatestFrameCapture`: ``info``, ``read(timeout)``, ``finished``,
    ``captured`` and ``dropped``.
    """

    def __init__(self, info: fc.SourceInfo) -> None:
        self.info = info
        self.captured = 0
        self.dropped = 0
        self.closed_because = ""  # "closed" (tab closed), "lost", "server"
        self._cond = threading.Condition()
        self._latest: fc.Captured | None = None
        self._t0: float | None = None
        self._last_ms = -1

    def put(self, t_ms: float, image: np.ndarray) -> int:
        """Add a frame captured at ``t_ms`` (the page's clock); returns its number."""
        with self._cond:
            if self._t0 is None:
                self._t0 = t_ms
            ts = max(round(t_ms - self._t0), self._last_ms + 1)
            self._last_ms = ts
            self.captured += 1
            if self._latest is not None:
                self.dropped += 1
            frame = fc.Frame(image=image, timestamp_ms=ts, index=self.captured - 1)
            self._latest = fc.Captured(frame, time.perf_counter(), self.captured)
            self._cond.notify_all()
            return self.captured

    def read(self, timeout: float | None = None) -> fc.Captured | None:
        """The newest frame not read yet, waiting up to ``timeout`` s; None when there is none.

        Raises:
            CameraError: The connection to the page was lost.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._latest is not None or self.closed_because, timeout)
            got, self._latest = self._latest, None
            if got is None and self.closed_because == "lost":
                raise fc.CameraError("the connection to the browser was lost")
            return got

    @property
    def finished(self) -> bool:
        with self._cond:
            return bool(self.closed_because) and self._latest is None

    def close(self, because: str) -> None:
        with self._cond:
            self.closed_because = self.closed_because or because
            self._cond.notify_all()


class BrowserVoice:
    """Cues and announcements, sent to the page to be spoken (the page has the mute button)."""

    note = ""

    def __init__(self, send: Send) -> None:
        self.send = send

    def say(self, text: str, priority: int = 0) -> None:
        self.send({"type": "say", "text": text, "priority": priority})


@dataclasses.dataclass(frozen=True)
class Arrival:
    """A frame as it reached the server: the page's capture time (ms, the page's clock), when
    its bytes arrived (``time.perf_counter()``) and how long the JPEG took to decode (ms)."""

    t_ms: float
    received_at: float
    decode_ms: float


class BrowserSession(fc.LiveSession):
    """A live session whose window is the page: overlay data goes out, buttons come in."""

    def __init__(self, *args: Any, send: Send, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.send = send
        self.actions: deque[fc.Action] = deque()
        self._answered = 0
        self._t_of: dict[int, Arrival] = {}
        self._started = 0.0

    def note_frame(self, seq: int, arrival: Arrival) -> None:
        self._t_of[seq] = arrival

    def process(self, captured: fc.Captured) -> fc.LiveUpdate:
        self._started = time.perf_counter()  # the analysis of this frame starts (for timing)
        return super().process(captured)

    def _action(self) -> fc.Action:
        try:
            return self.actions.popleft()
        except IndexError:
            return fc.Action.NONE

    def _present(self, image, pose, state, cue, run, captured):
        # the library's hook that draws and shows a frame: here the page draws it
        self._answered = captured.seq
        arrival = self._t_of.pop(captured.seq, None) or Arrival(0.0, captured.captured_at, 0.0)
        analysed = time.perf_counter()
        message = frame_message(self, pose, state, cue, run, captured.seq, arrival.t_ms)
        done = time.perf_counter()
        message["timing"] = {
            "decode": round(arrival.decode_ms, 1),
            "wait": round(1000 * (self._started - captured.captured_at), 1),
            "analyse": round(1000 * (analysed - self._started), 1),
            "message": round(1000 * (done - analysed), 1),
            "server": round(1000 * (done - arrival.received_at), 1),
        }
        self.send(message)
        self.stats.record(captured.captured_at, done)
        return self._action()

    def show_screen(
        self, captured: fc.Captured | None, title: str, lines: list[str], *, wait_ms: int = 30
    ) -> fc.Action:
        """A routine screen (safety note, countdown, rest): sent with the frame it answers."""
        if captured is not None and captured.seq > self._answered:
            self._answered = captured.seq
            arrival = self._t_of.pop(captured.seq, None)
            t_ms = arrival.t_ms if arrival is not None else 0.0
            self.send(
                {"type": "screen", "ack": captured.seq, "t": t_ms, "title": title, "lines": lines}
            )
        else:
            time.sleep(wait_ms / 1000.0)
        return self._action()


class BrowserRoutine(fc.Routine):
    """The guided routine over the page's camera (one source for the whole routine)."""

    def __init__(self, session: BrowserSession, capture: BrowserCapture, steps: Any, **kw: Any):
        super().__init__(session, ["browser"], steps, **kw)
        self.browser_capture = capture

    @contextlib.contextmanager
    def _open(self, spec: str | int) -> Iterator[Any]:
        # the library opens a camera here; the page's frames are the camera
        capture = self.browser_capture
        self.session.attach(capture)  # type: ignore[arg-type]
        self._capture = capture  # type: ignore[assignment]
        try:
            yield capture
        finally:
            self.session.count_capture(capture)  # type: ignore[arg-type]
            self._capture = None


@dataclasses.dataclass(frozen=True)
class LiveRequest:
    """What the page asks for when it opens the socket (its ``start`` message).

    Example:
        >>> LiveRequest.parse({"type": "start", "exercise": "plank", "width": 640,
        ...                    "height": 480}).exercise
        <Exercise.PLANK: 'plank'>
    """

    exercise: fc.Exercise = fc.Exercise.AUTO
    routine: bool = False
    knee_plank: bool = False
    width: int = 640
    height: int = 480
    fps: float | None = None

    @classmethod
    def parse(cls, data: Any) -> LiveRequest:
        """Raises UsageError for a message that is not a valid start message."""
        if not isinstance(data, dict) or data.get("type") != "start":
            raise fc.UsageError('the first message must be {"type": "start", ...}')
        try:
            exercise = fc.Exercise(str(data.get("exercise", "auto")))
        except ValueError:
            choices = ", ".join(e.value for e in fc.Exercise)
            raise fc.UsageError(f"exercise {data.get('exercise')!r}: expected {choices}") from None
        try:
            width, height = int(data.get("width", 640)), int(data.get("height", 480))
            fps = float(data["fps"]) if data.get("fps") else None
        except (TypeError, ValueError):
            raise fc.UsageError("width, height and fps must be numbers") from None
        if not (16 <= width <= 4096 and 16 <= height <= 4096):
            raise fc.UsageError(f"frame size {width}x{height} is out of range")
        return cls(
            exercise, bool(data.get("routine")), bool(data.get("knee_plank")), width, height, fps
        )


class SessionLog:
    """The session's place in the history, written as it runs (as ``formcheck live`` does);
    a history that fails is logged and the session goes on without it."""

    def __init__(self, db: Path | None, kind: str, config: fc.Config) -> None:
        self.db = db
        self.session_id: int | None = None
        self.uid = ""
        self._history: Any = None
        self._hooks: Any = None
        if db is None:
            return
        try:
            self._history = fc.History(db)
            writer = self._history.start_session(
                kind, source="browser camera", config=dataclasses.asdict(config)
            )
            self._hooks = fc.LiveHistory(writer)
            self.session_id = writer.session_id
            self.uid = self._history.session(writer.session_id)["uid"]
        except fc.FormcheckError as exc:
            log.warning("history: %s; this session is not stored", exc.message)
            self.close()

    def _call(self, name: str, *args: Any) -> None:
        if self._hooks is None:
            return
        try:
            getattr(self._hooks, name)(*args)
        except fc.FormcheckError as exc:
            log.warning("history: %s", exc.message)

    def on_event(self, event: Any) -> None:
        self._call("on_event", event)

    def on_set_finished(self, block: dict[str, Any]) -> None:
        self._call("on_set_finished", block)

    def finish(self, report: dict[str, Any]) -> None:
        if self._hooks is None:
            return
        try:
            self._hooks.writer.finish(report)
        except fc.FormcheckError as exc:
            log.warning("history: %s", exc.message)

    def close(self) -> None:
        if self._history is not None:
            self._history.close()  # an unfinished session becomes interrupted
            self._history = None


class LiveBridge:
    """One page's live session, run on a worker thread (see module docs).

    Args:
        request: What the page asked for.
        send: Thread-safe: queue a JSON message for the page.
        config: Settings in effect.
        db: The history database (None: not stored).
        reports_dir: Where the full report of each session is kept (``<uid>.json``).
        pose_options: How to run the pose model.
    """

    def __init__(
        self,
        request: LiveRequest,
        send: Send,
        *,
        config: fc.Config,
        db: Path | None,
        reports_dir: Path | None,
        pose_options: Any = None,
    ) -> None:
        self.request = request
        self.send = send
        self.config = config
        self.db = db
        self.reports_dir = reports_dir
        self.pose_options = pose_options
        info = fc.SourceInfo(
            "browser camera", "camera", request.width, request.height, request.fps, None
        )
        self.capture = BrowserCapture(info)
        self.flag = fc.InterruptFlag()
        self.session: BrowserSession | None = None
        self.result: dict[str, Any] | None = None
        self._ready = threading.Event()

    # -- from the socket (event loop thread) ---------------------------------------------------
    def frame(self, data: bytes, received_at: float | None = None) -> bool:
        """A binary frame from the page (its bytes arrived at ``received_at``,
        ``time.perf_counter()``); False when it cannot be decoded."""
        received_at = time.perf_counter() if received_at is None else received_at
        start = time.perf_counter()
        decoded = decode_frame(data)
        if decoded is None:
            return False
        t_ms, image = decoded
        arrival = Arrival(t_ms, received_at, 1000 * (time.perf_counter() - start))
        self._ready.wait(timeout=30.0)
        seq = self.capture.captured + 1
        if self.session is not None:
            self.session.note_frame(seq, arrival)
        self.capture.put(t_ms, image)
        return True

    def control(self, action: fc.Action) -> None:
        if self.session is not None:
            self.session.actions.append(action)

    def disconnected(self, because: str) -> None:
        """The page went away: ``closed`` (tab closed), ``lost`` or ``server`` (shutdown)."""
        if because == "server":
            self.flag.is_set = True
        self.capture.close(because)

    # -- the worker thread ---------------------------------------------------------------------
    def _ended(self, ended: fc.Ended) -> fc.Ended:
        """How the session ended, in the desktop's words."""
        because = self.capture.closed_because
        if self.flag.is_set or because == "server":
            return fc.Ended.INTERRUPTED
        if ended is fc.Ended.END_OF_INPUT:  # the page's frames stopped: the tab was closed
            return fc.Ended.CAMERA_LOST if because == "lost" else fc.Ended.WINDOW_CLOSED
        return ended

    def run(self) -> None:
        """Run the session to its end; the report is in the history and in ``self.result``."""
        req = self.request
        kind = "routine" if req.routine else "live"
        cfg = self.config
        steps = None
        if req.routine:
            earned = fc.SessionHistory(self.db, "routine", "", cfg).target
            pause = earned("bridge_pause")
            if pause is not None:
                cfg = dataclasses.replace(
                    cfg, bridge=dataclasses.replace(cfg.bridge, target_top_hold_s=pause)
                )
            steps = fc.plan_routine(
                cfg,
                plank_target_s=earned("knee_plank" if req.knee_plank else "plank"),
                bridge_reps=earned("bridge_reps"),
                knee_plank=req.knee_plank,
            )
        history = SessionLog(self.db, kind, cfg)
        try:
            voice = BrowserVoice(self.send)
            exercise = fc.Exercise.AUTO if req.routine else req.exercise
            with BrowserSession(
                cfg,
                exercise=exercise,
                pose_options=pose_options_for(req, self.pose_options),
                voice=voice,
                send=self.send,
            ) as session:
                session.on_event.append(history.on_event)
                session.on_set_finished.append(history.on_set_finished)
                self.session = session
                self._ready.set()
                self.send(
                    {
                        "type": "ready",
                        "session_id": history.session_id,
                        "safety_note": list(fc.SAFETY_NOTE) if req.routine else None,
                    }
                )
                extra = None
                if steps is not None:
                    routine = BrowserRoutine(session, self.capture, steps, interrupt=self.flag)
                    ended = self._ended(routine.run())
                    extra = {
                        "routine": {**routine.report_block(ended), "knee_plank": req.knee_plank}
                    }
                    summary = routine.summary_lines()
                else:
                    ended = self._ended(
                        fc.run_live(self.capture, session, interrupt=self.flag)  # type: ignore[arg-type]
                    )
                    summary = []
                result = fc.finish_session(session, ended, voice, fc.LiveOptions(), extra=extra)
            report = result.report
            if ended is fc.Ended.CAMERA_LOST:  # cut off, not ended by the user
                report["source"]["interrupted"] = True
            history.finish(report)
            if self.reports_dir is not None and history.uid:
                self.reports_dir.mkdir(parents=True, exist_ok=True)
                fc.write_text_atomic(
                    self.reports_dir / f"{history.uid}.json", fc.report_json(report)
                )
            self.result = {
                "type": "ended",
                "ended": ended.value,
                "message": result.message,
                "session_id": history.session_id,
                "summary": report["summary"],
                "lines": summary,
            }
        except fc.FormcheckError as exc:
            log.warning("live session: %s", exc.message)
            self.result = {"type": "error", "message": exc.message}
        except Exception:  # never a traceback in the page; the server goes on
            log.exception("live session failed")
            self.result = {
                "type": "error",
                "message": "the live session failed (see the server log)",
            }
        finally:
            self._ready.set()
            history.close()
            self.send(self.result or {"type": "error", "message": "the session ended"})


__all__ = [
    "CONTROLS",
    "FRAME_HEADER",
    "Arrival",
    "BrowserCapture",
    "BrowserRoutine",
    "BrowserSession",
    "BrowserVoice",
    "LiveBridge",
    "LiveRequest",
    "SessionLog",
    "decode_frame",
    "frame_message",
    "parse_control",
    "pose_message",
    "pose_options_for",
]
