"""The stage through the real server: aiortc peers signal over the room socket, media goes
through the server's SFU on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time

from tests.live.conftest import db_url_of
from tests.live.support import Client, joined_as, seed, snapshot_of
from tests.media.peers import wait_for
from tests.media.stage_peers import (
    STAGE_ENV,
    offer_to_publish,
    offer_to_watch,
    tracks_on_stage,
)
from tests.servers import Server


async def test_a_host_publishes_and_three_attendees_see_and_hear(stage_server: Server) -> None:
    room = await seed(db_url_of(stage_server), attendees=3)
    url, event = stage_server.url, room.event_id
    host = await joined_as(url, room.host, event, "host")
    watchers = [await joined_as(url, a, event, "attendee") for a in room.attendees]
    publishing = await offer_to_publish(host)
    assert publishing.reply["type"] == "ack" and publishing.reply["connection"] == "publish"
    for w in watchers:  # everyone in the room hears the stage's tracks change
        await w.wait_for(lambda w=w: len(tracks_on_stage(w)) == 2)  # type: ignore[misc]
    listed = tracks_on_stage(watchers[0])
    assert {t["label"] for t in listed} == {"camera", "microphone"}
    assert {t["member"] for t in listed} == {snapshot_of(host)["you"]["id"]}
    watching = [await offer_to_watch(w) for w in watchers]
    for each in watching:
        carried = each.reply["tracks"]
        assert sorted(t["label"] for t in carried.values()) == ["camera", "microphone"]
    try:
        for n, each in enumerate(watching):
            r = each.received
            await wait_for(lambda r=r: r.frames["video"] >= 30 and r.frames["audio"] >= 50,  # type: ignore[misc]
                           20, f"video and audio at subscriber {n}")  # fmt: skip
    finally:
        for each in watching:
            await each.pc.close()
        await publishing.pc.close()
        for c in (host, *watchers):
            await c.close()


async def test_an_attendee_offer_to_send_is_refused_and_the_socket_stays_open(
    stage_server: Server,
) -> None:
    room = await seed(db_url_of(stage_server), attendees=2)
    attendee = await joined_as(stage_server.url, room.attendees[0], room.event_id, "attendee")
    try:
        refused = await offer_to_publish(attendee)
        await refused.pc.close()
        assert refused.reply["type"] == "error" and refused.reply["code"] == "forbidden"
        assert (await attendee.send("ping"))["type"] == "pong"
        # Watching is for everyone: a receive-only offer is answered.
        watching = await offer_to_watch(attendee, video=0, audio=1)
        assert watching.reply["connection"] == "watch"
        await watching.pc.close()
    finally:
        await attendee.close()


async def test_a_speaker_removed_from_the_stage_stops_reaching_subscribers(
    stage_server: Server,
) -> None:
    room = await seed(db_url_of(stage_server), attendees=1)
    url, event = stage_server.url, room.event_id
    host = await joined_as(url, room.host, event, "host")
    speaker = await joined_as(url, room.speaker, event, "speaker")
    watcher = await joined_as(url, room.attendees[0], event, "attendee")
    publishing = await offer_to_publish(speaker)
    assert publishing.reply["type"] == "ack", publishing.reply
    await watcher.wait_for(lambda: len(tracks_on_stage(watcher)) == 2)
    watching = await offer_to_watch(watcher)
    received = watching.received
    try:
        await wait_for(lambda: received.frames["video"] >= 10, 20, "the speaker's video")
        speaker_id = tracks_on_stage(watcher)[0]["member"]
        removed = asyncio.ensure_future(host.send("stage.remove", member=speaker_id))
        # Both tracks end for the subscriber within the 2 s the stage promises.
        async with asyncio.timeout(2):
            await received.ended["video"].wait()
            await received.ended["audio"].wait()
        assert (await removed)["type"] == "ack"
        await watcher.wait_for(lambda: tracks_on_stage(watcher) == [])
        # Off the stage, the speaker may not publish again until invited.
        again = await offer_to_publish(speaker)
        await again.pc.close()
        assert again.reply["type"] == "error" and again.reply["code"] == "forbidden"
    finally:
        await watching.pc.close()
        await publishing.pc.close()
        for c in (host, speaker, watcher):
            await c.close()


async def test_an_invited_attendee_publishes_and_only_a_host_mutes_them(
    stage_server: Server,
) -> None:
    room = await seed(db_url_of(stage_server), attendees=2)
    url, event = stage_server.url, room.event_id
    host = await joined_as(url, room.host, event, "host")
    guest = await joined_as(url, room.attendees[0], event, "attendee")
    other = await joined_as(url, room.attendees[1], event, "attendee")
    guest_id = snapshot_of(guest)["you"]["id"]
    try:
        assert (await guest.send("stage.accept"))["code"] == "conflict"  # nothing to answer
        assert (await other.send("stage.invite", member=guest_id))["code"] == "forbidden"
        assert (await host.send("stage.mute", member=guest_id))["code"] == "conflict"  # not on it
        assert (await host.send("stage.invite", member=guest_id))["type"] == "ack"
        await guest.wait_for(lambda: any(e["type"] == "stage.invited" for e in guest.events()))
        assert not any(e["type"] == "stage.invited" for e in other.events())  # a private line
        # Who is invited is the staff's business and the invitee's own.
        assert (await host.send("stage.state"))["invited"] == [guest_id]
        assert (await guest.send("stage.state"))["invited"] == [guest_id]
        assert (await other.send("stage.state"))["invited"] == []
        assert (await guest.send("stage.accept"))["type"] == "ack"
        publishing = await offer_to_publish(guest)
        assert publishing.reply["type"] == "ack", publishing.reply
        await other.wait_for(lambda: len(tracks_on_stage(other)) == 2)
        watching = await offer_to_watch(other, video=0, audio=1)
        received = watching.received
        await wait_for(lambda: received.frames["audio"] >= 25, 20, "the guest's audio")

        assert (await host.send("stage.mute", member=guest_id))["type"] == "ack"
        await other.wait_for(lambda: any(t["muted"] for t in tracks_on_stage(other)))
        await asyncio.sleep(0.5)  # what was on its way when the mute came
        heard = received.frames["audio"]
        await asyncio.sleep(1)
        assert received.frames["audio"] - heard <= 2, "a muted microphone still reaches people"
        assert (await other.send("stage.unmute"))["code"] == "conflict"  # not theirs to lift
        assert (await guest.send("stage.unmute"))["type"] == "ack"
        await wait_for(lambda: received.frames["audio"] >= heard + 25, 10, "audio after unmute")
        await watching.pc.close()
        await publishing.pc.close()
    finally:
        for c in (host, guest, other):
            await c.close()


async def test_turn_credentials_go_to_people_in_the_room_only(stage_server: Server) -> None:
    room = await seed(db_url_of(stage_server), attendees=1)
    outside = await Client.open(stage_server.url, room.attendees[0].cookie)
    inside = await joined_as(stage_server.url, room.attendees[0], room.event_id, "attendee")
    try:
        assert (await outside.send("media.ice_servers"))["code"] == "not_in_room"
        reply = await inside.send("media.ice_servers")
        (turn,) = reply["ice_servers"]
        assert turn["urls"] == STAGE_ENV["ICE_SERVERS"]
        expiry, who = turn["username"].split(":")
        assert who == snapshot_of(inside)["you"]["id"]  # the room's member id, not an account
        assert 0 < int(expiry) - time.time() <= 3600
        secret = STAGE_ENV["TURN_SECRET"].encode()
        digest = hmac.new(secret, turn["username"].encode(), hashlib.sha1).digest()
        assert turn["credential"] == base64.b64encode(digest).decode()
    finally:
        await outside.close()
        await inside.close()


async def test_a_speaker_who_disconnects_stops_reaching_subscribers(stage_server: Server) -> None:
    room = await seed(db_url_of(stage_server), attendees=1)
    url, event = stage_server.url, room.event_id
    speaker = await joined_as(url, room.speaker, event, "speaker")
    watcher = await joined_as(url, room.attendees[0], event, "attendee")
    publishing = await offer_to_publish(speaker)
    await watcher.wait_for(lambda: len(tracks_on_stage(watcher)) == 2)
    watching = await offer_to_watch(watcher)
    received = watching.received
    try:
        await wait_for(lambda: received.frames["video"] >= 10, 20, "the speaker's video")
        await speaker.close()  # the tab closes; its peer connection is left behind
        async with asyncio.timeout(2):
            await received.ended["video"].wait()
            await received.ended["audio"].wait()
        await watcher.wait_for(lambda: tracks_on_stage(watcher) == [])
    finally:
        await watching.pc.close()
        await publishing.pc.close()
        await watcher.close()


async def test_offers_are_rate_limited_per_person_and_the_socket_stays_open(
    server: Server,
) -> None:
    room = await seed(db_url_of(server), attendees=1)  # the default server: 30 per 10 s
    attendee = await joined_as(server.url, room.attendees[0], room.event_id, "attendee")
    try:
        replies = [await attendee.send("media.offer", sdp="v=0\r\n") for _ in range(31)]
        assert {r["code"] for r in replies[:30]} == {"invalid"}
        assert replies[30]["code"] == "rate_limited" and replies[30]["retry_after"] == 10
        assert (await attendee.send("ping"))["type"] == "pong"
    finally:
        await attendee.close()
