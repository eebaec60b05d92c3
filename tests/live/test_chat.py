"""Chat in a live room, through a real server and real WebSocket clients."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.live.support import Client, Seeded
from tests.servers import Server


async def test_join_gives_ack_then_snapshot_with_self_present(server: Server, room: Seeded) -> None:
    ada = await Client.open(server.url, room.attendees[0].cookie)
    ack = await ada.join(room.event_id)
    assert ack["type"] == "ack" and ack["room"] == room.event_id
    await ada.wait_for(lambda: any(f["type"] == "snapshot" for f in ada.frames))
    snap = next(f for f in ada.frames if f["type"] == "snapshot")
    assert snap["you"]["role"] == "attendee" and snap["you"]["name"] == "Learner 0"
    assert snap["you"]["id"] in [p["id"] for p in snap["people"]]
    assert not snap["stale"]
    await ada.close()


async def test_chat_reaches_everyone_in_one_order(server: Server, room: Seeded) -> None:
    clients = [await Client.open(server.url, a.cookie) for a in room.attendees]
    for c in clients:
        await c.join(room.event_id)
    acks = await asyncio.gather(
        *[
            c.send("chat.send", client_id=f"m{i}-{n}", body=f"hello {i}.{n}")
            for n in range(5)
            for i, c in enumerate(clients)
        ]
    )
    assert all(a["type"] == "ack" for a in acks), acks

    def chats(c: Client) -> list[dict[str, Any]]:
        return [e for e in c.events() if e["type"] == "chat.message"]

    for c in clients:
        await c.wait_for(lambda c=c: len(chats(c)) >= 15)  # type: ignore[misc]
    orders = [
        [e["message"]["body"] for e in c.events() if e["type"] == "chat.message"] for c in clients
    ]
    assert orders[0] == orders[1] == orders[2]
    seqs = [e["seq"] for e in clients[0].events()]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    for c in clients:
        await c.close()


async def test_same_client_id_100_times_is_one_message(server: Server, room: Seeded) -> None:
    ada = await Client.open(server.url, room.attendees[0].cookie)
    await ada.join(room.event_id)
    acks = [await ada.send("chat.send", client_id="retry-me", body="only once") for _ in range(100)]
    assert {a["type"] for a in acks} == {"ack"}
    assert len({(a["id"], a["seq"]) for a in acks}) == 1
    await asyncio.sleep(0.3)
    bodies = [e["message"]["body"] for e in ada.events() if e["type"] == "chat.message"]
    assert bodies.count("only once") == 1
    await ada.close()


async def test_outsider_cannot_join(server: Server, room: Seeded) -> None:
    out = await Client.open(server.url, room.outsider.cookie)
    reply = await out.join(room.event_id)
    assert reply["type"] == "error" and reply["code"] == "forbidden"
    assert (await out.send("ping"))["type"] == "pong"  # the socket stays open
    await out.close()
