"""The web front end under test: a real uvicorn server on a free loopback port, and Debian's
Chromium driven by Playwright with a sample video as its fake camera.

Skips cleanly where Chromium, Playwright or ffmpeg is missing. Never runs ``playwright install``.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running server: its address, settings and data folder."""

    url: str
    settings: Any
    server: Any

    def api(self, path: str, **kwargs: Any) -> Any:
        import httpx

        return httpx.get(self.url + path, timeout=30, **kwargs)


@contextlib.contextmanager
def run_server(tmp: Path, **settings_kwargs: Any) -> Iterator[Served]:
    """uvicorn serving formcheck's web app on a free loopback port, in a thread."""
    import uvicorn

    from formcheck.web.app import WebSettings, create_app

    port = free_port()
    settings = WebSettings(
        host="127.0.0.1", port=port, db=tmp / "history.sqlite3", **settings_kwargs
    ).resolved()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", settings, server)
    finally:
        server.should_exit = True
        thread.join(30)


def need_browser() -> None:
    """Skip unless Debian's Chromium and Playwright are installed."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (dev extra)")


def y4m_clip(sample: str, folder: Path, *, width: int = 640) -> Path:
    """The sample as a .y4m for Chromium's fake camera (made in ``folder``, never committed)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("the ffmpeg program is needed to make the fake camera's clip")
    out = folder / f"{Path(sample).stem}_{width}.y4m"
    if not out.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                str(SAMPLES / sample),
                "-vf",
                f"scale={width}:-2",
                "-pix_fmt",
                "yuv420p",
                str(out),
            ],
            check=True,
        )
    return out


@contextlib.contextmanager
def chromium(clip: Path) -> Iterator[Any]:
    """A headless Chromium whose camera plays ``clip`` (looping); yields the browser."""
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={clip}"],
        )
        try:
            yield browser
        finally:
            browser.close()


def live_run(page: Any, served: Served, query: str, seconds: float) -> dict[str, Any]:
    """Open the live page, press Start, let the camera play ``seconds`` (from the first frame
    answered), press Stop; returns the page's ``ended`` message and stats."""
    page.goto(f"{served.url}/live{query}")
    page.get_by_test_id("start").click()
    page.wait_for_function("window.formcheck.stats.firstFrameAt !== null", timeout=60_000)
    page.wait_for_timeout(seconds * 1000)
    page.get_by_test_id("stop").click()
    page.wait_for_function("window.formcheck.ended !== null", timeout=60_000)
    return page.evaluate("({ended: window.formcheck.ended, frames: window.formcheck.stats.frames})")
