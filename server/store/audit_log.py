"""What the community moderation page reads: the open reports, the bans in force and the
audit log, with the names behind the person keys they hold.

Only reads live here; every change goes through `store/moderation.py`,
`store/room_door.py` or `store/reports.py`, which write the audit record with the act. The
log holds keys, not names: a key is named when shown, and a key whose account is gone is
shown as itself (the pseudonymous id).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import reports
from server.store.moderation_tables import AuditRecord, Ban
from server.store.reports import ReportView
from server.store.tables import Event, Person, Registration

PAGE = 50
QUEUE = 200  # open reports shown at once, oldest first
# An export is read in slices of this many records, so a long log is not one huge query.
EXPORT_SLICE = 1000


@dataclass(frozen=True)
class Entry:
    """One audit record, with the names of the people it names."""

    id: int
    at: datetime
    room_id: int | None
    actor_key: str
    actor_name: str
    action: str
    subject_key: str | None
    subject_name: str | None
    reason: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class BanInForce:
    id: int
    person_key: str
    name: str
    reason: str
    by_key: str
    by_name: str
    created_at: datetime


@dataclass(frozen=True)
class Overview:
    """The moderation page, read through one session: the queue, the bans, a page of the log."""

    reports: list[ReportView]
    bans: list[BanInForce]
    records: list[Entry]
    record_count: int
    more: bool  # older records than this page
    rooms: dict[int, str]  # event id -> title, for the rooms the reports and records name


def deleted_name(key: str) -> str:
    return f"Deleted account ({key})"


async def names(session: AsyncSession, keys: Iterable[str | None]) -> dict[str, str]:
    """Display names for person keys: an account's ("p…"), a guest registration's ("g…")."""
    people: set[int] = set()
    guests: set[int] = set()
    wanted = {k for k in keys if k}
    for key in wanted:
        kind, number = key[:1], key[1:]
        if number.isdigit() and kind == "p":
            people.add(int(number))
        elif number.isdigit() and kind == "g":
            guests.add(int(number))
    out: dict[str, str] = {}
    if people:
        rows = await session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(people))
        )
        out.update({f"p{i}": name for i, name in rows})
    if guests:
        rows = await session.execute(
            select(Registration.id, Registration.guest_name).where(Registration.id.in_(guests))
        )
        out.update({f"g{i}": name or "Guest" for i, name in rows})
    return {key: out.get(key) or deleted_name(key) for key in wanted}


async def room_titles(session: AsyncSession, room_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {r for r in room_ids if r is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Event.id, Event.title).where(Event.id.in_(wanted)))
    return {i: title for i, title in rows}


def _detail(raw: str) -> dict[str, Any]:
    try:
        found = json.loads(raw or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


async def _entries(session: AsyncSession, rows: list[AuditRecord]) -> list[Entry]:
    named = await names(session, [k for r in rows for k in (r.actor_key, r.subject_key)])
    return [
        Entry(r.id, r.at, r.room_id, r.actor_key, named[r.actor_key], r.action, r.subject_key,
              named[r.subject_key] if r.subject_key else None, r.reason, _detail(r.detail))
        for r in rows
    ]  # fmt: skip


async def records(
    session: AsyncSession, community_id: int, *, before: int | None = None, limit: int = PAGE
) -> tuple[list[Entry], bool]:
    """A page of the community's log, newest first, older than record `before`; and whether
    older ones remain. Paging by id, not offset: records written meanwhile shift nothing."""
    query = select(AuditRecord).where(AuditRecord.community_id == community_id)
    if before is not None:
        query = query.where(AuditRecord.id < before)
    rows = list(await session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit + 1)))
    return await _entries(session, rows[:limit]), len(rows) > limit


async def every_record(session: AsyncSession, community_id: int) -> list[Entry]:
    """The whole log, newest first, for an export."""
    out: list[Entry] = []
    before: int | None = None
    while True:
        found, more = await records(session, community_id, before=before, limit=EXPORT_SLICE)
        out.extend(found)
        if not more:
            return out
        before = found[-1].id


async def record_count(session: AsyncSession, community_id: int) -> int:
    query = select(func.count()).where(AuditRecord.community_id == community_id)
    return int(await session.scalar(query) or 0)


async def bans_in_force(session: AsyncSession, community_id: int) -> list[BanInForce]:
    """Who is banned now, newest ban first."""
    rows = list(
        await session.scalars(
            select(Ban)
            .where(Ban.community_id == community_id, Ban.lifted_at.is_(None))
            .order_by(Ban.id.desc())
        )
    )
    named = await names(session, [k for b in rows for k in (b.person_key, b.by_key)])
    return [
        BanInForce(b.id, b.person_key, named[b.person_key], b.reason, b.by_key, named[b.by_key],
                   b.created_at)
        for b in rows
    ]  # fmt: skip


async def open_reports(
    session: AsyncSession, community_id: int
) -> tuple[list[ReportView], dict[int, str]]:
    """The queue, oldest first, with the titles of the rooms it names."""
    queue = await reports.queue(session, community_id, limit=QUEUE)
    return queue, await room_titles(session, [r.room_id for r in queue])


async def overview(
    session: AsyncSession, community_id: int, *, before: int | None = None
) -> Overview:
    queue, titles = await open_reports(session, community_id)
    bans = await bans_in_force(session, community_id)
    page, more = await records(session, community_id, before=before)
    titles |= await room_titles(session, [e.room_id for e in page])
    count = await record_count(session, community_id)
    return Overview(queue, bans, page, count, more, titles)
