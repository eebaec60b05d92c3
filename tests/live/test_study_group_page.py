"""A breakout group kept as a study group, on the community's pages: who sees what, and
notes saved from two browsers at once without losing either text."""

from __future__ import annotations

import html
import re

from tests.clients import Visitor
from tests.http.moderation_support import slug_of
from tests.live.support import Seeded, Someone, me
from tests.live.test_breakout_groups import running
from tests.live.test_breakouts import heard
from tests.servers import Server


async def _kept(server: Server, room: Seeded) -> tuple[str, int]:
    """Traits (two attendees) chats and takes notes, closes, and the host keeps it."""
    host, (ada, bo, cy), where = await running(server, room)
    assert (await ada.send("group.send", client_id="k1", body="Let us meet weekly"))[
        "type"
    ] == "ack"
    assert (await bo.send("group.notes", base=0, text="Week 1: traits"))["type"] == "ack"
    await host.send("breakout.close")
    await heard(ada, "breakout.closed")
    kept = await host.send("breakout.keep", group=where[me(ada)], name="Trait study")
    assert kept["type"] == "ack", kept
    for c in (host, ada, bo, cy):
        await c.close()
    return await slug_of(server, room.event_id), int(kept["study_group"]["id"])


async def _visitor(server: Server, someone: Someone) -> Visitor:
    v = Visitor(server.url)
    v.http.cookies.set("studyhall_session", someone.cookie)
    return v


async def test_members_see_notes_and_chat_other_members_only_who(
    server: Server, room: Seeded
) -> None:
    slug, group = await _kept(server, room)
    path = f"/c/{slug}/study-groups/{group}"
    ada, cy = [await _visitor(server, someone) for someone in room.attendees[0::2]]
    async with ada, cy:
        page = html.unescape((await ada.get(path)).text)
        assert "Trait study" in page and "Week 1: traits" in page and "Let us meet weekly" in page
        community = html.unescape((await ada.get(f"/c/{slug}")).text)
        assert f'href="{path}"' in community and "2 members" in community
        # Cy sat in the other group: a member of the community sees who, not what.
        other = html.unescape((await cy.get(path)).text)
        assert "Trait study" in other and room.attendees[0].name in other
        assert "Week 1: traits" not in other and "Let us meet weekly" not in other
        api = (await cy.get(f"/api/communities/{slug}/study-groups/{group}")).json()
        assert "notes" not in api and len(api["members"]) == 2
        full = (await ada.get(f"/api/communities/{slug}/study-groups/{group}")).json()
        assert full["notes"] == "Week 1: traits" and full["chat"][0]["body"] == "Let us meet weekly"
    async with await _visitor(server, room.outsider) as outsider:
        assert (await outsider.get(path)).status_code == 404


async def test_two_saves_of_the_notes_lose_neither_text(server: Server, room: Seeded) -> None:
    slug, group = await _kept(server, room)
    path = f"/c/{slug}/study-groups/{group}"
    ada, bo = [await _visitor(server, someone) for someone in room.attendees[:2]]
    async with ada, bo:
        seen = [_seen((await v.get(path)).text) for v in (ada, bo)]
        first = await ada.form(path, {"notes": "Week 1: traits\nWeek 2: generics", "seen": seen[0]})
        assert first.status_code == 303
        # Bo saves on the text he loaded: refused, with Ada's text shown and his kept.
        second = await bo.form(path, {"notes": "Week 1: traits, dyn", "seen": seen[1]})
        assert second.status_code == 409
        page = html.unescape(second.text)
        assert "Week 2: generics" in page and "Week 1: traits, dyn" in page
        again = await bo.form(
            path, {"notes": "Week 1: traits, dyn\nWeek 2: generics", "seen": _seen(second.text)}
        )
        assert again.status_code == 303
        final = html.unescape((await ada.get(path)).text)
        assert "Week 1: traits, dyn\nWeek 2: generics" in final
    # Someone outside the group may not write its notes.
    async with await _visitor(server, room.attendees[2]) as cy:
        refused = await cy.form(path, {"notes": "mine now", "seen": seen[0]})
        assert refused.status_code == 403


def _seen(page: str) -> str:
    found = re.search(r'name="seen" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)
