"""Communities over HTTP, against a real uvicorn process."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, communities
from server.store.tables import Event, utcnow
from tests.clients import Visitor
from tests.servers import Server


def _slug() -> str:
    return f"learners-{secrets.token_hex(4)}"


async def _create(visitor: Visitor, **fields: Any) -> dict[str, Any]:
    body = {"slug": _slug(), "name": "Rust learners", **fields}
    r = await visitor.post("/api/communities", body)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def _error(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    error: dict[str, Any] = r.json()["error"]
    return error


async def test_create_through_the_api(visitor: Visitor) -> None:
    await visitor.sign_up("Ada")
    slug = _slug()
    r = await visitor.post(
        "/api/communities",
        {
            "slug": slug,
            "name": "Rust learners",
            "description": "We *learn* Rust.",
            "guidelines": "Be kind.",
            "join_policy": "invite",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["slug"] == slug and body["your_role"] == "owner" and body["member_count"] == 1
    assert body["invite_url"].endswith(f"/c/{slug}/invite/{body['invite_code']}")
    listed = (await visitor.get("/api/communities?limit=200")).json()["communities"]
    assert any(c["slug"] == slug and c["member_count"] == 1 for c in listed)
    page = await visitor.get(f"/c/{slug}")
    assert page.status_code == 200
    assert "<em>learn</em>" in page.text and "Be kind." in page.text


async def test_create_through_the_form(visitor: Visitor) -> None:
    await visitor.sign_up()
    slug = _slug()
    r = await visitor.form(
        "/communities/new",
        {
            "slug": slug,
            "name": "Form learners",
            "description": "",
            "guidelines": "",
            "join_policy": "open",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/c/{slug}"
    assert (await visitor.get(f"/api/communities/{slug}")).json()["name"] == "Form learners"


async def test_the_form_shows_errors_next_to_the_fields(visitor: Visitor) -> None:
    await visitor.sign_up()
    taken = (await _create(visitor))["slug"]
    r = await visitor.form("/communities/new", {"slug": taken, "name": "Again"})
    assert r.status_code == 409
    assert re.search(r'<p class="error" id="e-slug">[^<]*taken', r.text)
    r = await visitor.form("/communities/new", {"slug": "ok-slug-" + "x" * 40, "name": ""})
    assert r.status_code == 422
    assert 'id="e-slug"' in r.text and 'id="e-name"' in r.text
    assert 'aria-invalid="true"' in r.text


async def test_creating_needs_a_signed_in_person(visitor: Visitor) -> None:
    r = await visitor.get("/communities/new")
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=/communities/new"
    r = await visitor.post("/api/communities", {"slug": _slug(), "name": "Nobody's"})
    assert _error(r, 401)["code"] == "not_signed_in"


async def test_duplicate_slug_is_a_conflict(visitor: Visitor) -> None:
    await visitor.sign_up()
    slug = (await _create(visitor))["slug"]
    r = await visitor.post("/api/communities", {"slug": slug, "name": "Copy"})
    error = _error(r, 409)
    assert error["field"] == "slug" and error["code"] == "slug_taken"


async def test_invalid_slugs_are_refused_with_the_field(visitor: Visitor) -> None:
    await visitor.sign_up()
    for slug in (
        "ab",
        "-rust",
        "rust-",
        "rust--lang",
        "rust_lang",
        "new",
        "edit",
        "x" * 41,
        "rüst",
        42,
    ):
        r = await visitor.post("/api/communities", {"slug": slug, "name": "Bad slug"})
        assert _error(r, 422)["field"] == "slug", slug
    # Uppercase is taken as lowercase rather than refused.
    slug = _slug()
    r = await visitor.post("/api/communities", {"slug": slug.upper(), "name": "Shouting"})
    assert r.status_code == 201 and r.json()["slug"] == slug


async def test_overlong_and_malformed_fields_are_refused(visitor: Visitor) -> None:
    await visitor.sign_up()
    cases = {
        "name": "n" * 101,
        "description": "d" * 5001,
        "guidelines": "g" * 10_001,
        "join_policy": "anyone",
    }
    for field, value in cases.items():
        r = await visitor.post("/api/communities", {"slug": _slug(), "name": "Ok", field: value})
        assert _error(r, 422)["field"] == field
    r = await visitor.post("/api/communities", {"slug": _slug(), "name": "Nul\x00byte"})
    assert _error(r, 422)["field"] == "name"
    r = await visitor.post("/api/communities", {"slug": _slug(), "name": "Ok", "extra": 1})
    assert _error(r, 422)["field"] == "extra"
    r = await visitor.post("/api/communities", [1, 2])
    assert _error(r, 400)["code"] == "bad_request"


async def test_unknown_slug_is_404(visitor: Visitor) -> None:
    for path in (
        "/api/communities/no-such-place",
        "/api/communities/no-such-place/members",
        "/api/communities/%20",
    ):
        assert _error(await visitor.get(path), 404)["code"] == "not_found"
    for path in ("/c/no-such-place", "/c/no-such-place/members", "/c/NOPE/guidelines"):
        r = await visitor.get(path)
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]


async def test_missing_csrf_token_is_403(visitor: Visitor) -> None:
    await visitor.sign_up()
    r = await visitor.http.post("/api/communities", json={"slug": _slug(), "name": "No token"})
    assert _error(r, 403)["code"] == "csrf"
    r = await visitor.http.post("/communities/new", data={"slug": _slug(), "name": "No token"})
    assert r.status_code == 403


async def test_wrong_content_type_is_415(visitor: Visitor) -> None:
    await visitor.sign_up()
    headers = {"X-CSRF-Token": await visitor.csrf(), "Content-Type": "text/plain"}
    r = await visitor.http.post("/api/communities", content=b"slug=x", headers=headers)
    assert _error(r, 415)["code"] == "unsupported_media_type"


async def test_a_non_member_cannot_edit(server: Server) -> None:
    async with Visitor(server.url) as owner, Visitor(server.url) as other:
        await owner.sign_up()
        slug = (await _create(owner))["slug"]
        await other.sign_up()
        r = await other.send("PATCH", f"/api/communities/{slug}", {"name": "Taken over"})
        assert _error(r, 403)["code"] == "forbidden"
        assert (await other.get(f"/c/{slug}/edit")).status_code == 403
        r = await other.form(f"/c/{slug}/edit", {"name": "Taken over"})
        assert r.status_code == 403
        assert _error(await other.post(f"/api/communities/{slug}/invite"), 403)
        # A plain member is no better.
        assert (await other.post(f"/api/communities/{slug}/members")).status_code == 201
        r = await other.send("PATCH", f"/api/communities/{slug}", {"name": "Taken over"})
        assert r.status_code == 403
        assert (await owner.get(f"/api/communities/{slug}")).json()["name"] == "Rust learners"


async def test_managers_edit_through_api_and_form(visitor: Visitor) -> None:
    await visitor.sign_up()
    created = await _create(visitor, guidelines="Be kind.")
    slug = created["slug"]
    r = await visitor.send("PATCH", f"/api/communities/{slug}", {"guidelines": "Be patient."})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["guidelines"] == "Be patient." and body["name"] == "Rust learners"
    assert body["guidelines_updated_at"] > created["guidelines_updated_at"]
    assert (await visitor.get(f"/c/{slug}/edit")).status_code == 200
    r = await visitor.form(
        f"/c/{slug}/edit",
        {
            "name": "Renamed",
            "description": "line\r\nline",
            "guidelines": "Be patient.",
            "join_policy": "invite",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/c/{slug}?saved=1"
    body = (await visitor.get(f"/api/communities/{slug}")).json()
    assert body["name"] == "Renamed" and body["description"] == "line\nline"
    assert body["join_policy"] == "invite"
    r = await visitor.form(f"/c/{slug}/edit", {"name": "", "join_policy": "invite"})
    assert r.status_code == 422 and 'id="e-name"' in r.text


async def test_the_edit_form_sets_whether_attendees_see_the_people(
    visitor: Visitor, server: Server
) -> None:
    await visitor.sign_up()
    created = await _create(visitor)
    slug = created["slug"]
    assert created["show_people"] is True
    page = (await visitor.get(f"/c/{slug}/edit")).text
    assert '<select id="f-show_people" name="show_people">' in page
    assert '<option value="on" selected>' in page
    r = await visitor.form(f"/c/{slug}/edit", {"name": "Rust learners", "show_people": "off"})
    assert r.status_code == 303, r.text
    assert (await visitor.get(f"/api/communities/{slug}")).json()["show_people"] is False
    assert '<option value="off" selected>' in (await visitor.get(f"/c/{slug}/edit")).text
    # The room's presence reads the same setting (`store/presence.py`).
    store = Store(f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}")
    try:
        community = await store.read(communities.community_by_slug, slug)
        assert community is not None and community.show_people is False
    finally:
        await store.close()
    r = await visitor.send("PATCH", f"/api/communities/{slug}", {"show_people": True})
    assert r.status_code == 200 and r.json()["show_people"] is True
    r = await visitor.form(f"/c/{slug}/edit", {"name": "Rust learners", "show_people": "maybe"})
    assert r.status_code == 422 and 'id="e-show_people"' in r.text
    assert (await visitor.get(f"/api/communities/{slug}")).json()["show_people"] is True


async def test_community_page_shows_members_and_a_join_button(server: Server) -> None:
    async with Visitor(server.url) as owner, Visitor(server.url) as guest:
        await owner.sign_up("Owner Ada")
        slug = (await _create(owner))["slug"]
        page = (await guest.get(f"/c/{slug}")).text
        assert re.search(r'>Owner Ada</a> <span class="meta">owner</span>', page)
        assert f'action="/c/{slug}/join"' in page and "Join Rust learners</button>" in page
        # Signed out, the join button leads to signing in first.
        r = await guest.form(f"/c/{slug}/join", {})
        assert r.status_code == 303 and r.headers["location"] == f"/sign-in?next=/c/{slug}"
        bo = await guest.sign_up("Guest Bo")
        listed = f'<a href="/people/{bo["id"]}">Guest Bo</a> <span class="meta">member</span>'
        r = await guest.form(f"/c/{slug}/join", {})
        assert r.status_code == 303 and r.headers["location"] == f"/c/{slug}?joined=1"
        page = (await guest.get(f"/c/{slug}")).text
        assert listed in page and f'action="/c/{slug}/leave"' in page
        assert f'action="/c/{slug}/join"' not in page
        r = await guest.form(f"/c/{slug}/leave", {})
        assert r.status_code == 303
        page = (await guest.get(f"/c/{slug}")).text
        assert listed not in page and f'action="/c/{slug}/join"' in page


async def test_joining_by_invite_link(server: Server) -> None:
    async with Visitor(server.url) as owner, Visitor(server.url) as guest:
        await owner.sign_up()
        created = await _create(owner, join_policy="invite")
        slug, code = created["slug"], created["invite_code"]
        await guest.sign_up()
        detail = (await guest.get(f"/api/communities/{slug}")).json()
        assert "invite_code" not in detail and detail["your_role"] is None
        page = (await guest.get(f"/c/{slug}")).text
        assert f'action="/c/{slug}/join"' not in page and code not in page
        r = await guest.post(f"/api/communities/{slug}/members")
        assert _error(r, 403)["field"] == "invite_code"
        r = await guest.post(f"/api/communities/{slug}/members", {"invite_code": "wrong"})
        assert _error(r, 403)["code"] == "wrong_invite_code"
        assert (await guest.get(f"/c/{slug}/invite/wrong")).status_code == 404
        r = await guest.get(f"/c/{slug}/invite/{code}")
        assert r.status_code == 200 and "Join Rust learners" in r.text
        r = await guest.form(f"/c/{slug}/invite/{code}", {})
        assert r.status_code == 303 and r.headers["location"] == f"/c/{slug}?joined=1"
        assert (await guest.get(f"/api/communities/{slug}")).json()["your_role"] == "member"
        # A new code retires the old link.
        fresh = (await owner.post(f"/api/communities/{slug}/invite")).json()["invite_code"]
        assert fresh != code
        assert (await owner.get(f"/c/{slug}/invite/{code}")).status_code == 404
        assert (await owner.get(f"/c/{slug}/invite/{fresh}")).status_code == 200


async def test_roles_and_the_last_owner(server: Server) -> None:
    async with Visitor(server.url) as owner, Visitor(server.url) as member:
        me = await owner.sign_up()
        slug = (await _create(owner))["slug"]
        bo = await member.sign_up()
        assert (await member.post(f"/api/communities/{slug}/members")).status_code == 201
        assert (await member.post(f"/api/communities/{slug}/members")).status_code == 200
        r = await owner.send("DELETE", f"/api/communities/{slug}/members/me")
        assert _error(r, 409)["code"] == "last_owner"
        path = f"/api/communities/{slug}/members/{me['id']}"
        r = await member.send("PATCH", path, {"role": "member"})
        assert _error(r, 403)["code"] == "forbidden"
        r = await owner.send("PATCH", path, {"role": "member"})
        assert _error(r, 409)["code"] == "last_owner"
        r = await owner.send("PATCH", path, {"role": "king"})
        assert _error(r, 422)["field"] == "role"
        r = await owner.send(
            "PATCH", f"/api/communities/{slug}/members/{bo['id']}", {"role": "moderator"}
        )
        assert r.status_code == 200 and r.json()["role"] == "moderator"
        r = await owner.send(
            "PATCH", f"/api/communities/{slug}/members/{10**30}", {"role": "member"}
        )
        assert _error(r, 404)["code"] == "not_found"
        # Owners change roles on the members page too.
        r = await owner.form(f"/c/{slug}/members", {"person_id": str(bo["id"]), "role": "owner"})
        assert r.status_code == 303
        assert (
            await owner.send("DELETE", f"/api/communities/{slug}/members/me")
        ).status_code == 204
        r = await owner.send("DELETE", f"/api/communities/{slug}/members/me")
        assert _error(r, 404)["code"] == "not_member"
        members = (await member.get(f"/api/communities/{slug}/members")).json()["members"]
        assert [(m["person_id"], m["role"]) for m in members] == [(bo["id"], "owner")]


async def test_no_email_in_any_members_response_or_page(server: Server) -> None:
    async with Visitor(server.url) as owner, Visitor(server.url) as guest:
        owner_email = f"owner-{secrets.token_hex(4)}@example.org"
        guest_email = f"guest-{secrets.token_hex(4)}@example.org"
        await owner.sign_up("Owner", owner_email)
        slug = (await _create(owner))["slug"]
        await guest.sign_up("Guest", guest_email)
        await guest.post(f"/api/communities/{slug}/members")
        for viewer in (owner, guest):
            for path in (
                f"/api/communities/{slug}/members",
                f"/api/communities/{slug}",
                f"/c/{slug}",
                f"/c/{slug}/members",
                "/communities",
                "/api/communities?limit=200",
            ):
                r = await viewer.get(path)
                assert r.status_code == 200, path
                assert owner_email not in r.text and guest_email not in r.text, path
        members = (await guest.get(f"/api/communities/{slug}/members")).json()["members"]
        assert {m["display_name"] for m in members} == {"Owner", "Guest"}
        assert all(set(m) == {"person_id", "display_name", "role", "joined_at"} for m in members)


async def test_openapi_describes_the_endpoints(visitor: Visitor) -> None:
    doc = (await visitor.get("/api/openapi.json")).json()
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/communities"])
    assert {"get", "patch"} <= set(paths["/api/communities/{slug}"])
    assert "patch" in paths["/api/communities/{slug}/members/{person_id}"]
    assert "NewCommunity" in doc["components"]["schemas"]


async def test_page_lists_upcoming_events_study_groups_and_guidelines(server: Server) -> None:
    async with Visitor(server.url) as owner:
        await owner.sign_up()
        created = await _create(owner, guidelines="Be **kind**.")
        slug = created["slug"]
        # Events are the events feature's to create; write them straight into the server's store.
        store = Store(f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}")
        try:
            community = await store.read(communities.community_by_slug, slug)
            assert community is not None
            now = utcnow()

            async def add(session: AsyncSession, kind: str, title: str, hours: int) -> int:
                start, end = now + timedelta(hours=hours), now + timedelta(hours=hours + 1)
                event = Event(
                    community_id=community.id,
                    kind=kind,
                    title=title,
                    timezone="Europe/Paris",
                    starts_at=start,
                    ends_at=end,
                    series_ends_at=end,
                )
                session.add(event)
                await session.flush()
                return event.id

            talk = await store.write(add, "webinar", "Lifetimes explained", 30)
            group = await store.write(add, "study_group", "Borrow checker club", 50)
            await store.write(add, "webinar", "Last week's talk", -200)
        finally:
            await store.close()
        page = (await owner.get(f"/c/{slug}")).text
        events = page[page.index('id="events-heading"') : page.index('id="groups-heading"')]
        groups = page[page.index('id="groups-heading"') : page.index('id="members-heading"')]
        assert f'<a href="/events/{talk}">Lifetimes explained</a>' in events
        assert "Borrow checker club" not in events and "Last week" not in page
        assert f'<a href="/events/{group}">Borrow checker club</a>' in groups
        assert "(Europe/Paris)" in events
        r = await owner.get(f"/c/{slug}/guidelines")
        assert r.status_code == 200 and "Be <strong>kind</strong>." in r.text
