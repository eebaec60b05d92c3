"""Room events as they go on the wire, and who may see each one.

An event is a plain JSON object `{type, room, seq, at, …}`. Its audience is kept beside it
(in the log and on the bus), never inside it: "all"; "staff" (hosts, co-hosts, moderators);
"stage" (hosts, co-hosts, speakers: poll drafts and running results); or "staff+<member id>"
for a private line seen by the room's staff and one member ("staff+<id>+<id>…" for a few
members, such as a breakout group's call for help and the mentors who may answer it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from server.rooms.roles import STAGE as STAGE_ROLES
from server.rooms.roles import is_staff

Event = dict[str, Any]
ALL = "all"
STAFF = "staff"
STAGE = "stage"


class Author(TypedDict):
    id: str
    name: str
    role: str


class Message(TypedDict):
    id: int
    seq: int
    author: Author
    body: str
    reply_to: int | None
    to_hosts: bool
    at: str
    edited_at: str | None


def stamp(when: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as every time on the wire."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def staff_and(*members: str) -> str:
    return "+".join(("staff", *members))


def can_see(audience: str, member: str, role: str) -> bool:
    if audience == ALL:
        return True
    if audience == STAGE:
        return role in STAGE_ROLES
    if is_staff(role):
        return True
    return audience.startswith("staff+") and member in audience.split("+")[1:]
