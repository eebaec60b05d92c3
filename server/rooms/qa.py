"""Questions and answers: asking, voting, screening, and the stage's queue.

A room's questions live on one `QaBoard`. Every change is a pure function: board and actor
(member id, role) in; the new board and its events out, each event with its audience as in
`events.py`, because a pending or dismissed question is seen by staff and its author only.

    pending ─approve─► open ─answering─► answering ─answered─► answered
                        ▲ ◄──────reopen───────┴───────reopen───────┘
                        └─restore─ dismissed (reason hidden or dismissed; the others are final)

Also: open ─answered─► answered (live, or with a typed answer, which may come later too).
To dismissed: hide (pending to answered), dismiss (open, answering), withdraw and merge
(pending, open). An edit keeps the state, or sends an open question back to pending.
`MOVES` holds all of this as data.

Hiding is `dismissed` with reason "hidden", not a separate flag, so one field says whether a
question is in the queue. One question answers at a time: the next one to answer marks the
previous one answered, since putting it back to open would return it, usually the most
voted, to the top of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypedDict, get_args

from server.rooms import events
from server.rooms.commands import CommandError
from server.rooms.events import Event
from server.rooms.roles import ALLOWED as ROOM_ALLOWED
from server.rooms.roles import STAFF

MAX_BODY = 1000
MAX_ANSWER = 2000
# A bound on a room's board, so one room cannot grow its state without end.
MAX_QUESTIONS = 5000

State = Literal["pending", "open", "answering", "answered", "dismissed"]
Reason = Literal["dismissed", "hidden", "withdrawn", "merged"]
# The stored spellings, back to their types.
STATES: dict[str, State] = {s: s for s in get_args(State)}
REASONS: dict[str, Reason] = {r: r for r in get_args(Reason)}
# An event and its audience ("all", "staff" or "staff+<member>"), as the room log keeps them.
Out = tuple[str, Event]
Change = tuple["QaBoard", list[Out]]

# Screeners see pending questions and approve, hide, restore and merge: the room's staff.
# The stage takes questions: it moves them to answering, answered, back to open, or away.
SCREENERS: frozenset[str] = STAFF

# op -> the roles that may send it (the room's one table, `roles.ALLOWED`). `qa.edit` and
# `qa.withdraw` also need the author.
ALLOWED: dict[str, frozenset[str]] = {
    op: roles for op, roles in ROOM_ALLOWED.items() if op.startswith("qa.")
}

# op -> {state before: state after}; a question in any other state is a conflict.
MOVES: dict[str, dict[State, State]] = {
    "qa.edit": {"pending": "pending", "open": "open"},  # open -> pending when screened again
    "qa.withdraw": {"pending": "dismissed", "open": "dismissed"},
    "qa.approve": {"pending": "open"},
    "qa.hide": {s: "dismissed" for s in ("pending", "open", "answering", "answered")},
    "qa.restore": {"dismissed": "open"},  # reason "hidden" or "dismissed" only
    "qa.merge": {"pending": "dismissed", "open": "dismissed"},
    "qa.answering": {"open": "answering"},
    "qa.answered": {"open": "answered", "answering": "answered", "answered": "answered"},
    "qa.reopen": {"answering": "open", "answered": "open"},
    "qa.dismiss": {"open": "dismissed", "answering": "dismissed"},
}
PUBLIC: frozenset[State] = frozenset({"open", "answering", "answered"})
VOTABLE: frozenset[State] = frozenset({"open", "answering"})


@dataclass(frozen=True)
class Question:
    id: int
    author: str
    body: str
    anonymous: bool
    state: State
    # The promise made when it was asked holds: turning the event's flag off later does not
    # show staff the author of a question asked while it was on.
    hidden_from_staff: bool = False
    name: str = ""  # the author's display name when asked
    reason: Reason | None = None
    voters: frozenset[str] = frozenset()
    answer: str | None = None
    merged_into: int | None = None
    edited: bool = False

    @property
    def votes(self) -> int:
        return len(self.voters)


@dataclass(frozen=True)
class QaBoard:
    premoderation: bool = False
    hide_authors_from_staff: bool = False
    questions: dict[int, Question] = field(default_factory=dict)
    next_id: int = 1

    @property
    def answering(self) -> int | None:
        return next((q.id for q in self.questions.values() if q.state == "answering"), None)


class QuestionWire(TypedDict):
    id: int
    body: str
    author: str | None
    author_name: str | None
    anonymous: bool
    state: State
    reason: Reason | None
    votes: int
    answer: str | None
    merged_into: int | None
    edited: bool


class QuestionView(QuestionWire):
    mine: bool
    voted: bool


class QaView(TypedDict):
    premoderation: bool
    hide_authors_from_staff: bool
    answering: int | None
    questions: list[QuestionView]


def clean_body(body: str) -> str:
    text = body.strip()
    if not text or len(text) > MAX_BODY:
        raise CommandError("invalid", f"body: 1 to {MAX_BODY} characters", field="body")
    return text


def queue(board: QaBoard) -> list[Question]:
    """The open questions, most voted first; among equal votes, the one asked first."""
    return sorted((q for q in board.questions.values() if q.state == "open"), key=_rank)


def ask(
    board: QaBoard, member: str, role: str, body: str, *, anonymous: bool = False, name: str = ""
) -> Change:
    _check("qa.ask", role)
    text = clean_body(body)
    # Ids count questions from 1 and none is ever deleted, so the next id tells how many.
    if board.next_id > MAX_QUESTIONS:
        raise CommandError("limit_reached", "This room has taken all the questions it can.")
    q = Question(
        id=board.next_id,
        author=member,
        body=text,
        anonymous=anonymous,
        name=name,
        state="pending" if _screened(board, role) else "open",
        hidden_from_staff=anonymous and board.hide_authors_from_staff,
    )
    new = replace(board, questions={**board.questions, q.id: q}, next_id=q.id + 1)
    out: list[Out] = [(_audience(q), {"type": "question.asked", "question": wire(q)})]
    if anonymous and not q.hidden_from_staff:
        # The broadcast never names an anonymous author; staff learn it on their own line.
        author: Event = {"type": "question.author", "id": q.id, "author": member}
        out.append((events.STAFF, {**author, "author_name": name}))
    return new, out


def edit(board: QaBoard, member: str, role: str, question_id: int, body: str) -> Change:
    q = _find(board, "qa.edit", member, role, question_id, own=True)
    text = clean_body(body)
    # Approving a question approves its words: edited under screening, it is screened again.
    state: State = "pending" if _screened(board, role) else q.state
    return _changed(board, q, replace(q, body=text, edited=True, state=state), "question.edited")


def withdraw(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    return _away(
        board, _find(board, "qa.withdraw", member, role, question_id, own=True), "withdrawn"
    )


def vote(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    return _vote(board, "qa.vote", member, role, question_id)


def unvote(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    return _vote(board, "qa.unvote", member, role, question_id)


def approve(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    q = _find(board, "qa.approve", member, role, question_id)
    return _changed(board, q, replace(q, state="open"), "question.approved")


def hide(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    return _away(board, _find(board, "qa.hide", member, role, question_id), "hidden")


def dismiss(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    return _away(board, _find(board, "qa.dismiss", member, role, question_id), "dismissed")


def restore(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    q = _find(board, "qa.restore", member, role, question_id)
    if q.reason not in ("hidden", "dismissed"):
        raise CommandError("conflict", f"A {q.reason} question cannot be restored.")
    return _changed(board, q, replace(q, state="open", reason=None), "question.restored")


def merge(board: QaBoard, member: str, role: str, question_id: int, into: int) -> Change:
    """Fold a duplicate into another question: its voters join the target's, once each."""
    q = _find(board, "qa.merge", member, role, question_id)
    if into == q.id:
        raise CommandError("invalid", "into: a question cannot be merged into itself", field="into")
    target = _get(board, into, "into")
    if target.state not in PUBLIC:
        raise CommandError("conflict", "Merge into an open or answered question.", field="into")
    target = replace(target, voters=target.voters | q.voters)
    # The votes move rather than copy, so no voter is counted on both questions.
    gone = replace(q, state="dismissed", reason="merged", merged_into=into, voters=frozenset())
    questions = {**board.questions, q.id: gone, into: target}
    # Earlier duplicates of this one now point at the new target: one hop to follow, always.
    for other in board.questions.values():
        if other.merged_into == q.id:
            questions[other.id] = replace(other, merged_into=into)
    new, out = _changed(replace(board, questions=questions), q, gone, "question.merged")
    votes: Event = {"type": "question.voted", "id": into, "votes": target.votes}
    return new, [*out, (events.ALL, votes)]


def start_answering(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    q = _find(board, "qa.answering", member, role, question_id)
    out: list[Out] = []
    previous = board.answering
    if previous is not None:
        done = replace(board.questions[previous], state="answered")
        board = replace(board, questions={**board.questions, previous: done})
        out.append((events.ALL, {"type": "question.answered", "question": wire(done)}))
    board, moved = _changed(board, q, replace(q, state="answering"), "question.answering")
    return board, out + moved


def mark_answered(
    board: QaBoard, member: str, role: str, question_id: int, text: str | None = None
) -> Change:
    """Answered live, or with a typed answer; a typed answer may be added after the fact."""
    q = _find(board, "qa.answered", member, role, question_id)
    answer = (text or "").strip() or None
    if answer is not None and len(answer) > MAX_ANSWER:
        raise CommandError("invalid", f"text: at most {MAX_ANSWER} characters", field="text")
    if q.state == "answered" and answer is None:
        raise CommandError("conflict", "This question is already answered.")
    answered = replace(q, state="answered", answer=answer or q.answer)
    return _changed(board, q, answered, "question.answered")


def reopen(board: QaBoard, member: str, role: str, question_id: int) -> Change:
    q = _find(board, "qa.reopen", member, role, question_id)
    return _changed(board, q, replace(q, state="open", answer=None), "question.reopened")


def configure(
    board: QaBoard, member: str, role: str, *, premoderation: bool, hide_authors_from_staff: bool
) -> Change:
    """Screening and staff-blind anonymity. Questions already pending stay pending."""
    _check("qa.configure", role)
    new = replace(
        board, premoderation=premoderation, hide_authors_from_staff=hide_authors_from_staff
    )
    event: Event = {"type": "qa.configured", "premoderation": premoderation}
    event["hide_authors_from_staff"] = hide_authors_from_staff
    return new, [(events.ALL, event)]


def wire(q: Question) -> QuestionWire:
    """A question as everyone may see it: an anonymous question names no author."""
    return {
        "id": q.id,
        "body": q.body,
        "author": None if q.anonymous else q.author,
        "author_name": None if q.anonymous else q.name,
        "anonymous": q.anonymous,
        "state": q.state,
        "reason": q.reason,
        "votes": q.votes,
        "answer": q.answer,
        "merged_into": q.merged_into,
        "edited": q.edited,
    }


def view(board: QaBoard, member: str, role: str) -> QaView:
    """What one viewer sees: the questions they may see, in queue order, authors as allowed."""
    shown = sorted((q for q in board.questions.values() if sees(q, member, role)), key=_rank)
    questions: list[QuestionView] = []
    for q in shown:
        author = author_for(q, member, role)
        questions.append({
            **wire(q),
            "author": author,
            "author_name": None if author is None else q.name,
            "mine": q.author == member,
            "voted": member in q.voters,
        })  # fmt: skip
    return {
        "premoderation": board.premoderation,
        "hide_authors_from_staff": board.hide_authors_from_staff,
        "answering": board.answering,
        "questions": questions,
    }


def sees(q: Question, member: str, role: str) -> bool:
    return q.state in PUBLIC or role in SCREENERS or q.author == member


def author_for(q: Question, member: str, role: str) -> str | None:
    if not q.anonymous or q.author == member:
        return q.author
    if role in SCREENERS and not q.hidden_from_staff:
        return q.author
    return None


def _rank(q: Question) -> tuple[int, int]:
    # Ids grow in the order questions are asked, so the lower id is the older question.
    return (-q.votes, q.id)


def _screened(board: QaBoard, role: str) -> bool:
    # A screener's own question needs no screening: they would approve it themselves.
    return board.premoderation and role not in SCREENERS


def _audience(q: Question) -> str:
    return events.ALL if q.state in PUBLIC else events.staff_and(q.author)


def _check(op: str, role: str) -> None:
    if role not in ALLOWED[op]:
        raise CommandError("forbidden", f"A {role} may not do this ({op}).")


def _get(board: QaBoard, question_id: int, name: str = "id") -> Question:
    q = board.questions.get(question_id)
    if q is None:
        raise CommandError("not_found", "No such question.", field=name)
    return q


def _find(
    board: QaBoard, op: str, member: str, role: str, question_id: int, *, own: bool = False
) -> Question:
    """The question an op moves, once the role, the author (for `own`) and its state allow."""
    _check(op, role)
    q = _get(board, question_id)
    if own and q.author != member:
        raise CommandError("forbidden", "You can only change your own questions.")
    if q.state not in MOVES[op]:
        raise CommandError("conflict", f"This cannot be done to a question that is {q.state}.")
    return q


def _vote(board: QaBoard, op: str, member: str, role: str, question_id: int) -> Change:
    _check(op, role)
    q = _get(board, question_id)
    if q.state not in VOTABLE:
        raise CommandError("conflict", f"Votes are closed for a question that is {q.state}.")
    voting = op == "qa.vote"
    if (member in q.voters) == voting:
        said = "already voted" if voting else "not voted"
        raise CommandError("conflict", f"You have {said} for this question.")
    q = replace(q, voters=(q.voters | {member}) if voting else (q.voters - {member}))
    new = replace(board, questions={**board.questions, q.id: q})
    return new, [(events.ALL, {"type": "question.voted", "id": q.id, "votes": q.votes})]


def _away(board: QaBoard, q: Question, reason: Reason) -> Change:
    return _changed(board, q, replace(q, state="dismissed", reason=reason), f"question.{reason}")


def _changed(board: QaBoard, before: Question, after: Question, kind: str) -> Change:
    """The new board and its events; when a question leaves public view, everyone drops it."""
    new = replace(board, questions={**board.questions, after.id: after})
    event: dict[str, Any] = {"type": kind, "question": wire(after)}
    if before.state in PUBLIC and after.state not in PUBLIC:
        gone: Event = {"type": "question.removed", "id": after.id}
        return new, [(events.ALL, gone), (events.staff_and(after.author), event)]
    return new, [(_audience(after), event)]
