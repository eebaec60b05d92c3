"""Deleted messages stay readable to moderators for 30 days, then their text is gone
and they leave the moderators' list."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.moderation import KEEP_DELETED
from server.store import Store, events, moderation, rooms
from server.store.room_tables import ChatMessage
from server.store.tables import utcnow

from .test_events import make_community, spec

BODIES = {"old": "deleted long ago", "recent": "deleted this week", "kept": "never deleted"}


async def test_purge_empties_only_messages_deleted_before_the_cutoff(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec())
    await store.write(rooms.ensure_room, event.id)
    now = utcnow()
    deleted_at = {"old": now - KEEP_DELETED - timedelta(hours=1), "recent": now - timedelta(days=6),
                  "kept": None}  # fmt: skip

    async def write(session: AsyncSession) -> None:
        for n, (label, body) in enumerate(BODIES.items()):
            session.add(ChatMessage(
                room_id=event.id, seq=n + 1, client_id=label, author_key="p1",
                author_member="m1", author_name="Ada", author_role="attendee", body=body,
                deleted_at=deleted_at[label], deleted_by="p2" if deleted_at[label] else None,
            ))  # fmt: skip

    await store.write(write)
    emptied = await store.write(moderation.purge_deleted, now - KEEP_DELETED)
    again = await store.write(moderation.purge_deleted, now - KEEP_DELETED)

    async def bodies(session: AsyncSession) -> dict[str, str]:
        rows = await session.execute(select(ChatMessage.client_id, ChatMessage.body))
        return {label: body for label, body in rows}

    assert (emptied, again) == (1, 0)
    assert await store.read(bodies) == {
        "old": "",
        "recent": BODIES["recent"],
        "kept": BODIES["kept"],
    }
    still_shown = await store.read(moderation.deleted_messages, event.id)
    assert [m["body"] for m in still_shown] == [BODIES["recent"]]
