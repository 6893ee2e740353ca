"""The web front end under test: a real uvicorn server on a free loopback port, and Debian's
Chromium driven by Playwright with a sample video as its fake camera.

Skips cleanly where Chromium, Playwright or ffmpeg is missing. Never runs ``playwright install``.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import struct
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
    thread: threading.Thread | None = None

    def api(self, path: str, **kwargs: Any) -> Any:
        import httpx2

        return httpx2.get(self.url + path, timeout=30, **kwargs)

    def shutdown(self, timeout: float = 60.0) -> None:
        """Stop the server as Ctrl-C does (uvicorn's graceful shutdown) and wait for it."""
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)
            assert not self.thread.is_alive(), "the web server did not stop"


@contextlib.contextmanager
def run_server(tmp: Path, *, host: str = "127.0.0.1", **settings_kwargs: Any) -> Iterator[Served]:
    """uvicorn serving formcheck's web app on a free port, in a thread.

    The server binds to ``host`` (with its settings' rules: another address than 127.0.0.1
    gets a token); the URL is on 127.0.0.1 when it binds to every address (0.0.0.0).
    """
    import uvicorn

    from formcheck.web.app import WebSettings, create_app

    port = free_port()
    settings = WebSettings(
        host=host, port=port, db=tmp / "history.sqlite3", **settings_kwargs
    ).resolved()
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    try:
        yield Served(f"http://{shown}:{port}", settings, server, thread)
    finally:
        server.should_exit = True
        thread.join(30)


class CuttableRelay:
    """A TCP relay on a free loopback port in front of ``port``, whose connections can be cut
    at once (reset, no WebSocket goodbye): the network to the server is lost.

    Example (not run):
        relay = CuttableRelay(8765); page.goto(relay.url + "/live"); ...; relay.cut()
    """

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.sockets: list[socket.socket] = []
        self.cut_off = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self._lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        """Reset every connection (both ends) and refuse new ones."""
        self.cut_off = True
        with self._lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):  # linger 0: closing resets the connection
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                with contextlib.suppress(OSError):  # wakes the pump blocked in recv
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()


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
