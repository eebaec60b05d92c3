"""Breakout groups kept as study groups of the community, with their people, notes and chat.

A host keeps any group of the room's latest round, while it runs or after it closed; the
group's own members may too when the host allowed it when planning. The study group takes
the group's notes as they stand and its members with accounts (guests have no account to
carry it); its chat is read from the breakout group, not copied. A weekly meeting is an
ordinary study-group event of the community with the members registered, so its room and
its `.ics` come from the events the community already has.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.commands import CommandError
from server.rooms.events import ALL, stamp
from server.rooms.roles import HOSTS
from server.store import events, registrations, rooms
from server.store.breakout_tables import (
    BreakoutGroup,
    BreakoutMessage,
    BreakoutRound,
    BreakoutSeat,
    StudyGroup,
    StudyGroupMember,
)
from server.store.rooms import Logged, Speaker
from server.store.tables import Community, Event, Person, utcnow

MAX_NAME = 80
MAX_MEETINGS = 52


@dataclass(frozen=True)
class Weekly:
    """The first meeting's local start, its length, and how many weeks it repeats."""

    starts: datetime  # aware, in the meeting's time zone
    minutes: int
    weeks: int


def weekly(first: str, timezone: str, minutes: int, weeks: int) -> Weekly:
    """A weekly meeting from what a host typed: a local date and time, a zone, a length."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        raise CommandError("invalid", "timezone: an IANA zone such as Europe/Paris",
                           field="timezone") from None  # fmt: skip
    try:
        local = datetime.fromisoformat(first).replace(tzinfo=zone)
    except ValueError:
        raise CommandError("invalid", "first: a local date and time such as 2027-01-20T18:00",
                           field="first") from None  # fmt: skip
    if not 15 <= minutes <= 480:
        raise CommandError("invalid", "minutes: 15 to 480", field="minutes")
    if not 1 <= weeks <= MAX_MEETINGS:
        raise CommandError("invalid", f"weeks: 1 to {MAX_MEETINGS}", field="weeks")
    return Weekly(local, minutes, weeks)


async def keep(
    session: AsyncSession,
    room_id: int,
    who: Speaker,
    group_id: int,
    name: str,
    meeting: Weekly | None,
) -> Logged:
    await rooms.lock_room(session, room_id)
    group = await session.get(BreakoutGroup, group_id)
    round_ = await session.get(BreakoutRound, group.round_id) if group else None
    latest = await session.scalar(
        select(func.max(BreakoutRound.id)).where(BreakoutRound.room_id == room_id)
    )
    if group is None or round_ is None or round_.room_id != room_id or round_.id != latest:
        raise CommandError("not_found", "No such group in this room's breakouts.", field="group")
    if round_.state == "draft":
        raise CommandError("conflict", "Open the groups before keeping one.")
    seated = await session.get(BreakoutSeat, (round_.id, who.key))
    if who.role not in HOSTS and not (round_.members_may_keep and seated is not None
                                      and seated.group_id == group.id):  # fmt: skip
        raise CommandError("forbidden", "The host keeps groups (or lets each group keep itself).")
    if await session.scalar(select(StudyGroup.id).where(StudyGroup.from_group_id == group.id)):
        raise CommandError("conflict", f"{group.name} is kept as a study group already.")
    title = " ".join((name or group.name).split())
    if not 1 <= len(title) <= MAX_NAME:
        raise CommandError("invalid", f"name: 1 to {MAX_NAME} characters", field="name")
    if meeting is not None and meeting.starts <= utcnow():
        # Registration for an event that has ended is refused: say so by field here.
        raise CommandError("invalid", "first: the first meeting is still to come", field="first")
    room_event = await session.get(Event, room_id)
    assert room_event is not None
    kept = StudyGroup(
        community_id=room_event.community_id, name=title, topic=group.topic, notes=group.notes,
        from_group_id=group.id, created_by_key=who.key,
    )  # fmt: skip
    session.add(kept)
    await session.flush()
    members = await _people(session, round_.id, group.id)
    for person_id in members:
        session.add(StudyGroupMember(study_group_id=kept.id, person_id=person_id))
    if meeting is not None:
        kept.meeting_event_id = await _meeting(session, room_event, kept, members, meeting)
    await session.flush()
    return await rooms.append(session, room_id, ALL, "breakout.kept", group=group.id,
                              study_group={"id": kept.id, "name": kept.name,
                                           "meeting": kept.meeting_event_id})  # fmt: skip


async def _people(session: AsyncSession, round_id: int, group_id: int) -> list[int]:
    keys = await session.scalars(
        select(BreakoutSeat.person_key).where(
            BreakoutSeat.round_id == round_id, BreakoutSeat.group_id == group_id
        )
    )
    return sorted(int(k[1:]) for k in keys if k.startswith("p"))


async def _meeting(
    session: AsyncSession, room_event: Event, kept: StudyGroup, members: list[int], when: Weekly
) -> int:
    starts = when.starts.astimezone(ZoneInfo("UTC"))
    data = events.EventInput(
        kind="study_group",
        title=kept.name,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=when.minutes),
        timezone=str(when.starts.tzinfo),
        description=f"The study group that began in a breakout of “{room_event.title}”.",
        weekly_count=when.weeks,
        tags=(kept.topic,) if kept.topic else (),
    )
    event = await events.create_event(session, kept.community_id, room_event.created_by, data)
    for person_id in members:
        await registrations.register_person(session, event.id, person_id)
    return event.id


async def of_community(session: AsyncSession, community_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(StudyGroup, func.count(StudyGroupMember.person_id))
        .outerjoin(StudyGroupMember, StudyGroupMember.study_group_id == StudyGroup.id)
        .where(StudyGroup.community_id == community_id)
        .group_by(StudyGroup.id)
        .order_by(StudyGroup.created_at.desc())
    )
    return [{"id": g.id, "name": g.name, "topic": g.topic, "members": n} for g, n in rows]


async def page(session: AsyncSession, study_group_id: int) -> dict[str, Any] | None:
    """A study group with its members' names, its notes, its chat and its meeting."""
    kept = await session.get(StudyGroup, study_group_id)
    if kept is None:
        return None
    people = await session.execute(
        select(Person.id, Person.display_name)
        .join(StudyGroupMember, StudyGroupMember.person_id == Person.id)
        .where(StudyGroupMember.study_group_id == kept.id)
        .order_by(Person.display_name)
    )
    chat = await session.scalars(
        select(BreakoutMessage)
        .where(BreakoutMessage.group_id == kept.from_group_id)
        .order_by(BreakoutMessage.id)
    )
    community = await session.get(Community, kept.community_id)
    return {
        "group": kept,
        "community": community,
        "members": [{"id": i, "name": n} for i, n in people],
        "chat": [{"name": m.author_name, "body": m.body, "at": stamp(m.created_at)} for m in chat],
        "meeting": await session.get(Event, kept.meeting_event_id)
        if kept.meeting_event_id
        else None,
    }


def notes_digest(notes: str) -> str:
    """What a notes form carries of the text it showed, to tell whether it changed since."""
    return hashlib.sha256(notes.encode()).hexdigest()[:16]


class NotesChanged(Exception):
    """Someone saved the notes since the form was shown; the current text is attached."""

    def __init__(self, current: str) -> None:
        super().__init__("the notes changed")
        self.current = current


async def is_member(session: AsyncSession, study_group_id: int, person_id: int) -> bool:
    found = await session.get(StudyGroupMember, (study_group_id, person_id))
    return found is not None


async def save_notes(
    session: AsyncSession, study_group_id: int, seen: str, text: str
) -> StudyGroup:
    """Save the notes if they are still what the form showed (`seen`, a digest); otherwise
    NotesChanged, so that neither the saved text nor the new one is silently lost."""
    kept = await session.get(StudyGroup, study_group_id, with_for_update=True)
    if kept is None:
        raise LookupError(study_group_id)
    if notes_digest(kept.notes) != seen:
        raise NotesChanged(kept.notes)
    kept.notes = text
    await session.flush()
    return kept
