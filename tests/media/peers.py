"""Real aiortc peers for the media tests: a synthetic camera and microphone, an SFU side.

Signaling goes straight from one RTCPeerConnection to the other in this process (the room
protocol will carry it later); every SDP from a "client" passes `check_sdp` first, as it will
on the socket. Media runs over real ICE, DTLS and SRTP on 127.0.0.1 (see conftest.py).
"""

from __future__ import annotations

import asyncio
import fractions
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.codecs.h264 import h264_depayload
from aiortc.codecs.vpx import vp8_depayload
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtp import RtpPacket, is_rtcp
from av import AudioFrame, VideoFrame

from server.media.negotiate import answer_offer
from server.media.publication import Mode, Publication
from server.media.sdp import check_sdp

WIDTH, HEIGHT = 640, 360
_RAMP = bytes(range(256)) * 8


def config() -> RTCConfiguration:
    return RTCConfiguration(iceServers=[])


class SyntheticCamera(VideoStreamTrack):
    """640x360 at 30 fps: a moving ramp with a little noise, so every frame differs."""

    def __init__(self) -> None:
        super().__init__()
        self._index = 0
        self._rng = random.Random(360)

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(WIDTH, HEIGHT, "yuv420p")
        shift = (self._index * 3) % 256
        rows = [_RAMP[(shift + y) % 256 :][:WIDTH] for y in range(HEIGHT)]
        luma = bytearray(b"".join(rows))
        for _ in range(64):
            luma[self._rng.randrange(len(luma))] = self._rng.randrange(256)
        frame.planes[0].update(bytes(luma))
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        self._index += 1
        return frame


class SyntheticMicrophone(AudioStreamTrack):
    """20 ms frames of quiet noise: Opus packets that differ from one another."""

    def __init__(self) -> None:
        super().__init__()
        self._rng = random.Random(48)
        self._pts = 0

    async def recv(self) -> AudioFrame:
        silence = await super().recv()  # paces to real time
        assert isinstance(silence, AudioFrame)
        frame = AudioFrame(format="s16", layout="mono", samples=silence.samples)
        frame.planes[0].update(self._rng.randbytes(silence.samples * 2))
        frame.sample_rate = silence.sample_rate
        frame.pts, frame.time_base = silence.pts, fractions.Fraction(1, silence.sample_rate)
        return frame


@dataclass
class RtpLog:
    """Plain RTP packets seen on one DTLS transport, by payload type (before SRTP / after)."""

    packets: dict[int, list[RtpPacket]] = field(default_factory=lambda: defaultdict(list))

    def add(self, data: bytes) -> None:
        if not is_rtcp(data):
            packet = RtpPacket.parse(data)
            self.packets[packet.payload_type].append(packet)

    def frames(self, payload_type: int, mime_type: str = "video/VP8") -> list[bytes]:
        """Complete video frames: the payloads of one timestamp, depacketized."""
        depayload = h264_depayload if mime_type.lower() == "video/h264" else vp8_depayload
        by_timestamp: dict[int, list[RtpPacket]] = defaultdict(list)
        for packet in self.packets.get(payload_type, []):
            by_timestamp[packet.timestamp].append(packet)
        frames = []
        for packets in by_timestamp.values():
            packets.sort(key=lambda p: p.sequence_number)
            seqs = [p.sequence_number for p in packets]
            whole = packets[-1].marker and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
            if whole:
                frames.append(b"".join(depayload(p.payload) for p in packets))
        return frames


def log_outgoing_rtp(transport: RTCDtlsTransport) -> RtpLog:
    log = RtpLog()
    send = transport._send_rtp

    async def logged(data: bytes) -> None:
        log.add(data)
        await send(data)

    transport._send_rtp = logged  # type: ignore[method-assign]
    return log


def log_incoming_rtp(transport: RTCDtlsTransport) -> RtpLog:
    log = RtpLog()
    handle = transport._handle_rtp_data

    async def logged(data: bytes, arrival_time_ms: int) -> None:
        log.add(data)
        await handle(data, arrival_time_ms)

    transport._handle_rtp_data = logged  # type: ignore[method-assign]
    return log


@dataclass
class Received:
    """What one subscriber's tracks delivered, decoded by the subscriber's own aiortc."""

    frames: dict[str, int] = field(default_factory=lambda: {"video": 0, "audio": 0})
    ended: dict[str, asyncio.Event] = field(
        default_factory=lambda: {"video": asyncio.Event(), "audio": asyncio.Event()}
    )
    first_video: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def consume(self, track: MediaStreamTrack) -> None:
        async def run() -> None:
            try:
                while True:
                    await track.recv()
                    self.frames[track.kind] += 1
                    if track.kind == "video":
                        self.first_video.set()
            except MediaStreamError:
                self.ended[track.kind].set()

        self.tasks.append(asyncio.ensure_future(run()))


@dataclass
class Publisher:
    client: RTCPeerConnection
    sfu: RTCPeerConnection
    publications: list[Publication]
    outgoing: RtpLog

    def publication(self, kind: str) -> Publication:
        return next(p for p in self.publications if p.kind == kind)


@dataclass
class Subscriber:
    client: RTCPeerConnection
    sfu: RTCPeerConnection
    received: Received
    incoming: RtpLog


async def _exchange(
    offerer: RTCPeerConnection,
    answerer: RTCPeerConnection,
    role: Any,
    before_remote: Callable[[], Awaitable[None]] | None = None,
) -> None:
    await offerer.setLocalDescription(await offerer.createOffer())
    checked = check_sdp(offerer.localDescription.sdp, role=role)
    if before_remote is not None:
        await before_remote()
    answer = await answer_offer(answerer, checked)
    await offerer.setRemoteDescription(RTCSessionDescription(answer, "answer"))


async def publish(mode: Mode, video_codec: str = "video/VP8") -> Publisher:
    client, sfu = RTCPeerConnection(config()), RTCPeerConnection(config())
    camera = client.addTrack(SyntheticCamera())
    client.addTrack(SyntheticMicrophone())
    codecs = RTCRtpSender.getCapabilities("video").codecs
    transceiver = next(t for t in client.getTransceivers() if t.sender is camera)
    transceiver.setCodecPreferences(
        [next(c for c in codecs if c.mimeType == video_codec)]
        + [c for c in codecs if c.mimeType == "video/rtx"]
    )
    publications: list[Publication] = []
    sfu.on("track", lambda track: publications.append(Publication(sfu, track, mode)))
    await _exchange(client, sfu, "publisher")
    outgoing = log_outgoing_rtp(client.getSenders()[0].transport)
    return Publisher(client, sfu, publications, outgoing)


async def subscribe(publisher: Publisher) -> Subscriber:
    client, sfu = RTCPeerConnection(config()), RTCPeerConnection(config())
    client.addTransceiver("video", direction="recvonly")
    client.addTransceiver("audio", direction="recvonly")
    received = Received()
    client.on("track", received.consume)

    async def add_publications() -> None:
        for publication in publisher.publications:
            await publication.add_to(sfu)

    await _exchange(client, sfu, "subscriber", before_remote=add_publications)
    incoming = log_incoming_rtp(client.getReceivers()[0].transport)
    return Subscriber(client, sfu, received, incoming)


async def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll until `condition()` holds; fail naming `what` after `timeout_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.05)
