"""formcheck serve without a browser: the token, the host and origin checks, the JSON API and
uploads refused for what they are (the browser tests are in test_web_browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from formcheck.web.app import WebSettings, create_app
from formcheck.web.auth import COOKIE
from tests.web_helpers import run_server

WS = "ws://127.0.0.1:8765/api/live"


def client(tmp_path: Path, **kwargs: object) -> tuple[TestClient, WebSettings]:
    settings = WebSettings(db=tmp_path / "history.sqlite3", **kwargs).resolved()  # type: ignore[arg-type]
    return TestClient(create_app(settings), base_url="http://127.0.0.1:8765"), settings


def test_loopback_needs_no_token_and_lists_no_sessions(tmp_path: Path) -> None:
    c, settings = client(tmp_path)
    assert settings.token is None
    assert c.get("/api/sessions").json() == []
    page = c.get("/live?exercise=plank")
    assert page.status_code == 200 and 'data-testid="count"' in page.text


def test_another_address_gets_a_token_and_refuses_requests_without_it(tmp_path: Path) -> None:
    c, settings = client(tmp_path, host="0.0.0.0")
    token = settings.token
    assert token and f"?token={token}" in settings.url()
    # the test client comes from loopback: the token is needed whatever the address
    refused = c.get("/api/sessions")
    assert refused.status_code == 401 and "token" in refused.json()["detail"]
    assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/sessions", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    first = c.get(f"/sessions?token={token}")
    assert first.status_code == 200 and first.cookies.get(COOKIE) == token
    assert c.get("/api/sessions").status_code == 200  # the cookie carries it now
    c.cookies.clear()
    with pytest.raises(WebSocketDisconnect) as closed, c.websocket_connect(WS):
        pass
    assert closed.value.code == 4401


def test_websocket_from_another_site_is_refused(tmp_path: Path) -> None:
    c, _ = client(tmp_path)
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        c.websocket_connect(WS, headers={"origin": "http://evil.example"}),
    ):
        pass
    assert closed.value.code == 4403


def test_a_host_name_that_is_not_loopback_is_refused_without_a_token(tmp_path: Path) -> None:
    c, _ = client(tmp_path)
    assert c.get("/api/sessions", headers={"host": "rebind.example:8765"}).status_code == 403


def test_a_bad_start_message_gets_a_clear_error(tmp_path: Path) -> None:
    c, _ = client(tmp_path)
    with c.websocket_connect(WS) as ws:
        ws.send_json({"type": "start", "exercise": "squat"})
        message = ws.receive_json()
    assert message["type"] == "error" and "squat" in message["message"]


def test_clear_4xx_for_bad_requests(tmp_path: Path) -> None:
    c, _ = client(tmp_path)
    missing = c.get("/api/sessions/42")
    assert missing.status_code == 404 and "not in the history" in missing.json()["detail"]
    assert c.get("/api/sessions/abc").status_code == 422
    assert c.get("/api/jobs/nope").status_code == 404
    assert c.post("/api/analyze").status_code == 422  # no file field
    bad = c.post("/api/analyze", files={"file": ("a.mp4", b"x")}, data={"exercise": "squat"})
    assert bad.status_code == 422 and "squat" in bad.json()["detail"]


def test_a_text_file_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    c, settings = client(tmp_path)
    answer = c.post("/api/analyze", files={"file": ("holiday.mp4", b"not a video at all\n" * 50)})
    assert answer.status_code == 415
    assert "holiday.mp4 is not a video" in answer.json()["detail"]
    uploads = settings.folder / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []
    assert c.get("/api/sessions").json() == []


def test_a_still_image_is_not_a_video(tmp_path: Path, messi_path: Path) -> None:
    c, _ = client(tmp_path)
    answer = c.post("/api/analyze", files={"file": ("clip.mp4", messi_path.read_bytes())})
    assert answer.status_code == 415 and "not a video" in answer.json()["detail"]


def test_upload_over_the_size_limit(tmp_path: Path) -> None:
    c, settings = client(tmp_path, max_upload_mb=1.0)
    answer = c.post("/api/analyze", files={"file": ("big.mp4", b"\0" * 1_100_000)})
    assert answer.status_code == 413 and "limit" in answer.json()["detail"]
    assert list((settings.folder / "uploads").iterdir()) == []


def test_token_over_a_real_socket(tmp_path: Path) -> None:
    import httpx

    with run_server(tmp_path, token="s3cret") as served:
        assert httpx.get(served.url + "/api/sessions").status_code == 401
        assert httpx.get(served.url + "/").status_code == 401
        ok = httpx.get(served.url + "/api/sessions", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json() == []
        assert httpx.get(served.url + "/api/progress?token=s3cret").status_code == 200
