"""Commands of breakout study groups: planning, seating, the clock, help, a group's work.

Their rules are in `breakouts.py`, `breakout_timer.py`, `help_line.py` and `notes.py`; what
they do on the socket is `live/breakouts.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from server.rooms.command_base import Command, Id, Member, Text


class BreakoutGroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[Text, Field(max_length=200)]
    topic: Annotated[Text, Field(max_length=40)] | None = None
    capacity: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None


Minutes = Annotated[StrictInt, Field(ge=1, le=180)]


class BreakoutPlan(Command):
    op: Literal["breakout.plan"]
    mode: Annotated[StrictStr, Field(max_length=20)]
    minutes: Minutes
    groups: Annotated[list[BreakoutGroupIn], Field(max_length=200)]
    members_may_keep: StrictBool = False


class WeeklyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    first: Annotated[StrictStr, Field(max_length=40)]  # local date and time, ISO 8601
    timezone: Annotated[StrictStr, Field(max_length=64)]
    minutes: StrictInt
    weeks: StrictInt


class BreakoutKeep(Command):
    """Keep a breakout group as a study group of the community, perhaps meeting weekly."""

    op: Literal["breakout.keep"]
    group: Id
    name: Annotated[Text, Field(max_length=200)] = ""
    weekly: WeeklyIn | None = None


class BreakoutSeat(Command):
    """A person's own pick (`breakout.choose`), or a host's move of someone (`member`)."""

    op: Literal["breakout.choose", "breakout.move"]
    group: Id
    member: Member | None = None


class BreakoutRun(Command):
    op: Literal["breakout.open", "breakout.close"]


class BreakoutExtend(Command):
    op: Literal["breakout.extend"]
    minutes: Minutes


class BreakoutBroadcast(Command):
    op: Literal["breakout.broadcast"]
    body: Annotated[Text, Field(max_length=4000)]


class HelpAsk(Command):
    op: Literal["help.ask"]
    note: Annotated[Text, Field(max_length=1000)] = ""


class HelpWithdraw(Command):
    op: Literal["help.withdraw"]


class HelpClaim(Command):
    op: Literal["help.claim"]
    id: Id


class GroupSend(Command):
    """A message in one's breakout group; staff name the group they visit."""

    op: Literal["group.send"]
    client_id: Annotated[Text, Field(min_length=1, max_length=64)]
    body: Annotated[Text, Field(max_length=4000)]
    group: Id | None = None


class GroupNotes(Command):
    op: Literal["group.notes"]
    base: Annotated[StrictInt, Field(ge=0, le=2**53)]
    text: Annotated[Text, Field(max_length=60_000)]
    group: Id | None = None


class GroupHistory(Command):
    op: Literal["group.history"]
    group: Id | None = None
