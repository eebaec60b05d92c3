"""Breakout rounds in the store: planning, seating, opening, the clock and closing.

Every change takes the room row's lock first (`rooms.append` or `rooms.lock_room`), so a
round's changes are serialized with the room's other events on every worker; the seats'
primary key (round, person) keeps anyone from sitting in two groups even so. The pure rules
decide (`rooms/breakouts.py`, `rooms/breakout_timer.py`); this module reads and writes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import breakout_timer as timer
from server.rooms import breakouts as rules
from server.rooms.breakouts import Group, Learner
from server.rooms.commands import CommandError
from server.rooms.events import ALL, stamp
from server.rooms.roles import HOSTS
from server.store import mentor_pairs, rooms
from server.store.breakout_tables import BreakoutGroup, BreakoutRound, BreakoutSeat, HelpRequest
from server.store.room_tables import RoomPresence
from server.store.rooms import Logged, Speaker
from server.store.tables import Interest, utcnow

LIVE = ("draft", "open")


@dataclass(frozen=True)
class Here:
    """Someone present in the room, as breakouts need them."""

    key: str
    member: str
    name: str
    role: str


async def live_round(session: AsyncSession, room_id: int) -> BreakoutRound | None:
    return await session.scalar(
        select(BreakoutRound)
        .where(BreakoutRound.room_id == room_id, BreakoutRound.state.in_(LIVE))
        .order_by(BreakoutRound.id.desc())
        .limit(1)
    )


async def _round_or_refuse(session: AsyncSession, room_id: int, *states: str) -> BreakoutRound:
    found = await live_round(session, room_id)
    if found is None:
        raise CommandError("not_found", "No breakout groups are planned in this room.")
    if found.state not in states:
        said = "running already" if found.state == "open" else "not open yet"
        raise CommandError("conflict", f"The breakout groups are {said}.")
    return found


async def present(session: AsyncSession, room_id: int) -> list[Here]:
    """Everyone in the room but its hosts, who run the groups rather than sit in one."""
    rows = await session.execute(
        select(RoomPresence.person_key, RoomPresence.member, RoomPresence.name, RoomPresence.role)
        .where(RoomPresence.room_id == room_id)
        .order_by(RoomPresence.since)
    )
    seen: dict[str, Here] = {}
    for key, member, name, role in rows:
        if role not in HOSTS and key:
            seen.setdefault(member, Here(key, member, name, role))
    return list(seen.values())


async def learners(session: AsyncSession, people: Sequence[Here]) -> list[Learner]:
    """Each person with their profile's interests and the people here they worked well with
    in a mentorship before (guests have none of either)."""
    ids = {int(p.key[1:]): p for p in people if p.key.startswith("p")}
    levels: dict[str, dict[str, str]] = {p.member: {} for p in people}
    mentoring: dict[str, set[str]] = {p.member: set() for p in people}
    if ids:
        rows = await session.execute(select(Interest).where(Interest.person_id.in_(ids)))
        for interest in rows.scalars():
            member = ids[interest.person_id].member
            levels[member][interest.tag] = interest.level
            if interest.open_to_mentoring:
                mentoring[member].add(interest.tag)
    partners: dict[str, set[str]] = {p.member: set() for p in people}
    if ids:
        for pair in await mentor_pairs.good_pairs(session, ids.keys()):
            here = [ids[i].member for i in pair if i in ids]
            if len(here) == 2:
                partners[here[0]].add(here[1])
                partners[here[1]].add(here[0])
    return [
        Learner(p.member, levels[p.member], frozenset(mentoring[p.member]),
                frozenset(partners[p.member]))
        for p in people
    ]  # fmt: skip


async def _groups(session: AsyncSession, round_id: int) -> list[BreakoutGroup]:
    rows = await session.scalars(
        select(BreakoutGroup)
        .where(BreakoutGroup.round_id == round_id)
        .order_by(BreakoutGroup.position)
    )
    return list(rows)


async def _seats(session: AsyncSession, round_id: int) -> list[BreakoutSeat]:
    rows = await session.scalars(
        select(BreakoutSeat)
        .where(BreakoutSeat.round_id == round_id)
        .order_by(BreakoutSeat.seated_at, BreakoutSeat.person_key)
    )
    return list(rows)


def _shape(groups: Sequence[BreakoutGroup]) -> list[Group]:
    return [Group(g.name, g.topic, g.capacity) for g in groups]


async def view(session: AsyncSession, round_: BreakoutRound) -> dict[str, Any]:
    """A round as it goes on the wire: its groups, in order, with who sits in each."""
    groups = await _groups(session, round_.id)
    seated: dict[int, list[dict[str, str]]] = {g.id: [] for g in groups}
    for seat in await _seats(session, round_.id):
        seated[seat.group_id].append({"id": seat.member, "name": seat.name})
    return {
        "id": round_.id,
        "state": round_.state,
        "mode": round_.mode,
        "minutes": round_.minutes,
        "members_may_keep": round_.members_may_keep,
        "opened_at": stamp(round_.opened_at) if round_.opened_at else None,
        "ends_at": stamp(round_.ends_at) if round_.ends_at else None,
        "groups": [
            {"id": g.id, "name": g.name, "topic": g.topic, "capacity": g.capacity,
             "members": seated[g.id]}
            for g in groups
        ],
    }  # fmt: skip


async def room_view(session: AsyncSession, room_id: int) -> dict[str, Any] | None:
    found = await live_round(session, room_id)
    return await view(session, found) if found else None


async def _seat_all(
    session: AsyncSession, round_: BreakoutRound, people: Sequence[Here], seats: rules.Seating
) -> None:
    groups = await _groups(session, round_.id)
    by_member = {p.member: p for p in people}
    await session.execute(delete(BreakoutSeat).where(BreakoutSeat.round_id == round_.id))
    now = utcnow()
    for group, members in zip(groups, seats, strict=True):
        for member in members:
            p = by_member[member]
            session.add(BreakoutSeat(round_id=round_.id, person_key=p.key, group_id=group.id,
                                     member=p.member, name=p.name, seated_at=now))  # fmt: skip
    await session.flush()


async def plan(
    session: AsyncSession,
    room_id: int,
    who: Speaker,
    mode: rules.Mode,
    shape: Sequence[Group],
    minutes: int,
    rng: random.Random,
    *,
    members_may_keep: bool = False,
) -> Logged:
    """A new draft round; modes that seat by themselves seat everyone present now."""
    rules.check_groups(shape)
    timer.minutes(minutes)
    await rooms.lock_room(session, room_id)
    current = await live_round(session, room_id)
    if current is not None and current.state == "open":
        raise CommandError("conflict", "Close the running groups before planning new ones.")
    if current is not None:  # a draft: the new plan replaces it
        for table in (BreakoutSeat, HelpRequest, BreakoutGroup):
            await session.execute(delete(table).where(table.round_id == current.id))
        await session.delete(current)
    round_ = BreakoutRound(room_id=room_id, mode=mode, minutes=minutes, created_by_key=who.key,
                           members_may_keep=members_may_keep)  # fmt: skip
    session.add(round_)
    await session.flush()
    for n, g in enumerate(shape):
        session.add(BreakoutGroup(round_id=round_.id, position=n, name=g.name.strip(),
                                  topic=g.topic, capacity=g.capacity))  # fmt: skip
    await session.flush()
    if mode not in ("self_select", "by_hand"):
        people = await present(session, room_id)
        seats = rules.assign(mode, await learners(session, people), shape, rng)
        await _seat_all(session, round_, people, seats)
    return await rooms.append(session, room_id, ALL, "breakout.planned",
                              round=await view(session, round_))  # fmt: skip


async def seat(
    session: AsyncSession, room_id: int, who: Speaker, member: str, group_id: int, *, own: bool
) -> Logged:
    """Seat a person in a group: their own pick (self-select), or a host's move."""
    await rooms.lock_room(session, room_id)
    round_ = await live_round(session, room_id)
    if round_ is None:
        raise CommandError("not_found", "No breakout groups are planned in this room.")
    if own and (round_.mode != "self_select" or round_.state != "draft"):
        raise CommandError("forbidden", "The host places people in these groups.")
    groups = await _groups(session, round_.id)
    place = next((i for i, g in enumerate(groups) if g.id == group_id), None)
    if place is None:
        raise CommandError("not_found", "No such group.", field="group")
    person = next((p for p in await present(session, room_id) if p.member == member), None)
    if person is None:
        raise CommandError("not_found", "That person is not in the room.", field="member")
    seats = await _seats(session, round_.id)
    current = _seating(groups, seats)
    moved = rules.move(current, member, place, _shape(groups))
    if moved is not current:
        mine = next((s for s in seats if s.person_key == person.key), None)
        if mine is None:
            session.add(
                BreakoutSeat(round_id=round_.id, person_key=person.key, group_id=group_id,
                             member=member, name=person.name)
            )  # fmt: skip
        else:
            mine.group_id, mine.seated_at = group_id, utcnow()
    return await rooms.append(session, room_id, ALL, "breakout.seated", round=round_.id,
                              member=member, name=person.name, group=group_id,
                              by=who.member)  # fmt: skip


def _seating(groups: Sequence[BreakoutGroup], seats: Sequence[BreakoutSeat]) -> rules.Seating:
    index = {g.id: i for i, g in enumerate(groups)}
    out: rules.Seating = [[] for _ in groups]
    for s in seats:
        out[index[s.group_id]].append(s.member)
    return out


async def open_groups(
    session: AsyncSession, room_id: int, now: datetime, rng: random.Random
) -> Logged:
    """Open the round: everyone present gets a seat (picks and moves kept), the clock runs."""
    await rooms.lock_room(session, room_id)
    round_ = await _round_or_refuse(session, room_id, "draft")
    groups = await _groups(session, round_.id)
    people = await present(session, room_id)
    chosen = {s.member: next(i for i, g in enumerate(groups) if g.id == s.group_id)
              for s in await _seats(session, round_.id)}  # fmt: skip
    seats = rules.assign("by_hand", await learners(session, people), _shape(groups), rng,
                         chosen=chosen)  # fmt: skip
    await _seat_all(session, round_, people, seats)
    clock = timer.open_round(now, round_.minutes)
    round_.state, round_.opened_at, round_.ends_at = "open", clock.opened_at, clock.ends_at
    return await rooms.append(session, room_id, ALL, "breakout.opened",
                              round=await view(session, round_))  # fmt: skip


def _clock(round_: BreakoutRound) -> timer.Round:
    assert round_.opened_at is not None and round_.ends_at is not None
    return timer.Round(round_.opened_at, round_.ends_at, round_.warned)


async def extend(session: AsyncSession, room_id: int, now: datetime, by: int) -> Logged:
    await rooms.lock_room(session, room_id)
    round_ = await _round_or_refuse(session, room_id, "open")
    later = timer.extend(_clock(round_), now, by)
    round_.ends_at, round_.warned = later.ends_at, later.warned
    return await rooms.append(session, room_id, ALL, "breakout.extended", round=round_.id,
                              ends_at=stamp(later.ends_at))  # fmt: skip


async def close(session: AsyncSession, room_id: int, now: datetime, reason: str) -> list[Logged]:
    """Everyone back to the main room; calls for help still waiting are answered by that."""
    await rooms.lock_room(session, room_id)
    round_ = await _round_or_refuse(session, room_id, "draft", "open")
    return await _close(session, room_id, round_, now, reason)


async def _close(
    session: AsyncSession, room_id: int, round_: BreakoutRound, now: datetime, reason: str
) -> list[Logged]:
    round_.state = "closed"
    if round_.ends_at is not None:
        round_.ends_at = min(round_.ends_at, now)
    waiting = await session.scalars(
        select(HelpRequest).where(
            HelpRequest.round_id == round_.id, HelpRequest.claimed_at.is_(None)
        )
    )
    for request in waiting:
        request.claimed_by, request.claimed_at = "", now
    return [await rooms.append(session, room_id, ALL, "breakout.closed", round=round_.id,
                               reason=reason)]  # fmt: skip


async def tick(session: AsyncSession, room_id: int, now: datetime) -> list[Logged]:
    """The round's clock, on whichever worker looks first: the warning, then the end."""
    await rooms.lock_room(session, room_id)
    round_ = await live_round(session, room_id)
    if round_ is None or round_.state != "open":
        return []
    clock = _clock(round_)
    if timer.phase(clock, now) == "over":
        return await _close(session, room_id, round_, now, "time")
    if timer.due_warning(clock, now):
        round_.warned = True
        return [await rooms.append(session, room_id, ALL, "breakout.ending", round=round_.id,
                                   ends_at=stamp(clock.ends_at),
                                   seconds_left=timer.seconds_left(clock, now))]  # fmt: skip
    return []


async def due(session: AsyncSession, room_ids: Sequence[int], now: datetime) -> list[int]:
    """The rooms among these whose round needs its warning or its end now."""
    if not room_ids:
        return []
    rows = await session.execute(
        select(BreakoutRound.room_id, BreakoutRound.ends_at, BreakoutRound.warned).where(
            BreakoutRound.room_id.in_(room_ids), BreakoutRound.state == "open"
        )
    )
    return [
        room
        for room, ends, warned in rows
        if ends is not None and (now >= ends or (not warned and now >= ends - timer.WARNING))
    ]


async def seat_of(session: AsyncSession, room_id: int, key: str) -> tuple[int, int] | None:
    """(round, group) of a person in the room's open round."""
    round_ = await live_round(session, room_id)
    if round_ is None or round_.state != "open":
        return None
    found = await session.get(BreakoutSeat, (round_.id, key))
    return (round_.id, found.group_id) if found else None
