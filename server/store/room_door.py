"""A room's door: locked rooms and the waiting room.

A host locks the room (no one new comes in) or turns the waiting room on (newcomers wait
until the staff admits them). Whoever is inside when the door shuts stays let in. The staff's
list of who waits is a room event to staff only, so every worker's hub sees it in order.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.commands import CommandError
from server.rooms.events import STAFF, stamp
from server.store import rooms
from server.store.audit_record import audit
from server.store.moderation_tables import AuditRecord, Waiting
from server.store.room_tables import Room, RoomPresence
from server.store.rooms import Logged, Speaker
from server.store.tables import utcnow


async def set_door(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, *,
    locked: bool | None = None, waiting_room: bool | None = None,
) -> Logged:  # fmt: skip
    """Lock the room or turn the waiting room on or off. Who is inside stays let in."""
    room = await session.get(Room, room_id, with_for_update=True)
    if room is None:
        raise CommandError("not_found", "That room does not exist.")
    state: dict[str, bool] = {}
    if locked is not None:
        room.locked = state["locked"] = locked
        await audit(session, community_id, room_id, who.key, "lock" if locked else "unlock")
    if waiting_room is not None:
        room.waiting_room = state["waiting_room"] = waiting_room
        action = "waiting_room_on" if waiting_room else "waiting_room_off"
        await audit(session, community_id, room_id, who.key, action)
    if room.locked or room.waiting_room:
        await _admit_present(session, room_id)
    return await rooms.append(session, room_id, "all", "room.updated", state=state)


async def door(session: AsyncSession, room_id: int) -> tuple[bool, bool]:
    """The room's (locked, waiting_room)."""
    row = (await session.execute(
        select(Room.locked, Room.waiting_room).where(Room.id == room_id)
    )).first()  # fmt: skip
    return (bool(row[0]), bool(row[1])) if row else (False, False)


async def admitted(session: AsyncSession, room_id: int, key: str) -> bool:
    row = await session.get(Waiting, (room_id, key))
    return row is not None and row.admitted_at is not None


async def wait(session: AsyncSession, room_id: int, key: str, member: str, name: str) -> Logged:
    """Put someone in the waiting room; staff hear who waits."""
    await rooms.lock_room(session, room_id)
    row = await session.get(Waiting, (room_id, key))
    if row is None:
        session.add(Waiting(room_id=room_id, person_key=key, member=member, name=name))
    await session.flush()
    return await _waiting_event(session, room_id, [])


async def stop_waiting(session: AsyncSession, room_id: int, key: str) -> Logged | None:
    """Someone left the waiting room before being let in."""
    await rooms.lock_room(session, room_id)
    found = await session.execute(
        delete(Waiting).where(
            Waiting.room_id == room_id, Waiting.person_key == key, Waiting.admitted_at.is_(None)
        )
    )
    if not getattr(found, "rowcount", 0):
        return None
    return await _waiting_event(session, room_id, [])


async def admit(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, member: str | None
) -> Logged:
    """Let one waiting person in, or (member None) everyone waiting."""
    await rooms.lock_room(session, room_id)
    query = select(Waiting).where(Waiting.room_id == room_id, Waiting.admitted_at.is_(None))
    if member is not None:
        query = query.where(Waiting.member == member)
    rows = list(await session.scalars(query))
    if not rows:
        raise CommandError("not_found", "Nobody is waiting.", field="member")
    now = utcnow()
    for row in rows:
        row.admitted_at = now
    subject = rows[0].person_key if member is not None else None
    await audit(session, community_id, room_id, who.key, "admit", subject, count=len(rows))
    await session.flush()
    return await _waiting_event(session, room_id, [r.member for r in rows])


async def waiting(session: AsyncSession, room_id: int) -> list[dict[str, str]]:
    rows = await session.execute(
        select(Waiting.member, Waiting.name, Waiting.since)
        .where(Waiting.room_id == room_id, Waiting.admitted_at.is_(None))
        .order_by(Waiting.since)
    )
    return [{"id": m, "name": n, "since": stamp(s)} for m, n, s in rows]


async def _waiting_event(session: AsyncSession, room_id: int, admitted: list[str]) -> Logged:
    # To staff only: the hub also reads `admitted` to let those people's sockets in.
    return await rooms.append(session, room_id, STAFF, "door.waiting",
                              waiting=await waiting(session, room_id),
                              admitted=admitted)  # fmt: skip


async def _admit_present(session: AsyncSession, room_id: int) -> None:
    # A person removed or banned is still present until their sockets close and their
    # worker writes them out, a moment later: the door shut meanwhile must not let them in.
    sent_away = select(AuditRecord.id).where(
        AuditRecord.room_id == room_id,
        AuditRecord.action.in_(("remove", "ban")),
        AuditRecord.subject_key == RoomPresence.person_key,
        AuditRecord.at >= RoomPresence.since,
    )
    present = await session.execute(
        select(RoomPresence.person_key, RoomPresence.member, RoomPresence.name)
        .where(
            RoomPresence.room_id == room_id,
            RoomPresence.person_key != "",
            ~sent_away.exists(),
        )
        .distinct()
    )
    now = utcnow()
    for key, member, name in present:
        row = await session.get(Waiting, (room_id, key))
        if row is None:
            session.add(Waiting(room_id=room_id, person_key=key, member=member, name=name,
                                admitted_at=now))  # fmt: skip
        elif row.admitted_at is None:
            row.admitted_at = now
    await session.flush()


async def forget_admission(session: AsyncSession, room_id: int, key: str) -> list[Logged]:
    """Someone sent away must pass the door again; if they stood at it, the staff's list
    of who waits changes: its event, to publish."""
    found = await session.execute(
        delete(Waiting)
        .where(Waiting.room_id == room_id, Waiting.person_key == key)
        .returning(Waiting.admitted_at)
    )
    if all(admitted is not None for (admitted,) in found):
        return []
    await session.flush()
    return [await _waiting_event(session, room_id, [])]
