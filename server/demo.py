"""`studyhall demo`: a sample community with events of every kind and a few members.

Everyone's password is printed at the end, so a newcomer can sign in as a host or a learner.
Running it twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from server.settings import Settings
from server.store import Store, accounts, communities, events, registrations
from server.store.events import AgendaInput, EventInput
from server.store.tables import utcnow

SLUG = "rust-learners"
PASSWORD = "studyhall-demo"  # noqa: S105 - the demo's password is meant to be printed
PEOPLE = [
    ("grace@demo.studyhall", "Grace (host)", [("rust", "experienced", True)]),
    (
        "linus@demo.studyhall",
        "Linus",
        [("rust", "intermediate", True), ("c", "experienced", False)],
    ),
    ("ada@demo.studyhall", "Ada", [("rust", "beginner", False)]),
    ("tim@demo.studyhall", "Tim", [("rust", "beginner", False), ("python", "experienced", True)]),
    ("maya@demo.studyhall", "Maya", [("webassembly", "beginner", False)]),
]
GUIDELINES = """Be kind: everyone here was a beginner once.

- Ask any question; there are no silly ones.
- Critique code, never people.
- Keep private what people share in study groups.
"""


def _at(now: datetime, days: int, hour: int, minutes: int = 0) -> datetime:
    day = (now + timedelta(days=days)).replace(hour=hour, minute=minutes, second=0, microsecond=0)
    return day


def _events(now: datetime, speaker: int) -> list[EventInput]:
    soon = now.replace(second=0, microsecond=0) + timedelta(minutes=10)
    conference_day = _at(now, 21, 9)
    return [
        EventInput(kind="webinar", title="Ownership and borrowing, live", starts_at=soon,
                   ends_at=soon + timedelta(hours=1), timezone="UTC", capacity=100,
                   description="A live tour of **ownership** with questions at the end.",
                   tags=("rust", "beginner"), speaker_ids=(speaker,)),
        EventInput(kind="workshop", title="Hands-on: build a CLI in Rust",
                   starts_at=_at(now, 3, 17), ends_at=_at(now, 3, 19), timezone="UTC",
                   capacity=12, description="Bring a laptop with `cargo` installed.",
                   tags=("rust", "cli")),
        EventInput(kind="conference", title="RustLearn Day", starts_at=conference_day,
                   ends_at=conference_day + timedelta(hours=7), timezone="Europe/Berlin",
                   capacity=300, tags=("rust", "conference"),
                   agenda=(AgendaInput("Opening", conference_day,
                                       conference_day + timedelta(minutes=30), (speaker,)),
                           AgendaInput("Async Rust without tears",
                                       conference_day + timedelta(hours=1),
                                       conference_day + timedelta(hours=2), (speaker,)))),
        EventInput(kind="study_group", title="Rust Book study group", starts_at=_at(now, 2, 18),
                   ends_at=_at(now, 2, 19), timezone="UTC", weekly_count=8,
                   description="A chapter a week, together.", tags=("rust", "book")),
        EventInput(kind="meetup", title="Rust & coffee in Lisbon", starts_at=_at(now, 10, 10),
                   ends_at=_at(now, 10, 12), timezone="Europe/Lisbon", attendance="hybrid",
                   venue="Café Central", address="Rua Augusta 1, Lisbon", capacity=20,
                   tags=("rust", "meetup")),
    ]  # fmt: skip


async def _seed(session: AsyncSession) -> str:
    if await communities.community_by_slug(session, SLUG) is not None:
        return f"studyhall: the demo community exists already at /c/{SLUG}"
    people = []
    for email, name, interests in PEOPLE:
        person = await accounts.create_person(
            session, email=email, password=PASSWORD, display_name=name
        )
        await accounts.update_profile(
            session, person.id, display_name=name, bio="", timezone="UTC",
            interests=[accounts.InterestInput(*i) for i in interests],
        )  # fmt: skip
        people.append(person)
    host = people[0]
    community = await communities.create_community(
        session, owner_id=host.id, slug=SLUG, name="Rust Learners",
        description="People teaching themselves **Rust**, together.", guidelines=GUIDELINES,
    )  # fmt: skip
    for person in people[1:]:
        await communities.join(session, community.id, person.id)
    created = [
        await events.create_event(session, community.id, host.id, data)
        for data in _events(utcnow(), people[1].id)
    ]
    for person in people[2:]:
        for event in created[:2]:
            await registrations.register_person(session, event.id, person.id)
    lines = [f"studyhall: seeded /c/{SLUG} with {len(created)} events and {len(people)} people."]
    lines += [f"  sign in as {email} / {PASSWORD}" for email, _, _ in PEOPLE[:3]]
    return "\n".join(lines)


async def seed(settings: Settings) -> str:
    store = Store(settings.database_url)
    try:
        return await store.write(_seed)
    finally:
        await store.close()
