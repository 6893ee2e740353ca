"""The real MediaPipe model, shipped in models/, on real pictures of people."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck import (
    Landmark,
    ModelError,
    PoseFrame,
    PoseOptions,
    TrackReplay,
    resolve_model,
    track_file,
)
from formcheck.pose.mediapipe_pose import (
    BARS_STEADY,
    MediaPipePoseEstimator,
    is_cut,
    picture_box,
    thumbnail,
)
from formcheck.pose.models import DEFAULT_MODEL_SHA256
from formcheck.run.pipeline import with_back_profile

# Joint positions in messi5.jpg (548x342), measured by hand on a 2x enlargement with a 50 px grid.
MESSI_BY_HAND = {
    Landmark.NOSE: (246, 112),
    Landmark.LEFT_WRIST: (355, 163),
    Landmark.RIGHT_WRIST: (100, 97),
    Landmark.LEFT_KNEE: (348, 245),
    Landmark.RIGHT_KNEE: (235, 285),
    Landmark.LEFT_ANKLE: (413, 262),
    Landmark.RIGHT_ANKLE: (280, 313),
}
TOLERANCE_PX = 15  # about 4% of the image height
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_default_model_is_found_and_verified() -> None:
    info = resolve_model()
    assert info.is_default and info.sha256 == DEFAULT_MODEL_SHA256
    assert info.path.name == "pose_landmarker_full.task"


def test_real_model_finds_the_joints_of_a_real_person(messi_path: Path) -> None:
    series = track_file(messi_path)
    assert len(series) == 1 and series.image_size == (548, 342)
    frame = series[0]
    assert frame.has_person
    for landmark, (x, y) in MESSI_BY_HAND.items():
        got = frame.point(landmark)
        distance = float(np.hypot(got[0] - x, got[1] - y))
        assert distance < TOLERANCE_PX, (
            f"{landmark.name}: {got} is {distance:.0f} px from ({x}, {y})"
        )
    assert frame.landmarks[Landmark.LEFT_HIP, 3] > 0.9  # visibility
    # world landmarks in metres: shoulder to hip about half a metre
    torso = np.linalg.norm(frame.world[Landmark.LEFT_SHOULDER] - frame.world[Landmark.LEFT_HIP])
    assert 0.3 < torso < 0.8


def test_video_mode_tracks_and_reports_empty_frames_as_nan(messi_video: Path) -> None:
    series = track_file(messi_video)
    assert len(series) == 50
    assert series.timestamps_ms.tolist() == [i * 40 for i in range(50)]
    present = series.person_mask
    assert present[:20].all() and present[35:].all()
    assert not present[20:35].any()
    assert np.isnan(series.landmarks[25]).all()
    assert series.metadata["model"]["sha256"] == DEFAULT_MODEL_SHA256
    # one person: the periodic people count says so, and says nothing more
    assert series.metadata["people_max"] == 1
    assert "several_people_s" not in series.metadata


def test_people_log_sums_the_time_with_several_people_in_view() -> None:
    from formcheck.pose.estimator import Census, PoseEstimate
    from formcheck.run.pipeline import PeopleLog

    def estimate(ms: int, census: Census | None) -> PoseEstimate:
        frame = PoseFrame.empty(timestamp_ms=ms, image_size=(64, 48))
        return PoseEstimate(frame, people=census.count if census else 1, census=census)

    log = PeopleLog()
    for ms, census in [
        (0, Census(1, True)),
        (1000, None),
        (3000, Census(2, True)),  # a second person from 3 s ...
        (6000, Census(2, True)),
        (9000, Census(1, True)),  # ... gone by 9 s
        (10000, None),
    ]:
        log.add(estimate(ms, census))
    assert log.summary(end_ms=10000) == {
        "people_max": 2,
        "several_people_s": 6.0,
        "followed_person": "largest",
    }
    log.add(estimate(12000, Census(3, False)))
    summary = log.summary(end_ms=13000)
    assert summary["people_max"] == 3 and summary["several_people_s"] == 7.0
    assert summary["followed_person"] == "not always the largest"
    assert PeopleLog().summary(end_ms=0) == {"people_max": 0}


def test_image_with_nobody_in_it_gives_an_empty_pose(tmp_path: Path) -> None:
    import cv2

    gradient = np.tile(np.linspace(40, 220, 320, dtype=np.uint8), (240, 1))
    path = tmp_path / "wall.png"
    cv2.imwrite(str(path), cv2.merge([gradient, gradient, gradient]))
    series = track_file(path)
    assert len(series) == 1 and not series[0].has_person


def test_segmentation_mask_covers_the_person(messi_image: np.ndarray) -> None:
    options = PoseOptions(segmentation_masks=True, mode="image")
    with MediaPipePoseEstimator(options) as estimator:
        estimate = estimator.estimate(messi_image, 0)
    assert estimate.people == 1 and estimate.mask is not None
    assert estimate.mask.shape == messi_image.shape[:2]
    hip = estimate.pose.point(Landmark.LEFT_HIP).astype(int)
    assert estimate.mask[hip[1], hip[0]] > 0.5  # the hip is inside the person
    assert estimate.mask[5, 5] < 0.5  # the corner is background


def test_corrupt_missing_and_foreign_models_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        resolve_model(tmp_path / "nope.task")
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match=r"not a MediaPipe \.task bundle"):
        resolve_model(junk)
    copy = tmp_path / "copy.task"
    shutil.copy(resolve_model().path, copy)
    assert resolve_model(copy).is_default  # a copy of the shipped model is recognised


def test_corrupt_default_model_is_detected(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from formcheck.pose import models

    bad = tmp_path / "pose_landmarker_full.task"
    data = bytearray(resolve_model().path.read_bytes())
    data[1000] ^= 0xFF
    bad.write_bytes(bytes(data))
    monkeypatch.setattr(models, "model_search_paths", lambda: [bad])
    with pytest.raises(ModelError, match="corrupt"):
        resolve_model()
    monkeypatch.setattr(models, "model_search_paths", lambda: [tmp_path / "absent.task"])
    with pytest.raises(ModelError, match="missing"):
        resolve_model()


def test_track_replay_serves_recorded_poses(messi_video: Path) -> None:
    series = track_file(messi_video)
    image = np.zeros((series.image_size[1], series.image_size[0], 3), np.uint8)
    with TrackReplay(series) as replay:
        same = replay.estimate(image, 400)
        missing = replay.estimate(image, 10_000)
    assert np.array_equal(same.pose.landmarks, series.landmarks[10], equal_nan=True)
    assert not missing.pose.has_person


def _frames(path: Path, count: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < count:
        ok, image = capture.read()
        assert ok, f"{path} has fewer than {count} frames"
        frames.append(image)
    capture.release()
    return frames


def _poses_and_cuts(options: PoseOptions, frames: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """The landmarks of every frame (a fresh estimator, 33 ms apart) and the cuts it saw."""
    with MediaPipePoseEstimator(options) as estimator:
        found = [estimator.estimate(f, 33 * i).pose.landmarks for i, f in enumerate(frames)]
        return np.array(found), estimator.cuts


@pytest.mark.parametrize("masks_when", ["always", "all_fours"])
def test_a_cut_to_another_scene_starts_tracking_afresh(
    messi_image: np.ndarray, masks_when: str
) -> None:
    """An edited recording that cuts from one scene to another: the model looks for the person
    in the new scene at once, as if the video started there, instead of following where the
    last scene's person was (which read joints 20-odd pixels off for a third of a second here,
    and on other cuts "tracked" a made-up pose in an empty corner for half a minute)."""
    cat_cow = _frames(SAMPLES / "catcow_5rounds_left.mp4", 20)
    height, width = cat_cow[0].shape[:2]
    before = [cv2.resize(messi_image, (width, height))] * 10
    options = PoseOptions(people_check_s=None, masks_when=masks_when)  # type: ignore[arg-type]

    alone, cuts_alone = _poses_and_cuts(options, cat_cow)
    joined, cuts = _poses_and_cuts(options, before + cat_cow)
    assert (cuts_alone, cuts) == (0, 1)  # a person moving is not a cut
    assert np.isfinite(alone[:, :, :2]).all()
    error_px = np.linalg.norm(joined[len(before) :, :, :2] - alone[:, :, :2], axis=2)
    assert error_px.max() < 0.5


def test_scene_cuts_are_told_by_the_picture_not_by_brightness() -> None:
    """A cut is a different picture; the camera's exposure changing, or a small part of the
    picture changing (a person moving), is not."""
    rng = np.random.default_rng(3)
    # blocks of a room's contrast at this size (grey levels 80-175; a real room's picture
    # shrunk to 32x24 varies about as much)
    room = rng.integers(80, 176, (24, 32, 1), np.uint8).repeat(8, 0).repeat(8, 1).repeat(3, 2)
    other = rng.integers(80, 176, (24, 32, 1), np.uint8).repeat(8, 0).repeat(8, 1).repeat(3, 2)
    darker = (room * 0.8).astype(np.uint8)
    moved = room.copy()
    moved[60:140, 80:200] = room[60:140, 88:208]  # a person's worth of the picture, moved 8 px
    first = thumbnail(room)
    assert not is_cut(first, thumbnail(darker))
    assert not is_cut(first, thumbnail(moved))
    assert is_cut(first, thumbnail(other))


def test_a_landmarker_left_aside_for_a_while_starts_afresh_when_taken_up_again() -> None:
    """With masks only on hands and knees, a second landmarker (with masks) takes over on all
    fours and hands back after. Taken up again seconds later it would track on from where it
    last saw its person, which is another exercise's place and shape by then (after a cat-cow
    facing one way, a plank facing the other read back to front for three seconds): it is
    replaced by a fresh one, which finds the person as a new video would."""
    cat_cow = _frames(SAMPLES / "catcow_5rounds_left.mp4", 30)
    plank = _frames(SAMPLES / "plank_good_left.mp4", 240)
    again = [cv2.flip(f, 1) for f in _frames(SAMPLES / "catcow_shallow_left.mp4", 30)]
    options = PoseOptions(people_check_s=None, masks_when="all_fours")
    with MediaPipePoseEstimator(options) as estimator:
        for i, frame in enumerate(cat_cow + plank):
            estimator.estimate(frame, 33 * i)
        first_masked = estimator._masked
        assert first_masked is not None  # the cat-cow had its masks
        start = len(cat_cow + plank)
        later = [
            estimator.estimate(f, 33 * (start + i)).pose.landmarks for i, f in enumerate(again)
        ]
        assert estimator._masked is not None and estimator._masked is not first_masked
    with MediaPipePoseEstimator(options) as fresh:
        alone = [fresh.estimate(f, 33 * i).pose.landmarks for i, f in enumerate(again)]
    error_px = np.linalg.norm(np.array(later)[:, :, :2] - np.array(alone)[:, :, :2], axis=2)
    assert np.nanmedian(error_px[5:]) < 2.0


def _in_black_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """``frame`` in the middle of a black frame ``width`` x ``height`` (bars beside or above
    it, as a clip fitted into a frame of another shape)."""
    out = np.zeros((height, width, 3), np.uint8)
    top, left = (height - frame.shape[0]) // 2, (width - frame.shape[1]) // 2
    out[top : top + frame.shape[0], left : left + frame.shape[1]] = frame
    return out


def test_black_bars_are_told_from_the_picture() -> None:
    frame = np.full((540, 960, 3), 70, np.uint8)
    assert picture_box(frame) is None  # no bars
    pillars = frame.copy()
    pillars[:, :300] = pillars[:, 660:] = 8
    x0, y0, x1, y1 = picture_box(pillars) or (0, 0, 0, 0)
    assert (y0, y1) == (0, 540) and 285 <= x0 <= 300 and 660 <= x1 <= 675
    letterbox = frame.copy()
    letterbox[:100] = letterbox[440:] = 0
    x0, y0, x1, y1 = picture_box(letterbox) or (0, 0, 0, 0)
    assert (x0, x1) == (0, 960) and 90 <= y0 <= 100 and 440 <= y1 <= 450
    thin = frame.copy()
    thin[:, :12] = 0  # 1% of the width: a dark edge, not a bar worth cropping
    assert picture_box(thin) is None
    # a black frame (a fade from black) and a dim picture have no bars
    assert picture_box(np.zeros_like(frame)) is None
    dim = np.full_like(frame, 30)
    assert picture_box(dim) is None
    # anything reaching into a bar keeps that side: only columns black all the way are bars
    reaching = pillars.copy()
    reaching[200:300, :300] = 60
    x0, y0, x1, y1 = picture_box(reaching) or (0, 0, 0, 0)
    assert (x0, y0, y1) == (0, 0, 540) and 660 <= x1 <= 675


@pytest.mark.parametrize(
    "clip_name", ["plank_good_right_portrait.mp4", "catcow_4rounds_right_portrait.mp4"]
)
def test_a_clip_inside_black_bars_reads_as_the_clip_alone(clip_name: str) -> None:
    """A portrait clip fitted into a wide frame (edited recordings join clips this way): the
    model is given the picture inside the bars, where the person is as big as in the clip
    alone. Given the whole 1280x540 frame, the model found nobody in either clip (nor, in a
    joined session, in a rendered plank for 16 s); here the joints and the back's outline come
    out where the clip alone puts them."""
    height, wide = 540, 1280
    clip = []
    for frame in _frames(SAMPLES / clip_name, 40):
        width = round(frame.shape[1] * height / frame.shape[0])
        clip.append(cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA))
    left = (wide - width) // 2
    options = PoseOptions(people_check_s=None, masks_when="always")

    def run(frames: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        poses, backs = [], []
        with MediaPipePoseEstimator(options) as estimator:
            for i, f in enumerate(frames):
                estimate = with_back_profile(estimator.estimate(f, 33 * i))
                poses.append(estimate.pose.landmarks[:, :2])
                back = estimate.pose.back
                backs.append(np.full((24, 2), np.nan) if back is None else back)
        return np.array(poses), np.array(backs)

    alone, alone_back = run(clip)
    boxed, boxed_back = run([_in_black_frame(f, wide, height) for f in clip])
    assert np.isfinite(alone).all()
    assert np.isfinite(boxed).all(), "the person was lost in the wide frame"
    boxed[:, :, 0] -= left
    boxed_back[:, :, 0] -= left
    error_px = np.linalg.norm(boxed - alone, axis=2)
    assert np.median(error_px) < 3.0, np.median(error_px)
    if "catcow" in clip_name:  # the masks came out, and in the right place
        found = np.isfinite(alone_back).all(axis=2) & np.isfinite(boxed_back).all(axis=2)
        assert found[10:].mean() > 0.8
        outline_px = np.linalg.norm(boxed_back - alone_back, axis=2)[found]
        assert np.median(outline_px) < 4.0, np.median(outline_px)


def test_bars_that_appear_are_cropped_only_once_they_stay() -> None:
    """The crop follows the bars at once on the first frame, after a cut and when there is
    picture where it has none (nothing that may be the person is cut off); bars that come
    without a cut (a picture darkening at its edges) count only once they have stayed a few
    frames, and an edge wobbling by a pixel or two is the same bars."""
    shape = (540, 960, 3)
    bars = (310, 0, 650, 540)
    with MediaPipePoseEstimator(PoseOptions(people_check_s=None)) as estimator:
        crop = estimator._crop_to
        assert crop(bars, shape, False) and estimator._crop == bars  # the first frame
        assert crop(None, shape, False) and estimator._crop is None  # picture everywhere
        changed = [crop((310 + i % 2 * 2, 0, 650, 540), shape, False) for i in range(6)]
        assert changed == [False] * (BARS_STEADY - 1) + [True] + [False] * (6 - BARS_STEADY)
        assert estimator._crop is not None
        wider = (200, 0, 760, 540)
        assert crop(wider, shape, False) and estimator._crop == wider  # picture in a bar
        assert not crop((203, 0, 758, 540), shape, False)  # a wobble
        assert crop(bars, shape, True) and estimator._crop == bars  # a cut: at once


def test_a_cut_between_clips_inside_the_same_black_bars_is_a_cut() -> None:
    """Two landscape clips fitted into one portrait frame, rendered in rooms alike: the bars are
    the same on both sides of the cut and hid most of its difference (8 grey levels over the
    whole frame against 15 over the pictures), so the model followed the last person's pose in
    the new scene for 10 s. The difference is taken over the picture inside the bars."""

    def boxed(frame: np.ndarray) -> np.ndarray:
        inner = round(frame.shape[0] * 480 / frame.shape[1])
        resized = cv2.resize(frame, (480, inner), interpolation=cv2.INTER_AREA)
        return _in_black_frame(resized, 480, 854)

    plank = [boxed(f) for f in _frames(SAMPLES / "plank_good_left.mp4", 150)[-20:]]
    cat_cow = [boxed(f) for f in _frames(SAMPLES / "catcow_5rounds_left.mp4", 150)[-30:]]
    options = PoseOptions(people_check_s=None, masks_when="all_fours")

    alone, cuts_alone = _poses_and_cuts(options, cat_cow)
    joined, cuts = _poses_and_cuts(options, plank + cat_cow)
    assert (cuts_alone, cuts) == (0, 1)
    error_px = np.linalg.norm(joined[len(plank) :, :, :2] - alone[:, :, :2], axis=2)
    assert np.nanmax(error_px) < 0.5
