"""The guided routine (``formcheck routine``): plan, targets, and a real run end to end.

The end-to-end run plays three sample videos in sequence (one per exercise), each at its own
pace as a camera would deliver it, through the real pose model, with short countdowns and
rests and small targets so that it takes about half a minute.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.analysis import LiveState
from formcheck.analysis.events import Exercise
from formcheck.cli import app
from formcheck.config import load_config
from formcheck.live.routine import SAFETY_NOTE, RoutineStep, plan_routine, target_reached

from .conftest import REPO

SAMPLES = REPO / "samples"
BRIDGE = SAMPLES / "bridge_5reps_left.mp4"
PLANK = SAMPLES / "plank_good_left.mp4"
CAT_COW = SAMPLES / "catcow_5rounds_left.mp4"

pytestmark = pytest.mark.timeout(240)

SHORT = [
    "--set",
    "routine.safety_note_s=0.5",
    "--set",
    "routine.countdown_s=1",
    "--set",
    "routine.rest_s=1",
]


# ------------------------------------------------------------------------------- the plan


def test_the_plan_is_bridges_then_plank_then_cat_cow_with_config_targets() -> None:
    cfg = load_config(overrides=["routine.bridge_reps=15", "routine.cat_cow_rounds=10"])
    steps = plan_routine(cfg)
    assert [s.exercise for s in steps] == [Exercise.GLUTE_BRIDGE, Exercise.PLANK, Exercise.CAT_COW]
    assert [s.target_reps for s in steps] == [15, None, 10]
    assert steps[1].target_hold_s == cfg.routine.plank_target_s == 20.0
    assert "pause 2 s at the top" in steps[0].advice  # bridge.target_top_hold_s


def test_the_plank_target_comes_from_the_provider_and_may_be_a_knee_plank() -> None:
    steps = plan_routine(load_config(), plank_target_s=35.0, knee_plank=True)
    assert steps[1].title == "Knee plank" and steps[1].target_hold_s == 35.0
    assert "knees" in steps[1].advice.lower()


TWELVE_BRIDGES = RoutineStep(Exercise.GLUTE_BRIDGE, "Glute bridges", target_reps=12)
EIGHT_ROUNDS = RoutineStep(Exercise.CAT_COW, "Cat-cow", target_reps=8)
PLANK_20_S = RoutineStep(Exercise.PLANK, "Forearm plank", target_hold_s=20.0)


@pytest.mark.parametrize(
    ("step", "state", "reached"),
    [
        (TWELVE_BRIDGES, LiveState("glute_bridge", count=11), False),
        (TWELVE_BRIDGES, LiveState("glute_bridge", count=12), True),
        (EIGHT_ROUNDS, LiveState("cat_cow", count=9), True),
        (PLANK_20_S, LiveState("plank", hold_s=19.9), False),
        (PLANK_20_S, LiveState("plank", hold_s=20.0), True),
    ],
)
def test_a_step_ends_when_its_target_is_reached(
    step: RoutineStep, state: LiveState, reached: bool
) -> None:
    assert target_reached(step, state) is reached


# ------------------------------------------------------------------------ the command line


def test_two_cameras_are_neither_one_nor_one_per_exercise() -> None:
    result = CliRunner().invoke(
        app, ["routine", "--no-window", "--camera", str(BRIDGE), "--camera", str(PLANK)]
    )
    assert result.exit_code == 2, result.output
    (line,) = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert line.startswith("error:") and "one video per exercise" in line


def test_a_camera_that_cannot_be_opened_stops_the_routine_before_it_starts(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        app, ["routine", "--no-window", "--camera", "9", "--json", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 4, result.output
    (line,) = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert re.match(r"error: camera 9 could not be opened \(cameras found: .+\)$", line), line
    assert not (tmp_path / "r.json").exists()


@pytest.mark.slow
def test_the_routine_runs_end_to_end_over_three_videos(tmp_path: Path) -> None:
    report_path = tmp_path / "routine.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "formcheck",
            "routine",
            "--no-window",
            "--mute",
            "--camera",
            str(BRIDGE),
            "--camera",
            str(PLANK),
            "--camera",
            str(CAT_COW),
            "--json",
            str(report_path),
            *SHORT,
            "--set",
            "routine.bridge_reps=2",
            "--set",
            "routine.plank_target_s=4",
            "--set",
            "routine.cat_cow_rounds=2",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=200,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(report_path.read_text())
    sets = report["sets"]
    assert [s["exercise"] for s in sets] == ["glute_bridge", "plank", "cat_cow"]
    assert sets[0]["summary"]["rep_count"] == 2
    assert sets[2]["summary"]["rep_count"] == 2  # rounds
    (hold,) = sets[1]["holds"]
    assert hold["kind"] == "plank" and hold["duration_s"] >= 4.0
    # one timeline: the sets follow each other, with the rests between them
    assert sets[0]["end_s"] < sets[1]["start_s"] < sets[1]["end_s"] < sets[2]["start_s"]
    routine = report["routine"]
    assert routine["completed"] is True and routine["knee_plank"] is False
    assert [(s["exercise"], s["ended"], s["achieved"]) for s in routine["steps"]] == [
        ("glute_bridge", "target_reached", 2.0),
        ("plank", "target_reached", pytest.approx(4.0, abs=0.2)),
        ("cat_cow", "target_reached", 2.0),
    ]
    assert report["live"]["ended"] == "finished"
    assert report["source"]["name"].count(" + ") == 2
    # what the user saw: the safety note, each exercise announced, a summary at the end
    out = done.stdout
    assert SAFETY_NOTE[1] in out
    for title in ("Glute bridges", "Forearm plank", "Cat-cow"):
        assert f"{title}: go" in out
    assert "Rest 1 s. Next: Forearm plank" in out
    assert "Routine summary" in out and "Glute bridges: 2 reps (target 2 reps)" in out
    # the targets ended each video early: far less video was played than the three clips hold
    # (73 s); measured on the videos' own clock, not the machine's, which a busy machine slows
    assert report["source"]["duration_s"] < 70


@pytest.mark.slow
def test_ctrl_c_during_the_routine_writes_the_report_of_what_was_done(tmp_path: Path) -> None:
    report_path = tmp_path / "routine.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "formcheck",
            "routine",
            "--no-window",
            "--mute",
            "--camera",
            str(BRIDGE),
            "--json",
            str(report_path),
            *SHORT,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # one video for the whole routine: Ctrl-C after the first rep
        if re.search(r"\b1 reps\b", line):
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "error: interrupted" in err and str(report_path) in err
    report = json.loads(report_path.read_text())
    assert report["source"]["interrupted"] is True
    assert [s["exercise"] for s in report["sets"]] == ["glute_bridge"]
    assert report["sets"][0]["summary"]["rep_count"] >= 1
    steps = report["routine"]["steps"]
    assert [(s["exercise"], s["ended"]) for s in steps] == [
        ("glute_bridge", "stopped"),
        ("plank", "not_started"),
        ("cat_cow", "not_started"),
    ]
    assert report["routine"]["completed"] is False
