"""Export and deletion of a person's data in the store, on SQLite and PostgreSQL.

One person gets a row in every table that can hold one of theirs, through the store's own
functions where there is one; the export must hold each, and after deletion no text column
of any table may carry their name or email.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.rooms.deleted_accounts import DELETED_NAME
from server.rooms.members import email_digest, member_id
from server.store import (
    Store,
    account_deletion,
    accounts,
    audit_record,
    communities,
    events,
    mentor_pairs,
    mentorship,
    moderation,
    personal_data,
    presence,
    registrations,
    reports,
    room_door,
    rooms,
)
from server.store.breakout_tables import (
    BreakoutGroup,
    BreakoutMessage,
    BreakoutRound,
    BreakoutSeat,
    HelpRequest,
    StudyGroup,
    StudyGroupMember,
)
from server.store.moderation_tables import AuditRecord, Ban, Block
from server.store.room_tables import (
    ChatMessage,
    Poll,
    PollAnswer,
    Question,
    QuestionVote,
    RaisedHand,
    RoomEvent,
)
from server.store.rooms import Speaker
from server.store.tables import Base, Person, utcnow
from tests.live.support import Seeded, seed

SECRET = "a secret for member ids"
PASSWORD = "pppppppppppp"  # what tests/live/support.py gives everyone it seeds

# Every table, and the part of the export that holds the person's rows of it. A table added
# later fails this test until someone decides where its rows of a person go.
EXPORTED = {
    "people": "profile",
    "interests": "interests",
    "web_sessions": "sessions",
    "sign_in_attempts": "failed_sign_ins",
    "memberships": "memberships",
    "events": "events_created",
    "event_speakers": "speaking",
    "agenda_items": "agenda_sessions",
    "registrations": "registrations",
    "guidelines_accepted": "guidelines_accepted",
    "chat_messages": "chat_messages",
    "questions": "questions",
    "question_votes": "question_votes",
    "polls": "polls_created",
    "poll_answers": "poll_answers",
    "raised_hands": "raised_hands",
    "reports": "reports_filed",
    "blocks": "blocks",
    "mutes": "mutes",
    "bans": "bans",
    "room_waiting": "waiting_room",
    "room_presence": "room_presence",
    "breakout_rounds": "breakout_rounds_created",
    "breakout_seats": "breakout_seats",
    "help_requests": "help_requests",
    "audit_log": "moderation_actions",
    "breakout_messages": "breakout_messages",
    "study_groups": "study_groups_created",
    "study_group_members": "study_groups",
    "mentorship_requests": "mentorship_requests",
    "mentor_pairs": "mentor_pairs",
    "mentorship_passes": "mentorship_passes",
    "session_feedback": "session_feedback",
}
# Tables that hold nothing of a person: the room log repeats rows above (and is rewritten
# on deletion), the rest belong to communities, events or workers.
NOT_A_PERSONS = {
    "communities",
    "event_tags",
    "rooms",
    "room_events",
    "workers",
    "breakout_groups",
    "breakout_note_versions",  # the group's shared text, with no author
    "pair_sessions",  # links a pair to an event; the pair and the registrations hold the people
}


@dataclass
class Zed:
    """The person whose data it is, and the room where they left it."""

    id: int
    key: str
    member: str
    name: str
    email: str
    room: Seeded


async def _seed_zed(store: Store, db_url: str) -> Zed:
    room = await seed(db_url, attendees=1)
    name = f"Zephyrine Quill {secrets.token_hex(3)}"
    email = f"zq-{secrets.token_hex(4)}@example.org"
    event_id = room.event_id

    async def make(session: AsyncSession) -> Zed:
        person = await accounts.create_person(
            session, email=email, password=PASSWORD, display_name=name
        )
        key = f"p{person.id}"
        member = member_id(SECRET, event_id, key)
        return Zed(person.id, key, member, name, email, room)

    zed = await store.write(make)
    community = await store.read(_community_of, event_id)
    host_key = f"p{room.host.person_id}"
    host = Speaker(host_key, member_id(SECRET, event_id, host_key), room.host.name, "host")
    other = room.attendees[0]
    other_key = f"p{other.person_id}"
    other_member = member_id(SECRET, event_id, other_key)
    me = Speaker(zed.key, zed.member, name, "attendee")
    target = moderation.Target(zed.key, zed.member, name, "attendee")

    async def profile(session: AsyncSession) -> None:
        await accounts.update_profile(
            session,
            zed.id,
            display_name=name,
            bio="Learning Rust",
            timezone="Europe/Paris",
            interests=[accounts.InterestInput("rust", "beginner", True)],
        )
        await accounts.start_session(session, zed.id)
        await accounts.record_failed_sign_in(session, [personal_data.sign_in_key(email)])
        await communities.join(session, community, zed.id)
        await registrations.register_person(session, event_id, zed.id)

    async def speak(session: AsyncSession) -> None:
        now = utcnow()
        talk = events.EventInput(
            kind="conference",
            title="Zed's talk",
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=1),
            timezone="UTC",
            speaker_ids=(zed.id,),
            agenda=(
                events.AgendaInput(
                    "Opening",
                    now + timedelta(days=1),
                    now + timedelta(days=1, minutes=10),
                    (zed.id,),
                ),
            ),
        )
        await events.create_event(session, community, zed.id, talk)

    async def in_room(session: AsyncSession) -> None:
        await rooms.ensure_room(session, event_id)
        await presence.move(
            session, event_id, "w1", [presence.Arrival(zed.member, name, "attendee", zed.key)], []
        )
        await rooms.send_chat(session, event_id, me, "c1", "Hello from Zed", None, False)
        await rooms.send_chat(session, event_id, host, "c2", "Welcome", None, False)
        await rooms.append(
            session,
            event_id,
            "all",
            "question.asked",
            question={"id": 1, "body": "Why lifetimes?", "author": zed.member, "author_name": name},
        )
        session.add(
            Question(
                room_id=event_id,
                id=1,
                author_key=zed.key,
                author_member=zed.member,
                author_name=name,
                body="Why lifetimes?",
                state="open",
            )
        )
        session.add(
            Question(
                room_id=event_id,
                id=2,
                author_key=other_key,
                author_member=other_member,
                author_name=other.name,
                body="And traits?",
                state="open",
            )
        )
        await session.flush()
        session.add(QuestionVote(room_id=event_id, question_id=2, member=zed.member))
        session.add(
            Poll(
                room_id=event_id,
                id=1,
                kind="single",
                question="Next topic?",
                options='["Traits", "Macros"]',
                created_by=host.member,
                state="open",
            )
        )
        session.add(
            Poll(
                room_id=event_id,
                id=2,
                kind="word",
                question="One word?",
                created_by=zed.member,
                state="draft",
            )
        )
        await session.flush()
        session.add(
            PollAnswer(room_id=event_id, poll_id=1, member=zed.member, name=name, value="1")
        )
        session.add(RaisedHand(room_id=event_id, member=zed.member, raised_seq=3))
        await moderation.accept_guidelines(session, community, zed.key)

    async def moderate(session: AsyncSession) -> None:
        about_other = reports.Reported(None, other_key, other_member, other.name, "")
        await reports.report(session, community, event_id, me, "person", about_other, "Rude")
        about_zed = reports.Reported(None, zed.key, zed.member, name, name)
        they = Speaker(other_key, other_member, other.name, "attendee")
        await reports.report(session, community, event_id, they, "name", about_zed, "A name?")
        session.add(Block(person_key=zed.key, blocked_key=other_key))
        await moderation.mute(
            session, event_id, community, host, target, utcnow() + timedelta(minutes=5), "Cool down"
        )
        await moderation.ban(
            session, community, event_id, host, target, "Spam", email_digest(SECRET, email)
        )
        await audit_record.audit(session, community, event_id, zed.key, "slow_mode", seconds=5)
        # After the ban, which sends them away from the door too.
        await room_door.wait(session, event_id, zed.key, zed.member, name)
        breakout = BreakoutRound(
            room_id=event_id, mode="choice", minutes=10, created_by_key=zed.key
        )
        session.add(breakout)
        await session.flush()
        group = BreakoutGroup(round_id=breakout.id, position=1, name="Traits")
        session.add(group)
        await session.flush()
        session.add(
            BreakoutSeat(
                round_id=breakout.id,
                person_key=zed.key,
                group_id=group.id,
                member=zed.member,
                name=name,
            )
        )
        session.add(
            HelpRequest(
                round_id=breakout.id,
                number=1,
                group_id=group.id,
                person_key=zed.key,
                member=zed.member,
                name=name,
                note="Stuck",
            )
        )
        session.add(
            BreakoutMessage(
                group_id=group.id,
                client_id="g1",
                author_key=zed.key,
                author_member=zed.member,
                author_name=name,
                author_role="attendee",
                body="In the group",
            )
        )
        kept = StudyGroup(
            community_id=community,
            name="Traits club",
            from_group_id=group.id,
            created_by_key=zed.key,
        )
        session.add(kept)
        await session.flush()
        session.add(StudyGroupMember(study_group_id=kept.id, person_id=zed.id))

    async def mentored(session: AsyncSession) -> None:
        mentor = room.host.person_id
        await accounts.update_profile(
            session, mentor, display_name=room.host.name, bio="", timezone="UTC",
            interests=[accounts.InterestInput("rust", "experienced", True)],
        )  # fmt: skip
        asked = await mentorship.ask(session, community, zed.id, "rust", f"{name} is stuck")
        pair = await mentor_pairs.accept(session, community, asked.id, mentor)
        starts = utcnow() - timedelta(minutes=5)
        data = events.EventInput(
            kind="study_group", title="Pairing", starts_at=starts,
            ends_at=starts + timedelta(hours=1), timezone="UTC", weekly_count=1,
        )  # fmt: skip
        session_event = await mentor_pairs.schedule(session, community, pair.id, zed.id, data)
        await mentor_pairs.give_feedback(session, community, session_event.id, zed.id, True)
        theirs = await mentorship.ask(session, community, mentor, "sql", "Joins")
        await mentorship.pass_on(session, community, theirs.id, zed.id)

    for step in (profile, speak, in_room, moderate, mentored):
        await store.write(step)
    return zed


async def _community_of(session: AsyncSession, event_id: int) -> int:
    return await moderation.community_of(session, event_id)


@pytest.fixture
async def zed(store: Store, db_url: str) -> Zed:
    return await _seed_zed(store, db_url)


def test_every_table_is_either_exported_or_holds_nothing_of_a_person() -> None:
    tables = set(Base.metadata.tables)
    assert tables == set(EXPORTED) | NOT_A_PERSONS, "decide where the new table's rows go"


async def test_the_export_holds_a_row_of_every_table(store: Store, zed: Zed) -> None:
    data = await store.read(personal_data.export, zed.id, SECRET)
    assert data is not None and data["format"] == personal_data.FORMAT
    for table, part in EXPORTED.items():
        assert data[part], f"nothing of {table} in {part}"
    assert data["profile"]["email"] == zed.email and data["profile"]["display_name"] == zed.name
    assert "password_hash" not in data["profile"] and "feed_token" not in data["profile"]
    assert all("token_hash" not in s for s in data["sessions"])
    assert data["interests"][0]["tag"] == "rust"
    assert data["registrations"][0]["status"] == "going"
    assert "join_token" not in data["registrations"][0]
    assert [m["body"] for m in data["chat_messages"]] == ["Hello from Zed"]
    assert [q["body"] for q in data["questions"]] == ["Why lifetimes?"]
    assert data["question_votes"][0]["question_id"] == 2
    assert data["poll_answers"][0]["value"] == 1
    assert data["poll_answers"][0]["poll_question"] == "Next topic?"
    assert [r["reason"] for r in data["reports_filed"]] == ["Rude"]  # not the one about them
    assert data["blocks"] == [
        {"blocked": zed.room.attendees[0].name, "created_at": data["blocks"][0]["created_at"]}
    ]
    assert [a["action"] for a in data["moderation_actions"]] == ["slow_mode"]
    assert data["breakout_seats"][0]["event_title"] == "Intro to Rust"
    assert data["agenda_sessions"][0]["title"] == "Opening"
    assert data["mentorship_requests"][0]["note"] == f"{zed.name} is stuck"
    assert data["mentor_pairs"][0]["role"] == "learner"
    assert data["session_feedback"][0]["went_well"] is True
    # Other people appear by display name, never by key or account id.
    others = [f"p{s.person_id}" for s in (zed.room.host, *zed.room.attendees)]
    text = json.dumps(data)
    assert not any(f'"{key}"' in text for key in others)
    assert "email_digest" not in text


async def _texts_carrying(store: Store, *needles: str) -> list[str]:
    """Every (table.column) whose value anywhere contains one of these, case-insensitive."""

    async def scan(session: AsyncSession) -> list[str]:
        found = []
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text):
                    continue
                for needle in needles:
                    hit = func.lower(column).contains(needle.lower())
                    if await session.scalar(select(func.count()).select_from(table).where(hit)):
                        found.append(f"{table.name}.{column.name} has {needle!r}")
        return found

    return await store.read(scan)


async def test_after_deletion_no_row_carries_the_name_or_email(store: Store, zed: Zed) -> None:
    assert await _texts_carrying(store, zed.name, zed.email)  # the scan does find them
    deleted = await store.write(account_deletion.delete_account, zed.id, PASSWORD, SECRET)
    assert deleted.key == zed.key
    assert await _texts_carrying(store, zed.name, zed.email) == []

    async def after(session: AsyncSession) -> dict[str, Any]:
        messages = await session.execute(
            select(ChatMessage.author_name, ChatMessage.body).order_by(ChatMessage.id)
        )
        asked = await session.get_one(Question, (zed.room.event_id, 1))
        person = await session.get_one(Person, zed.id)
        bans = await session.scalars(select(Ban).where(Ban.person_key == zed.key))
        audit = await session.scalars(
            select(AuditRecord.action).where(AuditRecord.subject_key == zed.key)
        )
        logs = await session.scalars(
            select(RoomEvent.body).where(RoomEvent.room_id == zed.room.event_id)
        )
        votes = await session.scalar(select(func.count()).select_from(QuestionVote))
        return {
            "messages": list(messages),
            "asked": asked.author_name,
            "person": person,
            "bans": list(bans),
            "audit": sorted(audit),
            "logs": list(logs),
            "votes": votes,
        }

    seen = await store.read(after)
    assert seen["messages"] == [(DELETED_NAME, "Hello from Zed"), (zed.room.host.name, "Welcome")]
    assert seen["asked"] == DELETED_NAME and seen["votes"] == 1  # tallies stay
    assert seen["person"].deleted_at is not None and seen["person"].password_hash == ""
    assert len(seen["bans"]) == 1 and seen["bans"][0].email_digest  # the ban holds
    assert seen["audit"] == ["ban", "mute"]  # the log keeps its pseudonymous key
    chat = [json.loads(b) for b in seen["logs"] if '"chat.message"' in b]
    assert chat[0]["message"]["author"]["name"] == DELETED_NAME
    assert chat[0]["message"]["body"] == "Hello from Zed"
    assert await store.read(accounts.check_password, zed.email, PASSWORD) is None
    assert await store.read(accounts.person_by_id, zed.id) is None
    assert await store.read(personal_data.export, zed.id, SECRET) is None
    # The banned email stays banned for a new account; the new account gets a new id.
    again = await store.write(
        accounts.create_person, email=zed.email, password=PASSWORD, display_name="Zed again"
    )
    assert again.id != zed.id
    community = await store.read(_community_of, zed.room.event_id)
    digest = email_digest(SECRET, zed.email)
    assert await store.read(moderation.banned, community, f"p{again.id}", digest)


async def test_a_wrong_password_deletes_nothing(store: Store, zed: Zed) -> None:
    with pytest.raises(account_deletion.WrongPassword):
        await store.write(account_deletion.delete_account, zed.id, "not the password", SECRET)
    data = await store.read(personal_data.export, zed.id, SECRET)
    assert data is not None and data["profile"]["display_name"] == zed.name


async def test_the_only_owner_of_a_community_passes_it_on_first(store: Store, zed: Zed) -> None:
    host = zed.room.host.person_id
    community = await store.read(_community_of, zed.room.event_id)
    slug = f"z-{secrets.token_hex(3)}"
    mine = await store.write(
        communities.create_community, owner_id=zed.id, slug=slug, name="Zed's club"
    )
    with pytest.raises(account_deletion.OwnsCommunities) as refused:
        await store.write(account_deletion.delete_account, zed.id, PASSWORD, SECRET)
    assert refused.value.names == ["Zed's club"]
    # A co-owned community is no obstacle: the first community has its host as an owner.
    await store.write(
        communities.change_role, community, actor_id=host, person_id=zed.id, role="owner"
    )
    await store.write(communities.join, mine.id, host)
    await store.write(
        communities.change_role, mine.id, actor_id=zed.id, person_id=host, role="owner"
    )
    await store.write(account_deletion.delete_account, zed.id, PASSWORD, SECRET)
    assert await store.read(communities.role_of, mine.id, host) == "owner"
    assert await store.read(communities.role_of, mine.id, zed.id) is None
