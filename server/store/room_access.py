"""Who may enter an event's room, and with which role.

The event's creator hosts; the community's other owners co-host; its moderators moderate;
the event's speakers speak; people and guests registered as going attend.

A private event (a mentor pair's session) admits the people registered as going and nobody
else, not even the community's owners: its creator hosts, the other speaks (so both may
share a camera and a screen).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.tables import Event, EventSpeaker, Membership, Person, Registration


@dataclass(frozen=True)
class Entry:
    key: str
    person_id: int | None
    name: str
    role: str
    event_id: int
    community_id: int


async def entry_for_person(session: AsyncSession, event_id: int, person_id: int) -> Entry | None:
    event = await session.get(Event, event_id)
    person = await session.get(Person, person_id)
    if event is None or person is None or person.deleted_at is not None:
        return None
    if event.private:
        return await _private_entry(session, event, person)
    community_role = await session.scalar(
        select(Membership.role).where(
            Membership.community_id == event.community_id, Membership.person_id == person_id
        )
    )
    role: str | None = None
    if event.created_by == person_id and community_role in ("owner", "moderator"):
        role = "host"
    elif community_role == "owner":
        role = "co-host"
    elif community_role == "moderator":
        role = "moderator"
    elif await session.get(EventSpeaker, (event_id, person_id)) is not None:
        role = "speaker"
    else:
        status = await session.scalar(
            select(Registration.status).where(
                Registration.event_id == event_id, Registration.person_id == person_id
            )
        )
        role = "attendee" if status == "going" else None
    if role is None:
        return None
    return Entry(f"p{person_id}", person_id, person.display_name, role, event_id,
                 event.community_id)  # fmt: skip


async def _private_entry(session: AsyncSession, event: Event, person: Person) -> Entry | None:
    status = await session.scalar(
        select(Registration.status).where(
            Registration.event_id == event.id, Registration.person_id == person.id
        )
    )
    if status != "going":
        return None
    role = "host" if event.created_by == person.id else "speaker"
    return Entry(f"p{person.id}", person.id, person.display_name, role, event.id,
                 event.community_id)  # fmt: skip


async def entry_of(
    session: AsyncSession, event_id: int, person_id: int | None, guest_registration: int | None
) -> Entry | None:
    """How a visitor (a person, or a guest by registration) enters this event's room."""
    if person_id is not None:
        return await entry_for_person(session, event_id, person_id)
    if guest_registration is None:
        return None
    entry = await entry_for_guest(session, guest_registration)
    return entry if entry is not None and entry.event_id == event_id else None


async def entry_for_guest(session: AsyncSession, registration_id: int) -> Entry | None:
    registration = await session.get(Registration, registration_id)
    if registration is None or registration.person_id is not None:
        return None
    if registration.status != "going":
        return None
    event = await session.get(Event, registration.event_id)
    if event is None:
        return None
    return Entry(f"g{registration.id}", None, registration.guest_name or "Guest", "attendee",
                 event.id, event.community_id)  # fmt: skip


async def guest_by_join_token(session: AsyncSession, token: str) -> Registration | None:
    return await session.scalar(
        select(Registration).where(
            Registration.join_token == token, Registration.person_id.is_(None)
        )
    )
