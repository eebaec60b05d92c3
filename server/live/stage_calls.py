"""What a room's stage does when asked, wherever it runs.

Every stage op of the room socket becomes one call: an op, who asks (`Caller`) and its
arguments, all plain JSON so that it can cross the bus. The web worker checks what only it
knows (the roles table, rate limits, who is in the room) and logs the room events; the rules
of the stage itself (who may publish, who is on it, which SDP and candidates it takes) are
applied here, next to the media, so they hold alike in the web process on the embedded default
and on a media node with Redis.

SDP is checked by `server.media.sdp` before aiortc sees it, and anything aiortc raises becomes
a `CommandError`: the socket gets an error frame and no traceback is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from aiortc.sdp import candidate_from_sdp

from server.live.stage_media import RoomStage, Stages, label_error, sending_mids
from server.media.sdp import SdpError, check_candidate, check_sdp
from server.rooms.commands import CommandError
from server.rooms.roles import HOSTS, STAGE

log = logging.getLogger(__name__)

Args = dict[str, Any]
Reply = dict[str, Any]


@dataclass(frozen=True)
class Caller:
    """Who asks: one socket (`owner`, unique across workers) of one person in the room."""

    owner: str
    member: str
    name: str
    role: str

    def wire(self) -> dict[str, str]:
        return asdict(self)


async def perform(stages: Stages, room_id: int, op: str, caller: Caller, args: Args) -> Reply:
    """Run one call on the room's stage (or, with `group` in `args`, on that breakout
    group's call); a refusal raises `CommandError`."""
    if args.get("group") is not None:
        return await _in_group(stages, room_id, op, caller, args)
    run = OPS.get(op)
    if run is None:
        raise CommandError("invalid", f"the stage has no op {op[:32]!r}")
    try:
        return await run(stages, stages.of(room_id), caller, args)
    finally:
        stages.forget_if_empty(room_id)


async def _in_group(stages: Stages, room_id: int, op: str, caller: Caller, args: Args) -> Reply:
    """A breakout group's call: `members` (from the web worker's store) may publish and
    watch each other; nobody else may do anything but leave."""
    run = GROUP_OPS.get(op)
    if run is None:
        raise CommandError("invalid", f"a group's call has no op {op[:32]!r}")
    call = stages.group(room_id, int(args["group"]), [str(m) for m in args.get("members", [])])
    if caller.member not in call.members and op != "leave":
        raise CommandError("forbidden", "A group's video is for the people seated in it.")
    try:
        return await run(stages, call, caller, args)
    finally:
        stages.forget_if_empty(room_id)


# --- media ----------------------------------------------------------------------------------


async def offer(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    return await _answer(stage, caller, args, lambda: stage.may_publish(caller.member,
                                                                         caller.role))  # fmt: skip


async def group_offer(stages: Stages, call: RoomStage, caller: Caller, args: Args) -> Reply:
    for other in stages.of_room(call.room_id):  # one group call at a time per socket
        if other.group is not None and other is not call:
            await other.leave(caller.owner)
    return await _answer(call, caller, args, lambda: True, but=caller.member)


async def _answer(
    stage: RoomStage, caller: Caller, args: Args, may_send: Callable[[], bool], but: str = ""
) -> Reply:
    try:
        checked = check_sdp(str(args["sdp"]), role="publisher")
    except SdpError as exc:
        raise CommandError("invalid", f"sdp: {exc.message}", field="sdp") from None
    sending = sending_mids(checked)
    labels = {str(k): str(v) for k, v in dict(args.get("tracks") or {}).items()}
    if sending and not may_send():
        raise CommandError("forbidden", "Only people on the stage may send media; a host can "
                           "invite you.")  # fmt: skip
    if sending and (problem := label_error(sending, labels)):
        raise CommandError("invalid", problem, field="tracks")
    try:
        if sending:
            answer = await stage.publish(caller.owner, caller.member, caller.name, checked,
                                         labels)  # fmt: skip
            return {"connection": "publish", "sdp": answer, "tracks": {}}
        answer, carried = await stage.watch(caller.owner, checked, but)
        return {"connection": "watch", "sdp": answer, "tracks": carried}
    except SdpError as exc:
        raise CommandError("invalid", f"sdp: {exc.message}", field="sdp") from None
    except Exception as exc:  # aiortc, past every check: an error frame, not a traceback
        log.info("media offer failed: %r", exc)
        raise CommandError("invalid", "sdp: the offer could not be applied", field="sdp") from None


async def ice(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    which = str(args["connection"])
    pc = stage.connection(caller.owner, which)
    if pc is None:
        raise CommandError("not_found", f"No {which} connection: send an offer first.")
    text = str(args["candidate"]).removeprefix("a=").removeprefix("candidate:")
    if not text:
        return {}  # the end of the client's candidates: nothing to do
    try:
        candidate = candidate_from_sdp(text)
        check_candidate(candidate)
        candidate.sdpMid = args.get("mid")
        await pc.addIceCandidate(candidate)
    except SdpError as exc:
        raise CommandError("invalid", exc.message, field="candidate") from None
    except Exception:  # the candidate is client text, parsed by aioice: refuse, don't crash
        raise CommandError("invalid", "candidate: not an ICE candidate",
                           field="candidate") from None  # fmt: skip
    return {}


async def leave(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    """Close a socket's connection (or both) on the stage, or in the room's group calls (its
    group may have changed since it joined one). A socket leaving the room (no connection
    named, on the stage) leaves everything."""
    which = args.get("connection")
    everything = stage.group is None and which is None
    for each in stages.of_room(stage.room_id):
        if everything or (each.group is None) == (stage.group is None):
            await each.leave(caller.owner, which)
    return {}


async def state(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    return stages.view(stage)


# --- who is on the stage ----------------------------------------------------------------------


async def invite(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    if stage.may_publish(str(args["member"]), str(args["role"])):
        raise CommandError("conflict", "That person is on the stage already.")
    stage.invite(str(args["member"]))
    return {}


def _not_a_host(args: Args) -> tuple[str, str]:
    """The member a host acts on, and their role: hosts themselves cannot be acted on."""
    if str(args["role"]) in HOSTS:
        raise CommandError("forbidden", "Hosts run the stage; they cannot be removed or muted.")
    return str(args["member"]), str(args["role"])


async def remove(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    member, role = _not_a_host(args)
    if role not in STAGE and member not in stage.guests | stage.invited:
        raise CommandError("conflict", "That person is not on the stage.")
    await stage.remove(member)
    return {}


async def mute(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    member, role = _not_a_host(args)
    if not stage.may_publish(member, role):
        raise CommandError("conflict", "That person is not on the stage.")
    if member in stage.muted:
        raise CommandError("conflict", "That microphone is muted already.")
    stage.set_muted(member, True)
    return {}


async def unmute(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    if caller.member not in stage.muted:
        raise CommandError("conflict", "Your microphone is not muted.")
    stage.set_muted(caller.member, False)
    return {}


async def answer_invitation(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    if caller.member not in stage.invited:
        raise CommandError("conflict", "There is no invitation to the stage to answer.")
    stage.answer_invitation(caller.member, accept=bool(args["accept"]))
    return {}


# --- recording --------------------------------------------------------------------------------


async def record(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    name = await stages.recordings.start(stage, int(args["event"]), caller.name)
    stage.changed(stage)  # everyone's stage.state says whether it records
    return {"recording": name}


async def record_stop(stages: Stages, stage: RoomStage, caller: Caller, args: Args) -> Reply:
    files = await stages.recordings.stop(stage.room_id)
    stage.changed(stage)
    return {"files": files}


Op = Callable[[Stages, RoomStage, Caller, Args], Awaitable[Reply]]

GROUP_OPS: dict[str, Op] = {"offer": group_offer, "ice": ice, "leave": leave, "state": state}

OPS: dict[str, Op] = {
    "offer": offer,
    "ice": ice,
    "leave": leave,
    "state": state,
    "invite": invite,
    "remove": remove,
    "mute": mute,
    "unmute": unmute,
    "answer": answer_invitation,
    "record": record,
    "record_stop": record_stop,
}
