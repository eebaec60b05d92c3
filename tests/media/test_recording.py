"""Recording the stage from real aiortc publishers: the file holds the publishers' encoded
frames, decodable, with no encoder on the server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import av
import pytest

from server.media.forward import EncodedSource
from server.media.recording import Recording, Timeline, file_format
from tests.media.peers import Publisher, publish, wait_for


async def _sources(publisher: Publisher) -> list[EncodedSource]:
    await wait_for(lambda: len(publisher.publications) == 2, 10, "both tracks published")
    sources = [p.source for p in publisher.publications if p.source is not None]
    for source in sources:
        await asyncio.wait_for(source.started.wait(), 10)
    return sources


def _decoded(path: Path, kind: str) -> tuple[str, int, int]:
    """(codec, frames decoded, width or sample rate) of the file's track of `kind`."""
    with av.open(str(path)) as container:
        stream = next(s for s in container.streams if s.type == kind)
        frames = sum(1 for _ in container.decode(stream))
        context: Any = stream.codec_context
        size = context.width if kind == "video" else context.sample_rate
        return str(context.name), frames, int(size)


@pytest.mark.parametrize(("codec", "ext", "name"), [("video/VP8", "webm", "vp8"),
                                                     ("video/H264", "mkv", "h264")])  # fmt: skip
async def test_a_recording_holds_the_published_frames_decodable(
    tmp_path: Path, codec: str, ext: str, name: str
) -> None:
    publisher = await publish("forward", codec)
    try:
        sources = await _sources(publisher)
        recording = Recording(tmp_path, "stage")
        await recording.follow(sources)
        video = next(s for s in sources if s.kind == "video")
        before = video.frames
        await wait_for(lambda: video.frames - before >= 45, 20, "1.5 s of video")
        files = await recording.stop()
    finally:
        await publisher.client.close()
        await publisher.sfu.close()
    assert [f.name for f in files] == [f"stage-1.{ext}"]
    codec_name, frames, width = _decoded(files[0], "video")
    assert codec_name == name and width == 640 and frames >= 30
    audio_name, audio_frames, rate = _decoded(files[0], "audio")
    assert audio_name == "opus" and rate == 48000 and audio_frames >= 50


async def test_a_change_of_tracks_starts_a_new_segment(tmp_path: Path) -> None:
    first, second = await publish("forward"), await publish("forward")
    try:
        one = await _sources(first)
        recording = Recording(tmp_path, "stage")
        await recording.follow(one)
        await recording.follow(one)  # the same tracks: the same segment
        await asyncio.sleep(1.0)
        both = one + await _sources(second)
        await recording.follow(both)
        await asyncio.sleep(1.0)
        files = await recording.stop()
    finally:
        for peer in (first, second):
            await peer.client.close()
            await peer.sfu.close()
    assert [f.name for f in files] == ["stage-1.webm", "stage-2.webm"]
    with av.open(str(files[1])) as container:
        assert sorted(s.type for s in container.streams) == ["audio", "audio", "video", "video"]


def test_timestamps_run_on_past_the_32_bit_wrap() -> None:
    line = Timeline(90000, offset_s=0.5)
    start = 2**32 - 3000
    assert line.pts(start) == 45000
    assert line.pts(start + 3000 - 2**32) == 48000  # wrapped to 0
    assert line.pts(3000) == 51000
    assert line.pts(2**32 - 1000) == 47000  # a late frame from before the wrap


def test_webm_only_for_vp8_and_opus() -> None:
    assert file_format(["video/VP8", "audio/opus"]) == ("webm", "webm")
    assert file_format(["video/H264", "audio/opus"]) == ("matroska", "mkv")
