"""PoseFrame and PoseSeries: validated, immutable values; "no person" is all NaN."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck import Landmark, PoseFrame, PoseSeries


def _frame(ts: int, value: float = 1.0) -> PoseFrame:
    lm = np.full((33, 4), value, np.float32)
    return PoseFrame(ts, lm, np.zeros((33, 3)), (640, 480))


def test_empty_frame_is_all_nan_and_has_no_person() -> None:
    frame = PoseFrame.empty(timestamp_ms=5, image_size=(640, 480))
    assert not frame.has_person
    assert np.isnan(frame.landmarks).all() and np.isnan(frame.world).all()
    assert frame.landmarks.dtype == np.float32


def test_frame_validates_shapes_and_size() -> None:
    with pytest.raises(ValueError, match="shape"):
        PoseFrame(0, np.zeros((32, 4)), np.zeros((33, 3)), (10, 10))
    with pytest.raises(ValueError, match="shape"):
        PoseFrame(0, np.zeros((33, 4)), np.zeros((33, 2)), (10, 10))
    with pytest.raises(ValueError, match="image_size"):
        PoseFrame(0, np.zeros((33, 4)), np.zeros((33, 3)), (0, 10))


def test_frame_arrays_are_read_only_copies() -> None:
    source = np.ones((33, 4), np.float32)
    frame = PoseFrame(0, source, np.zeros((33, 3)), (10, 10))
    source[:] = 7
    assert frame.landmarks[0, 0] == 1
    with pytest.raises(ValueError):
        frame.landmarks[0, 0] = 3


def test_point_indexes_by_landmark_name() -> None:
    lm = np.zeros((33, 4), np.float32)
    lm[Landmark.LEFT_HIP] = [12, 34, 0, 1]
    frame = PoseFrame(0, lm, np.zeros((33, 3)), (100, 100))
    assert frame.point(Landmark.LEFT_HIP).tolist() == [12, 34]
    assert int(Landmark.RIGHT_FOOT_INDEX) == 32 and len(Landmark) == 33


def test_series_stacks_frames_and_round_trips_them() -> None:
    frames = [_frame(0, 1), PoseFrame.empty(timestamp_ms=33, image_size=(640, 480)), _frame(66, 3)]
    series = PoseSeries.from_frames(frames, metadata={"fps": 30.0})
    assert series.landmarks.shape == (3, 33, 4) and series.world.shape == (3, 33, 3)
    assert series.person_mask.tolist() == [True, False, True]
    assert series[2].landmarks[0, 0] == 3 and series[1].timestamp_ms == 33
    assert series.times_s.tolist() == [0.0, 0.033, 0.066]
    assert series.metadata["fps"] == 30.0
    with pytest.raises(TypeError):
        series.metadata["fps"] = 1  # type: ignore[index]
    assert len(list(series)) == 3


def test_series_rejects_non_increasing_timestamps_and_mixed_sizes() -> None:
    with pytest.raises(ValueError, match="increasing"):
        PoseSeries.from_frames([_frame(10), _frame(10)])
    other = PoseFrame.empty(timestamp_ms=20, image_size=(320, 240))
    with pytest.raises(ValueError, match="same image size"):
        PoseSeries.from_frames([_frame(10), other])


def test_empty_series_needs_a_size() -> None:
    with pytest.raises(ValueError):
        PoseSeries.from_frames([])
    series = PoseSeries.from_frames([], image_size=(4, 4))
    assert len(series) == 0 and series.duration_s == 0.0
