"""Who is in which room, per worker, and the sweep of workers that died.

Presence is durable so that a snapshot can list the room on any worker, and so that the
people held by a worker that was killed can be removed by the survivors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.events import ALL, STAFF
from server.rooms.presence import Person, diff
from server.store.room_tables import Room, RoomPresence, Worker
from server.store.rooms import Logged, _log, _next_seq
from server.store.tables import Community, Event, utcnow


@dataclass(frozen=True)
class Arrival:
    member: str
    name: str
    role: str
    key: str = ""  # the person's key, for moderation; never sent to clients


async def _present(session: AsyncSession, room_id: int, members: set[str]) -> dict[str, Person]:
    rows = await session.execute(
        select(RoomPresence.member, RoomPresence.name, RoomPresence.role).where(
            RoomPresence.room_id == room_id, RoomPresence.member.in_(members)
        )
    )
    return {m: {"id": m, "name": n, "role": r} for m, n, r in rows}


async def _lock_room(session: AsyncSession, room_id: int) -> None:
    # Locks the room row (PostgreSQL); SQLite writers are serialized already.
    await session.execute(select(Room.id).where(Room.id == room_id).with_for_update())


async def move(
    session: AsyncSession,
    room_id: int,
    worker: str,
    arrivals: list[Arrival],
    departures: list[str],
) -> Logged | None:
    """Apply one worker's arrivals and departures in a room; an event if the room changed."""
    touched = {a.member for a in arrivals} | set(departures)
    if not touched:
        return None
    await _lock_room(session, room_id)
    before = await _present(session, room_id, touched)
    if departures:
        await session.execute(
            delete(RoomPresence).where(
                RoomPresence.room_id == room_id,
                RoomPresence.worker == worker,
                RoomPresence.member.in_(departures),
            )
        )
    for a in arrivals:
        row = await session.get(RoomPresence, (room_id, a.member, worker))
        if row is None:
            session.add(RoomPresence(room_id=room_id, member=a.member, worker=worker,
                                     name=a.name, role=a.role, person_key=a.key))  # fmt: skip
        else:
            row.name, row.role = a.name, a.role
    await session.flush()
    after = await _present(session, room_id, touched)
    return await _presence_event(session, room_id, before, after)


async def _presence_event(
    session: AsyncSession, room_id: int, before: dict[str, Person], after: dict[str, Person]
) -> Logged | None:
    joined, left = diff(before, after)
    if not joined and not left:
        return None
    seq = await _next_seq(session, room_id)
    audience = ALL if await shows_people(session, room_id) else STAFF
    return _log(session, room_id, seq, audience, "presence", joined=joined, left=left)


async def shows_people(session: AsyncSession, room_id: int) -> bool:
    """Whether the room's community lets attendees see who is in its rooms (staff always)."""
    shown = await session.scalar(
        select(Community.show_people)
        .join(Event, Event.community_id == Community.id)
        .where(Event.id == room_id)
    )
    return shown is not False


async def people(session: AsyncSession, room_id: int) -> list[Person]:
    rows = await session.execute(
        select(RoomPresence.member, RoomPresence.name, RoomPresence.role)
        .where(RoomPresence.room_id == room_id)
        .order_by(RoomPresence.since)
    )
    seen: dict[str, Person] = {}
    for m, n, r in rows:
        seen.setdefault(m, {"id": m, "name": n, "role": r})
    return list(seen.values())


async def beat(session: AsyncSession, worker: str) -> bool:
    """Say this worker is alive; False when its row was gone (it had been swept)."""
    row = await session.get(Worker, worker)
    if row is None:
        session.add(Worker(id=worker, seen_at=utcnow()))
        return False
    row.seen_at = utcnow()
    return True


async def sweep(session: AsyncSession, silent_since: datetime) -> list[Logged]:
    """Remove the presence of workers silent since then; one event per room that changed."""
    dead = list(await session.scalars(select(Worker.id).where(Worker.seen_at < silent_since)))
    return await remove_workers(session, dead)


async def remove_workers(session: AsyncSession, dead: list[str]) -> list[Logged]:
    """Remove these workers and their presence (a clean shutdown names itself)."""
    if not dead:
        return []
    rows = await session.execute(
        select(RoomPresence.room_id, RoomPresence.member).where(RoomPresence.worker.in_(dead))
    )
    by_room: dict[int, set[str]] = defaultdict(set)
    for room_id, member in rows:
        by_room[room_id].add(member)
    events = []
    for room_id, members in sorted(by_room.items()):
        await _lock_room(session, room_id)
        before = await _present(session, room_id, members)
        await session.execute(
            delete(RoomPresence).where(
                RoomPresence.room_id == room_id, RoomPresence.worker.in_(dead)
            )
        )
        after = await _present(session, room_id, members)
        logged = await _presence_event(session, room_id, before, after)
        if logged:
            events.append(logged)
    await session.execute(delete(Worker).where(Worker.id.in_(dead)))
    return events
