"""Keyframe detection, the request rate limit, and a slow subscriber's queue."""

from __future__ import annotations

import asyncio
from typing import Any

import av
import pytest
from aiortc.mediastreams import MediaStreamError

from server.media.forward import ForwardedTrack
from server.media.keyframes import KeyframeRequests, is_keyframe


def test_keyframes_are_told_apart() -> None:
    assert is_keyframe("video/VP8", b"\x10\x02\x00\x9d\x01\x2a")  # frame tag bit 0 clear
    assert not is_keyframe("video/VP8", b"\x31\x02\x00")
    assert not is_keyframe("video/VP8", b"")
    sps, idr, slice_ = b"\x00\x00\x00\x01\x67\x42", b"\x00\x00\x01\x65\x88", b"\x00\x00\x01\x41\x9a"
    assert is_keyframe("video/H264", sps + idr)
    assert is_keyframe("video/H264", b"\x00\x00\x01\x09\x10" + idr)
    assert not is_keyframe("video/H264", slice_)
    assert is_keyframe("audio/opus", b"\xfc")


async def test_requests_are_limited_to_one_per_interval_and_none_is_lost() -> None:
    sent: list[float] = []
    loop = asyncio.get_running_loop()
    requests = KeyframeRequests(lambda: sent.append(loop.time()), interval_s=0.2)
    for _ in range(5):
        requests.ask()
    assert len(sent) == 1  # the first goes at once, the others wait for one held request
    await asyncio.sleep(0.3)
    assert len(sent) == 2 and sent[1] - sent[0] >= 0.19
    assert requests.asked == 5 and requests.sent == 2
    requests.ask()
    requests.close()
    await asyncio.sleep(0.3)
    assert len(sent) == 2  # closed: the held request is dropped with the track


class Source:
    kind = "video"

    def __init__(self) -> None:
        self.requests = 0
        self.gone: list[ForwardedTrack] = []

    def request_keyframe(self) -> None:
        self.requests += 1

    def unsubscribe(self, track: ForwardedTrack) -> None:
        self.gone.append(track)


def _packet(n: int) -> av.Packet[Any]:
    packet = av.Packet(bytes([n]))
    packet.pts = n
    return packet


async def test_a_slow_subscriber_drops_to_the_next_keyframe() -> None:
    source = Source()
    slow, fast = ForwardedTrack(source, 4), ForwardedTrack(source, 64)
    slow.offer(_packet(0), keyframe=False)  # a newcomer waits for a keyframe
    assert slow.dropped == 1
    for n in range(1, 10):
        for track in (slow, fast):
            track.offer(_packet(n), keyframe=n == 1)
    # The slow one kept 1-4, dropped 5 (full: asks for a keyframe) and 6-9 (not keyframes).
    assert [(await slow.recv()).pts for _ in range(4)] == [1, 2, 3, 4]
    assert slow.dropped == 6 and source.requests == 1
    slow.offer(_packet(10), keyframe=False)
    slow.offer(_packet(11), keyframe=True)
    assert (await slow.recv()).pts == 11
    # The fast one lost nothing meanwhile.
    assert [(await fast.recv()).pts for _ in range(9)] == list(range(1, 10))
    fast.end()
    with pytest.raises(MediaStreamError):
        await fast.recv()
    assert source.gone == [fast]
