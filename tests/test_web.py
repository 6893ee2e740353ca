"""formcheck serve without a browser: the token, the host and origin checks, the JSON API and
uploads refused for what they are (the browser tests are in test_web_browser.py)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse

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
    with pytest.raises(WebSocketDenialResponse) as refused_ws, c.websocket_connect(WS):
        pass
    assert refused_ws.value.status_code == 401


@pytest.mark.parametrize(
    ("host", "needed"),
    [("127.0.0.1", False), ("localhost", False), ("127.0.0.2", True), ("0.0.0.0", True)],
)
def test_only_127_0_0_1_goes_without_a_token(tmp_path: Path, host: str, needed: bool) -> None:
    settings = WebSettings(host=host, db=tmp_path / "h.sqlite3").resolved()
    assert (settings.token is not None) is needed


def test_websocket_from_another_site_is_refused(tmp_path: Path) -> None:
    c, _ = client(tmp_path)
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        c.websocket_connect(WS, headers={"origin": "http://evil.example"}),
    ):
        pass
    assert refused.value.status_code == 403


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
    import httpx2

    with run_server(tmp_path, token="s3cret") as served:
        assert httpx2.get(served.url + "/api/sessions").status_code == 401
        assert httpx2.get(served.url + "/").status_code == 401
        ok = httpx2.get(served.url + "/api/sessions", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json() == []
        assert httpx2.get(served.url + "/api/progress?token=s3cret").status_code == 200


def _ws_start(url: str, **kwargs: Any) -> dict[str, Any]:
    """Open the live WebSocket at ``url`` (a real socket), send a bad start message and return
    the server's answer (the socket was let in: the message is the session's own error)."""
    from websockets.sync.client import connect

    with connect(url, open_timeout=20, **kwargs) as ws:
        ws.send(json.dumps({"type": "start", "exercise": "squat"}))
        answer: dict[str, Any] = json.loads(ws.recv(timeout=20))
    return answer


@pytest.mark.parametrize("host", ["127.0.0.2", "0.0.0.0"])
def test_bound_to_another_address_the_token_is_needed_over_a_real_socket(
    tmp_path: Path, host: str
) -> None:
    """Bound to another address than 127.0.0.1 (here still only reachable from this machine),
    the server wants the token from every request, whatever address it comes from: the test
    connects over loopback (127.0.0.1 for 0.0.0.0)."""
    import httpx2
    from websockets.exceptions import InvalidStatus

    pytest.importorskip("websockets")
    try:
        with socket.create_server((host, 0)):
            pass
    except OSError:
        pytest.skip(f"cannot bind {host} here")
    with run_server(tmp_path, host=host) as served:
        token = served.settings.token
        assert token, "a generated token"
        url = served.url
        ws_url = url.replace("http://", "ws://") + "/api/live"
        for path in ("/", "/live", "/api/sessions", "/api/sessions/1", "/static/live.js"):
            refused = httpx2.get(url + path, timeout=20)
            assert refused.status_code == 401, path
            assert "token" in refused.json()["detail"] and "Traceback" not in refused.text
        assert httpx2.post(url + "/api/analyze", files={"file": ("a.mp4", b"x")}).status_code == 401
        wrong = httpx2.get(url + "/api/sessions", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        bearer = httpx2.get(url + "/api/sessions", headers={"Authorization": f"Bearer {token}"})
        assert bearer.status_code == 200 and bearer.json() == []
        with httpx2.Client(base_url=url, timeout=20) as browser_like:
            first = browser_like.get(f"/sessions?token={token}")
            assert first.status_code == 200 and first.cookies.get(COOKIE) == token
            assert "HttpOnly" in first.headers["set-cookie"]
            assert browser_like.get("/api/sessions").status_code == 200  # the cookie now
        # the WebSocket: refused without the token (the handshake gets the 401), let in with it
        with pytest.raises(InvalidStatus) as no_token:
            _ws_start(ws_url)
        assert no_token.value.response.status_code == 401
        with pytest.raises(InvalidStatus) as bad_token:
            _ws_start(ws_url + "?token=nope")
        assert bad_token.value.response.status_code == 401
        for kwargs in (
            {"uri": f"{ws_url}?token={token}"},
            {"uri": ws_url, "additional_headers": {"Authorization": f"Bearer {token}"}},
            {"uri": ws_url, "additional_headers": {"Cookie": f"{COOKIE}={token}"}},
        ):
            uri = kwargs.pop("uri")
            answer = _ws_start(uri, **kwargs)  # type: ignore[arg-type]
            assert answer["type"] == "error" and "squat" in answer["message"]
        # another site's page, even with the token, cannot open the live socket
        with pytest.raises(InvalidStatus) as other_site:
            _ws_start(f"{ws_url}?token={token}", origin="http://evil.example")  # type: ignore[arg-type]
        assert other_site.value.response.status_code == 403


def test_bad_requests_over_a_real_socket_get_a_clear_4xx(tmp_path: Path) -> None:
    import httpx2

    with run_server(tmp_path) as served:

        def get(path: str) -> httpx2.Response:
            return httpx2.get(served.url + path, timeout=20)

        missing = get("/api/sessions/999999")
        assert missing.status_code == 404
        assert missing.json()["detail"].startswith("session 999999: not in the history")
        for path in ("/sessions/999999/report.html", "/sessions/999999/report.csv"):
            assert get(path).status_code == 404
        not_a_number = get("/api/sessions/abc")
        assert not_a_number.status_code == 422
        assert "session_id" in not_a_number.json()["detail"]
        nonsense = get("/live?exercise=nonsense")
        assert nonsense.status_code == 400 and nonsense.headers["content-type"].startswith(
            "text/html"
        )
        assert "nonsense" in nonsense.text and "glute_bridge" in nonsense.text
        assert get("/live?exercise=plank").status_code == 200
        no_file = httpx2.post(served.url + "/api/analyze", timeout=20)
        assert no_file.status_code == 422
        assert no_file.json() == {
            "detail": "no file: send the video as the multipart form field 'file'"
        }
        unknown = get("/no/such/page")
        assert unknown.status_code == 404 and unknown.json()["detail"]
        assert httpx2.delete(served.url + "/api/sessions", timeout=20).status_code == 405
        for answer in (missing, not_a_number, nonsense, no_file, unknown):
            assert "Traceback" not in answer.text
        assert get("/api/sessions").status_code == 200  # the server is still up
