"""Questions and polls through real sockets on one real server: the everyday path."""

from __future__ import annotations

import json
from typing import Any

from tests.live.support import Client, Seeded, Someone
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


def _about(client: Client, qid: int) -> list[dict[str, Any]]:
    """Every question event the client received that names question `qid`."""
    return [
        e
        for e in client.events()
        if e["type"].startswith("question.")
        and qid in (e.get("id"), e.get("question", {}).get("id"))
    ]


async def _barrier(clients: list[Client], sender: Client, body: str) -> None:
    """Once each client has a chat message sent now, it has had every earlier event it was
    going to get, since events arrive in `seq` order."""
    assert (await sender.send("chat.send", client_id=body, body=body))["type"] == "ack"
    for c in clients:
        await c.wait_for(lambda c=c: body in _chat_bodies(c))  # type: ignore[misc]


def _chat_bodies(client: Client) -> list[str]:
    return [e["message"]["body"] for e in client.events() if e["type"] == "chat.message"]


async def _listed(server: Server, someone: Someone, room: int) -> list[dict[str, Any]]:
    """The questions of a fresh join's snapshot."""
    fresh = await _joined(server, someone.cookie, room)
    await fresh.close()
    questions: list[dict[str, Any]] = _snapshot(fresh)["qa"]["questions"]
    return questions


async def test_a_pending_question_reaches_the_staff_and_its_author_only(
    server: Server, room: Seeded
) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    co_host = await _joined(server, room.co_host.cookie, room.event_id)
    moderator = await _joined(server, room.moderator.cookie, room.event_id)
    speaker = await _joined(server, room.speaker.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    # The speaker is on the stage but does not screen: pending questions are not theirs.
    told, not_told = [host, co_host, moderator, a], [speaker, b]
    assert (await host.send("qa.configure", premoderation=True))["type"] == "ack"
    asked = await a.send("qa.ask", body="Is unsafe Rust still Rust?")
    assert asked["type"] == "ack"
    qid = asked["id"]
    await _barrier([*told, *not_told], host, "after the question")
    for c in told:
        [event] = _about(c, qid)
        assert event["type"] == "question.asked" and event["question"]["state"] == "pending"
    assert [_about(c, qid) for c in not_told] == [[], []], "a pending question leaked"
    # A fresh join lists it for the staff and the author only.
    for someone, sees in [
        (room.co_host, True),
        (room.moderator, True),
        (room.attendees[0], True),
        (room.speaker, False),
        (room.attendees[1], False),
    ]:
        listed = [q["id"] for q in await _listed(server, someone, room.event_id)]
        assert (qid in listed) == sees, (someone.name, listed)

    # Approved, it reaches everyone; edited under screening, it leaves everyone's view
    # again, and its new words reach the staff and the author only.
    assert (await moderator.send("qa.approve", id=qid))["type"] == "ack"
    assert (await a.send("qa.edit", id=qid, body="Is unsafe Rust Rust?"))["type"] == "ack"
    await _barrier([*told, *not_told], host, "after the edit")
    for c in told:
        edited = [e["question"]["state"] for e in _about(c, qid) if e["type"] == "question.edited"]
        assert edited == ["pending"]
    for c in not_told:
        assert [e["type"] for e in _about(c, qid)] == ["question.approved", "question.removed"]
        assert "Is unsafe Rust Rust?" not in json.dumps(c.frames)
    for c in [*told, *not_told]:
        await c.close()


def _not_presence(frame: dict[str, Any]) -> dict[str, Any]:
    """A frame without who is in the room, which everyone may know by design."""
    if frame.get("type") == "snapshot":
        return {k: v for k, v in frame.items() if k != "people"}
    if frame.get("type") == "events":
        return {**frame, "events": [e for e in frame["events"] if e["type"] != "presence"]}
    return frame


async def test_an_anonymous_author_reaches_no_other_attendee(server: Server, room: Seeded) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    moderator = await _joined(server, room.moderator.cookie, room.event_id)
    speaker = await _joined(server, room.speaker.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    a_id, a_name = _snapshot(a)["you"]["id"], room.attendees[0].name
    assert a_id in {p["id"] for p in _snapshot(b)["people"]}, "B knows A is in the room"

    # A's anonymous question goes through its whole life, B voting on it; a second one is
    # asked under screening, so it is pending, then approved.
    asked = await a.send("qa.ask", body="Why is the borrow checker so strict?", anonymous=True)
    assert asked["type"] == "ack"
    first = asked["id"]
    assert (await a.send("qa.edit", id=first, body="Why is borrowck so strict?"))["type"] == "ack"
    assert (await b.send("qa.vote", id=first))["type"] == "ack"
    assert (await host.send("qa.answering", id=first))["type"] == "ack"
    assert (await host.send("qa.answered", id=first, text="To keep you safe."))["type"] == "ack"
    assert (await host.send("qa.configure", premoderation=True))["type"] == "ack"
    second = (await a.send("qa.ask", body="And lifetimes?", anonymous=True))["id"]
    assert (await moderator.send("qa.approve", id=second))["type"] == "ack"
    await _barrier([host, moderator, speaker, a, b], host, "after the questions")

    # The staff learn the author on their own line.
    for c in (host, moderator):
        authors = {(e["id"], e["author"]) for e in c.events() if e["type"] == "question.author"}
        assert authors == {(first, a_id), (second, a_id)}
    # B, the speaker and a late attendee got both questions, and never A's id or name.
    late = await _joined(server, room.attendees[2].cookie, room.event_id)
    for c in (b, speaker, late):
        got = {e["question"]["id"] for e in c.events() if "question" in e}
        got |= {q["id"] for f in c.frames if f["type"] == "snapshot" for q in f["qa"]["questions"]}
        assert {first, second} <= got
        text = json.dumps([_not_presence(f) for f in c.frames])
        assert a_id not in text and a_name not in text, "an anonymous author reached an attendee"
    # A still knows the questions are theirs.
    mine = {q["id"]: q for q in await _listed(server, room.attendees[0], room.event_id)}
    assert mine[first]["author"] == a_id and mine[first]["mine"] is True

    # With the staff's view of authors turned off, a new anonymous question names nobody,
    # not even to the host.
    off = await host.send("qa.configure", premoderation=False, hide_authors_from_staff=True)
    assert off["type"] == "ack"
    third = (await a.send("qa.ask", body="Who wrote this?", anonymous=True))["id"]
    await _barrier([host], host, "after the third")
    assert third not in {e["id"] for e in host.events() if e["type"] == "question.author"}
    [shown] = [q for q in await _listed(server, room.host, room.event_id) if q["id"] == third]
    assert shown["author"] is None and shown["author_name"] is None
    for c in (host, moderator, speaker, a, b, late):
        await c.close()
