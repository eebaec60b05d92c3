"""The tables of live rooms: the room's event log, chat, hands and presence.

`rooms.head_seq` is the room's sequence counter. Every transaction that adds a room event
increments it first, which takes the room row's write lock until commit: events of one room
are committed one at a time, in `seq` order, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime, utcnow


class Room(Base):
    __tablename__ = "rooms"
    id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    head_seq: Mapped[int] = mapped_column(Integer, default=0)
    slow_mode: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoomEvent(Base):
    """The room's log, replayed to clients that resume. `audience` is who may see it."""

    __tablename__ = "room_events"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    audience: Mapped[str] = mapped_column(String(40), default="all")
    body: Mapped[str] = mapped_column(Text)


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("room_id", "author_key", "client_id"),
        Index("ix_chat_messages_room_id_id", "room_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str] = mapped_column(String(64))
    # "p<person id>" or "g<guest registration id>": who wrote it, never sent to clients.
    author_key: Mapped[str] = mapped_column(String(24))
    author_member: Mapped[str] = mapped_column(String(16))
    author_name: Mapped[str] = mapped_column(String(80))
    author_role: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_hosts: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_by: Mapped[str | None] = mapped_column(String(24), nullable=True)


class RaisedHand(Base):
    __tablename__ = "raised_hands"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    member: Mapped[str] = mapped_column(String(16), primary_key=True)
    # The room seq at which the hand went up orders the queue, the same for everyone.
    raised_seq: Mapped[int] = mapped_column(Integer)


class RoomPresence(Base):
    """One row per person per worker holding a socket of theirs in the room."""

    __tablename__ = "room_presence"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    member: Mapped[str] = mapped_column(String(16), primary_key=True)
    worker: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(12))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Worker(Base):
    """A live web worker's heartbeat; presence rows of a silent worker are swept away."""

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
