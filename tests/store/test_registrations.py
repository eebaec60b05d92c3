from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest

from server.store import Store, communities, events, registrations
from server.store.events import EventRefused
from server.store.tables import Registration

from .test_events import SOON, make_community, make_people, spec


async def _queue(store: Store, event_id: int) -> list[Registration]:
    return await store.read(registrations.queue, event_id)


async def _going_count(store: Store, event_id: int) -> int:
    event = await store.read(events.event_by_id, event_id)
    assert event is not None
    return event.going_count


async def test_fifty_racing_for_ten_seats(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec(capacity=10))
    people = await make_people(store, 50)

    results = await asyncio.gather(
        *(store.write(registrations.register_person, event.id, p) for p in people)
    )

    assert sorted(r.status for r in results).count("going") == 10
    assert sorted(r.status for r in results).count("waitlisted") == 40
    assert await _going_count(store, event.id) == 10
    line = await _queue(store, event.id)
    assert len(line) == 50
    # The queue order is the order in which the event lock was taken: the first ten in it hold
    # the seats, the other forty wait behind them, every queued_at strictly later.
    assert [r.status for r in line] == ["going"] * 10 + ["waitlisted"] * 40
    assert all(a.queued_at < b.queued_at for a, b in itertools.pairwise(line))
    assert [r.id for r in line] == sorted(r.id for r in line)
    positions = [await store.read(registrations.waitlist_position, r) for r in line[10:]]
    assert positions == list(range(1, 41))

    leaving = line[3]
    assert leaving.person_id is not None
    await store.write(registrations.cancel_for_person, event.id, leaving.person_id)
    after = await _queue(store, event.id)
    assert [r.id for r in after if r.status == "going"] == sorted(
        [r.id for r in line[:10] if r.id != leaving.id] + [line[10].id]
    )
    assert [r.id for r in after if r.status == "waitlisted"] == [r.id for r in line[11:]]
    assert await _going_count(store, event.id) == 10
    # Every racer became a member of the open community on the way.
    assert await store.read(communities.role_of, community.id, people[0]) == "member"


async def test_racing_cancellations_and_registrations_keep_the_count(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec(capacity=5))
    people = await make_people(store, 20)
    for p in people[:10]:
        await store.write(registrations.register_person, event.id, p)
    await asyncio.gather(
        *(store.write(registrations.cancel_for_person, event.id, p) for p in people[:6]),
        *(store.write(registrations.register_person, event.id, p) for p in people[10:]),
    )
    line = await _queue(store, event.id)
    going = [r for r in line if r.status == "going"]
    assert len(going) == 5 == await _going_count(store, event.id)
    assert len(line) == 14
    assert line[:5] == going


async def test_registering_again_is_idempotent_and_rejoining_goes_to_the_back(
    store: Store,
) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec(capacity=1))
    a, b, c = await make_people(store, 3)
    first = await store.write(registrations.register_person, event.id, a)
    again = await store.write(registrations.register_person, event.id, a)
    assert (first.id, again.id, again.status) == (first.id, first.id, "going")
    assert (await store.write(registrations.register_person, event.id, b)).status == "waitlisted"
    assert (await store.write(registrations.register_person, event.id, c)).status == "waitlisted"

    # b leaves the waitlist and comes back: now behind c.
    await store.write(registrations.cancel_for_person, event.id, b)
    await store.write(registrations.register_person, event.id, b)
    assert [r.person_id for r in await _queue(store, event.id)] == [a, c, b]
    # a's seat goes to c, the front of the waitlist.
    await store.write(registrations.cancel_for_person, event.id, a)
    line = await _queue(store, event.id)
    assert [(r.person_id, r.status) for r in line] == [(c, "going"), (b, "waitlisted")]
    assert await _going_count(store, event.id) == 1


async def test_raising_capacity_promotes_the_waitlist(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec(capacity=1))
    for p in await make_people(store, 3):
        await store.write(registrations.register_person, event.id, p)
    await store.write(events.update_event, event.id, spec(capacity=None))
    assert {r.status for r in await _queue(store, event.id)} == {"going"}
    assert await _going_count(store, event.id) == 3


async def test_guests_get_a_personal_token(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec(capacity=1))
    guest = await store.write(
        registrations.register_guest, event.id, name="Grace", email="Grace@Example.org"
    )
    assert guest.status == "going" and len(guest.join_token) >= 32
    booking = await store.read(registrations.booking_by_token, guest.join_token)
    assert booking is not None and booking.event.id == event.id
    assert booking.registration.guest_email == "grace@example.org"
    with pytest.raises(EventRefused) as refused:
        await store.write(
            registrations.register_guest, event.id, name="Other", email="grace@example.org"
        )
    assert refused.value.reason == "conflict"

    await store.write(registrations.cancel_by_token, guest.join_token)
    again = await store.write(
        registrations.register_guest, event.id, name="Grace", email="grace@example.org"
    )
    assert again.join_token != guest.join_token
    assert await store.read(registrations.booking_by_token, guest.join_token) is None
    assert await store.read(registrations.booking_by_token, "short") is None


async def test_invite_only_refuses_outsiders(store: Store) -> None:
    owner, community = await make_community(store, join_policy="invite")
    event = await store.write(events.create_event, community.id, owner, spec())
    [stranger] = await make_people(store, 1)
    with pytest.raises(EventRefused) as refused:
        await store.write(registrations.register_person, event.id, stranger)
    assert refused.value.reason == "not_allowed"
    with pytest.raises(EventRefused):
        await store.write(registrations.register_guest, event.id, name="G", email="g@example.org")
    assert (await store.write(registrations.register_person, event.id, owner)).status == "going"


async def test_registration_closes_when_the_event_has_ended(store: Store) -> None:
    owner, community = await make_community(store)
    event = await store.write(events.create_event, community.id, owner, spec())
    with pytest.raises(EventRefused) as refused:
        await store.write(
            registrations.register_person, event.id, owner, now=SOON + timedelta(hours=2)
        )
    assert refused.value.reason == "closed"
    with pytest.raises(EventRefused) as missing:
        await store.write(registrations.register_person, 10**12, owner)
    assert missing.value.reason == "not_found"


async def test_a_person_sees_their_registrations(store: Store) -> None:
    owner, community = await make_community(store)
    one = await store.write(events.create_event, community.id, owner, spec(capacity=1))
    two = await store.write(
        events.create_event,
        community.id,
        owner,
        spec(
            title="Later",
            starts_at=SOON + timedelta(days=1),
            ends_at=SOON + timedelta(days=1, hours=1),
        ),
    )
    a, b = await make_people(store, 2)
    await store.write(registrations.register_person, one.id, a)
    for event_id in (two.id, one.id):
        await store.write(registrations.register_person, event_id, b)
    bookings = await store.read(registrations.registrations_of, b)
    assert [(x.event.id, x.registration.status, x.waitlist_position) for x in bookings] == [
        (one.id, "waitlisted", 1),
        (two.id, "going", None),
    ]
    people = await store.read(registrations.attendees, one.id)
    assert [(p.person_id, p.status) for p in people] == [(a, "going"), (b, "waitlisted")]
