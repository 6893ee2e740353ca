"""The camera-tilt estimate: the pure pieces, the analyzers' use of it, and the report block.

The real model on rendered clips of known tilt is checked in tests/test_accuracy.py (the steep
samples are flagged, the low ones are not).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from formcheck.analysis import analyze_series
from formcheck.analysis.plank import PlankAnalyzer
from formcheck.config import load_config
from formcheck.measure.camera import (
    LOWER_CAMERA,
    MIN_FRAMES,
    OFFSET_DEG,
    SCALE,
    CameraView,
    frame_lateral,
    raw_lateral_tilt_deg,
    summarise,
)
from formcheck.pose.landmarks import PoseSeries
from formcheck.report.report import build_report
from formcheck.report.report_sections import camera_html
from tests import synthetic


def _lateral(tilt_deg: float) -> np.ndarray:
    """A left-right axis pointing away from the camera, raised by ``tilt_deg`` in its view
    (MediaPipe world: y down, z away)."""
    a = math.radians(tilt_deg)
    return np.array([0.02, -math.sin(a), math.cos(a)])


@pytest.mark.parametrize("tilt", [0.0, 7.0, 20.0, 35.0])
def test_raw_tilt_is_the_axis_elevation_towards_the_depth(tilt: float) -> None:
    vecs = np.stack([_lateral(tilt) * k for k in (0.3, 0.2, 0.35)])
    assert raw_lateral_tilt_deg(vecs) == pytest.approx(tilt, abs=0.01)
    # the far side may sit either way round (left or right facing the camera)
    assert raw_lateral_tilt_deg(-vecs) == pytest.approx(tilt, abs=0.01)


def test_raw_tilt_skips_missing_pairs_and_is_nan_without_any() -> None:
    vecs = np.stack([_lateral(12.0), np.full(3, np.nan)])
    assert raw_lateral_tilt_deg(vecs) == pytest.approx(12.0, abs=0.01)
    assert math.isnan(raw_lateral_tilt_deg(np.full((6, 3), np.nan)))


def test_frame_lateral_takes_left_minus_right_of_each_pair() -> None:
    world = np.zeros((33, 3))
    world[11] = (0.0, -0.1, 0.2)  # left shoulder
    world[12] = (0.0, 0.0, 0.0)  # right shoulder
    lat = frame_lateral(world)
    assert lat.shape == (6, 3)
    np.testing.assert_allclose(lat[0], (0.0, -0.1, 0.2))


def test_view_waits_for_enough_frames_then_gives_a_calibrated_median() -> None:
    view = CameraView(max_tilt_deg=25.0)
    for _ in range(MIN_FRAMES - 1):
        view.add(10.0)
    assert math.isnan(view.tilt_deg)
    assert view.block()["within_accuracy"] is None
    view.add(float("nan"))  # ignored
    view.add(10.0)
    view.add(80.0)  # one wild frame does not move a median
    assert view.tilt_deg == pytest.approx(SCALE * 10.0 + OFFSET_DEG)
    block = view.block()
    assert block["within_accuracy"] is True and "advice" not in block
    assert block["frames"] == MIN_FRAMES + 1


def test_a_steep_view_is_flagged_with_advice() -> None:
    view = CameraView(max_tilt_deg=25.0)
    for _ in range(40):
        view.add(30.0)
    assert view.too_steep
    block = view.block()
    assert block["within_accuracy"] is False
    assert block["advice"] == LOWER_CAMERA
    assert block["tilt_deg"] > 25.0


def test_summary_takes_the_steepest_set_and_needs_every_set_within() -> None:
    low = {"tilt_deg": 9.0, "max_tilt_deg": 25.0, "frames": 90, "within_accuracy": True}
    high = {"tilt_deg": 31.0, "max_tilt_deg": 25.0, "frames": 50, "within_accuracy": False}
    unknown = {"tilt_deg": None, "max_tilt_deg": 25.0, "frames": 3, "within_accuracy": None}
    assert summarise([low, unknown]) == {
        "tilt_deg": 9.0,
        "max_tilt_deg": 25.0,
        "within_accuracy": True,
    }
    both = summarise([low, high])
    assert both["tilt_deg"] == 31.0 and both["within_accuracy"] is False
    assert both["advice"] == LOWER_CAMERA
    assert summarise([]) == {"tilt_deg": None, "max_tilt_deg": None, "within_accuracy": None}


def _tilted(series: PoseSeries, tilt_deg: float) -> PoseSeries:
    """The series seen by a camera pitched down by ``tilt_deg``: its world landmarks turned
    about the camera's x axis (y down, z away), so the body's left-right axis rises in view."""
    a = math.radians(tilt_deg)
    rot = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    world = series.world @ rot.T
    return PoseSeries(
        timestamps_ms=series.timestamps_ms,
        landmarks=series.landmarks,
        world=world.astype(np.float32),
        image_size=series.image_size,
        metadata=series.metadata,
        back=series.back,
    )


def test_a_plank_seen_from_above_says_so_live_and_in_its_set_block() -> None:
    series = synthetic.render(synthetic.plank(hold_s=12.0), fps=30)
    level = analyze_series(series, "plank")
    assert level.sets[0]["camera"]["within_accuracy"] is True
    steep_series = _tilted(series, 35.0)
    analyzer = PlankAnalyzer()
    statuses = []
    for frame in steep_series:
        analyzer.update(frame)
        statuses.append(analyzer.state.status)
    assert LOWER_CAMERA in statuses
    block = analyzer.set_block()["camera"]
    assert block["within_accuracy"] is False and block["tilt_deg"] > 25.0
    # the figures are still given: the hold is timed as from the level camera
    steep = analyze_series(steep_series, "plank")
    assert steep.sets[0]["holds"] and len(steep.sets[0]["holds"]) == len(level.sets[0]["holds"])


def test_the_limit_is_a_setting() -> None:
    series = _tilted(synthetic.render(synthetic.plank(hold_s=12.0), fps=30), 35.0)
    lenient = load_config(overrides=["plank.max_camera_tilt_deg=60"])
    block = analyze_series(series, "plank", lenient).sets[0]["camera"]
    assert block["within_accuracy"] is True and block["max_tilt_deg"] == 60.0


def test_report_carries_the_camera_block_and_the_page_explains_it() -> None:
    series = _tilted(synthetic.render(synthetic.plank(hold_s=12.0), fps=30), 35.0)
    analysis = analyze_series(series, "plank")
    report = build_report(series, analysis.sets, exercise="plank")
    cam = report["camera"]
    assert cam["within_accuracy"] is False and cam["advice"] == LOWER_CAMERA
    page = camera_html(report)
    assert "camera-steep" in page and "lower the camera" in page
    level = synthetic.render(synthetic.plank(hold_s=12.0), fps=30)
    report = build_report(level, analyze_series(level, "plank").sets, exercise="plank")
    assert report["camera"]["within_accuracy"] is True
    assert "within their stated accuracy" in camera_html(report)


def test_analyze_says_when_a_real_video_was_filmed_too_steeply(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The real model on a rendered bridge filmed from 1.1 m up, 0.8 m away (46 deg down):
    the printed summary, the JSON and the HTML report all say the angles are rough."""
    from typer.testing import CliRunner

    from formcheck.cli import app

    sample = Path(__file__).resolve().parents[1] / "samples" / "bridge_over_arch_left.mp4"
    if not sample.exists():
        pytest.skip("samples/ is not here")
    out = tmp_path / "r.json"
    html = tmp_path / "r.html"
    result = CliRunner().invoke(
        app,
        ["analyze", str(sample), "--json", str(out), "--html", str(html), "--no-history"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "camera looked down about" in result.stdout
    assert "lower the camera to about hip height" in result.stdout
    report = json.loads(out.read_text())
    assert report["camera"]["within_accuracy"] is False
    assert report["camera"]["tilt_deg"] > report["camera"]["max_tilt_deg"]
    (bridge,) = report["sets"]
    assert bridge["camera"]["within_accuracy"] is False and bridge["reps"]
    assert "camera-steep" in html.read_text()
