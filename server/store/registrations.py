"""Registrations: a person's or a guest's place at an event, going or on the waitlist.

Each change locks the event's row first (see `events.locked_event`), so the seat count and
the queue change in one order even when workers race. Whoever enters, enters at the back of
the queue and `fill_seats` promotes from the front: a newcomer can never pass someone
already waiting, and cancelling then registering again means queuing again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import communities
from server.store.events import (
    CANCELLED,
    GOING,
    WAITLISTED,
    EventRefused,
    fill_seats,
    locked_event,
)
from server.store.tables import Community, Event, Person, Registration, utcnow

ACTIVE = (GOING, WAITLISTED)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Booking:
    """A registration with its event, as its holder sees it."""

    registration: Registration
    event: Event
    community: Community
    waitlist_position: int | None


@dataclass(frozen=True)
class Attendee:
    """A line of the attendee list; only the community's managers may see it (emails)."""

    registration_id: int
    person_id: int | None
    name: str
    email: str
    status: str
    queued_at: datetime


def _check_open(event: Event, now: datetime) -> None:
    if now >= event.series_ends_at:
        raise EventRefused("closed", "Registration has closed: this event has ended.")


async def _queue_time(session: AsyncSession, event_id: int, now: datetime) -> datetime:
    """Strictly after everyone already queued: clocks of several hosts need not agree,
    but the order of the event lock is the order of the queue."""
    last = await session.scalar(
        select(func.max(Registration.queued_at)).where(Registration.event_id == event_id)
    )
    if last is not None and last >= now:
        return last + timedelta(microseconds=1)
    return now


async def _enter_queue(
    session: AsyncSession, event: Event, registration: Registration, now: datetime
) -> Registration:
    registration.status = WAITLISTED
    registration.queued_at = await _queue_time(session, event.id, now)
    await fill_seats(session, event)
    return registration


async def _leave_queue(session: AsyncSession, event: Event, registration: Registration) -> None:
    registration.status = CANCELLED
    await fill_seats(session, event)


async def register_person(
    session: AsyncSession,
    event_id: int,
    person_id: int,
    *,
    now: datetime | None = None,
    invited: bool = False,
) -> Registration:
    """Register; joins an open community on the way. Registering again changes nothing.

    A private event takes only the people its owner registers (`invited`); to anyone else
    it does not exist.
    """
    now = now or utcnow()
    event = await locked_event(session, event_id)
    if event.private and not invited:
        raise EventRefused("not_found", "That event does not exist.")
    _check_open(event, now)
    if await communities.role_of(session, event.community_id, person_id) is None:
        community = await session.get_one(Community, event.community_id)
        if community.join_policy != "open":
            raise EventRefused(
                "not_allowed",
                f"{community.name} is invite-only: join it with an invite link first.",
            )
        await communities.join(session, community.id, person_id)
    registration = await registration_of(session, event_id, person_id)
    if registration is not None and registration.status in ACTIVE:
        return registration
    if registration is None:
        registration = Registration(
            event_id=event_id, person_id=person_id, join_token=secrets.token_urlsafe(24)
        )
        session.add(registration)
    return await _enter_queue(session, event, registration, now)


async def register_guest(
    session: AsyncSession, event_id: int, *, name: str, email: str, now: datetime | None = None
) -> Registration:
    """A guest without an account; the returned `join_token` is their personal link."""
    now = now or utcnow()
    email = email.strip().lower()
    event = await locked_event(session, event_id)
    if event.private:
        raise EventRefused("not_found", "That event does not exist.")
    _check_open(event, now)
    community = await session.get_one(Community, event.community_id)
    if community.join_policy != "open":
        raise EventRefused(
            "not_allowed", f"{community.name} is invite-only: guests cannot register."
        )
    registration = await session.scalar(
        select(Registration).where(
            Registration.event_id == event_id, Registration.guest_email == email
        )
    )
    if registration is not None and registration.status in ACTIVE:
        # Handing the existing link to whoever types the email would give it to anyone.
        raise EventRefused(
            "conflict",
            "This email is registered already: use the personal join link given then.",
            "email",
        )
    if registration is None:
        registration = Registration(event_id=event_id, guest_email=email)
        session.add(registration)
    registration.guest_name = name
    # A fresh token on every registration: a link from a cancelled one stays dead.
    registration.join_token = secrets.token_urlsafe(24)
    return await _enter_queue(session, event, registration, now)


async def cancel_for_person(
    session: AsyncSession, event_id: int, person_id: int, *, now: datetime | None = None
) -> Registration:
    event = await locked_event(session, event_id)
    _check_open(event, now or utcnow())
    registration = await registration_of(session, event_id, person_id)
    if registration is None:
        raise EventRefused("not_found", "You are not registered for this event.")
    if registration.status != CANCELLED:
        await _leave_queue(session, event, registration)
    return registration


async def cancel_by_token(
    session: AsyncSession, token: str, *, now: datetime | None = None
) -> Registration:
    if not _TOKEN.match(token):
        raise EventRefused("not_found", "That join link is not valid.")
    # Only guests use their join link; a member acts through their session.
    event_id = await session.scalar(
        select(Registration.event_id).where(
            Registration.join_token == token, Registration.person_id.is_(None)
        )
    )
    if event_id is None:
        raise EventRefused("not_found", "That join link is not valid.")
    event = await locked_event(session, event_id)
    _check_open(event, now or utcnow())
    # Read again under the lock: the row may have changed since the lookup above.
    registration = (
        await session.execute(
            select(Registration)
            .where(Registration.join_token == token)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    if registration.status != CANCELLED:
        await _leave_queue(session, event, registration)
    return registration


async def registration_of(
    session: AsyncSession, event_id: int, person_id: int
) -> Registration | None:
    return await session.scalar(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.person_id == person_id)
        .execution_options(populate_existing=True)
    )


async def waitlist_position(session: AsyncSession, registration: Registration) -> int | None:
    """1 for the front of the waitlist; None when not waiting."""
    if registration.status != WAITLISTED:
        return None
    ahead = await session.scalar(
        select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == WAITLISTED,
            or_(
                Registration.queued_at < registration.queued_at,
                and_(
                    Registration.queued_at == registration.queued_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


async def queue(session: AsyncSession, event_id: int) -> list[Registration]:
    """Going and waitlisted registrations in queue order."""
    rows = await session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE))
        .order_by(Registration.queued_at, Registration.id)
    )
    return list(rows)


async def _booking(session: AsyncSession, registration: Registration, event: Event) -> Booking:
    community = await session.get_one(Community, event.community_id)
    position = await waitlist_position(session, registration)
    return Booking(registration, event, community, position)


async def registrations_of(session: AsyncSession, person_id: int) -> list[Booking]:
    """The person's going and waitlisted registrations, soonest event first."""
    rows = await session.execute(
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.person_id == person_id, Registration.status.in_(ACTIVE))
        .order_by(Event.starts_at, Event.id)
    )
    return [await _booking(session, r, e) for r, e in rows]


async def booking_by_token(session: AsyncSession, token: str) -> Booking | None:
    if not _TOKEN.match(token):
        return None
    row = (
        await session.execute(
            select(Registration, Event)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.join_token == token, Registration.person_id.is_(None))
        )
    ).first()
    return None if row is None else await _booking(session, row[0], row[1])


async def attendees(session: AsyncSession, event_id: int) -> list[Attendee]:
    """Going first, then the waitlist, each in queue order. For the community's managers."""
    rows = await session.execute(
        select(Registration, Person)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE))
        .order_by(Registration.status, Registration.queued_at, Registration.id)
    )
    return [
        Attendee(
            registration_id=r.id,
            person_id=r.person_id,
            name=p.display_name if p is not None else r.guest_name or "",
            email=p.email if p is not None else r.guest_email or "",
            status=r.status,
            queued_at=r.queued_at,
        )
        for r, p in rows
    ]
