"""aiortc peers that reach the SFU through the room socket's own signaling (`media.offer`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription

from tests.live.support import Client
from tests.media.peers import Received, SyntheticCamera, SyntheticMicrophone, config
from tests.servers import Server

# The server's peers offer 127.0.0.1 (aioice leaves loopback out unless told); TURN
# credentials are minted with a known secret (the SFU's own peers use no TURN, and with no
# STUN entry they ask no outside host).
STAGE_ENV = {
    "MEDIA_HOST_ADDRESSES": "127.0.0.1",
    "ICE_SERVERS": "turn:turn.example.org:3478?transport=udp",
    "TURN_SECRET": "a-test-turn-secret",
    # The fuzz test sends 20,000 offers from one person; the limit has its own test.
    "MEDIA_OFFERS_PER_10S": "10000000",
}


def stage_server(data: Path) -> Iterator[Server]:
    from server.store.migrate import upgrade

    upgrade(f"sqlite+aiosqlite:///{data / 'studyhall.db'}")
    server = Server(data, STAGE_ENV).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Publishing:
    pc: RTCPeerConnection
    reply: dict[str, Any]


async def offer_to_publish(
    client: Client, labels: tuple[str, ...] = ("camera", "microphone"), **extra: Any
) -> Publishing:
    """Offer camera and microphone (sendonly); the reply is the ack or the error frame.
    `extra` goes into the offer (`group=True`: to one's breakout group's call)."""
    pc = RTCPeerConnection(config())
    for label in labels:
        track = SyntheticMicrophone() if label == "microphone" else SyntheticCamera()
        pc.addTransceiver(track, direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    mids = {str(t.mid): label for t, label in zip(pc.getTransceivers(), labels, strict=True)}
    reply = await client.send("media.offer", sdp=pc.localDescription.sdp, tracks=mids, **extra)
    if reply["type"] == "ack":
        await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
    return Publishing(pc, reply)


@dataclass
class Watching:
    pc: RTCPeerConnection
    received: Received
    reply: dict[str, Any]


async def offer_to_watch(client: Client, video: int = 1, audio: int = 1, **extra: Any) -> Watching:
    """Offer to receive `video` video and `audio` audio tracks of the stage (or, with
    `group=True`, of one's breakout group's call)."""
    pc = RTCPeerConnection(config())
    for kind, count in (("video", video), ("audio", audio)):
        for _ in range(count):
            pc.addTransceiver(kind, direction="recvonly")
    received = Received()
    pc.on("track", received.consume)
    await pc.setLocalDescription(await pc.createOffer())
    reply = await client.send("media.offer", sdp=pc.localDescription.sdp, **extra)
    assert reply["type"] == "ack", reply
    await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
    return Watching(pc, received, reply)


def stage_states(client: Client) -> list[dict[str, Any]]:
    return [f for f in client.frames if f.get("type") == "stage.state"]


def tracks_on_stage(client: Client) -> list[dict[str, Any]]:
    """The stage's tracks as the latest `stage.state` frame listed them."""
    states = stage_states(client)
    return list(states[-1]["tracks"]) if states else []
