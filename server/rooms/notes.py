"""A breakout group's shared notes: several people type at once, and no edit is ever lost.

No I/O here. Each save names the version it was typed on. On the current version it simply
wins. On an older one, the two edits are merged line by line (a three-way merge against the
version both started from) when they touch different lines; when they touch the same lines,
the later save is refused with the current text, so its author can redo their edit on it.
Nothing is silently overwritten.

Operational transforms or CRDTs would merge keystroke by keystroke; for notes saved every
second or two by a handful of people, a line merge with a clear refusal is enough and keeps
the rule one can explain to a learner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from server.rooms.commands import CommandError

MAX_NOTES = 50_000
# Versions kept to merge against: a save typed on an older one is refused (it would be a
# very slow typist, or a client that slept).
KEPT = 64


@dataclass(frozen=True)
class Notes:
    version: int = 0
    text: str = ""
    # version -> text, the most recent KEPT versions (the current one included).
    history: dict[int, str] = field(default_factory=lambda: {0: ""})


@dataclass(frozen=True)
class Saved:
    notes: Notes
    merged: bool  # whether someone else's edit was merged into this save


class NotesConflict(CommandError):
    """Both edits changed the same lines: the save is refused with the text as it stands."""

    def __init__(self, notes: Notes) -> None:
        super().__init__(
            "conflict",
            "Someone changed the same lines meanwhile: your edit is kept in your box; "
            "here is the current text to redo it on.",
            field="text",
            extra={"current": {"version": notes.version, "text": notes.text}},
        )
        self.current = notes


def save(notes: Notes, base: int, text: str) -> Saved:
    if len(text) > MAX_NOTES:
        raise CommandError("invalid", f"text: at most {MAX_NOTES:,} characters", field="text")
    if base == notes.version:
        return Saved(_next(notes, text), merged=False)
    original = notes.history.get(base)
    if original is None or base > notes.version:
        raise NotesConflict(notes)
    merged = merge(original, notes.text, text)
    if merged is None:
        raise NotesConflict(notes)
    return Saved(_next(notes, merged), merged=True)


def _next(notes: Notes, text: str) -> Notes:
    if text == notes.text:
        return notes
    version = notes.version + 1
    history = {v: t for v, t in notes.history.items() if v > version - KEPT}
    history[version] = text
    return Notes(version, text, history)


Hunk = tuple[int, int, list[str]]  # base lines [start, end) become these lines


def _hunks(base: list[str], other: list[str]) -> list[Hunk]:
    matcher = SequenceMatcher(a=base, b=other, autojunk=False)
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _overlap(a: Hunk, b: Hunk) -> bool:
    if a[0] == b[0] and (a[0] == a[1] or b[0] == b[1]):
        return True  # two insertions, or an insertion and a change, at the same place
    return a[0] < b[1] and b[0] < a[1]


def merge(base: str, ours: str, theirs: str) -> str | None:
    """Both edits of `base` applied, or None when they change the same lines."""
    lines = base.splitlines(keepends=True)
    mine = _hunks(lines, ours.splitlines(keepends=True))
    yours = _hunks(lines, theirs.splitlines(keepends=True))
    same = [h for h in yours if h in mine]  # the same edit made twice counts once
    yours = [h for h in yours if h not in same]
    if any(_overlap(a, b) for a in mine for b in yours):
        return None
    out: list[str] = []
    at = 0
    for start, end, replacement in sorted(mine + yours, key=lambda h: (h[0], h[1])):
        out.extend(lines[at:start])
        out.extend(replacement)
        at = end
    out.extend(lines[at:])
    return "".join(out)
