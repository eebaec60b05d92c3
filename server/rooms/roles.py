"""Roles in a room and what each may do."""

from __future__ import annotations

from typing import Literal

Role = Literal["host", "co-host", "speaker", "moderator", "attendee"]
ROLES: tuple[Role, ...] = ("host", "co-host", "speaker", "moderator", "attendee")

# Hosts, co-hosts and moderators run the room: they see private lines, lower hands, delete.
STAFF: frozenset[str] = frozenset({"host", "co-host", "moderator"})
# The stage presents: it takes questions and runs polls.
STAGE: frozenset[str] = frozenset({"host", "co-host", "speaker"})
HOSTS: frozenset[str] = frozenset({"host", "co-host"})
EVERYONE: frozenset[str] = frozenset(ROLES)

# What the staff does to keep a room safe.
MODERATING = (
    "mod.mute", "mod.unmute", "mod.remove", "mod.ban", "mod.unban", "mod.reports",
    "mod.deleted", "report.resolve", "chat.restore", "room.lock", "room.waiting_room",
    "door.admit",
)  # fmt: skip

# What hosts do to run breakout groups.
BREAKOUT_HOSTING = (
    "breakout.plan", "breakout.move", "breakout.open", "breakout.close", "breakout.extend",
    "breakout.broadcast",
)  # fmt: skip

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
    # Questions: everyone asks and votes (edits and withdraws their own); the staff screens.
    **dict.fromkeys(("qa.ask", "qa.edit", "qa.withdraw", "qa.vote", "qa.unvote"), EVERYONE),
    **dict.fromkeys(("qa.approve", "qa.hide", "qa.restore", "qa.merge"), STAFF),
    **dict.fromkeys(("qa.answering", "qa.answered", "qa.reopen", "qa.dismiss"), STAGE),
    "qa.configure": HOSTS,
    # Polls: the stage runs them, everyone answers.
    **dict.fromkeys(("poll.create", "poll.launch", "poll.close", "poll.reveal"), STAGE),
    "poll.answer": EVERYONE,
    # Safety: anyone reports and blocks; the staff moderates.
    **dict.fromkeys(("report", "block", "unblock", "guidelines.accept"), EVERYONE),
    **dict.fromkeys(MODERATING, STAFF),
    # Breakouts: hosts run them; people pick a group (where the host lets them) and call for
    # help; the staff and the round's mentors answer (the store checks who is a mentor).
    **dict.fromkeys(BREAKOUT_HOSTING, HOSTS),
    **dict.fromkeys(("breakout.choose", "help.ask", "help.withdraw", "help.claim"), EVERYONE),
    "breakout.keep": EVERYONE,  # hosts, or a group's members when the host allows it
    # A group's own chat and notes: its members, and the staff visiting (the store checks).
    **dict.fromkeys(("group.send", "group.notes", "group.history"), EVERYONE),
    # A group's video call: its members only (checked per signal, see rooms/group_calls.py).
    **dict.fromkeys(("group.signal", "group.ice_servers", "group.media"), EVERYONE),
    # The stage's media: everyone in the room watches; whether an offer may send is checked
    # on every offer (the stage roles, or someone a host invited). Hosts run the stage.
    **dict.fromkeys(("media.offer", "media.ice", "media.leave", "media.ice_servers"), EVERYONE),
    **dict.fromkeys(("stage.state", "stage.accept", "stage.decline", "stage.unmute"), EVERYONE),
    **dict.fromkeys(("stage.invite", "stage.remove", "stage.mute"), HOSTS),
    **dict.fromkeys(("stage.record", "stage.record_stop"), HOSTS),
}


def is_staff(role: str) -> bool:
    return role in STAFF


def may(role: str, op: str) -> bool:
    return role in ALLOWED.get(op, frozenset())
