"""Breakout groups talking face to face: peer to peer, the server relaying signaling only.

A group of at most `PEER_GROUP_MAX` people connects each pair directly; the server relays
offers, answers and candidates between two members of the same group of the open round, and
to nobody else. What it relays is checked as the SFU's own input is (`check_sdp`,
`check_candidate`): the other member's browser is spared malformed or oversized SDP, and the
codecs are those every browser has. Media never passes through the server.

Relayed frames are ephemeral (no seq, not logged) and reach the target's sockets on this
worker; with several workers the two people must share one (relaying over the bus is not
built yet).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiortc.sdp import candidate_from_sdp

from server.live.acting import hub_of
from server.live.frames import ack, encode
from server.live.session import Session
from server.live.worker import LiveWorker
from server.media.sdp import SdpError, check_candidate, check_sdp
from server.rooms import commands as c
from server.rooms import stage_commands as s
from server.rooms.commands import CommandError
from server.store.breakout_peers import group_members

# Past four people a mesh costs each browser too many uploads; such groups need the SFU.
PEER_GROUP_MAX = 4


def _relayed(cmd: s.PeerSignal) -> dict[str, Any]:
    """What goes to the other member: checked, and rebuilt from the checked parts only."""
    if cmd.signal == "ice":
        text = (cmd.candidate or "").removeprefix("a=").removeprefix("candidate:")
        if not text:
            return {"candidate": "", "mid": cmd.mid}
        try:
            check_candidate(candidate_from_sdp(text))
        except SdpError as exc:
            raise CommandError("invalid", exc.message, field="candidate") from None
        except Exception:  # aioice's parser on client text
            raise CommandError("invalid", "candidate: not an ICE candidate",
                               field="candidate") from None  # fmt: skip
        return {"candidate": f"candidate:{text}", "mid": cmd.mid}
    if cmd.sdp is None:
        raise CommandError("invalid", f"sdp: an {cmd.signal} carries sdp", field="sdp")
    try:
        checked = check_sdp(cmd.sdp, role="publisher", sdp_type=cmd.signal)
    except SdpError as exc:
        raise CommandError("invalid", f"sdp: {exc.message}", field="sdp") from None
    return {"sdp": checked.sdp}


async def peer_signal(live: LiveWorker, session: Session, cmd: s.PeerSignal) -> str | None:
    hub = hub_of(live, session)
    members = await live.store.read(group_members, hub.room_id, session.visitor.key)
    me = session.member_id
    if me not in members or cmd.to not in members or cmd.to == me:
        raise CommandError("forbidden", "Peer to peer is for two people of the same breakout "
                           "group, while the groups run.", field="to")  # fmt: skip
    if len(members) > PEER_GROUP_MAX:
        raise CommandError("conflict", f"Groups of more than {PEER_GROUP_MAX} cannot connect "
                           "peer to peer.")  # fmt: skip
    frame = encode({"type": "peer.signal", "room": hub.room_id, "from": me, "name": session.name,
                    "signal": cmd.signal, **_relayed(cmd)})  # fmt: skip
    reached = 0
    for other in list(hub.sessions):
        if other.member_id == cmd.to:
            other.push(frame)
            reached += 1
    if not reached:
        raise CommandError("not_found", "That person is not connected to this room here.")
    return ack(cmd.ref)


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    s.PeerSignal: peer_signal,
}
