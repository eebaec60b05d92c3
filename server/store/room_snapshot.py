"""A room as one person sees it at one `seq`: people, recent chat, hands, questions, polls
and settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import polls as poll_rules
from server.rooms import qa
from server.rooms.events import stamp
from server.rooms.roles import is_staff
from server.store import (
    breakouts,
    group_work,
    help_requests,
    polls,
    presence,
    questions,
    room_door,
    rooms,
)
from server.store.tables import Event

CHAT_IN_SNAPSHOT = 50


async def snapshot(
    session: AsyncSession, room_id: int, member: str, role: str, key: str = ""
) -> dict[str, Any]:
    """Read inside one consistent transaction (`Store.read_consistent`). `key` is the
    person's, for what is theirs alone (their breakout group's chat and notes)."""
    head, slow_mode = await rooms.room_head(session, room_id)
    event = await session.get(Event, room_id)
    chat, more = await rooms.chat_page(session, room_id, member, role, None, CHAT_IN_SNAPSHOT)
    locked, waiting_room = await room_door.door(session, room_id)
    return {
        "seq": head,
        "people": await presence.people(session, room_id)
        if is_staff(role) or await presence.shows_people(session, room_id)
        else [],
        "chat": chat,
        "more_chat": more,
        "hands": await rooms.hand_queue(session, room_id),
        "qa": qa.view(await questions.board(session, room_id), member, role),
        "polls": [
            seen
            for poll in await polls.room_polls(session, room_id)
            if (seen := poll_rules.view(poll, member, role)) is not None
        ],
        "state": {
            "slow_mode": slow_mode,
            "title": event.title if event else "",
            "starts_at": stamp(event.starts_at) if event else None,
            "ends_at": stamp(event.ends_at) if event else None,
            "locked": locked,
            "waiting_room": waiting_room,
        },
        "breakout": await breakouts.room_view(session, room_id),
        "help": await help_requests.queue(session, room_id, member, role),
        "group": await group_work.mine(session, room_id, key) if key else None,
        # Who waits at the door: the staff's to admit, nobody else's to know.
        "waiting": await room_door.waiting(session, room_id) if is_staff(role) else [],
    }
