"""Failures of the parts of a cluster, in the middle of a chat: a worker killed (SIGKILL),
Redis restarted again and again, a rolling restart (SIGTERM, start again).

Whatever fails, no acknowledged message is lost, every tab converges to the store's history
with every event once and none skipped, and presence ends exactly as who is connected.
"""

from __future__ import annotations

import asyncio
import time

from tests.live.cluster import Chat, Cluster, Member, converge, eventually, left
from tests.live.support import Client

A, B = 0, 1
SWEEP_DEADLINE_S = 30.0  # members of a dead worker leave within 30 s (DESIGN.md, property 5)
OUTAGES_S = [0.3, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5]


async def _snapshot_people(cluster: Cluster, worker: int) -> set[str]:
    """Who a newcomer (the host) is told is in the room, joining on this worker."""
    newcomer = await Member(cluster, cluster.room_host, worker, reconnect=False).open()
    snapshot = next(f for f in newcomer.frames() if f["type"] == "snapshot")
    await newcomer.close()
    people = [p["id"] for p in snapshot["people"]]
    assert len(people) == len(set(people)), people
    return set(people) - {newcomer.id}


async def _people_settle(cluster: Cluster, expected: set[str], timeout: float) -> None:
    """Until a newcomer on each worker gets exactly `expected` (and itself) in its snapshot."""
    seen: dict[int, set[str]] = {}

    async def check(worker: int) -> bool:
        seen[worker] = await _snapshot_people(cluster, worker)
        return seen[worker] == expected

    deadline = time.monotonic() + timeout
    for worker in cluster.alive():
        while not await check(worker):
            if time.monotonic() > deadline:
                ghosts, missing = seen[worker] - expected, expected - seen[worker]
                raise AssertionError(f"worker {worker}: ghosts {ghosts}, missing {missing}")
            await asyncio.sleep(0.5)


async def test_kill_9_of_a_worker_mid_chat(cluster: Cluster) -> None:
    people = cluster.people
    on_a = [await Member(cluster, p, A).open() for p in people[0:3]]
    lurker = await Member(cluster, people[3], A, reconnect=False).open()  # never comes back
    on_b = [await Member(cluster, p, B).open() for p in people[4:7]]
    members = on_a + on_b
    chat = Chat([*on_a[:2], *on_b[:2]]).start()

    await chat.more(100, 60, "a chat under way")
    await cluster.kill(A)
    killed_at = time.monotonic()
    # A's tabs reconnect to B, resume, and the chat goes on there.
    await eventually(lambda: all(m.worker == B and m.ready.is_set() for m in on_a), 20,
                     "A's tabs resumed on B")  # fmt: skip
    await chat.more(100, 60, "the chat goes on after the kill")
    await chat.stop()

    stored = await converge(cluster, members)
    chat.check_store(stored)

    # The person whose only tab was on A leaves, for everyone, once the dead worker is
    # swept; those who came back on B never left.
    remaining = SWEEP_DEADLINE_S - (time.monotonic() - killed_at)
    await eventually(lambda: all(lurker.id in left(m.frames()) for m in members), remaining,
                     "the dead worker's member left, seen by everyone")  # fmt: skip
    for member in members:
        assert not {m.id for m in members} & left(member.frames()), member.id
    here = {m.id for m in members}
    await _people_settle(cluster, here, timeout=10)
    for member in members:
        await eventually(lambda m=member: m.known().people == here, 10,  # type: ignore[misc]
                         "presence converges in every tab")  # fmt: skip
    for member in members:
        await member.close()


async def test_redis_restarts_mid_chat(cluster: Cluster) -> None:
    people = cluster.people
    on_a = [await Member(cluster, p, A).open() for p in people[0:3]]
    on_b = [await Member(cluster, p, B).open() for p in people[3:6]]
    members = on_a + on_b
    senders = [*on_a[:2], *on_b[:2]]
    worker_of = {s.id: s.worker for s in senders}
    chat = Chat(senders, pause_s=0.03).start()
    await chat.more(20, 30, "a chat under way")
    visitors: list[str] = []

    for n, down_s in enumerate(OUTAGES_S):
        mark = max(a["seq"] for a in chat.acked.values())
        outage_ends = time.monotonic() + down_s
        await cluster.stop_redis(kill=n % 2 == 1)
        if down_s >= 1:
            # Someone comes and goes while Redis is away, on either worker.
            visitor = await Member(cluster, people[6], worker=n % 2, reconnect=False).open()
            visitors.append(visitor.id)
            await visitor.close()
        await asyncio.sleep(max(0.0, outage_ends - time.monotonic()))
        if down_s >= 3:
            # Redis is only a hint: while it is away, messages sent on one worker still
            # reach the other worker's tabs, from the store.
            for member in members:
                other = {s for s, w in worker_of.items() if w != member.worker}
                crossed = [
                    m["seq"]
                    for m in member.known().messages()
                    if m["seq"] > mark and m["author"]["id"] in other
                ]
                assert crossed, f"outage {n} ({down_s} s): nothing crossed to {member.id}"
        await cluster.start_redis()
        await chat.more(10, 30, "chat after Redis came back")
    await chat.stop()

    stored = await converge(cluster, members, timeout=30)
    chat.check_store(stored)
    assert [m.reconnects for m in members] == [0] * len(members), "a Redis restart dropped sockets"
    # Every tab saw the visitor come and go, and knows exactly who is here.
    here = {m.id for m in members}
    for member in members:
        assert visitors[0] in left(member.frames()), member.id
        await eventually(lambda m=member: m.known().people == here, 10,  # type: ignore[misc]
                         "presence converges in every tab")  # fmt: skip
    await _people_settle(cluster, here, timeout=10)
    assert [m.errors for m in members] == [[]] * len(members)


async def test_rolling_restart_leaves_no_ghosts(cluster: Cluster) -> None:
    people = cluster.people
    on_a = [await Member(cluster, p, A).open() for p in people[0:3]]
    on_b = [await Member(cluster, p, B).open() for p in people[3:6]]
    members = on_a + on_b
    chat = Chat([on_a[0], on_b[0]], pause_s=0.05).start()
    await chat.more(20, 30, "a chat under way")

    for worker, other in ((A, B), (B, A)):
        leaving = [m.client for m in members if m.worker == worker]
        await cluster.stop(worker)  # SIGTERM
        # A graceful close, not a dropped connection: 1012 (uvicorn's "service restart";
        # docs/protocol.md says 1001).
        async with asyncio.timeout(10):
            for client in leaving:
                await client.ws.wait_closed()
        assert {c.ws.close_code for c in leaving} <= {1001, 1012}
        await eventually(lambda o=other: all(m.worker == o and m.ready.is_set() for m in members),  # type: ignore[misc]
                         20, f"every tab on worker {other}")  # fmt: skip
        await cluster.start_worker(worker)
    # Everyone is on A now; half of the tabs move back to B, as a balancer would send them.
    for member in on_b:
        await member.client.ws.close()
    await eventually(lambda: all(m.worker == B and m.ready.is_set() for m in on_b), 20,
                     "half of the tabs back on B")  # fmt: skip
    await chat.more(20, 30, "the chat goes on")
    await chat.stop()

    stored = await converge(cluster, members)
    chat.check_store(stored)
    here = {m.id for m in members}
    await _people_settle(cluster, here, timeout=15)
    for member in members:
        await eventually(lambda m=member: m.known().people == here, 10,  # type: ignore[misc]
                         "presence converges in every tab")  # fmt: skip
    for member in members:
        await member.close()


async def test_a_join_that_fails_in_the_store_leaves_no_ghost(cluster: Cluster) -> None:
    people = cluster.people
    here = [await Member(cluster, people[0], A).open(), await Member(cluster, people[1], B).open()]
    async with cluster.presence_inserts_fail():
        # Joining writes presence; the store refuses it, so the join fails (and says so).
        for n, worker in enumerate((A, B)):
            client = await Client.open(cluster.url(worker), people[2 + n].cookie)
            reply = await client.join(cluster.event_id)
            assert reply["type"] == "error" and reply["code"] == "unavailable", reply
            await client.close()  # the person gives up and goes
    # The store works again: later joins succeed, and each one's presence write is made
    # after every earlier write this worker still owed the store.
    here += [await Member(cluster, people[4], A).open(), await Member(cluster, people[5], B).open()]
    ids = {m.id for m in here}
    await _people_settle(cluster, ids, timeout=10)
    for member in here:
        await eventually(lambda m=member: m.known().people == ids, 10,  # type: ignore[misc]
                         "presence converges in every tab")  # fmt: skip
