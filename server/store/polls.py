"""A room's polls in the store: the rules of `rooms/polls.py`, applied under the room's lock.

A change takes the room row's lock, loads the poll with its answers, applies the pure rule,
writes back what changed and logs the rule's events. Each person's answer is one row keyed
by poll and member, so one answer per person holds in the store as in the rules, and the
lock makes a close and an answer racing on two workers come out in one order.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import polls as rules
from server.rooms.commands import CommandError
from server.store import rooms
from server.store.room_tables import Poll, PollAnswer
from server.store.rooms import Logged, Speaker
from server.store.tables import utcnow

Rule = Callable[[rules.Poll], rules.Change]
Create = Callable[[int], rules.Change]


async def room_polls(session: AsyncSession, room_id: int) -> list[rules.Poll]:
    """Every poll of the room with its answers, oldest first."""
    rows = list(await session.scalars(
        select(Poll).where(Poll.room_id == room_id).order_by(Poll.id)
    ))  # fmt: skip
    answers: dict[int, dict[str, rules.Answer]] = {}
    found = await session.execute(
        select(PollAnswer.poll_id, PollAnswer.member, PollAnswer.value).where(
            PollAnswer.room_id == room_id
        )
    )
    for poll_id, member, value in found:
        answers.setdefault(poll_id, {})[member] = load_answer(value)
    return [_poll(row, answers.get(row.id, {})) for row in rows]


async def one_poll(session: AsyncSession, room_id: int, poll_id: int) -> rules.Poll:
    row = await session.get(Poll, (room_id, poll_id))
    if row is None:
        raise CommandError("not_found", "No such poll.", field="id")
    found = await session.execute(
        select(PollAnswer.member, PollAnswer.value).where(
            PollAnswer.room_id == room_id, PollAnswer.poll_id == poll_id
        )
    )
    return _poll(row, {member: load_answer(value) for member, value in found})


async def create(
    session: AsyncSession, room_id: int, who: Speaker, make: Create
) -> tuple[rules.Poll, list[Logged]]:
    """A new draft, numbered next in its room; `make` is the rule given that number."""
    await rooms.lock_room(session, room_id)
    last = await session.scalar(select(func.max(Poll.id)).where(Poll.room_id == room_id)) or 0
    if last >= rules.MAX_POLLS:
        raise CommandError("limit_reached", "This room has all the polls it can hold.")
    poll, events = make(last + 1)
    session.add(
        Poll(
            room_id=room_id, id=poll.id, kind=poll.kind, question=poll.question,
            options=json.dumps(list(poll.options)), correct=poll.correct,
            anonymous=poll.anonymous, changeable=poll.changeable, state=poll.state,
            revealed=poll.revealed, created_by=poll.created_by, created_at=utcnow(),
        )
    )  # fmt: skip
    await session.flush()
    return poll, await rooms.append_all(session, room_id, events)


async def change(
    session: AsyncSession, room_id: int, who: Speaker, poll_id: int, rule: Rule
) -> tuple[rules.Poll, list[Logged]]:
    """Apply one rule to one poll (launch, close, reveal, answer) and log it."""
    await rooms.lock_room(session, room_id)
    before = await one_poll(session, room_id, poll_id)
    after, events = rule(before)
    if (before.state, before.revealed) != (after.state, after.revealed):
        await session.execute(
            update(Poll)
            .where(Poll.room_id == room_id, Poll.id == poll_id)
            .values(state=after.state, revealed=after.revealed)
        )
    for member, value in after.answers.items():
        if before.answers.get(member) == value:
            continue
        if member in before.answers:
            await session.execute(
                update(PollAnswer)
                .where(
                    PollAnswer.room_id == room_id,
                    PollAnswer.poll_id == poll_id,
                    PollAnswer.member == member,
                )
                .values(value=dump_answer(value), answered_at=utcnow())
            )
        else:
            session.add(PollAnswer(room_id=room_id, poll_id=poll_id, member=member,
                                   name=who.name, value=dump_answer(value)))  # fmt: skip
    await session.flush()
    return after, await rooms.append_all(session, room_id, events)


def dump_answer(value: rules.Answer) -> str:
    return json.dumps(sorted(value) if isinstance(value, frozenset) else value)


def load_answer(text: str) -> rules.Answer:
    value = json.loads(text)
    return frozenset(value) if isinstance(value, list) else value


def _poll(row: Poll, answers: dict[str, rules.Answer]) -> rules.Poll:
    return rules.Poll(
        id=row.id,
        kind=rules.KIND_OF[row.kind],
        question=row.question,
        created_by=row.created_by,
        options=tuple(json.loads(row.options)),
        correct=row.correct,
        anonymous=row.anonymous,
        changeable=row.changeable,
        state=rules.STATES[row.state],
        revealed=row.revealed,
        answers=answers,
    )
