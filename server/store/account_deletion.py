"""Deleting an account: afterwards no row carries the person's name or email.

What they wrote stays where others read it (chat, questions, poll answers, reports they
filed), shown as from a deleted account. Rows that only served them go (interests, sessions,
memberships, registrations, blocks they made, guidelines accepted, failed sign-ins). Rows
that hold only their key stay: the audit log (append-only; the key is its pseudonymous id)
and bans, which also keep a digest of the email, so a ban still holds against a new account.

The `people` row itself stays, emptied, with `deleted_at` set: its id lives on in those keys,
and SQLite would give a freed highest id to the next sign-up, who would inherit them.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.deleted_accounts import DELETED_NAME, forget, forget_report
from server.rooms.events import staff_and
from server.store import accounts, mentorship_data, room_door, rooms
from server.store.breakout_tables import (
    BreakoutMessage,
    BreakoutSeat,
    HelpRequest,
    StudyGroupMember,
)
from server.store.events import fill_seats, locked_event
from server.store.moderation_tables import Block, GuidelinesAccepted, Report, Waiting
from server.store.personal_data import member_ids, person_key, rows_of_members, sign_in_key
from server.store.room_tables import ChatMessage, PollAnswer, Question, RoomEvent, RoomPresence
from server.store.rooms import Logged
from server.store.tables import (
    AgendaItem,
    Community,
    Event,
    EventSpeaker,
    Interest,
    Membership,
    Person,
    Registration,
    SignInAttempt,
    WebSession,
    utcnow,
)

GONE_REASON = "This account was deleted."


class WrongPassword(Exception):
    pass


class OwnsCommunities(Exception):
    """The person is the only owner of these communities: they must pass them on first."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


@dataclass(frozen=True)
class Deleted:
    key: str
    logged: list[Logged]  # room events to publish: their sockets sent away, the door's list


async def sole_owner_of(session: AsyncSession, person_id: int) -> list[Community]:
    """Communities this person owns with no other owner, by name."""
    owned = select(Membership.community_id).where(
        Membership.person_id == person_id, Membership.role == "owner"
    )
    others = (
        select(Membership.community_id)
        .where(Membership.role == "owner", Membership.person_id != person_id)
        .scalar_subquery()
    )
    query = (
        select(Community)
        .where(Community.id.in_(owned), Community.id.not_in(others))
        .order_by(Community.name)
    )
    return list(await session.scalars(query))


async def delete_account(
    session: AsyncSession, person_id: int, password: str, secret: str
) -> Deleted:
    """Check the password, then delete the account in this one transaction."""
    person = await session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise WrongPassword()
    if await accounts.check_password(session, person.email, password) is None:
        raise WrongPassword()
    owned = await sole_owner_of(session, person_id)
    if owned:
        raise OwnsCommunities([c.name for c in owned])
    key = person_key(person_id)
    members = await member_ids(session, secret, key)
    await _leave_events(session, person_id)
    await _forget_names(session, key, members)
    await mentorship_data.forget(session, person_id)
    logged = await _send_away(session, key)
    await _forget_room_logs(session, key, members)
    for by_id in (
        Interest.person_id,
        WebSession.person_id,
        Membership.person_id,
        EventSpeaker.person_id,
        StudyGroupMember.person_id,
    ):
        await session.execute(delete(by_id.class_).where(by_id == person_id))
    for by_key in (Block.person_key, GuidelinesAccepted.person_key):
        await session.execute(delete(by_key.class_).where(by_key == key))
    await session.execute(
        delete(SignInAttempt).where(SignInAttempt.key == sign_in_key(person.email))
    )
    await session.execute(
        update(Event).where(Event.created_by == person_id).values(created_by=None)
    )
    person.email = f"deleted:{person_id}"  # no sign-up email has this shape: it matches no one
    person.display_name, person.bio, person.timezone = DELETED_NAME, "", "UTC"
    person.password_hash = ""  # matches no password
    person.is_admin = False
    person.feed_token = secrets.token_urlsafe(24)  # the old calendar feed link stops working
    person.deleted_at = utcnow()
    return Deleted(key, logged)


async def _leave_events(session: AsyncSession, person_id: int) -> None:
    """Their places go; a seat freed at an event still open goes to the waitlist's front."""
    registrations = list(
        await session.scalars(
            select(Registration)
            .where(Registration.person_id == person_id)
            .order_by(Registration.event_id)  # lock events in one order: no deadlock
        )
    )
    now = utcnow()
    for registration in registrations:
        event = await locked_event(session, registration.event_id)
        await session.delete(registration)
        await session.flush()
        if now < event.series_ends_at:
            await fill_seats(session, event)
        else:
            going = select(func.count()).where(
                Registration.event_id == event.id, Registration.status == "going"
            )
            event.going_count = int(await session.scalar(going) or 0)
    mine = str(person_id)
    items = await session.scalars(select(AgendaItem).where(AgendaItem.speaker_ids.contains(mine)))
    for item in items:
        ids = [p for p in item.speaker_ids.split(",") if p and p != mine]
        item.speaker_ids = ",".join(ids)


async def _forget_names(session: AsyncSession, key: str, members: dict[str, int]) -> None:
    """Every copy of the display name kept beside their key goes, the rows themselves stay."""
    for table, name, column in (
        (ChatMessage, ChatMessage.author_name, ChatMessage.author_key),
        (Question, Question.author_name, Question.author_key),
        (RoomPresence, RoomPresence.name, RoomPresence.person_key),
        (Waiting, Waiting.name, Waiting.person_key),
        (BreakoutSeat, BreakoutSeat.name, BreakoutSeat.person_key),
        (HelpRequest, HelpRequest.name, HelpRequest.person_key),
        (BreakoutMessage, BreakoutMessage.author_name, BreakoutMessage.author_key),
        (Report, Report.subject_name, Report.subject_key),
    ):
        await session.execute(update(table).where(column == key).values({name: DELETED_NAME}))
    # A report of the name itself quotes the name as its excerpt.
    await session.execute(
        update(Report)
        .where(Report.subject_key == key, Report.kind == "name")
        .values(excerpt=DELETED_NAME)
    )
    for answer in await rows_of_members(session, PollAnswer, members):
        answer.name = DELETED_NAME


async def _send_away(session: AsyncSession, key: str) -> list[Logged]:
    """Close their sockets in every room (the same event a removal makes), and take them off
    every waiting list, which the staff see change."""
    logged: list[Logged] = []
    waiting = await session.execute(
        select(Waiting.room_id).where(Waiting.person_key == key, Waiting.admitted_at.is_(None))
    )
    for (room_id,) in sorted(waiting):
        stopped = await room_door.stop_waiting(session, room_id, key)
        if stopped is not None:
            logged.append(stopped)
    await session.execute(delete(Waiting).where(Waiting.person_key == key))
    places = await session.execute(
        select(RoomPresence.room_id, RoomPresence.member)
        .where(RoomPresence.person_key == key)
        .distinct()
    )
    for room_id, member in sorted(places):
        logged.append(
            await rooms.append(
                session,
                room_id,
                staff_and(member),
                "member.removed",
                member=member,
                reason=GONE_REASON,
            )
        )
    return logged


async def _forget_room_logs(session: AsyncSession, key: str, members: dict[str, int]) -> None:
    """Rewrite the logged events that name them, so a resuming client gets no name either.
    An event names a member by their member id in its room: look for that text only."""
    for member, room_id in members.items():
        found = await session.scalars(
            select(RoomEvent).where(RoomEvent.room_id == room_id, RoomEvent.body.contains(member))
        )
        for row in found:
            fixed = forget(json.loads(row.body), frozenset({member}))
            if fixed is not None:
                row.body = json.dumps(fixed)
    reports = await session.execute(
        select(Report.room_id, Report.id).where(
            Report.subject_key == key, Report.room_id.is_not(None)
        )
    )
    by_room: dict[int, set[int]] = {}
    for room, report_id in reports:
        if room is not None:
            by_room.setdefault(room, set()).add(report_id)
    for room, ids in by_room.items():
        found = await session.scalars(
            select(RoomEvent).where(
                RoomEvent.room_id == room, RoomEvent.body.contains('"report.filed"')
            )
        )
        for row in found:
            fixed = forget_report(json.loads(row.body), frozenset(ids))
            if fixed is not None:
                row.body = json.dumps(fixed)
