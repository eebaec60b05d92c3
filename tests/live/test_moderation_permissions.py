"""Who may moderate, and whom: every role against every moderation op, through a socket.

The table below is docs/protocol.md's table of *Moderation and safety*, written out again
(with the guest, who enters by a join link and attends) rather than taken from
`roles.ALLOWED`. For each cell the test first prepares a room in which the op can succeed, so
an allowed op must be acknowledged (with the field the table names) and a refused one can
fail for its role only: an `error` of code `forbidden` that changes nothing in the store,
after which the same socket still answers a ping.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, rooms
from server.store.moderation_tables import (
    AuditRecord,
    Ban,
    Block,
    GuidelinesAccepted,
    Mute,
    Report,
    Waiting,
)
from server.store.room_tables import ChatMessage
from server.store.room_tables import Room as RoomRow
from server.store.tables import Event
from tests.live.conftest import db_url_of
from tests.live.support import (
    Client,
    Seeded,
    Someone,
    guest_joined,
    joined_as,
    ok,
    permission_table,
    seed,
    snapshot_of,
)
from tests.servers import Server

ROLES = ("host", "co-host", "speaker", "moderator", "attendee", "guest")

WHO_MAY = """
op                 host  co-host  speaker  moderator  attendee  guest
report             yes   yes      yes      yes        yes       yes
block              yes   yes      yes      yes        yes       yes
unblock            yes   yes      yes      yes        yes       yes
guidelines.accept  yes   yes      yes      yes        yes       yes
mod.mute           yes   yes      no       yes        no        no
mod.unmute         yes   yes      no       yes        no        no
mod.remove         yes   yes      no       yes        no        no
mod.ban            yes   yes      no       yes        no        no
mod.unban          yes   yes      no       yes        no        no
room.lock          yes   yes      no       yes        no        no
room.waiting_room  yes   yes      no       yes        no        no
door.admit         yes   yes      no       yes        no        no
chat.restore       yes   yes      no       yes        no        no
mod.reports        yes   yes      no       yes        no        no
mod.deleted        yes   yes      no       yes        no        no
report.resolve     yes   yes      no       yes        no        no
"""
MAY = permission_table(WHO_MAY, ROLES)

# What the table's "ack" column says an acknowledgement carries.
ACK_FIELD: dict[str, str | None] = {
    "report": "id", "block": "blocked", "unblock": "blocked", "guidelines.accept": None,
    "mod.mute": "seq", "mod.unmute": "seq", "mod.remove": "seq", "mod.ban": "seq",
    "mod.unban": None, "room.lock": "seq", "room.waiting_room": "seq", "door.admit": "seq",
    "chat.restore": "seq", "mod.reports": "reports", "mod.deleted": "messages",
    "report.resolve": None,
}  # fmt: skip
assert set(ACK_FIELD) == set(MAY)


@dataclass
class Cast:
    """The role under test in a room, and the people who prepare each check for it."""

    url: str
    room: int
    store: Store
    host: Client
    asker: Client  # an attendee whose messages are reported, deleted and restored
    asker_id: str
    victim: Someone  # an attendee who is muted, removed and banned
    victim_id: str
    newcomer: Someone  # arrives while the waiting room is on
    actor: Client

    async def message(self) -> int:
        sent = await ok(self.asker, "chat.send", client_id=f"c{len(self.asker.frames)}",
                        body="You will never get this, beginner.")  # fmt: skip
        return int(sent["id"])

    async def bans_in_force(self) -> list[int]:
        async def read(session: AsyncSession) -> list[int]:
            rows = await session.scalars(
                select(Ban.id).where(
                    Ban.person_key == f"p{self.victim.person_id}", Ban.lifted_at.is_(None)
                )
            )
            return list(rows)

        return await self.store.read(read)


Prepare = Callable[[Cast], Awaitable[dict[str, Any]]]


async def _report(cast: Cast) -> dict[str, Any]:
    return {"kind": "message", "id": await cast.message(), "reason": "Insults a beginner"}


async def _block(cast: Cast) -> dict[str, Any]:
    return {"member": cast.asker_id}


async def _blocked(cast: Cast) -> dict[str, Any]:
    await ok(cast.actor, "block", member=cast.asker_id)
    return {"member": cast.asker_id}


async def _guidelines(cast: Cast) -> dict[str, Any]:
    return {"room": cast.room}


async def _mute(cast: Cast) -> dict[str, Any]:
    return {"member": cast.victim_id, "minutes": 1, "reason": "Cool down"}


async def _muted(cast: Cast) -> dict[str, Any]:
    await ok(cast.host, "mod.mute", member=cast.victim_id, minutes=5)
    return {"member": cast.victim_id}


async def _remove(cast: Cast) -> dict[str, Any]:
    return {"member": cast.victim_id, "reason": "Spam"}


async def _ban(cast: Cast) -> dict[str, Any]:
    for ban in await cast.bans_in_force():
        await ok(cast.host, "mod.unban", ban=ban)
    return {"member": cast.victim_id, "reason": "Harassment after a warning"}


async def _banned(cast: Cast) -> dict[str, Any]:
    if not await cast.bans_in_force():
        await ok(cast.host, "mod.ban", member=cast.victim_id, reason="Harassment")
    [ban] = await cast.bans_in_force()
    return {"ban": ban}


async def _open_door(cast: Cast) -> None:
    await ok(cast.host, "room.lock", locked=False)
    await ok(cast.host, "room.waiting_room", enabled=False)


async def _lock(cast: Cast) -> dict[str, Any]:
    await _open_door(cast)
    return {"locked": True}


async def _waiting_room(cast: Cast) -> dict[str, Any]:
    await _open_door(cast)
    return {"enabled": True}


async def _someone_waits(cast: Cast) -> dict[str, Any]:
    await _open_door(cast)
    await ok(cast.host, "room.waiting_room", enabled=True)
    newcomer = await Client.open(cast.url, cast.newcomer.cookie)
    reply = await ok(newcomer, "join", room=cast.room)
    assert reply.get("waiting") is True, reply

    def waiting() -> list[str]:
        events = [e for e in cast.host.events() if e["type"] == "door.waiting"]
        return [w["id"] for w in events[-1]["waiting"]] if events else []

    await cast.host.wait_for(lambda: len(waiting()) == 1)
    return {"member": waiting()[0]}


async def _deleted(cast: Cast) -> dict[str, Any]:
    message = await cast.message()
    await ok(cast.host, "chat.delete", id=message)
    return {"id": message}


async def _nothing(cast: Cast) -> dict[str, Any]:
    return {}


async def _reported(cast: Cast) -> dict[str, Any]:
    filed = await ok(cast.asker, "report", kind="person", member=cast.victim_id,
                     reason="Keeps mocking beginners")  # fmt: skip
    return {"id": filed["id"], "outcome": "dismissed", "note": "Looked, nothing to act on"}


PREPARE: dict[str, Prepare] = {
    "report": _report, "block": _block, "unblock": _blocked, "guidelines.accept": _guidelines,
    "mod.mute": _mute, "mod.unmute": _muted, "mod.remove": _remove, "mod.ban": _ban,
    "mod.unban": _banned, "room.lock": _lock, "room.waiting_room": _waiting_room,
    "door.admit": _someone_waits, "chat.restore": _deleted, "mod.reports": _nothing,
    "mod.deleted": _nothing, "report.resolve": _reported,
}  # fmt: skip
assert set(PREPARE) == set(MAY)


async def _moderation_state(session: AsyncSession, room_id: int) -> tuple[object, ...]:
    """Everything a moderation op could change, as rows; equal tuples mean nothing moved."""
    community = await session.scalar(select(Event.community_id).where(Event.id == room_id))

    async def rows(*columns: Any) -> list[tuple[Any, ...]]:
        found = await session.execute(select(*columns).order_by(*columns))
        return [tuple(r) for r in found]

    audit = await session.scalar(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.community_id == community)
    )
    return (
        audit,
        await rows(Report.id, Report.status),
        await rows(Block.person_key, Block.blocked_key),
        await rows(GuidelinesAccepted.person_key, GuidelinesAccepted.accepted_at),
        await rows(Ban.id, Ban.lifted_at),
        await rows(Mute.room_id, Mute.member, Mute.until),
        await rows(RoomRow.id, RoomRow.locked, RoomRow.waiting_room),
        await rows(Waiting.room_id, Waiting.member, Waiting.admitted_at),
        await rows(ChatMessage.id, ChatMessage.deleted_at),
    )


async def _events_after(session: AsyncSession, room_id: int, seq: int) -> list[str]:
    return [str(m.event["type"]) for m in await rooms.events_since(session, room_id, seq)]


@pytest.fixture
async def room(server: Server) -> Seeded:
    # Four attendees: one asks, one is the role under test, one is acted on, one waits.
    return await seed(db_url_of(server), attendees=4)


async def _actor(server: Server, room: Seeded, role: str) -> Client:
    if role == "guest":
        return await guest_joined(server.url, room.guest_token, room.event_id)
    return await joined_as(server.url, room.in_role(role), room.event_id, role)


@pytest.mark.parametrize("role", ROLES)
async def test_each_moderation_op_is_allowed_or_forbidden_as_the_table_says(
    server: Server, room: Seeded, role: str
) -> None:
    rid = room.event_id
    host = await joined_as(server.url, room.host, rid, "host")
    asker = await joined_as(server.url, room.attendees[0], rid, "attendee")
    victim = await joined_as(server.url, room.attendees[2], rid, "attendee")
    # The victim has spoken, so moderators can find them after they are sent away.
    await ok(victim, "chat.send", client_id="v1", body="hello all")
    actor = host if role == "host" else await _actor(server, room, role)
    store = Store(db_url_of(server))
    cast = Cast(server.url, rid, store, host, asker, snapshot_of(asker)["you"]["id"],
                room.attendees[2], snapshot_of(victim)["you"]["id"], room.attendees[3],
                actor)  # fmt: skip
    wrong: list[str] = []
    try:
        for op, roles in MAY.items():
            fields = await PREPARE[op](cast)
            before = await store.read(_moderation_state, rid)
            head, _ = await store.read(rooms.room_head, rid)
            reply = await actor.send(op, **fields)
            expected = ACK_FIELD[op]
            if roles[role] and reply["type"] != "ack":
                wrong.append(f"{role} {op}: allowed, but answered {reply}")
            elif roles[role] and expected is not None and expected not in reply:
                wrong.append(f"{role} {op}: acked without {expected}: {reply}")
            if not roles[role]:
                if (reply["type"], reply.get("code")) != ("error", "forbidden"):
                    wrong.append(f"{role} {op}: forbidden, but answered {reply}")
                after = await store.read(_moderation_state, rid)
                logged = [k for k in await store.read(_events_after, rid, head)
                          if k != "presence"]  # fmt: skip
                if after != before or logged:
                    wrong.append(f"{role} {op}: refused, yet the store changed: {logged}")
            # Refused or not, the socket stays open and serves the next command.
            pong = await actor.send("ping")
            assert pong["type"] == "pong", f"after {op}, a ping answered {pong}"
    finally:
        await store.close()
        for client in [host, asker, victim] + ([] if actor is host else [actor]):
            await client.close()
    assert wrong == [], "\n".join(wrong)


async def test_outsiders_may_not_accept_a_communitys_guidelines(
    server: Server, room: Seeded
) -> None:
    # "Everyone registered": a signed-in person who is not going to the event is not.
    outsider = await Client.open(server.url, room.outsider.cookie)
    refused = await outsider.send("guidelines.accept", room=room.event_id)
    assert (refused["type"], refused.get("code")) == ("error", "forbidden"), refused
    assert (await outsider.send("ping"))["type"] == "pong"
    await outsider.close()
