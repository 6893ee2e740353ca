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


@pytest.mark.parametrize("expected", [None, 0, 3, 10, 5000])
def test_builder_gives_the_series_from_frames_gives(
    expected: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formcheck.pose.landmarks import SeriesBuilder

    monkeypatch.setattr(SeriesBuilder, "BLOCK", 4)  # several blocks for ten frames
    rng = np.random.default_rng(1)
    frames = []
    for i in range(10):
        back = rng.normal(size=(6, 2)) if i >= 3 else None  # the back appears at frame 3
        frame = PoseFrame(i * 40, rng.normal(size=(33, 4)), rng.normal(size=(33, 3)), (64, 48))
        frames.append(PoseFrame(i * 40, frame.landmarks, frame.world, (64, 48), back))
    builder = SeriesBuilder((64, 48), expected=expected)
    for f in frames:
        builder.add(f)
    assert len(builder) == 10
    built = builder.build({"source": "x"})
    want = PoseSeries.from_frames(frames, metadata={"source": "x"})
    assert np.array_equal(built.timestamps_ms, want.timestamps_ms)
    assert np.array_equal(built.landmarks, want.landmarks)
    assert np.array_equal(built.world, want.world)
    assert built.back is not None and want.back is not None
    assert np.array_equal(built.back, want.back, equal_nan=True)
    assert built.metadata["source"] == "x"
    assert not built.landmarks.flags.writeable and not built.back.flags.writeable


def test_builder_checks_sizes_and_builds_empty_series() -> None:
    from formcheck.pose.landmarks import SeriesBuilder

    builder = SeriesBuilder((64, 48))
    assert len(builder.build()) == 0
    with pytest.raises(ValueError, match="same image size"):
        builder.add(PoseFrame.empty(timestamp_ms=0, image_size=(32, 48)))


def test_a_read_only_array_is_kept_not_copied_and_stays_immutable() -> None:
    series = PoseSeries.from_frames([_frame(0), _frame(40, 2.0), _frame(80, 3.0)])
    part = series.slice(1, 3)
    assert np.shares_memory(part.landmarks, series.landmarks)  # slicing costs no copy
    writable = np.zeros((1, 33, 4), np.float32)
    own = PoseSeries(np.array([0]), writable, np.zeros((1, 33, 3)), (640, 480))
    writable[0, 0, 0] = 5.0  # the caller's array changes: the series keeps its copy
    assert own.landmarks[0, 0, 0] == 0.0
