"""Low-rate videos on two cores: a second model tracks the second half (``SecondHalf``).

Below 24 frames a second two lanes taking every other frame would each track too few frames,
so formcheck splits such a video in halves instead; the second model starts two seconds early
to have the person in hand at the middle. Real model, real videos (15 fps cuts of the samples).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from formcheck import PoseOptions, track_file
from formcheck.media.sources import VideoFileSource
from formcheck.run.halves import HALF_WARM_S, half_split
from tests.conftest import REPO, backs_measured, cut_sample

SAMPLES = REPO / "samples"
MAIN_JOINTS = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]

pytestmark = pytest.mark.skipif(
    (__import__("os").cpu_count() or 1) < 2, reason="halves need two cores"
)


@pytest.fixture(scope="module")
def low(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("low")
    bridge, catcow = SAMPLES / "bridge_5reps_left.mp4", SAMPLES / "catcow_5rounds_left.mp4"
    return {  # every other frame of the 30 fps samples: 15 fps videos
        "bridge": cut_sample(bridge, 10.0, folder / "bridge15.mp4", every=2),
        "catcow": cut_sample(catcow, 8.0, folder / "catcow15.mp4", every=2),
        "short": cut_sample(bridge, 3.0, folder / "short15.mp4", every=2),
    }


def test_a_15_fps_video_is_tracked_in_halves_with_the_same_frames_and_poses(
    low: dict[str, Path],
) -> None:
    one = track_file(low["bridge"], lanes=1)
    two = track_file(low["bridge"])
    assert one.metadata["model_split"] == "turns" and one.metadata["model_lanes"] == 1
    assert two.metadata["model_split"] == "halves" and two.metadata["model_lanes"] == 2
    assert np.array_equal(one.timestamps_ms, two.timestamps_ms)  # every frame, in order
    half = len(one) // 2
    first = one.landmarks[:half, MAIN_JOINTS, :2] - two.landmarks[:half, MAIN_JOINTS, :2]
    assert np.nanmax(np.abs(first)) == 0.0  # the first model is the one-model run itself
    second = np.abs(one.landmarks[half:, MAIN_JOINTS, :2] - two.landmarks[half:, MAIN_JOINTS, :2])
    assert np.isnan(second).mean() < 0.05
    # the second model, warmed up before the middle, finds the same joints
    assert np.nanmedian(second) < 1.0 and np.nanpercentile(second, 95) < 4.0


def test_the_second_half_brings_its_back_outline_and_people_count(low: dict[str, Path]) -> None:
    options = PoseOptions().for_exercise("auto")  # masks on hands and knees
    one = track_file(low["catcow"], options=options, lanes=1)
    two = track_file(low["catcow"], options=options)
    assert two.metadata["model_split"] == "halves"
    half = len(one) // 2
    assert backs_measured(one)[half:].mean() > 0.9
    assert (backs_measured(one) == backs_measured(two)).mean() > 0.95
    assert two.metadata["people_max"] == one.metadata["people_max"] == 1


def test_when_a_video_is_split(low: dict[str, Path]) -> None:
    video = PoseOptions()
    with VideoFileSource(low["bridge"]) as source:
        n = source.info.frame_count
        assert n is not None
        assert half_split(source, 15.0, video, None) == n // 2
        assert half_split(source, 10.0, video, None) == n // 2
        assert half_split(source, 30.0, video, None) is None  # lanes take turns instead
        assert half_split(source, 15.0, video, 1) is None  # one model asked for
        assert half_split(source, 2.0, video, None) is None  # too few frames a second
        assert half_split(source, 15.0, PoseOptions(mode="image"), None) is None
    with VideoFileSource(low["short"]) as source:  # 3 s: not worth a second model
        assert half_split(source, 15.0, video, None) is None
    assert HALF_WARM_S > 0


def test_a_callback_that_draws_on_the_frames_keeps_one_model(low: dict[str, Path]) -> None:
    sizes = []
    series = track_file(low["bridge"], on_estimate=lambda f, e: sizes.append(f.image.size))
    assert series.metadata["model_split"] == "turns"
    assert len(sizes) == len(series) and min(sizes) > 0  # every frame with its image


def test_ctrl_c_in_the_first_half_keeps_what_was_measured_and_stops_the_second(
    low: dict[str, Path],
) -> None:
    whole = track_file(low["bridge"], lanes=1)

    def progress(done: int, _total: int | None) -> None:
        if done == 20:
            raise KeyboardInterrupt

    cut = track_file(low["bridge"], on_progress=progress)
    assert cut.metadata["interrupted"] is True
    assert 20 <= len(cut) < len(whole) // 2
    assert np.array_equal(cut.timestamps_ms, whole.timestamps_ms[: len(cut)])
    assert not [t for t in threading.enumerate() if t.name == "formcheck-half"]
