"""Reports and blocks: what anyone can do to flag harm or to stop seeing someone.

A report goes to its community's queue, seen by the community's moderators and owners only.
The person reported never learns who reported them: a report's view for moderators names
the reporter, and nothing sent to the room does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.commands import CommandError
from server.rooms.events import STAFF, staff_and, stamp
from server.rooms.moderation import ReportKind
from server.store import rooms
from server.store.audit_record import audit
from server.store.moderation import Target
from server.store.moderation_tables import Block, Report
from server.store.room_tables import ChatMessage, Question
from server.store.rooms import Logged, Speaker
from server.store.tables import utcnow

OUTCOMES = ("actioned", "dismissed")
ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class Reported:
    """What a report is about: the person, and the words as they stood when reported."""

    subject_id: int | None
    key: str
    member: str
    name: str
    excerpt: str


async def subject(
    session: AsyncSession, room_id: int, kind: ReportKind, item: int | None, person: Target | None
) -> Reported:
    """Find what is reported: a message or question by id, or a person (or their name)."""
    if kind == "message":
        message = await session.get(ChatMessage, item or 0)
        if message is None or message.room_id != room_id:
            raise CommandError("not_found", "id: no such message", field="id")
        return Reported(message.id, message.author_key, message.author_member,
                        message.author_name, message.body)  # fmt: skip
    if kind == "question":
        question = await session.get(Question, (room_id, item or 0))
        if question is None:
            raise CommandError("not_found", "id: no such question", field="id")
        # The room hid this anonymous author from its staff: a report must not name them.
        hidden = question.anonymous and question.hidden_from_staff
        name = ANONYMOUS if hidden else question.author_name
        return Reported(question.id, question.author_key, question.author_member, name,
                        question.body)  # fmt: skip
    if person is None:
        raise CommandError("invalid", "member: whom you report", field="member")
    excerpt = person.name if kind == "name" else ""
    return Reported(None, person.key, person.member, person.name, excerpt)


async def report(
    session: AsyncSession, community_id: int, room_id: int, reporter: Speaker, kind: ReportKind,
    about: Reported, reason: str,
) -> tuple[int, Logged]:  # fmt: skip
    """File a report; the room's staff hear of it at once (without who filed it)."""
    if about.key == reporter.key:
        raise CommandError("invalid", "You cannot report yourself.")
    row = Report(
        community_id=community_id, room_id=room_id, reporter_key=reporter.key,
        reporter_member=reporter.member, kind=kind, subject_id=about.subject_id,
        subject_key=about.key, subject_name=about.name, excerpt=about.excerpt, reason=reason,
        created_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    view = ReportView(
        row.id,
        room_id,
        kind,
        about.subject_id,
        about.name,
        about.key,
        about.excerpt,
        reason,
        reporter.key,
        "open",
        None,
        row.created_at,
        None,
    )
    logged = await rooms.append(session, room_id, STAFF, "report.filed", report=view.wire())
    return row.id, logged


@dataclass(frozen=True)
class ReportView:
    id: int
    room_id: int | None
    kind: str
    subject_id: int | None
    subject_name: str
    subject_key: str
    excerpt: str
    reason: str
    reporter_key: str
    status: str
    outcome: str | None
    created_at: datetime
    handled_at: datetime | None

    def wire(self) -> dict[str, object]:
        """As sent to a moderator in the room: names, never person keys."""
        return {
            "id": self.id, "room": self.room_id, "kind": self.kind, "item": self.subject_id,
            "name": self.subject_name, "excerpt": self.excerpt, "reason": self.reason,
            "status": self.status, "at": stamp(self.created_at),
        }  # fmt: skip


async def queue(
    session: AsyncSession, community_id: int, *, open_only: bool = True, limit: int = 200
) -> list[ReportView]:
    """The community's reports, oldest open first (or, with `open_only` off, newest first)."""
    query = select(Report).where(Report.community_id == community_id)
    if open_only:
        query = query.where(Report.status == "open").order_by(Report.id)
    else:
        query = query.order_by(Report.id.desc())
    rows = await session.scalars(query.limit(limit))
    return [
        ReportView(r.id, r.room_id, r.kind, r.subject_id, r.subject_name, r.subject_key,
                   r.excerpt, r.reason, r.reporter_key, r.status, r.outcome, r.created_at,
                   r.handled_at)
        for r in rows
    ]  # fmt: skip


async def resolve(
    session: AsyncSession, community_id: int, who: Speaker, report_id: int, outcome: str,
    note: str,
) -> Logged | None:  # fmt: skip
    """Close a report; the reporter is told it was handled, never how or by whom."""
    if outcome not in OUTCOMES:
        raise CommandError("invalid", "outcome: actioned or dismissed", field="outcome")
    row = await session.get(Report, report_id)
    if row is None or row.community_id != community_id:
        raise CommandError("not_found", "No such report.", field="id")
    if row.status != "open":
        raise CommandError("conflict", "This report was already handled.")
    row.status, row.outcome = outcome, note or None
    row.handled_by_key, row.handled_at = who.key, utcnow()
    await audit(session, community_id, row.room_id, who.key, f"report_{outcome}",
                row.subject_key, note, report=row.id)  # fmt: skip
    if row.room_id is None or not row.reporter_member:
        return None
    return await rooms.append(session, row.room_id, staff_and(row.reporter_member),
                              "report.handled", id=row.id)  # fmt: skip


# --- blocks ----------------------------------------------------------------------------


async def block(session: AsyncSession, person_key: str, blocked_key: str) -> None:
    if person_key == blocked_key:
        raise CommandError("invalid", "You cannot block yourself.", field="member")
    if await session.get(Block, (person_key, blocked_key)) is None:
        session.add(Block(person_key=person_key, blocked_key=blocked_key))


async def unblock(session: AsyncSession, person_key: str, blocked_key: str) -> None:
    row = await session.get(Block, (person_key, blocked_key))
    if row is not None:
        await session.delete(row)


async def blocked(session: AsyncSession, person_key: str) -> list[str]:
    rows = await session.scalars(select(Block.blocked_key).where(Block.person_key == person_key))
    return list(rows)
