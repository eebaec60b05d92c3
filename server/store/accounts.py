"""People, their interests, their browser sessions and failed sign-ins."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.tables import Interest, Person, SignInAttempt, WebSession, utcnow

SESSION_DAYS = 30
LEVELS = ("beginner", "intermediate", "experienced")

# argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when no account matches, so both answers take as long."""
    return _hasher.hash("not a real password")


class EmailTaken(Exception):
    pass


@dataclass(frozen=True)
class InterestInput:
    tag: str
    level: str
    open_to_mentoring: bool = False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def create_person(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    timezone: str = "UTC",
    is_admin: bool = False,
) -> Person:
    email = normalize_email(email)
    if await session.scalar(select(Person.id).where(Person.email == email)) is not None:
        raise EmailTaken(email)
    person = Person(
        email=email,
        password_hash=_hasher.hash(password),
        display_name=display_name.strip(),
        timezone=timezone,
        is_admin=is_admin,
        feed_token=secrets.token_urlsafe(24),
    )
    session.add(person)
    try:
        await session.flush()
    except IntegrityError:
        raise EmailTaken(email) from None
    return person


async def check_password(session: AsyncSession, email: str, password: str) -> Person | None:
    person = await session.scalar(select(Person).where(Person.email == normalize_email(email)))
    try:
        _hasher.verify(person.password_hash if person else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return person


async def set_password(session: AsyncSession, person_id: int, password: str) -> None:
    person = await session.get_one(Person, person_id)
    person.password_hash = _hasher.hash(password)


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    if not 0 < person_id < 2**31:  # beyond PostgreSQL's integer: no such person
        return None
    person = await session.get(Person, person_id)
    # A deleted account's emptied row is kept only so that its id is never reused.
    return person if person is not None and person.deleted_at is None else None


async def person_by_feed_token(session: AsyncSession, token: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.feed_token == token))


async def start_session(session: AsyncSession, person_id: int) -> str:
    """A new signed-in session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=hash_token(token),
            person_id=person_id,
            created_at=now,
            expires_at=now + timedelta(days=SESSION_DAYS),
        )
    )
    return token


async def person_for_token(session: AsyncSession, token: str) -> Person | None:
    row = await session.execute(
        select(Person)
        .join(WebSession, WebSession.person_id == Person.id)
        .where(WebSession.token_hash == hash_token(token), WebSession.expires_at > utcnow())
    )
    return row.scalar_one_or_none()


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))


async def record_failed_sign_in(session: AsyncSession, keys: list[str]) -> None:
    now = utcnow()
    session.add_all(SignInAttempt(key=k, at=now) for k in keys)


async def failed_sign_ins(session: AsyncSession, key: str, since: datetime) -> int:
    count = await session.scalar(
        select(func.count()).where(SignInAttempt.key == key, SignInAttempt.at > since)
    )
    return int(count or 0)


async def forget_failed_sign_ins(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(SignInAttempt).where(SignInAttempt.at < before))


async def interests_of(session: AsyncSession, person_id: int) -> list[Interest]:
    rows = await session.scalars(
        select(Interest).where(Interest.person_id == person_id).order_by(Interest.tag)
    )
    return list(rows)


async def update_profile(
    session: AsyncSession,
    person_id: int,
    *,
    display_name: str,
    bio: str,
    timezone: str,
    interests: list[InterestInput],
) -> Person:
    person = await session.get_one(Person, person_id)
    person.display_name = display_name.strip()
    person.bio = bio.strip()
    person.timezone = timezone
    await session.execute(delete(Interest).where(Interest.person_id == person_id))
    session.add_all(
        Interest(
            person_id=person_id, tag=i.tag, level=i.level, open_to_mentoring=i.open_to_mentoring
        )
        for i in interests
    )
    return person
