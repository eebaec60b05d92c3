"""Moderation in the store: mutes, removals, bans and who may come in.

Every moderator or host action here writes exactly one audit record in the same transaction
as the action, so the log can neither miss an action nor record one that did not happen.
Room events that the live side acts on (a mute, a removal, a ban, an admission) go through
the room's log like any other, so every worker learns of them in order and within a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.commands import CommandError
from server.rooms.events import staff_and, stamp
from server.rooms.members import email_digest
from server.store import questions, room_access, room_door, rooms
from server.store.audit_record import audit
from server.store.moderation_tables import Ban, GuidelinesAccepted, Mute, Waiting
from server.store.room_tables import ChatMessage, Question, RoomPresence
from server.store.rooms import Logged, Speaker
from server.store.tables import Community, Event, Person, Registration, utcnow


@dataclass(frozen=True)
class Target:
    """The person a moderator acts on, as the room knows them."""

    key: str
    member: str
    name: str
    role: str


async def community_of(session: AsyncSession, room_id: int) -> int:
    found = await session.scalar(select(Event.community_id).where(Event.id == room_id))
    if found is None:
        raise CommandError("not_found", "That room does not exist.")
    return int(found)


async def target(session: AsyncSession, room_id: int, member: str) -> Target:
    """Who a member id names in this room: someone present, or who wrote or asked here."""
    for query in (
        select(RoomPresence.person_key, RoomPresence.name, RoomPresence.role).where(
            RoomPresence.room_id == room_id,
            RoomPresence.member == member,
            RoomPresence.person_key != "",
        ),
        select(ChatMessage.author_key, ChatMessage.author_name, ChatMessage.author_role).where(
            ChatMessage.room_id == room_id, ChatMessage.author_member == member
        ),
        # Questions keep no role: `_role_now` finds the asker's.
        select(Question.author_key, Question.author_name, literal("attendee")).where(
            Question.room_id == room_id, Question.author_member == member
        ),
        # Someone at the door, whom the staff see in `door.waiting` before anyone else does.
        select(Waiting.person_key, Waiting.name, literal("attendee")).where(
            Waiting.room_id == room_id, Waiting.member == member
        ),
    ):
        row = (await session.execute(query.limit(1))).first()
        if row is not None:
            key = str(row[0])
            return Target(key, member, str(row[1]), await _role_now(session, room_id, key,
                                                                     str(row[2])))  # fmt: skip
    raise CommandError("not_found", "member: no such person in this room", field="member")


async def _role_now(session: AsyncSession, room_id: int, key: str, recorded: str) -> str:
    """The person's role in the room as the community stands now.

    What a message or a question recorded may be stale (a question records no role at all),
    and a rank read from it would let a moderator ban an owner who asked and left. Someone
    who may no longer enter keeps the role they were recorded with.
    """
    if key[:1] == "p" and key[1:].isdigit():
        entry = await room_access.entry_for_person(session, room_id, int(key[1:]))
        if entry is not None:
            return entry.role
    return recorded


# --- mutes -----------------------------------------------------------------------------


async def mute(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, target: Target,
    until: datetime, reason: str,
) -> Logged:  # fmt: skip
    row = await session.get(Mute, (room_id, target.key))
    if row is None:
        session.add(Mute(room_id=room_id, person_key=target.key, member=target.member,
                         until=until, reason=reason, by_key=who.key))  # fmt: skip
    else:
        row.until, row.reason, row.by_key = until, reason, who.key
    await audit(session, community_id, room_id, who.key, "mute", target.key, reason,
                until=stamp(until))  # fmt: skip
    return await rooms.append(session, room_id, staff_and(target.member), "member.muted",
                              member=target.member, until=stamp(until), reason=reason)  # fmt: skip


async def unmute(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, member: str
) -> Logged:
    row = await session.scalar(select(Mute).where(Mute.room_id == room_id, Mute.member == member))
    if row is None or row.until <= utcnow():
        raise CommandError("conflict", "This person is not muted.", field="member")
    await session.delete(row)
    await audit(session, community_id, room_id, who.key, "unmute", row.person_key)
    return await rooms.append(session, room_id, staff_and(member), "member.unmuted", member=member)


async def mutes(session: AsyncSession, room_id: int) -> dict[str, datetime]:
    """The room's mutes still running: member -> until."""
    rows = await session.execute(
        select(Mute.member, Mute.until).where(Mute.room_id == room_id, Mute.until > utcnow())
    )
    return {m: u for m, u in rows}


# --- removal and bans ------------------------------------------------------------------


async def remove(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, target: Target,
    reason: str,
) -> list[Logged]:  # fmt: skip
    """Send someone out of the room; they may come back (through the door, if it is shut).

    The events: the door's list when they were waiting at it, then `member.removed`."""
    logged = await room_door.forget_admission(session, room_id, target.key)
    await audit(session, community_id, room_id, who.key, "remove", target.key, reason)
    return [*logged, await rooms.append(session, room_id, staff_and(target.member),
                                        "member.removed", member=target.member,
                                        reason=reason)]  # fmt: skip


async def ban(
    session: AsyncSession, community_id: int, room_id: int, who: Speaker, target: Target,
    reason: str, email_digest: str | None,
) -> list[Logged]:  # fmt: skip
    """Keep someone out of the community, and send them out of every room they are in."""
    if await banned(session, community_id, target.key):
        raise CommandError("conflict", "This person is already banned.", field="member")
    session.add(Ban(community_id=community_id, person_key=target.key, email_digest=email_digest,
                    reason=reason, by_key=who.key, created_at=utcnow()))  # fmt: skip
    await audit(session, community_id, room_id, who.key, "ban", target.key, reason)
    present = select(RoomPresence.room_id, RoomPresence.member).where(
        RoomPresence.person_key == target.key
    )
    at_door = select(Waiting.room_id, Waiting.member).where(
        Waiting.person_key == target.key, Waiting.admitted_at.is_(None)
    )
    where = {room_id: target.member}
    for rooms_of in (present, at_door):  # the rooms they are in, or wait to enter
        found = await session.execute(
            rooms_of.join(Event, Event.id == rooms_of.selected_columns[0])
            .where(Event.community_id == community_id)
        )  # fmt: skip
        where |= {r: m for r, m in found}
    logged = []
    for room, member in sorted(where.items()):
        logged += await room_door.forget_admission(session, room, target.key)
        logged.append(await rooms.append(session, room, staff_and(member), "member.banned",
                                         member=member, reason=reason))  # fmt: skip
    return logged


async def unban(session: AsyncSession, community_id: int, actor_key: str, ban_id: int) -> None:
    row = await session.get(Ban, ban_id)
    if row is None or row.community_id != community_id or row.lifted_at is not None:
        raise CommandError("not_found", "No such ban in force.", field="ban")
    row.lifted_at, row.lifted_by_key = utcnow(), actor_key
    await audit(session, community_id, None, actor_key, "unban", row.person_key, ban=ban_id)


async def banned(
    session: AsyncSession, community_id: int, key: str, email_digest: str | None = None
) -> bool:
    in_force = select(Ban.id).where(Ban.community_id == community_id, Ban.lifted_at.is_(None))
    who = Ban.person_key == key
    if email_digest:
        who = who | (Ban.email_digest == email_digest)
    return await session.scalar(in_force.where(who).limit(1)) is not None


# --- coming in ------------------------------------------------------------------------


async def email_of(session: AsyncSession, key: str) -> str | None:
    """The email behind a person's key (an account's, or a guest registration's)."""
    kind, number = key[:1], int(key[1:]) if key[1:].isdigit() else 0
    if kind == "p":
        person = await session.get(Person, number)
        return person.email if person else None
    registration = await session.get(Registration, number)
    return registration.guest_email if registration else None


async def may_enter(
    session: AsyncSession, community_id: int, room_id: int, key: str, secret: str, staff: bool
) -> str:
    """Whether someone comes in: "ok", "banned", "guidelines", "room_locked" or "wait"."""
    email = await email_of(session, key)
    if await banned(session, community_id, key, email_digest(secret, email) if email else None):
        return "banned"
    if staff:
        return "ok"
    if await guidelines_to_accept(session, community_id, key) is not None:
        return "guidelines"
    locked, waiting_room = await room_door.door(session, room_id)
    if not (locked or waiting_room) or await room_door.admitted(session, room_id, key):
        return "ok"
    return "room_locked" if locked else "wait"


# --- guidelines ------------------------------------------------------------------------


async def guidelines_to_accept(session: AsyncSession, community_id: int, key: str) -> str | None:
    """The community's guidelines when this person has not accepted them as they stand."""
    community = await session.get(Community, community_id)
    if community is None or not community.guidelines.strip():
        return None
    accepted = await session.get(GuidelinesAccepted, (community_id, key))
    if accepted is not None and accepted.accepted_at >= community.guidelines_updated_at:
        return None
    return community.guidelines


async def accept_guidelines(session: AsyncSession, community_id: int, key: str) -> None:
    row = await session.get(GuidelinesAccepted, (community_id, key))
    if row is None:
        session.add(GuidelinesAccepted(community_id=community_id, person_key=key))
    else:
        row.accepted_at = utcnow()


# --- what moderators undo --------------------------------------------------------------


async def restore_chat(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, message_id: int
) -> Logged:
    message = await session.get(ChatMessage, message_id)
    if message is None or message.room_id != room_id or message.deleted_at is None:
        raise CommandError("not_found", "id: no deleted message of that id", field="id")
    if not message.body:
        raise CommandError("not_found", "id: that message was purged after 30 days", field="id")
    message.deleted_at = message.deleted_by = None
    await audit(session, community_id, room_id, who.key, "restore_message", message.author_key,
                message=message_id)  # fmt: skip
    return await rooms.append(session, room_id, rooms.audience_of(message), "chat.restored",
                              message=rooms.message_view(message))  # fmt: skip


async def deleted_messages(session: AsyncSession, room_id: int) -> list[dict[str, Any]]:
    """Messages deleted here and not yet purged, newest first, for moderators to review."""
    rows = await session.scalars(
        select(ChatMessage)
        .where(
            ChatMessage.room_id == room_id,
            ChatMessage.deleted_at.is_not(None),
            ChatMessage.body != "",
        )
        .order_by(ChatMessage.deleted_at.desc())
        .limit(100)
    )
    return [{**rooms.message_view(m), "deleted_at": stamp(m.deleted_at)} for m in rows
            if m.deleted_at is not None]  # fmt: skip


async def purge_deleted(session: AsyncSession, before: datetime) -> int:
    """Empty messages deleted before then: kept for moderators for a while, then gone."""
    done = await session.execute(
        update(ChatMessage)
        .where(ChatMessage.deleted_at.is_not(None), ChatMessage.deleted_at < before,
               ChatMessage.body != "")
        .values(body="")
    )  # fmt: skip
    return int(getattr(done, "rowcount", 0) or 0)


async def delete_message(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, message_id: int
) -> Logged | None:
    """Delete a chat message; when staff delete someone else's, that is audited."""
    message = await session.get(ChatMessage, message_id)
    logged = await rooms.delete_chat(session, room_id, who, message_id)
    if logged is not None and message is not None and message.author_key != who.key:
        await audit(session, community_id, room_id, who.key, "delete_message",
                    message.author_key, message=message_id)  # fmt: skip
    return logged


async def slow_mode(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, seconds: int
) -> Logged:
    await audit(session, community_id, room_id, who.key, "slow_mode", seconds=seconds)
    return await rooms.set_slow_mode(session, room_id, seconds)


async def moderate_questions(
    session: AsyncSession, room_id: int, community_id: int, who: Speaker, action: str,
    question_id: int, rule: questions.Rule, ids: list[int],
) -> tuple[int, list[Logged]]:  # fmt: skip
    """A screening move (hide, restore) applied and audited; the next question id with it."""
    board, logged = await questions.change(session, room_id, who, ids, rule)
    author = await session.scalar(
        select(Question.author_key).where(Question.room_id == room_id, Question.id == question_id)
    )
    await audit(session, community_id, room_id, who.key, action, author, question=question_id)
    return board.next_id, logged
