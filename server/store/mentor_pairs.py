"""Mentor pairs in the store: accepting a request, a pair's sessions, feedback, ending a pair,
past pairs.

A session is an ordinary study-group event of the community, created private with the two of
them registered (`events.create_event`, `registrations.register_person`): its room, its
`.ics` and the calendar feeds come from what events already do, and `room_access` admits the
two of them only. A pair "worked well" when, after one of its sessions, both said so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.community.mentor_match import can_mentor
from server.store import communities, events, registrations
from server.store.events import EventRefused
from server.store.mentor_profiles import MentorshipRefused, profiles
from server.store.mentorship_tables import (
    MentorPair,
    MentorshipRequest,
    PairSession,
    SessionFeedback,
)
from server.store.tables import Event, Person, utcnow

MAX_WEEKS = 12


@dataclass(frozen=True)
class Session:
    event: Event
    my_feedback: bool | None  # None: not said yet


@dataclass(frozen=True)
class PairView:
    pair: MentorPair
    mentor_name: str
    learner_name: str
    note: str
    sessions: list[Session]

    def partner_of(self, person_id: int) -> str:
        return self.learner_name if person_id == self.pair.mentor_id else self.mentor_name


async def accept(
    session: AsyncSession,
    community_id: int,
    request_id: int,
    mentor_id: int,
    *,
    now: datetime | None = None,
) -> MentorPair:
    """A mentor takes an open request: the request is matched and the pair begins.

    The request's row is locked, so of two mentors racing only the first finds it open; the
    pair's unique request id would refuse the second anyway.
    """
    asked = (
        await session.execute(
            select(MentorshipRequest)
            .where(MentorshipRequest.id == request_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if asked is None or asked.community_id != community_id:
        raise MentorshipRefused("not_found", "That request does not exist.")
    if asked.status != "open":
        said = "was withdrawn" if asked.status == "withdrawn" else "has a mentor already"
        raise MentorshipRefused("conflict", f"This request {said}.")
    if asked.person_id == mentor_id:
        raise MentorshipRefused("invalid", "You cannot mentor yourself.")
    if await communities.role_of(session, asked.community_id, mentor_id) is None:
        raise MentorshipRefused("not_allowed", "Join this community to mentor in it.")
    people = await profiles(session, {mentor_id, asked.person_id})
    mentor, learner = people.get(mentor_id), people.get(asked.person_id)
    if mentor is None or learner is None:
        raise MentorshipRefused("not_found", "That request does not exist.")
    if not can_mentor(mentor, learner, asked.tag):
        raise MentorshipRefused(
            "not_allowed",
            f"Mark yourself open to mentoring {asked.tag} on your profile, at a level above "
            "the learner's, to accept this request.",
        )
    asked.status, asked.open_tag, asked.closed_at = "matched", None, now or utcnow()
    pair = MentorPair(
        community_id=asked.community_id,
        request_id=asked.id,
        mentor_id=mentor_id,
        learner_id=asked.person_id,
        tag=asked.tag,
    )
    session.add(pair)
    await session.flush()
    return pair


async def pairs_of(session: AsyncSession, community_id: int, person_id: int) -> list[PairView]:
    """The pairs this person is in, in this community, newest first."""
    ids = await session.scalars(
        select(MentorPair.id)
        .where(
            MentorPair.community_id == community_id,
            or_(MentorPair.mentor_id == person_id, MentorPair.learner_id == person_id),
        )
        .order_by(MentorPair.id.desc())
    )
    found = [await pair_view(session, community_id, pair_id, person_id) for pair_id in ids]
    return [view for view in found if view is not None]


async def pair_view(
    session: AsyncSession, community_id: int, pair_id: int, person_id: int
) -> PairView | None:
    """A pair with its sessions, for one of its two people; None for anyone else."""
    pair = await session.get(MentorPair, pair_id) if 0 < pair_id <= events.MAX_ID else None
    if pair is None or pair.community_id != community_id:
        return None
    if person_id not in (pair.mentor_id, pair.learner_id):
        return None
    found = await session.execute(
        select(Person.id, Person.display_name).where(
            Person.id.in_((pair.mentor_id, pair.learner_id))
        )
    )
    names = {pid: name for pid, name in found}
    asked = await session.get_one(MentorshipRequest, pair.request_id)
    rows = await session.execute(
        select(Event, SessionFeedback.went_well)
        .join(PairSession, PairSession.event_id == Event.id)
        .outerjoin(
            SessionFeedback,
            (SessionFeedback.event_id == Event.id) & (SessionFeedback.person_id == person_id),
        )
        .where(PairSession.pair_id == pair.id)
        .order_by(Event.starts_at, Event.id)
    )
    sessions = [Session(event, went_well) for event, went_well in rows]
    return PairView(pair, names.get(pair.mentor_id, "Deleted account"),
                    names.get(pair.learner_id, "Deleted account"), asked.note,
                    sessions)  # fmt: skip


async def _pair_for(
    session: AsyncSession, community_id: int, pair_id: int, person_id: int
) -> MentorPair:
    pair = await session.get(MentorPair, pair_id) if 0 < pair_id <= events.MAX_ID else None
    if pair is None or pair.community_id != community_id:
        raise MentorshipRefused("not_found", "That mentorship does not exist.")
    if person_id not in (pair.mentor_id, pair.learner_id):
        raise MentorshipRefused("not_found", "That mentorship does not exist.")
    return pair


async def schedule(
    session: AsyncSession,
    community_id: int,
    pair_id: int,
    person_id: int,
    data: events.EventInput,
    *,
    now: datetime | None = None,
) -> Event:
    """A session for the pair: a private study-group event with the two of them going."""
    pair = await _pair_for(session, community_id, pair_id, person_id)
    if pair.ended_at is not None:
        raise MentorshipRefused("conflict", "This mentorship has ended: ask for a mentor again "
                                "to start a new one.")  # fmt: skip
    if data.kind != "study_group":
        raise ValueError("a pair's session is a study group")
    if data.weekly_count is None or not 1 <= data.weekly_count <= MAX_WEEKS:
        raise MentorshipRefused("invalid", f"weeks: 1 to {MAX_WEEKS}", "weeks")
    event = await events.create_event(session, pair.community_id, person_id, data, private=True)
    session.add(PairSession(event_id=event.id, pair_id=pair.id))
    for someone in (pair.mentor_id, pair.learner_id):
        await registrations.register_person(session, event.id, someone, now=now, invited=True)
    return event


async def end(
    session: AsyncSession,
    community_id: int,
    pair_id: int,
    person_id: int,
    *,
    now: datetime | None = None,
) -> MentorPair:
    """Either of the two ends the pair: no more sessions, and both give up their places at
    the sessions still to come. Past sessions, and what was said of them, stay."""
    await _pair_for(session, community_id, pair_id, person_id)
    pair = (
        await session.execute(
            select(MentorPair)
            .where(MentorPair.id == pair_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    if pair.ended_at is not None:
        raise MentorshipRefused("conflict", "This mentorship has ended already.")
    when = now or utcnow()
    pair.ended_at, pair.ended_by = when, person_id
    upcoming = await session.scalars(
        select(Event.id)
        .join(PairSession, PairSession.event_id == Event.id)
        .where(PairSession.pair_id == pair.id, Event.series_ends_at > when)
    )
    for event_id in list(upcoming):
        for someone in (pair.mentor_id, pair.learner_id):
            with contextlib.suppress(EventRefused):  # not registered any more
                await registrations.cancel_for_person(session, event_id, someone, now=when)
    await session.flush()
    return pair


async def give_feedback(
    session: AsyncSession,
    community_id: int,
    event_id: int,
    person_id: int,
    went_well: bool,
    *,
    now: datetime | None = None,
) -> SessionFeedback:
    """One of the two says whether the session went well; saying it again changes the answer."""
    link = await session.get(PairSession, event_id) if 0 < event_id <= events.MAX_ID else None
    pair = await session.get(MentorPair, link.pair_id) if link is not None else None
    if pair is None or pair.community_id != community_id:
        raise MentorshipRefused("not_found", "That session does not exist.")
    if person_id not in (pair.mentor_id, pair.learner_id):
        raise MentorshipRefused("not_found", "That session does not exist.")
    event = await session.get_one(Event, event_id)
    if event.starts_at > (now or utcnow()):
        raise MentorshipRefused("conflict", "Say how it went once the session has begun.")
    said = await session.get(SessionFeedback, (event_id, person_id))
    if said is None:
        said = SessionFeedback(event_id=event_id, person_id=person_id, went_well=went_well)
        session.add(said)
    else:
        said.went_well, said.created_at = went_well, now or utcnow()
    await session.flush()
    return said


async def good_pairs(
    session: AsyncSession, people: Collection[int] | None = None
) -> frozenset[frozenset[int]]:
    """The pairs of people who worked well together: both said so after one session.

    Limited to pairs with someone of `people` in them when given.
    """
    both_well = (
        select(PairSession.pair_id)
        .join(SessionFeedback, SessionFeedback.event_id == PairSession.event_id)
        .where(SessionFeedback.went_well.is_(True))
        .group_by(PairSession.event_id, PairSession.pair_id)
        .having(func.count() == 2)
    )
    query = select(MentorPair.mentor_id, MentorPair.learner_id).where(MentorPair.id.in_(both_well))
    if people is not None:
        if not people:
            return frozenset()
        ids = set(people)
        query = query.where(or_(MentorPair.mentor_id.in_(ids), MentorPair.learner_id.in_(ids)))
    rows = await session.execute(query)
    return frozenset(frozenset((m, learner)) for m, learner in rows)
