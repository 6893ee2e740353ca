"""Several copies of the pose model taking turns over a video's frames, each on a core of its own.

MediaPipe's landmarker works on one core, and its calls (through ctypes) let go of the GIL, so
on a machine with two cores two landmarkers working side by side go through a video nearly
twice as fast. Frame ``i`` goes to lane ``i % n``; each lane tracks its person over its own
frames (every other frame with two lanes: 15 frames a second of a 30 fps video, which the
accuracy benchmark shows to lose nothing), and the estimates come back in frame order.

Only recordings use lanes: a live camera needs each frame's answer before the next one. Below
24 frames a second a video file is split in halves instead, each tracked by its own model at the
video's own rate (:class:`formcheck.run.halves.SecondHalf`).

Example:
    >>> from formcheck.pose.estimator import PoseOptions
    >>> lanes_for(30.0, PoseOptions(), cores=2)
    2
    >>> lanes_for(15.0, PoseOptions(), cores=2)  # each lane would track at 7.5 frames/s
    1
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from formcheck.closing import Closing
from formcheck.pose.estimator import PoseEstimate, PoseOptions

#: Each lane tracks at least this many frames a second (below, one lane tracks every frame).
MIN_LANE_FPS = 12.0
#: At most this many lanes, whatever the cores.
MAX_LANES = 2


def lanes_for(rate_fps: float | None, options: PoseOptions, cores: int | None = None) -> int:
    """How many lanes to use for a video analysed at ``rate_fps`` frames a second."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    if options.mode != "video" or not rate_fps or cores < 2:
        return 1
    return max(1, min(MAX_LANES, cores, int(rate_fps // MIN_LANE_FPS)))


class PoseLanes(Closing):
    """``n`` pose estimators taking turns over the frames (see the module's docstring).

    Has what the pipeline uses of a :class:`~formcheck.pose.mediapipe_pose.
    MediaPipePoseEstimator`: ``model``, ``options``, ``prepare``, ``check_people`` and
    ``people_check_due`` (the first lane's), and :meth:`submit`, which hands a prepared frame
    to its lane and returns the future estimate.

    Args:
        make: Makes one estimator (called ``n`` times, side by side).
        n: The number of lanes.
    """

    def __init__(self, make: Callable[[], Any], n: int) -> None:
        if n < 1:
            raise ValueError("at least one lane")
        with ThreadPoolExecutor(n) as pool:  # loading a model lets go of the GIL too
            futures = [pool.submit(make) for _ in range(n)]
        made = [f for f in futures if f.exception() is None]
        self.estimators = [f.result() for f in made]
        if len(made) < n:
            for estimator in self.estimators:
                estimator.close()
            exc = next(f.exception() for f in futures if f.exception() is not None)
            raise exc  # type: ignore[misc]
        first = self.estimators[0]
        self.model = first.model
        self.options = first.options
        self.prepare = first.prepare
        self.check_people = first.check_people
        self.people_check_due = first.people_check_due
        self._workers = [
            ThreadPoolExecutor(1, thread_name_prefix=f"formcheck-lane{i}") for i in range(n)
        ]
        self._next = 0

    def __len__(self) -> int:
        return len(self.estimators)

    def submit(self, prepared: Any, timestamp_ms: int) -> Future[PoseEstimate]:
        """The estimate of this frame, from the next lane in turn (people are not counted:
        see ``check_people``)."""
        lane = self._next
        self._next = (lane + 1) % len(self.estimators)
        estimator = self.estimators[lane]
        return self._workers[lane].submit(
            estimator.estimate_prepared, prepared, timestamp_ms, people_check=False
        )

    def close(self) -> None:
        for worker in self._workers:
            worker.shutdown(wait=True)
        for estimator in self.estimators:
            estimator.close()


__all__ = ["MAX_LANES", "MIN_LANE_FPS", "PoseLanes", "lanes_for"]
