"""An HTTP visitor for the tests: keeps cookies and sends the CSRF token as a browser would."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

PASSWORD = "correct horse battery"


class Visitor:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, follow_redirects=False, timeout=30)
        self.base_url = base_url

    async def __aenter__(self) -> Visitor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def csrf(self) -> str:
        token = self.http.cookies.get("studyhall_csrf")
        if not token:
            await self.http.get("/health-check-cookie")  # any page sets the cookie
            token = self.http.cookies.get("studyhall_csrf")
        assert token, "the server set no CSRF cookie"
        return str(token)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.http.get(path, **kw)

    async def send(self, method: str, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        headers = {"X-CSRF-Token": await self.csrf(), "Origin": self.base_url}
        return await self.http.request(method, path, json=json, headers=headers, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.send("POST", path, json, **kw)

    async def form(self, path: str, data: dict[str, Any]) -> httpx.Response:
        body = {**data, "csrf_token": await self.csrf()}
        return await self.http.post(path, data=body, headers={"Origin": self.base_url})

    async def sign_up(self, name: str | None = None, email: str | None = None) -> dict[str, Any]:
        name = name or f"Learner {secrets.token_hex(3)}"
        email = email or f"{secrets.token_hex(6)}@example.org"
        r = await self.post(
            "/api/accounts", {"email": email, "password": PASSWORD, "display_name": name}
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body
