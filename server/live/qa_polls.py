"""Questions and polls on the socket: each command becomes a pure rule applied in the store."""

from __future__ import annotations

from collections.abc import Callable

from server.live.acting import hub_of, publish_all, speaker
from server.live.frames import ack
from server.live.session import Session
from server.live.worker import LiveWorker
from server.rooms import commands as c
from server.rooms import polls as poll_rules
from server.rooms import qa
from server.rooms.commands import CommandError
from server.store import moderation, polls, questions

# Questions and poll answers per person, across all workers: generous for people, not bots.
QA_PER_10S = 30


async def _limit_qa(live: LiveWorker, session: Session) -> None:
    if await live.over_limit(f"qa:{session.visitor.key}", QA_PER_10S, 10):
        raise CommandError("rate_limited", f"Slow down: at most {QA_PER_10S} in 10 seconds.",
                           retry_after=10)  # fmt: skip


QA_MOVES: dict[str, Callable[[qa.QaBoard, str, str, int], qa.Change]] = {
    "qa.withdraw": qa.withdraw,
    "qa.vote": qa.vote,
    "qa.unvote": qa.unvote,
    "qa.approve": qa.approve,
    "qa.hide": qa.hide,
    "qa.restore": qa.restore,
    "qa.answering": qa.start_answering,
    "qa.reopen": qa.reopen,
    "qa.dismiss": qa.dismiss,
}


# Screening moves that the audit log records, by the action's name there.
SCREENING = {"qa.hide": "hide_question", "qa.restore": "restore_question"}


def _qa_rule(session: Session, cmd: c.Command) -> tuple[list[int], questions.Rule]:
    """The questions a command names, and the pure rule it applies to them."""
    m, r = session.member_id, session.role
    match cmd:
        case c.QaAsk():
            return [], lambda b: qa.ask(b, m, r, cmd.body, anonymous=cmd.anonymous,
                                        name=session.name)  # fmt: skip
        case c.QaEdit():
            return [cmd.id], lambda b: qa.edit(b, m, r, cmd.id, cmd.body)
        case c.QaMove():
            move = QA_MOVES[cmd.op]
            return [cmd.id], lambda b: move(b, m, r, cmd.id)
        case c.QaMerge():
            return [cmd.id, cmd.into], lambda b: qa.merge(b, m, r, cmd.id, cmd.into)
        case c.QaAnswered():
            return [cmd.id], lambda b: qa.mark_answered(b, m, r, cmd.id, cmd.text)
        case c.QaConfigure():
            return [], lambda b: qa.configure(
                b, m, r, premoderation=cmd.premoderation,
                hide_authors_from_staff=cmd.hide_authors_from_staff,
            )  # fmt: skip
    raise AssertionError(f"not a Q&A command: {cmd.op}")


async def question(live: LiveWorker, session: Session, cmd: c.Command) -> str | None:
    hub = hub_of(live, session)
    await _limit_qa(live, session)
    ids, rule = _qa_rule(session, cmd)
    who = speaker(session)
    if isinstance(cmd, c.QaMove) and cmd.op in SCREENING:  # a moderator's act: audited
        _, logged = await live.store.write(
            moderation.moderate_questions, hub.room_id, session.community_id, who,
            SCREENING[cmd.op], cmd.id, rule, ids,
        )  # fmt: skip
        return ack(cmd.ref, seq=await publish_all(live, logged))
    board, logged = await live.store.write(questions.change, hub.room_id, who, ids, rule)
    seq = await publish_all(live, logged)
    if isinstance(cmd, c.QaAsk):
        return ack(cmd.ref, id=board.next_id - 1, seq=seq)
    return ack(cmd.ref, seq=seq)


async def poll_create(live: LiveWorker, session: Session, cmd: c.PollCreate) -> str | None:
    hub = hub_of(live, session)
    m, r = session.member_id, session.role

    def make(poll_id: int) -> poll_rules.Change:
        return poll_rules.create(
            poll_id, m, r, cmd.kind, cmd.question, cmd.options, correct=cmd.correct,
            anonymous=cmd.anonymous, changeable=cmd.changeable,
        )  # fmt: skip

    poll, logged = await live.store.write(polls.create, hub.room_id, speaker(session), make)
    return ack(cmd.ref, id=poll.id, seq=await publish_all(live, logged))


POLL_MOVES: dict[str, Callable[[poll_rules.Poll, str, str], poll_rules.Change]] = {
    "poll.launch": poll_rules.launch,
    "poll.close": poll_rules.close,
    "poll.reveal": poll_rules.reveal,
}


async def poll_move(live: LiveWorker, session: Session, cmd: c.PollMove) -> str | None:
    hub = hub_of(live, session)
    move = POLL_MOVES[cmd.op]
    _, logged = await live.store.write(
        polls.change, hub.room_id, speaker(session), cmd.id,
        lambda p: move(p, session.member_id, session.role),
    )  # fmt: skip
    return ack(cmd.ref, seq=await publish_all(live, logged))


async def poll_answer(live: LiveWorker, session: Session, cmd: c.PollAnswer) -> str | None:
    hub = hub_of(live, session)
    await _limit_qa(live, session)
    value = frozenset(cmd.answer) if isinstance(cmd.answer, list) else cmd.answer
    m, r = session.member_id, session.role
    poll, logged = await live.store.write(
        polls.change, hub.room_id, speaker(session), cmd.id,
        lambda p: poll_rules.answer(p, m, r, value),
    )  # fmt: skip
    mine = poll_rules.wire_answer(poll.answers[m])
    return ack(cmd.ref, seq=await publish_all(live, logged), mine=mine)
