"""Calls for help from inside breakout groups, in the store: one queue per round, in order.

The queue's rules are `rooms/help_line.py`; this module loads the waiting requests into it,
applies the rule, and writes back what changed, under the room's lock. A call is seen by the
room's staff, the person who asked, and the round's mentors (people experienced in, or open
to mentoring, a group's topic), who may answer it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import help_line
from server.rooms.commands import CommandError
from server.rooms.events import staff_and, stamp
from server.rooms.roles import HOSTS, is_staff
from server.store import breakouts, rooms
from server.store.breakout_tables import BreakoutGroup, BreakoutRound, BreakoutSeat, HelpRequest
from server.store.rooms import Logged, Speaker


def _wire(r: HelpRequest) -> dict[str, Any]:
    return {"id": r.number, "member": r.member, "name": r.name, "group": r.group_id,
            "note": r.note, "at": stamp(r.asked_at)}  # fmt: skip


async def _open_round(session: AsyncSession, room_id: int) -> BreakoutRound:
    round_ = await breakouts.live_round(session, room_id)
    if round_ is None or round_.state != "open":
        raise CommandError("conflict", "Help is asked from inside running breakout groups.")
    return round_


async def _waiting(session: AsyncSession, round_id: int) -> list[HelpRequest]:
    rows = await session.scalars(
        select(HelpRequest)
        .where(HelpRequest.round_id == round_id, HelpRequest.claimed_at.is_(None))
        .order_by(HelpRequest.number)
    )
    return list(rows)


async def mentors(session: AsyncSession, room_id: int, round_id: int) -> set[str]:
    """Member ids of the people present who can guide one of the round's groups."""
    topics = await session.scalars(
        select(BreakoutGroup.topic).where(BreakoutGroup.round_id == round_id)
    )
    wanted = set(topics)
    people = await breakouts.present(session, room_id)
    return {
        p.member
        for p in await breakouts.learners(session, people)
        if any(p.mentors(topic) for topic in wanted)
    }


async def _audience(session: AsyncSession, room_id: int, round_id: int, asker: str) -> str:
    return staff_and(asker, *sorted((await mentors(session, room_id, round_id)) - {asker}))


async def ask(
    session: AsyncSession, room_id: int, who: Speaker, note: str, now: datetime
) -> Logged:
    await rooms.lock_room(session, room_id)
    round_ = await _open_round(session, room_id)
    seat = await session.get(BreakoutSeat, (round_.id, who.key))
    if seat is None:
        raise CommandError("forbidden", "Help is asked from inside a group; you are in none.")
    rows = await _waiting(session, round_.id)
    numbers = await session.scalars(
        select(HelpRequest.number).where(HelpRequest.round_id == round_.id)
    )
    line = help_line.HelpLine(
        tuple(
            help_line.HelpRequest(r.number, r.member, r.group_id, r.note, r.asked_at) for r in rows
        ),
        next_id=max(numbers, default=0) + 1,
    )
    mine = help_line.ask(line, who.member, seat.group_id, note, now).of(who.member)
    assert mine is not None
    row = next((r for r in rows if r.number == mine.id), None)
    if row is None:
        row = HelpRequest(round_id=round_.id, number=mine.id, group_id=mine.group,
                          person_key=who.key, member=who.member, name=who.name,
                          note=mine.note, asked_at=mine.at)  # fmt: skip
        session.add(row)
    else:
        row.group_id, row.note = mine.group, mine.note
    await session.flush()
    audience = await _audience(session, room_id, round_.id, who.member)
    return await rooms.append(session, room_id, audience, "help.asked", request=_wire(row))


async def withdraw(session: AsyncSession, room_id: int, who: Speaker, now: datetime) -> Logged:
    await rooms.lock_room(session, room_id)
    round_ = await _open_round(session, room_id)
    row = next((r for r in await _waiting(session, round_.id) if r.member == who.member), None)
    if row is None:
        raise CommandError("not_found", "You are not waiting for help.")
    row.claimed_by, row.claimed_at = "", now
    audience = await _audience(session, room_id, round_.id, who.member)
    return await rooms.append(session, room_id, audience, "help.withdrawn", id=row.number)


async def claim(
    session: AsyncSession, room_id: int, who: Speaker, number: int, now: datetime
) -> list[Logged]:
    """A host or mentor answers a call: they are on their way, and a mentor moves there."""
    await rooms.lock_room(session, room_id)
    round_ = await _open_round(session, room_id)
    helpers = await mentors(session, room_id, round_.id)
    if not is_staff(who.role) and who.member not in helpers:
        raise CommandError("forbidden", "Hosts and mentors answer calls for help.")
    rows = await _waiting(session, round_.id)
    line = help_line.HelpLine(
        tuple(
            help_line.HelpRequest(r.number, r.member, r.group_id, r.note, r.asked_at) for r in rows
        )
    )
    _, claimed = help_line.claim(line, number, who.member)
    row = next(r for r in rows if r.number == claimed.request.id)
    row.claimed_by, row.claimed_at = who.member, now
    audience = await _audience(session, room_id, round_.id, row.member)
    logged = [
        await rooms.append(
            session,
            room_id,
            audience,
            "help.claimed",
            id=row.number,
            group=row.group_id,
            helper={"id": who.member, "name": who.name},
        )
    ]
    seated = await session.get(BreakoutSeat, (round_.id, who.key))
    if who.role not in HOSTS and seated is not None:
        logged.append(await breakouts.seat(session, room_id, who, who.member, row.group_id,
                                           own=False))  # fmt: skip
    return logged


async def queue(
    session: AsyncSession, room_id: int, member: str, role: str
) -> list[dict[str, Any]]:
    """The waiting calls as one person may see them: all for staff and mentors, else their own."""
    round_ = await breakouts.live_round(session, room_id)
    if round_ is None or round_.state != "open":
        return []
    rows = await _waiting(session, round_.id)
    if is_staff(role) or member in await mentors(session, room_id, round_.id):
        return [_wire(r) for r in rows]
    return [_wire(r) for r in rows if r.member == member]
