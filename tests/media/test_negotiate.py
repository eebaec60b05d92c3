"""A connection closed while aiortc connects it: its never-awaited connect task raises
InvalidStateError, which the SFU's guard logs on one line instead of a traceback; any other
unretrieved exception still reaches the loop's handler."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription

from server.media.negotiate import guard_interrupted_connects
from tests.media.peers import SyntheticCamera, SyntheticMicrophone, config


async def _connect_after_its_transports_closed() -> None:
    """aiortc's own connect task, started on a connection whose ICE transports have closed
    (as when `close()` lands between two transports), and left unawaited as aiortc does."""
    client = RTCPeerConnection(config())
    server = RTCPeerConnection(config())
    try:
        client.addTrack(SyntheticCamera())
        client.addTrack(SyntheticMicrophone())
        await client.setLocalDescription(await client.createOffer())
        offer = client.localDescription
        await server.setRemoteDescription(RTCSessionDescription(offer.sdp, offer.type))
        await server.setLocalDescription(await server.createAnswer())
        for transceiver in server.getTransceivers():
            await transceiver.receiver.transport.transport.stop()
        task = asyncio.ensure_future(server._RTCPeerConnection__connect())  # type: ignore[attr-defined]
        await asyncio.wait([task])
        del task
    finally:
        await server.close()
        await client.close()
    gc.collect()  # the unretrieved exception is reported when the task goes
    await asyncio.sleep(0)


async def test_a_connect_interrupted_by_close_is_one_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.get_running_loop()
    before = loop.get_exception_handler()
    reached: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: reached.append(context))
    try:
        # Unguarded, this is the report the SFU's log showed.
        await _connect_after_its_transports_closed()
        assert any("RTCIceTransport is closed" in str(c.get("exception")) for c in reached)
        reached.clear()

        guard_interrupted_connects()
        guard_interrupted_connects()  # once per loop, however often the SFU asks
        with caplog.at_level(logging.INFO, logger="server.media.negotiate"):
            await _connect_after_its_transports_closed()
        assert reached == []
        assert "closed while it was connecting" in caplog.text

        async def fails() -> None:
            raise RuntimeError("something else")

        other = asyncio.ensure_future(fails())
        await asyncio.wait([other])
        del other
        gc.collect()
        assert [str(c.get("exception")) for c in reached] == ["something else"]
    finally:
        loop.set_exception_handler(before)
