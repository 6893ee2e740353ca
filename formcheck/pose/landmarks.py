"""Pose landmarks as typed numpy values: one frame, and a series of frames.

Conventions:
    * Image landmarks are in **pixels** of the analysed frame: column 0 is x (right), column 1
      is y (down), column 2 is MediaPipe's depth z scaled to pixels like x (smaller = nearer the
      camera), column 3 is visibility in [0, 1].
    * World landmarks are in **metres**, origin between the hips (MediaPipe's convention).
    * Timestamps are integer **milliseconds** from the start of the source.
    * "No person" is an all-NaN frame, never ``None``; a landmark that is not measurable is a NaN
      row.

Example:
    >>> frame = PoseFrame.empty(timestamp_ms=40, image_size=(640, 480))
    >>> frame.has_person
    False
    >>> series = PoseSeries.from_frames([frame, frame.replace_timestamp(80)])
    >>> series.landmarks.shape
    (2, 33, 4)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

NUM_LANDMARKS = 33

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


class Landmark(IntEnum):
    """MediaPipe BlazePose landmark indices."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


def _as_float32(name: str, value: Any, shape: tuple[int, ...]) -> FloatArray:
    array = np.asarray(value, dtype=np.float32)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    if array.flags.writeable or array is not value:
        # a read-only float32 array is kept as it is (a slice of a series, a built series):
        # no copy of hours of landmarks
        array = array.copy()
        array.setflags(write=False)
    return array


def _check_size(image_size: tuple[int, int]) -> tuple[int, int]:
    width, height = (int(v) for v in image_size)
    if width <= 0 or height <= 0:
        raise ValueError(f"image_size must be positive (width, height), got {image_size}")
    return width, height


@dataclass(frozen=True)
class PoseFrame:
    """The pose of one person in one frame.

    Attributes:
        timestamp_ms: Time of the frame from the start of the source, in ms.
        landmarks: (33, 4) float32 — x px, y px, z px, visibility. NaN where not found.
        world: (33, 3) float32 — metres, hip-centred. NaN where not found.
        image_size: (width, height) of the analysed image in pixels.
        back: Optional (K, 2) pixel outline of the back between shoulders and hips, from the
            segmentation mask (see :mod:`formcheck.measure.spine`); None when not computed.
    """

    timestamp_ms: int
    landmarks: FloatArray
    world: FloatArray
    image_size: tuple[int, int]
    back: FloatArray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "timestamp_ms", int(self.timestamp_ms))
        object.__setattr__(
            self, "landmarks", _as_float32("landmarks", self.landmarks, (NUM_LANDMARKS, 4))
        )
        object.__setattr__(self, "world", _as_float32("world", self.world, (NUM_LANDMARKS, 3)))
        object.__setattr__(self, "image_size", _check_size(self.image_size))
        if self.back is not None:
            back = np.asarray(self.back, np.float32)
            object.__setattr__(self, "back", _as_float32("back", back, (back.shape[0], 2)))

    @classmethod
    def empty(cls, *, timestamp_ms: int, image_size: tuple[int, int]) -> PoseFrame:
        """A frame in which no person was found (all NaN)."""
        return cls(
            timestamp_ms=timestamp_ms,
            landmarks=np.full((NUM_LANDMARKS, 4), np.nan, np.float32),
            world=np.full((NUM_LANDMARKS, 3), np.nan, np.float32),
            image_size=image_size,
        )

    @property
    def has_person(self) -> bool:
        """True when at least one landmark was found."""
        return bool(np.isfinite(self.landmarks[:, 0]).any())

    def point(self, landmark: Landmark) -> FloatArray:
        """(x, y) in pixels of one landmark (NaN if missing)."""
        return self.landmarks[landmark, :2]

    def replace_timestamp(self, timestamp_ms: int) -> PoseFrame:
        """The same pose at another time."""
        return PoseFrame(timestamp_ms, self.landmarks, self.world, self.image_size, self.back)


@dataclass(frozen=True)
class PoseSeries:
    """A stack of pose frames from one source, for offline analysis.

    Attributes:
        timestamps_ms: (T,) int64, strictly increasing.
        landmarks: (T, 33, 4) float32, as in :class:`PoseFrame`.
        world: (T, 33, 3) float32, as in :class:`PoseFrame`.
        image_size: (width, height) of the analysed frames.
        metadata: Read-only facts about where the series came from (source, fps, model, ...).
        back: Optional (T, K, 2) back outlines (NaN where not measured), or None.
    """

    timestamps_ms: IntArray
    landmarks: FloatArray
    world: FloatArray
    image_size: tuple[int, int]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    back: FloatArray | None = None

    def __post_init__(self) -> None:
        ts = np.asarray(self.timestamps_ms, dtype=np.int64).reshape(-1).copy()
        n = ts.shape[0]
        if n > 1 and not np.all(np.diff(ts) > 0):
            raise ValueError("timestamps_ms must be strictly increasing")
        ts.setflags(write=False)
        object.__setattr__(self, "timestamps_ms", ts)
        object.__setattr__(
            self, "landmarks", _as_float32("landmarks", self.landmarks, (n, NUM_LANDMARKS, 4))
        )
        object.__setattr__(self, "world", _as_float32("world", self.world, (n, NUM_LANDMARKS, 3)))
        object.__setattr__(self, "image_size", _check_size(self.image_size))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        if self.back is not None:
            back = np.asarray(self.back, np.float32)
            if back.ndim != 3 or back.shape[0] != n or back.shape[2] != 2:
                raise ValueError(f"back must have shape ({n}, K, 2), got {back.shape}")
            object.__setattr__(self, "back", _as_float32("back", back, back.shape))

    @classmethod
    def from_frames(
        cls,
        frames: Iterable[PoseFrame],
        *,
        image_size: tuple[int, int] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> PoseSeries:
        """Stack frames (all of one image size) into a series."""
        frames = list(frames)
        if image_size is None:
            if not frames:
                raise ValueError("an empty series needs an explicit image_size")
            image_size = frames[0].image_size
        if any(f.image_size != tuple(image_size) for f in frames):
            raise ValueError("all frames of a series must have the same image size")
        back = None
        sizes = {f.back.shape[0] for f in frames if f.back is not None}
        if sizes:
            k = max(sizes)
            back = np.full((len(frames), k, 2), np.nan, np.float32)
            for i, f in enumerate(frames):
                if f.back is not None and f.back.shape[0] == k:
                    back[i] = f.back
        return cls(
            timestamps_ms=np.array([f.timestamp_ms for f in frames], dtype=np.int64),
            landmarks=np.stack([f.landmarks for f in frames])
            if frames
            else np.empty((0, NUM_LANDMARKS, 4), np.float32),
            world=np.stack([f.world for f in frames])
            if frames
            else np.empty((0, NUM_LANDMARKS, 3), np.float32),
            image_size=image_size,
            metadata=metadata or {},
            back=back,
        )

    def __len__(self) -> int:
        return int(self.timestamps_ms.shape[0])

    def __getitem__(self, index: int) -> PoseFrame:
        return PoseFrame(
            int(self.timestamps_ms[index]),
            self.landmarks[index],
            self.world[index],
            self.image_size,
            None if self.back is None else self.back[index],
        )

    def slice(self, start: int, stop: int) -> PoseSeries:
        """Frames ``start`` to ``stop`` (exclusive) as a series with the same metadata."""
        return PoseSeries(
            self.timestamps_ms[start:stop],
            self.landmarks[start:stop],
            self.world[start:stop],
            self.image_size,
            self.metadata,
            None if self.back is None else self.back[start:stop],
        )

    def __iter__(self) -> Iterator[PoseFrame]:
        for i in range(len(self)):
            yield self[i]

    @property
    def times_s(self) -> npt.NDArray[np.float64]:
        """Timestamps in seconds."""
        return self.timestamps_ms.astype(np.float64) / 1000.0

    @property
    def person_mask(self) -> npt.NDArray[np.bool_]:
        """(T,) True where a person was found."""
        return np.asarray(np.isfinite(self.landmarks[:, :, 0]).any(axis=1), dtype=bool)

    @property
    def duration_s(self) -> float:
        """Time from the first to the last frame plus one mean frame interval."""
        if len(self) == 0:
            return 0.0
        if len(self) == 1:
            return 0.0
        span = float(self.timestamps_ms[-1] - self.timestamps_ms[0]) / 1000.0
        return span * len(self) / (len(self) - 1)


class SeriesBuilder:
    """Collects pose frames into a :class:`PoseSeries` without keeping a frame object each:
    the landmarks go straight into preallocated arrays (grown in blocks), so a long recording
    costs about a kilobyte a frame.

    Args:
        image_size: (width, height) of the frames.
        expected: Frames expected (e.g. the video's frame count), to size the first block.

    Example:
        >>> builder = SeriesBuilder((64, 48), expected=2)
        >>> builder.add(PoseFrame.empty(timestamp_ms=0, image_size=(64, 48)))
        >>> len(builder.build())
        1
    """

    BLOCK = 4096

    def __init__(self, image_size: tuple[int, int], *, expected: int | None = None) -> None:
        self.image_size = _check_size(image_size)
        self._first = max(1, min(int(expected or self.BLOCK), 1 << 20))
        self._blocks: list[dict[str, np.ndarray]] = []
        self._used = 0  # frames in the last block
        self._count = 0
        self._back_k: int | None = None

    def __len__(self) -> int:
        return self._count

    def _block(self, size: int) -> dict[str, np.ndarray]:
        block: dict[str, np.ndarray] = {
            "t": np.zeros(size, np.int64),
            "landmarks": np.full((size, NUM_LANDMARKS, 4), np.nan, np.float32),
            "world": np.full((size, NUM_LANDMARKS, 3), np.nan, np.float32),
        }
        if self._back_k is not None:
            block["back"] = np.full((size, self._back_k, 2), np.nan, np.float32)
        return block

    def add(self, frame: PoseFrame) -> None:
        """Append one frame (frames must come in time order)."""
        if frame.image_size != self.image_size:
            raise ValueError("all frames of a series must have the same image size")
        if frame.back is not None and self._back_k is None:
            self._back_k = int(frame.back.shape[0])
            for block in self._blocks:
                block["back"] = np.full((len(block["t"]), self._back_k, 2), np.nan, np.float32)
        if not self._blocks or self._used == len(self._blocks[-1]["t"]):
            self._blocks.append(self._block(self._first if not self._blocks else self.BLOCK))
            self._used = 0
        block, i = self._blocks[-1], self._used
        block["t"][i] = frame.timestamp_ms
        block["landmarks"][i] = frame.landmarks
        block["world"][i] = frame.world
        if frame.back is not None and frame.back.shape[0] == self._back_k:
            block["back"][i] = frame.back
        self._used += 1
        self._count += 1

    def build(self, metadata: Mapping[str, Any] | None = None) -> PoseSeries:
        """The series of every frame added (the builder is emptied)."""
        keys = ["t", "landmarks", "world"] + (["back"] if self._back_k is not None else [])
        parts: dict[str, np.ndarray] = {}
        for key in keys:
            pieces = [b[key] for b in self._blocks[:-1]]
            if self._blocks:
                pieces.append(self._blocks[-1][key][: self._used])
            if len(pieces) == 1:
                parts[key] = pieces[0]
            elif pieces:
                parts[key] = np.concatenate(pieces)
            else:
                empty = {
                    "t": (0,),
                    "landmarks": (0, NUM_LANDMARKS, 4),
                    "world": (0, NUM_LANDMARKS, 3),
                }
                parts[key] = np.zeros(empty[key], np.int64 if key == "t" else np.float32)
            if key != "t":
                parts[key].setflags(write=False)
        self._blocks, self._used, self._count = [], 0, 0
        return PoseSeries(
            timestamps_ms=parts["t"],
            landmarks=parts["landmarks"],
            world=parts["world"],
            image_size=self.image_size,
            metadata=metadata or {},
            back=parts.get("back"),
        )
