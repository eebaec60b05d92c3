"""The room's questions and polls on the event page, in "Your questions", and in the hosts'
exports, against a real server: questions are asked through real sockets, the session is then
moved into the past, and pages are read as each kind of person sees them."""

from __future__ import annotations

import csv
import html
import io
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, accounts, communities
from server.store.tables import Event, EventSpeaker, utcnow
from tests.clients import Visitor
from tests.live.support import Client, Seeded, Someone, ok, seed
from tests.servers import Server


def _db(server: Server) -> str:
    return f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}"


@dataclass
class Room:
    """A seeded event with a speaker and a moderator, and a way to open pages and sockets."""

    server: Server
    seeded: Seeded
    speaker: Someone
    moderator: Someone
    stack: AsyncExitStack

    @property
    def id(self) -> int:
        return self.seeded.event_id

    async def visitor(self, someone: Someone | None = None) -> Visitor:
        v = await self.stack.enter_async_context(Visitor(self.server.url))
        if someone is not None:
            v.http.cookies.set("studyhall_session", someone.cookie)
        return v

    async def page(self, someone: Someone | None = None) -> str:
        r = await (await self.visitor(someone)).get(f"/events/{self.id}")
        assert r.status_code == 200, r.text
        return r.text

    async def socket(self, someone: Someone) -> Client:
        client = await Client.open(self.server.url, someone.cookie)
        self.stack.push_async_callback(client.close)
        assert (await client.join(self.id))["type"] == "ack"
        await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames))
        return client

    async def move(self, by: timedelta) -> None:
        """Shift the event in time: into the past to end its session, ahead to come."""
        store = Store(_db(self.server))
        start = utcnow() + by

        async def shift(session: AsyncSession) -> None:
            await session.execute(
                update(Event)
                .where(Event.id == self.id)
                .values(starts_at=start, ends_at=start + timedelta(hours=1),
                        series_ends_at=start + timedelta(hours=1))
            )  # fmt: skip

        try:
            await store.write(shift)
        finally:
            await store.close()


async def _someone(store: Store, name: str) -> Someone:
    async def make(session: AsyncSession) -> Someone:
        person = await accounts.create_person(
            session, email=f"{secrets.token_hex(6)}@example.org", password="p" * 12,
            display_name=name,
        )  # fmt: skip
        return Someone(person.id, name, await accounts.start_session(session, person.id))

    return await store.write(make)


@pytest.fixture
async def room(server: Server) -> AsyncIterator[Room]:
    seeded = await seed(_db(server))
    store = Store(_db(server))
    try:
        event = await store.read(lambda s: s.get_one(Event, seeded.event_id))
        speaker = await _someone(store, "Sam Speaker")

        async def add_speaker(session: AsyncSession) -> None:
            session.add(EventSpeaker(event_id=event.id, person_id=speaker.person_id))

        await store.write(add_speaker)
        moderator = await _someone(store, "Mo Moderator")
        await store.write(communities.join, event.community_id, moderator.person_id)
        await store.write(
            communities.change_role, event.community_id, actor_id=seeded.host.person_id,
            person_id=moderator.person_id, role="moderator",
        )  # fmt: skip
    finally:
        await store.close()
    async with AsyncExitStack() as stack:
        yield Room(server, seeded, speaker, moderator, stack)


async def _ask(client: Client, body: str, anonymous: bool = False) -> int:
    ack = await client.send("qa.ask", body=body, anonymous=anonymous)
    assert ack["type"] == "ack", ack
    return int(ack["id"])


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _questions(page: str) -> dict[int, str]:
    """Each question on an event page, by id, as the words a reader sees."""
    found = re.findall(r'<li id="q-(\d+)" class="question">(.*?)</li>', page, re.S)
    return {int(qid): _text(block) for qid, block in found}


def _csv(r: httpx.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(r.text)))


async def test_the_event_page_shows_each_person_the_questions_they_may_see(room: Room) -> None:
    host = await room.socket(room.seeded.host)
    ada, bo, cy = [await room.socket(a) for a in room.seeded.attendees]
    public = await _ask(ada, "What is a lifetime?")
    named_to_staff = await _ask(bo, "Is unsafe ever fine?", anonymous=True)
    await ok(host, "qa.configure", premoderation=False, hide_authors_from_staff=True)
    hidden_from_staff = await _ask(cy, "May I ask something silly?", anonymous=True)
    await ok(host, "qa.configure", premoderation=True, hide_authors_from_staff=False)
    pending = await _ask(ada, "Waiting for screening?")
    await room.move(-timedelta(days=1))

    everyone = {public, named_to_staff, hidden_from_staff}
    for outside in (None, room.seeded.outsider):
        seen = _questions(await room.page(outside))
        assert set(seen) == everyone, "a visitor without a role sees what an attendee sees"
        assert "asked by Learner 0" in seen[public]
        assert "asked anonymously" in seen[named_to_staff]
        assert "Learner 1" not in seen[named_to_staff]
        assert "Learner 2" not in seen[hidden_from_staff]

    as_host = _questions(await room.page(room.seeded.host))
    assert set(as_host) == {*everyone, pending}
    assert "asked by Learner 1 (anonymous to the room)" in as_host[named_to_staff]
    assert "asked anonymously" in as_host[hidden_from_staff], "the room's promise holds"
    assert "Waiting for screening" in as_host[pending]
    assert set(_questions(await room.page(room.moderator))) == {*everyone, pending}
    assert set(_questions(await room.page(room.speaker))) == everyone, "speakers do not screen"

    as_ada = _questions(await room.page(room.seeded.attendees[0]))
    assert set(as_ada) == {*everyone, pending}, "an author sees their own pending question"
    as_bo = _questions(await room.page(room.seeded.attendees[1]))
    assert set(as_bo) == everyone
    assert "asked by you, anonymously" in as_bo[named_to_staff]
    assert "Learner 2" not in as_bo[hidden_from_staff]


async def test_the_stage_answers_in_writing_and_the_asker_sees_it(room: Room) -> None:
    host = await room.socket(room.seeded.host)
    ada = await room.socket(room.seeded.attendees[0])
    bo = await room.socket(room.seeded.attendees[1])
    qid = await _ask(ada, "How do lifetimes relate to borrowing?")
    await ok(bo, "qa.vote", id=qid)
    await ok(host, "qa.configure", premoderation=True, hide_authors_from_staff=False)
    pending = await _ask(bo, "Still waiting?")
    await room.move(-timedelta(hours=3))

    speaker = await room.visitor(room.speaker)
    path = f"/events/{room.id}/questions/{qid}/answer"
    empty = await speaker.form(path, {"text": "   "})
    assert empty.status_code == 422 and f'id="answer-{qid}-error"' in empty.text
    assert "Write the answer first" in empty.text
    long = "Lifetimes <b>are</b> " + "x" * 2000
    too_long = await speaker.form(path, {"text": long})
    assert too_long.status_code == 422 and "At most 2,000 characters" in too_long.text
    assert html.escape(long, quote=False) in too_long.text, "what was typed comes back"
    screened = await speaker.form(f"/events/{room.id}/questions/{pending}/answer", {"text": "Hi"})
    assert screened.status_code == 409 and "cannot be done" in screened.text
    missing = await speaker.form(f"/events/{room.id}/questions/999/answer", {"text": "Hi"})
    assert missing.status_code == 404
    attendee = await room.visitor(room.seeded.attendees[1])
    assert (await attendee.form(path, {"text": "Me!"})).status_code == 403
    forged = await speaker.http.post(path, data={"text": "No token"})
    assert forged.status_code == 403

    answer = "Every reference has a lifetime;\nthe borrow checker compares them."
    saved = await speaker.form(path, {"text": answer.replace("\n", "\r\n")})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/events/{room.id}?done=answered#q-{qid}"
    await host.wait_for(lambda: any(e["type"] == "question.answered" for e in host.events()))
    live = next(e for e in host.events() if e["type"] == "question.answered")["question"]
    assert live["id"] == qid and live["state"] == "answered" and live["answer"] == answer

    seen = _questions(await room.page(room.seeded.attendees[0]))[qid]
    assert "Answered" in seen and "1 vote" in seen and "the borrow checker compares them" in seen
    mine = await (await room.visitor(room.seeded.attendees[0])).get("/my/events")
    assert mine.status_code == 200
    section = mine.text.split('id="your-questions-heading"', 1)[1]
    assert "How do lifetimes relate to borrowing?" in section
    assert f'href="/events/{room.id}#q-{qid}"' in section and "Intro to Rust" in section
    assert "Answered" in _text(section) and "1 vote" in _text(section)
    assert "the borrow checker compares them." in section
    others = await (await room.visitor(room.seeded.attendees[2])).get("/my/events")
    assert "Your questions" not in others.text

    host_page = await room.visitor(room.seeded.host)
    again = await host_page.form(path, {"text": "Shorter: see the book, chapter 10."})
    assert again.status_code == 303
    assert "chapter 10" in _questions(await room.page(room.seeded.attendees[0]))[qid]


async def test_exports_hold_the_rows_and_only_staff_get_them(room: Room) -> None:
    host = await room.socket(room.seeded.host)
    ada, bo, cy = [await room.socket(a) for a in room.seeded.attendees]
    formula = await _ask(ada, '=HYPERLINK("http://evil.example","click")')
    anonymous = await _ask(bo, "Is unsafe ever fine?", anonymous=True)
    await ok(host, "qa.configure", premoderation=False, hide_authors_from_staff=True)
    hidden = await _ask(cy, "-1 or +1?", anonymous=True)
    await ok(cy, "qa.vote", id=formula)
    await ok(host, "qa.answered", id=anonymous, text="@everyone: sometimes.")

    topic = (await ok(host, "poll.create", kind="single", question="Which topic next?",
                       options=["Traits", "=1+1"]))["id"]  # fmt: skip
    quiz = (await ok(host, "poll.create", kind="quiz", question="Which keyword moves?",
                      options=["ref", "move", "static"], correct=1))["id"]  # fmt: skip
    secret = (await ok(host, "poll.create", kind="quiz", question="Secret quiz",
                        options=["a", "b"], correct=0, anonymous=True))["id"]  # fmt: skip
    cloud = (await ok(host, "poll.create", kind="word_cloud", question="One word?"))["id"]
    for pid in (topic, quiz, secret, cloud):
        await ok(host, "poll.launch", id=pid)
    await ok(ada, "poll.answer", id=topic, answer=1)
    await ok(bo, "poll.answer", id=topic, answer=0)
    await ok(ada, "poll.answer", id=quiz, answer=1)
    await ok(bo, "poll.answer", id=quiz, answer=0)
    await ok(bo, "poll.answer", id=secret, answer=0)
    await ok(ada, "poll.answer", id=cloud, answer="@home")
    for pid in (topic, quiz, secret, cloud):
        await ok(host, "poll.close", id=pid)
        await ok(host, "poll.reveal", id=pid)
    await room.move(-timedelta(days=2))

    as_host = await room.visitor(room.seeded.host)
    rows = {int(r["id"]): r for r in _csv(await as_host.get(f"/events/{room.id}/questions.csv"))}
    assert set(rows) == {formula, anonymous, hidden}
    assert rows[formula]["body"] == "'" + '=HYPERLINK("http://evil.example","click")'
    assert rows[formula]["author_name"] == "Learner 0" and rows[formula]["votes"] == "1"
    assert rows[anonymous]["author_name"] == "Learner 1" and rows[anonymous]["anonymous"] == "yes"
    assert rows[anonymous]["answer"] == "'@everyone: sometimes."
    assert rows[anonymous]["state"] == "answered" and rows[anonymous]["asked_at"].endswith("Z")
    assert rows[hidden]["author_name"] == "" and rows[hidden]["body"] == "'-1 or +1?"
    json_r = await as_host.get(f"/api/events/{room.id}/questions")
    assert json_r.status_code == 200
    listed = {q["id"]: q for q in json_r.json()["questions"]}
    assert listed[hidden]["author_name"] is None and listed[anonymous]["author_name"] == "Learner 1"
    assert listed[formula]["body"].startswith("=HYPERLINK"), "JSON is data, not a spreadsheet"

    results = _csv(await as_host.get(f"/events/{room.id}/polls.csv"))
    counts = {(r["poll"], r["answer"]): (r["people"], r["correct"]) for r in results}
    assert counts[(str(topic), "Traits")] == ("1", "")
    assert counts[(str(topic), "'=1+1")] == ("1", "")
    assert counts[(str(quiz), "move")] == ("1", "yes") and counts[(str(quiz), "ref")] == ("1", "no")
    assert counts[(str(cloud), "'@home")] == ("1", "")
    answers = _csv(await as_host.get(f"/events/{room.id}/poll-answers.csv"))
    said = {(r["poll"], r["name"]): r["answer"] for r in answers}
    assert said == {
        (str(topic), "Learner 0"): "'=1+1",
        (str(topic), "Learner 1"): "Traits",
        (str(quiz), "Learner 0"): "move",
        (str(quiz), "Learner 1"): "ref",
        (str(cloud), "Learner 0"): "'@home",
    }, "an anonymous poll names no one"
    scores = _csv(await as_host.get(f"/events/{room.id}/quiz-scores.csv"))
    assert scores == [
        {"name": "Learner 0", "score": "1", "quizzes": "1"},
        {"name": "Learner 1", "score": "0", "quizzes": "1"},
    ]

    page = await room.page(room.seeded.host)
    for link in ("questions.csv", "polls.csv", "poll-answers.csv", "quiz-scores.csv"):
        assert f'href="/events/{room.id}/{link}"' in page
    as_moderator = await room.visitor(room.moderator)
    assert (await as_moderator.get(f"/events/{room.id}/questions.csv")).status_code == 200
    assert (await as_moderator.get(f"/events/{room.id}/polls.csv")).status_code == 403
    assert "questions.csv" in (moderator_page := await room.page(room.moderator))
    assert "polls.csv" not in moderator_page
    for someone in (room.seeded.attendees[0], room.speaker, room.seeded.outsider):
        refused = await room.visitor(someone)
        for export in ("questions.csv", "polls.csv", "poll-answers.csv", "quiz-scores.csv"):
            assert (await refused.get(f"/events/{room.id}/{export}")).status_code == 403
        r = await refused.get(f"/api/events/{room.id}/questions")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert "questions.csv" not in await room.page(room.seeded.attendees[0])
    stranger = await room.visitor()
    assert (await stranger.get(f"/events/{room.id}/questions.csv")).status_code == 401


async def test_polls_on_the_event_page_after_the_session(room: Room) -> None:
    host = await room.socket(room.seeded.host)
    ada = await room.socket(room.seeded.attendees[0])
    shown = (await ok(host, "poll.create", kind="rating", question="How was it?"))["id"]
    kept = (await ok(host, "poll.create", kind="single", question="Kept to the stage?",
                      options=["Yes", "No"]))["id"]  # fmt: skip
    draft = (await ok(host, "poll.create", kind="word_cloud", question="Never launched"))["id"]
    for pid in (shown, kept):
        await ok(host, "poll.launch", id=pid)
    await ok(ada, "poll.answer", id=shown, answer=4)
    await ok(ada, "poll.answer", id=kept, answer=0)
    await ok(host, "poll.close", id=shown)
    await ok(host, "poll.reveal", id=shown)
    await ok(host, "poll.close", id=kept)
    await room.move(-timedelta(days=1))

    as_ada = await room.page(room.seeded.attendees[0])
    assert f'id="poll-{shown}"' in as_ada and "average 4.0" in as_ada
    assert "Your answer: 4" in as_ada
    assert f'id="poll-{kept}"' not in as_ada and f'id="poll-{draft}"' not in as_ada
    as_stranger = await room.page(None)
    assert f'id="poll-{shown}"' in as_stranger and "Kept to the stage?" not in as_stranger
    as_speaker = await room.page(room.speaker)
    for pid in (shown, kept, draft):
        assert f'id="poll-{pid}"' in as_speaker, "the stage sees every poll"
    assert "results not shown to the room" in as_speaker


async def test_drafts_made_on_the_page_reach_the_stage_only(room: Room) -> None:
    await room.move(timedelta(days=1))  # before the event: no one has opened its room yet
    host = await room.visitor(room.seeded.host)
    path = f"/events/{room.id}/polls"
    draft = {
        "kind": "quiz",
        "question": "Which keyword moves a closure's captures?",
        "options": "ref\r\nmove\r\n\r\nstatic",
        "correct": "2",
        "changeable": "on",
    }
    one_option = await host.form(path, {**draft, "kind": "single", "options": "only"})
    assert one_option.status_code == 422
    assert "Options: 2 to 10 of them" in one_option.text
    assert "Which keyword moves a closure&#39;s captures?" in one_option.text, "nothing is lost"
    wrong = await host.form(path, {**draft, "correct": "5"})
    assert wrong.status_code == 422 and "1 to 3" in wrong.text
    unmarked = await host.form(path, {**draft, "correct": "", "anonymous": "on"})
    assert unmarked.status_code == 422 and "Correct: a quiz, and only a quiz" in unmarked.text
    assert 'name="anonymous" value="on" checked' in unmarked.text
    attendee = await room.visitor(room.seeded.attendees[0])
    assert (await attendee.form(path, draft)).status_code == 403
    made = await host.form(path, draft)
    assert made.status_code == 303, made.text
    assert made.headers["location"].startswith(f"/events/{room.id}?done=poll_saved#poll-")
    pid = int(made.headers["location"].rsplit("-", 1)[1])
    assert "Which keyword moves" not in await room.page(room.seeded.attendees[0])
    assert f'id="poll-{pid}"' in await room.page(room.speaker)

    await room.move(-timedelta(minutes=5))  # the session is on
    stage = await room.socket(room.seeded.host)
    seen = next(f for f in stage.frames if f["type"] == "snapshot")
    polls = {p["id"]: p for p in seen["polls"]}
    assert polls[pid]["state"] == "draft" and polls[pid]["options"] == ["ref", "move", "static"]
    assert polls[pid]["correct"] == 1 and polls[pid]["changeable"] is True
    learner = await room.socket(room.seeded.attendees[1])
    snapshot = next(f for f in learner.frames if f["type"] == "snapshot")
    assert pid not in [p["id"] for p in snapshot["polls"]]

    second = await (await room.visitor(room.speaker)).form(
        path, {"kind": "word_cloud", "question": "One word for today?"}
    )
    assert second.status_code == 303
    await stage.wait_for(lambda: any(e["type"] == "poll.created" for e in stage.events()))
    created = next(e for e in stage.events() if e["type"] == "poll.created")["poll"]
    assert created["question"] == "One word for today?" and created["state"] == "draft"
    # Events reach each socket in seq order: once the learner has a later one, the draft's
    # would have come before it, had it been theirs to see.
    await _ask(stage, "Any questions before we start?")
    await learner.wait_for(lambda: any(e["type"] == "question.asked" for e in learner.events()))
    assert not [e for e in learner.events() if e["type"] == "poll.created"]


async def test_the_questions_export_is_in_the_openapi_document(visitor: Visitor) -> None:
    paths = (await visitor.get("/api/openapi.json")).json()["paths"]
    assert "get" in paths["/api/events/{event_id}/questions"]
