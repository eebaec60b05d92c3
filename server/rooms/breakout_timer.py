"""The clock of a round of breakout groups: open, a warning a minute before, extend, end.

No I/O here. The round's end is one instant stored with the round, not a countdown held by a
worker, so every worker and every client shows the same time left, and a worker that dies
does not take the end with it: whichever worker's heartbeat first sees the end closes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from server.rooms.commands import CommandError

WARNING = timedelta(seconds=60)
MINUTES = range(1, 180 + 1)
Phase = Literal["running", "ending", "over"]


@dataclass(frozen=True)
class Round:
    opened_at: datetime
    ends_at: datetime
    warned: bool = False


def minutes(value: int, name: str = "minutes") -> timedelta:
    if value not in MINUTES:
        raise CommandError("invalid", f"{name}: 1 to {MINUTES.stop - 1}", field=name)
    return timedelta(minutes=value)


def open_round(now: datetime, length: int) -> Round:
    return Round(now, now + minutes(length))


def phase(round_: Round, now: datetime) -> Phase:
    if now >= round_.ends_at:
        return "over"
    return "ending" if now >= round_.ends_at - WARNING else "running"


def due_warning(round_: Round, now: datetime) -> bool:
    """Whether the one-minute warning is due now and was not given yet."""
    return not round_.warned and phase(round_, now) == "ending"


def extend(round_: Round, now: datetime, by: int) -> Round:
    if phase(round_, now) == "over":
        raise CommandError("conflict", "The groups have already closed.")
    ends = round_.ends_at + minutes(by, "by")
    # A new warning is due once the new end draws near.
    return replace(round_, ends_at=ends, warned=round_.warned and now >= ends - WARNING)


def close_now(round_: Round, now: datetime) -> Round:
    return replace(round_, ends_at=min(round_.ends_at, now), warned=True)


def seconds_left(round_: Round, now: datetime) -> int:
    return max(0, round((round_.ends_at - now).total_seconds()))
