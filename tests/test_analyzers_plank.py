"""Forearm plank analyzer, specified by synthetic side-view recordings and the events expected.

Each recording lies prone on the forearms for 2 s, lifts into the plank in 0.4 s, holds, and
lowers in 0.4 s (tests/synthetic.py). A hold is expected to cover the time in the plank and
at most the movements into and out of it (within 0.3 s); a fault from the moment the designed
measure crosses its documented default threshold
(``sag_deg``, ``pike_deg``, ``head_drop_deg``; knees_down when the knees reach the floor).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import Analysis, PlankAnalyzer, analyze_series
from formcheck.analysis.events import Exercise
from formcheck.analysis.feedback import Coach
from formcheck.analysis.plank import HEAD_OUT_OF_PICTURE, KNEES_DOWN_SAY_S, plank_measures
from formcheck.config import Config, FeedbackConfig
from formcheck.live.routine import RoutineStep, _hold_broke, achieved
from formcheck.measure.signals import POINT_NAMES, SideView
from formcheck.pose.landmarks import PoseSeries
from formcheck.report.report import build_report
from tests import synthetic as syn

CFG = Config().plank
FPS = 10
ramps = syn.ramps

MOTIONS: dict[str, Callable[[], syn.Motion]] = {
    # the plank runs from 2.4 s to 14.4 s
    "good": lambda: syn.plank(12.0),
    "natural_pike": lambda: syn.plank(12.0, alignment=12.0),
    "slight_sag": lambda: syn.plank(12.0, alignment=-6.0),
    "sag_from_start": lambda: syn.plank(12.0, alignment=-14.0),
    "gradual_sag": lambda: syn.plank(12.0, alignment=ramps(0, (5, 13, -14))),
    "sag_and_recover": lambda: syn.plank(12.0, alignment=ramps(0, (5, 6.5, -15), (10, 11.5, 0))),
    "pike": lambda: syn.plank(12.0, alignment=ramps(0, (5, 6.5, 30), (10, 11.5, 0))),
    "head_drop": lambda: syn.plank(12.0, head_drop=ramps(0, (5, 6, 35), (10, 11, 0))),
    # the hold ends at 2 + 0.4 + 10 = 12.4 s: knees go down from 11.8 s and stay, then lower
    "knees_first_way_out": lambda: syn.plank(10.0, knees=ramps(0, (11.8, 12.2, 1))),
    # knees down from 6-7 s to 11-12 s: a rest on the knees between two holds
    "knees_drop_shins_15": lambda: syn.plank(12.0, knees=ramps(0, (6, 7, 1), (11, 12, 0)),
                                             knee_shin_tilt_deg=15.0),
    "knees_drop_shins_25": lambda: syn.plank(12.0, knees=ramps(0, (6, 7, 1), (11, 12, 0)),
                                             knee_shin_tilt_deg=25.0),
    # knees down with the hips folding back over them (hip ~130 deg), then back up
    "knees_drop_hips_fold": lambda: syn.plank(
        12.0, knees=ramps(0, (6, 7, 1), (11, 12, 0)), alignment=ramps(0, (6, 7, 50), (11, 12, 0))),
    # knees down and hips folded at 8-9 s, kneeling there until lowering at 12.4 s
    "kneel_to_rest": lambda: syn.plank(
        10.0, knees=ramps(0, (8, 9, 1)), alignment=ramps(0, (8, 9, 50))),
    "knee_plank_shins_15": lambda: syn.plank(10.0, knees=1.0, knee_shin_tilt_deg=15.0),
    "knee_plank_shins_25": lambda: syn.plank(10.0, knees=1.0, knee_shin_tilt_deg=25.0),
    "knee_plank_shins_flat": lambda: syn.plank(10.0, knees=1.0, knee_shin_tilt_deg=3.0),
    "sag_at_threshold": lambda: syn.plank(12.0, alignment=ramps(0, (4, 5, -11.5), (10, 11, 0))),
    "short_attempt": lambda: syn.plank(1.2),
    "prone": lambda: syn.prone(8.0),
    "standing": lambda: syn.standing(6.0),
    "short_sag": lambda: syn.plank(6.0, lead_s=1.0, tail_s=0.5, alignment=ramps(0, (2, 5, -14))),
    "two_holds": lambda: syn.sequence(syn.plank(8.0, tail_s=2.0), syn.plank(8.0, lead_s=1.0)),
}


@functools.cache
def motion(name: str) -> syn.Motion:
    return MOTIONS[name]()


@functools.cache
def series_of(name: str, fps: float = FPS, facing: str = "right", jitter_px: float = 0.0,
              dropouts: tuple[tuple[float, float], ...] = (), mode: str = "nan") -> PoseSeries:
    return syn.render(motion(name), fps=fps, facing=facing, jitter_px=jitter_px,  # type: ignore[arg-type]
                      dropouts=dropouts, dropout_mode=mode, seed=3)  # type: ignore[arg-type]


@functools.cache
def analysis_of(name: str, fps: float = FPS, facing: str = "right", jitter_px: float = 0.0,
                dropouts: tuple[tuple[float, float], ...] = (), mode: str = "nan") -> Analysis:
    series = series_of(name, fps, facing, jitter_px, dropouts, mode)
    return analyze_series(series, "plank")


def analysed(name: str, fps: float = FPS, facing: str = "right", jitter_px: float = 0.0,
             dropouts: tuple[tuple[float, float], ...] = (), mode: str = "nan") -> dict[str, Any]:
    """The set's report block."""
    return analysis_of(name, fps, facing, jitter_px, dropouts, mode).sets[0]


def designed_hold(m: syn.Motion) -> tuple[float, float]:
    """When the body is in the plank."""
    hold = m.truth["holds"][0]
    return hold["start_s"], hold["end_s"]


def assert_hold_matches(hold: dict[str, Any], truth: dict[str, float], tol: float = 0.3) -> None:
    """The hold covers the plank, and at most the movements into and out of it, within ``tol``."""
    assert truth["outer_start_s"] - tol <= hold["start_s"] <= truth["start_s"] + tol
    assert truth["end_s"] - tol <= hold["end_s"] <= truth["outer_end_s"] + tol
    assert hold["duration_s"] == pytest.approx(hold["end_s"] - hold["start_s"], abs=0.01)


def designed_fault(m: syn.Motion, kind: str) -> tuple[float, float]:
    """(start, end) of the designed fault within the plank (end = end of the plank if it lasts)."""
    hold = m.truth["holds"][0]
    a, b = hold["start_s"], hold["end_s"]
    signal, test = {
        "hips_sagging": (m.signal, lambda v: v < -CFG.sag_deg),
        "hips_piked": (m.signal, lambda v: v > CFG.pike_deg),
        "head_dropping": (m.truth["head"], lambda v: v > CFG.head_drop_deg),
        "knees_down": (m.truth["knees"], lambda v: v >= 0.5),
    }[kind]
    return syn.first_time(signal, test, a, b, 0.005), syn.last_time(signal, test, a, b, 0.005)


# -- the stick figure itself -------------------------------------------------------------------


@pytest.mark.parametrize("alignment", [-15.0, -6.0, 0.0, 12.0, 30.0])
def test_figure_alignment_and_segments_are_what_was_asked(alignment: float) -> None:
    figure = syn.plank_figure(alignment, head_drop_deg=25.0)
    measured = syn.measure_of(figure)
    assert measured["alignment_deg"] == pytest.approx(alignment, abs=0.01)
    assert measured["head_drop_deg"] == pytest.approx(25.0, abs=0.01)
    j = figure.joints
    assert np.hypot(*(j["shoulder"] - j["hip"])) == pytest.approx(syn.BODY.trunk)
    assert j["ankle"][1] == pytest.approx(syn.FLOOR_Y - 25.0, abs=0.01)  # toes on the floor
    assert j["elbow"][1] > j["shoulder"][1]  # on the forearms


# -- holds and faults --------------------------------------------------------------------------

CASES = [
    # name, kind of hold, warnings expected
    ("good", "plank", []),
    ("natural_pike", "plank", []),
    ("slight_sag", "plank", []),
    ("sag_from_start", "plank", ["hips_sagging"]),
    ("gradual_sag", "plank", ["hips_sagging"]),
    ("sag_and_recover", "plank", ["hips_sagging"]),
    ("pike", "plank", ["hips_piked"]),
    ("head_drop", "plank", ["head_dropping"]),
    ("knee_plank_shins_15", "knee_plank", []),
    ("knee_plank_shins_25", "knee_plank", []),
    ("knee_plank_shins_flat", "knee_plank", []),
]


@pytest.mark.parametrize(("name", "kind", "warnings"), CASES, ids=[c[0] for c in CASES])
def test_one_hold_of_the_right_kind_with_exactly_the_expected_warnings(
        name: str, kind: str, warnings: list[str]) -> None:
    result = analysed(name)
    assert [h["kind"] for h in result["holds"]] == [kind]
    assert [w["type"] for w in result["warnings"]] == warnings
    hold = result["holds"][0]
    assert_hold_matches(hold, motion(name).truth["holds"][0])
    assert not hold["open"]


@pytest.mark.parametrize("name", ["sag_from_start", "gradual_sag", "sag_and_recover", "pike",
                                  "head_drop"])
def test_fault_onset_and_end_within_a_second(name: str) -> None:
    result = analysed(name)
    (warning,) = result["warnings"]
    start, end = designed_fault(motion(name), warning["type"])
    assert warning["start_s"] == pytest.approx(start, abs=1.0)
    hold_end = result["holds"][0]["end_s"]
    assert warning["end_s"] == pytest.approx(min(end, hold_end), abs=1.0)
    events = analysis_of(name).events
    (started,) = [e for e in events if e.kind == "fault_started"]
    assert started.data["type"] == warning["type"]
    # confirmed within a second of the onset; knees down are announced once they have stayed
    # down KNEES_DOWN_SAY_S (before that they may be the way out of the plank)
    # (counted from when they were seen going down, which may be a little before the designed
    # onset)
    delay = KNEES_DOWN_SAY_S if warning["type"] == "knees_down" else 0.0
    assert start + max(0.0, delay - 0.5) <= started.t_s <= start + delay + 1.0


@pytest.mark.parametrize("name", ["good", "sag_from_start", "gradual_sag", "sag_and_recover",
                                  "pike"])
def test_hold_and_good_form_time_within_0_3_s(name: str) -> None:
    m = motion(name)
    truth = m.truth["holds"][0]
    result = analysed(name)
    (hold,) = result["holds"]
    assert_hold_matches(hold, truth)
    bad = 0.0  # designed time with a fault, within the measured hold
    for kind in ("hips_sagging", "hips_piked"):
        a, b = designed_fault(m, kind)
        if np.isfinite(a):
            lasts = b >= truth["end_s"] - 0.01  # until the plank is left: to the hold's end
            bad += (hold["end_s"] if lasts else b) - a
    summary = result["summary"]
    assert summary["hold_s"] == pytest.approx(hold["duration_s"], abs=0.01)
    # 0.4 s: a plank that sags from the start may be caught a few frames before the designed
    # crossing of the threshold (while the body settles into the hold)
    assert summary["good_form_s"] == pytest.approx(hold["duration_s"] - bad, abs=0.4)


def test_good_plank_raises_no_fault_event_and_reports_its_alignment() -> None:
    analysis = analysis_of("good")
    kinds = [e.kind for e in analysis.events]
    assert kinds == ["hold_started", "hold_ended"]
    summary = analysis.sets[0]["summary"]
    assert summary["median_alignment_deg"] == pytest.approx(0.0, abs=0.5)
    assert summary["longest_good_s"] == pytest.approx(summary["hold_s"], abs=1e-6)


def test_a_head_out_of_the_picture_is_said_and_not_judged() -> None:
    # a camera too close: the plank shifted so that the ears (which MediaPipe still places)
    # lie past the picture's right edge; the hold is timed as before, the head is not judged
    # (not even while it drops), and the live status says why
    m = syn.plank(12.0, head_drop=ramps(0, (5, 6, 35), (10, 11, 0)))
    series = syn.render(m, fps=FPS)
    ears = series.landmarks[:, [7, 8], 0]
    shift = series.image_size[0] + 5 - float(np.nanmin(ears))
    moved = series.landmarks.copy()
    moved[:, :, 0] += shift
    close = PoseSeries(
        series.timestamps_ms, moved, series.world, series.image_size, back=series.back
    )
    start, end = designed_hold(m)
    for name, frames in (("in view", series), ("head out", close)):
        analyzer = PlankAnalyzer()
        statuses = []
        for frame in frames:
            analyzer.update(frame)
            t = frame.timestamp_ms / 1000
            if start + CFG.min_hold_s + 0.3 < t < end - 0.3:
                assert analyzer.state.phase == "holding"
                statuses.append(analyzer.state.status)
        analyzer.finish()
        result = analyzer.result()
        (hold,) = result["holds"]
        assert_hold_matches(hold, m.truth["holds"][0])
        types = [w["type"] for w in result["warnings"]]
        if name == "in view":
            assert set(statuses) == {""} and types == ["head_dropping"]
        else:
            assert set(statuses) == {HEAD_OUT_OF_PICTURE} and types == []


def test_live_state_times_the_hold_while_it_runs() -> None:
    analyzer = PlankAnalyzer()
    start, end = designed_hold(motion("good"))
    for frame in series_of("good"):
        analyzer.update(frame)
        t = frame.timestamp_ms / 1000
        state = analyzer.state
        if start + CFG.min_hold_s + 0.3 < t < end - 0.3:
            assert state.hold_s == pytest.approx(t - start, abs=0.3)
            assert state.phase == "holding" and state.status == ""
            assert state.measure == pytest.approx(0.0, abs=0.5)
        if t < start - 0.3:
            assert state.hold_s == 0.0 and state.status


def test_two_holds_are_two_holds() -> None:
    result = analysed("two_holds")
    parts = motion("two_holds").truth["parts"]
    assert len(result["holds"]) == 2
    for hold, part in zip(result["holds"], parts, strict=True):
        assert_hold_matches(hold, part["truth"]["holds"][0])


@pytest.mark.parametrize("name", ["short_attempt", "prone", "standing"])
def test_no_hold_without_a_plank_held_long_enough(name: str) -> None:
    result = analysed(name)
    assert result["holds"] == []
    assert result["summary"]["hold_s"] == 0
    assert result["warnings"] == []


# -- robustness --------------------------------------------------------------------------------


def test_jitter_on_a_good_plank_raises_no_warning() -> None:
    result = analysed("good", jitter_px=1.5)
    assert len(result["holds"]) == 1
    assert result["warnings"] == []
    assert result["summary"]["good_form_s"] == pytest.approx(result["summary"]["hold_s"])


def test_jitter_right_at_the_sag_threshold_gives_one_warning() -> None:
    # the hips sit 1.5 deg past the sag threshold for 6 s while every landmark jitters
    result = analysed("sag_at_threshold", jitter_px=1.5)
    assert len(result["holds"]) == 1
    assert [w["type"] for w in result["warnings"]] == ["hips_sagging"]
    start, end = designed_fault(motion("sag_at_threshold"), "hips_sagging")
    assert result["warnings"][0]["start_s"] == pytest.approx(start, abs=1.0)
    assert result["warnings"][0]["end_s"] == pytest.approx(end, abs=1.0)


@pytest.mark.parametrize(("dropout", "mode"), [((8.0, 8.3), "nan"), ((8.0, 8.8), "invisible")],
                         ids=["0.3s_nobody", "0.8s_invisible"])
def test_short_dropouts_do_not_break_the_hold(dropout: tuple[float, float], mode: str) -> None:
    clean = analysed("good")
    result = analysed("good", dropouts=(dropout,), mode=mode)
    assert len(result["holds"]) == 1
    assert result["summary"]["hold_s"] == pytest.approx(clean["summary"]["hold_s"], abs=0.3)
    assert result["warnings"] == []


def test_long_dropout_is_reported_and_not_counted_as_holding() -> None:
    gap = (8.0, 11.0)
    series = series_of("good", dropouts=(gap,))
    analyzer = PlankAnalyzer()
    inside = []
    for frame in series:
        analyzer.update(frame)
        t = frame.timestamp_ms / 1000
        if gap[0] + Config().quality.max_bridged_gap_s + CFG.hold_grace_s + 0.1 < t < gap[1]:
            inside.append(analyzer.state)
    analyzer.finish()
    assert inside and all(s.status for s in inside), "status must say why nothing is measured"
    assert all(s.hold_s == 0.0 for s in inside)
    result = analyzer.result()
    clean = analysed("good")["summary"]["hold_s"]
    unseen = gap[1] - gap[0]
    assert clean - unseen - 0.3 <= result["summary"]["hold_s"] <= clean - unseen + 0.7
    gaps = build_report(series, [result])["coverage"]["gaps"]
    assert gaps == [pytest.approx([gap[0], gap[1]], abs=1 / FPS)]


# -- invariances -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["short_sag"])
def test_frame_rate_does_not_change_holds_or_good_form_time(name: str) -> None:
    reference = analysed(name, fps=60)
    for fps in (10, 15, 30):
        result = analysed(name, fps=fps)
        assert len(result["warnings"]) == 1
        assert len(result["holds"]) == len(reference["holds"]) == 1
        assert [w["type"] for w in result["warnings"]] == [w["type"] for w in reference["warnings"]]
        for key in ("hold_s", "good_form_s"):
            # within a frame, or 0.1 s where a deepening sag ends the hold (the smoothing
            # lags a little differently at each rate)
            assert result["summary"][key] == pytest.approx(reference["summary"][key],
                                                           abs=max(1 / fps, 0.1) + 1e-3), (fps, key)


@pytest.mark.parametrize("name", ["gradual_sag", "head_drop"])
def test_facing_left_or_right_gives_the_same_result(name: str) -> None:
    right, left = analysed(name), analysed(name, facing="left")
    assert left["holds"] == right["holds"]
    assert [w["type"] for w in left["warnings"]] == [w["type"] for w in right["warnings"]]
    for a, b in zip(left["warnings"], right["warnings"], strict=True):
        assert a["start_s"] == pytest.approx(b["start_s"], abs=1e-3)
        assert a["end_s"] == pytest.approx(b["end_s"], abs=1e-3)


def test_coming_down_knees_first_is_the_end_of_the_hold_not_a_fault() -> None:
    result = analysed("knees_first_way_out")
    (hold,) = result["holds"]
    assert result["warnings"] == []
    assert hold["kind"] == "plank"
    # the hold ends when the knees go down (11.8-12.2 s), not after the lowering
    assert 11.6 <= hold["end_s"] <= 12.3
    assert hold["good_form_s"] == pytest.approx(hold["duration_s"], abs=0.01)


def test_kneeling_back_to_rest_ends_the_hold_where_the_knees_went_down() -> None:
    result = analysed("kneel_to_rest")
    (hold,) = result["holds"]
    assert result["warnings"] == []
    assert hold["kind"] == "plank"
    # knees reach the floor line between 8 and 9 s; the kneeling after that is not plank time
    assert 7.8 <= hold["end_s"] <= 9.0
    assert hold["start_s"] == pytest.approx(2.4, abs=0.5)


@pytest.mark.parametrize("fps", [15, 30, 60])
@pytest.mark.parametrize("move_s", [1.5, 3.0])
def test_a_slow_way_in_and_out_is_not_hold_time(move_s: float, fps: int) -> None:
    # lifting into the plank and lowering out of it over seconds (slower than the speed limit
    # of getting into position): the hold is the time in the position held; of the eased
    # movement on either side at most its last third (its slow, nearly-there end) may count
    m = syn.plank(10.0, get_up_s=move_s, lower_s=move_s)
    truth = m.truth["holds"][0]
    (hold,) = analyze_series(syn.render(m, fps=fps), "plank").sets[0]["holds"]
    assert truth["start_s"] - move_s / 3 <= hold["start_s"] <= truth["start_s"] + 0.35
    assert truth["end_s"] - 0.35 <= hold["end_s"] <= truth["end_s"] + move_s / 3


def _view_with(image_line_deg: float, world_pike_m: float, lateral_tilt: float) -> SideView:
    """A side view whose image line bends by ``image_line_deg`` at the hip while the world
    landmarks put the hip ``world_pike_m`` off the shoulder-ankle line, with the body's
    left-right axis tilted ``lateral_tilt`` degrees into the camera's vertical."""
    nan = np.full(2, np.nan)
    points = {name: nan for name in POINT_NAMES}
    drop = 300.0 * np.tan(np.radians(image_line_deg / 2))
    points |= {
        "shoulder": np.array([100.0, 300.0]),
        "elbow": np.array([100.0, 360.0]),
        "hip": np.array([400.0, 300.0 + drop]),
        "knee": np.array([550.0, 300.0 + drop / 2]),
        "ankle": np.array([700.0, 300.0]),
    }
    lateral = np.array([0.0, np.sin(np.radians(lateral_tilt)), np.cos(np.radians(lateral_tilt))])
    along = np.array([1.0, 0.0, 0.0])
    up = np.cross(lateral, along)
    world = {
        "shoulder": -0.7 * along,
        "elbow": -0.7 * along - 0.3 * up,
        "hip": world_pike_m * up,
        "knee": 0.45 * along + world_pike_m / 2 * up,
        "ankle": 0.9 * along,
    }
    return SideView(0.0, "right", points, dict(points), world=world, lateral=lateral)


def test_alignment_follows_the_image_from_a_low_camera_and_the_world_from_above() -> None:
    # MediaPipe's world landmarks lean a few degrees one way or the other with the side facing
    # the camera, while its image line is close from a low camera; from a camera looking down
    # on the body the image foreshortens the line and the world landmarks are the better read
    cfg = Config().plank
    world_only = plank_measures(_view_with(0.0, 0.08, 30.0), cfg, camera_tilt_deg=90.0)
    pike = world_only["alignment_deg"]
    assert abs(pike) > 8  # the world landmarks disagree with the straight image line
    low = plank_measures(_view_with(0.0, 0.08, 2.0), cfg)
    high = plank_measures(_view_with(0.0, 0.08, 30.0), cfg)
    assert low["alignment_deg"] == pytest.approx(0.0, abs=0.01) and low["world_share"] == 0.0
    assert high["alignment_deg"] == pytest.approx(pike, abs=0.01) and high["world_share"] == 1.0
    middle = (cfg.image_angle_below_tilt_deg + cfg.world_angle_above_tilt_deg) / 2
    half = plank_measures(_view_with(0.0, 0.08, 2.0), cfg, camera_tilt_deg=middle)
    assert half["world_share"] == pytest.approx(0.5)
    # without world landmarks the image line is all there is
    bare = _view_with(12.0, 0.08, 2.0)
    bare = SideView(0.0, "right", bare.points, bare.other)
    bare_alignment = plank_measures(bare, cfg, camera_tilt_deg=90.0)["alignment_deg"]
    assert abs(bare_alignment) == pytest.approx(12.0, abs=0.01)


def test_knees_first_on_the_way_out_raise_no_fault_event_or_cue() -> None:
    # coming down knees first ends the plank: neither a fault event nor a "lift your knees" cue
    analysis = analysis_of("knees_first_way_out")
    assert [e.kind for e in analysis.events] == ["hold_started", "hold_ended"]
    assert all(c.kind != "knees_down" for c in analysis.cues)


@pytest.mark.parametrize("name", ["knees_drop_shins_15", "knees_drop_shins_25",
                                  "knees_drop_hips_fold"])
def test_a_rest_on_the_knees_mid_plank_ends_the_hold_and_getting_up_starts_another(
        name: str) -> None:
    # knees down from 6-7 s to 11-12 s (issue 15: before, one hold with a knees_down warning):
    # two forearm-plank holds, the first ending where the knees went down, the second starting
    # once the body is back up; the rest is neither a hold, a fault event nor a cue
    result = analysed(name)
    assert [h["kind"] for h in result["holds"]] == ["plank", "plank"]
    assert result["warnings"] == []
    first, second = result["holds"]
    assert first["start_s"] == pytest.approx(2.4, abs=0.3)
    assert 5.8 <= first["end_s"] <= 7.0
    assert 11.0 <= second["start_s"] <= 12.3
    assert second["end_s"] == pytest.approx(14.4, abs=0.3)
    analysis = analysis_of(name)
    assert [e.kind for e in analysis.events] == ["hold_started", "hold_ended"] * 2
    assert all(c.kind != "knees_down" for c in analysis.cues)


# -- rests on the knees (issue 15): as a physiotherapist counts holds ------------------------

REST_FPS = [15, 30, 60]


@pytest.mark.parametrize("fps", REST_FPS)
@pytest.mark.parametrize("rest_s", [0.5, 3.0, 6.0])
def test_knees_down_longer_than_the_grace_end_the_hold_and_getting_up_starts_a_new_one(
        rest_s: float, fps: int) -> None:
    m = syn.plank_knee_rest(rest_s)
    result = analyze_series(syn.render(m, fps=fps), "plank").sets[0]
    first, second = m.truth["holds"]
    down, back = m.truth["knees_down"]
    holds = result["holds"]
    assert {h["kind"] for h in holds} == {"plank"}
    if rest_s < CFG.hold_grace_s:
        # a brief touch-down: one hold, with the knees_down warning where they touched down
        (hold,) = holds
        assert_hold_matches(hold, first | {"end_s": second["end_s"],
                                           "outer_end_s": second["outer_end_s"]})
        (warning,) = result["warnings"]
        assert warning["type"] == "knees_down"
        assert down - 0.2 <= warning["start_s"] and warning["end_s"] <= back + 0.2
    else:
        # two holds: the first ends where the knees went down, the second starts once the body
        # is back up; the rest between them is no hold, and no fault of either
        assert len(holds) == 2
        for hold, truth in zip(holds, m.truth["holds"], strict=True):
            assert_hold_matches(hold, truth)
        assert result["warnings"] == []
        assert result["summary"]["hold_s"] == pytest.approx(
            sum(t["end_s"] - t["start_s"] for t in m.truth["holds"]), abs=0.6)


@pytest.mark.parametrize("rest_s", [0.5, 3.0])
def test_the_rest_on_the_knees_is_shown_as_a_rest_and_never_cued(rest_s: float) -> None:
    # live: while resting on the knees after a hold there is no hold running, the phase says
    # "resting", no "get into a plank" status is spoken and no "lift your knees" cue is given
    m = syn.plank_knee_rest(rest_s)
    series = syn.render(m, fps=30)
    analysis = analyze_series(series, "plank")
    assert all(c.kind != "knees_down" for c in analysis.cues)
    assert [e.kind for e in analysis.events if e.kind.startswith("fault")] == []
    rest_start, rest_end = m.truth["rest"]
    analyzer = PlankAnalyzer()
    during = []
    for frame in series:
        analyzer.update(frame)
        t = frame.timestamp_ms / 1000
        if rest_start + CFG.hold_grace_s + 0.2 < t < rest_end:
            during.append(analyzer.state)
    if rest_s < CFG.hold_grace_s:
        assert during == []
        return
    assert during
    assert all(s.hold_s == 0.0 and s.phase == "resting" and s.status == "" for s in during)
    assert all(s.count == 1 for s in during)


def test_a_knee_plank_throughout_stays_one_knee_plank_hold() -> None:
    for fps in REST_FPS:
        m = syn.plank(12.0, knees=1.0, knee_shin_tilt_deg=15.0)
        result = analyze_series(syn.render(m, fps=fps), "plank").sets[0]
        (hold,) = result["holds"]
        assert hold["kind"] == "knee_plank"
        assert_hold_matches(hold, m.truth["holds"][0])
        assert result["warnings"] == []


@pytest.mark.parametrize("fps", REST_FPS)
@pytest.mark.parametrize(("lift_s", "move_s"), [(0.5, 0.25), (1.5, 0.25), (3.0, 0.25),
                                               (4.5, 1.2), (None, 0.5), (None, 1.2)],
                         ids=["0.5s", "1.5s", "3s", "4.5s_slow", "stays_up", "stays_up_slow"])
def test_a_knee_plank_that_goes_up_onto_the_toes_is_a_knee_plank_then_a_plank(
        fps: int, lift_s: float | None, move_s: float) -> None:
    # a beginner starts on the knees and, 8 s in, lifts them into a forearm plank (a
    # progression): the knee plank ends where the knees lift and the plank is a hold of its
    # own, so its time is there for the progression rule (before: one 18 s knee plank). Lifted
    # for less than a hold's minimum and put back down, the knees leave one knee plank; lifted
    # for longer and put back down, the plank is followed by a knee plank again (the person's
    # own level, not a rest after a forearm plank: before, those seconds were lost). The knees
    # move in ``move_s``: moved slowly (1.2 s, as the renderer has it) they are unsettled for
    # longer than the grace, which is still no way out of the plank
    lift = 10.0
    if lift_s is None:
        knees = ramps(1.0, (lift, lift + move_s, 0.0))
    else:
        down = lift + lift_s
        knees = ramps(1.0, (lift, lift + move_s, 0.0), (down - move_s, down, 1.0))
    m = syn.plank(18.0, knees=knees, knee_shin_tilt_deg=15.0)
    analysis = analyze_series(syn.render(m, fps=fps), "plank")
    result = analysis.sets[0]
    (truth,) = m.truth["holds"]
    assert result["warnings"] == []
    holds = result["holds"]
    if lift_s is not None and lift_s < CFG.min_hold_s:
        (hold,) = holds
        assert hold["kind"] == "knee_plank" and hold["continues"] is False
        assert_hold_matches(hold, truth)
        assert [e.kind for e in analysis.events] == ["hold_started", "hold_ended"]
        return
    if lift_s is None:
        assert [h["kind"] for h in holds] == ["knee_plank", "plank"]
        knee, plank = holds
        assert_hold_matches(knee, truth | {"end_s": lift, "outer_end_s": lift + move_s})
        assert_hold_matches(plank, truth | {"start_s": lift + move_s, "outer_start_s": lift})
        nexts = ["plank", None]
    else:
        assert [h["kind"] for h in holds] == ["knee_plank", "plank", "knee_plank"]
        knee, plank, again = holds
        down = lift + lift_s
        assert_hold_matches(knee, truth | {"end_s": lift, "outer_end_s": lift + move_s})
        assert_hold_matches(plank, {"outer_start_s": lift, "start_s": lift + move_s,
                                    "end_s": down - move_s, "outer_end_s": down})
        assert_hold_matches(again, truth | {"start_s": down, "outer_start_s": down - move_s})
        # the whole plank but the way up (in neither hold: the knee plank ends where the knees
        # began to straighten)
        whole = truth["end_s"] - truth["start_s"]
        assert result["summary"]["hold_s"] == pytest.approx(whole - move_s, abs=0.8)
        nexts = ["plank", "knee_plank", None]
    assert [e.kind for e in analysis.events] == ["hold_started", "hold_ended"] * len(holds)
    # a hold that goes on as another says so: the guided routine's plank step goes on (its
    # hold did not break) and the coach says no "Rest" there, only when the last one ends
    ends = [e for e in analysis.events if e.kind == "hold_ended"]
    assert [e.data.get("next") for e in ends] == nexts
    assert [_hold_broke(SimpleNamespace(events=[e])) for e in ends] == [n is None for n in nexts]
    # ... and counts the holds it went on from towards the step's achievement
    assert [h["continues"] for h in holds] == [False] + [True] * (len(holds) - 1)
    step = RoutineStep(Exercise.PLANK, "Knee plank", target_hold_s=30.0)
    assert achieved(step, [result]) == pytest.approx(result["summary"]["hold_s"], abs=0.01)
    # live: each hold is shown as what it is, the timer runs on through the changes (the body
    # stays in a plank: the hold target, its countdown and the routine's step count it all),
    # and the knees are never cued
    analyzer, coach = PlankAnalyzer(), Coach(FeedbackConfig(cooldown_s=0.0, min_gap_s=0.0))
    phases, cues, timer = [], [], []
    for frame in syn.render(m, fps=fps):
        events = analyzer.update(frame)
        phase = analyzer.state.phase
        timer.append((frame.timestamp_ms / 1000, analyzer.state.hold_s))
        if phase and (not phases or phases[-1] != phase):
            phases.append(phase)
        cue = coach.update(frame.timestamp_ms / 1000, events, analyzer.state)
        if cue is not None:
            cues.append(cue)
    expected = {"knee_plank": "knee plank", "plank": "holding"}
    assert phases == [expected[h["kind"]] for h in holds]
    assert [c.text for c in cues if c.kind == "hold"] == ["Hold it there"] * len(holds) + ["Rest"]
    assert all(c.kind != "knees_down" for c in cues)
    assert max(h for _, h in timer) == pytest.approx(truth["end_s"] - truth["start_s"], abs=0.8)
    # never back to zero once running until the last hold's end, but for the moment (under a
    # hold's minimum) a knee plank again takes to start
    first = next(t for t, h in timer if h > 0)
    running = [h for t, h in timer if first <= t < holds[-1]["end_s"] - 0.1]
    assert sum(1 for h in running if h == 0.0) / fps <= CFG.min_hold_s

# -- strong pikes are planks; downward dog and kneeling are not (issue 15) ---------------------

#: pike (deg) -> knee bend (deg) it pulls with the toes on the floor
PIKES = {20.0: 0.0, 23.0: 10.0, 30.0: 20.0, 45.0: 35.0}


def piked_plank(pike_deg: float, *, straight_legs: bool = False) -> syn.Motion:
    """A straight forearm plank whose hips rise into a pike from 6 s to 7 s (the knees bending
    with it unless ``straight_legs``), held to the end of the plank."""
    bend = 0.0 if straight_legs else PIKES[pike_deg]
    return syn.plank(12.0, alignment=ramps(0, (6, 7, pike_deg)), knee_bend=ramps(0, (6, 7, bend)))


@pytest.mark.parametrize("fps", [15, 30, 60])
@pytest.mark.parametrize("straight_legs", [False, True], ids=["knees_bend", "straight_legs"])
@pytest.mark.parametrize("pike_deg", list(PIKES))
def test_a_strong_pike_is_a_plank_with_hips_piked(pike_deg: float, straight_legs: bool,
                                                  fps: int) -> None:
    m = piked_plank(pike_deg, straight_legs=straight_legs)
    analysis = analyze_series(syn.render(m, fps=fps), "plank")
    result = analysis.sets[0]
    (hold,) = result["holds"]
    assert hold["kind"] == "plank"
    assert_hold_matches(hold, m.truth["holds"][0])
    types = [w["type"] for w in result["warnings"]]
    if pike_deg < CFG.pike_deg + 3:  # at the threshold the warning may or may not come
        assert set(types) <= {"hips_piked"}
        return
    assert types == ["hips_piked"]
    onset = syn.first_time(m.signal, lambda v: v > CFG.pike_deg, 6.0, 7.0)
    (started,) = [e for e in analysis.events if e.kind == "fault_started"]
    assert onset <= started.t_s <= onset + 1.5
    assert result["warnings"][0]["start_s"] == pytest.approx(onset, abs=1.5)


@pytest.mark.parametrize("pike_deg", [30.0, 45.0])
def test_getting_up_straight_into_a_strong_pike_is_a_plank_with_hips_piked(
        pike_deg: float) -> None:
    m = syn.plank(10.0, alignment=pike_deg, knee_bend=PIKES[pike_deg])
    for mode in ("plank", "auto"):
        analysis = analyze_series(syn.render(m, fps=30), mode)
        (result,) = analysis.sets
        assert result["exercise"] == "plank"
        (hold,) = result["holds"]
        assert hold["kind"] == "plank"
        assert [w["type"] for w in result["warnings"]] == ["hips_piked"]
        started = [e for e in analysis.events if e.kind == "fault_started"]
        onset = m.truth["holds"][0]["start_s"]  # piked from the moment the plank is reached
        assert started and started[0].t_s <= onset + 1.5


@pytest.mark.parametrize("fps", [15, 30])
@pytest.mark.parametrize("sag_deg", [-30.0, -35.0])
def test_a_deep_sag_is_a_plank_with_hips_sagging(sag_deg: float, fps: int) -> None:
    # the hips sink to the elbow-to-toes line while the straight legs hold the knees up: still
    # the plank, with the warning that person needs (it used to end the hold, with no warning)
    m = syn.plank(12.0, alignment=ramps(0, (5, 6.5, sag_deg)))
    for mode in ("plank", "auto"):
        analysis = analyze_series(syn.render(m, fps=fps), mode)
        (result,) = analysis.sets
        (hold,) = result["holds"]
        assert hold["kind"] == "plank"
        assert_hold_matches(hold, m.truth["holds"][0])
        assert [w["type"] for w in result["warnings"]] == ["hips_sagging"]
        onset = syn.first_time(m.signal, lambda v: v < -CFG.sag_deg, 5.0, 6.5)
        assert result["warnings"][0]["start_s"] == pytest.approx(onset, abs=1.5)


@pytest.mark.parametrize("name", ["downward_dog", "downward_dog_low", "child_pose", "kneeling"])
def test_downward_dog_child_pose_and_kneeling_are_not_planks(name: str) -> None:
    motions = {
        "downward_dog": syn.downward_dog(),
        "downward_dog_low": syn._still(
            "none", 8.0, lambda t: syn.downward_dog_figure(arm_deg=45.0, trunk_deg=30.0)),
        "child_pose": syn.child_pose(),
        "kneeling": syn.kneeling(),
    }
    series = syn.render(motions[name], fps=30)
    own = analyze_series(series, "plank").sets[0]
    assert own["holds"] == [] and own["warnings"] == []
    assert [s["exercise"] for s in analyze_series(series, "auto").sets] == []


def test_a_plank_then_a_downward_dog_is_one_hold() -> None:
    m = syn.sequence(syn.plank(8.0, tail_s=0.5), syn.downward_dog(6.0))
    result = analyze_series(syn.render(m, fps=30), "plank").sets[0]
    (hold,) = result["holds"]
    assert_hold_matches(hold, m.truth["parts"][0]["truth"]["holds"][0])


@pytest.mark.parametrize("fps", [15, 30])
@pytest.mark.parametrize("knee_bend", [10.0, 12.0])
def test_a_deep_sag_that_brings_the_knees_low_is_a_sag_not_knees_down(
    fps: int, knee_bend: float
) -> None:
    """A 27 deg sag with the legs a little bent brings the knees as close to the floor line as
    a knee resting there (seen on a render: the hold ended 5 s early and the sag was never
    told). The legs still carry the body with the hips off the floor: one hold, sagging."""
    motion = syn.plank(
        16.0, alignment=ramps(0, (6, 8, -27.0)), knee_bend=ramps(0, (6, 8, knee_bend))
    )
    got = analyze_series(syn.render(motion, fps=fps, seed=3), "plank")
    (hold,) = got.sets[0]["holds"]
    assert hold["kind"] == "plank"
    assert abs(hold["duration_s"] - 16.0) < 0.5, hold
    warnings = [w for w in got.sets[0]["warnings"] if w["type"] == "hips_sagging"]
    # the sag passes -10 deg at 6.74 s
    assert len(warnings) == 1 and 6.74 <= warnings[0]["start_s"] <= 6.74 + 1.5
    knees = got.analyzers[0].trace("on_knees")[1]
    assert np.nanmax(knees) == 0.0
