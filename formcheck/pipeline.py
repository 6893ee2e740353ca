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

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from formcheck._version import __version__
from formcheck.landmarks import PoseFrame, PoseSeries
from formcheck.pose import PoseEstimate, PoseEstimator, PoseOptions, RunningMode
from formcheck.sources import Frame, FrameSource, Prefetcher, VideoFileSource, open_source
from formcheck.spine import back_profile

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
    back = back_profile(estimate.mask, pose.landmarks)
    framed = PoseFrame(pose.timestamp_ms, pose.landmarks, pose.world, pose.image_size, back)
    return replace(estimate, pose=framed)


def track_frames(
    source: FrameSource,
    estimator: PoseEstimator,
    *,
    on_progress: ProgressCallback | None = None,
    on_estimate: EstimateCallback | None = None,
    metadata: dict[str, Any] | None = None,
) -> PoseSeries:
    """Run ``estimator`` over every frame of ``source`` and stack the poses.

    A KeyboardInterrupt stops the loop and returns what was measured, with
    ``metadata["interrupted"] = True``.
    """
    info = source.info
    frames: list[PoseFrame] = []
    interrupted = False
    try:
        for frame in source:
            estimate = with_back_profile(estimator.estimate(frame.image, frame.timestamp_ms))
            frames.append(estimate.pose)
            if on_estimate is not None:
                on_estimate(frame, estimate)
            if on_progress is not None:
                on_progress(len(frames), info.frame_count)
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
    }
    meta.update(metadata or {})
    return PoseSeries.from_frames(frames, image_size=(info.width, info.height), metadata=meta)


def track_file(
    path: str | os.PathLike[str],
    *,
    options: PoseOptions | None = None,
    on_progress: ProgressCallback | None = None,
    on_estimate: EstimateCallback | None = None,
) -> PoseSeries:
    """Open a video, image or folder of images, run the real pose model, return the series.

    Raises:
        InputError: The input cannot be read.
        ModelError: The pose model cannot be loaded.
    """
    from formcheck.mediapipe_pose import MediaPipePoseEstimator

    options = options or PoseOptions()
    with open_source(os.fspath(path)) as source:
        mode: RunningMode = (
            "video"
            if isinstance(source, VideoFileSource) or source.info.kind == "camera"
            else "image"
        )
        with (
            MediaPipePoseEstimator(replace(options, mode=mode)) as estimator,
            Prefetcher(source) as frames,
        ):
            return track_frames(
                frames,
                estimator,
                on_progress=on_progress,
                on_estimate=on_estimate,
                metadata={
                    "model": {"name": estimator.model.name, "sha256": estimator.model.sha256}
                },
            )
