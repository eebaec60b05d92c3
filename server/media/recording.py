"""Recording the stage: the publishers' encoded frames written into a file, not re-encoded.

A recording subscribes to each published track like any other subscriber (`EncodedSource`)
and muxes the frames as the publishers encoded them: VP8 and Opus into WebM, H.264 (with
Opus) into Matroska. Only the first picture of each video track is decoded, once, to learn
its size for the file's header; nothing is encoded.

A container's tracks are fixed when its header is written, so a recording is a list of
segments: each time the set of published tracks changes (a speaker joins the stage or
leaves), the running segment ends and a new one begins with the tracks of the moment.

Timing: each track's timestamps are the publisher's RTP clock (unwrapped past 2**32),
starting at the moment its first frame reached the recording, relative to the segment's
start. Tracks from one publisher then line up to within a frame; an exact lip sync would
use the senders' RTCP reports, which aiortc's receiver keeps to itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import re
import struct
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av

from server.media.forward import EncodedSource, ForwardedTrack

logger = logging.getLogger(__name__)

WRAP = 2**32  # RTP timestamps are 32-bit


def opus_head(channels: int) -> bytes:
    """The OpusHead a Matroska or WebM file carries for Opus (RFC 7845 section 5.1)."""
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, 312, 48000, 0, 0)


def file_format(codecs: Sequence[str]) -> tuple[str, str]:
    """(container, extension) for these codecs' mime types: WebM holds VP8 and Opus only."""
    webm = all(c.lower() in ("video/vp8", "audio/opus") for c in codecs)
    return ("webm", "webm") if webm else ("matroska", "mkv")


class Timeline:
    """One track's RTP timestamps as a steady count from the segment's start."""

    def __init__(self, clock_rate: int, offset_s: float) -> None:
        self.offset = round(offset_s * clock_rate)
        self.first: int | None = None
        self.last = 0
        self.wraps = 0

    def pts(self, rtp: int) -> int:
        if self.first is None:
            self.first = self.last = rtp
        elif rtp < self.last and self.last - rtp > WRAP // 2:
            self.wraps += 1  # the 32-bit clock went round
        elif rtp > self.last and rtp - self.last > WRAP // 2:
            rtp -= WRAP  # a late frame from before a wrap
        if rtp >= 0:
            self.last = rtp
        return max(0, self.offset + rtp + self.wraps * WRAP - self.first)


def picture_size(mime_type: str, data: bytes) -> tuple[int, int]:
    """A video keyframe's width and height, from one decode."""
    codec = av.CodecContext.create("vp8" if mime_type.lower() == "video/vp8" else "h264", "r")
    for frame in codec.decode(av.Packet(data)):
        return frame.width, frame.height
    for frame in codec.decode(None):  # the decoder may hold the picture until flushed
        return frame.width, frame.height
    raise ValueError("the first video frame decoded to no picture")


class Segment:
    """One file holding the tracks published when it began."""

    def __init__(self, path: Path, sources: Sequence[EncodedSource]) -> None:
        self.path = path
        self.started = time.monotonic()
        self.frames = 0
        self._tracks: list[tuple[EncodedSource, ForwardedTrack]] = [
            (s, s.subscribe()) for s in sources
        ]
        self._container: Any = None
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        firsts = await asyncio.gather(*(self._first(track) for _, track in self._tracks))
        codecs = [s.codec.mimeType if s.codec else "" for s, _ in self._tracks]
        container_format, _ = file_format(codecs)
        self._container = av.open(str(self.path), "w", format=container_format)
        # Every stream goes in before the first frame: the first mux writes the header.
        streams = [
            self._add_stream(source, mime, bytes(first))
            for (source, _), (first, _), mime in zip(self._tracks, firsts, codecs, strict=True)
        ]
        pumps = []
        for (source, track), (first, offset), stream in zip(
            self._tracks, firsts, streams, strict=True
        ):
            timeline = Timeline(source.codec.clockRate if source.codec else 90000, offset)
            self._write(stream, timeline, first)
            pumps.append(self._pump(track, stream, timeline))
        await asyncio.gather(*pumps)

    async def _first(self, track: ForwardedTrack) -> tuple[av.Packet[Any], float]:
        """A track's first frame (a keyframe, for video) and when it came, from the start."""
        packet = await track.recv()
        return packet, time.monotonic() - self.started

    def _add_stream(self, source: EncodedSource, mime: str, first: bytes) -> Any:
        assert source.codec is not None
        if source.kind == "video":
            # The rate is nominal (muxers divide by it); each frame carries its own time.
            name = "libvpx" if "vp8" in mime.lower() else "h264"
            stream = self._container.add_stream(name, rate=30)
            stream.width, stream.height = picture_size(mime, first)
        else:
            stream = self._container.add_stream("libopus", rate=48000)
            stream.codec_context.extradata = opus_head(source.codec.channels or 2)
        stream.time_base = fractions.Fraction(1, source.codec.clockRate)
        return stream

    def _write(self, stream: Any, timeline: Timeline, packet: av.Packet[Any]) -> None:
        out = av.Packet(bytes(packet))
        out.pts = out.dts = timeline.pts(int(packet.pts or 0))
        out.time_base = stream.time_base
        out.stream = stream
        try:
            self._container.mux(out)
            self.frames += 1
        except (av.error.FFmpegError, ValueError) as exc:  # a timestamp out of order, say
            logger.info("recording %s: frame dropped: %r", self.path.name, exc)

    async def _pump(self, track: ForwardedTrack, stream: Any, timeline: Timeline) -> None:
        with contextlib.suppress(Exception):  # the publisher's track ended: MediaStreamError
            while True:
                self._write(stream, timeline, await track.recv())

    async def close(self) -> None:
        for _, track in self._tracks:
            track.stop()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self._container is not None:
            self._container.close()
        elif self.path.exists():
            self.path.unlink()  # nothing was written: no empty file to download


class Recording:
    """A stage's recording: segments in `folder`, named `{name}-{n}.{ext}`."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self._segment: Segment | None = None
        self._sources: tuple[EncodedSource, ...] = ()
        self._count = 0
        self.files: list[Path] = []

    async def follow(self, sources: Sequence[EncodedSource]) -> None:
        """Record these tracks from now on: a new segment if they differ from the last."""
        live = tuple(s for s in sources if not s.ended.is_set() and s.codec is not None)
        if live == self._sources:
            return
        await self._end_segment()
        self._sources = live
        if not live:
            return
        self._count += 1
        _, ext = file_format([s.codec.mimeType for s in live if s.codec])
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.name}-{self._count}.{ext}"
        self._segment = Segment(path, live)
        self.files.append(path)

    async def stop(self) -> list[Path]:
        """End the recording; the files that hold something."""
        await self._end_segment()
        self._sources = ()
        return [p for p in self.files if p.exists()]

    async def _end_segment(self) -> None:
        if self._segment is not None:
            await self._segment.close()
            self._segment = None


FILE_NAME = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9]{1,4}\.(webm|mkv)")


def folder_of(data_dir: Path, event_id: int) -> Path:
    """Where an event's stage recordings are written, one file per segment."""
    return data_dir / "recordings" / f"event-{event_id}"


def name_for(started: datetime) -> str:
    """A recording's name, from when it started (UTC): its segments are `{name}-{n}.{ext}`."""
    return started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
