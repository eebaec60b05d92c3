"""Breakout groups over the socket on one worker: plan, pick, open, help, clock, close."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store
from server.store.breakout_tables import BreakoutRound
from server.store.tables import Interest, utcnow
from tests.live.conftest import db_url_of
from tests.live.support import Client, Seeded, me
from tests.servers import Server


async def joined(server: Server, cookie: str, room: int) -> Client:
    client = await Client.open(server.url, cookie)
    assert (await client.join(room))["type"] == "ack"
    await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames))
    return client


def of(client: Client, kind: str) -> list[dict[str, Any]]:
    return [e for e in client.events() if e["type"] == kind]


async def heard(client: Client, kind: str, timeout: float = 10) -> None:
    await client.wait_for(lambda: bool(of(client, kind)), timeout)


def seated(round_: dict[str, Any]) -> Counter[str]:
    return Counter(m["id"] for g in round_["groups"] for m in g["members"])


async def in_store(server: Server, change: Any) -> None:
    store = Store(db_url_of(server))
    try:
        await store.write(change)
    finally:
        await store.close()


TWO_GROUPS = [{"name": "Traits"}, {"name": "Macros"}]


async def test_a_random_round_seats_everyone_once_and_hosts_stay_out(
    server: Server, room: Seeded
) -> None:
    host = await joined(server, room.host.cookie, room.event_id)
    people = [await joined(server, a.cookie, room.event_id) for a in room.attendees]
    planned = await host.send("breakout.plan", mode="random", minutes=15, groups=TWO_GROUPS)
    assert planned["type"] == "ack", planned
    for c in (host, *people):
        await heard(c, "breakout.planned")
    round_ = of(people[0], "breakout.planned")[0]["round"]
    assert round_["state"] == "draft" and [g["name"] for g in round_["groups"]] == [
        "Traits",
        "Macros",
    ]
    assert seated(round_) == Counter({me(p): 1 for p in people})  # the host is not seated
    assert sorted(len(g["members"]) for g in round_["groups"]) == [1, 2]

    opened = await host.send("breakout.open")
    assert opened["type"] == "ack", opened
    await people[1].wait_for(lambda: bool(of(people[1], "breakout.opened")))
    live = of(people[1], "breakout.opened")[0]["round"]
    assert live["state"] == "open" and live["ends_at"] and seated(live) == seated(round_)

    late = await Client.open(server.url, room.attendees[0].cookie)  # a new tab: the snapshot
    await late.join(room.event_id)
    await late.wait_for(lambda: any(f["type"] == "snapshot" for f in late.frames))
    snap = next(f for f in late.frames if f["type"] == "snapshot")
    assert snap["breakout"]["id"] == live["id"] and snap["breakout"]["state"] == "open"

    closed = await host.send("breakout.close")
    assert closed["type"] == "ack"
    await people[2].wait_for(lambda: bool(of(people[2], "breakout.closed")))
    assert of(people[2], "breakout.closed")[0]["reason"] == "host"
    for c in (host, *people, late):
        await c.close()


async def test_self_select_keeps_capacity_and_only_hosts_run_groups(
    server: Server, room: Seeded
) -> None:
    host = await joined(server, room.host.cookie, room.event_id)
    ada, bo, cy = [await joined(server, a.cookie, room.event_id) for a in room.attendees]
    groups = [{"name": "Traits", "capacity": 1}, {"name": "Macros", "capacity": 2}]
    refused = await ada.send("breakout.plan", mode="random", minutes=15, groups=groups)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert (await ada.send("ping"))["type"] == "pong"  # the socket stays open
    await host.send("breakout.plan", mode="self_select", minutes=15, groups=groups)
    await ada.wait_for(lambda: bool(of(ada, "breakout.planned")))
    traits, macros = (g["id"] for g in of(ada, "breakout.planned")[0]["round"]["groups"])
    assert (await ada.send("breakout.choose", group=traits))["type"] == "ack"
    full = await bo.send("breakout.choose", group=traits)
    assert full["type"] == "error" and full["code"] == "conflict" and "full" in full["message"]
    assert (await bo.send("breakout.choose", group=macros))["type"] == "ack"
    moving = await bo.send("breakout.move", group=traits, member=me(cy))
    assert moving["code"] == "forbidden"
    assert (await host.send("breakout.open"))["type"] == "ack"
    await cy.wait_for(lambda: bool(of(cy, "breakout.opened")))
    live = of(cy, "breakout.opened")[0]["round"]["groups"]
    assert [m["id"] for m in live[0]["members"]] == [me(ada)]
    assert sorted(m["id"] for m in live[1]["members"]) == sorted([me(bo), me(cy)])
    late_pick = await cy.send("breakout.choose", group=traits)
    assert late_pick["type"] == "error" and late_pick["code"] == "forbidden"
    for c in (host, ada, bo, cy):
        await c.close()


async def test_a_call_for_help_reaches_hosts_and_mentors_and_a_mentor_comes(
    server: Server, room: Seeded
) -> None:
    mentor_id = room.attendees[0].person_id

    async def experienced(session: AsyncSession) -> None:
        session.add(Interest(person_id=mentor_id, tag="rust", level="experienced"))

    await in_store(server, experienced)
    host = await joined(server, room.host.cookie, room.event_id)
    mentor, asker, other = [await joined(server, a.cookie, room.event_id) for a in room.attendees]
    groups = [{"name": "A", "topic": "rust"}, {"name": "B", "topic": "rust"}]
    await host.send("breakout.plan", mode="mentor", minutes=20, groups=groups)
    await host.send("breakout.open")
    await asker.wait_for(lambda: bool(of(asker, "breakout.opened")))
    live = of(asker, "breakout.opened")[0]["round"]["groups"]
    where = {m["id"]: g["id"] for g in live for m in g["members"]}

    asked = await asker.send("help.ask", note="  The borrow   checker says no  ")
    assert asked["type"] == "ack", asked
    for c in (host, mentor, asker):
        await heard(c, "help.asked")
    request = of(mentor, "help.asked")[0]["request"]
    assert request["note"] == "The borrow checker says no" and request["group"] == where[me(asker)]
    again = await asker.send("help.ask", note="")  # asking twice keeps the place
    assert again["id"] == request["id"]

    claimed = await mentor.send("help.claim", id=request["id"])
    assert claimed["type"] == "ack", claimed
    await asker.wait_for(lambda: bool(of(asker, "help.claimed")))
    news = of(asker, "help.claimed")[0]
    assert news["helper"] == {"id": me(mentor), "name": "Learner 0"}
    await host.wait_for(lambda: bool([e for e in of(host, "breakout.seated")
                                      if e["member"] == me(mentor)]))  # fmt: skip
    moves = [e for e in of(host, "breakout.seated") if e["member"] == me(mentor)]
    assert moves[-1]["group"] == where[me(asker)]
    twice = await host.send("help.claim", id=request["id"])
    assert twice["type"] == "error" and twice["code"] == "not_found"
    # Nobody else heard the call; nor may they answer one.
    assert not of(other, "help.asked") and not of(other, "help.claimed")
    assert (await asker.send("help.claim", id=2))["code"] == "forbidden"
    for c in (host, mentor, asker, other):
        await c.close()


async def test_the_clock_warns_then_sends_everyone_back(server: Server, room: Seeded) -> None:
    host = await joined(server, room.host.cookie, room.event_id)
    ada = await joined(server, room.attendees[0].cookie, room.event_id)
    await host.send("breakout.plan", mode="random", minutes=1, groups=TWO_GROUPS)
    await host.send("breakout.open")
    # A one-minute round is inside its last minute at once: the warning comes first.
    await ada.wait_for(lambda: bool(of(ada, "breakout.ending")), timeout=5)
    extended = await host.send("breakout.extend", minutes=5)
    assert extended["type"] == "ack"
    await ada.wait_for(lambda: bool(of(ada, "breakout.extended")))
    assert (await host.send("breakout.extend", minutes=500))["field"] == "minutes"

    # Waiting out the round would take minutes: move its end into the past instead, as the
    # clock would, and let the workers' once-a-second check find it.
    async def end_now(session: AsyncSession) -> None:
        await session.execute(update(BreakoutRound).values(ends_at=utcnow() - timedelta(seconds=1)))

    await in_store(server, end_now)
    await ada.wait_for(lambda: bool(of(ada, "breakout.closed")), timeout=5)
    assert of(ada, "breakout.closed")[0]["reason"] == "time"
    assert len(of(host, "breakout.closed")) == 1
    assert (await host.send("breakout.extend", minutes=5))["code"] == "not_found"
    for c in (host, ada):
        await c.close()


async def test_bad_plans_are_refused_by_field(server: Server, room: Seeded) -> None:
    host = await joined(server, room.host.cookie, room.event_id)
    cases = [
        ({"mode": "alphabetical", "minutes": 10, "groups": TWO_GROUPS}, "mode"),
        ({"mode": "random", "minutes": 0, "groups": TWO_GROUPS}, "minutes"),
        ({"mode": "random", "minutes": 10, "groups": []}, "groups"),
        ({"mode": "random", "minutes": 10, "groups": [{"name": " "}]}, "name"),
        ({"mode": "random", "minutes": 10, "groups": [{"name": "A", "capacity": 0}]},
         "groups.0.capacity"),
    ]  # fmt: skip
    for fields, field in cases:
        refused = await host.send("breakout.plan", **fields)
        assert refused["type"] == "error" and refused["field"] == field, (fields, refused)
    await host.close()
