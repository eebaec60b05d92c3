"""Moderation on the socket: reports, blocks, and what the room's staff do about people.

Who may send each op is in `roles.ALLOWED`; who may be acted on is `moderation.check_target`.
Each act is committed with its audit record before the ack, then reaches every worker
through the room's log: a hub mutes, sends away or lets in on the event itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.live.acting import hub_of, publish, publish_all, speaker
from server.live.frames import ack
from server.live.session import Session
from server.live.worker import LiveWorker
from server.rooms import commands as c
from server.rooms import moderation as rules
from server.rooms.members import email_digest, member_id
from server.store import moderation, reports, room_access, room_door
from server.store.moderation import Target
from server.store.tables import utcnow

REPORTS_PER_MINUTE = 10


async def _target(live: LiveWorker, session: Session, member: str) -> Target:
    """The person a staff member acts on, once the rules say they may."""
    room = hub_of(live, session).room_id
    target = await live.store.read(moderation.target, room, member)
    rules.check_target(session.member_id, session.role, target.member, target.role)
    return target


async def report(live: LiveWorker, session: Session, cmd: c.Report) -> str | None:
    room = hub_of(live, session).room_id
    kind = rules.report_kind(cmd.kind)
    reason = rules.clean_reason(cmd.reason, required=True)
    if await live.over_limit(f"report:{session.visitor.key}", REPORTS_PER_MINUTE, 60):
        raise c.CommandError("rate_limited", "You have sent many reports; wait a minute.",
                             retry_after=60)  # fmt: skip
    person = await live.store.read(moderation.target, room, cmd.member) if cmd.member else None
    about = await live.store.read(reports.subject, room, kind, cmd.id, person)
    report_id, logged = await live.store.write(
        reports.report, session.community_id, room, speaker(session), kind, about, reason
    )
    await publish(live, logged)
    return ack(cmd.ref, id=report_id)


async def on_member(live: LiveWorker, session: Session, cmd: c.OnMember) -> str | None:
    room = hub_of(live, session).room_id
    if cmd.op == "mod.unmute":
        # Undoing is acting on someone too: a muted moderator may not lift their own mute.
        await _target(live, session, cmd.member)
        logged = await live.store.write(
            moderation.unmute, room, session.community_id, speaker(session), cmd.member
        )
        return ack(cmd.ref, seq=await publish(live, logged))
    target = await live.store.read(moderation.target, room, cmd.member)
    change = reports.block if cmd.op == "block" else reports.unblock
    await live.store.write(change, session.visitor.key, target.key)
    return ack(cmd.ref, blocked=await blocked_here(live, session))


async def blocked_here(live: LiveWorker, session: Session) -> list[str]:
    """The member ids, in this room, of the people this person blocked."""
    keys = await live.store.read(reports.blocked, session.visitor.key)
    room = session.room_id or 0
    return sorted(member_id(live.settings.secret_key, room, key) for key in keys)


async def mute(live: LiveWorker, session: Session, cmd: c.ModMute) -> str | None:
    room = hub_of(live, session).room_id
    target = await _target(live, session, cmd.member)
    until = rules.mute_until(utcnow(), cmd.minutes)
    logged = await live.store.write(
        moderation.mute, room, session.community_id, speaker(session), target, until,
        rules.clean_reason(cmd.reason),
    )  # fmt: skip
    return ack(cmd.ref, seq=await publish(live, logged))


async def send_away(live: LiveWorker, session: Session, cmd: c.ModSendAway) -> str | None:
    room = hub_of(live, session).room_id
    target = await _target(live, session, cmd.member)
    who = speaker(session)
    if cmd.op == "mod.remove":
        reason = rules.clean_reason(cmd.reason)
        removed = await live.store.write(
            moderation.remove, room, session.community_id, who, target, reason
        )
        return ack(cmd.ref, seq=await publish_all(live, removed))
    reason = rules.clean_reason(cmd.reason, required=True)
    email = await live.store.read(moderation.email_of, target.key)
    digest = email_digest(live.settings.secret_key, email) if email else None
    sent = await live.store.write(
        moderation.ban, session.community_id, room, who, target, reason, digest
    )
    return ack(cmd.ref, seq=await publish_all(live, sent))


async def unban(live: LiveWorker, session: Session, cmd: c.ModUnban) -> str | None:
    hub_of(live, session)
    await live.store.write(moderation.unban, session.community_id, session.visitor.key, cmd.ban)
    return ack(cmd.ref)


async def door(live: LiveWorker, session: Session, cmd: c.RoomLock | c.RoomWaiting) -> str | None:
    room = hub_of(live, session).room_id
    shut: dict[str, bool] = (
        {"locked": cmd.locked} if isinstance(cmd, c.RoomLock) else {"waiting_room": cmd.enabled}
    )
    logged = await live.store.write(
        lambda s: room_door.set_door(s, room, session.community_id, speaker(session), **shut)
    )
    return ack(cmd.ref, seq=await publish(live, logged))


async def admit(live: LiveWorker, session: Session, cmd: c.DoorAdmit) -> str | None:
    room = hub_of(live, session).room_id
    logged = await live.store.write(
        room_door.admit, room, session.community_id, speaker(session), cmd.member
    )
    return ack(cmd.ref, seq=await publish(live, logged))


async def restore_chat(live: LiveWorker, session: Session, cmd: c.ChatRestore) -> str | None:
    room = hub_of(live, session).room_id
    logged = await live.store.write(
        moderation.restore_chat, room, session.community_id, speaker(session), cmd.id
    )
    return ack(cmd.ref, seq=await publish(live, logged))


async def review(live: LiveWorker, session: Session, cmd: c.ModList) -> str | None:
    room = hub_of(live, session).room_id
    if cmd.op == "mod.deleted":
        return ack(cmd.ref, messages=await live.store.read(moderation.deleted_messages, room))
    found = await live.store.read(reports.queue, session.community_id)
    return ack(cmd.ref, reports=[r.wire() for r in found])


async def resolve(live: LiveWorker, session: Session, cmd: c.ReportResolve) -> str | None:
    hub_of(live, session)
    logged = await live.store.write(
        reports.resolve, session.community_id, speaker(session), cmd.id, cmd.outcome,
        rules.clean_reason(cmd.note),
    )  # fmt: skip
    await publish(live, logged)
    return ack(cmd.ref)


async def accept_guidelines(
    live: LiveWorker, session: Session, cmd: c.GuidelinesAccept
) -> str | None:
    """Accept a community's guidelines as they stand, from its room's door."""
    visitor = session.visitor
    entry = await live.store.read(room_access.entry_of, cmd.room, visitor.person_id,
                                  visitor.guest_registration)  # fmt: skip
    if entry is None:
        raise c.CommandError("forbidden", "Register for this event to join its room.")
    await live.store.write(moderation.accept_guidelines, entry.community_id, entry.key)
    return ack(cmd.ref)


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    c.Report: report,
    c.OnMember: on_member,
    c.ModMute: mute,
    c.ModSendAway: send_away,
    c.ModUnban: unban,
    c.RoomLock: door,
    c.RoomWaiting: door,
    c.DoorAdmit: admit,
    c.ChatRestore: restore_chat,
    c.ModList: review,
    c.ReportResolve: resolve,
    c.GuidelinesAccept: accept_guidelines,
}
