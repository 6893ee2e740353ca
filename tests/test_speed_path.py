"""The fast road through a recording: masks only on hands and knees, the work after the model
on a thread beside it, a default analysis rate, and mediapipe imported without matplotlib."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from formcheck import PoseOptions, PoseSeries, TrackReplay, track_file, track_frames
from formcheck.media.sources import open_source
from formcheck.pose.estimator import may_be_on_all_fours
from formcheck.pose.mediapipe_pose import MediaPipePoseEstimator
from tests.conftest import backs_measured, cut_sample, numbered_frames

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def _pose(points: dict[int, tuple[float, float]]) -> np.ndarray:
    lm = np.full((33, 4), np.nan, np.float32)
    for i, (x, y) in points.items():
        lm[i] = (x, y, 0.0, 0.9)
    return lm


# shoulder 11, hip 23, knee 25, wrist 15 (left side); image y grows downwards
POSES = {
    "all fours": ({11: (100, 200), 23: (300, 210), 25: (310, 300), 15: (105, 300)}, True),
    "all fours, rounded and tilted": (
        {11: (100, 180), 23: (300, 240), 25: (330, 330), 15: (130, 290)},
        True,
    ),
    "forearm plank": ({11: (100, 220), 23: (300, 240), 25: (400, 250), 15: (140, 300)}, False),
    "knee plank": ({11: (100, 200), 23: (260, 250), 25: (370, 300), 15: (140, 290)}, False),
    "standing": ({11: (200, 100), 23: (205, 300), 25: (205, 420), 15: (210, 300)}, False),
    "bridge top": ({11: (100, 300), 23: (300, 240), 25: (420, 180), 15: (200, 310)}, False),
}


@pytest.mark.parametrize("name", POSES)
def test_the_mask_gate_opens_on_hands_and_knees_only(name: str) -> None:
    points, expected = POSES[name]
    assert may_be_on_all_fours(_pose(points)) is expected
    mirrored = {k + 1: (1000 - x, y) for k, (x, y) in points.items()}  # the right side
    assert may_be_on_all_fours(_pose(mirrored)) is expected


def test_the_mask_gate_needs_the_joints_seen() -> None:
    points, _ = POSES["all fours"]
    lm = _pose(points)
    lm[25, 3] = 0.05  # the knee barely visible
    assert not may_be_on_all_fours(lm)
    assert not may_be_on_all_fours(np.full((33, 4), np.nan, np.float32))


def test_pose_options_for_an_exercise() -> None:
    base = PoseOptions()
    assert base.for_exercise("cat_cow") == base
    assert base.for_exercise("auto").masks_when == "all_fours"
    assert base.for_exercise("glute_bridge").segmentation_masks is False
    assert base.for_exercise("plank,glute_bridge").segmentation_masks is False
    assert base.for_exercise("plank,cat_cow").masks_when == "all_fours"
    off = PoseOptions(segmentation_masks=False)
    assert off.for_exercise("cat_cow") == off
    with pytest.raises(ValueError, match="masks_when"):
        PoseOptions(masks_when="sometimes")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def cuts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cuts")
    return {
        "catcow": cut_sample(SAMPLES / "catcow_5rounds_left.mp4", 3.0, folder / "catcow.mp4"),
        "bridge": cut_sample(SAMPLES / "bridge_5reps_left.mp4", 4.0, folder / "bridge.mp4"),
    }


def test_masks_are_computed_on_hands_and_knees_and_nowhere_else(cuts: dict[str, Path]) -> None:
    gated = PoseOptions().for_exercise("auto")
    catcow = track_file(cuts["catcow"], options=gated)
    always = track_file(cuts["catcow"], options=PoseOptions())
    people = catcow.landmarks[:, 11, 0] == catcow.landmarks[:, 11, 0]  # a person found
    assert people.mean() > 0.9
    # every frame on all fours has its back outline, as with masks on every frame
    assert np.array_equal(backs_measured(catcow), backs_measured(always))
    assert backs_measured(catcow)[people].mean() > 0.9
    # and the landmarks are the model's same landmarks
    diff = np.nanmax(np.abs(catcow.landmarks[:, :, :2] - always.landmarks[:, :, :2]))
    assert diff < 1.0

    with MediaPipePoseEstimator(gated) as estimator:
        with open_source(str(cuts["bridge"])) as source:
            masks = [estimator.estimate(f.image, f.timestamp_ms).mask for f in source]
        assert estimator._masked is None  # the landmarker with masks was never even made
    assert all(m is None for m in masks)


def test_the_work_after_the_model_runs_beside_it_in_order_and_its_errors_surface(
    make_video,
) -> None:
    video = make_video("n.mp4", numbered_frames(12), [i * 40 for i in range(12)])
    empty = PoseSeries.from_frames([], image_size=(160, 120))
    seen: list[int] = []
    threads: set[str] = set()

    def note(frame, estimate) -> None:
        seen.append(frame.timestamp_ms)
        threads.add(threading.current_thread().name)

    with open_source(str(video)) as source, TrackReplay(empty) as replay:
        series = track_frames(source, replay, on_estimate=note)
    assert len(series) == 12 and seen == sorted(seen) and len(seen) == 12
    assert threads == {"formcheck-analysis"}

    def fail(frame, estimate) -> None:
        if frame.timestamp_ms >= 120:
            raise RuntimeError("the analysis broke")

    with (
        open_source(str(video)) as source,
        TrackReplay(empty) as replay,
        pytest.raises(RuntimeError, match="the analysis broke"),
    ):
        track_frames(source, replay, on_estimate=fail)


def test_analyze_runs_at_30_frames_per_second_unless_told(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from formcheck.cli import app

    clip = cut_sample(SAMPLES / "plank_knees_down_left.mp4", 2.0, tmp_path / "sixty.mp4")
    runner = CliRunner()
    frames = {}
    for name, extra in (("auto", []), ("all", ["--max-fps", "0"]), ("15", ["--max-fps", "15"])):
        out = tmp_path / f"{name}.json"
        result = runner.invoke(
            app, ["analyze", str(clip), "--no-history", "--json", str(out), *extra]
        )
        assert result.exit_code == 0, result.output
        source = json.loads(out.read_text())["source"]
        frames[name] = (source["frames"], source["max_fps"])
    assert frames["all"] == (120, None)
    assert frames["auto"][1] == 30.0 and abs(frames["auto"][0] - 60) <= 1  # 2 s at 30 a second
    assert frames["15"][1] == 15.0 and abs(frames["15"][0] - 30) <= 1


def test_mediapipe_loads_without_matplotlib_until_its_drawing_helpers_are_used() -> None:
    code = (
        "import sys\n"
        "from formcheck.pose.mediapipe_pose import import_mediapipe\n"
        "mp = import_mediapipe()\n"
        "assert mp.Image is not None and 'matplotlib.pyplot' not in sys.modules\n"
        "from mediapipe.tasks.python.vision import drawing_styles\n"
        "assert drawing_styles.get_default_pose_landmarks_style()\n"
        "assert 'matplotlib.pyplot' in sys.modules\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_thinning_keeps_jittery_frames_under_a_cap_at_their_own_rate(make_video) -> None:
    from formcheck.media.sources import Prefetcher, VideoFileSource

    rng = np.random.default_rng(3)
    jittery = [round(1000 * i / 30 + rng.uniform(-8, 8)) for i in range(60)]
    jittery[0] = 0
    sixty = [round(1000 * i / 60) for i in range(60)]
    kept = {}
    for name, stamps, cap in (("30 jittery", jittery, 30.0), ("60", sixty, 30.0)):
        video = make_video(f"{name}.mp4".replace(" ", "_"), numbered_frames(60), stamps)
        with VideoFileSource(video) as source, Prefetcher(source, max_fps=cap) as frames:
            kept[name] = [f.timestamp_ms for f in frames]
    assert len(kept["30 jittery"]) == 60  # no frame lost to the jitter
    gaps = np.diff(kept["60"])
    assert len(kept["60"]) == 30 and gaps.min() >= 30 and gaps.max() <= 36  # every other one


def test_two_lanes_of_the_model_give_every_frame_in_order_with_the_same_poses(
    cuts: dict[str, Path],
) -> None:
    options = PoseOptions().for_exercise("auto")
    one = track_file(cuts["bridge"], options=options, lanes=1)
    two = track_file(cuts["bridge"], options=options, lanes=2)
    assert one.metadata["model_lanes"] == 1 and two.metadata["model_lanes"] == 2
    assert np.array_equal(one.timestamps_ms, two.timestamps_ms)
    main_joints = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]
    diff = np.abs(one.landmarks[:, main_joints, :2] - two.landmarks[:, main_joints, :2])
    assert np.isnan(diff).mean() < 0.05
    # each lane tracks every other frame: the same joints within a pixel or two
    assert np.nanmedian(diff) < 1.0 and np.nanpercentile(diff, 95) < 4.0


def test_lanes_for_a_video() -> None:
    from formcheck.pose.lanes import lanes_for

    video = PoseOptions()
    assert lanes_for(30.0, video, cores=2) == 2
    assert lanes_for(60.0, video, cores=8) == 2  # at most two
    assert lanes_for(30.0, video, cores=1) == 1
    assert lanes_for(15.0, video, cores=2) == 1  # each lane would track at 7.5 frames/s
    assert lanes_for(None, video, cores=2) == 1  # an unknown rate: one model
    assert lanes_for(30.0, PoseOptions(mode="image"), cores=2) == 1  # stills


def test_mediapipe_imports_from_several_threads_at_once() -> None:
    # lanes of the model load side by side; mediapipe's circular imports, started on two
    # threads at once, used to end in Python's _DeadlockError now and then
    code = (
        "import threading\n"
        "from formcheck.pose.mediapipe_pose import import_mediapipe\n"
        "barrier = threading.Barrier(4)\n"
        "got, errors = [], []\n"
        "def load():\n"
        "    barrier.wait()\n"
        "    try:\n"
        "        got.append(import_mediapipe().tasks.vision.PoseLandmarker)\n"
        "    except BaseException as exc:\n"
        "        errors.append(repr(exc))\n"
        "threads = [threading.Thread(target=load) for _ in range(4)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "assert not errors and len(got) == 4 and len(set(map(id, got))) == 1, errors\n"
        "print('ok')\n"
    )
    for _ in range(8):  # without the lock, about one run in three or four failed
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
        assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-1500:]
