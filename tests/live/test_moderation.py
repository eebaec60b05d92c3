"""Moderation on one real worker: the waiting room's door, and the audit log.

The audit log must hold exactly one record per moderator or host action, and none for
what is not one (chat, questions, filing a report, blocking, reading the queues, or an
action that was refused), however the actions interleave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store
from server.store.moderation_tables import AuditRecord, Ban
from server.store.tables import Event
from tests.live.conftest import db_url_of
from tests.live.support import Client, Seeded, Someone, joined_as, ok, seed, snapshot_of
from tests.servers import Server


def closed(client: Client) -> bool:
    return client._reader is not None and client._reader.done()


def waiting_ids(staff: Client) -> list[str]:
    """Who waits at the door, as the staff's latest `door.waiting` says."""
    events = [e for e in staff.events() if e["type"] == "door.waiting"]
    return [w["id"] for w in events[-1]["waiting"]] if events else []


@pytest.fixture
async def room(server: Server) -> Seeded:
    return await seed(db_url_of(server), attendees=8)


async def _knock(server: Server, someone: Someone, room: int, staff: Client) -> Client:
    """A socket of `someone` held at the door, once the staff see it waiting."""
    knocking = await Client.open(server.url, someone.cookie)
    assert (await ok(knocking, "join", room=room)).get("waiting") is True
    await staff.wait_for(lambda: len(waiting_ids(staff)) == 1)
    return knocking


async def test_staff_can_send_away_someone_waiting_at_the_door(
    server: Server, room: Seeded
) -> None:
    """Someone with an offensive name knocks: the staff see them waiting, and a removal or
    a ban sends that socket away too (after telling it why), and takes them off the list."""
    rid = room.event_id
    host = await joined_as(server.url, room.host, rid, "host")
    await ok(host, "room.waiting_room", enabled=True)
    for op, code, told, reason in (
        ("mod.remove", 4003, "member.removed", "Change your name first"),
        ("mod.ban", 4004, "member.banned", "Slur in the display name"),
    ):
        knocking = await _knock(server, room.attendees[0], rid, host)
        [member] = waiting_ids(host)
        await ok(host, op, member=member, reason=reason)
        await knocking.wait_for(lambda k=knocking: closed(k), timeout=5)  # type: ignore[misc]
        assert knocking.ws.close_code == code, op
        assert [e["type"] for e in knocking.events()] == [told], knocking.frames
        await host.wait_for(lambda: waiting_ids(host) == [], timeout=5)
        nobody = await host.send("door.admit")
        assert nobody.get("code") == "not_found", nobody
        await knocking.close()
    # Banned, they no longer reach the door.
    again = await Client.open(server.url, room.attendees[0].cookie)
    assert (await again.join(rid)).get("code") == "banned"
    for client in (host, again):
        await client.close()


async def test_someone_removed_comes_back_through_the_door_shut_just_after(
    server: Server, room: Seeded
) -> None:
    """protocol.md: a removed person "may come back, through the waiting room if there is
    one". The door shut right after the removal must not count them among the people in
    the room, though their socket may not have closed yet."""
    rid = room.event_id
    host = await joined_as(server.url, room.host, rid, "host")
    removed = await joined_as(server.url, room.attendees[0], rid, "attendee")
    member = snapshot_of(removed)["you"]["id"]
    await ok(host, "mod.remove", member=member, reason="Off topic")
    await ok(host, "room.waiting_room", enabled=True)
    await removed.wait_for(lambda: closed(removed), timeout=5)
    back = await Client.open(server.url, room.attendees[0].cookie)
    assert (await ok(back, "join", room=rid)).get("waiting") is True
    await host.wait_for(lambda: waiting_ids(host) == [member])
    for client in (host, removed, back):
        await client.close()


async def test_reporting_an_anonymous_question_does_not_name_its_author_to_staff(
    server: Server, room: Seeded
) -> None:
    """When the room hides the authors of anonymous questions from the staff, a report on
    such a question must not tell them either."""
    rid = room.event_id
    host = await joined_as(server.url, room.host, rid, "host")
    moderator = await joined_as(server.url, room.moderator, rid, "moderator")
    shy = await joined_as(server.url, room.attendees[0], rid, "attendee")
    reporter = await joined_as(server.url, room.attendees[1], rid, "attendee")
    await ok(host, "qa.configure", premoderation=False, hide_authors_from_staff=True)
    asked = await ok(shy, "qa.ask", body="Is it fine not to know this yet?", anonymous=True)
    await ok(reporter, "report", kind="question", id=asked["id"], reason="Off topic")
    await moderator.wait_for(lambda: any(e["type"] == "report.filed" for e in moderator.events()))
    queue = await ok(moderator, "mod.reports")
    author = snapshot_of(shy)["you"]
    # (The staff know who is in the room: only what ties the question to a person counts.)
    filed = [e["report"] for e in moderator.events() if e["type"] == "report.filed"]
    for report in [*filed, *queue["reports"]]:
        assert author["name"] not in str(report) and author["id"] not in str(report), report
    # A question asked while the room names authors to staff is reported with the name.
    await ok(host, "qa.configure", premoderation=False, hide_authors_from_staff=False)
    named = await ok(shy, "qa.ask", body="And this one?", anonymous=True)
    await ok(reporter, "report", kind="question", id=named["id"], reason="Off topic")
    queue = await ok(moderator, "mod.reports")
    assert [r["name"] for r in queue["reports"]][-1] == author["name"]
    for client in (host, moderator, shy, reporter):
        await client.close()


# --- the audit log ---------------------------------------------------------------------------


@dataclass
class Session:
    """A scripted moderation session: the actions it took, and what the log must say."""

    store: Store
    room: int
    expected: list[tuple[str, str, str | None]] = field(default_factory=list)

    async def act(
        self, client: Client, key: str, action: str, subject: str | None, op: str, **fields: Any
    ) -> dict[str, Any]:
        """One audited action: acknowledged, so it must leave one record."""
        reply = await ok(client, op, **fields)
        self.expected.append((key, action, subject))
        return reply

    async def ban_of(self, key: str) -> int:
        async def read(session: AsyncSession) -> int:
            found = await session.scalar(
                select(Ban.id).where(Ban.person_key == key, Ban.lifted_at.is_(None))
            )
            assert found is not None
            return int(found)

        return await self.store.read(read)


async def _audit_log(session: AsyncSession, room_id: int) -> list[AuditRecord]:
    community = await session.scalar(select(Event.community_id).where(Event.id == room_id))
    rows = await session.scalars(
        select(AuditRecord).where(AuditRecord.community_id == community).order_by(AuditRecord.id)
    )
    return list(rows)


async def _execute(session: AsyncSession, statement: str) -> None:
    await session.execute(text(statement))


def _key(someone: Someone) -> str:
    return f"p{someone.person_id}"


async def test_fifty_actions_leave_fifty_audit_records(server: Server, room: Seeded) -> None:
    rid = room.event_id
    store = Store(db_url_of(server))
    script = Session(store, rid)
    roles = ((room.host, "host"), (room.co_host, "co-host"), (room.moderator, "moderator"))
    staff = [(await joined_as(server.url, p, rid, role), _key(p)) for p, role in roles]
    host = staff[0][0]
    targets = room.attendees[:5]
    reporter = await joined_as(server.url, room.attendees[5], rid, "attendee")
    newcomers = room.attendees[6:8]
    tabs: list[Client] = [reporter]
    said: list[tuple[str, int, int]] = []  # each target's member id, message and question
    for n, someone in enumerate(targets):
        tab = await joined_as(server.url, someone, rid, "attendee")
        tabs.append(tab)
        sent = await ok(tab, "chat.send", client_id=f"t{n}", body=f"Message {n}")
        asked = await ok(tab, "qa.ask", body=f"Question {n}?")
        said.append((snapshot_of(tab)["you"]["id"], sent["id"], asked["id"]))

    try:
        for r, someone in enumerate(targets):
            member, message, question = said[r]
            actor, key = staff[r % 3]
            subject = _key(someone)
            await script.act(actor, key, "mute", subject, "mod.mute", member=member, minutes=5,
                             reason="Cool down")  # fmt: skip
            await script.act(actor, key, "unmute", subject, "mod.unmute", member=member)
            await script.act(actor, key, "delete_message", subject, "chat.delete", id=message)
            await script.act(actor, key, "restore_message", subject, "chat.restore", id=message)
            await script.act(actor, key, "hide_question", subject, "qa.hide", id=question)
            await script.act(actor, key, "restore_question", subject, "qa.restore", id=question)
            # Filing a report, reading the queues and blocking are no moderator's action.
            filed = await ok(reporter, "report", kind="message", id=message, reason="Rude")
            await ok(actor, "mod.reports")
            await ok(actor, "mod.deleted")
            await ok(reporter, "block", member=member)
            outcome = "actioned" if r % 2 else "dismissed"
            await script.act(actor, key, f"report_{outcome}", subject, "report.resolve",
                             id=filed["id"], outcome=outcome, note="Handled")  # fmt: skip
            # Refused and conflicting actions change nothing, the log included.
            refused = await actor.send("mod.unmute", member=member)
            assert refused.get("code") == "conflict", refused
            refused = await tabs[1 + r].send("mod.mute", member=said[(r + 1) % 5][0], minutes=1)
            assert refused.get("code") == "forbidden", refused
            if r % 2 == 0:
                await script.act(actor, key, "remove", subject, "mod.remove", member=member,
                                 reason="Off topic")  # fmt: skip
                await script.act(actor, key, "ban", subject, "mod.ban", member=member,
                                 reason="Back again after removal")  # fmt: skip
                again = await actor.send("mod.ban", member=member, reason="Twice")
                assert again.get("code") == "conflict", again
                await script.act(actor, key, "unban", subject, "mod.unban",
                                 ban=await script.ban_of(subject))  # fmt: skip
            elif r == 1:
                await script.act(actor, key, "lock", None, "room.lock", locked=True)
                await script.act(actor, key, "unlock", None, "room.lock", locked=False)
                await script.act(actor, key, "slow_mode", None, "room.slow_mode", seconds=10)
            else:
                await script.act(actor, key, "waiting_room_on", None, "room.waiting_room",
                                 enabled=True)  # fmt: skip
                knocking = [await Client.open(server.url, n.cookie) for n in newcomers]
                tabs.extend(knocking)
                for tab in knocking:
                    assert (await ok(tab, "join", room=rid)).get("waiting") is True
                await host.wait_for(lambda: len(waiting_ids(host)) == 2)
                # Letting everyone in at once is one action, with no one person as its subject.
                await script.act(actor, key, "admit", None, "door.admit")
                await script.act(actor, key, "waiting_room_off", None, "room.waiting_room",
                                 enabled=False)  # fmt: skip

        assert len(script.expected) == 50
        records = await store.read(_audit_log, rid)
        assert [(r.actor_key, r.action, r.subject_key) for r in records] == script.expected
        assert all(r.room_id == rid for r in records if r.action != "unban")
        bans = [r for r in records if r.action == "ban"]
        assert [r.reason for r in bans] == ["Back again after removal"] * 3

        # Append-only below the application too: the database refuses to change a record.
        for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError):
                await store.write(_execute, statement)
        assert len(await store.read(_audit_log, rid)) == 50
    finally:
        await store.close()
        for client in [*(c for c, _ in staff), *tabs]:
            await client.close()
