"""Poll rules: kinds, the draft-live-closed life, one answer each, tallies, reveal, quizzes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from server.rooms import polls
from server.rooms.commands import CommandError
from server.rooms.polls import Answer, Poll
from server.rooms.roles import ROLES

EXPECTED: dict[str, set[str]] = {
    "poll.create": {"host", "co-host", "speaker"},
    "poll.launch": {"host", "co-host", "speaker"},
    "poll.close": {"host", "co-host", "speaker"},
    "poll.reveal": {"host", "co-host", "speaker"},
    "poll.answer": set(ROLES),
}
OPTIONS = ("Red", "Green", "Blue")


def refused(code: str, call: Callable[[], object], field: str | None = None) -> CommandError:
    with pytest.raises(CommandError) as info:
        call()
    assert info.value.code == code, info.value.message
    assert info.value.field == field
    return info.value


def made(kind: str = "single", **kw: bool) -> Poll:
    options = OPTIONS if kind in ("single", "multiple", "quiz") else ()
    correct = 2 if kind == "quiz" else None
    poll, _ = polls.create(1, "h", "host", kind, "Which one?", options, correct=correct, **kw)
    return poll


def live(kind: str = "single", **kw: bool) -> Poll:
    return polls.launch(made(kind, **kw), "s", "speaker")[0]


def answered(poll: Poll, *votes: tuple[str, Answer]) -> Poll:
    for member, value in votes:
        poll, _ = polls.answer(poll, member, "attendee", value)
    return poll


def test_create_makes_a_draft_the_stage_alone_hears_of() -> None:
    poll, out = polls.create(7, "s", "speaker", "quiz", "  2 + 2?  ", ["3", "4"], correct=1)
    assert (poll.state, poll.question, poll.options, poll.revealed) == (
        "draft",
        "2 + 2?",
        ("3", "4"),
        False,
    )
    assert out[0][0] == polls.STAGE and out[0][1]["type"] == "poll.created"
    assert out[0][1]["poll"]["correct"] == 1


@pytest.mark.parametrize(
    ("kind", "question", "options", "correct", "field"),
    [
        ("essay", "Q?", (), None, "kind"),
        ("single", "  ", OPTIONS, None, "question"),
        ("single", "x" * (polls.MAX_QUESTION + 1), OPTIONS, None, "question"),
        ("single", "Q?", ("Only",), None, "options"),
        ("single", "Q?", tuple(str(i) for i in range(polls.MAX_OPTIONS + 1)), None, "options"),
        ("multiple", "Q?", ("A", " "), None, "options"),
        ("multiple", "Q?", ("A", "x" * (polls.MAX_OPTION + 1)), None, "options"),
        ("single", "Q?", ("Yes", " yes"), None, "options"),
        ("rating", "Q?", ("1", "2"), None, "options"),
        ("word_cloud", "Q?", ("a", "b"), None, "options"),
        ("quiz", "Q?", OPTIONS, None, "correct"),
        ("quiz", "Q?", OPTIONS, 3, "correct"),
        ("quiz", "Q?", OPTIONS, -1, "correct"),
        ("single", "Q?", OPTIONS, 0, "correct"),
    ],
)
def test_create_refuses_a_malformed_poll(
    kind: str, question: str, options: tuple[str, ...], correct: int | None, field: str
) -> None:
    call = partial(polls.create, 1, "h", "host", kind, question, options, correct=correct)
    refused("invalid", call, field)


def test_draft_live_closed_and_closed_is_final() -> None:
    poll = made()
    refused("conflict", partial(polls.close, poll, "h", "host"))
    refused("conflict", partial(polls.answer, poll, "a1", "attendee", 0))
    poll, out = polls.launch(poll, "h", "host")
    assert poll.state == "live" and out[0][0] == "all" and out[0][1]["type"] == "poll.launched"
    assert out[0][1]["poll"]["results"] is None
    refused("conflict", partial(polls.launch, poll, "h", "host"))
    poll, out = polls.close(poll, "c", "co-host")
    assert poll.state == "closed"
    assert out == [("all", {"type": "poll.closed", "id": 1, "correct": None})]
    for call in (polls.launch, polls.close):
        refused("conflict", partial(call, poll, "h", "host"))


def test_a_closed_poll_refuses_answers_clearly() -> None:
    poll = polls.close(answered(live(), ("a1", 0)), "h", "host")[0]
    error = refused("poll_closed", partial(polls.answer, poll, "a2", "attendee", 1))
    assert "closed" in error.message
    refused("poll_closed", partial(polls.answer, poll, "a1", "attendee", 1))


def test_one_answer_per_person_final_unless_the_poll_allows_changes() -> None:
    poll = answered(live(), ("a1", 0), ("a2", 0))
    refused("conflict", partial(polls.answer, poll, "a1", "attendee", 1))
    assert polls.results(poll)["counts"] == [2, 0, 0]
    poll = answered(live(changeable=True), ("a1", 0), ("a2", 0), ("a1", 2))
    assert poll.answers == {"a1": 2, "a2": 0}
    assert polls.results(poll)["counts"] == [1, 0, 1] and polls.results(poll)["voters"] == 2


def test_single_choice_answers_are_one_option() -> None:
    poll = live()
    for bad in (3, -1, True, "Red", frozenset({0})):
        refused("invalid", partial(polls.answer, poll, "a1", "attendee", bad), "answer")


def test_multiple_choice_counts_distinct_voters_per_option() -> None:
    poll = answered(live("multiple"), ("a1", frozenset({0, 1})), ("a2", frozenset({1})))
    result = polls.results(poll)
    assert result["counts"] == [1, 2, 0] and result["voters"] == 2
    for bad in (frozenset(), frozenset({0, 3}), frozenset({True}), 1, "Red"):
        refused("invalid", partial(polls.answer, poll, "a3", "attendee", bad), "answer")


def test_rating_is_one_to_five_with_an_average() -> None:
    poll = answered(live("rating"), ("a1", 5), ("a2", 4), ("a3", 4))
    result = polls.results(poll)
    assert result["counts"] == [0, 0, 0, 2, 1] and result["average"] == 4.33
    assert result["voters"] == 3
    for bad in (0, 6, True, "5", frozenset({5})):
        refused("invalid", partial(polls.answer, poll, "a4", "attendee", bad), "answer")
    assert polls.results(live("rating"))["average"] is None


def test_word_cloud_counts_words_case_insensitively() -> None:
    poll = answered(
        live("word_cloud"),
        ("a1", "  Python "),
        ("a2", "python"),
        ("a3", "PYTHON"),
        ("a4", "Rust"),
        ("a5", "ＲＵＳＴ"),  # full-width letters: the same word
        ("a6", "Type  Hints"),
        ("a7", "type hints"),
        ("a8", "Go"),
    )
    result = polls.results(poll)
    assert result["words"] == [
        {"word": "Python", "count": 3},
        {"word": "Rust", "count": 2},
        {"word": "Type Hints", "count": 2},
        {"word": "Go", "count": 1},
    ]
    assert result["voters"] == 8 and result["counts"] == []
    assert sum(w["count"] for w in result["words"]) == result["voters"]
    polls.answer(poll, "b1", "attendee", "x" * polls.MAX_WORD)
    for bad in ("", "   ", "x" * (polls.MAX_WORD + 1), 3, frozenset({1})):
        refused("invalid", partial(polls.answer, poll, "b2", "attendee", bad), "answer")


def test_results_reach_the_room_only_once_revealed() -> None:
    poll, out = polls.answer(live(), "a1", "attendee", 1)
    assert out[0][0] == polls.STAGE and out[0][1]["type"] == "poll.results"
    view = polls.view(poll, "a2", "attendee")
    assert view is not None and view["results"] is None and view["mine"] is None
    mine = polls.view(poll, "a1", "attendee")
    assert mine is not None and mine["mine"] == 1 and mine["results"] is None
    for role in ("host", "co-host", "speaker"):
        staged = polls.view(poll, "x", role)
        assert staged is not None and staged["results"] == polls.results(poll)
    poll, out = polls.reveal(poll, "h", "host")
    assert out[0][0] == "all" and out[0][1]["results"]["counts"] == [0, 1, 0]
    refused("conflict", partial(polls.reveal, poll, "h", "host"))
    view = polls.view(poll, "a2", "attendee")
    assert view is not None and view["results"] == polls.results(poll)
    poll, out = polls.answer(poll, "a2", "attendee", 0)
    assert out[0][0] == "all"


def test_a_draft_is_seen_by_the_stage_only_and_may_be_revealed_ahead() -> None:
    poll = made("word_cloud")
    for role in ("attendee", "moderator"):
        assert polls.view(poll, "x", role) is None
    assert polls.view(poll, "s", "speaker") is not None
    poll, out = polls.reveal(poll, "s", "speaker")
    assert out == [(polls.STAGE, {"type": "poll.revealed", "id": 1})]
    poll, out = polls.launch(poll, "s", "speaker")
    assert out[0][1]["poll"]["results"] == polls.results(poll)


def test_named_polls_show_who_answered_what_to_the_stage_only() -> None:
    named = answered(live("multiple"), ("a1", frozenset({2, 0})))
    staged = polls.view(named, "h", "host")
    assert staged is not None and staged["answers"] == {"a1": [0, 2]}
    assert staged["mine"] is None
    revealed = polls.reveal(named, "h", "host")[0]
    room = polls.view(revealed, "a2", "attendee")
    assert room is not None and room["answers"] is None
    anonymous = answered(live("multiple", anonymous=True), ("a1", frozenset({0})))
    staged = polls.view(anonymous, "h", "host")
    assert staged is not None and staged["answers"] is None and staged["results"] is not None


def test_quiz_answer_is_shown_when_closed_and_revealed_and_scores_count() -> None:
    quiz = answered(live("quiz"), ("a1", 2), ("a2", 0))
    assert polls.view(quiz, "s", "speaker") is not None
    for poll in (quiz, polls.reveal(quiz, "h", "host")[0], polls.close(quiz, "h", "host")[0]):
        seen = polls.view(poll, "a1", "attendee")
        assert seen is not None and seen["correct"] is None
        staged = polls.view(poll, "s", "speaker")
        assert staged is not None and staged["correct"] == 2
    closed = polls.close(quiz, "h", "host")[0]
    assert polls.quiz_scores([closed]) == {}  # closed but not revealed: not yet counted
    done, out = polls.reveal(closed, "h", "host")
    assert out[0][1]["correct"] == 2
    seen = polls.view(done, "a1", "attendee")
    assert seen is not None and seen["correct"] == 2
    other = polls.reveal(answered(live("quiz"), ("a1", 2), ("a3", 2)), "h", "host")[0]
    other = polls.close(other, "h", "host")[0]
    not_quiz = polls.reveal(polls.close(answered(live(), ("a2", 2)), "h", "host")[0], "h", "host")
    assert polls.quiz_scores([done, other, not_quiz[0]]) == {"a1": 2, "a2": 0, "a3": 1}


def test_every_op_is_in_the_table() -> None:
    assert {op: set(roles) for op, roles in polls.ALLOWED.items()} == EXPECTED


def attempt(op: str, member: str, role: str) -> None:
    """Send `op` as (member, role) on a poll where only the role could stand in the way."""
    if op == "poll.create":
        polls.create(1, member, role, "single", "Q?", OPTIONS)
    elif op == "poll.launch":
        polls.launch(made(), member, role)
    elif op == "poll.close":
        polls.close(live(), member, role)
    elif op == "poll.reveal":
        polls.reveal(live(), member, role)
    elif op == "poll.answer":
        polls.answer(live(), member, role, 0)
    else:
        raise AssertionError(op)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("op", sorted(EXPECTED))
def test_permission_matrix(op: str, role: str) -> None:
    if role in EXPECTED[op]:
        attempt(op, "p1", role)
    else:
        refused("forbidden", partial(attempt, op, "p1", role))
