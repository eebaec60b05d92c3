"""Commands of the stage: media signaling (offers, trickled ICE, leaving) and membership
(invitations, removal, muting).

What they do on the socket is `live/stage.py`; the SFU behind it is `server/media/`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictStr

from server.rooms.command_base import Command, Member

# What a published track is, as the publisher labels each sending media section.
Label = Literal["camera", "microphone", "screen"]
LABEL_KINDS: dict[str, str] = {"camera": "video", "microphone": "audio", "screen": "video"}
Connection = Literal["publish", "watch"]
Mid = Annotated[StrictStr, Field(min_length=1, max_length=32)]


class MediaOffer(Command):
    """An SDP offer: sending sections make it the publish connection, else the watch one."""

    op: Literal["media.offer"]
    # The frame itself is capped at 64 KiB; check_sdp measures the SDP again in bytes.
    sdp: Annotated[StrictStr, Field(min_length=1, max_length=64 * 1024)]
    tracks: Annotated[dict[Mid, Label], Field(max_length=8, default_factory=dict)]
    # The person's breakout group's call through the SFU, instead of the stage.
    group: StrictBool = False


class MediaIce(Command):
    """A trickled ICE candidate for one of the person's connections."""

    op: Literal["media.ice"]
    connection: Connection
    candidate: Annotated[StrictStr, Field(max_length=1024)]
    mid: Mid | None = None
    group: StrictBool = False


class MediaLeave(Command):
    """Close one connection, or both without `connection`."""

    op: Literal["media.leave"]
    connection: Connection | None = None
    group: StrictBool = False


class MediaQuery(Command):
    """`media.ice_servers` (STUN/TURN for this person), `stage.state` (who is on stage), and
    `group.media` (the tracks of one's breakout group's call through the SFU)."""

    op: Literal["media.ice_servers", "stage.state", "group.media"]


class StageOnMember(Command):
    """A host invites, removes or mutes someone (`member`)."""

    op: Literal["stage.invite", "stage.remove", "stage.mute"]
    member: Member


class StageRecord(Command):
    """A host starts or stops recording the stage."""

    op: Literal["stage.record", "stage.record_stop"]


class StageAnswer(Command):
    """The invited person's answer, or a speaker unmuting themselves."""

    op: Literal["stage.accept", "stage.decline", "stage.unmute"]
