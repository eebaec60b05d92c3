"""One ASGI middleware in front of every HTTP request.

It caps the body, refuses cross-site writes (Origin check and a CSRF token on every
state-changing request, form or JSON), loads the signed-in person, and sends the security
headers, a Content-Security-Policy among them, on every HTML response.

CSRF uses a per-browser random token kept in a cookie and echoed by the page: in a form as
the `csrf_token` field, in JSON calls as the `X-CSRF-Token` header. A cross-site page can
neither read the cookie nor set the header, so it cannot forge either.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http.errors import error_body

if TYPE_CHECKING:
    from server.http.context import Studyhall

CSRF_COOKIE = "studyhall_csrf"
SESSION_COOKIE = "studyhall_session"
MAX_BODY = 1024 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


def read_cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is treated as no cookies
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


def header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp, studyhall: Studyhall) -> None:
        self.app = app
        self.studyhall = studyhall

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"].startswith("/static/")
            or scope["path"]
            in (
                "/health",
                "/ready",
            )
        ):
            await self.app(scope, receive, send)
            return
        cookies = read_cookies(scope)
        known_token = cookies.get(CSRF_COOKIE, "")
        token = known_token if len(known_token) == 43 else secrets.token_urlsafe(32)
        state = scope.setdefault("state", {})
        state["csrf_token"] = token
        state["person"] = await self.studyhall.person_for_session(cookies.get(SESSION_COOKIE))
        try:
            receive = await self._check(scope, receive, token if known_token else "")
        except _Refusal as refusal:
            await self._refuse(scope, receive, send, refusal)
            return
        await self.app(scope, receive, self._headers(send, token, set_cookie=not known_token))

    async def _check(self, scope: Scope, receive: Receive, cookie_token: str) -> Receive:
        if scope["method"] in SAFE_METHODS:
            return receive
        origin = header(scope, b"origin")
        if origin is not None and origin.rstrip("/") not in self.studyhall.settings.allowed_origins:
            raise _Refusal(403, "csrf", "This request came from another site.")
        body = await _read_body(receive)
        sent = header(scope, b"x-csrf-token")
        content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if sent is None and content_type == "application/x-www-form-urlencoded":
            fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=200)
            sent = next(iter(fields.get("csrf_token", [])), None)
        if not sent or not cookie_token or not hmac.compare_digest(sent, cookie_token):
            raise _Refusal(
                403, "csrf", "Missing or wrong CSRF token: reload the page and try again."
            )
        return _replay(body, receive)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, r: _Refusal) -> None:
        response: Response
        if scope["path"].startswith("/api/"):
            response = JSONResponse(error_body(r.code, r.message), status_code=r.status)
        else:
            response = PlainTextResponse(r.message, status_code=r.status)
        await response(scope, receive, send)

    def _headers(self, send: Send, token: str, set_cookie: bool) -> Send:
        secure = self.studyhall.settings.secure_cookies

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CSP)
                    headers.setdefault("X-Frame-Options", "DENY")
                if set_cookie:
                    flags = "Path=/; SameSite=Lax" + ("; Secure" if secure else "")
                    headers.append("Set-Cookie", f"{CSRF_COOKIE}={token}; {flags}")
            await send(message)

        return send_with_headers


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Refusal(400, "bad_request", "The request ended early.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _Refusal(413, "too_large", "The request body is larger than 1 MiB.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, upstream: Receive) -> Receive:
    """Hand the app the body already read, then the client's own messages (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await upstream()

    return receive
