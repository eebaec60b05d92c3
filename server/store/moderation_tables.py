"""The tables of moderation: guidelines accepted, reports, mutes, bans, blocks, the waiting
room and the audit log.

People are named by their key ("p<person id>", or "g<guest registration id>"), the same key
chat and questions keep, never by a member id (which changes from room to room). Bans and
the audit log hold keys only, and names are looked up when shown: once an account is
deleted its key names no one, which is the pseudonymous id the audit log keeps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime, utcnow


class GuidelinesAccepted(Base):
    """A person accepted a community's guidelines as they stood at `accepted_at`."""

    __tablename__ = "guidelines_accepted"
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    person_key: Mapped[str] = mapped_column(String(24), primary_key=True)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """A flag raised on a message, a question, a display name or a person."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_community_status", "community_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    room_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reporter_key: Mapped[str] = mapped_column(String(24), index=True)
    reporter_member: Mapped[str] = mapped_column(String(16), default="")  # to tell them, live
    kind: Mapped[str] = mapped_column(String(12))  # message, question, name, person
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subject_key: Mapped[str] = mapped_column(String(24), index=True)
    subject_name: Mapped[str] = mapped_column(String(80))
    excerpt: Mapped[str] = mapped_column(Text, default="")  # what was reported, as it stood
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, actioned, dismissed
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)
    handled_by_key: Mapped[str | None] = mapped_column(String(24), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mute(Base):
    """No chat, questions, poll answers or reactions in a room until `until`."""

    __tablename__ = "mutes"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    person_key: Mapped[str] = mapped_column(String(24), primary_key=True)
    member: Mapped[str] = mapped_column(String(16))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    by_key: Mapped[str] = mapped_column(String(24))


class Ban(Base):
    """A person kept out of a community until a moderator lifts it. Guests are banned by
    registration and by a keyed digest of their email (never the email itself), so a new
    guest registration with the same email is refused."""

    __tablename__ = "bans"
    __table_args__ = (Index("ix_bans_community_key", "community_id", "person_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    person_key: Mapped[str] = mapped_column(String(24))
    email_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text)
    by_key: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by_key: Mapped[str | None] = mapped_column(String(24), nullable=True)


class Block(Base):
    """A person no longer sees another's messages and questions, in every room."""

    __tablename__ = "blocks"
    person_key: Mapped[str] = mapped_column(String(24), primary_key=True)
    blocked_key: Mapped[str] = mapped_column(String(24), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Waiting(Base):
    """A person waiting to be let into a room whose waiting room is on."""

    __tablename__ = "room_waiting"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    person_key: Mapped[str] = mapped_column(String(24), primary_key=True)
    member: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditRecord(Base):
    """One moderator or host action. Append-only: the application has no way to update or
    delete one, and on PostgreSQL a trigger refuses it (migration 0004)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_community_id_id", "community_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    room_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_key: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(40))
    subject_key: Mapped[str | None] = mapped_column(String(24), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what exactly, and how long
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
