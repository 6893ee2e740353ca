"""Accuracy gates: the real model and the analyzers against exact ground truth and real people.

``benchmarks/accuracy.py`` is the measuring tool; these tests run it over ``samples/`` with the
real pose model. Three targets of the analyzers issue are met and asserted outright: every rep
and round count exact, the right exercise recognised (and nothing in the non-exercise clips),
and no fault warning on a good-form clip. The other figures (angle error, cat-cow range, hold
and good-form time, faults found) are gated against the checked-in baseline
``benchmarks/accuracy_baseline.json`` so that no change makes them worse; the clips where they
still miss the issue's targets are listed there under ``misses`` (see the closing notes).
Regenerate the baseline, after an intended improvement, with::

    python benchmarks/accuracy.py samples --write-baseline benchmarks/accuracy_baseline.json
"""

from __future__ import annotations

import importlib.util
import json
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
    cache = tmp_path_factory.mktemp("tracks")
    return [bench.evaluate(video, truth, "auto", cache, Config()) for video, truth in clips]


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
        for key, true, found in (("hold_err", r.hold_true, r.hold_found),
                                 ("good_err", r.good_true, r.good_found)):
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
