"""``formcheck analyze`` writes every export a user asks for, and stores the session.

Real model on real sample videos (thinned with --max-fps where the point is not the model).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import av
import cv2
import pytest
from typer.testing import CliRunner

from formcheck.cli import app
from tests.conftest import REPO

runner = CliRunner()
SAMPLES = REPO / "samples"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("exports")
    db = folder / "history.sqlite3"
    args = ["analyze", str(SAMPLES / "bridge_partial_right.mp4"), "--max-fps", "10"]
    for flag, name in [
        ("--json", "r.json"),
        ("--html", "r.html"),
        ("--csv", "reps.csv"),
        ("--frames-csv", "frames.csv"),
    ]:
        args += [flag, str(folder / name)]
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return folder, result.stdout


def test_every_export_is_written_and_agrees_with_the_json(exports: tuple[Path, str]) -> None:
    folder, stdout = exports
    report = json.loads((folder / "r.json").read_text())
    [bridge] = report["sets"]
    assert report["summary"]["rep_count"] == 5
    # the report carries the key measure over time (what the HTML plots)
    trace = bridge["trace"]
    assert len(trace["t_s"]) == len(trace["values"]) > 100
    assert max(v for v in trace["values"] if v is not None) > 170  # hips up to straight
    with (folder / "reps.csv").open(newline="") as f:
        reps = list(csv.DictReader(f))
    assert [int(r["index"]) for r in reps] == [r["index"] for r in bridge["reps"]]
    assert [r["faults"] for r in reps].count("partial_rep") == 2
    with (folder / "frames.csv").open(newline="") as f:
        frames = list(csv.DictReader(f))
    assert len(frames) >= 0.9 * report["source"]["frames"]
    html = (folder / "r.html").read_text()
    assert 'id="plot-0"' in html and "bridge_partial_right.mp4" in html
    for what, name in [
        ("report", "r.json"),
        ("HTML report", "r.html"),
        ("CSV", "reps.csv"),
        ("per-frame CSV", "frames.csv"),
    ]:
        assert f"{what} written to {folder / name}" in stdout


def test_the_analysis_is_stored_in_the_history(exports: tuple[Path, str]) -> None:
    folder, _ = exports
    result = runner.invoke(app, ["history", "--db", str(folder / "history.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "analyze" in result.stdout and "1 session(s)" in result.stdout
    shown = runner.invoke(app, ["show", "last", "--json", "--db", str(folder / "history.sqlite3")])
    assert shown.exit_code == 0, shown.output
    session = json.loads(shown.stdout)
    assert session["kind"] == "analyze" and session["summary"]["rep_count"] == 5


def test_no_history_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    clip = str(SAMPLES / "standing_still.mp4")
    args = ["analyze", clip, "--max-fps", "5", "--no-history", "--db", str(db)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not db.exists()


def test_annotate_writes_an_h264_video_of_every_frame(tmp_path: Path) -> None:
    # the first 6 s of a bridge at 15 fps: one rep, 90 frames
    cap = cv2.VideoCapture(str(SAMPLES / "bridge_5reps_left.mp4"))
    native = cap.get(cv2.CAP_PROP_FPS)
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 480))
    i = 0
    while i < 6 * native:
        ok, image = cap.read()
        if not ok:
            break
        if i % round(native / 15) == 0:
            writer.write(image)
        i += 1
    writer.release()
    out = tmp_path / "annotated.mp4"
    result = runner.invoke(
        app, ["analyze", str(clip), "--annotate", str(out), "--json", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = sum(1 for _ in container.decode(stream))
    assert frames == report["source"]["frames"] >= 85
    assert report["summary"]["rep_count"] == 1


def test_annotate_refuses_max_fps_and_tracks(tmp_path: Path) -> None:
    clip = str(SAMPLES / "standing_still.mp4")
    out = str(tmp_path / "a.mp4")
    result = runner.invoke(app, ["analyze", clip, "--annotate", out, "--max-fps", "10"])
    assert result.exit_code == 2 and "--max-fps" in result.output
    assert not Path(out).exists()
