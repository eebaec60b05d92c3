"""What each command does: one table from op to handler.

Every handler runs after the command was parsed, and after the sender's live role was
checked against `roles.ALLOWED`. Durable changes are committed before the ack is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from server.bus import BusUnavailable
from server.live.frames import Wired, ack, encode, events_frame
from server.live.hub import RoomHub
from server.live.session import Session
from server.live.worker import LiveWorker
from server.rooms import chat, hands, qa
from server.rooms import commands as c
from server.rooms import polls as poll_rules
from server.rooms.commands import CommandError
from server.rooms.events import can_see
from server.rooms.members import member_id
from server.rooms.roles import is_staff, may
from server.store import polls, presence, questions, room_access, rooms
from server.store.room_snapshot import snapshot
from server.store.rooms import Speaker

C = TypeVar("C", bound=c.Command)
Handler = Callable[[LiveWorker, Session, Any], Awaitable[str | None]]


# Questions and poll answers per person, across all workers: generous for people, not bots.
QA_PER_10S = 30


def _speaker(session: Session) -> Speaker:
    return Speaker(session.visitor.key, session.member_id, session.name, session.role)


def _hub(live: LiveWorker, session: Session) -> RoomHub:
    hub = live.hubs.get(session.room_id or 0)
    if session.room_id is None or hub is None:
        raise CommandError("not_in_room", "Join a room first.")
    return hub


async def _publish(live: LiveWorker, logged: rooms.Logged | None) -> int | None:
    if logged is None:
        return None
    await live.publish(logged)
    return int(logged.event["seq"])


async def join(live: LiveWorker, session: Session, cmd: c.Join) -> str | None:
    visitor = session.visitor
    if visitor.person_id is not None:
        entry = await live.store.read(room_access.entry_for_person, cmd.room, visitor.person_id)
    else:
        assert visitor.guest_registration is not None
        entry = await live.store.read(room_access.entry_for_guest, visitor.guest_registration)
        if entry is not None and entry.event_id != cmd.room:
            entry = None
    if entry is None:
        raise CommandError("forbidden", "Register for this event to join its room.")
    if session.room_id is not None:
        await leave(live, session, None)
    if not await live.store.read(rooms.room_exists, cmd.room):
        await live.store.write(rooms.ensure_room, cmd.room)
    hub = await live.hub(cmd.room)
    session.member_id = member_id(live.settings.secret_key, cmd.room, entry.key)
    session.name, session.role = entry.name, entry.role
    await live.enter(hub, presence.Arrival(session.member_id, entry.name, entry.role, entry.key))
    session.room_id = cmd.room
    head, _ = await live.store.read(rooms.room_head, cmd.room)
    window = live.settings.limits.resume_window
    if cmd.since is not None and cmd.since <= head and head - cmd.since <= window:
        session.push(ack(cmd.ref, room=cmd.room, seq=head))
        session.since = cmd.since
        await _attach(live, hub, session)
        return None
    snap = await live.store.read_consistent(snapshot, cmd.room, session.member_id, session.role)
    you = {"id": session.member_id, "name": session.name, "role": session.role}
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
    if session.room_id is not None and hub is not None:
        hub.detach(session)
        live.leave(hub, session.member_id)
    session.room_id = None
    return ack(cmd.ref) if cmd else None


async def ping(live: LiveWorker, session: Session, cmd: c.Ping) -> str | None:
    return encode({"type": "pong", "ref": cmd.ref})


async def chat_send(live: LiveWorker, session: Session, cmd: c.ChatSend) -> str | None:
    hub = _hub(live, session)
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
            rooms.send_chat, room, _speaker(session), cmd.client_id, body, cmd.reply_to,
            cmd.to_hosts,
        )  # fmt: skip
    except IntegrityError:  # the same client_id raced itself on two sockets
        found = await live.store.read(rooms.find_chat, room, key, cmd.client_id)
        if found is None:
            raise
        return ack(cmd.ref, id=found.id, seq=found.seq)
    await _publish(live, logged)
    return ack(cmd.ref, id=message.id, seq=message.seq)


async def chat_edit(live: LiveWorker, session: Session, cmd: c.ChatEdit) -> str | None:
    hub = _hub(live, session)
    logged = await live.store.write(
        rooms.edit_chat, hub.room_id, _speaker(session), cmd.id, chat.clean_body(cmd.body)
    )
    return ack(cmd.ref, seq=await _publish(live, logged))


async def chat_delete(live: LiveWorker, session: Session, cmd: c.ChatDelete) -> str | None:
    hub = _hub(live, session)
    logged = await live.store.write(rooms.delete_chat, hub.room_id, _speaker(session), cmd.id)
    return ack(cmd.ref, seq=await _publish(live, logged))


async def chat_history(live: LiveWorker, session: Session, cmd: c.ChatHistory) -> str | None:
    hub = _hub(live, session)
    messages, more = await live.store.read(
        rooms.chat_page, hub.room_id, session.member_id, session.role, cmd.before, cmd.limit
    )
    return ack(cmd.ref, messages=messages, more=more)


async def hand_raise(live: LiveWorker, session: Session, cmd: c.HandRaise) -> str | None:
    hub = _hub(live, session)
    logged = await live.store.write(rooms.raise_hand, hub.room_id, _speaker(session))
    return ack(cmd.ref, seq=await _publish(live, logged))


async def hand_lower(live: LiveWorker, session: Session, cmd: c.HandLower) -> str | None:
    hub = _hub(live, session)
    member = cmd.member or session.member_id
    hands.check_lower(session.member_id, session.role, member)
    logged = await live.store.write(rooms.lower_hand, hub.room_id, _speaker(session), member)
    return ack(cmd.ref, seq=await _publish(live, logged))


async def hand_next(live: LiveWorker, session: Session, cmd: c.HandNext) -> str | None:
    hub = _hub(live, session)
    logged = await live.store.write(rooms.call_next_hand, hub.room_id, _speaker(session))
    return ack(cmd.ref, seq=await _publish(live, logged), member=logged.event["member"])


async def react(live: LiveWorker, session: Session, cmd: c.React) -> str | None:
    hub = _hub(live, session)
    if await live.over_limit(f"react:{session.visitor.key}", 5, 1):
        raise CommandError("rate_limited", "At most 5 reactions a second.", retry_after=1)
    hub.reactions_made.add(cmd.reaction)
    return ack(cmd.ref)


async def slow_mode(live: LiveWorker, session: Session, cmd: c.SlowMode) -> str | None:
    hub = _hub(live, session)
    logged = await live.store.write(rooms.set_slow_mode, hub.room_id, cmd.seconds)
    return ack(cmd.ref, seq=await _publish(live, logged))


async def _publish_all(live: LiveWorker, logged: list[rooms.Logged]) -> int | None:
    for each in logged:
        await live.publish(each)
    return int(logged[-1].event["seq"]) if logged else None


async def _limit_qa(live: LiveWorker, session: Session) -> None:
    if await live.over_limit(f"qa:{session.visitor.key}", QA_PER_10S, 10):
        raise CommandError("rate_limited", f"Slow down: at most {QA_PER_10S} in 10 seconds.",
                           retry_after=10)  # fmt: skip


QA_MOVES: dict[str, Callable[[qa.QaBoard, str, str, int], qa.Change]] = {
    "qa.withdraw": qa.withdraw,
    "qa.vote": qa.vote,
    "qa.unvote": qa.unvote,
    "qa.approve": qa.approve,
    "qa.hide": qa.hide,
    "qa.restore": qa.restore,
    "qa.answering": qa.start_answering,
    "qa.reopen": qa.reopen,
    "qa.dismiss": qa.dismiss,
}


def _qa_rule(session: Session, cmd: c.Command) -> tuple[list[int], questions.Rule]:
    """The questions a command names, and the pure rule it applies to them."""
    m, r = session.member_id, session.role
    match cmd:
        case c.QaAsk():
            return [], lambda b: qa.ask(b, m, r, cmd.body, anonymous=cmd.anonymous,
                                        name=session.name)  # fmt: skip
        case c.QaEdit():
            return [cmd.id], lambda b: qa.edit(b, m, r, cmd.id, cmd.body)
        case c.QaMove():
            move = QA_MOVES[cmd.op]
            return [cmd.id], lambda b: move(b, m, r, cmd.id)
        case c.QaMerge():
            return [cmd.id, cmd.into], lambda b: qa.merge(b, m, r, cmd.id, cmd.into)
        case c.QaAnswered():
            return [cmd.id], lambda b: qa.mark_answered(b, m, r, cmd.id, cmd.text)
        case c.QaConfigure():
            return [], lambda b: qa.configure(
                b, m, r, premoderation=cmd.premoderation,
                hide_authors_from_staff=cmd.hide_authors_from_staff,
            )  # fmt: skip
    raise AssertionError(f"not a Q&A command: {cmd.op}")


async def question(live: LiveWorker, session: Session, cmd: c.Command) -> str | None:
    hub = _hub(live, session)
    await _limit_qa(live, session)
    ids, rule = _qa_rule(session, cmd)
    board, logged = await live.store.write(
        questions.change, hub.room_id, _speaker(session), ids, rule
    )
    seq = await _publish_all(live, logged)
    if isinstance(cmd, c.QaAsk):
        return ack(cmd.ref, id=board.next_id - 1, seq=seq)
    return ack(cmd.ref, seq=seq)


async def poll_create(live: LiveWorker, session: Session, cmd: c.PollCreate) -> str | None:
    hub = _hub(live, session)
    m, r = session.member_id, session.role

    def make(poll_id: int) -> poll_rules.Change:
        return poll_rules.create(
            poll_id, m, r, cmd.kind, cmd.question, cmd.options, correct=cmd.correct,
            anonymous=cmd.anonymous, changeable=cmd.changeable,
        )  # fmt: skip

    poll, logged = await live.store.write(polls.create, hub.room_id, _speaker(session), make)
    return ack(cmd.ref, id=poll.id, seq=await _publish_all(live, logged))


POLL_MOVES: dict[str, Callable[[poll_rules.Poll, str, str], poll_rules.Change]] = {
    "poll.launch": poll_rules.launch,
    "poll.close": poll_rules.close,
    "poll.reveal": poll_rules.reveal,
}


async def poll_move(live: LiveWorker, session: Session, cmd: c.PollMove) -> str | None:
    hub = _hub(live, session)
    move = POLL_MOVES[cmd.op]
    _, logged = await live.store.write(
        polls.change, hub.room_id, _speaker(session), cmd.id,
        lambda p: move(p, session.member_id, session.role),
    )  # fmt: skip
    return ack(cmd.ref, seq=await _publish_all(live, logged))


async def poll_answer(live: LiveWorker, session: Session, cmd: c.PollAnswer) -> str | None:
    hub = _hub(live, session)
    await _limit_qa(live, session)
    value = frozenset(cmd.answer) if isinstance(cmd.answer, list) else cmd.answer
    m, r = session.member_id, session.role
    poll, logged = await live.store.write(
        polls.change, hub.room_id, _speaker(session), cmd.id,
        lambda p: poll_rules.answer(p, m, r, value),
    )  # fmt: skip
    mine = poll_rules.wire_answer(poll.answers[m])
    return ack(cmd.ref, seq=await _publish_all(live, logged), mine=mine)


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
        (c.QaAsk, c.QaEdit, c.QaMove, c.QaMerge, c.QaAnswered, c.QaConfigure), question
    ),
    c.PollCreate: poll_create,
    c.PollMove: poll_move,
    c.PollAnswer: poll_answer,
}
assert set(HANDLERS) == set(c.MODELS.values()), "every command has a handler"


def dispatcher(live: LiveWorker) -> Callable[[Session, c.Command], Awaitable[str | None]]:
    async def handle(session: Session, command: c.Command) -> str | None:
        if not may(session.role, command.op):
            raise CommandError("forbidden", "Your role in this room does not allow that.")
        return await HANDLERS[type(command)](live, session, command)

    return handle
