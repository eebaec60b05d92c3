"""The tables of live rooms: the room's event log, chat, hands, questions, polls, presence.

`rooms.head_seq` is the room's sequence counter. Every transaction that adds a room event
increments it first, which takes the room row's write lock until commit: events of one room
are committed one at a time, in `seq` order, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime, utcnow


class Room(Base):
    __tablename__ = "rooms"
    id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    head_seq: Mapped[int] = mapped_column(Integer, default=0)
    slow_mode: Mapped[int] = mapped_column(Integer, default=0)
    qa_premoderation: Mapped[bool] = mapped_column(Boolean, default=False)
    qa_hide_authors: Mapped[bool] = mapped_column(Boolean, default=False)
    # Locked: no one new comes in. Waiting room: attendees wait until a host lets them in.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    waiting_room: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoomEvent(Base):
    """The room's log, replayed to clients that resume. `audience` is who may see it."""

    __tablename__ = "room_events"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # "all", "staff", "stage", or "staff+" and a few member ids (see rooms/events.py).
    audience: Mapped[str] = mapped_column(Text, default="all")
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


class Question(Base):
    """A question of the room's Q&A; `id` counts from 1 within the room (`rooms/qa.py`)."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_author_key", "author_key"),)
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    author_key: Mapped[str] = mapped_column(String(24))  # never sent to clients
    author_member: Mapped[str] = mapped_column(String(16))
    author_name: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_from_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(12), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuestionVote(Base):
    """One row per person per question: the key is what makes it one vote each."""

    __tablename__ = "question_votes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["room_id", "question_id"], ["questions.room_id", "questions.id"], ondelete="CASCADE"
        ),
    )
    room_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[str] = mapped_column(String(16), primary_key=True)


class Poll(Base):
    """A poll or quiz of the room; `id` counts from 1 within the room (`rooms/polls.py`)."""

    __tablename__ = "polls"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(12))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text, default="[]")  # a JSON list of labels
    correct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    changeable: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(8), default="draft")
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollAnswer(Base):
    """One row per person per poll: the key is what makes it one answer each."""

    __tablename__ = "poll_answers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["room_id", "poll_id"], ["polls.room_id", "polls.id"], ondelete="CASCADE"
        ),
    )
    room_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))  # for the host's export of named polls
    value: Mapped[str] = mapped_column(Text)  # JSON: an index, a list of indexes, or a word
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
    person_key: Mapped[str] = mapped_column(String(24), default="")  # never sent to clients
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Worker(Base):
    """A live web worker's heartbeat; presence rows of a silent worker are swept away."""

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
