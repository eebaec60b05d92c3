"""The tables of breakout study groups: rounds, their groups, who sits where, the help line.

One round per room is planned or running at a time. `breakout_seats` has one row per person
per round, keyed by the person's key, so that "nobody in two groups" is the primary key's
promise and not only the code's: two workers racing to seat the same person cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime, utcnow


class BreakoutRound(Base):
    __tablename__ = "breakout_rounds"
    __table_args__ = (Index("ix_breakout_rounds_state_ends", "state", "ends_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(8), default="draft")  # draft, open, closed
    minutes: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether a group's own members may keep it as a study group (hosts always may).
    members_may_keep: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_key: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BreakoutGroup(Base):
    __tablename__ = "breakout_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_rounds.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str | None] = mapped_column(String(40), nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The group's shared notes as they stand; earlier versions in breakout_note_versions.
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_version: Mapped[int] = mapped_column(Integer, default=0)


class BreakoutSeat(Base):
    __tablename__ = "breakout_seats"
    round_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    person_key: Mapped[str] = mapped_column(String(24), primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True
    )
    member: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    seated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BreakoutNoteVersion(Base):
    """Recent versions of a group's notes: a save typed on one is merged against it."""

    __tablename__ = "breakout_note_versions"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)


class BreakoutMessage(Base):
    """A message in a group's own chat; kept after the session, with the group."""

    __tablename__ = "breakout_messages"
    __table_args__ = (UniqueConstraint("group_id", "author_key", "client_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    author_key: Mapped[str] = mapped_column(String(24))  # never sent to clients
    author_member: Mapped[str] = mapped_column(String(16))
    author_name: Mapped[str] = mapped_column(String(80))
    author_role: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HelpRequest(Base):
    """A call for help from inside a group, numbered within its round in the order asked."""

    __tablename__ = "help_requests"
    round_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer)
    person_key: Mapped[str] = mapped_column(String(24))
    member: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once someone is on the way, or the request was withdrawn ("" then): not waiting.
    claimed_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StudyGroup(Base):
    """A breakout group kept by the community: its people, notes and chat live on.

    Its chat is the breakout group's (`from_group_id`), read from there rather than copied;
    its weekly meeting, if any, is an ordinary event of kind study group, with its own room.
    """

    __tablename__ = "study_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str | None] = mapped_column(String(40), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    from_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    meeting_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True
    )
    created_by_key: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StudyGroupMember(Base):
    __tablename__ = "study_group_members"
    study_group_id: Mapped[int] = mapped_column(
        ForeignKey("study_groups.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
