"""What people read about events: one event with its details, the directory, a calendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.events import WAITLISTED, event_by_id
from server.store.tables import (
    AgendaItem,
    Community,
    Event,
    EventSpeaker,
    EventTag,
    Person,
    Registration,
    utcnow,
)


@dataclass(frozen=True)
class Speaker:
    id: int
    display_name: str


@dataclass(frozen=True)
class AgendaSession:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    speakers: list[Speaker]


@dataclass(frozen=True)
class EventDetails:
    event: Event
    community: Community
    tags: list[str]
    speakers: list[Speaker]
    agenda: list[AgendaSession]
    waitlist_count: int


@dataclass(frozen=True)
class Listed:
    """A row of the directory."""

    event: Event
    community: Community
    tags: list[str]


@dataclass(frozen=True)
class DirectoryPage:
    events: list[Listed]
    page: int
    has_more: bool


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids)))
    return {pid: name for pid, name in rows}


def _parse_ids(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p]


async def event_details(session: AsyncSession, event_id: int) -> EventDetails | None:
    event = await event_by_id(session, event_id)
    if event is None:
        return None
    community = await session.get_one(Community, event.community_id)
    tags = list(
        await session.scalars(
            select(EventTag.tag).where(EventTag.event_id == event_id).order_by(EventTag.tag)
        )
    )
    speaker_ids = list(
        await session.scalars(
            select(EventSpeaker.person_id).where(EventSpeaker.event_id == event_id)
        )
    )
    items = list(
        await session.scalars(
            select(AgendaItem)
            .where(AgendaItem.event_id == event_id)
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        )
    )
    names = await _names(
        session, {*speaker_ids, *(p for i in items for p in _parse_ids(i.speaker_ids))}
    )

    def speakers(ids: list[int]) -> list[Speaker]:
        # A speaker whose account was deleted simply drops out of the list.
        return [Speaker(p, names[p]) for p in ids if p in names]

    waitlist = await session.scalar(
        select(func.count()).where(
            Registration.event_id == event_id, Registration.status == WAITLISTED
        )
    )
    return EventDetails(
        event=event,
        community=community,
        tags=tags,
        speakers=sorted(speakers(speaker_ids), key=lambda s: s.display_name.lower()),
        agenda=[
            AgendaSession(
                i.id, i.title, i.starts_at, i.ends_at, speakers(_parse_ids(i.speaker_ids))
            )
            for i in items
        ],
        waitlist_count=int(waitlist or 0),
    )


async def tags_of(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in event_ids}
    if event_ids:
        rows = await session.execute(
            select(EventTag.event_id, EventTag.tag)
            .where(EventTag.event_id.in_(event_ids))
            .order_by(EventTag.tag)
        )
        for event_id, tag in rows:
            out[event_id].append(tag)
    return out


async def directory(
    session: AsyncSession,
    *,
    tag: str | None = None,
    kind: str | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    community_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
    now: datetime | None = None,
) -> DirectoryPage:
    """Events still going on at `after` (default: now) that start before `before`, soonest first."""
    query = (
        select(Event, Community)
        .join(Community, Community.id == Event.community_id)
        .where(Event.series_ends_at > (after or now or utcnow()), Event.private.is_(False))
    )
    if before is not None:
        query = query.where(Event.starts_at < before)
    if tag is not None:
        query = query.where(Event.id.in_(select(EventTag.event_id).where(EventTag.tag == tag)))
    if kind is not None:
        query = query.where(Event.kind == kind)
    if community_id is not None:
        query = query.where(Event.community_id == community_id)
    rows = (
        await session.execute(
            query.order_by(Event.starts_at, Event.id)
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    ).all()
    shown = rows[:per_page]
    tags = await tags_of(session, [e.id for e, _ in shown])
    return DirectoryPage(
        events=[Listed(e, c, tags[e.id]) for e, c in shown],
        page=page,
        has_more=len(rows) > per_page,
    )


async def community_calendar(
    session: AsyncSession, community_id: int, since: datetime, limit: int = 500
) -> list[Event]:
    """The community's events still going on at `since`, for its calendar feed."""
    rows = await session.scalars(
        select(Event)
        .where(
            Event.community_id == community_id,
            Event.series_ends_at > since,
            Event.private.is_(False),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(rows)
