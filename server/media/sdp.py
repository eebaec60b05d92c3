"""Untrusted SDP, checked before aiortc's parser and peer connection see it.

An offer or answer from a client is attacker-controlled text. aiortc's parser was written for
well-formed SDP and answers malformed input with whatever the failing line raises
(AssertionError, ValueError, StopIteration, IndexError, KeyError, AttributeError, TypeError…),
so everything here ends in exactly one exception type, `SdpError`, whose message is safe to
put in an error frame. The order is cheap to expensive: size, then a line scan (number and kind
of media sections), then codec filtering, then aiortc's parser, then the shape of the result.

Codecs are filtered rather than refused: a browser offers VP9, AV1, G.722, PCMU, CN and more
alongside the codecs the SFU forwards. Forwarding sends a subscriber exactly what a publisher
encoded, so only codecs every subscriber can take (VP8, H.264, Opus, and the repair formats
rtx/red/ulpfec) may reach aiortc; the others are cut out of the text before it parses, and a
media section left with no codec is refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from aiortc import RTCIceCandidate
from aiortc import sdp as aiortc_sdp

MAX_SDP_BYTES = 64 * 1024
MAX_MEDIA_SECTIONS = 8

Role = Literal["publisher", "subscriber"]
SdpType = Literal["offer", "answer"]

# What may stay in each kind of media section: a=rtpmap "name/clock[/channels]", lower-cased.
# The clock rates are the only ones the codecs define; aiortc negotiates nothing else.
MEDIA_CODECS: dict[str, frozenset[str]] = {
    "video": frozenset({"vp8/90000", "h264/90000"}),
    "audio": frozenset({"opus/48000/2"}),
}
# Repair formats: kept only while the codec they protect is kept (rtx names it in `apt`).
REPAIR_CODECS: dict[str, frozenset[str]] = {
    "video": frozenset({"rtx/90000", "red/90000", "ulpfec/90000"}),
    "audio": frozenset({"red/48000/2"}),
}
# A subscriber only receives: its offer must not send. A publisher may also receive.
DIRECTIONS: dict[Role, frozenset[str]] = {
    "subscriber": frozenset({"recvonly", "inactive"}),
    "publisher": frozenset({"sendonly", "sendrecv", "recvonly", "inactive"}),
}


class SdpError(ValueError):
    """The SDP was refused; `message` says why in words fit for an error frame."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedSdp:
    """SDP that passed: the text to hand to aiortc (codecs filtered) and its parsed form."""

    sdp: str
    description: aiortc_sdp.SessionDescription
    removed_codecs: tuple[str, ...]


def check_sdp(raw: str | bytes, *, role: Role, sdp_type: SdpType = "offer") -> CheckedSdp:
    """Check SDP from a client; raise `SdpError` (and nothing else) when it is refused."""
    text = _decode(raw)
    lines = text.splitlines()
    sections = _sections(lines)
    kept, removed = _filter_codecs(lines, sections)
    filtered = "\r\n".join(kept) + "\r\n"
    description = _parse(filtered)
    _check_shape(description, role=role, sdp_type=sdp_type)
    return CheckedSdp(sdp=filtered, description=description, removed_codecs=removed)


def _decode(raw: str | bytes) -> str:
    if isinstance(raw, bytes):
        if len(raw) > MAX_SDP_BYTES:
            raise SdpError(f"SDP larger than {MAX_SDP_BYTES // 1024} KiB")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SdpError("SDP is not UTF-8 text") from None
    if not isinstance(raw, str):
        raise SdpError("SDP must be text")
    # Measured in UTF-8 bytes, the way it came over the wire. A lone surrogate cannot be
    # encoded (and never came from a real client).
    try:
        size = len(raw.encode("utf-8"))
    except UnicodeEncodeError:
        raise SdpError("SDP is not UTF-8 text") from None
    if size > MAX_SDP_BYTES:
        raise SdpError(f"SDP larger than {MAX_SDP_BYTES // 1024} KiB")
    if "\x00" in raw:
        raise SdpError("SDP contains a NUL character")
    if not raw.startswith("v=0"):
        raise SdpError("SDP must start with v=0")
    return raw


def _sections(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, end line, kind) of each media section, checked for number and kind."""
    starts = [i for i, line in enumerate(lines) if line.startswith("m=")]
    if not starts:
        raise SdpError("SDP has no media section")
    if len(starts) > MAX_MEDIA_SECTIONS:
        raise SdpError(f"SDP has more than {MAX_MEDIA_SECTIONS} media sections")
    ends = [*starts[1:], len(lines)]
    sections = []
    for start, end in zip(starts, ends, strict=True):
        kind = lines[start][2:].split(" ", 1)[0]
        if kind not in MEDIA_CODECS:
            raise SdpError(f"media kind {kind[:20]!r} is not allowed (audio or video only)")
        sections.append((start, end, kind))
    return sections


def _payload_type(value: str) -> int | None:
    """The payload type that starts an attribute value like '96 VP8/90000', if well formed."""
    head = value.split(" ", 1)[0]
    if not head.isascii() or not head.isdigit() or len(head) > 3:
        return None
    return int(head)


def _filter_codecs(
    lines: list[str], sections: list[tuple[int, int, str]]
) -> tuple[list[str], tuple[str, ...]]:
    """Drop the payload types the SFU does not forward, from the m= line and its attributes."""
    kept = lines[: sections[0][0]]
    removed: list[str] = []
    for start, end, kind in sections:
        body = lines[start + 1 : end]
        names: dict[int, str] = {}
        apt: dict[int, int] = {}
        for line in body:
            if line.startswith("a=rtpmap:"):
                pt = _payload_type(line[9:])
                if pt is not None and " " in line[9:]:
                    names[pt] = line[9:].split(" ", 1)[1].strip().lower()
            elif line.startswith("a=fmtp:"):
                pt = _payload_type(line[7:])
                if pt is not None and "apt=" in line:
                    target = line.split("apt=", 1)[1].split(";", 1)[0].strip()
                    if target.isascii() and target.isdigit() and len(target) <= 3:
                        apt[pt] = int(target)
        media = {pt for pt, name in names.items() if name in MEDIA_CODECS[kind]}
        if not media:
            raise SdpError(f"{kind} section offers none of the codecs the SFU forwards")
        allowed = set(media)
        for pt, name in names.items():
            if name in REPAIR_CODECS[kind] and (name[:4] != "rtx/" or apt.get(pt) in media):
                allowed.add(pt)
        dropped = {pt for pt in names if pt not in allowed}
        removed.extend(sorted({names[pt].split("/", 1)[0] for pt in dropped}))
        kept.append(_filter_m_line(lines[start], allowed))
        for line in body:
            for prefix in ("a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"):
                if line.startswith(prefix) and _payload_type(line[len(prefix) :]) in dropped:
                    break
            else:
                kept.append(line)
    return kept, tuple(sorted(set(removed)))


def _filter_m_line(line: str, allowed: set[int]) -> str:
    # m=<kind> <port> <proto> <fmt>…: keep the first three fields and the allowed formats.
    fields = line.split(" ")
    if len(fields) < 4:
        raise SdpError("malformed m= line")
    formats = [f for f in fields[3:] if _payload_type(f) in allowed]
    if not formats:
        raise SdpError("m= line lists none of the codecs its section describes")
    return " ".join(fields[:3] + formats)


def _parse(text: str) -> aiortc_sdp.SessionDescription:
    try:
        return aiortc_sdp.SessionDescription.parse(text)
    except RecursionError:
        raise SdpError("SDP could not be parsed") from None
    # The parser indexes, unpacks, asserts and converts line by line with no error handling
    # of its own; whichever of these a malformed line raises, the answer is the same. Caught
    # broadly on purpose: a new aiortc raising a new kind must still not reach the socket.
    except Exception as exc:
        raise SdpError(f"SDP could not be parsed ({type(exc).__name__})") from None


def _check_shape(
    description: aiortc_sdp.SessionDescription, *, role: Role, sdp_type: SdpType
) -> None:
    # What RTCPeerConnection.setRemoteDescription or createAnswer would otherwise fail on
    # later, with a traceback (found by feeding mutated offers that passed the checks above to
    # a real peer connection), is checked here while the error can still name the problem.
    mids: list[str] = []
    for index, media in enumerate(description.media):
        where = f"media section {index + 1}"
        # aiortc reads no direction as None and fails answering it; browsers always say.
        if media.direction is None:
            raise SdpError(f"{where}: no direction (a=sendrecv, a=recvonly…)")
        if media.direction not in DIRECTIONS[role]:
            raise SdpError(f"{where}: direction {media.direction} is not allowed for a {role}")
        if media.ice is None or not media.ice.usernameFragment or not media.ice.password:
            raise SdpError(f"{where}: ICE username fragment or password is missing")
        if media.dtls is None or not media.dtls.fingerprints:
            raise SdpError(f"{where}: DTLS fingerprint or setup role is missing")
        if sdp_type == "answer" and media.dtls.role not in ("client", "server"):
            raise SdpError(f"{where}: an answer must say a=setup:active or passive")
        if not media.rtcp_mux:
            raise SdpError(f"{where}: a=rtcp-mux is required")
        if not media.rtp.codecs:
            raise SdpError(f"{where}: no codec described (a=rtpmap)")
        for codec in media.rtp.codecs:
            _check_parameters(where, codec.mimeType, codec.parameters)
        if not media.rtp.muxId:
            raise SdpError(f"{where}: a=mid is missing")
        for candidate in media.ice_candidates:
            check_candidate(candidate, where)
        mids.append(media.rtp.muxId)
    if len(set(mids)) != len(mids):
        raise SdpError("two media sections share one a=mid")
    for group in description.group:
        if any(str(mid) not in mids for mid in group.items):
            raise SdpError(f"a=group:{group.semantic} names a media section that is not there")


def check_candidate(candidate: RTCIceCandidate, where: str = "candidate") -> None:
    """Refuse an ICE candidate aioice would take and then fail on, outside any handler.

    aioice accepts any integer port and any host name: a port past 65535 makes every
    connectivity check raise OverflowError inside the event loop's datagram transport, and a
    name that is neither an address nor an mDNS `.local` name is a DNS lookup the SFU would
    make for a stranger. Found by the socket fuzz test.
    """
    if not 1 <= candidate.port <= 65535:
        raise SdpError(f"{where}: candidate port {candidate.port} is not 1 to 65535")
    if candidate.protocol.lower() not in ("udp", "tcp"):
        raise SdpError(f"{where}: candidate transport must be udp or tcp")
    if candidate.type not in ("host", "srflx", "prflx", "relay"):
        raise SdpError(f"{where}: candidate type must be host, srflx, prflx or relay")
    if not 1 <= candidate.component <= 2:
        raise SdpError(f"{where}: candidate component must be 1 or 2")
    if candidate.relatedPort is not None and not 0 <= candidate.relatedPort <= 65535:
        raise SdpError(f"{where}: candidate rport is not 0 to 65535")
    if not candidate.ip.endswith(".local"):
        try:
            ipaddress.ip_address(candidate.ip)
        except ValueError:
            raise SdpError(f"{where}: candidate address must be an IP address") from None


def _check_parameters(where: str, mime_type: str, parameters: Mapping[str, object]) -> None:
    # aiortc compares H.264 offers by int(packetization-mode) and the profile-level-id's hex.
    if mime_type.lower() != "video/h264":
        return
    mode = parameters.get("packetization-mode", "0")
    if not isinstance(mode, str | int) or str(mode) not in ("0", "1"):
        raise SdpError(f"{where}: H.264 packetization-mode must be 0 or 1")
    level = parameters.get("profile-level-id", "42e01f")
    if not isinstance(level, str) or len(level) != 6:
        raise SdpError(f"{where}: H.264 profile-level-id must be 6 hexadecimal digits")
    try:
        aiortc_sdp.parse_h264_profile_level_id(level)
    except ValueError:
        raise SdpError(
            f"{where}: H.264 profile-level-id {level!r} is not one aiortc knows"
        ) from None
