"""A hundred people vote and answer at once across two real workers on Redis: each counts once.

Half the room is on each worker. Every vote and every poll answer takes the room row's lock
in the shared store, whichever worker takes it, so the counts must come out exact: on the
live line of both workers, in a fresh join's snapshot on both, and in the tables.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import polls as poll_rules
from server.rooms import qa
from server.store import polls, questions
from server.store.room_tables import PollAnswer, QuestionVote
from tests.live.cluster import Cluster, eventually
from tests.live.support import Client, Someone, ok, seed

A, B = 0, 1
PEOPLE = 100
OPTIONS = ["Traits", "Macros", "Async", "Unsafe"]


def _answer(n: int) -> int:
    # Uneven on purpose, and one option nobody picks: [34, 33, 33, 0].
    return n % 3


async def _joined(cluster: Cluster, worker: int, room: int, someone: Someone) -> Client:
    client = await Client.open(cluster.url(worker), someone.cookie)
    reply = await client.join(room)
    assert reply["type"] == "ack", reply
    await client.wait_for(lambda: _snapshot(client) is not None, timeout=30)
    return client


def _snapshot(client: Client) -> dict[str, Any] | None:
    return next((f for f in reversed(client.frames) if f["type"] == "snapshot"), None)


def _me(client: Client) -> str:
    snap = _snapshot(client)
    assert snap is not None
    return str(snap["you"]["id"])


def _of(client: Client, kind: str, thing: int) -> list[dict[str, Any]]:
    return [e for e in client.events() if e["type"] == kind and e["id"] == thing]


async def test_a_hundred_votes_and_answers_on_two_workers_count_once_each(
    cluster: Cluster,
) -> None:
    # The cluster's own room is small; this one has the hundred, in the same store.
    room = await seed(cluster.db_url, attendees=PEOPLE)
    rid = room.event_id
    # The stage sees poll results as they come: the host watches on A, the co-host on B.
    watchers = [
        await _joined(cluster, A, rid, room.host),
        await _joined(cluster, B, rid, room.co_host),
    ]
    host = watchers[0]
    qid = (await ok(host, "qa.ask", body="Shall we cover async next?"))["id"]
    pid = (
        await ok(host, "poll.create", kind="single", question="Which topic next?", options=OPTIONS)
    )["id"]
    await ok(host, "poll.launch", id=pid)

    # Half the room on each worker, every one of them voting, then answering, at once.
    people = await asyncio.gather(
        *[_joined(cluster, n % 2, rid, someone) for n, someone in enumerate(room.attendees)]
    )
    members = [_me(c) for c in people]
    assert len(set(members)) == PEOPLE

    votes = await asyncio.gather(*[c.send("qa.vote", id=qid) for c in people])
    assert [v["type"] for v in votes] == ["ack"] * PEOPLE, [v for v in votes if v["type"] != "ack"]
    answers = await asyncio.gather(
        *[c.send("poll.answer", id=pid, answer=_answer(n)) for n, c in enumerate(people)]
    )
    assert [(a["type"], a.get("mine")) for a in answers] == [
        ("ack", _answer(n)) for n in range(PEOPLE)
    ]
    sent = {member: _answer(n) for n, member in enumerate(members)}
    counts = [Counter(sent.values())[i] for i in range(len(OPTIONS))]
    expected = {"voters": PEOPLE, "counts": counts, "average": None, "words": []}

    # (a) On both workers' live lines: the latest count is the hundred, and every count
    # before it was lower (counts come in `seq` order; a frame keeps only the latest).
    for watcher in watchers:
        await eventually(
            lambda w=watcher: (
                any(e["votes"] == PEOPLE for e in _of(w, "question.voted", qid))  # type: ignore[misc]
                and any(e["results"]["voters"] == PEOPLE for e in _of(w, "poll.results", pid))
            ),
            60,
            "a hundred votes and answers seen on each worker",
        )
        tallies = [e["votes"] for e in _of(watcher, "question.voted", qid)]
        assert tallies == sorted(set(tallies)) and tallies[-1] == PEOPLE
        assert _of(watcher, "poll.results", pid)[-1]["results"] == expected

    # ... and in a fresh join's snapshot on each worker (the speaker is on the stage).
    for worker in (A, B):
        fresh = await _joined(cluster, worker, rid, room.speaker)
        snap = _snapshot(fresh)
        assert snap is not None
        [question] = [q for q in snap["qa"]["questions"] if q["id"] == qid]
        [poll] = [p for p in snap["polls"] if p["id"] == pid]
        assert question["votes"] == PEOPLE
        assert poll["results"] == expected and poll["answers"] == sent
        await fresh.close()

    # (b) In the store.
    await _check_store(cluster, rid, qid, pid, set(members), sent)

    # A second vote and a second answer by the same person, from the other worker, are
    # refused, and nothing moves.
    again = await _joined(cluster, B, rid, room.attendees[0])  # their first tab is on A
    assert _me(again) == members[0]
    vote = await again.send("qa.vote", id=qid)
    assert (vote["type"], vote.get("code")) == ("error", "conflict"), vote
    answer = await again.send("poll.answer", id=pid, answer=3)
    assert (answer["type"], answer.get("code")) == ("error", "conflict"), answer
    await ok(host, "chat.send", client_id="after", body="after the second vote")
    for watcher in [*watchers, again]:
        await watcher.wait_for(
            lambda w=watcher: any(  # type: ignore[misc]
                e["type"] == "chat.message" and e["message"]["body"] == "after the second vote"
                for e in w.events()
            ),
            timeout=30,
        )
    for watcher in watchers:
        assert _of(watcher, "question.voted", qid)[-1]["votes"] == PEOPLE
    assert not _of(again, "question.voted", qid), "a refused vote sent a count"
    await _check_store(cluster, rid, qid, pid, set(members), sent)

    await asyncio.gather(*[c.close() for c in [*watchers, *people, again]])
    assert "Traceback" not in cluster.logs(), cluster.logs()[-5000:]


async def _check_store(
    cluster: Cluster, room_id: int, qid: int, pid: int, voters: set[str], sent: dict[str, int]
) -> None:
    async def read(session: AsyncSession) -> tuple[qa.QaBoard, poll_rules.Poll, int, int]:
        vote_rows = await session.scalar(
            select(func.count())
            .select_from(QuestionVote)
            .where(QuestionVote.room_id == room_id, QuestionVote.question_id == qid)
        )
        answer_rows = await session.scalar(
            select(func.count())
            .select_from(PollAnswer)
            .where(PollAnswer.room_id == room_id, PollAnswer.poll_id == pid)
        )
        return (
            await questions.board(session, room_id),
            await polls.one_poll(session, room_id, pid),
            int(vote_rows or 0),
            int(answer_rows or 0),
        )

    board, poll, vote_rows, answer_rows = await cluster.store.read(read)
    assert (vote_rows, answer_rows) == (PEOPLE, PEOPLE)
    question = board.questions[qid]
    assert question.votes == PEOPLE and question.voters == voters
    assert poll.answers == sent
    assert poll_rules.results(poll)["voters"] == PEOPLE
    assert poll_rules.results(poll)["counts"] == [
        Counter(sent.values())[i] for i in range(len(OPTIONS))
    ]
