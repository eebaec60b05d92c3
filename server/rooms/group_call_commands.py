"""Commands of a breakout group's video call: a signal for one peer, and ICE servers.

The rules (who may signal whom, the SDP's shape) are in `group_calls.py`; what the commands
do on the socket is `live/group_calls.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from server.rooms.command_base import Command, Member, Text
from server.rooms.group_calls import MAX_CANDIDATE_BYTES, MAX_SDP_BYTES


class CandidateIn(BaseModel):
    """A browser's RTCIceCandidateInit, its fields named as the browser names them; an
    empty `candidate` ends the trickle."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    candidate: Annotated[Text, Field(max_length=MAX_CANDIDATE_BYTES)]
    sdpMid: Annotated[Text, Field(max_length=64)] | None = None
    sdpMLineIndex: Annotated[StrictInt, Field(ge=0, le=63)] | None = None
    usernameFragment: Annotated[Text, Field(max_length=256)] | None = None


class SignalIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # `hello`: "I joined the call: offer me" (to a member whose id sorts first), `bye`: hung up.
    type: Literal["hello", "offer", "answer", "candidate", "bye"]
    sdp: Annotated[Text, Field(max_length=MAX_SDP_BYTES)] | None = None
    candidate: CandidateIn | None = None

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> SignalIn:
        wants_sdp = self.type in ("offer", "answer")
        if wants_sdp != (self.sdp is not None):
            raise ValueError("an offer or answer carries sdp, and nothing else does")
        if (self.type == "candidate") != (self.candidate is not None):
            raise ValueError("a candidate carries candidate, and nothing else does")
        return self

    def wire(self) -> dict[str, Any]:
        """The signal as relayed: the fields its type carries."""
        return self.model_dump(exclude_none=True)


class GroupSignal(Command):
    """An offer, answer, ICE candidate or goodbye for one other member of one's group."""

    op: Literal["group.signal"]
    to: Member
    signal: SignalIn


class GroupIceServers(Command):
    op: Literal["group.ice_servers"]
