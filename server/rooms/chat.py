"""Chat rules: what a message may hold, who may edit or delete it, and for how long."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.rooms.commands import CommandError
from server.rooms.roles import is_staff

MAX_BODY = 2000
EDIT_WINDOW = timedelta(minutes=5)


def clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise CommandError("invalid", "body: a message cannot be empty", field="body")
    if len(text) > MAX_BODY:
        raise CommandError("invalid", f"body: at most {MAX_BODY} characters", field="body")
    return text


def check_edit(author: str, editor: str, sent_at: datetime, now: datetime) -> None:
    if author != editor:
        raise CommandError("forbidden", "You can only edit your own messages.")
    if now - sent_at > EDIT_WINDOW:
        raise CommandError(
            "edit_window_passed", "Messages can be edited for 5 minutes after sending."
        )


def check_delete(author: str, deleter: str, deleter_role: str) -> None:
    if author != deleter and not is_staff(deleter_role):
        raise CommandError("forbidden", "You can only delete your own messages.")


def visible_to(to_hosts: bool, author: str, member: str, role: str) -> bool:
    """A private line to the hosts is seen by its author and the room's staff only."""
    return not to_hosts or author == member or is_staff(role)
