"""Every refusal happens before accept(): an HTTP status, not an accepted-then-closed socket."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from tests.clients import Visitor
from tests.live.support import Client, Seeded, seed
from tests.servers import Server, start_server


async def _refused(server: Server, **kw: str | None) -> int:
    with pytest.raises(InvalidStatus) as info:
        await Client.open(server.url, **kw)
    return info.value.response.status_code


async def test_foreign_origin_is_403(server: Server, room: Seeded) -> None:
    cookie = room.attendees[0].cookie
    assert await _refused(server, cookie=cookie, origin="https://evil.example") == 403


async def test_no_session_is_403(server: Server) -> None:
    assert await _refused(server) == 403
    assert await _refused(server, cookie="forged-session-token") == 403


async def _ticket(server: Server, body: dict[str, str], visitor: Visitor) -> str:
    r = await visitor.post("/api/ws-ticket", body)
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] == 60
    return str(r.json()["ticket"])


async def test_ticket_is_single_use_and_forgeries_fail(server: Server, room: Seeded) -> None:
    async with Visitor(server.url) as guest:
        ticket = await _ticket(server, {"join_token": room.guest_token}, guest)
        client = await Client.open(server.url, ticket=ticket)
        ack = await client.join(room.event_id)
        assert ack["type"] == "ack"
        snap = await _snapshot(client)
        assert snap["you"]["name"] == "Guest Gus" and snap["you"]["role"] == "attendee"
        await client.close()
        assert await _refused(server, ticket=ticket) == 403  # reused
        assert await _refused(server, ticket="x" * 32) == 403  # forged
        r = await guest.post("/api/ws-ticket", {"join_token": "not-a-real-token"})
        assert r.status_code == 401


async def test_expired_ticket_is_403(tmp_path: Path) -> None:
    data = tmp_path / "data"
    short = await start_server(data, {"WS_TICKET_TTL": "1"})
    try:
        room = await seed(f"sqlite+aiosqlite:///{data / 'studyhall.db'}")
        async with Visitor(short.url) as guest:
            r = await guest.post("/api/ws-ticket", {"join_token": room.guest_token})
            assert r.json()["expires_in"] == 1
            ticket = r.json()["ticket"]
        await asyncio.sleep(1.5)
        assert await _refused(short, ticket=ticket) == 403
    finally:
        short.stop()


async def _snapshot(client: Client) -> dict[str, Any]:
    await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames))
    return next(f for f in client.frames if f["type"] == "snapshot")


async def test_per_person_socket_cap(server: Server, room: Seeded) -> None:
    cookie = room.attendees[1].cookie
    open_ = [await Client.open(server.url, cookie) for _ in range(8)]
    assert await _refused(server, cookie=cookie) == 403
    await open_[0].close()
    await asyncio.sleep(0.2)
    again = await Client.open(server.url, cookie)
    for c in [*open_[1:], again]:
        await c.close()


async def test_worker_cap_refuses_with_503_and_health_answers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    capped = await start_server(data, {"WS_MAX_CONNECTIONS": "2"})
    try:
        room = await seed(f"sqlite+aiosqlite:///{data / 'studyhall.db'}", attendees=3)
        held = [await Client.open(capped.url, a.cookie) for a in room.attendees[:2]]
        assert await _refused(capped, cookie=room.attendees[2].cookie) == 503
        async with Visitor(capped.url) as v:
            assert (await v.get("/health")).status_code == 200
        await held[0].close()
        await asyncio.sleep(0.3)
        again = await Client.open(capped.url, room.attendees[2].cookie)
        for c in [*held[1:], again]:
            await c.close()
    finally:
        capped.stop()
