"""The stage on media nodes: two real web workers and real `studyhall media-node` processes
on one real Redis, with aiortc peers. A publisher on one worker reaches subscribers on the
other, and when the node running the room dies, the room moves to another node, the stage's
membership and its recording with it, and the people's fresh offers work there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.databases import Postgres
from tests.live.cluster import Cluster, sqlite_url
from tests.live.support import Client, joined_as, me, ok
from tests.media.media_nodes import MediaNode, node_of_room, start_nodes
from tests.media.peers import wait_for
from tests.media.stage_peers import (
    STAGE_ENV,
    offer_to_publish,
    offer_to_watch,
    stage_states,
    tracks_on_stage,
)

A, B = 0, 1


@pytest.fixture
async def cluster(tmp_path: Path, postgres: Postgres | None) -> AsyncIterator[Cluster]:
    db_url = await postgres.fresh() if postgres is not None else await sqlite_url(tmp_path / "db")
    started = await Cluster.start(tmp_path, db_url, attendees=4, env=STAGE_ENV)
    try:
        yield started
    finally:
        await started.close()


async def _close(*clients: Client) -> None:
    for client in clients:
        await client.close()


async def test_a_publisher_on_one_worker_reaches_subscribers_on_the_other(
    cluster: Cluster,
) -> None:
    room = cluster.event_id
    host = await joined_as(cluster.url(A), cluster.room_host, room, "host")
    watchers = [await joined_as(cluster.url(B), p, room, "attendee") for p in cluster.people[:3]]
    nodes: list[MediaNode] = []
    try:
        # No media node yet: the stage says so, and the socket stays open.
        refused = await host.send("stage.state")
        assert refused["type"] == "error" and refused["code"] == "unavailable", refused
        assert "media server" in refused["message"]
        nodes = await start_nodes(cluster, 1)

        publishing = await offer_to_publish(host)
        assert publishing.reply["type"] == "ack", publishing.reply
        for w in watchers:  # the node's view reaches the sockets of the other worker
            await w.wait_for(lambda w=w: len(tracks_on_stage(w)) == 2, 20)  # type: ignore[misc]
        assert {t["member"] for t in tracks_on_stage(watchers[0])} == {me(host)}
        assert stage_states(watchers[0])[-1]["epoch"]  # names the SFU, opaquely
        watching = [await offer_to_watch(w) for w in watchers]
        try:
            for n, each in enumerate(watching):
                r = each.received
                await wait_for(lambda r=r: r.frames["video"] >= 30 and r.frames["audio"] >= 50,  # type: ignore[misc]
                               30, f"video and audio at subscriber {n} on worker B")  # fmt: skip
            # The rules hold on the node too: an attendee on either worker may not send.
            attendee = await offer_to_publish(watchers[0])
            await attendee.pc.close()
            assert attendee.reply["type"] == "error" and attendee.reply["code"] == "forbidden"
            # A host records the stage: the node writes the file, everyone sees it record.
            await ok(host, "stage.record")
            await watchers[2].wait_for(
                lambda: (
                    (stage_states(watchers[2])[-1].get("recording") or {}).get("by")
                    == cluster.room_host.name
                ),
                20,
            )
            await asyncio.sleep(1)
            stopped = await ok(host, "stage.record_stop")
            written = list((nodes[0].folder / "recordings").rglob("*"))
            assert stopped["files"] and {f.name for f in written} >= set(stopped["files"])
            assert all(f.stat().st_size > 0 for f in written if f.is_file())
        finally:
            for each in watching:
                await each.pc.close()
            await publishing.pc.close()
    finally:
        await _close(host, *watchers)
        for node in nodes:
            node.kill()


async def test_when_the_node_dies_the_room_moves_and_fresh_offers_work(cluster: Cluster) -> None:
    room = cluster.event_id
    nodes = await start_nodes(cluster, 2)
    host = await joined_as(cluster.url(A), cluster.room_host, room, "host")
    guest = await joined_as(cluster.url(B), cluster.people[0], room, "attendee")
    watcher = await joined_as(cluster.url(B), cluster.people[1], room, "attendee")
    try:
        # A host on one worker invites an attendee on the other; the node keeps it.
        await ok(host, "stage.invite", member=me(guest))
        await ok(guest, "stage.accept")
        await ok(host, "stage.mute", member=me(guest))
        first = await offer_to_publish(guest)
        assert first.reply["type"] == "ack", first.reply
        await watcher.wait_for(lambda: len(tracks_on_stage(watcher)) == 2, 20)
        await ok(host, "stage.record")
        await watcher.wait_for(lambda: stage_states(watcher)[-1].get("recording") is not None, 20)
        recording = stage_states(watcher)[-1]["recording"]
        await asyncio.sleep(1)  # a second of the guest on the first node's file
        running = await node_of_room(cluster, room)
        before = stage_states(watcher)[-1]["epoch"]
        dying = next(n for n in nodes if n.id == running)
        survivor = next(n for n in nodes if n is not dying)
        await first.pc.close()

        dying.kill()
        # Every worker sees the node go and shows the stage from its new node: a new epoch.
        for client in (host, guest, watcher):
            await client.wait_for(
                lambda c=client: stage_states(c)[-1].get("epoch") not in (None, before),  # type: ignore[misc]
                20,
            )
        assert await node_of_room(cluster, room) == survivor.id
        moved = stage_states(watcher)[-1]
        assert moved["tracks"] == [] and moved["on_stage"] == [me(guest)]
        assert moved["muted"] == [me(guest)]
        assert moved["recording"] == recording  # it goes on recording there, since then

        # The page's fresh offers: the guest may still publish, and the watcher receives.
        again = await offer_to_publish(guest)
        assert again.reply["type"] == "ack", again.reply
        await watcher.wait_for(lambda: len(tracks_on_stage(watcher)) == 2, 20)
        assert all(t["muted"] for t in tracks_on_stage(watcher) if t["label"] == "microphone")
        watching = await offer_to_watch(watcher)
        try:
            r = watching.received
            await wait_for(lambda: r.frames["video"] >= 30, 30, "video from the new node")
            stopped = await ok(host, "stage.record_stop")
            before_move = {f.name for f in (dying.folder / "recordings").rglob("*.*")}
            after_move = {f.name for f in (survivor.folder / "recordings").rglob("*.*")}
            assert before_move and stopped["files"] and set(stopped["files"]) <= after_move
            assert not before_move & after_move  # the part after the move has names of its own
        finally:
            await watching.pc.close()
            await again.pc.close()
    finally:
        await _close(host, guest, watcher)
        for node in nodes:
            node.kill()
