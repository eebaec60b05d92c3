"""The community moderation page against a real server: reports are filed and people banned
through real sockets, then a moderator resolves and undoes on the page, and each kind of
person is let in or refused."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from tests.clients import Visitor
from tests.http.moderation_support import Room, ban, member_of, report_a_message, seeded_room
from tests.live.support import Client
from tests.servers import Server


@pytest.fixture
async def room(server: Server) -> AsyncIterator[Room]:
    async with AsyncExitStack() as stack:
        yield await seeded_room(server, stack)


def _section(page: str, name: str) -> str:
    found = re.search(rf'<section aria-labelledby="{name}-heading".*?</section>', page, re.S)
    assert found, f"no {name} section"
    return found.group(0)


async def test_the_queue_shows_a_report_without_its_reporter(room: Room) -> None:
    filer, report_id = await report_a_message(room)
    page = await room.page(room.seeded.moderator)
    queue = _section(page, "reports")
    assert f'id="report-{report_id}"' in queue
    assert "Only fools ask that." in queue and "Insults a beginner" in queue
    assert "Message by Learner 1" in queue
    assert f'href="/events/{room.id}">Intro to Rust</a>' in queue
    # Nowhere on the page, and not in the API either, is the person who filed it.
    assert room.seeded.attendees[0].name not in page
    api = await (await room.visitor(room.seeded.moderator)).get(
        f"/api/communities/{room.slug}/reports"
    )
    assert api.status_code == 200
    (listed,) = api.json()["reports"]
    assert listed["id"] == report_id and listed["name"] == "Learner 1"
    assert room.seeded.attendees[0].name not in api.text
    assert f"p{room.seeded.attendees[0].person_id}" not in api.text
    await filer.close()


async def test_resolving_a_report_tells_the_reporter(room: Room) -> None:
    filer, report_id = await report_a_message(room)
    owner = await room.visitor(room.seeded.host)
    r = await owner.form(
        f"{room.page_path}/reports/{report_id}", {"outcome": "actioned", "note": "Deleted it"}
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{room.page_path}?done=report_actioned#reports"

    def handled() -> bool:
        return any(e["type"] == "report.handled" and e["id"] == report_id for e in filer.events())

    await filer.wait_for(handled)
    page = await room.page(room.seeded.host, "?done=report_actioned")
    assert "the person who filed it was told" in page
    assert f'id="report-{report_id}"' not in page and "No open reports." in page
    log = _section(page, "audit")
    assert log.count("Handled a report") == 1 and f"report #{report_id}" in log
    assert "Deleted it" in log
    # Handled once: the second try is a conflict shown on the page, and nothing more is logged.
    again = await owner.form(f"{room.page_path}/reports/{report_id}", {"outcome": "dismissed"})
    assert again.status_code == 409 and "already handled" in again.text
    assert _section(await room.page(room.seeded.host), "audit").count("a report") == 1


async def test_a_wrong_resolution_is_refused_beside_the_report(room: Room) -> None:
    _, report_id = await report_a_message(room)
    moderator = await room.visitor(room.seeded.moderator)
    path = f"{room.page_path}/reports/{report_id}"
    r = await moderator.form(path, {"outcome": "forgotten", "note": "kept"})
    assert r.status_code == 422 and f'id="note-{report_id}-error"' in r.text and ">kept<" in r.text
    r = await moderator.form(path, {"outcome": "dismissed", "note": "x" * 1001})
    assert r.status_code == 422 and f'id="note-{report_id}-error"' in r.text
    r = await moderator.form(f"{room.page_path}/reports/999999", {"outcome": "dismissed"})
    assert r.status_code == 404
    no_csrf = await moderator.http.post(path, data={"outcome": "dismissed"})
    assert no_csrf.status_code == 403
    assert f'id="report-{report_id}"' in await room.page(room.seeded.moderator)


async def test_the_ban_list_shows_a_ban_and_undo_lifts_it(room: Room) -> None:
    moderator = await room.socket(room.seeded.moderator)
    banned_person = room.seeded.attendees[2]
    await ban(room, moderator, banned_person)
    refused = await Client.open(room.server.url, banned_person.cookie)
    room.stack.push_async_callback(refused.close)
    assert (await refused.join(room.id))["code"] == "banned"

    page = await room.page(room.seeded.moderator)
    bans = _section(page, "bans")
    row = re.search(r'<tr id="ban-(\d+)">(.*?)</tr>', bans, re.S)
    assert row, bans
    ban_id, cells = int(row.group(1)), row.group(2)
    assert "Learner 2" in cells and "Harassment after a warning" in cells
    assert "Mo Moderator" in cells and "<time datetime=" in cells
    api = await (await room.visitor(room.seeded.moderator)).get(
        f"/api/communities/{room.slug}/bans"
    )
    assert [(b["id"], b["name"], b["by_name"]) for b in api.json()["bans"]] == [
        (ban_id, "Learner 2", "Mo Moderator")
    ]

    undo = await (await room.visitor(room.seeded.moderator)).form(
        f"{room.page_path}/bans/{ban_id}/undo", {}
    )
    assert undo.status_code == 303 and undo.headers["location"].endswith("?done=unbanned#bans")
    page = await room.page(room.seeded.moderator)
    assert "Nobody is banned." in _section(page, "bans")
    assert _section(page, "audit").count("Lifted a ban") == 1
    back = await room.socket(banned_person)  # the person may join again
    assert any(f["type"] == "snapshot" for f in back.frames)
    # Lifted already: the second undo finds no ban in force.
    again = await (await room.visitor(room.seeded.host)).form(
        f"{room.page_path}/bans/{ban_id}/undo", {}
    )
    assert again.status_code == 404 and "No such ban in force." in html.unescape(again.text)


async def _json_export(v: Visitor, room: Room) -> list[dict[str, Any]]:
    r = await v.get(f"{room.page_path}/audit.json")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="{room.slug}-audit-log.json"'
    body = r.json()
    assert body["community"] == room.slug
    records: list[dict[str, Any]] = body["records"]
    return records


async def _csv_export(v: Visitor, room: Room) -> list[dict[str, str]]:
    r = await v.get(f"{room.page_path}/audit.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


def _as_csv(record: dict[str, Any]) -> dict[str, str]:
    """How a JSON record reads in the CSV: empty for null, the detail as JSON."""
    out = {k: "" if v is None else str(v) for k, v in record.items()}
    out["detail"] = json.dumps(record["detail"])
    return out


async def test_the_audit_log_lists_each_action_once_and_exports_it(room: Room) -> None:
    moderator = await room.socket(room.seeded.moderator)
    someone = room.seeded.attendees[2]
    theirs = await room.socket(someone)
    member = member_of(theirs)
    for op, fields in (
        ("mod.mute", {"member": member, "minutes": 10, "reason": "Cool down"}),
        ("mod.unmute", {"member": member}),
        ("room.slow_mode", {"seconds": 30}),
        ("room.lock", {"locked": True}),
        ("room.lock", {"locked": False}),
    ):
        assert (await moderator.send(op, **fields))["type"] == "ack", op
    _, report_id = await report_a_message(room)
    await ban(room, moderator, someone)
    v = await room.visitor(room.seeded.moderator)
    await v.form(f"{room.page_path}/reports/{report_id}", {"outcome": "dismissed"})
    ban_id = (await v.get(f"/api/communities/{room.slug}/bans")).json()["bans"][0]["id"]
    await v.form(f"{room.page_path}/bans/{ban_id}/undo", {})

    expected = ["mute", "unmute", "slow_mode", "lock", "unlock", "ban", "report_dismissed",
                "unban"]  # fmt: skip
    records = await _json_export(v, room)
    assert [r["action"] for r in reversed(records)] == expected
    assert [r["id"] for r in records] == sorted((r["id"] for r in records), reverse=True)
    moderator_key = f"p{room.seeded.moderator.person_id}"
    assert {r["actor"] for r in records} == {moderator_key}
    assert {r["actor_name"] for r in records} == {"Mo Moderator"}
    by_action = {r["action"]: r for r in records}
    assert by_action["mute"]["subject_name"] == "Learner 2"
    assert by_action["mute"]["reason"] == "Cool down" and by_action["mute"]["room"] == room.id
    assert by_action["unban"]["detail"] == {"ban": ban_id}
    assert by_action["report_dismissed"]["detail"] == {"report": report_id}

    # The CSV holds the same records, field for field.
    assert await _csv_export(v, room) == [_as_csv(r) for r in records]
    # The page lists each record exactly once, newest first, with what it was.
    log = _section(await room.page(room.seeded.moderator), "audit")
    shown = [int(n) for n in re.findall(r'<tr id="record-(\d+)">', log)]
    assert shown == [r["id"] for r in records]
    assert "8 records" in log and "Banned from the community" in log
    assert "one message per 30 s" in log and "Locked the room" in log
    # The API pages backwards through the same records.
    api = await v.get(f"/api/communities/{room.slug}/audit?limit=5")
    first = api.json()
    assert [r["id"] for r in first["records"]] == [r["id"] for r in records[:5]]
    rest = await v.get(f"/api/communities/{room.slug}/audit?before={first['next_before']}")
    assert rest.json()["records"] == records[5:] and rest.json()["next_before"] is None


async def test_the_page_pages_backwards_through_the_log(room: Room) -> None:
    moderator = await room.socket(room.seeded.moderator)
    for n in range(52):
        assert (await moderator.send("room.slow_mode", seconds=n % 2))["type"] == "ack"
    first = _section(await room.page(room.seeded.moderator), "audit")
    ids = [int(n) for n in re.findall(r'<tr id="record-(\d+)">', first)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    older = re.search(r'href="([^"]*\?before=(\d+))#audit">Older records', first)
    assert older and int(older.group(2)) == ids[-1]
    second = _section(await room.page(room.seeded.moderator, f"?before={ids[-1]}"), "audit")
    rest = [int(n) for n in re.findall(r'<tr id="record-(\d+)">', second)]
    assert len(rest) == 2 and max(rest) < ids[-1] and "Older records" not in second
    bad = await (await room.visitor(room.seeded.moderator)).get(room.page_path + "?before=x")
    assert bad.status_code == 422


async def test_members_attendees_and_strangers_are_refused(room: Room) -> None:
    _, report_id = await report_a_message(room)
    paths = [
        room.page_path,
        f"{room.page_path}/audit.csv",
        f"{room.page_path}/audit.json",
        f"/api/communities/{room.slug}/audit",
        f"/api/communities/{room.slug}/reports",
        f"/api/communities/{room.slug}/bans",
    ]
    member, attendee = room.seeded.speaker, room.seeded.attendees[0]
    for someone in (member, attendee):
        v = await room.visitor(someone)
        for path in paths:
            assert (await v.get(path)).status_code == 403, (someone.name, path)
        r = await v.form(f"{room.page_path}/reports/{report_id}", {"outcome": "dismissed"})
        assert r.status_code == 403
        r = await v.post(f"/api/communities/{room.slug}/reports/{report_id}",
                         {"outcome": "dismissed"})  # fmt: skip
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert (await v.form(f"{room.page_path}/bans/1/undo", {})).status_code == 403
        community = await v.get(f"/c/{room.slug}")
        assert "/moderation" not in community.text
    stranger = await room.visitor()
    to_sign_in = await stranger.get(room.page_path)
    assert to_sign_in.status_code == 303
    assert to_sign_in.headers["location"] == f"/sign-in?next={room.page_path}"
    assert (await stranger.get(f"/api/communities/{room.slug}/audit")).status_code == 401
    assert (await stranger.get("/c/no-such-place/moderation")).status_code == 303
    mod = await room.visitor(room.seeded.moderator)
    assert (await mod.get("/c/no-such-place/moderation")).status_code == 404
    # The report is still open; the moderators' community page links to their page.
    assert f'id="report-{report_id}"' in await room.page(room.seeded.moderator)
    linked = (await mod.get(f"/c/{room.slug}")).text
    assert f'href="/c/{room.slug}/moderation"' in linked


async def test_no_route_changes_or_deletes_a_record(room: Room) -> None:
    v = await room.visitor(room.seeded.host)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in (f"/api/communities/{room.slug}/audit", f"{room.page_path}/audit.json"):
            r = await v.send(method, path, {})
            assert r.status_code == 405, (method, path)
    spec: dict[str, Any] = (await v.get("/api/openapi.json")).json()
    audit = spec["paths"]["/api/communities/{slug}/audit"]
    assert set(audit) == {"get"}
    assert "ResolveReport" in spec["components"]["schemas"]


async def test_the_api_resolves_and_lifts(room: Room) -> None:
    filer, report_id = await report_a_message(room)
    v = await room.visitor(room.seeded.moderator)
    path = f"/api/communities/{room.slug}/reports/{report_id}"
    r = await v.post(path, {"outcome": "actioned", "note": "Warned"})
    assert r.status_code == 204, r.text
    await filer.wait_for(lambda: any(e["type"] == "report.handled" for e in filer.events()))
    conflict = await v.post(path, {"outcome": "actioned"})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"
    invalid: httpx.Response = await v.post(path, {"outcome": "maybe"})
    assert invalid.status_code == 422
    moderator = await room.socket(room.seeded.moderator)
    await ban(room, moderator, room.seeded.attendees[2])
    bans = (await v.get(f"/api/communities/{room.slug}/bans")).json()["bans"]
    lifted = await v.send("DELETE", f"/api/communities/{room.slug}/bans/{bans[0]['id']}")
    assert lifted.status_code == 204
    gone = await v.send("DELETE", f"/api/communities/{room.slug}/bans/{bans[0]['id']}")
    assert gone.status_code == 404
    actions = Counter(r["action"] for r in await _json_export(v, room))
    assert actions == Counter({"report_actioned": 1, "ban": 1, "unban": 1})


async def test_another_communitys_moderators_cannot_touch_these(room: Room, server: Server) -> None:
    _, report_id = await report_a_message(room)
    moderator = await room.socket(room.seeded.moderator)
    await ban(room, moderator, room.seeded.attendees[2])
    ban_id = (await (await room.visitor(room.seeded.moderator)).get(
        f"/api/communities/{room.slug}/bans"
    )).json()["bans"][0]["id"]  # fmt: skip
    other = await seeded_room(server, room.stack)
    owner = await other.visitor(other.seeded.host)
    # On their own community's page these ids name nothing; on this one, they are nobody.
    r = await owner.form(f"{other.page_path}/reports/{report_id}", {"outcome": "dismissed"})
    assert r.status_code == 404
    assert (await owner.form(f"{other.page_path}/bans/{ban_id}/undo", {})).status_code == 404
    r = await owner.form(f"{room.page_path}/reports/{report_id}", {"outcome": "dismissed"})
    assert r.status_code == 403
    assert (await owner.get(room.page_path)).status_code == 403
    page = await room.page(room.seeded.moderator)
    assert f'id="report-{report_id}"' in page and f'id="ban-{ban_id}"' in page
    assert "No open reports." in await other.page(other.seeded.host)
