"""The annotated video: every frame of a recording with the live overlay drawn on it, as H.264.

:func:`annotate_file` analyses a video exactly as :func:`formcheck.run.pipeline.analyze_file` does
(the same :class:`~formcheck.analysis.Fold`, fed frame by frame as the model goes) and draws
:func:`~formcheck.live.overlay.draw_overlay` on each frame with the state the fold had at that
moment: one output frame per source frame, at the source's timestamps. The report of the same
run comes back with it.

:class:`AnnotatedVideoWriter` writes the MP4: libx264, yuv420p, even dimensions,
``+faststart`` (plays while it downloads), frame times from the source. It writes to a temporary
file that replaces the target only when the video is complete.

Example:
    >>> series, analysis = annotate_file("samples/bridge_5reps_left.mp4",
    ...                                  "bridge_annotated.mp4")  # doctest: +SKIP
    >>> analysis.sets[0]["summary"]["rep_count"]  # doctest: +SKIP
    5
"""

from __future__ import annotations

import contextlib
import fractions
import logging
import os
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import av
import numpy as np
import numpy.typing as npt

from formcheck.errors import OutputError
from formcheck.live.overlay import Presenter, draw_overlay
from formcheck.media.outputs import atomic_path, check_writable

if TYPE_CHECKING:
    from formcheck.analysis import Analysis
    from formcheck.config import Config
    from formcheck.media.sources import Frame
    from formcheck.pose.estimator import PoseEstimate, PoseOptions
    from formcheck.pose.landmarks import PoseSeries
    from formcheck.run.pipeline import ProgressCallback

log = logging.getLogger(__name__)

#: Milliseconds: the time base of the written stream (frame times come from the source in ms).
TIME_BASE = fractions.Fraction(1, 1000)
DEFAULT_FPS = 30.0
_AV_ERRORS: tuple[type[BaseException], ...] = (av.error.FFmpegError, OSError, ValueError)


def _even(size: tuple[int, int]) -> tuple[int, int]:
    width, height = (int(v) for v in size)
    if width < 2 or height < 2:
        raise OutputError(f"a video needs at least 2x2 pixels, got {width}x{height}")
    return width - width % 2, height - height % 2


class AnnotatedVideoWriter:
    """An H.264 MP4 writer (context manager) for BGR frames with millisecond timestamps.

    Args:
        path: The MP4 to write (replaced atomically when the block ends without error).
        fps: The nominal frame rate (the frame times themselves come from ``write``).
        size: (width, height); odd sizes are cropped by one pixel to even. None takes the
            size of the first frame.
        crf: x264 constant rate factor (lower = better and larger; 23 is x264's default).
        preset: x264 speed preset.

    Raises:
        OutputError: The file cannot be created or written (one-line message); nothing is left
            behind.

    Example:
        >>> import tempfile, pathlib, numpy as np
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.mp4"
        >>> with AnnotatedVideoWriter(out, 25.0, (64, 48)) as writer:
        ...     for i in range(5):
        ...         writer.write(np.full((48, 64, 3), 40 * i, np.uint8), timestamp_ms=40 * i)
        >>> writer.frames_written, out.stat().st_size > 0
        (5, True)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float | None,
        size: tuple[int, int] | None = None,
        *,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else DEFAULT_FPS
        self.size = None if size is None else _even(size)
        self.crf = crf
        self.preset = preset
        self.frames_written = 0
        self._stack = contextlib.ExitStack()
        self._tmp: Path | None = None
        self._container: Any = None
        self._stream: Any = None
        self._last_pts = -1

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> Self:
        self._tmp = self._stack.enter_context(atomic_path(self.path, suffix=".mp4"))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            try:
                self._finish()
            except BaseException as error:
                self._abandon()
                self._stack.__exit__(type(error), error, error.__traceback__)
                raise
            self._stack.__exit__(None, None, None)
        else:
            self._abandon()
            self._stack.__exit__(exc_type, exc, tb)

    # -- writing ---------------------------------------------------------------------------
    def _fail(self, what: str, exc: BaseException) -> OutputError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return OutputError(f"{self.path}: cannot write the video, {what} ({reason})")

    def _open(self, width: int, height: int) -> None:
        assert self._tmp is not None, "use AnnotatedVideoWriter in a with block"
        try:
            self._container = av.open(
                str(self._tmp), "w", format="mp4", options={"movflags": "+faststart"}
            )
            rate = fractions.Fraction(self.fps).limit_denominator(1001)
            stream = self._container.add_stream("libx264", rate=rate)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.time_base = TIME_BASE
            stream.codec_context.time_base = TIME_BASE
            stream.options = {"crf": str(self.crf), "preset": self.preset}
        except _AV_ERRORS as exc:
            raise self._fail("the H.264 encoder could not be opened", exc) from None
        self._stream = stream
        self.size = (width, height)

    def write(self, image: npt.NDArray[np.uint8], timestamp_ms: int | None = None) -> None:
        """Encode one BGR frame shown at ``timestamp_ms`` (by default one frame after the last).

        Frame times must increase; a time at or before the previous frame's is moved just
        after it.
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 BGR image, got {image.shape}")
        if self._stream is None:
            width, height = self.size or _even((image.shape[1], image.shape[0]))
            self._open(width, height)
        assert self.size is not None
        width, height = self.size
        if image.shape[1] < width or image.shape[0] < height:
            raise ValueError(
                f"frame is {image.shape[1]}x{image.shape[0]}, the video is {width}x{height}"
            )
        image = np.ascontiguousarray(image[:height, :width])
        if timestamp_ms is None:
            pts = round(self.frames_written * 1000.0 / self.fps)
        else:
            pts = int(timestamp_ms)
        pts = max(pts, self._last_pts + 1)
        self._last_pts = pts
        try:
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = pts
            frame.time_base = TIME_BASE
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except _AV_ERRORS as exc:
            raise self._fail("encoding failed", exc) from None
        self.frames_written += 1

    def _finish(self) -> None:
        if self._container is None:
            raise OutputError(f"{self.path}: cannot write the video, no frame was given")
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
        except _AV_ERRORS as exc:
            self._abandon()
            raise self._fail("finishing the file failed", exc) from None
        self._container = None

    def _abandon(self) -> None:
        if self._container is not None:
            with contextlib.suppress(*_AV_ERRORS):
                self._container.close()
            self._container = None


def nominal_fps(path: str | os.PathLike[str]) -> float | None:
    """The frame rate a video file's container declares (None when it says nothing usable)."""
    try:
        with av.open(os.fspath(path)) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
    except (av.error.FFmpegError, OSError, ValueError, IndexError):
        return None
    return float(rate) if rate and 0.5 < float(rate) < 1000 else None


def annotate_file(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    exercise: str = "auto",
    config: Config | None = None,
    options: PoseOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> tuple[PoseSeries, Analysis]:
    """Analyse a video like :func:`~formcheck.run.pipeline.analyze_file` and write it annotated.

    Every source frame goes through the pose model (no ``max_fps`` thinning: the video keeps
    all its frames) and the analysis fold; the overlay shows the skeleton coloured by form, the
    count or hold timer, the gauge of the key measure, the latest cue for
    :data:`~formcheck.live.overlay.CUE_SHOW_S` seconds and the status once it has lasted
    ``live.status_after_s``.

    Args:
        source: The video file.
        out: The MP4 to write (checked before the analysis starts; written atomically).
        exercise: "auto" or the exercise to analyse.
        config: The settings in effect.
        options: Pose model options.
        on_progress: Called as ``on_progress(frames_done, frames_expected_or_None)``.

    Returns:
        (pose series, analysis): the same as ``analyze_file`` returns for ``source``.

    Raises:
        InputError: The source cannot be read.
        ModelError: The pose model cannot be loaded.
        OutputError: ``out`` cannot be written (nothing is left behind).
    """
    from formcheck.analysis import Fold
    from formcheck.config import Config
    from formcheck.run.pipeline import track_file

    check_writable(out)
    cfg = config or Config()
    fold = Fold(exercise, cfg)
    presenter = Presenter.from_config(cfg)
    with AnnotatedVideoWriter(out, nominal_fps(source)) as writer:

        def draw(frame: Frame, estimate: PoseEstimate) -> None:
            fold.update(estimate.pose)
            state = fold.analyzer.state
            shown, cue = presenter.update(frame.timestamp_ms / 1000.0, state, fold.coach.given)
            image = draw_overlay(
                frame.image.copy(),
                estimate.pose,
                shown,
                cue=cue,
                hold_target_s=cfg.plank.target_hold_s,
                config=cfg,
            )
            writer.write(image, frame.timestamp_ms)

        series = track_file(source, options=options, on_progress=on_progress, on_estimate=draw)
    log.info("%s: %d annotated frames", out, writer.frames_written)
    return series, fold.finish()


__all__ = ["AnnotatedVideoWriter", "annotate_file", "nominal_fps"]
