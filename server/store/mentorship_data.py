"""A person's mentorship in their data export, and what deleting their account takes away.

Deleting an account empties the notes of their requests and closes the open ones; the pairs
and the feedback stay, since they hold no text and the partner's good past pairs rest on
them (the partner sees "Deleted account", and matching never suggests a deleted account).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.mentorship_tables import (
    MentorPair,
    MentorshipPass,
    MentorshipRequest,
    SessionFeedback,
)
from server.store.tables import utcnow


async def forget(session: AsyncSession, person_id: int) -> None:
    mine = MentorshipRequest.person_id == person_id
    await session.execute(
        update(MentorshipRequest)
        .where(mine, MentorshipRequest.status == "open")
        .values(status="withdrawn", open_tag=None, closed_at=utcnow())
    )
    await session.execute(update(MentorshipRequest).where(mine).values(note=""))


async def export(session: AsyncSession, person_id: int) -> dict[str, Any]:
    requests = await session.scalars(
        select(MentorshipRequest)
        .where(MentorshipRequest.person_id == person_id)
        .order_by(MentorshipRequest.id)
    )
    pairs = await session.scalars(
        select(MentorPair)
        .where(or_(MentorPair.mentor_id == person_id, MentorPair.learner_id == person_id))
        .order_by(MentorPair.id)
    )
    passes = await session.scalars(
        select(MentorshipPass)
        .where(MentorshipPass.person_id == person_id)
        .order_by(MentorshipPass.request_id)
    )
    said = await session.scalars(
        select(SessionFeedback)
        .where(SessionFeedback.person_id == person_id)
        .order_by(SessionFeedback.event_id)
    )
    return {
        "mentorship_requests": [
            {"id": r.id, "community_id": r.community_id, "tag": r.tag, "note": r.note,
             "status": r.status, "created_at": r.created_at.isoformat()}
            for r in requests
        ],
        "mentor_pairs": [
            {"id": p.id, "community_id": p.community_id, "tag": p.tag,
             "role": "mentor" if p.mentor_id == person_id else "learner",
             "created_at": p.created_at.isoformat(),
             "ended_at": p.ended_at.isoformat() if p.ended_at else None,
             "ended_by_you": p.ended_by == person_id}
            for p in pairs
        ],
        "mentorship_passes": [
            {"request_id": m.request_id, "created_at": m.created_at.isoformat()} for m in passes
        ],
        "session_feedback": [
            {"event_id": f.event_id, "went_well": f.went_well,
             "created_at": f.created_at.isoformat()}
            for f in said
        ],
    }  # fmt: skip
