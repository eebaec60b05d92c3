"""Events of a community: creating and editing them, under the rule that seats never overflow.

Every change that touches an event's seats runs with the event's row locked (`locked_event`):
on PostgreSQL `SELECT … FOR UPDATE` makes racing workers take turns, and on SQLite the
store's single writer does the same. Inside that lock `fill_seats` counts the seats taken,
hands free ones to the waitlist in queue order and stores the exact `going_count`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.calendar import series_end
from server.store.tables import (
    AgendaItem,
    Event,
    EventSpeaker,
    EventTag,
    Membership,
    Registration,
)

KINDS = ("webinar", "workshop", "conference", "study_group", "meetup")
ATTENDANCE = ("online", "in_person", "hybrid")
GOING, WAITLISTED, CANCELLED = "going", "waitlisted", "cancelled"
# Beyond any id the tables hold (PostgreSQL `integer`): looked up, such an id would overflow.
MAX_ID = 2**31 - 1

Reason = Literal["not_found", "not_allowed", "closed", "conflict", "invalid"]


class EventRefused(Exception):
    """A rule of events refused the request; the HTTP layer maps `reason` to a status."""

    def __init__(self, reason: Reason, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field


@dataclass(frozen=True)
class AgendaInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    speaker_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class EventInput:
    """A checked event: times are aware, the HTTP input model has enforced the field rules."""

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    description: str = ""
    capacity: int | None = None
    attendance: str = "online"
    venue: str = ""
    address: str = ""
    weekly_count: int | None = None
    tags: tuple[str, ...] = ()
    speaker_ids: tuple[int, ...] = ()
    agenda: tuple[AgendaInput, ...] = ()


async def locked_event(session: AsyncSession, event_id: int) -> Event:
    """The event's row, locked until commit; populate_existing drops any stale copy."""
    if not 0 < event_id <= MAX_ID:
        raise EventRefused("not_found", "That event does not exist.")
    query = (
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    event = (await session.execute(query)).scalar_one_or_none()
    if event is None:
        raise EventRefused("not_found", "That event does not exist.")
    return event


async def fill_seats(session: AsyncSession, event: Event) -> list[Registration]:
    """Promote the front of the waitlist into free seats, then store the exact going count.

    Call with the event locked. The seats are counted from the registrations, not from the
    cached `going_count`: a registration removed by a cascade (a deleted account) frees its
    seat at the next change instead of leaving the count wrong forever.
    """
    await session.flush()
    going = int(
        await session.scalar(
            select(func.count()).where(
                Registration.event_id == event.id, Registration.status == GOING
            )
        )
        or 0
    )
    free = None if event.capacity is None else max(0, event.capacity - going)
    promoted: list[Registration] = []
    if free != 0:
        query = (
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
            .order_by(Registration.queued_at, Registration.id)
            .limit(free)
        )
        promoted = list(await session.scalars(query))
    for registration in promoted:
        registration.status = GOING
    event.going_count = going + len(promoted)
    await session.flush()
    return promoted


async def _check_people(
    session: AsyncSession, community_id: int, ids: Sequence[int], field: str
) -> None:
    if not ids:
        return
    members = set(
        await session.scalars(
            select(Membership.person_id).where(
                Membership.community_id == community_id, Membership.person_id.in_(set(ids))
            )
        )
    )
    for person_id in ids:
        if person_id not in members:
            raise EventRefused(
                "invalid", f"Person {person_id} is not a member of this community.", field
            )


async def _check(session: AsyncSession, community_id: int, data: EventInput) -> None:
    if data.kind not in KINDS or data.attendance not in ATTENDANCE:
        raise ValueError(f"unknown kind or attendance: {data.kind!r}, {data.attendance!r}")
    if data.ends_at <= data.starts_at:
        raise EventRefused("invalid", "The end must be after the start.", "ends_at")
    if data.agenda and data.kind != "conference":
        raise EventRefused("invalid", "Only a conference has an agenda.", "agenda")
    for n, item in enumerate(data.agenda, 1):
        if not data.starts_at <= item.starts_at < item.ends_at <= data.ends_at:
            raise EventRefused(
                "invalid", f"Session {n} must start and end within the event.", "agenda"
            )
    await _check_people(session, community_id, data.speaker_ids, "speaker_ids")
    agenda_people = [p for item in data.agenda for p in item.speaker_ids]
    await _check_people(session, community_id, agenda_people, "agenda")


def _assign(event: Event, data: EventInput) -> None:
    event.kind = data.kind
    event.title = data.title
    event.description = data.description
    event.starts_at = data.starts_at
    event.ends_at = data.ends_at
    event.timezone = data.timezone
    event.capacity = data.capacity
    event.attendance = data.attendance
    event.venue = data.venue
    event.address = data.address
    event.weekly_count = data.weekly_count
    event.series_ends_at = series_end(
        data.starts_at, data.ends_at, data.timezone, data.weekly_count
    )


def _add_parts(session: AsyncSession, event_id: int, data: EventInput) -> None:
    # dict.fromkeys keeps the given order and drops repeats that would break primary keys.
    session.add_all(EventTag(event_id=event_id, tag=t) for t in dict.fromkeys(data.tags))
    session.add_all(
        EventSpeaker(event_id=event_id, person_id=p) for p in dict.fromkeys(data.speaker_ids)
    )
    session.add_all(
        AgendaItem(
            event_id=event_id,
            title=item.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            speaker_ids=",".join(str(p) for p in dict.fromkeys(item.speaker_ids)),
        )
        for item in data.agenda
    )


async def create_event(
    session: AsyncSession,
    community_id: int,
    created_by: int | None,
    data: EventInput,
    *,
    private: bool = False,
) -> Event:
    """A new event; a private one is set so here only, and editing never changes that."""
    await _check(session, community_id, data)
    event = Event(community_id=community_id, created_by=created_by, going_count=0, private=private)
    _assign(event, data)
    session.add(event)
    await session.flush()
    _add_parts(session, event.id, data)
    await session.flush()
    return event


async def update_event(session: AsyncSession, event_id: int, data: EventInput) -> Event:
    """Replace the event's fields, tags, speakers and agenda; new seats go to the waitlist."""
    event = await locked_event(session, event_id)
    await _check(session, event.community_id, data)
    if data.capacity is not None and data.capacity < event.going_count:
        raise EventRefused(
            "invalid",
            f"{event.going_count} people have a seat already: the capacity cannot go below that.",
            "capacity",
        )
    _assign(event, data)
    for table in (EventTag, EventSpeaker, AgendaItem):
        await session.execute(delete(table).where(table.event_id == event_id))
    _add_parts(session, event_id, data)
    await fill_seats(session, event)
    return event


async def event_by_id(session: AsyncSession, event_id: int) -> Event | None:
    if not 0 < event_id <= MAX_ID:
        return None
    return await session.get(Event, event_id)
