"""Accounts over HTTP against a real uvicorn process."""

from __future__ import annotations

import secrets

from tests.clients import PASSWORD, Visitor
from tests.servers import Server


async def test_sign_up_sign_out_sign_in(visitor: Visitor) -> None:
    email = f"{secrets.token_hex(5)}@example.org"
    me = await visitor.sign_up("Ada", email)
    assert me["email"] == email and me["display_name"] == "Ada"
    cookie = visitor.http.cookies.get("studyhall_session")
    assert cookie
    r = await visitor.send("DELETE", "/api/session")
    assert r.status_code == 204
    assert (await visitor.get("/api/me")).status_code == 401
    r = await visitor.post("/api/session", {"email": email.upper(), "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert (await visitor.get("/api/me")).json()["email"] == email


async def test_session_cookie_flags(visitor: Visitor) -> None:
    r = await visitor.post(
        "/api/accounts",
        {
            "email": f"{secrets.token_hex(5)}@example.org",
            "password": PASSWORD,
            "display_name": "Bo",
        },
    )
    cookie = next(
        v
        for k, v in r.headers.multi_items()
        if k == "set-cookie" and v.startswith("studyhall_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # PUBLIC_URL is http in the tests


async def test_duplicate_email_is_409(visitor: Visitor, server: Server) -> None:
    email = f"{secrets.token_hex(5)}@example.org"
    await visitor.sign_up("One", email)
    async with Visitor(server.url) as other:
        r = await other.post(
            "/api/accounts", {"email": email, "password": PASSWORD, "display_name": "Two"}
        )
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "email_taken",
        "message": "An account with this email exists already: sign in instead.",
        "field": "email",
    }


async def test_bad_sign_up_fields_are_422_with_the_field(visitor: Visitor) -> None:
    cases = [
        ({"email": "not-an-email", "password": PASSWORD, "display_name": "X"}, "email"),
        ({"email": "a@b.org", "password": "short", "display_name": "X"}, "password"),
        ({"email": "a@b.org", "password": PASSWORD, "display_name": "X" * 81}, "display_name"),
        ({"email": "a@b.org", "password": PASSWORD, "display_name": ""}, "display_name"),
        (
            {
                "email": "a@b.org",
                "password": PASSWORD,
                "display_name": "X",
                "timezone": "Mars/Base",
            },
            "timezone",
        ),
        ({"password": PASSWORD, "display_name": "X"}, "email"),
        ({"email": "a@b.org", "password": PASSWORD, "display_name": "X", "admin": True}, "admin"),
    ]
    for body, field in cases:
        r = await visitor.post("/api/accounts", body)
        assert r.status_code == 422, (body, r.text)
        error = r.json()["error"]
        assert error["field"] == field and error["code"] == "invalid" and error["message"]


async def test_wrong_bodies_are_4xx_not_500(visitor: Visitor) -> None:
    token = await visitor.csrf()
    headers = {"X-CSRF-Token": token}
    r = await visitor.http.post(
        "/api/accounts",
        content=b"{not json",
        headers={**headers, "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    r = await visitor.http.post(
        "/api/accounts", content=b"[1,2]", headers={**headers, "content-type": "application/json"}
    )
    assert r.status_code == 400
    r = await visitor.http.post(
        "/api/accounts", content=b"x", headers={**headers, "content-type": "text/plain"}
    )
    assert r.status_code == 415
    r = await visitor.http.post(
        "/api/accounts",
        content=b"x" * (1024 * 1024 + 1),
        headers={**headers, "content-type": "application/json"},
    )
    assert r.status_code == 413


async def test_missing_or_wrong_csrf_token_is_403(visitor: Visitor) -> None:
    await visitor.csrf()
    body = {"email": "c@example.org", "password": PASSWORD, "display_name": "C"}
    r = await visitor.http.post("/api/accounts", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = await visitor.http.post("/api/accounts", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert r.status_code == 403
    r = await visitor.http.post("/sign-up", data=body)
    assert r.status_code == 403


async def test_foreign_origin_is_refused(visitor: Visitor) -> None:
    token = await visitor.csrf()
    r = await visitor.http.post(
        "/api/session",
        json={"email": "a@b.org", "password": "x"},
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert r.status_code == 403


async def test_sign_in_is_rate_limited_per_email(visitor: Visitor) -> None:
    email = f"{secrets.token_hex(5)}@example.org"
    await visitor.sign_up("Target", email)
    statuses = []
    for _ in range(12):
        r = await visitor.post("/api/session", {"email": email, "password": "wrong password"})
        statuses.append(r.status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    r = await visitor.post("/api/session", {"email": email, "password": PASSWORD})
    assert r.status_code == 429  # even the right password waits out the window


async def test_profile_edit_and_public_view_has_no_email(visitor: Visitor) -> None:
    me = await visitor.sign_up("Eve")
    r = await visitor.send(
        "PATCH",
        "/api/me",
        {
            "display_name": "Eve L",
            "bio": "Learning Go",
            "timezone": "Europe/Paris",
            "interests": [
                {"tag": "Go", "level": "beginner"},
                {"tag": "python", "level": "experienced", "open_to_mentoring": True},
            ],
        },
    )
    assert r.status_code == 200, r.text
    public = (await visitor.get(f"/api/people/{me['id']}")).json()
    assert public["display_name"] == "Eve L" and "email" not in public
    assert {"tag": "go", "level": "beginner", "open_to_mentoring": False} in public["interests"]
    page = await visitor.get(f"/people/{me['id']}")
    assert "Eve L" in page.text and me["email"] not in page.text


async def test_forms_work_without_javascript(visitor: Visitor) -> None:
    page = await visitor.get("/sign-up")
    assert page.status_code == 200
    assert "content-security-policy" in page.headers
    assert 'name="csrf_token"' in page.text
    r = await visitor.form("/sign-up", {"display_name": "Fi", "email": "bad", "password": "x"})
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text and 'id="e-email"' in r.text
    email = f"{secrets.token_hex(5)}@example.org"
    r = await visitor.form(
        "/sign-up", {"display_name": "Fi", "email": email, "password": PASSWORD, "timezone": "UTC"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/profile")
    r = await visitor.form(
        "/profile",
        {
            "display_name": "Fi",
            "bio": "",
            "timezone": "UTC",
            "interest_0_tag": "Rust",
            "interest_0_level": "beginner",
            "interest_0_mentor": "on",
        },
    )
    assert r.status_code == 303
    profile = await visitor.get("/profile")
    assert 'value="rust"' in profile.text


async def test_health_ready_and_openapi(visitor: Visitor) -> None:
    assert (await visitor.get("/health")).json() == {"status": "ok"}
    ready = await visitor.get("/ready")
    assert ready.status_code == 200 and ready.json()["store"] is True
    spec = (await visitor.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert "post" in spec["paths"]["/api/accounts"]
    assert "SignUp" in spec["components"]["schemas"]


async def test_unknown_pages_are_404(visitor: Visitor) -> None:
    assert (await visitor.get("/no/such/page")).status_code == 404
    r = await visitor.get("/api/people/999999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_profile_form_keeps_every_interest(visitor: Visitor) -> None:
    """More interests than the form's blank rows (set through the API) all get a row, and
    saving the form keeps them all, "open to mentoring" included."""
    await visitor.sign_up("Gil")
    interests = [
        {"tag": f"topic{n}", "level": "experienced", "open_to_mentoring": n % 2 == 0}
        for n in range(8)
    ]
    body = {"display_name": "Gil", "timezone": "UTC", "interests": interests}
    assert (await visitor.send("PATCH", "/api/me", body)).status_code == 200
    page = (await visitor.get("/profile")).text
    form = {"display_name": "Gil", "bio": "", "timezone": "UTC"}
    for n in range(8):
        assert f'name="interest_{n}_tag" value="topic{n}"' in page
        form |= {f"interest_{n}_tag": f"topic{n}", f"interest_{n}_level": "experienced"}
        if n % 2 == 0:
            form[f"interest_{n}_mentor"] = "on"
    assert 'name="interest_9_tag" value=""' in page  # blank rows to add more
    assert (await visitor.form("/profile", form)).status_code == 303
    me = (await visitor.get("/api/me")).json()
    assert sorted(me["interests"], key=lambda i: i["tag"]) == interests
