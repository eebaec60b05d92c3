"""People as mentorship matching sees them, and the refusal the mentorship modules raise."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.community.mentor_match import Profile
from server.store.events import Reason
from server.store.tables import Interest, Person


class MentorshipRefused(Exception):
    """A rule of mentorship refused the request; the HTTP layer maps `reason` to a status."""

    def __init__(self, reason: Reason, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field


async def profiles(session: AsyncSession, ids: Collection[int]) -> dict[int, Profile]:
    """Each living account among `ids` with its interests; deleted accounts are left out."""
    if not ids:
        return {}
    people = await session.execute(
        select(Person.id, Person.display_name, Person.timezone).where(
            Person.id.in_(set(ids)), Person.deleted_at.is_(None)
        )
    )
    found = {pid: (name, zone) for pid, name, zone in people}
    levels: dict[int, dict[str, str]] = {pid: {} for pid in found}
    mentoring: dict[int, set[str]] = {pid: set() for pid in found}
    interests = await session.scalars(select(Interest).where(Interest.person_id.in_(found)))
    for interest in interests:
        levels[interest.person_id][interest.tag] = interest.level
        if interest.open_to_mentoring:
            mentoring[interest.person_id].add(interest.tag)
    return {
        pid: Profile(pid, name, zone, levels[pid], frozenset(mentoring[pid]))
        for pid, (name, zone) in found.items()
    }
