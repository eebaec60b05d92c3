"""Mentorship in the store, on SQLite and PostgreSQL: requests, suggestions, pairs, private
sessions that admit the two of them only, and feedback that makes a good past pair."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from server.store import (
    Store,
    breakouts,
    communities,
    event_directory,
    mentor_pairs,
    mentorship,
    registrations,
    room_access,
)
from server.store.accounts import InterestInput, update_profile
from server.store.breakouts import Here
from server.store.events import EventInput, EventRefused
from server.store.mentor_profiles import MentorshipRefused
from server.store.tables import Community
from tests.store.test_events import make_community, make_people

NOW = datetime.now(UTC).replace(microsecond=0)


async def _profile(store: Store, person: int, zone: str, *interests: tuple[str, str, bool]) -> None:
    await store.write(
        update_profile, person, display_name=f"P{person}", bio="", timezone=zone,
        interests=[InterestInput(*i) for i in interests],
    )  # fmt: skip


async def _community(store: Store, members: int) -> tuple[int, list[int]]:
    _, community = await make_community(store)
    people = await make_people(store, members)
    for person in people:
        await store.write(communities.join, community.id, person)
    return community.id, people


def _session(starts: datetime, weeks: int = 1) -> EventInput:
    return EventInput(
        kind="study_group", title="Lifetimes, slowly", starts_at=starts,
        ends_at=starts + timedelta(hours=1), timezone="Europe/Paris", weekly_count=weeks,
        tags=("rust",),
    )  # fmt: skip


async def test_suggestions_rank_by_level_and_time_zone(store: Store) -> None:
    community, (learner, near, far, closed) = await _community(store, 4)
    await _profile(store, learner, "Europe/Paris", ("rust", "beginner", False))
    await _profile(store, near, "Europe/Berlin", ("rust", "intermediate", True))
    await _profile(store, far, "Pacific/Auckland", ("rust", "experienced", True))
    await _profile(store, closed, "Europe/Paris", ("rust", "experienced", False))
    await store.write(mentorship.ask, community, learner, "rust", "Stuck on borrowing")
    board = await store.read(mentorship.board, community, learner)
    [mine] = board.mine
    assert mine.request.note == "Stuck on borrowing"
    # Not open to mentoring: never suggested. Berlin shares the whole waking day with Paris,
    # which outweighs Auckland's extra level.
    assert [m.mentor.id for m in mine.mentors] == [near, far]
    # The mentors see the request; the learner does not see it as one to take.
    assert [s.request.id for s in (await store.read(mentorship.board, community, near)).suited] == [
        mine.request.id
    ]
    assert board.suited == []
    assert (await store.read(mentorship.board, community, closed)).suited == []


async def test_a_mentor_who_passes_leaves_the_request_to_the_others(store: Store) -> None:
    community, (learner, near, far) = await _community(store, 3)
    await _profile(store, learner, "Europe/Paris", ("rust", "beginner", False))
    await _profile(store, near, "Europe/Berlin", ("rust", "intermediate", True))
    await _profile(store, far, "Pacific/Auckland", ("rust", "experienced", True))
    asked = await store.write(mentorship.ask, community, learner, "rust")

    await store.write(mentorship.pass_on, community, asked.id, near)
    await store.write(mentorship.pass_on, community, asked.id, near)  # twice is once
    assert (await store.read(mentorship.board, community, near)).suited == []
    far_board = await store.read(mentorship.board, community, far)
    assert [s.request.id for s in far_board.suited] == [asked.id]
    [mine] = (await store.read(mentorship.board, community, learner)).mine
    assert [m.mentor.id for m in mine.mentors] == [far]
    # The one who passed may still take it, if they change their mind before anyone else.
    pair = await store.write(mentor_pairs.accept, community, asked.id, near)
    assert pair.mentor_id == near

    for who, reason in ((learner, "invalid"), (far, "conflict")):
        with pytest.raises(MentorshipRefused) as refused:
            await store.write(mentorship.pass_on, community, asked.id, who)
        assert refused.value.reason == reason
    other_community, _ = await _community(store, 1)
    with pytest.raises(MentorshipRefused) as elsewhere:
        await store.write(mentorship.pass_on, other_community, asked.id, far)
    assert elsewhere.value.reason == "not_found"


async def test_one_open_request_per_interest(store: Store) -> None:
    community, (learner,) = await _community(store, 1)
    first = await store.write(mentorship.ask, community, learner, "rust")
    with pytest.raises(MentorshipRefused) as refused:
        await store.write(mentorship.ask, community, learner, "rust", "again")
    assert refused.value.reason == "conflict" and refused.value.field == "tag"
    # Nothing was lost: the first is still open, and another interest is fine.
    assert (await store.write(mentorship.ask, community, learner, "sql")).status == "open"
    await store.write(mentorship.withdraw, community, first.id, learner)
    again = await store.write(mentorship.ask, community, learner, "rust")
    assert again.id != first.id and again.status == "open"


async def test_two_tabs_asking_at_once_make_one_request(store: Store) -> None:
    community, (learner,) = await _community(store, 1)

    async def ask(note: str) -> str:
        try:
            return (await store.write(mentorship.ask, community, learner, "rust", note)).note
        except MentorshipRefused as err:
            return err.reason

    assert sorted(await asyncio.gather(ask("a"), ask("b"))) in (
        ["a", "conflict"],
        ["b", "conflict"],
    )
    [mine] = (await store.read(mentorship.board, community, learner)).mine
    assert mine.request.tag == "rust"


async def test_only_members_ask(store: Store) -> None:
    community, _ = await _community(store, 0)
    [outsider] = await make_people(store, 1)
    with pytest.raises(MentorshipRefused) as refused:
        await store.write(mentorship.ask, community, outsider, "rust")
    assert refused.value.reason == "not_allowed"


async def test_two_mentors_racing_make_one_pair(store: Store) -> None:
    community, (learner, a, b) = await _community(store, 3)
    for mentor in (a, b):
        await _profile(store, mentor, "UTC", ("rust", "experienced", True))
    asked = await store.write(mentorship.ask, community, learner, "rust")

    async def take(mentor: int) -> int | str:
        try:
            return (await store.write(mentor_pairs.accept, community, asked.id, mentor)).mentor_id
        except MentorshipRefused as err:
            return err.reason

    results = sorted(map(str, await asyncio.gather(take(a), take(b))))
    assert results in ([str(a), "conflict"], [str(b), "conflict"])
    [pair] = (await store.read(mentorship.board, community, learner)).pairs
    assert pair.pair.learner_id == learner and pair.pair.mentor_id in (a, b)
    assert (await store.read(mentorship.board, community, learner)).mine == []


async def test_accepting_needs_an_open_mentor(store: Store) -> None:
    community, (learner, keen) = await _community(store, 2)
    await _profile(store, keen, "UTC", ("rust", "beginner", False))
    asked = await store.write(mentorship.ask, community, learner, "rust")
    with pytest.raises(MentorshipRefused) as refused:
        await store.write(mentor_pairs.accept, community, asked.id, keen)
    assert refused.value.reason == "not_allowed"
    with pytest.raises(MentorshipRefused):
        await store.write(mentor_pairs.accept, community, asked.id, learner)


async def test_a_session_is_private_to_the_pair(store: Store) -> None:
    community, (learner, mentor, third) = await _community(store, 3)
    await _profile(store, mentor, "UTC", ("rust", "experienced", True))
    asked = await store.write(mentorship.ask, community, learner, "rust")
    pair = await store.write(mentor_pairs.accept, community, asked.id, mentor)
    event = await store.write(
        mentor_pairs.schedule, community, pair.id, learner, _session(NOW + timedelta(days=2))
    )
    assert event.private and event.kind == "study_group"
    # The two of them enter; the learner scheduled it, so the learner hosts.
    mine = await store.read(room_access.entry_for_person, event.id, learner)
    theirs = await store.read(room_access.entry_for_person, event.id, mentor)
    assert mine is not None and mine.role == "host"
    assert theirs is not None and theirs.role == "speaker"
    # A third member is refused, and so is the community's owner, who co-hosts public rooms.
    assert await store.read(room_access.entry_for_person, event.id, third) is None
    owner = (await store.read(communities.members_of, community))[0].person_id
    assert await store.read(room_access.entry_for_person, event.id, owner) is None
    # Nobody else can register, and the event is in no listing.
    with pytest.raises(EventRefused) as refused:
        await store.write(registrations.register_person, event.id, third)
    assert refused.value.reason == "not_found"
    with pytest.raises(EventRefused):
        await store.write(registrations.register_guest, event.id, name="G", email="g@example.org")
    listed = await store.read(event_directory.directory, community_id=community)
    assert event.id not in [row.event.id for row in listed.events]
    overview = await store.read(communities.overview, (await _slug(store, community)), third)
    assert overview is not None and event.id not in [e.id for e in overview.study_groups]
    # Outsiders of the pair cannot schedule for it.
    with pytest.raises(MentorshipRefused):
        await store.write(
            mentor_pairs.schedule, community, pair.id, third, _session(NOW + timedelta(days=3))
        )


async def _slug(store: Store, community_id: int) -> str:
    found = await store.read(lambda s: s.get(Community, community_id))
    assert found is not None
    return found.slug


async def test_both_saying_it_went_well_makes_a_good_pair(store: Store) -> None:
    community, (learner, mentor, other, newcomer) = await _community(store, 4)
    for m in (mentor, other):
        await _profile(store, m, "UTC", ("rust", "experienced", True))
    await _profile(store, learner, "UTC", ("rust", "beginner", False))
    asked = await store.write(mentorship.ask, community, learner, "rust")
    pair = await store.write(mentor_pairs.accept, community, asked.id, mentor)
    # Under way: the session began ten minutes ago.
    event = await store.write(
        mentor_pairs.schedule, community, pair.id, mentor, _session(NOW - timedelta(minutes=10))
    )
    with pytest.raises(MentorshipRefused) as early:
        await store.write(
            mentor_pairs.give_feedback,
            community,
            event.id,
            learner,
            True,
            now=NOW - timedelta(hours=1),
        )
    assert early.value.reason == "conflict"
    with pytest.raises(MentorshipRefused):
        await store.write(mentor_pairs.give_feedback, community, event.id, other, True)
    await store.write(mentor_pairs.give_feedback, community, event.id, learner, True)
    assert await store.read(mentor_pairs.good_pairs) == frozenset()  # one said so: not yet
    await store.write(mentor_pairs.give_feedback, community, event.id, mentor, False)
    assert await store.read(mentor_pairs.good_pairs) == frozenset()
    await store.write(
        mentor_pairs.give_feedback, community, event.id, mentor, True
    )  # changed their mind
    good = frozenset({frozenset({learner, mentor})})
    assert await store.read(mentor_pairs.good_pairs) == good
    assert await store.read(mentor_pairs.good_pairs, [newcomer]) == frozenset()
    view = await store.read(mentor_pairs.pair_view, community, pair.id, learner)
    assert view is not None and [s.my_feedback for s in view.sessions] == [True]
    assert await store.read(mentor_pairs.pair_view, community, pair.id, other) is None

    # The next time the learner asks, the mentor they worked well with comes first, although
    # the other mentor is just as experienced and as near.
    await store.write(mentorship.ask, community, learner, "rust")
    [mine] = (await store.read(mentorship.board, community, learner)).mine
    assert [m.mentor.id for m in mine.mentors] == [mentor, other]
    assert "worked well together before" in mine.mentors[0].reasons


async def test_breakouts_know_who_worked_well_together(store: Store) -> None:
    community, (learner, mentor, other) = await _community(store, 3)
    await _profile(store, mentor, "UTC", ("rust", "experienced", True))
    asked = await store.write(mentorship.ask, community, learner, "rust")
    pair = await store.write(mentor_pairs.accept, community, asked.id, mentor)
    event = await store.write(
        mentor_pairs.schedule, community, pair.id, mentor, _session(NOW - timedelta(minutes=5))
    )
    for person in (learner, mentor):
        await store.write(mentor_pairs.give_feedback, community, event.id, person, True)
    here = [Here(f"p{p}", f"x{p}", f"P{p}", "attendee") for p in (learner, mentor, other)]
    found = {p.member: p for p in await store.read(breakouts.learners, here)}
    assert found[f"x{learner}"].worked_well_with == {f"x{mentor}"}
    assert found[f"x{mentor}"].worked_well_with == {f"x{learner}"}
    assert found[f"x{other}"].worked_well_with == frozenset()
    assert found[f"x{mentor}"].mentoring == {"rust"}


async def test_ending_a_pair_frees_its_sessions_to_come_and_keeps_the_past(store: Store) -> None:
    community, (learner, mentor, third) = await _community(store, 3)
    await _profile(store, mentor, "UTC", ("rust", "experienced", True))
    asked = await store.write(mentorship.ask, community, learner, "rust")
    pair = await store.write(mentor_pairs.accept, community, asked.id, mentor)

    async def scheduled(starts: datetime, weeks: int = 1) -> int:
        event = await store.write(
            mentor_pairs.schedule, community, pair.id, learner, _session(starts, weeks)
        )
        return event.id

    past = await scheduled(NOW - timedelta(minutes=5))
    weekly = await scheduled(NOW + timedelta(days=1), weeks=4)
    later = await scheduled(NOW + timedelta(days=10))
    await store.write(mentor_pairs.give_feedback, community, past, mentor, True)
    with pytest.raises(MentorshipRefused) as outsider:
        await store.write(mentor_pairs.end, community, pair.id, third)
    assert outsider.value.reason == "not_found"

    # Ended a week on: the weekly series still has meetings to come, so it goes too.
    when = NOW + timedelta(days=8)
    ended = await store.write(mentor_pairs.end, community, pair.id, learner, now=when)
    assert ended.ended_at == when and ended.ended_by == learner
    for event_id, status in ((past, "going"), (weekly, "cancelled"), (later, "cancelled")):
        for person in (learner, mentor):
            found = await store.read(registrations.registration_of, event_id, person)
            assert found is not None and found.status == status, (event_id, person)
    view = await store.read(mentor_pairs.pair_view, community, pair.id, mentor)
    assert view is not None and view.pair.ended_at == when
    assert len(view.sessions) == 3  # listed still; the past one keeps what was said
    assert [s.my_feedback for s in view.sessions] == [True, None, None]

    with pytest.raises(MentorshipRefused) as again:
        await store.write(mentor_pairs.end, community, pair.id, mentor)
    assert again.value.reason == "conflict"
    with pytest.raises(MentorshipRefused) as more:
        await scheduled(NOW + timedelta(days=20))
    assert more.value.reason == "conflict" and "ended" in str(more.value)
    # The learner may ask again, and the new pair starts afresh.
    asked_again = await store.write(mentorship.ask, community, learner, "rust")
    fresh = await store.write(mentor_pairs.accept, community, asked_again.id, mentor)
    assert fresh.ended_at is None
