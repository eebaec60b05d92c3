"""What a room's log shows of a person whose account was deleted: no name, only this label.

Pure: the store finds the events that mention the person's member id and rewrites them with
`forget`; everything else in an event (the words they wrote, times, ids) stays as it was.
"""

from __future__ import annotations

from typing import Any

DELETED_NAME = "Deleted account"


def _one_of(value: Any, members: frozenset[str]) -> bool:
    return isinstance(value, str) and value in members


def _forget(value: Any, members: frozenset[str]) -> tuple[Any, bool]:
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, touched = _forget(item, members)
            items.append(new)
            changed = changed or touched
        return items, changed
    if not isinstance(value, dict):
        return value, False
    out: dict[str, Any] = {}
    changed = False
    for key, item in value.items():
        out[key], touched = _forget(item, members)
        changed = changed or touched
    # The shapes that name someone (docs/protocol.md): {"id": member, "name"} for authors,
    # people, the door and groups; {"member", "name"} for seats and help; questions'
    # {"author": member, "author_name"}.
    named = _one_of(out.get("id"), members) or _one_of(out.get("member"), members)
    if named and isinstance(out.get("name"), str) and out["name"] != DELETED_NAME:
        out["name"], changed = DELETED_NAME, True
    asked = _one_of(out.get("author"), members)
    if asked and out.get("author_name") not in (None, DELETED_NAME):
        out["author_name"], changed = DELETED_NAME, True
    return out, changed


def forget(event: dict[str, Any], members: frozenset[str]) -> dict[str, Any] | None:
    """The event with these members' names replaced by the label; None if it named none."""
    new, changed = _forget(event, members)
    return new if changed else None


def forget_report(event: dict[str, Any], report_ids: frozenset[int]) -> dict[str, Any] | None:
    """A `report.filed` about the person: its name, and its excerpt when the report was of
    the name itself. A report names its subject only by name, so it is found by its id."""
    report = event.get("report")
    if event.get("type") != "report.filed" or not isinstance(report, dict):
        return None
    if report.get("id") not in report_ids:
        return None
    fixed = {**report, "name": DELETED_NAME}
    if fixed.get("kind") == "name":
        fixed["excerpt"] = DELETED_NAME
    return {**event, "report": fixed}
