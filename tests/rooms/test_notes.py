"""Shared notes: concurrent saves merge when they touch other lines, else the later is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.rooms import notes
from server.rooms.commands import CommandError
from server.rooms.notes import Notes, NotesConflict

RUNS = settings(max_examples=300, deadline=None)


def lines(count: int) -> list[str]:
    return [f"line {n}\n" for n in range(count)]


def edited(base: list[str], changes: dict[int, str]) -> str:
    return "".join(changes.get(n, line) for n, line in enumerate(base))


@st.composite
def two_editors(draw: st.DrawFn) -> tuple[list[str], dict[int, str], dict[int, str]]:
    base = lines(draw(st.integers(1, 30)))
    chosen = draw(st.lists(st.integers(0, len(base) - 1), unique=True, max_size=len(base)))
    split = draw(st.integers(0, len(chosen)))
    ada = {n: f"Ada's {n}\n" for n in chosen[:split]}
    bo = {n: f"Bo's {n}\n" for n in chosen[split:]}
    return base, ada, bo


@RUNS
@given(two_editors())
def test_edits_of_different_lines_both_survive(
    editors: tuple[list[str], dict[int, str], dict[int, str]],
) -> None:
    base, ada, bo = editors
    start = notes.save(Notes(), 0, "".join(base)).notes
    first = notes.save(start, start.version, edited(base, ada)).notes
    second = notes.save(first, start.version, edited(base, bo))  # typed on the same version
    assert second.notes.text == edited(base, ada | bo)
    assert second.merged == bool(ada)  # typed on a version that was no longer current


@RUNS
@given(st.integers(1, 20), st.data())
def test_edits_of_the_same_line_refuse_the_later_with_the_current_text(
    count: int, data: st.DataObject
) -> None:
    base = lines(count)
    line = data.draw(st.integers(0, count - 1))
    start = notes.save(Notes(), 0, "".join(base)).notes
    first = notes.save(start, start.version, edited(base, {line: "Ada's\n"})).notes
    with pytest.raises(NotesConflict) as refused:
        notes.save(first, start.version, edited(base, {line: "Bo's\n"}))
    assert refused.value.current == first
    assert refused.value.code == "conflict"


def test_a_save_on_the_current_version_wins_and_counts_up() -> None:
    saved = notes.save(Notes(), 0, "Plan:\n")
    assert (saved.notes.version, saved.notes.text, saved.merged) == (1, "Plan:\n", False)
    again = notes.save(saved.notes, 1, "Plan:\n")
    assert again.notes.version == 1  # nothing changed, no new version


def test_two_insertions_at_the_same_place_are_a_conflict_not_an_order_guess() -> None:
    base = "intro\noutro\n"
    assert notes.merge(base, "intro\nAda\noutro\n", "intro\nBo\noutro\n") is None
    assert notes.merge(base, "intro\nAda\noutro\n", "intro\nAda\noutro\n") == "intro\nAda\noutro\n"


def test_a_version_too_old_to_merge_against_is_refused() -> None:
    current = Notes()
    for n in range(notes.KEPT + 2):
        current = notes.save(current, current.version, f"draft {n}\n").notes
    with pytest.raises(NotesConflict):
        notes.save(current, 0, "from a client that slept\n")
    assert len(current.history) == notes.KEPT


def test_too_long_notes_are_refused_by_field() -> None:
    with pytest.raises(CommandError) as refused:
        notes.save(Notes(), 0, "x" * (notes.MAX_NOTES + 1))
    assert refused.value.field == "text"
