"""Untrusted SDP: real offers pass, wrong shapes are refused, mutated ones only raise SdpError."""

from __future__ import annotations

import random
import time

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

from server.media.negotiate import answer_offer, close_quietly
from server.media.sdp import (
    MAX_MEDIA_SECTIONS,
    MAX_SDP_BYTES,
    Role,
    SdpError,
    SdpType,
    check_candidate,
    check_sdp,
)

# The shape of a Chromium offer (camera and microphone), written out by hand: more codecs
# than the SFU forwards, repair formats, ssrc groups and trickle-era attributes.
BROWSER_OFFER = "\r\n".join(
    [
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0 1",
        "a=extmap-allow-mixed",
        "a=msid-semantic: WMS stream1",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0",
        "a=ice-ufrag:abcd",
        "a=ice-pwd:abcdefghijklmnopqrstuvwx",
        "a=ice-options:trickle",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        "a=setup:actpass",
        "a=mid:0",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
        "a=sendrecv",
        "a=msid:stream1 audio1",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=rtcp-fb:111 transport-cc",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:63 red/48000/2",
        "a=fmtp:63 111/111",
        "a=rtpmap:9 G722/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:13 CN/8000",
        "a=rtpmap:110 telephone-event/48000",
        "a=rtpmap:126 telephone-event/8000",
        "a=ssrc:1001 cname:browser",
        "a=ssrc:1001 msid:stream1 audio1",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 45 46 102 103",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:abcd",
        "a=ice-pwd:abcdefghijklmnopqrstuvwx",
        "a=ice-options:trickle",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        "a=setup:actpass",
        "a=mid:1",
        "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
        "a=sendrecv",
        "a=msid:stream1 video1",
        "a=rtcp-mux",
        "a=rtcp-rsize",
        "a=rtpmap:96 VP8/90000",
        "a=rtcp-fb:96 goog-remb",
        "a=rtcp-fb:96 nack",
        "a=rtcp-fb:96 nack pli",
        "a=rtpmap:97 rtx/90000",
        "a=fmtp:97 apt=96",
        "a=rtpmap:98 VP9/90000",
        "a=fmtp:98 profile-id=0",
        "a=rtpmap:99 rtx/90000",
        "a=fmtp:99 apt=98",
        "a=rtpmap:100 H264/90000",
        "a=rtcp-fb:100 nack pli",
        "a=fmtp:100 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        "a=rtpmap:101 rtx/90000",
        "a=fmtp:101 apt=100",
        "a=rtpmap:45 AV1/90000",
        "a=rtpmap:46 rtx/90000",
        "a=fmtp:46 apt=45",
        "a=rtpmap:102 red/90000",
        "a=rtpmap:103 ulpfec/90000",
        "a=ssrc-group:FID 2001 2002",
        "a=ssrc:2001 cname:browser",
        "a=ssrc:2002 cname:browser",
        "",
    ]
)


async def _aiortc_offer(publisher: bool) -> str:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        if publisher:
            pc.addTrack(VideoStreamTrack())
            pc.addTrack(AudioStreamTrack())
        else:
            pc.addTransceiver("video", direction="recvonly")
            pc.addTransceiver("audio", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp
    finally:
        await pc.close()


@pytest.fixture(scope="module")
async def offers() -> dict[str, str]:
    return {
        "publisher": await _aiortc_offer(publisher=True),
        "subscriber": await _aiortc_offer(publisher=False),
        "browser": BROWSER_OFFER,
    }


def test_real_offers_pass(offers: dict[str, str]) -> None:
    assert len(check_sdp(offers["publisher"], role="publisher").description.media) == 2
    assert len(check_sdp(offers["subscriber"], role="subscriber").description.media) == 2
    # aiortc's own recvonly offer is also a valid publisher offer: a publisher may receive.
    check_sdp(offers["subscriber"], role="publisher")


def test_browser_offer_keeps_only_forwarded_codecs(offers: dict[str, str]) -> None:
    checked = check_sdp(offers["browser"], role="publisher")
    audio, video = checked.description.media
    assert [c.mimeType for c in audio.rtp.codecs] == ["audio/opus", "audio/red"]
    assert [c.mimeType for c in video.rtp.codecs] == [
        "video/VP8",
        "video/rtx",
        "video/H264",
        "video/rtx",
        "video/red",
        "video/ulpfec",
    ]
    assert video.fmt == [96, 97, 100, 101, 102, 103]
    assert "VP9" not in checked.sdp and "AV1" not in checked.sdp and "apt=98" not in checked.sdp
    assert set(checked.removed_codecs) == {"av1", "cn", "g722", "pcma", "pcmu", "vp9"} | {
        "telephone-event",
        "rtx",
    }


def test_a_subscriber_offer_must_not_send(offers: dict[str, str]) -> None:
    with pytest.raises(SdpError, match="direction sendrecv is not allowed for a subscriber"):
        check_sdp(offers["publisher"], role="subscriber")
    no_direction = offers["subscriber"].replace("a=recvonly\r\n", "")
    with pytest.raises(SdpError, match="no direction"):
        check_sdp(no_direction, role="subscriber")


def test_size_and_sections_are_capped(offers: dict[str, str]) -> None:
    big = offers["subscriber"] + "a=x-padding:" + "x" * MAX_SDP_BYTES + "\r\n"
    with pytest.raises(SdpError, match="larger than 64 KiB"):
        check_sdp(big, role="subscriber")
    with pytest.raises(SdpError, match="larger than 64 KiB"):
        check_sdp(big.encode(), role="subscriber")
    head, _, rest = offers["subscriber"].partition("m=")
    section = "m=" + rest.split("m=")[0]
    many = head + section * (MAX_MEDIA_SECTIONS + 1)
    assert len(many.encode()) < MAX_SDP_BYTES
    with pytest.raises(SdpError, match="more than 8 media sections"):
        check_sdp(many, role="subscriber")


def test_kinds_and_codecs_outside_the_list_are_refused(offers: dict[str, str]) -> None:
    data_channel = offers["subscriber"] + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    with pytest.raises(SdpError, match="media kind 'application' is not allowed"):
        check_sdp(data_channel, role="subscriber")
    vp9_only = offers["browser"].replace("VP8/90000", "VP9/90000").replace("H264/", "VP9/")
    with pytest.raises(SdpError, match="video section offers none of the codecs"):
        check_sdp(vp9_only, role="publisher")
    with pytest.raises(SdpError, match="not UTF-8"):
        check_sdp(b"v=0\r\n\xff\xfe", role="publisher")
    with pytest.raises(SdpError, match="ICE username fragment or password is missing"):
        check_sdp(offers["browser"].replace("a=ice-pwd:", "a=x-ice-pwd:"), role="publisher")


# -- mutation: 20,000 variants of real offers, each answered by SdpError or a pass --------

HUGE = ("9" * 5000, "x" * 60_000, "\u00e9" * 3000, "-1", "", " ", ":", "/", "\ud800", "\t")


def _mutate(rng: random.Random, sdp: str) -> str:
    lines = sdp.split("\r\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        i = rng.randrange(len(lines))
        if op == 0:  # flip a byte of one line
            line = lines[i]
            if line:
                j = rng.randrange(len(line))
                lines[i] = line[:j] + chr(ord(line[j]) ^ (1 << rng.randrange(7))) + line[j + 1 :]
        elif op == 1:
            del lines[i]
            if not lines:
                lines = [""]
        elif op == 2:
            lines.insert(i, lines[i])
        elif op == 3:  # truncate the whole text somewhere
            return "\r\n".join(lines)[: rng.randrange(len(sdp))]
        elif op == 4:  # cut one line short
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif op == 5:  # replace a field of a line with something out of range
            fields = lines[i].split(" ")
            fields[rng.randrange(len(fields))] = rng.choice(HUGE)
            lines[i] = " ".join(fields)
        elif op == 6:  # the value after ':' becomes junk
            head = lines[i].split(":", 1)[0]
            lines[i] = head + ":" + rng.choice(HUGE)
        else:  # swap two lines: attributes move to another section or the session
            k = rng.randrange(len(lines))
            lines[i], lines[k] = lines[k], lines[i]
    return "\r\n".join(lines)


def test_twenty_thousand_mutated_offers_raise_only_sdp_error(offers: dict[str, str]) -> None:
    rng = random.Random(6)
    roles: tuple[Role, ...] = ("publisher", "subscriber")
    kinds: tuple[SdpType, ...] = ("offer", "answer")
    sources = [(text, role) for text in offers.values() for role in roles]
    outcomes = {"passed": 0, "refused": 0}
    started = time.perf_counter()
    for _ in range(20_000):
        text, role = rng.choice(sources)
        mutated = _mutate(rng, text)
        raw: str | bytes = mutated
        if rng.random() < 0.1:
            raw = mutated.encode("utf-8", "surrogatepass")
        try:
            check_sdp(raw, role=role, sdp_type=rng.choice(kinds))
        except SdpError as exc:
            assert exc.message and "Traceback" not in exc.message
            outcomes["refused"] += 1
        else:
            outcomes["passed"] += 1
    elapsed = time.perf_counter() - started
    # Both outcomes must occur, or the mutator is too gentle or too brutal to test anything.
    assert outcomes["refused"] > 2000 and outcomes["passed"] > 500, (outcomes, elapsed)


async def test_mutated_offers_that_pass_are_answered_by_a_real_peer(
    offers: dict[str, str],
) -> None:
    # What passes check_sdp goes on to RTCPeerConnection: it must be answered, or refused
    # with SdpError by answer_offer, never raise anything else (close included).
    rng = random.Random(16)
    roles: tuple[Role, ...] = ("publisher", "subscriber")
    answered = tried = 0
    while tried < 400:
        text, role = rng.choice(list(offers.values())), rng.choice(roles)
        try:
            checked = check_sdp(_mutate(rng, text), role=role)
        except SdpError:
            continue
        tried += 1
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        try:
            assert (await answer_offer(pc, checked)).startswith("v=0")
            answered += 1
        except SdpError:
            pass
        finally:
            await close_quietly(pc)
    assert answered > 300


@pytest.mark.parametrize(
    ("candidate", "why"),
    [
        ("1 1 udp 2122260223 127.0.0.1 65536 typ host", "port"),
        ("1 1 udp 2122260223 127.0.0.1 -5 typ host", "port"),
        ("1 1 sctp 2122260223 127.0.0.1 5000 typ host", "transport"),
        ("1 1 udp 2122260223 127.0.0.1 5000 typ nearby", "type"),
        ("1 7 udp 2122260223 127.0.0.1 5000 typ host", "component"),
        ("1 1 udp 2122260223 turn.example.org 5000 typ host", "address"),
        ("1 1 udp 1 192.0.2.1 5000 typ srflx raddr 10.0.0.1 rport 70000", "rport"),
    ],
)
def test_candidates_aioice_would_fail_on_are_refused(
    offers: dict[str, str], candidate: str, why: str
) -> None:
    sdp = offers["browser"].replace(
        "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0",
        f"a=candidate:{candidate}",
    )
    with pytest.raises(SdpError, match=why):
        check_sdp(sdp, role="publisher")
    # The same checks apply to a trickled candidate.
    with pytest.raises(SdpError, match=why):
        check_candidate(candidate_from_sdp(candidate))


def test_address_and_mdns_candidates_pass() -> None:
    for text in ("1 1 udp 2122260223 192.0.2.1 5000 typ host",
                 "1 1 udp 2122260223 2001:db8::1 5000 typ host",
                 "1 1 udp 2122260223 0d4c1a2e-8f7a-4f7d-9a3b-5b2c1d0e9f11.local 5000 typ host",
                 "1 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active"):  # fmt: skip
        check_candidate(candidate_from_sdp(text))
