"""Quiet by default: a user sees formcheck's own output, never MediaPipe's native log lines.

MediaPipe and TFLite write to the process's file descriptor 2 from C++ (absl/glog lines such as
``W0000 00:00:...``, LiteRT's ``INFO: [accelerator_registry.cc:43] DestroyAccelerator ...`` as
each landmarker is released). They are only seen in a real process, so these tests run
``python -m formcheck`` with the real model on a short cut of a sample, and read both streams.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, cut_sample

pytestmark = pytest.mark.slow

#: The shapes native loggers print lines in (absl/glog, TFLite/LiteRT, OpenCV/FFmpeg).
NATIVE = re.compile(
    r"^\s*(?:[IWEF]\d{4} |(?:INFO|WARNING|ERROR|VERBOSE): |\[(?:h264|mov|aac)|"
    r".*\.cc:\d+\]|.*DestroyAccelerator|.*TfLite|.*XNNPACK|.*inference_feedback_manager)"
)


@pytest.fixture(scope="module")
def short_bridge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 4 s of a bridge sample (a real person, so the model runs its whole path)."""
    path = tmp_path_factory.mktemp("quiet") / "bridge_4s.mp4"
    return cut_sample(REPO / "samples" / "bridge_5reps_left.mp4", 4.0, path)


def run(*args: str | Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "formcheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "FORMCHECK_DB": str(tmp_path / "history.db")},
    )


def native_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if NATIVE.match(ln)]


def test_the_native_line_pattern_knows_what_mediapipe_prints() -> None:
    """The pattern the tests below rely on matches the lines MediaPipe really printed."""
    seen = [
        "INFO: [accelerator_registry.cc:43] DestroyAccelerator: ptr=0x7f43, name=CpuAccelerator",
        "W0000 00:00:1733280000.123456  4242 inference_feedback_manager.cc:114] Feedback ...",
        "I0000 00:00:1733280000.123456  4242 gl_context.cc:369] GL version: 3.2",
        "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    ]
    assert native_lines("\n".join(seen)) == seen
    assert native_lines("warning: 2 people in view\n  5 reps (5 good)\nreport written") == []


@pytest.mark.parametrize(
    "command",
    [
        ("analyze", "{video}", "--no-history", "--json", "{out}/r.json"),
        ("track", "{video}", "-o", "{out}/t.npz"),
        ("live", "--no-window", "--mute", "--camera", "{video}", "--json", "{out}/r.json"),
    ],
    ids=["analyze", "track", "live"],
)
def test_commands_print_no_native_lines_by_default(
    command: tuple[str, ...], short_bridge: Path, tmp_path: Path
) -> None:
    args = [a.format(video=short_bridge, out=tmp_path) for a in command]
    done = run(*args, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert native_lines(done.stderr) == [], done.stderr
    assert native_lines(done.stdout) == [], done.stdout
    # whatever formcheck itself says on stderr is its own one-line warnings
    for line in filter(str.strip, done.stderr.splitlines()):
        assert line.startswith("warning:"), done.stderr
    assert any((tmp_path / name).exists() for name in ("r.json", "t.npz"))
