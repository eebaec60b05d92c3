"""What the community moderation page reads, on each database: the log paged backwards by
id and read whole for exports, the bans in force, and the names behind person keys."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store, audit_log, audit_record, events, moderation, registrations
from server.store.moderation_tables import Ban
from server.store.tables import Person

from .test_events import make_community, make_people, spec


async def _log(store: Store, community_id: int, actions: list[str], subject: str) -> None:
    async def write(session: AsyncSession) -> None:
        for n, action in enumerate(actions):
            await audit_record.audit(session, community_id, None, "p1", action, subject,
                                   f"reason {n}", seconds=n)  # fmt: skip

    await store.write(write)


async def test_the_log_pages_backwards_and_exports_whole(store: Store) -> None:
    _, community = await make_community(store)
    _, other = await make_community(store)
    await _log(store, community.id, [f"act_{n}" for n in range(7)], "p2")
    await _log(store, other.id, ["elsewhere"], "p2")

    page, more = await store.read(audit_log.records, community.id, limit=3)
    assert [e.action for e in page] == ["act_6", "act_5", "act_4"] and more
    rest, more = await store.read(audit_log.records, community.id, before=page[-1].id, limit=4)
    assert [e.action for e in rest] == ["act_3", "act_2", "act_1", "act_0"] and not more
    assert rest[0].detail == {"seconds": 3} and rest[0].reason == "reason 3"
    whole = await store.read(audit_log.every_record, community.id)
    assert whole == page + rest
    assert await store.read(audit_log.record_count, community.id) == 7


async def test_the_export_reads_past_one_slice(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_log, "EXPORT_SLICE", 2)
    _, community = await make_community(store)
    await _log(store, community.id, [f"act_{n}" for n in range(5)], "p2")
    whole = await store.read(audit_log.every_record, community.id)
    assert [e.action for e in whole] == [f"act_{n}" for n in reversed(range(5))]


async def test_names_of_accounts_guests_and_the_deleted(store: Store) -> None:
    owner, community = await make_community(store)
    gone, kept = await make_people(store, 2)
    event = await store.write(events.create_event, community.id, owner, spec())
    guest = await store.write(
        registrations.register_guest, event.id, name="Guest Gus", email="gus@example.org"
    )

    async def forget(session: AsyncSession) -> None:
        person = await session.get(Person, gone)
        assert person is not None
        await session.delete(person)

    await store.write(forget)
    keys = [f"p{kept}", f"p{gone}", f"g{guest.id}", "x7", None]
    named = await store.read(audit_log.names, keys)
    assert named == {
        f"p{kept}": "Learner 01",
        f"p{gone}": f"Deleted account (p{gone})",
        f"g{guest.id}": "Guest Gus",
        "x7": "Deleted account (x7)",
    }
    assert await store.read(audit_log.room_titles, [event.id, None]) == {
        event.id: "Ownership explained"
    }


async def test_bans_in_force_leave_out_the_lifted(store: Store) -> None:
    owner, community = await make_community(store)
    banned, lifted = await make_people(store, 2)

    async def ban(session: AsyncSession) -> list[int]:
        rows = [Ban(community_id=community.id, person_key=f"p{who}", reason=f"because {who}",
                    by_key=f"p{owner}") for who in (banned, lifted)]  # fmt: skip
        session.add_all(rows)
        await session.flush()
        return [r.id for r in rows]

    first, second = await store.write(ban)
    await store.write(moderation.unban, community.id, f"p{owner}", second)
    (shown,) = await store.read(audit_log.bans_in_force, community.id)
    assert (shown.id, shown.person_key, shown.reason) == (first, f"p{banned}", f"because {banned}")
    assert shown.name == "Learner 00" and shown.by_key == f"p{owner}"
    view = await store.read_consistent(audit_log.overview, community.id)
    assert view.bans == [shown] and view.reports == [] and not view.more
    assert [e.action for e in view.records] == ["unban"] and view.record_count == 1
