"""Who may do what with questions and polls: every role against every op, through a socket.

The table below is docs/protocol.md's two "Who may do what" tables, written out again rather
than imported from the server, so that a change of permissions is a choice made twice. For
each cell the test first prepares a room in which the op can succeed (a fresh question or
poll in the state the op needs), so an allowed op must be acknowledged and a refused one can
fail for its role only: it must be an `error` of code `forbidden` that changes nothing in
the store, after which the same socket still answers a ping.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import polls as poll_rules
from server.rooms import qa
from server.store import Store, polls, questions, rooms
from tests.live.conftest import db_url_of
from tests.live.support import Client, Seeded, joined_as, permission_table
from tests.servers import Server

ROLES = ("host", "co-host", "speaker", "moderator", "attendee")

WHO_MAY = """
op              host  co-host  speaker  moderator  attendee
qa.ask          yes   yes      yes      yes        yes
qa.vote         yes   yes      yes      yes        yes
qa.unvote       yes   yes      yes      yes        yes
qa.edit         yes   yes      yes      yes        yes
qa.withdraw     yes   yes      yes      yes        yes
qa.approve      yes   yes      no       yes        no
qa.hide         yes   yes      no       yes        no
qa.restore      yes   yes      no       yes        no
qa.merge        yes   yes      no       yes        no
qa.answering    yes   yes      yes      no         no
qa.answered     yes   yes      yes      no         no
qa.reopen       yes   yes      yes      no         no
qa.dismiss      yes   yes      yes      no         no
qa.configure    yes   yes      no       no         no
poll.create     yes   yes      yes      no         no
poll.launch     yes   yes      yes      no         no
poll.close      yes   yes      yes      no         no
poll.reveal     yes   yes      yes      no         no
poll.answer     yes   yes      yes      yes        yes
"""


MAY = permission_table(WHO_MAY, ROLES)


@dataclass
class Cast:
    """The role under test in a room, and the people who prepare each check for it."""

    host: Client  # runs the stage and the settings while preparing
    asker: Client  # an attendee who asks the questions that others act on
    actor: Client  # the role under test

    async def ok(self, client: Client, op: str, **fields: Any) -> dict[str, Any]:
        reply = await client.send(op, **fields)
        assert reply["type"] == "ack", f"preparing with {op} {fields}: {reply}"
        return reply

    async def question(self, by: Client | None = None) -> int:
        asked = await self.ok(by or self.asker, "qa.ask", body="How do lifetimes work?")
        return int(asked["id"])

    async def poll(self, launched: bool) -> int:
        made = await self.ok(
            self.host, "poll.create", kind="single", question="Next?", options=["A", "B"]
        )
        if launched:
            await self.ok(self.host, "poll.launch", id=made["id"])
        return int(made["id"])


# op -> how to prepare a room where it can succeed: the fields the op is then sent with.
Prepare = Callable[[Cast], Awaitable[dict[str, Any]]]


async def _nothing(cast: Cast) -> dict[str, Any]:
    return {}


async def _ask(cast: Cast) -> dict[str, Any]:
    return {"body": "What does the borrow checker check?"}


async def _own_open(cast: Cast) -> dict[str, Any]:
    return {"id": await cast.question(by=cast.actor)}


async def _own_open_edit(cast: Cast) -> dict[str, Any]:
    return {**await _own_open(cast), "body": "How do lifetimes work in Rust?"}


async def _open(cast: Cast) -> dict[str, Any]:
    return {"id": await cast.question()}


async def _voted(cast: Cast) -> dict[str, Any]:
    qid = await cast.question()
    await cast.ok(cast.actor, "qa.vote", id=qid)
    return {"id": qid}


async def _pending(cast: Cast) -> dict[str, Any]:
    await cast.ok(cast.host, "qa.configure", premoderation=True)
    qid = await cast.question()
    await cast.ok(cast.host, "qa.configure", premoderation=False)
    return {"id": qid}


async def _hidden(cast: Cast) -> dict[str, Any]:
    qid = await cast.question()
    await cast.ok(cast.host, "qa.hide", id=qid)
    return {"id": qid}


async def _two_open(cast: Cast) -> dict[str, Any]:
    return {"id": await cast.question(), "into": await cast.question()}


async def _open_to_answer(cast: Cast) -> dict[str, Any]:
    return {"id": await cast.question(), "text": "A span the borrow checker tracks."}


async def _answered(cast: Cast) -> dict[str, Any]:
    qid = await cast.question()
    await cast.ok(cast.host, "qa.answered", id=qid)
    return {"id": qid}


async def _settings(cast: Cast) -> dict[str, Any]:
    return {"premoderation": False, "hide_authors_from_staff": False}


async def _new_poll(cast: Cast) -> dict[str, Any]:
    return {"kind": "single", "question": "Which topic next?", "options": ["Traits", "Macros"]}


async def _draft(cast: Cast) -> dict[str, Any]:
    return {"id": await cast.poll(launched=False)}


async def _live(cast: Cast) -> dict[str, Any]:
    return {"id": await cast.poll(launched=True)}


async def _live_to_answer(cast: Cast) -> dict[str, Any]:
    return {"id": await cast.poll(launched=True), "answer": 1}


PREPARE: dict[str, Prepare] = {
    "qa.ask": _ask,
    "qa.vote": _open,
    "qa.unvote": _voted,
    "qa.edit": _own_open_edit,
    "qa.withdraw": _own_open,
    "qa.approve": _pending,
    "qa.hide": _open,
    "qa.restore": _hidden,
    "qa.merge": _two_open,
    "qa.answering": _open,
    "qa.answered": _open_to_answer,
    "qa.reopen": _answered,
    "qa.dismiss": _open,
    "qa.configure": _settings,
    "poll.create": _new_poll,
    "poll.launch": _draft,
    "poll.close": _live,
    "poll.reveal": _live,
    "poll.answer": _live_to_answer,
}
assert set(PREPARE) == set(MAY)


@dataclass(frozen=True)
class Stored:
    """What the store holds of the room's questions and polls, and its latest events."""

    board: qa.QaBoard
    polls: list[poll_rules.Poll]
    head: int


async def _stored(session: AsyncSession, room_id: int) -> Stored:
    head, _ = await rooms.room_head(session, room_id)
    return Stored(
        await questions.board(session, room_id), await polls.room_polls(session, room_id), head
    )


async def _events_after(session: AsyncSession, room_id: int, seq: int) -> list[str]:
    return [str(m.event["type"]) for m in await rooms.events_since(session, room_id, seq)]


@pytest.mark.parametrize("role", ROLES)
async def test_each_qa_and_poll_op_is_allowed_or_forbidden_as_the_tables_say(
    server: Server, room: Seeded, role: str
) -> None:
    host = await joined_as(server.url, room.host, room.event_id, "host")
    asker = await joined_as(server.url, room.attendees[0], room.event_id, "attendee")
    actor = host if role == "host" else await joined_as(
        server.url, room.in_role(role), room.event_id, role
    )  # fmt: skip
    cast = Cast(host, asker, actor)
    store = Store(db_url_of(server))
    wrong: list[str] = []
    try:
        for op, roles in MAY.items():
            allowed = roles[role]
            fields = await PREPARE[op](cast)
            before = await store.read(_stored, room.event_id)
            reply = await actor.send(op, **fields)
            if allowed and reply["type"] != "ack":
                wrong.append(f"{role} {op}: allowed, but answered {reply}")
            if not allowed:
                if (reply["type"], reply.get("code")) != ("error", "forbidden"):
                    wrong.append(f"{role} {op}: forbidden, but answered {reply}")
                after = await store.read(_stored, room.event_id)
                logged = await store.read(_events_after, room.event_id, before.head)
                changed = [kind for kind in logged if kind.split(".")[0] in ("question", "qa",
                                                                              "poll")]  # fmt: skip
                if (after.board, after.polls) != (before.board, before.polls) or changed:
                    wrong.append(f"{role} {op}: refused, yet the store changed: {changed}")
            # Refused or not, the socket stays open and serves the next command.
            pong = await actor.send("ping")
            assert pong["type"] == "pong", f"after {op}, a ping answered {pong}"
    finally:
        await store.close()
        for client in [host, asker] if actor is host else [host, asker, actor]:
            await client.close()
    assert wrong == [], "\n".join(wrong)
