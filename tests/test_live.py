"""Live coaching (``formcheck live``), with a video file standing in for the camera.

The video is played at its own pace, as a camera would deliver it, through the real pose model
and the real analysis. What is specified here:

* the capture keeps only the newest frame and plays a file in real time;
* a live run over a sample counts the same reps and times the same holds as
  ``formcheck analyze`` (:func:`formcheck.run.recording.analyze_one`) on it;
* the window, on a real X server (Xvfb), shows the counter and the cue;
* Ctrl-C, q, a lost camera and the end of the video all end with the report of what was
  measured; a camera that cannot be opened is a one-line error listing the cameras found;
* keys: space pauses, r restarts the set, n moves to the next exercise.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.closing import Closing
from formcheck.config import Config
from formcheck.errors import CameraError
from formcheck.history.history import History
from formcheck.live.live import LiveOptions, LiveRecorder, live_session, run_live
from formcheck.live.live_session import Ended, LiveSession
from formcheck.live.live_stats import LiveStats
from formcheck.live.overlay import overlay_layout
from formcheck.live.window import Action
from formcheck.media.capture import LatestFrameCapture
from formcheck.media.sources import Frame, SourceInfo, VideoFileSource
from formcheck.run.recording import analyze_one

from .conftest import REPO, numbered_frames, write_video

SAMPLES = REPO / "samples"
BRIDGE = SAMPLES / "bridge_5reps_left.mp4"
PLANK = SAMPLES / "plank_good_left.mp4"

pytestmark = pytest.mark.timeout(240)


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``python -m formcheck ...`` as a real process (signals, a real window)."""
    return subprocess.Popen(
        [sys.executable, "-m", "formcheck", *map(str, args)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.strip()]


# ------------------------------------------------------------------ the newest-frame capture


def test_capture_plays_a_file_in_real_time_and_keeps_only_the_newest_frame(
    tmp_path: Path,
) -> None:
    video = write_video(tmp_path / "n.mp4", numbered_frames(30), [i * 40 for i in range(30)])
    got: list[int] = []
    with VideoFileSource(video) as source, LatestFrameCapture(source) as capture:
        started = time.perf_counter()
        while True:
            frame = capture.read(timeout=1.0)
            if frame is None:
                if capture.finished:
                    break
                continue
            got.append(frame.frame.index)
            time.sleep(0.13)  # a model slower than the camera
        elapsed = time.perf_counter() - started
    # 30 frames 40 ms apart: 1.16 s of video, played at its own pace (not faster; the upper
    # bound only says it was not read at the slow consumer's pace, 30 x 0.13 s = 3.9 s)
    assert 1.1 < elapsed < 3.8
    # only fresh frames, in order, far fewer than were captured; the rest counted as drops
    assert got == sorted(set(got)) and 2 <= len(got) <= 15
    assert capture.captured == 30
    assert capture.delivered == len(got)
    assert capture.dropped == capture.captured - capture.delivered
    assert got[-1] == 29  # the last frame is never lost


def test_capture_timestamps_go_on_the_session_clock(tmp_path: Path) -> None:
    video = write_video(tmp_path / "n.mp4", numbered_frames(5), [i * 40 for i in range(5)])
    with (
        VideoFileSource(video) as source,
        LatestFrameCapture(source, speed=4.0, offset_ms=10_000) as capture,
    ):
        stamps = []
        while not capture.finished:
            if (got := capture.read(timeout=0.5)) is not None:
                stamps.append(got.frame.timestamp_ms)
    assert stamps and all(10_000 <= t <= 10_160 for t in stamps)
    assert stamps == sorted(stamps)


def test_stats_give_display_rate_and_latency() -> None:
    stats = LiveStats(window_s=1.0)
    for i in range(31):  # 30 frames/s, each shown 40 ms after it was captured
        t = i / 30
        stats.record(captured_at=t - 0.040, shown_at=t)
    assert stats.fps == pytest.approx(30.0, rel=0.01)
    assert stats.recent_latency_ms == pytest.approx(40.0, abs=0.5)
    overall = stats.as_dict()
    assert overall["display_fps"] == pytest.approx(30.0, rel=0.01)
    assert overall["latency_ms_mean"] == pytest.approx(40.0, abs=0.5)
    assert overall["frames_shown"] == 31


# ------------------------------------------------------------ live counts == analyze counts


@pytest.fixture(scope="module")
def live_bridge() -> dict[str, Any]:
    """A live run, no window, over the bridge sample at its own pace (26 s)."""
    result = live_session(
        str(BRIDGE),
        exercise="auto",
        options=LiveOptions(window=False, mute=True),
    )
    assert result.ended is Ended.END_OF_INPUT
    return result.report


@pytest.mark.slow
def test_live_run_counts_the_same_reps_as_analyze(live_bridge: dict[str, Any]) -> None:
    offline = analyze_one(BRIDGE, exercise="auto", config=Config())
    live = live_bridge
    assert [s["exercise"] for s in live["sets"]] == [s["exercise"] for s in offline["sets"]]
    assert live["summary"]["rep_count"] == offline["summary"]["rep_count"] == 5
    stats = live["live"]
    # a loaded machine drops camera frames (the capture keeps only the newest): the faults of a
    # rep are then judged on fewer frames and may differ; the counts and timing must not
    few_dropped = stats["frames_dropped"] <= 0.1 * stats["frames_captured"]
    for got, want in zip(live["sets"][0]["reps"], offline["sets"][0]["reps"], strict=True):
        assert got["peak_s"] == pytest.approx(want["peak_s"], abs=0.5)
        if few_dropped:
            assert got["faults"] == want["faults"], stats
    # the pause at the top (a bridge's "hold") within a few frames of the offline figure
    assert live["summary"]["hold_s"] == pytest.approx(offline["summary"]["hold_s"], abs=1.0)
    # the report is the same document, with the live figures beside it
    assert live["schema"] == offline["schema"] == "formcheck.report/1"
    assert live["source"]["path"] == offline["source"]["path"]
    assert live["source"]["interrupted"] is False
    assert stats["ended"] == "end_of_input"
    assert stats["frames_captured"] == offline["source"]["frames"]
    assert stats["frames_analysed"] + stats["frames_dropped"] == stats["frames_captured"]
    assert stats["latency_ms_mean"] > 0 and stats["display_fps"] > 5


@pytest.mark.slow
def test_live_run_times_the_same_plank_hold_as_analyze() -> None:
    result = live_session(
        str(PLANK), exercise="plank", options=LiveOptions(window=False, mute=True)
    )
    offline = analyze_one(PLANK, exercise="plank", config=Config())
    live_holds = [h for s in result.report["sets"] for h in s["holds"]]
    want_holds = [h for s in offline["sets"] for h in s["holds"]]
    assert len(live_holds) == len(want_holds) == 1
    assert live_holds[0]["kind"] == want_holds[0]["kind"] == "plank"
    for key in ("start_s", "end_s", "duration_s", "good_form_s"):
        assert live_holds[0][key] == pytest.approx(want_holds[0][key], abs=1.0), key


# ------------------------------------------------------------- keys, through the session loop


class ScriptedKeys:
    """Stands in for the window's keyboard: presses keys at given frames, and records the
    images it was given (what the window would show)."""

    def __init__(self, keys: dict[int, Action]) -> None:
        self.keys = keys
        self.shown: list[np.ndarray] = []

    def show(self, image: np.ndarray, *, wait_ms: int = 1) -> Action:
        self.shown.append(image)
        return self.keys.get(len(self.shown), Action.NONE)


@pytest.mark.slow
def test_keys_pause_restart_next_and_quit_and_the_stream_is_recorded(tmp_path: Path) -> None:
    display = ScriptedKeys(
        {
            5: Action.PAUSE,
            10: Action.PAUSE,  # resume
            14: Action.RESTART,
            18: Action.NEXT,  # glute_bridge -> plank
            24: Action.QUIT,
        }
    )
    updates: list[Any] = []
    video = tmp_path / "session.mp4"
    with (
        VideoFileSource(BRIDGE) as source,
        LatestFrameCapture(source) as capture,
        LiveRecorder(video) as recorder,
        LiveSession(
            Config(), exercise="glute_bridge", display=display, recorder=recorder
        ) as session,
    ):
        session.on_update.append(updates.append)
        ended = run_live(capture, session)
        report = session.report(ended)
    assert ended is Ended.QUIT
    assert len(display.shown) == 24 and display.shown[0].shape == (480, 640, 3)
    exercises = [u.state.exercise for u in updates]
    assert exercises[:18] == ["glute_bridge"] * 18 and exercises[18:] == ["plank"] * 6
    assert report["live"]["ended"] == "quit"
    assert report["live"]["sets_restarted"] == 1
    assert report["live"]["frames_analysed"] == 24 - 5  # frames 6-10 were paused
    # the empty bridge set given up with "n" is dropped; the last set is reported
    assert [s["exercise"] for s in report["sets"]] == ["plank"]
    # the recording holds what the window showed, timed as it was shown
    with av.open(str(video)) as container:
        times = [f.time for f in container.decode(video=0)]
        size = (container.streams.video[0].width, container.streams.video[0].height)
    assert len(times) == recorder.frames == 24 and size == (640, 480)
    shown_span = session.stats.shown_at[-1] - session.stats.shown_at[0]
    assert times[-1] - times[0] == pytest.approx(shown_span, abs=0.1)


class DyingCamera(Closing):
    """A camera that delivers the first frames of a sample, then disappears (as a USB camera
    unplugged mid-set does: CameraSource raises CameraError)."""

    def __init__(self, path: Path, frames: int) -> None:
        self._video = VideoFileSource(path)
        self.frames = frames
        info = self._video.info
        self.info = SourceInfo("camera 0", "camera", info.width, info.height, info.fps, None)

    def __iter__(self) -> Iterator[Frame]:
        for frame in self._video:
            if frame.index >= self.frames:
                raise CameraError("camera 0 stopped delivering frames")
            time.sleep(1 / 30)
            yield frame

    def close(self) -> None:
        self._video.close()


@pytest.mark.slow
def test_a_camera_lost_mid_set_ends_with_what_was_measured() -> None:
    with (
        DyingCamera(BRIDGE, frames=240) as camera,  # 8 s: one rep done
        LatestFrameCapture(camera) as capture,
        LiveSession(Config(), exercise="glute_bridge") as session,
    ):
        ended = run_live(capture, session)
        report = session.report(ended)
    assert ended is Ended.CAMERA_LOST
    assert session.end_message == "camera 0 stopped delivering frames"
    assert report["live"]["ended"] == "camera_lost"
    assert report["source"]["kind"] == "camera"
    assert report["summary"]["rep_count"] >= 1
    # measured until the camera was lost at 8 s; the first frames may be dropped while the model
    # starts (a cold process takes ~0.7 s), so the report starts at the first analysed frame
    (block,) = report["sets"]
    assert block["end_s"] == pytest.approx(8.0, abs=0.5)
    assert block["start_s"] < 1.5
    assert report["source"]["duration_s"] == pytest.approx(
        block["end_s"] - block["start_s"], abs=0.1
    )


# ------------------------------------------------------------------------ the command line


@pytest.mark.parametrize("camera", ["9", "/dev/video42"])
def test_a_camera_that_cannot_be_opened_is_a_one_line_error_listing_cameras(
    camera: str, tmp_path: Path
) -> None:
    if Path(camera).exists():
        pytest.skip(f"{camera} exists on this machine")
    result = CliRunner().invoke(
        app,
        ["live", "--camera", camera, "--no-window", "--json", str(tmp_path / "r.json")],
    )
    assert result.exit_code == 4, result.output
    (line,) = error_lines(result.stderr)
    assert line.startswith("error: camera") and camera in line
    assert re.search(r"cameras found: (none|/dev/video\d+|\d)", line), line
    assert not (tmp_path / "r.json").exists()


@pytest.mark.slow
def test_ctrl_c_ends_a_live_run_and_still_writes_the_report(tmp_path: Path) -> None:
    report_path = tmp_path / "r.json"
    proc = run_cli(
        "live",
        "--no-window",
        "--mute",
        "--exercise",
        "glute_bridge",
        "--camera",
        BRIDGE,
        "--json",
        report_path,
    )
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:  # counts are printed as they happen
        seen.append(line)
        if re.search(r"\b1 reps\b", line) or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(seen) + out + err
    (line,) = error_lines(err)
    assert line.startswith("error: interrupted") and str(report_path) in line
    report = json.loads(report_path.read_text())
    assert report["source"]["interrupted"] is True
    assert report["live"]["ended"] == "interrupted"
    assert report["summary"]["rep_count"] >= 1  # the rep measured before Ctrl-C
    assert report["source"]["duration_s"] < 20  # stopped well before the end (26 s)
    assert "report written to" in out
    assert not [p for p in tmp_path.iterdir() if p.name != "r.json"]  # atomic: no leftovers
    # the session is in the history too, marked interrupted, with what was measured
    with History() as history:  # $FORMCHECK_DB: this test's own database
        [row] = history.sessions()
        assert row.kind == "live" and row.status == "interrupted"
        assert row.reps == report["summary"]["rep_count"]


@pytest.mark.slow
def test_a_killed_live_session_keeps_its_reps_in_the_history(tmp_path: Path) -> None:
    proc = run_cli(
        "live", "--no-window", "--mute", "--exercise", "glute_bridge", "--camera", BRIDGE
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if re.search(r"\b2 reps\b", line) or time.monotonic() > deadline:
            break
    proc.kill()  # SIGKILL: no clean-up, no report
    proc.communicate(timeout=30)
    with History() as history:
        [row] = history.sessions()
        assert row.kind == "live" and row.status == "interrupted"  # its writer is dead
        [bridge] = history.session(row.id)["sets"]
        assert len(bridge["reps"]) >= 2  # each rep was stored when it ended


def test_the_routine_takes_its_plank_target_from_the_history(tmp_path: Path) -> None:
    from formcheck.config import Config
    from formcheck.history.history import record_report
    from formcheck.live.session_history import SessionHistory
    from tests.test_history import plank_report

    db = tmp_path / "h.sqlite3"
    config = Config()
    assert SessionHistory(db, "routine", "0", config).target("plank") is None  # no history
    for day in (1, 2):  # two sessions at the first target (20 s), in good form
        record_report(plank_report(21.0, 20.0), db=db, started_at=f"2024-05-0{day}T08:00:00")
    with SessionHistory(db, "routine", "0", config) as history:
        assert history.target("plank") == 25.0  # earned a step of 5 s
        assert history.target("knee_plank") is None  # the config's
        assert history.target("bridge_reps") is None  # no bridge sessions yet: the config's


def test_the_routine_takes_its_bridge_targets_from_the_history(tmp_path: Path) -> None:
    from formcheck.config import Config
    from formcheck.history.history import record_report
    from formcheck.live.routine import plan_routine
    from formcheck.live.session_history import SessionHistory
    from tests.test_history import bridge_report

    db = tmp_path / "h.sqlite3"
    config = Config()
    # two sessions of 12 good reps (the first target), each pausing 2 s at the top
    for day in (1, 2):
        record_report(bridge_report([2.0] * 12), db=db, started_at=f"2024-05-0{day}T08:00:00")
    with SessionHistory(db, "routine", "0", config) as history:
        reps, pause = history.target("bridge_reps"), history.target("bridge_pause")
    assert reps == config.routine.bridge_reps + config.progression.bridge_reps_step == 15
    assert pause == config.bridge.target_top_hold_s + config.progression.bridge_pause_step_s == 3
    bridges = plan_routine(config, bridge_reps=reps, bridge_pause_s=pause)[0]
    assert bridges.target_reps == 15 and "pause 3 s at the top" in bridges.advice


# --------------------------------------------------------------------- the window, on Xvfb


def read_xwd(path: Path) -> np.ndarray:
    """The screen of an Xvfb ``-fbdir`` framebuffer (XWD, 24/32 bits) as a BGR image."""
    data = path.read_bytes()
    header = np.frombuffer(data[:100], ">u4")
    header_size, width, height = int(header[0]), int(header[4]), int(header[5])
    bits, bytes_per_line, ncolors = int(header[11]), int(header[12]), int(header[19])
    assert bits == 32, f"unexpected XWD pixel size {bits}"
    offset = header_size + 12 * ncolors
    pixels = np.frombuffer(data[offset : offset + bytes_per_line * height], np.uint8)
    return pixels.reshape(height, bytes_per_line)[:, : width * 4].reshape(height, width, 4)[..., :3]


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A private X server (Xvfb) whose screen can be read as a file: (DISPLAY, screen file).

    Xvfb picks a free display number itself (``-displayfd``): a number that merely has no socket
    file in /tmp may still be taken by a server in another container sharing the network
    namespace (its abstract socket), and the window would then open on that server's screen.
    """
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb; .ci/run does)")
    fbdir = tmp_path / "fb"
    fbdir.mkdir()
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            "1280x800x24",
            "-fbdir",
            str(fbdir),
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 10
        while not number.endswith(b"\n"):
            assert server.poll() is None, "Xvfb did not start"
            assert time.monotonic() < deadline, "Xvfb did not start in 10 s"
            ready, _, _ = select.select([read_end], [], [], 0.1)
            if ready:
                chunk = os.read(read_end, 16)
                assert chunk, "Xvfb closed -displayfd without naming its display"
                number += chunk
        yield f":{int(number)}", fbdir / "Xvfb_screen0"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=10)


def banner_stats(screen: np.ndarray, rect: tuple[int, int, int, int]) -> tuple[float, float]:
    """The darkened and the near-white fractions of ``rect`` (the frame here is about 200)."""
    x, y, w, h = rect
    region = screen[y : y + h, x : x + w].astype(np.int32)
    return float((region.max(axis=2) < 130).mean()), float((region.min(axis=2) > 200).mean())


def banner_drawn(screen: np.ndarray, rect: tuple[int, int, int, int]) -> bool:
    """A panel with text in ``rect``: mostly darkened, with some near-white text pixels."""
    dark, white = banner_stats(screen, rect)
    return dark > 0.5 and white > 0.003


def find_image(screen: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box (x, y, w, h) of what is drawn on the otherwise black screen."""
    ys, xs = np.nonzero(screen.max(axis=2) > 0)
    assert xs.size, "nothing on the screen"
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


@pytest.mark.slow
def test_the_window_shows_the_counter_and_the_cue(xvfb: tuple[str, Path], tmp_path: Path) -> None:
    display, screen_file = xvfb
    # the regions of a raw frame never look like a drawn panel: the check can fail
    layout = overlay_layout(640, 480)
    cap = cv2.VideoCapture(str(BRIDGE))
    ok, raw = cap.read()
    cap.release()
    assert ok and not banner_drawn(raw, layout["counter"]) and not banner_drawn(raw, layout["cue"])

    report_path = tmp_path / "r.json"
    proc = run_cli(
        "live",
        "--mute",
        "--show-latency",
        "--exercise",
        "glute_bridge",
        "--camera",
        BRIDGE,
        "--json",
        report_path,
        env={"DISPLAY": display},
    )
    seen = {"counter": False, "cue": False}
    # what the screen looked like, for the failure message: reads, reads with a window, and the
    # best (darkened, near-white) fractions met in each panel's place
    looks: dict[str, Any] = {"reads": 0, "drawn": 0, "box": None}
    best = {name: (0.0, 0.0) for name in seen}
    try:
        deadline = time.monotonic() + 60
        while not all(seen.values()) and time.monotonic() < deadline:
            if proc.poll() is not None:
                break  # the video ended first: the assertion below says what was seen
            time.sleep(0.25)
            screen = read_xwd(screen_file)
            looks["reads"] += 1
            if not screen.any():
                continue  # the window is not up yet
            looks["drawn"] += 1
            looks["box"] = box = find_image(screen)
            x0, y0, w, h = box
            shown = cv2.resize(screen[y0 : y0 + h, x0 : x0 + w], (640, 480))
            for name in seen:
                stats = banner_stats(shown, layout[name])
                best[name] = max(best[name], stats)
                seen[name] = seen[name] or banner_drawn(shown, layout[name])
    finally:
        ended = proc.poll()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert seen == {"counter": True, "cue": True}, (looks, best, ended, out[-600:], err[-600:])
    box = looks["box"]
    assert box is not None and box[2:] == (640, 480)  # the window has the camera's size
    assert proc.returncode == 130, err
    report = json.loads(report_path.read_text())
    assert report["live"]["frames_shown"] > 0 and report["live"]["display_fps"] > 0
