"""formcheck serve in a real browser: Debian's Chromium (driven by Playwright) with a sample video
as its camera, against the real server and the real pose model.

The live page fed a bridge sample counts the reps ``formcheck analyze`` counts (within one: the
page starts sending once the model is loaded); a plank sample runs the hold timer; the picture
carries the skeleton and the counter (checked in the pixels); a bridge filmed from steeply above
makes the page ask to lower the camera; an upload gives the report ``formcheck analyze`` gives; a
text file is refused and leaves nothing behind.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from formcheck.web import library as fc
from tests.web_helpers import (
    SAMPLES,
    CuttableRelay,
    Served,
    chromium,
    need_browser,
    run_server,
    y4m_clip,
)

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
        label = page.locator("#count-label").inner_text()
    assert label == "Reps"
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
        label = page.locator("#count-label").inner_text()  # a plank's count is its holds
        shot = tmp_path / "live_plank.png"
        page.locator("#view").screenshot(path=str(shot))
        page.screenshot(path=str(tmp_path / "live_plank_page.png"))
        page.get_by_test_id("stop").click()
        page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
        ended = page.evaluate("window.formcheck.ended")
    assert second > first + 1.0, (first, second)
    assert label == "Holds"
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


# -- the guided routine, pause and stop, and the ways a session ends without the stop button ---


def start_live(page: Any, url: str, query: str) -> None:
    page.goto(f"{url}/live{query}")
    page.get_by_test_id("start").click()
    page.wait_for_function("window.formcheck.ready === true", timeout=90_000)


def wait_hold(page: Any, seconds: float) -> float:
    """Wait until the page's hold timer shows more than ``seconds``; returns what it shows."""
    page.wait_for_function(
        f"Number(document.querySelector('[data-testid=hold]').textContent) > {seconds}",
        timeout=90_000,
    )
    return float(page.get_by_test_id("hold").inner_text())


def ended_in_history(served: Served, session_id: int, timeout: float = 60.0) -> dict[str, Any]:
    """The session's report once the server has finished it (no longer ``running``)."""
    deadline = time.monotonic() + timeout
    while True:
        doc: dict[str, Any] = served.api(f"/api/sessions/{session_id}").json()
        if doc["history"]["status"] != "running" and "live" in doc:
            return doc
        assert time.monotonic() < deadline, f"session {session_id} is still {doc['history']}"
        time.sleep(0.3)


def test_guided_routine_safety_note_countdown_and_the_first_step_counted(
    tmp_path: Path, clips: Path
) -> None:
    short = fc.load_config(
        overrides=[
            "routine.safety_note_s=2",
            "routine.countdown_s=2",
            "routine.rest_s=3",
            "routine.bridge_reps=2",
            "routine.max_exercise_s=45",
        ]
    )
    with run_server(tmp_path, config=short) as served, chromium(y4m_clip(BRIDGE, clips)) as browser:
        page = browser.new_page()
        start_live(page, served.url, "?routine=1")
        safety = page.locator("#safety")
        assert safety.is_visible() and "see a clinician" in safety.inner_text()
        assert safety.inner_text() == " ".join(fc.SAFETY_NOTE)
        page.wait_for_function(
            "window.formcheck.screens.some((s) => s.title.startsWith('Rest'))", timeout=60_000
        )
        shown_count = int(page.get_by_test_id("count").inner_text())
        page.get_by_test_id("stop").click()
        page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
        ended = page.evaluate("window.formcheck.ended")
        screens = page.evaluate("window.formcheck.screens.map((s) => [s.title, s.lines])")
    titles = [t for t, _ in screens]
    assert titles[0] == "Before you start" and screens[0][1] == list(fc.SAFETY_NOTE)
    assert any(t.startswith("Glute bridges in ") for t in titles), titles
    countdown = next(lines for t, lines in screens if t.startswith("Glute bridges in "))
    assert countdown[0] == "2 reps"
    assert titles.index("Before you start") < next(
        i for i, t in enumerate(titles) if t.startswith("Rest")
    )
    assert shown_count == 2, "the page showed the step's reps when it ended"
    assert ended["type"] == "ended" and ended["ended"] == "quit"
    assert ended["lines"][0] == "Glute bridges: 2 reps (target 2 reps)"
    with fc.History(tmp_path / "history.sqlite3") as history:
        doc = fc.session_report(history.session(ended["session_id"]))
    assert doc["history"]["kind"] == "routine" and doc["history"]["status"] == "complete"
    full = json.loads((tmp_path / "web" / "reports" / f"{doc['history']['uid']}.json").read_text())
    first = full["routine"]["steps"][0]
    assert (first["exercise"], first["ended"], first["achieved"]) == (
        "glute_bridge",
        "target_reached",
        2,
    )


def test_pause_stops_the_hold_and_stop_ends_the_session(served: Served, clips: Path) -> None:
    with chromium(y4m_clip(PLANK, clips)) as browser:
        page = browser.new_page()
        start_live(page, served.url, "?exercise=plank")
        wait_hold(page, 2.0)
        page.click("#pause")
        page.wait_for_function("window.formcheck.last && window.formcheck.last.paused === true")
        assert page.locator("#pause").inner_text() == "Resume"
        paused_at = float(page.get_by_test_id("hold").inner_text())
        page.wait_for_timeout(2500)
        still = float(page.get_by_test_id("hold").inner_text())
        assert page.evaluate("window.formcheck.last.pose") is None  # nothing measured
        page.click("#pause")
        page.wait_for_function("window.formcheck.last.paused === false")
        again = wait_hold(page, 1.5)
        page.get_by_test_id("stop").click()
        page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
        ended = page.evaluate("window.formcheck.ended")
    assert still <= paused_at, f"the hold ran on while paused: {paused_at} -> {still}"
    assert again > 1.5
    assert ended["type"] == "ended" and ended["ended"] == "quit"
    doc = served.api(f"/api/sessions/{ended['session_id']}").json()
    assert doc["history"]["status"] == "complete" and doc["live"]["ended"] == "quit"
    holds = [h["duration_s"] for s in doc["sets"] for h in s["holds"]]
    assert len(holds) >= 2, f"the pause broke the hold in two: {holds}"


def test_closing_the_tab_ends_the_session_as_window_closed(served: Served, clips: Path) -> None:
    with chromium(y4m_clip(PLANK, clips)) as browser:
        page = browser.new_page()
        start_live(page, served.url, "?exercise=plank")
        held = wait_hold(page, 3.0)
        session_id = page.evaluate("window.formcheck.sessionId")
        page.close(run_before_unload=True)  # as a person closing the tab
    doc = ended_in_history(served, session_id)
    assert doc["live"]["ended"] == "window_closed"
    assert doc["history"]["status"] == "complete"  # ended by the person, not cut off
    assert doc["summary"]["hold_s"] >= held - 1.0, "what was measured is kept"


def test_a_lost_connection_ends_the_session_as_lost(served: Served, clips: Path) -> None:
    relay = CuttableRelay(served.settings.port)
    try:
        with chromium(y4m_clip(PLANK, clips)) as browser:
            page = browser.new_page()
            start_live(page, relay.url, "?exercise=plank")
            held = wait_hold(page, 3.0)
            session_id = page.evaluate("window.formcheck.sessionId")
            relay.cut()  # the network goes: no goodbye from the page
            page.wait_for_function("window.formcheck.ended !== null", timeout=30_000)
            message = page.evaluate("window.formcheck.ended")
    finally:
        relay.close()
    assert message["type"] == "error" and "connection" in message["message"]
    doc = ended_in_history(served, session_id)
    assert doc["live"]["ended"] == "camera_lost"
    assert doc["history"]["status"] == "interrupted"
    assert doc["summary"]["hold_s"] >= held - 1.0, "what was measured is kept"


def test_stopping_the_server_mid_session_keeps_it_as_interrupted(
    tmp_path: Path, clips: Path
) -> None:
    with run_server(tmp_path) as served, chromium(y4m_clip(PLANK, clips)) as browser:
        page = browser.new_page()
        start_live(page, served.url, "?exercise=plank")
        held = wait_hold(page, 3.0)
        session_id = page.evaluate("window.formcheck.sessionId")
        started = time.monotonic()
        served.shutdown()  # what Ctrl-C does: uvicorn's graceful shutdown
        took = time.monotonic() - started
        page.wait_for_function("window.formcheck.ended !== null", timeout=30_000)
        message = page.evaluate("window.formcheck.ended")
    assert took < 20, f"the shutdown took {took:.0f} s"
    assert message["type"] == "error" and "closed" in message["message"]
    with fc.History(tmp_path / "history.sqlite3") as history:
        session = history.session(session_id)
    assert session["status"] == "interrupted"
    assert session["summary"]["hold_s"] >= held - 1.0, "what was measured is kept"
    full = json.loads((tmp_path / "web" / "reports" / f"{session['uid']}.json").read_text())
    assert full["live"]["ended"] == "interrupted"


def test_live_page_asks_to_lower_a_steep_camera(served: Served, clips: Path) -> None:
    """A bridge filmed from 1.1 m up and 0.8 m away (46 deg down) as the camera: the page's
    status asks to lower the camera, and the session's set says its figures are rough."""
    steep = "bridge_over_arch_left.mp4"
    with chromium(y4m_clip(steep, clips)) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{served.url}/live?exercise=glute_bridge")
        page.get_by_test_id("start").click()
        page.wait_for_function(
            "document.querySelector('#status').textContent.includes('Lower the camera')",
            timeout=90_000,
        )
        page.get_by_test_id("stop").click()
        page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
        session_id = page.evaluate("window.formcheck.ended.session_id")
    doc = served.api(f"/api/sessions/{session_id}").json()
    assert doc["camera"]["within_accuracy"] is False
    assert [s["camera"]["within_accuracy"] for s in doc["sets"]] == [False] * len(doc["sets"])
