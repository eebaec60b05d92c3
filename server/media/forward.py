"""Forwarding without re-encoding: a publisher's encoded frames, fanned out to subscribers.

`EncodedSource` takes the frames a publisher's `RTCRtpReceiver` reassembles (see
`server.media.tap`) and offers each, as one `av.Packet`, to every `ForwardedTrack`. A
subscriber's `RTCRtpSender` reads its `ForwardedTrack`; aiortc's sender sends an `av.Packet`
by packetizing it as is (`Encoder.pack`), so the publisher's bitstream reaches every
subscriber unchanged and the SFU never decodes or encodes. The cost per subscriber is
packetizing, SRTP and a UDP send.

Each subscriber has its own bounded queue. One that falls behind loses frames, never slows
the others; since a video frame after a gap refers to pictures its decoder lacks, that
subscriber then skips to the next keyframe and asks for one, as a new subscriber does.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

import av
from aiortc import MediaStreamTrack, RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpReceiveParameters

from server.media.keyframes import KeyframeRequests, is_keyframe
from server.media.tap import on_receive, send_picture_loss, tap_encoded_frames

logger = logging.getLogger(__name__)

# About a second of media: enough to ride out a busy event loop, little enough that a
# stalled subscriber neither holds much memory nor hears old audio when it recovers.
QUEUE_FRAMES = {"video": 30, "audio": 50}


class Upstream(Protocol):
    """What a subscriber's track needs from the source it reads."""

    kind: str

    def request_keyframe(self) -> None: ...

    def unsubscribe(self, track: ForwardedTrack) -> None: ...


class ForwardedTrack(MediaStreamTrack):
    """The track one subscriber's sender reads: encoded frames as `av.Packet`."""

    def __init__(self, source: Upstream, queue_frames: int) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._queue: asyncio.Queue[av.Packet[Any] | None] = asyncio.Queue(queue_frames)
        # A decoder can only start at a keyframe; audio frames all stand alone.
        self._needs_keyframe = source.kind == "video"
        self.delivered = 0
        self.dropped = 0

    def offer(self, packet: av.Packet[Any], keyframe: bool) -> None:
        if self.readyState != "live":
            return
        if self._needs_keyframe and not keyframe:
            self.dropped += 1
            return
        if self._queue.full():
            self.dropped += 1
            if self.kind == "video":
                self._needs_keyframe = True
                self._source.request_keyframe()
            return
        self._needs_keyframe = False
        self._queue.put_nowait(packet)

    def end(self) -> None:
        """The publisher's track ended: the sender reads what is queued, then the end."""
        while self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        packet = await self._queue.get()
        if packet is None:
            self.stop()
            raise MediaStreamError
        self.delivered += 1
        return packet

    def stop(self) -> None:
        super().stop()
        self._source.unsubscribe(self)


class EncodedSource:
    """One published track on the SFU, handed out encoded to any number of subscribers.

    Build it in the publisher connection's "track" event, before the receiver starts.
    """

    def __init__(self, receiver: RTCRtpReceiver, track: MediaStreamTrack) -> None:
        self.kind = track.kind
        self.codec: RTCRtpCodecParameters | None = None
        self.frames = 0
        # A muted microphone: frames still arrive and are counted, none is forwarded.
        self.paused = False
        self.started = asyncio.Event()
        self.ended = asyncio.Event()
        self.keyframes = KeyframeRequests(self._send_picture_loss)
        self._receiver = receiver
        self._media_ssrc: int | None = None
        self._subscribers: set[ForwardedTrack] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        tap_encoded_frames(receiver, self._on_frame)
        on_receive(receiver, self._on_receive)
        self._spawn(self._wait_for_end(track))

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> ForwardedTrack:
        if self.ended.is_set():
            raise MediaStreamError("the published track has ended")
        track = ForwardedTrack(self, QUEUE_FRAMES.get(self.kind, 50))
        self._subscribers.add(track)
        if self.kind == "video":
            # The newcomer can show nothing until the next keyframe; with aiortc's and
            # browsers' encoders that can be minutes away unless asked for.
            self.request_keyframe()
        return track

    def unsubscribe(self, track: ForwardedTrack) -> None:
        self._subscribers.discard(track)

    def request_keyframe(self) -> None:
        if self.kind == "video" and not self.ended.is_set():
            self.keyframes.ask()

    def _on_receive(self, parameters: RTCRtpReceiveParameters) -> None:
        media = [c for c in parameters.codecs if c.mimeType.lower() != f"{self.kind}/rtx"]
        if media and self.codec is None:
            self.codec = media[0]
        if parameters.encodings:
            self._media_ssrc = parameters.encodings[0].ssrc
        self.started.set()

    def _on_frame(self, codec: RTCRtpCodecParameters, frame: JitterFrame) -> None:
        # Runs on the event loop, inside the receiver's RTP handling: keep it short.
        if self.codec is None or codec.payloadType != self.codec.payloadType:
            self.codec = codec
        self.frames += 1
        if not self._subscribers or self.paused:
            return
        # One packet for all: aiortc's packers read it and never change it.
        packet = av.Packet(frame.data)
        packet.pts = frame.timestamp
        packet.time_base = fractions.Fraction(1, codec.clockRate)
        keyframe = is_keyframe(codec.mimeType, frame.data)
        for subscriber in list(self._subscribers):
            subscriber.offer(packet, keyframe)

    def _send_picture_loss(self) -> None:
        ssrc = self._media_ssrc
        if ssrc is None:
            sources = self._receiver.getSynchronizationSources()
            ssrc = sources[0].source if sources else None
        if ssrc is not None:
            self._spawn(send_picture_loss(self._receiver, ssrc))

    async def _wait_for_end(self, track: MediaStreamTrack) -> None:
        # The tapped receiver never queues a frame for its track; `recv()` returns only when
        # the receiver stops (publisher closed, removed, DTLS gone or RTCP BYE).
        try:
            while True:
                await track.recv()
        except MediaStreamError:
            pass
        finally:
            self.close()

    def close(self) -> None:
        if self.ended.is_set():
            return
        self.ended.set()
        self.keyframes.close()
        for subscriber in list(self._subscribers):
            subscriber.end()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
