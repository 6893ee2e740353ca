"""Pose tracks on disk: a landmark series and where it came from, in one ``.npz`` file.

Format ``formcheck.track/1`` (a NumPy ``.npz`` archive, compressed, no pickles):

=================  ==============  ===========================================================
key                dtype, shape    meaning
=================  ==============  ===========================================================
``format``         str, ()         ``"formcheck.track/1"``
``timestamps_ms``  int64, (T,)     frame times from the start of the source, increasing
``landmarks``      float32,        image landmarks: x px, y px, z px, visibility; NaN = not
                   (T, 33, 4)      found (BlazePose landmark order, see ``formcheck.Landmark``)
``world``          float32,        world landmarks in metres, hip-centred; NaN = not found
                   (T, 33, 3)
``image_size``     int32, (2,)     width, height of the analysed frames in pixels
``back``           float32,        optional: outline of the back between shoulders and hips
                   (T, K, 2)       in pixels, from the segmentation mask (formcheck.measure.spine)
``metadata``       str, ()         JSON object: ``source`` (path), ``kind``, ``fps``,
                                   ``frame_count``, ``width``, ``height``, ``model`` (name,
                                   sha256), ``formcheck_version``, ``created``, ``interrupted``,
                                   ``truncated``
=================  ==============  ===========================================================

Example:
    >>> import tempfile, pathlib
    >>> from formcheck.pose.landmarks import PoseFrame, PoseSeries
    >>> s = PoseSeries.from_frames([PoseFrame.empty(timestamp_ms=0, image_size=(8, 6))])
    >>> p = save_track(s, pathlib.Path(tempfile.mkdtemp()) / "t.npz")
    >>> len(load_track(p))
    1
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import InputError
from formcheck.media.outputs import atomic_path
from formcheck.media.sources import check_input_file
from formcheck.pose.landmarks import PoseSeries

TRACK_FORMAT = "formcheck.track/1"


def save_track(series: PoseSeries, path: str | os.PathLike[str]) -> Path:
    """Write ``series`` to ``path`` (atomically) and return the path."""
    with atomic_path(path, suffix=".npz") as tmp, tmp.open("wb") as fh:
        extra: dict[str, Any] = {} if series.back is None else {"back": series.back}
        np.savez_compressed(
            fh,
            **extra,
            format=np.array(TRACK_FORMAT),
            timestamps_ms=series.timestamps_ms,
            landmarks=series.landmarks,
            world=series.world,
            image_size=np.array(series.image_size, dtype=np.int32),
            metadata=np.array(json.dumps(dict(series.metadata), default=str)),
        )
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def is_track_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` looks like a saved track (by its ``.npz`` suffix)."""
    return Path(path).suffix.lower() == ".npz"


def load_track(path: str | os.PathLike[str]) -> PoseSeries:
    """Read a track written by :func:`save_track`.

    Raises:
        InputError: The file is missing, empty, not an ``.npz`` archive, or not a formcheck track.
    """
    file = check_input_file(Path(path))
    try:
        with np.load(file, allow_pickle=False) as data:
            fmt = str(data["format"]) if "format" in data else None
            if fmt != TRACK_FORMAT:
                raise InputError(f"{file}: not a formcheck track (format {fmt!r})")
            metadata = json.loads(str(data["metadata"]))
            width, height = (int(v) for v in data["image_size"])
            return PoseSeries(
                timestamps_ms=data["timestamps_ms"],
                landmarks=data["landmarks"],
                world=data["world"],
                image_size=(width, height),
                metadata=metadata,
                back=data.get("back"),
            )
    except InputError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise InputError(f"{file}: not a readable formcheck track ({exc})") from None
