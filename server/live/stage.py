"""The stage on the socket: media signaling, and who is on the stage.

Everyone in a room may watch. Whether an offer may send is decided on every offer, from the
sender's live role (host, co-host, speaker) and the stage's invitations, never from what the
client says it is. SDP is checked by `server.media.sdp` before aiortc sees it, and anything
aiortc raises becomes an error frame: the socket stays open and no traceback is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc.sdp import candidate_from_sdp

from server.live.acting import hub_of, publish
from server.live.frames import ack
from server.live.hub import RoomHub
from server.live.session import Session
from server.live.stage_media import RoomStage, label_error, sending_mids
from server.live.worker import LiveWorker
from server.media.ice import MAX_TURN_TTL_S, ice_servers_for
from server.media.sdp import SdpError, check_candidate, check_sdp
from server.rooms import commands as c
from server.rooms import stage_commands as s
from server.rooms.commands import CommandError
from server.rooms.events import ALL, staff_and
from server.rooms.roles import HOSTS, STAGE
from server.store import rooms

log = logging.getLogger(__name__)


def _stage(live: LiveWorker, session: Session) -> tuple[RoomHub, RoomStage]:
    hub = hub_of(live, session)
    return hub, live.stages.of(hub.room_id)


# Trickled candidates per person: a browser sends a handful per connection.
ICE_PER_10S = 100


async def _limit(live: LiveWorker, session: Session, what: str, limit: int) -> None:
    if await live.over_limit(f"{what}:{session.visitor.key}", limit, 10):
        raise CommandError("rate_limited", f"Slow down: at most {limit} of those in 10 seconds.",
                           retry_after=10)  # fmt: skip


async def offer(live: LiveWorker, session: Session, cmd: s.MediaOffer) -> str | None:
    _, stage = _stage(live, session)
    await _limit(live, session, "media.offer", live.settings.limits.media_offers_per_10s)
    try:
        checked = check_sdp(cmd.sdp, role="publisher")
    except SdpError as exc:
        raise CommandError("invalid", f"sdp: {exc.message}", field="sdp") from None
    sending = sending_mids(checked)
    labels: dict[str, str] = dict(cmd.tracks)
    if sending and not stage.may_publish(session.member_id, session.role):
        raise CommandError("forbidden", "Only people on the stage may send media; a host can "
                           "invite you.")  # fmt: skip
    if sending and (problem := label_error(sending, labels)):
        raise CommandError("invalid", problem, field="tracks")
    try:
        if sending:
            answer = await stage.publish(session, session.member_id, session.name, checked,
                                         labels)  # fmt: skip
            return ack(cmd.ref, connection="publish", sdp=answer, tracks={})
        answer, carried = await stage.watch(session, checked)
        return ack(cmd.ref, connection="watch", sdp=answer, tracks=carried)
    except SdpError as exc:
        raise CommandError("invalid", f"sdp: {exc.message}", field="sdp") from None
    except CommandError:
        raise
    except Exception as exc:  # aiortc, past every check: an error frame, not a traceback
        log.info("media offer failed: %r", exc)
        raise CommandError("invalid", "sdp: the offer could not be applied", field="sdp") from None


async def ice(live: LiveWorker, session: Session, cmd: s.MediaIce) -> str | None:
    _, stage = _stage(live, session)
    await _limit(live, session, "media.ice", ICE_PER_10S)
    pc = stage.connection(session, cmd.connection)
    if pc is None:
        raise CommandError("not_found", f"No {cmd.connection} connection: send an offer first.")
    text = cmd.candidate.removeprefix("a=").removeprefix("candidate:")
    if not text:
        return ack(cmd.ref)  # the end of the client's candidates: nothing to do
    try:
        candidate = candidate_from_sdp(text)
        check_candidate(candidate)
        candidate.sdpMid = cmd.mid
        await pc.addIceCandidate(candidate)
    except SdpError as exc:
        raise CommandError("invalid", exc.message, field="candidate") from None
    except Exception:  # the candidate is client text, parsed by aioice: refuse, don't crash
        raise CommandError("invalid", "candidate: not an ICE candidate",
                           field="candidate") from None  # fmt: skip
    return ack(cmd.ref)


async def leave_media(live: LiveWorker, session: Session, cmd: s.MediaLeave) -> str | None:
    _, stage = _stage(live, session)
    await stage.leave(session, cmd.connection)
    return ack(cmd.ref)


async def query(live: LiveWorker, session: Session, cmd: s.MediaQuery) -> str | None:
    _, stage = _stage(live, session)
    if cmd.op == "stage.state":
        return ack(cmd.ref, **live.stage_view(stage, session.member_id, session.role))
    # Members of a room only (hub_of): TURN credentials are minted for the room's people.
    servers = ice_servers_for(live.settings.ice_servers, live.settings.turn_secret,
                              session.member_id, now=time.time())  # fmt: skip
    return ack(cmd.ref, ice_servers=servers, expires_in=MAX_TURN_TTL_S)


async def _log(live: LiveWorker, room: int, audience: str, kind: str, **fields: Any) -> int | None:
    logged = await live.store.write(lambda db: rooms.append(db, room, audience, kind, **fields))
    return await publish(live, logged)


async def on_member(live: LiveWorker, session: Session, cmd: s.StageOnMember) -> str | None:
    hub, stage = _stage(live, session)
    target = hub.info.get(cmd.member)
    role = target.role if target is not None else None
    by = session.member_id
    if cmd.op == "stage.invite":
        if target is None or hub.local.get(cmd.member, 0) <= 0:
            raise CommandError("not_found", "That person is not in the room.")
        if stage.may_publish(cmd.member, target.role):
            raise CommandError("conflict", "That person is on the stage already.")
        stage.invite(cmd.member)
        seq = await _log(live, hub.room_id, staff_and(cmd.member), "stage.invited",
                         member=cmd.member, name=target.name, by=by)  # fmt: skip
        return ack(cmd.ref, seq=seq)
    if role in HOSTS:
        raise CommandError("forbidden", "Hosts run the stage; they cannot be removed or muted.")
    if cmd.op == "stage.remove":
        if role not in STAGE and cmd.member not in stage.guests | stage.invited:
            raise CommandError("conflict", "That person is not on the stage.")
        await stage.remove(cmd.member)
        seq = await _log(live, hub.room_id, ALL, "stage.removed", member=cmd.member, by=by)
        return ack(cmd.ref, seq=seq)
    if not stage.may_publish(cmd.member, role or ""):
        raise CommandError("conflict", "That person is not on the stage.")
    if cmd.member in stage.muted:
        raise CommandError("conflict", "That microphone is muted already.")
    stage.set_muted(cmd.member, True)
    seq = await _log(live, hub.room_id, ALL, "stage.muted", member=cmd.member, by=by)
    return ack(cmd.ref, seq=seq)


async def answer(live: LiveWorker, session: Session, cmd: s.StageAnswer) -> str | None:
    hub, stage = _stage(live, session)
    me = session.member_id
    if cmd.op == "stage.unmute":
        if me not in stage.muted:
            raise CommandError("conflict", "Your microphone is not muted.")
        stage.set_muted(me, False)
        return ack(cmd.ref, seq=await _log(live, hub.room_id, ALL, "stage.unmuted", member=me))
    if me not in stage.invited:
        raise CommandError("conflict", "There is no invitation to the stage to answer.")
    stage.answer_invitation(me, accept=cmd.op == "stage.accept")
    if cmd.op == "stage.decline":
        seq = await _log(live, hub.room_id, staff_and(me), "stage.declined", member=me)
        return ack(cmd.ref, seq=seq)
    seq = await _log(live, hub.room_id, ALL, "stage.joined", member=me, name=session.name)
    return ack(cmd.ref, seq=seq)


async def drop(live: LiveWorker, session: Session) -> None:
    """The session left its room or closed: its connections close, its tracks end."""
    stage = live.stages.rooms.get(session.room_id or 0)
    if stage is not None:
        await stage.leave(session)
        if stage.empty:
            del live.stages.rooms[stage.room_id]


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    s.MediaOffer: offer,
    s.MediaIce: ice,
    s.MediaLeave: leave_media,
    s.MediaQuery: query,
    s.StageOnMember: on_member,
    s.StageAnswer: answer,
}
