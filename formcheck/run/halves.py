"""A video in two halves, each tracked by a model of its own (for low frame rates on two cores).

Below 24 frames a second, two lanes of the model taking every other frame
(:mod:`formcheck.pose.lanes`) would each track too few frames a second: at 7.5 the samples gave
a false warning. So on a machine with two cores a video file of :data:`HALF_MIN_S` or more is
split in halves instead: :func:`formcheck.run.pipeline.track_file` tracks the first half as
usual while :class:`SecondHalf` tracks the second at the video's own rate, starting
:data:`HALF_WARM_S` before the middle; the second half's estimates then follow the first's, in
order, through the same work after the model.

Example:
    >>> from formcheck.media.sources import VideoFileSource
    >>> with VideoFileSource("clip_15fps.mp4") as source:  # doctest: +SKIP
    ...     half_split(source, 15.0, PoseOptions(), None)
    135
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from formcheck.closing import Closing
from formcheck.media.sources import Frame, Prefetcher, VideoFileSource
from formcheck.pose.estimator import PoseEstimate, PoseOptions
from formcheck.pose.lanes import MIN_LANE_FPS

#: The second half of a video starts tracking this long (s) before its first frame, so that
#: its model has the person in hand by then (see :class:`SecondHalf`): with 1 s the samples'
#: sag onset at 15 fps moved by 0.6 s, with 2 s and 3 s it read as with one model.
HALF_WARM_S = 2.0
#: Videos shorter than this (s) are not split in halves.
HALF_MIN_S = 4.0
#: Nor videos analysed at fewer frames a second than this.
HALF_MIN_RATE_FPS = 4.0


@dataclass(frozen=True)
class Estimated:
    """A frame's estimate, made ahead by the second half's own model (rides in
    ``Frame.prepared``; see :class:`SecondHalf`)."""

    estimate: PoseEstimate


class Range(Closing):
    """The frames of ``source`` whose index is in ``[start, stop)`` (skipped ones are decoded
    but not prepared)."""

    def __init__(self, source: Any, start: int = 0, stop: int | None = None) -> None:
        self.info = source.info
        self._source = source
        self._start = start
        self._stop = stop

    @property
    def truncated(self) -> bool:
        return bool(getattr(self._source, "truncated", False))

    def __iter__(self) -> Iterator[Frame]:
        for frame in self._source:
            if self._stop is not None and frame.index >= self._stop:
                return
            if frame.index >= self._start:
                yield frame

    def close(self) -> None:
        pass  # the source is closed by its owner


class SecondHalf(Closing):
    """The second half of a video, tracked ahead by a model of its own on a thread of its own.

    Below 24 frames a second, two lanes taking every other frame would each track too few
    frames a second (see :mod:`formcheck.pose.lanes`), so on two cores a video is split in two
    halves instead: the first tracked as usual, the second by this second model, from
    :data:`HALF_WARM_S` before the middle (those warm-up frames are dropped), at the video's own
    rate. Its estimates (passed through ``finish``, which adds the back's outline, then without
    their masks; the people counted every ``people_check_s`` by its own model) wait in memory
    until the first half is done, then :meth:`frames` hands them on in order, as frames whose
    ``prepared`` is :class:`Estimated`.
    Closing stops the thread (a Ctrl-C keeps the first half's frames only).
    """

    _END = object()

    def __init__(
        self,
        path: str | os.PathLike[str],
        options: PoseOptions,
        *,
        start_index: int,
        warm_index: int,
        max_fps: float | None,
        finish: Callable[[PoseEstimate], PoseEstimate],
    ) -> None:
        self._path = path
        self._finish = finish
        self._options = options
        self._start = start_index
        self._warm = warm_index
        self._max_fps = max_fps
        self._queue: queue.Queue[object] = queue.Queue()
        self._stop = threading.Event()
        self.truncated = False
        self._thread = threading.Thread(target=self._run, name="formcheck-half", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from formcheck.pose.mediapipe_pose import MediaPipePoseEstimator

        no_image = np.zeros((0, 0, 3), np.uint8)
        try:
            with (
                MediaPipePoseEstimator(self._options) as model,
                VideoFileSource(self._path) as source,
                Prefetcher(
                    Range(source, self._warm),
                    max_fps=self._max_fps,
                    prepare=model.prepare,
                ) as frames,
            ):
                for frame in frames:
                    if self._stop.is_set():
                        return
                    raw = model.estimate_prepared(
                        frame.prepared, frame.timestamp_ms, people_check=False
                    )
                    raw = model.check_people(frame.prepared, raw)
                    if frame.index < self._start:
                        continue  # warming up
                    estimate = replace(self._finish(raw), mask=None)
                    self._queue.put(
                        Frame(no_image, frame.timestamp_ms, frame.index, Estimated(estimate))
                    )
                self.truncated = frames.truncated
        except BaseException as exc:  # handed to the consumer
            self._queue.put(exc)
            return
        self._queue.put(self._END)

    def frames(self) -> Iterator[Frame]:
        """The second half's frames, in order, once they are tracked."""
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


class Halves:
    """The first half of ``first`` then ``second``'s frames, as one source."""

    def __init__(self, first: Prefetcher, second: SecondHalf) -> None:
        self.info = first.info
        self._first = first
        self._second = second

    @property
    def truncated(self) -> bool:
        return self._first.truncated or self._second.truncated

    def __iter__(self) -> Iterator[Frame]:
        yield from self._first
        yield from self._second.frames()


def half_split(
    source: Any, rate_fps: float | None, options: PoseOptions, lanes: int | None
) -> int | None:
    """The frame index where a second model takes over (see :class:`SecondHalf`), or None:
    only for a video file of known length, at least :data:`HALF_MIN_S` long, analysed at a
    rate too low for lanes taking turns, on two cores or more, with lanes left to formcheck."""
    info = source.info
    if (
        lanes is not None
        or not isinstance(source, VideoFileSource)
        or options.mode != "video"
        or (os.cpu_count() or 1) < 2
        or not rate_fps
        or not HALF_MIN_RATE_FPS <= rate_fps < 2 * MIN_LANE_FPS
        or not info.fps
        or not info.frame_count
        or info.frame_count / info.fps < HALF_MIN_S
    ):
        return None
    return info.frame_count // 2


__all__ = [
    "HALF_MIN_RATE_FPS",
    "HALF_MIN_S",
    "HALF_WARM_S",
    "Estimated",
    "Halves",
    "Range",
    "SecondHalf",
    "half_split",
]
