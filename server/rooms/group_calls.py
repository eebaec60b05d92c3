"""Video calls inside a breakout group: who may signal whom, and what a signal may carry.

A group of up to `MAX_PEERS` people calls peer to peer: each browser connects to each of the
others, and the server only relays their offers, answers and ICE candidates. Larger groups
call through the SFU (`media.offer` with `group`, `live/stage_calls.py`), so signaling there
is refused. The server never parses a relayed SDP
(the browsers do); it checks size and a cheap shape so a peer cannot be flooded with junk.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.rooms.command_base import CommandError

# A full mesh of n people is n(n-1)/2 connections and each browser encodes its camera n-1
# times: four people is three uploads each, about what a home uplink and a laptop carry.
MAX_PEERS = 4
MAX_SDP_BYTES = 64 * 1024  # as for the SFU's offers (server/media/sdp.py)
MAX_MEDIA_SECTIONS = 8
MAX_CANDIDATE_BYTES = 1024
# A browser trickles a few dozen candidates per peer, and renegotiates rarely.
SIGNALS_PER_10S = 200
# Media sections two browsers may open to each other: camera, microphone, a data channel.
MEDIA_KINDS = frozenset({"audio", "video", "application"})


def check_peers(sender: str, to: str, members: Sequence[str] | None) -> None:
    """Refuse a signal unless sender and recipient sit in one running group small enough.

    `members` are the people seated in the sender's group of the room's running round
    (None when the sender sits in none).
    """
    if members is None or sender not in members:
        raise CommandError("forbidden", "Video calls are for people in a running breakout group.")
    if to == sender or to not in members:
        raise CommandError("forbidden", "That person is not in your group.", field="to")
    if len(members) > MAX_PEERS:
        raise CommandError(
            "too_many",
            f"Video in breakout groups is peer to peer for groups of up to {MAX_PEERS}; "
            "larger groups call through the server.",
        )


def check_sdp(sdp: str) -> None:
    """Size and shape of an offer or answer relayed between browsers; not a parse."""
    if len(sdp.encode("utf-8")) > MAX_SDP_BYTES:
        raise CommandError("invalid", f"SDP larger than {MAX_SDP_BYTES // 1024} KiB",
                           field="signal.sdp")  # fmt: skip
    if not sdp.startswith("v=0") or "\x00" in sdp:
        raise CommandError("invalid", "SDP must start with v=0", field="signal.sdp")
    kinds = [line[2:].split(" ", 1)[0] for line in sdp.splitlines() if line.startswith("m=")]
    if not kinds:
        raise CommandError("invalid", "SDP has no media section", field="signal.sdp")
    if len(kinds) > MAX_MEDIA_SECTIONS:
        raise CommandError("invalid", f"SDP has more than {MAX_MEDIA_SECTIONS} media sections",
                           field="signal.sdp")  # fmt: skip
    if not set(kinds) <= MEDIA_KINDS:
        raise CommandError("invalid", "media sections are audio, video or application only",
                           field="signal.sdp")  # fmt: skip
