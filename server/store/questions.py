"""A room's questions in the store: the rules of `rooms/qa.py`, applied under the room's lock.

A change takes the room row's lock, loads the part of the board it needs (the questions it
names, the one being answered, the ones merged into them, and their voters), applies the
pure rule, writes back what the rule changed and logs the rule's events. Holding the lock
from the read to the commit is what makes every vote count once, whichever worker takes it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import qa
from server.store import rooms
from server.store.room_tables import Question, QuestionVote, Room
from server.store.rooms import Logged, Speaker
from server.store.tables import utcnow

Rule = Callable[[qa.QaBoard], qa.Change]


async def board(
    session: AsyncSession, room_id: int, ids: Collection[int] | None = None
) -> qa.QaBoard:
    """The whole board, or (with `ids`) the part of it that a change of those questions needs."""
    room = await session.get(Room, room_id)
    query = select(Question).where(Question.room_id == room_id)
    if ids is not None:
        query = query.where(
            or_(
                Question.id.in_(ids),
                Question.merged_into.in_(ids),
                Question.state == "answering",
            )
        )
    rows = list(await session.scalars(query))
    votes = select(QuestionVote.question_id, QuestionVote.member).where(
        QuestionVote.room_id == room_id
    )
    if ids is not None:
        votes = votes.where(QuestionVote.question_id.in_([r.id for r in rows]))
    voters: dict[int, set[str]] = {}
    for question_id, member in await session.execute(votes):
        voters.setdefault(question_id, set()).add(member)
    last = await session.scalar(select(func.max(Question.id)).where(Question.room_id == room_id))
    return qa.QaBoard(
        premoderation=bool(room and room.qa_premoderation),
        hide_authors_from_staff=bool(room and room.qa_hide_authors),
        questions={r.id: _question(r, frozenset(voters.get(r.id, ()))) for r in rows},
        next_id=(last or 0) + 1,
    )


async def change(
    session: AsyncSession, room_id: int, who: Speaker, ids: Collection[int], rule: Rule
) -> tuple[qa.QaBoard, list[Logged]]:
    """Apply one rule to the questions `ids` (none for asking and settings) and log it."""
    await rooms.lock_room(session, room_id)
    before = await board(session, room_id, ids)
    after, events = rule(before)
    await _save(session, room_id, who, before, after)
    return after, await rooms.append_all(session, room_id, events)


async def _save(
    session: AsyncSession, room_id: int, who: Speaker, before: qa.QaBoard, after: qa.QaBoard
) -> None:
    if (before.premoderation, before.hide_authors_from_staff) != (
        after.premoderation,
        after.hide_authors_from_staff,
    ):
        await session.execute(
            update(Room)
            .where(Room.id == room_id)
            .values(
                qa_premoderation=after.premoderation, qa_hide_authors=after.hide_authors_from_staff
            )
        )
    now = utcnow()
    for q in after.questions.values():
        old = before.questions.get(q.id)
        if old == q:
            continue
        if old is None:  # asked now, so by the speaker
            session.add(_row(room_id, who.key, q, now))
        else:
            await session.execute(
                update(Question)
                .where(Question.room_id == room_id, Question.id == q.id)
                .values(**_fields(q), changed_at=now)
            )
        added = q.voters - (old.voters if old else frozenset())
        removed = (old.voters if old else frozenset()) - q.voters
        session.add_all(
            QuestionVote(room_id=room_id, question_id=q.id, member=m) for m in sorted(added)
        )
        if removed:
            await session.execute(
                delete(QuestionVote).where(
                    QuestionVote.room_id == room_id,
                    QuestionVote.question_id == q.id,
                    QuestionVote.member.in_(removed),
                )
            )
    await session.flush()


def _fields(q: qa.Question) -> dict[str, object]:
    return {
        "body": q.body,
        "state": q.state,
        "reason": q.reason,
        "answer": q.answer,
        "merged_into": q.merged_into,
        "edited": q.edited,
    }


def _row(room_id: int, author_key: str, q: qa.Question, now: datetime) -> Question:
    return Question(
        room_id=room_id,
        id=q.id,
        author_key=author_key,
        author_member=q.author,
        author_name=q.name,
        anonymous=q.anonymous,
        hidden_from_staff=q.hidden_from_staff,
        asked_at=now,
        changed_at=now,
        **_fields(q),
    )


def _question(row: Question, voters: frozenset[str]) -> qa.Question:
    return qa.Question(
        id=row.id,
        author=row.author_member,
        body=row.body,
        anonymous=row.anonymous,
        state=qa.STATES[row.state],
        hidden_from_staff=row.hidden_from_staff,
        name=row.author_name,
        reason=qa.REASONS[row.reason] if row.reason else None,
        voters=voters,
        answer=row.answer,
        merged_into=row.merged_into,
        edited=row.edited,
    )
