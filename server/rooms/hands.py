"""The queue of raised hands, in the order they went up."""

from __future__ import annotations

from server.rooms.commands import CommandError
from server.rooms.roles import is_staff


def raised(queue: list[str], member: str) -> list[str]:
    return queue if member in queue else [*queue, member]


def lowered(queue: list[str], member: str) -> list[str]:
    return [m for m in queue if m != member]


def check_lower(actor: str, actor_role: str, member: str) -> None:
    if member != actor and not is_staff(actor_role):
        raise CommandError("forbidden", "Only hosts and moderators lower others' hands.")


def next_hand(queue: list[str]) -> str:
    if not queue:
        raise CommandError("not_found", "No hands are raised.")
    return queue[0]
