"""H.264 MP4 writing with PyAV (yuv420p, converted by OpenCV), deterministic for the same frames."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


def fps_fraction(fps: float) -> Fraction:
    """``29.97`` -> ``30000/1001``; other rates as a small exact fraction."""
    for num in (24000, 30000, 60000):
        if abs(fps - num / 1001) < 1e-3:
            return Fraction(num, 1001)
    return Fraction(fps).limit_denominator(1001)


class VideoWriter:
    """Writes RGB frames to an H.264 MP4; a context manager.

    Example:
        >>> with VideoWriter("out.mp4", 64, 48, 30.0) as w:  # doctest: +SKIP
        ...     w.write(np.zeros((48, 64, 3), np.uint8))
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        fps: float,
        *,
        crf: int = 26,
        preset: str = "medium",
    ) -> None:
        import av

        if width % 2 or height % 2:
            raise ValueError(f"H.264 with yuv420p needs an even size, got {width}x{height}")
        self._av = av
        self._container: Any = av.open(str(path), mode="w")
        rate = fps_fraction(fps)
        stream = self._container.add_stream("libx264", rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = 1 / rate
        stream.options = {"crf": str(crf), "preset": preset, "threads": "1"}
        self._stream = stream
        self._index = 0

    def write(self, rgb: npt.NDArray[np.uint8]) -> None:
        frame = self._yuv_frame(rgb)
        frame.pts = self._index
        self._index += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def _yuv_frame(self, rgb: npt.NDArray[np.uint8]) -> Any:
        """The frame as yuv420p in a frame FFmpeg allocated, every byte of it written (padding
        zeroed): converting a numpy-backed RGB frame inside PyAV let the encoder see bytes past
        the rows, and the same frames then gave different files now and then."""
        import cv2

        height, width = rgb.shape[:2]
        i420 = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420)
        quarter = (height // 2) * (width // 2)
        chroma = i420[height:].reshape(-1)
        planes = (
            i420[:height],
            chroma[:quarter].reshape(height // 2, width // 2),
            chroma[quarter:].reshape(height // 2, width // 2),
        )
        frame = self._av.VideoFrame(width, height, "yuv420p")
        for plane, data in zip(frame.planes, planes, strict=True):
            buffer = np.frombuffer(memoryview(plane), np.uint8)
            buffer[:] = 0
            rows = buffer[: plane.line_size * data.shape[0]].reshape(data.shape[0], plane.line_size)
            rows[:, : data.shape[1]] = data
        return frame

    def close(self) -> None:
        if self._container is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._container = None

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
