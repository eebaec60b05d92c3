"""Whom the staff may act on: the rank of docs/protocol.md's *Moderation and safety*.

"A moderator acts on attendees and speakers; hosts and co-hosts also on moderators; nobody
acts on a host, a co-host or themselves (forbidden, or invalid for oneself)", written out as
a table below, and checked through sockets, also for people who have left the room.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, communities
from server.store.tables import Event
from tests.live.conftest import db_url_of
from tests.live.support import Client, Seeded, joined_as, ok, seed, snapshot_of
from tests.servers import Server


@pytest.fixture
async def room(server: Server) -> Seeded:
    return await seed(db_url_of(server), attendees=4)


TARGETS = ("host", "co-host", "moderator", "speaker", "attendee")
ON_WHOM = """
actor       host  co-host  moderator  speaker  attendee
host        self  no       yes        yes      yes
co-host     no    self     yes        yes      yes
moderator   no    no       self       yes      yes
"""


def _on_whom() -> dict[tuple[str, str], str]:
    header, *rows = (line.split() for line in ON_WHOM.strip().splitlines())
    assert header == ["actor", *TARGETS]
    return {(actor, target): cell for actor, *cells in rows
            for target, cell in zip(TARGETS, cells, strict=True)}  # fmt: skip


EXPECTED = {"yes": "ack", "no": "forbidden", "self": "invalid"}


def _outcome(reply: dict[str, Any]) -> str:
    return "ack" if reply["type"] == "ack" else str(reply.get("code"))


async def test_who_may_be_acted_on_follows_the_rank(server: Server, room: Seeded) -> None:
    rid = room.event_id
    people = {role: await joined_as(server.url, room.in_role(role), rid, role) for role in TARGETS}
    ids = {role: snapshot_of(c)["you"]["id"] for role, c in people.items()}
    wrong: list[str] = []
    try:
        for (actor, target), cell in _on_whom().items():
            # A mute is the probe: it can be undone at once by the host, so every cell starts
            # from the same room.
            reply = await people[actor].send("mod.mute", member=ids[target], minutes=1)
            if _outcome(reply) != EXPECTED[cell]:
                wrong.append(f"{actor} muting {target}: expected {cell}, answered {reply}")
            if reply["type"] == "ack" and actor != "host":
                await ok(people["host"], "mod.unmute", member=ids[target])
            elif reply["type"] == "ack":
                await ok(people["co-host"], "mod.unmute", member=ids[target])
            assert (await people[actor].send("ping"))["type"] == "pong"

        # Undoing follows the same rank: a moderator the host muted cannot unmute themselves.
        await ok(people["host"], "mod.mute", member=ids["moderator"], minutes=5)
        reply = await people["moderator"].send("mod.unmute", member=ids["moderator"])
        if _outcome(reply) != "invalid":
            wrong.append(f"a muted moderator unmuting themselves: answered {reply}")
        muted = await people["moderator"].send("chat.send", client_id="m1", body="free?")
        if muted.get("code") != "muted":
            wrong.append(f"the muted moderator's chat was answered {muted}")
    finally:
        for client in people.values():
            await client.close()
    assert wrong == [], "\n".join(wrong)


async def test_the_rank_holds_for_people_who_left_the_room(server: Server, room: Seeded) -> None:
    """Someone who asked a question and left is found by the question; their rank is their
    role, not a guess from what they wrote."""
    rid = room.event_id
    store = Store(db_url_of(server))
    try:
        # Another moderator, so that one moderator may try to ban the other.
        await store.write(communities.join, await _community(store, rid),
                          room.attendees[3].person_id)  # fmt: skip
        await store.write(communities.change_role, await _community(store, rid),
                          actor_id=room.host.person_id, person_id=room.attendees[3].person_id,
                          role="moderator")  # fmt: skip
    finally:
        await store.close()
    moderator = await joined_as(server.url, room.moderator, rid, "moderator")
    gone: dict[str, str] = {}
    for role, someone in (("host", room.host), ("co-host", room.co_host),
                          ("moderator", room.attendees[3])):  # fmt: skip
        client = await joined_as(server.url, someone, rid, role)
        await ok(client, "qa.ask", body=f"A question from the {role}")
        gone[role] = snapshot_of(client)["you"]["id"]
        await client.close()
    await moderator.wait_for(lambda: all(_left(moderator, m) for m in gone.values()))
    wrong = []
    for role, member in gone.items():
        for op, fields in (("mod.mute", {"minutes": 1}), ("mod.ban", {"reason": "Test"})):
            reply = await moderator.send(op, member=member, **fields)
            if _outcome(reply) != "forbidden":
                wrong.append(f"a moderator's {op} of a {role} who left: answered {reply}")
    await moderator.close()
    assert wrong == [], "\n".join(wrong)


async def _community(store: Store, room_id: int) -> int:
    async def read(session: AsyncSession) -> int:
        found = await session.scalar(select(Event.community_id).where(Event.id == room_id))
        assert found is not None
        return int(found)

    return await store.read(read)


def _left(client: Client, member: str) -> bool:
    return any(member in e["left"] for e in client.events() if e["type"] == "presence")
