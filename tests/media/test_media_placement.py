"""Placing rooms on media nodes, in one process on the memory bus: the least busy node takes a
new room, a node that finds the room placed elsewhere sends the caller there, a node that
stops lets its rooms go at once, and with no node the stage says so."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.bus.memory import MemoryBus
from server.live import media_wire as wire
from server.live.media_node import MediaNode
from server.live.media_nodes import MediaNodes
from server.live.stage_calls import Caller
from server.rooms.commands import CommandError
from server.settings import load_settings

HOST = Caller("socket-1", "m-host", "Grace", "host")


@pytest.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    memory = MemoryBus()
    yield memory
    await memory.close()


async def started_node(bus: MemoryBus, data: Path) -> MediaNode:
    settings = load_settings({"STUDYHALL_ENV": "test", "STUDYHALL_DATA": str(data)})
    node = MediaNode(settings, bus)
    await node.start()
    return node


@contextlib.asynccontextmanager
async def worker_and_two_nodes(
    bus: MemoryBus, folder: Path
) -> AsyncIterator[tuple[MediaNodes, MediaNode, MediaNode, list[tuple[int, dict[str, Any]]]]]:
    """A web worker's way to the nodes, two nodes, and the views the worker was shown."""
    shown: list[tuple[int, dict[str, Any]]] = []
    worker = MediaNodes(bus, "worker-1", lambda room, view: shown.append((room, view)))
    await worker.start()
    a, b = await started_node(bus, folder / "a"), await started_node(bus, folder / "b")
    try:
        yield worker, a, b, shown
    finally:
        await worker.close()
        for node in (a, b):
            await node.close()


async def shown_from(node: MediaNode, shown: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """The first view the worker was shown from `node`, once it comes."""
    async with asyncio.timeout(5):
        while not any(v["epoch"] == node.stages.epoch for _, v in shown):
            await asyncio.sleep(0.05)
    return next(v for _, v in shown if v["epoch"] == node.stages.epoch)


async def invite(worker: MediaNodes, room: int, member: str) -> None:
    """An invitation keeps the room's stage on its node (an empty stage is forgotten)."""
    await worker.call(room, "invite", HOST, {"member": member, "role": "attendee"})


async def test_rooms_go_to_the_least_busy_node_and_stay(bus: MemoryBus, tmp_path: Path) -> None:
    shown: list[tuple[int, dict[str, Any]]] = []
    worker = MediaNodes(bus, "worker-1", lambda room, view: shown.append((room, view)))
    await worker.start()
    with pytest.raises(CommandError) as none:
        await worker.call(1, "state", HOST, {})
    assert none.value.code == "unavailable" and "No media server" in none.value.message

    a, b = await started_node(bus, tmp_path / "a"), await started_node(bus, tmp_path / "b")
    try:
        await invite(worker, 1, "m-ada")
        first = worker.placed[1]
        await asyncio.sleep(wire.BEAT_S * 1.5)  # the nodes' beats tell how busy each is
        await invite(worker, 2, "m-bo")
        assert {first, worker.placed[2]} == {a.id, b.id}
        # Another worker, asking later, finds each room where it is.
        other = MediaNodes(bus, "worker-2", lambda room, view: None)
        await other.start()
        for room in (1, 2):
            view = await other.call(room, "state", HOST, {})
            node = a if worker.placed[room] == a.id else b
            assert view["epoch"] == node.stages.epoch and view["invited"] != []
        await other.close()
    finally:
        await worker.close()
        for node in (a, b):
            await node.close()


async def test_a_node_that_lost_the_room_sends_the_caller_to_the_one_that_has_it(
    bus: MemoryBus, tmp_path: Path
) -> None:
    async with worker_and_two_nodes(bus, tmp_path) as (worker, a, b, _):
        await invite(worker, 7, "m-ada")
        holder, other = (a, b) if worker.placed[7] == a.id else (b, a)
        # The room is placed on the other node behind this worker's back (as after a
        # partition): the holder's beat sees it and closes its stage there.
        await bus.set(wire.room_key(7), other.id.encode(), wire.ALIVE_S)
        await asyncio.sleep(wire.BEAT_S * 1.5)
        assert 7 not in holder.stages.held()
        # This worker still asks the old node, which sends it on; the call works.
        view = await worker.call(7, "state", HOST, {})
        assert view["epoch"] == other.stages.epoch and worker.placed[7] == other.id


async def test_a_stopping_node_lets_its_rooms_go_and_they_keep_their_membership(
    bus: MemoryBus, tmp_path: Path
) -> None:
    async with worker_and_two_nodes(bus, tmp_path) as (worker, a, b, shown):
        await invite(worker, 3, "m-ada")
        await worker.call(3, "mute", HOST, {"member": "m-host-2", "role": "speaker"})
        leaving, staying = (a, b) if worker.placed[3] == a.id else (b, a)
        await asyncio.sleep(0.1)  # the node keeps the membership on the bus as it changes
        await leaving.close()
        assert await bus.get(wire.room_key(3)) is None
        # The worker sees the node gone and shows its people the stage from the other one.
        moved = await shown_from(staying, shown)
        assert moved["invited"] == ["m-ada"] and moved["muted"] == ["m-host-2"]


async def test_a_recording_goes_on_where_the_room_moves_and_ends_where_it_is_let_go(
    bus: MemoryBus, tmp_path: Path
) -> None:
    async with worker_and_two_nodes(bus, tmp_path) as (worker, a, b, shown):
        await worker.call(4, "record", HOST, {"event": 9})
        leaving, staying = (a, b) if worker.placed[4] == a.id else (b, a)
        since = leaving.stages.recordings.view(4)
        assert since is not None and since["by"] == "Grace"
        await asyncio.sleep(0.1)  # the node keeps the recording on the bus with the membership
        await leaving.close()
        # The other node takes the room and goes on recording: same person, same start.
        moved = await shown_from(staying, shown)
        assert moved["recording"] == since
        first = leaving.stages.recordings
        assert 4 not in first.running  # the stopping node ended its part
        resumed = staying.stages.recordings.running[4]
        assert resumed.event_id == 9 and resumed.recording.folder.name == "event-9"

        # Placed elsewhere behind its back (a partition): the node lets the room go and its
        # recording ends there, not left running with nobody to stop it.
        await bus.set(wire.room_key(4), b"media-elsewhere", wire.ALIVE_S)
        async with asyncio.timeout(5):
            while 4 in staying.stages.held():
                await asyncio.sleep(0.05)
        assert 4 not in staying.stages.recordings.running
        # Stopping it is a clear refusal on a node that does not record it.
        await bus.delete(wire.room_key(4))
        await bus.delete(wire.membership_key(4))
        worker.placed.pop(4, None)
        with pytest.raises(CommandError) as refused:
            await worker.call(4, "record_stop", HOST, {})
        assert refused.value.code == "conflict"
