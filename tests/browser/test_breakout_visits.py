"""Breakout groups in Chromium, the host's side and the group's work: a self-select round,
a broadcast, a host answering a call by visiting the group, a person moved to another group
and back while the groups run, two people changing the same line of the notes (the later
one sees the conflict and keeps their text), typing set aside when the groups close before
it was saved, the host closing the groups early, and a member keeping their group as a study
group with a weekly meeting and its own page.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Locator, Page, expect

from server.store.tables import utcnow
from tests.browser.conftest import Browsing, drop_sockets, make_sockets_droppable
from tests.live.conftest import db_url_of
from tests.live.support import seed
from tests.servers import Server


def panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Breakout groups")


def notes(page: Page) -> Locator:
    return panel(page).get_by_role("textbox", name="Shared notes")


async def enter(page: Page, event_id: int) -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def write_notes(page: Page, text: str) -> None:
    await notes(page).fill(text)
    await notes(page).blur()


async def test_a_host_visits_broadcasts_and_closes_and_notes_never_lose_an_edit(
    browsing: Browsing, server: Server
) -> None:
    seeded = await seed(db_url_of(server), attendees=2)
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    ada = await browsing.page(await browsing.context(seeded.attendees[0].cookie))
    bo_context = await browsing.context(seeded.attendees[1].cookie)
    await make_sockets_droppable(bo_context)
    bo = await browsing.page(bo_context)
    for page in (host, ada, bo):
        await enter(page, seeded.event_id)
    for name in ("Learner 0", "Learner 1"):
        await expect(host.locator("#room-people")).to_contain_text(name)
    await expect(panel(ada)).to_be_hidden()  # nothing planned: no panel for attendees

    plan = panel(host).get_by_role("form", name="Plan breakout groups")
    await plan.get_by_label("Name, group 1").fill("Traits")
    await plan.get_by_label("Capacity (optional), group 1").fill("2")
    await plan.get_by_label("Name, group 2").fill("Macros")
    await plan.get_by_label("How people are placed").select_option(label="People choose")
    await plan.get_by_label("Minutes").fill("10")
    await plan.get_by_label("Members may keep their group as a study group").check()
    await plan.get_by_role("button", name="Plan groups").click()

    # Both pick Traits themselves.
    for page in (ada, bo):
        choices = panel(page).get_by_role("list", name="Choose your group")
        await choices.get_by_role("button", name="Join Traits").click()
        await expect(choices.get_by_role("button", name="Your group")).to_have_attribute(
            "aria-pressed", "true"
        )
    await expect(panel(host).get_by_role("list", name="Traits", exact=True)).to_contain_text(
        "Learner 1"
    )
    await panel(host).get_by_role("button", name="Open groups").click()
    for page in (ada, bo):
        await expect(panel(page).locator("#breakout-where")).to_have_text("You are in Traits.")

    # A message to every group.
    await panel(host).get_by_label("Message to every group").fill("Write down one question")
    await panel(host).get_by_label("Message to every group").press("Enter")
    for page in (ada, bo):
        await expect(
            panel(page).get_by_role("list", name="Messages from the host")
        ).to_contain_text("Grace Host to all groups: Write down one question")

    # Bo calls; the host answers by visiting the group, and speaks in its chat.
    await panel(bo).get_by_role("button", name="Ask for help").click()
    await panel(host).get_by_role("button", name="On my way to Learner 1").click()
    await expect(panel(bo).locator("#breakout-help-status")).to_have_text(
        "Grace Host is on the way."
    )
    await expect(panel(host).locator("#breakout-where")).to_have_text("You are visiting Traits.")
    await expect(panel(host).locator("#breakout-group-name")).to_be_focused()
    await panel(host).get_by_label("Message to the group").fill("Hello Traits")
    await panel(host).get_by_role("button", name="Send to the group").click()
    for page in (ada, bo):
        await expect(panel(page).locator("#breakout-chat")).to_contain_text("Hello Traits")

    # The host moves Bo to Macros while the groups run, and back: each time he is told, and
    # back in Traits he finds its chat again.
    for group in ("Macros", "Traits"):
        await panel(host).get_by_label("Group for Learner 1").select_option(label=group)
        await expect(panel(bo).locator("#breakout-where")).to_have_text(f"You are in {group}.")
        await expect(panel(bo).locator("#breakout-news")).to_have_text(f"You are now in {group}.")
    await expect(panel(bo).locator("#breakout-chat")).to_contain_text("Hello Traits")

    # The notes: Ada writes a plan; both change its line, Bo while his connection is down.
    await write_notes(ada, "Plan: traits\n")
    await expect(notes(bo)).to_have_value("Plan: traits\n")
    await expect(notes(host)).to_have_value("Plan: traits\n")  # the visiting host too
    await bo_context.set_offline(True)
    assert await drop_sockets(bo) == 1
    await write_notes(bo, "Plan: generics\n")
    await write_notes(ada, "Plan: macros\n")
    await expect(panel(ada).locator("#breakout-notes-state")).to_have_text("Saved")
    await bo_context.set_offline(False)
    conflict = panel(bo).locator("#breakout-notes-conflict")
    await expect(conflict).to_be_visible()
    await expect(conflict.get_by_role("textbox", name="The notes as they stand")).to_have_value(
        "Plan: macros\n"
    )
    await expect(notes(bo)).to_have_value("Plan: generics\n")  # his edit is still his
    await conflict.get_by_role("button", name="Save mine over theirs").click()
    await expect(conflict).to_be_hidden()
    for page in (ada, bo, host):
        await expect(notes(page)).to_have_value("Plan: generics\n")

    # Bo's connection drops again while he types; meanwhile the host closes the groups early.
    # Everyone is back, and what Bo typed is set aside for him to copy, not lost.
    await bo_context.set_offline(True)
    assert await drop_sockets(bo) == 1
    await write_notes(bo, "Plan: generics\nAsk about dyn\n")
    await panel(host).get_by_role("button", name="Close all groups now").click()
    await bo_context.set_offline(False)
    leftover = panel(bo).get_by_role("textbox", name="Your unsaved notes")
    await expect(leftover).to_have_value("Plan: generics\nAsk about dyn\n")
    await panel(bo).get_by_role("button", name="Done with them").click()
    await expect(leftover).to_be_hidden()
    for page in (ada, bo):
        await expect(panel(page)).to_have_attribute("data-where", "main")
        await expect(panel(page).locator("#breakout-news")).to_have_text(
            "The host closed the groups: everyone is back in the main room."
        )
    keep = panel(ada).locator("#breakout-keep-form")
    await keep.get_by_label("Study group name (optional)").fill("Rust traits club")
    await keep.get_by_label("Meet every week").check()
    first = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT18:00")
    await keep.get_by_label("First meeting (your local time)").fill(first)
    await keep.get_by_role("button", name="Keep as a study group").click()
    kept = panel(bo).get_by_role("list", name="Kept as study groups")
    await expect(kept).to_contain_text("“Rust traits club”")
    meeting = await kept.get_by_role("link", name="its weekly meeting").get_attribute("href")
    assert meeting is not None
    ics = await bo.request.get(f"{meeting}.ics")
    assert ics.ok and "RRULE:FREQ=WEEKLY;COUNT=8" in await ics.text()
    # Bo opens the study group's page: the notes and the chat came with it.
    await kept.get_by_role("link", name="“Rust traits club”").click()
    await expect(bo.get_by_role("heading", name="Rust traits club")).to_be_visible()
    await expect(bo.locator(".study-notes")).to_have_text("Plan: generics\n")
    await expect(bo.locator(".study-chat")).to_contain_text("Hello Traits")
    assert browsing.uncaught_errors() == []
