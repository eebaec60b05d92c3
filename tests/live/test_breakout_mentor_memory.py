"""Breakout mentor pairing in a live room remembers mentorships that went well: a learner who
worked well with one of the room's mentors is seated in that mentor's group."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, mentor_pairs, mentorship
from server.store.accounts import InterestInput, update_profile
from server.store.events import EventInput
from server.store.tables import Event, utcnow
from tests.live.conftest import db_url_of
from tests.live.support import Seeded, me, seed
from tests.live.test_breakouts import joined, of
from tests.servers import Server


async def _worked_well(store: Store, event_id: int, learner: int, mentor: int) -> None:
    """A finished mentorship between the two, with a session both said went well."""
    found = await store.read(lambda s: s.get(Event, event_id))
    assert found is not None
    community = found.community_id
    asked = await store.write(mentorship.ask, community, learner, "rust")
    pair = await store.write(mentor_pairs.accept, community, asked.id, mentor)
    starts = utcnow() - timedelta(minutes=50)
    data = EventInput(
        kind="study_group", title="Ownership", starts_at=starts,
        ends_at=starts + timedelta(hours=1), timezone="UTC", weekly_count=1,
    )  # fmt: skip
    session = await store.write(mentor_pairs.schedule, community, pair.id, learner, data)
    for person in (learner, mentor):
        await store.write(mentor_pairs.give_feedback, community, session.id, person, True)


async def test_a_learner_sits_with_the_mentor_they_worked_well_with(server: Server) -> None:
    room: Seeded = await seed(db_url_of(server), attendees=4)
    first_mentor, second_mentor, learner, _ = room.attendees
    store = Store(db_url_of(server))
    try:
        for someone in (first_mentor, second_mentor):

            async def experienced(session: AsyncSession, who: int = someone.person_id) -> None:
                await update_profile(
                    session, who, display_name=f"Mentor {who}", bio="", timezone="UTC",
                    interests=[InterestInput("rust", "experienced", True)],
                )  # fmt: skip

            await store.write(experienced)
        await _worked_well(store, room.event_id, learner.person_id, second_mentor.person_id)
    finally:
        await store.close()

    host = await joined(server, room.host.cookie, room.event_id)
    people = [await joined(server, a.cookie, room.event_id) for a in room.attendees]
    groups = [{"name": "Borrowing", "topic": "rust"}, {"name": "Traits", "topic": "rust"}]
    planned = await host.send("breakout.plan", mode="mentor", minutes=15, groups=groups)
    assert planned["type"] == "ack", planned
    await people[2].wait_for(lambda: bool(of(people[2], "breakout.planned")))
    round_ = of(people[2], "breakout.planned")[0]["round"]
    where = {m["id"]: g["name"] for g in round_["groups"] for m in g["members"]}
    ids = [me(p) for p in people]
    # One mentor in each group of two; whichever group the second mentor got, the learner
    # who worked well with them sits there, and the other learner with the first mentor.
    assert where[ids[0]] != where[ids[1]]
    assert where[ids[2]] == where[ids[1]]
    assert where[ids[3]] == where[ids[0]]
    for c in (host, *people):
        await c.close()
