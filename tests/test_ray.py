"""``--engine ray``: the same reports and index as the local engine, on a local Ray instance.

Three samples cut short (the real model runs on each, in Ray's worker processes), one file that
is not a video. Ray runs on this machine only (``ray.init(num_cpus=2)``, no dashboard). A local
Ray still talks to itself through the machine's own network address when it has one (not
loopback), so the tests that start Ray run only in a network namespace that has nothing but
loopback; ``.ci/run`` runs them so::

    unshare --net sh -c 'ip link set lo up && .venv/bin/pytest tests/test_ray.py'

Elsewhere they skip, as they do where Ray is not installed (``pip install 'formcheck[ray]'``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from formcheck.cli import app
from tests.conftest import REPO, cut_sample

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

runner = CliRunner()
SAMPLES = REPO / "samples"
CUT_S = 8.0
#: Three exercises, so the cat-cow outline (segmentation masks) runs on the workers too.
CLIPS = ("bridge_5reps_left.mp4", "plank_good_left.mp4", "catcow_5rounds_left.mp4")
#: What differs between two runs of the same analysis: when it ran.
VOLATILE = {"created_at"}


def loopback_only() -> bool:
    """Is loopback the only network interface here (a private network namespace)?"""
    import socket

    return [name for _, name in socket.if_nameindex()] == ["lo"]


@pytest.fixture(scope="module")
def ray_local():
    if not loopback_only():
        pytest.skip(
            "Ray's node traffic would use this machine's network address: run these tests in "
            "a loopback-only namespace (unshare --net; see the module docstring and .ci/run)"
        )
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first seconds of three samples, and a broken file."""
    folder = tmp_path_factory.mktemp("week")
    for name in CLIPS:
        cut_sample(SAMPLES / name, CUT_S, folder / name)
    (folder / "broken.mp4").write_text("not a video")
    return folder


def _index(out_dir: Path) -> dict[str, dict[str, str]]:
    with (out_dir / "index.csv").open() as f:
        return {Path(row["input"]).name: row for row in csv.DictReader(f)}


def _stable(value: Any) -> Any:
    """A report without the keys that say when it was made."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _analyze(*args: str) -> Any:
    result = runner.invoke(app, ["analyze", *args])
    assert "Traceback" not in result.output, result.output
    return result


def test_ray_gives_the_local_engine_s_reports_and_index(
    ray_local: None, week: Path, tmp_path: Path
) -> None:
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    first = _analyze(str(week), "--out-dir", str(local), "--jobs", "2")
    assert first.exit_code == 1, first.output  # broken.mp4 failed, the others finished
    second = _analyze(str(week), "--out-dir", str(on_ray), "--engine", "ray")
    assert second.exit_code == 1, second.output
    assert "Ray tasks" in second.output
    assert sorted(p.name for p in on_ray.iterdir()) == sorted(p.name for p in local.iterdir())
    rows_local, rows_ray = _index(local), _index(on_ray)
    assert set(rows_ray) == {*CLIPS, "broken.mp4"}
    for name, row in rows_local.items():
        assert {k: v for k, v in rows_ray[name].items() if k != "seconds"} == {
            k: v for k, v in row.items() if k != "seconds"
        }, name
    assert rows_ray["broken.mp4"]["status"] == "failed"
    assert "broken.mp4" in rows_ray["broken.mp4"]["message"]
    assert {rows_ray[c]["status"] for c in CLIPS} == {"done"}
    assert sum(int(rows_ray[c]["sets"]) for c in CLIPS) >= 2  # exercises were recognised
    for clip in CLIPS:
        report = Path(clip).with_suffix(".json").name
        a = json.loads((local / report).read_text())
        b = json.loads((on_ray / report).read_text())
        assert _stable(b) == _stable(a), clip
        assert clip in (on_ray / Path(clip).with_suffix(".html").name).read_text()


def test_ray_resumes_and_force_redoes(ray_local: None, week: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    folder = tmp_path / "two"
    folder.mkdir()
    for name in CLIPS[:2]:
        shutil.copy(week / name, folder / name)
    assert _analyze(str(folder), "--out-dir", str(out), "--engine", "ray").exit_code == 0
    before = (out / "plank_good_left.json").stat().st_mtime_ns
    again = _analyze(str(folder), "--out-dir", str(out), "--engine", "ray")
    assert again.exit_code == 0, again.output
    assert {r["status"] for r in _index(out).values()} == {"skipped"}
    assert (out / "plank_good_left.json").stat().st_mtime_ns == before
    forced = _analyze(str(folder), "--out-dir", str(out), "--engine", "ray", "--force")
    assert forced.exit_code == 0, forced.output
    assert {r["status"] for r in _index(out).values()} == {"done"}
    assert (out / "plank_good_left.json").stat().st_mtime_ns != before
    from formcheck.history.history import History

    with History() as history:  # the driver stored each finished report once per run
        assert len(history.sessions()) == 4


def test_ctrl_c_cancels_the_pending_tasks_and_indexes_what_finished(
    ray_local: None, week: Path, tmp_path: Path
) -> None:
    from formcheck.run.batch import prepare_batch
    from formcheck.run.ray_engine import run_batch_ray
    from formcheck.run.recording import RecordingOptions

    out = tmp_path / "reports"
    plan = prepare_batch([week / c for c in CLIPS], out)
    finished: list[str] = []

    def stop_after_the_first(job: Any) -> None:
        finished.append(job.source.name)
        raise KeyboardInterrupt

    result = run_batch_ray(
        plan, out, RecordingOptions(), workers=1, on_job_done=stop_after_the_first
    )
    assert result.interrupted
    rows = _index(out)
    assert rows[finished[0]]["status"] == "done"
    assert (out / Path(finished[0]).with_suffix(".json").name).exists()
    others = [c for c in CLIPS if c != finished[0]]
    assert [rows[c]["status"] for c in others] == ["interrupted", "interrupted"]
    assert not any((out / Path(c).with_suffix(".json").name).exists() for c in others)


def test_address_without_ray_engine_is_a_usage_error(week: Path, tmp_path: Path) -> None:
    result = _analyze(str(week), "--address", "auto", "--out-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "--engine ray" in result.output
