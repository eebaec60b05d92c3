"""Commands from clients: parsing a frame into a typed command, or saying what is wrong.

Two kinds of failure, as the protocol says: `ProtocolError` closes the socket with a code;
`CommandError` is answered with an error frame and the socket stays open. Both, and the
field types, live in `command_base.py`; breakout commands in `breakout_commands.py`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, ValidationError

from server.rooms.breakout_commands import (
    BreakoutBroadcast,
    BreakoutExtend,
    BreakoutKeep,
    BreakoutPlan,
    BreakoutRun,
    BreakoutSeat,
    GroupHistory,
    GroupNotes,
    GroupSend,
    HelpAsk,
    HelpClaim,
    HelpWithdraw,
)
from server.rooms.command_base import CLOSE_GOING_AWAY as CLOSE_GOING_AWAY
from server.rooms.command_base import CLOSE_NOT_JSON as CLOSE_NOT_JSON
from server.rooms.command_base import CLOSE_POLICY as CLOSE_POLICY
from server.rooms.command_base import CLOSE_SLOW_CLIENT as CLOSE_SLOW_CLIENT
from server.rooms.command_base import CLOSE_TOO_BIG as CLOSE_TOO_BIG
from server.rooms.command_base import Command as Command
from server.rooms.command_base import CommandError as CommandError
from server.rooms.command_base import Id as Id
from server.rooms.command_base import Member as Member
from server.rooms.command_base import ProtocolError as ProtocolError
from server.rooms.command_base import Text as Text
from server.rooms.group_call_commands import GroupIceServers, GroupSignal
from server.rooms.reactions import REACTIONS
from server.rooms.roles import ALLOWED
from server.rooms.stage_commands import (
    MediaIce,
    MediaLeave,
    MediaOffer,
    MediaQuery,
    StageAnswer,
    StageOnMember,
    StageRecord,
)


class Join(Command):
    op: Literal["join"]
    room: Id
    since: Annotated[StrictInt, Field(ge=0, le=2**53)] | None = None


class Leave(Command):
    op: Literal["leave"]


class Ping(Command):
    op: Literal["ping"]


class ChatSend(Command):
    op: Literal["chat.send"]
    client_id: Annotated[Text, Field(min_length=1, max_length=64)]
    body: Annotated[Text, Field(max_length=4000)]
    reply_to: Id | None = None
    to_hosts: StrictBool = False


class ChatEdit(Command):
    op: Literal["chat.edit"]
    id: Id
    body: Annotated[Text, Field(max_length=4000)]


class ChatDelete(Command):
    op: Literal["chat.delete"]
    id: Id


class ChatHistory(Command):
    op: Literal["chat.history"]
    before: Id
    limit: Annotated[StrictInt, Field(ge=1, le=100)] = 50


class HandRaise(Command):
    op: Literal["hand.raise"]


class HandLower(Command):
    op: Literal["hand.lower"]
    member: Member | None = None


class HandNext(Command):
    op: Literal["hand.next"]


class React(Command):
    op: Literal["react"]
    reaction: StrictStr


class SlowMode(Command):
    op: Literal["room.slow_mode"]
    seconds: Annotated[StrictInt, Field(ge=0, le=300)]


class QaAsk(Command):
    op: Literal["qa.ask"]
    body: Annotated[Text, Field(max_length=4000)]
    anonymous: StrictBool = False


class QaEdit(Command):
    op: Literal["qa.edit"]
    id: Id
    body: Annotated[Text, Field(max_length=4000)]


class QaMove(Command):
    """One question moved by id: withdraw, vote, screening and the stage's moves."""

    op: Literal[
        "qa.withdraw", "qa.vote", "qa.unvote", "qa.approve", "qa.hide", "qa.restore",
        "qa.answering", "qa.reopen", "qa.dismiss",
    ]  # fmt: skip
    id: Id


class QaMerge(Command):
    op: Literal["qa.merge"]
    id: Id
    into: Id


class QaAnswered(Command):
    op: Literal["qa.answered"]
    id: Id
    text: Annotated[Text, Field(max_length=8000)] | None = None


class QaConfigure(Command):
    op: Literal["qa.configure"]
    premoderation: StrictBool
    hide_authors_from_staff: StrictBool = False


class PollCreate(Command):
    op: Literal["poll.create"]
    kind: Annotated[StrictStr, Field(max_length=20)]
    question: Annotated[Text, Field(max_length=1000)]
    options: Annotated[list[Annotated[Text, Field(max_length=400)]], Field(max_length=20)] = Field(
        default_factory=list
    )
    correct: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    anonymous: StrictBool = False
    changeable: StrictBool = False


class PollMove(Command):
    op: Literal["poll.launch", "poll.close", "poll.reveal"]
    id: Id


class PollAnswer(Command):
    op: Literal["poll.answer"]
    id: Id
    answer: (
        Annotated[StrictInt, Field(ge=0, le=100)]
        | Annotated[list[Annotated[StrictInt, Field(ge=0, le=100)]], Field(max_length=20)]
        | Annotated[Text, Field(max_length=400)]
    )


Reason = Annotated[Text, Field(max_length=2000)]


class Report(Command):
    op: Literal["report"]
    kind: Annotated[StrictStr, Field(max_length=20)]
    id: Id | None = None
    member: Member | None = None
    reason: Reason


class OnMember(Command):
    """Block, unblock and unmute: one person, by member id."""

    op: Literal["block", "unblock", "mod.unmute"]
    member: Member


class ModMute(Command):
    op: Literal["mod.mute"]
    member: Member
    minutes: Annotated[StrictInt, Field(ge=1, le=1440)]
    reason: Reason = ""


class ModSendAway(Command):
    """Remove from the room, or ban from the community (a ban needs a reason)."""

    op: Literal["mod.remove", "mod.ban"]
    member: Member
    reason: Reason = ""


class ModUnban(Command):
    op: Literal["mod.unban"]
    ban: Id


class RoomLock(Command):
    op: Literal["room.lock"]
    locked: StrictBool


class RoomWaiting(Command):
    op: Literal["room.waiting_room"]
    enabled: StrictBool


class DoorAdmit(Command):
    """Let one waiting person in, or everyone waiting when `member` is absent."""

    op: Literal["door.admit"]
    member: Member | None = None


class ChatRestore(Command):
    op: Literal["chat.restore"]
    id: Id


class ModList(Command):
    """What moderators review: open reports, deleted messages."""

    op: Literal["mod.reports", "mod.deleted"]


class ReportResolve(Command):
    op: Literal["report.resolve"]
    id: Id
    outcome: Annotated[StrictStr, Field(max_length=20)]
    note: Reason = ""


class GuidelinesAccept(Command):
    op: Literal["guidelines.accept"]
    room: Id


MODELS: dict[str, type[Command]] = {
    op: m
    for m in (
        Join, Leave, Ping, ChatSend, ChatEdit, ChatDelete, ChatHistory,
        HandRaise, HandLower, HandNext, React, SlowMode,
        QaAsk, QaEdit, QaMove, QaMerge, QaAnswered, QaConfigure, PollCreate, PollMove, PollAnswer,
        Report, OnMember, ModMute, ModSendAway, ModUnban, RoomLock, RoomWaiting, DoorAdmit,
        ChatRestore, ModList, ReportResolve, GuidelinesAccept,
        BreakoutPlan, BreakoutKeep, BreakoutSeat, BreakoutRun, BreakoutExtend, BreakoutBroadcast,
        HelpAsk, HelpWithdraw, HelpClaim, GroupSend, GroupNotes, GroupHistory,
        GroupSignal, GroupIceServers,
        MediaOffer, MediaIce, MediaLeave, MediaQuery, StageOnMember, StageAnswer, StageRecord,
    )
    for op in m.model_fields["op"].annotation.__args__  # type: ignore[union-attr]
}  # fmt: skip
assert set(MODELS) == set(ALLOWED), "every op has a model and a permission"


def decode(text: str) -> dict[str, Any]:
    """A frame's JSON object with a known op and a ref; anything else is a protocol error."""
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError(CLOSE_NOT_JSON, "not JSON") from None
    if not isinstance(frame, dict):
        raise ProtocolError(CLOSE_POLICY, "a command is a JSON object")
    op = frame.get("op")
    if not isinstance(op, str) or op not in MODELS:
        raise ProtocolError(CLOSE_POLICY, "unknown op")
    ref = frame.get("ref")
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise ProtocolError(CLOSE_POLICY, "missing ref")
    if isinstance(ref, str) and len(ref) > 64:
        raise ProtocolError(CLOSE_POLICY, "ref too long")
    return frame


def parse(frame: dict[str, Any]) -> Command:
    """The typed command of a decoded frame; a bad field is a CommandError naming it."""
    try:
        command = MODELS[frame["op"]].model_validate(frame)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise CommandError("invalid", f"{field}: {err['msg']}", field=field) from None
    if isinstance(command, React) and command.reaction not in REACTIONS:
        raise CommandError("invalid", f"reaction: one of {', '.join(REACTIONS)}", field="reaction")
    return command
