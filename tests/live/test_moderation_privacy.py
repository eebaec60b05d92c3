"""Attendees never receive anyone's email or another attendee's account id.

A scripted session touches every feature that relays something about a person (chat,
private lines, questions, polls, hands, reactions, reports, blocks, mutes, removals, bans,
the waiting room, history, resume), and every frame the attendees' and the guest's sockets
receive is kept and scanned.

Account ids are small integers, which a scan could not tell from message ids or `seq`s; so
this room's people get ids past 900,000,000 (their table's next id follows the largest one),
and then any such number in a payload, or any person key ("p…", "g…"), is a leak.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, registrations
from server.store.tables import Person, Registration
from tests.live.support import (
    Client,
    Seeded,
    Someone,
    guest_joined,
    guest_ticket,
    joined_as,
    ok,
    seed,
    snapshot_of,
)
from tests.servers import Server, start_server

PEOPLE_FROM = 900_000_000
GUESTS_FROM = 950_000_000
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Field names that would carry an account's identity rather than a member id.
IDENTITY_FIELDS = {"email", "person", "person_id", "person_key", "key", "account",
                   "account_id", "user_id", "reporter", "reporter_key", "subject_key",
                   "actor_key", "by_key", "guest_registration"}  # fmt: skip


async def _high_ids(session: AsyncSession) -> None:
    session.add(Person(id=PEOPLE_FROM, email=f"{secrets.token_hex(6)}@example.org",
                       password_hash="-", display_name="Placeholder",
                       feed_token=secrets.token_urlsafe(24)))  # fmt: skip


async def _high_guest_ids(session: AsyncSession, event_id: int) -> None:
    session.add(Registration(id=GUESTS_FROM, event_id=event_id, status="cancelled",
                             guest_email=f"{secrets.token_hex(6)}@example.org",
                             join_token=secrets.token_urlsafe(24)))  # fmt: skip


async def _identities(session: AsyncSession) -> tuple[dict[str, int], set[str]]:
    """Every key ("p<id>", "g<id>") with its number, and every email in the store."""
    keys: dict[str, int] = {}
    emails: set[str] = set()
    for pid, email in await session.execute(select(Person.id, Person.email)):
        keys[f"p{pid}"] = pid
        emails.add(email.lower())
    rows = await session.execute(
        select(Registration.id, Registration.guest_email).where(Registration.person_id.is_(None))
    )
    for rid, guest_email in rows:
        keys[f"g{rid}"] = rid
        emails.add(str(guest_email).lower())
    return keys, emails


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) in a JSON payload, dict keys included as values of their own."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}#key", k
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from _leaves(v, f"{path}[{n}]")
    else:
        yield path, value


def _leaks(frames: list[dict[str, Any]], own_key: str, keys: dict[str, int],
           emails: set[str]) -> list[str]:  # fmt: skip
    others = {k: n for k, n in keys.items() if k != own_key}
    numbers = {n for n in others.values() if n > PEOPLE_FROM}
    words = re.compile(r"\b(" + "|".join(map(re.escape, others)) + r")\b")
    found: list[str] = []
    for frame in frames:
        text = json.dumps(frame).lower()
        found += [f"{e} in {frame}" for e in emails if e in text]
        for path, value in _leaves(frame):
            if path.endswith("#key") and str(value).lower() in IDENTITY_FIELDS:
                found.append(f"a field {value!r} at {path} in {frame}")
            elif isinstance(value, bool):
                continue
            elif isinstance(value, int) and value in numbers:
                found.append(f"account id {value} at {path} in {frame}")
            elif isinstance(value, str):
                if EMAIL.search(value):
                    found.append(f"an email at {path}: {value!r}")
                if words.search(value) or any(str(n) in value for n in numbers):
                    found.append(f"a person key at {path}: {value!r}")
    return found


SCRIPTED = {
    "ack", "admitted", "chat.deleted", "chat.edited", "chat.message", "chat.restored",
    "error:banned", "error:forbidden", "error:muted", "hand.called", "hand.lowered",
    "hand.raised", "member.banned", "member.muted", "member.removed", "member.unmuted",
    "poll.closed", "poll.launched", "poll.revealed", "presence", "question.answered",
    "question.asked", "question.hidden", "question.removed", "question.restored",
    "question.voted", "reactions", "report.handled", "room.updated", "snapshot",
}  # fmt: skip


def _kind(frame: dict[str, Any]) -> str:
    return f"error:{frame['code']}" if frame["type"] == "error" else str(frame["type"])


async def test_attendees_receive_no_email_and_no_other_account_id(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server: Server = await start_server(data)
    db_url = f"sqlite+aiosqlite:///{data / 'studyhall.db'}"
    store = Store(db_url)
    clients: list[Client] = []
    scanned: list[tuple[str, Client]] = []  # whose socket, and the socket
    try:
        await store.write(_high_ids)
        room: Seeded = await seed(db_url, attendees=5)
        rid, url = room.event_id, server.url
        await store.write(_high_guest_ids, rid)
        guest = await store.write(registrations.register_guest, rid, name="Gwen Guest",
                                  email=f"gwen.{secrets.token_hex(3)}@example.org")  # fmt: skip
        guest_key = f"g{guest.id}"
        assert guest.id > GUESTS_FROM

        async def attendee(someone: Someone) -> Client:
            client = await joined_as(url, someone, rid, "attendee")
            clients.append(client)
            scanned.append((f"p{someone.person_id}", client))
            return client

        async def as_guest() -> Client:
            client = await guest_joined(url, guest.join_token, rid)
            clients.append(client)
            scanned.append((guest_key, client))
            return client

        host = await joined_as(url, room.host, rid, "host")
        moderator = await joined_as(url, room.moderator, rid, "moderator")
        speaker = await joined_as(url, room.speaker, rid, "speaker")
        clients += [host, moderator, speaker]
        ada, bob, cy, dee = [await attendee(p) for p in room.attendees[:4]]
        gwen = await as_guest()
        ids = {name: snapshot_of(c)["you"]["id"] for name, c in
               (("ada", ada), ("bob", bob), ("cy", cy), ("dee", dee), ("gwen", gwen))}  # fmt: skip

        # Chat: public, a reply, a private line to the hosts, an edit, history.
        hello = await ok(ada, "chat.send", client_id="a1", body="Hello from Ada")
        await ok(bob, "chat.send", client_id="b1", body="Hi Ada", reply_to=hello["id"])
        await ok(cy, "chat.send", client_id="c1", body="A private word", to_hosts=True)
        await ok(gwen, "chat.send", client_id="g1", body="Guest here")
        await ok(host, "chat.send", client_id="h1", body="Welcome everyone")
        await ok(ada, "chat.edit", id=hello["id"], body="Hello from Ada!")
        await ok(dee, "chat.history", before=hello["id"] + 10, limit=50)
        # Questions: open, anonymous, voted, answered, hidden and restored.
        q1 = await ok(bob, "qa.ask", body="How do lifetimes work?")
        q2 = await ok(cy, "qa.ask", body="A shy question", anonymous=True)
        for voter in (ada, dee, gwen):
            await ok(voter, "qa.vote", id=q1["id"])
        await ok(speaker, "qa.answered", id=q1["id"], text="They are spans of borrows.")
        await ok(moderator, "qa.hide", id=q2["id"])
        await ok(moderator, "qa.restore", id=q2["id"])
        # A poll, answered, closed and revealed; hands and reactions.
        poll = await ok(host, "poll.create", kind="single", question="Next?",
                        options=["Traits", "Macros"])  # fmt: skip
        await ok(host, "poll.launch", id=poll["id"])
        for n, voter in enumerate((ada, bob, cy, gwen)):
            await ok(voter, "poll.answer", id=poll["id"], answer=n % 2)
        await ok(host, "poll.close", id=poll["id"])
        await ok(host, "poll.reveal", id=poll["id"])
        await ok(ada, "hand.raise")
        await ok(bob, "hand.raise")
        await ok(host, "hand.next")
        await ok(bob, "hand.lower")
        await ok(dee, "react", reaction="clap")
        await dee.wait_for(lambda: any(f["type"] == "reactions" for f in dee.frames))
        # Reports, and their handling; blocks.
        r1 = await ok(dee, "report", kind="message", id=hello["id"], reason="Rude")
        r2 = await ok(gwen, "report", kind="name", member=ids["bob"], reason="Odd name")
        await ok(ada, "report", kind="person", member=ids["cy"], reason="Keeps interrupting")
        await ok(moderator, "report.resolve", id=r1["id"], outcome="dismissed")
        await ok(moderator, "report.resolve", id=r2["id"], outcome="actioned", note="Renamed")
        await ok(dee, "block", member=ids["ada"])
        forbidden = await dee.send("mod.reports")
        assert forbidden.get("code") == "forbidden"
        # Mutes, deletions, removals, bans, and the door.
        await ok(moderator, "mod.mute", member=ids["ada"], minutes=5, reason="Cool down")
        muted = await ada.send("chat.send", client_id="a2", body="Let me speak")
        assert muted.get("code") == "muted"
        await ok(moderator, "mod.unmute", member=ids["ada"])
        await ok(moderator, "chat.delete", id=hello["id"])
        await ok(moderator, "chat.restore", id=hello["id"])
        await ok(host, "mod.remove", member=ids["cy"], reason="Spam")
        await cy.wait_for(lambda: cy._reader is not None and cy._reader.done())
        await ok(host, "room.waiting_room", enabled=True)
        knocking = await Client.open(url, room.attendees[2].cookie)
        clients.append(knocking)
        scanned.append((f"p{room.attendees[2].person_id}", knocking))
        assert (await ok(knocking, "join", room=rid)).get("waiting") is True
        await host.wait_for(lambda: any(e["type"] == "door.waiting" and e["waiting"]
                                        for e in host.events()))  # fmt: skip
        await ok(host, "door.admit")
        await knocking.wait_for(lambda: any(f["type"] == "admitted" for f in knocking.frames))
        await ok(knocking, "join", room=rid)
        await ok(host, "room.waiting_room", enabled=False)
        await ok(host, "mod.ban", member=ids["gwen"], reason="Spam links")
        await gwen.wait_for(lambda: gwen._reader is not None and gwen._reader.done())
        ticket = await guest_ticket(url, guest.join_token)
        refused = await Client.open(url, ticket=ticket)
        clients.append(refused)
        scanned.append((guest_key, refused))
        assert (await refused.join(rid)).get("code") == "banned"
        # A resume and a fresh snapshot after all that.
        again = await Client.open(url, room.attendees[3].cookie)
        clients.append(again)
        scanned.append((f"p{room.attendees[3].person_id}", again))
        await ok(again, "join", room=rid, since=1)
        late = await attendee(room.attendees[4])
        await ok(host, "chat.send", client_id="h2", body="That is all for today")
        await late.wait_for(lambda: any(e["type"] == "chat.message" for e in late.events()))

        keys, emails = await store.read(_identities)
        # The scan can fail: it finds each kind of leak planted in a frame.
        someone = next(k for k, n in keys.items() if n > PEOPLE_FROM and k != guest_key)
        for planted in ({"email": "x"}, {"a": f"by {someone}"}, {"a": [keys[someone]]},
                        {"a": f"write to {next(iter(emails))}"}):  # fmt: skip
            assert _leaks([planted], guest_key, keys, emails), planted
        leaks = [leak for own, client in scanned
                 for leak in _leaks(client.frames, own, keys, emails)]  # fmt: skip
        seen = {_kind(f) for _, c in scanned for f in c.frames}
        seen |= {e["type"] for _, c in scanned for e in c.events()}
        # The scan covered what the session was written to produce.
        assert seen >= SCRIPTED, f"never received: {sorted(SCRIPTED - seen)}"
        assert leaks == [], "\n".join(leaks[:20])
    finally:
        for client in clients:
            await client.close()
        await store.close()
        await asyncio.to_thread(server.stop)
