"""Presence as a snapshot, then diffs, applied by pure functions.

A person is present while at least one row (one worker holding a socket of theirs) exists.
"""

from __future__ import annotations

from typing import TypedDict


class Person(TypedDict):
    id: str
    name: str
    role: str


def apply_diff(
    people: dict[str, Person], joined: list[Person], left: list[str]
) -> dict[str, Person]:
    out = dict(people)
    for member in left:
        out.pop(member, None)
    for person in joined:
        out[person["id"]] = person
    return out


def diff(before: dict[str, Person], after: dict[str, Person]) -> tuple[list[Person], list[str]]:
    """What changed between two views of the room: who arrived (or changed), who left."""
    joined = [p for m, p in after.items() if before.get(m) != p]
    left = [m for m in before if m not in after]
    return joined, left
