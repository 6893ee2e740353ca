"""Who may use the web app: the token, the Host header and the WebSocket's origin.

:class:`Guard` is an ASGI middleware in front of every route:

* With a token (``formcheck serve --token``, or generated when binding to another address than
  127.0.0.1, see :func:`needs_token`), each request and WebSocket needs it:
  ``Authorization: Bearer TOKEN``, ``?token=TOKEN`` (then kept in a cookie, so the links of the
  pages work) or that cookie. Without it: 401 with
  a JSON ``detail``, whatever address the request comes from; a WebSocket's handshake gets the
  same 401 answer (or, on a server without ASGI's denial response, is closed with code 4401).
* Without a token (loopback only), the Host header must name the loopback address, so a web
  page elsewhere cannot reach the app through DNS rebinding.
* A WebSocket whose ``Origin`` is not this server's own is refused (403, or code 4403):
  another site open in the browser cannot drive the camera session.

Example:
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
SendFn = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, SendFn], Awaitable[None]]

COOKIE = "formcheck_token"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """True for a loopback host name or address."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: The addresses ``formcheck serve`` binds to without a token: 127.0.0.1 (and its names).
#: Any other, even another loopback address such as 127.0.0.2, needs the token.
NO_TOKEN_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def needs_token(host: str) -> bool:
    """True when binding to ``host`` requires a token (every address but 127.0.0.1).

    Example:
        >>> needs_token("127.0.0.1"), needs_token("127.0.0.2"), needs_token("0.0.0.0")
        (False, True, True)
    """
    return host.strip("[]").lower() not in NO_TOKEN_HOSTS


def new_token() -> str:
    """A fresh random token (URL-safe)."""
    return secrets.token_urlsafe(18)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _host_name(host_header: str) -> str:
    """The host part of a Host header ("127.0.0.1:8765" -> "127.0.0.1", "[::1]:80" -> "::1")."""
    return urlsplit(f"//{host_header}").hostname or ""


def presented_token(scope: Scope) -> tuple[str | None, bool]:
    """The token a request carries, and whether it came in the query string."""
    headers = _headers(scope)
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("token"):
        return query["token"][0], True
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no token
        return None, False
    if COOKIE in cookie:
        return cookie[COOKIE].value, False
    return None, False


class Guard:
    """The ASGI middleware (see module docs).

    Args:
        app: The application behind it.
        token: The token every request needs, or None (loopback use only).
    """

    def __init__(self, app: ASGIApp, *, token: str | None) -> None:
        self.app = app
        self.token = token

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = _headers(scope)
        if self.token is None:
            host = _host_name(headers.get("host", ""))
            if host and not is_loopback(host):
                return (
                    403,
                    f"host {host!r} is not this computer: open the address formcheck printed",
                )
        else:
            given, _ = presented_token(scope)
            if given is None or not secrets.compare_digest(given.encode(), self.token.encode()):
                return 401, "a token is needed: open the address formcheck serve printed"
        if scope["type"] == "websocket":
            origin = headers.get("origin")
            if origin is not None:
                parts = urlsplit(origin)
                if parts.netloc.lower() != headers.get("host", "").lower():
                    return 403, f"WebSocket from another site ({origin}) refused"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: SendFn) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            status, text = refusal
            body = json.dumps({"detail": text}).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            if status == 401:
                headers.append((b"www-authenticate", b"Bearer"))
            kind = "http"
            if scope["type"] == "websocket":
                await receive()  # websocket.connect
                if "websocket.http.response" not in scope.get("extensions", {}):
                    # no denial response in this server: close (the code says why)
                    await send({"type": "websocket.close", "code": 4000 + status, "reason": text})
                    return
                kind = "websocket.http"  # the handshake refused with the same 401/403 and text
            await send({"type": f"{kind}.response.start", "status": status, "headers": headers})
            await send({"type": f"{kind}.response.body", "body": body})
            return
        _, in_query = presented_token(scope)
        if self.token is None or not in_query or scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


__all__ = [
    "COOKIE",
    "NO_TOKEN_HOSTS",
    "Guard",
    "is_loopback",
    "needs_token",
    "new_token",
    "presented_token",
]
