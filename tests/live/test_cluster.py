"""Two real workers on one database and one real Redis: one room, whatever the worker.

Clients on both workers must see the same events in the same order, with contiguous `seq`,
and presence diffs made on one worker must reach the people on the other.
"""

from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus

from tests.live.cluster import Chat, Cluster, Member, converge, eventually, joined, left
from tests.live.support import Client

A, B = 0, 1


async def test_a_thousand_messages_from_both_workers_arrive_in_one_order(
    cluster: Cluster,
) -> None:
    # Three tabs on each worker; two of each worker's tabs send, all four at once.
    members = [
        await Member(cluster, person, worker=n % 2, reconnect=False).open()
        for n, person in enumerate(cluster.people[:6])
    ]
    senders = members[:4]
    assert sorted(s.worker for s in senders) == [A, A, B, B]
    chat = Chat(senders, per_sender=250).start()
    await chat.wait(timeout=120)
    assert [m.errors for m in members] == [[]] * len(members)

    # Every tab, on either worker, saw every room event (presence and chat) once, in seq
    # order, and knows exactly the store's messages in the store's order; every
    # acknowledged message is stored as its ack said.
    stored = await converge(cluster, members)
    assert len(stored) == 1000
    chat.check_store(stored)
    for member in members:
        await member.close()
    assert "Traceback" not in cluster.logs(), cluster.logs()[-5000:]


async def test_presence_diffs_cross_workers(cluster: Cluster) -> None:
    # Each worker accepts a socket whose Origin is the other worker's URL, and no other.
    crossed = await Client.open(cluster.url(A), cluster.people[0].cookie, origin=cluster.url(B))
    assert (await crossed.join(cluster.event_id))["type"] == "ack"
    await crossed.close()
    with pytest.raises(InvalidStatus) as refused:
        await Client.open(cluster.url(A), cluster.people[0].cookie, origin="http://evil.example")
    assert refused.value.response.status_code == 403

    on_a = await Member(cluster, cluster.people[0], worker=A, reconnect=False).open()
    on_b = await Member(cluster, cluster.people[1], worker=B, reconnect=False).open()
    await eventually(lambda: on_a.id in on_b.known().people, 10, "A's first tab seen on B")

    # A join on A reaches B as a diff, and a join on B reaches A.
    ada = await Member(cluster, cluster.people[2], worker=A, reconnect=False).open()
    bob = await Member(cluster, cluster.people[3], worker=B, reconnect=False).open()
    await eventually(lambda: ada.id in joined(on_b.frames()), 10, "ada joined, seen on B")
    await eventually(lambda: bob.id in joined(on_a.frames()), 10, "bob joined, seen on A")

    # Closing the socket is leaving, seen on the other worker.
    await ada.close()
    await eventually(lambda: ada.id in left(on_b.frames()), 10, "ada left, seen on B")
    await bob.close()
    await eventually(lambda: bob.id in left(on_a.frames()), 10, "bob left, seen on A")

    # One person with a tab on each worker is present once, and leaves with the last tab.
    cy_a = await Member(cluster, cluster.people[4], worker=A, reconnect=False).open()
    cy_b = await Member(cluster, cluster.people[4], worker=B, reconnect=False).open()
    assert cy_a.id == cy_b.id  # the same SECRET_KEY on both workers
    snapshot = next(f for f in cy_b.frames() if f["type"] == "snapshot")
    assert [p["id"] for p in snapshot["people"]].count(cy_a.id) == 1
    await cy_a.close()
    # Presence on A is written in order: once B sees this later join on A, it would have
    # seen cy leave, had closing cy's tab on A removed them.
    dee = await Member(cluster, cluster.people[5], worker=A, reconnect=False).open()
    await eventually(lambda: dee.id in joined(on_b.frames()), 10, "dee joined, seen on B")
    assert cy_a.id not in left(on_b.frames()) and cy_a.id in on_b.known().people
    await cy_b.close()
    await eventually(lambda: cy_a.id in left(on_a.frames()), 10, "cy left, seen on A")

    # The long-lived tabs replay the diffs into exactly who is there.
    here = {on_a.id, on_b.id, dee.id}
    for member in (on_a, on_b):
        await eventually(lambda m=member: m.known().people == here, 10, "presence converges")  # type: ignore[misc]
        assert member.known().duplicates == [] and member.known().gaps == []
    for member in (on_a, on_b, dee):
        await member.close()
