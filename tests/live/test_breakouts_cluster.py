"""Sixty people in ten breakout groups across two real workers on Redis.

Half the room is on each worker; the host runs the groups from one worker and the co-host
from the other, racing each other. At every step (planned, moved, opened, timed out) both
workers' views of who sits where, replayed from the events they delivered, equal the seats
in the store: everyone in exactly one group, nobody lost. Calls for help made at once from
both workers queue in one order, the order of the room's log.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.breakout_tables import BreakoutRound, BreakoutSeat
from server.store.tables import utcnow
from tests.live.cluster import Cluster, eventually
from tests.live.support import Client, Someone, me, ok, seed

A, B = 0, 1
PEOPLE = 60
GROUPS = [{"name": f"Group {n + 1}", "capacity": 8} for n in range(10)]


async def joined(cluster: Cluster, worker: int, room: int, someone: Someone) -> Client:
    client = await Client.open(cluster.url(worker), someone.cookie)
    assert (await client.join(room))["type"] == "ack"
    await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames), 30)
    return client


def seating(client: Client) -> dict[str, int]:
    """Who sits where, as this socket's events tell it, in the order they were delivered."""
    where: dict[str, int] = {}
    for event in client.events():
        if event["type"] in ("breakout.planned", "breakout.opened"):
            where = {m["id"]: g["id"] for g in event["round"]["groups"] for m in g["members"]}
        elif event["type"] == "breakout.seated":
            where[event["member"]] = event["group"]
        elif event["type"] == "breakout.closed":
            where = {}
    return where


async def stored(cluster: Cluster) -> dict[str, int]:
    async def read(session: AsyncSession) -> list[tuple[str, int]]:
        rows = await session.execute(
            select(BreakoutSeat.member, BreakoutSeat.group_id)
            .join(BreakoutRound, BreakoutRound.id == BreakoutSeat.round_id)
            .where(BreakoutRound.state.in_(("draft", "open")))
        )
        return [(m, g) for m, g in rows]

    rows = await cluster.store.read(read)
    assert len(rows) == len({m for m, _ in rows}), "somebody sits twice"
    return dict(rows)


def closes(client: Client) -> list[dict[str, Any]]:
    return [e for e in client.events() if e["type"] == "breakout.closed"]


async def agree(cluster: Cluster, watchers: list[Client], seq: int, everyone: set[str]) -> None:
    """Both workers delivered up to `seq`, and their seating equals the store's."""
    await eventually(lambda: all(w.last_seq() >= seq for w in watchers), 20, "both caught up")
    truth = await stored(cluster)
    assert set(truth) == everyone, "everyone seated, nobody else"
    for watcher in watchers:
        assert seating(watcher) == truth


async def test_sixty_people_in_ten_groups_on_two_workers(cluster: Cluster) -> None:
    room = await seed(cluster.db_url, attendees=PEOPLE)
    rid = room.event_id
    host = await joined(cluster, A, rid, room.host)
    co_host = await joined(cluster, B, rid, room.co_host)
    watchers = [host, co_host]
    people = await asyncio.gather(
        *[joined(cluster, n % 2, rid, p) for n, p in enumerate(room.attendees)]
    )
    everyone = {me(p) for p in people}

    planned = await ok(host, "breakout.plan", mode="random", minutes=30, groups=GROUPS)
    await agree(cluster, watchers, planned["seq"], everyone)
    sizes = Counter((await stored(cluster)).values())
    assert sorted(sizes.values()) == [6] * 10

    # Both hosts move people at once, from both workers: forty moves, some of the same
    # people to different groups. The log decides the order; both workers follow it.
    plan = next(e for e in co_host.events() if e["type"] == "breakout.planned")
    groups = [g["id"] for g in plan["round"]["groups"]]
    moves = [
        mover.send("breakout.move", member=me(people[n % 20]), group=groups[(n * 3 + k) % 10])
        for n in range(20)
        for k, mover in enumerate(watchers)
    ]
    replies = await asyncio.gather(*moves)
    # A move into a group that filled up meanwhile is refused; every other one lands.
    refused = [r for r in replies if r["type"] != "ack"]
    assert all(r["code"] == "conflict" and "full" in r["message"] for r in refused), refused
    assert len(refused) < len(replies) // 2
    last = max(r["seq"] for r in replies if r["type"] == "ack")
    await agree(cluster, watchers, last, everyone)
    assert all(n <= 8 for n in Counter((await stored(cluster)).values()).values())

    opened = await ok(co_host, "breakout.open")
    await agree(cluster, watchers, opened["seq"], everyone)

    # One person from each group calls for help at once, half through each worker.
    truth = await stored(cluster)
    askers = [next(p for p in people if truth[me(p)] == g) for g in groups]
    asked = await asyncio.gather(
        *[ok(p, "help.ask", note=f"stuck {n}") for n, p in enumerate(askers)]
    )
    by_seq = [a["id"] for a in sorted(asked, key=lambda a: a["seq"])]
    assert by_seq == sorted(by_seq), "the queue is the log's order"
    late = await joined(cluster, B, rid, room.moderator)  # staff: sees the whole queue
    queue = next(f for f in late.frames if f["type"] == "snapshot")["help"]
    assert [r["id"] for r in queue] == by_seq
    for request in by_seq[:3]:
        await ok(host, "help.claim", id=request)
    again = await joined(cluster, A, rid, room.moderator)
    rest = next(f for f in again.frames if f["type"] == "snapshot")["help"]
    assert [r["id"] for r in rest] == by_seq[3:]

    # The round times out: one close, on whichever worker saw it first, heard on both.
    async def end_now(session: AsyncSession) -> None:
        await session.execute(update(BreakoutRound).values(ends_at=utcnow() - timedelta(seconds=1)))

    await cluster.store.write(end_now)
    await eventually(lambda: all(closes(w) for w in watchers), 10, "closed on both workers")
    await asyncio.sleep(1.5)  # another worker's check, a second later, must find nothing to do
    for watcher in watchers:
        closes_seen = closes(watcher)
        assert len(closes_seen) == 1 and closes_seen[0]["reason"] == "time"
        assert seating(watcher) == {}
    assert await stored(cluster) == {}
    for client in (*watchers, *people, late, again):
        await client.close()
