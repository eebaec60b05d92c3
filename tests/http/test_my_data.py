"""A person's own data over HTTP: the JSON download, and deleting the account."""

from __future__ import annotations

import secrets

from tests.clients import PASSWORD, Visitor
from tests.servers import Server


async def test_the_download_is_the_persons_data_as_an_attachment(visitor: Visitor) -> None:
    email = f"{secrets.token_hex(5)}@example.org"
    me = await visitor.sign_up("Noor", email)
    api = await visitor.get("/api/me/data")
    assert api.status_code == 200, api.text
    page = await visitor.get("/profile/data.json")
    assert page.status_code == 200
    assert page.headers["content-disposition"].startswith("attachment;")
    same = {**page.json(), "exported_at": None} == {**api.json(), "exported_at": None}
    assert same
    assert email in api.text and "Noor" in api.text and str(me["id"]) in api.text
    profile = await visitor.get("/profile")
    assert 'href="/profile/data.json"' in profile.text and 'href="/profile/delete"' in profile.text


async def test_strangers_get_no_data(server: Server) -> None:
    async with Visitor(server.url) as stranger:
        assert (await stranger.get("/api/me/data")).status_code == 401
        r = await stranger.get("/profile/data.json")
        assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")
        r = await stranger.send("DELETE", "/api/me", {"password": PASSWORD})
        assert r.status_code == 401


async def test_a_wrong_password_deletes_nothing(visitor: Visitor) -> None:
    await visitor.sign_up("Ola")
    r = await visitor.send("DELETE", "/api/me", {"password": "not my password"})
    assert r.status_code == 403
    assert r.json()["error"]["field"] == "password"
    assert (await visitor.get("/api/me")).status_code == 200
    page = await visitor.form("/profile/delete", {"password": "not my password"})
    assert page.status_code == 403
    assert "Wrong password: your account was not deleted." in page.text
    assert (await visitor.get("/api/me")).status_code == 200


async def test_deleting_signs_out_and_the_email_and_name_are_gone(
    visitor: Visitor, server: Server
) -> None:
    email = f"{secrets.token_hex(5)}@example.org"
    me = await visitor.sign_up("Pia Deleted", email)
    r = await visitor.send("DELETE", "/api/me", {"password": PASSWORD})
    assert r.status_code == 204, r.text
    assert (await visitor.get("/api/me")).status_code == 401
    profile = await visitor.get(f"/api/people/{me['id']}")
    assert profile.status_code == 404
    async with Visitor(server.url) as again:
        r = await again.post("/api/session", {"email": email, "password": PASSWORD})
        assert r.status_code == 401
        # The address is free for a new account, which is a new person.
        fresh = await again.sign_up("Pia", email)
        assert fresh["id"] != me["id"]


async def test_the_form_deletes_and_says_so(visitor: Visitor) -> None:
    await visitor.sign_up("Quin")
    page = await visitor.get("/profile/delete")
    assert page.status_code == 200 and 'name="password"' in page.text
    r = await visitor.form("/profile/delete", {"password": PASSWORD})
    assert r.status_code == 200
    assert "studyhall_session=" in r.headers.get("set-cookie", "")
    assert (await visitor.get("/api/me")).status_code == 401
