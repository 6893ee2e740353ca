"""The road every frame walks: source -> pose estimator -> pose series.

The same loop serves video files, folders of images, cameras and replayed tracks; progress is
reported through a callback so that the CLI (not the library) decides how to show it. Ctrl-C
during tracking keeps every frame processed so far: the series comes back marked
``interrupted`` in its metadata.

Example:
    >>> series = track_file("samples/bridge_8reps_left.mp4")  # doctest: +SKIP
    >>> series.landmarks.shape  # doctest: +SKIP
    (240, 33, 4)
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import logging
import math
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from formcheck._version import __version__
from formcheck.measure.spine import back_profile
from formcheck.media.sources import Frame, FrameSource, Prefetcher, VideoFileSource, open_source
from formcheck.pose.estimator import PoseEstimate, PoseEstimator, PoseOptions, RunningMode
from formcheck.pose.landmarks import PoseFrame, PoseSeries, SeriesBuilder
from formcheck.run.halves import HALF_WARM_S, Estimated, Halves, Range, SecondHalf, half_split

if TYPE_CHECKING:
    from formcheck.analysis import Analysis
    from formcheck.config import Config

log = logging.getLogger(__name__)

#: Called as ``on_progress(frames_done, frames_expected_or_None)``.
ProgressCallback = Callable[[int, int | None], None]
#: Called with each frame and what the estimator found in it.
EstimateCallback = Callable[[Frame, PoseEstimate], None]


def with_back_profile(estimate: PoseEstimate) -> PoseEstimate:
    """Add the back's outline (from the mask, when there is one) to the estimate's pose."""
    if estimate.mask is None or not estimate.pose.has_person:
        return estimate
    pose = estimate.pose
    width, height = pose.image_size
    mh, mw = estimate.mask.shape[:2]
    if (mw, mh) == (width, height):
        back = back_profile(estimate.mask, pose.landmarks)
    else:  # the image was scaled down for inference: so is the mask
        scale = np.array([mw / width, mh / height], np.float32)
        scaled = pose.landmarks.copy()
        scaled[:, :2] *= scale
        back = back_profile(estimate.mask, scaled) / scale
    framed = PoseFrame(pose.timestamp_ms, pose.landmarks, pose.world, pose.image_size, back)
    return replace(estimate, pose=framed)


class PeopleLog:
    """How many people were in view over a run, from the estimates' people counts."""

    def __init__(self) -> None:
        self.most = 0
        self.checks: list[tuple[int, int, bool | None]] = []  # (ms, count, followed largest)

    def add(self, estimate: PoseEstimate) -> None:
        self.most = max(self.most, estimate.people)
        if estimate.census is not None:
            c = estimate.census
            self.checks.append((estimate.pose.timestamp_ms, c.count, c.followed_largest))

    def summary(self, end_ms: int) -> dict[str, Any]:
        """Metadata: ``people_max``; with several people, about how long (each check stands
        until the next) and whether the person followed was the largest (the main one)."""
        out: dict[str, Any] = {"people_max": self.most}
        several = [i for i, (_, n, _) in enumerate(self.checks) if n >= 2]
        if several:
            ends = [t for t, _, _ in self.checks[1:]] + [end_ms]
            out["several_people_s"] = round(
                sum(max(0, ends[i] - self.checks[i][0]) for i in several) / 1000.0, 1
            )
            followed = [self.checks[i][2] for i in several if self.checks[i][2] is not None]
            out["followed_person"] = "largest" if all(followed) else "not always the largest"
        return out


class PeopleBeside:
    """Counts the people in view on a thread of its own, for a live session: a count (up to
    three extra model calls, every ``people_check_s``) then never holds up a frame; each count
    joins the log once it is done, and :meth:`close` waits for the last one."""

    def __init__(self, estimator: Any, people: PeopleLog) -> None:
        self._estimator = estimator
        self._people = people
        self._pending: Any = None
        self._pool: Any = None

    def offer(self, prepared: Any, estimate: PoseEstimate) -> None:
        """Count the people in this frame if a count is due and none is under way."""
        self._collect(wait=False)
        due = getattr(self._estimator, "people_check_due", None)
        if due is None or self._pending is not None or not due(estimate.pose.timestamp_ms):
            return
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(1, thread_name_prefix="formcheck-people")
        self._pending = self._pool.submit(self._estimator.check_people, prepared, estimate)

    def _collect(self, *, wait: bool) -> None:
        if self._pending is None or not (wait or self._pending.done()):
            return
        try:
            counted = self._pending.result()
        except Exception as exc:  # a count is never worth a live session
            log.warning("people count failed: %s", exc)
            counted = None
        self._pending = None
        if counted is not None and counted.census is not None:
            self._people.add(counted)

    def close(self) -> None:
        self._collect(wait=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class _BesideTheModel:
    """The per-frame work after the model, on a thread of its own, in frame order.

    MediaPipe's calls go through ctypes, which lets go of the GIL while the model works, so
    this thread (the back's outline from the mask, the people count, the analysis, the
    callbacks) runs on the other core, beside the model, instead of after it. An exception
    raised here is re-raised in the model's thread at the next frame or at :meth:`finish`.
    """

    _END = object()

    def __init__(self, work: Callable[[Frame, PoseEstimate], None], depth: int = 8) -> None:
        self._work = work
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="formcheck-analysis", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if self._error is not None:
                continue  # drain, so the model's thread never blocks on a full queue
            try:
                self._work(*item)  # type: ignore[misc]
            except BaseException as exc:  # handed to the model's thread
                self._error = exc

    def put(self, frame: Frame, estimate: PoseEstimate) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((frame, estimate))

    def finish(self) -> None:
        """Wait until every frame handed over is done (a Ctrl-C keeps what was measured)."""
        self._queue.put(self._END)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _drain(pending: collections.deque[tuple[Frame, Any]], beside: _BesideTheModel) -> None:
    """Hand over the frames the lanes still work on, in order (after a Ctrl-C too), up to the
    first that failed; wait for the rest; then raise that failure."""
    failed: BaseException | None = None
    while pending:
        done, future = pending.popleft()
        try:
            raw = future.result()
        except BaseException as exc:
            failed = failed or exc
            continue
        if failed is None:
            beside.put(done, raw)
    if failed is not None:
        raise failed


def track_frames(
    source: FrameSource,
    estimator: PoseEstimator,
    *,
    on_progress: ProgressCallback | None = None,
    on_estimate: EstimateCallback | None = None,
    metadata: dict[str, Any] | None = None,
) -> PoseSeries:
    """Run ``estimator`` over every frame of ``source`` and stack the poses.

    The work after the model (``on_estimate``, ``on_progress``, the back's outline, the
    people count) runs on a second thread, in frame order, while the model works on the next
    frame. A KeyboardInterrupt stops the loop and returns what was measured, with
    ``metadata["interrupted"] = True``.
    """
    info = source.info
    frames = SeriesBuilder((info.width, info.height), expected=info.frame_count)
    people = PeopleLog()
    last_ms = 0
    interrupted = False
    prepared_ok = hasattr(estimator, "estimate_prepared")
    check_people = getattr(estimator, "check_people", None) if prepared_ok else None

    def after_model(frame: Frame, raw: PoseEstimate) -> None:
        nonlocal last_ms
        if check_people is not None and frame.prepared is not None:
            raw = check_people(frame.prepared, raw)
        estimate = with_back_profile(raw)
        frames.add(estimate.pose)
        last_ms = estimate.pose.timestamp_ms
        people.add(estimate)
        if on_estimate is not None:
            on_estimate(frame, estimate)
        if on_progress is not None:
            on_progress(len(frames), info.frame_count)

    beside = _BesideTheModel(after_model)
    submit = getattr(estimator, "submit", None)  # lanes of the model taking turns
    pending: collections.deque[tuple[Frame, Any]] = collections.deque()
    try:
        try:
            for frame in source:
                if isinstance(frame.prepared, Estimated):  # made ahead (a second half)
                    beside.put(replace(frame, prepared=None), frame.prepared.estimate)
                elif submit is not None and frame.prepared is not None:
                    pending.append((frame, submit(frame.prepared, frame.timestamp_ms)))
                    if len(pending) > 2 * len(estimator):  # type: ignore[arg-type]
                        done, future = pending[0]
                        raw = future.result()  # (a Ctrl-C here leaves the frame pending)
                        pending.popleft()
                        beside.put(done, raw)
                elif prepared_ok and frame.prepared is not None:
                    raw = estimator.estimate_prepared(  # type: ignore[attr-defined]
                        frame.prepared, frame.timestamp_ms, people_check=False
                    )
                    beside.put(frame, raw)
                else:
                    beside.put(frame, estimator.estimate(frame.image, frame.timestamp_ms))
        finally:
            try:
                _drain(pending, beside)
            finally:
                beside.finish()
    except KeyboardInterrupt:
        interrupted = True
        log.warning("interrupted after %d frames; keeping what was measured", len(frames))
    meta: dict[str, Any] = {
        "source": info.name,
        "kind": info.kind,
        "fps": info.fps,
        "frame_count": len(frames),
        "width": info.width,
        "height": info.height,
        "formcheck_version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "interrupted": interrupted,
        "truncated": bool(getattr(source, "truncated", False)),
        **people.summary(last_ms),
    }
    meta.update(metadata or {})
    return frames.build(meta)


def track_file(
    path: str | os.PathLike[str],
    *,
    options: PoseOptions | None = None,
    max_fps: float | None = None,
    on_progress: ProgressCallback | None = None,
    on_estimate: EstimateCallback | None = None,
    lanes: int | None = None,
    needs_images: bool | None = None,
) -> PoseSeries:
    """Open a video, image or folder of images, run the real pose model, return the series.

    ``max_fps`` thins the frames (by their timestamps) before the model sees them. ``lanes``
    copies of the model take turns over the frames, side by side (None: as many as
    :func:`~formcheck.pose.lanes.lanes_for` finds worth it, two on a machine with two cores
    or more; 1: one model, every frame tracked by the same landmarker). Below 24 frames a
    second, with ``lanes`` left to formcheck, a second model tracks the second half of a video
    file instead (:class:`~formcheck.run.halves.SecondHalf`), unless ``on_estimate``
    ``needs_images`` (None: when there is an ``on_estimate``; the frames of that half reach it
    without their image).

    Raises:
        InputError: The input cannot be read.
        ModelError: The pose model cannot be loaded.
    """
    from formcheck.pose.lanes import PoseLanes, lanes_for
    from formcheck.pose.mediapipe_pose import MediaPipePoseEstimator

    options = options or PoseOptions()
    with open_source(os.fspath(path)) as source:
        mode: RunningMode = (
            "video"
            if isinstance(source, VideoFileSource) or source.info.kind == "camera"
            else "image"
        )
        options = replace(options, mode=mode)
        rate = source.info.fps or None
        if rate is not None and max_fps is not None:
            rate = min(rate, max_fps)
        n = lanes_for(rate, options) if lanes is None else max(1, lanes)
        if needs_images is None:
            needs_images = on_estimate is not None
        middle = None if needs_images else half_split(source, rate, options, lanes)
        model: Any = (
            PoseLanes(lambda: MediaPipePoseEstimator(options), n)
            if n > 1
            else MediaPipePoseEstimator(options)
        )
        second: Any = contextlib.nullcontext()
        if middle is not None:
            warm = max(0, middle - round(HALF_WARM_S * (source.info.fps or 0.0)))
            second = SecondHalf(
                path,
                options,
                start_index=middle,
                warm_index=warm,
                max_fps=max_fps,
                finish=with_back_profile,
            )
        with (
            second,
            model as estimator,
            Prefetcher(
                source if middle is None else Range(source, 0, middle),
                max_fps=max_fps,
                prepare=estimator.prepare,
            ) as first,
        ):
            frames: Any = first if middle is None else Halves(first, second)
            expected = source.info.frame_count
            if max_fps is not None and expected and source.info.fps:
                expected = math.ceil(expected * min(1.0, max_fps / source.info.fps))

            def progress(done: int, _total: int | None) -> None:
                if on_progress is not None:
                    on_progress(done, expected)

            return track_frames(
                frames,
                estimator,
                on_progress=progress,
                on_estimate=on_estimate,
                metadata={
                    "model": {"name": estimator.model.name, "sha256": estimator.model.sha256},
                    "max_fps": max_fps,
                    "model_lanes": 2 if middle is not None else n,
                    "model_split": "halves" if middle is not None else "turns",
                },
            )


def analyze_file(
    path: str | os.PathLike[str],
    exercise: str = "auto",
    config: Config | None = None,
    *,
    options: PoseOptions | None = None,
    max_fps: float | None = None,
    on_progress: ProgressCallback | None = None,
    on_estimate: EstimateCallback | None = None,
    lanes: int | None = None,
) -> tuple[PoseSeries, Analysis]:
    """Track a video (or images) and analyse it as it goes: (pose series, analysis).

    The same fold as :func:`formcheck.analysis.analyze_series` over the tracked series, fed
    frame by frame as the model produces them (the way a live session runs), on a thread
    beside the model's (see :func:`track_frames`; ``lanes`` as in :func:`track_file`). A
    Ctrl-C keeps what was measured (the series is marked ``interrupted``) and the analysis
    covers it.
    """
    from formcheck.analysis import Fold

    fold = Fold(exercise, config)

    def feed(frame: Frame, estimate: PoseEstimate) -> None:
        fold.update(estimate.pose)
        if on_estimate is not None:
            on_estimate(frame, estimate)

    series = track_file(
        path,
        options=options,
        max_fps=max_fps,
        on_progress=on_progress,
        on_estimate=feed,
        lanes=lanes,
        needs_images=on_estimate is not None,
    )
    return series, fold.finish()
