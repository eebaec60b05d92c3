"""Help from inside a breakout group: one queue, in order, answered by hosts and mentors.

No I/O here. A person asks from their group; the request joins the end of the room's one
queue. Hosts, co-hosts and the room's mentors see the queue; one of them claims a request
("on my way") and is moved into that group; the asker is told who is coming. Asking twice
keeps the first place rather than jumping the queue or losing it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from server.rooms.commands import CommandError

MAX_NOTE = 200
MAX_WAITING = 1000


@dataclass(frozen=True)
class HelpRequest:
    id: int
    member: str
    group: int
    note: str
    at: datetime


@dataclass(frozen=True)
class Claimed:
    request: HelpRequest
    helper: str  # member id of the host or mentor on the way


@dataclass(frozen=True)
class HelpLine:
    waiting: tuple[HelpRequest, ...] = ()
    next_id: int = 1

    def of(self, member: str) -> HelpRequest | None:
        return next((r for r in self.waiting if r.member == member), None)


def ask(line: HelpLine, member: str, group: int, note: str, now: datetime) -> HelpLine:
    text = " ".join(note.split())
    if len(text) > MAX_NOTE:
        raise CommandError("invalid", f"note: at most {MAX_NOTE} characters", field="note")
    mine = line.of(member)
    if mine is not None:
        # Still waiting: keep the place, move it with the person if they changed group.
        kept = replace(mine, group=group, note=text or mine.note)
        return replace(line, waiting=tuple(kept if r is mine else r for r in line.waiting))
    if len(line.waiting) >= MAX_WAITING:
        raise CommandError("conflict", "Too many people are waiting for help.")
    request = HelpRequest(line.next_id, member, group, text, now)
    return HelpLine((*line.waiting, request), line.next_id + 1)


def withdraw(line: HelpLine, member: str) -> HelpLine:
    return replace(line, waiting=tuple(r for r in line.waiting if r.member != member))


def claim(line: HelpLine, request_id: int, helper: str) -> tuple[HelpLine, Claimed]:
    found = next((r for r in line.waiting if r.id == request_id), None)
    if found is None:
        raise CommandError(
            "not_found", "Someone else is on their way, or the request was withdrawn."
        )
    if found.member == helper:
        raise CommandError("invalid", "You cannot answer your own call for help.")
    rest = tuple(r for r in line.waiting if r.id != request_id)
    return replace(line, waiting=rest), Claimed(found, helper)


def forget_group(line: HelpLine, group: int) -> HelpLine:
    """When groups close, requests from inside them have no group to go to."""
    return replace(line, waiting=tuple(r for r in line.waiting if r.group != group))
