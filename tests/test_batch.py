"""Less work when it is enough (--max-fps, scaling big frames down) and batches of recordings.

Real model, real videos: the samples and videos written on the fly.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.media.sources import Frame, Prefetcher, SourceInfo
from tests.conftest import REPO

runner = CliRunner()
SAMPLES = REPO / "samples"


class _Clock:
    """A fake source whose frames arrive at the given timestamps."""

    def __init__(self, stamps: list[int]) -> None:
        self.info = SourceInfo("clock", "video", 8, 8, 30.0, len(stamps))
        self.stamps = stamps

    def __iter__(self):
        for i, ts in enumerate(self.stamps):
            yield Frame(np.zeros((8, 8, 3), np.uint8), ts, i)


def test_max_fps_thins_by_time_not_by_frame_count() -> None:
    sixty = [round(i * 1000 / 60) for i in range(120)]  # 2 s at 60 fps
    with Prefetcher(_Clock(sixty), max_fps=15) as frames:  # type: ignore[arg-type]
        kept = [f.timestamp_ms for f in frames]
    assert len(kept) == 30
    assert np.allclose(np.diff(kept), 1000 / 15, atol=1)
    # a variable rate: bursts and gaps; kept frames are never closer than ~1/15 s
    vfr = sorted({*range(0, 500, 10), *range(500, 2000, 100)})
    with Prefetcher(_Clock(vfr), max_fps=15) as frames:  # type: ignore[arg-type]
        kept = [f.timestamp_ms for f in frames]
    assert min(np.diff(kept)) >= 0.95 * 1000 / 15 - 1
    assert kept[-1] == 1900  # the sparse part is kept whole
    with Prefetcher(_Clock(sixty)) as frames:  # type: ignore[arg-type]
        assert len(list(frames)) == 120  # no limit: every frame
    # 30 fps whose timestamps jitter by up to 6 ms: the default cap of 30 keeps every frame
    rng = np.random.default_rng(3)
    jittery = [round(i * 1000 / 30 + rng.uniform(-6, 6)) for i in range(90)]
    with Prefetcher(_Clock(jittery), max_fps=30) as frames:  # type: ignore[arg-type]
        assert [f.timestamp_ms for f in frames] == jittery
    # 60 fps thinned to 30 keeps every other frame
    with Prefetcher(_Clock(sixty), max_fps=30) as frames:  # type: ignore[arg-type]
        assert [f.timestamp_ms for f in frames] == sixty[::2]
    # 40 fps under a cap of 30: at most 30 a second, never more
    forty = [round(i * 1000 / 40) for i in range(400)]  # 10 s
    with Prefetcher(_Clock(forty), max_fps=30) as frames:  # type: ignore[arg-type]
        kept = [f.timestamp_ms for f in frames]
    assert 290 <= len(kept) <= 301


def test_max_fps_halves_the_frames_and_keeps_the_counts(tmp_path: Path) -> None:
    clip = SAMPLES / "bridge_5reps_left.mp4"  # 30 fps, 5 reps
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["analyze", str(clip), "--max-fps", "15", "--json", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    truth = json.loads(clip.with_suffix(".json").read_text())
    assert data["source"]["frames"] == pytest.approx(truth["frame_count"] / 2, abs=2)
    assert data["summary"]["rep_count"] == len(truth["reps"])
    assert data["summary"]["warning_count"] == 0


def test_big_frames_are_scaled_down_but_landmarks_stay_in_original_pixels(
    tmp_path: Path,
) -> None:
    from formcheck.pose.estimator import PoseOptions
    from formcheck.run.pipeline import track_file

    cap = cv2.VideoCapture(str(SAMPLES / "plank_good_left.mp4"))
    frames = []
    for _ in range(12):
        ok, image = cap.read()
        assert ok
        frames.append(image)
    cap.release()
    small = tmp_path / "small.mp4"
    big = tmp_path / "big.mp4"
    for path, scale in ((small, 1), (big, 4)):  # 640x480 and 2560x1920
        h, w = frames[0].shape[:2]
        writer = cv2.VideoWriter(
            str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (w * scale, h * scale)
        )
        for image in frames:
            writer.write(cv2.resize(image, (w * scale, h * scale), interpolation=cv2.INTER_CUBIC))
        writer.release()
    a = track_file(small)
    b = track_file(big, options=PoseOptions(max_side=1280))
    assert b.image_size == (2560, 1920)
    seen = a.person_mask & b.person_mask
    assert seen.sum() >= 10
    # the same person, at 4x the pixel coordinates (within a few small-video pixels)
    err = np.abs(b.landmarks[seen, :, :2] / 4 - a.landmarks[seen, :, :2])
    vis = (a.landmarks[seen, :, 3] > 0.8) & (b.landmarks[seen, :, 3] > 0.8)
    assert np.nanmedian(err[vis]) < 4.0
    # the back outline is scaled back to the original pixels too
    assert b.back is not None and np.isfinite(b.back[seen]).any()
    assert np.nanmedian(np.abs(b.back[seen] / 4 - a.back[seen])) < 6.0


def _index(out_dir: Path) -> dict[str, dict[str, str]]:
    with (out_dir / "index.csv").open() as f:
        return {Path(row["input"]).name: row for row in csv.DictReader(f)}


def test_a_batch_writes_a_report_each_and_an_index_and_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "week"
    folder.mkdir()
    for name in ("standing_still.mp4", "lying_still.mp4"):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "broken.mp4").write_text("not a video")
    (folder / "notes.txt").write_text("ignored: not a video")
    out = tmp_path / "reports"
    result = runner.invoke(app, ["analyze", str(folder), "--out-dir", str(out), "--jobs", "2"])
    assert result.exit_code == 1, result.output  # one input failed, the others finished
    assert "Traceback" not in result.output
    rows = _index(out)
    assert set(rows) == {"standing_still.mp4", "lying_still.mp4", "broken.mp4"}
    assert rows["broken.mp4"]["status"] == "failed"
    assert "broken.mp4" in rows["broken.mp4"]["message"]
    for name in ("standing_still", "lying_still"):
        assert rows[f"{name}.mp4"]["status"] == "done"
        report = json.loads((out / f"{name}.json").read_text())
        assert report["schema"] == "formcheck.report/1"
        assert report["sets"] == []  # nobody exercising
        assert float(rows[f"{name}.mp4"]["measured_fraction"]) > 0.5
    assert sorted(p.name for p in out.iterdir()) == [
        "index.csv",
        "lying_still.html",
        "lying_still.json",
        "standing_still.html",
        "standing_still.json",
    ]
    assert "standing_still.mp4" in (out / "standing_still.html").read_text()
    assert _stored_sources() == ["lying_still.mp4", "standing_still.mp4"]  # in the history
    before = (out / "lying_still.json").stat().st_mtime_ns
    # again: the finished ones are skipped, the broken one is tried again
    again = runner.invoke(app, ["analyze", str(folder), "--out-dir", str(out)])
    assert again.exit_code == 1
    rows = _index(out)
    assert rows["lying_still.mp4"]["status"] == "skipped"
    assert (out / "lying_still.json").stat().st_mtime_ns == before
    assert len(_stored_sources()) == 2  # skipped inputs are not stored again
    # --force redoes them
    (folder / "broken.mp4").unlink()
    forced = runner.invoke(app, ["analyze", f"{folder}/*.mp4", "--out-dir", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    rows = _index(out)
    assert {r["status"] for r in rows.values()} == {"done"}
    assert (out / "lying_still.json").stat().st_mtime_ns != before


def _stored_sources() -> list[str]:
    from formcheck.history.history import History

    with History() as history:  # $FORMCHECK_DB: this test's own database
        return sorted(Path(row.source).name for row in history.sessions())


def test_json_with_several_inputs_is_a_usage_error(tmp_path: Path) -> None:
    clip = str(SAMPLES / "standing_still.mp4")
    result = runner.invoke(app, ["analyze", clip, clip, "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert "--out-dir" in result.output
    html = runner.invoke(app, ["analyze", clip, clip, "--html", str(tmp_path / "r.html")])
    assert html.exit_code == 2 and "--html" in html.output


def test_the_line_printed_for_a_file_holds_planks_only() -> None:
    """A bridge's pauses at the top count as hold time in the report's summary; the one-line
    result of a file with a plank and a bridge says how long the planks were held."""
    from formcheck.report.summary import batch_line
    from formcheck.run.batch import summarize

    plank = {"exercise": "plank", "summary": {"hold_s": 18.2, "good_form_s": 15.0}}
    bridge = {"exercise": "glute_bridge", "summary": {"hold_s": 7.1, "good_form_s": 7.1}}
    report = {
        "sets": [plank, bridge],
        "summary": {"rep_count": 6, "hold_s": 25.3, "good_form_s": 22.1},
    }
    line = batch_line(summarize(report))
    assert line == "plank glute_bridge, 6 reps/rounds, plank held 18.2 s (15.0 s good form)"
    assert batch_line(summarize({"sets": [bridge], "summary": {"rep_count": 6}})) == (
        "glute_bridge, 6 reps/rounds"
    )
