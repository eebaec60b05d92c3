from __future__ import annotations

import dataclasses
import secrets
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, accounts, communities
from server.store.tables import Community, Event, utcnow


async def _person(store: Store, name: str) -> int:
    person = await store.write(
        accounts.create_person,
        email=f"{secrets.token_hex(4)}@example.org",
        password="p" * 10,
        display_name=name,
    )
    return person.id


async def _community(store: Store, owner: int, slug: str = "rustaceans", **kw: Any) -> Community:
    return await store.write(
        communities.create_community, owner_id=owner, slug=slug, name="Rustaceans", **kw
    )


async def test_create_makes_the_creator_owner(store: Store) -> None:
    ada = await _person(store, "Ada")
    created = await _community(store, ada, description="We learn Rust.")
    found = await store.read(communities.community_by_slug, "rustaceans")
    assert found is not None and found.id == created.id
    assert found.description == "We learn Rust."
    assert found.join_policy == "open"
    assert await store.read(communities.role_of, created.id, ada) == "owner"
    listing = await store.read(communities.list_communities)
    assert [(item.community.slug, item.member_count) for item in listing] == [("rustaceans", 1)]


async def test_duplicate_slug_is_refused(store: Store) -> None:
    ada = await _person(store, "Ada")
    await _community(store, ada)
    with pytest.raises(communities.SlugTaken):
        await _community(store, ada)
    assert len(await store.read(communities.list_communities)) == 1


async def test_join_an_open_community(store: Store) -> None:
    ada, bo = await _person(store, "Ada"), await _person(store, "Bo")
    community = await _community(store, ada)
    member, joined = await store.write(communities.join, community.id, bo)
    assert joined and member.role == "member" and member.display_name == "Bo"
    # Joining again changes nothing and says so.
    member, joined = await store.write(communities.join, community.id, bo)
    assert not joined and member.role == "member"
    assert await store.read(communities.member_count, community.id) == 2


async def test_join_by_invite_needs_the_right_code(store: Store) -> None:
    ada, bo = await _person(store, "Ada"), await _person(store, "Bo")
    community = await _community(store, ada, join_policy="invite")
    with pytest.raises(communities.InviteRequired):
        await store.write(communities.join, community.id, bo)
    with pytest.raises(communities.WrongInviteCode):
        await store.write(communities.join, community.id, bo, "not-the-code")
    with pytest.raises(communities.WrongInviteCode):
        await store.write(communities.join, community.id, bo, "é" * 22)
    assert await store.read(communities.role_of, community.id, bo) is None
    _, joined = await store.write(communities.join, community.id, bo, community.invite_code)
    assert joined
    assert await store.read(communities.role_of, community.id, bo) == "member"


async def test_new_invite_code_retires_the_old_one(store: Store) -> None:
    ada, bo = await _person(store, "Ada"), await _person(store, "Bo")
    community = await _community(store, ada, join_policy="invite")
    code = await store.write(communities.new_invite_code, community.id)
    assert code != community.invite_code
    with pytest.raises(communities.WrongInviteCode):
        await store.write(communities.join, community.id, bo, community.invite_code)
    _, joined = await store.write(communities.join, community.id, bo, code)
    assert joined


async def test_the_last_owner_can_neither_leave_nor_be_demoted(store: Store) -> None:
    ada, bo = await _person(store, "Ada"), await _person(store, "Bo")
    community = await _community(store, ada)
    await store.write(communities.join, community.id, bo)
    with pytest.raises(communities.LastOwner):
        await store.write(communities.leave, community.id, ada)
    with pytest.raises(communities.LastOwner):
        await store.write(
            communities.change_role, community.id, actor_id=ada, person_id=ada, role="member"
        )
    # With a second owner, the first may step down and leave.
    await store.write(
        communities.change_role, community.id, actor_id=ada, person_id=bo, role="owner"
    )
    demoted = await store.write(
        communities.change_role, community.id, actor_id=ada, person_id=ada, role="moderator"
    )
    assert demoted.role == "moderator"
    await store.write(communities.leave, community.id, ada)
    assert await store.read(communities.role_of, community.id, ada) is None
    with pytest.raises(communities.NotMember):
        await store.write(communities.leave, community.id, ada)


async def test_only_owners_change_roles(store: Store) -> None:
    ada, bo, cy = [await _person(store, n) for n in ("Ada", "Bo", "Cy")]
    community = await _community(store, ada)
    for person in (bo, cy):
        await store.write(communities.join, community.id, person)
    await store.write(
        communities.change_role, community.id, actor_id=ada, person_id=bo, role="moderator"
    )
    with pytest.raises(communities.NotAllowed):
        await store.write(
            communities.change_role, community.id, actor_id=bo, person_id=cy, role="moderator"
        )
    with pytest.raises(communities.NotMember):
        outsider = await _person(store, "Di")
        await store.write(
            communities.change_role, community.id, actor_id=ada, person_id=outsider, role="member"
        )
    assert await store.read(communities.role_of, community.id, cy) == "member"


async def test_members_list_roles_and_names_but_no_email(store: Store) -> None:
    ada, bo, cy = [await _person(store, n) for n in ("Ada", "bo", "Cy")]
    community = await _community(store, cy)
    for person in (ada, bo):
        await store.write(communities.join, community.id, person)
    await store.write(
        communities.change_role, community.id, actor_id=cy, person_id=bo, role="moderator"
    )
    members = await store.read(communities.members_of, community.id)
    assert [(m.display_name, m.role) for m in members] == [
        ("Cy", "owner"),
        ("bo", "moderator"),
        ("Ada", "member"),
    ]
    fields = {f.name for f in dataclasses.fields(communities.Member)}
    assert fields == {"person_id", "display_name", "role", "joined_at"}
    assert all("@" not in str(dataclasses.asdict(m)) for m in members)


async def test_update_bumps_guidelines_time_only_when_they_change(store: Store) -> None:
    ada = await _person(store, "Ada")
    community = await _community(store, ada, guidelines="Be kind.")
    before = community.guidelines_updated_at
    same = await store.write(
        communities.update_community, community.id, name="Rust learners", guidelines="Be kind."
    )
    assert same.name == "Rust learners" and same.guidelines_updated_at == before
    changed = await store.write(
        communities.update_community, community.id, guidelines="Be kind. Be patient."
    )
    assert changed.guidelines_updated_at > before
    assert changed.name == "Rust learners"


async def test_upcoming_events_and_study_groups(store: Store) -> None:
    ada = await _person(store, "Ada")
    community = await _community(store, ada)
    now = utcnow()

    async def add(
        session: AsyncSession, kind: str, title: str, start_h: int, end_h: int, weeks: int = 1
    ) -> None:
        ends_at = now + timedelta(hours=end_h)
        session.add(
            Event(
                community_id=community.id,
                kind=kind,
                title=title,
                timezone="UTC",
                starts_at=now + timedelta(hours=start_h),
                ends_at=ends_at,
                weekly_count=weeks if kind == "study_group" else None,
                series_ends_at=ends_at + timedelta(weeks=weeks - 1),
            )
        )

    await store.write(add, "webinar", "Later", 48, 49)
    await store.write(add, "workshop", "Sooner", 2, 4)
    await store.write(add, "webinar", "Over", -5, -4)
    await store.write(add, "webinar", "Under way", -1, 1)
    await store.write(add, "study_group", "Borrow checker club", 24, 25)
    # A study group whose first meeting is over but whose later ones are not is still listed.
    await store.write(add, "study_group", "Async reading group", -200, -199, 4)
    await store.write(add, "study_group", "Finished group", -2000, -1999, 4)
    view = await store.read(communities.overview, "rustaceans", ada)
    assert view is not None and view.viewer_role == "owner"
    assert [e.title for e in view.events] == ["Under way", "Sooner", "Later"]
    assert [e.title for e in view.study_groups] == ["Async reading group", "Borrow checker club"]
