"""A breakout pair talks face to face: two aiortc peers connect directly, the real server
relaying their offer and answer only between members of the same running group."""

from __future__ import annotations

from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription

from tests.live.conftest import db_url_of
from tests.live.support import Client, joined_as, seed, snapshot_of
from tests.media.peers import Received, SyntheticCamera, SyntheticMicrophone, config, wait_for
from tests.servers import Server


def me(client: Client) -> str:
    return str(snapshot_of(client)["you"]["id"])


def signals(client: Client) -> list[dict[str, Any]]:
    return [f for f in client.frames if f.get("type") == "peer.signal"]


async def test_a_breakout_pair_connects_peer_to_peer_and_others_are_refused(
    stage_server: Server,
) -> None:
    room = await seed(db_url_of(stage_server), attendees=3)
    url, event = stage_server.url, room.event_id
    host = await joined_as(url, room.host, event, "host")
    ada, bo, cy = [await joined_as(url, a, event, "attendee") for a in room.attendees]
    planned = await host.send("breakout.plan", mode="by_hand", minutes=20,
                              groups=[{"name": "Traits"}, {"name": "Macros"}])  # fmt: skip
    assert planned["type"] == "ack", planned
    await host.wait_for(lambda: any(e["type"] == "breakout.planned" for e in host.events()))
    round_ = next(e for e in host.events() if e["type"] == "breakout.planned")["round"]
    traits, macros = (g["id"] for g in round_["groups"])
    for person, group in ((ada, traits), (bo, traits), (cy, macros)):
        assert (await host.send("breakout.move", member=me(person), group=group))["type"] == "ack"
    assert (await host.send("breakout.open"))["type"] == "ack"

    caller, callee = RTCPeerConnection(config()), RTCPeerConnection(config())
    received = Received()
    callee.on("track", received.consume)
    try:
        caller.addTrack(SyntheticCamera())
        caller.addTrack(SyntheticMicrophone())
        await caller.setLocalDescription(await caller.createOffer())
        offer = caller.localDescription.sdp
        # Nobody outside the pair's group reaches them: not another group, not a host.
        for stranger in (cy, host):
            refused = await stranger.send("peer.signal", to=me(ada), signal="offer", sdp=offer)
            assert refused["code"] == "forbidden", refused
        bad = await ada.send("peer.signal", to=me(bo), signal="offer", sdp="v=0\r\nm=video x")
        assert bad["code"] == "invalid" and bad["field"] == "sdp"

        sent = await ada.send("peer.signal", to=me(bo), signal="offer", sdp=offer)
        assert sent["type"] == "ack", sent
        await bo.wait_for(lambda: bool(signals(bo)))
        (relayed,) = signals(bo)
        assert relayed["from"] == me(ada) and relayed["signal"] == "offer"
        await callee.setRemoteDescription(RTCSessionDescription(relayed["sdp"], "offer"))
        await callee.setLocalDescription(await callee.createAnswer())
        answer = callee.localDescription.sdp
        assert (await bo.send("peer.signal", to=me(ada), signal="answer", sdp=answer))[
            "type"
        ] == "ack"
        await ada.wait_for(lambda: bool(signals(ada)))
        await caller.setRemoteDescription(RTCSessionDescription(signals(ada)[0]["sdp"], "answer"))
        await wait_for(lambda: received.frames["video"] >= 15 and received.frames["audio"] >= 25,
                       20, "video and audio from the other member of the pair")  # fmt: skip
        assert not signals(cy) and not signals(host)
    finally:
        await caller.close()
        await callee.close()
        for c in (host, ada, bo, cy):
            await c.close()
