"""A track published to the SFU, and the two ways subscribers receive it.

- "forward" (the default): the publisher's encoded frames go to each subscriber as they are
  (`server.media.forward`). No decoder, no encoder; every subscriber must take the codec the
  publisher sends, so its transceiver is limited to that codec.
- "reencode": aiortc's `MediaRelay` decodes the track once and every subscriber's sender
  encodes it again with its own encoder. It costs a share of a core per video subscriber, but
  each subscriber may negotiate its own codec, and its frames are pictures a recording or a
  transcoder can use. Kept selectable for those cases and to measure against.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from aiortc import MediaStreamTrack, RTCPeerConnection, RTCRtpSender
from aiortc.contrib.media import MediaRelay
from aiortc.rtcrtpparameters import RTCRtpCodecCapability

from server.media.forward import EncodedSource
from server.media.tap import on_keyframe_request

Mode = Literal["forward", "reencode"]
MODES: tuple[Mode, ...] = ("forward", "reencode")


class Publication:
    """One track of a publisher's connection on the SFU.

    Create it in that connection's "track" event handler, synchronously: forwarding has to
    take the receiver over before it starts.
    """

    def __init__(self, publisher: RTCPeerConnection, track: MediaStreamTrack, mode: Mode) -> None:
        self.kind = track.kind
        self.mode: Mode = mode
        self.track = track
        self.ended = asyncio.Event()
        self.source: EncodedSource | None = None
        self._relay: MediaRelay | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        if mode == "forward":
            receiver = next(r for r in publisher.getReceivers() if r.track is track)
            self.source = EncodedSource(receiver, track)
        else:
            self._relay = MediaRelay()
        track.on("ended", self.ended.set)
        if self.source is not None:
            source = self.source
            asyncio.ensure_future(source.ended.wait()).add_done_callback(lambda _: self.ended.set())

    async def add_to(self, subscriber: RTCPeerConnection, timeout_s: float = 10.0) -> RTCRtpSender:
        """Add a send-only transceiver for this track to a subscriber's connection.

        Call it before `setRemoteDescription(offer)` when the subscriber offers (aiortc then
        answers on this transceiver), or before `createOffer()` when the SFU offers.
        """
        if self.source is None:
            assert self._relay is not None
            relayed = self._relay.subscribe(self.track, buffered=False)
            sender = subscriber.addTransceiver(relayed, direction="sendonly").sender
            self._stop_on_end(sender)
            return sender
        source = self.source
        # The codec is known once the publisher's connection is up; a subscriber that joins
        # at the same moment waits for it.
        await asyncio.wait_for(source.started.wait(), timeout_s)
        if source.codec is None:
            raise ValueError(f"the published {self.kind} track has no codec")
        forwarded = source.subscribe()
        transceiver = subscriber.addTransceiver(forwarded, direction="sendonly")
        codec = source.codec
        preferences = [
            RTCRtpCodecCapability(
                mimeType=codec.mimeType,
                clockRate=codec.clockRate,
                channels=codec.channels,
                parameters=codec.parameters,
            )
        ]
        if self.kind == "video":
            # Keep retransmissions: a NACKed packet is resent by the SFU from its own history.
            preferences.append(RTCRtpCodecCapability(mimeType="video/rtx", clockRate=90000))
        transceiver.setCodecPreferences(preferences)
        on_keyframe_request(transceiver.sender, source.request_keyframe)

        @subscriber.on("connectionstatechange")
        def _stop_when_gone() -> None:
            # A closed subscriber's sender stops reading; without this its full queue would
            # keep asking the publisher for keyframes.
            if subscriber.connectionState in ("closed", "failed"):
                forwarded.stop()

        self._stop_on_end(transceiver.sender)
        return transceiver.sender

    def _stop_on_end(self, sender: RTCRtpSender) -> None:
        # A sender whose track ends only stops sending RTP; stopping it sends RTCP BYE, on
        # which the subscriber's receiver ends its track. (Removing the m-line is the room
        # protocol's renegotiation; this is what reaches the subscriber at once.)
        async def stop_when_ended() -> None:
            await self.ended.wait()
            await sender.stop()

        task = asyncio.ensure_future(stop_when_ended())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
