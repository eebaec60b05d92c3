from __future__ import annotations

from sqlalchemy import func, select

from server.demo import SLUG, _seed
from server.store import Store, communities
from server.store.tables import Event


async def test_demo_seeds_every_kind_once(store: Store) -> None:
    first = await store.write(_seed)
    assert "seeded" in first
    again = await store.write(_seed)
    assert "exists already" in again
    community = await store.read(communities.community_by_slug, SLUG)
    assert community is not None
    kinds = await store.read(lambda s: s.scalars(select(Event.kind)))
    assert sorted(set(kinds)) == ["conference", "meetup", "study_group", "webinar", "workshop"]
    count = await store.read(lambda s: s.scalar(select(func.count()).select_from(Event)))
    assert count == 5
