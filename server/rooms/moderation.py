"""Moderation rules: who may act on whom, what a report or a sanction holds, and mutes.

No I/O here. The store keeps sanctions and the audit log (`store/moderation.py`); the live
worker enforces them (`live/moderation.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, get_args

from server.rooms.commands import CommandError

ReportKind = Literal["message", "question", "name", "person"]
REPORT_KINDS: tuple[ReportKind, ...] = get_args(ReportKind)
MAX_REASON = 500
MUTE_MINUTES = range(1, 24 * 60 + 1)
# Deleted messages stay readable to moderators this long (to undo, or to judge a report).
KEEP_DELETED = timedelta(days=30)

# What a muted person may not do: speak in chat, ask, vote, answer polls, react.
SILENCED: frozenset[str] = frozenset({
    "chat.send", "chat.edit", "qa.ask", "qa.edit", "qa.vote", "qa.unvote", "poll.answer", "react",
    "group.send", "group.notes",
})  # fmt: skip

# Close codes for sockets that a moderator sent away (see docs/protocol.md).
CLOSE_REMOVED = 4003
CLOSE_BANNED = 4004

# A moderator acts on attendees and speakers; owners (host, co-host) also on moderators.
# Nobody acts on an owner or on themselves: an owner is removed from the community instead.
_RANK = {"host": 3, "co-host": 3, "moderator": 2, "speaker": 1, "attendee": 1}


def check_target(actor: str, actor_role: str, target: str, target_role: str) -> None:
    if actor == target:
        raise CommandError("invalid", "You cannot do this to yourself.", field="member")
    if _RANK.get(target_role, 1) >= _RANK.get(actor_role, 0):
        raise CommandError("forbidden", f"A {actor_role} cannot do this to a {target_role}.")


def clean_reason(reason: str, *, required: bool = False) -> str:
    text = " ".join(reason.split())
    if len(text) > MAX_REASON or (required and not text):
        lower = 1 if required else 0
        raise CommandError("invalid", f"reason: {lower} to {MAX_REASON} characters", field="reason")
    return text


def mute_until(now: datetime, minutes: int) -> datetime:
    if minutes not in MUTE_MINUTES:
        raise CommandError(
            "invalid", f"minutes: 1 to {MUTE_MINUTES.stop - 1} (a day)", field="minutes"
        )
    return now + timedelta(minutes=minutes)


def muted_error(until: datetime, now: datetime) -> CommandError:
    """What a muted person hears when they try to speak: until when, and how long that is."""
    left = max(1.0, (until - now).total_seconds())
    return CommandError(
        "muted",
        f"A moderator muted you until {until.strftime('%H:%M')} UTC.",
        retry_after=round(left),
    )


def report_kind(kind: str) -> ReportKind:
    found = next((k for k in REPORT_KINDS if k == kind), None)
    if found is None:
        raise CommandError("invalid", f"kind: one of {', '.join(REPORT_KINDS)}", field="kind")
    return found
