"""Accuracy gates: the real model and the analyzers against exact ground truth and real people.

``benchmarks/accuracy.py`` is the measuring tool; these tests run it over ``samples/`` with the
real pose model and assert the analyzers issue's targets (#5), clip by clip:

* every rep and round count exact; the right exercise recognised (nothing in the non-exercise
  clips); no fault warning on a good-form clip;
* hold and good-form time within 1 s; bridge hip angle mean error <= 5 deg; plank alignment
  mean error <= 3 deg; cat-cow range within 20% of the truth; every fault found within 1.5 s of
  its onset.

A figure that still misses its target is listed in :data:`KNOWN_MISSES` with the reason; its
test is a strict ``xfail``, so it turns into a failure the day it passes (then remove the entry).
Every other clip must meet every target. On top of that, no figure may get worse than the
checked-in baseline ``benchmarks/accuracy_baseline.json``. Regenerate the baseline, after an
intended improvement, with::

    python benchmarks/accuracy.py samples --write-baseline benchmarks/accuracy_baseline.json

The pose tracks are made by the real model in a temporary folder; set ``FORMCHECK_TRACK_CACHE``
to a folder to keep and reuse them between runs (``benchmarks/accuracy.py --cache`` uses the
same file names).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from formcheck.config import Config

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
BASELINE = REPO / "benchmarks" / "accuracy_baseline.json"
REAL_PLANKS = REPO.parent / "shared" / "data" / "plank_landmarks"

# How much worse than the baseline a figure may get (run-to-run and machine differences).
ANGLE_SLACK_DEG = 1.0
RANGE_SLACK = 0.05
TIME_SLACK_S = 0.5

#: The issue's targets, by the key ``benchmarks/accuracy.py`` files a clip's miss under.
TARGETS = (
    "rep_count_exact",
    "hold_s",
    "good_form_s",
    "bridge_angle",
    "plank_angle",
    "catcow_range",
    "faults",
    "false_warnings",
)

#: (target, clip) -> why it still misses. Each is a strict xfail: it fails once it passes.
KNOWN_MISSES: dict[tuple[str, str], str] = {}


def _benchmark() -> Any:
    spec = importlib.util.spec_from_file_location("accuracy", REPO / "benchmarks" / "accuracy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    bench = _benchmark()
    clips = bench.find_clips([SAMPLES])
    if not clips:
        pytest.skip("no sample clips with truth files in samples/")
    cached = os.environ.get("FORMCHECK_TRACK_CACHE")
    cache = Path(cached) if cached else tmp_path_factory.mktemp("tracks")
    return [bench.evaluate(video, truth, "auto", cache, Config()) for video, truth in clips]


def _figures(r: Any) -> str:
    return (
        f"reps {r.reps_found}/{r.reps_true}, hold {r.hold_found}/{r.hold_true} s, good form "
        f"{r.good_found}/{r.good_true} s, angle error {r.angle_err}, range error {r.range_err}, "
        f"faults {r.fault_matches}, false warnings {r.false_warnings}"
    )


def test_the_targets_here_are_the_benchmarks() -> None:
    # "too_steep" is a target of the whole set (at most one clip in ten flagged), not a clip's
    assert set(TARGETS) | {"too_steep"} == set(_benchmark().TARGETS)
    assert {target for target, _ in KNOWN_MISSES} <= set(TARGETS)


@pytest.mark.slow
def test_the_steep_views_are_flagged_and_the_others_are_not(results: list[Any]) -> None:
    """The camera-tilt estimate on the real model: the samples filmed from 40-46 deg above
    (a camera 0.8 m from the body, 0.9-1.1 m up) are flagged as too steep for their bridge hip
    angle; none filmed from 20 deg or less is. (The share flagged over the samples and the
    validation set, at most one in ten, is the benchmark's to report.)"""
    steep = {r.name for r in results if r.tilt_true is not None and r.tilt_true >= 35}
    level = {r.name for r in results if r.tilt_true is not None and r.tilt_true <= 20}
    assert steep, "no steep sample: the test would check nothing"
    assert {r.name for r in results if r.too_steep} & steep == steep
    assert not {r.name for r in results if r.too_steep} & level
    for r in results:
        if r.tilt_true is not None and r.tilt_found is not None and r.tilt_true < 35:
            off = abs(r.tilt_found - r.tilt_true)
            assert off <= 12, f"{r.name}: tilt {r.tilt_found} estimated, {r.tilt_true} true"


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_every_clip_meets_the_issue_target(results: list[Any], target: str) -> None:
    missed = {
        r.name: _figures(r)
        for r in results
        if target in r.misses and (target, r.name) not in KNOWN_MISSES
    }
    assert not missed, f"{target}: {missed}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "clip"),
    [
        pytest.param(target, clip, marks=pytest.mark.xfail(strict=True, reason=why))
        for (target, clip), why in KNOWN_MISSES.items()
    ],
)
def test_known_miss_meets_the_issue_target(results: list[Any], target: str, clip: str) -> None:
    (r,) = [r for r in results if r.name == clip]
    assert target not in r.misses, f"{clip} misses {target}: {_figures(r)}"


@pytest.mark.slow
def test_rep_and_round_counts_are_exact(results: list[Any]) -> None:
    wrong = {r.name: (r.reps_found, r.reps_true) for r in results if r.reps_found != r.reps_true}
    assert not wrong, f"(found, true) rep counts: {wrong}"


@pytest.mark.slow
def test_the_right_exercise_is_recognised(results: list[Any]) -> None:
    for r in results:
        if r.exercise == "none":
            assert r.found_exercises == [], f"{r.name}: found {r.found_exercises}"
        else:
            assert set(r.found_exercises) == {r.exercise}, f"{r.name}: found {r.found_exercises}"


@pytest.mark.slow
def test_no_fault_warning_on_good_form_clips(results: list[Any]) -> None:
    noisy = {r.name: [w["type"] for w in r.faults_found] for r in results if r.false_warnings}
    assert not noisy, f"warnings on good-form clips: {noisy}"


@pytest.mark.slow
def test_no_figure_is_worse_than_the_baseline(results: list[Any]) -> None:
    baseline = json.loads(BASELINE.read_text())
    assert {r.name for r in results} == set(baseline), "samples and baseline list other clips"
    worse = []
    for r in results:
        base = baseline[r.name]
        if base["angle_err"] is not None and (
            r.angle_err is None or r.angle_err > base["angle_err"] + ANGLE_SLACK_DEG
        ):
            worse.append(f"{r.name}: angle error {r.angle_err} (baseline {base['angle_err']})")
        if base["range_err"] is not None and (
            r.range_err is None or r.range_err > base["range_err"] + RANGE_SLACK
        ):
            worse.append(f"{r.name}: range error {r.range_err} (baseline {base['range_err']})")
        for key, true, found in (
            ("hold_err", r.hold_true, r.hold_found),
            ("good_err", r.good_true, r.good_found),
        ):
            if base[key] is not None:
                err = abs((found or 0) - true)
                if err > base[key] + TIME_SLACK_S:
                    worse.append(f"{r.name}: {key} {err:.2f} s (baseline {base[key]})")
        found = sorted(t for t, d in r.fault_matches if d is not None)
        expected = base["faults_found"]
        missing = [t for t in expected if expected.count(t) > found.count(t)]
        if missing:
            worse.append(f"{r.name}: faults no longer found: {missing}")
        new_misses = sorted(set(r.misses) - set(base["misses"]))
        if new_misses:
            worse.append(f"{r.name}: newly missed targets {new_misses}")
    assert not worse, "\n".join(worse)


def test_plank_measure_separates_real_sag_pike_and_good_form() -> None:
    if not REAL_PLANKS.is_dir():
        pytest.skip("../shared/data/plank_landmarks is not here")
    bench = _benchmark()
    acc = bench.real_plank_accuracy(REAL_PLANKS, Config(), (1280, 720))
    # each label is classified as itself for the clear majority of its frames
    assert acc["C"].get("C", 0) >= 0.95, acc["C"]
    assert acc["L"].get("L", 0) >= 0.95, acc["L"]
    assert acc["H"].get("H", 0) >= 0.95, acc["H"]
