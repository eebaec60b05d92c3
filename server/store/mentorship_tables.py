"""The tables of mentorship: requests for a mentor, the mentors who passed on them, the pairs
they became, their sessions and what each of the two said after a session.

`mentorship_requests.open_tag` holds the request's tag while it is open and NULL after: the
unique key (community, person, open_tag) lets a person hold one open request per interest in
a community, on both databases (NULLs never collide), without a partial index. A pair keeps
its request's id under a unique key, so two mentors racing to accept cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime, utcnow


class MentorshipRequest(Base):
    __tablename__ = "mentorship_requests"
    __table_args__ = (
        UniqueConstraint("community_id", "person_id", "open_tag"),
        Index("ix_mentorship_requests_community_status", "community_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, matched, withdrawn
    open_tag: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MentorshipPass(Base):
    """A mentor who passed on a request: it leaves their list, and they leave its suggestions."""

    __tablename__ = "mentorship_passes"
    request_id: Mapped[int] = mapped_column(
        ForeignKey("mentorship_requests.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorPair(Base):
    """A mentor and a learner who agreed to work together on one interest."""

    __tablename__ = "mentor_pairs"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(
        ForeignKey("mentorship_requests.id", ondelete="CASCADE"), unique=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Either of the two may end the pair: it stays listed, with its sessions, as ended.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )


class PairSession(Base):
    """A session of a pair: a private study-group event with the two of them registered."""

    __tablename__ = "pair_sessions"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    pair_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_pairs.id", ondelete="CASCADE"), index=True
    )


class SessionFeedback(Base):
    """What one of the two said after a session: did it go well?"""

    __tablename__ = "session_feedback"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("pair_sessions.event_id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    went_well: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
