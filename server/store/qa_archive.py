"""What stays of a room's questions and polls once its session is over, read only: the room's
record for the event page and the hosts' exports, and a person's questions across events.

Nothing here writes: answers and poll drafts go through `questions.change` and
`polls.create`, under the room's lock, like every change made in the room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import polls as poll_rules
from server.rooms import qa
from server.store import polls, questions
from server.store.room_tables import Poll, PollAnswer, Question, QuestionVote
from server.store.tables import Event

# "Your questions" lists this many, newest first: a page, not an archive.
MAX_OWN_QUESTIONS = 200


@dataclass(frozen=True)
class RoomRecord:
    """A room's whole board and polls at one moment, with when each question was asked."""

    board: qa.QaBoard
    polls: list[poll_rules.Poll]
    asked_at: dict[int, datetime]


@dataclass(frozen=True)
class OwnQuestion:
    """One of a person's questions, with the event it was asked at."""

    event_id: int
    event_title: str
    id: int
    body: str
    anonymous: bool
    state: str
    reason: str | None
    votes: int
    answer: str | None
    merged_into: int | None
    asked_at: datetime


@dataclass(frozen=True)
class NamedAnswer:
    """Who answered what in a named poll, for the hosts' export."""

    poll_id: int
    member: str
    name: str
    value: poll_rules.Answer
    answered_at: datetime


async def room_record(session: AsyncSession, room_id: int) -> RoomRecord:
    """Read with `Store.read_consistent`, so the questions, votes and polls agree."""
    asked = await session.execute(
        select(Question.id, Question.asked_at).where(Question.room_id == room_id)
    )
    return RoomRecord(
        board=await questions.board(session, room_id),
        polls=await polls.room_polls(session, room_id),
        asked_at={question_id: at for question_id, at in asked},
    )


async def questions_of(session: AsyncSession, author_key: str) -> list[OwnQuestion]:
    """The questions a person asked ("p<person id>"), in every room, newest first."""
    votes = (
        select(func.count())
        .where(QuestionVote.room_id == Question.room_id, QuestionVote.question_id == Question.id)
        .correlate(Question)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Question, Event.title, votes)
        .join(Event, Event.id == Question.room_id)  # a room's id is its event's
        .where(Question.author_key == author_key)
        .order_by(Question.asked_at.desc(), Question.room_id.desc(), Question.id.desc())
        .limit(MAX_OWN_QUESTIONS)
    )
    return [
        OwnQuestion(
            event_id=q.room_id,
            event_title=title,
            id=q.id,
            body=q.body,
            anonymous=q.anonymous,
            state=q.state,
            reason=q.reason,
            votes=int(count or 0),
            answer=q.answer,
            merged_into=q.merged_into,
            asked_at=q.asked_at,
        )
        for q, title, count in rows
    ]


async def named_answers(session: AsyncSession, room_id: int) -> list[NamedAnswer]:
    """Every answer to the room's named polls, by poll, then by name. Anonymous polls keep
    their promise: their answers are never read with a name here."""
    rows = await session.execute(
        select(PollAnswer)
        .join(Poll, (Poll.room_id == PollAnswer.room_id) & (Poll.id == PollAnswer.poll_id))
        .where(PollAnswer.room_id == room_id, Poll.anonymous.is_(False))
        .order_by(PollAnswer.poll_id, PollAnswer.name, PollAnswer.member)
    )
    return [
        NamedAnswer(a.poll_id, a.member, a.name, polls.load_answer(a.value), a.answered_at)
        for a in rows.scalars()
    ]
