"""The hosts' exports of a room: the Q&A (CSV and JSON, also for moderators), poll results
and who answered what in named polls (CSV), and quiz scores per person (CSV).

A spreadsheet runs a cell that starts with = + - @ as a formula, and questions, answers,
names and words are typed by anyone in the room: such cells go out with a leading apostrophe,
which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.http.context import require_person, studyhall
from server.http.errors import forbidden
from server.rooms import polls as poll_rules
from server.rooms import qa
from server.store import qa_archive

from . import access, present, room_record

# Tab and carriage return too: some spreadsheets read a formula after them (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | bool | None


def cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_file(name: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    disposition = f'attachment; filename="{name}"'
    return Response(
        out.getvalue(), media_type="text/csv", headers={"Content-Disposition": disposition}
    )


async def _record(
    request: Request, allowed: frozenset[str], what: str
) -> tuple[int, room_record.Viewer, qa_archive.RoomRecord]:
    """401 when signed out, 403 unless the person's role in the room may export `what`."""
    require_person(request)
    event_id = (await access.details(request)).event.id
    who = await room_record.viewer(request, event_id)
    if who.role not in allowed:
        raise forbidden(f"Only the event's {what}.")
    record = await studyhall(request).store.read_consistent(qa_archive.room_record, event_id)
    return event_id, who, record


QA_EXPORTERS = "hosts, co-hosts and moderators export its questions"
POLL_EXPORTERS = "hosts and co-hosts export its polls"
QUESTION_FIELDS = (
    "id", "asked_at", "body", "author_name", "anonymous", "state", "reason", "votes", "answer",
    "merged_into",
)  # fmt: skip


def question_rows(record: qa_archive.RoomRecord, who: room_record.Viewer) -> list[dict[str, Any]]:
    """Every question, by id; an author's name unless the room promised to hide it from staff."""
    rows = []
    for q in sorted(record.board.questions.values(), key=lambda q: q.id):
        named = qa.author_for(q, who.member, who.role) is not None
        rows.append({
            "id": q.id,
            "asked_at": present.iso(record.asked_at[q.id]),
            "body": q.body,
            "author_name": q.name if named else None,
            "anonymous": q.anonymous,
            "state": q.state,
            "reason": q.reason,
            "votes": q.votes,
            "answer": q.answer,
            "merged_into": q.merged_into,
        })  # fmt: skip
    return rows


async def questions_csv(request: Request) -> Response:
    event_id, who, record = await _record(request, room_record.QA_EXPORTERS, QA_EXPORTERS)
    rows = question_rows(record, who)
    return csv_file(
        f"event-{event_id}-questions.csv",
        QUESTION_FIELDS,
        ([row[f] for f in QUESTION_FIELDS] for row in rows),
    )


async def questions_json(request: Request) -> Response:
    """
    summary: The Q&A of an event's room, every question (hosts, co-hosts, moderators)
    description: >
      Questions by id, in every state. `author_name` is null for an anonymous question asked
      while the room hid authors from staff. Times are UTC.
    tags: [rooms]
    responses:
      200:
        description: >
          {"event_id", "questions": [{"id", "asked_at", "body", "author_name", "anonymous",
          "state", "reason", "votes", "answer", "merged_into"}]}
      401: {description: Not signed in}
      403: {description: Not a host, co-host or moderator of the event}
      404: {description: No such event}
    """
    event_id, who, record = await _record(request, room_record.QA_EXPORTERS, QA_EXPORTERS)
    return JSONResponse({"event_id": event_id, "questions": question_rows(record, who)})


POLL_FIELDS = (
    "poll", "kind", "question", "state", "revealed", "anonymous", "voters", "answer", "people",
    "correct", "average",
)  # fmt: skip


def _poll_rows(poll: poll_rules.Poll) -> list[list[Cell]]:
    results = poll_rules.results(poll)
    head: list[Cell] = [
        poll.id, poll.kind, poll.question, poll.state, poll.revealed, poll.anonymous,
        results["voters"],
    ]  # fmt: skip
    tally = room_record.tally(poll.kind, list(poll.options), results)
    if not tally:  # a word cloud no one answered still has its line
        return [[*head, None, 0, None, None]]
    quiz = poll.kind == "quiz"
    return [
        [*head, answer, count, (n == poll.correct) if quiz else None, results["average"]]
        for n, (answer, count) in enumerate(tally)
    ]


async def polls_csv(request: Request) -> Response:
    event_id, _, record = await _record(request, room_record.POLL_EXPORTERS, POLL_EXPORTERS)
    rows = [row for poll in record.polls for row in _poll_rows(poll)]
    return csv_file(f"event-{event_id}-polls.csv", POLL_FIELDS, rows)


async def poll_answers_csv(request: Request) -> Response:
    """Who answered what, in named polls only."""
    event_id, _, record = await _record(request, room_record.POLL_EXPORTERS, POLL_EXPORTERS)
    by_id = {p.id: p for p in record.polls}
    answers = await studyhall(request).store.read(qa_archive.named_answers, event_id)
    rows: list[list[Cell]] = []
    for a in answers:
        poll = by_id.get(a.poll_id)
        if poll is None:  # answered after the record was read; the next export has it
            continue
        value = poll_rules.wire_answer(a.value)
        correct = (a.value == poll.correct) if poll.kind == "quiz" else None
        rows.append([
            poll.id, poll.question, a.name,
            room_record.describe(poll.kind, list(poll.options), value), correct,
            present.iso(a.answered_at),
        ])  # fmt: skip
    header = ("poll", "question", "name", "answer", "correct", "answered_at")
    return csv_file(f"event-{event_id}-poll-answers.csv", header, rows)


async def quiz_scores_csv(request: Request) -> Response:
    """Per person, across the closed and revealed quizzes. Scores name people, so an anonymous
    quiz does not count: no one may learn from a score who answered it."""
    event_id, _, record = await _record(request, room_record.POLL_EXPORTERS, POLL_EXPORTERS)
    named = [p for p in record.polls if not p.anonymous]
    counted = [p for p in named if p.kind == "quiz" and p.state == "closed" and p.revealed]
    answers = await studyhall(request).store.read(qa_archive.named_answers, event_id)
    names = {a.member: a.name for a in answers}
    scores = [
        (names.get(member, ""), score, sum(member in p.answers for p in counted))
        for member, score in poll_rules.quiz_scores(named).items()
    ]
    scores.sort(key=lambda s: (-s[1], s[0].casefold()))
    return csv_file(f"event-{event_id}-quiz-scores.csv", ("name", "score", "quizzes"), scores)


routes: list[BaseRoute] = [
    Route("/events/{event_id:int}/questions.csv", questions_csv),
    Route("/events/{event_id:int}/polls.csv", polls_csv),
    Route("/events/{event_id:int}/poll-answers.csv", poll_answers_csv),
    Route("/events/{event_id:int}/quiz-scores.csv", quiz_scores_csv),
]
api_routes: list[BaseRoute] = [
    Route("/api/events/{event_id:int}/questions", questions_json, methods=["GET"]),
]
