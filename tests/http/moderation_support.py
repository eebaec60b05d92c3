"""A seeded community with a live room, for the tests of its moderation page (over HTTP and
in the browser): real sockets file a report and ban someone, so the page has something on it."""

from __future__ import annotations

import html
from contextlib import AsyncExitStack
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store
from server.store.tables import Community, Event
from tests.clients import Visitor
from tests.live.support import Client, Seeded, Someone, seed
from tests.servers import Server


def db_url(server: Server) -> str:
    return f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}"


async def slug_of(server: Server, event_id: int) -> str:
    async def find(session: AsyncSession) -> str:
        found = await session.scalar(
            select(Community.slug).join(Event, Event.community_id == Community.id)
            .where(Event.id == event_id)
        )  # fmt: skip
        assert found is not None
        return found

    store = Store(db_url(server))
    try:
        return await store.read(find)
    finally:
        await store.close()


@dataclass
class Room:
    """A seeded community with a live room, and ways to open its pages and sockets."""

    server: Server
    seeded: Seeded
    slug: str
    stack: AsyncExitStack

    @property
    def id(self) -> int:
        return self.seeded.event_id

    @property
    def page_path(self) -> str:
        return f"/c/{self.slug}/moderation"

    async def visitor(self, someone: Someone | None = None) -> Visitor:
        v = await self.stack.enter_async_context(Visitor(self.server.url))
        if someone is not None:
            v.http.cookies.set("studyhall_session", someone.cookie)
        return v

    async def page(self, someone: Someone, query: str = "") -> str:
        r = await (await self.visitor(someone)).get(self.page_path + query)
        assert r.status_code == 200, r.text
        return html.unescape(r.text)

    async def socket(self, someone: Someone) -> Client:
        client = await Client.open(self.server.url, someone.cookie)
        self.stack.push_async_callback(client.close)
        assert (await client.join(self.id))["type"] == "ack"
        await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames))
        return client


async def seeded_room(server: Server, stack: AsyncExitStack) -> Room:
    """A freshly seeded community and room; its visitors and sockets close with `stack`."""
    seeded = await seed(db_url(server))
    return Room(server, seeded, await slug_of(server, seeded.event_id), stack)


def member_of(client: Client) -> str:
    snapshot = next(f for f in client.frames if f["type"] == "snapshot")
    return str(snapshot["you"]["id"])


async def report_a_message(room: Room) -> tuple[Client, int]:
    """The second attendee writes a message, the first reports it; the reporter's socket and
    the report's id."""
    reporter, author = room.seeded.attendees[0], room.seeded.attendees[1]
    writer = await room.socket(author)
    sent = await writer.send("chat.send", client_id="c-1", body="Only fools ask that.")
    assert sent["type"] == "ack", sent
    filer = await room.socket(reporter)
    filed = await filer.send("report", kind="message", id=sent["id"], reason="Insults a beginner")
    assert filed["type"] == "ack", filed
    return filer, int(filed["id"])


async def ban(room: Room, moderator: Client, someone: Someone) -> Client:
    """Ban `someone` from a socket of the moderator; their own socket, closed by the ban."""
    theirs = await room.socket(someone)
    banned = await moderator.send(
        "mod.ban", member=member_of(theirs), reason="Harassment after a warning"
    )
    assert banned["type"] == "ack", banned
    await theirs.wait_for(lambda: theirs.ws.close_code is not None)
    assert theirs.ws.close_code == 4004
    return theirs
