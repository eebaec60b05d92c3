"""Breakout study groups on the socket: plan, seat, open, extend, close, and the help line.

Who may send each op is in `roles.ALLOWED` (hosts run the groups; everyone picks and asks);
what a round allows is decided in the store under the room's lock, so two workers racing on
the same round see one order. The round's clock is checked by `LiveWorker` once a second.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from server.live.acting import hub_of, publish, publish_all, speaker
from server.live.frames import ack
from server.live.session import Session
from server.live.worker import LiveWorker
from server.rooms import breakout_commands as b
from server.rooms import breakouts as rules
from server.rooms import chat
from server.rooms import commands as c
from server.rooms.events import ALL
from server.store import breakouts, group_work, help_requests, rooms, study_groups
from server.store.tables import utcnow

# Randomness for the random, interest and mentor modes; a round's draft is kept as drawn.
_rng = random.SystemRandom()


async def plan(live: LiveWorker, session: Session, cmd: b.BreakoutPlan) -> str | None:
    room = hub_of(live, session).room_id
    mode = rules.mode_of(cmd.mode)
    shape = [rules.Group(g.name.strip(), g.topic or None, g.capacity) for g in cmd.groups]
    logged = await live.store.write(
        breakouts.plan,
        room,
        speaker(session),
        mode,
        shape,
        cmd.minutes,
        random.Random(_rng.random()),
        members_may_keep=cmd.members_may_keep,
    )
    return ack(cmd.ref, seq=await publish(live, logged), round=logged.event["round"]["id"])


async def keep(live: LiveWorker, session: Session, cmd: b.BreakoutKeep) -> str | None:
    room = hub_of(live, session).room_id
    w = cmd.weekly
    meeting = study_groups.weekly(w.first, w.timezone, w.minutes, w.weeks) if w else None
    logged = await live.store.write(
        study_groups.keep, room, speaker(session), cmd.group, cmd.name, meeting
    )
    return ack(cmd.ref, seq=await publish(live, logged), study_group=logged.event["study_group"])


async def seat(live: LiveWorker, session: Session, cmd: b.BreakoutSeat) -> str | None:
    room = hub_of(live, session).room_id
    own = cmd.op == "breakout.choose"
    if own and cmd.member not in (None, session.member_id):
        raise c.CommandError("forbidden", "Pick a group for yourself; hosts move others.")
    if not own and cmd.member is None:
        raise c.CommandError("invalid", "member: who to move", field="member")
    member = session.member_id if own else str(cmd.member)
    logged = await live.store.write(
        breakouts.seat, room, speaker(session), member, cmd.group, own=own
    )
    return ack(cmd.ref, seq=await publish(live, logged))


async def run(live: LiveWorker, session: Session, cmd: b.BreakoutRun) -> str | None:
    room = hub_of(live, session).room_id
    if cmd.op == "breakout.open":
        logged = await live.store.write(
            breakouts.open_groups, room, utcnow(), random.Random(_rng.random())
        )
        return ack(cmd.ref, seq=await publish(live, logged))
    closed = await live.store.write(breakouts.close, room, utcnow(), "host")
    return ack(cmd.ref, seq=await publish_all(live, closed))


async def extend(live: LiveWorker, session: Session, cmd: b.BreakoutExtend) -> str | None:
    room = hub_of(live, session).room_id
    logged = await live.store.write(breakouts.extend, room, utcnow(), cmd.minutes)
    return ack(cmd.ref, seq=await publish(live, logged))


async def broadcast(live: LiveWorker, session: Session, cmd: b.BreakoutBroadcast) -> str | None:
    room = hub_of(live, session).room_id
    body, who = chat.clean_body(cmd.body), speaker(session)
    logged = await live.store.write(
        lambda s: rooms.append(s, room, ALL, "breakout.broadcast", body=body,
                               author={"id": who.member, "name": who.name, "role": who.role})
    )  # fmt: skip
    return ack(cmd.ref, seq=await publish(live, logged))


async def help_call(
    live: LiveWorker, session: Session, cmd: b.HelpAsk | b.HelpWithdraw | b.HelpClaim
) -> str | None:
    room = hub_of(live, session).room_id
    who, now = speaker(session), utcnow()
    if isinstance(cmd, b.HelpAsk):
        logged = await live.store.write(help_requests.ask, room, who, cmd.note, now)
        return ack(cmd.ref, seq=await publish(live, logged), id=logged.event["request"]["id"])
    if isinstance(cmd, b.HelpWithdraw):
        logged = await live.store.write(help_requests.withdraw, room, who, now)
        return ack(cmd.ref, seq=await publish(live, logged))
    claimed = await live.store.write(help_requests.claim, room, who, cmd.id, now)
    return ack(cmd.ref, seq=await publish_all(live, claimed))


async def group_send(live: LiveWorker, session: Session, cmd: b.GroupSend) -> str | None:
    room = hub_of(live, session).room_id
    body, who = chat.clean_body(cmd.body), speaker(session)
    found = await live.store.read(group_work.find_message, room, who, cmd.group, cmd.client_id)
    if found is not None:  # a retry: the first send's answer, nothing new
        return ack(cmd.ref, id=found)
    limit = live.settings.limits.chat_per_10s
    if await live.over_limit(f"chat:{who.key}", limit, 10):
        raise c.CommandError("rate_limited", f"Slow down: at most {limit} messages in 10 seconds.",
                             retry_after=10)  # fmt: skip
    try:
        message_id, logged = await live.store.write(
            group_work.send, room, who, cmd.group, cmd.client_id, body
        )
    except IntegrityError:  # the same client_id raced itself on two sockets
        again = await live.store.read(group_work.find_message, room, who, cmd.group, cmd.client_id)
        if again is None:
            raise
        return ack(cmd.ref, id=again)
    return ack(cmd.ref, id=message_id, seq=await publish(live, logged))


async def group_notes(live: LiveWorker, session: Session, cmd: b.GroupNotes) -> str | None:
    room = hub_of(live, session).room_id
    saved, logged = await live.store.write(
        group_work.save_notes, room, speaker(session), cmd.group, cmd.base, cmd.text
    )
    seq = await publish(live, logged)
    return ack(cmd.ref, version=saved.notes.version, merged=saved.merged, text=saved.notes.text,
               seq=seq)  # fmt: skip


async def group_history(live: LiveWorker, session: Session, cmd: b.GroupHistory) -> str | None:
    room = hub_of(live, session).room_id
    found = await live.store.read(group_work.history, room, session.visitor.key, session.role,
                                  cmd.group)  # fmt: skip
    return ack(cmd.ref, **found)


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    b.BreakoutPlan: plan,
    b.BreakoutKeep: keep,
    b.BreakoutSeat: seat,
    b.BreakoutRun: run,
    b.BreakoutExtend: extend,
    b.BreakoutBroadcast: broadcast,
    b.HelpAsk: help_call,
    b.HelpWithdraw: help_call,
    b.HelpClaim: help_call,
    b.GroupSend: group_send,
    b.GroupNotes: group_notes,
    b.GroupHistory: group_history,
}
