"""What every command handler needs: the room a session is in, who acts, and publishing."""

from __future__ import annotations

from server.live.hub import RoomHub
from server.live.session import Session
from server.live.worker import LiveWorker
from server.rooms.commands import CommandError
from server.store.rooms import Logged, Speaker


def speaker(session: Session) -> Speaker:
    return Speaker(session.visitor.key, session.member_id, session.name, session.role)


def hub_of(live: LiveWorker, session: Session) -> RoomHub:
    hub = live.hubs.get(session.room_id or 0)
    if session.room_id is None or hub is None:
        raise CommandError("not_in_room", "Join a room first.")
    return hub


async def publish(live: LiveWorker, logged: Logged | None) -> int | None:
    """Deliver a committed event; its seq for the ack."""
    if logged is None:
        return None
    await live.publish(logged)
    return int(logged.event["seq"])


async def publish_all(live: LiveWorker, logged: list[Logged]) -> int | None:
    """Deliver committed events in order; the last one's seq for the ack."""
    for each in logged:
        await live.publish(each)
    return int(logged[-1].event["seq"]) if logged else None
