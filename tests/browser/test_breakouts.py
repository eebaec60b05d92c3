"""Issue "Breakout study groups" in Chromium: a host and four learners, each in a browser.

Two learners are open to mentoring Rust. The host plans two Rust groups by mentor pairing,
sees each group get a mentor, swaps two people by hand with the keyboard-usable selects and
opens the groups: everyone sees their group, its countdown and the one-minute warning. A
learner writes in the group's chat and notes, then asks for help; the mentor of the other
group answers "On my way", arrives in the asker's group and finds its chat and notes there,
and the asker sees who is coming. The round's time runs out and everyone is back in the
main room by themselves; the host keeps a group as a study group.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from playwright.async_api import Locator, Page, expect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store
from server.store.breakout_tables import BreakoutRound
from server.store.tables import Interest, utcnow
from tests.browser.conftest import Browsing
from tests.live.conftest import db_url_of
from tests.live.support import seed
from tests.servers import Server


def panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Breakout groups")


async def enter(page: Page, event_id: int) -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def group_name(page: Page) -> str:
    heading = panel(page).locator("#breakout-group-name")
    await expect(heading).not_to_be_empty()
    return (await heading.text_content() or "").strip()


async def in_store(server: Server, change: Callable[[AsyncSession], Awaitable[None]]) -> None:
    store = Store(db_url_of(server))
    try:
        await store.write(change)
    finally:
        await store.close()


async def test_mentor_pairing_help_and_the_end_of_the_round(
    browsing: Browsing, server: Server
) -> None:
    seeded = await seed(db_url_of(server), attendees=4)
    mentors = {seeded.attendees[0].name, seeded.attendees[1].name}

    async def open_to_mentoring(session: AsyncSession) -> None:
        for someone in seeded.attendees[:2]:
            session.add(Interest(person_id=someone.person_id, tag="rust", level="experienced",
                                 open_to_mentoring=True))  # fmt: skip

    await in_store(server, open_to_mentoring)
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    learners = {
        a.name: await browsing.page(await browsing.context(a.cookie)) for a in seeded.attendees
    }
    for page in (host, *learners.values()):
        await enter(page, seeded.event_id)
    for name in learners:
        await expect(host.locator("#room-people")).to_contain_text(name)

    # The host plans two Rust groups by mentor pairing, one minute long.
    plan = panel(host).get_by_role("form", name="Plan breakout groups")
    for n, name in ((1, "Traits"), (2, "Macros")):
        await plan.get_by_label(f"Name, group {n}").fill(name)
        await plan.get_by_label(f"Topic (optional), group {n}").fill("rust")
    await plan.get_by_label("How people are placed").select_option(label="Mentor pairing")
    await plan.get_by_label("Minutes").fill("1")
    await plan.get_by_role("button", name="Plan groups").click()
    seating = panel(host).get_by_role("list", name="Draft groups")
    await expect(seating).to_be_visible()
    groups = {}
    for name in ("Traits", "Macros"):
        members = panel(host).get_by_role("list", name=name, exact=True)
        await expect(members.get_by_role("listitem")).to_have_count(2)
        groups[name] = set(await members.locator(".breakout-person > span").all_text_contents())
    assert all(len(seated & mentors) == 1 for seated in groups.values()), groups
    mentor_seat = next(g for g, seated in groups.items() if seeded.attendees[0].name in seated)
    await expect(panel(learners[seeded.attendees[0].name]).locator("#breakout-where")).to_have_text(
        f"Breakout groups are planned: you will be in {mentor_seat} when they open."
    )

    # Two learners who are not mentors swap groups, with a select each.
    others = sorted(set(learners) - mentors)
    for name in others:
        now_in = next(g for g, seated in groups.items() if name in seated)
        other = "Macros" if now_in == "Traits" else "Traits"
        await panel(host).get_by_label(f"Group for {name}").select_option(label=other)
        await expect(panel(host).get_by_role("list", name=other, exact=True)).to_contain_text(name)
    await panel(host).get_by_role("button", name="Open groups").click()

    # Everyone is in their group, with a countdown; a one-minute round warns at once.
    where = {name: await group_name(page) for name, page in learners.items()}
    for name, page in learners.items():
        await expect(panel(page)).to_have_attribute("data-where", "group")
        await expect(panel(page).get_by_role("timer")).to_have_text(re.compile(r"^0:[0-5]\d$"))
        await expect(panel(page).locator("#breakout-warning")).to_contain_text("One minute left")
        members = panel(page).get_by_role("list", name="In this group")
        await expect(members).to_contain_text(f"{name} (you)")

    # The host gives them five minutes more: the warning goes, the clock moves on.
    await panel(host).get_by_label("Extend by").select_option(label="5 min")
    await panel(host).get_by_role("button", name="Extend", exact=True).click()
    for page in learners.values():
        await expect(panel(page).get_by_role("timer")).to_have_text(re.compile(r"^[56]:\d\d$"))
        await expect(panel(page).locator("#breakout-warning")).to_be_empty()
    asker = others[0]
    helper = next(m for m in mentors if where[m] != where[asker])
    asker_page, helper_page = learners[asker], learners[helper]

    # The asker writes in the group's chat and notes, then asks for help.
    chat = panel(asker_page).get_by_label("Message to the group")
    await chat.fill("Lifetimes again?")
    await chat.press("Enter")
    await expect(panel(asker_page).locator("#breakout-chat")).to_contain_text("Lifetimes again?")
    notes = panel(asker_page).get_by_role("textbox", name="Shared notes")
    await notes.fill("Goals:\n- elision rules\n")
    await notes.blur()
    await expect(panel(asker_page).locator("#breakout-notes-state")).to_have_text("Saved")
    await panel(asker_page).get_by_label("What do you need help with?").fill("The borrow checker")
    await panel(asker_page).get_by_role("button", name="Ask for help").click()
    await expect(panel(asker_page).locator("#breakout-help-status")).to_contain_text("number 1")

    # Hosts and mentors see the call; the other group's mentor is on the way.
    for page in (host, helper_page):
        await expect(panel(page).locator("#breakout-news")).to_have_text(
            f"{asker} asks for help in {where[asker]}."
        )
        calls = panel(page).get_by_role("list", name="Calls for help")
        await expect(calls).to_contain_text(f"{asker}, in {where[asker]}: The borrow checker")
    await panel(helper_page).get_by_role("button", name=f"On my way to {asker}").click()
    await expect(panel(asker_page).locator("#breakout-help-status")).to_have_text(
        f"{helper} is on the way."
    )
    await expect(panel(helper_page).locator("#breakout-group-name")).to_have_text(where[asker])
    await expect(panel(helper_page).locator("#breakout-group-name")).to_be_focused()
    await expect(panel(asker_page).get_by_role("list", name="In this group")).to_contain_text(
        helper
    )
    await expect(panel(helper_page).locator("#breakout-chat")).to_contain_text("Lifetimes again?")
    await expect(panel(helper_page).get_by_role("textbox", name="Shared notes")).to_have_value(
        "Goals:\n- elision rules\n"
    )
    await expect(panel(host).get_by_role("list", name="Calls for help")).to_be_hidden()

    # Time runs out. Waiting a real minute would only slow the suite: the round's end moves
    # into the past in the store, as the clock would, and the workers' once-a-second check
    # closes it.
    async def end_now(session: AsyncSession) -> None:
        await session.execute(update(BreakoutRound).values(ends_at=utcnow() - timedelta(seconds=1)))

    await in_store(server, end_now)
    for page in learners.values():
        await expect(panel(page)).to_have_attribute("data-where", "main")
        await expect(panel(page).locator("#breakout-news")).to_contain_text(
            "everyone is back in the main room"
        )
        await expect(panel(page).locator("#breakout-group")).to_be_hidden()

    # The host keeps the asker's group as a study group.
    keep = panel(host).locator("#breakout-keep-form")
    await keep.get_by_label("Group", exact=True).select_option(label=where[asker])
    await keep.get_by_role("button", name="Keep as a study group").click()
    for page in (host, asker_page):
        await expect(panel(page).get_by_role("list", name="Kept as study groups")).to_contain_text(
            f"“{where[asker]}”"
        )
    assert browsing.uncaught_errors() == []
