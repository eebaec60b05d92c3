"""What each command does: one table from op to handler.

Every handler runs after the command was parsed, and after the sender's live role was
checked against `roles.ALLOWED`. Durable changes are committed before the ack is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from server.bus import BusUnavailable
from server.live import breakouts as breakout_groups
from server.live import group_calls as group_video
from server.live import moderation as moderating
from server.live import qa_polls, stage_recording
from server.live import stage as stage_media
from server.live.acting import hub_of, publish, speaker
from server.live.frames import Wired, ack, encode, events_frame
from server.live.hub import RoomHub
from server.live.session import Session
from server.live.worker import LiveWorker
from server.rooms import chat, hands
from server.rooms import commands as c
from server.rooms import moderation as rules
from server.rooms.commands import CommandError
from server.rooms.events import can_see, stamp
from server.rooms.members import member_id
from server.rooms.roles import is_staff, may
from server.store import moderation, presence, room_access, room_door, rooms
from server.store.room_snapshot import snapshot
from server.store.tables import utcnow

C = TypeVar("C", bound=c.Command)
Handler = Callable[[LiveWorker, Session, Any], Awaitable[str | None]]


async def join(live: LiveWorker, session: Session, cmd: c.Join) -> str | None:
    visitor = session.visitor
    entry = await live.store.read(room_access.entry_of, cmd.room, visitor.person_id,
                                  visitor.guest_registration)  # fmt: skip
    if entry is None:
        raise CommandError("forbidden", "Register for this event to join its room.")
    if session.room_id is not None or session.waiting_in is not None:
        await leave(live, session, None)
    if not await live.store.read(rooms.room_exists, cmd.room):
        await live.store.write(rooms.ensure_room, cmd.room)
    verdict = await live.store.read(moderation.may_enter, entry.community_id, cmd.room, entry.key,
                                    live.settings.secret_key, is_staff(entry.role))  # fmt: skip
    if verdict in REFUSALS:
        raise CommandError(verdict, REFUSALS[verdict])
    hub = await live.hub(cmd.room)
    session.member_id = member_id(live.settings.secret_key, cmd.room, entry.key)
    session.name, session.role = entry.name, entry.role
    session.community_id = entry.community_id
    if verdict == "wait":
        session.waiting_in = cmd.room
        hub.waiting.setdefault(session.member_id, set()).add(session)
        logged = await live.store.write(room_door.wait, cmd.room, entry.key, session.member_id,
                                        entry.name)  # fmt: skip
        await publish(live, logged)
        return ack(cmd.ref, room=cmd.room, waiting=True)
    await live.enter(hub, presence.Arrival(session.member_id, entry.name, entry.role, entry.key))
    session.room_id = cmd.room
    head, _ = await live.store.read(rooms.room_head, cmd.room)
    window = live.settings.limits.resume_window
    if cmd.since is not None and cmd.since <= head and head - cmd.since <= window:
        session.push(ack(cmd.ref, room=cmd.room, seq=head))
        session.since = cmd.since
        await _attach(live, hub, session)
        return None
    snap = await live.store.read_consistent(snapshot, cmd.room, session.member_id, session.role,
                                            entry.key)  # fmt: skip
    until = hub.muted_until(session.member_id, utcnow())
    you = {"id": session.member_id, "name": session.name, "role": session.role,
           "muted_until": stamp(until) if until else None}  # fmt: skip
    snap["blocked"] = await moderating.blocked_here(live, session)
    session.push(ack(cmd.ref, room=cmd.room, seq=snap["seq"]))
    session.push(encode({"type": "snapshot", "room": cmd.room, "stale": cmd.since is not None,
                         "you": you, **snap}))  # fmt: skip
    session.since = snap["seq"]
    await _attach(live, hub, session)
    return None


async def _attach(live: LiveWorker, hub: RoomHub, session: Session) -> None:
    """Hand the session to the hub, first sending from the store what memory lacks."""
    while not hub.attach(session):
        missed = await live.store.read(rooms.events_since, hub.room_id, session.since)
        texts = [Wired(int(m.event["seq"]), m.audience, m.event).text for m in missed
                 if can_see(m.audience, session.member_id, session.role)]  # fmt: skip
        if texts:
            session.push(events_frame(hub.room_id, texts))
        if missed:
            session.since = int(missed[-1].event["seq"])


async def leave(live: LiveWorker, session: Session, cmd: c.Leave | None) -> str | None:
    hub = live.hubs.get(session.room_id or 0)
    await stage_media.drop(live, session)
    if session.room_id is not None and hub is not None:
        hub.detach(session)
        live.leave(hub, session.member_id)
    session.room_id = None
    if session.waiting_in is not None:
        await _stop_waiting(live, session, session.waiting_in)
        session.waiting_in = None
    return ack(cmd.ref) if cmd else None


async def _stop_waiting(live: LiveWorker, session: Session, room: int) -> None:
    hub = live.hubs.get(room)
    held = hub.waiting.get(session.member_id, set()) if hub else set()
    held.discard(session)
    if held:
        return  # another tab of theirs still waits here
    if hub is not None:
        hub.waiting.pop(session.member_id, None)
    logged = await live.store.write(room_door.stop_waiting, room, session.visitor.key)
    await publish(live, logged)


# Why someone may not come in, as the error says it.
REFUSALS = {
    "banned": "You are banned from this community.",
    "guidelines": "Accept the community's guidelines to join its rooms.",
    "room_locked": "This room is locked: no one new can join now.",
}


async def ping(live: LiveWorker, session: Session, cmd: c.Ping) -> str | None:
    return encode({"type": "pong", "ref": cmd.ref})


async def chat_send(live: LiveWorker, session: Session, cmd: c.ChatSend) -> str | None:
    hub = hub_of(live, session)
    room, key = hub.room_id, session.visitor.key
    body = chat.clean_body(cmd.body)
    found = await live.store.read(rooms.find_chat, room, key, cmd.client_id)
    if found is not None:  # a retry: the first send's answer again, nothing new
        return ack(cmd.ref, id=found.id, seq=found.seq)
    limit = live.settings.limits.chat_per_10s
    if await live.over_limit(f"chat:{key}", limit, 10):
        raise CommandError("rate_limited",
                           f"Slow down: at most {limit} messages in 10 seconds.",
                           retry_after=10)  # fmt: skip
    if hub.slow_mode and not is_staff(session.role):
        try:
            first = await live.bus.set(f"slow:{room}:{key}", b"1", hub.slow_mode, True)
        except BusUnavailable:
            first = True
        if not first:
            raise CommandError("slow_mode", f"Slow mode: one message every {hub.slow_mode} s.",
                               retry_after=hub.slow_mode)  # fmt: skip
    try:
        message, logged = await live.store.write(
            rooms.send_chat, room, speaker(session), cmd.client_id, body, cmd.reply_to,
            cmd.to_hosts,
        )  # fmt: skip
    except IntegrityError:  # the same client_id raced itself on two sockets
        found = await live.store.read(rooms.find_chat, room, key, cmd.client_id)
        if found is None:
            raise
        return ack(cmd.ref, id=found.id, seq=found.seq)
    await publish(live, logged)
    return ack(cmd.ref, id=message.id, seq=message.seq)


async def chat_edit(live: LiveWorker, session: Session, cmd: c.ChatEdit) -> str | None:
    hub = hub_of(live, session)
    logged = await live.store.write(
        rooms.edit_chat, hub.room_id, speaker(session), cmd.id, chat.clean_body(cmd.body)
    )
    return ack(cmd.ref, seq=await publish(live, logged))


async def chat_delete(live: LiveWorker, session: Session, cmd: c.ChatDelete) -> str | None:
    hub = hub_of(live, session)
    logged = await live.store.write(
        moderation.delete_message, hub.room_id, session.community_id, speaker(session), cmd.id
    )
    return ack(cmd.ref, seq=await publish(live, logged))


async def chat_history(live: LiveWorker, session: Session, cmd: c.ChatHistory) -> str | None:
    hub = hub_of(live, session)
    messages, more = await live.store.read(
        rooms.chat_page, hub.room_id, session.member_id, session.role, cmd.before, cmd.limit
    )
    return ack(cmd.ref, messages=messages, more=more)


async def hand_raise(live: LiveWorker, session: Session, cmd: c.HandRaise) -> str | None:
    hub = hub_of(live, session)
    logged = await live.store.write(rooms.raise_hand, hub.room_id, speaker(session))
    return ack(cmd.ref, seq=await publish(live, logged))


async def hand_lower(live: LiveWorker, session: Session, cmd: c.HandLower) -> str | None:
    hub = hub_of(live, session)
    member = cmd.member or session.member_id
    hands.check_lower(session.member_id, session.role, member)
    logged = await live.store.write(rooms.lower_hand, hub.room_id, speaker(session), member)
    return ack(cmd.ref, seq=await publish(live, logged))


async def hand_next(live: LiveWorker, session: Session, cmd: c.HandNext) -> str | None:
    hub = hub_of(live, session)
    logged = await live.store.write(rooms.call_next_hand, hub.room_id, speaker(session))
    return ack(cmd.ref, seq=await publish(live, logged), member=logged.event["member"])


async def react(live: LiveWorker, session: Session, cmd: c.React) -> str | None:
    hub = hub_of(live, session)
    if await live.over_limit(f"react:{session.visitor.key}", 5, 1):
        raise CommandError("rate_limited", "At most 5 reactions a second.", retry_after=1)
    hub.reactions_made.add(cmd.reaction)
    return ack(cmd.ref)


async def slow_mode(live: LiveWorker, session: Session, cmd: c.SlowMode) -> str | None:
    hub = hub_of(live, session)
    logged = await live.store.write(
        moderation.slow_mode, hub.room_id, session.community_id, speaker(session), cmd.seconds
    )
    return ack(cmd.ref, seq=await publish(live, logged))


HANDLERS: dict[type[c.Command], Handler] = {
    c.Join: join,
    c.Leave: leave,
    c.Ping: ping,
    c.ChatSend: chat_send,
    c.ChatEdit: chat_edit,
    c.ChatDelete: chat_delete,
    c.ChatHistory: chat_history,
    c.HandRaise: hand_raise,
    c.HandLower: hand_lower,
    c.HandNext: hand_next,
    c.React: react,
    c.SlowMode: slow_mode,
    **dict.fromkeys(
        (c.QaAsk, c.QaEdit, c.QaMove, c.QaMerge, c.QaAnswered, c.QaConfigure), qa_polls.question
    ),
    c.PollCreate: qa_polls.poll_create,
    c.PollMove: qa_polls.poll_move,
    c.PollAnswer: qa_polls.poll_answer,
    **moderating.HANDLERS,
    **breakout_groups.HANDLERS,
    **group_video.HANDLERS,
    **stage_media.HANDLERS,
    **stage_recording.HANDLERS,
}
assert set(HANDLERS) == set(c.MODELS.values()), "every command has a handler"


def dispatcher(live: LiveWorker) -> Callable[[Session, c.Command], Awaitable[str | None]]:
    async def handle(session: Session, command: c.Command) -> str | None:
        if not may(session.role, command.op):
            raise CommandError("forbidden", "Your role in this room does not allow that.")
        if command.op in rules.SILENCED and session.room_id is not None:
            hub = live.hubs.get(session.room_id)
            now = utcnow()
            until = hub.muted_until(session.member_id, now) if hub else None
            if until is not None:
                raise rules.muted_error(until, now)
        return await HANDLERS[type(command)](live, session, command)

    return handle
