"""The command line through Typer's CliRunner, and ``python -m formcheck`` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from formcheck import __version__, load_track
from formcheck.cli import app

runner = CliRunner()


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"formcheck {__version__}"
    result = runner.invoke(app, ["-h"])
    assert result.exit_code == 0
    for command in ("track", "analyze", "models"):
        assert command in result.stdout


def test_models_shows_and_verifies_the_default() -> None:
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0
    assert "pose_landmarker_full.task" in result.stdout and "checksum  OK" in result.stdout


def test_track_then_analyze_the_track(messi_video: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.npz"
    result = runner.invoke(app, ["track", str(messi_video), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "50 frames" in result.stdout
    series = load_track(out)
    assert series.landmarks.shape == (50, 33, 4)
    report_path = tmp_path / "r.json"
    result = runner.invoke(app, ["analyze", str(out), "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "70% of frames" in result.stdout  # 35 of 50 frames show the person
    report = json.loads(report_path.read_text())
    assert report["schema"] == "formcheck.report/1"
    assert report["source"]["frames"] == 50 and report["source"]["fps"] == pytest.approx(25.0, 0.01)
    assert report["coverage"]["measured_fraction"] == pytest.approx(0.7)
    [(start, end)] = report["coverage"]["gaps"]
    assert start == pytest.approx(0.8) and end == pytest.approx(1.4)


def test_analyze_a_video_directly(messi_video: Path) -> None:
    result = runner.invoke(app, ["analyze", str(messi_video)])
    assert result.exit_code == 0, result.output
    assert "measurable 70% of frames" in result.stdout
    assert "No bridge, plank or cat-cow set was recognised" in result.stdout  # a footballer
    assert "not measurable (body not fully in view): 0.8-1.4 s" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notavideo.txt", b"hello\n", "not a video"),
        ("missing.mp4", None, "no such file"),
        ("empty.mp4", b"", "empty"),
        ("fake.mp4", b"definitely text\n" * 50, "not a video"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(tmp_path: Path, name, content, message) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert "Traceback" not in result.output


def test_unwritable_output_fails_before_the_model_runs(messi_video: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["track", str(messi_video), "-o", str(tmp_path / "no/dir/t.npz")])
    assert result.exit_code == 5 and "does not exist" in result.output
    result = runner.invoke(app, ["track", str(messi_video), "-o", str(tmp_path / "t.json")])
    assert result.exit_code == 1 and ".npz" in result.output


def test_python_dash_m_runs_the_cli_with_one_line_errors(tmp_path: Path) -> None:
    bogus = tmp_path / "notavideo.txt"
    bogus.write_text("hello")
    done = subprocess.run(
        [sys.executable, "-m", "formcheck", "analyze", str(bogus)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and done.stderr.startswith("error:")


def test_track_of_a_still_image(messi_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "still.npz"
    result = runner.invoke(app, ["track", str(messi_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    series = load_track(out)
    assert len(series) == 1 and np.isfinite(series.landmarks[0, 23, :2]).all()


def test_config_show_prints_effective_values_with_units(tmp_path: Path) -> None:
    result = runner.invoke(app, ["config", "show", "--set", "plank.sag_deg=12"])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.stdout.splitlines() if "plank.sag_deg" in ln)
    assert "12" in line and "deg" in line
    toml = tmp_path / "mine.toml"
    toml.write_text("[plank]\nsag_deg = 8\n[bridge]\nrise_top_deg = 14\n")
    result = runner.invoke(app, ["config", "show", "--config", str(toml),
                                 "--set", "bridge.rise_top_deg=15"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "8" in next(ln for ln in lines if "plank.sag_deg" in ln)
    assert "15" in next(ln for ln in lines if "bridge.rise_top_deg" in ln)  # --set wins


def test_config_example_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "example.toml"
    result = runner.invoke(app, ["config", "example", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("# formcheck configuration")
    result = runner.invoke(app, ["config", "show", "--config", str(out)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "plank.nope=1"], "unknown key plank.nope"),
        (["--set", "plank.sag_deg=soft"], "is not a number"),
        (["--set", "nonsense"], "expected SECTION.KEY=VALUE"),
    ],
)
def test_bad_settings_are_one_line_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["config", "show", *args])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0]


def test_analyze_a_track_as_a_named_exercise_writes_schema_v1(tmp_path: Path) -> None:
    from formcheck import PoseSeries, save_track

    from .synthetic import plank, render

    track = tmp_path / "plank.npz"
    save_track(PoseSeries.from_frames(list(render(plank(8.0), fps=15))), track)
    report_path = tmp_path / "r.json"
    result = runner.invoke(app, ["analyze", str(track), "-e", "plank", "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "Forearm plank" in result.stdout and "held" in result.stdout
    report = json.loads(report_path.read_text())
    assert report["exercise_requested"] == "plank"
    (plank_set,) = report["sets"]
    assert plank_set["exercise"] == "plank" and len(plank_set["holds"]) == 1
    for key in ("rep_count", "hold_s", "good_form_s"):
        assert key in report["summary"] and key in plank_set["summary"]
    assert set(report["coverage"]) == {"measured_fraction", "gaps"}
