"""Polls and quizzes: what a poll asks, who answers, and who sees the results when.

A poll is one frozen `Poll`; every change is a pure function of the poll and the actor
(member id and role) that returns the new poll and its events, each with an audience.

    draft ──launch──► live ──close──► closed      (closed is final)

`revealed` is a separate flag, set once by the stage in any state: hosts, co-hosts and
speakers see results always; everyone else only once revealed. Revealed in a draft, a poll
shows its results from the moment it goes live (a word cloud usually does). A quiz's correct
option is shown to the room only when the quiz is both closed and revealed, so the stage
chooses the moment; scores count those quizzes only, for the same reason.

Answers are kept per member, so one answer per person holds by construction: answering again
replaces the answer if the poll allows changes, and is refused otherwise.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal, TypedDict, get_args

from server.rooms import events
from server.rooms.commands import CommandError
from server.rooms.events import Event
from server.rooms.roles import ALLOWED as ROOM_ALLOWED
from server.rooms.roles import STAGE as RUNNERS

Kind = Literal["single", "multiple", "rating", "word_cloud", "quiz"]
KINDS: tuple[Kind, ...] = get_args(Kind)
State = Literal["draft", "live", "closed"]
# The stored spellings, back to their types.
KIND_OF: dict[str, Kind] = {k: k for k in KINDS}
STATES: dict[str, State] = {s: s for s in get_args(State)}
# An option's index (single, quiz, rating 1-5), a set of indexes (multiple), or a word.
Answer = int | frozenset[int] | str
# An event and its audience, as the room log keeps them.
Out = tuple[str, Event]
Change = tuple["Poll", list[Out]]

CHOICE_KINDS: frozenset[str] = frozenset({"single", "multiple", "quiz"})
MAX_QUESTION = 300
MAX_OPTION = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_WORD = 40
RATINGS = range(1, 6)

# The stage (host, co-host, speaker) runs polls, and is the audience of drafts and results.
STAGE = events.STAGE
# A bound on a room's polls, so one room cannot grow its state without end.
MAX_POLLS = 200

# op -> the roles that may send it: the polls' part of the room's one table.
ALLOWED: dict[str, frozenset[str]] = {
    op: roles for op, roles in ROOM_ALLOWED.items() if op.startswith("poll.")
}
# op -> {state before: state after}; a poll in any other state is a conflict.
MOVES: dict[str, dict[State, State]] = {
    "poll.launch": {"draft": "live"},
    "poll.close": {"live": "closed"},
}


@dataclass(frozen=True)
class Poll:
    id: int
    kind: Kind
    question: str
    created_by: str
    options: tuple[str, ...] = ()
    correct: int | None = None
    anonymous: bool = False
    changeable: bool = False
    state: State = "draft"
    revealed: bool = False
    # member -> answer; a dict keyed by member is what makes it one answer per person.
    answers: dict[str, Answer] = field(default_factory=dict)


class WordCount(TypedDict):
    word: str
    count: int


class Results(TypedDict):
    voters: int
    # Per option (choice kinds) or per rating 1-5: the distinct people who chose it.
    counts: list[int]
    average: float | None
    words: list[WordCount]


class PollView(TypedDict):
    id: int
    kind: Kind
    question: str
    options: list[str]
    state: State
    revealed: bool
    anonymous: bool
    changeable: bool
    correct: int | None
    results: Results | None
    mine: int | list[int] | str | None
    # Who answered what: named polls, for the stage only.
    answers: dict[str, int | list[int] | str] | None


def create(
    poll_id: int,
    member: str,
    role: str,
    kind: str,
    question: str,
    options: list[str] | tuple[str, ...] = (),
    *,
    correct: int | None = None,
    anonymous: bool = False,
    changeable: bool = False,
) -> Change:
    _check("poll.create", role)
    checked = next((k for k in KINDS if k == kind), None)
    if checked is None:
        raise CommandError("invalid", f"kind: one of {', '.join(KINDS)}", field="kind")
    text = question.strip()
    if not text or len(text) > MAX_QUESTION:
        raise CommandError("invalid", f"question: 1 to {MAX_QUESTION} characters", field="question")
    labels = _clean_options(kind, options)
    if (kind == "quiz") != (correct is not None):
        raise CommandError("invalid", "correct: a quiz, and only a quiz, has one", field="correct")
    if correct is not None and not 0 <= correct < len(labels):
        raise CommandError("invalid", "correct: the index of one of the options", field="correct")
    poll = Poll(
        id=poll_id,
        kind=checked,
        question=text,
        created_by=member,
        options=labels,
        correct=correct,
        anonymous=anonymous,
        changeable=changeable,
    )
    return poll, [(STAGE, {"type": "poll.created", "poll": _render(poll, None, stage=True)})]


def launch(poll: Poll, member: str, role: str) -> Change:
    poll = replace(_moving(poll, "poll.launch", role), state="live")
    return poll, [(events.ALL, {"type": "poll.launched", "poll": _render(poll, None)})]


def close(poll: Poll, member: str, role: str) -> Change:
    poll = replace(_moving(poll, "poll.close", role), state="closed")
    event: Event = {"type": "poll.closed", "id": poll.id, "correct": _correct_for(poll, False)}
    return poll, [(events.ALL, event)]


def reveal(poll: Poll, member: str, role: str) -> Change:
    _check("poll.reveal", role)
    if poll.revealed:
        raise CommandError("conflict", "The results of this poll are already shown.")
    poll = replace(poll, revealed=True)
    event: Event = {"type": "poll.revealed", "id": poll.id}
    if poll.state == "draft":
        # The room does not know of a draft; it learns the flag when the poll goes live.
        return poll, [(STAGE, event)]
    event.update(results=results(poll), correct=_correct_for(poll, False))
    return poll, [(events.ALL, event)]


def answer(poll: Poll, member: str, role: str, value: Answer) -> Change:
    _check("poll.answer", role)
    if poll.state == "draft":
        raise CommandError("conflict", "This poll has not started yet.")
    if poll.state == "closed":
        raise CommandError("poll_closed", "This poll is closed: it takes no more answers.")
    if member in poll.answers and not poll.changeable:
        raise CommandError("conflict", "You have answered this poll; answers here are final.")
    poll = replace(poll, answers={**poll.answers, member: _clean_answer(poll, value)})
    event: Event = {"type": "poll.results", "id": poll.id, "results": results(poll)}
    return poll, [(events.ALL if poll.revealed else STAGE, event)]


def results(poll: Poll) -> Results:
    """The tallies: every count is of distinct people, since each person has one answer."""
    size = len(poll.options) if poll.kind in CHOICE_KINDS else len(RATINGS)
    counts = [0] * (size if poll.kind != "word_cloud" else 0)
    words: dict[str, WordCount] = {}
    for value in poll.answers.values():
        if isinstance(value, frozenset):
            for index in value:
                counts[index] += 1
        elif isinstance(value, str):
            # The first spelling seen of a word is the one shown; all spellings count for it.
            words.setdefault(word_key(value), {"word": value, "count": 0})["count"] += 1
        elif poll.kind == "rating":
            counts[value - RATINGS.start] += 1
        else:
            counts[value] += 1
    ratings = [v for v in poll.answers.values() if poll.kind == "rating" and isinstance(v, int)]
    return {
        "voters": len(poll.answers),
        "counts": counts,
        "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "words": sorted(words.values(), key=lambda w: (-w["count"], word_key(w["word"]))),
    }


def word_key(text: str) -> str:
    """Word-cloud answers count together when they differ only in case, width or spacing."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def quiz_scores(polls: Iterable[Poll]) -> dict[str, int]:
    """Per person, the correct answers across the session's closed and revealed quizzes."""
    scores: dict[str, int] = {}
    for poll in polls:
        if poll.kind == "quiz" and poll.state == "closed" and poll.revealed:
            for member, value in poll.answers.items():
                scores[member] = scores.get(member, 0) + int(value == poll.correct)
    return scores


def view(poll: Poll, member: str, role: str) -> PollView | None:
    """What one viewer sees; None for a draft, which only the stage knows of."""
    stage = role in RUNNERS
    if poll.state == "draft" and not stage:
        return None
    return _render(poll, member, stage=stage)


def _render(poll: Poll, member: str | None, *, stage: bool = False) -> PollView:
    mine = poll.answers.get(member) if member is not None else None
    named = stage and not poll.anonymous
    return {
        "id": poll.id,
        "kind": poll.kind,
        "question": poll.question,
        "options": list(poll.options),
        "state": poll.state,
        "revealed": poll.revealed,
        "anonymous": poll.anonymous,
        "changeable": poll.changeable,
        "correct": _correct_for(poll, stage),
        "results": results(poll) if stage or poll.revealed else None,
        "mine": None if mine is None else wire_answer(mine),
        "answers": {m: wire_answer(v) for m, v in poll.answers.items()} if named else None,
    }


def _correct_for(poll: Poll, stage: bool) -> int | None:
    return poll.correct if stage or (poll.state == "closed" and poll.revealed) else None


def wire_answer(value: Answer) -> int | list[int] | str:
    return sorted(value) if isinstance(value, frozenset) else value


def _check(op: str, role: str) -> None:
    if role not in ALLOWED[op]:
        raise CommandError("forbidden", f"A {role} may not do this ({op}).")


def _moving(poll: Poll, op: str, role: str) -> Poll:
    _check(op, role)
    if poll.state not in MOVES[op]:
        raise CommandError("conflict", f"This cannot be done to a poll that is {poll.state}.")
    return poll


def _clean_options(kind: str, options: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    labels = tuple(o.strip() for o in options)
    if kind not in CHOICE_KINDS:
        if labels:
            raise CommandError("invalid", f"options: a {kind} poll has none", field="options")
        return ()
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise CommandError(
            "invalid", f"options: {MIN_OPTIONS} to {MAX_OPTIONS} of them", field="options"
        )
    if any(not o or len(o) > MAX_OPTION for o in labels):
        raise CommandError(
            "invalid", f"options: 1 to {MAX_OPTION} characters each", field="options"
        )
    if len({word_key(o) for o in labels}) < len(labels):
        raise CommandError("invalid", "options: each one different", field="options")
    return labels


def _clean_answer(poll: Poll, value: Answer) -> Answer:
    """The answer in its kept form, or an `invalid` error naming the `answer` field."""
    kind = poll.kind
    # bool is an int to Python, but never a rating or an option on the wire.
    if isinstance(value, bool):
        raise _bad_answer(kind)
    if kind == "word_cloud":
        text = " ".join(value.split()) if isinstance(value, str) else ""
        if text and len(text) <= MAX_WORD:
            return text
    elif kind == "rating":
        if isinstance(value, int) and value in RATINGS:
            return value
    elif kind == "multiple":
        if isinstance(value, frozenset) and value and all(_is_option(poll, i) for i in value):
            return value
    elif _is_option(poll, value):
        return value
    raise _bad_answer(kind)


def _is_option(poll: Poll, index: object) -> bool:
    return isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(poll.options)


def _bad_answer(kind: str) -> CommandError:
    wanted = {
        "single": "the index of one option",
        "quiz": "the index of one option",
        "multiple": "the indexes of one or more options",
        "rating": "a whole number from 1 to 5",
        "word_cloud": f"1 to {MAX_WORD} characters",
    }[kind]
    return CommandError("invalid", f"answer: {wanted}", field="answer")
