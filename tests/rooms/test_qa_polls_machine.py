"""Q&A and polls driven by random sequences of commands, invariants checked after every step.

Each machine keeps its own model of what must be true (who voted for what, who answered
what) and its own table of allowed state changes, written from the issue rather than read
from the modules, and checks every step the modules take against them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from server.rooms import polls, qa
from server.rooms.commands import CommandError
from server.rooms.polls import Answer, Poll
from server.rooms.qa import QaBoard, Question

PEOPLE = {
    "h": "host",
    "c": "co-host",
    "s": "speaker",
    "m": "moderator",
    "a1": "attendee",
    "a2": "attendee",
    "a3": "attendee",
}
people = st.sampled_from(sorted(PEOPLE))
# Drawn as a number and turned into an existing question or poll (or now and then a missing
# one), so most steps act on something that is there.
ids = st.integers(0, 63)
MISSING = 99
MAX_POLLS = 4
STAFF = {"host", "co-host", "moderator"}
STAGE = {"host", "co-host", "speaker"}
EVERYONE = set(PEOPLE.values())

# A passing run takes seconds; a failing one may spend a minute or two shrinking its steps to
# a short example worth reading: give it that time rather than a timeout with no example.
pytestmark = pytest.mark.timeout(600)
RUNS = settings(max_examples=200, stateful_step_count=50, deadline=None, report_multiple_bugs=False)

# Who may send each op, as the issue puts it.
QA_ROLES: dict[str, set[str]] = {
    **dict.fromkeys(("qa.ask", "qa.edit", "qa.withdraw", "qa.vote", "qa.unvote"), EVERYONE),
    **dict.fromkeys(("qa.approve", "qa.hide", "qa.restore", "qa.merge"), STAFF),
    **dict.fromkeys(("qa.answering", "qa.answered", "qa.reopen", "qa.dismiss"), STAGE),
    "qa.configure": {"host", "co-host"},
}
# The state changes each op may make to the question it names. No other change happens,
# except that a new question answering sends the previous one to answered.
QA_CHANGES: dict[str, set[tuple[str, str]]] = {
    "qa.edit": {("open", "pending")},
    "qa.withdraw": {("pending", "dismissed"), ("open", "dismissed")},
    "qa.approve": {("pending", "open")},
    "qa.hide": {(s, "dismissed") for s in ("pending", "open", "answering", "answered")},
    "qa.restore": {("dismissed", "open")},
    "qa.merge": {("pending", "dismissed"), ("open", "dismissed")},
    "qa.answering": {("open", "answering")},
    "qa.answered": {("open", "answered"), ("answering", "answered")},
    "qa.reopen": {("answering", "open"), ("answered", "open")},
    "qa.dismiss": {("open", "dismissed"), ("answering", "dismissed")},
    "qa.vote": set(),
    "qa.unvote": set(),
    "qa.configure": set(),
}
SIDE_EFFECTS: dict[str, set[tuple[str, str]]] = {"qa.answering": {("answering", "answered")}}

POLL_CHANGES = {"poll.launch": ("draft", "live"), "poll.close": ("live", "closed")}
OPTIONS = ("Red", "Green", "Blue")
# Each word-cloud answer and the word it counts as: case, width and spacing do not matter.
SAME_WORD = {
    "Python": "py",
    "python ": "py",
    " PYTHON": "py",
    "Rust": "rs",
    "ｒｕｓｔ": "rs",
    "Go": "go",
}
WORDS = tuple(SAME_WORD)
# Anything at all, most of it wrong for the poll it is sent to.
answers = st.one_of(
    st.integers(-1, 6),
    st.booleans(),
    st.frozensets(st.integers(-1, 3), max_size=3),
    st.sampled_from(["", "x" * 41, *WORDS]),
)


def fitting(kind: str, n: int) -> Answer:
    """An answer of the right shape for the kind, chosen by n."""
    if kind == "multiple":
        return frozenset(i for i in range(3) if (n % 7 + 1) >> i & 1)
    if kind == "rating":
        return n % 5 + 1
    if kind == "word_cloud":
        return WORDS[n % len(WORDS)]
    return n % 3


class QaMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.board = QaBoard()
        self.voters: dict[int, set[str]] = {}  # the model: who voted for what
        self.checked: QaBoard | None = None

    def send(self, op: str, member: str, qid: int | None, call: Callable[[], qa.Change]) -> bool:
        """Run one op; check the refusal or the change against the issue's rules."""
        role = PEOPLE[member]
        before = self.board
        try:
            after, out = call()
        except CommandError as error:
            target = before.questions.get(qid) if qid is not None else None
            if error.code == "forbidden":
                not_author = target is not None and target.author != member
                assert role not in QA_ROLES[op] or (op in ("qa.edit", "qa.withdraw") and not_author)
            else:
                assert role in QA_ROLES[op], (op, role, error.code)
            return False
        assert role in QA_ROLES[op], (op, role)
        assert out, "every change is told"
        for audience, event in out:
            told = event.get("question")
            if told is not None:
                assert told["author"] is None or not told["anonymous"], "anonymous means unnamed"
                assert told["state"] in qa.PUBLIC or audience != "all", "told the room too much"
            if event["type"] == "question.author":
                assert audience == "staff"
        self.check_changes(op, qid, before, after)
        self.board = after
        return True

    def pick(self, n: int) -> int:
        known = sorted(self.board.questions)
        return known[n % len(known)] if known and n < 60 else MISSING

    def check_changes(self, op: str, qid: int | None, before: QaBoard, after: QaBoard) -> None:
        for q in after.questions.values():
            old = before.questions.get(q.id)
            if old is None:
                assert op == "qa.ask" and q.state in ("pending", "open")
                continue
            if old.state == q.state:
                continue
            change = (old.state, q.state)
            allowed = QA_CHANGES[op] if q.id == qid else SIDE_EFFECTS.get(op, set())
            assert change in allowed, (op, q.id, change)
            if change == ("dismissed", "open"):
                assert old.reason in ("hidden", "dismissed"), old.reason
        assert set(before.questions) <= set(after.questions), "questions are never dropped"

    @initialize(screening=st.booleans())
    def seed(self, screening: bool) -> None:
        """A few questions to act on from the first step."""
        board, _ = qa.configure(
            self.board, "h", "host", premoderation=screening, hide_authors_from_staff=False
        )
        for member in ("a1", "a2", "s"):
            board, _ = qa.ask(board, member, PEOPLE[member], f"Seeded from {member}")
            self.voters[board.next_id - 1] = set()
        self.board = board

    # A bounded board, so later steps act on the questions there rather than on new ones.
    @precondition(lambda self: len(self.board.questions) < 10)
    @rule(member=people, anonymous=st.booleans())
    def ask(self, member: str, anonymous: bool) -> None:
        role = PEOPLE[member]
        body = f"Question from {member}"
        if self.send(
            "qa.ask",
            member,
            None,
            lambda: qa.ask(self.board, member, role, body, anonymous=anonymous),
        ):
            self.voters[self.board.next_id - 1] = set()

    @rule(member=people, n=ids, withdraw=st.booleans())
    def edit_or_withdraw(self, member: str, n: int, withdraw: bool) -> None:
        qid = self.pick(n)
        role = PEOPLE[member]
        if withdraw:
            self.send(
                "qa.withdraw", member, qid, lambda: qa.withdraw(self.board, member, role, qid)
            )
            return
        before = self.board
        if self.send(
            "qa.edit", member, qid, lambda: qa.edit(self.board, member, role, qid, "Edited")
        ):
            # Approval covers the words approved: an edit under screening is screened again.
            screened = before.premoderation and role not in STAFF
            expected = "pending" if screened else before.questions[qid].state
            assert self.board.questions[qid].state == expected

    @rule(member=people, n=ids, up=st.booleans())
    def vote(self, member: str, n: int, up: bool) -> None:
        qid = self.pick(n)
        role = PEOPLE[member]
        q = self.board.questions.get(qid)
        op, fn = ("qa.vote", qa.vote) if up else ("qa.unvote", qa.unvote)
        if self.send(op, member, qid, lambda: fn(self.board, member, role, qid)):
            assert q is not None and q.state in ("open", "answering")
            assert (member in self.voters[qid]) != up, "a second vote or a phantom unvote"
            (self.voters[qid].add if up else self.voters[qid].discard)(member)

    @rule(member=people, n=ids, op=st.sampled_from(["approve", "hide", "restore"]))
    def screen(self, member: str, n: int, op: str) -> None:
        qid = self.pick(n)
        fn = {"approve": qa.approve, "hide": qa.hide, "restore": qa.restore}[op]
        self.send(f"qa.{op}", member, qid, lambda: fn(self.board, member, PEOPLE[member], qid))

    @rule(member=people, n=ids, into_n=ids)
    def merge(self, member: str, n: int, into_n: int) -> None:
        qid, into = self.pick(n), self.pick(into_n)
        call = lambda: qa.merge(self.board, member, PEOPLE[member], qid, into)  # noqa: E731
        if self.send("qa.merge", member, qid, call):
            self.voters[into] |= self.voters[qid]
            self.voters[qid] = set()

    @rule(
        member=people,
        n=ids,
        op=st.sampled_from(["answering", "answered", "reopen", "dismiss"]),
        text=st.sampled_from([None, "", "Typed answer"]),
    )
    def stage(self, member: str, n: int, op: str, text: str | None) -> None:
        qid = self.pick(n)
        role = PEOPLE[member]
        calls: dict[str, Callable[[], qa.Change]] = {
            "answering": lambda: qa.start_answering(self.board, member, role, qid),
            "answered": lambda: qa.mark_answered(self.board, member, role, qid, text),
            "reopen": lambda: qa.reopen(self.board, member, role, qid),
            "dismiss": lambda: qa.dismiss(self.board, member, role, qid),
        }
        self.send(f"qa.{op}", member, qid, calls[op])

    @rule(member=people, screening=st.booleans(), blind=st.booleans())
    def configure(self, member: str, screening: bool, blind: bool) -> None:
        role = PEOPLE[member]
        self.send(
            "qa.configure",
            member,
            None,
            lambda: qa.configure(
                self.board, member, role, premoderation=screening, hide_authors_from_staff=blind
            ),
        )

    @invariant()
    def rules_hold(self) -> None:
        # A refused command leaves the very same board: nothing new to check.
        if self.board is self.checked:
            return
        self.checked = self.board
        self.one_vote_per_person_and_merges_count_each_voter_once()
        self.queue_is_votes_then_age()
        self.at_most_one_question_answering()
        self.each_viewer_sees_what_they_may_in_queue_order()

    def one_vote_per_person_and_merges_count_each_voter_once(self) -> None:
        for q in self.board.questions.values():
            assert q.voters == self.voters[q.id], q.id
            assert q.votes == len(q.voters)
            if q.reason == "merged":
                target = self.board.questions[q.merged_into or 0]
                assert q.votes == 0 and target.reason != "merged", "merged: one hop, no votes"

    def queue_is_votes_then_age(self) -> None:
        expected = sorted(
            (q for q in self.board.questions.values() if q.state == "open"),
            key=lambda q: (-len(self.voters[q.id]), q.id),
        )
        assert qa.queue(self.board) == expected

    def at_most_one_question_answering(self) -> None:
        answering = [q.id for q in self.board.questions.values() if q.state == "answering"]
        assert len(answering) <= 1
        assert self.board.answering == (answering[0] if answering else None)

    def each_viewer_sees_what_they_may_in_queue_order(self) -> None:
        public = {q.id for q in self.board.questions.values() if q.state in qa.PUBLIC}
        for member, role in PEOPLE.items():
            shown = qa.view(self.board, member, role)["questions"]
            ranks = [(-s["votes"], s["id"]) for s in shown]
            assert ranks == sorted(ranks)
            assert public <= {s["id"] for s in shown}
            for seen in shown:
                q = self.board.questions[seen["id"]]
                assert q.id in public or role in STAFF or q.author == member
                assert seen["author"] == expected_author(q, member, role)


def expected_author(q: Question, member: str, role: str) -> str | None:
    if not q.anonymous or member == q.author:
        return q.author
    return q.author if role in STAFF and not q.hidden_from_staff else None


class PollMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.polls: dict[int, Poll] = {}
        self.answers: dict[int, dict[str, Answer]] = {}  # the model
        self.final: dict[int, dict[str, Answer]] = {}  # answers as they were at closing
        self.changes = 0
        self.checked = -1

    def send(self, op: str, member: str, pid: int, call: Callable[[], polls.Change]) -> Poll | None:
        role = PEOPLE[member]
        before = self.polls.get(pid)
        try:
            poll, out = call()
        except CommandError as error:
            if error.code == "forbidden":
                assert role not in STAGE and op != "poll.answer"
            return None
        assert out and (op == "poll.answer" or role in STAGE)
        if before is not None:
            if before.state != poll.state:
                assert POLL_CHANGES.get(op) == (before.state, poll.state), op
            assert poll.revealed >= before.revealed, "revealed never goes back"
        self.polls[pid] = poll
        self.changes += 1
        return poll

    @precondition(lambda self: len(self.polls) < MAX_POLLS)
    @rule(
        member=people,
        kind=st.sampled_from(polls.KINDS),
        anonymous=st.booleans(),
        changeable=st.booleans(),
    )
    def create(self, member: str, kind: str, anonymous: bool, changeable: bool) -> None:
        pid = len(self.polls) + 1
        options = OPTIONS if kind in ("single", "multiple", "quiz") else ()
        correct = 1 if kind == "quiz" else None

        def call() -> polls.Change:
            return polls.create(
                pid,
                member,
                PEOPLE[member],
                kind,
                "Which?",
                options,
                correct=correct,
                anonymous=anonymous,
                changeable=changeable,
            )

        if self.send("poll.create", member, pid, call):
            self.answers[pid] = {}

    @rule(member=people, n=ids, op=st.sampled_from(["launch", "close", "reveal"]))
    def run(self, member: str, n: int, op: str) -> None:
        if not self.polls:
            return
        pid = n % len(self.polls) + 1
        fn = {"launch": polls.launch, "close": polls.close, "reveal": polls.reveal}[op]
        poll = self.send(
            f"poll.{op}", member, pid, lambda: fn(self.polls[pid], member, PEOPLE[member])
        )
        if poll is not None and op == "close":
            self.final[pid] = dict(poll.answers)

    @initialize(kind=st.sampled_from(polls.KINDS), changeable=st.booleans())
    def seed(self, kind: str, changeable: bool) -> None:
        """One live poll to answer from the first step."""
        options = OPTIONS if kind in ("single", "multiple", "quiz") else ()
        correct = 1 if kind == "quiz" else None
        poll, _ = polls.create(
            1, "h", "host", kind, "Seeded?", options, correct=correct, changeable=changeable
        )
        self.polls[1] = polls.launch(poll, "h", "host")[0]
        self.answers[1] = {}

    @rule(member=people, n=ids, raw=answers, choice=ids, fit=st.booleans())
    def answer(self, member: str, n: int, raw: Answer, choice: int, fit: bool) -> None:
        if not self.polls:
            return
        pid = n % len(self.polls) + 1
        before = self.polls[pid]
        value = fitting(before.kind, choice) if fit else raw
        try:
            poll, _ = polls.answer(before, member, PEOPLE[member], value)
        except CommandError as error:
            if before.state == "closed":
                assert error.code == "poll_closed", "a closed poll refuses answers clearly"
            return
        assert before.state == "live" and poll.state == "live", "only a live poll takes answers"
        assert member not in self.answers[pid] or before.changeable, "answered twice"
        self.answers[pid][member] = poll.answers[member]
        self.polls[pid] = poll
        self.changes += 1

    @invariant()
    def rules_hold(self) -> None:
        # Only a step that changed a poll can break a rule; refused ones change nothing.
        if self.checked == self.changes:
            return
        self.checked = self.changes
        self.one_answer_each_and_tallies_are_distinct_voters()
        self.closed_polls_keep_their_answers()
        self.the_room_sees_results_only_once_revealed()
        self.quiz_scores_count_closed_revealed_quizzes()

    def one_answer_each_and_tallies_are_distinct_voters(self) -> None:
        for pid, poll in self.polls.items():
            assert poll.answers == self.answers[pid]
            result = polls.results(poll)
            assert result["voters"] == len(self.answers[pid])
            values = list(self.answers[pid].values())
            if poll.kind == "multiple":
                for i, count in enumerate(result["counts"]):
                    assert count == sum(1 for v in values if isinstance(v, frozenset) and i in v)
                assert all(count <= result["voters"] for count in result["counts"])
            elif poll.kind == "word_cloud":
                assert sum(w["count"] for w in result["words"]) == result["voters"]
                # Kept answers are trimmed; the words they count as are the same.
                word_of = {text.strip(): word for text, word in SAME_WORD.items()}
                groups = [word_of[str(v)] for v in values]
                counts = sorted((groups.count(g) for g in set(groups)), reverse=True)
                assert [w["count"] for w in result["words"]] == counts
            else:
                assert sum(result["counts"]) == result["voters"]

    def closed_polls_keep_their_answers(self) -> None:
        for pid, answers_at_close in self.final.items():
            assert self.polls[pid].state == "closed"
            assert self.polls[pid].answers == answers_at_close

    def the_room_sees_results_only_once_revealed(self) -> None:
        for poll in self.polls.values():
            for member, role in PEOPLE.items():
                seen = polls.view(poll, member, role)
                if poll.state == "draft" and role not in STAGE:
                    assert seen is None
                    continue
                assert seen is not None
                assert (seen["results"] is not None) == (role in STAGE or poll.revealed)
                shown_correct = role in STAGE or (poll.state == "closed" and poll.revealed)
                assert seen["correct"] == (poll.correct if shown_correct else None)
                assert (seen["mine"] is None) == (member not in poll.answers)

    def quiz_scores_count_closed_revealed_quizzes(self) -> None:
        expected: dict[str, int] = {}
        for pid, poll in self.polls.items():
            if poll.kind == "quiz" and poll.state == "closed" and poll.revealed:
                for member, value in self.answers[pid].items():
                    expected[member] = expected.get(member, 0) + (1 if value == 1 else 0)
        assert polls.quiz_scores(self.polls.values()) == expected


QaMachine.TestCase.settings = RUNS
PollMachine.TestCase.settings = RUNS
TestQa = QaMachine.TestCase
TestPolls = PollMachine.TestCase
