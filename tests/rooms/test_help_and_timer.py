"""The help line keeps its order; the breakout clock warns once, extends, and ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.rooms import breakout_timer as timer
from server.rooms import help_line
from server.rooms.commands import CommandError
from server.rooms.help_line import HelpLine

NOON = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)

# One step of a room's help line: someone asks (member, group), withdraws, or a helper claims
# whichever request is at position n of the queue.
Step = tuple[str, int, int]
steps = st.lists(
    st.tuples(st.sampled_from(["ask", "withdraw", "claim"]), st.integers(0, 9), st.integers(0, 4)),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_the_help_line_keeps_the_order_people_asked_in(script: list[Step]) -> None:
    line = HelpLine()
    expected: list[str] = []  # a model: members in the order they first asked
    for n, (what, who, group) in enumerate(script):
        member = f"m{who}"
        if what == "ask":
            line = help_line.ask(
                line, member, group, "stuck on lifetimes", NOON + timedelta(seconds=n)
            )
            if member not in expected:
                expected.append(member)
        elif what == "withdraw":
            line = help_line.withdraw(line, member)
            expected = [m for m in expected if m != member]
        elif line.waiting:
            request = line.waiting[who % len(line.waiting)]
            line, claimed = help_line.claim(line, request.id, "mentor")
            assert claimed.request == request and claimed.helper == "mentor"
            expected.remove(request.member)
        assert [r.member for r in line.waiting] == expected
        assert len({r.id for r in line.waiting}) == len(line.waiting)


def test_asking_again_keeps_the_place_and_follows_a_move() -> None:
    line = help_line.ask(HelpLine(), "ada", 1, "", NOON)
    line = help_line.ask(line, "bo", 2, "", NOON)
    line = help_line.ask(line, "ada", 3, "the borrow checker", NOON)
    assert [(r.member, r.group, r.note) for r in line.waiting] == [
        ("ada", 3, "the borrow checker"), ("bo", 2, ""),
    ]  # fmt: skip


def test_a_claimed_request_cannot_be_claimed_twice() -> None:
    line = help_line.ask(HelpLine(), "ada", 1, "", NOON)
    line, _ = help_line.claim(line, 1, "tim")
    with pytest.raises(CommandError) as refused:
        help_line.claim(line, 1, "maya")
    assert refused.value.code == "not_found"


def test_nobody_answers_their_own_call() -> None:
    line = help_line.ask(HelpLine(), "ada", 1, "", NOON)
    with pytest.raises(CommandError, match="own call"):
        help_line.claim(line, 1, "ada")


def test_requests_from_a_closed_group_go() -> None:
    line = help_line.ask(help_line.ask(HelpLine(), "ada", 1, "", NOON), "bo", 2, "", NOON)
    assert [r.member for r in help_line.forget_group(line, 1).waiting] == ["bo"]


def test_the_round_warns_a_minute_before_the_end_once() -> None:
    round_ = timer.open_round(NOON, 10)
    assert timer.phase(round_, NOON + timedelta(minutes=8)) == "running"
    assert not timer.due_warning(round_, NOON + timedelta(minutes=8))
    at = NOON + timedelta(minutes=9, seconds=1)
    assert timer.phase(round_, at) == "ending" and timer.due_warning(round_, at)
    warned = timer.Round(round_.opened_at, round_.ends_at, warned=True)
    assert not timer.due_warning(warned, at)
    assert timer.phase(round_, NOON + timedelta(minutes=10)) == "over"
    assert timer.seconds_left(round_, at) == 59


def test_extending_moves_the_end_and_warns_again_later() -> None:
    round_ = timer.Round(NOON, NOON + timedelta(minutes=10), warned=True)
    later = timer.extend(round_, NOON + timedelta(minutes=9, seconds=30), 5)
    assert later.ends_at == NOON + timedelta(minutes=15) and not later.warned
    with pytest.raises(CommandError) as refused:
        timer.extend(round_, NOON + timedelta(minutes=11), 5)
    assert refused.value.code == "conflict"


def test_closing_early_ends_now() -> None:
    round_ = timer.close_now(timer.open_round(NOON, 30), NOON + timedelta(minutes=3))
    assert timer.phase(round_, NOON + timedelta(minutes=3)) == "over"


@pytest.mark.parametrize("length", [0, 181, -5])
def test_lengths_out_of_range_are_refused_by_field(length: int) -> None:
    with pytest.raises(CommandError) as refused:
        timer.open_round(NOON, length)
    assert refused.value.field == "minutes"
