"""Events, registrations and calendars over HTTP, against a real uvicorn process."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from server.store import Store, communities
from tests.clients import Visitor
from tests.servers import Server


@dataclass
class Host:
    """A signed-in owner of a fresh community."""

    visitor: Visitor
    person: dict[str, Any]
    slug: str


def _local(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M")


def _event(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "webinar",
        "title": "Ownership explained",
        "description": "Borrowing, *slowly*. <script>alert(1)</script>",
        "timezone": "UTC",
        "starts_at": _local(timedelta(days=30)),
        "ends_at": _local(timedelta(days=30, hours=1)),
        "capacity": 10,
        "tags": ["rust", "beginners"],
        **fields,
    }


def _error(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["message"]
    return error


async def _community(server: Server, owner_id: int, join_policy: str = "open") -> str:
    # Straight into the server's SQLite file: these tests need a community, not its API.
    store = Store(f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}")
    slug = f"rust-{secrets.token_hex(4)}"
    try:
        await store.write(
            communities.create_community,
            owner_id=owner_id,
            slug=slug,
            name="Rust learners",
            join_policy=join_policy,
        )
    finally:
        await store.close()
    return slug


@pytest.fixture
async def host(server: Server) -> AsyncIterator[Host]:
    async with Visitor(server.url) as v:
        person = await v.sign_up("Hana Host")
        yield Host(v, person, await _community(server, person["id"]))


async def _create(host: Host, **fields: Any) -> dict[str, Any]:
    r = await host.visitor.post(f"/api/communities/{host.slug}/events", _event(**fields))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_create_read_and_edit_through_the_api(host: Host, visitor: Visitor) -> None:
    created = await _create(host, speaker_ids=[host.person["id"]])
    assert created["seats_left"] == 10 and created["tags"] == ["beginners", "rust"]
    assert created["starts_at"].endswith("Z") and created["attendees"] == []
    assert created["speakers"] == [{"id": host.person["id"], "display_name": "Hana Host"}]

    r = await host.visitor.send("PATCH", f"/api/events/{created['id']}", {"title": "Renamed"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Renamed" and r.json()["capacity"] == 10

    seen = (await visitor.get(f"/api/events/{created['id']}")).json()
    assert seen["title"] == "Renamed" and "attendees" not in seen
    page = await visitor.get(f"/events/{created['id']}")
    assert page.status_code == 200
    assert "<em>slowly</em>" in page.text and "<script>alert" not in page.text
    assert f'href="/events/{created["id"]}.ics"' in page.text
    listed = (await visitor.get("/api/events", params={"tag": "rust", "kind": "webinar"})).json()
    assert created["id"] in [e["id"] for e in listed["events"]]
    html = await visitor.get("/events", params={"tag": "rust"})
    assert html.status_code == 200 and "Renamed" in html.text


BAD_EVENTS = [
    ({"starts_at": "15/01/2027 18:00"}, "starts_at"),
    ({"starts_at": "2027-02-30T18:00"}, "starts_at"),
    ({"ends_at": "2027-01-15T18:00+01:00"}, "ends_at"),
    ({"ends_at": _local(timedelta(days=29))}, "ends_at"),
    ({"ends_at": _local(timedelta(days=45))}, "ends_at"),
    ({"title": "x" * 201}, "title"),
    ({"title": ""}, "title"),
    ({"title": "nul\x00byte"}, "title"),
    ({"description": "d" * 20_001}, "description"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": 100_001}, "capacity"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"kind": "party"}, "kind"),
    ({"tags": [f"t{n}" for n in range(11)]}, "tags"),
    ({"kind": "meetup"}, "attendance"),
    ({"kind": "meetup", "attendance": "in_person", "address": "1 Main St"}, "venue"),
    ({"kind": "study_group"}, "weekly_count"),
    ({"weekly_count": 3}, "weekly_count"),
    (
        {
            "agenda": [
                {"title": "T", "starts_at": "2027-01-01T10:00", "ends_at": "2027-01-01T11:00"}
            ]
        },
        "agenda",
    ),
    ({"speaker_ids": [2**40]}, "speaker_ids.0"),
    ({"speaker_ids": [999_999]}, "speaker_ids"),
    ({"surprise": 1}, "surprise"),
]


@pytest.mark.parametrize(("change", "field"), BAD_EVENTS)
async def test_bad_event_input_is_a_422_naming_the_field(
    host: Host, change: dict[str, Any], field: str
) -> None:
    r = await host.visitor.post(f"/api/communities/{host.slug}/events", _event(**change))
    assert _error(r, 422)["field"] == field


async def test_bad_requests_get_clear_4xx(host: Host, visitor: Visitor) -> None:
    url = f"/api/communities/{host.slug}/events"
    v = host.visitor
    token = await v.csrf()
    headers = {"X-CSRF-Token": token, "Origin": v.base_url}
    sent = await v.http.post(
        url, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert _error(sent, 400)["code"] == "bad_request"
    sent = await v.http.post(
        url, content=b"[1]", headers={**headers, "Content-Type": "application/json"}
    )
    _error(sent, 400)
    sent = await v.http.post(
        url, content=b"title=x", headers={**headers, "Content-Type": "text/plain"}
    )
    assert _error(sent, 415)["code"] == "unsupported_media_type"
    no_csrf = await v.http.post(url, json=_event(), headers={"Origin": v.base_url})
    assert _error(no_csrf, 403)["code"] == "csrf"

    assert _error(await v.post("/api/communities/no-such-place/events", _event()), 404)
    for path in ("/api/events/987654", "/api/events/99999999999999999999", "/api/events/x"):
        _error(await v.get(path), 404)
    _error(await v.send("PATCH", "/api/events/987654", {"title": "x"}), 404)
    _error(await v.post("/api/events/987654/registrations"), 404)
    _error(await v.post("/api/events/987654/guests", {"name": "G", "email": "g@example.org"}), 404)
    assert (await v.get("/events/987654")).status_code == 404
    assert (await v.get("/events/987654.ics")).status_code == 404
    assert (await v.get("/join/not-a-token")).status_code == 404
    assert (await v.get("/feeds/" + "x" * 32 + ".ics")).status_code == 404
    assert (await v.get("/c/no%00where/events.ics")).status_code == 404

    assert _error(await visitor.post(url, _event()), 401)["code"] == "not_signed_in"
    await visitor.sign_up()
    assert _error(await visitor.post(url, _event()), 403)["code"] == "forbidden"

    for query, field in [
        ("kind=party", "kind"),
        ("from=2027-13-01", "from"),
        ("page=0", "page"),
        ("from=2027-02-02&to=2027-02-01", "to"),
        ("community=nowhere", "community"),
    ]:
        assert _error(await v.get(f"/api/events?{query}"), 422)["field"] == field
        assert (await v.get(f"/events?{query}")).status_code == 422


async def test_the_create_form_shows_errors_next_to_fields(host: Host) -> None:
    v = host.visitor
    form = await v.get(f"/c/{host.slug}/events/new")
    assert form.status_code == 200 and 'type="datetime-local"' in form.text
    assert 'for="f-title"' in form.text
    values = {**_event(), "tags": "rust, beginners", "starts_at": "someday", "capacity": ""}
    r = await v.form(f"/c/{host.slug}/events/new", values)
    assert r.status_code == 422
    assert 'id="e-starts_at"' in r.text and "2027-01-15T18:00" in r.text
    r = await v.form(f"/c/{host.slug}/events/new", {**values, "starts_at": _event()["starts_at"]})
    assert r.status_code == 303, r.text
    event_page = r.headers["location"]
    assert re.fullmatch(r"/events/\d+\?done=created", event_page)
    missing = await v.http.post(f"/c/{host.slug}/events/new", data=values)
    assert missing.status_code == 403
    edit_url = event_page.split("?")[0] + "/edit"
    edit = await v.get(edit_url)
    assert edit.status_code == 200 and 'value="Ownership explained"' in edit.text
    saved = await v.form(edit_url, {**values, "starts_at": _event()["starts_at"], "title": "New"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=saved")
    shrunk = await v.form(edit_url, {**values, "starts_at": _event()["starts_at"], "capacity": "x"})
    assert shrunk.status_code == 422 and 'id="e-capacity"' in shrunk.text
    async with Visitor(v.base_url) as stranger:
        await stranger.sign_up()
        assert (await stranger.get(edit_url)).status_code == 403


async def test_waitlist_over_the_api(
    host: Host, make_visitor: type[Visitor], server: Server
) -> None:
    event = await _create(host, capacity=1)
    url = f"/api/events/{event['id']}/registrations"
    async with make_visitor(server.url) as a, make_visitor(server.url) as b:
        await a.sign_up()
        await b.sign_up()
        first, second = await a.post(url), await b.post(url)
        assert (first.status_code, first.json()["status"]) == (201, "going")
        assert second.json()["status"] == "waitlisted" and second.json()["waitlist_position"] == 1
        assert (await b.post(url)).status_code == 200
        assert (await a.send("DELETE", url + "/me")).json()["status"] == "cancelled"
        mine = (await b.get("/api/me/registrations")).json()
        assert [r["status"] for r in mine["registrations"]] == ["going"]
        seen = (await b.get(f"/api/events/{event['id']}")).json()
        assert "attendees" not in seen and seen["your_registration"]["status"] == "going"
    managed = (await host.visitor.get(f"/api/events/{event['id']}")).json()
    assert [a["status"] for a in managed["attendees"]] == ["going"]
    assert "@example.org" in managed["attendees"][0]["email"]


async def test_guest_registration_gives_a_join_link(host: Host, visitor: Visitor) -> None:
    event = await _create(host)
    email = f"{secrets.token_hex(4)}@example.org"
    r = await visitor.post(f"/api/events/{event['id']}/guests", {"name": "Gus", "email": email})
    assert r.status_code == 201, r.text
    join_url = r.json()["join_url"]
    assert re.fullmatch(rf"{visitor.base_url}/join/[A-Za-z0-9_-]{{32}}", join_url)
    page = await visitor.get(join_url.removeprefix(visitor.base_url))
    assert page.status_code == 200 and "Gus" in page.text and join_url in page.text
    again = await visitor.post(f"/api/events/{event['id']}/guests", {"name": "X", "email": email})
    assert _error(again, 409)["field"] == "email"
    bad = await visitor.post(f"/api/events/{event['id']}/guests", {"name": "X", "email": "nope"})
    assert _error(bad, 422)["field"] == "email"

    other = f"{secrets.token_hex(4)}@example.org"
    r = await visitor.form(f"/events/{event['id']}/guests", {"name": "Gia", "email": other})
    assert r.status_code == 303 and r.headers["location"].startswith("/join/")
    r = await visitor.form(f"/events/{event['id']}/guests", {"name": "", "email": other})
    assert r.status_code == 422 and 'id="e-name"' in r.text
    managed = (await host.visitor.get(f"/api/events/{event['id']}")).json()
    assert {a["email"] for a in managed["attendees"]} == {email, other}


async def test_calendar_files(host: Host, visitor: Visitor) -> None:
    meetup = await _create(
        host, kind="meetup", attendance="hybrid", venue="The Loft", address="1 Main St"
    )
    group = await _create(host, kind="study_group", weekly_count=6, timezone="Europe/Paris")
    r = await visitor.get(f"/events/{meetup['id']}.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    [entry] = Calendar.from_ical(r.content).walk("VEVENT")
    assert str(entry["uid"]) == f"event-{meetup['id']}@127.0.0.1"
    assert entry.decoded("dtstart").utcoffset() == timedelta(0)
    assert entry.decoded("dtstart").isoformat().replace("+00:00", "Z") == meetup["starts_at"]
    assert str(entry["location"]) == "The Loft, 1 Main St"
    assert str(entry["url"]).endswith(f"/events/{meetup['id']}")

    r = await visitor.get(f"/events/{group['id']}.ics")
    [entry] = Calendar.from_ical(r.content).walk("VEVENT")
    assert entry["rrule"].to_ical() == b"FREQ=WEEKLY;COUNT=6"
    # A weekly series keeps its wall-clock time in its own zone, daylight saving or not.
    assert "DTSTART;TZID=Europe/Paris:" in r.text and "BEGIN:VTIMEZONE" in r.text
    start = entry.decoded("dtstart")
    assert start.isoformat(timespec="minutes").startswith(group["local_starts_at"])

    r = await visitor.get(f"/c/{host.slug}/events.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    uids = {str(e["uid"]) for e in Calendar.from_ical(r.content).walk("VEVENT")}
    assert uids == {f"event-{meetup['id']}@127.0.0.1", f"event-{group['id']}@127.0.0.1"}


async def test_a_persons_feed_lists_their_registrations(
    host: Host, visitor: Visitor, make_visitor: type[Visitor], server: Server
) -> None:
    going = await _create(host)
    await _create(host, title="Not for me")  # in the community, not in the person's feed
    await visitor.sign_up()
    assert (await visitor.post(f"/api/events/{going['id']}/registrations")).status_code == 201
    feed_url = (await visitor.get("/api/me/registrations")).json()["feed_url"]
    async with make_visitor(server.url) as calendar_app:  # no cookie, as a calendar app
        r = await calendar_app.get(feed_url.removeprefix(server.url))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    uids = [str(e["uid"]) for e in Calendar.from_ical(r.content).walk("VEVENT")]
    assert uids == [f"event-{going['id']}@127.0.0.1"]
    mine = await visitor.get("/my/events")
    assert mine.status_code == 200 and feed_url in mine.text and "Ownership" in mine.text


async def test_join_the_room_from_fifteen_minutes_before(host: Host, visitor: Visitor) -> None:
    soon = await _create(
        host, starts_at=_local(timedelta(minutes=10)), ends_at=_local(timedelta(hours=1))
    )
    later = await _create(
        host, starts_at=_local(timedelta(hours=2)), ends_at=_local(timedelta(hours=3))
    )
    await visitor.sign_up()
    for event in (soon, later):
        r = await visitor.form(f"/events/{event['id']}/register", {})
        assert r.status_code == 303 and r.headers["location"].endswith("done=going")
    page = await visitor.get(f"/events/{soon['id']}")
    assert f'href="/events/{soon["id"]}/room"' in page.text and "Join the room" in page.text
    page = await visitor.get(f"/events/{later['id']}")
    assert "Join the room" not in page.text
    assert (await visitor.get(f"/api/events/{soon['id']}")).json()["room_open"] is True
    for event, shown in ((soon, True), (later, False)):
        guest = {"name": "Gus", "email": f"{secrets.token_hex(4)}@example.org"}
        r = await visitor.post(f"/api/events/{event['id']}/guests", guest)
        join_path = r.json()["join_url"].removeprefix(visitor.base_url)
        page = await visitor.get(join_path)
        assert (f'href="{join_path}/room"' in page.text) is shown


async def test_openapi_describes_the_events_api(visitor: Visitor) -> None:
    schema = (await visitor.get("/api/openapi.json")).json()
    for path in (
        "/api/events",
        "/api/communities/{slug}/events",
        "/api/events/{event_id}",
        "/api/events/{event_id}/guests",
        "/api/me/registrations",
    ):
        assert path in schema["paths"], path
    assert "EventIn" in schema["components"]["schemas"]
