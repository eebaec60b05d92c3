"""Live rooms in the store: the event log with its sequence, chat, hands and room settings.

Every function that adds an event calls `_next_seq` first: it increments the room's counter
and so holds the room row's lock until commit. That makes commit order equal `seq` order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms import chat, hands
from server.rooms.commands import CommandError
from server.rooms.events import ALL, STAFF, Event, Message, can_see, staff_and, stamp
from server.store.room_tables import ChatMessage, RaisedHand, Room, RoomEvent
from server.store.tables import utcnow


@dataclass(frozen=True)
class Speaker:
    """Who is acting, as the server knows them."""

    key: str
    member: str
    name: str
    role: str


@dataclass(frozen=True)
class Logged:
    audience: str
    event: Event


async def ensure_room(session: AsyncSession, room_id: int) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(Room).values(id=room_id).on_conflict_do_nothing())


async def _next_seq(session: AsyncSession, room_id: int) -> int:
    seq = await session.scalar(
        update(Room)
        .where(Room.id == room_id)
        .values(head_seq=Room.head_seq + 1)
        .returning(Room.head_seq)
    )
    if seq is None:
        raise CommandError("not_found", "That room does not exist.")
    return int(seq)


async def lock_room(session: AsyncSession, room_id: int) -> None:
    """Take the room row's write lock until commit, adding no event: for a change that reads
    the room's state before it knows which events it makes (questions, polls)."""
    found = await session.scalar(
        update(Room).where(Room.id == room_id).values(head_seq=Room.head_seq).returning(Room.id)
    )
    if found is None:
        raise CommandError("not_found", "That room does not exist.")


def _log(
    session: AsyncSession, room_id: int, seq: int, audience: str, kind: str, **fields: Any
) -> Logged:
    event: Event = {"type": kind, "room": room_id, "seq": seq, "at": stamp(utcnow()), **fields}
    session.add(RoomEvent(room_id=room_id, seq=seq, audience=audience, body=json.dumps(event)))
    return Logged(audience, event)


async def append(
    session: AsyncSession, room_id: int, audience: str, kind: str, **fields: Any
) -> Logged:
    """Add one event to the room's log; for modules whose state lives in the event alone."""
    return _log(session, room_id, await _next_seq(session, room_id), audience, kind, **fields)


async def append_all(
    session: AsyncSession, room_id: int, events: list[tuple[str, Event]]
) -> list[Logged]:
    """Log a pure rule's events, each with its audience, in the order the rule made them."""
    logged = []
    for audience, event in events:
        fields = {k: v for k, v in event.items() if k != "type"}
        logged.append(await append(session, room_id, audience, str(event["type"]), **fields))
    return logged


def message_view(m: ChatMessage) -> Message:
    return {
        "id": m.id,
        "seq": m.seq,
        "author": {"id": m.author_member, "name": m.author_name, "role": m.author_role},
        "body": m.body,
        "reply_to": m.reply_to,
        "to_hosts": m.to_hosts,
        "at": stamp(m.created_at),
        "edited_at": stamp(m.edited_at) if m.edited_at else None,
    }


async def send_chat(
    session: AsyncSession,
    room_id: int,
    who: Speaker,
    client_id: str,
    body: str,
    reply_to: int | None,
    to_hosts: bool,
) -> tuple[ChatMessage, Logged | None]:
    """The message, and its event; a retried client_id returns the first one, no event."""
    existing = await session.scalar(
        select(ChatMessage).where(
            ChatMessage.room_id == room_id,
            ChatMessage.author_key == who.key,
            ChatMessage.client_id == client_id,
        )
    )
    if existing is not None:
        return existing, None
    if reply_to is not None:
        target = await session.get(ChatMessage, reply_to)
        if target is None or target.room_id != room_id or target.deleted_at is not None:
            raise CommandError("not_found", "reply_to: no such message", field="reply_to")
    seq = await _next_seq(session, room_id)
    message = ChatMessage(
        room_id=room_id, seq=seq, client_id=client_id, author_key=who.key,
        author_member=who.member, author_name=who.name, author_role=who.role,
        body=body, reply_to=reply_to, to_hosts=to_hosts, created_at=utcnow(),
    )  # fmt: skip
    session.add(message)
    await session.flush()
    audience = staff_and(who.member) if to_hosts else ALL
    return message, _log(
        session, room_id, seq, audience, "chat.message", message=message_view(message)
    )


async def _message(session: AsyncSession, room_id: int, message_id: int) -> ChatMessage:
    message = await session.get(ChatMessage, message_id)
    if message is None or message.room_id != room_id or message.deleted_at is not None:
        raise CommandError("not_found", "id: no such message", field="id")
    return message


def audience_of(message: ChatMessage) -> str:
    return staff_and(message.author_member) if message.to_hosts else ALL


async def edit_chat(
    session: AsyncSession, room_id: int, who: Speaker, message_id: int, body: str
) -> Logged:
    message = await _message(session, room_id, message_id)
    now = utcnow()
    chat.check_edit(message.author_key, who.key, message.created_at, now)
    seq = await _next_seq(session, room_id)
    message.body, message.edited_at = body, now
    return _log(
        session,
        room_id,
        seq,
        audience_of(message),
        "chat.edited",
        id=message.id,
        body=body,
        edited_at=stamp(now),
    )


async def delete_chat(
    session: AsyncSession, room_id: int, who: Speaker, message_id: int
) -> Logged | None:
    """Delete; deleting again (a retry after a dropped connection) changes nothing."""
    message = await session.get(ChatMessage, message_id)
    if message is not None and message.room_id == room_id and message.deleted_at is not None:
        chat.check_delete(message.author_key, who.key, who.role)
        return None
    message = await _message(session, room_id, message_id)
    chat.check_delete(message.author_key, who.key, who.role)
    seq = await _next_seq(session, room_id)
    message.deleted_at, message.deleted_by = utcnow(), who.key
    return _log(
        session, room_id, seq, audience_of(message), "chat.deleted", id=message.id, by=who.member
    )


def _visible_messages(member: str, role: str) -> Any:
    if can_see(STAFF, member, role):
        return True
    return (ChatMessage.to_hosts.is_(False)) | (ChatMessage.author_member == member)


async def chat_page(
    session: AsyncSession, room_id: int, member: str, role: str, before: int | None, limit: int
) -> tuple[list[Message], bool]:
    """Up to `limit` visible messages before a message id, oldest first, and whether more."""
    query = select(ChatMessage).where(
        ChatMessage.room_id == room_id,
        ChatMessage.deleted_at.is_(None),
        _visible_messages(member, role),
    )
    if before is not None:
        query = query.where(ChatMessage.id < before)
    rows = list(await session.scalars(query.order_by(ChatMessage.id.desc()).limit(limit + 1)))
    return [message_view(m) for m in reversed(rows[:limit])], len(rows) > limit


async def hand_queue(session: AsyncSession, room_id: int) -> list[str]:
    rows = await session.scalars(
        select(RaisedHand.member).where(RaisedHand.room_id == room_id)
        .order_by(RaisedHand.raised_seq)
    )  # fmt: skip
    return list(rows)


async def raise_hand(session: AsyncSession, room_id: int, who: Speaker) -> Logged | None:
    if await session.get(RaisedHand, (room_id, who.member)) is not None:
        return None
    seq = await _next_seq(session, room_id)
    session.add(RaisedHand(room_id=room_id, member=who.member, raised_seq=seq))
    await session.flush()
    queue = await hand_queue(session, room_id)
    return _log(session, room_id, seq, ALL, "hand.raised", member=who.member, hands=queue)


async def lower_hand(
    session: AsyncSession, room_id: int, who: Speaker, member: str, kind: str = "hand.lowered"
) -> Logged | None:
    hand = await session.get(RaisedHand, (room_id, member))
    if hand is None:
        return None
    seq = await _next_seq(session, room_id)
    await session.delete(hand)
    await session.flush()
    queue = await hand_queue(session, room_id)
    return _log(session, room_id, seq, ALL, kind, member=member, by=who.member, hands=queue)


async def call_next_hand(session: AsyncSession, room_id: int, who: Speaker) -> Logged:
    member = hands.next_hand(await hand_queue(session, room_id))
    logged = await lower_hand(session, room_id, who, member, "hand.called")
    assert logged is not None
    return logged


async def set_slow_mode(session: AsyncSession, room_id: int, seconds: int) -> Logged:
    seq = await _next_seq(session, room_id)
    await session.execute(update(Room).where(Room.id == room_id).values(slow_mode=seconds))
    return _log(session, room_id, seq, ALL, "room.updated", state={"slow_mode": seconds})


async def room_head(session: AsyncSession, room_id: int) -> tuple[int, int]:
    """The room's head seq and slow mode seconds."""
    row = (await session.execute(
        select(Room.head_seq, Room.slow_mode).where(Room.id == room_id)
    )).one_or_none()  # fmt: skip
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def events_since(
    session: AsyncSession, room_id: int, since: int, limit: int = 5000
) -> list[Logged]:
    rows = await session.execute(
        select(RoomEvent.audience, RoomEvent.body)
        .where(RoomEvent.room_id == room_id, RoomEvent.seq > since)
        .order_by(RoomEvent.seq)
        .limit(limit)
    )
    return [Logged(audience, json.loads(body)) for audience, body in rows]


async def heads(session: AsyncSession, room_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(select(Room.id, Room.head_seq).where(Room.id.in_(room_ids)))
    return {int(r): int(h) for r, h in rows}


async def count_messages(session: AsyncSession, room_id: int) -> int:
    n = await session.scalar(select(func.count()).where(ChatMessage.room_id == room_id))
    return int(n or 0)


async def find_chat(
    session: AsyncSession, room_id: int, author_key: str, client_id: str
) -> ChatMessage | None:
    return await session.scalar(
        select(ChatMessage).where(
            ChatMessage.room_id == room_id,
            ChatMessage.author_key == author_key,
            ChatMessage.client_id == client_id,
        )
    )


async def room_exists(session: AsyncSession, room_id: int) -> bool:
    return await session.get(Room, room_id) is not None
