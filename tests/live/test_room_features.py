"""Hands, reactions, edits, deletes, private lines, slow mode, history and resume."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.live.conftest import db_url_of
from tests.live.support import Client, Seeded, seed
from tests.servers import Server, start_server


async def _joined(server: Server, cookie: str, room: int) -> Client:
    client = await Client.open(server.url, cookie)
    ack = await client.join(room)
    assert ack["type"] == "ack", ack
    await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames))
    return client


def _snapshot(client: Client) -> dict[str, Any]:
    return next(f for f in reversed(client.frames) if f["type"] == "snapshot")


def _of(client: Client, kind: str) -> list[dict[str, Any]]:
    return [e for e in client.events() if e["type"] == kind]


async def test_hands_queue_in_order_and_host_calls_next(server: Server, room: Seeded) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    me_a, me_b = _snapshot(a)["you"]["id"], _snapshot(b)["you"]["id"]
    assert _snapshot(host)["you"]["role"] == "host"
    assert (await a.send("hand.raise"))["type"] == "ack"
    assert (await b.send("hand.raise"))["type"] == "ack"
    await host.wait_for(lambda: len(_of(host, "hand.raised")) == 2)
    assert _of(host, "hand.raised")[-1]["hands"] == [me_a, me_b]
    refused = await b.send("hand.lower", member=me_a)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert (await b.send("hand.next"))["code"] == "forbidden"
    called = await host.send("hand.next")
    assert called["type"] == "ack" and called["member"] == me_a
    await a.wait_for(lambda: bool(_of(a, "hand.called")))
    assert _of(a, "hand.called")[0]["member"] == me_a and _of(a, "hand.called")[0]["hands"] == [
        me_b
    ]
    assert (await host.send("hand.lower", member=me_b))["type"] == "ack"
    await b.wait_for(lambda: bool(_of(b, "hand.lowered")))
    assert _of(b, "hand.lowered")[-1]["hands"] == []
    for c in (host, a, b):
        await c.close()


async def test_a_thousand_claps_are_one_frame_a_second(server: Server, room: Seeded) -> None:
    watcher = await _joined(server, room.attendees[0].cookie, room.event_id)
    clappers = [await _joined(server, a.cookie, room.event_id) for a in room.attendees[1:]]
    results = await asyncio.gather(
        *[c.send("react", reaction="clap") for c in clappers for _ in range(5)]
    )
    assert all(r["type"] == "ack" for r in results)
    over = await clappers[0].send("react", reaction="clap")
    assert over["type"] == "error" and over["code"] == "rate_limited"
    await watcher.wait_for(lambda: any(f["type"] == "reactions" for f in watcher.frames))
    await asyncio.sleep(2.5)
    frames = [f for f in watcher.frames if f["type"] == "reactions"]
    assert sum(f["counts"].get("clap", 0) for f in frames) == 10
    assert len(frames) <= 2  # aggregated, not one frame per clap
    bad = await watcher.send("react", reaction="fireworks")
    assert bad["type"] == "error" and bad["field"] == "reaction"
    for c in (watcher, *clappers):
        await c.close()


async def test_edit_own_delete_own_moderator_deletes_any(server: Server, room: Seeded) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    sent = await a.send("chat.send", client_id="e1", body="helo")
    assert (await b.send("chat.edit", id=sent["id"], body="hijack"))["code"] == "forbidden"
    assert (await a.send("chat.edit", id=sent["id"], body="hello"))["type"] == "ack"
    assert (await b.send("chat.delete", id=sent["id"]))["code"] == "forbidden"
    other = await b.send("chat.send", client_id="e2", body="spam")
    assert (await host.send("chat.delete", id=other["id"]))["type"] == "ack"
    assert (await a.send("chat.delete", id=sent["id"]))["type"] == "ack"
    await b.wait_for(lambda: len(_of(b, "chat.deleted")) == 2)
    edited = _of(b, "chat.edited")[0]
    assert edited["id"] == sent["id"] and edited["body"] == "hello" and edited["edited_at"]
    assert (await a.send("chat.edit", id=sent["id"], body="x"))["code"] == "not_found"
    again = await a.send("chat.delete", id=sent["id"])  # a retry of the delete
    assert again["type"] == "ack" and again["seq"] is None
    assert (await b.send("chat.delete", id=sent["id"]))["code"] == "forbidden"
    late = await _joined(server, room.attendees[2].cookie, room.event_id)
    assert [m["id"] for m in _snapshot(late)["chat"]] == []
    for c in (host, a, b, late):
        await c.close()


async def test_private_line_reaches_staff_and_author_only(server: Server, room: Seeded) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    await a.send("chat.send", client_id="p1", body="psst, host", to_hosts=True)
    await a.send("chat.send", client_id="p2", body="hello all")
    await b.wait_for(lambda: len(_of(b, "chat.message")) == 1)
    await host.wait_for(lambda: len(_of(host, "chat.message")) == 2)
    await a.wait_for(lambda: len(_of(a, "chat.message")) == 2)
    await asyncio.sleep(0.3)
    assert [e["message"]["body"] for e in _of(b, "chat.message")] == ["hello all"]
    late_b = await _joined(server, room.attendees[1].cookie, room.event_id)
    assert "psst, host" not in [m["body"] for m in _snapshot(late_b)["chat"]]
    late_host = await _joined(server, room.host.cookie, room.event_id)
    assert "psst, host" in [m["body"] for m in _snapshot(late_host)["chat"]]
    for c in (host, a, b, late_b, late_host):
        await c.close()


async def test_slow_mode_and_rate_limit(server: Server, room: Seeded) -> None:
    host = await _joined(server, room.host.cookie, room.event_id)
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    assert (await host.send("room.slow_mode", seconds=30))["type"] == "ack"
    await a.wait_for(lambda: bool(_of(a, "room.updated")))
    assert (await a.send("chat.send", client_id="s1", body="one"))["type"] == "ack"
    second = await a.send("chat.send", client_id="s2", body="two")
    assert second["code"] == "slow_mode" and second["retry_after"] == 30
    assert (await host.send("chat.send", client_id="h1", body="hosts are exempt"))["type"] == "ack"
    assert (await host.send("chat.send", client_id="h2", body="still"))["type"] == "ack"
    assert (await host.send("room.slow_mode", seconds=0))["type"] == "ack"
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    replies = [await b.send("chat.send", client_id=f"r{n}", body=f"n{n}") for n in range(12)]
    assert [r["type"] for r in replies[:10]] == ["ack"] * 10
    assert replies[10]["code"] == "rate_limited" and replies[10]["retry_after"] > 0
    for c in (host, a, b):
        await c.close()


async def test_history_pages_backwards(server: Server) -> None:
    room = await seed(db_url_of(server), attendees=7)
    senders = [await _joined(server, a.cookie, room.event_id) for a in room.attendees[:6]]
    for n in range(60):  # six people, ten each: within everyone's rate limit
        reply = await senders[n % 6].send("chat.send", client_id=f"h{n}", body=f"msg {n}")
        assert reply["type"] == "ack", reply
    late = await _joined(server, room.attendees[6].cookie, room.event_id)
    snap = _snapshot(late)
    assert [m["body"] for m in snap["chat"]] == [f"msg {n}" for n in range(10, 60)]
    assert snap["more_chat"] is True
    page = await late.send("chat.history", before=snap["chat"][0]["id"], limit=50)
    assert [m["body"] for m in page["messages"]] == [f"msg {n}" for n in range(10)]
    assert page["more"] is False
    for c in (*senders, late):
        await c.close()


async def test_resume_gets_exactly_what_was_missed(server: Server, room: Seeded) -> None:
    a = await _joined(server, room.attendees[0].cookie, room.event_id)
    b = await _joined(server, room.attendees[1].cookie, room.event_id)
    await a.send("chat.send", client_id="before", body="before")
    await b.wait_for(lambda: len(_of(b, "chat.message")) == 1)
    last = b.last_seq()
    await b.close()
    for n in range(5):
        await a.send("chat.send", client_id=f"gap{n}", body=f"while away {n}")
    back = await Client.open(server.url, room.attendees[1].cookie)
    ack = await back.join(room.event_id, since=last)
    assert ack["type"] == "ack"
    await back.wait_for(lambda: len(_of(back, "chat.message")) == 5)
    assert not any(f["type"] == "snapshot" for f in back.frames)
    seqs = [e["seq"] for e in back.events()]
    assert seqs == sorted(set(seqs)) and seqs[0] == last + 1
    assert [e["message"]["body"] for e in _of(back, "chat.message")] == [
        f"while away {n}" for n in range(5)
    ]
    ahead = await Client.open(server.url, room.attendees[2].cookie)
    await ahead.join(room.event_id, since=10**9)
    await ahead.wait_for(lambda: any(f["type"] == "snapshot" for f in ahead.frames))
    assert _snapshot(ahead)["stale"] is True
    for c in (a, back, ahead):
        await c.close()


async def test_a_client_that_stops_reading_is_closed_1013(tmp_path: Path) -> None:
    # A small outbound queue and no chat limit, so that the kernel's socket buffers fill
    # quickly and the server's queue for the stalled client overflows within seconds.
    data = tmp_path / "data"
    srv = await start_server(data, {"WS_QUEUE": "8", "CHAT_PER_10S": "10000"})
    try:
        room = await seed(f"sqlite+aiosqlite:///{data / 'studyhall.db'}", attendees=4)
        senders = [await _joined(srv, a.cookie, room.event_id) for a in room.attendees[:3]]
        stalled = await Client.open(srv.url, room.attendees[3].cookie)
        await stalled.join(room.event_id)
        stalled.ws.transport.pause_reading()  # stop reading: its frames pile up server-side
        blob = "x" * 1900
        done = asyncio.Event()

        async def flood(sender: Client, name: str) -> None:
            for n in range(20_000):
                if done.is_set():
                    return
                await sender.send("chat.send", client_id=f"{name}{n}", body=blob)

        async def wait_closed() -> None:
            stalled.ws.transport.resume_reading()
            await stalled.ws.wait_closed()

        async with asyncio.timeout(90):
            floods = [asyncio.create_task(flood(s, f"s{i}-")) for i, s in enumerate(senders)]
            # Resume reading only once the server has given up on it: it closed with 1013.
            while not await _server_closed(srv):
                await asyncio.sleep(0.2)
            done.set()
            await asyncio.gather(*floods)
            await wait_closed()
        assert stalled.ws.close_code == 1013
        assert (await senders[0].send("ping"))["type"] == "pong"  # the others are unaffected
        for c in senders:
            await c.close()
    finally:
        srv.stop()


async def _server_closed(srv: Server) -> bool:
    return "slow client" in srv.log()
