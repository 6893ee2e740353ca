"""The web app: pages, the JSON API and the live WebSocket (FastAPI), and :func:`serve`.

Pages (plain HTML, JavaScript and CSS from ``formcheck/web/static``; nothing from elsewhere):
``/`` home, ``/live`` (``?exercise=auto|glute_bridge|plank|cat_cow``), ``/analyze``,
``/sessions``, ``/sessions/{id}``, ``/progress``. API: ``GET /api/sessions``,
``GET /api/sessions/{id}``, ``POST /api/analyze``, ``GET /api/jobs/{id}``, ``GET /api/progress``
and ``/api/live`` (WebSocket). README's "formcheck in the browser" describes them.

The settings and the page table are in :mod:`formcheck.web.settings`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from formcheck.web import library as fc
from formcheck.web.auth import Guard, is_loopback
from formcheck.web.settings import PAGES, STATIC, WebSettings

log = logging.getLogger(__name__)


class LiveRegistry:
    """The live sessions running now, so a server shutting down ends each one cleanly."""

    def __init__(self) -> None:
        self.bridges: dict[int, tuple[Any, threading.Thread]] = {}
        self._lock = threading.Lock()

    def add(self, bridge: Any, thread: threading.Thread) -> None:
        with self._lock:
            self.bridges[id(bridge)] = (bridge, thread)

    def remove(self, bridge: Any) -> None:
        with self._lock:
            self.bridges.pop(id(bridge), None)

    def stop_all(self, timeout: float = 10.0) -> None:
        with self._lock:
            running = list(self.bridges.values())
        for bridge, _ in running:
            bridge.disconnected("server")
        for _, thread in running:
            thread.join(timeout)


def create_app(settings: WebSettings) -> Any:
    """The ASGI application for ``settings`` (the token check in front of every route)."""
    from fastapi import FastAPI

    from formcheck.web.api import add_routes

    registry = LiveRegistry()
    from formcheck.web.jobs import JobQueue

    jobs = JobQueue(
        db=Path(settings.db),
        reports_dir=settings.folder / "reports",
        videos_dir=settings.folder / "videos",
        config=settings.config,
        model=settings.model,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(registry.stop_all)
        await asyncio.to_thread(jobs.close)

    app = FastAPI(
        title="formcheck",
        version=fc.__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.live = registry
    add_routes(app)
    return Guard(app, token=settings.token)


def serve(settings: WebSettings, *, open_browser: bool = True) -> None:
    """Run the web app until Ctrl-C (uvicorn), printing its address and opening the browser.

    Raises:
        OutputError: The address cannot be bound (in use, or not this machine's).
    """
    import socket
    import webbrowser

    import uvicorn

    settings = settings.resolved()
    try:  # fail with a clear message before uvicorn logs a traceback
        with socket.create_server((settings.host, settings.port), reuse_port=False):
            pass
    except OSError as exc:
        raise fc.OutputError(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror} "
            "(another formcheck serve? try --port)"
        ) from None
    app = create_app(settings)
    local = settings.url("127.0.0.1" if not is_loopback(settings.host) else None)
    print(f"formcheck serve: {settings.url()}", flush=True)
    if not is_loopback(settings.host):
        print(
            "  the camera needs a secure page: open it on this computer as "
            f"{local}, or put HTTPS in front for other devices",
            flush=True,
        )
    print("  Ctrl-C stops the server (live sessions end and are kept in the history)", flush=True)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning")
    server = uvicorn.Server(config)
    if open_browser:

        def opener() -> None:
            for _ in range(100):
                if server.started:
                    break
                threading.Event().wait(0.1)
            with contextlib.suppress(Exception):  # no browser is not an error
                webbrowser.open(local)

        threading.Thread(target=opener, daemon=True).start()
    server.run()


__all__ = ["PAGES", "STATIC", "LiveRegistry", "WebSettings", "create_app", "serve"]
