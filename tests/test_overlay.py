"""The drawn overlay: skeleton coloured by form, counter, hold timer, gauge, cue, status, stats.

Poses are side-view stick figures from ``tests/synthetic.py`` (the same value type MediaPipe's
wrapper produces), drawn on black images so that every lit pixel is the overlay's.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.analysis import LiveState
from formcheck.config import load_config
from formcheck.live.overlay import (
    BAD,
    GOOD,
    WARN,
    Presenter,
    draw_overlay,
    form_level,
    gauge_scale,
    gauge_x,
    overlay_layout,
    overlay_scale,
)
from formcheck.pose.landmarks import Landmark, PoseFrame
from tests import synthetic as syn

SIZES = [(640, 480), (1920, 1080)]
GOOD_PLANK = LiveState(
    exercise="plank", hold_s=8.0, measure=2.0, measure_name="alignment", phase="holding"
)
SAGGING = LiveState(
    exercise="plank",
    hold_s=8.0,
    measure=-16.0,
    measure_name="alignment",
    phase="holding",
    faults=("hips_sagging",),
)


@pytest.fixture(scope="module")
def plank_pose() -> PoseFrame:
    """A side-on forearm plank, mid-hold (960x540 pixels, right side facing the camera)."""
    series = syn.render(syn.plank(hold_s=6.0), fps=5)
    pose = series[len(series) // 2]
    assert pose.has_person
    return pose


def black(size: tuple[int, int]) -> np.ndarray:
    width, height = size
    return np.zeros((height, width, 3), np.uint8)


def region(image: np.ndarray, rect: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = rect
    return image[max(0, y) : y + h, max(0, x) : x + w]


def colour_pixels(patch: np.ndarray, colour: tuple[int, int, int], tol: int = 12) -> int:
    """How many pixels of ``patch`` are ``colour`` (BGR) within ``tol`` per channel."""
    diff = np.abs(patch.astype(np.int16) - np.array(colour, np.int16)).max(axis=2)
    return int((diff <= tol).sum())


def segment_midpoint(pose: PoseFrame, a: Landmark, b: Landmark, size: tuple[int, int]):
    """Where the middle of segment a-b lands on an image of ``size`` (the pose is scaled)."""
    scale = np.array(size, np.float64) / np.array(pose.image_size, np.float64)
    mid = (pose.point(a).astype(np.float64) + pose.point(b).astype(np.float64)) / 2 * scale
    return round(float(mid[0])), round(float(mid[1]))


def near(image: np.ndarray, xy: tuple[int, int], radius: int) -> np.ndarray:
    x, y = xy
    return image[y - radius : y + radius + 1, x - radius : x + radius + 1]


# -- skeleton ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_skeleton_is_green_on_the_body_when_the_form_is_good(plank_pose, size) -> None:
    image = draw_overlay(black(size), plank_pose, GOOD_PLANK)
    radius = round(3 * overlay_scale(*size))
    for a, b in [
        (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
        (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
        (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    ]:
        patch = near(image, segment_midpoint(plank_pose, a, b, size), radius)
        assert colour_pixels(patch, GOOD) > 0, (a.name, b.name)
        assert colour_pixels(patch, BAD) == 0


@pytest.mark.parametrize("size", SIZES)
def test_skeleton_turns_red_while_a_fault_is_active(plank_pose, size) -> None:
    image = draw_overlay(black(size), plank_pose, SAGGING)
    radius = round(3 * overlay_scale(*size))
    mid = segment_midpoint(plank_pose, Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, size)
    patch = near(image, mid, radius)
    assert colour_pixels(patch, BAD) > 0
    assert colour_pixels(patch, GOOD) == 0


def test_skeleton_is_amber_while_a_fault_is_pending_or_nothing_is_measurable(plank_pose) -> None:
    size = (640, 480)
    mid = segment_midpoint(plank_pose, Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, size)
    pending = LiveState(exercise="plank", hold_s=3.0, measure=-14.0, measure_name="alignment")
    lost = LiveState(exercise="plank", status="Move back so your whole body is in view")
    for state in (pending, lost):
        assert form_level(state) == "warn"
        image = draw_overlay(black(size), plank_pose, state)
        patch = near(image, mid, 3)
        assert colour_pixels(patch, WARN) > 0
        assert colour_pixels(patch, GOOD) == 0 and colour_pixels(patch, BAD) == 0


def test_pending_zone_follows_the_config() -> None:
    state = LiveState(exercise="plank", measure=-14.0, measure_name="alignment")
    assert form_level(state) == "warn"
    assert form_level(state, load_config(overrides=["plank.sag_deg=15"])) == "good"
    arched = LiveState(exercise="glute_bridge", measure=200.0, measure_name="hip angle")
    assert form_level(arched) == "warn"
    assert form_level(arched, load_config(overrides=["bridge.over_arch_margin_deg=25"])) == "good"


def test_skeleton_scales_with_the_image_when_the_pose_was_measured_at_another_size(
    plank_pose,
) -> None:
    # the pose is in 960x540 pixels; drawn on 1920x1080 every point doubles
    image = draw_overlay(black((1920, 1080)), plank_pose, GOOD_PLANK)
    hip = plank_pose.point(Landmark.RIGHT_HIP) * 2
    assert colour_pixels(near(image, (round(hip[0]), round(hip[1])), 4), GOOD) > 0
    unscaled = (round(float(hip[0]) / 2), round(float(hip[1]) / 2))
    assert colour_pixels(near(image, unscaled, 6), GOOD) == 0


# -- counter and hold timer -----------------------------------------------------------------


def bridge_state(count: int, measure: float = 150.0) -> LiveState:
    return LiveState(
        exercise="glute_bridge", count=count, measure=measure, measure_name="hip angle"
    )


@pytest.mark.parametrize("size", SIZES)
def test_counter_shows_the_count_and_changes_with_it(size) -> None:
    rect = overlay_layout(*size)["counter"]
    three = region(draw_overlay(black(size), None, bridge_state(3), target=12), rect)
    twelve = region(draw_overlay(black(size), None, bridge_state(12), target=12), rect)
    # white digits on the panel
    assert (three.min(axis=2) > 200).sum() > 30 * overlay_scale(*size) ** 2
    assert (three != twelve).any(axis=2).sum() > 50 * overlay_scale(*size) ** 2


def test_counter_is_top_left_and_inside_the_image_at_every_size() -> None:
    for width, height in [(640, 480), (1280, 720), (1920, 1080), (540, 960), (480, 640)]:
        layout = overlay_layout(width, height)
        for name in ("counter", "gauge", "status", "cue", "stats", "paused"):
            x, y, w, h = layout[name]
            assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, (name, width)
        cx, cy, cw, ch = layout["counter"]
        gx = layout["gauge"][0]
        _, uy, _, uh = layout["cue"]
        _, sy, _, sh = layout["status"]
        assert cx < width / 2 and cy < height / 4  # counter top left
        assert cx + cw < gx  # gauge beside it, not over it
        assert uy > height * 0.75 and uy + uh <= height  # cue at the bottom
        assert sy + sh <= uy  # status just above the cue
        assert ch > 0.15 * min(height, width * 3 / 4)  # readable from across the room


def test_plank_timer_shows_the_hold_against_its_target_with_a_progress_bar() -> None:
    size = (640, 480)
    rect = overlay_layout(*size)["counter"]

    def timer(hold_s: float) -> np.ndarray:
        state = LiveState(exercise="plank", hold_s=hold_s, measure=0.0, measure_name="alignment")
        return region(draw_overlay(black(size), None, state, hold_target_s=30.0), rect)

    early, late, done = timer(5.0), timer(25.0), timer(31.0)
    assert (early != late).any()
    # the bar fills with the share of the target: light grey while holding, green when reached
    assert colour_pixels(late, (200, 200, 200), tol=5) > 3 * colour_pixels(
        early, (200, 200, 200), tol=5
    )
    assert colour_pixels(done, GOOD, tol=5) > colour_pixels(late, GOOD, tol=5)


# -- gauge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_gauge_marker_moves_with_the_measure(size) -> None:
    rect = overlay_layout(*size)["gauge"]
    s = overlay_scale(*size)
    scale = gauge_scale("glute_bridge")
    assert scale is not None

    def marker_x(measure: float) -> float:
        patch = region(draw_overlay(black(size), None, bridge_state(2, measure)), rect)
        diff = np.abs(patch.astype(np.int16) - np.array(GOOD, np.int16)).max(axis=2)
        _, xs = np.nonzero(diff <= 8)
        assert xs.size > 0, "marker not drawn"
        return float(xs.mean()) + rect[0]

    low, high = marker_x(130.0), marker_x(185.0)
    assert high - low > 50 * s
    assert abs(low - gauge_x(130.0, scale, rect, s)) <= 2 * s
    assert abs(high - gauge_x(185.0, scale, rect, s)) <= 2 * s


def test_gauge_target_zones_come_from_the_config() -> None:
    bridge = gauge_scale("glute_bridge", load_config(overrides=["bridge.partial_margin_deg=20"]))
    assert bridge is not None and bridge.zone == (160.0, 195.0)
    plank = gauge_scale("plank")
    assert plank is not None and plank.zone == (-10.0, 18.0)
    catcow = gauge_scale("cat_cow")
    assert catcow is not None and catcow.low == -catcow.high  # symmetric
    assert (catcow.low_label, catcow.high_label) == ("cow", "cat")
    assert gauge_scale("auto") is None


def test_not_measurable_gauge_has_no_marker() -> None:
    size = (640, 480)
    rect = overlay_layout(*size)["gauge"]
    state = LiveState(exercise="glute_bridge", measure=float("nan"), measure_name="hip angle")
    patch = region(draw_overlay(black(size), None, state), rect)
    assert patch.any()  # the scale is drawn
    assert colour_pixels(patch, WARN, tol=8) == 0 and colour_pixels(patch, GOOD, tol=8) == 0


# -- cue, status, stats, paused ------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_cue_banner_is_drawn_only_when_there_is_a_cue(size) -> None:
    rect = overlay_layout(*size)["cue"]
    without = region(draw_overlay(black(size), None, bridge_state(1)), rect)
    with_cue = region(draw_overlay(black(size), None, bridge_state(1), cue="1. Good rep"), rect)
    assert not without.any()
    assert (with_cue.min(axis=2) > 200).sum() > 50 * overlay_scale(*size) ** 2  # white text


def test_long_and_non_ascii_cues_fit_the_banner() -> None:
    size = (640, 480)
    rect = overlay_layout(*size)["cue"]
    cue = "Don\u2019t over-arch \u2013 stop at 180\u00b0 when shoulders, hips and knees are in line"
    image = draw_overlay(black(size), None, bridge_state(1), cue=cue)
    x, y, w, h = rect
    text = image[y : y + h, x : x + w].min(axis=2) > 200
    cols = np.nonzero(text.any(axis=0))[0]
    assert cols.size and cols.min() > 0 and cols.max() < w - 1  # not cut at the edges
    assert not image[y : y + h, x + w :].any()  # nothing spills out of the banner
    assert not image[y + h :].any()


def test_status_line_is_drawn_when_status_is_set() -> None:
    size = (640, 480)
    rect = overlay_layout(*size)["status"]
    quiet = region(draw_overlay(black(size), None, bridge_state(1)), rect)
    status = LiveState(exercise="glute_bridge", status="Move back so your whole body is in view")
    told = region(draw_overlay(black(size), None, status), rect)
    assert not quiet.any()
    assert colour_pixels(told, WARN, tol=40) > 100  # amber words


def test_fps_latency_and_paused_are_shown_when_given() -> None:
    size = (640, 480)
    layout = overlay_layout(*size)
    plain = draw_overlay(black(size), None, bridge_state(1))
    shown = draw_overlay(black(size), None, bridge_state(1), fps=29.5, latency_ms=80, paused=True)
    assert not region(plain, layout["stats"]).any() and region(shown, layout["stats"]).any()
    assert not region(plain, layout["paused"]).any()
    assert (region(shown, layout["paused"]).min(axis=2) > 200).sum() > 100


# -- robustness -----------------------------------------------------------------------------


def test_draws_in_place_and_returns_the_same_image(plank_pose) -> None:
    image = black((640, 480))
    assert draw_overlay(image, plank_pose, GOOD_PLANK) is image
    assert image.any()


@pytest.mark.parametrize("size", [(640, 480), (1920, 1080), (360, 640), (64, 48), (8, 6), (1, 1)])
def test_no_person_nan_points_and_tiny_images_draw_without_error(plank_pose, size) -> None:
    nan_pose = PoseFrame.empty(timestamp_ms=0, image_size=(640, 480))
    landmarks = plank_pose.landmarks.copy()
    landmarks[Landmark.RIGHT_HIP, :2] = np.nan
    landmarks[Landmark.RIGHT_KNEE, :2] = np.inf
    landmarks[Landmark.RIGHT_ANKLE, 3] = np.nan
    broken = PoseFrame(0, landmarks, plank_pose.world, plank_pose.image_size)
    states = [
        GOOD_PLANK,
        SAGGING,
        LiveState(exercise="auto", status="Get into position for a bridge, plank or cat-cow"),
        LiveState(exercise="cat_cow", count=2, measure=float("inf"), measure_name="bend"),
        bridge_state(10**6, measure=-1e9),
    ]
    for pose in (None, nan_pose, broken, plank_pose):
        for state in states:
            image = black(size)
            out = draw_overlay(
                image, pose, state, cue="Hold it there", fps=30.0, latency_ms=1e9, paused=True
            )
            assert out.shape == (size[1], size[0], 3)


def test_rejects_what_is_not_a_bgr_image() -> None:
    with pytest.raises(ValueError, match="uint8 BGR"):
        draw_overlay(np.zeros((48, 64), np.uint8), None, GOOD_PLANK)


# -- what is shown over time ------------------------------------------------------------------


def test_presenter_shows_a_cue_for_a_while_and_a_status_once_it_has_lasted() -> None:
    from formcheck.analysis.feedback import Cue

    presenter = Presenter(cue_show_s=2.5, status_after_s=1.0)
    lost = LiveState(exercise="plank", status="Step into view: no person found")
    cues = [Cue(0.5, "Hold it there", 1, "hold")]
    timeline = [(t, *presenter.update(t, lost, cues)) for t in (0.0, 0.5, 0.9, 1.0, 3.0, 3.1)]
    assert [(t, s.status != "", cue) for t, s, cue in timeline] == [
        (0.0, False, ""),  # a cue from the future is not shown yet
        (0.5, False, "Hold it there"),
        (0.9, False, "Hold it there"),
        (1.0, True, "Hold it there"),
        (3.0, True, "Hold it there"),
        (3.1, True, ""),  # 2.6 s after it was given
    ]
