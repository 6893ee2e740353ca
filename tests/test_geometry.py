"""Angle conventions of formcheck.measure.geometry and the back outline of formcheck.measure.spine.

Image coordinates: x right, y down; "up" is -y. The tables state each convention with points a
person can check on paper.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.measure import geometry as g
from formcheck.measure.spine import POINTS, SPAN, back_profile
from formcheck.pose.landmarks import Landmark
from tests import synthetic as syn

P = np.array


# -- joint_angle -------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "c", "angle"), [
    ((0, 0), (1, 0), (2, 0), 180.0),  # straight
    ((0, 0), (1, 0), (1, 1), 90.0),  # right angle below
    ((0, 0), (1, 0), (1, -1), 90.0),  # right angle above: unsigned
    ((0, 0), (1, 0), (0, 0.001), 0.0573),  # folded back
    ((2, 0), (0, 0), (1, math.sqrt(3)), 60.0),
])
def test_joint_angle_is_unsigned_0_to_180(a, b, c, angle) -> None:  # type: ignore[no-untyped-def]
    assert float(g.joint_angle(P(a), P(b), P(c))) == pytest.approx(angle, abs=1e-3)
    assert float(g.joint_angle(P(c), P(b), P(a))) == pytest.approx(angle, abs=1e-3)


# -- signed measures: which side is "up" -------------------------------------------------------


@pytest.mark.parametrize(("a", "p", "c", "offset"), [
    ((0, 0), (5, -2), (10, 0), 2.0),  # above the line (smaller y) -> +
    ((0, 0), (5, 3), (10, 0), -3.0),  # below -> -
    ((10, 0), (5, -2), (0, 0), 2.0),  # the line's direction does not matter
    ((0, 0), (0, 0), (10, 0), 0.0),
])
def test_line_offset_is_positive_above_the_line(a, p, c, offset) -> None:  # type: ignore[no-untyped-def]
    assert float(g.line_offset(P(a), P(p), P(c))) == pytest.approx(offset)


@pytest.mark.parametrize("deg", [5.0, 15.0, 30.0])
@pytest.mark.parametrize("reverse", [False, True])
def test_signed_straightness_sag_is_negative_pike_positive(deg: float, reverse: bool) -> None:
    # a plank from shoulder (a) over the hip (b) to the ankle (c), either way round in the image
    rise = math.tan(math.radians(deg / 2))
    a, c = P([0.0, 0.0]), P([2.0, 0.0])
    if reverse:
        a, c = c, a
    sag = P([1.0, rise])  # hip below the line (towards the floor)
    pike = P([1.0, -rise])
    assert float(g.signed_straightness(a, sag, c)) == pytest.approx(-deg, abs=1e-6)
    assert float(g.signed_straightness(a, pike, c)) == pytest.approx(deg, abs=1e-6)
    assert float(g.extension_angle(a, sag, c)) == pytest.approx(180 - deg, abs=1e-6)
    assert float(g.extension_angle(a, pike, c)) == pytest.approx(180 + deg, abs=1e-6)


def test_extension_angle_of_a_bridge_is_the_hip_angle() -> None:
    lying = syn.bridge_figure(0.0).joints
    top = syn.bridge_figure(syn._bridge_table(150.0).lift_for(180.0), foot_px=150.0).joints
    over = syn.bridge_figure(syn._bridge_table(150.0).lift_for(200.0), foot_px=150.0).joints
    hip = [float(g.extension_angle(j["shoulder"], j["hip"], j["knee"])) for j in (lying, top, over)]
    assert hip[0] == pytest.approx(syn.bridge_rest_deg(150.0), abs=0.01) and hip[0] < 150
    assert hip[1] == pytest.approx(180.0, abs=0.05)
    assert hip[2] == pytest.approx(200.0, abs=0.05)


@pytest.mark.parametrize(("a", "b", "value"), [
    ((0, 0), (1, 0), 0.0),
    ((0, 0), (1, -1), 45.0),  # b higher in the image -> +
    ((0, 0), (1, 1), -45.0),
    ((0, 0), (-1, -1), 45.0),  # direction left or right does not matter
    ((0, 0), (0, -3), 90.0),
])
def test_incline_is_positive_when_b_is_higher(a, b, value) -> None:  # type: ignore[no-untyped-def]
    assert float(g.incline(P(a), P(b))) == pytest.approx(value)
    assert float(g.tilt(P(a), P(b))) == pytest.approx(abs(value))


def test_distance() -> None:
    assert float(g.distance(P([0, 0]), P([3, 4]))) == 5.0


# -- vectorised and NaN-safe -------------------------------------------------------------------


def test_functions_take_a_stack_of_frames_and_give_one_value_per_frame() -> None:
    rng = np.random.default_rng(0)
    a, b, c = (rng.normal(0, 100, (7, 5, 2)) for _ in range(3))
    for fn in (g.joint_angle, g.line_offset, g.signed_straightness, g.extension_angle):
        out = fn(a, b, c)
        assert out.shape == (7, 5)
        assert out[3, 2] == pytest.approx(float(fn(a[3, 2], b[3, 2], c[3, 2])))
    for fn2 in (g.incline, g.tilt, g.distance):
        out = fn2(a, b)
        assert out.shape == (7, 5)
        assert out[6, 4] == pytest.approx(float(fn2(a[6, 4], b[6, 4])))


def test_extra_columns_are_ignored() -> None:
    # landmark rows (x, y, z, visibility) can be passed as they are
    a, b, c = P([0, 0, 5, 0.9]), P([1, 0.1, -3, 0.2]), P([2, 0, 7, 1.0])
    assert float(g.signed_straightness(a, b, c)) == pytest.approx(
        float(g.signed_straightness(a[:2], b[:2], c[:2])))


def test_nan_in_gives_nan_out_without_raising() -> None:
    a = P([[0.0, 0.0], [np.nan, 0.0], [0.0, 0.0]])
    b = P([[1.0, 0.0], [1.0, 0.0], [1.0, np.nan]])
    c = P([[2.0, 1.0], [2.0, 1.0], [2.0, 1.0]])
    with np.errstate(all="raise"):
        for fn in (g.joint_angle, g.line_offset, g.signed_straightness, g.extension_angle):
            out = fn(a, b, c)
            assert np.isfinite(out[0]) and np.isnan(out[1:]).all(), fn.__name__
        for fn2 in (g.incline, g.tilt, g.distance):
            out = fn2(a, b)
            assert np.isfinite(out[0]) and np.isnan(out[1]) and np.isnan(out[2]), fn2.__name__


def test_degenerate_line_gives_nan_offset() -> None:
    assert np.isnan(g.line_offset(P([1.0, 1.0]), P([2.0, 0.0]), P([1.0, 1.0])))


# -- bend_from_profile -------------------------------------------------------------------------


def _arc(bend: float, *, rotate_deg: float = 0.0, length: float = 150.0, n: int = 24) -> np.ndarray:
    """A circular arc of central angle ``bend`` (+ bulging up) on a chord of ``length``."""
    start = P([300.0, 200.0])
    angle = math.radians(rotate_deg)
    end = start + length * P([math.cos(angle), -math.sin(angle)])
    return syn.back_arc(start, end, bend, points=n, height_px=0.0)


@pytest.mark.parametrize("bend", [-40.0, -20.0, -8.0, 0.0, 5.0, 12.0, 25.0, 40.0])
@pytest.mark.parametrize("rotate", [0.0, 15.0, -20.0, 180.0])
def test_bend_of_a_circular_arc_is_its_central_angle(bend: float, rotate: float) -> None:
    measured = g.bend_from_profile(_arc(bend, rotate_deg=rotate))
    assert measured == pytest.approx(bend, abs=0.04 * abs(bend) + 0.05)
    assert np.sign(measured) == np.sign(bend) or bend == 0


def test_bend_grows_with_the_arc_and_flips_sign_when_it_sags() -> None:
    bends = [g.bend_from_profile(_arc(b)) for b in (-30, -15, 0, 15, 30)]
    assert bends == sorted(bends)
    assert bends[0] == pytest.approx(-bends[-1])


def test_bend_ignores_missing_points_and_needs_five() -> None:
    arc = _arc(20.0)
    holed = arc.copy()
    holed[[3, 9, 15]] = np.nan
    assert g.bend_from_profile(holed) == pytest.approx(g.bend_from_profile(arc), abs=0.5)
    few = np.full_like(arc, np.nan)
    few[:4] = arc[:4]
    assert math.isnan(g.bend_from_profile(few))
    assert math.isnan(g.bend_from_profile(np.full((10, 2), 5.0)))  # no chord


# -- sagittal angles in 3-D ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(g, "sagittal_angle"), reason="no 3-D angles in this version")
@pytest.mark.parametrize("facing", ["right", "left"])
def test_sagittal_hip_angle_of_the_synthetic_bridge_is_the_drawn_one(facing: str) -> None:
    lift = syn._bridge_table(150.0).lift_for(195.0)
    fig = syn.bridge_figure(lift, foot_px=150.0)
    series = syn.render(syn.Motion("x", 0.0, lambda t: fig), fps=10, facing=facing)  # type: ignore[arg-type]
    w = series.world[0].astype(np.float64)
    lateral = w[Landmark.LEFT_HIP] - w[Landmark.RIGHT_HIP]
    side = "RIGHT" if facing == "right" else "LEFT"
    s, h, k = (w[Landmark[f"{side}_{n}"]] for n in ("SHOULDER", "HIP", "KNEE"))
    assert float(g.sagittal_angle(s, h, k, lateral)) == pytest.approx(195.0, abs=0.05)


# -- back_profile on a synthetic mask ------------------------------------------------------------


def _mask_and_pose(bend: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A person-shaped mask whose upper edge is a circular arc over a horizontal trunk."""
    height, width = 400, 600
    shoulder, hip = P([450.0, 250.0]), P([150.0, 250.0])
    top = syn.back_arc(shoulder, hip, bend, points=400, height_px=40.0)
    ys, xs = np.mgrid[0:height, 0:width]
    order = np.argsort(top[:, 0])
    edge = np.interp(xs[0], top[order, 0], top[order, 1], left=np.nan, right=np.nan)
    mask = ((ys >= edge[None, :]) & (ys <= 300)).astype(np.float32)
    pose = np.full((33, 4), np.nan, np.float32)
    for lm, p in ((Landmark.LEFT_SHOULDER, shoulder), (Landmark.RIGHT_SHOULDER, shoulder),
                  (Landmark.LEFT_HIP, hip), (Landmark.RIGHT_HIP, hip)):
        pose[lm] = [*p, 0.0, 0.95]
    return mask, pose, top


@pytest.mark.parametrize("bend", [-25.0, 0.0, 20.0])
def test_back_profile_follows_the_upper_edge_of_the_mask(bend: float) -> None:
    mask, pose, top = _mask_and_pose(bend)
    profile = back_profile(mask, pose)
    assert profile.shape == (POINTS, 2)
    assert np.isfinite(profile).all()
    order = np.argsort(top[:, 0])
    edge_y = np.interp(profile[:, 0], top[order, 0], top[order, 1])
    np.testing.assert_allclose(profile[:, 1], edge_y, atol=1.5)
    # samples run along the middle SPAN of the shoulder-hip axis
    assert profile[0, 0] == pytest.approx(450 - SPAN[0] * 300, abs=1.0)
    assert profile[-1, 0] == pytest.approx(450 - SPAN[1] * 300, abs=1.0)


@pytest.mark.parametrize("bend", [-25.0, 20.0])
def test_bend_of_the_profile_is_the_bend_of_the_sampled_part_of_the_back(bend: float) -> None:
    mask, pose, _ = _mask_and_pose(bend)
    measured = g.bend_from_profile(back_profile(mask, pose))
    # the profile covers SPAN of the back, so it turns by that share of the arc's angle
    share = SPAN[1] - SPAN[0]
    assert measured == pytest.approx(bend * share, abs=0.1 * abs(bend * share) + 1.0)


def test_back_profile_is_nan_without_shoulders_or_hips() -> None:
    mask, pose, _ = _mask_and_pose(10.0)
    pose[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 3] = 0.1  # not visible enough
    assert np.isnan(back_profile(mask, pose)).all()
    mask_empty = np.zeros_like(mask)
    _, pose, _ = _mask_and_pose(10.0)
    assert np.isnan(back_profile(mask_empty, pose)).all()
