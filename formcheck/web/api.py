"""The routes: pages, the JSON API, downloads and the live WebSocket (see :mod:`.app`)."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import threading
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from formcheck.web import library as fc
from formcheck.web.live import LiveBridge, LiveRequest, parse_control
from formcheck.web.settings import PAGES, STATIC, WebSettings
from formcheck.web.uploads import TooLarge, store_upload

log = logging.getLogger(__name__)

#: WebSocket close codes -> why the page went away (see LiveBridge.disconnected).
_GONE = {1000: "closed", 1001: "closed", 1012: "server"}


def _dumps(value: Any) -> str:
    return json.dumps(fc.json_safe(value), allow_nan=False)


def _json(value: Any, status: int = 200) -> Response:
    return Response(_dumps(value), status_code=status, media_type="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"detail": message}, status)


def _settings(request: Request | WebSocket) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def _history(settings: WebSettings) -> Any:
    return fc.History(settings.db, create=False)


def _full_report(settings: WebSettings, session_id: int) -> dict[str, Any]:
    """The report of a session: the full one kept when the web app made it (with its plots'
    traces and the ``live`` block), else the one the history holds. Raises InputError."""
    with _history(settings) as history:
        session = history.session(session_id)
    doc = fc.session_report(session)
    kept = settings.folder / "reports" / f"{session['uid']}.json"
    if kept.is_file():
        with contextlib.suppress(OSError, ValueError):
            doc = {**json.loads(kept.read_text(encoding="utf-8")), "history": doc["history"]}
    return doc


def _video(settings: WebSettings, uid: str) -> Path | None:
    path = settings.folder / "videos" / f"{uid}.mp4"
    return path if path.is_file() else None


def _row(settings: WebSettings, row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "uid": row.uid,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "kind": row.kind,
        "source": row.source,
        "status": row.status,
        "exercises": list(row.exercises),
        "summary": {
            "exercises": list(row.exercises),
            "set_count": row.sets,
            "rep_count": row.reps,
            "hold_s": row.hold_s,
            "good_form_s": row.good_form_s,
            "warning_count": row.warnings,
        },
        "video": f"/sessions/{row.id}/video.mp4" if _video(settings, row.uid) else None,
        "page": f"/sessions/{row.id}",
    }


def _error_page(status: int, message: str) -> HTMLResponse:
    """A page that says what was wrong with the address (for a person, not a program)."""
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>formcheck</title>'
        '<link rel="stylesheet" href="/static/style.css"></head><body><main>'
        f'<h1>That page cannot be shown</h1><p class="error" data-testid="error">'
        f"{html.escape(message)}</p>"
        '<p><a href="/">Back to the start</a></p></main></body></html>'
    )
    return HTMLResponse(body, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    """One sentence for FastAPI's validation errors ("file: field required (...)")."""
    parts = []
    for error in exc.errors():
        where = [str(x) for x in error.get("loc", ()) if x not in ("body", "query", "path")]
        name = ".".join(where) or "the request"
        if error.get("type") == "missing" and name == "file":
            parts.append("no file: send the video as the multipart form field 'file'")
        elif error.get("type") == "missing":
            parts.append(f"{name} is missing")
        else:
            parts.append(f"{name}: {error.get('msg', 'not valid')}")
    return "; ".join(parts) or "the request is not valid"


def add_routes(app: FastAPI) -> None:
    """Add every route to ``app`` (its ``state`` holds settings, jobs and live sessions)."""
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(fc.FormcheckError)
    async def formcheck_error(_request: Request, exc: fc.FormcheckError) -> Response:
        status = 404 if "not in the history" in exc.message else 400
        return _error(status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> Response:
        return _error(422, _validation_message(exc))

    @app.exception_handler(Exception)
    async def any_error(_request: Request, exc: Exception) -> Response:
        log.exception("request failed")
        return _error(500, "the server could not do that (see its log)")

    def page(name: str) -> Any:
        async def handler() -> FileResponse:
            return FileResponse(str(STATIC / name), media_type="text/html")

        return handler

    for path, name in PAGES.items():
        if path != "/live":
            app.get(path, include_in_schema=False)(page(name))

    @app.get("/live", include_in_schema=False)
    async def live_page(exercise: str = "auto") -> Response:
        try:
            fc.Exercise(exercise)
        except ValueError:
            choices = ", ".join(e.value for e in fc.Exercise)
            return _error_page(400, f"No exercise {exercise!r}: choose one of {choices}.")
        return FileResponse(str(STATIC / "live.html"), media_type="text/html")

    @app.get("/sessions/{session_id}", include_in_schema=False)
    async def session_page(session_id: int) -> FileResponse:
        return FileResponse(str(STATIC / "session.html"), media_type="text/html")

    @app.get("/sessions/{session_id}/report.html", include_in_schema=False)
    def session_html(request: Request, session_id: int) -> HTMLResponse:
        report = _full_report(_settings(request), session_id)
        return HTMLResponse(fc.render_html(report))

    @app.get("/sessions/{session_id}/report.json", include_in_schema=False)
    def session_json(request: Request, session_id: int) -> Response:
        report = _full_report(_settings(request), session_id)
        disposition = f'attachment; filename="formcheck-session-{session_id}.json"'
        return Response(
            fc.report_json(fc.json_safe(report)),
            media_type="application/json",
            headers={"content-disposition": disposition},
        )

    @app.get("/sessions/{session_id}/report.csv", include_in_schema=False)
    def session_csv(request: Request, session_id: int) -> Response:
        report = _full_report(_settings(request), session_id)
        disposition = f'attachment; filename="formcheck-session-{session_id}.csv"'
        return Response(
            fc.csv_text(report), media_type="text/csv", headers={"content-disposition": disposition}
        )

    @app.get("/sessions/{session_id}/video.mp4", include_in_schema=False)
    def session_video(request: Request, session_id: int) -> Response:
        settings = _settings(request)
        with _history(settings) as history:
            uid = history.session(session_id)["uid"]
        path = _video(settings, uid)
        if path is None:
            return _error(404, f"session {session_id} has no annotated video")
        return FileResponse(str(path), media_type="video/mp4")

    @app.get("/progress.svg", include_in_schema=False)
    def progress_plot(request: Request) -> Response:
        points, targets = _progress(_settings(request))
        return Response(fc.progress_svg(points, targets), media_type="image/svg+xml")

    # -- the JSON API ----------------------------------------------------------------------------
    @app.get("/api/sessions")
    def list_sessions(request: Request, limit: int | None = None) -> Response:
        settings = _settings(request)
        with _history(settings) as history:
            rows = history.sessions(limit=limit)
        return _json([_row(settings, r) for r in rows])

    @app.get("/api/sessions/{session_id}")
    def get_session(request: Request, session_id: int) -> Response:
        return _json(_full_report(_settings(request), session_id))

    @app.post("/api/analyze", status_code=202)
    def analyze(
        request: Request,
        file: Annotated[UploadFile, File()],
        exercise: Annotated[str, Form()] = "auto",
        annotate: Annotated[bool, Form()] = False,
    ) -> Response:
        settings = _settings(request)
        try:
            fc.Exercise(exercise)
        except ValueError:
            choices = ", ".join(e.value for e in fc.Exercise)
            return _error(422, f"exercise {exercise!r}: expected one of {choices}")
        label = Path(file.filename or "the upload").name or "the upload"
        max_bytes = int(settings.max_upload_mb * 1e6)
        try:
            path = store_upload(
                file.file, settings.folder / "uploads", label=label, max_bytes=max_bytes
            )
        except TooLarge as exc:
            return _error(413, exc.message)
        except fc.InputError as exc:
            return _error(415, exc.message)
        job = request.app.state.jobs.submit(path, name=label, exercise=exercise, annotate=annotate)
        body = {"job": job.as_dict(), "follow": f"/api/jobs/{job.id}"}
        return _json(body, 202)

    @app.get("/api/jobs")
    def list_jobs(request: Request) -> Response:
        return _json([j.as_dict() for j in request.app.state.jobs.all()])

    @app.get("/api/jobs/{job_id}")
    def get_job(request: Request, job_id: str) -> Response:
        job = request.app.state.jobs.get(job_id)
        if job is None:
            return _error(404, f"no job {job_id}")
        return _json(job.as_dict())

    @app.get("/api/progress")
    def progress(request: Request) -> Response:
        points, targets = _progress(_settings(request))
        return _json(
            {
                "points": [dict(p.__dict__) for p in points],
                "targets": [
                    {
                        "exercise": t.exercise,
                        "name": t.name,
                        "value": t.value,
                        "unit": t.unit,
                        "streak": t.streak,
                        "needed": t.needed,
                        "at_max": t.at_max,
                        "note": t.note,
                        "text": t.describe(),
                    }
                    for t in targets
                ],
            }
        )

    @app.websocket("/api/live")
    async def live(ws: WebSocket) -> None:
        await live_socket(ws, _settings(ws))


def _progress(settings: WebSettings) -> tuple[list[Any], list[Any]]:
    with _history(settings) as history:
        points = history.trends(None)
    exercises = [e for e in fc.METRICS if any(p.exercise == e for p in points)]
    return points, fc.next_targets(points, settings.config, exercises=exercises)


async def live_socket(ws: WebSocket, settings: WebSettings) -> None:
    """One live session over ``ws`` (README, "The live WebSocket")."""
    await ws.accept()
    loop = asyncio.get_running_loop()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def send(message: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(outbox.put_nowait, message)

    try:
        first = await asyncio.wait_for(ws.receive(), timeout=30.0)
        if first["type"] == "websocket.disconnect":
            return
        request = LiveRequest.parse(json.loads(first.get("text") or "null"))
    except (TimeoutError, ValueError, fc.FormcheckError) as exc:
        message = getattr(exc, "message", "") or "expected a start message"
        with contextlib.suppress(Exception):
            await ws.send_text(_dumps({"type": "error", "message": message}))
            await ws.close(1008)
        return
    bridge = LiveBridge(
        request,
        send,
        config=settings.config,
        db=Path(settings.db),
        reports_dir=settings.folder / "reports",
        pose_options=fc.PoseOptions(model=settings.model),
    )
    thread = threading.Thread(target=bridge.run, name="formcheck-live", daemon=True)
    registry = ws.app.state.live
    registry.add(bridge, thread)
    thread.start()

    async def sender() -> None:
        while True:
            message = await outbox.get()
            with contextlib.suppress(Exception):
                await ws.send_text(_dumps(message))
            if message["type"] in ("ended", "error"):
                return

    sending = asyncio.create_task(sender())
    because = ""
    try:
        while True:
            receiving = asyncio.create_task(ws.receive())
            done, _ = await asyncio.wait({receiving, sending}, return_when=asyncio.FIRST_COMPLETED)
            if receiving not in done:  # the session ended by itself (stop, routine done)
                receiving.cancel()
                break
            message = receiving.result()
            if message["type"] == "websocket.disconnect":
                because = _GONE.get(int(message.get("code") or 1000), "lost")
                break
            if message.get("bytes") is not None:
                arrived = time.perf_counter()
                if not await asyncio.to_thread(bridge.frame, message["bytes"], arrived):
                    send({"type": "warning", "message": "a frame could not be decoded (JPEG)"})
            elif message.get("text") is not None:
                action = parse_control(message["text"])
                if action is not None:
                    bridge.control(action)
    except Exception:  # the connection broke mid-read
        because = because or "lost"
    finally:
        if because:
            bridge.disconnected(because)
        await asyncio.to_thread(thread.join)
        registry.remove(bridge)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sending, timeout=5.0)
        with contextlib.suppress(Exception):
            await ws.close(1000)


__all__ = ["add_routes", "live_socket"]
