"""Inside a breakout group: its own chat, shared notes that never lose an edit, and privacy."""

from __future__ import annotations

import asyncio

from tests.live.support import Client, Seeded, me
from tests.live.test_breakouts import heard, joined, of
from tests.servers import Server

TWO_GROUPS = [{"name": "Traits"}, {"name": "Macros"}]


async def running(server: Server, room: Seeded) -> tuple[Client, list[Client], dict[str, int]]:
    """A host and three people in two running groups; who sits where."""
    host = await joined(server, room.host.cookie, room.event_id)
    people = [await joined(server, a.cookie, room.event_id) for a in room.attendees]
    await host.send("breakout.plan", mode="by_hand", minutes=20, groups=TWO_GROUPS)
    await heard(host, "breakout.planned")
    traits, macros = (g["id"] for g in of(host, "breakout.planned")[0]["round"]["groups"])
    for person, group in zip(people, (traits, traits, macros), strict=True):
        assert (await host.send("breakout.move", member=me(person), group=group))["type"] == "ack"
    await host.send("breakout.open")
    for person in people:
        await heard(person, "breakout.opened")
    return host, people, {me(people[0]): traits, me(people[1]): traits, me(people[2]): macros}


async def test_a_group_chat_reaches_its_members_and_the_staff_only(
    server: Server, room: Seeded
) -> None:
    host, (ada, bo, cy), where = await running(server, room)
    sent = await ada.send("group.send", client_id="c1", body="Who starts?")
    assert sent["type"] == "ack", sent
    again = await ada.send("group.send", client_id="c1", body="Who starts?")
    assert again["id"] == sent["id"] and "seq" not in again  # a retry, not a second message
    for c in (bo, host):
        await heard(c, "group.message")
    message = of(bo, "group.message")[0]
    assert message["group"] == where[me(ada)] and message["message"]["body"] == "Who starts?"
    assert message["message"]["author"] == {"id": me(ada), "name": "Learner 0", "role": "attendee"}
    await asyncio.sleep(0.5)
    assert of(cy, "group.message") == [] and len(of(bo, "group.message")) == 1

    # The host visits Macros and speaks there; a member of Traits cannot write into Macros.
    visit = await host.send("group.send", client_id="h1", body="Hello Macros", group=where[me(cy)])
    assert visit["type"] == "ack"
    await heard(cy, "group.message")
    other = await ada.send("group.send", client_id="c2", body="psst", group=where[me(cy)])
    assert other["type"] == "error" and other["code"] == "forbidden"

    # A new tab of Ada finds her group's chat in the snapshot; the host asks for any group's.
    tab = await joined(server, room.attendees[0].cookie, room.event_id)
    snap = next(f for f in tab.frames if f["type"] == "snapshot")
    assert [m["body"] for m in snap["group"]["chat"]] == ["Who starts?"]
    told = await host.send("group.history", group=where[me(cy)])
    assert [m["body"] for m in told["chat"]] == ["Hello Macros"]
    assert (await cy.send("group.history", group=where[me(ada)]))["code"] == "forbidden"
    for c in (host, ada, bo, cy, tab):
        await c.close()


async def test_two_people_editing_the_same_notes_never_lose_an_edit(
    server: Server, room: Seeded
) -> None:
    host, (ada, bo, _cy), _ = await running(server, room)
    first = await ada.send("group.notes", base=0, text="Goals:\n- traits\n\nQuestions:\n")
    assert first["type"] == "ack" and first["version"] == 1
    # Both type on version 1 at once: different lines, so both survive.
    a, b = await asyncio.gather(
        ada.send("group.notes", base=1, text="Goals:\n- traits and generics\n\nQuestions:\n"),
        bo.send("group.notes", base=1, text="Goals:\n- traits\n\nQuestions:\n- what is dyn?\n"),
    )
    assert {a["type"], b["type"]} == {"ack"}, (a, b)
    assert {a["merged"], b["merged"]} == {False, True}
    final = max((a, b), key=lambda r: r["version"])
    assert final["text"] == "Goals:\n- traits and generics\n\nQuestions:\n- what is dyn?\n"
    await bo.wait_for(lambda: any(e["version"] == final["version"] for e in of(bo, "group.notes")))

    # Both change the same line: the later is refused with the current text to redo it on.
    base = final["version"]
    a, b = await asyncio.gather(
        ada.send("group.notes", base=base, text=final["text"].replace("dyn", "a trait object")),
        bo.send("group.notes", base=base, text=final["text"].replace("dyn", "impl Trait")),
    )
    won, lost = (a, b) if a["type"] == "ack" else (b, a)
    assert won["type"] == "ack" and lost["type"] == "error" and lost["code"] == "conflict"
    assert lost["current"] == {"version": won["version"], "text": won["text"]}
    told = await host.send("group.history", group=of(ada, "group.notes")[-1]["group"])
    assert told["notes"] == {"version": won["version"], "text": won["text"]}
    for c in (host, ada, bo, _cy):
        await c.close()


async def test_without_a_running_group_there_is_no_group_work(server: Server, room: Seeded) -> None:
    ada = await joined(server, room.attendees[0].cookie, room.event_id)
    refused = await ada.send("group.send", client_id="x", body="anyone?")
    assert refused["type"] == "error" and refused["code"] == "conflict"
    assert (await ada.send("ping"))["type"] == "pong"
    await ada.close()
