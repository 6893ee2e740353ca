"""Accuracy gates: the real model and the analyzers against exact ground truth and real people.

``benchmarks/accuracy.py`` is the measuring tool; these tests run it and fail on any miss of the
targets (see its docstring). The sample clips are rendered with exact truth (samples/README.md);
the real planks are hand-labelled MediaPipe landmarks of real people (../shared/data).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from formcheck.config import Config

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
REAL_PLANKS = REPO.parent / "shared" / "data" / "plank_landmarks"


def _benchmark():
    spec = importlib.util.spec_from_file_location("accuracy", REPO / "benchmarks" / "accuracy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory):
    bench = _benchmark()
    clips = bench.find_clips([SAMPLES])
    if not clips:
        pytest.skip("no sample clips with truth files in samples/")
    cache = tmp_path_factory.mktemp("tracks")
    return [bench.evaluate(video, truth, "auto", cache, Config()) for video, truth in clips]


@pytest.mark.slow
def test_every_sample_meets_the_accuracy_targets(results) -> None:
    misses = {r.name: r.misses for r in results if r.misses}
    assert not misses, f"targets missed: {misses}"


@pytest.mark.slow
def test_rep_counts_are_exact(results) -> None:
    wrong = {r.name: (r.reps_found, r.reps_true) for r in results if r.reps_found != r.reps_true}
    assert not wrong, f"(found, true) rep counts: {wrong}"


@pytest.mark.slow
def test_the_right_exercise_is_recognised(results) -> None:
    for r in results:
        if r.exercise == "none":
            assert r.found_exercises == [], (
                f"{r.name}: found {r.found_exercises} in a non-exercise clip"
            )
        else:
            assert r.exercise in r.found_exercises, f"{r.name}: found {r.found_exercises}"


def test_plank_measure_separates_real_sag_pike_and_good_form() -> None:
    if not REAL_PLANKS.is_dir():
        pytest.skip("../shared/data/plank_landmarks is not here")
    bench = _benchmark()
    acc = bench.real_plank_accuracy(REAL_PLANKS, Config(), (1280, 720))
    # each label is classified as itself for the clear majority of its frames
    assert acc["C"].get("C", 0) >= 0.9, acc["C"]
    assert acc["L"].get("L", 0) >= 0.9, acc["L"]
    assert acc["H"].get("H", 0) >= 0.9, acc["H"]
