from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, communities, event_directory, events, registrations
from server.store.calendar import meetings, room_is_open
from server.store.events import AgendaInput, EventInput, EventRefused
from server.store.tables import Community, Person

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)


async def _people(session: AsyncSession, count: int) -> list[int]:
    # Rows inserted directly: hashing 50 passwords would only slow the suite down.
    people = [
        Person(
            email=f"{secrets.token_hex(6)}@example.org",
            password_hash="not used",
            display_name=f"Learner {n:02d}",
            feed_token=secrets.token_urlsafe(24),
        )
        for n in range(count)
    ]
    session.add_all(people)
    await session.flush()
    return [p.id for p in people]


async def make_people(store: Store, count: int) -> list[int]:
    return await store.write(_people, count)


async def make_community(store: Store, join_policy: str = "open") -> tuple[int, Community]:
    [owner] = await make_people(store, 1)
    community = await store.write(
        communities.create_community,
        owner_id=owner,
        slug=f"c-{secrets.token_hex(4)}",
        name="Rustaceans",
        join_policy=join_policy,
    )
    return owner, community


def spec(**changes: object) -> EventInput:
    base = EventInput(
        kind="webinar",
        title="Ownership explained",
        starts_at=SOON,
        ends_at=SOON + timedelta(hours=1),
        timezone="Europe/Paris",
        description="Borrowing, *slowly*.",
        capacity=10,
        tags=("rust", "beginners"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_create_and_read_details(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(
        events.create_event, community.id, owner, spec(speaker_ids=(owner,), tags=("rust", "rust"))
    )
    details = await store.read(event_directory.event_details, event.id)
    assert details is not None
    assert details.event.title == "Ownership explained"
    assert details.event.starts_at == SOON and details.event.starts_at.tzinfo is not None
    assert details.event.series_ends_at == SOON + timedelta(hours=1)
    assert details.tags == ["rust"]
    assert [s.id for s in details.speakers] == [owner]
    assert details.community.slug == community.slug
    assert details.waitlist_count == 0
    assert await store.read(event_directory.event_details, 10**12) is None


async def test_speakers_must_be_members(store: Store) -> None:
    owner, community = await make_community(store)
    [stranger] = await make_people(store, 1)
    with pytest.raises(EventRefused) as refused:
        await store.write(events.create_event, community.id, owner, spec(speaker_ids=(stranger,)))
    assert refused.value.field == "speaker_ids"


async def test_conference_agenda_inside_the_span(store: Store) -> None:
    owner, community = await make_community(store)
    talk = AgendaInput("Lifetimes", SOON, SOON + timedelta(minutes=30), (owner,))
    event = await store.write(
        events.create_event, community.id, owner, spec(kind="conference", agenda=(talk,))
    )
    details = await store.read(event_directory.event_details, event.id)
    assert details is not None
    assert [(a.title, [s.id for s in a.speakers]) for a in details.agenda] == [
        ("Lifetimes", [owner])
    ]
    late = AgendaInput("Late", SOON + timedelta(minutes=50), SOON + timedelta(hours=2))
    with pytest.raises(EventRefused) as refused:
        await store.write(
            events.create_event, community.id, owner, spec(kind="conference", agenda=(late,))
        )
    assert refused.value.field == "agenda"
    with pytest.raises(EventRefused):
        await store.write(events.create_event, community.id, owner, spec(agenda=(talk,)))


async def test_update_replaces_parts_and_refuses_shrinking_below_going(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec(capacity=2))
    await store.write(events.update_event, event.id, spec(title="Renamed", tags=("async",)))
    details = await store.read(event_directory.event_details, event.id)
    assert details is not None
    assert (details.event.title, details.tags) == ("Renamed", ["async"])

    for person in await make_people(store, 2):
        await store.write(registrations.register_person, event.id, person)
    with pytest.raises(EventRefused) as refused:
        await store.write(events.update_event, event.id, spec(capacity=1))
    assert refused.value.field == "capacity"


async def test_study_group_series_keeps_local_time_across_dst(store: Store) -> None:
    owner, community = await make_community(store)
    # 18:00 in Paris on 2027-10-19 (UTC+2), five weeks: past the change to UTC+1 on 10-31.
    start = datetime(2027, 10, 19, 16, 0, tzinfo=UTC)
    data = spec(
        kind="study_group", starts_at=start, ends_at=start + timedelta(hours=1), weekly_count=5
    )
    event = await store.write(events.create_event, community.id, owner, data)
    series = meetings(event.starts_at, event.ends_at, event.timezone, event.weekly_count)
    assert [s.hour for s, _ in series] == [16, 16, 17, 17, 17]
    assert event.series_ends_at == datetime(2027, 11, 16, 18, 0, tzinfo=UTC)
    # Still listed after the first meeting, since more are to come.
    page = await store.read(
        event_directory.directory, community_id=community.id, now=start + timedelta(days=8)
    )
    assert [e.event.id for e in page.events] == [event.id]
    assert room_is_open(event, start + timedelta(weeks=1, minutes=-10))
    assert not room_is_open(event, start + timedelta(weeks=1, minutes=-20))
    assert not room_is_open(event, start + timedelta(weeks=5))


async def test_directory_filters_and_pages(store: Store) -> None:
    owner, community = await make_community(store)
    past = spec(
        title="Past",
        starts_at=SOON - timedelta(days=30),
        ends_at=SOON - timedelta(days=30, hours=-1),
    )
    await store.write(events.create_event, community.id, owner, past)
    made = []
    for n, kind in enumerate(["webinar", "workshop", "webinar"]):
        data = spec(
            title=f"E{n}",
            kind=kind,
            starts_at=SOON + timedelta(days=n),
            ends_at=SOON + timedelta(days=n, hours=1),
            tags=("rust",) if n != 1 else ("go",),
        )
        made.append(await store.write(events.create_event, community.id, owner, data))

    async def titles(**filters: object) -> list[str]:
        page = await store.read(event_directory.directory, community_id=community.id, **filters)  # type: ignore[arg-type]
        return [e.event.title for e in page.events]

    assert await titles() == ["E0", "E1", "E2"]
    assert await titles(tag="rust") == ["E0", "E2"]
    assert await titles(kind="workshop") == ["E1"]
    assert await titles(after=SOON + timedelta(days=1)) == ["E1", "E2"]
    assert await titles(before=SOON + timedelta(days=1)) == ["E0"]
    assert await titles(after=SOON - timedelta(days=40)) == ["Past", "E0", "E1", "E2"]
    first = await store.read(event_directory.directory, community_id=community.id, per_page=2)
    second = await store.read(
        event_directory.directory, community_id=community.id, per_page=2, page=2
    )
    assert first.has_more and not second.has_more
    assert [e.event.title for e in second.events] == ["E2"]
    assert first.events[0].tags == ["rust"]
