"""A person's own data, all of it, as one JSON-ready document (the "Download my data" export).

Rows are found the three ways the store names a person: by account id (`person_id`), by key
("p<id>": chat, questions, moderation, breakouts) and by member id (the per-room HMAC of the
key: votes, poll answers, hands, polls). Each row is exported with its columns as stored,
except secrets (password hash, session and link tokens) and other people's keys and ids,
which attendees never receive: those are replaced by display names where it helps.

Left out on purpose: guest registrations (a guest is their join link, not the account with
the same email, which no one has proven to own), reports about the person and moderation
acts done to them beyond their own mutes and bans (the reporter and the moderator are not
told to the person concerned), and the room logs, which repeat rows exported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from server.rooms.members import member_id
from server.store import mentorship_data
from server.store.audit_log import names
from server.store.breakout_tables import (
    BreakoutMessage,
    BreakoutRound,
    BreakoutSeat,
    HelpRequest,
    StudyGroup,
    StudyGroupMember,
)
from server.store.moderation_tables import (
    AuditRecord,
    Ban,
    Block,
    GuidelinesAccepted,
    Mute,
    Report,
    Waiting,
)
from server.store.room_tables import (
    ChatMessage,
    Poll,
    PollAnswer,
    Question,
    QuestionVote,
    RaisedHand,
    Room,
    RoomPresence,
)
from server.store.tables import (
    AgendaItem,
    Community,
    Event,
    EventSpeaker,
    Interest,
    Membership,
    Person,
    Registration,
    SignInAttempt,
    WebSession,
    utcnow,
)

FORMAT = "studyhall-personal-data/1"
_CHUNK = 500  # member ids per IN (...) query


def person_key(person_id: int) -> str:
    return f"p{person_id}"


def sign_in_key(email: str) -> str:
    """How failed sign-ins against this email are counted (`http/accounts/signing.py`)."""
    return f"email:{email}"


def plain(row: DeclarativeBase, omit: Iterable[str] = ()) -> dict[str, Any]:
    """A row's columns as JSON values: times in ISO 8601 UTC, JSON text left as text."""
    left_out = set(omit)
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        if column.key in left_out:
            continue
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return out


async def member_ids(session: AsyncSession, secret: str, key: str) -> dict[str, int]:
    """The person's member id in every room, mapped to the room: ids are per room, so the
    rows that hold only a member id are found by computing it for each room there is."""
    rooms = await session.scalars(select(Room.id))
    return {member_id(secret, room, key): room for room in rooms}


async def rows_of_members(
    session: AsyncSession, table: Any, members: dict[str, int], column: str = "member"
) -> list[Any]:
    """Rows of a table keyed by (room_id, member id) that are this person's, in slices."""
    found: list[Any] = []
    pairs = [(room, m) for m, room in members.items()]
    for start in range(0, len(pairs), _CHUNK):
        part = pairs[start : start + _CHUNK]
        query = select(table).where(tuple_(table.room_id, getattr(table, column)).in_(part))
        found.extend(await session.scalars(query))
    return found


async def _all(session: AsyncSession, query: Any) -> Sequence[Any]:
    return list(await session.scalars(query))


async def _titles(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Event.id, Event.title).where(Event.id.in_(wanted)))
    return {i: t for i, t in rows}


async def _communities(session: AsyncSession, ids: Iterable[int]) -> dict[int, dict[str, str]]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Community.id, Community.slug, Community.name).where(Community.id.in_(wanted))
    )
    return {i: {"slug": s, "name": n} for i, s, n in rows}


def _in_room(out: dict[str, Any], titles: dict[int, str]) -> dict[str, Any]:
    """Name the event of a row that holds a room id (a room's id is its event's)."""
    room = out.get("room_id", out.get("event_id"))
    if isinstance(room, int):
        out["event_title"] = titles.get(room, "")
    return out


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


async def export(session: AsyncSession, person_id: int, secret: str) -> dict[str, Any] | None:
    """Everything the store holds of this person; None when there is no such account."""
    person = await session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        return None
    key = person_key(person_id)
    members = await member_ids(session, secret, key)

    def by_key(table: Any, column: Any) -> Any:
        return select(table).where(column == key)

    messages = await _all(
        session, by_key(ChatMessage, ChatMessage.author_key).order_by(ChatMessage.id)
    )
    asked = await _all(
        session, by_key(Question, Question.author_key).order_by(Question.room_id, Question.id)
    )
    votes = await rows_of_members(session, QuestionVote, members)
    answers = await rows_of_members(session, PollAnswer, members)
    hands = await rows_of_members(session, RaisedHand, members)
    polls = await rows_of_members(session, Poll, members, "created_by")
    reports = await _all(session, by_key(Report, Report.reporter_key).order_by(Report.id))
    blocks = await _all(session, by_key(Block, Block.person_key))
    mutes = await _all(session, by_key(Mute, Mute.person_key))
    bans = await _all(session, by_key(Ban, Ban.person_key).order_by(Ban.id))
    waiting = await _all(session, by_key(Waiting, Waiting.person_key))
    present = await _all(session, by_key(RoomPresence, RoomPresence.person_key))
    accepted = await _all(session, by_key(GuidelinesAccepted, GuidelinesAccepted.person_key))
    seats = await _all(session, by_key(BreakoutSeat, BreakoutSeat.person_key))
    helps = await _all(session, by_key(HelpRequest, HelpRequest.person_key))
    rounds = await _all(session, by_key(BreakoutRound, BreakoutRound.created_by_key))
    group_chat = await _all(
        session, by_key(BreakoutMessage, BreakoutMessage.author_key).order_by(BreakoutMessage.id)
    )
    kept = await _all(session, by_key(StudyGroup, StudyGroup.created_by_key))
    kept_in = await _all(
        session, select(StudyGroupMember).where(StudyGroupMember.person_id == person_id)
    )
    acts = await _all(session, by_key(AuditRecord, AuditRecord.actor_key).order_by(AuditRecord.id))
    memberships = await _all(session, select(Membership).where(Membership.person_id == person_id))
    registrations = await _all(
        session,
        select(Registration).where(Registration.person_id == person_id).order_by(Registration.id),
    )
    created = await _all(
        session, select(Event).where(Event.created_by == person_id).order_by(Event.id)
    )
    speaking = await _all(session, select(EventSpeaker).where(EventSpeaker.person_id == person_id))
    agenda = [
        item
        for item in await _all(
            session, select(AgendaItem).where(AgendaItem.speaker_ids.contains(str(person_id)))
        )
        if str(person_id) in item.speaker_ids.split(",")
    ]

    room_ids: set[int | None] = {
        r.room_id
        for group in (messages, asked, votes, answers, hands, polls, mutes, waiting, present)
        for r in group
    }
    room_ids |= {r.room_id for r in reports} | {a.room_id for a in acts}
    room_ids |= {r.room_id for r in rounds}
    room_ids |= {r.event_id for r in registrations} | {s.event_id for s in speaking}
    room_ids |= {a.event_id for a in agenda}
    titles = await _titles(session, room_ids)
    community_ids = {m.community_id for m in memberships} | {b.community_id for b in bans}
    community_ids |= {g.community_id for g in accepted} | {r.community_id for r in reports}
    community_ids |= {a.community_id for a in acts} | {e.community_id for e in created}
    community_ids |= {g.community_id for g in kept}
    places = await _communities(session, community_ids)
    others = await names(
        session, [*(b.blocked_key for b in blocks), *(a.subject_key for a in acts)]
    )
    poll_questions = await _poll_questions(session, answers)
    round_rooms = await _round_rooms(
        session, [*(s.round_id for s in seats), *(h.round_id for h in helps)]
    )

    def with_community(out: dict[str, Any]) -> dict[str, Any]:
        out["community"] = places.get(out["community_id"], {})
        return out

    def with_round(out: dict[str, Any]) -> dict[str, Any]:
        out["room_id"] = round_rooms.get(out["round_id"])
        return _in_room(out, titles)

    titles |= await _titles(session, round_rooms.values())
    failed = await _all(
        session,
        select(SignInAttempt)
        .where(SignInAttempt.key == sign_in_key(person.email))
        .order_by(SignInAttempt.at),
    )
    sessions = await _all(
        session,
        select(WebSession).where(WebSession.person_id == person_id).order_by(WebSession.created_at),
    )
    interests = await _all(
        session, select(Interest).where(Interest.person_id == person_id).order_by(Interest.tag)
    )
    return {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(),
        "profile": plain(person, omit=("password_hash", "feed_token", "deleted_at")),
        "interests": [plain(i, omit=("id", "person_id")) for i in interests],
        "sessions": [plain(s, omit=("token_hash", "person_id")) for s in sessions],
        "failed_sign_ins": [a.at.isoformat() for a in failed],
        "memberships": [with_community(plain(m, omit=("person_id",))) for m in memberships],
        "events_created": [
            _in_room({"event_id": e.id}, titles)
            | {"starts_at": e.starts_at.isoformat(), "community": places.get(e.community_id, {})}
            for e in created
        ],
        "speaking": [_in_room({"event_id": s.event_id}, titles) for s in speaking],
        "agenda_sessions": [
            _in_room(
                {"event_id": a.event_id, "title": a.title, "starts_at": a.starts_at.isoformat()},
                titles,
            )
            for a in agenda
        ],
        "registrations": [
            _in_room(
                plain(r, omit=("join_token", "person_id", "guest_name", "guest_email")),
                titles,
            )
            for r in registrations
        ],
        "guidelines_accepted": [with_community(plain(g)) for g in accepted],
        "chat_messages": [_in_room(plain(m), titles) for m in messages],
        "questions": [_in_room(plain(q), titles) for q in asked],
        "question_votes": [_in_room(plain(v), titles) for v in votes],
        "poll_answers": [
            _in_room(
                plain(a)
                | {
                    "value": _json(a.value),
                    "poll_question": poll_questions.get((a.room_id, a.poll_id), ""),
                },
                titles,
            )
            for a in answers
        ],
        "polls_created": [
            _in_room(plain(p) | {"options": _json(p.options)}, titles) for p in polls
        ],
        "raised_hands": [_in_room(plain(h), titles) for h in hands],
        "reports_filed": [
            with_community(_in_room(plain(r, omit=("subject_key", "handled_by_key")), titles))
            for r in reports
        ],
        "blocks": [
            {"blocked": others.get(b.blocked_key, ""), "created_at": b.created_at.isoformat()}
            for b in blocks
        ],
        "mutes": [_in_room(plain(m, omit=("by_key",)), titles) for m in mutes],
        "bans": [
            with_community(plain(b, omit=("by_key", "lifted_by_key", "email_digest"))) for b in bans
        ],
        "waiting_room": [_in_room(plain(w), titles) for w in waiting],
        "room_presence": [_in_room(plain(p), titles) for p in present],
        "breakout_rounds_created": [_in_room(plain(r), titles) for r in rounds],
        "breakout_seats": [with_round(plain(s)) for s in seats],
        "help_requests": [with_round(plain(h)) for h in helps],
        "breakout_messages": [plain(m) for m in group_chat],
        "study_groups_created": [with_community(plain(g)) for g in kept],
        "study_groups": [plain(g, omit=("person_id",)) for g in kept_in],
        **await mentorship_data.export(session, person_id),
        "moderation_actions": [
            with_community(
                _in_room(plain(a, omit=("subject_key",)), titles)
                | {"subject": others.get(a.subject_key or "", None), "detail": _json(a.detail)}
            )
            for a in acts
        ],
    }


async def _poll_questions(
    session: AsyncSession, answers: Sequence[PollAnswer]
) -> dict[tuple[int, int], str]:
    wanted = {(a.room_id, a.poll_id) for a in answers}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Poll.room_id, Poll.id, Poll.question).where(
            tuple_(Poll.room_id, Poll.id).in_(list(wanted))
        )
    )
    return {(r, i): q for r, i, q in rows}


async def _round_rooms(session: AsyncSession, round_ids: Iterable[int]) -> dict[int, int]:
    wanted = set(round_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(BreakoutRound.id, BreakoutRound.room_id).where(BreakoutRound.id.in_(wanted))
    )
    return {i: r for i, r in rows}
