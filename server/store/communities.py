"""Communities and their members."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.tables import Community, Membership

ROLES = ("owner", "moderator", "member")
MANAGERS = frozenset({"owner", "moderator"})


class SlugTaken(Exception):
    pass


async def create_community(
    session: AsyncSession,
    *,
    owner_id: int,
    slug: str,
    name: str,
    description: str = "",
    guidelines: str = "",
    join_policy: str = "open",
) -> Community:
    if await session.scalar(select(Community.id).where(Community.slug == slug)) is not None:
        raise SlugTaken(slug)
    community = Community(
        slug=slug,
        name=name,
        description=description,
        guidelines=guidelines,
        join_policy=join_policy,
        invite_code=secrets.token_urlsafe(16),
    )
    session.add(community)
    await session.flush()
    session.add(Membership(community_id=community.id, person_id=owner_id, role="owner"))
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
