"""Pose tracks on disk: a lossless round trip and clear errors for anything else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck import InputError, OutputError, PoseFrame, PoseSeries, load_track, save_track


def _series() -> PoseSeries:
    rng = np.random.default_rng(0)
    frames = []
    for i in range(5):
        lm = rng.normal(100, 20, (33, 4)).astype(np.float32)
        frames.append(PoseFrame(i * 33, lm, rng.normal(0, 0.3, (33, 3)), (640, 360)))
    frames.append(PoseFrame.empty(timestamp_ms=200, image_size=(640, 360)))
    return PoseSeries.from_frames(frames, metadata={"source": "x.mp4", "fps": 30.0})


def test_round_trip_is_lossless(tmp_path: Path) -> None:
    series = _series()
    path = save_track(series, tmp_path / "t.npz")
    back = load_track(path)
    assert np.array_equal(back.timestamps_ms, series.timestamps_ms)
    assert np.array_equal(back.landmarks, series.landmarks, equal_nan=True)
    assert np.array_equal(back.world, series.world, equal_nan=True)
    assert back.image_size == (640, 360)
    assert back.metadata["fps"] == 30.0 and back.metadata["source"] == "x.mp4"
    assert not list(tmp_path.glob(".t.npz*")), "no temporary file left behind"


def test_foreign_and_broken_files_are_input_errors(tmp_path: Path) -> None:
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(InputError, match="not a formcheck track"):
        load_track(other)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(InputError, match="not a readable formcheck track"):
        load_track(broken)
    with pytest.raises(InputError, match="no such file"):
        load_track(tmp_path / "missing.npz")


def test_unwritable_destination_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        save_track(_series(), tmp_path / "no" / "such" / "t.npz")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        import os

        # root writes anywhere a mode allows; sysfs refuses new files even to root
        target = locked if not os.access(locked, os.W_OK) else Path("/sys")
        with pytest.raises(OutputError, match="permission denied"):
            save_track(_series(), target / "t.npz")
        assert not (target / "t.npz").exists()
    finally:
        locked.chmod(0o700)
