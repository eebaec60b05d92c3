"""Live-room test support: a seeded event with people, and a real WebSocket client."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.store import Store, accounts, communities, events, registrations
from server.store.tables import utcnow
from tests.clients import Visitor


@dataclass
class Someone:
    person_id: int
    name: str
    cookie: str  # the session token


@dataclass
class Seeded:
    event_id: int
    host: Someone
    attendees: list[Someone]
    outsider: Someone
    guest_token: str
    # One person in each other role of the room (server/store/room_access.py): another
    # owner of the community co-hosts, its moderator moderates, the event's speaker speaks.
    co_host: Someone
    speaker: Someone
    moderator: Someone

    def in_role(self, role: str) -> Someone:
        """The seeded person who enters the room in `role` (an attendee: the second one)."""
        return {
            "host": self.host,
            "co-host": self.co_host,
            "speaker": self.speaker,
            "moderator": self.moderator,
            "attendee": self.attendees[1],
        }[role]


# Seeded people come in with a session cookie and never type their password, so they get a
# cheap hash: argon2's defaults cost about 0.25 s a person, on purpose, and a room of a
# hundred would take half a minute to seed. The parameters travel in the hash, so it still
# verifies as any other.
_QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


async def _person(store: Store, name: str) -> Someone:
    async def make(session: AsyncSession) -> Someone:
        person = await accounts.create_person(
            session,
            email=f"{secrets.token_hex(6)}@example.org",
            password="p" * 12,
            display_name=name,
        )
        return Someone(person.id, name, await accounts.start_session(session, person.id))

    return await store.write(make)


async def seed(db_url: str, attendees: int = 3) -> Seeded:
    """An open community with a live webinar: a host, a co-host, a speaker, a moderator,
    registered attendees, an outsider and a guest."""
    store = Store(db_url)
    try:
        with mock.patch.object(accounts, "_hasher", _QUICK_HASHER):
            return await _seed(store, attendees)
    finally:
        await store.close()


async def _seed(store: Store, attendees: int) -> Seeded:
    host = await _person(store, "Grace Host")
    community = await store.write(
        communities.create_community,
        owner_id=host.person_id,
        slug=f"c-{secrets.token_hex(4)}",
        name="Rustaceans",
    )
    co_host, speaker, moderator = [
        await _person(store, name) for name in ("Cora Cohost", "Sam Speaker", "Mo Moderator")
    ]
    for someone, role in ((co_host, "owner"), (speaker, "member"), (moderator, "moderator")):
        await store.write(communities.join, community.id, someone.person_id)
        if role != "member":
            await store.write(
                communities.change_role,
                community.id,
                actor_id=host.person_id,
                person_id=someone.person_id,
                role=role,
            )
    now = utcnow()
    data = events.EventInput(
        kind="webinar",
        title="Intro to Rust",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        timezone="UTC",
        speaker_ids=(speaker.person_id,),
    )
    event = await store.write(events.create_event, community.id, host.person_id, data)
    people = [await _person(store, f"Learner {n}") for n in range(attendees)]
    for p in people:
        await store.write(registrations.register_person, event.id, p.person_id)
    outsider = await _person(store, "Not Registered")
    guest = await store.write(
        registrations.register_guest,
        event.id,
        name="Guest Gus",
        email=f"{secrets.token_hex(4)}@example.org",
    )
    return Seeded(event.id, host, people, outsider, guest.join_token, co_host, speaker, moderator)


@dataclass
class Client:
    """A WebSocket client of the room protocol, keeping every frame it receives."""

    ws: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)
    _refs: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _waiters: dict[Any, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _reader: asyncio.Task[None] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def open(
        cls,
        base_url: str,
        cookie: str | None = None,
        ticket: str | None = None,
        origin: str | None = None,
    ) -> Client:
        url = base_url.replace("http://", "ws://") + "/ws"
        if ticket:
            url += f"?ticket={ticket}"
        headers = {"Origin": origin or base_url}
        if cookie:
            headers["Cookie"] = f"studyhall_session={cookie}"
        ws = await connect(
            url, additional_headers=headers, max_size=None, compression=None, open_timeout=10
        )
        client = cls(ws)
        client._reader = asyncio.create_task(client._read())
        return client

    async def _read(self) -> None:
        ended: Exception = ConnectionError("the socket was closed")
        try:
            await self._read_frames()
            await self.ws.recv()  # a clean close ends the loop quietly: this raises it
        except ConnectionClosed as closed:
            ended = closed
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(ended)
        self.changed.set()

    async def _read_frames(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            self.frames.append(frame)
            waiter = self._waiters.pop(frame.get("ref"), None) if "ref" in frame else None
            if waiter and not waiter.done() and frame["type"] in ("ack", "error", "pong"):
                waiter.set_result(frame)
            self.changed.set()

    async def send(self, op: str, **fields: Any) -> dict[str, Any]:
        ref = next(self._refs)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters[ref] = future
        await self.ws.send(json.dumps({"op": op, "ref": ref, **fields}))
        return await asyncio.wait_for(future, 15)

    async def join(self, room: int, since: int | None = None) -> dict[str, Any]:
        extra = {} if since is None else {"since": since}
        return await self.send("join", room=room, **extra)

    def events(self) -> list[dict[str, Any]]:
        """Every room event received, in arrival order."""
        out: list[dict[str, Any]] = []
        for frame in self.frames:
            if frame.get("type") == "events":
                out.extend(frame["events"])
        return out

    def last_seq(self) -> int:
        seqs = [e["seq"] for e in self.events()]
        snaps = [f["seq"] for f in self.frames if f.get("type") == "snapshot"]
        return int(max([*seqs, *snaps, 0]))

    async def wait_for(self, check: Callable[[], bool], timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while not check():
                self.changed.clear()
                await self.changed.wait()

    async def close(self) -> None:
        await self.ws.close()
        if self._reader:
            self._reader.cancel()


# --- permission tables ----------------------------------------------------------------------


def permission_table(text: str, roles: tuple[str, ...]) -> dict[str, dict[str, bool]]:
    """A "who may do what" table as docs/protocol.md writes it: an op per line, one yes or
    no per role. Tests keep their own copy of the documented table rather than importing
    the server's, so that a change of permissions is a choice made twice."""
    header, *rows = (line.split() for line in text.strip().splitlines())
    assert header == ["op", *roles]
    table: dict[str, dict[str, bool]] = {}
    for op, *cells in rows:
        assert len(cells) == len(roles) and set(cells) <= {"yes", "no"}, op
        table[op] = {role: cell == "yes" for role, cell in zip(roles, cells, strict=True)}
    return table


def snapshot_of(client: Client) -> dict[str, Any]:
    """The latest snapshot the client received."""
    return next(f for f in reversed(client.frames) if f.get("type") == "snapshot")


async def joined_as(base_url: str, someone: Someone, room: int, role: str) -> Client:
    """A socket of `someone` in the room, checked to have come in with `role`."""
    client = await Client.open(base_url, someone.cookie)
    return await _in_room(client, room, role, someone.name)


async def guest_ticket(base_url: str, join_token: str) -> str:
    """A single-use socket ticket for a guest, from their join link's token."""
    async with Visitor(base_url) as guest:
        r = await guest.post("/api/ws-ticket", {"join_token": join_token})
        assert r.status_code == 200, r.text
        return str(r.json()["ticket"])


async def guest_joined(base_url: str, join_token: str, room: int) -> Client:
    """A guest's socket in the room, through a fresh ticket; guests attend."""
    client = await Client.open(base_url, ticket=await guest_ticket(base_url, join_token))
    return await _in_room(client, room, "attendee", "the guest")


async def _in_room(client: Client, room: int, role: str, who: str) -> Client:
    reply = await client.join(room)
    assert reply["type"] == "ack", f"{who} could not join: {reply}"
    await client.wait_for(lambda: any(f.get("type") == "snapshot" for f in client.frames))
    you = snapshot_of(client)["you"]
    assert you["role"] == role, f"{who} joined as {you}"
    return client


def me(client: Client) -> str:
    """The member id the room gave this client, from its first snapshot."""
    return str(next(f for f in client.frames if f["type"] == "snapshot")["you"]["id"])


async def ok(client: Client, op: str, **fields: Any) -> dict[str, Any]:
    """Send a command that must be acknowledged; its ack."""
    reply = await client.send(op, **fields)
    assert reply["type"] == "ack", f"{op} {fields}: {reply}"
    return reply
