"""Questions and polls through real sockets on one real server: the everyday path."""

from __future__ import annotations

from typing import Any

from tests.live.support import Client, Seeded
from tests.servers import Server


async def _joined(server: Server, cookie: str, room: int) -> Client:
    client = await Client.open(server.url, cookie)
    assert (await client.join(room))["type"] == "ack"
    await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames))
    return client


def _snapshot(client: Client) -> dict[str, Any]:
    return next(f for f in reversed(client.frames) if f["type"] == "snapshot")


def _of(client: Client, kind: str) -> list[dict[str, Any]]:
    return [e for e in client.events() if e["type"] == kind]


async def test_a_question_is_asked_voted_up_and_answered(server: Server, room: Seeded) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    asked = await a.send("qa.ask", body="  What is a lifetime?  ")
    assert asked["type"] == "ack" and asked["id"] >= 1
    qid = asked["id"]
    assert (await b.send("qa.vote", id=qid))["type"] == "ack"
    again = await b.send("qa.vote", id=qid)
    assert again["type"] == "error" and again["code"] == "conflict"
    await host.wait_for(lambda: any(e["id"] == qid for e in _of(host, "question.voted")))
    assert _of(host, "question.voted")[-1]["votes"] == 1
    assert (await host.send("qa.answering", id=qid))["type"] == "ack"
    done = await host.send("qa.answered", id=qid, text="A span the borrow checker tracks.")
    assert done["type"] == "ack"
    await a.wait_for(lambda: bool(_of(a, "question.answered")))
    answered = _of(a, "question.answered")[-1]["question"]
    assert answered["state"] == "answered" and answered["answer"].startswith("A span")
    assert answered["body"] == "What is a lifetime?" and answered["author_name"] == "Learner 0"
    late = await _joined(server, room.attendees[2].cookie, room.event_id)
    seen = _snapshot(late)["qa"]["questions"]
    assert [(q["id"], q["votes"], q["state"]) for q in seen] == [(qid, 1, "answered")]
    for c in (host, a, b, late):
        await c.close()


async def test_a_poll_is_launched_answered_closed_and_revealed(
    server: Server, room: Seeded
) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    made = await host.send(
        "poll.create", kind="single", question="Which topic next?", options=["Traits", "Macros"]
    )
    assert made["type"] == "ack"
    pid = made["id"]
    early = await a.send("poll.answer", id=pid, answer=0)
    assert early["type"] == "error" and early["code"] in ("conflict", "forbidden")
    assert (await host.send("poll.launch", id=pid))["type"] == "ack"
    answered = await a.send("poll.answer", id=pid, answer=1)
    assert answered["type"] == "ack" and answered["mine"] == 1
    await host.wait_for(lambda: any(e["id"] == pid for e in _of(host, "poll.results")))
    assert _of(host, "poll.results")[-1]["results"]["counts"] == [0, 1]
    assert not _of(a, "poll.results"), "results reach attendees only once revealed"
    assert (await host.send("poll.close", id=pid))["type"] == "ack"
    late = await a.send("poll.answer", id=pid, answer=0)
    assert late["type"] == "error" and late["code"] == "poll_closed"
    assert (await host.send("poll.reveal", id=pid))["type"] == "ack"
    await a.wait_for(lambda: bool(_of(a, "poll.revealed")))
    assert _of(a, "poll.revealed")[-1]["results"]["counts"] == [0, 1]
    for c in (host, a):
        await c.close()
