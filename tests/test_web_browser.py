"""formcheck serve in a real browser: Debian's Chromium (driven by Playwright) with a sample video
as its camera, against the real server and the real pose model.

The live page fed a bridge sample counts the reps ``formcheck analyze`` counts (within one: the
page starts sending once the model is loaded); a plank sample runs the hold timer; the picture
carries the skeleton and the counter (checked in the pixels); an upload gives the report
``formcheck analyze`` gives; a text file is refused and leaves nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from tests.web_helpers import SAMPLES, Served, chromium, need_browser, run_server, y4m_clip

pytestmark = pytest.mark.slow

BRIDGE = "bridge_5reps_left.mp4"
PLANK = "plank_good_left.mp4"


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_browser()
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    need_browser()
    with run_server(tmp_path_factory.mktemp("web")) as server:
        yield server


def cli_report(sample: str, tmp_path: Path) -> dict[str, Any]:
    """What ``formcheck analyze SAMPLE --json`` writes."""
    from formcheck.cli import app

    out = tmp_path / f"{Path(sample).stem}.json"
    result = CliRunner().invoke(
        app, ["analyze", str(SAMPLES / sample), "--json", str(out), "--no-history"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def live(page: Any, served: Served, query: str, seconds: float) -> dict[str, Any]:
    """Open the live page, Start, let the camera play ``seconds`` of the clip, Stop."""
    page.goto(f"{served.url}/live{query}")
    page.get_by_test_id("start").click()
    page.wait_for_function("window.formcheck.stats.firstFrameAt !== null", timeout=90_000)
    left = seconds * 1000 - page.evaluate("performance.now() - window.formcheck.stats.cameraAt")
    page.wait_for_timeout(max(0.0, left))
    page.get_by_test_id("stop").click()
    page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
    return page.evaluate("window.formcheck.ended")  # type: ignore[no-any-return]


def test_live_bridge_counts_the_reps_analyze_counts(
    served: Served, clips: Path, tmp_path: Path
) -> None:
    expected = cli_report(BRIDGE, tmp_path)["summary"]["rep_count"]
    duration = 25.9  # the clip's length: the fake camera loops after it
    with chromium(y4m_clip(BRIDGE, clips)) as browser:
        page = browser.new_page()
        ended = live(page, served, "?exercise=glute_bridge", duration - 0.4)
        shown = int(page.get_by_test_id("count").inner_text())
    assert ended["type"] == "ended" and ended["ended"] == "quit"
    assert abs(ended["summary"]["rep_count"] - expected) <= 1, (ended, expected)
    assert shown == ended["summary"]["rep_count"]
    sessions = served.api("/api/sessions").json()
    mine = next(s for s in sessions if s["id"] == ended["session_id"])
    assert mine["kind"] == "live" and mine["status"] == "complete"
    assert mine["exercises"] == ["glute_bridge"]
    assert mine["summary"]["rep_count"] == ended["summary"]["rep_count"]
    doc = served.api(f"/api/sessions/{mine['id']}").json()
    assert doc["schema"] == "formcheck.report/1" and doc["live"]["ended"] == "quit"


def skeleton_and_counter(png: Path) -> tuple[int, bool, float]:
    """(pixels in the form colours, white text in the counter panel, picture's spread)."""
    image = cv2.imread(str(png))
    h, w = image.shape[:2]
    rgb = image[:, :, ::-1].astype(int)
    colours = [(40, 200, 60), (255, 175, 0), (230, 40, 40)]
    form = sum(int((np.abs(rgb - c).sum(axis=2) < 40).sum()) for c in colours)
    sx, sy = w / 640, h / 480  # the counter panel: (10, 10, 170, 110) on a 640x480 frame
    counter = rgb[int(20 * sy) : int(115 * sy), int(12 * sx) : int(175 * sx)]
    white = bool(((counter > 235).all(axis=2)).sum() > 50)
    return form, white, float(rgb[int(h * 0.3) :, :].std())


def test_live_plank_runs_the_hold_timer_with_skeleton_and_counter_over_the_picture(
    served: Served, clips: Path, tmp_path: Path
) -> None:
    with chromium(y4m_clip(PLANK, clips)) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{served.url}/live?exercise=plank")
        page.get_by_test_id("start").click()
        page.wait_for_function(
            "Number(document.querySelector('[data-testid=hold]').textContent) > 2", timeout=90_000
        )
        first = float(page.get_by_test_id("hold").inner_text())
        page.wait_for_timeout(2500)
        second = float(page.get_by_test_id("hold").inner_text())
        shot = tmp_path / "live_plank.png"
        page.locator("#view").screenshot(path=str(shot))
        page.screenshot(path=str(tmp_path / "live_plank_page.png"))
        page.get_by_test_id("stop").click()
        page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
        ended = page.evaluate("window.formcheck.ended")
    assert second > first + 1.0, (first, second)
    form, white, spread = skeleton_and_counter(shot)
    assert form > 300, f"skeleton: only {form} pixels in the form colours"
    assert white, "no counter text drawn in the counter panel"
    assert spread > 15, "no camera picture under the overlay"
    assert ended["summary"]["hold_s"] > 2.0


def test_upload_gives_the_report_analyze_gives(served: Served, tmp_path: Path) -> None:
    expected = cli_report(PLANK, tmp_path)
    with chromium(y4m_clip(PLANK, tmp_path)) as browser:
        page = browser.new_page()
        page.goto(f"{served.url}/analyze")
        page.set_input_files("#files", str(SAMPLES / PLANK))
        page.click("#send")
        page.wait_for_url("**/sessions/*", timeout=180_000)
        session_id = int(page.url.rstrip("/").split("/")[-1])
        frame = page.frame_locator("#report")
        assert "Forearm plank" in frame.locator("body").inner_text(timeout=30_000)
        page.wait_for_selector("video.annotated", timeout=10_000)
    doc = served.api(f"/api/sessions/{session_id}").json()
    assert doc["summary"] == expected["summary"]
    for got, want in zip(doc["sets"], expected["sets"], strict=True):
        assert got["exercise"] == want["exercise"]
        assert len(got["reps"]) == len(want["reps"])
        assert [round(h["duration_s"], 1) for h in got["holds"]] == [
            round(h["duration_s"], 1) for h in want["holds"]
        ]
        assert [w["type"] for w in got["warnings"]] == [w["type"] for w in want["warnings"]]
    assert served.api(f"/sessions/{session_id}/video.mp4").status_code == 200
    csv = served.api(f"/sessions/{session_id}/report.csv")
    assert csv.status_code == 200 and "hold" in csv.text


def test_upload_of_a_text_file_says_so_and_stores_nothing(served: Served, tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("this is a shopping list, not a video\n" * 20)
    before = served.api("/api/sessions").json()
    uploads = served.settings.folder / "uploads"

    def stored() -> list[str]:
        return sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []

    files_before = stored()
    with chromium(y4m_clip(PLANK, tmp_path)) as browser:
        page = browser.new_page()
        page.goto(f"{served.url}/analyze")
        page.set_input_files("#files", str(text))
        page.click("#send")
        message = page.get_by_test_id("upload-message")
        message.wait_for(state="visible")
        page.wait_for_function(
            "document.querySelector('[data-testid=upload-message]').textContent.length > 0"
        )
        assert "notes.mp4 is not a video" in message.inner_text()
    assert stored() == files_before  # nothing kept, nothing half-written
    assert served.api("/api/sessions").json() == before
