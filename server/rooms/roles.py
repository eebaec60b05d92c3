"""Roles in a room and what each may do."""

from __future__ import annotations

from typing import Literal

Role = Literal["host", "co-host", "speaker", "moderator", "attendee"]
ROLES: tuple[Role, ...] = ("host", "co-host", "speaker", "moderator", "attendee")

# Hosts, co-hosts and moderators run the room: they see private lines, lower hands, delete.
STAFF: frozenset[str] = frozenset({"host", "co-host", "moderator"})
EVERYONE: frozenset[str] = frozenset(ROLES)

# op -> the roles that may send it. An op missing here is unknown: a protocol error.
ALLOWED: dict[str, frozenset[str]] = {
    "join": EVERYONE,
    "leave": EVERYONE,
    "ping": EVERYONE,
    "chat.send": EVERYONE,
    "chat.edit": EVERYONE,
    "chat.delete": EVERYONE,
    "chat.history": EVERYONE,
    "hand.raise": EVERYONE,
    "hand.lower": EVERYONE,
    "hand.next": STAFF,
    "react": EVERYONE,
    "room.slow_mode": STAFF,
}


def is_staff(role: str) -> bool:
    return role in STAFF


def may(role: str, op: str) -> bool:
    return role in ALLOWED.get(op, frozenset())
