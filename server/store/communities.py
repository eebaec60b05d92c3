"""Communities, their members and roles, and the events a community page lists.

Rules that span rows (a community keeps at least one owner; one membership per person) are
checked inside the writing transaction after locking the community's row: on PostgreSQL two
workers racing cannot both pass the check, and SQLite's single writer serializes them anyway.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.tables import Community, Event, Membership, Person, utcnow

ROLES = ("owner", "moderator", "member")
MANAGERS = frozenset({"owner", "moderator"})
JOIN_POLICIES = ("open", "invite")
STUDY_GROUP = "study_group"


class CommunityError(Exception):
    """A rule of communities refused the change; the HTTP layer maps each kind to a status."""


class SlugTaken(CommunityError):
    pass


class InviteRequired(CommunityError):
    """The community is invite-only and no invite code came with the request."""


class WrongInviteCode(CommunityError):
    pass


class NotMember(CommunityError):
    pass


class NotAllowed(CommunityError):
    pass


class LastOwner(CommunityError):
    """The change would leave the community without an owner."""


@dataclass(frozen=True)
class Listing:
    community: Community
    member_count: int


@dataclass(frozen=True)
class Member:
    """A member as other people see them: a display name and a role, never an email."""

    person_id: int
    display_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class Overview:
    """Everything the community page shows, read through one session."""

    community: Community
    member_count: int
    viewer_role: str | None
    members: list[Member]
    events: list[Event]
    study_groups: list[Event]


async def create_community(
    session: AsyncSession,
    *,
    owner_id: int,
    slug: str,
    name: str,
    description: str = "",
    guidelines: str = "",
    join_policy: str = "open",
    show_people: bool = True,
) -> Community:
    if join_policy not in JOIN_POLICIES:
        raise ValueError(f"unknown join policy {join_policy!r}")
    if await session.scalar(select(Community.id).where(Community.slug == slug)) is not None:
        raise SlugTaken(slug)
    community = Community(
        slug=slug,
        name=name,
        description=description,
        guidelines=guidelines,
        join_policy=join_policy,
        show_people=show_people,
        invite_code=secrets.token_urlsafe(16),
    )
    session.add(community)
    try:
        await session.flush()
    except IntegrityError:
        # Two creators raced past the check above; the unique index settled it.
        raise SlugTaken(slug) from None
    session.add(
        Membership(community_id=community.id, person_id=owner_id, role="owner", joined_at=utcnow())
    )
    return community


async def community_by_slug(session: AsyncSession, slug: str) -> Community | None:
    return await session.scalar(select(Community).where(Community.slug == slug))


async def role_of(session: AsyncSession, community_id: int, person_id: int) -> str | None:
    """The person's role in the community, or None for a non-member."""
    role = await session.scalar(
        select(Membership.role).where(
            Membership.community_id == community_id, Membership.person_id == person_id
        )
    )
    return role


async def member_count(session: AsyncSession, community_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(Membership.community_id == community_id)
    )
    return int(count or 0)


async def list_communities(
    session: AsyncSession, *, offset: int = 0, limit: int = 100
) -> list[Listing]:
    """Communities by name, each with its number of members."""
    count = func.count(Membership.person_id)
    rows = await session.execute(
        select(Community, count)
        .outerjoin(Membership, Membership.community_id == Community.id)
        .group_by(Community.id)
        .order_by(func.lower(Community.name), Community.id)
        .offset(offset)
        .limit(limit)
    )
    return [Listing(community, int(n)) for community, n in rows]


async def update_community(
    session: AsyncSession,
    community_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    guidelines: str | None = None,
    join_policy: str | None = None,
    show_people: bool | None = None,
) -> Community:
    """Change the given fields; None leaves a field as it is."""
    if join_policy is not None and join_policy not in JOIN_POLICIES:
        raise ValueError(f"unknown join policy {join_policy!r}")
    community = await session.get_one(Community, community_id)
    if name is not None:
        community.name = name
    if description is not None:
        community.description = description
    if join_policy is not None:
        community.join_policy = join_policy
    if show_people is not None:
        community.show_people = show_people
    # Members are asked to read the guidelines again only when the text really changed.
    if guidelines is not None and guidelines != community.guidelines:
        community.guidelines = guidelines
        community.guidelines_updated_at = utcnow()
    return community


def invite_matches(community: Community, code: str | None) -> bool:
    if code is None:
        return False
    # Constant time, and on bytes: compare_digest refuses non-ASCII str.
    return hmac.compare_digest(
        code.encode("utf-8", "replace"), community.invite_code.encode("utf-8")
    )


async def _locked(session: AsyncSession, community_id: int) -> Community:
    """The community's row, locked until commit (SQLAlchemy leaves FOR UPDATE out on SQLite)."""
    return (
        await session.execute(
            select(Community)
            .where(Community.id == community_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


async def _owner_count(session: AsyncSession, community_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Membership.community_id == community_id, Membership.role == "owner"
        )
    )
    return int(count or 0)


async def _member(session: AsyncSession, membership: Membership) -> Member:
    person = await session.get_one(Person, membership.person_id)
    return Member(membership.person_id, person.display_name, membership.role, membership.joined_at)


async def join(
    session: AsyncSession, community_id: int, person_id: int, invite_code: str | None = None
) -> tuple[Member, bool]:
    """Join as a member; returns the membership and whether it is new.

    Joining again is not an error: it returns the role the person already has.
    """
    community = await _locked(session, community_id)
    existing = await session.get(Membership, (community_id, person_id))
    if existing is not None:
        return await _member(session, existing), False
    if community.join_policy != "open":
        if invite_code is None:
            raise InviteRequired(community.slug)
        if not invite_matches(community, invite_code):
            raise WrongInviteCode(community.slug)
    membership = Membership(
        community_id=community_id, person_id=person_id, role="member", joined_at=utcnow()
    )
    session.add(membership)
    await session.flush()
    return await _member(session, membership), True


async def leave(session: AsyncSession, community_id: int, person_id: int) -> None:
    await _locked(session, community_id)
    membership = await session.get(Membership, (community_id, person_id))
    if membership is None:
        raise NotMember(person_id)
    if membership.role == "owner" and await _owner_count(session, community_id) <= 1:
        raise LastOwner(person_id)
    await session.delete(membership)


async def change_role(
    session: AsyncSession, community_id: int, *, actor_id: int, person_id: int, role: str
) -> Member:
    """An owner gives a member a role; the last owner cannot be demoted, not even by self."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    await _locked(session, community_id)
    if await role_of(session, community_id, actor_id) != "owner":
        raise NotAllowed(actor_id)
    membership = await session.get(Membership, (community_id, person_id))
    if membership is None:
        raise NotMember(person_id)
    if (
        membership.role == "owner"
        and role != "owner"
        and await _owner_count(session, community_id) <= 1
    ):
        raise LastOwner(person_id)
    membership.role = role
    return await _member(session, membership)


async def new_invite_code(session: AsyncSession, community_id: int) -> str:
    """Replace the invite code: links handed out before stop working."""
    community = await session.get_one(Community, community_id)
    community.invite_code = secrets.token_urlsafe(16)
    return community.invite_code


_ROLE_RANK = case({"owner": 0, "moderator": 1}, value=Membership.role, else_=2)


async def members_of(
    session: AsyncSession, community_id: int, *, offset: int = 0, limit: int = 500
) -> list[Member]:
    """Owners first, then moderators, then members, each by name. Emails are never selected."""
    rows = await session.execute(
        select(Membership.person_id, Person.display_name, Membership.role, Membership.joined_at)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.community_id == community_id)
        .order_by(_ROLE_RANK, func.lower(Person.display_name), Membership.person_id)
        .offset(offset)
        .limit(limit)
    )
    return [Member(pid, name, role, joined) for pid, name, role, joined in rows]


async def upcoming_events(
    session: AsyncSession,
    community_id: int,
    *,
    study_groups: bool = False,
    now: datetime | None = None,
    limit: int = 50,
) -> list[Event]:
    """Events not yet over, soonest first: study groups, or every other kind of event.

    A study group is over when its last weekly meeting ends (`series_ends_at`); for any other
    event that is its `ends_at`.
    """
    kind = Event.kind == STUDY_GROUP if study_groups else Event.kind != STUDY_GROUP
    over = Event.series_ends_at > (now or utcnow())
    rows = await session.scalars(
        select(Event)
        .where(Event.community_id == community_id, over, kind, Event.private.is_(False))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(rows)


async def overview(
    session: AsyncSession, slug: str, viewer_id: int | None = None, *, member_limit: int = 200
) -> Overview | None:
    community = await community_by_slug(session, slug)
    if community is None:
        return None
    viewer_role = None if viewer_id is None else await role_of(session, community.id, viewer_id)
    return Overview(
        community=community,
        member_count=await member_count(session, community.id),
        viewer_role=viewer_role,
        members=await members_of(session, community.id, limit=member_limit),
        events=await upcoming_events(session, community.id),
        study_groups=await upcoming_events(session, community.id, study_groups=True),
    )
