"""Mentorship over HTTP, against a real uvicorn process: the JSON API and the pages, the
privacy of a pair's sessions, and bad input that is refused with nothing lost."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from server.store import Store
from server.store.tables import Event
from tests.clients import Visitor
from tests.servers import Server


async def _person(server: Server, name: str, zone: str, *interests: dict[str, Any]) -> Visitor:
    visitor = Visitor(server.url)
    me = await visitor.sign_up(name)
    body = {"display_name": me["display_name"], "timezone": zone, "interests": list(interests)}
    r = await visitor.send("PATCH", "/api/me", body)
    assert r.status_code == 200, r.text
    return visitor


async def _community(owner: Visitor, *members: Visitor) -> str:
    slug = f"mentors-{secrets.token_hex(4)}"
    r = await owner.post("/api/communities", {"slug": slug, "name": "Rust mentors"})
    assert r.status_code == 201, r.text
    for member in members:
        r = await member.post(f"/api/communities/{slug}/members")
        assert r.status_code == 201, r.text
    return slug


def _local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


async def test_ask_accept_schedule_and_feedback_through_the_api(server: Server) -> None:
    owner = await _person(server, "Owner", "UTC")
    learner = await _person(server, "Lea", "Europe/Paris", {"tag": "rust", "level": "beginner"})
    mentor = await _person(
        server, "Max", "Europe/Berlin",
        {"tag": "rust", "level": "experienced", "open_to_mentoring": True},
    )  # fmt: skip
    third = await _person(server, "Tom", "UTC", {"tag": "rust", "level": "beginner"})
    slug = await _community(owner, learner, mentor, third)
    api = f"/api/communities/{slug}/mentorship"

    r = await learner.post(api + "/requests", {"tag": "Rust", "note": "Lifetimes confuse me"})
    assert r.status_code == 201, r.text
    asked = r.json()
    assert asked["tag"] == "rust" and asked["status"] == "open"
    board = (await learner.get(api)).json()
    [mine] = board["requests"]
    assert [m["mentor"]["display_name"] for m in mine["suggested_mentors"]] == ["Max"]
    assert "14 waking hours in common" in mine["suggested_mentors"][0]["reasons"]

    # The mentor sees it among the requests that suit them; the third member does not.
    seen = (await mentor.get(api)).json()
    assert [q["id"] for q in seen["requests_for_you"]] == [asked["id"]]
    assert seen["requests_for_you"][0]["learner"]["display_name"] == "Lea"
    assert (await third.get(api)).json()["requests_for_you"] == []
    r = await third.post(f"{api}/requests/{asked['id']}/accept")
    assert r.status_code == 403, r.text

    # Passing only hides a request from the one who passes: Tom's pass changes nothing for
    # Max, and the learner cannot pass on their own request.
    r = await third.post(f"{api}/requests/{asked['id']}/pass")
    assert r.status_code == 200 and r.json()["status"] == "open", r.text
    r = await learner.post(f"{api}/requests/{asked['id']}/pass")
    assert r.status_code == 422 and "withdraw it instead" in r.json()["error"]["message"]
    assert [q["id"] for q in (await mentor.get(api)).json()["requests_for_you"]] == [asked["id"]]

    r = await mentor.post(f"{api}/requests/{asked['id']}/accept")
    assert r.status_code == 201, r.text
    pair = r.json()
    assert pair["mentor"]["display_name"] == "Max" and pair["learner"]["display_name"] == "Lea"
    r = await mentor.post(f"{api}/requests/{asked['id']}/accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert (await third.get(f"{api}/pairs/{pair['id']}")).status_code == 404

    # A session under way: it began five minutes ago, so both can already say how it goes.
    starts = datetime.now(UTC) - timedelta(minutes=5)
    session = {"title": "Lifetimes", "starts_at": _local(starts), "timezone": "UTC", "minutes": 60}
    r = await learner.post(f"{api}/pairs/{pair['id']}/sessions", session)
    assert r.status_code == 201, r.text
    [scheduled] = r.json()["sessions"]
    event_id = scheduled["event_id"]
    assert scheduled["your_feedback"] is None

    # Private: the two see the event; the third member and the owner do not, anywhere.
    assert (await mentor.get(f"/api/events/{event_id}")).status_code == 200
    for outsider in (third, owner):
        assert (await outsider.get(f"/api/events/{event_id}")).status_code == 404
        assert (await outsider.get(f"/events/{event_id}")).status_code == 404
        assert (await outsider.get(f"/events/{event_id}/room")).status_code == 403
        r = await outsider.post(f"/api/events/{event_id}/registrations")
        assert r.status_code == 404, r.text
    assert (await mentor.get(f"/events/{event_id}/room")).status_code == 200
    listed = (await third.get(f"/api/communities/{slug}")).json()
    assert event_id not in [e["id"] for e in listed["study_groups"]]

    feedback = f"{api}/pairs/{pair['id']}/sessions/{event_id}/feedback"
    r = await learner.send("PUT", feedback, {"went_well": True})
    assert r.status_code == 200 and r.json()["sessions"][0]["your_feedback"] is True
    r = await mentor.send("PUT", feedback, {"went_well": "maybe"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "went_well"
    r = await third.send("PUT", feedback, {"went_well": False})
    assert r.status_code == 404

    # Either of the two ends it; the third member cannot, and ending twice is a conflict.
    r = await third.post(f"{api}/pairs/{pair['id']}/end")
    assert r.status_code == 404, r.text
    r = await learner.post(f"{api}/pairs/{pair['id']}/end")
    assert r.status_code == 200, r.text
    ended = r.json()
    assert ended["ended_at"] and ended["ended_by"] == pair["learner"]["person_id"]
    assert ended["sessions"][0]["your_feedback"] is True  # what was said stays
    r = await mentor.post(f"{api}/pairs/{pair['id']}/end")
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = await mentor.post(f"{api}/pairs/{pair['id']}/sessions", session)
    assert r.status_code == 409 and "ended" in r.json()["error"]["message"]
    for v in (owner, learner, mentor, third):
        await v.__aexit__()


async def test_pages_ask_accept_and_keep_input_on_errors(server: Server) -> None:
    owner = await _person(server, "Owner", "UTC")
    learner = await _person(server, "Ada", "UTC")
    mentor = await _person(
        server, "Bo", "UTC", {"tag": "sql", "level": "experienced", "open_to_mentoring": True}
    )
    slug = await _community(owner, learner, mentor)
    page = f"/c/{slug}/mentorship"
    assert f'href="{page}"' in (await learner.get(f"/c/{slug}")).text

    # A bad tag: the form comes back with the note as typed and the error by the field.
    r = await learner.form(page + "/requests", {"tag": "!!", "note": "Joins & indexes"})
    assert r.status_code == 422
    assert "Joins &amp; indexes</textarea>" in r.text and 'aria-invalid="true"' in r.text
    r = await learner.form(page + "/requests", {"tag": "sql", "note": "Joins & indexes"})
    assert r.status_code == 303 and r.headers["location"] == page + "?asked=1"
    # Asking again for the same interest: refused, the input kept, the first request intact.
    r = await learner.form(page + "/requests", {"tag": "sql", "note": "Second try"})
    assert r.status_code == 409 and "You have asked for a mentor in sql already." in r.text
    assert "Second try</textarea>" in r.text and r.text.count("A mentor in sql</h3>") == 1

    mine = await learner.get(page)
    assert "Suggested mentors" in mine.text and ">Bo</a>" in mine.text
    theirs = await mentor.get(page)
    assert "Ada · sql" in theirs.text and "Joins &amp; indexes" in theirs.text
    board = (await mentor.get(f"/api/communities/{slug}/mentorship")).json()
    request_id = board["requests_for_you"][0]["id"]

    # Another mentor passes on it from the page: it leaves their list and Ada's suggestions.
    other = await _person(
        server, "Cy", "UTC", {"tag": "sql", "level": "experienced", "open_to_mentoring": True}
    )
    r = await other.post(f"/api/communities/{slug}/members")
    assert r.status_code == 201, r.text
    assert "Ada · sql" in (await other.get(page)).text
    assert ">Cy</a>" in (await learner.get(page)).text
    r = await other.form(f"{page}/requests/{request_id}/pass", {})
    assert r.status_code == 303 and r.headers["location"] == page + "?passed=1"
    text = (await other.get(page + "?passed=1")).text
    assert "You passed on that request" in text and "Ada · sql" not in text
    assert ">Cy</a>" not in (await learner.get(page)).text
    await other.__aexit__()

    r = await mentor.form(f"{page}/requests/{request_id}/accept", {})
    assert r.status_code == 303 and "/mentorship/pairs/" in r.headers["location"]
    pair_url = r.headers["location"].split("?")[0]
    assert "sql with Ada" in (await mentor.get(pair_url)).text

    # Scheduling with a bad time: the page comes back with the values as typed.
    r = await learner.form(pair_url + "/sessions", {"title": "Indexes", "starts_at": "soon",
                                                     "timezone": "UTC", "minutes": "45",
                                                     "weeks": "1"})  # fmt: skip
    assert r.status_code == 422 and 'value="soon"' in r.text and 'value="Indexes"' in r.text
    starts = _local(datetime.now(UTC) + timedelta(days=2))
    r = await learner.form(pair_url + "/sessions", {"title": "Indexes", "starts_at": starts,
                                                     "timezone": "UTC", "minutes": "45",
                                                     "weeks": "2"})  # fmt: skip
    assert r.status_code == 303, r.text
    text = (await mentor.get(pair_url)).text
    assert "Indexes</a>" in text and "2 weekly meetings" in text and "Open the room" in text
    # Not begun yet: nobody is asked how it went.
    assert "Did this session go well?" not in text

    # The mentor ends the mentorship from the page: both lose their places at the sessions
    # to come, and the page says so to both, with no way left to schedule.
    assert "End the mentorship with Ada" in text
    r = await mentor.form(pair_url + "/end", {})
    assert r.status_code == 303 and r.headers["location"] == pair_url + "?ended=1"
    text = (await mentor.get(pair_url + "?ended=1")).text
    assert "This mentorship ended on" in text and "(you ended it)" in text
    assert "Schedule the session" not in text and "End the mentorship" not in text
    text = (await learner.get(pair_url)).text
    assert "(Bo ended it)" in text and "Ask for a mentor again" in text
    assert "· ended</span>" in (await learner.get(page)).text
    r = await learner.form(pair_url + "/sessions", {"title": "More", "starts_at": starts,
                                                     "timezone": "UTC", "minutes": "45",
                                                     "weeks": "1"})  # fmt: skip
    assert r.status_code == 409 and "This mentorship has ended" in r.text
    assert (await learner.form(pair_url + "/end", {})).status_code == 409
    # Not a member: no mentorship.
    stranger = await _person(server, "Stranger", "UTC")
    assert (await stranger.form(page + "/requests", {"tag": "sql"})).status_code == 403
    assert "Join the community" in (await stranger.get(page)).text
    old = await stranger.get(f"/communities/{slug}/mentorship")
    assert old.status_code == 308 and old.headers["location"] == page
    for v in (owner, learner, mentor, stranger):
        await v.__aexit__()


async def test_sessions_are_private_events_in_the_store(server: Server) -> None:
    """The session the API made is a private study group in the server's own database."""
    owner = await _person(server, "Owner", "UTC")
    learner = await _person(server, "Cy", "UTC")
    mentor = await _person(
        server, "Di", "UTC", {"tag": "go", "level": "experienced", "open_to_mentoring": True}
    )
    slug = await _community(owner, learner, mentor)
    api = f"/api/communities/{slug}/mentorship"
    asked = (await learner.post(api + "/requests", {"tag": "go"})).json()
    pair = (await mentor.post(f"{api}/requests/{asked['id']}/accept")).json()
    starts = _local(datetime.now(UTC) + timedelta(days=1))
    r = await mentor.post(f"{api}/pairs/{pair['id']}/sessions", {"starts_at": starts})
    event_id = r.json()["sessions"][0]["event_id"]
    store = Store(f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}")
    try:
        event = await store.read(lambda s: s.get(Event, event_id))
        assert event is not None and event.private and event.kind == "study_group"
        assert event.going_count == 2
    finally:
        await store.close()
    for v in (owner, learner, mentor):
        await v.__aexit__()


async def test_malformed_input_is_a_4xx_and_the_api_is_documented(server: Server) -> None:
    owner = await _person(server, "Owner", "UTC")
    slug = await _community(owner)
    api = f"/api/communities/{slug}/mentorship"
    r = await owner.post(api + "/requests", {"tag": "rust", "colour": "blue"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "colour"
    r = await owner.post(api + "/requests", {"tag": "rust", "note": "x" * 501})
    assert r.status_code == 422 and r.json()["error"]["field"] == "note"
    r = await owner.post(api + "/requests", {"tag": "rust\x00"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "tag"
    headers = {"X-CSRF-Token": await owner.csrf(), "content-type": "application/json"}
    r = await owner.http.post(api + "/requests", content=b"{not json", headers=headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    huge = 2**40
    assert (await owner.post(f"{api}/requests/{huge}/accept")).status_code == 404
    assert (await owner.send("DELETE", f"{api}/requests/{huge}")).status_code == 404
    assert (await owner.get(f"{api}/pairs/{huge}")).status_code == 404
    r = await owner.send("PUT", f"{api}/pairs/1/sessions/{huge}/feedback", {"went_well": True})
    assert r.status_code == 404
    assert (await owner.get("/api/communities/no-such-place/mentorship")).status_code == 404
    async with Visitor(server.url) as anonymous:
        assert (await anonymous.get(api)).status_code == 401
        page = await anonymous.get(f"/c/{slug}/mentorship")
        assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")

    spec = (await owner.get("/api/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths["/api/communities/{slug}/mentorship"]) == {"get"}
    assert set(paths["/api/communities/{slug}/mentorship/requests"]) == {"post"}
    accept = paths["/api/communities/{slug}/mentorship/requests/{request_id}/accept"]["post"]
    assert {"201", "409"} <= set(accept["responses"])
    feedback = "/api/communities/{slug}/mentorship/pairs/{pair_id}/sessions/{event_id}/feedback"
    assert set(paths[feedback]) == {"put"}
    assert {"MentorRequestIn", "SessionIn", "FeedbackIn"} <= set(spec["components"]["schemas"])
    await owner.__aexit__()
