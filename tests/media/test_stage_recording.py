"""Recording the stage through the real server: a host starts and stops it, everyone sees
that it runs, and the file holds the host's camera and microphone as they sent them."""

from __future__ import annotations

import asyncio
from typing import Any

import av

from server.media.recording import folder_of
from tests.live.conftest import db_url_of
from tests.live.support import Client, joined_as, me, ok, seed
from tests.media.stage_peers import offer_to_publish, stage_states, tracks_on_stage
from tests.servers import Server


def _news(client: Client) -> list[dict[str, Any]]:
    return [e for e in client.events() if e["type"] == "stage.recording"]


def _recording(frames: list[dict[str, Any]]) -> Any:
    return frames[-1].get("recording") if frames else "no stage.state yet"


async def test_a_host_records_the_stage_and_everyone_sees_it(stage_server: Server) -> None:
    room = await seed(db_url_of(stage_server), attendees=1)
    url, event = stage_server.url, room.event_id
    host = await joined_as(url, room.host, event, "host")
    watcher = await joined_as(url, room.attendees[0], event, "attendee")
    publishing = await offer_to_publish(host)
    try:
        await watcher.wait_for(lambda: len(tracks_on_stage(watcher)) == 2)
        refused = await watcher.send("stage.record")
        assert refused["type"] == "error" and refused["code"] == "forbidden", refused
        started = await host.send("stage.record")
        assert started["type"] == "ack", started
        await watcher.wait_for(lambda: _recording(stage_states(watcher)) is not None)
        assert _recording(stage_states(watcher))["by"] == room.host.name
        again = await host.send("stage.record")
        assert again["type"] == "error" and again["code"] == "conflict", again
        await asyncio.sleep(2.5)
        stopped = await host.send("stage.record_stop")
        assert stopped["type"] == "ack" and len(stopped["files"]) == 1, stopped
        await watcher.wait_for(lambda: _recording(stage_states(watcher)) is None)
        await watcher.wait_for(lambda: len(_news(watcher)) == 2)
        assert [e["on"] for e in _news(watcher)] == [True, False]
    finally:
        await publishing.pc.close()
        await host.close()
        await watcher.close()
    path = folder_of(stage_server.data_dir, event) / stopped["files"][0]
    with av.open(str(path)) as container:
        kinds = sorted(s.type for s in container.streams)
        video = sum(1 for _ in container.decode(video=0))
    assert kinds == ["audio", "video"]
    assert video >= 30  # 2.5 s of a 30 fps camera, as it came


def _kinds(path: Any) -> list[str]:
    with av.open(str(path)) as container:
        return sorted(s.type for s in container.streams)


async def test_a_muted_speaker_is_recorded_without_their_microphone_until_they_unmute(
    stage_server: Server,
) -> None:
    room = await seed(db_url_of(stage_server), attendees=1)
    url, event = stage_server.url, room.event_id
    host = await joined_as(url, room.host, event, "host")
    guest = await joined_as(url, room.attendees[0], event, "attendee")
    await ok(host, "stage.invite", member=me(guest))
    await ok(guest, "stage.accept")
    publishing = await offer_to_publish(guest)
    try:
        await host.wait_for(lambda: len(tracks_on_stage(host)) == 2)
        await ok(host, "stage.mute", member=me(guest))
        await ok(host, "stage.record")
        await asyncio.sleep(1.5)  # the muted microphone sends nothing: the camera records
        await ok(guest, "stage.unmute")
        await asyncio.sleep(1.5)
        stopped = await ok(host, "stage.record_stop")
    finally:
        await publishing.pc.close()
        await host.close()
        await guest.close()
    folder = folder_of(stage_server.data_dir, event)
    assert [_kinds(folder / name) for name in stopped["files"]] == [
        ["video"],
        ["audio", "video"],
    ]
