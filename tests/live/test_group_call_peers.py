"""Two real aiortc peers in one breakout group connect peer to peer, signaling only through
the server's relay, and exchange video and a data channel message end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aioice.ice
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack, VideoStreamTrack

from server.media.ice import rtc_configuration
from tests.live.conftest import db_url_of
from tests.live.group_call_support import joined, run_groups, signals
from tests.live.support import Client, me, ok, seed
from tests.servers import Server


def loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else []


@pytest.fixture(autouse=True, scope="module")
def loopback_ice() -> Iterator[None]:
    """Host candidates on 127.0.0.1, which aioice leaves out (see tests/media/conftest.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aioice.ice, "get_host_addresses", loopback_addresses)
        yield


async def next_signal(client: Client, seen: int) -> dict[str, object]:
    await client.wait_for(lambda: len(signals(client)) > seen, 20)
    return signals(client)[seen]


async def test_two_aiortc_peers_call_each_other_through_the_relay(server: Server) -> None:
    room = await seed(db_url_of(server), attendees=2)
    host = await joined(server.url, room.host, room.event_id)
    ada, bo = [await joined(server.url, a, room.event_id) for a in room.attendees]
    await run_groups(host, [[ada, bo]], watcher=ada)
    # The lower member id offers (as the browser does), so the two never offer at once.
    caller, callee = sorted((ada, bo), key=me)
    config = rtc_configuration((await ok(caller, "group.ice_servers"))["ice_servers"])
    calling, answering = RTCPeerConnection(config), RTCPeerConnection(config)
    received: asyncio.Queue[MediaStreamTrack] = asyncio.Queue()
    heard: asyncio.Queue[str] = asyncio.Queue()
    try:
        camera = VideoStreamTrack()
        calling.addTrack(camera)
        channel = calling.createDataChannel("group")
        answering.on("track", received.put_nowait)

        @answering.on("datachannel")
        def _on_channel(incoming: object) -> None:
            incoming.on("message", heard.put_nowait)  # type: ignore[attr-defined]

        # aiortc gathers every candidate before setLocalDescription returns, so the SDP
        # carries them: no trickle needed between two aiortc peers.
        await calling.setLocalDescription(await calling.createOffer())
        await ok(caller, "group.signal", to=me(callee),
                 signal={"type": "offer", "sdp": calling.localDescription.sdp})  # fmt: skip
        offer = await next_signal(callee, 0)
        assert offer["from"] == me(caller)
        sdp = offer["signal"]["sdp"]  # type: ignore[index]
        await answering.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await answering.setLocalDescription(await answering.createAnswer())
        await ok(callee, "group.signal", to=me(caller),
                 signal={"type": "answer", "sdp": answering.localDescription.sdp})  # fmt: skip
        answer = await next_signal(caller, 0)
        sdp = answer["signal"]["sdp"]  # type: ignore[index]
        await calling.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

        async with asyncio.timeout(30):  # a generous deadline for loopback ICE and DTLS
            track = await received.get()
            assert track.kind == "video"
            frames = [await track.recv() for _ in range(3)]
            while channel.readyState != "open":
                await asyncio.sleep(0.05)
            channel.send("hello from the other side")
            assert await heard.get() == "hello from the other side"
        assert all(f.width == 640 and f.height == 480 for f in frames)  # type: ignore[union-attr]
        assert calling.iceConnectionState in ("completed", "connected")
        assert signals(host) == []
    finally:
        await calling.close()
        await answering.close()
        for c in (host, ada, bo):
            await c.close()
