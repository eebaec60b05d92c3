"""Several real workers on one database and one real Redis, as behind a load balancer.

A `Cluster` starts N `uvicorn server.app:app` processes, each on its own port, all on the same
`DATABASE_URL` and `REDIS_URL`, with the same `SECRET_KEY` (member ids are HMACs of it) and
every worker's URL in `ALLOWED_ORIGINS`. It kills (SIGKILL), stops (SIGTERM) and restarts
workers, restarts Redis, and reads the truth back from the store.

A `Member` is one browser tab of one person that survives its sockets: it keeps the frames of
every socket it opened, in order, and when a socket drops it reconnects to a live worker and
resumes with the last `seq` it applied, as the browser client does.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from server.store import Store
from server.store.migrate import upgrade_async
from server.store.room_tables import ChatMessage
from server.store.rooms import message_view, room_head
from tests.live.support import Client, Seeded, Someone, seed
from tests.redis_server import RedisServer
from tests.servers import Server, free_port

Frame = dict[str, Any]

START_TIMEOUT_S = 60.0

# Workers must share these; anything a single test needs on top goes through `env`.
BASE_ENV = {
    "STUDYHALL_ENV": "test",
    # The throughput tests send hundreds of messages a second per person.
    "CHAT_PER_10S": "10000",
}


async def sqlite_url(folder: Path) -> str:
    """A migrated SQLite file shared by the workers: the fallback without PostgreSQL."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{folder / 'cluster.db'}"
    await upgrade_async(url)
    return url


class Cluster:
    def __init__(
        self, root: Path, db_url: str, workers: int, env: dict[str, str] | None = None
    ) -> None:
        self.root = root
        self.db_url = db_url
        self.redis = RedisServer()
        ports = [free_port() for _ in range(workers)]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        shared = {
            **BASE_ENV,
            "DATABASE_URL": db_url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_ORIGINS": ",".join(urls),
            **(env or {}),
        }
        self.workers = [
            Server(root / f"worker{i}", shared, port=port) for i, port in enumerate(ports)
        ]
        self.store = Store(db_url)
        self.room: Seeded | None = None
        self.members: list[Member] = []  # closed with the cluster

    @classmethod
    async def start(
        cls,
        root: Path,
        db_url: str,
        workers: int = 2,
        attendees: int = 8,
        env: dict[str, str] | None = None,
    ) -> Cluster:
        cluster = cls(root, db_url, workers, env)
        seeding: asyncio.Task[Seeded] | None = None
        try:
            await asyncio.to_thread(cluster.redis.start)
            seeding = asyncio.create_task(seed(db_url, attendees=attendees))
            await asyncio.gather(*[cluster.start_worker(i) for i in range(workers)])
            cluster.room = await seeding
        except BaseException:
            if seeding is not None and not seeding.done():
                seeding.cancel()
            await cluster.close()
            raise
        return cluster

    # --- the room -------------------------------------------------------------------------

    @property
    def event_id(self) -> int:
        assert self.room is not None
        return self.room.event_id

    @property
    def room_host(self) -> Someone:
        assert self.room is not None
        return self.room.host

    @property
    def people(self) -> list[Someone]:
        assert self.room is not None
        return self.room.attendees

    # --- workers ----------------------------------------------------------------------------

    def url(self, worker: int) -> str:
        return self.workers[worker].url

    def alive(self) -> list[int]:
        return [i for i, w in enumerate(self.workers) if w.process and w.process.poll() is None]

    def pick(self, avoid: int | None = None) -> int | None:
        """What a load balancer does: any live worker, another one than `avoid` if it can."""
        alive = self.alive()
        others = [i for i in alive if i != avoid]
        return secrets.choice(others) if others else alive[0] if alive else None

    async def kill(self, worker: int) -> None:
        """SIGKILL: no shutdown, no goodbye, presence rows left behind."""
        await asyncio.to_thread(self.workers[worker].kill)

    async def stop(self, worker: int) -> None:
        """SIGTERM: uvicorn closes the sockets (1012), then the app shuts down."""
        await asyncio.to_thread(self.workers[worker].stop)

    async def start_worker(self, worker: int) -> None:
        """Start a worker (again), on its own port (so an allowed origin); a loaded machine
        may take a while to import the app."""
        await asyncio.to_thread(self.workers[worker].start, START_TIMEOUT_S)

    async def stop_redis(self, kill: bool = False) -> None:
        """Take Redis away: SIGTERM (it closes its connections), or SIGKILL (a crash)."""
        await asyncio.to_thread(self.redis.kill if kill else self.redis.stop)

    async def start_redis(self) -> None:
        """Start Redis again on the same port, empty (no persistence)."""
        await asyncio.to_thread(self.redis.start)

    def logs(self) -> str:
        return "\n".join(f"--- worker {i} ---\n{w.log()}" for i, w in enumerate(self.workers))

    async def close(self) -> None:
        for member in self.members:
            with contextlib.suppress(Exception):
                await member.close()
        for w in self.workers:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(w.kill)
        with contextlib.suppress(Exception):
            self.redis.close()
        await self.store.close()

    # --- the truth ---------------------------------------------------------------------------

    async def chat_in_store(self) -> list[Frame]:
        """Every chat message of the room, as the wire shows it, in `seq` order."""

        async def read(session: AsyncSession, room_id: int) -> list[Frame]:
            rows = await session.scalars(
                select(ChatMessage)
                .where(ChatMessage.room_id == room_id)
                .order_by(ChatMessage.seq)
            )  # fmt: skip
            return [dict(message_view(m)) for m in rows]

        return await self.store.read(read, self.event_id)

    @contextlib.asynccontextmanager
    async def presence_inserts_fail(self) -> AsyncIterator[None]:
        """A fault in the store: while inside, every insert into room_presence fails."""
        if self.store.is_sqlite:
            setup = [
                "CREATE TRIGGER refuse_presence BEFORE INSERT ON room_presence "
                "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            ]
            teardown = ["DROP TRIGGER refuse_presence"]
        else:
            setup = [
                "CREATE FUNCTION refuse_presence() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$",
                "CREATE TRIGGER refuse_presence BEFORE INSERT ON room_presence "
                "FOR EACH ROW EXECUTE FUNCTION refuse_presence()",
            ]
            teardown = ["DROP TRIGGER refuse_presence ON room_presence",
                        "DROP FUNCTION refuse_presence()"]  # fmt: skip

        async def run(session: AsyncSession, statements: list[str]) -> None:
            for statement in statements:
                await session.execute(text(statement))

        await self.store.write(run, setup)
        try:
            yield
        finally:
            await self.store.write(run, teardown)

    async def head(self) -> int:
        seq, _ = await self.store.read(room_head, self.event_id)
        return seq


# --- what a client knows --------------------------------------------------------------------


@dataclass
class Known:
    """A client's state of the room, replayed from the frames it received."""

    seq: int = 0
    chat: dict[int, Frame] = field(default_factory=dict)  # by seq
    people: set[str] = field(default_factory=set)
    snapshots: int = 0
    stale: int = 0
    duplicates: list[int] = field(default_factory=list)  # event seqs received twice or late
    gaps: list[tuple[int, int]] = field(default_factory=list)  # (expected, got)

    def messages(self) -> list[Frame]:
        return [self.chat[s] for s in sorted(self.chat)]


def replay(frames: Iterable[Frame]) -> Known:
    """Apply frames as a client does: a snapshot replaces the state, events apply by `seq`.

    An event at or below the applied `seq` is dropped (and noted as a duplicate); one that
    skips a `seq` is applied but noted as a gap (every event here is visible to everyone).
    """
    known = Known()
    for frame in frames:
        if frame.get("type") == "snapshot":
            known.snapshots += 1
            known.stale += bool(frame["stale"])
            known.seq = int(frame["seq"])
            known.chat = {int(m["seq"]): m for m in frame["chat"]}
            known.people = {p["id"] for p in frame["people"]}
        elif frame.get("type") == "events":
            for event in frame["events"]:
                seq = int(event["seq"])
                if seq <= known.seq:
                    known.duplicates.append(seq)
                    continue
                if seq != known.seq + 1:
                    known.gaps.append((known.seq + 1, seq))
                known.seq = seq
                _apply(known, event)
    return known


def _apply(known: Known, event: Frame) -> None:
    kind = event["type"]
    if kind == "chat.message":
        known.chat[int(event["seq"])] = event["message"]
    elif kind == "chat.edited":
        for seq, m in known.chat.items():
            if m["id"] == event["id"]:  # a new dict: the frames stay as received
                known.chat[seq] = {**m, "body": event["body"], "edited_at": event["edited_at"]}
    elif kind == "chat.deleted":
        known.chat = {s: m for s, m in known.chat.items() if m["id"] != event["id"]}
    elif kind == "presence":
        known.people |= {p["id"] for p in event["joined"]}
        known.people -= set(event["left"])


# --- a tab that reconnects --------------------------------------------------------------------


class Dropped(Exception):
    """A command's socket closed before its answer came."""


class Member:
    """One tab of one person in the room, across every socket it opens.

    With `reconnect`, a dropped socket is replaced at once: the tab opens a socket on a live
    worker (another one if it can) and resumes from the last `seq` it applied.
    """

    def __init__(
        self, cluster: Cluster, person: Someone, worker: int, reconnect: bool = True
    ) -> None:
        self.cluster = cluster
        self.person = person
        self.worker = worker
        self.reconnect = reconnect
        self.clients: list[Client] = []
        self.ready = asyncio.Event()
        self.id = ""  # the member id, from the first snapshot
        self.closing = False
        self.reconnects = 0
        self.errors: list[Frame] = []  # error frames answered to this tab's commands
        self._supervisor: asyncio.Task[None] | None = None
        cluster.members.append(self)

    @property
    def client(self) -> Client:
        return self.clients[-1]

    def frames(self) -> list[Frame]:
        return [f for c in self.clients for f in c.frames]

    def known(self) -> Known:
        return replay(self.frames())

    def last_seq(self) -> int:
        return self.known().seq

    async def open(self) -> Member:
        """The first socket and a fresh join, on this member's worker."""
        client = await Client.open(self.cluster.url(self.worker), self.person.cookie)
        self.clients.append(client)
        reply = await client.join(self.cluster.event_id)
        assert reply["type"] == "ack", reply
        await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames))
        snap = next(f for f in client.frames if f["type"] == "snapshot")
        self.id = snap["you"]["id"]
        self.ready.set()
        if self.reconnect:
            self._supervisor = asyncio.create_task(self._supervise())
        return self

    async def _supervise(self) -> None:
        while True:
            reader = self.client._reader
            assert reader is not None
            await asyncio.wait({reader})  # every frame of the old socket is in `frames`
            self.ready.clear()
            # A close the client started ends the reader quietly, leaving commands waiting
            # for an answer that cannot come: fail them now, so that they are retried.
            for waiter in self.client._waiters.values():
                if not waiter.done():
                    waiter.set_exception(Dropped("the socket closed before the answer"))
            if self.closing:
                return
            await self._resume()

    async def _resume(self) -> None:
        while not self.closing:
            target = self.cluster.pick(avoid=self.worker)
            if target is None:
                await asyncio.sleep(0.1)
                continue
            try:
                client = await Client.open(self.cluster.url(target), self.person.cookie)
            except (OSError, InvalidHandshake, TimeoutError):
                await asyncio.sleep(0.1)
                continue
            self.clients.append(client)
            try:
                reply = await client.join(self.cluster.event_id, since=self.last_seq())
            except (ConnectionClosed, TimeoutError):
                await client.close()
                continue
            if reply["type"] != "ack":
                self.errors.append(reply)
                await client.close()
                await asyncio.sleep(0.1)
                continue
            self.worker = target
            self.reconnects += 1
            self.ready.set()
            return

    async def send_chat(self, client_id: str, body: str) -> Frame:
        """Send until acknowledged, over whatever socket is current; the same client_id."""
        while True:
            await self.ready.wait()
            try:
                reply = await self.client.send("chat.send", client_id=client_id, body=body)
            except (ConnectionClosed, TimeoutError, Dropped):
                if not self.reconnect:
                    raise
                await asyncio.sleep(0.05)  # the supervisor reconnects meanwhile
                continue
            if reply["type"] == "ack":
                return reply
            self.errors.append(reply)
            await asyncio.sleep(min(float(reply.get("retry_after") or 0.1), 0.5))

    async def caught_up(self, seq: int, timeout: float) -> None:
        """Wait until this tab has applied every event up to `seq`."""
        async with asyncio.timeout(timeout):
            while self.last_seq() < seq:
                await asyncio.sleep(0.05)

    async def close(self) -> None:
        self.closing = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        if self.clients:
            await self.client.close()


def presence_events(frames: Iterable[Frame]) -> list[Frame]:
    return [
        e
        for f in frames
        if f.get("type") == "events"
        for e in f["events"]
        if e["type"] == "presence"
    ]


def joined(frames: Iterable[Frame]) -> set[str]:
    """Every member a `presence` event said joined."""
    return {p["id"] for e in presence_events(frames) for p in e["joined"]}


def left(frames: Iterable[Frame]) -> set[str]:
    """Every member a `presence` event said left."""
    return {m for e in presence_events(frames) for m in e["left"]}


# --- chatting and checking ----------------------------------------------------------------


async def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until `check()` holds; a generous deadline, not a timing assertion."""
    try:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not within {timeout:.1f} s: {what}") from None


class Chat:
    """Senders chatting at once, each message with its own client_id, retried until acked.

    Each sender sends its next message once the previous one is acknowledged, so its own
    messages must come out in the order it sent them.
    """

    def __init__(
        self, senders: list[Member], per_sender: int | None = None, pause_s: float = 0.0
    ) -> None:
        self.senders = senders
        self.per_sender = per_sender
        self.pause_s = pause_s
        self.bodies: dict[str, str] = {}  # client_id -> body, for every message sent
        self.acked: dict[str, Frame] = {}  # client_id -> its ack
        self.acked_at: dict[str, float] = {}  # client_id -> monotonic time of the ack
        self.author: dict[str, str] = {}  # client_id -> the sender's member id
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> Chat:
        self._tasks = [asyncio.create_task(self._run(s)) for s in self.senders]
        return self

    async def _run(self, sender: Member) -> None:
        n = 0
        while not self._stop.is_set() and (self.per_sender is None or n < self.per_sender):
            client_id, body = f"{sender.id}-{n}", f"{sender.id} #{n}"
            self.bodies[client_id], self.author[client_id] = body, sender.id
            self.acked[client_id] = await sender.send_chat(client_id, body)
            self.acked_at[client_id] = time.monotonic()
            n += 1
            if self.pause_s:
                await asyncio.sleep(self.pause_s)

    async def more(self, count: int, timeout: float, what: str) -> None:
        """Until `count` messages after those already sent are acknowledged."""
        target = len(self.bodies) + count
        await eventually(lambda: len(self.acked) >= target, timeout, what)

    async def wait(self, timeout: float) -> None:
        """Until every sender is done (each finishes the message it is sending)."""
        async with asyncio.timeout(timeout):
            await asyncio.gather(*self._tasks)

    async def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        await self.wait(timeout)

    def check_store(self, stored: list[Frame]) -> None:
        """Every acknowledged message is stored once, as acked; nothing else is stored."""
        by_id = {m["id"]: m for m in stored}
        assert len(by_id) == len(stored)
        assert set(self.acked) == set(self.bodies), "every message sent was acknowledged"
        for client_id, ack in self.acked.items():
            message = by_id.get(ack["id"])
            assert message is not None, f"acked {client_id} {ack} is not in the store"
            assert message["seq"] == ack["seq"], (client_id, ack, message)
            assert message["body"] == self.bodies[client_id]
            assert message["author"]["id"] == self.author[client_id]
        assert len(stored) == len(self.acked), "a retry created a second message"
        for sender in self.senders:
            seqs = [a["seq"] for c, a in self.acked.items() if self.author[c] == sender.id]
            assert seqs == sorted(seqs), f"{sender.id}'s messages out of the order sent"


async def converge(cluster: Cluster, members: list[Member], timeout: float = 30) -> list[Frame]:
    """Wait until every tab has applied the store's head; then each must know exactly the
    store's chat, having seen every event once, in order, with no gap (every event here is
    visible to all). Returns the stored chat."""
    head = await cluster.head()
    try:
        await asyncio.gather(*[m.caught_up(head, timeout) for m in members])
    except TimeoutError:
        behind = {m.id: m.last_seq() for m in members if m.last_seq() < head}
        raise AssertionError(f"not caught up to {head} in {timeout} s: {behind}") from None
    stored = await cluster.chat_in_store()
    for member in members:
        known = member.known()
        assert known.snapshots == 1 and known.stale == 0, (member.id, known.snapshots)
        assert known.duplicates == [], (member.id, known.duplicates[:10])
        assert known.gaps == [], (member.id, known.gaps[:10])
        assert known.seq == head
        mine = known.messages()
        if mine != stored:
            ours, theirs = {m["seq"] for m in mine}, {m["seq"] for m in stored}
            differ = [(a, b) for a, b in zip(mine, stored, strict=False) if a != b]
            raise AssertionError(
                f"{member.id} differs from the store: missing seqs {sorted(theirs - ours)[:10]}, "
                f"extra {sorted(ours - theirs)[:10]}, first differing {differ[:1]}"
            )
    return stored
