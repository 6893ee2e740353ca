"""``benchmarks/joined.py``: sessions of several exercises joined into one recording.

The benchmark joins rendered clips with hard cuts and checks each part against its clip's truth;
here it runs on two of the samples (the real model through the whole pipeline), and its checks
are tried on made-up sets.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import cv2
import pytest

from tests.conftest import REPO

SAMPLES = REPO / "samples"


def _benchmark() -> Any:
    path = REPO / "benchmarks" / "joined.py"
    spec = importlib.util.spec_from_file_location("joined_benchmark", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _set(exercise: str, start: float, end: float, reps: int = 0, held: float = 0.0) -> dict:
    holds = [{"duration_s": held}] if held else []
    return {
        "exercise": exercise,
        "start_s": start,
        "end_s": end,
        "reps": [{}] * reps,
        "holds": holds,
    }


def test_each_part_needs_its_own_set_with_the_right_count() -> None:
    bench = _benchmark()

    def parts() -> list[Any]:
        return [
            bench.Part(Path("a.mp4"), "glute_bridge", 0.0, 20.0, 5, None),
            bench.Part(Path("b.mp4"), "plank", 20.0, 40.0, 0, 15.0),
        ]

    right = [_set("glute_bridge", 0.5, 21.0, reps=5), _set("plank", 21.0, 40.0, held=15.6)]
    assert [p.misses for p in bench.check_session(parts(), right)] == [[], []]
    wrong = [_set("glute_bridge", 0.5, 24.0, reps=4), _set("plank", 24.0, 40.0, held=13.0)]
    missed = bench.check_session(parts(), wrong)
    assert missed[0].misses == ["4/5 reps"]
    assert missed[1].misses == ["glute_bridge set reaches in", "held 13.0 s of 15.0"]
    nothing = bench.check_session(parts(), [])
    assert [p.misses for p in nothing] == [
        ["sets none", "0/5 reps"],
        ["sets none", "held 0.0 s of 15.0"],
    ]


@pytest.mark.slow
def test_two_samples_joined_give_both_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _benchmark()
    assert (
        bench.main(
            [
                str(SAMPLES),
                "--sessions",
                "1",
                "--parts",
                "2",
                "--seed",
                "3",
                "--max-fps",
                "15",
                "--keep",
                str(tmp_path),
                "--check",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "parts right: 2/2 in 1 sessions" in out
    # the joined video is every frame of both clips, one after the other
    clips = [line.split()[3] for line in out.splitlines() if line.startswith("  ")]
    frames = sum(
        int(cv2.VideoCapture(str(SAMPLES / c)).get(cv2.CAP_PROP_FRAME_COUNT)) for c in clips
    )
    joined = cv2.VideoCapture(str(tmp_path / "session01.mp4"))
    assert int(joined.get(cv2.CAP_PROP_FRAME_COUNT)) == frames
