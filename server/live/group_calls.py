"""Video calls in breakout groups on the socket: relaying signals, handing out ICE servers.

Signals are ephemeral: never written to the store or the room's log. A signal goes out on
the room's bus channel as a direct message (`RoomHub.on_bus`), and every worker's hub hands
it to its own sockets of the one recipient, the sender's worker included. Pub/sub may lose
one; WebRTC clients recover by ICE restart or by calling again, as they do on any network.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from server.live.acting import hub_of
from server.live.frames import ack, encode
from server.live.hub import direct_payload
from server.live.session import Session
from server.live.worker import LiveWorker
from server.media.ice import MAX_TURN_TTL_S, ice_servers_for
from server.rooms import commands as c
from server.rooms import group_call_commands as g
from server.rooms import group_calls as rules
from server.rooms.moderation import muted_error
from server.store import group_calls
from server.store.tables import utcnow

# What starts or answers a call: refused while a moderator has the person muted, since a
# call is speaking. Candidates and goodbyes still pass, so hanging up always works.
CALLING = frozenset({"hello", "offer", "answer"})


async def signal(live: LiveWorker, session: Session, cmd: g.GroupSignal) -> str | None:
    hub = hub_of(live, session)
    if await live.over_limit(f"signal:{session.visitor.key}", rules.SIGNALS_PER_10S, 10):
        raise c.CommandError("rate_limited",
                             f"At most {rules.SIGNALS_PER_10S} call signals in 10 seconds.",
                             retry_after=10)  # fmt: skip
    now = utcnow()
    until = hub.muted_until(session.member_id, now)
    if until is not None and cmd.signal.type in CALLING:
        raise muted_error(until, now)
    members = await live.store.read(group_calls.call_members, hub.room_id, session.visitor.key)
    rules.check_peers(session.member_id, cmd.to, members)
    if cmd.signal.sdp is not None:
        rules.check_sdp(cmd.signal.sdp)
    frame = encode({"type": "group.signal", "room": hub.room_id, "from": session.member_id,
                    "signal": cmd.signal.wire()})  # fmt: skip
    await live.bus.publish(hub.channel, direct_payload(cmd.to, frame))
    return ack(cmd.ref)


async def ice_servers(live: LiveWorker, session: Session, cmd: g.GroupIceServers) -> str | None:
    """STUN for anyone in the room; TURN credentials only for people in a running group
    small enough to call, minted for them and living at most an hour."""
    hub = hub_of(live, session)
    members = await live.store.read(group_calls.call_members, hub.room_id, session.visitor.key)
    calling = members is not None and len(members) <= rules.MAX_PEERS
    secret = live.settings.turn_secret if calling else None
    now = time.time()
    servers = ice_servers_for(live.settings.ice_servers, secret, session.visitor.key, now=now)
    return ack(cmd.ref, ice_servers=servers, expires_at=int(now) + MAX_TURN_TTL_S)


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    g.GroupSignal: signal,
    g.GroupIceServers: ice_servers,
}
