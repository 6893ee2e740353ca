"""The validation set's script (``benchmarks/validation_set.py``): its plan is reproducible, and
a drawn camera tilt that ``formcheck synth`` cannot frame is lowered until it can, instead of
losing the clip."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "validation_set", REPO / "benchmarks" / "validation_set.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


vs = _script()


def test_the_plan_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    assert vs.plan(12, 15) == vs.plan(12, 15)
    assert vs.plan(12, 15) != vs.plan(12, 16)
    # every drawn tilt lies within its height's range, and the last three are the steep ones
    for clip in vs.plan(30, 15)[: vs.STEEP_FROM]:
        lo, hi = vs.tilt_range(clip["args"]["camera-height"])
        assert lo - 0.05 <= clip["args"]["camera-tilt"] <= hi + 0.05


class FakeSynth:
    """Stands in for the ``formcheck synth`` process: refuses tilts above ``frames_below``
    with the renderer's own message (checked against the real renderer below)."""

    def __init__(self, frames_below: float, other_error: str = "") -> None:
        self.frames_below = frames_below
        self.other_error = other_error
        self.tilts: list[float] = []

    def __call__(self, cmd: list[str]) -> subprocess.CompletedProcess[str]:
        tilt = float(cmd[cmd.index("--camera-tilt") + 1])
        self.tilts.append(tilt)
        if self.other_error:
            return subprocess.CompletedProcess(cmd, 2, "", f"error: {self.other_error}\n")
        if tilt >= self.frames_below:
            err = f"error: a camera 0.9 m high tilted {tilt} deg down {vs.UNFRAMEABLE}; lower it\n"
            return subprocess.CompletedProcess(cmd, 2, "", err)
        return subprocess.CompletedProcess(cmd, 0, "", "")


def test_an_unframeable_tilt_is_lowered_until_the_clip_renders(tmp_path: Path) -> None:
    clip = {"name": "v05", "args": {"exercise": "cat_cow", "camera-tilt": 24.8}}
    synth = FakeSynth(frames_below=16.0)
    assert vs.render_clip(clip, tmp_path, synth) is None
    assert synth.tilts == [24.8, 19.8, 15.8]
    assert clip["args"]["camera-tilt"] == 15.8  # what the manifest then records


def test_other_errors_are_reported_at_once_and_not_retried(tmp_path: Path) -> None:
    clip = {"name": "v06", "args": {"exercise": "plank", "camera-tilt": 12.0}}
    synth = FakeSynth(frames_below=90.0, other_error="unknown body 'giant'")
    assert vs.render_clip(clip, tmp_path, synth) == "error: unknown body 'giant'"
    assert synth.tilts == [12.0] and clip["args"]["camera-tilt"] == 12.0


def test_a_tilt_that_never_frames_gives_up_with_the_renderers_message(tmp_path: Path) -> None:
    clip = {"name": "v07", "args": {"exercise": "plank", "camera-tilt": 30.0}}
    synth = FakeSynth(frames_below=-1.0)
    error = vs.render_clip(clip, tmp_path, synth)
    assert error is not None and vs.UNFRAMEABLE in error
    assert len(synth.tilts) == vs.MAX_TILT_TRIES
    assert clip["args"]["camera-tilt"] == synth.tilts[-1]  # the manifest says what was tried


@pytest.mark.synth
def test_the_real_renderer_refuses_an_unframeable_tilt_with_the_message_the_script_knows(
    tmp_path: Path,
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("anny")
    # seed 23's sixth clip: a tall body filling 80% of a landscape frame from 0.91 m up
    args = ["--exercise", "cat_cow", "--body", "male_tall", "--side", "left",
            "--camera-height", "0.91", "--camera-tilt", "24.8", "--fill", "0.8",
            "--size", "960x540", "--reps", "1"]  # fmt: skip
    out = tmp_path / "x.mp4"
    proc = subprocess.run([sys.executable, "-m", "formcheck", "synth", "-o", str(out), *args],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode != 0 and not out.exists()
    assert vs.UNFRAMEABLE in proc.stderr.strip().splitlines()[-1]
