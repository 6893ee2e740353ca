"""Exercise recognition and set splitting (``analyze_series(series, "auto")``).

Specified with synthetic recordings (tests/synthetic.py): each exercise on its own is recognised
and gives the same counts as its own analyzer; a session of bridge, plank and cat-cow becomes
three sets in order with the right counts; standing or lying still is no set.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from formcheck.analysis import Analysis, analyze_series, classify_posture
from formcheck.analysis.bridge import bridge_measures
from formcheck.analysis.events import Exercise
from formcheck.config import Config
from formcheck.measure.signals import SideConditioner
from formcheck.pose.landmarks import PoseSeries
from tests import synthetic as syn

FPS = 10

MOTIONS: dict[str, Callable[[], syn.Motion]] = {
    "bridge": lambda: syn.bridge(3),
    "plank": lambda: syn.plank(12.0),
    "cat_cow": lambda: syn.cat_cow(3),
    "standing": lambda: syn.standing(8.0),
    "lying": lambda: syn.lying(8.0),
    "prone": lambda: syn.prone(8.0),
    "session": lambda: syn.sequence(syn.bridge(2), syn.standing(4.0), syn.plank(8.0),
                                    syn.standing(4.0), syn.cat_cow(2)),
    "session_no_breaks": lambda: syn.sequence(syn.bridge(2), syn.plank(8.0, tail_s=1.0),
                                              syn.cat_cow(2)),
    # knees down with the hips folded back for 4 s in the middle of a forearm plank
    "plank_knees_drop": lambda: syn.plank(
        12.0, knees=syn.ramps(0, (6, 7, 1), (10, 11, 0)),
        alignment=syn.ramps(0, (6, 7, 50), (10, 11, 0))),
    "standing_then_bridge": lambda: syn.sequence(syn.standing(6.0), syn.bridge(2)),
}


@functools.cache
def motion(name: str) -> syn.Motion:
    return MOTIONS[name]()


@functools.cache
def series_of(name: str, fps: float = FPS, facing: str = "right") -> PoseSeries:
    return syn.render(motion(name), fps=fps, facing=facing)  # type: ignore[arg-type]


@functools.cache
def analysis_of(name: str, exercise: str = "auto", fps: float = FPS,
                facing: str = "right") -> Analysis:
    return analyze_series(series_of(name, fps, facing), exercise)


def counts(set_: dict) -> tuple[str, int, int]:  # type: ignore[type-arg]
    """(exercise, reps or rounds, holds) of a set."""
    return set_["exercise"], set_["summary"]["rep_count"], len(set_["holds"])


@pytest.mark.parametrize(("name", "exercise", "count"), [
    ("bridge", "glute_bridge", (3, 0)),
    ("plank", "plank", (0, 1)),
    ("cat_cow", "cat_cow", (3, 0)),
])
def test_each_exercise_is_recognised_with_the_same_counts(
        name: str, exercise: str, count: tuple[int, int]) -> None:
    auto = analysis_of(name)
    own = analysis_of(name, exercise)
    assert [counts(s) for s in auto.sets] == [(exercise, *count)]
    assert counts(own.sets[0]) == (exercise, *count)
    assert auto.sets[0]["summary"]["hold_s"] == pytest.approx(own.sets[0]["summary"]["hold_s"],
                                                               abs=0.2)
    assert len(auto.analyzers) == 1


@pytest.mark.parametrize("name", ["standing", "lying", "prone"])
def test_standing_or_lying_still_is_no_set(name: str) -> None:
    analysis = analysis_of(name)
    assert analysis.sets == []
    assert analysis.events == []


@pytest.mark.parametrize("name", ["session", "session_no_breaks"])
def test_a_session_splits_into_three_sets_in_order(name: str) -> None:
    analysis = analysis_of(name)
    assert [counts(s) for s in analysis.sets] == [
        ("glute_bridge", 2, 0), ("plank", 0, 1), ("cat_cow", 2, 0)]
    plank = analysis.sets[1]
    want = motion(name).truth["parts"][2 if name == "session" else 1]["truth"]["holds"][0]
    hold = plank["holds"][0]
    assert want["outer_start_s"] - 0.3 <= hold["start_s"] <= want["start_s"] + 0.3
    assert want["end_s"] - 0.3 <= hold["end_s"] <= want["outer_end_s"] + 0.3
    assert all(s["warnings"] == [] for s in analysis.sets)


@pytest.mark.parametrize("name", ["session", "session_no_breaks"])
def test_each_set_spans_its_exercise(name: str) -> None:
    analysis = analysis_of(name)
    parts = [p for p in motion(name).truth["parts"] if p["exercise"] != "none"]
    window = Config().auto.window_s
    assert len(analysis.sets) == len(parts) == 3
    for set_, part in zip(analysis.sets, parts, strict=True):
        # a set starts and ends with its exercise, give or take the voting window; the
        # standing or lying around it is not part of the set
        assert part["start_s"] - window - 0.1 <= set_["start_s"], part["exercise"]
        assert set_["end_s"] <= part["end_s"] + window + 0.1, part["exercise"]


def test_a_session_gives_the_same_sets_facing_left() -> None:
    right = analysis_of("session_no_breaks")
    left = analysis_of("session_no_breaks", facing="left")
    assert [counts(s) for s in left.sets] == [counts(s) for s in right.sets]


def test_standing_before_an_exercise_does_not_open_a_set_early() -> None:
    analysis = analysis_of("standing_then_bridge")
    assert [counts(s) for s in analysis.sets] == [("glute_bridge", 2, 0)]
    assert analysis.sets[0]["start_s"] >= 6.0 - Config().auto.window_s
    rep_starts = [r["start_s"] for r in analysis.sets[0]["reps"]]
    want = [r["start_s"] for r in motion("standing_then_bridge").truth["parts"][1]["truth"]["reps"]]
    assert rep_starts == pytest.approx(want, abs=0.5)


@pytest.mark.parametrize(("figure", "expected"), [
    (lambda: syn.bridge_figure(0.0), "glute_bridge"),
    (lambda: syn.bridge_figure(30.0), "glute_bridge"),
    (lambda: syn.plank_figure(0.0), "plank"),
    (lambda: syn.plank_figure(-12.0), "plank"),
    (lambda: syn.all_fours_figure(0.0), "cat_cow"),
    (lambda: syn.all_fours_figure(20.0), "cat_cow"),
    (lambda: syn.standing_figure(), None),
    (lambda: syn.lying_figure(), None),
    (lambda: syn.plank_figure(0.0, lift=0.0), None),
], ids=["bridge_rest", "bridge_up", "plank", "plank_sagging", "all_fours", "cat", "standing",
        "lying", "prone"])
def test_classify_posture_of_single_frames(figure: Callable[[], syn.Figure],
                                           expected: str | None) -> None:
    for facing in ("right", "left"):
        fig = figure()
        still = syn.Motion("x", 0.0, lambda t, fig=fig: fig)  # type: ignore[misc]
        series = syn.render(still, fps=10, facing=facing)  # type: ignore[arg-type]
        frame = series[0]
        kind = classify_posture(SideConditioner()(frame), frame, Config())
        assert (kind.value if kind else None) == expected, facing


def test_knees_dropping_inside_a_plank_keeps_one_set_with_a_hold_either_side() -> None:
    # a 4 s rest on the knees ends the hold and getting back up starts another (issue 15: it
    # was one hold with a knees_down warning); the set stays one set
    auto = analysis_of("plank_knees_drop")
    (plank_set,) = auto.sets
    assert counts(plank_set) == ("plank", 0, 2)
    assert plank_set["warnings"] == []
    own = analysis_of("plank_knees_drop", "plank").sets[0]
    for a, b in zip(plank_set["holds"], own["holds"], strict=True):
        assert a["duration_s"] == pytest.approx(b["duration_s"], abs=0.2)


def test_kneeling_on_the_forearms_after_a_bridge_is_not_its_top() -> None:
    """From a bridge to a plank the person turns over and kneels on the forearms (knees bent,
    shins on the floor, hips above the knees): inside a bridge set that once read as a bridge's
    top (hips above the knees are allowed there), so the bridge set ran on into the plank's
    start. A bridge's feet stay planted under the knees."""
    kneel = syn.Motion("none", 3.0, lambda t: syn.plank_figure(50.0, knees=1.0))
    flat_shins = syn.Motion(
        "none", 3.0, lambda t: syn.plank_figure(50.0, knees=1.0, knee_shin_tilt_deg=0.0)
    )
    for between in (kneel, flat_shins):
        session = syn.sequence(syn.bridge(2), between, syn.plank(8.0))
        sets = analyze_series(syn.render(session, fps=FPS), "auto").sets
        assert [counts(s) for s in sets] == [("glute_bridge", 2, 0), ("plank", 0, 1)]
        bridge_end = session.truth["parts"][0]["end_s"]
        assert sets[0]["end_s"] <= bridge_end + Config().auto.window_s / 2 + 0.1
    # a steep top with the hips above the knees in the picture is still the bridge
    top = syn.bridge_figure(45.0)
    still = syn.Motion("x", 0.0, lambda t: top)
    frame = syn.render(still, fps=10)[0]
    view = SideConditioner()(frame)
    assert bridge_measures(view)["knee_height_px"] < 0
    assert classify_posture(view, frame, Config(), Exercise.GLUTE_BRIDGE) is Exercise.GLUTE_BRIDGE


@pytest.mark.parametrize("before", ["bridge", "plank"])
@pytest.mark.parametrize("fps", [10, 30])
def test_a_cat_cow_straight_after_another_exercise_keeps_its_first_round(
    before: str, fps: int
) -> None:
    """A set starts with the frames of the voting window that were already voted for it; the
    other exercise's last frames in that window are not replayed into it (given to a cat-cow,
    lying frames read as a limb off the floor, and its first round was lost)."""
    first = syn.bridge(2, tail_s=0.0) if before == "bridge" else syn.plank(8.0, tail_s=0.0)
    session = syn.sequence(first, syn.cat_cow(3, lead_s=0.0))
    sets = analyze_series(syn.render(session, fps=fps), "auto").sets
    assert [s["exercise"] for s in sets] == [first.exercise, "cat_cow"]
    assert sets[1]["summary"]["rep_count"] == 3
    assert sets[1]["start_s"] >= session.truth["parts"][1]["start_s"] - 0.1
