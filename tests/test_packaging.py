"""The default model is found however formcheck is installed: editable, or as a built wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from formcheck.pose.models import DEFAULT_MODEL_SHA256

REPO = Path(__file__).resolve().parents[1]


def test_editable_install_finds_the_repository_model() -> None:
    from formcheck import resolve_model

    info = resolve_model()
    assert info.sha256 == DEFAULT_MODEL_SHA256


@pytest.mark.slow
def test_wheel_carries_the_model_and_finds_it(tmp_path: Path) -> None:
    pytest.importorskip("build")
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = dist.glob("formcheck-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "formcheck/_models/pose_landmarker_full.task" in archive.namelist()
        # formcheck serve's pages are package data, served from the installed package
        for page in ("live.html", "live.js", "overlay.js", "style.css", "analyze.html"):
            assert f"formcheck/web/static/{page}" in archive.namelist()
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (
        "import formcheck, formcheck.pose.models as m; info = m.resolve_model(); "
        "print(formcheck.__file__); print(info.path); print(info.sha256)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    package_file, model_path, digest = done.stdout.split()
    assert package_file.startswith(str(target))
    assert model_path == str(target / "formcheck" / "_models" / "pose_landmarker_full.task")
    assert digest == DEFAULT_MODEL_SHA256
