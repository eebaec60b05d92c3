"""Keeping a breakout group as a study group of the community, over the socket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.store import Store, study_groups
from server.store.tables import utcnow
from tests.clients import Visitor
from tests.live.conftest import db_url_of
from tests.live.support import Client, Seeded, me
from tests.live.test_breakouts import heard, joined, of
from tests.servers import Server

TWO_GROUPS = [{"name": "Traits", "topic": "rust"}, {"name": "Macros"}]


async def closed_round(
    server: Server, room: Seeded, **plan: Any
) -> tuple[Client, list[Client], tuple[int, int]]:
    """A host and three people: Learners 0 and 1 in Traits, Learner 2 in Macros; Learner 0
    wrote in Traits' chat and notes; then the host closed the groups."""
    host = await joined(server, room.host.cookie, room.event_id)
    people = [await joined(server, a.cookie, room.event_id) for a in room.attendees]
    planned = await host.send("breakout.plan", mode="by_hand", minutes=20, groups=TWO_GROUPS,
                              **plan)  # fmt: skip
    assert planned["type"] == "ack", planned
    await heard(host, "breakout.planned")
    traits, macros = (g["id"] for g in of(host, "breakout.planned")[-1]["round"]["groups"])
    for person, group in zip(people, (traits, traits, macros), strict=True):
        assert (await host.send("breakout.move", member=me(person), group=group))["type"] == "ack"
    assert (await host.send("breakout.open"))["type"] == "ack"
    await heard(people[0], "breakout.opened")
    said = await people[0].send("group.send", client_id="k1", body="Same time next week?")
    assert said["type"] == "ack", said
    noted = await people[0].send("group.notes", base=0, text="Read chapter 10 on traits\n")
    assert noted["type"] == "ack", noted
    assert (await host.send("breakout.close"))["type"] == "ack"
    for c in (host, *people):
        await heard(c, "breakout.closed")
    return host, people, (traits, macros)


async def study_group(server: Server, study_group_id: int) -> dict[str, Any]:
    store = Store(db_url_of(server))
    try:
        found = await store.read(study_groups.page, study_group_id)
    finally:
        await store.close()
    assert found is not None
    return found


async def test_a_host_keeps_a_group_with_its_people_notes_chat_and_weekly_meeting(
    server: Server, room: Seeded
) -> None:
    host, people, (traits, _macros) = await closed_round(server, room)
    first = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT18:00")
    weekly = {"first": first, "timezone": "Europe/Paris", "minutes": 60, "weeks": 8}
    kept = await host.send("breakout.keep", group=traits, name="  Rust   traits ", weekly=weekly)
    assert kept["type"] == "ack", kept
    found = kept["study_group"]
    assert found["name"] == "Rust traits" and isinstance(found["meeting"], int)
    for c in (host, *people):  # everyone in the room hears it
        await heard(c, "breakout.kept")
    news = of(people[2], "breakout.kept")[0]
    assert news["group"] == traits and news["study_group"] == found

    kept_group = await study_group(server, found["id"])
    assert [m["name"] for m in kept_group["members"]] == ["Learner 0", "Learner 1"]
    assert kept_group["group"].notes == "Read chapter 10 on traits\n"
    assert kept_group["group"].topic == "rust"
    assert [(m["name"], m["body"]) for m in kept_group["chat"]] == [
        ("Learner 0", "Same time next week?")
    ]
    meeting = kept_group["meeting"]
    assert meeting.kind == "study_group" and meeting.weekly_count == 8

    async with Visitor(server.url) as visitor:  # the meeting's calendar file, for anyone
        ics = await visitor.get(f"/events/{found['meeting']}.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Rust traits" in ics.text and "RRULE:FREQ=WEEKLY;COUNT=8" in ics.text
    assert "TZID=Europe/Paris" in ics.text

    again = await host.send("breakout.keep", group=traits)
    assert again["type"] == "error" and again["code"] == "conflict", again

    # Its page: all of it for its members and the community's owners and moderators; who
    # is in it and when it meets for the community's other members; nothing for others.
    path = f"/c/{kept_group['community'].slug}/study-groups/{found['id']}"
    cases = ((room.attendees[0], 200, True), (room.host, 200, True),
             (room.attendees[2], 200, False), (room.outsider, 404, False))  # fmt: skip
    for someone, status, full in cases:
        async with Visitor(server.url) as visitor:
            visitor.http.cookies.set("studyhall_session", someone.cookie)
            page = await visitor.get(path)
        assert page.status_code == status, (someone.name, page.status_code)
        if status == 200:
            assert f"/events/{found['meeting']}.ics" in page.text
            private = "Read chapter 10 on traits" in page.text, "Same time next week?" in page.text
            assert private == (full, full), someone.name
    async with Visitor(server.url) as visitor:
        assert (await visitor.get(path)).status_code == 303  # sign in first
        visitor.http.cookies.set("studyhall_session", room.host.cookie)
        assert (await visitor.get(path.rsplit("/", 1)[0] + "/" + "9" * 30)).status_code == 404
    for c in (host, *people):
        await c.close()


async def test_members_keep_their_own_group_only_when_the_host_allows_it(
    server: Server, room: Seeded
) -> None:
    host, (ada, bo, cy), (traits, macros) = await closed_round(server, room)
    refused = await ada.send("breakout.keep", group=traits)
    assert refused["type"] == "error" and refused["code"] == "forbidden", refused
    assert (await ada.send("ping"))["type"] == "pong"  # a user error: the socket stays open
    for c in (host, ada, bo, cy):
        await c.close()

    host, (ada, bo, cy), (traits, macros) = await closed_round(server, room, members_may_keep=True)
    assert of(ada, "breakout.planned")[-1]["round"]["members_may_keep"] is True
    not_mine = await cy.send("breakout.keep", group=traits)
    assert not_mine["type"] == "error" and not_mine["code"] == "forbidden", not_mine
    kept = await bo.send("breakout.keep", group=traits)
    assert kept["type"] == "ack", kept
    assert kept["study_group"]["name"] == "Traits" and kept["study_group"]["meeting"] is None
    members = (await study_group(server, kept["study_group"]["id"]))["members"]
    assert [m["name"] for m in members] == ["Learner 0", "Learner 1"]
    assert (await cy.send("breakout.keep", group=macros))["type"] == "ack"
    for c in (host, ada, bo, cy):
        await c.close()


async def test_keeping_is_refused_by_field_and_state(server: Server, room: Seeded) -> None:
    host = await joined(server, room.host.cookie, room.event_id)
    ada = await joined(server, room.attendees[0].cookie, room.event_id)
    await host.send("breakout.plan", mode="random", minutes=20, groups=TWO_GROUPS)
    await heard(host, "breakout.planned")
    traits = of(host, "breakout.planned")[-1]["round"]["groups"][0]["id"]
    draft = await host.send("breakout.keep", group=traits)
    assert draft["type"] == "error" and draft["code"] == "conflict", draft
    assert (await host.send("breakout.open"))["type"] == "ack"
    assert (await host.send("breakout.close"))["type"] == "ack"

    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT18:00")
    soon = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT18:00")
    cases = [
        ({"group": 10**9}, "group"),
        ({"group": traits, "name": " " * 3}, "name"),
        ({"group": traits, "name": "x" * 81}, "name"),
        ({"group": traits, "weekly": {"first": soon, "timezone": "Mars/Olympus", "minutes": 60,
                                      "weeks": 4}}, "timezone"),
        ({"group": traits, "weekly": {"first": "next week", "timezone": "UTC", "minutes": 60,
                                      "weeks": 4}}, "first"),
        ({"group": traits, "weekly": {"first": past, "timezone": "UTC", "minutes": 60,
                                      "weeks": 4}}, "first"),
        ({"group": traits, "weekly": {"first": soon, "timezone": "UTC", "minutes": 5,
                                      "weeks": 4}}, "minutes"),
        ({"group": traits, "weekly": {"first": soon, "timezone": "UTC", "minutes": 60,
                                      "weeks": 53}}, "weeks"),
    ]  # fmt: skip
    for fields, field in cases:
        refused = await host.send("breakout.keep", **fields)
        assert refused["type"] == "error" and refused["field"] == field, (fields, refused)
    # Nothing was kept by the refusals: the group can still be kept once.
    assert (await host.send("breakout.keep", group=traits))["type"] == "ack"
    for c in (host, ada):
        await c.close()
