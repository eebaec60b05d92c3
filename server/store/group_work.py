"""A breakout group's own chat and shared notes, in the store; both stay after the session.

Only the people seated in the group, and the staff (who visit any group), read or write
them; their events go to that audience alone. Notes follow `rooms/notes.py`: a save typed
on an older version is merged, or refused with the current text, never overwritten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import notes as notes_rules
from server.rooms.commands import CommandError
from server.rooms.events import staff_and, stamp
from server.rooms.roles import is_staff
from server.store import breakouts, rooms
from server.store.breakout_tables import (
    BreakoutGroup,
    BreakoutMessage,
    BreakoutNoteVersion,
    BreakoutRound,
    BreakoutSeat,
)
from server.store.rooms import Logged, Speaker

CHAT_KEPT_IN_VIEW = 100


async def _members(session: AsyncSession, round_id: int, group_id: int) -> list[str]:
    rows = await session.scalars(
        select(BreakoutSeat.member).where(
            BreakoutSeat.round_id == round_id, BreakoutSeat.group_id == group_id
        )
    )
    return sorted(rows)


async def group_of(
    session: AsyncSession, room_id: int, key: str, role: str, group: int | None
) -> tuple[BreakoutRound, BreakoutGroup]:
    """The running group a person works in: their own, or the one a staff member names."""
    round_ = await breakouts.live_round(session, room_id)
    if round_ is None or round_.state != "open":
        raise CommandError("conflict", "The breakout groups are not running.")
    seat = await session.get(BreakoutSeat, (round_.id, key))
    if seat is not None and group in (None, seat.group_id):
        found = await session.get(BreakoutGroup, seat.group_id)
    elif is_staff(role) and group is not None:
        found = await session.get(BreakoutGroup, group)
    else:
        raise CommandError("forbidden", "You are not in that group.", field="group")
    if found is None or found.round_id != round_.id:
        raise CommandError("not_found", "No such group.", field="group")
    return round_, found


def _message(m: BreakoutMessage) -> dict[str, Any]:
    author = {"id": m.author_member, "name": m.author_name, "role": m.author_role}
    return {"id": m.id, "author": author, "body": m.body, "at": stamp(m.created_at)}


async def find_message(
    session: AsyncSession, room_id: int, who: Speaker, group: int | None, client_id: str
) -> int | None:
    """The id of a message this person already sent with `client_id` (a retry), if any."""
    _, found = await group_of(session, room_id, who.key, who.role, group)
    return await session.scalar(
        select(BreakoutMessage.id).where(
            BreakoutMessage.group_id == found.id,
            BreakoutMessage.author_key == who.key,
            BreakoutMessage.client_id == client_id,
        )
    )


async def send(
    session: AsyncSession, room_id: int, who: Speaker, group: int | None, client_id: str, body: str
) -> tuple[int, Logged]:
    await rooms.lock_room(session, room_id)
    round_, found = await group_of(session, room_id, who.key, who.role, group)
    message = BreakoutMessage(group_id=found.id, client_id=client_id, author_key=who.key,
                              author_member=who.member, author_name=who.name,
                              author_role=who.role, body=body)  # fmt: skip
    session.add(message)
    await session.flush()
    audience = staff_and(*await _members(session, round_.id, found.id))
    logged = await rooms.append(session, room_id, audience, "group.message", group=found.id,
                                message=_message(message))  # fmt: skip
    return message.id, logged


async def _history(session: AsyncSession, group: BreakoutGroup) -> notes_rules.Notes:
    rows = await session.execute(
        select(BreakoutNoteVersion.version, BreakoutNoteVersion.text).where(
            BreakoutNoteVersion.group_id == group.id
        )
    )
    kept = {int(v): t for v, t in rows}
    return notes_rules.Notes(group.notes_version, group.notes, kept or {0: ""})


async def save_notes(
    session: AsyncSession, room_id: int, who: Speaker, group: int | None, base: int, text: str
) -> tuple[notes_rules.Saved, Logged | None]:
    await rooms.lock_room(session, room_id)
    round_, found = await group_of(session, room_id, who.key, who.role, group)
    before = await _history(session, found)
    saved = notes_rules.save(before, base, text)
    after = saved.notes
    if after.version == before.version:
        return saved, None
    found.notes, found.notes_version = after.text, after.version
    session.add(BreakoutNoteVersion(group_id=found.id, version=after.version, text=after.text))
    await session.execute(
        delete(BreakoutNoteVersion).where(
            BreakoutNoteVersion.group_id == found.id,
            BreakoutNoteVersion.version <= after.version - notes_rules.KEPT,
        )
    )
    audience = staff_and(*await _members(session, round_.id, found.id))
    logged = await rooms.append(session, room_id, audience, "group.notes", group=found.id,
                                version=after.version, text=after.text,
                                by={"id": who.member, "name": who.name})  # fmt: skip
    return saved, logged


async def view(session: AsyncSession, group: BreakoutGroup) -> dict[str, Any]:
    """A group's chat (the latest messages, oldest first) and its notes as they stand."""
    rows = await session.scalars(
        select(BreakoutMessage)
        .where(BreakoutMessage.group_id == group.id)
        .order_by(BreakoutMessage.id.desc())
        .limit(CHAT_KEPT_IN_VIEW)
    )
    return {
        "group": group.id,
        "chat": [_message(m) for m in reversed(list(rows))],
        "notes": {"version": group.notes_version, "text": group.notes},
    }


async def history(
    session: AsyncSession, room_id: int, key: str, role: str, group: int | None
) -> dict[str, Any]:
    _, found = await group_of(session, room_id, key, role, group)
    return await view(session, found)


async def mine(session: AsyncSession, room_id: int, key: str) -> dict[str, Any] | None:
    """For the snapshot: the chat and notes of the group this person sits in, if any."""
    placed = await breakouts.seat_of(session, room_id, key)
    if placed is None:
        return None
    found = await session.get(BreakoutGroup, placed[1])
    return await view(session, found) if found else None
