"""The SFU's forwarding path with real aiortc peers on loopback.

One publisher (VP8 camera, Opus microphone, encoded by the publisher's aiortc) and
subscribers that decode with their own aiortc: what they receive must be the publisher's
encoded frames byte for byte, with no encoder working on the SFU.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiortc import RTCPeerConnection, RTCRtpSender
from aiortc import sdp as aiortc_sdp
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder

from server.media.keyframes import is_keyframe
from tests.media.peers import Publisher, Subscriber, publish, subscribe, wait_for


@pytest.fixture
def encoders_used() -> Iterator[set[int]]:
    """Ids of every VP8 and Opus encoder in this process that encoded a frame."""
    used: set[int] = set()
    with pytest.MonkeyPatch.context() as patch:
        for cls in (Vp8Encoder, OpusEncoder):
            encode = cls.encode

            def spy(self: Any, frame: Any, force_keyframe: bool = False, _e: Any = encode) -> Any:
                used.add(id(self))
                return _e(self, frame, force_keyframe)

            patch.setattr(cls, "encode", spy)
        yield used


@pytest.fixture
async def peers() -> AsyncIterator[list[RTCPeerConnection]]:
    """Every connection a test opens, closed at the end whatever happened."""
    opened: list[RTCPeerConnection] = []
    yield opened
    await asyncio.gather(*(pc.close() for pc in opened))


def _payload_type(pc: RTCPeerConnection, kind: str) -> int:
    """The payload type a connection negotiated for `kind` (first codec of the answer)."""
    answer = pc.remoteDescription if pc.remoteDescription.type == "answer" else None
    description = aiortc_sdp.SessionDescription.parse((answer or pc.localDescription).sdp)
    media = next(m for m in description.media if m.kind == kind)
    payload_type = media.rtp.codecs[0].payloadType
    assert payload_type is not None
    return payload_type


def _encoder(sender: RTCRtpSender) -> object:
    return getattr(sender, "_RTCRtpSender__encoder", None)


async def _publisher(
    peers: list[RTCPeerConnection], mode: Any = "forward", video_codec: str = "video/VP8"
) -> Publisher:
    publisher = await publish(mode, video_codec)
    peers += [publisher.client, publisher.sfu]
    return publisher


async def _subscriber(peers: list[RTCPeerConnection], publisher: Publisher) -> Subscriber:
    subscriber = await subscribe(publisher)
    peers += [subscriber.client, subscriber.sfu]
    return subscriber


async def test_three_subscribers_get_the_publishers_frames_unchanged(
    peers: list[RTCPeerConnection], encoders_used: set[int]
) -> None:
    publisher = await _publisher(peers)
    subscribers = [await _subscriber(peers, publisher) for _ in range(3)]

    def all_received() -> bool:
        return all(
            s.received.frames["video"] >= 45 and s.received.frames["audio"] >= 50
            for s in subscribers
        )

    await wait_for(all_received, 30, "video and audio at every subscriber")

    # The publisher's own encoders ran (the spy sees encoding); none of the SFU's did.
    assert {id(_encoder(s)) for s in publisher.client.getSenders()} <= encoders_used
    for s in subscribers:
        for sender in s.sfu.getSenders():
            encoder = _encoder(sender)
            assert id(encoder) not in encoders_used
            if isinstance(encoder, Vp8Encoder):
                assert encoder.codec is None, "a libvpx encoder was opened on the SFU"
    video, audio = publisher.publication("video"), publisher.publication("audio")
    assert video.source is not None and audio.source is not None
    assert video.source.subscribers == 3 and video.source.frames > 0

    # Byte for byte: the VP8 bitstream of every frame a subscriber got, and every Opus packet.
    sent_vp8 = set(publisher.outgoing.frames(_payload_type(publisher.client, "video")))
    sent_opus = {
        p.payload for p in publisher.outgoing.packets[_payload_type(publisher.client, "audio")]
    }
    for s in subscribers:
        got_vp8 = s.incoming.frames(_payload_type(s.client, "video"))
        got_opus = [p.payload for p in s.incoming.packets[_payload_type(s.client, "audio")]]
        assert len(got_vp8) >= 30 and len(got_opus) >= 40
        assert all(frame in sent_vp8 for frame in got_vp8)
        assert all(payload in sent_opus for payload in got_opus)
        # Each subscriber's stream starts at a keyframe: the SFU held back what came before.
        assert is_keyframe("video/vp8", got_vp8[0])

    # The SFU removes the publisher: every subscriber's tracks end within 2 s.
    await publisher.sfu.close()
    ends = [s.received.ended[kind].wait() for s in subscribers for kind in ("video", "audio")]
    await asyncio.wait_for(asyncio.gather(*ends), 2.0)


async def test_h264_is_forwarded_unchanged_too(
    peers: list[RTCPeerConnection], encoders_used: set[int]
) -> None:
    publisher = await _publisher(peers, video_codec="video/H264")
    subscriber = await _subscriber(peers, publisher)
    await wait_for(lambda: subscriber.received.frames["video"] >= 30, 30, "H.264 video")
    source = publisher.publication("video").source
    assert source is not None and source.codec is not None
    assert source.codec.mimeType == "video/H264"
    sent = set(publisher.outgoing.frames(_payload_type(publisher.client, "video"), "video/H264"))
    got = subscriber.incoming.frames(_payload_type(subscriber.client, "video"), "video/H264")
    assert len(got) >= 20 and all(frame in sent for frame in got)
    assert is_keyframe("video/H264", got[0])
    sfu_video = next(s for s in subscriber.sfu.getSenders() if s.kind == "video")
    assert id(_encoder(sfu_video)) not in encoders_used


async def test_reencoding_is_the_selectable_alternative_and_changes_the_bytes(
    peers: list[RTCPeerConnection], encoders_used: set[int]
) -> None:
    # The contrast that shows the first test's assertions can fail.
    publisher = await _publisher(peers, "reencode")
    subscriber = await _subscriber(peers, publisher)
    await wait_for(lambda: subscriber.received.frames["video"] >= 30, 30, "re-encoded video")
    sfu_video = next(s for s in subscriber.sfu.getSenders() if s.kind == "video")
    assert id(_encoder(sfu_video)) in encoders_used
    sent = set(publisher.outgoing.frames(_payload_type(publisher.client, "video")))
    got = subscriber.incoming.frames(_payload_type(subscriber.client, "video"))
    assert len(got) >= 20 and not sent.intersection(got)


async def test_a_subscribers_keyframe_request_reaches_the_publisher(
    peers: list[RTCPeerConnection],
) -> None:
    publisher = await _publisher(peers)
    subscriber = await _subscriber(peers, publisher)
    await wait_for(lambda: subscriber.received.frames["video"] >= 30, 30, "video")
    pt = _payload_type(publisher.client, "video")

    def keyframes_sent() -> int:
        return sum(is_keyframe("video/vp8", f) for f in publisher.outgoing.frames(pt))

    source = publisher.publication("video").source
    assert source is not None
    before, requests = keyframes_sent(), source.keyframes.sent
    # aiortc's VP8 encoder makes a keyframe every 3000 frames unless asked: a new one in the
    # next seconds answers this request.
    receiver = next(r for r in subscriber.client.getReceivers() if r.track.kind == "video")
    ssrc = subscriber.incoming.packets[_payload_type(subscriber.client, "video")][0].ssrc
    await asyncio.sleep(0.6)  # past the rate limit of the request made when it joined
    await receiver._send_rtcp_pli(ssrc)
    await wait_for(lambda: keyframes_sent() > before, 5, "a keyframe from the publisher")
    assert source.keyframes.sent == requests + 1

    # The publisher leaves: the subscriber's tracks end within 2 s.
    await publisher.client.close()
    ends = [subscriber.received.ended[kind].wait() for kind in ("video", "audio")]
    await asyncio.wait_for(asyncio.gather(*ends), 2.0)


async def test_a_new_subscriber_sees_a_picture_within_a_second(
    peers: list[RTCPeerConnection],
) -> None:
    publisher = await _publisher(peers)
    first = await _subscriber(peers, publisher)
    await wait_for(lambda: first.received.frames["video"] >= 45, 30, "the first subscriber")
    # Long past the first keyframe, which was sent when the first subscriber joined.
    late = await _subscriber(peers, publisher)
    connected = asyncio.Event()
    late.client.on(
        "connectionstatechange",
        lambda: connected.set() if late.client.connectionState == "connected" else None,
    )
    await asyncio.wait_for(connected.wait(), 10)
    # Measured from the connection being up: ICE and DTLS setup are not the SFU's to speed.
    await asyncio.wait_for(late.received.first_video.wait(), 1.0)
