"""Mentorship requests in the store (asked, withdrawn, passed on by a mentor), and what a
community's mentorship page shows a person.

The rules of who suits whom and in what order are pure (`community/mentor_match.py`); this
module reads the people, their interests and their past pairs, and keeps the requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.community.mentor_match import Ask, History, Match, requests_for, suggest_mentors
from server.store import communities
from server.store.events import MAX_ID
from server.store.mentor_pairs import PairView, good_pairs, pairs_of
from server.store.mentor_profiles import MentorshipRefused, profiles
from server.store.mentorship_tables import MentorshipPass, MentorshipRequest
from server.store.tables import Interest, Membership, utcnow

MAX_NOTE = 500
SUGGESTED = 5


@dataclass(frozen=True)
class MyRequest:
    request: MentorshipRequest
    mentors: list[Match]  # suggested, best first


@dataclass(frozen=True)
class Suited:
    """An open request of someone else that the viewer could take, with why."""

    request: MentorshipRequest
    match: Match


@dataclass(frozen=True)
class Board:
    """The mentorship page of one community for one member."""

    mine: list[MyRequest]
    suited: list[Suited]
    pairs: list[PairView]
    mentoring: frozenset[str]  # what the viewer is open to mentoring, from their profile
    interests: tuple[str, ...]  # the viewer's interests, to offer when they ask


async def ask(
    session: AsyncSession,
    community_id: int,
    person_id: int,
    tag: str,
    note: str = "",
    *,
    now: datetime | None = None,
) -> MentorshipRequest:
    """A member asks for a mentor in an interest; one open request per interest."""
    if await communities.role_of(session, community_id, person_id) is None:
        raise MentorshipRefused("not_allowed", "Join this community to ask for a mentor in it.")
    request = MentorshipRequest(
        community_id=community_id, person_id=person_id, tag=tag, note=note[:MAX_NOTE],
        status="open", open_tag=tag, created_at=now or utcnow(),
    )  # fmt: skip
    try:
        # A savepoint: the unique key, not a read before the write, settles a race of two tabs.
        async with session.begin_nested():
            session.add(request)
            await session.flush()
    except IntegrityError:
        raise MentorshipRefused(
            "conflict", f"You have asked for a mentor in {tag} already.", "tag"
        ) from None
    return request


async def _request_in(
    session: AsyncSession, community_id: int, request_id: int
) -> MentorshipRequest:
    asked = await session.get(MentorshipRequest, request_id) if 0 < request_id <= MAX_ID else None
    if asked is None or asked.community_id != community_id:
        raise MentorshipRefused("not_found", "That request does not exist.")
    return asked


def _still_open(asked: MentorshipRequest) -> None:
    if asked.status != "open":
        raise MentorshipRefused("conflict", "This request is not open any more.")


async def withdraw(
    session: AsyncSession,
    community_id: int,
    request_id: int,
    person_id: int,
    *,
    now: datetime | None = None,
) -> MentorshipRequest:
    asked = await _request_in(session, community_id, request_id)
    if asked.person_id != person_id:
        raise MentorshipRefused("not_found", "That request does not exist.")
    _still_open(asked)
    asked.status, asked.open_tag, asked.closed_at = "withdrawn", None, now or utcnow()
    await session.flush()
    return asked


async def pass_on(
    session: AsyncSession,
    community_id: int,
    request_id: int,
    person_id: int,
    *,
    now: datetime | None = None,
) -> MentorshipRequest:
    """A mentor passes on an open request: it leaves their list, and they leave the
    request's suggested mentors. The learner is not told who passed. Passing twice is once."""
    asked = await _request_in(session, community_id, request_id)
    if asked.person_id == person_id:
        raise MentorshipRefused("invalid", "That is your own request: withdraw it instead.")
    _still_open(asked)
    if await session.get(MentorshipPass, (request_id, person_id)) is None:
        try:
            async with session.begin_nested():  # two tabs passing at once make one pass
                session.add(MentorshipPass(request_id=request_id, person_id=person_id,
                                           created_at=now or utcnow()))  # fmt: skip
                await session.flush()
        except IntegrityError:
            pass
    return asked


async def _passes(session: AsyncSession, request_ids: list[int]) -> dict[int, set[int]]:
    """Who passed on each of these requests."""
    found: dict[int, set[int]] = {}
    if request_ids:
        rows = await session.execute(
            select(MentorshipPass.request_id, MentorshipPass.person_id).where(
                MentorshipPass.request_id.in_(request_ids)
            )
        )
        for request_id, person_id in rows:
            found.setdefault(request_id, set()).add(person_id)
    return found


async def _open_requests(session: AsyncSession, community_id: int) -> list[MentorshipRequest]:
    rows = await session.scalars(
        select(MentorshipRequest)
        .where(MentorshipRequest.community_id == community_id, MentorshipRequest.status == "open")
        .order_by(MentorshipRequest.created_at, MentorshipRequest.id)
        .limit(500)
    )
    return list(rows)


async def _mentors_in(session: AsyncSession, community_id: int) -> set[int]:
    """Members open to mentoring something."""
    rows = await session.scalars(
        select(Interest.person_id)
        .join(Membership, Membership.person_id == Interest.person_id)
        .where(Membership.community_id == community_id, Interest.open_to_mentoring.is_(True))
        .distinct()
    )
    return set(rows)


async def board(
    session: AsyncSession, community_id: int, viewer_id: int, *, on: date | None = None
) -> Board:
    """The viewer's requests with suggested mentors, the requests the viewer suits, and the
    viewer's pairs; `on` is the day whose waking hours count for time zone overlap."""
    day = on or utcnow().date()
    requests = await _open_requests(session, community_id)
    mentor_ids = await _mentors_in(session, community_id)
    people = await profiles(session, {viewer_id, *mentor_ids, *(r.person_id for r in requests)})
    history = History(await good_pairs(session, people.keys()))
    viewer = people.get(viewer_id)
    if viewer is None:
        return Board([], [], [], frozenset(), ())
    mentors = [people[m] for m in mentor_ids if m in people]
    passed = await _passes(session, [r.id for r in requests])

    def suggested(r: MentorshipRequest) -> list[Match]:
        found = suggest_mentors(viewer, r.tag, mentors, history, day)
        return [m for m in found if m.mentor.id not in passed.get(r.id, ())][:SUGGESTED]

    mine = [MyRequest(r, suggested(r)) for r in requests if r.person_id == viewer_id]
    by_id = {r.id: r for r in requests}
    asks = [
        Ask(r.id, people[r.person_id], r.tag)
        for r in requests
        if r.person_id != viewer_id
        and r.person_id in people
        and viewer_id not in passed.get(r.id, ())
    ]
    suited = [Suited(by_id[a.id], m) for a, m in requests_for(viewer, asks, history, day)]
    pairs = await pairs_of(session, community_id, viewer_id)
    return Board(mine, suited, pairs, viewer.mentoring, tuple(sorted(viewer.levels)))
