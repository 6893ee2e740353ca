"""Glute bridge analyzer, specified by synthetic side-view recordings and the events expected.

Every motion is built from real kinematics (tests/synthetic.py): shoulders and feet on the floor,
the trunk lifted so that the hip angle follows the designed curve, knees from thigh/shin lengths.
Expected rep times follow the analyzer's documented definitions with the default thresholds: a
rep runs from the moment the hip angle leaves the band ``rise_start_deg`` above rest until it
returns to it; its top pause runs from the end of the lift to the start of the lowering.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import Analysis, BridgeAnalyzer, analyze_series
from formcheck.analysis.bridge import bridge_measures
from formcheck.config import Config
from formcheck.measure.signals import SideConditioner
from formcheck.pose.landmarks import PoseSeries
from formcheck.report.report import build_report
from tests import synthetic as syn

CFG = Config().bridge
FPS = 10
#: Peaks and foot placements a little beyond the default thresholds (so the cases follow them).
GOOD_PEAK = 180.0
PARTIAL_PEAK = 180.0 - CFG.partial_margin_deg - 5.0
OVER_ARCH_PEAK = 180.0 + CFG.over_arch_margin_deg + 5.0


@functools.cache
def motion(name: str) -> syn.Motion:
    """The motions used below, by name (built once)."""
    rest = syn.bridge_rest_deg(syn.FOOT_PLACEMENT["normal"])
    table = {
        "good": lambda: syn.bridge(3),
        "partial": lambda: syn.bridge(2, peak_deg=PARTIAL_PEAK),
        "over_arched": lambda: syn.bridge(2, peak_deg=OVER_ARCH_PEAK),
        "mixed": lambda: syn.bridge(3, peak_deg=[GOOD_PEAK, PARTIAL_PEAK, OVER_ARCH_PEAK]),
        "feet_close": lambda: syn.bridge(2, feet=syn.foot_for_knee(CFG.knee_min_deg - 8.0)),
        "feet_far": lambda: syn.bridge(2, feet=syn.foot_for_knee(CFG.knee_max_deg + 6.0)),
        "slow_long_pause": lambda: syn.bridge(2, lift_s=2.5, lower_s=3.0, top_s=5.0),
        "quick_no_pause": lambda: syn.bridge(2, lift_s=0.6, lower_s=0.6, top_s=0.0, rest_s=1.0),
        "sinks_during_pause": lambda: syn.bridge(2, top_s=3.0, top_sag_deg=15.0),
        "dips_and_recovers": lambda: syn.bridge(2, top_s=3.0, extra_deg=_dip(
            [(4.0, 1.4), (11.4, 1.4)], -16.0)),
        # 21 deg above rest: just over the rise a rep must reach, hovering there for 2 s
        "top_at_threshold": lambda: syn.bridge(3, peak_deg=rest + CFG.rise_top_deg + 1.0),
        # after each rep the hips hover right at the rest-band edge for 2.5 s
        "hover_at_rest_edge": lambda: syn.bridge(3, rest_s=4.0, extra_deg=_plateaus(
            [(6.6, 9.1), (15.0, 17.5)], CFG.rise_start_deg)),
        "feet_replaced_between_reps": lambda: syn.bridge(
            4, rest_s=4.0, feet_moves=[(8.9, 9.9, "far")]),
        # hip angle swinging up to 3 deg short of the rise a rep needs, for 10 s
        "fidget": lambda: syn.bridge(0, lead_s=10.0, extra_deg=lambda t: (CFG.rise_top_deg - 3.0)
                                     * (0.5 - 0.5 * math.cos(t * 2.0))),
        "twitch": lambda: syn.bridge(0, lead_s=8.0, extra_deg=_dip([(3.0, 0.5), (5.0, 0.5)], 25.0)),
        "feet_slide_out_and_back": lambda: syn.bridge(
            0, lead_s=10.0, feet_moves=[(2.0, 3.5, 215.0), (5.0, 6.5, "normal")]),
        "rest_between_reps_6s": lambda: syn.bridge(2, rest_s=6.0),
        "two_mixed": lambda: syn.bridge(2, peak_deg=[GOOD_PEAK, PARTIAL_PEAK], lead_s=1.0,
                                        tail_s=0.5),
    }
    return table[name]()


def _dip(windows: list[tuple[float, float]], depth: float):  # type: ignore[no-untyped-def]
    """An eased bump of ``depth`` degrees at each (start, duration)."""

    def f(t: float) -> float:
        for start, length in windows:
            if start <= t <= start + length:
                return depth * math.sin(math.pi * (t - start) / length) ** 2
        return 0.0

    return f


def _plateaus(windows: list[tuple[float, float]], level: float):  # type: ignore[no-untyped-def]
    def f(t: float) -> float:
        return level if any(a <= t < b for a, b in windows) else 0.0

    return f


@functools.cache
def series_of(name: str, fps: float = FPS, facing: str = "right", jitter_px: float = 0.0,
              dropouts: tuple[tuple[float, float], ...] = ()) -> PoseSeries:
    return syn.render(motion(name), fps=fps, facing=facing, jitter_px=jitter_px,  # type: ignore[arg-type]
                      dropouts=dropouts, seed=7)


@functools.cache
def analysis_of(name: str, fps: float = FPS, facing: str = "right", jitter_px: float = 0.0,
                dropouts: tuple[tuple[float, float], ...] = ()) -> Analysis:
    series = series_of(name, fps, facing, jitter_px, dropouts)
    return analyze_series(series, "glute_bridge")


def analysed(name: str, fps: float = FPS, facing: str = "right", jitter_px: float = 0.0,
             dropouts: tuple[tuple[float, float], ...] = ()) -> dict[str, Any]:
    """The set's report block."""
    return analysis_of(name, fps, facing, jitter_px, dropouts).sets[0]


def expected_reps(m: syn.Motion) -> list[dict[str, float]]:
    """Rep timing the analyzer should find, from the designed hip-angle curve."""
    out = []
    for rep in m.truth["reps"]:
        t, hip = syn.dense(m.signal, rep["start_s"] - 0.05, rep["end_s"] + 0.05)
        above = t[hip > rep["rest_hip_deg"] + CFG.rise_start_deg]
        # the designed pause at the top: from the end of the lift to the start of the lowering
        pause_start, pause_end = rep["top_s"], rep["lower_s"]
        out.append({"start_s": above[0], "end_s": above[-1],
                    "peak_s": (pause_start + pause_end) / 2,
                    "top_hold_s": pause_end - pause_start, "peak_deg": float(hip.max())})
    return out


# -- the stick figure itself -------------------------------------------------------------------


@pytest.mark.parametrize("feet", ["close", "normal", "far"])
def test_figure_hip_angle_follows_the_design_with_fixed_segments(feet: str) -> None:
    m = syn.bridge(1, feet=feet)
    lengths = set()
    for t in np.linspace(0, m.duration_s, 40):
        f = m.figure_at(float(t))
        assert syn.measure_of(f)["hip_deg"] == pytest.approx(m.signal(float(t)), abs=0.1)
        j = f.joints
        lengths.add(tuple(round(float(np.hypot(*(j[a] - j[b]))), 3)
                          for a, b in (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))))
        assert f.joints["shoulder"][1] == pytest.approx(syn.FLOOR_Y - 20)  # shoulders stay down
    assert lengths == {(syn.BODY.trunk, syn.BODY.thigh, syn.BODY.shin)}


# -- counts and faults ---------------------------------------------------------------------------

CASES = [
    # name, reps, faults of each rep
    ("good", 3, [[], [], []]),
    ("partial", 2, [["partial_rep"]] * 2),
    ("over_arched", 2, [["over_arch"]] * 2),
    ("mixed", 3, [[], ["partial_rep"], ["over_arch"]]),
    ("feet_close", 2, [["feet_too_close"]] * 2),
    ("feet_far", 2, [["feet_too_far"]] * 2),
    ("slow_long_pause", 2, [[], []]),
    ("quick_no_pause", 2, [[], []]),
    ("dips_and_recovers", 2, [["hips_dropping"]] * 2),
    ("sinks_during_pause", 2, [["hips_dropping"]] * 2),
]


@pytest.mark.parametrize(("name", "reps", "faults"), CASES, ids=[c[0] for c in CASES])
def test_counts_reps_and_names_their_faults(name: str, reps: int, faults: list[list[str]]) -> None:
    result = analysed(name)
    assert result["summary"]["rep_count"] == reps
    assert [r["faults"] for r in result["reps"]] == faults
    assert result["summary"]["good_reps"] == sum(1 for f in faults if not f)
    assert sorted(w["type"] for w in result["warnings"]) == sorted(k for f in faults for k in f)
    for w in result["warnings"]:  # each warning is tied to the rep it was found in
        rep = result["reps"][w["rep"] - 1]
        assert w["type"] in rep["faults"]
        assert (w["start_s"], w["end_s"]) == (rep["start_s"], rep["end_s"])


@pytest.mark.parametrize("name", ["good", "partial", "over_arched", "mixed", "slow_long_pause",
                                  "quick_no_pause"])
def test_rep_times_and_peak_follow_the_motion(name: str) -> None:
    result = analysed(name)
    expected = expected_reps(motion(name))
    tol = 0.12 + 1 / FPS
    assert len(result["reps"]) == len(expected)
    for rep, want in zip(result["reps"], expected, strict=True):
        assert rep["start_s"] == pytest.approx(want["start_s"], abs=tol)
        assert rep["end_s"] == pytest.approx(want["end_s"], abs=tol)
        assert rep["peak_s"] == pytest.approx(want["peak_s"], abs=tol)
        # the figure's world landmarks are exact; the analyzer takes MediaPipe's average bias
        # off the world hip angle
        peak = want["peak_deg"] - CFG.world_hip_bias_deg
        assert rep["peak_hip_angle_deg"] == pytest.approx(peak, abs=2.0)


@pytest.mark.parametrize("name", ["good", "mixed", "slow_long_pause"])
def test_top_hold_and_good_form_time_within_0_3_s(name: str) -> None:
    result = analysed(name)
    expected = expected_reps(motion(name))
    for rep, want in zip(result["reps"], expected, strict=True):
        assert rep["top_hold_s"] == pytest.approx(want["top_hold_s"], abs=0.3)
    good = sum(w["top_hold_s"] for r, w in zip(result["reps"], expected, strict=True) if r["good"])
    total = sum(w["top_hold_s"] for w in expected)
    # each rep's pause is within 0.3 s, so their sums are within 0.3 s per rep
    tol = 0.3 * len(expected)
    assert result["summary"]["hold_s"] == pytest.approx(total, abs=tol)
    assert result["summary"]["good_form_s"] == pytest.approx(good, abs=tol)


def test_good_reps_raise_no_fault_event() -> None:
    analysis = analysis_of("good")
    kinds = [e.kind for e in analysis.events]
    assert kinds.count("rep") == 3
    assert "fault_started" not in kinds
    rep_times = [e.t_s for e in analysis.events if e.kind == "rep"]
    assert rep_times == sorted(rep_times)
    assert rep_times == pytest.approx([r["end_s"] for r in analysis.sets[0]["reps"]], abs=1e-3)


def test_live_state_counts_as_reps_finish() -> None:
    analyzer = BridgeAnalyzer()
    seen = []
    for frame in series_of("good"):
        analyzer.update(frame)
        seen.append((frame.timestamp_ms / 1000, analyzer.state.count, analyzer.state.phase))
    ends = [r["end_s"] for r in expected_reps(motion("good"))]
    for t, count, _ in seen:
        assert count == sum(1 for e in ends if e + 0.2 < t) or any(abs(t - e) <= 0.2 for e in ends)
    tops = [r["top_s"] + 0.5 for r in motion("good").truth["reps"]]
    assert all(phase == "up" for t, _, phase in seen if any(abs(t - x) < 0.05 for x in tops))


# -- robustness --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "reps"), [("top_at_threshold", 3), ("hover_at_rest_edge", 3)])
def test_jitter_at_the_thresholds_never_double_counts(name: str, reps: int) -> None:
    result = analysed(name, jitter_px=1.5)
    assert result["summary"]["rep_count"] == reps


def test_jitter_on_good_reps_raises_no_fault() -> None:
    result = analysed("good", jitter_px=1.5)
    assert result["summary"]["rep_count"] == 3
    assert result["warnings"] == []


@pytest.mark.parametrize("name", ["fidget", "twitch", "feet_slide_out_and_back"])
def test_shuffling_and_small_movements_are_not_reps(name: str) -> None:
    result = analysed(name)
    assert result["summary"]["rep_count"] == 0
    assert result["warnings"] == []


def test_reps_still_count_after_the_feet_are_replaced() -> None:
    # two reps with the feet at a normal distance, then the feet slide further away (resting
    # hip angle +21 deg) and three more reps to a straight line: all four are reps
    result = analysed("feet_replaced_between_reps")
    assert result["summary"]["rep_count"] == 4


@pytest.mark.parametrize("dropout", [(3.0, 3.3), (4.2, 4.5)], ids=["during_lift", "at_top"])
def test_short_dropouts_are_bridged(dropout: tuple[float, float]) -> None:
    clean = analysed("good")
    result = analysed("good", dropouts=(dropout,))
    assert result["summary"]["rep_count"] == clean["summary"]["rep_count"] == 3
    assert [r["faults"] for r in result["reps"]] == [[], [], []]
    # the held-over value cannot show the top during the dropout: at most the unseen time is lost
    unseen = dropout[1] - dropout[0] + 1 / FPS
    hold = clean["summary"]["hold_s"]
    assert result["summary"]["hold_s"] == pytest.approx(hold, abs=unseen + 0.01)


@pytest.mark.parametrize("mode", ["nan"])
def test_long_dropout_is_reported_not_guessed(mode: str) -> None:
    gap = (7.0, 10.0)  # between reps 1 and 2 (rest from 6.4 s to 12.4 s)
    series = syn.render(motion("rest_between_reps_6s"), fps=FPS, dropouts=[gap], dropout_mode=mode)
    analyzer = BridgeAnalyzer()
    statuses = {}
    for frame in series:
        analyzer.update(frame)
        statuses[round(frame.timestamp_ms / 1000, 3)] = analyzer.state.status
    inside = [s for t, s in statuses.items() if gap[0] + 0.5 <= t < gap[1]]
    assert inside and all(s for s in inside), "status must say why nothing is measured"
    assert all(not s for t, s in statuses.items() if 1.0 <= t < gap[0])
    assert np.isfinite(analyzer.state.measure)  # measuring again at the end
    analyzer.finish()
    assert analyzer.result()["summary"]["rep_count"] == 2
    report = build_report(series, [analyzer.result()])
    gaps = report["coverage"]["gaps"]
    assert len(gaps) == 1
    assert gaps[0][0] == pytest.approx(gap[0], abs=1 / FPS)
    assert gaps[0][1] == pytest.approx(gap[1], abs=1 / FPS)


# -- invariances -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["two_mixed"])
def test_frame_rate_does_not_change_counts_or_hold_times(name: str) -> None:
    reference = analysed(name, fps=60)
    for fps in (10, 15, 30):
        result = analysed(name, fps=fps)
        assert result["summary"]["rep_count"] == reference["summary"]["rep_count"], fps
        assert [r["faults"] for r in result["reps"]] == [r["faults"] for r in reference["reps"]]
        for rep, ref in zip(result["reps"], reference["reps"], strict=True):
            for key in ("start_s", "end_s", "top_hold_s"):
                assert rep[key] == pytest.approx(ref[key], abs=1 / fps + 1e-3), (fps, key)


@pytest.mark.parametrize("name", ["mixed"])
def test_facing_left_or_right_gives_the_same_result(name: str) -> None:
    right, left = analysed(name, facing="right"), analysed(name, facing="left")
    assert len(left["reps"]) == len(right["reps"]) > 0
    for a, b in zip(left["reps"], right["reps"], strict=True):
        assert a["faults"] == b["faults"]
        for key in ("start_s", "peak_s", "end_s", "top_hold_s", "peak_hip_angle_deg",
                    "knee_angle_deg"):
            assert a[key] == pytest.approx(b[key], abs=0.05), key


def test_resampled_series_is_the_same_motion() -> None:
    series = series_of("good", fps=30)
    slow = syn.resample(series, 10)
    assert len(slow) == int(motion("good").duration_s * 10) + 1
    np.testing.assert_array_equal(slow.timestamps_ms, series.timestamps_ms[::3])
    np.testing.assert_allclose(slow.landmarks, series.landmarks[::3], atol=1e-3)


@pytest.mark.parametrize("exercise", ["glute_bridge", "auto"])
def test_a_top_with_the_hips_above_the_knees_is_measured_through_its_top(exercise: str) -> None:
    # an over-arched top (or any top seen from a camera above the body) shows the hips level
    # with or above the knees in the image: lying at rest the knees are above the hips, but
    # inside a rep that is the top to measure, not a reason to stop measuring
    peak = 230.0  # far past straight, so the hips rise above the knees in the drawing
    m = syn.bridge(2, peak_deg=peak)
    series = syn.render(m, fps=FPS)
    conditioner = SideConditioner(Config().quality)
    knee_height = [bridge_measures(conditioner(f)).get("knee_height_px", np.nan) for f in series]
    assert np.nanmin(knee_height) < 0  # the case: hips above the knees at the top
    sets = analyze_series(series, exercise).sets
    assert [s["exercise"] for s in sets] == ["glute_bridge"]
    reps = sets[0]["reps"]
    assert len(reps) == 2
    for rep in reps:
        assert rep["peak_hip_angle_deg"] == pytest.approx(peak, abs=3.0)
        assert "over_arch" in rep["faults"]


@pytest.mark.parametrize("before", ["standing", "kneeling", "lying", "prone"])
@pytest.mark.parametrize("fps", [10, 30])
def test_a_set_that_starts_with_a_rep_at_once_counts_every_rep(before: str, fps: int) -> None:
    """Analysed as a bridge from the first frame (``--exercise glute_bridge``), a recording that
    starts with the person standing, kneeling or lying and lifts straight away. The first frame
    in position can be on the way into it (turning over from lying face down, the hips read 10°
    low) and set the resting level too low: the hips then never came down far enough to end the
    first rep, and no rep was counted. A rep also ends when the hips are back down more than
    half-way and still."""
    lead = {
        "standing": lambda: syn.standing(3.0),
        "kneeling": lambda: syn.kneeling(3.0),
        "lying": lambda: syn.lying(3.0),
        "prone": lambda: syn.prone(3.0),
    }[before]()
    session = syn.sequence(lead, syn.bridge(3, lead_s=0.0))
    (set_,) = analyze_series(syn.render(session, fps=fps), "glute_bridge").sets
    want = [r["start_s"] for r in session.truth["parts"][1]["truth"]["reps"]]
    assert [r["start_s"] for r in set_["reps"]] == pytest.approx(want, abs=0.5)


def test_an_overshoot_then_a_steady_top_is_one_rep() -> None:
    """Thrusting 14° past the top and settling back into it is still the top (the hips stay
    far above half-way down), not the end of the rep."""

    def overshoot(t: float) -> float:
        starts = [2.0 + i * (1.2 + 2.0 + 1.2 + 2.0) + 1.2 for i in range(3)]
        return sum(14.0 * max(0.0, 1.0 - abs(t - s - 0.2) / 0.2) for s in starts)

    motion = syn.bridge(3, extra_deg=overshoot)
    (set_,) = analyze_series(syn.render(motion, fps=30), "glute_bridge").sets
    assert len(set_["reps"]) == 3
    assert all(r["top_hold_s"] >= 1.2 for r in set_["reps"])
