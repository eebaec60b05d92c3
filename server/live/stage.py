"""The stage on the socket: media signaling, and who is on the stage.

Everyone in a room may watch. Whether an offer may send is decided on every offer, from the
sender's live role (host, co-host, speaker) and the stage's invitations, never from what the
client says it is. This module checks what only the web worker knows (that the person is in
the room, rate limits) and logs the room events; the stage's own rules run where its media
runs (`server.live.stage_calls`), in this process or on the room's media node.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from server.live.acting import hub_of, publish
from server.live.frames import ack
from server.live.session import Session
from server.live.stage_calls import Caller, Reply
from server.live.stage_media import seen_by
from server.live.worker import LiveWorker
from server.media.ice import MAX_TURN_TTL_S, ice_servers_for
from server.rooms import commands as c
from server.rooms import stage_commands as s
from server.rooms.commands import CommandError
from server.rooms.events import ALL, staff_and
from server.rooms.moderation import muted_error
from server.store import group_calls, presence, rooms
from server.store.tables import utcnow

log = logging.getLogger(__name__)

# Trickled candidates per person: a browser sends a handful per connection.
ICE_PER_10S = 100


def caller(session: Session) -> Caller:
    return Caller(session.socket_id, session.member_id, session.name, session.role)


async def call(live: LiveWorker, session: Session, op: str, **args: Any) -> Reply:
    """One op on the stage of the session's room, wherever it runs."""
    hub = hub_of(live, session)
    return await live.media.call(hub.room_id, op, caller(session), args)


async def _limit(live: LiveWorker, session: Session, what: str, limit: int) -> None:
    if await live.over_limit(f"{what}:{session.visitor.key}", limit, 10):
        raise CommandError("rate_limited", f"Slow down: at most {limit} of those in 10 seconds.",
                           retry_after=10)  # fmt: skip


async def in_group(live: LiveWorker, session: Session, leaving: bool = False) -> dict[str, Any]:
    """The arguments that make a call one of the person's breakout group's call: the group
    and who sits in it, from the store. Leaving works whatever the seat."""
    hub = hub_of(live, session)
    found = await live.store.read(group_calls.call_group, hub.room_id, session.visitor.key)
    if found is None:
        if leaving:
            return {"group": 0, "members": []}
        raise CommandError("forbidden", "Video calls are for people in a running breakout group.")
    return {"group": found[0], "members": found[1]}


async def offer(live: LiveWorker, session: Session, cmd: s.MediaOffer) -> str | None:
    hub = hub_of(live, session)
    await _limit(live, session, "media.offer", live.settings.limits.media_offers_per_10s)
    group = await in_group(live, session) if cmd.group else {}
    now = utcnow()
    if cmd.group and cmd.tracks and (until := hub.muted_until(session.member_id, now)):
        raise muted_error(until, now)  # a call is speaking; watching the others still works
    session.offered_media = True
    reply = await call(live, session, "offer", sdp=cmd.sdp, tracks=dict(cmd.tracks), **group)
    return ack(cmd.ref, **reply)


async def ice(live: LiveWorker, session: Session, cmd: s.MediaIce) -> str | None:
    hub_of(live, session)
    await _limit(live, session, "media.ice", ICE_PER_10S)
    group = await in_group(live, session) if cmd.group else {}
    await call(live, session, "ice", connection=cmd.connection, candidate=cmd.candidate,
               mid=cmd.mid, **group)  # fmt: skip
    return ack(cmd.ref)


async def leave_media(live: LiveWorker, session: Session, cmd: s.MediaLeave) -> str | None:
    group = await in_group(live, session, leaving=True) if cmd.group else {}
    await call(live, session, "leave", connection=cmd.connection, **group)
    return ack(cmd.ref)


async def query(live: LiveWorker, session: Session, cmd: s.MediaQuery) -> str | None:
    hub_of(live, session)  # members of a room only: TURN credentials are for its people
    if cmd.op == "stage.state":
        view = await call(live, session, "state")
        return ack(cmd.ref, **seen_by(view, session.member_id, session.role))
    if cmd.op == "group.media":
        view = await call(live, session, "state", **await in_group(live, session))
        return ack(cmd.ref, group=view["group"], tracks=view["tracks"], epoch=view["epoch"])
    servers = ice_servers_for(live.settings.ice_servers, live.settings.turn_secret,
                              session.member_id, now=time.time())  # fmt: skip
    return ack(cmd.ref, ice_servers=servers, expires_in=MAX_TURN_TTL_S)


async def _log(live: LiveWorker, room: int, audience: str, kind: str, **fields: Any) -> int | None:
    logged = await live.store.write(lambda db: rooms.append(db, room, audience, kind, **fields))
    return await publish(live, logged)


async def on_member(live: LiveWorker, session: Session, cmd: s.StageOnMember) -> str | None:
    hub = hub_of(live, session)
    # Whoever is in the room, on any worker: the store's presence.
    present = {p["id"]: p for p in await live.store.read(presence.people, hub.room_id)}
    target = present.get(cmd.member)
    if cmd.op == "stage.invite" and target is None:
        raise CommandError("not_found", "That person is not in the room.")
    role = str(target["role"]) if target is not None else ""
    by = session.member_id
    if cmd.op == "stage.invite":
        assert target is not None
        await call(live, session, "invite", member=cmd.member, role=role)
        seq = await _log(live, hub.room_id, staff_and(cmd.member), "stage.invited",
                         member=cmd.member, name=target["name"], by=by)  # fmt: skip
    elif cmd.op == "stage.remove":
        await call(live, session, "remove", member=cmd.member, role=role)
        seq = await _log(live, hub.room_id, ALL, "stage.removed", member=cmd.member, by=by)
    else:
        await call(live, session, "mute", member=cmd.member, role=role)
        seq = await _log(live, hub.room_id, ALL, "stage.muted", member=cmd.member, by=by)
    return ack(cmd.ref, seq=seq)


async def answer(live: LiveWorker, session: Session, cmd: s.StageAnswer) -> str | None:
    hub = hub_of(live, session)
    me = session.member_id
    if cmd.op == "stage.unmute":
        await call(live, session, "unmute")
        return ack(cmd.ref, seq=await _log(live, hub.room_id, ALL, "stage.unmuted", member=me))
    await call(live, session, "answer", accept=cmd.op == "stage.accept")
    if cmd.op == "stage.decline":
        seq = await _log(live, hub.room_id, staff_and(me), "stage.declined", member=me)
        return ack(cmd.ref, seq=seq)
    seq = await _log(live, hub.room_id, ALL, "stage.joined", member=me, name=session.name)
    return ack(cmd.ref, seq=seq)


async def drop(live: LiveWorker, session: Session) -> None:
    """The session left its room or closed: its connections close, its tracks end."""
    if not session.offered_media or session.room_id is None or session.room_id not in live.hubs:
        return
    try:
        await call(live, session, "leave")
    except CommandError as err:  # a media node that does not answer closes them on ICE failure
        log.info("room %s: connections not closed at once: %s", session.room_id, err.message)


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    s.MediaOffer: offer,
    s.MediaIce: ice,
    s.MediaLeave: leave_media,
    s.MediaQuery: query,
    s.StageOnMember: on_member,
    s.StageAnswer: answer,
}
